"""COMPLEX and the IM* functions: Excel's complex numbers in text, read, computed and written back.

Sources: the examples of Microsoft's function pages (support.microsoft.com, "COMPLEX function",
"IMABS function" ... "IMTAN function"), Excel's well-known IMPOWER("2+3i",3) result, Excel's
values on excelfunctions.net's IMCOSH page, and the
cells of the ENGINEERING sheet of the formulas project's test workbook (saved by Excel 16),
whose values are repeated here where they show a rule (E notation, the unit imaginary part, the
suffix rules).
"""

import pytest

from xl_kpi.excel_errors import DIV0, NA, NUM, VALUE
from xl_kpi.recalc import evaluate
from xl_kpi.recalc.functions.complex_numbers import format_complex, parse_complex

from corpus import sheet_disagreements


@pytest.mark.parametrize("text, z, suffix", [
    ("3+4i", 3 + 4j, "i"), ("3-4j", 3 - 4j, "j"), ("-3+2i", -3 + 2j, "i"), ("+3", 3, None), ("4", 4, None),
    ("i", 1j, "i"), ("j", 1j, "j"), ("-i", -1j, "i"), ("3+i", 3 + 1j, "i"), ("3-j", 3 - 1j, "j"),
    ("2.5i", 2.5j, "i"), ("1.5E+3-2e-2j", 1500 - 0.02j, "j"), ("1e5i", 1e5j, "i"), (".5+.5i", 0.5 + 0.5j, "i"),
    ("", 0, None), (None, 0, None), (7.0, 7, None),
])
def test_parse_reads_excel_complex_text(text, z, suffix):
    assert parse_complex(text) == (complex(z), suffix)


@pytest.mark.parametrize("text", ["yvj", "3+4I", "3 + 4i", "3+4k", "3++4i", "i3", "3+4ii", "--3", "3e+i", "1,5"])
def test_parse_refuses_what_excel_refuses_with_num(text):
    assert parse_complex(text) == NUM


def test_parse_of_a_logical_is_value_and_of_an_error_the_error():
    assert parse_complex(True) == VALUE
    assert parse_complex(NA) == NA


@pytest.mark.parametrize("z, suffix, text", [
    (3 + 4j, "i", "3+4i"), (99 - 1j, "j", "99-j"), (2 + 1j, "i", "2+i"), (1j, "j", "j"), (-1j, "i", "-i"),
    (-1, "j", "-1"), (3.6j, "j", "3.6j"), (0, "i", "0"), (complex(-0.0, 0.0), "i", "0"),
    (-825.4 + 1048j, "j", "-825.4+1048j"),
    (complex(3.82126757337684e-22, -1), "j", "3.82126757337684E-22-j"),
    (complex(6.92442674613868e-5, -1.00005873951153), "j", "0.0000692442674613868-1.00005873951153j"),
    (complex(1.28233995888454e-06, 4.33496947416312e-06), "j", "1.28233995888454E-06+4.33496947416312E-06j"),
    (complex(27142327967.109, -23653126953.379), "j", "27142327967.109-23653126953.379j"),
    (complex(1e20, 1), "i", "1E+20+i"), (1 / 3 + 0j, "i", "0.333333333333333"),
])
def test_format_writes_15_digits_as_excel(z, suffix, text):
    assert format_complex(z, suffix) == text


def test_format_of_an_overflow_is_num():
    assert format_complex(complex(float("inf"), 1)) == NUM


@pytest.mark.parametrize("formula, expected", [
    # Microsoft's examples
    ('=COMPLEX(3,4)', "3+4i"), ('=COMPLEX(3,4,"j")', "3+4j"), ("=COMPLEX(0,1)", "i"), ("=COMPLEX(1,0)", "1"),
    ('=IMABS("5+12i")', 13.0), ('=IMAGINARY("3+4i")', 4.0), ('=IMAGINARY("0-j")', -1.0), ("=IMAGINARY(4)", 0.0),
    ('=IMREAL("6-9i")', 6.0), ('=IMCONJUGATE("3+4i")', "3-4i"),
    ('=IMCOS("1+i")', "0.833730025131149-0.988897705762865i"),
    ('=IMDIV("-238+240i","10+24i")', "5+12i"), ('=IMEXP("1+i")', "1.46869393991589+2.28735528717884i"),
    ('=IMLN("3+4i")', "1.6094379124341+0.927295218001612i"),
    ('=IMLOG10("3+4i")', "0.698970004336019+0.402719196273373i"),
    ('=IMLOG2("3+4i")', "2.32192809488736+1.33780421245098i"),
    ('=IMPOWER("2+3i",3)', "-46+9.00000000000001i"),
    ('=IMPRODUCT("3+4i","5-3i")', "27+11i"), ('=IMPRODUCT("1+2i",30)', "30+60i"),
    ('=IMSEC("4+3i")', "-0.0652940278579471-0.0752249603027732i"),
    ('=IMSIN("4+3i")', "-7.61923172032141-6.548120040911i"),
    ('=IMSINH("-4+3i")', "27.0168132580039+3.85373803791938i"),
    ('=IMSQRT("1+i")', "1.09868411346781+0.455089860562227i"),
    ('=IMSUB("13+4i","5+3i")', "8+i"), ('=IMSUM("3+4i","5-3i")', "8+i"),
    ('=IMTAN("4+3i")', "0.00490825806749606+1.00070953606723i"),
    ('=IMCSC("4+3i")', "-0.0754898329158637+0.0648774713706355i"),
    ('=IMARGUMENT("3+4i")', 0.927295218001612),
    # excelfunctions.net's IMCOSH page (values of Excel)
    ("=IMCOSH(0.5)", "1.12762596520638"), ('=IMCOSH("3+0.5i")', "8.83520460650099+4.80282508274303i"),
    ('=IMCOSH("2-i")', "2.03272300701967-3.0518977991518i"),
    # cells of Excel (formulas test workbook, ENGINEERING)
    ('=IMSECH("7+25j")', "0.00180771853884451+0.000241377759972715j"),
    ('=IMCSCH("13+5j")', "1.28233995888454E-06+4.33496947416312E-06j"),
    ('=COMPLEX(99,-1,"j")', "99-j"), ('=COMPLEX("3.6",0)', "3.6"), ('=COMPLEX(0,"3.6","j")', "3.6j"),
    ('=IMCOT("7+25j")', "3.82126757337684E-22-j"), ('=IMTAN("-13+25j")', "-2.94156899085227E-22+j"),
    ('=IMCSC("7+25j")', "1.82483860060804E-11-2.09403043759793E-11j"),
    ('=IMCOT("13+5j")', "0.0000692442674613868-1.00005873951153j"),
    ('=IMCOS("-3+2i")', "-3.72454550491532+0.511822569987385i"), ('=IMABS("-3+2i")', 3.6055512754639896),
    ('=IMPOWER("7+25j",2.3)', "-1768.5045629583+279.381198142491j"),
    ('=IMPRODUCT("7+25j","13+5j","3.1+2j")', "-825.4+1048j"),
])
def test_complex_functions_as_excel(formula, expected):
    got = evaluate({}, formula)
    assert got == (pytest.approx(expected, rel=1e-12) if isinstance(expected, float) else expected)


@pytest.mark.parametrize("formula, expected", [
    # blanks are 0, logicals #VALUE!, ill-formed text #NUM!, an error is itself
    ("=IMABS(A1)", 0.0), ("=IMCOS(A1)", "1"), ("=IMSIN(A1)", "0"), ("=IMCONJUGATE(A1)", "0"),
    ("=IMARGUMENT(A1)", DIV0), ("=IMLN(A1)", NUM), ("=IMCOT(A1)", NUM), ("=IMCSC(A1)", NUM), ("=IMCSCH(A1)", NUM),
    ("=IMPOWER(A1,2.3)", "0"), ("=IMPOWER(A1,0)", NUM), ("=IMPOWER(A1,-1)", NUM),
    ('=IMSUB("-13+25j",A1)', "-13+25j"), ('=IMDIV("-13+25j",A1)', NUM), ('=IMPRODUCT(A1,"-13+25j")', "0"),
    ("=IMABS(TRUE)", VALUE), ('=IMABS("yvj")', NUM), ("=IMREAL(1/0)", DIV0), ('=IMPOWER("1+i","x")', VALUE),
    ('=COMPLEX(1,2,"k")', VALUE), ('=COMPLEX(1,2,"I")', VALUE), ('=COMPLEX(1,TRUE)', VALUE), ("=COMPLEX(NA(),1)", NA),
    # two suffixes: #NUM! for IMSUB and IMDIV, #VALUE! for IMSUM and IMPRODUCT (Excel's cells)
    ('=IMSUB("3.1+2j","-3+2i")', NUM), ('=IMDIV("3.1+2j","-3+2i")', NUM),
    ('=IMSUM("13+5j","3.1+2j","-3+2i")', VALUE), ('=IMPRODUCT("-3+2i","3.1+2j")', VALUE),
    ('=IMPRODUCT(TRUE,"yvj")', VALUE), ('=IMPRODUCT("yvj",A1)', NUM),
])
def test_complex_arguments_blank_logical_and_error(formula, expected):
    assert evaluate({}, formula) == expected


def test_imsum_and_improduct_take_ranges_and_skip_their_blanks():
    cells = {"A1": "7+25j", "A2": None, "A3": "13+5j", "B1": "3.1+2j"}
    assert evaluate(cells, "=IMSUM(A1:A3,B1)") == "23.1+32j"
    assert evaluate(cells, "=IMPRODUCT(A1:A3)") == "-34+360j"


def test_a_range_given_to_a_one_argument_function_in_an_array_formula_is_value_error():
    assert evaluate({"A1": "1+i", "A2": "2"}, "=IMABS(A1:A2)") == VALUE


@pytest.mark.slow
def test_every_engineering_cell_of_formulas_test_workbook_equals_excel():
    total, bad = sheet_disagreements("vinci1it2000__formulas/test.xlsx", "ENGINEERING")
    assert total > 1500 and not bad, bad[:10]
