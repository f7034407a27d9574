"""Maths & trig functions against Excel's values (Microsoft's documented examples)."""

import math

import pytest

from xl_kpi.excel_errors import DIV0, NUM, VALUE
from xl_kpi.recalc import evaluate


@pytest.mark.parametrize("formula, expected", [
    ("=SIN(PI())", 0.0), ("=SIN(PI()/2)", 1.0), ("=SIN(30*PI()/180)", 0.5), ("=SIN(RADIANS(30))", 0.5),
    ("=COS(1.047)", 0.500171075), ("=COS(RADIANS(60))", 0.5), ("=TAN(0.785)", 0.99920399), ("=TAN(RADIANS(45))", 1.0),
    ("=ASIN(-0.5)", -0.523598776), ("=DEGREES(ASIN(-0.5))", -30.0), ("=ASIN(2)", NUM), ("=ACOS(-0.5)", 2.094395102),
    ("=ATAN(1)", 0.785398163), ("=ATAN2(1,1)", 0.785398163), ("=ATAN2(-1,-1)", -2.35619449), ("=ATAN2(0,0)", DIV0),
    ("=SINH(1)", 1.175201194), ("=COSH(4)", 27.30823284), ("=TANH(-2)", -0.96402758), ("=ASINH(-2.5)", -1.647231146),
    ("=ACOSH(1)", 0.0), ("=ACOSH(0.5)", NUM), ("=ATANH(0.76159416)", 1.00000001), ("=ATANH(1)", NUM),
    ("=COT(30)", -0.156119952), ("=COT(0)", DIV0), ("=CSC(15)", 1.537780562), ("=SEC(45)", 1.903594407),
    ("=DEGREES(PI())", 180.0), ("=SQRTPI(1)", 1.772453851), ("=SQRTPI(-1)", NUM),
    ("=EVEN(1.5)", 2.0), ("=EVEN(3)", 4.0), ("=EVEN(-1)", -2.0), ("=ODD(1.5)", 3.0), ("=ODD(2)", 3.0), ("=ODD(-1)", -1.0),
    ("=FACT(5)", 120.0), ("=FACT(1.9)", 1.0), ("=FACT(0)", 1.0), ("=FACT(-1)", NUM),
    ("=QUOTIENT(5,2)", 2.0), ("=QUOTIENT(-10,3)", -3.0), ("=QUOTIENT(1,0)", DIV0),
    ("=MROUND(10,3)", 9.0), ("=MROUND(-10,-3)", -9.0), ("=MROUND(1.3,0.2)", 1.4), ("=MROUND(5,-2)", NUM),
    ("=SIN(\"x\")", VALUE), ("=SIN(TRUE)", math.sin(1)),
    ("=CEILING.MATH(24.3,5)", 25.0), ("=CEILING.MATH(6.7)", 7.0), ("=CEILING.MATH(-8.1,2)", -8.0),
    ("=CEILING.MATH(-5.5,2,-1)", -6.0), ("=FLOOR.MATH(24.3,5)", 20.0), ("=FLOOR.MATH(6.7)", 6.0),
    ("=FLOOR.MATH(-8.1,2)", -10.0), ("=FLOOR.MATH(-5.5,2,-1)", -4.0),
])
def test_microsoft_examples(formula, expected):
    got = evaluate({}, formula)
    assert got == (pytest.approx(expected, abs=5e-9) if isinstance(expected, float) else expected)


@pytest.mark.parametrize("formula, expected", [
    ("=GCD(5,2)", 1.0), ("=GCD(24,36)", 12.0), ("=GCD(-1,2)", NUM), ("=LCM(24,36)", 72.0), ("=LCM(5,2)", 10.0),
    ("=COMBIN(8,2)", 28.0), ("=COMBIN(2,3)", NUM), ("=PERMUT(100,3)", 970200.0), ("=PERMUT(3,2)", 6.0),
    ("=SUBTOTAL(9,{1,2,3})", 6.0), ("=SUBTOTAL(109,{1,2,3})", 6.0), ("=SUBTOTAL(1,{1,2,3})", 2.0),
    ("=SUBTOTAL(12,{1,2,3})", VALUE), ("=RANDBETWEEN(3,3)", 3.0), ("=RANDBETWEEN(3,2)", NUM),
])
def test_combinatorics_and_subtotal(formula, expected):
    assert evaluate({}, formula) == expected


def test_rand_is_in_the_unit_interval():
    x = evaluate({}, "=RAND()")
    assert 0 <= x < 1
