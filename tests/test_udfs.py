"""The KPI_* UDFs as Excel (through xlwings) and ``xl-kpi recalc`` call them.

Arguments are written the way xlwings delivers them with the UDFs' options (``ndim=2,
err_to_str=True``): numbers as float, blanks as None, text as str, dates as datetime, ranges as
lists of rows, error cells as ExcelError (or xlwings' own encodings of them). Every function of
the interface is parametrized over: none may raise, each failure must be the Excel error the
catalogue names. The reference values themselves run through the UDFs in
``tests/test_reference.py::test_udf_matches_reference``.
"""

from __future__ import annotations

import ast
import datetime as dt
import inspect
import math
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xl_kpi import catalogue, udfs
from xl_kpi.commands import vba
from xl_kpi.errors import EXCEL_ERRORS
from xl_kpi.excel_errors import DIV0, NA, NUM, REF, VALUE, ExcelError

from refcases import load_cases

FUNCTIONS = list(catalogue.INTERFACE.values())
TABLES = [f for f in FUNCTIONS if f.spills_table]
NAMES = [f.excel for f in FUNCTIONS]

# -- inputs that compute: one reference case per function, all single cells ---------------------

LEDGER = (  # three customers over three months; a blank row past the end of the data
    [["acme"], ["acme"], ["blue"], ["blue"], ["cafe"], [None]],
    [[dt.datetime(2024, 1, 1)], [dt.datetime(2024, 2, 1)], [dt.datetime(2024, 1, 1)],
     [dt.datetime(2024, 3, 1)], [dt.datetime(2024, 2, 1)], [None]],
    [[10.0], [20.0], [5.0], [5.0], [7.0], [None]],
)


def _cell(v):
    return v if isinstance(v, (str, bool)) else float(v)


def _as_column(v):
    return [[_cell(x)] for x in v] if isinstance(v, list) else _cell(v)


def _base_args() -> dict[str, list]:
    """For each function, the arguments of its first computing reference case, in engine form."""
    base = {}
    for case in load_cases():
        if case.function in base or case.expects_error or case.elementwise_errors:
            continue
        if any(isinstance(a, (str, bool)) for a in case.args):
            continue
        fn = catalogue.INTERFACE[case.function]
        if any(isinstance(a, list) for a, p in zip(case.args, fn.params) if p.kind != "list"):
            continue
        args = [_as_column(a) for a in case.args]
        base[case.function] = args + [None] * (len(fn.params) - len(args))  # omitted: blank
    for f in TABLES:
        base[f.excel] = [list(map(list, col)) for col in LEDGER] + [None] * (len(f.params) - 3)
    return base


BASE = _base_args()


def call(name, args):
    return udfs.UDFS[name](*args)


def replaced(name, index, value):
    args = list(BASE[name])
    args[index] = value
    return args


def params_of(kinds, functions=FUNCTIONS, *, optional=None):
    out = []
    for f in functions:
        for i, p in enumerate(f.params):
            if p.kind in kinds and (optional is None or p.optional == optional):
                out.append(pytest.param(f.excel, i, id=f"{f.excel}-{p.name}"))
    return out


def flat(result):
    return [v for row in result for v in row] if isinstance(result, list) else [result]


def same(a, b):
    """Equal results, element by element (floats to 1e-12, errors by value and type)."""
    fa, fb = flat(a), flat(b)
    if len(fa) != len(fb) or isinstance(a, list) != isinstance(b, list):
        return False
    for x, y in zip(fa, fb):
        if isinstance(x, float) and isinstance(y, float):
            if not math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-12):
                return False
        elif type(x) is not type(y) or x != y:
            return False
    return True


def test_every_interface_function_has_computing_inputs_here():
    assert sorted(set(NAMES) - set(BASE)) == []
    for name, args in BASE.items():
        got = call(name, args)
        assert all(isinstance(v, (float, dt.datetime, str)) and not isinstance(v, ExcelError) for v in flat(got)), (
            name,
            got,
        )


# -- the interface: names, argument order, help ---------------------------------------------------


def test_every_interface_function_is_a_udf_and_nothing_else():
    assert sorted(udfs.UDFS) == sorted(NAMES)
    for name, func in udfs.UDFS.items():
        assert getattr(udfs, name) is func
        assert func.__name__ == name


@pytest.mark.parametrize("name", NAMES)
def test_udf_signature_is_the_catalogue_argument_order(name):
    spec = catalogue.INTERFACE[name]
    params = list(inspect.signature(udfs.UDFS[name]).parameters.values())
    assert [p.name for p in params] == [p.name for p in spec.params]
    for p, cp in zip(params, spec.params):
        assert p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        assert p.default is (None if cp.optional else inspect.Parameter.empty), p.name


@pytest.mark.parametrize("name", NAMES)
def test_udf_body_only_hands_its_arguments_in_order_to_the_boundary(name):
    source = textwrap.dedent(inspect.getsource(udfs.UDFS[name]))
    fn = next(n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef))
    docstring, ret = fn.body
    assert isinstance(docstring, ast.Expr) and isinstance(docstring.value, ast.Constant)
    assert isinstance(ret, ast.Return) and isinstance(ret.value, ast.Call)
    call_ = ret.value
    assert isinstance(call_.func, ast.Name) and call_.func.id == "evaluate" and not call_.keywords
    assert isinstance(call_.args[0], ast.Constant) and call_.args[0].value == name
    assert [a.id for a in call_.args[1:]] == [p.name for p in catalogue.INTERFACE[name].params]


@pytest.mark.parametrize("name", NAMES)
def test_udf_help_text_is_one_ascii_line_within_excel_limit(name):
    doc = udfs.UDFS[name].__doc__
    assert doc and doc == doc.strip() and "\n" not in doc
    assert len(doc) <= 255, len(doc)
    assert doc.isascii()


@pytest.fixture(scope="module")
def windows_metadata():
    """The UDFs as xlwings' Windows decorators describe them (what Import Functions reads)."""
    module = vba.decorated_udfs(vba.xlwings_udfs())
    return {name: getattr(module, name).__xlfunc__ for name in NAMES}


@pytest.mark.parametrize("name", NAMES)
def test_xlwings_sees_category_help_and_read_options_of_every_argument(name, windows_metadata):
    info = windows_metadata[name]
    spec = catalogue.INTERFACE[name]
    assert info["category"] == udfs.CATEGORY == "SaaS KPIs"
    assert info["ret"]["doc"] == udfs.UDFS[name].__doc__
    assert [a["name"] for a in info["args"]] == [p.name for p in spec.params]
    for arg, p in zip(info["args"], spec.params):
        assert arg["doc"] == p.doc and 0 < len(arg["doc"]) <= 255 and arg["doc"].isascii()
        assert arg["options"] == {"ndim": 2, "err_to_str": True}
        assert ("optional" in arg) == p.optional
    assert info["ret"]["options"] == {}  # results spill natively: no legacy expand


# -- value arguments ------------------------------------------------------------------------------


@pytest.mark.parametrize("name, index", params_of({"value"}))
def test_text_in_a_value_argument_is_value_error(name, index):
    assert call(name, replaced(name, index, "twelve")) == VALUE
    assert type(call(name, replaced(name, index, "twelve"))) is ExcelError


@pytest.mark.parametrize("name, index", params_of({"value"}))
def test_boolean_in_a_value_argument_is_value_error(name, index):
    for b in (True, False):
        got = call(name, replaced(name, index, b))
        assert type(got) is ExcelError and got == VALUE


@pytest.mark.parametrize("name, index", params_of({"value"}, optional=False))
def test_blank_value_argument_counts_as_zero(name, index):
    assert same(call(name, replaced(name, index, None)), call(name, replaced(name, index, 0.0)))


@pytest.mark.parametrize("name, index", params_of({"value", "list", "option"}, optional=True))
def test_blank_optional_argument_is_as_if_omitted(name, index):
    omitted = call(name, BASE[name][:index])
    assert same(call(name, replaced(name, index, None)), omitted)
    assert same(call(name, replaced(name, index, [[None]])), omitted)


COUNTS = {
    "converted", "prospects", "converted_pqls", "pqls", "conversions", "visitors", "new_customers",
    "customers", "lost_customers", "retained_customers", "end_customers", "start_customers",
    "active_customers", "paying_customers", "accounts", "sales", "promoters", "passives",
    "detractors", "positive_responses", "responses", "resolved_first_contact", "tickets",
}  # fmt: skip


@pytest.mark.parametrize(
    "name, index",
    [p for p in params_of({"value"}) if catalogue.INTERFACE[p.values[0]].params[p.values[1]].name in COUNTS],
)
def test_negative_count_is_num_error(name, index):
    got = call(name, replaced(name, index, -3.0))
    assert type(got) is ExcelError and got == NUM


@pytest.mark.parametrize("name, index", params_of({"value"}))
def test_a_range_spills_one_result_per_cell_in_its_orientation(name, index):
    base = BASE[name]
    single = call(name, base)
    column = call(name, replaced(name, index, [[base[index]], [base[index]], [base[index]]]))
    row = call(name, replaced(name, index, [[base[index], base[index]]]))
    assert same(column, [[single]] * 3)
    assert same(row, [[single, single]])


@pytest.mark.parametrize("name, index", params_of({"value"}))
def test_one_cell_range_is_a_single_cell(name, index):
    assert same(call(name, replaced(name, index, [[BASE[name][index]]])), call(name, BASE[name]))


@pytest.mark.parametrize("name", [f.excel for f in FUNCTIONS if sum(p.kind == "value" for p in f.params) >= 2])
def test_value_ranges_of_different_sizes_are_value_error(name):
    f = catalogue.INTERFACE[name]
    i, j = [k for k, p in enumerate(f.params) if p.kind == "value"][:2]
    args = list(BASE[name])
    args[i] = [[args[i]] * 3]
    args[j] = [[args[j]] * 2]
    assert call(name, args) == VALUE and type(call(name, args)) is ExcelError


@pytest.mark.parametrize("name, index", params_of({"value", "list"}))
def test_empty_range_is_na(name, index):
    got = call(name, replaced(name, index, []))
    assert type(got) is ExcelError and got == NA


@pytest.mark.parametrize("name, index", params_of({"value"}))
def test_ragged_rows_are_value_error(name, index):
    got = call(name, replaced(name, index, [[1.0, 2.0], [3.0]]))
    assert type(got) is ExcelError and got == VALUE


def test_a_date_cell_counts_as_its_serial_number():
    assert udfs.KPI_ARR(dt.datetime(2024, 1, 31)) == 45322.0 * 12


def test_blank_cells_inside_an_optional_range_take_the_default():
    got = udfs.KPI_LTV([[50.0, 50.0, 50.0]], 0.005, [[None, 0.5, 0.0]])
    assert same(got, [[10_000.0, 5_000.0, 0.0]])


def test_row_and_column_pair_cell_by_cell_like_excel_arrays():
    got = udfs.KPI_CHURN([[1.0, 2.0]], [[10.0], [20.0]])
    assert same(got, [[0.1, 0.2], [0.05, 0.1]])


def test_one_bad_month_does_not_spoil_the_others():
    got = udfs.KPI_NRR(
        [[100.0, 0.0, 100.0, "n/a", 100.0]],
        [[10.0, 0.0, 5.0, 1.0, -1.0]],
        [[5.0, 0.0, 5.0, 1.0, 1.0]],
        [[5.0, 0.0, 200.0, 1.0, 1.0]],
    )
    assert same(got, [[1.0, DIV0, NUM, VALUE, NUM]])


def test_overflow_is_num_error_never_an_infinite_or_blank_cell():
    assert udfs.KPI_ARR(1e308) == NUM and type(udfs.KPI_ARR(1e308)) is ExcelError


# -- list arguments -------------------------------------------------------------------------------

LISTS = params_of({"list"}, [f for f in FUNCTIONS if not f.spills_table], optional=False)


def _column(v):
    return v if isinstance(v, list) else [[v]]


@pytest.mark.parametrize("name, index", LISTS)
def test_blanks_text_and_booleans_in_a_list_are_skipped(name, index):
    f = catalogue.INTERFACE[name]
    base = BASE[name]
    args = list(base)
    paired = [k for k, p in enumerate(f.params) if p.kind == "list" and args[k] is not None]
    for k in paired:  # a row of extra cells in every paired list keeps the pairs aligned
        args[k] = _column(args[k]) + [[{index: "n/a"}.get(k, None)], [True], [None]]
    assert same(call(name, args), call(name, base))


@pytest.mark.parametrize("name, index", LISTS)
def test_a_list_of_blanks_or_text_is_na(name, index):
    size = len(_column(BASE[name][index]))
    for filler in (None, "none yet"):
        args = list(BASE[name])
        for k, p in enumerate(catalogue.INTERFACE[name].params):
            if p.kind == "list" and args[k] is not None:
                args[k] = [[filler]] * size
        got = call(name, args)
        assert type(got) is ExcelError and got == NA


@pytest.mark.parametrize("name", ["KPI_MRR", "KPI_ENGAGEMENT"])
def test_paired_lists_of_different_sizes_are_value_error(name):
    got = call(name, [[[1.0], [2.0], [3.0]], [[1.0], [2.0]]])
    assert type(got) is ExcelError and got == VALUE


def test_a_list_accepts_a_cell_a_row_a_column_or_a_block():
    expected = udfs.KPI_NPS([[10.0], [9.0], [3.0], [8.0]])
    assert expected == 25.0
    assert udfs.KPI_NPS([[10.0, 9.0, 3.0, 8.0]]) == expected
    assert udfs.KPI_NPS([[10.0, 9.0], [3.0, 8.0]]) == expected
    assert udfs.KPI_NPS(10.0) == udfs.KPI_NPS([[10.0]]) == 100.0


def test_funnel_spills_in_the_orientation_of_its_stages():
    row = udfs.KPI_FUNNEL([[1000.0, 100.0, None, 10.0]])
    column = udfs.KPI_FUNNEL([[1000.0], [100.0], [10.0]])
    assert same(row, [[1.0, 0.1, 0.1]])
    assert same(column, [[1.0], [0.1], [0.1]])


# -- options --------------------------------------------------------------------------------------

OPTIONS = params_of({"option"})
LOGICAL_OPTIONS = {"normalize"}  # options whose values are TRUE / FALSE


def test_cohorts_normalize_true_gives_retention_and_text_is_value_error():
    ids, months, mrr = [["a"], ["a"], ["b"]], [["2024-01"], ["2024-02"], ["2024-02"]], [[10.0], [5.0], [8.0]]
    got = udfs.KPI_COHORTS(ids, months, mrr, "revenue", True)
    assert [row[1:] for row in got] == [[1.0, 0.5], [1.0, ""]]
    assert udfs.KPI_COHORTS(ids, months, mrr, "revenue", "yes") == VALUE


@pytest.mark.parametrize("name, index", OPTIONS)
@pytest.mark.parametrize("bad", ["sideways", True, [["step", "linear"]], [[4.0], [5.0]]],
                         ids=["text", "bool", "row", "column"])
def test_bad_option_is_value_error(name, index, bad):
    if bad is True and catalogue.INTERFACE[name].params[index].name in LOGICAL_OPTIONS:
        pytest.skip("TRUE is this option's value")
    got = call(name, replaced(name, index, bad))
    assert type(got) is ExcelError and got == VALUE


# -- error cells coming in ------------------------------------------------------------------------


def _with_error(name, index, error):
    p = catalogue.INTERFACE[name].params[index]
    if p.kind == "list":
        return replaced(name, index, _column(BASE[name][index]) + [[error]])
    return replaced(name, index, error)


@pytest.mark.parametrize("name, index", params_of({"value", "list", "option"}))
@pytest.mark.parametrize(
    "encoding",
    [ExcelError("#REF!"), "#REF!", -2146826265],
    ids=["ExcelError", "xlwings-err_to_str", "com-error-code"],
)
def test_error_cell_in_any_argument_propagates(name, index, encoding):
    args = _with_error(name, index, encoding)
    if catalogue.INTERFACE[name].params[index].kind == "list" and name in {"KPI_MRR", "KPI_ENGAGEMENT"}:
        args = [_column(a) + [[None]] if k != index and a is not None else a for k, a in enumerate(args)]
    got = call(name, args)
    assert type(got) is ExcelError and got == REF


@pytest.mark.parametrize("name", [f.excel for f in FUNCTIONS if len(f.params) >= 2])
def test_first_argument_error_wins_as_in_excel(name):
    args = list(BASE[name])
    args[0] = _with_error(name, 0, ExcelError("#N/A"))[0]
    args[1] = _with_error(name, 1, ExcelError("#NAME?"))[1]
    got = call(name, args)
    assert type(got) is ExcelError and got == NA


def test_error_coming_in_beats_the_error_the_kpi_would_find():
    assert udfs.KPI_CHURN(ExcelError("#NAME?"), 0.0) == "#NAME?"
    assert udfs.KPI_CHURN("text", ExcelError("#N/A")) == VALUE  # the first argument fails first
    assert udfs.KPI_CHURN(ExcelError("#N/A"), True) == NA
    assert same(udfs.KPI_CHURN([[0.0, ExcelError("#N/A")]], [[0.0, 0.0]]), [[DIV0, NA]])


def test_newer_error_values_arrive_as_com_codes_and_still_propagate():
    spill, calc = -2146828288 + 2045, -2146828288 + 2050
    assert udfs.KPI_ARR(spill) == "#SPILL!" and udfs.KPI_ARR(calc) == "#CALC!"
    assert type(udfs.KPI_ARR(spill)) is ExcelError


# -- the subscription tables ----------------------------------------------------------------------


def test_mrr_movements_spill_one_row_a_month_without_header():
    got = udfs.KPI_MRR_MOVEMENTS(*BASE["KPI_MRR_MOVEMENTS"])
    # hand: Jan acme 10 + blue 5 new; Feb acme 10 -> 20 expansion, blue churns 5, cafe 7 new;
    # Mar acme and cafe churn, blue comes back with 5 (reactivation).
    assert got == [
        [dt.datetime(2024, 1, 1), 0.0, 15.0, 0.0, 0.0, 0.0, 0.0, 15.0, 15.0, 2.0],
        [dt.datetime(2024, 2, 1), 15.0, 7.0, 10.0, 0.0, 5.0, 0.0, 12.0, 27.0, 2.0],
        [dt.datetime(2024, 3, 1), 27.0, 0.0, 0.0, 0.0, 27.0, 5.0, -22.0, 5.0, 1.0],
    ]
    assert all(type(row[0]) is dt.datetime for row in got)


def test_cohorts_spill_month_then_ages_with_nothing_where_no_data_yet():
    ledger = BASE["KPI_COHORTS"][:3]
    logos = udfs.KPI_COHORTS(*ledger)
    revenue = udfs.KPI_COHORTS(*ledger, "revenue")
    # hand: January cohort acme and blue (blue back in March), February cohort cafe.
    assert logos == [
        [dt.datetime(2024, 1, 1), 2.0, 1.0, 1.0],
        [dt.datetime(2024, 2, 1), 1.0, 0.0, ""],
        [dt.datetime(2024, 3, 1), 0.0, "", ""],
    ]
    assert revenue[0] == [dt.datetime(2024, 1, 1), 15.0, 20.0, 5.0]
    assert udfs.KPI_COHORTS(*ledger, [["Revenue"]]) == revenue


@pytest.mark.parametrize("name", [f.excel for f in TABLES])
def test_subscription_tables_refuse_bad_rows_with_excel_errors(name):
    ids, months, mrr = BASE[name][:3]
    cases = {
        "text MRR": (ids, months, mrr[:4] + [["lots"]] + mrr[5:], VALUE),
        "negative MRR": (ids, months, mrr[:4] + [[-7.0]] + mrr[5:], NUM),
        "different lengths": (ids, months, mrr[:3], VALUE),
        "missing month": (ids, months[:4] + [[None]] + months[5:], mrr, NA),
        "no rows": ([[None]], [[None]], [[None]], NA),
    }
    for label, (a, b, c, expected) in cases.items():
        got = call(name, [a, b, c])
        assert type(got) is ExcelError and got == expected, label


# -- never a Python exception, only what a cell can hold ------------------------------------------

ERRORS = [ExcelError(e) for e in EXCEL_ERRORS]
CELLS = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**6), 10**6),
    st.booleans(),
    st.text(max_size=4),
    st.sampled_from(["#N/A", "#DIV/0!", "step", "cumulative", "linear", "logos", "revenue", "2024-01"]),
    st.sampled_from(ERRORS),
    st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2100, 1, 1)),
)
ARGUMENTS = st.one_of(
    CELLS,
    st.integers(1, 3).flatmap(lambda w: st.lists(st.lists(CELLS, min_size=w, max_size=w), min_size=1, max_size=3)),
)


def _is_cell_value(v):
    if isinstance(v, float):
        return math.isfinite(v)
    return isinstance(v, (ExcelError, dt.datetime)) or v == ""


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_input_gives_a_cell_value_never_an_exception(name, data):
    n = len(catalogue.INTERFACE[name].params)
    args = [data.draw(ARGUMENTS) for _ in range(n)]
    got = call(name, args)
    if isinstance(got, list):
        assert got and all(isinstance(row, list) and len(row) == len(got[0]) for row in got)
        assert all(_is_cell_value(v) for row in got for v in row), got
    else:
        assert _is_cell_value(got) and got != "", got


# -- numbers beyond the float range ---------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(n for n, f in catalogue.INTERFACE.items() if not f.spills_table))
def test_an_int_beyond_the_float_range_shows_num(name):
    """A Python caller may pass what xlwings never sends: 10**400 is #NUM!, not an OverflowError."""
    params = [p for p in catalogue.INTERFACE[name].params if p.kind != "option"]
    for position, param in enumerate(params):
        args = [[[5.0], [2.0]] if p.kind == "list" else 1.0 for p in params]
        args[position] = [[10**400], [1.0]] if param.kind == "list" else 10**400
        assert udfs.UDFS[name](*args) == ExcelError("#NUM!"), param.name


def test_fees_and_engagement_beyond_the_float_range_show_num():
    assert udfs.UDFS["KPI_MRR"]([[1e308], [1e308]]) == ExcelError("#NUM!")
    assert udfs.UDFS["KPI_ENGAGEMENT"]([[1e308], [-1e308]], [[10.0], [10.0]]) == ExcelError("#NUM!")
