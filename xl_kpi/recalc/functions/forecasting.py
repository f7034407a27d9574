"""Statistical: forecasting by exponential triple smoothing (FORECAST.ETS, FORECAST.ETS.CONFINT,
FORECAST.ETS.SEASONALITY, FORECAST.ETS.STAT).

Microsoft documents the method as the AAA version of exponential triple smoothing: additive
error, trend and seasonality (Holt-Winters), on a timeline with a constant step. Steps:

1. *Series*: the (timeline, value) pairs sorted by time; several values at one time aggregated
   (``aggregation`` 0 or 1 AVERAGE, 2 COUNT, 3 COUNTA, 4 MAX, 5 MEDIAN, 6 MIN, 7 SUM); the step
   is the smallest gap, every gap a multiple of it (#NUM! otherwise); a timeline of dates on
   one day of the month whose day gaps differ (months, years) is read in months. The missing
   points (at most 30 % of the series, #NUM! beyond) are the average of their two neighbours
   (``data_completion`` 1, the default) or 0 (``data_completion`` 0).
2. *Seasonality* m: given (2 to 8,760; 0 none) or detected (1, the default): the lag in 2..n/2
   where the autocorrelation of the linearly detrended series peaks highest above the 95 %
   white-noise bound z / sqrt(n), z the normal quantile of 1 - 0.025 / L for the L lags tried
   (Bonferroni: noise alone clears it 5 % of the time), or its smallest divisor peaking as high
   within that bound (the period, not a multiple of it); none (0) when no lag clears it (a
   pattern seen barely twice in 9 points is not told from noise: Excel's SEASONALITY is 0 there).
3. *Fit*: level l, trend b, seasonal s (seasonal states only when m > 1), for y_0..y_{n-1}:
   ``f_t = l + b + s_{t-m}`` (one step ahead), ``e_t = y_t - f_t``,
   ``l' = l + b + alpha e``, ``b' = b + alpha beta e``, ``s_t = s_{t-m} + gamma (1 - alpha) e``
   (the error-correction form of ``l' = alpha (y - s) + (1 - alpha)(l + b)``,
   ``b' = beta (l' - l) + (1 - beta) b``, ``s_t = gamma (y - l') + (1 - gamma) s_{t-m}``).
   The start states come from the first cycles (their means give the level and trend, the
   deviations from them the seasonal indices; without seasonality a line through the first
   ten points); alpha, beta, gamma in [0, 1] minimise the sum of squared one-step errors (a
   coarse grid, then a pattern search).
4. *Forecast* h steps after the last point: ``l + h b + s_{n-m+(h-1) mod m}``; between two steps,
   the straight line between them. Microsoft's page says a target before the end is #NUM!, but
   Excel computes one; what its results show (formulas' test.xlsx, STATISTICAL row 38: exactly
   1 at the first point, 0.1 and 0.7 at 0.1 and 0.7 on a timeline starting at 1, #NUM! at 0 and
   -1), this module does: at a point of the timeline its value; between a point and the next,
   the line from that value to the one-step forecast of the next (LibreOffice's rule too); from
   one step before the first point, where the value counts as 0; #NUM! that far back or further.
5. *CONFINT*: ``z * RMSE * sqrt(1 + sum_{j<h} (alpha + alpha beta j + gamma (1 - alpha) [m | j])^2)``
   (Hyndman et al., *Forecasting with Exponential Smoothing*, 2008, class 1 variance), ``z`` the
   normal quantile of (1 + confidence_level) / 2; ``confidence_level`` in (0, 1), 0.95 by
   default; a target before the end of the timeline is #NUM!, as documented.
6. *STAT*: 1 alpha, 2 beta, 3 gamma, 4 MASE (MAE over the mean absolute one-step change of the
   series), 5 SMAPE (mean of 2|e| / (|y| + |f|)), 6 MAE, 7 RMSE, 8 the step.

Arguments: errors propagate in argument order, then the scalar checks (#NUM!: seasonality not
0..8,760, data_completion not 0 or 1, aggregation not 0..7, statistic_type not 1..8), then the
arrays: an error value in them that error, sizes that differ #N/A, text or logicals #VALUE!
(pairs blank in both are skipped; a blank value alone is a missing point); a blank optional
scalar argument reads as omitted. Targets, levels and types in a range (array formulas) are
taken element by element over one fit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Callable

import numpy as np

from ...excel_dates import serial_to_ymd, ymd_to_serial
from ...excel_errors import DIV0, NA, ExcelError
from ...excel_errors import NUM as NUM_ERROR
from ...excel_errors import VALUE as VALUE_ERROR
from ..arrays import align
from ..values import EMPTY, ERR, NUM, E, Values, numbers
from .arguments import from_python_cells
from .registry import register
from .stats import as_error

MAX_SEASONALITY = 8760
#: The first serial after 9999-12-31: a monthly timeline reads dates only up to there.
MAX_SERIAL = 2958466
MAX_MISSING = 0.3
#: The longest completed series fitted (#NUM! beyond): 27 years of days, 14 months of hours;
#: bounds the time of the fit (a few seconds at this size).
MAX_POINTS = 10_000
_AGGREGATIONS = {
    0: np.mean, 1: np.mean, 2: np.size, 3: np.size, 4: np.max, 5: np.median, 6: np.min, 7: np.sum,
}


# ---------------------------------------------------------------------------------------------
# the series


@dataclass(frozen=True)
class Series:
    """A completed series on a constant step: y[k] at ``start + k * step`` (in months if
    ``month_day``, the day of the month of every date)."""

    y: np.ndarray
    start: float
    step: float
    month_day: int = 0

    def position(self, target: float) -> float:
        """The target on the series' index axis (0 the first point, 1 the next...)."""
        if self.month_day:
            if not 0 <= target < MAX_SERIAL:
                return math.nan
            target = _months(target, self.month_day)
        return (target - self.start) / self.step


def _months(serial: float, day0: int) -> float:
    """A date serial as a month count, the fraction the days since ``day0`` over the month's."""
    y, m, d = (int(a[0]) for a in serial_to_ymd(np.array([math.floor(serial)])))
    first = float(ymd_to_serial(np.array([y]), np.array([m]), np.array([1]))[0])
    length = float(ymd_to_serial(np.array([y]), np.array([m + 1]), np.array([1]))[0]) - first
    return 12.0 * y + (m - 1) + (d - day0 + serial - math.floor(serial)) / length


def _pairs(values: Values, timeline: Values, i: int):
    """The (times, values) numbers of instance ``i`` or an ExcelError (see the module notes)."""
    vi, ti = (i if values.n > 1 else 0), (i if timeline.n > 1 else 0)
    vk, vn = values.kind[vi].reshape(-1), values.num[vi].reshape(-1)
    tk, tn = timeline.kind[ti].reshape(-1), timeline.num[ti].reshape(-1)
    for kind, num in ((vk, vn), (tk, tn)):
        bad = kind == ERR
        if bad.any():
            return as_error(num[np.argmax(bad)])
    if vk.size != tk.size:
        return NA
    keep = ~((vk == EMPTY) & (tk == EMPTY))
    vk, vn, tk, tn = vk[keep], vn[keep], tk[keep], tn[keep]
    if not (tk == NUM).all() or not ((vk == NUM) | (vk == EMPTY)).all():
        return VALUE_ERROR
    given = vk == NUM
    return tn[given].astype(float), vn[given].astype(float)


def _grid(times: np.ndarray):
    """(start, step, index of each time) when the sorted distinct times sit on a constant step."""
    if times.size < 2:
        return None
    gaps = np.diff(times)
    step = float(gaps.min())
    if not step > 0 or not math.isfinite(step):
        return None
    k = np.rint((times - times[0]) / step)
    if np.any(np.abs(times - times[0] - k * step) > 1e-9 * np.maximum(np.abs(times), 1.0)):
        return None
    return float(times[0]), step, k.astype(np.int64)


def series(values: Values, timeline: Values, i: int, completion: int, aggregation: int):
    """The completed :class:`Series` of instance ``i``, or an ExcelError."""
    got = _pairs(values, timeline, i)
    if isinstance(got, ExcelError):
        return got
    t, y = got
    if t.size == 0:
        return VALUE_ERROR
    times, inverse = np.unique(t, return_inverse=True)
    agg = _AGGREGATIONS[aggregation]
    ys = np.array([float(agg(y[inverse == j])) for j in range(times.size)])
    month_day = 0
    grid = _grid(times)
    if grid is None and (times == np.floor(times)).all() and times.min() >= 1:
        _, _, days = serial_to_ymd(times)
        if (days == days[0]).all():
            years, months, _ = serial_to_ymd(times)
            month_day = int(days[0])
            grid = _grid((years * 12 + months - 1).astype(float))
    if grid is None:
        return NUM_ERROR
    start, step, k = grid
    count = int(k[-1]) + 1
    if count - times.size > MAX_MISSING * count or count > MAX_POINTS:
        return NUM_ERROR
    full = np.full(count, np.nan)
    full[k] = ys
    missing = np.flatnonzero(np.isnan(full))
    if missing.size:
        if completion:
            known = np.flatnonzero(~np.isnan(full))
            after = np.searchsorted(known, missing)
            full[missing] = (full[known[after - 1]] + full[known[after]]) / 2
        else:
            full[missing] = 0.0
    return Series(full, start, step, month_day)


# ---------------------------------------------------------------------------------------------
# seasonality


def detect_seasonality(y: np.ndarray) -> int:
    """The seasonal period of a series (0 for none): see step 2 of the module notes."""
    n = y.size
    if n < 4:
        return 0
    x = np.arange(n, dtype=float)
    slope, intercept = np.polyfit(x, y, 1)
    d = y - (intercept + slope * x)
    c0 = float(d @ d)
    if c0 <= 1e-12 * max(float(y @ y), 1e-300):
        return 0
    size = 1 << (2 * n - 1).bit_length()
    spectrum = np.fft.rfft(d, size)
    r = np.fft.irfft(spectrum * np.conj(spectrum), size)[: n // 2 + 2] / c0
    lags = range(2, min(n // 2, MAX_SEASONALITY) + 1)
    bound = NormalDist().inv_cdf(1 - 0.025 / max(len(lags), 1)) / math.sqrt(n)
    peaks = [lag for lag in lags
             if r[lag] > bound and r[lag] >= r[lag - 1] and (lag + 1 >= r.size or r[lag] >= r[lag + 1])]
    if not peaks:
        return 0
    best = max(peaks, key=lambda lag: r[lag])
    # a multiple of the period correlates as well, within sampling noise: keep the period
    return next(lag for lag in peaks if best % lag == 0 and r[lag] >= r[best] - bound)


# ---------------------------------------------------------------------------------------------
# the fit


@dataclass(frozen=True)
class Fit:
    """The smoothing constants, the states after the last point and the one-step fitted values."""

    alpha: float
    beta: float
    gamma: float
    m: int
    level: float
    trend: float
    season: np.ndarray  # the last m seasonal states, oldest first (empty without seasonality)
    fitted: np.ndarray


def _start(y: np.ndarray, m: int):
    """(level, trend, seasonal states) one step before the first point."""
    if m <= 1:
        head = y[: min(y.size, 10)]
        x = np.arange(head.size, dtype=float)
        trend = float(np.polyfit(x, head, 1)[0]) if head.size > 1 else 0.0
        return float(head.mean()) - trend * (x.mean() + 1), trend, np.zeros(0)
    cycles = y.size // m
    means = y[: cycles * m].reshape(cycles, m).mean(axis=1)
    trend = float(means[1] - means[0]) / m
    centre = (m - 1) / 2
    j = np.arange(m)
    dev = y[: cycles * m].reshape(cycles, m) - (means[:, None] + (j - centre) * trend)
    return float(means[0]) - trend * (centre + 1), trend, dev.mean(axis=0)


def _run(y, m, alpha, beta, gamma, start):
    """Run the recursions for P parameter sets at once (``alpha``, ``beta``, ``gamma`` of shape
    (P,)): (sums of squared one-step errors (P,), fitted values (n, P), level, trend, last m
    seasonal states (m, P))."""
    level, trend, s0 = start
    p = alpha.size
    level, trend = np.full(p, level), np.full(p, trend)
    seasonal = m > 1
    season = np.empty((y.size + m if seasonal else 0, p))
    if seasonal:
        season[:m] = s0[:, None]
    ab, gc = alpha * beta, gamma * (1 - alpha)
    fitted = np.empty((y.size, p))
    for t in range(y.size):
        f = level + trend + season[t] if seasonal else level + trend
        e = y[t] - f
        fitted[t] = f
        level = f - (season[t] if seasonal else 0.0) + alpha * e
        trend = trend + ab * e
        if seasonal:
            season[t + m] = season[t] + gc * e
    sse = ((y[:, None] - fitted) ** 2).sum(axis=0)
    return sse, fitted, level, trend, (season[-m:] if seasonal else np.zeros((0, p)))


def fit(y: np.ndarray, m: int):
    """The AAA model of a series with seasonality m (0: none), or #NUM! with too few points."""
    if y.size < 2 or (m > 1 and y.size < 2 * m):
        return NUM_ERROR
    # fitted on the series over its largest magnitude (the recursions are linear in y): squares
    # of values near 1e308 stay finite
    scale = float(np.max(np.abs(y))) or 1.0
    y = y / scale
    start = _start(y, m)
    names = 3 if m > 1 else 2

    def sse(points: np.ndarray) -> np.ndarray:
        gamma = points[:, 2] if names == 3 else np.zeros(len(points))
        with np.errstate(all="ignore"):  # constants near 1 can make the recursion diverge
            got = _run(y, m, points[:, 0], points[:, 1], gamma, start)[0]
        return np.where(np.isfinite(got), got, np.inf)

    axis = np.array([0.05, 0.25, 0.5, 0.75, 0.95])
    mesh = np.meshgrid(*([axis] * names), indexing="ij")
    grid = np.stack([g.reshape(-1) for g in mesh] + ([] if names == 3 else [np.zeros(mesh[0].size)]), axis=1)
    errs = sse(grid)
    best, err = grid[int(np.argmin(errs))], float(errs.min())
    if not math.isfinite(err):
        return NUM_ERROR  # values so large that their squares overflow
    step = 0.1
    moves = np.concatenate([np.eye(3)[:names], -np.eye(3)[:names]])
    while step > 1e-5 and err > 0:
        trial = np.clip(best + step * moves, 0.0, 1.0)
        errs = sse(trial)
        j = int(np.argmin(errs))
        if errs[j] < err:
            best, err = trial[j], float(errs[j])
        else:
            step /= 2
    one = best[None, :]
    _, fitted, level, trend, season = _run(y, m, one[:, 0], one[:, 1], one[:, 2], start)
    return Fit(float(best[0]), float(best[1]), float(best[2]) if m > 1 else 0.0, m,
               float(level[0]) * scale, float(trend[0]) * scale, season[:, 0] * scale, fitted[:, 0] * scale)


def _ahead(model: Fit, h: int) -> float:
    """The forecast h >= 1 steps after the last point: l + h b + s_{n-m+(h-1) mod m}."""
    s = model.season[(h - 1) % model.m] if model.m > 1 else 0.0
    return model.level + h * model.trend + s


def forecast(ser: Series, model: Fit, target: float):
    """The value at a target date: see step 4 of the module notes."""
    pos = ser.position(target)
    if not pos > -1 or not math.isfinite(pos):
        return NUM_ERROR
    n = ser.y.size
    k = math.floor(pos)
    frac = pos - k
    if k >= n:
        low = _ahead(model, k - n + 1)
        return low if frac < 1e-9 else low + frac * (_ahead(model, k - n + 2) - low)
    low = float(ser.y[k]) if k >= 0 else 0.0
    if frac < 1e-9:
        return low
    high = float(model.fitted[k + 1]) if k + 1 < n else _ahead(model, 1)
    return low + frac * (high - low)


def _variance_factor(model: Fit, h: int) -> float:
    """1 + sum_{j=1}^{h-1} (a + b j + c [m divides j])^2, in closed form."""
    a, b = model.alpha, model.alpha * model.beta
    c = model.gamma * (1 - model.alpha) if model.m > 1 else 0.0
    j = float(h - 1)
    total = j * a * a + 2 * a * b * j * (j + 1) / 2 + b * b * j * (j + 1) * (2 * j + 1) / 6
    if c and model.m > 1:
        q = float((h - 1) // model.m)
        total += q * (2 * c * a + c * c) + 2 * c * b * model.m * q * (q + 1) / 2
    return 1.0 + total


def confint(ser: Series, model: Fit, target: float, level: float):
    """The half-width of the prediction interval at a target: see step 5 of the module notes."""
    pos = ser.position(target)
    n = ser.y.size
    if not pos >= n - 1 - 1e-9 or not math.isfinite(pos):
        return NUM_ERROR
    z = NormalDist().inv_cdf((1 + level) / 2)
    sigma = math.sqrt(float(np.mean((ser.y - model.fitted) ** 2)))
    h = pos - (n - 1)
    lo = max(math.floor(h), 1)
    hi = max(math.ceil(h), 1)
    w_lo = math.sqrt(_variance_factor(model, lo))
    w = w_lo + (h - math.floor(h)) * (math.sqrt(_variance_factor(model, hi)) - w_lo) if hi != lo else w_lo
    return z * sigma * w


def statistic(ser: Series, model: Fit, kind: int):
    """FORECAST.ETS.STAT's statistic ``kind`` (1-8): see step 6 of the module notes."""
    e = ser.y - model.fitted
    if kind <= 3:
        return (model.alpha, model.beta, model.gamma)[kind - 1]
    if kind == 8:
        return ser.step
    mae = float(np.mean(np.abs(e)))
    if kind == 4:
        naive = float(np.mean(np.abs(np.diff(ser.y))))
        return DIV0 if naive == 0 else mae / naive
    if kind == 5:
        denom = np.abs(ser.y) + np.abs(model.fitted)
        ratio = np.where(denom > 0, 2 * np.abs(e) / np.where(denom > 0, denom, 1), 0.0)
        return float(np.mean(ratio))
    if kind == 6:
        return mae
    return math.sqrt(float(np.mean(e * e)))


# ---------------------------------------------------------------------------------------------
# the worksheet functions


def _integer_in(x: float, low: int, high: int):
    """int(x) when it lies in [low, high] (fractions truncated), else None."""
    if not math.isfinite(x) or not low <= x < high + 1:
        return None
    return int(x)


def _options(season: float, completion: float, aggregation: float):
    """The checked (seasonality, data_completion, aggregation), or #NUM!."""
    s = _integer_in(season, 0, MAX_SEASONALITY)
    a = _integer_in(aggregation, 0, 7)
    if s is None or a is None or completion not in (0.0, 1.0):
        return NUM_ERROR
    return s, int(completion), a


@dataclass(frozen=True)
class Task:
    """What one element of a call asks: the series options, and its result from the series,
    the fitted model (None when ``needs_fit`` is False) and the seasonality used."""

    options: tuple[int, int, int]
    result: Callable[[Series, "Fit | None", int], object]
    needs_fit: bool = True


def _scalars(ev, nodes, defaults):
    """(shape, n, [(numbers, error codes)]) of the scalar arguments, aligned; an omitted
    or blank argument with a default takes it (a blank required one reads 0)."""
    vals = align(*[ev.scalar(a) if a is not None else Values.number(d) for a, d in zip(nodes, defaults)])
    out = []
    for v, d in zip(vals, defaults):
        x, err = numbers(v)
        out.append((x if d is None else np.where(v.kind == EMPTY, d, x), err))
    return vals[0].kind.shape, vals[0].n, out


def _ets_function(name: str, arrays: tuple[int, int], scalars: tuple[int, ...], required: int,
                  defaults: tuple, task: Callable[[list[float]], Task | ExcelError]) -> None:
    """Register ``name``: the arguments at ``arrays`` (values, timeline) read whole, those at
    ``scalars`` (``required`` of them first, then optional ones with ``defaults``) element by
    element; ``task`` maps one element's scalar numbers to a :class:`Task` or an ExcelError.
    Series, seasonality and fit are computed once per instance and options, not per element."""
    arity = (2 + required, 2 + len(scalars))

    def impl(ev, args):
        if not arity[0] <= len(args) <= arity[1]:
            return Values.error(E.VALUE)
        nodes = list(args) + [None] * (arity[1] - len(args))
        if any(nodes[p] is None for p in (*arrays, *scalars[:required])):
            return Values.error(E.VALUE)
        values, timeline = (ev.eval(nodes[p]) for p in arrays)
        shape, sn, nums = _scalars(ev, [nodes[p] for p in scalars], defaults)
        per_instance = max(values.n, timeline.n) > 1
        shape = (max(shape[0], values.n, timeline.n), *shape[1:])
        out = np.empty(shape, object)
        cache: dict = {}
        for idx in np.ndindex(shape):
            sidx = (idx[0] if sn > 1 else 0, *idx[1:])
            first = next((e[sidx] for _, e in nums if e[sidx]), 0)
            got = as_error(first) if first else task([float(x[sidx]) for x, _ in nums])
            if isinstance(got, Task):
                got = _run_task(cache, values, timeline, idx[0] if per_instance else 0, got)
            out[idx] = got
        return from_python_cells(out)

    register(name)(impl)


def _run_task(cache: dict, values: Values, timeline: Values, i: int, task: Task):
    """The task's result on instance ``i``, the series and the fit memoised in ``cache``."""
    with np.errstate(all="ignore"):
        got = _task_result(cache, values, timeline, i, task)
    return NUM_ERROR if isinstance(got, float) and not math.isfinite(got) else got


def _task_result(cache: dict, values: Values, timeline: Values, i: int, task: Task):
    key = (i, *task.options)
    if key not in cache:
        season, completion, aggregation = task.options
        ser = series(values, timeline, i, completion, aggregation)
        cache[key] = ser if isinstance(ser, ExcelError) else (
            ser, detect_seasonality(ser.y) if season == 1 else season)
    if isinstance(cache[key], ExcelError):
        return cache[key]
    ser, m = cache[key]
    model = None
    if task.needs_fit:
        if key + ("fit",) not in cache:
            cache[key + ("fit",)] = fit(ser.y, m)
        model = cache[key + ("fit",)]
        if isinstance(model, ExcelError):
            return model
    return task.result(ser, model, m)


def _forecast_task(x):
    target, *opts = x
    got = _options(*opts)
    return got if isinstance(got, ExcelError) else Task(got, lambda ser, model, m: forecast(ser, model, target))


def _confint_task(x):
    target, level, *opts = x
    got = _options(*opts)
    if not isinstance(got, ExcelError) and not 0 < level < 1:
        got = NUM_ERROR
    return got if isinstance(got, ExcelError) else Task(got, lambda ser, model, m: confint(ser, model, target, level))


def _seasonality_task(x):
    got = _options(1.0, *x)
    return got if isinstance(got, ExcelError) else Task(got, lambda ser, model, m: float(m), needs_fit=False)


def _stat_task(x):
    kind, *opts = x
    k = _integer_in(kind, 1, 8)
    got = _options(*opts)
    if not isinstance(got, ExcelError) and k is None:
        got = NUM_ERROR
    if isinstance(got, ExcelError):
        return got
    if k == 8:
        return Task(got, lambda ser, model, m: ser.step, needs_fit=False)
    return Task(got, lambda ser, model, m: statistic(ser, model, k))


# FORECAST.ETS(target_date, values, timeline, [seasonality], [data_completion], [aggregation])
_ets_function("FORECAST.ETS", (1, 2), (0, 3, 4, 5), 1, (None, 1, 1, 1), _forecast_task)
# FORECAST.ETS.CONFINT(target_date, values, timeline, [confidence_level], [seasonality], ...)
_ets_function("FORECAST.ETS.CONFINT", (1, 2), (0, 3, 4, 5, 6), 1, (None, 0.95, 1, 1, 1), _confint_task)
# FORECAST.ETS.SEASONALITY(values, timeline, [data_completion], [aggregation])
_ets_function("FORECAST.ETS.SEASONALITY", (0, 1), (2, 3), 0, (1, 1), _seasonality_task)
# FORECAST.ETS.STAT(values, timeline, statistic_type, [seasonality], [data_completion], [aggregation])
_ets_function("FORECAST.ETS.STAT", (0, 1), (2, 3, 4, 5), 1, (None, 1, 1, 1), _stat_task)
