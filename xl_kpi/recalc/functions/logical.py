"""Logical: IF, IFERROR, IFNA, IFS, AND, OR, NOT, TRUE, FALSE.

IF, IFERROR, IFNA and IFS are lazy: a branch is evaluated only when some cell takes it.
"""

from __future__ import annotations

import numpy as np

from ..values import BOOL, EMPTY, ERR, NUM, E, Values, truthy
from .arguments import col, first_error, select
from .registry import register


@register("IF")
def _if(ev, args):
    if not 1 <= len(args) <= 3:
        return Values.error(E.VALUE)
    cond = ev.scalar(args[0])
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
    """The value of the first true condition, element by element (an array condition gives an array)."""
    if len(args) < 2 or len(args) % 2:
        return Values.error(E.VALUE)
    result = None
    done = None
    for cond_node, val_node in zip(args[0::2], args[1::2]):
        b, err = truthy(ev.scalar(cond_node))
        take = b | (err != 0)
        if done is not None:
            shape = np.broadcast_shapes(done.shape, take.shape)
            done = np.broadcast_to(done, shape)
            take = np.broadcast_to(take, shape) & ~done
        if take.any():
            errv = Values.from_numbers(np.zeros(err.shape), err)
            chosen = select(err == 0, ev.scalar(val_node), errv)
            result = chosen if result is None else select(take, chosen, result)
        done = take if done is None else done | take
        if done.all():
            break
    if result is None:
        return Values.error(E.NA)
    return select(done, result, Values.error(E.NA))


def _logical(ev, args, how):
    n = 1
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
            m = (v.kind != EMPTY) & (ee == 0)
            b = bb & m
            e = ee[:, 0, 0]
        flat_b = b.reshape(b.shape[0], -1)
        flat_m = m.reshape(m.shape[0], -1)
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
