"""Benchmark: ``xl-kpi recalc`` against LibreOffice headless on the same workbooks, same run.

Three measurements, each the median of several whole-process runs:

1. a generated book of 20,000 formula cells (native and KPI_* mixed, formulas copied down rows,
   array formulas spilling down a column, a summary sheet of whole-column aggregates);
2. the template dashboard (``workbooks/xl-kpi-example-en.xlsx``, when it exists);
3. twenty copies of that dashboard (or of a smaller generated book) with ``--jobs 2``.

LibreOffice does not know the KPI_* functions (it shows #NAME? there) but loads, recalculates and
saves the same file, which is the work being compared. Prints the times and the ratio
xl-kpi / LibreOffice (below 1.0: xl-kpi is faster).

Run: ``python benchmarks/recalc.py [--rows 4000] [--repeat 5]``
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


def _time(cmd: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _xl_kpi() -> list[str]:
    exe = Path(sys.executable).with_name("xl-kpi")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "xl_kpi"]


def _soffice(files: list[str], outdir: str) -> list[str]:
    return ["soffice", "--headless", "--calc", "--convert-to", "xlsx", "--outdir", outdir, *files]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=4000, help="rows of the generated book (5 formulas each)")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    have_lo = shutil.which("soffice") is not None
    with tempfile.TemporaryDirectory() as tmp:
        book = os.path.join(tmp, "bench.xlsx")
        cells = build_book(book, args.rows)
        print(f"workbook: {cells:,} formula cells ({args.rows:,} rows x {len(ROW_FORMULAS)} formulas, "
              f"a {args.rows:,}-cell array formula, 11 summary formulas)")
        out = os.path.join(tmp, "out.xlsx")
        ours = _time([*_xl_kpi(), "recalc", book, "-o", out], args.repeat)
        from xl_kpi.recalc import recalculate

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


if __name__ == "__main__":
    sys.exit(main())
