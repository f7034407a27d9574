"""The real-world corpus (``shared/realworld``, workbooks saved by Excel) as a regression floor.

Each workbook is recalculated from a copy with no stored value in its formula cells, and the
share of formula cells equal to Excel's cached value must not fall below its floor. Floors only
go up: when a change lifts a file, raise its floor to the new figure (``benchmarks/realworld.py``
prints them). Skipped when the corpus is absent.
"""

from __future__ import annotations

import pytest

from corpus import compare, corpus_dir, strip_cached_values, workbooks

FOLDER = corpus_dir()
pytestmark = pytest.mark.skipif(FOLDER is None, reason="the real-world corpus (shared/realworld) is absent")

#: Lowest accepted share of agreeing formula cells, per file (measured, rounded down).
FLOORS = {
    "Anurag561-tech__Financial-Projections-Model/Start File 3 Statement Model_v2_Project.xlsx": 1.0,
    "anthill__koala/EmptyCellInRange.xlsx": 1.0,
    "anthill__koala/NamedRanges.xlsx": 1.0,
    "anthill__koala/SharedFormula.xlsx": 1.0,
    "anthill__koala/VDB.xlsx": 1.0,
    "anthill__koala/advanced.xlsx": 1.0,
    "anthill__koala/basic.xlsx": 1.0,
    "anthill__koala/basic_evaluation.xlsx": 1.0,
    "bradbase__xlcalculator/BASES.xlsx": 1.0,
    "bradbase__xlcalculator/DATE.xlsx": 1.0,
    "bradbase__xlcalculator/use_case_01.xlsm": 1.0,
    "chifang-c__tesla-three-statement-model/Tesla-ThreeStatementModel.xlsx": 0.0,
    "dgorissen__pycel/basic.xlsx": 1.0,
    "dgorissen__pycel/circular.xlsx": 1.0,
    "dgorissen__pycel/date-time.xlsx": 1.0,
    "dgorissen__pycel/example.xlsx": 1.0,
    "dgorissen__pycel/excelcompiler.xlsx": 1.0,
    "dgorissen__pycel/information.xlsx": 1.0,
    "dgorissen__pycel/logical.xlsx": 1.0,
    "dgorissen__pycel/lookup.xlsx": 1.0,
    "dgorissen__pycel/npv.xlsx": 1.0,
    "dgorissen__pycel/pv.xlsx": 1.0,
    "dgorissen__pycel/stats.xlsx": 1.0,
    "dgorissen__pycel/text.xlsx": 1.0,
    "dgorissen__pycel/yearfrac.xlsx": 1.0,
    "faresgaoua__costco-valuation-dcf-model/FINA 415 - DCF.xlsx": 1.0,
    "mohamed-kamal-acc__DMC-ERP-Excel-Financial-Model/DMC_ERP_V1.xlsx": 1.0,
    "rajdeepgupta68__excel-saas-financial-model/SaaS_Financial_Model_Rajdeep.xlsx": 1.0,
    "vinci1it2000__formulas/circular.xlsx": 0.0,
    "vinci1it2000__formulas/excel.xlsx": 1.0,
    "vinci1it2000__formulas/full-range.xlsx": 1.0,
    "vinci1it2000__formulas/test.xlsx": 1.0,
    "vinci1it2000__formulas/test_link.xlsx": 1.0,
}

#: The files refused for a circular reference with iterative calculation off, recalculated as
#: Excel leaves such a workbook (``--circular keep``): lowest accepted share, as above. Tesla's two
#: "freeze" cells hold a value typed in an earlier state of the model, which nothing computes.
FLOORS_WITHOUT_ITERATION = {
    "chifang-c__tesla-three-statement-model/Tesla-ThreeStatementModel.xlsx": 0.999,
    "vinci1it2000__formulas/circular.xlsx": 1.0,
}

BOOKS = [str(p.relative_to(FOLDER)) for p in workbooks(FOLDER)] if FOLDER else []


def _iterates(path) -> bool:
    import re
    import zipfile

    with zipfile.ZipFile(path) as z:
        return re.search(rb'<calcPr[^>]*\biterate="(1|true)"', z.read("xl/workbook.xml")) is not None


@pytest.mark.parametrize("name", BOOKS)
@pytest.mark.slow
def test_corpus_workbook_keeps_its_share_of_excel_values(name, tmp_path):
    from xl_kpi.recalc import recalculate

    original = FOLDER / name
    stripped = tmp_path / ("stripped" + original.suffix)
    strip_cached_values(original, stripped)
    report = recalculate(stripped, tmp_path / ("out" + original.suffix))
    result = compare(original, tmp_path / ("out" + original.suffix) if report.ok else None,
                     issues=report.issues, refused=report.reason)
    assert report.ok or "internal error" not in report.reason, report.reason  # refused, never crashed
    if _iterates(original):
        assert report.ok, f"{name} turns iterative calculation on and was refused: {report.reason}"
    floor = FLOORS.get(name, 0.0)
    assert result.share >= floor, (
        f"{name}: {result.agreeing}/{result.cells} cells agree ({result.share:.2%}), floor {floor:.1%}; "
        f"main causes: {result.causes.most_common(3)}")


@pytest.mark.parametrize("name", sorted(FLOORS_WITHOUT_ITERATION))
@pytest.mark.slow
def test_circular_workbook_without_iteration_computes_as_excel_leaves_it(name, tmp_path):
    from xl_kpi.recalc import recalculate

    original = FOLDER / name
    if not original.exists():
        pytest.skip(f"{name} is not in the corpus")
    stripped = tmp_path / ("stripped" + original.suffix)
    strip_cached_values(original, stripped)
    out = tmp_path / ("out" + original.suffix)
    assert not recalculate(stripped, out).ok  # refused by default: iteration is off
    report = recalculate(stripped, out, circular="keep")
    result = compare(original, out, issues=report.issues)
    assert report.ok and result.share >= FLOORS_WITHOUT_ITERATION[name], (
        f"{name}: {result.agreeing}/{result.cells} cells agree ({result.share:.2%}); "
        f"main causes: {result.causes.most_common(3)}")


@pytest.mark.slow
def test_stripped_copy_holds_no_value_in_any_formula_cell(tmp_path):
    from corpus import read_cells

    original = max(workbooks(FOLDER), key=lambda p: p.stat().st_size)
    stripped = tmp_path / ("stripped" + original.suffix)
    removed = strip_cached_values(original, stripped)
    cells, _ = read_cells(original)
    kept_cells, values = read_cells(stripped)
    assert removed > 0
    assert set(kept_cells) == set(cells)  # formulas untouched
    assert not set(values) & set(cells)


def test_a_value_equal_to_excels_agrees_and_a_wrong_one_is_explained(tmp_path):
    """The comparison itself: the original against itself agrees everywhere."""
    original = FOLDER / "dgorissen__pycel" / "basic.xlsx"
    if not original.exists():
        pytest.skip("pycel basic.xlsx not in the corpus")
    same = compare(original, original)
    assert same.cells > 0 and same.agreeing == same.cells
    stripped = tmp_path / "stripped.xlsx"
    strip_cached_values(original, stripped)
    lost = compare(original, stripped)
    assert lost.agreeing == 0 and lost.causes == {"no value computed": lost.cells}
