"""xlwings Lite: how the ``KPI_*`` functions become Office.js custom functions.

xlwings Lite, the Office add-in that runs Python (Pyodide) in Excel on Windows, Mac and the web,
imports the workbook's ``main.py`` with ``XLWINGS_ON_SERVER=true``: ``xlwings.func``, ``xlwings.arg``
and ``xlwings.ret`` are then the Office.js decorators of ``xlwings.server``, and every decorated
function found in ``main.py`` (``from xl_kpi.udfs import *`` puts them there) is registered. When
:mod:`xl_kpi.udfs` finds those decorators (:func:`is_office_js`), it declares each function with
:func:`declare` instead of the classic add-in's decorators. What differs, read in xlwings 0.37.8
(``xlwings/pro/udfs_officejs.py``, ``xlwings/pro/_xlofficejs.py``):

Options
    An option that takes fixed words (the catalogue's ``choices_from``) is annotated
    ``Literal[...]``: Lite lists the words in a dropdown, each with its tooltip. xlwings' classic
    reader has no converter for ``Literal``, so the annotation is set here only, at declaration,
    never in the classic add-in.
Arguments
    Office.js sends integral numbers that Pyodide turns into ``int``; :func:`read_cells` makes
    them ``float``, so that no cell value is mistaken for a COM error code (the classic encoding
    of the newer errors). Error cells arrive as their text (the ``err_to_str`` read option), date
    cells as serial numbers, blank cells and omitted optional arguments as None.
Results
    xlwings turns an error's text into a native error value (custom functions runtime 1.4 and
    later). Custom functions can return only ``#DIV/0!``, ``#N/A``, ``#NUM!``, ``#VALUE!`` and
    ``#NULL!`` (Microsoft, "Handle and return errors from your custom function"), so
    :func:`write_cells` passes any other error that came in (``#REF!``, ``#NAME?``, ``#SPILL!``,
    ``#CALC!``, ``#GETTING_DATA``) on as ``#VALUE!``. A date (the month column of
    ``KPI_MRR_MOVEMENTS`` and ``KPI_COHORTS``) becomes a formatted number: a date in the user's
    short date format, as xlwings reads it from Excel, else in ISO ``yyyy-mm-dd``.

Nothing here imports ``xlwings.server`` (licensed PolyForm Noncommercial or commercially): the
decorators are the ones Lite installed on ``xlwings``, and the converter builds on xlwings' core
(BSD) conversion framework.
"""

from __future__ import annotations

import datetime as dt
import os
from functools import lru_cache
from typing import Annotated, Any, Callable, Literal

from .catalogue import Function
from .excel_args import incoming_error
from .excel_dates import to_serial
from .excel_errors import DIV0, NA, NULL, NUM, VALUE, ExcelError  # noqa: F401 - the doctests use it

__all__ = ["is_office_js", "declare", "read_cells", "write_cells", "RETURNABLE_ERRORS", "FALLBACK_DATE_FORMAT"]

#: The errors an Office.js custom function can put in a cell.
RETURNABLE_ERRORS = frozenset({DIV0, NA, NUM, VALUE, NULL})

#: The number format of a returned date when Excel gave no usable short date format.
FALLBACK_DATE_FORMAT = "yyyy-mm-dd"

#: The first custom functions runtime whose results can be formatted numbers and error objects.
_DATA_TYPES_RUNTIME = (1, 4)

#: The module of xlwings' Office.js decorators (xlwings Lite and xlwings Server).
_OFFICE_JS_MODULE = "xlwings.pro.udfs_officejs"


def is_office_js(xw: Any) -> bool:
    """Whether ``xw`` (the xlwings module) carries the Office.js decorators, as in xlwings Lite.

    Lite sets ``XLWINGS_ON_SERVER=true`` before importing xlwings, which then exposes the
    decorators of ``xlwings.server``; either sign is enough.
    """
    if getattr(getattr(xw, "func", None), "__module__", None) == _OFFICE_JS_MODULE:
        return True
    return os.environ.get("XLWINGS_ON_SERVER") == "true"


# -- cells in and out -----------------------------------------------------------------------------


def _map(value: Any, cell: Callable[[Any], Any]) -> Any:
    if isinstance(value, list):
        return [_map(v, cell) for v in value]
    return cell(value)


def _read_cell(v: Any) -> Any:
    return float(v) if type(v) is int else v


def read_cells(value: Any) -> Any:
    """An argument as Lite delivers it, in the form :func:`xl_kpi.excel_args.evaluate` reads.

    >>> read_cells([[3, 2.5, None, "#N/A", True]])
    [[3.0, 2.5, None, '#N/A', True]]
    """
    return _map(value, _read_cell)


def _runtime(version: Any) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in str(version).split("."))
    except ValueError:
        return (0,)


def write_cells(value: Any, date_format: str | None = None, runtime: Any = "1.4") -> Any:
    """A function's result (a cell or rows of cells) as the cells a custom function returns.

    ``date_format`` and ``runtime`` are what xlwings resolved for the call (Excel's short date
    format, the custom functions runtime version).

    >>> write_cells([[dt.datetime(2024, 1, 1), ExcelError("#REF!"), ExcelError("#N/A"), ""]])
    [[{'type': 'FormattedNumber', 'basicValue': 45292.0, 'numberFormat': 'yyyy-mm-dd'}, \
ExcelError('#VALUE!'), ExcelError('#N/A'), '']]
    >>> write_cells(dt.datetime(2024, 1, 1), "m/d/yyyy", "1.3")
    45292.0
    """
    formatted = _runtime(runtime) >= _DATA_TYPES_RUNTIME

    def cell(v: Any) -> Any:
        if isinstance(v, dt.date):
            serial = to_serial(v)
            if not formatted:
                return serial
            return {"type": "FormattedNumber", "basicValue": serial, "numberFormat": date_format or FALLBACK_DATE_FORMAT}
        error = incoming_error(v) if isinstance(v, str) else None
        if error is not None and error not in RETURNABLE_ERRORS:
            return VALUE
        return v

    return _map(value, cell)


@lru_cache(maxsize=None)
def _converter() -> type:
    """The xlwings converter of every argument and result (built on first use: it needs xlwings)."""
    from xlwings.conversion import Converter

    class KpiCells(Converter):
        """xl-kpi's cells across Office.js: :func:`read_cells` in, :func:`write_cells` out."""

        @staticmethod
        def read_value(value, options):
            return read_cells(value)

        @staticmethod
        def write_value(value, options):
            return write_cells(value, options.get("date_format"), options.get("runtime", "1.4"))

    return KpiCells


# -- declaration ----------------------------------------------------------------------------------


def _choice_annotation(p) -> Any:
    """``Literal`` of an option's words (Lite's dropdown), with each word's tooltip."""
    return Annotated[Literal[p.choices], {"tooltips": dict(p.tips)}]


def declare(func: Callable, spec: Function, xw: Any, read_options: dict, category: str) -> Callable:
    """Declare ``func`` to xlwings' Office.js decorators (on ``xw``) from its catalogue entry.

    Each argument gets its help text and ``read_options``; a fixed-choice option becomes a
    dropdown; arguments and result cross :func:`read_cells` and :func:`write_cells`.
    """
    annotations = dict(getattr(func, "__annotations__", {}))
    for p in spec.params:
        if p.choices:
            annotations[p.name] = _choice_annotation(p)
    func.__annotations__ = annotations
    cells = _converter()
    for p in reversed(spec.params):
        func = xw.arg(p.name, cells, doc=p.doc, **read_options)(func)
    func = xw.ret(cells)(func)
    return xw.func(category=category)(func)
