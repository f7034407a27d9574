"""Test-session guards.

Some tests need LibreOffice (``soffice``) and poppler (``pdftoppm``) and skip on a developer
machine without them; in CI (``CI=true``) ``.ci/run`` installs both, so their absence is a
failure, never a silent skip. Hypothesis runs without deadlines (derandomized in CI).
"""

from __future__ import annotations

import os
import shutil

import pytest
from hypothesis import settings

# No per-example deadline: machines are shared and noisy, and speed is measured in benchmarks/,
# never asserted in tests. In CI the examples are derandomized, so a run is reproducible.
settings.register_profile("xl-kpi", deadline=None)
settings.register_profile("xl-kpi-ci", deadline=None, derandomize=True, print_blob=True)
settings.load_profile("xl-kpi-ci" if os.environ.get("CI", "").lower() in {"1", "true", "yes"} else "xl-kpi")


#: Fixtures whose tests are slow: building the template workbooks, or recalculating a workbook of
#: the real-world corpus (formulas' test.xlsx takes seconds), which the everyday subset skips.
SLOW_FIXTURES = {"workbooks", "corpus_cells", "formulas_book"}


def pytest_collection_modifyitems(config, items):
    """A test that builds the template workbooks or recalculates a corpus workbook is slow."""
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def pytest_sessionstart(session):
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        missing = [tool for tool in ("soffice", "pdftoppm") if shutil.which(tool) is None]
        if missing:
            raise pytest.UsageError(
                f"CI: {', '.join(missing)} not installed; .ci/run installs LibreOffice Calc and "
                "poppler-utils so the spreadsheet-application checks run"
            )


class _Builds:
    """The template workbooks, each built once per test session (see the ``workbooks`` fixture)."""

    def __init__(self):
        self._bytes: dict = {}
        self._built: dict = {}

    def bytes(self, kind: str, lang: str, *, recalc: bool | None = None, arrays: bool | None = None) -> bytes:
        """``xl_kpi.templates.workbook_bytes(kind, lang, ...)``, built on first use."""
        from xl_kpi.templates import recalc_available, workbook_bytes

        if recalc is None:
            recalc = kind == "example" and recalc_available()
        key = (kind, lang, recalc, arrays)
        if key not in self._bytes:
            self._bytes[key] = workbook_bytes(kind, lang, recalc=recalc, arrays=arrays)
        return self._bytes[key]

    def built(self, lang: str, example=None, *, arrays: bool | None = None):
        """``build_workbook(lang, example, arrays=...)``: (workbook, layout), to read, never to change."""
        from xl_kpi.templates.builder import build_workbook
        from xl_kpi.templates.example_data import example as the_example

        assert example is None or example == the_example(), "only the shipped example is shared"
        key = (lang, example is not None, arrays)
        if key not in self._built:
            self._built[key] = build_workbook(lang, example, arrays=arrays)
        return self._built[key]


@pytest.fixture(scope="session")
def workbooks() -> _Builds:
    """The template workbooks built once for the whole session: the template tests read the same
    few workbooks dozens of times, and a build (with its recalculation) takes seconds."""
    return _Builds()
