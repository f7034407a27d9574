"""Formula text to a tree of :mod:`.nodes`: Excel's tokens and operator precedence.

:func:`tokenize` cuts the text into operands (numbers, strings, logicals, errors, references and
names), operators, function calls and punctuation; :func:`parse` builds the nodes with explicit
operand and operator stacks (shunting-yard), so neither a long operator chain nor deep
parentheses cost Python stack.

Precedence, tightest first, as Excel's: ``:`` (range), space (intersection), ``,`` (union, where
the comma separates no arguments or array columns), negation, ``%``, ``^``, ``* /``, ``+ -``,
``&``, comparisons. Binary operators are left-associative (``2^3^2`` is 64) and negation binds
tighter than ``^`` (``-2^2`` is 4); a unary plus is dropped.
"""

from __future__ import annotations

import re

from ..excel_errors import ERROR_CODE, ERROR_CODES
from .nodes import (
    MAX_ARGUMENTS,
    MAX_NESTING,
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
from .package import col_index
from .values import E, Values

__all__ = ["parse", "tokenize", "reference", "split_sheet"]

_ERROR = "|".join(re.escape(e) for e in ERROR_CODES)
#: a structured reference's brackets, two levels deep at most (``[[#This Row],[Col]]``); ``'`` escapes
_BRACKETS = r"\[(?:[^\[\]']|'[\s\S]|\[(?:[^\[\]']|'[\s\S])*\])*\]"
#: the characters that end an operand outside quotes and brackets
_ENDERS = " \\n\\r\\t\"'\\[\\]#+\\-*/^&=<>%(){},;"
_TOKEN = re.compile(
    r"(?P<ws>[ \n\r\t]+)"
    r'|(?P<str>"(?:[^"]|"")*")'
    r"|(?P<num>(?:\d+\.?\d*|\.\d+)(?:[Ee][+-]?\d+)?)(?![^ \n\r\t\"\]#+\-*/^&=<>%(){},;])"
    # a reference or a name: sheet prefixes, colons and brackets included, split by _segments
    r"|(?P<word>(?:[^" + _ENDERS + r"]|'(?:[^']|'')*'|" + _BRACKETS + r")+(?:(?<=!)(?:" + _ERROR + r"))?)"
    r"|(?P<err>" + _ERROR + r")"
    r"|(?P<op><>|<=|>=|[-+*/^&=<>%])"
    r"|(?P<punct>[(){},;])"
)
_AREA = re.compile(
    r"^(\$?)([A-Za-z]{1,3})(\$?)(\d+)(?::(\$?)([A-Za-z]{1,3})(\$?)(\d+))?$"
    r"|^(\$?)([A-Za-z]{1,3}):(\$?)([A-Za-z]{1,3})$"
    r"|^(\$?)(\d+):(\$?)(\d+)$"
)
_PREFIXES = ("_XLFN._XLWS.", "_XLFN.", "_XLWS.", "_XLUDF.")

#: binding power of each operator (higher binds tighter); "neg" is the prefix minus
_POWER = {":": 80, "isect": 70, "union": 60, "neg": 50, "^": 40, "*": 30, "/": 30, "+": 20, "-": 20, "&": 15,
          "=": 10, "<>": 10, "<": 10, ">": 10, "<=": 10, ">=": 10}
_PERCENT = 45
_OPERANDS = frozenset({"num", "str", "bool", "err", "ref"})
#: tokens that may follow a space that is the intersection operator
_STARTS = _OPERANDS | {"func", "("}


def _fail(text: str, why: str):
    short = text if len(text) <= 80 else text[:80] + "..."
    return FormulaSyntaxError(f"cannot parse formula {'=' + short!r}: {why}")


# ---------------------------------------------------------------------------------------------
# Tokens


def tokenize(text: str) -> list[tuple[str, str, bool]]:
    """The tokens of a formula (without its ``=``) as ``(kind, text, after_space)``.

    Kinds: ``num str bool err ref`` (operands), ``func`` (a name and its opening parenthesis),
    ``op`` (``+ - * / ^ & = <> < > <= >=`` and ``%``), ``:`` and the punctuation ``( ) { } , ;``
    as itself. Whitespace is no token: ``after_space`` tells that some came before.

    >>> [k for k, _, _ in tokenize("SUM(A1:B2, 1)")]
    ['func', 'ref', ',', 'num', ')']
    """
    out: list[tuple[str, str, bool]] = []
    pos, n, space = 0, len(text), False
    match = _TOKEN.match
    while pos < n:
        m = match(text, pos)
        if m is None:
            raise _fail(text, f"unexpected {text[pos]!r} at position {pos + 1}")
        kind, value, pos = m.lastgroup, m.group(), m.end()
        if kind == "ws":
            space = True
            continue
        if kind == "word":
            _word(out, value, pos < n and text[pos] == "(", space)
            if pos < n and text[pos] == "(" and out[-1][0] == "func":
                pos += 1
        elif kind == "punct":
            out.append((value, value, space))
        else:
            out.append((kind, value, space))
        space = False
    return out


def _word(out: list, word: str, call: bool, space: bool) -> None:
    """The tokens of one run of operand characters: references, names or a function's name,
    joined by range operators (``B2:E5:f``, ``A1:INDEX(``)."""
    parts = _segments(word) if ":" in word else [word]
    last = len(parts) - 1
    for i, part in enumerate(parts):
        if i:
            out.append((":", ":", False))
        if not part:
            continue
        if i == last and call:
            out.append(("func", part, space))
        elif part in ("TRUE", "FALSE") and last == 0:
            out.append(("bool", part, space))
        else:
            out.append(("ref", part, space))
        space = False


def _segments(word: str) -> list[str]:
    """The operands of the range operators in one word, split at the colons outside quotes and
    brackets; a pair that is one area (``A1:B2``, ``A:A``, ``1:3``) and a 3-D sheet span
    (``Sheet1:Sheet3!A1``) stay whole."""
    raw, depth, quoted, last = [], 0, False, 0
    for i, ch in enumerate(word):
        if ch == "'" and not depth:
            quoted = not quoted
        elif quoted:
            continue
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif ch == ":" and not depth:
            raw.append(word[last:i])
            last = i + 1
    raw.append(word[last:])
    out: list[str] = []
    for seg in raw:
        if out and seg and out[-1]:
            prev = out[-1]
            if "!" not in seg:
                area = prev.rpartition("!")[2]
                if ":" not in area and _AREA.match(area + ":" + seg):
                    out[-1] = prev + ":" + seg
                    continue
            elif "!" not in prev and ":" not in prev and not _AREA.match(prev):
                out[-1] = prev + ":" + seg  # Sheet1:Sheet3!A1
                continue
        out.append(seg)
    return out


# ---------------------------------------------------------------------------------------------
# Operands


def split_sheet(value: str) -> tuple[str | None, str]:
    """``"'My Sheet'!A1"`` -> ("My Sheet", "A1")."""
    if "!" not in value:
        return None, value
    if value.startswith("'"):
        end = value.rfind("'!")
        if end > 0:
            return value[1:end].replace("''", "'"), value[end + 2:]
    sheet, _, rest = value.rpartition("!")
    return sheet, rest


def reference(text: str, row: int, col: int) -> Node:
    """One reference operand written in (row, col): a Ref, a Name, a Structured reference, or
    ``#REF!`` (a 3-D reference, or a reference Excel already found deleted)."""
    if text.startswith("@"):  # implicit intersection marker: the evaluator intersects anyway
        text = text[1:]
    if text.endswith("]"):
        return Structured(text)
    if text.endswith("#REF!"):  # Sheet1!#REF!: a reference Excel found deleted
        return Const(Values.error(E.REF))
    sheet, area = split_sheet(text)
    if sheet is not None and ":" in sheet and not sheet.startswith("["):
        return Const(Values.error(E.REF))  # 3-D references (Sheet1:Sheet3!A1) are not supported
    if not area:
        raise FormulaSyntaxError(f"reference {text!r} names no cell")
    m = _AREA.match(area)
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
        if r1 < r0:  # B3:A1 is A1:B3, per axis
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


def _operand(kind: str, text: str, row: int, col: int) -> Node:
    if kind == "ref":
        return reference(text, row, col)
    if kind == "num":
        return Const(Values.number(float(text)))
    if kind == "str":
        return Const(Values.string(text[1:-1].replace('""', '"')))
    if kind == "bool":
        return Const(Values.boolean(text == "TRUE"))
    return Const(Values.error(ERROR_CODE[text]))


def _function_name(text: str) -> str:
    """``_xlfn.XLOOKUP`` -> ``XLOOKUP``; ``'book.xlam'!KPI_X`` -> ``KPI_X`` (an add-in's function)."""
    name = text.upper()
    for p in _PREFIXES:
        if name.startswith(p):
            name = name[len(p):]
    if "!" in name:
        name = name.rsplit("!", 1)[1]
    return name


# ---------------------------------------------------------------------------------------------
# Parsing


class _Group:
    """An open parenthesis, function call or array literal on the operator stack."""

    __slots__ = ("kind", "name", "args", "rows", "after_comma")

    def __init__(self, kind: str, name: str = "", args: list | None = None):
        self.kind = kind  # "(", "f" (a function's arguments) or "{"
        self.name = name
        self.args = args if args is not None else []
        self.rows: list[list] = [self.args]
        self.after_comma = False


def parse(text: str, row: int, col: int) -> Node:
    """The tree of a formula (without its ``=``) written in cell (row, col).

    Raises :class:`FormulaSyntaxError` for text that is no formula, :class:`FormulaLimitError`
    for functions nested deeper than 64 levels or given more than 255 arguments.
    """
    tokens = tokenize(text)
    if not tokens:
        raise _fail(text, "empty formula")
    out: list = []  # operands, and the nodes built so far
    ops: list = []  # operator names (str) and open groups
    groups: list[_Group] = []
    power = _POWER
    want = True  # an operand is expected next
    closed = False  # the last token ends an operand a space may intersect (an operand or ")")
    depth = 0  # functions open
    i, n = 0, len(tokens)

    def reduce(least: int) -> None:
        while ops and type(ops[-1]) is str and power[ops[-1]] >= least:
            op = ops.pop()
            if op == "neg":
                out[-1] = Op("neg", [out[-1]])
            else:
                right = out.pop()
                out[-1] = Op(op, [out[-1], right])

    def close_group(kind: str) -> _Group:
        reduce(0)
        if not groups or not ops or ops[-1] is not groups[-1]:
            raise _fail(text, f"unmatched {kind!r}")
        ops.pop()
        return groups.pop()

    def call(g: _Group) -> None:
        """The function of a group just closed; ``LAMBDA(x, x+1)(2)`` opens ``LAMBDA.CALL``."""
        nonlocal i, want, closed, depth
        if len(g.args) > MAX_ARGUMENTS:
            raise FormulaLimitError(f"{g.name} given {len(g.args):,} arguments; Excel allows {MAX_ARGUMENTS}")
        node = Func(_function_name(g.name), g.args)
        depth -= 1
        if node.name == "LAMBDA" and i < n and tokens[i][0] == "(" and not tokens[i][2]:
            i += 1
            depth += 1
            g = _Group("f", "LAMBDA.CALL", [node])
            groups.append(g)
            ops.append(g)
            want = True
        else:
            out.append(node)
            want, closed = False, True

    while i < n:
        kind, value, space = tokens[i]
        i += 1
        if want:
            if kind in _OPERANDS:
                out.append(_operand(kind, value, row, col))
                want, closed = False, True
            elif kind == "op" and value in "+-":
                if value == "-":
                    ops.append("neg")
            elif kind == "(" or kind == "{":
                g = _Group(kind)
                groups.append(g)
                ops.append(g)
            elif kind == "func":
                depth += 1
                if depth > MAX_NESTING:
                    raise FormulaLimitError(f"functions nested more than {MAX_NESTING} levels deep, "
                                            f"the most Excel allows")
                g = _Group("f", value)
                groups.append(g)
                ops.append(g)
            elif kind in (",", ")") and groups and ops[-1] is groups[-1] and groups[-1].kind == "f":
                g = groups[-1]
                if kind == ",":  # an omitted argument: IF(A1,,2)
                    g.args.append(None)
                    g.after_comma = True
                    continue
                if g.after_comma:
                    g.args.append(None)
                close_group(")")
                call(g)
            else:
                raise _fail(text, f"expected an operand, found {value!r}" if value else "an operand is missing")
            continue
        if kind == "op" and value != "%" or kind == ":":
            reduce(power[value])
            ops.append(value)
            want = True
        elif kind == "op":  # %
            reduce(_PERCENT)
            out[-1] = Op("%", [out[-1]])
            closed = False
        elif kind == ")":
            g = close_group(")")
            if g.kind == "{":
                raise _fail(text, "array closed by ')'")
            if g.kind == "f":
                g.args.append(out.pop())
                call(g)
            else:
                closed = True
        elif kind == ",":
            g = groups[-1] if groups else None
            if g is None or g.kind == "(":
                reduce(power["union"])
                ops.append("union")
            else:
                close_group(",")
                groups.append(g)
                ops.append(g)
                g.rows[-1].append(out.pop())
                g.after_comma = True
            want = True
        elif kind == ";" or kind == "}":
            g = close_group(kind)
            if g.kind != "{":
                raise _fail(text, f"{kind!r} outside an array")
            g.rows[-1].append(out.pop())
            if kind == ";":
                g.rows.append([])
                groups.append(g)
                ops.append(g)
                want = True
            else:
                out.append(ArrayLit(g.rows))
                closed = False
        elif space and closed and kind in _STARTS:  # a space between two references: intersection
            reduce(power["isect"])
            ops.append("isect")
            want = True
            i -= 1
        else:
            raise _fail(text, f"unexpected {value!r} after an operand")
    if want:
        raise _fail(text, "the formula ends where an operand is expected")
    reduce(0)
    if ops:
        raise _fail(text, "unclosed parenthesis or brace")
    return out[0]
