"""Behaviour of the satisfaction KPIs that the reference table cannot express."""

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
    ShapeMismatchError,
    ZeroDenominatorError,
)
from xl_kpi.metrics.satisfaction import csat, csat_counts, engagement, enps, fcr, nps, nps_counts

answers = st.lists(st.integers(min_value=0, max_value=10), min_size=1, max_size=300)


@given(answers)
def test_nps_stays_within_minus_and_plus_one_hundred(scores):
    assert -100.0 <= nps(scores) <= 100.0


@given(answers)
def test_nps_equals_nps_counts_of_the_tallied_answers(scores):
    promoters = sum(1 for s in scores if s in (9, 10))
    passives = sum(1 for s in scores if s in (7, 8))
    detractors = sum(1 for s in scores if 0 <= s <= 6)
    assert nps(scores) == nps_counts(promoters, passives, detractors)


@given(answers)
def test_enps_is_nps_on_the_same_answers(scores):
    assert enps(scores) == nps(scores)


@given(answers)
def test_nps_does_not_depend_on_answer_order(scores):
    assert nps(scores) == nps(list(reversed(scores)))


def test_nps_skips_blank_answers():
    assert nps([10, None, 0, np.nan, 9]) == nps([10, 0, 9])


def test_nps_accepts_a_series_and_an_array():
    scores = [10, 9, 9, 9, 8, 7, 7, 6, 3, 0]
    assert nps(pd.Series(scores)) == nps(np.array(scores)) == nps(scores)


@pytest.mark.parametrize("func", [nps, enps])
def test_out_of_scale_score_names_the_argument_and_echoes_the_value(func):
    with pytest.raises(DomainError, match=r"'scores' must be whole numbers from 0 to 10; got 11\.0") as info:
        func([9, 11])
    assert info.value.argument == "scores"
    assert info.value.value == 11.0


def test_nps_text_answer_is_non_numeric_and_names_it():
    with pytest.raises(NonNumericError, match="'scores' must hold numbers only; got 'great'"):
        nps([9, "great"])


def test_nps_without_answers_has_no_data():
    with pytest.raises(NoDataError):
        nps([None, np.nan])


def test_nps_counts_report_gives_a_kind_per_wave():
    values, kinds = nps_counts([120, 0, 10], [50, 0, -5], [30, 0, 5], errors="report")
    assert kinds.tolist() == [ErrorKind.OK, ErrorKind.DIV0, ErrorKind.NUM]
    assert values[0] == 45.0
    assert np.isnan(values[1:]).all()


def test_nps_counts_no_answer_names_the_denominator():
    with pytest.raises(ZeroDenominatorError, match="promoters \\+ passives \\+ detractors is zero"):
        nps_counts(0, 0, 0)


def test_csat_threshold_is_inclusive():
    assert csat([3, 4], positive_min=4) == 0.5
    assert csat([3, 4], positive_min=3) == 1.0


@given(st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=100), st.integers(1, 5))
def test_csat_equals_csat_counts_of_the_positive_answers(scores, threshold):
    positive = sum(1 for s in scores if s >= threshold)
    assert csat(scores, positive_min=threshold) == csat_counts(positive, len(scores))


def test_csat_threshold_given_as_several_values_is_an_invalid_option():
    with pytest.raises(InvalidOptionError, match="'positive_min' parameter must be one number"):
        csat([4, 5], positive_min=[4, 5])


def test_csat_threshold_not_positive_names_it():
    with pytest.raises(DomainError, match="'positive_min' must be positive; got 0.0") as info:
        csat([4, 5], positive_min=0)
    assert info.value.argument == "positive_min"


def test_fcr_part_larger_than_whole_names_both_arguments():
    with pytest.raises(DomainError, match="'resolved_first_contact' must not exceed 'tickets'"):
        fcr(101, 100)


def test_engagement_lengths_differ_is_a_shape_mismatch():
    with pytest.raises(ShapeMismatchError, match="values=3, weights=2"):
        engagement([1, 2, 3], [1, 1])


def test_engagement_negative_weight_names_the_weights():
    with pytest.raises(DomainError, match="'weights' must be non-negative; got -1.0") as info:
        engagement([10, 20], [1, -1])
    assert info.value.argument == "weights"


def test_engagement_zero_total_weight_is_a_zero_denominator():
    with pytest.raises(ZeroDenominatorError):
        engagement([10, 20], [0, 0])


def test_engagement_skips_pairs_with_a_blank_member():
    assert engagement([10, None, 30], [1, 5, 1]) == 20.0


@given(
    st.lists(
        st.tuples(st.floats(-1e6, 1e6, allow_nan=False), st.floats(0.01, 1e3, allow_nan=False)),
        min_size=1,
        max_size=50,
    )
)
def test_engagement_lies_between_the_smallest_and_largest_value(pairs):
    values = [v for v, _ in pairs]
    weights = [w for _, w in pairs]
    score = engagement(values, weights)
    slack = 1e-9 * max(1.0, max(abs(v) for v in values))
    assert min(values) - slack <= score <= max(values) + slack


@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=50), st.floats(0.01, 1e3))
def test_engagement_with_equal_weights_is_the_mean(values, weight):
    assert engagement(values, [weight] * len(values)) == pytest.approx(np.mean(values), rel=1e-9, abs=1e-6)
