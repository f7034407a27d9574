"""The subscription ledger: a billing export checked, normalized to monthly MRR, one row per
customer and month.

Every computation of :mod:`xl_kpi.subscriptions` starts from a :class:`Ledger`. Building one is
where the choices about messy exports are made, once:

Several rows for one customer in one month
    are added up: they are invoice lines, seats or add-ons of the same account. Rows that repeat
    each other exactly (same customer, date, amount and columns) are added up too, but they are
    listed in :attr:`Ledger.notes`; ``duplicates="drop"`` keeps one of each, ``"raise"`` refuses.
Annual and other plans
    become monthly: MRR = amount / billing period in months (Baremetrics: a 120 annual plan is
    10 MRR). With ``layout="snapshot"`` (the default) each row is the customer's MRR for its
    month, so an annual customer has a row every month. With ``layout="invoices"`` each row is an
    invoice that pays for ``billing_months`` months from its date, and its MRR is spread over
    those months; months after the last month of the export are left out (deferred), and said so
    in the notes. A billing period is at most :data:`MAX_BILLING_MONTHS` (ten years), and only the
    months inside the export are made, so memory follows the export.
Mid-month changes
    are not prorated: the month of a row is the calendar month of its date, and a customer's MRR
    for a month is the sum of that month's rows. An upgrade on the 15th that the export shows as
    the new MRR of that month is an expansion in that month. Proration credits and charges are not
    recurring revenue and should not be in the export.
Customer ids and labels
    are compared without the spaces around a text, leading and trailing alike (a CSV reader
    drops the leading ones, a spreadsheet keeps the trailing ones): ``"A "`` is customer ``A``,
    said in the notes when it happens.
Zero MRR
    means not paying (a free plan, a pause): the customer is not counted that month, and going to
    zero is churn.
Currencies
    one currency is kept as is; several need ``rates`` (currency -> rate into the reporting
    currency). One fixed rate per currency is used for every month, so exchange-rate swings do not
    show as expansion or contraction.
Blank rows
    (no customer, no month, no MRR) are skipped and counted in the notes: a range selected past the
    end of the data in Excel has them. A row with only some of the three is an error.
Bad values
    raise a :class:`~xl_kpi.errors.KPIError` naming the argument and the rows: a missing id, month
    or MRR :class:`~xl_kpi.errors.NoDataError`; text in MRR or a date that cannot be read
    :class:`~xl_kpi.errors.NonNumericError`; a negative MRR, a billing period that is not positive
    or a date outside 1900-2199 :class:`~xl_kpi.errors.DomainError`; sequences of different
    lengths :class:`~xl_kpi.errors.ShapeMismatchError`; several currencies without rates
    :class:`~xl_kpi.errors.InvalidOptionError`.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import DomainError, InvalidOptionError, NoDataError, NonNumericError, ShapeMismatchError
from ..metrics._kernel import check_option
from ._factorized import Factorized, spread
from ._hints import option
from ._memory import without_huge_pages
from ._rows import POSITIONS, SHOWN, ReorderedRows, Rows, UniqueRows
from .months import month_timestamps, to_month_numbers

__all__ = ["Ledger", "build_ledger", "LAYOUTS", "DUPLICATES", "BILLING_PERIODS", "NO_LABEL",
           "MAX_BILLING_MONTHS"]

LAYOUTS = ("snapshot", "invoices")
DUPLICATES = ("sum", "drop", "raise")
#: Billing periods written as words, in months.
BILLING_PERIODS = {
    "week": 12 / 52, "weekly": 12 / 52,
    "month": 1.0, "monthly": 1.0,
    "quarter": 3.0, "quarterly": 3.0,
    "half-year": 6.0, "semiannual": 6.0, "semi-annual": 6.0,
    "year": 12.0, "yearly": 12.0, "annual": 12.0, "annually": 12.0,
    # as a French export writes them
    "semaine": 12 / 52, "hebdomadaire": 12 / 52,
    "mois": 1.0, "mensuel": 1.0, "mensuelle": 1.0,
    "trimestre": 3.0, "trimestriel": 3.0, "trimestrielle": 3.0,
    "semestre": 6.0, "semestriel": 6.0, "semestrielle": 6.0,
    "an": 12.0, "année": 12.0, "annee": 12.0, "annuel": 12.0, "annuelle": 12.0,
}
#: The longest billing period accepted, in months (ten years): beyond is a data error, and an
#: invoice spread over ``layout="invoices"`` months must stay bounded in memory.
MAX_BILLING_MONTHS = 120
#: Types converted to float without a look at each value.
_PLAIN_NUMBERS = frozenset({float, int, np.float64, np.float32, np.int64, np.int32})
#: The group label of a customer whose attribute (segment, plan) is blank.
NO_LABEL = "(none)"


@dataclass(frozen=True, eq=False)
class Ledger:
    """Monthly MRR per customer, checked and normalized: the input of every subscription KPI.

    Build one with :func:`build_ledger` (from sequences) or :func:`~xl_kpi.subscriptions.load_ledger`
    (from a file or a DataFrame). The arrays are sorted by customer, then month, one element per
    customer-month with MRR > 0.

    Attributes
    ----------
    customer : ndarray of int32 (int64 past 2**31 customers)
        Customer code of each element; ``ids[code]`` is the customer's id.
    month : ndarray of int32
        Month of each element, counted from the first month of the ledger (0 = first).
    mrr : ndarray of float64
        MRR of the customer in that month, > 0, in the ledger's currency.
    ids : ndarray of object
        The customer ids, by code.
    first_month : int
        The ledger's first month, in months since January 1970.
    n_months : int
        Months from the first to the last month of the export, gaps included.
    attributes : dict of str to ndarray
        Per-customer labels by code (``"segment"``, ``"plan"``, ...): the value on the customer's
        last paying row, so a customer sits in one group for its whole history and the groups add
        up to the total. Blank values are ``"(none)"``.
    currency : str or None
        The one currency of the amounts, when a currency column said so; None otherwise.
    notes : tuple of str
        What was done to the data (rows summed, blank rows skipped, zero MRR, conversions).
    """

    customer: np.ndarray
    month: np.ndarray
    mrr: np.ndarray
    ids: np.ndarray
    first_month: int
    n_months: int
    attributes: dict[str, np.ndarray] = field(default_factory=dict)
    currency: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def months(self) -> pd.DatetimeIndex:
        """First day of every month of the ledger, gaps included."""
        return month_timestamps(self.first_month, self.n_months)

    @property
    def n_customers(self) -> int:
        """Customers with MRR > 0 in at least one month."""
        return int(np.unique(self.customer).size)

    def to_frame(self) -> pd.DataFrame:
        """The normalized ledger: one row per customer and paying month (customer_id, month, mrr)."""
        return pd.DataFrame(
            {
                "customer_id": self.ids[self.customer],
                "month": self.months[self.month],
                "mrr": self.mrr,
            }
        )

    def subset(self, customers: np.ndarray) -> "Ledger":
        """The ledger of some customers only (a boolean mask over codes), same months."""
        keep = np.asarray(customers, dtype=bool)[self.customer]
        return replace(self, customer=self.customer[keep], month=self.month[keep], mrr=self.mrr[keep])

    def groups(self, by: str) -> dict[str, "Ledger"]:
        """One ledger per value of the attribute ``by``, in sorted order of the labels."""
        if by not in self.attributes:
            raise InvalidOptionError(
                f"Ledger.groups: no attribute {by!r}; the ledger has "
                f"{', '.join(map(repr, self.attributes)) or 'none'}",
                argument="by",
                value=by,
            )
        labels = self.attributes[by]
        paying = np.zeros(len(self.ids), dtype=bool)
        paying[self.customer] = True
        return {
            str(label): self.subset(labels == label)
            for label in sorted(set(labels[paying].tolist()), key=str)
        }


# -- conversion of the three sequences -----------------------------------------------------------


def _one_dimensional(func: str, name: str, x: Any):
    """A 1-D array (or ExtensionArray) of the elements of ``x``, read row by row (a
    :class:`Factorized` column as it is)."""
    if isinstance(x, Factorized):
        return x
    if isinstance(x, pd.DataFrame):
        if x.shape[1] != 1:
            raise ShapeMismatchError(
                f"{func}: {name!r} must be one column; got a DataFrame of {x.shape[1]} columns",
                argument=name,
                value=None,
            )
        x = x.iloc[:, 0]
    if isinstance(x, (pd.Series, pd.Index)):
        return x.to_numpy() if isinstance(x.dtype, np.dtype) else x.array
    if isinstance(x, (str, bytes)) or np.ndim(x) == 0:
        out = np.empty(1, dtype=object)
        out[0] = x
        return out
    if isinstance(x, np.ndarray):
        return x.reshape(-1)
    # Lists (Excel ranges come as nested lists): keep the elements as they are, so that numpy does
    # not turn True into 1 or 5 into "5" next to text.
    try:
        arr = np.asarray(x, dtype=object)
    except ValueError:
        raise ShapeMismatchError(
            f"{func}: {name!r} must be a flat sequence or a rectangular range", argument=name, value=None
        ) from None
    return arr.reshape(-1)


def _numbers(func: str, name: str, x, rows: Rows):
    """float64 values (NaN where missing) and the missing mask; text or bools raise."""
    if isinstance(x, pd.api.extensions.ExtensionArray):
        if x.dtype.kind in "iuf":
            values = x.to_numpy(dtype=np.float64, na_value=np.nan)
            return values, np.isnan(values)
        x = x.to_numpy(dtype=object, na_value=None)
    arr = np.asarray(x)
    if arr.dtype.kind in "iuf":
        values = arr.astype(np.float64, copy=False)
        return values, np.isnan(values)
    obj = np.asarray(arr, dtype=object)
    values = np.full(obj.shape, np.nan)
    bad = np.zeros(obj.shape, dtype=bool)
    plain = np.fromiter((t in _PLAIN_NUMBERS for t in map(type, obj)), dtype=bool, count=obj.size)
    values[plain] = obj[plain].astype(np.float64)
    for i in np.flatnonzero(~plain):
        v = obj[i]
        if v is None or (isinstance(v, float) and v != v) or v is pd.NA or v is pd.NaT:
            continue
        if isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_)):
            values[i] = float(v)
        elif isinstance(v, str) and not v.strip():
            continue
        else:
            bad[i] = True
    if bad.any():
        pos = np.flatnonzero(bad)
        raise NonNumericError(
            f"{func}: {name!r} must hold numbers; got {obj[pos[0]]!r} {rows.name(pos)}",
            argument=name,
            value=obj[pos[0]],
        )
    return values, np.isnan(values)


def _stripped_labels(x) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """:func:`_labels` with the spaces around text removed, and how many distinct texts had some.

    Ids and labels are compared without them, leading and trailing alike: a CSV reader strips
    the leading ones, a spreadsheet keeps the trailing ones, and ``"A "`` is customer ``A``.
    """
    codes, uniques, missing = _labels(x)
    stripped = np.array([u.strip() if isinstance(u, str) else u for u in uniques], dtype=object)
    changed = int(sum(1 for u, t in zip(uniques, stripped) if isinstance(u, str) and u != t))
    if not changed:
        return codes, uniques, missing, 0
    merged, new_uniques = pd.factorize(stripped, use_na_sentinel=True)
    codes = np.where(codes < 0, codes, merged[np.where(codes < 0, 0, codes)])
    return codes, np.asarray(new_uniques, dtype=object), missing, changed


def _labels(x) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(codes, uniques, missing) of a label column; blank text counts as missing."""
    if isinstance(x, Factorized):
        codes, uniques = x.codes, x.uniques
    else:
        codes, uniques = pd.factorize(x, use_na_sentinel=True)
    uniques = np.asarray(uniques, dtype=object)
    blank = np.array([isinstance(u, str) and not u.strip() for u in uniques], dtype=bool)
    missing = codes < 0
    if blank.any():
        missing = missing | blank[np.where(missing, 0, codes)]
    return codes, uniques, missing


def _billing_months(func: str, x, rows: Rows) -> np.ndarray:
    """Billing periods in months: numbers, or words such as "month" and "year"."""
    if isinstance(x, Factorized):
        return spread(_billing_months(func, x.uniques, UniqueRows(rows, x.codes)), x.codes, np.nan)
    if isinstance(x, pd.api.extensions.ExtensionArray):
        x = x.to_numpy(dtype=object, na_value=None)
    arr = np.asarray(x)
    if arr.dtype.kind not in "iuf":
        codes, uniques, _ = _labels(arr)
        parsed = np.empty(len(uniques))
        for i, u in enumerate(uniques):
            if isinstance(u, str) and u.strip().lower() in BILLING_PERIODS:
                parsed[i] = BILLING_PERIODS[u.strip().lower()]
            elif isinstance(u, numbers.Real) and not isinstance(u, (bool, np.bool_)):
                parsed[i] = float(u)
            else:
                pos = np.flatnonzero(codes == i)
                raise NonNumericError(
                    f"{func}: 'billing_months' must hold months (1, 12) or a period "
                    f"({', '.join(BILLING_PERIODS)}); got {u!r} {rows.name(pos)}",
                    argument="billing_months",
                    value=u,
                )
        arr = np.where(codes < 0, np.nan, parsed[np.where(codes < 0, 0, codes)] if len(uniques) else np.nan)
    return np.asarray(arr, dtype=np.float64)


# -- the builder ---------------------------------------------------------------------------------


@without_huge_pages()
def build_ledger(
    customer_ids,
    months,
    mrr,
    *,
    billing_months=None,
    currency=None,
    plan=None,
    segment=None,
    attributes: Mapping[str, Any] | None = None,
    layout: str = "snapshot",
    rates: Mapping[str, float] | None = None,
    duplicates: str = "sum",
    dayfirst: bool | None = None,
    dayfirst_default: bool | None = None,
    notes: Sequence[str] = (),
    func: str = "build_ledger",
    rows: Rows = POSITIONS,
) -> Ledger:
    """Check and normalize a billing export given as parallel sequences.

    Parameters
    ----------
    customer_ids : sequence
        Customer (account) id of each row: text or numbers.
    months : sequence
        Date of each row: dates, Excel serials or ISO text (see :mod:`~xl_kpi.subscriptions.months`).
    mrr : sequence of float
        Amount of each row: its MRR (``layout="snapshot"``) or the invoice amount
        (``layout="invoices"``), before division by ``billing_months``.
    billing_months : sequence, optional
        Billing period of each row in months (1 monthly, 12 annual) or as a word ("month",
        "year", "quarter", "week"). Omitted: every amount is monthly.
    currency : sequence of str, optional
        Currency of each row. Several currencies need ``rates``.
    plan, segment : sequence, optional
        Plan and segment of each row, kept per customer (its last paying row) for grouping.
    attributes : mapping of str to sequence, optional
        Other per-row labels to group by, kept the same way.
    layout : {"snapshot", "invoices"}, default "snapshot"
        Whether a row is the customer's MRR for its month, or an invoice paying for
        ``billing_months`` months from its date.
    rates : mapping of str to float, optional
        Exchange rate of each currency into the reporting currency (amount x rate).
    duplicates : {"sum", "drop", "raise"}, default "sum"
        What to do with rows that repeat another row exactly.
    dayfirst, dayfirst_default : bool, optional
        How to read ``"03/04/2024"`` text: given, or when the dates do not show it (see
        :mod:`~xl_kpi.subscriptions.months`); None refuses such ambiguous dates.
    notes : sequence of str
        Notes of the reading (from the loader), kept first in :attr:`Ledger.notes`.
    func : str
        Name of the calling function, for messages.
    rows : Rows
        How to name rows in messages.

    Returns
    -------
    Ledger

    Examples
    --------
    Two customers, one of them on a 120 annual plan (Baremetrics: 10 MRR):

    >>> led = build_ledger(["a", "a", "b"], ["2024-01", "2024-02", "2024-01"], [50, 60, 120],
    ...                    billing_months=[1, 1, 12])
    >>> led.to_frame()
      customer_id      month   mrr
    0           a 2024-01-01  50.0
    1           a 2024-02-01  60.0
    2           b 2024-01-01  10.0
    """
    layout = check_option(func, "layout", layout, LAYOUTS)
    duplicates = check_option(func, "duplicates", duplicates, DUPLICATES)
    named = {"customer_ids": customer_ids, "months": months, "mrr": mrr}
    optional = {"billing_months": billing_months, "currency": currency, "plan": plan, "segment": segment}
    for key, value in (attributes or {}).items():
        optional[key] = value
    columns = {n: _one_dimensional(func, n, x) for n, x in named.items()}
    extra = {n: _one_dimensional(func, n, x) for n, x in optional.items() if x is not None}
    sizes = {n: len(a) for n, a in {**columns, **extra}.items()}
    if len(set(sizes.values())) > 1:
        raise ShapeMismatchError(
            f"{func}: {', '.join(map(repr, sizes))} must have the same number of rows; got "
            f"{', '.join(f'{n}={s}' for n, s in sizes.items())}",
            argument=next(n for n, s in sizes.items() if s != sizes["customer_ids"]),
            value=None,
        )
    notes: list[str] = list(notes)

    id_codes, id_uniques, id_missing, respaced = _stripped_labels(columns["customer_ids"])
    if respaced:
        noun = "customer id has" if respaced == 1 else "customer ids have"
        notes.append(f"{respaced} {noun} spaces around the text, left out ('A ' is customer 'A')")
    month_no, month_missing, month_raw = to_month_numbers(
        func, "months", columns["months"], rows, dayfirst=dayfirst, dayfirst_default=dayfirst_default,
        notes=notes,
    )
    amount, amount_missing = _numbers(func, "mrr", columns["mrr"], rows)

    blank = id_missing & month_missing & amount_missing
    # a position per row (the row it is in the source, through ``rows``), 32 bits when it fits
    position = np.arange(len(id_codes), dtype=np.int32 if len(id_codes) < 2**31 else np.int64)
    if blank.any():
        keep = ~blank
        notes.append(f"{rows.count(int(blank.sum()))} with no customer, month or MRR skipped "
                     f"({rows.name(np.flatnonzero(blank))})")
        position = position[keep]
        id_codes, id_missing = id_codes[keep], id_missing[keep]
        month_no, month_missing, month_raw = month_no[keep], month_missing[keep], month_raw[keep]
        amount, amount_missing = amount[keep], amount_missing[keep]
        extra = {n: a[keep] for n, a in extra.items()}
    if position.size == 0:
        raise NoDataError(f"{func}: the ledger has no rows", argument="customer_ids", value=None)

    for name, missing in (("customer_ids", id_missing), ("months", month_missing), ("mrr", amount_missing)):
        if missing.any():
            raise NoDataError(
                f"{func}: {name!r} is missing {rows.name(position[missing])}",
                argument=name,
                value=None,
            )
    _check_amounts(func, "mrr", amount, position, rows)

    periods = None  # every amount monthly
    if "billing_months" in extra:
        periods = _billing_months(func, extra.pop("billing_months"), ReorderedRows(rows, position))
        missing = np.isnan(periods)
        if missing.any():
            raise NoDataError(
                f"{func}: 'billing_months' is missing {rows.name(position[missing])}",
                argument="billing_months",
                value=None,
            )
        bad = ~(periods > 0) | ~(periods <= MAX_BILLING_MONTHS)
        if layout == "invoices":
            bad |= periods != np.round(periods)
        if bad.any():
            most = f"at most {MAX_BILLING_MONTHS} (ten years)"
            need = f"a whole number of months from 1 to {MAX_BILLING_MONTHS} (ten years)" if layout == "invoices" \
                else f"positive and {most}"
            raise DomainError(
                f"{func}: 'billing_months' must be {need}; got {float(periods[bad][0])!r} "
                f"{rows.name(position[bad])}",
                argument="billing_months",
                value=float(periods[bad][0]),
            )

    ledger_currency = None
    if "currency" in extra:
        rate, ledger_currency, note = _rates(func, extra.pop("currency"), rates, position, rows)
        amount = amount * rate
        if note:
            notes.append(note)

    # Labels kept per customer, and their codes for the exact-duplicate test.
    label_codes = {}
    for name, values in extra.items():
        codes, uniques, missing, _ = _stripped_labels(values)
        label_codes[name] = (np.where(missing, -1, codes) if missing.any() else codes, uniques)

    first = int(month_no.min())
    n_months = int(month_no.max()) - first + 1
    offset = month_no
    offset -= first  # in place: the month numbers are not needed past this point
    del month_no
    n_ids = len(id_uniques)
    key = _keys(id_codes, offset, n_months)

    compared = [] if periods is None else [periods]  # what two rows must share to repeat each other
    dup_rows = _exact_duplicates(key, [id_codes, month_raw, amount, *compared, *(c for c, _ in label_codes.values())])
    if dup_rows.size:
        where = rows.name(position[dup_rows])
        if duplicates == "raise":
            raise DomainError(
                f"{func}: rows repeat each other exactly (same customer, date, amount and columns) "
                f"{where}; pass {option(func, 'duplicates', 'sum')} to add them up or "
                f"{option(func, 'duplicates', 'drop')} to keep one of each",
                argument="customer_ids",
                value=id_uniques[id_codes[dup_rows[0]]],
            )
        if duplicates == "drop":
            label_columns = (c for c, _ in label_codes.values())
            dropped = _repeats_to_drop(key, [id_codes, month_raw, amount, *compared, *label_columns])
            notes.append(f"{rows.count(dropped.size)} repeating an earlier row exactly dropped "
                         f"({rows.name(position[dropped])})")
            keep = np.ones(key.size, dtype=bool)
            keep[dropped] = False
            key, offset, amount = key[keep], offset[keep], amount[keep]
            periods, id_codes = None if periods is None else periods[keep], id_codes[keep]
            position = position[keep]
            label_codes = {n: (c[keep], u) for n, (c, u) in label_codes.items()}
        else:
            verb = "repeats" if dup_rows.size == 1 else "repeat"
            notes.append(
                f"{rows.count(dup_rows.size)} {verb} another row exactly and were added up, as "
                f"invoice lines are ({where}); pass {option(func, 'duplicates', 'drop')} if they "
                "are double exports"
            )

    del month_raw
    monthly = amount if periods is None else amount / periods
    row_ids, row_offset, row_amount = id_codes, offset, amount
    zero = amount == 0
    if zero.any():
        k = int(zero.sum())
        notes.append(f"{rows.count(k)} with MRR 0 {'counts' if k == 1 else 'count'} as not paying "
                     f"that month ({rows.name(position[zero])})")

    if layout == "invoices":
        id_codes, offset, monthly, deferred = _spread(id_codes, offset, monthly,
                                                      np.ones_like(amount) if periods is None else periods, n_months)
        key = _keys(id_codes, offset, n_months)
        if deferred:
            notes.append(
                f"{deferred} invoice-months fall after the last month of the export and are left out "
                "(deferred revenue)"
            )

    customer, month, value, several = _aggregate(key, monthly, n_months, n_ids)
    del key, monthly
    if several.size:
        noun = "customer-month has" if several.size == 1 else "customer-months have"
        shown = ", ".join(
            f"{id_uniques[k // n_months]!r} in {month_timestamps(first + int(k % n_months), 1)[0]:%Y-%m}"
            for k in several[:SHOWN]
        )
        more = f" and {several.size - SHOWN} more" if several.size > SHOWN else ""
        notes.append(f"{several.size} {noun} several rows, added up ({shown}{more}): the MRR of a "
                     "customer-month is the sum of its rows")

    attrs = _per_customer(label_codes, row_ids, row_offset, row_amount, n_ids)
    return Ledger(
        customer=customer,
        month=month,
        mrr=value,
        ids=id_uniques,
        first_month=first,
        n_months=n_months,
        attributes=attrs,
        currency=ledger_currency,
        notes=tuple(notes),
    )


def _keys(id_codes: np.ndarray, offset: np.ndarray, n_months: int) -> np.ndarray:
    """One int64 per row ordering the rows by customer, then month: ``code * n_months + offset``."""
    key = id_codes.astype(np.int64)
    key *= n_months
    key += offset
    return key


def _check_amounts(func, name, amount, position, rows):
    negative = amount < 0
    if negative.any():
        raise DomainError(
            f"{func}: {name!r} must be non-negative (a credit is not MRR); got {float(amount[negative][0])!r} "
            f"{rows.name(position[negative])}",
            argument=name,
            value=float(amount[negative][0]),
        )
    infinite = np.isinf(amount)
    if infinite.any():
        raise DomainError(
            f"{func}: {name!r} must be finite; got {float(amount[infinite][0])!r} {rows.name(position[infinite])}",
            argument=name,
            value=float(amount[infinite][0]),
        )


def _rates(func, currency, rates, position, rows):
    """The rate of each row, the ledger's currency (or None) and a note."""
    codes, uniques, missing = _labels(currency)
    if missing.any():
        raise NoDataError(
            f"{func}: 'currency' is missing {rows.name(position[missing])}", argument="currency", value=None
        )
    names = [str(u).strip().upper() for u in uniques]
    if rates is None:
        if len(set(names)) == 1:
            return 1.0, names[0], None
        found = "; ".join(
            f"{n} {rows.name(position[codes == i][:3])}" for i, n in enumerate(names[:4])
        )
        raise InvalidOptionError(
            f"{func}: the rows are in {len(set(names))} currencies ({found}) and no 'rates' "
            + ("convert them; pass --rate CUR=RATE for each (the rate into the reporting currency)"
               if func.startswith("xl-kpi ") else
               "convert them; pass rates={currency: rate into the reporting currency}"),
            argument="rates",
            value=None,
        )
    table = {str(k).strip().upper(): v for k, v in dict(rates).items()}
    per_unique = np.empty(len(names))
    for i, n in enumerate(names):
        r = table.get(n)
        if r is None:
            raise InvalidOptionError(
                f"{func}: 'rates' has no rate for {n}, used {rows.name(position[codes == i])}",
                argument="rates",
                value=n,
            )
        if isinstance(r, (bool, np.bool_)) or not isinstance(r, numbers.Real) or not (r > 0) or not np.isfinite(r):
            raise DomainError(
                f"{func}: the rate of {n} must be a positive number; got {r!r}", argument="rates", value=r
            )
        per_unique[i] = float(r)
    used = ", ".join(f"{n} x {per_unique[i]:g}" for i, n in enumerate(names))
    return per_unique[codes], None, f"amounts converted into the reporting currency at fixed rates ({used})"


def _sort_order(key: np.ndarray) -> np.ndarray | None:
    """The stable order sorting ``key``, or None when it is sorted already."""
    if key.size < 2 or bool(np.all(key[1:] >= key[:-1])):
        return None
    return np.argsort(key, kind="stable")


def _repeated_key_rows(key: np.ndarray) -> np.ndarray:
    """Positions of the rows whose key occurs more than once."""
    order = _sort_order(key)
    k = key if order is None else key[order]
    same = k[1:] == k[:-1]
    if not same.any():
        return np.zeros(0, dtype=np.int64)
    flag = np.zeros(k.size, dtype=bool)
    flag[1:] |= same
    flag[:-1] |= same
    idx = np.flatnonzero(flag)
    return idx if order is None else np.sort(order[idx])


def _candidates(key, columns) -> tuple[np.ndarray, pd.DataFrame]:
    rows = _repeated_key_rows(key)
    frame = pd.DataFrame({f"c{i}": np.asarray(c)[rows] for i, c in enumerate(columns)})
    return rows, frame


def _exact_duplicates(key, columns) -> np.ndarray:
    """Positions of every row that has an exact twin (same customer, raw date, amount, labels)."""
    rows, frame = _candidates(key, columns)
    if rows.size == 0:
        return rows
    return rows[frame.duplicated(keep=False).to_numpy()]


def _repeats_to_drop(key, columns) -> np.ndarray:
    rows, frame = _candidates(key, columns)
    if rows.size == 0:
        return rows
    return rows[frame.duplicated(keep="first").to_numpy()]


def _spread(customer, offset, monthly, periods, n_months):
    """Repeat each invoice over the months it pays for; cut those after the last month.

    Only the months inside the export are made (at most ``n_months`` per invoice), so memory
    follows the export, whatever the billing periods say.
    """
    whole = periods.astype(np.int64)
    span = np.minimum(whole, n_months - offset)
    deferred = int((whole - span).sum())
    total = int(span.sum())
    starts = np.repeat(np.cumsum(span) - span, span)
    step = np.arange(total) - starts
    c = np.repeat(customer, span)
    m = np.repeat(offset, span) + step
    v = np.repeat(monthly, span)
    return c, m, v, deferred


def _aggregate(key, monthly, n_months, n_ids):
    """Sum the rows of each customer-month; keep the paying ones; sorted by customer then month."""
    order = _sort_order(key)
    k = key if order is None else key[order]
    v = monthly if order is None else monthly[order]
    del order
    new = np.empty(k.size, dtype=bool)  # the first row of its customer-month
    new[:1] = True
    np.not_equal(k[1:], k[:-1], out=new[1:])
    several = np.zeros(0, dtype=np.int64)
    if new.all():
        summed = v
    else:
        starts = np.flatnonzero(new)
        summed = np.add.reduceat(v, starts)
        several = k[starts][np.diff(np.append(starts, v.size)) > 1]
        k = k[starts]
        del starts
    del new, v
    paying = summed > 0
    if not paying.all():
        k, summed = k[paying], summed[paying]
    del paying
    customer, month = _split_keys(k, n_months, n_ids)
    return customer, month, np.ascontiguousarray(summed, dtype=np.float64), several


#: Elements per step of the loops over a whole ledger: temporaries of a few MiB, not of its size.
_CHUNK = 1 << 20


def _split_keys(key: np.ndarray, n_months: int, n_ids: int) -> tuple[np.ndarray, np.ndarray]:
    """The customer and month of each key (``code * n_months + month``), in 32-bit integers (the
    customers in 64 past 2**31 of them): a third less memory than 64 bits for the ledger and
    every computation on it, split in steps so that no ledger-sized temporary is made."""
    customer = np.empty(key.size, dtype=np.int32 if n_ids < 2**31 else np.int64)
    month = np.empty(key.size, dtype=np.int32)
    for start in range(0, key.size, _CHUNK):
        c, m = np.divmod(key[start:start + _CHUNK], n_months)
        customer[start:start + _CHUNK] = c
        month[start:start + _CHUNK] = m
    return customer, month


def _per_customer(label_codes, id_codes, offset, amount, n_ids) -> dict[str, np.ndarray]:
    """Each customer's label on its last paying row (its last row when it never paid).

    The last by (paying, month, position): per customer, the largest of ``(paying * months +
    month) * rows + position``, made in steps; one maximum per run of a customer's rows when
    they are together (as the DuckDB path and sorted exports give them), else one unbuffered
    pass over the rows (no sort).
    """
    if not label_codes:
        return {}
    n = id_codes.size
    span = int(offset.max()) + 1 if n else 1
    rank = np.empty(n, dtype=np.int64)
    together = True
    for start in range(0, n, _CHUNK):
        stop = min(n, start + _CHUNK)
        r = (amount[start:stop] > 0).astype(np.int64)
        r *= span
        r += offset[start:stop]
        r *= n
        r += np.arange(start, stop, dtype=np.int64)
        rank[start:stop] = r
        ids = id_codes[max(start - 1, 0):stop]
        together = together and bool((ids[1:] >= ids[:-1]).all())
    best = np.full(n_ids, -1, dtype=np.int64)
    if together and n:
        starts = np.flatnonzero(np.diff(id_codes)) + 1
        starts = np.concatenate(([0], starts))
        best[id_codes[starts]] = np.maximum.reduceat(rank, starts)
    else:
        np.maximum.at(best, id_codes, rank)
    del rank
    has = best >= 0
    last = best[has] % max(n, 1)
    out = {}
    for name, (codes, uniques) in label_codes.items():
        labels = np.array([str(u) for u in uniques] + [NO_LABEL], dtype=object)
        per = np.full(n_ids, len(uniques), dtype=np.int64)
        chosen = codes[last]
        per[has] = np.where(chosen < 0, len(uniques), chosen)
        out[name] = labels[per]
    return out
