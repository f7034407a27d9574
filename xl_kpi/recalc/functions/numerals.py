"""Numbers written as text: Roman numerals (ROMAN, ARABIC) and numbers in a radix (DECIMAL, BASE).

Semantics from Microsoft's pages of the four functions and the cells of Excel:

- ROMAN(number, [form]): number truncated, 0..3999 (0 is ""), else ``#VALUE!``; form 0 (or TRUE,
  or left out) classic, 1 to 3 ever more concise, 4 (or FALSE) simplified. Each form allows the
  subtractive pairs of the one before and a few more (:data:`_PAIRS`); the numeral is written
  greedily, largest value first (ROMAN(499, 1) = "LDVLIV", ROMAN(499, 4) = "ID").
- ARABIC(text): any Roman numeral, upper or lower case, with an optional leading "-", read right
  to left: a letter worth less than the largest one met so far is subtracted, else added (so
  ARABIC("IL") = 49 and ARABIC("IIIIIIV") = -1, as in Excel); spaces around it are ignored, ""
  is 0, more than 255 characters or a foreign letter ``#VALUE!``.
- DECIMAL(text, radix): radix truncated, 2..36, else ``#NUM!``; digits 0-9 and A-Z without case,
  each below the radix, at most 255 characters, else ``#NUM!``.
- BASE(number, radix, [min_length]): number truncated, 0 <= number < 2^53; radix 2..36;
  min_length 0..255 (zeros added in front); else ``#NUM!``.
"""

from __future__ import annotations

import math

from ...excel_errors import NUM, VALUE
from ..values import text_to_number
from .registry import cellwise

_LETTERS = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
#: The subtractive pairs each form of ROMAN adds to the previous one (form 0: the classic ones).
_PAIRS = ("CM CD XC XL IX IV", "LM LD VC VL", "XM XD IC IL", "VM VD", "IM ID")
_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_MAX_TEXT = 255


def _symbols(form: int) -> list[tuple[int, str]]:
    """(value, symbol) of the single letters and the pairs form ``form`` allows, largest first."""
    pairs = " ".join(_PAIRS[: form + 1]).split()
    table = [(v, ch) for ch, v in _LETTERS.items()]
    table += [(_LETTERS[p[1]] - _LETTERS[p[0]], p) for p in pairs]
    return sorted(table, reverse=True)


_TABLES = [_symbols(form) for form in range(len(_PAIRS))]


def _form(form) -> int | None:
    """The ROMAN form 0..4 of a ``form`` argument (None, logical, number or text), None if invalid."""
    if form is None or form is True:
        return 0
    if form is False:
        return 4
    if isinstance(form, str):
        form = text_to_number(form)
        if form is None:
            return None
    f = math.trunc(form)
    return f if 0 <= f <= 4 else None


@cellwise("ROMAN", args="n", optional="v")
def _roman(number, form=None):
    """ROMAN(number, [form]): number (0..3999) as a Roman numeral of the form 0 (classic) to 4."""
    f = _form(form)
    n = math.trunc(number)
    if f is None or not 0 <= n <= 3999:
        return VALUE
    out = []
    for value, symbol in _TABLES[f]:
        k, n = divmod(n, value)
        out.append(symbol * k)
    return "".join(out)


@cellwise("ARABIC", args="T")
def _arabic(text):
    """ARABIC(text): the number a Roman numeral stands for (see the module docstring)."""
    s = text.strip().upper()
    if len(s) > _MAX_TEXT:
        return VALUE
    sign = -1.0 if s.startswith("-") else 1.0
    s = s[1:] if sign < 0 else s
    total, largest = 0, 0
    for ch in reversed(s):
        v = _LETTERS.get(ch)
        if v is None:
            return VALUE
        if v < largest:
            total -= v
        else:
            total += v
            largest = v
    return sign * total


def _radix(radix) -> int | None:
    r = math.trunc(radix)
    return r if 2 <= r <= 36 else None


@cellwise("DECIMAL", args="tn")
def _decimal(text, radix):
    """DECIMAL(text, radix): the number that text writes in base radix (2..36)."""
    r = _radix(radix)
    s = text.upper()
    if r is None or len(s) > _MAX_TEXT or any(_DIGITS.find(ch) not in range(r) for ch in s):
        return NUM
    try:
        return float(int(s, r)) if s else 0.0
    except OverflowError:
        return NUM


@cellwise("BASE", args="nn", optional="n")
def _base(number, radix, min_length=None):
    """BASE(number, radix, [min_length]): number written in base radix (2..36), zero-padded."""
    r = _radix(radix)
    pad = 0 if min_length is None else math.trunc(min_length)
    if r is None or not 0 <= number < 2.0 ** 53 or not 0 <= pad <= _MAX_TEXT:
        return NUM
    n, digits = math.trunc(number), []
    while n:
        n, d = divmod(n, r)
        digits.append(_DIGITS[d])
    return "".join(reversed(digits)).rjust(max(pad, 1), "0")
