"""Statistical: AVERAGE, MAX, MIN, the COUNT family, the conditional aggregates, the spread and
shape of a sample (STDEV/VAR and their S, P, A, PA variants, MEDIAN, MODE, KURT, SKEW...),
LARGE/SMALL, PERCENTILE/QUARTILE (.INC/.EXC), regression (SLOPE, INTERCEPT, FORECAST, TREND,
LINEST, CORREL, RSQ, STEYX, COVARIANCE) and T.TEST."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np

from ...excel_errors import DIV0, NA, ExcelError
from ...excel_errors import NUM as NUM_ERROR
from ...excel_errors import REF as REF_ERROR
from ...excel_errors import VALUE as VALUE_ERROR
from ..arrays import NotVectorizable, align
from ..values import EMPTY, ERR, ERROR_CODES, NUM, STR, E, Values, numbers, truthy
from .arguments import finish, from_python_cells, numeric_items
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


# ---------------------------------------------------------------------------------------------
# two samples: regression (SLOPE, INTERCEPT, FORECAST, TREND, LINEST, ...) and T.TEST


def _paired(ys: Values, xs: Values, i: int):
    """(y, x) of the pairs where both are numbers, or an ExcelError: #N/A for sizes that differ,
    else the first error met scanning the pairs in order (y before x)."""
    yk, yn = ys.kind[i if ys.n > 1 else 0].reshape(-1), ys.num[i if ys.n > 1 else 0].reshape(-1)
    xk, xn = xs.kind[i if xs.n > 1 else 0].reshape(-1), xs.num[i if xs.n > 1 else 0].reshape(-1)
    if yk.size != xk.size:
        return NA
    bad = (yk == ERR) | (xk == ERR)
    if bad.any():
        j = int(np.argmax(bad))
        return _error(yn[j] if yk[j] == ERR else xn[j])
    ok_ = (yk == NUM) & (xk == NUM)
    return yn[ok_], xn[ok_]


def _two_samples(f, first_is_y=True):
    def impl(ev, args):
        if len(args) != 2:
            return Values.error(E.VALUE)
        a, b = ev.eval(args[0]), ev.eval(args[1])
        n = max(a.n, b.n)
        out = np.empty((n, 1, 1), object)
        for i in range(n):
            got = _paired(a, b, i)
            out[i, 0, 0] = got if isinstance(got, ExcelError) else f(*got)
        return from_python_cells(out)

    return impl


def _line(y, x):
    """(slope, intercept) of least squares, or #DIV/0! without two distinct x."""
    if x.size < 2:
        return DIV0
    dx = x - x.mean()
    sxx = float(np.sum(dx * dx))
    if sxx == 0:
        return DIV0
    b = float(np.sum(dx * (y - y.mean()))) / sxx
    return b, float(y.mean() - b * x.mean())


def _slope(y, x):
    got = _line(y, x)
    return got if isinstance(got, ExcelError) else got[0]


def _intercept(y, x):
    got = _line(y, x)
    return got if isinstance(got, ExcelError) else got[1]


def _correl(a, b):
    if a.size < 2:
        return DIV0
    da, db = a - a.mean(), b - b.mean()
    d = math.sqrt(float(np.sum(da * da)) * float(np.sum(db * db)))
    return DIV0 if d == 0 else float(np.sum(da * db)) / d


def _rsq(y, x):
    r = _correl(y, x)
    return r if isinstance(r, ExcelError) else r * r


def _steyx(y, x):
    if x.size < 3:
        return DIV0
    got = _line(y, x)
    if isinstance(got, ExcelError):
        return got
    b, a = got
    return math.sqrt(float(np.sum((y - (a + b * x)) ** 2)) / (x.size - 2))


def _covariance(ddof):
    def f(a, b):
        if a.size <= ddof:
            return DIV0
        return float(np.sum((a - a.mean()) * (b - b.mean()))) / (a.size - ddof)

    return f


for _names, _f in (("SLOPE", _slope), ("INTERCEPT", _intercept), ("CORREL PEARSON", _correl), ("RSQ", _rsq),
                   ("STEYX", _steyx), ("COVAR COVARIANCE.P", _covariance(0)), ("COVARIANCE.S", _covariance(1))):
    register(*_names.split())(_two_samples(_f))


@register("FORECAST", "FORECAST.LINEAR")
def _forecast(ev, args):
    """FORECAST(x, known_y, known_x) = intercept + slope * x, element-wise over x."""
    if len(args) != 3:
        return Values.error(E.VALUE)
    x = ev.scalar(args[0])
    xv, xe = numbers(x)
    ys, xs = ev.eval(args[1]), ev.eval(args[2])
    n = max(x.n, ys.n, xs.n)
    shape = (n, *x.hw)
    out = np.empty(shape, object)
    for idx in np.ndindex(shape):
        i = idx[0]
        xi = (i if x.n > 1 else 0, *idx[1:])
        if xe[xi]:
            out[idx] = _error(xe[xi])
            continue
        got = _paired(ys, xs, i)
        if not isinstance(got, ExcelError):
            got = _line(*got)
        out[idx] = got if isinstance(got, ExcelError) else got[1] + got[0] * float(xv[xi])
    return from_python_cells(out)


def _design(ys: Values, xs: Values | None):
    """(y, X) of a least-squares fit: X's columns the regressors (one per column of known_x when
    known_y is a column and known_x has as many rows, or per row for a row); or an ExcelError:
    #REF! for sizes that do not fit (checked first, as Excel), then an error or non-number."""
    yk, yn = ys.kind[0], ys.num[0]
    h, w = ys.hw
    size = h * w
    if xs is None:
        layout = "count"
    else:
        xh, xw = xs.hw
        if xh * xw == size:
            layout = "flat"
        elif w == 1 and xh == h:
            layout = "columns"
        elif h == 1 and xw == w:
            layout = "rows"
        else:
            return REF_ERROR
    if (yk == ERR).any():
        return _error(yn[yk == ERR][0])
    if not (yk == NUM).all():
        return VALUE_ERROR
    y = yn.reshape(-1)
    if layout == "count":
        return y, np.arange(1, y.size + 1, dtype=float).reshape(-1, 1)
    xk, xn = xs.kind[0], xs.num[0]
    if (xk == ERR).any():
        return _error(xn[xk == ERR][0])
    if not (xk == NUM).all():
        return VALUE_ERROR
    if layout == "flat":
        return y, xn.reshape(-1, 1)
    return y, (xn if layout == "columns" else xn.T)


def _kept_columns(X, const: bool) -> list[int]:
    """The regressors not collinear with the constant and the ones before them: Excel drops the
    others (their coefficient is 0, as LINEST of a constant x gives {0, mean(y)})."""
    n = X.shape[0]
    base = [np.ones(n)] if const else []
    keep: list[int] = []
    for j in range(X.shape[1]):
        col = X[:, j]
        if base or keep:
            B = np.column_stack(base + [X[:, i] for i in keep])
            col = col - B @ np.linalg.lstsq(B, col, rcond=None)[0]
        if np.linalg.norm(col) > 1e-10 * max(np.linalg.norm(X[:, j]), 1e-300):
            keep.append(j)
    return keep


def _fit(y, X, const: bool):
    """Least-squares coefficients (b for each column of X, then the constant), collinear
    regressors dropped (coefficient 0)."""
    keep = _kept_columns(X, const)
    cols = [X[:, i] for i in keep] + ([np.ones(len(y))] if const else [])
    coef = np.zeros(X.shape[1] + 1)
    if cols:
        c = np.linalg.lstsq(np.column_stack(cols), y, rcond=None)[0]
        coef[keep] = c[:len(keep)]
        if const:
            coef[-1] = c[-1]
    return coef


@register("TREND")
def _trend(ev, args):
    """TREND(known_y, [known_x], [new_x], [const]): the least-squares fit's values at new_x."""
    if not 1 <= len(args) <= 4:
        return Values.error(E.VALUE)
    ys = ev.eval(args[0])
    xs = ev.eval(args[1]) if len(args) > 1 and args[1] is not None else None
    new = ev.eval(args[2]) if len(args) > 2 and args[2] is not None else xs
    const = True
    if len(args) > 3 and args[3] is not None:
        b, e = truthy(ev.scalar(args[3]))
        if e.reshape(-1)[0]:
            return Values.error(int(e.reshape(-1)[0]))
        const = bool(b.reshape(-1)[0])
    if ys.n > 1 or (xs is not None and xs.n > 1) or (new is not None and new.n > 1):
        raise NotVectorizable("TREND over moving ranges")
    got = _design(ys, xs)
    if isinstance(got, ExcelError):
        return from_python_cells(np.array([[[got]]], object))
    y, X = got
    coef = _fit(y, X, const)
    if new is None:
        Xn, shape = X, ys.hw
    else:
        nk, nn = new.kind[0], new.num[0]
        if (nk != NUM).any():
            return Values.error(E.VALUE)
        k = X.shape[1]
        if k == 1:
            Xn, shape = nn.reshape(-1, 1), new.hw
        elif new.hw[1] == k:
            Xn, shape = nn, (new.hw[0], 1)
        elif new.hw[0] == k:
            Xn, shape = nn.T, (1, new.hw[1])
        else:
            return Values.error(E.REF)
    pred = Xn @ coef[:-1] + coef[-1]
    return Values.from_numbers(pred.reshape(1, *shape))


@register("LINEST")
def _linest(ev, args):
    """LINEST(known_y, [known_x], [const], [stats]): {m_k ... m_1, b}, and with stats the rows of
    standard errors, (r^2, se_y), (F, df), (ss_reg, ss_resid), #N/A where a row is shorter."""
    if not 1 <= len(args) <= 4:
        return Values.error(E.VALUE)
    ys = ev.eval(args[0])
    xs = ev.eval(args[1]) if len(args) > 1 and args[1] is not None else None
    flags = []
    for k in (2, 3):
        if len(args) > k and args[k] is not None:
            b, e = truthy(ev.scalar(args[k]))
            if e.reshape(-1)[0]:
                return Values.error(int(e.reshape(-1)[0]))
            flags.append(bool(b.reshape(-1)[0]))
        else:
            flags.append(k == 2)
    const, stats = flags
    if ys.n > 1 or (xs is not None and xs.n > 1):
        raise NotVectorizable("LINEST over moving ranges")
    got = _design(ys, xs)
    if isinstance(got, ExcelError):
        return from_python_cells(np.array([[[got]]], object))
    y, X = got
    coef = _fit(y, X, const)
    k = X.shape[1]
    row = np.append(coef[:-1][::-1], coef[-1])
    if not stats:
        return Values.from_numbers(row.reshape(1, 1, -1))
    n = y.size
    keep = _kept_columns(X, const)
    A = np.column_stack([X[:, i] for i in keep] + ([np.ones(n)] if const else [])) if keep or const \
        else np.zeros((n, 0))
    resid = y - (X @ coef[:-1] + coef[-1])
    ss_resid = float(np.sum(resid ** 2))
    ss_tot = float(np.sum((y - y.mean()) ** 2)) if const else float(np.sum(y ** 2))
    ss_reg = ss_tot - ss_resid
    df = n - len(keep) - (1 if const else 0)
    out = np.full((1, 5, k + 1), np.nan)
    err = np.full((1, 5, k + 1), float(E.NA))
    out[0, 0], err[0, 0] = row, 0
    if df > 0:
        se_y = math.sqrt(ss_resid / df)
        se_kept = np.sqrt(np.diag(np.linalg.pinv(A.T @ A)) * (ss_resid / df)) if A.shape[1] else np.zeros(0)
        se = np.zeros(k + 1)
        se[keep] = se_kept[:len(keep)]
        se[k] = se_kept[-1] if const else np.nan
        se_row = np.append(se[:k][::-1], se[k])
        out[0, 1] = se_row
        err[0, 1] = np.where(np.isfinite(se_row), 0, E.NA)
        r2 = ss_reg / ss_tot if ss_tot else 1.0
        f_stat = (ss_reg / max(len(keep), 1)) / (ss_resid / df) if ss_resid else np.inf
        for r, vals in ((2, (r2, se_y)), (3, (f_stat, df)), (4, (ss_reg, ss_resid))):
            out[0, r, :2], err[0, r, :2] = vals, 0
    else:
        for r in range(1, 5):
            out[0, r, :2], err[0, r, :2] = np.nan, E.NUM
    err = np.where((err == 0) & ~np.isfinite(out), E.NUM, err)
    return Values.from_numbers(np.where(err != 0, 0.0, out), err)


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
            out[idx] = _error(e)
            continue
        out[idx] = _t_test_one(a, b, i, math.trunc(tv[j]), math.trunc(kv[j]))
    return from_python_cells(out)


def _t_test_one(a: Values, b: Values, i: int, tails: int, kind: int):
    if tails not in (1, 2) or kind not in (1, 2, 3):
        return NUM_ERROR
    if kind == 1:
        got = _paired(a, b, i)
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
        xs = []
        for v in (a, b):
            x, mask, err = numeric_items(v)
            vi = i if v.n > 1 else 0
            if err[vi]:
                return _error(err[vi])
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


# ---------------------------------------------------------------------------------------------
# the normal distribution and the gamma function (Python's statistics.NormalDist and math.gamma)

_STANDARD = NormalDist()


@cellwise("NORM.DIST", "NORMDIST", args="nnnb")
def _norm_dist(x, mean, sd, cumulative):
    """NORM.DIST(x, mean, sd, cumulative): the normal cdf (or pdf); #NUM! unless sd > 0."""
    if sd <= 0:
        return NUM_ERROR
    d = NormalDist(mean, sd)
    return d.cdf(x) if cumulative else d.pdf(x)


@cellwise("NORM.S.DIST", args="nb")
def _norm_s_dist(z, cumulative):
    return _STANDARD.cdf(z) if cumulative else _STANDARD.pdf(z)


cellwise("NORMSDIST", args="n")(lambda z: _STANDARD.cdf(z))
cellwise("PHI", args="n")(lambda z: _STANDARD.pdf(z))
cellwise("GAUSS", args="n")(lambda z: _STANDARD.cdf(z) - 0.5)


@cellwise("NORM.INV", "NORMINV", args="nnn")
def _norm_inv(p, mean, sd):
    """NORM.INV(p, mean, sd): the x where the normal cdf is p; #NUM! unless 0 < p < 1 and sd > 0."""
    if not 0 < p < 1 or sd <= 0:
        return NUM_ERROR
    return NormalDist(mean, sd).inv_cdf(p)


@cellwise("NORM.S.INV", "NORMSINV", args="n")
def _norm_s_inv(p):
    return _STANDARD.inv_cdf(p) if 0 < p < 1 else NUM_ERROR


@cellwise("GAMMA", args="n")
def _gamma(x):
    """GAMMA(x); #NUM! at 0 and the negative integers, and where it overflows."""
    if x <= 0 and x == math.floor(x):
        return NUM_ERROR
    try:
        return math.gamma(x)
    except OverflowError:
        return NUM_ERROR


@cellwise("GAMMALN", "GAMMALN.PRECISE", args="n")
def _gammaln(x):
    return NUM_ERROR if x <= 0 else math.lgamma(x)
