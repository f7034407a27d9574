"""The types shared by the evaluator and the function library: broadcasting and its limits.

Kept apart from :mod:`.evaluator` so that the function modules need not import the evaluator
(which looks the functions up): the evaluator, the functions and the KPI bridge all import
this module and :mod:`.values`, never each other at import time.
"""

from __future__ import annotations

import numpy as np

from .values import BOOL, EMPTY, ERR, STR, E, Values

__all__ = ["CANCEL", "NotVectorizable", "align", "combine_errors", "compare"]

#: Relative size under which Excel takes two numbers as equal (about 15 significant digits):
#: in comparisons, and for a formula's final + or - (see ``Evaluator.formula``).
CANCEL = 2.0 ** -48


class NotVectorizable(Exception):
    """This shape must be evaluated one cell at a time."""


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
