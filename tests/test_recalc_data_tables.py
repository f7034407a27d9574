"""What-If data tables (``<f t="dataTable">``): each result cell computed by substituting inputs.

Expected values: Microsoft's own example of ``Range.Table`` (a multiplication table, VBA
reference "Range.Table method (Excel)"), arithmetic any reader can check, and the four
sensitivity tables of the Tesla three-statement model of the real-world corpus, against the
values Excel stored.
"""

from __future__ import annotations

import os
import re
import zipfile

import openpyxl
import pytest
from openpyxl.worksheet.formula import DataTableFormula
from test_recalc_support import values

from xl_kpi.recalc import recalculate

from corpus import corpus_dir


def _book(path, cells: dict, tables: dict) -> str:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    for ref, value in cells.items():
        ws[ref] = value
    for anchor, kw in tables.items():
        ws[anchor] = DataTableFormula(**kw)
    wb.save(path)
    return os.fspath(path)


def _recalc(tmp_path, cells, tables):
    src = _book(tmp_path / "in.xlsx", cells, tables)
    report = recalculate(src, tmp_path / "out.xlsx")
    assert report.ok, report.reason
    return values(tmp_path / "out.xlsx")["S"], report


def test_two_variable_table_is_microsofts_multiplication_table(tmp_path):
    # Range.Table example: A1 = A12*A13, headers 1..10 in row 1 and column A, row input A12,
    # column input A13; every cell is (row header) x (column header).
    cells = {"A1": "=A12*A13", "A12": 3, "A13": 4}
    for i in range(2, 12):
        cells[f"A{i}"] = i - 1
        cells[f"{openpyxl.utils.get_column_letter(i)}1"] = i - 1
    got, report = _recalc(tmp_path, cells, {"B2": dict(ref="B2:K11", dt2D=True, r1="A12", r2="A13")})
    for r in range(2, 12):
        for c in range(2, 12):
            assert got[f"{openpyxl.utils.get_column_letter(c)}{r}"] == (r - 1) * (c - 1)
    assert got["A1"] == 12  # the formula and its inputs get their own values back
    assert got["A12"] == 3 and got["A13"] == 4
    assert not report.issues


def test_formulas_reading_one_of_the_two_inputs_give_exact_results(tmp_path):
    # B20 reads only the row input, B21 only the column input, and MAX(...) often comes out the
    # same: every result equals the brute-force value.
    cells = {"A1": "=B20*B21", "A12": 3, "A13": 4, "B20": "=MAX(A12,5)", "B21": "=A13*2"}
    for i in range(2, 12):
        cells[f"A{i}"] = i - 1
        cells[f"{openpyxl.utils.get_column_letter(i)}1"] = i - 1
    got, _ = _recalc(tmp_path, cells, {"B2": dict(ref="B2:K11", dt2D=True, r1="A12", r2="A13")})
    for r in range(2, 12):
        for c in range(2, 12):
            assert got[f"{openpyxl.utils.get_column_letter(c)}{r}"] == max(c - 1, 5) * (r - 1) * 2
    assert got["A1"] == 40 and got["B20"] == 5 and got["B21"] == 8


def test_one_variable_table_down_a_column_with_two_formulas(tmp_path):
    # rates in A3:A5 feed the column input B1; formulas in the row above the results.
    cells = {"B1": 0.05, "C1": 1000, "B2": "=C1*B1", "C2": "=C1*(1+B1)^2",
             "A3": 0.01, "A4": 0.02, "A5": 0.1}
    got, _ = _recalc(tmp_path, cells, {"B3": dict(ref="B3:C5", r1="B1")})
    assert [got["B3"], got["B4"], got["B5"]] == pytest.approx([10, 20, 100])
    assert [got["C3"], got["C4"], got["C5"]] == pytest.approx([1020.1, 1040.4, 1210.0])
    assert got["B2"] == pytest.approx(50.0)


def test_one_variable_table_along_a_row(tmp_path):
    # values in B1:D1 feed the row input F1; the formulas are in the column left of the results.
    cells = {"F1": 2, "A2": "=F1*10", "A3": "=F1+1", "B1": 1, "C1": 5, "D1": -1}
    got, _ = _recalc(tmp_path, cells, {"B2": dict(ref="B2:D3", dtr=True, r1="F1")})
    assert [got["B2"], got["C2"], got["D2"]] == [10, 50, -10]
    assert [got["B3"], got["C3"], got["D3"]] == [2, 6, 0]
    assert got["A2"] == 20


def test_input_cell_holding_a_formula_is_overridden_then_restored(tmp_path):
    # As in the corpus's DCF tables: the input cell is itself a formula (a scenario CHOOSE).
    cells = {"E1": 2, "F1": "=CHOOSE(E1,0.08,0.1,0.12)", "B1": "=1/F1",
             "A2": 0.05, "A3": 0.25, "A4": 0}
    got, _ = _recalc(tmp_path, cells, {"B2": dict(ref="B2:B4", r1="F1")})
    assert got["B2"] == pytest.approx(20) and got["B3"] == pytest.approx(4)
    assert got["B4"] == "#DIV/0!"  # an error is an error cell of the table
    assert got["F1"] == pytest.approx(0.1) and got["B1"] == pytest.approx(10)


def test_dependent_cone_with_a_running_total_and_a_formula_reading_the_table(tmp_path):
    # growth rate C1 drives a column of cash flows (a running product) and their sum in B8;
    # the table varies the growth; E1 reads the table after it is computed.
    cells = {"C1": 0.1, "B2": 100, "B8": "=SUM(B2:B6)", "E1": "=MAX(H2:H4)",
             "G2": 0, "G3": 0.5, "G4": 1, "H1": "=B8"}
    for r in range(3, 7):
        cells[f"B{r}"] = f"=B{r - 1}*(1+$C$1)"
    got, _ = _recalc(tmp_path, cells, {"H2": dict(ref="H2:H4", r1="C1")})
    assert got["H2"] == pytest.approx(500)
    assert got["H3"] == pytest.approx(100 * (1 + 1.5 + 1.5 ** 2 + 1.5 ** 3 + 1.5 ** 4))
    assert got["H4"] == pytest.approx(100 * 31)
    assert got["E1"] == pytest.approx(3100)
    assert got["B8"] == pytest.approx(100 * (1 + 1.1 + 1.1 ** 2 + 1.1 ** 3 + 1.1 ** 4))
    assert got["B6"] == pytest.approx(100 * 1.1 ** 4)


def test_table_inside_a_cycle_of_shapes_is_ordered_cell_by_cell(tmp_path):
    # D1 and D2 share one shape; D1 feeds the table's formula C1 and D2 reads the table (via A11),
    # so the shape and the table are one cycle of the group graph, ordered cell by cell.
    cells = {"A10": 1, "D1": "=A10*2", "D2": "=A11*2", "A11": "=C2", "C1": "=D1", "B2": 2, "B3": 3}
    got, report = _recalc(tmp_path, cells, {"C2": dict(ref="C2:C3", r1="A10")})
    assert [got["C2"], got["C3"]] == [4, 6]
    assert got["A11"] == 4 and got["D2"] == 8
    assert got["C1"] == 2 and got["D1"] == 2
    assert not any("internal" in i for i in report.issues)


def test_table_whose_input_was_deleted_keeps_its_stored_values(tmp_path):
    cells = {"A1": "=B1*2", "B1": 1, "A2": 5}
    src = _book(tmp_path / "in.xlsx", cells, {"B2": dict(ref="B2:B2", r1="B1", del1=True)})
    report = recalculate(src, tmp_path / "out.xlsx")
    assert report.ok
    assert any("data table" in i and "deleted" in i for i in report.issues)


# -- the corpus ---------------------------------------------------------------------------------


_DT = re.compile(rb'<c r="([A-Z]+\d+)"[^>]*><f t="dataTable" ref="([A-Z]+\d+:[A-Z]+\d+)"')


def _table_cells(xml: bytes) -> list[str]:
    out = []
    for m in _DT.finditer(xml):
        a, b = m.group(2).decode().split(":")
        (c0, r0), (c1, r1) = (openpyxl.utils.cell.coordinate_from_string(x) for x in (a, b))
        for c in range(openpyxl.utils.column_index_from_string(c0), openpyxl.utils.column_index_from_string(c1) + 1):
            for r in range(r0, r1 + 1):
                out.append(f"{openpyxl.utils.get_column_letter(c)}{r}")
    return out


def _blank_values(xml: bytes, cells: set[str]) -> bytes:
    """The sheet with the stored value of the given cells set to 0: nothing is kept by accident."""
    def sub(m):
        return re.sub(rb"<v>[^<]*</v>", b"<v>0</v>", m.group(0)) if m.group(1).decode() in cells else m.group(0)

    return re.sub(rb'<c r="([A-Z]+\d+)"[^>]*?(?:/>|>.*?</c>)', sub, xml, flags=re.S)


def _drop_self_references(xml: bytes) -> bytes:
    """Formulas that read their own cell (the model's scenario latches, =IF($G$4=1,$B$185,$D$213)
    in D213) keep Excel's value: with iterative calculation off, Excel leaves them as they are."""
    def sub(m):
        col, row = re.match(rb"([A-Z]+)(\d+)", m.group(1)).groups()
        me = re.compile(rb"(?<![A-Z$])\$?" + col + rb"\$?" + row + rb"(?!\d)")
        return re.sub(rb"<f[^>]*>[^<]*</f>", b"", m.group(0)) if me.search(m.group(2)) else m.group(0)

    return re.sub(rb'<c r="([A-Z]+\d+)"[^>]*><f[^>]*>([^<]*)</f>', sub, xml)


@pytest.mark.slow
def test_tesla_model_sensitivity_tables_equal_excel(tmp_path):
    root = corpus_dir()
    book = root / "chifang-c__tesla-three-statement-model" / "Tesla-ThreeStatementModel.xlsx" if root else None
    if book is None or not book.exists():
        pytest.skip("the real-world corpus is not here")
    expected = openpyxl.load_workbook(book, data_only=True)
    stripped = tmp_path / "in.xlsx"
    checked: dict[str, list[str]] = {}
    with zipfile.ZipFile(book) as zin, zipfile.ZipFile(stripped, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            cells = _table_cells(data) if info.filename.startswith("xl/worksheets/") else []
            if cells:
                checked[info.filename] = cells
                data = _blank_values(data, set(cells))
            if info.filename.startswith("xl/worksheets/sheet"):
                data = _drop_self_references(data)
            zout.writestr(info, data)
    assert sum(len(c) for c in checked.values()) == 100  # four 5 x 5 tables
    report = recalculate(stripped, tmp_path / "out.xlsx")
    assert report.ok, report.reason
    got = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True)
    sheet_of = {f"xl/worksheets/sheet{i + 1}.xml": ws.title for i, ws in enumerate(expected.worksheets)}
    n = 0
    for part, cells in checked.items():
        title = sheet_of[part]
        for cell in cells:
            assert got[title][cell].value == pytest.approx(expected[title][cell].value, rel=1e-9), (title, cell)
            n += 1
    assert n == 100


# -- substitutions computed together --------------------------------------------------------------


def _interest_model(path) -> str:
    """Interest on the average cash balance, a circular reference, and two tables over it.

    B1 rate r, B2 opening cash C0 = 1000, B3 flow F; B4 interest = r * (B2 + B5) / 2 and B5
    closing cash = B2 + B3 + B4 read each other. B6 reads B5 through a VLOOKUP over A10:B11,
    whose B11 is the closing cash (a lookup over a table that changes with each substitution).
    E2:F4 is a one-variable table of the rates in D2:D4 (formulas E1 = B6, F1 = B4); I2:K4 a
    two-variable table, flows in I1:K1 (row input B3) and rates in H2:H4 (column input B1),
    formula H1 = B5. Iteration on, to a change below 1e-12.
    """
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    cells = {"B1": 0.1, "B2": 1000, "B3": 200, "B4": "=B1*(B2+B5)/2", "B5": "=B2+B3+B4",
             "A10": 1, "B10": 0, "A11": 2, "B11": "=B5", "B6": '=VLOOKUP(2,A10:B11,2,FALSE)',
             "D2": 0.02, "D3": 0.05, "D4": 0.2, "E1": "=B6", "F1": "=B4",
             "H1": "=B5", "I1": -100, "J1": 0, "K1": 500, "H2": 0, "H3": 0.04, "H4": 0.3}
    for ref, value in cells.items():
        ws[ref] = value
    ws["E2"] = DataTableFormula(ref="E2:F4", r1="B1")
    ws["I2"] = DataTableFormula(ref="I2:K4", dt2D=True, r1="B3", r2="B1")
    wb.calculation.iterate = True
    wb.calculation.iterateCount = 500
    wb.calculation.iterateDelta = 1e-12
    wb.save(path)
    return os.fspath(path)


def _closing(rate: float, flow: float = 200.0, opening: float = 1000.0) -> tuple[float, float]:
    """(closing cash, interest) at the fixed point: I = r (2 C0 + F + I) / 2, so I = r (2 C0 + F) / (2 - r)."""
    interest = rate * (2 * opening + flow) / (2 - rate)
    return opening + flow + interest, interest


def _tables(tmp_path, name: str) -> dict:
    out = tmp_path / f"{name}.xlsx"
    report = recalculate(_interest_model(tmp_path / f"{name}-in.xlsx"), out)
    assert report.ok, report.reason
    assert not any("internal" in i for i in report.issues), report.issues
    got = values(out)["S"]
    return {ref: got[ref] for ref in ("B4", "B5", "B6", "E2", "E3", "E4", "F2", "F3", "F4", "I2", "J2", "K2",
                                      "I3", "J3", "K3", "I4", "J4", "K4")}


def test_tables_over_a_circular_model_converge_for_every_substitution(tmp_path):
    got = _tables(tmp_path, "together")
    for row, rate in zip((2, 3, 4), (0.02, 0.05, 0.2)):
        closing, interest = _closing(rate)
        assert got[f"E{row}"] == pytest.approx(closing, rel=1e-9)
        assert got[f"F{row}"] == pytest.approx(interest, rel=1e-9)
    for row, rate in zip((2, 3, 4), (0.0, 0.04, 0.3)):
        for col, flow in zip("IJK", (-100, 0, 500)):
            assert got[f"{col}{row}"] == pytest.approx(_closing(rate, flow)[0], rel=1e-9), (col, row)
    closing, interest = _closing(0.1)  # the model keeps its own values
    assert got["B5"] == pytest.approx(closing, rel=1e-9) and got["B4"] == pytest.approx(interest, rel=1e-9)
    assert got["B6"] == got["B5"]


def test_substitutions_computed_together_equal_one_at_a_time(tmp_path, monkeypatch):
    from xl_kpi.recalc import data_tables

    together = _tables(tmp_path, "together")
    monkeypatch.setattr(data_tables, "MAX_GRID_CELLS", 0)  # varied cells looked up in their sorted list
    assert _tables(tmp_path, "sparse") == together
    monkeypatch.setattr(data_tables, "MAX_LAYER_ELEMENTS", 1)  # one substitution per batch
    assert _tables(tmp_path, "batches-of-one") == together
    monkeypatch.setattr(data_tables.TableRunner, "_at_once", lambda *args: False)  # every step swapped in
    assert _tables(tmp_path, "swapped") == together


def test_a_table_read_by_the_model_is_computed_before_the_table_that_needs_it(tmp_path):
    # Table 1 (D2:D4, input B1, formula D1 = B2 = 2 * B1) feeds F1 = SUM(D2:D4); table 2
    # (H2:H3, input C1, formula H1 = F1 + C1) reads F1: the tables wait to be computed together
    # until a formula reads one, so F1 must see table 1's values and table 2 F1's.
    cells = {"B1": 5, "B2": "=B1*2", "D1": "=B2", "C2": 1, "C3": 2, "C4": 3, "F1": "=SUM(D2:D4)",
             "C1": 0, "H1": "=F1+C1", "G2": 10, "G3": 20}
    got, report = _recalc(tmp_path, cells, {"D2": dict(ref="D2:D4", r1="B1"), "H2": dict(ref="H2:H3", r1="C1")})
    assert [got["D2"], got["D3"], got["D4"]] == [2, 4, 6]
    assert got["F1"] == 12 and [got["H2"], got["H3"]] == [22, 32]
    assert got["H1"] == 12 and got["B2"] == 10
    assert not report.issues


def test_table_beyond_the_substitution_limit_keeps_its_stored_values_and_says_so(tmp_path):
    # 250,001 substitutions of a one-step cone: beyond MAX_TABLE_STEPS (bounded time and memory)
    cells = {"A1": "=B1*2", "B1": 1}
    src = _book(tmp_path / "in.xlsx", cells, {"B2": dict(ref="B2:B250002", r1="B1")})
    report = recalculate(src, tmp_path / "out.xlsx")
    assert report.ok
    assert any("data table of 250,001 substitutions" in i and "beyond the limit" in i for i in report.issues)
