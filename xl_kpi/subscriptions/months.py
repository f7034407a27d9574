"""Calendar months from the many ways a billing export writes a date.

Every date is reduced to its calendar month, counted as whole months since January 1970 (numpy's
``datetime64[M]``). Accepted, and freely mixed in one column:

- ``datetime.date``, ``datetime.datetime``, ``pandas.Timestamp``, ``numpy.datetime64`` (a
  time-zone-aware timestamp counts in its own wall-clock time);
- Excel serial numbers (1 is 1900-01-01, see :mod:`xl_kpi.excel_dates`), a fraction being the
  time of day (what a date cell holds when Excel sends it unformatted);
- ISO text: ``"YYYY-MM"``, ``"YYYY-MM-DD"``, or ``"YYYY-MM-DD hh:mm[:ss]"`` (also with ``T``);
- day-month-year or month-day-year text with a four-digit year, ``"31/01/2025"``,
  ``"01/31/2025"``, ``"31.01.2025"`` (as Excel writes dates into a CSV in Europe and in the US).
  The order is ``dayfirst`` when given; else the one the column shows (a first number above 12
  is a day, a second one above 12 a day too); else ``dayfirst_default`` (the loader's guess from
  the file: decimal commas mean Europe), said in a note; else refused: ``"03/04/2024"`` reads
  as March in one country and April in another.
"""

from __future__ import annotations

import datetime as _dt
import numbers
import re

import numpy as np
import pandas as pd

from ..errors import DomainError, NonNumericError
from ..excel_dates import EPOCH64, serial_to_days, to_serial
from ._factorized import Factorized, spread
from ._rows import POSITIONS, Rows, UniqueRows

__all__ = ["to_month_numbers", "month_timestamps", "EXCEL_EPOCH", "FIRST_YEAR", "LAST_YEAR"]

#: Day zero of Excel serials from 1900-03-01 on (kept for importers; converting is excel_dates').
EXCEL_EPOCH = EPOCH64
#: Months outside these years are refused: a serial like 202401 is a YYYYMM code, not a date.
FIRST_YEAR, LAST_YEAR = 1900, 2199

_DMY = re.compile(r"^\s*(\d{1,2})([/.\-])(\d{1,2})\2(\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?\s*$")
_END_SERIAL = to_serial(_dt.date(LAST_YEAR + 1, 1, 1))  # the first serial after the last month
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})(?:-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?)?\s*$")
_LOW = (FIRST_YEAR - 1970) * 12
_HIGH = (LAST_YEAR - 1970) * 12 + 11
_BAD = np.iinfo(np.int64).min  # marks a unique value that failed to parse


def to_month_numbers(func: str, name: str, values, rows: Rows = POSITIONS, *, dayfirst=None,
                     dayfirst_default=None, notes: list | None = None):
    """Months since 1970-01 of each element, and the mask of missing elements.

    Parameters
    ----------
    func, name : str
        The calling function and argument, for messages.
    values : 1-D ndarray or Series
        The dates, in any of the accepted forms.
    rows : Rows
        How to name rows in messages.
    dayfirst, dayfirst_default : bool, optional
        The order of ``"03/04/2024"`` text: given, or when the dates do not show it.
    notes : list, optional
        Receives a note when ``dayfirst_default`` decided.

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
    if isinstance(values, Factorized):
        # each distinct value once; the messages name the rows holding the bad ones
        months_u, missing_u, raw_u = to_month_numbers(func, name, values.uniques, UniqueRows(rows, values.codes),
                                                      dayfirst=dayfirst, dayfirst_default=dayfirst_default,
                                                      notes=notes)
        # months and raw codes fit 32 bits (years 1900-2199, codes of distinct values): half the memory
        missing = spread(missing_u, values.codes, True)
        months = spread(months_u.astype(np.int32), values.codes, 0)
        raw = spread(raw_u.astype(np.int32), values.codes, -1)
        if missing.any():
            months[missing], raw[missing] = 0, -1
        return months, missing, raw
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
        uniques = np.asarray(uniques, dtype=object)
        order = _day_order(func, name, codes, uniques, rows, dayfirst, dayfirst_default, notes)
        parsed = np.array([_parse_one(u, order) for u in uniques], dtype=np.int64)
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


def _day_order(func, name, codes, uniques, rows, dayfirst, dayfirst_default, notes) -> bool | None:
    """Whether ``"03/04/2024"`` text is day first: given, shown by the dates, or the default."""
    pairs = [(int(m[1]), int(m[3]), i) for i, u in enumerate(uniques)
             if isinstance(u, str) and (m := _DMY.match(u))]
    if not pairs or dayfirst is not None:
        return None if not pairs else bool(dayfirst)
    day_first = [i for a, b, i in pairs if a > 12 >= b]
    month_first = [i for a, b, i in pairs if b > 12 >= a]
    if day_first and month_first:
        pos = np.flatnonzero(np.isin(codes, [day_first[0], month_first[0]]))
        raise NonNumericError(
            f"{func}: {name!r} mixes day-first ({uniques[day_first[0]]!r}) and month-first "
            f"({uniques[month_first[0]]!r}) dates {rows.name(pos)}",
            argument=name,
            value=uniques[day_first[0]],
        )
    if day_first or month_first:
        return bool(day_first)
    if dayfirst_default is not None:
        if notes is not None:
            example = uniques[pairs[0][2]]
            notes.append(
                f"dates such as {example!r} read {'day' if dayfirst_default else 'month'} first, as "
                "the file's decimal commas or semicolons suggest"
            )
        return bool(dayfirst_default)
    example = uniques[pairs[0][2]]
    pos = np.flatnonzero(np.isin(codes, [i for _, _, i in pairs]))
    raise NonNumericError(
        f"{func}: {name!r} holds dates such as {example!r}, day or month first: nothing in the "
        f"column tells which {rows.name(pos)}; say which with "
        + ("--dayfirst or --monthfirst" if func.startswith("xl-kpi ") else "dayfirst=True or dayfirst=False"),
        argument=name,
        value=example,
    )


def _parse_one(v, dayfirst: bool | None = None) -> int:
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
        if m:
            year, month, day = int(m[1]), int(m[2]), m[3]
        elif dayfirst is not None and (d := _DMY.match(v)):
            first, second = int(d[1]), int(d[3])
            year, (day, month) = int(d[4]), ((first, second) if dayfirst else (second, first))
        else:
            return _BAD
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
        f"{func}: {name!r} must hold dates, Excel date serials or 'YYYY-MM', 'YYYY-MM-DD' or "
        "'31/01/2025' text; "
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
