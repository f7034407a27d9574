"""Retention and churn KPIs: customer churn, retention rate, CRR, monthly/annual churn
conversions, customer lifetime, customer retention cost and cost to serve.

Rates are fractions per period (0.05 is 5 %); a lifetime is counted in the periods of the churn
rate it comes from (months for a monthly churn). Money keeps the currency of its inputs.
"""

from __future__ import annotations

import numpy as np

from ..errors import DomainError, ErrorKind
from ._kernel import PART_TOLERANCE, Call, as_list, check_option, metric
from .acquisition import share

__all__ = [
    "churn",
    "retention",
    "crr",
    "churn_monthly",
    "churn_annual",
    "lifetime",
    "crc",
    "cost_to_serve",
]

#: The ways of converting a churn rate between a month and a year.
CHURN_METHODS = ("compound", "linear")
#: Months in a year, the factor of every monthly/annual conversion.
MONTHS_PER_YEAR = 12.0


@metric
def churn(lost_customers, customers, *, errors="raise"):
    """Customer (logo) churn rate: customers lost in the period / a customer base.

    Parameters
    ----------
    lost_customers : float or array_like
        Customers who cancelled (or stopped paying) during the period.
    customers : float or array_like
        The customer base the loss is measured against; which base is the variant (see Notes).
    errors : {"raise", "coerce", "report"}, default "raise"
        What to do with a failing element (see :mod:`xl_kpi.metrics`).

    Returns
    -------
    float, ndarray or Series
        ``churn = lost_customers / customers``, a fraction per period, element-wise.

    Notes
    -----
    The sources agree on the numerator and differ on the denominator; the formula is the same
    and the caller picks the variant by the base they pass (state it next to the figure):

    - S2: customers at the start of the period (ChartMogul and most billing tools);
    - S4: cancelled customers over active customers;
    - S0: lost customers over total customers;
    - S1: churned customers over all paying customers.

    With the start-of-period base, customers who joined during the period and left in it are
    not counted in the loss either, so the rate stays within the base (ChartMogul: 100
    customers at the start of the month, 11 cancel of whom 1 joined this month, churn
    10 / 100 = 10 %). Other vendors use start + new customers, or rolling 30-day windows.

    Lower is better; S4 finds 5-7 % a year acceptable for B2B SaaS (see
    :func:`churn_monthly`). Counts must be non-negative and the loss cannot exceed the base
    (``#NUM!``); an empty base is ``#DIV/0!``. ``churn + retention = 1`` on the same base.

    Examples
    --------
    ChartMogul's example: we had 100 customers on the 1st; 11 cancelled, one of whom had only
    joined this month. What is the month's churn on the start-of-month base?

    >>> churn(11 - 1, 100)
    0.1

    Churn of each month of a quarter, on each month's opening base:

    >>> churn([4, 6, 3], [200, 200, 150]).tolist()
    [0.02, 0.03, 0.02]
    """
    return share("churn", errors, "lost_customers", lost_customers, "customers", customers)


@metric
def retention(retained_customers, customers, *, errors="raise"):
    """Customer retention rate: customers still subscribed (or buying again) / a customer base.

    Parameters
    ----------
    retained_customers : float or array_like
        Customers of the base still subscribed, or who bought again, at the end of the period.
    customers : float or array_like
        The customer base (total customers, S0).
    errors : {"raise", "coerce", "report"}, default "raise"
        What to do with a failing element.

    Returns
    -------
    float, ndarray or Series
        ``retention = retained_customers / customers``, a fraction between 0 and 1.

    Notes
    -----
    S0. Higher is better. The retained customers are part of the base, so they cannot exceed it
    (``#NUM!``); negative counts are ``#NUM!``, an empty base ``#DIV/0!``. On the same base,
    ``retention = 1 - churn``. For the S2 form that nets out new customers from an end-of-period
    count, see :func:`crr`.

    Examples
    --------
    Of the 250 customers we had a year ago, 215 still subscribe: what share did we keep?

    >>> retention(215, 250)
    0.86
    """
    return share("retention", errors, "retained_customers", retained_customers, "customers", customers)


@metric
def crr(end_customers, new_customers, start_customers, *, errors="raise"):
    """Customer retention rate (CRR) from head counts: (end - new) / start.

    Parameters
    ----------
    end_customers : float or array_like
        Customers at the end of the period.
    new_customers : float or array_like
        Customers acquired during the period (and still there at its end).
    start_customers : float or array_like
        Customers at the start of the period.
    errors : {"raise", "coerce", "report"}, default "raise"
        What to do with a failing element.

    Returns
    -------
    float, ndarray or Series
        ``CRR = (end_customers - new_customers) / start_customers``, a fraction per period.

    Notes
    -----
    S2. Higher is better. Counts must be non-negative, and more new customers than customers at
    the end is ``#NUM!`` (``end - new < 0``); an empty start is ``#DIV/0!``.

    The result is *not* capped at 1. ``end - new`` counts every customer at the end who was not
    acquired in the period; when former customers come back (reactivations) and are not counted
    as new, that exceeds the customers kept from the start and CRR rises above 100 %. Such a
    figure is reported as is, since the counts are consistent; to measure strict retention of
    the starting base, count reactivated customers in ``new_customers``.

    Examples
    --------
    We began the quarter with 200 customers, signed 30 and ended with 210: what share of the
    starting customers did we keep?

    >>> crr(210, 30, 200)
    0.9
    """
    c = Call(
        "crr",
        errors,
        end_customers=end_customers,
        new_customers=new_customers,
        start_customers=start_customers,
    )
    c.nonnegative("end_customers", "new_customers", "start_customers")
    kept = c.remainder("end_customers", ("new_customers",), "must not exceed 'end_customers'")
    return c.finish(c.divide(kept, c["start_customers"], "start_customers", out=kept))


def _convert_churn(func, errors, name, rate, method, *, to_annual):
    """Convert a churn rate between a month and a year; shared by the two directions."""
    c = Call(func, errors, **{name: rate})
    method = check_option(func, "method", method, CHURN_METHODS)
    c.fraction(name)
    r = c[name]
    if method == "linear":
        if to_annual:
            c.flag(
                ErrorKind.NUM,
                name,
                r * MONTHS_PER_YEAR > 1.0 + PART_TOLERANCE,
                "times 12 must not exceed 1 with method='linear' (an annual churn above 100 %)",
            )
            return c.finish(np.minimum(r * MONTHS_PER_YEAR, 1.0))
        return c.finish(r / MONTHS_PER_YEAR)
    exponent = MONTHS_PER_YEAR if to_annual else 1.0 / MONTHS_PER_YEAR
    # 1 - (1 - r) ** n, written as -expm1(n * log1p(-r)): the plain form loses the last two
    # digits of a small rate to cancellation (1 - 0.917...), this one keeps them to a few units
    # of the last bit. Rates outside [0, 1] are flagged above; clip so that they compute quietly.
    return c.finish(-np.expm1(exponent * np.log1p(-np.clip(r, 0.0, 1.0))))


@metric
def churn_monthly(annual_churn, *, method="compound", errors="raise"):
    """Monthly churn rate equivalent to an annual churn rate.

    Parameters
    ----------
    annual_churn : float or array_like
        Churn rate over a year, a fraction in [0, 1].
    method : {"compound", "linear"}, default "compound"
        ``"compound"``: the monthly rate that, applied twelve months in a row, loses the annual
        share of customers. ``"linear"``: the annual rate divided by 12.
    errors : {"raise", "coerce", "report"}, default "raise"
        What to do with a failing element.

    Returns
    -------
    float, ndarray or Series
        ``1 - (1 - annual_churn) ** (1/12)`` (compound) or ``annual_churn / 12`` (linear), a
        fraction per month.

    Raises
    ------
    InvalidOptionError
        ``method`` is not one of the two choices (``#VALUE!``), in every error mode.

    Notes
    -----
    S4 gives 5-7 % annual churn as acceptable, "about 0.42-0.58 % monthly": those are the
    linear figures (0.05 / 12 = 0.4167 %, 0.07 / 12 = 0.5833 %). Compounding gives slightly
    more, 0.4265 % and 0.6029 % (``1 - 0.95 ** (1/12)``, ``1 - 0.93 ** (1/12)``): each month's
    rate applies to a base already shrunk by the months before, so it takes a higher monthly
    rate to lose the same share over the year. The compound conversion is the one whose twelve
    months reproduce the annual rate, so it is the default; the linear one is offered to match
    figures quoted that way. Lower is better. A rate outside [0, 1] is ``#NUM!``. The inverse is
    :func:`churn_annual` with the same method.

    Examples
    --------
    Our annual churn is 5 %: what monthly churn does that mean?

    >>> round(churn_monthly(0.05), 6)
    0.004265

    The same, converted as S4 does:

    >>> round(churn_monthly(0.05, method="linear"), 6)
    0.004167
    """
    return _convert_churn("churn_monthly", errors, "annual_churn", annual_churn, method, to_annual=False)


@metric
def churn_annual(monthly_churn, *, method="compound", errors="raise"):
    """Annual churn rate equivalent to a monthly churn rate.

    Parameters
    ----------
    monthly_churn : float or array_like
        Churn rate per month, a fraction in [0, 1].
    method : {"compound", "linear"}, default "compound"
        ``"compound"``: the share of customers lost over twelve months at this monthly rate.
        ``"linear"``: the monthly rate times 12.
    errors : {"raise", "coerce", "report"}, default "raise"
        What to do with a failing element.

    Returns
    -------
    float, ndarray or Series
        ``1 - (1 - monthly_churn) ** 12`` (compound) or ``monthly_churn * 12`` (linear), a
        fraction per year.

    Raises
    ------
    InvalidOptionError
        ``method`` is not one of the two choices (``#VALUE!``), in every error mode.

    Notes
    -----
    The inverse of :func:`churn_monthly` with the same method (S4's benchmark reads the linear
    way: 0.42-0.58 % a month for 5-7 % a year). Lower is better. A rate outside [0, 1] is
    ``#NUM!``; with the linear method a monthly rate above 1/12 would give an annual churn above
    100 %, which is ``#NUM!`` too. The compound conversion never leaves [0, 1].

    Examples
    --------
    We lose 2 % of our customers a month: what share do we lose in a year?

    >>> round(churn_annual(0.02), 4)
    0.2153

    Multiplying by 12 overstates it:

    >>> round(churn_annual(0.02, method="linear"), 4)
    0.24
    """
    return _convert_churn("churn_annual", errors, "monthly_churn", monthly_churn, method, to_annual=True)


@metric
def lifetime(churn, *, errors="raise"):
    """Average customer lifetime implied by a churn rate: 1 / churn, in periods.

    Parameters
    ----------
    churn : float or array_like
        Churn rate per period, a fraction in [0, 1].
    errors : {"raise", "coerce", "report"}, default "raise"
        What to do with a failing element.

    Returns
    -------
    float, ndarray or Series
        ``lifetime = 1 / churn``, in the periods of the churn rate (months for a monthly churn).

    Notes
    -----
    The expected lifetime of a customer who leaves each period with probability ``churn``;
    it is the "average customer lifetime" of the LTV formulas of S0 and S2 (see
    :mod:`xl_kpi.metrics.lifetime_value`). Longer is better. A churn outside [0, 1] is ``#NUM!``; no
    churn at all is ``#DIV/0!`` (an unbounded lifetime).

    Examples
    --------
    We lose 5 % of our customers a month: how many months does a customer stay on average?

    >>> lifetime(0.05)
    20.0
    """
    c = Call("lifetime", errors, churn=churn)
    c.fraction("churn")
    return c.finish(c.divide(1.0, c["churn"], "churn"))


def _cost_per_customer(func, errors, costs_name, costs, customers_name, customers):
    """Sum of a list of costs / a customer count; shared by CRC and cost to serve.

    A negative cost makes the total meaningless for every element, so it raises in every mode,
    like the other failures of a list argument.
    """
    amounts = as_list(func, costs_name, costs)
    negative = amounts < 0
    if negative.any():
        bad = float(amounts[negative][0])
        raise DomainError(
            f"{func}: {costs_name!r} must hold non-negative amounts; got {bad!r}",
            argument=costs_name,
            value=bad,
        )
    c = Call(func, errors, **{customers_name: customers})
    c.nonnegative(customers_name)
    return c.finish(c.divide(float(np.sum(amounts)), c[customers_name], customers_name))


@metric
def crc(retention_costs, active_customers, *, errors="raise"):
    """Customer retention cost (CRC): what keeping the customers costs, per active customer.

    Parameters
    ----------
    retention_costs : list of float
        The retention costs of the period, aggregated (summed): customer-facing staff, tools
        and software, customer marketing, training, loyalty programmes (S4). Missing values are
        skipped.
    active_customers : float or array_like
        Active customers in the period; an array gives one CRC per element, all over the same
        total cost.
    errors : {"raise", "coerce", "report"}, default "raise"
        What to do with a failing customer count.

    Returns
    -------
    float, ndarray or Series
        ``CRC = sum(retention_costs) / active_customers``, money per customer per period.

    Raises
    ------
    NonNumericError, NoDataError, DomainError
        Text in the costs, no cost at all, or a negative cost, in every error mode.

    Notes
    -----
    S4. Lower is better, read against LTV and ARPU. Costs must be non-negative (``#NUM!``);
    no active customer is ``#DIV/0!``. The S1 counterpart over paying customers is
    :func:`cost_to_serve`, the same formula with its own list of costs.

    Examples
    --------
    This quarter: $5,000 of success staff, $2,000 of tools, $1,500 of customer marketing,
    $1,000 of training and $500 of loyalty rewards, for 200 active customers. What does
    retaining one customer cost?

    >>> crc([5_000, 2_000, 1_500, 1_000, 500], 200)
    50.0
    """
    return _cost_per_customer(
        "crc", errors, "retention_costs", retention_costs, "active_customers", active_customers
    )


@metric
def cost_to_serve(costs, paying_customers, *, errors="raise"):
    """Cost to serve (CTS): what delivering the service costs, per paying customer.

    Parameters
    ----------
    costs : list of float
        The costs of serving customers in the period, aggregated (summed): customer success
        (onboarding, support), infrastructure and product (cloud, engineering), retention
        programmes (S1). Missing values are skipped.
    paying_customers : float or array_like
        Paying customers in the period; an array gives one figure per element.
    errors : {"raise", "coerce", "report"}, default "raise"
        What to do with a failing customer count.

    Returns
    -------
    float, ndarray or Series
        ``CTS = sum(costs) / paying_customers``, money per customer per period.

    Raises
    ------
    NonNumericError, NoDataError, DomainError
        Text in the costs, no cost at all, or a negative cost, in every error mode.

    Notes
    -----
    S1. Lower is better; with ARPU it gives the margin per customer. Costs must be non-negative
    (``#NUM!``); no paying customer is ``#DIV/0!``. See also :func:`crc` (S4).

    Examples
    --------
    $12,000 of support and onboarding, $8,000 of cloud and $4,000 of retention programmes this
    month, for 400 paying customers: what does serving one cost?

    >>> cost_to_serve([12_000, 8_000, 4_000], 400)
    60.0
    """
    return _cost_per_customer(
        "cost_to_serve", errors, "costs", costs, "paying_customers", paying_customers
    )
