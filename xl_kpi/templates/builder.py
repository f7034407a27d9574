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
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.marker import Marker
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.chart.text import RichText
from openpyxl.comments import Comment
from openpyxl.drawing.line import LineProperties
from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, TwoCellAnchor
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties, RichTextProperties
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter as L
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.formula import ArrayFormula

from . import labels, number_formats
from .dashboard import FUNNEL_STAGES, LISTS, SECTIONS, KpiRow, all_rows
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
MONEY_KINDS = {"money": 0, "money2": 2, "amount": 0, "signed": 0}  # formats that are amounts


def number_format(kind: str, lang: str, currency: str | None) -> str:
    """The format of a Dashboard (``FORMATS``) or Inputs (``INPUT_FORMATS``) kind: amounts in
    the workbook's currency (an accounting format; currency-neutral in the blank template)."""
    if kind in MONEY_KINDS:
        return number_formats.money(lang, currency, decimals=MONEY_KINDS[kind])
    return FORMATS.get(kind) or INPUT_FORMATS[kind]


def _currency(example: Example | None) -> str | None:
    return example.currency if example is not None else None
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
    funnel_header = notes_row + len(NOTES) + 3
    charts_row = funnel_header + 5
    return DashboardLayout(4, rows, sections, notes_row, funnel_header, charts_row,
                           charts_row + 2 * CHART_ROWS)


#: The notes under the KPI rows (label keys).
NOTES = ("rollup_note", "reading_note", "benchmark_note")
#: Rows of one chart; the charts stand in two rows of three.
CHART_ROWS = 18
#: The Dashboard's columns printed on one page each, the labels (A:B) repeated on every page:
#: the first year's months, the second's, the quarters and years.
PRINT_STRIPS = ((1, MONTH_COLS[11]), (MONTH_COLS[12], MONTH_COLS[-1]), (MONTH_COLS[-1] + 1, YEAR_COLS[-1]))


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
            _input_cell(cell, number_format(row.validation, lang, _currency(example)))
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
    half_years = tuple((c, c + 5) for c in MONTH_COLS[::6])
    _print_setup(ws, f"A1:{L(MONTH_COLS[-1])}{row_of(ROWS[-1].key)}", landscape=True,
                 strips=((1, half_years[0][1]),) + half_years[1:], title_rows=(HEADER_ROW, HEADER_ROW),
                 title_cols=2)
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
    _print_setup(ws, f"A1:{L(MONTH_COLS[-1])}{blocks['csat'][1]}", landscape=True,
                 strips=PRINT_STRIPS[:2], title_cols=2)
    _protect(ws, insert_rows=True)


def _rollups_sheet(wb, lang: str, currency: str | None) -> None:
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
                f'="{prefix}"&INT((MONTH({inputs}!{L(first)}{HEADER_ROW})+2)/3)&" "'
                f'&YEAR({inputs}!{L(first)}{HEADER_ROW})')
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
            cell.number_format = number_format(validation, lang, currency)
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 24
    for c in ROLLUP_SRC_COLS:
        ws.column_dimensions[L(c)].width = 12
    ws.freeze_panes = f"C{HEADER_ROW + 1}"
    _print_setup(ws, f"A1:{L(ROLLUP_SRC_COLS[-1])}{last_row()}", landscape=True,
                 strips=((1, ROLLUP_SRC_COLS[7]), (ROLLUP_SRC_COLS[8], ROLLUP_SRC_COLS[-1])),
                 title_rows=(HEADER_ROW, HEADER_ROW), title_cols=2)
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
    # one band per printed page of months, so each page says what its columns are
    for key, cols in (("months", MONTH_COLS[:12]), ("months", MONTH_COLS[12:]), ("quarters", QUARTER_COLS),
                      ("years", YEAR_COLS)):
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
                ws.cell(r, c).number_format = number_format(kpi.fmt, lang, _currency(example))
            if kpi.benchmark:
                _benchmark(ws, r, kpi)
    # notes
    note_end = PRINT_STRIPS[0][1]  # within the first printed page's width
    note_chars = sum(_column_pixels(ws, c) for c in range(1, note_end + 1)) // 6  # 9-point italics
    for i, key in enumerate(NOTES):
        r = layout.notes_row + i
        ws.cell(r, 1, _text(lang, key)).font = NOTE
        ws.cell(r, 1).alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=note_end)
        ws.row_dimensions[r].height = 12 * _lines(_text(lang, key), note_chars) + 3
    _dashboard_columns(ws)
    _funnel_block(ws, lang, layout, inputs, arrays)
    _charts(ws, lang, layout, _currency(example))
    # sheet setup
    ws.freeze_panes = f"C{hr + 1}"
    _print_setup(ws, f"A1:{L(last_col)}{layout.last_row}", landscape=True,
                 strips=PRINT_STRIPS, title_rows=(hr - 1, hr), title_cols=2,
                 row_breaks=(layout.funnel_header_row - 2,))
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


def _line(title: str, refs: list[tuple[Reference, str]], y_format: str, y_title: str) -> LineChart:
    chart = LineChart()
    chart.title = title
    for ref, name in refs:
        s = Series(ref, title=name)
        s.smooth = False
        chart.series.append(s)
    chart.y_axis.number_format = y_format
    chart.y_axis.title = y_title
    return chart


def _benchmark_lines(ws, layout: DashboardLayout, lang: str) -> dict[str, tuple[Reference, str]]:
    """Hidden rows repeating each charted benchmark across the months, for a line on the chart,
    and the line's name, which says the benchmark ("Benchmark: 0.58 % or less").

    (A chart line of literal numbers would do in Excel, but LibreOffice does not draw one.)
    """
    refs = {}
    for i, key in enumerate(("churn", "ltv_cac", "nps")):
        r = layout.last_row + 2 + i
        ws.cell(r, 1, f"{labels.text(lang, 'benchmark')}: {labels.KPI_TEXT[lang][key]}")
        for c in MONTH_COLS:
            ws.cell(r, c, f"=$B${layout.rows[key]}")
        ws.row_dimensions[r].hidden = True
        kpi = next(k for k in all_rows() if k.key == key)
        refs[key] = (Reference(ws, min_col=MONTH_COLS[0], max_col=MONTH_COLS[-1], min_row=r),
                     benchmark_caption(kpi, lang))
    return refs


def benchmark_caption(kpi: KpiRow, lang: str) -> str:
    """The benchmark of a row in words, with its value: "Benchmark: 3.0 or more"."""
    from ..recalc import evaluate

    b = kpi.benchmark
    value = float(evaluate({}, "=" + b.formula))
    if kpi.fmt.startswith("pct"):
        text = f"{value * 100:.2f} %"
    else:
        text = f"{value:g}"
    if lang == "fr":
        text = text.replace(".", ",")
    return labels.text(lang, "benchmark_at_least" if b.better == ">=" else "benchmark_at_most").format(text)


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
    for c in MONTH_COLS:  # an amount in the accounting format: "€ 5,253,456 "
        ws.column_dimensions[L(c)].width = 10.5
    ws.column_dimensions[L(MONTH_COLS[-1] + 1)].width = 2
    for c in QUARTER_COLS + YEAR_COLS:
        ws.column_dimensions[L(c)].width = 11.5


#: Gains in blue and greens, losses in orange and red.
MOVEMENT_COLOURS = {"mrr_new_shown": "2E75B6", "mrr_expansion_shown": "70AD47", "mrr_reactivation_shown": "A9D18E",
                    "mrr_contraction_shown": "F4B183", "mrr_churned_shown": "C00000"}


def _month_axis(chart, lang: str) -> None:
    """Month labels on one line each, slanted so that 24 fit a third of the sheet's width, at the
    bottom whatever the sign of the values."""
    chart.x_axis.number_format = DATE_FORMAT[lang]
    chart.x_axis.tickLblPos = "low"
    size = CharacterProperties(sz=800)
    chart.x_axis.txPr = RichText(bodyPr=RichTextProperties(rot=-2700000, vert="horz"),
                                 p=[Paragraph(pPr=ParagraphProperties(defRPr=size), endParaRPr=size)])


def _charts(ws, lang: str, layout: DashboardLayout, currency: str | None) -> None:
    """Six charts in two rows of three, each within one printed page's columns.

    MRR and its movements are two charts, as ChartMogul and Baremetrics draw them: one value
    axis each, so no second axis whose zero would not line up with the first's.
    """
    text = lambda key: _text(lang, key)  # noqa: E731
    kpi_text = labels.KPI_TEXT[lang]
    months = Reference(ws, min_col=MONTH_COLS[0], max_col=MONTH_COLS[-1], min_row=layout.header_row)
    money_axis = number_formats.money_signed_plain(lang, currency)

    def row_ref(key: str) -> Reference:
        return Reference(ws, min_col=MONTH_COLS[0], max_col=MONTH_COLS[-1], min_row=layout.rows[key])

    # 1. MRR movements: stacked columns, losses below zero, and the net new MRR as a line
    bar = BarChart()
    bar.type, bar.grouping, bar.overlap, bar.gapWidth = "col", "stacked", 100, 40
    bar.title = text("chart_movements_dash")
    for key, colour in MOVEMENT_COLOURS.items():
        series = Series(row_ref(key), title=kpi_text[key])
        series.graphicalProperties = GraphicalProperties(solidFill=colour)
        bar.series.append(series)
    bar.set_categories(months)
    bar.y_axis.number_format = money_axis
    bar.y_axis.title = text("axis_mrr_change")
    net = LineChart()
    net_series = Series(row_ref("net_new_mrr"), title=kpi_text["net_new_mrr"])
    net_series.graphicalProperties = GraphicalProperties(ln=LineProperties(solidFill="000000", w=19050))
    net_series.marker = Marker(symbol="circle", size=4)
    net_series.smooth = False
    net.series.append(net_series)
    bar += net  # the same axes: one zero
    _month_axis(bar, lang)
    # 2. the MRR itself
    mrr = _line(text("chart_mrr_end"), [(row_ref("mrr_end"), kpi_text["mrr_end"])], money_axis,
                text("axis_mrr"))
    mrr.set_categories(months)
    mrr.y_axis.scaling.min = 0  # a level, read from zero
    _month_axis(mrr, lang)
    # 3. the funnel: horizontal bars, top stage first, on a log scale (visitors dwarf customers)
    funnel = BarChart()
    funnel.type = "bar"
    funnel.title = text("chart_funnel")
    rows = layout.funnel_rows
    stages = Series(Reference(ws, min_col=FUNNEL_COLS[0], max_col=FUNNEL_COLS[-1], min_row=rows["count"]),
                    title=text("funnel_count"))
    stages.dLbls = DataLabelList(showVal=True, showSerName=False, showCatName=False, showLegendKey=False,
                                 numFmt="#,##0", dLblPos="outEnd")
    funnel.series.append(stages)
    funnel.set_categories(Reference(ws, min_col=FUNNEL_COLS[0], max_col=FUNNEL_COLS[-1],
                                    min_row=layout.funnel_header_row))
    funnel.x_axis.scaling.orientation = "maxMin"
    funnel.y_axis.scaling.logBase = 10
    funnel.y_axis.scaling.min = 1  # bars from 1: the smallest stage keeps its length
    funnel.y_axis.number_format = "#,##0"
    funnel.y_axis.title = text("axis_funnel")
    funnel.legend = None
    funnel.gapWidth = 40
    funnel.x_axis.tickLblPos = "low"
    # 4. churn, 5. LTV:CAC, 6. NPS: monthly lines with their benchmark, named in the legend
    churn = _line(text("chart_churn"), [(row_ref("churn"), kpi_text["churn"])], "0.0%", text("axis_churn"))
    ltv_cac = _line(text("chart_ltv_cac"), [(row_ref("ltv_cac"), kpi_text["ltv_cac"])], "0.0",
                    text("axis_ltv_cac"))
    nps = _line(text("chart_nps"), [(row_ref("nps"), kpi_text["nps"])], "0", text("axis_nps"))
    benchmarks = _benchmark_lines(ws, layout, lang)
    for chart, kpi in ((churn, "churn"), (ltv_cac, "ltv_cac"), (nps, "nps")):
        chart.set_categories(months)
        ref, caption = benchmarks[kpi]
        chart.series.append(_benchmark_series(ref, caption))
        chart.visible_cells_only = False  # the benchmark rows are hidden
        _month_axis(chart, lang)

    grid = ((bar, mrr, funnel), (churn, ltv_cac, nps))
    for i, charts in enumerate(grid):
        top = layout.charts_row + i * CHART_ROWS
        for chart, (first, last) in zip(charts, PRINT_STRIPS):
            # anchored to cells at both corners (columns first..last), so a chart keeps its
            # place in any program and prints whole on its page; never in the label columns
            # A:B, which every printed page repeats
            first = max(first, FIRST_COL)
            anchor = TwoCellAnchor(editAs="oneCell")
            anchor._from = AnchorMarker(col=first - 1, row=top - 1, colOff=0, rowOff=0)
            anchor.to = AnchorMarker(col=last, row=top + CHART_ROWS - 2, colOff=0, rowOff=0)
            chart.anchor = anchor
            chart.x_axis.delete = False
            chart.y_axis.delete = False
            if chart.legend is not None:
                chart.legend.position = "b"
            ws.add_chart(chart)


#: Paper sizes (width, height in inches, portrait) of the paperSize codes used: 9 A4, 8 A3.
PAPER_INCHES = {9: (8.27, 11.69), 8: (11.69, 16.54)}
MARGIN_INCHES = 0.4
#: The smallest scale a page prints at before the next paper size is taken: 11-point text at
#: 75 % is about 8 points.
LEGIBLE_SCALE = 75
#: LibreOffice lays a column out wider than Excel's 7 pixels a character when Calibri (or its
#: metric twin Carlito) is missing and a wider font stands in: about 30 % with DejaVu Sans. The
#: scale leaves that room, so a page fits in either program.
FONT_ROOM = 1.3


def _print_setup(ws, area: str, *, landscape: bool, paper: int | None = None, strips=None,
                 title_rows=None, title_cols: int = 0, row_breaks=()) -> None:
    """Print area, orientation, paper, and a scale at which each page is legible.

    ``strips`` are runs of columns (first, last) printed one per page across, the first
    ``title_cols`` columns repeated on each (print titles), as are the rows ``title_rows``;
    without strips the whole width is one page. The scale is the largest (at most 100 %) at
    which the widest page fits the paper's width; ``paper`` None takes A4, or A3 when A4 would
    print below :data:`LEGIBLE_SCALE`. An explicit scale rather than "fit to width", which Excel
    ignores along with manual page breaks. Pages run as tall as needed, broken before each row
    of ``row_breaks``.
    """
    from openpyxl.worksheet.pagebreak import Break

    ws.print_area = area
    first_col, last_col = openpyxl_range_columns(area)
    strips = strips or ((first_col, last_col),)
    titles = sum(_column_pixels(ws, c) for c in range(1, title_cols + 1))
    widest = FONT_ROOM * max(sum(_column_pixels(ws, c) for c in range(a, b + 1) if c > title_cols) + titles
                             for a, b in strips)

    def scale(code: int) -> int:
        width, height = PAPER_INCHES[code]
        return min(100, int(100 * ((height if landscape else width) - 2 * MARGIN_INCHES) * 96 / widest))

    if paper is None:
        paper = 9 if scale(9) >= LEGIBLE_SCALE else 8
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = paper
    ws.page_setup.scale = max(10, scale(paper))
    ws.sheet_properties.pageSetUpPr.fitToPage = False
    ws.page_margins.left = ws.page_margins.right = MARGIN_INCHES
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    for _, last in strips[:-1]:
        ws.col_breaks.append(Break(id=last))
    for r in row_breaks:
        ws.row_breaks.append(Break(id=r))
    if title_rows:
        ws.print_title_rows = f"{title_rows[0]}:{title_rows[1]}"
    if title_cols:
        ws.print_title_cols = f"A:{L(title_cols)}"


def openpyxl_range_columns(area: str) -> tuple[int, int]:
    """The first and last column numbers of an A1 range."""
    from openpyxl.utils.cell import range_boundaries

    min_col, _, max_col, _ = range_boundaries(area)
    return min_col, max_col


def _lines(text: str, per_line: int) -> int:
    """Lines a wrapped text takes in a column of ``per_line`` characters (row heights are not
    computed by every program)."""
    return max(1, -(-len(text) // per_line))


HOW_TO_WIDTH = 85  # characters of column A: 600 pixels, A4 portrait at 90 % or more
HOW_TO_CHARS = 78  # characters of text a line of it holds


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
            ws.row_dimensions[r].height = 15 * _lines(line, HOW_TO_CHARS)
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
    ws.row_dimensions[r + 1].height = 15 * _lines(_text(lang, "how_to_not_shown"), HOW_TO_CHARS)
    ws.column_dimensions["A"].width = HOW_TO_WIDTH  # A4 portrait at 100 %
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

    cohorts_sheet(wb, lang, subscriptions_sheet(wb, lang, example, arrays), arrays, _currency(example))
    _rollups_sheet(wb, lang, _currency(example))
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
