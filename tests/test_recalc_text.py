"""Text functions against Excel's values.

Sources: Microsoft's examples (CHAR, CODE, UNICHAR, UNICODE pages) and cells of the corpus
(vinci1it2000/formulas test.xlsx, sheets TEXT and CORE, saved by Excel for Mac).
"""

import pytest

from xl_kpi.excel_errors import DIV0, NA, VALUE
from xl_kpi.recalc import evaluate, recalculate

from test_recalc_support import make_book, values


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
