"""Matrix functions: MMULT, MDETERM, MINVERSE and MUNIT, with numpy's linear algebra (LAPACK's LU
factorisation, as Excel's own results show: MINVERSE leaves the same rounding noise).

Semantics from Microsoft's pages of the four functions and the cells of Excel: the matrices are
arrays or ranges of numbers; an error value in one is the result (the first in row-major order,
first argument first); a blank, text or a logical is ``#VALUE!``, and so is a shape that does not
fit (MMULT: columns of the first = rows of the second; MDETERM, MINVERSE: square). A singular
matrix has no inverse: ``#NUM!``. MUNIT(n) is the n x n identity, n truncated, ``#VALUE!`` below
1; given an array (in an array formula) it is computed for each element, which keeps the top-left
element of its matrix, as Excel does. MMULT and MINVERSE results fill the range of their array
formula (``#N/A`` beyond, as Excel).
"""

from __future__ import annotations

import numpy as np

from ..arrays import NotVectorizable
from ..values import ERR, NUM, E, Values, numbers
from .dynamic import MAX_SEQUENCE
from .registry import register


def _matrix(v: Values, i: int) -> np.ndarray | int:
    """The 2-D float matrix of instance i of an argument, or the error code it gives."""
    j = i if v.n > 1 else 0
    kind, num = v.kind[j], v.num[j]
    err = kind == ERR
    if err.any():
        return int(num[err][0])  # boolean indexing is row-major: the first error
    if (kind != NUM).any():
        return E.VALUE
    return num


def _block(x: np.ndarray) -> Values:
    return Values.from_numbers(np.asarray(x, np.float64).reshape(1, *x.shape))


def _stack(results: list[Values]) -> Values:
    """One Values of n instances from n one-instance results of the same size."""
    if len({r.hw for r in results}) != 1:
        raise NotVectorizable("matrix results of different sizes")
    if len(results) == 1:
        return results[0]
    return Values(np.concatenate([r.kind for r in results]), np.concatenate([r.num for r in results]))


def _per_instance(ev, args, arity: int, f) -> Values:
    """f(*matrices) -> Values for each instance of the arguments (read as arrays)."""
    if len(args) != arity:
        return Values.error(E.VALUE)
    vals = [ev.eval_array(a) for a in args]
    out = []
    for i in range(max(v.n for v in vals)):
        mats = [_matrix(v, i) for v in vals]
        bad = next((m for m in mats if isinstance(m, int)), None)
        out.append(Values.error(bad) if bad is not None else f(*mats))
    return _stack(out)


def _square(m: np.ndarray) -> bool:
    return m.shape[0] == m.shape[1]


@register("MMULT")
def _mmult(ev, args):
    """MMULT(array1, array2): the matrix product, rows of array1 by columns of array2."""

    def f(a, b):
        return _block(a @ b) if a.shape[1] == b.shape[0] else Values.error(E.VALUE)

    return _per_instance(ev, args, 2, f)


@register("MDETERM")
def _mdeterm(ev, args):
    """MDETERM(array): the determinant of a square matrix."""

    def f(a):
        return Values.number(float(np.linalg.det(a))) if _square(a) else Values.error(E.VALUE)

    return _per_instance(ev, args, 1, f)


@register("MINVERSE")
def _minverse(ev, args):
    """MINVERSE(array): the inverse of a square matrix; #NUM! when it is singular."""

    def f(a):
        if not _square(a):
            return Values.error(E.VALUE)
        try:
            return _block(np.linalg.inv(a))
        except np.linalg.LinAlgError:
            return Values.error(E.NUM)

    return _per_instance(ev, args, 1, f)


@register("MUNIT")
def _munit(ev, args):
    """MUNIT(dimension): the identity matrix of that size (#NUM! beyond 10 million elements)."""
    if len(args) != 1:
        return Values.error(E.VALUE)
    v = ev.scalar(args[0])
    x, err = numbers(v)
    err = np.where((err == 0) & (x < 1), E.VALUE, err)
    size = np.trunc(np.where(err == 0, x, 1))
    if not v.is_cell:  # one element of each identity: its top-left 1
        return Values.from_numbers(np.ones(size.shape), err)
    out = []
    for i in range(v.n):
        k = int(size[i, 0, 0])
        if err[i, 0, 0]:
            out.append(Values.error(int(err[i, 0, 0])))
        elif k * k > MAX_SEQUENCE:
            out.append(Values.error(E.NUM))
        else:
            out.append(_block(np.eye(k)))
    return _stack(out)

