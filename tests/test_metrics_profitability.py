"""Behaviour of the profitability and balance-sheet KPIs that the reference table cannot express."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from xl_kpi.errors import DomainError, ErrorKind, NoDataError, NonNumericError, ZeroDenominatorError
from xl_kpi.metrics.profitability import (
    acid_test,
    current_ratio,
    debt_to_equity,
    equity_ratio,
    interest_coverage,
    net_margin,
)

amounts = st.floats(min_value=0.0, max_value=1e12, allow_nan=False)
positive = st.floats(min_value=1.0, max_value=1e12, allow_nan=False)


def test_acid_test_divides_one_sum_by_each_liability_and_keeps_the_index():
    quarters = pd.Index(["Q1", "Q2"])
    result = acid_test([250_000, 100_000, 150_000], pd.Series([400_000, 500_000], index=quarters))
    assert result.index.equals(quarters)
    assert result.tolist() == [1.25, 1.0]


def test_acid_test_skips_blank_assets_like_sum():
    assert acid_test([250_000, None, 150_000, np.nan], 400_000) == 1.0


def test_acid_test_negative_asset_fails_the_whole_call_in_report_mode():
    with pytest.raises(DomainError, match="'liquid_assets' must be non-negative; got -100.0"):
        acid_test([500, -100], [400, 500], errors="report")


def test_acid_test_text_asset_is_non_numeric_and_named():
    with pytest.raises(NonNumericError, match="'liquid_assets' must hold numbers only; got 'cash'"):
        acid_test([500, "cash"], 400)


def test_acid_test_without_assets_has_no_data():
    with pytest.raises(NoDataError):
        acid_test([], 400)


def test_acid_test_report_gives_a_kind_per_liability():
    values, kinds = acid_test([500], [400, 0, -1, "x"], errors="report")
    assert kinds.tolist() == [ErrorKind.OK, ErrorKind.DIV0, ErrorKind.NUM, ErrorKind.VALUE]
    assert values[0] == 1.25


@pytest.mark.parametrize(
    ("func", "args", "argument"),
    [
        (net_margin, (10, 0), "revenue"),
        (current_ratio, (10, 0), "current_liabilities"),
        (acid_test, ([10], 0), "current_liabilities"),
        (debt_to_equity, (10, 0), "equity"),
        (equity_ratio, (0, 0), "total_assets"),
        (interest_coverage, (10, 0), "interest_expense"),
    ],
)
def test_zero_denominator_error_names_the_denominator(func, args, argument):
    with pytest.raises(ZeroDenominatorError) as info:
        func(*args)
    assert info.value.argument == argument


def test_debt_to_equity_negative_equity_is_a_domain_error_naming_equity():
    with pytest.raises(DomainError, match="'equity' must be non-negative; got -100000.0") as info:
        debt_to_equity(500_000, -100_000)
    assert info.value.argument == "equity"


def test_equity_above_assets_names_both_arguments():
    with pytest.raises(DomainError, match="'equity' must not exceed 'total_assets'"):
        equity_ratio(600, 500)


def test_interest_coverage_negative_interest_is_a_domain_error():
    with pytest.raises(DomainError, match="'interest_expense' must be non-negative"):
        interest_coverage(100, -10)


@given(amounts, amounts, positive)
def test_acid_test_is_the_current_ratio_of_the_summed_assets(cash, receivables, liabilities):
    assert acid_test([cash, receivables], liabilities) == pytest.approx(
        current_ratio(cash + receivables, liabilities), rel=1e-12
    )


@given(amounts, amounts)
def test_equity_ratio_and_debt_to_equity_describe_one_balance_sheet(liabilities, equity):
    # assets = liabilities + equity, so D/E = (1 - ER) / ER with debt = all liabilities.
    assume(equity >= 1.0)
    er = equity_ratio(equity, liabilities + equity)
    assert 0.0 < er <= 1.0
    assert debt_to_equity(liabilities, equity) == pytest.approx((1 - er) / er, rel=1e-9, abs=1e-9)


@given(st.integers(-(10**12), 10**12), positive)
def test_net_margin_has_the_sign_of_the_profit(profit, revenue):
    assert np.sign(net_margin(profit, revenue)) == np.sign(profit)
