"""The boundary between Excel and the metrics core: arguments in, cells out, one place.

Every ``KPI_*`` function of :mod:`xl_kpi.udfs` hands its arguments, exactly as xlwings (or the
recalculation engine) delivers them, to :func:`evaluate`, which converts them by the kind the
catalogue gives each argument, calls the Python function of :mod:`xl_kpi.catalogue` and turns its
result into what a cell can hold. No formula lives here: only Excel's calling conventions.

What comes in (xlwings values)
    ``float`` (a number; ``int`` also accepted), ``None`` (a blank cell or an omitted argument),
    ``str`` (text), ``bool``, ``datetime`` (a date cell), a 2-D list of rows for a multi-cell range
    (a 1-D list is read as one row, like the array constant ``{1,2,3}``; a 1x1 range is the single
    cell), and an error cell as an :class:`~xl_kpi.excel_errors.ExcelError`. xlwings' own
    encodings of error cells are recognized too: the error's text (its ``err_to_str=True`` read
    option, which the UDFs set) and the raw COM error code it leaves for errors it does not name
    (``#SPILL!``, ``#CALC!``, ``#GETTING_DATA``).

How each kind of argument is read (the catalogue's conventions)
    ``value``: one number per cell, element-wise over a range. Blank is 0, as in Excel arithmetic
    (a blank optional argument takes its default instead, as if omitted); text (numeric text
    included: the catalogue's rule, stricter than Excel's arithmetic) and booleans are
    ``#VALUE!`` for their cell; a date counts as its serial number, as Excel stores it.
    ``list``: aggregated like SUM: blanks, text and booleans are skipped; dates count as serial
    numbers. The columns of the subscription tables (ids, months, MRR) are passed as they are
    and read by :mod:`xl_kpi.subscriptions`.
    ``option``: one cell; blank or omitted means the default; a range is ``#VALUE!``.

Errors
    An error cell among the arguments propagates, as in Excel's own functions: in a value argument
    to its own element of the result, in a list or an option to the whole result; where several
    meet, the first argument's error wins (text in a value argument counts as ``#VALUE!`` in that
    order). It wins over any error the KPI would find itself. Then
    the KPI's own failures become Excel errors per element (the metrics' ``errors="report"`` mode);
    a failure of the call as a whole (ranges of incompatible sizes, an unknown option, no data) is
    one error for the whole result. A non-finite number never reaches a cell: it is ``#NUM!``.
    Only :class:`~xl_kpi.errors.KPIError` is caught; any other exception is a bug and is not hidden.

What goes out
    A ``float`` or an :class:`~xl_kpi.excel_errors.ExcelError` when every value argument was a
    single cell; otherwise a 2-D list of rows of floats and ExcelErrors, of the broadcast shape of
    the value arguments (a 1-D result, such as the funnel's stages, follows the orientation of the
    list it came from: a row gives a row, anything else a column). Tables (movements, cohorts) come
    out as rows without a header, dates as ``datetime`` and "no data yet" as ``""``.
"""

from __future__ import annotations

import datetime as dt
import inspect
import math
import numbers
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from .catalogue import INTERFACE, Function, Param
from .errors import EXCEL_ERRORS, ErrorKind, InvalidOptionError, KPIError, NoDataError, ShapeMismatchError
from .excel_dates import to_serial
from .excel_errors import NA, NUM, VALUE, XL_ERROR_NUMBERS, ExcelError, of_kind
from .metrics import Checked
from .metrics._kernel import _to_float, loaded_pandas

__all__ = ["evaluate", "incoming_error", "excel_serial", "NO_DATA", "XL_ERROR_NUMBERS"]

#: What a table cell without data shows: nothing (the text Excel shows for ``=""``).
NO_DATA = ""

#: COM encodes the error value ``CVErr(n)`` as the HRESULT ``0x800A0000 + n``; pywin32 hands it to
#: Python as that signed 32-bit int. xlwings' ``err_to_str`` names seven of them
#: (``xlwings._xlwindows.cell_errors``); the newer ones arrive as the bare int.
_COM_ERROR_BASE = 0x800A0000 - (1 << 32)
_COM_ERRORS = {_COM_ERROR_BASE + n: ExcelError(text) for n, text in XL_ERROR_NUMBERS.items()}

_OMITTED = object()  # an option or optional argument left out (or blank): use the default


# -- one cell -------------------------------------------------------------------------------------


def incoming_error(v: Any) -> ExcelError | None:
    """The Excel error a cell value stands for, or None.

    >>> incoming_error(ExcelError("#N/A")), incoming_error("#DIV/0!"), incoming_error(-2146826281)
    (ExcelError('#N/A'), ExcelError('#DIV/0!'), ExcelError('#DIV/0!'))
    >>> incoming_error("churn") is None, incoming_error(0.05) is None
    (True, True)
    """
    if isinstance(v, ExcelError):
        return v
    if isinstance(v, str):
        return ExcelError(v) if v in EXCEL_ERRORS else None
    if type(v) is int:  # not bool, not float: only COM error codes come in as plain ints
        return _COM_ERRORS.get(v)
    return None


def excel_serial(v: dt.date) -> float:
    """The serial number Excel stores for a date or a date-time (see :mod:`xl_kpi.excel_dates`).

    >>> excel_serial(dt.datetime(2024, 1, 31)), excel_serial(dt.date(1900, 3, 1)), excel_serial(dt.date(1900, 1, 1))
    (45322.0, 61.0, 1.0)
    """
    return to_serial(v)


def _number_or_same(v: Any) -> Any:
    """A date becomes its serial number, as Excel stores it; any other cell value is returned as is."""
    if isinstance(v, dt.date):
        return excel_serial(v)
    return v


def _is_number(v: Any) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))


# -- ranges ---------------------------------------------------------------------------------------


def _grid(name: str, x: Any) -> np.ndarray:
    """An argument as a 0-d (one cell) or 2-D (a range) object array of cell values."""
    if isinstance(x, np.ndarray):
        x = x.tolist()
    if not isinstance(x, (list, tuple)):
        cell = np.empty((), dtype=object)
        cell[()] = x
        return cell
    rows = list(x)
    nested = [isinstance(r, (list, tuple)) for r in rows]
    if any(nested) and not all(nested):
        raise ShapeMismatchError(f"{name!r} mixes cells and rows; pass a rectangular range", argument=name)
    if not all(nested):
        rows = [rows]  # a 1-D list is one row, like the array constant {1,2,3}
    widths = {len(r) for r in rows}
    if len(widths) > 1:
        raise ShapeMismatchError(f"{name!r} has rows of different lengths: {sorted(widths)}", argument=name)
    width = widths.pop() if widths else 0
    if not rows or width == 0:
        raise NoDataError(f"{name!r} is an empty range", argument=name, value=x)
    grid = np.empty((len(rows), width), dtype=object)
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            if isinstance(v, (list, tuple, np.ndarray)):
                raise ShapeMismatchError(f"{name!r} has more than two dimensions", argument=name)
            grid[i, j] = v
    return grid.reshape(()) if grid.size == 1 else grid


def _first(errors: np.ndarray) -> ExcelError | None:
    for e in errors.reshape(-1):
        if e is not None:
            return e
    return None


@dataclass
class _Arg:
    """One converted argument: what the metric receives, and the error cells that came in."""

    param: Param
    data: Any = _OMITTED
    errors: Any = None  # value: object array of ExcelError/None; list, option: ExcelError or None
    shape: tuple = ()  # shape of the range it came from

    @property
    def first_error(self) -> ExcelError | None:
        if isinstance(self.errors, np.ndarray):
            return _first(self.errors)
        return self.errors


def _value(p: Param, x: Any, blank: float) -> _Arg:
    """A value argument: element-wise numbers, blank -> ``blank``, errors recorded per element.

    Text and booleans are recorded as ``#VALUE!`` here rather than left to the metric, so that
    they take their place in Excel's left-to-right order among the error cells.
    """
    if x is None and p.optional:
        return _Arg(p)
    if type(x) is float:  # one number, the most common cell (an int may be a COM error code)
        return _Arg(p, x)
    grid = _grid(p.name, x)
    data = np.empty(grid.shape, dtype=np.float64)
    errors = np.full(grid.shape, None, dtype=object)
    for index, v in np.ndenumerate(grid):
        error = incoming_error(v)
        v = blank if v is None else _number_or_same(v)
        if error is None and _is_number(v):
            data[index] = _to_float(v)  # an int beyond the float range: inf, which the metric calls #NUM!
        else:
            errors[index] = error or VALUE
            data[index] = math.nan
    has_errors = _first(errors) is not None
    if grid.ndim == 0:
        return _Arg(p, float(data[()]), errors if has_errors else None)
    return _Arg(p, data, errors if has_errors else None, grid.shape)


def _list(p: Param, x: Any, *, raw: bool) -> _Arg:
    """A list argument, flattened row by row: numbers only (SUM's rule) unless ``raw``."""
    grid = _grid(p.name, x)
    if p.optional and grid.ndim == 0 and grid[()] is None:  # omitted, or one blank cell
        return _Arg(p)
    cells = grid.reshape(-1)
    for v in cells:
        e = incoming_error(v)
        if e is not None:
            return _Arg(p, None, e, grid.shape)
    if raw:  # the columns of a subscription table: ids, dates and amounts as they are
        return _Arg(p, cells, None, grid.shape)
    data = np.full(cells.shape, math.nan)
    for i, v in enumerate(cells):
        v = _number_or_same(v)
        if _is_number(v):
            data[i] = _to_float(v)
    return _Arg(p, data, None, grid.shape)


def _option(p: Param, x: Any) -> _Arg:
    """An option: one cell; blank or omitted is the default."""
    if x is None:
        return _Arg(p)
    grid = _grid(p.name, x)
    if grid.ndim != 0:
        raise InvalidOptionError(f"the {p.name!r} option must be one cell; got a range", argument=p.name)
    v = grid[()]
    e = incoming_error(v)
    if e is not None:
        return _Arg(p, None, e)
    if v is None:
        return _Arg(p)
    return _Arg(p, _number_or_same(v))


# -- the call -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """How to call one interface function: its blanks, whether it reports per element."""

    function: Function
    blanks: tuple[float, ...]  # what a blank cell of each value argument is
    reports: bool  # accepts errors="report"
    func: Any = None  # the Python function, imported once


@lru_cache(maxsize=None)
def _plan(name: str) -> _Plan:
    f = INTERFACE[name]
    signature = inspect.signature(f.func).parameters
    blanks = []
    for p in f.params:
        default = signature[p.name].default if p.name in signature else inspect.Parameter.empty
        blanks.append(float(default) if p.optional and _is_number(default) else 0.0)
    return _Plan(f, tuple(blanks), "errors" in signature, f.func)


def _convert(plan: _Plan, p: Param, x: Any, blank: float) -> _Arg:
    if p.kind == "value":
        return _value(p, x, blank)
    if p.kind == "list":
        return _list(p, x, raw=plan.function.spills_table)
    return _option(p, x)


def _first_incoming(args: list[_Arg]) -> ExcelError | None:
    for a in args:
        if a.first_error is not None:
            return a.first_error
    return None


def _incoming(args: list[_Arg]) -> np.ndarray | None:
    """The error each result element inherits from the arguments (None where none), or None.

    Shaped like the broadcast value arguments; raises ShapeMismatchError if they cannot pair.
    """
    if all(a.errors is None for a in args):
        return None
    shapes = [np.shape(a.data) for a in args if a.param.kind == "value" and a.data is not _OMITTED]
    try:
        shape = np.broadcast_shapes(*shapes) if shapes else ()
    except ValueError:
        raise ShapeMismatchError("the value arguments have incompatible shapes") from None
    incoming = np.full(shape, None, dtype=object)
    for a in args:
        if a.errors is None:
            continue
        if isinstance(a.errors, np.ndarray):
            mask = np.broadcast_to(~_is_none(a.errors), shape) & _is_none(incoming)
            incoming[mask] = np.broadcast_to(a.errors, shape)[mask]
        else:
            incoming[_is_none(incoming)] = a.errors
    return incoming


def _is_none(cells: np.ndarray) -> np.ndarray:
    """Boolean mask of the None elements of an object array (any shape, 0-d included)."""
    return np.vectorize(lambda v: v is None, otypes=[bool])(cells)


def _call_metric(plan: _Plan, args: list[_Arg]) -> Any:
    positional, keywords = [], {}
    for a in args:
        if a.data is _OMITTED:
            continue
        if a.param.kind == "option" or a.param.optional:
            keywords[a.param.name] = a.data
        else:
            positional.append(a.data)
    if plan.reports:
        keywords["errors"] = "report"
    return plan.func(*positional, **keywords)


def evaluate(name: str, *args: Any) -> Any:
    """Compute the interface function ``name`` on xlwings-style arguments, for a cell.

    Parameters
    ----------
    name : str
        The Excel name, a key of :data:`xl_kpi.catalogue.INTERFACE`.
    *args
        The arguments in Excel order, as xlwings passes them (see the module docstring).

    Returns
    -------
    float, ExcelError or list of lists
        What the cell (or the spill range) shows. Never raises a KPIError.

    Examples
    --------
    NRR of three months given as rows of cells: the second month has no starting MRR, and the
    third month's expansion comes from a cell that shows ``#N/A``:

    >>> evaluate("KPI_NRR", [[100.0, 0.0, 120.0]], [[8.0, 0.0, ExcelError("#N/A")]],
    ...          [[3.0, 0.0, 2.0]], [[5.0, 0.0, 4.0]])
    [[1.0, ExcelError('#DIV/0!'), ExcelError('#N/A')]]
    """
    plan = _plan(name)
    converted: list[_Arg] = []
    for p, x, blank in zip(plan.function.params, args, plan.blanks):
        try:
            converted.append(_convert(plan, p, x, blank))
        except KPIError as exc:  # an error cell in an earlier argument still comes first
            first = _first_incoming(converted)
            return first if first is not None else ExcelError(exc.excel)
    try:
        incoming = _incoming(converted)
    except ShapeMismatchError:  # only reached when some argument holds an error cell
        return _first_incoming(converted)
    if incoming is not None and not _is_none(incoming).any():
        return _out(incoming, converted)  # every element inherits an error: nothing to compute
    try:
        result = _call_metric(plan, converted)
    except KPIError as exc:
        first = _first_incoming(converted)
        return first if first is not None else ExcelError(exc.excel)
    if incoming is None and isinstance(result, Checked) and isinstance(result.values, float):
        return of_kind(result.kinds) if result.kinds else _number(result.values)  # one cell
    pd = loaded_pandas()
    if pd is not None and isinstance(result, pd.DataFrame):
        return _table(result)
    cells = _cells(result)
    if incoming is not None:
        incoming = np.broadcast_to(incoming, cells.shape)
        cells = np.where(_is_none(incoming), cells, incoming)
    return _out(cells, converted)


# -- results --------------------------------------------------------------------------------------


def _number(v: float) -> float | ExcelError:
    return float(v) if math.isfinite(v) else NUM


def _cells(result: Any) -> np.ndarray:
    """A metric's result (float, array, Series or a ``report`` pair) as an object array of cells."""
    kinds = None
    if isinstance(result, Checked):
        result, kinds = result.values, result.kinds
    pd = loaded_pandas()
    series = pd is not None and isinstance(result, pd.Series)
    values = np.asarray(result.to_numpy() if series else result, dtype=np.float64)
    cells = np.empty(values.shape, dtype=object)
    if kinds is None:
        codes = np.zeros(values.shape, dtype=np.uint8)
    else:
        codes = np.broadcast_to(np.asarray(kinds), values.shape)
    for index, v in np.ndenumerate(values):
        code = int(codes[index])
        cells[index] = of_kind(code) if code != ErrorKind.OK else _number(v)
    return cells


def _out(cells: np.ndarray, args: list[_Arg]) -> Any:
    """A scalar for a 0-d result, otherwise a list of rows."""
    if cells.ndim == 0:
        return cells[()]
    if cells.size == 0:
        return NA
    if cells.ndim == 1:
        source = next((a.shape for a in args if a.param.kind == "list"), ())
        is_row = len(source) == 2 and source[0] == 1 and source[1] > 1
        return [list(cells)] if is_row else [[c] for c in cells]
    return [list(row) for row in cells]


def _table_cell(v: Any) -> Any:
    import pandas as pd  # table results are DataFrames: pandas is loaded already

    if isinstance(v, pd.Period):
        v = v.to_timestamp()
    if isinstance(v, np.datetime64):
        v = pd.Timestamp(v)
    if isinstance(v, dt.datetime):
        if pd.isna(v):
            return NO_DATA
        return v.to_pydatetime() if isinstance(v, pd.Timestamp) else v
    if v is None or v is pd.NA:
        return NO_DATA
    if _is_number(v):
        v = float(v)
        return NO_DATA if math.isnan(v) else _number(v)
    return v if isinstance(v, str) else str(v)


def _table(frame: "pd.DataFrame") -> Any:  # noqa: F821
    """A table result spilled without its header; a meaningful index becomes the first column."""
    import pandas as pd  # noqa: F811

    if frame.empty:
        return NA
    labelled = not isinstance(frame.index, pd.RangeIndex)
    rows = []
    for label, row in zip(frame.index, frame.itertuples(index=False, name=None)):
        cells = ([_table_cell(label)] if labelled else []) + [_table_cell(v) for v in row]
        rows.append(cells)
    return rows
