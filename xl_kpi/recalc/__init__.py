"""Recalculate workbooks without Excel: ``xl-kpi recalc`` and its Python API.

Recalculate a workbook into a new file and look at the report::

    from xl_kpi.recalc import recalculate
    report = recalculate("book.xlsx", "out.xlsx")
    report.ok, report.formulas, report.errors      # (True, 20004, {'#DIV/0!': 12})

Every formula is evaluated (native Excel functions, cross-sheet references, defined names,
array formulas, and the ``KPI_*`` functions through :mod:`xl_kpi.udfs`); the output keeps every
formula and stores each computed value in the sheet XML, every other part of the file copied
unchanged. See ``engine.py`` for how formulas are grouped into shapes and evaluated with numpy.
"""

from __future__ import annotations

import gc
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from .engine import CircularReference, calculate
from .kpi import use_udfs
from .package import Limits, UnreadableWorkbook, open_package, patch_sheet_chunks, write_values

__all__ = ["recalculate", "evaluate", "Report", "Limits", "UnreadableWorkbook", "CircularReference", "use_udfs"]


@dataclass
class Report:
    """The outcome of recalculating one workbook.

    ``ok`` is False when the file could not be processed; ``reason`` then says why in one line
    and nothing was written. ``kept`` counts, by cause ("function", "external link", "pivot",
    "data table", "formula syntax", "internal error"), the formula cells left with the value Excel
    stored because xl-kpi cannot compute them (``kept_cells``: the first of each cause);
    ``depends_on_kept`` the computed cells that read them. ``iterations`` has one entry per
    circular group iterated (cells, size, iterations, converged, max_change).
    """

    path: str
    output: str | None = None
    ok: bool = True
    reason: str | None = None
    formulas: int = 0
    errors: dict[str, int] = field(default_factory=dict)  # per formula (an array formula: its first cell)
    error_cells: list[str] = field(default_factory=list)
    cells: int = 0  # formula cells, every cell of an array formula's range included
    cell_errors: dict[str, int] = field(default_factory=dict)  # per cell, as a user counts them
    issues: list[str] = field(default_factory=list)
    shapes: int = 0
    vectorized: int = 0
    seconds: float = 0.0
    kept: dict[str, int] = field(default_factory=dict)
    kept_cells: dict[str, list[str]] = field(default_factory=dict)
    depends_on_kept: int = 0
    depends_on_kept_cells: list[str] = field(default_factory=list)
    iterations: list[dict] = field(default_factory=list)

    @property
    def kept_count(self) -> int:
        return sum(self.kept.values())

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    #: How many error cells :meth:`as_dict` lists (``error_cells_total`` counts them all).
    LISTED_ERROR_CELLS = 50

    def as_dict(self) -> dict:
        listed = self.error_cells[: self.LISTED_ERROR_CELLS]
        return {
            "path": self.path, "output": self.output, "ok": self.ok, "reason": self.reason,
            "formulas": self.formulas, "errors": dict(self.errors),
            "cells": self.cells, "cell_errors": dict(self.cell_errors),
            "error_cells": listed, "error_cells_total": self.error_count,
            "error_cells_truncated": len(listed) < self.error_count,
            "issues": self.issues, "shapes": self.shapes, "vectorized": self.vectorized,
            "seconds": round(self.seconds, 4),
            "kept": dict(self.kept), "kept_cells": {k: v[:10] for k, v in self.kept_cells.items()},
            "depends_on_kept": self.depends_on_kept, "depends_on_kept_cells": self.depends_on_kept_cells[:10],
            "iterations": self.iterations,
        }


def recalculate(src: str | os.PathLike, dst: str | os.PathLike | None = None, *, progress=None,
                limits: Limits | None = None, circular: str = "refuse") -> Report:
    """Recalculate the workbook ``src`` and write it to ``dst`` (``src`` itself when None).

    A circular reference in a workbook without iterative calculation refuses it (``ok=False``,
    the cells named); ``circular="keep"`` computes the rest and leaves the cells of the cycle
    with the values Excel stored, as Excel shows them without iterating (kept, "circular
    reference"); ``circular="iterate"`` iterates them as Excel does once "Enable iterative
    calculation" is ticked (the file's iteration count and maximum change, else Excel's 100 and
    0.001), reported in ``iterations`` as for a workbook that has it on.

    Never raises for a bad workbook: the :class:`Report` says ``ok=False`` with the reason.
    ``limits`` (default :class:`Limits`: 10 million cells, 1 GiB unzipped) refuse a workbook
    that would cost more work than they allow.
    The input is replaced only when ``dst`` is None or the same file, and then atomically; the
    output is written by :func:`xl_kpi.safe_output.atomic_output` (a symlink is written through,
    mode, owner and hard links kept; nothing but a regular file is replaced).
    """
    from ..safe_output import UnsafeOutput

    start = time.perf_counter()
    src = os.fspath(src)
    dst = os.fspath(dst) if dst is not None else src
    report = Report(src, dst)
    try:
        with _collector_paused():
            pkg = open_package(src, limits)
            result = calculate(pkg, progress=progress, circular=circular)
            new_xml = {}
            for sheet in pkg.sheets:
                if not sheet.path:
                    continue
                fv = result.formula_values.get(sheet.path, [])
                sv = result.spill_values.get(sheet.path, {})
                if fv or sv:
                    new_xml[sheet.path] = patch_sheet_chunks(sheet, fv, sv, pkg.rich_errors)
            write_values(pkg, dst, new_xml)
    except (UnreadableWorkbook, CircularReference, UnsafeOutput) as exc:
        report.ok, report.reason, report.output = False, str(exc), None
    except MemoryError:
        report.ok, report.reason, report.output = False, "not enough memory to recalculate this workbook", None
    except OSError as exc:
        report.ok, report.reason, report.output = False, f"cannot write the output ({exc.strerror or exc})", None
    except Exception as exc:  # a defect of xl-kpi: one line, so a batch goes on with the other files
        report.ok, report.output = False, None
        report.reason = f"internal error of xl-kpi recalc ({type(exc).__name__}: {exc}); please report it"
    else:
        report.formulas = result.formulas
        report.errors = result.errors
        report.error_cells = result.error_cells
        report.cells, report.cell_errors = _cell_counts(result)
        report.issues = pkg.notes + result.issues
        report.shapes = result.groups
        report.vectorized = result.vectorized_cells
        report.kept = dict(result.kept.counts)
        report.kept_cells = {k: list(v) for k, v in result.kept.cells.items()}
        report.depends_on_kept = result.kept.dependent_count
        report.depends_on_kept_cells = list(result.kept.dependent_cells)
        report.iterations = [it.as_dict() for it in result.iterations]
    report.seconds = time.perf_counter() - start
    return report


@contextmanager
def _collector_paused():
    """CPython's cycle collector off while one workbook is recalculated.

    Reading a sheet creates an object or two per cell (formula cells, spans, texts), all alive
    until the workbook is written; the collector, run every 700 allocations, re-walks the
    growing older generations each time and cost a fifth of a 300,000-formula recalculation.
    Reference counting still frees everything that is not a cycle; the collector is back (and
    collects what cycles there are) as soon as the workbook is done.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _cell_counts(result) -> tuple[int, dict[str, int]]:
    """Formula cells and error cells by kind, each cell of an array formula's range counted."""
    from .package import ERROR_CODES
    from .values import ERR

    cells, errors = result.formulas, dict(result.errors)
    for values in result.spill_values.values():
        cells += len(values)
        for kind, num, _ in values.values():
            if kind == ERR:
                code = ERROR_CODES[int(num) - 1]
                errors[code] = errors.get(code, 0) + 1
    return cells, errors


def evaluate(cells: dict[str, object], formula: str, *, sheet: str = "Sheet1"):
    """Evaluate one formula over given cell values, in memory; returns a Python value.

    ``cells`` maps A1 addresses of ``sheet`` to values (float, str, bool, None, ExcelError, or
    datetime). The formula is written in a free cell and computed by the same engine as
    :func:`recalculate`. A 2-D result comes back as a list of lists.

    >>> evaluate({"A1": 3, "A2": 4}, "=SUM(A1:A2)*2")
    14.0
    >>> evaluate({"A1": 0}, "=1/A1")
    ExcelError('#DIV/0!')
    """
    from .memory import evaluate_in_memory

    return evaluate_in_memory(cells, formula, sheet=sheet)
