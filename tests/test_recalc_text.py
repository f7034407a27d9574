"""Text functions against Excel's values.

Sources: Microsoft's examples (CHAR, CODE, UNICHAR, UNICODE pages) and cells of the corpus
(vinci1it2000/formulas test.xlsx, sheets TEXT and CORE, saved by Excel for Mac).
"""

import pytest
from test_recalc_support import make_book, values

from xl_kpi.excel_errors import DIV0, NA, VALUE
from xl_kpi.recalc import evaluate, recalculate


@pytest.mark.parametrize("formula, expected", [
    ("=CHAR(65)", "A"), ("=CHAR(33)", "!"), ("=CHAR(65.8)", "A"), ("=CHAR(0)", VALUE), ("=CHAR(256)", VALUE),
    ("=CHAR(TRUE)", "\x01"), ("=CHAR(\"ciao\")", VALUE), ("=CHAR(A1)", VALUE), ("=CHAR(1/0)", DIV0),
    ("=CHAR(128)", "€"), ("=CHAR(233)", "é"), ("=CHAR(157)", "\x9d"),
    ("=CODE(\"A\")", 65), ("=CODE(\"!\")", 33), ("=CODE(\"AB\")", 65), ("=CODE(1.9)", 49), ("=CODE(-1)", 45),
    ("=CODE(TRUE)", 84), ("=CODE(A1)", VALUE), ("=CODE(\"€\")", 128), ("=CODE(\"ˇ\")", 63),
    ("=UNICHAR(66)", "B"), ("=UNICHAR(32)", " "), ("=UNICHAR(157)", "\x9d"), ("=UNICHAR(0)", VALUE),
    ("=UNICHAR(55296)", NA), ("=UNICHAR(TRUE)", "\x01"),
    ("=UNICODE(\"B\")", 66), ("=UNICODE(\"ˇ\")", 711), ("=UNICODE(A1)", VALUE), ("=UNICODE(10)", 49),
])
def test_character_codes_as_windows_excel(formula, expected):
    assert evaluate({}, formula) == expected


def test_char_and_code_use_mac_roman_in_a_workbook_saved_by_excel_for_mac(tmp_path):
    import re
    import zipfile

    src = make_book(tmp_path / "in.xlsx", {"S": {"A1": "=CHAR(157)", "A2": "=CODE(\"ˇ\")", "A3": "=CHAR(255)"}})
    mac = tmp_path / "mac.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(mac, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "docProps/app.xml":
                data = re.sub(rb"<Application>[^<]*</Application>",
                              b"<Application>Microsoft Macintosh Excel</Application>", data)
            zout.writestr(item, data)
    assert recalculate(mac, tmp_path / "out.xlsx").ok
    got = values(tmp_path / "out.xlsx")["S"]
    assert (got["A1"], got["A2"], got["A3"]) == ("ù", 255, "ˇ")  # formulas test.xlsx TEXT!S7, CORE!B286


def test_control_characters_are_written_and_read_as_excel_escapes_them(tmp_path):
    src = make_book(tmp_path / "in.xlsx", {"S": {"A1": "=CHAR(1)&\"_x0041_\"", "A2": "=CHAR(13)",
                                                 "B1": "_x0002_", "B2": "=CODE(B1)"}})
    assert recalculate(src, tmp_path / "out.xlsx").ok
    got = values(tmp_path / "out.xlsx")["S"]  # openpyxl shows Excel's escapes as they are stored
    assert got["A1"] == "_x0001__x005F_x0041_" and got["A2"] == "_x000D_"
    assert got["B2"] == 2  # formulas test.xlsx CORE!C28: CODE of a stored CHAR(2)


RED = "Little Red Riding Hood's red hood"


@pytest.mark.parametrize("formula, expected", [
    # Microsoft's TEXTJOIN and CONCAT examples; TEXTBEFORE/TEXTAFTER by their documented rules
    # (match_mode 0 is case-sensitive, a negative instance counts from the end, match_end)
    ('=TEXTJOIN(", ",TRUE,"The","sun","will","come","up","tomorrow.")', "The, sun, will, come, up, tomorrow."),
    ('=CONCAT("Stream population for ","A"," ","species"," is ",32,"/mile.")', "Stream population for A species is 32/mile."),
    ('=TEXTBEFORE(A1,"Red")', "Little "), ('=TEXTBEFORE(A1,"red")', "Little Red Riding Hood's "),
    ('=TEXTBEFORE(A1,"red",-1)', "Little Red Riding Hood's "), ('=TEXTBEFORE(A1,"red",,1)', "Little "),
    ('=TEXTAFTER(A1,"hood")', ""), ('=TEXTAFTER(A1,"HOOD",1,1)', "'s red hood"),
    ('=TEXTAFTER(A1,"Red")', " Riding Hood's red hood"), ('=TEXTAFTER(A1,"red",2)', NA), ('=TEXTAFTER(A1,"red",-1)', " hood"), ('=TEXTAFTER(A1,"basket",1,0,0,"No match")', "No match"),
    ('=TEXTAFTER(A1,"hood",-1,0,1)', ""), ('=TEXTBEFORE(A1,"x",1,0,1)', RED), ('=TEXTAFTER(A1,"red",0)', VALUE),
    # formulas test.xlsx TEXT rows 10, 44, 46: ranges joined row by row, several delimiters
    ('=CONCAT(B1:B3)', "1TRUEx"), ('=TEXTJOIN(",",FALSE,B1:B4)', "1,TRUE,x,"), ('=TEXTJOIN({",",";"},TRUE,B1:B4)', "1,TRUE;x"),
    ('=TEXTAFTER("1,2,3,4,5,6,7,8",{"3","4"},1.9)', ",4,5,6,7,8"), ('=TEXTAFTER("1,2,3,4,5,6,7,8",{"3","4"},2)', ",5,6,7,8"),
    ('=CONCAT(B1:B3,1/0)', DIV0),
])
def test_joining_and_splitting(formula, expected):
    assert evaluate({"A1": RED, "B1": 1, "B2": True, "B3": "x"}, formula) == expected


@pytest.mark.parametrize("formula, expected", [
    # Microsoft's SEARCH, REPT, EXACT, PROPER, T examples
    ('=SEARCH("e","Statements",6)', 7.0), ('=SEARCH("margin","Profit Margin")', 8.0), ('=SEARCH("p?o","Profit")', 1.0),
    ('=SEARCH("x","abc")', VALUE), ('=SEARCH("a","abc",9)', VALUE), ('=REPT("*-",3)', "*-*-*-"), ('=REPT("-",-1)', VALUE),
    ('=EXACT("word","word")', True), ('=EXACT("Word","word")', False), ('=PROPER("this is a TITLE")', "This Is A Title"),
    ('=PROPER("2-way street")', "2-Way Street"), ('=PROPER("76BudGet")', "76Budget"), ('=T("Rainfall")', "Rainfall"),
    ("=T(19)", ""), ("=T(TRUE)", ""),
])
def test_search_and_friends(formula, expected):
    assert evaluate({}, formula) == expected
