"""The DuckDB path of the subscription analytics gives every figure, note and error of the pandas path,
for every option of load_ledger."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from xl_kpi.errors import KPIError
from xl_kpi.subscriptions import cohorts, load_ledger, monthly_kpis, mrr_movements, trailing_retention
from xl_kpi.subscriptions.read import ExportFileError

from ledgers import LEDGERS

pytest.importorskip("duckdb", reason='needs pip install "xl-kpi[bigdata]"')

DATA = Path(__file__).resolve().parent / "data"


def _same_ledger(a, b):
    """Two ledgers equal: the same customers in the same order, months, labels and notes; MRR to
    1e-12 (parsed from text by two readers)."""
    assert a.ids.tolist() == b.ids.tolist()
    assert (a.first_month, a.n_months, a.currency) == (b.first_month, b.n_months, b.currency)
    np.testing.assert_array_equal(a.customer, b.customer)
    np.testing.assert_array_equal(a.month, b.month)
    np.testing.assert_allclose(a.mrr, b.mrr, rtol=1e-12, atol=0)
    assert a.attributes.keys() == b.attributes.keys()
    for k in a.attributes:
        assert a.attributes[k].tolist() == b.attributes[k].tolist()
    assert a.notes == b.notes


def _same_figures(a, b):
    """Every table of two ledgers, equal to the cent (money) and to 1e-12 (ratios)."""
    pd.testing.assert_frame_equal(mrr_movements(a), mrr_movements(b), check_exact=False, atol=0.005, rtol=0)
    for measure in ("logos", "revenue"):
        pd.testing.assert_frame_equal(cohorts(a, measure=measure), cohorts(b, measure=measure),
                                      check_exact=False, atol=0.005, rtol=0)
    pd.testing.assert_frame_equal(trailing_retention(a, window=3), trailing_retention(b, window=3),
                                  check_exact=False, rtol=1e-12)
    pd.testing.assert_frame_equal(monthly_kpis(a), monthly_kpis(b), check_exact=False, rtol=1e-12, atol=0.005)
    for by in a.attributes:
        pd.testing.assert_frame_equal(monthly_kpis(a, by=by), monthly_kpis(b, by=by), check_exact=False,
                                      rtol=1e-12, atol=0.005)


def _both(path, **options):
    """The pandas path's and the DuckDB path's ledger of one file, checked equal, figures too."""
    pandas_side = load_ledger(path, engine="pandas", **options)
    duck = load_ledger(path, engine="duckdb", **options)
    _same_ledger(pandas_side, duck)
    _same_figures(pandas_side, duck)
    return duck


def _same_error(path, **options):
    """Both paths refuse the file with the same exception and message; the message."""
    with pytest.raises((KPIError, ExportFileError)) as pandas_side:
        load_ledger(path, engine="pandas", **options)
    with pytest.raises((KPIError, ExportFileError)) as duck:
        load_ledger(path, engine="duckdb", **options)
    assert type(duck.value) is type(pandas_side.value)
    assert str(duck.value) == str(pandas_side.value)
    assert getattr(duck.value, "argument", None) == getattr(pandas_side.value, "argument", None)
    return str(duck.value)


def _generated(seed=7, customers=300, months=30) -> pd.DataFrame:
    """A ledger with every movement kind: joins, upgrades, downgrades, churn, returns, add-on
    lines, exact repeats, zero months, annual plans, two currencies and two labels."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(customers):
        start = rng.integers(0, months - 1)
        mrr = float(rng.choice([29.0, 49.5, 99.99, 250.0]))
        annual = c % 7 == 0
        m = start
        while m < months:
            if rng.random() < 0.08:  # a gap: churn, maybe a return later
                m += int(rng.integers(1, 6))
                continue
            if rng.random() < 0.1:
                mrr = round(mrr * float(rng.choice([0.5, 1.5, 2.0])), 2)
            month = f"{2022 + m // 12}-{m % 12 + 1:02d}-{int(rng.integers(1, 28)):02d}"
            amount = 0.0 if rng.random() < 0.02 else (mrr * 12 if annual else mrr)
            row = (f"cus_{c:04d}", month, amount, "year" if annual else "month", "USD" if c % 5 == 0 else "EUR",
                   "smb" if c % 3 else "enterprise", f"plan-{c % 4}")
            rows.append(row)
            if rng.random() < 0.05:  # an add-on line in the same month
                rows.append(row[:2] + (10.0,) + row[3:])
            if rng.random() < 0.02:  # an exact repeat (a double export)
                rows.append(row)
            m += 12 if annual else 1
    return pd.DataFrame(rows, columns=["customer_id", "date", "amount", "interval", "currency", "segment", "plan"])


def _write(frame: pd.DataFrame, tmp_path, fmt: str) -> Path:
    if fmt == "csv":
        path = tmp_path / "ledger.csv"
        frame.to_csv(path, index=False)
    elif fmt == "parquet":
        path = tmp_path / "ledger.parquet"
        frame.to_parquet(path, index=False)
    else:
        path = tmp_path / "parts"
        path.mkdir()
        third = len(frame) // 3
        for i in range(3):
            part = frame.iloc[i * third: (i + 1) * third if i < 2 else None]
            part.to_parquet(path / f"part-{i}.parquet", index=False)
    return path


RATES = {"EUR": 1.0, "USD": 0.9}


@pytest.mark.parametrize("hand", LEDGERS, ids=lambda h: h.name)
def test_the_hand_ledgers_give_the_same_ledger_and_tables(tmp_path, hand):
    frame = pd.DataFrame({"customer_id": hand.customer_ids, "month": hand.months, "mrr": hand.mrr})
    frame.to_csv(tmp_path / "l.csv", index=False)
    _both(tmp_path / "l.csv")


@pytest.mark.parametrize("name", ["subscriptions.csv", "invoices.csv", "subscriptions-fr.csv"])
def test_the_test_exports_give_the_same_ledger(name):
    options = {"layout": "invoices", "rates": RATES} if name == "invoices.csv" else {}
    _both(DATA / name, **options)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@pytest.mark.parametrize("options", [
    {"rates": RATES},
    {"rates": RATES, "duplicates": "drop"},
    {"rates": RATES, "layout": "invoices"},
    {"rates": RATES, "layout": "invoices", "duplicates": "drop"},
    {"rates": RATES, "attributes": ["plan"]},
], ids=["snapshot", "drop", "invoices", "invoices-drop", "by-plan"])
def test_a_generated_ledger_with_every_movement_gives_the_same_ledger(tmp_path, fmt, options):
    duck = _both(_write(_generated(), tmp_path, fmt), **options)
    kinds = mrr_movements(duck)[["new", "expansion", "contraction", "churned", "reactivation"]]
    assert (kinds.sum() > 0).all()
    assert any("converted" in n for n in duck.notes)


@pytest.mark.parametrize("order", ["by-date", "months-reversed"])
def test_rows_in_any_order_give_the_same_ledger(tmp_path, order):
    frame = _generated(customers=150)
    if order == "by-date":  # the usual export: the rows are put in order
        frame = frame.sort_values("date", kind="stable")
    else:  # each customer's rows together, its months backwards: read in file order, then sorted
        frame = frame.iloc[::-1].sort_values("customer_id", kind="stable")
    _both(_write(frame, tmp_path, "parquet"), rates=RATES, attributes=["plan"])


def test_a_folder_of_parquet_files_reads_as_one_export(tmp_path):
    frame = _generated(customers=120)
    folder = load_ledger(_write(frame, tmp_path, "folder"), engine="duckdb", rates=RATES)
    (tmp_path / "one").mkdir()
    one = load_ledger(_write(frame, tmp_path / "one", "parquet"), engine="pandas", rates=RATES)
    # the rows are numbered across the files, in the order of their names
    assert folder.notes == tuple(n.replace(")", " of the Parquet files in parts)", 1) if "indices" in n else n
                                 for n in one.notes)
    _same_ledger(one, replace(folder, notes=one.notes))


def test_exact_repeats_raise_naming_the_lines(tmp_path):
    path = _write(_generated(customers=60), tmp_path, "csv")
    assert "rows repeat each other exactly" in _same_error(path, rates=RATES, duplicates="raise")


@pytest.mark.parametrize("text, options", [
    # decimal commas, semicolons, day-first dates, a title above the header (found)
    ("Export of 2024\n\nClient;Mois;Montant;Devise\nA;31/01/2024;1 234,50;EUR\nA;28/02/2024;1.300,00;EUR\n"
     "B;15/02/2024;99,90;EUR\n;;;\nB;15/03/2024;0,00;EUR\n", {}),
    # the header given by its line
    ("notes\ncustomer,month,mrr\nA,2024-01,10\nB,2024-02,20\n", {"header_row": 2}),
    # a given delimiter and decimal mark; dates read day first when told
    ("customer|month|mrr\nA|03/04/2024|10,5\nB|04/05/2024|7\n", {"delimiter": "|", "decimal": ",", "dayfirst": True}),
    ("customer,month,mrr\nA,03/04/2024,10\nB,04/05/2024,7\n", {"dayfirst": False}),
    # a billing period for every row, ids with spaces, an Excel serial as text
    ("customer,month,mrr\n A ,2024-01,120\nA,2024-02,120\nB,2024-03-01 10:30,60\n", {"billing_months": "year"}),
    # billing periods as numbers and words in a column, quarterly invoices
    ("customer,month,mrr,interval\nA,2024-01-05,300,quarter\nA,2024-04-05,300,3\nB,2024-02-01,50,1\n",
     {"layout": "invoices"}),
    # several currencies converted, labels on the last paying row
    ("customer,month,mrr,currency,segment\nA,2024-01,10,EUR,smb\nA,2024-02,10,usd,mid\nA,2024-03,0,EUR,big\n",
     {"rates": {"EUR": 1, "USD": 2}}),
], ids=["french", "header-row", "delimiter-decimal", "monthfirst", "constant-period", "invoices", "rates"])
def test_every_reading_option_gives_the_same_ledger(tmp_path, text, options):
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8")
    _both(path, **options)


@pytest.mark.parametrize("text, options", [
    ("customer_id,month,mrr\na,2024-01,10\n,2024-02,10\n", {}),
    ("customer_id,month,mrr\na,2024-01,10\nb,2024-01,\n", {}),
    ("customer_id,month,mrr\na,,10\nb,2024-01,5\n", {}),
    ("customer_id,month,mrr\na,2024-01,ten\nb,2024-01,1.5\nc,2024-01,eleven\n", {}),
    ("customer_id,month,mrr\na,2024-01,\"12,50\"\nb,2024-01,1.5\n", {"decimal": "."}),
    ("customer_id,month,mrr\na,soon,10\nb,later,10\n", {}),
    ("customer_id,month,mrr\na,03/04/2024,10\n", {}),
    ("customer_id,month,mrr\na,13/04/2024,10\nb,04/13/2024,10\n", {}),
    ("customer_id,month,mrr\na,1850-01,10\n", {}),
    ("customer_id,month,mrr\na,2024-01,-5\nb,2024-01,-7\n", {}),
    ("customer_id,month,mrr\na,2024-01,1e400\n", {}),
    ("customer_id,month,mrr\n,,\n", {}),
    ("customer_id,month,mrr,interval\na,2024-01,10,fortnight\n", {}),
    ("customer_id,month,mrr,interval\na,2024-01,10,0\n", {}),
    ("customer_id,month,mrr,interval\na,2024-01,10,1.5\n", {"layout": "invoices"}),
    ("customer_id,month,mrr,currency\na,2024-01,10,EUR\nb,2024-01,10,USD\n", {}),
    ("customer_id,month,mrr,currency\na,2024-01,10,EUR\nb,2024-01,10,USD\n", {"rates": {"EUR": 1}}),
    ("customer_id,month,mrr,currency\na,2024-01,10,EUR\nb,2024-01,10,\n", {"rates": {"EUR": 1}}),
    ("customer_id,month,mrr\na,2024-01,10\na,2024-01,10\n", {"duplicates": "raise"}),
    ("customer_id,month,mrr\na,2024-01,10\n", {"customer": "account"}),
    ("id,when,amount\na,2024-01,10\n", {}),
    ("customer_id,month,mrr\na,2024-01,10\n", {"decimal": ";"}),
    ("customer_id,month,mrr\na,2024-01,10\n", {"header_row": 0}),
], ids=["no-id", "no-mrr", "no-month", "text-mrr", "wrong-mark", "text-month", "ambiguous-date", "mixed-order",
        "out-of-range", "negative", "infinite", "no-rows", "period-word", "period-zero", "period-fraction",
        "currencies", "no-rate", "no-currency", "repeat", "no-such-column", "no-columns", "bad-mark",
        "bad-header-row"])
def test_bad_rows_and_options_raise_the_same_error_naming_the_same_lines(tmp_path, text, options):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    _same_error(path, **options)


def test_bad_rows_of_a_parquet_file_are_named_by_index(tmp_path):
    frame = pd.DataFrame({"customer_id": ["a", "b", "c"], "month": ["2024-01", "2024-01", "2024-02"],
                          "mrr": [10.0, -2.0, -3.0]})
    frame.to_parquet(tmp_path / "l.parquet", index=False)
    assert "at indices 1, 2" in _same_error(tmp_path / "l.parquet")


def test_dates_as_parquet_dates_timestamps_and_serials(tmp_path):
    frame = pd.DataFrame({"customer": ["a", "a", "b", "b"],
                          "month": pd.to_datetime(["2024-01-15", "2024-02-15", "2024-01-03", "2024-03-01"]),
                          "amount": [120.0, 120.0, 60.0, 60.0], "interval": ["year", "year", "month", "month"]})
    frame.to_parquet(tmp_path / "ts.parquet", index=False)
    assert _both(tmp_path / "ts.parquet").mrr.tolist() == [10.0, 10.0, 60.0, 60.0]
    frame.assign(month=frame["month"].dt.date).to_parquet(tmp_path / "dates.parquet", index=False)
    _both(tmp_path / "dates.parquet")
    frame.assign(month=[45306.0, 45337.5, 45294.0, 45352.0]).to_parquet(tmp_path / "serials.parquet", index=False)
    _both(tmp_path / "serials.parquet")


def test_an_excel_workbook_is_left_to_the_pandas_path(tmp_path):
    path = tmp_path / "l.xlsx"
    pd.DataFrame({"customer_id": ["a"], "month": ["2024-01"], "mrr": [1.0]}).to_excel(path, index=False)
    with pytest.raises(KPIError, match="engine='pandas'"):
        load_ledger(path, engine="duckdb")


def test_auto_keeps_small_files_on_the_pandas_path(tmp_path, monkeypatch):
    import xl_kpi.subscriptions.outofcore as outofcore

    path = tmp_path / "l.csv"
    path.write_text("customer_id,month,mrr\na,2024-01,10\n")
    calls = []
    monkeypatch.setattr(outofcore, "load_ledger_duckdb", lambda *a, **k: calls.append(a))
    load_ledger(path)
    assert calls == []
    monkeypatch.setattr(outofcore, "DUCKDB_THRESHOLD", 1)
    load_ledger(path)
    assert len(calls) == 1


def test_the_report_command_takes_the_duckdb_engine(tmp_path, capsys):
    from xl_kpi.cli import main

    frame = _generated(customers=40, months=8)
    frame.to_parquet(tmp_path / "l.parquet", index=False)
    frame.to_csv(tmp_path / "l.csv", index=False)
    common = ["--rate", "EUR=1", "--rate", "USD=0.9", "--by", "plan"]
    assert main(["report", str(tmp_path / "l.parquet"), "--engine", "duckdb", "-o", str(tmp_path / "a.csv"),
                 *common]) == 0
    duck_notes = capsys.readouterr().err
    assert main(["report", str(tmp_path / "l.csv"), "--engine", "pandas", "-o", str(tmp_path / "b.csv"),
                 *common]) == 0
    pandas_notes = capsys.readouterr().err
    a, b = pd.read_csv(tmp_path / "a.csv"), pd.read_csv(tmp_path / "b.csv")
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9)
    # the same notes, rows named by line in the CSV and by index in the Parquet file
    assert duck_notes.count("note:") == pandas_notes.count("note:") > 0


@pytest.mark.parametrize("late", [False, True], ids=["from-the-start", "after-64-KiB-of-ascii"])
def test_a_windows_1252_file_reads_as_the_pandas_path_reads_it(tmp_path, late):
    rows = "".join(f"c{i:05d},2024-01,10,smb\n" for i in range(6000)) if late else ""
    path = tmp_path / "latin.csv"
    path.write_bytes(("customer_id,month,mrr,segment\n" + rows + "Zoé,2024-02,12,Crème\n").encode("cp1252"))
    duck = _both(path)
    assert "Zoé" in duck.ids.tolist() and any("Windows-1252" in n for n in duck.notes)


def test_windows_1252_characters_duckdb_cannot_read_are_refused_with_the_way_out(tmp_path):
    path = tmp_path / "euro.csv"
    path.write_bytes("customer_id,month,mrr\nA,2024-01,12 €\n".encode("cp1252"))
    assert load_ledger(path, engine="pandas").mrr.tolist() == [12.0]
    with pytest.raises(ExportFileError, match="save it as UTF-8 .* engine='pandas'"):
        load_ledger(path, engine="duckdb")


@pytest.mark.parametrize("largest", [500, 2**55], ids=["packed-in-one-word", "stable-sort-of-the-keys"])
def test_rows_are_put_in_customer_month_position_order_missing_values_first(largest):
    from xl_kpi.subscriptions.outofcore import _in_customer_month_order

    rng = np.random.default_rng(5)
    n = 5000
    customer = rng.integers(-1, 40, n).astype(np.int64)
    customer[customer == 39] = largest
    month = rng.integers(-1, 12, n).astype(np.int8)  # codes of 12 dates, -1 missing
    month_of = rng.permutation(np.arange(600, 612)) // 2  # two dates of one month share it
    amount = rng.random(n)
    rank = np.where(month < 0, -1, month_of[month])
    expected = np.lexsort((np.arange(n), rank, customer))
    got = {"customer": customer.copy(), "month": month.copy(), "amount": amount.copy()}
    order = _in_customer_month_order(got, month_of)
    assert order.tolist() == expected.tolist()
    assert got["customer"].tolist() == customer[expected].tolist()
    assert got["month"].tolist() == month[expected].tolist() and got["amount"].tolist() == amount[expected].tolist()
    assert _in_customer_month_order(got, month_of) is None  # in order already: left as it is
