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
