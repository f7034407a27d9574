"""udfs.bas: generated from the UDF definitions by ``xl-kpi vba``, never edited by hand.

The wrappers come from xlwings' own generator; these tests check what xl-kpi adds and relies on:
the file in the repository is exactly what the generator writes, every interface function has a
wrapper with the catalogue's arguments whose result goes through the error mapping, the mapping
knows every Excel error value with its CVErr number, and the help texts are registered.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from xl_kpi import catalogue, cli, udfs
from xl_kpi.commands import vba
from xl_kpi.errors import EXCEL_ERRORS

REPO = Path(__file__).resolve().parents[1]
BAS = REPO / "udfs.bas"
NAMES = sorted(catalogue.INTERFACE)


@pytest.fixture(scope="module")
def text() -> str:
    return vba.generate()


@pytest.fixture(scope="module")
def lines(text) -> list[str]:
    return text.split("\r\n")


def _wrapper(lines, name):
    start = lines.index(next(l for l in lines if re.match(rf"Function {name}\(", l)))
    end = lines.index("End Function", start)
    return lines[start : end + 1]


def _committed(text) -> bytes:
    """udfs.bas as the installed xlwings would write it.

    The file is generated for the add-in of current xlwings, whose VBA module is ``XLPy``; the
    add-in of xlwings 0.30 (still allowed by the pyproject) names it ``Py``, and the generator of
    that version writes ``Py.CallUDF``. Nothing else differs between the two.
    """
    committed = BAS.read_bytes()
    if "XLPy.CallUDF" not in text:
        committed = committed.replace(b"XLPy.CallUDF", b"Py.CallUDF")
    return committed


def _call(text) -> str:
    return "XLPy.CallUDF" if "XLPy.CallUDF" in text else "Py.CallUDF"


def _vba_strings(line):
    return [s.replace('""', '"') for s in re.findall(r'"((?:[^"]|"")*)"', line)]


def test_udfs_bas_in_the_repository_is_what_the_generator_writes(text):
    assert _committed(text) == text.encode("ascii"), "udfs.bas is stale: run `xl-kpi vba -o udfs.bas`"


@pytest.mark.slow
def test_generation_is_deterministic_across_processes(text):
    outputs = set()
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        run = subprocess.run(
            [sys.executable, "-m", "xl_kpi", "vba"], capture_output=True, env=env, cwd=REPO, check=True
        )
        outputs.add(run.stdout)
    assert outputs == {text.replace("\r\n", "\n").encode("ascii")}


def test_module_header_line_ends_and_vba_limits(text, lines):
    assert lines[0] == f'Attribute VB_Name = "{vba.VB_NAME}"'
    assert '#Const App = "Microsoft Excel"' in lines  # the wrappers' #If needs it
    assert text.isascii() and "\n" not in text.replace("\r\n", "")
    assert text.endswith("\r\n")
    assert max(map(len, lines)) <= 1023  # the VBA editor's line limit
    continued = 0
    for line in lines:  # at most 24 line continuations per statement
        continued = continued + 1 if line.endswith(" _") else 0
        assert continued <= 24


def test_one_wrapper_per_udf_with_the_catalogue_arguments(lines):
    signatures = [l for l in lines if l.startswith("Function ")]
    assert sorted(re.match(r"Function (\w+)\(", l)[1] for l in signatures) == NAMES
    for name in NAMES:
        spec = catalogue.INTERFACE[name]
        expected = ", ".join(f"Optional {p.name}" if p.optional else p.name for p in spec.params)
        assert f"Function {name}({expected})" in signatures


@pytest.mark.parametrize("name", NAMES)
def test_every_wrapper_maps_its_python_result_to_excel_errors(text, lines, name):
    body = _wrapper(lines, name)
    arguments = ", ".join(p.name for p in catalogue.INTERFACE[name].params)
    call = _call(text)
    calls = [l.strip() for l in body if ".CallUDF" in l]
    assert calls == [
        f'{name} = KpiExcelErrors({call}("xl_kpi.udfs", "{name}", Array({arguments}), '
        "ThisWorkbook, Application.Caller))",
        f'{name} = KpiExcelErrors({call}("xl_kpi.udfs", "{name}", Array({arguments})))',
    ]


def test_error_mapping_gives_each_excel_error_its_cverr_number(text):
    cases = dict(re.findall(r'Case "([^"]+)": KpiExcelError = CVErr\((\d+)\)', text))
    assert sorted(cases) == sorted(EXCEL_ERRORS)
    # Microsoft, XlCVError enumeration: xlErrDiv0 2007, xlErrNA 2042, xlErrName 2029, xlErrNull 2000,
    # xlErrNum 2036, xlErrRef 2023, xlErrValue 2015, xlErrSpill 2045; xlErrGettingData 2043 and
    # xlErrCalc 2050 from the same enumeration in current Excel.
    assert cases == {
        "#NULL!": "2000", "#DIV/0!": "2007", "#VALUE!": "2015", "#REF!": "2023", "#NAME?": "2029",
        "#NUM!": "2036", "#N/A": "2042", "#GETTING_DATA": "2043", "#SPILL!": "2045", "#CALC!": "2050",
    }  # fmt: skip
    assert "Private Function KpiExcelErrors(ByVal result As Variant) As Variant" in text
    assert "result(i, j) = KpiExcelError(result(i, j))" in text  # every element of a spill


def test_help_texts_are_registered_for_every_function(lines):
    body = lines[lines.index("Public Sub KpiRegisterFunctions()") :]
    statements = " ".join(l.strip().removesuffix(" _") for l in body).split("Application.MacroOptions ")[1:]
    registered = {}
    for statement in statements:
        strings = _vba_strings(statement)
        registered[strings[0]] = strings  # name, description, category, argument help
    assert sorted(registered) == NAMES
    for name in NAMES:
        spec = catalogue.INTERFACE[name]
        strings = registered[name]
        assert strings[1] == udfs.UDFS[name].__doc__
        assert strings[2] == udfs.CATEGORY
        assert strings[3:] == [p.doc for p in spec.params]


def test_addin_wrappers_call_python_for_the_active_workbook():
    addin = vba.generate(addin=True)
    assert addin.count("ActiveWorkbook, Application.Caller") == len(NAMES)
    assert "ThisWorkbook, Application.Caller" not in addin


def test_generation_leaves_python_as_it_found_it():
    import xlwings

    before = (set(sys.modules), xlwings.func, xlwings.arg, xlwings.ret)
    vba.generate()
    after = (set(sys.modules), xlwings.func, xlwings.arg, xlwings.ret)
    assert after[1:] == before[1:]
    assert {"pythoncom", "pywintypes", "win32com", "win32com.client"} & (after[0] - before[0]) == set()
    if not sys.platform.startswith("win"):  # the module in use keeps no-op decorators here
        assert not any(hasattr(f, "__xlfunc__") for f in udfs.UDFS.values())


def test_vba_command_writes_and_checks_the_file(tmp_path, capsys, text):
    target = tmp_path / "udfs.bas"
    assert cli.main(["vba", "--check", "-o", str(target)]) == 1  # missing
    assert cli.main(["vba", "-o", str(target)]) == 0
    assert target.read_bytes() == _committed(text)
    assert cli.main(["vba", "--check", "-o", str(target)]) == 0
    target.write_bytes(target.read_bytes().replace(b"KPI_NRR = KpiExcelErrors(", b"KPI_NRR = ("))
    assert cli.main(["vba", "--check", "-o", str(target)]) == 1
    assert "out of date" in capsys.readouterr().err


# -- the error helper, run by a VBA interpreter ----------------------------------------------------

_CHECKS = r"""
Sub Main
    Dim f As Integer, grid(1 To 2, 1 To 3) As Variant, row(0 To 2) As Variant, r As Variant
    f = FreeFile
    Open "{out}" For Output As #f
    r = KpiExcelErrors("#DIV/0!")
    Print #f, "scalar-error " & IIf(IsError(r) And r = CVErr(2007), "ok", "FAIL")
    r = KpiExcelErrors(0.25)
    Print #f, "scalar-number " & IIf(Not IsError(r) And r = 0.25, "ok", "FAIL")
    r = KpiExcelErrors("")
    Print #f, "no-data-stays-empty " & IIf(Not IsError(r) And r = "", "ok", "FAIL")
    grid(1, 1) = 1.5: grid(1, 2) = "#N/A": grid(1, 3) = "#NUM!"
    grid(2, 1) = "#VALUE!": grid(2, 2) = "churn": grid(2, 3) = "#SPILL!"
    r = KpiExcelErrors(grid)
    Print #f, "spill-number " & IIf(r(1, 1) = 1.5, "ok", "FAIL")
    Print #f, "spill-errors " & IIf(r(1, 2) = CVErr(2042) And r(1, 3) = CVErr(2036) _
        And r(2, 1) = CVErr(2015) And r(2, 3) = CVErr(2045), "ok", "FAIL")
    Print #f, "spill-text " & IIf(Not IsError(r(2, 2)) And r(2, 2) = "churn", "ok", "FAIL")
    row(0) = "#REF!": row(1) = 2: row(2) = "#CALC!"
    r = KpiExcelErrors(row)
    Print #f, "one-dimension " & IIf(r(0) = CVErr(2023) And r(1) = 2 And r(2) = CVErr(2050), "ok", "FAIL")
    Close #f
End Sub
"""


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice (soffice) for its Basic")
def test_error_helper_gives_error_values_when_run_by_libreoffice_basic_in_vba_mode(tmp_path, text):
    """Not Excel, but a VBA-compatible interpreter: the helper of udfs.bas, as written, turns the
    markers into error values (IsError, = CVErr(n)) in a result, a 2-D spill and a 1-D array."""
    import html

    bas = text.replace("\r\n", "\n")
    helpers = bas[bas.index("' -- Excel error values") : bas.index("' -- Help texts")]
    out = tmp_path / "checks.txt"
    code = "Option VBASupport 1\nOption Explicit\n" + helpers + _CHECKS.replace("{out}", str(out))
    profile = tmp_path / "profile"
    run = ["soffice", "--headless", f"-env:UserInstallation={profile.as_uri()}"]
    subprocess.run([*run, "--terminate_after_init"], capture_output=True, timeout=180)
    module = profile / "user" / "basic" / "Standard" / "Module1.xba"
    module.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE script:module PUBLIC '
        '"-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">\n<script:module '
        'xmlns:script="http://openoffice.org/2000/script" script:name="Module1" '
        f'script:language="StarBasic">{html.escape(code, quote=False)}</script:module>'
    )
    subprocess.run([*run, "macro:///Standard.Module1.Main"], capture_output=True, timeout=180)
    results = dict(line.split() for line in out.read_text().splitlines())
    assert results == {
        name: "ok"
        for name in ("scalar-error", "scalar-number", "no-data-stays-empty", "spill-number", "spill-errors",
                     "spill-text", "one-dimension")
    }  # fmt: skip
