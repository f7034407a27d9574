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
