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
order the main pass computed them, and reads the formulas' values. The substitutions are computed
together, as instances of one evaluation: each cone step (a group's cells the main pass evaluated
at once) is evaluated once for all substitutions, an instance per cell and substitution, reading
each substitution's values of the cells the table varies (``_Layers``); a step that cannot be
(a function that evaluates other cells in a context of its own, an array formula) runs one
substitution at a time. A cycle of cells in the cone is iterated for all substitutions at once,
each substitution until its own values converge, as the main pass iterates it. The sheets keep
the main pass's values throughout: only the table's result cells change.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .arrays import NotVectorizable
from .evaluator import MAX_ELEMENTS
from .formula import Node, Op, Ref
from .package import CalcSettings, FormulaCell, parse_cell, parse_range
from .values import EMPTY, NUM, STR, Values

__all__ = ["DataTable", "read_data_table", "TableRunner", "MAX_TABLE_WORK"]

#: The most formula cells one data table may recompute in all (substitutions x cone cells);
#: beyond it the table keeps the values Excel stored, and the report says so.
MAX_TABLE_WORK = 20_000_000
#: The most group evaluations one data table may run (substitutions x cone steps, at least one).
MAX_TABLE_STEPS = 200_000
#: The most values (substitutions x cells the table varies) held at once: the substitutions
#: are computed together in batches of that size (about 17 bytes a value).
MAX_LAYER_ELEMENTS = 2_000_000
#: The largest box around a sheet's varied cells indexed by a grid (8 bytes a cell); beyond it the
#: cells are looked up in their sorted list.
MAX_GRID_CELLS = 4_000_000


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

    def substitutions(self):
        """(input cell, source cell) pairs and (formula cell, result cell) pairs, per substitution,
        row by row of the result range."""
        r0, c0, r1, c1 = self.ref
        if self.two_d:
            row_in, col_in = self.inputs
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
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
class _Step:
    """One evaluation of the main pass that a table repeats for its substitutions."""

    at: int  # its position in the main pass's plan
    group: object
    rows: np.ndarray | None  # the cells computed; None: an array formula's whole range
    cols: np.ndarray | None
    cycle: int | None  # the cycle of cells it belongs to (its steps are iterated together)
    one_by_one: bool  # its evaluation opens contexts of its own: one substitution at a time


@dataclass
class _Cone:
    steps: list[_Step]  # to re-evaluate, in the main pass's order
    cells: int


#: Functions that evaluate formulas of other cells in a context of their own (the computed
#: criteria of the database functions): a step holding one runs one substitution at a time.
_OWN_CONTEXTS = frozenset({"DSUM", "DCOUNT", "DCOUNTA", "DAVERAGE", "DMAX", "DMIN", "DGET", "DPRODUCT",
                           "DSTDEV", "DSTDEVP", "DVAR", "DVARP"})


@dataclass
class TableRunner:
    """Computes the data tables of one recalculation; ``plan`` is the main pass's order so far.

    ``plan`` holds ``(gid, rows, cols, cycle)`` per evaluation the engine made (``rows`` None:
    the whole group; ``cycle`` the number of the cycle of cells it belongs to, else None),
    appended by the engine as it goes. ``calc`` gives the iteration settings in force (the
    workbook's, iteration forced on by ``--circular iterate``).
    """

    groups: list
    deps: list[set[int]]
    book: object
    calc: CalcSettings = field(default_factory=CalcSettings)
    plan: list = field(default_factory=list)
    deferring: bool = True  # tables wait in ``pending`` until ``flush`` (see ``run``)
    pending: list = field(default_factory=list)  # (group, cone) of the tables waiting
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

    def _one_by_one(self, grp) -> bool:
        from .evaluator import name_tree
        from .formula import Func, Name, walk

        todo, seen = [grp.tree], set()
        while todo:
            for n in walk(todo.pop()):
                if isinstance(n, Func) and n.name in _OWN_CONTEXTS:
                    return True
                if isinstance(n, Name) and n.name.lower() not in seen:
                    seen.add(n.name.lower())
                    sub = name_tree(self.book, n.name.lower(), grp.sheet.index)
                    if sub is not None:
                        todo.append(sub)
        return False

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
        own: dict[int, bool] = {}
        for at, (gid, rows, cols, cycle) in enumerate(self.plan):
            if gid not in members:
                continue
            grp = self.groups[gid]
            if gid not in own:
                own[gid] = self._one_by_one(grp)
            if grp.array:
                a0, b0, a1, b1 = grp.array
                if grp.sheet is sheet and any(a0 <= r <= a1 and b0 <= c <= b1 for r, c in pinned):
                    continue  # an input cell inside an array formula: it stays substituted
                steps.append(_Step(at, grp, None, None, cycle, True))
                cells += (a1 - a0 + 1) * (b1 - b0 + 1)
                continue
            if rows is None:
                rows, cols = grp.positions()
            if grp.sheet is sheet:
                keep = np.array([(int(r), int(c)) not in pinned for r, c in zip(rows, cols)], bool)
                rows, cols = rows[keep], cols[keep]
            if len(rows):
                steps.append(_Step(at, grp, rows, cols, cycle, own[gid]))
                cells += len(rows)
        return _Cone(steps, cells)

    # -- running -----------------------------------------------------------------------------
    def run(self, g, issues: set) -> None:
        """Compute data table ``g`` into its result cells, or keep its stored values and say why.

        While ``deferring``, the table waits with its cone (the main pass's steps so far) until
        :meth:`flush`, which the engine calls before anything reads a waiting table, so that the
        tables of a model are computed together (see :meth:`flush`).
        """
        from .engine import _cell_name

        table: DataTable = g.table
        cone = self.cone(g, table)
        k = table.count
        if k * cone.cells > MAX_TABLE_WORK or k * max(1, len(cone.steps)) > MAX_TABLE_STEPS:
            issues.add(f"{_cell_name(g.sheet, *g.anchor)}: data table of {k:,} substitutions over "
                       f"{cone.cells:,} dependent formulas is beyond the limit; its stored values are kept")
            self.keep_stored(g)
            return
        self.pending.append((g, cone))
        if not self.deferring:
            self.flush(issues)

    def waiting(self, gids) -> bool:
        """Whether any of the groups ``gids`` reads a table that waits to be computed."""
        if not self.pending:
            return False
        tables = {g.gid for g, _ in self.pending}
        return any(not tables.isdisjoint(self.deps[gid]) for gid in gids)

    def flush(self, issues: set) -> None:
        """Compute the waiting tables: their substitutions all together, as many at a time as
        :data:`MAX_LAYER_ELEMENTS` allows.

        Each substitution is a layer of values of the cells the tables vary (their inputs and
        cones), and each step of the cones is evaluated once for every substitution whose cone
        holds it, an instance per cell and substitution (see :class:`_Layers`). A table's values
        are those of the moment it was reached: its cone's cells were final then, and the cells
        computed since are not among them.
        """
        jobs, self.pending = self.pending, []
        if not jobs:
            return
        varied = _varied_cells([(g.sheet, g.table.inputs, cone.steps) for g, cone in jobs])
        size = max(1, sum(len(rows) for _, rows, _ in varied))
        if len(jobs) > 1 and sum(g.table.count for g, _ in jobs) * size > MAX_LAYER_ELEMENTS:
            for job in jobs:  # too many at once: table by table
                self.pending = [job]
                self.flush(issues)
            return
        at_once = max(1, MAX_LAYER_ELEMENTS // size)
        parts = []  # (group, cone, its substitutions with their header values), per batch
        for g, cone in jobs:
            subs = list(g.table.substitutions())
            headers = [[g.sheet.value(*src) for _, src in assign] for assign, _ in subs]  # the main pass's
            for start in range(0, len(subs), at_once):  # several tables: all fit in one batch
                parts.append((g, cone, list(zip(subs, headers))[start:start + at_once]))
        batches = [parts] if len(jobs) > 1 else [[p] for p in parts]
        results: list[tuple[object, int, int, tuple]] = []
        cache = self.book.block_cache
        for batch in batches:
            layers = _Layers(varied, sum(len(subs) for _, _, subs in batch))
            self.book.block_cache = _Unvaried(cache, layers)
            try:
                first, spans = 0, []
                for g, cone, subs in batch:
                    for s, ((assign, _), values) in enumerate(subs):
                        for (cell, _), val in zip(assign, values):
                            layers.put(g.sheet, cell, first + s, val)
                    spans.append((cone, np.arange(first, first + len(subs))))
                    first += len(subs)
                self._compute(spans, layers, issues)
                first = 0
                for g, cone, subs in batch:
                    for s, ((_, outs), _) in enumerate(subs):
                        for formula, target in outs:
                            results.append((g.sheet, *target, layers.value(g.sheet, formula, first + s)))
                    first += len(subs)
            finally:
                self.book.block_cache = cache
                layers.restore()
        for sheet, r, c, val in results:
            _put(sheet, (r, c), val)
        for g, _ in jobs:
            g.table.done = True

    def _compute(self, spans: list, layers: "_Layers", issues: set) -> None:
        """The cones' steps in the main pass's order, each for the substitutions whose cone holds
        it (``spans``: (cone, its layers)); a cycle's steps iterated together."""
        work: dict[tuple, list] = {}  # step or cycle -> [position, {cells: [item, layers...]}]
        for cone, select in spans:
            steps = cone.steps
            i = 0
            while i < len(steps):
                j = i + 1
                if steps[i].cycle is not None:
                    while j < len(steps) and steps[j].cycle == steps[i].cycle:
                        j += 1
                item = steps[i:j] if steps[i].cycle is not None else steps[i]
                key = ("cycle", steps[i].cycle) if steps[i].cycle is not None else ("step", steps[i].at)
                slot = work.setdefault(key, [steps[i].at, {}])[1]
                slot.setdefault(_signature(item), [item]).append(select)
                i = j
        for _, slot in sorted(work.values(), key=lambda w: w[0]):
            for item, *selects in slot.values():
                select = np.concatenate(selects)
                if isinstance(item, list):
                    self._iterate(item, layers, select, issues)
                else:
                    self._evaluate(item, layers, select, issues)

    def _iterate(self, unit: list[_Step], layers: "_Layers", select: np.ndarray, issues: set) -> None:
        """The cells of one cycle, for every substitution, each iterated until it converges.

        As the main pass does (``circular.py``): every cell calculated once per iteration in
        calculation order, starting from the values the main pass left, until no value changes
        by ``iterateDelta`` or more, at most ``iterateCount`` times; without iterative
        calculation (a cycle of references that resolves at run time), until nothing changes.
        A substitution that has converged is not calculated again.
        """
        calc = self.calc
        passes = calc.iterate_count if calc.iterate else len(unit) + 1
        where = [layers.index(st.group.sheet, *_step_cells(st)) for st in unit]
        active = select
        for _ in range(passes):
            before = [layers.snapshot(sheet_index, idx, active) for sheet_index, idx in where]
            for st in unit:
                self._evaluate(st, layers, active, issues)
            change = np.zeros(len(active))
            for (sheet_index, idx), old in zip(where, before):
                change = np.maximum(change, layers.change(sheet_index, idx, active, old))
            settled = (change < calc.iterate_delta) | (change == 0) if calc.iterate else change == 0
            active = active[~settled]
            if not active.size:
                return

    def _evaluate(self, st: _Step, layers: "_Layers", select: np.ndarray, issues: set) -> None:
        """One step for the substitutions ``select``: at once, else one substitution at a time."""
        from .engine import _evaluate_array, evaluate_group

        if st.rows is not None and not st.one_by_one and self._at_once(st, layers, select, issues):
            return
        rows, cols = _step_cells(st)
        try:
            for s in select.tolist():
                layers.swap_in(s)
                if st.rows is None:
                    _evaluate_array(st.group, self.book, issues)
                else:
                    evaluate_group(st.group, self.book, issues, st.rows, st.cols)
                layers.take(st.group.sheet, rows, cols, s)
        finally:
            layers.restore()

    def _at_once(self, st: _Step, layers: "_Layers", select: np.ndarray, issues: set) -> bool:
        """Evaluate a step for all substitutions ``select`` as one shape; False if it cannot be."""
        from .engine import CircularReference, _final
        from .evaluator import Ctx, Evaluator

        m = len(st.rows)
        rows, cols = np.tile(st.rows, len(select)), np.tile(st.cols, len(select))
        layers.select = np.repeat(select, m)
        layers.attach()
        try:
            ev = Evaluator(Ctx(self.book, st.group.sheet, rows, cols, issues=issues, one_cell=m == 1))
            v = _final(ev, ev.formula(st.group.tree), len(rows))
        except (CircularReference, MemoryError):
            raise
        except Exception:  # NotVectorizable, or a failure the one-by-one path reports as the main pass did
            return False
        finally:
            layers.detach()
        layers.store(st.group.sheet, rows, cols, layers.select, v)
        return True

    def keep_stored(self, g) -> None:
        """The table keeps Excel's values: its anchor's stored value back in the sheet."""
        from .keep import stored_value

        f = g.formulas[0]
        val = stored_value(g.sheet.part, f, self.book.pkg.shared_strings)
        if val is not None:
            _put(g.sheet, (f.row, f.col), val)
        g.kept = "data table"


def _signature(item) -> tuple:
    """What a step (or a cycle's steps) computes: tables whose cones hold the same cells share
    one evaluation."""
    if isinstance(item, list):
        return tuple(_signature(st) for st in item)
    if item.rows is None:
        return (item.at,)
    return item.at, item.rows.tobytes(), item.cols.tobytes()


def _step_cells(st: _Step) -> tuple[np.ndarray, np.ndarray]:
    if st.rows is not None:
        return st.rows, st.cols
    a0, b0, a1, b1 = st.group.array
    rr, cc = np.mgrid[a0:a1 + 1, b0:b1 + 1]
    return rr.reshape(-1), cc.reshape(-1)


def _varied_cells(tables: list) -> list:
    """(sheet, rows, cols) of the cells the substitutions of ``tables`` ((sheet, input cells, cone
    steps) each) change, each once, per sheet."""
    cells: dict[int, tuple[object, list, list]] = {}

    def add(s, rows, cols):
        got = cells.setdefault(s.index, (s, [], []))
        got[1].append(np.asarray(rows, np.int64))
        got[2].append(np.asarray(cols, np.int64))

    for sheet, inputs, steps in tables:
        add(sheet, [r for r, _ in inputs], [c for _, c in inputs])
        for st in steps:
            add(st.group.sheet, *_step_cells(st))
    out = []
    for s, rs, cs in cells.values():
        rows, cols = np.concatenate(rs), np.concatenate(cs)
        inside = (rows <= s.max_row) & (cols <= s.max_col)  # beyond the grid: no value to vary
        key = np.unique(rows[inside] * (s.max_col + 1) + cols[inside])
        if key.size:
            out.append((s, key // (s.max_col + 1), key % (s.max_col + 1)))
    return out


class _Layers:
    """The values of the cells a table varies, one layer per substitution computed at once.

    The sheets keep the main pass's values. While a step is evaluated for several substitutions
    (:meth:`attach`), instance ``i`` stands for a cell in substitution ``select[i]``: a block
    read from a sheet that covers a varied cell comes back with one instance per instance of
    the evaluation, each with its substitution's values (:meth:`_SheetLayers.over_block`).
    A step that cannot be evaluated so runs one substitution at a time, that substitution's
    values swapped into the sheets (:meth:`swap_in`), until :meth:`restore`.
    """

    def __init__(self, varied: list, k: int):
        self.k = k
        self.select: np.ndarray | None = None
        self.sheets = {s.index: _SheetLayers(self, s, rows, cols, k) for s, rows, cols in varied}

    def touches(self, key: tuple) -> bool:
        """Whether the block ``(sheet index, r0, c0, r1, c1)`` holds a varied cell."""
        got = self.sheets.get(key[0])
        return got is not None and got.count(*key[1:]) > 0

    def attach(self) -> None:
        for lay in self.sheets.values():
            lay.sheet.layers = lay

    def detach(self) -> None:
        for lay in self.sheets.values():
            lay.sheet.layers = None

    def swap_in(self, s: int) -> None:
        for lay in self.sheets.values():
            lay.swap_in(s)

    def restore(self) -> None:
        for lay in self.sheets.values():
            lay.restore()

    def index(self, sheet, rows: np.ndarray, cols: np.ndarray) -> tuple[int, np.ndarray]:
        lay = self.sheets[sheet.index]
        return sheet.index, lay.at(rows, cols)

    def put(self, sheet, cell: tuple[int, int], s: int, val: tuple) -> None:
        lay = self.sheets[sheet.index]
        idx = lay.at(np.array([cell[0]]), np.array([cell[1]]))
        if idx[0] >= 0:
            lay.set(np.array([s]), idx, *(np.array([x], dtype) for x, dtype in zip(val, (np.uint8, float, object))))

    def value(self, sheet, cell: tuple[int, int], s: int) -> tuple:
        lay = self.sheets.get(sheet.index)
        i = lay.at(np.array([cell[0]]), np.array([cell[1]]))[0] if lay is not None else -1
        if i < 0:
            return sheet.value(*cell)
        k = int(lay.kind[s, i])
        return k, float(lay.num[s, i]), lay.text[s, i] if k == STR else None

    def store(self, sheet, rows, cols, select, v) -> None:
        """Store an evaluation's (n, 1, 1) results: cell (rows[i], cols[i]) of substitution select[i]."""
        lay = self.sheets[sheet.index]
        kind, num = v.kind[:, 0, 0], v.num[:, 0, 0]
        blank = kind == EMPTY  # a formula showing a blank holds 0, as SheetData.store
        kind, num = np.where(blank, NUM, kind).astype(np.uint8), np.where(blank, 0.0, num)
        lay.set(select, lay.at(rows, cols), kind, num, None if v.text is None else v.text[:, 0, 0])

    def take(self, sheet, rows, cols, s: int) -> None:
        """Cells of the sheets, as one substitution's evaluation left them, into its layer."""
        lay = self.sheets[sheet.index]
        kind, num = sheet.kind[rows, cols], sheet.num[rows, cols]
        text = None
        if (kind == STR).any():
            text = np.array([sheet.text.get((r, c)) if k == STR else None
                             for r, c, k in zip(rows.tolist(), cols.tolist(), kind.tolist())], object)
        lay.set(np.full(len(rows), s), lay.at(rows, cols), kind, num, text)

    def snapshot(self, sheet_index: int, idx: np.ndarray, select: np.ndarray) -> tuple:
        lay = self.sheets[sheet_index]
        sel = np.ix_(select, idx)
        return lay.kind[sel].copy(), lay.num[sel].copy(), None if lay.text is None else lay.text[sel].copy()

    def change(self, sheet_index: int, idx: np.ndarray, select: np.ndarray, old: tuple) -> np.ndarray:
        """Per substitution, the largest change of the cells since ``old``: numbers by difference,
        anything else (a kind, a text, a logical, an error) infinite when it differs."""
        k0, x0, t0 = old
        k1, x1, t1 = self.snapshot(sheet_index, idx, select)
        num = k1 == NUM
        other = (k0 != k1) | (~num & (x0 != x1))
        if t1 is not None:
            other |= (k1 == STR) & ((t0 if t0 is not None else np.empty(t1.shape, object)) != t1)
        d = np.where(num & ~other, np.abs(x1 - x0), 0.0)
        d[other] = np.inf
        return d.max(axis=1) if d.shape[1] else np.zeros(len(select))


class _SheetLayers:
    """One sheet's varied cells: their values in each layer, and where they lie."""

    def __init__(self, layers: _Layers, sheet, rows: np.ndarray, cols: np.ndarray, k: int):
        self.layers, self.sheet, self.rows, self.cols = layers, sheet, rows, cols
        self.r0, self.c0 = int(rows.min()), int(cols.min())
        self.r1, self.c1 = int(rows.max()), int(cols.max())
        h, w = self.r1 - self.r0 + 1, self.c1 - self.c0 + 1
        self.grid = self.sums = None  # beyond MAX_GRID_CELLS, looked up in the sorted cells
        self.width = sheet.max_col + 1
        self.keys = rows * self.width + cols  # sorted (see _varied_cells)
        if h * w <= MAX_GRID_CELLS:
            self.grid = np.full((h, w), -1, np.int32)
            self.grid[rows - self.r0, cols - self.c0] = np.arange(len(rows))
            self.sums = np.zeros((h + 1, w + 1), np.int32)
            self.sums[1:, 1:] = (self.grid >= 0).cumsum(0).cumsum(1)
        self.base_kind, self.base_num = sheet.kind[rows, cols].copy(), sheet.num[rows, cols].copy()
        strs = np.nonzero(self.base_kind == STR)[0]
        self.base_text = {(int(rows[i]), int(cols[i])): sheet.text.get((int(rows[i]), int(cols[i])))
                          for i in strs.tolist()}
        self.kind = np.repeat(self.base_kind[None], k, 0)
        self.num = np.repeat(self.base_num[None], k, 0)
        self.text = None
        if strs.size:
            self.text = np.empty((k, len(rows)), object)
            self.text[:, strs] = np.array([self.base_text[(int(rows[i]), int(cols[i]))] for i in strs], object)

    def at(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """The layer column of each cell (-1 for a cell not varied)."""
        if self.grid is None:
            key = np.where((cols >= 0) & (cols < self.width), rows * self.width + cols, -1)
            pos = np.minimum(np.searchsorted(self.keys, key), len(self.keys) - 1)
            return np.where(self.keys[pos] == key, pos, -1)
        i, j = rows - self.r0, cols - self.c0
        ok = (i >= 0) & (j >= 0) & (i < self.grid.shape[0]) & (j < self.grid.shape[1])
        if ok.all():
            return self.grid[i, j]
        return np.where(ok, self.grid[np.where(ok, i, 0), np.where(ok, j, 0)], -1)

    def inside(self, r0: int, c0: int, r1: int, c1: int) -> np.ndarray:
        """The layer columns of the varied cells in rows r0..r1, columns c0..c1."""
        if self.grid is None:
            rows, cols = self.rows, self.cols
            return np.nonzero((rows >= r0) & (rows <= r1) & (cols >= c0) & (cols <= c1))[0]
        a0, b0 = max(r0, self.r0) - self.r0, max(c0, self.c0) - self.c0
        a1, b1 = min(r1, self.r1) - self.r0, min(c1, self.c1) - self.c0
        if a0 > a1 or b0 > b1:
            return np.zeros(0, np.int64)
        sub = self.grid[a0:a1 + 1, b0:b1 + 1]
        return sub[sub >= 0]

    def count(self, r0: int, c0: int, r1: int, c1: int) -> int:
        """Varied cells in rows r0..r1, columns c0..c1."""
        if self.sums is None:
            return len(self.inside(r0, c0, r1, c1))
        a0, b0 = max(r0, self.r0) - self.r0, max(c0, self.c0) - self.c0
        a1, b1 = min(r1, self.r1) - self.r0, min(c1, self.c1) - self.c0
        if a0 > a1 or b0 > b1:
            return 0
        s = self.sums
        return int(s[a1 + 1, b1 + 1] - s[a0, b1 + 1] - s[a1 + 1, b0] + s[a0, b0])

    def set(self, select, idx, kind, num, text) -> None:
        self.kind[select, idx] = kind
        self.num[select, idx] = num
        isstr = kind == STR
        if self.text is None and not isstr.any():
            return
        if self.text is None:
            self.text = np.empty(self.kind.shape, object)
        self.text[select, idx] = np.where(isstr, text, None) if text is not None else None

    # -- reads while attached (SheetData.block and .blocks call these) ------------------------
    def over_block(self, v: Values, r0: int, c0: int) -> Values:
        """A (1, h, w) block at (r0, c0) as one instance per instance evaluated, if it covers a
        varied cell."""
        h, w = v.hw
        if not self.count(r0, c0, r0 + h - 1, c0 + w - 1):
            return v
        sel = self.layers.select
        n = len(sel)
        if n * h * w > MAX_ELEMENTS:
            raise NotVectorizable("a block of varied cells too large to read for every substitution")
        idx = self.inside(r0, c0, r0 + h - 1, c0 + w - 1)
        at = (slice(None), self.rows[idx] - r0, self.cols[idx] - c0)
        take = np.ix_(sel, idx)
        kind, num = np.repeat(v.kind, n, 0), np.repeat(v.num, n, 0)
        kind[at] = self.kind[take]
        num[at] = self.num[take]
        text = None
        if v.text is not None or self.text is not None:
            text = np.repeat(v.text, n, 0) if v.text is not None else np.empty(kind.shape, object)
            text[at] = self.text[take] if self.text is not None else None
            if not (kind == STR).any():
                text = None
        return Values(kind, num, text, v.ref)

    def over_blocks(self, v: Values, rr: np.ndarray, cc: np.ndarray) -> Values:
        """(n, h, w) blocks at rows ``rr`` and columns ``cc`` (one per instance): the varied cells
        from each instance's substitution."""
        sel = self.layers.select
        if v.n != len(sel):
            raise NotVectorizable("moving blocks read for other instances than the evaluation's")
        if not self.count(int(rr.min()), int(cc.min()), int(rr.max()), int(cc.max())):
            return v
        rr, cc = np.broadcast_arrays(rr, cc)
        idx = self.at(rr, cc)
        hit = idx >= 0
        if not hit.any():
            return v
        lay = np.broadcast_to(sel[:, None, None], hit.shape)[hit]
        kind, num = v.kind.copy(), v.num.copy()
        kind[hit] = self.kind[lay, idx[hit]]
        num[hit] = self.num[lay, idx[hit]]
        text = None
        if v.text is not None or self.text is not None:
            text = v.text.copy() if v.text is not None else np.empty(kind.shape, object)
            text[hit] = self.text[lay, idx[hit]] if self.text is not None else None
            if not (kind == STR).any():
                text = None
        return Values(kind, num, text, v.ref)

    # -- one substitution at a time ----------------------------------------------------------
    def swap_in(self, s: int) -> None:
        sheet = self.sheet
        sheet.kind[self.rows, self.cols] = self.kind[s]
        sheet.num[self.rows, self.cols] = self.num[s]
        if self.text is not None:
            for i in np.nonzero(self.kind[s] == STR)[0].tolist():
                sheet.text[(int(self.rows[i]), int(self.cols[i]))] = self.text[s, i]

    def restore(self) -> None:
        sheet = self.sheet
        sheet.kind[self.rows, self.cols] = self.base_kind
        sheet.num[self.rows, self.cols] = self.base_num
        sheet.text.update(self.base_text)


class _Unvaried(dict):
    """The book's block cache as the substitutions see it: a block holding a varied cell is
    neither read from it nor kept in it (its values are the substitution's)."""

    def __init__(self, cache: dict, layers: _Layers):
        super().__init__()
        self.cache, self.layers = cache, layers

    def get(self, key, default=None):
        return default if self.layers.touches(key) else self.cache.get(key, default)

    def __setitem__(self, key, value) -> None:
        if not self.layers.touches(key):
            self.cache[key] = value


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


