"""Running jobs in child processes that fail alone and die with their parent (``--jobs``).

Each job runs in a process of its own, at most ``parallel`` at a time. A worker that dies
without an answer (the kernel's OOM killer sends SIGKILL) fails only its own job, which is
run once more in a fresh process; a pool of long-lived workers would instead break every job
of the batch. Workers die with their parent: on Linux the kernel sends them SIGTERM when it
goes (``prctl(PR_SET_PDEATHSIG)``), elsewhere a watchdog thread checks the parent's id.

One process per job costs a ``fork`` on Linux (milliseconds, the imports shared); where only
``spawn`` exists each job re-imports the package (about a second).
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


def _child(work: Callable[[Any], dict], job: Any, conn, parent_pid: int) -> None:
    die_with_parent(parent_pid)
    try:
        result = {"ok": work(job)}
    except Exception as exc:  # a defect in work(): reported for this job, not a dead worker
        result = {"error": f"{type(exc).__name__}: {exc}"}
    conn.send(result)
    conn.close()


def _death(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        hint = " (out of memory?)" if -exitcode == signal.SIGKILL else ""
        return f"the worker was killed by {name}{hint}"
    return f"the worker exited with status {exitcode} without a result"


def run_each(jobs: Sequence[Any], work: Callable[[Any], dict], *, parallel: int,
             failed: Callable[[Any, str], dict], done: Callable[[int], None] | None = None,
             retries: int = 1) -> list[dict]:
    """``work(job)`` for every job in child processes; the results in the order of ``jobs``.

    A job whose worker dies is run again up to ``retries`` times; then (or when ``work``
    raised) its result is ``failed(job, reason)``. ``done(i)`` is called as each job ends.
    """
    import multiprocessing
    from multiprocessing.connection import wait

    ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    results: list[dict | None] = [None] * len(jobs)
    attempts = [0] * len(jobs)
    pending = deque(range(len(jobs)))
    running: dict = {}  # reading end -> (job index, process)
    me = os.getpid()

    def finish(i: int, result: dict) -> None:
        results[i] = result
        if done is not None:
            done(i)

    try:
        while pending or running:
            while pending and len(running) < max(1, parallel):
                i = pending.popleft()
                attempts[i] += 1
                reader, writer = ctx.Pipe(duplex=False)
                proc = ctx.Process(target=_child, args=(work, jobs[i], writer, me), daemon=True)
                proc.start()
                writer.close()  # ours: the reader sees EOF as soon as the worker is gone
                running[reader] = (i, proc)
            for reader in wait(list(running)):
                i, proc = running.pop(reader)
                try:
                    answer = reader.recv()
                except (EOFError, OSError):
                    answer = None
                reader.close()
                proc.join()
                if answer is None:
                    if attempts[i] <= retries:
                        pending.append(i)
                        continue
                    finish(i, failed(jobs[i], _death(proc.exitcode) + f", {attempts[i]} attempts"))
                elif "error" in answer:
                    finish(i, failed(jobs[i], f"internal error of xl-kpi ({answer['error']}); please report it"))
                else:
                    finish(i, answer["ok"])
    finally:
        for _, proc in running.values():
            proc.terminate()
        for _, proc in running.values():
            proc.join()
    return results  # type: ignore[return-value]
