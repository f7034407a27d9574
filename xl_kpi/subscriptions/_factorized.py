"""A column given as its distinct values and one code per row, as :func:`pandas.factorize` gives it.

The DuckDB path reads a ledger larger than memory this way: DuckDB finds the distinct values of
each text column (ids, dates, billing periods, currencies, labels) and numbers the rows with
them, so the checks and conversions of :mod:`~xl_kpi.subscriptions.ledger` and
:mod:`~xl_kpi.subscriptions.months` run once per distinct value, and then reach every row
through its code. The uniques are in order of first appearance, as pandas gives them, so that
notes and messages name the same values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Factorized", "spread", "code_dtype"]


@dataclass(frozen=True, eq=False)
class Factorized:
    """``uniques[codes[i]]`` is row ``i``'s value; a code of -1 is a missing value (NULL)."""

    codes: np.ndarray
    uniques: np.ndarray

    def __len__(self) -> int:
        return int(self.codes.size)

    def __getitem__(self, keep) -> "Factorized":
        return Factorized(self.codes[keep], self.uniques)


def spread(per_unique: np.ndarray, codes: np.ndarray, fill):
    """``per_unique[codes]``, with ``fill`` where the code is -1."""
    per_unique = np.asarray(per_unique)
    absent = codes < 0
    if per_unique.size == 0:
        return np.full(codes.shape, fill, dtype=np.result_type(per_unique.dtype, type(fill)))
    if not absent.any():
        return per_unique[codes]
    out = per_unique[np.where(absent, 0, codes)]
    out[absent] = fill
    return out


def code_dtype(n_uniques: int) -> np.dtype:
    """The smallest signed integer type holding the codes of ``n_uniques`` values and -1."""
    for t in (np.int8, np.int16, np.int32):
        if n_uniques <= np.iinfo(t).max:
            return np.dtype(t)
    return np.dtype(np.int64)
