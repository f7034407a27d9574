"""Evaluating a compiled formula tree for many cells at once.

An :class:`Evaluator` walks the tree once for all ``n`` cells of a shape (their positions in
``ctx.rows``/``ctx.cols``); every node returns a :class:`~.values.Values` of ``n`` instances.
Anything that cannot be computed for all cells at once raises :class:`NotVectorizable`, and the
engine evaluates that shape cell by cell (``n == 1``) instead.

Excel semantics kept here: blank is 0 in arithmetic and "" in comparisons with text; text that
reads as a number counts in arithmetic; numbers < text < logicals in comparisons, text compared
case-insensitively; the first error met is the result; in an ordinary (non-array) formula a
multi-cell range where one value is expected is intersected with the formula's row or column
(implicit intersection); array formulas work element-wise on whole blocks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .arrays import CANCEL, ColumnArray, NotVectorizable, align, column_parts, combine_errors, compare, pad_rows
from .book import MAX_COL, MAX_ROW, Book, SheetData
from .formula import ArrayLit, Const, FormulaLimitError, FormulaSyntaxError, Func, Name, Node, Op, Ref, compile_formula
from .functions import resolve
from .values import ERR, STR, E, Omitted, Values, numbers, text_too_long, to_text

__all__ = ["Ctx", "Evaluator", "NotVectorizable", "align", "combine_errors"]

#: Operators on references, evaluated whole rather than on their operands' values.
_REFERENCE_OPS = frozenset({":", "isect", "union"})

#: The most elements one node may hold across all cells before the shape goes cell by cell.
MAX_ELEMENTS = 4_000_000


@dataclass
class Ctx:
    book: Book
    sheet: SheetData
    rows: np.ndarray  # (n,) 1-based rows of the cells being computed
    cols: np.ndarray
    array: bool = False  # an array formula: no implicit intersection, block results
    # a legacy array formula's tree and the (rows, columns) of its range, for IS* at its root
    array_fill: tuple[Node, tuple[int, int]] | None = None
    issues: set = field(default_factory=set)  # unknown functions etc., for the report
    scope: dict = field(default_factory=dict)  # LET and LAMBDA parameters in force, by lower-case name
    # every instance is the same cell (a data table's substitutions): a reference is one block
    one_cell: bool = False

    @property
    def n(self) -> int:
        return self.rows.shape[0]


def _name_key(book: Book, node: Name, sheet: SheetData) -> tuple[str, int] | None:
    """(lower-case name, index of the sheet it is looked up from), or None for a missing sheet."""
    where = book.sheet(node.sheet, sheet) if node.sheet else sheet
    return None if where is None else (node.name.lower(), where.index)


def name_tree(book: Book, name: str, sheet_index: int) -> Node | None:
    """The compiled formula of a defined name seen from a sheet (cached), None if undefined."""
    cache = book.__dict__.setdefault("name_cache", {})
    key = (name, sheet_index)
    if key in cache:
        return cache[key]
    sheet = book.sheets[sheet_index]
    text = book.name_text(name, sheet) if sheet is not None else None
    tree = None
    if text is not None:
        try:
            tree = compile_formula(text, 1, 1, tables=book.structured(sheet))
        except FormulaLimitError as exc:
            tree = Const(Values.error(exc.code))
        except FormulaSyntaxError:
            tree = Const(Values.error(E.NAME))
    cache[key] = tree
    return tree


def _name_order(book: Book, start: tuple[str, int], sheet: SheetData) -> list[tuple[tuple[str, int], bool]]:
    """The names reachable from ``start``, precedents first, each with "is on a cycle".

    An explicit depth-first walk: names are looked up from ``sheet`` (the formula's sheet)
    unless qualified, as the evaluator does.
    """
    from .formula import walk

    order: list = []
    state: dict = {start: 1}  # 1 on the current path, 2 done
    cyclic: set = set()

    def kids(key):
        tree = name_tree(book, *key)
        found = []
        for n in walk(tree):
            if type(n) is Name:
                k = _name_key(book, n, sheet)
                if k is not None and name_tree(book, *k) is not None and k not in found:
                    found.append(k)
        return iter(found)

    work = [(start, kids(start))]
    while work:
        key, it = work[-1]
        for k in it:
            st = state.get(k)
            if st is None:
                state[k] = 1
                work.append((k, kids(k)))
                break
            if st == 1:
                cyclic.add(k)
        else:
            work.pop()
            state[key] = 2
            order.append(key)
    return [(k, k in cyclic) for k in order]


class Evaluator:
    def __init__(self, ctx: Ctx):
        self.ctx = ctx
        self._names: dict = {}  # (name key, array mode) -> value, for this evaluation

    # -- dispatch ----------------------------------------------------------------------------
    def formula(self, tree: Node) -> Values:
        """Evaluate a whole formula: a final + or - that cancels to float noise gives 0, as Excel.

        Excel zeroes the result of a formula's last addition or subtraction when it is within
        15 significant digits of zero relative to its operands (``=C3-A3`` of two equal-looking
        numbers is 0; ``=1*(C3-A3)`` keeps the noise), see :data:`CANCEL`.
        """
        if type(tree) is Op and tree.op in ("+", "-"):
            v = self.operators(tree, top=True)
        else:
            v = self.eval(tree)
        return self._whole_columns(v) if isinstance(v, ColumnArray) else v

    def _whole_columns(self, v: ColumnArray) -> Values:
        """A result as tall as whole columns, as the cell shows it: a legacy array formula's range
        takes the rows it covers; a dynamic array spills to row 1,048,576 from its anchor, which
        is #SPILL! below row 1 (Excel's: it runs off the sheet) and, from row 1, #SPILL! here too
        when the sheet's used range stops short (reported)."""
        ctx = self.ctx
        if ctx.array_fill is not None:
            return v.head(ctx.array_fill[1][0])
        end = int(ctx.rows[0]) + v.rows - 1
        if end > MAX_ROW:
            return Values.error(E.SPILL)
        if end > ctx.sheet.max_row:
            ctx.issues.add(f"a whole-column result spills to row {end:,}, beyond the sheet's used range: #SPILL! shown")
            return Values.error(E.SPILL)
        return v.head(v.rows)

    def eval(self, node: Node | None) -> Values:
        if node is None:
            return Omitted()  # an argument left out: a blank (ISOMITTED tells it from a blank cell)
        t = type(node)
        if t is Const:
            return node.value
        if t is Ref:
            return self.ref(node)
        if t is Op:
            return self.operators(node)
        if t is Func:
            return self.func(node)
        if t is Name:
            return self.name(node)
        if t is ArrayLit:
            return self.array_literal(node)
        raise TypeError(f"unknown node {node!r}")

    def scalar(self, node: Node | None) -> Values:
        """Evaluate where one value per cell is expected (implicit intersection if needed)."""
        return self.intersect(self.eval(node))

    def eval_array(self, node: Node | None) -> Values:
        """Evaluate an argument that Excel always computes as an array (SUMPRODUCT's)."""
        saved = self.ctx.array
        self.ctx.array = True
        try:
            return self.eval(node)
        finally:
            self.ctx.array = saved

    def intersect(self, v: Values) -> Values:
        if self.ctx.array or v.is_cell or v.ref is None:
            return v
        h, w = v.hw
        ctx = self.ctx
        if w == 1:
            idx = ctx.rows - v.ref.row0
            pick_axis = 1
        elif h == 1:
            idx = ctx.cols - v.ref.col0
            pick_axis = 2
        else:
            return Values.error(E.VALUE, ctx.n)
        size = h if pick_axis == 1 else w
        ok = (idx >= 0) & (idx < size)
        safe = np.where(ok, idx, 0)
        vv = v.expand(ctx.n)
        inst = np.arange(ctx.n)
        if pick_axis == 1:
            kind, num = vv.kind[inst, safe, 0], vv.num[inst, safe, 0]
            text = None if vv.text is None else vv.text[inst, safe, 0]
        else:
            kind, num = vv.kind[inst, 0, safe], vv.num[inst, 0, safe]
            text = None if vv.text is None else vv.text[inst, 0, safe]
        kind = np.where(ok, kind, ERR).astype(np.uint8)
        num = np.where(ok, num, float(E.VALUE))
        return Values(kind[:, None, None], num[:, None, None],
                      None if text is None else text[:, None, None])

    # -- references --------------------------------------------------------------------------
    def ref(self, node: Ref) -> Values:
        ctx = self.ctx
        sheet = ctx.book.sheet(node.sheet, ctx.sheet)
        if sheet is None:
            return Values.error(E.REF)
        if node.r0 is None:
            r0 = r1 = None
        else:
            r0 = node.r0 if node.abs_r0 else ctx.rows + node.r0
            r1 = node.r1 if node.abs_r1 else ctx.rows + node.r1
        if node.c0 is None:
            c0 = c1 = None
        else:
            c0 = node.c0 if node.abs_c0 else ctx.cols + node.c0
            c1 = node.c1 if node.abs_c1 else ctx.cols + node.c1
        # whole columns/rows: the block stops at the used range, the extent says how far it goes
        extent = None
        if r0 is None:
            r0, r1 = 1, max(sheet.max_row, 1)
            extent = (MAX_ROW, None)
        if c0 is None:
            c0, c1 = 1, max(sheet.max_col, 1)
            extent = (extent[0] if extent else None, MAX_COL)
        v = self._block(node, sheet, r0, r1, c0, c1)
        if extent is not None and v.ref is not None:
            h, w = v.hw
            v = v.with_extent((extent[0] or h, extent[1] or w))
        return v

    def _block(self, node: Ref, sheet, r0, r1, c0, c1) -> Values:
        ctx = self.ctx
        if node.fixed or ctx.n == 1 or ctx.one_cell:
            r0, r1, c0, c1 = (int(np.asarray(x).reshape(-1)[0]) for x in (r0, r1, c0, c1))
            key = (sheet.index, r0, c0, r1, c1)
            cache = ctx.book.block_cache
            v = cache.get(key)
            if v is None:
                v = sheet.block(r0, c0, r1, c1)
                if r1 - r0 + c1 - c0 > 0:  # single cells change as formulas compute: not cached
                    cache[key] = v
            return v
        if not node.sliding:
            raise NotVectorizable("a range whose size changes from cell to cell")
        h = int(np.asarray(r1 - r0).reshape(-1)[0]) + 1
        w = int(np.asarray(c1 - c0).reshape(-1)[0]) + 1
        if h * w * ctx.n > MAX_ELEMENTS:
            raise NotVectorizable("moving ranges too large to gather at once")
        r0 = np.broadcast_to(np.asarray(r0, np.int64), (ctx.n,))
        c0 = np.broadcast_to(np.asarray(c0, np.int64), (ctx.n,))
        return sheet.blocks(r0, c0, h, w)

    def name(self, node: Name) -> Values:
        """A defined name's value, computed once per evaluation, names it uses computed first.

        The names reachable from this one are ordered by an explicit depth-first walk and
        evaluated precedents first, so a chain of thousands of names costs no Python stack;
        a name that refers back to itself is ``#NAME?``.
        """
        ctx = self.ctx
        if ctx.scope and node.sheet is None:
            bound = ctx.scope.get(node.name.lower())
            if bound is not None:
                return bound
        if node.sheet is not None and node.sheet.startswith("["):  # [1]!Name: a linked book's name
            text = ctx.book.external_name_text(node.sheet, node.name)
            if text is None:
                return Values.error(E.NAME)
            try:
                return self.eval(compile_formula(text, 1, 1))
            except FormulaSyntaxError:
                return Values.error(E.NAME)
        target = _name_key(ctx.book, node, ctx.sheet)
        if target is None:
            return Values.error(E.REF)
        memo = self._names
        slot = (target, ctx.array)
        if slot in memo:
            return memo[slot]
        if name_tree(ctx.book, *target) is None:
            ctx.issues.add(f"unknown name {node.name}")
            return Values.error(E.NAME)
        order = _name_order(ctx.book, target, ctx.sheet)
        for key, cyclic in order:
            if cyclic:
                ctx.issues.add(f"name {key[0]} refers to itself")
                memo[(key, ctx.array)] = Values.error(E.NAME)
        for key, cyclic in order:
            if (key, ctx.array) not in memo or cyclic:
                memo[(key, ctx.array)] = self.eval(name_tree(ctx.book, *key))
        return memo[slot]

    def array_literal(self, node: ArrayLit) -> Values:
        rows = [[self.eval(c) for c in r] for r in node.rows]
        h, w = len(rows), max(len(r) for r in rows)
        kind = np.full((1, h, w), ERR, np.uint8)
        num = np.full((1, h, w), float(E.NA))
        text = None
        for i, r in enumerate(rows):
            for j, v in enumerate(r):
                kind[0, i, j] = v.kind[0, 0, 0]
                num[0, i, j] = v.num[0, 0, 0]
                if v.text is not None:
                    if text is None:
                        text = np.empty((1, h, w), object)
                    text[0, i, j] = v.text[0, 0, 0]
        return Values(kind, num, text)

    # -- operators ---------------------------------------------------------------------------
    def operators(self, root: Op, top: bool = False) -> Values:
        """A tree of operators, walked with an explicit stack: ``=B1+B2+...+B2000`` is 2,000
        operators deep and costs no Python recursion (only functions recurse, 64 levels at most).
        """
        stack: list = [(root, False)]
        out: list[Values] = []
        while stack:
            node, ready = stack.pop()
            if ready:
                n = len(node.args)
                args = out[len(out) - n:]
                del out[len(out) - n:]
                out.append(self.op(node, [self.intersect(a) for a in args], top and node is root))
            elif type(node) is Op and node.op not in _REFERENCE_OPS:
                stack.append((node, True))
                stack.extend((a, False) for a in reversed(node.args))
            elif type(node) is Op:
                out.append(self.reference_op(node))
            else:
                out.append(self.eval(node))
        return out[0]

    def op(self, node: Op, args: list[Values], top: bool = False) -> Values:
        """One operator applied to its operands, already evaluated and intersected (``top``: the
        formula's last operation, see :meth:`formula`)."""
        if any(isinstance(a, ColumnArray) or (a.ref is not None and a.ref.extent is not None) for a in args):
            whole = self._column_op(node, args, top)
            if whole is not None:
                return whole
        op = node.op
        if op in ("neg", "pos", "%"):
            v = args[0]
            if op == "pos":
                return v.drop_ref()
            x, e = numbers(v)
            return Values.from_numbers(-x if op == "neg" else x / 100.0, e)
        a, b = align(*args)
        if op == "&":
            ta, ea = to_text(a)
            tb, eb = to_text(b)
            err = combine_errors(ea, eb)
            out = ta + tb  # object arrays of str concatenate element-wise (each part <= MAX_TEXT)
            err = np.where((err == 0) & text_too_long(out), E.VALUE, err)
            if err.any():
                kind = np.where(err != 0, ERR, STR).astype(np.uint8)
                return Values(kind, np.where(err != 0, err, 0.0), out)
            return Values.string(out)
        if op in ("=", "<>", "<", ">", "<=", ">="):
            return compare(a, b, op)
        xa, ea = numbers(a)
        xb, eb = numbers(b)
        err = combine_errors(ea, eb)
        with np.errstate(all="ignore"):
            if op == "+":
                x = xa + xb
            elif op == "-":
                x = xa - xb
            elif op == "*":
                x = xa * xb
            elif op == "/":
                err = np.where((err == 0) & (xb == 0), E.DIV0, err)
                x = xa / np.where(xb == 0, 1.0, xb)
            elif op == "^":
                err = np.where((err == 0) & (xa == 0) & (xb < 0), E.DIV0, err)
                err = np.where((err == 0) & (xa == 0) & (xb == 0), E.NUM, err)
                x = np.power(xa, xb)
            else:  # pragma: no cover - the parser only gives the operators above
                raise ValueError(op)
            if top and op in ("+", "-"):
                x = np.where(np.abs(x) <= np.maximum(np.abs(xa), np.abs(xb)) * CANCEL, 0.0, x)
        return Values.from_numbers(x, err)

    def _column_op(self, node: Op, args: list[Values], top: bool) -> ColumnArray | None:
        """An operator on whole columns (``A:A*2``, ``A:A=B:B``): computed on the used rows and
        once on the row every operand has below them (blank for a reference, a one-row operand
        itself, #N/A below a shorter array), as Excel's 1,048,576 rows would give; None when no
        operand is as tall as whole columns."""
        parts = [column_parts(a) for a in args]
        if all(tail is None for _, tail, _ in parts):
            return None
        height = max(b.hw[0] for b, _, _ in parts)
        blocks, tails = [], []
        for b, tail, _ in parts:
            plain = Values(b.kind, b.num, b.text)
            if tail is not None:
                blocks.append(pad_rows(plain, tail, height))
                tails.append(tail)
            else:
                blocks.append(plain)
                tails.append(plain if b.hw[0] == 1 else Values.error(E.NA, b.n, (1, b.hw[1])))
        return ColumnArray(self.op(node, blocks, top), self.op(node, tails, top), max(r for _, _, r in parts))

    def reference_op(self, node: Op) -> Values:
        """The reference operators: range (``:``), intersection (space) and union (comma)."""
        if node.op == ":":
            return self.range_op(node)
        if node.op == "isect":
            return self.intersection(node)
        return Values.error(E.VALUE)  # a union where one area is expected (see formula.UNION_SPREADING)

    def intersection(self, node: Op) -> Values:
        """``A1:C3 B2:D4``: the cells both references cover, ``#NULL!`` when none (Excel's space)."""
        va, vb = self.eval(node.args[0]), self.eval(node.args[1])
        if va.ref is None or vb.ref is None:
            bad = next((v for v in (va, vb) if v.ref is None and v.is_cell and (v.kind == ERR).all()), None)
            return bad if bad is not None else Values.error(E.VALUE, max(va.n, vb.n))  # (A1 B2) C3: #NULL!
        if va.n > 1 or vb.n > 1:
            raise NotVectorizable("intersection of moving references")
        if va.ref.sheet is not vb.ref.sheet:
            return Values.error(E.VALUE)
        (ha, wa), (hb, wb) = va.hw, vb.hw
        ra, ca, rb, cb = (int(x[0]) for x in (va.ref.row0, va.ref.col0, vb.ref.row0, vb.ref.col0))
        r0, c0 = max(ra, rb), max(ca, cb)
        r1, c1 = min(ra + ha, rb + hb) - 1, min(ca + wa, cb + wb) - 1
        if r0 > r1 or c0 > c1:
            return Values.error(E.NULL)
        return va.ref.sheet.block(r0, c0, r1, c1)

    def range_op(self, node: Op) -> Values:
        """``a:b``: the smallest range holding both references (``A2:OFFSET(A3,4,0)`` included)."""
        a, b = node.args
        if self.ctx.n != 1:
            raise NotVectorizable("range operator")
        if type(a) is Ref and type(b) is Ref and self._sheet_of(a) != self._sheet_of(b):
            return Values.error(E.VALUE)  # A2:'[2]Data'!A2: a range lies on one sheet (Excel: #VALUE!)
        va, vb = self.eval(a), self.eval(b)
        if va.ref is None or vb.ref is None:
            bad = next((v for v in (va, vb) if v.is_cell and v.kind[0, 0, 0] == ERR), None)
            return bad if bad is not None else Values.error(E.VALUE)
        if va.ref.sheet is not vb.ref.sheet:
            return Values.error(E.VALUE)
        ra, ca = int(va.ref.row0[0]), int(va.ref.col0[0])
        rb, cb = int(vb.ref.row0[0]), int(vb.ref.col0[0])
        ra2, ca2 = ra + va.hw[0] - 1, ca + va.hw[1] - 1
        rb2, cb2 = rb + vb.hw[0] - 1, cb + vb.hw[1] - 1
        return va.ref.sheet.block(min(ra, rb), min(ca, cb), max(ra2, rb2), max(ca2, cb2))

    def _sheet_of(self, node: Ref) -> str:
        """The lower-case name of the sheet a reference is on, as written (missing sheets too)."""
        return (node.sheet if node.sheet is not None else self.ctx.sheet.name).lower()

    # -- functions ---------------------------------------------------------------------------
    def func(self, node: Func) -> Values:
        impl = resolve(node.name)
        if impl is None:
            ctx = self.ctx
            if node.name.lower() in ctx.scope or ctx.book.name_text(node.name, ctx.sheet) is not None:
                bound = self.name(Name(node.name))
                if hasattr(bound, "call"):  # a LAMBDA bound by LET or named in the workbook
                    return bound.call(self, [self.eval(a) for a in node.args])
            self.ctx.issues.add(f"unknown function {node.name}")
            return Values.error(E.NAME)
        return impl(self, node.args)
