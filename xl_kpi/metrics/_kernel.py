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
"""

from __future__ import annotations

import functools
import numbers
import sys
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

__all__ = ["Call", "Checked", "as_list", "as_paired_lists", "check_option", "metric", "ERROR_MODES"]

ERROR_MODES = ("raise", "coerce", "report")

#: Relative slack allowed when a part is compared with its whole (rounding of decimal sums).
PART_TOLERANCE = 1e-9


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
            return func(*args, **kwargs)

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
        return np.float64(x), index, None, None
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
            out[i] = float(v)
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

    __slots__ = ("func", "mode", "shape", "scalar", "index", "codes", "_args", "_originals")

    def __init__(self, func: str, errors: str, /, **arguments: Any):
        self.func = func
        self.mode = check_option(func, "errors", errors, ERROR_MODES)
        self.codes = None
        self.index = None
        self._originals = {}
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
            broadcast = np.broadcast_arrays(*arrays) if len(arrays) > 1 else arrays
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
            self.flag(ErrorKind.NUM, name, self._args[name] < 0, "must be non-negative")

    def fraction(self, name: str, *, upper_open: bool = False) -> None:
        """A rate between 0 and 1, i.e. 0 % to 100 % (``#NUM!``)."""
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

    # -- the division policy ----------------------------------------------------------------------

    def divide(self, numerator: np.ndarray, denominator: np.ndarray, name: str) -> np.ndarray:
        """``numerator / denominator`` with every zero denominator flagged ``#DIV/0!``.

        This is the package's one division: no ``inf``, no RuntimeWarning; the elements with a
        zero denominator fail (and are NaN in the result).
        """
        zero = denominator == 0
        if zero.any():
            self._flag_div(zero, name)
            denominator = np.where(zero, 1.0, denominator)
        with np.errstate(invalid="ignore", over="ignore"):
            quotient = numerator / denominator
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
