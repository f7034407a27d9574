"""Information: NA and the IS* tests."""

from __future__ import annotations

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
