"""The ``xl-kpi`` command line: one sub-command per module of :mod:`xl_kpi.commands`.

Each command module has ``register(subparsers)``, which adds its parser and sets
``run=function(args) -> int`` as default. Exit codes: 0 success, 1 a result the user asked to
treat as failure (``--strict``), 2 bad input or a file that cannot be processed; errors are one
line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

#: Sub-command modules under xl_kpi.commands, in the order ``--help`` lists them.
COMMANDS = ("functions", "demo", "recalc", "templates", "report", "vba")

#: The packages of the ``cli`` extra (``pip install "xl-kpi[cli]"``), imported by the commands.
CLI_EXTRA = ("openpyxl", "pycel", "rich", "xlwings")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xl-kpi",
        description="SaaS B2B KPIs as Excel functions: recalculate workbooks, build templates, "
        "report on subscription data.",
    )
    from . import __version__

    parser.add_argument("--version", action="version", version=f"xl-kpi {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"xl_kpi.commands.{name}")
        except ModuleNotFoundError as exc:  # a command still being written on this branch
            if exc.name != f"xl_kpi.commands.{name}":
                raise
            continue
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        return int(args.run(args) or 0)
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] not in CLI_EXTRA:
            raise
        print(f'xl-kpi: the command line needs {exc.name}: pip install "xl-kpi[cli]"', file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("xl-kpi: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
