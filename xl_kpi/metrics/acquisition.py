"""Acquisition and funnel KPIs: conversion rates, the funnel, CAC, ROI and period growth.

Counts (prospects, visitors, leads, customers) are numbers of the same period and cannot be
negative; a converted part cannot exceed the whole it was converted from. Money keeps the
currency of its inputs.
"""

from __future__ import annotations

import numpy as np

from ..errors import ErrorKind
from ._kernel import PART_TOLERANCE, Call, as_list, check_option, loaded_pandas, metric
from .revenue import relative_change

__all__ = [
    "conversion_rate",
    "funnel",
    "pql_conversion",
    "ccr",
    "cac",
    "roi",
    "growth",
]

FUNNEL_MODES = ("step", "cumulative")


def share(func, errors, part_name, part, whole_name, whole):
    """``part / whole`` for a count that is a subset of another; shared by every such rate.

    Both counts must be non-negative and the part cannot exceed the whole (``#NUM!``, with the
    kernel's rounding slack, the result clipped to 1); a zero whole is ``#DIV/0!`` (a non-zero
    part over a zero whole already broke the domain rule).
    """
    c = Call(func, errors, **{part_name: part, whole_name: whole})
    c.nonnegative(part_name, whole_name)
    return c.finish(c.share(c[part_name], whole_name, part_name, f"must not exceed {whole_name!r}"))


@metric
def conversion_rate(converted, prospects, *, errors="raise"):
    """Conversion rate: customers converted / prospects of the period.

    Parameters
    ----------
    converted : float or array_like
        Prospects who became customers in the period.
    prospects : float or array_like
        Prospects (leads) of the period.
    errors : {"raise", "coerce", "report"}, default "raise"
        What to do with a failing element (see :mod:`xl_kpi.metrics`).

    Returns
    -------
    float, ndarray or Series
        ``conversion_rate = converted / prospects``, a fraction, element-wise.

    Notes
    -----
    S0, S3. Higher is better. Negative counts and more converted than prospects are ``#NUM!``;
    zero prospects (and nothing converted) is ``#DIV/0!``. For one stage of a funnel to the
    next, see :func:`funnel`.

    Examples
    --------
    We worked 480 prospects this quarter and signed 36 of them: how well do we convert?

    >>> conversion_rate(36, 480)
    0.075
    """
    return share("conversion_rate", errors, "converted", converted, "prospects", prospects)


@metric
def funnel(stage_counts, *, mode="step", errors="raise"):
    """Funnel conversions: each stage over the previous one ("step") or over the first.

    Parameters
    ----------
    stage_counts : list of float
        Counts of each funnel stage in the period, top of the funnel first (for instance
        visitors, leads, MQL, SAL, SQL, customers). Aggregated as a list: missing values are
        skipped, so a blank stage closes up the funnel rather than counting as zero.
    mode : {"step", "cumulative"}, default "step"
        ``"step"``: each stage over the previous one, the first stage 1.0.
        ``"cumulative"``: each stage over the first one.
    errors : {"raise", "coerce", "report"}, default "raise"
        What to do with a failing stage (see :mod:`xl_kpi.metrics`); ``"report"`` gives an
        :class:`~xl_kpi.errors.ErrorKind` per stage.

    Returns
    -------
    ndarray or Series
        One fraction per stage: ``r[0] = c[0] / c[0]`` and ``r[i] = c[i] / c[i-1]`` (step) or
        ``r[i] = c[i] / c[0]`` (cumulative). A Series when a Series came in, indexed by the
        stages kept.

    Raises
    ------
    NonNumericError, NoDataError
        Text in the stages, or no stage at all (for the whole call, in every mode).
    InvalidOptionError
        ``mode`` is not one of the two modes.
    DomainError
        (raise mode) A negative stage, or a stage larger than the one before it.
    ZeroDenominatorError
        (raise mode) A stage divided by a zero stage.

    Notes
    -----
    S1: visitors -> leads, MQL -> SQL, leads -> customers; MQL, SAL and SQL are successive lead
    stages. Higher is better. Each stage is a subset of the one before it, so a stage larger
    than its predecessor is ``#NUM!`` (in both modes: it is the same funnel), as is a negative
    stage and every ratio divided by one.

    A zero stage: in step mode the next ratio is ``0 / 0``, ``#DIV/0!``, and since no later stage
    may exceed it, every later step ratio is ``#DIV/0!`` too; in cumulative mode the later
    stages are simply 0. A zero first stage makes every ratio ``#DIV/0!`` in both modes, the
    first included (the first stage over itself is 1.0 only when it holds someone).

    Examples
    --------
    10,000 visitors gave 400 leads, 100 SQLs and 25 new customers this month: where does the
    funnel leak?

    >>> funnel([10_000, 400, 100, 25]).tolist()
    [1.0, 0.04, 0.25, 0.25]

    And what share of the visitors reached each stage?

    >>> funnel([10_000, 400, 100, 25], mode="cumulative").tolist()
    [1.0, 0.04, 0.01, 0.0025]
    """
    mode = check_option("funnel", "mode", mode, FUNNEL_MODES)
    counts = as_list("funnel", "stage_counts", stage_counts)
    pd = loaded_pandas()
    if pd is not None and isinstance(stage_counts, pd.Series):
        counts = pd.Series(counts, index=stage_counts.index[stage_counts.notna().to_numpy()])
    c = Call("funnel", errors, stage_counts=counts)
    s = c["stage_counts"]
    c.nonnegative("stage_counts")
    previous = np.concatenate([s[:1], s[:-1]])
    larger = s > previous + PART_TOLERANCE * np.abs(previous)
    c.flag(ErrorKind.NUM, "stage_counts", larger, "must not exceed the previous stage")
    denominator = previous if mode == "step" else np.broadcast_to(s[:1], s.shape)
    c.flag(ErrorKind.NUM, "stage_counts", denominator < 0, "is divided by a negative stage")
    top = np.zeros(s.shape, dtype=bool)
    top[:1] = s[:1] == 0
    c.flag(ErrorKind.DIV0, "stage_counts", top, "must hold someone at the top of the funnel")
    name = "previous stage" if mode == "step" else "first stage"
    return c.finish(np.minimum(c.divide(s, denominator, name), 1.0))


@metric
def pql_conversion(converted_pqls, pqls, *, errors="raise"):
    """PQL-to-paid conversion: product-qualified leads converted to paid / all PQLs.

    Parameters
    ----------
    converted_pqls : float or array_like
        PQLs (free or trial users showing buying signals) who became paying customers.
    pqls : float or array_like
        Product-qualified leads of the period.
    errors : {"raise", "coerce", "report"}, default "raise"
        What to do with a failing element.

    Returns
    -------
    float, ndarray or Series
        ``pql_conversion = converted_pqls / pqls``, a fraction, element-wise.

    Notes
    -----
    S2. Higher is better. Negative counts and more converted than PQLs are ``#NUM!``; zero PQLs
    is ``#DIV/0!``.

    Examples
    --------
    Of 250 product-qualified trial accounts, 40 upgraded to a paid plan: how good is our
    product-led conversion?

    >>> pql_conversion(40, 250)
    0.16
    """
    return share("pql_conversion", errors, "converted_pqls", converted_pqls, "pqls", pqls)


@metric
def ccr(conversions, visitors, *, errors="raise"):
    """Customer conversion rate (CCR): conversions / website visitors.

    Parameters
    ----------
    conversions : float or array_like
        Conversions (new customers) of the period.
    visitors : float or array_like
        Website visitors of the same period.
    errors : {"raise", "coerce", "report"}, default "raise"
        What to do with a failing element.

    Returns
    -------
    float, ndarray or Series
        ``CCR = conversions / visitors``, a fraction, element-wise.

    Notes
    -----
    S2. Higher is better. Negative counts and more conversions than visitors are ``#NUM!``;
    no visitor is ``#DIV/0!``.

    Examples
    --------
    The site had 20,000 visitors in March and 50 of them became customers: what is our CCR?

    >>> ccr(50, 20_000)
    0.0025
    """
    return share("ccr", errors, "conversions", conversions, "visitors", visitors)


@metric
def cac(sales_marketing_spend, new_customers, *, errors="raise"):
    """Customer acquisition cost (CAC): sales and marketing spend / new customers.

    Parameters
    ----------
    sales_marketing_spend : float or array_like
        Marketing and sales spend of the period, people (salaries, commissions) included.
    new_customers : float or array_like
        New customers of the same period. Pass new *paying* customers for S0's definition, or
        all new customers acquired (free and trial sign-ups included) for S1's and S2's.
    errors : {"raise", "coerce", "report"}, default "raise"
        What to do with a failing element.

    Returns
    -------
    float, ndarray or Series
        ``CAC = sales_marketing_spend / new_customers``, money per new customer.

    Notes
    -----
    S0, S1, S2, S3. The sources disagree on the denominator: S0 counts new paying customers,
    S1 and S2 new customers acquired. The formula is the same; the variant is chosen by what is
    passed, and should be stated next to the figure (the paying-customer CAC is the higher one
    and the one that pairs with LTV). Lower is better. Negative inputs are ``#NUM!``; no new
    customer is ``#DIV/0!``.

    Examples
    --------
    We spent $150,000 on sales and marketing this quarter and signed 60 new paying customers:
    what did each one cost?

    >>> cac(150_000, 60)
    2500.0
    """
    c = Call("cac", errors, sales_marketing_spend=sales_marketing_spend, new_customers=new_customers)
    c.nonnegative("sales_marketing_spend", "new_customers")
    return c.finish(c.divide(c["sales_marketing_spend"], c["new_customers"], "new_customers"))


@metric
def roi(gain, cost, *, errors="raise"):
    """Return on investment: (gain - cost) / cost.

    Parameters
    ----------
    gain : float or array_like
        Net profit generated by the investment (S0). It may be negative (a loss).
    cost : float or array_like
        Cost of the investment; it must be positive.
    errors : {"raise", "coerce", "report"}, default "raise"
        What to do with a failing element.

    Returns
    -------
    float, ndarray or Series
        ``ROI = (gain - cost) / cost``, a fraction (0.5 = 50 % return); -1 when the gain is zero.

    Notes
    -----
    S0: (net profit - investment cost) / investment cost. Higher is better; above 0 the
    investment paid for itself. A negative cost is ``#NUM!``; a zero cost ``#DIV/0!`` (there is
    no return on nothing invested).

    Examples
    --------
    A $20,000 campaign brought $50,000 of net profit: what was its return?

    >>> roi(50_000, 20_000)
    1.5
    """
    c = Call("roi", errors, gain=gain, cost=cost)
    c.nonnegative("cost")
    gain = c["gain"] - c["cost"]
    return c.finish(c.divide(gain, c["cost"], "cost", out=gain))


@metric
def growth(previous, current, *, errors="raise"):
    """Period-over-period growth of a count or amount: current / previous - 1.

    Parameters
    ----------
    previous : float or array_like
        The count of the previous period (unique visitors, contacts, leads, ...).
    current : float or array_like
        The count of this period.
    errors : {"raise", "coerce", "report"}, default "raise"
        What to do with a failing element.

    Returns
    -------
    float, ndarray or Series
        ``growth = current / previous - 1``, a fraction per period (negative for a decline).

    Notes
    -----
    S1 follows unique visitors, contacts (subscribers) and leads as counts per period, and
    their growth period over period. Higher is better. Negative counts are ``#NUM!``; a zero
    previous period is ``#DIV/0!``. The same formula as
    :func:`~xl_kpi.metrics.revenue.mrr_growth`.

    Examples
    --------
    Leads went from 320 in May to 400 in June: how much did lead generation grow?

    >>> growth(320, 400)
    0.25

    Month over month, from a monthly Series of unique visitors:

    >>> import pandas as pd
    >>> v = pd.Series([8_000, 10_000, 9_000], index=["2024-04", "2024-05", "2024-06"])
    >>> growth(v.shift(1).iloc[1:], v.iloc[1:]).round(4).tolist()
    [0.25, -0.1]
    """
    return relative_change("growth", errors, "previous", previous, "current", current)
