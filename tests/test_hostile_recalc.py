"""Hostile and broken inputs to ``xl-kpi recalc``: nothing overwritten, nothing unbounded.

Every workbook is generated here, as raw zip parts, so each case says exactly which bytes are
odd. Cases that could run away are run as a child process under a memory cap (RLIMIT_AS) and a
timeout: a regression fails the test instead of taking the machine down.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from test_recalc_support import make_book, values
from xl_kpi.cli import main

MEMORY_CAP = 1536 << 20  # bytes of address space for a child run (numpy and pycel loaded: ~600 MB)
TIMEOUT = 60

_CT = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
       b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       b'<Default Extension="xml" ContentType="application/xml"/>'
       b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
       b'spreadsheetml.sheet.main+xml"/></Types>')
_ROOT_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
              b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
              b'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WB = (b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
       b'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
       b'relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets>%s</workbook>')
_WB_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            b'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
_SHEET = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
          b'spreadsheetml/2006/main"><sheetData>%s</sheetData></worksheet>')


def raw_book(path: Path, cells: bytes, *, shared: list[str] = (), names: bytes = b"",
             drop: tuple[str, ...] = (), extra: dict[str, bytes] | None = None) -> str:
    """A one-sheet workbook ``S`` whose sheetData is ``cells`` (raw XML), written part by part.

    ``drop`` leaves members out; ``extra`` adds or replaces members.
    """
    sst = b"".join(b"<si><t>" + s.encode() + b"</t></si>" for s in shared)
    parts = {
        "[Content_Types].xml": _CT,
        "_rels/.rels": _ROOT_RELS,
        "xl/workbook.xml": _WB % names,
        "xl/_rels/workbook.xml.rels": _WB_RELS,
        "xl/worksheets/sheet1.xml": _SHEET % cells,
        "xl/sharedStrings.xml": b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                                + sst + b"</sst>",
    }
    parts.update(extra or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            if name not in drop:
                z.writestr(name, data)
    return os.fspath(path)


def _limit_memory():  # runs in the child before exec
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def run_cli(*args: str, timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
    """``xl-kpi ARGS`` in a child process under the memory cap and a timeout."""
    return subprocess.run([sys.executable, "-m", "xl_kpi", *args], capture_output=True, text=True,
                          timeout=timeout, preexec_fn=_limit_memory)


def _book(path, formula="=A1*2"):
    return make_book(path, {"S": {"A1": 21, "A2": formula}})


# ---------------------------------------------------------------------------------------------
# Outputs: never the input, never anything but a regular file


def test_the_input_through_a_symlinked_folder_is_not_overwritten(tmp_path, capsys):
    (tmp_path / "real").mkdir()
    src = _book(tmp_path / "real" / "in.xlsx")
    before = Path(src).read_bytes()
    os.symlink(tmp_path / "real", tmp_path / "alias")
    assert main(["recalc", src, "-o", str(tmp_path / "alias" / "in.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "is the input" in err and "--in-place" in err and len(err.strip().splitlines()) == 1
    assert Path(src).read_bytes() == before


def test_several_inputs_into_a_folder_holding_one_of_them_are_refused(tmp_path, capsys):
    a = _book(tmp_path / "a.xlsx")
    (tmp_path / "sub").mkdir()
    b = _book(tmp_path / "sub" / "b.xlsx")
    assert main(["recalc", a, b, "-o", str(tmp_path / "sub")]) == 2
    assert "is the input" in capsys.readouterr().err


@pytest.mark.parametrize("kind", ["fifo", "fifo_link", "dev_null_link"])
def test_an_output_that_is_not_a_regular_file_is_refused(tmp_path, capsys, kind):
    src = _book(tmp_path / "in.xlsx")
    out = tmp_path / "out.xlsx"
    if kind == "fifo":
        os.mkfifo(out)
    elif kind == "fifo_link":
        os.mkfifo(tmp_path / "pipe")
        os.symlink(tmp_path / "pipe", out)
    else:
        os.symlink(os.devnull, out)
    code = main(["recalc", src, "-o", str(out)])
    assert code == 2
    assert "regular file" in capsys.readouterr().err
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".xl-kpi-")]


def test_in_place_on_a_symlink_updates_the_real_file_and_keeps_the_link(tmp_path):
    real = _book(tmp_path / "real.xlsx")
    os.chmod(real, 0o640)
    link = tmp_path / "link.xlsx"
    os.symlink(real, link)
    assert main(["recalc", str(link), "--in-place"]) == 0
    assert os.path.islink(link)
    assert values(real)["S"]["A2"] == 42
    assert oct(os.stat(real).st_mode & 0o777) == oct(0o640)


def test_in_place_keeps_hard_links(tmp_path):
    real = _book(tmp_path / "a.xlsx")
    os.link(real, tmp_path / "b.xlsx")
    assert main(["recalc", real, "--in-place"]) == 0
    assert values(tmp_path / "b.xlsx")["S"]["A2"] == 42
    assert os.stat(real).st_nlink == 2


def test_a_new_output_honours_the_umask(tmp_path):
    src = _book(tmp_path / "in.xlsx")
    old = os.umask(0o077)
    try:
        assert main(["recalc", src, "-o", str(tmp_path / "out.xlsx")]) == 0
    finally:
        os.umask(old)
    assert os.stat(tmp_path / "out.xlsx").st_mode & 0o777 == 0o600


# ---------------------------------------------------------------------------------------------
# Long and deep formulas: computed without Python recursion, Excel's limits enforced


def _one_formula(tmp_path, formula: str, consts: dict | None = None, names: dict | None = None):
    from xl_kpi.recalc import recalculate

    cells = {"A1": formula, **(consts or {})}
    src = make_book(tmp_path / "in.xlsx", {"S": cells}, names=names)
    report = recalculate(src, tmp_path / "out.xlsx")
    assert report.ok, report.reason
    return values(tmp_path / "out.xlsx")["S"]["A1"], report


@pytest.mark.parametrize("terms", [340, 600, 1500])
def test_a_long_sum_of_cells_computes(tmp_path, terms):
    formula = "=" + "+".join(f"B{i}" for i in range(1, terms + 1))
    assert len(formula) <= 8192
    value, report = _one_formula(tmp_path, formula, {f"B{i}": i for i in range(1, terms + 1)})
    assert value == terms * (terms + 1) // 2
    assert not any("internal error" in i for i in report.issues)


def test_functions_nested_64_deep_compute(tmp_path):
    value, _ = _one_formula(tmp_path, "=" + "IF(TRUE," * 64 + "7" + ",0)" * 64)
    assert value == 7


@pytest.mark.parametrize("formula, why", [
    ("=" + "IF(TRUE," * 300 + "7" + ",0)" * 300, "nested more than 64"),
    ("=SUM(" + ",".join(["1"] * 256) + ")", "256 arguments"),
    ("=" + "+".join(["1"] * 4200), "8,399 characters"),
], ids=["nested-300", "args-256", "chars-8399"])
def test_a_formula_beyond_excel_limits_is_value_error_with_a_note(tmp_path, formula, why):
    value, report = _one_formula(tmp_path, formula)
    assert value == "#VALUE!"
    assert any(why in i and "Excel allows" in i or why in i and "the most Excel" in i for i in report.issues)


def test_a_chain_of_3000_defined_names_computes(tmp_path):
    names = {"Step1": "S!$B$1", **{f"Step{i}": f"Step{i - 1}+1" for i in range(2, 3001)}}
    value, _ = _one_formula(tmp_path, "=Step3000", {"B1": 5}, names=names)
    assert value == 3004


def test_names_referring_to_each_other_are_name_errors(tmp_path):
    value, report = _one_formula(tmp_path, "=Loop1", names={"Loop1": "Loop2+1", "Loop2": "Loop1"})
    assert value == "#NAME?"
    assert any("refers to itself" in i for i in report.issues)
