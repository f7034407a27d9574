"""The template workbooks: a blank template and a filled example, in English and in French.

The ``lite`` kind is the blank template for Excel 365 and xlwings Lite: one spilling formula per
row or table, calling the Office.js functions (:mod:`xl_kpi.templates.dynamic`).

>>> from xl_kpi.templates import file_name
>>> file_name("example", "fr")
'xl-kpi-exemple-fr.xlsx'

:func:`workbook_bytes` builds one workbook (reproducibly: the same bytes every build
with the same dependencies, the same workbook to 15 digits with any others);
:func:`write_workbooks` writes them into a folder without ever overwriting a workbook a user
has filled in. The example ships recalculated (``xl-kpi recalc``), so it opens with its numbers
in any spreadsheet program, the KPI_* add-in or not.
"""

from __future__ import annotations

import datetime
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .labels import LANGS
from .reproducible import differences

__all__ = [
    "KINDS", "LANGS", "file_name", "workbook_bytes", "write_workbooks", "Written",
    "recalc_available", "user_edited",
]

KINDS = ("template", "example", "lite")
_NAMES = {
    ("template", "en"): "xl-kpi-template-en.xlsx",
    ("example", "en"): "xl-kpi-example-en.xlsx",
    ("lite", "en"): "xl-kpi-template-lite-en.xlsx",
    ("template", "fr"): "xl-kpi-modele-fr.xlsx",
    ("example", "fr"): "xl-kpi-exemple-fr.xlsx",
    ("lite", "fr"): "xl-kpi-modele-lite-fr.xlsx",
}


def file_name(kind: str, lang: str) -> str:
    """The file name of a workbook (``kind`` "template" or "example")."""
    return _NAMES[kind, lang]


def recalc_available() -> bool:
    """Whether the batch recalculation (:mod:`xl_kpi.recalc`) can be used."""
    try:
        from ..recalc import recalculate  # noqa: F401
    except ImportError:
        return False
    return True


def _recalculate(data: bytes) -> bytes:
    """The workbook with every formula's value computed and stored (``xl-kpi recalc``)."""
    from ..recalc import recalculate

    with tempfile.TemporaryDirectory(prefix="xl-kpi-") as tmp:
        src, dst = os.path.join(tmp, "in.xlsx"), os.path.join(tmp, "out.xlsx")
        Path(src).write_bytes(data)
        report = recalculate(src, dst)
        if not report.ok:
            raise RuntimeError(f"xl-kpi recalc failed on a template workbook: {report.reason}")
        return Path(dst).read_bytes()


def workbook_bytes(kind: str, lang: str, *, recalc: bool | None = None,
                   arrays: bool | None = None) -> bytes:
    """One workbook as .xlsx bytes, the same bytes on every build.

    ``recalc`` (default: for the example, when :mod:`xl_kpi.recalc` is available) stores the
    computed value of every formula in the file. ``arrays`` (default: for the blank template)
    writes each KPI row as one array formula; ``arrays=False`` writes the template cell by
    cell, as the example is, so that LibreOffice shows the values ``xl-kpi recalc`` stores
    (it recomputes array formulas on opening, and cannot run KPI_*).
    """
    from .builder import build_workbook
    from .example_data import example
    from .reproducible import normalize

    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}")
    wb, _ = build_workbook(lang, example() if kind == "example" else None, arrays=arrays)
    buf = io.BytesIO()
    wb.save(buf)
    data = normalize(buf.getvalue())
    if kind == "lite":
        from .dynamic import dynamic_workbook

        data = normalize(dynamic_workbook(data))
    if recalc is None:
        recalc = kind == "example" and recalc_available()
    if recalc:
        data = normalize(_recalculate(data))
    return data


@dataclass(frozen=True)
class Written:
    """What :func:`write_workbooks` did with one file."""

    path: Path
    status: str  # "created" | "updated" | "unchanged" | "kept" (a user's edits, not overwritten)


def user_edited(path: str | os.PathLike, kind: str, lang: str) -> bool:
    """Whether the workbook at ``path`` holds inputs other than the ones xl-kpi writes.

    Only what a user types counts (the Inputs and Survey cells, the first month): a workbook
    built by another version of xl-kpi, whose formulas or styles differ, is not "edited". A
    file that is not one of these workbooks at all counts as edited.
    """
    from .builder import build_workbook
    from .example_data import example

    expected, _ = build_workbook(lang, example() if kind == "example" else None)
    try:
        return _typed_cells(path, expected) != _typed_cells(None, expected)
    except Exception:  # noqa: BLE001 - not a workbook, or not ours: never overwrite it
        return True


def _typed_cells(path, expected) -> dict:
    """The values of every unlocked (input) cell of the expected workbook, read from ``path``."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=False) if path is not None else expected
    out = {}
    for ws in expected.worksheets:
        actual = wb[ws.title]
        for row in ws.iter_rows():
            for cell in row:
                if cell.protection.locked is False:
                    out[ws.title, cell.coordinate] = _comparable(actual[cell.coordinate].value)
    return out


def _comparable(value):
    """A typed value as read back from a file (a date comes back as a datetime at midnight)."""
    if isinstance(value, datetime.datetime):
        return value.date() if value.time() == datetime.time() else value
    return value


def write_workbooks(
    out_dir: str | os.PathLike,
    langs: tuple[str, ...] = LANGS,
    kinds: tuple[str, ...] = KINDS,
    *,
    force: bool = False,
    recalc: bool | None = None,
    arrays: bool | None = None,
    on_start: Callable[[Path], None] | None = None,
    on_done: Callable[[Written], None] | None = None,
) -> list[Written]:
    """Write the workbooks into ``out_dir`` (created if needed).

    An existing file is replaced only when its typed inputs are xl-kpi's own (an older build),
    or with ``force``; a workbook a user filled in is kept and reported as ``"kept"``.
    ``arrays=False`` writes the blank template cell by cell (see :func:`workbook_bytes`).
    ``on_start(path)`` and ``on_done(written)`` are called around each workbook, for progress.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    results = []
    for lang in langs:
        for kind in kinds:
            path = out / file_name(kind, lang)
            if on_start is not None:
                on_start(path)
            written = _write_one(path, workbook_bytes(kind, lang, recalc=recalc, arrays=arrays),
                                 kind, lang, force)
            results.append(written)
            if on_done is not None:
                on_done(written)
    return results


def _write_one(path: Path, data: bytes, kind: str, lang: str, force: bool) -> Written:
    """Write ``data`` at ``path`` atomically, unless it is there already or a user's edits are."""
    if path.exists():
        if not differences(path.read_bytes(), data):  # the same workbook, to 15 digits
            return Written(path, "unchanged")
        if not force and user_edited(path, kind, lang):
            return Written(path, "kept")
        status = "updated"
    else:
        status = "created"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return Written(path, status)
