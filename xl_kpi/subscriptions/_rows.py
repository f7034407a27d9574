"""Naming the rows of a ledger in error messages and notes.

A ledger given as sequences names its rows by position (``index 3``, as the metrics kernel does);
a ledger read from a file names them by the line or sheet row a person sees in the file.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: How many rows a message lists before it says "and N more".
SHOWN = 5


@dataclass(frozen=True)
class Rows:
    """How to name the rows of one ledger source.

    Attributes
    ----------
    word : str
        The singular noun for one row ("index", "line", "row").
    plural : str
        Its plural ("indices", "lines", "rows").
    offset : int
        Added to the 0-based position to get the number shown (2 for a CSV line under a header).
    where : str
        Appended after the numbers, e.g. ``" of subscriptions.csv"``.
    """

    word: str = "index"
    plural: str = "indices"
    offset: int = 0
    where: str = ""

    def name(self, positions: np.ndarray, total: int | None = None) -> str:
        """``"at index 3"`` or ``"at lines 4, 9, 12 and 7 more of data.csv"``.

        ``total`` is how many rows there are when ``positions`` holds only the first of them.
        """
        positions = np.asarray(positions, dtype=np.int64).reshape(-1)
        total = positions.size if total is None else total
        shown = ", ".join(str(int(p) + self.offset) for p in positions[:SHOWN])
        left = total - min(positions.size, SHOWN)
        more = f" and {left} more" if left > 0 else ""
        noun = self.word if total == 1 else self.plural
        return f"at {noun} {shown}{more}{self.where}"

    def count(self, n: int) -> str:
        """``"1 row"`` / ``"4 rows"`` (the generic noun, whatever the source)."""
        return f"{n} row" if n == 1 else f"{n} rows"


#: Rows of sequences given in Python or by Excel: 0-based positions.
POSITIONS = Rows()


def file_rows(path_name: str, *, header_lines: int = 1, sheet: str | None = None) -> Rows:
    """Rows of a CSV file (``line``) or of an Excel sheet (``row``) with a header above the data."""
    if sheet is not None:
        return Rows("row", "rows", header_lines + 1, f" of sheet {sheet!r} in {path_name}")
    return Rows("line", "lines", header_lines + 1, f" of {path_name}")


@dataclass(frozen=True)
class ReorderedRows:
    """Rows of arrays that hold a file's rows in another order: element ``i`` is the file's row
    ``positions[i]`` (the DuckDB path puts its rows in order of customer and month).

    Names the file's rows, in file order, as ``base`` does.
    """

    base: Rows
    positions: np.ndarray

    def name(self, indices: np.ndarray, total: int | None = None) -> str:
        at = np.sort(self.positions[np.asarray(indices, dtype=np.int64).reshape(-1)])
        return self.base.name(at, total)

    def count(self, n: int) -> str:
        return self.base.count(n)


@dataclass(frozen=True)
class UniqueRows:
    """Rows named through the distinct values of a column: ``name(k)`` names every row whose code
    is one of ``k``, so a check run on the distinct values names the rows that hold them."""

    base: "Rows | ReorderedRows"
    codes: np.ndarray

    def name(self, uniques: np.ndarray, total: int | None = None) -> str:
        return self.base.name(np.flatnonzero(np.isin(self.codes, np.asarray(uniques).reshape(-1))))

    def count(self, n: int) -> str:
        return self.base.count(n)
