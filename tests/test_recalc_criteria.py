"""The conditional functions (SUMIF(S), COUNTIF(S), AVERAGEIF(S), MAXIFS, MINIFS) against Excel.

Sources: Microsoft's SUMIF, COUNTIF and AVERAGEIF pages (their examples), and cells of the
corpus (vinci1it2000/formulas test.xlsx: MATH & TRIG rows 73-74, STATISTICAL rows 6-7, 24-25,
64 and 68), whose row layout the ``ROW`` cells below copy: numbers in C:G, text and a logical in
I:J, the error values in K:Q.
"""

import pytest

from xl_kpi.excel_errors import DIV0, NA, VALUE, ExcelError
from xl_kpi.recalc import evaluate

# Microsoft's SUMIF page: property values and commissions
PROPERTY = {"A2": 100000, "A3": 200000, "A4": 300000, "A5": 400000,
            "B2": 7000, "B3": 14000, "B4": 21000, "B5": 28000}
# Microsoft's COUNTIF page: fruit and quantities
FRUIT = {"A2": "apples", "A3": "oranges", "A4": "peaches", "A5": "apples", "B2": 32, "B3": 54, "B4": 75, "B5": 86}

ROW = {"C1": 0, "D1": 1, "E1": 2.3, "F1": 10, "G1": -1, "I1": "29/02/1900", "J1": True,
       "K1": ExcelError("#VALUE!"), "L1": ExcelError("#N/A"), "M1": ExcelError("#DIV/0!"),
       "N1": ExcelError("#NAME?")}
PATTERNS = '{"*ao","","TRUE",TRUE,"*a?"}'


@pytest.mark.parametrize("cells, formula, expected", [
    (PROPERTY, '=SUMIF(A2:A5,">160000",B2:B5)', 63000), (PROPERTY, '=SUMIF(A2:A5,">160000")', 900000),
    (PROPERTY, "=SUMIF(A2:A5,300000,B2:B5)", 21000),
    # the sum range is read from its top-left cell over the criteria range's shape
    (PROPERTY, '=SUMIF(A2:A5,">160000",B2)', 63000), (PROPERTY, '=AVERAGEIF(A2:A5,">250000",B2)', 24500),
    (PROPERTY, '=SUMIFS(B2:B5,A2:A4,">160000")', VALUE),
    (FRUIT, '=COUNTIF(A2:A5,"apples")', 2), (FRUIT, "=COUNTIF(A2:A5,A4)", 1), (FRUIT, '=COUNTIF(B2:B5,">55")', 2),
    (FRUIT, '=COUNTIF(B2:B5,"<>"&B4)', 3), (FRUIT, '=COUNTIF(A2:A5,"?????es")', 2),
])
def test_conditional_functions_as_documented(cells, formula, expected):
    assert evaluate(cells, formula) == expected


@pytest.mark.parametrize("formula, expected", [
    # MATH & TRIG!Z73:AF73: an error in a summed cell that meets the criterion is the result,
    # and an error criterion matches that error
    ("=SUMIF(I1:J1,I1,K1:L1)", VALUE), ("=SUMIF(J1:K1,J1,L1:M1)", NA), ("=SUMIF(K1:L1,K1,M1:N1)", DIV0),
    ("=SUMIFS(L1:M1,J1:K1,J1)", NA), ("=AVERAGEIF(I1:J1,I1,K1:L1)", VALUE), ("=MAXIFS(K1:L1,I1:J1,I1)", VALUE),
    ("=MINIFS(M1:N1,J1:K1,J1)", DIV0), ("=COUNTIF(K1:N1,L1)", 1), ("=SUMIF(J1:K1,FALSE,L1:M1)", 0),
    # STATISTICAL!X24: text reading as a number matches it
    ("=COUNTIF(I1:J1,I1)", 1),
    # STATISTICAL!AH6:AW25, MATH & TRIG!AH73:AW74: criteria given as an array, one result each
    (f"=COUNTIF(F1:J1,{PATTERNS})", [[0.0, 1.0, 1.0, 1.0, 0.0]]),
    (f"=SUMIF(F1:J1,{PATTERNS},C1:G1)", [[0.0, 2.3, -1.0, -1.0, 0.0]]),
    (f"=AVERAGEIF(F1:J1,{PATTERNS},C1:G1)", [[DIV0, 2.3, -1.0, -1.0, DIV0]]),
    (f'=COUNTIFS(F1:J1,{PATTERNS},D1:H1,">0")', [[0.0, 1.0, 0.0, 0.0, 0.0]]),
    (f'=MAXIFS(C1:G1,F1:J1,{PATTERNS},D1:H1,">0")', [[0.0, 2.3, 0.0, 0.0, 0.0]]),
    ('=COUNTIF(D1:H1,{1,">3"})', [[1.0, 1.0]]), ("=SUMIF(C1:G1,{1;2.3},C1:G1)", [[1.0], [2.3]]),
])
def test_conditional_functions_as_excel(formula, expected):
    assert evaluate(ROW, formula) == expected


@pytest.mark.parametrize("formula, expected", [
    # the distinct-count idiom: one criterion per cell of the range itself
    ("=SUMPRODUCT(1/COUNTIF(A1:A5,A1:A5))", 3), ("=SUMPRODUCT(SUMIF(A1:A5,A1:A5,B1:B5))", 3 * 25 + 20 + 40),
    # arrays of criteria broadcast together; beyond the smaller one, #N/A
    ('=COUNTIFS(A1:A5,{"a";"b"},B1:B5,{10,40})', [[2.0, 0.0], [0.0, 0.0]]),
    ('=COUNTIF(A1:A5,{"a","c";"b","b"})', [[3.0, 1.0], [1.0, 1.0]]),
    ('=COUNTIFS(A1:A5,{"a";"b";"c"},B1:B5,{10;20})', [[2.0], [1.0], [NA]]),
])
def test_criteria_given_as_ranges_and_arrays(formula, expected):
    cells = {"A1": "a", "A2": "b", "A3": "a", "A4": "c", "A5": "a", "B1": 10, "B2": 20, "B3": 10, "B4": 40, "B5": 5}
    assert evaluate(cells, formula) == expected
