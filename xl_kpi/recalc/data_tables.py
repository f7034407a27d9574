"""What-If data tables (Data > What-If Analysis > Data Table), computed as Excel computes them.

Excel stores a data table as ``<f t="dataTable" ref="C3:G7" dt2D="1" dtr="1" r1="B1" r2="B2"/>``
in the first cell of its result range (ECMA-376 Part 1, 18.3.1.40 ``f``: ``dt2D`` two-variable
table, ``dtr`` one-variable table laid out along a row, ``r1``/``r2`` the input cells, ``del1``/
``del2`` an input cell deleted); the other result cells hold plain values. The layout, as Excel
builds it ("Calculate multiple results by using a data table", Microsoft Support; the same
mapping as LibreOffice's import into MULTIPLE.OPERATIONS, ``SheetDataBuffer::finalizeTableOperation``):

- two variables (``dt2D="1"``): the formula is the cell above and left of ``ref``; ``r1`` is the
  *row* input cell, fed from the row above ``ref`` (same column); ``r2`` the *column* input cell,
  fed from the column left of ``ref`` (same row);
- one variable along a column (``dtr`` false): ``r1`` is fed from the column left of ``ref``;
  the formulas are in the row above ``ref``, one per result column;
- one variable along a row (``dtr="1"``): ``r1`` is fed from the row above ``ref``; the formulas
  are in the column left of ``ref``, one per result row.

Each substitution puts the header values into the input cells (which may hold formulas: Excel
overrides them while the table computes), recomputes the formulas that lie between the inputs and
the table's formulas (the *cone*: descendants of the inputs that the formulas depend on), in the
order the main pass computed them, and reads the formulas' values. A table of ``k``
substitutions costs ``k`` recalculations of the cone, never of the whole book. Afterwards the cone
and the inputs get their own values back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .formula import Node, Op, Ref
from .package import FormulaCell, parse_cell, parse_range
from .values import STR

__all__ = ["DataTable", "read_data_table", "TableRunner", "MAX_TABLE_WORK"]

#: The most formula cells one data table may recompute in all (substitutions x cone cells);
#: beyond it the table keeps the values Excel stored, and the report says so.
MAX_TABLE_WORK = 20_000_000
#: The most group evaluations one data table may run (substitutions x cone groups).
MAX_TABLE_STEPS = 200_000


def _truthy(s: str | None) -> bool:
    return (s or "").strip().lower() in ("1", "true")


@dataclass
class DataTable:
    """One data table: its result range, layout and input cells (1-based rows/columns)."""

    ref: tuple[int, int, int, int]
    two_d: bool
    along_row: bool
    inputs: list[tuple[int, int]]  # [row input, column input] (two_d) or [the input]
    runner: "TableRunner | None" = None
    done: bool = False  # computed (else the stored values are kept)

    def substitutions(self, row_input_outer: bool = False):
        """(input cell, source cell) pairs and (formula cell, result cell) pairs, per recalculation.

        A two-variable table goes row by row (the row input changing at every substitution), or
        with ``row_input_outer`` column by column: the same values, in another order.
        """
        r0, c0, r1, c1 = self.ref
        if self.two_d:
            row_in, col_in = self.inputs
            for a in range(c0, c1 + 1) if row_input_outer else range(r0, r1 + 1):
                for b in range(r0, r1 + 1) if row_input_outer else range(c0, c1 + 1):
                    r, c = (b, a) if row_input_outer else (a, b)
                    yield [(row_in, (r0 - 1, c)), (col_in, (r, c0 - 1))], [((r0 - 1, c0 - 1), (r, c))]
        elif self.along_row:
            for c in range(c0, c1 + 1):
                yield [(self.inputs[0], (r0 - 1, c))], [((r, c0 - 1), (r, c)) for r in range(r0, r1 + 1)]
        else:
            for r in range(r0, r1 + 1):
                yield [(self.inputs[0], (r, c0 - 1))], [((r0 - 1, c), (r, c)) for c in range(c0, c1 + 1)]

    @property
    def count(self) -> int:
        r0, c0, r1, c1 = self.ref
        if self.two_d:
            return (r1 - r0 + 1) * (c1 - c0 + 1)
        return (c1 - c0 + 1) if self.along_row else (r1 - r0 + 1)

    def formula_cells(self) -> list[tuple[int, int]]:
        return sorted({f for _, outs in self.substitutions() for f, _ in outs})

    def tree(self) -> Node:
        """What the table reads, as absolute references: its header row, header column, formulas."""
        r0, c0, r1, c1 = self.ref

        def box(a, b, c, d):
            return Ref(None, a, b, c, d, True, True, True, True)

        # an Op, not a function: the table is computed by TableRunner, never by the evaluator
        return Op("union", [box(r0 - 1, c0 - 1, r0 - 1, c1), box(r0, c0 - 1, r1, c0 - 1)])


def read_data_table(f: FormulaCell) -> DataTable | str:
    """The data table of a ``<f t="dataTable">`` cell, or the reason it cannot be computed."""
    attrs = f.table or {}
    try:
        ref = parse_range(f.ref) if f.ref else (f.row, f.col, f.row, f.col)
        two_d = _truthy(attrs.get("dt2D"))
        names = ("r1", "r2") if two_d else ("r1",)
        if any(_truthy(attrs.get(d)) for d in (("del1", "del2") if two_d else ("del1",))):
            return "its input cell was deleted"
        inputs = [parse_cell(attrs[n]) for n in names]
    except (KeyError, ValueError):
        return "its input cells are missing or unreadable"
    if ref[0] < 2 or ref[1] < 2:
        return "it has no header row or column"
    return DataTable(ref, two_d, _truthy(attrs.get("dtr")), inputs)


@dataclass
class _Cone:
    steps: list  # (group, rows, cols, boxes it reads, always) to re-evaluate, in the main pass's order
    cells: int


#: Functions whose references are computed when they run: a step holding one is always re-run.
_DYNAMIC_REFERENCES = frozenset({"INDIRECT", "OFFSET", "INDEX", "ANCHORARRAY", "CELL", "INFO"})


@dataclass
class TableRunner:
    """Computes the data tables of one recalculation; ``plan`` is the main pass's order so far.

    ``plan`` holds ``(gid, rows, cols)`` per evaluation the engine made (``rows`` None: the whole
    group), appended by the engine as it goes.
    """

    groups: list
    deps: list[set[int]]
    book: object
    plan: list = field(default_factory=list)
    _readers: list | None = None
    _rdeps: list | None = None
    _refs: dict = field(default_factory=dict)  # gid -> [(sheet, Ref)], through defined names

    # -- the cone ----------------------------------------------------------------------------
    def _reader_boxes(self):
        if self._readers is None:
            from .engine import _box

            out = []
            for g in self.groups:
                if g.table is not None:
                    continue
                rows, cols = g.positions()
                for sheet, ref in self.refs_of(g):
                    box = _box(ref, sheet, rows, cols)
                    if box is not None:
                        out.append((g.gid, sheet.index, box))
            self._readers = out
            rdeps: list[set[int]] = [set() for _ in self.groups]
            for gid, ds in enumerate(self.deps):
                for d in ds:
                    rdeps[d].add(gid)
            self._rdeps = rdeps
        return self._readers

    def refs_of(self, g) -> list:
        got = self._refs.get(g.gid)
        if got is None:
            from .engine import _refs

            got = self._refs[g.gid] = list(_refs(g.tree, self.book, g.sheet))
        return got

    def _step(self, grp, rows, cols) -> tuple:
        """A cone step with the boxes its cells read and whether it must always run."""
        from .engine import _box
        from .formula import Func, walk

        always = any(isinstance(n, Func) and n.name in _DYNAMIC_REFERENCES for n in walk(grp.tree))
        if rows is None:
            rr, cc = np.array([grp.anchor[0]]), np.array([grp.anchor[1]])
        else:
            rr, cc = rows, cols
        boxes = []
        for sheet, ref in self.refs_of(grp):
            box = _box(ref, sheet, rr, cc)
            if box is not None:
                boxes.append((sheet, *box))
        return grp, rows, cols, boxes, always

    def cone(self, g, table: DataTable) -> _Cone:
        sheet = g.sheet
        readers = {gid for gid, s, (r0, c0, r1, c1) in self._reader_boxes()
                   if s == sheet.index and any(r0 <= r <= r1 and c0 <= c <= c1 for r, c in table.inputs)}
        down = _closure(readers, self._rdeps)
        owners = {int(sheet.owner[r, c]) for r, c in table.formula_cells()
                  if r <= sheet.max_row and c <= sheet.max_col}
        up = _closure({o for o in owners if o >= 0}, self.deps)
        members = {k for k in down & up if self.groups[k].table is None}
        pinned = set(table.inputs)
        steps, cells = [], 0
        for gid, rows, cols in self.plan:
            if gid not in members:
                continue
            grp = self.groups[gid]
            if grp.array:
                a0, b0, a1, b1 = grp.array
                if grp.sheet is sheet and any(a0 <= r <= a1 and b0 <= c <= b1 for r, c in pinned):
                    continue  # an input cell inside an array formula: it stays substituted
                steps.append(self._step(grp, None, None))
                cells += (a1 - a0 + 1) * (b1 - b0 + 1)
                continue
            if rows is None:
                rows, cols = grp.positions()
            if grp.sheet is sheet:
                keep = np.array([(int(r), int(c)) not in pinned for r, c in zip(rows, cols)], bool)
                rows, cols = rows[keep], cols[keep]
            if len(rows):
                steps.append(self._step(grp, rows, cols))
                cells += len(rows)
        return _Cone(steps, cells)

    # -- running -----------------------------------------------------------------------------
    def run(self, g, issues: set) -> None:
        """Compute data table ``g`` into its result cells, or keep its stored values and say why."""
        from .engine import _cell_name, _evaluate_array, evaluate_group

        table: DataTable = g.table
        sheet = g.sheet
        cone = self.cone(g, table)
        k = table.count
        if k * cone.cells > MAX_TABLE_WORK or k * len(cone.steps) > MAX_TABLE_STEPS:
            issues.add(f"{_cell_name(sheet, *g.anchor)}: data table of {k:,} substitutions over "
                       f"{cone.cells:,} dependent formulas is beyond the limit; its stored values are kept")
            self.keep_stored(g)
            return
        saved = _snapshot(sheet, table.inputs, cone.steps)
        changed = _Changed(sheet, table.inputs, cone.steps)
        dirty = _Dirty()
        results: list[tuple[int, int, tuple]] = []
        row_outer = False
        if table.two_d:  # the input whose change costs more changes least often (exact either way)
            row_cost, col_cost = (_reruns(sheet, cell, cone.steps, dirty) for cell in table.inputs)
            row_outer = row_cost > col_cost
        try:
            for assign, outs in table.substitutions(row_outer):
                # Each substitution starts from the previous one's values: only the formulas
                # reading a cell that changed since are re-run, and a formula whose value comes
                # out the same does not make its readers run (exact, cell by cell).
                dirty.clear()
                values = [sheet.value(*src) for _, src in assign]  # read before writing any input
                for (cell, _), val in zip(assign, values):
                    if sheet.value(*cell) != val:
                        _put(sheet, cell, val)
                        dirty.mark(sheet, np.array([cell[0]]), np.array([cell[1]]))
                self._forget_blocks(changed)
                for grp, rows, cols, boxes, always in cone.steps:
                    if not always and not dirty.reads(boxes):
                        continue
                    before = _cell_values(grp, rows, cols)
                    if rows is None:
                        _evaluate_array(grp, self.book, issues)
                    else:
                        evaluate_group(grp, self.book, issues, rows, cols)
                    dirty.mark_changes(grp, rows, cols, before)
                for formula, target in outs:
                    results.append((*target, sheet.value(*formula)))
        finally:
            _restore(sheet, saved)
            self._forget_blocks(changed)
        for r, c, val in results:
            _put(sheet, (r, c), val)
        table.done = True

    def keep_stored(self, g) -> None:
        """The table keeps Excel's values: its anchor's stored value back in the sheet."""
        from .keep import stored_value

        f = g.formulas[0]
        val = stored_value(g.sheet.part, f, self.book.pkg.shared_strings)
        if val is not None:
            _put(g.sheet, (f.row, f.col), val)
        g.kept = "data table"

    def _forget_blocks(self, changed: "_Changed") -> None:
        cache = self.book.block_cache
        for key in [k for k in cache if changed.touches(k)]:
            del cache[key]


def _cell_values(grp, rows, cols):
    """(rows, cols, kind, num, text) of a step's cells before it runs."""
    sheet = grp.sheet
    if rows is None:
        a0, b0, a1, b1 = grp.array
        rr, cc = np.mgrid[a0:a1 + 1, b0:b1 + 1]
        rows, cols = rr.reshape(-1), cc.reshape(-1)
    kind = sheet.kind[rows, cols].copy()
    text = [sheet.text.get((int(r), int(c))) if k == STR else None for r, c, k in zip(rows, cols, kind)] \
        if (kind == STR).any() else None
    return rows, cols, kind, sheet.num[rows, cols].copy(), text


class _Dirty:
    """The cells a substitution changed so far, per sheet (a boolean grid each)."""

    def __init__(self):
        self.grids: dict[int, np.ndarray] = {}
        self.marked: list = []

    def clear(self) -> None:
        for grid, rows, cols in self.marked:
            grid[rows, cols] = False
        self.marked = []

    def mark(self, sheet, rows: np.ndarray, cols: np.ndarray) -> None:
        if not len(rows):
            return
        grid = self.grids.get(sheet.index)
        if grid is None:
            grid = self.grids[sheet.index] = np.zeros(sheet.kind.shape, bool)
        grid[rows, cols] = True
        self.marked.append((grid, rows, cols))

    def reads(self, boxes) -> bool:
        for sheet, r0, c0, r1, c1 in boxes:
            grid = self.grids.get(sheet.index)
            if grid is not None and grid[r0:r1 + 1, c0:c1 + 1].any():
                return True
        return False

    def mark_changes(self, grp, rows, cols, before) -> None:
        rows, cols, kind, num, text = before
        sheet = grp.sheet
        new_kind, new_num = sheet.kind[rows, cols], sheet.num[rows, cols]
        diff = (new_kind != kind) | (new_num != num)
        strs = np.nonzero(~diff & (new_kind == STR))[0]
        for i in strs.tolist():
            if text is None or sheet.text.get((int(rows[i]), int(cols[i]))) != text[i]:
                diff[i] = True
        if diff.any():
            self.mark(sheet, rows[diff], cols[diff])


def _reruns(sheet, cell: tuple[int, int], steps, dirty: _Dirty) -> int:
    """How many cells a change of input ``cell`` alone makes the cone re-run (at most)."""
    dirty.clear()
    dirty.mark(sheet, np.array([cell[0]]), np.array([cell[1]]))
    n = 0
    for grp, rows, cols, boxes, always in steps:
        if always or dirty.reads(boxes):
            if rows is None:
                a0, b0, a1, b1 = grp.array
                n += (a1 - a0 + 1) * (b1 - b0 + 1)
                rr, cc = np.mgrid[a0:a1 + 1, b0:b1 + 1]
                dirty.mark(grp.sheet, rr.reshape(-1), cc.reshape(-1))
            else:
                n += len(rows)
                dirty.mark(grp.sheet, rows, cols)
    dirty.clear()
    return n


def _closure(start: set[int], edges) -> set[int]:
    seen = set(start)
    todo = list(start)
    while todo:
        for nxt in edges[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _put(sheet, cell: tuple[int, int], val: tuple) -> None:
    kind, num, text = val
    r, c = cell
    if r > sheet.max_row or c > sheet.max_col:
        return
    sheet.kind[r, c] = kind
    sheet.num[r, c] = num
    if kind == STR:
        sheet.text[(r, c)] = text


def _cells_of(steps):
    for grp, rows, cols, *_ in steps:
        if rows is None:
            a0, b0, a1, b1 = grp.array
            yield grp.sheet, [(r, c) for r in range(a0, a1 + 1) for c in range(b0, b1 + 1)]
        else:
            yield grp.sheet, list(zip(rows.tolist(), cols.tolist()))


def _snapshot(sheet, inputs, steps) -> list:
    saved = [(sheet, cell, sheet.value(*cell)) for cell in inputs]
    for s, cells in _cells_of(steps):
        saved.extend((s, cell, s.value(*cell)) for cell in cells)
    return saved


def _restore(sheet, saved) -> None:
    for s, cell, val in reversed(saved):
        _put(s, cell, val)


class _Changed:
    """The cells a substitution changes, per sheet, to test a cached block against in O(1)."""

    def __init__(self, sheet, inputs, steps):
        cells: dict[int, list[tuple[int, int]]] = {sheet.index: list(inputs)}
        for s, cs in _cells_of(steps):
            cells.setdefault(s.index, []).extend(cs)
        self.sums = {}
        for index, cs in cells.items():
            rs = np.array([r for r, _ in cs], np.int64)
            ks = np.array([c for _, c in cs], np.int64)
            r0, c0 = int(rs.min()), int(ks.min())
            mask = np.zeros((int(rs.max()) - r0 + 2, int(ks.max()) - c0 + 2), np.int64)
            mask[rs - r0 + 1, ks - c0 + 1] = 1
            self.sums[index] = (r0, c0, mask.cumsum(0).cumsum(1))

    def touches(self, key: tuple) -> bool:
        """Whether the block ``(sheet index, r0, c0, r1, c1)`` holds a changed cell."""
        index, r0, c0, r1, c1 = key
        got = self.sums.get(index)
        if got is None:
            return False
        b0, d0, s = got  # s[i, j]: changed cells in rows b0..b0+i-1, columns d0..d0+j-1
        h, w = s.shape
        lo, hi = max(r0 - b0 + 1, 1), min(r1 - b0 + 1, h - 1)
        left, right = max(c0 - d0 + 1, 1), min(c1 - d0 + 1, w - 1)
        if lo > hi or left > right:
            return False
        return bool(s[hi, right] - s[lo - 1, right] - s[hi, left - 1] + s[lo - 1, left - 1])
