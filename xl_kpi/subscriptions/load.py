"""Reading a billing export from a CSV, Parquet or Excel file (or a DataFrame) into a Ledger.

Columns are found by name, case and spaces ignored, unless given explicitly:

==================  ===================================================================
field               column names recognized
==================  ===================================================================
customer id         customer_id, customer, account_id, account, client_id, client
month               month, date, period, billing_month, invoice_date, billing_date
MRR                 mrr, amount, revenue, monthly_revenue
billing_months      billing_months, interval, billing_period, interval_months
currency            currency, currency_code
plan                plan, plan_name, plan_id
segment             segment, customer_segment
==================  ===================================================================

Parquet needs ``pyarrow`` (``pip install "xl-kpi[parquet]"``); Excel files are read with
openpyxl.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import InvalidOptionError, NonNumericError
from ..metrics._kernel import check_option
from ._hints import option
from ._rows import POSITIONS, Rows
from .ledger import BILLING_PERIODS, Ledger, build_ledger
from .read import ExportFileError, read_export
from .read import normalize_name as _norm

__all__ = ["load_ledger", "read_table", "decimal_mark", "COLUMN_NAMES", "DECIMAL_MARKS", "ExportFileError"]

#: The column names recognized for each field, in order of preference (English, then French);
#: compared case-, accent- and spacing-blind, a parenthesis left out ("Plan (optional)").
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "customer": ("customer_id", "customer", "account_id", "account", "client_id", "client",
                 "identifiant_client", "id_client", "compte"),
    "month": ("month", "date", "period", "billing_month", "invoice_date", "billing_date",
              "mois", "periode", "date_de_facture", "date_facture"),
    "mrr": ("mrr", "amount", "revenue", "monthly_revenue", "montant", "montant_ht", "revenu"),
    "billing_months": ("billing_months", "interval", "billing_period", "interval_months",
                       "periodicite", "periode_de_facturation"),
    "currency": ("currency", "currency_code", "devise", "monnaie"),
    "plan": ("plan", "plan_name", "plan_id", "offre", "formule", "forfait"),
    "segment": ("segment", "customer_segment", "segment_client"),
}
_REQUIRED = ("customer", "month", "mrr")
#: Decimal marks of a text file's numbers: ``"."`` (1,234.50) or ``","`` (1 234,50 or 1.234,50).
DECIMAL_MARKS = (".", ",")


def read_table(path, *, sheet=None, func: str = "read_table") -> tuple[pd.DataFrame, Rows]:
    """Read a CSV (``.csv``, ``.tsv``, ``.txt``, optionally ``.gz``), Parquet or Excel file.

    Returns the table, every value as the file holds it (CSV values as text), and how to name
    its rows in messages (CSV lines, sheet rows, or positions for Parquet). The header row, the
    encoding and the delimiter are found as :func:`~xl_kpi.subscriptions.read.read_export` finds
    them.
    """
    export = read_export(path, sheet=sheet, required=_required({}), func=func)
    return export.table, export.rows


def _required(given: Mapping[str, str | None]) -> list[set[str]]:
    """For the header search: the names each required field can have."""
    return [
        {_norm(given[f])} if given.get(f) is not None else {_norm(n) for n in COLUMN_NAMES[f]}
        for f in _REQUIRED
    ]


def _resolve(func: str, columns, given: Mapping[str, str | None], *, from_file: bool = False) -> dict[str, str]:
    """Map each field to a column of the table: the one given, or one found by name."""
    by_norm = {}
    for c in columns:
        by_norm.setdefault(_norm(c), c)
    found: dict[str, str] = {}
    for field_name, names in COLUMN_NAMES.items():
        explicit = given.get(field_name)
        if explicit is not None:
            column = by_norm.get(_norm(explicit))
            if column is None:
                raise InvalidOptionError(
                    f"{func}: no column {explicit!r} (for {field_name}); the columns are "
                    f"{_listed(columns)}",
                    argument=field_name,
                    value=explicit,
                )
            found[field_name] = column
            continue
        for n in names:
            if n in by_norm:
                found[field_name] = by_norm[n]
                break
        else:
            if field_name in _REQUIRED:
                header = f" (or give the header's row with {option(func, 'header_row', 'N')})" if from_file else ""
                raise InvalidOptionError(
                    f"{func}: no {field_name} column (looked for {', '.join(names[:6])}...); the "
                    f"columns are {_listed(columns)}; name it with {option(func, field_name, 'COLUMN')}"
                    f"{header}",
                    argument=field_name,
                    value=None,
                )
    return found


def _listed(columns, shown: int = 12) -> str:
    names = [repr(str(c)) for c in columns]
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def _column(func: str, columns, name: str) -> str:
    """The column called ``name`` (case and spaces ignored)."""
    for c in columns:
        if _norm(c) == _norm(name):
            return c
    raise InvalidOptionError(
        f"{func}: no column {name!r}; the columns are {_listed(columns)}",
        argument="attributes",
        value=name,
    )


# -- numbers written as text -----------------------------------------------------------------------

#: Spaces (regular, no-break U+00A0, narrow no-break U+202F, thin U+2009) and currency signs a
#: spreadsheet writes into a CSV with the cell's format ("1 234,50 €").
_NOISE = re.compile(r"[\s\u00a0\u202f\u2009€$£¥]")
_GROUPED = {
    ".": re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$"),
    ",": re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d*)?$"),
}
_PLAIN = {".": re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"),
          ",": re.compile(r"^[+-]?(\d+,?\d*|,\d+)([eE][+-]?\d+)?$")}


def decimal_mark(values: Sequence[str], default: str = ".") -> str:
    """The decimal mark that reads every number of ``values`` (text, noise removed).

    A value that only one mark reads decides (``12,50`` is a decimal comma, ``12.50`` a decimal
    point, ``1.234,5`` a comma); when none decides (whole numbers, ``1,234``), ``default``.
    """
    point = comma = False
    for v in values:
        if "," not in v and "." not in v:
            continue
        reads_point = bool(_PLAIN["."].match(v) or _GROUPED["."].match(v))
        reads_comma = bool(_PLAIN[","].match(v) or _GROUPED[","].match(v))
        point |= reads_point and not reads_comma
        comma |= reads_comma and not reads_point
        if point and comma:
            break
    if point != comma:
        return "." if point else ","
    return default


def _to_numbers(text: pd.Series, decimal: str) -> np.ndarray:
    """Numbers of cleaned text in the given decimal mark; NaN where it does not read."""
    thousands = "," if decimal == "." else "."
    grouped = text.str.match(_GROUPED[decimal].pattern).fillna(False)
    plain = text.str.match(_PLAIN[decimal].pattern).fillna(False)
    cleaned = text.where(~grouped, text.str.replace(thousands, "", regex=False))
    if decimal == ",":
        cleaned = cleaned.str.replace(",", ".", regex=False)
    cleaned = cleaned.where(grouped | plain)
    out = pd.to_numeric(cleaned, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    # pandas before 2.2 reads a number beyond the float range ("1e400") as NaN, later ones as
    # inf: read those as Python does (inf), so that every version reports them as out of range
    redo = np.flatnonzero(np.isnan(out) & cleaned.notna().to_numpy())
    for i in redo:
        try:
            out[i] = float(cleaned.iloc[i])
        except ValueError:
            pass
    return out


def _numeric_text(func: str, name: str, column: pd.Series, rows: Rows, decimal: str) -> np.ndarray:
    """Numbers from a column read as text: empty cells missing, other text an error.

    Each distinct value is read once (an export repeats its prices), then spread over the rows.
    """
    if column.dtype.kind in "iuf":
        return column.to_numpy(dtype=np.float64, na_value=np.nan)
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    u = pd.Series(np.asarray(uniques, dtype=object), dtype=object)
    is_text = u.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    typed = pd.to_numeric(u.where(~is_text), errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    text = u.where(is_text).astype("string").str.replace(_NOISE, "", regex=True)
    parsed = np.where(is_text, _to_numbers(text, decimal), typed)
    filled_u = (text.fillna("") != "").to_numpy(dtype=bool) | (~is_text & u.notna().to_numpy())
    safe = np.where(codes < 0, 0, codes)
    values = np.where(codes < 0, np.nan, parsed[safe]) if parsed.size else np.full(codes.shape, np.nan)
    filled = (codes >= 0) & (filled_u[safe] if parsed.size else False)
    bad = np.isnan(values) & filled
    if bad.any():
        pos = np.flatnonzero(bad)
        raise not_numbers(func, name, column.iloc[pos[0]], rows.name(pos), decimal)
    return values


def not_numbers(func: str, name: str, value, where: str, decimal: str) -> NonNumericError:
    """The error for text that is not a number in the decimal mark used, at the rows ``where``."""
    other = "," if decimal == "." else "."
    return NonNumericError(
        f"{func}: {name!r} must hold numbers (decimal mark {decimal!r}); got {value!r} {where}"
        + (f"; if {other!r} is the decimal mark, say so with {option(func, 'decimal', other)}"
           if isinstance(value, str) and other in value else ""),
        argument=name,
        value=value,
    )


def _file_decimal(func, table, cols, decimal, delimiter) -> str:
    """The decimal mark given, or the one the amounts are written in (',' by default after ';')."""
    if decimal is not None:
        return checked_decimal(func, decimal)
    distinct = [pd.unique(table[cols[f]].dropna().to_numpy(dtype=object)) for f in ("mrr", "billing_months")
                if f in cols and not pd.api.types.is_numeric_dtype(table[cols[f]].dtype)]
    return decimal_of(distinct, delimiter)


#: The distinct texts of a column that decide its decimal mark: the first ones, in order of appearance.
DECIMAL_SAMPLE = 100_000


def checked_decimal(func: str, decimal: str) -> str:
    if decimal not in DECIMAL_MARKS:
        raise InvalidOptionError(
            f"{func}: the 'decimal' parameter must be '.' or ','; got {decimal!r}",
            argument="decimal",
            value=decimal,
        )
    return decimal


def decimal_of(distinct: Sequence[Sequence], delimiter: str | None) -> str:
    """The decimal mark of a file from the distinct values (in order of appearance, missing ones
    left out) of its amount and billing-period columns: the first :data:`DECIMAL_SAMPLE` texts of
    each, noise removed; ``","`` by default after ``";"``."""
    texts: list[str] = []
    for values in distinct:
        values = pd.Series(np.asarray(values, dtype=object), dtype=object)
        sample = values[values.map(lambda v: isinstance(v, str))].head(DECIMAL_SAMPLE)
        texts.extend(sample.astype(str).str.replace(_NOISE, "", regex=True).tolist())
    return decimal_mark(texts, "," if delimiter == ";" else ".")


def _constant_period(value) -> float | None:
    """A billing period given as one value for every row (12, "12", "year"), or None."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    text = str(value).strip().lower()
    if text in BILLING_PERIODS:
        return BILLING_PERIODS[text]
    try:
        return float(text)
    except ValueError:
        return None


def fields(func: str, columns, given: dict, billing_months, attributes: Sequence[str], *,
           from_file: bool) -> tuple[dict[str, str], float | None, dict[str, str]]:
    """The column of each field, the billing period given as one value for every row (or None),
    and the column of each other attribute to group by."""
    constant = None
    if billing_months is not None and not any(_norm(c) == _norm(billing_months) for c in columns):
        constant = _constant_period(billing_months)
        if constant is not None:
            given = {**given, "billing_months": None}
    cols = _resolve(func, columns, given, from_file=from_file)
    if constant is not None:
        cols.pop("billing_months", None)
    extra = {}
    for name in attributes:
        if name in ("plan", "segment") and name in cols:
            continue
        extra[name] = _column(func, columns, name)
    return cols, constant, extra


def period_values(column: pd.Series, mark: str) -> pd.Series:
    """A billing-period column with the numbers written as text read in the decimal mark; words
    ("year") and other values as they are."""
    if column.dtype.kind in "iuf":
        return column
    obj = column.astype(object)
    text = obj.where(obj.map(lambda v: isinstance(v, str))).astype("string")
    as_number = pd.Series(_to_numbers(text.str.replace(_NOISE, "", regex=True), mark), index=column.index)
    return obj.where(as_number.isna(), as_number.astype(object))


#: Who reads an export: see :func:`load_ledger`'s ``engine``.
ENGINES = ("auto", "pandas", "duckdb")


def _use_duckdb(engine: str, source) -> bool:
    """Whether the DuckDB path reads ``source`` (a path): asked for, or ``"auto"`` and a Parquet or
    CSV file (or folder) of :data:`~xl_kpi.subscriptions.outofcore.DUCKDB_THRESHOLD` bytes or more
    with DuckDB installed."""
    if engine != "auto":
        return engine == "duckdb"
    from .outofcore import SUFFIXES, big_enough_for_duckdb

    path = Path(os.fspath(source))
    if not (path.is_dir() or path.name.lower().endswith(SUFFIXES)) or not big_enough_for_duckdb(path):
        return False
    try:
        import duckdb  # noqa: F401
    except ImportError:
        return False
    return True


def load_ledger(
    source,
    *,
    sheet: str | int | None = None,
    customer: str | None = None,
    month: str | None = None,
    mrr: str | None = None,
    billing_months: str | float | None = None,
    currency: str | None = None,
    plan: str | None = None,
    segment: str | None = None,
    attributes: Sequence[str] = (),
    layout: str = "snapshot",
    rates: Mapping[str, float] | None = None,
    duplicates: str = "sum",
    header_row: int | None = None,
    delimiter: str | None = None,
    decimal: str | None = None,
    dayfirst: bool | None = None,
    engine: str = "auto",
    func: str = "load_ledger",
) -> Ledger:
    """Read a billing export (file or DataFrame), check it and normalize it to monthly MRR.

    Parameters
    ----------
    source : str, path or DataFrame
        A ``.csv`` / ``.tsv`` / ``.txt`` (optionally gzipped), ``.parquet`` or ``.xlsx`` file, or
        a DataFrame: one row per customer and month, or per invoice line.
    sheet : str or int, optional
        The Excel sheet (default the first).
    customer, month, mrr : str, optional
        Column names of the customer id, the date and the amount, when not one of the names
        recognized (see :mod:`~xl_kpi.subscriptions.load`).
    billing_months : str or number, optional
        The column of the billing periods, or one period for every row (``12``, ``"year"``).
        Omitted: a column found by name, else every amount is monthly.
    currency, plan, segment : str, optional
        Column names of the optional fields, likewise found by name when present.
    attributes : sequence of str
        Other columns to keep per customer, to group the KPI table by.
    layout, rates, duplicates
        As :func:`~xl_kpi.subscriptions.ledger.build_ledger`: rows as monthly snapshots or as
        invoices spread over their billing period; exchange rates; what to do with exact repeats.
    header_row : int, optional
        The 1-based row (CSV line) of the header; default the first of the top 50 rows that
        names a customer, a month and an amount column.
    delimiter : str, optional
        The CSV delimiter; default found from the file (``,`` ``;`` tab ``|``).
    decimal : {".", ","}, optional
        The decimal mark of numbers written as text; default the one they are written in
        (``12,50`` is a comma, ``12.50`` a point), ``","`` for whole numbers in a ``;`` file.
        Spaces (also no-break ones) and the other mark group thousands: ``1 234,50``,
        ``1.234,50`` and ``1,234.50`` read 1234.5.
    dayfirst : bool, optional
        How to read dates such as ``03/04/2024``: True day first (Europe), False month first
        (US). Default: the order the dates show (a first number above 12 is a day), else day
        first in a file with decimal commas or ``;``, else refused as ambiguous.
    engine : {"auto", "pandas", "duckdb"}
        Who reads the export. ``"duckdb"``: a Parquet file or folder or a CSV larger than memory,
        read out of core (:mod:`~xl_kpi.subscriptions.outofcore`, needs
        ``pip install "xl-kpi[bigdata]"``), with every option above; ``"pandas"``: in memory, also
        Excel files and DataFrames; ``"auto"`` (default): DuckDB for a Parquet or CSV file (or a
        folder of Parquet files) of 1 GiB or more when it is installed, pandas otherwise. Both
        give the same ledger, notes and errors.

    Returns
    -------
    Ledger
        Rows in error messages are named by file line (CSV), sheet row (Excel) or position.

    Raises
    ------
    FileNotFoundError, ModuleNotFoundError
        No such file; Parquet without pyarrow.
    ExportFileError
        A file that cannot be read (a legacy ``.xls``, an encrypted or damaged workbook, a
        truncated ``.gz``, too large a file).
    InvalidOptionError
        An unknown format or sheet, a column that is not there, several currencies without rates.
    KPIError
        Bad rows, as :func:`~xl_kpi.subscriptions.ledger.build_ledger` raises.

    Examples
    --------
    Stripe's example: 100 customers at 100 a month and 50 at 600 a year. What is the MRR?

    >>> import pandas as pd
    >>> export = pd.DataFrame({
    ...     "customer_id": range(150),
    ...     "date": ["2024-05-01"] * 150,
    ...     "amount": [100] * 100 + [600] * 50,
    ...     "interval": ["month"] * 100 + ["year"] * 50,
    ... })
    >>> float(load_ledger(export).mrr.sum())
    12500.0
    """
    check_option(func, "engine", engine, ENGINES)
    if not isinstance(source, pd.DataFrame) and _use_duckdb(engine, source):
        from .outofcore import load_ledger_duckdb

        return load_ledger_duckdb(source, customer=customer, month=month, mrr=mrr, billing_months=billing_months,
                                  currency=currency, plan=plan, segment=segment, attributes=attributes,
                                  layout=layout, rates=rates, duplicates=duplicates, header_row=header_row,
                                  delimiter=delimiter, decimal=decimal, dayfirst=dayfirst, func=func)
    given = {
        "customer": customer,
        "month": month,
        "mrr": mrr,
        "billing_months": billing_months,
        "currency": currency,
        "plan": plan,
        "segment": segment,
    }
    read_notes: tuple[str, ...] = ()
    delimiter_used = None
    if isinstance(source, pd.DataFrame):
        table, rows = source, POSITIONS
    else:
        export = read_export(source, sheet=sheet, header_row=header_row, delimiter=delimiter,
                             required=_required(given), func=func)
        table, rows, read_notes, delimiter_used = export.table, export.rows, export.notes, export.delimiter
    cols, constant, extra_columns = fields(func, table.columns, given, billing_months, attributes,
                                           from_file=not isinstance(source, pd.DataFrame))
    extra = {name: table[column] for name, column in extra_columns.items()}
    mark = _file_decimal(func, table, cols, decimal, delimiter_used)
    amount = _numeric_text(func, "mrr", table[cols["mrr"]], rows, mark)
    periods = None
    if constant is not None:
        periods = np.full(len(table), constant)
    elif "billing_months" in cols:
        periods = period_values(table[cols["billing_months"]], mark)
    return build_ledger(
        table[cols["customer"]],
        table[cols["month"]],
        amount,
        billing_months=periods,
        currency=table[cols["currency"]] if "currency" in cols else None,
        plan=table[cols["plan"]] if "plan" in cols else None,
        segment=table[cols["segment"]] if "segment" in cols else None,
        attributes=extra,
        layout=layout,
        rates=rates,
        duplicates=duplicates,
        dayfirst=dayfirst,
        dayfirst_default=True if (mark == "," or delimiter_used == ";") else None,
        notes=read_notes,
        func=func,
        rows=rows,
    )
