"""Complex numbers as Excel holds them, in text: COMPLEX and the IM* functions.

Excel has no complex type: ``"3+4i"`` is text that COMPLEX writes and the IM* functions read.

Reading (:func:`parse_complex`): ``x``, ``yi``, ``x+yi`` or ``x-yi`` with a lower-case ``i`` or
``j`` suffix; each coefficient a decimal number with an optional exponent (``1.5E-3``); a unit
coefficient may be left out (``i``, ``-j``, ``3+i``). Anything else (a space, ``I``, a second
sign) is ``#NUM!``. A number, or text that is a number, is a real; a blank is 0; a logical is
``#VALUE!``. Two complex numbers with different suffixes are ``#NUM!`` (IMSUB, IMDIV) or
``#VALUE!`` (IMSUM, IMPRODUCT), as Excel has them.

Writing (:func:`format_complex`): each part with 15 significant digits and no trailing zeros,
in decimal from 1E-5 to 1E+15 and in E notation outside (``3.82126757337684E-22``); a zero part
is left out (``"-1"``, ``"3.6j"``; zero itself is ``"0"``); a unit imaginary part is written as
its sign and suffix alone (``"99-j"``, ``"2+i"``). The suffix is the argument's, ``i`` when no
argument had one. A result that overflows is ``#NUM!``.

The arithmetic is Microsoft's (the formulas of each function's page on support.microsoft.com),
in the forms whose rounding Excel's cells show: polar form for powers and roots, ``ln|z| +
i*arg(z)`` for logarithms, the real expansions ``sin(x)cosh(y) + i cos(x)sinh(y)`` and their kin
for sin, cos, sinh, cosh, and the double-angle quotients for tan, cot, sec and csc
(``tan z = (sin 2x + i sinh 2y) / (cos 2x + cosh 2y)``), which give Excel's 3.82126757337684E-22
for the real part of cot(7+25i) where 1/tan gives 0.
"""

from __future__ import annotations

import math
import re

import numpy as np

from ...excel_errors import DIV0, NUM, VALUE, ExcelError
from ..values import EMPTY, E, Values
from .arguments import per_instance
from .registry import cellwise, register

__all__ = ["format_complex", "parse_complex"]

_COEFFICIENT = r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_REAL = re.compile(rf"[+-]?{_COEFFICIENT}")
_IMAGINARY = re.compile(rf"(?P<im>[+-]?(?:{_COEFFICIENT})?)(?P<suffix>[ij])")
_BOTH = re.compile(rf"(?P<re>[+-]?{_COEFFICIENT})(?P<im>[+-](?:{_COEFFICIENT})?)(?P<suffix>[ij])")

#: Where the written form switches to E notation: below 1E-5 and from 1E+15 on (in magnitude).
_DECIMAL_EXPONENTS = range(-5, 15)


def _coefficient(text: str) -> float:
    """The imaginary coefficient as written before the suffix: "" and "+" are 1, "-" is -1."""
    return float(text + "1") if text in ("", "+", "-") else float(text)


def parse_complex(value) -> tuple[complex, str | None] | ExcelError:
    """(number, suffix) of a complex-number argument, or the error it is.

    ``value`` as a cell gives it: float, str, bool, None (blank) or an ExcelError. The suffix is
    ``"i"``/``"j"``, or None when the value has no imaginary part written.

    >>> parse_complex("3-4j"), parse_complex("-i"), parse_complex(2.5), parse_complex("3 + 4i")
    (((3-4j), 'j'), (-1j, 'i'), ((2.5+0j), None), ExcelError('#NUM!'))
    """
    if isinstance(value, ExcelError):
        return value
    if value is None:
        return 0j, None
    if isinstance(value, bool):
        return VALUE
    if isinstance(value, float):
        return complex(value, 0.0), None
    text = str(value)
    if text == "":
        return 0j, None
    if _REAL.fullmatch(text):
        return complex(float(text), 0.0), None
    m = _IMAGINARY.fullmatch(text)
    if m:
        return complex(0.0, _coefficient(m["im"])), m["suffix"]
    m = _BOTH.fullmatch(text)
    if m:
        return complex(float(m["re"]), _coefficient(m["im"])), m["suffix"]
    return NUM


def _number(x: float) -> str:
    """A real part or coefficient with 15 significant digits, as Excel writes it in a complex number."""
    mantissa, _, exponent = f"{x:.14e}".partition("e")
    e = int(exponent)
    if e in _DECIMAL_EXPONENTS:
        s = f"{x:.{max(14 - e, 0)}f}"
        return s.rstrip("0").rstrip(".") if "." in s else s
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}E{'-' if e < 0 else '+'}{abs(e):02d}"


def format_complex(z: complex, suffix: str | None = None) -> str | ExcelError:
    """``z`` as Excel writes a complex number (see the module docstring); #NUM! if not finite.

    >>> format_complex(complex(99, -1), "j"), format_complex(3.6j, "j"), format_complex(-1)
    ('99-j', '3.6j', '-1')
    >>> format_complex(complex(3.82126757337684e-22, -1), "j")
    '3.82126757337684E-22-j'
    """
    x, y = z.real + 0.0, z.imag + 0.0  # + 0.0: no "-0"
    if not (math.isfinite(x) and math.isfinite(y)):
        return NUM
    real = _number(x) if x != 0 or y == 0 else ""
    if y == 0:
        return real or "0"
    imag = _number(y)
    if imag in ("1", "-1"):
        imag = imag[:-1]
    if real and y > 0:
        imag = "+" + imag
    return real + imag + (suffix or "i")


# ---------------------------------------------------------------------------------------------
# COMPLEX and the functions of one complex number


@cellwise("COMPLEX", args="NN", optional="t", arrays=False)
def _complex(real, imaginary, suffix=None):
    """COMPLEX(real_num, i_num, [suffix]): the text x+yi; the suffix "i" (default) or "j"."""
    if suffix not in (None, "", "i", "j"):
        return VALUE
    return format_complex(complex(real, imaginary), suffix or "i")


def _guarded(f, z: complex):
    """f(z), or None where the formula overflows or divides by zero (Excel's #NUM!)."""
    try:
        return f(z)
    except (OverflowError, ZeroDivisionError, ValueError):
        return None


def _to_text(name: str, f, defined=lambda z: True):
    """Register IM<name>(inumber) -> complex text; #NUM! where ``defined(z)`` is false."""

    def g(value):
        got = parse_complex(value)
        if isinstance(got, ExcelError):
            return got
        z, suffix = got
        w = _guarded(f, z) if defined(z) else None
        return NUM if w is None else format_complex(w, suffix)

    cellwise(name, args="v", arrays=False)(g)


def _to_number(name: str, f):
    """Register IM<name>(inumber) -> a real number."""

    def g(value):
        got = parse_complex(value)
        return got if isinstance(got, ExcelError) else f(got[0])

    cellwise(name, args="v", arrays=False)(g)


def _sin(z: complex) -> complex:
    return complex(math.sin(z.real) * math.cosh(z.imag), math.cos(z.real) * math.sinh(z.imag))


def _cos(z: complex) -> complex:
    return complex(math.cos(z.real) * math.cosh(z.imag), -math.sin(z.real) * math.sinh(z.imag))


def _sinh(z: complex) -> complex:
    return complex(math.sinh(z.real) * math.cos(z.imag), math.cosh(z.real) * math.sin(z.imag))


def _cosh(z: complex) -> complex:
    return complex(math.cosh(z.real) * math.cos(z.imag), math.sinh(z.real) * math.sin(z.imag))


def _tan(z: complex) -> complex:
    """tan(x+iy) = (sin 2x + i sinh 2y) / (cos 2x + cosh 2y)."""
    d = math.cos(2 * z.real) + math.cosh(2 * z.imag)
    return complex(math.sin(2 * z.real) / d, math.sinh(2 * z.imag) / d)


def _cot(z: complex) -> complex:
    """cot(x+iy) = (sin 2x - i sinh 2y) / (cosh 2y - cos 2x)."""
    d = math.cosh(2 * z.imag) - math.cos(2 * z.real)
    return complex(math.sin(2 * z.real) / d, -math.sinh(2 * z.imag) / d)


def _csc(z: complex) -> complex:
    """csc(x+iy) = 2 (sin x cosh y - i cos x sinh y) / (cosh 2y - cos 2x)."""
    d = math.cosh(2 * z.imag) - math.cos(2 * z.real)
    x, y = z.real, z.imag
    return complex(2 * math.sin(x) * math.cosh(y) / d, -2 * math.cos(x) * math.sinh(y) / d)


def _sec(z: complex) -> complex:
    """sec(x+iy) = 2 (cos x cosh y + i sin x sinh y) / (cos 2x + cosh 2y)."""
    d = math.cos(2 * z.real) + math.cosh(2 * z.imag)
    x, y = z.real, z.imag
    return complex(2 * math.cos(x) * math.cosh(y) / d, 2 * math.sin(x) * math.sinh(y) / d)


def _ln(z: complex) -> complex:
    return complex(math.log(abs(z)), math.atan2(z.imag, z.real))


def _power(z: complex, n: float) -> complex:
    """z**n in polar form: |z|**n * (cos(n*theta) + i*sin(n*theta))."""
    r, theta = abs(z) ** n, math.atan2(z.imag, z.real)
    return complex(r * math.cos(n * theta), r * math.sin(n * theta))


def _nonzero(z: complex) -> bool:
    return z != 0


_to_number("IMREAL", lambda z: z.real)
_to_number("IMAGINARY", lambda z: z.imag)
_to_number("IMABS", abs)
_to_number("IMARGUMENT", lambda z: math.atan2(z.imag, z.real) if z != 0 else DIV0)
_to_text("IMCONJUGATE", lambda z: z.conjugate())
_to_text("IMSIN", _sin)
_to_text("IMCOS", _cos)
_to_text("IMTAN", _tan)
_to_text("IMCOT", _cot, _nonzero)
_to_text("IMCSC", _csc, _nonzero)
_to_text("IMSEC", _sec)
_to_text("IMSINH", _sinh)
_to_text("IMCOSH", _cosh)
_to_text("IMCSCH", lambda z: 1 / _sinh(z), _nonzero)
_to_text("IMSECH", lambda z: 1 / _cosh(z))
_to_text("IMEXP", lambda z: math.exp(z.real) * complex(math.cos(z.imag), math.sin(z.imag)))
_to_text("IMLN", _ln, _nonzero)
_to_text("IMLOG10", lambda z: _ln(z) / math.log(10), _nonzero)
_to_text("IMLOG2", lambda z: _ln(z) / math.log(2), _nonzero)
_to_text("IMSQRT", lambda z: _power(z, 0.5))


@cellwise("IMPOWER", args="vN", arrays=False)
def _impower(value, n):
    """IMPOWER(inumber, number): inumber**number in polar form; #NUM! for 0 to a power <= 0."""
    got = parse_complex(value)
    if isinstance(got, ExcelError):
        return got
    z, suffix = got
    if z == 0:
        return "0" if n > 0 else NUM
    w = _guarded(lambda z: _power(z, n), z)
    return NUM if w is None else format_complex(w, suffix)


# ---------------------------------------------------------------------------------------------
# functions of two or more complex numbers


def _pair(name: str, f):
    """Register IM<name>(inumber1, inumber2); #NUM! for two suffixes or where f fails."""

    def g(a, b):
        got_a, got_b = parse_complex(a), parse_complex(b)
        for got in (got_a, got_b):
            if isinstance(got, ExcelError):
                return got
        (za, sa), (zb, sb) = got_a, got_b
        if sa and sb and sa != sb:
            return NUM
        w = _guarded(lambda z: f(z, zb), za)
        return NUM if w is None else format_complex(w, sa or sb)

    cellwise(name, args="vv", arrays=False)(g)


_pair("IMSUB", lambda a, b: a - b)
_pair("IMDIV", lambda a, b: a / b)


def _items(v: Values, i: int):
    """The Python values of one instance of an IMSUM/IMPRODUCT argument, in row-major order.

    A single cell gives its value (blank as 0); a range or array its non-blank elements.
    """
    j = i if v.n > 1 else 0
    kind = v.kind[j]
    if v.is_cell:
        yield v.python(j, 0, 0)
        return
    for r, c in np.ndindex(kind.shape):
        if kind[r, c] != EMPTY:
            yield v.python(j, r, c)


def _fold(name: str, f, start: complex):
    """Register IM<name>(inumber1, [inumber2], ...) folding f over every complex number given."""

    def impl(ev, args):
        if not args:
            return Values.error(E.VALUE)
        vals = [ev.eval(a) for a in args]
        return per_instance(max(v.n for v in vals), lambda i: _fold_one(vals, i, f, start))

    register(name)(impl)


def _fold_one(vals: list[Values], i: int, f, start: complex):
    total, suffix = start, None
    for v in vals:
        for item in _items(v, i):
            got = parse_complex(item)
            if isinstance(got, ExcelError):
                return got
            z, s = got
            if s and suffix and s != suffix:
                return VALUE
            suffix = suffix or s
            total = f(total, z)
    return format_complex(total, suffix)


_fold("IMSUM", lambda a, b: a + b, 0j)
_fold("IMPRODUCT", lambda a, b: a * b, 1 + 0j)
