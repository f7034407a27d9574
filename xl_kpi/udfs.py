"""The ``KPI_*`` Excel functions (xlwings UDFs), one per function of the interface table.

In Excel (Windows, xlwings add-in, ``UDF Modules`` = ``xl_kpi.udfs``) each function below is a
worksheet function in the category "SaaS KPIs"; its docstring is the help text of the Insert
Function dialog and each argument's help comes from :mod:`xl_kpi.catalogue`. In xlwings Lite
(every Excel: ``from xl_kpi.udfs import *`` in the workbook's ``main.py``) the same functions are
Office.js custom functions, declared by :mod:`xl_kpi.lite`. The functions hold no
formula and no conversion: each hands its arguments to :func:`xl_kpi.excel_args.evaluate`, which
applies Excel's calling conventions and calls the metrics core.

Contract (for xlwings and for ``xl-kpi recalc``, which calls these functions directly)
--------------------------------------------------------------------------------------
Arguments, in the catalogue's order, as xlwings passes them with the options set here
(``ndim=2, err_to_str=True``):

- a number as ``float`` (``int`` accepted), a blank cell or an omitted optional argument as
  ``None``, text as ``str``, ``True``/``False`` as ``bool``, a date cell as ``datetime``;
- a multi-cell range as a 2-D list of rows (a 1x1 range counts as the single cell; a 1-D list is
  read as one row);
- an error cell as an :class:`~xl_kpi.excel_errors.ExcelError` (xlwings' error text, or its raw
  COM error code, is recognized too).

Result: a ``float`` or an ``ExcelError`` when the value arguments are single cells; otherwise a
2-D list of rows whose elements are floats or ExcelErrors (for ``KPI_MRR_MOVEMENTS`` and
``KPI_COHORTS``: also ``datetime`` in the month column, and ``""`` for a cohort cell without data
yet). A function never raises for bad input: every failure is an ``ExcelError`` value, per element
inside a spilled range. In Excel the generated VBA wrappers (``udfs.bas``, ``xl-kpi vba``) turn
these markers into real error values (``CVErr``), which ISERROR and IFERROR see.

:data:`UDFS` maps each Excel name to its function.

Examples
--------
Churn of three months, written the way Excel passes a row of cells (the second month has no
customers at all, the third month's customer count cell shows ``#N/A``):

>>> KPI_CHURN([[5.0, 0.0, 3.0]], [[100.0, 0.0, ExcelError("#N/A")]])
[[0.05, ExcelError('#DIV/0!'), ExcelError('#N/A')]]
"""

from __future__ import annotations

import inspect
import sys
from typing import Callable

from . import lite
from .catalogue import INTERFACE
from .excel_args import evaluate
from .excel_errors import ExcelError  # noqa: F401  (the examples above show it)

__all__ = ["UDFS", "CATEGORY", *INTERFACE]

#: The category of the Insert Function dialog that lists the functions.
CATEGORY = "SaaS KPIs"

#: Every UDF by its Excel name, for the recalculation engine.
UDFS: dict[str, Callable] = {}

#: The xlwings read options of every argument: ranges keep their orientation (2-D, a column stays
#: a column), and error cells arrive as their text instead of None (indistinguishable from blank).
ARG_OPTIONS = {"ndim": 2, "err_to_str": True}


def _xlwings():
    """xlwings, where its decorators do something, else None.

    On Linux ``xw.func`` and ``xw.arg`` attach nothing (xlwings UDFs run on Windows only), and
    importing xlwings costs 0.4 s (it imports pandas): ``xl-kpi recalc``, which calls these
    functions directly, would pay that on every run. Where xlwings is already imported (``xl-kpi
    vba`` installs its Windows decorators on it first) or on another system, it is used; where
    it is not installed (xl-kpi without its ``cli`` extra), the functions are plain Python.
    """
    if sys.platform.startswith("linux") and sys.modules.get("xlwings") is None:
        return None
    try:
        import xlwings
    except ImportError:  # installed without the cli extra: the functions work without xlwings
        return None
    return xlwings


def udf(func: Callable) -> Callable:
    """Declare one function to xlwings from its catalogue entry and register it in :data:`UDFS`.

    The signature must be the catalogue's, argument for argument, optional arguments defaulting
    to None. The docstring, joined into one line, is the function's help; each argument gets its
    help text (``doc=``) and :data:`ARG_OPTIONS`. Where xlwings carries the Office.js decorators
    (xlwings Lite), :func:`xl_kpi.lite.declare` declares it instead, with dropdowns for options.
    """
    spec = INTERFACE[func.__name__]
    func.__doc__ = " ".join((func.__doc__ or "").split())  # xlwings reads it on the first decorator
    params = list(inspect.signature(func).parameters.values())
    expected = [(p.name, None if p.optional else inspect.Parameter.empty) for p in spec.params]
    if [(p.name, p.default) for p in params] != expected:
        raise TypeError(f"{func.__name__}: the signature must be {expected}, as in the catalogue")
    xw = _xlwings()
    if xw is not None and lite.is_office_js(xw):  # xlwings Lite: Office.js custom functions
        func = lite.declare(func, spec, xw, ARG_OPTIONS, CATEGORY)
    elif xw is not None:
        for p in reversed(spec.params):
            func = xw.arg(p.name, doc=p.doc, **ARG_OPTIONS)(func)
        func = xw.func(category=CATEGORY)(func)
    UDFS[spec.excel] = func
    return func


# -- acquisition and funnel -----------------------------------------------------------------------


@udf
def KPI_CONVERSION_RATE(converted, prospects):
    """Conversion rate: converted / prospects, a fraction (0.05 = 5 %). Element-wise over ranges."""
    return evaluate("KPI_CONVERSION_RATE", converted, prospects)


@udf
def KPI_FUNNEL(stage_counts, mode=None):
    """Funnel conversions of stage counts (top first): "step" each stage over the previous one
    (the first is 1), or "cumulative" each over the first. Spills one fraction per stage."""
    return evaluate("KPI_FUNNEL", stage_counts, mode)


@udf
def KPI_PQL_CONVERSION(converted_pqls, pqls):
    """PQL conversion: product-qualified leads converted to paid / PQLs, a fraction."""
    return evaluate("KPI_PQL_CONVERSION", converted_pqls, pqls)


@udf
def KPI_CCR(conversions, visitors):
    """Customer conversion rate (CCR): conversions / website visitors, a fraction."""
    return evaluate("KPI_CCR", conversions, visitors)


@udf
def KPI_CAC(sales_marketing_spend, new_customers):
    """Customer acquisition cost: sales and marketing spend (people included) / new customers
    acquired in the same period, money per customer."""
    return evaluate("KPI_CAC", sales_marketing_spend, new_customers)


@udf
def KPI_ROI(gain, cost):
    """Return on investment: (gain - cost) / cost, a fraction (0.5 = 50 %)."""
    return evaluate("KPI_ROI", gain, cost)


@udf
def KPI_GROWTH(previous, current):
    """Period-over-period growth of a count or amount (visitors, leads, revenue):
    current / previous - 1, a fraction."""
    return evaluate("KPI_GROWTH", previous, current)


# -- revenue --------------------------------------------------------------------------------------


@udf
def KPI_MRR(fees, billing_months=None):
    """Monthly recurring revenue: sum of the recurring fees, each divided by its billing period
    in months when given (an annual 1200 counts 100). Blanks and text are skipped."""
    return evaluate("KPI_MRR", fees, billing_months)


@udf
def KPI_MRR_FROM_AVERAGE(customers, average_revenue):
    """MRR from a head count: paying customers x average monthly revenue per customer."""
    return evaluate("KPI_MRR_FROM_AVERAGE", customers, average_revenue)


@udf
def KPI_ARR(mrr):
    """Annual recurring revenue, run-rate form: MRR x 12."""
    return evaluate("KPI_ARR", mrr)


@udf
def KPI_ARR_FROM_SUBSCRIPTIONS(annual_subscription_revenue, expansion_revenue, churned_revenue):
    """ARR from annual subscriptions: yearly subscription revenue + expansion - churned revenue
    (subscriptions under a year and setup fees excluded)."""
    return evaluate("KPI_ARR_FROM_SUBSCRIPTIONS", annual_subscription_revenue, expansion_revenue, churned_revenue)


@udf
def KPI_ARPU(mrr, accounts):
    """Average revenue per account: MRR / paying accounts (ARPA), or total revenue / total users
    (ARPU), money per account."""
    return evaluate("KPI_ARPU", mrr, accounts)


@udf
def KPI_AVERAGE_BASKET(revenue, sales):
    """Average basket: revenue / number of sales, money per sale."""
    return evaluate("KPI_AVERAGE_BASKET", revenue, sales)


@udf
def KPI_REVENUE_CHURN(churned_mrr, start_mrr, contraction_mrr=None):
    """Gross revenue churn: (churned + contraction MRR) / MRR at the start of the period, a
    fraction. Contraction is 0 if omitted (lost to cancellations only)."""
    return evaluate("KPI_REVENUE_CHURN", churned_mrr, start_mrr, contraction_mrr)


@udf
def KPI_NET_REVENUE_CHURN(churned_mrr, start_mrr, contraction_mrr, expansion_mrr):
    """Net revenue churn: (churned + contraction - expansion MRR) / start MRR, a fraction;
    negative when expansion outweighs the losses."""
    return evaluate("KPI_NET_REVENUE_CHURN", churned_mrr, start_mrr, contraction_mrr, expansion_mrr)


@udf
def KPI_NRR(start_mrr, expansion_mrr, contraction_mrr, churned_mrr):
    """Net revenue retention: (start - contraction - churned + expansion) / start MRR, a fraction
    (1.1 = 110 %). Above 1 the existing customers grow revenue on their own."""
    return evaluate("KPI_NRR", start_mrr, expansion_mrr, contraction_mrr, churned_mrr)


@udf
def KPI_GRR(start_mrr, contraction_mrr, churned_mrr):
    """Gross revenue retention: (start - contraction - churned) / start MRR, a fraction at most 1."""
    return evaluate("KPI_GRR", start_mrr, contraction_mrr, churned_mrr)


@udf
def KPI_NET_NEW_MRR(new_mrr, expansion_mrr, contraction_mrr, churned_mrr, reactivation_mrr=None):
    """Net new MRR: new + expansion + reactivation - contraction - churned MRR (reactivation 0 if
    omitted), money per month."""
    return evaluate("KPI_NET_NEW_MRR", new_mrr, expansion_mrr, contraction_mrr, churned_mrr, reactivation_mrr)


@udf
def KPI_QUICK_RATIO(new_mrr, expansion_mrr, contraction_mrr, churned_mrr, reactivation_mrr=None):
    """SaaS quick ratio: (new + expansion + reactivation MRR) / (contraction + churned MRR).
    Not the balance-sheet quick ratio (see KPI_ACID_TEST)."""
    return evaluate("KPI_QUICK_RATIO", new_mrr, expansion_mrr, contraction_mrr, churned_mrr, reactivation_mrr)


@udf
def KPI_MRR_GROWTH(start_mrr, end_mrr):
    """MRR growth rate: end MRR / start MRR - 1, a fraction per period."""
    return evaluate("KPI_MRR_GROWTH", start_mrr, end_mrr)


# -- retention and churn --------------------------------------------------------------------------


@udf
def KPI_CHURN(lost_customers, customers):
    """Customer churn rate: customers lost / customers, a fraction. Pass customers at the start of
    the period, active or total customers: the rate is that variant."""
    return evaluate("KPI_CHURN", lost_customers, customers)


@udf
def KPI_RETENTION(retained_customers, customers):
    """Retention rate: customers still subscribed (or buying again) / customers, a fraction."""
    return evaluate("KPI_RETENTION", retained_customers, customers)


@udf
def KPI_CRR(end_customers, new_customers, start_customers):
    """Customer retention rate (CRR): (customers at end - customers acquired) / customers at
    start of the period, a fraction."""
    return evaluate("KPI_CRR", end_customers, new_customers, start_customers)


@udf
def KPI_CHURN_MONTHLY(annual_churn, method=None):
    """Monthly churn from an annual rate: "compound" (default) 1 - (1 - a)^(1/12), or
    "linear" a / 12."""
    return evaluate("KPI_CHURN_MONTHLY", annual_churn, method)


@udf
def KPI_CHURN_ANNUAL(monthly_churn, method=None):
    """Annual churn from a monthly rate: "compound" (default) 1 - (1 - m)^12, or "linear" m x 12."""
    return evaluate("KPI_CHURN_ANNUAL", monthly_churn, method)


@udf
def KPI_LIFETIME(churn):
    """Average customer lifetime: 1 / churn rate, in the periods of the rate (months for a
    monthly churn)."""
    return evaluate("KPI_LIFETIME", churn)


@udf
def KPI_CRC(retention_costs, active_customers):
    """Customer retention cost: sum of retention costs (staff, tools, marketing, training,
    loyalty) / active customers, money per customer."""
    return evaluate("KPI_CRC", retention_costs, active_customers)


@udf
def KPI_COST_TO_SERVE(costs, paying_customers):
    """Cost to serve: sum of costs (success, support, infrastructure, retention programmes) /
    paying customers, money per customer."""
    return evaluate("KPI_COST_TO_SERVE", costs, paying_customers)


# -- lifetime value -------------------------------------------------------------------------------


@udf
def KPI_LTV(arpu, churn, gross_margin=None):
    """Lifetime value, churn form: ARPU x gross margin / churn rate (margin 1 if omitted). ARPU
    and churn per the same period."""
    return evaluate("KPI_LTV", arpu, churn, gross_margin)


@udf
def KPI_LTV_PURCHASE(average_sale, purchase_frequency, lifetime):
    """Lifetime value, purchase form: average sale x purchases per period x lifetime in periods."""
    return evaluate("KPI_LTV_PURCHASE", average_sale, purchase_frequency, lifetime)


@udf
def KPI_PURCHASE_FREQUENCY(purchases, customers):
    """Purchase frequency: purchases / customers in the period, purchases per customer (may
    exceed 1); the frequency of KPI_LTV_PURCHASE."""
    return evaluate("KPI_PURCHASE_FREQUENCY", purchases, customers)


@udf
def KPI_CLV_CONTRACT(arpu, gross_margin, contract_periods):
    """Customer lifetime value, margin form: ARPU x gross margin x average contract duration in
    periods."""
    return evaluate("KPI_CLV_CONTRACT", arpu, gross_margin, contract_periods)


@udf
def KPI_CLV_VALUE(customer_value, lifetime):
    """Customer lifetime value, value form: customer value per period x lifetime in periods."""
    return evaluate("KPI_CLV_VALUE", customer_value, lifetime)


@udf
def KPI_LTV_CAC(ltv, cac):
    """LTV:CAC ratio: lifetime value / acquisition cost; 3 or more is healthy."""
    return evaluate("KPI_LTV_CAC", ltv, cac)


@udf
def KPI_CAC_PAYBACK(cac, arpu, gross_margin=None):
    """CAC payback: CAC / (ARPU x gross margin), in the periods of ARPU (margin 1 if omitted)."""
    return evaluate("KPI_CAC_PAYBACK", cac, arpu, gross_margin)


# -- satisfaction and support ---------------------------------------------------------------------


@udf
def KPI_NPS(scores):
    """Net promoter score of 0-10 answers: % of 9-10 minus % of 0-6, in points from -100 to 100.
    Blanks and text are skipped."""
    return evaluate("KPI_NPS", scores)


@udf
def KPI_NPS_COUNTS(promoters, passives, detractors):
    """Net promoter score from counts of promoters (9-10), passives (7-8) and detractors (0-6),
    in points from -100 to 100."""
    return evaluate("KPI_NPS_COUNTS", promoters, passives, detractors)


@udf
def KPI_ENPS(scores):
    """Employee NPS of 0-10 answers: % of 9-10 minus % of 0-6, in points from -100 to 100."""
    return evaluate("KPI_ENPS", scores)


@udf
def KPI_CSAT(scores, positive_min=None):
    """Customer satisfaction: share of the answers at or above positive_min (4 if omitted, for a
    1-5 scale), a fraction. Blanks and text are skipped."""
    return evaluate("KPI_CSAT", scores, positive_min)


@udf
def KPI_CSAT_COUNTS(positive_responses, responses):
    """Customer satisfaction from counts: positive answers / all answers, a fraction."""
    return evaluate("KPI_CSAT_COUNTS", positive_responses, responses)


@udf
def KPI_FCR(resolved_first_contact, tickets):
    """First contact resolution: tickets resolved at first contact / all tickets, a fraction."""
    return evaluate("KPI_FCR", resolved_first_contact, tickets)


@udf
def KPI_ENGAGEMENT(values, weights):
    """Engagement score: weighted average of action counts or scores, sum(value x weight) /
    sum(weight). Pairs with a blank are skipped."""
    return evaluate("KPI_ENGAGEMENT", values, weights)


# -- profitability and balance sheet --------------------------------------------------------------


@udf
def KPI_NET_MARGIN(net_profit, revenue):
    """Net profit margin: net profit / revenue, a fraction."""
    return evaluate("KPI_NET_MARGIN", net_profit, revenue)


@udf
def KPI_CURRENT_RATIO(current_assets, current_liabilities):
    """Current ratio: current assets / current liabilities."""
    return evaluate("KPI_CURRENT_RATIO", current_assets, current_liabilities)


@udf
def KPI_ACID_TEST(liquid_assets, current_liabilities):
    """Acid-test (balance-sheet quick) ratio: sum of liquid assets (cash, marketable securities,
    receivables) / current liabilities."""
    return evaluate("KPI_ACID_TEST", liquid_assets, current_liabilities)


@udf
def KPI_DEBT_TO_EQUITY(total_debt, equity):
    """Debt ratio: total debt / shareholders' equity."""
    return evaluate("KPI_DEBT_TO_EQUITY", total_debt, equity)


@udf
def KPI_EQUITY_RATIO(equity, total_assets):
    """Equity ratio: shareholders' equity / total assets, a fraction."""
    return evaluate("KPI_EQUITY_RATIO", equity, total_assets)


@udf
def KPI_INTEREST_COVERAGE(ebit, interest_expense):
    """Interest coverage: earnings before interest and taxes / interest expense."""
    return evaluate("KPI_INTEREST_COVERAGE", ebit, interest_expense)


# -- subscription analytics -----------------------------------------------------------------------


@udf
def KPI_MRR_MOVEMENTS(customer_ids, months, mrr):
    """MRR movements from rows of customer id, month and MRR: spills one row a month: month,
    start MRR, new, expansion, contraction, churned, reactivation, net new, end MRR, customers."""
    return evaluate("KPI_MRR_MOVEMENTS", customer_ids, months, mrr)


@udf
def KPI_COHORTS(customer_ids, months, mrr, measure=None, normalize=None):
    """Cohorts from rows of customer id, month and MRR: spills one row per first month (the
    month, then one column per month of age); measure "logos" (default) or "revenue"; normalize
    TRUE: each cohort over its age 0 (retention)."""
    return evaluate("KPI_COHORTS", customer_ids, months, mrr, measure, normalize)
