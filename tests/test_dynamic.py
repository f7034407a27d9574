"""The Excel 365 / xlwings Lite form of a workbook: dynamic arrays and Office.js function names.

Excel 365 saves a spilling formula as an array formula over its current spill range whose cell
carries ``cm="1"``, the index of a cell-metadata record marked ``fDynamic`` in
``xl/metadata.xml``; it saves a call of an Office.js custom function (xlwings Lite's) as
``_xldudf_`` + the function's name, a namespace's dots as underscores (Microsoft in
OfficeDev/Excel-Custom-Functions#108; files in the wild hold ``_xldudf_CX_GET(...)`` for
``CX.GET``). ``xl-kpi recalc`` must compute both, as it computes the classic forms.
"""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest
from openpyxl.worksheet.formula import ArrayFormula

from xl_kpi.catalogue import INTERFACE
from xl_kpi.recalc import recalculate
from xl_kpi.templates import file_name, workbook_bytes
from xl_kpi.templates.builder import build_workbook
from xl_kpi.templates.dynamic import METADATA_PART, dynamic_workbook, office_js_formula
from xl_kpi.templates.example_data import example

# -- a file as Excel 365 writes it with xlwings Lite loaded ---------------------------------------

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/metadata.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheetMetadata+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="KPIs" sheetId="1" r:id="rId1"/></sheets><calcPr calcId="191029"/></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sheetMetadata" Target="metadata.xml"/>'
    "</Relationships>"
)
_METADATA = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<metadata xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:xda="http://schemas.microsoft.com/office/spreadsheetml/2017/dynamicarray">'
    '<metadataTypes count="1"><metadataType name="XLDAPR" minSupportedVersion="120000" copy="1" '
    'pasteAll="1" pasteValues="1" merge="1" splitFirst="1" rowColShift="1" clearFormats="1" '
    'clearComments="1" assign="1" coerce="1" cellMeta="1"/></metadataTypes>'
    '<futureMetadata name="XLDAPR" count="1"><bk><extLst><ext uri="{bdbb8cdc-fa1e-496e-a857-3c3f30c029c3}">'
    '<xda:dynamicArrayProperties fDynamic="1" fCollapsed="0"/></ext></extLst></bk></futureMetadata>'
    '<cellMetadata count="1"><bk><rc t="1" v="0"/></bk></cellMetadata></metadata>'
)


def _row(r, cells):
    return f'<row r="{r}">{"".join(cells)}</row>'


def _num(ref, v):
    return f'<c r="{ref}"><v>{v}</v></c>'


def _sheet_xml():
    """Inputs in rows 1-5, KPI cells in rows 7-11: Excel's stored values are stale zeros."""
    rows = [
        _row(1, [_num("A1", 100), _num("B1", 120)]),  # start MRR
        _row(2, [_num("A2", 10), _num("B2", 0)]),  # expansion
        _row(3, [_num("A3", 5), _num("B3", 0)]),  # contraction
        _row(4, [_num("A4", 0), _num("B4", 12)]),  # churned
        _row(5, [_num("A5", 4), _num("B5", 6)]),  # customers lost
        # a single-cell call of the Office.js function
        _row(7, ['<c r="A7"><f>_xldudf_KPI_NRR(A1,A2,A3,A4)</f><v>0</v></c>']),
        # a spilled call: the anchor holds the dynamic-array formula, the next cell its spill
        _row(8, ['<c r="A8" cm="1"><f t="array" ref="A8:B8">_xldudf_KPI_CHURN(A5:B5,A1:B1)</f><v>0</v></c>',
                 _num("B8", 0)]),
        # the same function under an add-in namespace XLWINGS (XLWINGS.KPI_NRR in the formula bar)
        _row(9, ['<c r="A9" cm="1"><f t="array" ref="A9:B9">_xldudf_XLWINGS_KPI_NRR(A1:B1,A2:B2,A3:B3,A4:B4)</f>'
                 '<v>0</v></c>', _num("B9", 0)]),
        # an option: the dropdown's word, as a string literal
        _row(10, ['<c r="A10"><f>_xldudf_KPI_CHURN_ANNUAL(0.02,"linear")</f><v>0</v></c>']),
        # an error comes in, a native error goes out
        _row(11, ['<c r="A11" t="e"><f>_xldudf_KPI_CHURN(A5,1/0)</f><v>#NUM!</v></c>']),
    ]
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<sheetData>{"".join(rows)}</sheetData></worksheet>'
    )


def excel_lite_file(path):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _ROOT_RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", _sheet_xml())
        z.writestr("xl/metadata.xml", _METADATA)
    return path


def test_recalc_computes_office_js_calls_and_dynamic_arrays_as_excel_saves_them(tmp_path):
    src = excel_lite_file(tmp_path / "lite.xlsx")
    report = recalculate(src, tmp_path / "out.xlsx")
    assert report.ok, report.reason
    ws = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True)["KPIs"]
    assert ws["A7"].value == pytest.approx(1.05)
    assert (ws["A8"].value, ws["B8"].value) == (pytest.approx(0.04), pytest.approx(0.05))
    assert (ws["A9"].value, ws["B9"].value) == (pytest.approx(1.05), pytest.approx(0.9))
    assert ws["A10"].value == pytest.approx(0.24)
    assert ws["A11"].value == "#DIV/0!"


def test_recalc_keeps_the_dynamic_array_marks_and_the_metadata_part(tmp_path):
    src = excel_lite_file(tmp_path / "lite.xlsx")
    assert recalculate(src, tmp_path / "out.xlsx").ok
    with zipfile.ZipFile(tmp_path / "out.xlsx") as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        assert z.read(METADATA_PART).decode() == _METADATA
    assert re.search(r'<c r="A8" cm="1"><f t="array" ref="A8:B8">_xldudf_KPI_CHURN\(', sheet)


# -- the Lite template ----------------------------------------------------------------------------


def test_office_js_names_only_the_function_calls():
    assert office_js_formula("=KPI_NRR(A1,B1)+kpi_arr(C1)") == "=_xldudf_KPI_NRR(A1,B1)+_xldudf_KPI_ARR(C1)"
    assert office_js_formula('="KPI_NRR(A1)"&KPI_NRRX(A1)') == '="KPI_NRR(A1)"&KPI_NRRX(A1)'
    assert office_js_formula("=_xldudf_KPI_NRR(A1)+Sheet1!A1") == "=_xldudf_KPI_NRR(A1)+Sheet1!A1"
    assert office_js_formula("=KPI_CHURN_MONTHLY(A1)") == "=_xldudf_KPI_CHURN_MONTHLY(A1)"


def _parts(data):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


@pytest.fixture(scope="module")
def lite_parts():
    return _parts(workbook_bytes("lite", "en"))


@pytest.fixture(scope="module")
def template_parts():
    return _parts(workbook_bytes("template", "en"))


def _formulas(parts):
    out = []
    for name, data in parts.items():
        if re.fullmatch(r"xl/worksheets/[^/]+\.xml", name):
            out += re.findall(rb"<c\b([^>]*)>\s*<f\b([^>]*)>([^<]*)</f>", data)
    return out


@pytest.mark.slow
def test_every_array_formula_of_the_blank_template_spills_in_the_lite_template(lite_parts, template_parts):
    classic, lite = _formulas(template_parts), _formulas(lite_parts)
    arrays = [f for f in lite if b't="array"' in f[1]]
    assert len(lite) == len(classic) and len(arrays) == sum(b't="array"' in f[1] for f in classic) > 0
    assert all(b'cm="1"' in cell for cell, _, _ in arrays)
    assert not [f for f in lite if b't="array"' not in f[1] and b"cm=" in f[0]]
    assert lite_parts[METADATA_PART].count(b'fDynamic="1"') == 1
    assert b"/xl/metadata.xml" in lite_parts["[Content_Types].xml"]
    assert b"relationships/sheetMetadata" in lite_parts["xl/_rels/workbook.xml.rels"]


def test_the_lite_template_calls_only_office_js_functions(lite_parts, template_parts):
    texts = [text.decode() for _, _, text in _formulas(lite_parts)]
    calls = [name for t in texts for name in re.findall(r"(?<![\w.])(_xldudf_)?(KPI_[A-Z_]+)\(", t)]
    assert calls and all(prefix == "_xldudf_" and name in INTERFACE for prefix, name in calls)
    classic = [text.decode() for _, _, text in _formulas(template_parts)]
    assert [office_js_formula("=" + t)[1:] for t in classic] == texts


def test_the_lite_template_is_the_blank_template_elsewhere(lite_parts, template_parts):
    assert set(lite_parts) == set(template_parts) | {METADATA_PART}
    for name, data in template_parts.items():
        if not re.fullmatch(r"xl/worksheets/[^/]+\.xml|\[Content_Types\]\.xml|xl/_rels/workbook\.xml\.rels", name):
            assert lite_parts[name] == data, name


@pytest.mark.slow
def test_the_lite_template_reads_back_with_its_inputs_and_spilling_formulas():
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "workbooks" / file_name("lite", "en")
    wb = openpyxl.load_workbook(path)
    template = openpyxl.load_workbook(io.BytesIO(workbook_bytes("template", "en")))
    assert wb.sheetnames == template.sheetnames
    spilled = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row
               if isinstance(c.value, ArrayFormula)]
    assert spilled and all("KPI_" not in c.value.text or "_xldudf_KPI_" in c.value.text for c in spilled)


@pytest.mark.slow
def test_recalc_computes_the_dynamic_form_exactly_as_the_array_form(tmp_path):
    wb, _ = build_workbook("en", example(), arrays=True)
    buf = io.BytesIO()
    wb.save(buf)
    (tmp_path / "arrays.xlsx").write_bytes(buf.getvalue())
    (tmp_path / "dynamic.xlsx").write_bytes(dynamic_workbook(buf.getvalue()))
    books = {}
    for name in ("arrays", "dynamic"):
        report = recalculate(tmp_path / f"{name}.xlsx", tmp_path / f"{name}-out.xlsx")
        assert report.ok, report.reason
        books[name] = openpyxl.load_workbook(tmp_path / f"{name}-out.xlsx", data_only=True)
    numbers = 0
    for ws in books["arrays"].worksheets:
        other = books["dynamic"][ws.title]
        for row in ws.iter_rows():
            for cell in row:
                assert other[cell.coordinate].value == cell.value, (ws.title, cell.coordinate)
                numbers += isinstance(cell.value, float)
    assert numbers > 1000
