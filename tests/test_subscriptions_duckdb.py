"""The DuckDB path of the subscription analytics gives every figure of the pandas path."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xl_kpi.errors import DomainError, InvalidOptionError, NoDataError, NonNumericError
from xl_kpi.subscriptions import cohorts, load_ledger, monthly_kpis, mrr_movements, trailing_retention

from ledgers import LEDGERS

pytest.importorskip("duckdb", reason='needs pip install "xl-kpi[bigdata]"')


def _same_figures(a, b):
    """Every table of two ledgers, equal to the cent (money) and to 1e-12 (ratios)."""
    pd.testing.assert_frame_equal(mrr_movements(a), mrr_movements(b), check_exact=False, atol=0.005, rtol=0)
    for measure in ("logos", "revenue"):
        pd.testing.assert_frame_equal(cohorts(a, measure=measure), cohorts(b, measure=measure),
                                      check_exact=False, atol=0.005, rtol=0)
    pd.testing.assert_frame_equal(trailing_retention(a, window=3), trailing_retention(b, window=3),
                                  check_exact=False, rtol=1e-12)
    pd.testing.assert_frame_equal(monthly_kpis(a), monthly_kpis(b), check_exact=False, rtol=1e-12, atol=0.005)


def _generated(seed=7, customers=300, months=30) -> pd.DataFrame:
    """A ledger with every movement kind: joins, upgrades, downgrades, churn, returns, repeats."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(customers):
        start = rng.integers(0, months - 1)
        mrr = float(rng.choice([29.0, 49.5, 99.99, 250.0]))
        m = start
        while m < months:
            if rng.random() < 0.08:  # a gap: churn, maybe a return later
                m += int(rng.integers(1, 6))
                continue
            if rng.random() < 0.1:
                mrr = round(mrr * float(rng.choice([0.5, 1.5, 2.0])), 2)
            month = f"{2022 + m // 12}-{m % 12 + 1:02d}-{int(rng.integers(1, 28)):02d}"
            rows.append((f"cus_{c:04d}", month, mrr, "smb" if c % 3 else "enterprise"))
            if rng.random() < 0.05:  # an add-on line in the same month
                rows.append((f"cus_{c:04d}", month, 10.0, "smb" if c % 3 else "enterprise"))
            m += 1
    return pd.DataFrame(rows, columns=["customer_id", "date", "amount", "segment"])


@pytest.mark.parametrize("hand", LEDGERS, ids=lambda h: h.name)
def test_the_hand_ledgers_give_the_same_tables(tmp_path, hand):
    frame = pd.DataFrame({"customer_id": hand.customer_ids, "month": hand.months, "mrr": hand.mrr})
    frame.to_csv(tmp_path / "l.csv", index=False)
    _same_figures(load_ledger(frame), load_ledger(tmp_path / "l.csv", engine="duckdb"))


@pytest.mark.parametrize("fmt", ["csv", "parquet", "folder"])
def test_a_generated_ledger_with_every_movement_gives_the_same_figures(tmp_path, fmt):
    frame = _generated()
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
            frame.iloc[i * third: (i + 1) * third if i < 2 else None].to_parquet(path / f"part-{i}.parquet",
                                                                                 index=False)
    pandas_side = load_ledger(frame, segment="segment")
    duck = load_ledger(path, engine="duckdb")
    _same_figures(pandas_side, duck)
    pd.testing.assert_frame_equal(monthly_kpis(pandas_side, by="segment"), monthly_kpis(duck, by="segment"),
                                  check_exact=False, rtol=1e-12, atol=0.005)
    assert any("added to another row" in n for n in duck.notes)


def test_dates_as_parquet_dates_and_annual_plans(tmp_path):
    frame = pd.DataFrame({"customer": ["a", "a", "b", "b"],
                          "month": pd.to_datetime(["2024-01-15", "2024-02-15", "2024-01-03", "2024-03-01"]),
                          "amount": [120.0, 120.0, 60.0, 60.0], "interval": ["year", "year", "month", "month"]})
    frame.to_parquet(tmp_path / "l.parquet", index=False)
    _same_figures(load_ledger(frame), load_ledger(tmp_path / "l.parquet", engine="duckdb"))
    assert load_ledger(tmp_path / "l.parquet", engine="duckdb").mrr.tolist() == [10.0, 10.0, 60.0, 60.0]


def _csv(tmp_path, text):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    return path


@pytest.mark.parametrize("text, error, words", [
    ("customer_id,month,mrr\na,2024-01,10\n,2024-02,10\n", NoDataError, "'customer_ids' is missing at line 3"),
    ("customer_id,month,mrr\na,2024-01,10\nb,2024-01,\n", NoDataError, "'mrr' is missing at line 3"),
    ("customer_id,month,mrr\na,2024-01,ten\n", NonNumericError, "got 'ten' at line 2"),
    ("customer_id,month,mrr\na,soon,10\n", NonNumericError, "got 'soon' at line 2"),
    ("customer_id,month,mrr\na,2024-01,-5\n", DomainError, "non-negative"),
    ("customer_id,month,mrr\n,,\n", NoDataError, "no rows"),
])
def test_bad_rows_raise_the_pandas_path_s_errors_naming_the_line(tmp_path, text, error, words):
    path = _csv(tmp_path, text)
    with pytest.raises(error) as duck:
        load_ledger(path, engine="duckdb")
    assert words in str(duck.value)
    with pytest.raises(error):
        load_ledger(path, engine="pandas")


def test_options_the_duckdb_path_lacks_are_refused_by_name(tmp_path):
    path = _csv(tmp_path, "customer_id,month,mrr\na,2024-01,10\n")
    with pytest.raises(InvalidOptionError, match="does not take layout, rates; use engine='pandas'"):
        load_ledger(path, engine="duckdb", layout="invoices", rates={"EUR": 1.0})


def test_auto_keeps_small_files_on_the_pandas_path(tmp_path):
    path = _csv(tmp_path, "customer_id,month,mrr\na,2024-01,10\na,2024-01,0\n")
    assert any("MRR 0" in n for n in load_ledger(path).notes)  # the pandas path's wording


def test_the_report_command_takes_the_duckdb_engine(tmp_path, capsys):
    from xl_kpi.cli import main

    frame = _generated(customers=40, months=8)
    frame.to_parquet(tmp_path / "l.parquet", index=False)
    frame.to_csv(tmp_path / "l.csv", index=False)
    assert main(["report", str(tmp_path / "l.parquet"), "--engine", "duckdb", "-o", str(tmp_path / "a.csv")]) == 0
    assert main(["report", str(tmp_path / "l.csv"), "--engine", "pandas", "-o", str(tmp_path / "b.csv")]) == 0
    a, b = pd.read_csv(tmp_path / "a.csv"), pd.read_csv(tmp_path / "b.csv")
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9)
