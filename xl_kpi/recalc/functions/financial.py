"""Financial: annuities (PMT, IPMT, PPMT, FV, PV, NPER, RATE), cash-flow values (NPV, XNPV, IRR,
XIRR, MIRR), cumulative interest/principal, depreciation (SLN, DB, DDB, VDB), EFFECT, NOMINAL,
PDURATION, RRI.

Annuity functions solve pv*(1+r)^n + pmt*(1+r*type)*((1+r)^n - 1)/r + fv = 0 (the r = 0 limit
when rate is 0), computed by numpy-financial, whose formulas are Excel's, element-wise over a
whole shape. Where Excel differs from it, the difference is written here:

- RATE and IRR: Excel runs Newton's method from ``guess`` (0.1) and gives #NUM! when it does
  not settle within 1e-7 in 20 steps (RATE); numpy-financial's IRR takes the roots of a
  polynomial instead and may pick another of several rates. Here RATE is Newton from the guess,
  20 steps; IRR is Newton from the guess and, where that diverges, from the nearest of a
  ladder of rates (Excel finds IRR({-7,2,1,4,-3,-7,2,-1,4,4}, 7) = -2.1 %); XIRR only from
  the guess (Excel's XIRR from a guess of -10 % is #NUM! where 60 % is the rate).
- PPMT is the closed form of PMT - IPMT (numpy-financial subtracts, which cancels at large
  rates; Excel does not), and NPV divides by 1+rate once at the end, as Excel's last bits show.
- NPV and IRR skip text, logicals and blanks inside ranges; NPV counts values typed directly
  (TRUE is 1) and an error in a range is its result, while IRR turns an error into #VALUE!.
- XIRR: Excel's bracketing and bisection from the guess (see :func:`_xirr_bisection`), so its
  results equal Excel's to the last digit and differ from the exact rate in the 8th, with the
  guess, as Excel's do; #NUM! when no bracket is found, when a date precedes the first one, or
  when the flows do not change sign. XNPV takes positive rates only, as Excel does.
- VDB switches from declining balance to straight line in the period where straight line
  becomes larger, unless ``no_switch`` is TRUE; a fractional start shifts the periods of the
  schedule, as Excel's results show (see :func:`_vdb_schedule`).
- CUMIPMT, CUMPRINC, EFFECT, NOMINAL, XNPV, XIRR come from the Analysis ToolPak: a logical
  argument is #VALUE! and so is a range in an array formula.
"""

from __future__ import annotations

import math

import numpy as np
import numpy_financial as npf

from ...excel_errors import DIV0, NUM, VALUE, ExcelError
from ..arrays import align, combine_errors
from ..values import BOOL, EMPTY, ERROR_CODE, ERROR_CODES, STR, E, Values, numbers, truthy
from ..values import NUM as NUMBER
from .arguments import finish, first_error, from_python_cells
from .registry import cellwise, elementwise, register

_NO = np.zeros(())


def _when(t):
    return np.where(t != 0, 1, 0)


@elementwise("PMT", arity=(3, 5), defaults=(0, 0))
def _pmt(rate, nper, pv, fv, t):
    """PMT(rate, nper, pv, [fv], [type]): the payment per period."""
    x = npf.pmt(rate, nper, pv, fv, _when(t))
    return x, np.where(nper == 0, E.NUM, 0)


@elementwise("FV", arity=(3, 5), defaults=(0, 0))
def _fv(rate, nper, pmt, pv, t):
    """FV(rate, nper, pmt, [pv], [type]): the value after nper periods."""
    return npf.fv(rate, nper, pmt, pv, _when(t)), _NO


@elementwise("PV", arity=(3, 5), defaults=(0, 0))
def _pv(rate, nper, pmt, fv, t):
    """PV(rate, nper, pmt, [fv], [type]): the present value."""
    return npf.pv(rate, nper, pmt, fv, _when(t)), _NO


def _interest(rate, per, nper, pv, fv, t):
    """IPMT with Excel's range check (1 <= per <= nper, else #NUM!)."""
    bad = (per < 1) | (per > nper) | (nper <= 0)
    x = npf.ipmt(rate, np.where(bad, 1, per), np.where(bad, 1, nper), pv, fv, _when(t))
    return np.where(bad, 0.0, x), np.where(bad, E.NUM, 0)


@elementwise("IPMT", arity=(4, 6), defaults=(0, 0))
def _ipmt(rate, per, nper, pv, fv, t):
    """IPMT(rate, per, nper, pv, [fv], [type]): the interest part of payment ``per``."""
    return _interest(rate, per, nper, pv, fv, t)


@elementwise("PPMT", arity=(4, 6), defaults=(0, 0))
def _ppmt(rate, per, nper, pv, fv, t):
    """PPMT(rate, per, nper, pv, [fv], [type]): the principal part of payment ``per``.

    PMT - IPMT in closed form, -rate*(pv + fv) / ((1+rate)^(nper-per+1) - (1+rate)^(1-per)),
    divided by 1+rate for type 1 (whose first payment is all principal: PMT), -(pv + fv)/nper
    at rate 0. The difference itself cancels when the rate is large: Excel's
    PPMT(5,3,33,10000,1) is -3.8e-20 where PMT - IPMT leaves 3e-10 of two 50,000s.
    """
    _, err = _interest(rate, per, nper, pv, fv, t)
    n, k = np.where(err != 0, 1, nper), np.where(err != 0, 1, per)
    b = 1 + rate
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        x = -rate * (pv + fv) / (np.power(b, n - k + 1) - np.power(b, 1 - k))
        x = np.where(_when(t) == 1, np.where(k == 1, npf.pmt(rate, n, pv, fv, 1), x / b), x)
        x = np.where(rate == 0, -(pv + fv) / n, x)
    return x + 0.0, err  # + 0.0: no negative zero


@elementwise("NPER", arity=(3, 5), defaults=(0, 0))
def _nper(rate, pmt, pv, fv, t):
    """NPER(rate, pmt, pv, [fv], [type]): the number of periods (#NUM! when none solves it)."""
    zero = rate == 0
    x = np.where(zero, -(pv + fv) / np.where(pmt == 0, np.nan, pmt), npf.nper(np.where(zero, 1, rate), pmt, pv, fv, _when(t)))
    return x, np.where(np.isfinite(x), 0, E.NUM)


def _annuity(r, n, pmt, pv, fv, t):
    """f(r) of the annuity equation and df/dr, for Newton's method."""
    if abs(r) < 1e-12:
        return pv + pmt * n + fv, pv * n + pmt * n * (n - 1) / 2 + pmt * t * n
    g = (1 + r) ** n
    dg = n * (1 + r) ** (n - 1)
    a = (1 + r * t) * (g - 1) / r
    da = t * (g - 1) / r + (1 + r * t) * (dg * r - (g - 1)) / (r * r)
    return pv * g + pmt * a + fv, pv * dg + pmt * da


@elementwise("RATE", arity=(3, 6), defaults=(0, 0, 0.1))
def _rate(nper, pmt, pv, fv, t, guess):
    """RATE(nper, pmt, pv, [fv], [type], [guess]): Newton from guess, 20 steps, to 1e-7."""
    out = np.empty(np.broadcast(nper, pmt, pv, fv, t, guess).shape)
    err = np.zeros(out.shape)
    args = np.broadcast_arrays(nper, pmt, pv, fv, t, guess)
    for idx in np.ndindex(out.shape):
        n, p, v, f, ty, r = (float(a[idx]) for a in args)
        ty = 1.0 if ty != 0 else 0.0
        out[idx], ok = np.nan, False
        if n > 0:
            for _ in range(20):
                y, dy = _annuity(r, n, p, v, f, ty)
                if dy == 0 or not math.isfinite(dy):
                    break
                step = y / dy
                r -= step
                if not math.isfinite(r) or r <= -1:
                    break
                if abs(step) < 1e-7:
                    ok = True
                    break
        if ok:
            out[idx] = r
        else:
            err[idx] = E.NUM
    return np.where(err != 0, 0.0, out), err


@elementwise("SLN", arity=(3, 3))
def _sln(cost, salvage, life):
    """SLN(cost, salvage, life) = (cost - salvage) / life."""
    return (cost - salvage) / np.where(life == 0, 1, life), np.where(life == 0, E.DIV0, 0)


@elementwise("PDURATION", arity=(3, 3))
def _pduration(rate, pv, fv):
    """PDURATION(rate, pv, fv) = (ln fv - ln pv) / ln(1 + rate): the periods for pv to reach fv
    at rate per period; every argument must be positive, else #NUM! (Microsoft's PDURATION page)."""
    bad = (rate <= 0) | (pv <= 0) | (fv <= 0)
    ok_ = ~bad
    return np.where(ok_, (np.log(np.where(ok_, fv, 1)) - np.log(np.where(ok_, pv, 1)))
                    / np.log1p(np.where(ok_, rate, 1)), 0.0), np.where(bad, E.NUM, 0)


@elementwise("RRI", arity=(3, 3))
def _rri(nper, pv, fv):
    """RRI(nper, pv, fv) = (fv / pv)^(1 / nper) - 1: the rate per period that grows pv to fv;
    #NUM! for nper <= 0, pv = 0 or a root of a negative ratio (Microsoft's RRI page; LibreOffice's
    RRI gives the same)."""
    ratio = fv / np.where(pv == 0, 1, pv)
    r = np.power(ratio, 1 / np.where(nper <= 0, 1, nper)) - 1
    bad = (nper <= 0) | (pv == 0) | ~np.isfinite(r)
    return np.where(bad, 0.0, r), np.where(bad, E.NUM, 0)


def _ddb_one(cost, salvage, life, period, factor):
    """Double-declining balance of one period (fractional periods as Excel's closed form)."""
    rate = factor / life
    if rate >= 1:
        rate, before = 1.0, (cost if period == 1 else 0.0)
    else:
        before = cost * (1 - rate) ** (period - 1)
    after = cost * (1 - rate) ** period
    dep = before - salvage if after < salvage else before - after
    return max(dep, 0.0)


@elementwise("DDB", arity=(4, 5), defaults=(2,))
def _ddb(cost, salvage, life, period, factor):
    """DDB(cost, salvage, life, period, [factor]): declining balance at ``factor``/life a period."""
    bad = (cost < 0) | (salvage < 0) | (life <= 0) | (period <= 0) | (factor <= 0) | (period > life)
    out = np.zeros(np.broadcast(cost, salvage, life, period, factor).shape)
    args = np.broadcast_arrays(cost, salvage, life, period, factor, bad)
    for idx in np.ndindex(out.shape):
        c, s, lf, p, f, b = (a[idx] for a in args)
        if not b:
            out[idx] = _ddb_one(float(c), float(s), float(lf), float(p), float(f))
    return out, np.where(bad, E.NUM, 0)


@elementwise("DB", arity=(4, 5), defaults=(12,))
def _db(cost, salvage, life, period, month):
    """DB(cost, salvage, life, period, [month]): fixed-declining balance, rate rounded to 3 places."""
    period, month = np.trunc(period), np.trunc(month)
    bad = (cost < 0) | (salvage < 0) | (life <= 0) | (period <= 0) | (month < 1) | (month > 12) \
        | (period > life + 1) | ((period > life) & (month == 12))
    out = np.zeros(np.broadcast(cost, salvage, life, period, month).shape)
    args = np.broadcast_arrays(cost, salvage, life, period, month, bad)
    for idx in np.ndindex(out.shape):
        c, s, lf, p, m, b = (float(a[idx]) for a in args)
        if b or c == 0:
            continue
        rate = round(1 - (s / c) ** (1 / lf), 3)
        dep = total = c * rate * m / 12
        for k in range(2, int(p) + 1):
            dep = (c - total) * rate * ((12 - m) / 12 if k == lf + 1 else 1)
            total += dep
        out[idx] = dep
    return out, np.where(bad, E.NUM, 0)


def _vdb_schedule(cost, salvage, life, start, end, factor) -> float:
    """VDB with the switch to straight line, as Excel computes it: a schedule from period 0 whose
    periods are shifted by start's fraction ([0, 0.5], [0.5, 1.5], ... for a start of 13.5), each
    period's depreciation the declining balance of the book value at ``factor / life`` per unit of
    time (not below salvage) until straight line over the remaining life is larger, then straight
    line; the periods from start to end are summed, the last one cut at end.

    Reverse-engineered from Excel's cached values (koala VDB.xlsx): VDB(1,0,14,13.5,14,1.25) is
    half the straight-line amount of the shifted schedule, not half of VDB(...,13,14,...).
    """
    frac = start - math.floor(start)
    points = [0.0] + ([frac] if frac > 0 else [])
    while points[-1] + 1 < end:
        points.append(points[-1] + 1)
    if points[-1] < end:
        points.append(end)
    rate = min(factor / life, 1.0)
    book, straight, total = cost, None, 0.0
    for a, b in zip(points, points[1:]):
        h = b - a
        if straight is None:
            dep = book * rate * h
            if book - dep < salvage:
                dep = max(book - salvage, 0.0)
            line = (book - salvage) / (life - a)
            if line * h > dep:
                straight, dep = line, line * h
        else:
            dep = straight * h
        if a >= start:
            total += dep
        book -= dep
    return total


def _vdb_one(cost, salvage, life, start, end, factor, no_switch):
    if not no_switch:
        return _vdb_schedule(cost, salvage, life, start, end, factor)
    lo, hi = math.floor(start), math.ceil(end)
    total = 0.0
    for i in range(lo + 1, hi + 1):
        term = _ddb_one(cost, salvage, life, i, factor)
        if i == lo + 1:
            term *= min(end, lo + 1) - start
        elif i == hi:
            term *= end + 1 - hi
        total += term
    return total


@register("VDB")
def _vdb(ev, args):
    """VDB(cost, salvage, life, start, end, [factor], [no_switch]): depreciation from start to end."""
    if not 5 <= len(args) <= 7:
        return Values.error(E.VALUE)
    vals = [ev.scalar(a) for a in args[:6]] + ([] if len(args) > 5 else [Values.number(2.0)])
    vals = align(*vals, ev.scalar(args[6]) if len(args) > 6 else Values.boolean(False))
    xs, errs = zip(*(numbers(v) for v in vals[:6]))
    sw, esw = truthy(vals[6])
    err = combine_errors(*errs, esw)
    cost, salvage, life, start, end, factor = xs
    bad = (err == 0) & ((start < 0) | (end < start) | (end > life) | (cost < 0) | (salvage < 0) | (factor <= 0)
                        | (life <= 0))
    err = np.where(bad, E.NUM, err)
    out = np.zeros(err.shape)
    for idx in np.ndindex(err.shape):
        if not err[idx]:
            out[idx] = _vdb_one(*(float(x[idx]) for x in xs), bool(sw[idx]))
    return Values.from_numbers(out, err)


# ---------------------------------------------------------------------------------------------
# cash flows


def _flows(v: Values, i: int):
    """The numbers of one instance of a range or array, in row-major order, and its first error."""
    k, x = v.kind[i].reshape(-1), v.num[i].reshape(-1)
    e = first_error(v.kind[i:i + 1], v.num[i:i + 1])[0]
    return x[k == NUMBER], e


def _over_elements(scalar: Values, n: int, f) -> Values:
    """``f(i, kind, number)`` for every element of a scalar argument given a range or array in an
    array formula (NPV's rate, IRR's guess): Excel computes the function once per element."""
    h, w = scalar.hw
    out = np.empty((n, h, w), object)
    x, e = numbers(scalar)
    for i in range(n):
        si = i if scalar.n > 1 else 0
        for r in range(h):
            for c in range(w):
                code = int(e[si, r, c])
                out[i, r, c] = ExcelError(ERROR_CODES[code - 1]) if code else f(i, float(x[si, r, c]))
    return from_python_cells(out)


def _npv_flows(vals: list[Values], i: int):
    """The numbers of NPV's value arguments for instance ``i``, in order, or the error among them."""
    flows = []
    for v in vals:
        vi = i if v.n > 1 else 0
        if v.ref is not None or not v.is_cell:
            x, e = _flows(v, vi)
        else:
            x, ee = numbers(v.instance(vi))
            e = ee[0, 0, 0] if v.kind[vi, 0, 0] != EMPTY else 0
            x = x.reshape(-1) if v.kind[vi, 0, 0] != EMPTY else np.zeros(0)
        if e:
            return ExcelError(ERROR_CODES[int(e) - 1])
        flows.append(x)
    return np.concatenate(flows) if flows else np.zeros(0)


@register("NPV")
def _npv(ev, args):
    """NPV(rate, value1, ...) = sum of value_i / (1 + rate)^i over the numbers, in order.

    Computed as Excel's last digits show: the values are discounted to the first period,
    (v1 + v2/b + v3/b^2 + ...) with b = 1 + rate and b^k by repeated multiplication, and the
    sum divided by b once at the end. This reproduces every NPV Excel cached in the corpus to
    the bit (pycel npv.xlsx A2:A10, formulas test.xlsx FINANCIAL row 33), where the direct
    sum of v_i/b^i misses some by an ulp, enough to fail a subtraction of two close values.
    """
    if len(args) < 2:
        return Values.error(E.VALUE)
    rate = ev.scalar(args[0])
    vals = [ev.eval(a) for a in args[1:]]
    n = max([rate.n] + [v.n for v in vals])
    flows = [_npv_flows(vals, i) for i in range(n)]

    def one(i, rr):
        x = flows[i]
        if isinstance(x, ExcelError):
            return x
        if rr == -1:
            return DIV0
        b = 1 + rr
        total, discount = 0.0, 1.0
        for value in x.tolist():  # Excel's order of operations, for its last digit
            if discount == 0:  # (1 + rate)^k underflowed: the terms overflow
                return NUM
            total += value / discount
            discount *= b
        total /= b
        return total if math.isfinite(total) else NUM

    return _over_elements(rate, n, one)


def _irr_newton(x: np.ndarray, guess: float, times=None, steps=20, tol=1e-7):
    """The rate where sum x_k / (1 + r)^t_k = 0, by Newton's method from ``guess``, or None."""
    t = np.arange(x.size, dtype=float) if times is None else times
    r = guess
    for _ in range(steps):
        if r <= -1:
            return None
        with np.errstate(all="ignore"):
            d = (1 + r) ** -t
            f = float(np.sum(x * d))
            df = float(np.sum(-t * x * d / (1 + r)))
        if df == 0 or not math.isfinite(df) or not math.isfinite(f):
            return None
        step = f / df
        r -= step
        if abs(step) <= tol * max(1.0, abs(r)):
            return r if math.isfinite(r) and r > -1 else None
    return None


def _irr_from(x: np.ndarray, guess: float, times=None):
    """Newton from the guess, then (where it diverges) from the nearest of a ladder of rates."""
    r = _irr_newton(x, guess, times, steps=50, tol=1e-10)
    if r is not None:
        return r
    for start in sorted((-0.9, -0.5, -0.2, -0.05, 0.0, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0),
                        key=lambda s: abs(s - guess)):
        r = _irr_newton(x, start, times, steps=50, tol=1e-10)
        if r is not None:
            return r
    return None


@register("IRR")
def _irr(ev, args):
    """IRR(values, [guess]): the rate of return of periodic flows (numbers of the range only)."""
    if not 1 <= len(args) <= 2:
        return Values.error(E.VALUE)
    v = ev.eval(args[0])
    guess = ev.scalar(args[1]) if len(args) > 1 and args[1] is not None else Values.number(0.1)
    n = max(v.n, guess.n)
    flows = [_flows(v, i if v.n > 1 else 0) for i in range(n)]

    def one(i, g):
        x, e = flows[i]
        if e:
            return VALUE
        if not ((x > 0).any() and (x < 0).any()):
            return NUM
        r = _irr_from(x, g)
        return NUM if r is None else r

    return _over_elements(guess, n, one)


@register("MIRR")
def _mirr(ev, args):
    """MIRR(values, finance_rate, reinvest_rate): ((-NPV(reinvest, +)*(1+r)^n) / (NPV(finance, -)*(1+f)))^(1/(n-1)) - 1."""
    if len(args) != 3:
        return Values.error(E.VALUE)
    v = ev.eval(args[0])
    f, ef = numbers(ev.scalar(args[1]))
    r, er = numbers(ev.scalar(args[2]))
    n = max(v.n, f.shape[0], r.shape[0])
    out, err = np.zeros(n), np.zeros(n)
    for i in range(n):
        x, e = _flows(v, i if v.n > 1 else 0)
        fi, ri = (i if f.shape[0] > 1 else 0), (i if r.shape[0] > 1 else 0)
        e = ef[fi, 0, 0] or er[ri, 0, 0] or e
        if e:
            err[i] = e
        elif not ((x > 0).any() and (x < 0).any()):
            err[i] = E.DIV0
        else:
            with np.errstate(all="ignore"):
                out[i] = npf.mirr(x, float(f[fi, 0, 0]), float(r[ri, 0, 0]))
    return finish(out, err)


def _dated_flows(values, dates):
    """(flows, day offsets) of XNPV/XIRR, or the ExcelError they give."""
    vs = values if isinstance(values, list) else [values]
    ds = dates if isinstance(dates, list) else [dates]
    if len(vs) != len(ds):
        return NUM
    x, d = [], []
    for items in (ds, vs):  # Excel reports an error among the dates first
        bad = next((item for item in items if isinstance(item, ExcelError)), None)
        if bad is not None:
            return bad
    for v, t in zip(vs, ds):
        if (v is None and t is None) or isinstance(v, str):  # a blank pair, or text for a value, is skipped
            continue
        if not isinstance(v, float) or not isinstance(t, float) or isinstance(v, bool) or isinstance(t, bool):
            return VALUE
        x.append(v)
        d.append(math.trunc(t))
    if not x:
        return NUM
    d0 = d[0]
    if any(t < d0 for t in d) or d0 < 0:
        return NUM
    return np.array(x), (np.array(d, float) - d0) / 365.0


def _cells(v: Values, i: int) -> list:
    """One instance of a range or array as a flat list of Python values (numbers as floats)."""
    out = []
    for idx in np.ndindex(v.hw):
        k = v.kind[(i, *idx)]
        if k == STR:
            out.append(v.text[(i, *idx)])
        else:
            out.append(v.python(i, *idx))
    return out


@register("XNPV")
def _xnpv(ev, args):
    """XNPV(rate, values, dates) = sum value_k / (1 + rate)^((date_k - date_1) / 365)."""
    if len(args) != 3:
        return Values.error(E.VALUE)
    rate, vals, dates = ev.scalar(args[0]), ev.eval(args[1]), ev.eval(args[2])
    if rate.ref is not None and not rate.is_cell:  # an Analysis ToolPak function: no range of rates
        return Values.error(E.VALUE, rate.n)
    r, er = numbers(rate)
    n = max(rate.n, vals.n, dates.n)
    out, err = np.zeros(n), np.zeros(n)
    for i in range(n):
        ri = i if rate.n > 1 else 0
        if er[ri, 0, 0] or rate.kind[ri, 0, 0] == BOOL:
            err[i] = er[ri, 0, 0] or E.VALUE
            continue
        got = _dated_flows(_cells(vals, i if vals.n > 1 else 0), _cells(dates, i if dates.n > 1 else 0))
        if isinstance(got, ExcelError):
            err[i] = _code(got)
            continue
        x, t = got
        rr = float(r[ri, 0, 0])
        if rr <= 0:  # Excel's XNPV takes positive rates only (0 and -10 % are #NUM!)
            err[i] = E.NUM
            continue
        total = 0.0
        for value, years in zip(x.tolist(), t.tolist()):  # in order, as Excel sums them
            total += value / (1 + rr) ** years
        out[i] = total
    return finish(out, err)


def _xirr_bisection(x: np.ndarray, t: np.ndarray, guess: float) -> float | None:
    """XIRR's search as Excel's results show it: from [0, guess] the interval moves up by
    doubling (``[guess, 2 guess]``, ``[2 guess, 4 guess]``...) until XNPV changes sign across it,
    then is halved until it is narrower than 2e-8, and its midpoint is the rate; None (#NUM!)
    when no interval brackets a root before the rate leaves the domain.

    Reverse-engineered from Excel's cached results (formulas' test.xlsx, FINANCIAL row 54):
    guesses 1 and 4 give the same dyadic rate, 0.1 the rate of bisecting [0.4, 0.8], a guess of
    0 starts from 1e-5, and a negative guess walks down and fails (#NUM!, as Excel gives for
    -10 % where the rate is 60 %). So the result differs from the exact rate by up to 1e-8, as
    Excel's does, and a negative rate needs a negative guess, as in Excel.
    """

    def xnpv(r: float) -> float:
        with np.errstate(all="ignore"):
            v = float(np.sum(x / (1 + r) ** t))
        return v if r > -1 else math.nan

    lo, hi = 0.0, guess if guess != 0 else 1e-5
    f_lo, f_hi = xnpv(lo), xnpv(hi)
    for _ in range(1100):  # doubling reaches the float range's end long before
        if not (math.isfinite(f_lo) and math.isfinite(f_hi)):
            return None
        if f_lo == 0:
            return lo
        if f_hi == 0 or (f_lo < 0) != (f_hi < 0):
            break
        lo, f_lo, hi = hi, f_hi, hi * 2
        f_hi = xnpv(hi)
    else:
        return None
    if f_hi == 0:
        return hi
    for _ in range(200):
        mid = (lo + hi) / 2
        if abs(hi - lo) < 2e-8:
            return mid
        f_mid = xnpv(mid)
        if f_mid == 0:
            return mid
        if (f_mid < 0) == (f_lo < 0):
            lo, f_lo = mid, f_mid
        else:
            hi = mid
    return None


@register("XIRR")
def _xirr(ev, args):
    """XIRR(values, dates, [guess]): the rate where XNPV is 0, by Newton's method from guess."""
    if not 2 <= len(args) <= 3:
        return Values.error(E.VALUE)
    vals, dates = ev.eval(args[0]), ev.eval(args[1])
    guess = ev.scalar(args[2]) if len(args) > 2 and args[2] is not None else Values.number(0.1)
    g, eg = numbers(guess)
    guess_kind = guess.kind[:, 0, 0]
    if not guess.is_cell:
        return Values.error(E.VALUE)
    n = max(vals.n, dates.n, g.shape[0])
    out, err = np.zeros(n), np.zeros(n)
    for i in range(n):
        gi = i if g.shape[0] > 1 else 0
        if eg[gi, 0, 0] or guess_kind[gi] == BOOL:
            err[i] = eg[gi, 0, 0] or E.VALUE
            continue
        got = _dated_flows(_cells(vals, i if vals.n > 1 else 0), _cells(dates, i if dates.n > 1 else 0))
        if isinstance(got, ExcelError):
            err[i] = _code(got)
            continue
        x, t = got
        if not ((x > 0).any() and (x < 0).any()):
            err[i] = E.NUM
            continue
        r = _xirr_bisection(x, t, float(g[gi, 0, 0]))
        if r is None:
            err[i] = E.NUM
        else:
            out[i] = r
    return finish(out, err)


def _code(e: ExcelError) -> int:
    return ERROR_CODE[str(e)]


# ---------------------------------------------------------------------------------------------
# Analysis ToolPak functions: logicals are #VALUE!, ranges in array formulas too


def _cumulative(principal: bool):
    def f(rate, nper, pv, start, end, t):
        start, end, nper = math.ceil(start), math.trunc(end), nper
        if rate <= 0 or nper <= 0 or pv <= 0 or start < 1 or end < start or end > nper or t not in (0, 1):
            return NUM
        per = np.arange(start, end + 1, dtype=float)
        with np.errstate(all="ignore"):
            i = npf.ipmt(rate, per, nper, pv, 0, int(t))
            x = npf.pmt(rate, nper, pv, 0, int(t)) - i if principal else i
        total = float(np.sum(x))
        return total if math.isfinite(total) else NUM

    return f


cellwise("CUMIPMT", args="NNNNNN", arrays=False)(_cumulative(False))
cellwise("CUMPRINC", args="NNNNNN", arrays=False)(_cumulative(True))


@cellwise("EFFECT", args="NN", arrays=False)
def _effect(nominal, npery):
    """EFFECT(nominal, npery) = (1 + nominal/npery)^npery - 1, npery truncated."""
    p = math.trunc(npery)
    if nominal <= 0 or p < 1:
        return NUM
    return (1 + nominal / p) ** p - 1


@cellwise("NOMINAL", args="NN", arrays=False)
def _nominal(effect, npery):
    """NOMINAL(effect, npery) = npery * ((1 + effect)^(1/npery) - 1), npery truncated."""
    p = math.trunc(npery)
    if effect <= 0 or p < 1:
        return NUM
    return p * ((1 + effect) ** (1 / p) - 1)
