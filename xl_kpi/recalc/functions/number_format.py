"""Excel's number format language, as TEXT applies it: a value and a format code in, the text
Excel shows out (or ``#VALUE!`` for a code Excel rejects).

A code has up to four sections separated by ``;``: positive (or every number), negative
(shown without its minus), zero, text; conditions such as ``[<=100]`` choose among the first
two instead, the third taking the rest. In a section (Microsoft, "Number format codes" and
"Review guidelines for customizing a number format"):

- ``0`` a digit, a zero where the number has none; ``#`` a digit, nothing where it has none;
  ``?`` a digit, a space where it has none. The integer part's placeholders take the digits
  from the right, the leftmost one the digits left over; the fraction's take them from the
  left, ``#`` showing nothing for the trailing zeros of the rounded number. Literal text between
  placeholders stays where it is written (``0cc###,00`` shows 1234579 as ``1,2cc34,579``).
- ``,`` between two placeholders of the integer part turns on thousands separators, placed
  every three digit positions counted from the point, after any position that shows a
  character; commas after the last placeholder divide by 1,000 each; a comma after a
  placeholder elsewhere is dropped, one after literal text is itself.
- ``.`` the decimal point (later ones are literal); ``%`` multiplies by 100 where written;
  ``E+``/``E-`` scientific notation (``E-`` shows the sign of negative exponents only), the
  exponent a multiple of the integer placeholders when one of them is ``#`` (``##0.0E+0`` is
  engineering notation); ``?/?`` or ``?/8`` a fraction.
- ``"text"`` (``""`` inside is a quote), ``\\c``, and any other character are literal; ``_c`` is
  a space; ``*c`` (fill) shows nothing; ``[Red]``, ``[Color5]`` and locale tags are ignored,
  ``[$€-407]`` shows its currency symbol; ``@`` the text; ``General`` as Excel's General format.
- Dates and times: ``y``/``yy`` (two digits), ``yyy`` and more (four); ``m``, ``mm``, ``mmm``
  (Jan), ``mmmm`` (January), ``mmmmm`` (J) — ``m``/``mm`` after an hour or before seconds are
  minutes; ``d``, ``dd``, ``ddd`` (Mon), ``dddd`` (Monday); ``h``, ``hh``, ``s``, ``ss``, ``.0``
  to ``.000`` after seconds; ``AM/PM``, ``A/P`` (12-hour clock); ``[h]``, ``[m]``, ``[s]``
  elapsed time. Serial numbers are of the 1900 date system, 1900-02-29 included.

A number shows at most 15 significant digits, the rest zeros, as Excel shows numbers. A section
that mixes digits with date parts or with ``@``, an unterminated quote, or placeholders missing
after ``E+`` is ``#VALUE!``.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from fractions import Fraction

from ...excel_errors import VALUE, ExcelError

__all__ = ["format_value", "round_decimal", "shown_decimal"]


# ---------------------------------------------------------------------------------------------
# decimal helpers: Excel's 15 shown digits, rounding half away from zero


def shown_decimal(x: float):
    """x as a Decimal of the 15 significant digits Excel keeps when it shows a number
    (FIXED("123456789076754345682") is "123,456,789,076,754,000,000")."""
    from decimal import ROUND_HALF_UP, Decimal, localcontext

    d = Decimal(repr(float(x)))
    if d == 0:
        return Decimal(0)
    with localcontext() as ctx:
        ctx.prec = 400
        return d.quantize(Decimal(1).scaleb(d.adjusted() - 14), ROUND_HALF_UP)


def round_decimal(d, places: int):
    """A Decimal rounded half away from zero to ``places`` decimals (negative: left of the point)."""
    from decimal import ROUND_HALF_UP, Decimal, localcontext

    with localcontext() as ctx:
        ctx.prec = 800
        q = d.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    return q if q != 0 else abs(q)


class _Invalid(ValueError):
    """A format code Excel rejects (TEXT's #VALUE!)."""


# ---------------------------------------------------------------------------------------------
# tokens


@dataclass
class _Tok:
    kind: str  # lit digit point comma pct exp slash at general date
    text: str = ""


@dataclass
class _Section:
    tokens: list[_Tok] = field(default_factory=list)
    condition: tuple[str, float] | None = None


_DATE_LETTERS = set("ymdhs")
_CONDITION = re.compile(r"\[(<=|>=|<>|<|>|=)\s*(-?[0-9.]+(?:[eE][+-]?\d+)?)\]")
_COLOR = re.compile(r"\[(?:black|blue|cyan|green|magenta|red|white|yellow|color\s*\d{1,2})\]", re.I)


#: The one-character tokens of a number format, by kind.
_ONE_CHARACTER = {"0": "digit", "#": "digit", "?": "digit", ".": "point", ",": "comma", "%": "pct",
                  "@": "at", "/": "slash"}


def _sections(code: str) -> list[_Section]:
    """The sections of a format code, tokenized."""
    sections = [_Section()]
    toks = sections[0].tokens
    i, n = 0, len(code)
    while i < n:
        c = code[i]
        low = c.lower()
        if c == '"':
            j, buf = i + 1, []
            while True:
                if j >= n:
                    raise _Invalid("unterminated quote")
                if code[j] == '"':
                    if code[j + 1:j + 2] == '"':
                        buf.append('"')
                        j += 2
                        continue
                    break
                buf.append(code[j])
                j += 1
            toks.append(_Tok("lit", "".join(buf)))
            i = j + 1
        elif c == "\\":
            if i + 1 >= n:
                raise _Invalid("a backslash at the end")
            toks.append(_Tok("lit", code[i + 1]))
            i += 2
        elif c == "_":
            toks.append(_Tok("lit", " "))
            i += 2
        elif c == "*":
            i += 2
        elif c == ";":
            sections.append(_Section())
            toks = sections[-1].tokens
            i += 1
        elif c == "[":
            j = code.find("]", i)
            if j < 0:
                raise _Invalid("unterminated bracket")
            body = code[i + 1:j]
            m = _CONDITION.fullmatch(code, i, j + 1)
            if m:
                sections[-1].condition = (m.group(1), float(m.group(2)))
            elif re.fullmatch(r"(h+|m+|s+)", body, re.I):
                toks.append(_Tok("date", "[" + body.lower() + "]"))
            elif body.startswith("$"):
                toks.append(_Tok("lit", body[1:].split("-", 1)[0]))
            elif not _COLOR.fullmatch(code, i, j + 1):
                raise _Invalid(f"unknown [{body}]")
            i = j + 1
        elif c in _ONE_CHARACTER:
            toks.append(_Tok(_ONE_CHARACTER[c], c))
            i += 1
        elif low == "e" and code[i + 1:i + 2] in ("+", "-"):
            toks.append(_Tok("exp", code[i:i + 2]))
            i += 2
        elif code[i:i + 7].lower() == "general":
            toks.append(_Tok("general", "General"))
            i += 7
        elif code[i:i + 5].lower() == "am/pm":
            toks.append(_Tok("date", "am/pm"))
            i += 5
        elif code[i:i + 3].lower() == "a/p":
            toks.append(_Tok("date", code[i:i + 3]))
            i += 3
        elif low in _DATE_LETTERS:
            j = i
            while j < n and code[j].lower() == low:
                j += 1
            toks.append(_Tok("date", code[i:j].lower()))
            i = j
        else:
            toks.append(_Tok("lit", c))
            i += 1
    return sections


# ---------------------------------------------------------------------------------------------
# numbers


def _is_digit(t: _Tok) -> bool:
    return t.kind == "digit"


def _classify_commas(tokens: list[_Tok]) -> tuple[list[_Tok], bool, int]:
    """(tokens without the commas that are flags, grouping on, number of thousands scalings)."""
    digit_at = [i for i, t in enumerate(tokens) if _is_digit(t)]
    last_digit = digit_at[-1] if digit_at else -1
    point = next((i for i, t in enumerate(tokens) if t.kind == "point"), len(tokens))
    out, grouping, scale = [], False, 0
    for i, t in enumerate(tokens):
        if t.kind != "comma":
            out.append(t)
            continue
        j = i - 1
        while j >= 0 and tokens[j].kind == "comma":
            j -= 1
        after_digit = j >= 0 and _is_digit(tokens[j])
        if not after_digit:
            out.append(_Tok("lit", ","))
            continue
        if i > last_digit:
            scale += 1
        elif i < point and i + 1 < len(tokens) and _is_digit(tokens[i + 1]):
            grouping = True
    return out, grouping, scale


def _integer_part(tokens: list[_Tok], digits: str, grouping: bool) -> str:
    """The integer side: placeholders filled from the right, the leftmost taking the rest."""
    places = [i for i, t in enumerate(tokens) if _is_digit(t)]
    count = len(places)
    ranks = {at: count - k for k, at in enumerate(places)}  # 1 for the rightmost placeholder
    out = []
    for i, t in enumerate(tokens):
        if not _is_digit(t):
            out.append(t.text)
            continue
        rank = ranks[i]
        positions = range(max(rank, len(digits)), rank - 1, -1) if rank == count else (rank,)
        for p in positions:
            if p <= len(digits):
                ch = digits[len(digits) - p]
            else:
                ch = {"0": "0", "?": " ", "#": ""}[t.text] if p == rank else ""
            out.append(ch)
            if grouping and ch and p > 1 and (p - 1) % 3 == 0:
                out.append(",")
    return "".join(out)


def _fraction_part(tokens: list[_Tok], digits: str) -> str:
    """The fraction side: placeholders filled from the left; # shows no trailing zero."""
    significant = len(digits.rstrip("0"))
    out, k = [], 0
    for t in tokens:
        if not _is_digit(t):
            out.append(t.text)
            continue
        d = digits[k] if k < len(digits) else "0"
        k += 1
        if k <= significant or t.text == "0":
            out.append(d)
        elif t.text == "?":
            out.append(" ")
    return "".join(out)


def _split_point(tokens: list[_Tok]) -> tuple[list[_Tok], list[_Tok] | None]:
    """(integer side, fraction side or None); later points are literal. An integer side without
    placeholders still shows the integer digits, before the point (``.#`` shows 890123.5)."""
    for i, t in enumerate(tokens):
        if t.kind == "point":
            rest = [_Tok("lit", ".") if x.kind == "point" else x for x in tokens[i + 1:]]
            left = tokens[:i] if any(_is_digit(x) for x in tokens[:i]) else [*tokens[:i], _Tok("digit", "#")]
            return left, rest
    return tokens, None


def _fixed(tokens: list[_Tok], x: float) -> str:
    """A number section without an exponent or a fraction, x already non-negative and scaled."""
    tokens, grouping, scale = _classify_commas(tokens)
    x = x / 1000.0 ** scale
    left, right = _split_point(tokens)
    decimals = sum(1 for t in right or () if _is_digit(t))
    q = round_decimal(shown_decimal(x), decimals)
    whole, _, frac = format(q, "f").partition(".")
    whole = whole.lstrip("0")
    text = _integer_part(left, whole, grouping)
    if right is not None:
        text += "." + _fraction_part(right, frac.ljust(decimals, "0"))
    return text


def _scientific(tokens: list[_Tok], x: float) -> str:
    """A section with E+ or E-: mantissa placeholders, the exponent's after it."""
    at = next(i for i, t in enumerate(tokens) if t.kind == "exp")
    mant, exp_toks = tokens[:at], tokens[at + 1:]
    if not exp_toks or not _is_digit(exp_toks[0]):
        raise _Invalid("no exponent placeholders after E+")
    mant, _, _ = _classify_commas(mant)
    left, right = _split_point(mant)
    ints = [t.text for t in left if _is_digit(t)] or ["#"]
    decimals = sum(1 for t in right or () if _is_digit(t))
    width, engineering = len(ints), "#" in ints
    e = 0
    if x:
        magnitude = math.floor(math.log10(x))
        e = math.floor(magnitude / width) * width if engineering else magnitude - (width - 1)
    shown = shown_decimal(x)
    m = round_decimal(shown.scaleb(-e), decimals)
    if m >= 10 ** width:  # rounded up to one more digit: the next exponent
        e += width if engineering else 1
        m = round_decimal(shown.scaleb(-e), decimals)
    whole, _, frac = format(m, "f").partition(".")
    text = _integer_part(left, whole.lstrip("0"), False)
    if right is not None:
        text += "." + _fraction_part(right, frac.ljust(decimals, "0"))
    sign = "-" if e < 0 else ("+" if tokens[at].text[1] == "+" else "")
    exp_digits = _integer_part(exp_toks, str(abs(e)).lstrip("0"), False) or "0"
    return text + tokens[at].text[0] + sign + exp_digits


def _fraction(tokens: list[_Tok], x: float) -> str:
    """``# ?/?``: a whole part (when placeholders stand before the numerator's), the numerator,
    and a denominator of at most as many digits as its placeholders, or a fixed one (``?/8``)."""
    at = next(i for i, t in enumerate(tokens) if t.kind == "slash")
    before, after = tokens[:at], tokens[at + 1:]
    start = len(before)
    while start and (_is_digit(before[start - 1]) or before[start - 1].kind == "comma"):
        start -= 1
    whole_toks, num_toks = before[:start], [t for t in before[start:] if _is_digit(t)]
    has_whole = any(_is_digit(t) for t in whole_toks)
    fixed = "".join(t.text for t in after if t.kind == "lit" and t.text.isdigit())
    den_toks = [t for t in after if _is_digit(t)]
    whole = math.floor(x) if has_whole else 0
    if fixed and not den_toks:
        den = int(fixed)
        num = round((x - whole) * den)
    else:
        frac = Fraction(x - whole).limit_denominator(max(1, 10 ** len(den_toks) - 1))
        num, den = frac.numerator, frac.denominator
    if has_whole and num == den:
        whole, num = whole + 1, 0
    text = _integer_part(whole_toks, str(whole) if whole else "", False) if has_whole else \
        "".join(t.text for t in whole_toks)
    if has_whole and num == 0:  # a whole number (0 included): the fraction's places are blank
        if not whole:
            text = _integer_part(whole_toks, "0", False)
        return text + " " * (len(num_toks) + 1 + max(len(den_toks), len(fixed)))
    text += _integer_part(num_toks, str(num), False) + "/"
    if fixed and not den_toks:
        return text + fixed
    digits = str(den)  # the denominator's placeholders fill from the left
    return text + digits + "".join({"0": "0", "?": " ", "#": ""}[t.text] for t in den_toks[len(digits):])


def _number(section: _Section, x: float) -> str:
    """A number (non-negative unless the section is the only one) in a number section."""
    tokens = section.tokens
    pct = sum(1 for t in tokens if t.kind == "pct")
    x = x * 100.0 ** pct
    if any(t.kind == "general" for t in tokens):
        from ..values import format_general

        return "".join(format_general(x) if t.kind == "general" else t.text for t in tokens)
    if any(t.kind == "exp" for t in tokens):
        return _scientific(tokens, x)
    if any(t.kind == "slash" for t in tokens) and any(_is_digit(t) for t in tokens):
        return _fraction(tokens, x)
    return _fixed([t if t.kind != "slash" else _Tok("lit", "/") for t in tokens], x)


# ---------------------------------------------------------------------------------------------
# dates and times

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
_DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")


def _calendar(serial: int) -> tuple[int, int, int]:
    """(year, month, day) of a 1900-system serial, 60 being Excel's 1900-02-29."""
    import datetime as dt

    if serial == 60:
        return 1900, 2, 29
    if serial == 0:
        return 1900, 1, 0
    d = dt.date(1899, 12, 31) + dt.timedelta(days=serial - (1 if serial > 60 else 0))
    return d.year, d.month, d.day


def _seconds(t: _Tok) -> bool:
    return t.kind == "date" and t.text.lstrip("[").startswith("s")


def _date(section: _Section, x: float) -> str:
    """A serial number in a date and time section. Only elapsed time ([h], [m], [s]) goes past
    9999-12-31, and a lone elapsed field shows a negative number with its minus."""
    tokens = section.tokens
    parts = [t.text for t in tokens if t.kind == "date"]
    elapsed_only = all(p.startswith("[") for p in parts)
    if x < 0:
        if len(parts) == 1 and elapsed_only and not any(t.kind == "point" for t in tokens):
            return "-" + _date(section, -x)
        raise _Invalid("a negative date")
    if x >= 2958466 and not elapsed_only:
        raise _Invalid("a date out of range")
    subsec = 0
    for i, t in enumerate(tokens):
        if t.kind == "point" and i > 0 and _seconds(tokens[i - 1]):
            subsec = max(subsec, sum(1 for _ in _run(tokens, i + 1, "0")))
    ticks = round(x * 86400 * 10 ** subsec)
    days, rest = divmod(ticks, 86400 * 10 ** subsec)
    secs, part = divmod(rest, 10 ** subsec)
    year, month, day = _calendar(int(days)) if not elapsed_only else (0, 0, 0)
    hour, minute, second = secs // 3600, secs // 60 % 60, secs % 60
    twelve = any(t.kind == "date" and t.text.lower() in ("am/pm", "a/p") for t in tokens)
    kinds = [t.text if t.kind == "date" else None for t in tokens]

    def minutes_at(i: int) -> bool:
        prev = next((k for k in reversed(kinds[:i]) if k), None)
        nxt = next((k for k in kinds[i + 1:] if k), None)
        return bool(prev and prev[0] in "h[" and not prev.startswith("[m")) or bool(nxt and nxt[0] == "s")

    out = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t.kind == "point" and subsec and i > 0 and _seconds(tokens[i - 1]):
            width = sum(1 for _ in _run(tokens, i + 1, "0"))
            out.append("." + str(part).rjust(subsec, "0")[:width])
            i += 1 + width
            continue
        if t.kind in ("digit", "exp", "general"):
            raise _Invalid("digits in a date section")
        if t.kind != "date":
            out.append(t.text)
            i += 1
            continue
        k = t.text
        if k.startswith("["):
            unit = k[1]
            total = {"h": secs // 3600 + days * 24, "m": secs // 60 + days * 1440, "s": secs + days * 86400}[unit]
            out.append(str(total).rjust(len(k) - 2, "0"))
        elif k[0] == "y":
            out.append(f"{year % 100:02d}" if len(k) <= 2 else str(year))
        elif k[0] == "m" and len(k) <= 2 and minutes_at(i):
            out.append(str(minute).rjust(len(k), "0"))
        elif k[0] == "m":
            out.append(str(month).rjust(len(k), "0") if len(k) <= 2 else
                       _MONTHS[month - 1][:3] if len(k) == 3 else
                       _MONTHS[month - 1][0] if len(k) == 5 else _MONTHS[month - 1])
        elif k[0] == "d":
            weekday = _DAYS[(int(days) + 6) % 7]
            out.append(str(day).rjust(len(k), "0") if len(k) <= 2 else weekday[:3] if len(k) == 3 else weekday)
        elif k[0] == "h":
            h = (hour % 12 or 12) if twelve else hour
            out.append(str(h).rjust(min(len(k), 2), "0"))
        elif k[0] == "s":
            out.append(str(second).rjust(min(len(k), 2), "0"))
        elif k == "am/pm":
            out.append("AM" if hour < 12 else "PM")
        else:  # A/P, in the case written
            out.append(t.text[0] if hour < 12 else t.text[2])
        i += 1
    return "".join(out)


def _run(tokens: list[_Tok], start: int, digit: str):
    for t in tokens[start:]:
        if t.kind == "digit" and t.text == digit:
            yield t
        else:
            return


# ---------------------------------------------------------------------------------------------
# choosing a section


def _holds(cond: tuple[str, float], x: float) -> bool:
    op, bound = cond
    return {"<": x < bound, "<=": x <= bound, ">": x > bound, ">=": x >= bound, "=": x == bound,
            "<>": x != bound}[op]


def _choose(sections: list[_Section], x: float) -> tuple[_Section, bool]:
    """The section showing number x and whether a minus sign goes before it."""
    if any(s.condition for s in sections[:2]):
        first = sections[0]
        if first.condition is None or _holds(first.condition, x):
            return first, x < 0 and not _negative_only(first.condition)
        if len(sections) > 1:
            second = sections[1]
            if second.condition is None or _holds(second.condition, x):
                return second, x < 0 and not _negative_only(second.condition)
        if len(sections) > 2:
            return sections[2], x < 0
        raise _Invalid("no section for the number")
    if len(sections) == 1:
        return sections[0], x < 0
    if x < 0:
        return sections[1], False
    if x == 0 and len(sections) > 2:
        return sections[2], False
    return sections[0], False


def _negative_only(cond) -> bool:
    return cond is not None and cond[0] in ("<", "<=") and cond[1] <= 0


def _kind(section: _Section) -> str:
    kinds = {t.kind for t in section.tokens}
    dates = "date" in kinds
    numbers = bool(kinds & {"digit", "general", "exp"})
    if "at" in kinds and (dates or numbers):
        raise _Invalid("@ with digits or dates")
    if dates and ("general" in kinds or "exp" in kinds):
        raise _Invalid("digits in a date section")
    return "text" if "at" in kinds else "date" if dates else "number"


@functools.lru_cache(maxsize=1024)
def _parsed(code: str) -> tuple[list[_Section], list[int]]:
    """The sections of a code and the indexes of its text sections (the last one only)."""
    sections = _sections(code)
    texts = [i for i, s in enumerate(sections) if _kind(s) == "text"]
    if texts and texts != [len(sections) - 1]:
        raise _Invalid("@ outside the last section")
    return sections, texts


def format_value(value: float | str, code: str) -> str | ExcelError:
    """``value`` (a number, or a text TEXT could not read as one) shown with format ``code``."""
    try:
        sections, texts = _parsed(code)
        if isinstance(value, str):
            if texts or len(sections) >= 4:
                s = sections[texts[0] if texts else 3]
                return "".join(value if t.kind == "at" else t.text for t in s.tokens)
            return value
        if code == "":
            return "-" if value < 0 else ""
        numeric = sections[:-1] if texts else sections
        if not numeric:  # only a text section: a number shows as General
            from ..values import format_general

            return format_general(value)
        section, minus = _choose(numeric, value)
        kind = _kind(section)
        x = abs(value)
        if kind == "date":
            return _date(section, value if len(numeric) == 1 else x)
        body = _number(section, x)
        return ("-" + body) if minus else body
    except _Invalid:
        return VALUE
