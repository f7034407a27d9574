"""Financial functions against Excel's values.

Sources: Microsoft's documented examples (support.microsoft.com pages of each function, their
results as shown, rounded) and cells of the corpus workbooks saved by Excel (formulas test.xlsx
sheet FINANCIAL; pycel npv.xlsx; koala VDB.xlsx), to 1e-9.
"""

import datetime as dt

import pytest
from test_recalc_support import make_book, values

from xl_kpi.excel_errors import DIV0, NA, NUM, VALUE
from xl_kpi.recalc import evaluate, recalculate


@pytest.mark.parametrize("formula, shown", [
    ("=PMT(0.08/12,10,10000)", -1037.03), ("=PMT(0.06/12,18*12,0,50000)", -129.08),
    ("=IPMT(0.1/12,1,3*12,8000)", -66.67), ("=IPMT(0.1,3,3,8000)", -292.45),
    ("=PPMT(0.1/12,1,2*12,2000)", -75.62), ("=PPMT(0.08,10,10,200000)", -27598.05),
    ("=FV(0.06/12,10,-200,-500,1)", 2581.40), ("=PV(0.08/12,12*20,500,,0)", -59777.15),
    ("=NPV(0.1,-10000,3000,4200,6800)", 1188.44), ("=NPV(0.08,8000,9200,10000,12000,14500)-40000", 1922.06),
    ("=IRR({-70000,12000,15000,18000,21000,26000})", 0.0866), ("=IRR({-70000,12000,15000,18000,21000})", -0.0212),
    ("=IRR({-70000,12000,15000},-0.1)", -0.4435),
    ("=MIRR({-120000,39000,30000,21000,37000,46000},0.1,0.12)", 0.1261),
    ("=RATE(4*12,-200,8000)", 0.0077), ("=NPER(0.12/12,-100,-1000,10000,1)", 59.6739),
    ("=CUMIPMT(0.09/12,30*12,125000,13,24,0)", -11135.23), ("=CUMIPMT(0.09/12,360,125000,1,1,0)", -937.50),
    ("=CUMPRINC(0.09/12,30*12,125000,13,24,0)", -934.11), ("=CUMPRINC(0.09/12,360,125000,1,1,0)", -68.28),
    ("=SLN(30000,7500,10)", 2250), ("=DB(1000000,100000,6,1,7)", 186083.33), ("=DB(1000000,100000,6,2,7)", 259639.42),
    ("=DB(1000000,100000,6,6,7)", 55841.76), ("=DB(1000000,100000,6,7,7)", 15845.10),
    ("=DDB(2400,300,10*365,1)", 1.32), ("=DDB(2400,300,10*12,1,2)", 40.00), ("=DDB(2400,300,10,1,2)", 480.00),
    ("=DDB(2400,300,10,2,1.5)", 306.00), ("=DDB(2400,300,10,10)", 22.12),
    ("=VDB(2400,300,10*365,0,1)", 1.32), ("=VDB(2400,300,10*12,0,1)", 40.00), ("=VDB(2400,300,10,0,1)", 480.00),
    ("=VDB(2400,300,10*12,6,18)", 396.31), ("=VDB(2400,300,10*12,6,18,1.5)", 311.81),
    ("=VDB(2400,300,10,0,0.875,1.5)", 315.00), ("=EFFECT(0.0525,4)", 0.0535), ("=NOMINAL(0.053543,4)", 0.0525),
])
def test_microsoft_examples(formula, shown):
    places = 4 if abs(shown) < 1 else 2
    assert round(evaluate({}, formula), places) == pytest.approx(shown, abs=10 ** -places / 2 + 1e-12)


DATES = {"A1": -10000, "A2": 2750, "A3": 4250, "A4": 3250, "A5": 2750, "B1": dt.date(2008, 1, 1),
         "B2": dt.date(2008, 3, 1), "B3": dt.date(2008, 10, 30), "B4": dt.date(2009, 2, 15), "B5": dt.date(2009, 4, 1)}


def test_xnpv_and_xirr_microsoft_examples():
    assert round(evaluate(DATES, "=XNPV(0.09,A1:A5,B1:B5)"), 2) == 2086.65
    assert round(evaluate(DATES, "=XIRR(A1:A5,B1:B5,0.1)"), 4) == 0.3734
    assert evaluate(DATES, "=XIRR(A2:A5,B2:B5)") == NUM  # no negative flow
    assert evaluate(DATES, "=XNPV(0.09,A1:A5,B1:B4)") == NUM  # sizes differ
    assert evaluate(DATES, "=XIRR(A1:A5,B1:B5,TRUE)") == VALUE  # formulas test.xlsx FINANCIAL!Y54


@pytest.mark.parametrize("formula, expected", [
    # formulas test.xlsx, sheet FINANCIAL (row 13: C=3.2, D=6, E=7, H blank, I "ciao", J TRUE)
    ("=CUMIPMT(3.2,5.5,125000,3,5,1)", -271489.3412240473), ("=CUMIPMT(A9,5.5,125000,3,5,1)", NUM),
    ('=CUMIPMT("ciao",5.5,125000,3,5,1)', VALUE), ("=CUMIPMT(TRUE,5.5,125000,3,5,1)", VALUE),
    ("=CUMIPMT(NA(),5.5,125000,3,5,1)", NA),
    ("=FV(3.2,-6,7)", 2.1871014779833633), ("=FV(4,-9,A9)", 0.0),
    ("=IPMT(6/12,1,3*12,8000)", -4000.0), ("=IPMT(TRUE/12,1,3*12,8000)", -666.6666666666665),
    ("=IRR({-7,2,-1,4,-3;7,2,-1,4,4})", 0.19086464188385688), ("=IRR({7,2,-1,4,-3;7,2,-1,4,4},3)", NUM),
    ("=IRR({-7,2,1,4,-3;-7,2,-1,4,4},7)", -0.021126011550541612),
    ("=IRR({-7,2,-1,4,-3;7,2,-1,4,#N/A})", VALUE), ("=IRR({-7,2,-1,4,-3,7,2,1,3},1/0)", DIV0),
    ("=NPER(-0.1/12,2,0,10000,1)", -449.5074885969371), ("=NPER(2/12,0,4,10000,1)", NUM),
    ("=NPER(0,4000,5)", -0.00125),
    ("=PMT(-0.1/12,2,0,10000,1)", -5063.113111353327), ("=PMT(2/12,0,4,10000,1)", NUM),
    ("=PMT(0,4,5,10000,1)", -2501.25), ('=PPMT(A9,"3","33","10000","1")', -303.06060606060606),
    ('=PPMT(-0.1,"3","33","10000","1")', -835.9133596022948),
    # pycel npv.xlsx: Excel's own rounding of NPV's sum
    ("=NPV(0.1,-10000,3000,4200,6800)", 1188.4434123352207),
])
def test_corpus_cells(formula, expected):
    got = evaluate({}, formula)
    if isinstance(expected, float):
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-12)
    else:
        assert got == expected


@pytest.mark.parametrize("formula, excel", [
    # pycel npv.xlsx, the cells A2, A3, A7, A8, A9, A10 (inputs typed, blanks and text dropped)
    ("=NPV(0.1,-10000,3000,4200,6800)", 1188.4434123352207),
    ("=NPV(0.08,1,3,2,4)", 8.025726280057427),
    ("=NPV(0.08,8000,9200,10000,12000,14500)", 41922.06155493237),
    ("=NPV(0.08,8000,10000,12000,14500)", 36164.71536821584),
    ("=NPV(0.07,8000,10000,14500)", 28047.342011668155),
    ("=NPV(0.08,8000,9200,10000,12000,14500,-9000)", 36250.534912984425),
    # formulas test.xlsx FINANCIAL!R33, S33 and AK33, AL33 (rates 4 and 5 of the array AH33:AW33)
    ("=NPV(-0.1,-0.1,2,0,4,5)", 16.922200206608068), ("=NPV(2,2,0,4,5)", 0.87654320987654322),
    ("=NPV(4,-0.1,2,0,4,5)", 0.068000000000000019), ("=NPV(5,-0.1,2,0,4,5)", 0.042618312757201647),
])
def test_npv_equals_excel_to_the_last_bit(formula, excel):
    # Excel's last bit shows once a subtraction cancels the leading digits (npv.xlsx D7 = C7-A7)
    assert evaluate({}, formula) == excel


@pytest.mark.parametrize("rate, excel", [
    # formulas test.xlsx FINANCIAL!R40:W40, =PPMT(rate,"3","33","10000","1")
    (-0.1, -835.9133596022948), (2, -3.2382809621291993e-11), (1, -4.6570785349068514e-06),
    (4, -8.5907935854592492e-18), (5, -3.7698552037230904e-20), (0, -303.06060606060606),
])
def test_ppmt_keeps_its_digits_where_pmt_and_ipmt_cancel(rate, excel):
    # at 500 % a period PMT and IPMT are both -50,000.000...: their difference leaves only noise
    assert evaluate({}, f'=PPMT({rate},"3","33","10000","1")') == pytest.approx(excel, rel=1e-13)


@pytest.mark.parametrize("rate, per, nper, pv, fv, kind", [
    (0.1 / 12, 7, 24, 2000, 0, 0), (0.08, 3, 10, 200000, 5000, 1), (0.05, 1, 12, 1000, 0, 1),
    (-0.1, 2.5, 6, 500, -20, 0), (0.004, 360, 360, 250000, 0, 1),
])
def test_ppmt_is_pmt_minus_ipmt_where_they_do_not_cancel(rate, per, nper, pv, fv, kind):
    ppmt = evaluate({}, f"=PPMT({rate},{per},{nper},{pv},{fv},{kind})")
    pmt = evaluate({}, f"=PMT({rate},{nper},{pv},{fv},{kind})")
    assert ppmt == pytest.approx(pmt - evaluate({}, f"=IPMT({rate},{per},{nper},{pv},{fv},{kind})"), rel=1e-12)


def test_npv_whose_terms_overflow_is_a_num_error():
    cells = {f"A{r}": 1 for r in range(1, 101)}
    assert evaluate(cells, "=NPV(-0.9999,A1:A100)") == NUM  # (1 - 0.9999)^k underflows to 0
    assert evaluate(cells, "=NPV(1E+300,A1:A100)") == pytest.approx(1e-300)  # and overflows: 0


def test_npv_skips_text_and_logicals_in_ranges_but_not_errors():
    cells = {"A1": 0.07, "B1": 8000, "C1": "a", "D1": 10000, "E1": True, "F1": 14500}
    assert evaluate(cells, "=NPV(A1,B1:F1)") == pytest.approx(28047.342011668155, rel=1e-12)  # pycel npv.xlsx B9
    assert evaluate({**cells, "C1": NA}, "=NPV(A1,B1:F1)") == NA
    assert evaluate({**cells, "A1": "a"}, "=NPV(A1,B1:F1)") == VALUE


def test_filled_down_pmt_gives_each_row_its_own_value(tmp_path):
    cells = {}
    for r, rate in enumerate([0.05, "x", None, True, 0.1], start=1):
        cells[f"A{r}"] = rate
        cells[f"B{r}"] = f"=PMT(A{r}/12,360,200000)"
    src = make_book(tmp_path / "in.xlsx", {"S": cells})
    assert recalculate(src, tmp_path / "out.xlsx").ok
    got = values(tmp_path / "out.xlsx")["S"]
    assert got["B1"] == pytest.approx(-1073.6432460242797, rel=1e-12) and got["B2"] == "#VALUE!"
    assert got["B3"] == pytest.approx(-555.5555555555555)  # rate 0: -pv/nper
    assert got["B4"] == pytest.approx(evaluate({}, "=PMT(1/12,360,200000)"), rel=1e-12)  # TRUE is 1
    assert got["B5"] == pytest.approx(evaluate({}, "=PMT(0.1/12,360,200000)"), rel=1e-12)


def test_a_final_subtraction_of_equal_looking_numbers_is_zero_as_excel():
    # pycel npv.xlsx D3: =C3-A3 where C3 holds NPV's 15 digits; Microsoft KB 78113: =.5-.4-.1 is 0
    assert evaluate({"A1": 8.02572628005743}, "=A1-NPV(0.08,1,3,2,4)") == 0.0
    assert evaluate({}, "=0.5-0.4-0.1") == 0.0
    assert evaluate({}, "=1*(0.5-0.4-0.1)") == pytest.approx(-2.7755575615628914e-17)
    assert evaluate({}, "=0.1+0.2=0.3") is True


# formulas test.xlsx FINANCIAL rows 54-56: dates 1, 99, 55, 4, 9 (serials), flows -10, 1, 5, 1E-4, 4.5
FLOWS = {"A1": 1, "A2": 99, "A3": 55, "A4": 4, "A5": 9, "B1": -10, "B2": 1, "B3": 5, "B4": 1e-4, "B5": 4.5,
         "C1": "1", "C2": 32015, "D1": True, "D2": True}


@pytest.mark.parametrize("guess, excel", [
    ("1", 0.59931974858045578), ("4", 0.59931974858045578), ('"1"', 0.59931974858045578),
    ("0", 0.59931975585937503), ('"26/08/1987"', 0.59931975404310833), ("0.1", 0.59931975007057214),
])
def test_xirr_is_excels_bisection_to_the_last_digit(guess, excel):
    # Excel's XIRR is not the exact rate (0.5993197557530...): it depends on the guess, and equals
    # the midpoint of Excel's last bracket; these are its cached values, compared exactly
    assert evaluate(FLOWS, f"=XIRR(B1:B5,A1:A5,{guess})") == excel


def test_xirr_and_xnpv_edge_rules_as_excel():
    assert evaluate(FLOWS, "=XIRR(B1:B5,A1:A5,-0.1)") == NUM  # a negative guess walks away from 60 %
    assert evaluate(FLOWS, "=XIRR(B1:C2,A1:C1)") == NUM  # sizes differ
    cells = dict(FLOWS, B6="1", A6=32015)  # a text flow: the pair is skipped
    assert evaluate(cells, "=XIRR(B1:B6,A1:A6)") == 0.59931975007057214
    cells = dict(FLOWS, B6=True, A6=True)  # a logical flow: #VALUE!
    assert evaluate(cells, "=XIRR(B1:B6,A1:A6)") == VALUE
    assert evaluate(FLOWS, "=XNPV(0,B1:B5,A1:A5)") == NUM  # Excel's XNPV takes positive rates only
    assert evaluate(FLOWS, "=XNPV(-0.1,B1:B5,A1:A5)") == NUM
    assert evaluate(FLOWS, "=XNPV(2,B1:B5,A1:A5)") == pytest.approx(-0.61247484329765634, rel=1e-12)
    assert evaluate(FLOWS, "=XNPV(A1:A2,B1:B5,A1:A5)") == VALUE  # a range of rates: #VALUE!
    # at Excel's XIRR, XNPV is Excel's residual (FINANCIAL!R56)
    assert evaluate(FLOWS, "=XNPV(XIRR(B1:B5,A1:A5,1),B1:B5,A1:A5)") == pytest.approx(4.5941641602098571e-09, rel=1e-9)


def test_npv_and_irr_take_a_range_of_rates_or_guesses_element_by_element():
    cells = {"A1": -0.1, "B1": 2, "C1": 0, "D1": "ciao", "E1": True, "F1": NA}
    for c, v in zip("GHIJK", (-0.1, 2, 0, 4, 5)):
        cells[f"{c}2"] = v
    got = evaluate(cells, "=NPV(A1:F1,G2:K2)")[0]  # formulas test.xlsx FINANCIAL!AH33:AW33
    assert got[:3] == pytest.approx([16.922200206608068, 0.25884773662551441, 10.9], rel=1e-12)
    assert got[3:] == [VALUE, pytest.approx(0.85624999999999996, rel=1e-12), NA]
    got = evaluate(cells, "=IRR({-7,2,-1,4,-3;7,2,-1,4,4},A1:C1)")[0]
    assert got == pytest.approx([0.19086464188385688] * 3, rel=1e-9)
    assert evaluate(cells, "=IRR({-7,2,-1,4,-3;7,2,-1,4,4},D1:F1)")[0][::2] == [VALUE, NA]


@pytest.mark.slow
def test_the_financial_cells_of_formulas_test_workbook_equal_excel():
    from corpus import sheet_disagreements

    total, bad = sheet_disagreements("vinci1it2000__formulas/test.xlsx", "FINANCIAL")
    assert total > 450 and not bad, bad[:10]


@pytest.mark.parametrize("start, end, excel", [
    # koala VDB.xlsx (cost 1, salvage 0, life 14, factor 1.25), Excel's cached values
    (0, 0.5, 0.044642857142857144), (0.5, 1.5, 0.08529974489795919), (1.5, 2.5, 0.077683696246355682),
    (2.5, 3.5, 0.070747651938645364), (3.5, 4.5, 0.068726290454684064), (12.5, 13.5, 0.068726290454684064),
    (13.5, 14, 0.034363145227342032), (13, 14, 0.068667899383779485), (11, 12, 0.068667899383779485),
])
def test_vdb_with_a_fractional_start_shifts_the_schedule_as_excel(start, end, excel):
    # the straight-line amount after the switch differs between the shifted and the whole-period
    # schedules (0.0687263 against 0.0686679), so 13.5..14 is not half of 13..14
    assert evaluate({}, f"=VDB(1,0,14,{start},{end},1.25,FALSE)") == pytest.approx(excel, rel=1e-12)


@pytest.mark.parametrize("formula, expected", [
    # Microsoft's PDURATION and RRI examples; the invalid arguments #NUM! (LibreOffice agrees)
    ("=PDURATION(2.5%,2000,2200)", 3.859866163), ("=PDURATION(0.025/12,1000,1200)", 87.60547642),
    ("=RRI(96,10000,11000)", 0.0009933073763),
    ("=PDURATION(0.1,1,1)", 0.0), ("=PDURATION(0.1,2,1)", -7.272540897), ('=PDURATION(0.1,1,"2")', 7.272540897),
    ("=PDURATION(0,1,2)", NUM), ("=PDURATION(-0.1,1,2)", NUM), ("=PDURATION(0.1,-1,-2)", NUM),
    ("=PDURATION(0.1,0,1)", NUM), ('=PDURATION("a",1,2)', VALUE), ("=PDURATION(1/0,1,2)", DIV0),
    ("=RRI(2,1,0)", -1.0), ("=RRI(2,-1,-4)", 1.0), ("=RRI(1.5,1,2)", 0.5874010520),
    ("=RRI(0,1,2)", NUM), ("=RRI(-1,1,2)", NUM), ("=RRI(2,0,1)", NUM), ("=RRI(2,-1,1)", NUM),
    ("=RRI(2,1,-1)", NUM), ('=RRI("a",1,2)', VALUE), ("=RRI(1e-300,2,1e300)", NUM),
])
def test_pduration_and_rri(formula, expected):
    got = evaluate({}, formula)
    assert got == (pytest.approx(expected, rel=1e-9) if isinstance(expected, float) else expected)
