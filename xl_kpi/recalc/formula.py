"""Formulas: compiling, shape keys, and the compiled tree the evaluator walks.

:func:`compile_formula` parses a formula (:mod:`.parser`, Excel's grammar) into the small node
objects of :mod:`.nodes`, whose references are stored *relative to the formula's cell* (R1C1
style), so one compiled tree serves every cell of a formula copied down a column; it then
resolves structured references and spreads unions over the functions that take them.

:func:`shape_key` finds which cells share a shape without parsing them: it rewrites the cell
references of the formula text into relative (R1C1) form. Two cells with the same key hold the
same formula up to the translation of their relative references, which is exactly what lets the
engine parse the first one and evaluate the tree for all of them at once.
"""

from __future__ import annotations

import re

from .nodes import (
    MAX_FORMULA_CHARS,
    ArrayLit,
    Const,
    FormulaLimitError,
    FormulaSyntaxError,
    Func,
    Name,
    Node,
    Op,
    Ref,
    Structured,
)
from .package import col_index, col_letters
from .parser import parse
from .values import E, Values

__all__ = ["Node", "Const", "Ref", "Name", "Op", "Func", "ArrayLit", "Structured", "compile_formula", "shape_key",
           "ShapeKeys", "FormulaSyntaxError", "FormulaLimitError", "closing", "moved", "walk"]


# ---------------------------------------------------------------------------------------------
# Shape keys

_SHEET = r"(?:'(?:[^']|'')+'|[A-Za-z_\\][\w.]*)!"
_KEY_RE = re.compile(
    r"(?<![\w.$!:\]])"
    r"(" + _SHEET + r")?"
    r"(?:(\$?)([A-Za-z]{1,3})(\$?)(\d+)(?::(\$?)([A-Za-z]{1,3})(\$?)(\d+))?"
    r"|(\$?)([A-Za-z]{1,3}):(\$?)([A-Za-z]{1,3})"
    r"|(\$?)(\d+):(\$?)(\d+))"
    r"(?![\w(!.])"
    r"|'(?:[^']|'')*'"
    r"|\[(?:[^\[\]]|\[[^\[\]]*\])*\]"  # a structured reference's brackets: column names, not cells
)


def shape_key(text: str, row: int, col: int) -> str:
    """The formula with each relative reference written as an offset from (row, col).

    >>> shape_key("A2*2", 2, 3) == shape_key("A3*2", 3, 3)
    True
    >>> shape_key("$A$2*2", 2, 3) == shape_key("$A$2*2", 3, 3)
    True
    >>> shape_key("A2*2", 2, 3) == shape_key("A2*2", 3, 3)
    False
    """
    parts = text.split('"')
    for i in range(0, len(parts), 2):  # outside string literals
        parts[i] = _KEY_RE.sub(lambda m: _key_ref(m, row, col), parts[i])
    return '"'.join(parts)


class ShapeKeys:
    """:func:`shape_key` for many cells, fast for formulas copied down a column.

    For each column it keeps the last formula seen as a template: its text cut around the row
    numbers of its relative references. A formula further down the same column whose text is
    the template with those row numbers shifted has the template's key; only the others go
    through the regular expression.
    """

    def __init__(self):
        self._last: dict[object, dict[int, tuple]] = {}  # where -> column -> template

    def key(self, text: str, row: int, col: int, where=None) -> str:
        return self.keys([text], [row], [col], where)[0]

    def keys(self, texts, rows, cols, where=None) -> list[str | None]:
        """The key of each cell (text, row, column) of one sheet ``where``, None for a text that is
        None or blank; cells in document order, so that a row's number is written once.

        A template whose relative rows are all the cell's own (A2, B2 in row 2) is checked by one
        join of its pieces around the row's number; the others by formatting their rows in.
        """
        last = self._last.setdefault(where, {})
        out: list[str | None] = []
        put = out.append
        shown_row, shown = None, ""
        for text, row, col in zip(texts, rows, cols):
            if text is None:
                put(None)
                continue
            t = last.get(col)
            if t is not None:
                key, pieces, template, numbers, trow = t
                if pieces is not None:
                    if row != shown_row:
                        shown_row, shown = row, str(row)
                    if shown.join(pieces) == text:
                        put(key)
                        continue
                elif template % tuple([n + row - trow for n in numbers]) == text:
                    put(key)
                    continue
            if not text or text.isspace():
                put(None)
                continue
            key, pieces, numbers = _key_with_rows(text, row, col)
            own = tuple(pieces) if numbers and all(n == row for n in numbers) else None
            last[col] = (key, own, "%d".join(p.replace("%", "%%") for p in pieces), numbers, row)
            put(key)
        return out


def _key_with_rows(text: str, row: int, col: int) -> tuple[str, list[str], list[int]]:
    """The shape key, and the text cut around the row numbers of relative references."""
    cuts: list[tuple[int, int, int]] = []
    parts = text.split('"')
    offset = 0
    for i, part in enumerate(parts):
        if i % 2 == 0:
            for m in _KEY_RE.finditer(part):
                for dollar, digits in ((4, 5), (8, 9), (14, 15), (16, 17)):  # row numbers
                    if m.group(digits) is not None and not m.group(dollar):
                        cuts.append((offset + m.start(digits), offset + m.end(digits), int(m.group(digits))))
        offset += len(part) + 1
    cuts.sort()
    pieces, numbers, last = [], [], 0
    for a, b, n in cuts:
        pieces.append(text[last:a])
        numbers.append(n)
        last = b
    pieces.append(text[last:])
    return shape_key(text, row, col), pieces, numbers


#: (dollar, value) group numbers of _KEY_RE: the columns, then the rows
_COLUMN_PARTS = ((2, 3), (6, 7), (10, 11), (12, 13))
_ROW_PARTS = ((4, 5), (8, 9), (14, 15), (16, 17))


def moved(text: str, rows: int, cols: int) -> str:
    """The formula copied ``rows`` down and ``cols`` right, as Excel writes the cells of a shared
    formula from its master's text: relative references moved, ``$`` parts, string literals,
    names and spacing kept. A reference moved off the sheet is ``#REF!``.

    >>> moved('SUM(A1:$B2)+Sheet2!C$3&"A1"', 1, 2)
    'SUM(C2:$B3)+Sheet2!E$3&"A1"'
    """
    def one(m: re.Match) -> str:
        g = m.groups()
        if g[1] is None and g[9] is None and g[13] is None:
            return m.group(0)  # a quoted run or a structured reference's brackets
        out, at = [], m.start()
        for dollar, value in sorted(_COLUMN_PARTS + _ROW_PARTS, key=lambda p: m.start(p[1])):
            if m.group(value) is None or m.group(dollar):
                continue
            if (dollar, value) in _COLUMN_PARTS:
                n = col_index(m.group(value)) + cols
                part = col_letters(n) if 1 <= n <= 16384 else None
            else:
                n = int(m.group(value)) + rows
                part = str(n) if 1 <= n <= 1048576 else None
            if part is None:
                return (m.group(1) or "") + "#REF!"
            out += [m.string[at:m.start(value)], part]
            at = m.end(value)
        out.append(m.string[at:m.end()])
        return "".join(out)

    if not rows and not cols:
        return text
    parts = text.split('"')
    for i in range(0, len(parts), 2):  # outside string literals
        parts[i] = _KEY_RE.sub(one, parts[i])
    return '"'.join(parts)


def _rel(dollar: str, value: int, origin: int, axis: str) -> str:
    return f"{axis}{value}" if dollar else f"{axis}[{value - origin}]"


def _key_ref(m: re.Match, row: int, col: int) -> str:
    g = m.groups()
    if g[1] is None and g[9] is None and g[13] is None:
        return m.group(0)  # a quoted run that is not a sheet prefix
    sheet = (g[0] or "").upper()
    if g[2] is not None:
        out = _rel(g[3], int(g[4]), row, "R") + _rel(g[1], col_index(g[2]), col, "C")
        if g[6] is not None:
            out += ":" + _rel(g[7], int(g[8]), row, "R") + _rel(g[5], col_index(g[6]), col, "C")
        return sheet + out
    if g[10] is not None:
        return sheet + _rel(g[9], col_index(g[10]), col, "C") + ":" + _rel(g[11], col_index(g[12]), col, "C")
    return sheet + _rel(g[13], int(g[14]), row, "R") + ":" + _rel(g[15], int(g[16]), row, "R")


# ---------------------------------------------------------------------------------------------
# Compiling


def compile_formula(text: str, row: int, col: int, tables=None) -> Node:
    """Parse a formula (without or with its leading ``=``) written in cell (row, col).

    ``tables`` (a :class:`~.tables.StructuredRefs` for the formula's sheet) resolves structured
    references; without it they are ``#REF!``. Raises :class:`FormulaLimitError` beyond Excel's
    limits: more than 8,192 characters, functions nested more than 64 deep, or a function given
    more than 255 arguments. Parsing runs without recursion, so the depth of an operator chain
    or of parentheses costs no stack.
    """
    body = text[1:] if text.startswith("=") else text
    if len(body) > MAX_FORMULA_CHARS:
        raise FormulaLimitError(f"formula of {len(body):,} characters; Excel allows {MAX_FORMULA_CHARS:,}")
    if not body.strip():
        raise FormulaSyntaxError("empty formula")
    node = parse(body, row, col)
    if "[" in body or tables is not None:
        node = _resolve_tables(node, tables, row, col)
    if "," in body:
        node = _spread_unions(node)
    return node


#: Functions that treat every argument alike, so ``SUM((A1:A3,C1:C3))`` is ``SUM(A1:A3,C1:C3)``.
UNION_SPREADING = frozenset({
    "SUM", "SUMSQ", "PRODUCT", "COUNT", "COUNTA", "AVERAGE", "AVERAGEA", "MAX", "MAXA", "MIN", "MINA",
    "MEDIAN", "MODE", "MODE.SNGL", "STDEV", "STDEV.S", "STDEV.P", "STDEVA", "STDEVP", "STDEVPA", "VAR",
    "VAR.S", "VAR.P", "VARA", "VARP", "VARPA", "AND", "OR", "XOR", "GEOMEAN", "HARMEAN", "AVEDEV",
    "DEVSQ", "KURT", "SKEW", "CONCAT",
})


def union_areas(node: Node) -> list[Node]:
    """The areas of a union, an intersection distributed over it: ``(A,B) C`` -> ``[A C, B C]``."""
    if isinstance(node, Op) and node.op == "union":
        return [x for a in node.args for x in union_areas(a)]
    if isinstance(node, Op) and node.op == "isect":
        left, right = union_areas(node.args[0]), union_areas(node.args[1])
        if len(left) == 1 and len(right) == 1:
            return [node]
        return [Op("isect", [a, b]) for a in left for b in right]
    return [node]


def _spread_unions(root: Node) -> Node:
    """Unions given to a function of :data:`UNION_SPREADING` become its arguments, one per area."""
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, Func):
            if node.name in UNION_SPREADING:
                node.args = [x for a in node.args for x in (union_areas(a) if isinstance(a, Op) and
                                                            a.op in ("union", "isect") else [a])]
            stack.extend(a for a in node.args if a is not None)
        elif isinstance(node, Op):
            stack.extend(node.args)
        elif isinstance(node, ArrayLit):
            stack.extend(c for r in node.rows for c in r)
    return root


def closing(src: str, start: int) -> int:
    """The index of the parenthesis closing the one opened at ``start``, -1 if none (strings skipped)."""
    depth, i, n = 0, start, len(src)
    while i < n:
        ch = src[i]
        if ch == '"':
            i = src.find('"', i + 1)
            while i >= 0 and i + 1 < n and src[i + 1] == '"':
                i = src.find('"', i + 2)
            if i < 0:
                return -1
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def _resolve_tables(root: Node, tables, row: int, col: int) -> Node:
    """The tree with each structured reference, and each bare table name, made a Ref."""

    def fix(node):
        if isinstance(node, Structured):
            area = tables.resolve(node.text, row, col) if tables is not None else None
        elif isinstance(node, Name) and node.sheet is None and tables is not None and tables.table(node.name):
            area = tables.resolve(node.name + "[]", row, col)
        else:
            return node
        if area is None:
            return Const(Values.error(E.REF))
        sheet = area.sheet if area.sheet.casefold() != getattr(tables, "sheet", "").casefold() else None
        if area.rows is None:  # this row: relative to the formula's row, absolute columns
            return Ref(sheet, 0, area.c0, 0, area.c1, False, True, False, True)
        return Ref(sheet, area.rows[0], area.c0, area.rows[1], area.c1, True, True, True, True)

    root = fix(root)
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, (Op, Func)):
            node.args = [fix(a) for a in node.args]
            stack.extend(node.args)
        elif isinstance(node, ArrayLit):
            node.rows = [[fix(c) for c in r] for r in node.rows]
    return root


def walk(node: Node | None):
    """Every node of a tree, parents first, left to right (an explicit stack: no recursion)."""
    stack = [node]
    while stack:
        node = stack.pop()
        if node is None:
            continue
        yield node
        if isinstance(node, (Op, Func)):
            stack.extend(reversed(node.args))
        elif isinstance(node, ArrayLit):
            stack.extend(c for r in reversed(node.rows) for c in reversed(r))
