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

MEMORY_CAP = 512 << 20  # address space of a child run; numpy and pycel loaded take under 300 MB
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


def run_cli(*args: str, timeout: float = TIMEOUT, memory: int = MEMORY_CAP,
            cpu: int | None = None) -> subprocess.CompletedProcess:
    """``xl-kpi ARGS`` in a child process under a memory cap (address space) and a timeout;
    ``cpu`` seconds of CPU time per process (each worker then dies of SIGXCPU past it)."""
    def limit():  # runs in the child before exec
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        if cpu is not None:
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 30))

    return subprocess.run([sys.executable, "-m", "xl_kpi", *args], capture_output=True, text=True,
                          timeout=timeout, preexec_fn=limit)


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


@pytest.mark.slow
def test_a_chain_of_3000_defined_names_computes(tmp_path):
    names = {"Step1": "S!$B$1", **{f"Step{i}": f"Step{i - 1}+1" for i in range(2, 3001)}}
    value, _ = _one_formula(tmp_path, "=Step3000", {"B1": 5}, names=names)
    assert value == 3004


def test_names_referring_to_each_other_are_name_errors(tmp_path):
    value, report = _one_formula(tmp_path, "=Loop1", names={"Loop1": "Loop2+1", "Loop2": "Loop1"})
    assert value == "#NAME?"
    assert any("refers to itself" in i for i in report.issues)


# ---------------------------------------------------------------------------------------------
# Zip bombs and size limits: refused before the work, in bounded memory


def _patch_declared_size(path: str, member: str, size: int) -> None:
    """Make the central directory claim ``size`` unzipped bytes for ``member``."""
    data = bytearray(Path(path).read_bytes())
    entry = data.rfind(b"PK\x01\x02", 0, data.rfind(member.encode()))
    data[entry + 24: entry + 28] = size.to_bytes(4, "little")
    Path(path).write_bytes(bytes(data))


def test_a_declared_size_beyond_the_limit_is_refused_before_reading(tmp_path):
    src = raw_book(tmp_path / "bomb.xlsx", b'<row r="1"><c r="A1"><f>1+1</f></c></row>')
    _patch_declared_size(src, "xl/worksheets/sheet1.xml", 3_000_000_000)
    r = run_cli("recalc", src, "-o", str(tmp_path / "out.xlsx"))
    assert r.returncode == 2
    assert "more than the limit of 1 GiB" in r.stderr and "--max-unzipped-size" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out.xlsx").exists()


@pytest.mark.slow
def test_a_bomb_of_ten_million_cells_is_refused_by_the_default_cell_limit(tmp_path):
    cells = b'<row r="1">' + b'<c r="A1"/>' * 10_000_001 + b"</row>"
    src = raw_book(tmp_path / "bomb.xlsx", cells)
    assert os.path.getsize(src) < 1_000_000  # 110 MB of XML in a small file
    r = run_cli("recalc", src, "-o", str(tmp_path / "out.xlsx"))
    assert r.returncode == 2
    assert "more than 10,000,000 cells" in r.stderr and "--max-cells" in r.stderr


@pytest.mark.slow
def test_the_cell_limit_can_be_lowered_and_raised(tmp_path):
    cells = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (i, i) for i in range(1, 2001))
    src = raw_book(tmp_path / "book.xlsx", cells + b'<row r="2001"><c r="B1"><f>SUM(A:A)</f></c></row>')
    low = run_cli("recalc", src, "-o", str(tmp_path / "out.xlsx"), "--max-cells", "1000")
    assert low.returncode == 2 and "more than 1,000 cells" in low.stderr
    ok = run_cli("recalc", src, "-o", str(tmp_path / "out.xlsx"), "--max-cells", "5000")
    assert ok.returncode == 0, ok.stderr


@pytest.mark.parametrize("declared", ["honest", "lying"])
@pytest.mark.slow
def test_a_sheet_of_whitespace_stops_at_the_unzipped_limit(tmp_path, declared):
    src = tmp_path / "spaces.xlsx"
    raw_book(src, b'<row r="1"><c r="A1"><f>1+1</f></c></row>',
             drop=("xl/worksheets/sheet1.xml",))
    with zipfile.ZipFile(src, "a", zipfile.ZIP_DEFLATED) as z:
        with z.open("xl/worksheets/sheet1.xml", "w") as fh:
            fh.write(_SHEET.split(b"%s")[0])
            for _ in range(200):
                fh.write(b" " * (1 << 20))
            fh.write(_SHEET.split(b"%s")[1])
    if declared == "lying":  # the zip claims 1,000 bytes: reading stops there, the CRC fails
        _patch_declared_size(str(src), "xl/worksheets/sheet1.xml", 1000)
    r = run_cli("recalc", str(src), "-o", str(tmp_path / "out.xlsx"), "--max-unzipped-size", "64M")
    assert r.returncode == 2
    if declared == "honest":
        assert "declares 200 MiB unzipped" in r.stderr and "the limit of 64 MiB" in r.stderr
    else:
        assert "damaged zip member xl/worksheets/sheet1.xml" in r.stderr


@pytest.mark.slow
def test_a_large_media_member_is_streamed_not_read_into_memory(tmp_path):
    src = tmp_path / "media.xlsx"
    raw_book(src, b'<row r="1"><c r="A1"><f>1+1</f></c></row>')
    cap, size = 400 << 20, 320 << 20  # the interpreter and numpy take ~150 MB: 320 MB do not fit
    with zipfile.ZipFile(src, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        with z.open("xl/media/video.bin", "w", force_zip64=True) as fh:
            block = b"\0" * (8 << 20)
            for _ in range(size // len(block)):
                fh.write(block)
    r = run_cli("recalc", str(src), "-o", str(tmp_path / "out.xlsx"), "--max-unzipped-size", "2G", memory=cap)
    assert r.returncode == 0, r.stderr
    with zipfile.ZipFile(tmp_path / "out.xlsx") as z:
        assert z.getinfo("xl/media/video.bin").file_size == size


def test_sizes_are_given_with_binary_units():
    from xl_kpi.commands.recalc import _size

    assert _size("64M") == 64 << 20 and _size("2GiB") == 2 << 30 and _size("1.5G") == 3 << 29
    assert _size("4096") == 4096


# ---------------------------------------------------------------------------------------------
# Odd cells: the cell its error (and a note), or the workbook refused with a one-line reason


def _recalc_raw(tmp_path, cells: bytes, **kw):
    from xl_kpi.recalc import recalculate

    src = raw_book(tmp_path / "odd.xlsx", cells, **kw)
    return recalculate(src, tmp_path / "out.xlsx")


def _cell(tmp_path, ref: str):
    """A cell's stored value, read from the XML (openpyxl itself cannot open these odd files)."""
    from xml.etree import ElementTree as ET

    with zipfile.ZipFile(tmp_path / "out.xlsx") as z:
        root = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    cell = next(c for c in root.iter(ns + "c") if c.get("r") == ref)
    v = cell.find(ns + "v").text
    return v if cell.get("t") in ("e", "str") else float(v)


def _b1(tmp_path):
    return _cell(tmp_path, "B1")


@pytest.mark.parametrize("a1, error, note", [
    (b'<c r="A1"><v>INF</v></c>', "#NUM!", "not finite"),
    (b'<c r="A1"><v>NaN</v></c>', "#NUM!", "not finite"),
    (b'<c r="A1"><v>abc</v></c>', "#VALUE!", "'abc' is not a number"),
    (b'<c r="A1" t="s"><v>x</v></c>', "#VALUE!", "shared string 'x' does not exist"),
    (b'<c r="A1" t="s"><v>-1</v></c>', "#VALUE!", "shared string '-1' does not exist"),
    (b'<c r="A1" t="s"><v>2</v></c>', "#VALUE!", "the table has 2"),
    (b'<c r="A1" t="d"><v>yesterday</v></c>', "#VALUE!", "not an ISO 8601 date"),
], ids=["inf", "nan", "abc", "sst-text", "sst-minus-1", "sst-out-of-range", "bad-date"])
def test_an_unreadable_value_is_read_as_an_error_with_a_note(tmp_path, a1, error, note):
    report = _recalc_raw(tmp_path, b'<row r="1">' + a1 + b'<c r="B1"><f>A1</f></c></row>', shared=["a", "b"])
    assert report.ok, report.reason
    assert _b1(tmp_path) == error
    assert any(i.startswith("S!A1: ") and note in i for i in report.issues), report.issues


def test_the_first_shared_strings_still_read_normally(tmp_path):
    report = _recalc_raw(tmp_path, b'<row r="1"><c r="A1" t="s"><v>1</v></c><c r="B1"><f>A1</f></c></row>',
                         shared=["a", "b"])
    assert report.ok and _b1(tmp_path) == "b"


def test_many_odd_cells_are_counted_not_listed(tmp_path):
    cells = b'<row r="1">' + b"".join(b'<c r="A%d"><v>?</v></c>' % i for i in range(1, 40)) + b"</row>"
    report = _recalc_raw(tmp_path, cells + b'<row r="50"><c r="B50"><f>1</f></c></row>')
    assert report.ok
    assert sum("is not a number" in i for i in report.issues) == 5
    assert any("34 more odd cells" in i for i in report.issues)


@pytest.mark.parametrize("formula", [b"<f/>", b"<f> </f>"], ids=["empty", "blank"])
def test_an_empty_formula_is_an_error_cell_with_a_note(tmp_path, formula):
    report = _recalc_raw(tmp_path, b'<row r="1"><c r="B1">' + formula + b"</c></row>")
    assert report.ok, report.reason
    assert _b1(tmp_path) == "#NAME?"
    assert "S!B1: empty formula" in report.issues


def test_an_array_formula_with_a_range_that_is_not_one_computes_its_own_cell(tmp_path):
    report = _recalc_raw(tmp_path, b'<row r="1"><c r="B1"><f t="array" ref="ZZZZ">1+1</f></c></row>')
    assert report.ok, report.reason
    assert _b1(tmp_path) == 2
    assert any("'ZZZZ' is not a range" in i for i in report.issues)


@pytest.mark.parametrize("case, reason", [
    ("utf8-value", "not valid UTF-8"),
    ("utf8-formula", "not valid UTF-8"),
    ("missing-sheet", "sheet 'S' is missing: its part xl/worksheets/sheet1.xml is not in the package"),
    ("no-relationships", "no relationships part (xl/_rels/workbook.xml.rels)"),
    ("damaged-media", "damaged zip member xl/media/image1.png"),
    ("damaged-rels", "damaged relationships part"),
])
def test_a_damaged_package_is_refused_with_a_one_line_reason(tmp_path, case, reason):
    formula = b'<row r="1"><c r="A1"><f>1+1</f></c></row>'
    kw: dict = {}
    if case == "utf8-value":
        formula = b'<row r="1"><c r="A1" t="str"><v>\xff\xfe</v></c><c r="B1"><f>A1</f></c></row>'
    elif case == "utf8-formula":
        formula = b'<row r="1"><c r="A1"><f>1+"\xff"</f></c></row>'
    elif case == "missing-sheet":
        kw["drop"] = ("xl/worksheets/sheet1.xml",)
    elif case == "no-relationships":
        kw["drop"] = ("xl/_rels/workbook.xml.rels",)
    elif case == "damaged-media":
        kw["extra"] = {"xl/media/image1.png": os.urandom(1000) * 5}
    elif case == "damaged-rels":
        kw["extra"] = {"xl/_rels/workbook.xml.rels": b"<Relationships"}
    src = raw_book(tmp_path / "bad.xlsx", formula, **kw)
    if case == "damaged-media":  # flip bytes inside the compressed data of the member
        data = bytearray(Path(src).read_bytes())
        at = data.find(b"xl/media/image1.png") + len("xl/media/image1.png") + 100
        data[at: at + 50] = bytes(50)
        Path(src).write_bytes(bytes(data))
    r = run_cli("recalc", src, "-o", str(tmp_path / "out.xlsx"))
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and reason in lines[0] and "please report" not in lines[0], lines
    assert not (tmp_path / "out.xlsx").exists()


# ---------------------------------------------------------------------------------------------
# --jobs: a dead worker fails its own file only; workers die with their parent


def _job(job):
    """A test job: ("ok", x) answers; ("die-once", marker) is SIGKILLed on its first run."""
    import signal

    kind, arg = job
    if kind == "die-always" or (kind == "die-once" and not os.path.exists(arg)):
        if kind == "die-once":
            Path(arg).touch()
        os.kill(os.getpid(), signal.SIGKILL)
    if kind == "raise":
        raise ValueError("a defect")
    return {"path": arg, "ok": True}


def _job_failed(job, reason):
    return {"path": job[1], "ok": False, "reason": reason}


def test_a_killed_worker_fails_only_its_own_job_after_one_retry(tmp_path):
    from xl_kpi.commands.workers import run_each

    jobs = [("ok", "a"), ("die-always", "b"), ("die-once", str(tmp_path / "marker")), ("ok", "d"),
            ("raise", "e")]
    results = run_each(jobs, _job, parallel=2, failed=_job_failed)
    assert [r["ok"] for r in results] == [True, False, True, True, False]
    assert "killed by SIGKILL (out of memory?), 2 attempts" in results[1]["reason"]
    assert "ValueError: a defect" in results[4]["reason"]


@pytest.mark.slow
def test_a_worker_killed_in_a_batch_fails_its_workbook_only(tmp_path):
    folder = tmp_path / "books"
    folder.mkdir()
    for i in range(3):
        _book(folder / f"small{i}.xlsx")
    rows = b"".join(b'<row r="%d"><c r="A%d"><f>A%d+1</f></c></row>' % (r, r, r - 1) for r in range(2, 25_001))
    raw_book(folder / "slow.xlsx", b'<row r="1"><c r="A1"><v>1</v></c></row>' + rows)  # > 1 s of CPU
    r = run_cli("recalc", str(folder), "-o", str(tmp_path / "out"), "--jobs", "2", "--json", cpu=1, timeout=120)
    assert r.returncode == 2
    import json

    reports = {Path(w["path"]).name: w for w in json.loads(r.stdout)["workbooks"]}
    assert all(reports[f"small{i}.xlsx"]["ok"] for i in range(3))
    assert not reports["slow.xlsx"]["ok"]
    assert "killed by SIGXCPU, 2 attempts" in reports["slow.xlsx"]["reason"]


def _children(pid: int) -> list[int]:
    try:
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_die_with_their_parent(tmp_path):
    import signal
    import textwrap
    import time

    code = textwrap.dedent("""
        import time
        from xl_kpi.commands.workers import run_each

        def slow(job):
            time.sleep(60)
            return {}

        run_each([1, 2], slow, parallel=2, failed=lambda job, why: {})
    """)
    proc = subprocess.Popen([sys.executable, "-c", code])
    try:
        deadline = time.monotonic() + 30
        workers: list[int] = []
        while time.monotonic() < deadline and len(workers) < 2:
            workers = _children(proc.pid)
            time.sleep(0.02)
        assert len(workers) == 2
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(w) for w in workers):
            time.sleep(0.05)
        assert not [w for w in workers if _alive(w)]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_ctrl_c_during_a_batch_ends_every_worker_and_leaves_no_temporary_file(tmp_path):
    import signal
    import time

    folder = tmp_path / "books"
    folder.mkdir()
    rows = b"".join(b'<row r="%d"><c r="A%d"><f>A%d+1</f></c></row>' % (r, r, r - 1) for r in range(2, 25_001))
    for i in range(3):
        raw_book(folder / f"slow{i}.xlsx", b'<row r="1"><c r="A1"><v>1</v></c></row>' + rows)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "xl_kpi", "recalc", str(folder), "-o", str(out), "--jobs", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        workers: list[int] = []
        while time.monotonic() < deadline and len(workers) < 2:
            workers = _children(proc.pid)
            time.sleep(0.02)
        assert len(workers) == 2
        os.killpg(proc.pid, signal.SIGINT)  # as a terminal sends Ctrl-C to the whole group
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130 and "Traceback" not in err.decode()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.05)
    assert not [w for w in workers if _alive(w)]
    assert not [n for n in os.listdir(out) if n.startswith(".xl-kpi-")]


def _alive(pid: int) -> bool:
    return os.path.exists(f"/proc/{pid}") and _state(pid) != "Z"


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"


# ---------------------------------------------------------------------------------------------
# Whole columns and rows: their true size, without allocating it


@pytest.mark.parametrize("formula, excel", [
    ("=ROWS(A:A)", 1_048_576),
    ("=COLUMNS(2:2)", 16_384),
    ("=ROWS($A:$C)*COLUMNS(A:C)", 3 * 1_048_576),
    ("=COUNTBLANK(A:A)", 1_048_573),
    ('=COUNTIF(A:A,"")', 1_048_573),
    ('=COUNTIF(A:A,"<>1")', 1_048_575),
    ('=COUNTIFS(A:A,"",C:C,"")', 1_048_572),
    ("=COUNTA(A:A)", 3),
    ("=SUM(A:A)", 4),
    ("=INDEX(A:A,3)", 3),
    ("=INDEX(A:A,1048576)", 0),
    ("=INDEX(A:A,1048577)", "#REF!"),
], ids=lambda x: x if isinstance(x, str) else None)
def test_a_whole_column_has_excels_size(tmp_path, formula, excel):
    from xl_kpi.recalc import recalculate

    src = make_book(tmp_path / "in.xlsx", {"S": {"A1": 1, "A2": "x", "A3": 3, "C12": 5, "E1": formula}})
    report = recalculate(src, tmp_path / "out.xlsx")
    assert report.ok, report.reason
    assert values(tmp_path / "out.xlsx")["S"]["E1"] == excel


# ---------------------------------------------------------------------------------------------
# Numbers beyond the float range: Excel's #NUM!, never #VALUE! or a wrong 0


@pytest.mark.parametrize("formula, excel", [
    ("=FACT(200)", "#NUM!"),
    ("=FLOOR(1E308,1E-308)", "#NUM!"),
    ("=MOD(1E300,7)", "#NUM!"),
    ("=MOD(-10,3)", 2),
    ("=MOD(1E15,7)", 6),
])
def test_overflowing_functions_are_num_errors(formula, excel):
    from xl_kpi.excel_errors import ExcelError
    from xl_kpi.recalc import evaluate

    got = evaluate({}, formula)
    assert (str(got) if isinstance(got, ExcelError) else got) == excel


# ---------------------------------------------------------------------------------------------
# Inputs that would block or cost before any limit could be checked


def test_a_fifo_as_input_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipe.xlsx")
    r = run_cli("recalc", str(tmp_path / "pipe.xlsx"), "-o", str(tmp_path / "out.xlsx"), timeout=30)
    assert r.returncode == 2 and "not a regular file" in r.stderr


@pytest.mark.slow
def test_a_zip_of_more_members_than_a_workbook_could_have_is_refused(tmp_path):
    src = tmp_path / "many.xlsx"
    with zipfile.ZipFile(src, "w") as z:  # past 65,535 entries: a ZIP64 end record
        for i in range(100_001):
            z.writestr(f"m{i}", b"")
    r = run_cli("recalc", str(src), "-o", str(tmp_path / "out.xlsx"))
    assert r.returncode == 2 and "100,001 members" in r.stderr


def test_an_output_in_a_missing_folder_is_a_one_line_reason(tmp_path, capsys):
    src = _book(tmp_path / "in.xlsx")
    assert main(["recalc", src, "-o", str(tmp_path / "nowhere" / "out.xlsx")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_unclosed_cells_are_refused_in_linear_time(tmp_path):
    """8,000 cells missing their </c> took 30 s (each scanned to the end of the sheet), and the
    cells after them were read as blanks."""
    cells = b'<row r="1">' + b'<c r="A1" s="1"><v>1</v>' * 20_000 + b'</row><row r="2"><c r="B2"><f>1+1</f></c></row>'
    src = raw_book(tmp_path / "unclosed.xlsx", cells)
    r = run_cli("recalc", src, "-o", str(tmp_path / "out.xlsx"), timeout=20)
    assert r.returncode == 2 and "20,000 cell element(s) that cannot be read" in r.stderr


def test_shared_strings_beyond_the_cell_limit_are_refused(tmp_path):
    src = raw_book(tmp_path / "sst.xlsx", b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>',
                   shared=[f"s{i}" for i in range(2_000)])
    r = run_cli("recalc", src, "-o", str(tmp_path / "out.xlsx"), "--max-cells", "1000")
    assert r.returncode == 2 and "more than 1,000 strings" in r.stderr


def test_phonetic_runs_are_not_part_of_a_shared_string(tmp_path):
    from xl_kpi.recalc.package import _shared_strings

    xml = (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><r><t>To</t></r>'
           b'<r><t>kyo</t></r><rPh sb="0" eb="1"><t>TOU</t></rPh></si><si><t>b</t></si></sst>')
    assert _shared_strings(xml, 10) == ["Tokyo", "b"]


def test_an_add_in_function_at_the_end_of_a_long_chain_of_names_keeps_excels_value(tmp_path):
    """Excel computed 42 through an add-in function 3,000 names down: the value is kept."""
    names = b"<definedNames>" + b'<definedName name="Step1">MYADDIN(1)</definedName>' + b"".join(
        b'<definedName name="Step%d">Step%d+1</definedName>' % (i, i - 1) for i in range(2, 3001)) + b"</definedNames>"
    report = _recalc_raw(tmp_path, b'<row r="1"><c r="B1"><f>Step3000</f><v>42</v></c></row>', names=names)
    assert report.ok, report.reason
    assert _b1(tmp_path) == 42


def test_a_kept_formula_whose_stored_string_index_is_minus_one_does_not_read_the_last_string(tmp_path):
    report = _recalc_raw(tmp_path, b'<row r="1"><c r="A1"><f>B1&amp;"!"</f></c>'
                                   b'<c r="B1" t="s"><f>NOSUCHFUNC()</f><v>-1</v></c></row>', shared=["a", "b"])
    assert report.ok, report.reason
    assert _cell(tmp_path, "A1") != "b!"


def test_cdata_sections_read_as_their_text_as_an_xml_reader_does(tmp_path):
    # Excel never writes CDATA, but XML allows it anywhere text goes, and other writers use it
    cells = (b'<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[a<b & c]]></t></is></c>'
             b'<c r="B1"><v><![CDATA[41]]></v></c>'
             b'<c r="C1"><f><![CDATA[B1+1]]></f><v>0</v></c>'
             b'<c r="D1" t="str"><f>LEN(A1)&amp;"<![CDATA[!]]>"</f><v></v></c></row>')
    path = raw_book(tmp_path / "cdata.xlsx", cells)
    out = tmp_path / "out.xlsx"
    assert main(["recalc", path, "-o", str(out)]) == 0
    got = values(out)["S"]
    assert got["A1"] == "a<b & c" and got["B1"] == 41 and got["C1"] == 42 and got["D1"] == "7!"


def test_an_unclosed_cdata_section_stays_text_and_ends():
    from xl_kpi.recalc.package import _text

    assert _text(b"<![CDATA[x]]") == "<![CDATA[x]]"
    assert _text(b"a&amp;<![CDATA[&amp;]]><![CDATA[") == "a&&amp;<![CDATA["


def test_many_unclosed_cdata_sections_read_in_linear_time():
    import time

    from xl_kpi.recalc.package import _text

    raw = b"<![CDATA[" * 200_000  # quadratic scanning would take minutes
    started = time.process_time()
    assert _text(raw) == raw.decode()
    assert time.process_time() - started < 5  # a bound for a hang, not a speed figure
