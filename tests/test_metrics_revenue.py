"""Revenue KPIs: identities (Hypothesis) and behaviour the reference table cannot express."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import xl_kpi as kpi

money = st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False)


@st.composite
def month_of_movements(draw):
    start = draw(st.floats(min_value=1e-3, max_value=1e9))
    churned = draw(st.floats(min_value=0, max_value=1)) * start
    contraction = draw(st.floats(min_value=0, max_value=1)) * (start - churned)
    expansion = draw(money)
    return start, expansion, contraction, churned


@given(month_of_movements())
def test_nrr_is_grr_plus_expansion_over_start(m):
    start, expansion, contraction, churned = m
    assert kpi.nrr(start, expansion, contraction, churned) == pytest.approx(
        kpi.grr(start, contraction, churned) + expansion / start, rel=1e-9, abs=1e-12
    )


@given(month_of_movements())
def test_grr_is_one_minus_gross_revenue_churn(m):
    start, _, contraction, churned = m
    assert kpi.grr(start, contraction, churned) == pytest.approx(
        1 - kpi.revenue_churn(churned, start, contraction), rel=1e-9, abs=1e-12
    )


@given(month_of_movements())
def test_net_revenue_churn_is_one_minus_nrr(m):
    start, expansion, contraction, churned = m
    assert kpi.net_revenue_churn(churned, start, contraction, expansion) == pytest.approx(
        1 - kpi.nrr(start, expansion, contraction, churned), rel=1e-9, abs=1e-9
    )


@given(money, money, money, money, money)
def test_quick_ratio_above_one_exactly_when_net_new_mrr_is_positive(new, exp, con, chu, rea):
    assume(con + chu > 0 and (new + exp + rea) / (con + chu) < 1e300)  # no overflow
    qr = kpi.quick_ratio(new, exp, con, chu, rea)
    nn = kpi.net_new_mrr(new, exp, con, chu, rea)
    gained, lost = new + exp + rea, con + chu
    if gained != lost:  # away from the tie, where rounding decides both sides
        assert (qr > 1) == (nn > 0)


@given(st.lists(money, min_size=1, max_size=30))
def test_mrr_of_monthly_fees_is_their_sum(fees):
    assert kpi.mrr(fees) == pytest.approx(float(np.sum(fees)), rel=1e-12)


@given(st.lists(st.tuples(money, st.sampled_from([1, 3, 6, 12, 24])), min_size=1, max_size=30))
def test_mrr_of_mixed_plans_is_fee_over_months(plans):
    fees, months = zip(*plans)
    assert kpi.mrr(list(fees), list(months)) == pytest.approx(sum(f / m for f, m in plans), rel=1e-9)


def test_arr_run_rate_is_twelve_months_of_mrr():
    assert kpi.arr(kpi.mrr([100] * 100 + [600] * 50, [1] * 100 + [12] * 50)) == 150_000.0
