"""Logical functions against Excel's values.

Sources: Microsoft's XOR, SWITCH and IFS pages (their examples), and the corpus (pycel
logical.xlsx, sheets Logical and Switch, saved by Excel).
"""

import pytest
from test_recalc_support import make_book, values

from xl_kpi.excel_errors import DIV0, NA, REF, VALUE
from xl_kpi.recalc import evaluate, recalculate


@pytest.mark.parametrize("formula, expected", [
    ("=XOR(3>0,2<9)", False), ("=XOR(3>12,4>6)", False), ("=XOR(3>0,4>6)", True), ("=XOR({TRUE,TRUE,TRUE})", True),
    ("=XOR(1,0)", True), ('=XOR("x")', VALUE), ("=XOR(1/0,TRUE)", DIV0),
    ('=SWITCH(2,1,"Sunday",2,"Monday",3,"Tuesday","No match")', "Monday"),
    ('=SWITCH(99,1,"Sunday",2,"Monday",3,"Tuesday","No match")', "No match"),
    ('=SWITCH(99,1,"Sunday",2,"Monday",3,"Tuesday")', NA), ('=SWITCH("upper","Upper","match")', "match"),
    ('=SWITCH(A1,0,"match")', "match"), ('=SWITCH(A1,FALSE,"match")', NA), ('=SWITCH(A1,"","match")', NA),
    ('=SWITCH(1/0,1,"a")', DIV0), ('=SWITCH(3,1/0,"a")', DIV0), ('=SWITCH(3,3,"a",1/0,"b")', "a"),
    ('=IFS(93>89,"A",93>79,"B",93>69,"C")', "A"), ('=IFS(75>89,"A",75>79,"B",75>69,"C")', "C"),
    ('=IFS(5>89,"A",5>79,"B")', NA), ('=IFS(1/0,"A",TRUE,"B")', DIV0), ('=IFS({TRUE,FALSE},1,TRUE,2)', [[1.0, 2.0]]),
])
def test_as_excel(formula, expected):
    got = evaluate({}, formula)
    assert got == expected and type(got) is type(expected)


def test_xor_is_a_logical_in_a_filled_down_column(tmp_path):
    cells = {"A1": True, "A2": False, "A3": True, "A4": "x"}
    cells.update({f"B{r}": f"=XOR(A{r},A{r + 1})" for r in range(1, 4)})
    src = make_book(tmp_path / "in.xlsx", {"S": cells})
    assert recalculate(src, tmp_path / "out.xlsx").ok
    got = values(tmp_path / "out.xlsx")["S"]
    assert [got[f"B{r}"] for r in range(1, 4)] == [True, True, True]  # pycel logical.xlsx H10:I21


@pytest.mark.parametrize("formula, expected", [
    # formulas test.xlsx LOGICAL row 3: a text argument that reads no logical is skipped
    ('=AND(TRUE,"0")', True), ('=AND(TRUE,"0",#REF!)', REF), ('=AND(TRUE,#REF!,"0")', REF),
    ('=AND(TRUE,"ciao",#REF!,"0")', REF), ('=AND("ciao")', VALUE), ('=AND("TRUE")', True),
    ('=AND("FALSE",TRUE)', False), ('=OR(FALSE,"0")', False), ('=OR("0")', VALUE), ('=XOR(TRUE,"0",#REF!)', REF),
])
def test_text_arguments_that_read_no_logical_are_skipped(formula, expected):
    assert evaluate({}, formula) == expected


def test_if_over_arrays_of_different_sizes_is_na_beyond_the_condition():
    assert evaluate({}, "=IF({TRUE;FALSE},{1;2},{1;2;3;4})") == [[1.0], [2.0], [NA], [NA]]
    assert evaluate({}, '=IF({TRUE;FALSE},"a",{"x";"y";"z"})') == [["a"], ["y"], [NA]]
