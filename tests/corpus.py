"""The real-world corpus as an oracle: Excel's cached values against a recalculation.

The workbooks of ``shared/realworld`` were saved by Excel, so each formula cell carries the value
Excel computed. :func:`strip_cached_values` writes a copy whose formula cells (array-formula and
data-table members included) hold no stored value, so a recalculation of that copy must compute
every value and can keep none; :func:`compare` then sets each computed value against Excel's.

Values agree when both are numbers within 1e-9 relative (1e-12 absolute, for results Excel
rounds to zero), the same text, the same logical, or the same error value. Every other cell gets
one cause (:func:`cause`): an unknown function, an error Excel did not have, a wrong number...

An error newer than the file format (#CALC!, #SPILL!) is read from the rich value the cell
points to, not from the #VALUE! Excel writes beside it for older readers.

The sheet XML is read with the standard library (column letters by openpyxl's utilities),
independently of ``xl_kpi.recalc``, so the
oracle does not share the engine's parser. Used by ``benchmarks/realworld.py`` and by
``tests/test_realworld.py`` (per-file floors that only go up).
"""

from __future__ import annotations

import math
import os
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

from openpyxl.utils import column_index_from_string, get_column_letter

__all__ = ["corpus_dir", "workbooks", "read_cells", "strip_cached_values", "compare", "FileResult", "Cell",
           "recalculated", "sheet_disagreements"]

ROOT = Path(__file__).resolve().parents[1]
_CANDIDATES = (ROOT / ".." / "shared" / "realworld", Path("/work/shared/realworld"))

REL_TOL = 1e-9
ABS_TOL = 1e-12


def corpus_dir() -> Path | None:
    """``$XL_KPI_REALWORLD``, else ``<repo>/../shared/realworld``, else ``/work/shared/realworld``."""
    env = os.environ.get("XL_KPI_REALWORLD")
    if env:
        p = Path(env)
        return p if p.is_dir() else None
    for p in _CANDIDATES:
        if p.is_dir():
            return p.resolve()
    return None


def workbooks(folder: Path) -> list[Path]:
    """Every .xlsx/.xlsm under ``folder``, sorted by relative path."""
    return sorted(p for p in folder.rglob("*")
                  if p.suffix.lower() in (".xlsx", ".xlsm") and not p.name.startswith("~$"))


# ---------------------------------------------------------------------------------------------
# reading cells


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_CELL = re.compile(r"([A-Z]{1,3})(\d+)$")


def _rc(ref: str) -> tuple[int, int]:
    m = _CELL.match(ref.replace("$", "").upper())
    return int(m.group(2)), column_index_from_string(m.group(1))


def _range(ref: str) -> tuple[int, int, int, int]:
    a, _, b = ref.partition(":")
    r0, c0 = _rc(a)
    r1, c1 = _rc(b) if b else (r0, c0)
    return min(r0, r1), min(c0, c1), max(r0, r1), max(c0, c1)


def _sheet_parts(zf: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, part path) of each worksheet, in workbook order."""
    wb = ET.fromstring(zf.read("xl/workbook.xml"))
    rels = {}
    try:
        for el in ET.fromstring(zf.read("xl/_rels/workbook.xml.rels")):
            target = el.get("Target", "")
            rels[el.get("Id")] = target[1:] if target.startswith("/") else "xl/" + target
    except KeyError:
        pass
    names = set(zf.namelist())
    out = []
    for el in wb.iter():
        if _local(el.tag) == "sheet":
            part = rels.get(el.get(_REL_ID), "")
            if part in names and "worksheets/" in part:
                out.append((el.get("name", ""), part))
    return out


def _shared_strings(zf: zipfile.ZipFile) -> list[str]:
    try:
        root = ET.fromstring(zf.read("xl/sharedStrings.xml"))
    except KeyError:
        return []
    out = []
    for si in root:
        parts = []
        for el in si.iter():
            if _local(el.tag) == "rPh":
                el.clear()
            elif _local(el.tag) == "t" and el.text:
                parts.append(el.text)
        out.append("".join(parts))
    return out


@dataclass(frozen=True)
class Cell:
    """One formula cell of the oracle: where it is, its formula (the master's for members)."""

    sheet: str
    row: int
    col: int
    formula: str
    role: str  # "formula", "array" (member of an array formula) or "dataTable"

    @property
    def address(self) -> str:
        return f"{self.sheet}!{get_column_letter(self.col)}{self.row}"


def _value(c: ET.Element, sst: list[str]):
    """The cached value of a cell element: ("n", float) | ("s", str) | ("b", bool) | ("e", code) | None."""
    t = c.get("t", "n")
    v = next((x for x in c if _local(x.tag) == "v"), None)
    if t == "inlineStr":
        is_ = next((x for x in c if _local(x.tag) == "is"), None)
        if is_ is None:
            return None
        return "s", "".join(x.text or "" for x in is_.iter() if _local(x.tag) == "t")
    if v is None:
        return None
    text = v.text or ""
    if t == "s":
        try:
            return "s", sst[int(text)]
        except (ValueError, IndexError):
            return None
    if t == "str":
        return "s", text
    if t == "b":
        return "b", text.strip() in ("1", "true")
    if t == "e":
        return "e", text.strip()
    if not text.strip():
        return None
    try:
        return "n", float(text)
    except ValueError:
        return None


#: Excel's rich error types (MS-XLSX, the ``_error`` rich value's ``errorType``): a cell whose
#: error is newer than the file format (#SPILL!, #CALC!...) stores #VALUE! in ``<v>`` for older
#: readers and its true error in ``xl/richData``, pointed to by the cell's ``vm`` attribute.
_RICH_ERRORS = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
                "#SPILL!", "#CONNECT!", "#BLOCKED!", "#UNKNOWN!", "#FIELD!", "#CALC!")


def _rich_errors(zf: zipfile.ZipFile) -> dict[int, str]:
    """The error each ``vm`` index (1-based) of the workbook shows, where its rich value is one."""
    try:
        meta = ET.fromstring(zf.read("xl/metadata.xml"))
        values = ET.fromstring(zf.read("xl/richData/rdrichvalue.xml"))
        structures = ET.fromstring(zf.read("xl/richData/rdrichvaluestructure.xml"))
    except (KeyError, ET.ParseError):
        return {}
    types = [t.get("name") for t in meta.iter() if _local(t.tag) == "metadataType"]
    rich = next((i + 1 for i, n in enumerate(types) if n == "XLRICHVALUE"), None)
    future = next((f for f in meta if _local(f.tag) == "futureMetadata" and f.get("name") == "XLRICHVALUE"), None)
    block = next((b for b in meta if _local(b.tag) == "valueMetadata"), None)
    if rich is None or future is None or block is None:
        return {}
    rvb = [int(x.get("i", "-1")) for x in future.iter() if _local(x.tag) == "rvb"]
    keys = [[k.get("n") for k in st if _local(k.tag) == "k"] for st in structures if _local(st.tag) == "s"]
    kinds = [st.get("t") for st in structures if _local(st.tag) == "s"]
    rvs = [(int(rv.get("s", "-1")), [v.text or "" for v in rv if _local(v.tag) == "v"])
           for rv in values if _local(rv.tag) == "rv"]
    out = {}
    for vm, bk in enumerate((b for b in block if _local(b.tag) == "bk"), start=1):
        rc = next((x for x in bk if _local(x.tag) == "rc"), None)
        if rc is None or int(rc.get("t", "0")) != rich:
            continue
        try:
            s, vals = rvs[rvb[int(rc.get("v", "-1"))]]
            if kinds[s] != "_error":
                continue
            code = int(dict(zip(keys[s], vals))["errorType"])
            out[vm] = _RICH_ERRORS[code]
        except (IndexError, KeyError, ValueError):
            continue
    return out


def read_cells(path: str | os.PathLike):
    """(formula cells, values) of a workbook.

    ``formula cells`` maps (sheet, row, col) to a :class:`Cell` for every cell holding a formula
    or lying inside an array formula's or data table's range; ``values`` maps (sheet, row, col)
    to the cached value of every cell that has one (see :func:`_value`).
    """
    formulas: dict[tuple[str, int, int], Cell] = {}
    values: dict[tuple[str, int, int], tuple] = {}
    with zipfile.ZipFile(path) as zf:
        sst = _shared_strings(zf)
        rich = _rich_errors(zf)
        for name, part in _sheet_parts(zf):
            masters: dict[str, str] = {}
            ranges: list[tuple[tuple[int, int, int, int], str, str]] = []
            pending_shared: list[tuple[int, int, str]] = []
            for _, c in ET.iterparse(zf.open(part)):
                if _local(c.tag) != "c":
                    continue
                ref = c.get("r")
                if not ref:
                    c.clear()
                    continue
                r, col = _rc(ref)
                key = (name, r, col)
                val = _value(c, sst)
                if val is not None and val[0] == "e" and c.get("vm") and int(c.get("vm")) in rich:
                    val = ("e", rich[int(c.get("vm"))])  # the error Excel shows, not the fallback
                if val is not None:
                    values[key] = val
                f = next((x for x in c if _local(x.tag) == "f"), None)
                if f is not None:
                    ftype = f.get("t", "normal")
                    text = f.text or ""
                    if ftype == "shared":
                        si = f.get("si", "")
                        if text:
                            masters.setdefault(si, text)
                        else:
                            pending_shared.append((r, col, si))
                    if ftype in ("array", "dataTable") and f.get("ref"):
                        label = text if ftype == "array" else "TABLE(" + ",".join(
                            x for x in (f.get("r1"), f.get("r2")) if x) + ")"
                        ranges.append((_range(f.get("ref")), "array" if ftype == "array" else "dataTable", label))
                    formulas[key] = Cell(name, r, col, text if ftype != "dataTable" else "TABLE()",
                                         "dataTable" if ftype == "dataTable" else "formula")
                c.clear()
            for r, col, si in pending_shared:
                formulas[(name, r, col)] = Cell(name, r, col, masters.get(si, ""), "formula")
            for (r0, c0, r1, c1), role, label in ranges:
                for r in range(r0, r1 + 1):
                    for col in range(c0, c1 + 1):
                        key = (name, r, col)
                        old = formulas.get(key)
                        if old is None or old.formula == "" or role == "dataTable":
                            formulas[key] = Cell(name, r, col, label, role)
    return formulas, values


# ---------------------------------------------------------------------------------------------
# stripping stored values

_C_ELEM = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?)c\b([^>]*?)(/>|>(.*?)</\1c>)", re.S)
_R_ATTR = re.compile(rb'\sr="([A-Z]{1,3})(\d+)"')
_T_ATTR = re.compile(rb'\st="[^"]*"')
_V_ELEM = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?)v\b[^>]*?(?:/>|>.*?</\1v>)", re.S)
_IS_ELEM = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?)is\b[^>]*?(?:/>|>.*?</\1is>)", re.S)


def strip_cached_values(src: str | os.PathLike, dst: str | os.PathLike) -> int:
    """Copy ``src`` to ``dst`` with no stored value in any formula cell; returns how many were removed.

    Formula cells, array-formula members and data-table members lose their ``<v>`` (and their
    ``t`` attribute, so each is a blank cell until recomputed). Every other byte is kept.
    """
    formulas, _ = read_cells(src)
    by_sheet: dict[str, set[tuple[int, int]]] = {}
    for (sheet, r, c) in formulas:
        by_sheet.setdefault(sheet, set()).add((r, c))
    removed = 0
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        parts = dict((p, n) for n, p in _sheet_parts(zin))
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename in parts:
                cells = by_sheet.get(parts[info.filename], set())

                def strip(m: re.Match) -> bytes:
                    nonlocal removed
                    attrs = m.group(2)
                    rm = _R_ATTR.search(attrs)
                    if rm is None or (int(rm.group(2)), column_index_from_string(rm.group(1).decode())) not in cells or m.group(4) is None:
                        return m.group(0)
                    body = _IS_ELEM.sub(b"", _V_ELEM.sub(b"", m.group(4)))
                    if body != m.group(4):
                        removed += 1
                    attrs = _T_ATTR.sub(b"", attrs)
                    p = m.group(1)
                    if body:
                        return b"<" + p + b"c" + attrs + b">" + body + b"</" + p + b"c>"
                    return b"<" + p + b"c" + attrs + b"/>"

                data = _C_ELEM.sub(strip, data)
            zout.writestr(info, data)
    return removed


# ---------------------------------------------------------------------------------------------
# comparing

_FUNC = re.compile(r"(?<![\w.])((?:_xlfn\.|_xlws\.|_xll\.)*[A-Za-z][\w.]*)\(")


def functions_of(formula: str) -> list[str]:
    """Upper-case names of the functions a formula calls, without Excel's ``_xlfn.`` prefixes."""
    return [re.sub(r"^(?:_XLFN\.|_XLWS\.|_XLL\.)+", "", m.group(1).upper()) for m in _FUNC.finditer(formula)]


def agree(excel, got) -> bool:
    if excel is None or got is None:
        return False
    if excel[0] != got[0]:
        return False
    if excel[0] == "n":
        return math.isclose(excel[1], got[1], rel_tol=REL_TOL, abs_tol=ABS_TOL)
    return excel[1] == got[1]


_KIND = {"n": "a number", "s": "text", "b": "a logical", "e": "an error"}


def cause(cell: Cell, excel, got, unknown: set[str]) -> str:
    """Why a computed value differs from Excel's, in a few words that group well."""
    if got is None:
        return "no value computed (data table)" if cell.role == "dataTable" else "no value computed"
    if got[0] == "e" and got[1] == "#NAME?" and excel[:2] != ("e", "#NAME?"):
        missing = [f for f in functions_of(cell.formula) if f in unknown]
        if missing:
            return f"#NAME? unknown function {missing[0]}"
        return "#NAME? from a precedent or a name"
    if got[0] == "e" and excel[0] != "e":
        return f"{got[1]} where Excel has {_KIND[excel[0]]}"
    if excel[0] == "e" and got[0] != "e":
        return f"{_KIND[got[0]]} where Excel has {excel[1]}"
    if excel[0] == "e":
        return f"{got[1]} where Excel has {excel[1]}"
    if excel[0] != got[0]:
        return f"{_KIND[got[0]]} where Excel has {_KIND[excel[0]]}"
    return {"n": "wrong number", "s": "wrong text", "b": "wrong logical"}[excel[0]]


_UNKNOWN = re.compile(r"unknown function (\S+)")


def unknown_functions(issues: list[str]) -> set[str]:
    """The function names a recalculation report says it does not know."""
    out = set()
    for issue in issues:
        for m in _UNKNOWN.finditer(issue):
            out.add(re.sub(r"^(?:_XLFN\.|_XLWS\.|_XLL\.)+", "", m.group(1).upper().rstrip(".,;:")))
    return out


@dataclass
class FileResult:
    """Agreement of one recalculated workbook with Excel's cached values."""

    name: str
    cells: int = 0  # formula cells where Excel stored a value
    agreeing: int = 0
    causes: Counter = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)  # cause -> first cells
    refused: str | None = None
    seconds: float = 0.0

    @property
    def share(self) -> float:
        return self.agreeing / self.cells if self.cells else 1.0

    def add(self, cell: Cell, why: str) -> None:
        self.causes[why] += 1
        ex = self.examples.setdefault(why, [])
        if len(ex) < 3:
            ex.append(cell.address)


def compare(original: str | os.PathLike, recalculated: str | os.PathLike | None, *, name: str = "",
            issues: list[str] = (), refused: str | None = None) -> FileResult:
    """Every formula cell of ``original`` (Excel's cached value) against ``recalculated``.

    ``recalculated`` None (with ``refused`` the reason) counts every cell as lost. ``issues`` are
    the recalculation's report lines, which name the unknown functions.
    """
    cells, excel = read_cells(original)
    result = FileResult(name or Path(original).name, refused=refused)
    got: dict = {}
    if recalculated is not None:
        _, got = read_cells(recalculated)
    unknown = unknown_functions(list(issues))
    for key, cell in cells.items():
        want = excel.get(key)
        if want is None:
            continue  # Excel stored nothing here (an empty array member): nothing to compare
        result.cells += 1
        if recalculated is None:
            result.add(cell, f"workbook refused: {refused}")
            continue
        value = got.get(key)
        if agree(want, value):
            result.agreeing += 1
        else:
            result.add(cell, cause(cell, want, value, unknown))
    return result


# ---------------------------------------------------------------------------------------------
# a corpus workbook recalculated once per test session

_RECALCULATED: dict[str, tuple] = {}


def recalculated(name: str) -> tuple[dict, dict, dict]:
    """(formula cells, Excel's values, ours) of corpus workbook ``name`` recalculated from a copy
    with no stored values, computed once per test session and shared by every test that asks;
    ``pytest.skip`` when the corpus or the file is absent."""
    import tempfile

    import pytest

    folder = corpus_dir()
    if folder is None or not (folder / name).exists():
        pytest.skip(f"{name} not in the corpus")
    if name not in _RECALCULATED:
        from xl_kpi.recalc import recalculate

        work = Path(tempfile.mkdtemp(prefix="xl-kpi-corpus-"))
        original = folder / name
        stripped, out = work / ("stripped" + original.suffix), work / ("out" + original.suffix)
        strip_cached_values(original, stripped)
        report = recalculate(stripped, out)
        assert report.ok, report.reason
        cells, excel = read_cells(original)
        _RECALCULATED[name] = (cells, excel, read_cells(out)[1])
    return _RECALCULATED[name]


def sheet_disagreements(name: str, sheet: str) -> tuple[int, list[tuple[str, str, object, object]]]:
    """(formula cells, disagreeing cells) of ``sheet`` of corpus workbook ``name`` (see
    :func:`recalculated`); each disagreement is (address, formula, Excel's value, ours)."""
    cells, excel, got = recalculated(name)
    total, bad = 0, []
    for key, cell in cells.items():
        if cell.sheet != sheet or excel.get(key) is None:
            continue
        total += 1
        if not agree(excel[key], got.get(key)):
            bad.append((cell.address, cell.formula, excel[key], got.get(key)))
    return total, bad
