"""``xl-kpi demo``: build the example workbook, recalculate it, print its latest KPIs.

The example is Nimbus Ledger, a fictional B2B SaaS with 24 months of inputs. The command writes
its workbook (default ``./xl-kpi-demo``, never the repository's committed ``workbooks/``),
recalculates every formula with ``xl-kpi recalc``'s engine (the KPI_* functions run through the
Python API, no Excel needed), then reads the Dashboard back from the file and prints the last
months, quarter and year as a table, each benchmark row coloured green or red. A workbook there
whose inputs a user has edited is never overwritten without ``--force``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo",
        help="build and recalculate the example workbook, print its dashboard",
        description="Build the example workbook (a fictional SaaS company, 24 months), "
        "recalculate it without Excel and print the Dashboard's KPIs for the last months, "
        "the last quarter and the last year.",
    )
    p.add_argument("-o", "--output-dir", type=Path, default=Path(DEFAULT_DIR),
                   help=f"folder to write the example workbook into (default: ./{DEFAULT_DIR})")
    p.add_argument("--lang", choices=("en", "fr"), default="en", help="language (default: en)")
    p.add_argument("--months", type=int, default=3, metavar="N",
                   help="how many of the latest months to show (1-24, default 3)")
    p.add_argument("--force", action="store_true",
                   help="overwrite the example workbook even if its inputs were edited")
    p.set_defaults(run=run)


#: Where the demo writes by default: a folder of its own, so that running it in a clone of the
#: repository leaves the committed workbooks/ as they are.
DEFAULT_DIR = "xl-kpi-demo"

#: What to do with the workbook next, per spreadsheet program.
OPEN_IT = (
    "Open it:\n"
    "  - Excel for Windows: the numbers are stored; for live KPI_* functions install xlwings and "
    "import udfs.bas (`xl-kpi vba -o udfs.bas`), see the README, \"The Excel functions\".\n"
    "  - Excel for Mac or the web: the stored numbers show; for live functions use xlwings Lite "
    "(README, \"Mac and Excel on the web\"), or refresh the values with `xl-kpi recalc`.\n"
    "  - LibreOffice: the stored numbers show (it cannot run KPI_*); after editing, save and run "
    "`xl-kpi recalc FILE --in-place`."
)

_FORMATS = {
    "money": "{:,.0f}",
    "money2": "{:,.2f}",
    "pct": "{:.1%}",
    "pct2": "{:.2%}",
    "ratio": "{:.2f}",
    "months": "{:.1f}",
    "points": "{:.0f}",
    "count": "{:,.0f}",
}
_MONTHS_FR = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
              "nov.", "déc.")


def _format(value, fmt: str, lang: str = "en") -> str:
    if value is None:
        return ""
    if isinstance(value, str):  # an Excel error value
        return value
    text = _FORMATS[fmt].format(value)
    if lang == "fr":  # 12 345,6 and 12,2 %
        text = text.replace(",", "\u202f").replace(".", ",").replace("%", "\u202f%")
    return text


def _benchmark_text(value, kpi, lang: str) -> str:
    if not isinstance(value, (int, float)):
        return ""
    sign = "≥" if kpi.benchmark.better == ">=" else "≤"
    return f"{sign} {_format(value, kpi.fmt, lang)}"


def _month_label(d, lang: str) -> str:
    if lang == "fr":
        return f"{_MONTHS_FR[d.month - 1]} {d:%y}"
    return f"{d:%b %y}"


def run(args: argparse.Namespace) -> int:
    import openpyxl
    from rich.console import Console
    from rich.table import Table

    from ..templates import labels, recalc_available, write_workbooks
    from ..templates.builder import MONTH_COLS, QUARTER_COLS, YEAR_COLS, dashboard_layout
    from ..templates.dashboard import SECTIONS

    if not 1 <= args.months <= len(MONTH_COLS):
        print(f"xl-kpi demo: --months must be between 1 and {len(MONTH_COLS)}; got {args.months}",
              file=sys.stderr)
        return 2
    if not recalc_available():
        print("xl-kpi demo: the recalculation engine (xl_kpi.recalc) is not installed", file=sys.stderr)
        return 2
    try:
        (written,) = write_workbooks(args.output_dir, (args.lang,), ("example",), force=args.force)
    except OSError as exc:
        print(f"xl-kpi demo: cannot write into {str(args.output_dir)!r}: {exc.strerror or exc}",
              file=sys.stderr)
        return 2
    if written.status == "kept":
        print(f"xl-kpi demo: {written.path} holds edited inputs and was kept; use --force to "
              "overwrite it, or -o to write the example elsewhere", file=sys.stderr)
        return 2

    wb = openpyxl.load_workbook(written.path, data_only=True)
    ws = wb[labels.sheet_name(args.lang, "dashboard")]
    layout = dashboard_layout()
    months = MONTH_COLS[-args.months:]
    columns = months + [QUARTER_COLS[-1], YEAR_COLS[-1]]
    header = ws.cell(layout.header_row, 1).row
    titles = [_month_label(ws.cell(header, c).value, args.lang) for c in months]
    titles += [str(ws.cell(header, c).value) for c in (QUARTER_COLS[-1], YEAR_COLS[-1])]

    console = Console()
    if not console.is_terminal:  # a pipe or a file: as wide as the table needs
        console = Console(width=max(console.width, 66 + 12 * len(columns)))
    table = Table(title=labels.text(args.lang, "title_dashboard"),
                  caption=labels.text(args.lang, "example_company"), header_style="bold")
    table.add_column(labels.text(args.lang, "kpi"), no_wrap=True)
    table.add_column(labels.text(args.lang, "benchmark"), justify="right")
    for title in titles:
        table.add_column(title, justify="right")
    kpi_text = labels.KPI_TEXT[args.lang]
    for i, (section, kpis) in enumerate(SECTIONS):
        if i:
            table.add_section()
        table.add_row(f"[bold]{labels.text(args.lang, section)}[/bold]")
        for kpi in kpis:
            r = layout.rows[kpi.key]
            bench = ws.cell(r, 2).value if kpi.benchmark else None
            cells = []
            for c in columns:
                value = ws.cell(r, c).value
                text = _format(value, kpi.fmt, args.lang)
                if isinstance(value, str):
                    text = f"[red]{text}[/red]"
                elif kpi.benchmark and isinstance(bench, (int, float)) and value is not None:
                    good = value >= bench if kpi.benchmark.better == ">=" else value <= bench
                    text = f"[green]{text}[/green]" if good else f"[red]{text}[/red]"
                cells.append(text)
            table.add_row(kpi_text[kpi.key], _benchmark_text(bench, kpi, args.lang) if kpi.benchmark else "", *cells)
    console.print(table)
    verb = {"created": "Wrote", "updated": "Updated", "unchanged": "Kept (up to date)"}[written.status]
    console.print(f"{verb} [bold]{written.path}[/bold]: every KPI computed by the KPI_* functions "
                  "and stored in the file.", highlight=False)
    console.print(OPEN_IT, highlight=False, markup=False)
    return 0
