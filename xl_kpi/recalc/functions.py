"""Native Excel functions, each computed for every cell of a shape at once.

Every function takes the evaluator and its argument nodes, and returns :class:`~.values.Values`
of ``n`` instances. Most evaluate their arguments first (decorators below); the lazy ones (IF,
IFERROR, AND, OR, CHOOSE, IFS) evaluate a branch only when some cell needs it.

Functions not written here but known to pycel's Excel library are run through it one cell at a
time (:func:`pycel_function`); unknown functions are ``#NAME?``.
"""

from __future__ import annotations

import re
from typing import Callable

import numpy as np

from .evaluator import Evaluator, NotVectorizable, align, combine_errors
from .values import (BOOL, EMPTY, ERR, NUM, STR, E, RefInfo, Values, days64_to_serial, format_general,
                     numbers, serial_to_days64, text_to_number, to_text, truthy)

__all__ = ["FUNCTIONS"]

Impl = Callable[[Evaluator, list], Values]
FUNCTIONS: dict[str, Impl] = {}


def register(*names: str):
    def deco(f: Impl) -> Impl:
        for n in names:
            FUNCTIONS[n] = f
        return f

    return deco


# ---------------------------------------------------------------------------------------------
# helpers


def _first_error(kind: np.ndarray, num: np.ndarray) -> np.ndarray:
    """Per instance: the code of the first error in row-major order, 0 if none. Shape (n,)."""
    iserr = (kind == ERR).reshape(kind.shape[0], -1)
    if not iserr.any():
        return np.zeros(kind.shape[0])
    first = iserr.argmax(axis=1)
    codes = num.reshape(num.shape[0], -1)[np.arange(num.shape[0]), first]
    return np.where(iserr.any(axis=1), codes, 0.0)


def _col(x: np.ndarray) -> np.ndarray:
    return x.reshape(-1, 1, 1)


def _numeric_items(v: Values) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(values, is-counted mask, error code per instance) of one aggregate argument.

    A range, or an array, contributes its numbers only (text, logicals, blanks skipped); a value
    typed directly (1, TRUE, "3") counts as a number, and text that is not one is #VALUE!.
    """
    if v.ref is not None or not v.is_cell:
        mask = v.kind == NUM
        return np.where(mask, v.num, 0.0), mask, _first_error(v.kind, v.num)
    x, err = numbers(v)
    ok = (err == 0) & (v.kind != EMPTY)
    return np.where(ok, x, 0.0), ok, err[:, 0, 0]


def _aggregate_args(ev: Evaluator, args: list):
    vals = [ev.eval(a) for a in args]
    n = max([v.n for v in vals] + [ev.ctx.n if any(v.n > 1 for v in vals) else 1])
    total_err = np.zeros(n)
    parts = []
    for v in vals:
        x, mask, err = _numeric_items(v)
        total_err = np.where(total_err != 0, total_err, np.broadcast_to(err, (n,)))
        parts.append((x.reshape(x.shape[0], -1), mask.reshape(mask.shape[0], -1)))
    return parts, total_err, n


def _finish(x: np.ndarray, err: np.ndarray) -> Values:
    return Values.from_numbers(_col(np.asarray(x, dtype=np.float64)), _col(err))


# ---------------------------------------------------------------------------------------------
# aggregates


@register("SUM")
def _sum(ev, args):
    parts, err, n = _aggregate_args(ev, args)
    total = np.zeros(n)
    for x, _ in parts:
        total = total + x.sum(axis=1)
    return _finish(total, err)


@register("AVERAGE")
def _average(ev, args):
    parts, err, n = _aggregate_args(ev, args)
    total, count = np.zeros(n), np.zeros(n)
    for x, m in parts:
        total = total + x.sum(axis=1)
        count = count + m.sum(axis=1)
    err = np.where((err == 0) & (count == 0), E.DIV0, err)
    with np.errstate(all="ignore"):
        return _finish(total / np.where(count == 0, 1, count), err)


def _extreme(ev, args, fn, init):
    parts, err, n = _aggregate_args(ev, args)
    best = np.full(n, init)
    seen = np.zeros(n, bool)
    for x, m in parts:
        if x.shape[1]:
            best = fn(best, np.where(m, x, init).__getattribute__("max" if fn is np.maximum else "min")(axis=1))
            seen |= m.any(axis=1)
    return _finish(np.where(seen, best, 0.0), err)


@register("MAX")
def _max(ev, args):
    return _extreme(ev, args, np.maximum, -np.inf)


@register("MIN")
def _min(ev, args):
    return _extreme(ev, args, np.minimum, np.inf)


@register("COUNT")
def _count(ev, args):
    n = 1
    total = 0
    for a in args:
        v = ev.eval(a)
        if v.ref is not None or not v.is_cell:
            c = (v.kind == NUM).reshape(v.n, -1).sum(axis=1)
        else:
            x, e = numbers(v)
            c = ((e == 0) & (v.kind != EMPTY)).reshape(v.n, -1).sum(axis=1)
        total = total + c
        n = max(n, v.n)
    return Values.number(np.broadcast_to(np.asarray(total, float), (n,)).copy())


@register("COUNTA")
def _counta(ev, args):
    n = 1
    total = 0
    for a in args:
        v = ev.eval(a)
        total = total + (v.kind != EMPTY).reshape(v.n, -1).sum(axis=1)
        n = max(n, v.n)
    return Values.number(np.broadcast_to(np.asarray(total, float), (n,)).copy())


@register("COUNTBLANK")
def _countblank(ev, args):
    v = ev.eval(args[0])
    blank = (v.kind == EMPTY) | ((v.kind == STR) & (v.texts() == ""))
    return Values.number(blank.reshape(v.n, -1).sum(axis=1).astype(float))


@register("SUMPRODUCT")
def _sumproduct(ev, args):
    if not args:
        return Values.error(E.VALUE)
    vals = [ev.eval_array(a) for a in args]
    shapes = {v.hw for v in vals}
    if len(shapes) != 1:
        return Values.error(E.VALUE, max(v.n for v in vals))
    n = max(v.n for v in vals)
    prod = None
    err = np.zeros(n)
    for v in vals:
        x = np.where(v.kind == NUM, v.num, 0.0)
        err = np.where(err != 0, err, np.broadcast_to(_first_error(v.kind, v.num), (n,)))
        prod = x if prod is None else prod * x
    total = np.broadcast_to(prod, (n, *vals[0].hw)).reshape(n, -1).sum(axis=1)
    return _finish(total, err)


# ---------------------------------------------------------------------------------------------
# element-wise maths


def elementwise(*names: str, arity: tuple[int, int], defaults: tuple = ()):
    """Register a function of numbers applied element by element: f(*arrays) -> (x, err)."""

    def deco(f):
        def impl(ev, args):
            if not arity[0] <= len(args) <= arity[1]:
                return Values.error(E.VALUE)
            vals = [ev.scalar(a) for a in args]
            for d in defaults[len(args) - arity[0]:] if len(args) < arity[1] else ():
                vals.append(Values.number(d))
            vals = align(*vals)
            xs, errs = zip(*(numbers(v) for v in vals))
            err = combine_errors(*errs)
            with np.errstate(all="ignore"):
                x, e2 = f(*xs)
            return Values.from_numbers(np.asarray(x, np.float64), combine_errors(err, e2))

        for n in names:
            FUNCTIONS[n] = impl
        return f

    return deco


def _ok(x):
    return np.zeros(np.shape(x))


def _round_to(x, d, mode):
    d = np.trunc(d)
    f = np.power(10.0, d)
    y = np.abs(x) * f
    eps = np.abs(y) * 4e-15
    if mode == "half":
        r = np.floor(y + 0.5 + eps)
    elif mode == "up":
        r = np.ceil(y - eps)
    else:
        r = np.floor(y + eps)
    return np.sign(x) * r / f


@elementwise("ROUND", arity=(2, 2))
def _round(x, d):
    return _round_to(x, d, "half"), _ok(x)


@elementwise("ROUNDUP", arity=(2, 2))
def _roundup(x, d):
    return _round_to(x, d, "up"), _ok(x)


@elementwise("ROUNDDOWN", arity=(2, 2))
def _rounddown(x, d):
    return _round_to(x, d, "down"), _ok(x)


@elementwise("TRUNC", arity=(1, 2), defaults=(0,))
def _trunc(x, d):
    return _round_to(x, d, "down"), _ok(x)


@elementwise("INT", arity=(1, 1))
def _int(x):
    return np.floor(x), _ok(x)


@elementwise("ABS", arity=(1, 1))
def _abs(x):
    return np.abs(x), _ok(x)


@elementwise("SIGN", arity=(1, 1))
def _sign(x):
    return np.sign(x), _ok(x)


@elementwise("SQRT", arity=(1, 1))
def _sqrt(x):
    return np.sqrt(np.where(x < 0, 0, x)), np.where(x < 0, E.NUM, 0)


@elementwise("EXP", arity=(1, 1))
def _exp(x):
    return np.exp(x), _ok(x)


@elementwise("LN", arity=(1, 1))
def _ln(x):
    return np.log(np.where(x <= 0, 1, x)), np.where(x <= 0, E.NUM, 0)


@elementwise("LOG10", arity=(1, 1))
def _log10(x):
    return np.log10(np.where(x <= 0, 1, x)), np.where(x <= 0, E.NUM, 0)


@elementwise("LOG", arity=(1, 2), defaults=(10,))
def _log(x, b):
    bad = (x <= 0) | (b <= 0)
    div0 = ~bad & (b == 1)
    return (np.log(np.where(bad, 1, x)) / np.log(np.where(bad | div0, 2, b)),
            np.where(bad, E.NUM, np.where(div0, E.DIV0, 0)))


@elementwise("MOD", arity=(2, 2))
def _mod(x, d):
    return x - d * np.floor(x / np.where(d == 0, 1, d)), np.where(d == 0, E.DIV0, 0)


@elementwise("POWER", arity=(2, 2))
def _power(x, p):
    err = np.where((x == 0) & (p < 0), E.DIV0, np.where((x == 0) & (p == 0), E.NUM, 0))
    return np.power(x, p), err


# ---------------------------------------------------------------------------------------------
# dates


def _months(days64: np.ndarray) -> np.ndarray:
    return days64.astype("datetime64[M]")


def _date_ok(serial: np.ndarray) -> np.ndarray:
    return (serial >= 0) & (serial < 2958466)


@elementwise("DATE", arity=(3, 3))
def _date(y, m, d):
    y, m, d = np.trunc(y), np.trunc(m), np.trunc(d)
    y = np.where(y < 1900, y + 1900, y)
    bad = (y < 1900) | (y > 9999)
    month_index = (np.where(bad, 2000, y) - 1970) * 12 + (m - 1)
    bad = bad | (month_index < -70 * 12) | (month_index > (9999 - 1970) * 12 + 11)
    month_index = np.where(bad, 0, month_index)
    first = month_index.astype(np.int64).astype("datetime64[M]").astype("datetime64[D]")
    serial = days64_to_serial(first) + (np.where(bad, 1, d) - 1)
    bad = bad | (serial < 0)
    return serial, np.where(bad, E.NUM, 0)


@elementwise("EOMONTH", arity=(2, 2))
def _eomonth(start, months):
    bad = ~_date_ok(start)
    days = serial_to_days64(np.where(bad, 1, start))
    nxt = _months(days) + (np.trunc(months).astype(np.int64) + 1)
    serial = days64_to_serial(nxt.astype("datetime64[D]") - 1)
    bad = bad | ~_date_ok(serial)
    return serial, np.where(bad, E.NUM, 0)


@elementwise("EDATE", arity=(2, 2))
def _edate(start, months):
    bad = ~_date_ok(start)
    days = serial_to_days64(np.where(bad, 1, start))
    month = _months(days)
    target = month + np.trunc(months).astype(np.int64)
    dom = (days - month.astype("datetime64[D]")).astype(np.int64)
    last = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(np.int64) - 1
    serial = days64_to_serial(target.astype("datetime64[D]") + np.minimum(dom, last))
    bad = bad | ~_date_ok(serial)
    return serial, np.where(bad, E.NUM, 0)


def _part(which):
    def f(serial):
        from ..excel_dates import serial_to_ymd  # Excel's reading: serial 0 is 1900-01-00, 60 is 1900-02-29

        bad = ~_date_ok(serial)
        x = serial_to_ymd(np.where(bad, 1, serial))["YMD".index(which)]
        return x.astype(np.float64), np.where(bad, E.NUM, 0)

    return f


elementwise("YEAR", arity=(1, 1))(_part("Y"))
elementwise("MONTH", arity=(1, 1))(_part("M"))
elementwise("DAY", arity=(1, 1))(_part("D"))


# ---------------------------------------------------------------------------------------------
# logic


def _select(mask: np.ndarray, a: Values, b: Values) -> Values:
    a, b, _ = align(a, b, Values.boolean(mask) if mask.ndim == 3 else Values.boolean(mask.reshape(-1, 1, 1)))
    m = np.broadcast_to(mask if mask.ndim == 3 else mask.reshape(-1, 1, 1), a.kind.shape)
    text = None
    if a.text is not None or b.text is not None:
        text = np.where(m, a.texts() if a.text is not None else "", b.texts() if b.text is not None else "")
    return Values(np.where(m, a.kind, b.kind).astype(np.uint8), np.where(m, a.num, b.num), text)


@register("IF")
def _if(ev, args):
    if not 1 <= len(args) <= 3:
        return Values.error(E.VALUE)
    cond = ev.scalar(args[0])
    b, err = truthy(cond)
    then_node = args[1] if len(args) > 1 else None
    if len(args) > 1:
        yes = ev.scalar(then_node) if (b & (err == 0)).any() else Values.empty()
        if then_node is None:
            yes = Values.number(0.0)
    else:
        yes = Values.boolean(True)
    if len(args) > 2:
        no = ev.scalar(args[2]) if (~b & (err == 0)).any() else Values.empty()
        if args[2] is None:
            no = Values.number(0.0)
    else:
        no = Values.boolean(False)
    out = _select(b, yes, no)
    if (err != 0).any():
        e = np.broadcast_to(err, out.kind.shape)
        out = Values(np.where(e != 0, ERR, out.kind).astype(np.uint8), np.where(e != 0, e, out.num), out.text)
    return out


@register("IFERROR")
def _iferror(ev, args):
    if len(args) != 2:
        return Values.error(E.VALUE)
    v = ev.scalar(args[0])
    bad = v.kind == ERR
    return _select(~bad, v.drop_ref(), ev.scalar(args[1])) if bad.any() else v


def _ifna(ev, args):
    if len(args) != 2:
        return Values.error(E.VALUE)
    v = ev.scalar(args[0])
    bad = (v.kind == ERR) & (v.num == E.NA)
    return _select(~bad, v.drop_ref(), ev.scalar(args[1])) if bad.any() else v


FUNCTIONS["IFNA"] = _ifna


@register("IFS")
def _ifs(ev, args):
    if len(args) < 2 or len(args) % 2:
        return Values.error(E.VALUE)
    out = Values.error(E.NA)
    done = np.zeros(1, bool)
    pairs = [(args[i], args[i + 1]) for i in range(0, len(args), 2)]
    result = None
    for cond_node, val_node in pairs:
        b, err = truthy(ev.scalar(cond_node))
        b = b.reshape(b.shape[0], -1)[:, 0]
        err = err.reshape(err.shape[0], -1)[:, 0]
        take = ~done & (b | (err != 0))
        if take.any():
            val = ev.scalar(val_node)
            errv = Values.from_numbers(np.zeros((len(err), 1, 1)), _col(err))
            chosen = _select(_col(err == 0), val, errv)
            result = chosen if result is None else _select(_col(take), chosen, result)
        done = done | take
        if done.all():
            break
    if result is None:
        return out
    return _select(_col(done), result, out)


def _logical(ev, args, how):
    n = 1
    acc = None
    seen = None
    err = None
    for a in args:
        v = ev.eval(a)
        if v.ref is not None or not v.is_cell:
            m = (v.kind == NUM) | (v.kind == BOOL)
            b = (v.num != 0) & m
            e = _first_error(v.kind, v.num)
        else:
            bb, ee = truthy(v)
            m = (v.kind != EMPTY) & (ee == 0)
            b = bb & m
            e = ee[:, 0, 0]
        flat_b = b.reshape(b.shape[0], -1)
        flat_m = m.reshape(m.shape[0], -1)
        part = flat_b.any(axis=1) if how == "or" else (flat_b | ~flat_m).all(axis=1)
        acc = part if acc is None else (acc | part if how == "or" else acc & part)
        s = flat_m.any(axis=1)
        seen = s if seen is None else seen | s
        err = e if err is None else np.where(err != 0, err, e)
    if acc is None:
        return Values.error(E.VALUE)
    err = np.where((err == 0) & ~seen, E.VALUE, err)
    iserr = err != 0
    return Values(_col(np.where(iserr, ERR, BOOL).astype(np.uint8)), _col(np.where(iserr, err, acc.astype(float))))


@register("AND")
def _and(ev, args):
    return _logical(ev, args, "and")


@register("OR")
def _or(ev, args):
    return _logical(ev, args, "or")


@register("NOT")
def _not(ev, args):
    if len(args) != 1:
        return Values.error(E.VALUE)
    b, err = truthy(ev.scalar(args[0]))
    iserr = err != 0
    return Values(np.where(iserr, ERR, BOOL).astype(np.uint8), np.where(iserr, err, (~b).astype(float)))


@register("TRUE")
def _true(ev, args):
    return Values.boolean(True)


@register("FALSE")
def _false(ev, args):
    return Values.boolean(False)


@register("NA")
def _na(ev, args):
    return Values.error(E.NA)


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
            result = _select(pick, ev.scalar(args[k]), result)
    return result


def _is(test):
    def impl(ev, args):
        if len(args) != 1:
            return Values.error(E.VALUE)
        v = ev.scalar(args[0])
        return Values.boolean(test(v))

    return impl


FUNCTIONS["ISBLANK"] = _is(lambda v: v.kind == EMPTY)
FUNCTIONS["ISERROR"] = _is(lambda v: v.kind == ERR)
FUNCTIONS["ISERR"] = _is(lambda v: (v.kind == ERR) & (v.num != E.NA))
FUNCTIONS["ISNA"] = _is(lambda v: (v.kind == ERR) & (v.num == E.NA))
FUNCTIONS["ISNUMBER"] = _is(lambda v: v.kind == NUM)
FUNCTIONS["ISTEXT"] = _is(lambda v: v.kind == STR)
FUNCTIONS["ISLOGICAL"] = _is(lambda v: v.kind == BOOL)


# ---------------------------------------------------------------------------------------------
# lookup


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
    h, w = arr.hw
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
    ri = np.where(bad, 0, r - 1).astype(np.int64)
    ci = np.where(bad, 0, c - 1).astype(np.int64)
    a = arr.expand(n)
    inst = np.arange(n)
    kind = a.kind[inst, ri, ci]
    num = a.num[inst, ri, ci]
    text = None if a.text is None else a.text[inst, ri, ci]
    iserr = err != 0
    kind = np.where(iserr, ERR, kind).astype(np.uint8)
    num = np.where(iserr, err, num)
    ref = None
    if arr.ref is not None:
        ref = RefInfo(arr.ref.sheet, np.broadcast_to(arr.ref.row0, (n,)) + ri,
                      np.broadcast_to(arr.ref.col0, (n,)) + ci)
    return Values(_col(kind), _col(num), None if text is None else _col(text), ref)


def _key(kind: int, num: float, text) -> tuple:
    if kind == STR:
        return (STR, str(text).casefold())
    if kind == EMPTY:
        return (EMPTY, 0)
    return (int(kind), float(num))


_WILD = re.compile(r"~([*?~])|([*?])|([^*?~]+|~)")


def wildcard_regex(pattern: str) -> re.Pattern:
    """Excel's wildcards: ``*`` any run, ``?`` one character, ``~`` escapes them."""
    out = []
    for m in _WILD.finditer(pattern):
        if m.group(1):
            out.append(re.escape(m.group(1)))
        elif m.group(2):
            out.append(".*" if m.group(2) == "*" else ".")
        else:
            out.append(re.escape(m.group(3)))
    return re.compile("".join(out), re.S | re.I)


def _has_wild(s: str) -> bool:
    return "*" in s or "?" in s


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
    for i in range(n):
        li = i if look.n > 1 else 0
        ai = i if arr.n > 1 else 0
        mi = i if mt.shape[0] > 1 else 0
        lk, ln_ = int(look.kind[li, 0, 0]), float(look.num[li, 0, 0])
        if lk == ERR:
            err[i] = ln_
            continue
        if emt[mi, 0, 0]:
            err[i] = emt[mi, 0, 0]
            continue
        mtype = int(np.sign(np.trunc(mt[mi, 0, 0])))
        kinds = arr.kind[ai].reshape(-1)
        nums = arr.num[ai].reshape(-1)
        texts = arr.text[ai].reshape(-1) if arr.text is not None else None
        lt = look.text[li, 0, 0] if lk == STR else None
        if lk == EMPTY:
            lk, ln_ = NUM, 0.0
        if mtype == 0:
            if lk == STR and _has_wild(lt):
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
            err[i] = E.NA
        else:
            out[i] = pos + 1
    return _finish(out, err)


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
        return Values(_col(kind), _col(num), None if text is None else _col(text))

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


FUNCTIONS["VLOOKUP"] = _lookup(False)
FUNCTIONS["HLOOKUP"] = _lookup(True)


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


FUNCTIONS["ROW"] = _rowcol("ROW")
FUNCTIONS["COLUMN"] = _rowcol("COLUMN")


@register("ROWS")
def _rows(ev, args):
    v = ev.eval(args[0])
    return Values.number(float(v.hw[0]))


@register("COLUMNS")
def _columns(ev, args):
    v = ev.eval(args[0])
    return Values.number(float(v.hw[1]))


# ---------------------------------------------------------------------------------------------
# conditional aggregates: SUMIFS, COUNTIFS, AVERAGEIFS, SUMIF, COUNTIF, AVERAGEIF, MAXIFS, MINIFS

_CRIT_OP = re.compile(r"^(<=|>=|<>|<|>|=)?(.*)$", re.S)


class Criterion:
    """One criterion of SUMIFS and friends: an operator and a number, text or pattern."""

    __slots__ = ("op", "kind", "num", "text", "regex")

    def __init__(self, kind: int, num: float, text: str | None):
        self.regex = None
        self.text = None
        self.num = 0.0
        if kind == STR:
            m = _CRIT_OP.match(text)
            op, rest = m.group(1) or "=", m.group(2)
            self.op = op
            x = text_to_number(rest) if rest.strip() else None
            if x is not None:
                self.kind, self.num = NUM, x
            elif rest.upper() in ("TRUE", "FALSE"):
                self.kind, self.num = BOOL, float(rest.upper() == "TRUE")
            elif rest == "" and m.group(1) is None:
                self.kind, self.op = EMPTY, "blank"
            else:
                self.kind, self.text = STR, rest
                if op in ("=", "<>") and _has_wild(rest):
                    self.regex = wildcard_regex(rest)
        elif kind == EMPTY:
            self.op, self.kind, self.num = "=", NUM, 0.0
        else:
            self.op, self.kind, self.num = "=", kind, num

    @property
    def plain_equality(self) -> bool:
        return self.op == "=" and self.regex is None and self.kind in (NUM, STR, BOOL)

    def key(self):
        return (self.kind, self.text.casefold()) if self.kind == STR else (self.kind, self.num)

    def mask(self, kind: np.ndarray, num: np.ndarray, text) -> np.ndarray:
        op = self.op
        if op == "blank":
            return (kind == EMPTY) | ((kind == STR) & (_texts(kind, text) == ""))
        if self.kind == STR:
            if op in ("=", "<>"):
                t = _texts(kind, text)
                if self.regex is not None:
                    hit = np.array([bool(self.regex.fullmatch(s)) for s in t.reshape(-1)]).reshape(t.shape) & (kind == STR)
                elif self.text == "":
                    hit = (kind == EMPTY) | ((kind == STR) & (t == ""))
                else:
                    target = self.text.casefold()
                    hit = (kind == STR) & (np.char.lower(t.astype(str)) == target) if t.size else np.zeros(t.shape, bool)
                return hit if op == "=" else ~hit
            t = _texts(kind, text)
            folded = np.array([s.casefold() for s in t.reshape(-1)], dtype=object).reshape(t.shape)
            target = self.text.casefold()
            cmp = {"<": folded < target, ">": folded > target, "<=": folded <= target, ">=": folded >= target}[op]
            return (kind == STR) & cmp.astype(bool)
        if op == "<>":
            return ~((kind == self.kind) & (num == self.num))
        sel = kind == self.kind
        with np.errstate(invalid="ignore"):
            cmp = {"=": num == self.num, "<": num < self.num, ">": num > self.num,
                   "<=": num <= self.num, ">=": num >= self.num}[op]
        return sel & cmp


def _texts(kind, text) -> np.ndarray:
    if text is None:
        return np.full(kind.shape, "", object)
    return np.where(kind == STR, text, "")


def _criteria_values(ev, node) -> list[Criterion]:
    v = ev.scalar(node)
    out = []
    for i in range(v.n):
        k = int(v.kind[i, 0, 0])
        out.append(Criterion(k, float(v.num[i, 0, 0]), v.text[i, 0, 0] if k == STR else None))
    return out


def _conditional(ev, value_node, pairs, how: str) -> Values:
    """SUMIFS-style aggregation: how is "sum", "count", "average", "max" or "min"."""
    ranges = [ev.eval(r) for r, _ in pairs]
    crits = [_criteria_values(ev, c) for _, c in pairs]
    target = ev.eval(value_node) if value_node is not None else None
    hw = ranges[0].hw
    if any(r.hw != hw for r in ranges) or (target is not None and target.hw != hw):
        return Values.error(E.VALUE)
    n = max([r.n for r in ranges] + [len(c) for c in crits] + ([target.n] if target is not None else []))
    if any(r.kind.shape[1:] == (1, 1) and r.ref is None and r.kind[0, 0, 0] == ERR for r in ranges):
        return Values.error(int(ranges[0].num[0, 0, 0]), n)
    tvals = tmask = None
    if target is not None:
        tmask = target.kind == NUM
        tvals = np.where(tmask, target.num, 0.0)
    if n > 1 and all(r.n == 1 for r in ranges) and (target is None or target.n == 1) \
            and all(c.plain_equality for cs in crits for c in cs) and how in ("sum", "count", "average"):
        return _conditional_grouped(ranges, crits, tvals, tmask, how, n)
    out = np.zeros(n)
    err = np.zeros(n)
    mask_cache: dict = {}
    for i in range(n):
        mask = None
        for j, r in enumerate(ranges):
            ri = i if r.n > 1 else 0
            c = crits[j][i if len(crits[j]) > 1 else 0]
            key = (j, ri, id(c) if len(crits[j]) > 1 else 0)
            m = mask_cache.get(key) if r.n == 1 and len(crits[j]) == 1 else None
            if m is None:
                m = c.mask(r.kind[ri], r.num[ri], None if r.text is None else r.text[ri])
                if r.n == 1 and len(crits[j]) == 1:
                    mask_cache[key] = m
            mask = m if mask is None else mask & m
        if target is None:
            out[i] = mask.sum()
            continue
        ti = i if target.n > 1 else 0
        sel = mask & tmask[ti]
        if how == "sum":
            out[i] = tvals[ti][mask].sum()
        elif how == "average":
            cnt = sel.sum()
            if cnt == 0:
                err[i] = E.DIV0
            else:
                out[i] = tvals[ti][sel].sum() / cnt
        elif how in ("max", "min"):
            vals = tvals[ti][sel]
            out[i] = (vals.max() if how == "max" else vals.min()) if vals.size else 0.0
    return _finish(out, err)


def _conditional_grouped(ranges, crits, tvals, tmask, how, n) -> Values:
    """Equality criteria that vary by cell over fixed ranges: one pass to group, then look up."""
    keys = []
    for r in ranges:
        k, x = r.kind[0].reshape(-1), r.num[0].reshape(-1)
        t = r.text[0].reshape(-1) if r.text is not None else None
        col = []
        for j in range(k.shape[0]):
            kk = int(k[j])
            if kk == STR:
                s = t[j]
                tx = text_to_number(s)
                col.append((STR, s.casefold()) if tx is None else ((STR, s.casefold()), (NUM, tx)))
            elif kk == EMPTY:
                col.append(None)
            else:
                col.append((kk, float(x[j])))
        keys.append(col)
    sums: dict = {}
    counts: dict = {}
    flat_vals = tvals.reshape(-1) if tvals is not None else None
    flat_mask = tmask.reshape(-1) if tmask is not None else None
    size = len(keys[0])
    for j in range(size):
        parts = [col[j] for col in keys]
        if any(p is None for p in parts):
            continue
        options = [[p] if not isinstance(p[0], tuple) else list(p) for p in parts]
        combos = [()]
        for o in options:
            combos = [c + (x,) for c in combos for x in o]
        for combo in combos:
            if flat_vals is None:
                counts[combo] = counts.get(combo, 0) + 1
            elif flat_mask[j]:
                sums[combo] = sums.get(combo, 0.0) + flat_vals[j]
                counts[combo] = counts.get(combo, 0) + 1
            else:
                sums.setdefault(combo, 0.0)
    out = np.zeros(n)
    err = np.zeros(n)
    for i in range(n):
        combo = tuple(cs[i if len(cs) > 1 else 0].key() for cs in crits)
        if how == "count":
            out[i] = counts.get(combo, 0)
        elif how == "sum":
            out[i] = sums.get(combo, 0.0)
        else:
            c = counts.get(combo, 0)
            if c == 0:
                err[i] = E.DIV0
            else:
                out[i] = sums[combo] / c
    return _finish(out, err)


@register("SUMIFS")
def _sumifs(ev, args):
    if len(args) < 3 or len(args) % 2 == 0:
        return Values.error(E.VALUE)
    return _conditional(ev, args[0], list(zip(args[1::2], args[2::2])), "sum")


@register("AVERAGEIFS")
def _averageifs(ev, args):
    if len(args) < 3 or len(args) % 2 == 0:
        return Values.error(E.VALUE)
    return _conditional(ev, args[0], list(zip(args[1::2], args[2::2])), "average")


@register("MAXIFS")
def _maxifs(ev, args):
    if len(args) < 3 or len(args) % 2 == 0:
        return Values.error(E.VALUE)
    return _conditional(ev, args[0], list(zip(args[1::2], args[2::2])), "max")


@register("MINIFS")
def _minifs(ev, args):
    if len(args) < 3 or len(args) % 2 == 0:
        return Values.error(E.VALUE)
    return _conditional(ev, args[0], list(zip(args[1::2], args[2::2])), "min")


@register("COUNTIFS")
def _countifs(ev, args):
    if len(args) < 2 or len(args) % 2:
        return Values.error(E.VALUE)
    return _conditional(ev, None, list(zip(args[0::2], args[1::2])), "count")


@register("COUNTIF")
def _countif(ev, args):
    if len(args) != 2:
        return Values.error(E.VALUE)
    return _conditional(ev, None, [(args[0], args[1])], "count")


@register("SUMIF")
def _sumif(ev, args):
    if not 2 <= len(args) <= 3:
        return Values.error(E.VALUE)
    return _conditional(ev, args[2] if len(args) == 3 else args[0], [(args[0], args[1])], "sum")


@register("AVERAGEIF")
def _averageif(ev, args):
    if not 2 <= len(args) <= 3:
        return Values.error(E.VALUE)
    return _conditional(ev, args[2] if len(args) == 3 else args[0], [(args[0], args[1])], "average")


# ---------------------------------------------------------------------------------------------
# text


@register("CONCATENATE", "CONCAT")
def _concat(ev, args):
    vals = [ev.scalar(a) for a in args]
    if not vals:
        return Values.string("")
    vals = align(*vals)
    out = None
    errs = []
    for v in vals:
        t, e = to_text(v)
        out = t if out is None else out + t
        errs.append(e)
    err = combine_errors(*errs)
    if err.any():
        return Values(np.where(err != 0, ERR, STR).astype(np.uint8), np.where(err != 0, err, 0.0), out)
    return Values.string(out)


@register("TEXT")
def _text(ev, args):
    if len(args) != 2:
        return Values.error(E.VALUE)
    from pycel.lib.text import text as pycel_text

    value, fmt = align(ev.scalar(args[0]), ev.scalar(args[1]))
    ft, fe = to_text(fmt)
    out = np.empty(value.kind.shape, object)
    err = combine_errors(np.where(value.kind == ERR, value.num, 0.0), fe)
    for idx in np.ndindex(value.kind.shape):
        if err[idx]:
            out[idx] = ""
            continue
        k = value.kind[idx]
        f = str(ft[idx])
        if k == STR:
            v = value.text[idx]
        elif k == BOOL:
            v = bool(value.num[idx])
        elif k == EMPTY:
            v = 0.0
        else:
            v = float(value.num[idx])
        if f.strip().lower() in ("general", ""):
            out[idx] = format_general(v) if isinstance(v, float) else (str(v).upper() if isinstance(v, bool) else v)
            continue
        try:
            r = pycel_text(v, f)
        except Exception:
            err[idx] = E.VALUE
            out[idx] = ""
            continue
        if isinstance(r, str) and r.startswith("#") and r in ("#VALUE!", "#NUM!"):
            err[idx] = E.VALUE if r == "#VALUE!" else E.NUM
            out[idx] = ""
        else:
            out[idx] = str(r)
    if err.any():
        return Values(np.where(err != 0, ERR, STR).astype(np.uint8), np.where(err != 0, err, 0.0), out)
    return Values.string(out)


def _text_fn(fn, arity):
    def impl(ev, args):
        if not arity[0] <= len(args) <= arity[1]:
            return Values.error(E.VALUE)
        vals = align(*[ev.scalar(a) for a in args])
        t0, e0 = to_text(vals[0])
        rest = [numbers(v) for v in vals[1:]]
        err = combine_errors(e0, *[e for _, e in rest])
        out = np.empty(t0.shape, object)
        isnum = np.zeros(t0.shape, bool)
        numout = np.zeros(t0.shape)
        for idx in np.ndindex(t0.shape):
            if err[idx]:
                out[idx] = ""
                continue
            r = fn(t0[idx], *[x[idx] for x, _ in rest])
            if isinstance(r, tuple):  # (error code,)
                err[idx] = r[0]
                out[idx] = ""
            elif isinstance(r, float):
                isnum[idx] = True
                numout[idx] = r
                out[idx] = ""
            else:
                out[idx] = r
        kind = np.where(err != 0, ERR, np.where(isnum, NUM, STR)).astype(np.uint8)
        return Values(kind, np.where(err != 0, err, numout), out)

    return impl


def _left(s, k=1.0):
    return (E.VALUE,) if k < 0 else s[: int(k)]


def _right(s, k=1.0):
    return (E.VALUE,) if k < 0 else (s[-int(k):] if int(k) else "")


def _mid(s, start, k):
    return (E.VALUE,) if start < 1 or k < 0 else s[int(start) - 1: int(start) - 1 + int(k)]


FUNCTIONS["LEFT"] = _text_fn(_left, (1, 2))
FUNCTIONS["RIGHT"] = _text_fn(_right, (1, 2))
FUNCTIONS["MID"] = _text_fn(_mid, (3, 3))
FUNCTIONS["LEN"] = _text_fn(lambda s: float(len(s)), (1, 1))
FUNCTIONS["UPPER"] = _text_fn(str.upper, (1, 1))
FUNCTIONS["LOWER"] = _text_fn(str.lower, (1, 1))
FUNCTIONS["TRIM"] = _text_fn(lambda s: re.sub(" +", " ", s).strip(" "), (1, 1))
FUNCTIONS["VALUE"] = _text_fn(lambda s: (lambda x: (E.VALUE,) if x is None else x)(text_to_number(s)), (1, 1))


# ---------------------------------------------------------------------------------------------
# pycel's library, one cell at a time, for the functions not written above


def _pycel_impl(name: str):
    import pycel.excellib as excellib
    from pycel.lib import date_time, information, logical, lookup, stats, text
    from pycel.lib.function_helpers import load_functions

    ns: dict = {}
    low = name.lower()
    for cand in (low, low + "_", "x_" + low):
        if not load_functions([cand], ns, (excellib, date_time, information, logical, lookup, stats, text)):
            return ns[cand]
    return None


_pycel_cache: dict[str, object] = {}


#: Functions returning references computed at run time: not supported (their cells are #NAME?).
UNSUPPORTED = frozenset({"OFFSET", "INDIRECT"})


def pycel_function(name: str) -> Impl | None:
    """An Excel function from pycel's library, run once per cell, or None if pycel lacks it."""
    if name in UNSUPPORTED:
        return None
    if name in _pycel_cache:
        f = _pycel_cache[name]
    else:
        try:
            f = _pycel_impl(name)
        except Exception:  # pragma: no cover - pycel missing or broken
            f = None
        _pycel_cache[name] = f
    if f is None:
        return None

    def impl(ev, args):
        vals = [ev.eval(a) if a is not None else None for a in args]
        n = max([v.n for v in vals if v is not None] + [1])
        results = []
        for i in range(n):
            py = [None if v is None else _to_pycel(v.instance(i)) for v in vals]
            try:
                r = f(*py)
            except Exception:
                r = "#VALUE!"
            results.append(_from_pycel(r))
        if n == 1:
            return results[0]
        if any(not r.is_cell for r in results):
            raise NotVectorizable(f"{name} returning arrays")
        return Values(np.concatenate([r.kind for r in results]), np.concatenate([r.num for r in results]),
                      _concat_text(results))

    return impl


def _concat_text(results):
    if all(r.text is None for r in results):
        return None
    return np.concatenate([r.text if r.text is not None else np.full(r.kind.shape, None, object) for r in results])


def _to_pycel(v: Values):
    from .package import ERROR_CODES

    def one(i, j):
        k = v.kind[0, i, j]
        if k == NUM:
            return float(v.num[0, i, j])
        if k == STR:
            return v.text[0, i, j]
        if k == BOOL:
            return bool(v.num[0, i, j])
        if k == ERR:
            return ERROR_CODES[int(v.num[0, i, j]) - 1]
        return None

    h, w = v.hw
    if h == 1 and w == 1 and v.ref is None:
        return one(0, 0)
    if h == 1 and w == 1:
        return one(0, 0)
    return tuple(tuple(one(i, j) for j in range(w)) for i in range(h))


def _from_pycel(r) -> Values:
    from .package import ERROR_CODE

    if isinstance(r, str) and r in ERROR_CODE:
        return Values.error(ERROR_CODE[r])
    if isinstance(r, tuple):
        return Values.from_python([list(row) if isinstance(row, tuple) else [row] for row in r])
    if isinstance(r, np.ndarray):
        return Values.from_python(r.tolist())
    try:
        return Values.from_python(r)
    except TypeError:
        return Values.error(E.VALUE)


# functions that depend on the time of the calculation
@register("TODAY")
def _today(ev, args):
    import datetime as dt

    from .values import date_to_serial

    return Values.number(float(int(date_to_serial(dt.date.today()))))


@register("NOW")
def _now(ev, args):
    import datetime as dt

    from .values import date_to_serial

    return Values.number(date_to_serial(dt.datetime.now()))


def lookup_function(name: str) -> Impl | None:
    f = FUNCTIONS.get(name)
    if f is not None:
        return f
    return pycel_function(name)

