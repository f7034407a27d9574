"""The machinery every metric shares: argument conversion, broadcasting, the domain checks,
the one division policy and the three error modes.

A metric builds a :class:`Call` from its value arguments, declares the domain of each argument
with the check methods, divides with :meth:`Call.divide` and hands the result to
:meth:`Call.finish`. The checks run in the order they are declared, and that order is the
precedence when an element breaks several rules: conversion first (text is ``#VALUE!``, a missing
value is ``#N/A``), then the domain checks (``#NUM!``), then the denominators (``#DIV/0!``).

Error modes (the keyword-only ``errors`` argument of every metric):

``"raise"`` (default)
    The first failing check raises its exception, naming the argument and echoing the value
    (and its position for array input).
``"coerce"``
    Failed elements become NaN, the others are computed.
``"report"``
    Returns a :class:`Checked` pair ``(values, kinds)``: the values with NaN where an element
    failed, and an array of :class:`~xl_kpi.errors.ErrorKind` codes of the same shape (``0`` where
    the element computed). One bad month does not spoil the other eleven.

Failures of the call as a whole (arguments of incompatible shapes, an unknown option, text or no
data in an aggregated list argument) raise in every mode.

Speed: a metric runs twice only when something fails. The first, optimistic pass computes the
result and proves that no element can fail with one reduction per argument and per quotient
(reading a float64 array as uint64, its maximum is below the bits of ``inf`` exactly when every
element is a non-negative finite number, below the bits of ``1.0`` when every element is in
[0, 1]; a finite sum means no NaN and no inf). When a proof does not hold, the pass stops and the
metric runs again in the diagnosing mode, which builds a mask per rule and gives every element its
error in the declared order. Both passes compute the values with the same expressions, so the
values do not depend on which pass returned them.
"""

from __future__ import annotations

import contextvars
import functools
import math
import numbers
import sys
import weakref
from typing import Any, Callable, NamedTuple

import numpy as np

from ..errors import (
    EXCEPTION_OF,
    DomainError,
    ErrorKind,
    InvalidOptionError,
    NoDataError,
    NonNumericError,
    ShapeMismatchError,
)

__all__ = ["Call", "Checked", "as_list", "as_paired_lists", "blockwise", "check_option", "finite_result",
           "inplace", "metric", "ERROR_MODES"]

ERROR_MODES = ("raise", "coerce", "report")

#: Relative slack allowed when a part is compared with its whole (rounding of decimal sums).
PART_TOLERANCE = 1e-9

#: How the Calls of the running metric check: "fast" (optimistic) or "precise"; None outside a
#: metric (a Call made elsewhere always diagnoses).
_PASS: contextvars.ContextVar[str | None] = contextvars.ContextVar("xl_kpi_metric_pass", default=None)
#: Bits of inf and 1.0 as uint64: non-negative floats sort as their bit patterns, and every
#: negative float (-0.0 included) and NaN reads above inf.
_INF_BITS = int(np.float64(np.inf).view(np.uint64))
_ONE_BITS = int(np.float64(1.0).view(np.uint64))


class _Diagnose(Exception):
    """The optimistic pass cannot prove every element valid: run the metric again, diagnosing."""


def _nonnegative_finite(x) -> bool:
    """Every element is a number in [0, inf) (-0.0 counts as failing, which only costs speed)."""
    if isinstance(x, float) or x.ndim == 0:
        return 0.0 <= float(x) < math.inf
    return x.size == 0 or int(np.maximum.reduce(x.view(np.uint64), axis=None)) < _INF_BITS


def _unit_interval(x, *, upper_open: bool = False) -> bool:
    """Every element is a number in [0, 1] (or [0, 1))."""
    if isinstance(x, float) or x.ndim == 0:
        v = float(x)
        return 0.0 <= v < 1.0 if upper_open else 0.0 <= v <= 1.0
    if x.size == 0:
        return True
    top = int(np.maximum.reduce(x.view(np.uint64), axis=None))
    return top < _ONE_BITS if upper_open else top <= _ONE_BITS


def _nonnegative(x) -> bool:
    """Every element is >= 0 (NaN is not)."""
    if isinstance(x, float) or x.ndim == 0:
        return float(x) >= 0.0
    return x.size == 0 or bool(np.min(x) >= 0.0)


def _at_most_one(x) -> bool:
    """Every element is <= 1 (NaN is not)."""
    if isinstance(x, float) or x.ndim == 0:
        return float(x) <= 1.0
    return x.size == 0 or bool(np.max(x) <= 1.0)


def _writable_temporary(out, *operands) -> bool:
    """Whether ``out`` (a temporary of the metric) can hold the result of an operation on
    ``operands``: an array of their broadcast shape (a scalar result cannot be written into)."""
    return (isinstance(out, np.ndarray) and out.ndim > 0 and out.dtype == np.float64 and out.flags.writeable
            and out.shape == np.broadcast_shapes(*(np.shape(x) for x in operands)))


def inplace(func: Callable, a, *args):
    """``func(a, *args)`` written into ``a`` when ``a`` is a temporary array of the metric that can
    hold it (the same values as ``func(a, *args)``, one array-sized buffer fewer); else a new result.

    Never pass an argument's own array (``c["name"]``) as ``a``: it is the caller's data.
    """
    if _writable_temporary(a, a, *args):
        return func(a, *args, out=a)
    return func(a, *args)


#: Elements per block of :func:`blockwise` (512 kB of float64: temporaries stay in the cache and
#: below the allocator's threshold for returning memory to the system).
_BLOCK = 1 << 16


def blockwise(func: Callable, out, *operands):
    """``func(*operands)`` (element-wise) written into the temporary ``out`` block by block.

    The same values as ``func(*operands)``, but each intermediate step of ``func`` lives in a small
    buffer instead of an array the size of the arguments. Operands of another shape than ``out``,
    or not C-contiguous, are computed in one go.
    """
    flat = []
    if _writable_temporary(out, *operands) and out.flags.c_contiguous and out.size > _BLOCK:
        for x in operands:
            if isinstance(x, np.ndarray) and x.ndim:
                if x.shape != out.shape or not x.flags.c_contiguous:
                    break
                flat.append(x.reshape(-1))
            else:
                flat.append(x)
        else:
            target = out.reshape(-1)
            for i in range(0, target.size, _BLOCK):
                block = [x[i:i + _BLOCK] if isinstance(x, np.ndarray) and x.ndim else x for x in flat]
                target[i:i + _BLOCK] = func(*block)
            return out
    return func(*operands)


def _quotient(numerator, denominator, out):
    if out is not None and _writable_temporary(out, numerator, denominator):
        return np.divide(numerator, denominator, out=out)
    return numerator / denominator


def _difference_nonnegative(a, b) -> bool:
    """Every ``a - b >= 0``, block by block for large arrays (no array-sized temporary)."""
    if (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape and a.size > _BLOCK
            and a.flags.c_contiguous and b.flags.c_contiguous):
        fa, fb = a.reshape(-1), b.reshape(-1)
        return all(_nonnegative(fa[i:i + _BLOCK] - fb[i:i + _BLOCK]) for i in range(0, fa.size, _BLOCK))
    return _nonnegative(a - b)


def _finite(x) -> bool:
    """No NaN and no inf (a sum that overflows counts as failing, which only costs speed)."""
    if isinstance(x, float) or x.ndim == 0:
        return math.isfinite(float(x))
    return x.size == 0 or math.isfinite(float(np.add.reduce(x, axis=None)))


class Checked(NamedTuple):
    """Result of a metric called with ``errors="report"``.

    Attributes
    ----------
    values : float, ndarray or Series
        The results, NaN where an element failed.
    kinds : ErrorKind or ndarray of uint8
        The :class:`~xl_kpi.errors.ErrorKind` of each element, ``ErrorKind.OK`` (0) where it
        computed.
    """

    values: Any
    kinds: Any


def loaded_pandas():
    """pandas if something has imported it, else None.

    A Series or DataFrame can only exist once pandas is imported, so the type checks need not
    import it: the command line and the UDFs start ~0.25 s faster without it.
    """
    return sys.modules.get("pandas")


def metric(func: Callable) -> Callable:
    """Mark a public KPI function: its arithmetic runs with numpy's floating-point warnings off.

    Overflow and invalid operations cannot warn: every such element is already flagged (a NaN
    input is #N/A, inf is #NUM!) or is caught by :meth:`Call.finish` (an overflowing result is
    #NUM!), so a warning would only be noise.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            if _PASS.get() is not None:  # called by another metric: its pass decides
                return func(*args, **kwargs)
            token = _PASS.set("fast")
            try:
                return func(*args, **kwargs)
            except _Diagnose:
                _PASS.set("precise")
                return func(*args, **kwargs)
            finally:
                _PASS.reset(token)

    return wrapper


def check_option(func: str, name: str, value: Any, choices: tuple[str, ...]) -> str:
    """Return ``value`` lower-cased if it is one of ``choices``; raise InvalidOptionError."""
    if isinstance(value, str) and value.strip().lower() in choices:
        return value.strip().lower()
    raise InvalidOptionError(
        f"{func}: the {name!r} parameter must be one of {', '.join(map(repr, choices))}; "
        f"got {value!r}",
        argument=name,
        value=value,
    )


def _is_number(v: Any) -> bool:
    return isinstance(v, numbers.Number) and not isinstance(v, (bool, np.bool_, complex))


def _to_float(v: Any) -> float:
    """A number as a float; an int (or Fraction) beyond the float range is +-inf, which the checks
    report as ``#NUM!`` (``float(10**400)`` would raise OverflowError)."""
    try:
        return float(v)
    except OverflowError:
        return math.inf if v > 0 else -math.inf


def finite_result(func: str, value: float, what: str = "the result") -> float:
    """``value`` if it is a finite number, else :class:`DomainError` (``#NUM!``): for the metrics
    that aggregate lists outside :class:`Call` (a sum of 1e308 and 1e308 is inf)."""
    if not math.isfinite(value):
        raise DomainError(f"{func}: {what} is beyond the float range (got {value!r})", argument=None, value=value)
    return value


def _convert(func: str, name: str, x: Any):
    """Convert one argument to float64.

    Returns ``(array, index, nonnumeric_mask, originals)``; the mask is None when every element
    is numeric, ``originals`` keeps the object array for error messages.
    """
    index = None
    pd = loaded_pandas()
    if pd is not None and isinstance(x, pd.DataFrame):
        raise ShapeMismatchError(
            f"{func}: {name!r} must be a scalar, a sequence, an array or a Series; got a DataFrame",
            argument=name,
            value=x,
        )
    if pd is not None and isinstance(x, pd.Series):
        index = x.index
        x = x.to_numpy()
    if _is_number(x):
        return np.float64(_to_float(x)), index, None, None
    if x is None:
        return np.float64(np.nan), index, None, None
    if isinstance(x, np.ndarray) and x.dtype.kind in "iuf":
        return x.astype(np.float64, copy=False), index, None, None
    # Python sequences go element by element: np.asarray([600000, True]) is an int array that
    # would silently count the bool as 1.
    # Object, string, bool or datetime data: element by element.
    obj = np.asarray(x, dtype=object)
    flat = obj.reshape(-1)
    out = np.empty(flat.shape, dtype=np.float64)
    bad = np.zeros(flat.shape, dtype=bool)
    for i, v in enumerate(flat):
        if v is None:
            out[i] = np.nan
        elif _is_number(v):
            out[i] = _to_float(v)
        else:
            out[i] = np.nan
            bad[i] = True
    return out.reshape(obj.shape), index, (bad.reshape(obj.shape) if bad.any() else None), obj


def _position(mask: np.ndarray) -> str:
    if mask.ndim == 0:
        return ""
    idx = tuple(int(i) for i in np.argwhere(mask)[0])
    return f" at index {idx[0] if len(idx) == 1 else idx}"


class Call:
    """One evaluation of a metric over its broadcast value arguments.

    Parameters
    ----------
    func : str
        The metric's name, used in messages.
    errors : {"raise", "coerce", "report"}
        The error mode.
    **arguments
        The value arguments by name, in signature order.

    The converted arguments are read with ``call["name"]`` (float64 arrays of the broadcast
    shape, possibly 0-d; never written to, so the caller's data is not mutated).
    """

    __slots__ = ("func", "mode", "shape", "scalar", "index", "codes", "fast", "_args", "_originals", "_raw",
                 "_unproven", "_proven")

    def __init__(self, func: str, errors: str, /, **arguments: Any):
        self.func = func
        self.mode = check_option(func, "errors", errors, ERROR_MODES)
        self.codes = None
        self.index = None
        self._originals = {}
        self.fast = _PASS.get() == "fast"
        arrays, nonnumeric = [], []
        scalar = True
        for name, x in arguments.items():
            arr, index, bad, originals = _convert(func, name, x)
            if index is not None:
                if self.index is None:
                    self.index = index
                elif not self.index.equals(index):
                    raise ShapeMismatchError(
                        f"{func}: the index of {name!r} differs from the index of the other "
                        "Series arguments; align them first",
                        argument=name,
                        value=x,
                    )
            scalar = scalar and arr.ndim == 0
            arrays.append(arr)
            nonnumeric.append(bad)
            if originals is not None:
                self._originals[name] = originals
        try:
            broadcast = np.broadcast_arrays(*arrays) if len(arrays) > 1 and not scalar else arrays
        except ValueError:
            shapes = ", ".join(f"{n}={np.shape(a)}" for n, a in zip(arguments, arrays))
            raise ShapeMismatchError(
                f"{func}: the arguments have incompatible shapes ({shapes})",
                argument=None,
                value=None,
            ) from None
        self.shape = broadcast[0].shape if broadcast else ()
        self.scalar = scalar
        self._args = dict(zip(arguments, broadcast))
        if self.fast and not self._originals:
            # Optimistic: every argument must still be proven finite, by a domain check or by
            # finish(); each quotient is proven finite where it is computed (no zero denominator,
            # no overflow), and finish() need not prove it again when it is the result.
            self._raw = dict(zip(arguments, arrays))
            self._unproven = set(arguments)
            self._proven = None
            return
        if self.fast:  # text among the arguments: the element-by-element pass gives its errors
            raise _Diagnose
        for (name, arr), bad in zip(self._args.items(), nonnumeric):
            if bad is not None:
                self.flag(
                    ErrorKind.VALUE,
                    name,
                    np.broadcast_to(bad, self.shape),
                    "must be a number",
                    original=True,
                )
        for name, arr in list(self._args.items()):
            self.flag(ErrorKind.NA, name, np.isnan(arr), "is missing (None or NaN)")
            infinite = np.isinf(arr)
            if infinite.any():
                self.flag(ErrorKind.NUM, name, infinite, "must be finite")
                # Computed as NaN from here on: quiet, and masked out by finish().
                self._args[name] = np.where(infinite, np.nan, arr)

    def __getitem__(self, name: str) -> np.ndarray:
        return self._args[name]

    # -- checks ---------------------------------------------------------------------------------

    def flag(
        self,
        kind: ErrorKind,
        name: str,
        mask: np.ndarray,
        requirement: str,
        *,
        original: bool = False,
    ) -> None:
        """Mark the elements of ``mask`` as failed with ``kind`` (raise mode: raise now)."""
        if not mask.any():
            return
        if self.fast:
            raise _Diagnose
        if self.mode == "raise":
            pos = np.argwhere(mask)[0] if mask.ndim else ()
            if original and name in self._originals:
                obj = np.broadcast_to(self._originals[name], self.shape)
                value = obj[tuple(pos)]
            else:
                value = self._args[name][tuple(pos)] if name in self._args else None
                value = float(value) if value is not None else None
            got = f"; got {value!r}" if name in self._args or original else ""
            raise EXCEPTION_OF[kind](
                f"{self.func}: {name!r} {requirement}{got}{_position(mask)}",
                argument=name,
                value=value,
            )
        if self.codes is None:
            self.codes = np.zeros(self.shape, dtype=np.uint8)
        fresh = mask & (self.codes == 0)
        if self.codes.ndim == 0:
            if fresh:
                self.codes = np.uint8(kind)
        else:
            self.codes[fresh] = kind

    def nonnegative(self, *names: str) -> None:
        """Counts and amounts that cannot be negative (``#NUM!``)."""
        for name in names:
            if self.fast:
                self._prove(name, _nonnegative_finite(self._raw[name]))
                continue
            self.flag(ErrorKind.NUM, name, self._args[name] < 0, "must be non-negative")

    def fraction(self, name: str, *, upper_open: bool = False) -> None:
        """A rate between 0 and 1, i.e. 0 % to 100 % (``#NUM!``)."""
        if self.fast:
            self._prove(name, _unit_interval(self._raw[name], upper_open=upper_open))
            return
        x = self._args[name]
        if upper_open:
            self.flag(ErrorKind.NUM, name, (x < 0) | (x >= 1), "must be a fraction in [0, 1)")
        else:
            self.flag(ErrorKind.NUM, name, (x < 0) | (x > 1), "must be a fraction in [0, 1]")

    def at_most(self, name: str, bound: str) -> None:
        """A part that cannot exceed its whole (``#NUM!``), e.g. lost <= customers."""
        self.part_of(self._args[name], bound, name, f"must not exceed {bound!r}")

    def part_of(self, part: np.ndarray, whole: str, name: str, requirement: str) -> None:
        """Flag ``#NUM!`` where ``part`` exceeds the argument ``whole``.

        Sums of decimal amounts carry rounding (100.1 - 50.05 - 50.05 is not 0 in binary), so
        a part may exceed its whole by ``PART_TOLERANCE`` of the whole before it counts as a
        domain error.
        """
        w = self._args[whole]
        self.flag(ErrorKind.NUM, name, part > w + PART_TOLERANCE * np.abs(w), requirement)

    def capped(self, part: np.ndarray, whole: str, name: str, requirement: str) -> np.ndarray:
        """``min(part, whole)``, with :meth:`part_of`'s check (``#NUM!`` beyond the slack).

        Optimistic pass: ``whole - part >= 0`` everywhere proves the check (a float difference
        has the sign of the exact one) and that the minimum is ``part`` itself.
        """
        w = self._args[whole]
        if self.fast:
            if not _difference_nonnegative(w, part):
                raise _Diagnose
            return part
        self.part_of(part, whole, name, requirement)
        return np.minimum(part, w)

    def remainder(self, whole: str, parts: tuple[str, ...], requirement: str) -> np.ndarray:
        """``max(whole - part1 - part2 ..., 0)`` where the parts together cannot exceed the whole
        (:meth:`part_of`'s check on their sum, in the name of the last part). A new array.

        Optimistic pass: the difference is computed as it is returned; ``>= 0`` everywhere
        proves the check (rounding of a few units of the last bit is far below the slack).
        """
        kept = self._args[whole] - self._args[parts[0]]
        for name in parts[1:]:
            kept = inplace(np.subtract, kept, self._args[name])
        if self.fast:
            if not _nonnegative(kept):
                raise _Diagnose
            return kept
        total = self._args[parts[0]]
        for name in parts[1:]:
            total = total + self._args[name]
        self.part_of(total, whole, parts[-1], requirement)
        return inplace(np.maximum, kept, 0.0)

    def share(self, part: np.ndarray, whole: str, name: str, requirement: str, *, out=None) -> np.ndarray:
        """``part / whole`` for a part that cannot exceed its whole: :meth:`part_of`'s check, the
        quotient of ``min(part, whole)``, ``#DIV/0!`` for a zero whole.

        Optimistic pass: a quotient in [0, 1] everywhere (or at most 1 and finite, for a part that
        may be negative) proves that no whole is zero and no part exceeds its whole, so that the
        minimum is the part itself. ``out``: as for :meth:`divide`.
        """
        w = self._args[whole]
        if self.fast:
            q = _quotient(part, w, out)
            if not (_unit_interval(q) or (_at_most_one(q) and _finite(q))):
                raise _Diagnose
            self._mark_proven(q)
            return q
        self.part_of(part, whole, name, requirement)
        capped = np.minimum(part, w, out=out) if _writable_temporary(out, part, w) else np.minimum(part, w)
        return self.divide(capped, w, whole, out=capped)

    def _mark_proven(self, result) -> None:
        """``result`` is proven finite (a weak reference: numpy may still reuse a temporary)."""
        self._proven = weakref.ref(result) if isinstance(result, np.ndarray) else None

    def _prove(self, name: str, holds: bool) -> None:
        if not holds:
            raise _Diagnose
        self._unproven.discard(name)

    # -- the division policy ----------------------------------------------------------------------

    def divide(self, numerator: np.ndarray, denominator: np.ndarray, name: str, *, out=None) -> np.ndarray:
        """``numerator / denominator`` with every zero denominator flagged ``#DIV/0!``.

        ``out``: a temporary array of the metric (its numerator or denominator, computed for this
        call) that the quotient may overwrite, which spares a buffer; the values are the same. A
        ``denominator`` given as a tuple of arrays is their sum (left to right), computed block by
        block with the quotient in the optimistic pass.

        This is the package's one division: no ``inf``, no RuntimeWarning; the elements with a
        zero denominator fail (and are NaN in the result). Optimistic pass: :meth:`finish`
        proves the quotient finite, which excludes a zero denominator (``x/0`` is inf, ``0/0``
        NaN) and an overflow.
        """
        if self.fast:
            if isinstance(denominator, tuple):
                quotient = blockwise(lambda n, *d: n / functools.reduce(np.add, d), out, numerator, *denominator)
            else:
                quotient = _quotient(numerator, denominator, out)
            if not _finite(quotient):
                raise _Diagnose
            self._mark_proven(quotient)
            return quotient
        if isinstance(denominator, tuple):
            denominator = functools.reduce(np.add, denominator)
        zero = denominator == 0
        if zero.any():
            self._flag_div(zero, name)
            denominator = np.where(zero, 1.0, denominator)
        with np.errstate(invalid="ignore", over="ignore"):
            quotient = _quotient(numerator, denominator, out)
        overflow = np.isinf(quotient)
        if overflow.any():
            self.flag(ErrorKind.NUM, name, overflow & ~zero, "is so small that the quotient overflows")
        return quotient

    def _flag_div(self, zero: np.ndarray, name: str) -> None:
        if name in self._args:
            self.flag(ErrorKind.DIV0, name, zero, "is zero, and it is a denominator")
        elif self.mode == "raise":
            raise EXCEPTION_OF[ErrorKind.DIV0](
                f"{self.func}: the denominator {name} is zero{_position(zero)}",
                argument=name,
                value=0.0,
            )
        else:
            self.flag(ErrorKind.DIV0, name, zero, "is zero")

    # -- the result -----------------------------------------------------------------------------

    def finish(self, result: Any) -> Any:
        """Apply the error mode and return a float, an ndarray or a Series."""
        if self.fast:
            return self._finish_fast(result)
        result = np.asarray(result, dtype=np.float64)
        if result.shape != self.shape:
            result = np.broadcast_to(result, self.shape)
        overflow = np.isinf(result)
        if overflow.any():
            self.flag(ErrorKind.NUM, "result", overflow, "overflows (beyond the float range)")
        codes = self.codes
        failed = codes is not None and bool(np.any(codes))
        if failed:
            result = np.where(codes != 0, np.nan, result)
        values = self._wrap(result)
        if self.mode != "report":
            return values
        if codes is None:
            codes = np.zeros(self.shape, dtype=np.uint8)
        kinds = ErrorKind(int(codes)) if self.scalar else np.asarray(codes, dtype=np.uint8)
        return Checked(values, kinds)

    def _finish_fast(self, result: Any) -> Any:
        """The optimistic pass's end: prove what is left (arguments that no domain check covered,
        quotients, the result) finite, else diagnose."""
        for name in self._unproven:
            if not _finite(self._raw[name]):
                raise _Diagnose
        proven = self._proven is not None and self._proven() is result
        if not proven and not _finite(result):
            raise _Diagnose
        if self.scalar and self.index is None and self.mode != "report":
            return float(result)
        result = np.asarray(result, dtype=np.float64)
        if result.shape != self.shape:
            result = np.broadcast_to(result, self.shape)
        values = self._wrap(result)
        if self.mode != "report":
            return values
        if self.scalar:
            return Checked(values, ErrorKind.OK)
        return Checked(values, np.zeros(self.shape, dtype=np.uint8))

    def fail_all(self, kind: ErrorKind, name: str, requirement: str) -> None:
        """Fail every element (a whole-call condition that still has a per-element shape)."""
        self.flag(kind, name, np.ones(self.shape, dtype=bool), requirement)

    def _wrap(self, result: np.ndarray) -> Any:
        if self.scalar and self.index is None:
            return float(result)
        if self.index is not None and result.ndim == 1 and len(result) == len(self.index):
            return loaded_pandas().Series(result, index=self.index, name=self.func)
        return result


def as_list(func: str, name: str, x: Any, *, allow_empty: bool = False) -> np.ndarray:
    """Convert a list (aggregated) argument to a 1-D float array.

    Missing values (None, NaN) are skipped, as SUM skips blank cells; text or bools raise
    :class:`NonNumericError`; nothing left raises :class:`NoDataError` unless ``allow_empty``.
    """
    arr, _, bad, originals = _convert(func, name, x)
    if bad is not None:
        pos = np.argwhere(bad)[0]
        value = originals[tuple(pos)]
        raise NonNumericError(
            f"{func}: {name!r} must hold numbers only; got {value!r}{_position(bad)}",
            argument=name,
            value=value,
        )
    flat = np.ravel(arr)
    flat = flat[~np.isnan(flat)]
    if np.isinf(flat).any():
        raise DomainError(f"{func}: {name!r} must hold finite numbers; got inf", argument=name, value=np.inf)
    if flat.size == 0 and not allow_empty:
        raise NoDataError(f"{func}: {name!r} holds no numbers", argument=name, value=x)
    return flat


def as_paired_lists(func: str, **lists: Any) -> tuple[np.ndarray, ...]:
    """Convert list arguments that pair element by element (values and their weights).

    They must have the same number of elements; a pair with a missing member is skipped.
    """
    converted = []
    for name, x in lists.items():
        arr, _, bad, originals = _convert(func, name, x)
        if bad is not None:
            pos = np.argwhere(bad)[0]
            raise NonNumericError(
                f"{func}: {name!r} must hold numbers only; got "
                f"{originals[tuple(pos)]!r}{_position(bad)}",
                argument=name,
                value=originals[tuple(pos)],
            )
        converted.append(np.ravel(arr))
    sizes = {n: a.size for n, a in zip(lists, converted)}
    if len(set(sizes.values())) > 1:
        raise ShapeMismatchError(
            f"{func}: {' and '.join(map(repr, sizes))} must have the same number of elements; "
            f"got {', '.join(f'{n}={s}' for n, s in sizes.items())}",
            argument=next(iter(lists)),
            value=None,
        )
    for name, a in zip(lists, converted):
        if np.isinf(a).any():
            raise DomainError(f"{func}: {name!r} must hold finite numbers; got inf", argument=name, value=np.inf)
    keep = ~np.any([np.isnan(a) for a in converted], axis=0) if converted[0].size else None
    if keep is None or not keep.any():
        raise NoDataError(
            f"{func}: {' and '.join(map(repr, lists))} hold no numbers",
            argument=next(iter(lists)),
            value=None,
        )
    return tuple(a[keep] for a in converted)
