"""Revenue KPIs: MRR, ARR, ARPU, average basket, revenue churn, NRR/GRR, net new MRR, the SaaS
quick ratio and MRR growth.

Money keeps the currency of its inputs. MRR figures are per month; "start" means the MRR at the
start of the period (the end of the previous month).
"""

from __future__ import annotations

import numpy as np

from ..errors import DomainError
from ._kernel import Call, as_list, as_paired_lists, blockwise, finite_result, inplace, metric

_LOSS_RULE = "plus 'contraction_mrr' must not exceed 'start_mrr'"

__all__ = [
    "mrr",
    "mrr_from_average",
    "arr",
    "arr_from_subscriptions",
    "arpu",
    "average_basket",
    "revenue_churn",
    "net_revenue_churn",
    "nrr",
    "grr",
    "net_new_mrr",
    "quick_ratio",
    "mrr_growth",
]


@metric
def mrr(fees, billing_months=None):
    """Monthly recurring revenue: the sum of the subscription fees, each brought to a month.

    Parameters
    ----------
    fees : list of float
        Recurring fee of each paying subscription, aggregated (recurring add-ons and coupons
        included; one-off and setup fees left out, S1/S2). Missing values are skipped.
    billing_months : list of float, optional
        Length of each fee's billing period in months (1 monthly, 12 annual), paired with
        ``fees``. Omitted: every fee is already monthly.

    Returns
    -------
    float
        ``MRR = sum(fee_i / billing_months_i)``, in the currency of the fees.

    Raises
    ------
    NonNumericError, NoDataError, ShapeMismatchError
        Text in a list, no fee at all, or fees and periods of different lengths.
    DomainError
        A negative fee or a billing period that is not positive.

    Notes
    -----
    S1, S2, S4. Higher is better. The other form, customers x average revenue per customer, is
    :func:`mrr_from_average`. An annual plan of 1200 counts 100 a month (Baremetrics: a 120
    annual plan is 10 MRR).

    Examples
    --------
    Ten customers each pay $10 a month (S4's example): what is the MRR?

    >>> mrr([10] * 10)
    100.0

    Stripe's example: 100 customers at 100 a month and 50 at 600 a year.

    >>> mrr([100] * 100 + [600] * 50, [1] * 100 + [12] * 50)
    12500.0
    """
    if billing_months is None:
        f = as_list("mrr", "fees", fees)
        months = np.ones_like(f)
    else:
        f, months = as_paired_lists("mrr", fees=fees, billing_months=billing_months)
    if (f < 0).any():
        raise DomainError(
            f"mrr: 'fees' must be non-negative; got {f[f < 0][0]!r}", argument="fees", value=f[f < 0][0]
        )
    if (months <= 0).any():
        bad = months[months <= 0][0]
        raise DomainError(
            f"mrr: 'billing_months' must be positive; got {bad!r}",
            argument="billing_months",
            value=bad,
        )
    return finite_result("mrr", float(np.sum(f / months)))


@metric
def mrr_from_average(customers, average_revenue, *, errors="raise"):
    """MRR from a head count: paying customers x average monthly revenue per customer.

    Parameters
    ----------
    customers : float or array_like
        Paying customers in the month.
    average_revenue : float or array_like
        Average monthly revenue per paying customer (ARPA).
    errors : {"raise", "coerce", "report"}, default "raise"
        What to do with a failing element (see :mod:`xl_kpi.metrics`).

    Returns
    -------
    float, ndarray or Series
        ``MRR = customers x average_revenue``, per month, element-wise.

    Notes
    -----
    S1, S2 second form. Higher is better. Both inputs must be non-negative (``#NUM!``).

    Examples
    --------
    Ten customers paying $10 on average: what MRR do they bring?

    >>> mrr_from_average(10, 10)
    100.0
    """
    c = Call("mrr_from_average", errors, customers=customers, average_revenue=average_revenue)
    c.nonnegative("customers", "average_revenue")
    return c.finish(c["customers"] * c["average_revenue"])


@metric
def arr(mrr, *, errors="raise"):
    """Annual recurring revenue from MRR: ``ARR = MRR x 12``.

    Parameters
    ----------
    mrr : float or array_like
        Monthly recurring revenue.
    errors : {"raise", "coerce", "report"}, default "raise"
        What to do with a failing element.

    Returns
    -------
    float, ndarray or Series
        ARR, in the currency of the MRR, element-wise.

    Notes
    -----
    S3, S4 (run-rate form). Higher is better. MRR must be non-negative (``#NUM!``). The other
    form, from annual subscriptions, is :func:`arr_from_subscriptions`.

    Examples
    --------
    MRR is $12,500 this month: what is the annual run rate?

    >>> arr(12_500)
    150000.0
    """
    c = Call("arr", errors, mrr=mrr)
    c.nonnegative("mrr")
    return c.finish(c["mrr"] * 12.0)


@metric
def arr_from_subscriptions(annual_subscription_revenue, expansion_revenue, churned_revenue, *, errors="raise"):
    """ARR from annual subscriptions: subscription revenue + expansion - churned revenue.

    Parameters
    ----------
    annual_subscription_revenue : float or array_like
        Yearly value of the subscriptions of a year or more (shorter subscriptions and setup
        fees excluded, S4).
    expansion_revenue : float or array_like
        Yearly revenue added by upgrades and add-ons.
    churned_revenue : float or array_like
        Yearly revenue lost to cancellations and downgrades.
    errors : {"raise", "coerce", "report"}, default "raise"
        What to do with a failing element.

    Returns
    -------
    float, ndarray or Series
        ``ARR = annual_subscription_revenue + expansion_revenue - churned_revenue``.

    Notes
    -----
    S4. Higher is better. All three amounts must be non-negative (``#NUM!``); the result may be
    negative only if more was lost than held, which is reported as is.

    Examples
    --------
    $1.2M of annual contracts, $150k of upsell, $90k lost: what is the ARR?

    >>> arr_from_subscriptions(1_200_000, 150_000, 90_000)
    1260000.0
    """
    c = Call(
        "arr_from_subscriptions",
        errors,
        annual_subscription_revenue=annual_subscription_revenue,
        expansion_revenue=expansion_revenue,
        churned_revenue=churned_revenue,
    )
    c.nonnegative("annual_subscription_revenue", "expansion_revenue", "churned_revenue")
    return c.finish(c["annual_subscription_revenue"] + c["expansion_revenue"] - c["churned_revenue"])


@metric
def arpu(mrr, accounts, *, errors="raise"):
    """Average revenue per user (or per account, ARPA): revenue / accounts.

    Parameters
    ----------
    mrr : float or array_like
        MRR of the month (S1), or total revenue of the period (S2 variant).
    accounts : float or array_like
        Paying accounts (S1: ARPA), or total users (S2: ARPU).
    errors : {"raise", "coerce", "report"}, default "raise"
        What to do with a failing element.

    Returns
    -------
    float, ndarray or Series
        ``ARPU = mrr / accounts``, money per account per month (S1) or per period (S2).

    Notes
    -----
    S1 divides MRR by paying accounts; S2 divides total revenue by total users. The formula is
    the same: the variant is chosen by what is passed, and it should be stated next to the
    figure. Higher is better. Zero accounts is ``#DIV/0!``; negative inputs ``#NUM!``.

    Examples
    --------
    ChartMogul's example: five accounts paying 1, 1, 3, 5 and 5 a month. What is the ARPA?

    >>> arpu(1 + 1 + 3 + 5 + 5, 5)
    3.0
    """
    c = Call("arpu", errors, mrr=mrr, accounts=accounts)
    c.nonnegative("mrr", "accounts")
    return c.finish(c.divide(c["mrr"], c["accounts"], "accounts"))


@metric
def average_basket(revenue, sales, *, errors="raise"):
    """Average basket (panier moyen): revenue / number of sales.

    Parameters
    ----------
    revenue : float or array_like
        Revenue of the period.
    sales : float or array_like
        Number of sales (orders, invoices) in the same period.
    errors : {"raise", "coerce", "report"}, default "raise"
        What to do with a failing element.

    Returns
    -------
    float, ndarray or Series
        ``average_basket = revenue / sales``, money per sale.

    Notes
    -----
    S0. Higher is better. Zero sales is ``#DIV/0!``; negative inputs ``#NUM!``.

    Examples
    --------
    $48,000 billed over 160 orders this quarter: what is the average order?

    >>> average_basket(48_000, 160)
    300.0
    """
    c = Call("average_basket", errors, revenue=revenue, sales=sales)
    c.nonnegative("revenue", "sales")
    return c.finish(c.divide(c["revenue"], c["sales"], "sales"))


@metric
def revenue_churn(churned_mrr, start_mrr, contraction_mrr=0.0, *, errors="raise"):
    """Gross revenue (MRR) churn rate: MRR lost in the period / MRR at the start of the period.

    Parameters
    ----------
    churned_mrr : float or array_like
        MRR of the customers who cancelled during the period.
    start_mrr : float or array_like
        MRR at the start of the period (end of the previous month).
    contraction_mrr : float or array_like, default 0
        MRR lost to downgrades by customers who stayed. Omit it for the S2 definition (revenue
        lost to cancellations); include it for the gross MRR churn of ChartMogul and most tools.
    errors : {"raise", "coerce", "report"}, default "raise"
        What to do with a failing element.

    Returns
    -------
    float, ndarray or Series
        ``revenue_churn = (churned_mrr + contraction_mrr) / start_mrr``, a fraction per period.

    Notes
    -----
    S2. Lower is better. Expansion is not netted here: see :func:`net_revenue_churn`. The loss
    cannot exceed the starting MRR (``#NUM!``); a zero start is ``#DIV/0!``.

    Examples
    --------
    ChartMogul's example: start MRR 100, 10 churned and 10 contracted. What share of revenue
    did we lose?

    >>> revenue_churn(10, 100, 10)
    0.2
    """
    c = Call(
        "revenue_churn",
        errors,
        churned_mrr=churned_mrr,
        start_mrr=start_mrr,
        contraction_mrr=contraction_mrr,
    )
    c.nonnegative("churned_mrr", "start_mrr", "contraction_mrr")
    lost = c["churned_mrr"] + c["contraction_mrr"]
    return c.finish(c.share(lost, "start_mrr", "churned_mrr", _LOSS_RULE, out=lost))


@metric
def net_revenue_churn(churned_mrr, start_mrr, contraction_mrr, expansion_mrr, *, errors="raise"):
    """Net revenue (MRR) churn rate: (churned + contraction - expansion) / start MRR.

    Parameters
    ----------
    churned_mrr, contraction_mrr, expansion_mrr : float or array_like
        MRR lost to cancellations, lost to downgrades, gained by upgrades, in the period.
    start_mrr : float or array_like
        MRR at the start of the period.
    errors : {"raise", "coerce", "report"}, default "raise"
        What to do with a failing element.

    Returns
    -------
    float, ndarray or Series
        ``net_revenue_churn = (churned + contraction - expansion) / start``, a fraction per
        period; negative when expansion outgrows the losses ("negative churn"). It equals
        ``1 - nrr``.

    Notes
    -----
    The net counterpart of S2's revenue churn, as ChartMogul defines it. Lower is better.

    Examples
    --------
    ChartMogul's example: start 100, churned 10, contraction 10, expansion 10.

    >>> net_revenue_churn(10, 100, 10, 10)
    0.1
    """
    c = Call(
        "net_revenue_churn",
        errors,
        churned_mrr=churned_mrr,
        start_mrr=start_mrr,
        contraction_mrr=contraction_mrr,
        expansion_mrr=expansion_mrr,
    )
    c.nonnegative("churned_mrr", "start_mrr", "contraction_mrr", "expansion_mrr")
    lost = c.capped(c["churned_mrr"] + c["contraction_mrr"], "start_mrr", "churned_mrr", _LOSS_RULE)
    lost = inplace(np.subtract, lost, c["expansion_mrr"])
    return c.finish(c.divide(lost, c["start_mrr"], "start_mrr", out=lost))


def _retained_mrr(func, errors, start_mrr, expansion_mrr, contraction_mrr, churned_mrr):
    """Shared by NRR and GRR: validate and return (call, max(start - contraction - churned, 0)),
    the second a new array."""
    c = Call(
        func,
        errors,
        start_mrr=start_mrr,
        expansion_mrr=expansion_mrr,
        contraction_mrr=contraction_mrr,
        churned_mrr=churned_mrr,
    )
    c.nonnegative("start_mrr", "expansion_mrr", "contraction_mrr", "churned_mrr")
    kept = c.remainder("start_mrr", ("contraction_mrr", "churned_mrr"), _LOSS_RULE)
    return c, kept


@metric
def nrr(start_mrr, expansion_mrr, contraction_mrr, churned_mrr, *, errors="raise"):
    """Net revenue retention (NRR, NDR): share of the starting MRR kept, expansion included.

    Parameters
    ----------
    start_mrr : float or array_like
        A: MRR at the start of the period (last month's ending MRR).
    expansion_mrr : float or array_like
        B: MRR added by those same customers (upgrades, add-ons).
    contraction_mrr : float or array_like
        C: MRR lost to their downgrades.
    churned_mrr : float or array_like
        D: MRR lost to their cancellations.
    errors : {"raise", "coerce", "report"}, default "raise"
        What to do with a failing element.

    Returns
    -------
    float, ndarray or Series
        ``NRR = (A - C - D + B) / A``, a fraction (1.0 = 100 %) per period.

    Notes
    -----
    S4. Higher is better: 100 % or more is excellent, best in class 155-158 %. New customers
    and reactivations are not in it. Monthly inputs give a monthly NRR; for a 12-month NRR pass
    the start MRR of the cohort a year ago and its movements over the year. A zero start is
    ``#DIV/0!``; losses above the start ``#NUM!``. ``nrr = grr + expansion / start``.

    Examples
    --------
    We started the month at $100k MRR, sold $8k of upgrades, lost $3k to downgrades and $5k
    to cancellations: did we keep our revenue base?

    >>> nrr(100_000, 8_000, 3_000, 5_000)
    1.0
    """
    c, kept = _retained_mrr("nrr", errors, start_mrr, expansion_mrr, contraction_mrr, churned_mrr)
    kept = inplace(np.add, kept, c["expansion_mrr"])
    return c.finish(c.divide(kept, c["start_mrr"], "start_mrr", out=kept))


@metric
def grr(start_mrr, contraction_mrr, churned_mrr, *, errors="raise"):
    """Gross revenue retention (GRR): share of the starting MRR kept, expansion left out.

    Parameters
    ----------
    start_mrr : float or array_like
        MRR at the start of the period.
    contraction_mrr : float or array_like
        MRR lost to downgrades.
    churned_mrr : float or array_like
        MRR lost to cancellations.
    errors : {"raise", "coerce", "report"}, default "raise"
        What to do with a failing element.

    Returns
    -------
    float, ndarray or Series
        ``GRR = (start - contraction - churned) / start``, a fraction between 0 and 1.

    Notes
    -----
    Derived from S4's NRR without expansion; ``grr = 1 - revenue_churn(churned, start,
    contraction)``. Higher is better. A zero start is ``#DIV/0!``; losses above the start
    ``#NUM!``.

    Examples
    --------
    ChartMogul's example: start 100, contraction 10, churned 10. How much did we keep?

    >>> grr(100, 10, 10)
    0.8
    """
    c, kept = _retained_mrr("grr", errors, start_mrr, 0.0, contraction_mrr, churned_mrr)
    return c.finish(c.divide(kept, c["start_mrr"], "start_mrr", out=kept))


def _gained_and_lost(func, errors, new_mrr, expansion_mrr, contraction_mrr, churned_mrr, reactivation_mrr):
    """Shared by net new MRR and the quick ratio: validate the five movements (amounts >= 0) and
    return (call, new + expansion + reactivation, (contraction, churned)), the loss as its two terms."""
    c = Call(
        func,
        errors,
        new_mrr=new_mrr,
        expansion_mrr=expansion_mrr,
        contraction_mrr=contraction_mrr,
        churned_mrr=churned_mrr,
        reactivation_mrr=reactivation_mrr,
    )
    c.nonnegative("new_mrr", "expansion_mrr", "contraction_mrr", "churned_mrr", "reactivation_mrr")
    gained = c["new_mrr"] + c["expansion_mrr"] + c["reactivation_mrr"]
    return c, gained, (c["contraction_mrr"], c["churned_mrr"])


@metric
def net_new_mrr(new_mrr, expansion_mrr, contraction_mrr, churned_mrr, reactivation_mrr=0.0, *, errors="raise"):
    """Net new MRR: the month's change of MRR, summed from its movements.

    Parameters
    ----------
    new_mrr, expansion_mrr, reactivation_mrr : float or array_like
        MRR gained from new customers, upgrades and returning customers (reactivation 0 when
        omitted).
    contraction_mrr, churned_mrr : float or array_like
        MRR lost to downgrades and cancellations.
    errors : {"raise", "coerce", "report"}, default "raise"
        What to do with a failing element.

    Returns
    -------
    float, ndarray or Series
        ``net_new = new + expansion + reactivation - contraction - churned``, money per month;
        ``start MRR + net new = end MRR``.

    Notes
    -----
    Standard MRR-movement accounting (ChartMogul, Baremetrics). Higher is better. Every
    movement is an amount >= 0 (``#NUM!`` otherwise).

    Examples
    --------
    +$5k new, +$2k upgrades, -$1k downgrades, -$3k cancellations: how much did MRR grow?

    >>> net_new_mrr(5_000, 2_000, 1_000, 3_000)
    3000.0
    """
    c, gained, lost = _gained_and_lost(
        "net_new_mrr", errors, new_mrr, expansion_mrr, contraction_mrr, churned_mrr, reactivation_mrr
    )
    return c.finish(blockwise(lambda g, contraction, churned: g - (contraction + churned), gained, gained, *lost))


@metric
def quick_ratio(new_mrr, expansion_mrr, contraction_mrr, churned_mrr, reactivation_mrr=0.0, *, errors="raise"):
    """SaaS quick ratio (growth efficiency): MRR gained / MRR lost.

    Parameters
    ----------
    new_mrr, expansion_mrr, reactivation_mrr : float or array_like
        MRR gained (reactivation 0 when omitted).
    contraction_mrr, churned_mrr : float or array_like
        MRR lost.
    errors : {"raise", "coerce", "report"}, default "raise"
        What to do with a failing element.

    Returns
    -------
    float, ndarray or Series
        ``quick_ratio = (new + expansion + reactivation) / (contraction + churned)``.

    Notes
    -----
    The growth-practice quick ratio (Mamoon Hamid); not the balance-sheet acid test, which is
    :func:`~xl_kpi.metrics.profitability.acid_test`. Higher is better; 4 or more is strong. It
    is above 1 exactly when net new MRR is positive. No loss at all is ``#DIV/0!``.

    Examples
    --------
    We gained $8k of MRR and lost $2k: how efficiently are we growing?

    >>> quick_ratio(6_000, 2_000, 500, 1_500)
    4.0
    """
    c, gained, lost = _gained_and_lost(
        "quick_ratio", errors, new_mrr, expansion_mrr, contraction_mrr, churned_mrr, reactivation_mrr
    )
    return c.finish(c.divide(gained, lost, "contraction_mrr + churned_mrr", out=gained))


def relative_change(func, errors, start_name, start, end_name, end):
    """``end / start - 1`` over non-negative levels; shared by every growth KPI."""
    c = Call(func, errors, **{start_name: start, end_name: end})
    c.nonnegative(start_name, end_name)
    return c.finish(inplace(np.subtract, c.divide(c[end_name], c[start_name], start_name), 1.0))


@metric
def mrr_growth(start_mrr, end_mrr, *, errors="raise"):
    """MRR growth rate over a period: end MRR / start MRR - 1.

    Parameters
    ----------
    start_mrr : float or array_like
        MRR at the start of the period (for month-over-month growth, last month's MRR).
    end_mrr : float or array_like
        MRR at the end of the period.
    errors : {"raise", "coerce", "report"}, default "raise"
        What to do with a failing element.

    Returns
    -------
    float, ndarray or Series
        ``growth = end / start - 1``, a fraction per period.

    Notes
    -----
    S3 reviews MRR monthly. Higher is better. A zero start is ``#DIV/0!``.

    Examples
    --------
    MRR went from $80k to $100k over the quarter: how fast did we grow?

    >>> mrr_growth(80_000, 100_000)
    0.25

    Month over month, from a Series of month-end MRR:

    >>> import pandas as pd
    >>> m = pd.Series([100.0, 110.0, 99.0], index=["2024-01", "2024-02", "2024-03"])
    >>> mrr_growth(m.shift(1).iloc[1:], m.iloc[1:]).round(4).tolist()
    [0.1, -0.1]
    """
    return relative_change("mrr_growth", errors, "start_mrr", start_mrr, "end_mrr", end_mrr)
