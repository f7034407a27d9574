"""Formulas: parsing (by pycel), shape keys, and the compiled tree the evaluator walks.

Parsing is pycel's (``pycel.excelformula.ExcelFormula``, built on openpyxl's tokenizer): it gives
an operator-precedence tree of operands, operators and function calls. This module only turns
that tree into small node objects whose references are stored *relative to the formula's cell*
(R1C1 style), so one compiled tree serves every cell of a formula copied down a column.

:func:`shape_key` finds which cells share a shape without parsing them: it rewrites the cell
references of the formula text into relative (R1C1) form. Two cells with the same key hold the
same formula up to the translation of their relative references, which is exactly what lets the
engine parse the first one and evaluate the tree for all of them at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .package import col_index, col_letters
from .values import E, Values

__all__ = ["Node", "Const", "Ref", "Name", "Op", "Func", "ArrayLit", "compile_formula", "shape_key", "ShapeKeys",
           "FormulaSyntaxError", "FormulaLimitError", "closing", "moved", "walk"]


class FormulaSyntaxError(ValueError):
    """A formula the parser cannot read."""


class FormulaLimitError(FormulaSyntaxError):
    """A formula beyond Excel's own limits (length, nesting, arguments): Excel cannot hold it.

    ``code`` is the error the cell gets.
    """

    code = E.VALUE


#: Excel's specification limits for one formula (Excel 2007 and later).
MAX_FORMULA_CHARS = 8_192
MAX_NESTING = 64
MAX_ARGUMENTS = 255


# ---------------------------------------------------------------------------------------------
# Nodes


class Node:
    __slots__ = ()


@dataclass(eq=False)
class Const(Node):
    value: Values


@dataclass(eq=False)
class Ref(Node):
    """A reference. Each coordinate is absolute (``abs_*`` true) or an offset from the cell.

    ``r0``/``r1`` are ``None`` for whole columns, ``c0``/``c1`` ``None`` for whole rows.
    """

    sheet: str | None
    r0: int | None
    c0: int | None
    r1: int | None
    c1: int | None
    abs_r0: bool
    abs_c0: bool
    abs_r1: bool
    abs_c1: bool

    @property
    def fixed(self) -> bool:
        """The same range for every cell of the shape."""
        return (self.abs_r0 or self.r0 is None) and (self.abs_r1 or self.r1 is None) and \
            (self.abs_c0 or self.c0 is None) and (self.abs_c1 or self.c1 is None)

    @property
    def sliding(self) -> bool:
        """Every cell sees a range of the same size (both ends move together, or neither)."""
        return self.abs_r0 == self.abs_r1 and self.abs_c0 == self.abs_c1


@dataclass(eq=False)
class Name(Node):
    name: str
    sheet: str | None = None


@dataclass(eq=False)
class Op(Node):
    op: str  # "+", "-", "*", "/", "^", "&", "=", "<>", "<", ">", "<=", ">=", ":", "neg", "pos", "%"
    args: list[Node] = field(default_factory=list)


@dataclass(eq=False)
class Func(Node):
    name: str  # upper case, without _xlfn. prefixes
    args: list[Node | None] = field(default_factory=list)  # None: an omitted argument


@dataclass(eq=False)
class ArrayLit(Node):
    rows: list[list[Node]]


@dataclass(eq=False)
class Structured(Node):
    """A structured reference (``Table1[Col]``) as written; compiling resolves it to a Ref."""

    text: str


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
# Compiling pycel's tree

_INFIX = {"+", "-", "*", "/", "^", "&", "=", "<>", "<", ">", "<=", ">=", ":"}
_PREFIXES = ("_XLFN._XLWS.", "_XLFN.", "_XLWS.", "_XLUDF.")
_AREA = re.compile(
    r"^(\$?)([A-Za-z]{1,3})(\$?)(\d+)(?::(\$?)([A-Za-z]{1,3})(\$?)(\d+))?$"
    r"|^(\$?)([A-Za-z]{1,3}):(\$?)([A-Za-z]{1,3})$"
    r"|^(\$?)(\d+):(\$?)(\d+)$"
)

_parse_cache: dict[str, object] = {}


def _excel_formula():
    from pycel.excelformula import ExcelFormula  # imported on first use: pycel loads networkx

    return ExcelFormula


def compile_formula(text: str, row: int, col: int, tables=None) -> Node:
    """Parse a formula (without or with its leading ``=``) written in cell (row, col).

    ``tables`` (a :class:`~.tables.StructuredRefs` for the formula's sheet) resolves structured
    references; without it they are ``#REF!``. Raises :class:`FormulaLimitError` beyond Excel's
    limits: more than 8,192 characters, functions nested more than 64 deep, or a function given
    more than 255 arguments. The conversion runs without recursion, so the depth of an operator
    chain costs no stack.
    """
    src = text if text.startswith("=") else "=" + text
    if len(src) - 1 > MAX_FORMULA_CHARS:
        raise FormulaLimitError(f"formula of {len(src) - 1:,} characters; Excel allows {MAX_FORMULA_CHARS:,}")
    if not src[1:].strip():
        raise FormulaSyntaxError("empty formula")
    if "\r" in src or "\t" in src:
        src = _plain_whitespace(src)
    if ")(" in src and "LAMBDA(" in src.upper():
        src = _lambda_calls(src)
    if "):" in src:
        src = _ranges_between_calls(src)
    try:
        tree = _excel_formula()(src).ast
    except Exception as exc:  # pycel raises its own and openpyxl's tokenizer errors
        raise FormulaSyntaxError(f"cannot parse formula {_short(src)!r}: {exc}") from None
    if tree is None:
        raise FormulaSyntaxError("empty formula")
    node = _convert(tree, row, col)
    if "[" in src or tables is not None:
        node = _resolve_tables(node, tables, row, col)
    if "," in src:
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


_LAMBDA_AT = re.compile(r"(?i)(?<![\w.])(?:_xlfn\.)?LAMBDA\(")


def _lambda_calls(src: str) -> str:
    """``LAMBDA(x, x+1)(2)``, a LAMBDA called where it is written, as ``LAMBDA.CALL(LAMBDA(x, x+1), 2)``:
    the tokenizer reads no call on a parenthesis. Outside strings only; nested calls too."""
    pos = 0
    while True:
        m = _LAMBDA_AT.search(src, pos)
        if m is None:
            return src
        if src.count('"', 0, m.start()) % 2:  # inside a string literal
            pos = m.end()
            continue
        end = closing(src, m.end() - 1)
        if end < 0:
            return src
        if end + 1 < len(src) and src[end + 1] == "(":
            close = closing(src, end + 1)
            if close < 0:
                return src
            args = src[end + 2:close]
            call = "LAMBDA.CALL(" + src[m.start():end + 1] + ("," + args if args.strip() else "") + ")"
            src = src[:m.start()] + call + src[close + 1:]
        pos = m.start() + len("LAMBDA.CALL(")


_RANGE_CALL = "_XLKPI.RANGE"
_CALL_AFTER_COLON = re.compile(r"\):\s*(?=[A-Za-z_][\w.]*\()")
_NAME_BEFORE = re.compile(r"[A-Za-z_][\w.]*$")


def _opening(src: str, end: int) -> int:
    """The index of the parenthesis opening the one closed at ``end``, -1 if none (strings skipped)."""
    depth, i = 0, end
    while i >= 0:
        ch = src[i]
        if ch == '"':
            i = src.rfind('"', 0, i)
            while i > 0 and src[i - 1] == '"':
                i = src.rfind('"', 0, i - 1)
            if i < 0:
                return -1
        elif ch == ")":
            depth += 1
        elif ch == "(":
            depth -= 1
            if depth == 0:
                return i
        i -= 1
    return -1


def _ranges_between_calls(src: str) -> str:
    """``INDEX(L,1,1):INDEX(L,1,3)``, a range between two function calls, as
    ``_XLKPI.RANGE(INDEX(L,1,1),INDEX(L,1,3))``: the tokenizer reads ``:INDEX(`` as one name.
    Outside strings only; the result is the range operator (see :func:`_node`)."""
    pos = 0
    while True:
        m = _CALL_AFTER_COLON.search(src, pos)
        if m is None:
            return src
        if src.count('"', 0, m.start()) % 2:
            pos = m.end()
            continue
        left_open = _opening(src, m.start())
        right_close = closing(src, src.index("(", m.end()))
        if left_open < 0 or right_close < 0:
            return src
        name = _NAME_BEFORE.search(src, 0, left_open)
        left = name.start() if name else left_open
        src = (src[:left] + _RANGE_CALL + "(" + src[left:m.start() + 1] + "," + src[m.end():right_close + 1] + ")"
               + src[right_close + 1:])
        pos = left + len(_RANGE_CALL)


def _plain_whitespace(src: str) -> str:
    """Line breaks (CR-LF, CR) and tabs outside string literals as the tokenizer's ``\\n`` and space.

    Excel keeps the line breaks typed with Alt+Enter in the formula text; openpyxl's tokenizer
    knows ``\\n`` and spaces as whitespace, not ``\\r`` or tabs.
    """
    parts = src.split('"')
    for i in range(0, len(parts), 2):
        parts[i] = parts[i].replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return '"'.join(parts)


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


def _short(text: str, n: int = 80) -> str:
    return text if len(text) <= n else text[:n] + "..."


def _children(t) -> list:
    """The pycel children of a node, in order (array rows flattened)."""
    if t.token.type == "ARRAY":
        return [c for r in t.children for c in r.children]
    return list(t.children)


def _convert(tree, row: int, col: int) -> Node:
    """pycel's tree as our nodes, by an explicit post-order walk (no Python recursion)."""
    out: list = []
    stack: list = [(tree, False, 0)]
    while stack:
        t, ready, depth = stack.pop()
        if t is None:
            out.append(None)
            continue
        if not ready:
            kids = _children(t)
            if t.token.type == "FUNC":
                if depth + 1 > MAX_NESTING:
                    raise FormulaLimitError(f"functions nested more than {MAX_NESTING} levels deep, "
                                            f"the most Excel allows")
                if len(kids) > MAX_ARGUMENTS:
                    raise FormulaLimitError(f"{t.token.value.rstrip('(')} given {len(kids):,} arguments; "
                                            f"Excel allows {MAX_ARGUMENTS}")
                depth += 1
            if not kids:
                out.append(_node(t, row, col, []))
                continue
            stack.append((t, True, depth))
            for c in reversed(kids):
                stack.append((c, False, depth))
            continue
        n = len(_children(t))
        args = out[len(out) - n:]
        del out[len(out) - n:]
        out.append(_node(t, row, col, args))
    return out[0]


def _node(t, row: int, col: int, args: list) -> Node:
    """One node from its pycel token and its already converted children ``args``."""
    tok = t.token
    kind, sub, value = tok.type, tok.subtype, tok.value
    if kind == "OPERAND":
        if sub == "RANGE":
            return _ref_node(value, row, col)
        if sub == "NUMBER":
            return Const(Values.number(float(value)))
        if sub == "TEXT":
            return Const(Values.string(value[1:-1].replace('""', '"')))
        if sub == "LOGICAL":
            return Const(Values.boolean(value.upper() == "TRUE"))
        if sub == "ERROR":
            from .package import ERROR_CODE

            return Const(Values.error(ERROR_CODE.get(value.upper(), E.NA)))
        if sub == "EMPTY":
            return None  # an omitted argument: IF(A1,,2)
        raise FormulaSyntaxError(f"unsupported operand {value!r}")
    if kind == "OPERATOR-INFIX":
        op = value.strip()
        if op not in _INFIX:
            if op == "" or op == ",":  # the reference operators: intersection (space) and union
                return Op("isect" if op == "" else "union", args)
            raise FormulaSyntaxError(f"unsupported operator {value!r}")
        return Op(op, args)
    if kind == "OPERATOR-PREFIX":
        return Op("neg" if value == "-" else "pos", args[:1])
    if kind == "OPERATOR-POSTFIX":
        return Op("%", args[:1])
    if kind == "FUNC":
        name = value.rstrip("(").upper()
        for p in _PREFIXES:
            if name.startswith(p):
                name = name[len(p):]
        if "!" in name:  # 'book.xlam'!KPI_X or [1]!KPI_X: an add-in function by its own name
            name = name.rsplit("!", 1)[1]
        if name == _RANGE_CALL and len(args) == 2:  # see _ranges_between_calls
            return Op(":", args)
        return Func(name, args)
    if kind == "ARRAY":
        rows, i = [], 0
        for r in t.children:
            rows.append(args[i:i + len(r.children)])
            i += len(r.children)
        return ArrayLit(rows)
    raise FormulaSyntaxError(f"unsupported token {value!r} ({kind})")


def split_sheet(value: str) -> tuple[str | None, str]:
    """``"'My Sheet'!A1"`` -> ("My Sheet", "A1")."""
    if "!" not in value:
        return None, value
    if value.startswith("'"):
        end = value.rfind("'!")
        return value[1:end].replace("''", "'"), value[end + 2:]
    sheet, _, rest = value.rpartition("!")
    return sheet, rest


def _range_parts(value: str) -> list[str]:
    """``"B2:E5:f"`` -> ["B2:E5", "f"]: the operands of range operators the tokenizer left in one
    operand, split at the colons outside quotes, an ``A1:B2`` pair kept whole (one area)."""
    parts, depth_quote, last = [], False, 0
    for i, ch in enumerate(value):
        if ch == "'":
            depth_quote = not depth_quote
        elif ch == ":" and not depth_quote:
            parts.append(value[last:i])
            last = i + 1
    parts.append(value[last:])
    out: list[str] = []
    for p in parts:
        if out and "!" not in p and _AREA.match(out[-1].rpartition("!")[2]) and _AREA.match(
                f"{out[-1].rpartition('!')[2]}:{p}") and ":" not in out[-1].rpartition("!")[2]:
            out[-1] += ":" + p
        else:
            out.append(p)
    return out


def _range_operands(sheet: str | None, area: str) -> bool:
    """Whether an operand is several references joined by range operators, not one reference:
    an area that is no reference (``B2:E5:f``), or a "sheet" that starts with a cell reference
    (``A2:'[2]Data'!A2``; ``Sheet1:Sheet3!A1`` is a 3-D reference, kept as one)."""
    if sheet is None:
        return ":" in area and not _AREA.match(area)
    head = sheet.split(":", 1)[0] if ":" in sheet and not sheet.startswith("'") else ""
    return bool(head) and _AREA.match(head.rpartition("!")[2]) is not None


def _ref_node(value: str, row: int, col: int) -> Node:
    if value.startswith("@"):  # implicit intersection marker: the evaluator intersects anyway
        value = value[1:]
    if value.endswith("]"):
        return Structured(value)
    sheet, area = split_sheet(value)
    if ":" in value and not value.startswith("[") and _range_operands(sheet, area):
        # B2:E5:f (f a name), a:b, A2:'[2]Data'!A2: range operators between references or names
        # that the tokenizer left in one operand
        parts = _range_parts(value)
        node = _ref_node(parts[0], row, col)
        for p in parts[1:]:
            node = Op(":", [node, _ref_node(p, row, col)])
        return node
    if sheet is not None and ":" in sheet and not sheet.startswith("["):
        return Const(Values.error(E.REF))  # 3-D references (Sheet1:Sheet3!A1) are not supported
    if area.upper() == "#REF!":
        return Const(Values.error(E.REF))
    m = _AREA.match(area)
    if not m and ":" in area:  # A1:B2:C3 or A1:name, one operand to the tokenizer: range operators
        parts = [_ref_node(p, row, col) for p in area.split(":")]
        if all(type(p) in (Ref, Name) for p in parts) and any(type(p) is Ref for p in parts):
            for p in parts:  # B2:E5:f, f a defined name: the range of both
                p.sheet = sheet
            node = parts[0]
            for p in parts[1:]:
                node = Op(":", [node, p])
            return node
    if not m:
        return Name(area, sheet)
    g = m.groups()
    if g[1] is not None:
        r0, c0 = int(g[3]), col_index(g[1])
        ar0, ac0 = bool(g[2]), bool(g[0])
        if g[5] is not None:
            r1, c1 = int(g[7]), col_index(g[5])
            ar1, ac1 = bool(g[6]), bool(g[4])
        else:
            r1, c1, ar1, ac1 = r0, c0, ar0, ac0
        if (r1, c1) < (r0, c0) and (r1 < r0 or c1 < c0):
            # normalise B3:A1 -> A1:B3 per axis
            if r1 < r0:
                r0, r1, ar0, ar1 = r1, r0, ar1, ar0
            if c1 < c0:
                c0, c1, ac0, ac1 = c1, c0, ac1, ac0
        return Ref(sheet,
                   r0 if ar0 else r0 - row, c0 if ac0 else c0 - col,
                   r1 if ar1 else r1 - row, c1 if ac1 else c1 - col,
                   ar0, ac0, ar1, ac1)
    if g[9] is not None:
        c0, c1 = col_index(g[9]), col_index(g[11])
        ac0, ac1 = bool(g[8]), bool(g[10])
        if c1 < c0:
            c0, c1, ac0, ac1 = c1, c0, ac1, ac0
        return Ref(sheet, None, c0 if ac0 else c0 - col, None, c1 if ac1 else c1 - col,
                   True, ac0, True, ac1)
    r0, r1 = int(g[13]), int(g[15])
    ar0, ar1 = bool(g[12]), bool(g[14])
    if r1 < r0:
        r0, r1, ar0, ar1 = r1, r0, ar1, ar0
    return Ref(sheet, r0 if ar0 else r0 - row, None, r1 if ar1 else r1 - row, None,
               ar0, True, ar1, True)


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
