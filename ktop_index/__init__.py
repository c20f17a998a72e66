"""ktop_index: an open, reproducible Tech-Index (기업혁신역량지수) for SME selection and tracking.

One subpackage per stage of the pipeline, data flowing one way (docs/architecture.md)::

    data -> index -> growth -> selection -> tracking -> report      (cli on top)

The public API is here, loaded on first use (so ``ktop --help`` starts without pandas):

Example
-------
>>> import ktop_index as kt
>>> kt.is_valid_brn("124-81-00998")
True
>>> firms = kt.read_firms("data/jeju_2025_applicants.xlsx")          # doctest: +SKIP
>>> scores = kt.score_firms(firms)                                   # doctest: +SKIP
>>> result = kt.select(firms, "jeju_2025")                           # doctest: +SKIP
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

#: public name -> the module that owns it
_API = {
    # errors
    "KtopError": "ktop_index.errors", "InputError": "ktop_index.errors",
    "DataError": "ktop_index.errors", "CallError": "ktop_index.errors",
    "SpecError": "ktop_index.errors", "StoreError": "ktop_index.errors",
    "UsageError": "ktop_index.errors",
    # data
    "is_valid_brn": "ktop_index.data.brn", "normalise_brn": "ktop_index.data.brn",
    "read_table": "ktop_index.data.io", "write_table": "ktop_index.data.io",
    "validate": "ktop_index.data.validate", "read_firms": "ktop_index.data.validate",
    "write_template": "ktop_index.data.template",
    # index
    "TechIndex": "ktop_index.index.techindex", "score_firms": "ktop_index.index.techindex",
    "score_file": "ktop_index.index.files", "score_dask": "ktop_index.index.distributed",
    # growth
    "GrowthModel": "ktop_index.growth.model", "OutcomeRules": "ktop_index.growth.outcomes",
    "label_outcomes": "ktop_index.growth.outcomes",
    # selection
    "load_call": "ktop_index.selection.calls", "select": "ktop_index.selection.decide",
    "select_file": "ktop_index.selection.decide",
    # tracking
    "Store": "ktop_index.tracking.store", "import_path": "ktop_index.tracking.ingest",
    "firm_trajectory": "ktop_index.tracking.history",
    "industry_series": "ktop_index.tracking.history",
    "support_effect": "ktop_index.tracking.effect", "monitor": "ktop_index.tracking.monitor",
    # report
    "write_selection": "ktop_index.report.outputs",
    "report_selection": "ktop_index.report.html", "report_firm": "ktop_index.report.html",
}

__all__ = [  # noqa: RUF022 - grouped by stage, as _API
    "__version__",
    "KtopError", "InputError", "DataError", "CallError", "SpecError", "StoreError", "UsageError",
    "is_valid_brn", "normalise_brn", "read_table", "write_table", "validate", "read_firms",
    "write_template",
    "TechIndex", "score_firms", "score_file", "score_dask",
    "GrowthModel", "OutcomeRules", "label_outcomes",
    "load_call", "select", "select_file",
    "Store", "import_path", "firm_trajectory", "industry_series", "support_effect", "monitor",
    "write_selection", "report_selection", "report_firm",
]


def __getattr__(name: str):
    if name not in _API:
        raise AttributeError(f"module 'ktop_index' has no attribute '{name}'")
    value = getattr(importlib.import_module(_API[name]), name)
    globals()[name] = value  # once loaded, an ordinary attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
