"""Benchmark: how many formula cells of real workbooks ``xl-kpi recalc`` computes as Excel did.

Every workbook of the corpus (``$XL_KPI_REALWORLD``, else ``<repo>/../shared/realworld``, else
``/work/shared/realworld``; see its SOURCES.md) is copied with no stored value in its formula
cells (array-formula and data-table members included), recalculated, and each formula cell is
compared with the value Excel cached in the original (numbers to 1e-9 relative, text, logicals,
error values; see ``tests/corpus.py``). Prints per file and in total the share of agreeing cells
and the causes of the rest: unknown functions behind ``#NAME?``, errors Excel did not have,
wrong numbers, refused workbooks.

``--stored`` recalculates the files as they are instead: a cell xl-kpi cannot compute then keeps
the value Excel stored (the ``kept`` figures), which is what a user gets; the table then also
counts the cells holding an error Excel did not have.

A workbook refused for a circular reference (its iterative calculation is off, as Excel
then warns) counts as refused in the total; it is also recalculated the two ways the refusal
names, each shown on a line of its own with a total counting those lines instead: with
``--circular keep``, as Excel leaves such a workbook (the cycle and the cells reading it not
calculated), and with ``--circular iterate``, as Excel computes it once "Enable iterative
calculation" is ticked.

``--libreoffice`` also times the three largest files (by formula cells) LibreOffice can load against it
headless with recalculation forced (a profile whose ``OOXMLRecalcMode`` is 0, "always"), both
as whole processes on the same stripped copy (a file refused for a circular reference timed
with ``--circular keep`` and ``--circular iterate``), medians of ``--repeat`` runs, and gives
LibreOffice's own agreement on them.

Run: ``python benchmarks/realworld.py [--causes 15] [--libreoffice] [--repeat 3] [--json]``
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from corpus import FileResult, compare, corpus_dir, strip_cached_values, workbooks  # noqa: E402

_RECALC_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def recalc_file(original: Path, work: Path, name: str, stored: bool = False,
                circular: str = "refuse") -> tuple[FileResult, Path, dict]:
    """Strip (unless ``stored``), recalculate in process, compare; returns the result, the copy
    recalculated and the report."""
    from xl_kpi.recalc import recalculate

    stripped = work / ("stripped" + original.suffix)
    out = work / ("out" + original.suffix)
    if not stripped.exists():
        if stored:
            shutil.copyfile(original, stripped)
        else:
            strip_cached_values(original, stripped)
    report = recalculate(stripped, out, circular=circular)
    if not report.ok:
        res = compare(original, None, name=name, refused=report.reason)
    else:
        res = compare(original, out, name=name, issues=report.issues)
    res.seconds = report.seconds
    return res, stripped, report.as_dict()


def libreoffice_profile(folder: Path) -> Path:
    """A LibreOffice user profile that recalculates every file it loads."""
    user = folder / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(_RECALC_XCU, encoding="utf-8")
    return folder


def time_libreoffice(stripped: Path, profile: Path, out_dir: Path) -> tuple[float, Path | None]:
    """Whole-process time of LibreOffice converting (so loading, recalculating, saving) a copy.

    A fresh profile's first start can exit without converting: then it runs once more.
    """
    out_dir.mkdir(exist_ok=True)
    out = out_dir / (stripped.stem + ".xlsx")
    for _ in range(2):
        t = time.perf_counter()
        subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--calc",
                        "--convert-to", "xlsx", "--outdir", str(out_dir), str(stripped)],
                       check=False, capture_output=True, timeout=600)
        elapsed = time.perf_counter() - t
        if out.exists():
            return elapsed, out
    return elapsed, None


def refused_as_circular(res: FileResult) -> bool:
    return bool(res.refused) and res.refused.startswith("circular reference")


def time_xl_kpi(stripped: Path, out: Path, circular: str = "refuse") -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "xl_kpi.cli", "recalc", str(stripped), "-o", str(out), "--no-progress",
                    "--circular", circular], check=False, capture_output=True, timeout=600, cwd=ROOT)
    return time.perf_counter() - t


def _file_json(r: FileResult) -> dict:
    return {"file": r.name, "cells": r.cells, "agreeing": r.agreeing, "share": round(r.share, 6),
            "refused": r.refused, "seconds": round(r.seconds, 3), "causes": dict(r.causes.most_common()),
            "examples": r.examples}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--causes", type=int, default=15, help="causes listed in the total (default 15)")
    ap.add_argument("--libreoffice", action="store_true", help="time the three largest files against LibreOffice")
    ap.add_argument("--repeat", type=int, default=3, help="runs per timing (median; default 3)")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    ap.add_argument("--stored", action="store_true",
                    help="recalculate the files as they are (uncomputable cells keep Excel's values)")
    ap.add_argument("files", nargs="*", help="only the corpus files whose path contains one of these")
    args = ap.parse_args(argv)
    folder = corpus_dir()
    if folder is None:
        print("realworld: no corpus found (set XL_KPI_REALWORLD, or place it at <repo>/../shared/realworld "
              "or /work/shared/realworld)", file=sys.stderr)
        return 2
    books = [p for p in workbooks(folder) if not args.files or any(s in str(p) for s in args.files)]
    results: list[FileResult] = []
    stripped_copies: dict[str, Path] = {}
    reports: dict[str, dict] = {}
    iterated: dict[str, FileResult] = {}  # refused for a circular reference: with iteration enabled
    left: dict[str, FileResult] = {}  # the same, as Excel leaves it without iteration
    with tempfile.TemporaryDirectory(prefix="xl-kpi-realworld-") as tmp:
        tmp = Path(tmp)
        for i, book in enumerate(books):
            name = str(book.relative_to(folder))
            work = tmp / str(i)
            work.mkdir()
            res, stripped, reports[name] = recalc_file(book, work, name, args.stored)
            results.append(res)
            stripped_copies[name] = stripped
            if refused_as_circular(res):
                left[name], _, _ = recalc_file(book, work, name, args.stored, "keep")
                iterated[name], _, reports[name] = recalc_file(book, work, name, args.stored, "iterate")
        lo_rows = []
        lo_skipped: list[str] = []
        if args.libreoffice:
            if shutil.which("soffice") is None:
                print("realworld: --libreoffice needs soffice on PATH", file=sys.stderr)
                return 2
            profile = libreoffice_profile(tmp / "lo-profile")
            timed = 0
            for res in sorted(results, key=lambda r: -r.cells):  # the three largest LibreOffice loads
                if timed == 3:
                    break
                stripped = stripped_copies[res.name]
                _, lo_out = time_libreoffice(stripped, profile, tmp / "lo-probe")
                if lo_out is None:
                    lo_skipped.append(res.name)
                    continue
                modes = ("keep", "iterate") if res.name in iterated else ("refuse",)
                xl_times: dict[str, list[float]] = {m: [] for m in modes}
                lo_times = []
                for k in range(max(1, args.repeat)):
                    for m in modes:
                        xl_times[m].append(time_xl_kpi(stripped, tmp / f"xl-{k}{stripped.suffix}", m))
                    t, lo_out = time_libreoffice(stripped, profile, tmp / f"lo-{k}")
                    lo_times.append(t)
                lo_res = compare(folder / res.name, lo_out, name=res.name,
                                 refused=None if lo_out else "LibreOffice wrote no output")
                lo_median = statistics.median(lo_times)
                timed += 1
                for m in modes:
                    lo_rows.append(({"keep": left, "iterate": iterated}.get(m, {}).get(res.name, res), m,
                                    statistics.median(xl_times[m]), lo_median, lo_res))
    total_cells = sum(r.cells for r in results)
    total_ok = sum(r.agreeing for r in results)
    iterated_ok = sum(iterated[r.name].agreeing if r.name in iterated else r.agreeing for r in results)
    left_ok = sum(left[r.name].agreeing if r.name in left else r.agreeing for r in results)
    causes: Counter = Counter()
    examples: dict[str, list[str]] = {}
    for r in results:
        causes.update(r.causes)
        for why, cells in r.examples.items():
            examples.setdefault(why, []).extend(f"{r.name}:{c}" for c in cells[:1])
    new_errors = {r.name: sum(n for why, n in r.causes.items()
                              if why.startswith("#") and why.endswith((" a number", " text", " a logical"))
                              or why.startswith("#NAME?")) for r in results}
    kept = Counter()
    for rep_ in reports.values():
        kept.update(rep_.get("kept") or {})
    iterations = {name: rep_.get("iterations") for name, rep_ in reports.items() if rep_.get("iterations")}
    if args.json:
        json.dump({
            "files": [{**_file_json(r),
                       **({"with_iteration_enabled": _file_json(iterated[r.name]),
                           "without_iteration": _file_json(left[r.name])} if r.name in iterated else {})}
                      for r in results],
            "total": {"cells": total_cells, "agreeing": total_ok,
                      "share": round(total_ok / total_cells, 6) if total_cells else 1.0,
                      "causes": dict(causes.most_common())},
            "total_with_iteration_enabled": {"cells": total_cells, "agreeing": iterated_ok,
                                             "share": round(iterated_ok / total_cells, 6) if total_cells else 1.0},
            "total_without_iteration": {"cells": total_cells, "agreeing": left_ok,
                                        "share": round(left_ok / total_cells, 6) if total_cells else 1.0},
            "errors_excel_did_not_have": new_errors, "kept": dict(kept), "iterations": iterations,
            "libreoffice": [{"file": r.name, "xl_kpi_seconds": round(x, 3), "libreoffice_seconds": round(lo, 3),
                             "ratio": round(x / lo, 3), "libreoffice_share": round(lr.share, 6), "circular": m}
                            for r, m, x, lo, lr in lo_rows],
            "libreoffice_could_not_load": lo_skipped,
        }, sys.stdout, indent=2)
        print()
        return 0
    width = max((len(r.name) for r in results), default=10)
    print(f"{'file':<{width}}  {'cells':>6}  {'agree':>6}  {'share':>7}  {'s':>5}  main cause of the rest")
    def row(label: str, r: FileResult) -> None:
        top = r.causes.most_common(1)
        why = f"{top[0][0]} ({top[0][1]})" if top else ""
        print(f"{label:<{width}}  {r.cells:>6}  {r.agreeing:>6}  {r.share:>7.2%}  {r.seconds:>5.2f}  {why}")

    for r in results:
        row(r.name, r)
        if r.name in iterated:
            row("  as Excel leaves it without iteration (--circular keep)", left[r.name])
            row("  with iteration enabled (--circular iterate)", iterated[r.name])
    share = total_ok / total_cells if total_cells else 1.0
    print(f"{'total':<{width}}  {total_cells:>6}  {total_ok:>6}  {share:>7.2%}")
    if iterated:
        for label, ok in (("total, as Excel leaves them without iteration where refused", left_ok),
                          ("total, with iteration enabled where refused", iterated_ok)):
            print(f"{label:<{width}}  {total_cells:>6}  {ok:>6}  {ok / total_cells if total_cells else 1.0:>7.2%}")
    print(f"\ncells holding an error Excel did not have: {sum(new_errors.values()):,}"
          + (f"; kept as Excel stored them: {sum(kept.values()):,} ("
             + ", ".join(f"{k} {v:,}" for k, v in kept.most_common()) + ")" if kept else ""))
    for name, its in iterations.items():
        for it in its:
            print(f"  {name}: circular group of {it['size']} cells ({', '.join(it['cells'][:3])}) iterated "
                  f"{it['iterations']} times, {'converged' if it['converged'] else 'did not converge'}")
    print(f"\ncauses of the {total_cells - total_ok:,} disagreeing cells (first cell of each):")
    for why, n in causes.most_common(args.causes):
        print(f"  {n:>6}  {why}  [{examples[why][0]}]")
    rest = len(causes) - args.causes
    if rest > 0:
        print(f"  ... and {rest} more causes ({sum(n for _, n in causes.most_common()[args.causes:]):,} cells)")
    if lo_skipped:
        print(f"\nLibreOffice could not load: {', '.join(lo_skipped)}")
    if lo_rows:
        print(f"\nwhole-process time on the three largest files LibreOffice loads (median of {args.repeat}), "
              "LibreOffice recalculating:")
        for r, m, x, lo, lr in lo_rows:
            how = f" (--circular {m})" if m != "refuse" else ""
            print(f"  {r.name}{how}: xl-kpi {x:.2f} s, LibreOffice {lo:.2f} s, ratio {x / lo:.2f}; "
                  f"agreeing cells: xl-kpi {r.share:.2%}, LibreOffice {lr.share:.2%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
