"""Reading a billing export file as the text and values it holds, whatever wrote it.

A file is taken for what its bytes say, not only for its name:

- **CSV** (``.csv``, ``.tsv``, ``.txt``, optionally ``.gz``): the encoding from its byte-order
  mark (UTF-8, UTF-16 as Excel's "Unicode text" writes it), else UTF-8, else Windows-1252 (what
  Excel writes for "CSV (semicolon delimited)" in Western Europe) with a note; the delimiter
  (``,`` ``;`` tab ``|``) from the lines, unless given; every value is read as text, so that the
  caller can read the numbers with the file's decimal mark.
- **Excel** (``.xlsx``, ``.xlsm``): the sheet's values as openpyxl reads them. A legacy ``.xls``
  or a password-protected workbook (both are OLE2 containers, not zip files) is named as such.
- **Parquet** (``.parquet``, ``.pq``) with pyarrow.

The header is the first of the top :data:`HEADER_SEARCH_ROWS` rows that holds a name for every
required field (a title and notes above a table, as our own Subscriptions sheet has), unless
``header_row`` says which. Limits (:data:`MAX_TEXT_BYTES`, :data:`MAX_XLSX_BYTES`) bound the
memory a hostile file can take; every failure is an :class:`ExportFileError` with a one-line
reason.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import os
import re
import struct
import unicodedata
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence
from xml.etree.ElementTree import ParseError

import pandas as pd

from ._rows import Rows, file_rows

__all__ = [
    "Export",
    "ExportFileError",
    "read_export",
    "normalize_name",
    "HEADER_SEARCH_ROWS",
    "MAX_TEXT_BYTES",
    "MAX_XLSX_BYTES",
    "DELIMITERS",
]

#: Rows searched for the header when it is not on the first row.
HEADER_SEARCH_ROWS = 50
#: Text read from a CSV file, decompressed: beyond, the export is refused (pandas needs about
#: ten times this in memory).
MAX_TEXT_BYTES = 1 << 30
#: Declared uncompressed size of the members of an Excel export: beyond, it is refused before
#: openpyxl reads it (zipfile never reads past a member's declared size).
MAX_XLSX_BYTES = 512 << 20
#: Delimiters recognized in a CSV file, in order of preference on a tie.
DELIMITERS = (",", ";", "\t", "|")

_CSV = (".csv", ".txt", ".tsv")
_EXCEL = (".xlsx", ".xlsm")
_PARQUET = (".parquet", ".pq")
_SAMPLE = 64 << 10
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptionInfo".encode("utf-16-le")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class ExportFileError(ValueError):
    """A file that cannot be read as a billing export; the message is the one-line reason."""


@dataclass(frozen=True)
class Export:
    """A billing export as read from its file.

    Attributes
    ----------
    table : DataFrame
        The columns under the header. CSV values are text (None where empty); Excel and Parquet
        values are as typed in the file.
    rows : Rows
        How to name the table's rows in messages (file lines, sheet rows).
    notes : tuple of str
        What reading took from the bytes rather than from the name (encoding, delimiter, header
        row), when it is not the plain case.
    delimiter : str or None
        The CSV delimiter (None for Excel and Parquet).
    """

    table: pd.DataFrame
    rows: Rows
    notes: tuple[str, ...] = ()
    delimiter: str | None = None


def normalize_name(name) -> str:
    """A column name compared case-, accent- and spacing-blind, a parenthesis left out.

    ``"Plan (optional)"`` and ``"plan"``, ``"Période"`` and ``"periode"``, ``"Customer ID"``
    and ``"customer_id"`` compare equal.
    """
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"\(.*?\)", " ", text.strip().lower())
    return re.sub(r"[\s_\-.'’]+", "_", text).strip("_")


def check_header_row(func: str, header_row) -> None:
    """Refuse a header row that is not a line number (1-based)."""
    if header_row is not None and (isinstance(header_row, bool) or not isinstance(header_row, int) or header_row < 1):
        from ..errors import InvalidOptionError

        raise InvalidOptionError(f"{func}: the header row must be a whole number >= 1; got {header_row!r}",
                                 argument="header_row", value=header_row)


def _fail(path: Path, reason: str) -> ExportFileError:
    return ExportFileError(f"cannot read {path.name!r}: {reason}")


def read_export(
    path,
    *,
    sheet: str | int | None = None,
    header_row: int | None = None,
    delimiter: str | None = None,
    required: Sequence[Iterable[str]] = (),
    func: str = "read_export",
) -> Export:
    """Read a billing export file.

    Parameters
    ----------
    path : str or path
        The file.
    sheet : str or int, optional
        The Excel sheet (default the first).
    header_row : int, optional
        The 1-based row (CSV line) of the header. Default: found, see ``required``.
    delimiter : str, optional
        The CSV delimiter. Default: found from the file's lines.
    required : sequence of sets of str
        For each required field, the normalized column names that can hold it: the header is the
        first row that names every field. No row does: the first row.
    func : str
        The caller, for messages.

    Raises
    ------
    FileNotFoundError
        No such file.
    ModuleNotFoundError
        Parquet without pyarrow.
    InvalidOptionError
        An unknown suffix, an unknown sheet, a header row below 1.
    ExportFileError
        Anything else that keeps the file from being read: a legacy ``.xls``, an encrypted
        workbook, a file whose bytes are not what its name says, a damaged or truncated file, too
        large a file.
    """
    path = Path(os.fspath(path))
    name = path.name.lower()
    base = name[:-3] if name.endswith(".gz") else name
    suffix = Path(base).suffix
    if not path.exists():
        raise FileNotFoundError(f"{func}: no file {str(path)!r}")
    if path.is_dir():
        raise _fail(path, "it is a folder, not a file")
    check_header_row(func, header_row)
    head = _head(path)
    if suffix in _CSV:
        if head.startswith(b"PK\x03\x04") and not name.endswith(".gz"):
            raise _fail(path, "it is a zip file (an Excel workbook?), not text: name it .xlsx")
        if head.startswith(_OLE2):
            raise _fail(path, _ole2_reason(path))
        return _read_csv(path, suffix, header_row, delimiter, required)
    if suffix in _PARQUET:
        try:
            import pyarrow  # noqa: F401
        except ModuleNotFoundError:
            raise ModuleNotFoundError(
                f"{func}: reading Parquet needs pyarrow: pip install \"xl-kpi[parquet]\""
            ) from None
        try:
            return Export(pd.read_parquet(path), Rows())
        except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
            raise _fail(path, f"not a readable Parquet file ({_short(exc)})") from None
    if suffix in _EXCEL or suffix == ".xls":
        if head.startswith(_OLE2):
            raise _fail(path, _ole2_reason(path))
        if not head.startswith(b"PK"):
            looks = "it looks like text: name it .csv" if _is_text(head) else "it is not a zip file"
            raise _fail(path, f"not an Excel workbook ({looks})")
        return _read_excel(path, sheet, header_row, required, func)
    from ..errors import InvalidOptionError

    raise InvalidOptionError(
        f"{func}: cannot read {path.name!r}: the file must be .csv, .tsv, .txt (optionally .gz), "
        ".parquet or .xlsx",
        argument="path",
        value=str(path),
    )


# -- what the bytes are ------------------------------------------------------------------------------


def _head(path: Path, size: int = 4096) -> bytes:
    with open(path, "rb") as f:
        return f.read(size)


def _is_text(head: bytes) -> bool:
    return b"\x00" not in head[:1024] and bool(head.strip())


def _ole2_reason(path: Path) -> str:
    """An OLE2 container: a password-protected workbook (Office encryption wraps the .xlsx in
    one, with an ``EncryptionInfo`` stream) or a legacy ``.xls``. The stream names are in the
    directory, whose first sector the header locates (offset 0x30, sector size at 0x1E)."""
    with open(path, "rb") as f:
        head = f.read(512)
        sample = head + f.read((4 << 20) - 512)
        try:
            shift, = struct.unpack_from("<H", head, 0x1E)
            first, = struct.unpack_from("<I", head, 0x30)
            size = 1 << min(shift, 16)
            f.seek((first + 1) * size)
            sample += f.read(size * 8)
        except (struct.error, OSError, OverflowError, ValueError):
            pass
    if _ENCRYPTED in sample:
        return ("it is a password-protected (encrypted) workbook: open it in Excel, remove the "
                "password (File > Info > Protect Workbook) and save it again")
    return "it is a legacy Excel 97-2003 .xls workbook: save it as .xlsx or CSV in Excel or LibreOffice"


def _size(n: int) -> str:
    """``"1 GiB"``, ``"512 MiB"``, ``"98 KiB"``: a byte count as a person reads it."""
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift:
            return f"{n / (1 << shift):.3g} {unit}"
    return f"{n} bytes"


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."


# -- CSV ---------------------------------------------------------------------------------------------


class _Limited(io.RawIOBase):
    """A binary stream that refuses to give more than ``limit`` bytes."""

    def __init__(self, raw, limit: int):
        self._raw, self._left = raw, limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._raw.read(len(buffer))
        if len(data) > self._left:
            raise _TooLarge()
        self._left -= len(data)
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()


class _TooLarge(Exception):
    pass


def _too_large(path: Path) -> ExportFileError:
    return _fail(path, f"more than {_size(MAX_TEXT_BYTES)} of text, the limit of an export read in "
                 'memory; read it out of core with engine="duckdb" (--engine duckdb, pip install "xl-kpi[bigdata]")')


def _open_bytes(path: Path):
    raw = gzip.open(path, "rb") if path.name.lower().endswith(".gz") else open(path, "rb")
    return io.BufferedReader(_Limited(raw, MAX_TEXT_BYTES), buffer_size=1 << 20)


def _encoding(sample: bytes) -> tuple[str, str | None]:
    """The encoding of a text sample and a note when it is not UTF-8."""
    for bom, encoding in _BOMS:
        if sample.startswith(bom):
            if encoding == "utf-8-sig":
                return encoding, None
            return encoding, f"read as {encoding.upper()} (from its byte-order mark)"
    even, odd = sample[0:2000:2], sample[1:2000:2]
    if sample and odd.count(0) > len(odd) // 2 and even.count(0) < len(even) // 8:
        return "utf-16-le", "read as UTF-16 (little-endian, without a byte-order mark)"
    if sample and even.count(0) > len(even) // 2 and odd.count(0) < len(odd) // 8:
        return "utf-16-be", "read as UTF-16 (big-endian, without a byte-order mark)"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return "cp1252", _CP1252_NOTE
    return "utf-8", None


_CP1252_NOTE = "not UTF-8: read as Windows-1252 (Excel's 'CSV' in Western Europe)"


def _sample_text(path: Path) -> tuple[str, str, str | None]:
    """The decoded start of the file, its encoding and the encoding note."""
    with _open_bytes(path) as f:
        sample = f.read(_SAMPLE)
    encoding, note = _encoding(sample)
    text = codecs.getincrementaldecoder(encoding if encoding != "cp1252" else "latin-1")(
        errors="replace").decode(sample, final=False)
    return text, encoding, note


def _sniff_delimiter(lines: list[str]) -> str:
    """The delimiter splitting the first lines into the same number (>1) of fields, most fields."""
    best, best_score = ",", (-1, 0, 0)
    for rank, d in enumerate(DELIMITERS):
        counts = [len(r) for r in csv.reader(lines, delimiter=d) if r]
        if not counts:
            continue
        widest = max(counts)
        if widest < 2:
            continue
        consistent = sum(1 for c in counts if c == widest)
        score = (consistent, widest, -rank)
        if score > best_score:
            best, best_score = d, score
    return best


def _find_header(rows: Sequence[Sequence], required) -> int | None:
    """Index of the first row naming every required field, None when none does."""
    wanted = [set(names) for names in required]
    if not wanted:
        return None
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        names = {normalize_name(v) for v in row if v is not None and str(v).strip()}
        if all(names & w for w in wanted):
            return i
    return None


@dataclass(frozen=True)
class CsvLayout:
    """How a CSV file is laid out, from its first bytes: encoding, delimiter, lines above the
    header, and the notes saying what was found rather than given."""

    encoding: str
    delimiter: str
    skip: int
    notes: tuple[str, ...]


def csv_layout(path, *, header_row: int | None = None, delimiter: str | None = None,
               required: Sequence[Iterable[str]] = ()) -> CsvLayout:
    """The layout of a CSV file as :func:`read_export` finds it (the DuckDB path reads it so too)."""
    path = Path(os.fspath(path))
    name = path.name.lower()
    suffix = Path(name[:-3] if name.endswith(".gz") else name).suffix
    try:
        text, encoding, note = _sample_text(path)
    except _TooLarge:
        raise _too_large(path) from None
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise _fail(path, f"the gzip file is truncated or damaged ({_short(exc)})") from None
    lines = text.splitlines()[: HEADER_SEARCH_ROWS + 1]
    if len(text) >= _SAMPLE // 4 and lines:
        lines = lines[:-1]  # the last line of a cut sample may be partial
    notes = [note] if note and note != _CP1252_NOTE else []
    if delimiter is None:
        delimiter = "\t" if suffix == ".tsv" else _sniff_delimiter(lines)
        if delimiter != ",":
            notes.append(f"delimiter {_SHOWN.get(delimiter, delimiter)!r} (found in the file)")
    if header_row is not None:
        skip = header_row - 1
    else:
        found = _find_header(list(csv.reader(lines, delimiter=delimiter)), required)
        skip = found or 0
        if found:
            notes.append(f"the header is on line {found + 1} (the lines above it are left out)")
    return CsvLayout(encoding, delimiter, skip, tuple(notes))


def _read_csv(path: Path, suffix: str, header_row, delimiter, required) -> Export:
    layout = csv_layout(path, header_row=header_row, delimiter=delimiter, required=required)
    encoding, delimiter, skip, notes = layout.encoding, layout.delimiter, layout.skip, list(layout.notes)
    # UTF-8 that fails further down the file is Windows-1252 (Latin-1 for its five unused bytes).
    fallbacks = {"utf-8": ("cp1252", "latin-1"), "cp1252": ("latin-1",)}.get(encoding, ())
    for used in (encoding, *fallbacks):
        try:
            table = _parse_csv(path, used, delimiter, skip)
            break
        except UnicodeDecodeError as exc:
            if used == (encoding, *fallbacks)[-1]:
                raise _fail(path, f"not valid {used.upper()} text ({_short(exc)})") from None
        except _TooLarge:
            raise _too_large(path) from None
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise _fail(path, f"the gzip file is truncated or damaged ({_short(exc)})") from None
        except pd.errors.EmptyDataError:
            raise _fail(path, "the file is empty") from None
        except pd.errors.ParserError as exc:
            raise _fail(path, f"not a well-formed delimited file ({_short(exc)})") from None
    if used == "cp1252":
        notes.append(_CP1252_NOTE)
    elif used == "latin-1":
        notes.append("not UTF-8: read as Latin-1")
    return Export(table, file_rows(path.name, header_lines=skip + 1), tuple(notes), delimiter)


_SHOWN = {"\t": "tab"}


def _parse_csv(path: Path, encoding: str, delimiter: str, skip: int) -> pd.DataFrame:
    options = dict(sep=delimiter, dtype=str, keep_default_na=False, na_values=[""],
                   skipinitialspace=True, skiprows=skip, engine="c", index_col=False,
                   skip_blank_lines=False)  # a blank line stays a (skipped) row: line numbers stay true
    with warnings.catch_warnings():
        # More fields than the header: pandas would drop them (or take the first columns for an
        # index without index_col=False); a misaligned row is an error, not a guess.
        warnings.simplefilter("error", pd.errors.ParserWarning)
        try:
            if not path.name.lower().endswith(".gz"):
                if path.stat().st_size > MAX_TEXT_BYTES:
                    raise _TooLarge()
                # A plain file goes to pandas by name: its C reader is faster than a Python stream.
                return pd.read_csv(path, encoding=encoding, compression=None, **options)
            with _open_bytes(path) as raw, io.TextIOWrapper(raw, encoding=encoding, newline="") as f:
                return pd.read_csv(f, **options)
        except pd.errors.ParserWarning:
            raise pd.errors.ParserError(
                "a row has more fields than the header (a delimiter inside an unquoted value?)"
            ) from None


# -- Excel ---------------------------------------------------------------------------------------


def _read_excel(path: Path, sheet, header_row, required, func) -> Export:
    try:
        with zipfile.ZipFile(path) as z:
            declared = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        raise _fail(path, f"a damaged workbook (not a readable zip file: {_short(exc)})") from None
    if declared > MAX_XLSX_BYTES:
        raise _fail(path, f"its parts decompress to {_size(declared)}, more than the "
                    f"{_size(MAX_XLSX_BYTES)} an export may take")
    sheet_name = 0 if sheet is None else sheet
    try:
        with warnings.catch_warnings():  # openpyxl's "extension not supported" and style chatter
            warnings.simplefilter("ignore", UserWarning)
            raw = pd.read_excel(path, sheet_name=sheet_name, header=None, engine="openpyxl")
    except ValueError as exc:
        if "not found" in str(exc) or "out of range" in str(exc) or "Worksheet" in str(exc):
            from ..errors import InvalidOptionError

            raise InvalidOptionError(f"{func}: {_short(exc)}", argument="sheet", value=sheet) from None
        raise _fail(path, f"a damaged workbook ({_short(exc)})") from None
    except ParseError as exc:
        raise _fail(path, f"its XML is malformed or declares entities, which are refused ({_short(exc)})") from None
    except (KeyError, TypeError, AttributeError, IndexError, zipfile.BadZipFile, EOFError, zlib.error, OSError) as exc:
        raise _fail(path, f"a damaged workbook ({type(exc).__name__}: {_short(exc)})") from None
    except Exception as exc:  # defusedxml's refusals, when installed, are not ValueErrors
        if type(exc).__module__.startswith("defusedxml"):
            raise _fail(path, f"its XML declares entities or a DTD, which are refused ({_short(exc)})") from None
        raise
    shown = sheet if isinstance(sheet, str) else _sheet_name(path, sheet_name)
    notes = []
    if header_row is not None:
        top = header_row - 1
    else:
        values = raw.head(HEADER_SEARCH_ROWS).astype(object).where(raw.head(HEADER_SEARCH_ROWS).notna(), None)
        found = _find_header(values.values.tolist(), required)
        top = found or 0
        if found:
            notes.append(f"the header is on row {found + 1} of sheet {shown!r} (the rows above it are left out)")
    if top >= len(raw):
        table = pd.DataFrame()
    else:
        header = [_header_name(v, j) for j, v in enumerate(raw.iloc[top].tolist())]
        table = raw.iloc[top + 1:].reset_index(drop=True)
        table.columns = _unique(header)
        keep = [c for c, h in zip(table.columns, header) if not h.startswith("Unnamed: ") or table[c].notna().any()]
        table = table[keep].infer_objects()
    return Export(table, file_rows(path.name, header_lines=top + 1, sheet=shown), tuple(notes))


def _header_name(value, j: int) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return f"Unnamed: {j}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        k = seen.get(n, 0)
        out.append(n if k == 0 else f"{n}.{k}")
        seen[n] = k + 1
    return out


def _sheet_name(path: Path, index: int) -> str:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    try:
        return wb.sheetnames[index]
    finally:
        wb.close()
