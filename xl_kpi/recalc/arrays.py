"""The types shared by the evaluator and the function library: broadcasting and its limits.

Kept apart from :mod:`.evaluator` so that the function modules need not import the evaluator
(which looks the functions up): the evaluator, the functions and the KPI bridge all import
this module and :mod:`.values`, never each other at import time.
"""

from __future__ import annotations

import numpy as np

from .values import ERR, E, Values

__all__ = ["NotVectorizable", "align", "combine_errors"]


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
