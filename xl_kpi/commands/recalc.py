"""``xl-kpi recalc``: recalculate workbooks without Excel, as Excel's "Calculate now" does.

Exit codes: 0 every workbook recalculated; 1 with ``--strict`` when a cell computed to an Excel
error; 2 when a file could not be processed (the reason on one line) or the command is misused.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

_SUFFIXES = (".xlsx", ".xlsm")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "recalc",
        help="recalculate workbooks without Excel (formulas kept, values stored)",
        description="Evaluate every formula of each workbook (native Excel functions and KPI_*) and "
        "store the values in the file, keeping formulas, styles, charts and macros.",
    )
    p.add_argument("paths", nargs="+", metavar="BOOK", help="workbooks (.xlsx, .xlsm) or folders of them")
    out = p.add_mutually_exclusive_group()
    out.add_argument("-o", "--output", metavar="OUT",
                     help="output workbook (one input) or folder (several inputs)")
    out.add_argument("--in-place", action="store_true", help="replace each input with its recalculated copy")
    p.add_argument("-j", "--jobs", type=int, default=1, metavar="N",
                   help="workbooks processed in parallel (0: one per core; default 1)")
    p.add_argument("--json", action="store_true", help="print one JSON report for scripts")
    p.add_argument("--strict", action="store_true", help="exit 1 if any cell computed to an Excel error")
    prog = p.add_mutually_exclusive_group()
    prog.add_argument("--progress", dest="progress", action="store_true", default=None,
                      help="show a progress bar (default: when the terminal is interactive)")
    prog.add_argument("--no-progress", dest="progress", action="store_false")
    p.set_defaults(run=run)


def _err(msg: str) -> None:
    print(f"xl-kpi recalc: {msg}", file=sys.stderr)


def _inputs(paths: list[str]) -> list[str] | str:
    files: list[str] = []
    for p in paths:
        if os.path.isdir(p):
            found = sorted(
                os.path.join(root, f)
                for root, _, names in os.walk(p)
                for f in names
                if f.lower().endswith(_SUFFIXES) and not f.startswith(("~$", ".xl-kpi-"))
            )
            files.extend(found)
        elif os.path.exists(p):
            files.append(p)
        else:
            return f"{p}: no such file or folder"
    return files


def _plan(args, files: list[str]) -> list[tuple[str, str]] | str:
    if args.in_place:
        return [(f, f) for f in files]
    if not args.output:
        return "give -o OUT (a file, or a folder for several workbooks) or --in-place"
    out = args.output
    several = len(files) > 1 or any(os.path.isdir(p) for p in args.paths)
    if several or os.path.isdir(out):
        os.makedirs(out, exist_ok=True)
        plan = [(f, os.path.join(out, os.path.basename(f))) for f in files]
        targets = [d for _, d in plan]
        if len(set(targets)) != len(targets):
            return "two inputs have the same file name; recalculate them into different folders"
        return plan
    if os.path.abspath(out) == os.path.abspath(files[0]):
        return "the output is the input; use --in-place to replace it"
    return [(files[0], out)]


def _work(job: tuple[str, str]) -> dict:
    from ..recalc import recalculate

    src, dst = job
    return recalculate(src, dst).as_dict()


def _errors_text(by_formula: dict, by_cell: dict) -> str:
    """``#DIV/0! 3 formulas (72 cells)``: an array formula is one formula over several cells."""
    if not by_formula and not by_cell:
        return "no errors"
    parts = []
    for kind in sorted(set(by_formula) | set(by_cell)):
        n, cells = by_formula.get(kind, 0), by_cell.get(kind, by_formula.get(kind, 0))
        text = f"{kind} {n:,} formula{'s' if n != 1 else ''}"
        if cells != n:
            text += f" ({cells:,} cells)"
        parts.append(text)
    return ", ".join(parts)


def _formulas_text(formulas: int, cells: int) -> str:
    text = f"{formulas:,} formula{'s' if formulas != 1 else ''}"
    return text + (f" ({cells:,} cells)" if cells and cells != formulas else "")


def _line(r: dict) -> str:
    name = r["path"]
    if not r["ok"]:
        return f"{name}: cannot process: {r['reason']}"
    cells = r.get("cells", r["formulas"])
    line = (f"{name}: {_formulas_text(r['formulas'], cells)}, "
            f"{_errors_text(r['errors'], r.get('cell_errors', r['errors']))}, {r['seconds']:.2f} s")
    if r["output"] != r["path"]:
        line += f" -> {r['output']}"
    return line


def summary(reports: list[dict], seconds: float) -> dict:
    """Totals over a run: workbooks done and failed, formulas and cells, errors by kind."""
    done = [r for r in reports if r["ok"]]
    by_formula: dict[str, int] = {}
    by_cell: dict[str, int] = {}
    for r in done:
        for kind, n in r["errors"].items():
            by_formula[kind] = by_formula.get(kind, 0) + n
        for kind, n in r.get("cell_errors", r["errors"]).items():
            by_cell[kind] = by_cell.get(kind, 0) + n
    return {
        "workbooks": len(reports), "recalculated": len(done), "failed": len(reports) - len(done),
        "with_errors": sum(1 for r in done if r["errors"]),
        "formulas": sum(r["formulas"] for r in done),
        "cells": sum(r.get("cells", r["formulas"]) for r in done),
        "errors": dict(sorted(by_formula.items())), "cell_errors": dict(sorted(by_cell.items())),
        "seconds": round(seconds, 3),
    }


def _summary_line(s: dict) -> str:
    failed = f", {s['failed']} could not be processed" if s["failed"] else ""
    return (f"total: {s['recalculated']} of {s['workbooks']} workbooks recalculated{failed}; "
            f"{_formulas_text(s['formulas'], s['cells'])}, {_errors_text(s['errors'], s['cell_errors'])}"
            f" (in {s['with_errors']} workbook{'s' if s['with_errors'] != 1 else ''}); {s['seconds']:.1f} s")


def run(args: argparse.Namespace) -> int:
    files = _inputs(args.paths)
    if isinstance(files, str):
        _err(files)
        return 2
    if not files:
        _err("no .xlsx or .xlsm workbook found")
        return 2
    plan = _plan(args, files)
    if isinstance(plan, str):
        _err(plan)
        return 2
    jobs = args.jobs if args.jobs > 0 else (os.cpu_count() or 1)
    jobs = min(jobs, len(plan))
    show = args.progress if args.progress is not None else sys.stderr.isatty()
    start = time.perf_counter()
    reports = _run_all(plan, jobs, show)
    totals = summary(reports, time.perf_counter() - start)
    if args.json:
        json.dump({"workbooks": reports, "summary": totals}, sys.stdout, indent=2)
        print()
    else:
        for r in reports:
            if r["ok"]:
                print(_line(r))
                for issue in r["issues"][:5]:
                    print(f"  note: {issue}")
            else:
                print(_line(r), file=sys.stderr)
        if len(reports) > 1:
            print(_summary_line(totals))
    if any(not r["ok"] for r in reports):
        return 2
    if args.strict and any(r["errors"] for r in reports):
        return 1
    return 0


def _run_all(plan: list[tuple[str, str]], jobs: int, show: bool) -> list[dict]:
    progress = None
    if show:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), console=Console(stderr=True), transient=False)
    if len(plan) == 1:
        from ..recalc import recalculate

        src, dst = plan[0]
        if progress is None:
            return [recalculate(src, dst).as_dict()]
        with progress:
            task = progress.add_task(f"recalculating {os.path.basename(src)}", total=None)

            def tick(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            return [recalculate(src, dst, progress=tick).as_dict()]
    results: list[dict | None] = [None] * len(plan)
    task = None
    if progress is not None:
        progress.start()
        task = progress.add_task(f"recalculating {len(plan)} workbooks", total=len(plan))
    try:
        if jobs <= 1:
            for i, job in enumerate(plan):
                results[i] = _work(job)
                if progress is not None:
                    progress.advance(task)
        else:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor, as_completed

            ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
            with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
                futures = {pool.submit(_work, job): i for i, job in enumerate(plan)}
                for fut in as_completed(futures):
                    i = futures[fut]
                    try:
                        results[i] = fut.result()
                    except Exception as exc:  # a worker died (out of memory, killed)
                        results[i] = {"path": plan[i][0], "output": None, "ok": False,
                                      "reason": f"worker failed: {type(exc).__name__}: {exc}",
                                      "formulas": 0, "errors": {}, "error_cells": [], "issues": [],
                                      "cells": 0, "cell_errors": {}, "error_cells_total": 0,
                                      "error_cells_truncated": False,
                                      "shapes": 0, "vectorized": 0, "seconds": 0.0}
                    if progress is not None:
                        progress.advance(task)
    finally:
        if progress is not None:
            progress.stop()
    return results  # type: ignore[return-value]
