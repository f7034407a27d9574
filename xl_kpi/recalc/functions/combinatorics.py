"""Whole numbers: factorials (FACT, FACTDOUBLE), combinations (COMBIN, COMBINA, PERMUT,
MULTINOMIAL) and divisors (GCD, LCM).

Every argument is truncated to a whole number. FACTDOUBLE, MULTINOMIAL, GCD and LCM are Analysis
ToolPak functions and read their arguments as the add-in did (see :func:`_integers`).
"""

from __future__ import annotations

import math

import numpy as np

from ...excel_errors import NUM as NUM_ERROR
from ...excel_errors import VALUE as VALUE_ERROR
from ...excel_errors import ExcelError
from ..values import EMPTY, ERR, ERROR_CODES, NUM, E, Values
from .arguments import per_instance
from .registry import cellwise, elementwise, register


@elementwise("FACT", arity=(1, 1))
def _fact(x):
    """FACT(n) = n! of n truncated (Gamma(n + 1)); #NUM! below 0 and above 170."""
    n = np.trunc(x)
    bad = (n < 0) | (n > 170)
    out = np.vectorize(lambda k: float(math.factorial(int(k))), otypes=[float])(np.where(bad, 0, n))
    return out, np.where(bad, E.NUM, 0)


#: The largest n whose double factorial n!! is a finite double (301!! overflows).
_FACTDOUBLE_MAX = 300


@cellwise("FACTDOUBLE", args="N", arrays=False)
def _factdouble(x):
    """FACTDOUBLE(n) = n!! = n (n-2) (n-4) ... down to 1 or 2, n truncated; 1 from -1 to 1;
    #NUM! below -1 (FACTDOUBLE(-1.1) too) and where it overflows (an Analysis ToolPak function)."""
    n = math.trunc(x)
    if x < -1 or n > _FACTDOUBLE_MAX:
        return NUM_ERROR
    return float(math.prod(range(n, 0, -2)))


def _arrangements(count, doc: str):
    """COMBIN or PERMUT: ``count(n, k)`` of n and k truncated; #NUM! unless 0 <= k <= n."""

    def f(n, k):
        n, k = np.trunc(n), np.trunc(k)
        bad = (n < 0) | (k < 0) | (k > n)
        out = np.vectorize(lambda a, b: float(count(int(a), int(b))), otypes=[float])(np.where(bad, 0, n),
                                                                                       np.where(bad, 0, k))
        return out, np.where(bad, E.NUM, 0)

    f.__doc__ = doc
    return f


elementwise("COMBIN", arity=(2, 2))(_arrangements(math.comb, "COMBIN(n, k) = n! / (k! (n - k)!), both truncated."))
elementwise("PERMUT", arity=(2, 2))(_arrangements(math.perm, "PERMUT(n, k) = n! / (n - k)!, both truncated."))


def _integers(vals: list[Values], i: int):
    """The numbers GCD/LCM read for instance i, truncated, or the error they give.

    Analysis ToolPak rules, from the cells of Excel: an error value is itself, a logical, text or a
    reference to one blank cell is #VALUE!, in argument order and before any #NUM!; a blank cell
    inside a range is left out; a number below 0 or from 2^53 on is #NUM!.
    """
    out = []
    for v in vals:
        j = i if v.n > 1 else 0
        for r, c in np.ndindex(v.hw):
            k = v.kind[j, r, c]
            if k == ERR:
                return ExcelError(ERROR_CODES[int(v.num[j, r, c]) - 1])
            if k == NUM:
                out.append(float(v.num[j, r, c]))
            elif k != EMPTY or v.is_cell:
                return VALUE_ERROR
    if any(x < 0 or x >= 2.0 ** 53 for x in out):
        return NUM_ERROR
    return [math.trunc(x) for x in out]


def _gcd_lcm(name: str, combine):
    def impl(ev, args):
        if not args:
            return Values.error(E.VALUE)
        vals = [ev.eval(a) for a in args]

        def one(i):
            xs = _integers(vals, i)
            return xs if isinstance(xs, ExcelError) else float(combine(*xs))

        return per_instance(max(v.n for v in vals), one)

    impl.__doc__ = f"{name}(number1, [number2], ...) of whole numbers (each truncated)."
    register(name)(impl)


_gcd_lcm("GCD", math.gcd)
_gcd_lcm("LCM", math.lcm)


@register("MULTINOMIAL")
def _multinomial(ev, args):
    """MULTINOMIAL(number1, ...) = (a1 + a2 + ...)! / (a1! a2! ...), each truncated; read as GCD
    reads its arguments (an Analysis ToolPak function); #NUM! where it overflows."""
    if not args:
        return Values.error(E.VALUE)
    vals = [ev.eval(a) for a in args]

    def one(i: int):
        xs = _integers(vals, i)
        if isinstance(xs, ExcelError):
            return xs
        if sum(xs) <= 1000:  # exact
            return float(math.factorial(sum(xs)) // math.prod(math.factorial(x) for x in xs))
        log = math.lgamma(sum(xs) + 1) - sum(math.lgamma(x + 1) for x in xs)
        return math.exp(log) if log < 709.78 else NUM_ERROR

    return per_instance(max(v.n for v in vals), one)


@elementwise("COMBINA", arity=(2, 2))
def _combina(n, k):
    """COMBINA(n, k) = COMBIN(n + k - 1, k), combinations with repetitions, both truncated;
    #NUM! unless 0 <= k <= n."""
    n, k = np.trunc(n), np.trunc(k)
    bad = (n < 0) | (k < 0) | (k > n)
    out = np.vectorize(lambda a, b: float(math.comb(int(a + b - 1), int(b))) if b else 1.0,
                       otypes=[float])(np.where(bad, 1, n), np.where(bad, 0, k))
    return out, np.where(bad, E.NUM, 0)
