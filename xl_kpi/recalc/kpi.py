"""The KPI_* functions in a recalculation: called through the same UDF layer Excel calls.

Each ``KPI_*`` cell is computed by ``xl_kpi.udfs.UDFS[name](*args)`` with the arguments xlwings
would pass: a float, ``None`` for a blank, a str, a bool or an :class:`~xl_kpi.excel_errors.ExcelError`
for a single cell, and a 2-D list for a multi-cell range. The result (a float, an ExcelError or a
2-D list that spills) is stored as Excel would store it.

When a KPI formula is copied down a column, the engine may call the UDF *once* for the whole
column instead of once per cell: every *value* argument becomes a column (the interface promises
that value arguments work element-wise on a range, like ``=B5:M5/B6:M6``) while *list* and
*option* arguments, identical for every cell, pass unchanged. The first cell is also computed
alone and compared; any difference, or a result of the wrong shape, falls back to one call per
cell, so batching never changes a result.

A workbook saved by Excel with xlwings Lite loaded names the functions as Excel stores an Office.js
custom function: ``_xldudf_KPI_NRR(...)``, or ``_xldudf_NS_KPI_NRR`` / ``NS.KPI_NRR`` under an
add-in namespace ``NS`` (see :mod:`xl_kpi.templates.dynamic`); :func:`udf_name` reads them all.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from typing import Callable, Mapping

import numpy as np

from ..excel_errors import ExcelError
from .arrays import NotVectorizable
from .values import E, Values

__all__ = ["kpi_function", "udf_name", "use_udfs", "to_python"]

#: The prefix of an Office.js custom function's name in a saved formula (upper case, as parsed).
_OFFICE_JS_PREFIX = "_XLDUDF_"

_override: Mapping[str, Callable] | None = None


def _table() -> Mapping[str, Callable] | None:
    if _override is not None:
        return _override
    try:
        from ..udfs import UDFS
    except ImportError:
        return None
    return UDFS


@contextmanager
def use_udfs(table: Mapping[str, Callable]):
    """Evaluate KPI_* functions with ``table`` instead of ``xl_kpi.udfs.UDFS`` (tests, stand-ins)."""
    global _override
    saved = _override
    _override = table
    try:
        yield
    finally:
        _override = saved


def udf_name(name: str, table: Mapping[str, Callable]) -> str | None:
    """The UDF of ``table`` that a formula's function name (upper case) calls, or None.

    ``KPI_NRR`` itself; an Office.js call ``_XLDUDF_KPI_NRR``, whose add-in namespace, if any,
    precedes the name with its dots as underscores (``_XLDUDF_XLWINGS_KPI_NRR``); a namespaced
    name ``XLWINGS.KPI_NRR``. Without the prefix or a dot, another name is another function.

    >>> table = {"KPI_NRR": None, "KPI_CHURN_MONTHLY": None}
    >>> [udf_name(n, table) for n in ("KPI_NRR", "_XLDUDF_KPI_NRR", "_XLDUDF_MY_KPI_CHURN_MONTHLY",
    ...                               "XLWINGS.KPI_NRR", "MY_KPI_NRR", "_XLDUDF_NRR")]
    ['KPI_NRR', 'KPI_NRR', 'KPI_CHURN_MONTHLY', 'KPI_NRR', None, None]
    """
    if name in table:
        return name
    if name.startswith(_OFFICE_JS_PREFIX):
        rest, separators = name[len(_OFFICE_JS_PREFIX):], "._"
    elif "." in name:
        rest, separators = name, "."
    else:
        return None
    starts = [0] + [i + 1 for i, ch in enumerate(rest) if ch in separators]
    return next((rest[i:] for i in starts if rest[i:] in table), None)


def kpi_function(name: str):
    """The evaluator implementation of a UDF, or None if the UDF table has no such function."""
    table = _table()
    name = udf_name(name, table) if table is not None else None
    if name is None:
        return None
    udf = table[name]
    from ..catalogue import INTERFACE

    spec = INTERFACE.get(name)

    def impl(ev, args):
        vals = [None if a is None else ev.eval(a) for a in args]
        while vals and vals[-1] is None and len(vals) > 1 and args[-1] is None:
            vals.pop()
        n = max([v.n for v in vals if v is not None] + [1])
        if n > 1 and spec is not None and not spec.spills_table and _batchable(spec, vals):
            got = _batched(udf, spec, vals, n)
            if got is not None:
                return got
        results = [_call(udf, [None if v is None else to_python(v, i) for v in vals], ev, name)
                   for i in range(n)]
        if n == 1:
            return results[0]
        if len({r.hw for r in results}) != 1:
            raise NotVectorizable(f"{name} results of different sizes")
        return _stack(results)

    return impl


def _batchable(spec, vals) -> bool:
    if len(vals) > len(spec.params):
        return False
    for p, v in zip(spec.params, vals):
        if v is None:
            continue
        if p.kind == "value":
            if not v.is_cell:
                return False
        elif v.n != 1:
            return False
    return any(v is not None and v.n > 1 for v in vals)


def _batched(udf, spec, vals, n) -> Values | None:
    args = []
    for p, v in zip(spec.params, vals):
        if v is None:
            args.append(None)
        elif p.kind == "value" and v.n > 1:
            args.append([[to_python(v, i)] for i in range(n)])
        else:
            args.append(to_python(v, 0))
    try:
        out = udf(*args)
    except Exception:
        return None
    if not isinstance(out, list) or len(out) != n or not all(isinstance(r, list) and len(r) == 1 for r in out):
        return None
    first_alone = _safe(udf, [None if v is None else to_python(v, 0) for v in vals])
    if not _same(first_alone, out[0][0]):
        return None
    return Values(*_column(out))


def _column(out) -> tuple:
    v = Values.from_python(out)  # (1, n, 1)
    return (v.kind.reshape(-1, 1, 1), v.num.reshape(-1, 1, 1),
            None if v.text is None else v.text.reshape(-1, 1, 1))


def _safe(udf, args):
    try:
        return udf(*args)
    except Exception as exc:  # compared only; the per-cell path reports it
        return exc


def _same(a, b) -> bool:
    if isinstance(a, list) and len(a) == 1 and isinstance(a[0], list) and len(a[0]) == 1:
        a = a[0][0]
    if isinstance(a, ExcelError) or isinstance(b, ExcelError):
        return isinstance(a, ExcelError) and isinstance(b, ExcelError) and str(a) == str(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b or (math.isnan(a) and math.isnan(b))
    return a == b


def _call(udf, args, ev, name) -> Values:
    try:
        out = udf(*args)
    except Exception as exc:
        ev.ctx.issues.add(f"{name} failed: {type(exc).__name__}: {exc}")
        return Values.error(E.VALUE)
    try:
        return Values.from_python(out)
    except TypeError:
        ev.ctx.issues.add(f"{name} returned {type(out).__name__}")
        return Values.error(E.VALUE)


def _stack(results: list[Values]) -> Values:
    kind = np.concatenate([r.kind for r in results])
    num = np.concatenate([r.num for r in results])
    text = None
    if any(r.text is not None for r in results):
        text = np.concatenate([r.text if r.text is not None else np.full(r.kind.shape, None, object)
                               for r in results])
    return Values(kind, num, text)


def to_python(v: Values, i: int):
    """Instance ``i`` of ``v`` as xlwings passes it: a scalar for one cell, else a 2-D list."""
    h, w = v.hw
    if h == 1 and w == 1:
        return v.python(i)
    return [[v.python(i, r, c) for c in range(w)] for r in range(h)]

