"""Reading an .xlsx/.xlsm package and writing computed values back into it.

The package is a zip of XML parts. Only three kinds of part matter to the recalculation:
``xl/workbook.xml`` (sheet names, defined names), ``xl/sharedStrings.xml`` (the text of cells)
and each worksheet's XML (cells and formulas). Everything else (styles, charts, drawings, data
validation inside the sheet XML, VBA projects) is copied byte for byte.

Worksheet XML is scanned with regular expressions over the raw bytes rather than parsed into a
tree: the scan records where each formula cell lies, so the writer can splice a new ``<v>``
into the original text and leave every other byte, namespace prefix and attribute untouched
(re-serialising through an XML library would rename prefixes that ``mc:Ignorable`` refers to).
"""

from __future__ import annotations

import os
import re
from array import array
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from html import unescape
from xml.etree import ElementTree as ET

__all__ = [
    "UnreadableWorkbook",
    "Package",
    "SheetPart",
    "FormulaCell",
    "open_package",
    "col_index",
    "col_letters",
    "write_values",
]

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_STRICT = "{http://purl.oclc.org/ooxml/spreadsheetml/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"

# Value kinds of a cell (shared with the evaluator in values.py).
EMPTY, NUM, STR, BOOL, ERR = 0, 1, 2, 3, 4


class UnreadableWorkbook(Exception):
    """The file cannot be processed; the message is a one-line reason for the user."""


@dataclass(slots=True)
class FormulaCell:
    """One cell holding a formula, as found in the sheet XML."""

    row: int  # 1-based
    col: int  # 1-based
    text: str | None  # formula text without "=", None for a dependent of a shared formula
    ftype: str  # "normal" | "shared" | "array" | "dataTable"
    ref: str | None  # the range of an array formula or of a shared-formula master
    si: str | None  # shared-formula group id
    span: tuple[int, int]  # byte span of the whole <c> element in the sheet XML
    dynamic: bool = False  # a dynamic array (Excel 365: cm attribute on the cell)
    table: dict[str, str] | None = None  # a data table's attributes (r1, r2, dt2D, dtr, del1, del2)


@dataclass
class SheetPart:
    """One worksheet: its cells as parallel lists, its formulas, and its raw XML."""

    name: str
    path: str
    index: int
    xml: bytes = b""
    # constant cells: rows, cols, kinds, numbers (or error codes), texts (for STR cells)
    rows: list[int] = field(default_factory=list)
    cols: list[int] = field(default_factory=list)
    kinds: list[int] = field(default_factory=list)
    nums: list[float] = field(default_factory=list)
    texts: dict[tuple[int, int], str] = field(default_factory=dict)
    formulas: list[FormulaCell] = field(default_factory=list)
    # row, column, start, end of every cell element, flat (for cells an array formula writes into)
    span_table: array = field(default_factory=lambda: array("q"))
    row_spans: dict[int, tuple[int, int, bool]] = field(default_factory=dict)  # open tag, self-closing
    sheetdata_span: tuple[int, int] | None = None  # content span between <sheetData> tags
    prefix: bytes = b""  # namespace prefix of the cell elements ("x:" in some writers)
    max_row: int = 0
    max_col: int = 0

    def cell_spans(self) -> dict[tuple[int, int], tuple[int, int]]:
        """Byte span of each cell element, by (row, column)."""
        t = self.span_table
        return {(t[i], t[i + 1]): (t[i + 2], t[i + 3]) for i in range(0, len(t), 4)}


@dataclass
class Package:
    """An opened workbook package."""

    path: str
    members: list[zipfile.ZipInfo]
    sheets: list[SheetPart]
    names: list[tuple[str, int | None, str]]  # (name, local sheet index or None, formula text)
    shared_strings: list[str]
    macro_enabled: bool
    application: str = ""  # docProps/app.xml's Application: "Microsoft Macintosh Excel" on a Mac
    table_parts: list[tuple[str, bytes]] = field(default_factory=list)  # (sheet name, tableN.xml)

    @property
    def saved_on_mac(self) -> bool:
        """Saved by Excel for Mac, whose CHAR and CODE use the Mac Roman character set."""
        return "macintosh" in self.application.lower()

    def sheet(self, name: str) -> "SheetPart | None":
        low = name.lower()
        for s in self.sheets:
            if s.name.lower() == low:
                return s
        return None


# ---------------------------------------------------------------------------------------------
# Cell references


def col_index(letters: str) -> int:
    """``"A"`` -> 1, ``"AA"`` -> 27."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n


def col_letters(index: int) -> str:
    """1 -> ``"A"``, 27 -> ``"AA"``."""
    out = ""
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


_CELL_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)$")


def parse_cell(ref: str) -> tuple[int, int]:
    """``"B3"`` -> (3, 2)."""
    m = _CELL_REF.match(ref)
    if not m:
        raise ValueError(f"not a cell reference: {ref!r}")
    return int(m.group(2)), col_index(m.group(1))


def parse_range(ref: str) -> tuple[int, int, int, int]:
    """``"B3:C10"`` -> (3, 2, 10, 3); a single cell is a 1x1 range."""
    a, _, b = ref.partition(":")
    r0, c0 = parse_cell(a)
    r1, c1 = parse_cell(b) if b else (r0, c0)
    return min(r0, r1), min(c0, c1), max(r0, r1), max(c0, c1)


# ---------------------------------------------------------------------------------------------
# Opening


def _check_container(path: str) -> None:
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except IsADirectoryError:
        raise UnreadableWorkbook("is a folder, not a workbook") from None
    except OSError as exc:
        raise UnreadableWorkbook(f"cannot read the file ({exc.strerror})") from None
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        with open(path, "rb") as fh:
            data = fh.read(1 << 20)
        if "EncryptionInfo".encode("utf-16-le") in data or b"E\x00n\x00c\x00r\x00y\x00p\x00t" in data:
            raise UnreadableWorkbook("the workbook is password-protected (encrypted); save it without a password")
        raise UnreadableWorkbook("a legacy .xls (binary) workbook; save it as .xlsx")
    if not head.startswith(b"PK"):
        raise UnreadableWorkbook("not a workbook (not an .xlsx/.xlsm zip package)")


def _read(zf: zipfile.ZipFile, name: str) -> bytes:
    try:
        return zf.read(name)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise UnreadableWorkbook(f"damaged zip member {name} ({exc})") from None


def _application(zf: zipfile.ZipFile, names: set[str]) -> str:
    """The Application property of docProps/app.xml ("" when absent or unreadable)."""
    if "docProps/app.xml" not in names or zf.getinfo("docProps/app.xml").file_size > 1 << 20:
        return ""
    try:
        root = ET.fromstring(_read(zf, "docProps/app.xml"))
    except (ET.ParseError, UnreadableWorkbook):
        return ""
    return next((el.text or "" for el in root.iter() if _local(el.tag) == "Application"), "")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _rels(zf: zipfile.ZipFile, names: set[str], part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type suffix, target path inside the zip) for a part."""
    folder, _, base = part.rpartition("/")
    rels_name = f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"
    if rels_name not in names:
        return {}
    out = {}
    for el in ET.fromstring(_read(zf, rels_name)):
        target = el.get("Target", "")
        if el.get("TargetMode") == "External":
            continue
        if target.startswith("/"):
            full = target[1:]
        else:
            parts = (folder.split("/") if folder else []) + target.split("/")
            stack: list[str] = []
            for p in parts:
                if p == "..":
                    if stack:
                        stack.pop()
                elif p and p != ".":
                    stack.append(p)
            full = "/".join(stack)
        out[el.get("Id", "")] = (el.get("Type", "").rsplit("/", 1)[-1], full)
    return out


def open_package(path: str | os.PathLike) -> Package:
    """Open a workbook and scan every worksheet; raise :class:`UnreadableWorkbook` if it is not one."""
    path = os.fspath(path)
    _check_container(path)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise UnreadableWorkbook(f"not a readable zip package (truncated or damaged: {exc})") from None
    with zf:
        members = zf.infolist()
        names = {m.filename for m in members}
        root_rels = _rels(zf, names, "")
        wb_part = next((t for kind, t in root_rels.values() if kind == "officeDocument"), "xl/workbook.xml")
        if wb_part not in names:
            raise UnreadableWorkbook("not a spreadsheet package (no workbook part)")
        try:
            wb = ET.fromstring(_read(zf, wb_part))
        except ET.ParseError as exc:
            raise UnreadableWorkbook(f"damaged workbook.xml ({exc})") from None
        if _local(wb.tag) != "workbook":
            raise UnreadableWorkbook("not a spreadsheet package (the main part is not a workbook)")
        for el in wb.iter():
            if _local(el.tag) == "workbookPr" and el.get("date1904", "0").lower() in ("1", "true"):
                raise UnreadableWorkbook("the workbook uses the 1904 date system, which xl-kpi recalc does not support")
        rels = _rels(zf, names, wb_part)
        sheets: list[SheetPart] = []
        for el in wb.iter():
            if _local(el.tag) == "sheet":
                rid = el.get(_NS_REL + "id") or el.get("{http://purl.oclc.org/ooxml/officeDocument/relationships}id")
                kind, target = rels.get(rid or "", ("", ""))
                if kind != "worksheet" or target not in names:
                    # chart sheets, dialog sheets: kept as they are, not calculated
                    sheets.append(SheetPart(el.get("name", ""), "", len(sheets)))
                    continue
                sheets.append(SheetPart(el.get("name", ""), target, len(sheets)))
        defined: list[tuple[str, int | None, str]] = []
        for el in wb.iter():
            if _local(el.tag) == "definedName" and el.text:
                local = el.get("localSheetId")
                defined.append((el.get("name", ""), int(local) if local is not None else None, el.text))
        shared: list[str] = []
        sst = next((t for kind, t in rels.values() if kind == "sharedStrings"), None)
        if sst and sst in names:
            shared = _shared_strings(_read(zf, sst))
        macro = any(m.filename.endswith("vbaProject.bin") for m in members)
        pkg = Package(path, members, sheets, defined, shared, macro, _application(zf, names))
        for sheet in sheets:
            if sheet.path:
                sheet.xml = _read(zf, sheet.path)
                _scan_sheet(sheet, shared)
                for kind, target in _rels(zf, names, sheet.path).values():
                    if kind == "table" and target in names:
                        pkg.table_parts.append((sheet.name, _read(zf, target)))
    return pkg


def _shared_strings(data: bytes) -> list[str]:
    out = []
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise UnreadableWorkbook(f"damaged sharedStrings.xml ({exc})") from None
    for si in root:
        if _local(si.tag) != "si":
            continue
        parts = []
        for el in si.iter():
            tag = _local(el.tag)
            if tag == "rPh":  # phonetic runs are not part of the text
                el.clear()
            elif tag == "t" and el.text:
                parts.append(el.text)
        out.append(_ooxml_unescape("".join(parts)))
    return out


_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _ooxml_unescape(s: str) -> str:
    """Text as Excel means it: ``_x000D_`` is a carriage return, ``_x005F_`` an underscore."""
    return _OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), s) if "_x" in s else s


# ---------------------------------------------------------------------------------------------
# Scanning the sheet XML

_P = rb"(?:[A-Za-z_][\w.-]*:)?"
_SHEETDATA = re.compile(rb"<(" + _P + rb")sheetData\b[^>]*?(/>|>)")
_TOKEN = re.compile(
    rb"<" + _P + rb"(?:row\b([^>]*)>|c\b([^>]*?)(?:/>|>(.*?)</" + _P + rb"c>))", re.S
)
_ATTR = re.compile(rb"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_F = re.compile(rb"<" + _P + rb"f\b([^>]*?)(?:/>|>(.*?)</" + _P + rb"f>)", re.S)
_V = re.compile(rb"<" + _P + rb"v\b[^>]*?(?:/>|>(.*?)</" + _P + rb"v>)", re.S)
_T = re.compile(rb"<" + _P + rb"t\b[^>]*?(?:/>|>(.*?)</" + _P + rb"t>)", re.S)
_RPH = re.compile(rb"<" + _P + rb"rPh\b.*?</" + _P + rb"rPh>", re.S)
_REF = re.compile(rb"([A-Za-z]{1,3})(\d+)")

ERROR_CODES = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!", "#CALC!")
ERROR_CODE = {e: i + 1 for i, e in enumerate(ERROR_CODES)}


def _attrs(raw: bytes) -> dict[bytes, bytes]:
    return {m.group(1): m.group(2) if m.group(2) is not None else m.group(3) for m in _ATTR.finditer(raw)}


def _text(raw: bytes | None) -> str:
    if not raw:
        return ""
    s = raw.decode("utf-8")
    return unescape(s) if "&" in s else s


# One pass over sheetData: the common cell written by Excel, openpyxl or LibreOffice (a value, or
# a plain formula, attributes r/s/t only) is matched whole by the first branch; rows by the
# second; any other cell by the third, and then examined in Python.
_SCAN = re.compile(
    rb'<c r="([A-Z]{1,3})(\d+)"(?: s="\d+")?(?: t="(\w+)")?(?: s="\d+")?'
    rb'(?:/>|>(?:<v>([^<]*)</v>|<f>([^<]*)</f>(?:<v\s*/>|<v>[^<]*</v>)?)</c>)'
    rb"|<" + _P + rb"row\b([^>]*)>"
    rb"|<" + _P + rb"c\b([^>]*?)(?:/>|>(.*?)</" + _P + rb"c>)",
    re.S,
)
_R_ATTR = re.compile(rb'(?:^|\s)r\s*=\s*["\']([A-Za-z]{1,3})(\d+)["\']')
_ROW_R = re.compile(rb'(?:^|\s)r\s*=\s*["\'](\d+)["\']')
_TYPE = re.compile(rb'(?:^|\s)t\s*=\s*["\'](\w+)["\']')
_COLS: dict[bytes, int] = {}


def _col_of(letters: bytes) -> int:
    c = _COLS.get(letters)
    if c is None:
        c = _COLS[letters] = col_index(letters.decode())
    return c


def _scan_sheet(sheet: SheetPart, shared: list[str]) -> None:
    """Record every cell of the sheet XML: constants into lists, formulas with their spans."""
    xml = sheet.xml
    m = _SHEETDATA.search(xml)
    if not m:
        return
    sheet.prefix = m.group(1)
    if m.group(2) == b"/>":
        sheet.sheetdata_span = (m.end(), m.end())
        return
    start = m.end()
    end = xml.find(b"</" + sheet.prefix + b"sheetData>", start)
    if end < 0:
        raise UnreadableWorkbook(f"damaged worksheet XML in sheet {sheet.name!r} (no end of sheetData)")
    sheet.sheetdata_span = (start, end)
    rows, cols, kinds, nums, texts = sheet.rows, sheet.cols, sheet.kinds, sheet.nums, sheet.texts
    formulas = sheet.formulas
    spans = sheet.span_table.extend
    row_spans = sheet.row_spans
    row = 0
    col = 0
    max_col = 0
    n_shared = len(shared)
    for tok in _SCAN.finditer(xml, start, end):
        letters, digits, t, v, ftext, row_attrs, raw_attrs, body = tok.groups()
        if letters is not None:  # fast path
            col = _col_of(letters)
            row = int(digits)
            if col > max_col:
                max_col = col
            span = tok.span()
            spans((row, col, *span))
            if ftext is not None:
                formulas.append(FormulaCell(row, col, _text(ftext), "normal", None, None, span))
                continue
            if v is None:
                continue
            if t is None:
                t = b"n"
        elif row_attrs is not None:  # a <row> element
            rm = _ROW_R.search(row_attrs)
            row = int(rm.group(1)) if rm else row + 1
            col = 0
            row_spans[row] = (tok.start(), tok.end(), row_attrs.endswith(b"/"))
            continue
        else:
            rm = _R_ATTR.search(raw_attrs)
            if rm:
                col = _col_of(rm.group(1))
                row = int(rm.group(2))
            else:
                col += 1
            if col > max_col:
                max_col = col
            span = tok.span()
            spans((row, col, *span))
            if not body:
                continue
            tm = _TYPE.search(raw_attrs) if b"t" in raw_attrs else None
            t = tm.group(1) if tm else b"n"
            fm = _F.search(body)
            if fm is not None:
                fa = _attrs(fm.group(1)) if fm.group(1).strip() else {}
                ftype = fa.get(b"t", b"normal").decode()
                ref = fa.get(b"ref")
                si = fa.get(b"si")
                text = _text(fm.group(2)) if fm.group(2) is not None else None
                if ftype != "shared" and text is None:
                    text = ""
                table = {k.decode(): v.decode() for k, v in fa.items()} if ftype == "dataTable" else None
                formulas.append(FormulaCell(row, col, text, ftype, ref.decode() if ref else None,
                                            si.decode() if si else None, span, b"cm" in raw_attrs, table))
                continue
            if t == b"inlineStr":
                body2 = _RPH.sub(b"", body)
                kinds.append(STR)
                nums.append(0.0)
                texts[(row, col)] = _ooxml_unescape("".join(_text(x.group(1)) for x in _T.finditer(body2)))
                rows.append(row)
                cols.append(col)
                continue
            vm = _V.search(body)
            if vm is None or vm.group(1) is None:
                continue
            v = vm.group(1)
        if t == b"n":
            kinds.append(NUM)
            nums.append(float(v))
        elif t == b"s":
            kinds.append(STR)
            nums.append(0.0)
            idx = int(v)
            texts[(row, col)] = shared[idx] if idx < n_shared else ""
        elif t == b"str":
            kinds.append(STR)
            nums.append(0.0)
            texts[(row, col)] = _text(v)
        elif t == b"b":
            kinds.append(BOOL)
            nums.append(1.0 if v.strip() in (b"1", b"true") else 0.0)
        elif t == b"e":
            kinds.append(ERR)
            nums.append(float(ERROR_CODE.get(_text(v), ERROR_CODE["#N/A"])))
        elif t == b"d":  # ISO 8601 date cell (strict writers)
            from .values import iso_to_serial

            kinds.append(NUM)
            nums.append(iso_to_serial(_text(v)))
        else:
            continue
        rows.append(row)
        cols.append(col)
    sheet.max_row = max(row_spans) if row_spans else row
    if rows:
        sheet.max_row = max(sheet.max_row, max(rows))
    if formulas:
        sheet.max_row = max(sheet.max_row, max(f.row for f in formulas))
    sheet.max_col = max_col


# ---------------------------------------------------------------------------------------------
# Writing


#: Characters XML 1.0 cannot hold, written as OOXML does (_x0001_), and a literal "_xHHHH_"
#: whose underscore is escaped so that it reads back as written.
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\r\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")


def _xml_escape(s: str) -> str:
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _XML_UNSAFE.sub(lambda m: "_x%04X_" % ord(m.group(0)), s) if _XML_UNSAFE.search(s) else s


_T_ATTR = re.compile(rb"\s+t\s*=\s*(?:\"[^\"]*\"|'[^']*')")
_OPEN_C = re.compile(rb"<(" + _P + rb")c\b([^>]*?)(/?)>")
_FAST_FCELL = re.compile(rb'<c( r="[A-Z]{1,3}\d+")(?: s="(\d+)")?(?: t="\w+")?(?: s="(\d+)")?>'
                         rb'(<f>[^<]*</f>)(?:<v\s*/>|<v>[^<]*</v>)?</c>$')


def cell_xml(original: bytes, prefix: bytes, kind: int, num: float, text: str | None) -> bytes:
    """The original ``<c>`` element with its cached value replaced by (kind, num, text).

    The formula element and every attribute but ``t`` are kept as they were.
    """
    fast = _FAST_FCELL.match(original)
    if fast is not None:
        v, t = encode_value(kind, num, text)
        style = fast.group(2) or fast.group(3)
        head = b"<c" + fast.group(1) + (b' s="' + style + b'"' if style else b"")
        tattr = b' t="' + t + b'"' if t else b""
        return head + tattr + b">" + fast.group(4) + b"<v>" + v + b"</v></c>"
    m = _OPEN_C.match(original)
    cprefix = m.group(1)
    attrs = _T_ATTR.sub(b"", m.group(2))
    if m.group(3):  # self-closing: no children
        inner = b""
    else:
        body = original[m.end(): original.rfind(b"</")]
        fm = _F.search(body)
        inner = fm.group(0) if fm else b""
        # keep other children that are neither value nor inline string (e.g. extLst)
        rest = _V.sub(b"", body.replace(inner, b"", 1)) if fm else b""
        rest = re.sub(rb"<" + _P + rb"is\b.*?</" + _P + rb"is>", b"", rest, flags=re.S)
        inner += rest
    v, t = encode_value(kind, num, text)
    tattr = b' t="' + t + b'"' if t else b""
    if v is None:
        return b"<" + cprefix + b"c" + attrs + tattr + b">" + inner + b"</" + cprefix + b"c>"
    vel = b"<" + cprefix + b"v>" + v + b"</" + cprefix + b"v>"
    return b"<" + cprefix + b"c" + attrs + tattr + b">" + inner + vel + b"</" + cprefix + b"c>"


def encode_value(kind: int, num: float, text: str | None) -> tuple[bytes | None, bytes]:
    """(value text, t attribute) of a computed value; blank formulas show as 0 like Excel."""
    if kind == STR:
        return _xml_escape(text or "").encode("utf-8"), b"str"
    if kind == BOOL:
        return (b"1" if num else b"0"), b"b"
    if kind == ERR:
        return ERROR_CODES[int(num) - 1].encode(), b"e"
    if kind == EMPTY:
        return b"0", b""
    return format_number(num).encode(), b""


def format_number(x: float) -> str:
    """Shortest round-trip text of a float, integers without ``.0`` (as Excel writes them)."""
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return repr(float(x)).upper()


@dataclass
class NewCell:
    """A value cell the writer must create or overwrite (cells an array formula spills into)."""

    row: int
    col: int
    kind: int
    num: float
    text: str | None


def patch_sheet(sheet: SheetPart, formula_values: list[tuple[int, float, str | None]],
                spill_values: dict[tuple[int, int], tuple[int, float, str | None]]) -> bytes:
    """The sheet XML with each formula's cached value set and spilled cells written.

    ``formula_values`` holds (kind, number, text) for each of ``sheet.formulas``, in order.
    """
    xml = sheet.xml
    edits: list[tuple[int, int, bytes]] = []
    prefix = sheet.prefix
    for f, val in zip(sheet.formulas, formula_values):
        if val is None:
            continue
        s, e = f.span
        edits.append((s, e, cell_xml(xml[s:e], prefix, *val)))
    cell_spans = sheet.cell_spans() if spill_values else {}
    # spilled values into existing cells; new cells grouped by row
    missing: dict[int, list[tuple[int, bytes]]] = {}
    for (r, c), val in spill_values.items():
        span = cell_spans.get((r, c))
        if span is not None:
            s, e = span
            edits.append((s, e, _value_cell(xml[s:e], prefix, r, c, val)))
        else:
            missing.setdefault(r, []).append((c, _value_cell(None, prefix, r, c, val)))
    by_row = None
    for r, new_cells in missing.items():
        new_cells.sort()
        rs = sheet.row_spans.get(r)
        if rs is None:
            # a new row element before the first row with a larger number
            after = [k for k in sheet.row_spans if k > r]
            pos = sheet.row_spans[min(after)][0] if after else sheet.sheetdata_span[1]
            body = b"".join(x for _, x in new_cells)
            edits.append((pos, pos, b"<" + prefix + b'row r="' + str(r).encode() + b'">' + body
                          + b"</" + prefix + b"row>"))
            continue
        open_s, open_e, closed = rs
        if closed:
            tag = xml[open_s:open_e]
            body = b"".join(x for _, x in new_cells)
            edits.append((open_s, open_e, tag[:-2].rstrip() + b">" + body + b"</" + prefix + b"row>"))
            continue
        # insert each new cell before the first existing cell of a larger column in this row
        if by_row is None:
            by_row = {}
            for (rr, c), sp in cell_spans.items():
                by_row.setdefault(rr, []).append((c, sp))
        existing = sorted(by_row.get(r, ()))
        row_end = xml.find(b"</" + prefix + b"row>", open_e)
        for c, cell in new_cells:
            pos = next((sp[0] for cc, sp in existing if cc > c), row_end)
            edits.append((pos, pos, cell))
    if not edits:
        return xml
    edits.sort(key=lambda x: (x[0], x[1]))
    out = []
    last = 0
    for s, e, new in edits:
        out.append(xml[last:s])
        out.append(new)
        last = e
    out.append(xml[last:])
    return b"".join(out)


def _value_cell(original: bytes | None, prefix: bytes, r: int, c: int, val) -> bytes:
    kind, num, text = val
    if original is not None:
        m = re.match(rb"<(" + _P + rb")c\b([^>]*?)/?>", original)
        attrs = _T_ATTR.sub(b"", m.group(2))
        cprefix = m.group(1)
    else:
        attrs = b' r="' + f"{col_letters(c)}{r}".encode() + b'"'
        cprefix = prefix
    v, t = encode_value(kind, num, text)
    tattr = b' t="' + t + b'"' if t else b""
    if kind == EMPTY:
        return b"<" + cprefix + b"c" + attrs + b"/>"
    return b"<" + cprefix + b"c" + attrs + tattr + b"><" + cprefix + b"v>" + v + b"</" + cprefix + b"v></" + cprefix + b"c>"


def write_values(pkg: Package, dst: str | os.PathLike, new_sheet_xml: dict[str, bytes]) -> None:
    """Write the package to ``dst``: the given sheet parts replaced, every other member copied.

    Writes a temporary file in the destination folder and renames it over ``dst``, so a crash
    never leaves a half-written workbook.
    """
    dst = os.fspath(dst)
    folder = os.path.dirname(os.path.abspath(dst))
    fd, tmp = tempfile.mkstemp(prefix=".xl-kpi-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh, zipfile.ZipFile(pkg.path) as src, \
                zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as out:
            for info in src.infolist():
                if info.filename in new_sheet_xml:
                    zi = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                    zi.compress_type = zipfile.ZIP_DEFLATED
                    zi.external_attr = info.external_attr
                    out.writestr(zi, new_sheet_xml[info.filename], compresslevel=1)
                else:
                    _copy_raw(src, out, info)
        try:
            mode = os.stat(dst).st_mode & 0o777 if os.path.exists(dst) else 0o644
            os.chmod(tmp, mode)
        except OSError:
            pass
        os.replace(tmp, dst)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _copy_raw(src: zipfile.ZipFile, out: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Copy one member: its content unchanged byte for byte (the CRC is checked on reading)."""
    with src.open(info) as fh:
        data = fh.read()
    zi = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    zi.compress_type = info.compress_type
    zi.external_attr = info.external_attr
    zi.create_system = info.create_system
    out.writestr(zi, data)
