"""Invariants every KPI keeps, driven by the interface table and the reference cases
(in the manner of scikit-learn's metric registry tests)."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from xl_kpi import catalogue
from xl_kpi.errors import ErrorKind

from refcases import load_cases

# Cases whose value arguments are plain scalars and whose result is a number: the seeds.
SEEDS = [
    c
    for c in load_cases()
    if not c.expects_error
    and not isinstance(c.expected, list)
    and all(
        isinstance(a, (int, float)) and not isinstance(a, bool)
        for a, p in zip(c.args, catalogue.get(c.function).params)
        if p.kind == "value"
    )
    and any(p.kind == "value" for p in catalogue.get(c.function).params)
]


def _spread(case, make):
    """The case's arguments with every value argument turned into a 3-element container."""
    fn = catalogue.get(case.function)
    return [make([a] * 3) if p.kind == "value" else a for a, p in zip(case.args, fn.params)]


@pytest.mark.parametrize("case", SEEDS, ids=[c.id for c in SEEDS])
def test_scalar_list_array_and_series_give_the_same_values(case):
    fn = catalogue.get(case.function)
    scalar = fn.call(*case.args)
    assert type(scalar) is float
    as_list = fn.call(*_spread(case, list))
    as_array = fn.call(*_spread(case, np.array))
    index = pd.period_range("2024-01", periods=3, freq="M")
    as_series = fn.call(*_spread(case, lambda v: pd.Series(v, index=index)))
    np.testing.assert_allclose(as_list, [scalar] * 3, rtol=1e-12)
    np.testing.assert_allclose(as_array, [scalar] * 3, rtol=1e-12)
    assert isinstance(as_series, pd.Series)
    assert as_series.index.equals(index)
    np.testing.assert_allclose(as_series.to_numpy(), [scalar] * 3, rtol=1e-12)


@pytest.mark.parametrize("case", SEEDS, ids=[c.id for c in SEEDS])
def test_inputs_are_never_mutated(case):
    fn = catalogue.get(case.function)
    args = _spread(case, lambda v: np.array(v, dtype=float))
    series = [pd.Series(a) if isinstance(a, np.ndarray) else a for a in args]
    before = copy.deepcopy(args), copy.deepcopy(series)
    fn.call(*args)
    fn.call(*series)
    fn.call(*args, errors="report")
    for a, b in zip(args + series, before[0] + before[1]):
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b)
        elif isinstance(a, pd.Series):
            pd.testing.assert_series_equal(a, b)
        else:
            assert a == b


@pytest.mark.parametrize("case", SEEDS, ids=[c.id for c in SEEDS])
def test_one_bad_element_does_not_spoil_the_others(case):
    fn = catalogue.get(case.function)
    params = fn.params
    first_value = next(i for i, p in enumerate(params) if p.kind == "value")
    args = _spread(case, list)
    args[first_value] = [args[first_value][0], "text", args[first_value][2]]
    got = fn.call(*args, errors="report")
    scalar = fn.call(*case.args)
    assert list(np.asarray(got.kinds)) == [ErrorKind.OK, ErrorKind.VALUE, ErrorKind.OK]
    np.testing.assert_allclose(np.asarray(got.values)[[0, 2]], [scalar, scalar], rtol=1e-12)
    assert np.isnan(np.asarray(got.values)[1])
    coerced = fn.call(*args, errors="coerce")
    assert np.isnan(coerced[1]) and not np.isnan(coerced[0])


VALUE_METRICS = [
    f for f in catalogue.INTERFACE.values()
    if f.target.startswith("metrics.") and any(p.kind == "value" for p in f.params)
]


@pytest.mark.parametrize("fn", VALUE_METRICS, ids=[f.excel for f in VALUE_METRICS])
def test_python_signature_follows_the_catalogue_order(fn):
    import inspect

    params = inspect.signature(fn.func).parameters
    positional = [n for n, p in params.items() if p.kind is p.POSITIONAL_OR_KEYWORD]
    keyword_only = [n for n, p in params.items() if p.kind is p.KEYWORD_ONLY]
    assert positional == [p.name for p in fn.params if p.kind != "option"]
    assert keyword_only == [p.name for p in fn.params if p.kind == "option"] + ["errors"]
