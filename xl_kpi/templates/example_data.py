"""The example company: Nimbus Ledger, a fictional French B2B SaaS selling invoicing software.

Twenty-four months (January 2024 to December 2025) of every input of the template, made by a
small model rather than typed, so the figures hold together: customers and MRR roll forward
month to month, the funnel narrows stage by stage, the survey answers add up to the NPS and
CSAT counts, and the balance sheet balances. Acquisition follows a French calendar (a slow
August, a slow late December, busy January, March and September); churn falls slowly as the
product matures. One bad month: March 2025, when a two-day outage brings a churn spike, lost
and downgraded MRR, a flood of tickets and a collapse of the NPS.

The Subscriptions sheet holds a billing ledger of one customer in ten, made from these figures
(:mod:`xl_kpi.templates.example_ledger`).

The noise comes from a seeded :class:`random.Random` using ``random()`` only, so the data are
the same on every machine and every Python version.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

__all__ = ["Example", "example", "COMPANY", "START", "MONTHS", "BAD_MONTH"]

COMPANY = "Nimbus Ledger"
START = date(2024, 1, 1)
MONTHS = 24
#: Index of the bad month (March 2025: the outage).
BAD_MONTH = 14

# Acquisition seasonality by calendar month (Jan .. Dec).
_SEASON = (1.08, 1.0, 1.1, 1.0, 0.96, 1.0, 0.82, 0.62, 1.15, 1.1, 1.04, 0.8)


@dataclass(frozen=True)
class Example:
    """The example's inputs: month dates, one list of 24 values per input row, survey answers,
    and the billing ledger of the Subscriptions sheet."""

    months: list[date]
    inputs: dict[str, list[float]]
    survey_nps: list[list[int]] = field(default_factory=list)  # per month, the scores 0-10
    survey_csat: list[list[int]] = field(default_factory=list)  # per month, the scores 1-5
    ledger: list = field(default_factory=list)  # example_ledger.LedgerRow, by month then customer
    currency: str = "EUR"  # of every amount (number formats of the money cells)


def _month(i: int) -> date:
    return date(START.year + (START.month - 1 + i) // 12, (START.month - 1 + i) % 12 + 1, 1)


class _Noise:
    def __init__(self, seed: int):
        self._r = random.Random(seed)

    def __call__(self, spread: float) -> float:
        """A factor in [1 - spread, 1 + spread]."""
        return 1.0 + spread * (2.0 * self._r.random() - 1.0)

    def pick(self, options: tuple[int, ...]) -> int:
        return options[int(self._r.random() * len(options))]

    def shuffle(self, items: list[int]) -> list[int]:
        items = list(items)
        for i in range(len(items) - 1, 0, -1):
            j = int(self._r.random() * (i + 1))
            items[i], items[j] = items[j], items[i]
        return items


def example() -> Example:
    """Build the example's 24 months (the same every call)."""
    n = _Noise(2024)
    months = [_month(i) for i in range(MONTHS)]
    rows: dict[str, list[float]] = {}

    def put(key: str, value: float) -> None:
        rows.setdefault(key, []).append(value)

    customers = 380
    mrr = 156_000.0
    equity = 2_600_000.0
    debt = 600_000.0
    for i, month in enumerate(months):
        bad = i == BAD_MONTH
        season = _SEASON[month.month - 1]
        trend = 1.018**i
        # -- acquisition funnel: each stage a share of the one above ---------------------------
        visitors = round(36_000 * season * trend * n(0.06))
        contacts = round(visitors * 0.058 * n(0.08))
        leads = round(contacts * 0.41 * n(0.08))
        mql = round(leads * 0.47 * n(0.08))
        sal = round(mql * 0.62 * n(0.08))
        sql = round(sal * 0.55 * n(0.08))
        new = round(sql * 0.135 * n(0.12) * (0.75 if bad else 1.0))
        pql = round(58 * season * trend * n(0.1))
        pql_converted = round(pql * 0.16 * n(0.2))
        # -- customers -------------------------------------------------------------------------
        churn_rate = (0.0088 - 0.00012 * i) * n(0.25)
        if bad:
            churn_rate = 0.031
        churned = max(1, round(customers * churn_rate))
        start_customers, customers = customers, customers + new - churned
        # -- MRR movements ---------------------------------------------------------------------
        arpa = mrr / start_customers
        mrr_new = round(new * 430 * 1.005**i * n(0.1))
        expansion = round(mrr * 0.019 * n(0.2))
        contraction = round(mrr * (0.017 if bad else 0.0055) * n(0.2))
        mrr_churned = round(churned * arpa * 0.9 * n(0.1))
        reactivation = round(n.pick((0, 0, 1, 1, 2)) * arpa * n(0.1))
        mrr_start = mrr
        mrr = mrr + mrr_new + expansion + reactivation - contraction - mrr_churned
        services = new * 600 * n(0.15)
        revenue = round((mrr_start + mrr) / 2 + services)
        upsells = round(start_customers * 0.03 * n(0.3))
        # -- costs -----------------------------------------------------------------------------
        cost_sales = round(92_000 * 1.01**i * n(0.03))
        cost_marketing = round(68_000 * season * 1.01**i * n(0.08))
        cost_tools = round(4_200 * 1.008**i)
        cost_training = round((4_800 if month.month in (1, 9) else 1_600) * n(0.1))
        cost_cs = round(24_500 * 1.01**i * n(0.02))
        cost_loyalty = round((13_500 if month.month == 6 else 2_100) * n(0.1))
        infrastructure = round(mrr_start * 0.105 * n(0.05) * (1.25 if bad else 1.0))
        # -- satisfaction and support ----------------------------------------------------------
        nps_answers = round(46 * n(0.25))
        promoter_share = 0.28 if bad else (0.50 + 0.0035 * i) * n(0.1)
        detractor_share = 0.42 if bad else (0.14 - 0.0015 * i) * n(0.2)
        promoters = round(nps_answers * promoter_share)
        detractors = round(nps_answers * detractor_share)
        passives = nps_answers - promoters - detractors
        tickets = round(start_customers * 0.72 * n(0.1) * (2.3 if bad else 1.0))
        fcr = round(tickets * (0.47 if bad else 0.72 * n(0.05)))
        csat_answers = round(tickets * 0.15 * n(0.15))
        csat_positive = round(csat_answers * (0.61 if bad else 0.86 * n(0.04)))
        # -- finance: margin, profit, a balance sheet that balances ----------------------------
        gross_margin = round((0.74 + 0.0025 * i) * n(0.01) - (0.04 if bad else 0.0), 4)
        rnd = 46_000 * 1.01**i
        g_and_a = 19_000 * 1.008**i
        opex = cost_sales + cost_marketing + cost_tools + cost_training + cost_cs + cost_loyalty + rnd + g_and_a
        interest = round(debt * 0.075 / 12)
        ebit = round(revenue * gross_margin - opex)
        net_profit = ebit - interest
        if i in (11, 23):
            debt -= 100_000  # yearly repayment of the venture debt
        equity += net_profit
        receivables = round(revenue * 0.95 * n(0.08))
        current_liabilities = round(mrr * 1.6 + 62_000 * n(0.1))
        total_assets = round(equity + debt + current_liabilities)
        current_assets = total_assets - 160_000
        cash = current_assets - receivables - 24_000

        for key, value in (
            ("visitors", visitors), ("contacts", contacts), ("leads", leads), ("mql", mql),
            ("sal", sal), ("sql", sql), ("new_customers", new), ("pql", pql),
            ("pql_converted", pql_converted),
            ("customers_start", start_customers), ("customers_end", customers),
            ("churned_customers", churned),
            ("mrr_start", mrr_start), ("mrr_new", mrr_new), ("mrr_expansion", expansion),
            ("mrr_contraction", contraction), ("mrr_churned", mrr_churned),
            ("mrr_reactivation", reactivation), ("revenue", revenue), ("sales", new + upsells),
            ("contract_months", round(13.5 + 0.1 * i, 1)),
            ("cost_sales", cost_sales), ("cost_marketing", cost_marketing), ("cost_tools", cost_tools),
            ("cost_training", cost_training), ("cost_cs_staff", cost_cs), ("cost_loyalty", cost_loyalty),
            ("cost_infrastructure", infrastructure),
            ("nps_promoters", promoters), ("nps_passives", passives), ("nps_detractors", detractors),
            ("csat_positive", csat_positive), ("csat_responses", csat_answers),
            ("tickets", tickets), ("tickets_fcr", fcr),
            ("net_profit", net_profit), ("gross_margin", gross_margin), ("ebit", ebit),
            ("interest", interest), ("current_assets", current_assets),
            ("current_liabilities", current_liabilities), ("cash", cash), ("receivables", receivables),
            ("debt", debt), ("equity", round(equity)), ("total_assets", total_assets),
        ):
            put(key, value)

    nps_scores, csat_scores = [], []
    for i in range(MONTHS):
        p, pa, d = (int(rows[k][i]) for k in ("nps_promoters", "nps_passives", "nps_detractors"))
        answers = ([n.pick((9, 10, 10)) for _ in range(p)] + [n.pick((7, 8, 8)) for _ in range(pa)]
                   + [n.pick((0, 2, 3, 4, 5, 5, 6, 6, 6)) for _ in range(d)])
        nps_scores.append(n.shuffle(answers))
        pos, total = int(rows["csat_positive"][i]), int(rows["csat_responses"][i])
        answers = [n.pick((4, 5, 5)) for _ in range(pos)] + [n.pick((1, 2, 3, 3)) for _ in range(total - pos)]
        csat_scores.append(n.shuffle(answers))
    from .example_ledger import example_ledger

    return Example(months, rows, nps_scores, csat_scores, example_ledger(rows, months))
