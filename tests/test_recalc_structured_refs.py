"""Structured references to Excel tables, read from the table parts (``xl/tables/tableN.xml``).

Semantics from Microsoft Support, "Using structured references with Excel tables": a column name
is its data rows; ``#All``/``#Data``/``#Headers``/``#Totals`` and ``@`` (this row) select rows;
``[[Col1]:[Col2]]`` adjacent columns; names are matched without case; ``'`` escapes ``[ ] # '``
in a column name. The expected values are arithmetic on the cells below, and Excel's own values
from the pycel fixture of the real-world corpus.
"""

from __future__ import annotations

import os

import openpyxl
import pytest
from openpyxl.worksheet.table import Table
from test_recalc_support import values

from xl_kpi.recalc import recalculate
from xl_kpi.recalc.tables import StructuredRefs
from xl_kpi.recalc.tables import Table as XlTable

from corpus import corpus_dir


def _book(path, out_cells: dict) -> str:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    rows = [("Region", "Units", "Price", "Amount", "Net [EUR]"),
            ("North", 10, 2.5, None, 1), ("South", 4, 10, None, 2), ("East", "n/a", 1, None, 3)]
    for r, row in enumerate(rows, 1):
        for c, v in enumerate(row, 1):
            if v is not None:
                ws.cell(r, c, v)
    for r in (2, 3, 4):
        ws[f"D{r}"] = "=[@Units]*[@Price]"
    ws["A5"] = "Total"
    ws["B5"] = "=SUM([Units])"
    ws["D5"] = "=SUM(Sales[Amount])"
    table = Table(displayName="Sales", ref="A1:E5", totalsRowCount=1)
    ws.add_table(table)
    out = wb.create_sheet("Out")
    for ref, formula in out_cells.items():
        out[ref] = formula
    ws["G3"] = "=SUM(Sales[@[Units]:[Price]])"
    wb.save(path)
    return os.fspath(path)


@pytest.fixture(scope="module")
def computed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sref")
    cells = {
        "A1": "=SUM(Sales[Units])",
        "A2": "=SUM(Sales[[#Totals],[Units]])",
        "A3": "=COUNTA(Sales[#Headers])",
        "A4": "=SUM(Sales[[Units]:[Price]])",
        "A5": "=ROWS(Sales[#All])",
        "A6": "=ROWS(Sales[#Data])",
        "A7": "=ROWS(Sales)",
        "A8": "=INDEX(Sales[Region],2)",
        "A9": "=SUM(Sales[[#Headers],[#Data],[Units]])",
        "A10": "=Sales[[#Headers],[Price]]",
        "A11": "=SUM(sales[UNITS])",
        "A12": "=SUM(Sales[Net '[EUR']])",
        "A13": "=SUM(Sales[Missing])",
        "A14": "=SUM(Sales[])",
        "A15": "=COLUMNS(Sales[#All])",
    }
    src = _book(tmp / "in.xlsx", cells)
    report = recalculate(src, tmp / "out.xlsx")
    assert report.ok, report.reason
    return values(tmp / "out.xlsx")


def test_a_column_is_its_data_rows(computed):
    assert computed["Out"]["A1"] == 14  # 10 + 4, the text "n/a" skipped by SUM
    assert computed["Out"]["A11"] == 14  # names without case
    assert computed["Out"]["A8"] == "South"


def test_this_row_in_a_filled_down_column(computed):
    d = computed["Data"]
    assert d["D2"] == 25 and d["D3"] == 40
    assert d["D4"] == "#VALUE!"  # "n/a" * 1: this row's own error, not the whole column's
    assert d["G3"] == 14  # Units:Price of row 3, from a cell beside the table


def test_row_specifiers(computed):
    o = computed["Out"]
    assert o["A2"] == 14  # the totals row's Units cell: =SUM([Units])
    assert o["A3"] == 5  # five header labels
    assert o["A5"] == 5 and o["A6"] == 3 and o["A7"] == 3
    assert o["A9"] == 14  # header text skipped, data summed
    assert o["A10"] == "Price"
    assert o["A15"] == 5


def test_adjacent_columns_and_whole_table(computed):
    o = computed["Out"]
    assert o["A4"] == 14 + 13.5
    assert o["A14"] == "#VALUE!"  # the data rows include D4's #VALUE!
    assert computed["Data"]["D5"] == "#VALUE!"


def test_escaped_column_name_and_missing_column(computed):
    assert computed["Out"]["A12"] == 6
    assert computed["Out"]["A13"] == "#REF!"


def test_resolver_reads_every_form_of_reference():
    t = XlTable("T", "S", 3, 2, 8, 4, 1, 1, ("a", "b c", "d#"))
    refs = StructuredRefs([t], "S")
    assert refs.resolve("T[a]", 1, 1).rows == (4, 7)
    area = refs.resolve("T[[#This Row],[b c]]", 5, 9)
    assert area.rows is None and (area.c0, area.c1) == (3, 3)
    assert refs.resolve("[@[a]:[b c]]", 5, 3).c1 == 3  # inside the table: the table is implied
    assert refs.resolve("[a]", 1, 1) is None  # outside any table, no table named
    assert refs.resolve("T[d'#]", 1, 1).c0 == 4
    assert refs.resolve("T[[#Data],[#Totals]]", 1, 1).rows == (4, 8)
    assert refs.resolve("T[#Headers]", 1, 1).rows == (3, 3)
    no_totals = StructuredRefs([XlTable("U", "S", 1, 1, 3, 1, 0, 0, ("x",))], "S")
    assert no_totals.resolve("U[#Totals]", 1, 1) is None
    assert no_totals.resolve("U[#Headers]", 1, 1) is None
    assert no_totals.resolve("U[x]", 1, 1).rows == (1, 3)


def test_pycel_fixture_structured_references_equal_excel(tmp_path):
    root = corpus_dir()
    book = root / "dgorissen__pycel" / "excelcompiler.xlsx" if root else None
    if book is None or not book.exists():
        pytest.skip("the real-world corpus is not here")
    report = recalculate(book, tmp_path / "out.xlsx")
    assert report.ok, report.reason
    got = values(tmp_path / "out.xlsx")["sref"]
    # Excel's cached values: Table1 D1:F4, data 1..6 in rows 2-3, a totals row
    assert got["B1"] == 21  # SUM(Table1[])
    assert got["B2"] == 7  # SUM(Table1[col2])
    assert got["B3"] == 15  # SUM(Table1[#This Row]) in row 3
    assert got["B5"] == 21  # SUM(Table1[#Data])
    assert got["F4"] == 9  # SUBTOTAL(109,[col3]) in the totals row
    assert got["B4"] == 30 and got["B7"] == 9  # SUM(Table1[#All]), SUM(Table1[#Totals])
    assert got["B6"] == "col1col2col3"  # CONCAT(Table1[#Headers])


def _subtotal_book(path, *, filtered: bool) -> str:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    for r, v in enumerate([None, 1, 2, None, 10, 20], 1):
        if v is not None:
            ws.cell(r, 1, v)
    ws["A1"] = "Amount"
    ws["A4"] = "=SUBTOTAL(9,A2:A3)"  # a subtotal inside the range: left out of the ones around it
    ws["A7"] = "=SUBTOTAL(9,A2:A6)"
    ws["A8"] = "=SUBTOTAL(109,A2:A6)"
    ws["A9"] = "=SUBTOTAL(2,A2:A6)"
    ws["A10"] = "=SUM(A2:A6)"
    ws.row_dimensions[5].hidden = True
    if filtered:
        ws.auto_filter.ref = "A1:A6"
    wb.save(path)
    return os.fspath(path)


@pytest.mark.parametrize("filtered, expected", [
    (False, {"A7": 33, "A8": 23, "A9": 4, "A10": 36}),  # row 5 hidden by hand: only 101-111 skip it
    (True, {"A7": 23, "A8": 23, "A9": 3, "A10": 36}),  # row 5 filtered out: every SUBTOTAL skips it
])
def test_subtotal_leaves_out_nested_subtotals_and_hidden_rows(tmp_path, filtered, expected):
    # Microsoft Support, "SUBTOTAL function": other SUBTOTALs in the references are ignored;
    # 1-11 include rows hidden by hand and 101-111 exclude them; rows a filter hides are
    # excluded by both.
    src = _subtotal_book(tmp_path / "in.xlsx", filtered=filtered)
    report = recalculate(src, tmp_path / "out.xlsx")
    assert report.ok, report.reason
    got = values(tmp_path / "out.xlsx")["S"]
    assert got["A4"] == 3
    assert {k: got[k] for k in expected} == expected
