"""The writer: what a recalculated cell holds in the file, as Excel itself would write it."""

import pytest

from xl_kpi.recalc import recalculate


def test_a_new_value_drops_the_rich_value_of_the_old_one():
    from xl_kpi.recalc.package import NUM, cell_xml

    got = cell_xml(b'<c r="A1" s="4" t="e" vm="3"><f>1/0</f><v>#VALUE!</v></c>', b"", NUM, 5.0, None)
    assert got == b'<c r="A1" s="4"><f>1/0</f><v>5</v></c>'


def test_spill_and_calc_errors_are_written_as_excel_writes_them():
    from xl_kpi.excel_errors import ERROR_CODE
    from xl_kpi.recalc.package import ERR, cell_xml

    cell = b'<c r="B2"><f>_xlfn._xlws.FILTER(A1:A3,A1:A3&gt;9)</f><v>3</v></c>'
    calc = float(ERROR_CODE["#CALC!"])
    # #VALUE! for readers of the classic errors, and the workbook's rich value showing #CALC!
    assert cell_xml(cell, b"", ERR, calc, None, rich={"#CALC!": b"7"}) == (
        b'<c r="B2" vm="7" t="e"><f>_xlfn._xlws.FILTER(A1:A3,A1:A3&gt;9)</f><v>#VALUE!</v></c>')
    # a workbook without one: #VALUE! alone, a value every reader knows (never an unknown <v>#CALC!</v>)
    assert cell_xml(cell, b"", ERR, calc, None) == (
        b'<c r="B2" t="e"><f>_xlfn._xlws.FILTER(A1:A3,A1:A3&gt;9)</f><v>#VALUE!</v></c>')


@pytest.mark.slow
def test_a_calc_error_points_to_the_workbooks_own_rich_value(tmp_path):
    import zipfile

    from corpus import corpus_dir, read_cells

    root = corpus_dir()
    src = root / "vinci1it2000__formulas" / "test.xlsx" if root else None
    if src is None or not src.exists():
        pytest.skip("formulas test.xlsx not in the corpus")
    out = tmp_path / "out.xlsx"
    assert recalculate(src, out).ok
    _, cells = read_cells(out)  # the oracle's reader follows vm into xl/richData
    assert cells[("LOOKUP", 22, 23)] == ("e", "#CALC!")  # W22: FILTER with nothing to keep
    with zipfile.ZipFile(out) as z:
        assert b"<v>#CALC!</v>" not in b"".join(z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))


def _cells(xml: bytes) -> list[tuple[dict, list]]:
    """Each cell of a sheet as (attributes, [(child tag, text)]): the content, not the byte order."""
    from xml.etree import ElementTree as ET

    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    root = ET.fromstring(xml)
    return [(dict(c.attrib), [(x.tag.replace(ns, ""), x.text, dict(x.attrib)) for x in c])
            for c in root.iter(ns + "c")]


def test_cells_patched_in_place_hold_what_the_cell_writer_writes():
    """Every change of value type (none, str, b, e, n; numbers, texts to escape, blanks), on plain
    and shared formulas with and without a stored value: the in-place patch is cell_xml's cell."""
    import numpy as np

    from xl_kpi.recalc.package import (
        BOOL,
        EMPTY,
        ERR,
        NUM,
        STR,
        FormulaValues,
        SheetPart,
        _scan_sheet,
        cell_xml,
        patch_sheet,
    )

    cells = [
        '<c r="A1"><f>1+1</f><v>2</v></c>',
        '<c r="B1" s="3" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>',
        '<c r="C1" t="e" s="2"><f>1/0</f><v>#DIV/0!</v></c>',
        '<c r="D1" t="b"><f>TRUE</f><v>1</v></c>',
        '<c r="E1"><f t="shared" ref="E1:E3" si="0">A1*2</f><v/></c>',
        '<c r="E2" s="1"><f t="shared" si="0"/><v /></c>',
        '<c r="E3"><f t="shared" si="0"/></c>',
        '<c r="F1" t="n"><f>A1</f></c>',
    ]
    xml = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
           '<row r="1">' + "".join(cells[:5] + cells[7:]) + '</row><row r="2">' + cells[5] + '</row>'
           '<row r="3">' + cells[6] + "</row></sheetData></worksheet>").encode()
    values = [(STR, 0.0, 'x<&>"y'), (NUM, 0.1, None), (STR, 0.0, "ok"), (ERR, 7.0, None),
              (BOOL, 1.0, None), (NUM, 1e20, None), (EMPTY, 0.0, None), (NUM, -3.0, None)]
    for shift in range(len(values)):  # each cell given each kind of value
        sheet = SheetPart("S", "xl/worksheets/sheet1.xml", 0, xml=xml)
        _scan_sheet(sheet, [])
        assert all(f.vtype is not None for f in sheet.formulas)  # all of the common form
        vals = values[shift:] + values[:shift]
        fv = FormulaValues(np.array([v[0] for v in vals], np.uint8), np.array([v[1] for v in vals]),
                           np.ones(len(vals), bool), {i: v[2] for i, v in enumerate(vals) if v[2] is not None})
        expected = xml
        for f, v in sorted(zip(sheet.formulas, vals), key=lambda p: -p[0].span[0]):
            s, e = f.span
            expected = expected[:s] + cell_xml(xml[s:e], b"", *v) + expected[e:]
        assert _cells(patch_sheet(sheet, fv, {})) == _cells(expected)
