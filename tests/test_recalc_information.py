"""Information functions against Excel's values (formulas test.xlsx, sheet INFORMATION row 10;
Microsoft's ERROR.TYPE, TYPE and ISREF examples)."""

import pytest
from test_recalc_support import make_book, values

from xl_kpi.excel_errors import NA
from xl_kpi.recalc import evaluate, recalculate


def test_isformula_tells_formula_cells_from_values(tmp_path):
    cells = {"A1": 1, "A2": "=10", "A3": "=1/0", "A4": "text",
             "B1": "=ISFORMULA(A1)", "B2": "=ISFORMULA(A2)", "B3": "=ISFORMULA(A3)", "B4": "=ISFORMULA(A4)",
             "B5": "=ISFORMULA(A9)", "B6": "=ISFORMULA(B1)", "B7": "=ISFORMULA(1)"}
    src = make_book(tmp_path / "in.xlsx", {"S": cells})
    assert recalculate(src, tmp_path / "out.xlsx").ok
    got = values(tmp_path / "out.xlsx")["S"]
    assert [got[f"B{r}"] for r in range(1, 8)] == [False, True, True, False, False, True, "#VALUE!"]


@pytest.mark.parametrize("formula, expected", [
    # Microsoft's ERROR.TYPE, TYPE and ISREF examples
    ("=ERROR.TYPE(1/0)", 2.0), ("=ERROR.TYPE(NA())", 7.0), ("=ERROR.TYPE(1)", NA), ("=TYPE(1)", 1.0),
    ('=TYPE("Smith")', 2.0), ("=TYPE(TRUE)", 4.0), ("=TYPE(1/0)", 16.0), ("=TYPE({1,2;3,4})", 64.0),
    ("=ISREF(A1)", True), ("=ISREF(1)", False), ("=ISREF(OFFSET(A1,1,1))", True),
])
def test_as_excel(formula, expected):
    assert evaluate({}, formula) == expected
