"""Statistical distributions (``xl_kpi/recalc/functions/distributions.py``) against Excel's values.

Sources: Microsoft's documented examples (the support.microsoft.com page "<NAME> function" of
each function, results as the page shows them, to its digits) and every cell of the rows of
vinci1it2000/formulas test.xlsx (sheets STATISTICAL and COMPATIBILITY) that call them, read at
test time from the corpus and recalculated (skipped when the corpus is absent).
"""

from __future__ import annotations

import re

import pytest
from test_recalc_support import make_book, values

from xl_kpi.excel_errors import DIV0, NA, NUM, VALUE, ExcelError
from xl_kpi.recalc import evaluate, recalculate

MICROSOFT_EXAMPLES = [
    # (formula, the result as the function's page shows it)
    ("=BETA.DIST(2,8,10,TRUE,1,3)", 0.6854706), ("=BETA.DIST(2,8,10,FALSE,1,3)", 1.4837646),
    ("=BETA.INV(0.685470581,8,10,1,3)", 2), ("=BETADIST(2,8,10,1,3)", 0.685470581),
    ("=BETAINV(0.685470581,8,10,1,3)", 2),
    ("=BINOM.DIST(6,10,0.5,FALSE)", 0.2050781), ("=BINOMDIST(6,10,0.5,FALSE)", 0.2050781),
    ("=BINOM.DIST.RANGE(60,0.75,48)", 0.084), ("=BINOM.DIST.RANGE(60,0.75,45,50)", 0.524),
    ("=BINOM.INV(6,0.5,0.75)", 4), ("=CRITBINOM(6,0.5,0.75)", 4),
    ("=CHISQ.DIST(0.5,1,TRUE)", 0.52049988), ("=CHISQ.DIST(2,3,FALSE)", 0.20755375),
    ("=CHISQ.DIST.RT(18.307,10)", 0.0500006), ("=CHIDIST(18.307,10)", 0.050001),
    ("=CHISQ.INV(0.93,1)", 3.283020286), ("=CHISQ.INV(0.6,2)", 1.832581464),
    ("=CHISQ.INV.RT(0.050001,10)", 18.306973), ("=CHIINV(0.050001,10)", 18.30697346),
    ("=CHISQ.TEST({58,35;11,25;10,23},{45.35,47.65;17.56,18.44;16.09,16.91})", 0.0003082),
    ("=CHITEST({58,35;11,25;10,23},{45.35,47.65;17.56,18.44;16.09,16.91})", 0.0003082),
    ("=CONFIDENCE.NORM(0.05,2.5,50)", 0.692952), ("=CONFIDENCE(0.05,2.5,50)", 0.692951912),
    ("=CONFIDENCE.T(0.05,1,50)", 0.284196855),
    ("=EXPON.DIST(0.2,10,TRUE)", 0.86466472), ("=EXPON.DIST(0.2,10,FALSE)", 1.35335283),
    ("=EXPONDIST(0.2,10,TRUE)", 0.86466472),
    ("=F.DIST(15.2069,6,4,TRUE)", 0.99), ("=F.DIST(15.2069,6,4,FALSE)", 0.0012238),
    ("=F.DIST.RT(15.207,6,4)", 0.01), ("=FDIST(15.207,6,4)", 0.01),
    ("=F.INV(0.01,6,4)", 0.10930991), ("=F.INV.RT(0.01,6,4)", 15.20686), ("=FINV(0.01,6,4)", 15.206865),
    ("=F.TEST({6,7,9,15,21},{20,28,31,38,40})", 0.648318), ("=FTEST({6,7,9,15,21},{20,28,31,38,40})", 0.648318),
    ("=FISHER(0.75)", 0.9729551), ("=FISHERINV(0.972955)", 0.75),
    ("=GAMMA(2.5)", 1.329), ("=GAMMA(-3.75)", 0.268), ("=GAMMA(0)", NUM), ("=GAMMA(-2)", NUM),
    ("=GAMMA.DIST(10.00001131,9,2,FALSE)", 0.032639), ("=GAMMA.DIST(10.00001131,9,2,TRUE)", 0.068094),
    ("=GAMMADIST(10.00001131,9,2,TRUE)", 0.068094),
    ("=GAMMA.INV(0.068094,9,2)", 10.0000112), ("=GAMMAINV(0.068094,9,2)", 10.0000112),
    ("=GAMMALN(4)", 1.791759), ("=GAMMALN.PRECISE(4)", 1.791759), ("=GAUSS(2)", 0.47725),
    ("=HYPGEOM.DIST(1,4,8,20,TRUE)", 0.4654), ("=HYPGEOM.DIST(1,4,8,20,FALSE)", 0.3633),
    ("=HYPGEOMDIST(1,4,8,20)", 0.3632611),
    ("=LOGNORM.DIST(4,3.5,1.2,TRUE)", 0.0390836), ("=LOGNORM.DIST(4,3.5,1.2,FALSE)", 0.0176176),
    ("=LOGNORMDIST(4,3.5,1.2)", 0.0390836),
    ("=LOGNORM.INV(0.039084,3.5,1.2)", 4.0000252), ("=LOGINV(0.039084,3.5,1.2)", 4.0000252),
    ("=NEGBINOM.DIST(10,5,0.25,TRUE)", 0.3135141), ("=NEGBINOM.DIST(10,5,0.25,FALSE)", 0.0550487),
    ("=NEGBINOMDIST(10,5,0.25)", 0.05504866),
    ("=NORM.DIST(42,40,1.5,TRUE)", 0.9087888), ("=NORM.DIST(42,40,1.5,FALSE)", 0.10934),
    ("=NORMDIST(42,40,1.5,TRUE)", 0.9087888), ("=NORM.INV(0.908789,40,1.5)", 42.000002),
    ("=NORMINV(0.908789,40,1.5)", 42.000002),
    ("=NORM.S.DIST(1.333333,TRUE)", 0.908788726), ("=NORM.S.DIST(1.333333,FALSE)", 0.164010148),
    ("=NORMSDIST(1.333333)", 0.908788726), ("=NORM.S.INV(0.908789)", 1.3333), ("=NORMSINV(0.908789)", 1.3333),
    ("=PERMUTATIONA(3,2)", 9), ("=PERMUTATIONA(2,2)", 4), ("=PHI(0.75)", 0.301137432),
    ("=POISSON.DIST(2,5,TRUE)", 0.124652), ("=POISSON.DIST(2,5,FALSE)", 0.084224),
    ("=POISSON(2,5,TRUE)", 0.124652),
    ("=T.DIST(60,1,TRUE)", 0.99469533), ("=T.DIST(8,3,FALSE)", 0.00073691),
    ("=T.DIST.2T(1.959999998,60)", 0.054645), ("=T.DIST.RT(1.959999998,60)", 0.027322),
    ("=TDIST(1.959999998,60,2)", 0.05464493), ("=TDIST(1.959999998,60,1)", 0.027322465),
    ("=T.INV(0.75,2)", 0.8164966), ("=T.INV.2T(0.546449,60)", 0.606533), ("=TINV(0.05464,60)", 1.96),
    ("=WEIBULL.DIST(105,20,100,TRUE)", 0.929581), ("=WEIBULL.DIST(105,20,100,FALSE)", 0.035589),
    ("=WEIBULL(105,20,100,TRUE)", 0.929581),
    ("=Z.TEST({3,6,7,8,6,5,4,2,1,9},4)", 0.090574), ("=Z.TEST({3,6,7,8,6,5,4,2,1,9},6)", 0.863043),
    ("=ZTEST({3,6,7,8,6,5,4,2,1,9},4)", 0.090574),
]


@pytest.mark.parametrize("formula, shown", MICROSOFT_EXAMPLES)
def test_microsoft_examples(formula, shown):
    got = evaluate({}, formula)
    if isinstance(shown, (int, float)):
        # to one unit of the last digit shown (the pages round some results and truncate others)
        places = len(repr(float(shown)).split(".")[1]) if float(shown) != int(shown) else 6
        assert got == pytest.approx(shown, abs=10 ** -places)
    else:
        assert got == shown


@pytest.mark.parametrize("formula, expected", [
    # an omitted argument is 0 (formulas test.xlsx STATISTICAL R10, R85, R8, R72)
    ("=BINOM.DIST(0,,,)", 1.0), ("=POISSON.DIST(0,,)", 1.0), ("=BETA.DIST(0,,,)", NUM),
    ("=NEGBINOM.DIST(0,,,)", NUM), ("=HYPGEOM.DIST(0,,,,)", 1.0),
    # the cumulative flag is a logical: TRUE/FALSE text read, a number TRUE unless 0, other text #VALUE!
    ('=NORM.S.DIST(1,"TRUE")', pytest.approx(0.8413447460685429)), ('=NORM.S.DIST(1,"1")', VALUE),
    ("=BINOM.DIST(0.7,1,0.3,5)", pytest.approx(0.7)), ('=LOGNORM.DIST(3,-1,2,"TRUE")', pytest.approx(0.8529813805, rel=1e-9)),
    # text that is not a number is #VALUE!, before any domain check (CONFIDENCE.NORM's size "TRUE")
    ('=BETA.DIST("a",2,3,TRUE)', VALUE), ('=CONFIDENCE.NORM(0.4,-1,"TRUE")', VALUE),
    # errors propagate in argument order
    ("=NORM.DIST(1/0,NA(),1,TRUE)", DIV0), ("=BETA.DIST(0.5,2,3,NA())", NA), ("=T.INV(NA(),0)", NA),
    # counts are truncated
    ("=BINOM.DIST(6.9,10.2,0.5,FALSE)", pytest.approx(0.2050781249999999, rel=1e-12)),
    ("=PERMUTATIONA(2.3,10.9)", 1024.0), ("=POISSON.DIST(2.9,5,FALSE)", pytest.approx(0.084224337488568)),
    # domains: #NUM! outside, #DIV/0! where Excel divides by zero (STATISTICAL R102, V19)
    ("=BETA.INV(1,2,3)", NUM), ("=BINOM.DIST(4,3,0.5,TRUE)", NUM), ("=BINOM.DIST.RANGE(60,0.75,50,45)", NUM),
    ("=CHISQ.DIST(1,0,TRUE)", NUM), ("=CHISQ.INV(1,3)", NUM), ("=CHISQ.INV(0,3)", 0.0), ("=CHISQ.INV.RT(0,3)", NUM),
    ("=F.INV(0,3,2)", 0.0), ("=F.INV.RT(0,3,33)", NUM), ("=FISHER(1)", NUM), ("=LOGNORM.DIST(0,1,1,TRUE)", NUM),
    ("=NORM.DIST(1,0,0,TRUE)", NUM), ("=NORM.S.INV(0)", NUM), ("=T.DIST(0,0,FALSE)", DIV0),
    ("=T.DIST(0,0,TRUE)", NUM), ("=T.DIST.2T(-1,3)", NUM), ("=TDIST(1,3,3)", NUM), ("=T.INV(0,3)", NUM),
    ("=CONFIDENCE.T(0.9,7,1)", DIV0), ("=CONFIDENCE.T(1,7,1)", NUM), ("=WEIBULL.DIST(-0.1,1,2,FALSE)", NUM),
    ("=NEGBINOM.DIST(1,60,0,TRUE)", NUM), ("=GAMMA(172)", NUM), ("=GAMMALN(0)", NUM), ("=PERMUTATIONA(-1,2)", NUM),
    # HYPGEOM.DIST: the cumulative distribution is 1 above the largest possible count (STATISTICAL AI54)
    ("=HYPGEOM.DIST(5,3,2,30,TRUE)", 1.0), ("=HYPGEOM.DIST(5,3,2,30,FALSE)", NUM), ("=HYPGEOM.DIST(4,3,7,4,TRUE)", NUM),
    # the tests: sizes that differ #N/A, one degree of freedom fewer than needed #N/A, no spread #DIV/0!
    ("=CHISQ.TEST({1,2},{1,2,3})", NA), ("=CHISQ.TEST(1,2)", NA), ("=F.TEST({1,2},{3,3})", DIV0),
    ("=Z.TEST({1},0)", DIV0), ("=Z.TEST({1,2},0,0)", NUM), ("=Z.TEST({1,2},NA(),1/0)", NA),
])
def test_excel_argument_rules(formula, expected):
    assert evaluate({}, formula) == expected


def test_the_two_array_tests_pass_over_a_null_error():
    # formulas test.xlsx STATISTICAL AD17, AD34: #NULL!, #NUM! | #REF!, 1 gives #NUM!
    cells = {"A1": ExcelError("#NULL!"), "B1": NUM, "C1": ExcelError("#REF!"), "D1": 1.0}
    assert evaluate(cells, "=CHISQ.TEST(A1:B1,C1:D1)") == NUM
    assert evaluate(cells, "=F.TEST(A1:B1,C1:D1)") == NUM
    assert evaluate(cells, "=F.TEST(C1:D1,A1:B1)") == ExcelError("#REF!")
    assert evaluate({**cells, "B1": 2.0, "C1": 3.0}, "=F.TEST(A1:B1,C1:D1)") == ExcelError("#NULL!")




@pytest.mark.parametrize("inverse, distribution", [
    ("NORM.INV({p},40,1.5)", "NORM.DIST({x},40,1.5,TRUE)"), ("NORM.S.INV({p})", "NORM.S.DIST({x},TRUE)"),
    ("LOGNORM.INV({p},3.5,1.2)", "LOGNORM.DIST({x},3.5,1.2,TRUE)"), ("T.INV({p},7)", "T.DIST({x},7,TRUE)"),
    ("T.INV.2T({p},7)", "T.DIST.2T({x},7)"), ("CHISQ.INV({p},4)", "CHISQ.DIST({x},4,TRUE)"),
    ("CHISQ.INV.RT({p},4)", "CHISQ.DIST.RT({x},4)"), ("F.INV({p},6,4)", "F.DIST({x},6,4,TRUE)"),
    ("F.INV.RT({p},6,4)", "F.DIST.RT({x},6,4)"), ("BETA.INV({p},8,10,1,3)", "BETA.DIST({x},8,10,TRUE,1,3)"),
    ("GAMMA.INV({p},9,2)", "GAMMA.DIST({x},9,2,TRUE)"), ("FISHERINV({p})", "FISHER({x})"),
])
@pytest.mark.parametrize("p", [1e-6, 0.05, 0.5, 0.93, 0.999])
def test_each_inverse_undoes_its_distribution(inverse, distribution, p):
    x = evaluate({}, "=" + inverse.format(p=p))
    assert evaluate({}, "=" + distribution.format(x=repr(x))) == pytest.approx(p, rel=1e-9)


def test_binom_inv_is_the_least_count_reaching_alpha():
    for alpha in (0.01, 0.3, 0.75, 0.99):
        k = evaluate({}, f"=BINOM.INV(20,0.3,{alpha})")
        assert evaluate({}, f"=BINOM.DIST({k},20,0.3,TRUE)") >= alpha > evaluate({}, f"=BINOM.DIST({k - 1},20,0.3,TRUE)")


def test_date_text_and_logicals_read_as_numbers():
    # formulas test.xlsx STATISTICAL X44, AN47, Y49, X73: day-first date text as that Excel read it
    cells = {"A1": "13/01/1900", "A2": "29/02/1900", "A3": True}
    assert evaluate(cells, "=GAMMA(A1)") == pytest.approx(479001600.0, rel=1e-12)
    assert evaluate(cells, "=GAMMALN(A2)") == pytest.approx(184.53382886144948, rel=1e-12)
    assert evaluate(cells, "=GAUSS(A3)") == pytest.approx(0.3413447460685429, rel=1e-12)
    assert evaluate(cells, "=NORM.DIST(A2,,A2,1)") == pytest.approx(0.841344746068543, rel=1e-12)


def test_the_tests_skip_text_logicals_and_blanks_in_ranges():
    cells = {"A1": 2, "A2": 4, "A3": None, "A4": "x", "B1": True}
    # formulas test.xlsx STATISTICAL W121: mean 3, s = sqrt(2), n = 2, z = 2
    assert evaluate(cells, "=Z.TEST(A1:A4,B1)") == pytest.approx(0.022750131948179191, rel=1e-12)
    assert evaluate({**cells, "A2": NA}, "=Z.TEST(A1:A4,B1)") == NA
    # STATISTICAL T17: the pair with a blank expected value is skipped, the degrees kept
    row = {"A1": 0.7, "B1": 2, "C1": 4, "D1": None}
    assert evaluate(row, "=CHISQ.TEST(A1:B1,C1:D1)") == pytest.approx(0.098942936067296192, rel=1e-12)


def test_filled_down_distribution_gives_each_row_its_own_value(tmp_path):
    cells = {}
    for r, x in enumerate([0.5, "x", None, True, 2, NA], start=1):
        cells[f"A{r}"] = x
        cells[f"B{r}"] = f"=NORM.DIST(A{r},0,1,TRUE)"
        cells[f"C{r}"] = f"=BINOM.DIST(A{r},3,0.4,FALSE)"
    src = make_book(tmp_path / "in.xlsx", {"S": cells})
    assert recalculate(src, tmp_path / "out.xlsx").ok
    got = values(tmp_path / "out.xlsx")["S"]
    assert got["B1"] == pytest.approx(0.6914624612740131, rel=1e-12) and got["B2"] == "#VALUE!"
    assert got["B3"] == pytest.approx(0.5) and got["B4"] == pytest.approx(0.8413447460685429, rel=1e-12)
    assert got["B6"] == "#N/A"
    assert got["C1"] == pytest.approx(0.216, rel=1e-12)  # 0.5 truncated to 0
    assert got["C5"] == pytest.approx(0.288, rel=1e-12) and got["C2"] == "#VALUE!"


def test_an_array_formula_computes_element_by_element(tmp_path):
    cells = {"A1": 0, "B1": 5, "C1": 0.7, "D1": None, "E1": True}
    src = make_book(tmp_path / "in.xlsx", {"S": cells}, arrays={"S!A2": ("A2:E2", "=BETA.DIST(A1:E1,3,4,TRUE)")})
    assert recalculate(src, tmp_path / "out.xlsx").ok
    got = values(tmp_path / "out.xlsx")["S"]
    # formulas test.xlsx STATISTICAL AH8:AO8
    assert [got.get(c + "2") for c in "ABCDE"] == [0, "#NUM!", pytest.approx(0.92953, rel=1e-12), 0, 1]


def test_importing_the_engine_does_not_load_scipy():
    import subprocess
    import sys

    code = "import sys, xl_kpi.recalc; print('scipy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"


# ---------------------------------------------------------------------------------------------
# the corpus: every cell of the rows that call these functions agrees with Excel

FUNCTIONS = {
    "STATISTICAL": ["BETA.DIST", "BETA.INV", "BINOM.DIST", "BINOM.DIST.RANGE", "BINOM.INV", "CHISQ.DIST",
                    "CHISQ.DIST.RT", "CHISQ.INV", "CHISQ.INV.RT", "CHISQ.TEST", "CONFIDENCE.NORM", "CONFIDENCE.T",
                    "EXPON.DIST", "F.DIST", "F.DIST.RT", "F.INV", "F.INV.RT", "F.TEST", "FISHER", "FISHERINV",
                    "GAMMA", "GAMMA.DIST", "GAMMA.INV", "GAMMALN", "GAMMALN.PRECISE", "GAUSS", "HYPGEOM.DIST",
                    "LOGNORM.DIST", "LOGNORM.INV", "NEGBINOM.DIST", "NORM.DIST", "NORM.S.DIST", "NORM.S.INV",
                    "NORMINV", "PERMUTATIONA", "PHI", "POISSON.DIST", "T.DIST", "T.DIST.2T", "T.DIST.RT", "T.INV",
                    "T.INV.2T", "WEIBULL.DIST", "Z.TEST"],
    "COMPATIBILITY": ["NORM.INV", "NORMDIST", "NORMSDIST", "NORMSINV"],
}


@pytest.fixture(scope="module")
def corpus_cells():
    """(formula cells, Excel's values, ours) of formulas' test.xlsx, recalculated once per session."""
    from corpus import recalculated

    return recalculated("vinci1it2000__formulas/test.xlsx")


@pytest.mark.parametrize("sheet, name", [(s, n) for s, names in FUNCTIONS.items() for n in names])
def test_corpus_row_agrees_with_excel(corpus_cells, sheet, name):
    from corpus import agree

    formulas, excel, ours = corpus_cells
    rows = [k[1] for k, v in excel.items() if k[0] == sheet and k[2] == 1 and v == ("s", name)]
    assert rows, f"no row {name} on {sheet}"
    cells = [k for k in formulas if k[0] == sheet and k[1] in rows]
    assert len(cells) >= 15
    wrong = {}
    for k in cells:
        if not agree(excel.get(k), ours.get(k)):
            wrong[formulas[k].address] = (re.sub(r"^_xlfn\.", "", formulas[k].formula), excel.get(k), ours.get(k))
    assert not wrong
