"""The shared machinery: conversion, error modes, messages, the division policy."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import xl_kpi as kpi
from xl_kpi.errors import (
    DomainError,
    ErrorKind,
    InvalidOptionError,
    KPIError,
    NoDataError,
    NonNumericError,
    ShapeMismatchError,
    ZeroDenominatorError,
)


def test_every_failure_kind_is_a_kpierror_with_its_excel_value():
    expected = {
        ZeroDenominatorError: "#DIV/0!",
        DomainError: "#NUM!",
        NonNumericError: "#VALUE!",
        ShapeMismatchError: "#VALUE!",
        InvalidOptionError: "#VALUE!",
        NoDataError: "#N/A",
    }
    for cls, excel in expected.items():
        assert issubclass(cls, KPIError)
        assert cls("m").excel == excel


def test_zero_denominator_error_is_also_a_zerodivisionerror():
    with pytest.raises(ZeroDivisionError):
        kpi.arpu(100, 0)


def test_message_names_the_argument_echoes_the_value_and_the_position():
    with pytest.raises(ZeroDenominatorError) as info:
        kpi.arpu([100, 200, 300], [1, 2, 0])
    assert info.value.argument == "accounts"
    assert "'accounts'" in str(info.value) and "index 2" in str(info.value)
    with pytest.raises(NonNumericError) as info:
        kpi.arpu(["12", 3], 2)
    assert info.value.value == "12" and "'12'" in str(info.value)
    with pytest.raises(DomainError) as info:
        kpi.arpu(100, -4)
    assert info.value.argument == "accounts" and "-4.0" in str(info.value)


def test_missing_values_are_no_data():
    with pytest.raises(NoDataError):
        kpi.arpu(None, 3)
    with pytest.raises(NoDataError):
        kpi.arpu(np.nan, 3)


def test_report_mode_gives_a_kind_per_element_and_keeps_the_good_ones():
    got = kpi.nrr([100, 0, 100, "x", None], [10, 0, 5, 0, 0], [0, 0, 200, 0, 0], [5, 0, 0, 0, 0], errors="report")
    assert list(got.kinds) == [ErrorKind.OK, ErrorKind.DIV0, ErrorKind.NUM, ErrorKind.VALUE, ErrorKind.NA]
    assert got.values[0] == pytest.approx(1.05)
    assert np.isnan(got.values[1:]).all()


def test_report_mode_on_scalars_gives_an_errorkind():
    assert kpi.arpu(10, 0, errors="report") == (pytest.approx(np.nan, nan_ok=True), ErrorKind.DIV0)
    values, kind = kpi.arpu(10, 4, errors="report")
    assert values == 2.5 and kind is ErrorKind.OK


def test_first_rule_broken_wins_in_report_mode():
    # A negative count that is also a zero denominator elsewhere: the domain check comes first.
    got = kpi.arpu([-1, 5], [0, 0], errors="report")
    assert list(got.kinds) == [ErrorKind.NUM, ErrorKind.DIV0]


def test_coerce_mode_gives_nan_and_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = kpi.arpu(np.array([1.0, 2.0]), np.array([0.0, 2.0]), errors="coerce")
    assert np.isnan(got[0]) and got[1] == 1.0


def test_unknown_error_mode_is_an_invalid_option():
    with pytest.raises(InvalidOptionError, match="errors"):
        kpi.arpu(1, 1, errors="ignore")


def test_incompatible_shapes_raise_in_every_mode():
    for mode in ("raise", "coerce", "report"):
        with pytest.raises(ShapeMismatchError, match="incompatible shapes"):
            kpi.arpu([1, 2, 3], [1, 2], errors=mode)


def test_a_row_and_a_column_broadcast_like_numpy():
    got = kpi.arpu(np.array([[100.0], [200.0]]), np.array([1.0, 2.0, 4.0]))
    assert got.shape == (2, 3)


def test_series_keep_their_index_and_must_share_it():
    months = pd.period_range("2024-01", periods=2, freq="M")
    got = kpi.arpu(pd.Series([100.0, 90.0], index=months), pd.Series([4.0, 3.0], index=months))
    assert got.index.equals(months) and got.tolist() == [25.0, 30.0]
    with pytest.raises(ShapeMismatchError, match="index"):
        kpi.arpu(pd.Series([1.0, 2.0], index=months), pd.Series([1.0, 2.0]))


def test_dataframes_are_refused_with_a_clear_message():
    with pytest.raises(ShapeMismatchError, match="DataFrame"):
        kpi.arr(pd.DataFrame({"a": [1.0]}))


def test_booleans_are_not_numbers():
    with pytest.raises(NonNumericError):
        kpi.arr(True)
    with pytest.raises(NonNumericError):
        kpi.arr(np.array([True, False]))


def test_integer_decimal_and_numpy_scalars_are_numbers():
    from decimal import Decimal

    assert kpi.arr(np.int64(2)) == 24.0
    assert kpi.arr(Decimal("2.5")) == 30.0
    assert type(kpi.arr(np.float32(1))) is float


def test_list_arguments_skip_missing_values_and_refuse_text():
    assert kpi.mrr([10, None, np.nan, 20]) == 30.0
    with pytest.raises(NonNumericError, match="'fees'"):
        kpi.mrr([10, "x"])
    with pytest.raises(NoDataError):
        kpi.mrr([None])
    with pytest.raises(NoDataError):
        kpi.mrr([])


def test_a_quotient_that_overflows_is_a_domain_error_not_inf():
    with pytest.raises(DomainError, match="overflows"):
        kpi.arpu(1e300, 1e-300)
    got = kpi.arpu([1e300, 10], [1e-300, 2], errors="report")
    assert list(got.kinds) == [ErrorKind.NUM, ErrorKind.OK]
    assert np.isnan(got.values[0]) and got.values[1] == 5.0


def test_a_bool_inside_a_numeric_list_is_not_counted_as_one():
    got = kpi.arpu([100, True], [2, 2], errors="report")
    assert list(got.kinds) == [ErrorKind.OK, ErrorKind.VALUE]
    with pytest.raises(NonNumericError):
        kpi.mrr([100, True])


def test_infinite_inputs_are_domain_errors_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = kpi.nrr([np.inf, 100], [0, np.inf], [0, 0], [0, 0], errors="report")
        assert list(got.kinds) == [ErrorKind.NUM, ErrorKind.NUM]
        with pytest.raises(DomainError, match="finite"):
            kpi.arpu(np.inf, 2)
        with pytest.raises(DomainError, match="finite"):
            kpi.mrr([1, np.inf])


def test_a_result_beyond_the_float_range_is_a_domain_error_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(DomainError, match="overflows"):
            kpi.arr(1e308)
        got = kpi.arr([1e308, 10.0], errors="report")
        assert list(got.kinds) == [ErrorKind.NUM, ErrorKind.OK] and got.values[1] == 120.0
        assert kpi.retention(1e308, 1e308) == 1.0


def test_kpi_functions_keep_their_name_signature_and_doctests():
    import inspect

    assert kpi.nrr.__name__ == "nrr" and kpi.nrr.__module__ == "xl_kpi.metrics.revenue"
    assert list(inspect.signature(kpi.nrr).parameters)[:4] == [
        "start_mrr", "expansion_mrr", "contraction_mrr", "churned_mrr"]


# -- the optimistic pass and the diagnosing pass agree ---------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from xl_kpi.catalogue import INTERFACE  # noqa: E402
from xl_kpi.metrics import _kernel  # noqa: E402

VALUE_FUNCTIONS = sorted(name for name, f in INTERFACE.items()
                         if f.params and all(p.kind == "value" for p in f.params))
#: Elements that pass every check, break one, or sit on a boundary.
ELEMENTS = st.sampled_from([0.0, -0.0, 1.0, 0.5, 0.005, 3.0, 12.0, 100.0, 250.0, 1e5, -1.0, -250.0,
                            1.0 + 1e-10, 1.0 + 1e-8, np.nan, np.inf, -np.inf, 1e308, 5e-324, 1e-300])


def _valid_case(name):
    """The arguments of the first error-free reference case of ``name``, none of them zero."""
    import tomllib
    from pathlib import Path

    for path in sorted((Path(__file__).parent / "reference").glob("*.toml")):
        for case in tomllib.loads(path.read_text())["case"]:
            if (case["function"] == name and isinstance(case["expected"], (int, float)) and all(case["args"])
                    and all(isinstance(a, (int, float)) for a in case["args"])):
                return case["args"]
    raise LookupError(name)


def _both_passes(func, *args, **kwargs):
    """(outcome of the normal call, outcome with every Call diagnosing element by element)."""
    def outcome():
        try:
            return func(*args, **kwargs)
        except KPIError as exc:
            return type(exc), str(exc), exc.argument
    fast = outcome()
    token = _kernel._PASS.set("precise")
    try:
        return fast, outcome()
    finally:
        _kernel._PASS.reset(token)


def _same(a, b):
    if isinstance(a, tuple) and isinstance(a[0], type):
        assert a == b
        return
    if isinstance(a, kpi.Checked):
        _same(a.values, b.values)
        assert np.array_equal(np.asarray(a.kinds), np.asarray(b.kinds))
        return
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    assert np.array_equal(a, b, equal_nan=True) and np.array_equal(np.signbit(a), np.signbit(b))


@pytest.mark.slow
@settings(max_examples=60)
@given(st.sampled_from(VALUE_FUNCTIONS), st.data())
def test_the_optimistic_pass_gives_the_values_and_errors_of_the_element_by_element_pass(name, data):
    f = INTERFACE[name]
    n = data.draw(st.integers(min_value=0, max_value=5))
    args = [np.array(data.draw(st.lists(ELEMENTS, min_size=n, max_size=n))) for _ in f.params]
    for mode in ("raise", "report", "coerce"):
        _same(*_both_passes(f.func, *args, errors=mode))
    scalars = [float(a[0]) if n else 0.0 for a in args]
    _same(*_both_passes(f.func, *scalars, errors="report"))


@pytest.mark.parametrize("name", VALUE_FUNCTIONS)
def test_both_passes_agree_on_large_arrays_with_a_few_bad_elements(name, monkeypatch):
    diagnosed = []

    class Counted(_kernel._Diagnose):
        def __init__(self, *args):
            diagnosed.append(True)
            super().__init__(*args)

    monkeypatch.setattr(_kernel, "_Diagnose", Counted)
    f = INTERFACE[name]
    rng = np.random.default_rng(len(name))
    n = 3 * _kernel._BLOCK + 17  # several blocks and a partial one
    factor = rng.uniform(0.5, 1.0, n)  # one factor for every argument: parts stay within wholes
    args = [float(a) * factor for a in _valid_case(name)]
    _same(*_both_passes(f.func, *args, errors="report"))
    assert diagnosed == [], "valid inputs must not need the element-by-element pass"
    for a in args:
        a[rng.integers(0, n, 3)] = [0.0, -1.0, np.nan]
    _same(*_both_passes(f.func, *args, errors="report"))
    assert diagnosed, "an invalid element must be found by the optimistic pass"


# -- numbers beyond the float range ---------------------------------------------------------------

HUGE = 10**400  # a Python int float() cannot hold


@pytest.mark.parametrize("name", sorted(INTERFACE))
def test_an_int_beyond_the_float_range_is_a_domain_error_in_every_function(name):
    f = INTERFACE[name]
    if f.spills_table:
        pytest.skip("tables take ids and dates, not one number per argument")
    params = [p for p in f.params if p.kind != "option"]
    for position, param in enumerate(params):
        args = [[5.0, 2.0] if p.kind == "list" else 1.0 for p in params]
        args[position] = [HUGE, 1.0] if param.kind == "list" else HUGE
        with pytest.raises(DomainError):  # a KPIError (#NUM!), never OverflowError
            f.call(*args)


@pytest.mark.parametrize("name", VALUE_FUNCTIONS)
def test_an_int_beyond_the_float_range_is_num_per_element_in_report_mode(name):
    f = INTERFACE[name]
    args = [np.array([1.0, 1.0], dtype=object) for _ in f.params]
    args[0][1] = HUGE
    values, kinds = f.func(*args, errors="report")
    assert kinds[1] == ErrorKind.NUM and np.isnan(values[1])


def test_a_sum_of_fees_beyond_the_float_range_is_a_domain_error():
    with pytest.raises(DomainError, match="beyond the float range"):
        kpi.mrr([1e308, 1e308])
    with pytest.raises(DomainError, match="beyond the float range"):
        kpi.mrr([1e308, 1e308], billing_months=[1, 1])


def test_an_engagement_beyond_the_float_range_is_a_domain_error():
    with pytest.raises(DomainError, match="beyond the float range"):
        kpi.engagement([1e308, 1e308], [1, 1])
    with pytest.raises(DomainError, match="beyond the float range"):
        kpi.engagement([1e308, -1e308], [10, 10])  # inf - inf: NaN, never returned
    with pytest.raises(DomainError, match="'weights'"):
        kpi.engagement([1.0, 2.0], [1e308, 1e308])
