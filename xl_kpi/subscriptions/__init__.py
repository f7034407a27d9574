"""Subscription analytics: from a raw billing export to MRR movements, cohorts and retention.

A billing export (one row per customer and month, or per invoice line) is checked and normalized
once into a :class:`Ledger` (:func:`load_ledger` from a file or DataFrame, :func:`build_ledger`
from sequences); every table is then computed from it, vectorized over the whole export:

- :func:`mrr_movements`: start MRR, new, expansion, contraction, churned, reactivation, net new,
  end MRR and customers, month by month (the spilled table of ``KPI_MRR_MOVEMENTS``);
- :func:`cohorts`: customers or MRR by month of first payment and age (``KPI_COHORTS``);
- :func:`trailing_retention`: NRR and GRR over a trailing window (12 months by default), point to
  point;
- :func:`monthly_kpis`: all of it with logo and revenue churn, NRR, GRR and the quick ratio, by
  segment if asked.

The functions taking ``(customer_ids, months, mrr)`` also take a Ledger or a DataFrame alone.
Definitions and the choices about messy data are in :mod:`~xl_kpi.subscriptions.ledger` and
:mod:`~xl_kpi.subscriptions.movements`; every ratio is computed by :mod:`xl_kpi.metrics`.
"""

from .cohorts import MEASURES, cohorts
from .kpis import KPI_COLUMNS, monthly_kpis, trailing_columns, trailing_retention
from .ledger import Ledger, build_ledger
from .load import load_ledger, read_table
from .movements import LOSSES, MOVEMENT_COLUMNS, mrr_movements, signed_movements
from .read import ExportFileError

__all__ = [
    "Ledger",
    "build_ledger",
    "load_ledger",
    "read_table",
    "ExportFileError",
    "mrr_movements",
    "signed_movements",
    "cohorts",
    "trailing_retention",
    "trailing_columns",
    "monthly_kpis",
    "MOVEMENT_COLUMNS",
    "LOSSES",
    "KPI_COLUMNS",
    "MEASURES",
]
