"""Formulas to parse in the parser's equivalence test: the repo's own, and the real-world books'.

:func:`source_formulas` are the string constants starting with ``=`` in ``tests/`` and
``benchmarks/``; :func:`workbook_formulas` the formula cells (and defined names) of every
workbook under a folder, read with our own package reader; nothing is copied.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REALWORLD = ROOT.parent.parent / "shared" / "realworld"
if not REALWORLD.is_dir():
    REALWORLD = Path("/work/shared/realworld")


#: a placeholder (``{}``, ``{period}``, ``%s``): the literal is a template, not a formula
_PLACEHOLDER = re.compile(r"\{(?:[a-z_][a-z_0-9]*)?\}|%[sd]")


def source_formulas() -> list[str]:
    """Every string literal of the repo's tests and benchmarks that reads as a formula."""
    out: set[str] = set()
    for folder in ("tests", "benchmarks"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    text = node.value
                    if text.startswith("=") and 1 < len(text) <= 8_192 and not _PLACEHOLDER.search(text):
                        out.add(text)
    return sorted(out)


def workbook_formulas(folder: Path = REALWORLD) -> list[tuple[str, int, int, str]]:
    """(text, row, col, where) of every formula and defined name of the workbooks in ``folder``."""
    from xl_kpi.recalc.package import UnreadableWorkbook, open_package

    out = []
    for path in sorted(folder.rglob("*.xls[xm]")):
        try:
            pkg = open_package(path)
        except UnreadableWorkbook:
            continue
        where = str(path.relative_to(folder))
        for sheet in pkg.sheets:
            for f in sheet.formulas:
                if f.text:
                    out.append((f.text, f.row, f.col, f"{where}!{sheet.name}"))
        for name, _, text in pkg.names:
            if text:
                out.append((text, 1, 1, f"{where} name {name}"))
    return out
