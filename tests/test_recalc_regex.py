"""REGEXTEST, REGEXEXTRACT, REGEXREPLACE against Excel's values.

Sources: Microsoft's REGEXTEST, REGEXEXTRACT and REGEXREPLACE pages (their phone-number and name
examples) and cells of formulas' test.xlsx (sheets TEXT rows 31-33 and EXTRA I2:P7), saved by
Excel; the PCRE2 spellings Python's re writes differently are translated (regex.py).
"""

import pytest

from xl_kpi.excel_errors import NA, VALUE
from xl_kpi.recalc import evaluate
from xl_kpi.recalc.functions.regex import translate

PHONES = "Sonia Rees    (378) 555-4195\nAngel Brown    (878) 555-8622"


@pytest.mark.parametrize("formula, expected", [
    ('=REGEXTEST("Sonia Brown","[a-z]")', True), ('=REGEXTEST("SONIA","[a-z]")', False),
    ('=REGEXTEST("SONIA","[a-z]",1)', True), ('=REGEXTEST("(378) 555-4195","^\\(\\d{3}\\) \\d{3}-\\d{4}$")', True),
    # formulas test.xlsx TEXT row 33: numbers as text, case_sensitivity 0 or 1 (truncated)
    ('=REGEXTEST(0,"^\\d+$")', True), ('=REGEXTEST(1.9,1.9)', True), ('=REGEXTEST(2.3,"^\\d+$",2)', VALUE),
    ('=REGEXTEST("ciao","^ciaO$",1.9)', True), ('=REGEXTEST(TRUE,"^\\d+$")', False), ('=REGEXTEST(A9,"^\\d+$")', False),
    ('=REGEXTEST(1/0,"x")', "#DIV/0!"), ('=REGEXTEST("x","(")', VALUE),
])
def test_regextest(formula, expected):
    assert evaluate({}, formula) == expected


@pytest.mark.parametrize("formula, expected", [
    ('=REGEXEXTRACT("DylanWilliams","[A-Z][a-z]+")', "Dylan"),
    ('=REGEXEXTRACT("DylanWilliams","[A-Z][a-z]+",1)', [["Dylan", "Williams"]]),
    ('=REGEXEXTRACT(A1,"[0-9()]+ [0-9-]+",1)', [["(378) 555-4195", "(878) 555-8622"]]),
    ('=REGEXEXTRACT(A1,"([0-9()]+) [0-9-]+",2)', "(378)"),
    # formulas test.xlsx EXTRA: no groups in mode 2 is #VALUE!; a group that took no part is #N/A
    ('=REGEXEXTRACT("Sonia Rees (378) 555-4197","[0-9()]+ [0-9-]+",2)', VALUE),
    ('=REGEXEXTRACT("1a2b3c","((\\d)[bc]+|(3c))",2)', [["2b", "2", NA]]),
    ('=REGEXEXTRACT("abc","([ac]+)",1)', [["a", "c"]]), ('=REGEXEXTRACT("x","\\d")', NA),
    ('=REGEXEXTRACT(10,"^\\d+$")', "10"), ('=REGEXEXTRACT("a","a",3)', VALUE),
])
def test_regexextract(formula, expected):
    assert evaluate({"A1": PHONES}, formula) == expected


@pytest.mark.parametrize("formula, expected", [
    ('=REGEXREPLACE("Sonia Brown","([A-Z][a-z]+) ([A-Z][a-z]+)","$2, $1")', "Brown, Sonia"),
    ('=REGEXREPLACE("(378) 555-4195","[0-9]{3}-","***-")', "(378) ***-4195"),
    ('=REGEXREPLACE("a1b2c3","[0-9]","#",2)', "a1b#c3"), ('=REGEXREPLACE("a1b2c3","[0-9]","#",-1)', "a1b2c#"),
    ('=REGEXREPLACE("a1b2c3","[0-9]","#",9)', "a1b2c3"), ('=REGEXREPLACE("ab","(?<x>a)","${x}${x}")', "aab"),
    ('=REGEXREPLACE("5","5","$$")', "$"), ('=REGEXREPLACE(0,"^\\d+$","pi")', "pi"),
    ('=REGEXREPLACE(10,"^\\d+$",TRUE)', "TRUE"), ('=REGEXREPLACE(A9,"^\\d+$","pi")', ""),
])
def test_regexreplace(formula, expected):
    assert evaluate({}, formula) == expected


@pytest.mark.parametrize("pcre, python", [
    ("(?<year>\\d{4})", "(?P<year>\\d{4})"), ("(a)\\k<a>", "(a)(?P=a)"), ("x\\z", "x\\Z"),
    ("[[:digit:]]+", "[0-9]+"), ("\\Q1+1\\E", "1\\+1"), ("\\d\\.", "\\d\\."),
])
def test_pcre_spellings_are_translated(pcre, python):
    assert translate(pcre) == python


def test_an_array_of_texts_gives_the_first_match_of_each():
    # formulas test.xlsx EXTRA!J3:J4: REGEXEXTRACT(H2:H3, pattern, G2:G3) keeps each top-left value
    got = evaluate({"A1": "ab 12", "A2": "cd 34"}, '=REGEXEXTRACT(A1:A2,"\\d+",{1;2})')
    assert got == [["12"], [VALUE]]


def test_a_pattern_that_backtracks_without_end_is_value_error_not_a_hang(monkeypatch):
    from xl_kpi.recalc.functions import regex

    monkeypatch.setattr(regex, "MATCH_SECONDS", 0.2)
    assert evaluate({"A1": "a" * 60 + "b"}, '=REGEXTEST(A1,"(a|aa)+$")') == VALUE
    assert evaluate({"A1": "a" * 60 + "b"}, '=REGEXTEST(A1,"a+b$")') is True


def test_the_match_budget_holds_outside_the_main_thread(monkeypatch):
    # a Dask worker runs its tasks in threads, where no timer signal can be set
    import threading

    from xl_kpi.recalc.functions import regex

    monkeypatch.setattr(regex, "MATCH_SECONDS", 0.2)
    got = []
    worker = threading.Thread(target=lambda: got.append(
        evaluate({"A1": "a" * 60 + "b"}, '=REGEXEXTRACT(A1,"(a|aa)+$")')))
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive() and got == [VALUE]


@pytest.mark.parametrize("formula, expected", [
    ('=REGEXEXTRACT("123 abcé","\\p{L}+")', "abcé"),  # Unicode properties
    ('=REGEXEXTRACT("x(a(b)c)y","\\((?:[^()]|(?R))*\\)")', "(a(b)c)"),  # recursion
    ('=REGEXEXTRACT("price: 42 EUR","price: \\K\\d+")', "42"),  # \K resets the match start
])
def test_pcre_features_of_the_regex_library(formula, expected):
    assert evaluate({}, formula) == expected
