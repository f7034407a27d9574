"""Running the jobs of a batch on a Dask distributed cluster (``xl-kpi recalc --scheduler``).

One task per job, submitted to a ``dask.distributed`` scheduler (``tcp://host:8786``) or to a
``LocalCluster`` started on this machine (``local``). Dask does the scheduling, the transfer of
the (small) job descriptions and reports, and the recovery from lost workers: a task whose
worker dies is run again elsewhere, at most ``allowed-failures`` times (Dask's setting, default
3), and then counts as failed. A job that raised is retried ``retries`` times (Dask's own
``retries``). Either way its result is ``failed(job, reason)`` and the batch goes on.

The workbooks are read and written by the workers, so every worker must see the paths the
command was given: a shared folder (NFS, SMB, a cloud file system mounted at the same path).
Paths are made absolute before they are sent. Each output is written by the worker with the
same atomic write as ``--jobs``: a worker killed mid-write leaves the previous file or none.

Dask is an optional dependency (``pip install "xl-kpi[cluster]"``); ``--jobs`` needs none.
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["ClusterUnavailable", "run_on_dask", "CONNECT_TIMEOUT"]

#: Seconds to wait for a scheduler to answer before giving up with a one-line reason.
CONNECT_TIMEOUT = 10


class ClusterUnavailable(Exception):
    """Dask is missing or the scheduler cannot be reached; the message is a one-line reason."""


def _client(address: str, workers: int):
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise ClusterUnavailable('--scheduler needs Dask distributed: pip install "xl-kpi[cluster]"') from None
    if address == "local":
        try:
            # a random port for the scheduler's HTTP server (8787 may be another cluster's); its
            # logs only from errors up, so the terminal shows the report lines, as with --jobs
            cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                                   dashboard_address=":0", silence_logs=logging.ERROR)
        except Exception as exc:  # the local cluster could not start (ports, resources)
            raise ClusterUnavailable(f"cannot start a local Dask cluster ({type(exc).__name__}: {exc})") from None
        return Client(cluster), cluster
    try:
        return Client(address, timeout=CONNECT_TIMEOUT), None
    except (OSError, TimeoutError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ClusterUnavailable(f"cannot reach the Dask scheduler at {address} ({reason})") from None


def run_on_dask(jobs: Sequence[Any], work: Callable[[Any], dict], *, address: str, workers: int,
                failed: Callable[[Any, str], dict], done: Callable[[int], None] | None = None,
                retries: int = 1) -> list[dict]:
    """``work(job)`` for every job on the cluster at ``address``; the results in job order.

    ``workers`` is the size of a ``local`` cluster (ignored for a remote scheduler). A job that
    raised or whose workers kept dying gets ``failed(job, reason)``. ``done(i)`` is called as
    each job ends. Raises :class:`ClusterUnavailable` before any job runs if there is no cluster.
    """
    client, cluster = _client(address, workers)
    from dask.distributed import as_completed

    batch = uuid.uuid4().hex[:8]
    results: list[dict | None] = [None] * len(jobs)
    try:
        futures = {client.submit(work, job, key=f"xl-kpi-{batch}-{i}", pure=False, retries=retries): i
                   for i, job in enumerate(jobs)}
        for fut in as_completed(futures):
            i = futures[fut]
            try:
                results[i] = fut.result()
            except (Exception, asyncio.CancelledError) as exc:  # KilledWorker, work() raised on every
                results[i] = failed(jobs[i], _reason(exc))  # attempt, or the scheduler cancelled it
            if done is not None:
                done(i)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return results  # type: ignore[return-value]


def _reason(exc: BaseException) -> str:
    name = type(exc).__name__
    if name == "KilledWorker":
        return "the Dask workers running it died (out of memory?) on every attempt"
    if isinstance(exc, asyncio.CancelledError):
        return "cancelled by the Dask scheduler (was it stopped or restarted?)"
    return f"failed on the cluster ({name}: {str(exc).splitlines()[0] if str(exc) else ''})"


def absolute(plan: Sequence[tuple]) -> list[tuple]:
    """The jobs with their input and output paths made absolute, as workers elsewhere need."""
    return [(os.path.abspath(src), os.path.abspath(dst), *rest) for src, dst, *rest in plan]
