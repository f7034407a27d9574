"""Information: NA, N, the IS* tests (ISEVEN, ISODD, ISNONTEXT...), ISFORMULA, FORMULATEXT, ISOMITTED,
ISREF, TYPE, ERROR.TYPE."""

from __future__ import annotations

import math
import re

import numpy as np

from ...excel_errors import NA as NA_ERROR
from ...excel_errors import ExcelError
from ..arrays import NotVectorizable
from ..formula import closing, moved
from ..package import col_index, col_letters
from ..values import BOOL, EMPTY, ERR, ERROR_CODES, NUM, STR, E, Omitted, Values
from .arguments import from_python_cells, per_instance
from .registry import cellwise, register


@register("NA")
def _na(ev, args):
    return Values.error(E.NA)


def _filling(ev, args: list, v: Values) -> Values:
    """A reference as an IS* test reads it when the test is a legacy array formula's whole
    formula: extended to the formula's range, the cells beyond the reference #N/A (a row or
    column of one repeats). Excel's ``{=ISLOGICAL(M11:Q11)}`` over nine cells is FALSE in the
    last four, ``{=ISNA(...)}`` TRUE (formulas' test.xlsx, sheet INFORMATION). Inside another
    function the test keeps the reference's size."""
    fill = ev.ctx.array_fill
    if fill is None or v.ref is None or v.n != 1 or getattr(fill[0], "args", None) is not args:
        return v
    (h, w), (vh, vw) = fill[1], v.hw
    th, tw = (max(h, vh) if vh > 1 else 1), (max(w, vw) if vw > 1 else 1)
    if (th, tw) == (vh, vw):
        return v
    kind = np.full((1, th, tw), ERR, np.uint8)
    num = np.full((1, th, tw), float(E.NA))
    kind[:, :vh, :vw], num[:, :vh, :vw] = v.kind, v.num
    text = None
    if v.text is not None:
        text = np.empty((1, th, tw), object)
        text[:, :vh, :vw] = v.text
    return Values(kind, num, text)


def _is(test):
    def impl(ev, args):
        if len(args) != 1:
            return Values.error(E.VALUE)
        v = _filling(ev, args, ev.scalar(args[0]))
        return Values.boolean(test(v))

    return impl


@cellwise("ISEVEN", args="N", arrays=False)
def _iseven(number):
    """ISEVEN(number): whether the number, truncated, is even; a logical or a range #VALUE!."""
    return math.trunc(number) % 2 == 0


@cellwise("ISODD", args="N", arrays=False)
def _isodd(number):
    """ISODD(number): whether the number, truncated, is odd; a logical or a range #VALUE!."""
    return math.trunc(number) % 2 == 1


register("ISBLANK")(_is(lambda v: v.kind == EMPTY))
register("ISNONTEXT")(_is(lambda v: v.kind != STR))
register("ISERROR")(_is(lambda v: v.kind == ERR))
register("ISERR")(_is(lambda v: (v.kind == ERR) & (v.num != E.NA)))
register("ISNA")(_is(lambda v: (v.kind == ERR) & (v.num == E.NA)))
register("ISNUMBER")(_is(lambda v: v.kind == NUM))
register("ISTEXT")(_is(lambda v: v.kind == STR))
register("ISLOGICAL")(_is(lambda v: v.kind == BOOL))


@register("N")
def _n(ev, args):
    """N(value): a number as itself, TRUE 1, text and blank 0, an error as itself; of a range, its
    first cell (Excel reads N's argument as one value even in an array formula)."""
    if len(args) != 1:
        return Values.error(E.VALUE)
    v = ev.scalar(args[0])
    if v.ref is not None and not v.is_cell:
        v = Values(v.kind[:, :1, :1], v.num[:, :1, :1])
    kind = np.where(v.kind == ERR, ERR, NUM).astype(np.uint8)
    num = np.where((v.kind == NUM) | (v.kind == BOOL) | (v.kind == ERR), v.num, 0.0)
    return Values(kind, num)


def reference_cells(v: Values):
    """The (rows, cols) of every cell of a reference, per instance, and the formula group owning
    each (-1 for a value, a blank or a cell beyond the sheet's cells)."""
    sheet = v.ref.sheet
    h, w = v.hw
    rows = np.asarray(v.ref.row0).reshape(-1, 1, 1) + np.arange(h).reshape(1, -1, 1)
    cols = np.asarray(v.ref.col0).reshape(-1, 1, 1) + np.arange(w).reshape(1, 1, -1)
    rows, cols = np.broadcast_arrays(rows, cols)
    owner = sheet.owner
    inside = (rows < owner.shape[0]) & (cols < owner.shape[1])
    owners = np.full(rows.shape, -1, np.int64)
    owners[inside] = owner[rows[inside], cols[inside]]
    return rows, cols, owners


def _reference(ev, args) -> Values:
    """The one argument of ISFORMULA and FORMULATEXT: a reference, its error, else #VALUE!."""
    if len(args) != 1 or args[0] is None:
        return Values.error(E.VALUE)
    v = ev.eval(args[0])
    if v.ref is None:
        return v if v.is_cell and v.kind[0, 0, 0] == ERR else Values.error(E.VALUE)
    return v


@register("ISFORMULA")
def _isformula(ev, args):
    """ISFORMULA(reference): whether each cell of the reference holds a formula; #VALUE! for a value."""
    v = _reference(ev, args)
    if v.ref is None:
        return v
    return Values.boolean(reference_cells(v)[2] >= 0)


@register("FORMULATEXT")
def _formulatext(ev, args):
    """FORMULATEXT(reference): each cell's formula as the formula bar shows it (Microsoft's
    FORMULATEXT page): with its ``=``, spaced as written, without the prefixes the file stores
    (``_xlfn.``...; see :func:`shown_formula`), a shared formula's cell with its own references, a
    legacy array formula (or a data table, ``{=TABLE(B1,B2)}``) in braces in each of its cells;
    #N/A for a cell holding no formula or a text longer than 8,192 characters, #VALUE! for a value.
    Reading a reference's formula is no dependency on its value: the cell itself may be given."""
    v = _reference(ev, args)
    if v.ref is None:
        return v
    rows, cols, owners = reference_cells(v)
    groups = getattr(ev.ctx.book, "groups", None) or []
    text = np.empty(rows.shape, object)
    found = np.zeros(rows.shape, bool)
    for idx in zip(*np.nonzero(owners >= 0)):
        gid = int(owners[idx])
        if gid >= len(groups):
            continue
        shown = _formula_bar(groups[gid], int(rows[idx]), int(cols[idx]))
        if len(shown) <= 8192:
            text[idx], found[idx] = shown, True
    kind = np.where(found, STR, ERR).astype(np.uint8)
    return Values(kind, np.where(found, 0.0, float(E.NA)), text)


def _formula_bar(g, row: int, col: int) -> str:
    """The formula of cell (row, col) of group ``g`` as the formula bar shows it."""
    if g.table is not None:
        attrs = g.formulas[0].table or {} if g.formulas else {}
        r1, r2 = attrs.get("r1", ""), attrs.get("r2", "")
        inputs = f"{r1},{r2}" if g.table.two_d else (f"{r1}," if g.table.along_row else f",{r1}")
        return "{=TABLE(" + inputs + ")}"
    if g.array is not None:
        text = "=" + shown_formula(g.text)
        return text if g.dynamic else "{" + text + "}"
    return "=" + shown_formula(moved(g.text, row - g.anchor[0], col - g.anchor[1]))


_PREFIXES = re.compile(r"(?i)(?<![\w.])(?:_xlfn\.|_xlws\.|_xludf\.|_xlpm\.|_xleta\.)+")
_WRAPPERS = re.compile(r"(?i)(?<![\w.])(?:_xlfn\.)?(ANCHORARRAY|SINGLE|_TRO_ALL|_TRO_LEADING|_TRO_TRAILING)\(")
_TRIM_DOTS = {"_TRO_ALL": (".:."), "_TRO_LEADING": ".:", "_TRO_TRAILING": ":."}
_PLAIN_OPERAND = re.compile(r"^(?:[\w.$!:#\[\]@]+|'(?:[^']|'')+'![\w.$:#]+|[\w.]+\(.*\))$", re.S)


def shown_formula(text: str) -> str:
    """A formula as stored in the file, as Excel shows it: the future-function prefixes dropped
    (``_xlfn.XLOOKUP``, ``_xlws.FILTER``, ``_xlpm.x``, ``_xleta.SUM``), ``ANCHORARRAY(A1)`` as
    ``A1#``, ``SINGLE(x)`` as ``@x``, ``_TRO_TRAILING(A1:C10)`` as ``A1:.C10``; string literals
    kept as written.

    >>> shown_formula('_xlfn.SINGLE(A1:A3)+SUM(_xlfn.ANCHORARRAY(B1))&"_xlfn."')
    '@A1:A3+SUM(B1#)&"_xlfn."'
    """
    out, at = [], 0
    for m in _WRAPPERS.finditer(text):
        if m.start() < at or text.count('"', 0, m.start()) % 2:
            continue  # inside an argument already shown, or inside a string literal
        close = closing(text, m.end() - 1)
        if close < 0:
            break
        out.append(_unprefixed(text[at:m.start()]))
        arg = shown_formula(text[m.end():close])
        what = m.group(1).upper()
        if what == "ANCHORARRAY":
            out.append(arg + "#")
        elif what == "SINGLE":
            out.append("@" + arg if _PLAIN_OPERAND.match(arg) else "@(" + arg + ")")
        elif ":" in arg and arg.count(":") == 1:
            out.append(arg.replace(":", _TRIM_DOTS[what]))
        else:
            out.append("TRIMRANGE(" + arg + ")")
        at = close + 1
    out.append(_unprefixed(text[at:]))
    return "".join(out)


def _unprefixed(text: str) -> str:
    parts = text.split('"')
    for i in range(0, len(parts), 2):  # outside string literals
        parts[i] = _PREFIXES.sub("", parts[i])
    return '"'.join(parts)


@register("ISOMITTED")
def _isomitted(ev, args):
    """ISOMITTED(argument): TRUE for a LAMBDA parameter its call left out (``LAMBDA(x,y,
    ISOMITTED(y))(1,)``, Microsoft's ISOMITTED page), FALSE for anything else, a blank included."""
    if len(args) != 1:
        return Values.error(E.VALUE)
    return Values.boolean(isinstance(ev.eval(args[0]), Omitted))


#: ERROR.TYPE's numbers by the engine's error code (#CALC! is 14 in Excel's numbering).
_ERROR_TYPE = {code: float(code) for code in range(1, 10)}
_ERROR_TYPE[E.CALC] = 14.0


@register("ERROR.TYPE")
def _error_type(ev, args):
    """ERROR.TYPE(value): 1 #NULL!, 2 #DIV/0!, 3 #VALUE!, 4 #REF!, 5 #NAME?, 6 #NUM!, 7 #N/A...; #N/A for a non-error."""
    if len(args) != 1:
        return Values.error(E.VALUE)
    v = ev.scalar(args[0])
    iserr = v.kind == ERR
    x = np.vectorize(lambda c: _ERROR_TYPE.get(int(c), 0.0), otypes=[float])(np.where(iserr, v.num, 1))
    return Values.from_numbers(np.where(iserr, x, 0.0), np.where(iserr, 0, E.NA))


@register("TYPE")
def _type(ev, args):
    """TYPE(value): 1 number (or blank), 2 text, 4 logical, 16 error, 64 array, 128 compound
    data (a LAMBDA, or a function named where one is expected: ``TYPE(_xleta.SUM)``)."""
    from ..formula import Name
    from .dynamic import Lambda

    if len(args) != 1:
        return Values.error(E.VALUE)
    node = args[0]
    if isinstance(node, Name) and node.name.lower().startswith("_xleta."):
        return Values.number(128.0)
    v = ev.eval(node)
    if isinstance(v, Lambda):
        return Values.number(128.0, v.n)
    if not v.is_cell:
        return Values.number(64.0, v.n)
    k = v.kind[:, 0, 0]
    return Values.number(np.select([k == STR, k == BOOL, k == ERR], [2.0, 4.0, 16.0], 1.0))


@register("ISREF")
def _isref(ev, args):
    """ISREF(value): whether the argument is a reference (a range, or OFFSET, INDEX, INDIRECT...)."""
    if len(args) != 1:
        return Values.error(E.VALUE)
    v = ev.eval(args[0])
    return Values.boolean(np.full((v.n, 1, 1), v.ref is not None))


# ---------------------------------------------------------------------------------------------
# CELL


def _filename(ev, sheet) -> str:
    """CELL("filename"): the workbook's folder, its name in brackets and the sheet's name, as
    Excel writes it ("/data/[model.xlsx]Inputs"); "" for a workbook read from no file."""
    import os

    path = getattr(ev.ctx.book.pkg, "path", "") or ""
    if not os.path.isfile(path):
        return ""
    full = os.path.abspath(path)
    return os.path.join(os.path.dirname(full), f"[{os.path.basename(full)}]{sheet.name}")


def _address(ev, sheet, row: int, col: int) -> str:
    """CELL("address"): "$A$1", qualified by workbook and sheet when on another sheet."""
    import os

    a1 = f"${col_letters(col)}${row}"
    if sheet is ev.ctx.sheet:
        return a1
    book = os.path.basename(getattr(ev.ctx.book.pkg, "path", "") or "")
    where = (f"[{book}]" if book else "") + sheet.name
    if not all(ch.isalnum() or ch in "_." for ch in sheet.name):
        where = "'" + where.replace("'", "''") + "'"
    return f"{where}!{a1}"


#: CELL's info types read from the cell's style and column (see :mod:`.cell_styles`).
_STYLE_INFO = frozenset({"color", "format", "parentheses", "prefix", "protect", "width"})


def _style_info(ev, what: str, sheet, row: int, col: int, kind: int):
    """One style-based CELL answer, or #N/A when the file's styles cannot be read."""
    from .cell_styles import cell_style, column_width, format_class

    if what == "width":
        width = column_width(ev.ctx.book, sheet, col)
        return NA_ERROR if width is None else float(int(width))
    style = cell_style(ev.ctx.book, sheet, row, col)
    if style is None:
        return NA_ERROR
    if what == "protect":
        return 1.0 if style.locked else 0.0
    if what == "prefix":
        marks = {"left": "'", "right": '"', "center": "^", "fill": "\\"}
        return marks.get(style.horizontal, "") if kind == STR else ""
    code, color, parentheses = format_class(style.number_format)
    return code if what == "format" else float(color if what == "color" else parentheses)


@register("CELL")
def _cell(ev, args):
    """CELL(info_type, [reference]): about the top-left cell of the reference (Microsoft's CELL
    page): "address" ($A$1), "col", "row", "contents" (its value), "type" ("b" blank, "l" text,
    "v" any other value), "filename" (folder, [workbook] and sheet), and from the cell's style
    "format" ("F2", ",0", "C2-", "P0", "D1"...), "color", "parentheses", "prefix", "protect",
    "width" (whole characters).

    Without a reference, the formula's own cell (Excel takes the cell last changed, which a
    file does not record). Any other info type, or a reference that is not one, is #VALUE!.
    """
    if not 1 <= len(args) <= 2:
        return Values.error(E.VALUE)
    info = ev.scalar(args[0])
    if info.n > 1 or not info.is_cell:
        raise NotVectorizable("CELL with a varying info_type")
    if info.kind[0, 0, 0] == ERR:
        return info
    what = str(info.text[0, 0, 0]).strip().lower() if info.kind[0, 0, 0] == STR else ""
    if len(args) > 1 and args[1] is not None:
        v = ev.eval(args[1])
        if v.ref is None:
            return v if v.is_cell and v.kind[0, 0, 0] == ERR else Values.error(E.VALUE)
        sheet = v.ref.sheet
        rows = np.broadcast_to(np.asarray(v.ref.row0).reshape(-1), (v.n,))
        cols = np.broadcast_to(np.asarray(v.ref.col0).reshape(-1), (v.n,))
        first = Values(v.kind[:, :1, :1], v.num[:, :1, :1], None if v.text is None else v.text[:, :1, :1])
    else:
        sheet, rows, cols = ev.ctx.sheet, ev.ctx.rows, ev.ctx.cols
        first = None
    n = len(rows)
    if what == "row":
        return Values.number(np.asarray(rows, float))
    if what == "col":
        return Values.number(np.asarray(cols, float))
    if what == "address":
        return Values.string(_strings([_address(ev, sheet, int(r), int(c)) for r, c in zip(rows, cols)]))
    if what == "filename":
        return Values.string(_strings([_filename(ev, sheet)] * n))
    if what not in ("contents", "type") and what not in _STYLE_INFO:
        return Values.error(E.VALUE, n)
    if first is None:  # the formula's own cell
        if n > 1:
            raise NotVectorizable("CELL without a reference")
        first = sheet.block(int(rows[0]), int(cols[0]), int(rows[0]), int(cols[0]))
    if what == "contents":
        return first
    k = first.kind[:, 0, 0]
    if what == "type":
        return Values.string(_strings(np.where(k == EMPTY, "b", np.where(k == STR, "l", "v")).tolist()))
    return per_instance(n, lambda i: _style_info(ev, what, sheet, int(rows[i]), int(cols[i]),
                                                 int(k[i if len(k) > 1 else 0])))


def _strings(items: list) -> np.ndarray:
    out = np.empty((len(items), 1, 1), object)
    for i, s in enumerate(items):
        out[i, 0, 0] = s
    return out


# ---------------------------------------------------------------------------------------------
# SHEET, SHEETS


@register("SHEET")
def _sheet_number(ev, args):
    """SHEET([value]): the position of a sheet in the workbook, chart sheets counted (Microsoft's
    SHEET page): of a reference's sheet, of the sheet a text names, or of the formula's own
    sheet; #N/A for a text (or number) naming no sheet."""
    if len(args) > 1:
        return Values.error(E.VALUE)
    if not args or args[0] is None:
        return Values.number(float(ev.ctx.sheet.index + 1), ev.ctx.n)
    v = ev.eval(args[0])
    if v.ref is not None:
        return Values.number(float(v.ref.sheet.index + 1), v.n)
    v = ev.intersect(v)
    names = {p.name.lower(): p.index + 1 for p in ev.ctx.book.pkg.sheets}
    out = np.empty(v.kind.shape, object)
    for idx in np.ndindex(v.kind.shape):
        x = v.python(*idx) if v.n > 1 else v.python(0, *idx[1:])
        if isinstance(x, ExcelError):
            out[idx] = x
        else:
            text = x if isinstance(x, str) else ""
            out[idx] = float(names[text.lower()]) if text.lower() in names else NA_ERROR
    return from_python_cells(out)


@register("SHEETS")
def _sheets(ev, args):
    """SHEETS([reference]): the sheets of the workbook (chart sheets counted), or of a reference
    (one); #REF! for a value that is not a reference."""
    if len(args) > 1:
        return Values.error(E.VALUE)
    if not args or args[0] is None:
        return Values.number(float(len(ev.ctx.book.pkg.sheets)), ev.ctx.n)
    v = ev.eval(args[0])
    if v.ref is not None:
        return Values.number(1.0, v.n)
    return v if v.is_cell and (v.kind == ERR).all() else Values.error(E.REF, v.n)


# ---------------------------------------------------------------------------------------------
# INFO

_SHEET_VIEW = re.compile(rb"<(?:\w+:)?sheetView\b[^>]*?\btopLeftCell=\"([A-Za-z]{1,3})([0-9]{1,7})\"")


def _origin(pkg) -> str:
    """INFO("origin"): the top-left cell the active sheet's window shows, "$A:$D$9" ("$A:R9C4"
    in R1C1 style), from the sheet's ``<sheetView topLeftCell>`` (A1 when the file has none)."""
    sheet = next((s for s in pkg.sheets if s.index == pkg.active_tab), None)
    xml = sheet.xml if sheet is not None else b""
    head = xml[:sheet.sheetdata_span[0]] if sheet is not None and sheet.sheetdata_span else xml[:1 << 16]
    m = _SHEET_VIEW.search(head)
    col, row = (m.group(1).decode().upper(), int(m.group(2))) if m else ("A", 1)
    if pkg.calc.r1c1:
        return f"$A:R{row}C{col_index(col)}"
    return f"$A:${col}${row}"


def _info(ev, what: str):
    """One INFO answer, from what the file records (see :func:`_info_impl`)."""
    import os

    pkg = ev.ctx.book.pkg
    if what == "numfile":
        return float(len(pkg.sheets))
    if what == "recalc":
        return "Manual" if pkg.calc.manual else "Automatic"
    if what == "system":
        return "mac" if pkg.saved_on_mac else "pcdos"
    if what == "release":
        if pkg.application.strip().lower() not in ("microsoft excel", "microsoft macintosh excel"):
            return NA_ERROR  # another application's version is not Excel's
        m = re.fullmatch(r"(\d{2})\.(\d)\d{3}", (pkg.app_version or "").strip())
        # Excel writes "16.0300"; openpyxl claims "Microsoft Excel" with its own version ("3.1")
        return f"{int(m.group(1))}.{m.group(2)}" if m else NA_ERROR
    if what == "directory":
        path = getattr(pkg, "path", "") or ""
        return os.path.dirname(os.path.abspath(path)) + os.sep if os.path.isfile(path) else NA_ERROR
    if what == "origin":
        return _origin(pkg)
    if what in ("osversion", "memavail", "memused", "totmem"):
        return NA_ERROR
    return ExcelError("#VALUE!")


@register("INFO")
def _info_impl(ev, args):
    """INFO(type_text), Microsoft's INFO page, answered from the workbook file: "numfile" (its
    sheets), "recalc" ("Automatic" or "Manual", from ``<calcPr calcMode>``), "system" ("mac" when
    Excel for Mac saved it, else "pcdos"), "release" (the version of the Excel that saved it,
    "16.0", from docProps/app.xml; #N/A when another application saved it), "directory" (the
    file's folder, with a final separator), "origin" (see :func:`_origin`). "osversion" is in no
    file: #N/A, but a cell Excel computed keeps its value (see :mod:`..keep`); the retired
    "memavail", "memused", "totmem" are #N/A; any other text #VALUE!. Case is ignored."""
    if len(args) != 1:
        return Values.error(E.VALUE)
    v = ev.scalar(args[0])
    out = np.empty(v.kind.shape, object)
    for idx in np.ndindex(v.kind.shape):
        k = int(v.kind[idx])
        if k == ERR:
            out[idx] = ExcelError(ERROR_CODES[int(v.num[idx]) - 1])
        elif k != STR:
            out[idx] = ExcelError("#VALUE!")
        else:
            out[idx] = _info(ev, str(v.text[idx]).strip().lower())
    return from_python_cells(out)
