"""Subscription tables in Excel: the same ledgers through the Python API, the KPI_* functions as
xlwings calls them, and ``xl-kpi recalc`` of a workbook holding the ledger as cells; and the
Subscriptions and Cohorts sheets of the template workbooks.

Every layer is brought to one form before comparing: a month as ``"YYYY-MM"`` (the API gives a
Timestamp, the UDF a datetime, a recalculated cell an Excel serial number), a number as float, a
cell without data (NaN, ``""``, an empty cell) as None. The hand-built ledgers and their tables
worked out by hand are in ``ledgers.py``.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import subprocess
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from openpyxl.utils import get_column_letter as L
from openpyxl.worksheet.formula import ArrayFormula

from xl_kpi.subscriptions import cohorts, mrr_movements
from xl_kpi.templates import file_name, labels, recalc_available, render, user_edited
from xl_kpi.templates.example_data import BAD_MONTH, example
from xl_kpi.templates.example_ledger import COUNTRIES, PLANS, SAMPLE, example_ledger
from xl_kpi.templates.subscription_sheets import (
    LEDGER_FIRST_ROW,
    LEDGER_ROWS,
    MOVEMENT_COLUMNS,
    MOVEMENTS_FIRST_COL,
    TEMPLATE_MONTHS,
    subscription_layout,
)
from xl_kpi.udfs import UDFS

from ledgers import EVERY_MOVEMENT, LEDGERS, excel_serial

REPO = Path(__file__).resolve().parents[1]
WORKBOOKS = REPO / "workbooks"
EPOCH = dt.date(1899, 12, 30)

needs_recalc = pytest.mark.skipif(not recalc_available(), reason="xl_kpi.recalc is not importable")
needs_libreoffice = pytest.mark.skipif(not render.available(), reason="LibreOffice or pdftoppm missing")


# -- one form for every layer ----------------------------------------------------------------------

def month_key(v) -> str:
    """A month as "YYYY-MM", from a date, a datetime, a Timestamp, an Excel serial or text."""
    if isinstance(v, str):
        return v[:7]
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        v = EPOCH + dt.timedelta(days=int(v))
    return f"{v.year:04d}-{v.month:02d}"


def cell(v):
    """A table cell as float, or None for a cell without data."""
    if v is None or v == "":
        return None
    if isinstance(v, str):  # an error value: kept as its text, never equal to a number
        return v
    v = float(v)
    return None if math.isnan(v) else v


def canon(rows) -> list[list]:
    """Table rows with the month (or cohort) first: ["YYYY-MM", float | None, ...]."""
    return [[month_key(r[0])] + [cell(v) for v in r[1:]] for r in rows]


def hand_movements(led) -> list[list]:
    return canon(led.movements)


def hand_cohorts(led, measure: str) -> list[list]:
    months = [row[0] for row in led.movements]
    return canon([month] + list(row) for month, row in zip(months, getattr(led, measure)))


def api_movements(ids, months, mrr) -> list[list]:
    return canon(mrr_movements(ids, months, mrr).itertuples(index=False, name=None))


def api_cohorts(ids, months, mrr, measure: str, *, normalize: bool = False) -> list[list]:
    frame = cohorts(ids, months, mrr, measure=measure, normalize=normalize)
    return canon([month] + list(row) for month, row in zip(frame.index, frame.to_numpy()))


def udf_args(led) -> tuple[list, list, list]:
    """The ledger's columns as xlwings passes three single-column ranges of cells: a 2-D list of
    rows; text ids as str, a date cell as datetime, a number as float."""
    ids = [[str(c)] for c in led.customer_ids]
    months = [[dt.datetime.strptime(m, "%Y-%m")] for m in led.months]
    mrr = [[float(v)] for v in led.mrr]
    return ids, months, mrr


def same(got: list[list], want: list[list]) -> bool:
    """Equal tables, numbers to 1e-9 relative."""
    if len(got) != len(want) or any(len(g) != len(w) for g, w in zip(got, want)):
        return False
    for g, w in zip(got, want):
        for a, b in zip(g, w):
            if isinstance(a, float) and isinstance(b, float):
                if not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9):
                    return False
            elif a != b:
                return False
    return True


# -- (a) the Python API and (b) the UDFs, on the hand-built ledgers --------------------------------

@pytest.mark.parametrize("led", LEDGERS, ids=lambda led: led.name)
def test_python_api_gives_the_hand_calculated_tables(led):
    args = (list(led.customer_ids), list(led.months), list(led.mrr))
    assert same(api_movements(*args), hand_movements(led))
    for measure in ("logos", "revenue"):
        assert same(api_cohorts(*args, measure), hand_cohorts(led, measure)), measure


@pytest.mark.parametrize("led", LEDGERS, ids=lambda led: led.name)
def test_udfs_called_as_xlwings_calls_them_give_the_same_tables(led):
    ids, months, mrr = udf_args(led)
    got = UDFS["KPI_MRR_MOVEMENTS"](ids, months, mrr)
    assert all(type(row[0]) is dt.datetime for row in got)  # a date Excel formats, not text
    assert same(canon(got), hand_movements(led))
    for measure in ("logos", "revenue"):
        table = UDFS["KPI_COHORTS"](ids, months, mrr, measure)
        assert same(canon(table), hand_cohorts(led, measure)), measure
    # "logos" is the default, given as a blank cell or left out
    assert UDFS["KPI_COHORTS"](ids, months, mrr, None) == UDFS["KPI_COHORTS"](ids, months, mrr, "logos")


def test_udfs_read_months_as_serial_numbers_or_text_and_skip_blank_rows():
    ids, months, mrr = udf_args(EVERY_MOVEMENT)
    want = hand_movements(EVERY_MOVEMENT)
    serials = [[excel_serial(m, day=15)] for m in EVERY_MOVEMENT.months]  # any day of the month
    text = [[m] for m in EVERY_MOVEMENT.months]
    blank = [[None]] * 4  # the empty rows under a ledger pasted into a larger range
    assert same(canon(UDFS["KPI_MRR_MOVEMENTS"](ids, serials, mrr)), want)
    assert same(canon(UDFS["KPI_MRR_MOVEMENTS"](ids, text, mrr)), want)
    assert same(canon(UDFS["KPI_MRR_MOVEMENTS"](ids + blank, months + blank, mrr + blank)), want)


def test_udfs_show_a_bad_ledger_as_one_excel_error():
    ids, months, mrr = udf_args(EVERY_MOVEMENT)
    negative = [[-1.0]] + mrr[1:]
    assert UDFS["KPI_MRR_MOVEMENTS"](ids, months, negative) == "#NUM!"
    assert UDFS["KPI_COHORTS"](ids, months, mrr, "customers") == "#VALUE!"
    assert UDFS["KPI_COHORTS"]([[None]] * 3, [[None]] * 3, [[None]] * 3) == "#N/A"  # no rows yet


# -- (c) xl-kpi recalc of a workbook holding the ledger as cells ------------------------------------

def _ledger_workbook(led, *, months_as: str = "date", spare_rows: int = 3, extra_rows: int = 0) -> bytes:
    """Sheet "Billing": the ledger from row 2 (and ``spare_rows`` empty rows inside the ranges);
    sheet "Tables": the movements, then the two cohort matrices, each one array formula, sized
    to the table (plus ``extra_rows`` rows)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Billing"
    ws.append(["customer", "month", "MRR"])
    for cid, month, value in zip(led.customer_ids, led.months, led.mrr):
        if months_as == "date":
            m = dt.datetime.strptime(month, "%Y-%m")
        elif months_as == "serial":
            m = excel_serial(month)
        else:
            m = month
        ws.append([cid, m, value])
        if months_as == "date":
            ws.cell(ws.max_row, 2).number_format = "yyyy-mm-dd"
    last = 1 + len(led.mrr) + spare_rows
    ids, months, mrr = (f"Billing!${c}$2:${c}${last}" for c in "ABC")
    t = wb.create_sheet("Tables")
    n = len(led.movements)
    rows = n + extra_rows
    t["A1"] = ArrayFormula(f"A1:J{rows}", f"=KPI_MRR_MOVEMENTS({ids},{months},{mrr})")
    for k, measure in enumerate(("logos", "revenue")):
        top = rows + 2 + k * (rows + 1)
        t[f"A{top}"] = ArrayFormula(f"A{top}:{L(n + 1)}{top + rows - 1}",
                                    f'=KPI_COHORTS({ids},{months},{mrr},"{measure}")')
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _recalc(data: bytes, tmp_path: Path, name: str = "book"):
    from xl_kpi.recalc import recalculate

    src, dst = tmp_path / f"{name}.xlsx", tmp_path / f"{name}-calc.xlsx"
    src.write_bytes(data)
    report = recalculate(src, dst)
    assert report.ok, report.reason
    return report, openpyxl.load_workbook(dst, data_only=True)


def _block(ws, top: int, left: int, rows: int, cols: int) -> list[list]:
    return [[ws.cell(top + i, left + j).value for j in range(cols)] for i in range(rows)]


@needs_recalc
@pytest.mark.parametrize("led", LEDGERS, ids=lambda led: led.name)
def test_recalc_of_the_array_formulas_gives_the_same_tables(led, tmp_path):
    report, wb = _recalc(_ledger_workbook(led), tmp_path)
    assert report.errors == {} and report.issues == []
    t, n = wb["Tables"], len(led.movements)
    movements = _block(t, 1, 1, n, 10)
    assert all(isinstance(row[0], (int, float)) for row in movements)  # a serial number, unformatted
    args = (list(led.customer_ids), list(led.months), list(led.mrr))
    assert same(canon(movements), hand_movements(led))
    assert same(canon(movements), api_movements(*args))
    assert same(canon(movements), canon(UDFS["KPI_MRR_MOVEMENTS"](*udf_args(led))))
    for k, measure in enumerate(("logos", "revenue")):
        matrix = canon(_block(t, n + 2 + k * (n + 1), 1, n, n + 1))
        assert same(matrix, hand_cohorts(led, measure)), measure
        assert same(matrix, api_cohorts(*args, measure)), measure


@needs_recalc
@pytest.mark.parametrize("months_as", ["serial", "text"])
def test_recalc_reads_months_typed_as_serial_numbers_or_text(months_as, tmp_path):
    _, wb = _recalc(_ledger_workbook(EVERY_MOVEMENT, months_as=months_as), tmp_path)
    assert same(canon(_block(wb["Tables"], 1, 1, 5, 10)), hand_movements(EVERY_MOVEMENT))


@needs_recalc
def test_an_array_range_larger_than_the_table_is_filled_with_na_as_in_excel(tmp_path):
    _, wb = _recalc(_ledger_workbook(EVERY_MOVEMENT, extra_rows=2), tmp_path)
    t = wb["Tables"]
    assert same(canon(_block(t, 1, 1, 5, 10)), hand_movements(EVERY_MOVEMENT))
    assert _block(t, 6, 1, 2, 10) == [["#N/A"] * 10] * 2


@needs_recalc
def test_an_array_range_smaller_than_the_table_shows_its_first_rows_as_in_excel(tmp_path):
    _, wb = _recalc(_ledger_workbook(EVERY_MOVEMENT, extra_rows=-2), tmp_path)
    t = wb["Tables"]
    assert same(canon(_block(t, 1, 1, 3, 10)), hand_movements(EVERY_MOVEMENT)[:3])
    assert _block(t, 4, 1, 1, 10) == [[None] * 10]  # nothing written past the range


# -- the example's billing ledger -------------------------------------------------------------------

def test_example_ledger_is_a_tenth_of_the_company_month_by_month():
    ex = example()
    rows = ex.ledger
    assert rows == example_ledger(ex.inputs, ex.months)  # the same every build
    assert 60 <= len({r.customer for r in rows}) <= 150
    assert {r.month for r in rows} == set(ex.months)
    assert rows == sorted(rows, key=lambda r: (r.month, r.customer))
    assert all(r.mrr > 0 for r in rows)
    assert {r.plan for r in rows} <= {p[0] for p in PLANS} and {r.country for r in rows} <= {c[0] for c in COUNTRIES}
    assert len({(r.customer, r.month) for r in rows}) == len(rows)  # one row per customer and month
    table = mrr_movements([r.customer for r in rows], [r.month for r in rows], [r.mrr for r in rows])
    company_end = np.asarray(ex.inputs["mrr_start"][1:] + [None], dtype=float)  # a month's end = next start
    share = table["end_mrr"].to_numpy()[:-1] / company_end[:-1]
    assert (abs(share - 1 / SAMPLE) < 0.02).all(), share
    customers = table["customers"].to_numpy() / np.asarray(ex.inputs["customers_end"], dtype=float)
    assert (abs(customers - 1 / SAMPLE) < 0.02).all(), customers
    # the outage: the month with the most churned MRR, and some of every movement over the two years
    assert int(np.argmax(table["churned"].to_numpy())) == BAD_MONTH
    for column in ("new", "expansion", "contraction", "churned", "reactivation"):
        assert table[column].iloc[1:].sum() > 0, column


# -- the sheets of the template workbooks ----------------------------------------------------------

def _sheets(wb, lang):
    return wb[labels.sheet_name(lang, "subscriptions")], wb[labels.sheet_name(lang, "cohorts")]


def _formula(v) -> str:
    return getattr(v, "text", v)


def test_the_blank_template_writes_each_table_as_one_array_formula(workbooks):
    wb = openpyxl.load_workbook(io.BytesIO(workbooks.bytes("template", "en")))
    subs, coh = _sheets(wb, "en")
    layout = subscription_layout(TEMPLATE_MONTHS)
    last = LEDGER_FIRST_ROW + LEDGER_ROWS - 1
    table = subs.cell(LEDGER_FIRST_ROW, MOVEMENTS_FIRST_COL).value
    assert table.ref == f"G{LEDGER_FIRST_ROW}:P{LEDGER_FIRST_ROW + TEMPLATE_MONTHS - 1}"
    assert table.text == f"=KPI_MRR_MOVEMENTS($A$7:$A${last},$B$7:$B${last},$C$7:$C${last})"
    headers = [subs.cell(LEDGER_FIRST_ROW - 1, MOVEMENTS_FIRST_COL + j).value for j in range(10)]
    assert headers == ["Month", "Starting MRR", "New", "Expansion", "Contraction", "Churned", "Reactivation",
                       "Net new", "Ending MRR", "Customers"]
    first, _ = layout.cohort_rows("revenue")
    matrix = coh.cell(first, 1).value
    assert matrix.ref == f"A{first}:{L(TEMPLATE_MONTHS + 1)}{first + TEMPLATE_MONTHS - 1}"
    assert matrix.text == (f'=KPI_COHORTS(Subscriptions!$A$7:$A${last},Subscriptions!$B$7:$B${last},'
                           f'Subscriptions!$C$7:$C${last},"revenue")')
    assert [coh.cell(first - 1, c).value for c in range(1, 5)] == ["Cohort", 0, 1, 2]
    # the ledger is empty input cells with a validation refusing a negative MRR
    assert subs.cell(LEDGER_FIRST_ROW, 1).value is None
    assert subs.cell(last, 3).protection.locked is False and subs.cell(last + 1, 3).protection.locked
    mrr_rules = [dv for dv in subs.data_validations.dataValidation if str(dv.sqref) == f"C7:C{last}"]
    assert [(dv.type, dv.operator, dv.formula1) for dv in mrr_rules] == [("decimal", "greaterThanOrEqual", "0")]


def test_the_movements_chart_plots_the_table_from_its_second_month_with_losses_below_zero(workbooks):
    wb, _ = workbooks.built("en", example())
    subs, _ = _sheets(wb, "en")
    (chart,) = subs._charts
    refs = {str(series.val.numRef.f).split("!")[1] for plot in [chart, *chart._charts] for series in plot.series}
    # new, expansion, reactivation, -contraction, -churned (hidden helpers), the net new MRR
    assert refs == {f"${c}$8:${c}$30" for c in "IJMRSN"}
    assert len({plot.y_axis.axId for plot in [chart, *chart._charts]}) == 1  # one value axis, one zero
    assert subs["R8"].value == "=-K8" and subs["S8"].value == "=-L8"  # contraction, churned
    assert subs.column_dimensions["R"].hidden and subs.column_dimensions["S"].hidden


def test_the_example_writes_every_table_cell_as_an_ordinary_formula(workbooks):
    wb = openpyxl.load_workbook(io.BytesIO(workbooks.bytes("example", "fr", recalc=False)))
    subs, coh = _sheets(wb, "fr")
    arrays = [(ws.title, c.coordinate) for ws in (subs, coh) for row in ws.iter_rows() for c in row
              if hasattr(c.value, "ref")]
    assert arrays == []
    assert subs["H9"].value == ("=INDEX(KPI_MRR_MOVEMENTS($A$7:$A$3006,$B$7:$B$3006,$C$7:$C$3006),"
                                "ROW()-ROW($G$6),COLUMN()-COLUMN($G$6)+1)")
    assert subs["A7"].value == example().ledger[0].customer
    assert "88" in subs["A2"].value and "Nimbus Ledger" in subs["A2"].value  # says what the ledger is
    # the cohort blocks: only where a cohort has an age with data (24 months: cohort i, age < 24 - i)
    first, _ = subscription_layout(24).cohort_rows("logos")
    assert coh.cell(first, 25).value is not None and coh.cell(first + 1, 25).value is None
    assert coh.cell(first + 23, 2).value is not None and coh.cell(first + 23, 3).value is None


@needs_recalc
@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.slow
def test_recalculated_example_tables_equal_the_python_api_on_the_sheets_ledger(lang):
    wb = openpyxl.load_workbook(WORKBOOKS / file_name("example", lang), data_only=True)
    subs, coh = _sheets(wb, lang)
    ledger = [[subs.cell(r, c).value for c in (1, 2, 3)]
              for r in range(LEDGER_FIRST_ROW, LEDGER_FIRST_ROW + LEDGER_ROWS)]
    ledger = [row for row in ledger if row != [None, None, None]]
    assert len(ledger) == len(example().ledger)
    ids, months, mrr = (list(col) for col in zip(*ledger))
    layout = subscription_layout(24)
    movements = _block(subs, layout.movements_first_row, MOVEMENTS_FIRST_COL, 24, len(MOVEMENT_COLUMNS))
    assert same(canon(movements), api_movements(ids, months, mrr))
    for block in ("logos", "revenue"):
        first, _ = layout.cohort_rows(block)
        assert same(canon(_block(coh, first, 1, 24, 25)), api_cohorts(ids, months, mrr, block)), block
    first, _ = layout.cohort_rows("retention")
    retention = api_cohorts(ids, months, mrr, "revenue", normalize=True)
    assert same(canon(_block(coh, first, 1, 24, 25)), retention)
    # one definition (KPI_COHORTS normalized), checked against the other: MRR at each age / age 0
    revenue_first, _ = layout.cohort_rows("revenue")
    for i in range(24):
        mrr_row = [coh.cell(revenue_first + i, 2 + age).value for age in range(24 - i)]
        kept = [coh.cell(first + i, 2 + age).value for age in range(24 - i)]
        if mrr_row[0]:
            assert kept == pytest.approx([v / mrr_row[0] for v in mrr_row], rel=1e-12), i
    errors = [(ws.title, c.coordinate, c.value) for ws in (subs, coh) for row in ws.iter_rows() for c in row
              if isinstance(c.value, str) and c.value.startswith("#")]
    assert errors == []


@needs_recalc
def test_a_ledger_pasted_into_the_blank_template_fills_its_tables(tmp_path, workbooks):
    led = EVERY_MOVEMENT
    wb = openpyxl.load_workbook(io.BytesIO(workbooks.bytes("template", "en")))
    subs, _ = _sheets(wb, "en")
    for i, (cid, month, value) in enumerate(zip(led.customer_ids, led.months, led.mrr)):
        r = LEDGER_FIRST_ROW + i
        subs.cell(r, 1, cid)
        subs.cell(r, 2, dt.datetime.strptime(month, "%Y-%m"))
        subs.cell(r, 3, value)
    buf = io.BytesIO()
    wb.save(buf)
    _, out = _recalc(buf.getvalue(), tmp_path, "template")
    subs, coh = _sheets(out, "en")
    layout = subscription_layout(TEMPLATE_MONTHS)
    top = layout.movements_first_row
    assert same(canon(_block(subs, top, MOVEMENTS_FIRST_COL, 5, 10)), hand_movements(led))
    # the rest of the array range is #N/A, which a conditional format hides while the table computes
    rest = TEMPLATE_MONTHS - 5
    assert _block(subs, top + 5, MOVEMENTS_FIRST_COL, rest, 10) == [["#N/A"] * 10] * rest
    rules = [r.formula for rng in subs.conditional_formatting for r in rng.rules]
    assert [f"AND(ISNA(G{top}),NOT(ISERROR($G${top})))"] in rules
    for block in ("logos", "revenue"):
        first, _ = layout.cohort_rows(block)
        assert same(canon(_block(coh, first, 1, 5, 6)), hand_cohorts(led, block)), block
        assert coh.cell(first + 5, 1).value == "#N/A" and coh.cell(first, 7).value == "#N/A"
    first, _ = layout.cohort_rows("retention")
    retention = canon(_block(coh, first, 1, 5, 6))
    assert retention[0] == ["2024-01", 1.0, 270 / 350, 270 / 350, 150 / 350, 230 / 350]  # hand: revenue / 350
    assert coh.cell(first + 5, 1).value == "#N/A" and coh.cell(first, 7).value == "#N/A"  # as the others


def test_typing_in_the_ledger_makes_the_workbook_a_users(tmp_path, workbooks):
    path = tmp_path / file_name("template", "fr")
    data = workbooks.bytes("template", "fr")
    path.write_bytes(data)
    assert not user_edited(path, "template", "fr")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    wb[labels.sheet_name("fr", "subscriptions")]["C2000"] = 120
    wb.save(path)
    assert user_edited(path, "template", "fr")


# -- LibreOffice ------------------------------------------------------------------------------------

def _pdf_text(pdf: Path, page: int) -> str:
    return subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


@pytest.mark.slow
@needs_libreoffice
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_libreoffice_shows_the_examples_subscription_tables(lang, tmp_path):
    path = WORKBOOKS / file_name("example", lang)
    names = openpyxl.load_workbook(path, read_only=True).sheetnames
    pdf = render.to_pdf(path, tmp_path)
    wb = openpyxl.load_workbook(path, data_only=True)
    subs, coh = _sheets(wb, lang)
    end_mrr = subs.cell(subscription_layout(24).movements_last_row, MOVEMENTS_FIRST_COL + 8).value
    for sheet, probe in ((subs, end_mrr), (coh, coh.cell(subscription_layout(24).cohort_rows("revenue")[0], 2).value)):
        text = _pdf_text(pdf, names.index(sheet.title) + 1)  # one page per sheet
        assert sheet["A1"].value in text
        assert "#NAME?" not in text and "#NOM?" not in text and "Err:" not in text and "#N/A" not in text
        shown = f"{probe:,.0f}"
        assert any(shown.replace(",", sep) in text for sep in (",", "\u202f", "\xa0", " ")), (sheet.title, shown)
