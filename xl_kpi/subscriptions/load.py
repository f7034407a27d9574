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
from ._rows import POSITIONS, Rows, file_rows
from .ledger import Ledger, build_ledger

__all__ = ["load_ledger", "read_table", "COLUMN_NAMES"]

#: The column names recognized for each field, in order of preference.
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "customer": ("customer_id", "customer", "account_id", "account", "client_id", "client"),
    "month": ("month", "date", "period", "billing_month", "invoice_date", "billing_date"),
    "mrr": ("mrr", "amount", "revenue", "monthly_revenue"),
    "billing_months": ("billing_months", "interval", "billing_period", "interval_months"),
    "currency": ("currency", "currency_code"),
    "plan": ("plan", "plan_name", "plan_id"),
    "segment": ("segment", "customer_segment"),
}
_REQUIRED = ("customer", "month", "mrr")
_CSV = (".csv", ".txt", ".tsv")


def _norm(name) -> str:
    return re.sub(r"[\s_\-]+", "_", str(name).strip().lower())


def read_table(path, *, sheet=None, func: str = "read_table") -> tuple[pd.DataFrame, Rows]:
    """Read a CSV (``.csv``, ``.tsv``, ``.txt``, optionally ``.gz``), Parquet or Excel file.

    Returns the table, every value as the file holds it (ids and text as text), and how to name
    its rows in messages (CSV lines, sheet rows, or positions for Parquet).
    """
    path = Path(os.fspath(path))
    name = path.name.lower()
    base = name[:-3] if name.endswith(".gz") else name
    suffix = Path(base).suffix
    if not path.exists():
        raise FileNotFoundError(f"{func}: no file {str(path)!r}")
    if suffix in _CSV:
        sep = "\t" if suffix == ".tsv" else ","
        options = dict(sep=sep, dtype=str, keep_default_na=False, na_values=[""], skipinitialspace=True)
        header = pd.read_csv(path, nrows=0, sep=sep)
        numeric = _numeric_columns(header.columns)
        options["dtype"] = {c: str for c in header.columns if c not in numeric}
        table = pd.read_csv(path, **options)
        return table, file_rows(path.name)
    if suffix in (".parquet", ".pq"):
        try:
            import pyarrow  # noqa: F401
        except ModuleNotFoundError:
            raise ModuleNotFoundError(
                f"{func}: reading Parquet needs pyarrow: pip install \"xl-kpi[parquet]\""
            ) from None
        return pd.read_parquet(path), Rows()
    if suffix in (".xlsx", ".xlsm"):
        sheet_name = 0 if sheet is None else sheet
        try:
            table = pd.read_excel(path, sheet_name=sheet_name, engine="openpyxl")
        except ValueError as exc:  # an unknown sheet
            raise InvalidOptionError(f"{func}: {exc}", argument="sheet", value=sheet) from None
        shown = sheet if isinstance(sheet, str) else _sheet_name(path, sheet_name)
        return table, file_rows(path.name, sheet=shown)
    raise InvalidOptionError(
        f"{func}: cannot read {path.name!r}: the file must be .csv, .tsv, .txt (optionally .gz), "
        ".parquet or .xlsx",
        argument="path",
        value=str(path),
    )


def _sheet_name(path: Path, index: int) -> str:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    try:
        return wb.sheetnames[index]
    finally:
        wb.close()


def _numeric_columns(columns) -> set:
    """Columns read as numbers from a CSV: those that can be MRR or billing periods."""
    wanted = {_norm(n) for f in ("mrr", "billing_months") for n in COLUMN_NAMES[f]}
    return {c for c in columns if _norm(c) in wanted}


def _resolve(func: str, columns, given: Mapping[str, str | None]) -> dict[str, str]:
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
                    f"{', '.join(map(repr, map(str, columns)))}",
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
                raise InvalidOptionError(
                    f"{func}: no {field_name} column (looked for {', '.join(names)}); the columns "
                    f"are {', '.join(map(repr, map(str, columns)))}; name it with {field_name}=...",
                    argument=field_name,
                    value=None,
                )
    return found


def _column(func: str, columns, name: str) -> str:
    """The column called ``name`` (case and spaces ignored)."""
    for c in columns:
        if _norm(c) == _norm(name):
            return c
    raise InvalidOptionError(
        f"{func}: no column {name!r}; the columns are {', '.join(map(repr, map(str, columns)))}",
        argument="attributes",
        value=name,
    )


def _numeric_text(func: str, name: str, column: pd.Series, rows: Rows) -> np.ndarray:
    """Numbers from a column read as text: empty cells missing, other text an error."""
    if column.dtype.kind in "iuf":
        return column.to_numpy(dtype=np.float64, na_value=np.nan)
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    text = column.astype("string").str.strip()
    bad = np.isnan(values) & column.notna().to_numpy() & (text != "").fillna(False).to_numpy()
    if bad.any():
        pos = np.flatnonzero(bad)
        raise NonNumericError(
            f"{func}: {name!r} must hold numbers; got {column.iloc[pos[0]]!r} {rows.name(pos)}",
            argument=name,
            value=column.iloc[pos[0]],
        )
    return values


def load_ledger(
    source,
    *,
    sheet: str | int | None = None,
    customer: str | None = None,
    month: str | None = None,
    mrr: str | None = None,
    billing_months: str | None = None,
    currency: str | None = None,
    plan: str | None = None,
    segment: str | None = None,
    attributes: Sequence[str] = (),
    layout: str = "snapshot",
    rates: Mapping[str, float] | None = None,
    duplicates: str = "sum",
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
    billing_months, currency, plan, segment : str, optional
        Column names of the optional fields, likewise found by name when present.
    attributes : sequence of str
        Other columns to keep per customer, to group the KPI table by.
    layout, rates, duplicates
        As :func:`~xl_kpi.subscriptions.ledger.build_ledger`: rows as monthly snapshots or as
        invoices spread over their billing period; exchange rates; what to do with exact repeats.

    Returns
    -------
    Ledger
        Rows in error messages are named by file line (CSV), sheet row (Excel) or position.

    Raises
    ------
    FileNotFoundError, ModuleNotFoundError
        No such file; Parquet without pyarrow.
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
    if isinstance(source, pd.DataFrame):
        table, rows = source, POSITIONS
    else:
        table, rows = read_table(source, sheet=sheet, func=func)
    given = {
        "customer": customer,
        "month": month,
        "mrr": mrr,
        "billing_months": billing_months,
        "currency": currency,
        "plan": plan,
        "segment": segment,
    }
    cols = _resolve(func, table.columns, given)
    extra = {}
    for name in attributes:
        if name in ("plan", "segment") and name in cols:
            continue
        extra[name] = table[_column(func, table.columns, name)]
    amount = _numeric_text(func, "mrr", table[cols["mrr"]], rows)
    periods = None
    if "billing_months" in cols:
        col = table[cols["billing_months"]]
        if col.dtype.kind not in "iuf":
            as_number = pd.to_numeric(col, errors="coerce")
            col = col.astype(object).where(as_number.isna(), as_number.astype(object))
        periods = col
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
        func=func,
        rows=rows,
    )
