"""The public interface: every Excel function, its Python function and its arguments.

This table is the contract of ``../shared/kpi-catalogue.md`` ("The Excel functions"): names and
argument order may be added to, never changed. The UDF layer, the VBA generator, the reference
tests and the workbook builder all read it, so an argument's kind is stated once:

``value``
    one number per call; given a range the function works element-wise and spills;
``list``
    aggregated like SUM (blanks and text skipped in Excel);
``option``
    a keyword choice or threshold, passed to Python by keyword. A choice among fixed words names
    the tuple of the metrics core that validates it (``choices_from``) and says what each word
    means (``tips``): xlwings Lite shows them as a dropdown with tooltips.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Callable

__all__ = ["Param", "Function", "INTERFACE", "get"]


@dataclass(frozen=True)
class Param:
    """One argument of an Excel function."""

    name: str
    kind: str = "value"  # "value" | "list" | "option"
    optional: bool = False
    doc: str = ""
    choices_from: str = ""  # "module:TUPLE" under xl_kpi: the words a fixed-choice option takes
    tips: tuple[tuple[str, str], ...] = ()  # (word, what it means), in the tuple's order

    @property
    def choices(self) -> tuple[str, ...]:
        """The words this option accepts (empty unless it is a fixed choice), first the default."""
        if not self.choices_from:
            return ()
        module, name = self.choices_from.split(":")
        return tuple(getattr(importlib.import_module(f"xl_kpi.{module}"), name))


@dataclass(frozen=True)
class Function:
    """One Excel function of the interface."""

    excel: str
    target: str  # "module:function" under xl_kpi
    params: tuple[Param, ...]
    returns: str
    extra: bool = False  # added by xl-kpi beyond the catalogue's list
    spills_table: bool = False  # returns a 2-D table whatever the input shape

    @property
    def python_name(self) -> str:
        return self.target.split(":")[1]

    @property
    def func(self) -> Callable[..., Any]:
        module, name = self.target.split(":")
        return getattr(importlib.import_module(f"xl_kpi.{module}"), name)

    def call(self, *args: Any, **kwargs: Any) -> Any:
        """Call the Python function with the arguments in Excel order (options by keyword)."""
        positional, keywords = [], dict(kwargs)
        for p, a in zip(self.params, args):
            if p.kind == "option":
                keywords[p.name] = a
            else:
                positional.append(a)
        return self.func(*positional, **keywords)


def _p(spec: str, doc: str, choices_from: str = "", tips: dict[str, str] | None = None) -> Param:
    """``"name"``, ``"name:list"``, ``"[name]"`` or ``"[name:option]"`` -> Param."""
    optional = spec.startswith("[")
    spec = spec.strip("[]")
    name, _, kind = spec.partition(":")
    return Param(name, kind or "value", optional, doc, choices_from, tuple((tips or {}).items()))


def _f(excel, target, params, returns, **kw) -> Function:
    return Function(excel, target, tuple(_p(*p) for p in params), returns, **kw)


_CHURN_METHODS = "metrics.customer_retention:CHURN_METHODS"
_CHURN_TIPS = {"compound": "Compounded month by month (default)", "linear": "Simple division or multiplication by 12"}


_MONEY_MRR = "MRR at the start of the period"

INTERFACE: dict[str, Function] = {
    f.excel: f
    for f in [
        # -- acquisition and funnel -------------------------------------------------------------
        _f("KPI_CONVERSION_RATE", "metrics.acquisition:conversion_rate",
           [("converted", "Customers converted in the period"),
            ("prospects", "Prospects (leads) in the period")],
           "converted / prospects"),
        _f("KPI_FUNNEL", "metrics.acquisition:funnel",
           [("stage_counts:list", "Counts of each funnel stage, top first"),
            ("[mode:option]", '"step" (default) or "cumulative"', "metrics.acquisition:FUNNEL_MODES",
             {"step": "Each stage over the previous one (default)", "cumulative": "Each stage over the first"})],
           "array: each stage over the previous one or over the first"),
        _f("KPI_PQL_CONVERSION", "metrics.acquisition:pql_conversion",
           [("converted_pqls", "PQLs converted to paid"), ("pqls", "Product-qualified leads")],
           "fraction"),
        _f("KPI_CCR", "metrics.acquisition:ccr",
           [("conversions", "Conversions (new customers)"), ("visitors", "Website visitors")],
           "fraction"),
        _f("KPI_CAC", "metrics.acquisition:cac",
           [("sales_marketing_spend", "Sales and marketing spend, people included"),
            ("new_customers", "New (paying) customers acquired")],
           "money per new customer"),
        _f("KPI_ROI", "metrics.acquisition:roi",
           [("gain", "Net profit (gain) from the investment"), ("cost", "Investment cost")],
           "(gain - cost) / cost"),
        _f("KPI_GROWTH", "metrics.acquisition:growth",
           [("previous", "Count or amount of the previous period"),
            ("current", "Count or amount of this period")],
           "current / previous - 1", extra=True),
        # -- revenue ---------------------------------------------------------------------------
        _f("KPI_MRR", "metrics.revenue:mrr",
           [("fees:list", "Recurring fee of each subscription"),
            ("[billing_months:list]", "Billing period of each fee, in months")],
           "sum of fees, each divided by its billing period in months"),
        _f("KPI_MRR_FROM_AVERAGE", "metrics.revenue:mrr_from_average",
           [("customers", "Paying customers"), ("average_revenue", "Average monthly revenue per customer")],
           "customers x average revenue", extra=True),
        _f("KPI_ARR", "metrics.revenue:arr", [("mrr", "Monthly recurring revenue")], "mrr x 12"),
        _f("KPI_ARR_FROM_SUBSCRIPTIONS", "metrics.revenue:arr_from_subscriptions",
           [("annual_subscription_revenue", "Yearly value of subscriptions of a year or more"),
            ("expansion_revenue", "Yearly expansion revenue"),
            ("churned_revenue", "Yearly churned revenue")],
           "subscriptions + expansion - churned", extra=True),
        _f("KPI_ARPU", "metrics.revenue:arpu",
           [("mrr", "MRR (or total revenue)"), ("accounts", "Paying accounts (or users)")],
           "mrr / accounts"),
        _f("KPI_AVERAGE_BASKET", "metrics.revenue:average_basket",
           [("revenue", "Revenue of the period"), ("sales", "Number of sales")],
           "revenue / sales"),
        _f("KPI_REVENUE_CHURN", "metrics.revenue:revenue_churn",
           [("churned_mrr", "MRR lost to cancellations"), ("start_mrr", _MONEY_MRR),
            ("[contraction_mrr]", "MRR lost to downgrades (0 if omitted)")],
           "(churned + contraction) / start"),
        _f("KPI_NET_REVENUE_CHURN", "metrics.revenue:net_revenue_churn",
           [("churned_mrr", "MRR lost to cancellations"), ("start_mrr", _MONEY_MRR),
            ("contraction_mrr", "MRR lost to downgrades"), ("expansion_mrr", "MRR from upgrades")],
           "(churned + contraction - expansion) / start", extra=True),
        _f("KPI_NRR", "metrics.revenue:nrr",
           [("start_mrr", _MONEY_MRR), ("expansion_mrr", "MRR from upgrades"),
            ("contraction_mrr", "MRR lost to downgrades"), ("churned_mrr", "MRR lost to cancellations")],
           "(start - contraction - churned + expansion) / start"),
        _f("KPI_GRR", "metrics.revenue:grr",
           [("start_mrr", _MONEY_MRR), ("contraction_mrr", "MRR lost to downgrades"),
            ("churned_mrr", "MRR lost to cancellations")],
           "(start - contraction - churned) / start"),
        _f("KPI_NET_NEW_MRR", "metrics.revenue:net_new_mrr",
           [("new_mrr", "MRR from new customers"), ("expansion_mrr", "MRR from upgrades"),
            ("contraction_mrr", "MRR lost to downgrades"), ("churned_mrr", "MRR lost to cancellations"),
            ("[reactivation_mrr]", "MRR from returning customers (0 if omitted)")],
           "new + expansion + reactivation - contraction - churned"),
        _f("KPI_QUICK_RATIO", "metrics.revenue:quick_ratio",
           [("new_mrr", "MRR from new customers"), ("expansion_mrr", "MRR from upgrades"),
            ("contraction_mrr", "MRR lost to downgrades"), ("churned_mrr", "MRR lost to cancellations"),
            ("[reactivation_mrr]", "MRR from returning customers (0 if omitted)")],
           "(new + expansion + reactivation) / (contraction + churned)"),
        _f("KPI_MRR_GROWTH", "metrics.revenue:mrr_growth",
           [("start_mrr", _MONEY_MRR), ("end_mrr", "MRR at the end of the period")],
           "end / start - 1"),
        # -- retention and churn ---------------------------------------------------------------
        _f("KPI_CHURN", "metrics.customer_retention:churn",
           [("lost_customers", "Customers lost in the period"),
            ("customers", "Customers at start of period (or active, or total)")],
           "lost / customers"),
        _f("KPI_RETENTION", "metrics.customer_retention:retention",
           [("retained_customers", "Customers still subscribed"), ("customers", "Customers in the base")],
           "retained / customers"),
        _f("KPI_CRR", "metrics.customer_retention:crr",
           [("end_customers", "Customers at end of period"), ("new_customers", "Customers acquired in the period"),
            ("start_customers", "Customers at start of period")],
           "(end - new) / start"),
        _f("KPI_CHURN_MONTHLY", "metrics.customer_retention:churn_monthly",
           [("annual_churn", "Annual churn rate (fraction)"),
            ("[method:option]", '"compound" (default) or "linear"', _CHURN_METHODS, _CHURN_TIPS)],
           "1 - (1 - a)^(1/12), or a / 12"),
        _f("KPI_CHURN_ANNUAL", "metrics.customer_retention:churn_annual",
           [("monthly_churn", "Monthly churn rate (fraction)"),
            ("[method:option]", '"compound" (default) or "linear"', _CHURN_METHODS, _CHURN_TIPS)],
           "1 - (1 - m)^12, or m x 12"),
        _f("KPI_LIFETIME", "metrics.customer_retention:lifetime",
           [("churn", "Churn rate per period (fraction)")], "1 / churn, in periods"),
        _f("KPI_CRC", "metrics.customer_retention:crc",
           [("retention_costs:list", "Retention costs: staff, tools, marketing, training, loyalty"),
            ("active_customers", "Active customers")],
           "sum of costs / customers"),
        _f("KPI_COST_TO_SERVE", "metrics.customer_retention:cost_to_serve",
           [("costs:list", "Costs to serve: success, support, infrastructure, programmes"),
            ("paying_customers", "Paying customers")],
           "sum of costs / customers"),
        # -- lifetime value --------------------------------------------------------------------
        _f("KPI_LTV", "metrics.lifetime_value:ltv",
           [("arpu", "Average revenue per account per period"), ("churn", "Churn rate per period"),
            ("[gross_margin]", "Gross margin (fraction, 1 if omitted)")],
           "arpu x gross_margin / churn"),
        _f("KPI_LTV_PURCHASE", "metrics.lifetime_value:ltv_purchase",
           [("average_sale", "Average sale value"), ("purchase_frequency", "Purchases per period"),
            ("lifetime", "Average customer lifetime, in periods")],
           "product of the three"),
        _f("KPI_PURCHASE_FREQUENCY", "metrics.lifetime_value:purchase_frequency",
           [("purchases", "Purchases (sales) in the period"),
            ("customers", "Customers in the period (customer-months for a monthly rate)")],
           "purchases / customers, per customer per period", extra=True),
        _f("KPI_CLV_CONTRACT", "metrics.lifetime_value:clv_contract",
           [("arpu", "Average revenue per account per period"), ("gross_margin", "Gross margin (fraction)"),
            ("contract_periods", "Average contract duration, in periods")],
           "product of the three"),
        _f("KPI_CLV_VALUE", "metrics.lifetime_value:clv_value",
           [("customer_value", "Value of a customer per period"),
            ("lifetime", "Average customer lifetime, in periods")],
           "customer_value x lifetime", extra=True),
        _f("KPI_LTV_CAC", "metrics.lifetime_value:ltv_cac",
           [("ltv", "Customer lifetime value"), ("cac", "Customer acquisition cost")], "ltv / cac"),
        _f("KPI_CAC_PAYBACK", "metrics.lifetime_value:cac_payback",
           [("cac", "Customer acquisition cost"), ("arpu", "Average revenue per account per period"),
            ("[gross_margin]", "Gross margin (fraction, 1 if omitted)")],
           "cac / (arpu x margin), in periods"),
        # -- satisfaction and support ----------------------------------------------------------
        _f("KPI_NPS", "metrics.satisfaction:nps",
           [("scores:list", "Answers, scores 0-10")], "points: % of 9-10 minus % of 0-6"),
        _f("KPI_NPS_COUNTS", "metrics.satisfaction:nps_counts",
           [("promoters", "Answers 9-10"), ("passives", "Answers 7-8"), ("detractors", "Answers 0-6")],
           "points"),
        _f("KPI_ENPS", "metrics.satisfaction:enps",
           [("scores:list", "Employee answers, scores 0-10")], "as KPI_NPS, on employee answers"),
        _f("KPI_CSAT", "metrics.satisfaction:csat",
           [("scores:list", "Answers on a 1-5 or 1-10 scale"),
            ("[positive_min:option]", "Lowest positive score (4 if omitted)")],
           "share of scores >= positive_min"),
        _f("KPI_CSAT_COUNTS", "metrics.satisfaction:csat_counts",
           [("positive_responses", "Positive answers"), ("responses", "All answers")],
           "positive / responses", extra=True),
        _f("KPI_FCR", "metrics.satisfaction:fcr",
           [("resolved_first_contact", "Tickets resolved at first contact"), ("tickets", "All tickets")],
           "fraction"),
        _f("KPI_ENGAGEMENT", "metrics.satisfaction:engagement",
           [("values:list", "Action counts or scores"), ("weights:list", "Weight of each value")],
           "weighted average of the values"),
        # -- profitability and balance sheet ---------------------------------------------------
        _f("KPI_NET_MARGIN", "metrics.profitability:net_margin",
           [("net_profit", "Net profit"), ("revenue", "Revenue")], "fraction"),
        _f("KPI_CURRENT_RATIO", "metrics.profitability:current_ratio",
           [("current_assets", "Current assets"), ("current_liabilities", "Current liabilities")], "ratio"),
        _f("KPI_ACID_TEST", "metrics.profitability:acid_test",
           [("liquid_assets:list", "Cash, marketable securities, receivables"),
            ("current_liabilities", "Current liabilities")],
           "sum of liquid assets / liabilities"),
        _f("KPI_DEBT_TO_EQUITY", "metrics.profitability:debt_to_equity",
           [("total_debt", "Total debt"), ("equity", "Shareholders' equity")], "ratio"),
        _f("KPI_EQUITY_RATIO", "metrics.profitability:equity_ratio",
           [("equity", "Shareholders' equity"), ("total_assets", "Total assets")], "ratio"),
        _f("KPI_INTEREST_COVERAGE", "metrics.profitability:interest_coverage",
           [("ebit", "Earnings before interest and taxes"), ("interest_expense", "Interest expense")],
           "ratio"),
        # -- subscription analytics ------------------------------------------------------------
        _f("KPI_MRR_MOVEMENTS", "subscriptions:mrr_movements",
           [("customer_ids:list", "Customer id of each row"), ("months:list", "Month (date) of each row"),
            ("mrr:list", "MRR of each row")],
           "table: month, start, new, expansion, contraction, churned, reactivation, net new, end, customers",
           spills_table=True),
        _f("KPI_COHORTS", "subscriptions:cohorts",
           [("customer_ids:list", "Customer id of each row"), ("months:list", "Month (date) of each row"),
            ("mrr:list", "MRR of each row"), ("[measure:option]", '"logos" (default) or "revenue"',
             "subscriptions.cohorts:MEASURES",
             {"logos": "Customers still paying (default)", "revenue": "MRR of the cohort"}),
            ("[normalize:option]", "TRUE: each cohort over its age 0 (retention as fractions); FALSE (default)")],
           "cohort retention matrix, one row per first month", spills_table=True),
    ]
}


def get(name: str) -> Function:
    """The interface function of an Excel name (``"KPI_NRR"``) or a Python name (``"nrr"``)."""
    key = name.upper()
    if key in INTERFACE:
        return INTERFACE[key]
    for f in INTERFACE.values():
        if f.python_name == name:
            return f
    raise KeyError(name)
