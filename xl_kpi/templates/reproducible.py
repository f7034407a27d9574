"""Saving a workbook so that the same content always gives the same bytes, and telling whether
two builds hold the same workbook.

An .xlsx is a zip: openpyxl stamps the save time into ``docProps/core.xml`` (``dcterms:modified``)
and its own name and version into ``docProps/app.xml``, and every zip entry carries the time it
was written. :func:`normalize` rewrites these to fixed values (entry order, names and contents
untouched, deflate at a fixed level), so building a workbook twice gives identical files.

Across machines the bytes of a recalculated workbook may still differ in one place: the value
stored for a formula is a float that numpy computes, and numpy's ``power``, ``exp`` and ``log``
may round the last bit differently from one release (or one CPU's SIMD path) to the next
(``0.06770622756723044`` against ``...055``). :func:`differences` therefore compares every part
of two packages exactly, except the stored values of formula cells, which must agree to the 15
significant digits Excel shows.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from datetime import datetime

__all__ = ["normalize", "differences", "agree", "FIXED_TIMESTAMP", "FIXED_W3CDTF", "ZIP_DATE", "APPLICATION"]

#: The one timestamp of every generated workbook (created and modified, UTC).
FIXED_TIMESTAMP = datetime(2025, 1, 1)
FIXED_W3CDTF = FIXED_TIMESTAMP.strftime("%Y-%m-%dT%H:%M:%SZ")
#: The date of every zip entry (the earliest a zip can hold).
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
#: The application named in ``docProps/app.xml`` (openpyxl writes its own version there).
APPLICATION = "Microsoft Excel Compatible / xl-kpi"
#: Significant digits to which the stored values of formula cells must agree (what Excel shows).
DIGITS = 15

_STAMPS = re.compile(rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)")
_APPLICATION = re.compile(rb"<Application>[^<]*</Application>")
_APP_VERSION = re.compile(rb"<AppVersion>[^<]*</AppVersion>")
_CELL = re.compile(rb"<(?:\w+:)?c\b[^>]*?(?:/>|>.*?</(?:\w+:)?c>)", re.S)
_FORMULA = re.compile(rb"<(?:\w+:)?f\b")
_VALUE = re.compile(rb"(<(?:\w+:)?v>)([^<]*)(</(?:\w+:)?v>)")
_NOT_NUMBER = re.compile(rb'^<(?:\w+:)?c\b[^>]*\bt="(?!n")')


def normalize(data: bytes) -> bytes:
    """The same .xlsx package with fixed timestamps (core properties and zip entries) and a fixed
    application name (app properties)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            content = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _STAMPS.sub(lambda m: m.group(1) + FIXED_W3CDTF.encode() + m.group(3), content)
            elif info.filename == "docProps/app.xml":
                content = _APPLICATION.sub(f"<Application>{APPLICATION}</Application>".encode(), content)
                content = _APP_VERSION.sub(b"", content)
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            zout.writestr(entry, content, compresslevel=6)
    return out.getvalue()


def differences(a: bytes, b: bytes, *, limit: int = 10) -> list[str]:
    """What differs between two .xlsx packages (empty when they hold the same workbook).

    Members must be the same, in the same order, with the same bytes, except in worksheets the
    stored numeric value of a formula cell, which must agree to :data:`DIGITS` significant
    digits. Formulas, input values, styles and everything else compare exactly. At most
    ``limit`` differences are listed.
    """
    out: list[str] = []
    if not (zipfile.is_zipfile(io.BytesIO(a)) and zipfile.is_zipfile(io.BytesIO(b))):
        return [] if a == b else ["not both .xlsx packages"]
    with zipfile.ZipFile(io.BytesIO(a)) as za, zipfile.ZipFile(io.BytesIO(b)) as zb:
        names_a, names_b = za.namelist(), zb.namelist()
        if names_a != names_b:
            return [f"members differ: {sorted(set(names_a) ^ set(names_b)) or 'same names, other order'}"]
        for name in names_a:
            xa, xb = za.read(name), zb.read(name)
            if xa == xb:
                continue
            if not name.startswith("xl/worksheets/"):
                out.append(f"{name}: differs")
            else:
                out.extend(f"{name}: {d}" for d in _sheet_differences(xa, xb, limit - len(out)))
            if len(out) >= limit:
                break
    return out[:limit]


def _sheet_differences(a: bytes, b: bytes, limit: int) -> list[str]:
    cells_a, cells_b = _CELL.findall(a), _CELL.findall(b)
    if _CELL.sub(b"", a) != _CELL.sub(b"", b) or len(cells_a) != len(cells_b):
        return ["differs outside the cells"]
    out = []
    for ca, cb in zip(cells_a, cells_b):
        if ca != cb and not _same_formula_cell(ca, cb):
            out.append(f"{ca.decode(errors='replace')[:200]} against {cb.decode(errors='replace')[:200]}")
            if len(out) >= limit:
                break
    return out


def _same_formula_cell(a: bytes, b: bytes) -> bool:
    """Two cells equal but for the last digits of a computed number (formula cells only)."""
    if not (_FORMULA.search(a) and _FORMULA.search(b)) or _NOT_NUMBER.search(a) or _NOT_NUMBER.search(b):
        return False
    va, vb = _VALUE.search(a), _VALUE.search(b)
    if va is None or vb is None or _VALUE.sub(b"", a) != _VALUE.sub(b"", b):
        return False
    try:
        x, y = float(va.group(2)), float(vb.group(2))
    except ValueError:
        return False
    return agree(x, y)


#: How many units of the last digit shown two computed values may differ by (see :func:`agree`).
SHOWN_UNITS = 4


def agree(x: float, y: float, digits: int = DIGITS) -> bool:
    """Whether two computed floats are the same value as Excel shows it (``digits`` significant
    digits), allowing for the last digits a library moves when it sums in another order.

    Rounding both to 15 digits is not enough: values a few units of the 17th digit apart (a
    newer numpy sums in another order) can round to 15-digit texts two units apart, as
    0.06770622756723044 and ...055 do. So they agree when they differ by at most
    :data:`SHOWN_UNITS` units of the 15th digit (a relative difference below 4e-14).

    >>> agree(0.06770622756723044, 0.06770622756723055), agree(0.0677062275672304, 0.0677062275672324)
    (True, False)
    """
    if x == y:
        return True
    if not (math.isfinite(x) and math.isfinite(y)):
        return False
    scale = max(abs(x), abs(y))
    return abs(x - y) <= SHOWN_UNITS * 10.0 ** (math.floor(math.log10(scale)) - digits + 1)
