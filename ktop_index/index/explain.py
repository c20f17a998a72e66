"""Why a firm has its Tech-Index, and what would raise it: industry peer groups, the reasons
(strengths and weaknesses against the peers) and the gains of moving one indicator or domain.

Everything here speaks canonical English: a reason is an indicator's English ``label`` from
the spec (:func:`ktop_index.labels.localise_scores` turns it Korean at a writer), a gain's
``label`` the indicator's English label or the domain's name.

The functions that take a ``model`` take a fitted
:class:`~ktop_index.index.techindex.TechIndex` (this module does not import it: the estimator
imports this one).

Peer groups. A firm's peers are the reference firms of its KSIC division (2 digits) when the
model has a table for that division (it had at least ``peers.min_size`` reference firms),
else of its section (the letter), else the whole reference.

Example
-------
>>> from ktop_index.index.techindex import TechIndex
>>> from ktop_index.data.validate import read_firms                      # doctest: +SKIP
>>> firm = read_firms("data/jeju_2025_applicants.csv").head(1)           # doctest: +SKIP
>>> indicator_gains(TechIndex.load(), firm).columns.tolist()             # doctest: +SKIP
['indicator', 'label', 'domain', 'current', 'peer_median', 'target', 'gain']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ktop_index.reference import ksic_divisions

_BLOCK_ROWS = 32_768  # rows per block of the reason search
REASON_KEYS = ("strength_1", "strength_2", "weakness_1", "weakness_2")
GAIN_COLUMNS = ("indicator", "label", "domain", "current", "peer_median", "target", "gain")
STEP = 10.0  # points a firm at or above its peers' median is asked to move


# ---------------------------------------------------------------------- peer groups

def _division_and_section(ksic: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """KSIC division (2 digits) and section letter of each code ('' when unknown)."""
    codes = pd.Series(ksic, dtype="str").fillna("")
    division = codes.str.slice(0, 2)
    section = division.map(ksic_divisions()).fillna("")
    return division.to_numpy(dtype=object), section.to_numpy(dtype=object)


def peer_index(ksic, groups: list[str], n: int) -> np.ndarray:
    """Each row's peer group as a position in ``groups``: its KSIC division if listed, else
    its section if listed, else -1 (the whole reference). Works on the distinct codes only.

    Parameters
    ----------
    ksic : the rows' KSIC codes (text; missing allowed), or None (every row -1).
    groups : division codes and section letters, e.g. a model's ``industry_tables_`` keys.
    n : the number of rows (used when ``ksic`` is None).

    >>> peer_index(["10110", "26110", None, "58221"], ["26", "C"], 4).tolist()
    [1, 0, -1, -1]
    """
    return peer_indices(ksic, [groups], n)[0]


def peer_indices(ksic, group_lists: list[list[str]], n: int) -> list[np.ndarray]:
    """:func:`peer_index` for several lists of groups, the codes read once."""
    if ksic is None or not any(group_lists):
        return [np.full(n, -1, dtype=np.int64) for _ in group_lists]
    codes, uniques = pd.factorize(pd.Series(ksic, dtype="str"), use_na_sentinel=True)
    division, section = _division_and_section(np.asarray(uniques, dtype=object))
    out = []
    for groups in group_lists:
        position = {g: k for k, g in enumerate(groups)}
        per_unique = np.array([position.get(d, position.get(s, -1))
                               for d, s in zip(division, section)] + [-1], dtype=np.int64)
        out.append(per_unique[codes])  # code -1 (missing ksic) picks the trailing -1
    return out


def peer_groups(ksic: np.ndarray) -> dict[str, np.ndarray]:
    """Membership masks of every KSIC division and section present (divisions first, each
    in sorted order).

    >>> {k: v.tolist() for k, v in peer_groups(np.array(["10110", "11111"])).items()}
    {'10': [True, False], '11': [False, True], 'C': [True, True]}
    """
    division, section = _division_and_section(ksic)
    groups = {}
    for key in (division, section):
        for value in sorted(set(key) - {""}):
            groups[value] = key == value
    return groups


def peer_group_of(model, ksic) -> str:
    """The key of ``model.peer_medians_`` a firm with KSIC code ``ksic`` (None or missing:
    unknown) is compared with (``'*'``: the whole reference)."""
    groups = [g for g in model.peer_medians_ if g != "*"]
    position = int(peer_index(None if ksic is None else [ksic], groups, 1)[0])
    return "*" if position < 0 else groups[position]


# ---------------------------------------------------------------------- reasons

def reason_labels(spec: dict) -> list[str]:
    """The labels :func:`reason_codes` point into: each indicator's English label, then
    ``""`` (no reason)."""
    return [s["label"] for s in spec["indicators"]] + [""]


def reason_codes(spec: dict, peer_medians: dict, scores: np.ndarray,
                 peer: np.ndarray, columns: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """The two indicators most above and most below the industry peers' median, per row.

    Parameters
    ----------
    spec : the model's spec (indicators and domains, with their weights).
    peer_medians : group -> indicator -> the reference median score (a model's
        ``peer_medians_``; ``'*'`` the whole reference, first).
    scores : rows x indicators, the 0-100 indicator scores (NaN: no data).
    peer : each row's position in ``peer_medians`` (0: the whole reference).
    columns : the positions in the spec of ``scores``' columns (default: every indicator, in
        order); they must include every indicator of weight > 0.

    Returns
    -------
    dict
        ``strength_1``, ``strength_2``, ``weakness_1``, ``weakness_2``: positions in
        :func:`reason_labels` (the last one: no reason, where no indicator is above, or
        below, the peers). An indicator the model weighs at 0 (itself or its domain) is never
        a reason, and the second never comes from the same field as the first (not IP filings
        and IP filings per employee together).
    """
    indicators = spec["indicators"]
    names = [s["name"] for s in indicators]
    # an indicator the index gives no weight cannot explain a firm's index: search the
    # others only (``loud``, positions in the spec)
    domain_weight = {d["name"]: d["weight"] for d in spec["domains"]}
    loud = np.array([j for j, s in enumerate(indicators)
                     if s["weight"] * domain_weight[s["domain"]] > 0], dtype=np.int64)
    groups = ["*"] + [g for g in peer_medians if g != "*"]
    table = np.array([[peer_medians[g][names[j]] for j in loud] for g in groups])
    kin = _kin(indicators, loud)
    # where the searched indicators are among the score columns: a plain slice when they
    # are all of them
    at = loud if columns is None else np.searchsorted(columns, loud)
    at = slice(None) if np.array_equal(at, np.arange(scores.shape[1])) else at
    position = np.append(loud, len(names))  # back to the spec; last: no reason
    codes = {key: np.full(len(scores), len(names), dtype=np.int64) for key in REASON_KEYS}
    # in blocks that stay in cache: a million rows at once spends its time moving memory
    for start in range(0, len(scores) if len(loud) else 0, _BLOCK_ROWS):
        rows = slice(start, start + _BLOCK_ROWS)
        gap = scores[rows][:, at] - table[peer[rows]]
        for prefix, values in (("strength", gap), ("weakness", -gap)):
            np.fmax(values, -np.inf, out=values)  # no data (NaN): never chosen
            for rank in (1, 2):  # two passes of argmax beat a full sort of every row
                best = np.argmax(values, axis=1)
                chosen = np.take_along_axis(values, best[:, None], axis=1)[:, 0]
                codes[f"{prefix}_{rank}"][rows] = position[np.where(chosen > 0, best,
                                                                    len(loud))]
                if rank == 1:  # shut out the chosen indicator and its kin
                    np.put_along_axis(values, kin[best], -np.inf, axis=1)
    return codes


def _kin(indicators: list[dict], loud: np.ndarray) -> np.ndarray:
    """For each searched indicator, the searched indicators reading the same field (itself
    included), as a padded matrix of positions in ``loud``.

    Two reasons never rest on one count: IP filings and IP filings per employee (or R&D
    spending and R&D intensity) would tell the firm the same thing twice.
    """
    source = [indicators[j].get("field", indicators[j].get("numerator")) for j in loud]
    kin = [[k for k, b in enumerate(source) if b == a] for a in source]  # j among them
    width = max((len(k) for k in kin), default=1)
    return np.array([k + [k[0]] * (width - len(k)) for k in kin], dtype=np.int64).reshape(
        len(kin), width)


# ---------------------------------------------------------------------- gains

def rescore(model, scores: np.ndarray) -> float:
    """The Tech-Index of one row of indicator scores, through the model's own aggregation
    (the rating threshold left aside, so a not-rated firm's gains are still comparable)."""
    domains, _ = model._domain_scores(scores[None, :])
    return float(model._tech_index(model._composite(domains))[0])


def indicator_gains(model, firm: pd.DataFrame) -> pd.DataFrame:
    """Index points gained by moving each indicator, alone, to the industry peers' median
    score (or 10 points up, at most 100, where the firm is at or above the median).

    Parameters
    ----------
    model : a fitted TechIndex.
    firm : the firm's validated rows, the year analysed last (earlier years feed the growth
        indicators).

    Returns
    -------
    pandas.DataFrame
        One row per move that raises the index (indicators with model weight 0 never do, and
        filling a missing indicator at the median can lower it): ``indicator``, ``label``
        (the spec's English label), ``domain``, ``current``, ``peer_median``, ``target``
        (scores 0-100; ``current`` NaN where the firm has no data) and ``gain`` (Tech-Index
        points), largest gain first.
    """
    parts = model.components(firm)
    scores = parts["scores"][-1]
    names = parts["indicator_names"]
    ksic = firm["ksic"].to_numpy()[-1] if "ksic" in firm else None
    group = peer_group_of(model, ksic)
    medians = np.array([model.peer_medians_[group][n] for n in names])
    base = rescore(model, scores)
    specs = {s["name"]: s for s in model.spec_["indicators"]}
    rows = []
    for j, name in enumerate(names):
        current = scores[j]
        if np.isnan(current) or current < medians[j]:
            target = medians[j]
        else:
            target = min(current + STEP, 100.0)
        if not np.isnan(current) and target <= current:
            continue
        moved = scores.copy()
        moved[j] = target
        spec = specs[name]
        rows.append({"indicator": name, "label": spec["label"], "domain": spec["domain"],
                     "current": current, "peer_median": medians[j], "target": target,
                     "gain": rescore(model, moved) - base})
    table = pd.DataFrame(rows, columns=list(GAIN_COLUMNS))
    table = table[table["gain"] > 1e-9]  # advice is only what raises the index
    return table.sort_values("gain", ascending=False, kind="stable").reset_index(drop=True)


def domain_gains(model, firm: pd.Series) -> pd.DataFrame:
    """Index points gained by moving each domain score, alone, 10 points up (at most 100).

    ``firm``: a scored row (its domain scores, 0-100). Returns the columns of
    :func:`indicator_gains` with a domain's name as ``indicator``, ``label`` and ``domain``
    and no ``peer_median`` (NaN), largest gain first; a domain without a score, or at 100,
    has no row.
    """
    names = model._domain_names()
    scores = np.array([float(firm.get(d, np.nan)) for d in names])
    base = float(model._tech_index(model._composite(scores[None, :]))[0])
    rows = []
    for k, name in enumerate(names):
        if np.isnan(scores[k]) or scores[k] >= 100:
            continue
        moved = scores.copy()
        moved[k] = min(scores[k] + STEP, 100.0)
        gain = float(model._tech_index(model._composite(moved[None, :]))[0]) - base
        rows.append({"indicator": name, "label": name, "domain": name, "current": scores[k],
                     "peer_median": np.nan, "target": moved[k], "gain": gain})
    table = pd.DataFrame(rows, columns=list(GAIN_COLUMNS))
    return table.sort_values("gain", ascending=False, kind="stable").reset_index(drop=True)
