"""Wildcard criteria in polynomial time, and Excel's 32,767-character limit on text.

Expected values: Microsoft Support, "COUNTIF function" (``"*es"`` and ``"?????es"`` over apples,
oranges, peaches, apples: 4 and 2; ``~`` escapes a wildcard), "Excel specifications and
limits" (a cell holds at most 32,767 characters), and the CONCAT, TEXTJOIN and REPT pages (a
result longer than that is ``#VALUE!``).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from test_recalc_support import make_book, values

from xl_kpi.excel_errors import ExcelError
from xl_kpi.recalc import evaluate
from xl_kpi.recalc.functions.criteria import Wildcard

ROOT = Path(__file__).resolve().parents[1]
VALUE = ExcelError("#VALUE!")
FRUIT = {"A2": "apples", "A3": "oranges", "A4": "peaches", "A5": "apples"}


@pytest.mark.parametrize("formula, expected", [
    ('=COUNTIF(A2:A5,"*es")', 4),
    ('=COUNTIF(A2:A5,"?????es")', 2),
    ('=COUNTIF(A2:A5,"*")', 4),
    ('=COUNTIF(A2:A5,"APP*")', 2),  # without case
    ('=COUNTIF(A2:A5,"<>*ch*")', 3),
    ('=MATCH("p*s",A2:A5,0)', 3),
])
def test_microsoft_countif_wildcard_examples(formula, expected):
    assert evaluate(FRUIT, formula) == expected


@pytest.mark.parametrize("pattern, text, hit", [
    ("a?c", "abc", True), ("a?c", "ac", False), ("*", "", True), ("?", "", False),
    ("~*", "*", True), ("~*", "x", False), ("a~?b", "a?b", True), ("~~a", "~a", True), ("a~", "a~", True),
    ("ab*ba", "aba", False), ("ab*ba", "abba", True), ("*x*y*", "axbyc", True), ("*x*y*", "aybxc", False),
    ("??*??", "abcd", True), ("??*??", "abc", False), ("*a?c*", "zzabxcabcz", True), ("*.xlsx", "Q1.XLSX", True),
])
def test_wildcard_matcher(pattern, text, hit):
    assert Wildcard(pattern).fullmatch(text) is hit


def test_a_pattern_that_made_the_regex_backtrack_is_matched_at_once():
    # COUNTIF(A1,"*a*a*a*a*b") over 200 "a": 31 s with a backtracking regular expression. Run in
    # a child process with a generous bound, so a regression fails instead of hanging the suite.
    code = textwrap.dedent("""
        from xl_kpi.recalc import evaluate
        cells = {"A1": "a" * 200, "A2": "a" * 5000 + "b"}
        assert evaluate(cells, '=COUNTIF(A1,"*a*a*a*a*b")') == 0
        assert evaluate(cells, '=COUNTIF(A2,"*a*a*a*a*b")') == 1
        assert evaluate(cells, '=COUNTIF(A1:A2,"*a?a*a*a*a*a*a*a*a*a*a*a*b")') == 1
    """)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, timeout=60, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("formula, expected", [
    ('=LEN(REPT("a",32767))', 32767),
    ('=REPT("ab",16384)', VALUE),
    ('=REPT("a",20000)&REPT("b",20000)', VALUE),
    ('=CONCAT(REPT("a",20000),REPT("b",20000))', VALUE),
    ('=TEXTJOIN(",",TRUE,REPT("a",20000),REPT("b",20000))', VALUE),
    ('=SUBSTITUTE(REPT("a",20000),"a","aa")', VALUE),
    ('=LEN(SUBSTITUTE(REPT("a",20000),"a","b"))', 20000),
    ('=SUBSTITUTE("aXbXc","X","--",2)', "aXb--c"),
    ('=TEXTJOIN(", ",TRUE,"a","","b")', "a, b"),
    ('=TEXTJOIN("-",FALSE,"a","","b")', "a--b"),
])
def test_text_longer_than_excel_allows_is_value_error(formula, expected):
    assert evaluate({}, formula) == expected


def test_text_doubling_down_a_column_stops_at_the_limit(tmp_path):
    # A2=A1&A1 down 30 rows reached 4 GB; Excel gives #VALUE! once a text would pass 32,767
    # characters, and the rows below inherit the error. In a child process, bounded in time.
    cells = {"A1": "ab"}
    for r in range(2, 32):
        cells[f"A{r}"] = f"=A{r - 1}&A{r - 1}"
    src = make_book(tmp_path / "in.xlsx", {"S": cells})
    code = f"from xl_kpi.recalc import recalculate; r = recalculate({str(src)!r}, {str(tmp_path / 'out.xlsx')!r}); " \
           "assert r.ok, r.reason"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, timeout=120, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    got = values(tmp_path / "out.xlsx")["S"]
    assert len(got["A14"]) == 2 ** 14  # row r holds 2^r characters
    assert got["A15"] == "#VALUE!"  # 32,768 would be one too many
    assert got["A31"] == "#VALUE!"
