"""The one table of native Excel functions, by Excel name, and the three ways to register one.

Every implementation is ``impl(ev, args) -> Values``: the evaluator and the argument *nodes*, for
all ``n`` cells of a shape at once. Three decorators build one:

- :func:`register` takes ``impl`` as it is: the function evaluates the arguments it needs, when
  it needs them (IF, IFERROR, CHOOSE are lazy; INDEX wants the reference, not its values);
- :func:`elementwise` wraps ``f(*number_arrays) -> (x, err)``: scalar arguments coerced to
  numbers (blank 0, TRUE 1, number-like text), optional ones defaulted, errors propagated in
  argument order, all broadcast to one shape;
- :func:`cellwise` wraps ``f(*python_values) -> python value`` run per element: for text,
  engineering and other functions with no numpy form; each argument coerced as its spec
  letter says (see :func:`.arguments.coerce`), the first error argument being the result;
- :func:`aggregate` wraps ``f(parts, err, n) -> Values``: the numbers of every argument as SUM
  reads them (see :func:`.arguments.aggregate_args`).

:func:`resolve` finds a name: this table first, then the ``KPI_*`` UDFs, then pycel's library
run cell by cell; None means ``#NAME?``. Names are upper case, ``_xlfn.``/``_xlws.`` prefixes
already removed by the parser (:mod:`..formula`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

import numpy as np

from ...excel_errors import ExcelError
from ..arrays import align, combine_errors
from ..values import BOOL, ERROR_CODES, E, Values, numbers, truthy
from .arguments import (
    aggregate_args,
    coerce,
    from_python_cells,
    from_python_results,
    over_whole_columns,
    per_instance,
    samples,
)

if TYPE_CHECKING:
    from ..evaluator import Evaluator

__all__ = ["FUNCTIONS", "Impl", "aggregate", "cellwise", "cellwise_impl", "elementwise", "register", "resolve", "sample"]

Impl = Callable[["Evaluator", list], Values]
FUNCTIONS: dict[str, Impl] = {}


def register(*names: str):
    """Register ``impl(ev, args)`` under each Excel name."""

    def deco(f: Impl) -> Impl:
        for n in names:
            FUNCTIONS[n] = f
        return f

    return deco


def elementwise(*names: str, arity: tuple[int, int], defaults: tuple = (), logicals: bool = True,
                ranges: bool = True, flags: tuple[int, ...] = ()):
    """Register a function of numbers applied element by element: f(*arrays) -> (x, err).

    The Analysis ToolPak functions (EDATE, EOMONTH, WEEKNUM, YEARFRAC, MROUND...) read their
    arguments as Excel's add-in did: ``logicals=False``, a logical argument is #VALUE!;
    ``ranges=False``, a reference to several cells (in an array formula, where other functions
    take it element by element) is #VALUE!, while an array is taken element by element
    (``EDATE(A1:A3+0, 1)``, the usual workaround).
    ``flags``: the positions of logical arguments (a cumulative flag), read as IF reads a
    condition: a number is TRUE unless 0, text must read TRUE or FALSE, blank is FALSE.
    """

    def deco(f):
        def impl(ev, args):
            if not arity[0] <= len(args) <= arity[1]:
                return Values.error(E.VALUE)
            vals = [ev.scalar(a) for a in args]
            if not ranges and any(v.ref is not None and not v.is_cell for v in vals):
                return Values.error(E.VALUE, max(v.n for v in vals))
            whole = over_whole_columns(ev, impl, vals)
            if whole is not None:
                return whole
            for d in defaults[len(args) - arity[0]:] if len(args) < arity[1] else ():
                vals.append(Values.number(d))
            vals = align(*vals)
            xs, errs = zip(*(truthy(v) if i in flags else numbers(v) for i, v in enumerate(vals)))
            if not logicals:
                errs = [np.where((e == 0) & (v.kind == BOOL), E.VALUE, e) for v, e in zip(vals, errs)]
            err = combine_errors(*errs)
            with np.errstate(all="ignore"):
                try:
                    x, e2 = f(*xs)
                except (OverflowError, ZeroDivisionError):  # a Python or scipy overflow in some element
                    x, e2 = _one_by_one(f, xs)
            return Values.from_numbers(np.asarray(x, np.float64), combine_errors(err, e2))

        for n in names:
            FUNCTIONS[n] = impl
        return f

    return deco


def _one_by_one(f, xs):
    """``f`` element by element where the whole shape at once raised an overflow: each element
    that overflows is #NUM! (a result beyond the floats), the others keep their values."""
    arrays = np.broadcast_arrays(*(np.asarray(x, np.float64) for x in xs))
    shape = arrays[0].shape if arrays else ()
    out, err = np.zeros(shape), np.zeros(shape)
    for idx in np.ndindex(shape):
        try:
            x, e = f(*(a[idx] for a in arrays))
            out[idx], err[idx] = float(np.asarray(x).reshape(-1)[0]), float(np.asarray(e).reshape(-1)[0])
        except (OverflowError, ZeroDivisionError):
            err[idx] = E.NUM
    return out, err


def cellwise_impl(f, args: str, optional: str = "", arrays: bool = True) -> Impl:
    """The implementation :func:`cellwise` registers, for a caller that picks among several."""
    specs = args + optional

    def impl(ev, nodes):
        if not len(args) <= len(nodes) <= len(specs):
            return Values.error(E.VALUE)
        if not nodes:
            return from_python_cells(np.array([[[f(*[None] * len(specs))]]], object))
        vals = [ev.scalar(a) for a in nodes]
        if not arrays and any(not v.is_cell for v in vals):
            return Values.error(E.VALUE, max(v.n for v in vals))
        vals = align(*vals)
        missing = [None] * (len(specs) - len(nodes))
        shape = vals[0].kind.shape
        out = np.empty(shape, object)
        for idx in np.ndindex(shape):
            py = []
            for v, how in zip(vals, specs):
                x = coerce(v.kind[idx], v.num[idx], None if v.text is None else v.text[idx], how)
                if isinstance(x, ExcelError):
                    out[idx] = x
                    break
                py.append(x)
            else:
                out[idx] = f(*py, *missing)
        return from_python_results(out)

    return impl


def cellwise(*names: str, args: str, optional: str = "", arrays: bool = True):
    """Register ``f(*values)`` computed element by element over scalar, broadcast arguments.

    ``args``/``optional``: one coercion letter per required/optional argument (``n`` number,
    ``N`` number but not a logical, ``t`` text, ``T`` text but not a logical, ``b`` logical,
    ``v`` as is); an optional argument left out is passed as None. ``f`` returns a float, str,
    bool, None, an ExcelError or a 2-D list (an array result, see :func:`.arguments.from_python_results`). ``arrays=False``: a multi-cell argument (in an array formula)
    is ``#VALUE!``, as for the functions Excel took from the Analysis ToolPak (CONVERT...).
    """

    def deco(f):
        impl = cellwise_impl(f, args, optional, arrays)
        for n in names:
            FUNCTIONS[n] = impl
        return f

    return deco


def aggregate(*names: str, text_as_zero: bool = False):
    """Register ``f(parts, err, n) -> Values`` over the numbers of all arguments, as SUM reads them.

    ``parts`` holds, per argument, ``(values, counted)`` arrays of shape (n, k); ``err`` is the
    first error code per cell (0 if none). ``text_as_zero``: the A variants (AVERAGEA...), where
    text and logicals in ranges count as 0 and 1/0.
    """

    def deco(f):
        def impl(ev, args):
            parts, err, n = aggregate_args(ev, args, text_as_zero)
            return f(parts, err, n)

        for n in names:
            FUNCTIONS[n] = impl
        return f

    return deco


def sample(*names: str, text_as_zero: bool = False):
    """Register ``f(x) -> float | ExcelError`` of the numbers of all arguments (a 1-D array), per cell.

    The numbers are read as SUM reads them (see :func:`aggregate`); an error among them is the result.
    """

    def deco(f):
        def impl(ev, args):
            if not args:
                return Values.error(E.VALUE)
            parts, err, n = aggregate_args(ev, args, text_as_zero)
            xs = list(samples(parts, n))
            return per_instance(n, lambda i: ExcelError(ERROR_CODES[int(err[i]) - 1]) if err[i] else f(xs[i]))

        for n in names:
            FUNCTIONS[n] = impl
        return f

    return deco


def resolve(name: str) -> Impl | None:
    """The implementation of an Excel function name, or None if nothing knows it (``#NAME?``)."""
    f = FUNCTIONS.get(name)
    if f is not None:
        return f
    from ..kpi import kpi_function

    f = kpi_function(name)
    if f is not None:
        return f
    from .pycel_bridge import pycel_function

    return pycel_function(name)
