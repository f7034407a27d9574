"""Text functions against Excel's values.

Sources: Microsoft's examples (CHAR, CODE, UNICHAR, UNICODE pages) and cells of the corpus
(vinci1it2000/formulas test.xlsx, sheets TEXT and CORE, saved by Excel for Mac).
"""

import pytest
from test_recalc_support import make_book, values

from xl_kpi.excel_errors import DIV0, NA, VALUE, ExcelError
from xl_kpi.recalc import evaluate, recalculate

from corpus import sheet_disagreements


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


@pytest.mark.parametrize("formula, expected", [
    # Microsoft's FIND, FINDB page: "Miriam McGovern"
    ('=FIND("M",A1)', 1.0), ('=FIND("m",A1)', 6.0), ('=FIND("M",A1,3)', 8.0), ('=FIND("x",A1)', VALUE),
    ('=FIND("",A1,4)', 4.0), ('=FIND("M",A1,0)', VALUE), ('=FIND("M",A1,99)', VALUE),
    # the byte variants count characters, as Excel with a single-byte default language
    # (formulas test.xlsx TEXT!S17, X23)
    ('=FINDB("ia","山田太郎ciao",2)', 6.0), ('=LENB("山田太郎ciao")', 8.0), ('=LEFTB("ciao",TRUE)', "c"),
    ('=RIGHTB("ciao",1.9)', "o"), ('=MIDB("ciao",1,2)', "ci"), ('=SEARCHB("A","ciao")', 3.0),
    # Microsoft's REPLACE, REPLACEB page
    ('=REPLACE("abcdefghijk",6,5,"*")', "abcde*k"), ('=REPLACE("2009",3,2,"10")', "2010"),
    ('=REPLACE("123456",1,3,"@")', "@456"), ('=REPLACEB("ciao",10,2,3)', "ciao3"),
    ('=REPLACE("ciao",0,1,"x")', VALUE), ('=REPLACE("ciao",1,-1,"x")', VALUE), ('=REPLACE("ciao",1,1,1/0)', DIV0),
    # Microsoft's CLEAN page; the codes 0-31 only (formulas test.xlsx TEXT!X8)
    ('=CLEAN(CHAR(9)&"Monthly report"&CHAR(10))', "Monthly report"), ('=LEN(CLEAN(CHAR(127)))', 1.0),
    ('=CLEAN(1.5)', "1.5"), ('=CLEAN(B9)', ""),
    # ASC: full-width letters, digits and katakana to half-width; others unchanged
    ('=ASC("ＥＸＣＥＬ　２０２４")', "EXCEL 2024"), ('=ASC("ガ")', "ｶﾞ"), ('=ASC("ciao")', "ciao"), ('=ASC(65.8)', "65.8"),
    # Microsoft's DBCS page ("EXCEL" in full width); JIS is its Japanese name
    ('=DBCS("EXCEL")', "ＥＸＣＥＬ"), ('=JIS("ｶﾞｷ 1")', "ガキ\u3000１"), ('=ASC(DBCS("a b!"))', "a b!"),
    # VALUE: a blank is 0, a logical #VALUE! (formulas test.xlsx TEXT!W53, Y53)
    ('=VALUE(B9)', 0.0), ('=VALUE(TRUE)', VALUE), ('=VALUE("")', VALUE), ('=VALUE("$1,000")', 1000.0),
])
def test_find_replace_clean_and_the_byte_variants(formula, expected):
    assert evaluate({"A1": "Miriam McGovern"}, formula) == expected


@pytest.mark.parametrize("formula, expected", [
    # Microsoft's NUMBERVALUE page
    ('=NUMBERVALUE("2.500,27",",",".")', 2500.27), ('=NUMBERVALUE("3.5%")', 0.035),
    # formulas test.xlsx TEXT rows 27-28 (spaces ignored, parentheses negative, % inside them)
    ('=NUMBERVALUE("(2.500,27)",",",".")', -2500.27), ('=NUMBERVALUE("(2,500.27)",",",".")', VALUE),
    ('=NUMBERVALUE("(2500.27)",".",".,")', VALUE), ('=NUMBERVALUE("(2,500.27%)%",".",",.,")', -0.250027),
    ('=NUMBERVALUE("(,25,,0,0.27E + 6%)%",".",",.,")', -250027.0), ('=NUMBERVALUE(B9)', 0.0),
    ('=NUMBERVALUE("(-2500.27E+2%)%",".",",.,")', VALUE), ('=NUMBERVALUE("- 2500.27%E+2%%",".",",.,")', VALUE),
    ('=NUMBERVALUE("250)027",")")', 250.027), ('=NUMBERVALUE("(2500,27E+6%)%",",")', -250027.0),
    ('=NUMBERVALUE("(2,500.27%)%",",")', VALUE), ('=NUMBERVALUE("1",B9)', VALUE), ('=NUMBERVALUE(TRUE)', VALUE),
    ('=NUMBERVALUE("ciao")', VALUE), ('=NUMBERVALUE(2.3)', 2.3), ('=NUMBERVALUE("-1e3")', -1000.0),
])
def test_numbervalue_reads_text_with_the_given_separators(formula, expected):
    got = evaluate({}, formula)
    assert got == (pytest.approx(expected) if isinstance(expected, float) else expected)


@pytest.mark.parametrize("formula, expected", [
    # Microsoft's VALUETOTEXT and ARRAYTOTEXT pages; formulas test.xlsx TEXT rows 3-4 and 54-55
    ('=VALUETOTEXT("Hello")', "Hello"), ('=VALUETOTEXT("Hello",1)', '"Hello"'), ('=VALUETOTEXT(1234.01234)', "1234.01234"),
    ('=VALUETOTEXT(TRUE,1)', "TRUE"), ('=VALUETOTEXT(1/0)', "#DIV/0!"), ('=VALUETOTEXT(B9,1)', ""),
    ('=VALUETOTEXT(1,"1.99")', "1"), ('=VALUETOTEXT(1,-1)', VALUE), ('=VALUETOTEXT(1,2)', VALUE), ('=VALUETOTEXT(1,"a")', VALUE),
    ('=ARRAYTOTEXT(B1:C2)', "TRUE, #VALUE!, 1234.01234, Seattle"),
    ('=ARRAYTOTEXT(B1:C2,1)', '{TRUE,#VALUE!;1234.01234,"Seattle"}'),
    ('=ARRAYTOTEXT({1,"a""b"},1)', '{1,"a""b"}'), ('=ARRAYTOTEXT(B9,1)', VALUE), ('=ARRAYTOTEXT(B9:B10,0)', ", "),
    ('=ARRAYTOTEXT(B1:C2,0.9)', "TRUE, #VALUE!, 1234.01234, Seattle"), ('=ARRAYTOTEXT(B1,2)', VALUE),
])
def test_values_and_arrays_as_text(formula, expected):
    cells = {"B1": True, "C1": ExcelError("#VALUE!"), "B2": 1234.01234, "C2": "Seattle"}
    assert evaluate(cells, formula) == expected


@pytest.mark.parametrize("formula, expected", [
    # Microsoft's FIXED page
    ("=FIXED(1234.567,1)", "1,234.6"), ("=FIXED(1234.567,-1)", "1,230"), ("=FIXED(-1234.567,-1,TRUE)", "-1230"),
    ("=FIXED(44.332)", "44.33"),
    # formulas test.xlsx TEXT row 18, EXTRA Q3:Q5: 15 significant digits, then zeros; at most 127 decimals
    ('=FIXED("123456789076754345682.2121234567832131341",0)', "123,456,789,076,754,000,000"),
    ('=FIXED("123456789076754345682.2121234567832131341",-128000)', "0"),
    ('=FIXED(1,128)', VALUE), ('=LEN(FIXED(1,127))', 129.0), ('=FIXED(1,"ciao")', VALUE),
    ('=FIXED("123456789076754345682.2121234567832131341","3",2)', "123456789076754000000.000"),
    ('=FIXED(1,2,"1")', VALUE), ('=FIXED(10001,"3","FALSe")', "10,001.000"), ('=FIXED(-0.001)', "0.00"),
    ('=FIXED(B9)', "0.00"), ('=FIXED(1/0)', DIV0),
])
def test_fixed_rounds_and_writes_a_number(formula, expected):
    assert evaluate({}, formula) == expected


@pytest.mark.parametrize("formula, expected", [
    # Microsoft's DOLLAR page
    ("=DOLLAR(1234.567,2)", "$1,234.57"), ("=DOLLAR(1234.567,-2)", "$1,200"), ("=DOLLAR(-1234.567,-2)", "($1,200)"),
    ("=DOLLAR(-0.123,4)", "($0.1230)"), ("=DOLLAR(99.888)", "$99.89"),
    ('=DOLLAR("ciao")', VALUE), ("=DOLLAR(1,128)", VALUE), ("=DOLLAR(A1)", "$0.00"), ("=DOLLAR(1/0)", DIV0),
])
def test_dollar_writes_currency(formula, expected):
    assert evaluate({}, formula) == expected


@pytest.mark.parametrize("formula, expected", [
    # Microsoft's BAHTTEXT page (1234); the rules of written Thai numbers (see bahttext.py);
    # formulas test.xlsx TEXT row 6
    ("=BAHTTEXT(1234)", "หนึ่งพันสองร้อยสามสิบสี่บาทถ้วน"), ("=BAHTTEXT(0)", "ศูนย์บาทถ้วน"),
    ("=BAHTTEXT(157)", "หนึ่งร้อยห้าสิบเจ็ดบาทถ้วน"), ("=BAHTTEXT(65.8)", "หกสิบห้าบาทแปดสิบสตางค์"),
    ("=BAHTTEXT(-1)", "ลบหนึ่งบาทถ้วน"), ("=BAHTTEXT(TRUE)", "หนึ่งบาทถ้วน"), ('=BAHTTEXT("ciao")', VALUE),
    ("=BAHTTEXT(21)", "ยี่สิบเอ็ดบาทถ้วน"), ("=BAHTTEXT(11.25)", "สิบเอ็ดบาทยี่สิบห้าสตางค์"),
    ("=BAHTTEXT(0.5)", "ห้าสิบสตางค์"), ("=BAHTTEXT(1000000)", "หนึ่งล้านบาทถ้วน"),
    ("=BAHTTEXT(2000000000000)", "สองล้านล้านบาทถ้วน"),
])
def test_bahttext_writes_thai_words(formula, expected):
    assert evaluate({}, formula) == expected


@pytest.mark.parametrize("formula, expected", [
    # Microsoft's TEXTSPLIT page
    ('=TEXTSPLIT("Dakota Lennon Sanchez"," ")', [["Dakota", "Lennon", "Sanchez"]]),
    ('=TEXTSPLIT("1,2,3;4,5,6",",",";")', [["1", "2", "3"], ["4", "5", "6"]]),
    ('=TEXTSPLIT("Do. Or do not. There is no try. -Anonymous",".")',
     [["Do", " Or do not", " There is no try", " -Anonymous"]]),
    ('=TEXTSPLIT("Do. Or do not. There is no try. -Anonymous",{".","-"},,TRUE)',
     [["Do", " Or do not", " There is no try", " ", "Anonymous"]]),
    ('=TEXTSPLIT("1,2,3;4,5",",",";")', [["1", "2", "3"], ["4", "5", NA]]),
    ('=TEXTSPLIT("1,2,3;4,5",",",";",,,"x")', [["1", "2", "3"], ["4", "5", "x"]]),
    # formulas test.xlsx EXTRA!O28: case-insensitive row delimiters, empty rows dropped
    ('=TEXTSPLIT("1,2.3;4,,5AA6.7",{",","."},{";","a"},TRUE,1,"pi")',
     [["1", "2", "3"], ["4", "5", "pi"], ["6", "7", "pi"]]),
    ('=TEXTSPLIT("x","")', VALUE), ('=TEXTSPLIT(B9,",")', VALUE), ('=TEXTSPLIT("a,b",",",,,2)', VALUE),
    ('=TEXTSPLIT("a,b",1/0)', DIV0), ('=TEXTSPLIT("2.3",2.3)', [["", ""]]),
])
def test_textsplit_splits_into_rows_and_columns(formula, expected):
    assert evaluate({}, formula) == expected


def test_substitute_with_a_logical_instance_is_value_error():
    # formulas test.xlsx CORE!AB14: SUBSTITUTE(text, "-1", "", TRUE) is #VALUE!
    assert evaluate({}, '=SUBSTITUTE("a-1","-1","",TRUE)') == VALUE
    assert evaluate({}, '=SUBSTITUTE("a-1-1","-1","",2)') == "a-1"


@pytest.mark.slow
@pytest.mark.parametrize("sheet", ["TEXT", "INFORMATION"])
def test_every_cell_of_formulas_text_and_information_sheets_equals_excel(sheet):
    total, bad = sheet_disagreements("vinci1it2000__formulas/test.xlsx", sheet)
    assert total > 400 and not bad, bad[:10]


@pytest.mark.slow
@pytest.mark.parametrize("name, sheet", [("dgorissen__pycel/text.xlsx", "TextNumbers"),
                                         ("dgorissen__pycel/text.xlsx", "TextDates"),
                                         ("dgorissen__pycel/text.xlsx", "All"),
                                         ("dgorissen__pycel/information.xlsx", "Information")])
def test_every_cell_of_pycels_text_and_information_workbooks_equals_excel(name, sheet):
    total, bad = sheet_disagreements(name, sheet)
    assert total > 20 and not bad, bad[:10]


@pytest.mark.parametrize("formula, expected", [
    # a whole column's blanks still take a delimiter each: past 32,767 characters, #VALUE!
    ('=TEXTJOIN(",",FALSE,A:A)', VALUE), ('=TEXTJOIN(",",TRUE,A:A)', "x,2"), ('=CONCAT(A:A)', "x2"),
    ('=LEN(TEXTJOIN(",",FALSE,1:1))', 16384.0), ('=ARRAYTOTEXT(A:A)', VALUE), ('=LEN(ARRAYTOTEXT(1:1,1))', 16388.0),
])
def test_whole_columns_and_rows_count_their_blanks(formula, expected):
    assert evaluate({"A1": "x", "A2": 2}, formula) == expected


@pytest.mark.parametrize("formula, expected", [
    # Microsoft's PHONETIC page: a range gives its cells' readings joined (left to right, then
    # down), a union of areas #N/A; a text without furigana reads as itself
    ("=PHONETIC(A1)", "Yama"), ("=PHONETIC(A1:D1)", "Yamada"), ("=PHONETIC(A1:D2)", "Yamadax"),
    ("=PHONETIC((A1,B1))", NA), ('=PHONETIC("abc")', "abc"), ("=PHONETIC(C1)", ""), ("=PHONETIC(Z9)", ""),
    ("=PHONETIC(5)", NA), ("=PHONETIC(1/0)", DIV0), ("=PHONETIC(A1:A2)", "Yamax"),
])
def test_phonetic_reads_the_typed_text(formula, expected):
    assert evaluate({"A1": "Yama", "B1": "da", "C1": 5, "D1": True, "A2": "x"}, formula) == expected


def test_phonetic_passes_over_the_results_of_formulas(tmp_path):
    src = make_book(tmp_path / "in.xlsx", {"S": {"A1": "ab", "B1": '="cd"', "C1": "ef", "D1": "=PHONETIC(A1:C1)"}})
    assert recalculate(src, tmp_path / "out.xlsx").ok
    assert values(tmp_path / "out.xlsx")["S"]["D1"] == "abef"
