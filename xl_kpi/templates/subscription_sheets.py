"""The Subscriptions and Cohorts sheets: a billing ledger and the tables computed from it.

*Subscriptions* holds the ledger (customer id, month, MRR, and an optional plan and segment) in
columns A..E from row 7, input cells for :data:`LEDGER_ROWS` rows, and next to it the MRR
movements of ``KPI_MRR_MOVEMENTS`` (columns G..P, one row a month) under a header written here,
with a chart below. *Cohorts* holds ``KPI_COHORTS`` twice, customers (``"logos"``) and MRR
(``"revenue"``), one row per cohort and one column per age, and the revenue retention of each
cohort (``KPI_COHORTS(..., "revenue", TRUE)``: the one definition, in :mod:`xl_kpi.subscriptions`).

Two ways of writing a table, as for the Dashboard (:func:`~xl_kpi.templates.builder.build_workbook`):

- the blank template (``arrays=True``) writes each table as one array formula over
  :data:`TEMPLATE_MONTHS` rows, one call of the Python function per table; the rows after the
  ledger's last month hold ``#N/A`` (Excel fills an array range larger than its result so), which
  a conditional format hides as long as the table's first cell is not an error;
- the example writes every cell of a table as ``=INDEX(KPI_MRR_MOVEMENTS(...),ROW()-ROW($G$6),
  COLUMN()-COLUMN($G$6)+1)`` over exactly its months: LibreOffice recomputes every array formula
  when it opens a file (and, without the add-in, shows ``#NAME?``), but shows the value stored by
  ``xl-kpi recalc`` for an ordinary formula. The cohort blocks get formulas only where a cohort
  has an age with data (the triangle), which halves the calls Excel makes.
"""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.chart import BarChart, LineChart, Reference, Series
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.drawing.line import LineProperties
from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, TwoCellAnchor
from openpyxl.formatting.rule import ColorScaleRule, FormulaRule
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter as L
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.formula import ArrayFormula

from . import labels
from .builder import (
    BAND_FILL,
    BOLD,
    DATE_FORMAT,
    GROUP_FILL,
    MOVEMENT_COLOURS,
    NAVY,
    NOTE,
    SUBTITLE,
    TITLE,
    _input_cell,
    _print_setup,
    _protect,
    _quote,
)
from .example_data import Example
from .number_formats import money, money_signed_plain

__all__ = [
    "LEDGER_HEADER_ROW", "LEDGER_FIRST_ROW", "LEDGER_ROWS", "LEDGER_COLUMNS", "MOVEMENT_COLUMNS",
    "MOVEMENTS_FIRST_COL", "TEMPLATE_MONTHS", "SubscriptionLayout", "subscription_layout",
    "subscriptions_sheet", "cohorts_sheet", "ledger_ranges",
]

LEDGER_HEADER_ROW = 6
LEDGER_FIRST_ROW = 7
#: Input rows of the ledger (insert rows below the movements table for more).
LEDGER_ROWS = 3000
#: The ledger's columns (A..E), by label key.
LEDGER_COLUMNS = ("col_customer", "col_month", "col_mrr", "col_plan", "col_segment")
#: The columns of KPI_MRR_MOVEMENTS' table (G..P), by label key, in the function's order.
MOVEMENT_COLUMNS = ("mov_month", "mov_start", "mov_new", "mov_expansion", "mov_contraction",
                    "mov_churned", "mov_reactivation", "mov_net_new", "mov_end", "mov_customers")
MOVEMENTS_FIRST_COL = 7  # G
#: Months (rows) of each table in the blank template.
TEMPLATE_MONTHS = 36
_HELPER_COLS = (18, 19)  # R, S: contraction and churned as negative amounts, for the chart
_COHORT_TOP = 4  # the Cohorts sheet's first block title
_MONEY = "#,##0"
_MONEY_SIGNED = "#,##0;-#,##0"
_WHITE = Font(color="FFFFFF")


@dataclass(frozen=True)
class SubscriptionLayout:
    """Where the tables sit (1-based rows and columns)."""

    months: int  # rows of each table
    movements_first_row: int
    cohort_header_rows: dict[str, int]  # "logos" | "revenue" | "retention" -> row of the ages

    @property
    def movements_last_row(self) -> int:
        return self.movements_first_row + self.months - 1

    def cohort_rows(self, block: str) -> tuple[int, int]:
        """First and last data row of a cohort block."""
        first = self.cohort_header_rows[block] + 1
        return first, first + self.months - 1

    @property
    def chart_rows(self) -> tuple[int, int]:
        first = self.movements_last_row + 3
        return first, first + 20


def subscription_layout(months: int) -> SubscriptionLayout:
    """The layout of tables of ``months`` rows."""
    headers, r = {}, _COHORT_TOP
    for block in ("logos", "revenue", "retention"):
        headers[block] = r + 1  # title row, then the header of the ages
        r += months + 4
    return SubscriptionLayout(months, LEDGER_FIRST_ROW, headers)


def ledger_ranges(sheet: str | None = None) -> tuple[str, str, str]:
    """The absolute ranges of the ids, months and MRR columns (prefixed by ``sheet`` if given)."""
    last = LEDGER_FIRST_ROW + LEDGER_ROWS - 1
    prefix = f"{sheet}!" if sheet else ""
    return tuple(f"{prefix}${c}${LEDGER_FIRST_ROW}:${c}${last}" for c in "ABC")


def _header(cell, text: str, *, align: str = "center") -> None:
    cell.value = text
    cell.font = BOLD
    cell.fill = GROUP_FILL
    cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=True)


def _band(ws, row: int, first: int, last: int, text: str) -> None:
    ws.cell(row, first, text).font = Font(bold=True, size=12, color=NAVY)
    for c in range(first, last + 1):
        ws.cell(row, c).fill = BAND_FILL


def _table(ws, formula: str, top: int, left: int, rows: int, cols: int, arrays: bool,
           written=lambda i, j: True) -> None:
    """A spilled table under the header row ``top - 1``: one array formula, or one INDEX per cell.

    ``written(i, j)`` says whether cell (row i, column j) of the per-cell form gets a formula.
    """
    if arrays:
        first = f"{L(left)}{top}"
        ws[first] = ArrayFormula(f"{first}:{L(left + cols - 1)}{top + rows - 1}", formula)
    else:
        anchor = f"${L(left)}${top - 1}"
        body = formula[1:]
        for i in range(rows):
            for j in range(cols):
                if written(i, j):
                    ws.cell(top + i, left + j,
                            f"=INDEX({body},ROW()-ROW({anchor}),COLUMN()-COLUMN({anchor})+1)")
    # rows past the ledger's last month hold #N/A in an array range: hidden while the table
    # itself computes (its first cell is no error); an error of the whole table stays visible
    first = f"{L(left)}{top}"
    rule = FormulaRule(formula=[f"AND(ISNA({first}),NOT(ISERROR(${L(left)}${top})))"], font=_WHITE)
    ws.conditional_formatting.add(f"{first}:{L(left + cols - 1)}{top + rows - 1}", rule)


def subscriptions_sheet(wb, lang: str, example: Example | None, arrays: bool) -> SubscriptionLayout:
    """The ledger, the MRR movements table and its chart."""
    text = lambda key: labels.text(lang, key)  # noqa: E731
    ws = wb.create_sheet(labels.sheet_name(lang, "subscriptions"))
    months = len(example.months) if example else TEMPLATE_MONTHS
    layout = subscription_layout(months)
    ws["A1"] = text("title_subscriptions")
    ws["A1"].font = TITLE
    ws.row_dimensions[1].height = 24
    if example:
        note = text("subs_example_note").format(customers=len({row.customer for row in example.ledger}))
    else:
        note = text("subs_template_note")
    ws["A2"] = note
    ws["A2"].font = SUBTITLE
    ws["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    last_col = MOVEMENTS_FIRST_COL + len(MOVEMENT_COLUMNS) - 1
    ws.merge_cells(start_row=2, start_column=1, end_row=3, end_column=last_col)
    ws.row_dimensions[2].height = 22
    ws.row_dimensions[3].height = 22
    # the ledger
    _band(ws, LEDGER_HEADER_ROW - 1, 1, len(LEDGER_COLUMNS), text("ledger_title"))
    for c, key in enumerate(LEDGER_COLUMNS, start=1):
        _header(ws.cell(LEDGER_HEADER_ROW, c), text(key))
    currency = example.currency if example is not None else None
    formats = ("@", DATE_FORMAT[lang], money(lang, currency, decimals=2), "@", "@")
    rows = example.ledger if example else []
    for i in range(LEDGER_ROWS):
        r = LEDGER_FIRST_ROW + i
        values = (rows[i].customer, rows[i].month, rows[i].mrr, rows[i].plan, rows[i].country) \
            if i < len(rows) else (None,) * 5
        for c, (value, fmt) in enumerate(zip(values, formats), start=1):
            cell = ws.cell(r, c, value)
            _input_cell(cell, fmt)
    last = LEDGER_FIRST_ROW + LEDGER_ROWS - 1
    for col, (vtype, op, f1, key) in {"B": ("date", "greaterThanOrEqual", "1", "val_month"),
                                       "C": ("decimal", "greaterThanOrEqual", "0", "val_mrr")}.items():
        dv = DataValidation(type=vtype, operator=op, formula1=f1, allow_blank=True, showErrorMessage=True,
                            errorTitle="xl-kpi", error=text(key), showInputMessage=False)
        dv.add(f"{col}{LEDGER_FIRST_ROW}:{col}{last}")
        ws.add_data_validation(dv)
    # the movements table
    _band(ws, LEDGER_HEADER_ROW - 1, MOVEMENTS_FIRST_COL, last_col, text("movements_title"))
    for j, key in enumerate(MOVEMENT_COLUMNS):
        _header(ws.cell(LEDGER_HEADER_ROW, MOVEMENTS_FIRST_COL + j), text(key))
    ids, mon, mrr = ledger_ranges()
    _table(ws, f"=KPI_MRR_MOVEMENTS({ids},{mon},{mrr})", layout.movements_first_row, MOVEMENTS_FIRST_COL,
           months, len(MOVEMENT_COLUMNS), arrays)
    top, bottom = layout.movements_first_row, layout.movements_last_row
    for r in range(top, bottom + 1):
        for j in range(len(MOVEMENT_COLUMNS)):
            fmt = DATE_FORMAT[lang] if j == 0 else "#,##0" if j == len(MOVEMENT_COLUMNS) - 1 \
                else money(lang, currency)
            ws.cell(r, MOVEMENTS_FIRST_COL + j).number_format = fmt
    ws.cell(bottom + 1, MOVEMENTS_FIRST_COL, text("first_month_new")).font = NOTE
    _chart(ws, lang, layout)
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 10
    ws.column_dimensions["C"].width = 10
    ws.column_dimensions["D"].width = 13
    ws.column_dimensions["E"].width = 13
    ws.column_dimensions["F"].width = 3
    for c in range(MOVEMENTS_FIRST_COL, last_col + 1):
        ws.column_dimensions[L(c)].width = 11.5
    ws.row_dimensions[LEDGER_HEADER_ROW].height = 30
    ws.freeze_panes = f"A{LEDGER_FIRST_ROW}"
    _print_setup(ws, f"A1:{L(last_col)}{max(layout.chart_rows[1], LEDGER_FIRST_ROW + len(rows))}",
                 landscape=True)
    _protect(ws, insert_rows=True)
    return layout


def _chart(ws, lang: str, layout: SubscriptionLayout) -> None:
    """Stacked movements (losses below zero, from two hidden helper columns) and the ending MRR,
    from the second month (the first month's "new" is the whole ledger's MRR)."""
    top, bottom = layout.movements_first_row, layout.movements_last_row
    col = {key: MOVEMENTS_FIRST_COL + j for j, key in enumerate(MOVEMENT_COLUMNS)}
    helper = labels.text(lang, "chart_helper")
    for key, c in zip(("mov_contraction", "mov_churned"), _HELPER_COLS):
        ws.cell(LEDGER_HEADER_ROW, c, f"-{labels.text(lang, key)} ({helper})")
        for r in range(top, bottom + 1):
            ws.cell(r, c, f"=-{L(col[key])}{r}").number_format = _MONEY_SIGNED
        ws.column_dimensions[L(c)].hidden = True

    def ref(c: int) -> Reference:  # from the second month: in the first, every customer is new
        return Reference(ws, min_col=c, min_row=top + 1, max_row=bottom)

    bar = BarChart()
    bar.type, bar.grouping, bar.overlap, bar.gapWidth = "col", "stacked", 100, 40
    bar.title = labels.text(lang, "chart_movements")
    colours = iter(MOVEMENT_COLOURS.values())
    for key, c in (("mov_new", col["mov_new"]), ("mov_expansion", col["mov_expansion"]),
                   ("mov_reactivation", col["mov_reactivation"]), ("mov_contraction", _HELPER_COLS[0]),
                   ("mov_churned", _HELPER_COLS[1])):
        series = Series(ref(c), title=labels.text(lang, key))
        series.graphicalProperties = GraphicalProperties(solidFill=next(colours))
        bar.series.append(series)
    bar.set_categories(ref(col["mov_month"]))
    bar.y_axis.number_format = _MONEY
    bar.y_axis.title = labels.text(lang, "axis_mrr_change")
    # the net new MRR on the same axis (one zero), as on the Dashboard; the ending MRR is the
    # table's last money column
    line = LineChart()
    net = Series(ref(col["mov_net_new"]), title=labels.text(lang, "mov_net_new"))
    net.graphicalProperties = GraphicalProperties(ln=LineProperties(solidFill="000000", w=19050))
    net.smooth = False
    line.series.append(net)
    bar += line
    bar.visible_cells_only = False  # the helper columns are hidden
    bar.x_axis.delete = False
    bar.y_axis.delete = False
    bar.x_axis.tickLblPos = "low"
    bar.x_axis.number_format = DATE_FORMAT[lang]
    bar.legend.position = "b"
    first, last = layout.chart_rows
    anchor = TwoCellAnchor(editAs="oneCell")
    anchor._from = AnchorMarker(col=MOVEMENTS_FIRST_COL - 1, row=first - 1, colOff=0, rowOff=0)
    anchor.to = AnchorMarker(col=MOVEMENTS_FIRST_COL + len(MOVEMENT_COLUMNS) - 1, row=last - 1, colOff=0, rowOff=0)
    bar.anchor = anchor
    ws.add_chart(bar)


def cohorts_sheet(wb, lang: str, layout: SubscriptionLayout, arrays: bool, currency: str | None = None) -> None:
    """KPI_COHORTS by customers and by MRR, and each cohort's revenue retention."""
    text = lambda key: labels.text(lang, key)  # noqa: E731
    ws = wb.create_sheet(labels.sheet_name(lang, "cohorts"))
    n = layout.months
    last_col = 2 + n - 1  # column A the cohort, B.. the ages 0..n-1
    ws["A1"] = text("title_cohorts")
    ws["A1"].font = TITLE
    ws.row_dimensions[1].height = 24
    ws["A2"] = text("cohorts_note")
    ws["A2"].font = SUBTITLE
    ids, mon, mrr = ledger_ranges(_quote(labels.sheet_name(lang, "subscriptions")))
    # a compact money format: 24 ages side by side
    fmt = {"logos": "#,##0", "revenue": money_signed_plain(lang, currency), "retention": "0%"}
    for block, title in (("logos", "cohort_logos_title"), ("revenue", "cohort_revenue_title"),
                         ("retention", "cohort_retention_title")):
        header = layout.cohort_header_rows[block]
        first, last = layout.cohort_rows(block)
        _band(ws, header - 1, 1, last_col, text(title))
        ws.cell(header - 1, last_col - 3, text("cohort_age")).font = NOTE
        _header(ws.cell(header, 1), text("cohort_month"))
        for age in range(n):
            _header(ws.cell(header, 2 + age), age)
        # revenue retention: the revenue cohorts over their age 0, computed by KPI_COHORTS itself
        # (normalize TRUE), so the sheet holds no second definition of it
        measure = '"revenue",TRUE' if block == "retention" else f'"{block}"'
        _table(ws, f"=KPI_COHORTS({ids},{mon},{mrr},{measure})", first, 1, n, n + 1, arrays,
               written=lambda i, j: j == 0 or i + j - 1 < n)
        for r in range(first, last + 1):
            ws.cell(r, 1).number_format = DATE_FORMAT[lang]
            ws.cell(r, 1).font = BOLD
            for c in range(2, last_col + 1):
                ws.cell(r, c).number_format = fmt[block]
    first, last = layout.cohort_rows("retention")
    ws.conditional_formatting.add(
        f"B{first}:{L(last_col)}{last}",
        ColorScaleRule(start_type="num", start_value=0.6, start_color="F8696B", mid_type="num", mid_value=1,
                       mid_color="FFEB84", end_type="num", end_value=1.4, end_color="63BE7B"))
    ws.column_dimensions["A"].width = 10
    for c in range(2, last_col + 1):
        ws.column_dimensions[L(c)].width = 8.5
    ws.freeze_panes = "B3"
    _print_setup(ws, f"A1:{L(last_col)}{last}", landscape=True, strips=((1, 1 + n // 2), (2 + n // 2, last_col)),
                 title_cols=1)
    _protect(ws)
