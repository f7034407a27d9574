"""``xl-kpi vba``: write ``udfs.bas``, the VBA module that exposes the KPI_* functions in Excel.

The module is what xlwings' "Import Functions" button writes into a workbook, plus what that
button cannot do: turn the error markers of :mod:`xl_kpi.udfs` into real Excel errors. It holds

- one wrapper per UDF, written by xlwings' own generator (``xlwings.udfs.generate_vba_wrapper``)
  from the functions' xlwings metadata, each result passed through ``KpiExcelErrors``;
- ``KpiExcelErrors``, which replaces the text of an Excel error ("#DIV/0!") by the error value
  (``CVErr(2007)``) in a single result and in every element of a spilled array;
- ``KpiRegisterFunctions``, a macro to run once that gives the functions their category and help
  texts in the Insert Function dialog (what "Import Functions" does through COM).

xlwings' generator runs without Excel: it needs the metadata that xlwings' decorators attach on
Windows (on other systems ``xw.func``/``xw.arg`` do nothing), and a workbook only for its name.
So this command loads a private copy of ``xlwings.udfs`` (with inert stand-ins for the pywin32
modules it imports, which the generator never calls), evaluates a private copy of
``xl_kpi.udfs`` with xlwings' Windows decorators in place, and hands the generator that module
and a stand-in workbook. The output depends only on the UDF definitions and the installed
xlwings, whose add-in it calls (``XLPy.CallUDF``; the add-in of xlwings 0.30 names its module
``Py``): it is deterministic, CRLF-terminated and ASCII, as the VBA editor's Import expects.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import io
import re
import sys
import types
from pathlib import Path

#: The VBA module name; "Import Functions" replaces a module of this name, so importing udfs.bas
#: and clicking that button never leave two modules defining the same functions.
VB_NAME = "xlwings_udfs"
UDF_MODULE = "xl_kpi.udfs"
_WIN32_MODULES = ("pythoncom", "pywintypes", "win32com", "win32com.client")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "vba",
        help="write udfs.bas, the VBA module of the KPI_* Excel functions",
        description="Generate the VBA module that exposes the KPI_* functions in an Excel "
        "workbook (xlwings wrappers that return real Excel errors). Import it in the VBA editor "
        "(File > Import File), then run the macro KpiRegisterFunctions once for the help texts.",
    )
    p.add_argument("-o", "--output", type=Path, help="file to write (default: standard output)")
    p.add_argument(
        "--check",
        action="store_true",
        help="do not write: exit 1 if the file given with -o (default ./udfs.bas) differs",
    )
    p.add_argument(
        "--addin",
        action="store_true",
        help="for a module inside an add-in (.xlam): the wrappers use ActiveWorkbook",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    text = generate(addin=args.addin)
    data = text.encode("ascii")
    if args.check:
        path = args.output or Path("udfs.bas")
        try:
            current = path.read_bytes()
        except OSError as exc:
            print(f"xl-kpi vba: cannot read {path}: {exc.strerror}", file=sys.stderr)
            return 1
        if current != data:
            print(f"xl-kpi vba: {path} is out of date; regenerate it with: xl-kpi vba -o {path}", file=sys.stderr)
            return 1
        print(f"{path} is up to date")
        return 0
    if args.output is None:
        sys.stdout.write(text.replace("\r\n", "\n"))
        return 0
    try:
        args.output.write_bytes(data)
    except OSError as exc:
        print(f"xl-kpi vba: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
        return 2
    print(f"wrote {args.output} ({len(_function_names(text))} functions)")
    return 0


# -- xlwings' generator, outside Excel ------------------------------------------------------------


def _unavailable(*args, **kwargs):
    raise RuntimeError("COM is not available here: xl-kpi vba only uses xlwings' text generator")


@contextlib.contextmanager
def _win32_stand_ins():
    """Inert pywin32 modules while xlwings.udfs is imported, where pywin32 is not installed."""
    missing = [
        name
        for name in _WIN32_MODULES
        if name not in sys.modules and importlib.util.find_spec(name.split(".")[0]) is None
    ]
    added = []
    try:
        for name in missing:
            module = types.ModuleType(name)
            module.__getattr__ = lambda attr: _unavailable  # Dispatch, CoInitialize, com_error, ...
            sys.modules[name] = module
            added.append(name)
        if "win32com.client" in added:
            sys.modules["win32com"].client = sys.modules["win32com.client"]
        yield
    finally:
        for name in added:
            sys.modules.pop(name, None)


def _private_copy(name: str) -> types.ModuleType:
    """A fresh instance of module ``name``, not registered in sys.modules."""
    spec = importlib.util.find_spec(name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def xlwings_udfs() -> types.ModuleType:
    """xlwings' UDF machinery (decorators and VBA generator), also where pywin32 is missing."""
    if "xlwings.udfs" in sys.modules:
        return sys.modules["xlwings.udfs"]
    with _win32_stand_ins():
        return _private_copy("xlwings.udfs")


def decorated_udfs(xlwings_udfs_module: types.ModuleType) -> types.ModuleType:
    """A private copy of xl_kpi.udfs whose functions carry xlwings' Windows metadata."""
    import xlwings

    originals = {k: getattr(xlwings, k) for k in ("func", "arg", "ret")}
    try:
        xlwings.func = xlwings_udfs_module.xlfunc
        xlwings.arg = xlwings_udfs_module.xlarg
        xlwings.ret = xlwings_udfs_module.xlret
        return _private_copy(UDF_MODULE)
    finally:
        for k, v in originals.items():
            setattr(xlwings, k, v)


class _Workbook:
    """What the generator reads of a workbook: its name (an add-in's ends in .xlam)."""

    def __init__(self, name: str):
        self.Name = name


# -- the module text ------------------------------------------------------------------------------

_CALL = re.compile(r"^(?P<indent>\s*)(?P<name>\w+) = (?P<call>(?:XL)?Py\.CallUDF\(.*\))$")


def _vba_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _wrappers(addin: bool) -> tuple[str, list[dict]]:
    machinery = xlwings_udfs()
    module = decorated_udfs(machinery)
    buffer = io.StringIO()
    machinery.generate_vba_wrapper(
        UDF_MODULE, module, buffer, _Workbook("xl-kpi.xlam" if addin else "xl-kpi.xlsm")
    )
    lines, mapped = [], 0
    for line in buffer.getvalue().splitlines():
        m = _CALL.match(line)
        if m:
            line = f"{m['indent']}{m['name']} = KpiExcelErrors({m['call']})"
            mapped += 1
        lines.append(line)
    infos = [f.__xlfunc__ for f in vars(module).values() if hasattr(f, "__xlfunc__")]
    infos.sort(key=lambda info: info["name"])
    if mapped != 2 * len(infos):  # the Excel branch and the #Else branch of every wrapper
        raise RuntimeError(
            f"xlwings' wrapper layout changed: {mapped} CallUDF results mapped for "
            f"{len(infos)} functions; update xl_kpi/commands/vba.py"
        )
    return "\n".join(lines).rstrip("\n") + "\n", infos


def _error_helpers() -> str:
    from ..excel_args import XL_ERROR_NUMBERS

    cases = "\n".join(
        f"        Case {_vba_string(text)}: KpiExcelError = CVErr({number})"
        for number, text in sorted(XL_ERROR_NUMBERS.items())
    )
    return f"""
' -- Excel error values ---------------------------------------------------------------------
' xl_kpi.udfs reports a failure as the text of the Excel error ("#DIV/0!"): xlwings passes
' Python results to VBA as plain values, and turns a raised exception into its message. The
' wrappers above pass every result through KpiExcelErrors, which replaces that text by the
' error value itself, for a single result and for each element of a spilled array, so that
' ISERROR, IFERROR and formulas using the cell see a real error.

Private Function KpiExcelErrors(ByVal result As Variant) As Variant
    Dim i As Long, j As Long
    If IsArray(result) Then
        If KpiArrayRank(result) = 2 Then
            For i = LBound(result, 1) To UBound(result, 1)
                For j = LBound(result, 2) To UBound(result, 2)
                    result(i, j) = KpiExcelError(result(i, j))
                Next j
            Next i
        Else
            For i = LBound(result) To UBound(result)
                result(i) = KpiExcelError(result(i))
            Next i
        End If
        KpiExcelErrors = result
    Else
        KpiExcelErrors = KpiExcelError(result)
    End If
End Function

Private Function KpiArrayRank(ByRef values As Variant) As Long
    Dim upper As Long
    On Error GoTo oneDimension
    upper = UBound(values, 2)
    KpiArrayRank = 2
    Exit Function
oneDimension:
    KpiArrayRank = 1
End Function

Private Function KpiExcelError(ByVal value As Variant) As Variant
    KpiExcelError = value
    If VarType(value) <> vbString Then Exit Function
    Select Case value
{cases}
    End Select
End Function
"""


def _registration(infos: list[dict]) -> str:
    out = io.StringIO()
    from xlwings.utils import VBAWriter

    vba = VBAWriter(out)
    vba.writeln("")
    vba.writeln("' -- Help texts " + "-" * 76)
    vba.writeln("' Run once after importing this module (Alt+F8, KpiRegisterFunctions), then save the")
    vba.writeln("' workbook: the Insert Function dialog lists the functions under their category, with")
    vba.writeln("' the help of each function and argument.")
    vba.writeln("")
    with vba.block("Public Sub KpiRegisterFunctions()"):
        vba.writeln("Dim book As String")
        vba.writeln("book = \"'\" & ThisWorkbook.Name & \"'!\"")
        for info in infos:
            docs = [arg["doc"][:255] for arg in info["args"] if not arg["vba"]]
            vba.writeln(f"Application.MacroOptions Macro:=book & {_vba_string(info['name'])}, _")
            vba.writeln(f"    Description:={_vba_string(info['ret']['doc'][:255])}, _")
            vba.writeln(f"    Category:={_vba_string(str(info['category']))}, _")
            vba.writeln("    ArgumentDescriptions:=Array( _")
            for k, doc in enumerate(docs):
                vba.writeln(f"        {_vba_string(doc)}{', _' if k < len(docs) - 1 else ')'}")
    vba.writeln("End Sub")
    return out.getvalue()


def generate(*, addin: bool = False) -> str:
    """The text of udfs.bas (CRLF line ends), from the UDF definitions of :mod:`xl_kpi.udfs`."""
    wrappers, infos = _wrappers(addin)
    header = (
        f'Attribute VB_Name = "{VB_NAME}"\n'
        f"'The KPI_* Excel functions of xl-kpi ({UDF_MODULE}), for workbooks using the xlwings add-in.\n"
        "'Generated by `xl-kpi vba` from the Python definitions: do not edit, regenerate.\n"
        '#Const App = "Microsoft Excel"\n'
        "\n"
    )
    text = header + wrappers + _error_helpers() + _registration(infos)
    text = text.replace("\r\n", "\n")
    if not text.isascii():
        raise ValueError("udfs.bas must be ASCII: a docstring or help text has another character")
    return text.replace("\n", "\r\n")


def _function_names(text: str) -> list[str]:
    return re.findall(r"^Function (\w+)\(", text, flags=re.MULTILINE)
