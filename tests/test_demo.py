"""``xl-kpi demo``: builds the example workbook, recalculates it, prints the latest KPIs."""

from __future__ import annotations

import pytest

import xl_kpi.metrics as m
from xl_kpi.cli import main
from xl_kpi.templates import file_name, recalc_available
from xl_kpi.templates.example_data import example

pytestmark = [pytest.mark.slow,  # each test writes and recalculates the example
              pytest.mark.skipif(not recalc_available(), reason="xl_kpi.recalc is not importable yet")]


def _nrr_of_last_month() -> str:
    x = example().inputs
    value = m.nrr(x["mrr_start"][-1], x["mrr_expansion"][-1], x["mrr_contraction"][-1], x["mrr_churned"][-1])
    return f"{value:.1%}"


def test_demo_writes_the_recalculated_example_and_prints_its_dashboard(tmp_path, capsys, workbooks):
    assert main(["demo", "-o", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    path = tmp_path / file_name("example", "en")
    assert path.read_bytes() == workbooks.bytes("example", "en")
    assert "SaaS KPI dashboard" in out and "Nimbus Ledger" in out
    assert "Dec 25" in out and "Q4 2025" in out and "Oct 25" in out and "Sep 25" not in out
    nrr_line = next(line for line in out.splitlines() if "NRR (net revenue retention)" in line)
    assert _nrr_of_last_month() in nrr_line  # the workbook's value, as the Python API computes it
    assert "#" not in out  # no Excel error value anywhere


def test_demo_in_french_shows_more_months_on_request(tmp_path, capsys):
    assert main(["demo", "-o", str(tmp_path), "--lang", "fr", "--months", "6"]) == 0
    out = capsys.readouterr().out
    assert (tmp_path / file_name("example", "fr")).exists()
    assert "Tableau de bord des KPI SaaS" in out and "NRR (rétention nette du revenu)" in out
    assert "juil. 25" in out and "déc. 25" in out and "T4 2025" in out and "juin 25" not in out


def test_demo_run_twice_leaves_the_workbook_as_it_is(tmp_path, capsys):
    assert main(["demo", "-o", str(tmp_path)]) == 0
    before = (tmp_path / file_name("example", "en")).stat().st_mtime_ns
    assert main(["demo", "-o", str(tmp_path)]) == 0
    assert (tmp_path / file_name("example", "en")).stat().st_mtime_ns == before
    assert "Kept (up to date)" in capsys.readouterr().out


def test_demo_never_overwrites_a_workbook_whose_inputs_were_edited(tmp_path, capsys, workbooks):
    import openpyxl

    path = tmp_path / file_name("example", "en")
    assert main(["demo", "-o", str(tmp_path)]) == 0
    wb = openpyxl.load_workbook(path)
    wb["Inputs"]["C7"] = 12345
    wb.save(path)
    edited = path.read_bytes()
    capsys.readouterr()
    assert main(["demo", "-o", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "--force" in err and str(path) in err
    assert path.read_bytes() == edited
    assert main(["demo", "-o", str(tmp_path), "--force"]) == 0
    assert path.read_bytes() == workbooks.bytes("example", "en")


def test_demo_refuses_an_impossible_month_count(tmp_path, capsys):
    assert main(["demo", "-o", str(tmp_path), "--months", "25"]) == 2
    assert "--months" in capsys.readouterr().err
    assert not (tmp_path / file_name("example", "en")).exists()


def test_demo_writes_its_own_folder_and_says_how_to_open_the_workbook(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert (tmp_path / "xl-kpi-demo" / file_name("example", "en")).exists()
    assert not (tmp_path / "workbooks").exists()  # a clone's committed workbooks stay as they are
    assert "add-in" not in out
    for where in ("Excel for Windows", "udfs.bas", "xlwings Lite", "LibreOffice", "xl-kpi recalc"):
        assert where in out
