"""Maths & trig: SUM, SUMPRODUCT, SUMIF(S), ROUND and the element-wise functions of numbers."""

from __future__ import annotations

import numpy as np

from ..values import NUM, E, Values
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
