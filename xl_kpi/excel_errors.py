"""Excel error values as Python objects, shared by the UDF layer and the recalculation engine.

An :class:`ExcelError` is a ``str`` subclass spelled exactly as Excel spells the error
(``"#DIV/0!"``), so it crosses xlwings as text and the generated VBA wrapper turns it into a real
error value with ``CVErr``; inside Python it stays distinguishable from ordinary text by its type.
"""

from __future__ import annotations

from .errors import EXCEL_ERRORS, ErrorKind

__all__ = ["ExcelError", "DIV0", "NUM", "VALUE", "NA", "REF", "NAME", "NULL", "SPILL", "CALC", "of_kind"]


class ExcelError(str):
    """One Excel error value, e.g. ``ExcelError("#N/A")``."""

    __slots__ = ()

    def __new__(cls, text: str) -> "ExcelError":
        if text not in EXCEL_ERRORS:
            raise ValueError(f"not an Excel error value: {text!r}")
        return super().__new__(cls, text)

    def __repr__(self) -> str:
        return f"ExcelError({str(self)!r})"


DIV0 = ExcelError("#DIV/0!")
NUM = ExcelError("#NUM!")
VALUE = ExcelError("#VALUE!")
NA = ExcelError("#N/A")
REF = ExcelError("#REF!")
NAME = ExcelError("#NAME?")
NULL = ExcelError("#NULL!")
SPILL = ExcelError("#SPILL!")
CALC = ExcelError("#CALC!")

_BY_KIND = {ErrorKind.DIV0: DIV0, ErrorKind.NUM: NUM, ErrorKind.VALUE: VALUE, ErrorKind.NA: NA}


def of_kind(kind: int) -> ExcelError:
    """The Excel error of an :class:`~xl_kpi.errors.ErrorKind` code (not ``OK``)."""
    return _BY_KIND[ErrorKind(kind)]
