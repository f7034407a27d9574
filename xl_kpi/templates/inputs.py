"""The monthly inputs a finance team types: one row each, grouped, with how each rolls up.

The Inputs sheet and the Roll-ups sheet share this layout row for row, so the Dashboard's
formulas for a month and for a quarter are the same formula over a different sheet. Each row
says how a quarter or a year is made from its months:

``sum``
    a flow (visitors, churned customers, MRR movements, costs): the months add up;
``first``
    a stock at the start of the period (customers, MRR): the first month's value;
``last``
    a stock at the end of the period (customers, balance-sheet items): the last month's value;
``weighted``
    a rate (gross margin): the average of the months weighted by another row (revenue);
``average``
    a duration typed per month (average contract length): the plain average.

Validation kinds: ``count`` (whole number >= 0), ``amount`` (number >= 0), ``signed`` (any
number: profits and EBIT can be negative), ``fraction`` (0 to 1, shown as %), ``months``
(number > 0).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "InputRow", "DerivedRow", "GROUPS", "ROWS", "DERIVED", "HEADER_ROW", "FIRST_ROW", "row_of",
    "group_header_row", "rows_by_key", "last_row",
]


@dataclass(frozen=True)
class InputRow:
    """One monthly input: its key (also its label key), group, roll-up rule and validation."""

    key: str
    group: str
    rollup: str  # "sum" | "first" | "last" | "weighted" | "average"
    validation: str  # "count" | "amount" | "signed" | "fraction" | "months"
    weight: str | None = None  # the row weighting a "weighted" roll-up


@dataclass(frozen=True)
class DerivedRow:
    """A roll-up-only row, aggregated from an input row by a rule of its own."""

    key: str
    source: str
    rollup: str


def _rows(group: str, rollup: str, validation: str, *keys: str) -> list[InputRow]:
    return [InputRow(k, group, rollup, validation) for k in keys]


#: Groups in sheet order (each a label key).
GROUPS = ("acquisition", "customers", "revenue", "costs", "satisfaction", "finance")

#: Every input row, in sheet order. Contiguous blocks matter: the list arguments of
#: KPI_CRC (tools .. loyalty), KPI_COST_TO_SERVE (cs_staff .. infrastructure) and KPI_ACID_TEST
#: (cash, receivables) are ranges of adjacent rows, and the funnel stages run visitors .. sql
#: with new customers right after.
ROWS: tuple[InputRow, ...] = tuple(
    _rows("acquisition", "sum", "count",
          "visitors", "contacts", "leads", "mql", "sal", "sql", "new_customers", "pql", "pql_converted")
    + [InputRow("customers_start", "customers", "first", "count"),
       InputRow("customers_end", "customers", "last", "count"),
       InputRow("churned_customers", "customers", "sum", "count")]
    + [InputRow("mrr_start", "revenue", "first", "amount")]
    + _rows("revenue", "sum", "amount",
            "mrr_new", "mrr_expansion", "mrr_contraction", "mrr_churned", "mrr_reactivation", "revenue")
    + [InputRow("sales", "revenue", "sum", "count"),
       InputRow("contract_months", "revenue", "average", "months")]
    + _rows("costs", "sum", "amount",
            "cost_sales", "cost_marketing", "cost_tools", "cost_training", "cost_cs_staff",
            "cost_loyalty", "cost_infrastructure")
    + _rows("satisfaction", "sum", "count",
            "nps_promoters", "nps_passives", "nps_detractors", "csat_positive", "csat_responses",
            "tickets", "tickets_fcr")
    + [InputRow("net_profit", "finance", "sum", "signed"),
       InputRow("gross_margin", "finance", "weighted", "fraction", weight="revenue"),
       InputRow("ebit", "finance", "sum", "signed"),
       InputRow("interest", "finance", "sum", "amount")]
    + _rows("finance", "last", "amount",
            "current_assets", "current_liabilities", "cash", "receivables", "debt", "equity",
            "total_assets")
)

#: Rows only the Roll-ups sheet has. ``customer_months``: the sum over the period of the
#: customers at the start of each month, the base of a per-month churn rate over a quarter or a
#: year (for a single month it is the customers at the start).
DERIVED: tuple[DerivedRow, ...] = (DerivedRow("customer_months", "customers_start", "sum"),)

#: Sheet row of the month header (rows above hold the title and the notes).
HEADER_ROW = 5
#: Sheet row of the first group header; the inputs follow it.
FIRST_ROW = HEADER_ROW + 1


def _layout() -> dict[str, int]:
    """Sheet row of every input and derived row: each group opens with a header row."""
    rows: dict[str, int] = {}
    r = FIRST_ROW
    group = None
    for row in ROWS:
        if row.group != group:
            group = row.group
            r += 1  # the group's header row
        rows[row.key] = r
        r += 1
    r += 1
    for d in DERIVED:
        rows[d.key] = r
        r += 1
    return rows


_ROW_OF = _layout()


def row_of(key: str) -> int:
    """Sheet row of an input (or derived roll-up) row, the same on Inputs and Roll-ups."""
    return _ROW_OF[key]


def group_header_row(group: str) -> int:
    """Sheet row of a group's header."""
    first = next(r for r in ROWS if r.group == group)
    return _ROW_OF[first.key] - 1


def rows_by_key() -> dict[str, InputRow]:
    return {r.key: r for r in ROWS}


def last_row() -> int:
    """The last sheet row used by the layout (the last derived row)."""
    return max(_ROW_OF.values())
