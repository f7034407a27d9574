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
    ("customer_id,month,mrr\na,03/01/2024,3\n", (),
     "nothing in the column tells which at line 2 of export.csv; say which with --dayfirst or --monthfirst"),
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


# -- one sign convention: the report shows losses negative, as the Dashboard does -----------------

EXAMPLE = Path(__file__).resolve().parents[1] / "workbooks" / "xl-kpi-example-en.xlsx"
MOVEMENTS = ("new", "expansion", "reactivation", "contraction", "churned")


@pytest.mark.slow
def test_the_report_and_the_dashboard_show_losses_negative_and_movements_add_up(capsys):
    # The Dashboard: contraction and churned rows negative, the five rows adding up to net new.
    wb = openpyxl.load_workbook(EXAMPLE, data_only=True)
    rows = {r[0].value: [c.value for c in r[2:26]] for r in wb["Dashboard"].iter_rows(min_row=5, max_row=13)}
    dashboard = {m: rows[f"{m.capitalize()} MRR"] for m in MOVEMENTS}
    assert all(v <= 0 for m in ("contraction", "churned") for v in dashboard[m])
    assert any(v < 0 for v in dashboard["churned"])
    for i, net in enumerate(rows["Net new MRR"]):
        assert sum(dashboard[m][i] for m in MOVEMENTS) == pytest.approx(net)
    # The report of the same workbook's ledger: the same signs, the same identity.
    code, out, _ = _run(capsys, EXAMPLE, "--sheet", "Subscriptions", "--format", "csv")
    assert code == 0
    report = pd.read_csv(io.StringIO(out))
    assert (report[["contraction", "churned"]] <= 0).all().all() and (report["churned"] < 0).any()
    pd.testing.assert_series_equal(report[list(MOVEMENTS)].sum(axis=1), report["net_new"], check_names=False)
    # ... and the Subscriptions sheet's chart columns (its movements as shown) are the report's.
    shown = pd.read_excel(EXAMPLE, sheet_name="Subscriptions", header=5, usecols="R:S").dropna()
    assert report["contraction"].tolist() == pytest.approx(shown.iloc[:, 0].astype(float).tolist())
    assert report["churned"].tolist() == pytest.approx(shown.iloc[:, 1].astype(float).tolist())


def test_the_python_tables_keep_positive_amounts_and_signed_movements_shows_them(capsys):
    led = load_ledger(DATA)
    data = monthly_kpis(led)
    assert (data[["contraction", "churned"]] >= 0).all().all()
    shown = signed_movements(data)
    assert shown["churned"].tolist() == [-v for v in data["churned"]]
    assert (data["churned"] >= 0).all()  # not modified
    total = shown["start_mrr"] + shown[list(MOVEMENTS)].sum(axis=1)
    assert total.tolist() == pytest.approx(shown["end_mrr"].tolist())


def test_the_terminal_shows_losses_negative(capsys):
    code, out, _ = _run(capsys, DATA)
    april = next(line for line in out.splitlines() if "2024-04" in line and "-420" in line)
    assert [c.strip() for c in april.strip("│ ").split("│")][5] == "-420"


# -- outputs ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["kpis.csv", "kpis.xlsx", "kpis.txt"])
def test_every_output_file_is_announced(capsys, tmp_path, name):
    out_file = tmp_path / name
    code, out, err = _run(capsys, DATA, "-o", out_file)
    assert code == 0 and out == "" and out_file.stat().st_size > 0
    assert err.splitlines()[-1] == f"xl-kpi report: wrote {out_file}"


def test_the_workbook_formats_money_with_the_currency_and_losses_in_red(capsys, tmp_path):
    out_file = tmp_path / "report.xlsx"
    assert _run(capsys, DATA, "-o", out_file)[0] == 0
    ws = openpyxl.load_workbook(out_file)["KPIs"]
    header = [c.value for c in ws[1]]
    at = {h: header.index(h) + 1 for h in header}
    churned = ws.cell(row=5, column=at["Churned"])
    assert churned.value == -420
    assert churned.number_format == '#,##0.00 "EUR";[Red]-#,##0.00 "EUR"'
    assert ws.cell(row=3, column=at["ARR"]).number_format.startswith('#,##0.00 "EUR"')
    assert ws.cell(row=3, column=at["Logo churn"]).number_format == "0.0%"
    assert ws.cell(row=3, column=at["Customers"]).number_format == "#,##0"
    assert ws.cell(row=3, column=at["Quick ratio"]).number_format == "0.00"
    bars = ws._charts[1]
    assert bars.grouping == "stacked" and bars.overlap == 100
    notes = " ".join(c.value for c in openpyxl.load_workbook(out_file)["Notes"]["A"] if c.value)
    assert "shown negative" in notes


def test_window_names_the_trailing_columns_everywhere(capsys, tmp_path):
    t = monthly_kpis(load_ledger(DATA), window=3)
    assert {"nrr_3m", "grr_3m"} <= set(t.columns) and "nrr_12m" not in t.columns
    assert t["nrr_3m"].notna().sum() == 2  # April and May have a base 3 months earlier
    code, out, _ = _run(capsys, DATA, "--window", "3", "--format", "csv")
    header = out.splitlines()[0].split(",")
    assert "nrr_3m" in header and "grr_3m" in header and "nrr_12m" not in header
    code, out, _ = _run(capsys, DATA, "--window", "3")
    assert "NRR 3m" in out and "12m" not in out
    out_file = tmp_path / "w.xlsx"
    _run(capsys, DATA, "--window", "3", "-o", out_file)
    wb = openpyxl.load_workbook(out_file)
    assert "NRR 3m" in [c.value for c in wb["KPIs"][1]]
    notes = " ".join(c.value for c in wb["Notes"]["A"] if c.value)
    assert "3 months earlier" in notes and "12 months" not in notes


def test_notes_name_the_customer_months_with_several_rows(capsys, tmp_path):
    path = tmp_path / "several.csv"
    path.write_text("customer_id,month,mrr\nacme,2024-01-03,10\nacme,2024-01-20,5\nbeta,2024-02-01,3\n"
                    "beta,2024-02-09,4\n")
    code, _, err = _run(capsys, path)
    assert code == 0
    assert "2 customer-months have several rows, added up ('acme' in 2024-01, 'beta' in 2024-02)" in err


def test_the_hint_names_the_command_line_option(capsys, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("id,when,amount\na,2024-01,1\n")
    code, _, err = _run(capsys, path)
    assert code == 2 and "name it with --customer COLUMN" in err and "customer=" not in err
    assert "--header-row N" in err


@pytest.mark.parametrize("period, mrr", [("12", 10.0), ("year", 10.0), ("interval", 10.0)])
def test_billing_months_takes_a_period_or_a_column(capsys, tmp_path, period, mrr):
    path = tmp_path / "annual.csv"
    path.write_text("customer_id,month,mrr,interval\na,2024-01,120,12\n")
    code, out, err = _run(capsys, path, "--billing-months", period, "--format", "csv")
    assert code == 0, err
    assert pd.read_csv(io.StringIO(out))["end_mrr"].tolist() == [mrr]


def test_our_ledger_sheet_reads_from_the_command_line(capsys):
    code, out, err = _run(capsys, EXAMPLE, "--sheet", "Subscriptions")
    assert code == 0 and "2025-12" in out
    assert "header is on row 6" in err


def test_a_french_csv_from_the_command_line(capsys, tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes("Identifiant client;Mois;Montant\nC1;31/01/2025;1\u00a0234,50\nC1;28/02/2025;1\u00a0000,00\n"
                     .encode("cp1252"))
    code, out, err = _run(capsys, path, "--format", "csv")
    assert code == 0, err
    got = pd.read_csv(io.StringIO(out))
    assert got["end_mrr"].tolist() == [1234.5, 1000.0] and got["contraction"].tolist() == [0.0, -234.5]
    # The same file with the options said: the same table.
    code, again, _ = _run(capsys, path, "--format", "csv", "--sep", ";", "--decimal", ",", "--dayfirst",
                          "--header-row", "1")
    assert again == out


# -- the report never destroys the export ------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_output_cannot_be_the_input(capsys, tmp_path, suffix):
    source = tmp_path / f"export{suffix}"
    if suffix == ".csv":
        source.write_bytes(DATA.read_bytes())
    else:
        pd.read_csv(DATA).to_excel(source, index=False)
    before = source.read_bytes()
    link = tmp_path / f"link{suffix}"
    link.symlink_to(source)
    hard = tmp_path / f"hard{suffix}"
    hard.hardlink_to(source)
    folder = tmp_path / "via"
    folder.symlink_to(tmp_path, target_is_directory=True)
    for output in (source, link, hard, folder / source.name):
        code, out, err = _run(capsys, source, "-o", output)
        assert code == 2 and "is the input" in err and "(the same file)" in err and err.count("\n") == 1, output
        assert source.read_bytes() == before


@pytest.mark.parametrize("kind", ["folder", "fifo", "read-only"])
def test_an_output_that_is_not_a_writable_regular_file_is_refused(capsys, tmp_path, kind):
    import os as _os

    out = tmp_path / "out.csv"
    if kind == "folder":
        out.mkdir()
    elif kind == "fifo":
        _os.mkfifo(out)
    else:
        out.write_text("keep")
        out.chmod(0o444)
    code, _, err = _run(capsys, DATA, "-o", out)
    assert code == 2 and err.count("\n") == 1 and err.startswith("xl-kpi report: ")
    if kind == "read-only":
        assert out.read_text() == "keep"


def test_an_output_link_is_written_through_to_its_target(capsys, tmp_path):
    target = tmp_path / "real.csv"
    target.write_text("old")
    link = tmp_path / "kpis.csv"
    link.symlink_to(target)
    assert _run(capsys, DATA, "-o", link)[0] == 0
    assert link.is_symlink() and target.read_text().startswith("month,")


def test_a_failed_write_leaves_the_old_file_and_no_temporary(capsys, tmp_path, monkeypatch):
    import xl_kpi.safe_output as safe_output

    out_file = tmp_path / "kpis.csv"
    out_file.write_text("previous")

    def broken(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(safe_output.os, "fsync", broken)
    code, _, err = _run(capsys, DATA, "-o", out_file)
    assert code == 2 and "No space left" in err
    assert out_file.read_text() == "previous" and sorted(p.name for p in tmp_path.iterdir()) == ["kpis.csv"]


# -- what the data says is shown as text -------------------------------------------------------------

INJECTIONS = ['=HYPERLINK("http://evil.example","x")', "=cmd|' /C calc'!A0", "@SUM(1+1)", "+1+1",
              "-2+3", "\tTAB", "\rCR"]


def _labelled(tmp_path, labels) -> Path:
    import csv as _csv

    path = tmp_path / "labels.csv"
    with open(path, "w", newline="") as f:
        w = _csv.writer(f)
        w.writerow(["customer_id", "month", "mrr", "segment"])
        for i, label in enumerate(labels):
            w.writerow([f"c{i}", "2024-01", 10, label])
    return path


def test_formula_like_labels_are_neutralized_in_the_csv(capsys, tmp_path):
    path = _labelled(tmp_path, [*INJECTIONS, "-5", "smb"])
    out_file = tmp_path / "by.csv"
    code, _, err = _run(capsys, path, "--by", "segment", "-o", out_file)
    assert code == 0, err
    import csv as _csv

    with open(out_file, newline="") as f:
        labels = [row[0] for row in _csv.reader(f)][1:]
    for label in labels:
        assert not label.startswith(("=", "+", "-", "@", "\t", "\r")) or label == "-5", label
    assert "'=HYPERLINK(\"http://evil.example\",\"x\")" in labels and "-5" in labels and "smb" in labels
    # the money columns still hold plain (negative) numbers
    got = pd.read_csv(out_file)
    assert got["net_new"].dtype.kind == "f"


def test_the_workbook_holds_no_formula_from_the_data(capsys, tmp_path):
    path = _labelled(tmp_path, INJECTIONS)
    out_file = tmp_path / "by.xlsx"
    assert _run(capsys, path, "--by", "segment", "-o", out_file)[0] == 0
    wb = openpyxl.load_workbook(out_file)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            assert all(c.data_type != "f" for c in row), ws.title


@pytest.mark.parametrize("label", ["[/]", "[link=http://evil.example]click[/link]", "[bold red]x"])
def test_markup_in_the_data_and_the_file_name_is_shown_as_text(capsys, tmp_path, label):
    path = _labelled(tmp_path, [label, "smb"])
    named = tmp_path / "[blink]export.csv"
    named.write_bytes(path.read_bytes())
    code, out, err = _run(capsys, named, "--by", "segment")
    assert code == 0, err
    assert f"segment {label}" in out and "[blink]export.csv" in out
    assert "\x1b]8;" not in out  # no terminal hyperlink


def test_a_truncated_gzip_exits_2_with_one_line(capsys, tmp_path):
    import gzip as _gzip

    path = tmp_path / "export.csv.gz"
    path.write_bytes(_gzip.compress(DATA.read_bytes() * 20)[:-12])
    code, _, err = _run(capsys, path)
    assert code == 2 and err.count("\n") == 1 and "truncated or damaged" in err


@pytest.mark.parametrize("content, reason", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "legacy Excel 97-2003"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64 + "EncryptionInfo".encode("utf-16-le"), "password-protected"),
])
def test_xls_and_encrypted_workbooks_say_what_they_are(capsys, tmp_path, content, reason):
    path = tmp_path / "export.xlsx"
    path.write_bytes(content)
    code, _, err = _run(capsys, path)
    assert code == 2 and err.count("\n") == 1 and reason in err and "zip" not in err


def test_utf16_and_latin1_exports_read_with_a_note(capsys, tmp_path):
    text = "customer_id,month,mrr\nSociété,2024-01,10\n"
    for encoding, bom, note in (("utf-16-le", b"\xff\xfe", "UTF-16"), ("latin-1", b"", "not UTF-8")):
        path = tmp_path / f"{encoding}.csv"
        path.write_bytes(bom + text.encode(encoding))
        code, out, err = _run(capsys, path, "--format", "csv")
        assert code == 0 and note in err, err


def test_the_french_fixture_gives_the_english_report(capsys):
    french = DATA.with_name("subscriptions-fr.csv")
    code, fr, err = _run(capsys, french, "--format", "csv")
    assert code == 0 and "delimiter ';'" in err and "Windows-1252" in err
    assert fr == _run(capsys, DATA, "--format", "csv")[1]


def test_csv_to_a_terminal_shows_control_characters_escaped(tmp_path, monkeypatch):
    import sys as _sys

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    path = _labelled(tmp_path, ["a\x1b]8;;http://evil.example\x07b"])
    screen = Terminal()
    monkeypatch.setattr(_sys, "stdout", screen)
    assert main(["report", str(path), "--by", "segment", "--format", "csv"]) == 0
    assert "\x1b" not in screen.getvalue() and "a\\x1b]8;;http://evil.example\\x07b" in screen.getvalue()


def test_a_by_column_with_too_many_values_is_refused_at_once(capsys, tmp_path, monkeypatch):
    import xl_kpi.commands.report as report

    monkeypatch.setattr(report, "MAX_GROUPS", 3)
    path = _labelled(tmp_path, ["a", "b", "c", "d"])
    code, _, err = _run(capsys, path, "--by", "segment")
    assert code == 2 and "--by 'segment' gives 4 groups; the report shows at most 3" in err
    assert _run(capsys, _labelled(tmp_path, ["a", "b", "c"]), "--by", "segment")[0] == 0


def test_a_formula_like_by_column_name_is_neutralized_in_the_csv_header(capsys, tmp_path):
    path = tmp_path / "named.csv"
    path.write_text('customer_id,month,mrr,"=1+1"\na,2024-01,5,x\n')
    code, out, err = _run(capsys, path, "--by", "=1+1", "--format", "csv")
    assert code == 0, err
    assert out.splitlines()[0].startswith("'=1+1,month,")
