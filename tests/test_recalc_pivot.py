"""GROUPBY, PIVOTBY, PERCENTOF, TRIMRANGE and MAKEARRAY's sizes in the recalc engine.

Expected values: the rules of Microsoft's function pages (support.microsoft.com, "GROUPBY
function": example 2 ``=GROUPBY(C2:C76,D2:D76,SUM,,,-2)`` sorts by the values, descending;
"PIVOTBY function": ``=PIVOTBY(C2:C76,A2:A76,D2:D76,SUM)`` a total row and column; "PERCENTOF
function"; "TRIMRANGE function"; "MAKEARRAY function") applied by hand to the small tables
below, and the cells Excel computed in the formulas project's test workbook of the real-world
corpus (sheets LOOKUP, EXTRA, LOGICAL, MATH & TRIG), which settle what the pages leave open:
headers detected but not shown, "Grand Total" once subtotals show, the first column of a
two-column filter, PERCENTOF's #NUM! for an error.
"""

from __future__ import annotations

import pytest

from xl_kpi.excel_errors import ExcelError
from xl_kpi.recalc import evaluate, recalculate

from corpus import agree, corpus_dir, read_cells, strip_cached_values

NA, CALC, VALUE, NUM, REF, DIV0 = (ExcelError(e) for e in ("#N/A", "#CALC!", "#VALUE!", "#NUM!", "#REF!", "#DIV/0!"))

#: Sales by region, year and product, with a header row (text above numbers: found automatically).
SALES = {
    "A1": "Region", "B1": "Year", "C1": "Sales", "D1": "Keep",
    "A2": "East", "B2": 2023, "C2": 5, "D2": True,
    "A3": "West", "B3": 2024, "C3": 7, "D3": True,
    "A4": "East", "B4": 2024, "C4": 1, "D4": False,
    "A5": "west", "B5": 2023, "C5": 2, "D5": True,  # grouped with "West": text compares without case
}

GROUPBY_CASES = [
    # auto headers: found (text above a number), not shown; one grand total, labelled Total
    (SALES, "=_xlfn.GROUPBY(A1:A5,C1:C5,_xleta.SUM)", [["East", 6], ["West", 9], ["Total", 15]]),
    # Microsoft's example 2: sorted by the values, descending
    (SALES, "=_xlfn.GROUPBY(A1:A5,C1:C5,_xleta.SUM,,,-2)", [["West", 9], ["East", 6], ["Total", 15]]),
    (SALES, "=_xlfn.GROUPBY(A1:A5,C1:C5,_xleta.SUM,,,-1)", [["West", 9], ["East", 6], ["Total", 15]]),
    (SALES, "=_xlfn.GROUPBY(A1:A5,C1:C5,_xleta.SUM,3,0)", [["Region", "Sales"], ["East", 6], ["West", 9]]),
    (SALES, "=_xlfn.GROUPBY(A2:A5,C2:C5,_xleta.SUM,2,-1)",
     [["Row Field 1", "Value 1"], ["Total", 15], ["East", 6], ["West", 9]]),  # generated, total on top
    (SALES, "=_xlfn.GROUPBY(A2:A5,C2:C5,_xleta.SUM,0,0)", [["East", 6], ["West", 9]]),
    # two fields, subtotals of the first: the grand total reads "Grand Total", subtotals leave blanks
    (SALES, "=_xlfn.GROUPBY(A1:B5,C1:C5,_xleta.SUM,3,2)",
     [["Region", "Year", "Sales"], ["East", 2023, 5], ["East", 2024, 1], ["East", "", 6],
      ["West", 2023, 2], ["West", 2024, 7], ["West", "", 9], ["Grand Total", "", 15]]),
    (SALES, "=_xlfn.GROUPBY(A1:B5,C1:C5,_xleta.SUM,1,-2)",
     [["Grand Total", "", 15], ["East", "", 6], ["East", 2023, 5], ["East", 2024, 1],
      ["West", "", 9], ["West", 2023, 2], ["West", 2024, 7]]),
    (SALES, "=_xlfn.GROUPBY(A1:B5,C1:C5,_xleta.SUM,1,1,{1,-2})",  # region ascending, year descending
     [["East", 2024, 1], ["East", 2023, 5], ["West", 2024, 7], ["West", 2023, 2], ["Total", "", 15]]),
    (SALES, "=_xlfn.GROUPBY(A1:B5,C1:C5,_xleta.SUM,1,2,,,1)",  # table: no subtotals; rows labelled as first met
     [["East", 2023, 5], ["East", 2024, 1], ["west", 2023, 2], ["West", 2024, 7], ["Total", "", 15]]),
    (SALES, "=_xlfn.GROUPBY(A1:A5,C1:C5,_xleta.SUM,1,1,,D1:D5)", [["East", 5], ["West", 9], ["Total", 14]]),
    (SALES, "=_xlfn.GROUPBY(A1:A5,C1:C5,_xleta.PERCENTOF)", [["East", 0.4], ["West", 0.6], ["Total", 1]]),
    (SALES, "=_xlfn.GROUPBY(A1:A5,C1:C5,_xlfn.LAMBDA(_xlpm.x,COUNT(_xlpm.x)))", [["East", 2], ["West", 2], ["Total", 4]]),
    (SALES, "=_xlfn.GROUPBY(A1:A5,C1:C5,_xlfn.LAMBDA(_xlpm.x,_xlpm.all,MAX(_xlpm.x)/SUM(_xlpm.all)))",
     [["East", pytest.approx(5 / 15)], ["West", pytest.approx(7 / 15)], ["Total", pytest.approx(7 / 15)]]),
    ({"A1": "a", "A2": None, "A3": "a", "B1": 1, "B2": 2, "B3": 3}, "=_xlfn.GROUPBY(A1:A3,B1:B3,_xleta.SUM,0)",
     [["a", 4], ["", 2], ["Total", 6]]),  # a blank label: empty text, sorted last
    ({"A1": 1, "A2": 2, "B1": "x", "B2": 3}, "=_xlfn.GROUPBY(A1:A2,B1:B2,_xleta.SUM,0)",
     [[1, 0], [2, 3], ["Total", 3]]),
    # errors: Excel's argument checks
    (SALES, "=_xlfn.GROUPBY(A1:A5,C1:C4,_xleta.SUM)", VALUE),  # lengths differ
    (SALES, "=_xlfn.GROUPBY(A1:A5,C1:C5,_xleta.SUM,4)", VALUE),
    (SALES, "=_xlfn.GROUPBY(A1:A5,C1:C5,_xleta.SUM,1,2)", VALUE),  # subtotals need a second field
    (SALES, "=_xlfn.GROUPBY(A1:A5,C1:C5,_xleta.SUM,1,1,3)", VALUE),  # a sort column beyond the table
    (SALES, "=_xlfn.GROUPBY(A1:A5,C1:C5,_xleta.SUM,1,1,0)", VALUE),
    (SALES, "=_xlfn.GROUPBY(A1:A5,C1:C5,_xleta.SUM,1,1,,D1:D4)", VALUE),  # filter of another length
    (SALES, "=_xlfn.GROUPBY(A1:A5,C1:C5,_xleta.SUM,1,1,,{1;0;0;0;0})", CALC),  # nothing kept
    (SALES, "=_xlfn.GROUPBY(A1:A5,C1:C5,_xleta.SUM,1,1,,{1;1;#N/A;1;1})", NA),  # an error in the filter
    (SALES, "=_xlfn.GROUPBY(A1:A5,C1:C5,5)", VALUE),  # not a function
    # a row of functions (Microsoft's page: "a vector of lambdas ... multiple aggregations"): each adds
    # its columns under a header row of the functions' names, field headers (when shown) below it
    (SALES, "=_xlfn.GROUPBY(A1:A5,C1:C5,_xlfn.HSTACK(_xleta.SUM,_xleta.MAX))",
     [["", "SUM", "MAX"], ["East", 6, 5], ["West", 9, 7], ["Total", 15, 7]]),
    (SALES, "=_xlfn.GROUPBY(A1:A5,C1:C5,_xlfn.HSTACK(_xleta.SUM,_xleta.PERCENTOF),3)",
     [["", "SUM", "PERCENTOF"], ["Region", "Sales", "Sales"], ["East", 6, 0.4], ["West", 9, 0.6], ["Total", 15, 1]]),
    (SALES, "=_xlfn.GROUPBY(A1:A5,C1:D5,_xlfn.HSTACK(_xleta.SUM,_xleta.COUNTA),3,0)",  # functions outer
     [["", "SUM", "SUM", "COUNTA", "COUNTA"], ["Region", "Sales", "Keep", "Sales", "Keep"],
      ["East", 6, 0, 2, 2], ["West", 9, 0, 2, 2]]),
    (SALES, '=_xlfn.GROUPBY(A1:A5,C1:C5,_xlfn.VSTACK(_xlfn.HSTACK(_xleta.SUM,_xleta.MAX),{"Total","Top"}),,0)',
     [["", "Total", "Top"], ["East", 6, 5], ["West", 9, 7]]),  # named by a second row
    (SALES, "=_xlfn.GROUPBY(A1:A5,C1:C5,_xlfn.HSTACK(_xleta.MIN,_xlfn.LAMBDA(_xlpm.x,MAX(_xlpm.x)-1)),,0,-3)",
     [["", "MIN", "LAMBDA"], ["West", 2, 6], ["East", 1, 4]]),  # a LAMBDA among them; sorted by its column
    (SALES, "=_xlfn.GROUPBY(A1:A5,C1:C5,_xlfn.HSTACK(_xleta.SUM))", [["East", 6], ["West", 9], ["Total", 15]]),
    (SALES, "=_xlfn.GROUPBY(A1:A5,C1:C5,_xlfn.HSTACK(_xleta.SUM,5))", VALUE),  # not a function
    (SALES, "=_xlfn.GROUPBY(A1:A5,C1:C5,_xlfn.HSTACK(_xleta.SUM,_xleta.MAX),,,4)", VALUE),  # past the columns
    (SALES, "=_xlfn.GROUPBY(A1:A5,C1:C5,_xlfn.VSTACK(_xleta.SUM,_xleta.MAX))", VALUE),  # row-wise: not computed
    (SALES, "=_xlfn.GROUPBY(A1:A5,C1:C5,#REF!)", REF),
    (SALES, "=_xlfn.GROUPBY(A1:A5,C1:C5,_xlfn.LAMBDA(_xlpm.x,_xlpm.x))", [["East", CALC], ["West", CALC], ["Total", CALC]]),
    ({"A1": "a", "A2": "a", "B1": 1, "B2": "#N/A"}, "=_xlfn.GROUPBY(A1:A2,B1:B2,_xleta.SUM,0)",
     [["a", 1], ["Total", 1]]),  # text "#N/A" in a range: skipped by SUM
    ({}, "=_xlfn.GROUPBY({1;2},{3;4},_xleta.IF,0)", [[1, VALUE], [2, VALUE], ["Total", VALUE]]),  # IF needs two
]


PIVOTBY_CASES = [
    # Microsoft's page: a total row and a total column by default
    (SALES, "=_xlfn.PIVOTBY(A1:A5,B1:B5,C1:C5,_xleta.SUM)",
     [["", 2023, 2024, "Total"], ["East", 5, 1, 6], ["West", 2, 7, 9], ["Total", 7, 8, 15]]),
    (SALES, "=_xlfn.PIVOTBY(A1:A5,B1:B5,C1:C5,_xleta.SUM,3,-1,1,0,-1)",
     [["", "Year", ""], ["Region", 2024, 2023], ["Total", 8, 7], ["East", 1, 5], ["West", 7, 2]]),
    (SALES, "=_xlfn.PIVOTBY(A1:A5,B1:B5,C1:C5,_xleta.SUM,1,1,2,-1,-2)",  # sorted by their totals
     [["", "Total", 2024, 2023], ["East", 6, 1, 5], ["West", 9, 7, 2], ["Total", 15, 8, 7]]),
    (SALES, "=_xlfn.PIVOTBY(A1:A5,B1:B5,C1:C5,_xleta.PERCENTOF,1,1,1,1,1,,1)",  # of the row's total
     [["", 2023, 2024, "Total"], ["East", pytest.approx(5 / 6), pytest.approx(1 / 6), 1],
      ["West", pytest.approx(2 / 9), pytest.approx(7 / 9), 1], ["Total", pytest.approx(7 / 15), pytest.approx(8 / 15), 1]]),
    (SALES, "=_xlfn.PIVOTBY(A1:A5,B1:B5,C1:C5,_xleta.PERCENTOF,1,1,1,1,1,,2)",  # of the grand total
     [["", 2023, 2024, "Total"], ["East", pytest.approx(5 / 15), pytest.approx(1 / 15), pytest.approx(6 / 15)],
      ["West", pytest.approx(2 / 15), pytest.approx(7 / 15), pytest.approx(9 / 15)],
      ["Total", pytest.approx(7 / 15), pytest.approx(8 / 15), 1]]),
    (SALES, "=_xlfn.PIVOTBY(A1:A5,B1:B5,C1:C5,_xleta.SUM,1,0,1,0,1,D1:D5)",  # filtered: an empty cell
     [["", 2023, 2024], ["East", 5, ""], ["West", 2, 7]]),
    (SALES, "=_xlfn.PIVOTBY(A1:A5,B1:B5,C1:D5,_xleta.COUNT,1,0,1,0)",  # two value columns side by side
     [["", 2023, 2023, 2024, 2024], ["East", 1, 0, 1, 0], ["West", 1, 0, 1, 0]]),
    (SALES, "=_xlfn.PIVOTBY(A1:A5,B1:B5,C1:C5,_xlfn.HSTACK(_xleta.SUM,_xleta.COUNT),1,0,1,0)",
     [["", 2023, 2023, 2024, 2024], ["", "SUM", "COUNT", "SUM", "COUNT"], ["East", 5, 1, 1, 1], ["West", 2, 1, 7, 1]]),
    (SALES, "=_xlfn.PIVOTBY(A1:A5,B1:B5,C1:C5,_xlfn.HSTACK(_xleta.SUM,_xleta.COUNT),3,0,1,0)",
     [["", "Year", "", "", ""], ["", 2023, 2023, 2024, 2024], ["Region", "SUM", "COUNT", "SUM", "COUNT"],
      ["East", 5, 1, 1, 1], ["West", 2, 1, 7, 1]]),
    (SALES, "=_xlfn.PIVOTBY(A1:A5,B1:B5,C1:C5,_xleta.SUM,1,2)", VALUE),  # one row field: no subtotals
    (SALES, "=_xlfn.PIVOTBY(A1:A5,B1:B5,C1:C5,_xleta.SUM,1,1,1,1,1,,5)", VALUE),
    (SALES, "=_xlfn.PIVOTBY(A1:A5,B1:B4,C1:C5,_xleta.SUM)", VALUE),
    (SALES, "=_xlfn.PIVOTBY(A1:A5,B1:B5,C1:C5,#N/A)", NA),
]


#: Microsoft's PERCENTOF example 1, ``=PERCENTOF(C3:C4,C3:C14)``: Bib-Shorts and Bike Racks as a
#: share of all sales (the sales as SpreadJS's PERCENTOF page reproduces the example's table).
BIKES = {f"C{3 + i}": x for i, x in enumerate(
    [7600, 56100, 2100, 11100, 55900, 59600, 74800, 48300, 9700, 61400, 7000, 48500])}

OTHER_CASES = [
    (BIKES, "=_xlfn.PERCENTOF(C3:C4,C3:C14)", pytest.approx(63700 / 442100)),
    ({}, "=_xlfn.PERCENTOF({1,2},{1,2,3,4})", pytest.approx(0.3)),
    ({"A1": 1, "A2": "x", "A3": 3}, "=_xlfn.PERCENTOF(A1,A1:A3)", pytest.approx(0.25)),  # text skipped
    ({}, "=_xlfn.PERCENTOF({1,#N/A},{1,2})", NUM),  # an error is #NUM!, as Excel shows it
    ({}, "=_xlfn.PERCENTOF(1,{1,-1})", DIV0),
    ({}, "=_xlfn.PERCENTOF(1)", VALUE),
    # TRIMRANGE: blank outer rows/columns dropped; 1 leading, 2 trailing, 3 both
    ({"B2": 1, "C3": 2}, "=_xlfn.TRIMRANGE(A1:D5)", [[1, 0], [0, 2]]),
    ({"B2": 1, "C3": 2}, "=_xlfn.TRIMRANGE(A1:D5,1,2)", [[0, 1, 0], [0, 0, 2], [0, 0, 0], [0, 0, 0]]),
    ({"B2": 1, "C3": 2}, "=_xlfn.TRIMRANGE(A1:D5,0,0)", [[0] * 4, [0, 1, 0, 0], [0, 0, 2, 0], [0] * 4, [0] * 4]),
    ({"B2": 1, "C3": 2}, '=ROWS(_xlfn.TRIMRANGE(A1:D5,"2"))', 3),
    ({"B2": 1, "C3": 2}, "=SUM(_xlfn._TRO_ALL(A:D))", 3),  # a trim reference over whole columns
    ({"B2": 1, "C3": 2}, "=ROWS(_xlfn._TRO_TRAILING(A:A))", REF),  # nothing in column A
    ({"B2": 1, "C3": 2}, "=ROWS(_xlfn._TRO_TRAILING(B:C))", 3),
    ({"B2": 1, "C3": 2}, "=ROWS(_xlfn._TRO_LEADING(B:C))", 1048575),
    ({"B2": 1, "C3": 2}, "=ROW(_xlfn.TRIMRANGE(A1:D5))", [[2], [3]]),  # still a reference
    ({}, "=_xlfn.TRIMRANGE(A1:B2)", REF),
    ({"A1": 1}, "=_xlfn.TRIMRANGE(A1:B2,2.5)", VALUE),
    ({"A1": 1}, "=_xlfn.TRIMRANGE(A1:B2,4)", VALUE),
    ({"A1": 1}, "=_xlfn.TRIMRANGE(A1:B2,{1,2})", [[VALUE, VALUE]]),
    ({}, "=_xlfn.TRIMRANGE({1,2})", VALUE),  # not a reference
    # MAKEARRAY: whole sizes only; over a range of sizes, each element its array's top-left
    ({}, "=_xlfn.MAKEARRAY(2.5,1,_xlfn.LAMBDA(_xlpm.r,_xlpm.c,_xlpm.r))", VALUE),
    ({}, "=_xlfn.MAKEARRAY({1,0,2},1,_xlfn.LAMBDA(_xlpm.r,_xlpm.c,_xlpm.r+_xlpm.c+1))", [[3, VALUE, 3]]),
    ({}, "=_xlfn.MAKEARRAY(#N/A,1,_xlfn.LAMBDA(_xlpm.r,_xlpm.c,1))", NA),
]


@pytest.mark.parametrize("cells, formula, expected", GROUPBY_CASES + PIVOTBY_CASES + OTHER_CASES)
def test_summary_and_trim_functions(cells, formula, expected):
    assert evaluate(cells, formula) == expected


def test_a_summary_beyond_its_cell_budget_is_num_error(monkeypatch):
    from xl_kpi.recalc.functions import pivot

    monkeypatch.setattr(pivot, "MAX_PIVOT_CELLS", 5)  # three rows of two cells: six
    assert evaluate(SALES, "=_xlfn.GROUPBY(A1:A5,C1:C5,_xleta.SUM)") == NUM
    assert evaluate(SALES, "=_xlfn.PIVOTBY(A1:A5,B1:B5,C1:C5,_xleta.SUM)") == NUM


def test_thousands_of_field_columns_neither_crash_nor_recurse():
    # 3 rows grouped by 1,500 columns, a subtotal at every level: 4,501 rows of 1,501 cells
    got = evaluate({}, "=ROWS(_xlfn.GROUPBY(SEQUENCE(3,1500),SEQUENCE(3),_xleta.SUM,0,-1500))")
    assert got == NUM  # beyond the budget of a million cells, computed without recursion
    assert evaluate({}, "=ROWS(_xlfn.GROUPBY(SEQUENCE(2,1200),SEQUENCE(2),_xleta.SUM,0,0))") == 2


# -- the corpus ---------------------------------------------------------------------------------

CORPUS_FUNCTIONS = ("GROUPBY", "PIVOTBY", "PERCENTOF", "TRIMRANGE", "MAKEARRAY")


@pytest.mark.slow
def test_formulas_project_summaries_equal_excel(tmp_path):
    root = corpus_dir()
    book = root / "vinci1it2000__formulas" / "test.xlsx" if root else None
    if book is None or not book.exists():
        pytest.skip("the real-world corpus is not here")
    stripped, out = tmp_path / "in.xlsx", tmp_path / "out.xlsx"
    strip_cached_values(book, stripped)
    report = recalculate(stripped, out)
    assert report.ok, report.reason
    cells, excel = read_cells(book)
    _, got = read_cells(out)
    targets = [k for k, c in cells.items() if excel.get(k) is not None
               and any(f in c.formula.upper() for f in CORPUS_FUNCTIONS)]
    assert len(targets) > 900
    wrong = [(k, cells[k].formula, excel[k], got.get(k)) for k in targets if not agree(excel[k], got.get(k))]
    assert not wrong, wrong[:10]
