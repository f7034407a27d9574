"""MRR movements: how each month's MRR grew from the month before.

For a customer with MRR ``prev`` last month and ``cur`` this month (0 when absent or zero):

==============  =====================================================  =========================
movement        when                                                   amount
==============  =====================================================  =========================
new             ``prev = 0 < cur`` and the customer never paid before   ``cur``
reactivation    ``prev = 0 < cur`` and the customer paid in an earlier  ``cur``
                month (a customer coming back after churning)
expansion       ``0 < prev < cur``                                      ``cur - prev``
contraction     ``0 < cur < prev``                                      ``prev - cur`` (positive)
churned         ``prev > 0 = cur``                                      ``prev`` (positive)
==============  =====================================================  =========================

The month of churn is the first month without MRR: a customer who pays in March and not in
April churned in April, for its March MRR. The first month of the ledger starts from 0, so every
customer paying in it is new. ``start_mrr`` is the previous month's ``end_mrr``, and every month
``start_mrr + net_new = end_mrr``, with ``net_new = new + expansion + reactivation - contraction -
churned`` (:func:`xl_kpi.metrics.net_new_mrr`). These are the definitions of ChartMogul and
Baremetrics at monthly grain.

Signs: one rule across xl-kpi. As data, contraction and churned are positive amounts (the MRR
lost): the columns of :func:`mrr_movements` and ``KPI_MRR_MOVEMENTS``, the Inputs sheet, and the
arguments of ``KPI_NRR``, ``KPI_GRR``, ``KPI_REVENUE_CHURN``, ``KPI_QUICK_RATIO``, which take
them as the formulas write them. As shown to a reader, losses are negative, as ChartMogul's
movement charts show them, so that a month's movements add up to its net new MRR: the Dashboard's
movement rows, every movement chart, and every output of ``xl-kpi report`` (terminal, CSV,
workbook). :func:`signed_movements` turns the one into the other.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..metrics import net_new_mrr
from ._memory import without_huge_pages
from .ledger import Ledger, build_ledger

__all__ = ["mrr_movements", "signed_movements", "MOVEMENT_COLUMNS", "LOSSES", "movement_arrays", "as_ledger"]

#: The columns of :func:`mrr_movements`, in order (the spilled table of KPI_MRR_MOVEMENTS).
MOVEMENT_COLUMNS = (
    "month",
    "start_mrr",
    "new",
    "expansion",
    "contraction",
    "churned",
    "reactivation",
    "net_new",
    "end_mrr",
    "customers",
)


#: The movements that lose MRR: positive amounts as data, negative as shown (see the module notes).
LOSSES = ("contraction", "churned")


def signed_movements(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of a movements table (:func:`mrr_movements`, :func:`monthly_kpis`) with the
    losses negative, as the Dashboard and ``xl-kpi report`` show them.

    Every month then reads ``start_mrr + new + expansion + contraction + churned + reactivation
    = end_mrr`` (``net_new`` is unchanged). The input is not modified.

    Examples
    --------
    >>> t = mrr_movements(["a", "b", "a"], ["2024-01", "2024-01", "2024-02"], [100, 50, 80])
    >>> signed_movements(t)[["contraction", "churned", "net_new"]].iloc[1].tolist()
    [-20.0, -50.0, -70.0]
    """
    out = table.copy()
    for column in LOSSES:
        if column in out.columns:
            out[column] = -out[column].astype(np.float64) + 0.0  # + 0.0: no -0.0 in the output
    return out


def as_ledger(func: str, customer_ids, months=None, mrr=None) -> Ledger:
    """A :class:`Ledger` from a Ledger, a DataFrame (columns found by name) or three sequences."""
    if isinstance(customer_ids, (Ledger, pd.DataFrame)):
        if months is not None or mrr is not None:
            from ..errors import ShapeMismatchError

            raise ShapeMismatchError(
                f"{func}: give either a ledger (or a DataFrame) alone, or the three sequences "
                "customer_ids, months, mrr",
                argument="months",
                value=None,
            )
        if isinstance(customer_ids, Ledger):
            return customer_ids
        from .load import load_ledger

        return load_ledger(customer_ids, func=func)
    if months is None or mrr is None:
        from ..errors import NoDataError

        missing = "months" if months is None else "mrr"
        raise NoDataError(f"{func}: {missing!r} is required with 'customer_ids'", argument=missing, value=None)
    return build_ledger(customer_ids, months, mrr, func=func)


#: Elements per step of the loops over a whole ledger: temporaries of a few MiB, not of its size.
_CHUNK = 1 << 20
_FIRST, _BACK, _UP, _DOWN, _LEAVES = 1, 2, 4, 8, 16


def _movement_flags(c: np.ndarray, m: np.ndarray, v: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """One byte per element saying which movements it takes part in (bits ``_FIRST``: the
    customer's first paying month; ``_BACK``: paying again after a gap; ``_UP`` / ``_DOWN``: more
    / less than the month before; ``_LEAVES``: no MRR the month after, inside the ledger), and
    the elements of each month with each combination of them (a 32 x ``n`` table of counts)."""
    flags = np.empty(c.size, dtype=np.uint8)
    counts = np.zeros(32 * n, dtype=np.int64)
    for start in range(0, c.size, _CHUNK):
        stop = min(c.size, start + _CHUNK)
        lo, hi = max(start - 1, 0), min(stop + 1, c.size)  # one element of context on each side
        cc, mm, vv = c[lo:hi], m[lo:hi], v[lo:hi]
        same = np.zeros(cc.size, dtype=bool)  # the element before is the same customer's
        same[1:] = cc[1:] == cc[:-1]
        follows = same.copy()  # ... and its month is the month before
        follows[1:] &= mm[1:] == mm[:-1] + 1
        delta = np.zeros_like(vv)
        np.subtract(vv[1:], vv[:-1], out=delta[1:], where=follows[1:])
        leaves = np.ones(cc.size, dtype=bool)
        leaves[:-1] = ~follows[1:]
        leaves &= mm + 1 < n
        f = (~same).astype(np.uint8)  # _FIRST
        f |= (same & ~follows).view(np.uint8) << 1
        f |= (delta > 0).view(np.uint8) << 2
        f |= (delta < 0).view(np.uint8) << 3
        f |= leaves.view(np.uint8) << 4
        f = f[start - lo:start - lo + stop - start]
        flags[start:stop] = f
        cell = f.astype(np.intp)
        cell *= n
        cell += m[start:stop]
        counts += np.bincount(cell, minlength=32 * n)
    return flags, counts.reshape(32, n)


@without_huge_pages()
def movement_arrays(ledger: Ledger) -> dict[str, np.ndarray]:
    """Every movement of every month, amounts and customer counts, as arrays of ``n_months``.

    Keys: ``start_mrr, new, expansion, contraction, churned, reactivation, end_mrr`` (floats) and
    ``customers, start_customers, new_customers, reactivated_customers, churned_customers,
    expanded_customers, contracted_customers`` (ints).

    Each amount is a :func:`numpy.bincount` of the months of the elements it takes, weighted by
    their amounts, in ledger order; the elements are picked in steps into two buffers reused by
    every total. The counts come from one table of the flags of the elements. A ledger of 100
    million customer-months makes two ledger-sized arrays (and one byte of flags per element)
    instead of a dozen.
    """
    c, m, v, n = ledger.customer, ledger.month, ledger.mrr, ledger.n_months
    flags, counts = _movement_flags(c, m, v, n)
    months = np.empty(c.size, dtype=np.intp)  # bincount's own index type: no conversion copy
    weights = np.empty(c.size, dtype=np.float64)

    def total(bit: int, amount: str, shift: int = 0):
        k = 0
        for start in range(0, c.size, _CHUNK):
            stop = min(c.size, start + _CHUNK)
            take = (flags[start:stop] & bit) != 0
            mm = m[start:stop][take]
            months[k:k + mm.size] = mm
            if shift:
                months[k:k + mm.size] += shift
            if amount == "mrr":
                weights[k:k + mm.size] = v[start:stop][take]
            elif amount is not None:  # the change from the month before, as a positive amount
                lo = max(start - 1, 0)
                vv = v[lo:stop]
                delta = vv[1:] - vv[:-1] if lo < start else np.concatenate(([0.0], vv[1:] - vv[:-1]))
                weights[k:k + mm.size] = delta[take] if amount == "up" else -delta[take]
            k += mm.size
        return np.bincount(months[:k], weights=weights[:k], minlength=n)[:n]

    def count(bit: int, shift: int = 0):
        taking = (np.arange(32) & bit) != 0
        got = counts[taking].sum(axis=0)
        return np.concatenate((np.zeros(shift, dtype=np.int64), got[:n - shift])) if shift else got

    months[...] = m
    end = np.bincount(months, weights=v, minlength=n)
    customers = counts.sum(axis=0)
    out = {
        "start_mrr": np.concatenate(([0.0], end[:-1])),
        "new": total(_FIRST, "mrr").astype(np.float64),
        "expansion": total(_UP, "up").astype(np.float64),
        "contraction": total(_DOWN, "down").astype(np.float64),
        "churned": total(_LEAVES, "mrr", shift=1).astype(np.float64),
        "reactivation": total(_BACK, "mrr").astype(np.float64),
        "end_mrr": end.astype(np.float64),
        "customers": customers.astype(np.int64),
        "start_customers": np.concatenate(([0], customers[:-1])).astype(np.int64),
        "new_customers": count(_FIRST),
        "reactivated_customers": count(_BACK),
        "churned_customers": count(_LEAVES, shift=1),
        "expanded_customers": count(_UP),
        "contracted_customers": count(_DOWN),
    }
    return out


def mrr_movements(customer_ids, months=None, mrr=None) -> pd.DataFrame:
    """MRR movements per month from a billing export: new, expansion, contraction, churned,
    reactivation and net new MRR.

    Parameters
    ----------
    customer_ids : sequence, DataFrame or Ledger
        Customer id of each row (text or numbers). Or a whole export: a :class:`Ledger` from
        :func:`~xl_kpi.subscriptions.load_ledger`, or a DataFrame whose columns are found by name
        (``customer_id``, ``month``, ``mrr``...), with ``months`` and ``mrr`` left out.
    months : sequence
        Month of each row: dates, pandas Timestamps, Excel serial numbers (1 is 1900-01-01)
        or ``"YYYY-MM"`` / ``"YYYY-MM-DD"`` text. A date counts for its calendar month.
    mrr : sequence of float
        MRR of each row, >= 0. Rows of the same customer and month are added up.

    Returns
    -------
    DataFrame
        One row per month, every month from the first to the last (gaps included), columns
        ``month`` (Timestamp, first day), ``start_mrr``, ``new``, ``expansion``, ``contraction``,
        ``churned``, ``reactivation``, ``net_new``, ``end_mrr`` (money per month; contraction and
        churned as positive amounts, the MRR lost: :func:`signed_movements` shows them negative)
        and ``customers`` (paying at the end of the month). What
        was done to the data (rows summed, blank rows skipped) is in ``.attrs["notes"]``.

    Raises
    ------
    ShapeMismatchError
        Sequences of different lengths.
    NoDataError
        No rows, or a row without customer, month or MRR.
    NonNumericError
        Text in ``mrr``, or a month that is not a date.
    DomainError
        A negative MRR, or a month outside 1900-2199.

    Notes
    -----
    Definitions in :mod:`xl_kpi.subscriptions.movements` (ChartMogul, Baremetrics); ``net_new`` is
    :func:`xl_kpi.metrics.net_new_mrr`. Choices: churn falls in the first month without MRR;
    reactivation is a return after at least one month without MRR; a customer's MRR in a month
    is the sum of its rows. Higher net new MRR is better.

    Examples
    --------
    Three customers over three months: ``b`` upgrades, ``c`` leaves in March and ``d`` joins.
    How did MRR move?

    >>> t = mrr_movements(["a", "b", "c", "a", "b", "c", "a", "b", "d"],
    ...                   ["2024-01"] * 3 + ["2024-02"] * 3 + ["2024-03"] * 3,
    ...                   [100, 50, 30, 100, 80, 30, 100, 80, 40])
    >>> t[["month", "start_mrr", "new", "expansion", "churned", "net_new", "end_mrr"]]
           month  start_mrr    new  expansion  churned  net_new  end_mrr
    0 2024-01-01        0.0  180.0        0.0      0.0    180.0    180.0
    1 2024-02-01      180.0    0.0       30.0      0.0     30.0    210.0
    2 2024-03-01      210.0   40.0        0.0     30.0     10.0    220.0
    """
    ledger = as_ledger("mrr_movements", customer_ids, months, mrr)
    return movements_frame(ledger)


def movements_frame(ledger: Ledger, arrays: dict[str, np.ndarray] | None = None) -> pd.DataFrame:
    """The :func:`mrr_movements` table of a ledger (from its :func:`movement_arrays`, if known)."""
    a = movement_arrays(ledger) if arrays is None else arrays
    net = net_new_mrr(a["new"], a["expansion"], a["contraction"], a["churned"], a["reactivation"])
    frame = pd.DataFrame(
        {
            "month": ledger.months,
            "start_mrr": a["start_mrr"],
            "new": a["new"],
            "expansion": a["expansion"],
            "contraction": a["contraction"],
            "churned": a["churned"],
            "reactivation": a["reactivation"],
            "net_new": np.asarray(net, dtype=np.float64),
            "end_mrr": a["end_mrr"],
            "customers": a["customers"],
        }
    )
    frame.attrs["notes"] = list(ledger.notes)
    return frame
