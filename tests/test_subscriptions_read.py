"""Reading billing exports as spreadsheets and billing systems write them: French Excel CSV
(``;``, decimal commas, no-break-space thousands, ``31/01/2025``, Windows-1252), UTF-16 "Unicode
text", a header under a title, billing periods given once, and files that are not what their
name says."""

from __future__ import annotations

import codecs
import gzip
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from xl_kpi.errors import InvalidOptionError, NonNumericError
from xl_kpi.subscriptions import load_ledger, mrr_movements
from xl_kpi.subscriptions.load import decimal_mark
from xl_kpi.subscriptions.read import ExportFileError, normalize_name

REPO = Path(__file__).resolve().parents[1]
NBSP, NNBSP = "\u00a0", "\u202f"

#: A French export worked out by hand: C-001 pays 1,234.50 in January and 1,034.50 in February
#: (a 200 contraction); C-002 pays 2,400.00 a year (200 MRR); C-003 joins in February at 99.90.
FRENCH_ROWS = [
    ("Identifiant client", "Date de facture", "Montant", "Périodicité", "Segment"),
    ("C-001", "31/01/2025", f"1{NBSP}234,50 €", "mensuel", "PME"),
    ("C-002", "15/01/2025", f"2{NBSP}400,00", "annuel", "ETI"),
    ("C-001", "28/02/2025", "1 034,50", "mensuel", "PME"),
    ("C-002", "15/02/2025", f"2{NBSP}400,00", "annuel", "ETI"),
    ("C-003", "03/02/2025", "99,90", "mensuel", "PME"),
]
FRENCH_EXPECTED = {
    "new": [1434.5, 99.9],
    "contraction": [0.0, 200.0],
    "end_mrr": [1434.5, 1334.4],
}


def _write(path: Path, rows, *, sep=";", encoding="cp1252", bom=b"") -> Path:
    text = "\r\n".join(sep.join(f'"{v}"' if sep in v else v for v in row) for row in rows) + "\r\n"
    path.write_bytes(bom + text.encode(encoding))
    return path


def _check_french(ledger):
    t = mrr_movements(ledger)
    assert t["month"].dt.strftime("%Y-%m").tolist() == ["2025-01", "2025-02"]
    for column, values in FRENCH_EXPECTED.items():
        assert t[column].tolist() == pytest.approx(values, abs=1e-9), column


def test_a_french_excel_csv_reads_with_its_delimiter_decimal_commas_and_day_first_dates(tmp_path):
    ledger = load_ledger(_write(tmp_path / "export.csv", FRENCH_ROWS))
    _check_french(ledger)
    notes = " | ".join(ledger.notes)
    assert "delimiter ';'" in notes and "Windows-1252" in notes


def test_narrow_no_break_spaces_and_a_utf8_bom_read_the_same(tmp_path):
    rows = [tuple(v.replace(NBSP, NNBSP) for v in row) for row in FRENCH_ROWS]
    _check_french(load_ledger(_write(tmp_path / "export.csv", rows, encoding="utf-8", bom=codecs.BOM_UTF8)))


def test_excel_unicode_text_utf16_with_tabs_reads_the_same(tmp_path):
    path = _write(tmp_path / "export.txt", FRENCH_ROWS, sep="\t", encoding="utf-16-le", bom=codecs.BOM_UTF16_LE)
    ledger = load_ledger(path)
    _check_french(ledger)
    assert any("UTF-16" in n for n in ledger.notes)


def test_a_gzipped_french_csv_reads_the_same(tmp_path):
    plain = _write(tmp_path / "export.csv", FRENCH_ROWS)
    packed = tmp_path / "export.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    _check_french(load_ledger(packed))


def test_options_override_what_is_found(tmp_path):
    # A comma-delimited file whose amounts use a decimal comma (quoted), dates month first.
    path = tmp_path / "us.csv"
    path.write_text('customer_id,month,mrr\na,01/03/2025,"10,5"\nb,01/04/2025,"1,5"\n')
    t = mrr_movements(load_ledger(path, decimal=",", dayfirst=False))
    assert t["month"].dt.strftime("%Y-%m").tolist() == ["2025-01"]
    assert t["end_mrr"].tolist() == [12.0]
    t = mrr_movements(load_ledger(path, decimal=",", dayfirst=True))
    assert t["month"].dt.strftime("%Y-%m").tolist() == ["2025-03", "2025-04"]
    semi = tmp_path / "pipe.csv"
    semi.write_text("customer_id|month|mrr\na|2025-01|3\n")
    assert load_ledger(semi, delimiter="|").mrr.tolist() == [3.0]


@pytest.mark.parametrize("values, default, mark", [
    (["12,50", "7"], ".", ","),
    (["12.50", "7"], ",", "."),
    (["1.234,5"], ".", ","),
    (["1,234.5"], ",", "."),
    (["1,234", "12"], ".", "."),  # thousands or three decimals: the default decides
    (["1,234", "12"], ",", ","),
    (["100", "7"], ",", ","),
])
def test_the_decimal_mark_is_the_one_the_numbers_are_written_in(values, default, mark):
    assert decimal_mark(values, default) == mark


def test_us_thousands_separators_read_in_a_comma_file(tmp_path):
    path = tmp_path / "us.csv"
    path.write_text('customer_id,month,mrr\na,2025-01,"1,234.50"\nb,2025-01,99.5\n')
    assert load_ledger(path).mrr.tolist() == [1234.5, 99.5]


def test_a_number_the_decimal_mark_cannot_read_names_the_option(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text('customer_id;month;mrr\na;2025-01;12,5\nb;2025-01;1.2.3\n')
    with pytest.raises(NonNumericError, match=r"'mrr' must hold numbers \(decimal mark ','\); got '1.2.3' at line 3"):
        load_ledger(path)


def test_a_latin1_csv_reads_with_a_note(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("customer_id,month,mrr\nSociété Générale,2025-01,10\n".encode("latin-1"))
    ledger = load_ledger(path)
    assert ledger.ids.tolist() == ["Société Générale"]
    assert any("not UTF-8" in n for n in ledger.notes)


def test_a_late_non_utf8_byte_falls_back_too(tmp_path):
    path = tmp_path / "late.csv"
    rows = "".join(f"c{i},2025-01,1\n" for i in range(20_000))
    path.write_bytes(("customer_id,month,mrr\n" + rows + "Crème,2025-01,1\n").encode("cp1252"))
    ledger = load_ledger(path)
    assert "Crème" in ledger.ids.tolist() and any("Windows-1252" in n for n in ledger.notes)


def test_the_header_is_found_under_a_title(tmp_path):
    path = tmp_path / "titled.csv"
    path.write_text("Billing export;;\nGenerated 2025-03-01;;\ncustomer_id;month;mrr\na;2025-01;10\na;2025-02;12\n")
    ledger = load_ledger(path)
    assert ledger.mrr.tolist() == [10.0, 12.0]
    assert any("header is on line 3" in n for n in ledger.notes)
    bad = tmp_path / "bad.csv"
    bad.write_text("title,,\ncustomer_id,month,mrr\na,2025-01,x\n")
    with pytest.raises(NonNumericError, match="at line 3 of bad.csv"):  # lines of the file, title included
        load_ledger(bad)


def test_header_row_says_where_the_header_is(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("id,when,amount\nx,y,z\nid,when,amount\na,2025-01,10\n")
    ledger = load_ledger(path, header_row=3, customer="id", month="when", mrr="amount")
    assert ledger.mrr.tolist() == [10.0]


def test_our_own_subscriptions_sheet_reads_as_an_export():
    book = REPO / "workbooks" / "xl-kpi-example-en.xlsx"
    ledger = load_ledger(book, sheet="Subscriptions", attributes=[])
    assert any("header is on row 6 of sheet 'Subscriptions'" in n for n in ledger.notes)
    spilled = pd.read_excel(book, sheet_name="Subscriptions", header=5, usecols="G:P").dropna(subset=["Ending MRR"])
    t = mrr_movements(ledger)
    assert t["end_mrr"].tolist() == pytest.approx(spilled["Ending MRR"].astype(float).tolist())
    assert t["contraction"].tolist() == pytest.approx(spilled["Contraction"].astype(float).tolist())


def test_the_french_workbook_sheet_reads_with_french_column_names():
    book = REPO / "workbooks" / "xl-kpi-exemple-fr.xlsx"
    names = openpyxl.load_workbook(book, read_only=True).sheetnames
    sheet = next(n for n in names if n.lower().startswith("abonnement"))
    ledger = load_ledger(book, sheet=sheet, segment="Segment (facultatif)")
    assert ledger.n_customers > 50 and "segment" in ledger.attributes


@pytest.mark.parametrize("given, per_month", [(12, 10.0), ("12", 10.0), ("year", 10.0), ("quarter", 40.0)])
def test_billing_months_may_be_one_period_for_every_row(tmp_path, given, per_month):
    path = tmp_path / "annual.csv"
    path.write_text("customer_id,month,mrr\na,2025-01,120\n")
    assert load_ledger(path, billing_months=given).mrr.tolist() == [per_month]


def test_billing_months_neither_a_column_nor_a_period_is_refused(tmp_path):
    path = tmp_path / "annual.csv"
    path.write_text("customer_id,month,mrr\na,2025-01,120\n")
    with pytest.raises(InvalidOptionError, match="no column 'fortnightly'"):
        load_ledger(path, billing_months="fortnightly")


def test_column_names_compare_without_case_accents_or_parentheses():
    assert normalize_name("Plan (optional)") == "plan"
    assert normalize_name("Périodicité") == "periodicite"
    assert normalize_name(" Customer ID ") == "customer_id"


def test_ids_with_spaces_around_them_are_one_customer_with_a_note(tmp_path):
    path = tmp_path / "spaces.csv"
    path.write_text('customer_id,month,mrr\nA,2025-01,10\n"A ",2025-02,10\n" A",2025-03,10\n')
    ledger = load_ledger(path)
    assert ledger.ids.tolist() == ["A"]
    assert mrr_movements(ledger)["churned"].tolist() == [0.0, 0.0, 0.0]
    assert any("spaces around" in n for n in ledger.notes)


# -- files that are not what their name says ---------------------------------------------------------


@pytest.mark.parametrize("name, content, reason", [
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "legacy Excel 97-2003 .xls"),
    # an encrypted workbook whose directory sector (sector 9000, from the header) is past 4 MiB
    ("far.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 22 + b"\x09\x00" + b"\x00" * 16
     + (9000).to_bytes(4, "little") + b"\x00" * (512 * 9001 - 52) + "EncryptionInfo".encode("utf-16-le"),
     "password-protected"),
    ("locked.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100 + "EncryptionInfo".encode("utf-16-le"),
     "password-protected"),
    ("text.xlsx", b"customer_id,month,mrr\n", "looks like text"),
    ("zip.csv", b"PK\x03\x04" + b"\x00" * 40, "zip file"),
    ("broken.xlsx", b"PK\x03\x04" + b"\x00" * 40, "damaged workbook"),
    ("cut.csv.gz", gzip.compress(b"customer_id,month,mrr\n" + b"a,2025-01,1\n" * 5000)[:-12], "truncated or damaged"),
    ("junk.csv.gz", b"\x1f\x8b\x08\x00" + b"\xff" * 50, "truncated or damaged"),
    ("empty.csv", b"", "empty"),
])
def test_a_file_that_is_not_an_export_says_what_it_is(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ExportFileError, match=reason):
        load_ledger(path)


def test_entities_in_a_workbook_are_refused(tmp_path):
    import zipfile

    plain, hostile = tmp_path / "plain.xlsx", tmp_path / "laughs.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["customer_id", "month", "mrr"])
    wb.active.append(["a", "2024-01", 5])
    wb.save(plain)
    laughs = '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {b} "{("&" + a + ";") * 10}">' for a, b in zip("abcdefg", "bcdefgh")) + "]>"
    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(hostile, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                text = text.split("?>", 1)[1] if text.startswith("<?xml") else text
                data = (laughs + text.replace("<v>5</v>", "<v>&h;</v>")).encode()
            zout.writestr(info, data)
    with pytest.raises(ExportFileError, match="entities"):
        load_ledger(hostile)


def test_an_unknown_sheet_names_the_sheet():
    with pytest.raises(InvalidOptionError, match="Nope"):
        load_ledger(REPO / "workbooks" / "xl-kpi-example-en.xlsx", sheet="Nope")


def test_huge_billing_periods_are_refused_before_any_allocation():
    with pytest.raises(Exception, match="from 1 to 120"):
        load_ledger(pd.DataFrame({"customer_id": ["a"], "month": ["2024-01"], "mrr": [1.0],
                                  "billing_months": [1e9]}), layout="invoices")


def test_an_invoice_is_spread_only_over_the_months_of_the_export():
    # 120 months paid in the last month of the export: one month inside, 119 deferred.
    ledger = load_ledger(pd.DataFrame({"customer_id": ["a", "b"], "month": ["2024-01", "2024-03"],
                                       "mrr": [10.0, 1200.0], "billing_months": [1, 120]}),
                         layout="invoices")
    assert ledger.mrr.tolist() == [10.0, 10.0]
    assert any("119 invoice-months" in n for n in ledger.notes)
    assert np.all(ledger.month < ledger.n_months)


def test_an_export_beyond_the_size_limits_is_refused_with_the_limit(tmp_path, monkeypatch):
    import xl_kpi.subscriptions.read as read

    text = "customer_id,month,mrr\n" + "a,2024-01,1\n" * 50_000
    packed = tmp_path / "bomb.csv.gz"
    packed.write_bytes(gzip.compress(text.encode()))
    book = tmp_path / "big.xlsx"
    wb = openpyxl.Workbook()
    for i in range(2000):
        wb.active.append(["a", "2024-01", i])
    wb.save(book)
    monkeypatch.setattr(read, "MAX_TEXT_BYTES", 100_000)
    monkeypatch.setattr(read, "MAX_XLSX_BYTES", 20_000)
    with pytest.raises(ExportFileError, match=r"more than 97.7 KiB of text, the limit"):
        load_ledger(packed)
    with pytest.raises(ExportFileError, match=r"decompress to [\d.]+ KiB, more than the 19.5 KiB an export may take"):
        load_ledger(book)


def test_line_numbers_count_blank_lines(tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text("customer_id,month,mrr\na,2025-01,1\n\nb,2025-01,x\n")
    with pytest.raises(NonNumericError, match="got 'x' at line 4 of gaps.csv"):
        load_ledger(path)


def test_a_header_row_below_one_is_refused(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("customer_id,month,mrr\na,2025-01,1\n")
    with pytest.raises(InvalidOptionError, match="header row must be a whole number >= 1; got 0"):
        load_ledger(path, header_row=0)


def test_a_row_longer_than_the_header_is_refused_not_realigned(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("customer_id,month,mrr\na,2024-01,1,4,5\n")
    with pytest.raises(ExportFileError, match="more fields than the header"):
        load_ledger(path)
    trailing = tmp_path / "trailing.csv"
    trailing.write_text("customer_id,month,mrr,\na,2024-01,1,\n")
    assert load_ledger(trailing).mrr.tolist() == [1.0]
