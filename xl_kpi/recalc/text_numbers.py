"""Excel's reading of text as a number: ``"3"``, ``"5%"``, ``"$1,000"``, ``"(4)"``, ``"1 1/2"``,
and dates and times written out (``"1/1/1987 05:00 AM"``, ``"26-Aug-1987"``, ``"14:30"``).

Excel reads text this way wherever it needs a number: arithmetic (``="3"+1``), VALUE, the date
functions (``WEEKDAY("1/1/1987")``), DATEVALUE and TIMEVALUE. A date-time text gives the date's
serial plus the time as a fraction of a day, summed in floating point as Excel sums them (so
``TIMEVALUE("1/1/1987 05:00 AM")`` is Excel's 0.20833333333212067, the fraction of 31778.2083...).

Dates are read month first, as Excel in the United States reads them (``"2/1/1987"`` is 1
February); a text whose first number cannot be a month is read day first (``"26/08/1987"``), as
Excel reads it in most other countries. Two-digit years 00-29 are 2000-2029 and 30-99 are
1930-1999; a date without its year is in the current year. Month names are English, in full or
in three letters. A time is ``h:mm``, ``h:mm:ss`` or ``h:mm:ss.000`` with an optional AM/PM, or
``h AM``; hours may pass 24 (``"25:00"`` is 1.0417) and ``mm:ss.0`` is minutes and seconds; the
last field may pass 59, to 9,999, when the others are in range (``"23:99"`` is 1.0271).

>>> [text_to_number(t) for t in ("3", " 5% ", "$1,000.50", "(4)", "1 1/2", "1e3")]
[3.0, 0.05, 1000.5, -4.0, 1.5, 1000.0]
>>> [text_to_number(t) for t in ("1/1/1987", "26/08/1987", "1987-01-01", "1-Jan-1987", "January 1, 1987")]
[31778.0, 32015.0, 31778.0, 31778.0, 31778.0]
>>> text_to_number("1/1/1987 05:00 AM"), text_to_number("14:30"), text_to_number("25:00")
(31778.208333333332, 0.6041666666666666, 1.0416666666666667)
>>> text_to_number("13/13/1987") is None, text_to_number("ciao") is None, text_to_number("") is None
(True, True, True)
"""

from __future__ import annotations

import datetime as _dt
import math
import re

from ..excel_dates import ymd_to_serial

__all__ = ["text_to_number", "text_to_serial"]

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_FULL = {"january", "february", "march", "april", "may", "june", "july", "august", "september",
         "october", "november", "december", "sept"}

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$", re.I)
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_FRACTION = re.compile(r"^([+-]?)(\d+) (\d+)/(\d+)$")
_TIME = re.compile(r"^(\d+)(?::(\d+))?(?::(\d+(?:\.\d*)?))?\s*([ap]m?)?$", re.I)
_MS_TIME = re.compile(r"^(\d+):(\d+\.\d+)$")  # "23:59." is hours and minutes
#: The last field of a time text stays below this ("23:9999" reads, "23:10000" does not: pycel's
#: text.xlsx, saved by Excel).
_LAST = 10_000
_NUMERIC_DATE = re.compile(r"^(\d{1,4})[/-](\d{1,2})(?:[/-](\d{1,4}))?$")
_NAMED_DATE = re.compile(
    r"^(?:(\d{1,2})[-\s]+([a-z]+)\.?(?:[-\s,]+(\d{2}|\d{4}))?"  # 1-Jan-1987, 1 January 1987, 1-Jan
    r"|([a-z]+)\.?[-\s]+(\d{1,2})(?:,?\s+(\d{2}|\d{4}))?"  # Jan 1, 1987, January 1 1987, Jan 1
    r"|([a-z]+)\.?[-\s]+(\d{4}|\d{2}))$",  # Jan-87, January 1987 (the first of the month)
    re.I)


def _month(name: str) -> int | None:
    n = name.lower()
    if n in _FULL or len(n) == 3:
        return _MONTHS.get(n[:3])
    return None


def _year(y: int, digits: int) -> int:
    if digits <= 2:
        return y + (2000 if y < 30 else 1900)
    return y


def _serial(year: int, month: int, day: int) -> float | None:
    if not (1900 <= year <= 9999 and 1 <= month <= 12 and day >= 1):
        return None
    if (year, month, day) == (1900, 2, 29):  # Excel's day that never was: serial 60
        return 60.0
    try:
        _dt.date(year, month, day)
    except ValueError:
        return None
    import numpy as np

    return float(ymd_to_serial(np.array([year]), np.array([month]), np.array([day]))[0])


def _date(t: str) -> float | None:
    """The serial of a date text, or None."""
    m = _NUMERIC_DATE.match(t)
    if m is not None:
        a, b, c = m.groups()
        if len(a) > 2:  # year first: 1987/1/26, 1987-01-26
            return _serial(int(a), int(b), int(c)) if c is not None and len(c) <= 2 else None
        if c is None:  # m/d of this year, or m/yyyy (the first of the month)
            if len(b) > 2 or int(b) > 31:
                return _serial(_year(int(b), len(b)), int(a), 1)
            return _serial(_dt.date.today().year, int(a), int(b)) or _serial(_dt.date.today().year, int(b), int(a))
        year = _year(int(c), len(c))
        first, second = int(a), int(b)
        got = _serial(year, first, second) if first <= 12 else None  # month first, as Excel in the US
        return got if got is not None else _serial(year, second, first)  # else day first
    m = _NAMED_DATE.match(t)
    if m is None:
        return None
    d1, mon1, y1, mon2, d2, y2, mon3, y3 = m.groups()
    if mon1 is not None:
        day, month, year = int(d1), _month(mon1), y1
    elif mon2 is not None:
        day, month, year = int(d2), _month(mon2), y2
    else:
        day, month, year = 1, _month(mon3), y3
    if month is None:
        return None
    y = _dt.date.today().year if year is None else _year(int(year), len(year))
    return _serial(y, month, day)


def _time(t: str) -> float | None:
    """The fraction of a day of a time text (more than 1 past 24 hours), or None."""
    m = _MS_TIME.match(t)
    if m is not None:  # mm:ss.0
        minutes, seconds = int(m.group(1)), float(m.group(2))
        return None if seconds >= _LAST or (seconds >= 60 and minutes > 59) else (minutes * 60 + seconds) / 86400
    m = _TIME.match(t[:-1] if re.match(r"^\d+:\d+\.$", t) else t)  # "23:59." is 23:59
    if m is None:
        return None
    h, mi, s, ampm = m.groups()
    if mi is None and ampm is None:
        return None  # a bare number is not a time
    hours = int(h)
    minutes = int(mi) if mi is not None else 0
    seconds = float(s) if s is not None else 0.0
    # the last field may pass 59 (up to 9,999) when the fields before it are in range
    if s is not None:
        if minutes >= 60 or seconds >= _LAST or (seconds >= 60 and hours > 23):
            return None
    elif minutes >= _LAST or (minutes >= 60 and hours > 23):
        return None
    if ampm is not None:
        if not 1 <= hours <= 12 and not (hours == 0):
            return None
        hours = hours % 12 + (12 if ampm[0].lower() == "p" else 0)
    return (hours * 3600 + minutes * 60 + seconds) / 86400


def text_to_serial(text: str) -> float | None:
    """The serial of a date, time or date-time text (date + fraction of a day), or None."""
    t = " ".join(text.split())
    if not t:
        return None
    date = _date(t)
    if date is not None:
        return date
    time = _time(t)
    if time is not None:
        return time
    # a date and a time: split at the last space that leaves a time on its right
    parts = t.split(" ")
    for i in range(len(parts) - 1, 0, -1):
        time = _time(" ".join(parts[i:]))
        if time is None:
            continue
        date = _date(" ".join(parts[:i]))
        if date is not None:
            return date + time
    return None


def text_to_number(s: str) -> float | None:
    """Excel's reading of text as a number in arithmetic, or None where Excel gives ``#VALUE!``."""
    t = s.strip()
    if not t:
        return None
    sign = 1.0
    if t.startswith("(") and t.endswith(")"):  # (4) is -4, as accountants write it
        t, sign = t[1:-1].strip(), -1.0
    pct = t.endswith("%")
    if pct:
        t = t[:-1].strip()
    if t[:1] in "+-" and t[1:2] == "$":
        t = t[0] + t[2:]
    elif t.startswith("$"):
        t = t[1:].strip()
    if _GROUPED.match(t):
        t = t.replace(",", "")
    if _NUMBER.match(t):
        x = float(t)
    else:
        m = _FRACTION.match(t)
        if m is not None and int(m.group(4)) != 0:
            x = int(m.group(2)) + int(m.group(3)) / int(m.group(4))
            x = -x if m.group(1) == "-" else x
        elif pct or sign < 0:
            return None
        else:
            return text_to_serial(t)
    if not math.isfinite(x):
        return None
    x *= sign
    return x / 100 if pct else x
