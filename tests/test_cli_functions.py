"""``xl-kpi functions``: the list by family, the Excel help of one function, suggestions."""

from __future__ import annotations

import pytest

from xl_kpi.catalogue import INTERFACE
from xl_kpi.cli import main
from xl_kpi.commands.functions import FAMILIES


def test_the_list_groups_every_function_under_its_family_with_its_signature(capsys):
    assert main(["functions"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{len(INTERFACE)} Excel functions")
    for header in FAMILIES.values():
        assert f"\n{header}\n" in out
    assert "KPI_NRR(start_mrr, expansion_mrr, contraction_mrr, churned_mrr)" in out
    assert "KPI_REVENUE_CHURN(churned_mrr, start_mrr, [contraction_mrr])" in out
    # each function under its own family's header
    sections = out.split("\n\n")[1:]
    revenue = next(s for s in sections if s.startswith("Revenue\n"))
    assert "KPI_ARR(" in revenue and "KPI_CHURN(" not in revenue


def test_one_function_shows_the_excel_help_not_the_python_docstring(capsys):
    assert main(["functions", "KPI_NRR"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("=KPI_NRR(start_mrr, expansion_mrr, contraction_mrr, churned_mrr)")
    assert "Insert" not in out and ">>>" not in out and "errors :" not in out
    assert "start_mrr" in out and "MRR at the start of the period" in out
    assert "=KPI_NRR(100000, 8000, 3000, 5000)   returns 1" in out


@pytest.mark.parametrize("name", ["kpi_nrr", "nrr"])
def test_the_python_name_or_any_case_finds_the_function(name, capsys):
    assert main(["functions", name]) == 0
    assert capsys.readouterr().out.startswith("=KPI_NRR(")


@pytest.mark.parametrize("name, expected", [("NRR", "KPI_NRR"), ("KPI_CHRN", "KPI_CHURN"),
                                            ("ltvcac", "KPI_LTV_CAC")])
def test_an_unknown_name_answers_with_the_closest_functions(name, expected, capsys):
    assert main(["functions", name]) == 2
    err = capsys.readouterr().err
    assert f"no function named {name!r}" in err and expected in err


def test_every_function_but_the_movements_table_has_a_worked_excel_example(capsys):
    from xl_kpi.commands.functions import excel_example

    missing = [f.excel for f in INTERFACE.values() if excel_example(f) is None]
    assert missing == ["KPI_MRR_MOVEMENTS"]
    story, formula, result = excel_example(INTERFACE["KPI_FUNNEL"])
    assert formula == "=KPI_FUNNEL({10000,400,100,25})" and result == "{1,0.04,0.25,0.25}"
    assert "visitors" in story
