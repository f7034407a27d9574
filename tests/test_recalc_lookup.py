"""Lookup & reference functions against Excel's values.

Sources: Microsoft's XMATCH and XLOOKUP pages (their examples), and cells of the corpus
(vinci1it2000/formulas test.xlsx, sheet LOOKUP rows 162-197 and EXTRA rows 72-84).
"""

import pytest
from test_recalc_support import make_book, values

from xl_kpi.excel_errors import CALC, DIV0, NA, REF, VALUE
from xl_kpi.recalc import evaluate, recalculate

FRUIT = {"A1": "Apple", "A2": "Grape", "A3": "Pear", "A4": "Banana", "A5": "Cherry"}


@pytest.mark.parametrize("formula, expected", [
    # Microsoft: XMATCH("Gra?e", ...) with wildcards, exact and next larger
    ('=XMATCH("Grape",A1:A5)', 2), ('=XMATCH("gra?e",A1:A5,2)', 2), ('=XMATCH("Gr*",A1:A5,2)', 2),
    ('=XMATCH("Gr*",A1:A5)', NA), ('=XMATCH("Kiwi",A1:A5)', NA), ('=XMATCH("Gr*",A1:A5,2,2)', VALUE),
    ('=XMATCH("Pear",A1:A5,0,-1)', 3), ('=XMATCH(1/0,A1:A5)', DIV0), ('=XMATCH("Pear",A1:A5,3)', VALUE),
    ('=XMATCH("Pear",A1:B5)', VALUE),
])
def test_xmatch_on_words(formula, expected):
    assert evaluate(FRUIT, formula) == expected


@pytest.mark.parametrize("formula, expected", [
    # formulas test.xlsx LOOKUP!R171:W197: Excel's order numbers < text < logicals < blank
    ("=XMATCH(-2,{-1.1,2.1,3.1,4.1},1)", 1), ("=XMATCH(4,{-1.1,2.1,3.1,4.1},1)", 4),
    ("=XMATCH(A9,{-1.1,2.1,3.1,4.1},1)", NA),
    ('=XMATCH(-2,{"a",TRUE,2.1,"c bau c",4.1},1)', 3), ('=XMATCH("*b?u*",{"a",2.1,"c bau c",4.1},1)', 1),
    ('=XMATCH(TRUE,{"a",2.1,"c bau c",4.1},1)', NA),
    ("=XMATCH(3,{FALSE,2.1,TRUE,4.1},-1)", 2), ("=XMATCH(-2,{FALSE,2.1,TRUE,4.1},-1)", NA),
    ('=XMATCH("*b?u*",{FALSE,2.1,TRUE,4.1},-1)', 4), ("=XMATCH(A9,{FALSE,2.1,TRUE,4.1},-1)", 3),
    ("=XMATCH(1.1,{4.1,3.1,2.1,1.1},0)", 4), ("=XMATCH(3,{4.1,3.1,2.1,1.1},0)", NA),
    # binary searches stop at the first equal item met
    ('=XMATCH(-2,{"",4.1,"a",1.1},1,2)', 1), ('=XMATCH(4.1,{"",4.1,"a",1.1},1,2)', 2),
    ('=XMATCH("*b?u*",{"",4.1,"a",1.1},1,2)', 3), ('=XMATCH(A9,{"",4.1,"a",1.1},1,2)', NA),
    ("=XMATCH(A9,{TRUE,4.1,FALSE,1.1},-1,2)", 4), ('=XMATCH("*b?u*",{TRUE,4.1,FALSE,1.1},-1,2)', 2),
    ('=XMATCH(A9,{TRUE,4.1,FALSE,"c bau c"},-1,-2)', 1), ('=XMATCH(TRUE,{TRUE,4.1,FALSE,"c bau c"},-1,-2)', 1),
    ('=XMATCH(-2,{TRUE,4.1,FALSE,"c bau c"},-1,-2)', NA),
    # EXTRA!K76, L77: exact text matching folds ß to ss, wildcard matching does not
    ('=XMATCH("ß",{1,"ss",2.1,"c bau c",4.1},0)', 2), ('=XMATCH("ß",{1,"ss",2.1,"c bau c",4.1},2)', NA),
])
def test_xmatch_modes_as_excel(formula, expected):
    assert evaluate({}, formula) == expected


@pytest.mark.parametrize("formula, expected", [
    # formulas test.xlsx LOOKUP!R162:W162 and AA163
    ('=XLOOKUP(-2,{-1.1,2.1,3.1,4.1},{1,2,3,4},"pippo")', "pippo"),
    ('=XLOOKUP(2,{-1.1,2.1,3.1,4.1},{1,2,3,4},"pippo",1)', 2),
    ("=XLOOKUP(20,{-1.1,2.1,3.1,4.1},{1,2,3,4})", NA),
    ('=XLOOKUP(NA(),{"a",2.1,"b",4.1},{"L","ML","MR","R"},1)', NA),  # an error lookup is not "not found"
    ("=XLOOKUP(2,{1,2,3},{1,2})", VALUE),
])
def test_xlookup_as_excel(formula, expected):
    assert evaluate({}, formula) == expected


def test_xlookup_returns_the_matching_row_of_a_wide_return_array():
    cells = {"A1": "x", "A2": "y", "B1": 1, "B2": 2, "C1": 10, "C2": 20}
    assert evaluate(cells, '=XLOOKUP("y",A1:A2,B1:C2)') == [[2.0, 20.0]]


def test_a_filled_down_xlookup_computes_each_row(tmp_path):
    cells = {"A1": "k1", "A2": "k2", "A3": "k3", "B1": 1.5, "B2": "two", "B3": True}
    for r, key in enumerate(["k3", "k1", "zz", "K2", None], start=1):
        cells[f"D{r}"] = key
        cells[f"E{r}"] = f'=XLOOKUP(D{r},$A$1:$A$3,$B$1:$B$3,"none")'
    src = make_book(tmp_path / "in.xlsx", {"S": cells})
    assert recalculate(src, tmp_path / "out.xlsx").ok
    got = values(tmp_path / "out.xlsx")["S"]
    assert [got[f"E{r}"] for r in range(1, 6)] == [True, 1.5, "none", "two", "none"]


GRID = {"A1": 1, "A2": 2, "A3": 3, "B1": 10, "B2": 20, "B3": 30}


@pytest.mark.parametrize("formula, expected", [
    # formulas test.xlsx / pycel: ROW and COLUMN of a range are arrays
    ("=ROW(A1:A3)", [[1.0], [2.0], [3.0]]), ("=COLUMN(A1:B1)", [[1.0, 2.0]]), ("=INDEX(ROW(A1:A3),2)", 2.0),
    ("=INDEX(COLUMN(A1:B1),1,2)", 2.0), ("=ROWS(A1:B3)", 3.0), ("=COLUMNS(A1:B3)", 2.0), ("=ROWS({1,2;3,4;5,6})", 3.0),
    # Rajdeep SaaS model, sheet Variance: the months of a year as ROW(INDIRECT("1:12"))
    ('=SUMPRODUCT(ROW(INDIRECT("1:12")))', 78.0), ('=INDIRECT("B2")', 20.0), ('=INDIRECT("R2C2",FALSE)', 20.0),
    ('=INDIRECT("R[1]C[1]",FALSE)', 0.0), ('=INDIRECT("not a ref")', REF),
    # Microsoft's OFFSET examples: OFFSET(C3,2,3,1,1) and SUM(OFFSET(C3:E5,-1,0,3,3))
    ("=OFFSET(A1,1,1)", 20.0), ("=SUM(OFFSET(A1:B2,1,0,2,1))", 5.0), ("=SUM(A1:OFFSET(A1,2,1))", 66.0),
    ("=OFFSET(A1,-1,0)", REF), ("=SUM(OFFSET(A1,0,0,3,2))", 66.0),
    ("=TRANSPOSE(A1:B2)", [[1.0, 2.0], [10.0, 20.0]]), ("=CHOOSECOLS(A1:B3,-1)", [[10.0], [20.0], [30.0]]),
    ("=CHOOSEROWS(A1:B3,3,1)", [[3.0, 30.0], [1.0, 10.0]]), ("=CHOOSECOLS(A1:B3,3)", VALUE),
    ("=TAKE(A1:B3,2,-1)", [[10.0], [20.0]]), ("=TAKE(A1:B3,-1)", [[3.0, 30.0]]), ("=TAKE(A1:B3,0)", CALC),
    ("=DROP(A1:B3,1)", [[2.0, 20.0], [3.0, 30.0]]), ("=DROP(A1:B3,-2,1)", 10.0), ("=DROP(A1:B3,3)", CALC),
    # Microsoft's LOOKUP examples: vector and array forms
    ("=LOOKUP(2.5,A1:A3,B1:B3)", 20.0), ("=LOOKUP(0,A1:A3,B1:B3)", NA), ("=LOOKUP(9,A1:A3,B1:B3)", 30.0),
    ("=LOOKUP(3,A1:B3)", 30.0), ('=LOOKUP("C",{"a","b","c","d";1,2,3,4})', 3.0),
])
def test_reference_functions(formula, expected):
    got = evaluate(GRID, formula)
    assert got == expected


def test_offset_and_indirect_are_computed_after_the_cells_they_read(tmp_path):
    cells = {"A1": 5, "A2": "=A1*2", "A3": "=A2+1", "C1": 2,
             "B1": "=OFFSET(A1,C1,0)", "B2": '=INDIRECT("A"&C1)', "B3": "=B1+B2"}
    src = make_book(tmp_path / "in.xlsx", {"S": cells})
    assert recalculate(src, tmp_path / "out.xlsx").ok
    got = values(tmp_path / "out.xlsx")["S"]
    assert (got["B1"], got["B2"], got["B3"]) == (11, 10, 21)


def test_a_filled_down_offset_moves_with_each_row(tmp_path):
    cells = {f"A{r}": r * 10 for r in range(1, 6)}
    cells.update({f"B{r}": f"=SUM(OFFSET(A{r},0,0,2,1))" for r in range(1, 5)})
    src = make_book(tmp_path / "in.xlsx", {"S": cells})
    assert recalculate(src, tmp_path / "out.xlsx").ok
    got = values(tmp_path / "out.xlsx")["S"]
    assert [got[f"B{r}"] for r in range(1, 5)] == [30, 50, 70, 90]


@pytest.mark.parametrize("formula, expected", [
    # pycel lookup.xlsx, sheets Index and Lookup
    ("=INDEX(A1:B3,-1,1)", VALUE), ("=INDEX(A1:B3,4,-1)", VALUE), ("=INDEX(A1:B3,4,1)", REF),
    ("=INDEX({1,2;3,4},-1)", VALUE), ("=LOOKUP(2,A1:B3,B1:B3)", 20.0), ("=LOOKUP(NA(),A1:A3,B1:B3)", NA),
    ("=LOOKUP(2,A1:A3,A1:B3)", NA),
])
def test_index_and_lookup_errors_as_excel(formula, expected):
    assert evaluate(GRID, formula) == expected


def test_edate_and_eomonth_refuse_logicals():
    # pycel date-time.xlsx K12:O13: EDATE(366, FALSE) is #VALUE!
    assert evaluate({"A1": False}, "=EDATE(366,A1)") == VALUE
    assert evaluate({"A1": True}, "=EOMONTH(A1,1)") == VALUE
    assert evaluate({}, "=EDATE(366,1)") == 397.0
