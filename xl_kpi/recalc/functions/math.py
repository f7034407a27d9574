"""Maths & trig: SUM, SUMPRODUCT, SUMIF(S), SUBTOTAL, ROUND, trigonometry and the element-wise functions
of numbers."""

from __future__ import annotations

import math
import re

import numpy as np

from ...excel_errors import NUM as NUM_ERROR
from ..arrays import NotVectorizable
from ..values import NUM, E, Values, numbers
from .arguments import finish, first_error, ok
from .criteria import conditional
from .registry import aggregate, elementwise, register, sample


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
    return conditional(ev, args[2] if len(args) == 3 else args[0], [(args[0], args[1])], "sum", resize=True)


# ---------------------------------------------------------------------------------------------
# trigonometry and other element-wise functions of numbers


def _unary(name: str, f, domain=None):
    """Register an element-wise f(x); #NUM! outside ``domain(x)`` (a mask) when given."""

    def g(x):
        bad = np.zeros(np.shape(x), bool) if domain is None else ~domain(x)
        with np.errstate(all="ignore"):
            y = f(np.where(bad, 0.5, x))
        return np.where(bad, 0.0, y), np.where(bad, E.NUM, 0)

    elementwise(name, arity=(1, 1))(g)


for _name, _f, _domain in (
        ("SIN", np.sin, lambda x: np.abs(x) < 2 ** 27), ("COS", np.cos, lambda x: np.abs(x) < 2 ** 27),
        ("TAN", np.tan, lambda x: np.abs(x) < 2 ** 27), ("ASIN", np.arcsin, lambda x: np.abs(x) <= 1),
        ("ACOS", np.arccos, lambda x: np.abs(x) <= 1), ("ATAN", np.arctan, None), ("SINH", np.sinh, None),
        ("COSH", np.cosh, None), ("TANH", np.tanh, None), ("ASINH", np.arcsinh, None),
        ("ACOSH", np.arccosh, lambda x: x >= 1), ("ATANH", np.arctanh, lambda x: np.abs(x) < 1),
        ("RADIANS", np.radians, None), ("DEGREES", np.degrees, None),
        ("SQRTPI", lambda x: np.sqrt(x * np.pi), lambda x: x >= 0)):
    _unary(_name, _f, _domain)


def _reciprocal(name: str, f):
    def g(x):
        with np.errstate(all="ignore"):
            y = f(x)
            bad = (y == 0) | ~np.isfinite(y) | (np.abs(x) >= 2 ** 27)
            return np.where(bad, 0.0, 1 / np.where(bad, 1, y)), np.where(bad, E.DIV0, 0)

    elementwise(name, arity=(1, 1))(g)


for _name, _f in (("COT", np.tan), ("CSC", np.sin), ("SEC", np.cos), ("COTH", np.tanh), ("CSCH", np.sinh),
                  ("SECH", np.cosh)):
    _reciprocal(_name, _f)


@elementwise("ATAN2", arity=(2, 2))
def _atan2(x, y):
    """ATAN2(x, y): the angle of the point (x, y); #DIV/0! at the origin."""
    origin = (x == 0) & (y == 0)
    return np.arctan2(y, x), np.where(origin, E.DIV0, 0)


@register("PI")
def _pi(ev, args):
    return Values.number(float(np.pi)) if not args else Values.error(E.VALUE)


@elementwise("EVEN", arity=(1, 1))
def _even(x):
    """EVEN(x): rounded away from zero to an even integer."""
    return np.sign(x) * np.ceil(np.abs(x) / 2) * 2, ok(x)


@elementwise("ODD", arity=(1, 1))
def _odd(x):
    """ODD(x): rounded away from zero to an odd integer (ODD(0) = 1)."""
    a = np.ceil(np.abs(x))
    a = np.where(a % 2 == 0, a + 1, a)
    return np.where(x < 0, -a, a), ok(x)


@elementwise("FACT", arity=(1, 1))
def _fact(x):
    """FACT(n) = n! of n truncated (Gamma(n + 1)); #NUM! below 0 and above 170."""
    n = np.trunc(x)
    bad = (n < 0) | (n > 170)
    out = np.vectorize(lambda k: float(math.factorial(int(k))), otypes=[float])(np.where(bad, 0, n))
    return out, np.where(bad, E.NUM, 0)


@elementwise("QUOTIENT", arity=(2, 2))
def _quotient(x, d):
    return np.trunc(x / np.where(d == 0, 1, d)), np.where(d == 0, E.DIV0, 0)


@elementwise("MROUND", arity=(2, 2))
def _mround(x, m):
    """MROUND(x, multiple): the nearest multiple, halves away from zero; #NUM! for opposite signs."""
    bad = (x * m < 0)
    safe = np.where(m == 0, 1, m)
    r = np.sign(x / safe) * np.floor(np.abs(x / safe) + 0.5 + 1e-12) * safe
    return np.where(m == 0, 0.0, r), np.where(bad, E.NUM, 0)


def _round_multiple(x, sig, up: np.ndarray):
    """x rounded to a multiple of |sig|: up (towards +inf) where ``up``, else down; 0 for sig 0."""
    s = np.abs(sig)
    safe = np.where(s == 0, 1, s)
    q = x / safe
    r = np.where(up, np.ceil(q - 1e-12 * np.abs(q)), np.floor(q + 1e-12 * np.abs(q))) * safe
    return np.where(s == 0, 0.0, r)


@elementwise("CEILING.MATH", arity=(1, 3), defaults=(1, 0))
def _ceiling_math(x, sig, mode):
    """CEILING.MATH(x, [significance], [mode]): up to a multiple; a negative x away from 0 when mode."""
    return _round_multiple(x, sig, ~((x < 0) & (mode != 0))), ok(x)


@elementwise("FLOOR.MATH", arity=(1, 3), defaults=(1, 0))
def _floor_math(x, sig, mode):
    """FLOOR.MATH(x, [significance], [mode]): down to a multiple; a negative x towards 0 when mode."""
    return _round_multiple(x, sig, (x < 0) & (mode != 0)), ok(x)


@elementwise("COMBIN", arity=(2, 2))
def _combin(n, k):
    """COMBIN(n, k) = n! / (k! (n - k)!), both truncated; #NUM! unless 0 <= k <= n."""
    n, k = np.trunc(n), np.trunc(k)
    bad = (n < 0) | (k < 0) | (k > n)
    out = np.vectorize(lambda a, b: float(math.comb(int(a), int(b))), otypes=[float])(np.where(bad, 0, n),
                                                                                       np.where(bad, 0, k))
    return out, np.where(bad, E.NUM, 0)


@elementwise("PERMUT", arity=(2, 2))
def _permut(n, k):
    """PERMUT(n, k) = n! / (n - k)!, both truncated; #NUM! unless 0 <= k <= n."""
    n, k = np.trunc(n), np.trunc(k)
    bad = (n < 0) | (k < 0) | (k > n)
    out = np.vectorize(lambda a, b: float(math.perm(int(a), int(b))), otypes=[float])(np.where(bad, 0, n),
                                                                                       np.where(bad, 0, k))
    return out, np.where(bad, E.NUM, 0)


def _gcd_lcm(lcm: bool):
    def f(x):
        if (x < 0).any() or (x >= 2 ** 53).any():
            return NUM_ERROR
        vals = [int(v) for v in np.trunc(x)]
        out = vals[0] if vals else 0
        for v in vals[1:]:
            out = math.lcm(out, v) if lcm else math.gcd(out, v)
        return float(out)

    return f


sample("GCD")(_gcd_lcm(False))
sample("LCM")(_gcd_lcm(True))


@register("RAND")
def _rand(ev, args):
    """RAND(): a uniform number in [0, 1), new for every cell and every recalculation."""
    return Values.number(np.random.default_rng().random(ev.ctx.n))


@elementwise("RANDBETWEEN", arity=(2, 2))
def _randbetween(lo, hi):
    """RANDBETWEEN(bottom, top): a whole number between ceil(bottom) and floor(top)."""
    a, b = np.ceil(lo), np.floor(hi)
    bad = a > b
    x = np.random.default_rng().integers(np.where(bad, 0, a).astype(np.int64), np.where(bad, 0, b).astype(np.int64) + 1)
    return x.astype(float), np.where(bad, E.NUM, 0)


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
        if v.ref is None:  # an array: nothing to leave out
            refs.append(Const(v))
            continue
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
