"""Throughput of every value KPI of the metrics core over 1,000,000 months, against the bare
numpy expression of its formula, and the cost of one scalar call.

For each Excel function with value arguments, the script builds valid inputs from a reference
case (tests/reference/*.toml: every value argument of the case scaled by one random factor in
[0.5, 1] per element, which keeps parts within their wholes and rates within [0, 1]), then times,
in this process, interleaved, best of ``--repeat`` CPU times:

- the KPI on the whole arrays (``errors="raise"``, and ``errors="report"``);
- the bare numpy expression of the same formula on the same arrays (``lost / customers`` for
  churn): no checks at all, the floor any checked implementation is measured against;
- a plain Python loop calling the KPI once per element, as a cell-by-cell implementation would
  (on a sample, reported per element).

It prints elements per second, the ratio KPI / bare expression and KPI / loop. Goal (issue 13):
every KPI at most 3x its bare expression and at least 100 million elements per second. Then the
microseconds of one scalar call, through the Python API and through the UDF (``xl_kpi.udfs``,
what Excel calls once per cell).

Usage: python benchmarks/metrics.py [--n 1000000] [--loop-n 20000] [--repeat 15]
"""

from __future__ import annotations

import argparse
import sys
import time
import timeit
import tomllib
from pathlib import Path

import numpy as np

from xl_kpi import catalogue

ROOT = Path(__file__).resolve().parents[1]


def seed_cases() -> dict[str, list]:
    """One scalar, error-free reference case per function with value arguments."""
    seeds: dict[str, list] = {}
    for path in sorted((ROOT / "tests" / "reference").glob("*.toml")):
        for case in tomllib.loads(path.read_text())["case"]:
            name = case["function"]
            if name in seeds or name not in catalogue.INTERFACE:
                continue
            fn = catalogue.INTERFACE[name]
            if isinstance(case["expected"], (list, str)) or not any(p.kind == "value" for p in fn.params):
                continue
            values = [a for a, p in zip(case["args"], fn.params) if p.kind == "value"]
            if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values) and any(values):
                seeds[name] = case["args"]
    return seeds


#: The formula of each KPI as a numpy user would write it, on the KPI's positional arguments.
BARE = {
    "conversion_rate": np.divide, "pql_conversion": np.divide, "ccr": np.divide, "churn": np.divide,
    "retention": np.divide, "csat_counts": np.divide, "fcr": np.divide, "cac": np.divide,
    "ltv_cac": np.divide, "net_margin": np.divide, "current_ratio": np.divide, "debt_to_equity": np.divide,
    "purchase_frequency": np.divide,
    "interest_coverage": np.divide, "arpu": np.divide, "average_basket": np.divide, "equity_ratio": np.divide,
    "roi": lambda gain, cost: (gain - cost) / cost,
    "growth": lambda previous, current: current / previous - 1.0,
    "mrr_growth": lambda start, end: end / start - 1.0,
    "ltv": lambda arpu, churn, margin=1.0: arpu * margin / churn,
    "ltv_purchase": lambda a, f, n: a * f * n,
    "clv_contract": lambda a, m, n: a * m * n,
    "clv_value": np.multiply,
    "mrr_from_average": np.multiply,
    "cac_payback": lambda cac, arpu, margin=1.0: cac / (arpu * margin),
    "acid_test": lambda assets, liabilities: np.sum(assets) / liabilities,
    "crc": lambda costs, customers: np.sum(costs) / customers,
    "cost_to_serve": lambda costs, customers: np.sum(costs) / customers,
    "crr": lambda end, new, start: (end - new) / start,
    "churn_monthly": lambda annual, method="compound": (annual / 12.0 if method == "linear"
                                                        else -np.expm1(np.log1p(-annual) / 12.0)),
    "churn_annual": lambda monthly, method="compound": (monthly * 12.0 if method == "linear"
                                                        else -np.expm1(12.0 * np.log1p(-monthly))),
    "lifetime": lambda churn: 1.0 / churn,
    "arr": lambda mrr: mrr * 12.0,
    "arr_from_subscriptions": lambda subs, expansion, churned: subs + expansion - churned,
    "revenue_churn": lambda churned, start, contraction=0.0: (churned + contraction) / start,
    "net_revenue_churn": lambda churned, start, contraction, expansion: (churned + contraction - expansion) / start,
    "nrr": lambda start, expansion, contraction, churned: (start - contraction - churned + expansion) / start,
    "grr": lambda start, contraction, churned: (start - contraction - churned) / start,
    "net_new_mrr": lambda new, expansion, contraction, churned, *reactivation: (
        new + expansion + reactivation[0] if reactivation else new + expansion) - contraction - churned,
    "quick_ratio": lambda new, expansion, contraction, churned, *reactivation: (
        new + expansion + reactivation[0] if reactivation else new + expansion) / (contraction + churned),
    "nps_counts": lambda promoters, passives, detractors: 100.0 * (promoters - detractors) / (
        promoters + passives + detractors),
}

#: Scalar calls timed: (Excel name, arguments as Excel sends them to the UDF).
SCALAR_CALLS = [("KPI_CHURN", (10.0, 100.0)), ("KPI_NRR", (100000.0, 8000.0, 3000.0, 5000.0)),
                ("KPI_LTV", (50.0, 0.005, 0.8))]


def best_pair(repeat: int, f, g) -> tuple[float, float]:
    """Best CPU times of two functions timed in turn.

    CPU time of this process (``time.process_time``), not wall time: on a shared machine the
    other jobs' share of the cores does not count (on a quiet machine the two agree).
    """
    tf, tg = [], []
    for _ in range(repeat):
        for f_or_g, times in ((f, tf), (g, tg)):
            t = time.process_time()
            f_or_g()
            times.append(time.process_time() - t)
    return min(tf), min(tg)


def scalar_microseconds(call, args, number: int = 20_000) -> float:
    best = min(timeit.repeat(lambda: call(*args), number=number, repeat=5))
    return best / number * 1e6


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="elements (months) per array")
    ap.add_argument("--loop-n", type=int, default=20_000, help="elements timed in the loop baseline")
    ap.add_argument("--repeat", type=int, default=15, help="timed repetitions (best kept)")
    args = ap.parse_args(argv)

    rng = np.random.default_rng(20241124)
    factor = rng.uniform(0.5, 1.0, size=args.n)
    seeds = seed_cases()
    print(f"{'function':<28}{'Melem/s':>9}{'x bare':>8}{'report Melem/s':>16}{'bare Melem/s':>14}{'x loop':>8}")
    worst_rate, worst_bare, worst_loop, rows = float("inf"), 0.0, float("inf"), 0
    for name, fn in catalogue.INTERFACE.items():
        if name not in seeds:
            continue
        arrays = [
            (np.float64(a) * factor if p.kind == "value" else a) for a, p in zip(seeds[name], fn.params)
        ]
        bare = BARE[fn.func.__name__]
        fn.call(*arrays)  # warm up, and fail loudly if the inputs are not valid
        vec, floor = best_pair(args.repeat, lambda: fn.call(*arrays), lambda: bare(*arrays))
        rep, _ = best_pair(max(3, args.repeat // 3), lambda: fn.call(*arrays, errors="report"), lambda: None)
        k = min(args.loop_n, args.n)
        scalars = [[float(x[i]) if isinstance(x, np.ndarray) else x for x in arrays] for i in range(k)]
        call = fn.call
        t = time.perf_counter()
        for s in scalars:
            call(*s)
        loop = (time.perf_counter() - t) / k
        rate, over_bare, over_loop = args.n / vec, vec / floor, loop * args.n / vec
        worst_rate, worst_bare = min(worst_rate, rate), max(worst_bare, over_bare)
        worst_loop, rows = min(worst_loop, over_loop), rows + 1
        print(f"{name:<28}{rate / 1e6:>9.0f}{over_bare:>7.1f}x{args.n / rep / 1e6:>16.0f}"
              f"{args.n / floor / 1e6:>14.0f}{over_loop:>7.0f}x")
    print(f"\n{rows} value KPIs over {args.n:,} elements: slowest {worst_rate / 1e6:.0f} M elements/s, "
          f"at most {worst_bare:.1f}x the bare numpy expression, at least {worst_loop:.0f}x the per-element "
          "loop (goal: >= 100 M/s and <= 3x the bare expression)")

    from xl_kpi import udfs

    print("\none scalar call, microseconds:")
    for name, scalar_args in SCALAR_CALLS:
        api = scalar_microseconds(catalogue.INTERFACE[name].func, scalar_args)
        udf = scalar_microseconds(udfs.UDFS[name], scalar_args)
        print(f"  {name:<12} Python API {api:6.1f} us   UDF (as xlwings calls it) {udf:6.1f} us")
    return 0


if __name__ == "__main__":
    sys.exit(main())
