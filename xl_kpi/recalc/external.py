"""Other workbooks a file refers to, read from the copies of their values the file carries.

A reference to another workbook is stored as ``[1]Sheet1!A1`` (or ``[1]!Name`` for one of its
defined names), ``1`` being the position of an ``<externalReference>`` in ``workbook.xml``. Its
part (``xl/externalLinks/externalLink1.xml``) holds the book's sheet names, its defined names
and, in ``<sheetDataSet>``, the last values Excel read from every cell the formulas use. Excel
computes with those values while the source workbook is closed; so does the recalculation. A
sheet whose cache is marked ``refreshError`` and holds no cell gives ``#REF!``, as Excel shows it;
one that still holds cells gives them (Excel keeps the values of the last refresh that worked).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import unquote
from xml.etree import ElementTree as ET

from .package import BOOL, ERR, ERROR_CODE, NUM, STR, SheetPart, parse_cell

__all__ = ["ExternalBook", "read_external_books"]

_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


@dataclass
class ExternalBook:
    """One linked workbook: its index in ``[n]``, file name, cached sheets and defined names."""

    index: int
    target: str  # the linked file's name as the file records it
    sheets: dict[str, SheetPart] = field(default_factory=dict)  # lower sheet name -> cached cells
    broken: set[str] = field(default_factory=set)  # lower names of sheets whose cache failed
    names: dict[str, str | None] = field(default_factory=dict)  # lower name -> refersTo text


def _part(zf: zipfile.ZipFile, name: str, read: Callable[[str], bytes], max_part: int) -> bytes | None:
    """A link part's bytes through ``read`` (the package's budgeted reader), or None when it is
    missing or larger than ``max_part`` (its references then keep the values Excel stored)."""
    try:
        if zf.getinfo(name).file_size > max_part:
            return None
    except KeyError:
        return None
    return read(name)


def _rels(zf: zipfile.ZipFile, part: str, read: Callable[[str], bytes], max_part: int) -> dict[str, str]:
    folder, _, base = part.rpartition("/")
    data = _part(zf, f"{folder}/_rels/{base}.rels", read, max_part)
    if data is None:
        return {}
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        return {}
    out = {}
    for el in root:
        target = el.get("Target", "")
        if el.get("TargetMode") != "External":
            target = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[el.get("Id", "")] = target
    return out


def _cell_value(cell: ET.Element) -> tuple[int, float, str | None] | None:
    t = cell.get("t", "n")
    v = next((x for x in cell if _local(x.tag) == "v"), None)
    if v is None or v.text is None:
        return None
    text = v.text
    if t in ("s", "str", "inlineStr"):
        return STR, 0.0, text
    if t == "b":
        return BOOL, 1.0 if text.strip() in ("1", "true") else 0.0, None
    if t == "e":
        return ERR, float(ERROR_CODE.get(text.strip(), ERROR_CODE["#N/A"])), None
    try:
        x = float(text)
    except ValueError:
        return None
    return (NUM, x, None) if x == x and abs(x) != float("inf") else None


def read_external_books(zf: zipfile.ZipFile, workbook_part: str, workbook_xml: ET.Element,
                        base_index: int, read: Callable[[str], bytes] | None = None,
                        max_part: int = 64 << 20) -> list[ExternalBook]:
    """Every ``<externalReference>`` of the workbook, in ``[n]`` order, with its cached values.

    ``base_index`` numbers the cached sheets after the workbook's own (``SheetPart.index``).
    A link part that is missing, damaged or larger than ``max_part`` gives a book without sheets
    (its references then keep the values Excel stored, see :mod:`.keep`). ``read`` reads a member
    (the package's reader, which counts the bytes against --max-unzipped-size).
    """
    read = read or zf.read
    rels = _rels(zf, workbook_part, read, max_part)
    books: list[ExternalBook] = []
    n_sheets = base_index
    refs = [el for el in workbook_xml.iter() if _local(el.tag) == "externalReference"]
    for i, el in enumerate(refs, start=1):
        book = ExternalBook(i, "")
        books.append(book)
        part = rels.get(el.get(_REL) or "", "")
        data = _part(zf, part, read, max_part) if part else None
        if data is None:
            continue
        try:
            root = ET.fromstring(data)
        except (ET.ParseError, ValueError):
            continue
        ext = next((x for x in root.iter() if _local(x.tag) == "externalBook"), None)
        if ext is None:  # a DDE or OLE link: no cached workbook values
            continue
        book.target = unquote(_rels(zf, part, read, max_part).get(ext.get(_REL) or "", ""))
        names = [x.get("val", "") for x in ext.iter() if _local(x.tag) == "sheetName"]
        for dn in ext.iter():
            if _local(dn.tag) == "definedName" and dn.get("name"):
                book.names[dn.get("name").lower()] = dn.get("refersTo")
        for sd in ext.iter():
            if _local(sd.tag) != "sheetData":
                continue
            try:
                name = names[int(sd.get("sheetId", "-1"))]
            except (ValueError, IndexError):
                continue
            if sd.get("refreshError") in ("1", "true"):
                book.broken.add(name.lower())
            sheet = SheetPart(f"[{i}]{name}", "", n_sheets)
            n_sheets += 1
            for cell in sd.iter():
                if _local(cell.tag) != "cell" or not cell.get("r"):
                    continue
                value = _cell_value(cell)
                if value is None:
                    continue
                try:
                    r, c = parse_cell(cell.get("r"))
                except ValueError:
                    continue
                kind, num, text = value
                sheet.rows.append(r)
                sheet.cols.append(c)
                sheet.kinds.append(kind)
                sheet.nums.append(num)
                if text is not None:
                    sheet.texts[(r, c)] = text
                sheet.max_row, sheet.max_col = max(sheet.max_row, r), max(sheet.max_col, c)
            book.sheets[name.lower()] = sheet
    return books


_BOOK_SHEET = re.compile(r"^\[([^\]]+)\](.*)$")


def split_external(name: str) -> tuple[str, str] | None:
    """``"[1]Sheet1"`` -> ("1", "Sheet1"); ``"[Book2.xlsx]Sheet1"`` -> ("Book2.xlsx", "Sheet1")."""
    m = _BOOK_SHEET.match(name)
    return (m.group(1), m.group(2)) if m else None


def find_book(books: list[ExternalBook], key: str) -> ExternalBook | None:
    """The linked book named by ``key``: its index (``"1"``) or its file name (``"Book2.xlsx"``)."""
    if key.isdigit():
        i = int(key)
        return books[i - 1] if 1 <= i <= len(books) else None
    low = key.lower()
    for b in books:
        if b.target and posixpath.basename(b.target.replace("\\", "/")).lower() == low:
            return b
    return None
