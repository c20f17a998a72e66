"""Fields to indicators: ratios, per-head figures, growth, as an index specification declares them.

Each indicator in a specification (``models/tech_index_spec.json``) names a ``kind`` and its
source fields; this module only knows how each kind is computed, with care for tiny
denominators, so the method itself stays in the specification.

Kinds
-----
``field``
    the field as it is (``patents``, ``firm_age``).
``ratio``
    ``numerator / denominator``; missing when the denominator is below ``min_denominator``
    (in the denominator's unit), since a ratio of a near-zero base says nothing.
``growth``
    log growth of ``field`` from the same firm's previous year (``year - 1`` exactly):
    ``ln(x_t / x_{t-1})``; missing when either year is absent or below ``min_base``.

Example
-------
>>> import pandas as pd
>>> frame = pd.DataFrame({"firm_id": ["a", "a"], "year": [2023, 2024],
...                       "revenue": [1000.0, 1500.0], "rnd_expense": [50.0, 0.0]})
>>> specs = [{"name": "rnd_intensity", "kind": "ratio", "numerator": "rnd_expense",
...           "denominator": "revenue", "min_denominator": 100},
...          {"name": "revenue_growth", "kind": "growth", "field": "revenue", "min_base": 100}]
>>> compute_indicators(frame, specs).round(3).to_dict("list")
{'rnd_intensity': [0.05, 0.0], 'revenue_growth': [nan, 0.405]}
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def _column(frame: pd.DataFrame, name: str) -> np.ndarray:
    """A numeric field as float64; an absent column is all missing (coverage drops, no error)."""
    if name not in frame:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _ratio(frame: pd.DataFrame, spec: dict) -> np.ndarray:
    numerator = _column(frame, spec["numerator"])
    denominator = _column(frame, spec["denominator"])
    usable = denominator >= spec.get("min_denominator", 0) 
    usable &= denominator > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(usable, numerator / np.where(usable, denominator, 1.0), np.nan)


def _previous_year_values(frame: pd.DataFrame, field: str) -> np.ndarray:
    """The same firm's value of ``field`` in ``year - 1`` (NaN when that row is absent)."""
    key = frame["firm_id"].astype("str").to_numpy() if "firm_id" in frame else None
    if key is None or "year" not in frame:
        return np.full(len(frame), np.nan)
    years = pd.to_numeric(frame["year"], errors="coerce").to_numpy(dtype="float64",
                                                                    na_value=np.nan)
    codes, _ = pd.factorize(key)
    order = np.lexsort((years, codes))
    values = _column(frame, field)
    sorted_codes, sorted_years = codes[order], years[order]
    prev = np.full(len(frame), np.nan)
    same_firm = sorted_codes[1:] == sorted_codes[:-1]
    consecutive = sorted_years[1:] == sorted_years[:-1] + 1
    linked = np.flatnonzero(same_firm & consecutive) + 1
    prev_sorted = np.full(len(frame), np.nan)
    prev_sorted[linked] = values[order][linked - 1]
    prev[order] = prev_sorted
    return prev


def _growth(frame: pd.DataFrame, spec: dict, previous: dict | None = None) -> np.ndarray:
    current = _column(frame, spec["field"])
    if previous is not None and spec["field"] in previous:
        previous = previous[spec["field"]]
    else:
        previous = _previous_year_values(frame, spec["field"])
    floor = max(spec.get("min_base", 0), 1e-12)
    usable = (previous >= floor) & (current >= floor)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(usable, np.log(np.where(usable, current / previous, 1.0)), np.nan)


_KINDS = {
    "field": lambda frame, spec, previous: _column(frame, spec["field"]),
    "ratio": lambda frame, spec, previous: _ratio(frame, spec),
    "growth": _growth,
}


def previous_year_fields(frame: pd.DataFrame, specs: Sequence[dict]) -> dict[str, np.ndarray]:
    """For each field a growth indicator needs, the same firm's value in the previous year,
    aligned with ``frame``'s rows (NaN where that year is absent). Lets a large frame be
    scored in blocks: pass a block's slice of these to :func:`compute_indicators`."""
    fields = sorted({s["field"] for s in specs if s.get("kind") == "growth"})
    return {field: _previous_year_values(frame, field) for field in fields}


def compute_indicators(frame: pd.DataFrame, specs: Sequence[dict],
                       previous: dict[str, np.ndarray] | None = None) -> pd.DataFrame:
    """Raw indicator values (before transforms), one column per spec, rows as ``frame``.

    Parameters
    ----------
    frame : validated firm-year rows (contract names; money in KRW thousand).
    specs : indicator definitions with ``name``, ``kind`` and the kind's source fields.
    previous : optional, :func:`previous_year_fields` of the frame the rows come from; when
        None, growth looks for the previous year within ``frame`` itself.

    Missing inputs give missing indicators, never zeros; the index's coverage rule decides
    what a firm with missing indicators gets.
    """
    values = {}
    for spec in specs:
        kind = spec.get("kind")
        if kind not in _KINDS:
            raise ValueError(f"indicator '{spec.get('name')}': unknown kind '{kind}' "
                             f"(expected one of {', '.join(_KINDS)})")
        values[spec["name"]] = _KINDS[kind](frame, spec, previous)
    return pd.DataFrame(values, index=frame.index)


def transform(values: np.ndarray, how: str) -> np.ndarray:
    """The skew transform of an indicator: 'none', 'log1p' or 'sqrt' (negatives kept signed).

    >>> transform(np.array([0.0, 3.0, -3.0]), "log1p").round(3).tolist()
    [0.0, 1.386, -1.386]
    """
    if how == "none":
        return values
    if how == "log1p":
        return np.sign(values) * np.log1p(np.abs(values))
    if how == "sqrt":
        return np.sign(values) * np.sqrt(np.abs(values))
    raise ValueError(f"unknown transform '{how}' (expected none, log1p or sqrt)")
