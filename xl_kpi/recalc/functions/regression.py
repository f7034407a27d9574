"""Statistical: regression. The line of two samples (SLOPE, INTERCEPT, FORECAST, CORREL, RSQ,
STEYX, COVARIANCE) and least squares on several regressors (LINEST, TREND), and on logarithms
(LOGEST, GROWTH: y = b * m1^x1 * m2^x2 ...).

Excel's argument rules: the two-sample functions take the pairs where both values are numbers
(#N/A for samples of different sizes, #VALUE! for a sample that is one blank cell); LINEST and its family want numbers only (any text, blank
or error is #VALUE!, sizes that do not fit #REF!). A regressor collinear with the constant or
with the regressors before it is dropped, as Excel does: its coefficient and standard error are 0.
"""

from __future__ import annotations

import math

import numpy as np

from ...excel_errors import DIV0, ExcelError
from ...excel_errors import NUM as NUM_ERROR
from ...excel_errors import REF as REF_ERROR
from ...excel_errors import VALUE as VALUE_ERROR
from ..arrays import NotVectorizable
from ..values import EMPTY, ERR, NUM, E, Values, numbers, truthy
from .arguments import from_python_cells, per_instance
from .registry import register
from .stats import as_error, paired

# ---------------------------------------------------------------------------------------------
# the line of two samples


def _two_samples(f):
    """impl(ev, [array1, array2]) computing f(y, x) of the pairs where both are numbers."""
    def impl(ev, args):
        if len(args) != 2:
            return Values.error(E.VALUE)
        a, b = ev.eval(args[0]), ev.eval(args[1])

        def one(i):
            got = _samples(a, b, i)
            return got if isinstance(got, ExcelError) else f(*got)

        return per_instance(max(a.n, b.n), one)

    return impl


def _samples(ys: Values, xs: Values, i: int):
    """The pairs of :func:`~.stats.paired`, but #VALUE! for a sample given as one blank cell:
    Excel reads a lone cell as its value, and a blank value is no sample (``FORECAST.LINEAR(x,
    F41,H41)`` with H41 empty is #VALUE!, where a range of blanks leaves no pair: #DIV/0!)."""
    for v in (ys, xs):
        if v.hw == (1, 1) and v.kind[i if v.n > 1 else 0, 0, 0] == EMPTY:
            return VALUE_ERROR
    return paired(ys, xs, i)


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
    """FORECAST(x, known_y, known_x) = intercept + slope * x, element-wise over x; an error in
    x wins, then the first error of the pairs (y before x)."""
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
            out[idx] = as_error(xe[xi])
            continue
        got = _samples(ys, xs, i)
        if not isinstance(got, ExcelError):
            got = _line(*got)
        out[idx] = got if isinstance(got, ExcelError) else got[1] + got[0] * float(xv[xi])
    return from_python_cells(out)


# ---------------------------------------------------------------------------------------------
# least squares: LINEST, TREND, LOGEST, GROWTH


def _design(ys: Values, xs: Values | None):
    """(y, X, layout) of a least-squares fit: X's columns the regressors (one per column of
    known_x when known_y is a column and known_x has as many rows, one per row for a row, or
    the single regressor of the same size, or 1, 2, 3... when known_x is omitted); or an
    ExcelError: #REF! for sizes that do not fit (checked first, as Excel), then #VALUE! for any
    value that is not a number (an error value included: LINEST(A1:A3) with A2 #N/A is #VALUE!)."""
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
    if not (ys.kind[0] == NUM).all() or (xs is not None and not (xs.kind[0] == NUM).all()):
        return VALUE_ERROR
    y = ys.num[0].reshape(-1)
    if layout == "count":
        return y, np.arange(1, y.size + 1, dtype=float).reshape(-1, 1), layout
    xn = xs.num[0]
    if layout == "flat":
        return y, xn.reshape(-1, 1), layout
    return y, (xn if layout == "columns" else xn.T), layout


def _kept_columns(X, const: bool) -> list[int]:
    """The regressors not collinear with the constant and the ones before them: Excel drops the
    others (their coefficient is 0, as LINEST of a constant x gives {0, mean(y)}).

    A column is kept when what is left of it, once projected off the constant and the kept
    columns (Gram-Schmidt, twice for accuracy), is more than 1e-10 of its length.
    """
    n, k = X.shape
    basis = np.empty((k + 1, n))  # orthonormal rows: the constant, then each kept column
    m = 0
    if const:
        basis[0], m = 1 / math.sqrt(n), 1
    keep: list[int] = []
    for j in range(k):
        col = X[:, j].astype(float)
        for _ in range(2):
            col = col - (basis[:m] @ col) @ basis[:m]
        norm = float(np.linalg.norm(col))
        if norm > 1e-10 * max(float(np.linalg.norm(X[:, j])), 1e-300):
            keep.append(j)
            basis[m], m = col / norm, m + 1
    return keep


class _Fit:
    """Least squares of y on the columns of X (and a constant when ``const``), computed on the
    centred data when there is a constant (a line through exact points comes out exact).

    ``coef`` holds one coefficient per column of X (0 for a dropped one), ``b`` the constant,
    ``keep`` the columns kept and ``G`` the inverse of the kept columns' (centred) cross-product
    matrix, from which the standard errors come.
    """

    def __init__(self, y: np.ndarray, X: np.ndarray, const: bool):
        self.y, self.X, self.const = y, X, const
        self.keep = _kept_columns(X, const)
        self.xm = X.mean(axis=0) if const else np.zeros(X.shape[1])
        ym = float(y.mean()) if const else 0.0
        A = X[:, self.keep] - self.xm[self.keep]
        self.coef = np.zeros(X.shape[1])
        if self.keep:
            self.G = np.linalg.inv(A.T @ A)
            if len(self.keep) == 1:
                a = A[:, 0]
                self.coef[self.keep] = float(a @ (y - ym)) / float(a @ a)
            else:
                self.coef[self.keep] = np.linalg.lstsq(A, y - ym, rcond=None)[0]
        else:
            self.G = np.zeros((0, 0))
        self.b = ym - float(self.xm @ self.coef) if const else 0.0

    def predict(self, X: np.ndarray) -> np.ndarray:
        return X @ self.coef + self.b

    def row(self) -> np.ndarray:
        """{m_k, ..., m_1, b}: LINEST's first row."""
        return np.append(self.coef[::-1], self.b)

    def statistics(self) -> tuple[np.ndarray, np.ndarray]:
        """(values, error codes) of LINEST's 5 x (k + 1) array with stats: the coefficients, their
        standard errors, (r^2, se_y), (F, df), (ss_reg, ss_resid); #N/A where a row is shorter.

        df = n - kept regressors - const (a dropped regressor gives its degree back, as Microsoft
        documents), except with as many coefficients as points (n = k + const), where Excel
        reports no residual at all (pycel's stats.xlsx LinestArrayExp!F21:H25): standard errors
        0, r^2 1, df 0, F #NUM! (as for any exact fit); fewer points than coefficients are #NUM!."""
        y, X, keep, const = self.y, self.X, self.keep, self.const
        n, k = X.shape
        out = np.full((5, k + 1), np.nan)
        err = np.full((5, k + 1), float(E.NA))
        out[0], err[0] = self.row(), 0
        ss_tot = float(np.sum((y - y.mean()) ** 2)) if const else float(np.sum(y ** 2))
        points = n - k - (1 if const else 0)
        if points < 0:
            out[1:, :2], err[1:, :2] = np.nan, E.NUM
            return out, err
        if points == 0:  # as many coefficients as points: Excel leaves no residual, even for a dropped regressor
            ss_resid, df = 0.0, 0
        else:
            ss_resid = float(np.sum((y - self.predict(X)) ** 2))
            df = n - len(keep) - (1 if const else 0)
        ss_reg = ss_tot - ss_resid
        var = ss_resid / df if df else 0.0
        se = np.zeros(k + 1)
        se[keep] = np.sqrt(np.clip(np.diag(self.G), 0, None) * var)
        se[k] = math.sqrt(var * (1 / n + float(self.xm[keep] @ self.G @ self.xm[keep]))) if const else np.nan
        out[1] = np.append(se[:k][::-1], se[k])
        err[1] = np.where(np.isfinite(out[1]), 0, E.NA)
        r2 = ss_reg / ss_tot if ss_tot else 1.0
        f_stat = (ss_reg / max(len(keep), 1)) / var if ss_resid else np.inf
        for r, vals in ((2, (r2, math.sqrt(var))), (3, (f_stat, df)), (4, (ss_reg, ss_resid))):
            out[r, :2], err[r, :2] = vals, 0
        err = np.where((err == 0) & ~np.isfinite(out), E.NUM, err)
        return out, err


def _flag(ev, args, k: int, default: bool):
    """The logical argument k (const, stats), its default when omitted; #VALUE! for an error."""
    if len(args) <= k or args[k] is None:
        return default
    b, e = truthy(ev.scalar(args[k]))
    return VALUE_ERROR if e.reshape(-1)[0] else bool(b.reshape(-1)[0])


def _fit_args(ev, args, name: str, log: bool):
    """(y, X, layout, known_y's shape) of LINEST/TREND-style arguments (known_y, [known_x], ...),
    or an ExcelError; ``log`` takes ln(y) (#NUM! for a y <= 0)."""
    ys = ev.eval(args[0])
    xs = ev.eval(args[1]) if len(args) > 1 and args[1] is not None else None
    if ys.n > 1 or (xs is not None and xs.n > 1):
        raise NotVectorizable(f"{name} over moving ranges")
    got = _design(ys, xs)
    if isinstance(got, ExcelError):
        return got
    y, X, layout = got
    if log:
        if (y <= 0).any():
            return NUM_ERROR
        y = np.log(y)
    return y, X, layout, ys.hw


def _one_error(e: ExcelError) -> Values:
    return from_python_cells(np.array([[[e]]], object))


def _estimate(log: bool):
    """LINEST / LOGEST(known_y, [known_x], [const], [stats]). LOGEST fits ln(y) and returns
    exp of the coefficients, {m_k ... m_1, b} of y = b * m1^x1 ...; its statistics are those of
    the fit of ln(y), as Excel's."""
    name = "LOGEST" if log else "LINEST"

    def impl(ev, args):
        if not 1 <= len(args) <= 4:
            return Values.error(E.VALUE)
        const, stats = _flag(ev, args, 2, True), _flag(ev, args, 3, False)
        for f in (const, stats):
            if isinstance(f, ExcelError):
                return _one_error(f)
        got = _fit_args(ev, args, name, log)
        if isinstance(got, ExcelError):
            return _one_error(got)
        y, X, _, _ = got
        fit = _Fit(y, X, const)
        if stats:
            out, err = fit.statistics()
        else:
            out, err = fit.row().reshape(1, -1), np.zeros((1, X.shape[1] + 1))
        if log:
            out[0] = np.exp(out[0])
        return Values.from_numbers(np.where(err != 0, 0.0, out)[None], err[None])

    return impl


def _project(log: bool):
    """TREND / GROWTH(known_y, [known_x], [new_x], [const]): the fit's values at new_x (at
    known_x when omitted). new_x has as many columns as known_x when the regressors are columns,
    as many rows when they are rows (#REF! otherwise); a value of new_x that is not a number is
    #VALUE!. GROWTH is exp of the fit of ln(y)."""
    name = "GROWTH" if log else "TREND"

    def impl(ev, args):
        if not 1 <= len(args) <= 4:
            return Values.error(E.VALUE)
        const = _flag(ev, args, 3, True)
        if isinstance(const, ExcelError):
            return _one_error(const)
        got = _fit_args(ev, args, name, log)
        if isinstance(got, ExcelError):
            return _one_error(got)
        y, X, layout, y_shape = got
        new = ev.eval(args[2]) if len(args) > 2 and args[2] is not None else None
        if new is None and len(args) > 1 and args[1] is not None:
            new = ev.eval(args[1])
        if new is None:
            Xn, shape = X, y_shape
        else:
            if new.n > 1:
                raise NotVectorizable(f"{name} over moving ranges")
            if (new.kind[0] == ERR).any() or (new.kind[0] != NUM).any():
                return _one_error(VALUE_ERROR)
            nn, k = new.num[0], X.shape[1]
            if layout in ("flat", "count"):
                Xn, shape = nn.reshape(-1, 1), new.hw
            elif layout == "columns" and new.hw[1] == k:
                Xn, shape = nn, (new.hw[0], 1)
            elif layout == "rows" and new.hw[0] == k:
                Xn, shape = nn.T, (1, new.hw[1])
            else:
                return _one_error(REF_ERROR)
        pred = _Fit(y, X, const).predict(Xn)
        if log:
            with np.errstate(over="ignore"):
                pred = np.exp(pred)
        return Values.from_numbers(pred.reshape(1, *shape))

    return impl


register("LINEST")(_estimate(log=False))
register("LOGEST")(_estimate(log=True))
register("TREND")(_project(log=False))
register("GROWTH")(_project(log=True))
