"""The formula cells of a worksheet, as the scan of its XML finds them.

A big sheet holds hundreds of thousands of formula cells, nearly all of one common form (a
plain ``<f>text</f>`` or a shared ``<f t="shared" .../>``). :class:`FormulaCells` records them
as parallel lists (rows, columns, texts, byte spans...), which the grouping and the writer read
directly; a :class:`FormulaCell` is made only where code asks for one, by index or iteration.
A cell of any other form (an array formula, a data table, a cell with attributes the scan's
common form does not cover) is kept whole as the FormulaCell the scan made.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from operator import index

__all__ = ["FormulaCell", "FormulaCells"]


@dataclass(slots=True)
class FormulaCell:
    """One cell holding a formula, as found in the sheet XML."""

    row: int  # 1-based
    col: int  # 1-based
    text: str | None  # formula text without "=", None for a dependent of a shared formula
    ftype: str  # "normal" | "shared" | "array" | "dataTable"
    ref: str | None  # the range of an array formula or of a shared-formula master
    si: str | None  # shared-formula group id
    span: tuple[int, int]  # byte span of the whole <c> element in the sheet XML
    dynamic: bool = False  # a dynamic array (Excel 365: cm attribute on the cell)
    table: dict[str, str] | None = None  # a data table's attributes (r1, r2, dt2D, dtr, del1, del2)
    #: the cell's ``t`` attribute (b"" for none) when it is written in the scan's common form
    #: (``<c r s t>``, a plain or shared ``<f>``, at most a ``<v>``, nothing else), which the
    #: writer patches in place; None for any other cell
    vtype: bytes | None = None


class FormulaCells:
    """A sheet's formula cells in document order: a sequence of :class:`FormulaCell`.

    Each field is a list with one entry a cell (``rows``, ``cols``, ``texts``, ``ftypes``,
    ``sis``, ``starts``, ``ends``, ``vtypes``), read directly where every cell is visited;
    ``refs`` holds the range of each shared-formula master by index, and ``whole`` the cells
    not of the common form (``vtype`` None) as the FormulaCell they were read as. Indexing and
    iteration make a FormulaCell from the lists for the others.
    """

    __slots__ = ("rows", "cols", "texts", "ftypes", "sis", "starts", "ends", "vtypes", "refs", "whole")

    def __init__(self, cells=()):
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.texts: list[str | None] = []
        self.ftypes: list[str] = []
        self.sis: list[str | None] = []
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.vtypes: list[bytes | None] = []
        self.refs: dict[int, str] = {}
        self.whole: dict[int, FormulaCell] = {}
        for f in cells:
            self.append(f)

    def append(self, f: FormulaCell) -> None:
        """Add a cell at the end (kept whole unless the lists hold all it says)."""
        i = len(self.rows)
        self.rows.append(f.row)
        self.cols.append(f.col)
        self.texts.append(f.text)
        self.ftypes.append(f.ftype)
        self.sis.append(f.si)
        self.starts.append(f.span[0])
        self.ends.append(f.span[1])
        self.vtypes.append(f.vtype)
        if f.ref is not None:
            self.refs[i] = f.ref
        if f.vtype is None or f.dynamic or f.table is not None or f.ftype not in ("normal", "shared"):
            self.whole[i] = f

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> FormulaCell:
        i = index(i)  # an integer (numpy's too); a slice is refused
        if i < 0:
            i += len(self.rows)
        f = self.whole.get(i)
        if f is not None:
            return f
        return FormulaCell(self.rows[i], self.cols[i], self.texts[i], self.ftypes[i], self.refs.get(i),
                           self.sis[i], (self.starts[i], self.ends[i]), False, None, self.vtypes[i])

    def __iter__(self):
        return map(self.__getitem__, range(len(self.rows)))

    def __bool__(self) -> bool:
        return bool(self.rows)

    def __repr__(self) -> str:
        return f"FormulaCells({len(self)} cells)"

    def of_type(self, *ftypes: str) -> list[FormulaCell]:
        """The cells of the given ``ftype`` in document order (array formulas and data tables are
        found among the cells kept whole, without visiting the others)."""
        if "normal" in ftypes or "shared" in ftypes:
            return [self[i] for i, t in enumerate(self.ftypes) if t in ftypes]
        return [f for f in self.whole.values() if f.ftype in ftypes]

    def keep(self, indices: list[int]) -> None:
        """Keep only the cells ``indices`` (ascending), in their order."""
        for name in ("rows", "cols", "texts", "ftypes", "sis", "starts", "ends", "vtypes"):
            setattr(self, name, list(map(getattr(self, name).__getitem__, indices)))

        def moved(d: dict) -> dict:
            out = {}
            for i, x in d.items():
                j = bisect_left(indices, i)
                if j < len(indices) and indices[j] == i:
                    out[j] = x
            return out

        self.refs, self.whole = moved(self.refs), moved(self.whole)
