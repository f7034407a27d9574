"""Calendar months from the many ways a billing export writes a date.

Every date is reduced to its calendar month, counted as whole months since January 1970 (numpy's
``datetime64[M]``). Accepted, and freely mixed in one column:

- ``datetime.date``, ``datetime.datetime``, ``pandas.Timestamp``, ``numpy.datetime64`` (a
  time-zone-aware timestamp counts in its own wall-clock time);
- Excel serial numbers (1 is 1900-01-01, see :mod:`xl_kpi.excel_dates`), a fraction being the
  time of day (what a date cell holds when Excel sends it unformatted);
- ISO text: ``"YYYY-MM"``, ``"YYYY-MM-DD"``, or ``"YYYY-MM-DD hh:mm[:ss]"`` (also with ``T``).

Other text, such as ``"03/04/2024"``, is refused rather than guessed: it reads as March in one
country and April in another.
"""

from __future__ import annotations

import datetime as _dt
import numbers
import re

import numpy as np
import pandas as pd

from ..errors import DomainError, NonNumericError
from ..excel_dates import EPOCH64, serial_to_days, to_serial
from ._rows import POSITIONS, Rows

__all__ = ["to_month_numbers", "month_timestamps", "EXCEL_EPOCH", "FIRST_YEAR", "LAST_YEAR"]

#: Day zero of Excel serials from 1900-03-01 on (kept for importers; converting is excel_dates').
EXCEL_EPOCH = EPOCH64
#: Months outside these years are refused: a serial like 202401 is a YYYYMM code, not a date.
FIRST_YEAR, LAST_YEAR = 1900, 2199

_END_SERIAL = to_serial(_dt.date(LAST_YEAR + 1, 1, 1))  # the first serial after the last month
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})(?:-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?)?\s*$")
_LOW = (FIRST_YEAR - 1970) * 12
_HIGH = (LAST_YEAR - 1970) * 12 + 11
_BAD = np.iinfo(np.int64).min  # marks a unique value that failed to parse


def to_month_numbers(func: str, name: str, values, rows: Rows = POSITIONS):
    """Months since 1970-01 of each element, and the mask of missing elements.

    Parameters
    ----------
    func, name : str
        The calling function and argument, for messages.
    values : 1-D ndarray or Series
        The dates, in any of the accepted forms.
    rows : Rows
        How to name rows in messages.

    Returns
    -------
    months : ndarray of int64
        Months since January 1970 (0 where missing).
    missing : ndarray of bool
        True where the element is missing (None, NaN, NaT, empty text).
    raw_codes : ndarray of int64
        A code per distinct raw value (equal dates, equal codes; -1 where missing), used to find
        rows that repeat each other exactly.

    Raises
    ------
    NonNumericError
        Text that is not an ISO date, or a boolean (Excel ``#VALUE!``), naming the rows.
    DomainError
        A date before 1900 or after 2199, or an Excel serial below 1 (``#NUM!``).
    """
    if isinstance(values, pd.Series):
        values = values.array
    arr = values if isinstance(values, pd.api.extensions.ExtensionArray) else np.asarray(values)
    kind = getattr(arr.dtype, "kind", "O")
    if kind == "M" or isinstance(arr.dtype, pd.DatetimeTZDtype):
        months, missing = _from_datetimes(pd.DatetimeIndex(arr))
        raw = months
    elif kind in "iuf" and not isinstance(arr.dtype, pd.api.extensions.ExtensionDtype):
        serial = np.asarray(arr, dtype=np.float64)
        missing = np.isnan(serial)
        _check_serials(func, name, serial, missing, rows)
        months = _from_serials(np.where(missing, 1.0, serial))
        raw = np.floor(np.where(missing, -1, serial)).astype(np.int64)
    else:
        codes, uniques = pd.factorize(arr, use_na_sentinel=True)
        parsed = np.array([_parse_one(u) for u in np.asarray(uniques, dtype=object)], dtype=np.int64)
        if parsed.size:
            failed = parsed == _BAD
            if failed.any():
                _raise_unparsed(func, name, codes, uniques, failed, rows)
            blank = parsed == _BAD + 1
        else:
            blank = np.zeros(0, dtype=bool)
        missing = (codes < 0) | (blank[codes] if blank.size else False)
        safe = np.where(missing, 0, codes)
        months = parsed[safe] if parsed.size else np.zeros(codes.shape, dtype=np.int64)
        months = np.where(missing, 0, months)
        raw = np.where(missing, -1, codes)
    out_of_range = ~missing & ((months < _LOW) | (months > _HIGH))
    if out_of_range.any():
        _raise_range(func, name, arr, out_of_range, rows)
    return months.astype(np.int64, copy=False), np.asarray(missing, dtype=bool), raw.astype(np.int64)


def month_timestamps(first: int, count: int) -> pd.DatetimeIndex:
    """The first day of each of ``count`` months from month number ``first`` (months since 1970)."""
    return pd.DatetimeIndex(np.arange(first, first + count).astype("datetime64[M]").astype("datetime64[ns]"))


def _from_datetimes(index: pd.DatetimeIndex):
    if index.tz is not None:
        index = index.tz_localize(None)
    missing = np.asarray(index.isna())
    months = index.to_numpy().astype("datetime64[M]").astype(np.int64)
    return np.where(missing, 0, months), missing


def _from_serials(serial: np.ndarray) -> np.ndarray:
    return serial_to_days(serial).astype("datetime64[M]").astype(np.int64)


def _check_serials(func, name, serial, missing, rows):
    bad = ~missing & ((serial < 1) | (serial >= _END_SERIAL))
    if bad.any():
        pos = np.flatnonzero(bad)
        raise DomainError(
            f"{func}: {name!r} holds numbers that are not Excel dates between {FIRST_YEAR} and "
            f"{LAST_YEAR} (serial 1 is 1900-01-01); got {float(serial[pos[0]])!r} {rows.name(pos)}. "
            "Write a month as a date or as text 'YYYY-MM'",
            argument=name,
            value=float(serial[pos[0]]),
        )


def _parse_one(v) -> int:
    """Month number of one distinct value; _BAD if unparseable, _BAD + 1 if blank text."""
    if isinstance(v, (bool, np.bool_)):
        return _BAD
    if isinstance(v, (pd.Timestamp, _dt.datetime, _dt.date, np.datetime64)):
        ts = pd.Timestamp(v)
        return (ts.year - 1970) * 12 + ts.month - 1
    if isinstance(v, numbers.Number):
        x = float(v)
        if not 1 <= x < _END_SERIAL:
            return _LOW - 1  # reported by the range check, with its row
        return int(_from_serials(np.array([x]))[0])
    if isinstance(v, str):
        if not v.strip():
            return _BAD + 1
        m = _ISO.match(v)
        if not m:
            return _BAD
        year, month, day = int(m[1]), int(m[2]), m[3]
        if not 1 <= month <= 12:
            return _BAD
        if day is not None:
            try:
                _dt.date(year, month, int(day))
            except ValueError:
                return _BAD
        return (year - 1970) * 12 + month - 1
    return _BAD


def _raise_unparsed(func, name, codes, uniques, failed, rows):
    bad_rows = np.flatnonzero(np.isin(codes, np.flatnonzero(failed)))
    first = np.asarray(uniques, dtype=object)[codes[bad_rows[0]]]
    raise NonNumericError(
        f"{func}: {name!r} must hold dates, Excel date serials or 'YYYY-MM' / 'YYYY-MM-DD' text; "
        f"got {first!r} {rows.name(bad_rows)}",
        argument=name,
        value=first,
    )


def _raise_range(func, name, arr, mask, rows):
    pos = np.flatnonzero(mask)
    value = np.asarray(arr, dtype=object)[pos[0]]
    raise DomainError(
        f"{func}: {name!r} must hold months between {FIRST_YEAR} and {LAST_YEAR}; got {value!r} "
        f"{rows.name(pos)}",
        argument=name,
        value=value,
    )
