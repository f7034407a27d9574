"""Cells whose references form a cycle: ordered as Excel's calculation chain does, or iterated.

A cycle among references is not always a circular reference: ``=IF($G$4=1,B185,D213)`` in D213
(a "freeze" cell) reads itself only when G4 is not 1, and Excel computes it without complaint.
So, like Excel's calculation chain (a formula that needs a cell not yet calculated is moved after
it and calculated again, Microsoft, "Excel Recalculation"), each cell of the cycle is evaluated
while its reads are watched; a cell that read a cell of the cycle not yet final is calculated
again once that cell is. Only a cell that needs itself, directly or through the cells waiting
for it, is a circular reference at run time.

Then, with the workbook's iterative calculation on (``<calcPr iterate="1">``), the cells of the
cycle are iterated as Excel does: starting from the values Excel stored, every cell is
calculated once per iteration in calculation order (precedents first, each reading the newest
values of the others), until every value changes by less than ``iterateDelta`` (a text, logical or
error value must not change at all) or ``iterateCount`` iterations have run (Microsoft, "How
the Maximum Change setting affects iteration", KB Q177856: Excel goes on while a change is
greater than or equal to it). Excel leaves the
last values in place when they do not converge; so does the recalculation, and the report says
so. Without iterative calculation the workbook is refused, naming the cells, or, when asked, left
as Excel leaves it (:class:`Uncalculated`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Iteration", "order_cells", "RuntimeCycle", "solve_cycle", "Uncalculated"]

#: Re-evaluations allowed per cell while ordering a cycle before it is iterated instead.
MAX_RETRIES_PER_CELL = 50


@dataclass
class Iteration:
    """How one circular group of cells was iterated, for the report."""

    cells: list[str]  # the first cells of the group, by name
    size: int  # cells in the group
    iterations: int
    converged: bool
    max_change: float  # the largest change of a number in the last iteration

    def as_dict(self) -> dict:
        return {"cells": self.cells[:10], "size": self.size, "iterations": self.iterations,
                "converged": self.converged, "max_change": self.max_change}


class Uncalculated:
    """The cells Excel does not calculate while iterative calculation is off.

    Those are the cells of a circular reference at run time and every cell reading one: it waits
    in the calculation chain for a cell that never becomes final. Excel flags them to calculate
    later (``ca="1"``) and shows the values they had: a formula Excel never calculated shows 0.
    Kept here as one boolean grid per sheet.
    """

    def __init__(self) -> None:
        self.grids: dict[int, np.ndarray] = {}

    def __bool__(self) -> bool:
        return bool(self.grids)

    def add(self, sheet, r0: int, c0: int, r1: int, c1: int) -> None:
        grid = self.grids.get(id(sheet))
        if grid is None:
            grid = self.grids[id(sheet)] = np.zeros(sheet.kind.shape, bool)
        grid[r0:r1 + 1, c0:c1 + 1] = True

    def covers(self, sheet, r0: int, c0: int, r1: int, c1: int) -> bool:
        """Whether the range holds an uncalculated cell."""
        grid = self.grids.get(id(sheet))
        return grid is not None and bool(grid[r0:r1 + 1, c0:c1 + 1].any())

    def read_in(self, boxes) -> bool:
        """Whether any of the ranges read, (sheet, r0, c0, r1, c1), holds an uncalculated cell."""
        return any(self.covers(*b) for b in boxes)


class RuntimeCycle(Exception):
    """Cells that need their own value (indices into the cycle's cells)."""

    def __init__(self, cells: list[int]):
        super().__init__(cells)
        self.cells = cells


def order_cells(n: int, deps: list[list[int]], first: list[int] | None = None) -> list[int]:
    """Calculation order of the cells of a cycle: precedents first, in sheet order otherwise.

    A depth-first walk along "is read by" from each cell in ``first`` order (sheet, row, column),
    reversed: every cell comes after the cells it reads, except where a read closes the cycle;
    there the cell first in sheet order is calculated first, with the others' previous values.
    """
    readers: list[list[int]] = [[] for _ in range(n)]
    for k, ds in enumerate(deps):
        for j in ds:
            if j != k:
                readers[j].append(k)
    out: list[int] = []
    seen = [False] * n
    for root in first if first is not None else range(n):
        if seen[root]:
            continue
        seen[root] = True
        work = [(root, iter(readers[root]))]
        while work:
            v, it = work[-1]
            for w in it:
                if not seen[w]:
                    seen[w] = True
                    work.append((w, iter(readers[w])))
                    break
            else:
                work.pop()
                out.append(v)
    out.reverse()
    return out


class Watcher:
    """Records which cells of the cycle each evaluation reads (sheets' ``watch`` hook)."""

    def __init__(self, book, cells: list[tuple[tuple[int, int, int], int]]):
        self.book = book
        by_sheet: dict[int, list[tuple[int, int, int]]] = {}
        for (s, r, c), k in cells:
            by_sheet.setdefault(s, []).append((r, c, k))
        self.by_sheet = {s: tuple(np.array(x, np.int64) for x in zip(*v)) for s, v in by_sheet.items()}
        self.read: set[int] = set()
        self.boxes: list[tuple] = []  # every range read: (sheet, r0, c0, r1, c1)

    def __call__(self, sheet, r0: int, c0: int, r1: int, c1: int) -> None:
        self.boxes.append((sheet, r0, c0, r1, c1))
        hit = self.by_sheet.get(sheet.index)
        if hit is None:
            return
        rows, cols, ks = hit
        mask = (rows >= r0) & (rows <= r1) & (cols >= c0) & (cols <= c1)
        if mask.any():
            self.read.update(ks[mask].tolist())

    def __enter__(self):
        self.saved_cache = self.book.block_cache
        self.book.block_cache = _NoCache()  # every read must reach the sheet, to be seen
        for s in self._sheets():
            s.watch = self
        return self

    def __exit__(self, *exc):
        for s in self._sheets():
            s.watch = None
        self.book.block_cache = self.saved_cache

    def _sheets(self):
        yield from (s for s in self.book.sheets if s is not None)
        yield from self.book.external_sheets.values()


class _NoCache(dict):
    def __setitem__(self, key, value):
        pass


def solve_cycle(n: int, deps: list[list[int]], keys: list[tuple[tuple[int, int, int], int]], book, evaluate,
                snapshot, calc, start_values, first: list[int] | None = None,
                freeze=None, uncalculated: Uncalculated | None = None) -> tuple[int, bool, float] | None:
    """Compute the ``n`` cells of one cycle of references.

    ``keys`` pairs each covered cell, (sheet index, row, column), with its k (every cell an array
    formula covers maps to its anchor's k); ``evaluate(k)`` computes and stores cell k;
    ``snapshot(k)`` returns its current value(s) as a comparable (kinds, numbers, texts);
    ``start_values()`` seeds the cells with Excel's stored values; ``first`` lists the cells in
    sheet order (see :func:`order_cells`). Returns None when the cells needed no iteration, else
    (iterations, converged, last largest change). When they need themselves and ``calc.iterate``
    is off: ``freeze(cells, reading)``, if given, leaves those cells uncalculated (Excel's stored
    values back in them, recorded in ``uncalculated``), and so every cell that then reads an
    uncalculated cell (``reading`` true), as Excel does without iteration; without it, raises
    :class:`RuntimeCycle`.
    """
    order = order_cells(n, deps, first)
    frozen: set[int] = set()
    with Watcher(book, keys) as watcher:
        while True:
            def leave(k: int) -> None:  # a cell reading an uncalculated one: not calculated either
                freeze([k], True)
                frozen.add(k)

            cycle = _chain_order(order, evaluate, watcher, frozen, uncalculated if freeze else None, leave)
            if cycle is None:
                return None
            if calc.iterate:
                break
            if freeze is None:
                raise RuntimeCycle(cycle)
            freeze(cycle, False)
            frozen.update(cycle)
    return _iterate(order, evaluate, snapshot, start_values, calc)


def _chain_order(order: list[int], evaluate, watcher: "Watcher", frozen: set[int],
                 uncalculated: Uncalculated | None = None, leave=None) -> list[int] | None:
    """Evaluate the cells as a calculation chain does; the cells of a run-time cycle, or None.

    A cell that read a cell not yet final is pushed back, that cell calculated first, and the
    cell calculated again; a cell needing a cell waiting for it closes a cycle. ``frozen``
    cells are final and never evaluated; a cell that read an ``uncalculated`` one is given to
    ``leave(k)`` and is final from then on.
    """
    n = len(order)
    position = {k: i for i, k in enumerate(order)}
    state = [2 if k in frozen else 0 for k in range(n)]  # 0 waiting, 1 on the stack, 2 final
    budget = MAX_RETRIES_PER_CELL * n + 100
    for root in order:
        if state[root] == 2:
            continue
        stack = [root]
        state[root] = 1
        while stack:
            k = stack[-1]
            watcher.read = set()
            watcher.boxes = []
            evaluate(k)
            budget -= 1
            if k in watcher.read:
                return [k]
            if uncalculated and uncalculated.read_in(watcher.boxes):
                leave(k)
                state[k] = 2
                stack.pop()
                continue
            waiting = [j for j in watcher.read if state[j] != 2]
            if not waiting:
                state[k] = 2
                stack.pop()
                continue
            on_stack = [j for j in waiting if state[j] == 1]
            if on_stack or budget <= 0:
                j = on_stack[0] if on_stack else k
                return stack[stack.index(j):] if j in stack else list(stack)
            j = min(waiting, key=position.__getitem__)
            state[j] = 1
            stack.append(j)
    return None


def _change(old, new) -> float:
    """The largest change between two snapshots of a cell: numbers by difference, others by equality."""
    (k0, x0, t0), (k1, x1, t1) = old, new
    if k0.shape != k1.shape or not np.array_equal(k0, k1):
        return float("inf")
    num = k1 == 1
    other = ~num
    if other.any() and not np.array_equal(x0[other], x1[other]):
        return float("inf")
    if t0 != t1:
        return float("inf")
    if not num.any():
        return 0.0
    with np.errstate(invalid="ignore"):
        d = np.abs(x1[num] - x0[num])
    return float(d.max()) if d.size else 0.0


def _iterate(order: list[int], evaluate, snapshot, start_values, calc) -> tuple[int, bool, float]:
    start_values()
    last = 0.0
    for it in range(1, calc.iterate_count + 1):
        last = 0.0
        for k in order:
            before = snapshot(k)
            evaluate(k)
            last = max(last, _change(before, snapshot(k)))
        if last < calc.iterate_delta or last == 0.0:
            return it, True, last
    return calc.iterate_count, False, last
