"""Work functions for the Dask tests, importable by the workers (they run in other processes)."""

from __future__ import annotations

import os
import signal


def die_once(job: tuple[str, int]) -> dict:
    """Kill this worker the first time (as the OOM killer would), answer the second time."""
    marker, value = job
    if not os.path.exists(marker):
        open(marker, "w").close()
        os.kill(os.getpid(), signal.SIGKILL)
    return {"value": value}


def die_if_asked(job: str) -> dict:
    """Kill this worker every time the job is ``"die"``."""
    if job == "die":
        os.kill(os.getpid(), signal.SIGKILL)
    return {"value": job}


def failed(job, reason: str) -> dict:
    return {"failed": reason}
