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

from ktop_index.errors import SpecError


def _column(frame: pd.DataFrame, name: str) -> np.ndarray:
    """A numeric field as float64; an absent column is all missing (coverage drops, no error)."""
    if name not in frame:
        return np.full(len(frame), np.nan)
    column = frame[name]
    if column.dtype == np.float64:  # a read-only view: nothing to convert, nothing to copy
        return column.to_numpy()
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _ratio(fields: dict[str, np.ndarray], spec: dict) -> np.ndarray:
    numerator = fields[spec["numerator"]]
    denominator = fields[spec["denominator"]]
    usable = denominator >= spec.get("min_denominator", 0)
    usable &= denominator > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(usable, numerator / np.where(usable, denominator, 1.0), np.nan)


def _firm_year_order(codes: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Rows sorted by firm code, then year, ties in row order."""
    finite = years[~np.isnan(years)]
    if (finite.size < len(years) or not len(years) or finite.max() - finite.min() > 1e6
            or (finite != np.floor(finite)).any()):
        return np.lexsort((years, codes))
    # one integer key sorts as the two (both stable); far faster than lexsort
    low = finite.min()
    span = int(finite.max() - low) + 1
    key = codes.astype(np.int64) * span + (years - low).astype(np.int64)
    return np.argsort(key, kind="stable")


def _growth(fields: dict[str, np.ndarray], spec: dict, previous: dict) -> np.ndarray:
    current = fields[spec["field"]]
    previous = previous[spec["field"]]
    floor = max(spec.get("min_base", 0), 1e-12)
    usable = (previous >= floor) & (current >= floor)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(usable, np.log(np.where(usable, current / previous, 1.0)), np.nan)


_KINDS = {
    "field": lambda fields, spec, previous: fields[spec["field"]],
    "ratio": lambda fields, spec, previous: _ratio(fields, spec),
    "growth": _growth,
}
_SOURCES = {"field": ("field",), "ratio": ("numerator", "denominator"), "growth": ("field",)}


def previous_year_fields(frame: pd.DataFrame, specs: Sequence[dict]) -> dict[str, np.ndarray]:
    """For each field a growth indicator needs, the same firm's value in the previous year,
    aligned with ``frame``'s rows (NaN where that year is absent). Lets a large frame be
    scored in blocks: pass a block's slice of these to :func:`compute_indicators`."""
    fields = growth_fields(specs)
    if not fields or "firm_id" not in frame or "year" not in frame:
        return {field: np.full(len(frame), np.nan) for field in fields}
    codes, _ = pd.factorize(frame["firm_id"].astype("str"))  # arrow hashes, no str objects
    years = pd.to_numeric(frame["year"], errors="coerce").to_numpy(dtype="float64",
                                                                    na_value=np.nan)
    return previous_years(codes, years, {field: _column(frame, field) for field in fields})


def growth_fields(specs: Sequence[dict]) -> list[str]:
    """The fields whose previous year a growth indicator reads, sorted."""
    return sorted({s["field"] for s in specs if s.get("kind") == "growth"})


def previous_years(codes: np.ndarray, years: np.ndarray,
                   values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """:func:`previous_year_fields` of rows given as arrays: each row's firm as an integer
    code (any coding, one code per firm), its year (float) and the fields' values.

    >>> previous_years(np.array([0, 0, 1]), np.array([2024.0, 2023.0, 2024.0]),
    ...                {"revenue": np.array([15.0, 10.0, 7.0])})["revenue"].tolist()
    [10.0, nan, nan]
    """
    order = _firm_year_order(codes, years)  # once for all fields
    sorted_codes, sorted_years = codes[order], years[order]
    same_firm = sorted_codes[1:] == sorted_codes[:-1]
    consecutive = sorted_years[1:] == sorted_years[:-1] + 1
    linked = np.flatnonzero(same_firm & consecutive) + 1
    result = {}
    for field, column in values.items():
        prev_sorted = np.full(len(codes), np.nan)
        prev_sorted[linked] = column[order][linked - 1]
        prev = np.empty(len(codes))
        prev[order] = prev_sorted
        result[field] = prev
    return result


def source_fields(frame: pd.DataFrame, specs: Sequence[dict]) -> dict[str, np.ndarray]:
    """Every field the indicators read, as float64 arrays aligned with ``frame``'s rows (NaN
    for missing; an absent column is all NaN). Slices of these feed
    :func:`indicator_values` block by block."""
    names = {spec[key] for spec in specs for key in _SOURCES.get(spec.get("kind"), ())}
    return {name: _column(frame, name) for name in sorted(names)}


def indicator_values(fields: dict[str, np.ndarray], specs: Sequence[dict],
                     previous: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Raw indicator values (before transforms) from :func:`source_fields` and
    :func:`previous_year_fields` (or the same rows' slices of them); arrays, one per spec."""
    values = {}
    for spec in specs:
        kind = spec.get("kind")
        if kind not in _KINDS:
            raise SpecError(f"indicator '{spec.get('name')}': unknown kind '{kind}' "
                             f"(expected one of {', '.join(_KINDS)})")
        values[spec["name"]] = _KINDS[kind](fields, spec, previous)
    return values


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
    known = [s for s in specs if s.get("kind") in _KINDS]
    lacking = [s for s in known if s["kind"] == "growth" and s["field"] not in (previous or {})]
    previous = {**previous_year_fields(frame, lacking), **(previous or {})}
    values = indicator_values(source_fields(frame, known), specs, previous)
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
    raise SpecError(f"unknown transform '{how}' (expected none, log1p or sqrt)")
