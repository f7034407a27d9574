"""Argument coercion shared by the function modules: Excel's rules for what an argument counts as.

Aggregates (SUM, AVERAGE, ...) take numbers from ranges and arrays but skip their text, logicals
and blanks, while a value typed directly counts if it reads as a number; the first error met,
in row-major order, is the result.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ...excel_errors import VALUE, ExcelError
from ..arrays import ColumnArray, NotVectorizable, align, column_parts, pad_rows
from ..values import (
    BOOL,
    EMPTY,
    ERR,
    ERROR_CODES,
    NUM,
    STR,
    E,
    Values,
    encode_python,
    format_general,
    numbers,
    text_to_number,
)

if TYPE_CHECKING:
    from ..evaluator import Evaluator

__all__ = ["aggregate_args", "coerce", "col", "finish", "first_error", "from_python_cells", "from_python_results",
           "numeric_items", "ok", "samples", "select"]


def first_error(kind: np.ndarray, num: np.ndarray) -> np.ndarray:
    """Per instance: the code of the first error in row-major order, 0 if none. Shape (n,)."""
    iserr = (kind == ERR).reshape(kind.shape[0], -1)
    if not iserr.any():
        return np.zeros(kind.shape[0])
    first = iserr.argmax(axis=1)
    codes = num.reshape(num.shape[0], -1)[np.arange(num.shape[0]), first]
    return np.where(iserr.any(axis=1), codes, 0.0)


def col(x: np.ndarray) -> np.ndarray:
    """One value per cell, shaped (n, 1, 1)."""
    return x.reshape(-1, 1, 1)


def numeric_items(v: Values, text_as_zero: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(values, is-counted mask, error code per instance) of one aggregate argument.

    A range, or an array, contributes its numbers only (text, logicals, blanks skipped); a value
    typed directly (1, TRUE, "3") counts as a number, and text that is not one is #VALUE!.
    ``text_as_zero`` (AVERAGEA, STDEVA...): in a range, logicals count as 1/0 and text as 0.
    """
    if v.ref is not None or not v.is_cell:
        return _array_items(v, text_as_zero)
    x, err = numbers(v)
    ok = (err == 0) & (v.kind != EMPTY)
    return np.where(ok, x, 0.0), ok, err[:, 0, 0]


def over_whole_columns(ev: Evaluator, impl, vals: list[Values | None]) -> Values | None:
    """``impl(ev, nodes)`` of evaluated arguments of which some are as tall as whole columns
    (``IF(A:A="",1,0)``, ``ROUND(A:A*1.1,0)``): computed on the used rows and once on the row
    below them (see :class:`~..arrays.ColumnArray`); None (an omitted argument) stays omitted.
    None when no argument is that tall."""
    from ..formula import Const

    parts = [None if v is None else column_parts(v) for v in vals]
    tall = [p for p in parts if p is not None and p[1] is not None]
    if not tall:
        return None
    height = max(p[0].hw[0] for p in parts if p is not None)
    blocks, tails = [], []
    for p in parts:
        if p is None:
            blocks.append(None)
            tails.append(None)
            continue
        b, tail, _ = p
        plain = Values(b.kind, b.num, b.text)
        blocks.append(Const(pad_rows(plain, tail, height) if tail is not None else plain))
        if tail is None:
            tail = plain if b.hw[0] == 1 else Values.error(E.NA, b.n, (1, b.hw[1]))
        tails.append(Const(tail))
    return ColumnArray(impl(ev, blocks), impl(ev, tails), max(p[2] for p in tall))


def _array_items(v: Values, text_as_zero: bool):
    if text_as_zero:
        mask = (v.kind == NUM) | (v.kind == BOOL) | (v.kind == STR)
        return np.where((v.kind == NUM) | (v.kind == BOOL), v.num, 0.0), mask, first_error(v.kind, v.num)
    mask = v.kind == NUM
    return np.where(mask, v.num, 0.0), mask, first_error(v.kind, v.num)


def aggregate_args(ev: Evaluator, args: list, text_as_zero: bool = False):
    """Per argument, (values, counted) of shape (n, k) as SUM reads them; the first error per cell; n.

    The rows of a whole-column array below the used range (:class:`~..arrays.ColumnArray`)
    come as one more part per column: its tail row repeated, a broadcast view (no memory)."""
    vals = [ev.eval(a) for a in args]
    n = max([v.n for v in vals] + [ev.ctx.n if any(v.n > 1 for v in vals) else 1])
    total_err = np.zeros(n)
    parts = []
    for v in vals:
        x, mask, err = numeric_items(v, text_as_zero)
        total_err = np.where(total_err != 0, total_err, np.broadcast_to(err, (n,)))
        parts.append((x.reshape(x.shape[0], -1), mask.reshape(mask.shape[0], -1)))
        if isinstance(v, ColumnArray) and v.hidden_rows > 0:
            tx, tm, te = _array_items(v.tail, text_as_zero)
            total_err = np.where(total_err != 0, total_err, np.broadcast_to(te, (n,)))
            k = v.hidden_rows
            for j in range(tx.shape[2]):
                parts.append((np.broadcast_to(tx[:, 0, j:j + 1], (tx.shape[0], k)),
                              np.broadcast_to(tm[:, 0, j:j + 1], (tm.shape[0], k))))
    return parts, total_err, n


def samples(parts, n: int) -> list[np.ndarray]:
    """The counted numbers of every argument, in order, for each of the n cells."""
    out = []
    for i in range(n):
        xs = [x[i if x.shape[0] > 1 else 0][m[i if m.shape[0] > 1 else 0]] for x, m in parts]
        out.append(np.concatenate(xs) if xs else np.zeros(0))
    return out


def finish(x: np.ndarray, err: np.ndarray) -> Values:
    """One number per cell, or the error where ``err`` is non-zero."""
    return Values.from_numbers(col(np.asarray(x, dtype=np.float64)), col(err))


def ok(x):
    """No error anywhere: the error array of an element-wise function that cannot fail."""
    return np.zeros(np.shape(x))


def select(mask: np.ndarray, a: Values, b: Values) -> Values:
    """Element by element, ``a`` where ``mask`` holds, else ``b`` (IF's choice); where the three
    differ in size, the cells beyond the mask are #N/A, as Excel's lifted IF gives them."""
    a, b, mv = align(a, b, Values.boolean(mask) if mask.ndim == 3 else Values.boolean(mask.reshape(-1, 1, 1)))
    m = (mv.kind == BOOL) & (mv.num != 0)
    beyond = mv.kind == ERR
    text = None
    if a.text is not None or b.text is not None:
        text = np.where(m, a.texts() if a.text is not None else "", b.texts() if b.text is not None else "")
    kind = np.where(beyond, ERR, np.where(m, a.kind, b.kind)).astype(np.uint8)
    return Values(kind, np.where(beyond, mv.num, np.where(m, a.num, b.num)), text)


def coerce(kind: int, num: float, text, how: str):
    """One element as a Python argument of a cell-by-cell function, or the ExcelError it is.

    ``how``: ``n`` a number (blank 0, TRUE 1, number-like text, other text ``#VALUE!``);
    ``N`` the same but a logical is ``#VALUE!`` (engineering functions); ``t`` text (a number
    as General shows it, TRUE/FALSE, blank ""); ``T`` text but a logical is ``#VALUE!``; ``b`` a logical
    (a number is non-zero, text
    must read TRUE/FALSE); ``v`` the value itself (None for blank). An error is always itself.
    """
    if kind == ERR:
        return ExcelError(ERROR_CODES[int(num) - 1])
    if how == "v":
        return None if kind == EMPTY else (float(num) if kind == NUM else (bool(num) if kind == BOOL else text))
    if how in ("n", "N"):
        if kind == NUM:
            return float(num)
        if kind == EMPTY:
            return 0.0
        if kind == BOOL:
            return VALUE if how == "N" else float(num)
        x = text_to_number(text)
        return VALUE if x is None else x
    if how in ("t", "T"):
        if kind == STR:
            return text
        if kind == NUM:
            return format_general(float(num))
        if kind == BOOL:
            return VALUE if how == "T" else ("TRUE" if num else "FALSE")
        return ""
    if how == "b":
        if kind == STR:
            t = str(text).strip().upper()
            return True if t == "TRUE" else (False if t == "FALSE" else VALUE)
        return bool(num) if kind != EMPTY else False
    raise ValueError(how)


def per_instance(n: int, f) -> Values:
    """One cell per instance, ``f(i)`` a Python result (float, str, bool, None, ExcelError) for
    instance ``i`` of ``n``: the loop of the functions computed instance by instance."""
    out = np.empty((n, 1, 1), object)
    for i in range(n):
        out[i, 0, 0] = f(i)
    return from_python_cells(out)


def from_python_cells(results: np.ndarray) -> Values:
    """Values from an object array of Python results (float, str, bool, None, ExcelError)."""
    kind = np.empty(results.shape, np.uint8)
    num = np.empty(results.shape)
    text = None
    for idx in np.ndindex(results.shape):
        k, x, t = encode_python(results[idx])
        kind[idx], num[idx] = k, x
        if t is not None:
            if text is None:
                text = np.empty(results.shape, object)
            text[idx] = t
    return Values(kind, num, text)


def from_python_results(results: np.ndarray) -> Values:
    """Values from per-element Python results, some of which may be 2-D lists (array results).

    A single cell's single result spills as its array; where the function was applied element
    by element (an array given for a scalar argument), each element keeps the top-left value of
    its own result, as Excel does for an array of arrays. Cells of a shape whose results are
    arrays go cell by cell (their sizes may differ).
    """
    if not any(type(x) is list for x in results.flat):
        return from_python_cells(results)
    if results.size == 1:
        return Values.from_python(results.flat[0])
    if results.shape[0] > 1:
        raise NotVectorizable("an array result per cell")
    flat = results.reshape(-1)
    for k, x in enumerate(flat):
        if type(x) is list:
            flat[k] = x[0][0]
    return from_python_cells(flat.reshape(results.shape))
