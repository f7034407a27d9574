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
    assert len(out) == 1 and "1 formulas" in out[0] and "no errors" in out[0] and "out.xlsx" in out[0]
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
