"""Test-session guards.

Some tests need LibreOffice (``soffice``) and poppler (``pdftoppm``) and skip on a developer
machine without them; in CI (``CI=true``) ``.ci/run`` installs both, so their absence is a
failure, never a silent skip.
"""

from __future__ import annotations

import os
import shutil

import pytest


def pytest_sessionstart(session):
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        missing = [tool for tool in ("soffice", "pdftoppm") if shutil.which(tool) is None]
        if missing:
            raise pytest.UsageError(
                f"CI: {', '.join(missing)} not installed; .ci/run installs LibreOffice Calc and "
                "poppler-utils so the spreadsheet-application checks run"
            )
