"""Running jobs in worker processes that fail alone and die with their parent (``--jobs``).

Each worker is a process of its own fed one job at a time through its own pipe, so the parent
always knows which job a worker holds. A worker that dies without an answer (the kernel's OOM
killer sends SIGKILL) fails only that job, which is run once more on a fresh worker; the other
jobs go on (``concurrent.futures`` instead breaks the whole pool and every job still in it).
Workers are reused from job to job, so imports and caches are paid once per worker. They die
with their parent: on Linux the kernel sends them SIGTERM when it goes
(``prctl(PR_SET_PDEATHSIG)``), elsewhere a watchdog thread checks the parent's id.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["run_each", "die_with_parent"]

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int) -> None:
    """Make this process end (SIGTERM) when the process ``parent_pid`` ends."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0) == 0:
                if os.getppid() != parent_pid:  # the parent died before prctl took effect
                    os.kill(os.getpid(), signal.SIGTERM)
                return
        except (OSError, AttributeError):
            pass

    def watch() -> None:
        import time

        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="xl-kpi-parent-watch", daemon=True).start()


def _serve(work: Callable[[Any], dict], conn, parent_pid: int) -> None:
    """A worker: run each job received until told to stop (None) or the pipe closes.

    Ctrl-C reaches the whole process group: the parent handles it (and ends its workers with
    SIGTERM, which removes a temporary output), so a worker ignores SIGINT.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(parent_pid)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            result = {"ok": work(job)}
        except Exception as exc:  # a defect in work(): reported for this job, not a dead worker
            result = {"error": f"{type(exc).__name__}: {exc}"}
        conn.send(result)


def _death(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        hint = " (out of memory?)" if -exitcode == signal.SIGKILL else ""
        return f"the worker was killed by {name}{hint}"
    return f"the worker exited with status {exitcode} without a result"


class _Worker:
    def __init__(self, ctx, work, parent_pid: int):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(work, child, parent_pid), daemon=True)
        self.proc.start()
        child.close()  # ours: recv() sees EOF as soon as the worker is gone
        self.job: int | None = None


def run_each(jobs: Sequence[Any], work: Callable[[Any], dict], *, parallel: int,
             failed: Callable[[Any, str], dict], done: Callable[[int], None] | None = None,
             retries: int = 1) -> list[dict]:
    """``work(job)`` for every job in worker processes; the results in the order of ``jobs``.

    A job whose worker dies is run again on a fresh worker up to ``retries`` times; then (or
    when ``work`` raised) its result is ``failed(job, reason)``. ``done(i)`` is called as each
    job ends.
    """
    import multiprocessing
    from multiprocessing.connection import wait

    ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    results: list[dict | None] = [None] * len(jobs)
    attempts = [0] * len(jobs)
    pending = deque(range(len(jobs)))
    me = os.getpid()
    workers: list[_Worker] = []

    def finish(i: int, result: dict) -> None:
        results[i] = result
        if done is not None:
            done(i)

    def assign(w: _Worker) -> None:
        w.job = None
        if pending:
            i = pending.popleft()
            attempts[i] += 1
            w.job = i
            w.conn.send(jobs[i])

    try:
        for _ in range(max(1, min(parallel, len(jobs)))):
            workers.append(_Worker(ctx, work, me))
            assign(workers[-1])
        while any(w.job is not None for w in workers):
            busy = {w.conn: w for w in workers if w.job is not None}
            for conn in wait(list(busy)):
                w = busy[conn]
                i = w.job
                try:
                    answer = conn.recv()
                except (EOFError, OSError):
                    answer = None
                if answer is None:  # the worker died holding job i
                    w.proc.join()
                    conn.close()
                    reason = _death(w.proc.exitcode)
                    if attempts[i] <= retries:
                        pending.appendleft(i)
                    else:
                        finish(i, failed(jobs[i], f"{reason}, {attempts[i]} attempts"))
                    workers.remove(w)
                    if pending:
                        workers.append(_Worker(ctx, work, me))
                        assign(workers[-1])
                    continue
                if "error" in answer:
                    finish(i, failed(jobs[i], f"internal error of xl-kpi ({answer['error']}); please report it"))
                else:
                    finish(i, answer["ok"])
                assign(w)
    finally:
        for w in workers:
            if w.job is None:
                try:
                    w.conn.send(None)
                except OSError:
                    pass
            else:
                w.proc.terminate()
        for w in workers:
            w.proc.join(5)
            if w.proc.is_alive():
                w.proc.kill()
                w.proc.join()
            w.conn.close()
    return results  # type: ignore[return-value]
