"""Nimbus Ledger's billing ledger: the rows of the example's Subscriptions sheet.

One row per paying customer and month (customer id, month, MRR, plan, country) for one
customer in ten of the example company (:mod:`xl_kpi.templates.example_data`), over the same
24 months. The ledger is made from the Inputs model month by month, so it follows the company:
it starts with a tenth of its customers and MRR; each month a tenth of its new customers join,
customers leave at its churn rate, and upgrades, downgrades and returns add up to about a tenth
of its expansion, contraction and reactivation MRR (each tracked as a running quota, so a
fraction left over one month carries to the next). March 2025, the outage, loses three
customers and downgrades three more on top of the quotas. Customers in the first month count as
new in the ledger, which starts there.

A sample of a few dozen customers is lumpier than the company: the ledger's MRR stays near a
tenth of the Inputs sheet's, not a tenth of each movement. The noise comes from a seeded
:class:`random.Random` using ``random()`` only, so the rows are the same on every machine.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

__all__ = ["LedgerRow", "example_ledger", "SAMPLE", "PLANS", "ADDON", "COUNTRIES"]

#: The ledger holds one customer in ``SAMPLE`` of the example company.
SAMPLE = 10
#: Plans and their monthly price (EUR), cheapest first; the share of new customers on each.
PLANS = (("Starter", 149.0, 0.35), ("Pro", 349.0, 0.45), ("Business", 790.0, 0.20))
#: Monthly price of one add-on (an extra pack of users or the e-invoicing module).
ADDON = 59.0
#: Country of the customer (the ledger's segment column) and its share.
COUNTRIES = (("FR", 0.70), ("BE", 0.15), ("CH", 0.10), ("LU", 0.05))
#: Customers the outage month loses, and downgrades, on top of the quotas.
_OUTAGE_CHURN = 3
_OUTAGE_DOWNGRADES = 3


@dataclass(frozen=True)
class LedgerRow:
    """One row of the ledger: what a customer paid for one month."""

    customer: str
    month: date
    mrr: float
    plan: str
    country: str


@dataclass
class _Customer:
    id: str
    plan: int  # index in PLANS
    addons: int
    country: str
    active: bool = True
    left_at: int = -1  # month index it churned

    @property
    def mrr(self) -> float:
        return PLANS[self.plan][1] + ADDON * self.addons


class _Model:
    def __init__(self, seed: int):
        self.r = random.Random(seed)
        self.customers: list[_Customer] = []

    def weighted(self, options) -> int:
        x, acc = self.r.random(), 0.0
        for i, option in enumerate(options):
            acc += option[-1]
            if x < acc:
                return i
        return len(options) - 1

    def join(self) -> _Customer:
        c = _Customer(f"NL-{1001 + len(self.customers)}", self.weighted(PLANS),
                      int(self.r.random() * 3) if self.r.random() < 0.5 else 0,
                      COUNTRIES[self.weighted(COUNTRIES)][0])
        self.customers.append(c)
        return c

    def pick(self, pool: list[_Customer]) -> _Customer:
        return pool[int(self.r.random() * len(pool))]

    def active(self) -> list[_Customer]:
        return [c for c in self.customers if c.active]


def example_ledger(inputs: dict[str, list[float]], months: list[date], *, seed: int = 2025) -> list[LedgerRow]:
    """The ledger of one customer in :data:`SAMPLE`, from the example's Inputs rows.

    Rows are sorted by month, then customer id, like a monthly billing export.
    """
    from .example_data import BAD_MONTH

    m = _Model(seed)
    start = round(inputs["customers_start"][0] / SAMPLE)
    for _ in range(start):
        m.join()
    quota = {"new": 0.0, "churn": 0.0, "expansion": 0.0, "contraction": 0.0, "reactivation": 0.0}
    rows: list[LedgerRow] = []
    for i, month in enumerate(months):
        if i > 0:  # the first month is the customers the ledger starts with
            _move(m, inputs, i, quota, outage=i == BAD_MONTH)
        for c in sorted(m.active(), key=lambda c: c.id):
            rows.append(LedgerRow(c.id, month, c.mrr, PLANS[c.plan][0], c.country))
    return rows


def _move(m: _Model, inputs: dict[str, list[float]], i: int, quota: dict[str, float], *, outage: bool) -> None:
    """One month of the sample: churn, downgrades, upgrades, returns, then new customers."""
    arpa = inputs["mrr_start"][i] / inputs["customers_start"][i]
    quota["churn"] += len(m.active()) * inputs["churned_customers"][i] / inputs["customers_start"][i]
    leaving = int(quota["churn"]) + (_OUTAGE_CHURN if outage else 0)
    quota["churn"] -= int(quota["churn"])
    for _ in range(min(leaving, len(m.active()) - 1)):
        c = m.pick(m.active())
        c.active, c.left_at = False, i
    quota["contraction"] += inputs["mrr_contraction"][i] / SAMPLE
    downgrades = _OUTAGE_DOWNGRADES if outage else 0
    while quota["contraction"] >= ADDON or downgrades:
        pool = [c for c in m.active() if c.addons or c.plan]
        c = m.pick(pool)
        before = c.mrr
        if c.addons:
            c.addons -= 1
        else:
            c.plan -= 1
        quota["contraction"] -= before - c.mrr
        downgrades = max(0, downgrades - 1)
    quota["expansion"] += inputs["mrr_expansion"][i] / SAMPLE
    while quota["expansion"] >= ADDON:
        c = m.pick(m.active())
        before = c.mrr
        if c.plan + 1 < len(PLANS) and m.r.random() < 0.3:
            c.plan += 1
        else:
            c.addons += 1
        quota["expansion"] -= c.mrr - before
    quota["reactivation"] += inputs["mrr_reactivation"][i] / arpa / SAMPLE
    gone = [c for c in m.customers if not c.active and c.left_at < i - 1]
    while quota["reactivation"] >= 1 and gone:
        c = m.pick(gone)
        c.active = True
        gone.remove(c)
        quota["reactivation"] -= 1
    quota["new"] += inputs["new_customers"][i] / SAMPLE
    for _ in range(int(quota["new"])):
        m.join()
    quota["new"] -= int(quota["new"])
