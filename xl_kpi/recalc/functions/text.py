"""Text: CONCATENATE/CONCAT, TEXTJOIN, REPT, SUBSTITUTE, TEXT, LEFT, RIGHT, MID, LEN, UPPER, LOWER, TRIM,
VALUE; no text longer than 32,767 characters (:data:`~..values.MAX_TEXT`) is ever built."""

from __future__ import annotations

import math
import re

import numpy as np

from ...excel_errors import NA, VALUE
from ..arrays import align, combine_errors
from ..values import (BOOL, EMPTY, ERR, MAX_TEXT, NUM, STR, E, Values, format_general, numbers, text_to_number,
                      text_too_long, to_text, truthy)
from .registry import cellwise, cellwise_impl, register


@register("CONCAT")
def _concat_ranges(ev, args):
    """CONCAT: every cell of its ranges and arrays, row by row, joined (CONCATENATE takes one
    value per argument); ``#VALUE!`` beyond 32,767 characters."""
    parts = [ev.eval(a) for a in args]
    if all(p.is_cell for p in parts):
        return _concat(ev, args)
    n = max(p.n for p in parts)

    def one(i):
        pieces, size = [], 0
        for p in parts:
            t, e = to_text(p.instance(i))
            flat_e = e.reshape(-1)
            if flat_e.any():
                return Values.error(int(flat_e[np.nonzero(flat_e)[0][0]]))
            for piece in t.reshape(-1):
                size += len(piece)
                if size > MAX_TEXT:
                    return Values.error(E.VALUE)
                pieces.append(piece)
        return Values.string("".join(pieces))

    results = [one(i) for i in range(n)]
    if n == 1:
        return results[0]
    text = np.concatenate([r.text if r.text is not None else np.full((1, 1, 1), None, object) for r in results])
    return Values(np.concatenate([r.kind for r in results]), np.concatenate([r.num for r in results]), text)


@register("CONCATENATE")
def _concat(ev, args):
    vals = [ev.scalar(a) for a in args]
    if not vals:
        return Values.string("")
    vals = align(*vals)
    out = None
    errs = []
    for v in vals:
        t, e = to_text(v)
        out = t if out is None else out + t
        errs.append(e)
    err = combine_errors(*errs)
    err = np.where((err == 0) & text_too_long(out), E.VALUE, err)
    if err.any():
        return Values(np.where(err != 0, ERR, STR).astype(np.uint8), np.where(err != 0, err, 0.0), out)
    return Values.string(out)


@cellwise("REPT", args="tn")
def _rept(text, times):
    """``text`` repeated ``times`` (truncated) times; ``#VALUE!`` beyond 32,767 characters."""
    k = math.trunc(times)
    if k < 0:
        return VALUE
    if len(text) * k > MAX_TEXT:
        return VALUE
    return text * k


@cellwise("SUBSTITUTE", args="ttt", optional="n")
def _substitute(text, old, new, instance=None):
    """``old`` replaced by ``new`` in ``text``: every time, or only its ``instance``-th time."""
    if instance is not None:
        k = math.trunc(instance)
        if k < 1:
            return VALUE
        if not old:
            return text
        at = -1
        for _ in range(k):
            at = text.find(old, at + 1)
            if at < 0:
                return text
        out_len = len(text) - len(old) + len(new)
        return VALUE if out_len > MAX_TEXT else text[:at] + new + text[at + len(old):]
    if not old:
        return text
    if len(text) + text.count(old) * (len(new) - len(old)) > MAX_TEXT:  # known before building it
        return VALUE
    return text.replace(old, new)


@register("TEXTJOIN")
def _textjoin(ev, args):
    """TEXTJOIN(delimiter, ignore_empty, text1, ...): every value of the texts, joined."""
    if len(args) < 3:
        return Values.error(E.VALUE)
    delim, skip = ev.scalar(args[0]), ev.scalar(args[1])
    parts = [ev.eval(a) for a in args[2:]]
    n = max([delim.n, skip.n] + [p.n for p in parts])

    def one(i):
        d, de = to_text(delim.instance(i))
        if de[0, 0, 0]:
            return Values.error(int(de[0, 0, 0]))
        b, be = truthy(skip.instance(i))
        if be[0, 0, 0]:
            return Values.error(int(be[0, 0, 0]))
        pieces, size = [], 0
        sep = str(d[0, 0, 0])
        for p in parts:
            v = p.instance(i)
            t, e = to_text(v)
            if e.any():
                return Values.error(int(e.reshape(-1)[np.nonzero(e.reshape(-1))[0][0]]))
            for s, k in zip(t.reshape(-1), v.kind.reshape(-1)):
                if bool(b[0, 0, 0]) and (k == EMPTY or s == ""):
                    continue
                size += len(s) + (len(sep) if pieces else 0)
                if size > MAX_TEXT:
                    return Values.error(E.VALUE)
                pieces.append(s)
        return Values.string(sep.join(pieces))

    results = [one(i) for i in range(n)]
    if n == 1:
        return results[0]
    kind = np.concatenate([r.kind for r in results])
    text = np.concatenate([r.text if r.text is not None else np.full((1, 1, 1), None, object) for r in results])
    return Values(kind, np.concatenate([r.num for r in results]), text)


@register("TEXT")
def _text(ev, args):
    if len(args) != 2:
        return Values.error(E.VALUE)
    from pycel.lib.text import text as pycel_text

    value, fmt = align(ev.scalar(args[0]), ev.scalar(args[1]))
    ft, fe = to_text(fmt)
    out = np.empty(value.kind.shape, object)
    err = combine_errors(np.where(value.kind == ERR, value.num, 0.0), fe)
    for idx in np.ndindex(value.kind.shape):
        if err[idx]:
            out[idx] = ""
            continue
        k = value.kind[idx]
        f = str(ft[idx])
        if k == STR:
            v = value.text[idx]
        elif k == BOOL:
            v = bool(value.num[idx])
        elif k == EMPTY:
            v = 0.0
        else:
            v = float(value.num[idx])
        if f.strip().lower() in ("general", ""):
            out[idx] = format_general(v) if isinstance(v, float) else (str(v).upper() if isinstance(v, bool) else v)
            continue
        try:
            r = pycel_text(v, f)
        except Exception:
            err[idx] = E.VALUE
            out[idx] = ""
            continue
        if isinstance(r, str) and r.startswith("#") and r in ("#VALUE!", "#NUM!"):
            err[idx] = E.VALUE if r == "#VALUE!" else E.NUM
            out[idx] = ""
        else:
            out[idx] = str(r)
    if err.any():
        return Values(np.where(err != 0, ERR, STR).astype(np.uint8), np.where(err != 0, err, 0.0), out)
    return Values.string(out)


def _text_fn(fn, arity):
    def impl(ev, args):
        if not arity[0] <= len(args) <= arity[1]:
            return Values.error(E.VALUE)
        vals = align(*[ev.scalar(a) for a in args])
        t0, e0 = to_text(vals[0])
        rest = [numbers(v) for v in vals[1:]]
        err = combine_errors(e0, *[e for _, e in rest])
        out = np.empty(t0.shape, object)
        isnum = np.zeros(t0.shape, bool)
        numout = np.zeros(t0.shape)
        for idx in np.ndindex(t0.shape):
            if err[idx]:
                out[idx] = ""
                continue
            r = fn(t0[idx], *[x[idx] for x, _ in rest])
            if isinstance(r, tuple):  # (error code,)
                err[idx] = r[0]
                out[idx] = ""
            elif isinstance(r, float):
                isnum[idx] = True
                numout[idx] = r
                out[idx] = ""
            else:
                out[idx] = r
        kind = np.where(err != 0, ERR, np.where(isnum, NUM, STR)).astype(np.uint8)
        return Values(kind, np.where(err != 0, err, numout), out)

    return impl


def _left(s, k=1.0):
    return (E.VALUE,) if k < 0 else s[: int(k)]


def _right(s, k=1.0):
    return (E.VALUE,) if k < 0 else (s[-int(k):] if int(k) else "")


def _mid(s, start, k):
    return (E.VALUE,) if start < 1 or k < 0 else s[int(start) - 1: int(start) - 1 + int(k)]


register("LEFT")(_text_fn(_left, (1, 2)))
register("RIGHT")(_text_fn(_right, (1, 2)))
register("MID")(_text_fn(_mid, (3, 3)))
register("LEN")(_text_fn(lambda s: float(len(s)), (1, 1)))
register("UPPER")(_text_fn(str.upper, (1, 1)))
register("LOWER")(_text_fn(str.lower, (1, 1)))
register("TRIM")(_text_fn(lambda s: re.sub(" +", " ", s).strip(" "), (1, 1)))
register("VALUE")(_text_fn(lambda s: (lambda x: (E.VALUE,) if x is None else x)(text_to_number(s)), (1, 1)))


# ---------------------------------------------------------------------------------------------
# character codes: CHAR and CODE use the platform's character set (Windows-1252, or Mac Roman
# for a workbook saved by Excel for Mac); UNICHAR and UNICODE use Unicode code points.


def _charset(ev) -> str:
    pkg = getattr(ev.ctx.book, "pkg", None)
    return "mac_roman" if getattr(pkg, "saved_on_mac", False) else "cp1252"


def _char(charset: str):
    def f(number):
        n = math.trunc(number)
        if not 1 <= n <= 255:
            return VALUE
        try:
            return bytes([n]).decode(charset)
        except UnicodeDecodeError:  # the five codes Windows-1252 leaves undefined
            return chr(n)

    return f


def _code(charset: str):
    def f(text):
        if text == "":
            return VALUE
        try:
            b = text[0].encode(charset)
        except UnicodeEncodeError:
            b = b"?" if ord(text[0]) > 255 else bytes([ord(text[0])])
        return float(b[0])

    return f


_CHARSETS = ("cp1252", "mac_roman")
_CHAR = {cs: cellwise_impl(_char(cs), "n") for cs in _CHARSETS}
_CODE = {cs: cellwise_impl(_code(cs), "t") for cs in _CHARSETS}


@register("CHAR")
def _char_fn(ev, args):
    """CHAR(number): the character of code 1..255 in the workbook's character set."""
    return _CHAR[_charset(ev)](ev, args)


@register("CODE")
def _code_fn(ev, args):
    """CODE(text): the code of the first character in the workbook's character set (? if none)."""
    return _CODE[_charset(ev)](ev, args)


@cellwise("UNICHAR", args="n")
def _unichar(number):
    n = math.trunc(number)
    if not 1 <= n <= 0x10FFFF:
        return VALUE
    if 0xD800 <= n <= 0xDFFF:
        return NA
    return chr(n)


@cellwise("UNICODE", args="t")
def _unicode(text):
    return VALUE if text == "" else float(ord(text[0]))
