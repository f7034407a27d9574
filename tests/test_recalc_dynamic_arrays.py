"""Excel 365 dynamic arrays: the functions, LET/LAMBDA, spill references and the spill itself.

Expected values: Microsoft's function reference examples (support.microsoft.com: SEQUENCE
"=SEQUENCE(4,5)", SCAN "=SCAN(1,A1:C2,LAMBDA(a,b,a*b))" a list of factorials and
"=SCAN("",A1:C2,LAMBDA(a,b,a&b))", REDUCE, MAKEARRAY "=MAKEARRAY(3,3,LAMBDA(r,c,r*c))",
BYROW "=BYROW(A1:C2,LAMBDA(array,MAX(array)))", LET "=LET(x,1,x+1)"), arithmetic on the cells,
and the cells Excel computed in the formulas project's test workbook of the real-world corpus.
"""

from __future__ import annotations

import os
import re
import zipfile

import openpyxl
import pytest
from openpyxl.worksheet.formula import ArrayFormula
from test_recalc_support import values

from xl_kpi.excel_errors import ExcelError
from xl_kpi.recalc import evaluate, recalculate

from corpus import corpus_dir, sheet_disagreements

NA, CALC, VALUE = ExcelError("#N/A"), ExcelError("#CALC!"), ExcelError("#VALUE!")
DATA = {"A1": 1, "B1": 2, "C1": 3, "A2": 4, "B2": 5, "C2": 6}
LETTERS = {"A1": "a", "B1": "b", "C1": "c", "A2": "d", "B2": "e", "C2": "f"}
TABLE = {"A1": 3, "A2": 1, "A3": 2, "B1": "c", "B2": "a", "B3": "B", "C1": True, "C2": False, "C3": True}


@pytest.mark.parametrize("cells, formula, expected", [
    ({}, "=SEQUENCE(4,5)", [[1 + 5 * r + c for c in range(5)] for r in range(4)]),
    ({}, "=SEQUENCE(2,3,10,5)", [[10, 15, 20], [25, 30, 35]]),
    ({}, "=SEQUENCE(0)", CALC),
    ({}, "=SUM(SEQUENCE(10))", 55),
    (TABLE, "=_xlfn._xlws.FILTER(A1:B3,C1:C3)", [[3, "c"], [2, "B"]]),
    (TABLE, '=_xlfn._xlws.FILTER(A1:A3,A1:A3>5,"none")', "none"),
    (TABLE, "=_xlfn._xlws.FILTER(A1:A3,A1:A3>5)", CALC),  # nothing kept, no if_empty
    (TABLE, "=_xlfn._xlws.FILTER(A1:B3,{1,0})", [[3], [1], [2]]),  # columns kept
    (TABLE, "=_xlfn._xlws.SORT(A1:B3)", [[1, "a"], [2, "B"], [3, "c"]]),
    (TABLE, "=_xlfn._xlws.SORT(A1:B3,2,-1)", [[3, "c"], [2, "B"], [1, "a"]]),  # text without case
    (TABLE, "=_xlfn._xlws.SORT(A1:A3,3)", VALUE),  # no third column
    ({}, '=_xlfn._xlws.SORT({"b",TRUE,1,#N/A,#DIV/0!,FALSE},1,1,TRUE)',
     [[1, "b", False, True, ExcelError("#DIV/0!"), NA]]),  # numbers, text, logicals, errors
    (TABLE, "=_xlfn.SORTBY(B1:B3,A1:A3)", [["a"], ["B"], ["c"]]),
    (TABLE, "=_xlfn.SORTBY(B1:B3,C1:C3,-1,A1:A3,1)", [["B"], ["c"], ["a"]]),  # ties by the second key
    ({}, '=_xlfn.UNIQUE({1;2;1;"a";"A"})', [[1], [2], ["a"]]),
    ({}, "=_xlfn.UNIQUE({1;2;1},FALSE,TRUE)", 2),  # exactly once: one value
    ({}, "=_xlfn.UNIQUE({1,1,2},TRUE)", [[1, 2]]),  # by column
    # options given as arrays: the first element computed, the others 0 or their option's error
    ({}, "=_xlfn.UNIQUE({2,1,2,1},{1,1,1})", [[2, 0, 0]]),
    ({}, "=_xlfn.UNIQUE({2,1,2,1},{1,1,1},{0,1,1})", [[2, 0, 0]]),  # not #CALC! for the later ones
    ({}, '=_xlfn.UNIQUE({2,1,2,1},{0;"b";#N/A})', [[2], [VALUE], [NA]]),
    ({}, "=_xlfn.UNIQUE({1,1},TRUE,{1,0})", [[CALC, 0]]),  # the first element's own result
    (TABLE, "=_xlfn.VSTACK(A1:A2,B1:C1)", [[3, NA], [1, NA], ["c", True]]),
    (TABLE, "=_xlfn.HSTACK(A1:A2,B1)", [[3, "c"], [1, NA]]),
    ({}, "=_xlfn.LET(_xlpm.x,1,_xlpm.x+1)", 2),
    ({}, "=_xlfn.LET(_xlpm.x,2,_xlpm.y,_xlpm.x*3,_xlpm.x+_xlpm.y)", 8),  # names left to right
    ({}, "=_xlfn.LET(_xlpm.f,_xlfn.LAMBDA(_xlpm.x,_xlpm.x+1),_xlpm.f(2))", 3),
    ({}, "=_xlfn.LAMBDA(_xlpm.x,_xlpm.x)", CALC),  # a function left uncalled
    ({}, "=_xlfn.LET(_xlpm.f,_xlfn.LAMBDA(_xlpm.x,_xlpm.x),_xlpm.f(1,2))", VALUE),
    (DATA, "=_xlfn.BYROW(A1:C2,_xlfn.LAMBDA(_xlpm.array,MAX(_xlpm.array)))", [[3], [6]]),
    (DATA, "=_xlfn.BYCOL(A1:C2,_xlfn.LAMBDA(_xlpm.c,SUM(_xlpm.c)))", [[5, 7, 9]]),
    (DATA, "=_xlfn.BYROW(A1:C2,_xleta.SUM)", [[6], [15]]),  # a function by name (eta lambda)
    (DATA, "=_xlfn.BYROW(A1:C2,_xlfn.LAMBDA(_xlpm.r,_xlpm.r*2))", [[CALC], [CALC]]),  # one value a row
    (DATA, "=_xlfn.MAP(A1:C2,_xlfn.LAMBDA(_xlpm.v,IF(_xlpm.v>3,_xlpm.v*10,0)))", [[0, 0, 0], [40, 50, 60]]),
    (DATA, "=_xlfn.SCAN(1,A1:C2,_xlfn.LAMBDA(_xlpm.a,_xlpm.b,_xlpm.a*_xlpm.b))", [[1, 2, 6], [24, 120, 720]]),
    (LETTERS, '=_xlfn.SCAN("",A1:C2,_xlfn.LAMBDA(_xlpm.a,_xlpm.b,_xlpm.a&_xlpm.b))',
     [["a", "ab", "abc"], ["abcd", "abcde", "abcdef"]]),
    (DATA, "=_xlfn.REDUCE(,A1:C2,_xlfn.LAMBDA(_xlpm.a,_xlpm.b,_xlpm.a+_xlpm.b^2))", 91),  # sum of squares
    ({}, "=_xlfn.MAKEARRAY(3,3,_xlfn.LAMBDA(_xlpm.r,_xlpm.c,_xlpm.r*_xlpm.c))", [[1, 2, 3], [2, 4, 6], [3, 6, 9]]),
    ({"C3": 1, "D3": 2}, "=_xlfn.LAMBDA(_xlpm.x,_xlpm.y,_xlpm.x*10+_xlpm.y+D3)(1,2)", 14),  # called in place
    ({"C3": 1, "D3": 2}, "=_xlfn.LAMBDA(D3+C3)()", 3),
    ({}, "=_xlfn.LAMBDA(_xlpm.x,_xlpm.x*2)(_xlfn.LAMBDA(_xlpm.y,_xlpm.y+1)(4))", 10),
    ({}, '="LAMBDA(1)(2)"', "LAMBDA(1)(2)"),  # text stays text
    ({}, "=_xlfn.TOCOL({1,2;3,4})", [[1], [2], [3], [4]]),
    ({}, "=_xlfn.TOCOL({1,2;3,4},0,TRUE)", [[1], [3], [2], [4]]),  # scanned by column
    ({"A1": 1, "A2": "x", "B2": 2}, "=_xlfn.TOROW(A1:B2,1)", [[1, "x", 2]]),  # blanks left out
    ({}, "=_xlfn.TOROW({1,#N/A,2},2)", [[1, 2]]),  # errors left out
    ({}, "=_xlfn.WRAPROWS({1,2,3,4,5},2)", [[1, 2], [3, 4], [5, NA]]),
    ({}, "=_xlfn.WRAPCOLS({1,2,3,4,5},2,0)", [[1, 3, 5], [2, 4, 0]]),
    ({}, "=_xlfn.WRAPROWS({1,2;3,4},2)", VALUE),  # a vector only
    ({}, '=_xlfn.EXPAND({1,2;3,4},3,3,"-")', [[1, 2, "-"], [3, 4, "-"], ["-", "-", "-"]]),
    ({}, "=_xlfn.EXPAND({1,2},1)", [[1, 2]]),
    ({}, "=_xlfn.EXPAND({1,2;3,4},1)", VALUE),  # smaller than the array
    ({}, "=_xlfn.WRAPROWS({1,2,3,4,5,6},{2,3})", [[1, 1]]),  # lifted over the counts: top-left of each
    ({}, "=SUM(SEQUENCE(100000,1000))", ExcelError("#NUM!")),  # 10^8 cells: bounded, not a memory error
    ({}, "=_xlfn.MAKEARRAY(2000,1000,_xlfn.LAMBDA(_xlpm.r,_xlpm.c,1))", ExcelError("#NUM!")),
])
def test_dynamic_array_functions(cells, formula, expected):
    assert evaluate(cells, formula) == expected


# -- the spill ----------------------------------------------------------------------------------


def _book(path, cells: dict, dynamic: dict[str, tuple[str, str]], legacy: dict | None = None) -> str:
    """A book whose ``dynamic`` formulas are stored as Excel 365 does: t="array" and cm="1"."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    for ref, value in cells.items():
        ws[ref] = value
    for anchor, (ref, formula) in {**dynamic, **(legacy or {})}.items():
        ws[anchor] = ArrayFormula(ref, "=" + formula)
    wb.save(path)
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    xml = parts["xl/worksheets/sheet1.xml"]
    for anchor in dynamic:
        xml = re.sub(rb'<c r="' + anchor.encode() + rb'"', b'<c r="' + anchor.encode() + b'" cm="1"', xml, count=1)
    parts["xl/worksheets/sheet1.xml"] = xml
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return os.fspath(path)


def _recalc(tmp_path, cells, dynamic, legacy=None):
    src = _book(tmp_path / "in.xlsx", cells, dynamic, legacy)
    report = recalculate(src, tmp_path / "out.xlsx")
    assert report.ok, report.reason
    return values(tmp_path / "out.xlsx")["S"], report


NUMBERS = {"A1": 5, "A2": 1, "A3": 4, "A4": 2}


def test_a_smaller_spill_leaves_the_rest_of_the_stored_range_blank(tmp_path):
    # FILTER keeps 2 of 4 rows; the file stores the 4-row range of an older spill. A legacy
    # (Ctrl+Shift+Enter) array formula keeps #N/A in the cells its result does not reach.
    got, _ = _recalc(tmp_path, NUMBERS, {"C1": ("C1:C4", "_xlfn._xlws.FILTER(A1:A4,A1:A4>3)")},
                     legacy={"D1": ("D1:D3", "A1:A2*2")})
    assert [got.get(f"C{r}") for r in range(1, 5)] == [5, 4, None, None]
    assert [got.get(f"D{r}") for r in range(1, 4)] == [10, 2, "#N/A"]


def test_a_bigger_spill_fills_free_cells_and_a_blocked_one_is_spill_error(tmp_path):
    cells = {**NUMBERS, "E1": "x", "D3": "in the way"}
    got, report = _recalc(tmp_path, {**cells, "F1": "=SUM(_xlfn.ANCHORARRAY(C1))", "F2": "=ROWS(_xlfn.ANCHORARRAY(C1))"},
                          {"C1": ("C1:C2", "_xlfn._xlws.SORT(A1:A4)"), "D1": ("D1:D2", "_xlfn._xlws.SORT(A1:A4)")})
    assert [got.get(f"C{r}") for r in range(1, 5)] == [1, 2, 4, 5]  # grew into C3:C4, which are empty
    # D3 holds a value: Excel would not spill. The report says #SPILL!; the file, which has no rich
    # value to show it with, holds the #VALUE! Excel writes for readers of the classic errors
    assert report.errors == {"#SPILL!": 1} and got["D1"] == "#VALUE!" and got.get("D2") is None
    assert got["F1"] == 12 and got["F2"] == 4  # C1# is the grown spill


def test_spill_reference_to_a_cell_that_is_no_anchor_is_ref_error():
    assert evaluate({"A1": 1}, "=SUM(_xlfn.ANCHORARRAY(A1))") == ExcelError("#REF!")


# -- the corpus ---------------------------------------------------------------------------------


CORPUS_FUNCTIONS = ("VSTACK", "HSTACK", "SORTBY", "SCAN", "REDUCE", "MAP(", "BYCOL", "ANCHORARRAY", "SEQUENCE",
                    "TOCOL", "TOROW", "WRAPROWS", "WRAPCOLS", "EXPAND")


@pytest.mark.slow
def test_every_lookup_cell_of_formulas_test_workbook_equals_excel():
    """UNIQUE/SORT/FILTER/TAKE/DROP and their array options, as Excel computed them."""
    total, bad = sheet_disagreements("vinci1it2000__formulas/test.xlsx", "LOOKUP")
    assert total > 1000 and not bad, bad[:10]


@pytest.mark.slow
def test_formulas_project_dynamic_arrays_equal_excel(tmp_path):
    root = corpus_dir()
    book = root / "vinci1it2000__formulas" / "test.xlsx" if root else None
    if book is None or not book.exists():
        pytest.skip("the real-world corpus is not here")
    from openpyxl.utils.cell import range_boundaries

    wb = openpyxl.load_workbook(book)
    want = openpyxl.load_workbook(book, data_only=True)
    targets: list[tuple[str, int, int]] = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                v = cell.value
                text = v.text if isinstance(v, ArrayFormula) else v if isinstance(v, str) else ""
                if not any(name in text.upper() for name in CORPUS_FUNCTIONS):
                    continue
                if isinstance(v, ArrayFormula):
                    c0, r0, c1, r1 = range_boundaries(v.ref)
                    targets += [(ws.title, r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)]
                else:
                    targets.append((ws.title, cell.row, cell.column))
    assert len(targets) > 200
    report = recalculate(book, tmp_path / "out.xlsx")
    assert report.ok, report.reason
    got = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True)
    wrong = []
    for title, r, c in targets:
        a, b = got[title].cell(r, c).value, want[title].cell(r, c).value
        a, b = (0 if a is None else a), (0 if b is None else b)
        if not (a == b or (isinstance(a, float) and isinstance(b, (int, float)) and a == pytest.approx(b, rel=1e-9))):
            wrong.append((title, r, c, a, b))
    assert not wrong, wrong[:10]


def test_array_parameters_are_computed_as_arrays_in_a_formula_that_is_not_an_array_formula(tmp_path):
    """FILTER's parameters are arrays, as SUMPRODUCT's (and the array of UNIQUE, SORT, TOROW...):
    ``B1:B3<>""`` in a plain formula of row 5 is the three rows, not the row-5 intersection
    (#VALUE!) a value parameter would take."""
    from test_recalc_support import make_book

    src = make_book(tmp_path / "in.xlsx", {"S": {"B1": "b", "B2": "", "B3": "c", "A5": 1,
                                                 "D5": '=ROWS(_xlfn._xlws.FILTER(B1:B3,B1:B3<>""))',
                                                 "E5": '=SUM(_xlfn._xlws.FILTER(A1:A5,A1:A5>0))',
                                                 "F5": '=ROWS(_xlfn.UNIQUE(B1:B3&""))',
                                                 "G5": '=INDEX(_xlfn._xlws.SORT(B1:B3&"x",,-1),1)',
                                                 "H5": '=COLUMNS(_xlfn.TOROW(B1:B3&""))'}})
    assert recalculate(src, tmp_path / "out.xlsx").ok
    got = values(tmp_path / "out.xlsx")["S"]
    assert [got[c] for c in ("D5", "E5", "F5", "G5", "H5")] == [2, 1, 3, "x", 3]
