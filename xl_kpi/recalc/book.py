"""The workbook in memory while it is recalculated: one dense grid of values per sheet.

Each sheet keeps ``kind`` (uint8) and ``num`` (float64) arrays over its used range, indexed
1-based by (row, column), and the text of its text cells in a dict. Reading a range is numpy
slicing (one block shared by every cell of a shape) or fancy indexing (a block per cell, for
ranges that move with the cell). Nine bytes a cell: a 1,000,000 x 10 sheet takes 90 MB.
"""

from __future__ import annotations

import re

import numpy as np

from .package import Package, SheetPart, UnreadableWorkbook, parse_range
from .values import EMPTY, ERR, NUM, STR, E, RefInfo, Values

__all__ = ["SheetData", "Book", "MAX_CELLS"]

#: Largest used range (rows x columns) of one sheet held densely; beyond it the file is refused.
MAX_CELLS = 60_000_000
MAX_ROW, MAX_COL = 1_048_576, 16_384


class SheetData:
    """Values of one sheet, filled from the file and then by the formulas as they compute."""

    def __init__(self, part: SheetPart):
        self.name = part.name
        self.index = part.index
        self.part = part
        rows = part.max_row
        cols = part.max_col
        for f in part.formulas.of_type("array"):
            if f.ref:
                _, _, r1, c1 = parse_range(f.ref)
                rows, cols = max(rows, r1), max(cols, c1)
        if rows * cols > MAX_CELLS:
            raise UnreadableWorkbook(
                f"sheet {part.name!r} spans {rows:,} rows x {cols:,} columns, more than the "
                f"{MAX_CELLS:,} cells xl-kpi recalc holds in memory")
        self.max_row, self.max_col = rows, cols
        self.kind = np.zeros((rows + 1, cols + 1), np.uint8)
        self.num = np.zeros((rows + 1, cols + 1), np.float64)
        if part.rows:
            r = np.asarray(part.rows, np.int64)
            c = np.asarray(part.cols, np.int64)
            self.kind[r, c] = np.asarray(part.kinds, np.uint8)
            self.num[r, c] = np.asarray(part.nums, np.float64)
        self.text: dict[tuple[int, int], str] = dict(part.texts)
        # which formula group (engine) owns each cell; -1 for none
        self.owner = np.full((rows + 1, cols + 1), -1, np.int32)
        # the range each dynamic array spills into, by its anchor cell (for A1#, ANCHORARRAY)
        self.spills: dict[tuple[int, int], tuple[int, int, int, int]] = {}
        # called with (sheet, r0, c0, r1, c1) on every read, while the engine orders circular cells
        self.watch = None
        # a data table's substitutions computed at once (data_tables._SheetLayers): reads see them
        self.layers = None

    # -- reading -----------------------------------------------------------------------------
    def block(self, r0: int, c0: int, r1: int, c1: int) -> Values:
        """One rectangular range (1-based, inclusive) as a (1, h, w) Values."""
        h, w = r1 - r0 + 1, c1 - c0 + 1
        if self.watch is not None:
            self.watch(self, r0, c0, r1, c1)
        if r0 < 1 or c0 < 1 or r1 > MAX_ROW or c1 > MAX_COL:
            return Values.error(E.REF)
        rr1, cc1 = min(r1, self.max_row), min(c1, self.max_col)
        if rr1 == r1 and cc1 == c1:
            kind = self.kind[r0:r1 + 1, c0:c1 + 1][None]
            num = self.num[r0:r1 + 1, c0:c1 + 1][None]
        else:
            kind = np.zeros((1, h, w), np.uint8)
            num = np.zeros((1, h, w))
            if rr1 >= r0 and cc1 >= c0:
                kind[0, : rr1 - r0 + 1, : cc1 - c0 + 1] = self.kind[r0:rr1 + 1, c0:cc1 + 1]
                num[0, : rr1 - r0 + 1, : cc1 - c0 + 1] = self.num[r0:rr1 + 1, c0:cc1 + 1]
        text = None
        if self.text:
            isstr = kind == STR
            if isstr.any():
                text = np.empty(kind.shape, object)
                _, i, j = np.nonzero(isstr)
                text[isstr] = self._texts((i + r0).tolist(), (j + c0).tolist())
        v = Values(kind, num, text, RefInfo(self, np.array([r0]), np.array([c0])))
        return v if self.layers is None else self.layers.over_block(v, r0, c0)

    def _texts(self, rows: list[int], cols: list[int]) -> list[str]:
        """The text of each (rows[i], cols[i]) STR cell (one dict look-up a cell, no numpy scalar)."""
        text = self.text
        return [text[rc] for rc in zip(rows, cols)]

    def blocks(self, r0: np.ndarray, c0: np.ndarray, h: int, w: int) -> Values:
        """A block of h x w for each instance, at top-left (r0[i], c0[i]): (n, h, w) Values."""
        if self.watch is not None:
            for a, b in zip(r0.tolist(), c0.tolist()):
                self.watch(self, a, b, a + h - 1, b + w - 1)
        rr = r0[:, None, None] + np.arange(h)[None, :, None]
        cc = c0[:, None, None] + np.arange(w)[None, None, :]
        bad = (rr < 1) | (cc < 1) | (rr > MAX_ROW) | (cc > MAX_COL)
        outside = (rr > self.max_row) | (cc > self.max_col) | bad
        ri = np.where(outside, 0, rr)
        ci = np.where(outside, 0, cc)
        kind = self.kind[ri, ci]
        num = self.num[ri, ci]
        if outside.any():
            kind = np.where(outside, EMPTY, kind).astype(np.uint8)
            num = np.where(outside, 0.0, num)
            if bad.any():
                kind = np.where(bad, ERR, kind).astype(np.uint8)
                num = np.where(bad, float(E.REF), num)
        text = None
        if self.text:
            isstr = kind == STR
            if isstr.any():
                text = np.empty(kind.shape, object)
                rr, cc = np.broadcast_arrays(rr, cc)
                text[isstr] = self._texts(rr[isstr].tolist(), cc[isstr].tolist())
        v = Values(kind, num, text, RefInfo(self, r0, c0))
        return v if self.layers is None else self.layers.over_blocks(v, rr, cc)

    # -- writing -----------------------------------------------------------------------------
    def store(self, rows: np.ndarray, cols: np.ndarray, v: Values) -> None:
        """Store the (n, 1, 1) values ``v`` into cells (rows[i], cols[i]).

        A formula whose result is a blank (``=A1`` of an empty A1) holds the number 0, as in
        Excel: AVERAGE, COUNT and FORECAST count it.
        """
        kind = v.kind[:, 0, 0]
        num = v.num[:, 0, 0]
        if kind.shape[0] != rows.shape[0]:
            kind = np.broadcast_to(kind, rows.shape)
            num = np.broadcast_to(num, rows.shape)
        blank = kind == EMPTY
        if blank.any():
            kind, num = np.where(blank, NUM, kind), np.where(blank, 0.0, num)
        self.kind[rows, cols] = kind
        self.num[rows, cols] = num
        if v.text is not None:
            text = v.text[:, 0, 0]
            isstr = np.nonzero(kind == STR)[0]
            texts = text[isstr].tolist() if text.shape[0] > 1 else [text[0]] * len(isstr)
            self.text.update(zip(zip(rows[isstr].tolist(), cols[isstr].tolist()), texts))

    def store_block(self, r0: int, c0: int, v: Values) -> None:
        """Store the (1, h, w) block ``v`` with its top-left at (r0, c0) (blanks as 0, see :meth:`store`)."""
        h, w = v.hw
        blank = v.kind[0] == EMPTY
        self.kind[r0:r0 + h, c0:c0 + w] = np.where(blank, NUM, v.kind[0])
        self.num[r0:r0 + h, c0:c0 + w] = np.where(blank, 0.0, v.num[0])
        if v.text is not None:
            isstr = v.kind[0] == STR
            i, j = np.nonzero(isstr)
            self.text.update(zip(zip((i + r0).tolist(), (j + c0).tolist()), v.text[0][isstr].tolist()))

    def value(self, r: int, c: int) -> tuple[int, float, str | None]:
        if r > self.max_row or c > self.max_col:
            return EMPTY, 0.0, None
        k = int(self.kind[r, c])
        return k, float(self.num[r, c]), self.text.get((r, c)) if k == STR else None


class Book:
    """Every sheet of a workbook, by lower-case name, plus its defined names."""

    def __init__(self, pkg: Package):
        self.pkg = pkg
        self.sheets: list[SheetData | None] = [SheetData(p) if p.path else None for p in pkg.sheets]
        self.by_name = {s.name.lower(): s for s in self.sheets if s is not None}
        # linked workbooks (external.py): their cached sheets, by lower "[n]sheet" name
        self.external = pkg.external
        self.external_sheets: dict[str, SheetData] = {}
        for b in pkg.external:
            for low, part in b.sheets.items():
                if low not in b.broken or part.rows:  # a failed refresh keeps the cells cached before
                    self.external_sheets[f"[{b.index}]{low}"] = SheetData(part)
        # defined names: (lower name, local sheet index or None) -> formula text
        self.names: dict[tuple[str, int | None], str] = {}
        for name, local, text in pkg.names:
            self.names[(name.lower(), local)] = text
        self.block_cache: dict[tuple, Values] = {}
        from .tables import read_table_part

        self.tables = [t for t in (read_table_part(xml, sheet) for sheet, xml in pkg.table_parts) if t]
        self._structured: dict[str, object] = {}

    def structured(self, sheet: "SheetData"):
        """The resolver of structured references for formulas of ``sheet``; None without tables."""
        if not self.tables:
            return None
        got = self._structured.get(sheet.name)
        if got is None:
            from .tables import StructuredRefs

            got = self._structured[sheet.name] = StructuredRefs(self.tables, sheet.name)
        return got

    def sheet(self, name: str | None, default: SheetData) -> SheetData | None:
        if name is None:
            return default
        if name.startswith("["):  # another workbook: the values this file caches for it
            return self.external_sheet(name)
        return self.by_name.get(name.lower())

    def external_sheet(self, name: str) -> SheetData | None:
        """``[1]Sheet1`` or ``[Book2.xlsx]Sheet1``: the cached sheet, None when the file lacks it."""
        from .external import find_book, split_external

        parts = split_external(name)
        if parts is None:
            return None
        book = find_book(self.external, parts[0])
        if book is None:
            return None
        return self.external_sheets.get(f"[{book.index}]{parts[1].lower()}")

    def external_name_text(self, book_key: str, name: str) -> str | None:
        """The formula of a defined name of a linked book (``[1]!Name``), its sheets as ``[1]Sheet``.

        None when the file does not record the name's formula (Excel shows ``#NAME?`` then).
        """
        from .external import find_book

        book = find_book(self.external, book_key.strip("[]"))
        text = book.names.get(name.lower()) if book is not None else None
        if not text:
            return None
        sheets = sorted((p.name.split("]", 1)[1] for p in book.sheets.values()), key=len, reverse=True)
        for sheet in sheets:
            quoted = "'" + sheet.replace("'", "''") + "'!"
            qualified = "'[" + str(book.index) + "]" + sheet.replace("'", "''") + "'!"
            text = text.replace(quoted, qualified)
            if sheet.replace("_", "").isalnum():
                text = re.sub(r"(?<![\w\]'.])" + re.escape(sheet) + "!", lambda _: qualified, text)
        return text

    def name_text(self, name: str, sheet: SheetData) -> str | None:
        key = name.lower()
        text = self.names.get((key, sheet.index))
        if text is None:
            text = self.names.get((key, None))
        return text
