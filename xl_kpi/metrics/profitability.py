"""Profitability and balance-sheet KPIs: net margin, current ratio, acid test, debt to equity,
equity ratio and interest coverage.

Amounts are in one currency, taken from the same income statement (margin, coverage) or the
same balance sheet (the ratios). Balance-sheet amounts are non-negative except equity, which
is negative when liabilities exceed assets; profit and EBIT may be negative (a loss).
"""

from __future__ import annotations

import numpy as np

from ..errors import DomainError
from ._kernel import Call, as_list, metric

__all__ = [
    "net_margin",
    "current_ratio",
    "acid_test",
    "debt_to_equity",
    "equity_ratio",
    "interest_coverage",
]


@metric
def net_margin(net_profit, revenue, *, errors="raise"):
    """Net profit margin: net profit / revenue.

    Parameters
    ----------
    net_profit : float or array_like
        Net profit of the period, after every cost, interest and tax; negative for a loss.
    revenue : float or array_like
        Revenue of the same period.
    errors : {"raise", "coerce", "report"}, default "raise"
        What to do with a failing element (see :mod:`xl_kpi.metrics`).

    Returns
    -------
    float, ndarray or Series
        ``net_margin = net_profit / revenue``, a fraction (negative for a loss), element-wise.

    Notes
    -----
    S0. Higher is better. Revenue must be non-negative (``#NUM!``) and a zero revenue is
    ``#DIV/0!``. Profit is not bounded by revenue: one-off income (an asset sale, a tax
    credit) can lift the margin above 1, and the figure is reported as is.

    Examples
    --------
    We billed $2.4M this year and kept $360k of net profit: what is our net margin?

    >>> net_margin(360_000, 2_400_000)
    0.15

    A loss year: $-120k on $1.6M of revenue.

    >>> net_margin(-120_000, 1_600_000)
    -0.075
    """
    c = Call("net_margin", errors, net_profit=net_profit, revenue=revenue)
    c.nonnegative("revenue")
    return c.finish(c.divide(c["net_profit"], c["revenue"], "revenue"))


@metric
def current_ratio(current_assets, current_liabilities, *, errors="raise"):
    """Current ratio: current assets / current liabilities.

    Parameters
    ----------
    current_assets : float or array_like
        Assets convertible to cash within a year (cash, receivables, inventory, prepaid
        expenses).
    current_liabilities : float or array_like
        Liabilities due within a year, from the same balance sheet.
    errors : {"raise", "coerce", "report"}, default "raise"
        What to do with a failing element.

    Returns
    -------
    float, ndarray or Series
        ``current_ratio = current_assets / current_liabilities``, a ratio (1.5 = 1.5 : 1).

    Notes
    -----
    S2. Higher is safer: below 1 the short-term debts exceed the assets that could pay them.
    Both amounts must be non-negative (``#NUM!``); no current liability is ``#DIV/0!``. The
    stricter form without inventory and prepaid expenses is :func:`acid_test`.

    Examples
    --------
    The balance sheet shows $900k of current assets against $600k of current liabilities: can
    we pay our short-term debts?

    >>> current_ratio(900_000, 600_000)
    1.5
    """
    c = Call("current_ratio", errors, current_assets=current_assets, current_liabilities=current_liabilities)
    c.nonnegative("current_assets", "current_liabilities")
    return c.finish(c.divide(c["current_assets"], c["current_liabilities"], "current_liabilities"))


@metric
def acid_test(liquid_assets, current_liabilities, *, errors="raise"):
    """Acid test (balance-sheet quick ratio): liquid assets / current liabilities.

    Parameters
    ----------
    liquid_assets : list of float
        The liquid assets, summed: cash, marketable securities, receivables (S2). Aggregated
        as a list; missing values are skipped. Each must be non-negative.
    current_liabilities : float or array_like
        Liabilities due within a year. Given as an array, the one sum of liquid assets is
        divided by each element.
    errors : {"raise", "coerce", "report"}, default "raise"
        What to do with a failing element of ``current_liabilities``.

    Returns
    -------
    float, ndarray or Series
        ``acid_test = sum(liquid_assets) / current_liabilities``, a ratio.

    Raises
    ------
    NonNumericError, NoDataError, DomainError
        For the whole call: text among the liquid assets, none at all, or a negative one.

    Notes
    -----
    S2 calls it the quick ratio. In SaaS growth practice "quick ratio" means MRR gained over MRR
    lost, :func:`~xl_kpi.metrics.revenue.quick_ratio`; this balance-sheet ratio is named acid
    test to keep the two apart. Higher is safer; 1 or more means the company can pay its
    short-term debts without selling inventory. Negative liabilities are ``#NUM!``; zero
    liabilities ``#DIV/0!``.

    Examples
    --------
    We hold $250k of cash, $100k of money-market funds and $150k of receivables against $400k
    of current liabilities: could we pay them now?

    >>> acid_test([250_000, 100_000, 150_000], 400_000)
    1.25
    """
    assets = as_list("acid_test", "liquid_assets", liquid_assets)
    if (assets < 0).any():
        value = float(assets[assets < 0][0])
        raise DomainError(
            f"acid_test: 'liquid_assets' must be non-negative; got {value!r}",
            argument="liquid_assets",
            value=value,
        )
    c = Call("acid_test", errors, current_liabilities=current_liabilities)
    c.nonnegative("current_liabilities")
    return c.finish(c.divide(np.sum(assets), c["current_liabilities"], "current_liabilities"))


@metric
def debt_to_equity(total_debt, equity, *, errors="raise"):
    """Debt-to-equity ratio: total debt / shareholders' equity.

    Parameters
    ----------
    total_debt : float or array_like
        Total debt (borrowings, or all liabilities if that is the policy stated with the
        figure).
    equity : float or array_like
        Shareholders' equity from the same balance sheet.
    errors : {"raise", "coerce", "report"}, default "raise"
        What to do with a failing element.

    Returns
    -------
    float, ndarray or Series
        ``debt_to_equity = total_debt / equity``, a ratio.

    Notes
    -----
    S2 names it "debt ratio"; elsewhere the debt ratio is debt over total *assets*, hence the
    explicit name. Lower is safer. Debt must be non-negative. A negative equity (liabilities
    above assets) is ``#NUM!``: the ratio would be negative and read as "no leverage" when the
    company is insolvent on paper, so it is not computed; a zero equity is ``#DIV/0!``. Report
    the equity itself in that case, or use :func:`equity_ratio`, which accepts it.

    Examples
    --------
    We owe $1.2M and our equity is $800k: how leveraged are we?

    >>> debt_to_equity(1_200_000, 800_000)
    1.5
    """
    c = Call("debt_to_equity", errors, total_debt=total_debt, equity=equity)
    c.nonnegative("total_debt", "equity")
    return c.finish(c.divide(c["total_debt"], c["equity"], "equity"))


@metric
def equity_ratio(equity, total_assets, *, errors="raise"):
    """Equity ratio: shareholders' equity / total assets.

    Parameters
    ----------
    equity : float or array_like
        Shareholders' equity; negative when liabilities exceed assets.
    total_assets : float or array_like
        Total assets from the same balance sheet; positive.
    errors : {"raise", "coerce", "report"}, default "raise"
        What to do with a failing element.

    Returns
    -------
    float, ndarray or Series
        ``equity_ratio = equity / total_assets``, a fraction at most 1 (negative for a company
        with negative equity).

    Notes
    -----
    S2. Higher is safer: the share of the assets financed by the owners. Since assets =
    liabilities + equity and liabilities cannot be negative, equity above total assets is
    ``#NUM!``, as are negative total assets; zero total assets is ``#DIV/0!``.

    Examples
    --------
    Equity of $800k on $2M of total assets: how much of the company do the owners finance?

    >>> equity_ratio(800_000, 2_000_000)
    0.4
    """
    c = Call("equity_ratio", errors, equity=equity, total_assets=total_assets)
    c.nonnegative("total_assets")
    ratio = c.share(c["equity"], "total_assets", "equity", "must not exceed 'total_assets'")
    return c.finish(ratio)


@metric
def interest_coverage(ebit, interest_expense, *, errors="raise"):
    """Interest coverage ratio: EBIT / interest expense.

    Parameters
    ----------
    ebit : float or array_like
        Earnings before interest and taxes of the period; negative for an operating loss.
    interest_expense : float or array_like
        Interest paid on debt in the same period, as a positive amount.
    errors : {"raise", "coerce", "report"}, default "raise"
        What to do with a failing element.

    Returns
    -------
    float, ndarray or Series
        ``interest_coverage = ebit / interest_expense``: how many times the operating earnings
        cover the interest (negative when EBIT is).

    Notes
    -----
    S2. Higher is safer; below 1 the earnings do not cover the interest. A negative interest
    expense is ``#NUM!`` (pass it as a positive amount); no interest at all is ``#DIV/0!``
    (there is nothing to cover).

    Examples
    --------
    EBIT of $450k this year against $90k of interest: how comfortably do we pay our lenders?

    >>> interest_coverage(450_000, 90_000)
    5.0
    """
    c = Call("interest_coverage", errors, ebit=ebit, interest_expense=interest_expense)
    c.nonnegative("interest_expense")
    return c.finish(c.divide(c["ebit"], c["interest_expense"], "interest_expense"))
