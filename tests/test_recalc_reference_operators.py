"""The reference operators (intersection, union), whitespace in formulas, and per-cell results
of a filled-down shape whose moving ranges hold text.

Expected values: Microsoft Support, "Calculation operators and precedence in Excel" (the space is
the intersection operator, ``SUM(B7:D7 C6:C8)`` is the shared cell C7; the comma joins references
into one, ``SUM(B5:B15,D5:D15)``; no common cell is ``#NULL!``), and arithmetic on the cells.
"""

from __future__ import annotations

import pytest
from test_recalc_support import make_book, values

from xl_kpi.excel_errors import ExcelError
from xl_kpi.recalc import evaluate, recalculate

CELLS = {"B2": 1, "C3": 2, "D4": 3, "C2": 10, "E3": 5, "G3": 7, "H2": 100, "C7": 42, "B7": 1, "D7": 2}


@pytest.mark.parametrize("formula, expected", [
    ("=SUM(B7:D7 C6:C8)", 42),  # Microsoft's example: the cell both ranges share
    ("=SUM(B2:E5 C3:D4)", 5),
    ("=B2:C3 C2:D2", 10),  # one shared cell: its value
    ("=A1:A2 C1:C2", ExcelError("#NULL!")),  # nothing in common
    ("=SUM((B2:C3,D4))", 16),  # a union given to SUM: every area counts
    ("=SUM(E3:G4 (B2:E5,G2:H5))", 12),  # intersection with a union: E3:E4 and G3:G4
    ("=MAX((B2,C3),D4)", 3),
    ("=COUNT((B2:B3,C2:C3,H1:H2))", 4),
    ("=(B2,C3)", ExcelError("#VALUE!")),  # a two-area reference where one value is expected
])
def test_intersection_and_union(formula, expected):
    assert evaluate(CELLS, formula) == expected


def test_line_breaks_and_tabs_inside_a_formula_are_whitespace():
    # as the corpus stores a formula typed over several lines (Alt+Enter): CR-LF between arguments
    assert evaluate({"B2": 1}, "=IF(\r\n\r\nB2=1,\r\n\r\n1,\r\n\r\n2 )") == 1
    assert evaluate({"B2": 2}, "=IF(\rB2=1,\t1,\n2)") == 2
    assert evaluate({"B2": 1}, '="a\r\nb"&B2') == "a\r\nb1"  # kept inside text


def test_filled_down_moving_ranges_with_text_give_each_cell_its_own_value(tmp_path):
    # OR/SUM over a two-cell window moving down a column whose cells mix text, logicals and
    # numbers: each row is its own result (the text row used to turn the whole column #VALUE!).
    cells = {"A1": 0, "A2": "x", "A3": True, "A4": 5, "A5": "y", "A6": "z"}
    for r in range(1, 6):
        cells[f"B{r}"] = f"=OR(A{r}:A{r + 1})"
        cells[f"C{r}"] = f"=SUM(A{r}:A{r + 1})"
        cells[f"D{r}"] = f'=COUNTIF(A{r}:A{r + 1},"x")'
    src = make_book(tmp_path / "in.xlsx", {"S": cells})
    report = recalculate(src, tmp_path / "out.xlsx")
    assert report.ok and not any("internal" in i for i in report.issues)
    got = values(tmp_path / "out.xlsx")["S"]
    assert [got[f"B{r}"] for r in range(1, 6)] == [False, True, True, True, "#VALUE!"]
    assert [got[f"C{r}"] for r in range(1, 6)] == [0, 0, 5, 5, 0]
    assert [got[f"D{r}"] for r in range(1, 6)] == [1, 1, 0, 0, 0]


def test_error_values_inside_an_array_result_are_error_cells_not_text():
    # pycel's library writes the error elements of an array result as their text ("#N/A")
    from xl_kpi.recalc.functions.pycel_bridge import _from_pycel
    from xl_kpi.recalc.values import ERR, STR

    v = _from_pycel((("#N/A", 1.0, "x"), ("#DIV/0!", True, None)))
    assert v.kind[0, 0, 0] == ERR and v.python(0, 0, 0) == ExcelError("#N/A")
    assert v.python(0, 1, 0) == ExcelError("#DIV/0!")
    assert v.kind[0, 0, 2] == STR and v.python(0, 1, 1) is True


def test_range_operator_between_a_reference_and_a_name_spans_both(tmp_path):
    """``B2:E5:f`` with f naming G2:H5 is the smallest range holding both, B2:H5 (formulas' test.xlsx,
    CORE!D9: Excel's 81); ``Sheet2!A1:Sheet2!B2`` is a range of Sheet2."""
    cells = {f"{c}{r}": 1 for c in "BCDEFGH" for r in range(2, 6)}
    cells.update({"A1": "=SUM(B2:E5:f)", "A2": "=SUM(B2:C3:D4)", "A3": "=SUM(Other!A1:Other!B2)"})
    src = make_book(tmp_path / "in.xlsx", {"S": cells, "Other": {"A1": 1, "B2": 2, "C3": 4}},
                    names={"f": "S!$G$2:$H$5"})
    report = recalculate(src, tmp_path / "out.xlsx")
    got = values(tmp_path / "out.xlsx")["S"]
    assert report.ok and (got["A1"], got["A2"], got["A3"]) == (28, 9, 3)


@pytest.mark.parametrize("formula", ["=SUM(A2:Other!B3)", "=A2:'[7]Missing'!A2"])
def test_range_operator_across_sheets_is_value_error(tmp_path, formula):
    """A range lies on one sheet: ``A2:'[2]MISSING'!A2`` is Excel's #VALUE! (formulas' test.xlsx, CORE!P18)."""
    src = make_book(tmp_path / "in.xlsx", {"S": {"A2": 1, "C1": formula}, "Other": {"B3": 2}})
    recalculate(src, tmp_path / "out.xlsx")
    assert values(tmp_path / "out.xlsx")["S"]["C1"] == "#VALUE!"
