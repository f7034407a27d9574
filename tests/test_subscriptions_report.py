"""``xl-kpi report``: the KPI table of an export in the terminal, as CSV and as a workbook."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from xl_kpi.cli import main
from xl_kpi.commands.report import all_columns
from xl_kpi.subscriptions import load_ledger, monthly_kpis, signed_movements

DATA = Path(__file__).parent / "data" / "subscriptions.csv"


def _run(capsys, *argv):
    code = main(["report", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_terminal_table_shows_every_month_and_the_hand_figures(capsys):
    code, out, err = _run(capsys, DATA)
    assert code == 0
    for month in ("2024-01", "2024-02", "2024-03", "2024-04", "2024-05"):
        assert month in out
    # May of the every-movement ledger: start 250, new 70, expansion 30, reactivation 380, end 730.
    may = next(line for line in out.splitlines() if "2024-05" in line and "730" in line)
    assert [c.strip() for c in may.strip("│ ").split("│")][1:] == ["250", "70", "30", "0", "0", "380", "480", "730"]
    assert "(EUR)" in out
    assert "note: 1 row with MRR 0 counts as not paying" in err


def test_csv_output_is_the_monthly_kpi_table_with_losses_negative(capsys):
    code, out, _ = _run(capsys, DATA, "--format", "csv")
    assert code == 0
    got = pd.read_csv(io.StringIO(out))
    expected = signed_movements(monthly_kpis(load_ledger(DATA)))
    assert got["month"].tolist() == expected["month"].dt.strftime("%Y-%m").tolist()
    kinds = all_columns()
    for column in expected.columns.drop("month"):
        decimals = {"money": 2, "rate": 6, "ratio": 4, "count": 0}[kinds[column][1]]
        assert got[column].tolist() == pytest.approx(expected[column].round(decimals).tolist(), nan_ok=True, abs=1e-12)
    # Money at the cent, rates at six decimals: no 17-digit floats in the file.
    assert "116.67," in out and "0.228571," in out and "0.2285714285714286" not in out
    assert got["contraction"].tolist() == [0.0, -80.0, 0.0, 0.0, 0.0]
    assert got["churned"].tolist() == [0.0, 0.0, -50.0, -420.0, 0.0]


def test_by_segment_writes_one_block_per_segment(capsys, tmp_path):
    out_file = tmp_path / "by.csv"
    code, out, _ = _run(capsys, DATA, "--by", "segment", "-o", out_file)
    assert code == 0 and out == ""
    got = pd.read_csv(out_file)
    assert got.columns[0] == "segment"
    assert sorted(got["segment"].unique()) == ["enterprise", "mid-market", "smb"]
    assert got.groupby("month")["end_mrr"].sum().tolist() == [350.0, 570.0, 670.0, 250.0, 730.0]


def test_by_any_column_of_the_file(capsys, tmp_path):
    path = tmp_path / "regions.csv"
    path.write_text("customer_id,month,mrr,Region\na,2024-01,10,EU\nb,2024-01,20,US\nb,2024-02,20,US\n")
    code, out, _ = _run(capsys, path, "--by", "Region", "--format", "csv")
    assert code == 0
    got = pd.read_csv(io.StringIO(out))
    assert got[got["Region"] == "EU"]["churned"].tolist() == [0.0, -10.0]


def test_the_workbook_has_the_table_charts_cohorts_and_notes(capsys, tmp_path):
    out_file = tmp_path / "report.xlsx"
    code, _, err = _run(capsys, DATA, "-o", out_file)
    assert code == 0 and "wrote" in err
    wb = openpyxl.load_workbook(out_file)
    assert wb.sheetnames == ["KPIs", "Cohorts (logos)", "Cohorts (revenue)", "Notes"]
    ws = wb["KPIs"]
    header = [c.value for c in ws[1]]
    assert header[:10] == ["Month", "Start MRR", "New", "Expansion", "Contraction", "Churned",
                           "Reactivation", "Net new", "End MRR", "Customers"]
    end = header.index("End MRR") + 1
    assert [ws.cell(row=r, column=end).value for r in range(2, 7)] == [350, 570, 670, 250, 730]
    assert ws.cell(row=2, column=header.index("NRR") + 1).value is None  # undefined in the first month
    assert ws.cell(row=3, column=header.index("NRR") + 1).number_format == "0.0%"
    titles = [c.title.tx.rich.p[0].r[0].t for c in ws._charts]
    assert titles == ["MRR at the end of the month", "MRR movements", "Retention and churn"]
    logos = wb["Cohorts (logos)"]
    assert [logos.cell(row=2, column=c).value for c in range(2, 7)] == [3, 3, 2, 1, 2]
    notes = [c.value for c in wb["Notes"]["A"] if c.value]
    assert any("at line 15 of subscriptions.csv" in n for n in notes)


def test_the_workbook_by_segment_has_a_sheet_per_segment(capsys, tmp_path):
    out_file = tmp_path / "seg.xlsx"
    code, _, _ = _run(capsys, DATA, "--by", "segment", "--format", "xlsx", "-o", out_file)
    assert code == 0
    names = openpyxl.load_workbook(out_file).sheetnames
    assert names[:3] == ["KPIs enterprise", "KPIs mid-market", "KPIs smb"]


def test_a_text_table_can_be_written_to_a_file(capsys, tmp_path):
    out_file = tmp_path / "report.txt"
    code, out, _ = _run(capsys, DATA, "-o", out_file)
    assert code == 0 and out == ""
    assert "MRR movements" in out_file.read_text() and "2024-05" in out_file.read_text()


def test_rates_convert_several_currencies(capsys, tmp_path):
    path = tmp_path / "fx.csv"
    path.write_text("customer_id,month,mrr,currency\na,2024-01,100,EUR\nb,2024-01,100,USD\n")
    code, _, err = _run(capsys, path)
    assert code == 2 and "rates" in err
    code, out, err = _run(capsys, path, "--rate", "EUR=1.1", "--rate", "USD=1", "--format", "csv")
    assert code == 0
    assert pd.read_csv(io.StringIO(out))["end_mrr"].tolist() == pytest.approx([210.0])
    assert "fixed rates" in err


@pytest.mark.parametrize("content, argv, reason", [
    (None, (), "no file"),
    ("customer_id,month,mrr\na,2024-01,-3\n", (), "'mrr' must be non-negative (a credit is not MRR); got -3.0 at line 2"),
    ("customer_id,month,mrr\na,Jan 2024,3\n", (), "'months' must hold dates"),
    ("customer_id,month,mrr\na,03/01/2024,3\n", (), "day or month first: nothing in the column tells which at line 2 of export.csv; say which with --dayfirst or --monthfirst"),
    ("customer_id,month,mrr\n,2024-01,3\n", (), "'customer_ids' is missing at line 2"),
    ("id,when,amount\n", (), "no customer column"),
    ("customer_id,month,mrr\na,2024-01,3\na,2024-01,3\n", ("--duplicates", "raise"), "repeat each other exactly"),
    ("customer_id,month,mrr\na,2024-01,3\n", ("--format", "xlsx"), "needs -o"),
    ("customer_id,month,mrr\na,2024-01,3\n", ("--rate", "EUR"), "CUR=RATE"),
    ("customer_id,month,mrr\n", (), "no rows"),
])
def test_a_bad_file_exits_2_with_one_line(capsys, tmp_path, content, argv, reason):
    path = tmp_path / "export.csv"
    if content is not None:
        path.write_text(content)
    code, out, err = _run(capsys, path, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("xl-kpi report: ")
    assert reason in err


def test_a_file_that_is_not_a_workbook_exits_2(capsys, tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_text("not a zip")
    code, _, err = _run(capsys, path)
    assert code == 2 and err.startswith("xl-kpi report: ") and err.count("\n") == 1
