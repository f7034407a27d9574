"""The value model of the evaluator: many cells' worth of Excel values as numpy arrays.

A :class:`Values` holds the values of one formula for ``n`` cells at once (one *instance* per
cell of a shape, see ``engine.py``), each value an ``h x w`` block (1 x 1 for a scalar). Three
parallel arrays of shape ``(n, h, w)``:

``kind``
    ``EMPTY`` (blank cell), ``NUM``, ``STR``, ``BOOL`` or ``ERR``;
``num``
    the number, the boolean as 0/1, or the error's code (index + 1 into ``ERROR_CODES``);
``text``
    an object array holding the ``str`` of ``STR`` elements, or ``None`` when there is no text.

``n`` is 1 when the value is the same for every instance (a constant, an absolute range); numpy
broadcasting then spreads it. A value read straight from a reference also carries that reference
(``ref``), which Excel needs for implicit intersection, ``ROW()`` and the "text in a range is
skipped" rule of SUM and friends.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass

import numpy as np

from ..excel_dates import EPOCH64, serial_to_datetime  # noqa: F401 - re-exported
from ..excel_dates import days_to_serial as days64_to_serial  # noqa: F401 - re-exported
from ..excel_dates import serial_to_days as serial_to_days64  # noqa: F401 - re-exported
from ..excel_dates import to_serial as date_to_serial
from ..excel_errors import ERROR_CODE, ERROR_CODES, ExcelError
from .package import BOOL, EMPTY, ERR, NUM, STR
from .text_numbers import text_to_number  # noqa: F401 - re-exported: where arithmetic reads text

__all__ = ["Values", "Omitted", "EMPTY", "NUM", "STR", "BOOL", "ERR", "ERROR_CODES", "E", "MAX_TEXT", "text_too_long"]

#: The longest text a cell holds: 32,767 characters (Microsoft, "Excel specifications and
#: limits"). A formula that would build a longer one is ``#VALUE!``, as CONCAT, TEXTJOIN and REPT
#: document; checked wherever text is built (``&``, the text functions, pycel's results).
MAX_TEXT = 32_767


def text_too_long(text: np.ndarray) -> np.ndarray:
    """Where an object array of str (None elsewhere) holds a text longer than :data:`MAX_TEXT`."""
    if text.size == 0:
        return np.zeros(text.shape, bool)
    return np.frompyfunc(lambda t: t is not None and len(t) > MAX_TEXT, 1, 1)(text).astype(bool)


class E:
    """Error codes stored in ``num`` for ``ERR`` elements."""

    NULL = ERROR_CODE["#NULL!"]
    DIV0 = ERROR_CODE["#DIV/0!"]
    VALUE = ERROR_CODE["#VALUE!"]
    REF = ERROR_CODE["#REF!"]
    NAME = ERROR_CODE["#NAME?"]
    NUM = ERROR_CODE["#NUM!"]
    NA = ERROR_CODE["#N/A"]
    SPILL = ERROR_CODE["#SPILL!"]
    CALC = ERROR_CODE["#CALC!"]


@dataclass(frozen=True)
class RefInfo:
    """Where a value was read from: a sheet and the top-left row/column of each instance.

    ``extent`` is the reference's true (rows, columns) when only part of it is held: a whole
    column ``A:A`` is 1,048,576 rows, of which the block holds the used range; every cell
    beyond the block is blank, so nothing the size of the sheet is ever allocated.
    """

    sheet: object  # the engine's SheetData
    row0: np.ndarray  # shape (n,), 1-based
    col0: np.ndarray  # shape (n,)
    extent: tuple[int, int] | None = None


class Values:
    """Excel values of ``n`` instances, each an ``h x w`` block (see the module docstring)."""

    __slots__ = ("kind", "num", "text", "ref")

    def __init__(self, kind: np.ndarray, num: np.ndarray, text: np.ndarray | None = None,
                 ref: RefInfo | None = None):
        self.kind = kind
        self.num = num
        self.text = text
        self.ref = ref

    # -- shape -------------------------------------------------------------------------------
    @property
    def n(self) -> int:
        return self.kind.shape[0]

    @property
    def hw(self) -> tuple[int, int]:
        return self.kind.shape[1], self.kind.shape[2]

    @property
    def extent(self) -> tuple[int, int]:
        """(rows, columns) of the reference or block, counting blank cells beyond the block."""
        if self.ref is not None and self.ref.extent is not None:
            return self.ref.extent
        return self.hw

    @property
    def hidden_cells(self) -> int:
        """Blank cells of a whole-column/row reference that lie beyond the block (not held)."""
        h, w = self.extent
        bh, bw = self.hw
        return h * w - bh * bw

    def with_extent(self, extent: tuple[int, int]) -> "Values":
        """The same block, known to be the top-left part of a reference of size ``extent``."""
        if self.ref is None or extent == self.hw:
            return self
        r = self.ref
        return Values(self.kind, self.num, self.text, RefInfo(r.sheet, r.row0, r.col0, extent))

    @property
    def is_cell(self) -> bool:
        return self.kind.shape[1] == 1 and self.kind.shape[2] == 1

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Values(n={self.n}, hw={self.hw}, first={self.python(0)!r})"

    # -- constructors ------------------------------------------------------------------------
    @staticmethod
    def number(x, n: int = 1) -> "Values":
        x = np.asarray(x, dtype=np.float64).reshape(-1, 1, 1) if np.ndim(x) else np.full((n, 1, 1), float(x))
        return Values.from_numbers(x)

    @staticmethod
    def from_numbers(x: np.ndarray, err: np.ndarray | None = None) -> "Values":
        """Numbers with an optional error-code array (0 = no error); non-finite numbers are #NUM!."""
        bad = ~np.isfinite(x)
        if err is None:
            if not bad.any():
                return Values(np.full(x.shape, NUM, np.uint8), x)
            err = np.zeros(x.shape, np.float64)
        else:
            err = np.broadcast_to(err, x.shape)
        err = np.where((err == 0) & bad, E.NUM, err)
        iserr = err != 0
        return Values(np.where(iserr, ERR, NUM).astype(np.uint8), np.where(iserr, err, x))

    @staticmethod
    def error(code: int, n: int = 1, hw: tuple[int, int] = (1, 1)) -> "Values":
        shape = (n, *hw)
        return Values(np.full(shape, ERR, np.uint8), np.full(shape, float(code)))

    @staticmethod
    def boolean(b: np.ndarray | bool) -> "Values":
        b = np.asarray(b, dtype=bool)
        if b.ndim == 0:
            b = b.reshape(1, 1, 1)
        return Values(np.full(b.shape, BOOL, np.uint8), b.astype(np.float64))

    @staticmethod
    def string(s: str | np.ndarray) -> "Values":
        if isinstance(s, str):
            t = np.empty((1, 1, 1), object)
            t[0, 0, 0] = s
        else:
            t = s
        return Values(np.full(t.shape, STR, np.uint8), np.zeros(t.shape), t)

    @staticmethod
    def empty(n: int = 1, hw: tuple[int, int] = (1, 1)) -> "Values":
        shape = (n, *hw)
        return Values(np.zeros(shape, np.uint8), np.zeros(shape))

    @staticmethod
    def from_python(x) -> "Values":
        """One value from Python: float, int, bool, str, None, ExcelError, datetime or a 2-D list."""
        if isinstance(x, (list, tuple)):
            rows = [list(r) if isinstance(r, (list, tuple)) else [r] for r in x] or [[None]]
            h, w = len(rows), max(len(r) for r in rows)
            kind = np.zeros((1, h, w), np.uint8)
            num = np.zeros((1, h, w))
            text = None
            for i, r in enumerate(rows):
                for j in range(w):
                    k, v, t = encode_python(r[j] if j < len(r) else ExcelError("#N/A"))
                    kind[0, i, j], num[0, i, j] = k, v
                    if t is not None:
                        if text is None:
                            text = np.empty((1, h, w), object)
                        text[0, i, j] = t
            return Values(kind, num, text)
        k, v, t = encode_python(x)
        text = None
        if t is not None:
            text = np.empty((1, 1, 1), object)
            text[0, 0, 0] = t
        return Values(np.full((1, 1, 1), k, np.uint8), np.full((1, 1, 1), v), text)

    # -- access ------------------------------------------------------------------------------
    def python(self, i: int = 0, r: int = 0, c: int = 0):
        """One element as a Python value (ExcelError for errors, None for blank)."""
        i = i if self.kind.shape[0] > 1 else 0
        k = self.kind[i, r, c]
        if k == NUM:
            return float(self.num[i, r, c])
        if k == STR:
            return self.text[i, r, c]
        if k == BOOL:
            return bool(self.num[i, r, c])
        if k == ERR:
            return ExcelError(ERROR_CODES[int(self.num[i, r, c]) - 1])
        return None

    def instance(self, i: int) -> "Values":
        if self.n == 1:
            return self
        sl = slice(i, i + 1)
        return Values(self.kind[sl], self.num[sl], None if self.text is None else self.text[sl])

    def expand(self, n: int) -> "Values":
        """The same values with the instance axis of length ``n``."""
        if self.n == n:
            return self
        shape = (n, *self.hw)
        return Values(np.broadcast_to(self.kind, shape), np.broadcast_to(self.num, shape),
                      None if self.text is None else np.broadcast_to(self.text, shape))

    def texts(self) -> np.ndarray:
        """An object array of the text of each element (others ``""``), same shape."""
        if self.text is None:
            return np.full(self.kind.shape, "", object)
        return np.where(self.kind == STR, self.text, "")

    def drop_ref(self) -> "Values":
        return Values(self.kind, self.num, self.text) if self.ref is not None else self


class Omitted(Values):
    """An argument left out of a call (the second of ``f(1,)``): a blank, which ISOMITTED tells
    from a blank cell when it is a LAMBDA's parameter."""

    __slots__ = ()

    def __init__(self):
        super().__init__(np.zeros((1, 1, 1), np.uint8), np.zeros((1, 1, 1)))



def encode_python(x):
    """(kind, num, text) of one Python value (a non-finite number is ``#NUM!``)."""
    if x is None:
        return EMPTY, 0.0, None
    if isinstance(x, ExcelError):
        return ERR, float(ERROR_CODE[str(x)]), None
    if isinstance(x, (bool, np.bool_)):
        return BOOL, float(x), None
    if isinstance(x, (int, float, np.integer, np.floating)):
        try:
            x = float(x)
        except OverflowError:  # a Python int beyond the float range (FACT(200) from pycel)
            return ERR, float(E.NUM), None
        if not math.isfinite(x):
            return ERR, float(E.NUM), None
        return NUM, x, None
    if isinstance(x, str):
        if len(x) > MAX_TEXT:
            return ERR, float(E.VALUE), None
        return STR, 0.0, x
    if isinstance(x, (_dt.datetime, _dt.date)):
        return NUM, date_to_serial(x), None
    if isinstance(x, np.datetime64):
        return (ERR, float(E.NUM), None) if np.isnat(x) else (NUM, date_to_serial(x), None)
    raise TypeError(f"cannot store {type(x).__name__} in a cell")


# ---------------------------------------------------------------------------------------------
# Dates: Excel serial numbers, converted in one place (xl_kpi.excel_dates, imported above under
# the names the date functions use).


def iso_to_serial(text: str) -> float:
    return date_to_serial(_dt.datetime.fromisoformat(text.replace("Z", "")))


# ---------------------------------------------------------------------------------------------
# Conversions (text read as a number: .text_numbers)


def numbers(v: Values) -> tuple[np.ndarray, np.ndarray]:
    """(number, error code) of each element for arithmetic: blank 0, TRUE 1, text parsed or #VALUE!."""
    k = v.kind
    x = v.num
    if v.text is None and not (k == ERR).any():
        return (x if not (k == EMPTY).any() else np.where(k == EMPTY, 0.0, x)), np.zeros(k.shape)
    err = np.where(k == ERR, x, 0.0)
    x = np.where((k == NUM) | (k == BOOL), x, 0.0)
    if v.text is not None:
        for idx in zip(*np.nonzero(k == STR)):
            got = text_to_number(v.text[idx])
            if got is None:
                err[idx] = E.VALUE
            else:
                x[idx] = got
    return x, err


def format_general(x: float) -> str:
    """A number as Excel's General format shows it in text (15 significant digits)."""
    if x == 0:
        return "0"
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    s = "%.15G" % x
    if "E" in s:
        mant, _, exp = s.partition("E")
        if "." in mant:
            mant = mant.rstrip("0").rstrip(".")
        sign = exp[0]
        digits = exp[1:].lstrip("0").rjust(2, "0")
        return f"{mant}E{sign}{digits}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def to_text(v: Values) -> tuple[np.ndarray, np.ndarray]:
    """(text, error code) of each element as ``&`` concatenation reads it."""
    k = v.kind
    out = np.empty(k.shape, object)
    err = np.where(k == ERR, v.num, 0.0)
    it = np.nditer(k, flags=["multi_index"])
    for kk in it:
        idx = it.multi_index
        kk = int(kk)
        if kk == STR:
            out[idx] = v.text[idx]
        elif kk == NUM:
            out[idx] = format_general(float(v.num[idx]))
        elif kk == BOOL:
            out[idx] = "TRUE" if v.num[idx] else "FALSE"
        else:
            out[idx] = ""
    return out, err


def truthy(v: Values) -> tuple[np.ndarray, np.ndarray]:
    """(boolean, error code) of each element as IF/AND/OR read a condition."""
    k = v.kind
    b = v.num != 0
    err = np.where(k == ERR, v.num, 0.0)
    if v.text is not None and (k == STR).any():
        for idx in zip(*np.nonzero(k == STR)):
            t = str(v.text[idx]).strip().upper()
            if t == "TRUE":
                b[idx] = True
            elif t == "FALSE":
                b[idx] = False
            else:
                err[idx] = E.VALUE
    return np.where(k == EMPTY, False, b), err
