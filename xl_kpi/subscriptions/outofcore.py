"""Billing exports larger than memory: read, checked and aggregated by DuckDB, out of core.

What costs memory in a billing export is the raw table: ids and dates as text, one row per
invoice line, the extra columns (the pandas path holds about 370 MiB per million rows). What the
KPIs need is small: one (customer, month, MRR) element per paying customer-month, 24 bytes. So
DuckDB does the heavy part where the data lies (Parquet files or folders, CSV), streaming and
spilling to disk past its memory limit: finding and checking the columns, turning dates into
months and amounts into monthly MRR, adding up the rows of one customer and month, numbering
the customers, and sorting. Only the compact result comes into numpy, as the very
:class:`~xl_kpi.subscriptions.ledger.Ledger` the pandas path builds, so every movement, cohort
and retention figure is computed by the same code, with the same definitions (nothing here
computes a KPI). On the 2-core development machine, 101 million rows take about 66 s (44 s
reading) and 6.5 GiB at peak (``benchmarks/outofcore.py``).

The checks are the pandas path's, as SQL over the whole file: a missing id, month or MRR
(:class:`~xl_kpi.errors.NoDataError`), text where an amount belongs or a date that cannot be read
(:class:`~xl_kpi.errors.NonNumericError`), a negative or infinite MRR, a non-positive billing
period or a date outside 1900-2199 (:class:`~xl_kpi.errors.DomainError`), each naming the first
rows (CSV lines, positions in a Parquet set). Blank rows are skipped and counted, rows of one
customer and month are added up and counted in the notes; a customer's segment or plan is the
one on its last paying row. Not supported here (an :class:`~xl_kpi.errors.InvalidOptionError`
says to use ``engine="pandas"``): the invoices layout, exchange rates, ``duplicates`` other than
``"sum"``, and the header search of odd CSV files (the header must be the first line).

DuckDB is an optional dependency (``pip install "xl-kpi[bigdata]"``): a 20 MB wheel whose native
library takes about 0.1 s to import, which the everyday path and xlwings Lite should not pay.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import numpy as np

from ..errors import DomainError, InvalidOptionError, NoDataError, NonNumericError
from ._rows import SHOWN, Rows
from .ledger import BILLING_PERIODS, NO_LABEL, Ledger
from .months import FIRST_YEAR, LAST_YEAR

__all__ = ["load_ledger_duckdb", "SUFFIXES", "big_enough_for_duckdb", "DUCKDB_THRESHOLD"]

#: Files this path reads: Parquet (a file or a folder of them) and CSV (optionally compressed).
SUFFIXES = (".parquet", ".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz", ".txt.gz")
#: DuckDB's working memory unless told otherwise: past it, its sorts and joins spill to disk. The
#: ledger it hands back (24 bytes a customer-month) and the KPI arrays come on top.
DUCKDB_MEMORY = "3GB"
#: ``engine="auto"`` reads a file (or folder) of at least this many bytes with DuckDB.
DUCKDB_THRESHOLD = 1 << 30


def big_enough_for_duckdb(path) -> bool:
    """A file or folder large enough that the pandas path would strain memory."""
    p = Path(path)
    try:
        if p.is_dir():
            return sum(f.stat().st_size for f in p.rglob("*.parquet")) >= DUCKDB_THRESHOLD
        return p.stat().st_size >= DUCKDB_THRESHOLD
    except OSError:
        return False


def _connect(memory_limit: str | None, threads: int | None):
    try:
        import duckdb
    except ImportError:
        raise ModuleNotFoundError('engine="duckdb" needs DuckDB: pip install "xl-kpi[bigdata]"') from None
    con = duckdb.connect(config={"preserve_insertion_order": True})
    con.execute("SET enable_progress_bar = false")
    con.execute(f"SET memory_limit = '{_sql_text(memory_limit or DUCKDB_MEMORY)}'")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return con


def _sql_text(s: str) -> str:
    return str(s).replace("'", "''")


def _ident(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _source(path: Path, func: str) -> tuple[str, Rows]:
    """The DuckDB table function reading ``path``, and how to name its rows in messages."""
    if path.is_dir():
        files = sorted(path.rglob("*.parquet"))
        if not files:
            raise InvalidOptionError(f"{func}: no .parquet file in the folder {path}", argument="source",
                                     value=str(path))
        listed = ", ".join(f"'{_sql_text(str(f))}'" for f in files)
        return f"read_parquet([{listed}])", Rows("position", "positions", 0, f" of the Parquet files in {path}")
    name = path.name.lower()
    if name.endswith(".parquet"):
        return f"read_parquet('{_sql_text(str(path))}')", Rows("position", "positions", 0, f" of {path.name}")
    if name.endswith(SUFFIXES):
        # every column as text: the checks below read amounts and dates the way the pandas path does
        return (f"read_csv('{_sql_text(str(path))}', header=true, all_varchar=true, auto_detect=true)",
                Rows("line", "lines", 2, f" of {path.name}"))
    raise InvalidOptionError(f"{func}: the DuckDB engine reads Parquet and CSV files, not {path.name}",
                             argument="source", value=str(path))


def load_ledger_duckdb(
    source,
    *,
    customer: str | None = None,
    month: str | None = None,
    mrr: str | None = None,
    billing_months: str | float | None = None,
    plan: str | None = None,
    segment: str | None = None,
    attributes: Sequence[str] = (),
    memory_limit: str | None = None,
    threads: int | None = None,
    func: str = "load_ledger",
) -> Ledger:
    """A :class:`Ledger` from a Parquet file or folder or a CSV file, computed by DuckDB.

    The arguments are :func:`~xl_kpi.subscriptions.load_ledger`'s (columns found by the same
    names); ``memory_limit`` (default :data:`DUCKDB_MEMORY`) and ``threads`` bound DuckDB. The ledger equals the
    pandas path's on the same export, its MRR sums up to float rounding.
    """
    from .load import _column, _resolve

    path = Path(os.fspath(source))
    if not path.exists():
        raise FileNotFoundError(f"{func}: no such file or folder: {path}")
    table, rows = _source(path, func)
    con = _connect(memory_limit, threads)
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {table}").fetchall()
        columns = [r[0] for r in described]
        types = {r[0]: r[1] for r in described}
        given = {"customer": customer, "month": month, "mrr": mrr, "plan": plan, "segment": segment,
                 "billing_months": billing_months if isinstance(billing_months, str) and
                 billing_months.strip().lower() not in BILLING_PERIODS else None}
        found = _resolve(func, columns, given, from_file=True)
        labels = {k: found[k] for k in ("segment", "plan") if k in found}
        for a in attributes:
            labels[a] = _column(func, columns, a)
        period = _period_sql(func, billing_months, found.get("billing_months"))
        attrs = "".join(f", CAST({_ident(c)} AS VARCHAR) AS {_ident('attr_' + k)}" for k, c in labels.items())
        typed = f"""SELECT
            NULLIF(trim(CAST({_ident(found['customer'])} AS VARCHAR)), '') AS id,
            {_month_sql(found['month'], types.get(found['month'], 'VARCHAR'))} AS m,
            {_amount_sql(found['mrr'], types.get(found['mrr'], 'VARCHAR'))} AS amount,
            {_raw_blank(found['mrr'])} AS amount_blank,
            {_raw_blank(found['month'])} AS month_blank,
            {period} AS period{attrs}"""
        # the rows as read, typed; a second view numbers them, read only to name bad rows
        con.execute(f"CREATE TEMP VIEW typed AS {typed} FROM {table}")
        con.execute(f"CREATE TEMP VIEW src AS SELECT *, row_number() OVER () - 1 AS _pos FROM {table}")
        con.execute(f"CREATE TEMP VIEW numbered AS {typed}, _pos FROM src")
        notes, months = _check(con, func, rows, found, billing_months)
        return _ledger(con, labels, notes, months)
    finally:
        con.close()


def _raw_blank(column: str) -> str:
    return f"(NULLIF(trim(CAST({_ident(column)} AS VARCHAR)), '') IS NULL)"


def _amount_sql(column: str, sql_type: str) -> str:
    c = _ident(column)
    if sql_type.upper() in ("DOUBLE", "FLOAT", "REAL", "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT",
                            "UBIGINT", "UINTEGER", "USMALLINT", "UTINYINT") or sql_type.upper().startswith("DECIMAL"):
        return f"CAST({c} AS DOUBLE)"
    # text: spaces and currency signs out, as the pandas path reads "1 234.50 €"; a point decimal
    # mark (a decimal-comma CSV is read by the pandas path, engine="pandas")
    return (f"TRY_CAST(regexp_replace(CAST({c} AS VARCHAR), '[\\s\u00a0\u202f\u2009€$£¥]', '', 'g') AS DOUBLE)")


def _month_sql(column: str, sql_type: str) -> str:
    """Months since January 1970, from a date, a timestamp, an Excel serial or ISO text."""
    c = _ident(column)
    t = sql_type.upper()
    months_of = "(year({d}) - 1970) * 12 + month({d}) - 1"
    if t.startswith("DATE") or t.startswith("TIMESTAMP"):
        return months_of.format(d=c)
    # Excel serials (1900 system: serial 60 is Excel's 29 February 1900, in February)
    serial = f"TRY_CAST(CAST({c} AS VARCHAR) AS DOUBLE)"
    from_serial = (f"CASE WHEN {serial} >= 60 AND {serial} < 61 THEN (1900 - 1970) * 12 + 1 "
                   f"ELSE " + months_of.format(
                       d=f"(DATE '1899-12-30' + CAST(floor({serial}) + CASE WHEN {serial} < 60 THEN 1 ELSE 0 END "
                         f"AS INTEGER))") + " END")
    text = f"trim(CAST({c} AS VARCHAR))"
    iso = f"TRY_CAST(CASE WHEN length({text}) = 7 THEN {text} || '-01' ELSE {text} END AS TIMESTAMP)"
    return (f"CASE WHEN {serial} IS NOT NULL AND {serial} >= 1 AND {serial} < 2958466 THEN {from_serial} "
            f"ELSE {months_of.format(d=iso)} END")


def _period_sql(func: str, billing_months, column: str | None) -> str:
    if column is not None:
        words = " ".join(f"WHEN '{_sql_text(w)}' THEN {v!r}" for w, v in BILLING_PERIODS.items())
        text = f"lower(trim(CAST({_ident(column)} AS VARCHAR)))"
        return f"CASE {text} {words} ELSE TRY_CAST({text} AS DOUBLE) END"
    if billing_months is None:
        return "1.0"
    if isinstance(billing_months, str):
        return repr(float(BILLING_PERIODS[billing_months.strip().lower()]))
    try:
        value = float(billing_months)
    except (TypeError, ValueError):
        raise InvalidOptionError(f"{func}: billing_months must be a column, a number or a period; got "
                                 f"{billing_months!r}", argument="billing_months", value=billing_months) from None
    if not value > 0:
        raise DomainError(f"{func}: 'billing_months' must be positive; got {value!r}", argument="billing_months",
                          value=value)
    return repr(value)


def _first_value(con, column: str, where: str):
    got = con.execute(f"SELECT CAST({_ident(column)} AS VARCHAR) FROM src WHERE {where} ORDER BY _pos LIMIT 1"
                      ).fetchone()
    return None if got is None else got[0]


def _check(con, func: str, rows: Rows, found: dict, billing_months) -> tuple[list[str], tuple[int, int]]:
    """Raise the pandas path's errors for bad rows; the notes of the rows skipped, and the first
    and last month of the export.

    One pass counts every kind of bad row (and finds the months); the rows are looked up only
    for a kind that occurs.
    """
    blank = "id IS NULL AND month_blank AND amount_blank"
    lo, hi = (FIRST_YEAR - 1970) * 12, (LAST_YEAR - 1970) * 12 + 11
    periods = "billing_months" in found or billing_months is not None
    kinds = {
        "no_id": "id IS NULL", "no_month": "month_blank", "no_mrr": "amount_blank",
        "text_mrr": "amount IS NULL", "bad_month": "m IS NULL", "out_of_range": f"(m < {lo} OR m > {hi})",
        "negative": "amount < 0", "infinite": "isinf(amount)",
        "bad_period": "(period IS NULL OR NOT period > 0 OR period > 120)" if periods else "false",
    }
    filters = ", ".join(f"count(*) FILTER (WHERE NOT ({blank}) AND {cond})" for cond in kinds.values())
    got = con.execute(f"SELECT count(*), count(*) FILTER (WHERE {blank}), min(m) FILTER (WHERE NOT ({blank})), "
                      f"max(m) FILTER (WHERE NOT ({blank})), {filters} FROM typed").fetchall()[0]
    total, blanks, months, counts = got[0], got[1], (got[2], got[3]), dict(zip(kinds, got[4:]))
    if total - blanks == 0:
        raise NoDataError(f"{func}: the ledger has no rows", argument="customer_ids", value=None)

    def where(kind: str) -> tuple[np.ndarray, str]:
        pos = con.execute(f"SELECT _pos FROM numbered WHERE NOT ({blank}) AND {kinds[kind]} ORDER BY _pos "
                          f"LIMIT {SHOWN}").fetchnumpy()["_pos"]
        pos = np.asarray(pos, dtype=np.int64)
        return pos, rows.name(pos, counts[kind])

    for kind, name in (("no_id", "customer_ids"), ("no_month", "months"), ("no_mrr", "mrr")):
        if counts[kind]:
            raise NoDataError(f"{func}: {name!r} is missing {where(kind)[1]}", argument=name, value=None)
    for kind, name, column, what in (("text_mrr", "mrr", found["mrr"], "numbers"),
                                     ("bad_month", "months", found["month"], "dates")):
        if counts[kind]:
            pos, text = where(kind)
            value = _first_value(con, column, f"_pos = {int(pos[0])}")
            raise NonNumericError(f"{func}: {name!r} must hold {what}; got {value!r} {text}", argument=name,
                                  value=value)
    if counts["out_of_range"]:
        raise DomainError(f"{func}: 'months' must be dates from {FIRST_YEAR} to {LAST_YEAR} "
                          f"{where('out_of_range')[1]}", argument="months", value=None)
    if counts["negative"]:
        pos, text = where("negative")
        value = con.execute(f"SELECT amount FROM numbered WHERE _pos = {int(pos[0])}").fetchone()[0]
        raise DomainError(f"{func}: 'mrr' must be non-negative (a credit is not MRR); got {value!r} {text}",
                          argument="mrr", value=value)
    if counts["infinite"]:
        raise DomainError(f"{func}: 'mrr' must be finite {where('infinite')[1]}", argument="mrr", value=None)
    if counts["bad_period"]:
        raise DomainError(f"{func}: 'billing_months' must be a period of 1 day to 120 months "
                          f"{where('bad_period')[1]}", argument="billing_months", value=None)
    notes = []
    if blanks:
        notes.append(f"{blanks} blank {'row' if blanks == 1 else 'rows'} skipped")
    return notes, months


def _ledger(con, labels: dict[str, str], notes: list[str], months: tuple[int, int]) -> Ledger:
    """The compact ledger: DuckDB numbers the customers and sorts the rows (out of core), numpy
    adds up the rows of each customer-month (adjacent once sorted) and keeps the paying ones.

    A sort and one pass, instead of a hash aggregate over as many groups as customer-months.
    """
    blank = "id IS NULL AND month_blank AND amount_blank"
    con.execute("CREATE TEMP TABLE ids AS SELECT id, CAST(row_number() OVER (ORDER BY id) - 1 AS INTEGER) AS code "
                f"FROM (SELECT DISTINCT id FROM typed WHERE NOT ({blank}))")
    joins, codes, label_values = [], [], {}
    for i, k in enumerate(labels):
        col = _ident("attr_" + k)
        con.execute(f"CREATE TEMP TABLE lab{i} AS SELECT v, CAST(row_number() OVER (ORDER BY v) - 1 AS INTEGER) "
                    f"AS code FROM (SELECT DISTINCT NULLIF(trim({col}), '') AS v FROM typed)")
        joins.append(f"LEFT JOIN lab{i} ON lab{i}.v IS NOT DISTINCT FROM NULLIF(trim(typed.{col}), '')")
        codes.append(f", lab{i}.code AS lab{i}")
        got = con.execute(f"SELECT code, v FROM lab{i} ORDER BY code").fetchall()
        label_values[k] = np.array([NO_LABEL if v is None else v for _, v in got] + [NO_LABEL], dtype=object)
    first, last = months
    query = con.sql(f"""SELECT ids.code AS code, CAST(m - {int(first)} AS INTEGER) AS month,
            amount / period AS mrr{''.join(codes)}
        FROM typed JOIN ids USING (id) {' '.join(joins)}
        WHERE NOT ({blank}) ORDER BY code, month""")
    # one arrow table, viewed by numpy without a copy (DuckDB 2 renamed fetch_arrow_table)
    rows = (getattr(query, "to_arrow_table", None) or query.arrow)()
    columns = {name: _numpy(rows.column(name)) for name in rows.column_names}
    del rows  # the arrow buffers stay alive through the numpy views only
    code, month, mrr = columns.pop("code"), columns.pop("month"), columns.pop("mrr")
    # rows of one customer-month are adjacent once sorted: add them up (rare: usually none)
    repeat = code[1:] == code[:-1]
    repeat &= month[1:] == month[:-1]
    summed = int(np.count_nonzero(repeat))
    ends = None
    if summed:
        starts = np.flatnonzero(np.concatenate(([True], ~repeat)))
        mrr = np.add.reduceat(mrr.astype(np.float64), starts)
        ends = np.append(starts[1:], code.size) - 1  # the last row of each customer-month
        code, month = code[starts], month[starts]
        notes.append(f"{summed} {'row' if summed == 1 else 'rows'} added to another row of the same customer "
                     "and month")
    del repeat
    paying = mrr > 0
    zero = int(paying.size - np.count_nonzero(paying))
    if zero:
        notes.append(f"{zero} customer-{'month' if zero == 1 else 'months'} with zero MRR not counted as paying")
    ids = np.asarray(con.execute("SELECT id FROM ids ORDER BY code").fetchnumpy()["id"], dtype=object)
    attributes = {}
    for i, k in enumerate(labels):
        lab = columns.pop(f"lab{i}")
        lab = lab if ends is None else lab[ends]
        values = np.full(len(ids), len(label_values[k]) - 1, dtype=np.int64)
        values[code[paying]] = lab[paying]  # sorted by customer, then month: the last paying month wins
        attributes[k] = label_values[k][values]
    if not paying.all():
        code, month, mrr = code[paying], month[paying], mrr[paying]
    del paying
    return Ledger(customer=code.astype(np.int64), month=month.astype(np.int64), mrr=np.asarray(mrr, np.float64),
                  ids=ids, first_month=int(first), n_months=int(last) - int(first) + 1, attributes=attributes,
                  notes=tuple(notes))


def _numpy(column) -> np.ndarray:
    """A numpy view of an arrow column (one copy when it has several chunks); nulls (a label
    blank in the export, read through a LEFT JOIN) become the "(none)" code, one past the last."""
    if column.null_count:
        import pyarrow.compute as pc

        column = pc.fill_null(column, -1)
    arr = column.to_numpy()
    return arr
