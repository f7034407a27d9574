"""The monthly KPI table of a billing export: movements, churn, retention and the quick ratio.

Every ratio here is computed by the metrics core (:mod:`xl_kpi.metrics`) from the movements of
:mod:`~xl_kpi.subscriptions.movements`, with ``errors="coerce"``: a month where a ratio is
undefined (no customers or no MRR at its start, no loss for the quick ratio) shows NaN, where
Excel would show ``#DIV/0!``. No formula is written twice.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DomainError, InvalidOptionError
from ..metrics import (
    arpu,
    arr,
    churn,
    grr,
    mrr_growth,
    net_revenue_churn,
    nrr,
    quick_ratio,
    revenue_churn,
)
from ._memory import without_huge_pages
from .ledger import Ledger
from .movements import as_ledger, movement_arrays, movements_frame

__all__ = ["monthly_kpis", "trailing_retention", "trailing_columns", "KPI_COLUMNS"]

#: The columns that :func:`monthly_kpis` adds after the movement columns (with the default
#: 12-month window; see :func:`trailing_columns` for another).
KPI_COLUMNS = (
    "arr",
    "arpa",
    "start_customers",
    "new_customers",
    "reactivated_customers",
    "churned_customers",
    "logo_churn",
    "revenue_churn",
    "net_revenue_churn",
    "nrr",
    "grr",
    "nrr_12m",
    "grr_12m",
    "quick_ratio",
    "mrr_growth",
)


def trailing_columns(window: int = 12) -> tuple[str, str]:
    """The names of the trailing NRR and GRR columns of :func:`monthly_kpis`: ``("nrr_12m",
    "grr_12m")`` for 12 months, ``("nrr_3m", "grr_3m")`` for 3."""
    return f"nrr_{window}m", f"grr_{window}m"


#: Elements per step of the loops over a whole ledger: temporaries of a few MiB, not of its size.
_CHUNK = 1 << 20


@without_huge_pages()
def _window_arrays(ledger: Ledger, window: int) -> dict[str, np.ndarray]:
    """Movements of the customers paying ``window`` months earlier, point to point.

    Each element of a base month (one ``window`` months before a month of the ledger) finds its
    customer's element ``window`` months later among the next ``window`` elements (the ledger is
    sorted by customer and month, one element each: one comparison of shifted keys per distance),
    in steps; the totals are bincounts of the
    base elements in ledger order, their weights made in one reused buffer: four ledger-sized
    arrays instead of about a dozen.
    """
    c, m, v, n = ledger.customer, ledger.month, ledger.mrr, ledger.n_months
    size = c.size
    at = np.empty(size, dtype=np.intp)  # the month measured of each base element
    then = np.empty(size, dtype=np.float64)
    now = np.empty(size, dtype=np.float64)
    k = 0
    for start in range(0, size, _CHUNK):
        stop = min(size, start + _CHUNK)
        ahead = min(size, stop + window)  # the element window months later is at most window further
        key = c[start:ahead].astype(np.int64)
        key *= n
        key += m[start:ahead]
        length = stop - start
        want = key[:length] + window
        step = np.zeros(length, dtype=np.intp)  # how many elements further the month measured is, 0: none
        for d in range(1, min(window, n - 1) + 1):  # one element per customer-month: at most window further
            reach = min(length, key.size - d)
            if reach <= 0:
                break
            step[:reach][key[d:d + reach] == want[:reach]] = d
        base = m[start:stop] + window < n
        step = step[base]
        found = step > 0
        step += np.flatnonzero(base)
        got = v[start:ahead][step]
        got[~found] = 0.0
        count = step.size
        at[k:k + count] = m[start:stop][base]
        at[k:k + count] += window
        then[k:k + count] = v[start:stop][base]
        now[k:k + count] = got
        k += count
    at, then, now = at[:k], then[:k], now[:k]
    weights = np.empty(k, dtype=np.float64)

    def total(weight):
        for start in range(0, k, _CHUNK):
            stop = min(k, start + _CHUNK)
            weights[start:stop] = weight(then[start:stop], now[start:stop])
        return np.bincount(at, weights=weights, minlength=n)[:n].astype(np.float64)

    def up(was, is_):
        out = is_ - was
        np.maximum(out, 0.0, out=out)
        out[~(is_ > 0)] = 0.0
        return out

    def down(was, is_):
        out = was - is_
        np.maximum(out, 0.0, out=out)
        out[~(is_ > 0)] = 0.0
        return out

    def churned(was, is_):
        return np.where(is_ > 0, 0.0, was)  # what the customers gone paid

    return {"start_mrr": np.bincount(at, weights=then, minlength=n)[:n].astype(np.float64),
            "expansion": total(up), "contraction": total(down), "churned": total(churned)}


def _check_window(func: str, window) -> int:
    if isinstance(window, (bool, np.bool_)) or not isinstance(window, (int, np.integer)):
        raise InvalidOptionError(
            f"{func}: the 'window' parameter must be a whole number of months; got {window!r}",
            argument="window",
            value=window,
        )
    if window < 1:
        raise DomainError(
            f"{func}: the 'window' parameter must be at least 1 month; got {window!r}",
            argument="window",
            value=window,
        )
    return int(window)


def trailing_retention(customer_ids, months=None, mrr=None, *, window=12) -> pd.DataFrame:
    """Net and gross revenue retention over a trailing window (12 months by default).

    Parameters
    ----------
    customer_ids : sequence, DataFrame or Ledger
        Customer id of each row, or a whole export (see :func:`mrr_movements`).
    months, mrr : sequence
        Month and MRR of each row.
    window : int, default 12
        Months between the base month and the month measured.

    Returns
    -------
    DataFrame
        One row per month: ``month``; ``start_mrr``, the MRR ``window`` months earlier of the
        customers paying then; their ``expansion``, ``contraction`` and ``churned`` MRR from
        then to now; ``nrr`` and ``grr`` (NaN for the first ``window`` months).

    Notes
    -----
    Point to point, as ChartMogul and saas-metrics compute the 12-month NRR: take the customers
    paying in month ``t - window``, compare each one's MRR now with its MRR then. ``nrr`` is
    :func:`xl_kpi.metrics.nrr` and ``grr`` :func:`xl_kpi.metrics.grr` of those amounts (S4), so
    GRR counts each customer at most at its starting MRR. New customers since then are left
    out; a base customer who left and came back counts at its MRR now. Higher is better.

    Examples
    --------
    Customer ``a`` paid 100 in January 2023 and pays 150 in January 2024; ``b`` paid 100 and
    left. What is the 12-month NRR?

    >>> t = trailing_retention(["a", "b", "a"], ["2023-01", "2023-01", "2024-01"], [100, 100, 150])
    >>> t.iloc[-1][["start_mrr", "expansion", "churned", "nrr", "grr"]].astype(float).tolist()
    [200.0, 50.0, 100.0, 0.75, 0.5]
    """
    window = _check_window("trailing_retention", window)
    ledger = as_ledger("trailing_retention", customer_ids, months, mrr)
    w = _window_arrays(ledger, window)
    frame = pd.DataFrame({"month": ledger.months, **w})
    frame["nrr"] = nrr(w["start_mrr"], w["expansion"], w["contraction"], w["churned"], errors="coerce")
    frame["grr"] = grr(w["start_mrr"], w["contraction"], w["churned"], errors="coerce")
    frame.attrs["notes"] = list(ledger.notes)
    return frame


def _kpi_frame(ledger: Ledger, window: int) -> pd.DataFrame:
    a = movement_arrays(ledger)
    frame = movements_frame(ledger, a)
    start, end = a["start_mrr"], a["end_mrr"]
    frame["arr"] = arr(end, errors="coerce")
    frame["arpa"] = arpu(end, a["customers"], errors="coerce")
    for key in ("start_customers", "new_customers", "reactivated_customers", "churned_customers"):
        frame[key] = a[key]
    frame["logo_churn"] = churn(a["churned_customers"], a["start_customers"], errors="coerce")
    frame["revenue_churn"] = revenue_churn(a["churned"], start, a["contraction"], errors="coerce")
    frame["net_revenue_churn"] = net_revenue_churn(
        a["churned"], start, a["contraction"], a["expansion"], errors="coerce"
    )
    frame["nrr"] = nrr(start, a["expansion"], a["contraction"], a["churned"], errors="coerce")
    frame["grr"] = grr(start, a["contraction"], a["churned"], errors="coerce")
    w = _window_arrays(ledger, window)
    nrr_w, grr_w = trailing_columns(window)
    frame[nrr_w] = nrr(w["start_mrr"], w["expansion"], w["contraction"], w["churned"], errors="coerce")
    frame[grr_w] = grr(w["start_mrr"], w["contraction"], w["churned"], errors="coerce")
    frame["quick_ratio"] = quick_ratio(
        a["new"], a["expansion"], a["contraction"], a["churned"], a["reactivation"], errors="coerce"
    )
    frame["mrr_growth"] = mrr_growth(start, end, errors="coerce")
    return frame


def monthly_kpis(customer_ids, months=None, mrr=None, *, by=None, window=12) -> pd.DataFrame:
    """The monthly KPI table of a billing export: MRR movements, churn, NRR, GRR, quick ratio.

    Parameters
    ----------
    customer_ids : sequence, DataFrame or Ledger
        Customer id of each row, or a whole export (see :func:`mrr_movements`).
    months, mrr : sequence
        Month and MRR of each row.
    by : str, optional
        An attribute of the ledger (``"segment"``, ``"plan"``, or a column kept with
        ``load_ledger(..., attributes=[...])``): one block of months per group, with the group
        label as first column. Each customer belongs to the group of its last paying row, so the
        groups add up to the total.
    window : int, default 12
        Months of the trailing NRR and GRR, named for it: ``nrr_12m`` and ``grr_12m`` by
        default, ``nrr_3m`` and ``grr_3m`` for 3 (:func:`trailing_columns`).

    Returns
    -------
    DataFrame
        The columns of :func:`mrr_movements` (contraction and churned as positive amounts;
        :func:`~xl_kpi.subscriptions.signed_movements` shows them negative, as the Dashboard and
        ``xl-kpi report`` do), then:

        - ``arr`` = end MRR x 12 (:func:`~xl_kpi.metrics.arr`);
        - ``arpa`` = end MRR / customers (:func:`~xl_kpi.metrics.arpu`, S1);
        - ``start_customers``, ``new_customers``, ``reactivated_customers``,
          ``churned_customers``: counts;
        - ``logo_churn`` = churned customers / customers at the start of the month
          (:func:`~xl_kpi.metrics.churn`, S2 base);
        - ``revenue_churn`` = (churned + contraction) / start MRR, gross
          (:func:`~xl_kpi.metrics.revenue_churn`, ChartMogul);
        - ``net_revenue_churn`` = (churned + contraction - expansion) / start MRR;
        - ``nrr``, ``grr``: monthly (:func:`~xl_kpi.metrics.nrr`, S4; :func:`~xl_kpi.metrics.grr`);
        - ``nrr_12m``, ``grr_12m`` (``nrr_{window}m``...): over the trailing window, point to point
          (:func:`trailing_retention`);
        - ``quick_ratio`` = (new + expansion + reactivation) / (contraction + churned)
          (:func:`~xl_kpi.metrics.quick_ratio`);
        - ``mrr_growth`` = end / start - 1 (:func:`~xl_kpi.metrics.mrr_growth`).

        NaN where a ratio is undefined (a zero denominator). Rates are fractions.

    Notes
    -----
    Monthly NRR and GRR leave new customers and reactivations out (S4); the quick ratio counts
    reactivations as gains. Lower churn is better; higher NRR, GRR and quick ratio are better.

    Examples
    --------
    ChartMogul's example: start MRR 100; one customer expands by 10, one contracts by 10, one
    churns 10. What are the month's revenue churn, NRR and GRR?

    >>> t = monthly_kpis(["a", "b", "c", "a", "b"], ["2024-01"] * 3 + ["2024-02"] * 2,
    ...                  [50, 40, 10, 60, 30])
    >>> t.iloc[1][["revenue_churn", "net_revenue_churn", "nrr", "grr", "logo_churn"]].astype(float).round(4).tolist()
    [0.2, 0.1, 0.9, 0.8, 0.3333]
    """
    window = _check_window("monthly_kpis", window)
    ledger = as_ledger("monthly_kpis", customer_ids, months, mrr)
    if by is None:
        return _kpi_frame(ledger, window)
    parts = []
    for label, part in ledger.groups(by).items():
        frame = _kpi_frame(part, window)
        frame.insert(0, by, label)
        parts.append(frame)
    out = pd.concat(parts, ignore_index=True)
    out.attrs["notes"] = list(ledger.notes)
    return out

