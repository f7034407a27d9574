"""``xl-kpi report``: the monthly KPI table of a billing export, in the terminal, as CSV or as an
Excel workbook with charts.

The numbers come from :func:`xl_kpi.subscriptions.monthly_kpis` and
:func:`xl_kpi.subscriptions.cohorts`; this module only lays them out, with the losses
(contraction, churned) negative as the Dashboard shows them
(:func:`xl_kpi.subscriptions.signed_movements`). What was done to the data (rows summed, blank
rows skipped, conversions) is printed on stderr as notes; a file that cannot be read or holds bad
rows exits 2 with a one-line reason. Everything that comes from the data is shown as text: rich
markup escaped in the terminal, formula-like cells neutralized in the CSV (OWASP's rule), text
cells typed as text in the workbook. The output never replaces the input and is written
atomically.
"""

from __future__ import annotations

import argparse
import io
import math
import re
import sys
import zipfile
from pathlib import Path

FORMATS = ("table", "csv", "xlsx")
#: Decimals written to the CSV for each kind of column: money to the cent; rates (fractions) to
#: 1e-6, a ten-thousandth of a percentage point; ratios to 1e-4.
CSV_DECIMALS = {"money": 2, "rate": 6, "ratio": 4}
#: Groups of ``--by`` shown at most (each is a table in the terminal and a sheet in the workbook).
MAX_GROUPS = 500


def tables(window: int = 12):
    """The two terminal tables: (title, columns), each column (name, header, kind) with kind
    "month" | "money" | "count" | "rate" | "ratio"; the trailing columns named for ``window``."""
    from ..subscriptions import trailing_columns

    nrr_w, grr_w = trailing_columns(window)
    return (
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
            (nrr_w, f"NRR {window}m", "rate"),
            (grr_w, f"GRR {window}m", "rate"),
            ("quick_ratio", "Quick ratio", "ratio"),
        )),
    )


def all_columns(window: int = 12) -> dict[str, tuple[str, str]]:
    """Header and kind of every column of the CSV / workbook table."""
    from ..subscriptions import trailing_columns

    _, grr_w = trailing_columns(window)
    return {
        **{c: (h, k) for _, cols in tables(window) for c, h, k in cols},
        "customers": ("Customers", "count"),
        "arr": ("ARR", "money"),
        "arpa": ("ARPA", "money"),
        "start_customers": ("Start customers", "count"),
        "new_customers": ("New customers", "count"),
        "reactivated_customers": ("Reactivated customers", "count"),
        "churned_customers": ("Churned customers", "count"),
        "net_revenue_churn": ("Net revenue churn", "rate"),
        grr_w: (f"GRR {window}m", "rate"),
        "mrr_growth": ("MRR growth", "rate"),
    }


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="monthly MRR movements, churn, NRR and cohorts of a billing export",
        description="Read a billing export (CSV, Parquet or Excel; one row per customer and month, "
        "or per invoice line) and print its monthly KPI table: MRR movements (losses negative), "
        "customers, logo and revenue churn, NRR, GRR (monthly and trailing) and the quick ratio.",
    )
    p.add_argument("file", help="the export: .csv, .tsv, .txt (optionally .gz), .parquet or .xlsx")
    p.add_argument("--by", metavar="COLUMN", help="one table per value of this column (segment, plan, ...)")
    p.add_argument("--format", choices=FORMATS, help="table (default), csv, or xlsx (with charts); "
                   "taken from the suffix of -o when omitted")
    p.add_argument("-o", "--output", metavar="OUT", help="write here instead of the terminal "
                   "(never the input file; written whole or not at all)")
    p.add_argument("--sheet", help="the sheet of an Excel export (default the first)")
    p.add_argument("--header-row", type=int, metavar="N", help="the row (CSV line) of the column "
                   "names; default the first of the top 50 rows naming a customer, a month and an "
                   "amount")
    for name in ("customer", "month", "mrr", "currency"):
        p.add_argument(f"--{name}", metavar="COLUMN", help=f"the {name} column, when not found by "
                       "its usual names")
    p.add_argument("--billing-months", metavar="COLUMN|PERIOD", help="the column of billing "
                   "periods, or one period for every row: 12, year, quarter, month...")
    p.add_argument("--sep", metavar="CHAR", help="the CSV delimiter (default found: , ; tab |)")
    p.add_argument("--decimal", choices=(".", ","), metavar="MARK", help="the decimal mark of the "
                   "amounts, '.' or ',' (default found: 12,50 is a comma; ',' for whole numbers "
                   "after ';')")
    order = p.add_mutually_exclusive_group()
    order.add_argument("--dayfirst", dest="dayfirst", action="store_const", const=True,
                       help="read 03/04/2024 as 3 April (default: as the dates show it, day first "
                       "in a file with decimal commas)")
    order.add_argument("--monthfirst", dest="dayfirst", action="store_const", const=False,
                       help="read 03/04/2024 as 4 March")
    p.add_argument("--layout", choices=("snapshot", "invoices"), default="snapshot",
                   help="snapshot: each row is the customer's MRR for its month (default); invoices: "
                   "each row pays for --billing-months months from its date")
    p.add_argument("--rate", action="append", default=[], metavar="CUR=RATE",
                   help="exchange rate of a currency into the reporting currency (repeat per currency)")
    p.add_argument("--duplicates", choices=("sum", "drop", "raise"), default="sum",
                   help="rows repeating another exactly: add up (default), keep one, or stop")
    p.add_argument("--window", type=int, default=12, metavar="N", help="months of the trailing "
                   "NRR/GRR, named for it (NRR 12m by default)")
    p.add_argument("--engine", choices=("auto", "pandas", "duckdb"), default="auto",
                   help="duckdb: a Parquet file or folder or a CSV larger than memory, read out of core, "
                   'with every option above (pip install "xl-kpi[bigdata]"); pandas: in memory, also Excel; '
                   "auto (default): duckdb from 1 GiB when installed; both give the same report")
    p.set_defaults(run=run)


def _plain(text: str) -> str:
    """One line with control characters shown escaped (a terminal never receives them raw)."""
    text = " ".join(str(text).split())
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def _terminal_safe(text: str) -> str:
    """Text with every control character but the line ends shown escaped."""
    return "".join(ch if ch.isprintable() or ch in "\n\r" else repr(ch)[1:-1] for ch in text)


def _fail(message: str) -> int:
    text = _plain(message)
    if not text.startswith("xl-kpi report:"):
        text = f"xl-kpi report: {text}"
    print(text, file=sys.stderr)
    return 2


def _check_groups(ledger, by: str) -> None:
    """Refuse a ``--by`` column with more than :data:`MAX_GROUPS` values (each is a table, a
    sheet and a pass over the ledger: a customer id column would take hours)."""
    import numpy as np

    from ..errors import InvalidOptionError

    labels = ledger.attributes.get(by)
    if labels is None:
        return  # Ledger.groups says which attributes there are
    paying = np.zeros(len(ledger.ids), dtype=bool)
    paying[ledger.customer] = True
    count = len(set(labels[paying].tolist()))
    if count > MAX_GROUPS:
        raise InvalidOptionError(
            f"--by {by!r} gives {count:,} groups; the report shows at most {MAX_GROUPS:,} (a "
            "segment, a plan, a region): group the values first",
            argument="by",
            value=by,
        )


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


def _delimiter(sep: str | None) -> str | None:
    if sep is None:
        return None
    named = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
    sep = named.get(sep.lower(), sep)
    if len(sep) != 1:
        raise ValueError(f"--sep wants one character (or tab); got {sep!r}")
    return sep


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from ..errors import KPIError
    from ..subscriptions import cohorts, load_ledger, monthly_kpis, signed_movements

    fmt = args.format
    if fmt is None:
        suffix = Path(args.output).suffix.lower() if args.output else ""
        fmt = {".csv": "csv", ".xlsx": "xlsx"}.get(suffix, "table")
    if fmt == "xlsx" and not args.output:
        return _fail("--format xlsx needs -o FILE.xlsx")
    if args.output:
        refused = _refuse_output(args.file, args.output)
        if refused:
            return _fail(refused)
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
            header_row=args.header_row,
            delimiter=_delimiter(args.sep),
            decimal=args.decimal,
            dayfirst=args.dayfirst,
            engine=args.engine,
            func="xl-kpi report",
        )
        if by and by.lower() in known:
            by = by.lower()
        if by is not None:
            _check_groups(ledger, by)
        table = signed_movements(monthly_kpis(ledger, by=by, window=args.window))
        cohort_tables = {m: cohorts(ledger, measure=m) for m in ("logos", "revenue")} if fmt == "xlsx" else {}
    except (KPIError, OSError, ValueError, ImportError, zipfile.BadZipFile, pd.errors.ParserError) as exc:
        return _fail(str(exc))
    except MemoryError:
        return _fail(f"not enough memory to read {Path(args.file).name!r}")
    for note in ledger.notes:
        print(f"xl-kpi report: note: {_plain(note)}", file=sys.stderr)

    currency = ledger.currency
    if fmt == "csv":
        text = csv_text(table, by, args.window)
        if not args.output:
            # A terminal would act on control characters from the data; a pipe gets them as is.
            sys.stdout.write(_terminal_safe(text) if sys.stdout.isatty() else text)
            return 0
        data = text.encode("utf-8")
    elif fmt == "xlsx":
        data = workbook_bytes(table, by, cohort_tables, list(ledger.notes), currency, args.file, args.window)
    else:
        text = _terminal_tables(table, by, currency, args.file, args.window, to_file=bool(args.output))
        if text is None:
            return 0
        data = text.encode("utf-8")
    from ..safe_output import UnsafeOutput

    try:
        _write_output(args.file, args.output, data)
    except UnsafeOutput as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"cannot write {args.output!r}: {exc.strerror or exc}")
    print(f"xl-kpi report: wrote {_plain(args.output)}", file=sys.stderr)
    return 0


# -- the output file -------------------------------------------------------------------------------


def _refuse_output(source: str, output: str) -> str | None:
    """Why the output may not be written, or None (see :func:`xl_kpi.safe_output.check_output`):
    it is the input (the same file through any link), not a regular file, or read-only."""
    from ..safe_output import UnsafeOutput, check_output

    try:
        check_output(output, inputs=[source])
    except UnsafeOutput as exc:
        return str(exc)
    return None


def _write_output(source: str, output: str, data: bytes) -> None:
    """Write ``data`` to ``output`` whole or not at all (:func:`xl_kpi.safe_output.atomic_output`:
    a temporary file fsynced and renamed over it, links written through, mode kept)."""
    from ..safe_output import atomic_output

    with atomic_output(output, inputs=[source]) as tmp:
        with open(tmp, "wb") as f:
            f.write(data)


# -- text from the data ----------------------------------------------------------------------------

#: What a spreadsheet takes for the start of a formula (OWASP, CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


def neutralized(text) -> str:
    """A text cell a spreadsheet shows as text: a leading ``'`` before ``= + - @``, tab or carriage
    return (OWASP's rule for CSV injection), unless the text is a plain number such as ``-5``."""
    text = "" if text is None else str(text)
    if text.startswith(_FORMULA_START) and not _NUMBER.match(text):
        return "'" + text
    return text


def csv_text(table, by: str | None, window: int = 12) -> str:
    """The KPI table as CSV: money to the cent, rates to 1e-6, months as YYYY-MM, labels as text."""
    import numpy as np

    kinds = all_columns(window)
    out = {}
    for column in table.columns:
        values = table[column]
        kind = "text" if column == by else kinds.get(column, ("", "money"))[1]
        if kind == "month":
            out[column] = values.dt.strftime("%Y-%m")
        elif kind == "text":
            out[column] = values.map(neutralized)
        elif kind == "count":
            out[column] = values.map(lambda v: "" if v != v else str(int(v)))
        else:
            decimals = CSV_DECIMALS[kind]
            rounded = np.round(values.to_numpy(dtype=float), decimals) + 0.0
            out[column] = [("" if math.isnan(v) else f"{v:.{decimals}f}") for v in rounded]
    import pandas as pd

    frame = pd.DataFrame(out)
    frame.columns = [neutralized(c) if c == by else c for c in frame.columns]  # a user's column name
    return frame.to_csv(index=False, lineterminator="\n")


# -- the terminal table ----------------------------------------------------------------------------


def _cell(value, kind: str, decimals: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if kind == "month":
        return f"{value:%Y-%m}"
    if kind == "money":
        return f"{value + 0.0:,.{decimals}f}"
    if kind == "count":
        return f"{int(value):,}"
    if kind == "rate":
        return f"{value:.1%}"
    return f"{value:.2f}"


def _terminal_tables(table, by, currency, source, window, *, to_file: bool) -> str | None:
    """Print the two tables per group; the text of them when ``to_file``, else None."""
    import numpy as np
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    probe = Console()
    width = 200 if to_file or not probe.is_terminal else None
    console = Console(record=True, file=io.StringIO(), width=width) if to_file else Console(width=width)
    groups = [(None, table)] if by is None else [(g, t) for g, t in table.groupby(by, sort=False)]
    for label, part in groups:
        name = escape(Path(source).name + (f" — {by} {label}" if label is not None else ""))
        for title, columns in tables(window):
            unit = f" ({escape(str(currency))})" if currency and title == "MRR movements" else ""
            t = Table(title=f"{name}: {title}{unit}", title_justify="left", header_style="bold")
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
                    if column in ("contraction", "churned", "net_new") and v[column] < 0:
                        text = f"[red]{text}[/red]"
                    cells.append(text)
                t.add_row(*cells)
            console.print(t)
    if to_file:
        return console.export_text()
    return None


# -- the workbook ----------------------------------------------------------------------------------

#: Bar colours of new, expansion, reactivation (gains) and contraction, churned (losses).
_MOVEMENT_COLORS = ("4E79A7", "59A14F", "76B7B2", "F28E2B", "E15759")
_FORMATS = {"month": "yyyy-mm", "money": "#,##0.00;[Red]-#,##0.00", "count": "#,##0",
            "rate": "0.0%", "ratio": "0.00"}


def number_formats(currency: str | None) -> dict[str, str]:
    """The Excel number format of each kind of column; money carries the currency when known
    (an ISO code such as ``EUR``: anything else from the file is left out of the format)."""
    formats = dict(_FORMATS)
    if currency and re.fullmatch(r"[A-Z]{3}", str(currency)):
        formats["money"] = f'#,##0.00 "{currency}";[Red]-#,##0.00 "{currency}"'
    return formats


def _value(v):
    import pandas as pd

    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float):
        return v + 0.0  # no -0.0
    return v


def _text(ws, row: int, column: int, text):
    """A cell holding ``text`` as text, whatever it starts with (never a formula)."""
    cell = ws.cell(row=row, column=column)
    cell.value = _plain(text) if text is not None else None
    if cell.value is not None:
        cell.data_type = "s"
    return cell


def _sheet_title(text: str, taken: set[str]) -> str:
    """A valid, unused sheet name: no []:*?/\\ or control character, no ' at either end, 31
    characters at most, not Excel's reserved "History"."""
    bad = '[]:*?/\\'
    title = "".join("_" if ch in bad or not ch.isprintable() else ch for ch in str(text))
    title = title.strip("'")[:31].strip("'") or "Sheet"
    if title.lower() == "history":
        title = "History (data)"
    base, n = title, 2
    while title.lower() in {t.lower() for t in taken}:
        suffix = f" ({n})"
        title = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(title)
    return title


def _kpi_sheet(wb, title: str, part, taken: set[str], formats: dict[str, str], window: int):
    from openpyxl.chart import BarChart, LineChart, Reference, Series
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(_sheet_title(title, taken))
    kinds = all_columns(window)
    columns = [c for c in part.columns if c in kinds]
    for j, column in enumerate(columns, start=1):
        cell = _text(ws, 1, j, kinds[column][0])
        cell.font = Font(bold=True)
        ws.column_dimensions[get_column_letter(j)].width = max(12, len(kinds[column][0]) + 2)
    for i, row in enumerate(part[columns].itertuples(index=False), start=2):
        for j, (column, value) in enumerate(zip(columns, row), start=1):
            cell = ws.cell(row=i, column=j, value=_value(value))
            cell.number_format = formats[kinds[column][1]]
    ws.freeze_panes = "B2"
    last = len(part) + 1
    col = {c: j for j, c in enumerate(columns, start=1)}
    months = Reference(ws, min_col=col["month"], min_row=2, max_row=last)
    anchor_col = get_column_letter(len(columns) + 2)
    money_axis = formats["money"].split(";")[0].replace(".00", "")

    line = LineChart()
    line.title, line.y_axis.title, line.height, line.width = "MRR at the end of the month", "MRR", 7.5, 16
    line.y_axis.number_format = money_axis
    line.add_data(Reference(ws, min_col=col["end_mrr"], min_row=1, max_row=last), titles_from_data=True)
    line.set_categories(months)
    ws.add_chart(line, f"{anchor_col}2")

    # ChartMogul's movement chart: gains stacked above the axis, losses (negative) below it.
    bars = BarChart()
    bars.type, bars.grouping, bars.overlap = "col", "stacked", 100
    bars.title, bars.y_axis.title, bars.height, bars.width = "MRR movements", "MRR", 7.5, 16
    bars.y_axis.number_format = money_axis
    bars.x_axis.tickLblPos = "low"  # month labels under the losses, not across them
    # From the second month: in the first, every paying customer is new and dwarfs the rest.
    first = 3 if last >= 3 else 2
    for name in ("new", "expansion", "reactivation", "contraction", "churned"):
        series = Series(Reference(ws, min_col=col[name], min_row=first, max_row=last),
                        title_from_data=False, title=kinds[name][0])
        bars.series.append(series)
    bars.set_categories(Reference(ws, min_col=col["month"], min_row=first, max_row=last))
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
        chart.x_axis.number_format = "yyyy-mm"
        chart.x_axis.delete = False
        chart.y_axis.delete = False
    for series in (*line.series, *rates.series):
        series.smooth = False
    return ws


def _cohort_sheet(wb, title: str, matrix, kind: str, taken: set[str], formats: dict[str, str]):
    from openpyxl.styles import Font

    ws = wb.create_sheet(_sheet_title(title, taken))
    _text(ws, 1, 1, "Cohort \\ age (months)").font = Font(bold=True)
    ws.column_dimensions["A"].width = 22
    for j, age in enumerate(matrix.columns, start=2):
        ws.cell(row=1, column=j, value=int(age)).font = Font(bold=True)
    for i, (cohort, row) in enumerate(matrix.iterrows(), start=2):
        c = ws.cell(row=i, column=1, value=cohort.to_pydatetime())
        c.number_format = "yyyy-mm"
        for j, value in enumerate(row.tolist(), start=2):
            cell = ws.cell(row=i, column=j, value=_value(value))
            cell.number_format = formats[kind]
    ws.freeze_panes = "B2"


def workbook_bytes(table, by, cohort_tables, notes, currency, source, window: int = 12) -> bytes:
    """The report workbook: the KPI table (one sheet per group with ``by``), the cohort matrices
    and the notes, as the bytes of an .xlsx file."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    formats = number_formats(currency)
    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    if by is None:
        _kpi_sheet(wb, "KPIs", table, taken, formats, window)
    else:
        for label, part in table.groupby(by, sort=False):
            _kpi_sheet(wb, f"KPIs {label}", part.drop(columns=[by]), taken, formats, window)
    if "logos" in cohort_tables:
        _cohort_sheet(wb, "Cohorts (logos)", cohort_tables["logos"], "count", taken, formats)
    if "revenue" in cohort_tables:
        _cohort_sheet(wb, "Cohorts (revenue)", cohort_tables["revenue"], "money", taken, formats)
    ws = wb.create_sheet(_sheet_title("Notes", taken))
    ws.column_dimensions["A"].width = 120
    lines = [
        f"Source: {Path(source).name}" + (f"; amounts in {currency}" if currency else ""),
        "Movements: new = first month with MRR; reactivation = MRR again after a month without; "
        "churned = the previous month's MRR of a customer without MRR this month; expansion and "
        "contraction = the change of a customer paying both months. The movements chart starts "
        "in the second month: in the first, every paying customer is new.",
        "Signs: contraction and churned are shown negative (MRR lost), as on the Dashboard, so that "
        "start MRR + new + expansion + reactivation + contraction + churned = end MRR. The formulas "
        "below take them as positive amounts.",
        "Logo churn = churned customers / customers at the start of the month. Revenue churn = "
        "(churned + contraction) / start MRR. NRR = (start - contraction - churned + expansion) / "
        f"start; GRR leaves expansion out; {window}m: the customers paying {window} months earlier, "
        "point to point.",
        "Quick ratio = (new + expansion + reactivation) / (contraction + churned). Empty cells: the "
        "ratio is undefined (a zero denominator).",
        "Cohorts: customers by month of first payment; a returning customer stays in its first cohort.",
    ]
    _text(ws, 1, 1, "Notes").font = Font(bold=True)
    for i, line in enumerate(lines + [f"Data: {n}" for n in notes], start=2):
        _text(ws, i, 1, line)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def write_workbook(path, table, by, cohort_tables, notes, currency, source, window: int = 12) -> None:
    """:func:`workbook_bytes` written to ``path`` (whole or not at all)."""
    _write_output(str(source), str(path), workbook_bytes(table, by, cohort_tables, notes, currency, source, window))
