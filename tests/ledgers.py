"""Hand-built subscription ledgers and their expected tables, worked out by hand.

Shared by the Python tests of :mod:`xl_kpi.subscriptions` and, later, the UDF and recalculation
layers (``KPI_MRR_MOVEMENTS``, ``KPI_COHORTS``): each ledger is three parallel tuples
(``customer_ids``, ``months`` as ``"YYYY-MM"`` text, ``mrr``) and the expected tables, with the
hand calculation in comments. ``excel_serial`` turns a month into the number an Excel date cell
holds. ``None`` in an expected table is a cell without a value (NaN in Python, ``#DIV/0!`` for a
ratio in Excel, an empty cohort cell after the last month).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

MOVEMENT_HEADER = (
    "month", "start_mrr", "new", "expansion", "contraction", "churned", "reactivation",
    "net_new", "end_mrr", "customers",
)


@dataclass(frozen=True)
class HandLedger:
    """A small ledger and what every table of it must be."""

    name: str
    customer_ids: tuple
    months: tuple
    mrr: tuple
    movements: tuple  # rows in MOVEMENT_HEADER order, month as "YYYY-MM"
    logos: tuple = ()  # cohort matrix rows, ages 0..N-1, None beyond the last month
    revenue: tuple = ()
    counts: dict = field(default_factory=dict)  # per-month lists: new_customers, ...
    kpis: dict = field(default_factory=dict)  # per-month lists of ratios, None where undefined
    source: str = "hand"


def excel_serial(month: str, day: int = 1) -> float:
    """The Excel serial number (days since 1899-12-30) of a day of a ``"YYYY-MM"`` month."""
    year, mon = map(int, month.split("-")[:2])
    return float((dt.date(year, mon, day) - dt.date(1899, 12, 30)).days)


def _rows(*rows):
    ids, months, mrr = zip(*rows)
    return {"customer_ids": ids, "months": months, "mrr": mrr}


# -- every movement kind ---------------------------------------------------------------------------
# Five months, six customers (two rows for E in March; D has an explicit 0 row in April):
#
#            Jan   Feb   Mar   Apr   May
#   A        100   100   150   150   150     new Jan; expansion +50 Mar
#   B        200   120   120    -     80     contraction -80 Feb; churned 120 Apr; reactivation 80 May
#   C         50    50    -     -     -      churned 50 Mar (first month without MRR)
#   D         -    300   300    0    300     new Feb; churned 300 Apr (0 = not paying); reactivation May
#   E         -     -   40+60  100   130     new 100 Mar (rows summed); expansion +30 May
#   F         -     -     -     -     70     new May
#
#   Jan: start 0;   new 100+200+50 = 350;                     end 350;  3 customers
#   Feb: start 350; new 300 (D); contraction 80 (B);          net +220; end 570; 4 customers
#   Mar: start 570; new 100 (E); expansion 50 (A); churned 50 (C); net +100; end 670; 4 customers
#   Apr: start 670; churned 120 (B) + 300 (D) = 420;          net -420; end 250; 2 customers
#   May: start 250; new 70 (F); expansion 30 (E); reactivation 80 (B) + 300 (D) = 380;
#        net 70 + 30 + 380 = 480;                                       end 730; 5 customers
EVERY_MOVEMENT = HandLedger(
    name="every-movement",
    **_rows(
        ("A", "2024-01", 100), ("B", "2024-01", 200), ("C", "2024-01", 50),
        ("A", "2024-02", 100), ("B", "2024-02", 120), ("C", "2024-02", 50), ("D", "2024-02", 300),
        ("A", "2024-03", 150), ("B", "2024-03", 120), ("D", "2024-03", 300),
        ("E", "2024-03", 40), ("E", "2024-03", 60),
        ("A", "2024-04", 150), ("D", "2024-04", 0), ("E", "2024-04", 100),
        ("A", "2024-05", 150), ("B", "2024-05", 80), ("D", "2024-05", 300), ("E", "2024-05", 130),
        ("F", "2024-05", 70),
    ),
    movements=(
        ("2024-01", 0, 350, 0, 0, 0, 0, 350, 350, 3),
        ("2024-02", 350, 300, 0, 80, 0, 0, 220, 570, 4),
        ("2024-03", 570, 100, 50, 0, 50, 0, 100, 670, 4),
        ("2024-04", 670, 0, 0, 0, 420, 0, -420, 250, 2),
        ("2024-05", 250, 70, 30, 0, 0, 380, 480, 730, 5),
    ),
    # Cohort = month of first MRR > 0. Jan: A, B, C; Feb: D; Mar: E; Apr: nobody; May: F.
    #   Jan cohort paying at ages 0..4: {A,B,C} {A,B,C} {A,B} {A} {A,B}   -> 3 3 2 1 2
    #   Feb cohort (D): Feb, Mar, (Apr at 0), May                           -> 1 1 0 1
    #   Mar cohort (E): Mar, Apr, May                                       -> 1 1 1
    #   Apr cohort: empty                                                   -> 0 0
    #   May cohort (F)                                                      -> 1
    logos=(
        (3, 3, 2, 1, 2),
        (1, 1, 0, 1, None),
        (1, 1, 1, None, None),
        (0, 0, None, None, None),
        (1, None, None, None, None),
    ),
    #   Jan cohort MRR: 350; Feb 100+120+50 = 270; Mar 150+120 = 270; Apr 150; May 150+80 = 230
    #   Feb cohort: 300 300 0 300;  Mar cohort: 100 100 130;  May cohort: 70
    revenue=(
        (350, 270, 270, 150, 230),
        (300, 300, 0, 300, None),
        (100, 100, 130, None, None),
        (0, 0, None, None, None),
        (70, None, None, None, None),
    ),
    counts={
        "start_customers": [0, 3, 4, 4, 2],
        "new_customers": [3, 1, 1, 0, 1],
        "reactivated_customers": [0, 0, 0, 0, 2],
        "churned_customers": [0, 0, 1, 2, 0],
    },
    kpis={
        # logo churn = churned customers / customers at the start: -, 0/3, 1/4, 2/4, 0/2
        "logo_churn": [None, 0.0, 0.25, 0.5, 0.0],
        # gross revenue churn = (churned + contraction) / start: -, 80/350, 50/570, 420/670, 0/250
        "revenue_churn": [None, 80 / 350, 50 / 570, 420 / 670, 0.0],
        # NRR = (start - contraction - churned + expansion) / start
        "nrr": [None, 270 / 350, 570 / 570, 250 / 670, 280 / 250],
        # GRR = (start - contraction - churned) / start
        "grr": [None, 270 / 350, 520 / 570, 250 / 670, 1.0],
        # quick ratio = (new + expansion + reactivation) / (contraction + churned); May has no loss
        "quick_ratio": [None, 300 / 80, 150 / 50, 0.0, None],
    },
)

# -- ChartMogul's MRR churn example ----------------------------------------------------------------
# "Start MRR 100, churned 10, contraction 10 -> gross MRR churn 20 %; with expansion 10 -> net MRR
# churn 10 %; GRR 80 %" (ChartMogul, measurements.md).
#   Jan: a 50 + b 40 + c 10 = 100.  Feb: a 60 (expansion 10), b 30 (contraction 10), c gone (10).
#   Feb: start 100; net = 10 - 10 - 10 = -10; end 90; NRR (100 - 10 - 10 + 10) / 100 = 0.9
CHARTMOGUL_MRR_CHURN = HandLedger(
    name="chartmogul-mrr-churn",
    **_rows(
        ("a", "2024-01", 50), ("b", "2024-01", 40), ("c", "2024-01", 10),
        ("a", "2024-02", 60), ("b", "2024-02", 30),
    ),
    movements=(
        ("2024-01", 0, 100, 0, 0, 0, 0, 100, 100, 3),
        ("2024-02", 100, 0, 10, 10, 10, 0, -10, 90, 2),
    ),
    logos=((3, 2), (0, None)),
    revenue=((100, 90), (0, None)),
    kpis={
        "revenue_churn": [None, 0.2],
        "net_revenue_churn": [None, 0.1],
        "grr": [None, 0.8],
        "nrr": [None, 0.9],
    },
    source="ChartMogul: start MRR 100, churned 10, contraction 10, expansion 10",
)

# -- ChartMogul's customer churn example -----------------------------------------------------------
# "100 customers at the start of the month, 11 cancel, 1 of them joined this month -> 10 %".
# At monthly grain the customer who joins in February shows as a February row: new in February,
# churned in March (its first month without MRR). February's churn is the 10 of the 100 who were
# there on the 1st: 10 / 100 = 10 %, as ChartMogul says; the joiner counts in March: 1 / 91.
#   Jan: 100 customers x 10 = 1000.  Feb: 90 stay (c010..c099), n001 joins at 10: end 910.
#   Mar: the 90 stay, n001 gone: churned 10, end 900.
_base = [f"c{i:03d}" for i in range(100)]
CHARTMOGUL_CUSTOMER_CHURN = HandLedger(
    name="chartmogul-customer-churn",
    **_rows(
        *[(c, "2024-01", 10) for c in _base],
        *[(c, "2024-02", 10) for c in _base[10:]], ("n001", "2024-02", 10),
        *[(c, "2024-03", 10) for c in _base[10:]],
    ),
    movements=(
        ("2024-01", 0, 1000, 0, 0, 0, 0, 1000, 1000, 100),
        ("2024-02", 1000, 10, 0, 0, 100, 0, -90, 910, 91),
        ("2024-03", 910, 0, 0, 0, 10, 0, -10, 900, 90),
    ),
    logos=((100, 90, 90), (1, 0, None), (0, None, None)),
    revenue=((1000, 900, 900), (10, 0, None), (0, None, None)),
    counts={"start_customers": [0, 100, 91], "churned_customers": [0, 10, 1]},
    kpis={"logo_churn": [None, 0.1, 1 / 91]},
    source="ChartMogul: 100 customers at the start, 11 cancel, 1 of whom joined this month -> 10 %",
)

# -- Trailing 12-month NRR / GRR -------------------------------------------------------------------
# 14 months, 2023-01 to 2024-02:
#   a: 100 every month                                  flat
#   b: 200 from 2023-01 to 2023-06, then gone           churned 200 in 2023-07
#   c: 100 through 2023-12, 150 from 2024-01            expansion +50 in 2024-01
#   d: 100 from 2023-01 to 2023-03, back at 80 from 2023-11   churned 2023-04, reactivation 2023-11
#   e: 50 from 2023-06 on                               new in 2023-06, never in a 12-month base
# 2024-01 against 2023-01: base a 100 + b 200 + c 100 + d 100 = 500;
#   now a 100, b 0 (churned 200), c 150 (expansion 50), d 80 (contraction 20; it left and came
#   back, point to point it counts at its MRR now): 100 + 150 + 80 = 330.
#   NRR = (500 - 20 - 200 + 50) / 500 = 330 / 500 = 0.66;  GRR = (500 - 20 - 200) / 500 = 0.56.
#   2024-02 against 2023-02: the same figures.
_months14 = [f"2023-{m:02d}" for m in range(1, 13)] + ["2024-01", "2024-02"]
_t12 = []
for i, mo in enumerate(_months14):
    _t12.append(("a", mo, 100))
    if i < 6:
        _t12.append(("b", mo, 200))
    _t12.append(("c", mo, 100 if i < 12 else 150))
    if i < 3 or i >= 10:
        _t12.append(("d", mo, 100 if i < 3 else 80))
    if i >= 5:
        _t12.append(("e", mo, 50))
TRAILING_12 = HandLedger(
    name="trailing-12",
    **_rows(*_t12),
    movements=(),
    kpis={
        "nrr_12m": [None] * 12 + [0.66, 0.66],
        "grr_12m": [None] * 12 + [0.56, 0.56],
        "window_start_mrr": [0] * 12 + [500, 500],
    },
)

#: The ledgers whose movements and cohorts every layer checks.
LEDGERS = (EVERY_MOVEMENT, CHARTMOGUL_MRR_CHURN, CHARTMOGUL_CUSTOMER_CHURN)
