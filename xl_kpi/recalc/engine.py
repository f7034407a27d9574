"""The recalculation: group formulas into shapes, order them, evaluate, collect the results.

1. Every formula cell gets a *shape key* (its formula in relative R1C1 form, see
   :func:`~.formula.shape_key`); cells of a sheet with the same key form one group, parsed once.
2. Each group's precedents are the bounding boxes of its references over all its cells; a group
   depends on every group owning a cell in one of those boxes.
3. Groups are evaluated in topological order of that graph (Tarjan's strongly connected
   components). A group that is its own component, without a self-loop, is evaluated for all its
   cells at once. The others (a running total reading the cell above, groups feeding each other)
   are split into single cells, ordered again at cell level, and evaluated one cell at a time;
   cells still on a cycle are ordered as Excel's calculation chain does, or iterated when the
   workbook turns iterative calculation on (see ``circular.py``).

What-If data tables are computed by substituting their inputs (see ``data_tables.py``).
A formula the engine cannot compute (a function it lacks, a workbook link the file holds no copy
of, a formula it cannot parse) keeps the value Excel stored (see ``keep.py``); an
internal error in one shape keeps its stored values too, or becomes ``#VALUE!``, and is reported.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, replace
from itertools import compress

import numpy as np

from .book import Book, SheetData
from .circular import Iteration, RuntimeCycle, Uncalculated, solve_cycle
from .data_tables import DataTable, TableRunner, read_data_table
from .evaluator import Ctx, Evaluator, NotVectorizable, name_tree
from .formula import (
    Const,
    FormulaLimitError,
    FormulaSyntaxError,
    Func,
    Name,
    Node,
    Ref,
    ShapeKeys,
    compile_formula,
    walk,
)
from .functions import resolve
from .keep import Kept, find_kept, mark_dependents, stored_value
from .package import ERROR_CODES, FormulaCell, FormulaValues, Package, parse_range
from .values import EMPTY, ERR, NUM, STR, E, Values

__all__ = ["Group", "CircularReference", "Recalculation", "calculate", "CIRCULAR_CHOICES"]

#: What to do with a circular reference in a workbook whose iterative calculation is off.
CIRCULAR_CHOICES = ("refuse", "keep", "iterate")


class CircularReference(Exception):
    """Formulas that depend on themselves while the workbook has iterative calculation off;
    ``cells`` names them (``Sheet1!A1``). The message names the two ways on."""

    def __init__(self, cells: list[str]):
        shown = ", ".join(cells[:10]) + (f" and {len(cells) - 10} more" if len(cells) > 10 else "")
        super().__init__(f"circular reference among {shown}; iterative calculation is off in the workbook "
                         "(--circular iterate or --circular keep)")
        self.cells = cells


@dataclass(eq=False)
class Group:
    """Formula cells of one sheet sharing one shape (or one array formula)."""

    gid: int
    sheet: SheetData
    text: str
    anchor: tuple[int, int]  # the cell the text is written for
    rows: list[int] = field(default_factory=list)
    cols: list[int] = field(default_factory=list)
    array: tuple[int, int, int, int] | None = None  # the range of an array formula
    tree: Node | None = None
    members: list[int] = field(default_factory=list)  # the cells' indexes in the sheet's formula cells
    keep_reason: tuple[str, str] | None = None  # (cause, detail) known when grouping
    kept: str | None = None  # the cause, when the cells keep Excel's stored values
    table: DataTable | None = None  # a What-If data table (see data_tables.py)
    dynamic: bool = False  # an Excel 365 dynamic array (spills), not a legacy array formula

    _positions: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)

    def positions(self) -> tuple[np.ndarray, np.ndarray]:
        """rows and cols as arrays, made once (read-only: every caller shares them) while the
        lists keep their length (they only grow, while grouping)."""
        p = self._positions
        if p is None or len(p[0]) != len(self.rows):
            rows, cols = np.asarray(self.rows, np.int64), np.asarray(self.cols, np.int64)
            rows.flags.writeable = cols.flags.writeable = False
            p = self._positions = (rows, cols)
        return p

    @property
    def formulas(self) -> list[FormulaCell]:
        """The group's cells as read from the file (made when asked, from the sheet's lists)."""
        return list(map(self.sheet.part.formulas.__getitem__, self.members))

    def formula_at(self, r: int, c: int) -> FormulaCell | None:
        """The group's cell (r, c) as read from the file, None if it has none there."""
        for i, rc in zip(self.members, zip(self.rows, self.cols)):
            if rc == (r, c):
                return self.sheet.part.formulas[i]
        return None


@dataclass
class Recalculation:
    """What a recalculation computed, for the writer and the report."""

    formula_values: dict[str, FormulaValues]  # by part, in formula order
    spill_values: dict[str, dict[tuple[int, int], tuple[int, float, str | None]]]
    formulas: int
    errors: dict[str, int]
    error_cells: list[str]
    issues: list[str]
    groups: int
    vectorized_cells: int
    seconds: float
    kept: Kept = field(default_factory=Kept)
    iterations: list[Iteration] = field(default_factory=list)


def _cell_name(sheet: SheetData, r: int, c: int) -> str:
    from .package import col_letters

    name = sheet.name
    if not name.replace("_", "").isalnum():
        name = "'" + name.replace("'", "''") + "'"
    return f"{name}!{col_letters(c)}{r}"


# ---------------------------------------------------------------------------------------------
# 1. grouping


def _drop_array_members(part) -> None:
    """Remove the formula elements of cells inside an array formula's range (``<f ca="1"/>``).

    Excel writes an empty ``<f>`` in some members of an array formula; they are values the array
    formula writes, not formulas of their own.
    """
    arrays = []
    if not part.formula_types() & {"array", "dataTable"}:
        return
    cells = part.formulas
    for f in cells.of_type("array", "dataTable"):
        if f.ref:
            try:
                arrays.append((parse_range(f.ref), (f.row, f.col)))
            except ValueError:
                continue
    if not arrays:
        return
    keep = [i for i, (text, ftype, row, col) in enumerate(zip(cells.texts, cells.ftypes, cells.rows, cells.cols))
            if text or ftype == "shared" or not any(r0 <= row <= r1 and c0 <= col <= c1 and (row, col) != anchor
                                                    for (r0, c0, r1, c1), anchor in arrays)]
    if len(keep) != len(cells):
        cells.keep(keep)


def _group_sheet(sheet: SheetData, keys: ShapeKeys, groups: list[Group], issues: list[str]) -> None:
    """Put each formula cell of a sheet in the group of its shape (appended to ``groups``), by its
    index in the sheet's formula cells; rows and columns are filled in afterwards."""
    cells = sheet.part.formulas
    rows, cols, texts, ftypes, sis = cells.rows, cells.cols, cells.texts, cells.ftypes, cells.sis
    masters: dict[str, int] = {}
    if "shared" in sheet.part.formula_types():
        for i in compress(range(len(cells)), texts):  # the cells with a text (C-level), of them the masters
            if ftypes[i] == "shared":
                masters.setdefault(sis[i], i)
    by_key: dict[str, Group] = {}
    shared_keys: dict[str, str] = {}  # a shared formula's group (si): its master's key, once
    index = sheet.index
    key_of = keys.key
    for i, ftype, text, key in zip(range(len(cells)), ftypes, texts, keys.keys(texts, rows, cols, index)):
        if ftype == "normal" and key is not None:  # the common cell, first: the same steps as below
            g = by_key.get(key)
            if g is None:
                g = by_key[key] = Group(len(groups), sheet, text, (rows[i], cols[i]))
                groups.append(g)
            g.members.append(i)
            continue
        if ftype == "shared" and not text:
            key = shared_keys.get(sis[i])
            if key is not None:  # the cells of one shared formula are one shape
                by_key[key].members.append(i)
                continue
        f = cells[i]
        row, col = f.row, f.col
        if ftype == "dataTable":
            table = read_data_table(f)
            if isinstance(table, DataTable):
                groups.append(Group(len(groups), sheet, "TABLE()", (row, col), tree=table.tree(), members=[i],
                                    table=table))
            else:
                issues.append(f"{_cell_name(sheet, row, col)}: data table not recalculated ({table})")
            continue  # a table that cannot be computed keeps Excel's values (_keep_data_tables)
        key_row, key_col = row, col
        reason = None
        if ftype == "shared" and not text:
            m = masters.get(f.si)
            if m is None:
                text, reason = "#REF!", ("formula syntax", "a shared formula without its master cell")
            else:
                text, key_row, key_col = texts[m], rows[m], cols[m]
        if not text or not text.strip():
            issues.append(f"{_cell_name(sheet, row, col)}: empty formula")
            text, reason = "#NAME?", ("formula syntax", "an empty formula")
        if ftype == "array" or reason is not None:
            ref = (row, col, row, col)
            if ftype == "array" and f.ref:
                try:
                    ref = parse_range(f.ref)
                except ValueError:
                    pass
            g = Group(len(groups), sheet, text, (row, col), array=ref if ftype == "array" else None, members=[i],
                      keep_reason=reason, dynamic=ftype == "array" and f.dynamic)
            if g.dynamic:
                sheet.spills[(row, col)] = ref
            groups.append(g)
            continue
        key = key_of(text, key_row, key_col, index)
        if ftype == "shared" and not f.text:
            shared_keys[f.si] = key
        g = by_key.get(key)
        if g is None:
            g = Group(len(groups), sheet, text, (key_row, key_col))
            by_key[key] = g
            groups.append(g)
        g.members.append(i)


def build_groups(book: Book, issues: list[str]) -> list[Group]:
    groups: list[Group] = []
    keys = ShapeKeys()
    for sheet in book.sheets:
        if sheet is None:
            continue
        _drop_array_members(sheet.part)
        first = len(groups)
        _group_sheet(sheet, keys, groups, issues)
        cells = sheet.part.formulas
        for g in groups[first:]:  # each group's cells, by their indexes
            g.rows = list(map(cells.rows.__getitem__, g.members))
            g.cols = list(map(cells.cols.__getitem__, g.members))
    for g in groups:
        if g.array or g.table:
            r0, c0, r1, c1 = g.array or g.table.ref
            g.sheet.owner[r0:r1 + 1, c0:c1 + 1] = g.gid
        else:
            rows, cols = g.positions()
            g.sheet.owner[rows, cols] = g.gid
        if g.table:
            continue
        try:
            g.tree = compile_formula(g.text, *g.anchor, tables=book.structured(g.sheet))
        except FormulaLimitError as exc:
            issues.append(f"{_cell_name(g.sheet, *g.anchor)}: {exc}; the cell is {ERROR_CODES[exc.code - 1]}")
            g.tree = Const(Values.error(exc.code))
        except FormulaSyntaxError as exc:
            issues.append(f"{_cell_name(g.sheet, *g.anchor)}: {exc}")
            g.tree = Const(Values.error(E.NAME))
            g.keep_reason = g.keep_reason or ("formula syntax", str(exc))
        except RecursionError:
            issues.append(f"{_cell_name(g.sheet, *g.anchor)}: formula nested too deeply to parse")
            g.tree = Const(Values.error(E.VALUE))
            g.keep_reason = g.keep_reason or ("formula syntax", "nested too deeply")
        except Exception as exc:  # the parser failed on a formula Excel accepted: that cell only
            issues.append(f"{_cell_name(g.sheet, *g.anchor)}: cannot parse formula ={g.text} "
                          f"({type(exc).__name__}: {exc})")
            g.tree = Const(Values.error(E.VALUE))
            g.keep_reason = g.keep_reason or ("formula syntax", f"{type(exc).__name__}")
    book.groups = groups  # a cell's formula by sheet.owner, for the computed criteria of DSUM...
    return groups


# ---------------------------------------------------------------------------------------------
# 2. dependencies


def _refs(tree: Node, book: Book, sheet: SheetData):
    """(sheet, Ref) of every reference of a tree, through defined names (each name once).

    Names are followed with a work list, not recursion: a chain of thousands of names is fine.
    The reference FORMULATEXT is given is none: it reads a formula, not a value, so a cell may
    show its own formula (Microsoft's FORMULATEXT page: no circular reference).
    Unqualified references inside a name resolve against the formula's sheet, as they are
    evaluated (see :meth:`Evaluator.name`).
    """
    todo = [tree]
    seen: set = set()
    formula_only: set[int] = set()  # FORMULATEXT(A1) reads A1's formula, not its value
    while todo:
        for node in walk(todo.pop()):
            if isinstance(node, Func) and node.name == "FORMULATEXT" and node.args and isinstance(node.args[0], Ref):
                formula_only.add(id(node.args[0]))
            elif isinstance(node, Ref) and id(node) not in formula_only:
                s = book.sheet(node.sheet, sheet)
                if s is not None:
                    yield s, node
            elif isinstance(node, Name):
                s = book.sheet(node.sheet, sheet) if node.sheet else sheet
                if s is None:
                    continue
                key = (node.name.lower(), s.index)
                if key in seen:
                    continue
                seen.add(key)
                sub = name_tree(book, *key)
                if sub is not None:
                    todo.append(sub)


def _box(ref: Ref, sheet: SheetData, rows: np.ndarray, cols: np.ndarray):
    """The range a reference covers over cells at rows/cols, clipped to the sheet, or None."""
    if ref.r0 is None:
        r0, r1 = 1, sheet.max_row
    else:
        r0 = ref.r0 if ref.abs_r0 else int(rows.min()) + ref.r0
        r1 = ref.r1 if ref.abs_r1 else int(rows.max()) + ref.r1
    if ref.c0 is None:
        c0, c1 = 1, sheet.max_col
    else:
        c0 = ref.c0 if ref.abs_c0 else int(cols.min()) + ref.c0
        c1 = ref.c1 if ref.abs_c1 else int(cols.max()) + ref.c1
    r0, c0 = max(r0, 1), max(c0, 1)
    r1, c1 = min(r1, sheet.max_row), min(c1, sheet.max_col)
    if r0 > r1 or c0 > c1:
        return None
    return r0, c0, r1, c1


def group_graph(groups: list[Group], book: Book) -> list[set[int]]:
    """For each group, the groups it reads from."""
    deps: list[set[int]] = [set() for _ in groups]
    for g in groups:
        rows, cols = g.positions()
        for sheet, ref in _refs(g.tree, book, g.sheet):
            box = _box(ref, sheet, rows, cols)
            if box is None:
                continue
            r0, c0, r1, c1 = box
            owners = sheet.owner[r0:r1 + 1, c0:c1 + 1]
            found = np.unique(owners)
            deps[g.gid].update(int(x) for x in found if x >= 0)
    _order_volatile_references(groups, deps)
    return deps


#: Functions whose references are known only when they run.
VOLATILE_REFERENCES = frozenset({"OFFSET", "INDIRECT"})


def _order_volatile_references(groups: list[Group], deps: list[set[int]]) -> None:
    """Make each group using OFFSET or INDIRECT read from every group that does not read from it.

    What such a group reads is known only when it runs, so it is computed after every other
    group it could read, without creating a cycle: groups that (directly or not) depend on it
    stay after it. Done one volatile group at a time, each seeing the edges of the previous, the
    last in reading order (sheet, row, column) first: between two of them, the later reads the
    earlier, as models are read top to bottom.
    """
    volatile = [g.gid for g in groups
                if any(isinstance(n, Func) and n.name in VOLATILE_REFERENCES for n in walk(g.tree))]
    volatile.sort(key=lambda gid: (groups[gid].sheet.index, *groups[gid].anchor), reverse=True)
    if not volatile or len(volatile) > 200:  # beyond that (cost), the plain reference graph is kept
        return
    readers: dict[int, set[int]] = {}
    for gid, ds in enumerate(deps):
        for d in ds:
            readers.setdefault(d, set()).add(gid)
    for v in volatile:
        after = {v}
        todo = [v]
        while todo:
            for r in readers.get(todo.pop(), ()):
                if r not in after:
                    after.add(r)
                    todo.append(r)
        new = [gid for gid in range(len(groups)) if gid not in after and gid not in deps[v]]
        deps[v].update(new)
        for u in new:
            readers.setdefault(u, set()).add(v)


def strongly_connected(n: int, edges) -> list[list[int]]:
    """Tarjan's algorithm, iterative; components come out with precedents first."""
    index = [0] * n
    low = [0] * n
    on = [False] * n
    seen = [False] * n
    stack: list[int] = []
    out: list[list[int]] = []
    counter = 1
    for root in range(n):
        if seen[root]:
            continue
        work = [(root, iter(edges(root)))]
        seen[root] = True
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on[root] = True
        while work:
            v, it = work[-1]
            advanced = False
            for w in it:
                if not seen[w]:
                    seen[w] = True
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on[w] = True
                    work.append((w, iter(edges(w))))
                    advanced = True
                    break
                if on[w]:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                u = work[-1][0]
                low[u] = min(low[u], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on[w] = False
                    comp.append(w)
                    if w == v:
                        break
                out.append(comp)
    return out


# ---------------------------------------------------------------------------------------------
# 3. evaluation


def _final(ev: Evaluator, v: Values, n: int) -> Values:
    """One value per cell of an ordinary formula: ranges intersected, arrays' top-left kept."""
    if not v.is_cell:
        if v.ref is not None:
            v = ev.intersect(v)
        if not v.is_cell:
            v = Values(v.kind[:, :1, :1], v.num[:, :1, :1], None if v.text is None else v.text[:, :1, :1])
    return v.expand(n)


def evaluate_group(g: Group, book: Book, issues: set, rows=None, cols=None) -> None:
    """Evaluate a group (or some of its cells) and store the results in its sheet."""
    if g.table is not None:
        g.table.runner.run(g, issues)
        return
    if rows is None:
        rows, cols = g.positions()
    if g.array:
        _evaluate_array(g, book, issues)
        return
    ctx = Ctx(book, g.sheet, rows, cols, issues=issues)
    ev = Evaluator(ctx)
    try:
        v = _final(ev, ev.formula(g.tree), len(rows))
    except NotVectorizable:
        _cell_by_cell(g, book, issues, rows, cols)
        return
    g.sheet.store(rows, cols, v)


def _cell_by_cell(g: Group, book: Book, issues: set, rows, cols) -> None:
    """Evaluate a group one cell at a time; an internal error is that cell's #VALUE! alone."""
    for r, c in zip(rows, cols):
        rr, cc = np.array([r]), np.array([c])
        try:
            evaluate_group(g, book, issues, rr, cc)
        except (NotVectorizable, RecursionError, MemoryError, CircularReference):
            raise
        except Exception as exc:  # a defect of the engine in this cell: reported, the cell #VALUE!
            issues.add(f"{_cell_name(g.sheet, int(r), int(c))}: internal error evaluating ={g.text} "
                       f"({type(exc).__name__}: {exc}); the cell is #VALUE!")
            g.sheet.store(rr, cc, Values.error(E.VALUE))


def _fail_group(g: Group, exc: Exception, issues: set, book: Book, kept: Kept) -> None:
    """After an internal error in a group: its cells keep Excel's values, or are #VALUE!; reported."""
    values = _stored(g, book)
    if any(v is not None for v in values):
        issues.add(f"{_cell_name(g.sheet, *g.anchor)}: internal error evaluating ={g.text} "
                   f"({type(exc).__name__}: {exc}); its cells keep Excel's values")
        g.kept = "internal error"
        kept.causes[g.gid] = ("internal error", type(exc).__name__)
        names = []
        for r, c, v in zip(g.rows, g.cols, values):
            k, x, t = v if v is not None else (EMPTY, 0.0, None)
            g.sheet.kind[r, c], g.sheet.num[r, c] = k, x
            if t is not None:
                g.sheet.text[(r, c)] = t
            names.append(_cell_name(g.sheet, r, c))
        kept.add("internal error", type(exc).__name__, names)
        return
    issues.add(f"{_cell_name(g.sheet, *g.anchor)}: internal error evaluating ={g.text} "
               f"({type(exc).__name__}: {exc}); its cells are #VALUE!")
    rows, cols = g.positions()
    g.sheet.store(rows, cols, Values.error(E.VALUE, len(rows)))


def _stored(g: Group, book: Book) -> list:
    """Excel's stored value of each cell of a group (None where the file has none)."""
    shared = book.pkg.shared_strings
    return [stored_value(g.sheet.part, f, shared) for f in g.formulas]


def _evaluate_array(g: Group, book: Book, issues: set) -> None:
    r0, c0, r1, c1 = g.array
    ctx = Ctx(book, g.sheet, np.array([g.anchor[0]]), np.array([g.anchor[1]]), array=True, issues=issues,
              array_fill=None if g.dynamic else (g.tree, (r1 - r0 + 1, c1 - c0 + 1)))
    v = Evaluator(ctx).formula(g.tree).instance(0)
    if g.dynamic:
        _store_spill(g, v, issues)
        return
    h, w = r1 - r0 + 1, c1 - c0 + 1
    vh, vw = v.hw
    kind = np.full((1, h, w), ERR, np.uint8)
    num = np.full((1, h, w), float(E.NA))
    text = np.empty((1, h, w), object) if v.text is not None else None
    # a single row or column repeats across the range, as Excel fills an array formula
    src_r = np.arange(h) if vh > 1 else np.zeros(h, np.int64)
    src_c = np.arange(w) if vw > 1 else np.zeros(w, np.int64)
    ok_r = src_r < vh
    ok_c = src_c < vw
    rr = np.where(ok_r, src_r, 0)[:, None]
    cc = np.where(ok_c, src_c, 0)[None, :]
    inside = ok_r[:, None] & ok_c[None, :]
    kind[0] = np.where(inside, v.kind[0][rr, cc], ERR)
    num[0] = np.where(inside, v.num[0][rr, cc], float(E.NA))
    if text is not None:
        text[0] = np.where(inside, v.text[0][rr, cc], None)
    blank = kind[0] == EMPTY  # an array formula shows a blank it reads as 0, as Excel does
    if blank.any():
        kind[0] = np.where(blank, NUM, kind[0])
        num[0] = np.where(blank, 0.0, num[0])
    g.sheet.store_block(r0, c0, Values(kind, num, text))


def _store_spill(g: Group, v: Values, issues: set) -> None:
    """A dynamic array's result spilled from its anchor, as Excel 365 spills it.

    The file stores the range of the last spill (a ``t="array"`` formula whose cell carries
    ``cm``, the cell metadata of type XLDAPR with ``fDynamic="1"``: ECMA-376 Part 1, 18.9
    ``cellMetadata``/``futureMetadata``; [MS-XLSX] 2.6 ``dynamicArrayProperties``). A result that
    fits leaves the rest of that range blank. A bigger one spills further when the cells it needs
    are empty, and is ``#SPILL!`` in its anchor (the range blank) when a value or formula is in
    the way, or when the cells lie beyond the sheet's grid (reported). A blank the result reads
    shows as 0, as in Excel.
    """
    sheet = g.sheet
    r0, c0, r1, c1 = g.array
    vh, vw = v.hw
    h, w = max(r1 - r0 + 1, vh), max(c1 - c0 + 1, vw)
    if (h, w) != (r1 - r0 + 1, c1 - c0 + 1):
        if r0 + h - 1 > sheet.max_row or c0 + w - 1 > sheet.max_col:
            issues.add(f"{_cell_name(sheet, *g.anchor)}: the dynamic array grew beyond the sheet's used range; "
                       "#SPILL! shown")
            v = Values.error(E.SPILL)
        else:
            area = (slice(r0, r0 + h), slice(c0, c0 + w))
            mine = sheet.owner[area] == g.gid
            blocked = ~mine & ((sheet.owner[area] >= 0) | (sheet.kind[area] != EMPTY))
            if blocked.any():
                v = Values.error(E.SPILL)
            else:
                sheet.owner[area] = g.gid
                g.array = (r0, c0, r0 + h - 1, c0 + w - 1)
                sheet.spills[g.anchor] = g.array
        r0, c0, r1, c1 = g.array
        h, w = r1 - r0 + 1, c1 - c0 + 1
        vh, vw = v.hw
    kind = np.zeros((1, h, w), np.uint8)
    num = np.zeros((1, h, w))
    kind[0, :vh, :vw] = np.where(v.kind[0] == EMPTY, NUM, v.kind[0])
    num[0, :vh, :vw] = np.where(v.kind[0] == EMPTY, 0.0, v.num[0])
    text = None
    if v.text is not None:
        text = np.empty((1, h, w), object)
        text[0, :vh, :vw] = v.text[0]
    sheet.store_block(r0, c0, Values(kind, num, text))
    pad = np.ones((h, w), bool)  # the stored range beyond the result: blank cells, not zeros
    pad[:vh, :vw] = False
    if pad.any():
        sheet.kind[r0:r0 + h, c0:c0 + w][pad] = EMPTY
        sheet.num[r0:r0 + h, c0:c0 + w][pad] = 0.0


def _evaluate_cells(comp: list[int], groups: list[Group], book: Book, issues: set, kept: Kept | None = None,
                    circular: str = "refuse", tables: TableRunner | None = None) -> list[Iteration]:
    """Groups on a cycle of the group graph: order their cells one by one (see ``circular.py``).

    ``tables`` records the order for data tables (``plan``); a table waiting to be computed is
    computed before a cell reading it, and at once inside a cycle of cells.
    """
    plan = tables.plan if tables is not None else None
    cells: list[tuple[Group, int, int]] = []
    where: dict[tuple[int, int, int], int] = {}
    for gid in comp:
        g = groups[gid]
        if g.kept:
            continue  # Excel's values, already in the sheet
        if g.array or g.table:
            r0, c0, r1, c1 = g.array or g.table.ref
            first = len(cells)
            cells.append((g, g.anchor[0], g.anchor[1]))
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    where[(g.sheet.index, r, c)] = first
            continue
        for r, c in zip(g.rows, g.cols):
            where[(g.sheet.index, r, c)] = len(cells)
            cells.append((g, r, c))
    if not cells:
        return []
    member = np.zeros(len(groups) + 1, bool)  # by owner; the last slot is owner -1, no group
    member[[gid for gid in comp if not groups[gid].kept]] = True
    deps: list[list[int]] = []
    refs_of = {gid: list(_refs(groups[gid].tree, book, groups[gid].sheet)) for gid in comp}
    for g, r, c in cells:
        d = set()
        rows, cols = np.array([r]), np.array([c])
        for sheet, ref in refs_of[g.gid]:
            box = _box(ref, sheet, rows, cols)
            if box is None:
                continue
            r0, c0, r1, c1 = box
            owners = sheet.owner[r0:r1 + 1, c0:c1 + 1]
            hit = member[owners]
            if not hit.any():
                continue
            for i, j in zip(*np.nonzero(hit)):
                k = where.get((sheet.index, r0 + int(i), c0 + int(j)))
                if k is not None:
                    d.add(k)
        deps.append(sorted(d))
    order = strongly_connected(len(cells), lambda k: deps[k])
    iterations = []
    table_cells = {k for k, (g, _, _) in enumerate(cells) if g.table}
    for batch in _batches(order, cells, deps):
        if tables is not None and tables.pending and table_cells:
            ks = batch if isinstance(batch, list) else (
                [where[(batch[0].sheet.index, *batch[0].anchor)]] if batch[1] is None else
                [where[(batch[0].sheet.index, int(r), int(c))] for r, c in zip(batch[1], batch[2])])
            if any(not table_cells.isdisjoint(deps[k]) for k in ks):
                _flush_tables(tables, issues, book, kept)
        if isinstance(batch, list):  # a cycle of cells
            if tables is not None:
                tables.deferring = False  # a table on the cycle is computed as the chain reaches it
            try:
                result = _solve(batch, cells, deps, where, book, issues, kept, circular)
            finally:
                if tables is not None:
                    tables.deferring = True
            if result is not None:
                iterations.append(result)
            if plan is not None:  # a data table's substitutions iterate the cycle, in this order
                held = kept.uncalculated if kept is not None else None  # left uncalculated: not re-run
                cycle = len(plan)
                plan.extend((*_step(cells[k]), cycle) for k in batch
                            if not (held and held.covers(cells[k][0].sheet, *cells[k][1:], *cells[k][1:])))
            continue
        g, rows, cols = batch
        todo = _calculated_cells(g, book, kept, *((rows, cols) if rows is not None else g.positions()))
        if todo is None:
            continue
        if rows is not None:
            rows, cols = todo
        if rows is None:
            _evaluate_cell((g, *g.anchor), book, issues)
        elif len(rows) == 1:
            evaluate_group(g, book, issues, rows, cols)
        else:
            try:
                evaluate_group(g, book, issues, rows, cols)
            except (CircularReference, MemoryError):
                raise
            except Exception:  # as one cell at a time would be: a failing cell fails its groups
                for r, c in zip(rows, cols):
                    evaluate_group(g, book, issues, np.array([r]), np.array([c]))
        if plan is not None:
            plan.append((g.gid, rows, cols, None))
    return iterations


def _batches(order: list[list[int]], cells: list[tuple[Group, int, int]], deps: list[list[int]]):
    """The cells of a cyclic group component, in evaluation batches: ``(group, rows, cols)`` (rows
    None for an array formula or data table) or a list of cells on a cycle (see ``_solve``).

    Each component of the cell graph gets a level, one more than the highest level it reads;
    a level reads only lower levels, so its cells of one group are evaluated at once, vectorized
    (a row of a three-statement model: one evaluation per year instead of one per cell).
    """
    comp_of = [0] * len(cells)
    for i, cc in enumerate(order):
        for k in cc:
            comp_of[k] = i
    level = [0] * len(order)
    by_level: dict[int, list[int]] = {}
    for i, cc in enumerate(order):
        lv = 0
        for k in cc:
            for j in deps[k]:
                ci = comp_of[j]
                if ci != i and level[ci] >= lv:
                    lv = level[ci] + 1
        level[i] = lv
        by_level.setdefault(lv, []).append(i)
    for lv in sorted(by_level):
        singles: dict[int, list[int]] = {}
        for i in by_level[lv]:
            cc = order[i]
            k = cc[0]
            if len(cc) > 1 or k in deps[k]:
                yield cc
                continue
            g = cells[k][0]
            if g.array or g.table:
                yield g, None, None
                continue
            singles.setdefault(g.gid, []).append(k)
        for ks in singles.values():
            g = cells[ks[0]][0]
            yield g, np.array([cells[k][1] for k in ks], np.int64), np.array([cells[k][2] for k in ks], np.int64)


def _flush_tables(tables: TableRunner, issues: set, book: Book, kept: Kept | None) -> None:
    """Compute the data tables waiting; after an internal error they keep Excel's values."""
    waiting = [g for g, _ in tables.pending]
    try:
        tables.flush(issues)
    except (CircularReference, MemoryError):
        raise
    except Exception as exc:  # a defect of the engine: reported, never a silent value
        tables.pending = []
        for g in waiting:
            if kept is not None:
                _fail_group(g, exc, issues, book, kept)


def _step(cell: tuple[Group, int, int]) -> tuple:
    """The record of one evaluation for a data table's plan: (gid, rows, cols), None for all (the
    cycle it belongs to is added by the caller)."""
    g, r, c = cell
    if g.array or g.table:
        return g.gid, None, None
    return g.gid, np.array([r]), np.array([c])


def _evaluate_cell(cell: tuple[Group, int, int], book: Book, issues: set) -> None:
    g, r, c = cell
    if g.table:
        evaluate_group(g, book, issues)
    elif g.array:
        _evaluate_array(g, book, issues)
    else:
        evaluate_group(g, book, issues, np.array([r]), np.array([c]))


def _snapshot(cell: tuple[Group, int, int]):
    g, r, c = cell
    sheet = g.sheet
    if g.array or g.table:
        r0, c0, r1, c1 = g.array or g.table.ref
        k = sheet.kind[r0:r1 + 1, c0:c1 + 1].copy()
        x = sheet.num[r0:r1 + 1, c0:c1 + 1].copy()
        t = tuple(sheet.text.get((i, j)) for i, j in zip(*np.nonzero(k == STR)))
        return k, x, t
    k = sheet.kind[r:r + 1, c:c + 1].copy()
    return k, sheet.num[r:r + 1, c:c + 1].copy(), (sheet.text.get((r, c)) if k[0, 0] == STR else None,)


def _solve(comp_cells: list[int], cells, deps, where, book: Book, issues: set, kept: Kept | None,
           circular: str) -> Iteration | None:
    """One cycle of cells: calculation-chain order, else iteration (the workbook's, or forced by
    ``circular="iterate"`` with the file's count and delta), else CircularReference (or, with
    ``circular="keep"``, Excel's stored values in the cells of the cycle)."""
    local = {k: i for i, k in enumerate(comp_cells)}
    sub_cells = [cells[k] for k in comp_cells]
    sub_deps = [[local[j] for j in deps[k] if j in local] for k in comp_cells]
    keys = [key for key, k in where.items() if k in local]
    key_index = [local[where[key]] for key in keys]

    in_full = [bool(g.array) and _calculated_in_full(g) for g, _, _ in sub_cells]

    def evaluate(i: int) -> None:
        _evaluate_cell(sub_cells[i], book, issues)
        g = sub_cells[i][0]
        if in_full[i]:  # every reference read, whatever IF chose
            rows, cols = g.positions()
            for sheet, ref in _refs(g.tree, book, g.sheet):
                box = _box(ref, sheet, rows, cols)
                if box is not None and sheet.watch is not None:
                    sheet.watch(sheet, *box)

    def restore(indices) -> None:
        shared = book.pkg.shared_strings
        for i in indices:
            g, r, c = sub_cells[i]
            f = g.formula_at(r, c)
            v = stored_value(g.sheet.part, f, shared) if f is not None else None
            k, x, t = v if v is not None else (EMPTY, 0.0, None)
            g.sheet.kind[r, c], g.sheet.num[r, c] = k, x
            if t is not None:
                g.sheet.text[(r, c)] = t

    def start_values() -> None:
        restore(range(len(sub_cells)))

    before = [_snapshot(cell) for cell in sub_cells] if circular == "keep" else []

    def freeze(indices, reading: bool) -> None:
        names = []
        for i in indices:
            g, r, c = sub_cells[i]
            if g.array and not reading and not g.dynamic and not in_full[i]:
                # Excel calculates a legacy array formula's cells one by one, as needed: those the
                # others of the cycle read are on it, the rest calculated with their values
                others = [sub_cells[j] for j in indices if j != i]
                for rr, cc in _cells_read(others, book, g.sheet, g.array):
                    names += _leave_uncalculated((g, rr, cc), book, kept, False, before[i], whole=False)
                continue
            names += _leave_uncalculated(sub_cells[i], book, kept, reading, before[i])
        if not reading:
            issues.add(f"circular reference among {', '.join(sorted(names)[:10])}: iterative calculation "
                       "is off, so these cells and the cells reading them are not calculated, as in Excel, "
                       "and keep Excel's values")

    calc = _calc_settings(book, circular)
    try:
        first = sorted(range(len(sub_cells)),
                       key=lambda i: (sub_cells[i][0].sheet.index, sub_cells[i][1], sub_cells[i][2]))
        outcome = solve_cycle(len(sub_cells), sub_deps, list(zip(keys, key_index)), book, evaluate,
                              lambda i: _snapshot(sub_cells[i]), calc, start_values, first,
                              freeze if circular == "keep" and kept is not None else None,
                              kept.uncalculated if kept is not None else None)
    except RuntimeCycle as exc:
        names = sorted({_cell_name(sub_cells[i][0].sheet, sub_cells[i][1], sub_cells[i][2]) for i in exc.cells})
        raise CircularReference(names) from None
    if outcome is None:
        return None
    iterations, converged, change = outcome
    names = [_cell_name(g.sheet, r, c) for g, r, c in sub_cells]
    return Iteration(names[:10], len(names), iterations, converged, change)


def _calc_settings(book: Book, circular: str):
    """The workbook's calculation settings, iteration turned on by ``circular="iterate"`` (as
    ticking Excel's "Enable iterative calculation" does, the file's count and delta kept)."""
    calc = book.pkg.calc
    return replace(calc, iterate=True) if circular == "iterate" and not calc.iterate else calc


_ACA = re.compile(rb'<f\b[^>]*\baca="(?:1|true)"')


def _calculated_in_full(g: Group) -> bool:
    """An array formula marked ``aca="1"``: Excel calculates it whole (ECMA-376 18.3.1.40), so
    it reads every cell its references cover, not only those the chosen IF branches need."""
    part = g.sheet.part
    return any(_ACA.search(part.xml, f.span[0], f.span[1]) for f in g.formulas if f.ftype == "array")


def _reading_uncalculated(g: Group, rows: np.ndarray, cols: np.ndarray, book: Book,
                          uncalculated: Uncalculated) -> np.ndarray | None:
    """Which of a group's cells read a cell Excel does not calculate (None for none of them)."""
    refs = list(_refs(g.tree, book, g.sheet))

    def reads(rr, cc) -> bool:
        for sheet, ref in refs:
            box = _box(ref, sheet, rr, cc)
            if box is not None and uncalculated.covers(sheet, *box):
                return True
        return False

    if not reads(rows, cols):  # the union of its ranges first
        return None
    if g.array or len(rows) == 1:
        return np.ones(len(rows), bool)
    return np.array([reads(rows[i:i + 1], cols[i:i + 1]) for i in range(len(rows))], bool)


def _cells_read(cells: list[tuple[Group, int, int]], book: Book, sheet: SheetData,
                box: tuple[int, int, int, int]) -> list[tuple[int, int]]:
    """The cells of ``box`` on ``sheet`` that some of ``cells`` reference."""
    b0, b1, b2, b3 = box
    hit = np.zeros((b2 - b0 + 1, b3 - b1 + 1), bool)
    for g, r, c in cells:
        rows, cols = (g.positions() if g.array else (np.array([r]), np.array([c])))
        for s, ref in _refs(g.tree, book, g.sheet):
            rb = _box(ref, s, rows, cols) if s is sheet else None
            if rb is not None:
                hit[max(rb[0], b0) - b0:min(rb[2], b2) - b0 + 1, max(rb[1], b1) - b1:min(rb[3], b3) - b1 + 1] = True
    return [(b0 + int(i), b1 + int(j)) for i, j in zip(*np.nonzero(hit))]


def _leave_uncalculated(cell: tuple[Group, int, int], book: Book, kept: Kept, reading: bool,
                        before=None, whole: bool = True) -> list[str]:
    """A cell (an array formula's whole range, unless not ``whole``) as Excel leaves it
    uncalculated, with iterative calculation off: the values it had, Excel's stored ones, and 0
    in a formula cell that has none (Excel shows 0 for a circular formula it never calculated).
    Recorded as kept; returns the cells' names. ``before`` is the values of the cell's range (its
    array formula's) before it was evaluated, if it was."""
    g, r, c = cell
    sheet = g.sheet
    r0, c0, r1, c1 = g.array if g.array and whole else (r, c, r, c)
    if before is not None:
        k, x, t = before
        a0, a1 = (g.array[0], g.array[1]) if g.array else (r, c)
        k, x = k[r0 - a0:r1 - a0 + 1, c0 - a1:c1 - a1 + 1], x[r0 - a0:r1 - a0 + 1, c0 - a1:c1 - a1 + 1]
        texts = dict(zip(zip(*np.nonzero(before[0] == STR)), t))
        sheet.kind[r0:r1 + 1, c0:c1 + 1], sheet.num[r0:r1 + 1, c0:c1 + 1] = k, x
        for i, j in zip(*np.nonzero(k == STR)):
            sheet.text[(r0 + int(i), c0 + int(j))] = texts[(i + r0 - a0, j + c0 - a1)]
    shared = book.pkg.shared_strings
    cells = sheet.part.formulas
    for i, row, col in zip(g.members, g.rows, g.cols):
        if r0 <= row <= r1 and c0 <= col <= c1:
            f = cells[i]
            v = stored_value(sheet.part, f, shared)
            kind, num, text = v if v is not None else (NUM, 0.0, None)
            sheet.kind[f.row, f.col], sheet.num[f.row, f.col] = kind, num
            if text is not None:
                sheet.text[(f.row, f.col)] = text
    block = sheet.kind[r0:r1 + 1, c0:c1 + 1]
    sheet.num[r0:r1 + 1, c0:c1 + 1][block == EMPTY] = 0.0
    block[block == EMPTY] = NUM
    kept.uncalculated.add(sheet, r0, c0, r1, c1)
    kept.ranges.append((sheet, r0, c0, r1, c1))
    names = [_cell_name(sheet, i, j) for i in range(r0, r1 + 1) for j in range(c0, c1 + 1)]
    kept.add("circular reference", "reads a circular reference" if reading else "iterative calculation off",
             names)
    return names


def _calculated_cells(g: Group, book: Book, kept: Kept | None, rows: np.ndarray, cols: np.ndarray):
    """The cells of a group, among rows/cols, that Excel calculates: all but those reading a cell
    it does not calculate, which are left as Excel leaves them. Returns (rows, cols) or None."""
    if kept is None or not kept.uncalculated or g.table or g.kept:
        return rows, cols
    hit = _reading_uncalculated(g, rows, cols, book, kept.uncalculated)
    if hit is None:
        return rows, cols
    if g.array:
        _leave_uncalculated((g, *g.anchor), book, kept, True)
        return None
    for r, c in zip(rows[hit].tolist(), cols[hit].tolist()):
        _leave_uncalculated((g, r, c), book, kept, True)
    return (rows[~hit], cols[~hit]) if not hit.all() else None


def _keep_data_tables(book: Book, kept: Kept, issues: list[str]) -> list[tuple]:
    """Data tables that cannot be computed keep Excel's values (ranges returned)."""
    seeds = []
    shared = book.pkg.shared_strings
    for sheet in book.sheets:
        if sheet is None:
            continue
        for f in sheet.part.formulas.of_type("dataTable"):
            if sheet.owner[f.row, f.col] >= 0:  # computed: data_tables.py
                continue
            try:
                r0, c0, r1, c1 = parse_range(f.ref) if f.ref else (f.row, f.col, f.row, f.col)
            except ValueError:
                r0, c0, r1, c1 = f.row, f.col, f.row, f.col
            v = stored_value(sheet.part, f, shared)
            if v is None:
                issues.append(f"{_cell_name(sheet, f.row, f.col)}: data tables (What-If) are not recalculated")
                continue
            sheet.kind[f.row, f.col], sheet.num[f.row, f.col] = v[0], v[1]
            if v[2] is not None:
                sheet.text[(f.row, f.col)] = v[2]
            names = [_cell_name(sheet, r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)
                     if r <= sheet.max_row and c <= sheet.max_col]
            kept.add("data table", f"TABLE({f.ref})", names)
            seeds.append((sheet, r0, c0, min(r1, sheet.max_row), min(c1, sheet.max_col)))
    return seeds


def calculate(pkg: Package, progress=None, circular: str = "refuse") -> Recalculation:
    """Recalculate every formula of an opened package.

    ``progress(done, total)`` is called as formula cells are computed, if given.
    Raises :class:`CircularReference` when formulas depend on themselves at run time and the
    workbook does not turn iterative calculation on; with ``circular="keep"`` those cells and
    the cells reading them are left as Excel leaves them without iterating (the values it
    stored, see :class:`~.circular.Uncalculated`), and the rest is computed; with
    ``circular="iterate"`` they are iterated as Excel does once "Enable iterative calculation" is
    ticked, with the file's ``iterateCount`` and ``iterateDelta`` (Excel's 100 and 0.001 when the
    file has none).
    """
    if circular not in CIRCULAR_CHOICES:
        raise ValueError(f"circular must be one of {', '.join(map(repr, CIRCULAR_CHOICES))}, not {circular!r}")
    start = time.perf_counter()
    book = Book(pkg)
    issue_list: list[str] = []
    groups = build_groups(book, issue_list)
    kept = find_kept(groups, book, lambda g: _stored(g, book), resolve, _cell_name)
    seeds = _keep_data_tables(book, kept, issue_list)
    deps = group_graph(groups, book)
    order = strongly_connected(len(groups), lambda k: deps[k])
    tables = TableRunner(groups, deps, book, _calc_settings(book, circular))
    for g in groups:
        if g.table:
            g.table.runner = tables
    issues: set = set()
    iterations: list[Iteration] = []
    total = sum(len(g.rows) for g in groups)
    done = 0
    vectorized = 0
    for comp in order:
        if tables.waiting(comp):
            _flush_tables(tables, issues, book, kept)
        if len(comp) == 1 and comp[0] not in deps[comp[0]]:
            g = groups[comp[0]]
            todo = None if g.kept else _calculated_cells(g, book, kept, *g.positions())
            if todo is not None:
                some = () if len(todo[0]) == len(g.rows) else todo  # () for all of them
                try:
                    evaluate_group(g, book, issues, *some)
                except (CircularReference, MemoryError):
                    raise
                except Exception as exc:  # a defect of the engine: reported, never a silent value
                    if len(todo[0]) > 1 and not g.array:
                        try:  # the cells one by one: only those that fail are lost
                            _cell_by_cell(g, book, issues, *todo)
                        except (CircularReference, MemoryError):
                            raise
                        except Exception:
                            _fail_group(g, exc, issues, book, kept)
                    else:
                        _fail_group(g, exc, issues, book, kept)
                else:
                    tables.plan.append((g.gid, *(some or (None, None)), None))
                    if len(todo[0]) > 1:
                        vectorized += len(todo[0])
        else:
            try:
                iterations += _evaluate_cells(comp, groups, book, issues, kept, circular, tables)
            except (CircularReference, MemoryError):
                raise
            except Exception as exc:
                for gid in comp:
                    if not groups[gid].kept:
                        _fail_group(groups[gid], exc, issues, book, kept)
        done += sum(len(groups[k].rows) for k in comp)
        if progress is not None:
            progress(done, total)
    _flush_tables(tables, issues, book, kept)
    for gid, (cause, _) in kept.causes.items():
        g = groups[gid]
        if g.array:
            r0, c0, r1, c1 = g.array
            seeds.append((g.sheet, r0, c0, r1, c1))
        else:
            seeds.extend((g.sheet, r, c, r, c) for r, c in zip(g.rows, g.cols))
    seeds += kept.ranges
    mark_dependents(order, groups, kept, seeds, lambda g: _refs(g.tree, book, g.sheet), _box, _cell_name)
    summary: list[str] = []
    for cause, details in kept.details.items():
        shown = ", ".join(f"{d} ({n})" for d, n in sorted(details.items(), key=lambda x: -x[1])[:5])
        summary.append(f"kept Excel's values ({cause}): {shown}; first {', '.join(kept.cells[cause][:3])}")
    for it in iterations:
        state = "converged" if it.converged else "did not converge"
        summary.append(f"circular cells {', '.join(it.cells[:3])}{' ...' if it.size > 3 else ''} ({it.size}): "
                          f"iterated {it.iterations} times, {state} (last change {it.max_change:.3g})")
    if kept.dependent_count:
        summary.append(f"{kept.dependent_count:,} computed cells read kept values; first "
                       f"{', '.join(kept.dependent_cells[:3])}")
    result = _collect(groups, book, summary + issue_list + sorted(issues), vectorized, time.perf_counter() - start)
    result.kept = kept
    result.iterations = iterations
    return result


def _collect(groups: list[Group], book: Book, issues: list[str], vectorized: int, seconds: float) -> Recalculation:
    formula_values: dict[str, list] = {}
    spill_values: dict[str, dict] = {}
    kept_gids = np.array([g.gid for g in groups if g.kept], np.int64)
    errors: dict[str, int] = {}
    error_cells: list[str] = []
    count = 0
    for sheet in book.sheets:
        if sheet is None or not sheet.part.formulas:
            continue
        part = sheet.part
        rows = np.asarray(part.formulas.rows, np.int64)
        cols = np.asarray(part.formulas.cols, np.int64)
        owners = sheet.owner[rows, cols]
        computed = owners >= 0  # data tables are not
        if kept_gids.size:
            computed &= ~np.isin(owners, kept_gids)  # kept cells are left as the file has them
        kinds = sheet.kind[rows, cols]
        nums = sheet.num[rows, cols]
        text = sheet.text
        strs = np.nonzero(computed & (kinds == STR))[0]
        texts = dict(zip(strs.tolist(), map(text.get, zip(rows[strs].tolist(), cols[strs].tolist()))))
        formula_values[part.path] = FormulaValues(kinds, nums, computed, texts)
        count += int(computed.sum())
        bad = np.nonzero(computed & (kinds == ERR))[0]
        for code, n in zip(*np.unique(nums[bad].astype(np.int64), return_counts=True)):
            errors[ERROR_CODES[int(code) - 1]] = errors.get(ERROR_CODES[int(code) - 1], 0) + int(n)
        for i in bad[: max(0, 1000 - len(error_cells))].tolist():
            error_cells.append(_cell_name(sheet, int(rows[i]), int(cols[i])))
    for g in groups:
        if (g.array or (g.table and g.table.done)) and not g.kept:
            sheet = g.sheet
            sv = spill_values.setdefault(sheet.part.path, {})
            r0, c0, r1, c1 = g.array or g.table.ref
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    if (r, c) != g.anchor:
                        sv[(r, c)] = sheet.value(r, c)
    return Recalculation(formula_values, spill_values, count, errors, error_cells, issues, len(groups),
                         vectorized, seconds)
