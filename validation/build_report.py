"""Rebuild the real-data validation report, docs/validation.md (and docs/validation.json).

    python validation/build_report.py --data ../shared/real-data -o docs/validation.md
           [--json docs/validation.json] [--seed 0] [--bootstrap 200] [--no-jeju]

For each real panel of ``--data`` (``validation/real_panels.py`` maps each to the data
contract; an absent panel is skipped and the report says so) the held-out ROC AUC, with
firm-bootstrap 95 % intervals, of:

(a) the bundled default model (``models/default.json``, fitted on synthetic firms), its
    composite of the domains the panel has data for;
(b) the model refitted on the panel (:class:`ktop_index.growth.model.GrowthModel`), judged on
    the rows its own validation scheme held out (out of time, next cohort or firm-grouped
    cross-validation, as ``GrowthModel`` names it);
(c) equal weights over the same indicators (the mean of the indicator scores the panel has);
(d) the single indicator that ranks the training part best;
(e) size alone (smaller = higher) and youth alone (where a founding year exists);

with the refit's paired gain over each, its grades (observed rate per grade, Jeffreys
intervals, monotonicity) and its calibration (reliability table, Brier score). Then the
section "Size and youth": the options (i) as now, (ii) size and youth as explicit
high-growth indicators (employees and firm age counted with direction -1), (iii) size-adjusted
outcomes (high growth judged within size quintiles of the base year) on every real panel, on
the synthetic reference panel of the default model, and on the bundled Jeju applicants (who
is selected, how the fragile set changes). Then the section "A real-fitted component in the
default?" (``validation/hybrid.py``): the default with FnGuide-fitted within-domain weights
for the financial indicators against the default, on FnGuide (next cohort, cross-validation
inside 2017), on the synthetic truth and in the Jeju call, DART's refit against the default,
and the decision with its reasons (``"shipped": false, "reasons": [...]``).

At its end it writes the bundled model's card, ``models/default.md`` (``--card``; not with
``--no-card``): ``model_card(default.json, "default.json", evidence=<the JSON figures>)``,
which leads with these real-firm figures; tests/test_data.py checks the committed card is
exactly that, from the committed docs/validation.json.

Deterministic: the same data and seed give a byte-identical report, JSON and card (no times,
no paths of this machine). Run time: about a minute on two cores (63 s measured).
"""

from __future__ import annotations

import argparse
import contextlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

# real_panels, render_report: this folder's modules (`python validation/build_report.py` puts
# validation/ on the path)
from real_panels import RealPanel, load_panels
from render_report import render

import ktop_index.growth.model as growth_model
from ktop_index.data.validate import read_firms
from ktop_index.growth.card import write_card
from ktop_index.growth.model import GrowthModel
from ktop_index.growth.validation import (
    auc,
    bootstrap_interval,
    grade_table,
    monotonicity,
    reliability_table,
)
from ktop_index.index.composite import a_amean
from ktop_index.index.spec import MODEL_FILE, load_spec, model_path
from ktop_index.index.techindex import TechIndex

ROOT = Path(__file__).resolve().parents[1]
PERSPECTIVES = ("high_growth", "sustainable_growth")
PERSPECTIVE_TEXT = {"high_growth": "high growth", "sustainable_growth": "sustainable growth"}
#: Size quintiles of the base year for the size-adjusted outcome of option (iii).
SIZE_BANDS = 5
#: Groups of the reliability tables (real panels are small: 5 groups of equal size).
RELIABILITY_GROUPS = 5
#: The fixed time stamp of the Jeju selections' audits (no wall-clock time in the report).
CREATED = "2025-01-01T00:00:00Z"
#: The synthetic reference panel of the bundled default model (docs/growth_model.md, 5).
REFERENCE_PANEL = {"n_firms": 20000, "years": (2014, 2024), "seed": 0}


# ====================================================================== metrics

def lowest_for_missing(values) -> np.ndarray:
    """Scores with missing values ranked below every present one (a firm without data is
    not preferred).

    >>> lowest_for_missing([2.0, np.nan, 5.0]).tolist()
    [2.0, 1.0, 5.0]
    """
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    floor = finite.min() - 1.0 if finite.size else 0.0
    return np.where(np.isfinite(values), values, floor)


class FirmBootstrap:
    """Firm-level bootstrap weights of a set of rows (a firm's rows are resampled together).

    Parameters
    ----------
    firms : (n,) firm keys of the rows. n_draws : int. seed : int.
    """

    def __init__(self, firms, n_draws: int, seed: int):
        codes = pd.factorize(pd.Series(firms).astype("str"))[0]
        n_firms = int(codes.max()) + 1 if len(codes) else 0
        rng = np.random.default_rng(seed)
        self.weights = [np.bincount(rng.integers(0, n_firms, n_firms),
                                    minlength=n_firms)[codes].astype(float)
                        for _ in range(n_draws)]

    def auc(self, score, y) -> dict:
        """AUC (missing scores lowest) with its 95 % percentile interval."""
        score = lowest_for_missing(score)
        draws = [auc(score, y, w) for w in self.weights]
        return {"auc": _r(auc(score, y)), "ci": bootstrap_interval(draws)}

    def gain(self, score, other, y) -> dict:
        """AUC of ``score`` minus that of ``other`` on the same draws, interval and verdict."""
        score, other = lowest_for_missing(score), lowest_for_missing(other)
        draws = [auc(score, y, w) - auc(other, y, w) for w in self.weights]
        ci = bootstrap_interval(draws)
        return {"gain": _r(auc(score, y) - auc(other, y)), "ci": ci, "verdict": verdict(ci)}



def known_outcomes(held: pd.DataFrame, perspective: str, n_bootstrap: int, seed: int):
    """The held-out rows whose ``perspective`` label is known: their mask, their 0/1 labels
    and a firm bootstrap over them."""
    y_all = held[perspective].to_numpy(dtype=float)
    use = np.isfinite(y_all)
    return use, y_all[use].astype(int), FirmBootstrap(held.loc[use, "firm_id"], n_bootstrap,
                                                      seed)

def verdict(ci) -> str:
    """What a paired interval of 'refit minus baseline' says."""
    if ci and ci[0] > 0:
        return "refit better"
    if ci and ci[1] < 0:
        return "baseline better"
    return "no clear difference"


def grades_block(grades, y, prob, order: list[str]) -> dict:
    """The master scale of the held-out rows, as ``ktop fit`` reports it: per grade the
    observed rate with its Jeffreys interval and traffic light against the mean predicted
    probability, and the monotonicity verdict (Cochran-Armitage trend test, adjacent
    inversions); ``ktop_index.growth.validation.grade_table`` and ``monotonicity``."""
    table = grade_table(np.asarray(grades, dtype=object), np.asarray(y, dtype=int),
                        np.asarray(prob, dtype=float), order)
    return {"rows": [r for r in table if r["n"]], "monotonicity": monotonicity(table)}


def calibration(prob, y) -> dict:
    """Brier score against the base rate's, mean predicted and observed rate, and the
    reliability table."""
    prob, y = np.asarray(prob, dtype=float), np.asarray(y, dtype=float)
    return {"brier": _r(np.mean((prob - y) ** 2)),
            "brier_base_rate": _r(np.mean((y.mean() - y) ** 2)),
            "mean_predicted": _r(prob.mean()), "observed": _r(y.mean()),
            "reliability": [{k: (_r(v) if isinstance(v, float) else v) for k, v in row.items()}
                            for row in reliability_table(prob, y, bins=RELIABILITY_GROUPS)]}


def _r(value, digits: int = 4):
    """Rounded for the report (None for NaN): the JSON and the text stay byte-stable."""
    if value is None:
        return None
    value = float(value)
    return None if not np.isfinite(value) else round(value, digits)


# ====================================================================== baselines

def equal_weight_score(scores: np.ndarray, columns: list[int]) -> np.ndarray:
    """The mean of a row's present indicator scores among ``columns`` (NaN with none).

    >>> equal_weight_score(np.array([[10.0, 30.0, 99.0], [np.nan, 20.0, 99.0]]), [0, 1]).tolist()
    [20.0, 20.0]
    """
    block = scores[:, columns]
    return a_amean(block, np.ones(len(columns)))


def best_indicator(scores: np.ndarray, names: list[str], y, rows, columns: list[int]
                   ) -> tuple[str, int, float]:
    """The indicator (among ``columns``) whose score ranks the ``rows`` best for ``y``
    (missing scores lowest); ties go to the first in the spec's order.

    >>> s = np.array([[1.0, 4.0], [2.0, 3.0], [3.0, 2.0], [4.0, 1.0]])
    >>> best_indicator(s, ["a", "b"], np.array([0, 0, 1, 1]), np.ones(4, bool), [0, 1])
    ('a', 0, 1.0)
    """
    best, best_auc = columns[0], -1.0
    for j in columns:
        value = auc(lowest_for_missing(scores[rows, j]), np.asarray(y)[rows])
        if np.isfinite(value) and value > best_auc:
            best, best_auc = j, value
    return names[best], best, float(best_auc)


def size_measure(frame: pd.DataFrame) -> tuple[str, np.ndarray] | None:
    """Employees where the panel has them, else revenue: the size a firm is measured by."""
    for name in ("employees", "revenue"):
        if name in frame and frame[name].notna().any():
            return name, frame[name].to_numpy(dtype=float, na_value=np.nan)
    return None


def smallness(frame: pd.DataFrame) -> tuple[str, np.ndarray] | None:
    """Size alone, smaller = higher: minus log(1 + size).

    >>> smallness(pd.DataFrame({"employees": [1.0, 9.0]}))[1].round(3).tolist()
    [-0.693, -2.303]
    """
    measure = size_measure(frame)
    if measure is None:
        return None
    return measure[0], -np.log1p(np.maximum(measure[1], 0))


def youth(frame: pd.DataFrame) -> np.ndarray | None:
    """Youth alone, younger = higher: minus firm age (None without firm age)."""
    if "firm_age" in frame and frame["firm_age"].notna().any():
        return -frame["firm_age"].to_numpy(dtype=float, na_value=np.nan)
    if "founded" in frame and frame["founded"].notna().any():
        return -(frame["year"] - frame["founded"]).to_numpy(dtype=float, na_value=np.nan)
    return None


def default_composite(frame: pd.DataFrame, model: TechIndex) -> tuple[np.ndarray, float]:
    """The bundled model's composite of the domains a row has data for (the panel's rows are
    mostly not rated: half the index is missing), and the share of rows it rates."""
    parts = model.components(frame)
    weights = np.array([d["weight"] for d in model.spec_["domains"]], dtype=float)
    return a_amean(parts["domains"], weights), float(parts["rated"].mean())


# ====================================================================== option (iii)

def size_adjusted_high_growth(panel: pd.DataFrame, labels: pd.DataFrame,
                              measure: str, bands: int = SIZE_BANDS) -> np.ndarray:
    """High growth judged within size bands: in each base year, rows with a known
    high-growth label are put in ``bands`` quantile bands of their size (employees, else
    revenue, at t); a row is high-growth when its growth over the horizon ranks in the top
    share of its band-year, that share being the year's overall high-growth rate. So every
    size band has the same rate, and the base rate is unchanged. Exits rank lowest.

    ``measure``: 'employees', 'revenue' or 'either' (the larger of the two growth rates).

    >>> p = pd.DataFrame({"year": [1] * 4, "employees": [1.0, 2.0, 100.0, 200.0]})
    >>> lab = pd.DataFrame({"high_growth": [1.0, 1.0, 0.0, 0.0], "exited": [False] * 4,
    ...                     "employment_growth": [0.5, 0.4, 0.1, 0.0],
    ...                     "revenue_growth": [np.nan] * 4})
    >>> size_adjusted_high_growth(p, lab, "employees", bands=2).tolist()
    [1.0, 0.0, 1.0, 0.0]
    """
    known = labels["high_growth"].notna().to_numpy()
    emp = labels["employment_growth"].to_numpy(dtype=float, na_value=np.nan)
    rev = labels["revenue_growth"].to_numpy(dtype=float, na_value=np.nan)
    growth = {"employees": emp, "revenue": rev}.get(measure, np.fmax(emp, rev))
    growth = np.where(np.isfinite(growth), growth, -np.inf)  # exits, unmeasured: lowest
    size = size_measure(panel)[1]
    out = np.full(len(panel), np.nan)
    year = panel["year"].to_numpy()
    for y in np.unique(year[known]):
        rows = np.flatnonzero(known & (year == y))
        rate = float(labels["high_growth"].to_numpy(dtype=float)[rows].mean())
        order = pd.Series(np.nan_to_num(size[rows], nan=0.0)).rank(method="first")
        band = np.ceil(order.to_numpy() * bands / len(rows)).astype(int)
        for b in np.unique(band):
            member = rows[band == b]
            share = pd.Series(growth[member]).rank(method="average", pct=True).to_numpy()
            # the top `rate` of the band: ranks above 1 - rate (at least one when rate > 0)
            cut = 1 - rate
            out[member] = (share > cut + 1e-12).astype(float)
    return out


@contextlib.contextmanager
def size_adjusted_labels(measure: str):
    """Inside: GrowthModel labels high growth within size bands (option iii).

    A report-side experiment, not a feature of the package: the fit's labelling function is
    wrapped for the duration of the block, and restored after it.
    """
    original = growth_model.label_outcomes

    def labelled(panel, *args, **kwargs):
        labels = original(panel, *args, **kwargs)
        return labels.assign(high_growth=size_adjusted_high_growth(panel, labels, measure))

    growth_model.label_outcomes = labelled
    try:
        yield
    finally:
        growth_model.label_outcomes = original


def small_and_young_spec(frame: pd.DataFrame | None = None, spec=None) -> dict:
    """Option (ii): the spec with employees and firm age counted in reverse (direction -1),
    so that the non-negative fit can reward small and young firms where they grow faster.
    For a panel without employees (``frame`` given), size is its revenue: an indicator
    ``smaller_revenue`` (log revenue, direction -1, infrastructure) is added."""
    spec = load_spec(spec)
    for indicator in spec["indicators"]:
        if indicator["name"] in ("employees", "firm_age"):
            indicator["direction"] = -1
            indicator["label"] = {"employees": "fewer employees",
                                  "firm_age": "fewer years in business"}[indicator["name"]]
    measure = size_measure(frame) if frame is not None else None
    if measure is not None and measure[0] == "revenue":
        spec["indicators"].append({
            "name": "smaller_revenue", "domain": "infrastructure", "kind": "field",
            "field": "revenue", "transform": "log1p", "direction": -1, "weight": 1,
            "unit": "KRW thousand", "label": "smaller revenue", "label_ko": "작은 매출 규모"})
    spec["name"] = spec.get("name", "") + " (size and youth reversed)"
    return spec


# ====================================================================== one panel

def fit_model(frame: pd.DataFrame, rules, seed: int, n_bootstrap: int, spec=None,
              description: str = "") -> GrowthModel:
    """The refit of (b), the options' fits: bootstrap refits of the weights are not needed
    for held-out AUCs, so none."""
    return GrowthModel(spec=spec, rules=rules, seed=seed, n_bootstrap=n_bootstrap,
                       n_refits=0).fit(frame, description=description)


def held_out_positions(frame: pd.DataFrame, held: pd.DataFrame) -> np.ndarray:
    """The panel row of each held-out row (by firm and year)."""
    key = pd.MultiIndex.from_arrays([frame["firm_id"].astype("str"), frame["year"]])
    return key.get_indexer(pd.MultiIndex.from_arrays([held["firm_id"].astype("str"),
                                                      held["year"]]))


def training_rows(scheme: dict, held: pd.DataFrame, positions: np.ndarray,
                  frame: pd.DataFrame, known: np.ndarray) -> dict:
    """Per fold of the held-out rows (a position in ``held``): the panel rows it was trained
    on (known label). Out of time and next cohort: the scheme's training years; grouped CV:
    the labelled rows of the other folds."""
    folds = held["fold"].fillna(0).to_numpy() if "fold" in held else np.zeros(len(held))
    out = {}
    for fold in np.unique(folds):
        if scheme.get("name") == "grouped_cv":
            other = np.zeros(len(frame), dtype=bool)
            other[positions[folds != fold]] = True
            train = other & known
        else:
            train = frame["year"].isin(scheme.get("train_years", [])).to_numpy() & known
        out[fold] = (folds == fold, train)
    return out


def evaluate_panel(panel: RealPanel, default: TechIndex, seed: int, n_bootstrap: int) -> dict:
    """Every figure of one panel's section (see the module docstring)."""
    frame = panel.frame
    model = fit_model(frame, panel.rules, seed, n_bootstrap, description=panel.title)
    growth = model.growth_
    held = model.held_out_.reset_index(drop=True)
    positions = held_out_positions(frame, held)
    parts = model.index_.components(frame)
    scores, names = parts["scores"], parts["indicator_names"]
    present = [j for j in range(len(names)) if np.isfinite(scores[:, j]).any()]
    default_values, default_rated = default_composite(frame, default)
    small = smallness(frame)
    young = youth(frame)
    order = [g for g, _ in model.index_.grade_cutoffs_]
    perspectives = [p for p in PERSPECTIVES if p in model.perspectives_]
    result = {"name": panel.name, "title": panel.title, **panel.summary(),
              "units": panel.units, "caveats": panel.caveats, "mapping": panel.mapping,
              "absent_fields": panel.absent,
              "field_coverage": {f: _r(frame[f].notna().mean()) for f in panel.mapping
                                 if f in frame and f not in ("firm_id", "firm_name", "year")},
              "absent_indicators": getattr(model, "absent_indicators_", {}),
              "indicators_with_data": [names[j] for j in present],
              "outcomes": growth.get("outcomes", {}),
              "scheme": growth["validation"]["scheme"],
              "default_rated_share": _r(default_rated),
              "untrained_indicators": untrained_indicators(
                  scores, names, present, model, frame, growth["validation"]["scheme"]),
              "weights": {"domains": model.weights_,
                          "indicators": _index_shares(model)},
              "perspectives": {}}
    for p in perspectives:
        use, y, boot = known_outcomes(held, p, n_bootstrap, seed)
        rows = positions[use]
        known = model.labels_[p].notna().to_numpy()
        label_values = np.nan_to_num(model.labels_[p].to_numpy(dtype=float)).astype(int)
        # (d) per fold: the indicator best on its training rows, applied to its test rows
        best_values = np.full(len(held), np.nan)
        chosen = []
        for fold, (member, train) in training_rows(growth["validation"]["scheme"], held,
                                                   positions, frame, known).items():
            name, j, train_auc = best_indicator(scores, names, label_values, train, present)
            chosen.append({"fold": _plain_fold(fold), "indicator": name,
                           "train_auc": _r(train_auc)})
            best_values[member] = lowest_for_missing(scores[:, j])[positions[member]]
        candidates = {"default": default_values[rows],
                      "refit": held.loc[use, "index"].to_numpy(dtype=float),
                      "equal_weights": equal_weight_score(scores, present)[rows],
                      "best_indicator": best_values[use]}
        if small is not None:
            candidates["smaller"] = small[1][rows]
        if young is not None:
            candidates["younger"] = young[rows]
        test_years = frame["year"].isin(growth["validation"]["scheme"]["test_years"])
        block = {"rows": int(use.sum()), "firms": int(held.loc[use, "firm_id"].nunique()),
                 "known_in_test_years": int((known & test_years.to_numpy()).sum()),
                 "positive_rate": _r(y.mean()), "positives": int(y.sum()),
                 "best_indicator": chosen,
                 "size_measure": small[0] if small else None,
                 "auc": {k: boot.auc(v, y) for k, v in candidates.items()},
                 "refit_gain": {k: boot.gain(candidates["refit"], v, y)
                                for k, v in candidates.items() if k != "refit"},
                 "grades": grades_block(held.loc[use, "grade"].to_numpy(dtype=object), y,
                                        held.loc[use, f"p_{p}"].to_numpy(dtype=float), order),
                 "calibration": calibration(held.loc[use, f"p_{p}"].to_numpy(dtype=float),
                                            y)}
        result["perspectives"][p] = block
    result["size_options"] = size_options(panel, model, seed, n_bootstrap)
    return result


def untrained_indicators(scores: np.ndarray, names: list[str], present: list[int],
                         model: GrowthModel, frame: pd.DataFrame, scheme: dict) -> list[dict]:
    """Indicators with data that have (almost) no value in the rows the held-out fit was
    trained on (out of time, next cohort: the training base years) but do in the test years:
    a panel's first year has no growth from the year before. The fit counts a missing score
    as the mean of the row's present indicators in its domain, so in training such an
    indicator copies its domain peers' scores, and the refit's split between them is not
    learned there. Each with its coverage (share of labelled rows with a score) in the
    training and the test base years and its present peers in the domain.

    >>> m = type("M", (), {"labels_": pd.DataFrame({"high_growth": [0.0, 1.0, 0.0, 1.0]}),
    ...                    "index_": type("I", (), {"spec_": {"indicators": [
    ...     {"name": "g", "domain": "o"}, {"name": "m", "domain": "o"}]}})()})()
    >>> s = np.array([[np.nan, 1.0], [np.nan, 2.0], [5.0, 1.0], [6.0, 2.0]])
    >>> f = pd.DataFrame({"year": [2016, 2016, 2017, 2017]})
    >>> untrained_indicators(s, ["g", "m"], [0, 1], m, f, {"name": "next_cohort",
    ...                      "train_years": [2016], "test_years": [2017]})[0]["peers"]
    ['m']
    """
    if scheme.get("name") == "grouped_cv":
        return []  # trained on the test year's other firms: the same coverage
    known = np.zeros(len(frame), dtype=bool)
    for p in PERSPECTIVES:
        if p in model.labels_:
            known |= model.labels_[p].notna().to_numpy()
    years = frame["year"].to_numpy()
    train = known & np.isin(years, scheme.get("train_years", []))
    test = known & np.isin(years, scheme.get("test_years", []))
    if not train.any() or not test.any():
        return []
    domain_of = {s["name"]: s["domain"] for s in model.index_.spec_["indicators"]}
    out = []
    for j in present:
        have = np.isfinite(scores[:, j])
        in_train, in_test = float(have[train].mean()), float(have[test].mean())
        if in_train < 0.01 and in_test >= 0.5:
            peers = [names[k] for k in present
                     if k != j and domain_of[names[k]] == domain_of[names[j]]]
            out.append({"indicator": names[j], "domain": domain_of[names[j]],
                        "train_coverage": _r(in_train), "test_coverage": _r(in_test),
                        "peers": peers})
    return out


def _plain_fold(fold):
    return int(fold) if float(fold).is_integer() else float(fold)


def _index_shares(model: GrowthModel, top: int = 8) -> dict:
    """The largest shares of the index (domain weight x weight within the domain)."""
    domain_of = {s["name"]: s["domain"] for s in model.index_.spec_["indicators"]}
    shares = {i: model.weights_[domain_of[i]] * w for i, w in model.indicator_weights_.items()}
    ranked = sorted(shares.items(), key=lambda kv: (-kv[1], kv[0]))
    return {k: _r(v) for k, v in ranked[:top] if v > 0}


# ====================================================================== size and youth

def size_options(panel: RealPanel, model: GrowthModel, seed: int, n_bootstrap: int,
                 truth_label: bool = False) -> dict:
    """Held-out AUC of options (i), (ii), (iii) on one panel: each fitted by GrowthModel
    under the same scheme; AUC against the standard labels (and, for (iii), its own
    size-adjusted label)."""
    frame = panel.frame
    fits = {"i_as_now": model,
            "ii_small_young_indicators": fit_model(frame, panel.rules, seed, 0,
                                                   spec=small_and_young_spec(frame),
                                                   description=panel.title)}
    measure = model.growth_.get("outcomes", {}).get("measure", panel.rules.measure)
    with size_adjusted_labels(measure):
        fits["iii_size_adjusted_outcomes"] = fit_model(frame, panel.rules, seed, 0,
                                                       description=panel.title)
    standard = model.held_out_.set_index(["firm_id", "year"])
    small = smallness(frame)
    out = {"measure": measure, "options": {}}
    for name, fit in fits.items():
        held = fit.held_out_.set_index(["firm_id", "year"])
        entry = {}
        for p in PERSPECTIVES:
            if p not in standard:
                continue
            y = standard[p].reindex(held.index).to_numpy(dtype=float)
            use = np.isfinite(y)
            boot = FirmBootstrap(held.index.get_level_values(0)[use], n_bootstrap, seed)
            entry[p] = boot.auc(held["index"].to_numpy(dtype=float)[use], y[use].astype(int))
            if name == "iii_size_adjusted_outcomes" and p == "high_growth":
                own = held[p].to_numpy(dtype=float)
                mine = np.isfinite(own)
                entry["size_adjusted_high_growth"] = FirmBootstrap(
                    held.index.get_level_values(0)[mine], n_bootstrap, seed).auc(
                    held["index"].to_numpy(dtype=float)[mine], own[mine].astype(int))
        entry["weights"] = fit.weights_
        entry["largest_shares"] = _index_shares(fit, top=5)
        out["options"][name] = entry
    if small is not None:
        # size alone against the size-adjusted label: ~0.5 by construction (a check)
        adjusted = fits["iii_size_adjusted_outcomes"].held_out_
        pos = held_out_positions(frame, adjusted)
        own = adjusted["high_growth"].to_numpy(dtype=float)
        mine = np.isfinite(own)
        out["smaller_vs_size_adjusted_label"] = _r(auc(lowest_for_missing(small[1][pos[mine]]),
                                                       own[mine].astype(int)))
    return out


def reference_panel():
    """The synthetic reference panel of the bundled model (20,000 firms, seed 0, 2014-2024):
    :func:`ktop_index.synth.generate` output."""
    from ktop_index.synth import generate

    return generate(n_firms=REFERENCE_PANEL["n_firms"], years=REFERENCE_PANEL["years"],
                    seed=REFERENCE_PANEL["seed"])


def reference_options(seed: int, n_bootstrap: int, default: TechIndex, sp=None) -> dict:
    """The options fitted on the synthetic reference panel of the bundled model (``sp``,
    :func:`reference_panel` when None): their synthetic held-out AUCs and their models, for
    the Jeju call."""
    sp = reference_panel() if sp is None else sp
    frame = sp.panel
    models = {"i_as_now": GrowthModel(seed=0, n_bootstrap=n_bootstrap, n_refits=0).fit(frame)}
    models["ii_small_young_indicators"] = GrowthModel(
        spec=small_and_young_spec(), seed=0, n_bootstrap=n_bootstrap, n_refits=0).fit(frame)
    with size_adjusted_labels("either"):
        models["iii_size_adjusted_outcomes"] = GrowthModel(
            seed=0, n_bootstrap=n_bootstrap, n_refits=0).fit(frame)
    standard = models["i_as_now"].held_out_.set_index(["firm_id", "year"])
    out = {"panel": REFERENCE_PANEL | {"years": list(REFERENCE_PANEL["years"])},
           "rows": len(frame),
           "i_matches_bundled_default": _same_weights(models["i_as_now"].index_, default),
           "options": {}}
    for name, fit in models.items():
        held = fit.held_out_.set_index(["firm_id", "year"])
        entry = {"weights": fit.weights_, "largest_shares": _index_shares(fit, top=5)}
        for p in PERSPECTIVES:
            y = standard[p].reindex(held.index).to_numpy(dtype=float)
            use = np.isfinite(y)
            entry[p] = _r(auc(lowest_for_missing(held["index"].to_numpy(dtype=float)[use]),
                              y[use].astype(int)))
        if name == "iii_size_adjusted_outcomes":
            own = held["high_growth"].to_numpy(dtype=float)
            mine = np.isfinite(own)
            entry["size_adjusted_high_growth"] = _r(auc(lowest_for_missing(
                held["index"].to_numpy(dtype=float)[mine]), own[mine].astype(int)))
        out["options"][name] = entry
    # size alone and youth alone on the same held-out rows, against the standard labels
    positions = held_out_positions(frame, standard.reset_index())
    out["alone"] = {}
    for name, values in (("smaller", smallness(frame)[1]), ("younger", youth(frame))):
        out["alone"][name] = {}
        for p in PERSPECTIVES:
            y = standard[p].to_numpy(dtype=float)
            use = np.isfinite(y)
            out["alone"][name][p] = _r(auc(lowest_for_missing(values[positions[use]]),
                                           y[use].astype(int)))
    return out, {name: fit.index_ for name, fit in models.items()}


def _same_weights(fitted: TechIndex, default: TechIndex) -> bool:
    """Whether a refit gives the bundled model's domain and indicator weights (to 1e-6)."""
    a = {d["name"]: d["weight"] for d in fitted.spec_["domains"]}
    b = {d["name"]: d["weight"] for d in default.spec_["domains"]}
    ai = {s["name"]: s["weight"] for s in fitted.spec_["indicators"]}
    bi = {s["name"]: s["weight"] for s in default.spec_["indicators"]}
    return (a.keys() == b.keys() and ai.keys() == bi.keys()
            and all(abs(a[k] - b[k]) < 1e-6 for k in a)
            and all(abs(ai[k] - bi[k]) < 1e-6 for k in ai))


def jeju_options(models: dict) -> dict:
    """The Jeju 2025 call decided with each option's model: who is selected, who is
    fragile, and how it differs from option (i) (the bundled default)."""
    from ktop_index.selection.decide import select

    firms = read_firms(ROOT / "data" / "jeju_2025_applicants.xlsx")
    latest = firms.sort_values("year").groupby("brn").tail(1).set_index("brn")
    out = {}
    tables = {name: select(firms, "jeju_2025", model=model, created=CREATED).table
              for name, model in models.items()}
    base = tables["default"]
    base_selected = set(base.loc[base["status"] == "selected", "brn"])
    base_fragile = set(base.loc[base["robustness"] == "fragile", "brn"])
    eligible = base.loc[base["eligible"], "brn"]
    out["eligible"] = _profile(latest, eligible)
    for name, table in tables.items():
        selected = table.loc[table["status"] == "selected", "brn"]
        fragile = set(table.loc[table["robustness"] == "fragile", "brn"])
        names = table.set_index("brn")["firm_name"]
        out[name] = {
            "selected": len(selected),
            "profile": _profile(latest, selected),
            "same_as_default": len(set(selected) & base_selected),
            "entered": sorted(names[b] for b in set(selected) - base_selected),
            "left": sorted(names[b] for b in base_selected - set(selected)),
            "fragile": sorted(names[b] for b in fragile),
            "fragile_also_fragile_by_default": len(fragile & base_fragile),
        }
    return out


def _profile(latest: pd.DataFrame, brns) -> dict:
    """Median employees and firm age, shares of micro (< 10 employees) and young (<= 7 years)
    firms among the given applicants."""
    rows = latest.loc[list(brns)]
    emp = rows["employees"].astype(float)
    age = rows["firm_age"].astype(float)
    return {"n": len(rows), "median_employees": _r(emp.median(), 1),
            "median_firm_age": _r(age.median(), 1), "micro_share": _r((emp < 10).mean(), 3),
            "young_share": _r((age <= 7).mean(), 3)}


# ====================================================================== the report

def build(data: Path, seed: int = 0, n_bootstrap: int = 200, jeju: bool = True) -> dict:
    """Every figure of the report, as one JSON-ready dict."""
    default = TechIndex.load()
    panels = load_panels(data)
    result = {"seed": seed, "n_bootstrap": n_bootstrap,
              "default_model_sha256": default.sha256, "panels": {}, "skipped": []}
    for name, panel in panels.items():
        if panel is None:
            result["skipped"].append(name)
            continue
        result["panels"][name] = evaluate_panel(panel, default, seed, n_bootstrap)
    if jeju:
        # hybrid imports this module: imported here, once this module is complete
        import hybrid

        sp = reference_panel()
        reference, models = reference_options(seed, min(n_bootstrap, 50), default, sp)
        result["reference"] = reference
        if reference["i_matches_bundled_default"]:
            models.pop("i_as_now")  # the same weights as the bundled file: one row of it
        result["jeju"] = jeju_options({"default": default, **models})
        result["component"] = hybrid.component(panels, result["panels"], default, sp, seed,
                                               n_bootstrap)
    return _plain(result)


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return _r(value, 6)
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "real-data",
                        help="the folder of the real panels (default ../shared/real-data)")
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "docs" / "validation.md")
    parser.add_argument("--json", type=Path, default=None,
                        help="the figures as JSON (default: beside the report, .json)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--bootstrap", type=int, default=200,
                        help="firm-bootstrap draws of the intervals (default 200)")
    parser.add_argument("--no-jeju", action="store_true",
                        help="leave out the synthetic reference refits, the Jeju call and the "
                             "real-fitted component")
    parser.add_argument("--card", type=Path, default=ROOT / "models" / "default.md",
                        help="where the bundled model's card, led by these figures, is "
                             "written (default models/default.md)")
    parser.add_argument("--no-card", action="store_true", help="do not write the card")
    args = parser.parse_args(argv)
    result = build(args.data, seed=args.seed, n_bootstrap=args.bootstrap,
                   jeju=not args.no_jeju)
    json_path = args.json or args.output.with_suffix(".json")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    json_path.write_text(text, encoding="utf-8")
    args.output.write_text(render(result), encoding="utf-8")
    print(f"wrote {args.output} and {json_path}")
    if not args.no_card:
        # the card reads the figures as the JSON file holds them (tests/test_data.py does)
        card = write_card(model_path(MODEL_FILE), out=args.card, evidence=json.loads(text))
        print(f"wrote {card}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
