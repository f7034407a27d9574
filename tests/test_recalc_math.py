"""Maths & trig functions against Excel's values: Microsoft's documented examples (the
support.microsoft.com page of each function) and the cells of the formulas project's test
workbook (sheets MATH & TRIG, CORE, EXTRA; saved by Excel 16)."""

import math

import openpyxl
import pytest
from test_recalc_support import make_book, values

from xl_kpi.excel_errors import DIV0, NA, NUM, VALUE, ExcelError
from xl_kpi.recalc import evaluate, recalculate

from corpus import sheet_disagreements


@pytest.mark.parametrize("formula, expected", [
    ("=SIN(PI())", 0.0), ("=SIN(PI()/2)", 1.0), ("=SIN(30*PI()/180)", 0.5), ("=SIN(RADIANS(30))", 0.5),
    ("=COS(1.047)", 0.500171075), ("=COS(RADIANS(60))", 0.5), ("=TAN(0.785)", 0.99920399), ("=TAN(RADIANS(45))", 1.0),
    ("=ASIN(-0.5)", -0.523598776), ("=DEGREES(ASIN(-0.5))", -30.0), ("=ASIN(2)", NUM), ("=ACOS(-0.5)", 2.094395102),
    ("=ATAN(1)", 0.785398163), ("=ATAN2(1,1)", 0.785398163), ("=ATAN2(-1,-1)", -2.35619449), ("=ATAN2(0,0)", DIV0),
    ("=SINH(1)", 1.175201194), ("=COSH(4)", 27.30823284), ("=TANH(-2)", -0.96402758), ("=ASINH(-2.5)", -1.647231146),
    ("=ACOSH(1)", 0.0), ("=ACOSH(0.5)", NUM), ("=ATANH(0.76159416)", 1.00000001), ("=ATANH(1)", NUM),
    ("=COT(30)", -0.156119952), ("=COT(0)", DIV0), ("=CSC(15)", 1.537780562), ("=SEC(45)", 1.903594407),
    ("=DEGREES(PI())", 180.0), ("=SQRTPI(1)", 1.772453851), ("=SQRTPI(-1)", NUM),
    ("=EVEN(1.5)", 2.0), ("=EVEN(3)", 4.0), ("=EVEN(-1)", -2.0), ("=ODD(1.5)", 3.0), ("=ODD(2)", 3.0), ("=ODD(-1)", -1.0),
    ("=FACT(5)", 120.0), ("=FACT(1.9)", 1.0), ("=FACT(0)", 1.0), ("=FACT(-1)", NUM),
    ("=QUOTIENT(5,2)", 2.0), ("=QUOTIENT(-10,3)", -3.0), ("=QUOTIENT(1,0)", DIV0),
    ("=MROUND(10,3)", 9.0), ("=MROUND(-10,-3)", -9.0), ("=MROUND(1.3,0.2)", 1.4), ("=MROUND(5,-2)", NUM),
    ("=SIN(\"x\")", VALUE), ("=SIN(TRUE)", math.sin(1)),
    ("=CEILING.MATH(24.3,5)", 25.0), ("=CEILING.MATH(6.7)", 7.0), ("=CEILING.MATH(-8.1,2)", -8.0),
    ("=CEILING.MATH(-5.5,2,-1)", -6.0), ("=FLOOR.MATH(24.3,5)", 20.0), ("=FLOOR.MATH(6.7)", 6.0),
    ("=FLOOR.MATH(-8.1,2)", -10.0), ("=FLOOR.MATH(-5.5,2,-1)", -4.0),
])
def test_microsoft_examples(formula, expected):
    got = evaluate({}, formula)
    assert got == (pytest.approx(expected, abs=5e-9) if isinstance(expected, float) else expected)


@pytest.mark.parametrize("formula, expected", [
    ("=GCD(5,2)", 1.0), ("=GCD(24,36)", 12.0), ("=GCD(-1,2)", NUM), ("=LCM(24,36)", 72.0), ("=LCM(5,2)", 10.0),
    ("=COMBIN(8,2)", 28.0), ("=COMBIN(2,3)", NUM), ("=PERMUT(100,3)", 970200.0), ("=PERMUT(3,2)", 6.0),
    ("=SUBTOTAL(9,{1,2,3})", 6.0), ("=SUBTOTAL(109,{1,2,3})", 6.0), ("=SUBTOTAL(1,{1,2,3})", 2.0),
    ("=SUBTOTAL(12,{1,2,3})", VALUE), ("=RANDBETWEEN(3,3)", 3.0), ("=RANDBETWEEN(3,2)", NUM),
])
def test_combinatorics_and_subtotal(formula, expected):
    assert evaluate({}, formula) == expected


def test_rand_is_in_the_unit_interval():
    x = evaluate({}, "=RAND()")
    assert 0 <= x < 1


@pytest.mark.parametrize("formula, expected", [
    # Microsoft's examples (ACOT, ACOTH, ARABIC, ROMAN, DECIMAL, BASE, CEILING.PRECISE, ISO.CEILING,
    # FLOOR.PRECISE, FACTDOUBLE, SQRTPI, GCD, LCM pages)
    ("=ACOT(2)", 0.463647609), ("=ACOTH(6)", 0.168236118), ('=ARABIC("LVII")', 57.0),
    ('=ARABIC("mcmxii")', 1912.0), ('=ARABIC("-MMXI")', -2011.0), ('=ARABIC(" XIV ")', 14.0),
    ("=ROMAN(499,0)", "CDXCIX"), ("=ROMAN(499,1)", "LDVLIV"), ("=ROMAN(499,2)", "XDIX"), ("=ROMAN(499,3)", "VDIV"),
    ("=ROMAN(499,4)", "ID"), ("=ROMAN(2013,0)", "MMXIII"), ("=ROMAN(499,TRUE)", "CDXCIX"),
    ("=ROMAN(499,FALSE)", "ID"),
    ('=DECIMAL("FF",16)', 255.0), ("=DECIMAL(111,2)", 7.0), ('=DECIMAL("zap",36)', 45745.0),
    ("=BASE(7,2)", "111"), ("=BASE(100,16)", "64"), ("=BASE(15,2,10)", "0000001111"),
    # ECMA.CEILING: ECMA-376 1st edition's CEILING (Excel 2007's): away from zero, #NUM! for signs apart
    ("=ECMA.CEILING(4.42,0.05)", 4.45), ("=ECMA.CEILING(2.5,1)", 3.0), ("=ECMA.CEILING(-2.5,-2)", -4.0),
    ("=ECMA.CEILING(-2.5,2)", NUM), ("=ECMA.CEILING(2.5,-2)", NUM), ("=ECMA.CEILING(2.5,0)", 0.0),
    ('=ECMA.CEILING("a",1)', VALUE), ("=ECMA.CEILING(1/0,1)", DIV0), ("=ECMA.CEILING(A9,1)", 0.0),
    ("=CEILING.PRECISE(4.3)", 5.0), ("=CEILING.PRECISE(-4.3)", -4.0), ("=CEILING.PRECISE(4.3,2)", 6.0),
    ("=CEILING.PRECISE(4.3,-2)", 6.0), ("=CEILING.PRECISE(-4.3,2)", -4.0), ("=CEILING.PRECISE(-4.3,-2)", -4.0),
    ("=ISO.CEILING(4.3)", 5.0), ("=ISO.CEILING(-4.3)", -4.0), ("=ISO.CEILING(4.3,2)", 6.0),
    ("=ISO.CEILING(-4.3,-2)", -4.0),
    ("=FLOOR.PRECISE(-3.2,-1)", -4.0), ("=FLOOR.PRECISE(3.2)", 3.0), ("=FLOOR.PRECISE(-3.2,1)", -4.0),
    ("=FLOOR.PRECISE(3.2,-1)", 3.0),
    ("=FACTDOUBLE(6)", 48.0), ("=FACTDOUBLE(7)", 105.0), ("=SQRTPI(2)", 2.506628275),
    ("=GCD(5,2)", 1.0), ("=GCD(24,36)", 12.0), ("=GCD(7,1)", 1.0), ("=GCD(5,0)", 5.0), ("=LCM(5,2)", 10.0),
    ("=LCM(24,36)", 72.0),
])
def test_more_microsoft_examples(formula, expected):
    got = evaluate({}, formula)
    assert got == (pytest.approx(expected, abs=5e-9) if isinstance(expected, float) else expected)


@pytest.mark.parametrize("formula, expected", [
    # cells of Excel (formulas test workbook, MATH & TRIG and EXTRA)
    ("=ACOT(-1)", 2.356194490192345), ("=ACOT(A1)", 1.5707963267948966), ("=ACOT(TRUE)", 0.7853981633974483),
    ("=ACOTH(1)", NUM), ("=ACOTH(0)", NUM), ('=ACOT("ciao")', VALUE),
    ("=ARABIC(0)", VALUE), ('=ARABIC("IL")', 49.0), ('=ARABIC("IIIIIIV")', -1.0), ('=ARABIC("IILmIIC")', 1046.0),
    ('=ARABIC("Vh")', VALUE), ("=ARABIC(A1)", 0.0), ("=ARABIC(TRUE)", VALUE),
    ("=ROMAN(999.9)", "CMXCIX"), ("=ROMAN(999.9,1.9)", "LMVLIV"), ("=ROMAN(999.9,2)", "XMIX"),
    ("=ROMAN(999.9,3)", "VMIV"), ("=ROMAN(999.9,4)", "IM"), ("=ROMAN(999.9,A1)", "CMXCIX"),
    ('=ROMAN(999.9,"ciao")', VALUE), ("=ROMAN(0)", ""), ("=ROMAN(TRUE)", "I"), ("=ROMAN(4000)", VALUE),
    ("=ROMAN(-1)", VALUE), ("=ROMAN(1,5)", VALUE),
    ('=DECIMAL("FF",16.6)', 255.0), ('=DECIMAL("FF",15)', NUM), ("=DECIMAL(111,2.5)", 7.0),
    ('=DECIMAL("FF",100)', NUM), ("=DECIMAL(113,2)", NUM), ('=DECIMAL("FF",A1)', NUM),
    ('=DECIMAL("FF","ciao")', VALUE), ('=DECIMAL("FF",TRUE)', NUM),
    ("=CEILING.PRECISE(-8.1,3)", -6.0), ("=CEILING.PRECISE(-5.5,-1)", -5.0), ("=CEILING.PRECISE(-0.6,2)", 0.0),
    ("=CEILING.PRECISE(TRUE)", 1.0), ("=ISO.CEILING(-255.5,-2.2)", -255.20000000000002),
    ("=ISO.CEILING(0.234,0.01)", 0.24), ("=ISO.CEILING(5,0)", 0.0), ("=FLOOR.PRECISE(-0.6,2)", -2.0),
    ('=FACTDOUBLE("2.3")', 2.0), ("=FACTDOUBLE(-1)", 1.0), ("=FACTDOUBLE(-1.1)", NUM), ("=FACTDOUBLE(A1)", 1.0),
    ("=FACTDOUBLE(TRUE)", VALUE), ("=FACTDOUBLE(300)", pytest.approx(8.154414069380594e307, rel=1e-12)),
    ("=FACTDOUBLE(301)", NUM), ("=FACTDOUBLE(400)", NUM),
    ('=MROUND(2.55,"1.4")', 2.8), ("=MROUND(-2.55,1)", NUM), ("=MROUND(A1,-2)", 0.0), ("=MROUND(TRUE,0)", VALUE),
    ("=SQRTPI(TRUE)", VALUE), ("=SQRTPI(-1)", NUM),
    ("=GCD(A1)", VALUE), ("=GCD(-0.4,TRUE)", VALUE), ("=GCD(-0.4)", NUM), ('=GCD("ciao")', VALUE),
    ("=GCD(0,63,15.7)", 3.0), ("=LCM(15.7,63)", 315.0), ("=LCM(0,63,15.7)", 0.0), ("=LCM(A1)", VALUE),
    ("=GCD(2^53)", NUM), ("=GCD(NA(),TRUE)", NA), ("=RANDBETWEEN(-3,TRUE)", VALUE), ("=RANDBETWEEN(A1,A1)", 0.0),
    ("=TRUNC(-0.39999999999999947,1)", -0.3), ("=ROUNDDOWN(4.35,2)", 4.35), ("=ROUND(1.005,2)", 1.01),
    ("=ROUND(2.675,2)", 2.68), ("=ROUNDUP(1.1,1)", 1.1),
])
def test_maths_cells_of_excel(formula, expected):
    assert evaluate({}, formula) == expected


def test_gcd_and_lcm_take_ranges_and_skip_their_blanks():
    cells = {"A1": 0, "A2": 5.7, "A3": 15.7, "A4": 63, "B1": None, "B2": 10}
    assert evaluate(cells, "=GCD(A1:A4)") == 1.0
    assert evaluate(cells, "=LCM(A2:A3,B1:B2)") == 30.0


@pytest.mark.parametrize("formula, expected", [
    # SUM(subset)/SUM(all); then Excel's cells (MATH & TRIG row 49): text and logicals in ranges
    # are skipped, an error value is #NUM!
    ("=PERCENTOF({10,20},{10,20,70})", 0.3), ("=PERCENTOF({0,2,2.3},{2,2.3,-0.2,-2})", 2.047619047619048),
    ("=PERCENTOF({1},{0})", DIV0), ('=PERCENTOF({1,"a",TRUE},{2,4})', 1 / 6), ("=PERCENTOF({1,#N/A},{2})", NUM),
])
def test_percentof(formula, expected):
    got = evaluate({}, formula)
    assert got == (pytest.approx(expected, rel=1e-12) if isinstance(expected, float) else expected)


@pytest.mark.parametrize("formula, expected", [
    # Microsoft's examples (MDETERM, MINVERSE, MMULT, MUNIT pages)
    ("=MDETERM({3,6,1;1,1,0;3,10,2})", 1.0), ("=MDETERM({3,6;1,1})", -3.0),
    ("=MDETERM({1,3,8,5;1,3,6,1;1,1,1,0;7,3,10,2})", 88.0), ("=MDETERM({1,3,8,5;1,3,6,1})", VALUE),
    ("=INDEX(MINVERSE({4,-1;2,0}),1,2)", 0.5), ("=INDEX(MINVERSE({4,-1;2,0}),2,1)", -1.0),
    ("=INDEX(MINVERSE({4,-1;2,0}),2,2)", 2.0), ("=SUM(MINVERSE({1,1;1,1}))", NUM),
    ("=MINVERSE({1,3,8,5;1,3,6,1})", VALUE), ("=SUM(MINVERSE({1,2,-1;3,4,-1;0,2,0}))", -0.5),
    ("=INDEX(MMULT({1,3;7,2},{2,0;0,2}),2,1)", 14.0), ("=SUM(MMULT({1,3;7,2},{2,0;0,2}))", 26.0),
    ("=MMULT({1,2;3,4},{1,2})", VALUE), ("=SUM(MUNIT(3))", 3.0), ("=INDEX(MUNIT(3),2,2)", 1.0),
    ("=INDEX(MUNIT(3),1,2)", 0.0),
    # cells of Excel (formulas test workbook, MATH & TRIG and CORE)
    ("=MUNIT(0)", VALUE), ("=ROWS(MUNIT(2.3))", 2.0), ("=MUNIT(-0.2)", VALUE), ("=MUNIT(TRUE)", 1.0),
    ("=SUM(MUNIT({1,2;3,4;7,8}))", 6.0), ("=SUM(MUNIT({1,#NUM!;3,4;7,8}))", NUM), ('=MUNIT("ciao")', VALUE),
    ("=MDETERM({1,#N/A;1,1})", NA), ("=MMULT({1,TRUE},{1;2})", VALUE), ("=MUNIT(10000)", NUM),
])
def test_matrix_functions(formula, expected):
    got = evaluate({}, formula)
    assert got == (pytest.approx(expected, abs=1e-12) if isinstance(expected, float) else expected)


def test_matrix_functions_read_blanks_as_value_errors():
    cells = {"A1": 1, "B1": 2, "A2": None, "B2": 4}
    for formula in ("=MDETERM(A1:B2)", "=SUM(MINVERSE(A1:B2))", "=SUM(MMULT(A1:B2,A1:B2))"):
        assert evaluate(cells, formula) == VALUE


@pytest.mark.slow
def test_every_maths_cell_of_formulas_test_workbook_equals_excel():
    total, bad = sheet_disagreements("vinci1it2000__formulas/test.xlsx", "MATH & TRIG")
    assert total > 1900 and not bad, bad[:10]


@pytest.mark.slow
def test_matrix_and_trunc_cells_of_formulas_test_workbook_equal_excel():
    for sheet, names in (("CORE", ("MINVERSE", "MUNIT", "MMULT", "MDETERM")), ("EXTRA", ("TRUNC",))):
        _, bad = sheet_disagreements("vinci1it2000__formulas/test.xlsx", sheet)
        mine = [b for b in bad if any(n in b[1].upper() for n in names)]
        assert not mine, mine[:10]


@pytest.mark.parametrize("formula, expected", [
    # Microsoft's examples (MULTINOMIAL, COMBINA, SERIESSUM, SUMX2MY2, SUMX2PY2, SUMXMY2 pages)
    ("=MULTINOMIAL(2,3,4)", 1260.0), ("=COMBINA(4,3)", 20.0), ("=COMBINA(10,3)", 220.0),
    ("=SERIESSUM(PI()/4,0,2,{1,-0.5,0.041666667,-0.001388889})", pytest.approx(0.707103215, abs=1e-9)),
    ("=SUMX2MY2({2,3,9,1,8,7,5},{6,5,11,7,5,4,4})", -55.0), ("=SUMX2PY2({2,3,9,1,8,7,5},{6,5,11,7,5,4,4})", 521.0),
    ("=SUMXMY2({2,3,9,1,8,7,5},{6,5,11,7,5,4,4})", 79.0),
    # their limits
    ("=MULTINOMIAL(-1,2)", NUM), ("=MULTINOMIAL(2000,3000)", NUM), ("=MULTINOMIAL(TRUE,2)", VALUE),
    ("=COMBINA(0,0)", 1.0), ("=COMBINA(2,3)", NUM), ("=COMBINA(-1,0)", NUM),
    ('=SERIESSUM(2,1,1,{1,"a"})', VALUE), ("=SERIESSUM(2,1,1,{1,#N/A})", NA), ("=SERIESSUM(TRUE,1,1,{1})", VALUE),
    ("=SERIESSUM(-1,0.5,1,{1})", NUM),  # a negative x to a fractional power: no real number
    ("=SUMXMY2({1,2},{1,2,3})", NA), ('=SUMXMY2({1,"a"},{3,2})', 4.0), ("=SUMXMY2({1,#DIV/0!},{3,2})", DIV0),
])
def test_multinomial_combina_seriessum_and_sums_of_pairs(formula, expected):
    assert evaluate({}, formula) == expected


@pytest.mark.parametrize("formula, expected", [
    ("=AGGREGATE(9,6,A1:A3)", 4.0), ("=AGGREGATE(9,4,A1:A3)", DIV0), ("=AGGREGATE(9,,A1:A3)", DIV0),
    ("=AGGREGATE(14,6,A1:A3,1)", 3.0), ("=AGGREGATE(15,6,A1:A3/(A1:A3>1),1)", 3.0), ("=AGGREGATE(2,6,A1:A3)", 2.0),
    ("=AGGREGATE(3,4,A1:A3)", 3.0), ("=AGGREGATE(12,7,A1:A3)", 2.0), ("=AGGREGATE(20,0,A1)", VALUE),
    ("=AGGREGATE(9,8,A1)", VALUE), ("=AGGREGATE(14,6,A1:A3)", VALUE),
])
def test_aggregate_leaves_out_errors_when_told(formula, expected):
    assert evaluate({"A1": 1, "A2": ExcelError("#DIV/0!"), "A3": 3}, formula) == expected


def test_aggregate_leaves_out_nested_subtotals_and_hidden_rows_by_option(tmp_path):
    src = make_book(tmp_path / "in.xlsx", {"S": {
        "A1": 1, "A2": 2, "A3": 3, "A4": "=SUBTOTAL(9,A1:A3)", "A5": 10,
        "B1": "=AGGREGATE(9,0,A1:A5)", "B2": "=AGGREGATE(9,4,A1:A5)", "B3": "=AGGREGATE(9,5,A1:A5)",
        "B4": "=AGGREGATE(9,1,A1:A5)", "B5": "=AGGREGATE(4,0,A1:A5)", "B6": "=AGGREGATE(14,1,A1:A5,2)"}})
    wb = openpyxl.load_workbook(src)
    wb["S"].row_dimensions[2].hidden = True
    wb.save(src)
    assert recalculate(src, tmp_path / "out.xlsx").ok
    got = values(tmp_path / "out.xlsx")["S"]
    assert [got[f"B{r}"] for r in range(1, 7)] == [16, 22, 20, 14, 10, 3]


def test_randarray_fills_its_size_between_its_bounds():
    got = evaluate({}, "=RANDARRAY(2,3,5,10,TRUE)")
    assert len(got) == 2 and all(len(row) == 3 for row in got)
    assert all(x in (5, 6, 7, 8, 9, 10) for row in got for x in row)
    assert all(0 <= x < 1 for x in [evaluate({}, "=RANDARRAY()")])
    assert evaluate({}, "=SUM(RANDARRAY(3,3,1,1))") == 9.0


@pytest.mark.parametrize("formula, expected", [
    ("=RANDARRAY(0)", ExcelError("#CALC!")), ("=RANDARRAY(-1)", VALUE), ("=RANDARRAY(1,1,5,1)", VALUE),
    ("=RANDARRAY(1,1,1.5,3,TRUE)", VALUE), ("=RANDARRAY(10000,10000)", NUM), ("=RANDARRAY(NA())", NA),
])
def test_randarray_limits(formula, expected):
    assert evaluate({}, formula) == expected


@pytest.mark.parametrize("formula, expected", [
    # Microsoft's examples (CEILING, FLOOR pages)
    ("=CEILING(2.5,1)", 3.0), ("=CEILING(-2.5,-2)", -4.0), ("=CEILING(-2.5,2)", -2.0), ("=CEILING(1.5,0.1)", 1.5),
    ("=CEILING(0.234,0.01)", 0.24), ("=FLOOR(3.7,2)", 2.0), ("=FLOOR(-2.5,-2)", -2.0), ("=FLOOR(2.5,-2)", NUM),
    ("=FLOOR(1.58,0.1)", 1.5), ("=FLOOR(0.234,0.01)", 0.23),
    # cells of Excel (formulas test workbook, COMPATIBILITY), and a quotient just under a whole number
    ("=CEILING(-255.5,-2)", -256.0), ("=FLOOR(-255.5,-2)", -254.0), ("=CEILING(5,0)", 0.0), ("=FLOOR(5,0)", DIV0),
    ("=FLOOR(TRUE,0)", DIV0), ("=CEILING(A1,-2)", 0.0), ("=CEILING(2.5,-2)", NUM), ('=CEILING("ciao",0)', VALUE),
    ("=FLOOR(4.35,0.05)", pytest.approx(4.35, rel=1e-15)), ("=FLOOR(3)", VALUE),
])
def test_ceiling_and_floor_of_excel_2010(formula, expected):
    assert evaluate({}, formula) == expected


# DMC_ERP_V1.xlsx TB_Trial_Balance!G4:G48 (its non-zero balances), whose SUM in G49 is Excel's
# 3.281456883996725e-09: the residual of adding them one by one from the first (pairwise: 1.49e-09)
BALANCES = [44642.95, -647567.21, -2222754.75, 866762.1999999993, 6741435, 2382593.733333332, -4727.33,
            -2980651.6035087695, 136191.40999999997, -21290368.59649123, -44642.95, 17018526.666666668,
            4727.33, 50642.450000000004, -54809.3]


def test_sum_adds_in_excels_order_so_a_residual_keeps_its_bits():
    cells = {f"A{r}": v for r, v in enumerate(BALANCES, start=1)}
    assert evaluate(cells, "=SUM(A1:A15)") == 3.281456883996725e-09
    assert evaluate(cells, "=SUM(A1:A7,A8:A15)") == 3.281456883996725e-09  # across arguments too


def test_sum_adds_in_excels_order_in_every_cell_of_a_filled_down_group(tmp_path):
    cells = {}
    for r in range(1, 4):
        for c, v in enumerate(BALANCES):
            cells[f"{openpyxl.utils.get_column_letter(c + 1)}{r}"] = v * r
        cells[f"Q{r}"] = f"=SUM(A{r}:O{r})"
    src = make_book(tmp_path / "in.xlsx", {"S": cells})
    assert recalculate(src, tmp_path / "out.xlsx").ok
    got = values(tmp_path / "out.xlsx")["S"]
    for r in range(1, 4):
        row = [got[f"{openpyxl.utils.get_column_letter(c + 1)}{r}"] for c in range(len(BALANCES))]
        total = 0.0
        for v in row:  # the numbers as the file holds them (openpyxl writes 15 digits)
            total += v
        assert got[f"Q{r}"] == total and total != math.fsum(row)
