"""Behaviour of the acquisition KPIs that the reference table cannot express."""


import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from xl_kpi.errors import (
    DomainError,
    ErrorKind,
    InvalidOptionError,
    NoDataError,
    NonNumericError,
    ZeroDenominatorError,
)
from xl_kpi.metrics import Checked
from xl_kpi.metrics.acquisition import cac, ccr, conversion_rate, funnel, growth, pql_conversion, roi
from xl_kpi.metrics.revenue import mrr_growth

counts = st.integers(min_value=0, max_value=10**9)


def test_part_larger_than_whole_names_both_arguments():
    with pytest.raises(DomainError, match="'converted' must not exceed 'prospects'") as info:
        conversion_rate(5, 4)
    assert info.value.argument == "converted"
    assert info.value.value == 5.0


@pytest.mark.parametrize(
    ("func", "args", "argument"),
    [
        (pql_conversion, (0, 0), "pqls"),
        (ccr, (0, 0), "visitors"),
        (cac, (100, 0), "new_customers"),
        (roi, (100, 0), "cost"),
        (growth, (0, 10), "previous"),
    ],
)
def test_zero_denominator_error_names_the_denominator(func, args, argument):
    with pytest.raises(ZeroDenominatorError) as info:
        func(*args)
    assert info.value.argument == argument
    assert repr(argument) in str(info.value)


def test_report_mode_gives_a_kind_per_month():
    result = ccr([50, 5, 0, "x"], [20000, 4, 0, 10], errors="report")
    assert isinstance(result, Checked)
    assert result.kinds.tolist() == [ErrorKind.OK, ErrorKind.NUM, ErrorKind.DIV0, ErrorKind.VALUE]
    assert result.values[0] == 0.0025
    assert np.isnan(result.values[1:]).all()


def test_roi_rejects_a_negative_cost_even_with_a_positive_gain():
    with pytest.raises(DomainError, match="'cost' must be non-negative; got -100.0"):
        roi(5000, -100)


def test_funnel_report_gives_a_kind_per_stage():
    values, kinds = funnel([1000, 50, 0, 0, 0], errors="report")
    assert kinds.tolist() == [0, 0, 0, ErrorKind.DIV0, ErrorKind.DIV0]
    assert values[:3].tolist() == [1.0, 0.05, 0.0]


def test_funnel_cumulative_mode_survives_a_zero_stage():
    values, kinds = funnel([1000, 50, 0, 0], mode="cumulative", errors="report")
    assert kinds.tolist() == [0, 0, 0, 0]
    assert values.tolist() == [1.0, 0.05, 0.0, 0.0]


def test_funnel_stage_larger_than_previous_names_the_stage():
    with pytest.raises(DomainError, match="must not exceed the previous stage; got 30.0 at index 2"):
        funnel([100, 20, 30])


def test_funnel_empty_top_stage_is_a_zero_denominator():
    with pytest.raises(ZeroDenominatorError, match="top of the funnel"):
        funnel([0, 0])


def test_funnel_series_comes_back_indexed_by_the_stages_kept():
    stages = pd.Series([5000, None, 100, 25], index=["visitors", "leads", "sql", "customers"])
    result = funnel(stages)
    assert isinstance(result, pd.Series)
    assert result.index.tolist() == ["visitors", "sql", "customers"]
    assert result.tolist() == [1.0, 0.02, 0.25]


def test_funnel_skips_blank_stages_like_sum():
    assert funnel([1000, None, 100, np.nan, 10]).tolist() == [1.0, 0.1, 0.1]


@pytest.mark.parametrize("mode", ["raise", "coerce", "report"])
def test_funnel_text_stage_fails_the_whole_call_in_every_mode(mode):
    with pytest.raises(NonNumericError, match="'stage_counts' must hold numbers only; got 'leads'"):
        funnel([1000, "leads", 10], errors=mode)


@pytest.mark.parametrize("mode", ["raise", "report"])
def test_funnel_unknown_mode_is_an_invalid_option(mode):
    with pytest.raises(InvalidOptionError, match="'mode' parameter must be one of 'step', 'cumulative'"):
        funnel([100, 10], mode="percent", errors=mode)


def test_funnel_without_stages_has_no_data():
    with pytest.raises(NoDataError):
        funnel([None, None])


@given(st.lists(st.integers(min_value=1, max_value=10**6), min_size=1, max_size=8))
def test_funnel_cumulative_is_the_running_product_of_steps(raw):
    stages = sorted(raw, reverse=True)
    step = funnel(stages)
    cumulative = funnel(stages, mode="cumulative")
    np.testing.assert_allclose(np.cumprod(step), cumulative, rtol=1e-12)


@given(st.lists(st.integers(min_value=1, max_value=10**6), min_size=1, max_size=8))
def test_funnel_ratios_are_fractions_for_a_valid_funnel(raw):
    result = funnel(sorted(raw, reverse=True))
    assert result[0] == 1.0
    assert ((result > 0) & (result <= 1)).all()


@given(counts, counts)
def test_growth_is_the_same_formula_as_mrr_growth(previous, current):
    if previous == 0:
        with pytest.raises(ZeroDenominatorError):
            growth(previous, current)
    else:
        assert growth(previous, current) == mrr_growth(previous, current)


@given(st.integers(min_value=0, max_value=10**7), st.integers(min_value=1, max_value=10**4), counts)
def test_cac_on_paying_customers_is_at_least_cac_on_all_new_customers(spend, paying, free):
    assert cac(spend, paying) >= cac(spend, paying + free)


@given(
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
    st.floats(min_value=1e-3, max_value=1e9, allow_nan=False),
)
def test_roi_is_gain_over_cost_minus_one(gain, cost):
    assert roi(gain, cost) == pytest.approx(gain / cost - 1, rel=1e-9, abs=1e-9)
