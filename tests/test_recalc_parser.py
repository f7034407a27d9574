"""The formula parser: Excel's tokens, operator precedence, references and limits.

Precedence and the reference operators as Microsoft documents them ("Calculation operators and
precedence in Excel": ``:`` then space then ``,``, then negation, ``%``, ``^``, ``* /``, ``+ -``,
``&``, comparisons; ``=-2^2`` is 4 in Excel); the limits as Excel's specification states them
(8,192 characters, 64 nested functions, 255 arguments). Trees are shown as s-expressions by
:func:`show`, the formula written in A1, so relative references read as written.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_recalc_support import make_book

from xl_kpi.recalc import evaluate
from xl_kpi.recalc.formula import compile_formula
from xl_kpi.recalc.nodes import ArrayLit, Const, FormulaLimitError, FormulaSyntaxError, Func, Name, Op, Ref, Structured
from xl_kpi.recalc.package import col_letters
from xl_kpi.recalc.parser import parse, tokenize


def _coord(value, absolute, origin, column):
    if value is None:
        return ""
    n = value if absolute else value + origin
    return ("$" if absolute else "") + (col_letters(n) if column else str(n))


def show(node) -> str:
    """A tree as text: ``(+ A1 2)``, ``SUM(A1:B2,_)`` (``_`` an omitted argument), ``{1,2;3,4}``."""
    if node is None:
        return "_"
    if isinstance(node, Const):
        v = node.value.python(0)
        return repr(v) if isinstance(v, str) and not v.startswith("#") else str(v).upper() if isinstance(v, bool) \
            else f"{v:g}" if isinstance(v, float) else str(v)
    if isinstance(node, Ref):
        a = _coord(node.c0, node.abs_c0, 1, True) + _coord(node.r0, node.abs_r0, 1, False)
        b = _coord(node.c1, node.abs_c1, 1, True) + _coord(node.r1, node.abs_r1, 1, False)
        area = a if a == b and node.r0 is not None and node.c0 is not None else f"{a}:{b}"
        return (f"{node.sheet}!" if node.sheet else "") + area
    if isinstance(node, Name):
        return (f"{node.sheet}!" if node.sheet else "") + f"<{node.name}>"
    if isinstance(node, Structured):
        return f"[[{node.text}]]"
    if isinstance(node, Op):
        return "(" + " ".join([node.op] + [show(a) for a in node.args]) + ")"
    if isinstance(node, Func):
        return node.name + "(" + ",".join(show(a) for a in node.args) + ")"
    if isinstance(node, ArrayLit):
        return "{" + ";".join(",".join(show(c) for c in r) for r in node.rows) + "}"
    raise AssertionError(node)


def tree(formula: str) -> str:
    return show(parse(formula.removeprefix("="), 1, 1))


# ---------------------------------------------------------------------------------------------
# Precedence


@pytest.mark.parametrize("formula, expected", [
    ("=1+2*3", "(+ 1 (* 2 3))"),
    ("=1*2+3", "(+ (* 1 2) 3)"),
    ("=1-2-3", "(- (- 1 2) 3)"),  # left to right
    ("=8/4/2", "(/ (/ 8 4) 2)"),
    ("=2^3^2", "(^ (^ 2 3) 2)"),  # left-associative: 64 in Excel
    ("=-2^2", "(^ (neg 2) 2)"),  # negation first: 4 in Excel
    ("=2*-3^2", "(* 2 (^ (neg 3) 2))"),
    ("=2^-1", "(^ 2 (neg 1))"),
    ("=-2%", "(% (neg 2))"),
    ("=2^3%", "(^ 2 (% 3))"),  # percent before power
    ("=5%%", "(% (% 5))"),
    ("=--A1", "(neg (neg A1))"),
    ("=+A1", "A1"),  # a unary plus is dropped
    ("=-+-A1", "(neg (neg A1))"),
    ("=1-+-2", "(- 1 (neg 2))"),
    ('=A1&"x"&B1', "(& (& A1 'x') B1)"),
    ("=1+2&3", "(& (+ 1 2) 3)"),
    ('=A1&"x"=B1', "(= (& A1 'x') B1)"),  # comparisons last
    ("=A1<>B1+1", "(<> A1 (+ B1 1))"),
    ("=A1<=B1", "(<= A1 B1)"),
    ("=A1>=B1", "(>= A1 B1)"),
    ("=(1+2)*3", "(* (+ 1 2) 3)"),
    ("=-(1)", "(neg 1)"),
    ("=ROUND(A1,2)%", "(% ROUND(A1,2))"),
])
def test_operators_bind_by_excels_precedence(formula, expected):
    assert tree(formula) == expected


@pytest.mark.parametrize("formula, expected", [
    ("=-2^2", 4), ("=2*-3^2", 18), ("=2^3^2", 64), ("=-2%", -0.02), ("=1+2*3", 7), ("=2^-1", 0.5),
])
def test_precedence_gives_excels_values(formula, expected):
    assert evaluate({}, formula) == pytest.approx(expected)


@pytest.mark.parametrize("formula, expected", [
    ("=(A1%,B1)", "(union (% A1) B1)"),
    ("=-A1%,B1", "(union (% (neg A1)) B1)"),
    ("=(A1&1,-2)", "(& A1 (union 1 (neg 2)))"),
    ("=A1 -B1:C1", "(- A1 B1:C1)"),
])
def test_postfix_and_prefix_operators_beside_the_reference_operators(formula, expected):
    assert tree(formula) == expected


def test_negation_takes_a_whole_reference_expression():
    # the reference operators bind tighter than negation: -(A1 B1), -(A1:B2)
    assert tree("=-A1 B1") == "(neg (isect A1 B1))"
    assert tree("=-A1:B2") == "(neg A1:B2)"
    assert tree("=-A1,B1") == "(neg (union A1 B1))"


# ---------------------------------------------------------------------------------------------
# Whitespace and the reference operators


@pytest.mark.parametrize("formula, expected", [
    ("=A1 B1", "(isect A1 B1)"),
    ("=A1:B2 C1:D2", "(isect A1:B2 C1:D2)"),
    ("=A1 (B1)", "(isect A1 B1)"),
    ("=(A1) (B1)", "(isect A1 B1)"),
    ("=SUM(A1) SUM(B1)", "(isect SUM(A1) SUM(B1))"),
    ("=1 2", "(isect 1 2)"),
    ("=A1 B1 C1", "(isect (isect A1 B1) C1)"),
    ("=F(A1:B2 C1)", "F((isect A1:B2 C1))"),
    ("=A1\nB1", "(isect A1 B1)"),
])
def test_a_space_between_two_references_is_the_intersection(formula, expected):
    assert tree(formula) == expected


@pytest.mark.parametrize("formula, expected", [
    ("=SUM( A1 , B1 )", "SUM(A1,B1)"),
    ("= A1 + B1 ", "(+ A1 B1)"),
    ("=A1 -B1", "(- A1 B1)"),  # a space then a sign: the infix minus
    ("=A1\r\n+\tB1", "(+ A1 B1)"),  # CR-LF and tabs are whitespace
    ("=IF(\r\n\r\nB2=1,\r\n1,\t2 )", "IF((= B2 1),1,2)"),
    ('="a \r\nb"&A1', "(& 'a \\r\\nb' A1)"),  # kept inside text
])
def test_other_whitespace_is_ignored(formula, expected):
    assert tree(formula) == expected


@pytest.mark.parametrize("formula, expected", [
    ("=(A1,B1)", "(union A1 B1)"),
    ("=A1,B1", "(union A1 B1)"),  # at the top level too
    ("=SUM((A1,B1),C1)", "SUM((union A1 B1),C1)"),
    ("=SUM(A1,B1)", "SUM(A1,B1)"),  # in a call: two arguments
    ("=A1,B1 C1", "(union A1 (isect B1 C1))"),  # space before comma
    ("=A1 B1,C1", "(union (isect A1 B1) C1)"),
    ("=SUM((A1:B2,C1) D1)", "SUM((isect (union A1:B2 C1) D1))"),
])
def test_a_comma_is_a_union_outside_calls_and_arrays(formula, expected):
    assert tree(formula) == expected


@pytest.mark.parametrize("formula, expected", [
    ("=A1:B2", "A1:B2"),
    ("=B3:A1", "A1:B3"),  # each axis in order
    ("=$A$1:$B$2", "$A$1:$B$2"),
    ("=A:A", "A:A"),
    ("=$A:C", "$A:C"),
    ("=$1:$3", "$1:$3"),
    ("=3:1", "1:3"),
    ("=INDEX(L,1,1):INDEX(L,1,3)", "(: INDEX(<L>,1,1) INDEX(<L>,1,3))"),
    ("=B2:E5:f", "(: B2:E5 <f>)"),
    ("=A1:B2:C3", "(: A1:B2 C3)"),
    ("=first:last", "(: <first> <last>)"),
    ("=a:b", "A:B"),  # letters alone: whole columns
    ("=A2:'[2]Data'!A2", "(: A2 [2]Data!A2)"),
    ("=(A1:B2):C3", "(: A1:B2 C3)"),
    ("=A1:(B2)", "(: A1 B2)"),
    ("=INDEX(A:A,1):B5", "(: INDEX(A:A,1) B5)"),
    ("=B5:INDEX(A:A,1)", "(: B5 INDEX(A:A,1))"),
    ("=A1 B1:INDEX(X,1)", "(isect A1 (: B1 INDEX(<X>,1)))"),  # the range operator first
    ("=Sheet1!A1:Sheet1!B2", "(: Sheet1!A1 Sheet1!B2)"),
    ("=Table1[Col1]:Table1[Col2]", "(: [[Table1[Col1]]] [[Table1[Col2]]])"),
    ("=SUM(C1, A1 :B2)", "SUM(C1,(: A1 B2))"),  # a space beside it is whitespace
    ("=SUM(C1, A1: B2)", "SUM(C1,(: A1 B2))"),
])
def test_the_range_operator_joins_any_two_references(formula, expected):
    assert tree(formula) == expected


# ---------------------------------------------------------------------------------------------
# Operands


@pytest.mark.parametrize("formula, expected", [
    ("=1E+3", "1000"),
    ("=1.5E-07", "1.5e-07"),
    ("=12E+3", "12000"),
    ("=.5", "0.5"),
    ("=1.", "1"),
    ('="a""b"', "'a\"b'"),
    ('=""', "''"),
    ("=TRUE", "TRUE"),
    ("=FALSE", "FALSE"),
    ("=true", "<true>"),  # only the upper case is the logical, as files store it
    ("=TRUE()", "TRUE()"),
    ("=inf", "<inf>"),  # a name in Excel, not a number
    ("=nan", "<nan>"),
    ("=1_000", "<1_000>"),
])
def test_numbers_strings_and_logicals(formula, expected):
    assert tree(formula) == expected


@pytest.mark.parametrize("formula", ["#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#N/A", "#NUM!",
                                     "#GETTING_DATA", "#SPILL!", "#CALC!"])
def test_error_literals(formula):
    assert tree("=" + formula) == formula


@pytest.mark.parametrize("formula, expected", [
    ("=Sheet1!A1", "Sheet1!A1"),
    ("=Sheet1!A1:B2", "Sheet1!A1:B2"),
    ("='My ''x'' sheet'!A1:B2", "My 'x' sheet!A1:B2"),
    ("='a!b'!A1", "a!b!A1"),
    ("=[1]Sheet1!A1", "[1]Sheet1!A1"),
    ("='[Book.xlsx]Sheet'!A1", "[Book.xlsx]Sheet!A1"),
    ("=Sheet1!#REF!", "#REF!"),
    ("=#REF!+1", "(+ #REF! 1)"),
    ("=Sheet1:Sheet3!A1", "#REF!"),  # 3-D references are not supported
    ("=Sheet1:Sheet3!A1:B2", "#REF!"),
    ("='Sheet1:Sheet3'!A1", "#REF!"),
    ("=Sheet1!MyName", "Sheet1!<MyName>"),
    ("=[1]!MyName", "[1]!<MyName>"),
    ("=@A1", "A1"),
])
def test_sheet_prefixes_and_quoting(formula, expected):
    assert tree(formula) == expected


@pytest.mark.parametrize("formula, expected", [
    ("=Sales", "<Sales>"),
    ("=_xlpm.x", "<_xlpm.x>"),
    ("=_xleta.SUM", "<_xleta.SUM>"),
    ("=my.name_2", "<my.name_2>"),
    ("=SUM (A1)", "(isect <SUM> A1)"),  # no call without its parenthesis
])
def test_defined_names(formula, expected):
    assert tree(formula) == expected


@pytest.mark.parametrize("formula, expected", [
    ("=Table1[Col]", "[[Table1[Col]]]"),
    ("=Table1[[#This Row],[Col]]", "[[Table1[[#This Row],[Col]]]]"),
    ("=[@Col]", "[[[@Col]]]"),
    ("=Table1[#Totals]", "[[Table1[#Totals]]]"),
    ("=Table1[[#Headers],[a']b]]", "[[Table1[[#Headers],[a']b]]]]"),  # ' escapes a bracket
    ("=SUM(Table1[[Col1]:[Col2]])", "SUM([[Table1[[Col1]:[Col2]]]])"),
    ("=@Table1[Col]", "[[Table1[Col]]]"),
    ("=Table1[ [#Data] , [Col] ]", "[[Table1[ [#Data] , [Col] ]]]"),
])
def test_structured_references_keep_their_brackets(formula, expected):
    assert tree(formula) == expected


# ---------------------------------------------------------------------------------------------
# Calls and arrays


@pytest.mark.parametrize("formula, expected", [
    ("=_xlfn.XLOOKUP(1,A:A,B:B)", "XLOOKUP(1,A:A,B:B)"),
    ("=_xlfn._xlws.SORT(A1:A3)", "SORT(A1:A3)"),
    ("=_xlws.FILTER(A1:A3,B1:B3)", "FILTER(A1:A3,B1:B3)"),
    ("=_xludf.MYF(1)", "MYF(1)"),
    ("=sum(1)", "SUM(1)"),
    ("='book.xlam'!KPI_X(1)", "KPI_X(1)"),
    ("=[1]!KPI_X(1)", "KPI_X(1)"),
    ("='C:\\x\\[a.xlam]b'!F(1)", "F(1)"),
    ("=NOW()", "NOW()"),
    ("=IF(A1,,2)", "IF(A1,_,2)"),
    ("=F(,)", "F(_,_)"),
    ("=F(,1)", "F(_,1)"),
    ("=F(1,)", "F(1,_)"),
    ("=LAMBDA(x,x+1)(2)", "LAMBDA.CALL(LAMBDA(<x>,(+ <x> 1)),2)"),
    ("=_xlfn.LAMBDA(_xlpm.x,_xlpm.x)()", "LAMBDA.CALL(LAMBDA(<_xlpm.x>,<_xlpm.x>))"),
    ("=LAMBDA(x,x) (1)", "(isect LAMBDA(<x>,<x>) 1)"),  # a space: no call
])
def test_function_calls(formula, expected):
    assert tree(formula) == expected


@pytest.mark.parametrize("formula, expected", [
    ("={1,2;3,4}", "{1,2;3,4}"),
    ('={-1,"a";TRUE,#N/A}', "{(neg 1),'a';TRUE,#N/A}"),
    ("={1.5E-07}", "{1.5e-07}"),
    ("=SUM({1,2},{3;4})", "SUM({1,2},{3;4})"),
    ("={(1,2)}", "{(union 1 2)}"),
])
def test_array_literals(formula, expected):
    assert tree(formula) == expected


# ---------------------------------------------------------------------------------------------
# Errors and limits


@pytest.mark.parametrize("formula", [
    "=", "= ", "=1+", "=*1", "=(1", "=1)", "=SUM(1", "=SUM(1))", "={1,2", "={1,2)", "=(1}", "={}", "={1,,2}",
    "=1;2", "=A1::B2", "=A1:", "=1 %2", '="abc', "='Sheet1!A1", "=A1 {1}", "={1} A1", "=5% A1", "=#n/a",
    "=#FOO!", "=A1#", "=Table1[Col", "=a]b", "=Sheet1!", "=1 2 +", "=(,1)", "=F(1,,", "==1", "=1=<2",
    '=A1"x"', "=1A+", "=@",
])
def test_text_that_is_no_formula_raises_a_syntax_error(formula):
    with pytest.raises(FormulaSyntaxError):
        compile_formula(formula, 1, 1)


def test_limits_are_excels():
    nested = "=" + "SUM(" * 64 + "1" + ")" * 64
    assert tree(nested).count("SUM(") == 64
    with pytest.raises(FormulaLimitError, match="64 levels"):
        compile_formula("=" + "SUM(" * 65 + "1" + ")" * 65, 1, 1)
    assert tree("=SUM(" + ",".join(["1"] * 255) + ")").count(",") == 254
    with pytest.raises(FormulaLimitError, match="256 arguments"):
        compile_formula("=SUM(" + ",".join(["1"] * 256) + ")", 1, 1)
    assert isinstance(compile_formula("=" + "1+" * 4095 + "1", 1, 1), Op)  # 8,191 characters
    with pytest.raises(FormulaLimitError, match="8,193 characters"):
        compile_formula("=" + "1+" * 4096 + "1", 1, 1)


@pytest.mark.parametrize("formula", [
    "-" * 8000 + "1", "(" * 4000 + "1" + ")" * 4000, "+".join(["1"] * 4000), "^".join(["2"] * 4000),
    "(-" * 2000 + "1" + ")" * 2000,
])
def test_deep_chains_and_parentheses_cost_no_stack(formula):
    assert isinstance(parse(formula, 1, 1), (Op, Const))


def test_tokens_tell_the_space_before_them():
    assert tokenize("A1 B1") == [("ref", "A1", False), ("ref", "B1", True)]
    assert tokenize("B1:INDEX(X)")[:3] == [("ref", "B1", False), (":", ":", False), ("func", "INDEX", False)]


_FORMULA_CHARS = st.sampled_from(list("AB1$:!'\"[]#(){},; +-*/^&=<>%@._E") +
                                 ["SUM(", "TRUE", "#N/A", "#REF!", "Sheet1!", "'a b'!", "\r\n", "\t", "LAMBDA(",
                                  "Table1[", "[#This Row]", "_xlfn.", "1E+", "A1:B2", "INDEX(A:A,1)"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_FORMULA_CHARS, max_size=40).map("".join))
def test_any_text_gives_a_tree_or_a_syntax_error(text):
    try:
        node = compile_formula("=" + text, 5, 5)
    except FormulaSyntaxError:
        return
    assert node is not None


@pytest.mark.slow
def test_recalculating_native_formulas_imports_neither_pycel_nor_openpyxl(tmp_path):
    # the parser is the engine's own: pycel (and networkx, openpyxl, asyncio with it) is loaded
    # only for a function only pycel implements
    book = make_book(tmp_path / "book.xlsx", {"Data": {
        "A1": 2, "A2": 3, "B1": "=SUM(A1:A2)*-2^2", "B2": '=IF(A1>1,"big","small")&TEXT(A2,"0.0")',
        "B3": "=INDEX(A1:A2,MATCH(3,A1:A2,0))", "B4": "=SUM((A1,A2) A1:A2)", "B5": '=CELL("address",A2)',
    }})
    code = ("import sys; from xl_kpi.recalc import recalculate; "
            f"r = recalculate({str(book)!r}, {str(tmp_path / 'out.xlsx')!r}); assert r.ok, r; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'pycel', 'networkx', 'openpyxl', 'unittest', 'asyncio'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
