"""The metrics core: every KPI formula of xl-kpi, once, over numpy.

Value arguments broadcast element-wise (scalars, lists, arrays, Series; a Series comes back with
its index); list arguments aggregate. A call with scalars only returns a plain ``float``.
Every value metric takes a keyword-only ``errors`` mode:

- ``"raise"`` (default): the first failing element raises a subclass of
  :class:`~xl_kpi.errors.KPIError` that names the argument and echoes the value;
- ``"coerce"``: failing elements are NaN;
- ``"report"``: returns :class:`Checked` ``(values, kinds)`` with an
  :class:`~xl_kpi.errors.ErrorKind` code per element.
"""

from ._kernel import Checked
from .acquisition import *  # noqa: F401,F403
from .acquisition import __all__ as _acquisition
from .customer_retention import *  # noqa: F401,F403
from .customer_retention import __all__ as _retention
from .lifetime_value import *  # noqa: F401,F403
from .lifetime_value import __all__ as _lifetime
from .profitability import *  # noqa: F401,F403
from .profitability import __all__ as _profitability
from .revenue import *  # noqa: F401,F403
from .revenue import __all__ as _revenue
from .satisfaction import *  # noqa: F401,F403
from .satisfaction import __all__ as _satisfaction

__all__ = ["Checked", *_revenue, *_retention, *_lifetime, *_acquisition, *_satisfaction, *_profitability]
