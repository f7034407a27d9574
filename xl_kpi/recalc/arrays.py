"""The types shared by the evaluator and the function library: broadcasting and its limits.

Kept apart from :mod:`.evaluator` so that the function modules need not import the evaluator
(which looks the functions up): the evaluator, the functions and the KPI bridge all import
this module and :mod:`.values`, never each other at import time.
"""

from __future__ import annotations

import numpy as np

from .values import BOOL, EMPTY, ERR, STR, E, Values

__all__ = ["CANCEL", "ColumnArray", "NotVectorizable", "align", "column_parts", "combine_errors", "compare"]

#: Relative size under which Excel takes two numbers as equal (about 15 significant digits):
#: in comparisons, and for a formula's final + or - (see ``Evaluator.formula``).
CANCEL = 2.0 ** -48


class NotVectorizable(Exception):
    """This shape must be evaluated one cell at a time."""


class ColumnArray(Values):
    """An array as tall as whole columns (``A:A*2``, ``A:A<>""`` in an array formula), held
    short: the rows of the used range as a block, and ``tail``, one row (n, 1, w) that is the
    value of every row below them down to row ``rows``. Excel computes the 1,048,576 rows; they
    are all alike below the used range, so an aggregate counts the tail ``rows - h`` times and
    nothing of that size is allocated. A function that does not know the tail sees the block
    (the used range), as it sees a whole-column reference."""

    __slots__ = ("tail", "rows")

    def __init__(self, block: Values, tail: Values, rows: int):
        super().__init__(block.kind, block.num, block.text)
        self.tail, self.rows = tail, rows

    @property
    def hidden_rows(self) -> int:
        return self.rows - self.hw[0]

    def head(self, rows: int) -> Values:
        """The first ``rows`` rows (at least the block) as an ordinary array."""
        return pad_rows(Values(self.kind, self.num, self.text), self.tail, min(max(rows, self.hw[0]), self.rows))


def column_parts(v: Values) -> tuple[Values, Values | None, int]:
    """(block, tail row, rows) of a value as tall as whole columns: a :class:`ColumnArray`, or a
    whole-column reference (``A:C``: the used rows, blank below); ``tail`` None for any other."""
    if isinstance(v, ColumnArray):
        return v, v.tail, v.rows
    h, w = v.hw
    if v.ref is not None and v.ref.extent is not None and v.ref.extent[0] > h and v.ref.extent[1] == w:
        return v, Values.empty(v.n, (1, w)), v.ref.extent[0]
    return v, None, h


def pad_rows(v: Values, row: Values, rows: int) -> Values:
    """``v`` with copies of the one-row ``row`` below it, ``rows`` rows in all."""
    h = v.hw[0]
    if rows <= h:
        return v
    n = max(v.n, row.n)
    w = max(v.hw[1], row.hw[1])
    (v, row) = (Values(np.broadcast_to(x.kind, (n, x.hw[0], w)), np.broadcast_to(x.num, (n, x.hw[0], w)),
                       None if x.text is None else np.broadcast_to(x.text, (n, x.hw[0], w))) for x in (v, row))
    extra = rows - h
    kind = np.concatenate([v.kind, np.broadcast_to(row.kind, (n, extra, w))], axis=1)
    num = np.concatenate([v.num, np.broadcast_to(row.num, (n, extra, w))], axis=1)
    text = None
    if v.text is not None or row.text is not None:
        text = np.concatenate([v.text if v.text is not None else np.full(v.kind.shape, None, object),
                               np.broadcast_to(row.text if row.text is not None else np.full(row.kind.shape, None, object),
                                               (n, extra, w))], axis=1)
    return Values(kind, num, text)


def combine_errors(*errs: np.ndarray) -> np.ndarray:
    """The first non-zero error code of each element, in argument order."""
    out = errs[0]
    for e in errs[1:]:
        out = np.where(out != 0, out, e)
    return out


def align(*vals: Values) -> list[Values]:
    """Broadcast values to one (n, h, w): 1-row/1-column/1x1 blocks repeat, other gaps are #N/A."""
    n = max(v.n for v in vals)
    h = max(v.hw[0] for v in vals)
    w = max(v.hw[1] for v in vals)
    out = []
    for v in vals:
        vh, vw = v.hw
        if (vh not in (1, h)) or (vw not in (1, w)):
            ph, pw = (h if vh != 1 else 1), (w if vw != 1 else 1)
            kind = np.full((v.n, ph, pw), ERR, np.uint8)
            num = np.full((v.n, ph, pw), float(E.NA))
            kind[:, :vh, :vw] = v.kind
            num[:, :vh, :vw] = v.num
            text = None
            if v.text is not None:
                text = np.empty((v.n, ph, pw), object)
                text[:, :vh, :vw] = v.text
            v = Values(kind, num, text)
        shape = (n, h, w)
        if v.kind.shape != shape:
            v = Values(np.broadcast_to(v.kind, shape), np.broadcast_to(v.num, shape),
                       None if v.text is None else np.broadcast_to(v.text, shape))
        out.append(v)
    return out


def compare(a: Values, b: Values, op: str) -> Values:
    """Excel comparison of aligned values: numbers < text < logicals, text without case."""
    ka, kb = a.kind, b.kind
    ea = np.where(ka == ERR, a.num, 0.0)
    eb = np.where(kb == ERR, b.num, 0.0)
    err = combine_errors(ea, eb)
    rank_a = np.where(ka == STR, 1, np.where(ka == BOOL, 2, np.where(ka == EMPTY, -1, 0)))
    rank_b = np.where(kb == STR, 1, np.where(kb == BOOL, 2, np.where(kb == EMPTY, -1, 0)))
    ra = np.where(rank_a == -1, np.where(rank_b == -1, 0, rank_b), rank_a)
    rb = np.where(rank_b == -1, ra, rank_b)
    with np.errstate(invalid="ignore"):
        c = np.sign(ra - rb).astype(np.float64)
        same = ra == rb
        d = a.num - b.num
        near = np.abs(d) <= np.maximum(np.abs(a.num), np.abs(b.num)) * CANCEL  # 15 digits, as Excel
        c = np.where(same, np.where(near, 0.0, np.sign(d)), c)
    strs = same & (ra == 1)
    if strs.any():
        ta, tb = a.texts(), b.texts()
        for idx in zip(*np.nonzero(strs)):
            sa, sb = str(ta[idx]).casefold(), str(tb[idx]).casefold()
            c[idx] = (sa > sb) - (sa < sb)
    if op == "=":
        r = c == 0
    elif op == "<>":
        r = c != 0
    elif op == "<":
        r = c < 0
    elif op == ">":
        r = c > 0
    elif op == "<=":
        r = c <= 0
    else:
        r = c >= 0
    iserr = err != 0
    if iserr.any():
        return Values(np.where(iserr, ERR, BOOL).astype(np.uint8), np.where(iserr, err, r.astype(np.float64)))
    return Values(np.full(r.shape, BOOL, np.uint8), r.astype(np.float64))
