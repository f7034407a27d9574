"""Excel's error values: the one table of them, and their Python objects.

==================  ============  ==================================================
error               ``CVErr(n)``  Excel shows it for
==================  ============  ==================================================
``#NULL!``          2000          an intersection of ranges that do not meet
``#DIV/0!``         2007          a division by zero
``#VALUE!``         2015          a value of the wrong type
``#REF!``           2023          a reference to a cell that does not exist
``#NAME?``          2029          an unknown function or name
``#NUM!``           2036          a number outside a function's domain
``#N/A``            2042          a value not available
``#GETTING_DATA``   2043          a value still being fetched
``#SPILL!``         2045          a dynamic array that cannot spill
``#CALC!``          2050          a calculation Excel cannot do (an empty array)
==================  ============  ==================================================

The numbers are Excel's ``XlCVError`` constants (``xlErrDiv0 = 2007``), which VBA's ``CVErr``
takes and COM sends as the HRESULT ``0x800A0000 + n``. Everything else derives from this table:
:data:`EXCEL_ERRORS` (the spellings, in this order), :data:`XL_ERROR_NUMBERS`, the error codes of
the recalculation engine (:data:`ERROR_CODE`, the position in the table plus one) and
:class:`~xl_kpi.errors.ErrorKind`'s Excel values.

An :class:`ExcelError` is a ``str`` subclass spelled exactly as Excel spells the error
(``"#DIV/0!"``), so it crosses xlwings as text and the generated VBA wrapper turns it into a real
error value with ``CVErr``; inside Python it stays distinguishable from ordinary text by its type.

>>> XL_ERROR_NUMBERS[2007], ERROR_CODE["#N/A"], ExcelError("#NUM!")
('#DIV/0!', 7, ExcelError('#NUM!'))
"""

from __future__ import annotations

__all__ = [
    "ExcelError", "DIV0", "NUM", "VALUE", "NA", "REF", "NAME", "NULL", "GETTING_DATA", "SPILL", "CALC",
    "of_kind", "EXCEL_ERRORS", "XL_ERROR_NUMBERS", "ERROR_CODES", "ERROR_CODE",
]

#: (spelling, CVErr number) of every Excel error value, by number.
TABLE = (
    ("#NULL!", 2000),
    ("#DIV/0!", 2007),
    ("#VALUE!", 2015),
    ("#REF!", 2023),
    ("#NAME?", 2029),
    ("#NUM!", 2036),
    ("#N/A", 2042),
    ("#GETTING_DATA", 2043),
    ("#SPILL!", 2045),
    ("#CALC!", 2050),
)

#: Every Excel error value, as Excel spells it.
EXCEL_ERRORS = tuple(text for text, _ in TABLE)
#: Excel's error numbers (VBA ``CVErr(n)``, the XlCVError constants such as ``xlErrDiv0 = 2007``).
XL_ERROR_NUMBERS = {number: text for text, number in TABLE}
#: The recalculation engine stores an error as a code: its position in :data:`ERROR_CODES` plus one.
ERROR_CODES = EXCEL_ERRORS
ERROR_CODE = {text: i + 1 for i, text in enumerate(ERROR_CODES)}


class ExcelError(str):
    """One Excel error value, e.g. ``ExcelError("#N/A")``."""

    __slots__ = ()

    def __new__(cls, text: str) -> "ExcelError":
        if text not in ERROR_CODE:
            raise ValueError(f"not an Excel error value: {text!r}")
        return super().__new__(cls, text)

    def __repr__(self) -> str:
        return f"ExcelError({str(self)!r})"


NULL, DIV0, VALUE, REF, NAME, NUM, NA, GETTING_DATA, SPILL, CALC = (ExcelError(t) for t in EXCEL_ERRORS)

_BY_TEXT = {str(e): e for e in (NULL, DIV0, VALUE, REF, NAME, NUM, NA, GETTING_DATA, SPILL, CALC)}
_BY_KIND: dict[int, ExcelError] = {}


def of_kind(kind: int) -> ExcelError:
    """The Excel error of an :class:`~xl_kpi.errors.ErrorKind` code (not ``OK``)."""
    try:
        return _BY_KIND[kind]
    except KeyError:
        from .errors import ErrorKind  # errors.py imports this module: look the kinds up late

        text = ErrorKind(kind).excel
        if text is None:
            raise ValueError("ErrorKind.OK is no Excel error") from None
        error = _BY_KIND[int(kind)] = _BY_TEXT[text]
        return error
