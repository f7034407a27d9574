"""Date functions against Excel's values (Microsoft's documented examples of each function)."""

import datetime as dt

import pytest

from xl_kpi.excel_errors import NUM, VALUE
from xl_kpi.recalc import evaluate

HOLIDAYS = {"A1": dt.date(2012, 10, 1), "A2": dt.date(2013, 3, 1), "A3": dt.date(2012, 11, 22),
            "A4": dt.date(2012, 12, 4), "A5": dt.date(2013, 1, 21),
            "B1": dt.date(2008, 11, 26), "B2": dt.date(2008, 12, 4), "B3": dt.date(2009, 1, 21)}


@pytest.mark.parametrize("formula, expected", [
    ("=NETWORKDAYS(A1,A2)", 110), ("=NETWORKDAYS(A1,A2,A3)", 109), ("=NETWORKDAYS(A1,A2,A3:A5)", 107),
    ("=NETWORKDAYS.INTL(DATE(2006,1,1),DATE(2006,1,31))", 22), ("=NETWORKDAYS.INTL(DATE(2006,2,28),DATE(2006,1,31))", -21),
    ('=NETWORKDAYS.INTL(DATE(2006,1,1),DATE(2006,2,1),"0010001")', 22),
    ('=NETWORKDAYS.INTL(DATE(2006,1,1),DATE(2006,2,1),"1111111")', VALUE),
    ("=NETWORKDAYS.INTL(DATE(2006,1,1),DATE(2006,2,1),8)", NUM), ("=NETWORKDAYS(TRUE,A2)", VALUE),
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
