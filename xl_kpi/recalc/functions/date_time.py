"""Date & time: DATE, EOMONTH, EDATE, YEAR/MONTH/DAY, TODAY, NOW, WEEKDAY, DATEDIF, NETWORKDAYS,
WORKDAY (and their .INTL forms), on serials of the 1900 system (:mod:`xl_kpi.excel_dates`)."""

from __future__ import annotations

import math

import numpy as np

from ...excel_dates import serial_to_ymd, ymd_to_serial
from ...excel_errors import NUM, VALUE, ExcelError
from ..arrays import align
from ..text_numbers import text_to_serial
from ..values import (
    BOOL,
    EMPTY,
    ERR,
    ERROR_CODES,
    STR,
    E,
    Values,
    date_to_serial,
    days64_to_serial,
    text_to_number,
)
from ..values import NUM as NUMBER
from .arguments import coerce, from_python_cells, per_instance
from .registry import cellwise, elementwise, register


def date_ok(serial: np.ndarray) -> np.ndarray:
    return (serial >= 0) & (serial < 2958466)


@elementwise("DATE", arity=(3, 3))
def _date(y, m, d):
    y, m, d = np.trunc(y), np.trunc(m), np.trunc(d)
    y = np.where(y < 1900, y + 1900, y)
    bad = (y < 1900) | (y > 9999)
    month_index = (np.where(bad, 2000, y) - 1970) * 12 + (m - 1)
    bad = bad | (month_index < -70 * 12) | (month_index > (9999 - 1970) * 12 + 11)
    month_index = np.where(bad, 0, month_index)
    first = month_index.astype(np.int64).astype("datetime64[M]").astype("datetime64[D]")
    serial = days64_to_serial(first) + (np.where(bad, 1, d) - 1)
    bad = bad | (serial < 0)
    return serial, np.where(bad, E.NUM, 0)


def _month_shift(start, months):
    """(year, month, day) of ``start`` and (year, month) ``months`` later, in Excel's calendar
    (serial 0 is 1900-01-00, serial 60 is 1900-02-29)."""
    y, m, d = serial_to_ymd(start)
    total = y * 12 + (m - 1) + np.trunc(months).astype(np.int64)
    return d, total // 12, total % 12 + 1


@elementwise("EOMONTH", arity=(2, 2), logicals=False, ranges=False)
def _eomonth(start, months):
    """EOMONTH(start, months): the last day of the month ``months`` after start's month."""
    bad = ~date_ok(start) | (np.abs(months) > 120000)
    _, ty, tm = _month_shift(np.where(bad, 1, start), np.where(bad, 0, months))
    serial = ymd_to_serial(ty, tm + 1, np.zeros_like(tm))
    bad = bad | ~date_ok(serial)
    return serial, np.where(bad, E.NUM, 0)


@elementwise("EDATE", arity=(2, 2), logicals=False, ranges=False)
def _edate(start, months):
    """EDATE(start, months): the same day ``months`` later, the month's last day if it is shorter."""
    bad = ~date_ok(start) | (np.abs(months) > 120000)
    d, ty, tm = _month_shift(np.where(bad, 1, start), np.where(bad, 0, months))
    last = ymd_to_serial(ty, tm + 1, np.zeros_like(tm)) - ymd_to_serial(ty, tm, np.zeros_like(tm))
    serial = ymd_to_serial(ty, tm, np.minimum(d, last))
    bad = bad | ~date_ok(serial)
    return serial, np.where(bad, E.NUM, 0)


def _part(which):
    def f(serial):
        bad = ~date_ok(serial)
        x = serial_to_ymd(np.where(bad, 1, serial))["YMD".index(which)]  # serial 0 is 1900-01-00, 60 is 1900-02-29
        return x.astype(np.float64), np.where(bad, E.NUM, 0)

    return f


elementwise("YEAR", arity=(1, 1))(_part("Y"))
elementwise("MONTH", arity=(1, 1))(_part("M"))
elementwise("DAY", arity=(1, 1))(_part("D"))


@register("TODAY")
def _today(ev, args):
    import datetime as dt

    return Values.number(float(int(date_to_serial(dt.date.today()))))


@register("NOW")
def _now(ev, args):
    import datetime as dt

    return Values.number(date_to_serial(dt.datetime.now()))


# ---------------------------------------------------------------------------------------------
# WEEKDAY, DATEDIF, NETWORKDAYS(.INTL), WORKDAY(.INTL)
#
# Excel's weekdays follow the serial modulo 7 (serial 1 is a Sunday, 1900-01-01 in its calendar),
# so the day arithmetic below counts from 1899-12-30: serial s is that day + s, real from serial
# 61 on and of Excel's weekday for every serial.

_DAY0 = np.datetime64("1899-12-30", "D")

#: WEEKDAY's return types: the weekday counted 1 (0 for type 3), Sunday = 0.
_WEEKDAY_FIRST = {1: 0, 2: 1, 3: 1, 11: 1, 12: 2, 13: 3, 14: 4, 15: 5, 16: 6, 17: 0}


@elementwise("WEEKDAY", arity=(1, 2), defaults=(1,))
def _weekday(serial, kind):
    """WEEKDAY(serial, [type]): 1 = Sunday (type 1), 1 = Monday (2, 11), 0 = Monday (3)..."""
    t = np.trunc(kind)
    bad = ~np.isin(t, list(_WEEKDAY_FIRST)) | (serial < 0) | (serial >= 2958466)
    first = np.vectorize(lambda k: _WEEKDAY_FIRST.get(int(k), 0), otypes=[float])(np.where(bad, 1, t))
    w0 = (np.floor(np.where(bad, 0, serial)) + 6) % 7  # 0 = Sunday
    out = (w0 - first) % 7 + np.where(t == 3, 0, 1)
    return out, np.where(bad, E.NUM, 0)


@cellwise("DATEDIF", args="nnt")
def _datedif(start, end, unit):
    """DATEDIF(start, end, unit): whole years (Y), months (M), days (D), or the rest of the
    months (YM), days without years (YD) or without months (MD); #NUM! when start > end."""
    s, e = math.floor(start), math.floor(end)
    u = unit.upper()
    if s > e or s < 0 or e >= 2958466 or u not in ("Y", "M", "D", "MD", "YM", "YD"):
        return NUM
    if u == "D":
        return float(e - s)
    y1, m1, d1 = (int(x[0]) for x in serial_to_ymd(np.array([s])))
    y2, m2, d2 = (int(x[0]) for x in serial_to_ymd(np.array([e])))
    months = (y2 - y1) * 12 + (m2 - m1) - (1 if d2 < d1 else 0)
    if u == "Y":
        return float(months // 12)
    if u == "M":
        return float(months)
    if u == "YM":
        return float(months % 12)
    if u == "MD":
        if d2 >= d1:
            return float(d2 - d1)
        before = float(ymd_to_serial(np.array([y2]), np.array([m2]), np.array([1]))[0]) - 1  # last of the previous month
        prev_len = int(serial_to_ymd(np.array([before]))[2][0])
        return float(prev_len - d1 + d2) if prev_len >= d1 else float(d2)
    # YD: days from start to the same day and month of end, in start's year or the next
    y = y1 if (m2, d2) >= (m1, d1) else y1 + 1
    target = float(ymd_to_serial(np.array([y]), np.array([m2]), np.array([d2]))[0])
    return float(target - s)


_WEEKEND_CODES = {1: (5, 6), 2: (6, 0), 3: (0, 1), 4: (1, 2), 5: (2, 3), 6: (3, 4), 7: (4, 5),
                  11: (6,), 12: (0,), 13: (1,), 14: (2,), 15: (3,), 16: (4,), 17: (5,)}  # 0 = Monday


def _weekmask(v: Values, i: int):
    """numpy's work-day mask (Monday first) of NETWORKDAYS.INTL's weekend argument, or an error."""
    k = int(v.kind[i if v.n > 1 else 0, 0, 0])
    x = v.num[i if v.n > 1 else 0, 0, 0]
    if k == ERR:
        return ExcelError(ERROR_CODES[int(x) - 1])
    if k == STR:
        s = v.text[i if v.n > 1 else 0, 0, 0]
        if len(s) != 7 or set(s) - {"0", "1"} or s == "1111111":
            return VALUE
        return [c == "0" for c in s]
    if k == BOOL:
        return VALUE
    code = 1 if k == EMPTY else int(math.trunc(x))
    days = _WEEKEND_CODES.get(code)
    if days is None:
        return NUM
    return [d not in days for d in range(7)]


def _holidays(v: Values | None, i: int):
    """The holiday dates (datetime64) of one instance, or an error."""
    if v is None:
        return np.array([], "datetime64[D]")
    k, x = v.kind[i if v.n > 1 else 0].reshape(-1), v.num[i if v.n > 1 else 0].reshape(-1)
    if (k == ERR).any():
        return ExcelError(ERROR_CODES[int(x[k == ERR][0]) - 1])
    if (k == STR).any() or (k == BOOL).any():
        return VALUE
    days = np.floor(x[k == NUMBER])
    if (days < 0).any() or (days >= 2958466).any():  # no date of Excel's: #NUM!
        return NUM
    return _DAY0 + days.astype(np.int64)


def _dates_args(ev, args, intl: bool):
    """(start, days/end, weekend, holidays) Values of the NETWORKDAYS/WORKDAY families."""
    start, second = ev.scalar(args[0]), ev.scalar(args[1])
    if intl:
        weekend = ev.scalar(args[2]) if len(args) > 2 and args[2] is not None else Values.number(1.0)
        hol = ev.eval(args[3]) if len(args) > 3 and args[3] is not None else None
    else:
        weekend = Values.number(1.0)
        hol = ev.eval(args[2]) if len(args) > 2 and args[2] is not None else None
    return start, second, weekend, hol


def _serial_arg(v: Values, i: int):
    k, x = int(v.kind[i if v.n > 1 else 0, 0, 0]), float(v.num[i if v.n > 1 else 0, 0, 0])
    if k == ERR:
        return ExcelError(ERROR_CODES[int(x) - 1])
    if k == BOOL:
        return VALUE
    if k == STR:
        got = text_to_number(v.text[i if v.n > 1 else 0, 0, 0])
        return VALUE if got is None else got
    return 0.0 if k == EMPTY else x


def _days_function(intl: bool, workday: bool):
    def impl(ev, args):
        if not 2 <= len(args) <= (4 if intl else 3):
            return Values.error(E.VALUE)
        start, second, weekend, hol = _dates_args(ev, args, intl)
        if not (start.is_cell and second.is_cell):
            return Values.error(E.VALUE)
        n = max(start.n, second.n, weekend.n, hol.n if hol is not None else 1)

        def one(i: int):
            a, b = _serial_arg(start, i), _serial_arg(second, i)
            mask, days = _weekmask(weekend, i), _holidays(hol, i)
            bad = next((x for x in (a, b, mask, days) if isinstance(x, ExcelError)), None)
            if bad is not None:
                return bad
            if not 0 <= a < 2958466 or (not workday and not 0 <= b < 2958466):
                return NUM
            d0 = _DAY0 + int(math.floor(a))
            if workday:
                if not abs(b) < 2958466:  # more work days than Excel has dates: #NUM!
                    return NUM
                k = int(math.trunc(b))
                if k == 0:
                    return float(math.floor(a))
                d = np.busday_offset(d0, k, roll="backward" if k > 0 else "forward", weekmask=mask, holidays=days)
                s = float((d - _DAY0).astype(np.int64))
                return s if 0 <= s < 2958466 else NUM
            d1 = _DAY0 + int(math.floor(b))
            if d0 <= d1:
                return float(np.busday_count(d0, d1 + 1, weekmask=mask, holidays=days))
            return float(-np.busday_count(d1, d0 + 1, weekmask=mask, holidays=days))

        return per_instance(n, one)

    return impl


register("NETWORKDAYS")(_days_function(False, False))
register("NETWORKDAYS.INTL")(_days_function(True, False))
register("WORKDAY")(_days_function(False, True))
register("WORKDAY.INTL")(_days_function(True, True))


@elementwise("TIME", arity=(3, 3))
def _time(h, m, s):
    """TIME(hour, minute, second): the fraction of a day, wrapped past 24 hours; #NUM! below 0."""
    total = np.trunc(h) * 3600 + np.trunc(m) * 60 + np.trunc(s)
    bad = (total < 0) | (np.trunc(h) > 32767)
    return np.where(bad, 0.0, (total % 86400) / 86400), np.where(bad, E.NUM, 0)


@elementwise("DAYS", arity=(2, 2))
def _days(end, start):
    """DAYS(end, start) = the whole days from start to end."""
    return np.floor(end) - np.floor(start), np.where((end < 0) | (start < 0), E.NUM, 0)


#: WEEKNUM's return types: the weekday a week starts on (0 = Sunday).
_WEEK_START = {1: 0, 2: 1, 11: 1, 12: 2, 13: 3, 14: 4, 15: 5, 16: 6, 17: 0}


@elementwise("WEEKNUM", arity=(1, 2), defaults=(1,), logicals=False, ranges=False)
def _weeknum(serial, kind):
    """WEEKNUM(serial, [type]): the week of the year, week 1 holding 1 January (type 21: ISO)."""
    t = np.trunc(kind)
    bad = (~np.isin(t, list(_WEEK_START) + [21])) | (serial < 0) | (serial >= 2958466)
    s = np.floor(np.where(bad, 1, serial))
    iso = _isoweek(s)
    year = serial_to_ymd(s)[0]
    jan1 = ymd_to_serial(year, np.ones_like(year), np.ones_like(year))
    start = np.vectorize(lambda k: _WEEK_START.get(int(k), 0), otypes=[float])(np.where(bad, 1, t))
    jan1_wd = (jan1 + 6) % 7  # 0 = Sunday
    week = np.floor((s - jan1 + (jan1_wd - start) % 7) / 7) + 1
    return np.where(t == 21, iso, week), np.where(bad, E.NUM, 0)


def _isoweek(s):
    """ISO 8601 week numbers of serials (weeks start on Monday, week 1 holds the first Thursday)."""
    wd = (s + 5) % 7  # 0 = Monday
    thursday = s - wd + 3
    year = serial_to_ymd(thursday)[0]
    jan1 = ymd_to_serial(year, np.ones_like(year), np.ones_like(year))
    return np.floor((thursday - jan1) / 7) + 1


@elementwise("ISOWEEKNUM", arity=(1, 1))
def _isoweeknum(serial):
    bad = (serial < 0) | (serial >= 2958466)
    return _isoweek(np.floor(np.where(bad, 1, serial))), np.where(bad, E.NUM, 0)


# ---------------------------------------------------------------------------------------------
# HOUR, MINUTE, SECOND, DATEVALUE, TIMEVALUE, YEARFRAC


def _clock(which: int):
    """HOUR (0), MINUTE (1) or SECOND (2) of serials: the time of day rounded to the second."""

    def f(serial):
        bad = ~date_ok(serial)
        s = np.where(bad, 0.0, serial)
        seconds = np.round((s - np.floor(s)) * 86400) % 86400
        part = (seconds // 3600, (seconds // 60) % 60, seconds % 60)[which]
        return part, np.where(bad, E.NUM, 0)

    return f


elementwise("HOUR", arity=(1, 1))(_clock(0))
elementwise("MINUTE", arity=(1, 1))(_clock(1))
elementwise("SECOND", arity=(1, 1))(_clock(2))


def _date_text(text):
    """The serial of DATEVALUE's and TIMEVALUE's argument, which must be a date or time text."""
    if isinstance(text, ExcelError):
        return text
    if not isinstance(text, str):
        return VALUE
    serial = text_to_serial(text)
    if serial is None:
        return VALUE
    return serial if 0 <= serial < 2958466 else VALUE


@cellwise("DATEVALUE", args="v")
def _datevalue(text):
    """DATEVALUE(text): the serial of the date a text gives (its time dropped)."""
    serial = _date_text(text)
    return serial if isinstance(serial, ExcelError) else float(math.floor(serial))


@cellwise("TIMEVALUE", args="v")
def _timevalue(text):
    """TIMEVALUE(text): the fraction of a day of the time a text gives (its date dropped; the
    fraction of the whole serial, as Excel computes it)."""
    serial = _date_text(text)
    return serial if isinstance(serial, ExcelError) else serial - math.floor(serial)


def _gregorian_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _actual_actual(s: int, e: int, ys, ye) -> float:
    """YEARFRAC basis 1: the days over the length of the year(s) they span. Within one year
    (end no later than start's anniversary) the year is 366 days if a 29 February lies between;
    over several, the average length of the calendar years from start's to end's (real leap
    years: 1900 has 365 days here)."""
    (y1, m1, d1), (y2, m2, d2) = ys, ye
    if y1 == y2 or (y2 == y1 + 1 and (m1, d1) >= (m2, d2)):
        leap = (y1 == y2 and _gregorian_leap(y1)) or (
            _gregorian_leap(y1) and (m1, d1) <= (2, 29)) or (_gregorian_leap(y2) and (m2, d2) >= (2, 29))
        if y1 != y2 and _gregorian_leap(y1) and (m1, d1) > (2, 29) and not (_gregorian_leap(y2) and (m2, d2) >= (2, 29)):
            leap = False
        return (e - s) / (366.0 if leap else 365.0)
    days = sum(366 if _gregorian_leap(y) else 365 for y in range(y1, y2 + 1))
    return (e - s) / (days / (y2 - y1 + 1))


def _last_of_february(y: int, m: int, d: int) -> bool:
    return m == 2 and d == (29 if _gregorian_leap(y) else 28)


@register("YEARFRAC")
def _yearfrac_impl(ev, nodes):
    """YEARFRAC's arguments as Excel reads them: the basis first (an error or an invalid basis is
    the result even when a date is an error: ``YEARFRAC(#DIV/0!, 200, -1)`` is #NUM!), then the
    dates; logicals and references to several cells are #VALUE! (an Analysis ToolPak function)."""
    if not 2 <= len(nodes) <= 3:
        return Values.error(E.VALUE)
    vals = [ev.scalar(a) for a in nodes if a is not None]
    if any(not v.is_cell for v in vals):
        return Values.error(E.VALUE, max(v.n for v in vals))
    vals = align(*vals)
    out = np.empty(vals[0].kind.shape, object)
    for idx in np.ndindex(out.shape):
        got = [coerce(v.kind[idx], v.num[idx], None if v.text is None else v.text[idx], "N") for v in vals]
        basis = got[2] if len(got) == 3 else 0.0
        if isinstance(basis, ExcelError) or math.trunc(basis) not in (0, 1, 2, 3, 4):
            out[idx] = basis if isinstance(basis, ExcelError) else NUM
            continue
        bad = next((x for x in got[:2] if isinstance(x, ExcelError)), None)
        out[idx] = bad if bad is not None else _yearfrac(got[0], got[1], basis)
    return from_python_cells(out)


def _yearfrac(start, end, basis):
    """YEARFRAC(start, end, [basis]): the fraction of a year between two dates, by the day count
    of ``basis``: 0 US 30/360 (default), 1 actual/actual, 2 actual/360, 3 actual/365, 4 European
    30/360. The dates are truncated and may come in either order."""
    b = 0 if basis is None else math.trunc(basis)
    if b not in (0, 1, 2, 3, 4) or not (0 <= start < 2958466 and 0 <= end < 2958466):
        return NUM
    s, e = sorted((math.floor(start), math.floor(end)))
    if s == e:
        return 0.0
    if b == 2:
        return (e - s) / 360.0
    if b == 3:
        return (e - s) / 365.0
    (y1, m1, d1), (y2, m2, d2) = ((int(x[0]) for x in serial_to_ymd(np.array([v]))) for v in (s, e))
    if b == 1:
        return _actual_actual(s, e, (y1, m1, d1), (y2, m2, d2))
    if b == 0:
        if _last_of_february(y1, m1, d1) and _last_of_february(y2, m2, d2):
            d2 = 30
        if _last_of_february(y1, m1, d1):
            d1 = 30
        if d2 == 31 and d1 >= 30:
            d2 = 30
        if d1 == 31:
            d1 = 30
    else:
        d1, d2 = min(d1, 30), min(d2, 30)
    return ((y2 - y1) * 360 + (m2 - m1) * 30 + (d2 - d1)) / 360.0
