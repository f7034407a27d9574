"""Rendering a workbook with LibreOffice: a PDF of every sheet, a PNG of the Dashboard.

Used to check that the workbooks open in another spreadsheet program and to draw
``docs/dashboard.png``. Needs ``soffice`` (LibreOffice) and ``pdftoppm`` (poppler) on the PATH.
Each sheet is exported as one page (LibreOffice's ``SinglePageSheets``), in sheet order, so the
Dashboard is the page of its sheet's position. LibreOffice runs with a private profile, so it
neither needs nor disturbs a user's running instance.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = ["available", "to_pdf", "pdf_page_to_png", "render_sheet"]

_PDF_FILTER = 'pdf:calc_pdf_Export:{"SinglePageSheets":{"type":"boolean","value":"true"}}'


def available() -> bool:
    """Whether LibreOffice and pdftoppm are installed."""
    return bool(shutil.which("soffice") and shutil.which("pdftoppm"))


def to_pdf(xlsx: str | os.PathLike, out_dir: str | os.PathLike, *, timeout: float = 300,
           printed: bool = False) -> Path:
    """Convert ``xlsx`` to a PDF with one page per sheet; return the PDF's path.

    ``printed`` exports the pages as they print instead: the print areas, scales, page breaks
    and print titles of the workbook.
    """
    xlsx, out_dir = Path(xlsx).resolve(), Path(out_dir).resolve()
    with tempfile.TemporaryDirectory(prefix="xl-kpi-lo-") as profile:
        cmd = ["soffice", f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
               "--convert-to", "pdf" if printed else _PDF_FILTER, "--outdir", str(out_dir), str(xlsx)]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    pdf = out_dir / (xlsx.stem + ".pdf")
    if done.returncode != 0 or not pdf.exists():
        raise RuntimeError(f"LibreOffice could not convert {xlsx.name}: {done.stderr.strip() or done.stdout.strip()}")
    return pdf


def pdf_page_to_png(pdf: str | os.PathLike, page: int, png: str | os.PathLike, *, dpi: int = 100) -> Path:
    """Render page ``page`` (1-based) of ``pdf`` to ``png``."""
    png = Path(png)
    with tempfile.TemporaryDirectory(prefix="xl-kpi-png-") as tmp:
        stem = os.path.join(tmp, "page")
        subprocess.run(["pdftoppm", "-f", str(page), "-l", str(page), "-r", str(dpi), "-png",
                        "-singlefile", str(pdf), stem], check=True, capture_output=True, timeout=300)
        png.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(stem + ".png", png)
    return png


def render_sheet(xlsx: str | os.PathLike, sheet_index: int, png: str | os.PathLike, *, dpi: int = 100) -> Path:
    """Render the sheet at ``sheet_index`` (0-based) of ``xlsx`` to ``png`` through a PDF."""
    with tempfile.TemporaryDirectory(prefix="xl-kpi-pdf-") as tmp:
        pdf = to_pdf(xlsx, tmp)
        return pdf_page_to_png(pdf, sheet_index + 1, png, dpi=dpi)
