"""The formula trees of the former route, pycel's parser, for the equivalence test only.

:func:`old_tree` is what ``compile_formula`` parsed before :mod:`xl_kpi.recalc.parser`: text
pre-passes for the gaps of openpyxl's tokenizer, ``pycel.excelformula.ExcelFormula(src).ast``,
and the conversion of pycel's tree to our nodes. ``tests/test_recalc_parser_equivalence.py``
compares the two trees node by node.
"""

from __future__ import annotations

import re

from xl_kpi.recalc.formula import FormulaLimitError, FormulaSyntaxError, closing
from xl_kpi.recalc.nodes import (
    MAX_ARGUMENTS,
    MAX_FORMULA_CHARS,
    MAX_NESTING,
    ArrayLit,
    Const,
    Func,
    Name,
    Node,
    Op,
    Ref,
    Structured,
)
from xl_kpi.recalc.package import col_index
from xl_kpi.recalc.parser import _AREA  # the same pattern the former route matched areas with
from xl_kpi.recalc.values import E, Values


def old_tree(text: str, row: int, col: int):
    """The tree pycel's route gave, before tables and unions (raises as it raised)."""
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
    return _convert(tree, row, col)


_INFIX = {"+", "-", "*", "/", "^", "&", "=", "<>", "<", ">", "<=", ">=", ":"}
_PREFIXES = ("_XLFN._XLWS.", "_XLFN.", "_XLWS.", "_XLUDF.")


def _excel_formula():
    from pycel.excelformula import ExcelFormula  # imported on first use: pycel loads networkx

    return ExcelFormula



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
            from xl_kpi.recalc.package import ERROR_CODE

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


