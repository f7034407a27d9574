"""Date functions against Excel's values (Microsoft's documented examples of each function)."""

import datetime as dt

import pytest

from xl_kpi.excel_errors import NA, NUM, VALUE
from xl_kpi.recalc import evaluate

from corpus import sheet_disagreements

HOLIDAYS = {"A1": dt.date(2012, 10, 1), "A2": dt.date(2013, 3, 1), "A3": dt.date(2012, 11, 22),
            "A4": dt.date(2012, 12, 4), "A5": dt.date(2013, 1, 21),
            "B1": dt.date(2008, 11, 26), "B2": dt.date(2008, 12, 4), "B3": dt.date(2009, 1, 21)}


@pytest.mark.parametrize("formula, expected", [
    ("=NETWORKDAYS(A1,A2)", 110), ("=NETWORKDAYS(A1,A2,A3)", 109), ("=NETWORKDAYS(A1,A2,A3:A5)", 107),
    ("=NETWORKDAYS.INTL(DATE(2006,1,1),DATE(2006,1,31))", 22), ("=NETWORKDAYS.INTL(DATE(2006,2,28),DATE(2006,1,31))", -21),
    ('=NETWORKDAYS.INTL(DATE(2006,1,1),DATE(2006,2,1),"0010001")', 22),
    ('=NETWORKDAYS.INTL(DATE(2006,1,1),DATE(2006,2,1),"1111111")', VALUE),
    ("=NETWORKDAYS.INTL(DATE(2006,1,1),DATE(2006,2,1),8)", NUM), ("=NETWORKDAYS(TRUE,A2)", VALUE),
    ("=NETWORKDAYS(A1,A2,1E+308)", NUM), ("=WORKDAY(A1,5,2958466)", NUM),  # a holiday past Excel's last date
    ("=WORKDAY(DATE(2008,10,1),151)", 39933), ("=WORKDAY(DATE(2008,10,1),151,B1:B3)", 39938),
    ("=WORKDAY.INTL(DATE(2012,1,1),30,0)", NUM), ("=WORKDAY.INTL(DATE(2012,1,1),90,11)", 41013),
    ('=WORKDAY.INTL(DATE(2012,1,1),30,17)', 40944), ("=WORKDAY(DATE(2024,6,1),1)", 45446.0),  # a Saturday: Monday
    ("=WORKDAY(DATE(2024,6,1),-1)", 45443.0), ("=WORKDAY(DATE(2024,6,1),0)", 45444.0),
    ("=WEEKDAY(DATE(2008,2,14))", 5), ("=WEEKDAY(DATE(2008,2,14),2)", 4), ("=WEEKDAY(DATE(2008,2,14),3)", 3),
    ("=WEEKDAY(0)", 7), ("=WEEKDAY(1)", 1), ("=WEEKDAY(DATE(2008,2,14),17)", 5), ("=WEEKDAY(DATE(2008,2,14),4)", NUM),
    ("=WEEKDAY(-1)", NUM),
    ('=DATEDIF(DATE(2001,1,1),DATE(2003,1,1),"Y")', 2), ('=DATEDIF(DATE(2001,6,1),DATE(2002,8,15),"D")', 440),
    ('=DATEDIF(DATE(2001,6,1),DATE(2002,8,15),"YD")', 75), ('=DATEDIF(DATE(2001,6,1),DATE(2002,8,15),"MD")', 14),
    ('=DATEDIF(DATE(2001,6,1),DATE(2002,8,15),"YM")', 2), ('=DATEDIF(DATE(2001,6,1),DATE(2002,8,15),"M")', 14),
    ('=DATEDIF(DATE(2003,1,1),DATE(2001,1,1),"Y")', NUM), ('=DATEDIF(DATE(2001,1,1),DATE(2003,1,1),"W")', NUM),
])
def test_microsoft_examples(formula, expected):
    assert evaluate(HOLIDAYS, formula) == expected


@pytest.mark.parametrize("formula, expected", [
    ("=TIME(12,0,0)", 0.5), ("=TIME(16,48,10)", pytest.approx(0.700115741, abs=1e-9)), ("=TIME(27,0,0)", 0.125),
    ("=TIME(-1,0,0)", NUM), ('=DAYS(DATE(2021,3,15),DATE(2021,2,1))', 42.0), ("=DAYS(DATE(2021,12,31),DATE(2021,1,1))", 364.0),
    ("=WEEKNUM(DATE(2012,3,9))", 10.0), ("=WEEKNUM(DATE(2012,3,9),2)", 11.0), ("=ISOWEEKNUM(DATE(2012,3,9))", 10.0),
    ("=WEEKNUM(DATE(2021,1,1),21)", 53.0), ("=WEEKNUM(DATE(2012,3,9),3)", NUM), ("=STANDARDIZE(42,40,1.5)", pytest.approx(4 / 3)),
])
def test_time_and_weeks(formula, expected):
    assert evaluate({}, formula) == expected


# -- text read as dates and times, Analysis ToolPak arguments, YEARFRAC -------------------------

TEXTS = {"A1": "1/1/1987 05:00 AM", "A2": "26/08/1987", "A3": "3", "A4": True, "A5": 0.44, "A6": -1,
         "B1": 31778.0, "B2": 31809.0}


@pytest.mark.parametrize("formula, expected", [
    # a date-time text is read as Excel reads it, wherever a number is expected
    ("=WEEKDAY(A1)", 5.0), ("=ISOWEEKNUM(A1)", 1.0), ("=A1+0", 31778.208333333332), ("=A2+0", 32015.0),
    ("=EDATE(0.7,A1)", 967223.0), ('=DATEVALUE(A1)', 31778.0), ('=DATEVALUE("1-Jan-1987")', 31778.0),
    ("=TIMEVALUE(A1)", 0.20833333333212067),  # the fraction of the whole serial, as Excel computes it
    ('=TIMEVALUE("2:24 AM")', 0.1), ('=TIMEVALUE("22-Aug-2011 6:35 AM")', pytest.approx(0.27430556, abs=1e-8)),
    ('=DATEVALUE("8/22/2011")', 40777.0), ('=DATEVALUE("22-MAY-2011")', 40685.0),  # Microsoft's examples
    ("=DATEVALUE(B1)", VALUE), ("=DATEVALUE(A4)", VALUE), ("=TIMEVALUE(1987)", VALUE), ('=DATEVALUE("ciao")', VALUE),
    # HOUR, MINUTE, SECOND: the time of day to the second; text, logicals and blanks read as numbers
    ("=HOUR(A5)", 10.0), ("=MINUTE(A5)", 33.0), ("=SECOND(A5)", 36.0), ("=HOUR(A6)", NUM), ("=HOUR(A3)", 0.0),
    ("=HOUR(A4)", 0.0), ('=HOUR("3:30:30 PM")', 15.0), ('=MINUTE("15:48:00")', 48.0), ("=SECOND(TIME(4,48,18))", 18.0),
    # Analysis ToolPak functions: a logical or a reference to several cells is #VALUE!
    ("=WEEKNUM(A4)", VALUE), ("=EDATE(A4,1)", VALUE), ("=EOMONTH(B1:B2,1)", VALUE), ("=EDATE(B1:B2,1)", VALUE),
    ("=YEARFRAC(B1:B2,B2)", VALUE), ("=YEARFRAC(A4,B2)", VALUE), ("=EDATE(B1:B2+0,1)", [[31809.0], [31837.0]]),
    # serial 0 is 1900-01-00 and 60 is 1900-02-29, in Excel's calendar
    ("=EOMONTH(0,0)", 31.0), ("=EOMONTH(0,1)", 60.0), ("=EDATE(31,1)", 60.0), ("=EDATE(0,0)", 0.0),
    ("=EOMONTH(DATE(2011,1,1),1)", 40602.0), ("=EOMONTH(DATE(2011,1,1),-3)", 40482.0),
    ("=EDATE(DATE(2011,1,15),-1)", 40527.0), ("=EDATE(DATE(2011,1,31),1)", 40602.0),
    ('=DATEDIF(TRUE,"-1","YD")', NUM),  # DATEDIF is no ToolPak function: TRUE is 1, then start > end
])
def test_text_dates_and_toolpak_arguments(formula, expected):
    assert evaluate(TEXTS, formula) == expected


@pytest.mark.parametrize("formula, expected", [
    ("=YEARFRAC(DATE(2012,1,1),DATE(2012,7,30))", pytest.approx(0.58055556, abs=1e-8)),  # Microsoft's example
    ("=YEARFRAC(DATE(2012,1,1),DATE(2012,7,30),1)", pytest.approx(0.57650273, abs=1e-8)),
    ("=YEARFRAC(DATE(2012,1,1),DATE(2012,7,30),3)", pytest.approx(0.57808219, abs=1e-8)),
    ("=YEARFRAC(DATE(2012,7,30),DATE(2012,1,1))", pytest.approx(0.58055556, abs=1e-8)),  # either order
    ("=YEARFRAC(1987,345,1)", 4.496576905522592),  # 1900 counts 365 days in the average year length
    ("=YEARFRAC(DATE(2011,2,28),DATE(2012,2,29),0)", 1.0),  # the last days of February are day 30
    ("=YEARFRAC(DATE(2011,1,31),DATE(2011,3,31),4)", pytest.approx(60 / 360)),
    ("=YEARFRAC(1,2,5)", NUM), ("=YEARFRAC(-1,2)", NUM), ('=YEARFRAC(1,345,"3")', 344 / 365),
    ("=YEARFRAC(1/0,200,-1)", NUM), ("=YEARFRAC(1/0,200,NA())", NA),  # the basis is read first
])
def test_yearfrac_day_counts(formula, expected):
    assert evaluate({}, formula) == expected


@pytest.mark.slow
def test_every_date_and_time_cell_of_formulas_test_workbook_equals_excel():
    total, bad = sheet_disagreements("vinci1it2000__formulas/test.xlsx", "DATE & TIME")
    assert total > 500 and not bad, bad[:10]
