"""Statistical: AVERAGE, MAX, MIN, the COUNT family, the conditional aggregates, the spread and
shape of a sample (STDEV/VAR and their S, P, A, PA variants, MEDIAN, MODE, KURT, SKEW...),
LARGE/SMALL, PERCENTILE/QUARTILE/PERCENTRANK (.INC/.EXC), RANK, TRIMMEAN, FREQUENCY, PROB, how
two samples are paired, and T.TEST. Regression is in :mod:`.regression`."""

from __future__ import annotations

import math

import numpy as np

from ...excel_errors import DIV0, NA, ExcelError
from ...excel_errors import NUM as NUM_ERROR
from ..arrays import ColumnArray, NotVectorizable, align
from ..values import EMPTY, ERR, ERROR_CODES, NUM, STR, E, Values, numbers
from .arguments import finish, first_error, from_python_cells, numeric_items, samples
from .criteria import conditional
from .registry import aggregate, cellwise, register, sample


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
            if isinstance(v, ColumnArray):  # the rows below the used range, all like the tail
                c = c + (v.tail.kind == NUM).reshape(v.tail.n, -1).sum(axis=1) * v.hidden_rows
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
        if isinstance(v, ColumnArray):
            total = total + (v.tail.kind != EMPTY).reshape(v.tail.n, -1).sum(axis=1) * v.hidden_rows
        n = max(n, v.n)
    return Values.number(np.broadcast_to(np.asarray(total, float), (n,)).copy())


@register("COUNTBLANK")
def _countblank(ev, args):
    v = ev.eval(args[0])
    blank = (v.kind == EMPTY) | ((v.kind == STR) & (v.texts() == ""))
    return Values.number(blank.reshape(v.n, -1).sum(axis=1).astype(float) + v.hidden_cells)


def _over_criteria(how: str):
    """AVERAGEIFS / MAXIFS / MINIFS(range, criteria_range1, criteria1, ...): ``how`` over the
    cells of ``range`` whose rows meet every criterion."""
    def impl(ev, args):
        if len(args) < 3 or len(args) % 2 == 0:
            return Values.error(E.VALUE)
        return conditional(ev, args[0], list(zip(args[1::2], args[2::2])), how)

    return impl


for _name, _how in (("AVERAGEIFS", "average"), ("MAXIFS", "max"), ("MINIFS", "min")):
    register(_name)(_over_criteria(_how))


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
    return conditional(ev, args[2] if len(args) == 3 else args[0], [(args[0], args[1])], "average", resize=True)


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


def _standardized(x, fewest: int, ddof: int):
    """(x - mean) / s with the sample (ddof 1) or population (ddof 0) deviation, or None where
    there are fewer than ``fewest`` numbers or no spread (#DIV/0! in KURT, SKEW, SKEW.P)."""
    if x.size < fewest:
        return None
    s = math.sqrt(_variance(x, ddof))
    return None if s == 0 else (x - x.mean()) / s


@sample("KURT")
def _kurt(x):
    n, z = x.size, _standardized(x, 4, 1)
    if z is None:
        return DIV0
    z4 = float(np.sum(z ** 4))
    return n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * z4 - 3 * (n - 1) ** 2 / ((n - 2) * (n - 3))


@sample("SKEW")
def _skew(x):
    n, z = x.size, _standardized(x, 3, 1)
    return DIV0 if z is None else n / ((n - 1) * (n - 2)) * float(np.sum(z ** 3))


@sample("SKEW.P")
def _skew_p(x):
    z = _standardized(x, 1, 0)
    return DIV0 if z is None else float(np.sum(z ** 3)) / x.size


@sample("PRODUCT")
def _product(x):
    return float(np.prod(x)) if x.size else 0.0


@sample("SUMSQ")
def _sumsq(x):
    return float(np.sum(x * x))


# ---------------------------------------------------------------------------------------------
# functions of a sample and scalars: LARGE, SMALL, PERCENTILE, QUARTILE, PERCENTRANK, RANK,
# TRIMMEAN (the scalars may be arrays: the function is computed element by element)


def _with_sample(ev, args, f, *, at: int = 0, arity: tuple[int, int] = (2, 2), defaults: tuple = ()):
    """f(sorted numbers of ``args[at]``, *the other arguments as number arrays) -> (values, error
    codes), computed at once for every element of those (broadcast together), once per distinct
    sample; an omitted optional argument takes its default. An error among the scalars wins (in
    argument order), then the sample's first error, then f's."""
    if not arity[0] <= len(args) <= arity[1]:
        return Values.error(E.VALUE)
    arr = ev.eval(args[at])
    x, mask, err = numeric_items(arr)
    x, mask = x.reshape(x.shape[0], -1), mask.reshape(mask.shape[0], -1)
    scalars = [ev.scalar(a) for i, a in enumerate(args) if i != at]
    scalars += [Values.number(d) for d in defaults[len(args) - arity[0]:]]
    scalars = align(*scalars)
    n = max(arr.n, scalars[0].n)
    shape = (n, *scalars[0].hw)
    parsed = [numbers(v) for v in scalars]
    ks = [np.broadcast_to(k, shape) for k, _ in parsed]
    arg_err = np.zeros(shape)
    for _, e in reversed(parsed):
        arg_err = np.where(e != 0, np.broadcast_to(e, shape), arg_err)
    out, out_err = np.zeros(shape), np.zeros(shape)
    for i in range(arr.n):
        rows = slice(None) if arr.n == 1 else slice(i, i + 1)
        if err[i]:
            out_err[rows] = err[i]
            continue
        with np.errstate(all="ignore"):
            v, e = f(np.sort(x[i][mask[i]]), *(k[rows] for k in ks))
        out[rows], out_err[rows] = np.where(e != 0, 0.0, v), e
    return Values.from_numbers(out, np.where(arg_err != 0, arg_err, out_err))


def as_error(code) -> ExcelError:
    """The ExcelError of an error code stored in ``Values.num``."""
    return ExcelError(ERROR_CODES[int(code) - 1])


def _pick(s, index, bad):
    """(s[index], error codes): #NUM! where ``bad``; index is 0-based."""
    safe = np.clip(np.where(bad, 0, index), 0, max(s.size - 1, 0)).astype(np.intp)
    return (s[safe] if s.size else np.zeros(np.shape(index))), np.where(bad, E.NUM, 0)


def _large(s, k):
    """The k-th largest, k rounded up; #NUM! for k < 1 or beyond the count (k = 0.9 is #NUM!)."""
    kk = np.ceil(k)
    return _pick(s, s.size - kk, (k < 1) | (kk > s.size))


def _small(s, k):
    """The k-th smallest, k truncated (Excel's SMALL rounds k down where LARGE rounds it up)."""
    kk = np.floor(k)
    return _pick(s, kk - 1, (kk < 1) | (kk > s.size))


def _at_rank(s, rank, bad):
    """Linear interpolation of the sorted sample at the 0-based ``rank``; #NUM! where ``bad``."""
    if not s.size:
        return np.zeros(np.shape(rank)), np.full(np.shape(rank), E.NUM)
    rank = np.where(bad, 0, rank)
    lo = np.clip(np.floor(rank), 0, s.size - 1).astype(np.intp)
    hi = np.minimum(lo + 1, s.size - 1)
    return s[lo] + (rank - lo) * (s[hi] - s[lo]), np.where(bad, E.NUM, 0)


def _percentile_inc(s, p):
    """Linear interpolation at rank p * (n - 1) (0-based)."""
    return _at_rank(s, p * (s.size - 1), (p < 0) | (p > 1))


def _percentile_exc(s, p):
    """Linear interpolation at rank p * (n + 1) (1-based); #NUM! outside the data."""
    rank = p * (s.size + 1) - 1
    return _at_rank(s, rank, (p <= 0) | (p >= 1) | (rank < 0) | (rank > s.size - 1))


def _quartile_inc(s, q):
    """QUARTILE.INC: quart truncated, 0..4; a negative quart is #NUM! (-0.1 does not truncate to 0)."""
    v, e = _percentile_inc(s, np.trunc(np.where((q < 0) | (q >= 5), 0, q)) / 4)
    return v, np.where((q < 0) | (q >= 5), E.NUM, e)


def _quartile_exc(s, q):
    qq = np.trunc(q)
    bad = (qq < 1) | (qq > 3)
    v, e = _percentile_exc(s, np.where(bad, 2, qq) / 4)
    return v, np.where(bad, E.NUM, e)


def _rank_position(s, x):
    """(0-based rank of x in the sorted sample, interpolated between neighbours; an x met several
    times ranks at its first place), and where x lies outside the sample (#N/A)."""
    outside = (x < s[0]) | (x > s[-1]) if s.size else np.ones(np.shape(x), bool)
    if not s.size:
        return np.zeros(np.shape(x)), outside
    lo = np.searchsorted(s, x, side="left")
    at = np.clip(lo, 0, s.size - 1)
    below = np.clip(lo - 1, 0, s.size - 1)
    gap = np.where(s[at] == s[below], 1.0, s[at] - s[below])
    r = np.where(s[at] == x, at, below + (x - s[below]) / gap)
    return r, outside


def _percentrank(exclusive: bool):
    """PERCENTRANK.INC = rank / (n - 1), PERCENTRANK.EXC = (rank + 1) / (n + 1), rank 0-based and
    interpolated, truncated (not rounded) to ``significance`` digits (default 3, >= 1; past 15 digits
    the share is kept whole); #N/A for an x outside the sample, #NUM! for an empty one."""
    def f(s, x, significance):
        r, outside = _rank_position(s, x)
        if exclusive:
            share = (r + 1) / (s.size + 1)
        else:
            share = r / (s.size - 1) if s.size > 1 else np.ones(np.shape(x))
        digits = np.trunc(np.clip(significance, 1, 15))
        scale = 10.0 ** digits
        value = np.where(significance < 16, np.floor(np.round(share * scale, 6)) / scale, share)
        return value, np.where((significance < 1) | (s.size == 0), E.NUM, np.where(outside, E.NA, 0))

    return f


def _rank(average: bool):
    """RANK.EQ(number, ref, order): 1 + how many numbers of ref rank before it (descending when
    order is 0, ascending otherwise); RANK.AVG averages the places of equal numbers; #N/A when
    the number is not in ref."""
    def f(s, x, order):
        lo, hi = np.searchsorted(s, x, side="left"), np.searchsorted(s, x, side="right")
        first = np.where(order != 0, lo + 1, s.size - hi + 1).astype(float)
        value = first + (hi - lo - 1) / 2 if average else first
        return value, np.where(hi == lo, E.NA, 0)

    return f


def _trimmean(s, percent):
    """TRIMMEAN(array, percent): the mean without floor(n * percent / 2) numbers at each end;
    #NUM! unless 0 <= percent < 1."""
    bad = (percent < 0) | (percent >= 1) | (s.size == 0)
    k = np.floor(s.size * np.where(bad, 0, percent) / 2).astype(np.intp)
    sums = np.concatenate(([0.0], np.cumsum(s)))
    kept = s.size - 2 * k
    return (sums[s.size - k] - sums[k]) / np.where(kept > 0, kept, 1), np.where(bad, E.NUM, 0)


for _names, _f in (("LARGE", _large), ("SMALL", _small), ("PERCENTILE PERCENTILE.INC", _percentile_inc),
                   ("PERCENTILE.EXC", _percentile_exc), ("QUARTILE QUARTILE.INC", _quartile_inc),
                   ("QUARTILE.EXC", _quartile_exc), ("TRIMMEAN", _trimmean)):
    register(*_names.split())(lambda ev, args, _f=_f: _with_sample(ev, args, _f))
for _names, _f in (("PERCENTRANK PERCENTRANK.INC", _percentrank(False)), ("PERCENTRANK.EXC", _percentrank(True))):
    register(*_names.split())(lambda ev, args, _f=_f: _with_sample(ev, args, _f, arity=(2, 3), defaults=(3,)))
for _names, _f in (("RANK RANK.EQ", _rank(False)), ("RANK.AVG", _rank(True))):
    register(*_names.split())(lambda ev, args, _f=_f: _with_sample(ev, args, _f, at=1, arity=(2, 3), defaults=(0,)))


# ---------------------------------------------------------------------------------------------
# MODE, FREQUENCY, PROB


def _mode_samples(ev, args):
    """(numbers of all arguments per cell, first error per cell) as MODE reads them: the numbers of
    every argument, a typed text or logical skipped as in a range (MODE.SNGL(1,1,"") is 1), or
    None when an argument is left empty (MODE.MULT(A1:A3,) is #VALUE!)."""
    if not args or any(a is None for a in args):
        return None
    vals = [ev.eval(a) for a in args]
    n = max(v.n for v in vals)
    err = np.zeros(n)
    parts = []
    for v in vals:
        err = np.where(err != 0, err, np.broadcast_to(first_error(v.kind, v.num), (n,)))
        parts.append((v.num.reshape(v.n, -1), (v.kind == NUM).reshape(v.n, -1)))
    return samples(parts, n), err


def _modes(x) -> list[float]:
    """The numbers met most often (at least twice), in the order they first appear."""
    counts: dict = {}
    for v in x.tolist():
        counts[v] = counts.get(v, 0) + 1
    top = max(counts.values(), default=0)
    return [v for v, c in counts.items() if c == top] if top > 1 else []


@register("MODE", "MODE.SNGL")
def _mode(ev, args):
    """MODE.SNGL(number1, ...): the most frequent number, the first to appear among equals; #N/A
    when none repeats."""
    got = _mode_samples(ev, args)
    if got is None:
        return Values.error(E.VALUE)
    xs, err = got
    out = np.empty((len(xs), 1, 1), object)
    for i, x in enumerate(xs):
        m = _modes(x)
        out[i, 0, 0] = as_error(err[i]) if err[i] else (m[0] if m else NA)
    return from_python_cells(out)


@register("MODE.MULT")
def _mode_mult(ev, args):
    """MODE.MULT(number1, ...): a column of every most frequent number, in order of first
    appearance; #N/A when none repeats."""
    got = _mode_samples(ev, args)
    if got is None:
        return Values.error(E.VALUE)
    xs, err = got
    if len(xs) > 1:
        raise NotVectorizable("MODE.MULT over moving ranges")
    if err[0]:
        return Values.error(int(err[0]))
    m = _modes(xs[0])
    return Values.from_numbers(np.array(m, float).reshape(1, -1, 1)) if m else Values.error(E.NA)


@register("FREQUENCY")
def _frequency(ev, args):
    """FREQUENCY(data_array, bins_array): a column of len(bins) + 1 counts, in the bins' order:
    the data <= each bin and > the bin below it (a repeated bin counts 0), then the data above
    the largest bin. Text, logicals and blanks are skipped in both; bins holding no number are
    one bin of 0 (FREQUENCY(A1:A3, B1) with B1 blank counts the data <= 0)."""
    if len(args) != 2:
        return Values.error(E.VALUE)
    data, bins = ev.eval(args[0]), ev.eval(args[1])
    if data.n > 1 or bins.n > 1:
        raise NotVectorizable("FREQUENCY over moving ranges")
    (dx, dm, de), (bx, bm, be) = numeric_items(data), numeric_items(bins)
    if de[0] or be[0]:
        return Values.error(int(de[0] or be[0]))
    d = np.sort(dx[0][dm[0]].reshape(-1))
    b = bx[0][bm[0]].reshape(-1)
    if not b.size:
        b = np.zeros(1)
    order = np.argsort(b, kind="stable")
    upto = np.searchsorted(d, b[order], side="right")
    counts = np.empty(b.size + 1)
    counts[order] = np.diff(np.concatenate(([0], upto)))
    counts[-1] = d.size - upto[-1]
    return Values.from_numbers(counts.reshape(1, -1, 1))


@register("PROB")
def _prob(ev, args):
    """PROB(x_range, prob_range, lower_limit, [upper_limit]): the sum of the probabilities of the
    x in [lower, upper], or of the x equal to lower when upper is omitted; element-wise over the
    limits. #N/A when the ranges differ in size; #NUM! unless every probability is in (0, 1] and
    they sum to 1."""
    if len(args) not in (3, 4):
        return Values.error(E.VALUE)
    xs, ps = ev.eval(args[0]), ev.eval(args[1])
    limits = align(*(ev.scalar(a) for a in args[2:]))
    parsed = [numbers(v) for v in limits]
    n = max(xs.n, ps.n, limits[0].n)
    shape = (n, *limits[0].hw)
    out = np.empty(shape, object)
    for idx in np.ndindex(shape):
        i = idx[0]
        ki = (i if limits[0].n > 1 else 0, *idx[1:])
        bad = next((e[ki] for _, e in parsed if e[ki]), 0)
        got = as_error(bad) if bad else paired(xs, ps, i)
        if isinstance(got, ExcelError):
            out[idx] = got
            continue
        x, p = got
        if (p <= 0).any() or (p > 1).any() or abs(float(np.sum(p)) - 1) > 1e-12:
            out[idx] = NUM_ERROR
            continue
        lo = float(parsed[0][0][ki])
        hi = float(parsed[1][0][ki]) if len(parsed) > 1 else lo
        out[idx] = float(np.sum(p[(x >= lo) & (x <= hi)]))
    return from_python_cells(out)


# ---------------------------------------------------------------------------------------------
# two samples: how their pairs and errors are read (the regressions of :mod:`.regression` too),
# and T.TEST


def paired(ys: Values, xs: Values, i: int):
    """(y, x) of the pairs where both are numbers, or an ExcelError: #N/A for sizes that differ,
    else the first error of :func:`pair_error`."""
    yk, yn = ys.kind[i if ys.n > 1 else 0].reshape(-1), ys.num[i if ys.n > 1 else 0].reshape(-1)
    xk, xn = xs.kind[i if xs.n > 1 else 0].reshape(-1), xs.num[i if xs.n > 1 else 0].reshape(-1)
    if yk.size != xk.size:
        return NA
    code = pair_error(ys, xs, i)
    if code:
        return as_error(code)
    ok_ = (yk == NUM) & (xk == NUM)
    return yn[ok_], xn[ok_]


def pair_error(ys: Values, xs: Values, i: int) -> int:
    """The error code two samples give, 0 if none: the first met scanning the pairs in order, y
    before x, as Excel's two-sample functions (SLOPE, COVARIANCE.S, T.TEST...) report it. A pair
    whose y is #NULL! is passed over (Excel's internal code of #NULL! is 0, read as no error),
    #NULL! being the result only when no other error is met."""
    yk, yn = ys.kind[i if ys.n > 1 else 0].reshape(-1), ys.num[i if ys.n > 1 else 0].reshape(-1)
    xk, xn = xs.kind[i if xs.n > 1 else 0].reshape(-1), xs.num[i if xs.n > 1 else 0].reshape(-1)
    size = max(yk.size, xk.size)
    ye = np.zeros(size)
    xe = np.zeros(size)
    ye[:yk.size] = np.where(yk == ERR, yn, 0)
    xe[:xk.size] = np.where(xk == ERR, xn, 0)
    null_y = ye == E.NULL
    codes = np.where(ye != 0, ye, xe)[~null_y]
    codes = codes[codes != 0]
    if codes.size:
        return int(codes[0])
    return E.NULL if null_y.any() else 0


def samples_error(arrays, i: int) -> int:
    """The error code of independent samples (T.TEST of type 2 and 3), 0 if none: the first
    error of the first sample holding one, #NULL! passed over as in :func:`pair_error`."""
    null = False
    for v in arrays:
        k, x = v.kind[i if v.n > 1 else 0].reshape(-1), v.num[i if v.n > 1 else 0].reshape(-1)
        codes = x[k == ERR]
        null = null or bool((codes == E.NULL).any())
        codes = codes[codes != E.NULL]
        if codes.size:
            return int(codes[0])
    return E.NULL if null else 0


def _betacf(a, b, x):
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        for num in (m * (b - m) * x / ((a + m2 - 1) * (a + m2)), -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1))):
            d = 1 + num * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1) < 1e-16:
            break
    return h


def betainc(a: float, b: float, x: float) -> float:
    """The regularized incomplete beta function I_x(a, b)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    ln = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    if x < (a + 1) / (a + b + 2):
        return math.exp(ln) * _betacf(a, b, x) / a
    return 1 - math.exp(ln) * _betacf(b, a, 1 - x) / b


def t_tail(t: float, df: float) -> float:
    """P(T > |t|) for Student's t with df degrees of freedom."""
    return 0.5 * betainc(df / 2, 0.5, df / (df + t * t))


@register("T.TEST", "TTEST")
def _t_test(ev, args):
    """T.TEST(array1, array2, tails, type): the p-value of Student's t-test.

    type 1 paired (pairs where both are numbers), 2 two samples of equal variance, 3 of unequal
    variance (Welch's degrees of freedom, not rounded); tails 1 or 2; tails and type truncated,
    element-wise when they are arrays.
    """
    if len(args) != 4:
        return Values.error(E.VALUE)
    a, b = ev.eval(args[0]), ev.eval(args[1])
    tails, kind = align(ev.scalar(args[2]), ev.scalar(args[3]))
    tv, te = numbers(tails)
    kv, ke = numbers(kind)
    n = max(a.n, b.n, tails.n)
    shape = (n, *tails.hw)
    out = np.empty(shape, object)
    for idx in np.ndindex(shape):
        i = idx[0]
        j = (i if tails.n > 1 else 0, *idx[1:])
        e = te[j] or ke[j]
        if e:
            out[idx] = as_error(e)
            continue
        out[idx] = _t_test_one(a, b, i, math.trunc(tv[j]), math.trunc(kv[j]))
    return from_python_cells(out)


def _t_test_one(a: Values, b: Values, i: int, tails: int, kind: int):
    if tails not in (1, 2) or kind not in (1, 2, 3):
        return NUM_ERROR
    if kind == 1:
        got = paired(a, b, i)
        if isinstance(got, ExcelError):
            return got
        d = got[0] - got[1]
        if d.size < 2:
            return DIV0
        s = math.sqrt(_variance(d, 1))
        if s == 0:
            return DIV0
        t, df = d.mean() / (s / math.sqrt(d.size)), d.size - 1
    else:
        code = samples_error((a, b), i)
        if code:
            return as_error(code)
        xs = []
        for v in (a, b):
            x, mask, _ = numeric_items(v)
            vi = i if v.n > 1 else 0
            xs.append(x[vi].reshape(-1)[mask[vi].reshape(-1)])
        x1, x2 = xs
        n1, n2 = x1.size, x2.size
        if n1 < 2 or n2 < 2:
            return DIV0
        v1, v2 = _variance(x1, 1), _variance(x2, 1)
        if kind == 2:
            df = n1 + n2 - 2
            sp = ((n1 - 1) * v1 + (n2 - 1) * v2) / df
            se = math.sqrt(sp * (1 / n1 + 1 / n2))
        else:
            q1, q2 = v1 / n1, v2 / n2
            se = math.sqrt(q1 + q2)
            df = (q1 + q2) ** 2 / (q1 * q1 / (n1 - 1) + q2 * q2 / (n2 - 1)) if q1 + q2 else 0
        if se == 0:
            return DIV0
        t = (x1.mean() - x2.mean()) / se
    return tails * t_tail(t, df)


@cellwise("STANDARDIZE", args="nnn")
def _standardize(x, mean, sd):
    """STANDARDIZE(x, mean, standard_dev) = (x - mean) / standard_dev; #NUM! unless sd > 0."""
    return NUM_ERROR if sd <= 0 else (x - mean) / sd
