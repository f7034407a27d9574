"""Logical: IF, IFERROR, IFNA, IFS, SWITCH, AND, OR, XOR, NOT, TRUE, FALSE.

IF, IFERROR, IFNA, IFS and SWITCH are lazy: a branch is evaluated only when some cell takes it.
"""

from __future__ import annotations

import numpy as np

from ..arrays import ColumnArray, align, compare
from ..values import BOOL, EMPTY, ERR, NUM, STR, E, Values, truthy
from .arguments import col, first_error, over_whole_columns, select
from .registry import register


@register("IF")
def _if(ev, args):
    if not 2 <= len(args) <= 3:  # Excel's formula bar refuses IF(x); an eta IF given one value is #VALUE!
        return Values.error(E.VALUE)
    cond = ev.scalar(args[0])
    if isinstance(cond, ColumnArray) or (cond.ref is not None and cond.ref.extent is not None):
        whole = over_whole_columns(ev, _if, [cond] + [None if a is None else ev.scalar(a) for a in args[1:]])
        if whole is not None:
            return whole
    b, err = truthy(cond)
    then_node = args[1] if len(args) > 1 else None
    if len(args) > 1:
        yes = ev.scalar(then_node) if (b & (err == 0)).any() else Values.empty()
        if then_node is None:
            yes = Values.number(0.0)
    else:
        yes = Values.boolean(True)
    if len(args) > 2:
        no = ev.scalar(args[2]) if (~b & (err == 0)).any() else Values.empty()
        if args[2] is None:
            no = Values.number(0.0)
    else:
        no = Values.boolean(False)
    out = select(b, yes, no)
    if (err != 0).any():
        e = np.broadcast_to(err, out.kind.shape)
        out = Values(np.where(e != 0, ERR, out.kind).astype(np.uint8), np.where(e != 0, e, out.num), out.text)
    return out


@register("IFERROR")
def _iferror(ev, args):
    if len(args) != 2:
        return Values.error(E.VALUE)
    v = ev.scalar(args[0])
    bad = v.kind == ERR
    return select(~bad, v.drop_ref(), ev.scalar(args[1])) if bad.any() else v


@register("IFNA")
def _ifna(ev, args):
    if len(args) != 2:
        return Values.error(E.VALUE)
    v = ev.scalar(args[0])
    bad = (v.kind == ERR) & (v.num == E.NA)
    return select(~bad, v.drop_ref(), ev.scalar(args[1])) if bad.any() else v


@register("IFS")
def _ifs(ev, args):
    """IFS(cond1, value1, ...): the value of the first true condition, element by element (#N/A if none)."""
    if len(args) < 2 or len(args) % 2:
        return Values.error(E.VALUE)
    result = None
    done = None
    for k in range(0, len(args), 2):
        b, err = truthy(ev.scalar(args[k]))
        done_b = np.zeros(b.shape, bool) if done is None else np.broadcast_to(done, np.broadcast_shapes(done.shape, b.shape))
        take = ~done_b & (b | (err != 0))
        if take.any():
            val = select(err == 0, ev.scalar(args[k + 1]), Values.from_numbers(np.zeros(err.shape), err))
            result = val if result is None else select(take, val, result)
        done = done_b | take
        if done.all():
            break
    if result is None:
        return Values.error(E.NA)
    return select(done, result, Values.error(E.NA))


def _blank_as_zero(v: Values) -> Values:
    blank = v.kind == EMPTY
    if not blank.any():
        return v
    return Values(np.where(blank, NUM, v.kind).astype(np.uint8), np.where(blank, 0.0, v.num), v.text)


@register("SWITCH")
def _switch(ev, args):
    """SWITCH(expr, value1, result1, ..., [default]): the result of the first value equal to expr.

    Values compare as ``=`` does (text without case) but a blank is the number 0 (it matches 0,
    not FALSE nor ""), as the corpus shows (pycel logical.xlsx, sheet Switch); no match and no
    default is #N/A; an error in expr, or in a value reached, is the result.
    """
    if len(args) < 3:
        return Values.error(E.VALUE)
    expr = ev.scalar(args[0])
    pairs = (len(args) - 1) // 2
    default = args[-1] if (len(args) - 1) % 2 else None
    result, done = None, None
    for k in range(pairs):
        cand = ev.scalar(args[1 + 2 * k])
        a, c = align(expr, cand)
        eq = compare(_blank_as_zero(a), _blank_as_zero(c), "=")
        hit = (eq.kind == BOOL) & (eq.num != 0)
        err = np.where(a.kind == ERR, a.num, np.where(c.kind == ERR, c.num, 0.0))
        hit = hit | (err != 0)
        d = np.zeros(hit.shape, bool) if done is None else np.broadcast_to(done, np.broadcast_shapes(done.shape, hit.shape))
        take = ~d & hit
        if take.any():
            val = select(err == 0, ev.scalar(args[2 + 2 * k]), Values.from_numbers(np.zeros(err.shape), err))
            result = val if result is None else select(take, val, result)
        done = d | take
        if done.all():
            break
    fallback = ev.scalar(default) if default is not None and (done is None or not done.all()) else Values.error(E.NA)
    if result is None:
        return fallback
    return select(done, result, fallback)


def _reads_false(v: Values) -> np.ndarray:
    """Where a text element reads FALSE (a logical AND/OR/XOR count, unlike other text)."""
    if v.text is None:
        return np.zeros(v.kind.shape, bool)
    return np.vectorize(lambda t: isinstance(t, str) and t.strip().upper() == "FALSE", otypes=[bool])(v.text)


def _logical(ev, args, how):
    """AND, OR, XOR over the logicals of the arguments: numbers count (0 is FALSE), text and blanks
    in ranges are skipped, and so is a text argument that does not read TRUE or FALSE
    (``AND(TRUE, "0")`` is TRUE); no logical at all is #VALUE!, the first error is the result."""
    acc = None
    seen = None
    err = None
    for a in args:
        v = ev.eval(a)
        if v.ref is not None or not v.is_cell:
            m = (v.kind == NUM) | (v.kind == BOOL)
            b = (v.num != 0) & m
            e = first_error(v.kind, v.num)
        else:
            bb, ee = truthy(v)
            ee = np.where(v.kind == STR, 0, ee)  # text that reads as no logical is skipped ("0")
            m = (v.kind != EMPTY) & (ee == 0) & ((v.kind != STR) | (bb | _reads_false(v)))
            b = bb & m
            e = ee[:, 0, 0]
        flat_b = b.reshape(b.shape[0], -1)
        flat_m = m.reshape(m.shape[0], -1)
        if how == "xor":
            part = flat_b.sum(axis=1) % 2 == 1
            acc = part if acc is None else acc ^ part
        else:
            part = flat_b.any(axis=1) if how == "or" else (flat_b | ~flat_m).all(axis=1)
            acc = part if acc is None else (acc | part if how == "or" else acc & part)
        s = flat_m.any(axis=1)
        seen = s if seen is None else seen | s
        err = e if err is None else np.where(err != 0, err, e)
    if acc is None:
        return Values.error(E.VALUE)
    err = np.where((err == 0) & ~seen, E.VALUE, err)
    iserr = err != 0
    return Values(col(np.where(iserr, ERR, BOOL).astype(np.uint8)), col(np.where(iserr, err, acc.astype(float))))


@register("AND")
def _and(ev, args):
    return _logical(ev, args, "and")


@register("OR")
def _or(ev, args):
    return _logical(ev, args, "or")


@register("XOR")
def _xor(ev, args):
    """XOR(logical1, ...): TRUE when an odd number of the arguments' logicals are TRUE."""
    return _logical(ev, args, "xor")


@register("NOT")
def _not(ev, args):
    if len(args) != 1:
        return Values.error(E.VALUE)
    b, err = truthy(ev.scalar(args[0]))
    iserr = err != 0
    return Values(np.where(iserr, ERR, BOOL).astype(np.uint8), np.where(iserr, err, (~b).astype(float)))


@register("TRUE")
def _true(ev, args):
    return Values.boolean(True)


@register("FALSE")
def _false(ev, args):
    return Values.boolean(False)
