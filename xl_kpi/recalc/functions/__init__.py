"""Excel's function library, one module per Excel category, each function computed for every
cell of a shape at once.

Importing this package registers every native function in :data:`FUNCTIONS` (see
:mod:`.registry` for the three registration styles). The evaluator finds a function with
:func:`resolve`: native first, then the ``KPI_*`` UDFs, then pycel's library one cell at a time.
The function modules import the evaluator's shared types (:mod:`..arrays`) only, never the
evaluator itself.
"""

from __future__ import annotations

from . import (  # noqa: F401  (register)
    bahttext,
    bessel,
    combinatorics,
    complex_numbers,
    database,
    date_time,
    distributions,
    dynamic,
    engineering,
    financial,
    forecasting,
    information,
    logical,
    lookup,
    math,
    matrices,
    numerals,
    pivot,
    regex,
    regression,
    securities,
    stats,
    subtotals,
    text,
)
from .criteria import wildcard_regex
from .pycel_bridge import pycel_function
from .registry import FUNCTIONS, Impl, aggregate, elementwise, register, resolve

__all__ = ["FUNCTIONS", "Impl", "aggregate", "elementwise", "pycel_function", "register", "resolve",
           "wildcard_regex"]
