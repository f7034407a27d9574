"""Billing exports larger than memory: read and factorized by DuckDB, out of core.

What costs memory in a billing export is the raw table: ids and dates as text, one Python object
per cell (the pandas path holds about 220 MiB per million rows of a Parquet file). What the checks and the KPIs
need is small: a code per distinct value. So DuckDB does the heavy part where the data lies
(Parquet files or folders, CSV), streaming and spilling to disk past its memory limit: it reads
only the columns used, finds the distinct values of each text column (customer ids, dates,
billing periods, currencies, labels) in order of first appearance, as :func:`pandas.factorize`
does, reads the amounts (in the file's decimal mark), and hands back one compact row per row of
the export (codes and amount, in file order), which numpy puts in order of customer and month
(one sort of 64-bit integers; an export grouped by customer is left as it is). From there the
very :func:`~xl_kpi.subscriptions.ledger.build_ledger` of the pandas path checks and builds the
ledger, running each check and conversion of a text column once per distinct value
(:class:`~xl_kpi.subscriptions._factorized.Factorized`): the same definitions, options, notes and
errors, naming the same rows (CSV lines, positions in a Parquet file).

Every option of :func:`~xl_kpi.subscriptions.load_ledger` is taken: the invoices layout, exchange
rates, ``duplicates``, decimal commas, the header search of CSV files (or ``header_row``), the
delimiter, day-first dates. What differs: DuckDB's CSV reader skips a line that is entirely
empty (a line of empty fields, ``,,``, is read and skipped with a note as the pandas path does),
so the lines after one are named one line early; a Windows-1252 CSV holding one of the 27
characters where it differs from Latin-1 (``€``, curly quotes) is refused with a reason (DuckDB
reads Latin-1, UTF-8 and UTF-16); an Excel workbook (at most 1,048,576 rows) is read by the
pandas path.

Memory: about 14 bytes a row while reading (codes in the smallest integer types that hold them,
the amount), 8 more while the rows are put in order, then the ledger's 16 bytes a paying
customer-month, and DuckDB's ``memory_limit`` on top: 101 million Parquet rows peak at 5.0 to
5.4 GiB on the 2-core development machine (``benchmarks/outofcore.py`` gives the time).

DuckDB is an optional dependency (``pip install "xl-kpi[bigdata]"``): a 20 MB wheel whose native
library takes about 0.1 s to import, which the everyday path and xlwings Lite should not pay.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import InvalidOptionError, KPIError
from ._factorized import Factorized, code_dtype
from ._memory import without_huge_pages
from ._rows import ReorderedRows, Rows, file_rows
from .ledger import Ledger, build_ledger
from .months import to_month_numbers

__all__ = ["load_ledger_duckdb", "SUFFIXES", "big_enough_for_duckdb", "DUCKDB_THRESHOLD", "DUCKDB_MEMORY"]

#: Files this path reads: Parquet (a file or a folder of them) and CSV (optionally compressed).
SUFFIXES = (".parquet", ".pq", ".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz", ".txt.gz")
#: DuckDB's working memory unless told otherwise: past it, its sorts and joins spill to disk. The
#: rows it hands back and the ledger come on top.
DUCKDB_MEMORY = "3GB"
#: ``engine="auto"`` reads a file (or folder) of at least this many bytes with DuckDB.
DUCKDB_THRESHOLD = 1 << 30
#: The fields read as distinct values and a code per row, in the order build_ledger checks them.
_FACTORIZED = ("customer", "month", "billing_months", "currency", "plan", "segment")
#: Python's whitespace (``str.strip``, ``\\s`` of the pandas path's regular expressions) for RE2,
#: whose ``\\s`` is ASCII only.
_SPACES = r"\t\n\x{0b}\f\r \x{1c}-\x{1f}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}"
#: The noise the pandas path removes from an amount written as text (see ``load._NOISE``).
_NOISE = f"[{_SPACES}€$£¥]"


def big_enough_for_duckdb(path) -> bool:
    """A file or folder large enough that the pandas path would strain memory."""
    p = Path(path)
    try:
        if p.is_dir():
            return sum(f.stat().st_size for f in p.rglob("*.parquet")) >= DUCKDB_THRESHOLD
        return p.stat().st_size >= DUCKDB_THRESHOLD
    except OSError:
        return False


def _duckdb():
    try:
        import duckdb
    except ImportError:
        raise ModuleNotFoundError('engine="duckdb" needs DuckDB: pip install "xl-kpi[bigdata]"') from None
    return duckdb


def _connect(memory_limit: str | None, threads: int | None, *, ordered: bool, spill: str):
    duckdb = _duckdb()
    # A CSV file's rows are numbered as they stream (row_number() OVER ()), which needs DuckDB to
    # keep their order; a Parquet file numbers its own rows, and order-free plans are faster.
    con = duckdb.connect(config={"preserve_insertion_order": ordered})
    con.execute("SET enable_progress_bar = false")
    con.execute(f"SET temp_directory = '{_sql_text(spill)}'")  # where sorts spill past memory_limit
    con.execute(f"SET memory_limit = '{_sql_text(memory_limit or DUCKDB_MEMORY)}'")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return con


def _sql_text(s: str) -> str:
    return str(s).replace("'", "''")


def _ident(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _source(con, path: Path, func: str, header_row, delimiter, required,
            cp1252: bool = False) -> tuple[Rows, tuple[str, ...], str | None]:
    """Create the view ``src``: the export's columns and ``_pos``, each row's 0-based position.

    Returns how to name its rows, the notes of the reading and the CSV delimiter. ``cp1252``
    reads a CSV file as Windows-1252 whatever its first bytes say (UTF-8 that fails further
    down, as the pandas path falls back).
    """
    from .read import _CP1252_NOTE, check_header_row, csv_layout

    if path.is_dir():
        files = sorted(path.rglob("*.parquet"))
        if not files:
            raise InvalidOptionError(f"{func}: no .parquet file in the folder {path}", argument="source",
                                     value=str(path))
        import pyarrow.parquet as pq

        # a row's position: the rows of the files before its own (sorted by name), plus its own number
        offsets = np.concatenate(([0], np.cumsum([pq.ParquetFile(f).metadata.num_rows for f in files])[:-1]))
        con.execute("CREATE TEMP TABLE _files AS SELECT * FROM (VALUES "
                    + ", ".join(f"('{_sql_text(str(f))}', {int(o)})" for f, o in zip(files, offsets))
                    + ") t(filename, first)")
        listed = ", ".join(f"'{_sql_text(str(f))}'" for f in files)
        con.execute(f"""CREATE TEMP VIEW src AS SELECT * EXCLUDE (filename, file_row_number, first),
            file_row_number + first AS _pos
            FROM read_parquet([{listed}], filename = true, file_row_number = true) JOIN _files USING (filename)""")
        return Rows(where=f" of the Parquet files in {path.name}"), (), None
    name = path.name.lower()
    if name.endswith((".parquet", ".pq")):
        con.execute(f"""CREATE TEMP VIEW src AS SELECT * EXCLUDE (file_row_number), file_row_number AS _pos
            FROM read_parquet('{_sql_text(str(path))}', file_row_number = true)""")
        return Rows(), (), None
    if name.endswith(SUFFIXES):
        check_header_row(func, header_row)
        layout = csv_layout(path, header_row=header_row, delimiter=delimiter, required=required)
        notes = layout.notes
        if cp1252 or layout.encoding == "cp1252":
            notes += (_CP1252_NOTE,)
        encoding = "cp1252" if cp1252 else layout.encoding
        # DuckDB reads Windows-1252 as Latin-1, which it is but for 27 characters (€, curly quotes...):
        # a file that has them is refused with a reason (see load_ledger_duckdb)
        encoding = {"utf-8": None, "utf-8-sig": None, "utf-16": "utf-16", "utf-16-le": "utf-16",
                    "cp1252": "latin-1"}.get(encoding, encoding)
        options = f", encoding = '{encoding}'" if encoding else ""
        # every value as text, as the pandas path reads it; spaces after a delimiter left out
        # (its skipinitialspace), an empty value missing
        table = (f"read_csv('{_sql_text(str(path))}', header = true, all_varchar = true, auto_detect = true, "
                 f"delim = '{_sql_text(layout.delimiter)}', quote = '\"', escape = '\"', skip = {layout.skip}"
                 f"{options})")
        columns = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {table}").fetchall()]
        cleaned = ", ".join(f"NULLIF(ltrim({_ident(c)}, ' '), '') AS {_ident(c)}" for c in columns)
        con.execute(f"CREATE TEMP VIEW src AS SELECT {cleaned}, row_number() OVER () - 1 AS _pos FROM {table}")
        return file_rows(path.name, header_lines=layout.skip + 1), notes, layout.delimiter
    raise InvalidOptionError(f"{func}: the DuckDB engine reads Parquet and CSV files, not {path.name} "
                             "(an Excel workbook is read with engine='pandas')", argument="source", value=str(path))


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."


@without_huge_pages()
def load_ledger_duckdb(
    source,
    *,
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
    memory_limit: str | None = None,
    threads: int | None = None,
    func: str = "load_ledger",
) -> Ledger:
    """A :class:`Ledger` from a Parquet file or folder or a CSV file, read by DuckDB.

    The arguments are :func:`~xl_kpi.subscriptions.load_ledger`'s; ``memory_limit`` (default
    :data:`DUCKDB_MEMORY`) and ``threads`` bound DuckDB. The ledger, its notes and its errors are
    the pandas path's on the same export (the customers numbered in the same order).
    """
    from .load import _required, checked_decimal, decimal_of, fields

    path = Path(os.fspath(source))
    if not path.exists():
        raise FileNotFoundError(f"{func}: no such file or folder: {path}")
    given = {"customer": customer, "month": month, "mrr": mrr, "billing_months": billing_months,
             "currency": currency, "plan": plan, "segment": segment}
    csv = not path.is_dir() and not path.name.lower().endswith((".parquet", ".pq"))
    duckdb = _duckdb()
    for cp1252 in (False, True):
        spill = tempfile.TemporaryDirectory(prefix="xl-kpi-duckdb-")
        con = _connect(memory_limit, threads, ordered=csv, spill=spill.name)
        try:
            rows, read_notes, delimiter_used = _source(con, path, func, header_row, delimiter, _required(given),
                                                           cp1252)
            described = [r for r in con.execute("DESCRIBE src").fetchall() if r[0] != "_pos"]
            columns = [r[0] for r in described]
            types = {r[0]: str(r[1]).upper() for r in described}
            cols, constant, extra = fields(func, columns, given, billing_months, attributes, from_file=True)
            text = {f: c for f, c in cols.items() if f in ("mrr", "billing_months") and not _numeric(types[c])}
            if decimal is not None:
                mark = checked_decimal(func, decimal)
            else:
                mark = decimal_of([_first_distinct(con, c) for c in text.values()], delimiter_used)
            factorized = {f: cols[f] for f in _FACTORIZED if f in cols}
            factorized.update({f"attr:{k}": c for k, c in extra.items()})
            uniques, n = _factorize(con, factorized, types)
            if "billing_months" in uniques and "billing_months" in text:
                from .load import period_values

                uniques["billing_months"] = period_values(pd.Series(uniques["billing_months"], dtype=object),
                                                          mark).to_numpy(dtype=object)
            dayfirst_default = True if (mark == "," or delimiter_used == ";") else None
            month_of = _month_of(func, uniques["month"], dayfirst, dayfirst_default)
            sizes = {f: len(u) for f, u in uniques.items()}
            got = _rows(con, factorized, sizes, n, cols["mrr"], types[cols["mrr"]], mark)
            break
        except duckdb.Error as exc:
            # UTF-8 by its first bytes that fails further down is Windows-1252, as the pandas path reads it
            if not (csv and not cp1252 and "unicode" in str(exc).lower()):
                from .read import ExportFileError

                if csv and "latin-1" in str(exc).lower():
                    raise ExportFileError(
                        f"cannot read {path.name!r}: it is Windows-1252 text with characters DuckDB does not "
                        "read (€, curly quotes...): save it as UTF-8 (iconv -f cp1252 -t utf-8) or read it "
                        "with engine='pandas' (--engine pandas)") from None
                raise ExportFileError(f"cannot read {path.name!r}: {_short(exc)}") from None
        finally:
            con.close()
            spill.cleanup()
    if "bad" in got:
        from .load import not_numbers

        raise not_numbers(func, "mrr", got["raw"], rows.name(np.flatnonzero(got["bad"])), mark)
    pos = _in_customer_month_order(got, month_of)
    reordered = rows if pos is None else ReorderedRows(rows, pos)
    column = {f: Factorized(got[f], uniques[f]) for f in factorized}
    n = got["amount"].size
    return build_ledger(
        column["customer"],
        column["month"],
        got["amount"],
        billing_months=np.full(n, constant) if constant is not None else column.get("billing_months"),
        currency=column.get("currency"),
        plan=column.get("plan"),
        segment=column.get("segment"),
        attributes={k: column[f"attr:{k}"] for k in extra},
        layout=layout,
        rates=rates,
        duplicates=duplicates,
        dayfirst=dayfirst,
        dayfirst_default=dayfirst_default,
        notes=read_notes,
        func=func,
        rows=reordered,
    )


_NUMBERS = ("DOUBLE", "FLOAT", "REAL", "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT",
            "UINTEGER", "USMALLINT", "UTINYINT", "UHUGEINT")


def _numeric(sql_type: str) -> bool:
    return sql_type in _NUMBERS or sql_type.startswith("DECIMAL")


def _first_distinct(con, column: str) -> np.ndarray:
    """The first distinct values of a text column, in order of first appearance, that decide its
    decimal mark (:func:`~xl_kpi.subscriptions.load.decimal_of`)."""
    from .load import DECIMAL_SAMPLE

    c = _ident(column)
    got = con.execute(f"SELECT v FROM (SELECT {c} AS v, min(_pos) AS first FROM src WHERE {c} IS NOT NULL "
                      f"GROUP BY {c}) ORDER BY first LIMIT {DECIMAL_SAMPLE}").fetchnumpy()["v"]
    return np.asarray(got, dtype=object)


def _factorize(con, fields: Mapping[str, str], types: Mapping[str, str]) -> tuple[dict, int]:
    """Create for each field ``i`` the table ``f{i}`` (value, code) of its column's distinct
    values numbered in order of first appearance (``pandas.factorize``), all in one scan of the
    file (one grouping set per column).

    Returns the values by code of each field and the number of rows.
    """
    distinct = list(dict.fromkeys(fields.values()))
    listed = ", ".join(_ident(c) for c in distinct)
    con.execute(f"""CREATE TEMP TABLE g AS SELECT GROUPING({listed}) AS gid, {listed}, min(_pos) AS first,
        count(*) AS n FROM src GROUP BY GROUPING SETS ({', '.join(f'({_ident(c)})' for c in distinct)})""")
    full = (1 << len(distinct)) - 1
    uniques, total = {}, 0
    for i, (f, column) in enumerate(fields.items()):
        c, gid = _ident(column), full & ~(1 << (len(distinct) - 1 - distinct.index(column)))
        con.execute(f"""CREATE TEMP TABLE f{i} AS SELECT {c} AS v,
            CAST(row_number() OVER (ORDER BY first) - 1 AS INTEGER) AS code FROM g WHERE gid = {gid} AND {c} IS NOT NULL""")
        total = int(con.execute(f"SELECT coalesce(sum(n), 0) FROM g WHERE gid = {gid}").fetchall()[0][0])
        uniques[f] = _values(_arrow(con, f"SELECT v FROM f{i} ORDER BY code").column(0), types[column])
    con.execute("DROP TABLE g")
    return uniques, total


def _values(values, sql_type: str) -> np.ndarray:
    """Distinct values as the pandas path holds them: numbers as float64, timestamps as datetime64,
    the rest (text, dates) as Python objects."""
    if _numeric(sql_type):
        return values.to_numpy(zero_copy_only=False).astype(np.float64)
    if sql_type.startswith("TIMESTAMP"):
        return values.to_pandas().to_numpy()
    return np.asarray(values.to_pylist(), dtype=object)


def _month_of(func: str, uniques: np.ndarray, dayfirst, dayfirst_default) -> np.ndarray:
    """The month of each distinct date, to sort the rows by (0 for all when a date does not read:
    build_ledger names it)."""
    try:
        months, _, _ = to_month_numbers(func, "months", uniques, dayfirst=dayfirst,
                                        dayfirst_default=dayfirst_default)
    except KPIError:
        months = np.zeros(len(uniques), dtype=np.int64)
    return np.asarray(months, dtype=np.int64)


#: Rows per step of the loops over the whole export: temporaries of a few MiB, not of its size.
_CHUNK = 1 << 20


def _in_customer_month_order(got: dict, month_of: np.ndarray) -> np.ndarray | None:
    """Put the rows of ``got`` (arrays in file order) in order of customer, month and position,
    in place; return the file position of each row, or None when they were in that order already.

    The order of ``ORDER BY customer NULLS FIRST, month NULLS FIRST, position``, without DuckDB's
    sort (parallel, but spilling to disk past its memory limit, and slow on a busy machine): the
    customer and month codes are small dense integers, so ``((customer + 1) * span + month rank)
    * 2**bits + position`` is one distinct 64-bit integer per row, sorted in place by numpy (its
    SIMD sort of plain integers: about 1.5 s for 100 million rows); the positions are read back
    from its low bits and the other columns gathered through them. An export in that order
    already (grouped by customer, months ascending) is seen so in one pass and left as it is.
    """
    customer, month = got["customer"], got["month"]
    n = customer.size
    low = int(month_of.min()) if month_of.size else 0
    rank = np.zeros(month_of.size + 1, dtype=np.int64)  # by month code + 1: a missing month (-1) first
    rank[1:] = month_of - low + 1
    span = int(rank.max()) + 1
    bits = max(1, (n - 1).bit_length())

    def keys(start: int, stop: int) -> np.ndarray:
        k = customer[start:stop].astype(np.int64)
        k += 1
        k *= span
        k += rank[month[start:stop].astype(np.int64) + 1]
        return k

    previous = -1
    for start in range(0, n, _CHUNK):
        k = keys(start, min(n, start + _CHUNK))
        if k[0] < previous or not (k[1:] >= k[:-1]).all():
            break
        previous = int(k[-1])
    else:
        return None  # in order already
    if ((int(customer.max()) + 2) * span).bit_length() + bits <= 63:
        packed = np.empty(n, dtype=np.int64)
        for start in range(0, n, _CHUNK):
            stop = min(n, start + _CHUNK)
            k = keys(start, stop)
            k <<= bits
            k += np.arange(start, stop, dtype=np.int64)
            packed[start:stop] = k
        packed.sort()  # distinct keys: any sort is stable
        mask = (1 << bits) - 1
        for start in range(0, n, _CHUNK):  # the customers from the keys, the positions in place
            stop = min(n, start + _CHUNK)
            k = packed[start:stop] >> bits
            k //= span
            k -= 1
            customer[start:stop] = k
            packed[start:stop] &= mask
        order = packed
    else:  # too many customers and rows for one word: a stable sort of the keys alone
        key = np.concatenate([keys(start, min(n, start + _CHUNK)) for start in range(0, n, _CHUNK)])
        order = np.argsort(key, kind="stable")
        del key
        got["customer"] = customer[order]
    for name, values in got.items():
        if name != "customer":
            got[name] = values[order]
    return order.astype(np.int32) if n < 2**31 else order


def _amount_sql(column: str, sql_type: str, mark: str) -> tuple[str, str | None]:
    """The SQL of a row's amount (NULL where missing) and of "text that is not a number" (None
    for a numeric column), as :func:`~xl_kpi.subscriptions.load._numeric_text` reads them."""
    from .load import _GROUPED, _PLAIN

    c = _ident(column)
    if _numeric(sql_type):
        return f"CAST({c} AS DOUBLE)", None
    if sql_type not in ("VARCHAR", "TEXT", "STRING"):
        return "CAST(NULL AS DOUBLE)", f"{c} IS NOT NULL"  # a boolean, a date...: not a number
    cleaned = f"regexp_replace({c}, '{_NOISE}', '', 'g')"
    grouped, plain = (_sql_text(p[mark].pattern.lstrip("^").rstrip("$")) for p in (_GROUPED, _PLAIN))

    def point(x: str) -> str:
        return x if mark == "." else f"replace({x}, ',', '.')"

    thousands = "," if mark == "." else "."
    amount = (f"CASE WHEN regexp_full_match({cleaned}, '{grouped}') "
              f"THEN TRY_CAST({point(f'replace({cleaned}, {chr(39) + thousands + chr(39)}, {chr(39) * 2})')} AS DOUBLE) "
              f"WHEN regexp_full_match({cleaned}, '{plain}') THEN TRY_CAST({point(cleaned)} AS DOUBLE) END")
    return amount, f"({c} IS NOT NULL AND {cleaned} <> '' AND ({amount}) IS NULL)"


def _rows(con, fields: Mapping[str, str], sizes: Mapping[str, int], n: int, mrr: str, mrr_type: str,
          mark: str) -> dict:
    """Every row of the export as codes (-1 where missing) and amount, in file order: the one
    pass over the whole file, streamed (in DuckDB's parallel order, each batch put at its rows'
    positions) into arrays of the smallest types that hold them (a code of a few distinct
    values takes one byte).

    Keys: one per field, ``amount``, and ``bad`` (the rows whose amount is text that is not a
    number) with ``raw`` (the first one's text) when there are some.
    """
    amount, bad = _amount_sql(mrr, mrr_type, mark)
    names = list(fields)
    joins = " ".join(f"LEFT JOIN f{i} ON f{i}.v = src.{_ident(c)}" for i, c in enumerate(fields.values()))
    codes = ", ".join(f"CAST(coalesce(f{i}.code, -1) AS {_SQL_INTS[code_dtype(sizes[f])]}) AS c{i}"
                      for i, f in enumerate(names))
    position = f"CAST(src._pos AS {'INTEGER' if n < 2**31 else 'BIGINT'})"
    query = f"""SELECT {position} AS _pos, {codes}, {amount} AS amount{f', {bad} AS bad' if bad else ''}
        FROM src {joins}"""
    out = {f: np.empty(n, dtype=code_dtype(sizes[f])) for f in names}
    out["amount"] = np.empty(n, dtype=np.float64)
    if bad:
        out["bad"] = np.zeros(n, dtype=bool)
    columns = [*(f"c{i}" for i in range(len(names))), "amount", *(["bad"] if bad else [])]
    keys = [*names, "amount", *(["bad"] if bad else [])]
    relation = con.sql(query)  # streamed in batches (DuckDB 2 renamed fetch_arrow_reader to_arrow_reader)
    reader = (getattr(relation, "to_arrow_reader", None) or relation.fetch_arrow_reader)(1 << 20)
    at = 0
    for batch in reader:
        values = [batch.column(column).to_numpy(zero_copy_only=False) for column in columns]
        for start, stop, to in _runs(batch.column("_pos").to_numpy(zero_copy_only=False)):
            for key, v in zip(keys, values):
                out[key][to] = v[start:stop]
        at += batch.num_rows
    if at != n:
        raise RuntimeError(f"DuckDB gave {at} rows of {n}")  # a file changed while it was read
    if bad and out["bad"].any():
        first = int(np.flatnonzero(out["bad"])[0])
        out["raw"] = con.execute(f"SELECT {_ident(mrr)} FROM src WHERE _pos = {first}").fetchall()[0][0]
    elif bad:
        del out["bad"]
    return out


_SQL_INTS = {np.dtype(np.int8): "TINYINT", np.dtype(np.int16): "SMALLINT", np.dtype(np.int32): "INTEGER",
             np.dtype(np.int64): "BIGINT"}


def _runs(pos: np.ndarray):
    """Where the rows of one batch go: ``(start, stop, destination)`` per run of consecutive
    positions (a batch of DuckDB's parallel scan is a few long runs, each copied as one slice),
    or the positions themselves when the runs are short."""
    cuts = np.flatnonzero(np.diff(pos) != 1) + 1
    if cuts.size > pos.size // 256:
        yield 0, pos.size, pos
        return
    bounds = np.concatenate(([0], cuts, [pos.size]))
    for start, stop in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
        yield start, stop, slice(int(pos[start]), int(pos[start]) + stop - start)


def _arrow(con, query: str):
    """The result of a query as one arrow table (DuckDB 2 renamed ``arrow`` to_arrow_table)."""
    relation = con.sql(query)
    return (getattr(relation, "to_arrow_table", None) or relation.arrow)()


def _numpy(table, name: str, dtype) -> np.ndarray:
    """A numpy array of an arrow column (NULL as NaN for floats; one copy when it has several chunks)."""
    column = table.column(name)
    column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    return column.to_numpy(zero_copy_only=False).astype(dtype, copy=False)
