"""How robust is each selection: re-score the applicants under many plausible index variants.

The Tech-Index rests on choices: the domain weights, how indicators are normalised, how they
are averaged. Each variant changes those choices at once:

- **domain weights** drawn from a Dirichlet distribution centred on the model's weights
  (``concentration`` x model weights as its parameters: 40 gives each weight of 0.25 a
  standard deviation of about 0.07);
- **normalisation** of the indicators, one of: the model's goalposts (its own 0-100 scores),
  min-max within the applicants (0-100), z-score within the applicants (mapped to 0-100 as
  ``50 + 50 z / 3``, clipped, so that +-3 sd span the scale), percentile rank within the
  applicants (0-100);
- **aggregation**, within and across domains: arithmetic or geometric mean (the geometric
  mean on scores moved onto 1-100, ``1 + 0.99 s``, where it is defined).

Indicator weights within a domain and missing-data handling stay the model's. Every
variant's composite is then rescaled to the mean and sd of the model's composite among the
same applicants, so the index part of the selection score keeps the weight the call gives
it and only the order and spacing of firms change.

The intermediate scores come from one call of ``TechIndex.components``; the variants are
computed with a handful of matrix products (one per normalisation x aggregation pair), never
a Python loop over firms or variants. :func:`simulate` then ranks the applicants in every
variant with the call's own score and budget rule, giving each firm its rank interval
(5th-95th percentile) and its probability of being selected. Same seed, same numbers.

Example
-------
>>> import numpy as np
>>> sel = simulate(np.array([[3.0, 2.0, 1.0], [1.0, 2.0, 3.0]]), costs_won=[1, 1, 1],
...                budget_won=1, tie_order=[0, 1, 2])
>>> sel["selection_probability"].tolist()
[0.5, 0.0, 0.5]
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from ktop_index.errors import CallError
from ktop_index.index.composite import n_minmax, n_prank, n_zscore


@dataclass
class Variants:
    """Composite scores of the applicants under each variant (variants x firms, 0-100-ish)."""

    composite: np.ndarray
    weights: np.ndarray          # variants x domains
    normalisation: np.ndarray    # variants, index into ``normalisations``
    aggregation: np.ndarray      # variants, index into ``aggregations``
    normalisations: tuple[str, ...]
    aggregations: tuple[str, ...]


def indicator_scores(components: dict, method: str) -> np.ndarray:
    """Indicator scores (firms x indicators, 0-100, NaN missing) under one normalisation."""
    if method == "goalposts":
        return components["scores"]
    values = components["values"]  # transformed and direction-signed: higher is better
    if method == "minmax":
        return n_minmax(values, (0.0, 100.0))
    if method == "zscore":
        return np.clip(50.0 + 50.0 * n_zscore(values) / 3.0, 0.0, 100.0)
    if method == "prank":
        return 100.0 * n_prank(values)
    raise CallError(f"unknown normalisation '{method}' (expected goalposts, minmax, zscore "
                    "or prank)")


def _domain_scores(scores: np.ndarray, spec: dict, gmean: bool) -> np.ndarray:
    """Domain scores (firms x domains): weighted mean of the indicators present."""
    if gmean:
        scores = np.log1p(0.99 * scores)  # log of 1 + 0.99 s: defined for s = 0
    out = np.empty((len(scores), len(spec["domains"])))
    for k, domain in enumerate(spec["domains"]):  # loops over the four domains only
        idx = [j for j, s in enumerate(spec["indicators"]) if s["domain"] == domain["name"]]
        w = np.array([spec["indicators"][j]["weight"] for j in idx], dtype=float)
        block = scores[:, idx]
        present = ~np.isnan(block)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[:, k] = np.where(present, block, 0.0) @ w / (present @ w)
    return out  # in log units when gmean


def variant_composites(model, frame, n_variants: int = 1000, seed: int = 0,
                       concentration: float = 40.0,
                       normalisations=("goalposts", "minmax", "zscore", "prank"),
                       aggregations=("amean", "gmean"), components: dict | None = None
                       ) -> Variants:
    """The applicants' composite under ``n_variants`` random variants of the index.

    Parameters
    ----------
    model : a fitted :class:`~ktop_index.index.TechIndex`.
    frame : the applicants (validated rows), or None when ``components`` is given.
    n_variants, seed : how many variants; the seed of ``numpy.random.default_rng``.
    concentration : Dirichlet concentration (larger = weights closer to the model's).
    normalisations, aggregations : the alternatives drawn from, uniformly.
    components : the output of ``model.components(frame)`` when already computed.

    Returns
    -------
    Variants, with ``composite`` of shape (variants, firms), not yet rescaled; NaN where a
    firm has no domain score at all.
    """
    comp = model.components(frame) if components is None else components
    spec = model.spec_
    base = np.array([d["weight"] for d in spec["domains"]], dtype=float)
    base = base / base.sum()
    rng = np.random.default_rng(seed)
    weights = rng.dirichlet(concentration * base, size=n_variants)
    norm = rng.integers(len(normalisations), size=n_variants)
    agg = rng.integers(len(aggregations), size=n_variants)
    composite = np.full((n_variants, len(comp["scores"])), np.nan)
    for i, method in enumerate(normalisations):
        scores = indicator_scores(comp, method)
        for j, how in enumerate(aggregations):
            rows = np.flatnonzero((norm == i) & (agg == j))
            if rows.size == 0:
                continue
            domains = _domain_scores(scores, spec, how == "gmean")
            present = ~np.isnan(domains)
            w = weights[rows]
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = (w @ np.where(present, domains, 0.0).T) / (w @ present.T)
            composite[rows] = np.expm1(mean) / 0.99 if how == "gmean" else mean
    return Variants(composite, weights, norm, agg, tuple(normalisations), tuple(aggregations))


def rescale(composite: np.ndarray, base: np.ndarray, pool: np.ndarray) -> np.ndarray:
    """Rescale each variant (row) to the mean and sd of ``base`` over the ``pool`` firms.

    A cell a variant cannot compute (every indicator of the firm constant among the
    applicants under that normalisation, so min-max and ranks are undefined) takes the
    model's value ``base``, rather than counting as a zero.
    """
    target_mean = np.nanmean(base[pool])
    target_sd = np.nanstd(base[pool])
    block = composite[:, pool]
    with warnings.catch_warnings():  # a variant with no value at all: NaN, filled below
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(block, axis=1, keepdims=True)
        sd = np.nanstd(block, axis=1, keepdims=True)
    sd = np.where(sd > 0, sd, 1.0)
    scaled = target_mean + target_sd * (composite - mean) / sd
    return np.where(np.isnan(scaled), base, scaled)


def simulate(scores: np.ndarray, costs_won, budget_won: int, tie_order,
             max_firms: int = 0) -> dict:
    """Rank and select in every variant with the call's rank-order budget rule.

    Parameters
    ----------
    scores : (variants, firms) selection scores; ``-inf`` = not eligible in that variant.
    costs_won : support of each firm, whole won.
    budget_won : the budget, whole won; ``max_firms`` the call's number of firms (0 = none).
    tie_order : firm positions in the deterministic tie-break order (best first); a tie in
        a variant's score is broken by it.

    Returns
    -------
    dict of arrays per firm: ``rank_low``, ``rank_high`` (5th/95th percentile of the rank,
    1 = best), ``rank_median``, ``selection_probability`` (share of variants in which it is selected).
    """
    scores = np.asarray(scores, dtype="float64")
    tie_order = np.asarray(tie_order)
    costs = np.asarray(costs_won, dtype=np.int64)[tie_order]
    ordered = scores[:, tie_order]
    order = np.argsort(-ordered, axis=1, kind="stable")  # stable: ties keep tie_order
    n_var, n = ordered.shape
    positions = np.broadcast_to(np.arange(n), (n_var, n))
    running = np.cumsum(costs[order], axis=1)
    picked = (running <= budget_won) & np.isfinite(np.take_along_axis(ordered, order, axis=1))
    if max_firms:
        picked &= positions < max_firms
    picked = np.logical_and.accumulate(picked, axis=1)  # stop at the first that does not fit
    rank = np.empty((n_var, n), dtype=np.int64)
    np.put_along_axis(rank, order, positions + 1, axis=1)
    selected = np.zeros((n_var, n), dtype=bool)
    np.put_along_axis(selected, order, picked, axis=1)
    back = np.empty(n, dtype=np.int64)
    back[tie_order] = np.arange(n)  # from tie order back to the caller's order
    rank, selected = rank[:, back], selected[:, back]
    low, mid, high = np.quantile(rank, [0.05, 0.5, 0.95], axis=0, method="inverted_cdf")
    return {"rank_low": low.astype(np.int64), "rank_median": mid.astype(np.int64),
            "rank_high": high.astype(np.int64), "selection_probability": selected.mean(axis=0)}


def flags(selected: np.ndarray, eligible: np.ndarray, selection_probability: np.ndarray,
          threshold: float = 0.5) -> np.ndarray:
    """``robust`` / ``fragile`` for selected firms, ``often_selected`` for others, else ''.

    A selected firm is fragile when it is selected in fewer than ``threshold`` of the
    variants; an eligible firm not selected is often selected when it is selected in at
    least ``threshold`` of them.
    """
    out = np.full(len(selected), "", dtype=object)
    out[selected & (selection_probability >= threshold)] = "robust"
    out[selected & (selection_probability < threshold)] = "fragile"
    out[~selected & eligible & (selection_probability >= threshold)] = "often_selected"
    return out
