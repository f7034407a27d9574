"""Behaviour of the lifetime value KPIs beyond the reference table (tests/reference/lifetime.toml):
the identities between the LTV forms, messages, error modes and Series."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xl_kpi.errors import DomainError, ErrorKind, NonNumericError, ZeroDenominatorError
from xl_kpi.metrics.customer_retention import lifetime
from xl_kpi.metrics.lifetime_value import cac_payback, clv_contract, clv_value, ltv, ltv_cac, ltv_purchase

money = st.floats(min_value=0.0, max_value=1e9, allow_nan=False)
margins = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
churns = st.floats(min_value=1e-6, max_value=1.0, allow_nan=False)
quick = settings(deadline=None, max_examples=200)


def test_package_exports_the_kpi_functions_lifetime_and_retention():
    import xl_kpi.metrics as metrics

    assert metrics.lifetime is lifetime
    assert callable(metrics.retention)
    assert {"ltv", "cac_payback", "lifetime", "churn"} <= set(metrics.__all__)


# -- identities between the forms -------------------------------------------------------------------


@given(arpu=money, churn=churns, margin=margins)
@quick
def test_ltv_is_arpu_times_margin_over_churn(arpu, churn, margin):
    assert ltv(arpu, churn, margin) == pytest.approx(arpu * margin / churn, rel=1e-12, abs=1e-12)


@given(arpu=money, churn=churns, margin=margins)
@quick
def test_churn_ltv_is_the_contract_clv_over_the_expected_lifetime(arpu, churn, margin):
    assert ltv(arpu, churn, margin) == pytest.approx(
        clv_contract(arpu, margin, lifetime(churn)), rel=1e-12, abs=1e-12
    )


@given(arpu=money, churn=churns)
@quick
def test_omitted_margin_is_a_margin_of_one(arpu, churn):
    assert ltv(arpu, churn) == ltv(arpu, churn, 1.0)
    assert cac_payback(1_000, arpu + 1, 1.0) == cac_payback(1_000, arpu + 1)


@given(sale=money, frequency=st.floats(min_value=0, max_value=1e3), life=st.floats(min_value=0, max_value=1e3))
@quick
def test_purchase_ltv_is_the_value_clv_of_sale_times_frequency(sale, frequency, life):
    assert ltv_purchase(sale, frequency, life) == pytest.approx(
        clv_value(sale * frequency, life), rel=1e-12, abs=1e-12
    )


@given(cac=st.floats(min_value=0, max_value=1e6), arpu=st.floats(min_value=1e-3, max_value=1e6),
       margin=st.floats(min_value=1e-3, max_value=1.0))
@quick
def test_payback_periods_of_gross_profit_repay_the_cac(cac, arpu, margin):
    assert cac_payback(cac, arpu, margin) * arpu * margin == pytest.approx(cac, rel=1e-12, abs=1e-9)


def test_ltv_cac_of_three_is_the_healthy_threshold():
    # S1/S3/S4: 3:1 or more is healthy; S4's LTV of 10,000 stays healthy up to a CAC of 3,333.
    assert ltv_cac(ltv(50, 0.005), 10_000 / 3) == pytest.approx(3.0)
    assert ltv_cac(ltv(50, 0.005), 4_000) < 3


# -- errors --------------------------------------------------------------------------------------


def test_zero_churn_names_churn_as_the_zero_denominator():
    with pytest.raises(ZeroDenominatorError, match=r"ltv: 'churn' is zero") as e:
        ltv(50, 0)
    assert e.value.argument == "churn"


def test_margin_outside_zero_one_names_the_margin_and_echoes_it():
    with pytest.raises(DomainError, match=r"'gross_margin' must be a fraction in \[0, 1\]; got 80\.0") as e:
        clv_contract(50, 80, 24)  # 80 typed for 80 %
    assert e.value.argument == "gross_margin"
    assert e.value.value == 80.0


def test_cac_payback_with_nothing_earned_back_names_the_product():
    with pytest.raises(ZeroDenominatorError, match=r"cac_payback: the denominator arpu x gross_margin is zero"):
        cac_payback(1_200, 100, 0)


def test_text_is_echoed_with_its_position():
    with pytest.raises(NonNumericError, match=r"'cac' must be a number; got 'n/a' at index 1"):
        ltv_cac([4_000, 4_000], [1_000, "n/a"])


def test_report_mode_keeps_good_cohorts_and_codes_bad_ones():
    values, kinds = ltv([50, 50, 50], [0.005, 0.0, 2.0], errors="report")
    assert kinds.tolist() == [ErrorKind.OK, ErrorKind.DIV0, ErrorKind.NUM]
    assert values[0] == pytest.approx(10_000)
    assert np.isnan(values[1:]).all()


# -- shapes --------------------------------------------------------------------------------------


def test_scalar_margin_broadcasts_over_arrays_and_inputs_stay_untouched():
    arpu = np.array([50.0, 100.0])
    periods = np.array([24.0, -1.0])
    out = clv_contract(arpu, 0.5, periods, errors="coerce")
    assert out[0] == 600.0 and math.isnan(out[1])
    assert arpu.tolist() == [50.0, 100.0]
    assert periods.tolist() == [24.0, -1.0]

