"""The KPI_* functions as xlwings Lite runs them: Office.js custom functions.

xlwings Lite imports the workbook's ``main.py`` with ``XLWINGS_ON_SERVER=true``, so that
``xlwings.func``/``arg``/``ret`` are the decorators of ``xlwings.server``; it registers what
``custom_functions_meta(module)`` describes, and computes each cell with ``await
custom_functions_call(payload, module)``. These tests run those two calls, as Lite does but
without Excel, on a copy of :mod:`xl_kpi.udfs` declared with those decorators, and once in a
fresh interpreter set up as Lite sets it up. The payloads are written the way Office.js sends them
(xlwings' own ``tests/test_custom_functions_officejs.py`` and xlwings Server's
``custom-functions-code.js`` show them): every argument a 2-D list (one cell ``[[v]]``), a
dropdown option a plain string, an omitted argument ``None``, an integral number an ``int``, an
error cell an error object.

``xlwings.server`` is licensed PolyForm Noncommercial (or commercially): these tests import it
with ``XLWINGS_LICENSE_KEY=noncommercial``, which they set themselves. xl-kpi's own code never
imports it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib.util
import json
import math
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from xl_kpi import catalogue, lite
from xl_kpi import udfs as classic_udfs
from xl_kpi.excel_dates import to_serial as excel_serial

from refcases import flatten, is_error, load_cases, values_match

FUNCTIONS = list(catalogue.INTERFACE.values())
NAMES = [f.excel for f in FUNCTIONS]
CHOICE_PARAMS = [(f, p) for f in FUNCTIONS for p in f.params if p.choices]

#: Office.js error types (``Excel.ErrorCellValueType``) by the error's text.
ERROR_TYPES = {
    "#DIV/0!": "Div0", "#N/A": "NotAvailable", "#NAME?": "Name", "#NULL!": "Null", "#NUM!": "Num",
    "#REF!": "Ref", "#VALUE!": "Value", "#SPILL!": "Spill", "#CALC!": "Calc",
    "#GETTING_DATA": "GettingData",
}  # fmt: skip


@pytest.fixture(scope="module")
def server():
    """``xlwings.server``, imported under the noncommercial licence key."""
    patch = pytest.MonkeyPatch()
    patch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    try:
        import xlwings.server
    except ImportError as exc:  # xlwings 0.30, the oldest the pyproject allows, wants pywin32 for it
        patch.undo()
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            raise
        import xlwings

        pytest.skip(f"xlwings {xlwings.__version__} cannot import xlwings.server here ({exc}); Lite brings its own")

    yield xlwings.server
    patch.undo()


@pytest.fixture(scope="module")
def module(server):
    """A copy of xl_kpi.udfs declared with the Office.js decorators, as Lite imports it."""
    import xlwings

    saved = {k: getattr(xlwings, k) for k in ("func", "arg", "ret")}
    try:
        xlwings.func, xlwings.arg, xlwings.ret = server.func, server.arg, server.ret
        spec = importlib.util.find_spec("xl_kpi.udfs")
        copy = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(copy)
    finally:
        for k, v in saved.items():
            setattr(xlwings, k, v)
    return copy


@pytest.fixture(scope="module")
def meta(server, module):
    return server.custom_functions_meta(module)


def call(server, module, name, args, **payload):
    """What a cell shows: Lite's call of ``name`` on Office.js arguments."""
    data = {"func_name": name, "args": args, "version": "lite", "client": "Office.js", "runtime": "1.4",
            "culture_info_name": "en-US", "date_format": "m/d/yyyy", **payload}
    return asyncio.run(server.custom_functions_call(data, module))


def error(text):
    """An error cell as Office.js passes it to a custom function."""
    return {"type": "Error", "basicValue": text, "errorType": ERROR_TYPES[text]}


def native(text):
    """An error value as xlwings returns it to Excel (a native error, not text)."""
    return {"type": "Error", "errorType": ERROR_TYPES[text]}


def office_cell(v):
    if is_error(v):
        return error(v)
    if isinstance(v, float) and v.is_integer() and math.isfinite(v):
        return int(v)  # a JavaScript number without fraction reaches Python as int
    return v


def office_arg(arg, p):
    """A reference-table argument as Office.js sends it for parameter ``p``."""
    if p.choices and not isinstance(arg, list):
        return arg  # a dropdown option is a scalar string parameter
    if isinstance(arg, list):
        if not arg:
            return [[]]
        rows = arg if isinstance(arg[0], list) else ([[v] for v in arg] if p.kind == "list" else [arg])
    else:
        rows = [[arg]]
    return [[office_cell(v) for v in row] for row in rows]


# -- the registration: custom_functions_meta ------------------------------------------------------


def test_every_function_is_registered_once_under_its_excel_name(meta):
    names = [f["name"] for f in meta["functions"]]
    assert sorted(names) == sorted(NAMES)
    assert all(f["id"] == f["name"] for f in meta["functions"])


def test_error_cells_reach_the_functions_as_errors(meta):
    assert meta["allowErrorForDataTypeAny"] is True


@pytest.mark.parametrize("name", NAMES)
def test_help_and_argument_docs_are_the_classic_ones(meta, name):
    f = next(f for f in meta["functions"] if f["name"] == name)
    spec = catalogue.INTERFACE[name]
    assert f["description"] == classic_udfs.UDFS[name].__doc__
    assert [p["name"] for p in f["parameters"]] == [p.name for p in spec.params]
    for got, p in zip(f["parameters"], spec.params):
        assert got["description"] == p.doc
        assert got.get("optional", False) is p.optional
        if p.choices:
            assert (got["dimensionality"], got["type"]) == ("scalar", "string")
            assert got["customEnumId"] == f"{name}.{p.name}".upper()
        else:
            assert (got["dimensionality"], got["type"]) == ("matrix", "any")
            assert "customEnumId" not in got
    assert f["result"] == {"dimensionality": "matrix", "type": "any"}


def test_every_fixed_choice_option_is_a_dropdown_with_tooltips(meta):
    enums = {e["id"]: e for e in meta["enums"]}
    assert len(enums) == len(CHOICE_PARAMS) == 4
    for f, p in CHOICE_PARAMS:
        enum = enums[f"{f.excel}.{p.name}".upper()]
        assert [v["stringValue"] for v in enum["values"]] == list(p.choices)
        assert {v["stringValue"]: v["tooltip"] for v in enum["values"]} == dict(p.tips)


def test_fixed_choices_are_the_words_the_metrics_accept():
    expected = {("KPI_FUNNEL", "mode"), ("KPI_CHURN_MONTHLY", "method"), ("KPI_CHURN_ANNUAL", "method"),
                ("KPI_COHORTS", "measure")}
    assert {(f.excel, p.name) for f, p in CHOICE_PARAMS} == expected
    for f, p in CHOICE_PARAMS:
        assert [word for word, _ in p.tips] == list(p.choices) and p.kind == "option" and p.optional


def test_names_are_valid_custom_function_names_and_no_excel_function(meta):
    from openpyxl.utils import FORMULAE

    for f in meta["functions"]:
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_.]{0,127}", f["name"]), f["name"]
        assert f["name"] not in FORMULAE
    assert not [name for name in FORMULAE if name.startswith("KPI")]


def test_classic_functions_carry_no_annotations_for_the_classic_reader():
    assert all(not getattr(f, "__annotations__", None) for f in classic_udfs.UDFS.values())


# -- the reference table through custom_functions_call -------------------------------------------

CASES = [c for c in load_cases() if "udf" in c.layers]


def _check(got, expected, rel_tol):
    if is_error(expected):
        assert got == native(expected), (got, expected)
    else:
        assert type(got) is float and values_match(got, expected, rel_tol), (got, expected)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_reference_case_as_lite_computes_it(server, module, case):
    spec = catalogue.INTERFACE[case.function]
    args = [office_arg(a, p) for a, p in zip(case.args, spec.params)]
    args += [None] * (len(spec.params) - len(args))  # an omitted argument arrives as null
    got = call(server, module, case.function, args)
    assert isinstance(got, list) and all(isinstance(row, list) for row in got), got
    if not isinstance(case.expected, list):
        assert np.shape(got) == (1, 1), got
        _check(got[0][0], case.expected, case.rel_tol)
        return
    shape = np.shape(case.expected)
    if len(shape) == 1:
        assert np.shape(got) in {(1, shape[0]), (shape[0], 1)}, got
    else:
        assert np.shape(got) == shape, got
    for g, e in zip(flatten(got), flatten(case.expected)):
        _check(g, e, case.rel_tol)


OMITTING = [c for c in CASES if len(c.args) < len(catalogue.INTERFACE[c.function].params)]


@pytest.mark.parametrize("case", OMITTING, ids=[c.id for c in OMITTING])
def test_an_omitted_trailing_argument_may_also_be_absent(server, module, case):
    spec = catalogue.INTERFACE[case.function]
    args = [office_arg(a, p) for a, p in zip(case.args, spec.params)]
    padded = call(server, module, case.function, args + [None] * (len(spec.params) - len(args)))
    assert call(server, module, case.function, args) == padded


def test_reference_table_covers_the_dropdown_options():
    assert {c.function for c in CASES if len(c.args) == len(catalogue.INTERFACE[c.function].params)} >= {
        f.excel for f, _ in CHOICE_PARAMS if not f.spills_table
    }
    assert OMITTING


# -- errors in, errors out -------------------------------------------------------------------------

FIRST_CASE = {}
for _c in CASES:
    if not _c.expects_error and not _c.elementwise_errors and not isinstance(_c.expected, list):
        FIRST_CASE.setdefault(_c.function, _c)


@pytest.mark.parametrize("name", sorted(FIRST_CASE))
@pytest.mark.parametrize("text", ["#N/A", "#DIV/0!", "#NUM!", "#VALUE!", "#NULL!"])
def test_an_error_cell_in_the_first_argument_comes_out_as_that_native_error(server, module, name, text):
    case = FIRST_CASE[name]
    spec = catalogue.INTERFACE[name]
    args = [office_arg(a, p) for a, p in zip(case.args, spec.params)]
    args[0] = [row + [error(text)] for row in args[0]] if spec.params[0].kind == "list" else [[error(text)]]
    args += [None] * (len(spec.params) - len(args))
    assert call(server, module, name, args) == [[native(text)]]


@pytest.mark.parametrize("text", ["#REF!", "#NAME?", "#SPILL!", "#CALC!", "#GETTING_DATA"])
def test_an_error_custom_functions_cannot_return_comes_out_as_value_error(server, module, text):
    assert call(server, module, "KPI_CHURN", [[[error(text)]], [[100]]]) == [[native("#VALUE!")]]


def test_one_bad_month_in_a_row_spills_a_native_error_in_its_cell_only(server, module):
    got = call(server, module, "KPI_CHURN", [[[5, 0, 3, 1]], [[100, 0, error("#N/A"), "n/a"]]])
    assert got == [[0.05, native("#DIV/0!"), native("#N/A"), native("#VALUE!")]]


def test_a_number_that_looks_like_a_com_error_code_stays_a_number(server, module):
    code = -2146826281  # what COM sends for #DIV/0!; in Lite only a number
    assert call(server, module, "KPI_ROI", [[[code]], [[100]]]) == [[(code - 100) / 100]]


# -- dates and options -----------------------------------------------------------------------------


def test_a_date_cell_arrives_as_its_serial_and_computes_as_in_the_classic_add_in(server, module):
    serial = excel_serial(dt.datetime(2024, 1, 31))
    assert call(server, module, "KPI_ARR", [[[int(serial)]]]) == [[classic_udfs.KPI_ARR(dt.datetime(2024, 1, 31))]]


def test_a_dropdown_choice_arrives_as_a_plain_string(server, module):
    compound = call(server, module, "KPI_CHURN_ANNUAL", [[[0.02]], "compound"])
    linear = call(server, module, "KPI_CHURN_ANNUAL", [[[0.02]], "linear"])
    assert linear == [[pytest.approx(0.24)]] and compound == [[pytest.approx(1 - 0.98**12)]]
    assert call(server, module, "KPI_CHURN_ANNUAL", [[[0.02]], None]) == compound
    assert call(server, module, "KPI_CHURN_ANNUAL", [[[0.02]], "sideways"]) == [[native("#VALUE!")]]


# -- the subscription tables spill with dates ------------------------------------------------------

JAN, FEB, MAR = (int(excel_serial(dt.datetime(2024, m, 1))) for m in (1, 2, 3))
LEDGER = [
    [["acme"], ["acme"], ["blue"], ["blue"], ["cafe"], [None]],
    [[JAN], [FEB], [JAN], [MAR], [FEB], [None]],
    [[10], [20], [5], [5], [7], [None]],
]


def month(serial, fmt="m/d/yyyy"):
    return {"type": "FormattedNumber", "basicValue": float(serial), "numberFormat": fmt}


def test_mrr_movements_spill_one_row_a_month_with_the_month_as_a_date(server, module):
    got = call(server, module, "KPI_MRR_MOVEMENTS", LEDGER)
    classic = classic_udfs.KPI_MRR_MOVEMENTS(*lite.read_cells(LEDGER))
    assert [row[0] for row in got] == [month(JAN), month(FEB), month(MAR)]
    assert [row[1:] for row in got] == [row[1:] for row in classic]
    assert got[1] == [month(FEB), 15.0, 7.0, 10.0, 0.0, 5.0, 0.0, 12.0, 27.0, 2.0]


def test_cohorts_spill_with_dates_and_blank_cells_where_no_data_yet(server, module):
    logos = call(server, module, "KPI_COHORTS", LEDGER + [None])
    revenue = call(server, module, "KPI_COHORTS", LEDGER + ["revenue"])
    assert logos == [[month(JAN), 2.0, 1.0, 1.0], [month(FEB), 1.0, 0.0, ""], [month(MAR), 0.0, "", ""]]
    assert revenue[0] == [month(JAN), 15.0, 20.0, 5.0]
    retention = call(server, module, "KPI_COHORTS", LEDGER + ["revenue", [[True]]])
    assert retention[0] == [month(JAN), 1.0, pytest.approx(20 / 15), pytest.approx(5 / 15)]


def test_the_month_column_follows_the_users_short_date_format_or_iso(server, module):
    german = call(server, module, "KPI_MRR_MOVEMENTS", LEDGER, culture_info_name="de-DE", date_format="TT.MM.JJJJ")
    unknown = call(server, module, "KPI_MRR_MOVEMENTS", LEDGER, date_format=None)
    old_runtime = call(server, module, "KPI_MRR_MOVEMENTS", LEDGER, runtime="1.3")
    assert german[0][0] == month(JAN, "dd.mm.yyyy")
    assert unknown[0][0] == month(JAN, lite.FALLBACK_DATE_FORMAT)
    assert old_runtime[0][0] == float(JAN)


def test_bad_ledger_rows_are_native_errors(server, module):
    ids, months, mrr = LEDGER
    assert call(server, module, "KPI_MRR_MOVEMENTS", [ids, months, mrr[:4] + [[-7]] + mrr[5:]]) == [[native("#NUM!")]]
    assert call(server, module, "KPI_COHORTS", [ids, months, mrr[:3], None]) == [[native("#VALUE!")]]


# -- exactly as Lite starts: a fresh interpreter, main.py with the one import line -----------------

LITE_MAIN = """
import asyncio, json, sys, types
import xlwings  # Lite imports xlwings first, with XLWINGS_ON_SERVER=true
from xlwings.server import custom_functions_call, custom_functions_meta

main = types.ModuleType("main")
exec("from xl_kpi.udfs import *", main.__dict__)  # the line of the README's main.py
meta = custom_functions_meta(main)
data = {"func_name": "KPI_NRR", "args": [[[100, 120]], [[10, 0]], [[5, 0]], [[0, 12]]],
        "version": "lite", "client": "Office.js", "runtime": "1.4"}
result = asyncio.run(custom_functions_call(data, main))
json.dump({"names": sorted(f["name"] for f in meta["functions"]), "enums": len(meta["enums"]),
           "result": result}, sys.stdout)
"""


def test_main_py_with_the_one_import_registers_every_function_in_a_fresh_lite_interpreter(server):
    env = {**os.environ, "XLWINGS_ON_SERVER": "true", "XLWINGS_LICENSE_KEY": "noncommercial"}
    run = subprocess.run([sys.executable, "-c", LITE_MAIN], env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert out["names"] == sorted(NAMES) and out["enums"] == 4
    assert out["result"] == [[1.05, pytest.approx(0.9)]]


def test_xl_kpi_never_imports_xlwings_server_or_pro():
    import ast
    from pathlib import Path

    root = Path(catalogue.__file__).parent
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not [n for n in names if n.startswith(("xlwings.server", "xlwings.pro"))], path


CORE_ONLY = """
import sys
for name in ("openpyxl", "pycel", "rich", "xlwings", "networkx"):
    sys.modules[name] = None  # not installed: only numpy and pandas are
from xl_kpi.udfs import *
assert KPI_CHURN(5.0, 100.0) == 0.05
assert len(KPI_MRR_MOVEMENTS([["a"], ["a"]], [[45292.0], [45323.0]], [[10.0], [20.0]])) == 2
from xl_kpi.cli import main
sys.exit(main(["demo"]))
"""


def test_the_functions_need_only_numpy_and_pandas_and_the_cli_names_its_extra(tmp_path):
    run = subprocess.run([sys.executable, "-c", CORE_ONLY], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    assert run.stderr.strip().splitlines()[-1].startswith("xl-kpi: the command line needs ")
    assert run.stderr.strip().endswith('pip install "xl-kpi[cli]"')
