"""The one error taxonomy of xl-kpi.

Every failure of a KPI is one of five kinds. Each kind is an exception class under
:class:`KPIError` and an :class:`ErrorKind` code, and each maps to exactly one Excel error
value. The Python API raises the exception; the Excel layer shows the error value; the
``errors="report"`` mode of every metric returns the codes per element.

======================  ===========================  ==========  ====================================
kind                    exception                    Excel       when
======================  ===========================  ==========  ====================================
``ErrorKind.DIV0``      :class:`ZeroDenominatorError` ``#DIV/0!`` a denominator is zero
``ErrorKind.NUM``       :class:`DomainError`          ``#NUM!``   a value outside its domain (negative
                                                                  count, churn above 100 %, score
                                                                  outside 0-10)
``ErrorKind.VALUE``     :class:`NonNumericError`      ``#VALUE!`` text (or a bool) where a number belongs
``ErrorKind.VALUE``     :class:`ShapeMismatchError`   ``#VALUE!`` arguments of incompatible shapes
``ErrorKind.VALUE``     :class:`InvalidOptionError`   ``#VALUE!`` an option outside its choices
``ErrorKind.NA``        :class:`NoDataError`          ``#N/A``    no data at all, or a missing value
======================  ===========================  ==========  ====================================
"""

from __future__ import annotations

import enum

from .excel_errors import DIV0, EXCEL_ERRORS, NA, NUM, VALUE  # EXCEL_ERRORS re-exported

__all__ = [
    "ErrorKind",
    "KPIError",
    "ZeroDenominatorError",
    "DomainError",
    "NonNumericError",
    "ShapeMismatchError",
    "InvalidOptionError",
    "NoDataError",
    "EXCEL_ERRORS",
]


class ErrorKind(enum.IntEnum):
    """Per-element failure codes; ``OK`` (0) means the element computed."""

    OK = 0
    DIV0 = 1
    NUM = 2
    VALUE = 3
    NA = 4

    @property
    def excel(self) -> str | None:
        """The Excel error value of this kind (``None`` for ``OK``)."""
        return _EXCEL[self]


_EXCEL = {
    ErrorKind.OK: None,
    ErrorKind.DIV0: str(DIV0),
    ErrorKind.NUM: str(NUM),
    ErrorKind.VALUE: str(VALUE),
    ErrorKind.NA: str(NA),
}


class KPIError(ValueError):
    """Base class of every xl-kpi failure.

    Attributes
    ----------
    argument : str or None
        The name of the argument at fault, as in the function signature.
    value : object
        The offending value (one element for array inputs).
    kind : ErrorKind
        The failure kind; ``kind.excel`` is the Excel error value.
    """

    kind = ErrorKind.VALUE

    def __init__(self, message: str, *, argument: str | None = None, value: object = None):
        super().__init__(message)
        self.argument = argument
        self.value = value

    @property
    def excel(self) -> str:
        """The Excel error value this failure shows as."""
        return self.kind.excel


class ZeroDenominatorError(KPIError, ZeroDivisionError):
    """A denominator is zero (Excel ``#DIV/0!``)."""

    kind = ErrorKind.DIV0


class DomainError(KPIError):
    """A value lies outside its domain (Excel ``#NUM!``)."""

    kind = ErrorKind.NUM


class NonNumericError(KPIError, TypeError):
    """Text or another non-number where a number belongs (Excel ``#VALUE!``)."""

    kind = ErrorKind.VALUE


class ShapeMismatchError(KPIError):
    """Arguments whose shapes cannot be paired element by element (Excel ``#VALUE!``)."""

    kind = ErrorKind.VALUE


class InvalidOptionError(KPIError):
    """An option (such as ``method``) outside its allowed choices (Excel ``#VALUE!``)."""

    kind = ErrorKind.VALUE


class NoDataError(KPIError):
    """No data at all, or a missing (NaN/None) value (Excel ``#N/A``)."""

    kind = ErrorKind.NA


#: The exception class raised for each kind (VALUE raises NonNumericError).
EXCEPTION_OF = {
    ErrorKind.DIV0: ZeroDenominatorError,
    ErrorKind.NUM: DomainError,
    ErrorKind.VALUE: NonNumericError,
    ErrorKind.NA: NoDataError,
}
