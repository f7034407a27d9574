"""What the Dashboard computes: one row per KPI, each a formula over the input rows.

A row's formula is written once, as a template, and rendered for every block of columns of the
Dashboard: the 24 months (over the Inputs sheet) and the quarters and years (over the Roll-ups
sheet, which holds the same rows aggregated). Placeholders:

``{key}``
    an input row (:mod:`xl_kpi.templates.inputs`) over the columns being computed;
``{key@prev}``
    the same row one period earlier (growth rows; the first period of a block stays empty);
``{@kpi}``
    another Dashboard row over the same columns;
``{list:name}``
    a block of rows for one column, the list argument of KPI_CRC, KPI_COST_TO_SERVE,
    KPI_ACID_TEST, or the survey answers of KPI_NPS and KPI_CSAT (see :data:`LISTS`).

Row shapes: ``spill`` rows are one array formula over a whole block (``=KPI_CHURN(Inputs!C14:Z14,
Inputs!C12:Z12)`` over C..Z); ``cell`` rows, whose list argument aggregates, are one formula per
column; ``shifted`` rows compare each period with the one before; ``rollup`` rows exist only in
the quarterly and yearly columns.

The workbook holds no KPI arithmetic of its own: every KPI is a ``KPI_*`` call (the inputs are
only summed or negated to form an argument, and IF chooses between two sources of one KPI).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Benchmark", "KpiRow", "SECTIONS", "LISTS", "FUNNEL_STAGES", "all_rows"]


@dataclass(frozen=True)
class Benchmark:
    """A reference value, shown in the benchmark column; cells are coloured against it."""

    formula: str  # a number or a formula (without "=")
    better: str  # ">=" or "<="
    fmt: str  # number format of the benchmark cell


@dataclass(frozen=True)
class KpiRow:
    """One Dashboard row."""

    key: str  # also its label key
    formula: str  # template, without the leading "="
    fmt: str  # "money" | "money2" | "pct" | "pct2" | "ratio" | "months" | "points" | "count"
    shape: str = "spill"  # "spill" | "cell" | "shifted" | "rollup"
    benchmark: Benchmark | None = None
    function: str = ""  # the KPI_* functions the row calls, outermost first (for the How-to)


def _k(key, formula, fmt, shape="spill", benchmark=None):
    names = dict.fromkeys(re.findall(r"\bKPI_[A-Z_]+(?=\()", formula))
    return KpiRow(key, formula, fmt, shape, benchmark, ", ".join(names))


#: The list arguments: blocks of adjacent input rows (first, last), or survey answers.
LISTS = {
    "crc_costs": ("cost_tools", "cost_loyalty"),  # tools, training, CS staff, loyalty programmes
    "cts_costs": ("cost_cs_staff", "cost_infrastructure"),  # CS staff, loyalty, infrastructure
    "liquid_assets": ("cash", "receivables"),
    "survey_nps": "nps",
    "survey_csat": "csat",
}

#: The acquisition funnel, top first (adjacent rows of the Inputs sheet).
FUNNEL_STAGES = ("visitors", "contacts", "leads", "mql", "sal", "sql", "new_customers")

_SM = "{cost_sales}+{cost_marketing}"  # sales and marketing spend, people included

#: Benchmarks of the catalogue (S1, S3, S4): LTV:CAC 3:1, NRR 100 %, monthly churn 0.58 %
#: (7 % a year, the catalogue's linear /12 conversion), SaaS average NPS 41.
LTV_CAC_MIN = Benchmark("3", ">=", '"≥ "0.0')
NRR_MIN = Benchmark("1", ">=", '"≥ "0%')
CHURN_MAX = Benchmark('KPI_CHURN_MONTHLY(0.07,"linear")', "<=", '"≤ "0.00%')
NPS_MIN = Benchmark("41", ">=", '"≥ "0')

#: Sections in sheet order: (label key, rows).
SECTIONS: tuple[tuple[str, tuple[KpiRow, ...]], ...] = (
    ("sec_mrr", (
        _k("mrr_new_shown", "{mrr_new}", "money"),
        _k("mrr_expansion_shown", "{mrr_expansion}", "money"),
        _k("mrr_reactivation_shown", "{mrr_reactivation}", "money"),
        _k("mrr_contraction_shown", "-{mrr_contraction}", "money"),
        _k("mrr_churned_shown", "-{mrr_churned}", "money"),
        _k("net_new_mrr",
           "KPI_NET_NEW_MRR({mrr_new},{mrr_expansion},{mrr_contraction},{mrr_churned},{mrr_reactivation})",
           "money"),
        _k("mrr_end", "{mrr_start}+{@net_new_mrr}", "money"),
    )),
    ("sec_revenue", (
        _k("mrr_growth", "KPI_MRR_GROWTH({mrr_start},{@mrr_end})", "pct"),
        _k("arr", "KPI_ARR({@mrr_end})", "money"),
        _k("arpu", "KPI_ARPU({@mrr_end},{customers_end})", "money"),
        _k("average_basket", "KPI_AVERAGE_BASKET({revenue},{sales})", "money"),
        _k("revenue_churn", "KPI_REVENUE_CHURN({mrr_churned},{mrr_start},{mrr_contraction})", "pct2"),
        _k("net_revenue_churn",
           "KPI_NET_REVENUE_CHURN({mrr_churned},{mrr_start},{mrr_contraction},{mrr_expansion})", "pct2"),
        _k("nrr", "KPI_NRR({mrr_start},{mrr_expansion},{mrr_contraction},{mrr_churned})", "pct",
           benchmark=NRR_MIN),
        _k("grr", "KPI_GRR({mrr_start},{mrr_contraction},{mrr_churned})", "pct"),
        _k("quick_ratio",
           "KPI_QUICK_RATIO({mrr_new},{mrr_expansion},{mrr_contraction},{mrr_churned},{mrr_reactivation})",
           "ratio"),
    )),
    ("sec_customers", (
        _k("customers_end_shown", "{customers_end}", "count"),
        _k("churn", "KPI_CHURN({churned_customers},{customer_months})", "pct2", benchmark=CHURN_MAX),
        _k("churn_annual", "KPI_CHURN_ANNUAL({@churn})", "pct"),
        # Over the period, 1 - CRR: with monthly totals KPI_RETENTION(start - lost, start) and
        # KPI_CHURN(lost, start) give the same information, so they are not repeated.
        _k("crr", "KPI_CRR({customers_end},{new_customers},{customers_start})", "pct"),
        _k("lifetime", "KPI_LIFETIME({@churn})", "months"),
        _k("crc", "KPI_CRC({list:crc_costs},{customers_end})", "money2", shape="cell"),
        _k("cost_to_serve", "KPI_COST_TO_SERVE({list:cts_costs},{customers_end})", "money2", shape="cell"),
    )),
    ("sec_acquisition", (
        _k("visitors_growth", "KPI_GROWTH({visitors@prev},{visitors})", "pct", shape="shifted"),
        _k("contacts_growth", "KPI_GROWTH({contacts@prev},{contacts})", "pct", shape="shifted"),
        _k("leads_growth", "KPI_GROWTH({leads@prev},{leads})", "pct", shape="shifted"),
        _k("conversion_rate", "KPI_CONVERSION_RATE({new_customers},{leads})", "pct2"),
        _k("mql_to_sql", "KPI_CONVERSION_RATE({sql},{mql})", "pct"),
        _k("ccr", "KPI_CCR({new_customers},{visitors})", "pct2"),
        _k("pql_conversion", "KPI_PQL_CONVERSION({pql_converted},{pql})", "pct"),
        _k("cac", f"KPI_CAC({_SM},{{new_customers}})", "money"),
        # the gain: 12 months of the new MRR at gross margin (KPI_CLV_CONTRACT's product)
        _k("roi", f"KPI_ROI(KPI_CLV_CONTRACT({{mrr_new}},{{gross_margin}},12),{_SM})", "pct"),
    )),
    ("sec_lifetime", (
        _k("ltv", "KPI_LTV({@arpu},{@churn},{gross_margin})", "money"),
        _k("ltv_cac", "KPI_LTV_CAC({@ltv},{@cac})", "ratio", benchmark=LTV_CAC_MIN),
        _k("cac_payback", "KPI_CAC_PAYBACK({@cac},{@arpu},{gross_margin})", "months"),
        _k("clv_contract", "KPI_CLV_CONTRACT({@arpu},{gross_margin},{contract_months})", "money"),
        _k("clv_value", "KPI_CLV_VALUE({@arpu},{@lifetime})", "money"),
        _k("ltv_purchase",
           "KPI_LTV_PURCHASE({@average_basket},KPI_PURCHASE_FREQUENCY({sales},{customer_months}),{@lifetime})",
           "money"),
    )),
    ("sec_satisfaction", (
        # the survey answers of the period, or the counts typed on Inputs when it has none
        _k("nps", "IF(COUNT({list:survey_nps})>0,KPI_NPS({list:survey_nps}),"
           "KPI_NPS_COUNTS({nps_promoters},{nps_passives},{nps_detractors}))", "points", shape="cell",
           benchmark=NPS_MIN),
        _k("csat", "IF(COUNT({list:survey_csat})>0,KPI_CSAT({list:survey_csat}),"
           "KPI_CSAT_COUNTS({csat_positive},{csat_responses}))", "pct", shape="cell"),
        _k("fcr", "KPI_FCR({tickets_fcr},{tickets})", "pct"),
    )),
    ("sec_finance", (
        _k("net_margin", "KPI_NET_MARGIN({net_profit},{revenue})", "pct"),
        _k("current_ratio", "KPI_CURRENT_RATIO({current_assets},{current_liabilities})", "ratio"),
        _k("acid_test", "KPI_ACID_TEST({list:liquid_assets},{current_liabilities})", "ratio", shape="cell"),
        _k("debt_to_equity", "KPI_DEBT_TO_EQUITY({debt},{equity})", "ratio"),
        _k("equity_ratio", "KPI_EQUITY_RATIO({equity},{total_assets})", "pct"),
        _k("interest_coverage", "KPI_INTEREST_COVERAGE({ebit},{interest})", "ratio"),
    )),
)


def all_rows() -> list[KpiRow]:
    """Every Dashboard KPI row, in sheet order."""
    return [row for _, rows in SECTIONS for row in rows]
