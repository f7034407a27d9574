"""Maths & trig: sums (SUM, SUMPRODUCT, SUMIF(S), SUMX2MY2..., PERCENTOF, SERIESSUM), roundings
(ROUND..., the CEILING and FLOOR families, MROUND), the element-wise functions of numbers
(logarithms, trigonometry), RAND, RANDARRAY and RANDBETWEEN.

The rest of Excel's category has its own modules: :mod:`.combinatorics` (FACT, COMBIN, GCD...),
:mod:`.subtotals` (SUBTOTAL, AGGREGATE), :mod:`.numerals` (ROMAN, ARABIC, DECIMAL, BASE) and
:mod:`.matrices` (MMULT, MDETERM, MINVERSE, MUNIT).
"""

from __future__ import annotations

import math

import numpy as np

from ...excel_errors import NUM as NUM_ERROR
from ...excel_errors import VALUE as VALUE_ERROR
from ...excel_errors import ExcelError
from ..arrays import NotVectorizable, column_parts, pad_rows
from ..values import EMPTY, ERR, ERROR_CODES, NUM, E, Values, numbers
from .arguments import aggregate_args, finish, first_error, ok, per_instance
from .criteria import conditional
from .registry import aggregate, elementwise, register


def _added_in_order(total, x):
    """total + x[:, 0] + x[:, 1] + ..., one by one from the left as Excel adds them: numpy's sum
    is pairwise, which differs in the last bits, and a residual shows them (a trial balance's
    SUM is Excel's 3.28e-09 so, 1.49e-09 pairwise). A range that every cell shares is added up
    once (after differing totals, that sum is added to them: last bits only, not n times k adds)."""
    if x.shape[0] == 1:
        if total.size and (total == total[0]).all():
            return np.full(total.shape, np.cumsum(np.concatenate([total[:1], x[0]]))[-1])
        return total + np.cumsum(x[0])[-1] if x.shape[1] else total
    total = total.copy()
    for i in range(0, total.shape[0], 4096):  # blocks of rows: a column of a block stays in cache
        block, rows = total[i:i + 4096], x[i:i + 4096]
        for j in range(x.shape[1]):
            block += rows[:, j]
    return total


@aggregate("SUM")
def _sum(parts, err, n):
    total = np.zeros(n)
    for x, _ in parts:
        total = _added_in_order(total, x)
    return finish(total, err)


@register("SUMPRODUCT")
def _sumproduct(ev, args):
    if not args:
        return Values.error(E.VALUE)
    vals = [ev.eval_array(a) for a in args]
    n = max(v.n for v in vals)
    parts = [column_parts(v) for v in vals]
    tails = [t for _, t, _ in parts]
    if any(t is not None for t in tails):  # whole columns: the used rows, then the rows below
        height = max(b.hw[0] for b, _, _ in parts)
        vals = [pad_rows(Values(b.kind, b.num, b.text), t, height) if t is not None else b for b, t, _ in parts]
    err = np.zeros(n)
    for v, t in zip(vals, tails):  # an error in an argument comes before a mismatch of sizes, as in Excel
        err = np.where(err != 0, err, np.broadcast_to(first_error(v.kind, v.num), (n,)))
        if t is not None:
            err = np.where(err != 0, err, np.broadcast_to(first_error(t.kind, t.num), (n,)))
    if len({v.hw for v in vals}) != 1 or len({r for _, _, r in parts}) != 1:
        return finish(np.zeros(n), np.where(err != 0, err, E.VALUE))
    total = _products(vals, n)
    if tails[0] is not None and parts[0][2] > vals[0].hw[0]:
        total = total + _products(tails, n) * (parts[0][2] - vals[0].hw[0])
    return finish(total, err)


def _products(vals: list[Values], n: int) -> np.ndarray:
    """Per instance, the sum of the element-wise product of same-shaped arrays (numbers only)."""
    prod = None
    for v in vals:
        x = np.where(v.kind == NUM, v.num, 0.0)
        prod = x if prod is None else prod * x
    return np.broadcast_to(prod, (n, *vals[0].hw)).reshape(n, -1).sum(axis=1)


def _round_to(x, d, mode):
    """x rounded at d decimals (d truncated): half away from zero, up (away) or down (towards 0).

    The scaled |x| * 10^d is nudged by 4 units in its last place (2^-50 relative) before rounding,
    which absorbs the error of the scaling (ROUND(1.005, 2) = 1.01, ROUNDDOWN(4.35, 2) = 4.35 as
    Excel has them) and no more: TRUNC(-0.39999999999999947, 1) stays -0.3, as in Excel.
    """
    d = np.trunc(d)
    f = np.power(10.0, d)
    y = np.abs(x) * f
    eps = np.abs(y) * 2.0 ** -50
    if mode == "half":
        r = np.floor(y + 0.5 + eps)
    elif mode == "up":
        r = np.ceil(y - eps)
    else:
        r = np.floor(y + eps)
    return np.sign(x) * r / f


@elementwise("ROUND", arity=(2, 2))
def _round(x, d):
    return _round_to(x, d, "half"), ok(x)


@elementwise("ROUNDUP", arity=(2, 2))
def _roundup(x, d):
    return _round_to(x, d, "up"), ok(x)


@elementwise("ROUNDDOWN", arity=(2, 2))
def _rounddown(x, d):
    return _round_to(x, d, "down"), ok(x)


@elementwise("TRUNC", arity=(1, 2), defaults=(0,))
def _trunc(x, d):
    return _round_to(x, d, "down"), ok(x)


@elementwise("INT", arity=(1, 1))
def _int(x):
    return np.floor(x), ok(x)


@elementwise("ABS", arity=(1, 1))
def _abs(x):
    return np.abs(x), ok(x)


@elementwise("SIGN", arity=(1, 1))
def _sign(x):
    return np.sign(x), ok(x)


@elementwise("SQRT", arity=(1, 1))
def _sqrt(x):
    return np.sqrt(np.where(x < 0, 0, x)), np.where(x < 0, E.NUM, 0)


@elementwise("EXP", arity=(1, 1))
def _exp(x):
    return np.exp(x), ok(x)


@elementwise("LN", arity=(1, 1))
def _ln(x):
    return np.log(np.where(x <= 0, 1, x)), np.where(x <= 0, E.NUM, 0)


@elementwise("LOG10", arity=(1, 1))
def _log10(x):
    return np.log10(np.where(x <= 0, 1, x)), np.where(x <= 0, E.NUM, 0)


@elementwise("LOG", arity=(1, 2), defaults=(10,))
def _log(x, b):
    bad = (x <= 0) | (b <= 0)
    div0 = ~bad & (b == 1)
    return (np.log(np.where(bad, 1, x)) / np.log(np.where(bad | div0, 2, b)),
            np.where(bad, E.NUM, np.where(div0, E.DIV0, 0)))


@elementwise("MOD", arity=(2, 2))
def _mod(x, d):
    """x - d*INT(x/d); #NUM! when the quotient is 2**53 or more (not an exact integer in a
    double, so no remainder is meaningful: Excel's MOD(1E300,7) is #NUM!)."""
    q = x / np.where(d == 0, 1, d)
    err = np.where(d == 0, E.DIV0, np.where(~(np.abs(q) < 2.0 ** 53), E.NUM, 0))
    return x - d * np.floor(np.where(err == 0, q, 0)), err


@elementwise("POWER", arity=(2, 2))
def _power(x, p):
    err = np.where((x == 0) & (p < 0), E.DIV0, np.where((x == 0) & (p == 0), E.NUM, 0))
    return np.power(x, p), err


@register("SUMIFS")
def _sumifs(ev, args):
    if len(args) < 3 or len(args) % 2 == 0:
        return Values.error(E.VALUE)
    return conditional(ev, args[0], list(zip(args[1::2], args[2::2])), "sum")


@register("SUMIF")
def _sumif(ev, args):
    if not 2 <= len(args) <= 3:
        return Values.error(E.VALUE)
    return conditional(ev, args[2] if len(args) == 3 else args[0], [(args[0], args[1])], "sum", resize=True)


# ---------------------------------------------------------------------------------------------
# trigonometry and other element-wise functions of numbers


def _unary(name: str, f, domain=None):
    """Register an element-wise f(x); #NUM! outside ``domain(x)`` (a mask) when given."""

    def g(x):
        bad = np.zeros(np.shape(x), bool) if domain is None else ~domain(x)
        with np.errstate(all="ignore"):
            y = f(np.where(bad, 0.5, x))
        return np.where(bad, 0.0, y), np.where(bad, E.NUM, 0)

    elementwise(name, arity=(1, 1))(g)


for _name, _f, _domain in (
        ("SIN", np.sin, lambda x: np.abs(x) < 2 ** 27), ("COS", np.cos, lambda x: np.abs(x) < 2 ** 27),
        ("TAN", np.tan, lambda x: np.abs(x) < 2 ** 27), ("ASIN", np.arcsin, lambda x: np.abs(x) <= 1),
        ("ACOS", np.arccos, lambda x: np.abs(x) <= 1), ("ATAN", np.arctan, None), ("SINH", np.sinh, None),
        ("COSH", np.cosh, None), ("TANH", np.tanh, None), ("ASINH", np.arcsinh, None),
        ("ACOSH", np.arccosh, lambda x: x >= 1), ("ATANH", np.arctanh, lambda x: np.abs(x) < 1),
        ("RADIANS", np.radians, None), ("DEGREES", np.degrees, None),
        ("ACOT", lambda x: np.pi / 2 - np.arctan(x), None),
        ("ACOTH", lambda x: 0.5 * np.log((x + 1) / (x - 1)), lambda x: np.abs(x) > 1)):
    _unary(_name, _f, _domain)


@elementwise("SQRTPI", arity=(1, 1), logicals=False, ranges=False)
def _sqrtpi(x):
    """SQRTPI(number) = sqrt(number * pi); #NUM! below 0 (an Analysis ToolPak function: a logical
    or a range is #VALUE!)."""
    return np.sqrt(np.where(x < 0, 0, x) * np.pi), np.where(x < 0, E.NUM, 0)


def _reciprocal(name: str, f):
    def g(x):
        with np.errstate(all="ignore"):
            y = f(x)
            bad = (y == 0) | ~np.isfinite(y) | (np.abs(x) >= 2 ** 27)
            return np.where(bad, 0.0, 1 / np.where(bad, 1, y)), np.where(bad, E.DIV0, 0)

    elementwise(name, arity=(1, 1))(g)


for _name, _f in (("COT", np.tan), ("CSC", np.sin), ("SEC", np.cos), ("COTH", np.tanh), ("CSCH", np.sinh),
                  ("SECH", np.cosh)):
    _reciprocal(_name, _f)


@elementwise("ATAN2", arity=(2, 2))
def _atan2(x, y):
    """ATAN2(x, y): the angle of the point (x, y); #DIV/0! at the origin."""
    origin = (x == 0) & (y == 0)
    return np.arctan2(y, x), np.where(origin, E.DIV0, 0)


@register("PERCENTOF")
def _percentof(ev, args):
    """PERCENTOF(data_subset, data_all) = SUM(data_subset) / SUM(data_all), numbers read as SUM
    reads them; an error value in either is #NUM! (as Excel gives it), a zero total #DIV/0!."""
    if len(args) != 2:
        return Values.error(E.VALUE)
    sums, bad = [], None
    for a in args:
        parts, err, n = aggregate_args(ev, [a])
        sums.append(parts[0][0].sum(axis=1))
        bad = err != 0 if bad is None else bad | (err != 0)
    part, whole = np.broadcast_arrays(*sums)
    zero = whole == 0
    x = part / np.where(zero, 1.0, whole)
    return finish(x, np.where(np.broadcast_to(bad, x.shape), E.NUM, np.where(zero, E.DIV0, 0)))


@register("PI")
def _pi(ev, args):
    return Values.number(float(np.pi)) if not args else Values.error(E.VALUE)


@elementwise("EVEN", arity=(1, 1))
def _even(x):
    """EVEN(x): rounded away from zero to an even integer."""
    return np.sign(x) * np.ceil(np.abs(x) / 2) * 2, ok(x)


@elementwise("ODD", arity=(1, 1))
def _odd(x):
    """ODD(x): rounded away from zero to an odd integer (ODD(0) = 1)."""
    a = np.ceil(np.abs(x))
    a = np.where(a % 2 == 0, a + 1, a)
    return np.where(x < 0, -a, a), ok(x)


@elementwise("QUOTIENT", arity=(2, 2))
def _quotient(x, d):
    return np.trunc(x / np.where(d == 0, 1, d)), np.where(d == 0, E.DIV0, 0)


@elementwise("MROUND", arity=(2, 2), logicals=False, ranges=False)
def _mround(x, m):
    """MROUND(x, multiple): the nearest multiple, halves away from zero; #NUM! for opposite signs
    (an Analysis ToolPak function: a logical or a range is #VALUE!)."""
    bad = (x * m < 0)
    safe = np.where(m == 0, 1, m)
    r = np.sign(x / safe) * np.floor(np.abs(x / safe) + 0.5 + 1e-12) * safe
    return np.where(m == 0, 0.0, r), np.where(bad, E.NUM, 0)


def _round_multiple(x, sig, up: np.ndarray):
    """x rounded to a multiple of |sig|: up (towards +inf) where ``up``, else down; 0 for sig 0."""
    s = np.abs(sig)
    safe = np.where(s == 0, 1, s)
    q = x / safe
    r = np.where(up, np.ceil(q - 1e-12 * np.abs(q)), np.floor(q + 1e-12 * np.abs(q))) * safe
    return np.where(s == 0, 0.0, r)


@elementwise("CEILING.MATH", arity=(1, 3), defaults=(1, 0))
def _ceiling_math(x, sig, mode):
    """CEILING.MATH(x, [significance], [mode]): up to a multiple; a negative x away from 0 when mode."""
    return _round_multiple(x, sig, ~((x < 0) & (mode != 0))), ok(x)


@elementwise("FLOOR.MATH", arity=(1, 3), defaults=(1, 0))
def _floor_math(x, sig, mode):
    """FLOOR.MATH(x, [significance], [mode]): down to a multiple; a negative x towards 0 when mode."""
    return _round_multiple(x, sig, (x < 0) & (mode != 0)), ok(x)


@elementwise("CEILING", arity=(2, 2))
def _ceiling(x, sig):
    """CEILING(x, significance), Excel 2010 on: a multiple of |significance|, up (towards +inf)
    when significance > 0, away from zero when both are negative; 0 for significance 0; #NUM! for
    x > 0 with significance < 0."""
    bad = (x > 0) & (sig < 0)
    return _round_multiple(x, sig, sig > 0), np.where(bad, E.NUM, 0)


@elementwise("ECMA.CEILING", arity=(2, 2))
def _ecma_ceiling(x, sig):
    """ECMA.CEILING(x, significance): CEILING as ECMA-376's first edition defines it (Part 4,
    CEILING; Excel 2007's CEILING): x rounded away from zero to a multiple of significance; 0 for
    significance 0; #NUM! when x and significance have different signs."""
    return _round_multiple(x, sig, x >= 0), np.where(x * sig < 0, E.NUM, 0)


@elementwise("FLOOR", arity=(2, 2))
def _floor(x, sig):
    """FLOOR(x, significance), Excel 2010 on: a multiple of |significance|, down (towards -inf)
    when significance > 0, towards zero when both are negative; #DIV/0! for significance 0 (0 for
    x = 0); #NUM! for x > 0 with significance < 0."""
    err = np.where((sig == 0) & (x != 0), E.DIV0, np.where((x > 0) & (sig < 0), E.NUM, 0))
    return _round_multiple(x, sig, sig < 0), err


@elementwise("CEILING.PRECISE", "ISO.CEILING", arity=(1, 2), defaults=(1,))
def _ceiling_precise(x, sig):
    """CEILING.PRECISE(x, [significance]) = ISO.CEILING: up (towards +inf) to a multiple of
    |significance| (default 1), whatever its sign; 0 when significance is 0."""
    return _round_multiple(x, sig, np.ones(np.shape(x), bool)), ok(x)


@elementwise("FLOOR.PRECISE", arity=(1, 2), defaults=(1,))
def _floor_precise(x, sig):
    """FLOOR.PRECISE(x, [significance]): down (towards -inf) to a multiple of |significance|."""
    return _round_multiple(x, sig, np.zeros(np.shape(x), bool)), ok(x)


@register("SERIESSUM")
def _seriessum(ev, args):
    """SERIESSUM(x, n, m, coefficients) = sum of a_i * x^(n + i*m), i from 0, over the coefficients
    (numbers, in row-major order; a blank, text or logical among them is #VALUE!)."""
    if len(args) != 4:
        return Values.error(E.VALUE)
    heads = [ev.scalar(a) for a in args[:3]]
    coefficients = ev.eval_array(args[3])
    n = max([v.n for v in heads] + [coefficients.n])

    def one(i: int):
        scalars = [_atp_number(v, i) for v in heads]
        bad = next((x for x in scalars if isinstance(x, ExcelError)), None)
        a = _numbers_of(coefficients, i)
        if bad is None and isinstance(a, ExcelError):
            bad = a
        if bad is not None:
            return bad
        x, p, m = scalars
        try:
            return math.fsum(c * x ** (p + j * m) for j, c in enumerate(a))
        except (OverflowError, ZeroDivisionError, ValueError, TypeError):  # TypeError: a complex power
            return NUM_ERROR

    return per_instance(n, one)


def _atp_number(v: Values, i: int):
    """One scalar argument of an Analysis ToolPak function: a number (blank 0, number-like text),
    the error it holds, or #VALUE! for a logical or other text."""
    from .arguments import coerce

    j = i if v.n > 1 else 0
    return coerce(v.kind[j, 0, 0], v.num[j, 0, 0], None if v.text is None else v.text[j, 0, 0], "N")


def _numbers_of(v: Values, i: int):
    """The numbers of an array argument, row-major, or its first error; #VALUE! for anything else."""
    j = i if v.n > 1 else 0
    kind, num = v.kind[j], v.num[j]
    if (kind == ERR).any():
        return ExcelError(ERROR_CODES[int(num[kind == ERR][0]) - 1])
    if (kind != NUM).any():
        return VALUE_ERROR
    return [float(x) for x in num.ravel()]


def _sum_of_pairs(name: str, term):
    """Register SUMX2MY2-like f(array_x, array_y) = sum of term(x, y) over the pairs of numbers;
    #N/A for arrays of different sizes; a pair with text, a logical or a blank is left out."""

    def impl(ev, args):
        if len(args) != 2:
            return Values.error(E.VALUE)
        xs, ys = (ev.eval_array(a) for a in args)
        n = max(xs.n, ys.n)
        err = np.zeros(n)
        for v in (xs, ys):
            err = np.where(err != 0, err, np.broadcast_to(first_error(v.kind, v.num), (n,)))
        if xs.kind[0].size != ys.kind[0].size:
            return finish(np.zeros(n), np.where(err != 0, err, E.NA))
        kx, ky = xs.kind.reshape(xs.n, -1), ys.kind.reshape(ys.n, -1)
        both = (kx == NUM) & (ky == NUM)
        x = np.where(both, xs.num.reshape(xs.n, -1), 0.0)
        y = np.where(both, ys.num.reshape(ys.n, -1), 0.0)
        return finish(np.where(both, term(x, y), 0.0).sum(axis=1), err)

    impl.__doc__ = f"{name}(array_x, array_y): the sum over pairs of numbers (Microsoft's {name} page)."
    register(name)(impl)


_sum_of_pairs("SUMX2MY2", lambda x, y: x * x - y * y)
_sum_of_pairs("SUMX2PY2", lambda x, y: x * x + y * y)
_sum_of_pairs("SUMXMY2", lambda x, y: (x - y) ** 2)


@register("RAND")
def _rand(ev, args):
    """RAND(): a uniform number in [0, 1), new for every cell and every recalculation."""
    return Values.number(np.random.default_rng().random(ev.ctx.n))


@register("RANDARRAY")
def _randarray(ev, args):
    """RANDARRAY([rows], [columns], [min], [max], [whole_number]): a rows x columns array of
    uniform numbers in [min, max) (whole numbers in [min, max] when whole_number), defaults
    1, 1, 0, 1, FALSE; #VALUE! for max < min, negative sizes or non-whole bounds of whole
    numbers; #CALC! for an empty array; #NUM! beyond 10 million elements (as SEQUENCE)."""
    from .dynamic import MAX_SEQUENCE

    if len(args) > 5:
        return Values.error(E.VALUE)
    nodes = list(args) + [None] * (5 - len(args))
    vals = [ev.scalar(a) if a is not None else None for a in nodes]
    n = max([v.n for v in vals if v is not None] + [1])
    rng = np.random.default_rng()
    out = []
    for i in range(n):
        got = []
        for v, default in zip(vals, (1.0, 1.0, 0.0, 1.0, 0.0)):
            if v is None or v.kind[min(i, v.n - 1), 0, 0] == EMPTY:
                got.append(default)
                continue
            x, e = numbers(v.instance(i) if v.n > 1 else v)
            if e[0, 0, 0]:
                got = Values.error(int(e[0, 0, 0]))
                break
            got.append(float(x[0, 0, 0]))
        if isinstance(got, Values):
            out.append(got)
            continue
        rows, cols, lo, hi, whole = math.trunc(got[0]), math.trunc(got[1]), got[2], got[3], got[4] != 0
        if rows < 0 or cols < 0 or hi < lo or (whole and (lo != math.trunc(lo) or hi != math.trunc(hi))):
            out.append(Values.error(E.VALUE))
        elif rows == 0 or cols == 0:
            out.append(Values.error(E.CALC))
        elif rows * cols > MAX_SEQUENCE:
            out.append(Values.error(E.NUM))
        elif whole:
            out.append(Values.from_numbers(rng.integers(int(lo), int(hi) + 1, (1, rows, cols)).astype(float)))
        else:
            out.append(Values.from_numbers(lo + (hi - lo) * rng.random((1, rows, cols))))
    if len({v.hw for v in out}) != 1:
        raise NotVectorizable("RANDARRAY of different sizes")
    return out[0] if n == 1 else Values(np.concatenate([v.kind for v in out]), np.concatenate([v.num for v in out]))


@elementwise("RANDBETWEEN", arity=(2, 2), logicals=False)
def _randbetween(lo, hi):
    """RANDBETWEEN(bottom, top): a whole number between ceil(bottom) and floor(top)."""
    a, b = np.ceil(lo), np.floor(hi)
    bad = a > b
    x = np.random.default_rng().integers(np.where(bad, 0, a).astype(np.int64), np.where(bad, 0, b).astype(np.int64) + 1)
    return x.astype(float), np.where(bad, E.NUM, 0)
