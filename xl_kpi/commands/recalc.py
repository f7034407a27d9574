"""``xl-kpi recalc``: recalculate workbooks without Excel, as Excel's "Calculate now" does.

Exit codes: 0 every workbook recalculated; 1 with ``--strict`` when a cell computed to an Excel
error, kept Excel's stored value (a function xl-kpi lacks, a link, a data table...) or a circular
group did not converge; 2 when a file could not be processed (the reason on one line) or the command is misused.
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
    p.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                   help="workbooks processed in parallel (0: one per core; default 1; with --scheduler "
                   "local, the cluster's workers, default one per core)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run one task per workbook on a Dask distributed scheduler (tcp://host:8786), "
                   "or 'local' for a cluster on this machine; every worker must see the paths "
                   '(needs pip install "xl-kpi[cluster]")')
    p.add_argument("--max-cells", type=_count, default=None, metavar="N",
                   help="refuse a workbook of more cells (default 10,000,000)")
    p.add_argument("--max-unzipped-size", type=_size, default=None, metavar="SIZE",
                   help="refuse a workbook that unzips to more (default 1G; K, M, G suffixes)")
    p.add_argument("--circular", choices=("refuse", "keep", "iterate"), default="refuse",
                   help="a circular reference in a workbook without iterative calculation: refuse the "
                   "workbook (default), compute it as Excel does without iterating (the cycle and the cells "
                   "reading it keep the values Excel stored) and the rest as usual, "
                   "or iterate as Excel does once iterative calculation is enabled (the file's "
                   "iteration count and maximum change, else Excel's 100 and 0.001)")
    p.add_argument("--json", action="store_true", help="print one JSON report for scripts")
    p.add_argument("--strict", action="store_true",
                   help="exit 1 if any cell computed to an Excel error, kept the value Excel stored, "
                   "or an iteration did not converge")
    prog = p.add_mutually_exclusive_group()
    prog.add_argument("--progress", dest="progress", action="store_true", default=None,
                      help="show a progress bar (default: when the terminal is interactive)")
    prog.add_argument("--no-progress", dest="progress", action="store_false")
    p.set_defaults(run=run)


def _count(text: str) -> int:
    try:
        n = int(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return n


_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def _size(text: str) -> int:
    """``"500M"`` -> 524288000 (binary units; a trailing ``B`` or ``iB`` is accepted)."""
    t = text.strip().upper().removesuffix("B").removesuffix("I")
    unit = t[-1:] if t[-1:] in _UNITS and t[-1:] else ""
    try:
        n = float(t[: len(t) - len(unit)]) * _UNITS[unit]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 500M, 2G)") from None
    if not 1 <= n < 1 << 60:
        raise argparse.ArgumentTypeError(f"out of range: {text!r}")
    return int(n)


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
    """(input, output) pairs, or the reason the outputs are unsafe (checked before any work)."""
    from ..safe_output import UnsafeOutput, check_output

    if args.in_place:
        plan = [(f, f) for f in files]
        inputs: list[str] = []
    elif not args.output:
        return "give -o OUT (a file, or a folder for several workbooks) or --in-place"
    else:
        out = args.output
        several = len(files) > 1 or any(os.path.isdir(p) for p in args.paths)
        if several or os.path.isdir(out):
            try:
                os.makedirs(out, exist_ok=True)
            except OSError as exc:
                return f"cannot create the output folder {out} ({exc.strerror or exc})"
            plan = [(f, os.path.join(out, os.path.basename(f))) for f in files]
            targets = [d for _, d in plan]
            if len(set(targets)) != len(targets):
                return "two inputs have the same file name; recalculate them into different folders"
        else:
            plan = [(files[0], out)]
        inputs = files
    try:
        for _, dst in plan:
            check_output(dst, inputs=inputs)
    except UnsafeOutput as exc:
        reason = str(exc)
        if not args.in_place and "is the input" in reason:
            reason += "; use --in-place to replace it"
        return reason
    return plan


def _work(job: tuple[str, str, object, str]) -> dict:
    from ..recalc import recalculate

    src, dst, limits, circular = job
    return recalculate(src, dst, limits=limits, circular=circular).as_dict()


def _preload() -> None:
    """Import the engine (its parser included) once here: forked workers share it instead of each
    importing it again."""
    if sys.platform.startswith("linux"):
        from ..recalc import recalculate  # noqa: F401


def _failed(job: tuple[str, str, object, str], reason: str) -> dict:
    from ..recalc import Report

    report = Report(job[0], None, ok=False, reason=reason)
    return report.as_dict()


def _limits(args):
    from ..recalc import Limits

    defaults = Limits()
    return Limits(max_cells=args.max_cells or defaults.max_cells,
                  max_unzipped=args.max_unzipped_size or defaults.max_unzipped)


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
    kept = r.get("kept") or {}
    if kept:
        line += f", {sum(kept.values()):,} kept as Excel stored them (" + ", ".join(
            f"{k} {v:,}" for k, v in kept.items()) + ")"
        if r.get("depends_on_kept"):
            line += f", {r['depends_on_kept']:,} computed from them"
    its = r.get("iterations") or []
    if its:
        bad = sum(1 for it in its if not it["converged"])
        line += f", {len(its)} circular group{'s' if len(its) > 1 else ''} iterated" + (
            f" ({bad} did not converge)" if bad else "")
    if r["output"] != r["path"]:
        line += f" -> {r['output']}"
    return line


def _untrusted(r: dict) -> bool:
    """What --strict refuses: errors, kept values, non-converged iterations."""
    return bool(r["errors"] or r.get("kept") or any(not it["converged"] for it in r.get("iterations") or ()))


def summary(reports: list[dict], seconds: float) -> dict:
    """Totals over a run: workbooks done and failed, formulas and cells, errors by kind."""
    done = [r for r in reports if r["ok"]]
    by_formula: dict[str, int] = {}
    by_cell: dict[str, int] = {}
    kept: dict[str, int] = {}
    for r in done:
        for cause, n in (r.get("kept") or {}).items():
            kept[cause] = kept.get(cause, 0) + n
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
        "kept": dict(sorted(kept.items())), "with_kept": sum(1 for r in done if r.get("kept")),
        "iterated": sum(len(r.get("iterations") or ()) for r in done),
        "not_converged": sum(1 for r in done for it in r.get("iterations") or () if not it["converged"]),
        "seconds": round(seconds, 3),
    }


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'s' if n != 1 else ''}"


def _summary_line(s: dict) -> str:
    failed = f", {s['failed']} could not be processed" if s["failed"] else ""
    return (f"total: {s['recalculated']} of {s['workbooks']} workbooks recalculated{failed}; "
            f"{_formulas_text(s['formulas'], s['cells'])}, {_errors_text(s['errors'], s['cell_errors'])}"
            f" (in {s['with_errors']} workbook{'s' if s['with_errors'] != 1 else ''})"
            + (f"; {_plural(sum(s['kept'].values()), 'cell')} kept as Excel stored them (in "
               f"{_plural(s['with_kept'], 'workbook')})" if s.get("kept") else "")
            + (f"; {_plural(s['iterated'], 'circular group')} iterated, {s['not_converged']} did not converge"
               if s.get("not_converged") else "")
            + f"; {s['seconds']:.1f} s")


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
    cores = os.cpu_count() or 1
    if args.jobs is None:
        jobs = cores if args.scheduler else 1
    else:
        jobs = args.jobs if args.jobs > 0 else cores
    jobs = min(jobs, len(plan))
    show = args.progress if args.progress is not None else sys.stderr.isatty()
    limits = _limits(args)
    start = time.perf_counter()
    work = [(src, dst, limits, args.circular) for src, dst in plan]
    if args.scheduler:
        from .cluster import ClusterUnavailable

        try:
            reports = _run_on_cluster(work, args.scheduler, jobs, show)
        except ClusterUnavailable as exc:
            _err(str(exc))
            return 2
    else:
        reports = _run_all(work, jobs, show)
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
    if args.strict and any(_untrusted(r) for r in reports):
        return 1
    return 0


def _progress_bar(show: bool):
    if not show:
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=Console(stderr=True), transient=False)


def _run_on_cluster(plan: list[tuple[str, str, object, str]], address: str, workers: int, show: bool) -> list[dict]:
    """The batch on Dask: one task per workbook, reports named as given (paths sent absolute)."""
    from .cluster import absolute, run_on_dask

    progress = _progress_bar(show)
    task = None
    if progress is not None:
        progress.start()
        task = progress.add_task(f"recalculating {len(plan)} workbooks on {address}", total=len(plan))
    try:
        reports = run_on_dask(absolute(plan), _work, address=address, workers=workers, failed=_failed,
                              done=(lambda _: progress.advance(task)) if progress is not None else None)
    finally:
        if progress is not None:
            progress.stop()
    for (src, dst, *_), r in zip(plan, reports):
        r["path"] = src
        if r.get("output"):
            r["output"] = dst
    return reports


def _run_all(plan: list[tuple[str, str, object]], jobs: int, show: bool) -> list[dict]:
    progress = _progress_bar(show)
    if len(plan) == 1:
        from ..recalc import recalculate

        src, dst, limits, circular = plan[0]
        if progress is None:
            return [recalculate(src, dst, limits=limits, circular=circular).as_dict()]
        with progress:
            task = progress.add_task(f"recalculating {os.path.basename(src)}", total=None)

            def tick(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            return [recalculate(src, dst, progress=tick, limits=limits, circular=circular).as_dict()]
    task = None
    if progress is not None:
        progress.start()
        task = progress.add_task(f"recalculating {len(plan)} workbooks", total=len(plan))

    def advance(_: int) -> None:
        if progress is not None:
            progress.advance(task)

    try:
        if jobs <= 1:
            results = []
            for i, job in enumerate(plan):
                results.append(_work(job))
                advance(i)
            return results
        from .workers import run_each

        _preload()
        return run_each(plan, _work, parallel=jobs, failed=_failed, done=advance)
    finally:
        if progress is not None:
            progress.stop()
