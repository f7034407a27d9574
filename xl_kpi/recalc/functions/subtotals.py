"""SUBTOTAL and AGGREGATE: a function of ranges that leaves out some of their cells.

SUBTOTAL leaves out the cells that hold SUBTOTAL or AGGREGATE themselves and the rows a filter
hides (function numbers 101-111: every hidden row); AGGREGATE chooses by its ``options`` among
nested SUBTOTAL/AGGREGATE cells, hidden rows and error values. The cells left out are made blank,
which every function they call skips.
"""

from __future__ import annotations

import re

import numpy as np

from ..arrays import NotVectorizable
from ..values import EMPTY, ERR, E, Values, numbers
from .registry import register

#: SUBTOTAL's function numbers (1-11; 101-111 also leave out the rows hidden by hand).
_SUBTOTAL = {1: "AVERAGE", 2: "COUNT", 3: "COUNTA", 4: "MAX", 5: "MIN", 6: "PRODUCT", 7: "STDEV", 8: "STDEVP",
             9: "SUM", 10: "VAR", 11: "VARP"}
_HIDDEN = re.compile(rb'\bhidden\s*=\s*["\'](?:1|true)["\']')
_AUTOFILTER = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?autoFilter\b[^>]*\bref\s*=\s*["\']([A-Z]+\d+:[A-Z]+\d+)["\']')


def _subtotal_layout(book, sheet):
    """(cells holding SUBTOTAL, hidden rows, rows an AutoFilter hid) of a sheet, cached on the book."""
    cache = book.__dict__.setdefault("subtotal_layout", {})
    got = cache.get(sheet.index)
    if got is not None:
        return got
    part = sheet.part
    cells = part.formulas
    masters = {si: text for ftype, si, text in zip(cells.ftypes, cells.sis, cells.texts) if ftype == "shared" and text}
    nested = set()
    for row, col, text, si in zip(cells.rows, cells.cols, cells.texts, cells.sis):
        text = (text or masters.get(si) or "").upper()
        if "SUBTOTAL(" in text or "AGGREGATE(" in text:
            nested.add((row, col))
    xml = part.xml
    hidden = {r for r, (s, e, _) in part.row_spans.items() if _HIDDEN.search(xml, s, e)}
    filtered = set()
    if hidden:
        from ..package import parse_range

        spans = [parse_range(m.group(1).decode()) for m in _AUTOFILTER.finditer(xml)]
        spans += [(t.r0, t.c0, t.r1, t.c1) for t in getattr(book, "tables", []) if t.sheet == sheet.name]
        filtered = {r for r in hidden if any(r0 < r <= r1 for r0, _, r1, _ in spans)}
    cache[sheet.index] = got = (nested, hidden, filtered)
    return got


def _function_number(ev, node):
    """The whole number an argument holds, the same for every cell (else not vectorizable), or
    the Values error it is."""
    code = ev.scalar(node)
    if code.n > 1:
        raise NotVectorizable("SUBTOTAL/AGGREGATE with a function number per cell")
    x, e = numbers(code)
    if e[0, 0, 0]:
        return Values.error(int(e[0, 0, 0]))
    return int(x[0, 0, 0])


def _left_out(ev, v: Values, *, nested: bool, hidden: str | None, errors: bool):
    """``v`` as a constant node with the cells SUBTOTAL/AGGREGATE leave out made blank (which every
    function skips): cells holding SUBTOTAL/AGGREGATE (``nested``), the rows hidden by a filter
    (``hidden="filtered"``) or hidden at all (``"all"``), and error values (``errors``)."""
    from ..formula import Const

    kind = v.kind
    if errors and (kind == ERR).any():
        kind = np.where(kind == ERR, EMPTY, kind).astype(np.uint8)
    if v.ref is not None and (nested or hidden):
        layout_nested, all_hidden, filtered = _subtotal_layout(ev.ctx.book, v.ref.sheet)
        drop_rows = () if hidden is None else (all_hidden if hidden == "all" else filtered)
        drop_cells = layout_nested if nested else ()
        if drop_rows or drop_cells:
            h, w = v.hw
            kind = kind.copy()
            for i in range(v.n):
                r0 = int(v.ref.row0[min(i, v.ref.row0.shape[0] - 1)])
                c0 = int(v.ref.col0[min(i, v.ref.col0.shape[0] - 1)])
                for rr in range(h):
                    for cc in range(w):
                        if r0 + rr in drop_rows or (r0 + rr, c0 + cc) in drop_cells:
                            kind[i, rr, cc] = EMPTY
    if kind is not v.kind:
        v = Values(kind, v.num, v.text, v.ref)
    return Const(v)


@register("SUBTOTAL")
def _subtotal(ev, args):
    """SUBTOTAL(function_num, ref1, ...): the function of the references' cells, leaving out the
    cells that hold a SUBTOTAL themselves and the rows a filter hides (101-111: every hidden row)."""
    from .registry import resolve

    if len(args) < 2:
        return Values.error(E.VALUE)
    k = _function_number(ev, args[0])
    if isinstance(k, Values):
        return k
    name = _SUBTOTAL.get(k % 100 if k > 100 else k)
    if name is None or not (1 <= k <= 11 or 101 <= k <= 111):
        return Values.error(E.VALUE)
    hidden = "all" if k > 100 else "filtered"
    return resolve(name)(ev, [_left_out(ev, ev.eval(a), nested=True, hidden=hidden, errors=False)
                              for a in args[1:]])


#: AGGREGATE's function numbers: 1-13 take references (ref1, ...), 14-19 an array and k.
_AGGREGATE = {1: "AVERAGE", 2: "COUNT", 3: "COUNTA", 4: "MAX", 5: "MIN", 6: "PRODUCT", 7: "STDEV.S",
              8: "STDEV.P", 9: "SUM", 10: "VAR.S", 11: "VAR.P", 12: "MEDIAN", 13: "MODE.SNGL", 14: "LARGE",
              15: "SMALL", 16: "PERCENTILE.INC", 17: "QUARTILE.INC", 18: "PERCENTILE.EXC", 19: "QUARTILE.EXC"}


@register("AGGREGATE")
def _aggregate(ev, args):
    """AGGREGATE(function_num, options, ref1, ...) or AGGREGATE(function_num, options, array, k).

    ``options`` (default 0) says what to leave out: 0 nested SUBTOTAL/AGGREGATE cells, 1 those and
    hidden rows, 2 those and error values, 3 all three, 4 nothing, 5 hidden rows, 6 error values,
    7 hidden rows and error values (Microsoft's AGGREGATE page); other values are #VALUE!.
    """
    from .registry import resolve

    if len(args) < 3:
        return Values.error(E.VALUE)
    k = _function_number(ev, args[0])
    opt = 0 if args[1] is None else _function_number(ev, args[1])
    for got in (k, opt):
        if isinstance(got, Values):
            return got
    name = _AGGREGATE.get(k)
    if name is None or not 0 <= opt <= 7:
        return Values.error(E.VALUE)
    how = {"nested": opt <= 3, "hidden": "all" if opt in (1, 3, 5, 7) else None, "errors": opt in (2, 3, 6, 7)}
    if k >= 14:
        if len(args) != 4:
            return Values.error(E.VALUE)
        return resolve(name)(ev, [_left_out(ev, ev.eval_array(args[2]), **how), args[3]])
    return resolve(name)(ev, [_left_out(ev, ev.eval(a), **how) for a in args[2:]])
