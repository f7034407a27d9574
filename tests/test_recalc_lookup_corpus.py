"""The lookup, reference and criteria rows of formulas' test.xlsx compute as Excel did.

The workbook (vinci1it2000/formulas, saved by Excel) lays out one function per row, called on
single cells and on ranges and arrays; each formula cell carries the value Excel computed. The
workbook is recalculated once from a copy without those values and every formula cell of the
rows below must equal Excel's (see ``corpus.agree``). Read at test time; skipped when the
real-world corpus is absent.
"""

from __future__ import annotations

import pytest

from corpus import agree, corpus_dir, read_cells, strip_cached_values

BOOK = (corpus_dir() / "vinci1it2000__formulas" / "test.xlsx") if corpus_dir() else None
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(BOOK is None or not BOOK.exists(), reason="the real-world corpus is absent")]

ROWS = {
    "ADDRESS, AREAS, CHOOSE, CHOOSECOLS/ROWS, COLUMN(S), DROP, EXPAND": ("LOOKUP", 3, 21),
    "HLOOKUP, HSTACK, INDEX of areas and arrays, INDIRECT, LOOKUP, MATCH": ("LOOKUP", 44, 91),
    "ROW(S) of range operators, SORT(BY), TAKE, TOCOL/TOROW, TRANSPOSE": ("LOOKUP", 112, 134),
    "VLOOKUP, VSTACK, WRAPCOLS/ROWS, XLOOKUP, XMATCH": ("LOOKUP", 143, 197),
    "XMATCH of every match mode, the regular expression's included": ("EXTRA", 73, 77),
    "SUMIF, SUMIFS": ("MATH & TRIG", 73, 74),
    "AVERAGEIF, AVERAGEIFS": ("STATISTICAL", 6, 7),
    "COUNTIF, COUNTIFS": ("STATISTICAL", 24, 25),
    "MAXIFS": ("STATISTICAL", 64, 64),
    "MINIFS": ("STATISTICAL", 68, 68),
}


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    from xl_kpi.recalc import recalculate

    work = tmp_path_factory.mktemp("formulas")
    stripped, out = work / "stripped.xlsx", work / "out.xlsx"
    strip_cached_values(BOOK, stripped)
    report = recalculate(stripped, out)
    assert report.ok, report.reason
    cells, excel = read_cells(BOOK)
    _, ours = read_cells(out)
    return cells, excel, ours


@pytest.mark.parametrize("what", list(ROWS))
def test_rows_equal_excel(recalculated, what):
    cells, excel, ours = recalculated
    sheet, first, last = ROWS[what]
    checked, wrong = 0, []
    for key, cell in cells.items():
        if key[0] != sheet or not first <= key[1] <= last or key not in excel:
            continue
        checked += 1
        if not agree(excel[key], ours.get(key)):
            wrong.append((cell.address, cell.formula, excel[key], ours.get(key)))
    assert checked > 0
    assert not wrong, f"{len(wrong)} of {checked} cells differ, first: {wrong[:3]}"


def test_the_oracle_reads_the_errors_excel_saves_as_rich_values(recalculated):
    # DROP of every row is #CALC!: Excel stores <v>#VALUE!</v> with vm= pointing to a rich error
    # of errorType 13 (xl/metadata.xml, xl/richData); corpus.read_cells resolves it
    _, excel, ours = recalculated
    assert excel[("LOOKUP", 16, 21)] == ("e", "#CALC!") == ours[("LOOKUP", 16, 21)]
    assert excel[("LOOKUP", 6, 34)] == ("e", "#VALUE!")  # AH6: a plain #VALUE!, no rich value
