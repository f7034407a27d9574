"""Statistical functions against Excel's values.

Sources: Microsoft's documented examples (support.microsoft.com pages of each function) and
cells of the corpus (vinci1it2000/formulas test.xlsx, sheet STATISTICAL one function per row,
and FREQUENCY on sheet EXTRA), read at test time.
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter
from test_recalc_support import make_book, values

from xl_kpi.excel_errors import DIV0, NA, NULL, NUM, REF, VALUE, ExcelError
from xl_kpi.recalc import evaluate, recalculate

from corpus import agree

STRENGTH = {f"A{i}": v for i, v in enumerate([1345, 1301, 1368, 1322, 1310, 1370, 1318, 1350, 1303, 1299], 1)}


@pytest.mark.parametrize("formula, shown", [
    ("=STDEV.S(A1:A10)", 27.46392), ("=STDEV(A1:A10)", 27.46392), ("=STDEV.P(A1:A10)", 26.054558),
    ("=STDEVP(A1:A10)", 26.054558), ("=VAR.S(A1:A10)", 754.26667), ("=VAR.P(A1:A10)", 678.84),
])
def test_spread_microsoft_examples(formula, shown):
    assert evaluate(STRENGTH, formula) == pytest.approx(shown, abs=5e-6)


@pytest.mark.parametrize("formula, shown", [
    ("=MEDIAN(1,2,3,4,5)", 3), ("=MEDIAN(1,2,3,4,5,6)", 3.5),
    ("=LARGE({3,5,3,5,4;4,2,4,6,7},3)", 5), ("=LARGE({3,5,3,5,4;4,2,4,6,7},7)", 4),
    ("=SMALL({3,4,5,2,3,4,6,4,7},4)", 4), ("=SMALL({1,4,8,3,7,12,54,8,23},2)", 3),
    ("=PERCENTILE.INC({1,3,2,4},0.3)", 1.9), ("=PERCENTILE({1,3,2,4},0.3)", 1.9),
    ("=PERCENTILE.EXC({1,2,3,6,6,6,7,8,9},0.25)", 2.5), ("=PERCENTILE.EXC({1,2,3,6,6,6,7,8,9},0)", NUM),
    ("=QUARTILE.INC({1,2,4,7,8,9,10,12},1)", 3.5), ("=QUARTILE({1,2,4,7,8,9,10,12},1)", 3.5),
    ("=QUARTILE.EXC({6,7,15,36,39,40,41,42,43,47,49},1)", 15), ("=QUARTILE.EXC({6,7,15,36,39,40,41,42,43,47,49},3)", 43),
    ("=KURT(3,4,5,2,3,4,5,6,4,7)", -0.151799637), ("=SKEW(3,4,5,2,3,4,5,6,4,7)", 0.359543),
    ("=SKEW.P(3,4,5,2,3,4,5,6,4,7)", 0.303193), ("=GEOMEAN(4,5,8,7,11,4,3)", 5.476987),
    ("=HARMEAN(4,5,8,7,11,4,3)", 5.028376), ("=MODE.SNGL(5.6,4,4,3,2,4)", 4), ("=MODE(1,2,3)", NA),
    ("=MODE.SNGL(1,1,2,2)", 1), ("=MODE.SNGL(2,1,1,2)", 2), ('=MODE(3,3,"")', 3), ("=MODE(3,3,)", VALUE),
    ("=AVEDEV(4,5,6,7,5,4,3)", 1.020408), ("=DEVSQ(4,5,8,7,11,4,3)", 48), ("=PRODUCT(5,15,30)", 2250),
    ("=SUMSQ(3,4)", 25), ("=VAR(1)", DIV0), ("=MEDIAN(\"x\")", VALUE),
])
def test_microsoft_examples(formula, shown):
    got = evaluate({}, formula)
    assert got == (pytest.approx(shown, abs=5e-7) if isinstance(shown, (int, float)) else shown)


def test_a_variants_count_text_as_zero_and_logicals_in_ranges():
    cells = {"A1": 10, "A2": 7, "A3": 9, "A4": 2, "A5": "Not available"}
    assert evaluate(cells, "=AVERAGEA(A1:A5)") == pytest.approx(5.6)  # Microsoft's AVERAGEA example
    assert evaluate(cells, "=AVERAGE(A1:A5)") == pytest.approx(7)
    row = {"C1": 0, "D1": -10, "E1": 0.9, "F1": 2.2, "G1": -0.1, "I1": "1/01/1900", "J1": True}
    assert evaluate(row, "=STDEV.S(C1:J1)") == pytest.approx(4.895406009719725, rel=1e-12)  # STATISTICAL!AH98
    assert evaluate(row, "=STDEVA(C1:J1)") == pytest.approx(4.113334876900228, rel=1e-12)  # AH99
    assert evaluate(row, "=STDEVA(J1,G1)") == pytest.approx(0.7778174593052023, rel=1e-12)  # Y99
    assert evaluate(row, "=STDEV.S(J1,G1)") == DIV0  # Y98: a logical in a reference is skipped


def test_large_reports_an_error_in_k_before_one_in_the_array():
    row = {"A1": 0.1, "B1": -10, "C1": 2.2, "D1": VALUE, "E1": NA}
    assert evaluate(row, "=LARGE(A1:D1,E1)") == NA  # STATISTICAL!AA57
    assert evaluate(row, "=LARGE(A1:C1,TRUE)") == 2.2  # Y57: k TRUE is 1
    assert evaluate(row, '=LARGE(A1:C1,"c")') == VALUE


def test_a_formula_showing_a_blank_counts_as_zero(tmp_path):
    src = make_book(tmp_path / "in.xlsx", {"S": {"A1": 4, "B1": "=A2", "C1": "=AVERAGE(A1:B1)", "D1": "=COUNT(A1:B1)"}})
    assert recalculate(src, tmp_path / "out.xlsx").ok
    got = values(tmp_path / "out.xlsx")["S"]
    assert (got["B1"], got["C1"], got["D1"]) == (0, 2, 2)


@pytest.mark.parametrize("formula, shown", [
    # Microsoft's examples
    ("=SLOPE({2,3,9,1,8,7,5},{6,5,11,7,5,4,4})", 0.305556), ("=STEYX({2,3,9,1,8,7,5},{6,5,11,7,5,4,4})", 3.305719),
    ("=RSQ({2,3,9,1,8,7,5},{6,5,11,7,5,4,4})", 0.05795), ("=INTERCEPT({2,3,9,1,8},{6,5,11,7,5})", 0.0483871),
    ("=FORECAST(30,{6,7,9,15,21},{20,28,31,38,40})", 10.607253),
    ("=FORECAST.LINEAR(30,{6,7,9,15,21},{20,28,31,38,40})", 10.607253),
    ("=CORREL({3,2,4,5,6},{9,7,12,15,17})", 0.997054), ("=PEARSON({9,7,5,3,1},{10,6,1,5,3})", 0.699379),
    ("=COVARIANCE.P({3,2,4,5,6},{9,7,12,15,17})", 5.2), ("=COVARIANCE.S({2,4,8},{5,11,12})", 9.666667),
    ("=T.TEST({3,4,5,8,9,1,2,4,5},{6,19,3,2,14,4,5,17,1},2,1)", 0.196016),
    ("=SLOPE({1,2},{3,3})", DIV0), ("=SLOPE({1,2,3},{1,2})", NA), ("=T.TEST({1,2,3},{4,5,6},3,1)", NUM),
])
def test_two_sample_microsoft_examples(formula, shown):
    got = evaluate({}, formula)
    assert got == (pytest.approx(shown, abs=5e-7) if isinstance(shown, (int, float)) else shown)


def test_a_sample_given_as_one_blank_cell_is_value_error_and_a_range_of_blanks_div0():
    # formulas test.xlsx STATISTICAL V42 and Y42 (FORECAST.LINEAR(I37,F41, H41), (I37,H41:H42,H41:H42))
    cells = {"A1": 7, "C1": "29/02/1900"}
    assert evaluate(cells, "=_xlfn.FORECAST.LINEAR(C1,A1,B1)") == VALUE
    assert evaluate(cells, "=_xlfn.FORECAST.LINEAR(C1,B1:B2,B1:B2)") == DIV0
    assert evaluate(cells, "=SLOPE(B1,A1)") == VALUE  # the same reading of the two samples
    assert evaluate(cells, "=_xlfn.FORECAST.LINEAR(#NAME?,B1,A1:A2)") == ExcelError("#NAME?")  # x first
    assert evaluate(cells, "=SLOPE(A1,A1)") == DIV0  # one number: one pair, no line


def test_linest_and_trend():
    assert evaluate({}, "=LINEST({1,9,5,7},{0,4,2,3})") == [[pytest.approx(2.0), pytest.approx(1.0)]]  # Microsoft
    assert evaluate({}, "=TREND({1,9,5,7},{0,4,2,3},{5,6})") == [[pytest.approx(11.0), pytest.approx(13.0)]]
    # pycel stats.xlsx G5:H5: a constant x is dropped, its slope is 0 and the intercept the mean
    assert evaluate({}, "=LINEST({5,6,7,6,7},{2,2,2,2,2})") == [[0.0, pytest.approx(6.2)]]
    got = evaluate({}, "=LINEST({1,9,5,7},{0,4,2,3},TRUE,TRUE)")
    assert len(got) == 5 and got[2][0] == pytest.approx(1.0) and got[3][1] == 2  # r2 = 1, df = 2


def test_forecast_of_a_formula_showing_a_blank_counts_it_as_zero(tmp_path):
    cells = {"A1": 1, "A2": 2, "A3": 3, "B1": 2, "B2": "=C9", "B3": 6, "D1": "=FORECAST(4,B1:B3,A1:A3)"}
    src = make_book(tmp_path / "in.xlsx", {"S": cells})
    assert recalculate(src, tmp_path / "out.xlsx").ok
    assert values(tmp_path / "out.xlsx")["S"]["D1"] == pytest.approx(evaluate({}, "=FORECAST(4,{2,0,6},{1,2,3})"))


@pytest.mark.parametrize("formula, expected", [
    # Microsoft's examples and formulas test.xlsx STATISTICAL rows 44, 73, 75
    ("=NORM.DIST(42,40,1.5,TRUE)", 0.9087888), ("=NORM.DIST(42,40,1.5,FALSE)", 0.10934), ("=NORM.DIST(1,0,0,TRUE)", NUM),
    ("=NORM.DIST(-0.1,1,2,FALSE)", 0.17147192750969195), ('=NORM.DIST(0.7,"1","3",5)', 0.460172162722971),
    ("=NORM.S.DIST(1.333333,TRUE)", 0.908788726), ("=NORM.S.DIST(1.333333,FALSE)", 0.164010148),
    ("=NORMSDIST(1.333333)", 0.908788726), ("=NORM.INV(0.908789,40,1.5)", 42.000002),
    ("=NORM.S.INV(0.908789)", 1.3333347), ("=NORM.S.INV(0.7)", 0.5244005127080408), ("=NORM.S.INV(0)", NUM),
    ("=PHI(0.75)", 0.301137432), ("=GAUSS(2)", 0.47724987), ("=GAMMA(2.5)", 1.329340388), ("=GAMMA(-3.75)", 0.267866129),
    ("=GAMMA(0)", NUM), ("=GAMMA(-2)", NUM), ("=GAMMA(TRUE)", 1.0), ("=GAMMA(13)", 479001600.0),
    ("=GAMMALN(4.5)", 2.453736571), ("=GAMMALN(0)", NUM),
])
def test_normal_distribution_and_gamma(formula, expected):
    got = evaluate({}, formula)
    assert got == (pytest.approx(expected, abs=5e-7, rel=1e-9) if isinstance(expected, float) else expected)


@pytest.mark.parametrize("formula, expected", [
    # Microsoft's examples (RANK, RANK.EQ, RANK.AVG, PERCENTRANK.INC, PERCENTRANK.EXC, TRIMMEAN pages)
    ("=RANK(3.5,{7,3.5,3.5,1,2},1)", 3), ("=RANK(7,{7,3.5,3.5,1,2},1)", 5), ("=RANK.EQ(7,{7,3.5,3.5,1,2})", 1),
    ("=RANK.EQ(2,{7,3.5,3.5,1,2})", 4), ("=RANK.AVG(94,{89,88,92,101,94,97,95})", 4),
    ("=RANK.AVG(3.5,{7,3.5,3.5,1,2})", 2.5), ("=RANK.AVG(3.5,{7,3.5,3.5,1,2},1)", 3.5),
    ("=PERCENTRANK.INC({13,12,11,8,4,3,2,1,1,1},2)", 0.333), ("=PERCENTRANK.INC({13,12,11,8,4,3,2,1,1,1},4)", 0.555),
    ("=PERCENTRANK.INC({13,12,11,8,4,3,2,1,1,1},8)", 0.666), ("=PERCENTRANK.INC({13,12,11,8,4,3,2,1,1,1},5)", 0.583),
    ("=PERCENTRANK({13,12,11,8,4,3,2,1,1,1},5)", 0.583),
    ("=PERCENTRANK.EXC({1,2,3,6,6,6,7,8,9},7)", 0.7), ("=PERCENTRANK.EXC({1,2,3,6,6,6,7,8,9},5.43)", 0.381),
    ("=PERCENTRANK.EXC({1,2,3,6,6,6,7,8,9},5.43,1)", 0.3),
    ("=TRIMMEAN({4,5,6,7,2,3,4,5,1,2,3},0.2)", 3.777777778),
    # errors and edges from the same pages
    ("=RANK(4,{7,3.5,3.5,1,2})", NA), ("=PERCENTRANK.INC({1,2,3},4)", NA), ("=PERCENTRANK.INC({1,2,3},2,0)", NUM),
    ("=PERCENTRANK.EXC({1,2,3},0.5)", NA), ("=TRIMMEAN({1,2,3},1)", NUM), ("=TRIMMEAN({1,2,3},-0.1)", NUM),
    ('=PERCENTRANK.INC({1,2,3},"x")', VALUE), ("=RANK(1,{1,2},#N/A)", NA),
    ("=PERCENTRANK.INC({1,2,4},3,400)", 0.75),
])
def test_ranking_microsoft_examples(formula, expected):
    got = evaluate({}, formula)
    assert got == (pytest.approx(expected, abs=5e-10) if isinstance(expected, (int, float)) else expected)


def test_rank_and_trimmean_skip_text_and_logicals_in_ranges_and_map_over_an_array_argument():
    row = {"A1": 0, "B1": -10, "C1": 0, "D1": 2.2, "E1": -0.1, "G1": "x", "H1": True}
    assert evaluate(row, "=RANK.AVG(0,A1:H1,1)") == 3.5  # STATISTICAL!S89: text, TRUE and the blank are skipped
    assert evaluate(row, "=RANK.EQ(F1,A1:H1,1)") == 3  # a blank number is 0
    assert evaluate(row, "=RANK.EQ(H1,A1:H1,1)") == NA  # TRUE is 1, not in the numbers
    assert evaluate(row, "=TRIMMEAN(A1:H1,{0,0.5,1})") == [[pytest.approx(-1.58), pytest.approx(-0.1 / 3), NUM]]


@pytest.mark.parametrize("formula, expected", [
    ("=LARGE({0.1,-10,0.9,2.2,-0.1},2.2)", 0.1), ("=LARGE({0.1,-10,0.9,2.2,-0.1},0.9)", NUM),  # STATISTICAL!AK57, AJ57
    ("=SMALL({0,-10,0.9,2.2,-0.1},2.2)", -0.1), ("=SMALL({0,-10,0.9,2.2,-0.1},0.9)", NUM),  # AK95, AJ95
    ("=QUARTILE.INC({0,-10,0.9,2.2,-0.1},-0.1)", NUM), ("=QUARTILE.INC({0,-10,0.9,2.2,-0.1},4.5)", 2.2),  # AL88
])
def test_large_rounds_k_up_and_small_truncates_it(formula, expected):
    assert evaluate({}, formula) == expected


@pytest.mark.parametrize("formula, expected", [
    # Microsoft's FREQUENCY, MODE.MULT and PROB examples
    ("=FREQUENCY({79,85,78,85,50,81,95,88,97},{70,79,89})", [[1], [2], [4], [2]]),
    ("=MODE.MULT({1,2,3,4,3,2,1,2,3,5,6,1})", [[1], [2], [3]]),
    ("=PROB({0,1,2,3},{0.2,0.3,0.1,0.4},2)", 0.1), ("=PROB({0,1,2,3},{0.2,0.3,0.1,0.4},1,3)", 0.8),
    # formulas test.xlsx EXTRA!H50: bins in their own order, a repeated bin counts 0
    ("=FREQUENCY({1,2,3,2,1,3,2,1,6,5,4.9,0},{1,3;5,3})", [[4], [5], [2], [0], [1]]),
    ("=FREQUENCY({1,2},{1,#N/A})", NA), ("=MODE.MULT({1,2,3})", NA), ("=MODE.MULT(1,1,)", VALUE),
    ("=PROB({1,2},{0.5,0.5,0.1},1)", NA), ("=PROB({1,2},{0.5,0.4},1)", NUM), ("=PROB({1,2},{0,1},1)", NUM),
    ("=PROB({1,2,3},{0.2,0.3,0.5},{1,2,4})", [[0.2, 0.3, 0]]),
])
def test_frequency_mode_mult_and_prob(formula, expected):
    got = evaluate({}, formula)
    if isinstance(expected, list):
        assert got == [[pytest.approx(x) if isinstance(x, (int, float)) else x for x in r] for r in expected]
    else:
        assert got == (pytest.approx(expected) if isinstance(expected, float) else expected)


def test_frequency_of_bins_holding_no_number_is_one_bin_of_zero():
    cells = {"A1": 2, "A2": 3, "A3": -1, "B1": None}
    assert evaluate(cells, "=FREQUENCY(A1:A3,B1:B2)") == [[1.0], [2.0]]  # EXTRA!J50:J51, STATISTICAL!W43


def test_two_sample_functions_report_errors_as_excel():
    row = {"A1": NULL, "B1": NUM, "C1": REF, "D1": 1, "E1": 2, "F1": True, "G1": VALUE, "H1": NA}
    # STATISTICAL!AD26, AD94, AD107: a #NULL! y is passed over for the next error
    assert evaluate(row, "=SLOPE(A1:C1,C1:E1)") == NUM
    assert evaluate(row, "=COVARIANCE.S(A1:C1,C1:E1)") == NUM
    assert evaluate(row, "=T.TEST(A1:B1,C1:D1,2,1)") == NUM
    # Y94, Y107: pairs are read in order, y before x; Y108: T.TEST of two samples reads array1 first
    assert evaluate(row, "=SLOPE(F1:G1,G1:H1)") == VALUE
    assert evaluate({"A1": True, "B1": VALUE, "C1": NA, "D1": DIV0}, "=SLOPE(A1:B1,C1:D1)") == NA
    assert evaluate({"A1": True, "B1": VALUE, "C1": NA, "D1": DIV0}, "=T.TEST(A1:B1,C1:D1,2,2)") == VALUE


_SAMPLES = st.lists(st.integers(-50, 50), min_size=2, max_size=12, unique=True)


def _array(xs) -> str:
    return "{" + ",".join(str(x) for x in xs) + "}"


@given(_SAMPLES)
def test_rank_ascending_and_descending_add_up_to_n_plus_one(xs):
    arr = _array(xs)
    asc = evaluate({}, f"=RANK.EQ({arr},{arr},1)")[0]
    desc = evaluate({}, f"=RANK.EQ({arr},{arr},0)")[0]
    assert [a + d for a, d in zip(asc, desc)] == [len(xs) + 1] * len(xs)
    assert sorted(asc) == list(range(1, len(xs) + 1))


@given(_SAMPLES)
def test_large_k_is_small_n_plus_one_minus_k_and_percentrank_of_a_member_is_its_place(xs):
    arr, n = _array(xs), len(xs)
    ks = _array(range(1, n + 1))
    assert evaluate({}, f"=LARGE({arr},{ks})")[0] == evaluate({}, f"=SMALL({arr},{_array(range(n, 0, -1))})")[0]
    ranks = evaluate({}, f"=PERCENTRANK.INC({arr},{arr},15)")[0]
    assert ranks == [pytest.approx(sorted(xs).index(x) / (n - 1), abs=1e-15) for x in xs]


# -- the corpus ---------------------------------------------------------------------------------

KNOWN_DIFFERENCES: set[str] = set()

CORPUS_ROWS = {  # function: rows of sheet STATISTICAL (one function per row, arrays spilling below)
    "CORREL": [20], "COVARIANCE.P": [26], "COVARIANCE.S": [27], "FORECAST": [37], "FORECAST.LINEAR": [42],
    "FREQUENCY": [43], "GROWTH": [51, 52], "INTERCEPT": [55], "LARGE": [57], "LINEST": [58], "LOGEST": [59],
    "MODE.MULT": [69, 70], "MODE.SNGL": [71], "PEARSON": [77], "PERCENTRANK.EXC": [80], "PERCENTRANK.INC": [81],
    "PROB": [86], "QUARTILE.EXC": [87], "QUARTILE.INC": [88], "RANK.AVG": [89], "RANK.EQ": [90], "RSQ": [91],
    "SLOPE": [94], "SMALL": [95], "STEYX": [101], "T.TEST": list(range(107, 113)), "TREND": [113, 114],
    "TRIMMEAN": [115],
}


@pytest.fixture(scope="module")
def formulas_book():
    """(formula cells, Excel's values, ours) of formulas' test.xlsx, recalculated once per session."""
    from corpus import recalculated

    return recalculated("vinci1it2000__formulas/test.xlsx")


def _disagreeing(book, sheet: str, rows) -> tuple[int, list[str]]:
    cells, excel, got = book
    keys = [k for k in cells if k[0] == sheet and k[1] in rows and k in excel]
    wrong = [f"{get_column_letter(k[2])}{k[1]}" for k in keys if not agree(excel[k], got.get(k))]
    return len(keys), [a for a in wrong if a not in KNOWN_DIFFERENCES]


@pytest.mark.parametrize("function", sorted(CORPUS_ROWS))
def test_corpus_cells_equal_excel(formulas_book, function):
    checked, wrong = _disagreeing(formulas_book, "STATISTICAL", CORPUS_ROWS[function])
    assert checked >= 15 and not wrong, wrong


def test_corpus_frequency_spills_as_excel(formulas_book):
    checked, wrong = _disagreeing(formulas_book, "EXTRA", range(50, 63))
    assert checked >= 24 and not wrong, wrong
