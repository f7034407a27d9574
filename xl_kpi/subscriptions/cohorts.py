"""Cohorts: customers grouped by the month of their first payment, followed month by month."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InvalidOptionError
from ..metrics._kernel import check_option
from ._memory import without_huge_pages
from .ledger import Ledger
from .movements import as_ledger

__all__ = ["cohorts", "MEASURES", "cohort_arrays"]

MEASURES = ("logos", "revenue")


@without_huge_pages()
def cohort_arrays(ledger: Ledger, measure: str) -> np.ndarray:
    """The ``n_months x n_months`` matrix (cohort x age), NaN beyond the last month."""
    c, m, v, n = ledger.customer, ledger.month, ledger.mrr, ledger.n_months
    first = np.ones(c.size, dtype=bool)
    first[1:] = c[1:] != c[:-1]
    start_of = np.zeros(len(ledger.ids), dtype=np.int64)
    start_of[c[first]] = m[first]
    # the cell of (cohort, age = m - cohort) is cohort * n + m - cohort, built in place: one
    # ledger-sized array instead of three
    cell = start_of[c]
    cell *= n - 1
    cell += m
    weights = v if measure == "revenue" else None
    matrix = np.bincount(cell, weights=weights, minlength=n * n).astype(np.float64).reshape(n, n)
    beyond = np.add.outer(np.arange(n), np.arange(n)) >= n
    matrix[beyond] = np.nan
    return matrix


def cohorts(customer_ids, months=None, mrr=None, *, measure="logos", normalize=False) -> pd.DataFrame:
    """Cohort matrix: each month's new customers, followed by age in months.

    Parameters
    ----------
    customer_ids : sequence, DataFrame or Ledger
        Customer id of each row, or a whole export (see :func:`mrr_movements`).
    months : sequence
        Month of each row (dates, Excel serials, ``"YYYY-MM"`` text).
    mrr : sequence of float
        MRR of each row, >= 0.
    measure : {"logos", "revenue"}, default "logos"
        ``"logos"``: customers of the cohort paying at each age. ``"revenue"``: their MRR.
    normalize : bool, default False
        Divide each row by its age-0 value: logo retention and revenue retention (the cohort's
        net revenue retention by age) as fractions.

    Returns
    -------
    DataFrame
        Indexed by cohort month (``cohort``, first day of the month of the first payment, every
        month of the ledger), columns ages 0 to N-1 months (``age``). Cells after the ledger's
        last month are NaN; an empty cohort is a row of zeros (NaN when normalized).

    Raises
    ------
    InvalidOptionError
        ``measure`` not "logos" or "revenue".
    KPIError
        Bad rows, as :func:`mrr_movements` raises.

    Notes
    -----
    The cohort of a customer is the month of its first MRR > 0, and stays so: a customer who
    churns and comes back is counted again in its first cohort, at its new age, so a cohort's
    curve can rise. Hence the age-0 column equals the month's new customers (``measure="logos"``)
    and new MRR (``"revenue"``) of :func:`mrr_movements`, reactivations excluded; and the cells of
    one calendar month, summed over cohorts, equal that month's customers and ending MRR. Higher
    retention is better.

    Examples
    --------
    Two customers join in January, one leaves in March, one joins in February. How many of each
    cohort are still paying?

    >>> cohorts(["a", "b", "a", "b", "c", "a", "c"],
    ...         ["2024-01", "2024-01", "2024-02", "2024-02", "2024-02", "2024-03", "2024-03"],
    ...         [10, 20, 10, 20, 5, 10, 5])
    age           0    1    2
    cohort
    2024-01-01  2.0  2.0  1.0
    2024-02-01  1.0  1.0  NaN
    2024-03-01  0.0  NaN  NaN
    """
    measure = check_option("cohorts", "measure", measure, MEASURES)
    if not isinstance(normalize, (bool, np.bool_)):
        raise InvalidOptionError(
            f"cohorts: the 'normalize' parameter must be True or False; got {normalize!r}",
            argument="normalize",
            value=normalize,
        )
    ledger = as_ledger("cohorts", customer_ids, months, mrr)
    matrix = cohort_arrays(ledger, measure)
    if normalize:
        base = matrix[:, :1]
        with np.errstate(invalid="ignore", divide="ignore"):
            matrix = np.where(base > 0, matrix / np.where(base > 0, base, 1.0), np.nan)
    frame = pd.DataFrame(
        matrix,
        index=pd.Index(ledger.months, name="cohort"),
        columns=pd.RangeIndex(ledger.n_months, name="age"),
    )
    frame.attrs["notes"] = list(ledger.notes)
    frame.attrs["measure"] = measure
    return frame
