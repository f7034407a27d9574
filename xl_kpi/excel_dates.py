"""Excel serial dates (the 1900 date system), the one place that converts them.

A date cell holds a number: the days since Excel's day zero, the fraction being the time of day.
Excel counts as Lotus 1-2-3 did, with a 29 February 1900 that never was:

============  ==========================  =========================================
serial        Excel shows                 here
============  ==========================  =========================================
0             1900-01-00                  1899-12-31 (the day before serial 1)
1             1900-01-01                  1900-01-01
59            1900-02-28                  1900-02-28
60            1900-02-29 (no such day)    1900-02-28 as a date, (1900, 2, 29) in
                                          :func:`serial_to_ymd`
61            1900-03-01                  1900-03-01
2958465       9999-12-31                  9999-12-31, the last serial Excel accepts
============  ==========================  =========================================

So from serial 61 on a serial is the days since 1899-12-30; below 61 it is the days since
1899-12-31. openpyxl's ``to_excel`` and ``from_excel`` follow the same rule for a single value;
this module does it for whole arrays (``datetime64``), which the recalculation engine and the
billing-export loader need, and gives Excel's own reading of serials 0 and 60 as year, month and
day. The 1904 date system (old Mac workbooks) is not handled.

>>> import datetime as dt
>>> to_serial(dt.date(1900, 1, 1)), to_serial(dt.date(1900, 3, 1)), to_serial(dt.datetime(2024, 1, 31, 18))
(1.0, 61.0, 45322.75)
>>> serial_to_datetime(45322.75)
datetime.datetime(2024, 1, 31, 18, 0)
>>> [tuple(int(v[0]) for v in serial_to_ymd(np.array([s]))) for s in (0, 59, 60, 61)]
[(1900, 1, 0), (1900, 2, 28), (1900, 2, 29), (1900, 3, 1)]
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import numpy as np

__all__ = [
    "EPOCH", "EPOCH64", "LEAP_DAY", "MAX_SERIAL", "to_serial", "days_to_serial", "datetime64_to_serial",
    "serial_to_days", "serial_to_datetime64", "serial_to_datetime", "serial_to_ymd", "ymd_to_serial",
    "valid_serial",
]

#: Day zero of the serials from 61 (1900-03-01) on; serials below 61 count from the day after.
EPOCH = _dt.datetime(1899, 12, 30)
EPOCH64 = np.datetime64("1899-12-30", "D")
#: Excel's fictitious 29 February 1900.
LEAP_DAY = 60
#: 9999-12-31, the last date Excel accepts (DATE and the date functions give #NUM! after it).
MAX_SERIAL = 2958465

_DAY_US = 86_400_000_000
_MS = np.timedelta64(1, "ms")


def valid_serial(serial: np.ndarray) -> np.ndarray:
    """Where a serial is a date Excel accepts in its date functions: 0 <= serial < 2958466."""
    serial = np.asarray(serial, dtype=np.float64)
    return (serial >= 0) & (serial < MAX_SERIAL + 1)


def days_to_serial(days: np.ndarray) -> np.ndarray:
    """Serial numbers (float) of ``datetime64[D]`` days; 1900-03-01 and later count from 1899-12-30.

    >>> days_to_serial(np.array(["1899-12-31", "1900-02-28", "1900-03-01"], dtype="datetime64[D]"))
    array([ 0., 59., 61.])
    """
    s = (np.asarray(days, dtype="datetime64[D]") - EPOCH64).astype(np.int64).astype(np.float64)
    return np.where(s < 61, s - 1, s)


def datetime64_to_serial(values: np.ndarray) -> np.ndarray:
    """Serial numbers of ``datetime64`` values of any unit, the time of day as the fraction (NaT: NaN).

    >>> datetime64_to_serial(np.array(["2024-01-31T06:00"], dtype="datetime64[m]"))
    array([45322.25])
    """
    v = np.asarray(values)
    if v.dtype.kind != "M":
        raise TypeError(f"datetime64 values expected, got dtype {v.dtype}")
    us = v.astype("datetime64[us]")
    days = us.astype("datetime64[D]")
    fraction = (us - days).astype(np.int64) / _DAY_US
    return np.where(np.isnat(v), np.nan, days_to_serial(days) + fraction)


def to_serial(value: Any) -> Any:
    """The serial number of a date, a date-time or ``datetime64`` (scalar: ``float``; array: ndarray).

    A time-zone-aware date-time counts in its own wall-clock time (a cell has no time zone).

    >>> import datetime as dt
    >>> to_serial(dt.date(1900, 2, 28)), to_serial(np.datetime64("9999-12-31"))
    (59.0, 2958465.0)
    """
    if isinstance(value, _dt.datetime):
        delta = value.replace(tzinfo=None) - EPOCH
        serial = delta.days + (delta.seconds * 1_000_000 + delta.microseconds) / _DAY_US
        return float(serial - 1 if delta.days < 61 else serial)
    if isinstance(value, _dt.date):
        days = (value - EPOCH.date()).days
        return float(days - 1 if days < 61 else days)
    if isinstance(value, np.datetime64):
        return float(datetime64_to_serial(np.array([value]))[0])
    return datetime64_to_serial(value)


def serial_to_days(serial: np.ndarray) -> np.ndarray:
    """The day (``datetime64[D]``) of each serial, its time of day dropped.

    Serial 60, Excel's 29 February 1900, is 1900-02-28 (its year and month stay right);
    serial 0 is 1899-12-31. Callers check the range first (:func:`valid_serial`).

    >>> serial_to_days(np.array([1, 59.5, 60, 61, 2958465]))
    array(['1900-01-01', '1900-02-28', '1900-02-28', '1900-03-01', '9999-12-31'],
          dtype='datetime64[D]')
    """
    s = np.floor(np.asarray(serial, dtype=np.float64)).astype(np.int64)
    return EPOCH64 + (np.where(s < 61, s + 1, s) - (s == LEAP_DAY))


def serial_to_datetime64(serial: np.ndarray) -> np.ndarray:
    """Date-times (``datetime64[ms]``) of serials, to the millisecond (the finest Excel shows).

    >>> serial_to_datetime64(np.array([45322.75, 61.5]))
    array(['2024-01-31T18:00:00.000', '1900-03-01T12:00:00.000'], dtype='datetime64[ms]')
    """
    s = np.asarray(serial, dtype=np.float64)
    ms = np.round(s * 86_400_000).astype(np.int64)
    whole = ms // 86_400_000
    return serial_to_days(whole).astype("datetime64[ms]") + (ms - whole * 86_400_000) * _MS


def serial_to_datetime(serial: float) -> _dt.datetime:
    """The date-time of one serial, to the millisecond (serial 60 is 1900-02-28, see above).

    >>> serial_to_datetime(1), serial_to_datetime(2958465.5)
    (datetime.datetime(1900, 1, 1, 0, 0), datetime.datetime(9999, 12, 31, 12, 0))
    """
    return serial_to_datetime64(np.array([serial]))[0].astype(_dt.datetime)


def serial_to_ymd(serial: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month and day (int64 arrays) as Excel's YEAR, MONTH and DAY read each serial.

    Serial 0 is day 0 of January 1900, serial 60 is 29 February 1900.
    """
    s = np.floor(np.asarray(serial, dtype=np.float64)).astype(np.int64)
    days = serial_to_days(s)
    months = days.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (days - months.astype("datetime64[D]")).astype(np.int64) + 1
    day = np.where(s == LEAP_DAY, 29, np.where(s == 0, 0, day))
    month = np.where(s == 0, 1, month)
    year = np.where(s == 0, 1900, year)
    return year, month, day


def ymd_to_serial(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Serials of year, month and day as Excel's DATE counts them (after its own year rules).

    A month outside 1-12 moves into the years around (month 13 is January of the next year) and
    a day outside the month moves from the month's first day (day 0 is the day before it), so
    ``(1900, 3, 0)`` is serial 60, Excel's 29 February. Callers check the range of the result.

    >>> ymd_to_serial(np.array([1900, 1900, 2024, 2024]), np.array([1, 3, 13, 2]), np.array([1, 0, 1, 30])).tolist()
    [1.0, 60.0, 45658.0, 45352.0]
    """
    index = np.asarray(year, dtype=np.int64) * 12 + np.asarray(month, dtype=np.int64) - 1 - 1970 * 12
    first = days_to_serial(index.astype("datetime64[M]").astype("datetime64[D]"))
    return first + np.asarray(day, dtype=np.float64) - 1
