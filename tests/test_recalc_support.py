"""Helpers of the recalc tests: build workbooks with openpyxl, read computed values back."""

from __future__ import annotations

import os

import openpyxl
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.formula import ArrayFormula


def make_book(path: str | os.PathLike, sheets: dict[str, dict[str, object]], *,
              names: dict[str, str] | None = None, arrays: dict[str, tuple[str, str]] | None = None) -> str:
    """A workbook with the given cells per sheet (``"A1": 3`` or ``"B2": "=A1*2"``).

    ``names`` adds workbook-level defined names; ``arrays`` maps "Sheet!A1" to (range, formula)
    array formulas.
    """
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, cells in sheets.items():
        ws = wb.create_sheet(title)
        for ref, value in cells.items():
            ws[ref] = value
    for name, text in (names or {}).items():
        wb.defined_names[name] = DefinedName(name, attr_text=text)
    for where, (ref, formula) in (arrays or {}).items():
        title, cell = where.split("!")
        wb[title][cell] = ArrayFormula(ref, formula)
    wb.save(path)
    return os.fspath(path)


def values(path: str | os.PathLike) -> dict[str, dict[str, object]]:
    """Every cell's stored value (cached values for formulas), by sheet and address."""
    wb = openpyxl.load_workbook(path, data_only=True)
    out = {}
    for ws in wb.worksheets:
        out[ws.title] = {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}
    return out
