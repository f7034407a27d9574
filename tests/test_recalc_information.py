"""Information functions against Excel's values (formulas test.xlsx, sheet INFORMATION;
Microsoft's ERROR.TYPE, TYPE, ISREF, ISEVEN, ISODD, IS and CELL examples)."""

import pytest
from test_recalc_support import make_book, values

from xl_kpi.excel_errors import DIV0, NA, VALUE
from xl_kpi.recalc import evaluate, recalculate


def test_isformula_tells_formula_cells_from_values(tmp_path):
    cells = {"A1": 1, "A2": "=10", "A3": "=1/0", "A4": "text",
             "B1": "=ISFORMULA(A1)", "B2": "=ISFORMULA(A2)", "B3": "=ISFORMULA(A3)", "B4": "=ISFORMULA(A4)",
             "B5": "=ISFORMULA(A9)", "B6": "=ISFORMULA(B1)", "B7": "=ISFORMULA(1)"}
    src = make_book(tmp_path / "in.xlsx", {"S": cells})
    assert recalculate(src, tmp_path / "out.xlsx").ok
    got = values(tmp_path / "out.xlsx")["S"]
    assert [got[f"B{r}"] for r in range(1, 8)] == [False, True, True, False, False, True, "#VALUE!"]


@pytest.mark.parametrize("formula, expected", [
    # Microsoft's ERROR.TYPE, TYPE and ISREF examples
    ("=ERROR.TYPE(1/0)", 2.0), ("=ERROR.TYPE(NA())", 7.0), ("=ERROR.TYPE(1)", NA), ("=TYPE(1)", 1.0),
    ('=TYPE("Smith")', 2.0), ("=TYPE(TRUE)", 4.0), ("=TYPE(1/0)", 16.0), ("=TYPE({1,2;3,4})", 64.0),
    ("=ISREF(A1)", True), ("=ISREF(1)", False), ("=ISREF(OFFSET(A1,1,1))", True),
])
def test_as_excel(formula, expected):
    assert evaluate({}, formula) == expected


@pytest.mark.parametrize("formula, expected", [
    # Microsoft's ISEVEN and ISODD pages; formulas test.xlsx INFORMATION rows 9 and 15
    ("=ISEVEN(-1)", False), ("=ISEVEN(2.5)", True), ("=ISEVEN(5)", False), ("=ISEVEN(0)", True),
    ("=ISEVEN(12/23/2011)", True), ("=ISODD(-1)", True), ("=ISODD(2.5)", False), ("=ISODD(5)", True),
    ('=ISODD("1/1/1900")', True), ('=ISEVEN("1/1/1900")', False), ("=ISEVEN(A9)", True), ("=ISEVEN(TRUE)", VALUE),
    ("=ISODD(1/0)", DIV0), ('=ISEVEN("x")', VALUE), ("=ISEVEN({1,2})", VALUE),
    # Microsoft's IS functions page
    ('=ISNONTEXT("Gold")', False), ("=ISNONTEXT(A9)", True), ("=ISNONTEXT(1/0)", True),
    ("=TYPE(LAMBDA(x,x))", 128.0),
])
def test_parity_and_nontext(formula, expected):
    assert evaluate({}, formula) == expected


def test_is_tests_read_a_reference_extended_to_their_array_formula():
    # formulas test.xlsx INFORMATION!AO11: {=ISLOGICAL(M11:Q11)} over nine cells is FALSE in the
    # four beyond the reference, {=ISNA(...)} TRUE there; a range given to ISEVEN is #VALUE!
    import tempfile
    from pathlib import Path

    work = Path(tempfile.mkdtemp())
    cells = {"A1": True, "B1": 2, "C1": "x"}
    arrays = {"S!A3": ("A3:E3", "=ISLOGICAL(A1:C1)"), "S!A4": ("A4:E4", "=ISNA(A1:C1)"),
              "S!A5": ("A5:B5", "=ISEVEN(B1:C1)"), "S!A6": ("A6:E6", "=ISLOGICAL({TRUE,1,2})")}
    src = make_book(work / "in.xlsx", {"S": cells}, arrays=arrays)
    assert recalculate(src, work / "out.xlsx").ok
    got = values(work / "out.xlsx")["S"]
    assert [got[f"{c}3"] for c in "ABCDE"] == [True, False, False, False, False]
    assert [got[f"{c}4"] for c in "ABCDE"] == [False, False, False, True, True]
    assert [got[f"{c}5"] for c in "AB"] == ["#VALUE!", "#VALUE!"]
    assert [got[f"{c}6"] for c in "ABCDE"] == [True, False, False, "#N/A", "#N/A"]


@pytest.mark.parametrize("formula, expected", [
    # Microsoft's CELL page: "row", "contents", "type", "address", "col"
    ('=CELL("row",A20)', 20.0), ('=CELL("contents",A3)', "TOTAL"), ('=CELL("type",A2)', "v"),
    ('=CELL("type",A3)', "l"), ('=CELL("type",A4)', "b"), ('=CELL("address",B7)', "$B$7"),
    ('=CELL("col",C2:D9)', 3.0), ('=CELL("ROW",B2:B9)', 2.0), ('=CELL("contents",A2:A3)', 75.0),
    ('=CELL("width",A2)', NA), ('=CELL("format",A2)', NA), ('=CELL("nonsense",A2)', VALUE),  # no file: #N/A
    ('=CELL("type",5)', VALUE), ('=CELL(1/0,A2)', DIV0),
])
def test_cell_about_a_reference(formula, expected):
    assert evaluate({"A2": 75, "A3": "TOTAL"}, formula) == expected


def test_cell_filename_is_folder_book_and_sheet(tmp_path):
    src = make_book(tmp_path / "model.xlsx", {"Inputs": {"A1": '=CELL("filename",B1)', "A2": '=CELL("address")',
                                                        "A3": "=CELL(\"address\",'My Data'!C3)"},
                                             "My Data": {}})
    assert recalculate(src, tmp_path / "out.xlsx").ok
    got = values(tmp_path / "out.xlsx")["Inputs"]
    assert got["A1"] == str(tmp_path / "[model.xlsx]Inputs") and got["A2"] == "$A$2"
    assert got["A3"] == "'[model.xlsx]My Data'!$C$3"


def test_cell_reads_the_style_of_a_cell(tmp_path):
    # Microsoft's CELL page: the "format" codes of its table, "color" and "parentheses" of a
    # format, "prefix" of aligned text, "protect" of a locked cell, "width" in whole characters
    import openpyxl
    from openpyxl.styles import Alignment, Protection

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    formats = ["#,##0.00", "0%", "d-mmm-yy", "$#,##0_);[Red]($#,##0)", "0.00E+00", "h:mm AM/PM", "General", "(#,##0)"]
    for row, code in enumerate(formats, start=1):
        ws.cell(row, 1, -5).number_format = code
        ws.cell(row, 2, f'=CELL("format",A{row})')
    ws["C1"] = "left"
    ws["C1"].alignment = Alignment(horizontal="left")
    ws["C2"] = "centred"
    ws["C2"].alignment = Alignment(horizontal="center")
    ws["C3"] = 7
    ws["C3"].alignment = Alignment(horizontal="right")
    ws["C4"] = 1
    ws["C4"].protection = Protection(locked=False)
    ws.column_dimensions["E"].width = 20.7109375  # 20 characters of Calibri 11
    tests = {"D1": '=CELL("prefix",C1)', "D2": '=CELL("prefix",C2)', "D3": '=CELL("prefix",C3)',
             "D4": '=CELL("protect",C4)', "D5": '=CELL("protect",C3)', "D6": '=CELL("color",A4)',
             "D7": '=CELL("color",A1)', "D8": '=CELL("parentheses",A8)', "D9": '=CELL("width",E1)',
             "D10": '=CELL("width",F1)'}
    for ref, formula in tests.items():
        ws[ref] = formula
    wb.save(tmp_path / "styled.xlsx")
    assert recalculate(tmp_path / "styled.xlsx", tmp_path / "out.xlsx").ok
    got = values(tmp_path / "out.xlsx")["S"]
    assert [got[f"B{r}"] for r in range(1, 9)] == [",2", "P0", "D1", "C0-", "S2", "D7", "G", ",0()"]
    assert [got.get(ref) for ref in tests] == ["'", "^", None, 0, 1, 1, 0, 1, 20, 8]  # "" reads back as None


def test_sheet_and_sheets_count_the_workbooks_sheets(tmp_path):
    # Microsoft's SHEET and SHEETS pages: a reference's sheet, a sheet's name, the formula's own
    # sheet; a name no sheet has is #N/A, a value that is no reference #REF!
    cells = {"A1": "=SHEET()", "A2": "=SHEET(B!A1)", "A3": '=SHEET("c")', "A4": '=SHEET("zz")', "A5": "=SHEETS()",
             "A6": "=SHEETS(B!A1:B3)", "A7": "=SHEETS(5)", "A8": "=SHEET(1/0)"}
    src = make_book(tmp_path / "in.xlsx", {"A": cells, "B": {"A1": 1}, "C": {}})
    assert recalculate(src, tmp_path / "out.xlsx").ok
    got = values(tmp_path / "out.xlsx")["A"]
    assert [got[f"A{r}"] for r in range(1, 9)] == [1, 2, 3, "#N/A", 3, 1, "#REF!", "#DIV/0!"]


@pytest.mark.parametrize("formula, expected", [
    # Microsoft's ISOMITTED example, and the parameter given
    ('=LAMBDA(x,y,IF(ISOMITTED(y),"Missing second argument",x+y))(1,)', "Missing second argument"),
    ('=LAMBDA(x,y,IF(ISOMITTED(y),"Missing second argument",x+y))(1,2)', 3.0),
    ("=LAMBDA(x,y,ISOMITTED(x))(1,)", False), ("=LET(f,LAMBDA(x,y,ISOMITTED(y)),f(1,))", True),
    ("=LAMBDA(x,y,x+y)(1,)", 1.0),  # a parameter left out is a blank where a value is read
    ("=ISOMITTED(A1)", False), ("=ISOMITTED(1)", False), ("=ISOMITTED(1/0)", False), ("=ISOMITTED()", VALUE),
])
def test_isomitted_tells_a_parameter_left_out(formula, expected):
    assert evaluate({}, formula) == expected
