"""Excel serial dates: one module, Excel's numbers at the boundaries, used everywhere.

Expected serials are Excel's own (1900 date system): =DATE(1900,1,1) is 1, =DATE(1900,2,28) is
59, =DATE(1900,2,29) is 60 (a day that never was, kept from Lotus 1-2-3: Microsoft, "Excel
incorrectly assumes that the year 1900 is a leap year"), =DATE(1900,3,1) is 61,
=DATE(9999,12,31) is 2958465 (the last date Excel accepts), 1970-01-01 is 25569 and 2024-01-31
is 45322; =YEAR(0), =MONTH(0), =DAY(0) give 1900, 1, 0 (Excel shows serial 0 as 1900-01-00) and
=DAY(60) gives 29.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.utils.datetime import from_excel, to_excel

from xl_kpi import excel_args
from xl_kpi.excel_dates import (
    MAX_SERIAL,
    datetime64_to_serial,
    days_to_serial,
    serial_to_datetime,
    serial_to_datetime64,
    serial_to_days,
    serial_to_ymd,
    to_serial,
    valid_serial,
    ymd_to_serial,
)
from xl_kpi.recalc import evaluate
from xl_kpi.recalc.values import date_to_serial
from xl_kpi.subscriptions.months import to_month_numbers

EXCEL = [  # (date, serial) as Excel gives them
    (dt.date(1900, 1, 1), 1),
    (dt.date(1900, 1, 31), 31),
    (dt.date(1900, 2, 1), 32),
    (dt.date(1900, 2, 28), 59),
    (dt.date(1900, 3, 1), 61),
    (dt.date(1970, 1, 1), 25569),
    (dt.date(2024, 1, 31), 45322),
    (dt.date(9999, 12, 31), MAX_SERIAL),
]


@pytest.mark.parametrize(("day", "serial"), EXCEL)
def test_a_date_has_the_serial_excel_gives_it(day, serial):
    assert to_serial(day) == serial
    assert to_serial(dt.datetime.combine(day, dt.time())) == serial
    assert to_serial(np.datetime64(day)) == serial
    assert days_to_serial(np.array([day], dtype="datetime64[D]")).tolist() == [serial]


@pytest.mark.parametrize(("day", "serial"), EXCEL)
def test_a_serial_is_the_date_excel_shows(day, serial):
    assert serial_to_days(np.array([serial])).tolist() == [day]
    assert serial_to_datetime(serial) == dt.datetime.combine(day, dt.time())
    assert tuple(int(v[0]) for v in serial_to_ymd(np.array([serial]))) == (day.year, day.month, day.day)


def test_serial_60_is_excels_29_february_1900():
    year, month, day = serial_to_ymd(np.array([60.0, 60.75]))
    assert (year.tolist(), month.tolist(), day.tolist()) == ([1900, 1900], [2, 2], [29, 29])
    assert serial_to_days(np.array([60])).tolist() == [dt.date(1900, 2, 28)]  # the real day before
    assert ymd_to_serial(np.array([1900, 1900]), np.array([2, 3]), np.array([29, 0])).tolist() == [60, 60]


def test_serial_0_is_day_0_of_january_1900():
    assert [int(v[0]) for v in serial_to_ymd(np.array([0.0]))] == [1900, 1, 0]
    assert to_serial(dt.date(1899, 12, 31)) == 0


def test_time_of_day_is_the_fraction_to_the_millisecond():
    assert to_serial(dt.datetime(2024, 1, 31, 18)) == 45322.75
    assert to_serial(dt.datetime(1900, 2, 28, 12)) == 59.5
    assert serial_to_datetime(45322.75) == dt.datetime(2024, 1, 31, 18)
    assert serial_to_datetime(45322 + 1 / 86400) == dt.datetime(2024, 1, 31, 0, 0, 1)
    assert serial_to_datetime64(np.array([61.5])).tolist() == [dt.datetime(1900, 3, 1, 12)]


def test_a_time_zone_aware_date_time_counts_in_its_wall_clock_time():
    tz = dt.timezone(dt.timedelta(hours=-5))
    assert to_serial(dt.datetime(2024, 1, 31, 6, tzinfo=tz)) == 45322.25


def test_datetime64_of_any_unit_and_nat():
    values = np.array(["2024-01-31T06:00", "NaT", "1900-01-01T00:00"], dtype="datetime64[s]")
    assert np.array_equal(datetime64_to_serial(values), [45322.25, np.nan, 1.0], equal_nan=True)
    assert to_serial(values.astype("datetime64[ns]")).tolist()[0] == 45322.25


def test_valid_serials_are_those_excels_date_functions_accept():
    assert valid_serial(np.array([-1, 0, 1, MAX_SERIAL, MAX_SERIAL + 0.5, MAX_SERIAL + 1])).tolist() == [
        False, True, True, True, True, False]


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(9999, 12, 31)))
def test_agrees_with_openpyxl_on_every_real_date(day):
    serial = to_serial(day)
    assert serial == to_excel(day)
    assert serial_to_days(np.array([serial])).tolist() == [day]
    assert from_excel(serial).date() == day


@given(st.integers(min_value=1, max_value=MAX_SERIAL), st.integers(min_value=0, max_value=86_399_999))
def test_serial_and_date_time_round_trip(whole, ms):
    serial = whole + ms / 86_400_000
    if whole == 60:  # no real date to go back from
        return
    back = to_serial(serial_to_datetime(serial))
    assert abs(back - serial) < 0.6 / 86_400_000


# -- every user of serials goes through the module ---------------------------------------------------

def test_udf_arguments_turn_dates_into_excels_serials():
    assert excel_args.excel_serial(dt.date(1900, 1, 1)) == 1.0
    assert excel_args.excel_serial(dt.datetime(2024, 1, 31, 12)) == 45322.5


def test_the_recalc_engine_reads_and_writes_dates_as_excel():
    assert date_to_serial(dt.date(1900, 1, 1)) == 1.0
    assert [evaluate({}, f"=DAY({s})") for s in (0, 59, 60, 61)] == [0, 28, 29, 1]
    assert [evaluate({}, f"=MONTH({s})") for s in (0, 31, 32, 60, 61)] == [1, 1, 2, 2, 3]
    assert evaluate({}, "=YEAR(2958465)") == 9999
    assert evaluate({"A1": dt.date(1900, 3, 1)}, "=A1") == 61


def test_billing_months_from_serials_32_to_60_are_february_1900():
    serials = np.array([1.0, 31, 32, 59, 60, 60.5, 61, 45322.75])
    months, missing, _ = to_month_numbers("test", "months", serials)
    as_text = months.astype("datetime64[M]").astype(str).tolist()
    assert as_text == ["1900-01", "1900-01", "1900-02", "1900-02", "1900-02", "1900-02", "1900-03", "2024-01"]
    assert not missing.any()


def test_billing_months_accept_serials_up_to_the_last_day_of_2199():
    months, _, _ = to_month_numbers("test", "months", np.array([to_serial(dt.date(2199, 12, 31))]))
    assert months.astype("datetime64[M]").astype(str).tolist() == ["2199-12"]
