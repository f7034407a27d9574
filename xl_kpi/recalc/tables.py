"""Excel tables (Insert > Table) and the structured references formulas make to them.

A table part (``xl/tables/tableN.xml``, ECMA-376 Part 1, 18.5.1.2 ``table``) gives the table's
``displayName``, its ``ref`` on the sheet that owns the part, ``headerRowCount`` (default 1),
``totalsRowCount`` (default 0) and its ``tableColumns`` in order. A structured reference is
resolved to an ordinary range when the formula is compiled (Microsoft Support, "Using
structured references with Excel tables"):

- ``Table1[Col]`` the data rows of a column, ``Table1[[Col1]:[Col2]]`` of adjacent columns,
  ``Table1[]`` (or ``Table1``) every data row;
- ``[#All]``, ``[#Data]``, ``[#Headers]``, ``[#Totals]`` the whole table, data, header row, totals
  row; two of them together (``[[#Headers],[#Data],[Col]]``) their rows together;
- ``[@Col]``, ``Table1[@Col]`` or ``[[#This Row],[Col]]`` the cell of that column in the
  formula's own row, a reference relative to the formula's row (one compiled tree serves a whole
  column of them);
- without a table name (``[@Col]``, ``[Col]``) the table that holds the formula's cell.

Names and column names are matched without case; in a column name ``'`` escapes the next
character (``'#``, ``'[``, ``']``, ``''``). A part naming a missing header or totals row, column
or table gives ``#REF!``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.etree import ElementTree as ET

__all__ = ["Table", "read_table_part", "StructuredRefs"]


@dataclass(frozen=True)
class Table:
    """One table: its sheet, range (1-based, inclusive) and the layout of its rows and columns."""

    name: str
    sheet: str
    r0: int
    c0: int
    r1: int
    c1: int
    header_rows: int
    totals_rows: int
    columns: tuple[str, ...]

    def column(self, name: str) -> int | None:
        low = name.casefold()
        for i, c in enumerate(self.columns):
            if c.casefold() == low:
                return self.c0 + i
        return None

    def rows(self, part: str) -> tuple[int, int] | None:
        """First and last row of ``#All``, ``#Data``, ``#Headers`` or ``#Totals``; None if absent."""
        data0, data1 = self.r0 + self.header_rows, self.r1 - self.totals_rows
        if part == "#all":
            return self.r0, self.r1
        if part == "#data":
            return (data0, data1) if data0 <= data1 else None
        if part == "#headers":
            return (self.r0, self.r0) if self.header_rows else None
        if part == "#totals":
            return (self.r1, self.r1) if self.totals_rows else None
        return None


def read_table_part(xml: bytes, sheet: str) -> Table | None:
    """The table of one ``tableN.xml`` part on ``sheet``; None when the part is unreadable."""
    from .package import parse_range

    try:
        root = ET.fromstring(xml)
        r0, c0, r1, c1 = parse_range(root.get("ref", ""))
        header = int(root.get("headerRowCount", "1"))
        totals = int(root.get("totalsRowCount", "0"))
    except (ET.ParseError, ValueError):
        return None
    name = root.get("displayName") or root.get("name") or ""
    columns = tuple(el.get("name", "") for el in root.iter() if el.tag.rsplit("}", 1)[-1] == "tableColumn")
    if not name:
        return None
    return Table(name, sheet, r0, c0, r1, c1, 1 if header else 0, 1 if totals else 0, columns)


# ---------------------------------------------------------------------------------------------
# Resolution

_HEAD = re.compile(r"^(?:(?P<sheet>'(?:[^']|'')+'|[^\[!']+)!)?(?P<table>[^\[\]']*)\[(?P<inner>.*)\]$", re.S)


@dataclass(frozen=True)
class Area:
    """What a structured reference stands for: a sheet, absolute columns, rows (None: this row)."""

    sheet: str
    rows: tuple[int, int] | None
    c0: int
    c1: int


def _unescape(name: str) -> str:
    return re.sub(r"'(.)", r"\1", name.strip(), flags=re.S)


def _items(inner: str) -> list[str] | None:
    """The bracketed items of ``[a],[b]:[c]`` as ``["a", ",", "b", ":", "c"]``; None if malformed."""
    out: list[str] = []
    i, n = 0, len(inner)
    while i < n:
        ch = inner[i]
        if ch == "[":
            j = i + 1
            buf = []
            while j < n and inner[j] != "]":
                if inner[j] == "'" and j + 1 < n:
                    buf.append(inner[j:j + 2])
                    j += 2
                    continue
                buf.append(inner[j])
                j += 1
            if j >= n:
                return None
            out.append("".join(buf))
            i = j + 1
        elif ch in ",:":
            out.append(ch)
            i += 1
        elif ch.isspace():
            i += 1
        else:
            return None
    return out


class StructuredRefs:
    """Resolves structured references for formulas of one sheet of a workbook."""

    def __init__(self, tables: list[Table], sheet: str):
        self.by_name = {t.name.casefold(): t for t in tables}
        self.tables = tables
        self.sheet = sheet

    def table(self, name: str) -> Table | None:
        return self.by_name.get(name.casefold())

    def around(self, row: int, col: int) -> Table | None:
        """The table whose range holds (row, col) on this sheet."""
        low = self.sheet.casefold()
        for t in self.tables:
            if t.sheet.casefold() == low and t.r0 <= row <= t.r1 and t.c0 <= col <= t.c1:
                return t
        return None

    def resolve(self, text: str, row: int, col: int) -> Area | None:
        """The area of a structured reference written in (row, col); None for ``#REF!``."""
        m = _HEAD.match(text)
        if m is None:
            return None
        name = m.group("table").strip()
        table = self.table(name) if name else self.around(row, col)
        if table is None:
            return None
        inner = m.group("inner").strip()
        this_row = inner.startswith("@")
        if this_row:
            inner = inner[1:].strip()
            if inner and not inner.startswith("["):
                inner = "[" + inner + "]"
            items = _items(inner) if inner else []
        elif not inner.startswith("["):  # one special item or column name: T[#All], T[Col]
            items = [inner] if inner else []
        else:
            items = _items(inner)
        if items is None:
            return None
        parts: set[str] = set()
        cols: list[int] = []  # [Col1]:[Col2] spans from the first to the last column named
        for it in items:
            if it in (",", ":"):
                continue
            key = it.strip().casefold()
            if key.startswith("#"):
                if key == "#this row":
                    this_row = True
                else:
                    parts.add(key)
                continue
            c = table.column(_unescape(it))
            if c is None:
                return None
            cols.append(c)
        c0, c1 = (min(cols), max(cols)) if cols else (table.c0, table.c1)
        if this_row:
            return Area(table.sheet, None, c0, c1)
        spans = [table.rows(p) for p in (parts or {"#data"})]
        if any(s is None for s in spans):
            return None
        r0, r1 = min(s[0] for s in spans), max(s[1] for s in spans)
        return Area(table.sheet, (r0, r1), c0, c1)
