"""The nodes of a compiled formula, and the errors of a formula that cannot be compiled.

References are stored *relative to the formula's cell* (R1C1 style), so one tree serves every
cell of a formula copied down a column.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .values import E, Values

__all__ = ["Node", "Const", "Ref", "Name", "Op", "Func", "ArrayLit", "Structured", "FormulaSyntaxError",
           "FormulaLimitError", "MAX_FORMULA_CHARS", "MAX_NESTING", "MAX_ARGUMENTS"]


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
