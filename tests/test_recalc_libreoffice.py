"""xl-kpi recalc checked against a real spreadsheet application: LibreOffice Calc, headless.

1. A workbook of native formulas (no cached values) is recalculated by xl-kpi and by LibreOffice;
   every formula cell must agree.
2. xl-kpi's output of a KPI workbook, converted to CSV by LibreOffice without recalculation,
   shows the numbers xl-kpi computed (LibreOffice does not know KPI_* and would show #NAME?).
   LibreOffice recomputes on load the formula cells whose stored value is an error, so the
   error values themselves are checked in test_recalc.py, not here.

Skipped when ``soffice`` is not installed (``.ci/run`` installs it).
"""

from __future__ import annotations

import csv
import math
import shutil
import subprocess

import openpyxl
import pytest
from openpyxl.worksheet.formula import ArrayFormula
from test_recalc_support import make_book, values

from xl_kpi.recalc import recalculate

pytestmark = [pytest.mark.slow,  # LibreOffice runs in a subprocess
              pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")]


def _soffice(args: list[str], tmp_path) -> None:
    profile = tmp_path / "lo-profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", *args],
                   check=True, capture_output=True, timeout=180)


def _native_book(path):
    data = {"A1": "amount", "B1": "customers", "C1": "region", "D1": "date"}
    regions = ["north", "south", "east", "west"]
    for r in range(2, 26):
        data[f"A{r}"] = (r * 37) % 101 - 20
        data[f"B{r}"] = r % 5
        data[f"C{r}"] = regions[r % 4]
        data[f"D{r}"] = f"=DATE(2024,{r % 12 + 1},{r})"
        data[f"E{r}"] = f"=IF(B{r}=0,0,A{r}/B{r})"
        data[f"F{r}"] = f'=IF(E{r}>5,"high","ok")'
        data[f"G{r}"] = f"=ROUND(E{r}*1.175,2)"
        data[f"H{r}"] = f"=IFERROR(A{r}/B{r},-1)"
        data[f"I{r}"] = f"=SUM($A$2:A{r})"
        data[f"J{r}"] = f"=COUNTIFS($C$2:$C$25,C{r},$A$2:$A$25,\">\"&A{r})"
        data[f"K{r}"] = f"=SUMIFS($A$2:$A$25,$C$2:$C$25,C{r})"
        data[f"L{r}"] = f"=AVERAGEIFS($A$2:$A$25,$C$2:$C$25,C{r},$B$2:$B$25,\">=\"&B{r})"
        data[f"M{r}"] = f"=EOMONTH(D{r},B{r})"
        data[f"N{r}"] = f"=INDEX($A$2:$A$25,MATCH(C{r},$C$2:$C$25,0))"
        data[f"O{r}"] = f"=AND(A{r}>0,OR(B{r}=1,B{r}=2))"
        data[f"P{r}"] = f'=TEXT(A{r},"0.00")&"/"&C{r}'
        data[f"Q{r}"] = f"=MAX(A{r}:B{r})-MIN(A{r}:B{r})+ABS(A{r})"
        data[f"R{r}"] = f"=A{r}/(B{r}-B{r})"
    summary = {
        "A1": "=SUM(Data!A:A)", "A2": "=AVERAGE(Data!A2:A25)", "A3": "=SUMPRODUCT(Data!A2:A25,Data!B2:B25)",
        "A4": '=COUNTIFS(Data!F2:F25,"high")', "A5": "=MIN(Data!E2:E25)", "A6": "=MAX(Data!G:G)",
        "A7": '=SUMIFS(Data!A2:A25,Data!C2:C25,"n*")', "A8": "=ROUND(AVERAGEIFS(Data!A2:A25,Data!B2:B25,\">2\"),4)",
        "A9": "=YEAR(Data!M2)*10000+MONTH(Data!M2)*100+DAY(Data!M2)", "A10": "=Total*2",
        "A11": '=IF(A1>100,"big","small")',
    }
    return make_book(path, {"Data": data, "Summary": summary}, names={"Total": "Data!$A$2:$A$25"},
                     arrays={"Summary!C1": ("C1:C4", "=Data!A2:A5*Data!B2:B5")})


def _same(a, b) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    if hasattr(a, "year") or hasattr(b, "year"):  # LibreOffice may type a date cell
        return str(a)[:10] == str(b)[:10]
    return a == b


def test_native_formulas_agree_with_libreoffice(tmp_path):
    src = _native_book(tmp_path / "native.xlsx")
    report = recalculate(src, tmp_path / "ours.xlsx")
    assert report.ok and not report.issues
    (tmp_path / "lo").mkdir()
    _soffice(["--calc", "--convert-to", "xlsx", "--outdir", str(tmp_path / "lo"), src], tmp_path)
    ours, theirs = values(tmp_path / "ours.xlsx"), values(tmp_path / "lo" / "native.xlsx")
    formulas = openpyxl.load_workbook(src)
    checked = 0
    for ws in formulas.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if (isinstance(cell.value, str) and cell.value.startswith("=")) or isinstance(cell.value, ArrayFormula):
                    a, b = ours[ws.title].get(cell.coordinate), theirs[ws.title].get(cell.coordinate)
                    assert _same(a, b), f"{ws.title}!{cell.coordinate} {cell.value}: xl-kpi {a!r}, LibreOffice {b!r}"
                    checked += 1
    assert checked == 24 * 15 + 12
    assert [ours["Summary"].get(f"C{r}") for r in range(1, 5)] == [theirs["Summary"].get(f"C{r}") for r in range(1, 5)]


def test_libreoffice_shows_the_kpi_values_xl_kpi_stored(tmp_path):
    cells = {"A1": "start", "B1": "expansion", "C1": "contraction", "D1": "churned", "E1": "nrr", "F1": "churn"}
    for r in range(2, 8):
        cells.update({f"A{r}": 1000 * r, f"B{r}": 50 * r, f"C{r}": 20 * r, f"D{r}": 30 + r,
                      f"E{r}": f"=KPI_NRR(A{r},B{r},C{r},D{r})", f"F{r}": f"=KPI_CHURN(D{r},A{r})"})
    src = make_book(tmp_path / "kpi.xlsx", {"KPIs": cells})
    assert recalculate(src, tmp_path / "ours.xlsx").ok
    (tmp_path / "csv").mkdir()
    _soffice(["--convert-to", "csv", "--outdir", str(tmp_path / "csv"), str(tmp_path / "ours.xlsx")], tmp_path)
    with open(tmp_path / "csv" / "ours.csv", newline="") as fh:
        rows = list(csv.reader(fh))
    from xl_kpi.udfs import UDFS

    for r in range(2, 8):
        expected = UDFS["KPI_NRR"](1000 * r, 50 * r, 20 * r, 30 + r)
        assert math.isclose(float(rows[r - 1][4]), expected, rel_tol=1e-9)
        assert math.isclose(float(rows[r - 1][5]), UDFS["KPI_CHURN"](30 + r, 1000 * r), rel_tol=1e-9)
