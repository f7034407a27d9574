"""The ``xl-kpi recalc`` command: outputs, exit codes, reports."""

from __future__ import annotations

import json
from pathlib import Path

from test_recalc_support import make_book, values

from xl_kpi.cli import main


def _book(path, formula="=A1*2"):
    return make_book(path, {"S": {"A1": 21, "A2": formula}})


def test_one_book_to_an_output_file_prints_one_line(tmp_path, capsys):
    src = _book(tmp_path / "in.xlsx")
    assert main(["recalc", src, "-o", str(tmp_path / "out.xlsx")]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and ": 1 formula, " in out[0] and "no errors" in out[0] and "out.xlsx" in out[0]
    assert values(tmp_path / "out.xlsx")["S"]["A2"] == 42


def test_strict_exits_1_when_a_cell_is_an_error(tmp_path, capsys):
    src = _book(tmp_path / "in.xlsx", "=A1/0")
    assert main(["recalc", src, "-o", str(tmp_path / "out.xlsx")]) == 0
    assert main(["recalc", src, "-o", str(tmp_path / "out.xlsx"), "--strict"]) == 1
    assert "#DIV/0! 1" in capsys.readouterr().out


def test_unprocessable_file_exits_2_with_a_one_line_reason(tmp_path, capsys):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really")
    assert main(["recalc", str(bad), "-o", str(tmp_path / "out.xlsx")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"{bad}: cannot process:")


def test_missing_output_choice_is_a_usage_error(tmp_path, capsys):
    src = _book(tmp_path / "in.xlsx")
    assert main(["recalc", src]) == 2
    assert "--in-place" in capsys.readouterr().err


def test_output_equal_to_input_needs_in_place(tmp_path, capsys):
    src = _book(tmp_path / "in.xlsx")
    assert main(["recalc", src, "-o", src]) == 2
    assert main(["recalc", src, "--in-place"]) == 0
    assert values(src)["S"]["A2"] == 42


def test_folder_with_jobs_and_json_report(tmp_path, capsys):
    folder = tmp_path / "books"
    folder.mkdir()
    for i in range(4):
        _book(folder / f"b{i}.xlsx", f"=A1*{i}")
    (folder / "broken.xlsx").write_text("nope")
    code = main(["recalc", str(folder), "-o", str(tmp_path / "out"), "--jobs", "2", "--json"])
    assert code == 2  # one file could not be processed
    report = json.loads(capsys.readouterr().out)
    by_name = {Path(r["path"]).name: r for r in report["workbooks"]}
    assert sorted(by_name) == ["b0.xlsx", "b1.xlsx", "b2.xlsx", "b3.xlsx", "broken.xlsx"]
    assert not by_name["broken.xlsx"]["ok"] and by_name["broken.xlsx"]["reason"]
    for i in range(4):
        assert by_name[f"b{i}.xlsx"]["formulas"] == 1
        assert values(tmp_path / "out" / f"b{i}.xlsx")["S"]["A2"] == 21 * i


def test_progress_bar_when_asked(tmp_path, capsys):
    a, b = _book(tmp_path / "a.xlsx"), _book(tmp_path / "b.xlsx")
    assert main(["recalc", a, b, "-o", str(tmp_path / "out"), "--progress"]) == 0
    assert "recalculating 2 workbooks" in capsys.readouterr().err


def test_circular_reference_exits_2_naming_the_cells(tmp_path, capsys):
    src = make_book(tmp_path / "in.xlsx", {"S": {"A1": "=A2", "A2": "=A1"}})
    assert main(["recalc", src, "-o", str(tmp_path / "out.xlsx")]) == 2
    assert "circular reference among S!A1, S!A2" in capsys.readouterr().err


def test_a_folder_ends_with_a_total_line(tmp_path, capsys):
    folder = tmp_path / "books"
    folder.mkdir()
    _book(folder / "a.xlsx")
    _book(folder / "b.xlsx", "=A1/0")
    (folder / "broken.xlsx").write_text("nope")
    assert main(["recalc", str(folder), "-o", str(tmp_path / "out")]) == 2
    total = capsys.readouterr().out.strip().splitlines()[-1]
    assert total.startswith("total: 2 of 3 workbooks recalculated, 1 could not be processed; 2 formulas")
    assert "#DIV/0! 1 formula (in 1 workbook)" in total


def test_errors_are_counted_per_formula_and_per_cell(tmp_path, capsys):
    src = make_book(tmp_path / "in.xlsx", {"S": {"A1": 0, "A2": 0, "A3": 1}},
                    arrays={"S!B1": ("B1:B3", "=1/A1:A3")})
    assert main(["recalc", src, "-o", str(tmp_path / "out.xlsx")]) == 0
    line = capsys.readouterr().out
    assert "1 formula (3 cells)" in line and "#DIV/0! 1 formula (2 cells)" in line
    assert main(["recalc", src, "-o", str(tmp_path / "out.xlsx"), "--json"]) == 0
    (r,) = json.loads(capsys.readouterr().out)["workbooks"]
    assert (r["formulas"], r["cells"], r["errors"], r["cell_errors"]) == (1, 3, {"#DIV/0!": 1}, {"#DIV/0!": 2})


def test_json_says_when_the_list_of_error_cells_is_cut(tmp_path, capsys):
    cells = {f"A{i}": f"=1/{i - i}" for i in range(1, 61)}
    src = make_book(tmp_path / "in.xlsx", {"S": cells})
    assert main(["recalc", src, "-o", str(tmp_path / "out.xlsx"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    (r,) = report["workbooks"]
    assert len(r["error_cells"]) == 50 and r["error_cells_total"] == 60 and r["error_cells_truncated"]
    assert report["summary"]["errors"] == {"#DIV/0!": 60} and report["summary"]["workbooks"] == 1
