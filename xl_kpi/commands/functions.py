"""``xl-kpi functions``: the KPI_* Excel functions, by family, and the Excel help of one.

Without a name: every function under its family, with its Excel signature and what it returns.
With a name (``KPI_NRR``, in any case, or the Python name ``nrr``): the help Excel's Insert
Function shows, each argument, what it returns and a worked example as a formula with the
value the function gives. A name that is not a function answers with the closest names
(exit 2).
"""

from __future__ import annotations

import argparse
import ast
import datetime
import difflib
import inspect
import sys
import textwrap

#: Family headers, by the module that holds the functions (in catalogue order).
FAMILIES = {
    "metrics.acquisition": "Acquisition and funnel",
    "metrics.revenue": "Revenue",
    "metrics.customer_retention": "Retention and churn",
    "metrics.lifetime_value": "Lifetime value",
    "metrics.satisfaction": "Satisfaction and support",
    "metrics.profitability": "Profitability and balance sheet",
    "subscriptions": "Subscription analytics (tables that spill)",
}

_KINDS = {
    "value": "one number; a range gives one result per cell",
    "list": "a range or list, aggregated like SUM (blanks and text skipped)",
    "option": "one cell or a literal, blank for the default",
}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("functions", help="list the KPI_* Excel functions, or show the help of one",
                       description="List the KPI_* Excel functions by family, or show one in full: "
                       "its Excel help, arguments and an example.")
    p.add_argument("name", nargs="?", help="show one function in full (KPI_NRR, kpi_nrr or nrr)")
    p.set_defaults(run=run)


def family(f) -> str:
    """The family header of an interface function."""
    return FAMILIES[f.target.split(":")[0]]


def signature(f) -> str:
    """``KPI_NRR(start_mrr, expansion_mrr, ...)``, optional arguments in brackets."""
    args = ", ".join(f"[{p.name}]" if p.optional else p.name for p in f.params)
    return f"{f.excel}({args})"


def find(name: str):
    """The function of an Excel name (any case) or a Python name (exact), else None."""
    from ..catalogue import INTERFACE

    if name.upper() in INTERFACE:
        return INTERFACE[name.upper()]
    return next((f for f in INTERFACE.values() if f.python_name == name), None)


def suggestions(name: str) -> list[str]:
    """Excel names close to ``name``: those containing it, then the closest spellings."""
    from ..catalogue import INTERFACE

    key = name.upper().replace("-", "_").replace(" ", "_")
    bare = key.removeprefix("KPI_")
    names = list(INTERFACE)
    containing = [n for n in names if bare and bare in n.removeprefix("KPI_")]
    close = difflib.get_close_matches("KPI_" + bare, names, n=5, cutoff=0.6)
    out = []
    for n in sorted(containing, key=lambda n: (len(n), n)) + close:
        if n not in out:
            out.append(n)
    return out[:6]


def run(args: argparse.Namespace) -> int:
    from ..catalogue import INTERFACE

    if not args.name:
        _list(INTERFACE.values())
        return 0
    f = find(args.name)
    if f is None:
        hint = suggestions(args.name)
        msg = f"xl-kpi functions: no function named {args.name!r}"
        msg += f"; did you mean {', '.join(hint)}?" if hint else "; `xl-kpi functions` lists them all"
        print(msg, file=sys.stderr)
        return 2
    print(help_text(f))
    return 0


def _list(functions) -> None:
    functions = list(functions)
    print(f"{len(functions)} Excel functions, by family. `xl-kpi functions NAME` shows one in full.")
    width = 58
    current = None
    for f in functions:
        if family(f) != current:
            current = family(f)
            print(f"\n{current}")
        sig = signature(f)
        if len(sig) <= width:
            print(f"  {sig:<{width}}  {f.returns}")
        else:
            print(f"  {sig}\n  {'':<{width}}  {f.returns}")


def help_text(f) -> str:
    """The Excel help of one function: formula form, help line, arguments, result, example."""
    from ..udfs import UDFS

    lines = [f"={signature(f)}", f"  {family(f)}", ""]
    lines.extend(textwrap.wrap(" ".join((UDFS[f.excel].__doc__ or "").split()), 96))
    lines.append("")
    lines.append("Arguments:")
    width = max(len(p.name) for p in f.params) + 2
    for p in f.params:
        opt = ", optional" if p.optional else ""
        lines.append(f"  {p.name:<{width}}{p.doc} ({p.kind}{opt})")
    for kind in dict.fromkeys(p.kind for p in f.params):
        lines.append(f"  ({kind}: {_KINDS[kind]})")
    lines.append("")
    lines.append(f"Returns: {f.returns}" + ("; spills a table" if f.spills_table else ""))
    example = excel_example(f)
    if example:
        story, formula, result = example
        lines.append("")
        lines.extend(textwrap.wrap("Example:" + (f" {story}" if story else ""), 96))
        lines.append(f"  {formula}   returns {result}")
    lines.append("")
    lines.append("Errors: #DIV/0! a zero denominator, #NUM! a value out of range, #VALUE! text where a "
                 "number belongs, #N/A no data.")
    lines.append(f"In Python: xl_kpi.{f.python_name}(...) (help(xl_kpi.{f.python_name}) for the details).")
    return "\n".join(lines)


# -- the example, from the first example of the Python docstring ---------------------------------

def excel_example(f) -> tuple[str, str, str] | None:
    """(the question it answers, ``=KPI_X(...)``, the value the Excel function gives), or None.

    Read from the first ``>>>`` example of the Python function whose arguments are all literals,
    rewritten in Excel's form (lists as array constants, options in their place) and computed by
    the Excel function itself.
    """
    from ..udfs import UDFS

    doc = inspect.getdoc(f.func) or ""
    if "Examples" not in doc:
        return None
    story: list[str] = []
    lines = doc.split("Examples", 1)[1].splitlines()[2:]
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if not line.startswith(">>> "):
            if line and i and not lines[i - 1].strip():
                story = []  # a new paragraph: the question of the next example
            if line:
                story.append(line)
            i += 1
            continue
        code = line[4:]
        while i + 1 < len(lines) and lines[i + 1].strip().startswith("... "):
            i += 1
            code += lines[i].strip()[4:]
        i += 1
        args = _excel_args(f, code)
        if args is None:
            story = []
            continue
        try:
            result = UDFS[f.excel](*[[a] if isinstance(a, list) else a for a in args])
        except Exception:  # noqa: BLE001 - an example that does not translate: try the next
            continue
        formula = f"={f.excel}({', '.join(_excel_literal(a) for a in args)})"
        return " ".join(story), formula, _excel_literal(result)
    return None


def _excel_args(f, code: str) -> list | None:
    """The arguments of ``python_name(...)`` in Excel order, or None if the call is not literal."""
    try:
        node = ast.parse(code, mode="eval").body
    except SyntaxError:
        return None
    while isinstance(node, ast.Call):  # round(f(...), 6) and f(...).tolist() show f(...)
        if isinstance(node.func, ast.Attribute):
            node = node.func.value
        elif isinstance(node.func, ast.Name) and node.func.id == "round" and node.args:
            node = node.args[0]
        else:
            break
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == f.python_name):
        return None
    try:
        values = [_constant(a) for a in node.args]
        keywords = {k.arg: _constant(k.value) for k in node.keywords}
    except ValueError:
        return None
    names = [p.name for p in f.params]
    if len(values) > len(names) or any(k not in names for k in keywords):
        return None
    args = values + [None] * (len(names) - len(values))
    for k, v in keywords.items():
        args[names.index(k)] = v
    while args and args[-1] is None:
        args.pop()
    if any(a is None or isinstance(a, (dict, tuple)) or isinstance(a, list) and len(a) > 12 for a in args):
        return None  # a gap, or an array constant too long to read
    return args


_ARITHMETIC = (ast.Expression, ast.Constant, ast.List, ast.BinOp, ast.UnaryOp, ast.Add, ast.Sub,
               ast.Mult, ast.Div, ast.USub, ast.Load)


def _constant(node: ast.AST):
    """The value of a literal or of arithmetic on literals (``1 + 1 + 3``, ``[10] * 10``)."""
    tree = ast.Expression(node)
    if not all(isinstance(n, _ARITHMETIC) for n in ast.walk(tree)):
        raise ValueError("not a constant")
    return eval(compile(tree, "<example>", "eval"), {"__builtins__": {}})  # noqa: S307 - checked above


def _excel_literal(x) -> str:
    """A value as Excel writes it in a formula: 0.5, "text", TRUE, {1,2,3}."""
    if isinstance(x, bool):
        return "TRUE" if x else "FALSE"
    if isinstance(x, datetime.date):
        return x.strftime("%Y-%m-%d")  # a date cell (a serial number, formatted as a date)
    if isinstance(x, (int, float)):
        return f"{x:.10g}"
    if isinstance(x, list):
        if x and isinstance(x[0], list):
            return "{" + ";".join(",".join(_excel_literal(v) for v in row) for row in x) + "}"
        return "{" + ",".join(_excel_literal(v) for v in x) + "}"
    if type(x) is str:
        return '"' + x.replace('"', '""') + '"'
    return str(x)  # an Excel error value (ExcelError is a str that reads #DIV/0!)
