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


def pytest_sessionstart(session):
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        missing = [tool for tool in ("soffice", "pdftoppm") if shutil.which(tool) is None]
        if missing:
            raise pytest.UsageError(
                f"CI: {', '.join(missing)} not installed; .ci/run installs LibreOffice Calc and "
                "poppler-utils so the spreadsheet-application checks run"
            )
