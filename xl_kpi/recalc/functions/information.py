"""Information: NA, the IS* tests and ISFORMULA."""

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


@register("ISFORMULA")
def _isformula(ev, args):
    """ISFORMULA(reference): whether each cell of the reference holds a formula; #VALUE! for a value."""
    if len(args) != 1:
        return Values.error(E.VALUE)
    v = ev.eval(args[0])
    if v.ref is None:
        return v if v.is_cell and v.kind[0, 0, 0] == ERR else Values.error(E.VALUE)
    sheet = v.ref.sheet
    h, w = v.hw
    rows = np.asarray(v.ref.row0).reshape(-1, 1, 1) + np.arange(h).reshape(1, -1, 1)
    cols = np.asarray(v.ref.col0).reshape(-1, 1, 1) + np.arange(w).reshape(1, 1, -1)
    rows, cols = np.broadcast_arrays(rows, cols)
    owner = sheet.owner
    inside = (rows < owner.shape[0]) & (cols < owner.shape[1])
    found = np.zeros(rows.shape, bool)
    found[inside] = owner[rows[inside], cols[inside]] >= 0
    return Values.boolean(found)
