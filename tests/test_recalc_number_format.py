"""TEXT and Excel's number format language (xl_kpi.recalc.functions.number_format).

Sources: Microsoft's TEXT function page and its "Number format codes" page (the examples of
each, cited per case), cells of formulas' test.xlsx sheet EXTRA (A2:A53, format codes written
to probe Excel) and pycel's text.xlsx (sheets TextNumbers, TextDates), saved by Excel.
"""

import pytest

from xl_kpi.excel_errors import VALUE
from xl_kpi.recalc import evaluate
from xl_kpi.recalc.functions.number_format import format_value

from corpus import sheet_disagreements


@pytest.mark.parametrize("formula, expected", [
    # Microsoft's TEXT page
    ('=TEXT(1234.567,"$#,##0.00")', "$1,234.57"), ('=TEXT(0.285,"0.0%")', "28.5%"),
    ('=TEXT(4.34,"# ?/?")', "4 1/3"), ('=TRIM(TEXT(0.34,"# ?/?"))', "1/3"),
    ('=TEXT(12200000,"0.00E+00")', "1.22E+07"), ('=TEXT(1234,"0000000")', "0001234"),
    ('=TEXT(1234567898,"[<=9999999]###-####;(###) ###-####")', "(123) 456-7898"),
    ('=TEXT(123456,"##0° 00\' 00\'\'")', "12° 34' 56''"), ('=TEXT(DATE(2024,3,5),"MM/DD/YY")', "03/05/24"),
    ('=TEXT(DATE(2024,3,5),"DDDD")', "Tuesday"), ('=TEXT(0.75,"H:MM AM/PM")', "6:00 PM"),
    # Microsoft's "Number format codes" page
    ('=TEXT(1234.59,"####.#")', "1234.6"), ('=TEXT(8.9,"#.000")', "8.900"), ('=TEXT(0.631,"0.#")', "0.6"),
    ('=TEXT(12,"#.0#")', "12.0"), ('=TEXT(1234.568,"#.0#")', "1234.57"), ('=TEXT(44.398,"???.???")', " 44.398"),
    ('=TEXT(102.65,"???.???")', "102.65 "), ('=TEXT(2.8,"???.???")', "  2.8  "), ('=TEXT(12000,"#,###")', "12,000"),
    ('=TEXT(12000,"#,")', "12"), ('=TEXT(12200000,"0.0,,")', "12.2"), ('=TEXT(5.25,"# ???/???")', "5   1/4  "),
    # sections, conditions, text (pycel text.xlsx TextNumbers and TextDates)
    ('=TEXT(-1,"##.00;-  ##.0;""ZERO""")', "-  1.0"), ('=TEXT(0,"##.00;-  ##.0;""ZERO""")', "ZERO"),
    ('=TEXT("X","##.00;-  ##.0;""ZERO"";->@<-@")', "->X<-X"), ('=TEXT(-1,"w;x@")', "-w"),
    ('=TEXT(-1,"")', "-"), ('=TEXT(1,"")', ""), ('=TEXT("Plugh","")', "Plugh"), ('=TEXT(1,"#,#""ZZ""#.0""YY""00@")', VALUE),
    ('=TEXT(2,"[<=1]a;[=2]xx;xcx")', "xx"), ('=TEXT(3,"[<=1]a;[=2]aa;xxx")', "xxx"), ('=TEXT(5,"[Red]0;[Blue]-0")', "5"),
    # digits, literals and thousands separators (formulas test.xlsx EXTRA)
    ('=TEXT(1234578.555,"0cc###,00")', "1,2cc34,579"), ('=TEXT(1234567890,"0,## ##, ##")', "1,234,56 7,8 90"),
    ('=TEXT(1234578.555,"#,##00000000####0### .  # ,0.00.0,00")', "0,000,000,01,234,578 .  5 ,5.50.000"),
    ('=TEXT(1234,"5000700")', "5012734"), ('=TEXT(1.23,"#%%%")', "1230000%%%"), ('=TEXT(10000,"#000000.##")', "010000."),
    ('=TEXT(890123.456789,".#")', "890123.5"), ('=TEXT(890123.456789,"#.###,x,##")', "890123.456x,79"),
    # scientific and engineering notation
    ('=TEXT(12200000,"#######.0E+00")', "1.2E+07"), ('=TEXT(12200000,"0.00E-##")', "1.22E7"),
    ('=TEXT(0.000122,"0.00E+##")', "1.22E-4"), ('=TEXT(12345,"##0.0E+0")', "12.3E+3"),
    ('=TEXT(1,"#,##00000,  ,00 , 0##e+8800######")', VALUE),
    # dates and times (formulas test.xlsx EXTRA A37:A53; pycel text.xlsx TextDates)
    ('=TEXT(130,"m mm mmm mmmm mmmmm mmmmmm mmmmmmm")', "5 05 May May M May May"),
    ('=TEXT(130,"d dd ddd dddd ddddd dddddd")', "9 09 Wed Wednesday Wednesday Wednesday"),
    ('=TEXT(130,"y yy yyy yyyy yyyyyy")', "00 00 1900 1900 1900"), ('=TEXT(130.63332,"h hh hhh hhhh")', "15 15 15 15"),
    ('=TEXT(130.33332,"hm hmm hmmm hmmmm")', "759 759 7May 7May"), ('=TEXT(60,"yyyy-mm-dd")', "1900-02-29"),
    ('=TEXT(-1,"[h]")', "-24"), ('=TEXT(-1,"[h]:m")', VALUE), ('=TEXT(2958466,"[h]")', "71003184"),
    ('=TEXT(2958466,"yy")', VALUE), ('=TEXT(0,"[s].000")', "0.000"), ('=TEXT(1.5,"[h]:mm")', "36:00"),
    ('=TEXT(0.5000115,"hh:mm:ss.00")', "12:00:00.99"),
    # a negative number that rounds to zero keeps its minus (Allen Wyatt, ExcelTips, "Getting Rid
    # of Negative Zero Amounts"); a code of only a text section shows a number as General
    ('=TEXT(-0.004,"0.00")', "-0.00"), ('=TEXT(1234.5,"@")', "1234.5"), ('=TEXT(0,"# ?/?")', "0    "),
    ('=TEXT(0.1,"# ??/??")', "  1/10"),
    # errors and blanks
    ('=TEXT(1/0,"0")', "#DIV/0!"), ('=TEXT(1,1/0)', "#DIV/0!"), ('=TEXT(A9,"0.0")', "0.0"), ('=TEXT(TRUE,"0")', "TRUE"),
    ('=TEXT("12","0.00")', "12.00"), ('=TEXT(1.23,"#""°F""""")', VALUE),
])
def test_text_formats_as_excel(formula, expected):
    assert evaluate({}, formula) == expected


def test_a_number_shows_fifteen_significant_digits():
    assert format_value(123456789076754345682.0, "#,##0") == "123,456,789,076,754,000,000"
    assert format_value(0.1 + 0.2, "0.00000000000000000") == "0.30000000000000000"


@pytest.mark.slow
def test_every_text_cell_of_formulas_extra_sheet_equals_excel():
    total, bad = sheet_disagreements("vinci1it2000__formulas/test.xlsx", "EXTRA")
    assert total > 100
    assert not [b for b in bad if "TEXT(" in b[1]], bad[:10]
