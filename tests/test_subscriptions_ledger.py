"""Building a ledger from a messy export: bad rows named, repeats, annual plans, currencies,
files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from xl_kpi.errors import (
    DomainError,
    InvalidOptionError,
    NoDataError,
    NonNumericError,
    ShapeMismatchError,
)
from xl_kpi.subscriptions import build_ledger, cohorts, load_ledger, mrr_movements

from ledgers import EVERY_MOVEMENT

DATA = Path(__file__).parent / "data" / "subscriptions.csv"


# -- bad values: a clear error naming the argument and the rows ------------------------------------

@pytest.mark.parametrize(
    "args, error, pattern",
    [
        ((["a", "b"], ["2024-01"], [1, 2]), ShapeMismatchError, r"customer_ids=2, months=1, mrr=2"),
        (([], [], []), NoDataError, r"no rows"),
        ((["a", None, "c"], ["2024-01"] * 3, [1, 2, 3]), NoDataError, r"'customer_ids' is missing at index 1"),
        ((["a", " ", "c"], ["2024-01"] * 3, [1, 2, 3]), NoDataError, r"'customer_ids' is missing at index 1"),
        ((["a", "b"], ["2024-01", None], [1, 2]), NoDataError, r"'months' is missing at index 1"),
        ((["a", "b"], ["2024-01", "2024-01"], [1, None]), NoDataError, r"'mrr' is missing at index 1"),
        ((["a", "b", "c"], ["2024-01", "Jan 24", "2024-13-01"], [1, 2, 3]), NonNumericError,
         r"'months' must hold dates.*'Jan 24' at indices 1, 2"),
        ((["a", "b"], ["2024-01", "03/04/2024"], [1, 2]), NonNumericError,
         r"'months' holds dates such as '03/04/2024', day or month first.*at index 1; say which with dayfirst"),
        ((["a", "b"], ["13/04/2024", "04/13/2024"], [1, 2]), NonNumericError,
         r"'months' mixes day-first \('13/04/2024'\) and month-first \('04/13/2024'\) dates at indices 0, 1"),
        ((["a", "b"], ["2024-01", "2024-13"], [1, 2]), NonNumericError, r"'2024-13' at index 1"),
        ((["a", "b"], ["2024-01", "2024-02-30"], [1, 2]), NonNumericError, r"'2024-02-30' at index 1"),
        ((["a", "b"], ["2024-01", True], [1, 2]), NonNumericError, r"True at index 1"),
        ((["a", "b"], [45000.0, 202401], [1, 2]), DomainError, r"between 1900 and 2199.*202401 at index 1"),
        ((["a", "b"], np.array([45000.0, 202401.0]), [1, 2]), DomainError, r"not Excel dates.*202401.0 at index 1"),
        ((["a", "b"], ["2024-01", "1850-01"], [1, 2]), DomainError, r"between 1900 and 2199.*'1850-01' at index 1"),
        ((["a", "b"], ["2024-01", "2024-01"], [1, "ten"]), NonNumericError, r"'mrr' must hold numbers; got 'ten' at index 1"),
        ((["a", "b"], ["2024-01", "2024-01"], [1, True]), NonNumericError, r"'mrr' must hold numbers; got True"),
        ((["a", "b", "c"], ["2024-01"] * 3, [1, -2, -3]), DomainError, r"'mrr' must be non-negative.*-2.0 at indices 1, 2"),
        ((["a", "b"], ["2024-01"] * 2, [1, np.inf]), DomainError, r"'mrr' must be finite"),
    ],
)
def test_bad_rows_raise_naming_the_argument_and_the_rows(args, error, pattern):
    with pytest.raises(error, match=pattern) as info:
        mrr_movements(*args)
    assert "mrr_movements" in str(info.value)


def test_the_error_names_the_argument_for_the_excel_layer():
    with pytest.raises(DomainError) as info:
        cohorts(["a"], ["2024-01"], [-1])
    assert info.value.argument == "mrr" and info.value.value == -1.0 and info.value.excel == "#NUM!"


def test_long_lists_of_bad_rows_are_cut_with_a_count():
    with pytest.raises(DomainError, match=r"at indices 0, 1, 2, 3, 4 and 5 more"):
        mrr_movements(["a"] * 10, ["2024-01"] * 10, [-1] * 10)


def test_blank_rows_are_skipped_and_reported():
    # What Excel sends for a range selected past the end of the data.
    t = mrr_movements(["a", "b", None, None], ["2024-01", "2024-01", None, None], [1, 2, None, None])
    assert t["end_mrr"].tolist() == [3.0]
    assert t.attrs["notes"] == ["2 rows with no customer, month or MRR skipped (at indices 2, 3)"]


def test_a_ledger_of_blank_rows_only_has_no_data():
    with pytest.raises(NoDataError):
        mrr_movements([None], [None], [None])


# -- several rows in a month, exact repeats --------------------------------------------------------

def test_rows_of_one_customer_in_one_month_are_added_up():
    led = build_ledger(["a", "a", "a"], ["2024-01-03", "2024-01-20", "2024-02-01"], [10, 5, 15])
    assert led.mrr.tolist() == [15.0, 15.0]
    assert any("1 customer-month has several rows" in n for n in led.notes)


def test_exact_repeats_are_summed_and_reported_by_default():
    led = build_ledger(["a", "a", "b"], ["2024-01-05", "2024-01-05", "2024-01-05"], [10, 10, 7])
    assert led.mrr.tolist() == [20.0, 7.0]
    assert any("repeat another row exactly" in n and "indices 0, 1" in n for n in led.notes)


def test_exact_repeats_can_be_dropped_or_refused():
    args = (["a", "a", "a"], ["2024-01-05", "2024-01-05", "2024-01-20"], [10, 10, 10])
    dropped = build_ledger(*args, duplicates="drop")
    assert dropped.mrr.tolist() == [20.0]  # the repeat of row 0 goes; row 2 is another date
    assert any("1 row repeating an earlier row exactly dropped (at index 1)" in n for n in dropped.notes)
    with pytest.raises(DomainError, match=r"repeat each other exactly.*indices 0, 1"):
        build_ledger(*args, duplicates="raise")


def test_rows_differing_only_in_plan_are_not_repeats():
    led = build_ledger(["a", "a"], ["2024-01", "2024-01"], [10, 10], plan=["pro", "add-on"], duplicates="raise")
    assert led.mrr.tolist() == [20.0]


def test_zero_mrr_is_not_paying_and_reported():
    led = build_ledger(["a", "a", "b"], ["2024-01", "2024-02", "2024-01"], [10, 0, 0])
    t = mrr_movements(led)
    assert t["customers"].tolist() == [1, 0]
    assert t["churned"].tolist() == [0.0, 10.0]
    assert any("2 rows with MRR 0 count as not paying" in n for n in led.notes)


# -- annual plans ----------------------------------------------------------------------------------

def test_a_120_annual_plan_is_10_mrr():
    # Baremetrics: "a 120 annual plan -> 10 MRR".
    led = build_ledger(["a"], ["2024-01"], [120], billing_months=[12])
    assert led.mrr.tolist() == [10.0]
    assert build_ledger(["a"], ["2024-01"], [120], billing_months=["year"]).mrr.tolist() == [10.0]


def test_stripe_monthly_and_annual_customers():
    # Stripe: 100 customers at 100 a month + 50 at 600 a year -> MRR 12,500.
    ids = list(range(150))
    t = mrr_movements(build_ledger(ids, ["2024-06"] * 150, [100] * 100 + [600] * 50,
                                   billing_months=["month"] * 100 + ["annual"] * 50))
    assert t["end_mrr"].tolist() == [12_500.0]
    assert t["customers"].tolist() == [150]


def test_invoices_are_spread_over_the_months_they_pay_for():
    # An annual invoice of 1200 in March 2024 pays 100 a month from March; the export ends in June,
    # so July 2024 to February 2025 (8 months) are deferred and left out.
    led = build_ledger(["a", "b", "b", "b", "b"],
                       ["2024-03-10", "2024-03-01", "2024-04-01", "2024-05-01", "2024-06-01"],
                       [1200, 30, 30, 30, 30], billing_months=[12, 1, 1, 1, 1], layout="invoices")
    t = mrr_movements(led)
    assert t["end_mrr"].tolist() == [130.0] * 4
    assert t["churned"].sum() == 0.0
    assert any("8 invoice-months fall after the last month" in n for n in led.notes)


def test_without_spreading_an_annual_invoice_reads_as_churn():
    # The same invoice read as a monthly snapshot: paid in March only, so churned in April.
    t = mrr_movements(build_ledger(["a", "b", "b"], ["2024-03", "2024-03", "2024-04"], [1200, 30, 30],
                                   billing_months=[12, 1, 1]))
    assert t["churned"].tolist() == [0.0, 100.0]


@pytest.mark.parametrize("periods, layout, pattern", [
    ([0], "snapshot", r"'billing_months' must be positive and at most 120 \(ten years\); got 0.0 at index 0"),
    ([1e9], "invoices", r"'billing_months' must be a whole number of months from 1 to 120.*got 1000000000.0"),
    ([121], "snapshot", r"at most 120"),
    ([1.5], "invoices", r"whole number of months"),
    (["fortnight"], "snapshot", r"'billing_months' must hold months.*'fortnight' at index 0"),
])
def test_bad_billing_periods_are_refused(periods, layout, pattern):
    with pytest.raises((DomainError, NonNumericError), match=pattern):
        build_ledger(["a"], ["2024-01"], [10], billing_months=periods, layout=layout)


def test_unknown_layout_and_duplicates_options_are_refused():
    with pytest.raises(InvalidOptionError, match="'layout'"):
        build_ledger(["a"], ["2024-01"], [1], layout="daily")
    with pytest.raises(InvalidOptionError, match="'duplicates'"):
        build_ledger(["a"], ["2024-01"], [1], duplicates="keep")


# -- currencies ------------------------------------------------------------------------------------

def test_one_currency_is_kept_and_named():
    led = build_ledger(["a", "b"], ["2024-01"] * 2, [10, 20], currency=["eur", "EUR"])
    assert led.currency == "EUR" and led.mrr.sum() == 30.0


def test_several_currencies_without_rates_are_refused_naming_the_rows():
    with pytest.raises(InvalidOptionError, match=r"2 currencies \(EUR at index 0; USD at indices 1, 2\).*rates"):
        build_ledger(["a", "b", "c"], ["2024-01"] * 3, [10, 20, 5], currency=["EUR", "USD", "USD"])


def test_rates_convert_every_row_into_the_reporting_currency():
    led = build_ledger(["a", "b"], ["2024-01"] * 2, [10, 20], currency=["EUR", "USD"],
                       rates={"EUR": 1.1, "usd": 1.0})
    assert led.mrr.tolist() == pytest.approx([11.0, 20.0])
    assert led.currency is None and any("fixed rates (EUR x 1.1, USD x 1)" in n for n in led.notes)
    with pytest.raises(InvalidOptionError, match=r"no rate for GBP, used at index 1"):
        build_ledger(["a", "b"], ["2024-01"] * 2, [10, 20], currency=["EUR", "GBP"], rates={"EUR": 1})
    with pytest.raises(DomainError, match="rate of EUR must be a positive number"):
        build_ledger(["a"], ["2024-01"], [10], currency=["EUR"], rates={"EUR": 0})


# -- attributes ------------------------------------------------------------------------------------

def test_a_customer_keeps_the_segment_of_its_last_paying_row():
    led = build_ledger(["a", "a", "a", "b"], ["2024-01", "2024-03", "2024-02", "2024-01"], [1, 0, 1, 1],
                       segment=["smb", "enterprise", "mid", None])
    # a: last paying row is February ("mid"); March is at 0. b has no segment.
    assert dict(zip(led.ids, led.attributes["segment"])) == {"a": "mid", "b": "(none)"}
    groups = led.groups("segment")
    assert list(groups) == ["(none)", "mid"]
    with pytest.raises(InvalidOptionError, match="no attribute 'plan'"):
        led.groups("plan")


# -- files -----------------------------------------------------------------------------------------

def test_the_sample_csv_is_the_every_movement_ledger():
    led = load_ledger(DATA)
    expected = mrr_movements(EVERY_MOVEMENT.customer_ids, EVERY_MOVEMENT.months, EVERY_MOVEMENT.mrr)
    got = mrr_movements(led)
    pd.testing.assert_frame_equal(got.drop(columns="month"), expected.drop(columns="month"))
    assert led.currency == "EUR"
    assert set(led.attributes) == {"segment", "plan"}


@pytest.mark.parametrize("suffix", [".csv", ".csv.gz", ".tsv", ".parquet", ".xlsx"])
def test_every_file_format_reads_the_same_ledger(tmp_path, suffix):
    if suffix == ".parquet":
        pytest.importorskip("pyarrow")
    frame = pd.read_csv(DATA, dtype={"customer_id": str})
    path = tmp_path / f"export{suffix}"
    if suffix == ".parquet":
        frame.to_parquet(path)
    elif suffix == ".xlsx":
        frame.assign(date=pd.to_datetime(frame["date"])).to_excel(path, index=False)
    else:
        frame.to_csv(path, index=False, sep="\t" if suffix == ".tsv" else ",")
    got = mrr_movements(load_ledger(path))
    pd.testing.assert_frame_equal(got, mrr_movements(load_ledger(DATA)))


def test_parquet_without_pyarrow_says_which_extra_to_install(tmp_path, monkeypatch):
    path = tmp_path / "export.parquet"
    path.write_bytes(b"PAR1")
    monkeypatch.setitem(__import__("sys").modules, "pyarrow", None)
    with pytest.raises(ModuleNotFoundError, match=r"pip install \"xl-kpi\[parquet\]\""):
        load_ledger(path)


def test_file_errors_name_the_line_of_the_file(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("customer,month,amount\na,2024-01,10\nb,2024-01,ten\nc,2024-01,\n")
    with pytest.raises(NonNumericError, match=r"'ten' at line 3 of bad.csv"):
        load_ledger(path)
    path.write_text("customer,month,amount\na,2024-01,10\nb,,10\n")
    with pytest.raises(NoDataError, match=r"'months' is missing at line 3 of bad.csv"):
        load_ledger(path)


def test_excel_errors_name_the_sheet_row(tmp_path):
    path = tmp_path / "bad.xlsx"
    pd.DataFrame({"customer_id": ["a", "b"], "month": ["2024-01", "2024-01"], "mrr": [1, -5]}).to_excel(
        path, index=False, sheet_name="Billing")
    with pytest.raises(DomainError, match=r"at row 3 of sheet 'Billing' in bad.xlsx"):
        load_ledger(path)
    with pytest.raises(InvalidOptionError, match="sheet"):
        load_ledger(path, sheet="Nope")


def test_ids_keep_their_leading_zeros_and_na_text_is_an_id(tmp_path):
    path = tmp_path / "ids.csv"
    path.write_text("customer_id,month,mrr\n007,2024-01,1\n7,2024-01,2\nNA,2024-01,4\n")
    led = load_ledger(path)
    assert sorted(led.ids.tolist()) == ["007", "7", "NA"]


def test_columns_are_found_by_name_or_given(tmp_path):
    path = tmp_path / "named.csv"
    path.write_text("Kunde,Invoice Date,Amount,Interval,Region\nx,2024-01-15,1200,year,EU\n")
    with pytest.raises(InvalidOptionError, match=r"no customer column.*'Kunde'"):
        load_ledger(path)
    led = load_ledger(path, customer="kunde", attributes=["Region"])
    assert led.mrr.tolist() == [100.0]
    assert led.attributes["Region"].tolist() == ["EU"]
    with pytest.raises(InvalidOptionError, match=r"no column 'Plan'"):
        load_ledger(path, customer="Kunde", plan="Plan")
    path.write_text("Account ID,Invoice Date,Amount\nx,2024-01-15,5\n")
    assert load_ledger(path).ids.tolist() == ["x"]  # "Account ID" is account_id


def test_unreadable_files_say_why(tmp_path):
    with pytest.raises(FileNotFoundError, match="no file"):
        load_ledger(tmp_path / "missing.csv")
    other = tmp_path / "export.json"
    other.write_text("{}")
    with pytest.raises(InvalidOptionError, match=r"must be \.csv"):
        load_ledger(other)
