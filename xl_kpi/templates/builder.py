"""Writing the template workbooks: the sheets, their formulas, styles, protection and charts.

:func:`build_workbook` makes an openpyxl workbook in one language, blank or filled with the
example company; :func:`xl_kpi.templates.workbook_bytes` saves it reproducibly (see
:mod:`xl_kpi.templates.reproducible`). The layout:

- *How to use*: a short guide.
- *Dashboard*: the KPI rows of :mod:`xl_kpi.templates.dashboard`, 24 month columns (C..Z), a
  gap, 8 quarter and 2 year columns (AB..AK); a benchmark column (B) that colours the cells;
  the acquisition funnel of the last 12 months; five charts.
- *Inputs*: one column per month (C..Z), the rows of :mod:`xl_kpi.templates.inputs`.
- *Survey*: NPS and CSAT answers, one row per answer, one column per month.
- *Subscriptions* and *Cohorts*: a billing ledger, its MRR movements and cohorts
  (:mod:`xl_kpi.templates.subscription_sheets`).
- *Roll-ups*: the inputs aggregated by quarter (C..J) and by year (K..L), row for row like
  Inputs, so a quarter's KPI is the month's formula pointed at this sheet.
"""

from __future__ import annotations

import weakref
from copy import copy
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference, Series
from openpyxl.chart.marker import Marker
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.comments import Comment
from openpyxl.drawing.line import LineProperties
from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, TwoCellAnchor
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter as L
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.formula import ArrayFormula

from . import labels
from .dashboard import FUNNEL_STAGES, LISTS, SECTIONS, KpiRow
from .example_data import Example
from .inputs import DERIVED, GROUPS, HEADER_ROW, ROWS, group_header_row, last_row, row_of
from .reproducible import FIXED_TIMESTAMP

__all__ = [
    "MONTHS", "MONTH_COLS", "QUARTER_COLS", "YEAR_COLS", "ROLLUP_SRC_COLS", "SURVEY_CAPACITY",
    "DashboardLayout", "dashboard_layout", "survey_rows", "build_workbook", "BLANK_FIRST_MONTH",
]

MONTHS = 24
FIRST_COL = 3  # column C
MONTH_COLS = list(range(FIRST_COL, FIRST_COL + MONTHS))  # C..Z on Inputs, Survey and Dashboard
QUARTER_COLS = list(range(28, 36))  # AB..AI on the Dashboard
YEAR_COLS = [36, 37]  # AJ..AK on the Dashboard
ROLLUP_SRC_COLS = list(range(FIRST_COL, FIRST_COL + 10))  # C..J quarters, K..L years on Roll-ups
SURVEY_CAPACITY = 200  # answer rows per month in each survey block
#: The first month a blank template starts at (an input: the user types theirs).
BLANK_FIRST_MONTH = date(2026, 1, 1)

# -- styles ---------------------------------------------------------------------------------------
NAVY = "1F3864"
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
INPUT_FONT = Font(color="1F4E9E")
GROUP_FILL = PatternFill("solid", fgColor="D9E2F3")
SECTION_FILL = PatternFill("solid", fgColor=NAVY)
BAND_FILL = PatternFill("solid", fgColor="B4C6E7")
WHITE_BOLD = Font(bold=True, color="FFFFFF")
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=16, color=NAVY)
SUBTITLE = Font(italic=True, color="595959")
NOTE = Font(italic=True, size=9, color="595959")
THIN = Side(style="thin", color="BFBFBF")
INPUT_BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
GOOD_FILL = PatternFill("solid", fgColor="C6EFCE", bgColor="C6EFCE")
GOOD_FONT = Font(color="006100")
BAD_FILL = PatternFill("solid", fgColor="FFC7CE", bgColor="FFC7CE")
BAD_FONT = Font(color="9C0006")
UNLOCKED = Protection(locked=False)

FORMATS = {
    "money": "#,##0",
    "money2": "#,##0.00",
    "pct": "0.0%",
    "pct2": "0.00%",
    "ratio": "0.00",
    "months": "0.0",
    "points": "0",
    "count": "#,##0",
}
INPUT_FORMATS = {"count": "#,##0", "amount": "#,##0", "signed": "#,##0", "fraction": "0.0%", "months": "0.0"}
DATE_FORMAT = {"en": "[$-409]mmm yy", "fr": "[$-40C]mmm yy"}


#: calcId written by Excel 2019 / Microsoft 365 (the version of its calculation engine).
EXCEL_365_CALC_ID = 191029


def _quote(sheet: str) -> str:
    """A sheet name as a formula writes it."""
    if sheet.replace("_", "").isalnum() and sheet.isascii() and not sheet[0].isdigit():
        return sheet
    return "'" + sheet.replace("'", "''") + "'"


def _text(lang: str, key: str) -> str:
    return labels.text(lang, key)


# -- survey layout ---------------------------------------------------------------------------------

def survey_rows() -> dict[str, tuple[int, int]]:
    """First and last answer row of each survey block (``"nps"``, ``"csat"``)."""
    nps_first = 6
    csat_first = nps_first + SURVEY_CAPACITY + 3
    return {"nps": (nps_first, nps_first + SURVEY_CAPACITY - 1),
            "csat": (csat_first, csat_first + SURVEY_CAPACITY - 1)}


# -- dashboard layout ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Block:
    """A run of Dashboard columns computed over one source sheet.

    ``groups`` are index ranges inside which "the previous period" is the column to the left
    (the months; the quarters; the years). ``survey`` gives, per column, the span of survey
    columns (months) whose answers it aggregates.
    """

    name: str
    dash_cols: tuple[int, ...]
    source: str  # "inputs" | "rollups"
    src_cols: tuple[int, ...]
    groups: tuple[tuple[int, int], ...]
    survey: tuple[tuple[int, int], ...]


BLOCKS = (
    Block("months", tuple(MONTH_COLS), "inputs", tuple(MONTH_COLS), ((0, MONTHS),),
          tuple((c, c) for c in MONTH_COLS)),
    Block("rollups", tuple(QUARTER_COLS + YEAR_COLS), "rollups", tuple(ROLLUP_SRC_COLS),
          ((0, 8), (8, 10)),
          tuple((FIRST_COL + 3 * q, FIRST_COL + 3 * q + 2) for q in range(8))
          + tuple((FIRST_COL + 12 * y, FIRST_COL + 12 * y + 11) for y in range(2))),
)


@dataclass(frozen=True)
class DashboardLayout:
    """Where everything sits on the Dashboard (1-based rows and columns)."""

    header_row: int
    rows: dict[str, int]  # KPI key -> row
    sections: dict[str, int]  # section key -> row of its header
    notes_row: int
    funnel_header_row: int  # the stage names; count, step and cumulative rows follow
    charts_row: int
    last_row: int

    @property
    def funnel_rows(self) -> dict[str, int]:
        r = self.funnel_header_row
        return {"count": r + 1, "step": r + 2, "cumulative": r + 3}


def dashboard_layout() -> DashboardLayout:
    """The Dashboard's rows, computed from the sections."""
    r = 5
    rows, sections = {}, {}
    for section, kpis in SECTIONS:
        sections[section] = r
        r += 1
        for k in kpis:
            rows[k.key] = r
            r += 1
    notes_row = r + 1
    funnel_header = notes_row + 4
    charts_row = funnel_header + 5
    return DashboardLayout(4, rows, sections, notes_row, funnel_header, charts_row, charts_row + 17)


FUNNEL_COLS = list(range(FIRST_COL, FIRST_COL + len(FUNNEL_STAGES)))  # one column per stage


# -- formulas --------------------------------------------------------------------------------------

class _Renderer:
    """Turns a row's template into the formula of a run of columns of a block."""

    def __init__(self, lang: str, layout: DashboardLayout):
        self.sheets = {s: _quote(labels.sheet_name(lang, s)) for s in ("inputs", "rollups", "survey")}
        self.layout = layout

    def _src_row(self, block: Block, key: str) -> int:
        if key == "customer_months" and block.source == "inputs":
            return row_of("customers_start")  # one month: the customers at its start
        return row_of(key)

    def render(self, template: str, block: Block, a: int, b: int) -> str:
        """The formula (with "=") over block columns ``a`` .. ``b - 1``."""
        src = self.sheets[block.source]

        def span(cols: tuple[int, ...], row: int, lo: int, hi: int, sheet: str | None) -> str:
            prefix = f"{sheet}!" if sheet else ""
            first = f"{L(cols[lo])}{row}"
            if hi - lo == 1:
                return prefix + first
            return f"{prefix}{first}:{L(cols[hi - 1])}{row}"

        out, i = [], 0
        while i < len(template):
            j = template.find("{", i)
            if j < 0:
                out.append(template[i:])
                break
            out.append(template[i:j])
            k = template.index("}", j)
            token = template[j + 1:k]
            i = k + 1
            if token.startswith("@"):
                out.append(span(block.dash_cols, self.layout.rows[token[1:]], a, b, None))
            elif token.startswith("list:"):
                assert b - a == 1, f"list argument {token} in a multi-column formula"
                spec = LISTS[token[5:]]
                if isinstance(spec, tuple):
                    col = L(block.src_cols[a])
                    out.append(f"{src}!{col}{row_of(spec[0])}:{col}{row_of(spec[1])}")
                else:
                    first, last = survey_rows()[spec]
                    c1, c2 = block.survey[a]
                    out.append(f"{self.sheets['survey']}!{L(c1)}{first}:{L(c2)}{last}")
            elif token.endswith("@prev"):
                out.append(span(block.src_cols, self._src_row(block, token[:-5]), a - 1, b - 1, src))
            else:
                out.append(span(block.src_cols, self._src_row(block, token), a, b, src))
        return "=" + "".join(out)


def _write_formula(ws, row: int, cols: tuple[int, ...], a: int, b: int, formula: str) -> None:
    """One formula over columns ``a`` .. ``b - 1``: an array formula when it spans several."""
    first = f"{L(cols[a])}{row}"
    if b - a == 1:
        ws[first] = formula
    else:
        ws[first] = ArrayFormula(f"{first}:{L(cols[b - 1])}{row}", formula)


def _runs(a: int, b: int, arrays: bool) -> list[tuple[int, int]]:
    """Columns ``a`` .. ``b - 1`` as one run (an array formula) or one run per cell."""
    return [(a, b)] if arrays else [(i, i + 1) for i in range(a, b)]


def _kpi_formulas(ws, kpi: KpiRow, row: int, render: _Renderer, arrays: bool) -> None:
    for block in BLOCKS:
        if kpi.shape == "rollup" and block.name == "months":
            continue
        n = len(block.dash_cols)
        if kpi.shape in ("spill", "rollup"):
            spans = _runs(0, n, arrays)
        elif kpi.shape == "cell":
            spans = _runs(0, n, False)
        elif kpi.shape == "shifted":
            spans = [run for lo, hi in block.groups if hi - lo > 1 for run in _runs(lo + 1, hi, arrays)]
        else:  # pragma: no cover - a typo in dashboard.py
            raise ValueError(f"unknown row shape {kpi.shape!r}")
        for a, b in spans:
            _write_formula(ws, row, block.dash_cols, a, b, render.render(kpi.formula, block, a, b))


# -- sheets ----------------------------------------------------------------------------------------

def _title(ws, lang: str, key: str, subtitle: str) -> None:
    ws["A1"] = _text(lang, key)
    ws["A1"].font = TITLE
    ws["A2"] = subtitle
    ws["A2"].font = SUBTITLE
    ws.row_dimensions[1].height = 24


def _protect(ws, *, insert_rows: bool = False) -> None:
    """Protect the sheet without a password: locked (formula) cells cannot be overwritten."""
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # False: allowed
    ws.protection.formatRows = False
    if insert_rows:
        ws.protection.insertRows = False
        ws.protection.deleteRows = False


#: The style of an input cell, per workbook and number format, once it has been built.
_INPUT_STYLES: "weakref.WeakKeyDictionary[Workbook, dict[str, object]]" = weakref.WeakKeyDictionary()


def _input_cell(cell, number_format: str) -> None:
    """Fill, font, border, unlocked and ``number_format``: an input cell.

    Setting five style attributes makes openpyxl hash and look up each in the workbook's style
    tables, which was most of the build time (100,000 input cells); the first cell of each
    format builds the style and the others copy its array of indices, as openpyxl's own sheet
    copy does.
    """
    styles = _INPUT_STYLES.setdefault(cell.parent.parent, {})
    done = styles.get(number_format)
    if done is not None:
        cell._style = copy(done)
        return
    cell.fill = INPUT_FILL
    cell.font = INPUT_FONT
    cell.border = INPUT_BORDER
    cell.protection = UNLOCKED
    cell.number_format = number_format
    styles[number_format] = copy(cell._style)


#: Data validation of each kind of input: type, operator, bounds (the message is in labels).
VALIDATIONS = {
    "count": ("whole", "greaterThanOrEqual", "0", None),
    "amount": ("decimal", "greaterThanOrEqual", "0", None),
    "signed": ("decimal", "between", "-1E+15", "1E+15"),
    "fraction": ("decimal", "between", "0", "1"),
    "months": ("decimal", "greaterThan", "0", None),
    "nps": ("whole", "between", "0", "10"),
    "csat": ("whole", "between", "1", "5"),
}


def _validations(lang: str) -> dict[str, DataValidation]:
    """One DataValidation per kind, each refusing what the KPI functions would refuse."""
    return {
        kind: DataValidation(type=vtype, operator=op, formula1=f1, formula2=f2, allow_blank=True,
                             showErrorMessage=True, errorTitle="xl-kpi", error=_text(lang, f"val_{kind}"),
                             showInputMessage=False)
        for kind, (vtype, op, f1, f2) in VALIDATIONS.items()
    }


def _month_header(ws, lang: str, row: int, first_month: date, *, source: str | None) -> None:
    """Month dates in C..Z: the first typed (Inputs) and the others a month later each."""
    for i, c in enumerate(MONTH_COLS):
        cell = ws.cell(row, c)
        if source is not None:
            cell.value = f"={source}!{L(c)}{HEADER_ROW}"
        elif i == 0:
            cell.value = first_month
            _input_cell(cell, DATE_FORMAT[lang])
        else:
            cell.value = f"=EDATE({L(c - 1)}{row},1)"
        cell.number_format = DATE_FORMAT[lang]
        cell.font = BOLD if i or source is not None else Font(bold=True, color="1F4E9E")
        cell.alignment = Alignment(horizontal="center")


def _inputs_sheet(wb, lang: str, example: Example | None) -> None:
    ws = wb.create_sheet(labels.sheet_name(lang, "inputs"))
    sub = _text(lang, "example_company") if example else _text(lang, "template_subtitle")
    _title(ws, lang, "title_inputs", sub)
    ws.cell(3, 3, _text(lang, "first_month")).font = NOTE
    ws.cell(HEADER_ROW, 1, _text(lang, "input")).font = BOLD
    ws.cell(HEADER_ROW, 2, _text(lang, "unit")).font = BOLD
    _month_header(ws, lang, HEADER_ROW, example.months[0] if example else BLANK_FIRST_MONTH, source=None)
    texts = labels.INPUT_TEXT[lang]
    for group in GROUPS:
        r = group_header_row(group)
        for c in range(1, FIRST_COL + MONTHS):
            ws.cell(r, c).fill = GROUP_FILL
        ws.cell(r, 1, _text(lang, group)).font = BOLD
    dvs = _validations(lang)
    for row in ROWS:
        r = row_of(row.key)
        label, unit, note = texts[row.key]
        ws.cell(r, 1, label)
        ws.cell(r, 1).comment = _comment(note)
        ws.cell(r, 2, unit).font = NOTE
        for i, c in enumerate(MONTH_COLS):
            cell = ws.cell(r, c)
            _input_cell(cell, INPUT_FORMATS[row.validation])
            if example:
                cell.value = example.inputs[row.key][i]
        dvs[row.validation].add(f"{L(MONTH_COLS[0])}{r}:{L(MONTH_COLS[-1])}{r}")
    for kind in ("count", "amount", "signed", "fraction", "months"):
        ws.add_data_validation(dvs[kind])
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 9
    for c in MONTH_COLS:
        ws.column_dimensions[L(c)].width = 11
    ws.freeze_panes = f"C{HEADER_ROW + 1}"
    _print_setup(ws, f"A1:{L(MONTH_COLS[-1])}{row_of(ROWS[-1].key)}", landscape=True)
    _protect(ws)


def _comment(text: str) -> Comment:
    c = Comment(text, "xl-kpi")
    c.width, c.height = 260, 70
    return c


def _survey_sheet(wb, lang: str, example: Example | None) -> None:
    ws = wb.create_sheet(labels.sheet_name(lang, "survey"))
    _title(ws, lang, "title_survey", _text(lang, "survey_note"))
    inputs = _quote(labels.sheet_name(lang, "inputs"))
    dvs = _validations(lang)
    blocks = survey_rows()
    for block, key in (("nps", "survey_nps"), ("csat", "survey_csat")):
        first, last = blocks[block]
        ws.cell(first - 2, 1, _text(lang, key)).font = BOLD
        for c in range(1, FIRST_COL + MONTHS):
            ws.cell(first - 2, c).fill = GROUP_FILL
        _month_header(ws, lang, first - 1, BLANK_FIRST_MONTH, source=inputs)
        ws.cell(first - 1, 1, "#").font = NOTE
        answers = (example.survey_nps if block == "nps" else example.survey_csat) if example else None
        for r in range(first, last + 1):
            ws.cell(r, 1, r - first + 1).font = NOTE
            for i, c in enumerate(MONTH_COLS):
                cell = ws.cell(r, c)
                _input_cell(cell, "0")
                if answers and r - first < len(answers[i]):
                    cell.value = answers[i][r - first]
        dvs[block].add(f"{L(MONTH_COLS[0])}{first}:{L(MONTH_COLS[-1])}{last}")
        ws.add_data_validation(dvs[block])
    ws.column_dimensions["A"].width = 8
    ws.column_dimensions["B"].width = 2
    for c in MONTH_COLS:
        ws.column_dimensions[L(c)].width = 8
    ws.freeze_panes = "C6"
    _print_setup(ws, f"A1:{L(MONTH_COLS[-1])}{blocks['csat'][1]}", landscape=False)
    _protect(ws, insert_rows=True)


def _rollups_sheet(wb, lang: str) -> None:
    ws = wb.create_sheet(labels.sheet_name(lang, "rollups"))
    _title(ws, lang, "title_rollups", _text(lang, "rollup_note"))
    ws["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(f"A2:{L(ROLLUP_SRC_COLS[-1])}3")
    ws.row_dimensions[2].height = 30
    inputs = _quote(labels.sheet_name(lang, "inputs"))
    ws.cell(HEADER_ROW, 1, _text(lang, "input")).font = BOLD
    ws.cell(HEADER_ROW, 2, _text(lang, "rule")).font = BOLD
    prefix = _text(lang, "quarter_prefix")
    spans = []  # (first month col, last month col) of each roll-up column
    for q in range(8):
        first = FIRST_COL + 3 * q
        spans.append((first, first + 2))
        ws.cell(HEADER_ROW, ROLLUP_SRC_COLS[q],
                f'="{prefix}"&INT((MONTH({inputs}!{L(first)}{HEADER_ROW})+2)/3)&" "&YEAR({inputs}!{L(first)}{HEADER_ROW})')
    for y in range(2):
        first = FIRST_COL + 12 * y
        spans.append((first, first + 11))
        cell = ws.cell(HEADER_ROW, ROLLUP_SRC_COLS[8 + y], f"=YEAR({inputs}!{L(first)}{HEADER_ROW})")
        cell.number_format = "0"
    for c in ROLLUP_SRC_COLS:
        ws.cell(HEADER_ROW, c).font = BOLD
        ws.cell(HEADER_ROW, c).alignment = Alignment(horizontal="center")
    texts = labels.INPUT_TEXT[lang]
    for group in GROUPS:
        r = group_header_row(group)
        for c in range(1, ROLLUP_SRC_COLS[-1] + 1):
            ws.cell(r, c).fill = GROUP_FILL
        ws.cell(r, 1, _text(lang, group)).font = BOLD
    derived_header = row_of(DERIVED[0].key) - 1
    for c in range(1, ROLLUP_SRC_COLS[-1] + 1):
        ws.cell(derived_header, c).fill = GROUP_FILL
    ws.cell(derived_header, 1, _text(lang, "derived")).font = BOLD
    items = [(r.key, r.key, r.rollup, r.weight, r.validation) for r in ROWS]
    items += [(d.key, d.source, d.rollup, None, "count") for d in DERIVED]
    for key, source, rule, weight, validation in items:
        r = row_of(key)
        src = row_of(source)
        ws.cell(r, 1, texts[key][0])
        ws.cell(r, 2, _text(lang, f"rule_{rule}")).font = NOTE
        for c, (m1, m2) in zip(ROLLUP_SRC_COLS, spans):
            rng = f"{inputs}!{L(m1)}{src}:{L(m2)}{src}"
            if rule == "sum":
                f = f"=SUM({rng})"
            elif rule == "first":
                f = f"={inputs}!{L(m1)}{src}"
            elif rule == "last":
                f = f"={inputs}!{L(m2)}{src}"
            elif rule == "average":
                f = f"=AVERAGE({rng})"
            else:  # weighted
                w = row_of(weight)
                wrng = f"{inputs}!{L(m1)}{w}:{L(m2)}{w}"
                f = f"=SUMPRODUCT({rng},{wrng})/SUM({wrng})"
            cell = ws.cell(r, c, f)
            cell.number_format = INPUT_FORMATS[validation]
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 24
    for c in ROLLUP_SRC_COLS:
        ws.column_dimensions[L(c)].width = 12
    ws.freeze_panes = f"C{HEADER_ROW + 1}"
    _print_setup(ws, f"A1:{L(ROLLUP_SRC_COLS[-1])}{last_row()}", landscape=True)
    _protect(ws)


def _dashboard_sheet(wb, lang: str, example: Example | None, arrays: bool) -> DashboardLayout:
    ws = wb.create_sheet(labels.sheet_name(lang, "dashboard"))
    layout = dashboard_layout()
    render = _Renderer(lang, layout)
    sub = _text(lang, "example_company") if example else _text(lang, "template_subtitle")
    _title(ws, lang, "title_dashboard", sub)
    inputs = _quote(labels.sheet_name(lang, "inputs"))
    rollups = _quote(labels.sheet_name(lang, "rollups"))
    last_col = YEAR_COLS[-1]
    # bands and headers
    hr = layout.header_row
    for key, cols in (("months", MONTH_COLS), ("quarters", QUARTER_COLS), ("years", YEAR_COLS)):
        ws.cell(hr - 1, cols[0], _text(lang, key)).font = BOLD
        ws.cell(hr - 1, cols[0]).alignment = Alignment(horizontal="center")
        for c in cols:
            ws.cell(hr - 1, c).fill = BAND_FILL
        ws.merge_cells(start_row=hr - 1, start_column=cols[0], end_row=hr - 1, end_column=cols[-1])
    ws.cell(hr, 1, _text(lang, "kpi")).font = BOLD
    ws.cell(hr, 2, _text(lang, "benchmark")).font = BOLD
    _month_header(ws, lang, hr, BLANK_FIRST_MONTH, source=inputs)
    for c, src in zip(QUARTER_COLS + YEAR_COLS, ROLLUP_SRC_COLS):
        cell = ws.cell(hr, c, f"={rollups}!{L(src)}{HEADER_ROW}")
        cell.font = BOLD
        cell.alignment = Alignment(horizontal="center")
        cell.number_format = "0"
    # sections and KPI rows
    kpi_text = labels.KPI_TEXT[lang]
    for section, kpis in SECTIONS:
        r = layout.sections[section]
        for c in range(1, last_col + 1):
            ws.cell(r, c).fill = SECTION_FILL
        ws.cell(r, 1, _text(lang, section)).font = WHITE_BOLD
        for kpi in kpis:
            r = layout.rows[kpi.key]
            ws.cell(r, 1, kpi_text[kpi.key])
            _kpi_formulas(ws, kpi, r, render, arrays)
            for c in MONTH_COLS + QUARTER_COLS + YEAR_COLS:
                ws.cell(r, c).number_format = FORMATS[kpi.fmt]
            if kpi.benchmark:
                _benchmark(ws, r, kpi)
    # notes
    for i, key in enumerate(("rollup_note", "benchmark_note")):
        r = layout.notes_row + i
        ws.cell(r, 1, _text(lang, key)).font = NOTE
        ws.cell(r, 1).alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=last_col)
        ws.row_dimensions[r].height = 26
    _funnel_block(ws, lang, layout, inputs, arrays)
    _dashboard_columns(ws)
    _charts(ws, lang, layout)
    # sheet setup
    ws.freeze_panes = f"C{hr + 1}"
    _print_setup(ws, f"A1:{L(last_col)}{layout.last_row}", landscape=True, paper=8, one_page=True)
    _protect(ws)
    return layout


def _benchmark(ws, row: int, kpi: KpiRow) -> None:
    b = kpi.benchmark
    cell = ws.cell(row, 2, b.formula if not b.formula[0].isalpha() else f"={b.formula}")
    if isinstance(cell.value, str) and not cell.value.startswith("="):
        cell.value = float(cell.value)
    cell.number_format = b.fmt
    cell.alignment = Alignment(horizontal="right")
    cell.font = BOLD
    ref = f"$B${row}"
    ops = (">=", "<") if b.better == ">=" else ("<=", ">")
    for cols in (MONTH_COLS, QUARTER_COLS + YEAR_COLS):
        first = f"{L(cols[0])}{row}"
        rng = f"{first}:{L(cols[-1])}{row}"
        # only numbers are coloured: an error or an empty cell meets no benchmark
        for op, fill, font in ((ops[0], GOOD_FILL, GOOD_FONT), (ops[1], BAD_FILL, BAD_FONT)):
            rule = FormulaRule(formula=[f"AND(ISNUMBER({first}),{first}{op}{ref})"], fill=fill, font=font)
            ws.conditional_formatting.add(rng, rule)


def _funnel_block(ws, lang: str, layout: DashboardLayout, inputs: str, arrays: bool) -> None:
    hr = layout.funnel_header_row
    rows = layout.funnel_rows
    ws.cell(hr - 1, 1, _text(lang, "funnel_title")).font = Font(bold=True, size=12, color=NAVY)
    for key, r in rows.items():
        ws.cell(r, 1, _text(lang, f"funnel_{key}"))
    last12 = (L(MONTH_COLS[-12]), L(MONTH_COLS[-1]))
    for stage, c in zip(FUNNEL_STAGES, FUNNEL_COLS):
        ws.cell(hr, c, _text(lang, f"stage_{stage}")).font = BOLD
        ws.cell(hr, c).alignment = Alignment(horizontal="right", shrink_to_fit=True)
        src = row_of(stage)
        cell = ws.cell(rows["count"], c, f"=SUM({inputs}!{last12[0]}{src}:{last12[1]}{src})")
        cell.number_format = FORMATS["count"]
    counts = f"{L(FUNNEL_COLS[0])}{rows['count']}:{L(FUNNEL_COLS[-1])}{rows['count']}"
    for key, extra in (("step", ""), ("cumulative", ',"cumulative"')):
        r = rows[key]
        if arrays:
            _write_formula(ws, r, tuple(FUNNEL_COLS), 0, len(FUNNEL_COLS), f"=KPI_FUNNEL({counts}{extra})")
        else:
            fixed = counts.replace(L(FUNNEL_COLS[0]), f"${L(FUNNEL_COLS[0])}$").replace(
                L(FUNNEL_COLS[-1]), f"${L(FUNNEL_COLS[-1])}$")
            for i, c in enumerate(FUNNEL_COLS):
                ws.cell(r, c, f"=INDEX(KPI_FUNNEL({fixed}{extra}),{i + 1})")
        for c in FUNNEL_COLS:
            ws.cell(r, c).number_format = FORMATS["pct2"]


def _column_pixels(ws, col: int) -> int:
    width = ws.column_dimensions[L(col)].width or 8.43
    return int(width * 7 + 5)


def _anchor_columns(ws, count: int, last_col: int) -> list[int]:
    """Columns where ``count`` charts of equal width start across the sheet's width."""
    edges, x = [], 0
    for c in range(1, last_col + 1):
        edges.append((x, c))
        x += _column_pixels(ws, c)
    step = x / count
    return [next(c for left, c in reversed(edges) if left <= i * step) for i in range(count)]


def _line(title: str, refs: list[tuple[Reference, str]], y_format: str) -> LineChart:
    chart = LineChart()
    chart.title = title
    for ref, name in refs:
        s = Series(ref, title=name)
        s.smooth = False
        chart.series.append(s)
    chart.y_axis.number_format = y_format
    return chart


def _benchmark_lines(ws, layout: DashboardLayout, lang: str) -> dict[str, Reference]:
    """Hidden rows repeating each charted benchmark across the months, for a line on the chart.

    (A chart line of literal numbers would do in Excel, but LibreOffice does not draw one.)
    """
    refs = {}
    for i, key in enumerate(("churn", "ltv_cac", "nps")):
        r = layout.last_row + 2 + i
        ws.cell(r, 1, f"{labels.text(lang, 'benchmark')}: {labels.KPI_TEXT[lang][key]}")
        for c in MONTH_COLS:
            ws.cell(r, c, f"=$B${layout.rows[key]}")
        ws.row_dimensions[r].hidden = True
        refs[key] = Reference(ws, min_col=MONTH_COLS[0], max_col=MONTH_COLS[-1], min_row=r)
    return refs


def _benchmark_series(ref: Reference, title: str) -> Series:
    """A dashed red line for a benchmark."""
    s = Series(ref, title=title)
    s.graphicalProperties = GraphicalProperties(ln=LineProperties(solidFill="C00000", prstDash="dash", w=15875))
    s.marker = Marker(symbol="none")
    s.smooth = False
    return s


def _dashboard_columns(ws) -> None:
    ws.column_dimensions["A"].width = 44
    ws.column_dimensions["B"].width = 11
    for c in MONTH_COLS:
        ws.column_dimensions[L(c)].width = 9.5
    ws.column_dimensions[L(MONTH_COLS[-1] + 1)].width = 2
    for c in QUARTER_COLS + YEAR_COLS:
        ws.column_dimensions[L(c)].width = 10


def _charts(ws, lang: str, layout: DashboardLayout) -> None:
    """The five charts, side by side under the funnel (column widths must be final)."""
    kpi_text = labels.KPI_TEXT[lang]
    months = Reference(ws, min_col=MONTH_COLS[0], max_col=MONTH_COLS[-1], min_row=layout.header_row)

    def row_ref(key: str) -> Reference:
        return Reference(ws, min_col=MONTH_COLS[0], max_col=MONTH_COLS[-1], min_row=layout.rows[key])

    # 1. MRR movements as stacked columns, the MRR as a line on a second axis
    bar = BarChart()
    bar.type, bar.grouping, bar.overlap, bar.gapWidth = "col", "stacked", 100, 40
    bar.title = _text(lang, "chart_mrr")
    for key in ("mrr_new_shown", "mrr_expansion_shown", "mrr_reactivation_shown",
                "mrr_contraction_shown", "mrr_churned_shown"):
        bar.series.append(Series(row_ref(key), title=kpi_text[key]))
    bar.set_categories(months)
    bar.y_axis.number_format = "#,##0"
    line = LineChart()
    line.series.append(Series(row_ref("mrr_end"), title=kpi_text["mrr_end"]))
    line.y_axis.axId = 200
    line.y_axis.crosses = "max"
    line.y_axis.number_format = "#,##0"
    line.y_axis.majorGridlines = None
    line.y_axis.delete = False
    bar += line
    # 2. churn, 3. LTV:CAC, 5. NPS: monthly lines
    churn = _line(_text(lang, "chart_churn"), [(row_ref("churn"), kpi_text["churn"])], "0.0%")
    ltv_cac = _line(_text(lang, "chart_ltv_cac"), [(row_ref("ltv_cac"), kpi_text["ltv_cac"])], "0.0")
    nps = _line(_text(lang, "chart_nps"),
                [(row_ref("nps"), kpi_text["nps"])], "0")
    benchmarks = _benchmark_lines(ws, layout, lang)
    for chart, kpi in ((churn, "churn"), (ltv_cac, "ltv_cac"), (nps, "nps")):
        chart.set_categories(months)
        chart.series.append(_benchmark_series(benchmarks[kpi], labels.text(lang, "benchmark")))
        chart.visible_cells_only = False  # the benchmark rows are hidden
        chart.legend = None
    # 4. the funnel: horizontal bars, top stage first, on a log scale (visitors dwarf customers)
    funnel = BarChart()
    funnel.type = "bar"
    funnel.title = _text(lang, "chart_funnel")
    rows = layout.funnel_rows
    funnel.series.append(Series(Reference(ws, min_col=FUNNEL_COLS[0], max_col=FUNNEL_COLS[-1],
                                          min_row=rows["count"]), title=_text(lang, "funnel_count")))
    funnel.set_categories(Reference(ws, min_col=FUNNEL_COLS[0], max_col=FUNNEL_COLS[-1],
                                    min_row=layout.funnel_header_row))
    funnel.x_axis.scaling.orientation = "maxMin"
    funnel.y_axis.scaling.logBase = 10
    funnel.y_axis.number_format = "#,##0"
    funnel.legend = None
    funnel.gapWidth = 40

    charts = (bar, churn, ltv_cac, funnel, nps)
    anchors = _anchor_columns(ws, len(charts), YEAR_COLS[-1])
    ends = anchors[1:] + [YEAR_COLS[-1] + 1]
    for chart, first, end in zip(charts, anchors, ends):
        # anchored to cells at both corners, so a chart keeps its share of the width in any
        # program, whatever the width it gives a column
        anchor = TwoCellAnchor(editAs="oneCell")
        anchor._from = AnchorMarker(col=first - 1, row=layout.charts_row - 1, colOff=90000, rowOff=0)
        anchor.to = AnchorMarker(col=end - 1, row=layout.last_row - 1, colOff=0, rowOff=0)
        chart.anchor = anchor
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.x_axis.tickLblPos = "low"
        ws.add_chart(chart)
    bar.legend.position = "b"


def _print_setup(ws, area: str, *, landscape: bool, paper: int = 9, one_page: bool = False) -> None:
    """Print area, orientation, paper (9 A4, 8 A3), fit to one page wide (and tall if asked)."""
    ws.print_area = area
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = paper
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if one_page else 0
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5


def _lines(text: str, per_line: int) -> int:
    """Lines a wrapped text takes in a column of ``per_line`` characters (row heights are not
    computed by every program)."""
    return max(1, -(-len(text) // per_line))


def _how_to_sheet(wb, lang: str) -> None:
    ws = wb.create_sheet(labels.sheet_name(lang, "how_to"))
    ws["A1"] = _text(lang, "title_how_to")
    ws["A1"].font = TITLE
    r = 3
    for line in labels.HOW_TO[lang]:
        if line.startswith("# "):
            r += 1
            ws.cell(r, 1, line[2:]).font = Font(bold=True, size=12, color=NAVY)
        else:
            ws.cell(r, 1, line).alignment = Alignment(wrap_text=True, vertical="top")
            ws.row_dimensions[r].height = 15 * _lines(line, 110)
        r += 1
    r += 1
    ws.cell(r, 1, _text(lang, "how_to_kpis")).font = Font(bold=True, size=12, color=NAVY)
    r += 1
    kpi_text = labels.KPI_TEXT[lang]
    for section, kpis in SECTIONS:
        ws.cell(r, 1, _text(lang, section)).font = BOLD
        r += 1
        for kpi in kpis:
            if kpi.function:
                ws.cell(r, 1, f"{kpi_text[kpi.key]}{' : ' if lang == 'fr' else ': '}{kpi.function}")
                r += 1
    ws.cell(r + 1, 1, _text(lang, "how_to_not_shown")).alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[r + 1].height = 15 * _lines(_text(lang, "how_to_not_shown"), 110)
    ws.column_dimensions["A"].width = 120
    _print_setup(ws, f"A1:A{r + 1}", landscape=False)
    _protect(ws)


def build_workbook(
    lang: str = "en", example: Example | None = None, *, arrays: bool | None = None
) -> tuple[Workbook, DashboardLayout]:
    """The workbook in ``lang``, blank (``example=None``) or filled with ``example``.

    ``arrays`` (default: for the blank template only) writes each KPI row of a block as one
    array formula (``{=KPI_CHURN(Inputs!C19:Z19,Inputs!C17:Z17)}`` over C..Z): one call of the
    Python function per row instead of one per cell, which keeps live recalculation in Excel
    fast. The example is written cell by cell (``=KPI_CHURN(Inputs!C19,Inputs!C17)``) because it
    ships with its values stored, and LibreOffice recomputes array formulas on opening (it
    cannot run KPI_* and would show ``#NAME?``) while it shows the stored value of an ordinary
    formula. Both forms compute the same numbers.
    """
    if arrays is None:
        arrays = example is None
    if lang not in labels.LANGS:
        raise ValueError(f"lang must be one of {', '.join(labels.LANGS)}; got {lang!r}")
    wb = Workbook()
    wb.remove(wb.active)
    _how_to_sheet(wb, lang)
    layout = _dashboard_sheet(wb, lang, example, arrays)
    _inputs_sheet(wb, lang, example)
    _survey_sheet(wb, lang, example)
    from .subscription_sheets import cohorts_sheet, subscriptions_sheet

    cohorts_sheet(wb, lang, subscriptions_sheet(wb, lang, example, arrays), arrays)
    _rollups_sheet(wb, lang)
    wb.active = 1 if example else 0
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = ws is wb.active
    if example is not None:
        # The example ships with every value computed by `xl-kpi recalc`: ask Excel to keep the
        # stored values on opening (no full recalculation on load; a current calculation-engine
        # id, since an older one makes Excel recompute everything, which without the add-in
        # turns every KPI_* cell into #NAME?). Editing an input still recomputes its dependents.
        wb.calculation.fullCalcOnLoad = False
        wb.calculation.calcId = EXCEL_365_CALC_ID
    props = wb.properties
    props.creator = props.lastModifiedBy = "xl-kpi"
    props.title = _text(lang, "title_dashboard")
    props.created = props.modified = FIXED_TIMESTAMP
    return wb, layout
