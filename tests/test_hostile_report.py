"""Hostile billing exports given to ``xl-kpi report``: bounded memory and time, one-line reasons.

Every case runs a subprocess, hence ``slow`` (CI runs them all).

Each case that could run away is run as a child process under a memory cap (RLIMIT_AS) and a
timeout, as in ``test_hostile_recalc.py``: a regression fails the test instead of taking the
machine down. The cases that cannot run away (markup, encodings, injection, odd files) are in
``test_subscriptions_report.py`` and ``test_subscriptions_read.py``.
"""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

MEMORY_CAP = 512 << 20  # pandas, openpyxl and rich loaded take under 300 MB
TIMEOUT = 60
#: pyarrow's default allocator (behind pandas' text columns) reserves about 1 GiB of address
#: space it never touches; the system allocator makes RLIMIT_AS measure what is used.
CHILD_ENV = {**os.environ, "ARROW_DEFAULT_MEMORY_POOL": "system"}
CHILD = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
from xl_kpi.cli import main
sys.exit(main(sys.argv[1:]))
"""


def report(*argv) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", CHILD.format(cap=MEMORY_CAP), "report", *map(str, argv)],
                          capture_output=True, text=True, timeout=TIMEOUT, env=CHILD_ENV)


def refused(done: subprocess.CompletedProcess, reason: str) -> bool:
    return (done.returncode == 2 and done.stderr.count("\n") == 1
            and done.stderr.startswith("xl-kpi report: ") and reason in done.stderr)


@pytest.mark.slow
def test_a_billion_month_billing_period_is_refused_not_allocated(tmp_path):
    path = tmp_path / "invoices.csv"
    path.write_text("customer_id,month,mrr\na,2024-01,1200\nb,2024-02,10\n")
    done = report(path, "--layout", "invoices", "--billing-months", "1e9", "--format", "csv")
    assert refused(done, "'billing_months' must be a whole number of months from 1 to 120 (ten years)")


@pytest.mark.slow
def test_long_invoices_are_spread_only_inside_the_export(tmp_path):
    # 200,000 ten-year invoices in a one-month export: 24 M invoice-months if all were made.
    path = tmp_path / "invoices.csv"
    path.write_text("customer_id,month,mrr\n" + "".join(f"c{i},2024-01,1200\n" for i in range(200_000)))
    done = report(path, "--layout", "invoices", "--billing-months", "120", "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert "23800000 invoice-months fall after the last month of the export" in done.stderr
    assert done.stdout.splitlines()[1].startswith("2024-01,0.00,2000000.00,")


def _book(path: Path) -> bytes:
    wb = openpyxl.Workbook()
    wb.active.append(["customer_id", "month", "mrr"])
    wb.active.append(["a", "2024-01", 5])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.mark.slow
def test_billion_laughs_in_a_workbook_are_refused(tmp_path):
    laughs = '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {b} "{("&" + a + ";") * 10}">' for a, b in zip("abcdefgh", "bcdefghi")) + "]>"
    source = zipfile.ZipFile(io.BytesIO(_book(tmp_path)))
    path = tmp_path / "laughs.xlsx"
    with zipfile.ZipFile(path, "w") as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                text = text.split("?>", 1)[1] if text.startswith("<?xml") else text
                data = (laughs + text.replace("<v>5</v>", "<v>&i;</v>")).encode()
            out.writestr(info, data)
    assert refused(report(path), "declares entities")


@pytest.mark.slow
def test_a_workbook_declaring_gigabytes_of_parts_is_refused_before_reading(tmp_path):
    # The central directory says the sheet decompresses to 3 GiB: refused from the declaration
    # (zipfile never reads past a member's declared size, so the declaration bounds the work).
    data = bytearray(_book(tmp_path))
    end = data.rfind(b"PK\x05\x06")
    count, size, offset = struct.unpack("<HII", data[end + 10:end + 20])
    pos = offset
    for _ in range(count):
        assert data[pos:pos + 4] == b"PK\x01\x02"
        name_len, extra_len, comment_len = struct.unpack("<HHH", data[pos + 28:pos + 34])
        name = bytes(data[pos + 46:pos + 46 + name_len])
        if name == b"xl/worksheets/sheet1.xml":
            data[pos + 24:pos + 28] = struct.pack("<I", 3 << 30)
        pos += 46 + name_len + extra_len + comment_len
    path = tmp_path / "declared.xlsx"
    path.write_bytes(bytes(data))
    assert refused(report(path), "its parts decompress to 3 GiB, more than the 512 MiB an export may take")


@pytest.mark.slow
def test_a_truncated_gzip_is_a_one_line_reason(tmp_path):
    import gzip

    path = tmp_path / "export.csv.gz"
    path.write_bytes(gzip.compress(b"customer_id,month,mrr\n" + b"a,2024-01,1\n" * 100_000)[:-100])
    assert refused(report(path), "the gzip file is truncated or damaged")


@pytest.mark.slow
@pytest.mark.parametrize("label", ["[/]", "[link=http://evil.example]x[/link]"])
def test_markup_in_a_segment_is_printed_not_interpreted(tmp_path, label):
    path = tmp_path / "export.csv"
    path.write_text(f'customer_id,month,mrr,segment\na,2024-01,5,"{label}"\n')
    done = report(path, "--by", "segment")
    assert done.returncode == 0 and label in done.stdout and "\x1b]8;" not in done.stdout, done.stderr
