"""Information: NA, N and the IS* tests."""

from __future__ import annotations

import numpy as np

from ..values import BOOL, EMPTY, ERR, NUM, STR, E, Values
from .registry import register


@register("NA")
def _na(ev, args):
    return Values.error(E.NA)


def _is(test):
    def impl(ev, args):
        if len(args) != 1:
            return Values.error(E.VALUE)
        v = ev.scalar(args[0])
        return Values.boolean(test(v))

    return impl


register("ISBLANK")(_is(lambda v: v.kind == EMPTY))
register("ISERROR")(_is(lambda v: v.kind == ERR))
register("ISERR")(_is(lambda v: (v.kind == ERR) & (v.num != E.NA)))
register("ISNA")(_is(lambda v: (v.kind == ERR) & (v.num == E.NA)))
register("ISNUMBER")(_is(lambda v: v.kind == NUM))
register("ISTEXT")(_is(lambda v: v.kind == STR))
register("ISLOGICAL")(_is(lambda v: v.kind == BOOL))


@register("N")
def _n(ev, args):
    """N(value): a number as itself, TRUE 1, text and blank 0, an error as itself; of a range, its
    first cell (Excel reads N's argument as one value even in an array formula)."""
    if len(args) != 1:
        return Values.error(E.VALUE)
    v = ev.scalar(args[0])
    if v.ref is not None and not v.is_cell:
        v = Values(v.kind[:, :1, :1], v.num[:, :1, :1])
    kind = np.where(v.kind == ERR, ERR, NUM).astype(np.uint8)
    num = np.where((v.kind == NUM) | (v.kind == BOOL) | (v.kind == ERR), v.num, 0.0)
    return Values(kind, num)
