"""Naming an option in a message the way the caller passes it.

The loader is called from Python (``load_ledger(..., customer="id")``) and from the command line
(``xl-kpi report --customer id``); a message tells each caller what it can type.
"""

from __future__ import annotations

__all__ = ["option"]


def option(func: str, name: str, value: str = "...") -> str:
    """``"--decimal ,"`` for a command (``func`` starts with ``"xl-kpi "``), else
    ``"decimal=','"``. A placeholder value (``"..."``, ``"COLUMN"``, ``"N"``) is shown as is."""
    if func.startswith("xl-kpi "):
        return f"--{name.replace('_', '-')} {value}"
    placeholder = value == "..." or (value.isupper() and value.isalpha())
    return f"{name}={value if placeholder else repr(value)}"
