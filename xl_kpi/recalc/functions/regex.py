"""Regular expressions: REGEXTEST, REGEXEXTRACT, REGEXREPLACE.

Excel runs PCRE2; this module runs the ``regex`` library (a well-kept superset of Python's
:mod:`re` with PCRE's features: Unicode properties ``\\p{L}``, recursion ``(?R)``, atomic
groups, possessive quantifiers, ``\\K``, POSIX classes ``[[:alpha:]]``) on a pattern translated
where PCRE2 spells a thing differently: named groups ``(?<name>...)`` and ``\\k<name>``/``\\k{name}``
back-references, ``\\z`` and PCRE's ``\\Z`` (end, or before a final newline), ``\\h``/``\\H``
(horizontal white space), ``\\Q...\\E`` literal spans. Callouts and verbs (``(*SKIP)``) are
PCRE2-only: ``#VALUE!``, like any pattern that does not compile. ``\\d`` and ``\\w`` match
Unicode digits and letters, as PCRE2 in UCP mode.

Every argument is read element by element (an array of texts gives one result per text);
``case_sensitivity`` is 0 (the default, case matters) or 1, anything else ``#VALUE!``.

A pattern that backtracks without end (``(a|aa)+$`` on a long text) must not hang a
recalculation: every match runs with the library's ``timeout`` of :data:`MATCH_SECONDS`, in any
thread (a Dask worker's too), after which the result is ``#VALUE!``, as PCRE2 in Excel gives up
at its match limit.
"""

from __future__ import annotations

import functools
import math
import re
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import regex

from ...excel_errors import NA, VALUE, ExcelError
from .registry import cellwise

_POSIX = {
    "alpha": "a-zA-Z", "digit": "0-9", "alnum": "a-zA-Z0-9", "upper": "A-Z", "lower": "a-z",
    "space": r" \t\n\r\f\v", "blank": r" \t", "punct": r"!-/:-@\[-`{-~", "xdigit": "0-9A-Fa-f",
    "word": r"\w", "cntrl": r"\x00-\x1f\x7f", "print": r"\x20-\x7e", "graph": r"\x21-\x7e",
}
_HSPACE = r"\t \xa0\u1680\u180e\u2000-\u200a\u202f\u205f\u3000"
_TOKEN = re.compile(r"\\Q(?P<quoted>.*?)(?:\\E|$)|\(\?<(?P<name>[A-Za-z_]\w*)>|\\k[<{](?P<ref>\w+)[>}]"
                    r"|\[:(?P<neg>\^?)(?P<posix>[a-z]+):\]|\\(?P<esc>.)", re.S)


def translate(pattern: str) -> str:
    """A PCRE2 pattern in Python's :mod:`re` syntax (see the module docstring)."""
    def one(m: re.Match) -> str:
        if m.group("quoted") is not None:
            return re.escape(m.group("quoted"))
        if m.group("name"):
            return f"(?P<{m.group('name')}>"
        if m.group("ref"):
            return f"(?P={m.group('ref')})"
        if m.group("posix"):
            cls = _POSIX.get(m.group("posix"))
            if cls is None:
                raise re.error(f"unknown POSIX class {m.group('posix')}")
            return cls if not m.group("neg") else m.group(0)  # a negated class inside [...] is rare
        esc = m.group("esc")
        return {"z": r"\Z", "Z": r"(?=\n?\Z)", "h": f"[{_HSPACE}]", "H": f"[^{_HSPACE}]"}.get(esc, m.group(0))

    return _TOKEN.sub(one, pattern)


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str, ignore_case: bool) -> regex.Pattern | None:
    import regex  # 16 ms, paid by the first workbook that calls a REGEX* function

    try:
        return regex.compile(translate(pattern), regex.IGNORECASE if ignore_case else 0)
    except (regex.error, re.error, OverflowError, RecursionError, ValueError):
        return None


#: The longest one match may run before the call is #VALUE! (see the module docstring).
MATCH_SECONDS = 1.0


def finder(pattern: str):
    """``text -> bool``, whether ``pattern`` (case matters) matches part of a text, as XMATCH and
    XLOOKUP's match mode 3 test each text item; None when the pattern does not compile. The
    matches of one finder share one budget of :data:`MATCH_SECONDS` (a lookup array of a million
    slow matches is bounded too); past it, TimeoutError."""
    rx = _compiled(pattern, False)
    if rx is None:
        return None
    deadline = time.monotonic() + MATCH_SECONDS

    def found(text: str) -> bool:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        return rx.search(text, timeout=left) is not None

    return found


def _bounded(f):
    """``f`` with its matches timed out: #VALUE! when one runs past :data:`MATCH_SECONDS`."""
    @functools.wraps(f)
    def run(*args):
        try:
            return f(*args)
        except TimeoutError:
            return VALUE

    return run


def _case(x) -> bool | ExcelError:
    """case_sensitivity: 0 (case matters) or 1 (ignored), truncated; True means ignore case."""
    k = math.trunc(x)
    return VALUE if k not in (0, 1) else k == 1


def _regextest(text, pattern, case=None):
    """REGEXTEST(text, pattern, [case_sensitivity]): whether the pattern matches part of text."""
    ignore = _case(case or 0.0)
    if isinstance(ignore, ExcelError):
        return ignore
    rx = _compiled(pattern, ignore)
    return VALUE if rx is None else rx.search(text, timeout=MATCH_SECONDS) is not None


def _regexextract(text, pattern, mode=None, case=None):
    """REGEXEXTRACT(text, pattern, [return_mode], [case_sensitivity]): 0 the first match, 1 every
    match (a row), 2 the capture groups of the first match (a row; #VALUE! without groups);
    #N/A when nothing matches.

    In mode 2 a group that took no part in the match is #N/A (formulas' test.xlsx EXTRA!M3:
    ``((\\d)[bc]+|(3c))`` on "1a2b3c" spills "2b", "2", #N/A).
    """
    k = math.trunc(mode or 0.0)
    ignore = _case(case or 0.0)
    if isinstance(ignore, ExcelError):
        return ignore
    rx = _compiled(pattern, ignore)
    if rx is None or k not in (0, 1, 2) or (k == 2 and rx.groups == 0):
        return VALUE
    if k == 1:
        found = [m.group(0) for m in rx.finditer(text, timeout=MATCH_SECONDS)]
        return [found] if found else NA
    m = rx.search(text, timeout=MATCH_SECONDS)
    if m is None:
        return NA
    if k == 0:
        return m.group(0)
    return [[NA if m.start(i) < 0 else m.group(i) for i in range(1, rx.groups + 1)]]


_GROUP_REF = re.compile(r"\$(?:(\d+)|\{(\w+)\}|(\$))")


def _expand(m: regex.Match, replacement: str) -> str:
    """The replacement with ``$n``, ``${n}`` and ``${name}`` filled from the match, ``$$`` a "$"."""
    def one(r: re.Match) -> str:
        if r.group(3):
            return "$"
        key = r.group(1) or r.group(2)
        try:
            return m.group(int(key) if key.isdigit() else key) or ""
        except (IndexError, KeyError):
            return r.group(0)

    return _GROUP_REF.sub(one, replacement)


def _regexreplace(text, pattern, replacement, occurrence=None, case=None):
    """REGEXREPLACE(text, pattern, replacement, [occurrence], [case_sensitivity]): every match
    (occurrence 0, the default) or only the n-th (counted from the end when negative) replaced;
    the replacement refers to groups as ``$1`` or ``${name}``."""
    n = math.trunc(occurrence or 0.0)
    ignore = _case(case or 0.0)
    if isinstance(ignore, ExcelError):
        return ignore
    rx = _compiled(pattern, ignore)
    if rx is None:
        return VALUE
    matches = list(rx.finditer(text, timeout=MATCH_SECONDS))
    if n:
        if abs(n) > len(matches):
            return text
        matches = [matches[n - 1 if n > 0 else n]]
    out, at = [], 0
    for m in matches:
        out.append(text[at:m.start()])
        out.append(_expand(m, replacement))
        at = m.end()
    out.append(text[at:])
    result = "".join(out)
    return VALUE if len(result) > 32767 else result


cellwise("REGEXTEST", args="tt", optional="n")(_bounded(_regextest))
cellwise("REGEXEXTRACT", args="tt", optional="nn")(_bounded(_regexextract))
cellwise("REGEXREPLACE", args="ttt", optional="nn")(_bounded(_regexreplace))
