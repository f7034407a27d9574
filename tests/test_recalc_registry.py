"""The function library's layout: one registry, no import of the evaluator from the functions."""

import ast
from pathlib import Path

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
