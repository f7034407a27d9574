"""Excel 365's dynamic-array functions: FILTER, SORT, SORTBY, UNIQUE, SEQUENCE, VSTACK, HSTACK,
TOCOL, TOROW, WRAPROWS, WRAPCOLS, EXPAND, LET, LAMBDA and its helpers BYROW, BYCOL, MAP, REDUCE,
SCAN, MAKEARRAY, ANCHORARRAY (``A1#``), and TRIMRANGE with the trim references (``A1:.C10``).
GROUPBY and PIVOTBY, which call LAMBDAs too, are in :mod:`.pivot`.

Their results are arrays whose size depends on the data, so each cell of a shape (each instance)
is computed on its own block; instances whose results differ in size are evaluated one cell at a
time (:class:`~..arrays.NotVectorizable`). The engine spills the result into the range the file
stores (see ``engine._store_spill``).

Semantics from Microsoft's function reference (support.microsoft.com, one page per function):
FILTER keeps the rows (or columns) whose ``include`` is true and gives ``#CALC!`` when none is and
no ``if_empty`` is given; SORT/SORTBY sort stably, numbers before text (without case) before
logicals before errors, errors by their ERROR.TYPE number, blanks last; UNIQUE compares text without case; VSTACK/HSTACK pad with
``#N/A``; LET names its values left to right; a LAMBDA called with the wrong number of arguments
is ``#VALUE!``, and one left uncalled in a cell is ``#CALC!``; BYROW/BYCOL need one value per row
or column (else ``#CALC!``).
"""

from __future__ import annotations

import numpy as np

from ..arrays import ColumnArray, NotVectorizable, align, column_parts, pad_rows
from ..formula import Const, Name, Ref
from ..values import BOOL, EMPTY, ERR, NUM, STR, E, Values, numbers, truthy
from .registry import register

__all__ = ["Lambda", "lift"]

#: The largest array SEQUENCE builds, and the most cells MAKEARRAY calls its LAMBDA for: beyond
#: them ``#NUM!``, so that a formula cannot take the memory or the hours of a batch.
MAX_SEQUENCE = 10_000_000
MAX_MAKEARRAY = 1_000_000


# ---------------------------------------------------------------------------------------------
# one instance's 2-D block


def _block(kind: np.ndarray, num: np.ndarray, text: np.ndarray | None) -> Values:
    """A (1, h, w) Values from 2-D arrays."""
    if text is not None and not (kind == STR).any():
        text = None
    return Values(kind[None], num[None], None if text is None else text[None])


def _parts(v: Values):
    """The 2-D kind, num and text (object, possibly None) of a one-instance value."""
    text = v.text[0] if v.text is not None else None
    return v.kind[0], v.num[0], text


def _take(v: Values, rows, cols) -> Values:
    kind, num, text = _parts(v)
    ix = np.ix_(np.asarray(rows, np.int64), np.asarray(cols, np.int64))
    return _block(kind[ix], num[ix], None if text is None else text[ix])


def _stack(results: list[Values]) -> Values:
    """Instances stacked back together; they must share one shape."""
    if len(results) == 1:
        return results[0]
    if len({r.hw for r in results}) > 1:
        raise NotVectorizable("dynamic arrays of different sizes")
    text = None
    if any(r.text is not None for r in results):
        text = np.concatenate([r.text if r.text is not None else np.full(r.kind.shape, None, object)
                               for r in results])
    return Values(np.concatenate([r.kind for r in results]), np.concatenate([r.num for r in results]), text)


def _per_instance(vals: list[Values], fn) -> Values:
    n = max(v.n for v in vals)
    return _stack([fn(*[v.instance(i) for v in vals]) for i in range(n)])


def _scalar_number(v: Values):
    """(number, error code) of a one-instance argument read as one number."""
    x, err = numbers(Values(v.kind[:, :1, :1], v.num[:, :1, :1], None if v.text is None else v.text[:, :1, :1]))
    return float(x[0, 0, 0]), float(err[0, 0, 0])


def _sort_key(kind: int, num: float, text) -> tuple:
    """Ascending order of SORT: numbers, text without case, FALSE/TRUE, errors by code, blanks last."""
    if kind == NUM:
        return (0, num, "")
    if kind == STR:
        return (1, 0.0, str(text).casefold())
    if kind == BOOL:
        return (2, num, "")
    if kind == ERR:
        return (3, num, "")  # #NULL!, #DIV/0!, #VALUE!, #REF!, #NAME?, #NUM!, #N/A: ERROR.TYPE's order
    return (4, 0.0, "")


def _same_key(kind: int, num: float, text) -> tuple:
    """What UNIQUE compares: the value, text without case, a blank as itself."""
    if kind == STR:
        return (STR, 0.0, str(text).casefold())
    return (int(kind), float(num), "")


# ---------------------------------------------------------------------------------------------
# SEQUENCE, VSTACK, HSTACK


@register("SEQUENCE")
def _sequence(ev, args):
    if not 1 <= len(args) <= 4:
        return Values.error(E.VALUE)
    vals = [ev.scalar(a) if a is not None else Values.number(d) for a, d in
            zip(list(args) + [None] * (4 - len(args)), (1, 1, 1, 1))]

    def one(rows, cols, start, step):
        nums = [_scalar_number(v) for v in (rows, cols, start, step)]
        for _, e in nums:
            if e:
                return Values.error(int(e))
        r, c = int(nums[0][0]), int(nums[1][0])
        if r < 0 or c < 0:
            return Values.error(E.VALUE)
        if r == 0 or c == 0:
            return Values.error(E.CALC)
        if r * c > MAX_SEQUENCE:
            return Values.error(E.NUM)
        x = nums[2][0] + nums[3][0] * np.arange(r * c, dtype=np.float64).reshape(r, c)
        return Values.from_numbers(x[None])

    return _per_instance(vals, one)


def _stack_fn(axis: int):
    def impl(ev, args):
        if not args:
            return Values.error(E.VALUE)
        vals = [ev.eval(a) for a in args]

        def one(*parts):
            size = max(p.hw[1 - axis] for p in parts)
            pieces = []
            for p in parts:
                kind, num, text = _parts(p)
                h, w = kind.shape
                shape = (h, size) if axis == 0 else (size, w)
                k2 = np.full(shape, ERR, np.uint8)
                n2 = np.full(shape, float(E.NA))
                t2 = np.empty(shape, object)
                k2[:h, :w], n2[:h, :w] = kind, num
                if text is not None:
                    t2[:h, :w] = text
                pieces.append((k2, n2, t2))
            return _block(*(np.concatenate([pc[i] for pc in pieces], axis=axis) for i in range(3)))

        return _per_instance(vals, one)

    return impl


register("VSTACK")(_stack_fn(0))
register("HSTACK")(_stack_fn(1))


# ---------------------------------------------------------------------------------------------
# TOCOL, TOROW, WRAPROWS, WRAPCOLS, EXPAND


def _option(ev, args, i, default: float):
    """(number, error code) of optional argument ``i`` (its top-left value), the default if omitted."""
    if len(args) <= i or args[i] is None:
        return default, 0
    v = ev.scalar(args[i])
    if v.n > 1:
        raise NotVectorizable("a dynamic-array option that varies from cell to cell")
    return _scalar_number(v)


def _to_line(column: bool):
    def impl(ev, args):
        """TOCOL/TOROW(array, [ignore], [scan_by_column]): ignore 1 blanks, 2 errors, 3 both."""
        if not 1 <= len(args) <= 3:
            return Values.error(E.VALUE)
        lifted = lift(ev, impl, args, [1, 2])
        if lifted is not None:
            return lifted
        arr = ev.eval_array(args[0])
        (ignore, e1), (by_col, e2) = _option(ev, args, 1, 0.0), _option(ev, args, 2, 0.0)
        if e1 or e2:
            return Values.error(int(e1 or e2))
        ignore = int(ignore)
        if ignore not in (0, 1, 2, 3):
            return Values.error(E.VALUE)

        def one(a):
            kind, num, text = _parts(a)
            if by_col:
                kind, num = kind.T, num.T
                text = None if text is None else text.T
            keep = np.ones(kind.shape, bool)
            if ignore & 1:
                keep &= kind != EMPTY
            if ignore & 2:
                keep &= kind != ERR
            k, x = kind[keep], num[keep]
            if not k.size:
                return Values.error(E.CALC)
            t = None if text is None else text[keep]
            shape = (k.size, 1) if column else (1, k.size)
            return _block(k.reshape(shape), x.reshape(shape), None if t is None else t.reshape(shape))

        return _per_instance([arr], one)

    return impl


register("TOCOL")(_to_line(True))
register("TOROW")(_to_line(False))


def _padded(kind, num, text, shape, pad: Values):
    """The block placed top-left in ``shape``, the rest filled with ``pad``'s value."""
    pk, px, pt = int(pad.kind[0, 0, 0]), float(pad.num[0, 0, 0]), None if pad.text is None else pad.text[0, 0, 0]
    k2 = np.full(shape, pk, np.uint8)
    n2 = np.full(shape, px)
    t2 = np.full(shape, pt, object)
    h, w = kind.shape
    k2[:h, :w], n2[:h, :w] = kind, num
    if text is not None:
        t2[:h, :w] = text
    return _block(k2, n2, t2)


def _pad_arg(ev, args, i) -> Values:
    if len(args) > i and args[i] is not None:
        v = ev.scalar(args[i])
        if v.n > 1:
            raise NotVectorizable("a pad value that varies from cell to cell")
        return Values(v.kind[:, :1, :1], v.num[:, :1, :1], None if v.text is None else v.text[:, :1, :1])
    return Values.error(E.NA)


def _wrap(rows: bool):
    def impl(ev, args):
        """WRAPROWS/WRAPCOLS(vector, wrap_count, [pad_with=#N/A])."""
        if not 2 <= len(args) <= 3:
            return Values.error(E.VALUE)
        lifted = lift(ev, impl, args, [1, 2])
        if lifted is not None:
            return lifted
        vec = ev.eval_array(args[0])
        count, e = _option(ev, args, 1, 0.0)
        if e:
            return Values.error(int(e))
        count = int(count)
        pad = _pad_arg(ev, args, 2)

        def one(a):
            kind, num, text = _parts(a)
            if min(kind.shape) != 1:
                return Values.error(E.VALUE)
            if count < 1:
                return Values.error(E.NUM)
            k, x = kind.reshape(-1), num.reshape(-1)
            t = None if text is None else text.reshape(-1)
            lines = -(-k.size // count)
            shape = (lines, count)
            flat = _padded(k[None], x[None], None if t is None else t[None], (1, lines * count), pad)
            fk, fx, ft = _parts(flat)
            fk, fx = fk.reshape(shape), fx.reshape(shape)
            ft = None if ft is None else ft.reshape(shape)
            if not rows:
                fk, fx = fk.T, fx.T
                ft = None if ft is None else ft.T
            return _block(fk, fx, ft)

        return _per_instance([vec], one)

    return impl


register("WRAPROWS")(_wrap(True))
register("WRAPCOLS")(_wrap(False))


@register("EXPAND")
def _expand(ev, args):
    """EXPAND(array, rows, [columns], [pad_with=#N/A]): the array grown to rows x columns."""
    if not 2 <= len(args) <= 4:
        return Values.error(E.VALUE)
    lifted = lift(ev, _expand, args, [1, 2, 3])
    if lifted is not None:
        return lifted
    arr = ev.eval_array(args[0])
    pad = _pad_arg(ev, args, 3)
    h0, w0 = arr.hw
    (r, e1) = _option(ev, args, 1, float(h0))
    (c, e2) = _option(ev, args, 2, float(w0))
    if e1 or e2:
        return Values.error(int(e1 or e2))
    r, c = int(r), int(c)
    if r < h0 or c < w0:
        return Values.error(E.VALUE)
    if r * c > MAX_SEQUENCE:
        return Values.error(E.NUM)
    return _per_instance([arr], lambda a: _padded(*_parts(a), (r, c), pad))


# ---------------------------------------------------------------------------------------------
# FILTER, SORT, SORTBY, UNIQUE


@register("FILTER")
def _filter(ev, args):
    if not 2 <= len(args) <= 3:
        return Values.error(E.VALUE)
    # array parameters: computed as arrays even in a formula that is not an array formula, as
    # SUMPRODUCT's are (no implicit intersection of FILTER(B1:B3,B1:B3<>"") with its row)
    arr, include = ev.eval_array(args[0]), ev.eval_array(args[1])
    empty_node = args[2] if len(args) == 3 else None
    whole = _filter_whole_columns(arr, include)
    if whole is not None:
        return whole

    def one(a, inc):
        h, w = a.hw
        ih, iw = inc.hw
        if ih == h and iw == 1:
            axis = 0
        elif iw == w and ih == 1:
            axis = 1
        else:
            return Values.error(E.VALUE)
        keep, err = truthy(inc)
        if (err != 0).any():
            return Values.error(int(err[err != 0][0]))
        keep = keep.reshape(-1)
        if not keep.any():
            if empty_node is not None:
                return ev.eval(empty_node).instance(0)
            return Values.error(E.CALC)
        picked = np.nonzero(keep)[0]
        return _take(a, picked, np.arange(w)) if axis == 0 else _take(a, np.arange(h), picked)

    return _per_instance([arr, include], one)


def _filter_whole_columns(arr: Values, include: Values) -> Values | None:
    """FILTER(A:A, A:A="") whose ``include`` keeps the rows below the used range (its tail is
    true): the rows kept above them, then every row below, as tall as Excel's result (a
    :class:`~..arrays.ColumnArray`, #SPILL! where it spills off the sheet). None otherwise."""
    ib, itail, irows = column_parts(include)
    if itail is None or irows <= ib.hw[0] or include.hw[1] != 1 or arr.n > 1 or include.n > 1:
        return None
    keep, err = truthy(itail)
    if err.any():
        return Values.error(int(err.reshape(-1)[0]))
    if not keep.reshape(-1)[0]:
        return None  # nothing kept below the used range: FILTER of the used rows
    ab, atail, arows = column_parts(arr)
    if atail is None or arows != irows or ab.hw[0] != ib.hw[0]:
        return Values.error(E.VALUE)
    rows, err = truthy(Values(ib.kind, ib.num, ib.text))
    if (err != 0).any():
        return Values.error(int(err[err != 0][0]))
    picked = np.nonzero(rows.reshape(-1))[0]
    hidden = irows - ib.hw[0]
    if not picked.size:
        return ColumnArray(atail, atail, hidden)
    return ColumnArray(_take(ab, picked, np.arange(ab.hw[1])), atail, picked.size + hidden)


def _order(keys: list[list[tuple]], descending: list[bool]) -> list[int]:
    """Stable order of items by several keys, each ascending or descending."""
    idx = list(range(len(keys[0])))
    for k, desc in reversed(list(zip(keys, descending))):
        idx.sort(key=lambda i: k[i], reverse=desc)  # Python's sort is stable, reverse keeps ties
    return idx


def _keys(v: Values, along_rows: bool, index: int) -> list[tuple]:
    kind, num, text = _parts(v)
    if along_rows:
        return [_sort_key(kind[i, index], num[i, index], None if text is None else text[i, index])
                for i in range(kind.shape[0])]
    return [_sort_key(kind[index, j], num[index, j], None if text is None else text[index, j])
            for j in range(kind.shape[1])]


@register("SORT")
def _sort(ev, args):
    if not 1 <= len(args) <= 4:
        return Values.error(E.VALUE)
    arr = ev.eval_array(args[0])
    opts = [ev.eval(a) if a is not None else None for a in list(args[1:]) + [None] * (4 - len(args))]

    def one(a, index, order, by_col):
        by = False
        if by_col is not None:
            b, e = truthy(Values(by_col.kind[:, :1, :1], by_col.num[:, :1, :1], None))
            if e.any():
                return Values.error(int(e.reshape(-1)[0]))
            by = bool(b.reshape(-1)[0])
        idx_list = [1.0] if index is None else [float(x) for x in numbers(index)[0].reshape(-1)]
        ord_list = [1.0] if order is None else [float(x) for x in numbers(order)[0].reshape(-1)]
        if len(ord_list) == 1:
            ord_list = ord_list * len(idx_list)
        h, w = a.hw
        limit = h if by else w
        if len(ord_list) != len(idx_list) or any(not 1 <= i <= limit for i in idx_list) or \
                any(o not in (1.0, -1.0) for o in ord_list):
            return Values.error(E.VALUE)
        keys = [_keys(a, not by, int(i) - 1) for i in idx_list]
        perm = _order(keys, [o == -1.0 for o in ord_list])
        return _take(a, np.arange(h), perm) if by else _take(a, perm, np.arange(w))

    n = max([arr.n] + [o.n for o in opts if o is not None])
    return _stack([one(arr.instance(i), *[None if o is None else o.instance(i) for o in opts]) for i in range(n)])


@register("SORTBY")
def _sortby(ev, args):
    if len(args) < 2:
        return Values.error(E.VALUE)
    arr = ev.eval_array(args[0])
    rest = [ev.eval(a) if a is not None else None for a in args[1:]]
    if len(rest) % 2:
        rest.append(None)

    def one(a, *pairs):
        h, w = a.hw
        keys, desc, along = [], [], None
        for by, order in zip(pairs[0::2], pairs[1::2]):
            bh, bw = by.hw
            this = True if (bh == h and bw == 1) else False if (bw == w and bh == 1) else None
            if this is None or (along is not None and this != along):
                return Values.error(E.VALUE)
            along = this
            keys.append(_keys(by, this, 0))
            o = 1.0 if order is None else float(numbers(order)[0].reshape(-1)[0])
            if o not in (1.0, -1.0):
                return Values.error(E.VALUE)
            desc.append(o == -1.0)
        perm = _order(keys, desc)
        return _take(a, perm, np.arange(w)) if along else _take(a, np.arange(h), perm)

    n = max([arr.n] + [v.n for v in rest if v is not None])
    return _stack([one(arr.instance(i), *[None if v is None else v.instance(i) for v in rest]) for i in range(n)])


@register("UNIQUE")
def _unique(ev, args):
    if not 1 <= len(args) <= 3:
        return Values.error(E.VALUE)
    arr = ev.eval_array(args[0])
    opts = [ev.scalar(a) if a is not None else Values.boolean(False) for a in list(args[1:]) + [None] * (3 - len(args))]
    if any(not o.is_cell for o in opts):
        if arr.n > 1 or any(o.n > 1 for o in opts):
            raise NotVectorizable("UNIQUE over an array of options")
        return _unique_lifted(arr, *align(*opts))
    block, tail, rows = column_parts(arr)
    if tail is not None and rows > block.hw[0] and block.n == tail.n == 1:
        # whole columns: the rows below the used range are one more row (blank for a reference)
        # standing for rows - h, so UNIQUE(A:A) ends with the blank Excel finds there (shown as 0)
        h = block.hw[0]
        whole = pad_rows(Values(block.kind, block.num, block.text), tail, h + 1)
        return _per_instance([whole, *opts], lambda a, b, o: _unique_one(a, b, o, {h: rows - h}))
    return _per_instance([arr, *opts], _unique_one)


def _unique_lifted(arr: Values, by_col: Values, once: Values) -> Values:
    """UNIQUE given ``by_col``/``exactly_once`` as arrays (broadcast together), as Excel computes
    it: a result of the options' shape whose first element is the top-left value of UNIQUE with
    the first options, every other element 0, or the error of its options where one is not a
    logical (#VALUE! for text). Read from the values Excel stores for
    ``UNIQUE(D140:G142,H140:K141)`` and ``UNIQUE({2,1,2,1},{1,1,1},{0,1,1})`` in the formulas
    project's test workbook: the later elements are 0 even where UNIQUE with their options
    would give a number or #CALC!."""
    h, w = by_col.hw
    cells = []
    for i in range(h):
        row = []
        for j in range(w):
            b = _slice(by_col, slice(i, i + 1), slice(j, j + 1))
            o = _slice(once, slice(i, i + 1), slice(j, j + 1))
            if i == j == 0:
                row.append(_first(_unique_one(arr, b, o)))
                continue
            err = _flag(b)[1] or _flag(o)[1]
            row.append(Values.error(err) if err else Values.number(0.0))
        cells.append(row)
    return _assemble(cells, 1)


def _first(v: Values) -> Values:
    return Values(v.kind[:, :1, :1], v.num[:, :1, :1], None if v.text is None else v.text[:, :1, :1])


def _flag(v: Values) -> tuple[bool, int]:
    b, e = truthy(Values(v.kind[:, :1, :1], v.num[:, :1, :1], None if v.text is None else v.text[:, :1, :1]))
    return bool(b.reshape(-1)[0]), int(e.reshape(-1)[0])


def _unique_one(a: Values, by_col_v: Values, once_v: Values, times: dict[int, int] | None = None) -> Values:
    """UNIQUE of one array; ``times``: how many rows a row of ``a`` stands for where more than
    one (the last row of whole columns)."""
    (by_col, e1), (once, e2) = _flag(by_col_v), _flag(once_v)
    if e1 or e2:
        return Values.error(e1 or e2)
    kind, num, text = _parts(a)
    h, w = kind.shape
    if by_col and times:  # columns of a million rows: compared on their used rows, as a reference
        return _unique_one(_take(a, np.arange(h - 1), np.arange(w)), by_col_v, once_v)
    count = h if not by_col else w

    def item(i):
        cells = [(i, j) for j in range(w)] if not by_col else [(j, i) for j in range(h)]
        return tuple(_same_key(kind[r, c], num[r, c], None if text is None else text[r, c]) for r, c in cells)

    seen: dict[tuple, list[int]] = {}  # an item -> [its first index, how many times it is there]
    for i in range(count):
        first = seen.setdefault(item(i), [i, 0])
        first[1] += times.get(i, 1) if times else 1
    picked = [i for i, k in seen.values() if not once or k == 1]
    if not picked:
        return Values.error(E.CALC)
    return _take(a, picked, np.arange(w)) if not by_col else _take(a, np.arange(h), picked)


# ---------------------------------------------------------------------------------------------
# LET and LAMBDA


def _param(node) -> str | None:
    return node.name.lower() if isinstance(node, Name) and node.sheet is None else None


@register("LET")
def _let(ev, args):
    if len(args) < 3 or len(args) % 2 == 0:
        return Values.error(E.VALUE)
    saved = ev.ctx.scope
    scope = dict(saved)
    try:
        for name_node, value_node in zip(args[0:-1:2], args[1:-1:2]):
            key = _param(name_node)
            if key is None:
                return Values.error(E.VALUE)
            ev.ctx.scope = scope
            scope[key] = ev.eval(value_node)
        ev.ctx.scope = scope
        return ev.eval(args[-1])
    finally:
        ev.ctx.scope = saved


class Lambda(Values):
    """A LAMBDA as a value: ``#CALC!`` wherever a value is read, callable by the helpers."""

    __slots__ = ("params", "body", "closure")

    def __init__(self, params: list[str], body, closure: dict, n: int = 1):
        err = Values.error(E.CALC, n)
        super().__init__(err.kind, err.num)
        self.params, self.body, self.closure = params, body, closure

    def accepts(self, count: int) -> bool:
        return len(self.params) == count

    def call(self, ev, values: list[Values]) -> Values:
        if len(values) != len(self.params):
            return Values.error(E.VALUE)
        saved = ev.ctx.scope
        ev.ctx.scope = {**self.closure, **dict(zip(self.params, values))}
        try:
            return ev.eval(self.body)
        finally:
            ev.ctx.scope = saved


@register("LAMBDA")
def _lambda(ev, args):
    if not args:
        return Values.error(E.VALUE)
    params = [_param(a) for a in args[:-1]]
    if any(p is None for p in params):
        return Values.error(E.VALUE)
    return Lambda(params, args[-1], dict(ev.ctx.scope))


class EtaLambda(Lambda):
    """A function given by name where a LAMBDA is expected (``BYROW(A1:C3, SUM)``, stored as
    ``_xleta.SUM``): called with its arguments as they come."""

    __slots__ = ("function",)

    def __init__(self, function: str):
        super().__init__([], None, {})
        self.function = function

    def accepts(self, count: int) -> bool:
        return True

    def call(self, ev, values: list[Values]) -> Values:
        from ..formula import Const
        from .registry import resolve

        impl = resolve(self.function)
        if impl is None:
            return Values.error(E.NAME)
        return impl(ev, [Const(v) for v in values])


@register("LAMBDA.CALL")
def _lambda_call(ev, args):
    """``LAMBDA(x, x+1)(2)``: a LAMBDA called where it is written (the parser's rewrite of it)."""
    fn = _lambda_arg(ev, args[0]) if args else None
    if fn is None:
        return Values.error(E.VALUE)
    return fn.call(ev, [ev.eval(a) for a in args[1:]])


def _lambda_arg(ev, node) -> Lambda | None:
    if isinstance(node, Name) and node.name.lower().startswith("_xleta."):
        return EtaLambda(node.name.split(".", 1)[1].upper())
    v = ev.eval(node)
    return v if isinstance(v, Lambda) else None


def _cell(v: Values, n: int) -> Values:
    """A lambda's result where one value is expected: a 1x1 result, else #CALC!."""
    if not v.is_cell:
        return Values.error(E.CALC, n)
    return Values(v.kind, v.num, v.text).expand(n)


def _assemble(cells: list[list[Values]], n: int) -> Values:
    """(n, h, w) from an h x w grid of (n, 1, 1) values."""
    h, w = len(cells), len(cells[0])
    kind = np.empty((n, h, w), np.uint8)
    num = np.empty((n, h, w))
    text = None
    for i, row in enumerate(cells):
        for j, v in enumerate(row):
            kind[:, i, j] = v.kind[:, 0, 0]
            num[:, i, j] = v.num[:, 0, 0]
            if v.text is not None:
                if text is None:
                    text = np.empty((n, h, w), object)
                text[:, i, j] = v.text[:, 0, 0]
    return Values(kind, num, text)


def _slice(v: Values, rows: slice, cols: slice) -> Values:
    ref = None
    if v.ref is not None:
        from ..values import RefInfo

        ref = RefInfo(v.ref.sheet, v.ref.row0 + (rows.start or 0), v.ref.col0 + (cols.start or 0))
    return Values(v.kind[:, rows, cols], v.num[:, rows, cols], None if v.text is None else v.text[:, rows, cols], ref)


def _by(axis: int):
    def impl(ev, args):
        if len(args) != 2:
            return Values.error(E.VALUE)
        arr = ev.eval(args[0])
        fn = _lambda_arg(ev, args[1])
        if fn is None or not fn.accepts(1):
            return Values.error(E.VALUE, arr.n)
        h, w = arr.hw
        if axis == 0:
            out = [[_cell(fn.call(ev, [_slice(arr, slice(i, i + 1), slice(None))]), arr.n)] for i in range(h)]
        else:
            out = [[_cell(fn.call(ev, [_slice(arr, slice(None), slice(j, j + 1))]), arr.n) for j in range(w)]]
        n = max(v.n for row in out for v in row)
        return _assemble([[v.expand(n) for v in row] for row in out], n)

    return impl


register("BYROW")(_by(0))
register("BYCOL")(_by(1))


@register("MAP")
def _map(ev, args):
    if len(args) < 2:
        return Values.error(E.VALUE)
    fn = _lambda_arg(ev, args[-1])
    arrays = align(*[ev.eval(a) for a in args[:-1]])
    if fn is None or not fn.accepts(len(arrays)):
        return Values.error(E.VALUE)
    n = arrays[0].n
    h, w = arrays[0].hw
    out = [[_cell(fn.call(ev, [_slice(a, slice(i, i + 1), slice(j, j + 1)) for a in arrays]), n)
            for j in range(w)] for i in range(h)]
    return _assemble(out, n)


def _fold(ev, args, keep_all: bool):
    if len(args) != 3:
        return Values.error(E.VALUE)
    acc = ev.eval(args[0]) if args[0] is not None else Values.empty()
    arr = ev.eval(args[1])
    fn = _lambda_arg(ev, args[2])
    if fn is None or not fn.accepts(2):
        return Values.error(E.VALUE)
    h, w = arr.hw
    n = max(acc.n, arr.n)
    steps = []
    for i in range(h):
        row = []
        for j in range(w):
            acc = fn.call(ev, [acc, _slice(arr, slice(i, i + 1), slice(j, j + 1))])
            n = max(n, acc.n)
            if keep_all:
                row.append(acc)
        steps.append(row)
    if not keep_all:
        return acc
    return _assemble([[_cell(v, n) for v in row] for row in steps], n)


@register("REDUCE")
def _reduce(ev, args):
    return _fold(ev, args, keep_all=False)


@register("SCAN")
def _scan(ev, args):
    return _fold(ev, args, keep_all=True)


@register("MAKEARRAY")
def _makearray(ev, args):
    """MAKEARRAY(rows, cols, LAMBDA(r, c, ...)): sizes are whole numbers >= 1, else #VALUE!; lifted
    over a range of sizes (each element the top-left of its array, as Excel shows it)."""
    if len(args) != 3:
        return Values.error(E.VALUE)
    lifted = lift(ev, _makearray, args, [0, 1])
    if lifted is not None:
        return lifted
    rows, cols = ev.scalar(args[0]), ev.scalar(args[1])
    fn = _lambda_arg(ev, args[2])
    if fn is None or not fn.accepts(2):
        return Values.error(E.VALUE)
    if rows.n > 1 or cols.n > 1:
        raise NotVectorizable("MAKEARRAY of a size read per cell")
    (r, er), (c, ec) = _scalar_number(rows), _scalar_number(cols)
    if er or ec:
        return Values.error(int(er or ec))
    if r != int(r) or c != int(c) or r < 1 or c < 1:
        return Values.error(E.VALUE)
    r, c = int(r), int(c)
    if r * c > MAX_MAKEARRAY:
        return Values.error(E.NUM)
    out = [[_cell(fn.call(ev, [Values.number(i + 1), Values.number(j + 1)]), 1) for j in range(c)] for i in range(r)]
    n = max(v.n for row in out for v in row)
    return _assemble([[v.expand(n) for v in row] for row in out], n)


def lift(ev, impl, args: list, positions: list[int]) -> Values | None:
    """Excel's lifting of a function over array arguments where it takes one value: the
    arguments at ``positions`` that evaluate to arrays are broadcast together, the function is
    computed for each element, and each result's top-left value is that element's result.
    None when those arguments are all single values (the function runs as usual)."""
    from ..formula import Const

    vals = {i: ev.scalar(args[i]) for i in positions if i < len(args) and args[i] is not None}
    if all(v.is_cell for v in vals.values()):
        return None
    if any(v.n > 1 for v in vals.values()):
        raise NotVectorizable("lifting over arrays that move with the cell")
    keys = list(vals)
    aligned = dict(zip(keys, align(*vals.values())))
    h, w = aligned[keys[0]].hw
    cells = []
    for i in range(h):
        row = []
        for j in range(w):
            new = list(args)
            for k in keys:
                new[k] = Const(_slice(aligned[k], slice(i, i + 1), slice(j, j + 1)))
            row.append(_first(impl(ev, new)).expand(1))
        cells.append(row)
    return _assemble(cells, 1)


# ---------------------------------------------------------------------------------------------
# spill references


@register("ANCHORARRAY")
def _anchorarray(ev, args):
    """``A1#``: the range the dynamic array anchored at A1 spills into; ``#REF!`` if none is."""
    if len(args) != 1 or not isinstance(args[0], Ref):
        return Values.error(E.REF)
    v = ev.eval(args[0])
    if v.ref is None or v.n > 1:
        if v.n > 1:
            raise NotVectorizable("spill references of moving anchors")
        return Values.error(E.REF)
    sheet = v.ref.sheet
    spill = getattr(sheet, "spills", {}).get((int(v.ref.row0[0]), int(v.ref.col0[0])))
    if spill is None:
        return Values.error(E.REF)
    return sheet.block(*spill)


# ---------------------------------------------------------------------------------------------
# TRIMRANGE and the trim references (A1:.C10)


def _trim_mode(ev, args, i) -> int | Values:
    """TRIMRANGE's trim_rows/trim_cols: 0 none, 1 leading, 2 trailing, 3 both (the default); a
    whole number (text that reads as one too), else ``#VALUE!`` (an array: ``#VALUE!`` in each
    of its cells, as Excel shows it)."""
    if len(args) <= i or args[i] is None:
        return 3
    v = ev.scalar(args[i])
    if v.n > 1:
        raise NotVectorizable("a TRIMRANGE option that varies from cell to cell")
    if not v.is_cell:
        return Values.error(E.VALUE, 1, v.hw)
    x, e = _scalar_number(v)
    if e:
        return Values.error(int(e))
    if x != int(x) or not 0 <= x <= 3:
        return Values.error(E.VALUE)
    return int(x)


def _trim(v: Values, trim_rows: int, trim_cols: int) -> Values:
    """The reference ``v`` without its blank outer rows/columns (1 leading, 2 trailing, 3 both);
    ``#REF!`` when every cell is blank. A formula's ``""`` is not blank."""
    filled = v.kind[0] != EMPTY
    rows, cols = np.nonzero(filled.any(axis=1))[0], np.nonzero(filled.any(axis=0))[0]
    if not rows.size:
        return Values.error(E.REF)
    h, w = v.hw
    r0, r1 = (int(rows[0]) if trim_rows & 1 else 0), (int(rows[-1]) if trim_rows & 2 else h - 1)
    c0, c1 = (int(cols[0]) if trim_cols & 1 else 0), (int(cols[-1]) if trim_cols & 2 else w - 1)
    out = _slice(v, slice(r0, r1 + 1), slice(c0, c1 + 1))
    eh, ew = v.extent  # a whole column/row: the blank cells beyond the used range are not held
    if (eh, ew) != (h, w):
        out = out.with_extent((r1 - r0 + 1 if trim_rows & 2 else eh - r0, c1 - c0 + 1 if trim_cols & 2 else ew - c0))
    return out


@register("TRIMRANGE")
def _trimrange(ev, args):
    """TRIMRANGE(range, [trim_rows=3], [trim_cols=3]): the range (still a reference) without its
    blank leading and/or trailing rows and columns. ``#VALUE!`` for a value that is no reference."""
    if not 1 <= len(args) <= 3 or args[0] is None:
        return Values.error(E.VALUE)
    modes = [_trim_mode(ev, args, 1), _trim_mode(ev, args, 2)]
    for m in modes:
        if isinstance(m, Values):
            return m
    v = ev.eval(args[0])
    if v.n > 1:
        raise NotVectorizable("TRIMRANGE of a moving range")
    if v.ref is None:
        return v if v.is_cell and v.kind[0, 0, 0] == ERR else Values.error(E.VALUE)
    return _trim(v, *modes)


def _trim_ref(mode: int):
    def impl(ev, args):
        """A trim reference (``A1:.C10`` trailing, ``A1.:C10`` leading, ``A1.:.C10`` both), stored
        as ``_xlfn._TRO_TRAILING(A1:C10)``, ``_TRO_LEADING``, ``_TRO_ALL``."""
        if len(args) != 1:
            return Values.error(E.VALUE)
        return _trimrange(ev, [args[0], Const(Values.number(mode)), Const(Values.number(mode))])

    return impl


register("_TRO_ALL")(_trim_ref(3))
register("_TRO_LEADING")(_trim_ref(1))
register("_TRO_TRAILING")(_trim_ref(2))
