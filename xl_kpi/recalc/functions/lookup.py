"""Lookup & reference: CHOOSE, INDEX, MATCH, VLOOKUP, HLOOKUP, ROW, COLUMN, ROWS, COLUMNS."""

from __future__ import annotations

import numpy as np

from ..arrays import NotVectorizable, combine_errors
from ..values import BOOL, EMPTY, ERR, NUM, STR, E, RefInfo, Values, numbers, truthy
from .arguments import col, finish, select
from .criteria import has_wild, wildcard_regex
from .registry import register


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


@register("INDEX")
def _index(ev, args):
    if not 2 <= len(args) <= 3:
        return Values.error(E.VALUE)
    arr = ev.eval(args[0])
    if arr.kind.shape[1:] == (1, 1) and arr.ref is None and arr.kind[0, 0, 0] == ERR:
        return arr
    h, w = arr.extent  # A:A is 1,048,576 rows; those beyond the used range are blank
    r, er = _index_number(ev.scalar(args[1]))
    if len(args) > 2 and args[2] is not None:
        c, ec = _index_number(ev.scalar(args[2]))
    else:
        c, ec = np.zeros_like(r), np.zeros_like(r)
        if h == 1 and w > 1:  # INDEX(row, k): the k-th column
            r, c = np.zeros_like(r), r
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
        if rr < 0 or cc < 0 or rr > h or cc > w:
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
    r = np.where(r == 0, 1, r)
    c = np.where(c == 0, 1, c)
    bad = (r < 1) | (c < 1) | (r > h) | (c > w)
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


def _key(kind: int, num: float, text) -> tuple:
    if kind == STR:
        return (STR, str(text).casefold())
    if kind == EMPTY:
        return (EMPTY, 0)
    return (int(kind), float(num))


@register("MATCH")
def _match(ev, args):
    if not 2 <= len(args) <= 3:
        return Values.error(E.VALUE)
    look = ev.scalar(args[0])
    arr = ev.eval(args[1])
    if len(args) > 2 and args[2] is not None:
        mt, emt = numbers(ev.scalar(args[2]))
    else:
        mt, emt = np.ones((1, 1, 1)), np.zeros((1, 1, 1))
    h, w = arr.hw
    if h > 1 and w > 1:
        return Values.error(E.NA)
    n = max(look.n, arr.n, mt.shape[0])
    out = np.zeros(n)
    err = np.zeros(n)
    cache: dict = {}
    found: dict = {}  # over one array with one match type, cells looking up the same value
    fixed = arr.n == 1 and mt.shape[0] == 1
    for i in range(n):
        li = i if look.n > 1 else 0
        ai = i if arr.n > 1 else 0
        mi = i if mt.shape[0] > 1 else 0
        lk, ln_ = int(look.kind[li, 0, 0]), float(look.num[li, 0, 0])
        if lk == ERR:
            err[i] = ln_
            continue
        if fixed:
            seen = (lk, ln_, look.text[li, 0, 0] if lk == STR else None)
            known = found.get(seen)
            if known is not None:
                out[i], err[i] = known
                continue
            found[seen] = _match_one(arr, ai, mt, emt, mi, look, li, lk, ln_, cache)
            out[i], err[i] = found[seen]
            continue
        out[i], err[i] = _match_one(arr, ai, mt, emt, mi, look, li, lk, ln_, cache)
    return finish(out, err)


def _match_one(arr, ai, mt, emt, mi, look, li, lk, ln_, cache) -> tuple[float, float]:
    """(position, error code) of one MATCH lookup (a value that is not an error)."""
    if emt[mi, 0, 0]:
        return 0.0, float(emt[mi, 0, 0])
    mtype = int(np.sign(np.trunc(mt[mi, 0, 0])))
    kinds = arr.kind[ai].reshape(-1)
    nums = arr.num[ai].reshape(-1)
    texts = arr.text[ai].reshape(-1) if arr.text is not None else None
    lt = look.text[li, 0, 0] if lk == STR else None
    if lk == EMPTY:
        lk, ln_ = NUM, 0.0
    if mtype == 0:
        if lk == STR and has_wild(lt):
            rx = wildcard_regex(lt)
            pos = next((j for j in range(kinds.shape[0]) if kinds[j] == STR and rx.fullmatch(texts[j])), None)
        else:
            table = cache.get(ai)
            if table is None:
                table = {}
                for j in range(kinds.shape[0] - 1, -1, -1):
                    table[_key(kinds[j], nums[j], texts[j] if texts is not None else None)] = j
                cache[ai] = table
            pos = table.get(_key(lk, ln_, lt))
    else:
        pos = _approx_match(kinds, nums, texts, lk, ln_, lt, mtype)
    if pos is None:
        return 0.0, float(E.NA)
    return float(pos + 1), 0.0


def _approx_match(kinds, nums, texts, lk, ln_, lt, mtype):
    """Binary search as Excel does on sorted data (ascending for 1, descending for -1)."""
    same = np.nonzero(kinds == (STR if lk == STR else (BOOL if lk == BOOL else NUM)))[0]
    if same.size == 0:
        return None
    if lk == STR:
        keys = [str(texts[j]).casefold() for j in same]
        target = lt.casefold()
    else:
        keys = nums[same]
        target = ln_
    if mtype > 0:
        import bisect

        k = bisect.bisect_right(list(keys), target) - 1
        return int(same[k]) if k >= 0 else None
    pos = None
    for idx, key in zip(same, keys):  # descending: the last value >= target
        if key >= target:
            pos = int(idx)
        else:
            break
    return pos


def _lookup(horizontal: bool):
    def impl(ev, args):
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
            approx = bool(b[0, 0, 0])
        if table.n > 1 or idx.shape[0] > 1:
            raise NotVectorizable("VLOOKUP over a moving table")
        k = int(np.trunc(idx[0, 0, 0]))
        h, w = table.hw
        if eidx[0, 0, 0]:
            return Values.error(int(eidx[0, 0, 0]))
        if k < 1:
            return Values.error(E.VALUE)
        if k > (h if horizontal else w):
            return Values.error(E.REF)
        first = Values(table.kind[:, :1, :] if horizontal else table.kind[:, :, :1],
                       table.num[:, :1, :] if horizontal else table.num[:, :, :1],
                       None if table.text is None else (table.text[:, :1, :] if horizontal else table.text[:, :, :1]))
        if horizontal:
            first = Values(first.kind.transpose(0, 2, 1), first.num.transpose(0, 2, 1),
                           None if first.text is None else first.text.transpose(0, 2, 1))
        pos = _match_values(look, first, 1 if approx else 0)
        nfound = pos.kind[:, 0, 0] == ERR
        p = np.where(nfound, 1, pos.num[:, 0, 0]).astype(np.int64) - 1
        if horizontal:
            kind = table.kind[0, k - 1, p]
            num = table.num[0, k - 1, p]
            text = None if table.text is None else table.text[0, k - 1, p]
        else:
            kind = table.kind[0, p, k - 1]
            num = table.num[0, p, k - 1]
            text = None if table.text is None else table.text[0, p, k - 1]
        kind = np.where(nfound, ERR, kind).astype(np.uint8)
        num = np.where(nfound, pos.num[:, 0, 0], num)
        return Values(col(kind), col(num), None if text is None else col(text))

    return impl


def _match_values(look: Values, arr: Values, mtype: int) -> Values:
    class _Const:
        def __init__(self, v):
            self.v = v

    class _Shim:
        def scalar(self, node):
            return node.v

        def eval(self, node):
            return node.v

    return _match(_Shim(), [_Const(look), _Const(arr), _Const(Values.number(float(mtype)))])


register("VLOOKUP")(_lookup(False))
register("HLOOKUP")(_lookup(True))


def _rowcol(which: str):
    def impl(ev, args):
        ctx = ev.ctx
        if not args:
            return Values.number((ctx.rows if which == "ROW" else ctx.cols).astype(float))
        v = ev.eval(args[0])
        if v.ref is None:
            return Values.error(E.VALUE)
        base = v.ref.row0 if which == "ROW" else v.ref.col0
        return Values.number(np.asarray(base, float).reshape(-1))

    return impl


register("ROW")(_rowcol("ROW"))
register("COLUMN")(_rowcol("COLUMN"))


@register("ROWS")
def _rows(ev, args):
    v = ev.eval(args[0])
    return Values.number(float(v.extent[0]))


@register("COLUMNS")
def _columns(ev, args):
    v = ev.eval(args[0])
    return Values.number(float(v.extent[1]))
