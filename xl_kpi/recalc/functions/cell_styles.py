"""What CELL reads from a cell's style: "format", "color", "parentheses", "prefix", "protect",
"width" (Microsoft's CELL page).

The engine holds values, not styles, so these are read here, once per workbook, from the file
being recalculated: the style index of each cell element (``s="3"``, else its row's, else its
column's), ``xl/styles.xml`` (the cell formats' number format, protection and alignment,
ECMA-376 Part 1, 18.8) and the sheet's column widths. A part larger than :data:`MAX_STYLES`, or
a workbook read from no file, answers None (CELL shows ``#N/A``).
"""

from __future__ import annotations

import math
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

__all__ = ["CellStyle", "cell_style", "column_width", "format_class"]

#: The largest styles part read (a workbook's is a few hundred KiB at most).
MAX_STYLES = 16 << 20

#: Excel's built-in number formats by id (ECMA-376 Part 1, 18.8.30), as Excel for the US shows them.
BUILTIN_FORMATS = {
    0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%", 11: "0.00E+00",
    12: "# ?/?", 13: "# ??/??", 14: "m/d/yyyy", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM",
    19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss", 22: "m/d/yyyy h:mm", 37: "#,##0 ;(#,##0)",
    38: "#,##0 ;[Red](#,##0)", 39: "#,##0.00;(#,##0.00)", 40: "#,##0.00;[Red](#,##0.00)", 45: "mm:ss",
    46: "[h]:mm:ss", 47: "mmss.0", 48: "##0.0E+0", 49: "@",
}

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


@dataclass(frozen=True)
class CellStyle:
    """The parts of a cell format CELL reports."""

    number_format: str = "General"
    locked: bool = True
    horizontal: str = "general"


@dataclass
class _Styles:
    formats: list[CellStyle] = field(default_factory=list)
    sheets: dict = field(default_factory=dict)  # sheet name -> (cell styles, row styles, col styles, widths)


def _styles_part(zf: zipfile.ZipFile) -> str | None:
    """The styles part: Excel's ``xl/styles.xml``, else a part named so elsewhere."""
    names = zf.namelist()
    if "xl/styles.xml" in names:
        return "xl/styles.xml"
    return next((n for n in names if n.lower().endswith("/styles.xml")), None)


def _read_styles(path: str) -> list[CellStyle] | None:
    try:
        with zipfile.ZipFile(path) as zf:
            part = _styles_part(zf)
            if part is None:
                return [CellStyle()]
            if zf.getinfo(part).file_size > MAX_STYLES:
                return None
            root = ET.fromstring(zf.read(part))
    except (OSError, zipfile.BadZipFile, ET.ParseError, KeyError):
        return None
    codes = dict(BUILTIN_FORMATS)
    for fmt in root.iter(_NS + "numFmt"):
        try:
            codes[int(fmt.get("numFmtId", "-1"))] = fmt.get("formatCode", "General")
        except ValueError:
            continue
    out = []
    xfs = root.find(_NS + "cellXfs")
    for xf in (xfs if xfs is not None else []):
        try:
            number_id = int(xf.get("numFmtId", "0"))
        except ValueError:
            number_id = 0
        protection = xf.find(_NS + "protection")
        alignment = xf.find(_NS + "alignment")
        locked = protection is None or protection.get("locked", "1") not in ("0", "false")
        out.append(CellStyle(codes.get(number_id, "General"), locked,
                             "general" if alignment is None else alignment.get("horizontal", "general")))
    return out or [CellStyle()]


_CELL_STYLE = re.compile(rb'\bs="(\d+)"')
_ROW_STYLE = re.compile(rb'\bs="(\d+)"[^>]*\bcustomFormat="(?:1|true)"|\bcustomFormat="(?:1|true)"[^>]*\bs="(\d+)"')
_COL = re.compile(rb"<(?:\w+:)?col\b([^>]*)/?>")
_ATTR = re.compile(rb'\b(\w+)="([^"]*)"')
_DEFAULT_WIDTH = re.compile(rb"<(?:\w+:)?sheetFormatPr\b[^>]*\bdefaultColWidth=\"([0-9.]+)\"")
_BASE_WIDTH = re.compile(rb"<(?:\w+:)?sheetFormatPr\b[^>]*\bbaseColWidth=\"(\d+)\"")


def _columns(part) -> tuple[list[tuple[int, int, float | None, int | None]], float]:
    """(min, max, width, style) of each ``<col>`` and the sheet's default width in characters."""
    head = part.xml[:part.sheetdata_span[0]] if part.sheetdata_span else part.xml[:1 << 20]
    cols = []
    for m in _COL.finditer(head):
        attrs = {k.decode(): v.decode() for k, v in _ATTR.findall(m.group(1))}
        try:
            lo, hi = int(attrs.get("min", 0)), int(attrs.get("max", 0))
            width = float(attrs["width"]) if "width" in attrs else None
            style = int(attrs["style"]) if "style" in attrs else None
        except ValueError:
            continue
        cols.append((lo, hi, width, style))
    default = _DEFAULT_WIDTH.search(head)
    if default is not None:
        chars = _characters(float(default.group(1)))
    else:
        base = _BASE_WIDTH.search(head)
        chars = float(base.group(1)) if base else 8.0
    return cols, chars


#: The pixel width of a digit in the default font (Calibri 11), by which Excel converts stored
#: column widths (padding included) to characters (ECMA-376 Part 1, 18.3.1.13).
_DIGIT_PIXELS = 7


def _characters(stored: float) -> float:
    """A stored column width as the characters of the default font it holds (9.140625 -> 8.43),
    through its pixels as ECMA-376 converts them."""
    pixels = math.trunc((256 * stored + math.trunc(128 / _DIGIT_PIXELS)) / 256 * _DIGIT_PIXELS)
    return max(0.0, math.trunc((pixels - 5) / _DIGIT_PIXELS * 100 + 0.5) / 100)


def _sheet(styles: _Styles, part):
    got = styles.sheets.get(part.name)
    if got is None:
        spans = part.cell_spans()
        cells = {}
        for (r, c), (start, end) in spans.items():
            m = _CELL_STYLE.search(part.xml, start, min(end, start + 200))
            if m is not None and m.start() < end:
                cells[(r, c)] = int(m.group(1))
        rows = {}
        for r, (start, end, _) in part.row_spans.items():
            m = _ROW_STYLE.search(part.xml, start, end)
            if m is not None:
                rows[r] = int(m.group(1) or m.group(2))
        got = styles.sheets[part.name] = (cells, rows, *_columns(part))
    return got


def _book_styles(book) -> _Styles | None:
    cache = book.__dict__
    if "cell_styles" not in cache:
        path = getattr(book.pkg, "path", "") or ""
        formats = _read_styles(path) if path else None
        cache["cell_styles"] = None if formats is None else _Styles(formats)
    return cache["cell_styles"]


def cell_style(book, sheet, row: int, col: int) -> CellStyle | None:
    """The format of a cell: its own, its row's or its column's; None when the file is unread."""
    styles = _book_styles(book)
    if styles is None or getattr(sheet, "part", None) is None:
        return None
    cells, rows, cols, _ = _sheet(styles, sheet.part)
    index = cells.get((row, col))
    if index is None:
        index = rows.get(row)
    if index is None:
        index = next((s for lo, hi, _, s in cols if lo <= col <= hi and s is not None), 0)
    return styles.formats[index] if 0 <= index < len(styles.formats) else styles.formats[0]


def column_width(book, sheet, col: int) -> float | None:
    """The width of a column in characters of the default font; None when the file is unread."""
    styles = _book_styles(book)
    if styles is None or getattr(sheet, "part", None) is None:
        return None
    _, _, cols, default = _sheet(styles, sheet.part)
    stored = next((w for lo, hi, w, _ in cols if lo <= col <= hi and w is not None), None)
    return default if stored is None else _characters(stored)


# ---------------------------------------------------------------------------------------------
# CELL("format"): the class of a number format (Microsoft's CELL page lists them)

_QUOTED = re.compile(r'"[^"]*"|\\.')
_BRACKET = re.compile(r"\[[^\]]*\]")
_COLOR = re.compile(r"\[(?:black|blue|cyan|green|magenta|red|white|yellow|color\s*\d+)\]", re.I)


def _sections(code: str) -> list[str]:
    out, cur, quoted, i = [], [], False, 0
    while i < len(code):
        ch = code[i]
        if ch == '"':
            quoted = not quoted
        elif ch == "\\" and not quoted:
            cur.append(code[i:i + 2])
            i += 2
            continue
        elif ch == ";" and not quoted:
            out.append("".join(cur))
            cur = []
            i += 1
            continue
        cur.append(ch)
        i += 1
    out.append("".join(cur))
    return out


def format_class(code: str) -> tuple[str, bool, bool]:
    """(CELL("format") code, negative numbers in color, positive numbers in parentheses).

    ``G`` General (and fractions), ``F2`` fixed with two decimals, ``,2`` with thousands
    separators, ``C2`` currency, ``P2`` percent, ``S2`` scientific, ``D1``..``D9`` dates and
    times, ``@`` text; ``-`` is appended when negative numbers show in color, ``()`` when
    positive (or all) numbers show in parentheses.
    """
    sections = _sections(code)
    first = sections[0]
    color = len(sections) > 1 and _COLOR.search(sections[1]) is not None
    plain = _BRACKET.sub(lambda m: "$" if re.match(r"\[\$[^-]", m.group(0)) else "", first)  # [$€-407] is currency
    bare = _QUOTED.sub("", plain)
    parentheses = "(" in bare
    low = bare.lower()
    suffix = ("-" if color else "") + ("()" if parentheses else "")
    if "general" in low or "/" in low and re.search(r"[#0?]\s*/", low):
        return "G" + suffix, color, parentheses
    if "@" in low:
        return "@", color, parentheses
    letters = set(re.sub(r"am/pm|a/p", "", low)) & set("ymdhs")
    if letters:
        ampm = "am/pm" in low or "a/p" in low
        dated = "y" in letters or "d" in letters or "mmm" in low
        if not dated and ("h" in letters or "s" in letters):  # m/d/yy h:mm is a date (D4)
            if "s" in letters:
                return ("D6" if ampm else "D8"), color, parentheses
            return ("D7" if ampm else "D9"), color, parentheses
        if "mmm" in low:
            if "d" in letters and "y" in letters:
                return "D1", color, parentheses
            return ("D2" if "d" in letters else "D3"), color, parentheses
        return ("D4" if "y" in letters else "D5"), color, parentheses
    point = bare.find(".")
    decimals = 0 if point < 0 else len(re.findall(r"[0#?]", re.split(r"[eE][+-]", bare[point + 1:])[0]))
    if re.search(r"[eE][+-]", bare):
        kind = "S"
    elif "%" in bare:
        kind = "P"
    elif "$" in plain or "€" in plain or "£" in plain or "¥" in plain:
        kind = "C"
    elif re.search(r"[#0?],[#0?]", bare):
        kind = ","
    else:
        kind = "F"
    return f"{kind}{decimals}{suffix}", color, parentheses
