"""Time of ``xl-kpi templates``: a first build, an unchanged rebuild, and where a build goes.

Writes every workbook into a temporary folder twice (the second run finds them unchanged), then
times (in CPU seconds) the parts of one build of the English example in this process: building the openpyxl
workbook, its input cells' styles alone (the baseline: the five style attributes set on each
input cell, as the builder did before it copied one cached style), saving, and recalculating.

Usage: python benchmarks/templates.py
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time

from openpyxl import Workbook

from xl_kpi.templates import write_workbooks
from xl_kpi.templates.builder import (
    INPUT_BORDER,
    INPUT_FILL,
    INPUT_FONT,
    UNLOCKED,
    _input_cell,
    build_workbook,
)
from xl_kpi.templates.example_data import example


def _timed(func) -> tuple[float, object]:
    start = time.process_time()  # CPU seconds: the shared machine's load left out
    out = func()
    return time.process_time() - start, out


def _styles(cells: int, cached: bool) -> float:
    ws = Workbook().active
    start = time.process_time()
    for i in range(cells):
        cell = ws.cell(1 + i // 100, 1 + i % 100)
        if cached:
            _input_cell(cell, "#,##0")
        else:
            cell.fill, cell.font, cell.border, cell.protection = INPUT_FILL, INPUT_FONT, INPUT_BORDER, UNLOCKED
            cell.number_format = "#,##0"
    return time.process_time() - start


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    with tempfile.TemporaryDirectory(prefix="xl-kpi-bench-") as out:
        first, written = _timed(lambda: write_workbooks(out))
        again, rewritten = _timed(lambda: write_workbooks(out))
    print(f"xl-kpi templates, {len(written)} workbooks (CPU seconds): first build {first:.1f} s, "
          f"unchanged rebuild {again:.1f} s ({', '.join(sorted({w.status for w in rewritten}))})")
    ex = example()
    build, (wb, _) = _timed(lambda: build_workbook("en", ex))
    save, _ = _timed(lambda: wb.save(io.BytesIO()))
    print(f"English example: build {build:.2f} s, save {save:.2f} s")
    cells = 100_000
    slow, fast = _styles(cells, cached=False), _styles(cells, cached=True)
    print(f"{cells:,} input cells styled: five attributes each {slow:.2f} s, one cached style {fast:.2f} s "
          f"(ratio {slow / fast:.0f})")


if __name__ == "__main__":
    main()
