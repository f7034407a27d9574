"""Benchmark: ``xl-kpi recalc`` against LibreOffice headless on the same workbooks, same run.

Three measurements, each the median of several whole-process runs:

1. a generated book of 20,000 formula cells (native and KPI_* mixed, formulas copied down rows,
   array formulas spilling down a column, a summary sheet of whole-column aggregates);
2. the template dashboard (``workbooks/xl-kpi-example-en.xlsx``, when it exists);
3. twenty copies of that dashboard (or of a smaller generated book) with ``--jobs 2``;
4. with ``--big``: a finance book of 300,008 native formulas (``--big-rows`` x 6 formulas: IF,
   IFERROR, ROUND, INDEX/MATCH and SUMIFS/COUNTIFS into lookup tables; 8 whole-column
   summaries), written twice: by openpyxl (one ``<f>`` per cell) and as Excel writes it (each
   column one shared-formula group, ``<f t="shared" si=".." ref="..">``).

LibreOffice does not know the KPI_* functions (it shows #NAME? there) but loads, recalculates and
saves the same file, which is the work being compared. Prints the times and the ratio
xl-kpi / LibreOffice (below 1.0: xl-kpi is faster).

Run: ``python benchmarks/recalc.py [--rows 4000] [--repeat 5] [--big [--big-rows 50000]]``
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ROW_FORMULAS = (
    "=IF(A{r}=0,0,B{r}/A{r})",
    '=IF(F{r}>0.05,"high","ok")',
    "=ROUND(A{r}*F{r},2)",
    "=KPI_NRR(A{r},B{r},C{r},D{r})",
    "=IFERROR(D{r}/E{r},0)",
)


def build_book(path: str | os.PathLike, rows: int = 4000) -> int:
    """Write the benchmark workbook; returns its number of formula cells (array cells counted)."""
    from openpyxl import Workbook
    from openpyxl.worksheet.formula import ArrayFormula

    wb = Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(["start_mrr", "expansion", "contraction", "churned", "customers",
               "growth", "band", "amount", "nrr", "churn_per_customer", "churn", "segment"])
    for i in range(rows):
        r = i + 2
        start = 1000 + (i * 37) % 9000 if i % 97 else 0
        ws.append([start, (i * 13) % 400, (i * 7) % 150, (i * 11) % 300, (i % 40) + (0 if i % 53 else -i % 40),
                   *(f.format(r=r) for f in ROW_FORMULAS), None, ["north", "south", "east", "west"][i % 4]])
    last = rows + 1
    ws["K2"] = ArrayFormula(f"K2:K{last}", f"=KPI_CHURN(D2:D{last},E2:E{last})")
    s = wb.create_sheet("Summary")
    cells = {
        "B1": "=SUM(Data!A:A)", "B2": "=AVERAGE(Data!F2:F{last})", "B3": '=COUNTIFS(Data!G:G,"high")',
        "B4": "=SUMPRODUCT(Data!A2:A{last},Data!F2:F{last})", "B5": '=SUMIFS(Data!A:A,Data!L:L,"north")',
        "B6": "=MAX(Data!H:H)-MIN(Data!H:H)", "B7": '=INDEX(Data!I2:I{last},MATCH("west",Data!L2:L{last},0))',
        "B8": "=KPI_MRR(Data!A2:A{last})", "B9": "=KPI_NRR(SUM(Data!A:A),SUM(Data!B:B),SUM(Data!C:C),SUM(Data!D:D))",
        "B10": "=EOMONTH(DATE(2024,1,31),B3-B3+1)", "B11": '=TEXT(B9,"0.0%")',
    }
    for ref, f in cells.items():
        s[ref] = f.format(last=last)
    wb.save(path)
    return rows * len(ROW_FORMULAS) + rows + len(cells)


BIG_FORMULAS = (
    "=IF(A{r}=0,0,B{r}/A{r})",
    "=IFERROR(C{r}/D{r},0)",
    "=ROUND(A{r}*(1+G{r}),2)",
    "=INDEX(Rates!$B$2:$B$13,MATCH(E{r},Rates!$A$2:$A$13,0))",
    "=SUMIFS(Plans!$B$2:$B$21,Plans!$A$2:$A$21,F{r})+COUNTIFS(Plans!$A$2:$A$21,F{r},Plans!$C$2:$C$21,\">0\")",
    '=IF(J{r}>1000,"large",IF(J{r}>100,"mid","small"))',
)
BIG_SUMMARY = (
    "=SUM(Data!J:J)", "=AVERAGE(Data!H2:H{last})", '=COUNTIFS(Data!M:M,"large")',
    '=SUMIFS(Data!J:J,Data!E:E,"EU",Data!M:M,"mid")', "=SUMPRODUCT(Data!A2:A{last},Data!G2:G{last})",
    "=MAX(Data!I:I)-MIN(Data!I:I)", '=INDEX(Data!K2:K{last},MATCH("P7",Data!F2:F{last},0))',
    '=IFERROR(ROUND(B1/COUNT(Data!J:J),2),0)',
)
REGIONS = ("EU", "US", "UK", "APAC", "LATAM", "MEA", "CA", "DE", "FR", "JP", "IN", "BR")


def build_big_book(path: str | os.PathLike, rows: int = 50_000, shared: bool = False) -> int:
    """A finance book of ``rows`` x 6 native formulas plus 8 summaries; returns the formula count.

    ``shared``: the formula columns are rewritten as Excel writes a filled-down column, one
    shared-formula group each (the master holds the text, the other cells ``<f t="shared" si=".."/>``).
    """
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(["revenue", "prior", "cost", "units", "region", "plan", "growth",
               "margin", "forecast", "rate", "plan_value", "band", "size"])
    for i in range(rows):
        r = i + 2
        prior = 0 if i % 89 == 0 else 500 + (i * 53) % 20_000
        ws.append([1000 + (i * 37) % 50_000, prior, (i * 17) % 9000, (i * 7) % 60 if i % 71 else 0,
                   REGIONS[i % 12], f"P{(i * 3) % 23}", ((i * 13) % 200 - 50) / 1000,
                   *(f.format(r=r) for f in BIG_FORMULAS)])
    rates = wb.create_sheet("Rates")
    rates.append(["region", "rate"])
    for k, region in enumerate(REGIONS):
        rates.append([region, 1 + k / 40])
    plans = wb.create_sheet("Plans")
    plans.append(["plan", "value", "seats"])
    for k in range(20):
        plans.append([f"P{k}", 100 * (k + 1), k % 5])
    s = wb.create_sheet("Summary")
    last = rows + 1
    for k, f in enumerate(BIG_SUMMARY):
        s.cell(k + 1, 2, f.format(last=last))
    wb.save(path)
    if shared:
        _share_columns(path, "xl/worksheets/sheet1.xml", rows, len(BIG_FORMULAS))
    return rows * len(BIG_FORMULAS) + len(BIG_SUMMARY)


def _share_columns(path, member: str, rows: int, n: int) -> None:
    """Rewrite each formula column of ``member`` (columns H.. of rows 2..rows+1) as one shared group."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    last = rows + 1
    cols = [chr(ord("H") + k) for k in range(n)]

    def shared(m):
        col, row = m.group(1).decode(), int(m.group(2))
        si = cols.index(col)
        if row == 2:
            return (b'<c r="%s2"%s><f t="shared" ref="%s2:%s%d" si="%d">%s</f>'
                    % (m.group(1), m.group(3), m.group(1), m.group(1), last, si, m.group(4)))
        return b'<c r="%s%d"%s><f t="shared" si="%d"/>' % (m.group(1), row, m.group(3), si)

    cell = re.compile(rb'<c r="([%s])(\d+)"([^>]*)><f>([^<]*)</f>' % "".join(cols).encode())
    parts[member] = cell.sub(shared, parts[member])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def _time(cmd: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _run(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and its children) of one run.

    On a shared machine the CPU time is the steadier figure: wall time also counts the time
    other processes held the cores.
    """
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _compile_package() -> None:
    """Byte-compile xl_kpi as ``pip install`` does, so that the timed processes load its bytecode.

    An editable checkout run with ``PYTHONDONTWRITEBYTECODE`` set never caches it and compiles
    some 60 modules from source in every process (0.15 s), which no installed copy does; the
    dependencies are installed, compiled. Written to ``__pycache__`` (git-ignored).
    """
    import compileall

    compileall.compile_dir(str(ROOT / "xl_kpi"), quiet=1)


def _xl_kpi() -> list[str]:
    exe = Path(sys.executable).with_name("xl-kpi")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "xl_kpi"]


#: A LibreOffice profile of this run's own: with the shared one, a conversion started while another
#: LibreOffice runs is handed to that process and returns at once, timing nothing.
_PROFILE = ""


def _soffice(files: list[str], outdir: str) -> list[str]:
    return ["soffice", f"-env:UserInstallation=file://{_PROFILE}", "--headless", "--calc", "--convert-to",
            "xlsx", "--outdir", outdir, *files]


def _warm_libreoffice(tmp: str) -> None:
    """One untimed conversion, so that creating the profile is not timed."""
    from openpyxl import Workbook

    path = os.path.join(tmp, "warm.xlsx")
    wb = Workbook()
    wb.active["A1"] = "=1+1"
    wb.save(path)
    subprocess.run(_soffice([path], os.path.join(tmp, "warm")), check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=4000, help="rows of the generated book (5 formulas each)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--big", action="store_true", help="only the big finance book (300,008 formulas by default)")
    ap.add_argument("--big-rows", type=int, default=50_000, help="rows of the big book (6 formulas each)")
    args = ap.parse_args(argv)
    have_lo = shutil.which("soffice") is not None
    global _PROFILE
    _compile_package()
    _PROFILE = tempfile.mkdtemp(prefix="xl-kpi-bench-lo-")
    try:
        if args.big:
            return _big(args.big_rows, args.repeat, have_lo)
        return _standard(args, have_lo)
    finally:
        shutil.rmtree(_PROFILE, ignore_errors=True)


def _standard(args, have_lo: bool) -> int:
    """The 24,000-formula book, the example workbook and 20 copies of it."""
    from xl_kpi.recalc import recalculate

    with tempfile.TemporaryDirectory() as tmp:
        if have_lo:
            _warm_libreoffice(tmp)
        book = os.path.join(tmp, "bench.xlsx")
        cells = build_book(book, args.rows)
        print(f"workbook: {cells:,} formula cells ({args.rows:,} rows x {len(ROW_FORMULAS)} formulas, "
              f"a {args.rows:,}-cell array formula, 11 summary formulas)")
        out = os.path.join(tmp, "out.xlsx")
        ours = _time([*_xl_kpi(), "recalc", book, "-o", out], args.repeat)
        inner = recalculate(book, out)
        print(f"xl-kpi recalc : {ours:6.2f} s whole process ({inner.seconds:.2f} s in recalculate(): "
              f"{inner.shapes} shapes, {inner.vectorized:,} cells vectorized)")
        if have_lo:
            lo = _time(_soffice([book], os.path.join(tmp, "lo")), args.repeat)
            print(f"LibreOffice   : {lo:6.2f} s whole process")
            print(f"ratio xl-kpi / LibreOffice: {ours / lo:.2f}")
        else:
            print("LibreOffice not installed: no ratio")

        dashboard = ROOT / "workbooks" / "xl-kpi-example-en.xlsx"
        if dashboard.exists():
            dash = os.path.join(tmp, "dashboard.xlsx")
            shutil.copy(dashboard, dash)
            t = _time([*_xl_kpi(), "recalc", dash, "-o", os.path.join(tmp, "dash-out.xlsx")], args.repeat)
            r = recalculate(dash, os.path.join(tmp, "dash-out.xlsx"))
            line = (f"dashboard     : {t:6.2f} s whole process, {r.formulas:,} formulas "
                    f"({r.seconds:.2f} s in recalculate())")
            if have_lo:
                lo_d = _time(_soffice([dash], os.path.join(tmp, "lo")), args.repeat)
                line += f"; LibreOffice {lo_d:.2f} s; ratio {t / lo_d:.2f}"
            print(line)
            source = dash
        else:
            print("dashboard     : workbooks/xl-kpi-example-en.xlsx not built yet")
            source = os.path.join(tmp, "small.xlsx")
            build_book(source, 200)
        many = os.path.join(tmp, "many")
        os.makedirs(many)
        for i in range(20):
            shutil.copy(source, os.path.join(many, f"book{i:02d}.xlsx"))
        t = _time([*_xl_kpi(), "recalc", many, "-o", os.path.join(tmp, "many-out"), "--jobs", "2"],
                  max(1, args.repeat // 2))
        line = f"20 workbooks  : {t:6.2f} s with --jobs 2 ({t / 20:.3f} s a workbook)"
        if have_lo:
            files = sorted(str(p) for p in Path(many).iterdir())
            lo_m = _time(_soffice(files, os.path.join(tmp, "lo-many")), max(1, args.repeat // 2))
            line += f"; LibreOffice (one process, 20 files) {lo_m:.2f} s; ratio {t / lo_m:.2f}"
        print(line)
    return 0


def _big(rows: int, repeat: int, have_lo: bool) -> int:
    """The big finance book, as openpyxl and as Excel write it: xl-kpi against LibreOffice."""
    from xl_kpi.recalc import recalculate

    with tempfile.TemporaryDirectory() as tmp:
        if have_lo:
            _warm_libreoffice(tmp)
        for label, shared in (("openpyxl (one <f> a cell)", False), ("as Excel (shared formulas)", True)):
            book = os.path.join(tmp, f"big-{int(shared)}.xlsx")
            cells = build_big_book(book, rows, shared=shared)
            out = os.path.join(tmp, "out.xlsx")
            inner = recalculate(book, out)
            ours, lo = [], []
            for _ in range(repeat):  # alternated, so that a busy spell of the machine hits both
                ours.append(_run([*_xl_kpi(), "recalc", book, "-o", out]))
                if have_lo:
                    lo.append(_run(_soffice([book], os.path.join(tmp, "lo"))))
            wall, cpu = (statistics.median(x) for x in zip(*ours))
            line = (f"big book, {label}: {cells:,} formulas; xl-kpi {wall:6.2f} s whole process, "
                    f"{cpu:.2f} s CPU ({inner.seconds:.2f} s in recalculate(), {inner.shapes} shapes)")
            if have_lo:
                lo_wall, lo_cpu = (statistics.median(x) for x in zip(*lo))
                line += (f"; LibreOffice {lo_wall:.2f} s, {lo_cpu:.2f} s CPU; ratio {wall / lo_wall:.2f} "
                         f"(CPU {cpu / lo_cpu:.2f})")
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
