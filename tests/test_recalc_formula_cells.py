"""The formula cells of a sheet as the scan records them: lists, read back as FormulaCell."""

import pytest

from xl_kpi.recalc.package import FormulaCell, FormulaCells, SheetPart, _scan_sheet

CELLS = [
    '<c r="A1"><f>B1&amp;"x"</f><v>1</v></c>',  # plain, common form
    '<c r="A2" s="3" t="str"><f t="shared" ref="A2:A3" si="0">B2*2</f><v>x</v></c>',  # shared master
    '<c r="A3"><f t="shared" si="0"/></c>',  # shared dependent
    '<c r="B1" cm="1"><f t="array" ref="B1:B2">SEQUENCE(2)</f><v>1</v></c>',  # dynamic array
    '<c r="C1"><f aca="false">A1+1</f><v>2</v></c>',  # LibreOffice's plain formula: not the common form
    '<c r="D1"><f t="dataTable" ref="D1:D2" dt2D="0" dtr="0" r1="A1"/><v>3</v></c>',
]
SHEET = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
         '<row r="1">' + CELLS[0] + CELLS[3] + CELLS[4] + CELLS[5] + '</row><row r="2">' + CELLS[1] + '</row>'
         '<row r="3">' + CELLS[2] + '</row></sheetData></worksheet>').encode()


def _scanned() -> SheetPart:
    sheet = SheetPart("S", "xl/worksheets/sheet1.xml", 0, xml=SHEET)
    _scan_sheet(sheet, [])
    return sheet


def _span(cell: str) -> tuple[int, int]:
    at = SHEET.index(cell.encode())
    return at, at + len(cell.encode())


def test_each_kind_of_formula_cell_reads_back_as_its_formula_cell():
    cells = list(_scanned().formulas)
    assert cells == [
        FormulaCell(1, 1, 'B1&"x"', "normal", None, None, _span(CELLS[0]), vtype=b""),
        FormulaCell(1, 2, "SEQUENCE(2)", "array", "B1:B2", None, _span(CELLS[3]), dynamic=True),
        FormulaCell(1, 3, "A1+1", "normal", None, None, _span(CELLS[4])),
        FormulaCell(1, 4, "", "dataTable", "D1:D2", None, _span(CELLS[5]),
                    table={"t": "dataTable", "ref": "D1:D2", "dt2D": "0", "dtr": "0", "r1": "A1"}),
        FormulaCell(2, 1, "B2*2", "shared", "A2:A3", "0", _span(CELLS[1]), vtype=b"str"),
        FormulaCell(3, 1, None, "shared", None, "0", _span(CELLS[2]), vtype=b""),
    ]


def test_indexing_and_the_lists_agree_with_iteration():
    formulas = _scanned().formulas
    cells = list(formulas)
    assert [formulas[i] for i in range(len(formulas))] == cells
    assert formulas[-1] == cells[-1]
    assert formulas.rows == [f.row for f in cells] and formulas.cols == [f.col for f in cells]
    assert list(zip(formulas.starts, formulas.ends)) == [f.span for f in cells]
    assert formulas.vtypes == [f.vtype for f in cells]
    with pytest.raises(IndexError):
        formulas[len(cells)]


def test_rare_kinds_are_found_without_the_common_cells():
    formulas = _scanned().formulas
    assert [f.ftype for f in formulas.of_type("array", "dataTable")] == ["array", "dataTable"]
    assert [(f.row, f.col) for f in formulas.of_type("shared")] == [(2, 1), (3, 1)]
    assert _scanned().formula_types() == {"normal", "shared", "array", "dataTable"}


def test_keeping_some_cells_keeps_each_as_it_was():
    formulas = _scanned().formulas
    cells = list(formulas)
    kept = [1, 3, 4]
    formulas.keep(kept)
    assert list(formulas) == [cells[i] for i in kept]
    assert len(formulas) == 3 and formulas.refs == {0: "B1:B2", 1: "D1:D2", 2: "A2:A3"}


def test_cells_appended_by_hand_read_back_unchanged():
    cells = [FormulaCell(5, 2, "A5", "normal", None, None, (10, 20), vtype=b"n"),
             FormulaCell(6, 2, None, "shared", None, "7", (20, 30), vtype=b""),
             FormulaCell(7, 2, "{1}", "array", "B7:B8", None, (30, 40))]
    formulas = FormulaCells(cells)
    assert list(formulas) == cells and bool(formulas) and not FormulaCells()
    assert set(formulas.whole) == {2}  # the array formula alone is kept whole


def test_cell_tags_are_counted_as_the_regular_expression_finds_them():
    """Every way a "<c" may be followed (or not) and prefixed, at the ends of a chunk too."""
    import random

    from xl_kpi.recalc.package import _CELL_TAG, _cell_tags

    pieces = [b"<c ", b"<c>", b"<c/>", b"<c\t", b"<c\n", b"<c\x0b", b"<cols>", b"<col ", b"<c", b"<", b"c",
              b"<x:c ", b"<x:cc", b":c", b"<v>1</v>", b"</c>", b"<row r=\"1\">", b"\x00", b"\xff"]
    rng = random.Random(7)
    for _ in range(2000):
        data = b"".join(rng.choice(pieces) for _ in range(rng.randrange(0, 12)))
        assert _cell_tags(data) == len(_CELL_TAG.findall(data)), data
