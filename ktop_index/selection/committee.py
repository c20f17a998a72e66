"""Presentation-evaluation scores (발표평가): evaluator totals, the trimmed mean, the spread.

A scores table is long: one row per firm, evaluator and item, with the points given
(``brn`` 사업자등록번호, ``evaluator`` 평가위원, ``item`` 평가항목, ``points`` 점수). For each firm:

1. each evaluator's total = the sum of that evaluator's item points (0-100 on a 100-point
   table);
2. when the firm has at least ``min_for_trim`` evaluators (default 5), the single highest
   and the single lowest total are dropped (the common rule of Korean public evaluations,
   최고·최저 점수 제외);
3. ``committee_score`` = the mean of the remaining totals.

The spread is reported per firm (sd, min, max of the totals) and per evaluator
(:func:`evaluator_spread`: how far an evaluator's totals sit from the other evaluators' mean
for the same firms — a lenient or severe evaluator shows as a constant offset).

``reference/committee_2025.csv`` is the ministry's 100-point table from the 2025
announcement (section 5, 선정평가 지표), shipped as a preset: item ids, Korean and English
wording, maximum points. The announcement uses it to select the TPs' projects; TPs commonly
adapt such a table for the firms' presentations, so it is a starting point, not a rule.

Example
-------
>>> import pandas as pd
>>> s = pd.DataFrame({"brn": ["124-81-00998"] * 5, "evaluator": list("ABCDE"),
...                   "item": ["total"] * 5, "points": [90, 80, 70, 60, 10]})
>>> float(aggregate(s)["committee_score"].iloc[0])
70.0
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from ktop_index import reference
from ktop_index.data.brn import brn_problem, format_brn
from ktop_index.data.contract import header_key
from ktop_index.errors import DataError

COLUMNS = {"brn": ("brn", "사업자등록번호", "사업자번호", "business_number"),
           "evaluator": ("evaluator", "평가위원", "위원", "심사위원"),
           "item": ("item", "평가항목", "항목", "평가지표"),
           "points": ("points", "점수", "배점점수", "평가점수", "score")}


def load_preset(name: str = "committee_2025") -> pd.DataFrame:
    """A bundled item table: item, Korean/English text, max_points (see :mod:`ktop_index.reference`)."""
    return reference.committee_preset(name)


def read_scores(path: str | os.PathLike, items: pd.DataFrame | None = None) -> pd.DataFrame:
    """Read and check a long scores file (CSV/XLSX; Korean or English headers).

    Raises :class:`~ktop_index.errors.DataError` with ``FILE:ROW:COLUMN: problem`` on the
    first bad cell: a missing column, an invalid business number, points that are not a
    number, negative, or above the item's maximum (when ``items`` is given), an item not in
    ``items``, or one firm, evaluator and item given twice.
    """
    from ktop_index.data.io import read_table

    raw = read_table(path)
    return check_scores(raw.frame, source=raw.source, rows=raw.rows, items=items)


def check_scores(frame: pd.DataFrame, source: str = "<scores>", rows=None,
                 items: pd.DataFrame | None = None) -> pd.DataFrame:
    """Map headers, check every cell, return ``brn, evaluator, item, points``."""
    rows = np.arange(len(frame)) + 2 if rows is None else np.asarray(rows)
    keys = {header_key(c): c for c in frame.columns}
    picked = {}
    for name, aliases in COLUMNS.items():
        header = next((keys[header_key(a)] for a in aliases if header_key(a) in keys), None)
        if header is None:
            if name == "item":  # one total per evaluator is allowed
                continue
            raise DataError(f"{source}:1:-: column {name} ({aliases[1]}) is missing "
                            f"(expected columns {', '.join(a[1] for a in COLUMNS.values())})")
        picked[name] = header
    out = pd.DataFrame({"brn": frame[picked["brn"]].astype("str"),
                        "evaluator": frame[picked["evaluator"]].astype("str").str.strip(),
                        "item": (frame[picked["item"]].astype("str").str.strip()
                                 if "item" in picked else "total")})
    for i, value in enumerate(out["brn"]):
        why = brn_problem(value) if not pd.isna(value) else "empty"
        if why:
            raise DataError(f"{source}:{rows[i]}:{picked['brn']}: invalid business number "
                            f"'{value}': {why}")
    out["brn"] = out["brn"].map(format_brn)
    points = pd.to_numeric(frame[picked["points"]], errors="coerce").to_numpy(dtype="float64")
    for i in np.flatnonzero(np.isnan(points) | (points < 0)):
        raise DataError(f"{source}:{rows[i]}:{picked['points']}: "
                        f"'{frame[picked['points']].iat[i]}' is not a score "
                        "(expected a number, 0 or more)")
    out["points"] = points
    if items is not None:
        maximum = dict(zip(items["item"], items["max_points"]))
        for i, (item, value) in enumerate(zip(out["item"], points)):
            if item not in maximum:
                raise DataError(f"{source}:{rows[i]}:{picked.get('item', 'item')}: unknown "
                                f"item '{item}' (expected one of {', '.join(maximum)})")
            if value > maximum[item]:
                raise DataError(f"{source}:{rows[i]}:{picked['points']}: {value:g} is above "
                                f"the {maximum[item]:g} points of item '{item}'")
    dup = out.duplicated(["brn", "evaluator", "item"]).to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise DataError(f"{source}:{rows[i]}:-: firm {out['brn'].iat[i]}, evaluator "
                        f"{out['evaluator'].iat[i]}, item {out['item'].iat[i]} given twice "
                        "(expected one score per firm, evaluator and item)")
    return out


def evaluator_totals(scores: pd.DataFrame) -> pd.DataFrame:
    """One row per firm and evaluator: ``brn, evaluator, total`` (sum of item points)."""
    return (scores.groupby(["brn", "evaluator"], sort=True)["points"].sum()
            .rename("total").reset_index())


def aggregate(scores: pd.DataFrame, min_for_trim: int = 5) -> pd.DataFrame:
    """Per firm: the committee score (trimmed mean of evaluator totals) and its spread.

    Parameters
    ----------
    scores : long table ``brn, evaluator, item, points`` (see :func:`check_scores`).
    min_for_trim : drop the highest and the lowest total when a firm has at least this many
        evaluators (default 5); 0 never trims.

    Returns
    -------
    DataFrame, one row per ``brn`` (sorted): ``committee_score`` (points, 0-100 on the
    100-point table), ``committee_evaluators``, ``committee_trimmed`` (bool),
    ``committee_sd`` (sample sd of all totals; NaN with one evaluator), ``committee_min``,
    ``committee_max``.
    """
    totals = evaluator_totals(scores)
    rows = []
    for brn, group in totals.groupby("brn", sort=True):  # a loop over firms, tens of them
        values = np.sort(group["total"].to_numpy(dtype="float64"))
        trim = bool(min_for_trim) and len(values) >= max(min_for_trim, 3)
        kept = values[1:-1] if trim else values
        rows.append({"brn": brn, "committee_score": float(kept.mean()),
                     "committee_evaluators": len(values), "committee_trimmed": trim,
                     "committee_sd": float(values.std(ddof=1)) if len(values) > 1 else np.nan,
                     "committee_min": float(values[0]), "committee_max": float(values[-1])})
    return pd.DataFrame(rows, columns=["brn", "committee_score", "committee_evaluators",
                                       "committee_trimmed", "committee_sd", "committee_min",
                                       "committee_max"])


def evaluator_spread(scores: pd.DataFrame) -> pd.DataFrame:
    """Per evaluator: firms scored, mean total, and mean offset from the other evaluators.

    ``mean_offset`` = the mean, over the firms the evaluator scored, of (their total - the
    mean total of the other evaluators of that firm): about +5 means five points more
    lenient than colleagues. ``sd_offset`` is its sample sd.
    """
    totals = evaluator_totals(scores)
    firm_sum = totals.groupby("brn")["total"].transform("sum")
    firm_n = totals.groupby("brn")["total"].transform("count")
    others = (firm_sum - totals["total"]) / (firm_n - 1).where(firm_n > 1)
    totals["offset"] = totals["total"] - others
    out = totals.groupby("evaluator", sort=True).agg(
        firms=("brn", "count"), mean_total=("total", "mean"),
        mean_offset=("offset", "mean"), sd_offset=("offset", "std"))
    return out.reset_index()
