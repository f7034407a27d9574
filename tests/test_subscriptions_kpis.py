"""The monthly KPI table and the trailing NRR/GRR, against the hand calculations in ledgers.py and
the metrics core they must reuse."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xl_kpi import metrics
from xl_kpi.errors import DomainError, InvalidOptionError
from xl_kpi.subscriptions import KPI_COLUMNS, MOVEMENT_COLUMNS, build_ledger, monthly_kpis, trailing_retention

from ledgers import CHARTMOGUL_CUSTOMER_CHURN, CHARTMOGUL_MRR_CHURN, EVERY_MOVEMENT, TRAILING_12


def _nan(values):
    return np.array([np.nan if v is None else v for v in values], dtype=float)


@pytest.mark.parametrize("ledger", [EVERY_MOVEMENT, CHARTMOGUL_MRR_CHURN, CHARTMOGUL_CUSTOMER_CHURN],
                         ids=lambda l: l.name)
def test_ratios_match_the_hand_calculation(ledger):
    t = monthly_kpis(ledger.customer_ids, ledger.months, ledger.mrr)
    for column, expected in ledger.kpis.items():
        np.testing.assert_allclose(t[column].to_numpy(float), _nan(expected), equal_nan=True, err_msg=column)
    for column, expected in ledger.counts.items():
        assert t[column].tolist() == expected, column


def test_chartmogul_logo_churn_is_10_percent_of_the_start_of_month_base():
    led = CHARTMOGUL_CUSTOMER_CHURN
    t = monthly_kpis(led.customer_ids, led.months, led.mrr)
    assert t["logo_churn"].iloc[1] == pytest.approx(0.10)


def test_the_table_has_the_movement_columns_then_the_kpis():
    t = monthly_kpis(EVERY_MOVEMENT.customer_ids, EVERY_MOVEMENT.months, EVERY_MOVEMENT.mrr)
    assert tuple(t.columns) == MOVEMENT_COLUMNS + KPI_COLUMNS


def test_every_ratio_is_the_metrics_core_applied_to_the_movements():
    led = EVERY_MOVEMENT
    t = monthly_kpis(led.customer_ids, led.months, led.mrr)
    s, e, c, x, ch, n, r = (t[k].to_numpy(float) for k in
                            ("start_mrr", "expansion", "contraction", "end_mrr", "churned", "new", "reactivation"))
    expected = {
        "nrr": metrics.nrr(s, e, c, ch, errors="coerce"),
        "grr": metrics.grr(s, c, ch, errors="coerce"),
        "revenue_churn": metrics.revenue_churn(ch, s, c, errors="coerce"),
        "net_revenue_churn": metrics.net_revenue_churn(ch, s, c, e, errors="coerce"),
        "quick_ratio": metrics.quick_ratio(n, e, c, ch, r, errors="coerce"),
        "mrr_growth": metrics.mrr_growth(s, x, errors="coerce"),
        "arr": metrics.arr(x),
        "arpa": metrics.arpu(x, t["customers"].to_numpy(float), errors="coerce"),
        "logo_churn": metrics.churn(t["churned_customers"].to_numpy(float),
                                    t["start_customers"].to_numpy(float), errors="coerce"),
    }
    for column, values in expected.items():
        np.testing.assert_allclose(t[column].to_numpy(float), values, equal_nan=True, err_msg=column)


def test_nrr_is_grr_plus_expansion_over_start():
    led = EVERY_MOVEMENT
    t = monthly_kpis(led.customer_ids, led.months, led.mrr).iloc[1:]
    np.testing.assert_allclose(t["nrr"], t["grr"] + t["expansion"] / t["start_mrr"])


def test_trailing_12_month_nrr_and_grr_point_to_point():
    led = TRAILING_12
    t = trailing_retention(led.customer_ids, led.months, led.mrr)
    np.testing.assert_allclose(t["nrr"], _nan(led.kpis["nrr_12m"]), equal_nan=True)
    np.testing.assert_allclose(t["grr"], _nan(led.kpis["grr_12m"]), equal_nan=True)
    np.testing.assert_allclose(t["start_mrr"], led.kpis["window_start_mrr"])
    # 2024-01 against 2023-01: expansion 50 (c), contraction 20 (d), churned 200 (b).
    assert t.iloc[12][["expansion", "contraction", "churned"]].astype(float).tolist() == [50.0, 20.0, 200.0]
    k = monthly_kpis(led.customer_ids, led.months, led.mrr)
    np.testing.assert_allclose(k["nrr_12m"], t["nrr"], equal_nan=True)
    np.testing.assert_allclose(k["grr_12m"], t["grr"], equal_nan=True)


def test_a_one_month_window_is_the_monthly_nrr():
    led = EVERY_MOVEMENT
    t = trailing_retention(led.customer_ids, led.months, led.mrr, window=1)
    k = monthly_kpis(led.customer_ids, led.months, led.mrr)
    np.testing.assert_allclose(t["nrr"], k["nrr"], equal_nan=True)
    np.testing.assert_allclose(t["grr"], k["grr"], equal_nan=True)


@pytest.mark.parametrize("window, error", [(0, DomainError), (1.5, InvalidOptionError), (True, InvalidOptionError)])
def test_bad_windows_are_refused(window, error):
    with pytest.raises(error, match="'window'"):
        trailing_retention(["a"], ["2024-01"], [1], window=window)


def test_segments_add_up_to_the_total():
    led = EVERY_MOVEMENT
    segment = {"A": "smb", "B": "ent", "C": "smb", "D": "ent", "E": "smb", "F": "mid"}
    ledger = build_ledger(led.customer_ids, led.months, led.mrr, segment=[segment[c] for c in led.customer_ids])
    total = monthly_kpis(ledger)
    by = monthly_kpis(ledger, by="segment")
    assert by.columns[0] == "segment"
    assert sorted(by["segment"].unique()) == ["ent", "mid", "smb"]
    summed = by.groupby("month")[list(MOVEMENT_COLUMNS[1:])].sum()
    pd.testing.assert_frame_equal(summed.reset_index(), total[list(MOVEMENT_COLUMNS)], check_dtype=False)
    # ent = B and D: April loses B (120) and D (300), May brings both back.
    ent = by[by["segment"] == "ent"].set_index("month")
    assert ent.loc[pd.Timestamp("2024-04-01"), "churned"] == 420.0
    assert ent.loc[pd.Timestamp("2024-05-01"), "reactivation"] == 380.0


def test_monthly_kpis_by_an_unknown_attribute_is_refused():
    with pytest.raises(InvalidOptionError, match="no attribute 'segment'"):
        monthly_kpis(["a"], ["2024-01"], [1], by="segment")


@pytest.mark.parametrize("window", [1, 3, 12, 40])
def test_movements_and_trailing_windows_do_not_depend_on_the_step_size(monkeypatch, window):
    import xl_kpi.subscriptions.kpis as kpis
    import xl_kpi.subscriptions.movements as movements
    from xl_kpi.subscriptions.ledger import build_ledger

    rng = np.random.default_rng(11)
    rows = [(f"c{c}", m, float(rng.integers(1, 9) * 10)) for c in range(60) for m in range(30)
            if rng.random() < 0.6]  # gaps: churn and returns; prices: expansion and contraction
    ids, months, mrr = zip(*rows)
    ledger = build_ledger(list(ids), [f"{2020 + m // 12}-{m % 12 + 1:02d}" for m in months], list(mrr))
    whole = movements.movement_arrays(ledger), kpis._window_arrays(ledger, window)
    monkeypatch.setattr(movements, "_CHUNK", 7)
    monkeypatch.setattr(kpis, "_CHUNK", 7)
    stepped = movements.movement_arrays(ledger), kpis._window_arrays(ledger, window)
    for a, b in zip(whole, stepped):
        assert a.keys() == b.keys()
        for key in a:
            assert a[key].tolist() == b[key].tolist(), key
