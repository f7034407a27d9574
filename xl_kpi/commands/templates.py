"""``xl-kpi templates``: write the template workbooks (blank and example, English and French).

The example company's workbook is recalculated (``xl-kpi recalc``) before it is written, so it
opens with its numbers anywhere. A workbook whose inputs a user has typed is never overwritten
unless ``--force`` is given; the command then exits 2 and says which file it kept.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "templates",
        help="write the template workbooks (blank and example, English and French)",
        description="Write the monthly template workbook and the example filled with a "
        "fictional SaaS company, each in English and French: Inputs, Survey, Subscriptions (a "
        "billing ledger with its MRR movements) and Cohorts, a Dashboard computing every KPI "
        "with the KPI_* functions, quarterly and yearly roll-ups, charts.",
    )
    p.add_argument("--lang", choices=("en", "fr", "all"), default="all",
                   help="language of the workbooks (default: both)")
    p.add_argument("--kind", choices=("template", "example", "lite", "all"), default="all",
                   help="the blank template, the filled example, the blank template for Excel 365 "
                   "and xlwings Lite (spilling formulas), or all three (default)")
    p.add_argument("-o", "--output-dir", type=Path, default=Path("workbooks"),
                   help="folder to write into (default: ./workbooks)")
    p.add_argument("--force", action="store_true",
                   help="overwrite workbooks even if their inputs were edited")
    p.add_argument("--no-recalc", action="store_true",
                   help="do not store computed values in the example (Excel computes them on open)")
    p.add_argument("--for-libreoffice", action="store_true",
                   help="write the blank template cell by cell and recalculated, as the example "
                   "is: LibreOffice recomputes array formulas on opening (#NAME?, it cannot run "
                   "KPI_*) but shows the values `xl-kpi recalc` stores in ordinary formulas")
    prog = p.add_mutually_exclusive_group()
    prog.add_argument("--progress", dest="progress", action="store_true", default=None,
                      help="show which workbook is being built (default: when the terminal is interactive)")
    prog.add_argument("--no-progress", dest="progress", action="store_false")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..templates import KINDS, LANGS, write_workbooks

    langs = LANGS if args.lang == "all" else (args.lang,)
    kinds = KINDS if args.kind == "all" else (args.kind,)
    total = len(langs) * len(kinds)
    show = args.progress if args.progress is not None else sys.stderr.isatty()
    status = None
    if show:
        from rich.console import Console

        status = Console(stderr=True).status("")
        status.start()
    done = []
    kept = 0

    def start(path: Path) -> None:
        if status is not None:
            status.update(f"building {path.name} ({len(done) + 1} of {total})")

    def finished(w) -> None:
        nonlocal kept
        done.append(w)
        if w.status == "kept":
            kept += 1
            print(f"xl-kpi templates: kept {w.path}: its inputs were edited (use --force to "
                  "overwrite, or -o to write elsewhere)", file=sys.stderr)
        else:
            print(f"{w.status:<9} {w.path}", flush=True)

    recalc = False if args.no_recalc else (True if args.for_libreoffice else None)
    try:
        write_workbooks(args.output_dir, langs, kinds, force=args.force, recalc=recalc,
                        arrays=False if args.for_libreoffice else None, on_start=start, on_done=finished)
    except OSError as exc:
        print(f"xl-kpi templates: cannot write into {str(args.output_dir)!r}: {exc.strerror or exc}",
              file=sys.stderr)
        return 2
    finally:
        if status is not None:
            status.stop()
    return 2 if kept else 0
