"""``xl-kpi recalc --scheduler``: the batch on a Dask distributed cluster."""

from __future__ import annotations

import json
import sys
import zipfile

import pytest
from test_recalc_support import make_book

from xl_kpi.cli import main

distributed = pytest.importorskip("distributed", reason='needs pip install "xl-kpi[cluster]"')

pytestmark = pytest.mark.slow  # a local cluster takes seconds to start


def _books(folder, n=3):
    folder.mkdir()
    for i in range(n):
        make_book(folder / f"b{i}.xlsx", {"S": {"A1": 21 + i, "A2": "=A1*2", "A3": f'=IF(A2>{44 + i},"big","small")'}})
    return folder


def _sheet_xml(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/")}


def test_a_local_cluster_writes_the_same_workbooks_and_report_lines_as_jobs(tmp_path, capsys):
    books = _books(tmp_path / "in")
    assert main(["recalc", str(books), "-o", str(tmp_path / "jobs"), "--jobs", "2", "--json"]) == 0
    by_jobs = json.loads(capsys.readouterr().out)
    assert main(["recalc", str(books), "-o", str(tmp_path / "dask"), "--scheduler", "local", "--jobs", "2",
                 "--json"]) == 0
    by_dask = json.loads(capsys.readouterr().out)
    for a, b in zip(by_jobs["workbooks"], by_dask["workbooks"]):
        assert a["path"] == b["path"] and a["ok"] and b["ok"]
        assert a["output"].replace("jobs", "dask") == b["output"]
        assert (a["formulas"], a["errors"]) == (b["formulas"], b["errors"])
    for i in range(3):
        assert _sheet_xml(tmp_path / "jobs" / f"b{i}.xlsx") == _sheet_xml(tmp_path / "dask" / f"b{i}.xlsx")


def test_a_bad_file_on_the_cluster_is_reported_and_exits_2(tmp_path, capsys):
    books = _books(tmp_path / "in", 1)
    (books / "broken.xlsx").write_text("not a workbook")
    assert main(["recalc", str(books), "-o", str(tmp_path / "out"), "--scheduler", "local", "--jobs", "1"]) == 2
    err = capsys.readouterr().err
    assert f"{books / 'broken.xlsx'}: cannot process:" in err


def test_an_unreachable_scheduler_is_a_one_line_reason_and_exit_2(tmp_path, capsys, monkeypatch):
    from xl_kpi.commands import cluster

    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 1)
    books = _books(tmp_path / "in", 1)
    assert main(["recalc", str(books), "-o", str(tmp_path / "out"), "--scheduler", "tcp://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in err[0]
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_without_dask_the_option_names_the_extra(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    books = _books(tmp_path / "in", 1)
    assert main(["recalc", str(books), "-o", str(tmp_path / "out"), "--scheduler", "local"]) == 2
    assert 'pip install "xl-kpi[cluster]"' in capsys.readouterr().err


def test_a_killed_worker_s_job_is_run_again_elsewhere(tmp_path):
    import cluster_jobs

    from xl_kpi.commands.cluster import run_on_dask

    jobs = [(str(tmp_path / f"marker{i}"), i) for i in range(2)]
    results = run_on_dask(jobs, cluster_jobs.die_once, address="local", workers=2, failed=cluster_jobs.failed)
    assert results == [{"value": 0}, {"value": 1}]


def test_a_job_whose_workers_keep_dying_fails_alone(tmp_path):
    import cluster_jobs
    import dask

    from xl_kpi.commands.cluster import run_on_dask

    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        results = run_on_dask(["die", "live"], cluster_jobs.die_if_asked, address="local", workers=2,
                              failed=cluster_jobs.failed)
    assert "died" in results[0]["failed"] and "on every attempt" in results[0]["failed"]
    assert results[1] == {"value": "live"}
