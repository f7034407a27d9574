"""Criteria as SUMIFS, COUNTIFS and MATCH read them, and the conditional aggregation engine.

A criterion is an operator and a number, logical, text or wildcard pattern (``"<=5"``, ``"a*"``,
``""`` for blank); :func:`conditional` applies one per range and aggregates the cells that meet
all of them, for every cell of a shape.
"""

from __future__ import annotations

import re

import numpy as np

from ..arrays import NotVectorizable, align
from ..formula import Const
from ..values import BOOL, EMPTY, ERR, NUM, STR, E, Values, text_to_number
from .arguments import finish

__all__ = ["Criterion", "conditional", "has_wild", "wildcard_regex"]


class Wildcard:
    """Excel's wildcards matched in polynomial time: ``*`` any run, ``?`` one character, ``~``
    escapes ``*``, ``?`` and ``~``; without case (``str.lower``: one character stays one, so
    ``?`` counts as Excel does and ß is not ss), the whole text (``fullmatch``).

    A regular expression ``.*a.*a.*a.*a.*b`` backtracks exponentially on a long text that almost
    matches (31 s on 200 characters). Here the pattern is cut at its stars into segments: the
    first must start the text, the last end it, and each middle one is found at its leftmost
    place after the previous one, which is always a right choice for a glob (a later place
    leaves less room, never more). Cost: at most len(text) x len(pattern) comparisons, and
    ``str.find`` at C speed for segments without ``?``.
    """

    __slots__ = ("segments", "starred")

    def __init__(self, pattern: str):
        segments: list[list] = [[]]
        i, n = 0, len(pattern)
        while i < n:
            ch = pattern[i]
            if ch == "~" and i + 1 < n and pattern[i + 1] in "*?~":
                segments[-1].append(pattern[i + 1].lower())
                i += 2
                continue
            if ch == "*":
                segments.append([])
            elif ch == "?":
                segments[-1].append(None)  # any one character
            else:
                segments[-1].extend(ch.lower())
            i += 1
        self.starred = len(segments) > 1
        self.segments = [(seg, None if None in seg else "".join(seg)) for seg in segments]

    @staticmethod
    def _at(text: str, pos: int, seg: list) -> bool:
        if pos < 0 or pos + len(seg) > len(text):
            return False
        for k, ch in enumerate(seg):
            if ch is not None and text[pos + k] != ch:
                return False
        return True

    def _find(self, text: str, seg: list, plain: str | None, start: int, stop: int) -> int:
        """Leftmost place >= start where ``seg`` fits before ``stop``, or -1."""
        if plain is not None:
            return text.find(plain, start, stop)
        for pos in range(start, stop - len(seg) + 1):
            if self._at(text, pos, seg):
                return pos
        return -1

    def fullmatch(self, text: str) -> bool:
        t = str(text).lower()
        first, first_plain = self.segments[0]
        if not self.starred:
            return len(t) == len(first) and self._at(t, 0, first)
        last, _ = self.segments[-1]
        if len(first) + len(last) > len(t) or not self._at(t, 0, first) or not self._at(t, len(t) - len(last), last):
            return False
        pos, stop = len(first), len(t) - len(last)
        for seg, plain in self.segments[1:-1]:
            found = self._find(t, seg, plain, pos, stop)
            if found < 0:
                return False
            pos = found + len(seg)
        return True


    def search(self, text: str, pos: int = 0) -> "_Found | None":
        """The leftmost place at or after ``pos`` where the pattern matches a part of ``text``
        (SEARCH's reading: the end is free), or None; ``.start()`` gives it."""
        t = str(text).lower()
        first, plain = self.segments[0]
        at = self._find(t, first, plain, pos, len(t)) if first else pos
        if at < 0 or at > len(t):
            return None
        p = at + len(first)
        for seg, seg_plain in self.segments[1:]:  # each after a star: leftmost is always right
            found = self._find(t, seg, seg_plain, p, len(t))
            if found < 0:
                return None
            p = found + len(seg)
        return _Found(at)


class _Found:
    __slots__ = ("at",)

    def __init__(self, at: int):
        self.at = at

    def start(self) -> int:
        return self.at


def wildcard_regex(pattern: str) -> Wildcard:
    """The matcher of an Excel wildcard pattern (``fullmatch(text) -> bool``), see :class:`Wildcard`."""
    return Wildcard(pattern)


def has_wild(s: str) -> bool:
    return "*" in s or "?" in s


_CRIT_OP = re.compile(r"^(<=|>=|<>|<|>|=)?(.*)$", re.S)


class Criterion:
    """One criterion of SUMIFS and friends: an operator and a number, text or pattern."""

    __slots__ = ("op", "kind", "num", "text", "regex")

    def __init__(self, kind: int, num: float, text: str | None):
        self.regex = None
        self.text = None
        self.num = 0.0
        if kind == STR:
            m = _CRIT_OP.match(text)
            op, rest = m.group(1) or "=", m.group(2)
            self.op = op
            x = text_to_number(rest) if rest.strip() else None
            if x is not None:
                self.kind, self.num = NUM, x
            elif rest.upper() in ("TRUE", "FALSE"):
                self.kind, self.num = BOOL, float(rest.upper() == "TRUE")
            elif rest == "" and m.group(1) is None:
                self.kind, self.op = EMPTY, "blank"
            else:
                self.kind, self.text = STR, rest
                if op in ("=", "<>") and has_wild(rest):
                    self.regex = wildcard_regex(rest)
        elif kind == EMPTY:
            self.op, self.kind, self.num = "=", NUM, 0.0
        else:
            self.op, self.kind, self.num = "=", kind, num

    @property
    def plain_equality(self) -> bool:
        return self.op == "=" and self.regex is None and self.kind in (NUM, STR, BOOL)

    def key(self):
        return (self.kind, self.text.casefold()) if self.kind == STR else (self.kind, self.num)

    def mask(self, kind: np.ndarray, num: np.ndarray, text) -> np.ndarray:
        op = self.op
        if op == "blank":
            return (kind == EMPTY) | ((kind == STR) & (texts_of(kind, text) == ""))
        if self.kind == STR:
            if op in ("=", "<>"):
                t = texts_of(kind, text)
                if self.regex is not None:
                    matched = [bool(self.regex.fullmatch(s)) for s in t.reshape(-1)]
                    hit = np.array(matched).reshape(t.shape) & (kind == STR)
                elif self.text == "":
                    hit = (kind == EMPTY) | ((kind == STR) & (t == ""))
                else:
                    target = self.text.casefold()
                    flat = t.reshape(-1).tolist()
                    same = {s: str(s).lower() == target for s in set(flat)}  # each distinct text once
                    hit = (kind == STR) & np.fromiter(map(same.__getitem__, flat), bool, len(flat)).reshape(t.shape)
                return hit if op == "=" else ~hit
            t = texts_of(kind, text)
            folded = np.array([s.casefold() for s in t.reshape(-1)], dtype=object).reshape(t.shape)
            target = self.text.casefold()
            cmp = {"<": folded < target, ">": folded > target, "<=": folded <= target, ">=": folded >= target}[op]
            return (kind == STR) & cmp.astype(bool)
        if op in ("=", "<>"):
            hit = (kind == self.kind) & (num == self.num)
            if self.kind == NUM and text is not None and (kind == STR).any():
                hit = hit | _reads_as(kind, text, self.num)  # "1" matches the text "01", as Excel
            return hit if op == "=" else ~hit
        sel = kind == self.kind
        with np.errstate(invalid="ignore"):
            cmp = {"<": num < self.num, ">": num > self.num, "<=": num <= self.num, ">=": num >= self.num}[op]
        return sel & cmp


def _reads_as(kind, text, x: float) -> np.ndarray:
    """Where a text cell reads as the number ``x`` (COUNTIF(A:A, 1) counts the text "1")."""
    out = np.zeros(kind.shape, bool)
    for idx in zip(*np.nonzero(kind == STR)):
        out[idx] = text_to_number(text[idx]) == x
    return out


def texts_of(kind, text) -> np.ndarray:
    if text is None:
        return np.full(kind.shape, "", object)
    return np.where(kind == STR, text, "")


def criteria_values(ev, node) -> list[Criterion]:
    """One criterion per cell of the shape; cells with the same criterion value share one object
    (callers cache masks and results by its identity)."""
    v = ev.scalar(node)
    kinds = v.kind[:, 0, 0].tolist()
    nums = v.num[:, 0, 0].tolist()
    texts = v.text[:, 0, 0].tolist() if v.text is not None else None
    made: dict = {}
    out = []
    for k, x, t in zip(kinds, nums, texts if texts is not None else kinds):
        key = (k, t) if k == STR else (k, x)
        c = made.get(key)
        if c is None:
            c = made[key] = Criterion(k, x, t if k == STR else None)
        out.append(c)
    return out


def conditional(ev, value_node, pairs, how: str, *, resize: bool = False) -> Values:
    """SUMIFS-style aggregation: how is "sum", "count", "average", "max" or "min".

    A criterion that is an array (``{"a","b"}``, or a range in an array formula) gives one
    result per element. An error in a cell of the value range that meets the criteria is the
    result (SUMIF over a #N/A is #N/A), while one in a criteria range only fails to match,
    unless the criterion is that error. The ranges must have one shape (#VALUE! otherwise);
    ``resize`` (SUMIF, AVERAGEIF): the value range is read from its top-left cell over the
    criteria range's shape instead, as Microsoft documents.
    """
    given = [ev.scalar(c) for _, c in pairs]
    if any(not v.is_cell for v in given):
        return _per_element(ev, value_node, [r for r, _ in pairs], given, how, resize)
    return _conditional(ev, value_node, [r for r, _ in pairs], given, how, resize)


def _per_element(ev, value_node, range_nodes, given: list[Values], how: str, resize: bool) -> Values:
    """Criteria that are arrays: each element one criterion, computed as so many cells of a
    shape (so ``SUMPRODUCT(1/COUNTIF(A1:A9,A1:A9))`` takes the one-pass grouping of equal
    criteria), broadcast together; an element beyond a smaller array is #N/A."""
    if any(v.n > 1 for v in given) or ev.ctx.n > 1:
        raise NotVectorizable("criteria arrays that move with the cell")
    h = max(v.hw[0] for v in given)
    w = max(v.hw[1] for v in given)
    outside = np.zeros((h, w), bool)
    for v in given:
        vh, vw = v.hw
        outside[:, :] |= (np.arange(h)[:, None] >= vh) & (vh != 1) | (np.arange(w)[None, :] >= vw) & (vw != 1)
    flat = [Values(x.kind.reshape(-1, 1, 1), x.num.reshape(-1, 1, 1),
                   None if x.text is None else x.text.reshape(-1, 1, 1)) for x in align(*given)]
    result = _conditional(ev, value_node, range_nodes, flat, how, resize)
    if result.n != h * w:  # one value for all (an error of the ranges)
        result = result.expand(h * w)
    kind = np.where(outside, ERR, result.kind.reshape(h, w)).astype(np.uint8)
    num = np.where(outside, float(E.NA), result.num.reshape(h, w))
    return Values(kind[None], num[None])


def _conditional(ev, value_node, range_nodes, given: list[Values], how: str, resize: bool) -> Values:
    """:func:`conditional` for criteria of one value per instance (``given``)."""
    ranges = [ev.eval(r) for r in range_nodes]
    crits = [criteria_values(ev, Const(v)) for v in given]
    target = ev.eval(value_node) if value_node is not None else None
    hw = ranges[0].hw
    if resize and target is not None and target.hw != hw and target.ref is not None and target.n == 1:
        r0, c0 = int(target.ref.row0[0]), int(target.ref.col0[0])
        target = target.ref.sheet.block(r0, c0, r0 + hw[0] - 1, c0 + hw[1] - 1)
    if any(r.hw != hw for r in ranges) or (target is not None and target.hw != hw):
        return Values.error(E.VALUE)
    n = max([r.n for r in ranges] + [len(c) for c in crits] + ([target.n] if target is not None else []))
    if any(r.kind.shape[1:] == (1, 1) and r.ref is None and r.kind[0, 0, 0] == ERR for r in ranges):
        return Values.error(int(ranges[0].num[0, 0, 0]), n)
    tvals = tmask = terr = None
    if target is not None:
        tmask = target.kind == NUM
        tvals = np.where(tmask, target.num, 0.0)
        terr = np.where(target.kind == ERR, target.num, 0.0)
    if n > 1 and all(r.n == 1 for r in ranges) and (target is None or (target.n == 1 and not terr.any())) \
            and all(c.plain_equality for cs in crits for c in set(cs)) and how in ("sum", "count", "average"):
        return _count_hidden(conditional_grouped(ranges, crits, tvals, tmask, how, n), ranges, crits, how)
    if all(r.n == 1 for r in ranges) and (target is None or target.n == 1):
        # over fixed ranges a cell's result depends only on its criteria (shared objects, see
        # criteria_values): each distinct combination is computed once
        masks: dict = {}

        def result(combo) -> tuple[float, float]:
            mask = None
            for j, (r, c) in enumerate(zip(ranges, combo)):
                m = masks.get((j, id(c)))
                if m is None:
                    m = masks[(j, id(c))] = c.mask(r.kind[0], r.num[0], None if r.text is None else r.text[0])
                mask = m if mask is None else mask & m
            return _aggregate(mask, target, tvals, tmask, how, terr)

        return _count_hidden(_by_combination(crits, n, result), ranges, crits, how)
    out = np.zeros(n)
    err = np.zeros(n)
    mask_cache: dict = {}
    for i in range(n):
        mask = None
        for j, r in enumerate(ranges):
            ri = i if r.n > 1 else 0
            c = crits[j][i if len(crits[j]) > 1 else 0]
            key = (j, ri, id(c))
            m = mask_cache.get(key) if r.n == 1 else None
            if m is None:
                m = c.mask(r.kind[ri], r.num[ri], None if r.text is None else r.text[ri])
                if r.n == 1:
                    mask_cache[key] = m
            mask = m if mask is None else mask & m
        if target is None:
            out[i] = mask.sum()
            continue
        ti = i if target.n > 1 else 0
        bad = terr[ti][mask]
        if bad.any():
            err[i] = bad[bad != 0][0]
            continue
        sel = mask & tmask[ti]
        if how == "sum":
            out[i] = tvals[ti][mask].sum()
        elif how == "average":
            cnt = sel.sum()
            if cnt == 0:
                err[i] = E.DIV0
            else:
                out[i] = tvals[ti][sel].sum() / cnt
        elif how in ("max", "min"):
            vals = tvals[ti][sel]
            out[i] = (vals.max() if how == "max" else vals.min()) if vals.size else 0.0
    return _count_hidden(finish(out, err), ranges, crits, how)


def _by_combination(crits: list[list[Criterion]], n: int, result) -> Values:
    """``n`` cells whose value depends only on their criteria (one list per criterion, of one or
    ``n`` shared objects): ``result(combination)`` -> (value, error code) called once for each
    distinct combination, the cells filled from them at once."""
    combos = list(zip(*[cs if len(cs) > 1 else cs * n for cs in crits]))  # Criterion hashes by identity
    known = {combo: result(combo) for combo in dict.fromkeys(combos)}
    both = np.array(list(map(known.__getitem__, combos)), np.float64).reshape(n, 2)
    return finish(both[:, 0].copy(), both[:, 1].copy())


def _aggregate(mask, target, tvals, tmask, how: str, terr) -> tuple[float, float]:
    """(value, error code) of one cell over fixed ranges whose selected cells are ``mask``."""
    if target is None:
        return float(mask.sum()), 0.0
    bad = terr[0][mask]
    if bad.any():
        return 0.0, float(bad[bad != 0][0])
    sel = mask & tmask[0]
    if how == "sum":
        return float(tvals[0][mask].sum()), 0.0
    if how == "average":
        cnt = sel.sum()
        return (0.0, float(E.DIV0)) if cnt == 0 else (float(tvals[0][sel].sum() / cnt), 0.0)
    vals = tvals[0][sel]
    return float((vals.max() if how == "max" else vals.min()) if vals.size else 0.0), 0.0


_BLANK = (np.zeros((1, 1), np.uint8), np.zeros((1, 1)), None)


def _count_hidden(result: Values, ranges, crits, how: str) -> Values:
    """COUNTIFS over whole columns: the blank cells past the used range count when every
    criterion accepts a blank (``COUNTIF(A:A, "")``). Sums and averages are unchanged by them.
    """
    hidden = ranges[0].hidden_cells
    if how != "count" or not hidden or any(r.extent != ranges[0].extent for r in ranges):
        return result
    n = result.n
    extra = np.array([float(hidden) if all(bool(cs[i if len(cs) > 1 else 0].mask(*_BLANK)[0, 0]) for cs in crits)
                      else 0.0 for i in range(n)])
    ok = result.kind[:, 0, 0] == NUM
    return Values.from_numbers(np.where(ok, result.num[:, 0, 0] + extra, result.num[:, 0, 0]).reshape(n, 1, 1),
                               np.where(ok, 0.0, result.num[:, 0, 0]).reshape(n, 1, 1))


def conditional_grouped(ranges, crits, tvals, tmask, how, n) -> Values:
    """Equality criteria that vary by cell over fixed ranges: one pass to group, then look up."""
    keys = []
    for r in ranges:
        k, x = r.kind[0].reshape(-1), r.num[0].reshape(-1)
        t = r.text[0].reshape(-1) if r.text is not None else None
        col = []
        for j in range(k.shape[0]):
            kk = int(k[j])
            if kk == STR:
                s = t[j]
                tx = text_to_number(s)
                col.append((STR, s.casefold()) if tx is None else ((STR, s.casefold()), (NUM, tx)))
            elif kk == EMPTY:
                col.append(None)
            else:
                col.append((kk, float(x[j])))
        keys.append(col)
    sums: dict = {}
    counts: dict = {}
    flat_vals = tvals.reshape(-1) if tvals is not None else None
    flat_mask = tmask.reshape(-1) if tmask is not None else None
    size = len(keys[0])
    for j in range(size):
        parts = [col[j] for col in keys]
        if any(p is None for p in parts):
            continue
        options = [[p] if not isinstance(p[0], tuple) else list(p) for p in parts]
        combos = [()]
        for o in options:
            combos = [c + (x,) for c in combos for x in o]
        for combo in combos:
            if flat_vals is None:
                counts[combo] = counts.get(combo, 0) + 1
            elif flat_mask[j]:
                sums[combo] = sums.get(combo, 0.0) + flat_vals[j]
                counts[combo] = counts.get(combo, 0) + 1
            else:
                sums.setdefault(combo, 0.0)
    def result(criteria) -> tuple[float, float]:
        combo = tuple(c.key() for c in criteria)
        if how == "count":
            return float(counts.get(combo, 0)), 0.0
        if how == "sum":
            return float(sums.get(combo, 0.0)), 0.0
        c = counts.get(combo, 0)
        return (0.0, float(E.DIV0)) if c == 0 else (sums[combo] / c, 0.0)

    return _by_combination(crits, n, result)
