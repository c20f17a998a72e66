"""Stage 2, the index: indicators from a firm's fields, the Tech-Index estimator (fit the
reference population once, score forever) and the COINr-compatible composite engine.

Modules: ``indicators`` · ``spec`` (the spec's schema, domains, grades, model files) ·
``techindex`` (``TechIndex``, ``score_firms``) · ``files`` (``score_file``: a file of any
length, streamed in bounded memory) · ``distributed`` (``score_dask``: the same scores on a
Dask cluster; the optional extra ``[dask]``) ·
``explain`` (peer groups, reasons, gains) · ``composite``.

The estimator and the two scoring functions are also here, loaded on first use:

>>> from ktop_index.index import TechIndex, score_firms                 # doctest: +SKIP
"""

from __future__ import annotations

import importlib

_API = {"TechIndex": "ktop_index.index.techindex", "score_firms": "ktop_index.index.techindex",
        "score_file": "ktop_index.index.files", "ScoreRun": "ktop_index.index.files",
        "score_dask": "ktop_index.index.distributed"}

__all__ = list(_API)


def __getattr__(name: str):
    if name not in _API:
        raise AttributeError(f"module 'ktop_index.index' has no attribute '{name}'")
    return getattr(importlib.import_module(_API[name]), name)
