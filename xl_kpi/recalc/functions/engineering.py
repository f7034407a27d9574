"""Engineering: base conversions (DEC2BIN ... OCT2HEX) and CONVERT between units of measure.

Base conversions work on 10-digit two's complement numbers, as Excel's do: a binary number has
10 bits (-512..511), an octal one 30 bits, a hexadecimal one 40 bits; a negative result is
always written with 10 digits (``places`` is then ignored). An input in base 2/8/16 is text (a
number is read as the digits General would show); more than 10 digits or a foreign digit is
#NUM!, a logical #VALUE!, a blank 0. ``places`` is truncated, must be 1..10 and wide enough.
"""

from __future__ import annotations

import math

import numpy as np

from ...excel_errors import NA, NUM, VALUE
from ..values import E, text_to_number
from .registry import cellwise, elementwise

_BITS = {2: 10, 8: 30, 16: 40}
_DIGITS = {2: "01", 8: "01234567", 16: "0123456789ABCDEF"}


def _parse(text: str, base: int):
    """The signed value of a 10-digit two's complement number in ``base``, or #NUM!."""
    s = text.strip().upper()
    if s == "":
        return 0
    if len(s) > 10 or any(ch not in _DIGITS[base] for ch in s):
        return NUM
    x = int(s, base)
    bits = _BITS[base]
    return x - (1 << bits) if x >= 1 << (bits - 1) else x


def _places(places):
    """``places`` truncated, None if omitted, #NUM! outside 1..10."""
    if places is None:
        return None
    p = math.trunc(places)
    return NUM if p < 1 or p > 10 else p


def _format(x: int, base: int, places):
    """``x`` written in ``base`` (two's complement on 10 digits when negative), or #NUM!."""
    bits = _BITS[base]
    if not -(1 << (bits - 1)) <= x < (1 << (bits - 1)):
        return NUM
    if x < 0:
        return _digits(x + (1 << bits), base)
    s = _digits(x, base)
    if places is None:
        return s
    return NUM if places < len(s) else s.rjust(places, "0")


def _digits(x: int, base: int) -> str:
    if x == 0:
        return "0"
    out = []
    while x:
        x, d = divmod(x, base)
        out.append(_DIGITS[16][d])
    return "".join(reversed(out))


def _from_decimal(base: int):
    def f(number, places=None):
        p = _places(places)  # Excel checks places before the number
        if p is NUM:
            return NUM
        if isinstance(number, bool):
            return VALUE
        if isinstance(number, str):
            number = text_to_number(number)
            if number is None:
                return VALUE
        return _format(math.trunc(number or 0.0), base, p)

    return f


def _to_decimal(base: int):
    def f(text):
        x = _parse(text, base)
        return x if x is NUM else float(x)

    return f


def _between(src: int, dst: int):
    def f(text, places=None):
        p = _places(places)
        x = NUM if p is NUM else _parse(text, src)
        return x if x is NUM else _format(x, dst, p)

    return f


for _name, _base in (("BIN", 2), ("OCT", 8), ("HEX", 16)):
    cellwise(f"DEC2{_name}", args="v", optional="N", arrays=False)(_from_decimal(_base))
    cellwise(f"{_name}2DEC", args="T", arrays=False)(_to_decimal(_base))
    for _other, _obase in (("BIN", 2), ("OCT", 8), ("HEX", 16)):
        if _other != _name:
            cellwise(f"{_name}2{_other}", args="T", optional="N", arrays=False)(_between(_base, _obase))


# ---------------------------------------------------------------------------------------------
# CONVERT: units of Excel's table, by category, with their size in the category's base unit.
# (category, factor, takes metric prefixes); temperatures are affine and handled apart. The
# factors are Excel's (its atomic mass unit and electron volt are CODATA 2006 values).

_MASS, _LENGTH, _TIME, _PRESSURE, _FORCE, _ENERGY, _POWER, _MAGNETISM, _TEMPERATURE, _VOLUME, \
    _AREA, _INFORMATION, _SPEED = range(13)

_IN = 0.0254
_FT = 0.3048
_YD = 0.9144
_MI = 1609.344
_NMI = 1852.0
_LY = 9460730472580800.0
_PICA_PT = _IN / 72
_GAL = 3.785411784  # litres

_UNITS: dict[str, tuple[int, float, bool]] = {}


def _units(category: int, prefixed: bool, table: dict[str, float]) -> None:
    for names, factor in table.items():
        for name in names.split():
            _UNITS[name] = (category, factor, prefixed)


_units(_MASS, True, {"g": 1.0, "u": 1.660538782e-24})
_units(_MASS, False, {"sg": 14593.902937206363, "lbm": 453.59237, "ozm": 28.349523125, "grain": 0.06479891,
                      "cwt shweight": 45359.237, "uk_cwt lcwt hweight": 50802.34544, "stone": 6350.29318,
                      "ton": 907184.74, "uk_ton LTON brton": 1016046.9088})
_units(_LENGTH, True, {"m": 1.0, "ang": 1e-10, "ly": _LY, "parsec pc": 30856775812815530.0})
_units(_LENGTH, False, {"mi": _MI, "Nmi": _NMI, "in": _IN, "ft": _FT, "yd": _YD, "ell": 1.143,
                        "Picapt Pica": _PICA_PT, "pica": _IN / 6, "survey_mi": 1609.3472186944373})
_units(_TIME, True, {"sec s": 1.0})
_units(_TIME, False, {"yr": 31557600.0, "day d": 86400.0, "hr": 3600.0, "mn min": 60.0})
_units(_PRESSURE, True, {"Pa p": 1.0, "atm at": 101325.0, "mmHg": 133.322})
_units(_PRESSURE, False, {"psi": 6894.757293168362, "Torr": 101325.0 / 760})
_units(_FORCE, True, {"N": 1.0, "dyn dy": 1e-5})
_units(_FORCE, False, {"lbf": 4.4482216152605})
_units(_ENERGY, True, {"J": 1.0, "e": 1e-7, "c": 4.184, "cal": 4.1868, "eV ev": 1.602176487e-19,
                       "Wh wh": 3600.0})
_units(_ENERGY, False, {"HPh hh": 2684519.537696173, "flb": 1.3558179483314003, "BTU btu": 1055.05585262})
_units(_POWER, True, {"W w": 1.0})
_units(_POWER, False, {"HP h": 745.6998715822702, "PS": 735.49875})
_units(_MAGNETISM, True, {"T": 1.0, "ga": 1e-4})
_units(_VOLUME, True, {"l L lt": 1.0, "uk_pt": 0.56826125})
_units(_VOLUME, False, {"tsp": _GAL / 768, "tspm": 0.005, "tbs": _GAL / 256, "oz": _GAL / 128, "cup": _GAL / 16,
                        "pt us_pt": _GAL / 8, "qt": _GAL / 4, "uk_qt": 1.1365225, "gal": _GAL, "uk_gal": 4.54609,
                        "barrel": 158.987294928, "bushel": 35.23907016688, "regton GRT": 2831.6846592,
                        "MTON": 1132.67386368})
_units(_AREA, True, {"ar": 100.0})
_units(_AREA, False, {"uk_acre": 4046.8564224, "us_acre": 4046.8726098742522, "ha": 10000.0,
                      "Morgen": 2500.0})
_units(_INFORMATION, True, {"bit": 1.0, "byte": 8.0})
_units(_SPEED, True, {"m/h m/hr": 1.0, "m/s m/sec": 3600.0, "mph": _MI})
_units(_SPEED, False, {"admkn": 1853.184, "kn": _NMI})

#: Units of length that also exist squared (area, in m^2) and cubed (volume, in litres).
_POWERED = {"m": (1.0, True), "ang": (1e-10, True), "ly": (_LY, False), "ft": (_FT, False), "in": (_IN, False),
            "mi": (_MI, False), "Nmi": (_NMI, False), "yd": (_YD, False), "Picapt": (_PICA_PT, False),
            "Pica": (_PICA_PT, False)}
for _name, (_size, _prefixed) in _POWERED.items():
    for _sep in ("", "^"):
        _UNITS[f"{_name}{_sep}2"] = (_AREA, _size ** 2, _prefixed)
        _UNITS[f"{_name}{_sep}3"] = (_VOLUME, _size ** 3 * 1000.0, _prefixed)

_PREFIXES = {"Y": 1e24, "Z": 1e21, "E": 1e18, "P": 1e15, "T": 1e12, "G": 1e9, "M": 1e6, "k": 1e3, "h": 1e2,
             "da": 1e1, "e": 1e1, "d": 1e-1, "c": 1e-2, "m": 1e-3, "u": 1e-6, "n": 1e-9, "p": 1e-12,
             "f": 1e-15, "a": 1e-18, "z": 1e-21, "y": 1e-24}
_BINARY_PREFIXES = {"ki": 2.0 ** 10, "Mi": 2.0 ** 20, "Gi": 2.0 ** 30, "Ti": 2.0 ** 40, "Pi": 2.0 ** 50,
                    "Ei": 2.0 ** 60, "Zi": 2.0 ** 70, "Yi": 2.0 ** 80}

#: Temperatures: kelvin = x * scale + offset.
_TEMPERATURES = {"C": (1.0, 273.15), "cel": (1.0, 273.15), "F": (5 / 9, 273.15 - 32 * 5 / 9),
                 "fah": (5 / 9, 273.15 - 32 * 5 / 9), "K": (1.0, 0.0), "kel": (1.0, 0.0),
                 "Rank": (5 / 9, 0.0), "Reau": (1.25, 273.15)}


def _readings(name: str):
    """Every (category, factor) a unit name can mean: as written, then as prefix + unit."""
    if name in _TEMPERATURES:
        yield _TEMPERATURE, name
    hit = _UNITS.get(name)
    if hit is not None:
        yield hit[0], hit[1]
    for table in (_PREFIXES, _BINARY_PREFIXES):
        for p, size in table.items():
            if not name.startswith(p) or len(name) == len(p):
                continue
            base = name[len(p):]
            if base in ("K", "kel"):
                yield _TEMPERATURE, (size, base)
            hit = _UNITS.get(base)
            if hit is None or not hit[2] or (table is _BINARY_PREFIXES and hit[0] != _INFORMATION):
                continue
            power = 3 if base.endswith("3") else (2 if base.endswith("2") else 1)
            yield hit[0], hit[1] * size ** power


def _kelvin(x: float, unit) -> float:
    if isinstance(unit, tuple):  # a prefixed kelvin
        return x * unit[0]
    scale, offset = _TEMPERATURES[unit]
    return x * scale + offset


def _from_kelvin(k: float, unit) -> float:
    if isinstance(unit, tuple):
        return k / unit[0]
    scale, offset = _TEMPERATURES[unit]
    return (k - offset) / scale


@cellwise("CONVERT", args="NTT", arrays=False)
def _convert(number, from_unit, to_unit):
    """CONVERT(number, from, to) = number * size(from) / size(to); #N/A for unknown or mixed units.

    A name with two readings ("pc": parsec or picocalorie) takes the one of the other unit's kind.
    """
    targets = list(_readings(to_unit))
    pair = next(((a, b) for a in _readings(from_unit) for b in targets if a[0] == b[0]), None)
    if pair is None:
        return NA
    a, b = pair
    if a[0] == _TEMPERATURE:
        return _from_kelvin(_kelvin(number, a[1]), b[1])
    return number * a[1] / b[1]


# ---------------------------------------------------------------------------------------------
# ERF, ERFC, DELTA, GESTEP


@cellwise("ERF", args="N", optional="N", arrays=False)
def _erf(lower, upper=None):
    """ERF(lower, [upper]): the error function at lower, or integrated from lower to upper."""
    return math.erf(lower) if upper is None else math.erf(upper) - math.erf(lower)


cellwise("ERF.PRECISE", args="N", arrays=False)(lambda x: math.erf(x))
cellwise("ERFC", "ERFC.PRECISE", args="N", arrays=False)(lambda x: math.erfc(x))


@cellwise("DELTA", args="N", optional="N", arrays=False)
def _delta(a, b=None):
    """DELTA(number1, [number2]): 1 if they are equal (number2 defaults to 0), else 0."""
    return 1.0 if a == (b or 0.0) else 0.0


@cellwise("GESTEP", args="N", optional="N", arrays=False)
def _gestep(x, step=None):
    """GESTEP(number, [step]): 1 if number >= step (default 0), else 0."""
    return 1.0 if x >= (step or 0.0) else 0.0


# ---------------------------------------------------------------------------------------------
# BITAND, BITOR, BITXOR, BITLSHIFT, BITRSHIFT (Microsoft's pages of the five functions): each
# number a whole number from 0 to 2^48 - 1, else #NUM! (a fraction is not truncated); a shift
# truncated, of at most 53 places either way, a negative shift going the other way.

_BIT_LIMIT = 2.0 ** 48


def _bit_operand(x: np.ndarray) -> np.ndarray:
    """Where ``x`` is no whole number in [0, 2^48): the mask of Excel's #NUM!."""
    return ~((x >= 0) & (x < _BIT_LIMIT) & (x == np.trunc(x)))


def _bitwise(name: str, op):
    def f(a, b):
        bad = _bit_operand(a) | _bit_operand(b)
        ia, ib = (np.where(bad, 0, v).astype(np.uint64) for v in (a, b))
        return op(ia, ib).astype(np.float64), np.where(bad, E.NUM, 0)

    f.__doc__ = f"{name}(number1, number2): the bitwise {name[3:]} of two whole numbers below 2^48."
    elementwise(name, arity=(2, 2))(f)


_bitwise("BITAND", np.bitwise_and)
_bitwise("BITOR", np.bitwise_or)
_bitwise("BITXOR", np.bitwise_xor)


def _shift(name: str, direction: int):
    def f(x, shift):
        s = np.trunc(shift) * direction  # places to the left
        bad = _bit_operand(x) | (np.abs(s) > 53)
        s = np.where(bad, 0, s)
        left = x * np.exp2(np.maximum(s, 0))
        right = np.floor(x / np.exp2(np.maximum(-s, 0)))
        return np.where(bad, 0.0, np.where(s >= 0, left, right)), np.where(bad, E.NUM, 0)

    f.__doc__ = (f"{name}(number, shift_amount): number shifted {'left' if direction > 0 else 'right'} by "
                 "shift_amount bits (the other way when negative).")
    elementwise(name, arity=(2, 2))(f)


_shift("BITLSHIFT", 1)
_shift("BITRSHIFT", -1)
