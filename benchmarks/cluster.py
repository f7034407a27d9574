"""Benchmark: a folder of workbooks through ``--jobs N`` and through a local Dask cluster.

Both runs are whole ``xl-kpi recalc`` processes on the same copies of the example workbook
(``workbooks/xl-kpi-example-en.xlsx``), in the same session, alternated, median of ``--repeat``
runs: ``--jobs N`` (one forked process per workbook, N at a time) against ``--scheduler local
--jobs N`` (a Dask LocalCluster of N single-threaded worker processes, one task per workbook).
The ratio says what the cluster path costs on one machine; the difference divided by the
number of workbooks is its overhead per workbook (the cluster's start-up included).

Run: ``python benchmarks/cluster.py [--books 200] [--workers 2] [--repeat 3]``
(needs ``pip install "xl-kpi[cluster]"``).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "workbooks" / "xl-kpi-example-en.xlsx"


def _run(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--books", type=int, default=200)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    try:
        import distributed  # noqa: F401
    except ImportError:
        print('needs Dask distributed: pip install "xl-kpi[cluster]"', file=sys.stderr)
        return 2
    xl_kpi = [sys.executable, "-m", "xl_kpi.cli", "recalc"]
    with tempfile.TemporaryDirectory() as tmp:
        books = Path(tmp) / "in"
        books.mkdir()
        for i in range(args.books):
            shutil.copy(EXAMPLE, books / f"book{i:04d}.xlsx")
        jobs, dask = [], []
        for k in range(args.repeat):
            out = Path(tmp) / f"out{k}"
            jobs.append(_run([*xl_kpi, str(books), "-o", str(out / "jobs"), "--jobs", str(args.workers)]))
            dask.append(_run([*xl_kpi, str(books), "-o", str(out / "dask"), "--scheduler", "local",
                              "--jobs", str(args.workers)]))
    j, d = statistics.median(jobs), statistics.median(dask)
    print(f"{args.books} example workbooks, {args.workers} workers, median of {args.repeat} runs")
    print(f"  --jobs {args.workers}:                 {j:7.2f} s  (min {min(jobs):.2f}, max {max(jobs):.2f})")
    print(f"  --scheduler local --jobs {args.workers}: {d:7.2f} s  (min {min(dask):.2f}, max {max(dask):.2f})")
    print(f"  ratio cluster / jobs: {d / j:.2f}; overhead per workbook {1000 * (d - j) / args.books:+.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
