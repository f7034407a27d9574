"""Lookup & reference functions against Excel's values.

Sources: Microsoft's XMATCH and XLOOKUP pages (their examples), and cells of the corpus
(vinci1it2000/formulas test.xlsx, sheet LOOKUP rows 162-197 and EXTRA rows 72-84).
"""

import pytest
from test_recalc_support import make_book, values

from xl_kpi.excel_errors import CALC, DIV0, NA, NULL, REF, VALUE
from xl_kpi.recalc import evaluate, recalculate

FRUIT = {"A1": "Apple", "A2": "Grape", "A3": "Pear", "A4": "Banana", "A5": "Cherry"}


@pytest.mark.parametrize("formula, expected", [
    # Microsoft: XMATCH("Gra?e", ...) with wildcards, exact and next larger
    ('=XMATCH("Grape",A1:A5)', 2), ('=XMATCH("gra?e",A1:A5,2)', 2), ('=XMATCH("Gr*",A1:A5,2)', 2),
    ('=XMATCH("Gr*",A1:A5)', NA), ('=XMATCH("Kiwi",A1:A5)', NA), ('=XMATCH("Gr*",A1:A5,2,2)', VALUE),
    ('=XMATCH("Pear",A1:A5,0,-1)', 3), ('=XMATCH(1/0,A1:A5)', DIV0), ('=XMATCH("Pear",A1:A5,4)', VALUE),
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
    # match_mode 3 (Microsoft's XMATCH and XLOOKUP pages: "regular expression match"): the lookup
    # is a pattern that matches part of a text item, case mattering as in REGEXTEST
    ('=XMATCH("^Gr",A1:A5,3)', 2), ('=XMATCH("an+a$",A1:A5,3)', 4), ('=XMATCH("e",A1:A5,3)', 1),
    ('=XMATCH("e",A1:A5,3,-1)', 5), ('=XMATCH("^gr",A1:A5,3)', NA), ('=XMATCH("(?i)^gr",A1:A5,3)', 2),
    ('=XMATCH("^(Pear|Kiwi)$",A1:A5,3)', 3), ('=XMATCH("\\p{Lu}h",A1:A5,3)', 5),
    # formulas test.xlsx EXTRA!O76: "ß" is no "ss" for a pattern (nor for wildcards, EXTRA!N76)
    ('=XMATCH("ß",{1,"ss",2.1,"c bau c",4.1},3)', NA),
    # a binary search, a pattern that does not compile or is no text: #VALUE!
    ('=XMATCH("^Gr",A1:A5,3,2)', VALUE), ('=XMATCH("^Gr",A1:A5,3,-2)', VALUE), ('=XMATCH("(",A1:A5,3)', VALUE),
    ('=XMATCH(1,{1,"1"},3)', VALUE), ('=XMATCH(A9,A1:A5,3)', VALUE), ('=XMATCH(NA(),A1:A5,3)', NA),
    ('=XMATCH("\\d",{1,2,"x3"},3)', 3),  # numbers are no text items
    ('=XMATCH("^Gr",A1:A5,{0,3})', [[NA, 2]]),
    ('=XLOOKUP("^B",A1:A5,A1:A5,"none",3)', "Banana"), ('=XLOOKUP("^Z",A1:A5,A1:A5,"none",3)', "none"),
    ('=XLOOKUP("rr",A1:A5,A1:A5,,3,-1)', "Cherry"), ('=XLOOKUP("[",A1:A5,A1:A5,"none",3)', VALUE),
])
def test_match_mode_3_is_a_regular_expression(formula, expected):
    assert evaluate(FRUIT, formula) == expected


def test_a_backtracking_lookup_pattern_is_value_error_not_a_hang(monkeypatch):
    from xl_kpi.recalc.functions import regex

    monkeypatch.setattr(regex, "MATCH_SECONDS", 0.2)
    assert evaluate({"A1": "a" * 60 + "b"}, '=XMATCH("(a|aa)+$",A1:A1,3)') == VALUE


def test_one_lookups_matches_share_the_time_budget(monkeypatch):
    # each item alone matches within the budget; all of them together do not: #VALUE!, no hang
    from xl_kpi.recalc.functions import regex

    monkeypatch.setattr(regex, "MATCH_SECONDS", 0.2)
    cells = {f"A{r}": "a" * 22 + "b" for r in range(1, 2001)}
    assert evaluate(cells, '=XMATCH("(a|aa)+$",A1:A2000,3)') == VALUE


@pytest.mark.parametrize("formula, expected", [
    # formulas test.xlsx LOOKUP!R162:W162 and AA163
    ('=XLOOKUP(-2,{-1.1,2.1,3.1,4.1},{1,2,3,4},"pippo")', "pippo"),
    ('=XLOOKUP(2,{-1.1,2.1,3.1,4.1},{1,2,3,4},"pippo",1)', 2),
    ("=XLOOKUP(20,{-1.1,2.1,3.1,4.1},{1,2,3,4})", NA),
    ('=XLOOKUP(NA(),{"a",2.1,"b",4.1},{"L","ML","MR","R"},1)', NA),  # an error lookup is not "not found"
    ("=XLOOKUP(2,{1,2,3},{1,2})", VALUE),
    # LOOKUP!AH162:AO162: a search_mode of -1.1 is -2, a binary search (wildcards refused)
    ('=XLOOKUP(-1.1,{-1.1,2.1,3.1,4.1},{"L","ML","MR","R"},1,1,-1.1)', "R"),
    ('=XLOOKUP(4.1,{-1.1,2.1,3.1,4.1},{"L","ML","MR","R"},1,1,-1.1)', 1),
    ('=XLOOKUP(A1,{-1.1,2.1,3.1,4.1},{"L","ML","MR","R"},1,-1,-1.1)', "L"),
    ('=XLOOKUP(4,{-1.1,2.1,3.1,4.1},{"L","ML","MR","R"},1,2,-1.1)', VALUE),
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
    # formulas test.xlsx LOOKUP!AH6, AS6, AH9: indexes given in rows and columns are #VALUE!
    ("=CHOOSECOLS(A1:B3,{1,2;1,2})", VALUE), ("=CHOOSEROWS(A1:B3,{1;2},{1,2;1,2})", VALUE),
    ("=CHOOSEROWS(A1:B3,{1;3})", [[1.0, 10.0], [3.0, 30.0]]),
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


PRODUCTS = {"A2": "Bananas", "A3": "Oranges", "A4": "Apples", "A5": "Pears", "B2": 25, "B3": 38, "B4": 40, "B5": 41}
COLOURS = {"A2": 4.14, "A3": 4.19, "A4": 5.17, "A5": 5.77, "A6": 6.39,
           "B2": "red", "B3": "orange", "B4": "yellow", "B5": "green", "B6": "blue"}


@pytest.mark.parametrize("cells, formula, expected", [
    # Microsoft's MATCH page: 39 is matched by 38; -1 needs a list sorted descending
    (PRODUCTS, "=MATCH(39,B2:B5,1)", 2), (PRODUCTS, "=MATCH(41,B2:B5,0)", 4), (PRODUCTS, "=MATCH(40,B2:B5,-1)", NA),
    # Microsoft's LOOKUP page, vector form
    (COLOURS, "=LOOKUP(4.19,A2:A6,B2:B6)", "orange"), (COLOURS, "=LOOKUP(5.75,A2:A6,B2:B6)", "yellow"),
    (COLOURS, "=LOOKUP(7.66,A2:A6,B2:B6)", "blue"), (COLOURS, "=LOOKUP(0,A2:A6,B2:B6)", NA),
    ({}, '=LOOKUP("bump",{"a",1;"b",2;"c",3})', 2),
    # MATCH(0,{3,2,2},-1) is the last of the equal items (Microsoft Tech Community, XMATCH and MATCH differ)
    ({}, "=MATCH(0,{3,2,2},-1)", 3),
])
def test_approximate_match_as_documented(cells, formula, expected):
    assert evaluate(cells, formula) == expected


@pytest.mark.parametrize("formula, expected", [
    # formulas test.xlsx LOOKUP!R56:Y63: the binary search compares a value with items of its type only
    ('=LOOKUP(2,{"b",4.1,"a",1.1})', NA), ('=LOOKUP(4.1,{"b",4.1,"a",1.1})', 4.1), ('=LOOKUP("b",{"b",4.1,"a",1.1})', "a"),
    ('=LOOKUP(4,{"",4.1,"a",1.1})', NA), ("=LOOKUP(TRUE,{TRUE,4.1,FALSE,1.1})", False),
    ('=LOOKUP("b",{TRUE,4.1,FALSE,"b"})', "b"), ('=LOOKUP(20,{TRUE,4.1,FALSE,"b"},{"L","ML","MR","R"})', "ML"),
    ('=LOOKUP(20,{TRUE,FALSE,"a","b"},{"L","ML","MR","R"})', NA), ("=LOOKUP(3,{4.1,2.1,3.1,1.1})", 2.1),
    ("=LOOKUP(4,{4.1,2.1,3.1,1.1})", 1.1), ('=LOOKUP(3,{"a",2.1,"b",4.1})', 2.1),
    # LOOKUP!R65:Y91: MATCH type 1 and -1 over unsorted and mixed lists
    ("=MATCH(3,{4.1,3.1,2.1,1.1})", NA), ('=MATCH(4.1,{"c bau c",4.1,"a",1.1})', 2), ("=MATCH(A9,{-1.1,2.1,3.1,4.1})", 1),
    ("=MATCH(1.1,{-1.1,2.1,3.1,4.1},-1)", NA), ("=MATCH(-2,{-1.1,2.1,3.1,4.1},-1)", 4),
    ('=MATCH(3,{"c bau c",4.1,"a",1.1},-1)', 2), ('=MATCH("*b?u*",{"a",2.1,"c bau c",4.1},-1)', 3),
    ('=MATCH("*b?u*",{"",4.1,"a",1.1},-1)', NA), ("=MATCH(TRUE,{FALSE,2.1,TRUE,4.1},-1)", NA),
    ("=MATCH(TRUE,{TRUE,4.1,FALSE,1.1},-1)", 1), ("=MATCH(A9,{0;1;2;3;4},-1)", 1),  # pycel lookup.xlsx G32
    ("=MATCH(-1,{0;1;2;3;4},-1)", 5), ("=MATCH(3,{FALSE,2.1,TRUE,4.1},5)", 2),
    ('=MATCH("A?",{1,"as",2.1,"c bau c",4.1},5)', NA),  # EXTRA!M78: no wildcards in an approximate match
    # EXTRA!L74, L78: MATCH compares text without case but does not fold ß to ss (XMATCH does)
    ('=MATCH("ß",{1,"ss",2.1,"c bau c",4.1},0)', NA), ('=MATCH("ß?",{1,"ßs",2.1,"c bau c",4.1},0)', 2),
    ('=MATCH("B",{"a","b"},0)', 2), ("=MATCH(1,{1,2;3,4},0)", NA), ("=MATCH(1/0,{1,2},0)", DIV0),
])
def test_approximate_match_over_mixed_lists_as_excel(formula, expected):
    assert evaluate({}, formula) == expected


@pytest.mark.parametrize("formula, expected", [
    # formulas test.xlsx LOOKUP!AH56:AW63 and AH44:AW44: a lookup value that is an array is looked
    # up element by element; an array of row indexes counts by its first item
    ('=LOOKUP({-1.1,2.1,3,4,4.1},{-1.1,2.1,3.1,4.1},{"L","ML","MR","R"})', [["L", "ML", "ML", "MR", "R"]]),
    ('=LOOKUP({2.1,4.1,"b",TRUE},{"a",2.1,"b",4.1},{"L","ML","MR","R"})', [["ML", "R", "MR", NA]]),
    ('=LOOKUP({4.1;"b";1},{"b",4.1,"a",1.1},{"L","ML","MR","R"})', [["ML"], ["MR"], [NA]]),
    ("=HLOOKUP({-1.1,2.1,3,4.1},{-1.1,2.1,3.1,4.1;5,6,7,8},{2,1},0)", [[5.0, 6.0, NA, 8.0]]),
    ("=MATCH({3,1},{1,2,3},0)", [[3.0, 1.0]]), ('=VLOOKUP({4;0},{1,"a";3,"b";5,"c"},2)', [["b"], [NA]]),
    ('=LOOKUP({1,#DIV/0!},{1,2})', [[1.0, DIV0]]),
])
def test_lookups_of_an_array_are_element_by_element(formula, expected):
    assert evaluate({}, formula) == expected


@pytest.mark.parametrize("formula, expected", [
    # Microsoft's ADDRESS page
    ("=ADDRESS(2,3)", "$C$2"), ("=ADDRESS(2,3,2)", "C$2"), ("=ADDRESS(2,3,2,FALSE)", "R2C[3]"),
    ('=ADDRESS(2,3,1,FALSE,"[Book1]Sheet1")', "[Book1]Sheet1!R2C3"),
    ('=ADDRESS(2,3,1,FALSE,"EXCEL SHEET")', "'EXCEL SHEET'!R2C3"),
    # formulas test.xlsx LOOKUP!R3:AW3: numbers truncated, a blank sheet text is "", errors in order
    ("=ADDRESS(1.1,3,4,4.1,A1)", "!C1"), ('=ADDRESS(3,4,4.1,A1,"*b?u*")', "'*b?u*'!R[3]C[4]"),
    ("=ADDRESS(-2,1.1,3,4,4.1)", VALUE), ("=ADDRESS(4,4.1,A1)", VALUE), ('=ADDRESS(4,4,1,"x")', VALUE),
    ("=ADDRESS(TRUE,3)", "$C$1"), ("=ADDRESS(NA(),1/0)", NA), ("=ADDRESS({1;3},3,4)", [["C1"], ["C3"]]),
    # an omitted abs_num or a1 takes its default; the sheet's limits
    ('=ADDRESS(1,1,,,"Sheet1")', "Sheet1!$A$1"), ("=ADDRESS(1,1,,FALSE)", "R1C1"), ("=ADDRESS(1,16385)", VALUE),
    ("=ADDRESS(1048576,16384)", "$XFD$1048576"), ('=ADDRESS(1,1,1,TRUE,"it\'s")', "'it''s'!$A$1"),
])
def test_address_as_excel(formula, expected):
    assert evaluate({}, formula) == expected


@pytest.mark.parametrize("formula, expected", [
    # Microsoft's AREAS page and formulas test.xlsx LOOKUP!R4:X4, COLUMNS!R15:W15, ROWS R115:W115
    ("=AREAS(B2:D4)", 1), ("=AREAS((B2:D4,E5,F6:I9))", 3), ("=AREAS(B2:D4 B2)", 1),
    ("=AREAS((E4:H4 J4:K4 L4:O4))", NULL), ("=AREAS(((F4:G4,G4:I4,F6:G6,G6:I6) G3:G11))", 4),
    ("=COLUMNS((D15:G15,I15:J15,K15:N15))", REF), ("=ROWS((E115:H115 J115:K115 L115:O115))", NULL),
    ("=COLUMNS(((G15:H16) H14:H23))", 1),
    # LOOKUP!AG12:AG14, AG112:AG113: range operators chained, intersections, and none
    ("=ROW(C114:E114:G113:I114 E113:F113)", 113), ("=COLUMN(C14:E14:G13:I14 E13:F13)", [[5.0, 6.0]]),
    ("=COLUMN(C12:E13 F12:H13)", NULL), ("=COLUMN(C12:E13 D13:F13)", [[4.0, 5.0]]),
    ("=COLUMN(Z12:AA13:AF12:AF13 AB13:AD14)", [[28.0, 29.0, 30.0]]), ("=SUM(A1:A2:B3)", 3),
])
def test_areas_and_reference_operators_as_excel(formula, expected):
    assert evaluate({"A1": 1, "B3": 2}, formula) == expected


INDEX_GRID = {"C52": -1.1, "D52": 2.1, "E52": 3, "C53": -2, "D53": 1.1, "E53": 2, "C54": -2.9, "D54": 0.1, "E54": 1}


@pytest.mark.parametrize("formula, expected", [
    # formulas test.xlsx LOOKUP!R52:AU54: areas of a union, arrays of indexes lifted element by element
    ("=INDEX((C52:C54,D52:D54),2,1,2)", 1.1), ("=INDEX((C52:C54,D52:D54),1,1,3)", REF),
    ("=INDEX((C52:C54,D52:D54),1,1,{3;2;1})", [[REF], [2.1], [-1.1]]),
    ("=INDEX((C52:C54,D52:D54),{3;2;1},1,{3;2;1})", [[REF], [1.1], [-1.1]]),
    ("=INDEX({2,3;4,5},{1,2})", [[2.0, 4.0]]), ("=INDEX({2,3;4,5},{1})", 2.0),
    ("=INDEX({2,3;4,5},{3;2;1})", [[REF], [4.0], [2.0]]), ("=INDEX({2,3,4,5},1,1,1/0)", DIV0),
    # a range of rows and columns needs a row and a column (an array gives the whole row)
    ("=INDEX({1,2;3,4},,2)", [[2.0], [4.0]]), ("=INDEX({1,2;3,4},,3)", REF),  # pycel lookup.xlsx Index!H41:J42
    ("=INDEX(C52:E53,2)", REF), ("=INDEX(C52:E53,-1)", VALUE), ("=INDEX({2,3;4,5},2)", [[4.0, 5.0]]),
    # koala advanced.xlsx: a range between two INDEX references
    ("=SUM(INDEX(C52:E52,1,1):INDEX(C52:E52,1,3))", 4.0), ("=SUM(INDEX(C52:E54,2,1):INDEX(C52:E54,3,2))", -3.7),
    ('="a):B("&SUM(OFFSET(C52,0,0):OFFSET(C52,0,2))', "a):B(4"),
])
def test_index_of_areas_and_arrays_as_excel(formula, expected):
    got = evaluate(INDEX_GRID, formula)
    assert got == (pytest.approx(expected) if isinstance(expected, float) else expected)


def test_index_ranges_inside_their_own_list_are_no_circular_reference(tmp_path):
    # koala advanced.xlsx B17:G17: each cell sums the list up to the cell before it, the list
    # holding the cells themselves (Excel computes it; only the cells INDEX returns are read)
    cells = {"A1": 1, "B1": "=A1+1", "C1": "=B1+1", "D1": "=C1+1", "A2": 30}
    cells.update({c + "2": "=SUM(INDEX($A$2:$D$2,1,1):INDEX($A$2:$D$2,1,%s1-1))" % c for c in "BCD"})
    src = make_book(tmp_path / "in.xlsx", {"S": cells})
    assert recalculate(src, tmp_path / "out.xlsx").ok
    got = values(tmp_path / "out.xlsx")["S"]
    assert [got[c + "2"] for c in "BCD"] == [30, 60, 120]


def test_a_range_to_a_defined_name(tmp_path):
    # formulas test.xlsx CORE!D9: SUM(B2:E5:f), f a name for G2:H5, is the sum of B2:H5
    cells = {"B2": 1, "H5": 2, "D3": 4, "A1": "=SUM(B2:E5:f)", "A2": "=ROWS(C3:f)"}
    src = make_book(tmp_path / "in.xlsx", {"S": cells}, names={"f": "S!$G$2:$H$5"})
    assert recalculate(src, tmp_path / "out.xlsx").ok
    got = values(tmp_path / "out.xlsx")["S"]
    assert (got["A1"], got["A2"]) == (7, 4)  # C3:f is C2:H5


def test_an_array_of_lookups_into_several_columns_keeps_each_rows_first_value():
    # an array of rows is an array of arrays: each element keeps its first value, never a crash
    cells = {"A1": 1, "A2": 2, "B1": "a", "B2": "b", "C1": "c", "C2": "d"}
    assert evaluate(cells, '=XLOOKUP({2;1;3},A1:A2,B1:C2,"none")') == [["b"], ["a"], ["none"]]
    assert evaluate(cells, "=XLOOKUP(2,A1:A2,B1:C2)") == [["b", "d"]]


def test_if_not_found_of_another_size_is_na_beyond_the_lookups():
    cells = {"A1": "abc", "A2": 5, "A3": True}
    assert evaluate(cells, '=XLOOKUP({1;5},A1:A3,A1:A3,{"n";"m";"o"})') == [["n"], [5.0], [NA]]


def test_item_keys_of_a_mixed_array_are_each_items_lookup_key():
    import numpy as np

    from xl_kpi.recalc.functions.matching import item_keys, lookup_key
    from xl_kpi.recalc.values import BOOL, EMPTY, ERR, NUM, STR

    kinds = np.array([NUM, STR, BOOL, EMPTY, ERR, STR, NUM], np.uint8)
    nums = np.array([2.5, 0.0, 1.0, 0.0, 7.0, 0.0, -1.0])
    texts = np.array([None, "Straße", None, None, None, "ABC", None], object)
    for fold in (str.casefold, str.lower):
        expected = [None if k == ERR else lookup_key(k, x, t, fold) for k, x, t in zip(kinds, nums, texts)]
        assert item_keys(kinds, nums, texts, fold) == expected
    assert item_keys(np.array([NUM, NUM]), np.array([1.0, 2.0]), None) == [(0, 1.0), (0, 2.0)]
