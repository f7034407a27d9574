"""Database functions: DSUM, DCOUNT, DCOUNTA, DAVERAGE, DMAX, DMIN, DGET, DPRODUCT, DSTDEV,
DSTDEVP, DVAR, DVARP (Microsoft's "Database functions" pages).

``Dxxx(database, field, criteria)``: ``database`` is a range whose first row holds the field
labels and whose other rows are the records; ``field`` names the column aggregated, by its label
(without case) or its 1-based position; ``criteria`` is a range whose first row holds field
labels and whose other rows hold conditions: the conditions of one row must all hold (AND), a
record is selected when one row's do (OR). A condition is COUNTIFS's criterion language
(:class:`.criteria.Criterion`, matched by the same code) with the rules of Excel's criteria
ranges: a blank cell is no condition (a row with none selects every record: "enter a blank line
below the column labels" to take the whole column); a text with no operator selects the texts
that begin with it ("Pea" selects Pear, "=Pea" only Pea); ``=`` alone selects blank cells.
Under a label that is blank or not a field, a formula is a computed criterion (see
:class:`_Computed`); a constant there is ``#VALUE!``.

The aggregation is the one its plain function makes of the selected cells of the field's column:
numbers only (text, logicals and blanks skipped), an error among them the result (DCOUNT skips
it, DCOUNTA counts it); DAVERAGE of nothing ``#DIV/0!``, DMAX/DMIN/DPRODUCT/DSUM of nothing 0,
DSTDEV/DVAR of fewer than two numbers ``#DIV/0!``. DGET gives the one selected record's cell:
``#VALUE!`` when none is selected, ``#NUM!`` when several are. An unknown field label or a
position outside the database is ``#VALUE!``; DCOUNT and DCOUNTA without a field count the
selected records.

Every cell of a shape is computed with numpy over the records; cells whose database, field and
criteria values are the same (a filled-down DSUM whose per-row criteria ranges repeat) share one
computation.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from ...excel_errors import ExcelError
from ..arrays import NotVectorizable
from ..values import BOOL, EMPTY, ERR, ERROR_CODES, NUM, STR, E, Values, format_general, text_to_number, truthy
from .arguments import per_instance
from .criteria import Criterion
from .registry import register

__all__ = ["database_function"]

_VALUE = ExcelError("#VALUE!")
_NUM = ExcelError("#NUM!")
_DIV0 = ExcelError("#DIV/0!")
#: The most record flags the condition cache of one database holds (16 MB), whatever the shape.
_MASK_BUDGET = 16_000_000


def _label(kind: int, num: float, text) -> str | None:
    """A header cell as a label to compare without case (a number as General shows it)."""
    if kind == STR:
        return str(text).strip().casefold()
    if kind == NUM:
        return format_general(float(num)).casefold()
    if kind == BOOL:
        return "true" if num else "false"
    return None


def _condition(kind: int, num: float, text) -> Criterion | None:
    """The criterion of one criteria cell, or None for no condition (a blank cell, or "")."""
    if kind == EMPTY or (kind == STR and text == ""):
        return None
    if kind == STR and text[:1] not in ("<", ">", "=") and text_to_number(text) is None \
            and text.strip().upper() not in ("TRUE", "FALSE"):
        text = text + "*"  # a bare text selects the texts that begin with it
    return Criterion(kind, num, text if kind == STR else None)


class _Block:
    """One instance of a range argument: kind/num/text arrays of shape (h, w)."""

    __slots__ = ("kind", "num", "text", "extra_rows")

    def __init__(self, v: Values, i: int):
        j = i if v.n > 1 else 0
        self.kind, self.num = v.kind[j], v.num[j]
        self.text = v.text[j] if v.text is not None else None
        h, w = v.hw
        eh, ew = v.extent
        self.extra_rows = eh - h if ew == w else 0  # blank rows of a whole-column reference past the block

    def cell(self, r: int, c: int):
        return int(self.kind[r, c]), float(self.num[r, c]), None if self.text is None else self.text[r, c]

    def key(self) -> tuple:
        t = None if self.text is None else tuple(self.text.reshape(-1).tolist())
        return self.kind.tobytes(), self.num.tobytes(), t, self.kind.shape, self.extra_rows


def _labels(db: _Block) -> list:
    return [_label(*db.cell(0, c)) for c in range(db.kind.shape[1])]


def _selected(db: _Block, labels: list, crit: _Block, computed=None, masks: dict | None = None) -> np.ndarray | ExcelError:
    """Which records the criteria select, a bool per record: those some criteria row accepts.

    Under a label that is blank or not a field, a formula is a computed criterion:
    ``computed(r, c, records)`` gives its TRUE/FALSE per record (None when the cell holds no
    formula); a constant there is ``#VALUE!``, as LibreOffice has it. ``masks`` caches each
    condition's records by (column, criteria cell value), for the other cells of a shape.

    The records of a whole-column database are the rows of its used range, as LibreOffice
    reads them (the blank rows below would count in a DCOUNT without a field); the blank rows
    of a whole-column criteria range past its used range are a blank criteria row."""
    h, w = crit.kind.shape
    columns: list[int | None] = []
    for c in range(w):
        lab = _label(*crit.cell(0, c))
        columns.append(labels.index(lab) if lab is not None and lab in labels else None)
    records = db.kind[1:]
    n_rec = records.shape[0]
    rnum = db.num[1:]
    rtext = None if db.text is None else db.text[1:]
    hit = np.zeros(n_rec, bool)
    # a criteria range of labels only selects every record, as a blank row does
    rows = list(range(1, h)) + ([None] if crit.extra_rows or h == 1 else [])
    for r in rows:
        row = np.ones(n_rec, bool)
        for c in range(w):
            j = columns[c]
            if j is None and r is not None:
                m = computed(r, c, n_rec) if computed is not None else None
                if m is None and crit.kind[r, c] != EMPTY:
                    return _VALUE  # a constant under a label the database lacks
                if m is not None:
                    row &= m
                continue
            if r is None:
                continue
            cell = crit.cell(r, c)
            key = (j, cell)
            m = masks.get(key) if masks is not None else None
            if m is None:
                cond = _condition(*cell)
                if cond is None:
                    continue
                m = cond.mask(records[:, j], rnum[:, j], None if rtext is None else rtext[:, j])
                if masks is not None and len(masks) * n_rec < _MASK_BUDGET:
                    masks[key] = m
            row &= m
        hit |= row
    return hit


def _field(how: str, node_missing: bool, f: Values, i: int, labels: list) -> int | None | ExcelError:
    """The database column the field names (0-based), None for no field (DCOUNT, DCOUNTA)."""
    if node_missing:
        return None if how in ("count", "counta") else _VALUE
    j = i if f.n > 1 else 0
    kind, num = int(f.kind[j, 0, 0]), float(f.num[j, 0, 0])
    if kind == ERR:
        return ExcelError(ERROR_CODES[int(num) - 1])
    if kind == NUM:
        c = math.trunc(num)
        return c - 1 if 1 <= c <= len(labels) else _VALUE
    if kind == STR:
        lab = str(f.text[j, 0, 0]).strip().casefold()
        return labels.index(lab) if lab in labels else _VALUE
    return _VALUE


def _reduce(how: str, db: _Block, col: int | None, hit: np.ndarray):
    """The function's result over the selected records of column ``col``."""
    if col is None:
        return float(hit.sum())
    kind = db.kind[1:, col][hit]
    num = db.num[1:, col][hit]
    if how == "get":
        if kind.size != 1:
            return _VALUE if kind.size == 0 else _NUM
        k = int(kind[0])
        if k == EMPTY:
            return 0.0
        if k == ERR:
            return ExcelError(ERROR_CODES[int(num[0]) - 1])
        if k == STR:
            return str(db.text[1:, col][hit][0])
        return bool(num[0]) if k == BOOL else float(num[0])
    if how == "count":
        return float((kind == NUM).sum())
    if how == "counta":
        return float((kind != EMPTY).sum())
    errs = num[kind == ERR]
    if errs.size:
        return ExcelError(ERROR_CODES[int(errs[0]) - 1])
    x = num[kind == NUM]
    if how == "sum":
        return float(x.sum())
    if how == "product":
        return float(np.prod(x)) if x.size else 0.0
    if how in ("max", "min"):
        return float((x.max() if how == "max" else x.min()) if x.size else 0.0)
    if how == "average":
        return float(x.mean()) if x.size else _DIV0
    ddof = 1 if how in ("stdev", "var") else 0
    if x.size <= ddof:
        return _DIV0
    var = float(((x - x.mean()) ** 2).sum() / (x.size - ddof))
    return math.sqrt(var) if how.startswith("stdev") else var


def database_function(ev, args: list, how: str) -> Values:
    """``how`` ("sum", "count", "counta", "average", "max", "min", "get", "product", "stdev",
    "stdevp", "var", "varp") over the records ``criteria`` selects, for every cell of a shape."""
    if len(args) != 3 or args[0] is None or args[2] is None:
        return Values.error(E.VALUE)
    db_v = ev.eval(args[0])
    crit_v = ev.eval(args[2])
    for v in (db_v, crit_v):
        if v.is_cell and v.ref is None and v.kind[0, 0, 0] == ERR:
            return v
    missing = args[1] is None
    f_v = Values.empty() if missing else ev.scalar(args[1])
    n = max(db_v.n, crit_v.n, f_v.n, ev.ctx.n)
    selections: dict = {}
    results: dict = {}
    labels_of: dict = {}
    masks_of: dict = {}

    def one(i: int):
        di, ci, fi = (i if v.n > 1 else 0 for v in (db_v, crit_v, f_v))
        db = _Block(db_v, di)
        dkey = db.key() if db_v.n > 1 else 0
        labels = labels_of.get(dkey)
        if labels is None:
            labels = labels_of[dkey] = _labels(db)
        col = _field(how, missing, f_v, fi, labels)
        if isinstance(col, ExcelError):
            return col
        crit = _Block(crit_v, ci)
        computed = _computed(ev, crit_v, ci) if _has_computed(crit, labels) else None
        where = None if computed is None else computed.where  # a computed criterion reads its own cells
        skey = (dkey, crit.key() if crit_v.n > 1 else 0, where)
        rkey = (skey, col)
        if rkey in results:
            return results[rkey]
        sel = selections.get(skey)
        if sel is None:
            sel = _selected(db, labels, crit, computed, masks_of.setdefault(dkey, {}))
            if len(selections) * db.kind.shape[0] < _MASK_BUDGET:
                selections[skey] = sel
        result = results[rkey] = sel if isinstance(sel, ExcelError) else _reduce(how, db, col, sel)
        return result

    return per_instance(n, one)


def _has_computed(crit: _Block, labels: list) -> bool:
    """Whether a criteria column under a blank or unknown label holds something (computed criteria)."""
    for c in range(crit.kind.shape[1]):
        lab = _label(*crit.cell(0, c))
        if (lab is None or lab not in labels) and (crit.kind[1:, c] != EMPTY).any():
            return True
    return False


class _Computed:
    """Excel's computed criteria: a formula in the criteria range, written for the first record
    (its relative references on that record's row), is TRUE or FALSE for each record: it is
    evaluated for every record at once, its relative references moved down one row per record
    (Microsoft, "Examples of complex criteria": "the formula must evaluate to TRUE or FALSE").
    A result that is not TRUE (an error, FALSE, 0) does not select the record."""

    __slots__ = ("ev", "sheet", "r0", "c0", "groups", "where")

    def __init__(self, ev, sheet, r0: int, c0: int, groups):
        self.ev, self.sheet, self.r0, self.c0, self.groups = ev, sheet, r0, c0, groups
        self.where = (sheet.index, r0, c0)

    def __call__(self, r: int, c: int, n_rec: int) -> np.ndarray | None:
        rr, cc = self.r0 + r, self.c0 + c
        owner = self.sheet.owner
        if rr >= owner.shape[0] or cc >= owner.shape[1] or owner[rr, cc] < 0:
            return None
        g = self.groups[int(owner[rr, cc])]
        if g.tree is None or g.array is not None or g.kept:
            return None  # an array formula, or one xl-kpi cannot compute: #VALUE! rather than a guess
        if n_rec == 0:
            return np.zeros(0, bool)
        ctx = replace(self.ev.ctx, sheet=g.sheet, rows=rr + np.arange(n_rec, dtype=np.int64),
                      cols=np.full(n_rec, cc, np.int64), array=False, array_fill=None, scope={})
        try:
            return self._true(type(self.ev)(ctx).formula(g.tree), n_rec)
        except NotVectorizable:  # record by record
            out = np.zeros(n_rec, bool)
            for k in range(n_rec):
                one = replace(ctx, rows=ctx.rows[k:k + 1], cols=ctx.cols[k:k + 1])
                out[k] = self._true(type(self.ev)(one).formula(g.tree), 1)[0]
            return out

    @staticmethod
    def _true(v: Values, n: int) -> np.ndarray:
        x, err = truthy(Values(v.kind[:, :1, :1], v.num[:, :1, :1], None if v.text is None else v.text[:, :1, :1]))
        return np.broadcast_to(((err == 0) & (x != 0))[:, 0, 0], (n,))


def _computed(ev, crit_v: Values, i: int) -> _Computed | None:
    """The computed criteria of instance ``i`` of a criteria reference (None for an array)."""
    ref = crit_v.ref
    groups = getattr(ev.ctx.book, "groups", None)
    if ref is None or groups is None:
        return None
    rows, cols = np.asarray(ref.row0).reshape(-1), np.asarray(ref.col0).reshape(-1)
    j = i if rows.size > 1 else 0
    return _Computed(ev, ref.sheet, int(rows[j]), int(cols[j]), groups)


def _register(name: str, how: str) -> None:
    register(name)(lambda ev, args: database_function(ev, args, how))


for _name, _how in (("DSUM", "sum"), ("DCOUNT", "count"), ("DCOUNTA", "counta"), ("DAVERAGE", "average"),
                    ("DMAX", "max"), ("DMIN", "min"), ("DGET", "get"), ("DPRODUCT", "product"),
                    ("DSTDEV", "stdev"), ("DSTDEVP", "stdevp"), ("DVAR", "var"), ("DVARP", "varp")):
    _register(_name, _how)
