"""Throughput of every value KPI of the metrics core over 1,000,000 months.

For each Excel function with value arguments, the script builds valid inputs from a reference
case (tests/reference/*.toml: every value argument of the case scaled by one random factor in
[0.5, 1] per element, which keeps parts within their wholes and rates within [0, 1]), then times

- the vectorized call on the whole arrays (``errors="raise"`` and ``errors="report"``), and
- the baseline: a plain Python loop calling the same function once per element, as a
  cell-by-cell implementation would (timed on a sample, reported per element),

all in this process, and prints elements per second and the ratio vectorized / loop.
Goal (issue 2): >= 10 million elements per second and >= 50x the loop, per KPI.

Usage: python benchmarks/metrics.py [--n 1000000] [--loop-n 20000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import sys
import time
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


def best_of(repeat: int, f) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="elements (months) per array")
    ap.add_argument("--loop-n", type=int, default=20_000, help="elements timed in the loop baseline")
    ap.add_argument("--repeat", type=int, default=5, help="timed repetitions (best kept)")
    args = ap.parse_args(argv)

    rng = np.random.default_rng(20241124)
    factor = rng.uniform(0.5, 1.0, size=args.n)
    seeds = seed_cases()
    print(f"{'function':<28}{'Melem/s':>10}{'report Melem/s':>16}{'loop kelem/s':>14}{'ratio':>9}")
    worst_rate, worst_ratio, rows = float("inf"), float("inf"), 0
    for name, fn in catalogue.INTERFACE.items():
        if name not in seeds:
            continue
        try:
            fn.func
        except (ImportError, AttributeError):
            continue
        arrays = [
            (np.float64(a) * factor if p.kind == "value" else a) for a, p in zip(seeds[name], fn.params)
        ]
        fn.call(*arrays)  # warm up, and fail loudly if the inputs are not valid
        vec = best_of(args.repeat, lambda: fn.call(*arrays))
        rep = best_of(args.repeat, lambda: fn.call(*arrays, errors="report"))
        k = min(args.loop_n, args.n)
        scalars = [[float(x[i]) if isinstance(x, np.ndarray) else x for x in arrays] for i in range(k)]
        call = fn.call
        loop = best_of(1, lambda: [call(*s) for s in scalars]) / k
        rate, ratio = args.n / vec, loop * args.n / vec
        worst_rate, worst_ratio, rows = min(worst_rate, rate), min(worst_ratio, ratio), rows + 1
        print(f"{name:<28}{rate / 1e6:>10.1f}{args.n / rep / 1e6:>16.1f}{1 / loop / 1e3:>14.1f}{ratio:>8.0f}x")
    print(f"\n{rows} value KPIs over {args.n:,} elements; slowest {worst_rate / 1e6:.1f} M elements/s; "
          f"lowest ratio to the per-element loop {worst_ratio:.0f}x "
          f"(goal: >= 10 M/s and >= 50x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
