"""Array arithmetic on whole columns (``A:A*2``, ``SUMPRODUCT(--(A:A=""))``, ``FILTER(A:A,...)``).

Excel computes such an array over the column's 1,048,576 rows (Microsoft, "Excel specifications
and limits"): below the used range every row is alike, a blank cell put through the formula, so
an aggregate counts that row once per hidden row, and a result that tall spills off the sheet
(#SPILL!) unless it starts in row 1. Expected values worked by hand from those two rules over the
small columns below (B holds 1, 2, 3; C holds 4, 5, 6): e.g. ``SUM(B:B+1)`` is
(2 + 3 + 4) + 1 for each of the other 1,048,573 rows.
"""

from __future__ import annotations

import tracemalloc

import pytest
from test_recalc_support import make_book, values

from xl_kpi.excel_errors import ExcelError
from xl_kpi.recalc import evaluate, recalculate

ROWS = 1_048_576
COLUMNS = {"B1": 1, "B2": 2, "B3": 3, "C1": 4, "C2": 5, "C3": 6}
NA, SPILL, VALUE = ExcelError("#N/A"), ExcelError("#SPILL!"), ExcelError("#VALUE!")


@pytest.mark.parametrize("formula, excel", [
    ('=SUMPRODUCT(--(B:B=""))', ROWS - 3),  # the blank rows, all of them
    ('=SUMPRODUCT(--(B:B<>""))', 3),
    ('=SUM(--(B:B=""))', ROWS - 3),
    ("=SUM(B:B+1)", 2 + 3 + 4 + (ROWS - 3)),
    ("=SUM(B:B*C:C)", 4 + 10 + 18),  # the rows below add 0 * 0
    ("=SUMPRODUCT(B:B*C:C)", 32), ("=SUMPRODUCT(B:B,C:C)", 32),
    ("=SUMPRODUCT((B:B>1)*C:C)", 11),
    ("=COUNT(B:B*1)", ROWS),  # a blank times 1 is the number 0
    ('=COUNTA(B:B&"")', ROWS),
    ("=AVERAGE(B:B*1)", pytest.approx(6 / ROWS, rel=1e-12)),
    ("=MAX(B:B-10)", -7), ("=MIN(B:B+10)", 10),
    ("=ROWS(B:B*2)", ROWS),
    # IF and the element-wise functions carry the rows below too
    ('=SUM(IF(B:B="",1,0))', ROWS - 3), ('=SUM(IF(B:B="",1))', ROWS - 3),
    ("=SUM(IF(B:B>1,C:C))", 11), ("=COUNT(IF(B:B>1,C:C))", 2),
    ("=COUNT(ABS(B:B))", ROWS), ("=SUM(ROUND(B:B*1.26,1))", pytest.approx(7.6)),
    ("=SUM(B1:B3+B:B)", NA),  # a 3-row array against whole columns: #N/A below row 3
    ("=COUNT(B1:B3+B:B)", 3),
    ("=SUMPRODUCT(B:B,C1:C3)", VALUE),  # sizes differ
    ('=_xlfn._xlws.FILTER(B:B,B:B<>"")', [[1], [2], [3]]),  # nothing kept below the used range
    ('=ROWS(_xlfn._xlws.FILTER(B:B,B:B=""))', ROWS - 3),
    ('=SUM(_xlfn._xlws.FILTER(C:C,B:B=""))', 0),
    # the formula sits in A5: 1,048,576 rows from there run off the sheet, as in Excel
    ("=B:B*2", SPILL),
    ('=_xlfn._xlws.FILTER(B:B,B:B="")', SPILL),
    ("=B1:B3*2", [[2], [4], [6]]),  # not whole columns: as before
])
def test_whole_column_arrays_count_every_row_of_the_column(formula, excel):
    assert evaluate(COLUMNS, formula) == excel


@pytest.mark.parametrize("formula", ['=SUMPRODUCT(--(B:B=""))', "=COUNT(B:B*1)", "=AVERAGE(B:B*1)",
                                     '=ROWS(_xlfn._xlws.FILTER(B:B,B:B=""))'])
def test_the_rows_below_the_used_range_are_not_allocated(formula):
    evaluate(COLUMNS, "=1")  # imports and caches out of the measure
    tracemalloc.start()
    try:
        evaluate(COLUMNS, formula)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < ROWS  # one byte per row of the column would already be more


def test_a_legacy_array_formula_over_whole_columns_fills_its_range_with_the_rows_below(tmp_path):
    src = make_book(tmp_path / "in.xlsx", {"S": {"B1": 1, "B2": 2, "B3": 3}},
                    arrays={"S!D1": ("D1:D5", "=B:B*2+1")})
    assert recalculate(src, tmp_path / "out.xlsx").ok
    got = values(tmp_path / "out.xlsx")["S"]
    assert [got[f"D{r}"] for r in range(1, 6)] == [3, 5, 7, 1, 1]  # blank * 2 + 1 below the data


def test_unique_of_whole_columns_ends_with_the_blank_below_the_used_range(tmp_path):
    """UNIQUE(B:B) reads the blank rows under the data too, so Excel's result ends with one
    blank (shown as 0, why models write UNIQUE(FILTER(B:B,B:B<>""))); with exactly_once the blank,
    there a million times, is dropped."""
    src = make_book(tmp_path / "in.xlsx", {"S": {"B1": "b", "B2": "a", "B3": "b",
                                                 "D1": "=ROWS(_xlfn.UNIQUE(B:B))",
                                                 "D2": "=ROWS(_xlfn.UNIQUE(B:B,FALSE,TRUE))",
                                                 "D3": "=ROWS(_xlfn.UNIQUE(B1:B3))",
                                                 "D4": '=ROWS(_xlfn.UNIQUE(_xlfn._xlws.FILTER(B:B,B:B<>"")))'}})
    assert recalculate(src, tmp_path / "out.xlsx").ok
    got = values(tmp_path / "out.xlsx")["S"]
    assert [got[f"D{r}"] for r in range(1, 5)] == [3, 1, 2, 2]
