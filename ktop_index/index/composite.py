"""Composite indicators built exactly as the R package COINr (v1.1.14) builds them.

A composite indicator takes a table of units (firms, countries) by indicators, brings every
indicator onto a common scale (*normalisation*), and averages them with weights up a tree of
aggregates (*aggregation*) until one index remains (OECD/JRC *Handbook on Constructing
Composite Indicators*, 2008). This module follows COINr's definitions to the letter, so that
its output matches COINr's to floating-point precision:

* inputs are COINr's ``iData`` (one row per unit: ``uCode``, optional ``uName``, group and
  denominator columns, ``Time``, indicators) and ``iMeta`` (one row per column or aggregate:
  ``Level``, ``iCode``, ``Parent``, ``Direction``, ``Weight``, ``Type``, ...);
* normalisations ``minmax``, ``zscore``, ``rank``, ``percentile``, ``goalposts`` are COINr's
  ``n_minmax``, ``n_zscore``, ``n_rank``, ``n_prank`` and ``n_goalposts``, applied after
  multiplying each indicator by its ``Direction`` (R/normalise.R, ``Normalise.numeric``);
* aggregations ``amean`` and ``gmean`` are COINr's ``a_amean`` and ``a_gmean``
  (R/aggregate.R): a missing child is skipped and the weights of the present children are
  used, rescaled;
* output rows are sorted by ``uCode`` (COINr's ``new_coin`` sorts ``iData``) and the aggregate
  columns of each level come in sorted code order (COINr's ``Aggregate.coin`` groups with
  ``tapply`` over ``Parent``, which sorts the groups), after the indicators in iMeta order.

Everything works on the whole unit x indicator matrix at once (numpy), so 100,000 units go
through read, build and write in well under a second.

Example
-------
>>> import pandas as pd
>>> idata = pd.DataFrame({"uCode": ["B", "A", "C"], "x1": [1.0, 3.0, 2.0],
...                       "x2": [10.0, 30.0, 20.0]})
>>> imeta = pd.DataFrame({
...     "Level": [1, 1, 2], "iCode": ["x1", "x2", "Index"], "Parent": ["Index", "Index", None],
...     "Direction": [1, -1, 1], "Weight": [3.0, 1.0, 1.0],
...     "Type": ["Indicator", "Indicator", "Aggregate"]})
>>> result = build_composite(idata, imeta)
>>> result.aggregated.columns.tolist()
['uCode', 'x1', 'x2', 'Index']
>>> result.aggregated["x2"].tolist()  # direction -1: the highest raw value scores 0
[0.0, 100.0, 50.0]
>>> result.aggregated["Index"].tolist()  # (3 * x1 + x2) / 4, units sorted by uCode
[75.0, 25.0, 50.0]
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pac
import pyarrow.csv as pacsv

from ktop_index._files import atomic_write
from ktop_index._threads import in_order
from ktop_index.errors import DataError, InputError, UsageError

NORMALISATIONS = ("minmax", "zscore", "rank", "percentile", "goalposts")
AGGREGATIONS = ("amean", "gmean")
META_COLUMNS = ("Level", "iCode", "Parent", "Direction", "Type", "Weight")
META_TYPES = ("Indicator", "Aggregate", "Group", "Denominator", "Other")
HIERARCHY_TYPES = ("Indicator", "Aggregate")
UNIT_COLUMNS = ("uCode", "uName", "Time")
GOALPOST_COLUMNS = ("goalpost_lower", "goalpost_upper", "goalpost_scale", "goalpost_trunc2posts")

_NUMBERS = {"integer", "floating", "mixed-integer-float", "empty"}
_TRUE = {"true", "t", "1", "yes"}
_FALSE = {"false", "f", "0", "no"}


# ---------------------------------------------------------------------------------------
# Result and hierarchy types
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """One aggregate of the hierarchy: its code, its level and its children (iMeta order)."""

    code: str
    level: int
    children: tuple[str, ...]


@dataclass(frozen=True)
class Hierarchy:
    """The tree read from iMeta (rows of Type Indicator or Aggregate only).

    Attributes
    ----------
    indicators : tuple of str
        Level-1 codes in iMeta order (the column order of COINr's data sets).
    directions : numpy.ndarray
        +1 or -1 for each indicator.
    groups : tuple of Group
        Every aggregate, level 2 upwards, sorted by code within a level: COINr's order.
    top : tuple of str
        The codes at the highest level (normally one: the index).
    """

    indicators: tuple[str, ...]
    directions: np.ndarray
    groups: tuple[Group, ...]
    top: tuple[str, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        """All output codes: indicators, then aggregates level by level (COINr's order)."""
        return self.indicators + tuple(g.code for g in self.groups)


@dataclass(frozen=True)
class CompositeResult:
    """What :func:`build_composite` returns.

    Attributes
    ----------
    normalised : pandas.DataFrame
        ``uCode`` and the normalised indicators (COINr's ``Normalised`` data set).
    aggregated : pandas.DataFrame
        ``uCode``, the normalised indicators and every aggregate up to the index
        (COINr's ``Aggregated`` data set). Rows sorted by ``uCode``.
    ranks : pandas.DataFrame or None
        ``uCode``, ``uName``, the index score and its ``Rank`` (1 = best; ties share the
        lowest rank), sorted best first, as COINr's ``get_results``. ``None`` when the
        hierarchy has more than one top-level code.
    hierarchy : Hierarchy
        The tree that was aggregated.
    """

    normalised: pd.DataFrame
    aggregated: pd.DataFrame
    ranks: pd.DataFrame | None
    hierarchy: Hierarchy


@dataclass(frozen=True)
class _Labels:
    """How error messages name the three inputs (file paths when they come from files)."""

    data: str = "iData"
    meta: str = "iMeta"
    weights: str = "weights"


# ---------------------------------------------------------------------------------------
# Normalisation: column-wise on a (units x indicators) float matrix, NaN = missing
# ---------------------------------------------------------------------------------------


def n_minmax(
    x: np.ndarray, l_u: tuple[float, float] = (0.0, 100.0), out: np.ndarray | None = None
) -> np.ndarray:
    """Min-max scale each column onto ``[l, u]`` (COINr ``n_minmax``).

    ``(x - min) / (max - min) * (u - l) + l``, with min and max over the non-missing values.
    A column with zero range gives NaN, as in COINr.

    Parameters
    ----------
    x : numpy.ndarray
        Units x indicators, any unit; NaN = missing.
    l_u : (float, float)
        Lower and upper end of the output scale (output unit: score).
    out : numpy.ndarray, optional
        Where to write the result (may be ``x`` itself); a new array by default.

    Examples
    --------
    >>> n_minmax(np.array([[1.0], [2.0], [5.0]]))[:, 0].tolist()
    [0.0, 25.0, 100.0]
    """
    low, high = np.fmin.reduce(x, axis=0), np.fmax.reduce(x, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        # in place, but the same operations in the same order as R: bit-identical results
        y = np.subtract(x, low, out=out)
        y /= high - low
        y *= l_u[1] - l_u[0]
        y += l_u[0]
    return y


def n_zscore(
    x: np.ndarray, m_sd: tuple[float, float] = (0.0, 1.0), out: np.ndarray | None = None
) -> np.ndarray:
    """Standardise each column to mean ``m`` and standard deviation ``sd`` (COINr ``n_zscore``).

    ``(x - mean(x)) / sd(x) * sd + m``, where ``sd(x)`` is R's ``stats::sd``: the sample
    standard deviation (divisor n - 1) over the non-missing values. Fewer than two values
    give NaN.

    Examples
    --------
    >>> n_zscore(np.array([[1.0], [2.0], [3.0]]))[:, 0].tolist()
    [-1.0, 0.0, 1.0]
    """
    mean, sd = np.empty(x.shape[1]), np.empty(x.shape[1])
    for j in range(x.shape[1]):  # a loop over indicators; each column is vectorised
        mean[j], sd[j] = _mean_sd(x[:, j])
    with np.errstate(invalid="ignore", divide="ignore"):
        y = np.subtract(x, mean, out=out)
        y /= sd
        y *= m_sd[1]
        y += m_sd[0]
    return y


def _mean_sd(column: np.ndarray) -> tuple[float, float]:
    values = column[~np.isnan(column)]
    n = values.size
    if n < 2:
        return (float(values[0]) if n else np.nan), np.nan
    mean = values.sum() / n
    mean += (values - mean).sum() / n  # R's mean() refines its first pass the same way
    sd = np.sqrt(((values - mean) ** 2).sum() / (n - 1))
    return mean, sd


def n_rank(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Rank each column, 1 = lowest, ties get the lowest rank, NaN kept (COINr ``n_rank``).

    COINr calls ``rank(x, ties.method = "min", na.last = "keep")``: a higher value gets a
    higher rank, so ranks act as scores.

    Examples
    --------
    >>> n_rank(np.array([[5.0], [1.0], [5.0], [np.nan]]))[:, 0].tolist()
    [2.0, 1.0, 2.0, nan]
    """
    y = np.empty(x.shape) if out is None else out
    for j in range(x.shape[1]):  # a loop over indicators; each column is vectorised
        present = ~np.isnan(x[:, j])
        ranks = _min_ranks(x[present, j])
        y[:, j] = np.nan
        y[present, j] = ranks
    return y


def _min_ranks(values: np.ndarray) -> np.ndarray:
    # rank of each value = 1 + number of values strictly below it
    return np.searchsorted(np.sort(values), values, side="left") + 1.0


def n_prank(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Percentile rank of each column in ``[0, 1]`` (COINr ``n_prank``).

    ``(rank - 1) / (n - 1)`` with ``rank`` as :func:`n_rank` and ``n`` the number of
    non-missing values.

    Examples
    --------
    >>> n_prank(np.array([[5.0], [1.0], [3.0]]))[:, 0].tolist()
    [1.0, 0.0, 0.5]
    """
    count = (~np.isnan(x)).sum(axis=0)
    y = n_rank(x, out=out)
    with np.errstate(invalid="ignore", divide="ignore"):
        y -= 1
        y /= count - 1
    return y


def n_goalposts(
    x: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    scale: np.ndarray,
    trunc2posts: np.ndarray,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Fraction of the way from the lower to the upper goalpost, times ``scale`` (COINr).

    ``y = (x - lower) / (upper - lower)``; where ``trunc2posts`` is true, ``y`` is clipped to
    ``[0, 1]``; the result is ``y * scale``. One goalpost set per column, in the units of
    ``x``. Directions are applied by :func:`normalise_matrix`, which flips the goalposts as
    COINr does.

    Examples
    --------
    >>> n_goalposts(np.array([[0.0], [5.0], [20.0]]), np.array([0.0]), np.array([10.0]),
    ...             np.array([100.0]), np.array([True]))[:, 0].tolist()
    [0.0, 50.0, 100.0]
    """
    y = np.subtract(x, lower, out=out)
    y /= upper - lower
    if np.all(trunc2posts):  # every column clipped: the same values in fewer passes
        np.minimum(y, 1.0, out=y)  # NaN stays missing
        np.putmask(y, y < 0, 0.0)
    else:
        np.putmask(y, trunc2posts & (y > 1), 1.0)  # NaN compares false: stays missing
        np.putmask(y, trunc2posts & (y < 0), 0.0)
    y *= scale
    return y


def normalise_matrix(
    x: np.ndarray,
    method: str,
    directions: np.ndarray,
    *,
    l_u: tuple[float, float] = (0.0, 100.0),
    m_sd: tuple[float, float] = (0.0, 1.0),
    goalposts: dict[str, np.ndarray] | None = None,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Multiply each column by its direction, then normalise it (COINr ``Normalise``).

    Parameters
    ----------
    x : numpy.ndarray
        Raw values, units x indicators; NaN = missing.
    method : {"minmax", "zscore", "rank", "percentile", "goalposts"}
    directions : numpy.ndarray
        +1 or -1 per column. COINr multiplies by -1 *before* normalising, so that high
        raw values of a negative indicator get low scores.
    l_u, m_sd : tuple
        Parameters of ``minmax`` and ``zscore`` (COINr's defaults).
    goalposts : dict, optional
        For ``goalposts``: arrays ``lower``, ``upper``, ``scale``, ``trunc2posts`` per
        column, in the raw units of the indicator.
    out : numpy.ndarray, optional
        Where to write the result (may be ``x`` itself); a new array by default.

    Examples
    --------
    >>> normalise_matrix(np.array([[1.0], [3.0]]), "minmax", np.array([-1.0]))[:, 0].tolist()
    [100.0, 0.0]
    """
    if method not in NORMALISATIONS:
        raise UsageError(f"normalise must be one of {', '.join(NORMALISATIONS)}; got {method!r}")
    if method == "goalposts" and goalposts is None:
        raise UsageError(
            "goalposts normalisation needs goalposts (lower, upper, scale, trunc2posts)"
        )
    y = np.multiply(x, directions, out=out)
    if method == "minmax":
        return n_minmax(y, l_u, out=y)
    if method == "zscore":
        return n_zscore(y, m_sd, out=y)
    if method == "rank":
        return n_rank(y, out=y)
    if method == "percentile":
        return n_prank(y, out=y)
    return _flipped_goalposts(y, directions, goalposts)


def _flipped_goalposts(x: np.ndarray, directions: np.ndarray, posts: dict) -> np.ndarray:
    # COINr (get_iMeta_norm_paras) hands a negative indicator, already multiplied by -1, the
    # goalposts c(-upper, -lower, scale): the result is (upper - x) / (upper - lower).
    flip = directions == -1
    low = np.where(flip, posts["upper"] * directions, posts["lower"] * directions)
    high = np.where(flip, posts["lower"] * directions, posts["upper"] * directions)
    return n_goalposts(x, low, high, posts["scale"], posts["trunc2posts"], out=x)


# ---------------------------------------------------------------------------------------
# Aggregation: row-wise over a (units x children) matrix, NaN = missing child
# ---------------------------------------------------------------------------------------


def a_amean(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted arithmetic mean of each row, skipping missing values (COINr ``a_amean``).

    For each row, the weights of the present values are rescaled to sum to 1:
    ``sum(w_i * x_i) / sum(w_i)`` over present ``i``. A row with no value gives NaN.

    Parameters
    ----------
    x : numpy.ndarray
        Units x children (scores); NaN = missing.
    w : numpy.ndarray
        One weight per child (relative; any positive scale).

    Examples
    --------
    >>> a_amean(np.array([[10.0, 20.0], [np.nan, 20.0]]), np.array([1.0, 3.0])).tolist()
    [17.5, 20.0]
    """
    return amean_weighed(x, w)[0]


def amean_weighed(x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`a_amean`, with each row's sum of the weights of its present values."""
    present = ~np.isnan(x)
    weights = np.where(present, w, 0.0)
    total = row_sums(weights)
    with np.errstate(invalid="ignore", divide="ignore"):
        # as COINr: w <- w / sum(w), then sum(w * x)
        weights /= total[:, None]
        y = row_sums(weights * np.where(present, x, 0.0))
    y[~row_any(present)] = np.nan
    return y, total


def row_sums(x: np.ndarray) -> np.ndarray:
    """``x.sum(axis=1)`` of a 2-D float array, with the same bits, faster on narrow arrays.

    numpy adds a row of fewer than eight values one after the other onto 0.0 (so that a row
    of -0.0 sums to 0.0; eight or more: pairwise, in unrolled partial sums); column by
    column that is a few passes over contiguous memory instead of a short loop per row, five
    to nine times faster for the few indicators of a domain. Eight columns or more go to
    numpy itself.

    >>> row_sums(np.array([[1.0, 2.0, 3.0], [0.5, np.nan, 1.0]])).tolist()
    [6.0, nan]
    """
    if x.ndim != 2 or x.dtype != np.float64 or not 0 < x.shape[1] < 8:
        return x.sum(axis=1)
    total = x[:, 0] + 0.0
    for j in range(1, x.shape[1]):
        total += x[:, j]
    return total


def row_any(x: np.ndarray) -> np.ndarray:
    """``x.any(axis=1)`` of a 2-D boolean array, column by column (see :func:`row_sums`)."""
    if x.ndim != 2 or not x.shape[1]:
        return x.any(axis=1)
    some = x[:, 0].copy()
    for j in range(1, x.shape[1]):
        some |= x[:, j]
    return some


def a_gmean(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted geometric mean of each row, skipping missing values (COINr ``a_gmean``).

    ``exp(sum(w_i * log(x_i)) / sum(w_i))`` over the present ``i``. As in COINr, any value
    that is zero or negative is an error (the log is undefined): normalise onto a strictly
    positive scale first, e.g. ``minmax`` with ``l_u=(1, 100)``.

    Raises
    ------
    DataError
        If a present value is <= 0.

    Examples
    --------
    >>> a_gmean(np.array([[1.0, 100.0], [np.nan, 4.0]]), np.array([1.0, 1.0])).round(9).tolist()
    [10.0, 4.0]
    """
    present = ~np.isnan(x)
    if np.any(x[present] <= 0):
        raise DataError("a_gmean: zero or negative values; the geometric mean needs values > 0")
    weights = np.where(present, w, 0.0)
    logs = np.log(np.where(present, x, 1.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        y = np.exp(row_sums(weights * logs) / row_sums(weights))
    y[~row_any(present)] = np.nan
    return y


_AGGREGATORS = {"amean": a_amean, "gmean": a_gmean}


# ---------------------------------------------------------------------------------------
# Reading iMeta
# ---------------------------------------------------------------------------------------


def _missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _texts(column: pd.Series) -> list[str | None]:
    return [None if _missing(v) else str(v) for v in column]


def _numbers(table: pd.DataFrame, column: str, codes: list, label: str) -> np.ndarray:
    out = np.full(len(table), np.nan)
    for i, value in enumerate(table[column]):
        if _missing(value):
            continue
        try:
            out[i] = float(value)
        except (TypeError, ValueError):
            raise DataError(
                f"{label}: {column} of {_row_name(i, codes)} is {value!r}; expected a number"
            ) from None
    return out


def _row_name(i: int, codes: list) -> str:
    return f"'{codes[i]}'" if codes[i] is not None else f"row {i + 1}"


def _require_columns(table: pd.DataFrame, needed: Sequence[str], label: str, why: str) -> None:
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise DataError(
            f"{label}: missing column(s) {', '.join(missing)}; {why} needs {', '.join(needed)}"
        )


def parse_hierarchy(imeta: pd.DataFrame, label: str = "iMeta") -> Hierarchy:
    """Check a COINr iMeta table and return its tree.

    Only rows of Type ``Indicator`` (Level 1) and ``Aggregate`` (Level 2 and up) form the
    tree; each names its ``Parent`` at the level just above; the top level has no parent.

    Raises
    ------
    DataError
        One line naming the table, the row and what was expected: missing columns,
        missing or duplicated iCode, unknown Type, bad Level or Direction, unknown Parent,
        a Parent not one level up, an aggregate with no children.

    Examples
    --------
    >>> meta = pd.DataFrame({"Level": [1, 1, 2], "iCode": ["a", "b", "I"],
    ...     "Parent": ["I", "I", None], "Direction": [1, -1, 1], "Weight": [1, 1, 1],
    ...     "Type": ["Indicator", "Indicator", "Aggregate"]})
    >>> parse_hierarchy(meta).groups
    (Group(code='I', level=2, children=('a', 'b')),)
    """
    _require_columns(imeta, META_COLUMNS, label, "a COINr iMeta table")
    codes = _texts(imeta["iCode"])
    _check_codes(codes, label)
    types = _texts(imeta["Type"])
    _check_types(types, codes, label)
    levels = _numbers(imeta, "Level", codes, label)
    directions = _numbers(imeta, "Direction", codes, label)
    parents = _texts(imeta["Parent"])
    rows = [i for i, t in enumerate(types) if t in HIERARCHY_TYPES]
    _check_levels(rows, types, levels, codes, label)
    _check_directions(directions, rows, codes, label)
    level_of = {codes[i]: int(levels[i]) for i in rows}
    top_level = max(level_of.values())
    if top_level == 1:
        raise DataError(f"{label}: no rows of Type Aggregate; there is nothing to aggregate to")
    _check_parents(rows, parents, codes, level_of, top_level, label)
    groups = _groups(rows, parents, codes, level_of, top_level, label)
    indicators = tuple(codes[i] for i in rows if types[i] == "Indicator")
    dirs = np.array([directions[i] for i in rows if types[i] == "Indicator"])
    top = tuple(code for code, lev in level_of.items() if lev == top_level)
    return Hierarchy(indicators, dirs, groups, top)


def _check_codes(codes: list, label: str) -> None:
    for i, code in enumerate(codes):
        if code is None:
            raise DataError(f"{label}: iCode is empty in row {i + 1}; every row needs a code")
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise DataError(f"{label}: iCode '{code}' appears twice; codes must be unique")
        seen.add(code)


def _check_types(types: list, codes: list, label: str) -> None:
    for i, kind in enumerate(types):
        if kind not in META_TYPES:
            raise DataError(
                f"{label}: Type of '{codes[i]}' is {kind!r}; "
                f"expected one of {', '.join(META_TYPES)}"
            )
    if "Indicator" not in types:
        raise DataError(f"{label}: no rows of Type Indicator")


def _check_levels(rows: list, types: list, levels: np.ndarray, codes: list, label: str) -> None:
    for i in rows:
        lev = levels[i]
        if np.isnan(lev) or lev != math.floor(lev) or lev < 1:
            raise DataError(f"{label}: Level of '{codes[i]}' is {lev}; expected an integer >= 1")
        if types[i] == "Indicator" and lev != 1:
            raise DataError(
                f"{label}: '{codes[i]}' is an Indicator at Level {int(lev)}; Indicators are Level 1"
            )
        if types[i] == "Aggregate" and lev < 2:
            raise DataError(
                f"{label}: '{codes[i]}' is an Aggregate at Level 1; Aggregates are Level 2 and up"
            )
    present = {int(levels[i]) for i in rows}
    gaps = sorted(set(range(1, max(present) + 1)) - present)
    if gaps:
        raise DataError(
            f"{label}: no rows at Level {gaps[0]}; levels must run 1, 2, ... without gaps"
        )


def _check_directions(directions: np.ndarray, rows: list, codes: list, label: str) -> None:
    # as COINr's check_iMeta: any Direction given is 1 or -1; the tree's rows need one
    needed_rows = set(rows)
    for i, value in enumerate(directions):
        needed = i in needed_rows
        if (np.isnan(value) and needed) or (not np.isnan(value) and value not in (-1.0, 1.0)):
            raise DataError(f"{label}: Direction of '{codes[i]}' is {value}; expected 1 or -1")


def _check_parents(rows, parents, codes, level_of, top_level, label) -> None:
    for i in rows:
        code, parent, lev = codes[i], parents[i], level_of[codes[i]]
        if lev == top_level:
            if parent is not None:
                raise DataError(
                    f"{label}: '{code}' is at the top level {lev} but has Parent '{parent}'"
                )
            continue
        if parent is None:
            raise DataError(
                f"{label}: Parent of '{code}' (Level {lev}) is empty; "
                f"expected an aggregate at Level {lev + 1}"
            )
        if parent not in level_of:
            raise DataError(
                f"{label}: Parent '{parent}' of '{code}' is not an Indicator/Aggregate iCode"
            )
        if level_of[parent] != lev + 1:
            raise DataError(
                f"{label}: Parent '{parent}' of '{code}' is at Level {level_of[parent]}; "
                f"expected Level {lev + 1}"
            )


def _groups(rows, parents, codes, level_of, top_level, label) -> tuple[Group, ...]:
    groups = []
    for lev in range(2, top_level + 1):
        aggregates = [codes[i] for i in rows if level_of[codes[i]] == lev]
        for code in (aggregates[k] for k in r_order(aggregates)):
            children = tuple(codes[i] for i in rows if parents[i] == code)
            if not children:
                raise DataError(f"{label}: aggregate '{code}' (Level {lev}) has no children")
            groups.append(Group(code, lev, children))
    return tuple(groups)


def r_order(codes: Sequence[str] | pa.Array) -> np.ndarray:
    """Positions that sort ``codes`` as R's ``order()``/``sort()`` do in an English locale.

    R sorts character vectors by the locale's collation: letters compare case-insensitively
    first and, for the same letters, lower case comes first (``a A b B``). Punctuation is
    compared by code point here (R's locale may ignore it). Stable.

    Examples
    --------
    >>> r_order(["b", "B", "a", "A"]).tolist()
    [2, 3, 0, 1]
    """
    if len(codes) == 0:
        return np.zeros(0, dtype=np.int64)
    values = codes if isinstance(codes, pa.Array) else pa.array(codes, type=pa.string())
    keys = pa.table({"fold": pac.utf8_lower(values), "case": pac.utf8_swapcase(values)})
    order = pac.sort_indices(keys, sort_keys=[("fold", "ascending"), ("case", "ascending")])
    return order.to_numpy()


# ---------------------------------------------------------------------------------------
# Weights and goalposts
# ---------------------------------------------------------------------------------------


def _needed_codes(h: Hierarchy) -> list[str]:
    return [c for g in h.groups for c in g.children]


def weights_from_meta(imeta: pd.DataFrame, h: Hierarchy, label: str = "iMeta") -> dict[str, float]:
    """The iMeta ``Weight`` of every code that is aggregated (all but the top level)."""
    codes = _texts(imeta["iCode"])
    values = _numbers(imeta, "Weight", codes, label)
    weight_of = dict(zip(codes, values, strict=True))
    for code in _needed_codes(h):
        if np.isnan(weight_of[code]):
            raise DataError(f"{label}: Weight of '{code}' is empty; expected a number")
    return {code: float(weight_of[code]) for code in _needed_codes(h)}


def weights_from_table(
    weights: pd.DataFrame, h: Hierarchy, level_of: dict[str, int], label: str = "weights"
) -> dict[str, float]:
    """Weights from a COINr weight set (``iCode``, ``Level``, ``Weight``).

    As in COINr, weights are looked up by ``iCode``; ``Level`` is optional and, when
    given, must agree with iMeta. Every aggregated code needs a weight.
    """
    _require_columns(weights, ("iCode", "Weight"), label, "a weights table")
    codes = _texts(weights["iCode"])
    _check_codes(codes, label)
    values = _numbers(weights, "Weight", codes, label)
    unknown = [c for c in codes if c not in level_of]
    if unknown:
        raise DataError(f"{label}: iCode '{unknown[0]}' is not an Indicator/Aggregate in iMeta")
    if "Level" in weights.columns:
        levels = _numbers(weights, "Level", codes, label)
        for code, lev in zip(codes, levels, strict=True):
            if not np.isnan(lev) and lev != level_of[code]:
                raise DataError(
                    f"{label}: Level of '{code}' is {lev:g}; iMeta has {level_of[code]}"
                )
    weight_of = dict(zip(codes, values, strict=True))
    for code in _needed_codes(h):
        if code not in weight_of or np.isnan(weight_of[code]):
            raise DataError(f"{label}: no Weight for '{code}'; every aggregated iCode needs one")
    return {code: float(weight_of[code]) for code in _needed_codes(h)}


def goalposts_from_meta(
    imeta: pd.DataFrame, h: Hierarchy, label: str = "iMeta"
) -> dict[str, np.ndarray]:
    """Goalposts per indicator from the iMeta columns COINr reads with ``f_n_para = "use_iMeta"``.

    Columns ``goalpost_lower``, ``goalpost_upper``, ``goalpost_scale`` (raw units of the
    indicator; scale in output units) and ``goalpost_trunc2posts`` (TRUE/FALSE).
    """
    _require_columns(imeta, GOALPOST_COLUMNS, label, "goalposts normalisation")
    codes = _texts(imeta["iCode"])
    row_of = {code: i for i, code in enumerate(codes)}
    rows = [row_of[c] for c in h.indicators]
    posts = {}
    for name, column in zip(("lower", "upper", "scale"), GOALPOST_COLUMNS[:3], strict=True):
        values = _numbers(imeta, column, codes, label)[rows]
        if np.isnan(values).any():
            code = h.indicators[int(np.flatnonzero(np.isnan(values))[0])]
            raise DataError(f"{label}: {column} of '{code}' is empty; expected a number")
        posts[name] = values
    same = posts["lower"] == posts["upper"]
    if same.any():
        code = h.indicators[int(np.flatnonzero(same)[0])]
        raise DataError(f"{label}: goalpost_lower equals goalpost_upper for '{code}'")
    column = imeta["goalpost_trunc2posts"]
    posts["trunc2posts"] = np.array([_flag(column.iloc[i], codes[i], label) for i in rows])
    return posts


def _flag(value: object, code: str, label: str) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    text = "" if _missing(value) else str(value).strip().lower()
    if text in _TRUE or text in ("1.0",):
        return True
    if text in _FALSE or text in ("0.0",):
        return False
    raise DataError(
        f"{label}: goalpost_trunc2posts of '{code}' is {value!r}; expected TRUE or FALSE"
    )


# ---------------------------------------------------------------------------------------
# Reading iData
# ---------------------------------------------------------------------------------------


def _unit_codes(idata: pd.DataFrame, label: str) -> pa.Array:
    _require_columns(idata, ("uCode",), label, "a COINr iData table")
    if len(idata) == 0:
        raise DataError(f"{label}: no rows; expected one row per unit")
    column = idata["uCode"]
    if not pd.api.types.is_string_dtype(column):
        raise DataError(f"{label}: uCode must be text (found {column.dtype}); read it as text")
    codes = pa.array(column, type=pa.string(), from_pandas=True)
    empty = pac.fill_null(pac.equal(pac.utf8_trim_whitespace(codes), ""), True)
    if pac.any(empty).as_py():
        row = pac.index(empty, True).as_py()
        raise DataError(f"{label}: uCode is empty in row {row + 1}; every unit needs a code")
    duplicated = column.duplicated().to_numpy()
    if duplicated.any():
        raise DataError(
            f"{label}: uCode '{column.iloc[duplicated.argmax()]}' appears twice; "
            f"codes must be unique"
        )
    return codes


def _check_columns(idata: pd.DataFrame, imeta: pd.DataFrame, label: str, meta_label: str) -> None:
    codes = _texts(imeta["iCode"])
    types = dict(zip(codes, _texts(imeta["Type"]), strict=True))
    for column in idata.columns:
        if column not in UNIT_COLUMNS and column not in types:
            raise DataError(
                f"{label}: column '{column}' is not an iCode in {meta_label}; "
                "every column but uCode, uName and Time must be described there"
            )
    for code, kind in types.items():
        if kind != "Aggregate" and code not in idata.columns:
            raise DataError(f"{label}: no column '{code}' ({kind} in {meta_label})")
    if "Time" in idata.columns and idata["Time"].dropna().nunique() > 1:
        raise DataError(
            f"{label}: Time has several values (panel data); build one time point at a time"
        )


def _indicator_rows(
    idata: pd.DataFrame, codes: Sequence[str], order: np.ndarray, label: str, out: np.ndarray
) -> None:
    """Fill ``out`` (indicators x units, one contiguous row per indicator), units in ``order``."""
    for j, code in enumerate(codes):
        np.take(_numeric_column(idata[code], code, label), order, out=out[j])


def _numeric_column(column: pd.Series, code: str, label: str) -> np.ndarray:
    if column.dtype == object and pd.api.types.infer_dtype(column) in _NUMBERS:
        column = column.astype(float)  # plain Python numbers (and None) in an object column
    if pd.api.types.is_bool_dtype(column) or not pd.api.types.is_numeric_dtype(column):
        if column.isna().all():
            return np.full(len(column), np.nan)
        numbers = pd.to_numeric(column, errors="coerce")
        bad = column[numbers.isna() & column.notna()]
        example = bad.iloc[0] if len(bad) else column.dropna().iloc[0]
        raise DataError(
            f"{label}: indicator column '{code}' is not numeric (e.g. value {example!r})"
        )
    return column.to_numpy(dtype=float, na_value=np.nan)


# ---------------------------------------------------------------------------------------
# Building
# ---------------------------------------------------------------------------------------


def build_composite(
    idata: pd.DataFrame,
    imeta: pd.DataFrame,
    normalise: str = "minmax",
    aggregate: str | Sequence[str] = "amean",
    weights: pd.DataFrame | None = None,
    *,
    l_u: tuple[float, float] = (0.0, 100.0),
    m_sd: tuple[float, float] = (0.0, 1.0),
) -> CompositeResult:
    """Normalise and aggregate a COINr iData/iMeta pair into a composite index.

    Parameters
    ----------
    idata : pandas.DataFrame
        COINr iData: ``uCode`` (text, unique), optional ``uName`` and ``Time`` (one value),
        and one column per non-aggregate iMeta row (groups, denominators, indicators;
        indicators numeric, any unit, NaN = missing).
    imeta : pandas.DataFrame
        COINr iMeta: ``Level``, ``iCode``, ``Parent``, ``Direction``, ``Weight``, ``Type``
        (and ``goalpost_*`` columns for ``normalise="goalposts"``).
    normalise : {"minmax", "zscore", "rank", "percentile", "goalposts"}
        COINr's ``n_minmax`` (0-100 by default), ``n_zscore`` (mean 0, sd 1), ``n_rank``,
        ``n_prank``, ``n_goalposts`` (goalposts from iMeta).
    aggregate : {"amean", "gmean"} or sequence of them
        COINr's ``a_amean`` / ``a_gmean``; a sequence gives one per level (2, 3, ...).
    weights : pandas.DataFrame, optional
        A weight set (``iCode``, optional ``Level``, ``Weight``) replacing iMeta's
        ``Weight``.
    l_u : (float, float)
        Output range of ``minmax`` (score units). Use ``(1, 100)`` with ``gmean``.
    m_sd : (float, float)
        Mean and standard deviation of ``zscore``.

    Returns
    -------
    CompositeResult
        ``normalised``, ``aggregated`` (one row per unit, sorted by uCode) and ``ranks``.

    Raises
    ------
    DataError
        One line naming the table and column on any bad input, or ``gmean`` on a value <= 0.
    UsageError
        An unknown ``normalise`` or ``aggregate``, or a list of aggregations that does not
        give one per level.

    Examples
    --------
    >>> idata = pd.DataFrame({"uCode": ["A", "B"], "x": [1.0, 2.0], "y": [4.0, 3.0]})
    >>> imeta = pd.DataFrame({"Level": [1, 1, 2], "iCode": ["x", "y", "Index"],
    ...     "Parent": ["Index", "Index", None], "Direction": [1, 1, 1],
    ...     "Weight": [3, 1, 1], "Type": ["Indicator", "Indicator", "Aggregate"]})
    >>> build_composite(idata, imeta).aggregated["Index"].tolist()
    [25.0, 75.0]
    """
    return _build(idata, imeta, normalise, aggregate, weights, l_u, m_sd, _Labels())


def _build(
    idata, imeta, normalise, aggregate, weights, l_u, m_sd, labels: _Labels
) -> CompositeResult:
    if normalise not in NORMALISATIONS:
        raise UsageError(f"normalise must be one of {', '.join(NORMALISATIONS)}; got {normalise!r}")
    h = parse_hierarchy(imeta, labels.meta)
    functions = _level_functions(aggregate, h)
    weight_of = _weights(imeta, weights, h, labels)
    posts = goalposts_from_meta(imeta, h, labels.meta) if normalise == "goalposts" else None
    _check_columns(idata, imeta, labels.data, labels.meta)
    units = _unit_codes(idata, labels.data)
    order = r_order(units)  # COINr's new_coin sorts the units by uCode
    out = _normalised_rows(
        idata, h, order, labels.data, normalise, l_u=l_u, m_sd=m_sd, goalposts=posts
    )
    units = units.take(order)
    _aggregate_rows(out, h, weight_of, functions, units)
    return _result(units, _unit_names(idata, units, order), out, h)


def _normalised_rows(idata, h: Hierarchy, order, label, method, **params) -> np.ndarray:
    """One row per output code, units as columns; the indicator rows filled and normalised.

    The transpose of this matrix is the units x codes table laid out as pandas stores a
    float block, so the result DataFrames need no copy; working in place on it avoids
    further 100,000 x 20 temporaries.
    """
    out = np.empty((len(h.codes), len(order)))
    scores = out[: len(h.indicators)]
    _indicator_rows(idata, h.indicators, order, label, out=scores)
    empty_before = np.isnan(scores).all(axis=1)
    normalise_matrix(scores.T, method, h.directions, out=scores.T, **params)
    _warn_empty(scores, empty_before, h, method)
    return out


def _aggregate_rows(out: np.ndarray, h: Hierarchy, weight_of: dict, functions: dict, units) -> None:
    """Fill the aggregate rows of ``out``, level by level (children are always done first)."""
    row_of = {code: i for i, code in enumerate(h.codes)}
    for group in h.groups:
        x = out[[row_of[c] for c in group.children]].T
        w = np.array([weight_of[c] for c in group.children])
        name = functions[group.level]
        if name == "gmean":
            _check_positive(x, group, units)
        out[row_of[group.code]] = _AGGREGATORS[name](x, w)


def _unit_names(idata: pd.DataFrame, units: pa.Array, order: np.ndarray) -> pa.Array:
    # COINr's new_coin uses the codes as names when iData has no uName
    if "uName" not in idata.columns:
        return units
    return pa.array(idata["uName"].astype("str"), type=pa.string(), from_pandas=True).take(order)


def _level_functions(aggregate: str | Sequence[str], h: Hierarchy) -> dict[int, str]:
    top_level = max(g.level for g in h.groups)
    names = [aggregate] * (top_level - 1) if isinstance(aggregate, str) else list(aggregate)
    if len(names) != top_level - 1:
        raise UsageError(
            f"aggregate: give one function or one per level 2..{top_level}; got {len(names)}"
        )
    for name in names:
        if name not in AGGREGATIONS:
            raise UsageError(f"aggregate must be one of {', '.join(AGGREGATIONS)}; got {name!r}")
    return {lev: name for lev, name in zip(range(2, top_level + 1), names, strict=True)}


def _weights(imeta, weights, h: Hierarchy, labels: _Labels) -> dict[str, float]:
    if weights is None:
        return weights_from_meta(imeta, h, labels.meta)
    level_of = {code: 1 for code in h.indicators} | {g.code: g.level for g in h.groups}
    return weights_from_table(weights, h, level_of, labels.weights)


def _check_positive(x: np.ndarray, group: Group, units: pa.Array) -> None:
    bad = np.argwhere(x <= 0)  # NaN compares false
    if bad.size:
        i, j = bad[0]
        raise DataError(
            f"gmean: aggregate '{group.code}' gets {x[i, j]:g} from '{group.children[j]}' for "
            f"unit '{units[int(i)].as_py()}'; COINr's a_gmean stops on values <= 0 "
            "(normalise onto a positive range, e.g. minmax with l_u=(1, 100))"
        )


def _warn_empty(scores: np.ndarray, empty_before: np.ndarray, h: Hierarchy, method: str) -> None:
    # COINr warns "The range of x is 0: returning vector of NaNs"; the NaNs then count as
    # missing in every aggregate above the indicator. Rows here are indicators.
    lost = np.isnan(scores).all(axis=1) & ~empty_before
    for j in np.flatnonzero(lost):
        warnings.warn(
            f"{method}: indicator '{h.indicators[j]}' normalises to all-missing "
            "(zero range or a single value), as in COINr",
            RuntimeWarning,
            stacklevel=4,
        )


def _result(units: pa.Array, names: pa.Array, out: np.ndarray, h: Hierarchy) -> CompositeResult:
    ucodes = pd.Series(units, dtype="str", name="uCode")
    aggregated = pd.DataFrame(out.T, columns=list(h.codes), copy=False)
    aggregated.insert(0, "uCode", ucodes)
    normalised = pd.DataFrame(out[: len(h.indicators)].T, columns=list(h.indicators), copy=False)
    normalised.insert(0, "uCode", ucodes)
    top = h.top[0]
    ranks = _ranks(units, names, out[h.codes.index(top)], top) if len(h.top) == 1 else None
    return CompositeResult(normalised, aggregated, ranks, h)


def _ranks(units: pa.Array, names: pa.Array, score: np.ndarray, code: str) -> pd.DataFrame:
    # COINr get_results: rank(-score, ties.method = "min", na.last = "keep"), best first
    rank = n_rank(-score[:, None])[:, 0]
    order = np.argsort(-score, kind="stable")  # NaN last, ties in uCode order
    return pd.DataFrame(
        {
            "uCode": pd.Series(units.take(order), dtype="str"),
            "uName": pd.Series(names.take(order), dtype="str"),
            code: score[order],
            "Rank": pd.array(rank[order], dtype="Int64"),
        }
    )


# ---------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------


def read_idata(path: str | os.PathLike) -> pd.DataFrame:
    """Read a COINr iData CSV fast (pyarrow); ``uCode``/``uName`` stay text, empty = missing.

    Examples
    --------
    >>> read_idata("ASEM_iData.csv")  # doctest: +SKIP
    """
    text = {"uCode": pa.string(), "uName": pa.string()}
    try:
        table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(column_types=text))
    except pa.ArrowInvalid as error:
        raise InputError(f"{path}: cannot read as CSV: {str(error).splitlines()[0]}") from None
    return table.to_pandas()


def read_table(path: str | os.PathLike) -> pd.DataFrame:
    """Read a small CSV (iMeta, weights) as text; empty fields and ``NA`` are missing."""
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=["", "NA"])
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot read as CSV: {str(error).splitlines()[0]}") from None


def write_csv(table: pd.DataFrame, path: str | os.PathLike) -> None:
    """Write ``table`` as CSV atomically: a temporary file in the same folder, then rename.

    Floats are written with the shortest text that reads back to the same double; missing
    values are empty fields; text is quoted (as R's ``write.csv``). The folder is created
    if needed; a reader never sees a half-written file.

    Examples
    --------
    >>> write_csv(pd.DataFrame({"uCode": ["A"], "Index": [0.1]}), "out/index.csv")  # doctest: +SKIP
    """
    arrow = pa.table({name: _arrow_column(table[name]) for name in table.columns})

    def write(temp: str) -> None:
        with open(temp, "wb") as handle:
            handle.writelines(in_order(_csv_parts(arrow), os.cpu_count() or 1, ahead=2))

    atomic_write(path, write)


WRITE_ROWS = 25_000  # rows formatted at once, the pieces in threads (100,000 rows: 0.38 -> 0.26 s)


def _csv_parts(table: pa.Table):
    """Tasks giving the CSV bytes of consecutive pieces of ``table``, the header with the
    first: joined, the bytes of one ``pacsv.write_csv`` of the table (arrow formats outside
    Python's lock)."""
    def part(start: int) -> pa.Buffer:
        sink = pa.BufferOutputStream()
        pacsv.write_csv(table.slice(start, WRITE_ROWS), sink,
                        write_options=pacsv.WriteOptions(include_header=start == 0))
        return sink.getvalue()

    return (partial(part, start) for start in range(0, max(1, table.num_rows), WRITE_ROWS))


def _arrow_column(column: pd.Series) -> pa.Array:
    if pd.api.types.is_float_dtype(column):
        values = column.to_numpy(dtype=float)
        return pa.array(values, mask=np.isnan(values))
    return pa.array(column, from_pandas=True)


def run_files(
    data_path: str | os.PathLike,
    meta_path: str | os.PathLike,
    out_path: str | os.PathLike,
    normalise: str = "minmax",
    aggregate: str | Sequence[str] = "amean",
    weights_path: str | os.PathLike | None = None,
    *,
    l_u: tuple[float, float] = (0.0, 100.0),
    m_sd: tuple[float, float] = (0.0, 1.0),
) -> CompositeResult:
    """Read iData and iMeta CSVs, build the composite, write the aggregated table to OUT.

    The output CSV has ``uCode``, the normalised indicators and every aggregate (COINr's
    ``Aggregated`` data set); it is written atomically. Errors name the file at fault.

    Examples
    --------
    >>> run_files("iData.csv", "iMeta.csv", "out/index.csv", normalise="zscore")  # doctest: +SKIP
    """
    labels = _Labels(str(data_path), str(meta_path), str(weights_path))
    idata = read_idata(data_path)
    imeta = read_table(meta_path)
    weights = read_table(weights_path) if weights_path is not None else None
    result = _build(idata, imeta, normalise, aggregate, weights, l_u, m_sd, labels)
    write_csv(result.aggregated, out_path)
    return result


__all__ = [
    "AGGREGATIONS",
    "NORMALISATIONS",
    "CompositeResult",
    "Group",
    "Hierarchy",
    "a_amean",
    "a_gmean",
    "build_composite",
    "goalposts_from_meta",
    "n_goalposts",
    "n_minmax",
    "n_prank",
    "n_rank",
    "n_zscore",
    "normalise_matrix",
    "parse_hierarchy",
    "r_order",
    "read_idata",
    "read_table",
    "run_files",
    "weights_from_meta",
    "weights_from_table",
    "write_csv",
]
