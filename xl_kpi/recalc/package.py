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

import math
import os
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from html import unescape
from operator import itemgetter
from xml.etree import ElementTree as ET

import numpy as np

from ..excel_errors import ERROR_CODE, ERROR_CODES  # noqa: F401 - the engine's error codes, re-exported
from .formula_cells import FormulaCell, FormulaCells

__all__ = [
    "UnreadableWorkbook",
    "Limits",
    "Package",
    "SheetPart",
    "FormulaCell",
    "FormulaCells",
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


@dataclass(frozen=True)
class Limits:
    """How much work a workbook may ask for before it is refused (``xl-kpi recalc`` options).

    ``max_unzipped`` bounds the decompressed size of the whole package, checked against the
    sizes the zip declares before anything is read and against the bytes actually produced
    while reading (in chunks). ``max_cells`` bounds the cell elements of all sheets, counted
    before a sheet is scanned. The defaults fit a workbook of several million cells in a few
    GB of memory; a zip bomb of 50 million cells in 2.7 MB is refused in milliseconds.
    """

    max_cells: int = 10_000_000
    max_unzipped: int = 1 << 30

    def __post_init__(self):
        if self.max_cells < 1 or self.max_unzipped < 1:
            raise ValueError(f"limits must be positive, got {self}")


def format_size(n: int) -> str:
    """``1073741824`` -> ``"1 GiB"`` (binary units, as the options accept them)."""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return f"{n / size:,.3g} {unit}"
    return f"{n:,} bytes"


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
    formulas: FormulaCells = field(default_factory=FormulaCells)
    notes: list[str] = field(default_factory=list)  # odd cells read as errors, for the report
    odd_cells: int = 0
    cells_scanned: int = 0  # cell elements read
    row_spans: dict[int, tuple[int, int, bool]] = field(default_factory=dict)  # open tag, self-closing
    sheetdata_span: tuple[int, int] | None = None  # content span between <sheetData> tags
    prefix: bytes = b""  # namespace prefix of the cell elements ("x:" in some writers)
    max_row: int = 0
    max_col: int = 0

    def formula_types(self) -> set[str]:
        """The ``ftype`` of the sheet's formulas ("normal", "shared", "array", "dataTable"), found
        by one C-level pass, so that a loop for a rare kind is skipped where the sheet has none."""
        return set(self.formulas.ftypes)

    def cell_spans(self, rows=None) -> dict[tuple[int, int], tuple[int, int]]:
        """Byte span of each cell element, by (row, column): every cell of the rows ``rows`` (and
        of the rows between them; all rows when None or when one has no row element).

        Found when asked, by scanning those rows again: the writer needs them only for the cells
        an array formula or data table writes into, and recording them for every cell while
        reading cost a sixth of the scan of a big sheet.
        """
        if self.sheetdata_span is None:
            return {}
        start, end = self.sheetdata_span
        rows = sorted(set(rows)) if rows else []
        before = 0  # the row number before the first row element scanned
        if rows and rows[0] in self.row_spans and rows[-1] in self.row_spans:
            start, before = self.row_spans[rows[0]][0], rows[0] - 1
            after = [k for k in self.row_spans if k > rows[-1]]
            if after:
                end = self.row_spans[min(after)][0]
        return {(r, c): (a, b) for r, c, a, b in _cell_tokens(self.xml, start, end, before)}


@dataclass(frozen=True)
class CalcSettings:
    """Excel's calculation options of the workbook (``<calcPr>``), with Excel's defaults."""

    iterate: bool = False  # iterative calculation of circular references
    iterate_count: int = 100  # at most this many iterations
    iterate_delta: float = 0.001  # stop when no value changes by more than this
    manual: bool = False  # calcMode="manual": Excel recalculates on request only (INFO("recalc"))
    r1c1: bool = False  # refMode="R1C1": references shown in R1C1 style (INFO("origin"))

    @staticmethod
    def from_attrs(attrs: dict[str, str]) -> "CalcSettings":
        def number(key, default, cast):
            try:
                x = cast(attrs.get(key, default))
            except (TypeError, ValueError):
                return default
            return x if x == x and 0 <= x < float("inf") else default

        return CalcSettings(attrs.get("iterate", "0").lower() in ("1", "true"),
                            max(1, min(number("iterateCount", 100, int), 32767)),
                            number("iterateDelta", 0.001, float),
                            attrs.get("calcMode", "auto").lower() == "manual",
                            attrs.get("refMode", "A1").upper() == "R1C1")


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
    limits: Limits = field(default_factory=Limits)
    calc: CalcSettings = field(default_factory=CalcSettings)  # <calcPr>
    external: list = field(default_factory=list)  # linked workbooks (external.ExternalBook), [n] order
    table_parts: list[tuple[str, bytes]] = field(default_factory=list)  # (sheet name, tableN.xml)
    rich_errors: dict[str, bytes] = field(default_factory=dict)  # #SPILL!/#CALC! -> a vm index showing it
    app_version: str = ""  # docProps/app.xml's AppVersion: "16.0300" (INFO("release"))
    active_tab: int = 0  # <workbookView activeTab>: the sheet shown when the file opens (INFO("origin"))

    @property
    def saved_on_mac(self) -> bool:
        """Saved by Excel for Mac, whose CHAR and CODE use the Mac Roman character set."""
        return "macintosh" in self.application.lower()

    @property
    def notes(self) -> list[str]:
        """What was odd in the file and how it was read (cells read as errors)."""
        return [n for s in self.sheets for n in s.notes]

    def sheet_by_path(self, path: str) -> "SheetPart | None":
        """The worksheet stored in the part ``path`` (``xl/worksheets/sheet1.xml``)."""
        return next((s for s in self.sheets if s.path == path), None)

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


#: Most members a package may have: Excel's own files have tens to a few thousand parts; a
#: zip of millions of tiny entries would cost gigabytes before any size could be checked.
MAX_MEMBERS = 100_000


def _check_container(path: str) -> None:
    try:
        st = os.stat(path)
    except OSError as exc:
        raise UnreadableWorkbook(f"cannot read the file ({exc.strerror})") from None
    if stat.S_ISDIR(st.st_mode):
        raise UnreadableWorkbook("is a folder, not a workbook")
    if not stat.S_ISREG(st.st_mode):  # a FIFO would block the read, a device never end
        raise UnreadableWorkbook("not a regular file (a pipe, device or socket)")
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
            entries = _zip_entries(fh, st.st_size) if head.startswith(b"PK") else None
    except OSError as exc:
        raise UnreadableWorkbook(f"cannot read the file ({exc.strerror})") from None
    if entries is not None and entries > MAX_MEMBERS:
        raise UnreadableWorkbook(f"the zip package has {entries:,} members, more than the {MAX_MEMBERS:,} "
                                 f"a workbook could have")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        with open(path, "rb") as fh:
            data = fh.read(1 << 20)
        if "EncryptionInfo".encode("utf-16-le") in data or b"E\x00n\x00c\x00r\x00y\x00p\x00t" in data:
            raise UnreadableWorkbook("the workbook is password-protected (encrypted); save it without a password")
        raise UnreadableWorkbook("a legacy .xls (binary) workbook; save it as .xlsx")
    if not head.startswith(b"PK"):
        raise UnreadableWorkbook("not a workbook (not an .xlsx/.xlsm zip package)")


class _Budget:
    """Decompressed bytes still allowed for the package (see :class:`Limits`)."""

    def __init__(self, limit: int):
        self.limit = limit
        self.left = limit

    def take(self, n: int, name: str) -> None:
        self.left -= n
        if self.left < 0:
            raise UnreadableWorkbook(
                f"the package unzips to more than {format_size(self.limit)} (at member {name}), the limit "
                f"of --max-unzipped-size; a zip bomb or a very large workbook")


_CHUNK = 1 << 20


#: Largest workbook.xml or relationships part read as a tree (ten times its size in memory);
#: Excel's own are kilobytes, a few megabytes with thousands of defined names.
MAX_TREE_PART = 64 << 20


def _read_tree_part(zf: zipfile.ZipFile, name: str, budget: _Budget) -> bytes:
    size = zf.getinfo(name).file_size
    if size > MAX_TREE_PART:
        raise UnreadableWorkbook(f"{name} unzips to {format_size(size)}, more than the "
                                 f"{format_size(MAX_TREE_PART)} such a part could need")
    return _read(zf, name, budget)


def _zip_entries(fh, size: int) -> int | None:
    """The member count the zip's end record declares (read before zipfile lists them all)."""
    tail = min(size, (1 << 16) + 22 + 20)
    fh.seek(size - tail)
    data = fh.read(tail)
    at = data.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(data):
        return None
    entries = int.from_bytes(data[at + 10: at + 12], "little")
    loc = at - 20
    if entries == 0xFFFF and loc >= 0 and data[loc: loc + 4] == b"PK\x06\x07":  # ZIP64
        fh.seek(int.from_bytes(data[loc + 8: loc + 16], "little"))
        rec = fh.read(56)
        if rec[:4] == b"PK\x06\x06" and len(rec) == 56:
            entries = int.from_bytes(rec[32:40], "little")
    return entries


def _read(zf: zipfile.ZipFile, name: str, budget: _Budget | None = None,
          cells: _CellCount | None = None, sheet: str = "") -> bytes:
    """A member's bytes, decompressed in chunks and counted against ``budget`` (and its cell
    tags against ``cells``) as they come, so a limit stops the reading where it is reached."""
    if cells is not None:
        cells.tail = b""
    chunks = []
    try:
        with zf.open(name) as fh:
            while True:
                chunk = fh.read(_CHUNK)
                if not chunk:
                    break
                if budget is not None:
                    budget.take(len(chunk), name)
                if cells is not None:
                    cells.feed(chunk, sheet)
                chunks.append(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise UnreadableWorkbook(f"damaged zip member {name} ({exc})") from None
    return b"".join(chunks)


def _check_declared_sizes(members: list[zipfile.ZipInfo], limits: Limits) -> None:
    total = sum(m.file_size for m in members)
    if total > limits.max_unzipped:
        biggest = max(members, key=lambda m: m.file_size)
        raise UnreadableWorkbook(
            f"the package declares {format_size(total)} unzipped ({biggest.filename}: "
            f"{format_size(biggest.file_size)}), more than the limit of {format_size(limits.max_unzipped)}; "
            f"raise it with --max-unzipped-size if the file is trusted")


_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,31}:)?c[\s/>]")


#: The bytes that may follow ``<c`` in a cell start tag: whitespace (``\s``), "/" and ">".
_AFTER_CELL_TAG = np.zeros(256, bool)
_AFTER_CELL_TAG[list(b" \t\n\r\f\v/>")] = True


def _cell_tags(data: bytes) -> int:
    """How many cell start tags ``data`` holds (:data:`_CELL_TAG`), counted at C speed: by numpy
    over the positions of "<" (a third of the three passes of ``bytes.count`` it replaces), and
    by the regular expression allowing a namespace prefix only where ``:c`` occurs."""
    d = np.frombuffer(data, np.uint8)
    colons = np.flatnonzero(d[:-1] == 0x3A)
    if (d[colons + 1] == 0x63).any():  # ":c"
        return len(_CELL_TAG.findall(data))
    lt = np.flatnonzero(d[:-2] == 0x3C)  # "<" with two bytes after it
    tags = lt[d[lt + 1] == 0x63]  # "<c"
    return int(np.count_nonzero(_AFTER_CELL_TAG[d[tags + 2]]))


class _CellCount:
    """Cell tags of the sheets, counted chunk by chunk as they are decompressed (an upper
    bound: a tag split between two chunks is counted once), refused past the limit."""

    def __init__(self, limit: int):
        self.limit = limit
        self.n = 0
        self.tail = b""

    def feed(self, chunk: bytes, sheet: str) -> None:
        data = self.tail + chunk
        self.n += _cell_tags(data) - _cell_tags(self.tail)
        self.tail = data[-40:]
        if self.n > self.limit:
            raise UnreadableWorkbook(
                f"the workbook holds more than {self.limit:,} cells (sheet {sheet!r}), the limit "
                f"of --max-cells; raise it if the file is trusted")


#: Errors newer than the file format. Excel writes such a cell as ``t="e"`` with ``#VALUE!`` in
#: ``<v>`` for older readers, and the error it shows as a rich value (``xl/richData``, an
#: ``_error`` whose ``errorType`` is the position here) that the cell's ``vm`` attribute points to.
RICH_ONLY_ERRORS = {"#SPILL!": 8, "#CALC!": 13}
_RICH_PARTS = ("xl/metadata.xml", "xl/richData/rdrichvalue.xml", "xl/richData/rdrichvaluestructure.xml")


def _rich_error_indexes(zf: zipfile.ZipFile, names: set[str], budget: _Budget) -> dict[str, bytes]:
    """For #SPILL! and #CALC!, a ``vm`` index of the workbook whose rich value shows that error
    (the writer gives it to a cell that computes to it), where the file has one."""
    if not all(n in names for n in _RICH_PARTS):
        return {}
    try:
        meta, values, structures = (ET.fromstring(_read_tree_part(zf, n, budget)) for n in _RICH_PARTS)
    except ET.ParseError:
        return {}
    types = [t.get("name") for t in meta.iter() if _local(t.tag) == "metadataType"]
    rich = types.index("XLRICHVALUE") + 1 if "XLRICHVALUE" in types else None
    future = next((f for f in meta if _local(f.tag) == "futureMetadata" and f.get("name") == "XLRICHVALUE"), None)
    block = next((b for b in meta if _local(b.tag) == "valueMetadata"), None)
    if rich is None or future is None or block is None:
        return {}
    rvb = [x.get("i", "") for x in future.iter() if _local(x.tag) == "rvb"]
    structs = [(st.get("t"), [k.get("n") for k in st if _local(k.tag) == "k"]) for st in structures
               if _local(st.tag) == "s"]
    rvs = [(rv.get("s", ""), [v.text or "" for v in rv if _local(v.tag) == "v"]) for rv in values
           if _local(rv.tag) == "rv"]
    wanted = {code: text for text, code in RICH_ONLY_ERRORS.items()}
    out: dict[str, bytes] = {}
    for vm, bk in enumerate((b for b in block if _local(b.tag) == "bk"), start=1):
        rc = next((x for x in bk if _local(x.tag) == "rc"), None)
        try:
            if rc is None or int(rc.get("t", "0")) != rich:
                continue
            s_index, vals = rvs[int(rvb[int(rc.get("v", ""))])]
            kind, keys = structs[int(s_index)]
            code = int(dict(zip(keys, vals)).get("errorType", "-1"))
        except (ValueError, IndexError):
            continue
        if kind == "_error" and code in wanted:
            out.setdefault(wanted[code], str(vm).encode())
    return out


def _application(zf: zipfile.ZipFile, names: set[str], prop: str = "Application") -> str:
    """A property of docProps/app.xml, Application by default ("" when absent or unreadable)."""
    if "docProps/app.xml" not in names or zf.getinfo("docProps/app.xml").file_size > 1 << 20:
        return ""
    try:
        root = ET.fromstring(_read(zf, "docProps/app.xml"))
    except (ET.ParseError, UnreadableWorkbook):
        return ""
    return next((el.text or "" for el in root.iter() if _local(el.tag) == prop), "")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _rels_name(part: str) -> str:
    folder, _, base = part.rpartition("/")
    return f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"


def _rels(zf: zipfile.ZipFile, names: set[str], part: str, budget: _Budget | None = None) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type suffix, target path inside the zip) for a part."""
    folder = part.rpartition("/")[0]
    rels_name = _rels_name(part)
    if rels_name not in names:
        return {}
    try:
        root = ET.fromstring(_read_tree_part(zf, rels_name, budget) if budget else _read(zf, rels_name))
    except ET.ParseError as exc:
        raise UnreadableWorkbook(f"damaged relationships part {rels_name} ({exc})") from None
    out = {}
    for el in root:
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


def open_package(path: str | os.PathLike, limits: Limits | None = None) -> Package:
    """Open a workbook and scan every worksheet; raise :class:`UnreadableWorkbook` if it is not one.

    ``limits`` (default :class:`Limits`) bound the decompressed size and the cell count: a
    package beyond them is refused before the work they would cost is done.
    """
    path = os.fspath(path)
    limits = limits or Limits()
    _check_container(path)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise UnreadableWorkbook(f"not a readable zip package (truncated or damaged: {exc})") from None
    with zf:
        members = zf.infolist()
        _check_declared_sizes(members, limits)
        budget = _Budget(limits.max_unzipped)
        names = {m.filename for m in members}
        root_rels = _rels(zf, names, "", budget)
        wb_part = next((t for kind, t in root_rels.values() if kind == "officeDocument"), "xl/workbook.xml")
        if wb_part not in names:
            raise UnreadableWorkbook("not a spreadsheet package (no workbook part)")
        try:
            wb = ET.fromstring(_read_tree_part(zf, wb_part, budget))
        except ET.ParseError as exc:
            raise UnreadableWorkbook(f"damaged workbook.xml ({exc})") from None
        if _local(wb.tag) != "workbook":
            raise UnreadableWorkbook("not a spreadsheet package (the main part is not a workbook)")
        for el in wb.iter():
            if _local(el.tag) == "workbookPr" and el.get("date1904", "0").lower() in ("1", "true"):
                raise UnreadableWorkbook("the workbook uses the 1904 date system, which xl-kpi recalc does not support")
        rels = _rels(zf, names, wb_part, budget)
        sheets: list[SheetPart] = []
        for el in wb.iter():
            if _local(el.tag) == "sheet":
                name = el.get("name", "")
                rid = el.get(_NS_REL + "id") or el.get("{http://purl.oclc.org/ooxml/officeDocument/relationships}id")
                if not rels:
                    raise UnreadableWorkbook(f"the workbook has no relationships part ({_rels_name(wb_part)}), "
                                             f"so its sheets cannot be found; the file is damaged")
                if rid not in rels:
                    raise UnreadableWorkbook(f"sheet {name!r} has no relationship {rid!r} in "
                                             f"{_rels_name(wb_part)}; the file is damaged")
                kind, target = rels[rid]
                if kind == "worksheet" and target not in names:
                    raise UnreadableWorkbook(f"sheet {name!r} is missing: its part {target} is not in the "
                                             f"package; the file is damaged")
                if kind != "worksheet":
                    # chart sheets, dialog sheets: kept as they are, not calculated
                    sheets.append(SheetPart(name, "", len(sheets)))
                    continue
                sheets.append(SheetPart(name, target, len(sheets)))
        defined: list[tuple[str, int | None, str]] = []
        for el in wb.iter():
            if _local(el.tag) == "definedName" and el.text:
                local = el.get("localSheetId")
                defined.append((el.get("name", ""), int(local) if local is not None else None, el.text))
        shared: list[str] = []
        sst = next((t for kind, t in rels.values() if kind == "sharedStrings"), None)
        if sst and sst in names:
            shared = _shared_strings(_read(zf, sst, budget), limits.max_cells)
        macro = any(m.filename.endswith("vbaProject.bin") for m in members)
        calc = next((CalcSettings.from_attrs(el.attrib) for el in wb.iter() if _local(el.tag) == "calcPr"),
                    CalcSettings())
        from .external import read_external_books

        external = read_external_books(zf, wb_part, wb, len(sheets), read=lambda name: _read(zf, name, budget),
                                       max_part=MAX_TREE_PART)
        pkg = Package(path, members, sheets, defined, shared, macro, _application(zf, names), limits, calc, external)
        pkg.rich_errors = _rich_error_indexes(zf, names, budget)
        pkg.app_version = _application(zf, names, "AppVersion")
        view = next((el for el in wb.iter() if _local(el.tag) == "workbookView"), None)
        tab = view.get("activeTab", "0") if view is not None else "0"
        pkg.active_tab = int(tab) if tab.isdigit() and int(tab) < len(sheets) else 0
        cells = _CellCount(limits.max_cells)
        for sheet in sheets:
            if not sheet.path:
                continue
            tags_before = cells.n
            sheet.xml = _read(zf, sheet.path, budget, cells, sheet.name)
            try:
                _scan_sheet(sheet, shared)
            except UnicodeDecodeError as exc:
                raise UnreadableWorkbook(f"sheet {sheet.name!r} is not valid UTF-8 ({exc.reason}: "
                                         f"{exc.object[exc.start:exc.end + 1]!r}); the file is damaged") from None
            unread = cells.n - tags_before - sheet.cells_scanned
            if unread > 0:  # cells computed from blanks where values were would be wrong values
                raise UnreadableWorkbook(f"sheet {sheet.name!r} has {unread:,} cell element(s) that cannot be "
                                         f"read (no end tag); the file is damaged")
            for kind, target in _rels(zf, names, sheet.path).values():
                if kind == "table" and target in names:
                    pkg.table_parts.append((sheet.name, _read(zf, target, budget)))
    return pkg


def _shared_strings(data: bytes, limit: int) -> list[str]:
    """The text of each ``<si>``, read incrementally: the tree never holds more than one entry
    (a whole tree costs ten times the XML). More entries than ``limit`` cells is refused."""
    import io

    out: list[str] = []
    parts: list[str] = []
    phonetic = 0  # inside <rPh>: phonetic runs are not part of the text
    root = None
    try:
        for event, el in ET.iterparse(io.BytesIO(data), events=("start", "end")):
            tag = _local(el.tag)
            if event == "start":
                if root is None:
                    root = el
                elif tag == "rPh":
                    phonetic += 1
                continue
            if tag == "t":
                if not phonetic and el.text:
                    parts.append(el.text)
            elif tag == "rPh":
                phonetic -= 1
            elif tag == "si":
                out.append(_ooxml_unescape("".join(parts)))
                parts = []
                if len(out) > limit:
                    raise UnreadableWorkbook(f"sharedStrings.xml holds more than {limit:,} strings, the "
                                             f"limit of --max-cells; raise it if the file is trusted")
                root.clear()
    except ET.ParseError as exc:
        raise UnreadableWorkbook(f"damaged sharedStrings.xml ({exc})") from None
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



def _attrs(raw: bytes) -> dict[bytes, bytes]:
    return {m.group(1): m.group(2) if m.group(2) is not None else m.group(3) for m in _ATTR.finditer(raw)}


def _text(raw: bytes | None) -> str:
    """An element's text as XML reads it: entities replaced, CDATA sections taken literally."""
    if not raw:
        return ""
    if b"<" in raw and b"<![CDATA[" in raw:  # what a writer other than Excel may put in <t>, <f>, <v>
        return _cdata_text(raw)
    return _entity_text(raw)


def _cdata_text(raw: bytes) -> str:
    """Text holding CDATA sections: each section's content as written, the text around them
    with its entities replaced; an unclosed section and what follows stay text. One forward
    pass (a section is looked for only after the previous one closed): linear on any input."""
    out, pos = [], 0
    while True:
        start = raw.find(b"<![CDATA[", pos)
        end = raw.find(b"]]>", start + 9) if start >= 0 else -1
        if end < 0:
            break
        out += [_entity_text(raw[pos:start]), raw[start + 9:end].decode("utf-8")]
        pos = end + 3
    out.append(_entity_text(raw[pos:]))
    return "".join(out)


def _entity_text(raw: bytes) -> str:
    s = raw.decode("utf-8")
    return _entities(s) if "&" in s else s


def _entities(s: str) -> str:
    """XML text with its entity and character references replaced."""
    # the five entities XML writers use, replaced in C (html.unescape costs a regex and a call
    # per entity), each only where it occurs (a test costs a third of a replace); anything else
    # (numeric references, a bare "&") goes to html.unescape
    t = s
    if "&lt;" in t:
        t = t.replace("&lt;", "<")
    if "&gt;" in t:
        t = t.replace("&gt;", ">")
    if "&quot;" in t:
        t = t.replace("&quot;", '"')
    if "&apos;" in t:
        t = t.replace("&apos;", "'")
    if "&" not in t:
        return t
    if t.count("&") == t.count("&amp;"):
        return t.replace("&amp;", "&")
    return unescape(s)


# A cell's content: anything up to its </c>, but never across the start of another cell, so a
# cell left unclosed (a damaged or hostile sheet) costs a scan to the next cell, not to the end
# of the sheet for each one (which made 8,000 unclosed cells take 30 s). Written as an unrolled
# loop, "[^<]* (< not starting a cell tag [^<]*)*": every "<" is consumed one way only, so the
# match is linear.
_CELL_BODY = rb"([^<]*(?:<(?!" + _P + rb"c[\s/>]|/" + _P + rb"c>)[^<]*)*)"

# One pass over sheetData: the common cell written by Excel, openpyxl or LibreOffice (attributes
# r/s/t only, holding a value, an inline string, a plain formula, or a shared formula as Excel
# writes it: the master ``<f t="shared" ref=".." si="..">text</f>``, the others
# ``<f t="shared" si=".."/>``) is matched whole by the first branch; rows by the second; any
# other cell by the third, and then examined in Python.
_SCAN = re.compile(
    rb'<c r="([A-Z]{1,3})(\d+)"(?: s="\d+")?(?: t="(\w+)")?(?: s="\d+")?'
    rb'(?:/>|>(?:<v>([^<]*)</v>|<f>([^<]*)</f>(?:<v\s*/>|<v>[^<]*</v>)?'
    rb'|<f t="shared" (?:ref="([A-Z]{1,3}\d+(?::[A-Z]{1,3}\d+)?)" )?si="(\d+)"(?:/>|>([^<]*)</f>)'
    rb'(?:<v\s*/>|<v>[^<]*</v>)?'
    rb'|<is><t(?: xml:space="preserve")?>([^<]*)</t></is>)</c>)'
    rb"|<" + _P + rb"row\b([^>]*)>"
    rb"|<" + _P + rb"c\b([^>]*?)(?:/>|>" + _CELL_BODY + rb"</" + _P + rb"c>)",
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


def _cell_tokens(xml: bytes, start: int, end: int, row: int = 0):
    """(row, column, start, end) of each cell element between two offsets of the sheet XML,
    positioned as :func:`_scan_sheet` positions them (``row``: the row before the first)."""
    col = 0
    for tok in _SCAN.finditer(xml, start, end):
        letters, digits = tok.group(1, 2)
        if letters is not None:
            col, row = _col_of(letters), int(digits)
        elif tok.group(10) is not None:  # a <row> element
            rm = _ROW_R.search(tok.group(10))
            row = int(rm.group(1)) if rm else row + 1
            col = 0
            continue
        else:
            rm = _R_ATTR.search(tok.group(11))
            if rm:
                col, row = _col_of(rm.group(1)), int(rm.group(2))
            else:
                col += 1
        yield (row, col, *tok.span())


_MAX_NOTES = 5
_VALUE, _NUM = ERROR_CODES.index("#VALUE!") + 1, ERROR_CODES.index("#NUM!") + 1
_RANGE = re.compile(rb"\$?[A-Za-z]{1,3}\$?\d{1,7}(?::\$?[A-Za-z]{1,3}\$?\d{1,7})?$")


def _show(raw: bytes, n: int = 20) -> str:
    """Raw bytes from the file, quoted and shortened for a message."""
    text = raw[:n].decode("utf-8", "replace")
    return repr(text + ("..." if len(raw) > n else ""))


def cell_ref(sheet: str, r: int, c: int) -> str:
    """``Sheet1!B3``, the sheet name quoted when Excel would quote it (``'My sheet'!B3``)."""
    if not sheet.replace("_", "").isalnum():
        sheet = "'" + sheet.replace("'", "''") + "'"
    return f"{sheet}!{col_letters(c)}{r}"


def _note(sheet: SheetPart, r: int, c: int, why: str) -> None:
    """Record an odd cell for the report (the first few named, the others counted)."""
    sheet.odd_cells += 1
    if len(sheet.notes) < _MAX_NOTES:
        sheet.notes.append(f"{cell_ref(sheet.name, r, c)}: {why}")


def _non_finite(sheet: SheetPart) -> None:
    """Numbers that are infinite or NaN (``<v>INF</v>``): Excel has neither; read as #NUM!."""
    if math.isfinite(sum(sheet.nums)):  # one C pass: an infinity or a NaN would make the sum one
        return
    nums = np.asarray(sheet.nums, np.float64)
    bad = np.nonzero(~np.isfinite(nums) & (np.asarray(sheet.kinds, np.uint8) == NUM))[0]
    for i in bad.tolist():
        _note(sheet, sheet.rows[i], sheet.cols[i], f"the number {sheet.nums[i]!r} is not finite; read as #NUM!")
        sheet.kinds[i] = ERR
        sheet.nums[i] = float(_NUM)


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
    f_rows, f_cols, f_texts, f_ftypes, f_sis, f_starts, f_ends, f_vtypes = (
        x.append for x in (formulas.rows, formulas.cols, formulas.texts, formulas.ftypes, formulas.sis,
                           formulas.starts, formulas.ends, formulas.vtypes))
    row_spans = sheet.row_spans
    row = 0
    col = 0
    max_col = 0
    scanned = 0
    n_shared = len(shared)

    def odd(r: int, c: int, code: int, why: str) -> None:
        """A cell whose stored value cannot be read: it reads as the error ``code``, noted."""
        rows.append(r)
        cols.append(c)
        kinds.append(ERR)
        nums.append(float(code))
        _note(sheet, r, c, f"{why}; read as {ERROR_CODES[code - 1]}")

    colmap = _COLS
    row_digits, row_number = None, 0
    si_names: dict[bytes, str] = {}
    for tok in _SCAN.finditer(xml, start, end):
        letters, digits, t, v, ftext, sref, si, stext, istr, row_attrs, raw_attrs, body = tok.groups()
        if letters is not None:  # fast path
            col = colmap.get(letters) or _col_of(letters)
            if digits != row_digits:  # the cells of a row: its number read once
                row_digits, row_number = digits, int(digits)
            row = row_number
            scanned += 1
            if col > max_col:
                max_col = col
            if ftext is not None or si is not None:
                if ftext is not None:  # a plain formula
                    text = ftext.decode("utf-8")
                    f_texts(_entities(text) if "&" in text else text)
                    f_ftypes("normal")
                    f_sis(None)
                else:  # a cell of a shared formula, its master holding the text
                    if sref is not None:
                        formulas.refs[len(formulas.rows)] = sref.decode()
                    f_texts(None if stext is None else _text(stext))
                    f_ftypes("shared")
                    name = si_names.get(si)
                    if name is None:  # one str for the cells of a shared formula
                        name = si_names[si] = si.decode()
                    f_sis(name)
                f_rows(row)
                f_cols(col)
                f_starts(tok.start())
                f_ends(tok.end())
                f_vtypes(t or b"")
                continue
            if istr is not None:
                if t == b"inlineStr":
                    kinds.append(STR)
                    nums.append(0.0)
                    text = istr.decode("utf-8")
                    if "&" in text:
                        text = _entities(text)
                    texts[(row, col)] = _ooxml_unescape(text) if "_x" in text else text
                    rows.append(row)
                    cols.append(col)
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
            scanned += 1
            if col > max_col:
                max_col = col
            span = tok.span()
            if not body:
                continue
            tm = _TYPE.search(raw_attrs) if b"t" in raw_attrs else None
            t = tm.group(1) if tm else b"n"
            fm = _F.search(body)
            if fm is not None:
                fa = _attrs(fm.group(1)) if fm.group(1).strip() else {}
                ftype = fa.get(b"t", b"normal").decode(errors="replace")
                ref = fa.get(b"ref")
                if ref is not None and ftype == "array" and not _RANGE.match(ref):
                    _note(sheet, row, col, f"array formula range {_show(ref)} is not a range; "
                                           f"computed for this cell only")
                    ref = None
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
            if b"<" in v:  # a CDATA section (what else is markup inside <v> has no text)
                v = _text(v).encode("utf-8")
        if t == b"n":
            try:
                x = float(v)
            except ValueError:
                odd(row, col, _VALUE, f"{_show(v)} is not a number")
                continue
            kinds.append(NUM)
            nums.append(x)
        elif t == b"s":
            idx = int(v) if v.strip().isdigit() else -1
            if not 0 <= idx < n_shared:
                odd(row, col, _VALUE, f"shared string {_show(v)} does not exist (the table has {n_shared:,})")
                continue
            kinds.append(STR)
            nums.append(0.0)
            texts[(row, col)] = shared[idx]
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

            try:
                x = iso_to_serial(_text(v))
            except (ValueError, OverflowError):
                odd(row, col, _VALUE, f"{_show(v)} is not an ISO 8601 date")
                continue
            kinds.append(NUM)
            nums.append(x)
        else:
            continue
        rows.append(row)
        cols.append(col)
    sheet.cells_scanned = scanned
    _non_finite(sheet)
    if sheet.odd_cells > len(sheet.notes):
        sheet.notes.append(f"{sheet.name}: {sheet.odd_cells - len(sheet.notes):,} more odd cells")
    sheet.max_row = max(row_spans) if row_spans else row
    if rows:
        sheet.max_row = max(sheet.max_row, max(rows))
    if formulas:
        sheet.max_row = max(sheet.max_row, max(formulas.rows))
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
                         rb'(<f>[^<]*</f>|<f t="shared"(?: ref="[^"<>]*")? si="\d+"(?:/>|>[^<]*</f>))'
                         rb'(?:<v\s*/>|<v>[^<]*</v>)?</c>$')


def cell_xml(original: bytes, prefix: bytes, kind: int, num: float, text: str | None,
             rich: dict[str, bytes] | None = None) -> bytes:
    """The original ``<c>`` element with its cached value replaced by (kind, num, text).

    The formula element and every attribute but ``t`` and ``vm`` (the old value's rich value) are
    kept as they were; ``rich``: :attr:`Package.rich_errors`.
    """
    rich = rich or {}
    fast = _FAST_FCELL.match(original)
    if fast is not None and not _needs_vm(kind, num, rich):
        v, t = encode_value(kind, num, text)
        style = fast.group(2) or fast.group(3)
        head = b"<c" + fast.group(1) + (b' s="' + style + b'"' if style else b"")
        tattr = b' t="' + t + b'"' if t else b""
        return head + tattr + b">" + fast.group(4) + b"<v>" + v + b"</v></c>"
    m = _OPEN_C.match(original)
    cprefix = m.group(1)
    attrs = _value_metadata(_T_ATTR.sub(b"", m.group(2)), kind, num, rich)
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
        text = ERROR_CODES[int(num) - 1]
        return (b"#VALUE!" if text in RICH_ONLY_ERRORS else text.encode()), b"e"
    if kind == EMPTY:
        return b"0", b""
    return format_number(num).encode(), b""


_VM_ATTR = re.compile(rb"\s+vm\s*=\s*(?:\"[^\"]*\"|'[^']*')")


def _value_metadata(attrs: bytes, kind: int, num: float, rich: dict[str, bytes]) -> bytes:
    """A cell's attributes for a new value: the old value's ``vm`` (rich value) dropped, and the
    one showing #SPILL! or #CALC! added where the value is one and the workbook has it."""
    attrs = _VM_ATTR.sub(b"", attrs)
    if kind == ERR:
        vm = rich.get(ERROR_CODES[int(num) - 1])
        if vm is not None:
            attrs += b' vm="' + vm + b'"'
    return attrs


def _needs_vm(kind: int, num: float, rich: dict[str, bytes]) -> bool:
    return kind == ERR and ERROR_CODES[int(num) - 1] in rich


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


@dataclass
class FormulaValues:
    """The computed values of a sheet's formula cells, in the order of ``sheet.formulas``.

    Arrays, not a tuple a cell, so that the writer formats the numbers of a sheet in bulk:
    ``kinds`` and ``nums`` as the engine holds values, ``computed`` false where the file's value
    is kept (data tables, kept cells), ``texts`` the text of each STR cell by formula index.
    """

    kinds: np.ndarray
    nums: np.ndarray
    computed: np.ndarray
    texts: dict[int, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.kinds)

    def value(self, i: int) -> tuple[int, float, str | None] | None:
        """(kind, number, text) of formula ``i``, None where it keeps the file's value."""
        if not self.computed[i]:
            return None
        return int(self.kinds[i]), float(self.nums[i]), self.texts.get(i)


def patch_sheet(sheet: SheetPart, formula_values: FormulaValues,
                spill_values: dict[tuple[int, int], tuple[int, float, str | None]],
                rich: dict[str, bytes] | None = None) -> bytes:
    """The sheet XML with each formula's cached value set and spilled cells written.

    ``formula_values`` holds the value of each of ``sheet.formulas``; ``rich``:
    :attr:`Package.rich_errors`.
    """
    xml = sheet.xml
    prefix = sheet.prefix
    rich = rich or {}
    if not spill_values:  # formula cells only, in document order (as scanned): no sort needed
        return _patch_formulas(sheet, formula_values, rich)
    starts, ends = sheet.formulas.starts, sheet.formulas.ends
    edits: list[tuple[int, int, bytes]] = [
        (starts[i], ends[i], cell_xml(xml[starts[i]:ends[i]], prefix, *val, rich=rich))
        for i, val in _computed(formula_values)]
    cell_spans = sheet.cell_spans({r for r, _ in spill_values})
    # spilled values into existing cells; new cells grouped by row
    missing: dict[int, list[tuple[int, bytes]]] = {}
    for (r, c), val in spill_values.items():
        span = cell_spans.get((r, c))
        if span is not None:
            s, e = span
            edits.append((s, e, _value_cell(xml[s:e], prefix, r, c, val, rich)))
        else:
            missing.setdefault(r, []).append((c, _value_cell(None, prefix, r, c, val, rich)))
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
    edits.sort(key=itemgetter(0, 1))  # stable: insertions at one position keep their order
    return _apply(xml, edits)


def _computed(values: FormulaValues):
    """(index, (kind, number, text)) of each computed formula."""
    for i in np.nonzero(values.computed)[0].tolist():
        yield i, values.value(i)


def _apply(xml: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    """``xml`` with each (start, end, new bytes) edit made (sorted first if not in document order)."""
    out = []
    last = 0
    for s, e, new in edits:
        if s < last:
            edits.sort(key=itemgetter(0, 1))
            return _apply(xml, edits)
        out.append(xml[last:s])
        out.append(new)
        last = e
    if not out:
        return xml
    out.append(xml[last:])
    return b"".join(out)


#: The ``t`` attribute of a computed value by kind (numbers and blanks have none).
_T_OF_KIND = {NUM: b"", EMPTY: b"", STR: b"str", BOOL: b"b", ERR: b"e"}


def _value_elements(values: FormulaValues, idx: np.ndarray) -> list[bytes]:
    """``<v>text</v>`` of each formula ``idx``, made in bulk.

    Numbers are formatted as :func:`format_number` does, a whole sheet at once (integers by
    ``str`` of int64, the others by ``repr``, through ``str`` of their list), and all the texts
    encoded by one join.
    """
    kinds = values.kinds[idx]
    nums = values.nums[idx]
    out = np.empty(len(idx), dtype=object)
    is_num = kinds == NUM
    with np.errstate(invalid="ignore"):
        integral = is_num & (np.abs(nums) < 1e15) & (nums == np.trunc(nums))
    out[integral] = list(map(str, nums[integral].astype(np.int64).tolist()))
    other = is_num & ~integral
    # str() of a list writes each float by repr, ", " between, in one C call
    out[other] = str(nums[other].tolist())[1:-1].upper().split(", ") if other.any() else []
    escaped: dict[str, str] = {}  # a sheet's texts repeat ("high", "ok"): each escaped once
    texts = values.texts
    idx_list = idx.tolist()
    for j, k, x in zip(np.nonzero(~is_num)[0].tolist(), kinds[~is_num].tolist(), nums[~is_num].tolist()):
        if k == STR:
            text = texts.get(idx_list[j]) or ""
            v = escaped.get(text)
            if v is None:
                v = escaped[text] = _xml_escape(text)  # holds no NUL (it is written _x0000_)
            out[j] = v
        else:
            out[j] = encode_value(k, x, None)[0].decode("ascii")
    if not len(out):
        return []
    return ("<v>" + "</v>\x00<v>".join(out.tolist()) + "</v>").encode("utf-8").split(b"\x00")


def _patch_formulas(sheet: SheetPart, values: FormulaValues, rich: dict[str, bytes]) -> bytes:
    """The sheet XML with each computed formula cell's ``t`` and ``<v>`` rewritten (see :func:`_patch_chunks`)."""
    return b"".join(_patch_chunks(sheet, values, rich))


#: Formula cells patched between two chunks handed to the writer (about a megabyte of XML).
_CHUNK_CELLS = 8192


def _patch_chunks(sheet: SheetPart, values: FormulaValues, rich: dict[str, bytes]):
    """The sheet XML with each computed formula cell's ``t`` and ``<v>`` rewritten, in document
    order, as successive chunks (so the zip writer compresses one while the next is made).

    A cell of the scan's common form (:attr:`FormulaCell.vtype`) is patched in place (its ``t``
    attribute where the value's differs, its value element); any other goes through :func:`cell_xml`.
    """
    xml = sheet.xml
    prefix = sheet.prefix
    idx = np.nonzero(values.computed)[0]
    if not len(idx):
        yield xml
        return
    idx_list = idx.tolist()
    formulas = sheet.formulas
    if len(idx_list) == len(formulas):  # every formula computed: the lists as they are
        starts, ends, vtypes = formulas.starts, formulas.ends, formulas.vtypes
    else:
        starts, ends, vtypes = (list(map(x.__getitem__, idx_list))
                                for x in (formulas.starts, formulas.ends, formulas.vtypes))
    if not all(map(int.__le__, ends, starts[1:])):  # not in document order: a sheet built by hand
        yield _apply(xml, [(*sheet.formulas[i].span, cell_xml(xml[slice(*sheet.formulas[i].span)], prefix, *val,
                                                              rich=rich)) for i, val in _computed(values)])
        return
    elements = _value_elements(values, idx)
    kinds = values.kinds[idx].tolist()
    t_of = _T_OF_KIND
    find, rfind = xml.find, xml.rfind
    last = 0
    for at in range(0, len(idx_list), _CHUNK_CELLS):
        out: list[bytes] = []
        put = out.append
        part = slice(at, at + _CHUNK_CELLS)
        for i, kind, vel, s, e, old in zip(idx_list[part], kinds[part], elements[part], starts[part], ends[part],
                                           vtypes[part]):
            if old is None or (rich and kind == ERR and _needs_vm(kind, float(values.nums[i]), rich)):
                put(xml[last:s])
                put(cell_xml(xml[s:e], prefix, *values.value(i), rich=rich))
                last = e
                continue
            t = t_of[kind]
            if old != t:
                gt = find(b">", s, e)  # the end of <c ...>: its attribute values hold no ">"
                if old:
                    tp = find(b' t="', s, gt)
                    put(xml[last:tp])
                    put(b' t="' + t + b'"' if t else b"")
                    last = find(b'"', tp + 4, gt) + 1
                else:
                    put(xml[last:gt])
                    put(b' t="' + t + b'"')
                    last = gt
            vp = rfind(b"<v", s, e)  # the value element, after the formula (whose text holds no "<")
            if vp < 0:
                vp = e - 4  # before </c>
            put(xml[last:vp])
            put(vel)
            last = e - 4
        yield b"".join(out)
    yield xml[last:]


def patch_sheet_chunks(sheet: SheetPart, formula_values: FormulaValues,
                       spill_values: dict[tuple[int, int], tuple[int, float, str | None]],
                       rich: dict[str, bytes] | None = None):
    """:func:`patch_sheet`'s XML as successive chunks, for :func:`write_values` to compress as
    they come; one chunk when values spill (their edits are sorted with the formulas')."""
    if spill_values:
        return [patch_sheet(sheet, formula_values, spill_values, rich)]
    return _patch_chunks(sheet, formula_values, rich or {})


def _value_cell(original: bytes | None, prefix: bytes, r: int, c: int, val, rich: dict[str, bytes]) -> bytes:
    kind, num, text = val
    if original is not None:
        m = re.match(rb"<(" + _P + rb")c\b([^>]*?)/?>", original)
        attrs = _value_metadata(_T_ATTR.sub(b"", m.group(2)), kind, num, rich)
        cprefix = m.group(1)
    else:
        attrs = _value_metadata(b' r="' + f"{col_letters(c)}{r}".encode() + b'"', kind, num, rich)
        cprefix = prefix
    v, t = encode_value(kind, num, text)
    tattr = b' t="' + t + b'"' if t else b""
    if kind == EMPTY:
        return b"<" + cprefix + b"c" + attrs + b"/>"
    value = b"<" + cprefix + b"v>" + v + b"</" + cprefix + b"v>"
    return b"<" + cprefix + b"c" + attrs + tattr + b">" + value + b"</" + cprefix + b"c>"


def write_values(pkg: Package, dst: str | os.PathLike, new_sheet_xml: dict, *, inputs=()) -> None:
    """Write the package to ``dst``: the given sheet parts replaced, every other member copied.

    ``new_sheet_xml`` maps a part to its new XML, as bytes or as an iterable of chunks (see
    :func:`patch_sheet_chunks`), which a second thread compresses while the next is made.
    Written through :func:`xl_kpi.safe_output.atomic_output` (``inputs``: files ``dst`` must not
    be), so a crash never leaves a half-written workbook and nothing but a regular file is
    replaced. Members are copied in bounded chunks, never whole in memory.
    """
    from ..safe_output import atomic_output

    with atomic_output(dst, inputs=inputs) as tmp, open(tmp, "wb") as fh, \
            zipfile.ZipFile(pkg.path) as src, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename in new_sheet_xml:
                zi = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                zi.compress_type = zipfile.ZIP_DEFLATED
                # level 1: what writestr(compresslevel=1) sets; a public attribute since Python 3.13
                setattr(zi, "compress_level" if hasattr(zipfile.ZipInfo, "compress_level") else "_compresslevel", 1)
                zi.external_attr = info.external_attr
                xml = new_sheet_xml[info.filename]
                if isinstance(xml, bytes):
                    out.writestr(zi, xml)
                else:
                    sheet = pkg.sheet_by_path(info.filename)
                    _write_chunks(out, zi, xml, big=sheet is None or len(sheet.xml) > _ZIP64_FROM)
            else:
                _copy_member(src, out, info)


#: Size of a sheet's XML beyond which its rewritten member gets ZIP64 headers (it may pass 4 GiB
#: less what the values add; zipfile needs to know before the first byte when the size is not given).
_ZIP64_FROM = 1 << 30


def _write_chunks(out: zipfile.ZipFile, zi: zipfile.ZipInfo, chunks, big: bool) -> None:
    """Write the member ``zi`` from an iterable of byte chunks, deflated by a second thread as the
    chunks are made: zlib and the CRC release the GIL, so compressing costs no wall time beside
    making the next chunk."""
    import queue
    import threading

    todo: queue.Queue = queue.Queue(maxsize=4)
    failed: list[BaseException] = []
    with out.open(zi, "w", force_zip64=big) as member:
        def deflate() -> None:
            chunk = todo.get()
            while chunk is not None:
                if not failed:
                    try:
                        member.write(chunk)
                    except BaseException as exc:  # handed to the producing thread, which raises it
                        failed.append(exc)
                chunk = todo.get()

        worker = threading.Thread(target=deflate, name="xl-kpi-deflate", daemon=True)
        worker.start()
        try:
            for chunk in chunks:
                if failed:
                    break
                todo.put(chunk)
        finally:
            todo.put(None)
            worker.join()
        if failed:
            raise failed[0]


_CHUNK = 1 << 20


def _copy_member(src: zipfile.ZipFile, out: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Copy one member in chunks: its content unchanged byte for byte (the CRC checked on reading)."""
    zi = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    zi.compress_type = info.compress_type
    zi.external_attr = info.external_attr
    zi.create_system = info.create_system
    zi.file_size = info.file_size  # lets zipfile choose ZIP64 headers for a large member
    try:
        with src.open(info) as fh, out.open(zi, "w", force_zip64=info.file_size > 0x7FFFFFFF) as dst:
            while True:
                chunk = fh.read(_CHUNK)
                if not chunk:
                    break
                dst.write(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise UnreadableWorkbook(f"damaged zip member {info.filename} ({exc})") from None
