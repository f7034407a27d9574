"""Lookup & reference: CHOOSE, INDEX, MATCH, XMATCH, XLOOKUP, VLOOKUP, HLOOKUP, LOOKUP, ROW, COLUMN,
ROWS, COLUMNS, TRANSPOSE, CHOOSECOLS, CHOOSEROWS, TAKE, DROP, OFFSET, INDIRECT."""

from __future__ import annotations

import re

import numpy as np

from ...excel_errors import VALUE
from ..arrays import ColumnArray, NotVectorizable, align, combine_errors
from ..book import MAX_COL, MAX_ROW
from ..formula import ArrayLit, Const, FormulaSyntaxError, Name, Op, Ref, compile_formula, union_areas
from ..values import EMPTY, ERR, NUM, STR, E, RefInfo, Values, numbers, to_text, truthy
from .arguments import col, from_python_cells, select
from .criteria import has_wild
from .matching import approximate, exact_positions, item_keys, lookup_key, regex_search, search
from .registry import cellwise_impl, register


@register("CHOOSE")
def _choose(ev, args):
    if len(args) < 2:
        return Values.error(E.VALUE)
    x, err = numbers(ev.scalar(args[0]))
    idx = np.trunc(x)
    err = np.where((err == 0) & ((idx < 1) | (idx > len(args) - 1)), E.VALUE, err)
    result = Values.from_numbers(np.zeros_like(x), err)
    for k in range(1, len(args)):
        pick = (idx == k) & (err == 0)
        if pick.any():
            result = select(pick, ev.scalar(args[k]), result)
    return result


def _index_number(v: Values) -> tuple[np.ndarray, np.ndarray]:
    x, err = numbers(v)
    return np.trunc(x[:, 0, 0]), err[:, 0, 0]


def _unwatched(ev, node) -> Values:
    """INDEX's reference argument, evaluated without reporting its reads to the engine's cycle
    watcher (``SheetData.watch``): INDEX reads only the cells it returns (reported by
    :func:`_report_read`), so ``SUM(INDEX(L,1,1):INDEX(L,1,k))`` inside the range ``L`` is no
    circular reference, as in Excel. Only for a plain reference or name, which computes nothing."""
    if ev.ctx.sheet.watch is None or not _plain_reference(ev, node):  # watched: every sheet at once
        return ev.eval(node)
    book = ev.ctx.book
    watched = [s for s in (*book.sheets, *book.external_sheets.values()) if s is not None and s.watch is not None]
    saved = [(s, s.watch) for s in watched]
    for sheet in watched:
        sheet.watch = None
    try:
        return ev.eval(node)
    finally:
        for sheet, watch in saved:
            sheet.watch = watch


_NAME_IS_REFERENCE: dict[str, bool] = {}


def _plain_reference(ev, node) -> bool:
    """A reference, or a defined name whose formula is one reference (``Sheet1!$A$17:$G$17``)."""
    if type(node) is Ref:
        return True
    if type(node) is not Name or ev.ctx.scope:
        return False
    book = ev.ctx.book
    where = book.sheet(node.sheet, ev.ctx.sheet) if node.sheet else ev.ctx.sheet
    text = None if where is None or (node.sheet or "").startswith("[") else book.name_text(node.name, where)
    if text is None:
        return False
    known = _NAME_IS_REFERENCE.get(text)
    if known is None:
        try:
            known = type(compile_formula(text, 1, 1)) is Ref
        except FormulaSyntaxError:
            known = False
        if len(_NAME_IS_REFERENCE) > 10_000:  # names of many workbooks in one process: bounded
            _NAME_IS_REFERENCE.clear()
        _NAME_IS_REFERENCE[text] = known
    return known


def _report_read(v: Values) -> None:
    """Tell the cycle watcher of the cells INDEX returned (see :func:`_unwatched`)."""
    if v.ref is None or getattr(v.ref.sheet, "watch", None) is None:
        return
    h, w = v.hw
    for r0, c0 in zip(np.asarray(v.ref.row0).reshape(-1).tolist(), np.asarray(v.ref.col0).reshape(-1).tolist()):
        v.ref.sheet.watch(v.ref.sheet, int(r0), int(c0), int(r0) + h - 1, int(c0) + w - 1)


@register("INDEX")
def _index(ev, args):
    """INDEX(array, row_num, [column_num], [area_num]): the item (a reference, for a range) at a
    row and column of an array, or of the area_num-th area of a union ``(A1:B2,D1:E2)``; a row
    or column 0 is the whole column or row. Index arguments that are arrays (in an array
    formula, or written ``{1,2}``) give one item per element, as Excel lifts them."""
    if not 2 <= len(args) <= 4:
        return Values.error(E.VALUE)
    given = [None if k >= len(args) or args[k] is None else ev.scalar(args[k]) for k in (1, 2, 3)]
    if given[0] is None:  # INDEX(a,,2): an omitted row is 0, the whole column
        given[0] = Values.number(0.0)
    if any(v is not None and not v.is_cell for v in given) or any(type(a) is ArrayLit for a in args[1:]):
        return _index_lifted(ev, args, given)
    return _index_at(ev, args, *given)


def _index_lifted(ev, args, given) -> Values:
    """INDEX once per element of its index arguments, each result's top-left item."""
    present = [v for v in given if v is not None]
    if any(v.n > 1 for v in present):
        raise NotVectorizable("INDEX over moving arrays of indexes")
    present = iter(align(*present))
    given = [None if v is None else next(present) for v in given]
    h, w = next(v for v in given if v is not None).hw
    if given[2] is None and len(_areas(args[0])) == 1:  # one area: every element at once
        flat = [None if v is None else Values(v.kind.reshape(-1, 1, 1), v.num.reshape(-1, 1, 1),
                                              None if v.text is None else v.text.reshape(-1, 1, 1)) for v in given]
        arr = _unwatched(ev, args[0])
        if arr.kind.shape[1:] == (1, 1) and arr.ref is None and arr.kind[0, 0, 0] == ERR:
            return arr
        try:
            got = _index_of(arr, flat[0], flat[1], len(args) > 2)
        except NotVectorizable:  # a whole row or column for some element: one at a time below
            got = None
        if got is not None and got.is_cell:
            _report_read(got)
            return Values(got.kind.reshape(1, h, w), got.num.reshape(1, h, w),
                          None if got.text is None else got.text.reshape(1, h, w))
    out = np.empty((1, h, w), object)
    areas: dict = {}  # each area evaluated once for all the elements
    for i in range(h):
        for j in range(w):
            one = [None if v is None else Values(v.kind[:, i:i + 1, j:j + 1], v.num[:, i:i + 1, j:j + 1],
                                                 None if v.text is None else v.text[:, i:i + 1, j:j + 1])
                   for v in given]
            out[0, i, j] = _index_at(ev, args, *one, areas).python(0, 0, 0)
    return from_python_cells(out)


def _index_at(ev, args, rv: Values, cv: Values | None, av: Values | None, memo: dict | None = None) -> Values:
    """INDEX for index values of one item per cell (``memo``: the areas already evaluated)."""
    areas = _areas(args[0])
    k = 1
    if av is not None:
        a, ea = _index_number(av)
        if a.shape[0] > 1:
            raise NotVectorizable("INDEX with a varying area")
        if ea[0]:
            return Values.error(int(ea[0]))
        k = int(a[0])
        if k < 1:
            return Values.error(E.VALUE)
    if k > len(areas):
        return Values.error(E.REF)
    arr = memo.get(k) if memo is not None else None
    if arr is None:
        arr = _unwatched(ev, areas[k - 1])
        if memo is not None:
            memo[k] = arr
    if arr.kind.shape[1:] == (1, 1) and arr.ref is None and arr.kind[0, 0, 0] == ERR:
        return arr
    out = _index_of(arr, rv, cv, len(args) > 2)
    _report_read(out)
    return out


def _index_of(arr: Values, rv: Values, cv: Values | None, column_given: bool) -> Values:
    """The item, row or column of ``arr`` at the given row and column (see :func:`_index`)."""
    h, w = arr.extent  # A:A is 1,048,576 rows; those beyond the used range are blank
    r, er = _index_number(rv)
    if cv is not None:
        c, ec = _index_number(cv)
    else:
        c, ec = np.zeros_like(r), np.zeros_like(r)
        if h == 1 and w > 1:  # INDEX(row, k): the k-th column
            r, c = np.zeros_like(r), r
        elif h > 1 and w > 1 and not column_given and arr.ref is not None:
            # a range of rows and columns needs both (a negative row is #VALUE! first)
            return Values.from_numbers(np.zeros((r.shape[0], 1, 1)),
                                       col(np.where(er != 0, er, np.where(r < 0, E.VALUE, E.REF))))
    n = max(arr.n, r.shape[0], c.shape[0])
    r = np.broadcast_to(r, (n,))
    c = np.broadcast_to(c, (n,))
    err = combine_errors(np.broadcast_to(er, (n,)), np.broadcast_to(ec, (n,)))
    whole = ((r == 0) & (h > 1)) | ((c == 0) & (w > 1))
    if whole.any():
        if n != 1:
            raise NotVectorizable("INDEX returning a whole row or column")
        if err[0]:
            return Values.error(int(err[0]))
        rr, cc = int(r[0]), int(c[0])
        if rr < 0 or cc < 0:
            return Values.error(E.VALUE)
        if rr > h or cc > w:
            return Values.error(E.REF)
        if rr > arr.hw[0] or cc > arr.hw[1]:  # past the used range of a whole column or row
            return Values.empty()
        rs = slice(None) if rr == 0 else slice(rr - 1, rr)
        cs = slice(None) if cc == 0 else slice(cc - 1, cc)
        ref = None
        if arr.ref is not None:
            ref = RefInfo(arr.ref.sheet, arr.ref.row0 + (0 if rr == 0 else rr - 1),
                          arr.ref.col0 + (0 if cc == 0 else cc - 1))
        return Values(arr.kind[:, rs, cs], arr.num[:, rs, cs],
                      None if arr.text is None else arr.text[:, rs, cs], ref)
    negative = (r < 0) | (c < 0)  # Excel: #VALUE! for a negative index, before #REF! for a large one
    r = np.where(r == 0, 1, r)
    c = np.where(c == 0, 1, c)
    bad = (r < 1) | (c < 1) | (r > h) | (c > w)
    err = np.where((err == 0) & negative, E.VALUE, err)
    err = np.where((err == 0) & bad, E.REF, err)
    bh, bw = arr.hw
    beyond = ~bad & ((r > bh) | (c > bw))  # inside the reference, past the used range: blank
    ri = np.where(bad | beyond, 0, r - 1).astype(np.int64)
    ci = np.where(bad | beyond, 0, c - 1).astype(np.int64)
    a = arr.expand(n)
    inst = np.arange(n)
    kind = np.where(beyond, EMPTY, a.kind[inst, ri, ci]).astype(np.uint8)
    num = np.where(beyond, 0.0, a.num[inst, ri, ci])
    text = None if a.text is None else np.where(beyond, None, a.text[inst, ri, ci])
    iserr = err != 0
    kind = np.where(iserr, ERR, kind).astype(np.uint8)
    num = np.where(iserr, err, num)
    ref = None
    if arr.ref is not None:
        ref = RefInfo(arr.ref.sheet, np.broadcast_to(arr.ref.row0, (n,)) + np.where(bad, 0, r - 1).astype(np.int64),
                      np.broadcast_to(arr.ref.col0, (n,)) + np.where(bad, 0, c - 1).astype(np.int64))
    return Values(col(kind), col(num), None if text is None else col(text), ref)


class _Vector:
    """The items of a lookup vector (each instance's), keyed once for the many lookups into it.

    MATCH, LOOKUP, VLOOKUP and HLOOKUP compare text with ``str.lower`` ("ß" is not "ss"), see
    :func:`.matching.lookup_key`.
    """

    def __init__(self, vec: Values):
        self.vec = vec
        self._items: dict = {}
        self._exact: dict = {}

    def _keys(self, ai: int):
        got = self._items.get(ai)
        if got is None:
            v = self.vec
            texts = None if v.text is None else v.text[ai].reshape(-1)
            keys = item_keys(v.kind[ai].reshape(-1), v.num[ai].reshape(-1), texts, str.lower)
            got = self._items[ai] = (keys, texts)
        return got

    def find(self, ai: int, kind: int, num: float, text, match_type: int) -> int | None:
        """0-based position of one value (not an error) by MATCH's ``match_type``, None if not found."""
        keys, texts = self._keys(ai)
        if kind == EMPTY:  # a blank looked up is 0
            kind, num = NUM, 0.0
        key = lookup_key(kind, num, text, str.lower)
        if match_type != 0:
            return approximate(key, keys, match_type)
        if kind == STR and has_wild(text):
            return search(key, text, keys, texts, 2, 1)
        index = self._exact.get(ai)
        if index is None:
            index = self._exact[ai] = exact_positions(keys)
        hit = index.get(key)
        return None if hit is None else hit[0]


def _match_positions(look: Values, vec: Values, match_type: Values) -> tuple[np.ndarray, np.ndarray]:
    """(1-based position, error code) of every element of ``look`` in the vector ``vec``.

    ``look`` and ``match_type`` are broadcast together (arrays in an array formula: one lookup
    per element); the match type is read as its sign (MATCH(x, v, 5) is type 1).
    """
    look, mt = align(look, match_type)
    mt_x, mt_err = numbers(mt)
    n = max(look.n, vec.n)
    look = look.expand(n)
    mt_x, mt_err = (np.broadcast_to(a, look.kind.shape) for a in (mt_x, mt_err))
    pos = np.zeros(look.kind.shape)
    err = np.zeros(look.kind.shape)
    searcher = _Vector(vec)
    seen: dict = {}  # the same value looked up again in the same vector
    for idx in np.ndindex(look.kind.shape):
        kind = int(look.kind[idx])
        if kind == ERR:
            err[idx] = look.num[idx]
            continue
        if mt_err[idx]:
            err[idx] = mt_err[idx]
            continue
        ai = idx[0] if vec.n > 1 else 0
        text = look.text[idx] if kind == STR else None
        t = int(np.sign(np.trunc(mt_x[idx])))
        memo = (ai, kind, text if kind == STR else float(look.num[idx]), t)
        p = seen[memo] if memo in seen else seen.setdefault(memo, searcher.find(ai, kind, look.num[idx], text, t))
        if p is None:
            err[idx] = E.NA
        else:
            pos[idx] = p + 1
    return pos, err


def _as_vector(v: Values) -> Values:
    """A row or column as an (n, k, 1) column."""
    return Values(v.kind.reshape(v.n, -1, 1), v.num.reshape(v.n, -1, 1),
                  None if v.text is None else v.text.reshape(v.n, -1, 1))


@register("MATCH")
def _match(ev, args):
    """MATCH(lookup_value, lookup_array, [match_type]): the 1-based position; #N/A if not found
    or the array is not one row or column. Type 0 is exact (wildcards in text), 1 (the default)
    and -1 binary searches, see :func:`.matching.approximate`."""
    if not 2 <= len(args) <= 3:
        return Values.error(E.VALUE)
    look = ev.scalar(args[0])
    arr = ev.eval(args[1])
    if arr.kind.shape[1:] == (1, 1) and arr.ref is None and arr.kind[0, 0, 0] == ERR:
        return arr
    mt = ev.scalar(args[2]) if len(args) > 2 and args[2] is not None else Values.number(1.0)
    h, w = arr.hw
    if h > 1 and w > 1:
        return Values.error(E.NA, max(look.n, arr.n))
    pos, err = _match_positions(look, _as_vector(arr), mt)
    return Values.from_numbers(pos, err)


def _gather(vec: Values, pos: np.ndarray, err: np.ndarray) -> Values:
    """The items of ``vec`` (one instance, (1, k, 1)) at 1-based positions, the error where ``err``."""
    bad = (err != 0) | (pos < 1) | (pos > vec.kind.shape[1])
    p = np.where(bad, 0, pos - 1).astype(np.int64)
    kind = np.where(bad, ERR, vec.kind[0, p, 0]).astype(np.uint8)
    num = np.where(bad, np.where(err != 0, err, float(E.NA)), vec.num[0, p, 0])
    text = None if vec.text is None else np.where(bad, None, vec.text[0, p, 0])
    return Values(kind, num, text)


def _lookup(horizontal: bool):
    def impl(ev, args):
        """VLOOKUP/HLOOKUP(lookup_value, table, index, [range_lookup]): the item of the index-th
        column (row) on the row (column) where the first column (row) matches; an approximate
        match (the default) is MATCH's type 1, exact is type 0."""
        if not 3 <= len(args) <= 4:
            return Values.error(E.VALUE)
        look = ev.scalar(args[0])
        table = ev.eval(args[1])
        idx, eidx = numbers(ev.scalar(args[2]))
        approx = True
        if len(args) > 3 and args[3] is not None:
            b, eb = truthy(ev.scalar(args[3]))
            if b.shape[0] > 1:
                raise NotVectorizable("VLOOKUP with a varying match mode")
            if eb.reshape(-1)[0]:
                return Values.error(int(eb.reshape(-1)[0]))
            approx = bool(b.reshape(-1)[0])
        if table.n > 1 or idx.shape[0] > 1:
            raise NotVectorizable("VLOOKUP over a moving table")
        if table.kind.shape[1:] == (1, 1) and table.ref is None and table.kind[0, 0, 0] == ERR:
            return table
        k = int(np.trunc(idx.reshape(-1)[0]))  # an array of indexes: its first (formulas test.xlsx LOOKUP!AH44)
        h, w = table.hw
        if eidx.reshape(-1)[0]:
            return Values.error(int(eidx.reshape(-1)[0]))
        if k < 1:
            return Values.error(E.VALUE)
        if k > (h if horizontal else w):
            return Values.error(E.REF)
        first = _block(table, [0], range(w)) if horizontal else _block(table, range(h), [0])
        pos, err = _match_positions(look, _as_vector(first), Values.number(1.0 if approx else 0.0))
        result = _block(table, [k - 1], range(w)) if horizontal else _block(table, range(h), [k - 1])
        return _gather(_as_vector(result), pos, err)

    return impl


register("VLOOKUP")(_lookup(False))
register("HLOOKUP")(_lookup(True))


def _areas(node) -> list:
    """The areas a reference argument names: several for a union ``(A1:B2,D4)``, an
    intersection distributed over it (``(A1:A9,C1:C9) A2:C2`` is two areas)."""
    if type(node) is Op and node.op in ("union", "isect"):
        return union_areas(node)
    return [node]


def _reference(ev, node) -> Values:
    """The one area a reference argument names: #REF! for a union of several, the error an
    intersection with no cell gives (#NULL!), #VALUE! for a value that is no reference."""
    if len(_areas(node)) > 1:
        return Values.error(E.REF)
    v = ev.eval(node)
    if v.ref is None:
        return v if v.is_cell and v.kind[0, 0, 0] == ERR else Values.error(E.VALUE, v.n)
    return v


def _rowcol(which: str):
    def impl(ev, args):
        """ROW([ref]) / COLUMN([ref]): the formula's own, or the rows (columns) of a range as an array."""
        ctx = ev.ctx
        if not args:
            return Values.number((ctx.rows if which == "ROW" else ctx.cols).astype(float))
        if len(args) > 1:
            return Values.error(E.VALUE)
        v = _reference(ev, args[0])
        if v.ref is None:
            return v
        n = v.n
        h, w = v.hw
        if which == "ROW":
            base = np.broadcast_to(np.asarray(v.ref.row0, float).reshape(-1), (n,))
            return Values.from_numbers(base[:, None, None] + np.arange(h, dtype=float)[None, :, None])
        base = np.broadcast_to(np.asarray(v.ref.col0, float).reshape(-1), (n,))
        return Values.from_numbers(base[:, None, None] + np.arange(w, dtype=float)[None, None, :])

    return impl


register("ROW")(_rowcol("ROW"))
register("COLUMN")(_rowcol("COLUMN"))


def _size(axis: int):
    def impl(ev, args):
        """ROWS(array) / COLUMNS(array): how many rows (columns); #REF! for several areas."""
        if len(args) != 1:
            return Values.error(E.VALUE)
        if len(_areas(args[0])) > 1:
            return Values.error(E.REF)
        v = ev.eval(args[0])
        if v.is_cell and v.ref is None and v.kind[0, 0, 0] == ERR:
            return v
        if isinstance(v, ColumnArray) and axis == 0:
            return Values.number(float(v.rows))
        return Values.number(float(v.extent[axis]))

    return impl


register("ROWS")(_size(0))
register("COLUMNS")(_size(1))


@register("AREAS")
def _areas_count(ev, args):
    """AREAS(reference): how many areas the reference has (a union's, ``(A1:B2,D4)`` is 2)."""
    if len(args) != 1:
        return Values.error(E.VALUE)
    areas = _areas(args[0])
    for node in areas:
        v = ev.eval(node)
        if v.ref is None:
            return v if v.is_cell and v.kind[0, 0, 0] == ERR else Values.error(E.VALUE, v.n)
    return Values.number(float(len(areas)))


#: ADDRESS's abs_num: (row absolute, column absolute).
_ABSOLUTE = {1: (True, True), 2: (True, False), 3: (False, True), 4: (False, False)}
_PLAIN_SHEET = re.compile(r"^[A-Za-z_\\][\w.]*$")
_LOOKS_LIKE_CELL = re.compile(r"^(?:[A-Za-z]{1,3}\d+|R\d*C\d*|[RC]\d*)$", re.I)


def _sheet_prefix(sheet: str) -> str:
    """``Sheet1!`` or ``'My sheet'!``: quoted unless a plain name that cannot be read as a cell."""
    book, rest = "", sheet
    if sheet.startswith("[") and "]" in sheet:
        book, rest = sheet[: sheet.index("]") + 1], sheet[sheet.index("]") + 1:]
    if rest and _PLAIN_SHEET.match(rest) and not _LOOKS_LIKE_CELL.match(rest):
        return f"{sheet}!"
    if not rest and not book:
        return "!"
    return "'" + sheet.replace("'", "''") + "'!"


def _address(row, column, abs_num, a1, sheet):
    """ADDRESS(row_num, column_num, [abs_num], [a1], [sheet_text]): a reference as text."""
    r, c = int(row), int(column)
    k = 1 if abs_num is None else int(abs_num)
    if not (1 <= r <= MAX_ROW and 1 <= c <= MAX_COL) or k not in _ABSOLUTE:
        return VALUE
    abs_row, abs_col = _ABSOLUTE[k]
    if a1 is None or a1:
        from ..package import col_letters

        ref = f"{'$' if abs_col else ''}{col_letters(c)}{'$' if abs_row else ''}{r}"
    else:
        ref = f"R{r if abs_row else f'[{r}]'}C{c if abs_col else f'[{c}]'}"
    return ref if sheet is None else _sheet_prefix(sheet) + ref


_address_cells = cellwise_impl(_address, "nn", "nbt")


@register("ADDRESS")
def _address_impl(ev, args):
    """ADDRESS cell by cell; an omitted abs_num or a1 (``ADDRESS(1,1,,FALSE)``) takes its
    default, while a blank cell given for one is 0 (FALSE)."""
    args = [Const(d) if k < len(args) and args[k] is None else args[k] if k < len(args) else None
            for k, d in ((0, None), (1, None), (2, Values.number(1.0)), (3, Values.boolean(True)), (4, None))]
    while args and args[-1] is None:
        args.pop()
    return _address_cells(ev, args)


# ---------------------------------------------------------------------------------------------
# reshaping arrays: TRANSPOSE, CHOOSECOLS, CHOOSEROWS, TAKE, DROP


def _block(v: Values, rows, cols) -> Values:
    """The rows and columns (index arrays) of every instance of v, as a new array."""
    ix = np.ix_(np.arange(v.n), np.asarray(rows, np.int64), np.asarray(cols, np.int64))
    return Values(v.kind[ix], v.num[ix], None if v.text is None else v.text[ix])


@register("TRANSPOSE")
def _transpose(ev, args):
    """TRANSPOSE(array): rows become columns."""
    if len(args) != 1:
        return Values.error(E.VALUE)
    v = ev.eval(args[0])
    return Values(v.kind.transpose(0, 2, 1), v.num.transpose(0, 2, 1),
                  None if v.text is None else v.text.transpose(0, 2, 1))


def _fixed_ints(ev, nodes) -> list[int] | Values:
    """Whole numbers given as arguments (arrays flattened), the same for every cell; or an error."""
    out = []
    for node in nodes:
        v = ev.eval(node)
        if v.hw[0] > 1 and v.hw[1] > 1:  # indexes in rows and columns (LOOKUP!AH6, AH9)
            return Values.error(E.VALUE, v.n)
        x, e = numbers(v)
        if x.shape[0] > 1 and not (x == x[:1]).all():
            raise NotVectorizable("varying CHOOSECOLS/TAKE sizes")
        if e[0].any():
            return Values.error(int(e[0][e[0] != 0][0]))
        out.extend(int(np.trunc(t)) for t in x[0].reshape(-1))
    return out


def _choose_axis(axis: int):
    def impl(ev, args):
        """CHOOSECOLS/CHOOSEROWS(array, index1, ...): negative indexes count from the end."""
        if len(args) < 2:
            return Values.error(E.VALUE)
        v = ev.eval(args[0])
        idx = _fixed_ints(ev, args[1:])
        if isinstance(idx, Values):
            return idx
        size = v.hw[axis]
        if any(k == 0 or abs(k) > size for k in idx):
            return Values.error(E.VALUE, v.n)
        picked = [k - 1 if k > 0 else size + k for k in idx]
        h, w = v.hw
        return _block(v, range(h), picked) if axis == 1 else _block(v, picked, range(w))

    return impl


register("CHOOSECOLS")(_choose_axis(1))
register("CHOOSEROWS")(_choose_axis(0))


def _span(size: int, k: int, take: bool):
    """The indexes TAKE (or DROP) keeps of ``size`` items: k > 0 from the start, k < 0 from the end."""
    k = max(-size, min(size, k))
    if take:
        return range(0, k) if k >= 0 else range(size + k, size)
    return range(k, size) if k >= 0 else range(0, size + k)


def _take_drop(take: bool):
    def impl(ev, args):
        """TAKE/DROP(array, rows, [columns]): #CALC! when nothing is left."""
        if not 2 <= len(args) <= 3:
            return Values.error(E.VALUE)
        from .dynamic import lift

        lifted = lift(ev, impl, args, [1, 2])  # TAKE(a, {1;2}): one TAKE per count, top-left each
        if lifted is not None:
            return lifted
        v = ev.eval(args[0])
        nodes = [a for a in args[1:3]]
        sizes = []
        for node in nodes:
            if node is None:
                sizes.append(None)
                continue
            got = _fixed_ints(ev, [node])
            if isinstance(got, Values):
                return got
            sizes.append(got[0])
        h, w = v.hw
        rows = _span(h, sizes[0], take) if sizes[0] is not None else range(h)
        cols = _span(w, sizes[1], take) if len(sizes) > 1 and sizes[1] is not None else range(w)
        if take and (sizes[0] == 0 or (len(sizes) > 1 and sizes[1] == 0)) or not len(rows) or not len(cols):
            return Values.error(E.CALC, v.n)
        return _block(v, rows, cols)

    return impl


register("TAKE")(_take_drop(True))
register("DROP")(_take_drop(False))


@register("LOOKUP")
def _lookup_vector(ev, args):
    """LOOKUP(value, lookup_vector, [result_vector]): the last item <= value of a sorted vector
    (MATCH type 1's binary search), or the result vector's item at its position; the array form
    searches the first row or column of a table (the longer side) and returns from its last row
    or column. A lookup value that is an array (in an array formula) is looked up element by
    element."""
    if not 2 <= len(args) <= 3:
        return Values.error(E.VALUE)
    look = ev.scalar(args[0])
    table = ev.eval(args[1])
    if table.n > 1:
        raise NotVectorizable("LOOKUP over a moving table")
    if table.kind.shape[1:] == (1, 1) and table.ref is None and table.kind[0, 0, 0] == ERR:
        return table
    h, w = table.hw
    if len(args) == 3:
        key, result = table, ev.eval(args[2])
        if result.n > 1:
            raise NotVectorizable("LOOKUP over a moving table")
        if h > 1 and w > 1:  # a table as lookup vector: its first column (row if wider), as Excel
            key = _block(table, range(h), [0]) if h >= w else _block(table, [0], range(w))
        if result.hw[0] > 1 and result.hw[1] > 1:
            return Values.error(E.NA)
    else:
        vertical = h >= w
        key = _block(table, range(h), [0]) if vertical else _block(table, [0], range(w))
        result = _block(table, range(h), [w - 1]) if vertical else _block(table, [h - 1], range(w))
    pos, err = _match_positions(look, _as_vector(key), Values.number(1.0))
    return _gather(_as_vector(result), pos, err)


# ---------------------------------------------------------------------------------------------
# references computed at run time: OFFSET, INDIRECT (volatile: the engine orders their groups
# after every group they do not feed, see engine.group_graph)


def _whole(ev, node) -> tuple[np.ndarray, np.ndarray]:
    return _index_number(ev.scalar(node))


@register("OFFSET")
def _offset(ev, args):
    """OFFSET(reference, rows, cols, [height], [width]): the range moved and resized, a reference."""
    if not 3 <= len(args) <= 5:
        return Values.error(E.VALUE)
    base = ev.eval(args[0])
    if base.ref is None:
        return Values.error(E.VALUE)
    h0, w0 = base.hw
    parts = [_whole(ev, args[1]), _whole(ev, args[2])]
    for k, default in ((3, h0), (4, w0)):
        if len(args) > k and args[k] is not None:
            parts.append(_whole(ev, args[k]))
        else:
            parts.append((np.full(1, float(default)), np.zeros(1)))
    n = max([base.n] + [x.shape[0] for x, _ in parts])
    (dr, er), (dc, ec), (hh, eh), (ww, ew) = [(np.broadcast_to(x, (n,)), np.broadcast_to(e, (n,))) for x, e in parts]
    err = combine_errors(er, ec, eh, ew)
    r0 = np.broadcast_to(base.ref.row0, (n,)) + dr
    c0 = np.broadcast_to(base.ref.col0, (n,)) + dc
    hh = np.where(hh < 0, -hh, hh)
    ww = np.where(ww < 0, -ww, ww)
    if (hh != hh[0]).any() or (ww != ww[0]).any() or err.any() or (n > 1 and (hh[0] * ww[0] * n > 4_000_000)):
        if n > 1:
            raise NotVectorizable("OFFSET of varying size")
        if err[0]:
            return Values.error(int(err[0]))
    h, w = int(hh[0]), int(ww[0])
    if h == 0 or w == 0:
        return Values.error(E.REF, n)
    bad = (r0 < 1) | (c0 < 1)
    if bad.any():
        if n == 1:
            return Values.error(E.REF)
        raise NotVectorizable("OFFSET outside the sheet")
    sheet = base.ref.sheet
    if n == 1:
        return sheet.block(int(r0[0]), int(c0[0]), int(r0[0]) + h - 1, int(c0[0]) + w - 1)
    return sheet.blocks(r0.astype(np.int64), c0.astype(np.int64), h, w)


_R1C1 = re.compile(r"^(?:(.+)!)?R(\[-?\d+\]|\d+)?C(\[-?\d+\]|\d+)?(?::R(\[-?\d+\]|\d+)?C(\[-?\d+\]|\d+)?)?$", re.I)


def _r1c1_to_a1(text: str, row: int, col: int) -> str | None:
    """An R1C1 reference (R2C3, R[-1]C, R1C1:R2C2) as A1 text, relative to (row, col)."""
    m = _R1C1.match(text.strip())
    if not m:
        return None

    def one(part, here):
        if part is None:
            return here
        return here + int(part[1:-1]) if part.startswith("[") else int(part)

    cells = [(one(m.group(2), row), one(m.group(3), col))]
    if m.group(4) is not None or m.group(5) is not None:
        cells.append((one(m.group(4), row), one(m.group(5), col)))
    if any(r < 1 or c < 1 for r, c in cells):
        return None
    from ..package import col_letters

    a1 = ":".join(f"{col_letters(c)}{r}" for r, c in cells)
    return (f"{m.group(1)}!" if m.group(1) else "") + a1


@register("INDIRECT")
def _indirect(ev, args):
    """INDIRECT(ref_text, [a1]): the reference its text names (A1 or R1C1 style, a sheet, a
    defined name), cell by cell; #REF! for text that names no reference."""
    if not 1 <= len(args) <= 2:
        return Values.error(E.VALUE)
    if ev.ctx.n != 1:
        raise NotVectorizable("INDIRECT is evaluated cell by cell")
    t, e = to_text(ev.scalar(args[0]))
    if e.reshape(-1)[0]:
        return Values.error(int(e.reshape(-1)[0]))
    a1 = True
    if len(args) > 1 and args[1] is not None:
        b, eb = truthy(ev.scalar(args[1]))
        if eb.reshape(-1)[0]:
            return Values.error(int(eb.reshape(-1)[0]))
        a1 = bool(b.reshape(-1)[0])
    text = str(t.reshape(-1)[0]).strip()
    row, col_ = int(ev.ctx.rows[0]), int(ev.ctx.cols[0])
    if not a1:
        text = _r1c1_to_a1(text, row, col_)
        if text is None:
            return Values.error(E.REF)
    try:
        node = compile_formula(text, row, col_)
    except FormulaSyntaxError:
        return Values.error(E.REF)
    if not isinstance(node, (Ref, Name)) and not (isinstance(node, Op) and node.op == ":"):
        return Values.error(E.REF)
    v = ev.eval(node)
    return v if v.ref is not None else Values.error(E.REF)


# ---------------------------------------------------------------------------------------------
# XMATCH and XLOOKUP


def _mode(ev, args, k: int, default: float, allowed: tuple, whole=np.trunc) -> Values:
    """match_mode or search_mode as given (an array in an array formula), #VALUE! if not allowed.

    ``whole`` makes a fraction a mode: a search_mode of -1.1 is Excel's -2, a binary search
    (formulas test.xlsx LOOKUP!AH162:AO162), so search modes are rounded down.
    """
    if len(args) <= k or args[k] is None:
        return Values.number(default)
    x, e = numbers(ev.scalar(args[k]))
    x = whole(x)
    return Values.from_numbers(x, np.where((e == 0) & ~np.isin(x, allowed), E.VALUE, e))


def _positions(ev, args, arr: Values, at: int):
    """1-based positions found by XMATCH's rules for every element of the lookup value.

    Returns (look, positions, error codes, not-found mask), broadcast over the lookup value and
    the modes (each may be an array in an array formula); the error is #VALUE! for a 2-D lookup
    array, wildcards or a regular expression with a binary search, a regular expression that is
    no text or does not compile, #N/A when nothing matches.
    """
    look, mm, sm = align(ev.scalar(args[0]), _mode(ev, args, at, 0, (-1, 0, 1, 2, 3)),
                         _mode(ev, args, at + 1, 1, (-1, 1, -2, 2), np.floor))
    n = max(look.n, arr.n)
    look, mm, sm = (v.expand(n) for v in (look, mm, sm))
    shape = look.kind.shape
    pos = np.zeros(shape)
    err = np.zeros(shape)
    notfound = np.zeros(shape, bool)
    h, w = arr.hw
    if h > 1 and w > 1:
        err[:] = E.VALUE
        return look, pos, err, notfound
    cache: dict = {}
    for idx in np.ndindex(shape):
        i = idx[0]
        lk = int(look.kind[idx])
        bad = next((float(v.num[idx]) for v in (look, mm, sm) if v.kind[idx] == ERR), 0.0)
        if bad:
            err[idx] = bad
            continue
        match_mode, search_mode = int(mm.num[idx]), int(sm.num[idx])
        if match_mode in (2, 3) and search_mode in (2, -2) or match_mode == 3 and lk != STR:
            err[idx] = E.VALUE
            continue
        ai = i if arr.n > 1 else 0
        got = cache.get(ai)
        if got is None:
            keys = item_keys(arr.kind[ai].reshape(-1), arr.num[ai].reshape(-1),
                             None if arr.text is None else arr.text[ai].reshape(-1))
            texts = None if arr.text is None else arr.text[ai].reshape(-1)
            got = cache[ai] = (keys, texts, exact_positions(keys))
        keys, texts, index = got
        text = look.text[idx] if lk == STR else None
        if match_mode == 3:
            try:
                p = regex_search(text, keys, texts, search_mode)
            except ValueError:
                err[idx] = E.VALUE
                continue
        else:
            p = search(lookup_key(lk, look.num[idx], text), text, keys, texts, match_mode, search_mode, index)
        if p is None:
            err[idx] = E.NA
            notfound[idx] = True
        else:
            pos[idx] = p + 1
    return look, pos, err, notfound


@register("XMATCH")
def _xmatch(ev, args):
    """XMATCH(lookup, array, [match_mode], [search_mode]): the 1-based position, or #N/A.

    match_mode 0 exact, -1/1 exact or next smaller/larger, 2 wildcards, 3 a regular expression
    (the lookup is the pattern, see :func:`matching.regex_search`); search_mode 1, -1, 2, -2.
    """
    if not 2 <= len(args) <= 4:
        return Values.error(E.VALUE)
    _, pos, err, _ = _positions(ev, args, ev.eval(args[1]), 2)
    return Values.from_numbers(pos, err)


@register("XLOOKUP")
def _xlookup(ev, args):
    """XLOOKUP(lookup, lookup_array, return_array, [if_not_found], [match_mode], [search_mode]).

    The row (or column, for a horizontal lookup array) of ``return_array`` at XMATCH's
    position; ``if_not_found`` (when given) where nothing matches, else #N/A.
    """
    if not 3 <= len(args) <= 6:
        return Values.error(E.VALUE)
    arr = ev.eval(args[1])
    ret = ev.eval(args[2])
    h, w = arr.hw
    vertical = w == 1 and (h > 1 or ret.hw[1] == 1 or ret.hw[0] > 1)
    if (h > 1 and w > 1) or (ret.hw[0] if vertical else ret.hw[1]) != (h if vertical else w):
        return Values.error(E.VALUE, max(arr.n, ret.n))
    look, pos, err, notfound = _positions(ev, args, arr, 4)
    n = pos.shape[0]
    other = ret.hw[1] if vertical else ret.hw[0]
    if other > 1 and not look.is_cell:  # an array of rows: each keeps its first value (arrays of arrays)
        sl = (slice(None), slice(None), slice(0, 1)) if vertical else (slice(None), slice(0, 1), slice(None))
        ret = Values(ret.kind[sl], ret.num[sl], None if ret.text is None else ret.text[sl], ret.ref)
        other = 1
    if other > 1:  # a whole row (or column) per match: one cell at a time
        if n != 1:
            raise NotVectorizable("XLOOKUP returning rows")
        if err[0, 0, 0]:
            out = Values.error(int(err[0, 0, 0]))
        else:
            p = int(pos[0, 0, 0]) - 1
            sl = (slice(None), slice(p, p + 1), slice(None)) if vertical else (slice(None), slice(None), slice(p, p + 1))
            r = ret.instance(0)
            out = Values(r.kind[sl], r.num[sl], None if r.text is None else r.text[sl])
    else:
        r = ret.expand(n) if ret.n != n else ret
        flat = np.where(err != 0, 0, pos - 1).astype(np.int64)
        inst = np.broadcast_to(np.arange(n).reshape(-1, 1, 1), flat.shape)
        ri, ci = (flat, np.zeros_like(flat)) if vertical else (np.zeros_like(flat), flat)
        kind = np.where(err != 0, ERR, r.kind[inst, ri, ci]).astype(np.uint8)
        num = np.where(err != 0, err, r.num[inst, ri, ci])
        text = None if r.text is None else r.text[inst, ri, ci]
        ref = None
        if ret.ref is not None and look.is_cell:
            ref = RefInfo(ret.ref.sheet, np.broadcast_to(ret.ref.row0, (n,)) + ri[:, 0, 0],
                          np.broadcast_to(ret.ref.col0, (n,)) + ci[:, 0, 0])
        out = Values(kind, num, text, ref)
    if len(args) > 3 and args[3] is not None and notfound.any():
        if out.kind.shape != notfound.shape:  # a whole row was asked for and not found
            return ev.scalar(args[3])
        out = select(~notfound, out.drop_ref(), ev.scalar(args[3]))
    return out


@register("HYPERLINK")
def _hyperlink(ev, args):
    """HYPERLINK(link_location, [friendly_name]): the value the cell shows, the friendly name, or
    the link location when there is none (Microsoft's HYPERLINK page; the link is followed on a
    click only). A blank friendly name shows 0, as a reference to a blank cell does."""
    if not 1 <= len(args) <= 2 or args[0] is None:
        return Values.error(E.VALUE)
    shown = ev.scalar(args[1] if len(args) == 2 and args[1] is not None else args[0])
    blank = shown.kind == EMPTY
    if blank.any():
        shown = Values(np.where(blank, NUM, shown.kind).astype(np.uint8), np.where(blank, 0.0, shown.num), shown.text)
    return Values(shown.kind, shown.num, shown.text)
