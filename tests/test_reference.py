"""Every reference case through every layer: Python API, UDFs as xlwings calls them, recalc.

The cases live in ``tests/reference/*.toml`` (format: ``tests/refcases.py``); each cites the
source of its expected value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from refcases import flatten, is_error, load_cases, values_match
from xl_kpi import catalogue
from xl_kpi.errors import ErrorKind, KPIError

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
