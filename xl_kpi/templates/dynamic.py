"""The template for Excel 365 and xlwings Lite: spilling formulas that call the Office.js functions.

The blank template holds legacy Ctrl+Shift+Enter array formulas over fixed ranges (one per row of
the Dashboard, one per Subscriptions and Cohorts table) and calls ``KPI_*`` by the plain names of
the classic Windows add-in. :func:`dynamic_workbook` rewrites such a workbook into the form Excel
365 saves when the same formulas are typed with xlwings Lite loaded:

- each array formula becomes a dynamic-array formula: the cell carries ``cm="1"``, the index of
  a cell-metadata record whose ``XLDAPR`` future metadata says ``fDynamic="1"`` (the part
  ``xl/metadata.xml``, related to the workbook as ``sheetMetadata``; written as Excel writes it,
  see SheetJS ``modules/51_xlmeta.js`` and XlsxWriter's ``metadata.py``). Excel then spills the
  formula from its first cell over as many rows and columns as the result has, instead of a
  fixed range, and shows it without braces;
- each call of a ``KPI_*`` function is stored as ``_xldudf_KPI_...``: the prefix Excel writes
  for a JavaScript (Office.js) custom function, by which it binds the cell to the add-in's
  function when the add-in registers it (Microsoft in OfficeDev/Excel-Custom-Functions#108: "For
  Javascript Custom Functions, we by default save out with a different prefix _xldudf";
  OfficeDev/office-js#3558: the ``_xldudf_`` form shows until the add-in's functions are known,
  then Excel changes it to their real name). xlwings Lite registers the functions without a
  namespace (``=KPI_NRR(...)``), so the stored name is ``_xldudf_KPI_NRR``; a namespaced
  function would be stored with its dots as underscores (``_xldudf_XLWINGS_KPI_NRR``).

Everything else (inputs, styles, charts, the How to use sheet) is the blank template's, byte for
byte. ``xl-kpi recalc`` computes both forms.
"""

from __future__ import annotations

import io
import re
import zipfile

from ..catalogue import INTERFACE

__all__ = ["dynamic_workbook", "office_js_formula", "OFFICE_JS_PREFIX", "METADATA_PART"]

#: The prefix of an Office.js custom function's name in a saved formula.
OFFICE_JS_PREFIX = "_xldudf_"

METADATA_PART = "xl/metadata.xml"
_METADATA_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sheetMetadata"
_METADATA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheetMetadata+xml"
#: One cell-metadata record (index 1, as ``cm="1"`` refers to it): a dynamic array.
_METADATA = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<metadata xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:xda="http://schemas.microsoft.com/office/spreadsheetml/2017/dynamicarray">'
    '<metadataTypes count="1"><metadataType name="XLDAPR" minSupportedVersion="120000" copy="1" '
    'pasteAll="1" pasteValues="1" merge="1" splitFirst="1" rowColShift="1" clearFormats="1" '
    'clearComments="1" assign="1" coerce="1" cellMeta="1"/></metadataTypes>'
    '<futureMetadata name="XLDAPR" count="1"><bk><extLst>'
    '<ext uri="{bdbb8cdc-fa1e-496e-a857-3c3f30c029c3}">'
    '<xda:dynamicArrayProperties fDynamic="1" fCollapsed="0"/></ext></extLst></bk></futureMetadata>'
    '<cellMetadata count="1"><bk><rc t="1" v="0"/></bk></cellMetadata></metadata>'
).encode()

_SHEET = re.compile(r"xl/worksheets/[^/]+\.xml")
#: A cell whose formula is an array formula: its start tag, then the formula's start tag.
_ARRAY_CELL = re.compile(rb'<c\b(?![^>]*\bcm=)([^>]*)>(\s*<f\b[^>]*\bt="array")')
_FORMULA = re.compile(rb"(<f\b[^>]*>)([^<]*)(</f>)")
_NAMES = "|".join(sorted(INTERFACE, key=len, reverse=True))
#: A KPI_* function call outside string literals (quoted segments are matched and kept first).
_CALL = re.compile(rf'("[^"]*")|(?<![\w.!])({_NAMES})(?=\s*\()', re.IGNORECASE)


def office_js_formula(formula: str) -> str:
    """A formula with each ``KPI_*`` call in the form Excel saves for an Office.js function.

    >>> office_js_formula('=IFERROR(KPI_NRR(B4:M4,B5:M5,B6:M6,B7:M7),"KPI_NRR(")')
    '=IFERROR(_xldudf_KPI_NRR(B4:M4,B5:M5,B6:M6,B7:M7),"KPI_NRR(")'
    """
    return _CALL.sub(lambda m: m.group(1) or OFFICE_JS_PREFIX + m.group(2).upper(), formula)


def _sheet_xml(data: bytes) -> bytes:
    data = _ARRAY_CELL.sub(lambda m: b"<c" + m.group(1) + b' cm="1">' + m.group(2), data)

    def formula(m: re.Match) -> bytes:
        text = office_js_formula(m.group(2).decode("utf-8"))
        return m.group(1) + text.encode("utf-8") + m.group(3)

    return _FORMULA.sub(formula, data)


def _content_types(data: bytes) -> bytes:
    if b'PartName="/xl/metadata.xml"' in data:
        return data
    override = f'<Override PartName="/{METADATA_PART}" ContentType="{_METADATA_TYPE}"/>'.encode()
    return data.replace(b"</Types>", override + b"</Types>")


def _workbook_rels(data: bytes) -> bytes:
    if _METADATA_REL.encode() in data:
        return data
    used = {int(n) for n in re.findall(rb'Id="rId(\d+)"', data)}
    rid = f"rId{max(used, default=0) + 1}"
    rel = f'<Relationship Id="{rid}" Type="{_METADATA_REL}" Target="metadata.xml"/>'.encode()
    return data.replace(b"</Relationships>", rel + b"</Relationships>")


def dynamic_workbook(data: bytes) -> bytes:
    """An .xlsx package with its array formulas dynamic and its KPI_* calls in Office.js form."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        names = zin.namelist()
        for info in zin.infolist():
            content = zin.read(info.filename)
            if _SHEET.fullmatch(info.filename):
                content = _sheet_xml(content)
            elif info.filename == "[Content_Types].xml":
                content = _content_types(content)
            elif info.filename == "xl/_rels/workbook.xml.rels":
                content = _workbook_rels(content)
            zout.writestr(info, content)
        if METADATA_PART not in names:
            zout.writestr(METADATA_PART, _METADATA)
    return out.getvalue()
