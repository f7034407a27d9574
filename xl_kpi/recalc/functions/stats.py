"""Statistical: AVERAGE, MAX, MIN, the COUNT family and the conditional aggregates."""

from __future__ import annotations

import numpy as np

from ..values import EMPTY, NUM, STR, E, Values, numbers
from .arguments import finish
from .criteria import conditional
from .registry import aggregate, register


@aggregate("AVERAGE")
def _average(parts, err, n):
    total, count = np.zeros(n), np.zeros(n)
    for x, m in parts:
        total = total + x.sum(axis=1)
        count = count + m.sum(axis=1)
    err = np.where((err == 0) & (count == 0), E.DIV0, err)
    with np.errstate(all="ignore"):
        return finish(total / np.where(count == 0, 1, count), err)


def _extreme(parts, err, n, fn, init):
    best = np.full(n, init)
    seen = np.zeros(n, bool)
    for x, m in parts:
        if x.shape[1]:
            best = fn(best, np.where(m, x, init).__getattribute__("max" if fn is np.maximum else "min")(axis=1))
            seen |= m.any(axis=1)
    return finish(np.where(seen, best, 0.0), err)


@aggregate("MAX")
def _max(parts, err, n):
    return _extreme(parts, err, n, np.maximum, -np.inf)


@aggregate("MIN")
def _min(parts, err, n):
    return _extreme(parts, err, n, np.minimum, np.inf)


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
    return Values.number(blank.reshape(v.n, -1).sum(axis=1).astype(float) + v.hidden_cells)


@register("AVERAGEIFS")
def _averageifs(ev, args):
    if len(args) < 3 or len(args) % 2 == 0:
        return Values.error(E.VALUE)
    return conditional(ev, args[0], list(zip(args[1::2], args[2::2])), "average")


@register("MAXIFS")
def _maxifs(ev, args):
    if len(args) < 3 or len(args) % 2 == 0:
        return Values.error(E.VALUE)
    return conditional(ev, args[0], list(zip(args[1::2], args[2::2])), "max")


@register("MINIFS")
def _minifs(ev, args):
    if len(args) < 3 or len(args) % 2 == 0:
        return Values.error(E.VALUE)
    return conditional(ev, args[0], list(zip(args[1::2], args[2::2])), "min")


@register("COUNTIFS")
def _countifs(ev, args):
    if len(args) < 2 or len(args) % 2:
        return Values.error(E.VALUE)
    return conditional(ev, None, list(zip(args[0::2], args[1::2])), "count")


@register("COUNTIF")
def _countif(ev, args):
    if len(args) != 2:
        return Values.error(E.VALUE)
    return conditional(ev, None, [(args[0], args[1])], "count")


@register("AVERAGEIF")
def _averageif(ev, args):
    if not 2 <= len(args) <= 3:
        return Values.error(E.VALUE)
    return conditional(ev, args[2] if len(args) == 3 else args[0], [(args[0], args[1])], "average")
