"""Subscription analytics at scale: 1,000,000 billing rows (50,000 customers over 24 months).

Times MRR movements, cohorts (logos and revenue) and the trailing 12-month NRR/GRR of
:mod:`xl_kpi.subscriptions`, and measures the peak memory, each in a fresh process that reads the
same generated export from a Parquet file (a pickle without pyarrow). The peak resident set is
reset after reading it (Linux ``/proc/self/clear_refs``), so the peak shown is that of the
computation, input included. Then runs the PyPI package ``saas-metrics`` (DuckDB + pandas,
Python >= 3.12) on the same export in the same run when an interpreter with it can be found,
prints the time ratio, and compares the numbers month by month and cohort by cohort.

Usage::

    python benchmarks/subscriptions.py [--rows 1000000] [--customers 50000] [--months 24]
                                       [--repeat 3] [--saas-metrics-python PATH]

``saas-metrics`` is looked for in ``--saas-metrics-python``, then ``$SAAS_METRICS_PYTHON``, then
``/tmp/saas-metrics-venv/bin/python``. To make one::

    python3.12 -m venv /tmp/saas-metrics-venv && /tmp/saas-metrics-venv/bin/pip install saas-metrics

Figures are medians of ``--repeat`` runs inside each process; the peak memory is the process's
maximum resident set (it includes the interpreter, the libraries and the input table), with the
resident set after loading the input shown beside it.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

DEFAULT_SAAS_PYTHON = "/tmp/saas-metrics-venv/bin/python"
FIRST_MONTH = "2023-01"


def generate(rows: int, customers: int, months: int, seed: int = 6):
    """A billing export: one row per paying customer-month, exactly ``rows`` rows.

    Customers start in month 0 (nine in ten: the existing base) or later, stay a geometric
    number of months (0.5 % leave a month), and move between plan prices now and then (expansion, contraction).
    Random rows are then left out to reach ``rows``, which leaves gaps: churn and reactivation.
    Amounts are in cents, so that a decimal engine and a float engine can agree to the cent.
    """
    import pandas as pd

    rng = np.random.default_rng(seed)
    start = np.where(rng.random(customers) < 0.9, 0, rng.integers(0, months, customers))
    stay = rng.geometric(0.005, customers)
    end = np.minimum(start + stay, months)
    span = end - start
    total = int(span.sum())
    if total < rows:
        raise SystemExit(f"the generator makes {total:,} rows, fewer than {rows:,}: ask for more customers")
    owner = np.repeat(np.arange(customers), span)
    offset = np.arange(total) - np.repeat(np.cumsum(span) - span, span)
    month = np.repeat(start, span) + offset
    base = rng.choice([29.0, 99.0, 299.0, 999.0], customers, p=[0.4, 0.35, 0.2, 0.05])
    seats = rng.integers(1, 6, customers)
    step = np.where(rng.random(total) < 0.05, 0.2, np.where(rng.random(total) < 0.03, -0.15, 0.0))
    step[offset == 0] = 0.0
    level = np.cumsum(step)
    level -= np.repeat(level[np.cumsum(span) - span], span)  # restart the walk for each customer
    mrr = np.round(np.repeat(base * seats, span) * np.exp(level), 2)
    keep = np.sort(rng.choice(total, rows, replace=False))
    owner, month, mrr = owner[keep], month[keep], mrr[keep]
    by_month = np.argsort(month, kind="stable")  # exports come month by month
    ids = np.char.add("cus_", np.char.zfill(owner[by_month].astype(str), 6))
    first = np.datetime64(FIRST_MONTH, "M")
    return pd.DataFrame(
        {
            "customer_id": ids.astype(object),
            "month": (first + month[by_month]).astype("datetime64[ns]"),
            "mrr": mrr[by_month],
        }
    )


# -- the child processes ---------------------------------------------------------------------------


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak():
    """Reset the peak resident set (Linux: 5 into clear_refs); the resident set now, or None."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        with open("/proc/self/status") as f:
            fields = dict(line.split(":", 1) for line in f)
        return float(fields["VmRSS"].split()[0]) / 1024
    except OSError:
        return None


def peak_mib():
    """The peak resident set since the last reset, in MiB."""
    with open("/proc/self/status") as f:
        fields = dict(line.split(":", 1) for line in f)
    return float(fields["VmHWM"].split()[0]) / 1024


def _median_time(fn, repeat):
    times = []
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), result


def child_xl_kpi(data: str, out: str, repeat: int) -> None:
    import pandas as pd

    from xl_kpi.subscriptions import build_ledger, cohorts, monthly_kpis, mrr_movements, trailing_retention

    df = pd.read_parquet(data) if data.endswith(".parquet") else pd.read_pickle(data)
    ids, months, mrr = df["customer_id"], df["month"], df["mrr"]
    reading_peak = _rss_mib()
    loaded = reset_peak()

    def three_calls():
        return (
            mrr_movements(ids, months, mrr),
            cohorts(ids, months, mrr),
            trailing_retention(ids, months, mrr),
        )

    def one_ledger():
        led = build_ledger(ids, months, mrr)
        return (
            mrr_movements(led),
            cohorts(led, measure="logos"),
            cohorts(led, measure="revenue"),
            trailing_retention(led),
            monthly_kpis(led),
        )

    t_calls, _ = _median_time(three_calls, repeat)
    t_ledger, (movements, logos, revenue, trailing, kpis) = _median_time(one_ledger, repeat)
    t_build, _ = _median_time(lambda: build_ledger(ids, months, mrr), repeat)
    kpis.to_csv(Path(out) / "xl_kpi_kpis.csv", index=False)
    logos.to_csv(Path(out) / "xl_kpi_logos.csv")
    revenue.to_csv(Path(out) / "xl_kpi_revenue.csv")
    print(json.dumps({
        "three_calls_s": t_calls,
        "one_ledger_s": t_ledger,
        "ledger_s": t_build,
        "peak_mib": peak_mib() if loaded is not None else _rss_mib(),
        "loaded_mib": loaded if loaded is not None else reading_peak,
        "reading_peak_mib": reading_peak,
    }))


SAAS_CHILD = inspect.getsource(reset_peak) + inspect.getsource(peak_mib) + r"""
import json, resource, sys, time
import pandas as pd
import saas_metrics as sm
data, out, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
df = pd.read_parquet(data) if data.endswith(".parquet") else pd.read_pickle(data)
df["month"] = df["month"].dt.strftime("%Y-%m-%d")
reading_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
loaded = reset_peak()
times = []
for _ in range(repeat):
    t0 = time.perf_counter()
    rep = sm.analyze(df, mapping={"customer_id": "customer_id", "period": "month", "revenue": "mrr"},
                     allow_warnings=True)
    times.append(time.perf_counter() - t0)
if not rep.ok:
    print(json.dumps({"error": "; ".join(f"{c.level} {c.name}: {c.detail}" for c in rep.blocking)}))
    sys.exit(0)
rep.waterfall.to_csv(f"{out}/sm_waterfall.csv", index=False)
rep.metrics.to_csv(f"{out}/sm_metrics.csv", index=False)
rep.retention.to_csv(f"{out}/sm_retention.csv", index=False)
times.sort()
print(json.dumps({"analyze_s": times[len(times) // 2], "version": sm.__version__,
                  "peak_mib": peak_mib() if loaded is not None else reading_peak,
                  "loaded_mib": loaded if loaded is not None else reading_peak,
                  "reading_peak_mib": reading_peak}))
"""


# -- the parent ------------------------------------------------------------------------------------


def _run(cmd, timeout=1800):
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        return None, (proc.stderr.strip().splitlines() or ["exit code %d" % proc.returncode])[-1]
    try:
        return json.loads(proc.stdout.strip().splitlines()[-1]), None
    except (json.JSONDecodeError, IndexError):
        return None, f"unreadable output: {proc.stdout[-200:]!r}"


def _saas_python(explicit: str | None) -> tuple[str | None, str]:
    candidates = [explicit, os.environ.get("SAAS_METRICS_PYTHON"), DEFAULT_SAAS_PYTHON]
    tried = []
    for c in candidates:
        if not c:
            continue
        tried.append(c)
        if not Path(c).exists():
            continue
        probe = subprocess.run([c, "-c", "import saas_metrics, sys; print(sys.version.split()[0])"],
                               capture_output=True, text=True)
        if probe.returncode == 0:
            return c, probe.stdout.strip()
    return None, (
        "saas-metrics needs Python >= 3.12 and this project runs on "
        f"{sys.version.split()[0]}; no interpreter with it found (tried {', '.join(tried)}). "
        "Make one: python3.12 -m venv /tmp/saas-metrics-venv && "
        "/tmp/saas-metrics-venv/bin/pip install saas-metrics"
    )


def compare(out: Path) -> list[str]:
    """Where xl-kpi and saas-metrics differ, table by table (tolerance: half a cent, 1e-9 on rates)."""
    import pandas as pd

    ours = pd.read_csv(out / "xl_kpi_kpis.csv", parse_dates=["month"])
    wf = pd.read_csv(out / "sm_waterfall.csv")
    mt = pd.read_csv(out / "sm_metrics.csv")
    ret = pd.read_csv(out / "sm_retention.csv")
    lines = []
    if len(ours) != len(wf):
        return [f"different months: xl-kpi {len(ours)}, saas-metrics {len(wf)}"]
    pairs = [
        ("start_mrr", wf["beginning"]), ("new", wf["new_logo"]), ("expansion", wf["expansion"]),
        ("contraction", wf["contraction"]), ("churned", wf["churn"]), ("reactivation", wf["reactivation"]),
        ("end_mrr", wf["ending"]), ("customers", wf["active_logos"]), ("new_customers", wf["new_logos"]),
        ("reactivated_customers", wf["reactivated_logos"]), ("churned_customers", wf["churned_logos"]),
        ("arr", mt["arr"]), ("arpa", mt["arpa"]), ("quick_ratio", mt["quick_ratio"]),
        ("logo_churn", mt["logo_churn_rate"]), ("revenue_churn", mt["gross_revenue_churn_rate"]),
        ("nrr_12m", mt["nrr_12m"]), ("grr_12m", mt["grr_12m"]),
    ]
    for name, theirs in pairs:
        a = ours[name].to_numpy(dtype=float)
        b = theirs.to_numpy(dtype=float)
        money = name not in ("quick_ratio", "logo_churn", "revenue_churn", "nrr_12m", "grr_12m")
        tol = 0.005 if money else 1e-9
        both_nan = np.isnan(a) & np.isnan(b)
        diff = np.where(both_nan, 0.0, np.abs(a - b))
        bad = ~(diff <= tol)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            lines.append(
                f"  {name:<22} differs in {int(bad.sum())} of {len(a)} months, first "
                f"{ours['month'].iloc[i]:%Y-%m}: xl-kpi {a[i]!r}, saas-metrics {b[i]!r}"
            )
        else:
            lines.append(f"  {name:<22} equal in all {len(a)} months (max |diff| {np.nanmax(diff, initial=0):.2g})")
    # Cohorts: saas-metrics' retention view has one row per vintage and age (ages with revenue rows).
    logos = pd.read_csv(out / "xl_kpi_logos.csv", index_col=0, parse_dates=True)
    revenue = pd.read_csv(out / "xl_kpi_revenue.csv", index_col=0, parse_dates=True)
    ret["vintage"] = pd.to_datetime(ret["vintage"]).dt.to_period("M").dt.to_timestamp()
    lo = logos.stack().rename("ours").reset_index()
    lo.columns = ["vintage", "age", "ours"]
    lo["age"] = lo["age"].astype(int)
    merged = ret.merge(lo, on=["vintage", "age"], how="left")
    bad = merged["ours"].to_numpy() != merged["active_logos"].to_numpy()
    rv = revenue.stack().rename("ours").reset_index()
    rv.columns = ["vintage", "age", "ours"]
    rv["age"] = rv["age"].astype(int)
    merged_r = ret.merge(rv, on=["vintage", "age"], how="left")
    bad_r = np.abs(merged_r["ours"].to_numpy() - merged_r["revenue"].to_numpy().astype(float)) > 0.005
    lines.append(f"  cohort logos           {int(bad.sum())} of {len(merged)} cells differ")
    lines.append(f"  cohort revenue         {int(bad_r.sum())} of {len(merged_r)} cells differ")
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--saas-metrics-python")
    parser.add_argument("--child", nargs=3, metavar=("DATA", "OUT", "REPEAT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child_xl_kpi(args.child[0], args.child[1], int(args.child[2]))
        return 0

    with tempfile.TemporaryDirectory(prefix="xl-kpi-bench-") as tmp:
        out = Path(tmp)
        t0 = time.perf_counter()
        df = generate(args.rows, args.customers, args.months)
        try:
            import pyarrow  # noqa: F401

            data = out / "export.parquet"
            df.to_parquet(data)
        except ModuleNotFoundError:  # without the parquet extra, a pickle does the same job
            data = out / "export.pkl"
            df.to_pickle(data)
        print(f"export: {len(df):,} rows, {df['customer_id'].nunique():,} customers, "
              f"{df['month'].nunique()} months ({df['month'].min():%Y-%m} to {df['month'].max():%Y-%m}); "
              f"generated in {time.perf_counter() - t0:.1f} s")
        del df

        ours, err = _run([sys.executable, __file__, "--child", str(data), str(out), str(args.repeat)])
        if ours is None:
            print(f"xl-kpi failed: {err}")
            return 1
        print(f"\nxl-kpi (Python {sys.version.split()[0]}, numpy/pandas, medians of {args.repeat}):")
        print(f"  ledger only (checks, normalization)              {ours['ledger_s']:.3f} s")
        print("  mrr_movements + cohorts + trailing_retention,")
        print(f"    each called on the raw columns (3 ledgers)     {ours['three_calls_s']:.3f} s")
        print("  one ledger, then movements, cohorts (logos and")
        print(f"    revenue), trailing NRR/GRR, monthly_kpis       {ours['one_ledger_s']:.3f} s")
        print(f"  peak memory while computing {ours['peak_mib']:.0f} MiB (resident after reading the "
              f"input: {ours['loaded_mib']:.0f} MiB; reading it peaked at {ours['reading_peak_mib']:.0f} MiB)")
        goal_t = ours["three_calls_s"] < 2.0
        goal_m = ours["peak_mib"] < 1024
        print(f"  goal under 2 s and 1 GiB: {'met' if goal_t and goal_m else 'NOT met'}")

        python, why = _saas_python(args.saas_metrics_python)
        if python is None:
            print(f"\nsaas-metrics: not run. {why}")
            return 0
        theirs, err = _run([python, "-c", SAAS_CHILD, str(data), str(out), str(args.repeat)])
        if theirs is None or "error" in (theirs or {}):
            print(f"\nsaas-metrics: failed: {err or theirs['error']}")
            return 0
        print(f"\nsaas-metrics {theirs['version']} (Python {why}, DuckDB + pandas, analyze(), "
              f"medians of {args.repeat}):")
        print(f"  analyze (checks, waterfall, metrics, retention)  {theirs['analyze_s']:.3f} s")
        print(f"  peak memory while computing {theirs['peak_mib']:.0f} MiB (resident after reading the "
              f"input: {theirs['loaded_mib']:.0f} MiB; reading it peaked at {theirs['reading_peak_mib']:.0f} MiB)")
        print(f"\nratio saas-metrics / xl-kpi: {theirs['analyze_s'] / ours['one_ledger_s']:.1f}x "
              f"(one ledger), {theirs['analyze_s'] / ours['three_calls_s']:.1f}x (three calls); "
              f"memory {theirs['peak_mib'] / ours['peak_mib']:.1f}x")
        print("\nnumbers compared month by month:")
        for line in compare(out):
            print(line)
        print(
            "\nwhy they may differ: saas-metrics rounds money to cents (DECIMAL(18,2)) and xl-kpi adds "
            "floats;\nboth count churn in the first month without revenue, reactivation after a gap, "
            "12-month NRR/GRR\npoint to point, logo churn over the customers at the start of the month."
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
