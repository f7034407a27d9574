"""The function library's layout: one registry, no import of the evaluator from the functions."""

import ast
from pathlib import Path

import pytest

from xl_kpi.recalc import functions
from xl_kpi.recalc.functions import FUNCTIONS, resolve

PACKAGE = Path(functions.__file__).parent


def _runtime_imports(path: Path) -> set[str]:
    """Modules a file imports when it runs (those under ``if TYPE_CHECKING:`` left out)."""
    found = set()
    for top in ast.parse(path.read_text()).body:
        if isinstance(top, ast.If) and getattr(top.test, "id", None) == "TYPE_CHECKING":
            continue
        for node in ast.walk(top):
            if isinstance(node, ast.ImportFrom):
                found.add("." * node.level + (node.module or ""))
    return found


def test_no_function_module_imports_the_evaluator_at_run_time():
    for path in PACKAGE.glob("*.py"):
        assert not any(m.endswith("evaluator") for m in _runtime_imports(path)), path.name


def test_the_kpi_bridge_does_not_import_the_evaluator():
    assert not any(m.endswith("evaluator") for m in _runtime_imports(PACKAGE.parent / "kpi.py"))


def test_resolve_finds_native_functions_first_and_unknown_names_are_none():
    assert resolve("SUM") is FUNCTIONS["SUM"]
    assert resolve("NO_SUCH_FUNCTION_ANYWHERE") is None


def test_functions_left_to_pycel_run_cell_by_cell():
    from xl_kpi.recalc import evaluate

    assert evaluate({"A1": "axa"}, '=SUBSTITUTE(A1,"x","y")') == "aya"
    assert evaluate({}, "=TODAY()>40000") is True


@pytest.mark.parametrize("formula, expected", [
    # found by calling every function with edge arguments: each was an exception (an internal error)
    ('=WORKDAY.INTL("1/1/2000",-1E308,1)', "#NUM!"), ("=WORKDAY(1,1E300)", "#NUM!"),
    ('=F.TEST("",1E308)', "#VALUE!"), ('=FTEST("","")', "#VALUE!"),
    ("=RATE(10,{1,2},-1E308)", [["#NUM!", "#NUM!"]]),
    # an overflow in one element of a shape (scipy's) is that element's #NUM!, the others computed
    ("=NEGBINOMDIST(2.5,{1,2},1E-308)", [[pytest.approx(1e-308), "#NUM!"]]),
])
def test_an_overflow_or_a_bad_argument_is_an_excel_error_not_an_exception(formula, expected):
    from xl_kpi.recalc import evaluate

    got = evaluate({}, formula)
    assert got == expected
