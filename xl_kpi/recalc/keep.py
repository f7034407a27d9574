"""Formula cells the engine cannot compute keep the value Excel stored, and say why.

A recalculation must never leave a worse file than the one it was given. A formula that calls a
function Excel has and xl-kpi lacks, reads a linked workbook the file holds no copy of, asks a
pivot table, or cannot be parsed, keeps the value Excel cached in the cell: the cell is left
byte for byte as it was, its stored value is what its dependents compute from, and the report
counts it as *kept*, by cause. Cells computed from kept cells are reported as *depending on kept
values* (found cell by cell through the references of each formula). A formula cell with no
stored value has nothing to keep and is computed as well as it can be (``#NAME?``).

A function computed here by a published method where Excel's own is not published (the
FORECAST.ETS family, :data:`APPROXIMATE`) is kept too where Excel stored a value.

A function Excel itself does not know (a misspelling) is not kept: Excel shows ``#NAME?`` too.
Excel's functions are those of ECMA-376 Part 1, section 18.17.7 (the functions of Excel 2007,
as listed by ``openpyxl.utils.formulas.FORMULAE``) and every name Excel writes with the
``_xlfn.`` prefix, which it uses for each function added since (Microsoft, "Issue: An _xlfn.
prefix is displayed in front of a formula"). A name written with ``_xludf.``, or one whose cell
Excel computed to something other than ``#NAME?``, is a macro or add-in function Excel knew; a
defined name the workbook lacks, in a cell Excel computed, is a reference xl-kpi misreads
(kept as "formula syntax").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from .book import Book, SheetData
from .circular import Uncalculated
from .formula import Const, Func, Name, Node, Ref, walk
from .package import BOOL, ERR, ERROR_CODE, NUM, STR, FormulaCell, SheetPart

__all__ = ["KEEP_CAUSES", "Kept", "stored_value", "is_excel_function", "find_kept"]

#: The causes a formula cell's stored value is kept for, in report order.
KEEP_CAUSES = ("function", "external link", "pivot", "data table", "formula syntax", "internal error",
               "circular reference")

#: Functions computed here by a published method where Excel's own fit is not published (the AAA
#: exponential smoothing of FORECAST.ETS: its starting values and optimiser), so that on real data
#: the digits may differ from Excel's: a cell Excel computed keeps Excel's value, one without a
#: stored value is computed.
APPROXIMATE = frozenset({"FORECAST.ETS", "FORECAST.ETS.CONFINT", "FORECAST.ETS.SEASONALITY", "FORECAST.ETS.STAT"})


def _machine_info(node: Func) -> bool:
    """INFO("osversion"): the saving machine's operating system, which no file records (kept)."""
    arg = node.args[0] if len(node.args) == 1 else None
    if not isinstance(arg, Const) or arg.value.text is None or arg.value.kind.size != 1:
        return False
    return str(arg.value.text.flat[0]).strip().lower() == "osversion"


_PIVOT = {"GETPIVOTDATA", "CUBEVALUE", "CUBEMEMBER", "CUBESET", "CUBERANKEDMEMBER", "CUBEMEMBERPROPERTY",
          "CUBEKPIMEMBER", "CUBESETCOUNT"}


def _excel_2007_functions() -> frozenset[str]:
    from openpyxl.utils.formulas import FORMULAE

    return frozenset(FORMULAE)


_EXCEL_2007: frozenset[str] | None = None
_PREFIXED = re.compile(r"(?i)((?:_xlfn\.|_xlws\.|_xludf\.)+)([A-Za-z][\w.]*)\s*\(")


def prefixed_functions(text: str) -> dict[str, str]:
    """Upper-case function names a formula writes with a prefix -> the prefix (``_XLFN.``...)."""
    return {m.group(2).upper(): m.group(1).upper() for m in _PREFIXED.finditer(text or "")}


def is_excel_function(name: str, prefix: str = "") -> bool:
    """Whether Excel has a built-in function ``name`` (upper case, without prefix).

    ``prefix`` is the prefix the file writes it with: ``_XLFN.`` marks Excel's own functions
    added after Excel 2007; the others are checked against ECMA-376's list.
    """
    global _EXCEL_2007
    if "_XLFN." in prefix:
        return True
    if "_XLUDF." in prefix:
        return False
    if _EXCEL_2007 is None:
        _EXCEL_2007 = _excel_2007_functions()
    return name in _EXCEL_2007


# ---------------------------------------------------------------------------------------------
# stored values

_OPEN = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\b([^>]*?)/?>")
_T = re.compile(rb'(?:^|\s)t\s*=\s*["\'](\w+)["\']')
_V = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?v\b[^>]*?(?:/>|>(.*?)</(?:[A-Za-z_][\w.-]*:)?v>)", re.S)
_F_ELEM = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f\b[^>]*?(?:/>|>.*?</(?:[A-Za-z_][\w.-]*:)?f>)", re.S)


def stored_value(part: SheetPart, f: FormulaCell, shared: list[str]) -> tuple[int, float, str | None] | None:
    """The value Excel cached in a formula cell (kind, number, text), or None if it has none."""
    from html import unescape

    raw = part.xml[f.span[0]:f.span[1]]
    m = _OPEN.match(raw)
    if m is None:
        return None
    tm = _T.search(m.group(1))
    t = tm.group(1) if tm else b"n"
    vm = _V.search(_F_ELEM.sub(b"", raw))
    if vm is None:
        return None
    if vm.group(1) is None:  # <v/>: an empty text result, nothing otherwise
        return (STR, 0.0, "") if t == b"str" else None
    text = vm.group(1).decode("utf-8", "replace")
    if "&" in text:
        text = unescape(text)
    if t == b"str" or t == b"inlineStr":
        return STR, 0.0, text
    if t == b"s":
        index = int(text) if text.strip().isdigit() else -1  # never -1: shared[-1] is the last one
        return (STR, 0.0, shared[index]) if 0 <= index < len(shared) else None
    if t == b"b":
        return BOOL, 1.0 if text.strip() in ("1", "true") else 0.0, None
    if t == b"e":
        code = ERROR_CODE.get(text.strip())
        return (ERR, float(code), None) if code else None
    try:
        x = float(text)
    except ValueError:
        return None
    if x != x or x in (float("inf"), float("-inf")):
        return None
    return NUM, x, None


# ---------------------------------------------------------------------------------------------
# what cannot be computed


def _lacking(tree: Node, book: Book, sheet: SheetData, text: str, resolve):
    """(cause, detail) of the first thing in a formula (through its names) the engine lacks.

    Names are followed with an explicit work list, not recursion, so a chain of thousands of
    names costs no Python stack; the names found complete are remembered for the next formula.
    """
    from .evaluator import name_tree  # compiled once per book
    from .external import find_book

    clean: set = book.__dict__.setdefault("names_computable", set())
    visited: set = set()
    work = [(tree, sheet, text)]
    while work:
        node_tree, where, where_text = work.pop()
        prefixes = prefixed_functions(where_text)
        for node in walk(node_tree):
            if isinstance(node, Func):
                if node.name.startswith("_XLPM."):
                    continue  # a LAMBDA bound by LET or passed as a parameter: known at run time
                if node.name in APPROXIMATE:
                    return "function", node.name
                if node.name == "INFO" and _machine_info(node):
                    return "function", 'INFO("osversion")'
                if resolve(node.name) is None:
                    if book.name_text(node.name, where) is not None:  # a LAMBDA named in the workbook
                        node = Name(node.name)
                    elif node.name in _PIVOT:
                        return "pivot", node.name
                    elif is_excel_function(node.name, prefixes.get(node.name, "")):
                        return "function", node.name
                    else:
                        return "other function", node.name
            if isinstance(node, Ref):
                if node.sheet is not None and node.sheet.startswith("[") and book.sheet(node.sheet, where) is None \
                        and not _broken_link(book, node.sheet):
                    return "external link", node.sheet
            elif isinstance(node, Name):
                low = node.name.lower()
                if low.startswith("_xlpm."):
                    continue  # a LAMBDA's or LET's parameter, bound where the formula uses it
                if low.startswith("_xleta."):  # a function passed by name (BYROW(A1:C3, SUM))
                    fn = node.name.split(".", 1)[1].upper()
                    if resolve(fn) is None:
                        return ("function" if is_excel_function(fn, "_XLFN.") else "other function"), fn
                    continue
                if node.sheet is not None and node.sheet.startswith("["):
                    if find_book(book.external, node.sheet.strip("[]")) is None:
                        return "external link", f"{node.sheet}!{node.name}"
                    continue
                s = book.sheet(node.sheet, where) if node.sheet else where
                if s is None:
                    continue
                key = (node.name.lower(), s.index)
                if key in visited or key in clean:
                    continue
                visited.add(key)
                sub_text = book.name_text(node.name, s)
                if sub_text is None:
                    return "other name", node.name
                sub = name_tree(book, key[0], s.index)
                if sub is not None:
                    work.append((sub, s, sub_text))
    clean.update(visited)
    return None


def _broken_link(book: Book, sheet_name: str) -> bool:
    """A linked sheet whose cache Excel marked as failed: Excel shows #REF!, so do we."""
    from .external import find_book, split_external

    parts = split_external(sheet_name)
    b = find_book(book.external, parts[0]) if parts else None
    return b is not None and parts[1].lower() in b.broken


@dataclass
class Kept:
    """Kept formula cells, by group, and the cells computed from them."""

    causes: dict[int, tuple[str, str]] = field(default_factory=dict)  # group id -> (cause, detail)
    cells: dict[str, list[str]] = field(default_factory=dict)  # cause -> cell names (all)
    counts: dict[str, int] = field(default_factory=dict)  # cause -> cells
    dependent_count: int = 0
    dependent_cells: list[str] = field(default_factory=list)  # the first ones
    details: dict[str, dict[str, int]] = field(default_factory=dict)  # cause -> detail -> cells
    ranges: list[tuple] = field(default_factory=list)  # kept cells outside kept groups: (sheet, r0, c0, r1, c1)
    uncalculated: Uncalculated = field(default_factory=Uncalculated)  # circular, iteration off

    def add(self, cause: str, detail: str, names: list[str]) -> None:
        self.counts[cause] = self.counts.get(cause, 0) + len(names)
        self.cells.setdefault(cause, []).extend(names[: max(0, 20 - len(self.cells.get(cause, [])))])
        d = self.details.setdefault(cause, {})
        d[detail] = d.get(detail, 0) + len(names)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def find_kept(groups, book: Book, stored, resolve, cell_name) -> Kept:
    """Decide which groups keep Excel's stored values, and load those values into the sheets.

    ``stored(group)`` gives the stored values of a group's cells (a list of value-or-None, one per
    cell), ``resolve(name)`` an implementation or None, ``cell_name(sheet, r, c)`` a cell's name.
    """
    kept = Kept()
    for g in groups:
        why = g.keep_reason or (_lacking(g.tree, book, g.sheet, g.text, resolve) if g.tree is not None else None)
        if why is None:
            continue
        cause, detail = why
        values = stored(g)
        if cause in ("other function", "other name"):
            # a name Excel has no built-in or defined name for: when Excel computed the cell to
            # something else than #NAME?, a macro or add-in function, or a reference the parser
            # misread; otherwise a misspelling, #NAME? as in Excel
            if all(v is None or (v[0] == ERR and int(v[1]) == ERROR_CODE["#NAME?"]) for v in values):
                continue
            cause = "function" if cause == "other function" else "formula syntax"
        if all(v is None for v in values):
            continue  # nothing stored to keep: computed as well as it can be
        g.kept = cause
        kept.causes[g.gid] = (cause, detail)
        names = []
        rows, cols = (g.rows, g.cols)
        for r, c, v in zip(rows, cols, values):
            if v is not None:
                k, x, t = v
                g.sheet.kind[r, c] = k
                g.sheet.num[r, c] = x
                if t is not None:
                    g.sheet.text[(r, c)] = t
            names.append(cell_name(g.sheet, r, c))
        if g.array:
            r0, c0, r1, c1 = g.array
            names += [cell_name(g.sheet, r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)
                      if (r, c) != g.anchor]
        kept.add(cause, detail, names)
    return kept


def mark_dependents(order, groups, kept: Kept, seeds, refs_of, box_of, cell_name) -> None:
    """Count the computed cells that read a kept cell, directly or through other cells.

    ``seeds`` are the kept ranges, (sheet, r0, c0, r1, c1); ``order`` the groups' components in
    calculation order; ``refs_of(group)`` its (sheet, Ref) pairs; ``box_of(ref, sheet, rows,
    cols)`` the range a reference covers over some cells.
    """
    if not seeds:
        return
    taint: dict[int, np.ndarray] = {}

    def grid(sheet: SheetData) -> np.ndarray:
        t = taint.get(id(sheet))
        if t is None:
            t = taint[id(sheet)] = np.zeros(sheet.kind.shape, bool)
        return t

    def reads_taint(refs, rows, cols) -> bool:
        for sheet, ref in refs:
            t = taint.get(id(sheet))
            box = box_of(ref, sheet, rows, cols) if t is not None else None
            if box is not None and t[box[0]:box[2] + 1, box[1]:box[3] + 1].any():
                return True
        return False

    for sheet, r0, c0, r1, c1 in seeds:
        grid(sheet)[r0:r1 + 1, c0:c1 + 1] = True
    for comp in order:
        for gid in comp:
            g = groups[gid]
            if g.kept:
                continue
            refs = list(refs_of(g))
            rows, cols = g.positions()
            if not reads_taint(refs, rows, cols):  # the union of its ranges first: one slice each
                continue
            own = taint.get(id(g.sheet))
            if len(rows) == 1 or g.array:
                hit_rows, hit_cols = list(g.rows), list(g.cols)
            else:
                hit_rows, hit_cols = [], []
                for r, c in zip(g.rows, g.cols):
                    if reads_taint(refs, np.array([r]), np.array([c])):
                        hit_rows.append(r)
                        hit_cols.append(c)
            if own is not None and not g.array:  # kept cells themselves are not their dependents
                pairs = [(r, c) for r, c in zip(hit_rows, hit_cols) if not own[r, c]]
                hit_rows, hit_cols = [p[0] for p in pairs], [p[1] for p in pairs]
                if not hit_rows:
                    continue
            if g.array:
                r0, c0, r1, c1 = g.array
                grid(g.sheet)[r0:r1 + 1, c0:c1 + 1] = True
                n = (r1 - r0 + 1) * (c1 - c0 + 1)
            else:
                grid(g.sheet)[hit_rows, hit_cols] = True
                n = len(hit_rows)
            kept.dependent_count += n
            for r, c in zip(hit_rows, hit_cols):
                if len(kept.dependent_cells) >= 20:
                    break
                kept.dependent_cells.append(cell_name(g.sheet, r, c))
