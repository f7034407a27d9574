"""Ledger-sized arrays without transparent huge pages.

On Linux numpy asks the kernel for huge pages (``madvise(MADV_HUGEPAGE)``) for every array of
4 MiB or more. Where ``/sys/kernel/mm/transparent_hugepage/defrag`` is ``madvise`` (a common
default), the first touch of each 2 MiB page then waits for the kernel to reclaim and compact
memory when none is free in one piece, as on a machine whose memory is full of page cache or
used by other work. On the 2-core development machine, writing a fresh 800 MB array took 1.7 to
2.2 s with huge pages and 0.3 s without (0.15 s with them at an idle moment), and the DuckDB path
writes tens of GB of fresh arrays on 100 million rows: that was 30 to 45 s of a 70 to 90 s run.

numpy's own switch, ``NUMPY_MADVISE_HUGEPAGE=0``, is read once at import, so a library cannot
rely on it; the same setting at run time is ``_set_madvise_hugepage`` (numpy 1.20 and later;
under ``numpy._core`` since numpy 2). :func:`without_huge_pages` turns it off while the
ledger-sized work runs and restores it after, counting its users so that nested and concurrent
uses restore the caller's setting once, when the last one ends. Where numpy has no such switch,
it does nothing.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

try:
    from numpy._core.multiarray import _set_madvise_hugepage
except ImportError:  # numpy 1.x
    try:
        from numpy.core.multiarray import _set_madvise_hugepage
    except ImportError:
        _set_madvise_hugepage = None

__all__ = ["without_huge_pages"]

_lock = threading.Lock()
_users = 0
_before = True


@contextmanager
def without_huge_pages():
    """numpy's large arrays allocated without ``MADV_HUGEPAGE`` inside the block (also a decorator)."""
    global _users, _before
    if _set_madvise_hugepage is None:
        yield
        return
    with _lock:
        if _users == 0:
            _before = _set_madvise_hugepage(False)
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0:
                _set_madvise_hugepage(_before)
