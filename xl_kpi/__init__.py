"""xl-kpi: the SaaS B2B KPIs of finance teams as Excel functions, a Python API and a CLI."""

from .errors import (
    DomainError,
    ErrorKind,
    InvalidOptionError,
    KPIError,
    NoDataError,
    NonNumericError,
    ShapeMismatchError,
    ZeroDenominatorError,
)
from .metrics import *  # noqa: F401,F403
from .metrics import __all__ as _metrics

__version__ = "0.1.0"
__all__ = [
    "KPIError",
    "ZeroDenominatorError",
    "DomainError",
    "NonNumericError",
    "ShapeMismatchError",
    "InvalidOptionError",
    "NoDataError",
    "ErrorKind",
    *_metrics,
]
