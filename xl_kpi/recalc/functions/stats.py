"""Statistical: AVERAGE, MAX, MIN, the COUNT family, the conditional aggregates, the spread and
shape of a sample (STDEV/VAR and their S, P, A, PA variants, MEDIAN, MODE, KURT, SKEW...),
LARGE/SMALL, PERCENTILE/QUARTILE (.INC/.EXC)."""

from __future__ import annotations

import math

import numpy as np

from ...excel_errors import DIV0, NA, NUM as NUM_ERROR, ExcelError
from ..values import EMPTY, ERROR_CODES, NUM, STR, E, Values, numbers
from .arguments import finish, from_python_cells, numeric_items
from .criteria import conditional
from .registry import aggregate, register, sample


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
    return Values.number(blank.reshape(v.n, -1).sum(axis=1).astype(float))


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


# ---------------------------------------------------------------------------------------------
# functions of a sample: the numbers of all arguments as SUM reads them (the A variants count
# text in ranges as 0 and logicals as 1/0)


@aggregate("AVERAGEA", text_as_zero=True)
def _averagea(parts, err, n):
    return _average(parts, err, n)


@aggregate("MAXA", text_as_zero=True)
def _maxa(parts, err, n):
    return _max(parts, err, n)


@aggregate("MINA", text_as_zero=True)
def _mina(parts, err, n):
    return _min(parts, err, n)


def _variance(x: np.ndarray, ddof: int):
    """Sum of squared deviations / (n - ddof); #DIV/0! when n <= ddof."""
    if x.size <= ddof:
        return DIV0
    return float(np.sum((x - x.mean()) ** 2) / (x.size - ddof))


def _register_spread(text_as_zero: bool, names: dict):
    for fn_names, (ddof, root) in names.items():
        def f(x, ddof=ddof, root=root):
            v = _variance(x, ddof)
            return v if isinstance(v, ExcelError) or not root else math.sqrt(v)

        sample(*fn_names.split(), text_as_zero=text_as_zero)(f)


_register_spread(False, {"STDEV STDEV.S": (1, True), "STDEVP STDEV.P": (0, True), "VAR VAR.S": (1, False),
                         "VARP VAR.P": (0, False)})
_register_spread(True, {"STDEVA": (1, True), "STDEVPA": (0, True), "VARA": (1, False), "VARPA": (0, False)})


@sample("MEDIAN")
def _median(x):
    return float(np.median(x)) if x.size else NUM_ERROR


@sample("MODE", "MODE.SNGL")
def _mode(x):
    """The most frequent number, the first met among equals; #N/A when none repeats."""
    best, count = None, 1
    seen: dict = {}
    for v in x.tolist():
        seen[v] = seen.get(v, 0) + 1
        if seen[v] > count:
            best, count = v, seen[v]
    return NA if best is None else best


@sample("AVEDEV")
def _avedev(x):
    return float(np.mean(np.abs(x - x.mean()))) if x.size else NUM_ERROR


@sample("DEVSQ")
def _devsq(x):
    return float(np.sum((x - x.mean()) ** 2)) if x.size else NUM_ERROR


@sample("GEOMEAN")
def _geomean(x):
    if not x.size or (x <= 0).any():
        return NUM_ERROR
    return float(np.exp(np.mean(np.log(x))))


@sample("HARMEAN")
def _harmean(x):
    if not x.size or (x <= 0).any():
        return NUM_ERROR
    return float(x.size / np.sum(1 / x))


@sample("KURT")
def _kurt(x):
    n = x.size
    if n < 4:
        return DIV0
    s = math.sqrt(_variance(x, 1))
    if s == 0:
        return DIV0
    z4 = float(np.sum(((x - x.mean()) / s) ** 4))
    return n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * z4 - 3 * (n - 1) ** 2 / ((n - 2) * (n - 3))


@sample("SKEW")
def _skew(x):
    n = x.size
    if n < 3:
        return DIV0
    s = math.sqrt(_variance(x, 1))
    if s == 0:
        return DIV0
    return n / ((n - 1) * (n - 2)) * float(np.sum(((x - x.mean()) / s) ** 3))


@sample("SKEW.P")
def _skew_p(x):
    n = x.size
    if n < 1:
        return DIV0
    s = math.sqrt(_variance(x, 0))
    if s == 0:
        return DIV0
    return float(np.sum(((x - x.mean()) / s) ** 3)) / n


@sample("PRODUCT")
def _product(x):
    return float(np.prod(x)) if x.size else 0.0


@sample("SUMSQ")
def _sumsq(x):
    return float(np.sum(x * x))


# ---------------------------------------------------------------------------------------------
# functions of an array and a k: LARGE, SMALL, PERCENTILE, QUARTILE (k may be an array)


def _array_and_k(ev, args, f):
    """f(sorted numbers of the array, k) for every element of k; an error in k, then in the array, wins."""
    if len(args) != 2:
        return Values.error(E.VALUE)
    arr = ev.eval(args[0])
    x, mask, err = numeric_items(arr)
    x, mask = x.reshape(x.shape[0], -1), mask.reshape(mask.shape[0], -1)
    k = ev.scalar(args[1])
    kx, ke = numbers(k)
    n = max(arr.n, k.n)
    shape = (n, *k.hw)
    out = np.empty(shape, object)
    cache: dict = {}
    for idx in np.ndindex(shape):
        i = idx[0]
        ai = i if arr.n > 1 else 0
        ki = (i if k.n > 1 else 0, *idx[1:])
        if ke[ki]:
            out[idx] = _error(ke[ki])
        elif err[ai]:
            out[idx] = _error(err[ai])
        else:
            s = cache.get(ai)
            if s is None:
                s = cache[ai] = np.sort(x[ai][mask[ai]])
            out[idx] = f(s, float(kx[ki]))
    return from_python_cells(out)


def _error(code) -> ExcelError:
    return ExcelError(ERROR_CODES[int(code) - 1])


def _large(s, k):
    k = math.ceil(k)
    return NUM_ERROR if not 1 <= k <= s.size else float(s[s.size - k])


def _small(s, k):
    k = math.ceil(k)
    return NUM_ERROR if not 1 <= k <= s.size else float(s[k - 1])


def _percentile_inc(s, p):
    """Linear interpolation at rank p * (n - 1) (0-based)."""
    if not s.size or not 0 <= p <= 1:
        return NUM_ERROR
    return _at_rank(s, p * (s.size - 1))


def _percentile_exc(s, p):
    """Linear interpolation at rank p * (n + 1) (1-based); #NUM! outside the data."""
    rank = p * (s.size + 1) - 1
    if not s.size or not 0 < p < 1 or rank < 0 or rank > s.size - 1:
        return NUM_ERROR
    return _at_rank(s, rank)


def _at_rank(s, rank):
    lo = math.floor(rank)
    hi = min(lo + 1, s.size - 1)
    return float(s[lo] + (rank - lo) * (s[hi] - s[lo]))


def _quartile_inc(s, q):
    q = math.trunc(q)
    return NUM_ERROR if not 0 <= q <= 4 else _percentile_inc(s, q / 4)


def _quartile_exc(s, q):
    q = math.trunc(q)
    return NUM_ERROR if not 1 <= q <= 3 else _percentile_exc(s, q / 4)


for _names, _f in (("LARGE", _large), ("SMALL", _small), ("PERCENTILE PERCENTILE.INC", _percentile_inc),
                   ("PERCENTILE.EXC", _percentile_exc), ("QUARTILE QUARTILE.INC", _quartile_inc),
                   ("QUARTILE.EXC", _quartile_exc)):
    register(*_names.split())(lambda ev, args, _f=_f: _array_and_k(ev, args, _f))
