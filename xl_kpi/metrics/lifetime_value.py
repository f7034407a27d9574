"""Lifetime value KPIs: LTV in its churn, purchase, contract and value forms, the LTV:CAC ratio
and the CAC payback period.

The sources give several LTV formulas; each is its own function, named for its inputs, and none
is picked silently. Money keeps the currency of its inputs; rates are fractions per period;
lifetimes, contract lengths and paybacks are in the periods of their inputs (months for monthly
ARPU and churn).
"""

from __future__ import annotations

import numpy as np

from ._kernel import Call, inplace, metric

__all__ = [
    "ltv",
    "ltv_purchase",
    "purchase_frequency",
    "clv_contract",
    "clv_value",
    "ltv_cac",
    "cac_payback",
]


def _product(func, errors, margins=(), /, **factors):
    """The product of non-negative factors, those named in ``margins`` being fractions in
    [0, 1]; shared by every LTV written as a product."""
    c = Call(func, errors, **factors)
    c.nonnegative(*(name for name in factors if name not in margins))
    for name in margins:
        c.fraction(name)
    first, second, *others = factors
    result = c[first] * c[second]
    for name in others:
        result = inplace(np.multiply, result, c[name])
    return c.finish(result)


@metric
def ltv(arpu, churn, gross_margin=1.0, *, errors="raise"):
    """Customer lifetime value, churn form: ARPU x gross margin / churn rate.

    Parameters
    ----------
    arpu : float or array_like
        Average revenue per account per period (ARPA), >= 0.
    churn : float or array_like
        Customer churn rate per period, the same period as ``arpu``; a fraction in (0, 1].
    gross_margin : float or array_like, default 1.0
        Gross margin, a fraction in [0, 1]. Omitted (1), the result is the revenue LTV of S1/S4;
        with the margin it is the gross-profit LTV.
    errors : {"raise", "coerce", "report"}, default "raise"
        What to do with a failing element (see :mod:`xl_kpi.metrics`).

    Returns
    -------
    float, ndarray or Series
        ``LTV = arpu * gross_margin / churn``, money per customer over its lifetime.

    Notes
    -----
    S1, S4: ARPU / churn rate, that is ARPU times the expected lifetime ``1 / churn`` (see
    :func:`~xl_kpi.metrics.customer_retention.lifetime`); with a margin it equals
    ``clv_contract(arpu, gross_margin, 1 / churn)``. ARPU and churn must cover the same period.
    Higher is better; read it against CAC (:func:`ltv_cac`). A negative ARPU, a churn or a
    margin outside [0, 1] is ``#NUM!``; a zero churn is ``#DIV/0!`` (an unbounded lifetime).

    Examples
    --------
    S4's example: customers pay $50 a month on average and 0.5 % of them leave each month.
    What is a customer worth?

    >>> ltv(50, 0.005)
    10000.0

    ChartMogul's example, ARPA 100 and churn 5 %, then at an 80 % gross margin:

    >>> ltv(100, 0.05)
    2000.0
    >>> ltv(100, 0.05, 0.8)
    1600.0
    """
    c = Call("ltv", errors, arpu=arpu, churn=churn, gross_margin=gross_margin)
    c.nonnegative("arpu")
    c.fraction("churn")
    c.fraction("gross_margin")
    margin = c["arpu"] * c["gross_margin"]
    return c.finish(c.divide(margin, c["churn"], "churn", out=margin))


@metric
def ltv_purchase(average_sale, purchase_frequency, lifetime, *, errors="raise"):
    """Customer lifetime value, purchase form: average sale x purchase frequency x lifetime.

    Parameters
    ----------
    average_sale : float or array_like
        Average value of a sale (see :func:`~xl_kpi.metrics.revenue.average_basket`).
    purchase_frequency : float or array_like
        Average number of purchases per customer per period.
    lifetime : float or array_like
        Average customer lifetime, in the same periods.
    errors : {"raise", "coerce", "report"}, default "raise"
        What to do with a failing element.

    Returns
    -------
    float, ndarray or Series
        ``LTV = average_sale * purchase_frequency * lifetime``, money per customer.

    Notes
    -----
    S0, for repeat purchases rather than subscriptions. Higher is better. Every input must be
    non-negative (``#NUM!``).

    Examples
    --------
    Customers spend $80 an order, order 2.5 times a year and stay 3 years: what is a customer
    worth?

    >>> ltv_purchase(80, 2.5, 3)
    600.0
    """
    return _product(
        "ltv_purchase",
        errors,
        average_sale=average_sale,
        purchase_frequency=purchase_frequency,
        lifetime=lifetime,
    )


@metric
def purchase_frequency(purchases, customers, *, errors="raise"):
    """Purchase frequency: purchases per customer per period, the middle term of :func:`ltv_purchase`.

    Parameters
    ----------
    purchases : float or array_like
        Purchases (sales) made by the customers in the period.
    customers : float or array_like
        Customers who could buy in the period. For a rate per month over several months, pass
        the customer-months (the sum of the customers at the start of each month).
    errors : {"raise", "coerce", "report"}, default "raise"
        What to do with a failing element.

    Returns
    -------
    float, ndarray or Series
        ``frequency = purchases / customers``, purchases per customer per period.

    Notes
    -----
    S0 ("average purchase frequency"). Unlike a conversion rate it may exceed 1 (a customer buys
    several times). Negative inputs are ``#NUM!``; no customers is ``#DIV/0!``.

    Examples
    --------
    400 customers placed 1,000 orders this year: how often does a customer buy?

    >>> purchase_frequency(1_000, 400)
    2.5
    """
    c = Call("purchase_frequency", errors, purchases=purchases, customers=customers)
    c.nonnegative("purchases", "customers")
    return c.finish(c.divide(c["purchases"], c["customers"], "customers"))


@metric
def clv_contract(arpu, gross_margin, contract_periods, *, errors="raise"):
    """Customer lifetime value, margin form: ARPU x gross margin x average contract duration.

    Parameters
    ----------
    arpu : float or array_like
        Average revenue per account per period.
    gross_margin : float or array_like
        Gross margin, a fraction in [0, 1].
    contract_periods : float or array_like
        Average contract duration, in the periods of ``arpu``.
    errors : {"raise", "coerce", "report"}, default "raise"
        What to do with a failing element.

    Returns
    -------
    float, ndarray or Series
        ``CLV = arpu * gross_margin * contract_periods``, gross profit per customer.

    Notes
    -----
    S4. Higher is better. When the duration is the expected lifetime ``1 / churn`` this is
    :func:`ltv` with a margin. A negative ARPU or duration, or a margin outside [0, 1], is
    ``#NUM!``.

    Examples
    --------
    Accounts pay $50 a month at an 80 % gross margin and sign for 24 months on average: what
    gross profit does a customer bring?

    >>> clv_contract(50, 0.8, 24)
    960.0
    """
    return _product(
        "clv_contract",
        errors,
        ("gross_margin",),
        arpu=arpu,
        gross_margin=gross_margin,
        contract_periods=contract_periods,
    )


@metric
def clv_value(customer_value, lifetime, *, errors="raise"):
    """Customer lifetime value, value form: customer value per period x average lifetime.

    Parameters
    ----------
    customer_value : float or array_like
        Value of a customer per period (S2: what a customer brings in a period, typically the
        average purchase value times the purchase frequency).
    lifetime : float or array_like
        Average customer lifetime, in the same periods.
    errors : {"raise", "coerce", "report"}, default "raise"
        What to do with a failing element.

    Returns
    -------
    float, ndarray or Series
        ``CLV = customer_value * lifetime``, money per customer.

    Notes
    -----
    S2. Higher is better. Both inputs must be non-negative (``#NUM!``): the customer value is
    read as revenue, as in S2; a negative contribution per customer is outside this formula.

    Examples
    --------
    A customer brings $300 a year and stays 3 years on average: what is a customer worth?

    >>> clv_value(300, 3)
    900.0
    """
    return _product("clv_value", errors, customer_value=customer_value, lifetime=lifetime)


@metric
def ltv_cac(ltv, cac, *, errors="raise"):
    """LTV:CAC ratio: what a customer is worth over what it cost to acquire.

    Parameters
    ----------
    ltv : float or array_like
        Customer lifetime value (any of the forms of this module; state which).
    cac : float or array_like
        Customer acquisition cost (see :func:`~xl_kpi.metrics.acquisition.cac`).
    errors : {"raise", "coerce", "report"}, default "raise"
        What to do with a failing element.

    Returns
    -------
    float, ndarray or Series
        ``ltv_cac = ltv / cac``, a ratio (3.0 reads "3:1").

    Notes
    -----
    S1, S3, S4. Higher is better; 3 or more is healthy. Negative inputs are ``#NUM!``; a zero
    CAC is ``#DIV/0!``.

    Examples
    --------
    A customer is worth $10,000 and costs $2,500 to win: is acquisition paying off?

    >>> ltv_cac(10_000, 2_500)
    4.0
    """
    c = Call("ltv_cac", errors, ltv=ltv, cac=cac)
    c.nonnegative("ltv", "cac")
    return c.finish(c.divide(c["ltv"], c["cac"], "cac"))


@metric
def cac_payback(cac, arpu, gross_margin=1.0, *, errors="raise"):
    """CAC payback period: periods of gross profit needed to earn back the acquisition cost.

    Parameters
    ----------
    cac : float or array_like
        Customer acquisition cost.
    arpu : float or array_like
        Average revenue per account per period.
    gross_margin : float or array_like, default 1.0
        Gross margin, a fraction in [0, 1]; omitted (1), the payback is on revenue.
    errors : {"raise", "coerce", "report"}, default "raise"
        What to do with a failing element.

    Returns
    -------
    float, ndarray or Series
        ``payback = cac / (arpu * gross_margin)``, in the periods of ``arpu`` (months for a
        monthly ARPU).

    Notes
    -----
    Common SaaS practice, built from the catalogue's CAC, ARPU and margin. Shorter is better.
    Negative inputs, or a margin outside [0, 1], are ``#NUM!``; a zero ``arpu * gross_margin``
    (nothing earned back) is ``#DIV/0!``.

    Examples
    --------
    Winning a customer costs $1,200; it pays $100 a month at an 80 % gross margin. How many
    months until we are even?

    >>> cac_payback(1_200, 100, 0.8)
    15.0
    """
    c = Call("cac_payback", errors, cac=cac, arpu=arpu, gross_margin=gross_margin)
    c.nonnegative("cac", "arpu")
    c.fraction("gross_margin")
    margin = c["arpu"] * c["gross_margin"]
    return c.finish(c.divide(c["cac"], margin, "arpu x gross_margin", out=margin))
