"""Sub-commands of the ``xl-kpi`` command line (see :mod:`xl_kpi.cli`)."""
