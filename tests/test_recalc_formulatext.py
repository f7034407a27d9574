"""FORMULATEXT: a cell's formula as Excel's formula bar shows it.

Sources: Microsoft's FORMULATEXT page (its example ``=FORMULATEXT(A2)`` of ``=TODAY()``, the
#N/A of a cell without formula, no circular reference for the cell itself); LibreOffice Calc,
headless, for what the page leaves open (spacing kept, a legacy array formula in braces in each of
its cells); the shared formulas of the real-world corpus, moved to each of their cells, against
openpyxl's formula translator.
"""

from __future__ import annotations

import zipfile

import openpyxl
import pytest
from test_recalc_support import make_book, values

from xl_kpi.recalc import recalculate
from xl_kpi.recalc.formula import moved
from xl_kpi.recalc.functions.information import shown_formula

from corpus import corpus_dir


def _recalc(tmp_path, cells, **kw):
    src = make_book(tmp_path / "in.xlsx", {"S": cells}, **kw)
    report = recalculate(src, tmp_path / "out.xlsx")
    assert report.ok, report.reason
    return values(tmp_path / "out.xlsx")["S"]


def test_formulatext_shows_the_formula_bar(tmp_path):
    got = _recalc(tmp_path, {
        "A1": "=TODAY()", "A2": 5, "A3": "=SUM(A2:A2)  +  1", "A4": "=_xlfn.XLOOKUP(1,A2:A3,A2:A3)",
        "B1": "=FORMULATEXT(A1)", "B2": "=FORMULATEXT(A2)", "B3": "=FORMULATEXT(A3)", "B4": "=FORMULATEXT(A4)",
        "B5": "=FORMULATEXT(B5)", "B6": "=FORMULATEXT(1)", "B7": "=FORMULATEXT(A99)", "B8": "=FORMULATEXT(D1)",
        "B9": "=FORMULATEXT(D2)", "B10": "=FORMULATEXT(1/0)", "B11": '=FORMULATEXT(INDIRECT("A3"))',
        "B12": "=LEN(FORMULATEXT(A1))", "B13": '=FORMULATEXT(Other!A1)',
    }, arrays={"S!D1": ("D1:D2", "=A2:A3*2")})
    assert got["B1"] == "=TODAY()"  # Microsoft's example
    assert got["B2"] == "#N/A" and got["B7"] == "#N/A"  # no formula, a blank
    assert got["B3"] == "=SUM(A2:A2)  +  1"  # spaced as written
    assert got["B4"] == "=XLOOKUP(1,A2:A3,A2:A3)"  # without the _xlfn. the file stores
    assert got["B5"] == "=FORMULATEXT(B5)"  # its own cell: no circular reference
    assert got["B6"] == "#VALUE!" and got["B10"] == "#DIV/0!"
    assert got["B8"] == got["B9"] == "{=A2:A3*2}"  # every cell of a legacy array formula
    assert got["B11"] == "=SUM(A2:A2)  +  1" and got["B12"] == 8
    assert got["B13"] == "#REF!"


def test_formulatext_of_a_range_gives_each_cells_formula(tmp_path):
    got = _recalc(tmp_path, {"A1": "=1+1", "A2": 7, "A3": "=A1*2"},
                  arrays={"S!B1": ("B1:B3", "=FORMULATEXT(A1:A3)")})
    assert [got["B1"], got["B2"], got["B3"]] == ["=1+1", "#N/A", "=A1*2"]


def test_a_shared_formulas_cells_show_their_own_references(tmp_path):
    src = make_book(tmp_path / "in.xlsx", {"S": {
        "A1": 1, "A2": 2, "A3": 3, "B1": "=A1*$A$1", "B2": "=A2*$A$1", "B3": "=A3*$A$1",
        "C1": "=FORMULATEXT(B1)", "C2": "=FORMULATEXT(B2)", "C3": "=FORMULATEXT(B3)"}})
    shared = tmp_path / "shared.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(shared, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode().replace("<f>A1*$A$1</f>", '<f t="shared" ref="B1:B3" si="0">A1*$A$1</f>')
                data = text.replace("<f>A2*$A$1</f>", '<f t="shared" si="0"/>').replace(
                    "<f>A3*$A$1</f>", '<f t="shared" si="0"/>').encode()
            zout.writestr(info, data)
    assert recalculate(shared, tmp_path / "out.xlsx").ok
    got = values(tmp_path / "out.xlsx")["S"]
    assert [got["C1"], got["C2"], got["C3"]] == ["=A1*$A$1", "=A2*$A$1", "=A3*$A$1"]


def test_a_data_table_shows_its_table_formula(tmp_path):
    from openpyxl.worksheet.formula import DataTableFormula

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    for ref, value in {"A1": "=A12*A13", "A12": 3, "A13": 4, "A2": 1, "A3": 2, "B1": 1, "C1": 2,
                       "E1": "=FORMULATEXT(B2)", "E2": "=FORMULATEXT(C3)", "E3": "=FORMULATEXT(A1)"}.items():
        ws[ref] = value
    ws["B2"] = DataTableFormula(ref="B2:C3", dt2D=True, r1="A12", r2="A13")
    wb.save(tmp_path / "in.xlsx")
    assert recalculate(tmp_path / "in.xlsx", tmp_path / "out.xlsx").ok
    got = values(tmp_path / "out.xlsx")["S"]
    assert got["E1"] == got["E2"] == "{=TABLE(A12,A13)}" and got["E3"] == "=A12*A13"


@pytest.mark.parametrize("stored, shown", [
    ("_xlfn.XLOOKUP(A1,B:B,C:C)", "XLOOKUP(A1,B:B,C:C)"),
    ("_xlfn._xlws.SORT(A1:A9)", "SORT(A1:A9)"),
    ("_xlfn.LAMBDA(_xlpm.x,_xlpm.x+1)(2)", "LAMBDA(x,x+1)(2)"),
    ("_xlfn.BYROW(A1:B2,_xleta.SUM)", "BYROW(A1:B2,SUM)"),
    ("SUM(_xlfn.ANCHORARRAY(D2))", "SUM(D2#)"),
    ("_xlfn.SINGLE(A1:A9)*2", "@A1:A9*2"), ("_xlfn.SINGLE(INDEX(A1:B2,1,1))", "@INDEX(A1:B2,1,1)"),
    ("_xlfn.SINGLE(A1:A9+1)", "@(A1:A9+1)"),
    ("SUM(_xlfn._TRO_TRAILING(A1:C10))", "SUM(A1:.C10)"), ("_TRO_ALL(A1:C10)", "A1.:.C10"),
    ('"_xlfn.SINGLE(x)"&_xlfn.CONCAT(A1)', '"_xlfn.SINGLE(x)"&CONCAT(A1)'),  # string literals kept
])
def test_the_stored_spellings_are_shown_as_excel_shows_them(stored, shown):
    assert shown_formula(stored) == shown


@pytest.mark.parametrize("text, rows, cols, expected", [
    ("A1+$B$2+C$3+$D4", 2, 1, "B3+$B$2+D$3+$D6"), ("SUM(A:A,1:1)", 1, 1, "SUM(B:B,2:2)"),
    ("'My Sheet'!A1&\"A1\"", 1, 0, "'My Sheet'!A2&\"A1\""), ("Table1[Col]+LOG10(A1)", 0, 1, "Table1[Col]+LOG10(B1)"),
    ("A1", -1, 0, "#REF!"), ("Sheet2!XFD1", 0, 1, "Sheet2!#REF!"),
])
def test_moved_formulas_shift_their_relative_references(text, rows, cols, expected):
    assert moved(text, rows, cols) == expected


@pytest.mark.slow
@pytest.mark.skipif(corpus_dir() is None, reason="the real-world corpus is absent")
def test_moved_agrees_with_openpyxls_translator_on_the_corpus_shared_formulas():
    from openpyxl.formula.translate import Translator

    from xl_kpi.recalc.package import open_package

    checked = 0
    for book in sorted(corpus_dir().rglob("*.xlsx")):
        try:
            package = open_package(book)
        except Exception:  # a file the reader refuses is another test's concern
            continue
        for part in package.sheets:
            masters = {f.si: f for f in part.formulas if f.ftype == "shared" and f.text}
            for f in part.formulas:
                m = masters.get(f.si) if f.ftype == "shared" and not f.text else None
                if m is None or "  " in m.text or "\n" in m.text:  # the translator folds spacing
                    continue
                origin = f"{openpyxl.utils.get_column_letter(m.col)}{m.row}"
                there = f"{openpyxl.utils.get_column_letter(f.col)}{f.row}"
                expected = Translator("=" + m.text, origin=origin).translate_formula(there)[1:]
                assert moved(m.text, f.row - m.row, f.col - m.col) == expected, (book.name, there)
                checked += 1
    assert checked > 1000


def test_a_reference_into_a_linked_workbook_is_na(tmp_path):
    # Microsoft: #N/A when the workbook holding the formula is not open (a link's cached values)
    from test_recalc_iterate import LINK, run

    got, _ = run(tmp_path, {"S": {"A1": ("=FORMULATEXT([1]Rates!$A$1)", 0)}}, external=LINK)
    assert got["S!A1"] == "#N/A"
