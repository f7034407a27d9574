"""Information functions against Excel's values (formulas test.xlsx, sheet INFORMATION row 10)."""

from xl_kpi.recalc import recalculate

from test_recalc_support import make_book, values


def test_isformula_tells_formula_cells_from_values(tmp_path):
    cells = {"A1": 1, "A2": "=10", "A3": "=1/0", "A4": "text",
             "B1": "=ISFORMULA(A1)", "B2": "=ISFORMULA(A2)", "B3": "=ISFORMULA(A3)", "B4": "=ISFORMULA(A4)",
             "B5": "=ISFORMULA(A9)", "B6": "=ISFORMULA(B1)", "B7": "=ISFORMULA(1)"}
    src = make_book(tmp_path / "in.xlsx", {"S": cells})
    assert recalculate(src, tmp_path / "out.xlsx").ok
    got = values(tmp_path / "out.xlsx")["S"]
    assert [got[f"B{r}"] for r in range(1, 8)] == [False, True, True, False, False, True, "#VALUE!"]
