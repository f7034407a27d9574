"""MRR movements and cohorts from hand-built ledgers, the identities that tie them, and the many
forms the three columns come in."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xl_kpi.catalogue import INTERFACE
from xl_kpi.subscriptions import MOVEMENT_COLUMNS, build_ledger, cohorts, load_ledger, mrr_movements
from xl_kpi.subscriptions.movements import movement_arrays

from ledgers import EVERY_MOVEMENT, LEDGERS, MOVEMENT_HEADER, excel_serial


def _expected_movements(ledger) -> pd.DataFrame:
    frame = pd.DataFrame(list(ledger.movements), columns=MOVEMENT_HEADER)
    frame["month"] = pd.to_datetime(frame["month"])
    return frame


def _matrix(rows) -> np.ndarray:
    return np.array([[np.nan if v is None else v for v in row] for row in rows], dtype=float)


@pytest.mark.parametrize("ledger", LEDGERS, ids=lambda l: l.name)
def test_movements_match_the_hand_calculation(ledger):
    got = mrr_movements(ledger.customer_ids, ledger.months, ledger.mrr)
    expected = _expected_movements(ledger)
    assert list(got.columns) == list(MOVEMENT_COLUMNS)
    assert got["month"].tolist() == expected["month"].tolist()
    for col in MOVEMENT_COLUMNS[1:]:
        np.testing.assert_allclose(got[col].to_numpy(float), expected[col].to_numpy(float), err_msg=col)
    assert got["customers"].dtype.kind == "i"


@pytest.mark.parametrize("ledger", LEDGERS, ids=lambda l: l.name)
@pytest.mark.parametrize("measure", ["logos", "revenue"])
def test_cohorts_match_the_hand_calculation(ledger, measure):
    got = cohorts(ledger.customer_ids, ledger.months, ledger.mrr, measure=measure)
    expected = _matrix(ledger.logos if measure == "logos" else ledger.revenue)
    np.testing.assert_allclose(got.to_numpy(), expected, equal_nan=True)
    assert list(got.index) == list(_expected_movements(ledger)["month"])
    assert list(got.columns) == list(range(len(expected)))


def test_counts_of_every_movement_kind():
    led = build_ledger(EVERY_MOVEMENT.customer_ids, EVERY_MOVEMENT.months, EVERY_MOVEMENT.mrr)
    a = movement_arrays(led)
    for key, values in EVERY_MOVEMENT.counts.items():
        assert a[key].tolist() == values, key


def test_churn_falls_in_the_first_month_without_mrr():
    # Paid in March, nothing in April: churned in April for the March MRR.
    t = mrr_movements(["x", "x", "y", "y", "y"], ["2024-03", "2024-02", "2024-02", "2024-03", "2024-04"],
                      [10, 10, 5, 5, 5])
    assert t.set_index("month").loc[pd.Timestamp("2024-04-01"), "churned"] == 10.0


def test_customers_still_paying_in_the_last_month_have_not_churned():
    t = mrr_movements(["x", "x"], ["2024-01", "2024-02"], [10, 10])
    assert t["churned"].sum() == 0.0


def test_a_gap_month_in_the_middle_of_the_ledger_is_a_row_of_its_own():
    # Nobody paid in February: every January customer churned then, and March is reactivation.
    t = mrr_movements(["x", "x"], ["2024-01", "2024-03"], [10, 10])
    assert t["month"].dt.strftime("%Y-%m").tolist() == ["2024-01", "2024-02", "2024-03"]
    assert t["churned"].tolist() == [0.0, 10.0, 0.0]
    assert t["reactivation"].tolist() == [0.0, 0.0, 10.0]
    assert t["customers"].tolist() == [1, 0, 1]


@pytest.mark.parametrize("ledger", LEDGERS, ids=lambda l: l.name)
def test_start_plus_net_new_is_end_and_start_is_last_months_end(ledger):
    t = mrr_movements(ledger.customer_ids, ledger.months, ledger.mrr)
    np.testing.assert_allclose(t["start_mrr"] + t["net_new"], t["end_mrr"])
    np.testing.assert_allclose(t["start_mrr"].iloc[1:].to_numpy(), t["end_mrr"].iloc[:-1].to_numpy())
    assert t["start_mrr"].iloc[0] == 0.0


@pytest.mark.parametrize("ledger", LEDGERS, ids=lambda l: l.name)
def test_cohort_age_zero_is_new_customers_and_new_mrr_without_reactivations(ledger):
    led = build_ledger(ledger.customer_ids, ledger.months, ledger.mrr)
    a = movement_arrays(led)
    np.testing.assert_array_equal(cohorts(led)[0].to_numpy(), a["new_customers"])
    np.testing.assert_allclose(cohorts(led, measure="revenue")[0].to_numpy(), a["new"])


@pytest.mark.parametrize("ledger", LEDGERS, ids=lambda l: l.name)
def test_cohort_cells_of_a_calendar_month_add_up_to_its_customers_and_mrr(ledger):
    t = mrr_movements(ledger.customer_ids, ledger.months, ledger.mrr)
    for measure, column in (("logos", "customers"), ("revenue", "end_mrr")):
        m = cohorts(ledger.customer_ids, ledger.months, ledger.mrr, measure=measure).to_numpy()
        n = len(m)
        by_month = [sum(m[c, t - c] for c in range(t + 1)) for t in range(n)]
        np.testing.assert_allclose(by_month, t[column].to_numpy(float))


def test_normalized_cohorts_are_retention_fractions():
    led = EVERY_MOVEMENT
    got = cohorts(led.customer_ids, led.months, led.mrr, normalize=True)
    # Jan cohort: 3 3 2 1 2 over 3; the empty April cohort has no retention.
    np.testing.assert_allclose(got.iloc[0].to_numpy(), [1, 1, 2 / 3, 1 / 3, 2 / 3])
    assert got.iloc[3].isna().all()
    rev = cohorts(led.customer_ids, led.months, led.mrr, measure="revenue", normalize=True)
    np.testing.assert_allclose(rev.iloc[0].to_numpy(), [1, 270 / 350, 270 / 350, 150 / 350, 230 / 350])


def test_cohorts_reject_an_unknown_measure():
    from xl_kpi.errors import InvalidOptionError

    with pytest.raises(InvalidOptionError, match="'measure'.*'logos', 'revenue'.*'mrr'"):
        cohorts(["a"], ["2024-01"], [1], measure="mrr")
    with pytest.raises(InvalidOptionError, match="'normalize'"):
        cohorts(["a"], ["2024-01"], [1], normalize="yes")


# -- the forms of the input ------------------------------------------------------------------------

def _forms(ledger):
    ids, months, mrr = ledger.customer_ids, ledger.months, ledger.mrr
    yield "lists", (list(ids), list(months), list(mrr))
    yield "excel serials", (list(ids), [excel_serial(m, 15) for m in months], list(mrr))
    yield "excel column ranges", ([[i] for i in ids], [[excel_serial(m)] for m in months], [[float(v)] for v in mrr])
    yield "dates", (ids, [dt.date.fromisoformat(m + "-28") for m in months], mrr)
    yield "datetimes", (ids, [dt.datetime.fromisoformat(m + "-03T12:30") for m in months], mrr)
    yield "timestamps", (ids, pd.to_datetime(list(months)), np.array(mrr, dtype=float))
    yield "series", (pd.Series(ids), pd.Series(pd.to_datetime(list(months))), pd.Series(mrr))
    yield "day text", (ids, [m + "-09" for m in months], mrr)
    yield "tz-aware", (ids, pd.to_datetime(list(months)).tz_localize("Europe/Paris"), mrr)


@pytest.mark.parametrize("form", [f for f, _ in _forms(EVERY_MOVEMENT)])
def test_every_input_form_gives_the_same_table(form):
    args = dict(_forms(EVERY_MOVEMENT))[form]
    got = mrr_movements(*args)
    pd.testing.assert_frame_equal(got, mrr_movements(*dict(_forms(EVERY_MOVEMENT))["lists"]))


def test_a_dataframe_or_a_ledger_can_stand_for_the_three_columns():
    led = EVERY_MOVEMENT
    frame = pd.DataFrame({"customer_id": led.customer_ids, "month": led.months, "mrr": led.mrr})
    base = mrr_movements(led.customer_ids, led.months, led.mrr)
    pd.testing.assert_frame_equal(mrr_movements(frame), base)
    pd.testing.assert_frame_equal(mrr_movements(load_ledger(frame)), base)
    pd.testing.assert_frame_equal(cohorts(frame), cohorts(led.customer_ids, led.months, led.mrr))


def test_numeric_ids_and_text_ids_are_different_customers_but_equal_numbers_are_one():
    t = mrr_movements([7, 7.0, "7"], ["2024-01", "2024-01", "2024-01"], [1, 2, 4])
    assert t["customers"].tolist() == [2]  # 7 and 7.0 are one customer (3), "7" another (4)
    assert t["end_mrr"].tolist() == [7.0]


def test_inputs_are_not_mutated():
    ids = np.array(["a", "b", "a"], dtype=object)
    months = pd.Series(["2024-02", "2024-01", "2024-01"])
    mrr = np.array([3.0, 2.0, 1.0])
    copies = (ids.copy(), months.copy(), mrr.copy())
    mrr_movements(ids, months, mrr)
    cohorts(ids, months, mrr, measure="revenue")
    np.testing.assert_array_equal(ids, copies[0])
    pd.testing.assert_series_equal(months, copies[1])
    np.testing.assert_array_equal(mrr, copies[2])


def test_the_interface_calls_these_functions_in_excel_order():
    led = EVERY_MOVEMENT
    table = INTERFACE["KPI_MRR_MOVEMENTS"].call(list(led.customer_ids), list(led.months), list(led.mrr))
    pd.testing.assert_frame_equal(table, mrr_movements(led.customer_ids, led.months, led.mrr))
    matrix = INTERFACE["KPI_COHORTS"].call(list(led.customer_ids), list(led.months), list(led.mrr), "revenue")
    np.testing.assert_allclose(matrix.to_numpy(), _matrix(led.revenue), equal_nan=True)


# -- against an independent, per-customer reference ------------------------------------------------

def _reference(rows, n_months):
    """Movements by walking each customer's months one by one (dense, slow, obvious)."""
    mrr = {}
    for c, m, v in rows:
        mrr.setdefault(c, [0.0] * n_months)[m] += v
    out = {k: [0.0] * n_months for k in ("new", "expansion", "contraction", "churned", "reactivation")}
    for series in mrr.values():
        paid_before = False
        prev = 0.0
        for t, cur in enumerate(series):
            if prev == 0 and cur > 0:
                out["reactivation" if paid_before else "new"][t] += cur
            elif prev > 0 and cur == 0:
                out["churned"][t] += prev
            elif cur > prev > 0:
                out["expansion"][t] += cur - prev
            elif prev > cur > 0:
                out["contraction"][t] += prev - cur
            paid_before = paid_before or cur > 0
            prev = cur
    out["end_mrr"] = [sum(s[t] for s in mrr.values()) for t in range(n_months)]
    out["customers"] = [sum(s[t] > 0 for s in mrr.values()) for t in range(n_months)]
    return out


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 8), st.sampled_from([0, 5, 10, 12.5, 40, 100])),
                min_size=1, max_size=60))
def test_movements_agree_with_a_customer_by_customer_walk(rows):
    ids = [f"c{c}" for c, _, _ in rows]
    months = [f"2024-{m + 1:02d}" if m < 12 else f"2025-{m - 11:02d}" for _, m, _ in rows]
    first = min(m for _, m, _ in rows)
    n = max(m for _, m, _ in rows) - first + 1
    ref = _reference([(c, m - first, v) for c, m, v in rows], n)
    got = mrr_movements(ids, months, [v for _, _, v in rows])
    for key, values in ref.items():
        np.testing.assert_allclose(got[key].to_numpy(float), values, err_msg=key)
    np.testing.assert_allclose(got["start_mrr"] + got["net_new"], got["end_mrr"])
