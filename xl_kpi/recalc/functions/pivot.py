"""Excel 365's summaries by formula: GROUPBY, PIVOTBY and their companion PERCENTOF.

``GROUPBY(row_fields, values, function, [field_headers], [total_depth], [sort_order],
[filter_array], [field_relationship])`` groups the rows of ``values`` by the row fields and
aggregates each group; ``PIVOTBY(row_fields, col_fields, values, function, [field_headers],
[row_total_depth], [row_sort_order], [col_total_depth], [col_sort_order], [filter_array],
[relative_to])`` groups along both axes. Both spill a table from their anchor.

Semantics from Microsoft's pages ("GROUPBY function", "PIVOTBY function", "PERCENTOF function",
support.microsoft.com), and where they are silent or wrong, from the cells Excel computed in the
formulas project's test workbook (sheets LOOKUP and EXTRA of the real-world corpus):

- ``function``: a LAMBDA of one parameter (the group's values, one column) or of two (the group's
  values, then the values it is relative to), or a function by name (``_xleta.SUM``); PERCENTOF
  gets two arguments, every other named function one. An aggregate that is not one value is
  ``#CALC!``; an error stays in its cell. A total is the function of all its rows, not of the
  groups' results.
- ``field_headers``: omitted, the data has headers when the first value is text and the second a
  number, and they are not shown (not even for several levels, whatever the page says); 0 none,
  1 headers not shown, 2 none but generated ("Row Field 1", "Col Field 1", "Value 1"), 3 shown.
- ``total_depth``: omitted or 1 a grand total, 0 none, k >= 2 also subtotals of the first k - 1
  fields, negative on top (PIVOTBY's columns: on the left); deeper than the fields: ``#VALUE!``.
  The grand total reads "Total", "Grand Total" when subtotals are shown; a subtotal shows its
  group's labels, blanks after.
- ``sort_order``: a field's number (1-based, row fields then value columns; negative descending;
  several as an array) sorts that level within its parent; a value column sorts the innermost
  level by the group's total; levels no number names are ascending. Order as SORT's: numbers,
  text without case, logicals, errors, blanks; groups compare text without case, each labelled as
  first met. ``field_relationship`` 1 (table) sorts whole label rows and shows no subtotals.
- ``filter_array``: its first column, one value per row of the fields (headers included when
  there are headers); an error in it is the result.
- PIVOTBY's ``relative_to`` (what a two-argument function gets second): 0 the column's total
  (default), 1 the row's, 2 the grand total, 3 the parent column group's, 4 the parent row
  group's; GROUPBY gives the whole (filtered) value column.
- Headers shown: GROUPBY's first row names the row fields and the value columns; PIVOTBY's first
  row names the column fields (joined by ", "), its last header row the row fields and, for
  several value columns, each value column (as the corpus shows); with one value column the row
  fields' names sit beside the innermost column labels.
- A blank label or an empty row/column intersection is empty text, as Excel stores it; no row
  left after the filter is ``#CALC!``; fields of different lengths, or an option out of range,
  ``#VALUE!``.

- ``function`` may be a row of functions (``HSTACK(SUM,AVERAGE)``, LAMBDAs among them): each
  adds its columns (one per value column, the functions outer), under a header row of the
  functions' names (a LAMBDA's: "LAMBDA"), or of the names of a second row
  (``VSTACK(HSTACK(SUM,MAX),{"Total","Top"})``), as Microsoft's GROUPBY page documents the
  vector of functions; shown field headers come in a row below it. A sort number past the
  fields counts these aggregate columns. Not yet: a column of functions (``VSTACK(SUM,MAX)``,
  laid out row-wise) is ``#VALUE!``.
"""

from __future__ import annotations

import math

import numpy as np

from ..arrays import NotVectorizable, combine_errors
from ..formula import Const, Func, Name
from ..values import EMPTY, ERR, NUM, STR, E, RefInfo, Values, format_general, numbers, truthy
from .arguments import aggregate_args, finish
from .dynamic import EtaLambda, Lambda, _order, _same_key, _sort_key
from .registry import register

__all__ = ["MAX_PIVOT_CELLS"]

#: The most cells one GROUPBY/PIVOTBY returns, labels included: beyond, ``#NUM!``, so that a
#: formula cannot take the hours of a batch (the function runs once per cell).
MAX_PIVOT_CELLS = 1_000_000

Item = tuple  # one cell: (kind, num, text)
BLANK: Item = (STR, 0.0, "")


# ---------------------------------------------------------------------------------------------
# arguments


class _Fail(Exception):
    """The whole result is this error."""

    def __init__(self, code: int):
        super().__init__(code)
        self.code = int(code)


class _Table:
    """One argument as a 2-D grid of cells."""

    def __init__(self, v: Values):
        if v.n > 1:
            raise NotVectorizable("GROUPBY/PIVOTBY of ranges that move with the cell")
        if v.ref is None and v.is_cell and v.kind[0, 0, 0] == ERR:
            raise _Fail(v.num[0, 0, 0])  # an argument that is an error, not data holding one
        self.kind, self.num = v.kind[0], v.num[0]
        self.text = v.text[0] if v.text is not None else np.full(self.kind.shape, None, object)
        self.ref = v.ref

    @property
    def height(self) -> int:
        return self.kind.shape[0]

    @property
    def width(self) -> int:
        return self.kind.shape[1]

    def item(self, r: int, c: int) -> Item:
        return int(self.kind[r, c]), float(self.num[r, c]), self.text[r, c]

    def column(self, rows: list[int], c: int) -> Values:
        """The cells of column ``c`` at ``rows``, as one (len(rows) x 1) array. One cell of a
        range keeps its reference, so that SUM, COUNT... skip its text and logicals as in the
        array Excel passes (a value without reference would read as typed in)."""
        ix = np.asarray(rows, np.int64)
        text = self.text[ix, c]
        has_text = (self.kind[ix, c] == STR).any()
        ref = None
        if len(rows) == 1 and self.ref is not None:
            r = self.ref
            ref = RefInfo(r.sheet, r.row0 + rows[0], r.col0 + c)
        return Values(self.kind[ix, c][None, :, None], self.num[ix, c][None, :, None],
                      text[None, :, None] if has_text else None, ref)


def _option(ev, node, default: int, allowed) -> int:
    """An integer option (truncated, as Excel reads it), ``default`` when omitted."""
    if node is None:
        return default
    v = ev.scalar(node)
    if v.n > 1:
        raise NotVectorizable("a GROUPBY/PIVOTBY option that varies from cell to cell")
    if not v.is_cell:
        raise _Fail(E.VALUE)
    x, e = numbers(v)
    if e[0, 0, 0]:
        raise _Fail(e[0, 0, 0])
    x = math.trunc(float(x[0, 0, 0]))
    if x not in allowed:
        raise _Fail(E.VALUE)
    return x


def _sort_specs(ev, node, limit: int) -> list[int]:
    """The sort numbers (one or an array), each 1..limit or -1..-limit."""
    if node is None:
        return []
    v = ev.eval(node)
    if v.n > 1:
        raise NotVectorizable("a GROUPBY/PIVOTBY sort order that varies from cell to cell")
    x, e = numbers(v)
    if (e != 0).any():
        raise _Fail(e[e != 0][0])
    specs = [math.trunc(float(s)) for s in x.reshape(-1)]
    if any(s == 0 or abs(s) > limit for s in specs):
        raise _Fail(E.VALUE)
    return specs


def _function(ev, node) -> tuple[Lambda, bool, str]:
    """One aggregate, whether it takes the values it is relative to as a second argument, and
    the name a header shows for it (the function's name; "LAMBDA" for a LAMBDA)."""
    if isinstance(node, Name) and node.name.lower().startswith("_xleta."):
        name = node.name.split(".", 1)[1].upper()
        return EtaLambda(name), name == "PERCENTOF", name
    if node is None:
        raise _Fail(E.VALUE)
    v = ev.eval(node)
    if isinstance(v, Lambda):
        if isinstance(v, EtaLambda):
            return v, v.function == "PERCENTOF", v.function
        if len(v.params) not in (1, 2):
            raise _Fail(E.VALUE)
        return v, len(v.params) == 2, "LAMBDA"
    if v.is_cell and v.kind[0, 0, 0] == ERR:
        raise _Fail(v.num[0, 0, 0])
    raise _Fail(E.VALUE)


def _grid(ev, node) -> list[list]:
    """The cells of a ``function`` argument built with HSTACK/VSTACK: each a function node or a
    value (an :data:`Item`); stacks of unequal sizes are #VALUE!."""
    if isinstance(node, Func) and node.name in ("HSTACK", "VSTACK") and node.args:
        parts = [_grid(ev, a) for a in node.args]
        if node.name == "VSTACK":
            if len({len(p[0]) for p in parts}) > 1:
                raise _Fail(E.VALUE)
            return [row for p in parts for row in p]
        if len({len(p) for p in parts}) > 1:
            raise _Fail(E.VALUE)
        return [sum((p[i] for p in parts), []) for i in range(len(parts[0]))]
    eta = isinstance(node, Name) and node.name.lower().startswith("_xleta.")
    if eta or (isinstance(node, Func) and node.name in ("LAMBDA", "LAMBDA.CALL")):
        return [[node]]
    v = ev.eval(node)
    if isinstance(v, Lambda):
        return [[Const(v)]]
    if v.n > 1:
        raise NotVectorizable("a GROUPBY/PIVOTBY function vector that varies from cell to cell")
    t = _Table(v)
    return [[_label(t.item(r, c)) for c in range(t.width)] for r in range(t.height)]


class _Measures:
    """The aggregate columns of GROUPBY/PIVOTBY: each function (one, or a row of them given by
    ``HSTACK``, named below by a second row: ``VSTACK(HSTACK(SUM,MAX),{"Total","Top"})``) of
    each value column, functions outer. Several functions add a header row of their names."""

    def __init__(self, ev, node):
        if not (isinstance(node, Func) and node.name in ("HSTACK", "VSTACK")):
            fn, two, _ = _function(ev, node)
            self.functions, self.names = [(fn, two)], None
            return
        grid = _grid(ev, node)
        functions = [f for f in grid[0] if not isinstance(f, tuple)]
        if len(grid) > 2 or len(grid) == 2 and not isinstance(grid[1][0], tuple):
            # a column of functions lays the aggregates out row-wise: not computed
            ev.ctx.issues.add("GROUPBY/PIVOTBY with a column of functions (VSTACK) is not computed: #VALUE!")
            raise _Fail(E.VALUE)
        if len(functions) != len(grid[0]) or len(grid) == 2 and any(not isinstance(x, tuple) for x in grid[1]):
            raise _Fail(E.VALUE)  # a value where a function belongs, or a function among the names
        heads = [_function(ev, f) for f in functions]
        self.functions = [(fn, two) for fn, two, _ in heads]
        if len(grid) == 2:
            self.names = list(grid[1])
        elif len(heads) > 1:
            self.names = [(STR, 0.0, name) for _, _, name in heads]
        else:
            self.names = None  # HSTACK(SUM) is SUM

    def __len__(self) -> int:
        return len(self.functions)


def _kept_rows(ev, node, height: int, skip: int) -> list[int]:
    """The data rows the filter keeps (its first column, one value per row of the fields)."""
    rows = list(range(skip, height))
    if node is None:
        return rows
    v = ev.eval(node)
    if v.n > 1:
        raise NotVectorizable("a GROUPBY/PIVOTBY filter that varies from cell to cell")
    if v.ref is None and v.is_cell and v.kind[0, 0, 0] == ERR:
        raise _Fail(v.num[0, 0, 0])
    if v.hw[0] != height:
        raise _Fail(E.VALUE)
    first = Values(v.kind[:, skip:, :1], v.num[:, skip:, :1], None if v.text is None else v.text[:, skip:, :1])
    keep, err = truthy(first)
    if (err != 0).any():
        raise _Fail(err[err != 0][0])
    return [r for r, k in zip(rows, keep.reshape(-1)) if k]


def _has_headers(values: _Table, field_headers: int | None) -> bool:
    if field_headers is None:  # automatic: text above a number in the values
        return values.height >= 2 and values.kind[0, 0] == STR and values.kind[1, 0] == NUM
    return field_headers in (1, 3)


def _names(table: _Table, has_headers: bool, generated: str) -> list[Item]:
    if not has_headers:
        return [(STR, 0.0, f"{generated} {j + 1}") for j in range(table.width)]
    return [_label(table.item(0, j)) for j in range(table.width)]


def _label(item: Item) -> Item:
    """A label as shown: a blank is empty text."""
    return BLANK if item[0] == EMPTY else item


def _text(item: Item) -> str:
    kind, num, text = item
    if kind == STR:
        return str(text)
    if kind == NUM:
        return format_general(num)
    return "" if kind == EMPTY else ("TRUE" if num else "FALSE")


# ---------------------------------------------------------------------------------------------
# grouping


class _Group:
    """A group of data rows: the root (every row), or the rows sharing the first labels."""

    __slots__ = ("path", "rows", "parent", "children", "kids")

    def __init__(self, path: tuple, parent: _Group | None):
        self.path = path  # the labels, one per level
        self.parent = parent or self
        self.rows: list[int] = []
        self.children: dict = {}
        self.kids: list[_Group] = []  # the children, sorted

    @property
    def level(self) -> int:
        return len(self.path)


def _tree(fields: _Table, rows: list[int], table: bool) -> _Group:
    """The groups of ``rows`` by the fields: a hierarchy, or (``table``) whole label rows."""
    root = _Group((), None)
    width = fields.width
    for r in rows:
        root.rows.append(r)
        items = [fields.item(r, j) for j in range(width)]
        if table:
            key = tuple(_same_key(*i) for i in items)
            node = root.children.get(key)
            if node is None:
                node = root.children[key] = _Group(tuple(items), root)
            node.rows.append(r)
            continue
        node = root
        for j, item in enumerate(items):
            key = _same_key(*item)
            child = node.children.get(key)
            if child is None:
                child = node.children[key] = _Group(node.path + (item,), node)
            child.rows.append(r)
            node = child
    return root


def _sort(root: _Group, specs: list[int], width: int, value_key, table: bool) -> None:
    """Order every group's children (see the module docstring for the rules)."""
    pending = [root]  # an explicit stack: as many levels as fields, however many they are
    while pending:
        node = pending.pop()
        kids = list(node.children.values())
        if not kids:
            continue
        level = kids[0].level
        leaf = level == width
        keys, descending = [], []
        for s in specs:
            k = abs(s)
            if k <= width and (table or k == level):
                keys.append([_sort_key(*c.path[k - 1]) for c in kids])
            elif k > width and leaf:
                keys.append([value_key(c, k - width - 1) for c in kids])
            else:
                continue
            descending.append(s < 0)
        for j in range(width) if table else [level - 1]:  # ties: the labels, ascending
            keys.append([_sort_key(*c.path[j]) for c in kids])
            descending.append(False)
        node.kids = [kids[i] for i in _order(keys, descending)]
        pending.extend(node.kids)


def _entries(root: _Group, depth: int, width: int, table: bool) -> tuple[list[_Group], str]:
    """The groups in display order, totals and subtotals placed by ``depth``; the total's label."""
    sub_levels = 0 if table else max(abs(depth) - 1, 0)
    top = depth < 0
    out: list[_Group] = []
    pending: list[tuple[_Group, bool]] = [(c, False) for c in reversed(root.kids)]
    while pending:  # depth first; (group, True) is a subtotal placed after its children
        node, after = pending.pop()
        if after or node.level == width:
            out.append(node)
            continue
        shown = node.level <= sub_levels
        if shown and top:
            out.append(node)
        if shown and not top:
            pending.append((node, True))
        pending.extend((c, False) for c in reversed(node.kids))
    if depth and top:
        out.insert(0, root)
    elif depth:
        out.append(root)
    return out, "Grand Total" if sub_levels else "Total"


def _labels(node: _Group, width: int, total: str) -> list[Item]:
    if not node.path:
        return [(STR, 0.0, total)] + [BLANK] * (width - 1)
    return [_label(i) for i in node.path] + [BLANK] * (width - node.level)


# ---------------------------------------------------------------------------------------------
# the aggregates


class _Aggregates:
    """The function of the values at each (row group, column group), computed once."""

    def __init__(self, ev, fn: Lambda, two: bool, values: _Table, relative_to: int):
        self.ev, self.fn, self.two, self.values, self.relative_to = ev, fn, two, values, relative_to
        self.memo: dict = {}
        self.sets: dict = {}

    def _rows(self, node: _Group) -> frozenset:
        s = self.sets.get(node)
        if s is None:
            s = self.sets[node] = frozenset(node.rows)
        return s

    def _both(self, r: _Group, c: _Group) -> list[int]:
        return sorted(self._rows(r) & self._rows(c))

    def cell(self, r: _Group, c: _Group, j: int) -> Item:
        key = (r, c, j)
        got = self.memo.get(key)
        if got is None:
            got = self.memo[key] = self._compute(r, c, j)
        return got

    def _compute(self, r: _Group, c: _Group, j: int) -> Item:
        rows = self._both(r, c)
        if not rows:
            return BLANK
        args = [self.values.column(rows, j)]
        if self.two:
            rel = self.relative_to
            base_rows = (c.rows if rel == 0 else r.rows if rel == 1 else _root(r).rows if rel == 2 else
                         self._both(r, c.parent) if rel == 3 else self._both(r.parent, c))
            args.append(self.values.column(base_rows, j))
        v = self.fn.call(self.ev, args)
        if not v.is_cell:
            return (ERR, float(E.CALC), None)
        return int(v.kind[0, 0, 0]), float(v.num[0, 0, 0]), None if v.text is None else v.text[0, 0, 0]


def _root(node: _Group) -> _Group:
    while node.parent is not node:
        node = node.parent
    return node


def _block(rows: list[list[Item]]) -> Values:
    h, w = len(rows), len(rows[0])
    kind = np.empty((1, h, w), np.uint8)
    num = np.empty((1, h, w))
    text = np.full((1, h, w), None, object)
    for i, line in enumerate(rows):
        for j, (k, x, t) in enumerate(line):
            kind[0, i, j], num[0, i, j], text[0, i, j] = k, x, t
    return Values(kind, num, text if (kind == STR).any() else None)


def _guarded(impl):
    def run(ev, args):
        try:
            return impl(ev, args)
        except _Fail as failure:
            return Values.error(failure.code)

    return run


# ---------------------------------------------------------------------------------------------
# GROUPBY and PIVOTBY


@register("GROUPBY")
@_guarded
def _groupby(ev, args):
    if not 3 <= len(args) <= 8:
        return Values.error(E.VALUE)
    args = list(args) + [None] * (8 - len(args))
    fields, values = _Table(ev.eval(args[0])), _Table(ev.eval(args[1]))
    measures = _Measures(ev, args[2])
    field_headers = None if args[3] is None else _option(ev, args[3], 0, (0, 1, 2, 3))
    nf, nv = fields.width, values.width
    na = nv * len(measures)
    depth = _option(ev, args[4], 1, range(-nf, nf + 1))
    specs = _sort_specs(ev, args[5], nf + na)
    table = _option(ev, args[7], 0, (0, 1)) == 1
    if fields.height != values.height:
        return Values.error(E.VALUE)
    headers = _has_headers(values, field_headers)
    rows = _kept_rows(ev, args[6], fields.height, int(headers))
    if not rows:
        return Values.error(E.CALC)
    root = _tree(fields, rows, table)
    everything = _Group((), None)
    everything.rows = root.rows
    aggs = _columns(ev, measures, values, 0)
    _sort(root, specs, nf, lambda g, m: _sort_key(*aggs[m](g, everything)), table)
    entries, total = _entries(root, depth, nf, table)
    if (len(entries) + 2) * (nf + na) > MAX_PIVOT_CELLS:
        return Values.error(E.NUM)
    out = []
    if measures.names is not None:
        out.append([BLANK] * nf + [name for name in measures.names for _ in range(nv)])
    if field_headers in (2, 3):
        out.append(_names(fields, headers, "Row Field") + _names(values, headers, "Value") * len(measures))
    for g in entries:
        out.append(_labels(g, nf, total) + [agg(g, everything) for agg in aggs])
    return _block(out)


def _columns(ev, measures: _Measures, values: _Table, relative_to: int) -> list:
    """One callable (row group, column group) -> Item per aggregate column, functions outer."""
    out = []
    for fn, two in measures.functions:
        agg = _Aggregates(ev, fn, two, values, relative_to)
        out += [lambda r, c, agg=agg, j=j: agg.cell(r, c, j) for j in range(values.width)]
    return out


@register("PIVOTBY")
@_guarded
def _pivotby(ev, args):
    if not 4 <= len(args) <= 11:
        return Values.error(E.VALUE)
    args = list(args) + [None] * (11 - len(args))
    rfields, cfields, values = (_Table(ev.eval(a)) for a in args[:3])
    measures = _Measures(ev, args[3])
    field_headers = None if args[4] is None else _option(ev, args[4], 0, (0, 1, 2, 3))
    nr, nc, nv = rfields.width, cfields.width, values.width
    na = nv * len(measures)
    row_depth = _option(ev, args[5], 1, range(-nr, nr + 1))
    row_specs = _sort_specs(ev, args[6], nr + na)
    col_depth = _option(ev, args[7], 1, range(-nc, nc + 1))
    col_specs = _sort_specs(ev, args[8], nc + na)
    relative_to = _option(ev, args[10], 0, (0, 1, 2, 3, 4))
    if not rfields.height == cfields.height == values.height:
        return Values.error(E.VALUE)
    headers = _has_headers(values, field_headers)
    rows = _kept_rows(ev, args[9], rfields.height, int(headers))
    if not rows:
        return Values.error(E.CALC)
    rroot, croot = _tree(rfields, rows, False), _tree(cfields, rows, False)
    aggs = _columns(ev, measures, values, relative_to)
    _sort(rroot, row_specs, nr, lambda g, m: _sort_key(*aggs[m](g, croot)), False)
    _sort(croot, col_specs, nc, lambda g, m: _sort_key(*aggs[m](rroot, g)), False)
    row_entries, row_total = _entries(rroot, row_depth, nr, False)
    col_entries, col_total = _entries(croot, col_depth, nc, False)
    width = nr + len(col_entries) * na
    if (len(row_entries) + nc + 3) * width > MAX_PIVOT_CELLS:
        return Values.error(E.NUM)
    out = []
    show = field_headers in (2, 3)
    if show:
        joined = ", ".join(_text(i) for i in _names(cfields, headers, "Col Field"))
        out.append([BLANK] * nr + [(STR, 0.0, joined)] + [BLANK] * (width - nr - 1))
    col_labels = [_labels(g, nc, col_total) for g in col_entries]
    for level in range(nc):
        out.append([BLANK] * nr + [labels[level] for labels in col_labels for _ in range(na)])
    if measures.names is not None:
        out.append([BLANK] * nr + [name for _ in col_entries for name in measures.names for _ in range(nv)])
    if show:
        row_names = _names(rfields, headers, "Row Field")
        if nv > 1:
            out.append(row_names + _names(values, headers, "Value") * (len(col_entries) * len(measures)))
        else:
            out[-1][:nr] = row_names
    for r in row_entries:
        line = _labels(r, nr, row_total)
        for c in col_entries:
            line += [agg(r, c) for agg in aggs]
        out.append(line)
    return _block(out)


@register("PERCENTOF")
def _percentof(ev, args):
    """PERCENTOF(data_subset, data_all) = SUM(data_subset) / SUM(data_all), numbers read as SUM
    reads them; an error in either is ``#NUM!`` (not the error itself: Excel's cells in the corpus),
    ``#DIV/0!`` when the whole sums to 0."""
    if len(args) != 2:
        return Values.error(E.VALUE)
    (part, e1, n1), (whole, e2, n2) = (aggregate_args(ev, [a]) for a in args)
    s = part[0][0].sum(axis=1)
    t = whole[0][0].sum(axis=1)
    n = max(n1, n2)
    s, t = np.broadcast_to(s, (n,)), np.broadcast_to(t, (n,))
    err = combine_errors(np.broadcast_to(e1, (n,)), np.broadcast_to(e2, (n,)))
    err = np.where(err != 0, E.NUM, np.where(t == 0, E.DIV0, 0.0))
    with np.errstate(all="ignore"):
        return finish(np.where(t == 0, 0.0, s / np.where(t == 0, 1.0, t)), err)
