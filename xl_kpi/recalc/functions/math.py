"""Maths & trig: SUM, SUMPRODUCT, SUMIF(S), SUBTOTAL, ROUND and the element-wise functions of numbers."""

from __future__ import annotations

import re

import numpy as np

from ..arrays import NotVectorizable
from ..values import NUM, E, Values, numbers
from .arguments import finish, first_error, ok
from .criteria import conditional
from .registry import aggregate, elementwise, register


@aggregate("SUM")
def _sum(parts, err, n):
    total = np.zeros(n)
    for x, _ in parts:
        total = total + x.sum(axis=1)
    return finish(total, err)


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
        err = np.where(err != 0, err, np.broadcast_to(first_error(v.kind, v.num), (n,)))
        prod = x if prod is None else prod * x
    total = np.broadcast_to(prod, (n, *vals[0].hw)).reshape(n, -1).sum(axis=1)
    return finish(total, err)


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
    return _round_to(x, d, "half"), ok(x)


@elementwise("ROUNDUP", arity=(2, 2))
def _roundup(x, d):
    return _round_to(x, d, "up"), ok(x)


@elementwise("ROUNDDOWN", arity=(2, 2))
def _rounddown(x, d):
    return _round_to(x, d, "down"), ok(x)


@elementwise("TRUNC", arity=(1, 2), defaults=(0,))
def _trunc(x, d):
    return _round_to(x, d, "down"), ok(x)


@elementwise("INT", arity=(1, 1))
def _int(x):
    return np.floor(x), ok(x)


@elementwise("ABS", arity=(1, 1))
def _abs(x):
    return np.abs(x), ok(x)


@elementwise("SIGN", arity=(1, 1))
def _sign(x):
    return np.sign(x), ok(x)


@elementwise("SQRT", arity=(1, 1))
def _sqrt(x):
    return np.sqrt(np.where(x < 0, 0, x)), np.where(x < 0, E.NUM, 0)


@elementwise("EXP", arity=(1, 1))
def _exp(x):
    return np.exp(x), ok(x)


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
    """x - d*INT(x/d); #NUM! when the quotient is 2**53 or more (not an exact integer in a
    double, so no remainder is meaningful: Excel's MOD(1E300,7) is #NUM!)."""
    q = x / np.where(d == 0, 1, d)
    err = np.where(d == 0, E.DIV0, np.where(~(np.abs(q) < 2.0 ** 53), E.NUM, 0))
    return x - d * np.floor(np.where(err == 0, q, 0)), err


@elementwise("POWER", arity=(2, 2))
def _power(x, p):
    err = np.where((x == 0) & (p < 0), E.DIV0, np.where((x == 0) & (p == 0), E.NUM, 0))
    return np.power(x, p), err


@register("SUMIFS")
def _sumifs(ev, args):
    if len(args) < 3 or len(args) % 2 == 0:
        return Values.error(E.VALUE)
    return conditional(ev, args[0], list(zip(args[1::2], args[2::2])), "sum")


@register("SUMIF")
def _sumif(ev, args):
    if not 2 <= len(args) <= 3:
        return Values.error(E.VALUE)
    return conditional(ev, args[2] if len(args) == 3 else args[0], [(args[0], args[1])], "sum")


# ---------------------------------------------------------------------------------------------
# SUBTOTAL

#: SUBTOTAL's function numbers (1-11; 101-111 also leave out the rows hidden by hand).
_SUBTOTAL = {1: "AVERAGE", 2: "COUNT", 3: "COUNTA", 4: "MAX", 5: "MIN", 6: "PRODUCT", 7: "STDEV", 8: "STDEVP",
             9: "SUM", 10: "VAR", 11: "VARP"}
_HIDDEN = re.compile(rb'\bhidden\s*=\s*["\'](?:1|true)["\']')
_AUTOFILTER = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?autoFilter\b[^>]*\bref\s*=\s*["\']([A-Z]+\d+:[A-Z]+\d+)["\']')


def _subtotal_layout(book, sheet):
    """(cells holding SUBTOTAL, hidden rows, rows an AutoFilter hid) of a sheet, cached on the book."""
    cache = book.__dict__.setdefault("subtotal_layout", {})
    got = cache.get(sheet.index)
    if got is not None:
        return got
    part = sheet.part
    masters = {f.si: f.text for f in part.formulas if f.ftype == "shared" and f.text}
    nested = set()
    for f in part.formulas:
        text = (f.text or masters.get(f.si) or "").upper()
        if "SUBTOTAL(" in text or "AGGREGATE(" in text:
            nested.add((f.row, f.col))
    xml = part.xml
    hidden = {r for r, (s, e, _) in part.row_spans.items() if _HIDDEN.search(xml, s, e)}
    filtered = set()
    if hidden:
        from ..package import parse_range

        spans = [parse_range(m.group(1).decode()) for m in _AUTOFILTER.finditer(xml)]
        spans += [(t.r0, t.c0, t.r1, t.c1) for t in getattr(book, "tables", []) if t.sheet == sheet.name]
        filtered = {r for r in hidden if any(r0 < r <= r1 for r0, _, r1, _ in spans)}
    cache[sheet.index] = got = (nested, hidden, filtered)
    return got


@register("SUBTOTAL")
def _subtotal(ev, args):
    """SUBTOTAL(function_num, ref1, ...): the function of the references' cells, leaving out the
    cells that hold a SUBTOTAL themselves and the rows a filter hides (101-111: every hidden row)."""
    from ..formula import Const
    from .registry import resolve

    if len(args) < 2:
        return Values.error(E.VALUE)
    code = ev.scalar(args[0])
    if code.n > 1:
        raise NotVectorizable("SUBTOTAL with a function number per cell")
    x, e = numbers(code)
    if e[0, 0, 0]:
        return Values.error(int(e[0, 0, 0]))
    k = int(x[0, 0, 0])
    name = _SUBTOTAL.get(k % 100 if k > 100 else k)
    if name is None or not (1 <= k <= 11 or 101 <= k <= 111):
        return Values.error(E.VALUE)
    refs = []
    for a in args[1:]:
        v = ev.eval(a)
        if v.ref is None:
            return Values.error(E.VALUE, v.n)  # SUBTOTAL takes references only
        nested, hidden, filtered = _subtotal_layout(ev.ctx.book, v.ref.sheet)
        drop_rows = hidden if k > 100 else filtered
        if nested or drop_rows:
            h, w = v.hw
            kind = v.kind.copy()
            for i in range(v.n):
                r0, c0 = int(v.ref.row0[min(i, v.ref.row0.shape[0] - 1)]), int(v.ref.col0[min(i, v.ref.col0.shape[0] - 1)])
                for rr in range(h):
                    for cc in range(w):
                        if r0 + rr in drop_rows or (r0 + rr, c0 + cc) in nested:
                            kind[i, rr, cc] = 0  # left out: a blank, which every function skips
            v = Values(kind, v.num, v.text, v.ref)
        refs.append(Const(v))
    return resolve(name)(ev, refs)
