"""The Bessel functions BESSELJ, BESSELY, BESSELI and BESSELK as Excel computes them.

Excel does not compute the exact functions: its values are those of the classic rational and
polynomial approximations of orders 0 and 1 (Abramowitz & Stegun 9.4 and 9.8, in the form
Numerical Recipes gives them, about 8 significant digits), carried to order n by recurrence:
upward for Y, K and for J when x > n; Miller's downward recurrence, normalised, for J when
x <= n and for I. They agree with Excel's cells to the last bit, where the exact values (scipy's)
differ from them in the 8th digit. Orders above :data:`MAX_RECURRENCE` would take that many steps;
there the exact value is returned (scipy.special, imported only then), within the approximations'
accuracy of Excel's.

Arguments (Microsoft's pages of the four functions): x a number, n truncated to an integer; a
logical or a range is ``#VALUE!`` (Analysis ToolPak functions); n < 0 is ``#NUM!``; Y and K are
``#NUM!`` for x <= 0; a result that overflows is ``#NUM!``.
"""

from __future__ import annotations

import math

from ...excel_errors import NUM
from .registry import cellwise

#: The largest order computed by recurrence (one step per order); above, scipy's exact value.
MAX_RECURRENCE = 10_000

_ACC = 40.0  # Miller's recurrence starts about sqrt(ACC * n) orders above n
_BIG, _SMALL = 1e10, 1e-10  # ... and rescales its terms by _SMALL past _BIG


def _poly(y: float, *coefficients: float) -> float:
    """c0 + y*(c1 + y*(c2 + ...)) (Horner)."""
    out = 0.0
    for c in reversed(coefficients):
        out = out * y + c
    return out


def _asymptotic(x: float, phase: float, p: tuple, q: tuple) -> tuple[float, float]:
    """(P*cos - z*Q*sin, P*sin + z*Q*cos) * sqrt(2/(pi x)) of the large-x forms of J and Y."""
    z = 8.0 / x
    y = z * z
    xx = x - phase
    a, b = _poly(y, *p), _poly(y, *q)
    scale = math.sqrt(0.636619772 / x)
    return (scale * (math.cos(xx) * a - z * math.sin(xx) * b),
            scale * (math.sin(xx) * a + z * math.cos(xx) * b))


_P0 = (1.0, -0.1098628627e-2, 0.2734510407e-4, -0.2073370639e-5, 0.2093887211e-6)
_Q0_J = (-0.1562499995e-1, 0.1430488765e-3, -0.6911147651e-5, 0.7621095161e-6, -0.934935152e-7)
_Q0_Y = (-0.1562499995e-1, 0.1430488765e-3, -0.6911147651e-5, 0.7621095161e-6, -0.934945152e-7)
_P1 = (1.0, 0.183105e-2, -0.3516396496e-4, 0.2457520174e-5, -0.240337019e-6)
_Q1 = (0.04687499995, -0.2002690873e-3, 0.8449199096e-5, -0.88228987e-6, 0.105787412e-6)


def _j0(x: float) -> float:
    ax = abs(x)
    if ax < 8.0:
        y = x * x
        return (_poly(y, 57568490574.0, -13362590354.0, 651619640.7, -11214424.18, 77392.33017, -184.9052456)
                / _poly(y, 57568490411.0, 1029532985.0, 9494680.718, 59272.64853, 267.8532712, 1.0))
    return _asymptotic(ax, 0.785398164, _P0, _Q0_J)[0]


def _j1(x: float) -> float:
    ax = abs(x)
    if ax < 8.0:
        y = x * x
        return (x * _poly(y, 72362614232.0, -7895059235.0, 242396853.1, -2972611.439, 15704.48260, -30.16036606)
                / _poly(y, 144725228442.0, 2300535178.0, 18583304.74, 99447.43394, 376.9991397, 1.0))
    j = _asymptotic(ax, 2.356194491, _P1, _Q1)[0]
    return -j if x < 0 else j


def _y0(x: float) -> float:
    if x < 8.0:
        y = x * x
        return (_poly(y, -2957821389.0, 7062834065.0, -512359803.6, 10879881.29, -86327.92757, 228.4622733)
                / _poly(y, 40076544269.0, 745249964.8, 7189466.438, 47447.26470, 226.1030244, 1.0)
                + 0.636619772 * _j0(x) * math.log(x))
    return _asymptotic(x, 0.785398164, _P0, _Q0_Y)[1]


def _y1(x: float) -> float:
    if x < 8.0:
        y = x * x
        return (x * _poly(y, -0.4900604943e13, 0.1275274390e13, -0.5153438139e11, 0.7349264551e9,
                          -0.4237922726e7, 0.8511937935e4)
                / _poly(y, 0.2499580570e14, 0.4244419664e12, 0.3733650367e10, 0.2245904002e8,
                        0.1020426050e6, 0.3549632885e3, 1.0)
                + 0.636619772 * (_j1(x) * math.log(x) - 1.0 / x))
    return _asymptotic(x, 2.356194491, _P1, _Q1)[1]


def _i0(x: float) -> float:
    ax = abs(x)
    if ax < 3.75:
        y = x / 3.75
        y *= y
        return _poly(y, 1.0, 3.5156229, 3.0899424, 1.2067492, 0.2659732, 0.360768e-1, 0.45813e-2)
    y = 3.75 / ax
    return (math.exp(ax) / math.sqrt(ax)) * _poly(y, 0.39894228, 0.1328592e-1, 0.225319e-2, -0.157565e-2,
                                                  0.916281e-2, -0.2057706e-1, 0.2635537e-1, -0.1647633e-1,
                                                  0.392377e-2)


def _i1(x: float) -> float:
    ax = abs(x)
    if ax < 3.75:
        y = x / 3.75
        y *= y
        out = ax * _poly(y, 0.5, 0.87890594, 0.51498869, 0.15084934, 0.2658733e-1, 0.301532e-2, 0.32411e-3)
    else:
        y = 3.75 / ax
        out = _poly(y, 0.39894228, -0.3988024e-1, -0.362018e-2, 0.163801e-2, -0.1031555e-1,
                    _poly(y, 0.2282967e-1, -0.2895312e-1, 0.1787654e-1, -0.420059e-2))
        out *= math.exp(ax) / math.sqrt(ax)
    return -out if x < 0 else out


def _k0(x: float) -> float:
    if x <= 2.0:
        y = x * x / 4.0
        return (-math.log(x / 2.0) * _i0(x)) + _poly(y, -0.57721566, 0.42278420, 0.23069756, 0.3488590e-1,
                                                      0.262698e-2, 0.10750e-3, 0.74e-5)
    y = 2.0 / x
    return (math.exp(-x) / math.sqrt(x)) * _poly(y, 1.25331414, -0.7832358e-1, 0.2189568e-1, -0.1062446e-1,
                                                 0.587872e-2, -0.251540e-2, 0.53208e-3)


def _k1(x: float) -> float:
    if x <= 2.0:
        y = x * x / 4.0
        return (math.log(x / 2.0) * _i1(x)) + (1.0 / x) * _poly(y, 1.0, 0.15443144, -0.67278579, -0.18156897,
                                                                 -0.1919402e-1, -0.110404e-2, -0.4686e-4)
    y = 2.0 / x
    return (math.exp(-x) / math.sqrt(x)) * _poly(y, 1.25331414, 0.23498619, -0.3655620e-1, 0.1504268e-1,
                                                 -0.780353e-2, 0.325614e-2, -0.68245e-3)


def _upward(f0: float, f1: float, x: float, n: int, sign: float) -> float:
    """Order n from orders 0 and 1: f(k+1) = (2k/x) f(k) - sign * f(k-1) (sign -1 for K)."""
    if n == 0:
        return f0
    lower, f = f0, f1
    for k in range(1, n):
        lower, f = f, k * (2.0 / x) * f - sign * lower
        if not math.isfinite(f):
            break
    return f


def _jn(x: float, n: int) -> float:
    if n == 0:
        return _j0(x)
    if n == 1:
        return _j1(x)
    ax = abs(x)
    if ax == 0.0:
        return 0.0
    if ax > n:
        out = _upward(_j0(ax), _j1(ax), ax, n, 1.0)
    else:  # Miller: downward from an order m above n, normalised by J0 + 2 (J2 + J4 + ...) = 1
        tox = 2.0 / ax
        m = 2 * ((n + int(math.sqrt(_ACC * n))) // 2)
        even = False
        above = out = total = 0.0
        f = 1.0
        for j in range(m, 0, -1):
            below = j * tox * f - above
            above, f = f, below
            if abs(f) > _BIG:
                f, above, out, total = f * _SMALL, above * _SMALL, out * _SMALL, total * _SMALL
            if even:
                total += f
            even = not even
            if j == n:
                out = above
        out /= 2.0 * total - f
    return -out if x < 0 and n % 2 else out


def _in(x: float, n: int) -> float:
    if n == 0:
        return _i0(x)
    if n == 1:
        return _i1(x)
    if x == 0.0:
        return 0.0
    tox = 2.0 / abs(x)
    above = out = 0.0
    f = 1.0
    for j in range(2 * (n + int(math.sqrt(_ACC * n))), 0, -1):
        below = above + j * tox * f
        above, f = f, below
        if abs(f) > _BIG:
            out, f, above = out * _SMALL, f * _SMALL, above * _SMALL
        if j == n:
            out = above
    out *= _i0(x) / f
    return -out if x < 0 and n % 2 else out


def _exact(kind: str, x: float, n: int) -> float:
    from scipy import special

    return float({"J": special.jv, "Y": special.yv, "I": special.iv, "K": special.kv}[kind](n, x))


def _bessel(kind: str, compute, positive_x: bool):
    def f(x, n):
        n = math.trunc(n)
        if n < 0 or (positive_x and x <= 0):
            return NUM
        try:
            return _exact(kind, x, n) if n > MAX_RECURRENCE else compute(x, n)
        except (OverflowError, ZeroDivisionError, ValueError):
            return NUM

    f.__doc__ = f"BESSEL{kind}(x, n): the Bessel function {kind}_n(x) as Excel approximates it."
    return f


cellwise("BESSELJ", args="NN", arrays=False)(_bessel("J", _jn, False))
cellwise("BESSELI", args="NN", arrays=False)(_bessel("I", _in, False))
cellwise("BESSELY", args="NN", arrays=False)(
    _bessel("Y", lambda x, n: _upward(_y0(x), _y1(x), x, n, 1.0), True))
cellwise("BESSELK", args="NN", arrays=False)(
    _bessel("K", lambda x, n: _upward(_k0(x), _k1(x), x, n, -1.0), True))
