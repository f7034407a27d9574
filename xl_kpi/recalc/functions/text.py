"""Text: CONCATENATE, CONCAT, TEXTJOIN, TEXTBEFORE, TEXTAFTER, TEXT, LEFT, RIGHT, MID, LEN, UPPER, LOWER,
TRIM, VALUE, CHAR, CODE, UNICHAR, UNICODE, SUBSTITUTE, PHONETIC; no text past 32,767 characters is built."""

from __future__ import annotations

import math
import re

import numpy as np

from ...excel_errors import NA, VALUE, ExcelError
from ...excel_errors import NUM as NUM_ERROR
from ..arrays import NotVectorizable, align, combine_errors
from ..formula import union_areas
from ..values import (
    BOOL,
    ERR,
    ERROR_CODES,
    MAX_TEXT,
    NUM,
    STR,
    E,
    Values,
    format_general,
    numbers,
    text_to_number,
    text_too_long,
    to_text,
    truthy,
)
from .arguments import coerce, from_python_cells, from_python_results, per_instance
from .information import reference_cells
from .number_format import format_value, round_decimal, shown_decimal
from .registry import cellwise, cellwise_impl, register


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
    err = np.where((err == 0) & text_too_long(out), E.VALUE, err)  # Excel's 32,767 characters
    if err.any():
        return Values(np.where(err != 0, ERR, STR).astype(np.uint8), np.where(err != 0, err, 0.0), out)
    return Values.string(out)


@cellwise("SUBSTITUTE", args="ttt", optional="N")
def _substitute(text, old, new, instance=None):
    """``old`` replaced by ``new`` in ``text``: every time, or only its ``instance``-th time
    (below 1, or a logical, is ``#VALUE!``: formulas' test.xlsx CORE!AB14 with TRUE);
    ``#VALUE!`` when the result would pass 32,767 characters (known before it is built)."""
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
        return VALUE if len(text) - len(old) + len(new) > MAX_TEXT else text[:at] + new + text[at + len(old):]
    if not old:
        return text
    if len(text) + text.count(old) * (len(new) - len(old)) > MAX_TEXT:
        return VALUE
    return text.replace(old, new)


@register("TEXT")
def _text(ev, args):
    """TEXT(value, format_text): the value shown with a number format code (see
    :mod:`.number_format`); text that reads as a number is formatted as that number, other text
    and logicals go to the code's text section or come back unchanged."""
    if len(args) != 2:
        return Values.error(E.VALUE)
    value, fmt = align(ev.scalar(args[0]), ev.scalar(args[1]))
    ft, fe = to_text(fmt)
    out = np.empty(value.kind.shape, object)
    err = combine_errors(np.where(value.kind == ERR, value.num, 0.0), fe)
    for idx in np.ndindex(value.kind.shape):
        if err[idx]:
            out[idx] = ExcelError(ERROR_CODES[int(err[idx]) - 1])
            continue
        k = value.kind[idx]
        if k == STR:
            v = value.text[idx]
            x = text_to_number(v)
            v = v if x is None else x
        elif k == BOOL:
            v = "TRUE" if value.num[idx] else "FALSE"
        else:
            v = float(value.num[idx]) if k == NUM else 0.0
        out[idx] = format_value(v, str(ft[idx]))
    return from_python_cells(out)


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


# The byte variants (LEFTB, LENB...) count characters as their plain forms do: Excel counts two
# bytes a double-byte character only when the default language is Japanese, Chinese or Korean
# (Microsoft's LEFT, LEFTB page); formulas' test.xlsx, saved with a single-byte language, has
# LENB("山田太郎ciao") = 8 (TEXT!X23).
register("LEFT", "LEFTB")(_text_fn(_left, (1, 2)))
register("RIGHT", "RIGHTB")(_text_fn(_right, (1, 2)))
register("MID", "MIDB")(_text_fn(_mid, (3, 3)))
register("LEN", "LENB")(_text_fn(lambda s: float(len(s)), (1, 1)))
register("UPPER")(_text_fn(str.upper, (1, 1)))
register("LOWER")(_text_fn(str.lower, (1, 1)))
register("TRIM")(_text_fn(lambda s: re.sub(" +", " ", s).strip(" "), (1, 1)))


@cellwise("VALUE", args="v")
def _value(x):
    """VALUE(text): the number a text reads as (a date or time as its serial); a number as
    itself, a blank 0; a logical or other text #VALUE!."""
    if x is None or isinstance(x, float):
        return 0.0 if x is None else x
    if isinstance(x, bool):
        return VALUE
    got = text_to_number(x)
    return VALUE if got is None else got


@cellwise("REPLACE", "REPLACEB", args="tnnt")
def _replace(text, start, count, new):
    """REPLACE(old_text, start_num, num_chars, new_text): num_chars characters from start_num
    replaced by new_text; #VALUE! for a start below 1 or a negative count."""
    k, m = math.trunc(start), math.trunc(count)
    if k < 1 or m < 0:
        return VALUE
    out = text[:k - 1] + new + text[k - 1 + m:]
    return VALUE if len(out) > MAX_TEXT else out


@cellwise("CLEAN", args="t")
def _clean(text):
    """CLEAN(text): text without the 32 non-printing characters of 7-bit ASCII (codes 0 to 31)."""
    return text.translate(_CONTROL)


_CONTROL = dict.fromkeys(range(32))


def _half_width_table() -> dict[int, str]:
    """Full-width (double-byte) characters to their half-width forms: ASCII U+FF01..U+FF5E, the
    ideographic space, and the katakana of the Halfwidth Forms block (a voiced kana becomes
    the kana and the half-width sound mark)."""
    import unicodedata

    table = {0xFF01 + i: chr(0x21 + i) for i in range(0x5E)}
    table[0x3000] = " "
    for code in range(0xFF61, 0xFFA0):
        full = unicodedata.normalize("NFKC", chr(code))
        if len(full) == 1 and ord(full) >= 0x3000:
            table.setdefault(ord(full), chr(code))
    marks = {"\u3099": "\uff9e", "\u309a": "\uff9f"}
    for code in range(0x30A0, 0x3100):
        base, *mark = unicodedata.normalize("NFD", chr(code))
        if mark and mark[0] in marks and ord(base) in table:
            table[code] = table[ord(base)] + marks[mark[0]]
    return table


_HALF_WIDTH: dict[int, str] = {}


@cellwise("ASC", args="t")
def _asc(text):
    """ASC(text): full-width (double-byte) letters, digits, signs and katakana as half-width."""
    if not _HALF_WIDTH:
        _HALF_WIDTH.update(_half_width_table())
    return text.translate(_HALF_WIDTH)


_FULL_WIDTH = {0x21 + i: chr(0xFF01 + i) for i in range(0x5E)} | {0x20: "\u3000"}
_HALF_KANA = re.compile("[\uff61-\uff9f]+")


@cellwise("DBCS", "JIS", args="t")
def _dbcs(text):
    """DBCS(text), JIS(text): ASC's inverse, half-width letters, digits, signs and katakana as
    full-width (a kana and its sound mark as one voiced kana)."""
    import unicodedata

    text = _HALF_KANA.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), text)
    return text.translate(_FULL_WIDTH)


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


# ---------------------------------------------------------------------------------------------
# CONCAT, TEXTJOIN (every cell of their ranges), TEXTBEFORE, TEXTAFTER


def _pieces(v: Values, i: int) -> list | ExcelError:
    """The texts of one instance of an argument, row by row (a blank is ""), or its first error."""
    t, e = to_text(v.instance(i) if v.n > 1 else v)
    flat_e = e.reshape(-1)
    if flat_e.any():
        return ExcelError(ERROR_CODES[int(flat_e[flat_e != 0][0]) - 1])
    return [str(x) for x in t.reshape(-1)]


def _joined(ev, nodes, delimiters, ignore_empty):
    vals = [ev.eval(a) for a in nodes]

    def one(i: int):
        parts: list[str] = []
        for v in vals:
            got = _pieces(v, i)
            if isinstance(got, ExcelError):
                return got
            parts.extend(got)
        if ignore_empty:
            parts = [p for p in parts if p != ""]
        else:  # the blanks of a whole column or row beyond the used range: delimiters still
            hidden = sum(v.hidden_cells for v in vals)
            shortest = min(len(d) for d in delimiters)
            if hidden and shortest and (len(parts) + hidden - 1) * shortest > MAX_TEXT:
                return VALUE
            parts.extend([""] * (hidden if shortest else 0))
        text = parts[0] if parts else ""
        for k, p in enumerate(parts[1:]):
            text += delimiters[k % len(delimiters)] + p
        return text if len(text) <= MAX_TEXT else VALUE

    return per_instance(max([v.n for v in vals] + [1]), one)


@register("CONCAT")
def _concat_all(ev, args):
    """CONCAT(text1, ...): every cell of every argument, ranges row by row, joined."""
    if not args:
        return Values.error(E.VALUE)
    return _joined(ev, args, [""], False)


@register("TEXTJOIN")
def _textjoin(ev, args):
    """TEXTJOIN(delimiter, ignore_empty, text1, ...): joined with the delimiter (an array of
    delimiters is used in turn); ignore_empty drops empty texts and blanks."""
    if len(args) < 3:
        return Values.error(E.VALUE)
    delim = ev.eval(args[0])
    if delim.n > 1:
        raise NotVectorizable("TEXTJOIN with a varying delimiter")
    d = _pieces(delim, 0)
    if isinstance(d, ExcelError):
        return from_python_cells(np.array([[[d]]], object))
    b, e = truthy(ev.scalar(args[1]))
    if b.shape[0] > 1:
        raise NotVectorizable("TEXTJOIN with a varying ignore_empty")
    if e.reshape(-1)[0]:
        return Values.error(int(e.reshape(-1)[0]))
    return _joined(ev, args[2:], d or [""], bool(b.reshape(-1)[0]))


def _split_at(text: str, delims: list[str], instance: int, match_mode: int, match_end: int):
    """(start, end) of the instance-th delimiter found in text (from the end when negative), or None."""
    hay = text.casefold() if match_mode else text
    needles = [d.casefold() if match_mode else d for d in delims]
    found = []
    pos = 0
    while pos <= len(hay):
        hits = [(hay.find(d, pos), d) for d in needles if d != ""]
        hits = [(h, d) for h, d in hits if h >= 0]
        if not hits:
            break
        h, d = min(hits, key=lambda x: (x[0], -len(x[1])))
        found.append((h, h + len(d)))
        pos = h + max(len(d), 1)
    if match_end:
        found = ([(0, 0)] if instance < 0 else []) + found + ([(len(text), len(text))] if instance > 0 else [])
    if abs(instance) > len(found):
        return None
    return found[instance - 1] if instance > 0 else found[instance]


def _text_around(before: bool):
    def impl(ev, args):
        if not 2 <= len(args) <= 6:
            return Values.error(E.VALUE)
        text = ev.scalar(args[0])
        delim = ev.eval(args[1])
        if delim.n > 1:
            raise NotVectorizable("a varying delimiter")
        d = _pieces(delim, 0)
        if isinstance(d, ExcelError):
            return from_python_cells(np.array([[[d]]], object))
        nums = []
        for k, default in ((2, 1.0), (3, 0.0), (4, 0.0)):
            nums.append(ev.scalar(args[k]) if len(args) > k and args[k] is not None else Values.number(default))
        missing = ev.scalar(args[5]) if len(args) > 5 and args[5] is not None else None
        vals = align(text, *nums, *( [missing] if missing is not None else []))
        t, et = to_text(vals[0])
        xs = [numbers(v) for v in vals[1:4]]
        shape = t.shape
        out = np.empty(shape, object)
        for idx in np.ndindex(shape):
            e = et[idx] or next((x[1][idx] for x in xs if x[1][idx]), 0)
            if e:
                out[idx] = ExcelError(ERROR_CODES[int(e) - 1])
                continue
            inst, mode, end = (int(np.trunc(x[0][idx])) for x in xs)
            s = str(t[idx])
            if inst == 0 or abs(inst) > len(s) + 1 or mode not in (0, 1) or end not in (0, 1):
                out[idx] = VALUE
                continue
            if all(x == "" for x in d):
                out[idx] = ("" if inst > 0 else s) if before else (s if inst > 0 else "")
                continue
            hit = _split_at(s, d, inst, mode, end)
            if hit is None:
                out[idx] = vals[4].python(idx[0], *idx[1:]) if missing is not None else NA
            else:
                out[idx] = s[:hit[0]] if before else s[hit[1]:]
        return from_python_cells(out)

    return impl


register("TEXTBEFORE")(_text_around(True))
register("TEXTAFTER")(_text_around(False))


def _search(case: bool):
    def f(find, within, start=None):
        """The 1-based position of find in within from start; SEARCH ignores case and takes wildcards."""
        k = 1 if start is None else math.trunc(start)
        if k < 1 or k > len(within) + 1:
            return VALUE
        if case:
            pos = within.find(find, k - 1)
            return VALUE if pos < 0 else float(pos + 1)
        from .criteria import wildcard_regex

        m = wildcard_regex(find).search(within, k - 1) if find else None
        if not find:
            return float(k)
        return VALUE if m is None else float(m.start() + 1)

    return f


cellwise("SEARCH", "SEARCHB", args="tt", optional="n")(_search(False))
cellwise("FIND", "FINDB", args="tt", optional="n")(_search(True))


@cellwise("REPT", args="tn")
def _rept(text, times):
    """REPT(text, n): text n times (n truncated); #VALUE! below 0 or past 32,767 characters."""
    n = math.trunc(times)
    if n < 0 or len(text) * n > 32767:
        return VALUE
    return text * n


@cellwise("EXACT", args="tt")
def _exact(a, b):
    return a == b


@cellwise("PROPER", args="t")
def _proper(text):
    """PROPER(text): the first letter of each word upper case, the others lower case."""
    return re.sub(r"[^\W\d_]+", lambda m: m.group(0)[:1].upper() + m.group(0)[1:].lower(), text)


@register("T")
def _t(ev, args):
    """T(value): the text itself, "" for anything else (errors propagate).

    T's argument is a reference, not an array: given a range in an array formula it reads the
    range's first cell, as Excel does (``{=T(H42:P42)}`` in formulas' test.xlsx is one value).
    """
    if len(args) != 1:
        return Values.error(E.VALUE)
    v = ev.eval(args[0])
    if ev.ctx.array and v.ref is not None and v.hw != (1, 1):
        v = Values(v.kind[:, :1, :1], v.num[:, :1, :1], None if v.text is None else v.text[:, :1, :1])
    else:
        v = ev.intersect(v)
    keep = (v.kind == STR) | (v.kind == ERR)
    text = np.where(v.kind == STR, v.texts(), "")
    return Values(np.where(keep, v.kind, STR).astype(np.uint8), np.where(v.kind == ERR, v.num, 0.0), text)


# ---------------------------------------------------------------------------------------------
# NUMBERVALUE, VALUETOTEXT, ARRAYTOTEXT

_NUMBER_BODY = re.compile(r"(?P<digits>[0-9]*(?:\.[0-9]*)?)(?:[eE](?P<exp>[+-]?[0-9]+))?")


@cellwise("NUMBERVALUE", args="T", optional="TT")
def _numbervalue(text, decimal_sep=None, group_sep=None):
    """NUMBERVALUE(text, [decimal_separator], [group_separator]): text read as a number with the
    given separators (the first character of each; "." and "," by default).

    Microsoft's rules: spaces are ignored anywhere, "" is 0, a group separator after the
    decimal separator or a second decimal separator is #VALUE!, each trailing % divides by 100;
    as VALUE, parentheses make the number negative ("(2.500,27)" with "," and "." is -2500.27)
    and a % may also stand inside them. A separator given as "" is #VALUE!. A decimal separator equal to the default group
    separator swaps the default ("," as decimal separator makes "." the group separator).
    """
    if decimal_sep == "" or group_sep == "":  # a separator given as a blank (TEXT!AB28)
        return VALUE
    dec = "." if decimal_sep is None else decimal_sep[0]
    group = group_sep[0] if group_sep is not None else ("," if dec != "," else ".")
    if dec == group:
        return VALUE
    t = re.sub(r"\s+", "", text)
    if t == "":
        return 0.0
    neg = t.startswith("(")
    pct = len(t) - len(t.rstrip("%"))
    t = t.rstrip("%")
    if neg:
        if not t.endswith(")"):
            return VALUE
        t = t[1:-1]
        inner = len(t) - len(t.rstrip("%"))
        pct, t = pct + inner, t.rstrip("%")
    elif t[:1] in "+-":
        neg, t = t[0] == "-", t[1:]
    whole, _, frac = t.partition(dec)
    if dec in frac or group in frac:
        return VALUE
    body = whole.replace(group, "") + ("." + frac if _ else "")
    m = _NUMBER_BODY.fullmatch(body)
    if m is None or m.group("digits") in ("", "."):
        return VALUE
    x = float(m.group("digits") + ("e" + m.group("exp") if m.group("exp") else ""))
    x = x / 100.0 ** pct
    if not math.isfinite(x):
        return NUM_ERROR
    return -x if neg else x


def _format_code(x):
    """The format argument of VALUETOTEXT/ARRAYTOTEXT: 0 concise, 1 strict, else #VALUE!."""
    if isinstance(x, ExcelError):
        return x
    k = math.trunc(x)
    return k if k in (0, 1) else VALUE


def _shown(x, strict: bool) -> str:
    """One value as VALUETOTEXT shows it: strict format quotes text (quotes doubled)."""
    if x is None:
        return ""
    if isinstance(x, ExcelError):
        return str(x)
    if isinstance(x, bool):
        return "TRUE" if x else "FALSE"
    if isinstance(x, float):
        return format_general(x)
    return '"' + x.replace('"', '""') + '"' if strict else x


@register("VALUETOTEXT")
def _valuetotext(ev, args):
    """VALUETOTEXT(value, [format]): a value as text, errors included ("#N/A"); format 1
    (strict) puts text in quotes. An array is converted element by element."""
    if not 1 <= len(args) <= 2:
        return Values.error(E.VALUE)
    vals = align(ev.scalar(args[0]), ev.scalar(args[1]) if len(args) > 1 else Values.number(0.0))
    shape = vals[0].kind.shape
    out = np.empty(shape, object)
    for idx in np.ndindex(shape):
        code = _format_code(coerce(vals[1].kind[idx], vals[1].num[idx],
                                   None if vals[1].text is None else vals[1].text[idx], "n"))
        out[idx] = code if isinstance(code, ExcelError) else _shown(vals[0].python(*idx), code == 1)
    return from_python_cells(out)


@register("ARRAYTOTEXT")
def _arraytotext(ev, args):
    """ARRAYTOTEXT(array, [format]): the elements of an array as one text. Format 0 (concise)
    joins them with ", " row by row; format 1 (strict) writes an array constant,
    ``{1,"a";TRUE,#N/A}``. As Excel does, a lone blank cell in strict format is #VALUE!
    (formulas' test.xlsx TEXT!V4); an array of formats gives one text per format."""
    if not 1 <= len(args) <= 2:
        return Values.error(E.VALUE)
    arr = ev.eval(args[0])
    fmt = ev.scalar(args[1]) if len(args) > 1 else Values.number(0.0)
    n = max(arr.n, fmt.n)
    fmt = fmt.expand(n)
    out = np.empty(fmt.kind.shape, object)
    for idx in np.ndindex(fmt.kind.shape):
        code = _format_code(coerce(fmt.kind[idx], fmt.num[idx], None if fmt.text is None else fmt.text[idx], "n"))
        if isinstance(code, ExcelError):
            out[idx] = code
            continue
        i = idx[0] if arr.n > 1 else 0
        (h, w), (bh, bw) = arr.extent, arr.hw
        if h * w - 1 > MAX_TEXT:  # a whole column: more separators than a text holds
            out[idx] = VALUE
            continue
        rows = [[arr.python(i, r, c) if r < bh and c < bw else None for c in range(w)] for r in range(h)]
        if code == 1 and h == w == 1 and rows[0][0] is None:
            out[idx] = VALUE
        elif code == 1:
            text = "{" + ";".join(",".join(_shown(x, True) for x in row) for row in rows) + "}"
            out[idx] = text if len(text) <= MAX_TEXT else VALUE
        else:
            text = ", ".join(_shown(x, False) for row in rows for x in row)
            out[idx] = text if len(text) <= MAX_TEXT else VALUE
    return from_python_cells(out)



# ---------------------------------------------------------------------------------------------
# TEXTSPLIT


def _delimiters(ev, node) -> list[str] | ExcelError:
    """Every non-empty text of a delimiter argument (a value or an array; numbers and logicals as
    text), or its first error; [] when omitted."""
    if node is None:
        return []
    v = ev.eval(node)
    if v.n > 1:
        raise NotVectorizable("TEXTSPLIT with varying delimiters")
    got = _pieces(v, 0)
    return got if isinstance(got, ExcelError) else [d for d in got if d != ""]


def _splitter(delims: list[str], ignore_case: bool) -> re.Pattern | None:
    """One pattern finding any of the delimiters, the longest first where several start at a place."""
    if not delims:
        return None
    alternatives = "|".join(re.escape(d) for d in sorted(set(delims), key=len, reverse=True))
    return re.compile(alternatives, re.IGNORECASE if ignore_case else 0)


def _split(text: str, col: re.Pattern | None, row: re.Pattern | None, ignore_empty: bool, pad):
    """The rows and columns of one TEXTSPLIT, short rows padded with ``pad``."""
    rows = row.split(text) if row is not None else [text]
    table = []
    for r in rows:
        cells = col.split(r) if col is not None else [r]
        if ignore_empty:
            cells = [c for c in cells if c != ""]
            if not cells:
                continue
        table.append(cells)
    if not table:
        return VALUE
    width = max(len(r) for r in table)
    if len(table) * width > _MAX_SPLIT:
        return VALUE
    return [r + [pad] * (width - len(r)) for r in table]


#: The most elements one TEXTSPLIT builds, padding included: a 32,767-character text can ask for
#: 16,384 rows of 16,384 columns, whose result is #VALUE! here rather than a quarter-billion cells.
_MAX_SPLIT = 1_048_576


@register("TEXTSPLIT")
def _textsplit(ev, args):
    """TEXTSPLIT(text, col_delimiter, [row_delimiter], [ignore_empty], [match_mode], [pad_with]):
    text split into rows at any row delimiter, then into columns at any column delimiter.

    A delimiter argument may be an array of texts; "" delimiters are ignored and at least one
    must remain (else #VALUE!), as for an empty text. ignore_empty drops the empty pieces (and
    empty rows); match_mode 1 ignores case; short rows are padded with pad_with (#N/A by
    default). An array given for text, ignore_empty, match_mode or pad_with splits each element
    and keeps the top-left of each result.
    """
    if not 2 <= len(args) <= 6:
        return Values.error(E.VALUE)
    col = _delimiters(ev, args[1])
    row = _delimiters(ev, args[2] if len(args) > 2 else None)
    for d in (col, row):
        if isinstance(d, ExcelError):
            return from_python_cells(np.array([[[d]]], object))
    rest = [(ev.scalar(args[k]) if len(args) > k and args[k] is not None else default)
            for k, default in ((3, Values.boolean(False)), (4, Values.number(0.0)), (5, Values.error(E.NA)))]
    vals = align(ev.scalar(args[0]), *rest)
    shape = vals[0].kind.shape
    out = np.empty(shape, object)
    for idx in np.ndindex(shape):
        py = []
        for v, how in zip(vals, "tbnv"):
            x = coerce(v.kind[idx], v.num[idx], None if v.text is None else v.text[idx], how)
            if isinstance(x, ExcelError) and how != "v":
                break
            py.append(x)
        else:
            text, ignore_empty, mode, pad = py
            k = math.trunc(mode)
            if k not in (0, 1) or text == "" or not (col or row):
                out[idx] = VALUE
            else:
                out[idx] = _split(text, _splitter(col, k == 1), _splitter(row, k == 1), ignore_empty, pad)
            continue
        out[idx] = x
    return from_python_results(out)


# ---------------------------------------------------------------------------------------------
# FIXED: a number rounded and written with its digits, as Excel shows a number (15 significant
# digits, the rest zeros)


@cellwise("FIXED", args="n", optional="nb")
def _fixed(number, decimals=None, no_commas=None):
    """FIXED(number, [decimals], [no_commas]): number rounded to ``decimals`` places (2 by
    default, negative rounds left of the point, at most 127 else #VALUE!) as text, with
    thousands separators unless no_commas."""
    k = 2 if decimals is None else math.trunc(decimals)
    if k > 127:
        return VALUE
    return format(round_decimal(shown_decimal(number), k), "f" if no_commas else ",f")


@cellwise("DOLLAR", args="n", optional="n")
def _dollar(number, decimals=None):
    """DOLLAR(number, [decimals]): number as currency text, rounded to ``decimals`` places (2 by
    default, negative rounds left of the point, at most 127), in Excel's US currency format
    ``$#,##0.00_);($#,##0.00)`` without its padding: "$1,234.57", "($1,200)"."""
    k = 2 if decimals is None else math.trunc(decimals)
    if k > 127:
        return VALUE
    text = "$" + format(round_decimal(shown_decimal(abs(number)), k), ",f")
    return f"({text})" if number < 0 else text


@register("PHONETIC")
def _phonetic(ev, args):
    """PHONETIC(reference): the phonetic reading (furigana) of the text the cells hold, joined left
    to right then top to bottom over a range; a text argument as itself, a union of areas #N/A
    (Microsoft's PHONETIC page). A cell's reading is its text: the furigana Excel records for text
    typed through a Japanese IME (``<rPh>`` runs) are not read, so a text without them, as any
    typed outside those locales, gives what Excel gives. Only typed texts join: numbers,
    logicals, blanks and the results of formulas are passed over, as Excel does."""
    if len(args) != 1 or args[0] is None:
        return Values.error(E.VALUE)
    if len(union_areas(args[0])) > 1:
        return Values.error(E.NA)
    v = ev.eval(args[0])
    if v.ref is None:
        if not v.is_cell:
            return Values.error(E.NA, v.n)
        keep = (v.kind == STR) | (v.kind == ERR)
        return Values(np.where(keep, v.kind, ERR).astype(np.uint8), np.where(keep, v.num, float(E.NA)), v.text)
    typed = (v.kind == STR) & (reference_cells(v)[2] < 0)

    def one(i: int):
        joined = "".join(v.text[i][typed[i]]) if typed[i].any() else ""
        return VALUE if len(joined) > MAX_TEXT else joined

    return per_instance(v.n, one)
