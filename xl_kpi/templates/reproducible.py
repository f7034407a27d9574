"""Saving a workbook so that the same content always gives the same bytes.

An .xlsx is a zip: openpyxl stamps the save time into ``docProps/core.xml`` (``dcterms:modified``)
and every zip entry carries the time it was written. :func:`normalize` rewrites both to fixed
values (entry order, names and contents untouched, deflate at a fixed level), so building a
workbook twice gives identical files and a committed workbook can be compared with a fresh build.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime

__all__ = ["normalize", "FIXED_TIMESTAMP", "FIXED_W3CDTF", "ZIP_DATE"]

#: The one timestamp of every generated workbook (created and modified, UTC).
FIXED_TIMESTAMP = datetime(2025, 1, 1)
FIXED_W3CDTF = FIXED_TIMESTAMP.strftime("%Y-%m-%dT%H:%M:%SZ")
#: The date of every zip entry (the earliest a zip can hold).
ZIP_DATE = (1980, 1, 1, 0, 0, 0)

_STAMPS = re.compile(rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)")


def normalize(data: bytes) -> bytes:
    """The same .xlsx package with fixed timestamps (core properties and zip entries)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            content = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _STAMPS.sub(lambda m: m.group(1) + FIXED_W3CDTF.encode() + m.group(3), content)
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            zout.writestr(entry, content, compresslevel=6)
    return out.getvalue()
