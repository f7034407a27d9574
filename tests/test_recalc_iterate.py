"""Iterative calculation, Excel's stored values kept where xl-kpi cannot compute, odd parts.

Workbooks are written as raw SpreadsheetML (as Excel saves them: formulas with cached values,
``<calcPr iterate="1">``, externalLink parts), since openpyxl writes no cached values.
"""

from __future__ import annotations

import json
import math
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from xl_kpi.cli import main
from xl_kpi.recalc import recalculate

from corpus import corpus_dir, read_cells

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' \
     'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def _cell(ref: str, spec) -> str:
    """``spec``: a number/str/bool constant, or ("=formula", cached value or None[, extra f attrs])."""
    if not isinstance(spec, tuple):
        if isinstance(spec, bool):
            return f'<c r="{ref}" t="b"><v>{int(spec)}</v></c>'
        if isinstance(spec, str):
            return f'<c r="{ref}" t="inlineStr"><is><t>{escape(spec)}</t></is></c>'
        return f'<c r="{ref}"><v>{spec}</v></c>'
    formula, cached, *attrs = spec
    fattrs = (" " + attrs[0]) if attrs else ""
    f = f"<f{fattrs}>{escape(formula[1:])}</f>" if formula else f"<f{fattrs}/>"
    if cached is None:
        return f'<c r="{ref}">{f}</c>'
    if isinstance(cached, bool):
        return f'<c r="{ref}" t="b">{f}<v>{int(cached)}</v></c>'
    if isinstance(cached, str) and cached.startswith("#"):
        return f'<c r="{ref}" t="e">{f}<v>{cached}</v></c>'
    if isinstance(cached, str):
        return f'<c r="{ref}" t="str">{f}<v>{escape(cached)}</v></c>'
    return f'<c r="{ref}">{f}<v>{cached}</v></c>'


def _row_of(ref: str) -> int:
    return int("".join(ch for ch in ref if ch.isdigit()))


def raw_book(path: Path, sheets: dict[str, dict[str, object]], *, calc: str = "", external: str | None = None,
             external_target: str = "Source.xlsx") -> Path:
    """A minimal .xlsx as Excel writes it; ``calc`` holds ``<calcPr>`` attributes."""
    names = list(sheets)
    ct = ['<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>']
    rels = ['<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">']
    with zipfile.ZipFile(path, "w") as z:
        for i, name in enumerate(names, 1):
            rows: dict[int, list[str]] = {}
            for ref, spec in sheets[name].items():
                rows.setdefault(_row_of(ref), []).append(_cell(ref, spec))
            body = "".join(f'<row r="{r}">{"".join(cells)}</row>' for r, cells in sorted(rows.items()))
            z.writestr(f"xl/worksheets/sheet{i}.xml", f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}>'
                       f"<sheetData>{body}</sheetData></worksheet>")
            ct.append(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
                      'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
            rels.append(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                        f'relationships/worksheet" Target="worksheets/sheet{i}.xml"/>')
        ext_ref = ""
        if external is not None:
            rels.append('<Relationship Id="rIdX" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                        'relationships/externalLink" Target="externalLinks/externalLink1.xml"/>')
            z.writestr("xl/externalLinks/externalLink1.xml", f'<?xml version="1.0" encoding="UTF-8"?>'
                       f'<externalLink {NS}><externalBook r:id="rId1">{external}</externalBook></externalLink>')
            z.writestr("xl/externalLinks/_rels/externalLink1.xml.rels",
                       '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                       'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                       f'officeDocument/2006/relationships/externalLinkPath" Target="{external_target}" '
                       'TargetMode="External"/></Relationships>')
            ext_ref = '<externalReferences><externalReference r:id="rIdX"/></externalReferences>'
        sheet_els = "".join(f'<sheet name="{escape(n)}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(names, 1))
        z.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?><workbook {NS}><sheets>{sheet_els}'
                   f'</sheets>{ext_ref}<calcPr calcId="191029" {calc}/></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", "".join(rels) + "</Relationships>")
        z.writestr("_rels/.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
                   'openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
                   "</Relationships>")
        z.writestr("[Content_Types].xml", "".join(ct) + "</Types>")
    return path


def run(tmp_path, sheets, **kw):
    src = raw_book(tmp_path / "in.xlsx", sheets, **kw)
    out = tmp_path / "out.xlsx"
    report = recalculate(src, out)
    got = {}
    if report.ok:
        _, cells = read_cells(out)
        got = {f"{s}!{_letters(c)}{r}": v[1] for (s, r, c), v in cells.items()}
    return got, report


def _letters(c: int) -> str:
    out = ""
    while c:
        c, rem = divmod(c - 1, 26)
        out = chr(65 + rem) + out
    return out


ITERATE = 'iterate="1" iterateCount="100" iterateDelta="0.000001"'

# ---------------------------------------------------------------------------------------------
# iterative calculation


def test_interest_on_average_debt_converges_to_the_fixed_point(tmp_path):
    """Interest = rate x (opening + closing debt) / 2, closing = opening + interest - repayment."""
    sheets = {"Model": {"B1": 1000, "B2": 0.08, "B3": 100,
                        "B4": ("=B2*(B1+B5)/2", 0), "B5": ("=B1+B4-B3", 0)}}
    got, report = run(tmp_path, sheets, calc=ITERATE)
    assert report.ok, report.reason
    # i = r (2o + i - p) / 2  =>  i = r (2o - p) / (2 - r)
    expected = 0.08 * (2 * 1000 - 100) / (2 - 0.08)
    assert got["Model!B4"] == pytest.approx(expected, abs=1e-5)
    assert got["Model!B5"] == pytest.approx(1000 + expected - 100, abs=1e-5)
    [it] = report.iterations
    assert it["converged"] and 1 < it["iterations"] < 100 and it["size"] == 2
    assert set(it["cells"]) == {"Model!B4", "Model!B5"}


def test_goal_seek_loop_finds_the_root(tmp_path):
    """A Newton step on itself: x <- x - (x^2 - 2) / (2x) settles on sqrt(2)."""
    got, report = run(tmp_path, {"S": {"A1": ("=IF(A1=0,1,A1-(A1^2-2)/(2*A1))", 0)}}, calc=ITERATE)
    assert report.ok
    assert got["S!A1"] == pytest.approx(math.sqrt(2), rel=1e-9)
    assert report.iterations[0]["converged"]


def test_iteration_starts_from_the_stored_values(tmp_path):
    """A model saved converged needs one iteration to confirm it, and its value stays."""
    got, report = run(tmp_path, {"S": {"A1": ("=IF(A1=0,1,A1-(A1^2-2)/(2*A1))", math.sqrt(2))}}, calc=ITERATE)
    assert report.iterations[0]["iterations"] == 1
    assert got["S!A1"] == pytest.approx(math.sqrt(2), rel=1e-12)


def test_a_loop_that_does_not_converge_stops_at_iterate_count_and_says_so(tmp_path):
    got, report = run(tmp_path, {"S": {"A1": ("=A1+1", 5)}}, calc='iterate="1" iterateCount="10"')
    assert report.ok
    assert got["S!A1"] == 15  # ten iterations from the stored 5, as Excel leaves it
    [it] = report.iterations
    assert it == {"cells": ["S!A1"], "size": 1, "iterations": 10, "converged": False, "max_change": 1.0}


def test_each_iteration_calculates_the_cycle_in_sheet_order_from_the_previous_values(tmp_path):
    """A1 = 1 + A2, A2 = 1 + A1, ten iterations from blank: A1 is calculated first in each one
    (1, 3, 5, ...) and A2 reads it (2, 4, 6, ...)."""
    got, report = run(tmp_path, {"S": {"A1": ("=1+A2", None), "A2": ("=1+A1", None)}},
                      calc='iterate="1" iterateCount="10"')
    assert (got["S!A1"], got["S!A2"]) == (19, 20)
    assert report.iterations[0]["iterations"] == 10 and not report.iterations[0]["converged"]


def test_iteration_stops_when_every_change_is_below_the_maximum_change(tmp_path):
    """Excel goes on while a change is greater than or equal to the maximum change (KB Q177856)."""
    _, report = run(tmp_path, {"S": {"A1": ("=IF(A1>=3,A1,A1+1)", 0)}}, calc='iterate="1" iterateDelta="1"')
    assert report.iterations[0]["iterations"] == 4  # changes 1, 1, 1, then 0


def test_iterate_count_and_delta_default_to_excels(tmp_path):
    got, report = run(tmp_path, {"S": {"A1": ("=A1/2+1", 0)}}, calc='iterate="1"')
    assert report.iterations[0]["converged"]
    assert abs(got["S!A1"] - 2) <= 0.002  # stopped once a change fell under 0.001


def test_without_iteration_a_circular_reference_refuses_the_workbook_naming_cells(tmp_path):
    src = raw_book(tmp_path / "in.xlsx", {"S": {"A1": ("=B1+1", 0), "B1": ("=A1*2", 0)}})
    report = recalculate(src, tmp_path / "out.xlsx")
    assert not report.ok and "circular reference" in report.reason
    assert "S!A1" in report.reason and "S!B1" in report.reason
    assert not (tmp_path / "out.xlsx").exists()


def test_a_cycle_not_taken_at_run_time_is_computed_without_iteration(tmp_path):
    """A "freeze" cell reads itself only when its switch is off, as Excel computes it."""
    sheets = {"S": {"A1": 1, "B1": 42, "C1": ("=IF(A1=1,B1,C1)", 7), "D1": ("=C1*2", 14)}}
    got, report = run(tmp_path, sheets)
    assert report.ok and got["S!C1"] == 42 and got["S!D1"] == 84
    assert report.iterations == []


def test_cells_feeding_a_cycle_in_the_wrong_order_are_reordered(tmp_path):
    """B1 reads C1, which comes later in the same cycle group: calculated again once C1 is final."""
    sheets = {"S": {"A1": 0, "B1": ("=IF(A1=0,C1+1,B1)", 0), "C1": ("=IF(A1=0,5,B1)", 0)}}
    got, report = run(tmp_path, sheets)
    assert report.ok and got["S!C1"] == 5 and got["S!B1"] == 6


def test_strict_exits_1_when_an_iteration_did_not_converge(tmp_path, capsys):
    src = raw_book(tmp_path / "in.xlsx", {"S": {"A1": ("=A1+1", 0)}}, calc='iterate="1" iterateCount="3"')
    assert main(["recalc", str(src), "-o", str(tmp_path / "out.xlsx"), "--strict", "--no-progress"]) == 1
    assert "did not converge" in capsys.readouterr().out


# ---------------------------------------------------------------------------------------------
# kept values


def test_function_excel_has_and_xl_kpi_lacks_keeps_the_stored_value(tmp_path):
    """``_xlfn.`` marks a function Excel added after 2007: Excel's, so its value is kept."""
    sheets = {"S": {"A1": 3, "B1": ("=_xlfn.FUTUREFUNCTION(A1)", 12.5), "C1": ("=B1*2", 0), "D1": ("=A1+1", 0)}}
    got, report = run(tmp_path, sheets)
    assert got["S!B1"] == 12.5 and got["S!C1"] == 25 and got["S!D1"] == 4
    assert report.kept == {"function": 1} and report.kept_cells == {"function": ["S!B1"]}
    assert report.depends_on_kept == 1 and report.depends_on_kept_cells == ["S!C1"]
    assert any("kept Excel's values (function): FUTUREFUNCTION" in i for i in report.issues)


def test_kept_cell_is_left_byte_for_byte(tmp_path):
    sheets = {"S": {"B1": ("=_xlfn.FUTUREFUNCTION(1)", "some text")}}
    src = raw_book(tmp_path / "in.xlsx", sheets)
    recalculate(src, tmp_path / "out.xlsx")
    read = lambda p: zipfile.ZipFile(p).read("xl/worksheets/sheet1.xml")  # noqa: E731
    assert read(src) == read(tmp_path / "out.xlsx")


def test_misspelt_function_excel_does_not_know_is_name_error(tmp_path):
    got, report = run(tmp_path, {"S": {"A1": ("=SUMM(1,2)", "#NAME?")}})
    assert got["S!A1"] == "#NAME?" and report.kept == {}


def test_macro_function_excel_computed_keeps_its_value(tmp_path):
    """A name Excel has no built-in for, computed by Excel: a macro or add-in function."""
    got, report = run(tmp_path, {"S": {"A1": ("=MyVbaRate(2)", 0.25)}})
    assert got["S!A1"] == 0.25 and report.kept == {"function": 1}


def test_pivot_function_is_kept_as_pivot(tmp_path):
    got, report = run(tmp_path, {"S": {"A1": ('=GETPIVOTDATA("Sales",$C$3)', 1234)}})
    assert got["S!A1"] == 1234 and report.kept == {"pivot": 1}


def test_formula_without_a_stored_value_is_computed_as_well_as_possible(tmp_path):
    got, report = run(tmp_path, {"S": {"A1": ("=_xlfn.FUTUREFUNCTION(1)", None)}})
    assert got["S!A1"] == "#NAME?" and report.kept == {}


def test_strict_exits_1_on_kept_cells(tmp_path, capsys):
    src = raw_book(tmp_path / "in.xlsx", {"S": {"A1": ("=_xlfn.FUTUREFUNCTION(1)", 3)}})
    out = tmp_path / "out.xlsx"
    assert main(["recalc", str(src), "-o", str(out), "--no-progress"]) == 0
    assert "1 kept as Excel stored them (function 1)" in capsys.readouterr().out
    assert main(["recalc", str(src), "-o", str(out), "--strict", "--no-progress"]) == 1
    capsys.readouterr()
    assert main(["recalc", str(src), "-o", str(out), "--json", "--no-progress"]) == 0
    [r] = json.loads(capsys.readouterr().out)["workbooks"]
    assert r["kept"] == {"function": 1} and r["kept_cells"] == {"function": ["S!A1"]}


def test_data_table_cells_are_computed_and_feed_dependents(tmp_path):
    # a column table: inputs A2:A3 into A1, formula B1 (see test_recalc_data_tables.py)
    sheets = {"S": {"A1": 2, "A2": 3, "A3": 4, "B1": ("=A1*5", 10),
                    "B2": ("", 99, 'ref="B2:B3" dt2D="0" dtr="0" r1="A1" t="dataTable"'),
                    "B3": 99, "C1": ("=SUM(B2:B3)", 0)}}
    got, report = run(tmp_path, sheets)
    assert got["S!B2"] == 15 and got["S!B3"] == 20 and got["S!C1"] == 35
    assert report.kept == {}


def test_data_table_whose_input_was_deleted_keeps_its_values_and_feeds_dependents(tmp_path):
    sheets = {"S": {"A1": 2, "B2": ("", 10, 'ref="B2:B3" dt2D="0" dtr="0" r1="A1" del1="1" t="dataTable"'),
                    "B3": 20, "C1": ("=SUM(B2:B3)", 0)}}
    got, report = run(tmp_path, sheets)
    assert got["S!B2"] == 10 and got["S!C1"] == 30
    assert report.kept == {"data table": 2}
    assert report.depends_on_kept == 1


# ---------------------------------------------------------------------------------------------
# external links

LINK = ('<sheetNames><sheetName val="Rates"/><sheetName val="Gone"/></sheetNames>'
        '<definedNames><definedName name="Tax" refersTo="=Rates!$A$2"/><definedName name="Empty"/></definedNames>'
        '<sheetDataSet><sheetData sheetId="0"><row r="1"><cell r="A1"><v>0.05</v></cell></row>'
        '<row r="2"><cell r="A2"><v>0.2</v></cell></row><row r="3"><cell r="A3" t="str"><v>EUR</v></cell></row>'
        '</sheetData><sheetData sheetId="1" refreshError="1"/></sheetDataSet>')


def test_external_references_read_the_cached_values_of_the_link(tmp_path):
    sheets = {"S": {"A1": 100, "B1": ("=A1*[1]Rates!$A$1", 0), "B2": ("=SUM([1]Rates!A1:A2)", 0),
                    "B3": ("=[1]Rates!A3", 0), "B4": ("=A1*[1]!Tax", 0), "B5": ("='[Source.xlsx]Rates'!A1*2", 0)}}
    got, report = run(tmp_path, sheets, external=LINK)
    assert got["S!B1"] == pytest.approx(5) and got["S!B2"] == pytest.approx(0.25)
    assert got["S!B3"] == "EUR" and got["S!B4"] == pytest.approx(20) and got["S!B5"] == pytest.approx(0.1)
    assert report.kept == {}


def test_external_sheet_excel_could_not_refresh_is_ref_and_a_name_without_formula_is_name(tmp_path):
    sheets = {"S": {"B1": ("=[1]Gone!A1", "#REF!"), "B2": ("=[1]!Empty", "#NAME?")}}
    got, _ = run(tmp_path, sheets, external=LINK)
    assert got["S!B1"] == "#REF!" and got["S!B2"] == "#NAME?"


def test_a_link_part_beyond_the_part_limit_is_not_parsed_and_its_references_keep_excels_values(tmp_path, monkeypatch):
    from xl_kpi.recalc import package

    monkeypatch.setattr(package, "MAX_TREE_PART", 4000)  # workbook.xml fits, the padded link part not
    got, report = run(tmp_path, {"S": {"A1": 100, "B1": ("=A1*[1]Rates!$A$1", 5)}}, external=LINK + " " * 5000)
    assert report.ok and got["S!B1"] == 5 and report.kept == {"external link": 1}


def test_reference_to_a_link_the_file_does_not_carry_keeps_the_stored_value(tmp_path):
    got, report = run(tmp_path, {"S": {"A1": ("=[3]Sheet1!A1+1", 8)}})
    assert got["S!A1"] == 8 and report.kept == {"external link": 1}


# ---------------------------------------------------------------------------------------------
# odd but valid parts


def test_empty_formula_elements_inside_an_array_range_are_members(tmp_path):
    sheets = {"S": {"A1": True, "A2": False, "D1": ("=IF(A1:A2,1,2)", 1, 't="array" ref="D1:D2"'),
                    "D2": ("", 2, 'ca="1"')}}
    got, report = run(tmp_path, sheets)
    assert report.ok and got["S!D1"] == 1 and got["S!D2"] == 2


def test_shared_formula_whose_master_is_missing_keeps_its_values(tmp_path):
    sheets = {"S": {"A1": 1, "B1": ("", 7, 't="shared" si="4"'), "B2": ("=A1+1", 2)}}
    got, report = run(tmp_path, sheets)
    assert got["S!B1"] == 7 and got["S!B2"] == 2 and report.kept == {"formula syntax": 1}


def test_inline_strings_rich_text_and_dates_stored_as_text(tmp_path):
    src = raw_book(tmp_path / "in.xlsx", {"S": {"A1": "abc", "A2": "2024-01-31", "B1": ("=LEN(A1)", 0),
                                                "B2": ("=DATEVALUE(A2)", 0), "B3": ("=A1&\"!\"", 0)}})
    # a rich-text inline string: several runs make one text
    data = {i.filename: zipfile.ZipFile(src).read(i) for i in zipfile.ZipFile(src).infolist()}
    data["xl/worksheets/sheet1.xml"] = data["xl/worksheets/sheet1.xml"].replace(
        b"<is><t>abc</t></is>", b'<is><r><rPr><b/></rPr><t>ab</t></r><r><t xml:space="preserve">c</t></r></is>')
    with zipfile.ZipFile(src, "w") as z:
        for name, blob in data.items():
            z.writestr(name, blob)
    report = recalculate(src, tmp_path / "out.xlsx")
    _, cells = read_cells(tmp_path / "out.xlsx")
    assert cells[("S", 1, 2)] == ("n", 3.0) and cells[("S", 3, 2)] == ("s", "abc!")
    assert cells[("S", 2, 2)] == ("n", 45322.0)  # Excel's serial of 2024-01-31
    assert report.ok


def test_very_long_sheet_name_with_quotes_and_spaces(tmp_path):
    name = "Revenue 'bridge' FY2024 - draft"  # 31 characters, Excel's limit
    got, report = run(tmp_path, {name: {"A1": 2}, "S": {"A1": (f"='{name.replace(chr(39), chr(39) * 2)}'!A1*3", 0)}})
    assert report.ok and got["S!A1"] == 6


# ---------------------------------------------------------------------------------------------
# the corpus

FOLDER = corpus_dir()
def corpus(test):
    """A test on a workbook of the real-world corpus: skipped where it is absent, and slow."""
    absent = pytest.mark.skipif(FOLDER is None, reason="the real-world corpus (shared/realworld) is absent")
    return pytest.mark.slow(absent(test))


@corpus
def test_pycel_circular_model_with_iteration_on_computes_excels_values(tmp_path):
    src = FOLDER / "dgorissen__pycel" / "circular.xlsx"
    report = recalculate(src, tmp_path / "out.xlsx")
    assert report.ok, report.reason
    cells, excel = read_cells(src)
    _, got = read_cells(tmp_path / "out.xlsx")
    assert all(got[k] == excel[k] for k in cells)


@corpus
def test_corpus_circular_model_without_iteration_is_refused_naming_cells(tmp_path):
    report = recalculate(FOLDER / "vinci1it2000__formulas" / "circular.xlsx", tmp_path / "out.xlsx")
    assert not report.ok and report.reason.startswith("circular reference among DATA!")


@corpus
@pytest.mark.parametrize("name", ["dgorissen__pycel/lookup.xlsx", "vinci1it2000__formulas/test.xlsx"])
@pytest.mark.slow
def test_corpus_files_that_crashed_now_compute_and_lose_no_value(name, tmp_path):
    src = FOLDER / name
    report = recalculate(src, tmp_path / "out.xlsx")
    assert report.ok, report.reason
    assert not any("internal error" in i for i in report.issues)
    cells, excel = read_cells(src)
    _, got = read_cells(tmp_path / "out.xlsx")
    lost = [k for k in cells if k in excel and excel[k][0] != "e" and got.get(k) in (None, ("e", "#NAME?"))]
    assert lost == []  # no #NAME? where Excel had a value: lacking functions keep it


@corpus
def test_three_statement_model_with_iteration_turned_on_keeps_its_freeze_cell_and_excels_values(tmp_path):
    """Tesla's model holds a "freeze" cell (D213 reads itself while G4 is not 1). Its file has
    iteration off (refused, as Excel warns); with iteration on, D213 starts from and keeps the value
    Excel stored, and the model computes Excel's values."""
    src = FOLDER / "chifang-c__tesla-three-statement-model" / "Tesla-ThreeStatementModel.xlsx"
    assert not recalculate(src, tmp_path / "refused.xlsx").ok
    copy = tmp_path / "iterating.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/workbook.xml":
                data = data.replace(b"<calcPr ", b'<calcPr iterate="1" ', 1)
            zout.writestr(info, data)
    report = recalculate(copy, tmp_path / "out.xlsx")
    assert report.ok, report.reason
    groups = {tuple(it["cells"]): it for it in report.iterations}
    assert groups[("'3-Statement Model_v1'!D213",)]["converged"]
    cells, excel = read_cells(src)
    _, got = read_cells(tmp_path / "out.xlsx")
    key = ("3-Statement Model_v1", 213, 4)
    assert got[key][1] == pytest.approx(excel[key][1], rel=1e-12)
    from corpus import agree

    same = sum(agree(excel[k], got.get(k)) for k in cells if k in excel)
    assert same / sum(k in excel for k in cells) >= 0.998  # the rest: Excel's 15-digit subtraction


def test_shared_formula_dependents_written_before_their_master(tmp_path):
    """Some writers put the master of a shared formula after its dependents, or past the range."""
    sheets = {"S": {"A1": 1, "A2": 2, "A3": 3, "B1": ("", 0, 't="shared" si="0"'),
                    "B2": ("", 0, 't="shared" si="0"'), "B3": ("=A3*10", 0, 't="shared" ref="B1:B9" si="0"')}}
    got, report = run(tmp_path, sheets)
    assert report.ok and (got["S!B1"], got["S!B2"], got["S!B3"]) == (10, 20, 30)


def test_external_sheet_names_with_spaces_are_quoted_as_excel_writes_them(tmp_path):
    link = ('<sheetNames><sheetName val="Plan 2025"/></sheetNames><sheetDataSet><sheetData sheetId="0">'
            '<row r="4"><cell r="B4"><v>7</v></cell></row></sheetData></sheetDataSet>')
    got, report = run(tmp_path, {"S": {"A1": ("='[1]Plan 2025'!B4+1", 0)}}, external=link)
    assert got["S!A1"] == 8 and report.kept == {}


def test_folder_total_counts_kept_cells_and_iterations_that_did_not_converge(tmp_path, capsys):
    books = tmp_path / "books"
    books.mkdir()
    raw_book(books / "a.xlsx", {"S": {"A1": ("=_xlfn.FUTUREFUNCTION(1)", 3)}})
    raw_book(books / "b.xlsx", {"S": {"A1": ("=A1+1", 0)}}, calc='iterate="1" iterateCount="2"')
    assert main(["recalc", str(books), "-o", str(tmp_path / "out"), "--no-progress"]) == 0
    total = capsys.readouterr().out.strip().splitlines()[-1]
    assert "1 cell kept as Excel stored them (in 1 workbook)" in total
    assert "1 circular group iterated, 1 did not converge" in total


def _exploding_abs(original):
    """ABS that fails (an engine defect stand-in) whenever one of its cells reads 13."""
    import numpy as np

    def impl(ev, args):
        v = ev.scalar(args[0])
        if np.any(v.num == 13):
            raise ZeroDivisionError("defect")
        return original(ev, args)

    return impl


def test_an_internal_error_in_one_cell_is_that_cells_error_and_a_report_line(tmp_path, monkeypatch):
    from xl_kpi.recalc.functions import FUNCTIONS

    monkeypatch.setitem(FUNCTIONS, "ABS", _exploding_abs(FUNCTIONS["ABS"]))
    sheets = {"S": {"A1": -1, "A2": 13, "A3": -3, "B1": ("=ABS(A1)", None), "B2": ("=ABS(A2)", None),
                    "B3": ("=ABS(A3)", None), "C1": ("=SUM(B1:B3)", None)}}
    got, report = run(tmp_path, sheets)
    assert report.ok
    assert (got["S!B1"], got["S!B2"], got["S!B3"]) == (1, "#VALUE!", 3)
    assert any("S!B2: internal error" in i for i in report.issues)


def test_an_internal_error_keeps_the_values_excel_stored_when_there_are_some(tmp_path, monkeypatch):
    from xl_kpi.recalc.functions import FUNCTIONS

    monkeypatch.setitem(FUNCTIONS, "ABS", _exploding_abs(FUNCTIONS["ABS"]))
    got, report = run(tmp_path, {"S": {"A1": 13, "B1": ("=ABS(A1)", 13)}})
    assert got["S!B1"] == 13 and report.kept == {"internal error": 1}


def test_circular_keep_leaves_the_cycle_and_the_cells_reading_it_as_excel_does(tmp_path):
    """Without iterative calculation Excel warns and does not calculate the cycle nor the cells
    waiting for it (formulas' circular.xlsx: E2 =B2+1 stays 0 beside B2 =B2); --circular keep
    leaves them with Excel's values instead of refusing the workbook, and computes the rest."""
    sheets = {"S": {"A1": 10, "B1": ("=B1+A1", 7), "C1": ("=B1*2", 0), "D1": ("=A1+1", 0), "E1": ("=C1+1", 4)}}
    src = raw_book(tmp_path / "in.xlsx", sheets)
    report = recalculate(src, tmp_path / "out.xlsx", circular="keep")
    assert report.ok
    _, cells = read_cells(tmp_path / "out.xlsx")
    assert [cells[("S", 1, c)] for c in (2, 3, 4, 5)] == [("n", 7.0), ("n", 0.0), ("n", 11.0), ("n", 4.0)]
    assert report.kept == {"circular reference": 3}
    assert report.kept_cells == {"circular reference": ["S!B1", "S!C1", "S!E1"]}
    assert report.depends_on_kept == 0


def test_circular_keep_shows_0_in_an_uncalculated_formula_without_a_stored_value(tmp_path):
    sheets = {"S": {"A1": ("=A1+1", None), "B1": ("=A1*2", None), "C1": ("=1+1", None)}}
    src = raw_book(tmp_path / "in.xlsx", sheets)
    recalculate(src, tmp_path / "out.xlsx", circular="keep")
    _, cells = read_cells(tmp_path / "out.xlsx")
    assert [cells[("S", 1, c)] for c in (1, 2, 3)] == [("n", 0.0), ("n", 0.0), ("n", 2.0)]


def test_circular_keep_calculates_a_legacy_array_formula_cell_by_cell(tmp_path):
    """Excel calculates the cells of an array formula one by one as needed (no ``aca``): only the
    element the cycle passes through is left uncalculated (formulas' circular.xlsx D10:D12)."""
    sheets = {"S": {"A1": 0, "A2": 1, "A3": 0,
                    "B1": ("=IF(A1,C1,1)", None), "B2": ("=IF(A2,C2,1)", None), "B3": ("=IF(A3,C3,1)", None),
                    "C1": ("=D1", None), "C2": ("=D2", None), "C3": ("=D3", None),
                    "D1": ("=IF(A1:A3,B1:B3,1)", None, 't="array" ref="D1:D3"'),
                    "E1": ("=B1+1", None), "E2": ("=B2+1", None)}}
    src = raw_book(tmp_path / "in.xlsx", sheets)
    report = recalculate(src, tmp_path / "out.xlsx", circular="keep")
    _, cells = read_cells(tmp_path / "out.xlsx")
    got = {ref: cells[("S", int(ref[1]), "ABCDE".index(ref[0]) + 1)][1]
           for ref in ("B1", "B2", "B3", "C1", "C2", "C3", "D1", "D2", "D3", "E1", "E2")}
    assert got == {"B1": 1, "B2": 0, "B3": 1, "C1": 1, "C2": 0, "C3": 1, "D1": 1, "D2": 0, "D3": 1,
                   "E1": 2, "E2": 0}
    assert sorted(report.kept_cells["circular reference"]) == ["S!B2", "S!C2", "S!D2", "S!E2"]


def test_circular_keep_leaves_an_array_formula_calculated_in_full_uncalculated(tmp_path):
    """``aca="1"``: Excel calculates the array whole, so it reads all of B1:B2 whatever IF needs,
    and the cycle through it leaves every cell uncalculated (formulas' circular.xlsx D8:D9)."""
    sheets = {"S": {"A1": 0, "A2": 0, "B1": ("=C1", None), "B2": ("=C2", None),
                    "C1": ("=D1", None), "C2": ("=D2", None),
                    "D1": ("=IF(A1:A2,B1:B2,1)", None, 't="array" aca="1" ref="D1:D2"'), "E1": ("=B1+1", None)}}
    src = raw_book(tmp_path / "in.xlsx", sheets)
    recalculate(src, tmp_path / "out.xlsx", circular="keep")
    _, cells = read_cells(tmp_path / "out.xlsx")
    assert {cells[("S", r, c)][1] for r in (1, 2) for c in (2, 3, 4)} | {cells[("S", 1, 5)][1]} == {0}
    sheets["S"]["D1"] = ("=IF(A1:A2,B1:B2,1)", None, 't="array" ref="D1:D2"')  # calculated as needed
    src = raw_book(tmp_path / "in2.xlsx", sheets)
    recalculate(src, tmp_path / "out2.xlsx")
    _, cells = read_cells(tmp_path / "out2.xlsx")
    assert [cells[("S", 1, c)][1] for c in (2, 3, 4, 5)] == [1, 1, 1, 2]


def test_circular_keep_leaves_the_readers_of_a_circular_cell_in_one_pass(tmp_path, monkeypatch):
    """C1 reads itself while D1 is 1, and 400 cells of the same cycle of references name C1, half
    of them reading it: each reader is left uncalculated where it is found, not after a new
    pass over the cycle that calculates the others again."""
    from xl_kpi.recalc import engine

    n = 400
    cells = {"D1": 1, "C1": (f"=IF(D1=1,C1,SUM(B1:B{n}))", 5)}
    cells.update({f"B{r}": (f"=C1+{r}", None) if r % 2 else (f"=IF(D1=1,{r},C1)", None) for r in range(1, n + 1)})
    src = raw_book(tmp_path / "in.xlsx", {"S": cells})
    calls = 0
    evaluate = engine._evaluate_cell

    def counted(*args):
        nonlocal calls
        calls += 1
        return evaluate(*args)

    monkeypatch.setattr(engine, "_evaluate_cell", counted)
    report = recalculate(src, tmp_path / "out.xlsx", circular="keep")
    _, got = read_cells(tmp_path / "out.xlsx")
    assert got[("S", 1, 3)] == ("n", 5.0)
    assert [got[("S", r, 2)][1] for r in range(1, n + 1)] == [0.0 if r % 2 else r for r in range(1, n + 1)]
    assert report.kept == {"circular reference": n // 2 + 1}
    assert calls < 5 * n


def test_circular_keep_on_the_command_line_and_strict(tmp_path, capsys):
    src = raw_book(tmp_path / "in.xlsx", {"S": {"A1": ("=A1+1", 5)}})
    out = str(tmp_path / "out.xlsx")
    assert main(["recalc", str(src), "-o", out, "--no-progress"]) == 2
    assert main(["recalc", str(src), "-o", out, "--no-progress", "--circular", "keep"]) == 0
    assert "1 kept as Excel stored them (circular reference 1)" in capsys.readouterr().out
    assert main(["recalc", str(src), "-o", out, "--no-progress", "--circular", "keep", "--strict"]) == 1


@corpus
def test_tesla_model_with_circular_keep_computes_everything_but_its_freeze_cell(tmp_path):
    src = FOLDER / "chifang-c__tesla-three-statement-model" / "Tesla-ThreeStatementModel.xlsx"
    report = recalculate(src, tmp_path / "out.xlsx", circular="keep")
    assert report.ok and report.kept.get("circular reference") == 2  # D213 and D215 read themselves
    from corpus import agree

    cells, excel = read_cells(src)
    _, got = read_cells(tmp_path / "out.xlsx")
    assert [k for k in cells if k in excel and not agree(excel[k], got.get(k))] == []


# ---------------------------------------------------------------------------------------------
# --circular iterate: iteration off in the file, turned on as a user ticks it in Excel

DEBT = {"Model": {"B1": 1000, "B2": 0.08, "B3": 100, "B4": ("=B2*(B1+B5)/2", 0), "B5": ("=B1+B4-B3", 0)}}


def test_circular_iterate_computes_as_the_same_workbook_with_iteration_on(tmp_path):
    """Same values and same report lines as the file saved with "Enable iterative calculation"."""
    off = raw_book(tmp_path / "off.xlsx", DEBT, calc='iterateCount="100" iterateDelta="0.000001"')
    on = raw_book(tmp_path / "on.xlsx", DEBT, calc=ITERATE)
    forced = recalculate(off, tmp_path / "forced.xlsx", circular="iterate")
    native = recalculate(on, tmp_path / "native.xlsx")
    assert forced.ok and native.ok
    assert forced.iterations == native.iterations and forced.issues == native.issues
    assert read_cells(tmp_path / "forced.xlsx")[1] == read_cells(tmp_path / "native.xlsx")[1]
    expected = 0.08 * (2 * 1000 - 100) / (2 - 0.08)
    assert read_cells(tmp_path / "forced.xlsx")[1][("Model", 4, 2)][1] == pytest.approx(expected, abs=1e-5)


def test_circular_iterate_uses_the_files_iteration_count(tmp_path):
    """``iterateCount`` without ``iterate`` (formulas' circular.xlsx has one): ten iterations."""
    src = raw_book(tmp_path / "in.xlsx", {"S": {"A1": ("=A1+1", 5)}}, calc='iterateCount="10"')
    report = recalculate(src, tmp_path / "out.xlsx", circular="iterate")
    assert read_cells(tmp_path / "out.xlsx")[1][("S", 1, 1)] == ("n", 15.0)
    assert report.iterations == [{"cells": ["S!A1"], "size": 1, "iterations": 10, "converged": False,
                                  "max_change": 1.0}]


def test_circular_iterate_uses_the_files_maximum_change(tmp_path):
    src = raw_book(tmp_path / "in.xlsx", {"S": {"A1": ("=IF(A1>=3,A1,A1+1)", 0)}}, calc='iterateDelta="1"')
    assert recalculate(src, tmp_path / "out.xlsx", circular="iterate").iterations[0]["iterations"] == 4


def test_circular_iterate_defaults_to_excels_count_and_delta(tmp_path):
    """No iteration attribute at all: 100 iterations at most, stopping under a change of 0.001."""
    src = raw_book(tmp_path / "a.xlsx", {"S": {"A1": ("=A1/2+1", 0)}})
    report = recalculate(src, tmp_path / "a-out.xlsx", circular="iterate")
    [it] = report.iterations
    assert it["converged"] and it["max_change"] < 0.001 <= 2 * it["max_change"]
    src = raw_book(tmp_path / "b.xlsx", {"S": {"A1": ("=A1+1", 0)}})
    [it] = recalculate(src, tmp_path / "b-out.xlsx", circular="iterate").iterations
    assert (it["iterations"], it["converged"]) == (100, False)


def test_circular_iterate_leaves_a_cycle_not_taken_at_run_time_uniterated(tmp_path):
    sheets = {"S": {"A1": 1, "B1": 42, "C1": ("=IF(A1=1,B1,C1)", 7)}}
    src = raw_book(tmp_path / "in.xlsx", sheets)
    report = recalculate(src, tmp_path / "out.xlsx", circular="iterate")
    assert report.ok and report.iterations == []
    assert read_cells(tmp_path / "out.xlsx")[1][("S", 1, 3)] == ("n", 42.0)


def test_refusal_for_a_circular_reference_names_the_options(tmp_path):
    src = raw_book(tmp_path / "in.xlsx", {"S": {"A1": ("=A1+1", 5)}})
    report = recalculate(src, tmp_path / "out.xlsx")
    assert not report.ok and "\n" not in report.reason
    assert report.reason.startswith("circular reference among S!A1; iterative calculation is off")
    assert "--circular iterate" in report.reason and "--circular keep" in report.reason


def test_circular_iterate_on_the_command_line(tmp_path, capsys):
    src = raw_book(tmp_path / "in.xlsx", {"S": {"A1": ("=A1+1", 5)}}, calc='iterateCount="3"')
    out = str(tmp_path / "out.xlsx")
    assert main(["recalc", str(src), "-o", out, "--no-progress", "--circular", "iterate"]) == 0
    assert "1 circular group iterated (1 did not converge)" in capsys.readouterr().out
    assert main(["recalc", str(src), "-o", out, "--no-progress", "--circular", "iterate", "--strict"]) == 1


def test_circular_must_be_one_of_the_choices(tmp_path):
    from xl_kpi.recalc.engine import calculate
    from xl_kpi.recalc.package import open_package

    src = raw_book(tmp_path / "in.xlsx", {"S": {"A1": 1}})
    with pytest.raises(ValueError, match="'iterate'"):
        calculate(open_package(str(src)), circular="loop")


@corpus
def test_corpus_circular_models_with_iteration_enabled_compute(tmp_path):
    """formulas' circular.xlsx (iterateCount 1, iteration off) and Tesla's (iterateDelta 1E-4)."""
    for name in ("vinci1it2000__formulas/circular.xlsx",
                 "chifang-c__tesla-three-statement-model/Tesla-ThreeStatementModel.xlsx"):
        report = recalculate(FOLDER / name, tmp_path / "out.xlsx", circular="iterate")
        assert report.ok, (name, report.reason)
        assert report.iterations


def test_array_results_replace_the_cells_they_write_into_in_rows_without_numbers(tmp_path):
    """Rows and cells without ``r`` attributes (allowed by ECMA-376): the cells an array formula
    writes into are found by position, replaced, never written twice."""
    src = raw_book(tmp_path / "in.xlsx", {"S": {"A1": 1, "A2": 2, "A3": 3, "B1": ("=A1:A3*10", 0, 't="array" ref="B1:B3"'),
                                                "B2": 0, "B3": 0, "A4": 9}})
    data = {i.filename: zipfile.ZipFile(src).read(i) for i in zipfile.ZipFile(src).infolist()}
    xml = data["xl/worksheets/sheet1.xml"]
    for r in (2, 3, 4):
        xml = xml.replace(b'<row r="%d">' % r, b"<row>").replace(b'<c r="A%d">' % r, b"<c>")
        xml = xml.replace(b'<c r="B%d">' % r, b"<c>")
    data["xl/worksheets/sheet1.xml"] = xml
    with zipfile.ZipFile(src, "w") as z:
        for name, blob in data.items():
            z.writestr(name, blob)
    report = recalculate(src, tmp_path / "out.xlsx")
    assert report.ok, report.reason
    out = zipfile.ZipFile(tmp_path / "out.xlsx").read("xl/worksheets/sheet1.xml")
    assert out.count(b"<c") == xml.count(b"<c")  # nothing added: the cells were found
    assert b"<row><c><v>2</v></c><c><v>20</v></c></row><row><c><v>3</v></c><c><v>30</v></c></row>" in out


def test_lambda_let_and_functions_passed_by_name_are_computed_not_kept(tmp_path):
    # stored values deliberately stale: a kept cell would show them
    sheets = {"S": {"A1": 2, "A2": 3,
                    "B1": ("=_xlfn.LET(_xlpm.x,A1*10,_xlpm.x+1)", 0),
                    "B2": ("=_xlfn.LAMBDA(_xlpm.a,_xlpm.a*A2)(4)", 0),
                    "B3": ("=_xlfn.REDUCE(0,A1:A2,_xlfn.LAMBDA(_xlpm.acc,_xlpm.v,_xlpm.acc+_xlpm.v))", 0),
                    "B4": ("=_xlfn.LET(_xlpm.f,_xlfn.LAMBDA(_xlpm.n,_xlpm.n*2),_xlpm.f(A2))", 0),
                    "B5": ("=_xlfn.REDUCE(0,A1:A2,_xleta.SUM)", 0)}}
    got, report = run(tmp_path, sheets)
    assert report.ok and report.kept == {}, report.kept
    assert [got[f"S!B{i}"] for i in range(1, 6)] == [21, 12, 5, 6, 5]


def test_a_function_passed_by_name_that_the_engine_lacks_keeps_excels_value(tmp_path):
    got, report = run(tmp_path, {"S": {"A1": 2, "B1": ("=_xlfn.REDUCE(0,A1,_xleta.TRANSLATE)", 7)}})
    assert got["S!B1"] == 7 and report.kept == {"function": 1}


def test_a_linked_sheet_whose_last_refresh_failed_keeps_its_cached_cells(tmp_path):
    """formulas' test.xlsx caches [1]Sheet1!A1 = 2 under ``refreshError="1"`` and Excel computes
    the defined name m = [1]Sheet1!$A$1 as 2 (CORE!O13): the cells cached before are used."""
    link = ('<sheetNames><sheetName val="Sheet1"/></sheetNames><sheetDataSet><sheetData sheetId="0" '
            'refreshError="1"><row r="1"><cell r="A1"><v>2</v></cell></row></sheetData></sheetDataSet>')
    got, report = run(tmp_path, {"S": {"A1": ("=[1]Sheet1!$A$1*3", 0)}}, external=link)
    assert got["S!A1"] == 6 and report.kept == {}


def test_forecast_ets_keeps_excels_value_where_it_has_one_and_is_computed_where_not(tmp_path):
    # Excel's ETS fit is not published: its stored digits are kept; a cell without one is computed
    series = {f"A{i}": float(i) for i in range(1, 13)}
    series.update({f"B{i}": 10.0 + 2 * i for i in range(1, 13)})
    sheets = {"S": dict(series, C1=("=_xlfn.FORECAST.ETS(13,B1:B12,A1:A12)", 36.5),
                        C2=("=_xlfn.FORECAST.ETS(13,B1:B12,A1:A12)", None))}
    got, report = run(tmp_path, sheets)
    assert got["S!C1"] == 36.5 and report.kept == {"function": 1}
    assert got["S!C2"] == pytest.approx(36.0)  # a straight line: 10 + 2 * 13
