"""Every reference case through every layer: Python API, UDFs as xlwings calls them, recalc.

The cases live in ``tests/reference/*.toml`` (format: ``tests/refcases.py``); each cites the
source of its expected value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xl_kpi import catalogue
from xl_kpi.errors import ErrorKind, KPIError

from refcases import flatten, is_error, load_cases, values_match

CASES = load_cases()


def _ids(cases):
    return [c.id for c in cases]


def test_reference_table_covers_every_interface_function():
    covered = {c.function for c in CASES}
    table_functions = {f.excel for f in catalogue.INTERFACE.values() if not f.spills_table}
    assert sorted(table_functions - covered) == []


def test_every_reference_case_names_an_interface_function():
    assert sorted({c.function for c in CASES} - set(catalogue.INTERFACE)) == []


@pytest.mark.parametrize("name", sorted(f.excel for f in catalogue.INTERFACE.values() if not f.spills_table))
def test_every_function_has_two_hand_checked_values(name):
    good = [c for c in CASES if c.function == name and not c.expects_error]
    assert len(good) >= 2, f"{name} needs at least two cases with a numeric expected value"


PY_CASES = [c for c in CASES if "python" in c.layers]


@pytest.mark.parametrize("case", PY_CASES, ids=_ids(PY_CASES))
def test_python_api_matches_reference(case):
    fn = catalogue.get(case.function)
    if case.expects_error:
        with pytest.raises(KPIError) as info:
            fn.call(*case.args)
        assert info.value.excel == case.expected, str(info.value)
        assert str(info.value), "the exception must carry a message"
        return
    if case.elementwise_errors:
        got = fn.call(*case.args, errors="report")
        values = np.asarray(got.values, dtype=float).ravel().tolist()
        kinds = np.asarray(got.kinds).ravel().tolist()
        expected = flatten(case.expected)
        assert len(values) == len(expected)
        for v, k, e in zip(values, kinds, expected):
            if is_error(e):
                assert ErrorKind(k).excel == e
                assert np.isnan(v)
            else:
                assert k == ErrorKind.OK
                assert values_match(v, e, case.rel_tol), (v, e)
        return
    got = fn.call(*case.args)
    if isinstance(got, pd.Series):
        got = got.to_numpy()
    if isinstance(case.expected, list):
        got = np.asarray(got, dtype=float)
        assert got.shape == np.shape(case.expected)
        for g, e in zip(got.ravel().tolist(), flatten(case.expected)):
            assert values_match(g, e, case.rel_tol), (g, e)
    else:
        assert type(got) is float, "a scalar call returns a plain float"
        assert values_match(got, case.expected, case.rel_tol), (got, case.expected)


# -- the UDF layer: the KPI_* functions called as xlwings calls them --------------------------------

UDF_CASES = [c for c in CASES if "udf" in c.layers]


def _xlwings_cell(v):
    return v if isinstance(v, (str, bool)) else float(v)


def _as_xlwings(arg, kind, form):
    """A table argument as the UDF receives it: numbers as float, text as str, a 1-D array as a
    row of cells (a column for a list argument), a 2-D array as a block of rows. ``form`` is
    "xlwings" (the UDFs' ndim=2 option: every argument a list of rows, a single cell [[x]]) or
    "engine" (xl-kpi recalc: a single cell as a scalar)."""
    if isinstance(arg, list):
        if not arg:
            return []
        rows = arg if isinstance(arg[0], list) else ([[v] for v in arg] if kind == "list" else [arg])
        rows = [[_xlwings_cell(v) for v in row] for row in rows]
        single = len(rows) == 1 and len(rows[0]) == 1
        return rows[0][0] if single and form == "engine" else rows
    return [[_xlwings_cell(arg)]] if form == "xlwings" else _xlwings_cell(arg)


@pytest.mark.parametrize("form", ["xlwings", "engine"])
@pytest.mark.parametrize("case", UDF_CASES, ids=_ids(UDF_CASES))
def test_udf_matches_reference(case, form):
    from xl_kpi.excel_errors import ExcelError
    from xl_kpi.udfs import UDFS

    fn = catalogue.get(case.function)
    args = [_as_xlwings(a, p.kind, form) for a, p in zip(case.args, fn.params)]
    got = UDFS[case.function](*args)
    if not isinstance(case.expected, list):
        if case.expects_error:
            assert type(got) is ExcelError and got == case.expected, got
        else:
            assert type(got) is float and values_match(got, case.expected, case.rel_tol), got
        return
    assert isinstance(got, list) and all(isinstance(row, list) for row in got), got
    shape = np.shape(case.expected)
    if len(shape) == 1:  # a row or a column of cells
        assert np.shape(got) in {(1, shape[0]), (shape[0], 1)}, got
    else:
        assert np.shape(got) == shape, got
    for g, e in zip(flatten(got), flatten(case.expected)):
        if is_error(e):
            assert type(g) is ExcelError and g == e, (g, e)
        else:
            assert type(g) is float and values_match(g, e, case.rel_tol), (g, e)


# -- the recalc layer: the inputs as cells, =KPI_X(...) in a workbook, xl-kpi recalc ----------------

RECALC_CASES = [c for c in CASES if "recalc" in c.layers]


def _cell_block(arg, kind):
    """An argument as a block of cells: a 1-D value argument is a row, a 1-D list a column."""
    if isinstance(arg, list):
        if arg and isinstance(arg[0], list):
            return arg
        return [[v] for v in arg] if kind == "list" else [arg]
    return [[arg]]


def _result_shape(case, fn):
    shape = np.shape(case.expected)
    if len(shape) != 1:
        return shape or (1, 1)
    value_arrays = [a for a, p in zip(case.args, fn.params) if p.kind == "value" and isinstance(a, list)]
    if value_arrays:
        return np.shape(_cell_block(value_arrays[0], "value"))
    return (shape[0], 1)  # a list argument's result follows its column


@pytest.fixture(scope="module")
def recalculated_cases(tmp_path_factory):
    """One workbook holding every recalc case, recalculated once by ``xl-kpi recalc``."""
    from openpyxl import Workbook, load_workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.formula import ArrayFormula

    from xl_kpi.recalc import recalculate

    wb = Workbook()
    ws = wb.active
    ws.title = "Cases"
    where, row = {}, 1
    for case in RECALC_CASES:
        fn = catalogue.get(case.function)
        ws.cell(row, 1, case.id)
        refs = []
        for arg, p in zip(case.args, fn.params):
            block = _cell_block(arg, p.kind)
            for i, values in enumerate(block):
                for j, v in enumerate(values):
                    ws.cell(row + i, 2 + j, v)
            top = f"{get_column_letter(2)}{row}"
            bottom = f"{get_column_letter(1 + len(block[0]))}{row + len(block) - 1}"
            refs.append(top if top == bottom else f"{top}:{bottom}")
            row += len(block)
        formula = f"={case.function}({','.join(refs)})"
        height, width = _result_shape(case, fn)
        first, last = f"B{row}", f"{get_column_letter(1 + width)}{row + height - 1}"
        if (height, width) == (1, 1) and not isinstance(case.expected, list):
            ws[first] = formula
        else:
            ws[first] = ArrayFormula(f"{first}:{last}", formula)
        where[case.id] = (row, height, width)
        row += height + 1
    src, dst = tmp_path_factory.mktemp("recalc") / "cases.xlsx", None
    wb.save(src)
    dst = src.with_name("cases-out.xlsx")
    report = recalculate(src, dst)
    assert report.ok, report.reason
    out = load_workbook(dst, data_only=True)["Cases"]
    results = {}
    for case_id, (r, h, w) in where.items():
        results[case_id] = [[out.cell(r + i, 2 + j).value for j in range(w)] for i in range(h)]
    return results


@pytest.mark.parametrize("case", RECALC_CASES, ids=_ids(RECALC_CASES))
def test_recalc_matches_reference(case, recalculated_cases):
    got = recalculated_cases[case.id]
    expected = case.expected if isinstance(case.expected, list) else [case.expected]
    got_flat = flatten(got)
    assert len(got_flat) == len(flatten(expected)), got
    for g, e in zip(got_flat, flatten(expected)):
        assert values_match(g, e, case.rel_tol), (g, e)


def test_reference_table_headers_cite_paths_that_exist():
    """Every repository path named in a comment of tests/reference/*.toml exists."""
    import re
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    for table in sorted((repo / "tests" / "reference").glob("*.toml")):
        comments = [line for line in table.read_text().splitlines() if line.lstrip().startswith("#")]
        cited = {m for line in comments for m in re.findall(r"\b((?:xl_kpi|tests|benchmarks|docs)/[\w/.-]*\w)", line)}
        missing = sorted(p for p in cited if not (repo / p).exists())
        assert missing == [], f"{table.name} cites {missing}"
