"""Issue 15, item 4: would a component fitted on real Korean firms improve the default?

Called by ``validation/build_report.py`` (one command rebuilds the whole report): its
:func:`component` gives the section "component" of docs/validation.json and "A real-fitted
component in the default?" of docs/validation.md. Standalone, it writes the hybrid model file
for anyone who wants to try it (``ktop select ... --model HYBRID.json``):

    python validation/hybrid.py --data ../shared/real-data --model-out HYBRID.json [--seed 0]

The hybrid is the bundled model (``models/default.json``, fitted on synthetic firms) with one
change: within each domain, the weights of the indicators the FnGuide listed-firm statements
have data for (R&D intensity and R&D spending in *input*; revenue growth and operating margin
in *outcome*) are re-split among themselves in proportion to the FnGuide refit's
within-domain weights; their total share of the domain, the other indicators' weights and
the domain weights stay the synthetic default's. The normalisation is refitted on the
default's own reference (the synthetic panel of 20,000 firms, seed 0, base year 2024): the
goalposts do not depend on weights, the composite's mean and sd, grade cut-offs and
percentile tables do.

Measured:

1. FnGuide, next cohort (train 2016, test 2017), on the held-out rows of the report:
   high-growth and sustainable-growth AUC of the hybrid and of the default (the composite of
   the domains a row has data for, as the report's line (a)), with paired firm-bootstrap
   intervals of hybrid minus default. For this the FnGuide refit is trained on **2016 only**
   (labels of later base years masked): its weights are those of the held-out fold of the
   report's next-cohort validation (checked). FnGuide begins in 2016, so no 2016 row has
   revenue growth: that fold's split between revenue growth and operating margin is not
   learned (the coverage by year is recorded). Hence also:
2. firm-grouped cross-validation inside the 2017 cohort (the only one with revenue growth);
3. synthetic truth, out of time (train 2014-2016, test 2019-2021) on the default's reference
   panel: the default's held-out index against the hybrid built on the same early synthetic
   weights, both against the latent capability;
4. the bundled Jeju 2025 call with the default and with the hybrid (who is selected, who is
   fragile);
5. DART (employees, pay, R&D staff): the panel's refit against the default, from the report's
   own figures.

Then the decision, as data: ``shipped`` (False: the hybrid is not shipped) and its reasons,
each sentence filled in from the figures above.

Deterministic: the same data and seed give the same figures and a byte-identical model file.
Run time: most of the report's minute (the fits on the synthetic reference panel).

Example
-------
>>> spec = {"domains": [{"name": "a", "weight": 1.0}],
...         "indicators": [{"name": "x", "domain": "a", "weight": 0.5},
...                        {"name": "y", "domain": "a", "weight": 0.1},
...                        {"name": "z", "domain": "a", "weight": 0.4}]}
>>> out = hybrid_spec(spec, {"y": 0.75, "z": 0.25}, ["y", "z"])
>>> [round(s["weight"], 3) for s in out["indicators"]]
[0.5, 0.375, 0.125]
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

# build_report, real_panels: this folder's modules (`python validation/build_report.py` puts
# validation/ on the path; build_report imports this module inside `build`)
from build_report import (
    PERSPECTIVES,
    REFERENCE_PANEL,
    FirmBootstrap,
    _r,
    _same_weights,
    held_out_positions,
    jeju_options,
    known_outcomes,
)
from real_panels import RealPanel, fnguide

import ktop_index.growth.model as growth_model
from ktop_index.growth.model import GrowthModel
from ktop_index.growth.validation import auc
from ktop_index.index.composite import a_amean
from ktop_index.index.spec import load_spec
from ktop_index.index.techindex import TechIndex

ROOT = Path(__file__).resolve().parents[1]
#: The FnGuide base years the evaluation's refit is trained on (the report's next cohort).
FNGUIDE_TRAIN_YEARS = (2016,)
#: The synthetic out-of-time training years of the default (docs/growth_model.md, 5).
SYNTH_TRAIN_YEARS = (2014, 2015, 2016)


# ====================================================================== the hybrid

def hybrid_spec(spec: dict, refit_within: dict, present: list[str]) -> dict:
    """The spec with, in each domain, the weights of the ``present`` indicators re-split in
    proportion to ``refit_within`` (indicator -> the real refit's weight within its domain),
    their total in the domain unchanged; every other weight as given.

    A domain where the refit gives the present indicators no weight at all, or where their
    total in ``spec`` is 0, is left as it is.
    """
    out = copy.deepcopy(spec)
    domains = [d["name"] for d in out["domains"]]
    for domain in domains:
        members = [s for s in out["indicators"]
                   if s["domain"] == domain and s["name"] in present]
        total = sum(float(s["weight"]) for s in members)
        refit_total = sum(float(refit_within.get(s["name"], 0.0)) for s in members)
        if not members or total <= 0 or refit_total <= 0:
            continue
        for s in members:
            s["weight"] = round(total * float(refit_within.get(s["name"], 0.0)) / refit_total,
                                6)
    return out


def build_hybrid(default: TechIndex, refit_within: dict, present: list[str],
                 reference: pd.DataFrame, note: dict) -> TechIndex:
    """The hybrid model: :func:`hybrid_spec` of ``default``'s spec, normalisation refitted on
    the default's reference population (``reference``: a panel holding its base year), the
    default's growth section kept (its perspective models are unchanged: the indicator scores
    are) with a ``hybrid`` record of what changed (``note``)."""
    spec = hybrid_spec(default.spec_, refit_within, present)
    spec["name"] = spec.get("name", "") + " (hybrid: FnGuide within-domain weights)"
    model = TechIndex(spec=load_spec(spec),
                      reference_year=default.reference_["year"]).fit(reference)
    if getattr(default, "growth_", None):
        model.growth_ = copy.deepcopy(default.growth_)
        model.growth_["hybrid"] = note
    return model


@contextlib.contextmanager
def labels_only_in(years, firms=None):
    """Inside: GrowthModel's labels are NaN outside the base ``years`` (and, if given, outside
    the ``firms``), so a fit on the whole panel - same base year, same normalisation - is
    trained on those rows only."""
    original = growth_model.label_outcomes
    keep = {int(y) for y in years}

    def masked(panel, *args, **kwargs):
        labels = original(panel, *args, **kwargs)
        outside = ~panel["year"].isin(keep).to_numpy()
        if firms is not None:
            outside |= ~panel["firm_id"].astype("str").isin(firms).to_numpy()
        labels = labels.copy()
        for p in PERSPECTIVES:
            if p in labels:
                labels.loc[outside, p] = np.nan
        return labels

    growth_model.label_outcomes = masked
    try:
        yield
    finally:
        growth_model.label_outcomes = original


def within_weights(model: GrowthModel, present: list[str]) -> dict:
    """The refit's weights within their domains, for the indicators with data."""
    return {i: _r(model.indicator_weights_[i], 6) for i in present}


# ====================================================================== measuring

def composite_of(model: TechIndex, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Composite of the domains each row has data for (as the report's line (a)) and
    whether the model rates the row."""
    parts = model.components(frame)
    weights = np.array([d["weight"] for d in model.spec_["domains"]], dtype=float)
    return a_amean(parts["domains"], weights), parts["rated"]


def compare(boot: FirmBootstrap, y, candidates: dict, base: str = "default") -> dict:
    """AUC of each candidate and the paired gain of each over ``base``."""
    out = {"auc": {k: boot.auc(v, y) for k, v in candidates.items()}}
    out["gain_over_" + base] = {k: _gain(boot, v, candidates[base], y)
                                for k, v in candidates.items() if k != base}
    return out


def _gain(boot: FirmBootstrap, score, other, y) -> dict:
    g = boot.gain(score, other, y)
    g["verdict"] = {"refit better": "hybrid better", "baseline better": "default better"}.get(
        g["verdict"], g["verdict"])
    return g


def fnguide_part(panel: RealPanel, default: TechIndex, seed: int) -> dict:
    """The FnGuide fits (all labelled years; 2016 only), and each indicator's coverage by
    base year (the share of labelled rows with a score)."""
    frame = panel.frame
    full = GrowthModel(rules=panel.rules, seed=seed, n_bootstrap=0, n_refits=0).fit(frame)
    with labels_only_in(FNGUIDE_TRAIN_YEARS):
        train = GrowthModel(rules=panel.rules, seed=seed, n_bootstrap=0, n_refits=0).fit(frame)
    present = [s["name"] for s in full.index_.spec_["indicators"]
               if s["name"] not in full.absent_indicators_]
    scheme = full.growth_["validation"]["scheme"]
    train_weights = full.growth_["validation"].get("train_weights", {})
    matches_fold = all(abs(train.weights_[d] - train_weights[d]) < 1e-6 for d in train_weights)
    parts = default.components(frame)
    names = parts["indicator_names"]
    labelled = full.labels_["high_growth"].notna().to_numpy()
    years = frame["year"].to_numpy()
    coverage = {i: {str(y): _r(np.isfinite(parts["scores"][labelled & (years == y),
                                                           names.index(i)]).mean())
                    for y in sorted(set(years[labelled].tolist()))} for i in present}
    return {"panel": panel, "full": full, "train": train, "present": present,
            "scheme": {k: scheme[k] for k in ("name", "train_years", "test_years")},
            "train_fit_matches_report_fold": bool(matches_fold),
            "coverage_by_base_year": coverage,
            "within": {"train_2016": within_weights(train, present),
                       "all_years": within_weights(full, present)},
            "refit_domain_weights": {"train_2016": train.weights_, "all_years": full.weights_}}


def fnguide_compare(fn: dict, models: dict, seed: int, n_bootstrap: int) -> dict:
    """AUCs on the report's held-out rows (next cohort, test 2017) of each model's composite,
    and of the refit's own held-out index (line (b) of the report)."""
    frame, full = fn["panel"].frame, fn["full"]
    held = full.held_out_.reset_index(drop=True)
    positions = held_out_positions(frame, held)
    values = {name: composite_of(m, frame) for name, m in models.items()}
    out = {}
    for p in PERSPECTIVES:
        use, y, boot = known_outcomes(held, p, n_bootstrap, seed)
        rows = positions[use]
        candidates = {name: v[0][rows] for name, v in values.items()}
        candidates["fnguide_refit"] = held.loc[use, "index"].to_numpy(dtype=float)
        block = compare(boot, y, candidates)
        block.update({"rows": int(use.sum()), "positives": int(y.sum()),
                      "rated_share": {name: _r(v[1][rows].mean()) for name, v in values.items()},
                      # how far apart the two rankings are: Spearman correlation
                      "spearman_hybrid_default": _r(pd.Series(candidates["hybrid"]).corr(
                          pd.Series(candidates["default"]), method="spearman"))})
        out[p] = block
    return out


def fnguide_cv_2017(fn: dict, default: TechIndex, reference: pd.DataFrame, seed: int,
                    n_bootstrap: int, n_folds: int = 5) -> dict:
    """Firm-grouped cross-validation inside the 2017 cohort, the only labelled cohort with
    revenue growth (FnGuide starts in 2016, so every 2016 row lacks growth from the year
    before and the 2016 fit cannot learn its weight). Each fold's firms are scored by the
    hybrid built from the FnGuide refit on the 2017 rows of the other firms; the default is
    the same fixed model on every fold. Same year, other firms: says nothing about later
    years."""
    frame, full = fn["panel"].frame, fn["full"]
    held = full.held_out_.reset_index(drop=True)
    positions = held_out_positions(frame, held)
    firms = np.array(sorted(held["firm_id"].astype("str").unique()))
    order = np.random.default_rng(seed).permutation(len(firms))
    fold_of = dict(zip(firms[order], np.arange(len(firms)) % n_folds))
    fold = held["firm_id"].astype("str").map(fold_of).to_numpy()
    hybrid_values = np.full(len(held), np.nan)
    within = []
    for k in range(n_folds):
        train_firms = set(firms[[fold_of[f] != k for f in firms]])
        with labels_only_in((2017,), firms=train_firms):
            fit = GrowthModel(rules=fn["panel"].rules, seed=seed, n_bootstrap=0,
                              n_refits=0).fit(frame)
        weights = within_weights(fit, fn["present"])
        within.append(weights)
        model = build_hybrid(default, weights, fn["present"], reference, {})
        member = fold == k
        hybrid_values[member] = composite_of(model, frame)[0][positions[member]]
    default_values = composite_of(default, frame)[0][positions]
    out = {"folds": n_folds, "within_by_fold": within, "perspectives": {}}
    for p in PERSPECTIVES:
        use, y, boot = known_outcomes(held, p, n_bootstrap, seed)
        out["perspectives"][p] = compare(boot, y, {"default": default_values[use],
                                                   "hybrid": hybrid_values[use]})
    return out


def single_indicators(fn: dict, default: TechIndex, seed: int, n_bootstrap: int) -> dict:
    """AUC of each FnGuide indicator's score alone (missing lowest) on the held-out rows."""
    frame, full = fn["panel"].frame, fn["full"]
    held = full.held_out_.reset_index(drop=True)
    positions = held_out_positions(frame, held)
    parts = default.components(frame)
    names = parts["indicator_names"]
    out = {}
    for p in PERSPECTIVES:
        use, y, boot = known_outcomes(held, p, n_bootstrap, seed)
        out[p] = {i: boot.auc(parts["scores"][positions[use], names.index(i)], y)
                  for i in fn["present"]}
    return out


def synthetic_part(default: TechIndex, within_train: dict, within_all: dict, present: list,
                   sp, seed: int, n_bootstrap: int) -> dict:
    """Out-of-time check on a synthetic panel ``sp`` (:func:`ktop_index.synth.generate`
    output; the default's reference panel at full size)."""
    frame = sp.panel
    n_firms = int(frame["firm_id"].nunique())
    full = GrowthModel(seed=0, n_bootstrap=0, n_refits=0).fit(frame, sp.truth)
    with labels_only_in(SYNTH_TRAIN_YEARS):
        early = GrowthModel(seed=0, n_bootstrap=0, n_refits=0).fit(frame, sp.truth)
    train_weights = full.growth_["validation"].get("train_weights", {})
    early_matches = all(abs(early.weights_[d] - train_weights[d]) < 1e-6
                        for d in train_weights)
    early_hybrid = build_hybrid(early.index_, within_train, present, frame, {})
    shipped_hybrid = build_hybrid(full.index_, within_all, present, frame, {})
    held = full.held_out_.reset_index(drop=True)
    positions = held_out_positions(frame, held)
    truth = sp.truth.set_index(["firm_id", "year"])["capability"]
    capability = truth.reindex(pd.MultiIndex.from_arrays([held["firm_id"], held["year"]])
                               ).to_numpy(dtype=float)
    models = {"default_early": early.index_, "hybrid_early": early_hybrid,
              "default_shipped": full.index_, "hybrid_shipped": shipped_hybrid}
    values = {name: composite_of(m, frame) for name, m in models.items()}
    out = {"n_firms": n_firms, "rows": len(frame), "test_rows": len(held),
           "matches_bundled_default": _same_weights(full.index_, default),
           "early_fit_matches_validation_fold": bool(early_matches),
           "train_years": list(SYNTH_TRAIN_YEARS),
           "test_years": full.growth_["validation"]["scheme"]["test_years"],
           "held_out_index_auc": {}, "perspectives": {}}
    for p in PERSPECTIVES:
        use, y, boot = known_outcomes(held, p, n_bootstrap, seed)
        rows = positions[use]
        candidates = {name: v[0][rows] for name, v in values.items()}
        block = {"out_of_time": compare(boot, y, {"default": candidates["default_early"],
                                                  "hybrid": candidates["hybrid_early"]}),
                 "shipped_models": compare(boot, y, {"default": candidates["default_shipped"],
                                                     "hybrid": candidates["hybrid_shipped"]}),
                 "latent_capability": _r(auc(capability[use], y)),
                 "rated_share": {name: _r(v[1][rows].mean()) for name, v in values.items()}}
        out["held_out_index_auc"][p] = _r(auc(held.loc[use, "index"].to_numpy(dtype=float), y))
        out["perspectives"][p] = block
    return out



# ====================================================================== the section

def hybrids(fn: dict, default: TechIndex, reference: pd.DataFrame) -> dict[str, TechIndex]:
    """The two hybrids: ``eval2016`` (the FnGuide refit trained on 2016, as the report's
    next-cohort fold: the one judged on 2017) and ``shipped`` (refit on every labelled year:
    the one that would be shipped). Each goes through its model file and back, as
    ``ktop select --model`` reads it."""
    present = fn["present"]
    note = {"what": "the bundled default's weights; within each domain the indicators the "
                    "FnGuide listed-firm statements have data for re-split in proportion to "
                    "the FnGuide refit's within-domain weights (their domain share unchanged)",
            "indicators": present, "fnguide_train_years": "every labelled year (2016, 2017)",
            "fnguide_within_domain_weights": fn["within"]["all_years"],
            "command": "python validation/hybrid.py --data ../shared/real-data "
                       "--model-out HYBRID.json"}
    built = {"eval2016": build_hybrid(default, fn["within"]["train_2016"], present, reference,
                                      note | {"fnguide_train_years": "2016",
                                              "fnguide_within_domain_weights":
                                                  fn["within"]["train_2016"]}),
             "shipped": build_hybrid(default, fn["within"]["all_years"], present, reference,
                                     note)}
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, model in built.items():
            path = Path(tmp) / f"hybrid_{name}.json"
            model.save(path)
            out[name] = TechIndex.load(path)
    return out


def measure(panel: RealPanel, default: TechIndex, sp, seed: int, n_bootstrap: int) -> dict:
    """Every figure of the hybrid against the default: FnGuide next cohort and 2017
    cross-validation, each indicator alone, synthetic truth on ``sp`` (the default's
    reference panel, :func:`ktop_index.synth.generate` output) and the Jeju 2025 call."""
    fn = fnguide_part(panel, default, seed)
    present = fn["present"]
    reference = sp.panel
    models = hybrids(fn, default, reference)
    rebuilt = TechIndex(spec=default.spec_, reference_year=default.reference_["year"]
                        ).fit(reference)
    shipped, evaluated = models["shipped"], models["eval2016"]
    domain_of = {s["name"]: s["domain"] for s in default.spec_["indicators"]}
    spec_weight = {k: {s["name"]: s["weight"] for s in m.spec_["indicators"]}
                   for k, m in (("default", default), ("eval", evaluated),
                                ("shipped", shipped))}
    weights = {i: {"domain": domain_of[i], "default": spec_weight["default"][i],
                   "refit_train": fn["within"]["train_2016"][i],
                   "refit_all": fn["within"]["all_years"][i],
                   "hybrid_eval": spec_weight["eval"][i],
                   "hybrid_shipped": spec_weight["shipped"][i]} for i in present}
    return {
        "what": ("the bundled default with, inside each domain, the weights of the indicators "
                 "FnGuide has data for re-split in proportion to the FnGuide refit's "
                 "within-domain weights (their total share of the domain unchanged); domain "
                 "weights and every other indicator weight as the default's; normalisation "
                 "refitted on the default's own synthetic reference"),
        "present": present, "weights": weights,
        "domain_weights": {d["name"]: d["weight"] for d in default.spec_["domains"]},
        "same_goalposts": bool(shipped.goalposts_ == default.goalposts_
                               and shipped.value_offsets_ == default.value_offsets_),
        "default_rebuilt_exactly": rebuilt.to_dict()["fitted"] == default.to_dict()["fitted"],
        "model_sha256": shipped.sha256,
        "fnguide": {k: v for k, v in fn.items() if k not in ("panel", "full", "train")}
        | {"comparison": fnguide_compare(fn, {"default": default, "hybrid": evaluated}, seed,
                                         n_bootstrap),
           "cv_2017": fnguide_cv_2017(fn, default, reference, seed, n_bootstrap),
           "alone": single_indicators(fn, default, seed, n_bootstrap)},
        "synthetic": synthetic_part(default, fn["within"]["train_2016"],
                                    fn["within"]["all_years"], present, sp, seed, n_bootstrap),
        "jeju": jeju_options({"default": default, "hybrid_shipped": shipped,
                              "hybrid_eval2016": evaluated}),
    }


def dart_comparison(panel: dict) -> dict:
    """The DART refit (employee indicators) against the default, from the report's figures
    of that panel (``build_report.evaluate_panel`` output)."""
    block = panel["perspectives"]["high_growth"]
    return {"indicators": panel["indicators_with_data"], "scheme": panel["scheme"]["name"],
            "rows": block["rows"], "positives": block["positives"],
            "default": block["auc"]["default"], "refit": block["auc"]["refit"],
            "refit_minus_default": block["refit_gain"]["default"],
            "refit_beats_default": block["refit_gain"]["default"]["verdict"] == "refit better"}


def decision(hybrid: dict | None) -> dict:
    """Whether the hybrid is shipped as the default, and why, in sentences filled in from
    the figures. The decision (not shipped) is the lead's, on these reasons; every number
    in them is measured. (DART, whose refit does not beat the default, offers no component:
    ``dart_comparison``.)"""
    reasons = []
    if hybrid is not None:
        fn = hybrid["fnguide"]
        cov = fn["coverage_by_base_year"].get("revenue_growth", {})
        years = sorted(cov)
        first = (f" ({', '.join(f'{y}: {cov[y]:.0%}' for y in years)} of the labelled "
                 "rows have it)" if years else "")
        reasons.append(
            "it rests on one listed-firm cohort: the only weight that changes is revenue "
            "growth against operating margin in the outcome domain, and FnGuide begins in "
            f"2016, so no 2016 row has revenue growth{first}; the next-cohort refit trained on "
            "2016 splits the two evenly by imputation, not by learning, and the split is "
            "learned from the 2017 cohort alone")
        syn = hybrid["synthetic"]["perspectives"]
        costs = {p: syn[p]["out_of_time"]["gain_over_default"]["hybrid"] for p in syn}
        gaps = {p: (syn[p]["latent_capability"] - syn[p]["out_of_time"]["auc"]["default"]["auc"],
                    syn[p]["latent_capability"] - syn[p]["out_of_time"]["auc"]["hybrid"]["auc"])
                for p in syn}
        worse = [p for p, c in costs.items() if c["verdict"] == "default better"]
        if worse:
            reasons.append(
                "on the synthetic truth it is worse out of time ("
                + ", ".join(f"{p.replace('_', ' ')} {costs[p]['gain']:+.3f} "
                            f"[{costs[p]['ci'][0]:+.3f}, {costs[p]['ci'][1]:+.3f}]"
                            for p in worse)
                + ") and moves the gaps to the latent capability from "
                + ", ".join(f"{gaps[p][0]:.4f} to {gaps[p][1]:.4f}" for p in worse)
                + (" (past 0.05)" if all(gaps[p][1] > 0.05 >= gaps[p][0] for p in worse)
                   else ""))
        jeju = hybrid["jeju"]
        default_fragile = set(jeju["default"]["fragile"])
        h = jeju["hybrid_shipped"]
        if set(h["left"]) <= default_fragile:
            reasons.append(
                f"in the Jeju 2025 call it keeps {h['same_as_default']} of the "
                f"{jeju['default']['selected']} selected firms and swaps only firms already "
                "marked fragile (out: " + (", ".join(h["left"]) or "none") + "; in: "
                + (", ".join(h["entered"]) or "none") + ")")
        reasons.append("the default would no longer be rebuilt by one `ktop fit` from "
                       "bundled data: the hybrid needs the FnGuide panel, which is not shipped")
    return {"shipped": False, "decided_by": "the lead, issue 15 item 4",
            "reasons": reasons}


def findings(hybrid: dict | None) -> list[str]:
    """What the real evidence supports plainly (sentences filled in from the figures)."""
    if hybrid is None:
        return []
    w = hybrid["fnguide"]["within"]["all_years"]
    alone = hybrid["fnguide"]["alone"]["high_growth"]
    margin = (hybrid["weights"]["operating_margin"]["default"]
              * hybrid["domain_weights"][hybrid["weights"]["operating_margin"]["domain"]]
              if "operating_margin" in hybrid["weights"] else 0.0)
    out = []
    if {"rnd_intensity", "rnd_expense"} <= w.keys():
        out.append(f"the FnGuide refit confirms the default's input domain: R&D intensity "
                   f"takes {w['rnd_intensity']:.3f} of the FnGuide indicators' weight there, "
                   f"R&D spending {w['rnd_expense']:.3f}")
    if {"rnd_intensity", "operating_margin"} <= alone.keys():
        out.append(f"on listed firms revenue high growth is foretold by R&D intensity (alone "
                   f"{alone['rnd_intensity']['auc']:.3f}) and not by operating margin (alone "
                   f"{alone['operating_margin']['auc']:.3f}, below 0.5: reversed), which the "
                   f"synthetic fit weights at {margin:.1%} of the index")
    return out


def component(panels: dict, results: dict, default: TechIndex, sp, seed: int,
              n_bootstrap: int) -> dict:
    """The "component" section of docs/validation.json: the hybrid's figures (None without
    the FnGuide panel), the DART comparison (None without it), the decision and findings.

    ``panels``: ``real_panels.load_panels`` output; ``results``: the report's panel figures.
    """
    hybrid = (measure(panels["fnguide"], default, sp, seed, n_bootstrap)
              if panels.get("fnguide") is not None else None)
    dart = dart_comparison(results["dart"]) if "dart" in results else None
    return {"hybrid": hybrid, "dart": dart, **decision(hybrid),
            "findings": findings(hybrid)}


# ====================================================================== main

def main(argv: list[str] | None = None) -> int:
    """Write the (not shipped) hybrid model file, for trying it out."""
    from ktop_index.synth import generate

    parser = argparse.ArgumentParser(description="Write the hybrid model file (issue 15, "
                                                 "item 4; not shipped)")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "real-data")
    parser.add_argument("--model-out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    panel = fnguide(args.data)
    if panel is None:
        raise SystemExit(f"no FnGuide panel under {args.data}")
    default = TechIndex.load()
    sp = generate(n_firms=REFERENCE_PANEL["n_firms"], years=REFERENCE_PANEL["years"],
                  seed=REFERENCE_PANEL["seed"])
    model = hybrids(fnguide_part(panel, default, args.seed), default, sp.panel)["shipped"]
    args.model_out.parent.mkdir(parents=True, exist_ok=True)
    model.save(args.model_out)
    print(f"wrote {args.model_out} (sha256 {model.sha256})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
