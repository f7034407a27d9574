"""Forecasting by exponential triple smoothing (``xl_kpi/recalc/functions/forecasting.py``).

Sources: Microsoft's pages of FORECAST.ETS, FORECAST.ETS.CONFINT, FORECAST.ETS.SEASONALITY and
FORECAST.ETS.STAT (the argument rules; they give no numeric example: their examples are a
workbook to download) and every cell of vinci1it2000/formulas test.xlsx, sheet STATISTICAL rows
38-41, read at test time from the corpus and recalculated (skipped when the corpus is absent).
The other cases are series whose forecast is exact whatever the smoothing constants: a straight
line, a repeated pattern on a line.
"""

from __future__ import annotations

import datetime
import math
import re

import pytest

from xl_kpi.excel_dates import to_serial
from xl_kpi.excel_errors import DIV0, NA, NUM, REF, VALUE
from xl_kpi.recalc import evaluate

# formulas test.xlsx STATISTICAL!R38: duplicates at 3 and 7, a gap at 2; completed and averaged
# the series on 1..9 is 1,2,3,2,1,2,3,2,1 (period 4)
VALUES = "{3,3,1,2,3,2,1,3,2,1}"
TIMELINE = "{3,7,5,6,7,8,1,3,4,9}"

# a pattern of period 4 on the line 100 + 2t, t = 1..24
PATTERN = [10, -5, -10, 5]
SEASONAL = "{" + ",".join(str(100 + 2 * t + PATTERN[(t - 1) % 4]) for t in range(1, 25)) + "}"
T24 = "{" + ",".join(str(t) for t in range(1, 25)) + "}"


def ets(expr: str, cells=None):
    return evaluate(cells or {}, "=" + expr)


@pytest.mark.parametrize("target, expected", [
    # STATISTICAL!R38, U38, X38 (the text "29/02/1900" is serial 60), Y38 (TRUE is 1), S38, T38
    ("10", 2), ("100", 2), ('"29/02/1900"', 2), ("TRUE", 1), ("0.1", 0.0999999999999996), ("0.7", 0.6999999999999993),
])
def test_a_repeated_pattern_is_forecast_exactly(target, expected):
    assert ets(f"FORECAST.ETS({target},{VALUES},{TIMELINE},4,1)") == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("target", ["0", "-1"])
def test_a_target_a_step_before_the_timeline_or_earlier_is_num(target):
    # STATISTICAL!V38, W38 (a blank target is 0)
    assert ets(f"FORECAST.ETS({target},{VALUES},{TIMELINE},4,1)") == NUM


def test_a_target_on_the_timeline_is_its_value_and_between_points_heads_for_the_next_forecast():
    noisy = "{1,1,1,2,5,5,6,5,9,9,8,9},{1,2,3,4,5,6,7,8,9,10,11,12}"
    assert ets(f"FORECAST.ETS(5,{noisy},0)") == 5
    after_first = ets(f"FORECAST.ETS(12.5,{noisy},0)")
    assert after_first == pytest.approx((9 + ets(f"FORECAST.ETS(13,{noisy},0)")) / 2)


def test_a_perfect_fit_has_no_error_and_a_zero_interval():
    # STATISTICAL!R41:V41 and S39, W39 (a blank level is the default 95 %)
    stat = ets(f"FORECAST.ETS.STAT({VALUES},{TIMELINE},{{4,5,6,7,8}},4,1,)")
    assert stat == [[0.0, 0.0, 0.0, 0.0, 1.0]]
    assert ets(f"FORECAST.ETS.CONFINT(50,{VALUES},{TIMELINE},0.1,4,1,)") == 0
    assert ets(f"FORECAST.ETS.CONFINT(50,{VALUES},{TIMELINE},A1,4,1,)", {"A1": None}) == 0


def test_a_pattern_seen_barely_twice_in_nine_points_is_no_seasonality():
    # STATISTICAL!R40, U40, Y40: Excel detects none, whatever the completion
    for completion in ("1", "0", "TRUE"):
        assert ets(f"FORECAST.ETS.SEASONALITY({VALUES},{TIMELINE},{completion})") == 0


def test_a_pattern_repeated_six_times_is_detected_and_continued():
    assert ets(f"FORECAST.ETS.SEASONALITY({SEASONAL},{T24})") == 4
    # t = 25 and 27 continue the line and the pattern: 100 + 50 + 10, 100 + 54 - 10
    assert ets(f"FORECAST.ETS({{25,27}},{SEASONAL},{T24})") == [[pytest.approx(160), pytest.approx(144)]]
    assert ets(f"FORECAST.ETS.STAT({SEASONAL},{T24},6)") == pytest.approx(0, abs=1e-9)


def test_without_seasonality_a_line_is_continued():
    assert ets("FORECAST.ETS(13,{2,4,6,8,10,12,14,16,18,20,22,24},{1,2,3,4,5,6,7,8,9,10,11,12},0)") == pytest.approx(26)
    # between two steps, the straight line between their forecasts
    assert ets("FORECAST.ETS(12.5,{2,4,6,8,10,12,14,16,18,20,22,24},{1,2,3,4,5,6,7,8,9,10,11,12},0)") == pytest.approx(25)


def test_a_timeline_of_months_steps_in_months():
    cells = {f"A{i}": to_serial(datetime.date(2024, i, 1)) for i in range(1, 7)}  # 29, 31 or 30 days apart
    cells.update({f"B{i}": 10 * i for i in range(1, 7)})
    assert ets("FORECAST.ETS(DATE(2024,7,1),B1:B6,A1:A6,0)", cells) == pytest.approx(70)
    assert ets("FORECAST.ETS(DATE(2024,9,1),B1:B6,A1:A6,0)", cells) == pytest.approx(90)
    assert ets("FORECAST.ETS.STAT(B1:B6,A1:A6,8,0)", cells) == 1


def test_duplicate_times_are_aggregated_as_asked():
    line = "{1,1,3,3,4},{1,2,2,3,4}"  # averaged: 1,2,3,4 on 1..4
    assert ets(f"FORECAST.ETS(5,{line},0)") == pytest.approx(5)
    assert ets(f"FORECAST.ETS.STAT({line},6,0,1,1)") == pytest.approx(0, abs=1e-9)
    assert ets(f"FORECAST.ETS.STAT({line},6,0,1,7)") > 0.1  # summed: 1,4,3,4


def test_a_missing_point_is_the_average_of_its_neighbours_or_zero():
    line = "{1,2,3,5,6,7,8,9,10,11},{1,2,3,5,6,7,8,9,10,11}"  # 4 missing
    assert ets(f"FORECAST.ETS(12,{line},0,1)") == pytest.approx(12)
    assert ets(f"FORECAST.ETS.STAT({line},6,0,1)") == pytest.approx(0, abs=1e-9)
    assert ets(f"FORECAST.ETS.STAT({line},6,0,0)") > 0.1  # 4 read as 0


def test_the_interval_widens_with_the_horizon_and_scales_with_the_normal_quantile():
    noisy = "{1,1,1,2,5,5,6,5,9,9,8,9},{1,2,3,4,5,6,7,8,9,10,11,12}"  # level shifts: alpha > 0
    near, far = (ets(f"FORECAST.ETS.CONFINT({t},{noisy},0.95,0)") for t in (13, 20))
    assert 0 < near < far
    half = ets(f"FORECAST.ETS.CONFINT(13,{noisy},0.5,0)")
    assert near / half == pytest.approx(1.959963984540054 / 0.6744897501960817)
    rmse = ets(f"FORECAST.ETS.STAT({noisy},7,0)")
    assert near == pytest.approx(1.959963984540054 * rmse)


def test_the_smoothing_constants_lie_between_zero_and_one():
    noisy = "{5,7,4,8,6,9,5,8,7,10,6,9,7,11,8,12},{1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16}"
    for kind in (1, 2, 3):
        assert 0 <= ets(f"FORECAST.ETS.STAT({noisy},{kind},2)") <= 1
    mae, rmse = (ets(f"FORECAST.ETS.STAT({noisy},{k},2)") for k in (6, 7))
    assert 0 < mae <= rmse


@pytest.mark.parametrize("formula, expected", [
    # STATISTICAL rows 39-41: a level outside (0, 1), a completion not 0 or 1, a type outside 1..8
    (f"FORECAST.ETS.CONFINT(50,{VALUES},{TIMELINE},1,4,1)", NUM),
    (f"FORECAST.ETS.CONFINT(50,{VALUES},{TIMELINE},-1,4,1)", NUM),
    (f"FORECAST.ETS.SEASONALITY({VALUES},{TIMELINE},2)", NUM),
    (f"FORECAST.ETS.STAT({VALUES},{TIMELINE},0,4,1)", NUM),
    (f"FORECAST.ETS.STAT({VALUES},{TIMELINE},9,4,1)", NUM),
    # errors in the arguments propagate (STATISTICAL!Z38:AF38)
    (f"FORECAST.ETS(#N/A,{VALUES},{TIMELINE},4,1)", NA),
    (f"FORECAST.ETS.STAT({VALUES},{TIMELINE},#DIV/0!)", DIV0),
    ("FORECAST.ETS(5,{1,#N/A,3,4},{1,2,3,4})", NA), ("FORECAST.ETS(5,#REF!,{1,2,3,4})", REF),
    # Microsoft's rules: seasonality 0..8,760, aggregation 0..7, a constant step, same sizes
    (f"FORECAST.ETS(10,{VALUES},{TIMELINE},8761)", NUM),
    (f"FORECAST.ETS(10,{VALUES},{TIMELINE},-1)", NUM),
    (f"FORECAST.ETS(10,{VALUES},{TIMELINE},4,1,8)", NUM),
    ("FORECAST.ETS(5,{1,2,3,4},{1,2,3.5,4})", NUM),
    ("FORECAST.ETS(5,{1,2,3},{1,2,3,4})", NA),
    ('FORECAST.ETS(5,{1,"a",3,4},{1,2,3,4})', VALUE),
    # more than 30 % of the points missing; a season longer than half the series
    ("FORECAST.ETS(12,{1,2,3,4},{1,2,9,10},0)", NUM),
    ("FORECAST.ETS(12,{1,2,3,4,5,6},{1,2,3,4,5,6},4)", NUM),
    # a confidence interval is for a target at or after the end of the timeline (Microsoft)
    (f"FORECAST.ETS.CONFINT(5,{VALUES},{TIMELINE},0.95,4)", NUM),
])
def test_argument_rules(formula, expected):
    assert ets(formula) == expected


def test_a_series_longer_than_the_bound_is_num_not_a_long_wait():
    cells = {f"A{i}": i for i in range(1, 10_002)}
    assert ets("FORECAST.ETS.STAT(A1:A10001,A1:A10001,6,0)", cells) == NUM


# ---------------------------------------------------------------------------------------------
# the corpus: every cell of the rows that call these functions agrees with Excel

FUNCTIONS = ["FORECAST.ETS", "FORECAST.ETS.CONFINT", "FORECAST.ETS.SEASONALITY", "FORECAST.ETS.STAT"]


@pytest.fixture(scope="module")
def corpus_cells():
    """(formula cells, Excel's values, ours) of formulas' test.xlsx, recalculated once per session."""
    from corpus import recalculated

    return recalculated("vinci1it2000__formulas/test.xlsx")


@pytest.mark.parametrize("name", FUNCTIONS)
def test_corpus_row_agrees_with_excel(corpus_cells, name):
    from corpus import agree

    formulas, excel, ours = corpus_cells
    rows = [k[1] for k, v in excel.items() if k[0] == "STATISTICAL" and k[2] == 1 and v == ("s", name)]
    assert rows, f"no row {name} on STATISTICAL"
    cells = [k for k in formulas if k[0] == "STATISTICAL" and k[1] in rows]
    assert len(cells) >= 30
    wrong = {}
    for k in cells:
        if not agree(excel.get(k), ours.get(k)):
            wrong[formulas[k].address] = (re.sub(r"^_xlfn\.", "", formulas[k].formula), excel.get(k), ours.get(k))
    assert not wrong


def test_a_stationary_noise_has_no_seasonality():
    # 60 values of a fixed pseudo-random sequence (a linear congruential generator)
    x, seq = 12345, []
    for _ in range(60):
        x = (1103515245 * x + 12345) % 2**31
        seq.append(x / 2**31)
    noise = "{" + ",".join(f"{v:.6f}" for v in seq) + "}"
    assert ets(f"FORECAST.ETS.SEASONALITY({noise},{{{','.join(str(t) for t in range(1, 61))}}})") == 0
    assert not math.isnan(ets(f"FORECAST.ETS(61,{noise},{{{','.join(str(t) for t in range(1, 61))}}})"))


@pytest.mark.parametrize("formula", [
    "FORECAST.ETS(5,{1E+308,-1E+308,1E+308},{1,2,3},0)",
    "FORECAST.ETS.STAT({1E+308,-1E+308,1E+308,5},{1,2,3,4},7,0)",
    "FORECAST.ETS.CONFINT(1E+308,{1,2,4},{1,2,3},0.9,0)",
    "FORECAST.ETS(1E+308,{10,20,30},{45292,45323,45352},0)",  # months: beyond 9999-12-31
])
def test_extreme_numbers_give_a_number_or_num_never_a_crash(formula):
    got = ets(formula)
    assert got == NUM or (isinstance(got, float) and math.isfinite(got))
