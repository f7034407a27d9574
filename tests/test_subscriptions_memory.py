"""The huge-pages switch of the ledger-sized work restores numpy's setting, nested or not."""

from __future__ import annotations

import threading

import pytest

from xl_kpi.subscriptions import _memory
from xl_kpi.subscriptions._memory import without_huge_pages

switch = _memory._set_madvise_hugepage
pytestmark = pytest.mark.skipif(switch is None, reason="this numpy has no run-time huge-pages switch")


def _current() -> bool:
    before = switch(True)
    switch(before)
    return before


@pytest.mark.parametrize("setting", [True, False])
def test_the_setting_is_off_inside_and_the_callers_after_nested_uses(setting):
    before = switch(setting)
    try:
        with without_huge_pages():
            assert _current() is False
            with without_huge_pages():
                assert _current() is False
            assert _current() is False
        assert _current() is setting
    finally:
        switch(before)


def test_an_error_inside_restores_the_setting():
    before = switch(True)
    try:
        with pytest.raises(ZeroDivisionError), without_huge_pages():
            1 / 0
        assert _current() is True
    finally:
        switch(before)


def test_overlapping_threads_restore_the_setting_once_the_last_ends():
    before = switch(True)
    inside, release = threading.Barrier(3), threading.Event()

    def work():
        with without_huge_pages():
            inside.wait()
            release.wait()

    threads = [threading.Thread(target=work) for _ in range(2)]
    try:
        for t in threads:
            t.start()
        inside.wait()
        assert _current() is False
        release.set()
        for t in threads:
            t.join()
        assert _current() is True
    finally:
        release.set()
        switch(before)
