"""``xl-kpi functions``: list the Excel functions, their arguments and what they return."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("functions", help="list the KPI_* Excel functions and their arguments")
    p.add_argument("name", nargs="?", help="show one function in full (KPI_NRR or nrr)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..catalogue import INTERFACE, get

    if args.name:
        try:
            f = get(args.name)
        except KeyError:
            print(f"xl-kpi functions: no function named {args.name!r}", file=__import__("sys").stderr)
            return 2
        print(f"{f.excel}({_signature(f)})  ->  {f.returns}\n")
        for p in f.params:
            print(f"  {p.name:<28} {p.kind:<7} {p.doc}")
        print()
        print((f.func.__doc__ or "").strip())
        return 0
    for f in INTERFACE.values():
        print(f"{f.excel}({_signature(f)})  ->  {f.returns}")
    return 0


def _signature(f) -> str:
    return ", ".join(f"[{p.name}]" if p.optional else p.name for p in f.params)
