"""Loader of the reference-value table (``tests/reference/*.toml``).

One table drives every layer: the Python API, the UDFs called as xlwings calls them, and the
batch recalculation of a workbook that holds the inputs as cells. A case:

```toml
[[case]]
id = "nrr-flat-month"                 # unique, kebab-case
function = "KPI_NRR"                  # Excel name from xl_kpi.catalogue.INTERFACE
args = [100000, 8000, 3000, 5000]     # Excel argument order; a list argument is an array; a value
                                      # argument given as an array is element-wise (1-D = a row of
                                      # cells, 2-D = a block); options positionally
expected = 1.0                        # number, Excel error string, or array of them (same shape)
source = "hand: (100000 - 3000 - 5000 + 8000) / 100000"
# optional: rel_tol (default 1e-9), layers = ["python", "udf", "recalc"] (default all)
```
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xl_kpi.errors import EXCEL_ERRORS

REFERENCE_DIR = Path(__file__).parent / "reference"
LAYERS = ("python", "udf", "recalc")


@dataclass(frozen=True)
class Case:
    id: str
    function: str
    args: tuple
    expected: Any
    source: str
    rel_tol: float = 1e-9
    layers: tuple[str, ...] = LAYERS
    file: str = ""

    @property
    def expects_error(self) -> bool:
        return is_error(self.expected)

    @property
    def elementwise_errors(self) -> bool:
        return isinstance(self.expected, list) and any(is_error(v) for v in flatten(self.expected))


def is_error(v: Any) -> bool:
    return isinstance(v, str) and v in EXCEL_ERRORS


def flatten(v: Any) -> list:
    if isinstance(v, list):
        return [x for item in v for x in flatten(item)]
    return [v]


def load_cases(directory: Path = REFERENCE_DIR) -> list[Case]:
    cases, seen = [], set()
    for path in sorted(directory.glob("*.toml")):
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
        for raw in data.get("case", []):
            missing = {"id", "function", "args", "expected", "source"} - raw.keys()
            if missing:
                raise ValueError(f"{path.name}: case {raw.get('id')!r} lacks {sorted(missing)}")
            if raw["id"] in seen:
                raise ValueError(f"{path.name}: duplicate case id {raw['id']!r}")
            seen.add(raw["id"])
            unknown = set(raw.get("layers", ())) - set(LAYERS)
            if unknown:
                raise ValueError(f"{path.name}: case {raw['id']!r} has unknown layers {unknown}")
            cases.append(
                Case(
                    id=raw["id"],
                    function=raw["function"],
                    args=tuple(raw["args"]),
                    expected=raw["expected"],
                    source=raw["source"],
                    rel_tol=float(raw.get("rel_tol", 1e-9)),
                    layers=tuple(raw.get("layers", LAYERS)),
                    file=path.name,
                )
            )
    return cases


def values_match(got: Any, expected: Any, rel_tol: float) -> bool:
    """Element-wise comparison of numbers and Excel error strings."""
    if is_error(expected):
        return isinstance(got, str) and str(got) == expected
    if isinstance(expected, bool) or isinstance(got, (str, bool)) or got is None:
        return False
    try:
        g = float(got)
    except (TypeError, ValueError):
        return False
    return math.isclose(g, float(expected), rel_tol=rel_tol, abs_tol=1e-12)
