"""Date & time: DATE, EOMONTH, EDATE, YEAR/MONTH/DAY, TODAY, NOW (serials of the 1900 system)."""

from __future__ import annotations

import numpy as np

from ...excel_dates import serial_to_ymd
from ..values import E, Values, date_to_serial, days64_to_serial, serial_to_days64
from .registry import elementwise, register


def _months(days64: np.ndarray) -> np.ndarray:
    return days64.astype("datetime64[M]")


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


@elementwise("EOMONTH", arity=(2, 2))
def _eomonth(start, months):
    bad = ~date_ok(start)
    days = serial_to_days64(np.where(bad, 1, start))
    nxt = _months(days) + (np.trunc(months).astype(np.int64) + 1)
    serial = days64_to_serial(nxt.astype("datetime64[D]") - 1)
    bad = bad | ~date_ok(serial)
    return serial, np.where(bad, E.NUM, 0)


@elementwise("EDATE", arity=(2, 2))
def _edate(start, months):
    bad = ~date_ok(start)
    days = serial_to_days64(np.where(bad, 1, start))
    month = _months(days)
    target = month + np.trunc(months).astype(np.int64)
    dom = (days - month.astype("datetime64[D]")).astype(np.int64)
    last = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(np.int64) - 1
    serial = days64_to_serial(target.astype("datetime64[D]") + np.minimum(dom, last))
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
