"""Behaviour of the retention and churn KPIs beyond the reference table
(tests/reference/retention.toml): messages, error modes, Series, list arguments, identities."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xl_kpi.errors import (
    DomainError,
    ErrorKind,
    InvalidOptionError,
    NoDataError,
    NonNumericError,
    ZeroDenominatorError,
)
from xl_kpi.metrics.customer_retention import (
    churn,
    churn_annual,
    churn_monthly,
    cost_to_serve,
    crc,
    crr,
    lifetime,
    retention,
)

rates = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
quick = settings(deadline=None, max_examples=200)


# -- churn and retention ----------------------------------------------------------------------------


def test_churn_loss_above_base_names_the_argument_and_echoes_the_value():
    with pytest.raises(DomainError, match=r"'lost_customers' must not exceed 'customers'; got 12\.0") as e:
        churn(12, 10)
    assert e.value.argument == "lost_customers"
    assert e.value.value == 12.0
    assert e.value.excel == "#NUM!"


def test_churn_error_message_gives_the_position_of_the_bad_month():
    with pytest.raises(ZeroDenominatorError, match=r"'customers' is zero.*at index 2"):
        churn([1, 2, 0], [10, 20, 0])


def test_churn_report_gives_one_code_per_month():
    values, kinds = churn([10, 0, 3], [100, 0, 2], errors="report")
    assert kinds.tolist() == [ErrorKind.OK, ErrorKind.DIV0, ErrorKind.NUM]
    assert values[0] == pytest.approx(0.1)


@given(base=st.integers(min_value=1, max_value=10**9), data=st.data())
@quick
def test_churn_and_retention_on_the_same_base_add_up_to_one(base, data):
    lost = data.draw(st.integers(min_value=0, max_value=base))
    assert churn(lost, base) + retention(base - lost, base) == pytest.approx(1.0, rel=1e-12)


# -- CRR ------------------------------------------------------------------------------------------


def test_crr_more_new_than_end_blames_new_customers():
    with pytest.raises(DomainError) as e:
        crr(20, 25, 100)
    assert e.value.argument == "new_customers"


def test_crr_without_new_customers_is_end_over_start():
    assert crr(180, 0, 200) == retention(180, 200)


def test_crr_can_exceed_one_when_returning_customers_are_not_counted_as_new():
    # 200 at the start, 10 lost, 25 came back and 10 were new: 225 at the end.
    assert crr(225, 10, 200) == pytest.approx(1.075)
    # Counting the returning customers as new gives the strict retention of the base.
    assert crr(225, 35, 200) == pytest.approx(0.95)


# -- monthly / annual conversions -------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["raise", "coerce", "report"])
@pytest.mark.parametrize("fn", [churn_monthly, churn_annual])
def test_unknown_method_raises_in_every_error_mode(fn, mode):
    with pytest.raises(InvalidOptionError, match=r"'method' parameter must be one of 'compound', 'linear'; got 'cubic'"):
        fn(0.05, method="cubic", errors=mode)


def test_linear_annual_above_one_is_a_domain_error_naming_the_monthly_rate():
    with pytest.raises(DomainError, match="monthly_churn") as e:
        churn_annual(0.1, method="linear")
    assert e.value.value == 0.1


def test_the_highest_linear_monthly_rate_gives_exactly_full_annual_churn():
    assert churn_annual(1 / 12, method="linear") == 1.0


@pytest.mark.filterwarnings("error")
def test_rates_outside_zero_one_warn_nothing_when_coerced():
    out = churn_monthly([-0.5, 1.5, 0.05], errors="coerce")
    assert np.isnan(out[:2]).all()
    assert out[2] == pytest.approx(1 - 0.95 ** (1 / 12))


@given(a=rates)
@quick
def test_compound_annual_to_monthly_and_back_round_trips(a):
    assert churn_annual(churn_monthly(a)) == pytest.approx(a, rel=1e-9, abs=1e-12)


@given(m=st.floats(min_value=0.0, max_value=0.5, allow_nan=False))
@quick
def test_compound_monthly_to_annual_and_back_round_trips(m):
    # Up to 50 % a month: beyond, (1 - m) ** 12 nears the float resolution of 1 and the annual
    # rate no longer holds enough digits to recover m.
    assert churn_monthly(churn_annual(m)) == pytest.approx(m, rel=1e-9, abs=1e-12)


@given(a=rates)
@quick
def test_linear_annual_to_monthly_and_back_round_trips(a):
    monthly = churn_monthly(a, method="linear")
    assert churn_annual(monthly, method="linear") == pytest.approx(a, rel=1e-12, abs=1e-15)


@given(m=st.floats(min_value=0.0, max_value=1 / 12, allow_nan=False))
@quick
def test_linear_monthly_to_annual_and_back_round_trips(m):
    annual = churn_annual(m, method="linear")
    assert churn_monthly(annual, method="linear") == pytest.approx(m, rel=1e-12, abs=1e-15)


@given(a=rates)
@quick
def test_compound_monthly_churn_lies_between_the_linear_one_and_the_annual_rate(a):
    compound = churn_monthly(a)
    linear = churn_monthly(a, method="linear")
    assert linear <= compound * (1 + 1e-12) + 1e-15
    assert compound <= a * (1 + 1e-12) + 1e-15


@given(m=rates)
@quick
def test_compound_annual_churn_never_exceeds_the_linear_one(m):
    assert churn_annual(m) <= 12 * m * (1 + 1e-12) + 1e-15
    assert 0.0 <= churn_annual(m) <= 1.0


# -- lifetime -------------------------------------------------------------------------------------


@given(c=st.floats(min_value=1e-300, max_value=1.0, allow_nan=False))
@quick
def test_lifetime_times_churn_is_one(c):
    assert lifetime(c) * c == pytest.approx(1.0, rel=1e-15)


def test_lifetime_without_churn_is_a_zero_denominator():
    with pytest.raises(ZeroDenominatorError) as e:
        lifetime(0)
    assert e.value.argument == "churn"
    assert e.value.excel == "#DIV/0!"


# -- CRC and cost to serve --------------------------------------------------------------------------


def test_crc_skips_missing_cost_lines_like_sum_skips_blanks():
    assert crc([5_000, None, float("nan"), 1_000], 200) == 30.0


def test_crc_spreads_one_total_over_each_customer_count():
    out = crc([6_000, 3_000], np.array([100, 150, 300]))
    assert out.tolist() == [90.0, 60.0, 30.0]


@pytest.mark.parametrize("mode", ["raise", "coerce", "report"])
def test_negative_cost_line_raises_in_every_error_mode(mode):
    with pytest.raises(DomainError, match=r"'costs' must hold non-negative amounts; got -250\.0") as e:
        cost_to_serve([1_000, -250], [10, 20], errors=mode)
    assert e.value.argument == "costs"


@pytest.mark.parametrize("mode", ["raise", "coerce", "report"])
def test_text_among_cost_lines_raises_in_every_error_mode(mode):
    with pytest.raises(NonNumericError, match=r"'retention_costs' must hold numbers only; got 'tbd'"):
        crc([1_000, "tbd"], 10, errors=mode)


def test_no_cost_at_all_is_no_data():
    with pytest.raises(NoDataError, match="'retention_costs' holds no numbers"):
        crc([], 10)
    with pytest.raises(NoDataError):
        cost_to_serve([None, None], 10)


def test_crc_reports_a_zero_customer_month_without_spoiling_the_others():
    values, kinds = crc([900], [10, 0, 30], errors="report")
    assert kinds.tolist() == [ErrorKind.OK, ErrorKind.DIV0, ErrorKind.OK]
    assert values[[0, 2]].tolist() == [90.0, 30.0]


@given(
    costs=st.lists(st.floats(min_value=0, max_value=1e9, allow_nan=False), min_size=1, max_size=8),
    customers=st.integers(min_value=1, max_value=10**6),
)
@quick
def test_crc_and_cost_to_serve_share_one_formula(costs, customers):
    assert crc(costs, customers) == cost_to_serve(costs, customers)
    assert crc(costs, customers) == pytest.approx(math.fsum(costs) / customers, rel=1e-12)


# -- rounding slack ---------------------------------------------------------------------------------


def test_a_part_equal_to_its_whole_up_to_rounding_is_the_whole_not_a_domain_error():
    lost = 0.1 + 0.2  # 0.30000000000000004
    assert churn(lost, 0.3) == 1.0
    assert crr(0.3, lost, 10) == 0.0
    assert churn_annual(0.0833333333333334, method="linear") == 1.0


def test_a_part_clearly_above_its_whole_is_still_a_domain_error():
    with pytest.raises(DomainError):
        churn(0.3001, 0.3)
    with pytest.raises(DomainError):
        churn_annual(0.0834, method="linear")
