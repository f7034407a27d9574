"""The parser against the route it replaced (pycel's parser): the same tree, node by node.

Every formula string of the repo's tests and benchmarks, every formula cell and defined name of
the real-world workbooks (``shared/realworld``, skipped when absent) and a hand-written list of
awkward cases are parsed both ways (:func:`pycel_trees.old_tree` and :func:`parser.parse`,
before tables and unions are resolved) and compared. The trees may differ only where
:data:`DIFFERENT` says why (Excel's behaviour, shown in ``test_recalc_parser.py``) or where
pycel misread a reference as a name or function without text (``Sheet1!#REF!``, ``A1:(B2)``).
"""

from __future__ import annotations

import numpy as np
import pytest
from formula_corpus import REALWORLD, source_formulas, workbook_formulas
from pycel_trees import old_tree

from xl_kpi.recalc.nodes import ArrayLit, Const, FormulaSyntaxError, Func, Name, Op, Ref, Structured
from xl_kpi.recalc.parser import parse


def difference(a, b, path: str = "=") -> str | None:
    """Where two trees differ first, or None."""
    if type(a) is not type(b):
        return f"{path}: {type(a).__name__} vs {type(b).__name__}"
    if a is None:
        return None
    if isinstance(a, Const):
        va, vb = a.value, b.value
        same = (np.array_equal(va.kind, vb.kind) and np.array_equal(va.num, vb.num)
                and (va.text is None) == (vb.text is None)
                and (va.text is None or va.text.tolist() == vb.text.tolist()))
        return None if same else f"{path}: {va!r} vs {vb!r}"
    if isinstance(a, (Ref, Name, Structured)):
        return None if vars(a) == vars(b) else f"{path}: {a} vs {b}"
    if isinstance(a, ArrayLit):
        if [len(r) for r in a.rows] != [len(r) for r in b.rows]:
            return f"{path}: arrays of rows {[len(r) for r in a.rows]} vs {[len(r) for r in b.rows]}"
        pairs = zip((c for r in a.rows for c in r), (c for r in b.rows for c in r))
        label = "{}"
    elif isinstance(a, (Op, Func)):
        head = (a.op, b.op) if isinstance(a, Op) else (a.name, b.name)
        if head[0] != head[1] or len(a.args) != len(b.args):
            return f"{path}: {head[0]} of {len(a.args)} vs {head[1]} of {len(b.args)}"
        pairs, label = zip(a.args, b.args), head[0]
    else:
        return f"{path}: unknown node {a!r}"
    for i, (x, y) in enumerate(pairs):
        d = difference(x, y, f"{path} {label}[{i}]")
        if d:
            return d
    return None


def _tree(parser, text: str, row: int, col: int):
    try:
        return parser(text, row, col)
    except FormulaSyntaxError as exc:
        return exc


def _old(text, row, col):
    return old_tree(text, row, col)


def _new(text, row, col):
    return parse(text.removeprefix("="), row, col)


def _misread(node) -> bool:
    """pycel's tree holds a name or function without text: a reference it could not read
    (``Sheet1!#REF!`` as the name "" on sheet "Sheet1!#REF")."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, (Name, Func)) and not n.name:
            return True
        if isinstance(n, (Op, Func)):
            stack.extend(a for a in n.args if a is not None)
        elif isinstance(n, ArrayLit):
            stack.extend(c for r in n.rows for c in r if c is not None)
    return False


def compare(text: str, row: int = 3, col: int = 4) -> str | None:
    """How the two parsers disagree on a formula, or None (both raising is agreement)."""
    old, new = _tree(_old, text, row, col), _tree(_new, text, row, col)
    if not isinstance(old, Exception) and _misread(old):
        return None
    if isinstance(old, Exception) or isinstance(new, Exception):
        if isinstance(old, Exception) and isinstance(new, Exception):
            return None
        return f"pycel {'raised' if isinstance(old, Exception) else 'parsed'}, the parser " \
               f"{'raised: ' + str(new) if isinstance(new, Exception) else 'parsed'}"
    return difference(old, new)


#: formulas whose trees differ on purpose, with Excel's behaviour the reason
DIFFERENT = {
    "=A1,B1 C1": "Excel intersects before it unites: A1,(B1 C1); pycel gave the three reference operators "
                 "one precedence, left to right",
    "=A1 B1:INDEX(X,1)": "the range operator binds tighter than the intersection",
    "=Sheet1!A1:B2:f": "a sheet prefix belongs to the one reference it precedes (Sheet1!A1:B2), f is the name in "
                       "the formula's scope; pycel cut A1:B2 in two cells and put Sheet1 on f",
    "=A:B:C": "A:B is whole columns before :C (pycel: three names)",
    "=Table1[Col1]:Table1[Col2]": "the range of two structured references (pycel: one malformed structured "
                                  "reference, #REF!)",
    "=inf": "a name in Excel: Python's float() syntax read it as a number",
    "=nan": "a name in Excel, as inf",
    "=1_000": "a name in Excel; Python's float() reads underscores",
    "=12E+3": "scientific notation whatever the mantissa (openpyxl's tokenizer takes one digit before the point)",
    "=0.5E-3": "as 12E+3",
    "={1,,2}": "a syntax error in Excel: an array holds no omitted element",
    "={}": "a syntax error in Excel: an empty array",
    "='C:\\x\\[a.xlam]b'!F(1)": "a colon inside a quoted sheet is no range operator (pycel cut the add-in's "
                                "path at it)",
    "=#SPILL!": "Excel's newer error values are literals too",
    "=#CALC!": "as #SPILL!",
    "=A1\nB1": "a line break between two references is whitespace, here the intersection (openpyxl's tokenizer "
               "ends no operand at a line break: one name A1B1)",
    "=A1\r\nB1": "as A1\nB1",
    "=a]b": "a syntax error in Excel: a bracket closing nothing",
    "=(A1%,B1)": "the percent applies to A1 (pycel kept a postfix % on its operator stack, so the union "
                 "built after it took it)",
    "=-A1%,B1": "as (A1%,B1)",
    "=(A1&1,-2)": "a negation after a reference operator negates what follows it (pycel's shunting-yard let "
                  "the prefix minus reduce the union first: (A1&1),-2)",
    "=SUM(C1, A1 :B2)": "a space beside the range operator is whitespace: two arguments (pycel read an "
                        "intersection and lost the argument separator: one argument)",
    "=A1 :B2": "as SUM(C1, A1 :B2) (pycel raised)",
    "=[1]Sheet1!A1:FALSE": "as Sheet1!A1:B2:f: FALSE is not on the sheet of A1",
    "=cmd|' /C calc'!A0": "a reference to cell A0 of a sheet named cmd|' /C calc' (no such cell: #REF!); "
                          "openpyxl's tokenizer refused the |",
}

#: awkward formulas both routes read alike (or pycel misread, see :func:`_misread`)
SAME = [
    "=A1 B1", "=A1:B2 C1:D2", "=(A1,B1)", "=SUM((A1,B1))", "=INDEX((A1:B2,C1:D2),1,1,2)", "=A1 B1,C1",
    "=SUM(A1 B1:C2)", "=F(A1:B2 C1)", "=X!A1 Y!B1", "=A1 (B1)", "=(A1) (B1)", "=SUM(A1) SUM(B1)", "=1 2",
    "=SUM( A1 , B1 )", "=SUM (A1)", "=A1 -B1", "=-A1 B1", "=-A1:B2", "= A1", "=A1 ", "=1 + 2",
    "=A1\n +B1", "=A1\t+\tB1", '="a\r\nb"&A1', "=A1 \r\nB1", "=(A1)\nB1", "=A1:(B2)", "=@", "=A1::B2", "=A1:", "=SUM(C1, A1: B2)",
    "=Sheet1!",
    "=B2:E5:f", "=1:3", "=A1:B2:C3", "=INDEX(L,1,1):INDEX(L,1,3)", "=INDEX(A:A,1):B5", "=B5:INDEX(A:A,1)",
    "=(A1:B2):C3", "=A2:'[2]Data'!A2", "=A2:Data!A2", "=Sheet1!A1:Sheet1!B2", "=$A$1:$B$2", "=$A:$A", "=$1:$3",
    "=B3:A1", "=a:b",
    "=LAMBDA(x,x+1)(2)", "=LAMBDA(x,x)()", "=LAMBDA(x,x) (1)", "=_xlfn.LAMBDA(_xlpm.x,_xlpm.x+1)(2)",
    "=-2^2", "=2*-3^2", "=2^3^2", "=--A1", "=-+-A1", "=5%%", "=2^-1", "=A1^-B1^2", "=1-+-2", "=-2%", "=2*-3%",
    "=2^3%", "=ROUND(A1, 2)%", "=-(1)", "=((1))", "=(((A1)))+1", "=A1&\"x\"&B1", "=A1 = B1", "=A1 <> B1",
    "=A1<=B1", "=1E+3", "=1.5E-07", '="a""b"', '=""', "=TRUE", "=true", "=TRUE()", "=#N/A", "=#NAME?",
    "=IF(,)", "=F(,1)", "=F(1,)", "=IF(A1,,2)", "={1,2;3}", "={1,-2;\"a\",TRUE}", "={#N/A,FALSE}",
    "=(1,2)", "=@A1", "=@Table1[Col]", "=[@Col]", "=Table1[[#This Row],[Col]]", "=Table1[#Totals]",
    "=SUM(Table1[[Col1]:[Col2]])", "=[1]Sheet1!A1", "='[Book.xlsx]Sheet'!A1", "=[1]!KPI_X(1)",
    "='book.xlam'!KPI_X(1)", "=_xleta.SUM", "=_xlfn._xlws.SORT(A1:A3)", "=_xludf.MYF(1)",
    "=Sheet1:Sheet3!A1", "='Sheet1:Sheet3'!A1", "=Sheet1:Sheet3!A1:B2", "='My ''x'' sheet'!A1:B2",
    "=" + "SUM(" * 64 + "1" + ")" * 64, "=SUM(" + ",".join(["1"] * 255) + ")",
]


@pytest.mark.parametrize("formula", SAME)
def test_awkward_formulas_give_pycels_trees(formula):
    assert compare(formula) is None


@pytest.mark.parametrize("formula", sorted(DIFFERENT))
def test_each_listed_difference_is_one(formula):
    assert compare(formula) is not None


@pytest.mark.slow  # about 1 s: the everyday subset keeps the hand-written cases above
def test_the_repos_formulas_give_pycels_trees():
    formulas = [f for f in source_formulas() if f not in DIFFERENT]
    assert len(formulas) > 1_000
    differing = [(f, d) for f in formulas if (d := compare(f))]
    assert differing == []


@pytest.mark.slow  # about 2.5 s: reads every workbook of shared/realworld
@pytest.mark.skipif(not REALWORLD.is_dir(), reason="no shared/realworld workbooks here")
def test_the_realworld_formulas_give_pycels_trees():
    formulas = workbook_formulas()
    assert len(formulas) > 10_000
    differing = [(where, text, d) for text, row, col, where in formulas if (d := compare(text, row, col))]
    assert differing == []
