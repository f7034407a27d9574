"""The searches of XMATCH and XLOOKUP: Excel's order of values, linear and binary search.

Excel orders values of different kinds numbers < text < logicals < blank (text without case);
an approximate match (next smaller / next larger) takes the nearest item in that order, so a
number never matches a text item exactly but a text lookup's "next smaller" may be a number,
as Excel's own results show (formulas test.xlsx, sheet LOOKUP, rows 171-197). Binary search
assumes the items sorted and stops at the first equal item it meets, as Excel's does.

Match mode 2 (wildcards) and 3 (a regular expression, Excel 365 since 2024) test only the text
items, in the search order, and cannot be combined with a binary search (#VALUE!).
"""

from __future__ import annotations

from itertools import repeat

import numpy as np

from ..values import BOOL, EMPTY, NUM, STR
from .criteria import wildcard_regex
from .regex import finder

__all__ = ["approximate", "exact_positions", "item_keys", "lookup_key", "regex_search", "search"]

_RANK = {NUM: 0, STR: 1, BOOL: 2, EMPTY: 3}


def lookup_key(kind: int, num: float, text, fold=str.casefold) -> tuple:
    """(rank, value) of a value in Excel's lookup order (errors are never looked up).

    ``fold`` makes text caseless: ``str.casefold`` for XMATCH/XLOOKUP, where "ß" equals "ss";
    ``str.lower`` for MATCH, LOOKUP, VLOOKUP and HLOOKUP, where it does not (formulas test.xlsx,
    EXTRA!L74 against L75).
    """
    rank = _RANK[int(kind)]
    if rank == 1:
        return 1, fold(str(text))
    return rank, (float(num) if rank != 3 else 0.0)


def item_keys(kinds, nums, texts, fold=str.casefold) -> list:
    """The key of every item of a lookup array (:func:`lookup_key`), None for an error item
    (never matched); made kind by kind in C-level maps, not one call an item."""
    kinds = np.asarray(kinds).reshape(-1)
    n = len(kinds)
    out: list = [None] * n
    for kind, rank in _RANK.items():
        where = np.flatnonzero(kinds == kind)
        if not len(where):
            continue
        if kind == STR:
            chosen = np.asarray(texts, object).reshape(-1)[where].tolist() if texts is not None else [None] * len(where)
            values = map(fold, map(str, chosen))
        elif kind == EMPTY:
            values = repeat(0.0, len(where))
        else:
            values = np.asarray(nums, np.float64).reshape(-1)[where].tolist()
        keys = zip(repeat(rank), values)
        if len(where) == n:
            return list(keys)
        for j, key in zip(where.tolist(), keys):
            out[j] = key
    return out


def approximate(key: tuple, keys: list, match_type: int) -> int | None:
    """0-based position MATCH's approximate match finds (LOOKUP, VLOOKUP and HLOOKUP's too), or None.

    Items of another type than ``key`` (and errors) are passed over: a number is only compared
    with numbers, text with text, a logical with logicals. ``match_type`` 1, the largest item
    <= ``key`` of a list sorted ascending, is Excel's binary search: when the middle item is of
    another type it moves up to the next item of the key's type before the upper half ends (the
    upper half is dropped if there is none), and it stops at the first equal item it meets.
    ``match_type`` -1, the smallest item >= ``key`` of a list sorted descending, is a scan from
    the first item that stops at the first equal one, or before the first one smaller than ``key``
    (pycel lookup.xlsx, Lookup!G32: MATCH of a blank in {0;1;2;3;4} is 1). Excel's results on unsorted
    and mixed lists agree (formulas test.xlsx, LOOKUP!R56:AW91): ``LOOKUP(2,{"b",4.1,"a",1.1})``
    is #N/A, ``LOOKUP(4.1,{"b",4.1,"a",1.1})`` is 4.1, ``MATCH(1.1,{-1.1,2.1,3.1,4.1},-1)`` #N/A.
    """
    rank = key[0]
    found = None
    if match_type < 0:
        for j, item in enumerate(keys):
            if item is None or item[0] != rank:
                continue
            if item == key:
                return j
            if item < key:
                break
            found = j
        return found
    lo, hi = 0, len(keys) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        j = mid
        while j <= hi and (keys[j] is None or keys[j][0] != rank):
            j += 1
        if j > hi:
            hi = mid - 1
            continue
        item = keys[j]
        if item == key:
            return j
        if item < key:
            found, lo = j, j + 1
        else:
            hi = mid - 1
    return found


def search(key: tuple, raw_text, keys: list, texts, match_mode: int, search_mode: int, exact_index=None):
    """0-based position of ``key`` among ``keys`` as XMATCH finds it, or None (#N/A).

    ``match_mode``: 0 exact, -1 exact or next smaller, 1 exact or next larger, 2 wildcards;
    ``search_mode``: 1 first to last, -1 last to first, 2 binary ascending, -2 binary descending.
    ``texts`` are the items' texts as written (for wildcards);
    ``exact_index`` optionally maps keys to their (first, last) positions, for repeated lookups.
    """
    if match_mode == 2 and key[0] == 1:  # wildcards compare without folding (ß is not ss)
        return _first_text(wildcard_regex(raw_text).fullmatch, keys, texts, search_mode)
    mode = match_mode if match_mode in (-1, 1) else 0
    if search_mode in (2, -2):
        return _binary(key, keys, mode, search_mode == -2)
    if exact_index is not None:
        hit = exact_index.get(key)
        if hit is not None:
            return hit[0] if search_mode == 1 else hit[1]
        if mode == 0:
            return None
    order = range(len(keys)) if search_mode == 1 else range(len(keys) - 1, -1, -1)
    best = None
    for j in order:
        k = keys[j]
        if k is None:
            continue
        if k == key:
            return j
        if mode == -1 and k < key and (best is None or k > keys[best]):
            best = j
        elif mode == 1 and k > key and (best is None or k < keys[best]):
            best = j
    return best


def regex_search(pattern: str, keys: list, texts, search_mode: int) -> int | None:
    """0-based position of the first text item (in the search order) that ``pattern`` matches
    part of, case mattering as in REGEXTEST ("(?i)" at its start ignores case), or None (#N/A).

    Raises ValueError when the pattern does not compile or a match runs past the regular
    expressions' time budget (Excel's #VALUE!).
    """
    found = finder(pattern)
    if found is None:
        raise ValueError(f"the pattern {pattern!r} does not compile")
    try:
        return _first_text(found, keys, texts, search_mode)
    except TimeoutError:
        raise ValueError(f"the pattern {pattern!r} ran past its time budget") from None


def _first_text(matches, keys: list, texts, search_mode: int) -> int | None:
    """0-based position of the first text item ``matches`` accepts, last to first when
    ``search_mode`` is -1."""
    order = range(len(keys)) if search_mode != -1 else range(len(keys) - 1, -1, -1)
    return next((j for j in order if keys[j] is not None and keys[j][0] == 1 and matches(texts[j])), None)


def exact_positions(keys: list) -> dict:
    """key -> (first, last) position, for exact lookups repeated over one array."""
    out: dict = {}
    for j, k in enumerate(keys):
        if k is None:
            continue
        first = out.get(k)
        out[k] = (j, j) if first is None else (first[0], j)
    return out


def _binary(key, keys, mode, descending):
    lo, hi = 0, len(keys) - 1
    cand = None
    while lo <= hi:
        mid = (lo + hi) // 2
        k = keys[mid]
        if k == key:
            return mid
        smaller = k is not None and k < key
        if smaller:
            if mode == -1:
                cand = mid
        elif mode == 1 and k is not None:
            cand = mid
        if smaller != descending:
            lo = mid + 1
        else:
            hi = mid - 1
    return cand
