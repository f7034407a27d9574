"""``xl-kpi report``: the monthly KPI table of a billing export, in the terminal, as CSV or as an
Excel workbook with charts.

The numbers come from :func:`xl_kpi.subscriptions.monthly_kpis` and
:func:`xl_kpi.subscriptions.cohorts`; this module only lays them out. What was done to the data
(rows summed, blank rows skipped, conversions) is printed on stderr as notes; a file that cannot
be read or holds bad rows exits 2 with a one-line reason.
"""

from __future__ import annotations

import argparse
import io
import math
import sys
import zipfile
from pathlib import Path

FORMATS = ("table", "csv", "xlsx")

#: The two terminal tables: (title, columns), each column (name, header, kind) with kind "month" |
#: "money" | "count" | "rate" | "ratio".
TABLES = (
    ("MRR movements", (
        ("month", "Month", "month"),
        ("start_mrr", "Start MRR", "money"),
        ("new", "New", "money"),
        ("expansion", "Expansion", "money"),
        ("contraction", "Contraction", "money"),
        ("churned", "Churned", "money"),
        ("reactivation", "Reactivation", "money"),
        ("net_new", "Net new", "money"),
        ("end_mrr", "End MRR", "money"),
    )),
    ("Customers, churn and retention", (
        ("month", "Month", "month"),
        ("customers", "Customers", "count"),
        ("new_customers", "New", "count"),
        ("reactivated_customers", "Reactivated", "count"),
        ("churned_customers", "Churned", "count"),
        ("logo_churn", "Logo churn", "rate"),
        ("revenue_churn", "Revenue churn", "rate"),
        ("nrr", "NRR", "rate"),
        ("grr", "GRR", "rate"),
        ("nrr_12m", "NRR 12m", "rate"),
        ("grr_12m", "GRR 12m", "rate"),
        ("quick_ratio", "Quick ratio", "ratio"),
    )),
)
TABLE_COLUMNS = tuple(c for _, cols in TABLES for c in cols)

#: Headers and kinds of every column of the CSV / workbook table.
ALL_COLUMNS = {
    **{c: (h, k) for c, h, k in TABLE_COLUMNS},
    "arr": ("ARR", "money"),
    "arpa": ("ARPA", "money"),
    "start_customers": ("Start customers", "count"),
    "new_customers": ("New customers", "count"),
    "reactivated_customers": ("Reactivated customers", "count"),
    "churned_customers": ("Churned customers", "count"),
    "net_revenue_churn": ("Net revenue churn", "rate"),
    "grr_12m": ("GRR 12m", "rate"),
    "mrr_growth": ("MRR growth", "rate"),
}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="monthly MRR movements, churn, NRR and cohorts of a billing export",
        description="Read a billing export (CSV, Parquet or Excel; one row per customer and month, "
        "or per invoice line) and print its monthly KPI table: MRR movements, customers, logo and "
        "revenue churn, NRR, GRR (monthly and 12 months) and the quick ratio.",
    )
    p.add_argument("file", help="the export: .csv, .tsv, .txt (optionally .gz), .parquet or .xlsx")
    p.add_argument("--by", metavar="COLUMN", help="one table per value of this column (segment, plan, ...)")
    p.add_argument("--format", choices=FORMATS, help="table (default), csv, or xlsx (with charts); "
                   "taken from the suffix of -o when omitted")
    p.add_argument("-o", "--output", metavar="OUT", help="write here instead of the terminal")
    p.add_argument("--sheet", help="the sheet of an Excel export (default the first)")
    for name in ("customer", "month", "mrr", "billing-months", "currency"):
        p.add_argument(f"--{name}", metavar="COLUMN", help=f"the {name.replace('-', ' ')} column, when "
                       "not found by its usual names")
    p.add_argument("--layout", choices=("snapshot", "invoices"), default="snapshot",
                   help="snapshot: each row is the customer's MRR for its month (default); invoices: "
                   "each row pays for --billing-months months from its date")
    p.add_argument("--rate", action="append", default=[], metavar="CUR=RATE",
                   help="exchange rate of a currency into the reporting currency (repeat per currency)")
    p.add_argument("--duplicates", choices=("sum", "drop", "raise"), default="sum",
                   help="rows repeating another exactly: add up (default), keep one, or stop")
    p.add_argument("--window", type=int, default=12, help="months of the trailing NRR/GRR (default 12)")
    p.set_defaults(run=run)


def _fail(message: str) -> int:
    text = " ".join(str(message).split())
    if not text.startswith("xl-kpi report:"):
        text = f"xl-kpi report: {text}"
    print(text, file=sys.stderr)
    return 2


def _rates(items: list[str]) -> dict[str, float] | None:
    if not items:
        return None
    out = {}
    for item in items:
        cur, sep, value = item.partition("=")
        try:
            out[cur.strip()] = float(value)
        except ValueError:
            raise ValueError(f"--rate wants CUR=RATE, e.g. EUR=1.08; got {item!r}") from None
        if not sep or not cur.strip():
            raise ValueError(f"--rate wants CUR=RATE, e.g. EUR=1.08; got {item!r}")
    return out


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from ..errors import KPIError
    from ..subscriptions import cohorts, load_ledger, monthly_kpis

    fmt = args.format
    if fmt is None:
        suffix = Path(args.output).suffix.lower() if args.output else ""
        fmt = {".csv": "csv", ".xlsx": "xlsx"}.get(suffix, "table")
    if fmt == "xlsx" and not args.output:
        return _fail("--format xlsx needs -o FILE.xlsx")
    try:
        rates = _rates(args.rate)
        by = args.by
        known = {"segment", "plan"}
        ledger = load_ledger(
            args.file,
            sheet=args.sheet,
            customer=args.customer,
            month=args.month,
            mrr=args.mrr,
            billing_months=args.billing_months,
            currency=args.currency,
            attributes=[by] if by and by.lower() not in known else [],
            layout=args.layout,
            rates=rates,
            duplicates=args.duplicates,
            func="xl-kpi report",
        )
        if by and by.lower() in known:
            by = by.lower()
        table = monthly_kpis(ledger, by=by, window=args.window)
        cohort_tables = {m: cohorts(ledger, measure=m) for m in ("logos", "revenue")} if fmt == "xlsx" else {}
    except (KPIError, OSError, ValueError, ImportError, zipfile.BadZipFile, pd.errors.ParserError) as exc:
        return _fail(str(exc))
    for note in ledger.notes:
        print(f"xl-kpi report: note: {note}", file=sys.stderr)

    currency = ledger.currency
    if fmt == "csv":
        out = table.copy()
        out["month"] = out["month"].dt.strftime("%Y-%m")
        if args.output:
            out.to_csv(args.output, index=False)
        else:
            out.to_csv(sys.stdout, index=False, lineterminator="\n")
        return 0
    if fmt == "xlsx":
        try:
            write_workbook(args.output, table, by, cohort_tables, list(ledger.notes), currency, args.file)
        except OSError as exc:
            return _fail(str(exc))
        print(f"wrote {args.output}", file=sys.stderr)
        return 0
    return _print_tables(table, by, currency, args.file, args.output)


# -- the terminal table ----------------------------------------------------------------------------


def _cell(value, kind: str, decimals: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if kind == "month":
        return f"{value:%Y-%m}"
    if kind == "money":
        return f"{value:,.{decimals}f}"
    if kind == "count":
        return f"{int(value):,}"
    if kind == "rate":
        return f"{value:.1%}"
    return f"{value:.2f}"


def _print_tables(table, by, currency, source, output) -> int:
    import numpy as np
    from rich.console import Console
    from rich.table import Table

    probe = Console()
    width = 200 if output or not probe.is_terminal else None
    console = Console(record=True, file=io.StringIO(), width=width) if output else Console(width=width)
    groups = [(None, table)] if by is None else [(g, t) for g, t in table.groupby(by, sort=False)]
    for label, part in groups:
        name = Path(source).name + (f" — {by} {label}" if label is not None else "")
        for title, columns in TABLES:
            caption = f"{name}: {title}" + (f" ({currency})" if currency and title == "MRR movements" else "")
            t = Table(title=caption, title_justify="left", header_style="bold")
            money = [c for c, _, k in columns if k == "money"]
            values = part[money].to_numpy(dtype=float) if money else np.zeros(0)
            whole = bool(np.all(np.isnan(values) | (np.round(values) == values)))
            for _, header, kind in columns:
                t.add_column(header, justify="left" if kind == "month" else "right", no_wrap=True)
            for row in part.itertuples(index=False):
                v = row._asdict()
                cells = []
                for column, _, kind in columns:
                    text = _cell(v[column], kind, 0 if whole else 2)
                    lost = column in ("contraction", "churned") and v[column] > 0
                    if lost or (column == "net_new" and v[column] < 0):
                        text = f"[red]{text}[/red]"
                    cells.append(text)
                t.add_row(*cells)
            console.print(t)
    if output:
        Path(output).write_text(console.export_text(), encoding="utf-8")
    return 0


# -- the workbook ----------------------------------------------------------------------------------

#: Bar colours of new, expansion, reactivation (gains) and contraction, churned (losses).
_MOVEMENT_COLORS = ("4E79A7", "59A14F", "76B7B2", "F28E2B", "E15759")
_FORMATS = {"month": "yyyy-mm", "money": "#,##0.00", "count": "#,##0", "rate": "0.0%", "ratio": "0.00"}


def _value(v):
    import pandas as pd

    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if hasattr(v, "item"):
        return v.item()
    return v


def _sheet_title(text: str, taken: set[str]) -> str:
    bad = '[]:*?/\\'
    title = "".join("_" if ch in bad else ch for ch in text)[:31] or "Sheet"
    base, n = title, 2
    while title in taken:
        suffix = f" ({n})"
        title = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(title)
    return title


def _kpi_sheet(wb, title: str, part, taken: set[str]):
    from openpyxl.chart import BarChart, LineChart, Reference
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(_sheet_title(title, taken))
    columns = [c for c in part.columns if c in ALL_COLUMNS]
    for j, column in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=j, value=ALL_COLUMNS[column][0])
        cell.font = Font(bold=True)
        ws.column_dimensions[get_column_letter(j)].width = max(11, len(ALL_COLUMNS[column][0]) + 2)
    for i, row in enumerate(part[columns].itertuples(index=False), start=2):
        for j, (column, value) in enumerate(zip(columns, row), start=1):
            cell = ws.cell(row=i, column=j, value=_value(value))
            cell.number_format = _FORMATS[ALL_COLUMNS[column][1]]
    ws.freeze_panes = "B2"
    last = len(part) + 1
    col = {c: j for j, c in enumerate(columns, start=1)}
    months = Reference(ws, min_col=col["month"], min_row=2, max_row=last)
    anchor_col = get_column_letter(len(columns) + 2)

    line = LineChart()
    line.title, line.y_axis.title, line.height, line.width = "MRR at the end of the month", "MRR", 7.5, 16
    line.add_data(Reference(ws, min_col=col["end_mrr"], min_row=1, max_row=last), titles_from_data=True)
    line.set_categories(months)
    ws.add_chart(line, f"{anchor_col}2")

    bars = BarChart()
    bars.type, bars.grouping = "col", "clustered"
    bars.title, bars.y_axis.title, bars.height, bars.width = "MRR movements", "MRR", 7.5, 16
    for name in ("new", "expansion", "reactivation", "contraction", "churned"):
        bars.add_data(Reference(ws, min_col=col[name], min_row=1, max_row=last), titles_from_data=True)
    bars.set_categories(months)
    for series, color in zip(bars.series, _MOVEMENT_COLORS):
        series.graphicalProperties.solidFill = color
        series.graphicalProperties.line.solidFill = color
    ws.add_chart(bars, f"{anchor_col}18")

    rates = LineChart()
    rates.title, rates.y_axis.title, rates.height, rates.width = "Retention and churn", "rate", 7.5, 16
    rates.y_axis.number_format = "0%"
    for name in ("nrr", "grr", "logo_churn", "revenue_churn"):
        rates.add_data(Reference(ws, min_col=col[name], min_row=1, max_row=last), titles_from_data=True)
    rates.set_categories(months)
    ws.add_chart(rates, f"{anchor_col}34")
    for chart in (line, bars, rates):
        chart.legend.position = "b"
    for series in (*line.series, *rates.series):
        series.smooth = False
    return ws


def _cohort_sheet(wb, title: str, matrix, kind: str, taken: set[str]):
    from openpyxl.styles import Font

    ws = wb.create_sheet(_sheet_title(title, taken))
    ws.cell(row=1, column=1, value="Cohort \\ age (months)").font = Font(bold=True)
    ws.column_dimensions["A"].width = 22
    for j, age in enumerate(matrix.columns, start=2):
        ws.cell(row=1, column=j, value=int(age)).font = Font(bold=True)
    for i, (cohort, row) in enumerate(matrix.iterrows(), start=2):
        c = ws.cell(row=i, column=1, value=cohort.to_pydatetime())
        c.number_format = "yyyy-mm"
        for j, value in enumerate(row.tolist(), start=2):
            cell = ws.cell(row=i, column=j, value=_value(value))
            cell.number_format = _FORMATS[kind]
    ws.freeze_panes = "B2"


def write_workbook(path, table, by, cohort_tables, notes, currency, source) -> None:
    """The KPI table (one sheet per group with ``by``), the cohort matrices and the notes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    if by is None:
        _kpi_sheet(wb, "KPIs", table, taken)
    else:
        for label, part in table.groupby(by, sort=False):
            _kpi_sheet(wb, f"KPIs {label}", part.drop(columns=[by]), taken)
    if "logos" in cohort_tables:
        _cohort_sheet(wb, "Cohorts (logos)", cohort_tables["logos"], "count", taken)
    if "revenue" in cohort_tables:
        _cohort_sheet(wb, "Cohorts (revenue)", cohort_tables["revenue"], "money", taken)
    ws = wb.create_sheet(_sheet_title("Notes", taken))
    ws.column_dimensions["A"].width = 120
    lines = [
        f"Source: {Path(source).name}" + (f"; amounts in {currency}" if currency else ""),
        "Movements: new = first month with MRR; reactivation = MRR again after a month without; "
        "churned = the previous month's MRR of a customer without MRR this month; expansion and "
        "contraction = the change of a customer paying both months.",
        "Logo churn = churned customers / customers at the start of the month. Revenue churn = "
        "(churned + contraction) / start MRR. NRR = (start - contraction - churned + expansion) / "
        "start; GRR leaves expansion out; 12m: the customers paying 12 months earlier, point to point.",
        "Quick ratio = (new + expansion + reactivation) / (contraction + churned). Empty cells: the "
        "ratio is undefined (a zero denominator).",
        "Cohorts: customers by month of first payment; a returning customer stays in its first cohort.",
    ]
    ws.cell(row=1, column=1, value="Notes").font = Font(bold=True)
    for i, line in enumerate(lines + [f"Data: {n}" for n in notes], start=2):
        ws.cell(row=i, column=1, value=line)
    wb.save(path)
