"""Benchmark: a billing ledger of 100 million rows through the DuckDB path, time and peak memory.

Generates (with DuckDB, in a temporary folder) a Parquet export of about ``--rows`` rows: one row
per paying customer-month over ``--months`` months, customers joining over the first half,
leaving gaps (churn and returns) and changing price (expansion and contraction). Then, in a fresh
process, reads it with ``load_ledger(path, engine="duckdb")`` and computes the MRR movements,
both cohort tables, the trailing 12-month NRR/GRR and the monthly KPI table, and prints the time of each step and the
process's peak resident memory (``ru_maxrss``: the interpreter, DuckDB's buffers and the arrays).

With ``--pandas-rows N`` it also runs the pandas path on an N-row export of the same shape,
for its memory per million rows (from which the largest ledger it can hold follows). ``--repeat
K`` runs the DuckDB path K times and prints the median of each step; the load average (the
machine is shared) is printed before and after each run, and the CPU time of the process (user
+ system, DuckDB's threads included), which depends less on the other work. ``--by-date``
writes the export sorted by month, as billing systems export, instead of grouped by customer.

numpy's default settings are used: the subscription code turns numpy's huge pages off itself
while it works on ledger-sized arrays (see ``xl_kpi/subscriptions/_memory.py``); the figures
print ``NUMPY_MADVISE_HUGEPAGE`` when it is set.

Run: ``python benchmarks/outofcore.py [--rows 100000000] [--months 48] [--pandas-rows 2000000]
[--parquet PATH] [--repeat 3]`` (needs ``pip install "xl-kpi[bigdata]"``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def generate(path: Path, rows: int, months: int, by_date: bool = False) -> int:
    """Write the export, grouped by customer (months ascending) or sorted by month; the number
    of rows written. The order is explicit: without it DuckDB writes the rows of its cross
    product in whatever order its threads produce them (month-major, on DuckDB 2)."""
    import duckdb

    per_customer = months * 0.75 * 0.92  # joined over the first half on average, 8 % of months skipped
    customers = max(1, int(rows / per_customer))
    con = duckdb.connect()
    con.execute(f"""COPY (
        SELECT 'cus_' || lpad(CAST(c AS VARCHAR), 9, '0') AS customer_id,
               CAST(DATE '2021-01-01' + to_months(CAST(m AS INTEGER)) AS DATE) AS month,
               CAST(29 + (hash(c) % 8) * 25
                    + CASE WHEN m > hash(c * 7) % {months} THEN 20 ELSE 0 END
                    - CASE WHEN m > hash(c * 13) % {2 * months} THEN 10 ELSE 0 END AS DOUBLE) AS mrr,
               CASE WHEN c % 3 = 0 THEN 'enterprise' ELSE 'smb' END AS segment
        FROM range({customers}) t(c), range({months}) s(m)
        WHERE m >= hash(c) % {max(1, months // 2)} AND hash(c * 1000003 + m) % 100 >= 8
        ORDER BY {'m, hash(c)' if by_date else 'c, m'}
    ) TO '{path}' (FORMAT PARQUET, ROW_GROUP_SIZE 1000000)""")
    n = con.execute(f"SELECT count(*) FROM read_parquet('{path}')").fetchone()[0]
    con.close()
    return int(n)


def child(path: str, engine: str) -> None:
    sys.path.insert(0, str(ROOT))
    from xl_kpi.subscriptions import cohorts, load_ledger, monthly_kpis, mrr_movements, trailing_retention

    times = {}
    t = time.perf_counter()
    ledger = load_ledger(path, engine=engine)
    times["load_ledger"] = time.perf_counter() - t
    peak_load = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for name, fn in (("mrr_movements", lambda: mrr_movements(ledger)),
                     ("cohorts logos+revenue", lambda: [cohorts(ledger, measure=m) for m in ("logos", "revenue")]),
                     ("trailing_retention 12m", lambda: trailing_retention(ledger)),
                     ("monthly_kpis", lambda: monthly_kpis(ledger))):
        t = time.perf_counter()
        fn()
        times[name] = time.perf_counter() - t
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak = usage.ru_maxrss / 1024  # KiB -> MiB
    print(json.dumps({"times": times, "peak_mib": peak, "peak_load_mib": peak_load,
                      "cpu_s": usage.ru_utime + usage.ru_stime, "customer_months": int(ledger.mrr.size)}))


def _run(path: Path, engine: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", str(path), engine], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _show(title: str, rows: int, got: dict) -> None:
    total = got.get("total", sum(got["times"].values()))
    print(f"{title}: {rows:,} rows ({got['customer_months']:,} paying customer-months)")
    for step, s in got["times"].items():
        print(f"  {step:24s} {s:8.2f} s")
    print(f"  {'total':24s} {total:8.2f} s, peak memory {got['peak_mib'] / 1024:.2f} GiB "
          f"({got['peak_load_mib'] / 1024:.2f} GiB by the end of load_ledger); "
          f"{got['cpu_s']:.1f} s of CPU (user + system, every thread)")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _median(runs: list[dict]) -> dict:
    """Each step's median time, the median of the runs' totals and the median peak over several runs."""
    import statistics

    return {"times": {k: statistics.median(r["times"][k] for r in runs) for k in runs[0]["times"]},
            "total": statistics.median(sum(r["times"].values()) for r in runs),
            "peak_mib": statistics.median(r["peak_mib"] for r in runs),
            "peak_load_mib": statistics.median(r["peak_load_mib"] for r in runs),
            "cpu_s": statistics.median(r["cpu_s"] for r in runs),
            "customer_months": runs[0]["customer_months"]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000_000)
    ap.add_argument("--months", type=int, default=48)
    ap.add_argument("--pandas-rows", type=int, default=0)
    ap.add_argument("--parquet", metavar="PATH", help="write (or reuse, when it exists) the generated export here")
    ap.add_argument("--repeat", type=int, default=1, help="runs of the DuckDB path (the median is shown)")
    ap.add_argument("--by-date", action="store_true", help="generate the export sorted by month")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return 0
    try:
        import duckdb  # noqa: F401
    except ImportError:
        print('needs DuckDB: pip install "xl-kpi[bigdata]"', file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(dir=os.environ.get("TMPDIR")) as tmp:
        path = Path(args.parquet) if args.parquet else Path(tmp) / "ledger.parquet"
        if path.exists():
            import duckdb

            n = duckdb.connect().execute(f"SELECT count(*) FROM read_parquet('{path}')").fetchone()[0]
            print(f"reusing {path}: {n:,} rows")
        else:
            t = time.perf_counter()
            n = generate(path, args.rows, args.months, args.by_date)
            print(f"generated {n:,} rows in {time.perf_counter() - t:.1f} s "
                  f"({path.stat().st_size / 2**20:.0f} MiB Parquet)")
        print(f"load average {_load()}; NUMPY_MADVISE_HUGEPAGE={os.environ.get('NUMPY_MADVISE_HUGEPAGE', '(unset)')}")
        runs = []
        for _ in range(max(1, args.repeat)):
            runs.append(_run(path, "duckdb"))
            print(f"  run {len(runs)}: {sum(runs[-1]['times'].values()):.1f} s, load average {_load()}")
        _show(f"DuckDB path (median of {len(runs)})" if len(runs) > 1 else "DuckDB path", n, _median(runs))
        print(f"load average {_load()}")
        if args.pandas_rows:
            small = Path(tmp) / "small.parquet"
            m = generate(small, args.pandas_rows, args.months)
            got = _run(small, "pandas")
            _show("pandas path", m, got)
            per_million = got["peak_mib"] / (m / 1e6)
            print(f"  pandas: about {per_million:.0f} MiB per million rows at peak, so about "
                  f"{24 * 1024 / per_million:.0f} million rows fit in 24 GiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
