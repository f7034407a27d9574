"""pycel's Excel library, run one cell at a time, for the functions not written natively here."""

from __future__ import annotations

import numpy as np

from ...excel_errors import ExcelError
from ..arrays import NotVectorizable
from ..package import ERROR_CODE, ERROR_CODES
from ..values import BOOL, ERR, NUM, STR, E, Values
from .registry import Impl


def _pycel_impl(name: str):
    import pycel.excellib as excellib
    from pycel.lib import date_time, information, logical, lookup, stats, text
    from pycel.lib.function_helpers import load_functions

    ns: dict = {}
    low = name.lower()
    for cand in (low, low + "_", "x_" + low):
        if not load_functions([cand], ns, (excellib, date_time, information, logical, lookup, stats, text)):
            return ns[cand]
    return None


_pycel_cache: dict[str, object] = {}


def pycel_function(name: str) -> Impl | None:
    """An Excel function from pycel's library, run once per cell, or None if pycel lacks it."""
    if name in _pycel_cache:
        f = _pycel_cache[name]
    else:
        try:
            f = _pycel_impl(name)
        except Exception:  # pragma: no cover - pycel missing or broken
            f = None
        _pycel_cache[name] = f
    if f is None:
        return None

    def impl(ev, args):
        vals = [ev.eval(a) if a is not None else None for a in args]
        n = max([v.n for v in vals if v is not None] + [1])
        results = []
        for i in range(n):
            py = [None if v is None else _to_pycel(v.instance(i)) for v in vals]
            try:
                r = f(*py)
            except OverflowError:  # a result beyond the float range: Excel's #NUM!
                r = "#NUM!"
            except Exception:
                r = "#VALUE!"
            results.append(_from_pycel(r))
        if n == 1:
            return results[0]
        if any(not r.is_cell for r in results):
            raise NotVectorizable(f"{name} returning arrays")
        return Values(np.concatenate([r.kind for r in results]), np.concatenate([r.num for r in results]),
                      _concat_text(results))

    return impl


def _concat_text(results):
    if all(r.text is None for r in results):
        return None
    return np.concatenate([r.text if r.text is not None else np.full(r.kind.shape, None, object) for r in results])


def _to_pycel(v: Values):
    def one(i, j):
        k = v.kind[0, i, j]
        if k == NUM:
            return float(v.num[0, i, j])
        if k == STR:
            return v.text[0, i, j]
        if k == BOOL:
            return bool(v.num[0, i, j])
        if k == ERR:
            return ERROR_CODES[int(v.num[0, i, j]) - 1]
        return None

    h, w = v.hw
    if h == 1 and w == 1 and v.ref is None:
        return one(0, 0)
    if h == 1 and w == 1:
        return one(0, 0)
    return tuple(tuple(one(i, j) for j in range(w)) for i in range(h))


def _error_or_value(x):
    return ExcelError(x) if isinstance(x, str) and x in ERROR_CODE else x


def _from_pycel(r) -> Values:
    if isinstance(r, str) and r in ERROR_CODE:
        return Values.error(ERROR_CODE[r])
    if isinstance(r, np.ndarray):
        r = tuple(tuple(row) if isinstance(row, list) else row for row in r.tolist())
    if isinstance(r, tuple):  # an array result: pycel writes its error elements as their text
        return Values.from_python([[_error_or_value(x) for x in (row if isinstance(row, tuple) else (row,))]
                                   for row in r])
    try:
        return Values.from_python(r)
    except TypeError:
        return Values.error(E.VALUE)
