"""Regression functions (LINEST, LOGEST, TREND, GROWTH) against Excel's values.

Sources: Microsoft's documented examples (the LOGEST and GROWTH pages), the cells of pycel's
stats.xlsx (sheet Stats) and of formulas' test.xlsx (sheet STATISTICAL rows 51, 58, 59, 113),
whose corpus rows are checked cell by cell in test_recalc_stats.py.
"""

import pytest

from xl_kpi.excel_errors import NA, NUM, REF, VALUE
from xl_kpi.recalc import evaluate

UNITS = "{33100,47300,69000,102000,150000,220000}"
MONTHS = "{11,12,13,14,15,16}"


def _approx(rows):
    return [[pytest.approx(x, rel=1e-9) if isinstance(x, float) else x for x in r] for r in rows]


def test_logest_and_growth_microsoft_examples():
    assert evaluate({}, f"=LOGEST({UNITS},{MONTHS})") == _approx([[1.463275628116, 495.304770158727]])
    assert evaluate({}, f"=GROWTH({UNITS},{MONTHS},{{17,18}})") == _approx([[320196.718363473, 468536.054184048]])
    got = evaluate({}, f"=GROWTH({UNITS},{MONTHS})")
    assert got[0][0] == pytest.approx(32618.20377, abs=5e-6) and got[0][5] == pytest.approx(218821.8762, abs=5e-5)


def test_logest_without_constant_has_b_of_one():
    # formulas test.xlsx STATISTICAL!R59:S59
    assert evaluate({}, "=LOGEST({4,0.1,0.2},{0.2,0.3,5},0,0)") == _approx([[0.7141390943648429, 1.0]])


def test_growth_of_several_regressors():
    # formulas test.xlsx STATISTICAL!U51:U52
    got = evaluate({"A1": 0.3, "B1": 5, "A2": 3, "B2": 4}, "=GROWTH({2;3;4;21;2},{2,1;2,2;5,3;2,4;4,1},A1:B2)")
    assert got == _approx([[43.96648204914201], [13.857466026169794]])


def test_a_perfect_fit_has_zero_errors_and_no_f_statistic():
    # pycel stats.xlsx Stats!D45:E49: y = x - 1 exactly
    got = evaluate({}, "=LINEST({1,2,3},{2,3,4},TRUE,TRUE)")
    assert got == [[1.0, -1.0], [0.0, 0.0], [1.0, 0.0], [NUM, 1.0], [2.0, 0.0]]


def test_linest_statistics_through_the_origin():
    # pycel stats.xlsx Stats!D39:E43
    got = evaluate({}, "=LINEST({1,2,3},{2,3,4},FALSE,TRUE)")
    assert got == _approx([[0.6896551724137931, 0.0], [0.05972588991616814, NA], [0.9852216748768473, 0.32163376045133824],
                           [133.33333333333354, 2.0], [13.793103448275863, 0.20689655172413762]])


@pytest.mark.parametrize("formula, expected", [
    # formulas test.xlsx STATISTICAL row 58, 59: any value that is not a number is #VALUE!, even an error
    ("=LINEST({1,2,3},{1,#N/A,3})", VALUE), ('=LINEST({1,"a",3})', VALUE), ("=LINEST({1,2,3},{1,2,3},#N/A)", VALUE),
    ("=LINEST({1,2,3},{1,2})", REF), ("=LOGEST({1,0,3})", NUM), ("=GROWTH({1,-2,3})", NUM),
    # row 113: new_x must have one column per regressor when they are columns
    ("=TREND({2;3;4;21;2},{2,1;2,2;5,3;2,4;4,1},{1;2})", REF),
    ("=TREND({1,2,3},{1,2,3},{4,\"x\"})", VALUE),
])
def test_argument_errors(formula, expected):
    got = evaluate({}, formula)
    assert (got if not isinstance(got, list) else got[0][0]) == expected


def test_an_exact_line_is_exact():
    assert evaluate({"A1": 1, "A2": 2}, "=TREND(A1:A2)") == [[1.0], [2.0]]
    assert evaluate({}, "=TREND({1,9,5,7},{0,4,2,3},{5,6})") == _approx([[11.0, 13.0]])


def test_a_dropped_regressor_gives_its_degree_of_freedom_back():
    # Microsoft's LINEST page: a regressor collinear with others has coefficient and standard error 0
    # and each one dropped adds 1 to df; the rest equals the fit without it
    dropped = evaluate({}, "=LINEST({1;3;4;7},{1,2;2,4;3,6;4,8},TRUE,TRUE)")
    alone = evaluate({}, "=LINEST({1;3;4;7},{1;2;3;4},TRUE,TRUE)")
    assert [r[0] for r in dropped[:2]] == [0.0, 0.0]
    assert [r[1:] for r in dropped[:2]] == _approx(alone[:2])
    assert [r[:2] for r in dropped[2:]] == _approx(alone[2:])


def test_as_many_coefficients_as_points_leaves_no_residual():
    # pycel stats.xlsx LinestArrayExp!F21:H25: both regressors constant, so dropped, and n = k + 1
    got = evaluate({"A1": 1, "A2": 2, "A3": 3, "B1": 2, "B2": 2, "B3": 2, "C1": 3, "C2": 3, "C3": 3},
                   "=LINEST(A1:A3,B1:C3,,TRUE)")
    assert got == [[0.0, 0.0, 2.0], [0.0, 0.0, 0.0], [1.0, 0.0, NA], [NUM, 0.0, NA], [2.0, 0.0, NA]]
