"""Evaluating one formula over cells given in memory, with the engine of ``xl-kpi recalc``."""

from __future__ import annotations

import numpy as np

from .book import Book
from .evaluator import Ctx, Evaluator
from .formula import compile_formula
from .package import Package, SheetPart, parse_cell
from .values import EMPTY, NUM, Values

__all__ = ["evaluate_in_memory"]


def evaluate_in_memory(cells: dict[str, object], formula: str, *, sheet: str = "Sheet1"):
    """See :func:`xl_kpi.recalc.evaluate`."""
    part = SheetPart(sheet, "memory", 0)
    for address, value in cells.items():
        r, c = parse_cell(address)
        v = Values.from_python(value)
        part.rows.append(r)
        part.cols.append(c)
        part.kinds.append(int(v.kind[0, 0, 0]))
        part.nums.append(float(v.num[0, 0, 0]))
        if v.text is not None:
            part.texts[(r, c)] = v.text[0, 0, 0]
        part.max_row = max(part.max_row, r)
        part.max_col = max(part.max_col, c)
    row, col = part.max_row + 2, 1  # a free cell below the data
    part.max_row = row
    part.max_col = max(part.max_col, 1)
    book = Book(Package("memory", [], [part], [], [], False))
    tree = compile_formula(formula, row, col)
    ctx = Ctx(book, book.sheets[0], np.array([row]), np.array([col]), array=True)
    v = Evaluator(ctx).formula(tree).instance(0)
    blank = v.kind == EMPTY  # a formula showing a blank cell shows 0
    if blank.any():
        v = Values(np.where(blank, NUM, v.kind).astype(np.uint8), np.where(blank, 0.0, v.num), v.text)
    h, w = v.hw
    if h == 1 and w == 1:
        return v.python(0)
    return [[v.python(0, i, j) for j in range(w)] for i in range(h)]
