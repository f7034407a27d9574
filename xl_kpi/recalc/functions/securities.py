"""Financial, securities: coupon dates and day counts, bond price, yield and duration (regular
and odd first or last periods), accrued interest, discounted securities, Treasury bills,
fractional-dollar prices, French depreciation (AMORLINC, AMORDEGRC), the small helpers SYD,
ISPMT, FVSCHEDULE, and DAYS360 (a date function, here because the coupon day counts are built
on the same 30/360 conventions).

Almost all come from the Analysis ToolPak and read their arguments as it did: a logical or a
reference to several cells is #VALUE! (an array is taken element by element), dates are
truncated to whole days, ``basis`` is truncated and must be 0-4 (0 US 30/360, 1 actual/actual,
2 actual/360, 3 actual/365, 4 European 30/360), ``frequency`` 1, 2 or 4 coupons a year, and
settlement on or after maturity is #NUM!. The day count between two dates is YEARFRAC's
(:func:`.date_time._yearfrac`), so a basis means the same thing in every function.

Coupon dates run back from maturity by 12/frequency months; when maturity is the last day of
its month every coupon date is the last day of its month, otherwise the day is maturity's, cut
to the month's length. In one coupon period, A is the days from the previous coupon date to
settlement (30/360 days for bases 0 and 4, actual days otherwise), E the days of the period
(actual for basis 1, 360/frequency for 0, 2, 4, 365/frequency for 3) and DSC the days from
settlement to the next coupon date (E - A for the 30/360 bases, actual days otherwise), as
Excel's COUPDAYBS, COUPDAYS and COUPDAYSNC give them.

Checked against each function's example on Microsoft's page, and against LibreOffice on a grid
of 16,696 cells (``tests/test_recalc_securities.py``): 82 % agree to 1e-9. Where they differ,
Microsoft's documented formulas are followed:

- YIELD with one coupon left: Microsoft's closed form (simple interest over the last period);
  LibreOffice solves PRICE instead. PRICE itself discounts that coupon compoundly, as both do.
- ACCRINT: Microsoft's sum over quasi-coupon periods (A_i/NL_i); LibreOffice takes
  par*rate*YEARFRAC, which differs for actual/actual and wherever 30/360 meets a month end.
- The 30/360 day counts are YEARFRAC's, where a start on the last day of February counts as the
  30th (LibreOffice keeps the 28th in ACCRINTM, DISC, PRICEMAT... and keeps an end on the 31st
  after a February start in COUPDAYBS), and actual/actual is YEARFRAC's average year length.
- DURATION times each cash flow DSC/E + k periods away, as PRICE does; LibreOffice uses a
  YEARFRAC-based offset, 1e-3 apart.
- TBILLPRICE, TBILLYIELD, TBILLEQ count actual days (Microsoft's DSM); LibreOffice counts
  30/360 days plus one. Beyond 182 days TBILLEQ solves the semi-annual equation (Excel's
  behaviour) where LibreOffice keeps the short-bill formula.
- AMORDEGRC: in the last period the rest is written off (Microsoft: the rate grows to 50 % the
  period before the last, to 100 % in the last); LibreOffice gives 0 there. A life 1/rate
  between 4 and 5 years (or under 3, not a whole number) is #NUM! as Microsoft's page says.
- ODDFPRICE, ODDFYIELD: LibreOffice gives #VALUE! on the grid's bonds; checked against
  Microsoft's examples and against PRICE on a regular first period. ODDLPRICE, ODDLYIELD sum
  Microsoft's quasi-coupon periods where LibreOffice takes year fractions (actual/actual).
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import math

import numpy as np

from ...excel_dates import serial_to_ymd, to_serial
from ...excel_errors import DIV0, NUM, VALUE, ExcelError
from ..values import BOOL, ERR, ERROR_CODES, STR, E, Values
from ..values import NUM as NUMBER
from .arguments import coerce, per_instance
from .date_time import _yearfrac
from .registry import cellwise, elementwise, register

_LAST_SERIAL = 2958465  # 31 December 9999


@functools.lru_cache(maxsize=4096)
def _ymd(serial: int) -> tuple[int, int, int]:
    y, m, d = serial_to_ymd(np.array([float(serial)]))
    return int(y[0]), int(m[0]), int(d[0])


def _serial(y: int, m: int, d: int) -> int:
    return int(to_serial(dt.date(y, m, d)))


def _month_length(y: int, m: int) -> int:
    return calendar.monthrange(y, m)[1]


def _toolpak(*names: str, args: str, optional: str = ""):
    """Register ``f`` as :func:`.registry.cellwise` does for an Analysis ToolPak function (a
    logical or a multi-cell reference is #VALUE!), with #NUM! for a result out of the range of
    floats (an overflow, a non-finite value) instead of an exception."""

    def deco(f):
        def safe(*xs):
            try:
                out = f(*xs)
            except (OverflowError, ZeroDivisionError, ValueError):
                return NUM
            return NUM if isinstance(out, float) and not math.isfinite(out) else out

        safe.__doc__ = f.__doc__
        cellwise(*names, args=args, optional=optional, arrays=False)(safe)
        return f

    return deco


# -- argument checks ------------------------------------------------------------------------


def _dates(*serials: float):
    """Whole-day serials, or None when one is outside Excel's dates."""
    if any(not 0 <= s <= _LAST_SERIAL for s in serials):
        return None
    return [math.floor(s) for s in serials]


def _basis(basis) -> int | None:
    b = 0 if basis is None else math.trunc(basis)
    return b if 0 <= b <= 4 else None


def _frequency(freq) -> int | None:
    f = math.trunc(freq)
    return f if f in (1, 2, 4) else None


def _checked(settlement, maturity, basis, frequency=1.0):
    """(settlement, maturity, basis, frequency) as whole numbers, or None when Excel says #NUM!."""
    d, b, f = _dates(settlement, maturity), _basis(basis), _frequency(frequency)
    if d is None or b is None or f is None or d[0] >= d[1]:
        return None
    return d[0], d[1], b, f


# -- day counts and coupon dates -----------------------------------------------------------


def _days(start: int, end: int, basis: int) -> float:
    """Days from start to end by the basis' day count: 30/360 days (US for 0, European for 4,
    as YEARFRAC counts them), actual days otherwise."""
    if basis in (0, 4):
        fraction = _yearfrac(start, end, basis)
        if isinstance(fraction, ExcelError):  # a quasi-coupon date before 1900 or after 9999
            raise ValueError("date out of Excel's range")  # #NUM!, as the ToolPak wrapper gives
        return round(fraction * 360.0) * (1 if end >= start else -1)
    return float(end - start)


def _coupon_date(maturity: int, months_back: int) -> int:
    """Maturity moved ``months_back`` months earlier, by the coupon calendar's end-of-month rule."""
    y, m, d = _ymd(maturity)
    index = y * 12 + (m - 1) - months_back
    y2, m2 = divmod(index, 12)
    m2 += 1
    last = _month_length(y2, m2)
    return _serial(y2, m2, last if d == _month_length(y, m) else min(d, last))


def _coupons(settlement: int, maturity: int, freq: int) -> tuple[int, int, int]:
    """(previous coupon date, next coupon date, coupons left) around settlement."""
    step = 12 // freq
    # start from an estimate of the periods left, then walk to the right one
    k = max(0, int((maturity - settlement) / 365.25 * freq) - 1)
    while _coupon_date(maturity, k * step) <= settlement:
        k -= 1
    while _coupon_date(maturity, (k + 1) * step) > settlement:
        k += 1
    return _coupon_date(maturity, (k + 1) * step), _coupon_date(maturity, k * step), k + 1


def _period(settlement: int, maturity: int, freq: int, basis: int) -> tuple[float, float, float, int]:
    """(A, E, DSC, N) of the coupon period holding settlement (see the module's docstring)."""
    pcd, ncd, n = _coupons(settlement, maturity, freq)
    a = _days(pcd, settlement, basis)
    e = float(ncd - pcd) if basis == 1 else (365.0 if basis == 3 else 360.0) / freq
    dsc = e - a if basis in (0, 4) else float(ncd - settlement)
    return a, e, dsc, n


def _coupon_function(which: str):
    def f(settlement, maturity, frequency, basis):
        got = _checked(settlement, maturity, basis, frequency)
        if got is None:
            return NUM
        s, m, b, fr = got
        pcd, ncd, n = _coupons(s, m, fr)
        a, e, dsc, _ = _period(s, m, fr, b)
        return float({"COUPPCD": pcd, "COUPNCD": ncd, "COUPNUM": n, "COUPDAYBS": a, "COUPDAYS": e,
                      "COUPDAYSNC": dsc}[which])
    f.__doc__ = f"{which}(settlement, maturity, frequency, [basis]) (see the module's docstring)."
    return f


for _name in ("COUPPCD", "COUPNCD", "COUPNUM", "COUPDAYBS", "COUPDAYS", "COUPDAYSNC"):
    _toolpak(_name, args="NNN", optional="N")(_coupon_function(_name))


# -- coupon bonds --------------------------------------------------------------------------


def _price(a, e, dsc, n, rate, yld, redemption, freq):
    """Excel's PRICE from one period's day counts: the coupons 100*rate/f and the redemption,
    each discounted at yld/f per period from settlement (k - 1 + DSC/E periods away), less the
    interest accrued since the last coupon (A/E of a coupon). With one coupon left too (the
    formula of Microsoft's page; YIELD's closed form for that case discounts simply instead)."""
    c = 100.0 * rate / freq
    v = 1.0 + yld / freq
    t0 = dsc / e
    coupons = sum(c * v ** -(k + t0) for k in range(n))
    return redemption * v ** -(n - 1 + t0) + coupons - c * a / e


def _price_slope(a, e, dsc, n, rate, yld, redemption, freq):
    """d PRICE / d yld of :func:`_price`."""
    c = 100.0 * rate / freq
    v = 1.0 + yld / freq
    t0 = dsc / e
    terms = sum(c * (k + t0) * v ** -(k + t0 + 1) for k in range(n))
    return -(terms + redemption * (n - 1 + t0) * v ** -(n + t0)) / freq


@_toolpak("PRICE", args="NNNNNN", optional="N")
def _price_fn(settlement, maturity, rate, yld, redemption, frequency, basis):
    """PRICE(settlement, maturity, rate, yld, redemption, frequency, [basis]): the price per 100
    face value of a bond paying periodic coupons (see :func:`_price`); #NUM! for a negative rate
    or yield or a redemption <= 0."""
    got = _checked(settlement, maturity, basis, frequency)
    if got is None or rate < 0 or yld < 0 or redemption <= 0:
        return NUM
    s, m, b, f = got
    return _price(*_period(s, m, f, b), rate, yld, redemption, f)


@_toolpak("YIELD", args="NNNNNN", optional="N")
def _yield_fn(settlement, maturity, rate, pr, redemption, frequency, basis):
    """YIELD(settlement, maturity, rate, pr, redemption, frequency, [basis]): the yield at which
    PRICE gives ``pr``. With one coupon left, the closed form
    ((redemption/100 + rate/f) - (pr/100 + A/E*rate/f)) / (pr/100 + A/E*rate/f) * f*E/DSC;
    otherwise Newton's method from ``rate`` as Excel runs it (at most 100 steps), #NUM! when it
    does not settle. #NUM! for a negative rate, a price or redemption <= 0."""
    got = _checked(settlement, maturity, basis, frequency)
    if got is None or rate < 0 or pr <= 0 or redemption <= 0:
        return NUM
    s, m, b, f = got
    a, e, dsc, n = _period(s, m, f, b)
    if n == 1:
        paid = pr / 100.0 + a / e * rate / f
        return (redemption / 100.0 + rate / f - paid) / paid * f * e / dsc
    y = rate if rate > 0 else 0.05
    for _ in range(100):
        try:
            gap = _price(a, e, dsc, n, rate, y, redemption, f) - pr
            slope = _price_slope(a, e, dsc, n, rate, y, redemption, f)
        except (OverflowError, ZeroDivisionError):
            return NUM
        if slope == 0 or not math.isfinite(gap):
            return NUM
        step = gap / slope
        y -= step
        if y <= -f:
            return NUM
        if abs(step) <= 1e-14 * max(1.0, abs(y)):
            return y
    return NUM


def _duration(settlement, maturity, coupon, yld, frequency, basis):
    """Macaulay duration in years: the times (k - 1 + DSC/E)/f of the cash flows (the coupons
    100*coupon/f and the 100 repaid), weighted by their values discounted at yld/f per period."""
    got = _checked(settlement, maturity, basis, frequency)
    if got is None or coupon < 0 or yld < 0:
        return NUM
    s, m, b, f = got
    _, e, dsc, n = _period(s, m, f, b)
    c, v, t0 = 100.0 * coupon / f, 1.0 + yld / f, dsc / e
    weighted = total = 0.0
    for k in range(n):
        flow = (c + (100.0 if k == n - 1 else 0.0)) * v ** -(k + t0)
        weighted += (k + t0) * flow
        total += flow
    return weighted / total / f


@_toolpak("DURATION", args="NNNNN", optional="N")
def _duration_fn(settlement, maturity, coupon, yld, frequency, basis):
    """DURATION(settlement, maturity, coupon, yld, frequency, [basis]): the Macaulay duration,
    in years, of a bond of face value 100 (see :func:`_duration`); #NUM! for a negative coupon or
    yield."""
    return _duration(settlement, maturity, coupon, yld, frequency, basis)


@_toolpak("MDURATION", args="NNNNN", optional="N")
def _mduration_fn(settlement, maturity, coupon, yld, frequency, basis):
    """MDURATION(settlement, maturity, coupon, yld, frequency, [basis]): the modified duration,
    DURATION / (1 + yld/frequency)."""
    d = _duration(settlement, maturity, coupon, yld, frequency, basis)
    return d if isinstance(d, ExcelError) else d / (1.0 + yld / math.trunc(frequency))


# -- accrued interest ----------------------------------------------------------------------


@_toolpak("ACCRINT", args="NNNNNN", optional="Nb")
def _accrint(issue, first_interest, settlement, rate, par, frequency, basis, calc_method):
    """ACCRINT(issue, first_interest, settlement, rate, par, frequency, [basis], [calc_method]):
    the interest accrued on a security paying periodic interest, Microsoft's
    par * rate/f * sum(A_i / NL_i) over the quasi-coupon periods (dates first_interest moved by
    multiples of 12/f months) between the start and settlement: A_i the days of period i
    accrued, NL_i its normal length (as COUPDAYS counts it). The start is ``issue`` (calc_method
    TRUE, the default, or settlement before the first interest date), else ``first_interest``.
    #NUM! for rate or par <= 0 or issue on or after settlement."""
    d, b, f = _dates(issue, first_interest, settlement), _basis(basis), _frequency(frequency)
    if d is None or b is None or f is None or rate <= 0 or par <= 0 or d[0] >= d[2]:
        return NUM
    i, fi, s = d
    start = i if (calc_method is None or calc_method or s <= fi) else fi
    return par * rate / f * _quasi_periods(start, s, fi, f, b)


def _quasi_periods(start: int, end: int, anchor: int, freq: int, basis: int) -> float:
    """The coupon periods, in fractions of a period, from start to end, on the calendar of
    coupon dates ``anchor`` moved by multiples of 12/freq months."""
    step = 12 // freq
    k = 0  # find the quasi-coupon date on or before start: anchor moved k*step months back
    while _coupon_date(anchor, k * step) > start:
        k += 1
    while _coupon_date(anchor, (k - 1) * step) <= start:
        k -= 1
    total, lo = 0.0, start
    while lo < end:
        q0, q1 = _coupon_date(anchor, k * step), _coupon_date(anchor, (k - 1) * step)
        hi = min(end, q1)
        length = float(q1 - q0) if basis == 1 else (365.0 if basis == 3 else 360.0) / freq
        total += _days(lo, hi, basis) / length
        lo, k = hi, k - 1
    return total


@_toolpak("ACCRINTM", args="NNN", optional="NN")
def _accrintm(issue, settlement, rate, par, basis):
    """ACCRINTM(issue, settlement, rate, [par], [basis]): the interest of a security paying it at
    maturity, par * rate * YEARFRAC(issue, settlement, basis), par 1,000 by default; #NUM! for
    rate or par <= 0 or issue on or after settlement."""
    par = 1000.0 if par is None else par
    got = _checked(issue, settlement, basis)
    if got is None or rate <= 0 or par <= 0:
        return NUM
    return par * rate * _yearfrac(got[0], got[1], got[2])


# -- discounted and at-maturity securities --------------------------------------------------


def _term(settlement, maturity, basis):
    """YEARFRAC(settlement, maturity, basis) of checked arguments, or None for #NUM!."""
    got = _checked(settlement, maturity, basis)
    return None if got is None else _yearfrac(got[0], got[1], got[2])


@_toolpak("DISC", args="NNNN", optional="N")
def _disc(settlement, maturity, pr, redemption, basis):
    """DISC(settlement, maturity, pr, redemption, [basis]): the discount rate,
    (redemption - pr) / redemption / YEARFRAC(settlement, maturity, basis)."""
    t = _term(settlement, maturity, basis)
    if t is None or pr <= 0 or redemption <= 0:
        return NUM
    return (redemption - pr) / redemption / t


@_toolpak("INTRATE", args="NNNN", optional="N")
def _intrate(settlement, maturity, investment, redemption, basis):
    """INTRATE(settlement, maturity, investment, redemption, [basis]): the interest rate of a
    fully invested security, (redemption - investment) / investment / YEARFRAC(...)."""
    t = _term(settlement, maturity, basis)
    if t is None or investment <= 0 or redemption <= 0:
        return NUM
    return (redemption - investment) / investment / t


@_toolpak("RECEIVED", args="NNNN", optional="N")
def _received(settlement, maturity, investment, discount, basis):
    """RECEIVED(settlement, maturity, investment, discount, [basis]): the amount received at
    maturity, investment / (1 - discount * YEARFRAC(...)); #NUM! when that is not positive."""
    t = _term(settlement, maturity, basis)
    if t is None or investment <= 0 or discount <= 0 or discount * t >= 1.0:
        return NUM
    return investment / (1.0 - discount * t)


@_toolpak("PRICEDISC", args="NNNN", optional="N")
def _pricedisc(settlement, maturity, discount, redemption, basis):
    """PRICEDISC(settlement, maturity, discount, redemption, [basis]): the price per 100 of a
    discounted security, redemption * (1 - discount * YEARFRAC(...))."""
    t = _term(settlement, maturity, basis)
    if t is None or discount <= 0 or redemption <= 0:
        return NUM
    return redemption * (1.0 - discount * t)


@_toolpak("YIELDDISC", args="NNNN", optional="N")
def _yielddisc(settlement, maturity, pr, redemption, basis):
    """YIELDDISC(settlement, maturity, pr, redemption, [basis]): the annual yield of a
    discounted security, (redemption - pr) / pr / YEARFRAC(...)."""
    t = _term(settlement, maturity, basis)
    if t is None or pr <= 0 or redemption <= 0:
        return NUM
    return (redemption - pr) / pr / t


def _at_maturity(settlement, maturity, issue, basis):
    """(DIM, A, DSM) in years (YEARFRAC of issue-maturity, issue-settlement, settlement-maturity)
    of a security paying interest at maturity, or None for #NUM!."""
    got = _checked(settlement, maturity, basis)
    d = _dates(issue)
    if got is None or d is None:
        return None
    s, m, b, _ = got
    i = d[0]
    return _yearfrac(i, m, b), _yearfrac(i, s, b), _yearfrac(s, m, b)


@_toolpak("PRICEMAT", args="NNNNN", optional="N")
def _pricemat(settlement, maturity, issue, rate, yld, basis):
    """PRICEMAT(settlement, maturity, issue, rate, yld, [basis]): the price per 100 of a security
    paying interest at maturity, (100 + DIM*rate*100) / (1 + DSM*yld) - A*rate*100, the
    periods in years of the basis (see :func:`_at_maturity`)."""
    t = _at_maturity(settlement, maturity, issue, basis)
    if t is None or rate < 0 or yld < 0:
        return NUM
    dim, a, dsm = t
    return (100.0 + dim * rate * 100.0) / (1.0 + dsm * yld) - a * rate * 100.0


@_toolpak("YIELDMAT", args="NNNNN", optional="N")
def _yieldmat(settlement, maturity, issue, rate, pr, basis):
    """YIELDMAT(settlement, maturity, issue, rate, pr, [basis]): the annual yield of a security
    paying interest at maturity, ((1 + DIM*rate) - (pr/100 + A*rate)) / (pr/100 + A*rate) / DSM."""
    t = _at_maturity(settlement, maturity, issue, basis)
    if t is None or rate < 0 or pr <= 0:
        return NUM
    dim, a, dsm = t
    paid = pr / 100.0 + a * rate
    return (1.0 + dim * rate - paid) / paid / dsm


# -- Treasury bills ------------------------------------------------------------------------


def _bill_days(settlement, maturity):
    """Actual days from settlement to maturity of a Treasury bill, or None for #NUM! (maturity
    not after settlement, or more than one year after it)."""
    d = _dates(settlement, maturity)
    if d is None or d[0] >= d[1]:
        return None
    y, m, day = _ymd(d[0])
    year_later = _serial(y + 1, m, min(day, _month_length(y + 1, m)))
    return None if d[1] > year_later else float(d[1] - d[0])


@_toolpak("TBILLPRICE", args="NNN")
def _tbillprice(settlement, maturity, discount):
    """TBILLPRICE(settlement, maturity, discount): 100 * (1 - discount * DSM/360)."""
    dsm = _bill_days(settlement, maturity)
    if dsm is None or discount <= 0:
        return NUM
    price = 100.0 * (1.0 - discount * dsm / 360.0)
    return NUM if price <= 0 else price


@_toolpak("TBILLYIELD", args="NNN")
def _tbillyield(settlement, maturity, pr):
    """TBILLYIELD(settlement, maturity, pr): (100 - pr) / pr * 360/DSM."""
    dsm = _bill_days(settlement, maturity)
    if dsm is None or pr <= 0:
        return NUM
    return (100.0 - pr) / pr * 360.0 / dsm


@_toolpak("TBILLEQ", args="NNN")
def _tbilleq(settlement, maturity, discount):
    """TBILLEQ(settlement, maturity, discount): the bond-equivalent yield, 365*discount /
    (360 - discount*DSM) up to half a year; beyond, the root of the semi-annual compounding
    equation at the bill's price P = 100*(1 - discount*DSM/360):
    (-DSM/365 + sqrt((DSM/365)^2 - (2*DSM/365 - 1)*(1 - 100/P))) / (DSM/365 - 1/2)."""
    dsm = _bill_days(settlement, maturity)
    if dsm is None or discount <= 0:
        return NUM
    if dsm <= 182:
        denominator = 360.0 - discount * dsm
        return NUM if denominator <= 0 else 365.0 * discount / denominator
    price = 100.0 * (1.0 - discount * dsm / 360.0)
    if price <= 0:
        return NUM
    t = dsm / 365.0
    root = t * t - (2.0 * t - 1.0) * (1.0 - 100.0 / price)
    return NUM if root < 0 else (-t + math.sqrt(root)) / (t - 0.5)


# -- fractional-dollar prices ----------------------------------------------------------------


def _dollar(which: str):
    def f(value, fraction):
        fraction = math.trunc(fraction)
        if fraction < 0:
            return NUM
        if fraction < 1:
            return DIV0
        scale = 10.0 ** math.ceil(math.log10(fraction))
        whole = math.trunc(value)
        part = value - whole
        return whole + (part * scale / fraction if which == "DOLLARDE" else part * fraction / scale)
    return f


_dollarde = _toolpak("DOLLARDE", args="NN")(_dollar("DOLLARDE"))
_dollarde.__doc__ = """DOLLARDE(fractional_dollar, fraction): a price quoted in fractions (1.02 with
fraction 16 is 1 and 2/16) as a decimal, int + frac * 10^ceil(log10(fraction)) / fraction;
fraction truncated, #NUM! below 0, #DIV/0! below 1."""
_dollarfr = _toolpak("DOLLARFR", args="NN")(_dollar("DOLLARFR"))
_dollarfr.__doc__ = """DOLLARFR(decimal_dollar, fraction): the inverse of DOLLARDE,
int + frac * fraction / 10^ceil(log10(fraction))."""


# -- depreciation and interest helpers (Excel's own, not the ToolPak's) -------------------------


@elementwise("SYD", arity=(4, 4))
def _syd(cost, salvage, life, per):
    """SYD(cost, salvage, life, per): sum-of-years'-digits depreciation of period ``per``,
    (cost - salvage) * (life - per + 1) * 2 / (life * (life + 1)); #NUM! unless
    0 < per <= life."""
    x = (cost - salvage) * (life - per + 1.0) * 2.0 / (life * (life + 1.0))
    bad = (life <= 0) | (per <= 0) | (per > life)
    return x, np.where(bad, E.NUM, 0)


@elementwise("ISPMT", arity=(4, 4))
def _ispmt(rate, per, nper, pv):
    """ISPMT(rate, per, nper, pv): the interest of period ``per`` (counted from 0) of a loan
    repaid in equal principal parts, pv * rate * (per/nper - 1); #DIV/0! when nper is 0."""
    return pv * rate * (per / nper - 1.0), np.where(nper == 0, E.DIV0, 0)


@register("FVSCHEDULE")
def _fvschedule(ev, nodes):
    """FVSCHEDULE(principal, schedule): principal * the product of (1 + r) over the rates of
    ``schedule`` (a number, range or array; blank cells count as 0, text or logicals in it are
    #VALUE!, an error is itself). An Analysis ToolPak function: a logical principal is #VALUE!."""
    if len(nodes) != 2:
        return Values.error(E.VALUE)
    principal, schedule = ev.scalar(nodes[0]), ev.eval(nodes[1])
    if not principal.is_cell:
        return Values.error(E.VALUE, principal.n)
    def one(i: int):
        pi, si = (i if principal.n > 1 else 0), (i if schedule.n > 1 else 0)
        p = coerce(principal.kind[pi, 0, 0], principal.num[pi, 0, 0],
                   None if principal.text is None else principal.text[pi, 0, 0], "N")
        return p if isinstance(p, ExcelError) else _grow(p, schedule, si)

    return per_instance(max(principal.n, schedule.n), one)


def _grow(principal: float, schedule: Values, i: int):
    kinds, nums = schedule.kind[i].reshape(-1), schedule.num[i].reshape(-1)
    value = principal
    for k, x in zip(kinds, nums):
        if k == ERR:
            return ExcelError(ERROR_CODES[int(x) - 1])
        if k in (BOOL, STR):
            return VALUE
        if k == NUMBER:
            value *= 1.0 + float(x)
        # EMPTY: a rate of 0
    return value if math.isfinite(value) else NUM


# -- DAYS360 -------------------------------------------------------------------------------


@elementwise("DAYS360", arity=(2, 3), defaults=(0,), flags=(2,))
def _days360(start, end, european):
    """DAYS360(start, end, [method]): days between two dates in a year of twelve 30-day months.
    US (NASD) method, method FALSE or omitted: a start on the 31st or on the last day of
    February counts as the 30th, an end on the 31st counts as the 30th when the start (so
    adjusted) is the 30th; European, method TRUE: every 31st counts as the 30th. Negative when
    end precedes start. A date function, kept with the 30/360 day counts of the coupon functions."""
    ok = (start >= 0) & (start <= _LAST_SERIAL) & (end >= 0) & (end <= _LAST_SERIAL)
    s, e = np.where(ok, np.floor(start), 1.0), np.where(ok, np.floor(end), 1.0)
    y1, m1, d1 = serial_to_ymd(s)
    y2, m2, d2 = serial_to_ymd(e)
    leap = (y1 % 4 == 0) & ((y1 % 100 != 0) | (y1 % 400 == 0) | (y1 == 1900))
    feb_end = (m1 == 2) & (d1 == np.where(leap, 29, 28))
    eu = european != 0
    d1 = np.where(d1 == 31, 30, np.where(~eu & feb_end, 30, d1))
    d2 = np.where((d2 == 31) & (eu | (d1 == 30)), 30, d2)
    x = (y2 - y1) * 360.0 + (m2 - m1) * 30.0 + (d2 - d1)
    return x, np.where(ok, 0, E.NUM)



# -- French depreciation (AMORLINC, AMORDEGRC) --------------------------------------------------


def _amor_args(cost, purchased, first_period, salvage, period, rate, basis):
    """(year fraction of the first period, whole period) of checked arguments, or None for #NUM!:
    basis 0, 1, 3 or 4 (2 is not one of these functions'), dates in order, 0 <= salvage <= cost,
    a period >= 0 and a rate > 0."""
    d, b = _dates(purchased, first_period), _basis(basis)
    if d is None or b is None or b == 2 or d[0] > d[1] or not 0 <= salvage <= cost or period < 0 or rate <= 0:
        return None
    return _yearfrac(d[0], d[1], b), math.trunc(period)


def _round_half_up(x: float) -> float:
    return math.floor(x + 0.5)


@_toolpak("AMORLINC", args="NNNNNN", optional="N")
def _amorlinc(cost, purchased, first_period, salvage, period, rate, basis):
    """AMORLINC(cost, date_purchased, first_period, salvage, period, rate, [basis]): French
    straight-line depreciation of ``period`` (0 is the first, partial one): the first period
    cost*rate*YEARFRAC(purchased, first_period), then cost*rate a period, then the rest down to
    ``salvage``, then 0."""
    got = _amor_args(cost, purchased, first_period, salvage, period, rate, basis)
    if got is None:
        return NUM
    fraction, per = got
    full = cost * rate
    first = fraction * full
    if per == 0:
        return min(first, cost - salvage)
    whole = math.floor((cost - salvage - first) / full) if full > 0 else 0
    if per <= whole:
        return full
    if per == whole + 1:
        return max(0.0, cost - salvage - full * whole - first)
    return 0.0


@_toolpak("AMORDEGRC", args="NNNNNN", optional="N")
def _amordegrc(cost, purchased, first_period, salvage, period, rate, basis):
    """AMORDEGRC(cost, date_purchased, first_period, salvage, period, rate, [basis]): French
    declining-balance depreciation of ``period``, rounded to whole units: the rate times a
    coefficient by the asset's life 1/rate (1.5 from 3 to under 5 years, 2 from 5 to 6, 2.5
    beyond), the first period prorated by YEARFRAC; when the rest would fall under ``salvage``,
    that period and the next (the last) each take half of the value left, later periods 0
    (Microsoft: the rate grows to 50 % the period before the last and to 100 % the last). #NUM! for a life between 0 and 1, 1 and 2, 2 and 3 or 4 and 5 years (Microsoft's
    page)."""
    got = _amor_args(cost, purchased, first_period, salvage, period, rate, basis)
    if got is None:
        return NUM
    fraction, per = got
    life = 1.0 / rate
    if (0 < life < 1) or (1 < life < 2) or (2 < life < 3) or (4 < life < 5):
        return NUM
    coefficient = 1.0 if life < 3 else 1.5 if life < 5 else 2.0 if life <= 6 else 2.5
    r = rate * coefficient
    amount = _round_half_up(fraction * r * cost)
    value = cost - amount
    rest = value - salvage
    for n in range(per):
        amount = _round_half_up(r * value)
        if amount == 0:
            return 0.0  # nothing more is written off in this or any later period
        rest -= amount
        if rest < 0:
            return _round_half_up(value * 0.5) if per - n <= 2 else 0.0
        value -= amount
    return amount


# -- odd first and last coupon periods (ODDFPRICE, ODDFYIELD, ODDLPRICE, ODDLYIELD) ----------


def _normal_length(q0: int, q1: int, freq: int, basis: int) -> float:
    """NL: the normal length in days of the quasi-coupon period q0..q1 (as COUPDAYS counts it)."""
    return float(q1 - q0) if basis == 1 else (365.0 if basis == 3 else 360.0) / freq


def _odd_first(settlement, maturity, issue, first_coupon, freq, basis):
    """The cash-flow timing of a bond whose first coupon period (issue to first_coupon) is odd:
    (first coupon as a fraction of a regular one, accrued interest as such a fraction, periods
    from settlement to the first coupon, regular coupons after it). The odd period is cut into
    quasi-coupon periods, dates first_coupon moved back by 12/freq months; each counts its days
    from issue (DC_i), up to settlement (A_i), over its normal length NL_i (Microsoft's formula)."""
    step = 12 // freq
    coupon = accrued = 0.0
    periods_to_first = None
    k = 0
    while True:
        q0, q1 = _coupon_date(first_coupon, (k + 1) * step), _coupon_date(first_coupon, k * step)
        nl = _normal_length(q0, q1, freq, basis)
        lo = max(issue, q0)
        coupon += _days(lo, q1, basis) / nl
        if settlement > lo:
            accrued += _days(lo, min(settlement, q1), basis) / nl
        if q0 <= settlement < q1:  # the quasi period holding settlement: k whole ones after it
            a = _days(q0, settlement, basis)
            dsc = nl - a if basis in (0, 4) else float(q1 - settlement)
            periods_to_first = k + dsc / nl
        if q0 <= issue:
            break
        k += 1
    after = _coupons(first_coupon, maturity, freq)[2] if maturity > first_coupon else 0
    return coupon, accrued, periods_to_first, after


def _oddf_price(t, rate, yld, redemption, freq):
    coupon, accrued, t0, after = t
    c, v = 100.0 * rate / freq, 1.0 + yld / freq
    value = redemption * v ** -(after + t0) + c * coupon * v ** -t0
    value += sum(c * v ** -(k + t0) for k in range(1, after + 1))
    return value - c * accrued


def _oddf_checked(settlement, maturity, issue, first_coupon, frequency, basis):
    d, b, f = _dates(settlement, maturity, issue, first_coupon), _basis(basis), _frequency(frequency)
    if d is None or b is None or f is None:
        return None
    s, m, i, fc = d
    if not i < s < fc < m:  # Microsoft: maturity > first_coupon > settlement > issue
        return None
    return _odd_first(s, m, i, fc, f, b), f


@_toolpak("ODDFPRICE", args="NNNNNNNN", optional="N")
def _oddfprice(settlement, maturity, issue, first_coupon, rate, yld, redemption, frequency, basis):
    """ODDFPRICE(settlement, maturity, issue, first_coupon, rate, yld, redemption, frequency,
    [basis]): the price per 100 of a bond whose first period is odd (short or long): the
    redemption and the regular coupons discounted at yld/f per period, the first coupon
    (100*rate/f * sum DC_i/NL_i) discounted to it, less the accrued 100*rate/f * sum A_i/NL_i
    (see :func:`_odd_first`). #NUM! unless maturity > first_coupon > settlement > issue, for a
    negative rate or yield, or a redemption <= 0."""
    got = _oddf_checked(settlement, maturity, issue, first_coupon, frequency, basis)
    if got is None or rate < 0 or yld < 0 or redemption <= 0:
        return NUM
    return _oddf_price(got[0], rate, yld, redemption, got[1])


def _solve_yield(price_of, target: float, guess: float):
    """The yield at which ``price_of(y)`` is ``target``: Newton's method with a numeric slope,
    at most 100 steps, as Excel runs its yield functions; #NUM! when it does not settle."""
    y = guess
    for _ in range(100):
        try:
            gap = price_of(y) - target
            h = 1e-7 * max(1.0, abs(y))
            slope = (price_of(y + h) - price_of(y - h)) / (2 * h)
        except (OverflowError, ZeroDivisionError):
            return NUM
        if slope == 0 or not math.isfinite(gap) or not math.isfinite(slope):
            return NUM
        step = gap / slope
        y -= step
        if abs(step) <= 1e-12 * max(1.0, abs(y)):
            return y
    return NUM


@_toolpak("ODDFYIELD", args="NNNNNNNN", optional="N")
def _oddfyield(settlement, maturity, issue, first_coupon, rate, pr, redemption, frequency, basis):
    """ODDFYIELD(settlement, maturity, issue, first_coupon, rate, pr, redemption, frequency,
    [basis]): the yield at which ODDFPRICE gives ``pr``, by Newton's method from ``rate``."""
    got = _oddf_checked(settlement, maturity, issue, first_coupon, frequency, basis)
    if got is None or rate < 0 or pr <= 0 or redemption <= 0:
        return NUM
    t, f = got
    return _solve_yield(lambda y: _oddf_price(t, rate, y, redemption, f) if y > -f else math.inf,
                        pr, rate if rate > 0 else 0.05)


def _odd_last(settlement, maturity, last_interest, freq, basis):
    """(sum DC_i/NL_i, sum A_i/NL_i, sum DSC_i/NL_i) over the quasi-coupon periods of an odd last
    period, dates last_interest moved forward by 12/freq months: DC_i the days of period i up to
    maturity, A_i those up to settlement, DSC_i those from settlement (Microsoft's formula)."""
    step = 12 // freq
    dc = a = dsc = 0.0
    k = 0
    while True:
        q0, q1 = _coupon_date(last_interest, -k * step), _coupon_date(last_interest, -(k + 1) * step)
        nl = _normal_length(q0, q1, freq, basis)
        end = min(q1, maturity)
        dc += _days(q0, end, basis) / nl
        if settlement > q0:
            a += _days(q0, min(settlement, end), basis) / nl
        if settlement < end:
            dsc += _days(max(settlement, q0), end, basis) / nl
        if q1 >= maturity:
            return dc, a, dsc
        k += 1


def _oddl_checked(settlement, maturity, last_interest, frequency, basis):
    d, b, f = _dates(settlement, maturity, last_interest), _basis(basis), _frequency(frequency)
    if d is None or b is None or f is None:
        return None
    s, m, li = d
    if not li < s < m:  # Microsoft: maturity > settlement > last_interest
        return None
    return _odd_last(s, m, li, f, b), f


@_toolpak("ODDLPRICE", args="NNNNNNN", optional="N")
def _oddlprice(settlement, maturity, last_interest, rate, yld, redemption, frequency, basis):
    """ODDLPRICE(settlement, maturity, last_interest, rate, yld, redemption, frequency, [basis]):
    the price per 100 of a bond whose last period is odd, Microsoft's
    (redemption + c*sum DC_i/NL_i) / (1 + sum DSC_i/NL_i * yld/f) - c*sum A_i/NL_i with
    c = 100*rate/f (see :func:`_odd_last`)."""
    got = _oddl_checked(settlement, maturity, last_interest, frequency, basis)
    if got is None or rate < 0 or yld < 0 or redemption <= 0:
        return NUM
    (dc, a, dsc), f = got
    c = 100.0 * rate / f
    return (redemption + c * dc) / (1.0 + dsc * yld / f) - c * a


@_toolpak("ODDLYIELD", args="NNNNNNN", optional="N")
def _oddlyield(settlement, maturity, last_interest, rate, pr, redemption, frequency, basis):
    """ODDLYIELD(settlement, maturity, last_interest, rate, pr, redemption, frequency, [basis]):
    the inverse of ODDLPRICE, Microsoft's
    ((redemption + c*sum DC_i/NL_i) - (pr + c*sum A_i/NL_i)) / (pr + c*sum A_i/NL_i) * f / sum DSC_i/NL_i."""
    got = _oddl_checked(settlement, maturity, last_interest, frequency, basis)
    if got is None or rate < 0 or pr <= 0 or redemption <= 0:
        return NUM
    (dc, a, dsc), f = got
    c = 100.0 * rate / f
    paid = pr + c * a
    return (redemption + c * dc - paid) / paid * f / dsc
