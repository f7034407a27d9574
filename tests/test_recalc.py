"""xl-kpi recalc: values Excel would compute, written into the file without disturbing the rest.

Expected values are Excel's documented behaviour, worked by hand in each case (the LibreOffice
comparison lives in test_recalc_libreoffice.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from test_recalc_support import make_book, values

from xl_kpi.excel_errors import ExcelError
from xl_kpi.recalc import evaluate, recalculate, use_udfs

ROOT = Path(__file__).resolve().parents[1]


def recalc(tmp_path, sheets, **kw):
    src = make_book(tmp_path / "in.xlsx", sheets, **kw)
    report = recalculate(src, tmp_path / "out.xlsx")
    assert report.ok, report.reason
    return values(tmp_path / "out.xlsx"), report


# -- the file -----------------------------------------------------------------------------------


def test_output_keeps_formulas_and_stores_values_openpyxl_and_pandas_read(tmp_path):
    got, report = recalc(tmp_path, {"S": {"A1": 2, "A2": 3, "A3": "=A1*A2", "B1": '="x"&A1', "B2": "=A1>1",
                                          "B3": "=1/0"}})
    assert got["S"]["A3"] == 6 and got["S"]["B1"] == "x2" and got["S"]["B2"] is True
    assert got["S"]["B3"] == "#DIV/0!"
    formulas = openpyxl.load_workbook(tmp_path / "out.xlsx")["S"]
    assert formulas["A3"].value == "=A1*A2"
    frame = pd.read_excel(tmp_path / "out.xlsx", header=None)
    assert frame.iloc[2, 0] == 6
    assert report.formulas == 4 and report.errors == {"#DIV/0!": 1}


def test_errors_are_stored_as_error_cells(tmp_path):
    recalc(tmp_path, {"S": {"A1": "=1/0", "A2": "=NA()"}})
    with zipfile.ZipFile(tmp_path / "out.xlsx") as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert '<c r="A1" t="e"><f>1/0</f><v>#DIV/0!</v></c>' in xml
    assert '<c r="A2" t="e"><f>NA()</f><v>#N/A</v></c>' in xml


def test_input_untouched_and_no_temporary_file_left(tmp_path):
    src = make_book(tmp_path / "in.xlsx", {"S": {"A1": 1, "A2": "=A1+1"}})
    before = Path(src).read_bytes()
    recalculate(src, tmp_path / "out.xlsx")
    assert Path(src).read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.xlsx", "out.xlsx"]


def _members(path):
    with zipfile.ZipFile(path) as z:
        return {i.filename: hashlib.sha256(z.read(i)).hexdigest() for i in z.infolist()}


def test_template_charts_styles_and_every_other_part_survive_byte_for_byte(tmp_path):
    src = ROOT / "workbooks" / "xl-kpi-example-en.xlsx"
    if not src.exists():
        pytest.skip("template workbooks not built")
    report = recalculate(src, tmp_path / "out.xlsx")
    assert report.ok and report.formulas > 500
    before, after = _members(src), _members(tmp_path / "out.xlsx")
    assert sorted(before) == sorted(after)
    changed = {n for n in before if before[n] != after[n]}
    assert changed <= {n for n in before if n.startswith("xl/worksheets/sheet")}
    assert any(n.startswith("xl/charts/") for n in before)


@pytest.mark.slow
def test_recalculating_the_shipped_example_again_changes_no_value(tmp_path):
    src = ROOT / "workbooks" / "xl-kpi-example-en.xlsx"
    if not src.exists():
        pytest.skip("template workbooks not built")
    recalculate(src, tmp_path / "out.xlsx")
    theirs, ours = values(src), values(tmp_path / "out.xlsx")
    for sheet, cells in theirs.items():
        for ref, v in cells.items():
            w = ours[sheet].get(ref)
            if isinstance(v, float) and isinstance(w, float):
                assert math.isclose(v, w, rel_tol=1e-9, abs_tol=1e-12), (sheet, ref, v, w)
            else:
                assert v == w, (sheet, ref, v, w)


def test_xlsm_macros_survive_unchanged(tmp_path):
    src = make_book(tmp_path / "plain.xlsx", {"S": {"A1": 1, "A2": "=A1*3"}})
    xlsm = tmp_path / "book.xlsm"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(xlsm, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info))
        zout.writestr("xl/vbaProject.bin", bytes(range(256)) * 8)
    report = recalculate(xlsm, tmp_path / "out.xlsm")
    assert report.ok
    with zipfile.ZipFile(tmp_path / "out.xlsm") as z:
        assert z.read("xl/vbaProject.bin") == bytes(range(256)) * 8
    assert values(tmp_path / "out.xlsm")["S"]["A2"] == 3


def test_in_place_replaces_the_file(tmp_path):
    src = make_book(tmp_path / "in.xlsx", {"S": {"A1": 4, "A2": "=SQRT(A1)"}})
    assert recalculate(src).ok
    assert values(src)["S"]["A2"] == 2


# -- Excel semantics, in memory -----------------------------------------------------------------

CASES = [
    # (cells, formula, expected)  -- expected from Excel's documented rules
    ({"A1": 1, "A2": "text", "A3": True, "A4": 2}, "=SUM(A1:A4)", 3.0),  # text/bools in a range skipped
    ({}, '=SUM("3",1,TRUE)', 5.0),  # typed directly, they count
    ({}, '=SUM("abc",1)', ExcelError("#VALUE!")),
    ({"A1": None}, "=AVERAGE(A1:A3)", ExcelError("#DIV/0!")),
    ({"A1": 1, "A2": 2, "A3": 6}, "=AVERAGE(A1:A3)", 3.0),
    ({"A1": -1, "A2": 7}, "=MAX(A1:A2)-MIN(A1:A2)", 8.0),
    ({"A1": "x"}, "=MAX(A1)", 0.0),
    ({}, "=ROUND(2.675,2)", 2.68),  # half away from zero on the decimal value
    ({}, "=ROUND(-2.5,0)", -3.0),
    ({}, "=ROUND(1234.5,-2)", 1200.0),
    ({"A1": None}, "=IF(A1,1,2)", 2.0),  # blank is FALSE
    ({"A1": None}, "=A1", 0.0),
    ({"A1": 0}, '=IF(A1=0,"zero",1/A1)', "zero"),
    ({}, '=IFERROR(1/0,"none")', "none"),
    ({}, "=IFERROR(4,0)", 4.0),
    ({}, "=AND(TRUE,1,2>1)", True),
    ({}, "=OR(FALSE,0)", False),
    ({"A1": "x"}, "=AND(A1)", ExcelError("#VALUE!")),  # no logical value at all
    ({"A1": "b", "A2": "a", "A3": "c"}, '=MATCH("A",A1:A3,0)', 2.0),  # case-insensitive
    ({"A1": 10, "A2": 20, "A3": 30}, "=MATCH(25,A1:A3,1)", 2.0),
    ({"A1": 10, "A2": 20, "A3": 30}, "=MATCH(5,A1:A3,1)", ExcelError("#N/A")),
    ({"A1": "apple", "A2": "banana"}, '=MATCH("b*",A1:A2,0)', 2.0),
    ({"A1": 1, "B1": 2, "A2": 3, "B2": 4}, "=INDEX(A1:B2,2,1)", 3.0),
    ({"A1": 1, "B1": 2}, "=INDEX(A1:B1,2)", 2.0),
    ({"A1": 1, "A2": 3}, "=INDEX(A1:A2,3)", ExcelError("#REF!")),
    ({"A1": "n", "A2": "s", "A3": "n", "B1": 1, "B2": 2, "B3": 4}, '=SUMIFS(B1:B3,A1:A3,"N")', 5.0),
    ({"A1": 1, "A2": 5, "A3": 9, "B1": 1, "B2": 2, "B3": 4}, '=SUMIFS(B1:B3,A1:A3,">"&A1)', 6.0),
    ({"A1": "north", "A2": "nope", "A3": "south"}, '=COUNTIFS(A1:A3,"no*")', 2.0),
    ({"A1": 1, "A2": None, "A3": 3}, '=COUNTIFS(A1:A3,"")', 1.0),
    # equality with a number counts the text that reads as it (formulas test.xlsx STATISTICAL X24)
    ({"A1": "29/02/1900", "A2": True}, "=COUNTIF(A1:A2,A1)", 1.0),
    ({"A1": "1", "A2": 1, "A3": "x"}, '=COUNTIF(A1:A3,"1")', 2.0),
    ({"A1": "1", "A2": 1, "A3": "x"}, '=COUNTIF(A1:A3,"<>1")', 1.0),
    ({"A1": 1, "A2": 2}, '=AVERAGEIFS(A1:A2,A1:A2,">5")', ExcelError("#DIV/0!")),
    ({"A1": 1, "A2": 2, "A3": 3}, '=AVERAGEIFS(A1:A3,A1:A3,">=2")', 2.5),
    ({"A1": 1, "A2": 2, "B1": 3, "B2": "x"}, "=SUMPRODUCT(A1:A2,B1:B2)", 3.0),  # text counts 0
    ({"A1": 1, "A2": 2}, "=SUMPRODUCT((A1:A2>1)*A1:A2)", 2.0),
    ({}, "=EOMONTH(DATE(2024,1,15),1)", 45351.0),  # 29 Feb 2024
    ({}, "=EOMONTH(DATE(2024,3,31),-1)", 45351.0),
    ({}, "=DATE(2024,14,1)", 45689.0),  # month 14 rolls into February 2025
    ({}, "=DATE(2024,3,0)", 45351.0),  # day 0 is the last day of the previous month
    ({}, "=YEAR(45351)*100+MONTH(45351)", 202402.0),
    ({}, '=TEXT(1234.5,"#,##0.00")', "1,234.50"),
    ({}, '=TEXT(0.256,"0.0%")', "25.6%"),
    ({}, '=TEXT(DATE(2024,2,29),"yyyy-mm-dd")', "2024-02-29"),
    ({}, '="a"&1.5&TRUE', "a1.5TRUE"),
    ({}, '=1/3&""', "0.333333333333333"),  # 15 significant digits, as Excel shows text
    ({}, '="a"<"B"', True),
    ({}, '=1<"a"', True),  # numbers sort before text
    ({}, '=TRUE>"z"', True),  # logicals after text
    ({}, '="3"+1', 4.0),
    ({}, '="x"+1', ExcelError("#VALUE!")),
    ({}, "=NA()+1/0", ExcelError("#N/A")),  # the first error wins
    ({}, "=-2^2", 4.0),  # negation binds tighter than ^ in Excel
    ({}, "=2^-1", 0.5),
    ({}, "=50%", 0.5),
    ({}, "=0^0", ExcelError("#NUM!")),
    ({}, "=SQRT(-1)", ExcelError("#NUM!")),
    ({}, "=MOD(-3,2)", 1.0),  # sign of the divisor
    ({}, "=NOSUCHFUNCTION(1)", ExcelError("#NAME?")),
    ({}, "=Missing!A1", ExcelError("#REF!")),
    ({"A1": 2, "A2": 3}, "=A1:A2*{10;100}", [[20.0], [300.0]]),
    ({}, "=CHOOSE(2,\"a\",\"b\")", "b"),
    ({}, "=VLOOKUP(2,{1,\"one\";2,\"two\"},2,FALSE)", "two"),
]


@pytest.mark.parametrize("cells,formula,expected", CASES, ids=[c[1] for c in CASES])
def test_excel_semantics(cells, formula, expected):
    got = evaluate(cells, formula)
    if isinstance(expected, float):
        assert isinstance(got, float) and math.isclose(got, expected, rel_tol=1e-12), got
    else:
        assert got == expected and type(got) is type(expected), got


# -- shapes: a column computed at once equals each cell computed alone --------------------------

COLUMN_FORMULAS = [
    "=IF(A{r}=0,0,B{r}/A{r})",
    '=IF(B{r}>5,"high","ok")',
    "=ROUND(C{r}*A{r},2)",
    "=IFERROR(A{r}/B{r},-1)",
    "=SUM($A$2:A{r})",  # a growing range: cell by cell
    '=COUNTIFS($D$2:$D$41,D{r})',  # criteria per cell over a fixed range
    '=SUMIFS($A$2:$A$41,$D$2:$D$41,D{r},$B$2:$B$41,">"&B{r})',
    "=INDEX($A$2:$A$41,MATCH(B{r},$B$2:$B$41,0))",
    "=EOMONTH(DATE(2024,A{r},1),B{r})",
    '=A{r}&"-"&D{r}',
    "=SUM(A{r}:C{r})",
    "=IF(AND(A{r}>3,OR(B{r}=0,C{r}<0.5)),1,0)",
]


def test_vectorized_columns_equal_cell_by_cell_evaluation(tmp_path):
    cells = {}
    rng = np.random.default_rng(7)
    for r in range(2, 42):
        cells[f"A{r}"] = int(rng.integers(0, 9))
        cells[f"B{r}"] = int(rng.integers(0, 12))
        cells[f"C{r}"] = round(float(rng.random()), 3)
        cells[f"D{r}"] = ["n", "s", "e", "w"][r % 4]
    data = dict(cells)
    letters = "FGHIJKLMNOPQ"
    for col, f in zip(letters, COLUMN_FORMULAS):
        for r in range(2, 42):
            cells[f"{col}{r}"] = f.format(r=r)
    got, report = recalc(tmp_path, {"S": cells})
    assert report.vectorized >= 10 * 40
    for col, f in zip(letters, COLUMN_FORMULAS):
        for r in range(2, 42):
            alone = evaluate(data, f.format(r=r), sheet="S")
            mine = got["S"].get(f"{col}{r}")
            if isinstance(alone, ExcelError):
                assert mine == str(alone), (col, r)
            elif isinstance(alone, float):
                assert math.isclose(mine, alone, rel_tol=1e-12), (col, r, mine, alone)
            else:
                assert mine == alone, (col, r, mine, alone)


def test_running_total_reading_the_cell_above(tmp_path):
    cells = {"A1": 1, "B1": "=A1"}
    for r in range(2, 30):
        cells[f"A{r}"] = r
        cells[f"B{r}"] = f"=B{r - 1}+A{r}"
    got, _ = recalc(tmp_path, {"S": cells})
    assert got["S"]["B29"] == sum(range(1, 30))


def test_implicit_intersection_in_an_ordinary_formula(tmp_path):
    got, _ = recalc(tmp_path, {"S": {"A1": 1, "A2": 2, "A3": 3, "A4": 4, "C3": "=A1:A4*10", "C9": "=A1:A4*10"}})
    assert got["S"]["C3"] == 30  # the row of the formula
    assert got["S"]["C9"] == "#VALUE!"  # no cell of A1:A4 on row 9


def test_cross_sheet_references_and_defined_names(tmp_path):
    got, _ = recalc(
        tmp_path,
        {"Inputs": {"A1": 100, "A2": 250}, "My Data": {"B1": 7},
         "Out": {"A1": "=SUM(Inputs!A1:A2)", "A2": "='My Data'!B1*2", "A3": "=Total/Rate", "A4": "=Rate"}},
        names={"Total": "Inputs!$A$1:$A$2", "Rate": "'My Data'!$B$1"},
    )
    assert got["Out"]["A1"] == 350 and got["Out"]["A2"] == 14
    assert got["Out"]["A3"] == "#VALUE!"  # a two-cell name intersected on row 3: no such row
    assert got["Out"]["A4"] == 7


def test_array_formula_fills_its_range(tmp_path):
    got, report = recalc(tmp_path, {"S": {"A1": 1, "A2": 2, "A3": 3, "B1": 10, "B2": 20, "B3": 30}},
                         arrays={"S!C1": ("C1:C4", "=A1:A3*B1:B3")})
    assert [got["S"].get(f"C{r}") for r in range(1, 5)] == [10, 40, 90, "#N/A"]
    assert report.formulas == 1


def test_shared_formulas_as_excel_writes_them(tmp_path):
    src = make_book(tmp_path / "in.xlsx", {"S": {"A1": 1, "A2": 2, "A3": 3, "B1": "=A1*2", "B2": "=A2*2",
                                                 "B3": "=A3*2"}})
    shared = tmp_path / "shared.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(shared, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                text = text.replace("<f>A1*2</f>", '<f t="shared" ref="B1:B3" si="0">A1*2</f>')
                text = text.replace("<f>A2*2</f>", '<f t="shared" si="0"/>').replace("<f>A3*2</f>", '<f t="shared" si="0"/>')
                data = text.encode()
            zout.writestr(info, data)
    assert recalculate(shared, tmp_path / "out.xlsx").ok
    assert [values(tmp_path / "out.xlsx")["S"][f"B{r}"] for r in (1, 2, 3)] == [2, 4, 6]


# -- KPI functions through the UDF layer ---------------------------------------------------------


def test_kpi_column_equals_the_udf_called_cell_by_cell(tmp_path):
    from xl_kpi.udfs import UDFS

    rows = [(100000, 8000, 3000, 5000), (0, 1, 1, 1), (200, None, 0, 10), (50, 5, "x", 0), (80, 0, 0, 90)]
    cells = {}
    for i, row in enumerate(rows, start=2):
        for col, v in zip("ABCD", row):
            if v is not None:
                cells[f"{col}{i}"] = v
        cells[f"E{i}"] = f"=KPI_NRR(A{i},B{i},C{i},D{i})"
        cells[f"F{i}"] = f"=KPI_CHURN(D{i},A{i})"
    got, _ = recalc(tmp_path, {"S": cells})
    for i, row in enumerate(rows, start=2):
        for col, expected in (("E", UDFS["KPI_NRR"](*row)), ("F", UDFS["KPI_CHURN"](row[3], row[0]))):
            mine = got["S"][f"{col}{i}"]
            if isinstance(expected, ExcelError):
                assert mine == str(expected), (col, i)
            else:
                assert math.isclose(mine, expected, rel_tol=1e-12), (col, i)


def test_kpi_list_argument_and_spilled_array(tmp_path):
    got, _ = recalc(tmp_path, {"S": {"A1": 100, "A2": 60, "A3": 30, "B1": "=KPI_MRR(A1:A3)"}},
                    arrays={"S!C1": ("C1:C3", "=KPI_FUNNEL(A1:A3)")})
    assert got["S"]["B1"] == 190
    from xl_kpi.udfs import UDFS

    expected = UDFS["KPI_FUNNEL"]([[100.0], [60.0], [30.0]])
    assert [got["S"][f"C{r}"] for r in (1, 2, 3)] == [row[0] for row in expected]


def test_kpi_stand_in_receives_xlwings_style_arguments(tmp_path):
    seen = []

    def probe(*args):
        seen.append(args)
        return 1.0

    src = make_book(tmp_path / "in.xlsx", {"S": {"A1": 2, "A2": "t", "A3": True, "B1": "=KPI_PROBE(A1,A2,A3,A4,A1:A2,1/0)"}})
    with use_udfs({"KPI_PROBE": probe}):
        assert recalculate(src, tmp_path / "out.xlsx").ok
    assert seen == [(2.0, "t", True, None, [[2.0], ["t"]], ExcelError("#DIV/0!"))]


# -- bad input ----------------------------------------------------------------------------------


def test_not_a_workbook(tmp_path):
    p = tmp_path / "notes.xlsx"
    p.write_text("hello")
    r = recalculate(p, tmp_path / "out.xlsx")
    assert not r.ok and "not a workbook" in r.reason
    assert not (tmp_path / "out.xlsx").exists()


def test_truncated_zip(tmp_path):
    src = make_book(tmp_path / "in.xlsx", {"S": {"A1": 1, "A2": "=A1"}})
    data = Path(src).read_bytes()
    (tmp_path / "cut.xlsx").write_bytes(data[: len(data) // 2])
    r = recalculate(tmp_path / "cut.xlsx", tmp_path / "out.xlsx")
    assert not r.ok and ("truncated" in r.reason or "damaged" in r.reason)
    assert "\n" not in r.reason


def test_password_protected_workbook(tmp_path):
    # an encrypted .xlsx is an OLE compound file holding EncryptionInfo and EncryptedPackage streams
    blob = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\0" * 512
    p = tmp_path / "secret.xlsx"
    p.write_bytes(blob)
    r = recalculate(p, tmp_path / "out.xlsx")
    assert not r.ok and "password" in r.reason


def test_circular_reference_is_reported_with_its_cells(tmp_path):
    src = make_book(tmp_path / "in.xlsx", {"S": {"A1": "=B1+1", "B1": "=A1*2", "C1": "=5"}})
    r = recalculate(src, tmp_path / "out.xlsx")
    assert not r.ok and "circular" in r.reason and "S!A1" in r.reason and "S!B1" in r.reason
    assert not (tmp_path / "out.xlsx").exists()


def test_cell_referring_to_itself_is_circular(tmp_path):
    src = make_book(tmp_path / "in.xlsx", {"S": {"A1": 1, "A2": "=SUM(A1:A2)"}})
    r = recalculate(src, tmp_path / "out.xlsx")
    assert not r.ok and "S!A2" in r.reason


def test_unknown_function_is_name_error_and_reported(tmp_path):
    got, report = recalc(tmp_path, {"S": {"A1": "=FOO(1)+1"}})
    assert got["S"]["A1"] == "#NAME?"
    assert any("FOO" in i for i in report.issues)


def test_reference_to_a_missing_sheet_is_ref_error(tmp_path):
    got, report = recalc(tmp_path, {"S": {"A1": "=Gone!A1*2", "A2": "=SUM(Gone!A1:B4)"}})
    assert got["S"]["A1"] == "#REF!" and got["S"]["A2"] == "#REF!"
    assert report.errors == {"#REF!": 2}


@pytest.mark.slow
def test_large_sheet_in_bounded_memory_with_progress(tmp_path):
    import tracemalloc

    rows = 30000
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Big")
    for r in range(1, rows + 1):
        ws.append([r, f"=A{r}*2", f"=IF(B{r}>100,1,0)"])
    wb.save(tmp_path / "big.xlsx")
    seen = []
    tracemalloc.start()
    report = recalculate(tmp_path / "big.xlsx", tmp_path / "out.xlsx", progress=lambda d, t: seen.append((d, t)))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert report.ok and report.formulas == 2 * rows
    assert seen[-1] == (2 * rows, 2 * rows) and len(seen) >= 2
    cells = 3 * rows
    assert peak < 1000 * cells, peak  # under 1 kB a cell: the sheet XML, its copy, a few arrays


def test_dates_reach_kpi_functions_as_serial_numbers():
    assert evaluate({"A1": dt.datetime(2024, 2, 29)}, "=A1") == 45351.0


@pytest.mark.parametrize("formulas", [
    ["=A{r}*2", "=$A$1+A{r}", "=SUM(A$2:A{r})", "=Sheet2!B{r}&\"A{r}\"", "=LOG10(A{r})", "=SUM({r}:{r})"],
])
def test_shape_keys_of_a_column_equal_the_plain_shape_key(formulas):
    from xl_kpi.recalc.formula import ShapeKeys, shape_key

    keys = ShapeKeys()
    for template in formulas:
        for r in (2, 3, 4, 9, 10, 11, 99, 100, 101):
            text = template.format(r=r)[1:]
            assert keys.key(text, r, 5) == shape_key(text, r, 5), text
        assert keys.key("A7*3", 7, 5) == shape_key("A7*3", 7, 5)


def test_shape_keys_of_a_sheet_at_once_equal_the_plain_shape_key():
    """Rows of cells in several columns, as a sheet lists them: templates of the cell's own row
    and of other rows, a text one row number off its column's template, %, blanks and Nones."""
    from xl_kpi.recalc.formula import ShapeKeys, shape_key

    columns = ["A{r}*2", "B{r}+B{p}", 'TEXT(A{r},"0%")&"%d"', "C{r}/C{r}", "SUM($A$1:A{r})"]
    texts, rows, cols = [], [], []
    for r in (2, 3, 4, 9, 10, 99, 100, 101):
        for c, template in enumerate(columns, start=3):
            texts.append(template.format(r=r, p=r - 1))
            rows.append(r)
            cols.append(c)
        texts += ["C{r}/C{s}".format(r=r, s=r + 1), None, "", "  "]  # one off the column above
        rows += [r] * 4
        cols += [6, 9, 10, 11]
    got = ShapeKeys().keys(texts, rows, cols, 0)
    assert got == [shape_key(t, r, c) if t and t.strip() else None for t, r, c in zip(texts, rows, cols)]


def test_1904_date_system_is_refused_rather_than_computed_wrong(tmp_path):
    src = make_book(tmp_path / "in.xlsx", {"S": {"A1": "=DATE(2024,1,1)"}})
    patched = tmp_path / "1904.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(patched, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/workbook.xml":
                data = data.replace(b"<workbookPr", b'<workbookPr date1904="1"', 1)
            zout.writestr(info, data)
    r = recalculate(patched, tmp_path / "out.xlsx")
    assert not r.ok and "1904" in r.reason


def test_an_engine_defect_is_reported_not_a_crash_nor_a_silent_value(tmp_path, monkeypatch):
    from xl_kpi.recalc import functions

    def broken(ev, args):
        raise ZeroDivisionError("deliberate")

    monkeypatch.setitem(functions.FUNCTIONS, "ABS", broken)
    got, report = recalc(tmp_path, {"S": {"A1": -1, "A2": "=ABS(A1)", "A3": "=A1*2"}})
    assert got["S"]["A2"] == "#VALUE!" and got["S"]["A3"] == -2
    assert any("internal error" in i and "ABS(A1)" in i for i in report.issues)


def test_unwritable_output_folder_is_a_reason_not_a_traceback(tmp_path):
    src = make_book(tmp_path / "in.xlsx", {"S": {"A1": 1, "A2": "=A1"}})
    r = recalculate(src, tmp_path / "no-such-folder" / "out.xlsx")
    assert not r.ok and "cannot write" in r.reason
