"""The model-based Tech-Index: domain weights learned from later growth.

K-TOP's Tech-Index is "model-based": its four domains are weighed by how well they foretell
a firm's growth, from a high-growth and a sustainable-growth perspective. :class:`GrowthModel`
does the same, openly (method and sources in ``docs/growth_model.md``):

1. label every firm-year with what happened in the next three years
   (:func:`ktop_index.growth.outcomes.label_outcomes`: high growth, sustainable growth;
   unknown futures are left out, never counted as negative);
2. fit the index's normalisation on the base year (:meth:`TechIndex.fit`) and compute the
   indicator and domain scores (0-100) of every firm-year (:meth:`TechIndex.components`);
3. per perspective, a logistic regression of the label on the indicator scores (23 in the
   default spec)
   (``level='indicators'``, the default; a missing score is imputed as the index does it:
   the mean of the firm's present indicators of that domain) or on the four domain scores
   (``level='domains'``), with coefficients bounded at zero (more capability never lowers
   the index) and an L2 penalty on the standardised coefficients (scipy L-BFGS-B);
4. weights: each perspective's coefficients per score point, normalised to sum 1, mixed
   ``combination * high_growth + (1 - combination) * sustainable_growth``. At indicator
   level the mix ``b_i`` maps exactly into the spec: domain weight ``w_d = sum of b_i`` over
   its indicators, indicator weight within the domain ``v_i = b_i / w_d``, so for a firm
   with every indicator present the composite is ``sum_i b_i * score_i``. Domain weights are
   then lifted to at least ``min_weight`` each (``min_weight + (1 - 4 min_weight) w``: every
   domain keeps a small say; the order is unchanged), indicator weights within a domain
   likewise to ``min_indicator_weight`` (0 by default: an indicator may drop out);
5. the weights go into the spec, the normalisation is refitted on the base year (mean 100,
   sd 10, grade cut-offs at reference percentiles), and a ``growth`` section records the
   perspectives, the validation, the baselines, the bootstrap spread and the training data.

Validation is out of time (:mod:`ktop_index.growth.validation`): the same procedure is
fitted on the early years only (those whose three-year future had ended before the test
years begin) and judged on the last ``test_years`` labelled years, against equal domain
weights and the single best indicator chosen on the training years (and, at indicator level,
the domain-level fit), with firm-level bootstrap confidence intervals. The shipped weights
are then refitted on every labelled year.

Example
-------
>>> from ktop_index.synth import generate_panel
>>> panel = generate_panel(n_firms=1500, years=(2014, 2024), seed=3)
>>> model = GrowthModel(seed=0, n_bootstrap=20, n_refits=5).fit(panel)
>>> weights = model.weights_
>>> bool(abs(sum(weights.values()) - 1) < 1e-9 and min(weights.values()) >= 0)
True
>>> sorted(model.indicator_weights_)[:2]   # indicator weights within their domain
['ceo_industry_years', 'certifications']
>>> index = model.index_   # a normal fitted TechIndex, with the growth section
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from ktop_index import __version__
from ktop_index._threads import in_order
from ktop_index.errors import DataError, SpecError
from ktop_index.growth.outcomes import LABELS, OutcomeRules, label_outcomes, label_plan
from ktop_index.growth.validation import (
    PSI_ALERT,
    PSI_WATCH,
    RELIABILITY_BINS,
    HeldOutValidation,
    auc,
    best_indicator,
    population_stability,
    psi,
)
from ktop_index.index.composite import a_amean
from ktop_index.index.indicators import compute_indicators, source_fields
from ktop_index.index.spec import load_spec
from ktop_index.index.techindex import TechIndex, data_hash

# PSI_*, RELIABILITY_BINS, auc, psi and population_stability are at home in
# ktop_index.growth.validation; they stay importable from here as before.
__all__ = [
    "PSI_ALERT", "PSI_WATCH", "RELIABILITY_BINS", "SCHEMES", "FitData", "GrowthModel",
    "absent_indicators", "auc", "combine_indicator_weights", "combine_weights",
    "control_matrix", "fit_nonnegative_logistic", "population_stability", "predict_proba",
    "psi",
]

#: Threads refitting the bootstrap samples at once: the fits are numpy on large arrays, mostly
#: outside Python's lock (2 threads: 1.75x on 2 cores). The weights do not depend on it.
REFIT_THREADS = os.cpu_count() or 1

#: The validation schemes, from the strongest to the weakest, and what each is.
SCHEMES = {
    "out_of_time": "out of time: trained on the years whose {h}-year future had ended before "
                   "the test years begin, tested on the last labelled years",
    "next_cohort": "next cohort: trained on the earlier labelled base years, tested on the "
                   "latest; the training outcomes overlap the test years and the same firms "
                   "appear in both, so this is not out of time (the panel has too few "
                   "labelled years for that)",
    "grouped_cv": "firm-grouped cross-validation: the panel has a single labelled base year, "
                  "so its firms are split into {k} folds (by firm, seeded); each fold is "
                  "predicted by the procedure fitted on the other folds; same year, so it "
                  "says nothing about later years",
}


def _whole_number(minimum: int):
    return lambda value: isinstance(value, int) and value >= minimum


#: The allowed values of GrowthModel's options, declared once: name -> (test, what is
#: allowed). A value that fails raises SpecError "NAME VALUE: expected WHAT".
_PARAMETER_RULES = {
    "combination": (lambda v: 0 <= v <= 1, "a share in [0, 1]"),
    "level": (lambda v: v in ("indicators", "domains"), "'indicators' or 'domains'"),
    "min_weight": (lambda v: 0 <= v <= 0.25, "a weight in [0, 0.25]"),
    "min_indicator_weight": (lambda v: 0 <= v <= 0.2, "a weight in [0, 0.2]"),
    "l2": (lambda v: v >= 0, "a penalty >= 0"),
    "test_years": (_whole_number(1), "a whole number >= 1"),
    "n_folds": (_whole_number(2), "a whole number >= 2"),
    "n_bootstrap": (_whole_number(0), "a whole number >= 0"),
    "n_refits": (_whole_number(0), "a whole number >= 0"),
}


class _Weights(NamedTuple):
    """One run of the procedure: the perspectives' fits and the weights they combine into."""

    fits: dict        # perspective -> {'intercept', 'coefficients', 'controls'}
    domains: dict     # domain -> weight (sum 1)
    indicators: dict  # indicator -> weight within its domain (sum 1 per domain)


class GrowthModel(BaseEstimator):
    """Learn the Tech-Index domain weights from later high growth and sustainable growth.

    A scikit-learn estimator: ``__init__`` only stores the options, :meth:`fit` starts from
    scratch every time, ``sklearn.base.clone`` gives an unfitted copy with the same options.

    Parameters
    ----------
    spec : dict, path or None
        The index method (``models/tech_index_spec.json`` when None); its domain weights are
        replaced by the learned ones, everything else is kept.
    base_year : int or None
        Reference year of the normalisation; the panel's last year when None.
    rules : OutcomeRules or None
        Label thresholds (the defaults of :class:`OutcomeRules` when None).
    combination : float in [0, 1]
        Share of the high-growth perspective in the domain weights (0.5 = equal say).
    level : {'indicators', 'domains'}
        What each perspective model is fitted on: the indicator scores (default; the learned
        coefficients set both the domain weights and the indicator weights within domains)
        or the four domain scores (indicator weights within domains kept from the spec).
        Indicator level predicts better out of time on the synthetic panel
        (docs/growth_model.md, section 5).
    min_weight : float in [0, 1 / number of domains]
        Every domain's weight is at least this: ``w = min_weight + (1 - K * min_weight) *
        w_learned`` (K domains). K-TOP's index counts all four domains by design; a weight
        restriction keeps a domain with no growth signal in the index, with a small say
        (weight bounds as in the OECD/JRC Handbook on Constructing Composite Indicators,
        2008, on benefit-of-the-doubt weighting). The order of the weights is unchanged.
    min_indicator_weight : float in [0, 1 / largest number of indicators in a domain]
        Level 'indicators' only: every indicator's weight within its domain is at least this
        (``v = f + (1 - n_d f) v_learned``). 0 (default) lets an indicator without growth
        signal drop out of the index (it still appears in the peer comparison of reasons).
    l2 : float >= 0
        L2 penalty on the standardised coefficients (per firm-year, added to the mean log
        loss): shrinks unstable weights towards zero.
    controls : bool
        Add size (log employees and its square), age (log years, a young-firm flag for
        3 years or less) and KSIC division as free-sign control covariates of each
        perspective model. They are not part of the index: the domain coefficients then
        measure what the domains foretell beyond size, age and industry.
    test_years : int
        Number of last labelled years held out for the out-of-time validation (the panel
        needs ``test_years + horizon + 1`` labelled years for it; with fewer, the latest
        cohort(s) are held out, "next cohort"; with a single one, firm-grouped folds).
    n_folds : int
        Folds of the firm-grouped cross-validation (a single labelled base year only).
    n_bootstrap : int
        Firm-level bootstrap replicates for the confidence intervals of the metrics.
    n_refits : int
        Bootstrap refits of the weights (their spread is the weights' stability).
    seed : int
        Seed of every random draw; the same panel and seed give a byte-identical model file.

    Attributes (after ``fit``)
    --------------------------
    index_ : TechIndex, the fitted model (domain weights learned, ``growth_`` section attached)
    weights_ : dict, domain -> learned weight (sum 1)
    indicator_weights_ : dict, indicator -> weight within its domain (sum 1 per domain)
    perspectives_ : dict, perspective -> {'intercept', 'coefficients' (per indicator or
        domain score point), 'controls'}
    growth_ : dict, the model file's ``growth`` section (see docs/growth_model.md)
    labels_ : DataFrame, the outcome labels of the panel's rows
    absent_indicators_ : dict, indicator -> the fields it lacks (no value in the base year):
        these get no weight
    held_out_ : DataFrame, the validation's held-out rows: ``firm_id``, ``year``, ``fold``,
        each fitted perspective's label (1/0/NaN) and held-out probability ``p_<label>``,
        ``index`` (the held-out fit's composite, higher = better) and ``grade``

    Incomplete panels: a panel needs ``firm_id``, ``year`` and employees or revenue; an
    indicator whose fields are absent gets weight 0 (a domain without any gets weight 0,
    the minimum weight applying to the others); labels use the fields present
    (:func:`ktop_index.growth.outcomes.label_plan`), and a perspective the panel cannot
    label is left out (the other one then sets the weights alone).

    Missing values: rows without a known future or not rated (coverage below the spec's
    minimum) are left out of fitting. As the index itself does, a missing indicator score
    counts as the mean of the firm's present indicators of its domain (the domain score);
    a missing domain score is replaced by the reference mean of that domain, when fitting
    and predicting probabilities.

    Example
    -------
    >>> from sklearn.base import clone
    >>> model = GrowthModel(level="domains", n_bootstrap=0)
    >>> clone(model).get_params()["level"]
    'domains'
    """

    def __init__(self, spec: dict | str | os.PathLike | None = None, base_year: int | None = None,
                 rules: OutcomeRules | None = None, combination: float = 0.5,
                 level: str = "indicators", min_weight: float = 0.05,
                 min_indicator_weight: float = 0.0, l2: float = 1e-3,
                 controls: bool = False, test_years: int = 3, n_folds: int = 5,
                 n_bootstrap: int = 200, n_refits: int = 50, seed: int = 0):
        self.spec = spec
        self.base_year = base_year
        self.rules = rules
        self.combination = combination
        self.level = level
        self.min_weight = min_weight
        self.min_indicator_weight = min_indicator_weight
        self.l2 = l2
        self.controls = controls
        self.test_years = test_years
        self.n_folds = n_folds
        self.n_bootstrap = n_bootstrap
        self.n_refits = n_refits
        self.seed = seed

    # ------------------------------------------------------------------ fitting
    def fit(self, panel: pd.DataFrame, truth: pd.DataFrame | None = None, *,
            synthetic: bool | None = None, description: str = "",
            command: str = "", progress: Callable[[str, int], None] | None = None
            ) -> GrowthModel:
        """Fit on a firm panel (contract names, money in 천원); returns the model.

        Parameters
        ----------
        panel : DataFrame
            Firm-years (one row per firm and year): ``firm_id``, ``year``, employees and/or
            revenue, any other contract field. At least ``test_years + 2 * horizon + 1``
            consecutive years (10 with the defaults) give an out-of-time validation; shorter
            panels get the weaker schemes (see ``test_years``); a panel needs ``horizon + 1``
            years for any label.
        truth : DataFrame, optional
            Synthetic panels only: ``firm_id``, ``year`` and the latent ``capability``; its
            AUC on the test rows is reported as the best achievable.
        synthetic : bool, optional
            Whether the data is synthetic (True when a truth is given).
        description, command : str
            What the data is, and how to rebuild the model; recorded for the model card.
        progress : callable, optional
            Called as ``progress("bootstrap refits", n_refits)`` before the refits of the
            weights (most of a fit's time), and, when it has an ``advance(n)`` method, told
            each refit done (``advance(1)``); the command line draws its bar from it. The
            model does not depend on it.

        Raises
        ------
        SpecError
            An option outside its allowed values.
        DataError
            A panel that allows no label or no rated labelled row (one line, English and
            Korean), or a truth without its columns.
        """
        self._forget()
        self._check_params()
        # Many small matrix products: BLAS threads only fight each other (30x slower on a
        # busy 2-core machine), so one thread. threadpoolctl comes with scikit-learn.
        with threadpool_limits(limits=1, user_api="blas"):
            self._fit(panel, truth, {"synthetic": synthetic, "description": description,
                                     "command": command}, progress)
        return self

    def _check_params(self) -> None:
        """Every option against :data:`_PARAMETER_RULES` (SpecError naming the first bad one)."""
        for name, (allowed, expected) in _PARAMETER_RULES.items():
            value = getattr(self, name)
            if not allowed(value):
                raise SpecError(f"{name} {value!r}: expected {expected}")

    def _forget(self) -> None:
        """Drop what an earlier fit learned (attributes ending in ``_``): a fit starts fresh,
        and a fit that fails leaves the model unfitted rather than half of each."""
        for name in [k for k in vars(self) if k.endswith("_") and not k.startswith("__")]:
            delattr(self, name)

    def _fit(self, panel: pd.DataFrame, truth: pd.DataFrame | None, record: dict,
             progress: Callable[[str, int], None] | None = None) -> None:
        """The procedure of the module's docstring, step by step."""
        rules = self.rules if self.rules is not None else OutcomeRules()
        rng_boot, rng_refit, rng_folds = np.random.default_rng(self.seed).spawn(3)
        used, outcomes = label_plan(panel, rules)
        labels = label_outcomes(panel, rules)
        spec, absent = _present_spec(self.spec, panel, self.base_year)
        base = TechIndex(spec=spec, reference_year=self.base_year).fit(panel)
        data = FitData(panel, labels, base.components(panel), base, rules.horizon,
                       self.controls, self.level, absent=absent)
        data.choose_perspectives(outcomes)
        scheme, folds = data.validation_folds(self.test_years, self.n_folds, rng_folds)
        shipped = self._fit_weights(data, data.labelled, base)  # shipped: every labelled year
        validation, held_out = self._validate(data, scheme, folds, base, panel, truth,
                                              rng_boot)
        growth = _plain({
            "method": self._method(used, data.divisions),
            "outcomes": outcomes,
            "absent_indicators": absent,
            "perspectives": {p: {**shipped.fits[p], **data.perspective_counts(p)}
                             for p in data.perspectives},
            "combination": self._combination(shipped, data),
            "validation": validation,
            "bootstrap_weights": self._refit_spread(data, rng_refit, base, shipped, progress),
            "training": _training(panel, data, scheme, base, self.seed,
                                  _is_synthetic(truth, record["synthetic"]),
                                  record["description"], record["command"]),
        })
        self.labels_ = labels
        self.absent_indicators_ = absent
        self.held_out_ = held_out
        self.perspectives_ = shipped.fits
        self.weights_, self.indicator_weights_ = shipped.domains, shipped.indicators
        self.index_ = _with_weights(base, shipped.domains, panel, shipped.indicators)
        self.index_.growth_ = self.growth_ = growth

    def _fit_weights(self, data: FitData, rows: np.ndarray, base: TechIndex) -> _Weights:
        """The perspectives fitted on ``rows``, and the weights they combine into."""
        fits = {p: self._fit_perspective(data, p, rows) for p in data.perspectives}
        return _Weights(fits, *self._combine(fits, base, data))

    def _validate(self, data: FitData, scheme: dict, folds: list, base: TechIndex,
                  panel: pd.DataFrame, truth: pd.DataFrame | None,
                  rng: np.random.Generator) -> tuple[dict, pd.DataFrame]:
        """The ``validation`` section and the held-out rows: the procedure fitted on each
        fold's training rows and judged on its test rows (one fold out of time and next
        cohort; ``n_folds`` firm groups in cross-validation), pooled."""
        n = len(data.year)
        test = np.zeros(n, dtype=bool)
        fold_of = np.zeros(n, dtype=np.int64)
        composite, grades = np.full(n, np.nan), np.full(n, None, dtype=object)
        probability = {p: np.full(n, np.nan) for p in data.perspectives}
        baselines = {p: {} for p in data.perspectives}
        fold_weights, grade_order = [], None
        for k, (train, rows) in enumerate(folds):
            early = self._fit_weights(data, train, base)
            early_index = _with_weights(base, early.domains, panel, early.indicators)
            early_domains = early_index._domain_scores(data.scores)[0]
            fold_composite = early_index._composite(early_domains)
            tech = np.where(data.rated, early_index._tech_index(fold_composite), np.nan)
            grade_order = [g for g, _ in early_index.grade_cutoffs_] + [
                early_index.spec_["not_rated_grade"]]
            test |= rows
            fold_of[rows] = k + 1
            composite[rows] = fold_composite[rows]
            grades[rows] = early_index._grades(tech)[rows]
            domain_level = self._domain_level_composite(data, train)
            for p in data.perspectives:
                probability[p][rows] = data.probability(early.fits[p], rows)
                name, values = best_indicator(data, train, p)
                _pool(baselines[p], "equal_weights",
                      a_amean(data.raw_domains, np.ones(len(data.domain_names))), rows)
                _pool(baselines[p], f"best_indicator:{name}", values, rows)
                if domain_level is not None:
                    _pool(baselines[p], "domain_level_fit", domain_level, rows)
            fold_weights.append(early.domains)
            if len(folds) > 1:
                scheme["folds"][k]["weights"] = early.domains
        validation = HeldOutValidation(data, test, rng, self.n_bootstrap)
        out = validation.report(
            composite, probability, grades, grade_order, _merge_best(baselines),
            _truth_capability(panel, truth),
            fold_weights[0] if len(folds) == 1 else _rounded(
                {d: np.mean([w[d] for w in fold_weights]) for d in fold_weights[0]}))
        out["scheme"] = scheme
        held = pd.DataFrame({"firm_id": panel["firm_id"].to_numpy()[test],
                             "year": data.year[test], "fold": fold_of[test]})
        for p in data.perspectives:
            held[p] = data.labels[p][test]
            held[f"p_{p}"] = probability[p][test]
        held["index"] = composite[test]
        held["grade"] = grades[test]
        return out, held

    def _combination(self, shipped: _Weights, data: FitData) -> dict:
        """The ``combination`` section: how the perspectives became the weights."""
        shares = self._shares(data)
        return {"high_growth": shares.get("high_growth", 0.0),
                "sustainable_growth": shares.get("sustainable_growth", 0.0),
                "min_weight": self.min_weight,
                "min_indicator_weight": self.min_indicator_weight,
                "rule": _COMBINATION_RULES[self.level],
                "weights": shipped.domains,
                "indicator_weights": shipped.indicators}

    def _domain_level_composite(self, data: FitData, train: np.ndarray) -> np.ndarray | None:
        """At indicator level, the composite of the same procedure fitted on the domain scores
        (training years): the baseline the indicator level has to beat. None at domain level."""
        if self.level == "domains":
            return None
        fits = {p: self._fit_perspective(data, p, train, domains=True) for p in data.perspectives}
        weights = combine_weights({p: fits[p]["coefficients"] for p in data.perspectives},
                                  self._shares(data), floor=self.min_weight,
                                  absent=data.absent_domains)
        return a_amean(data.raw_domains, np.array([weights[d] for d in data.domain_names]))

    def _shares(self, data: FitData) -> dict:
        """Each perspective's share in the weights (all of it for the only one fitted)."""
        if len(data.perspectives) == 1:
            return {data.perspectives[0]: 1.0}
        return {"high_growth": self.combination, "sustainable_growth": 1 - self.combination}

    def _fit_perspective(self, data: FitData, label: str, rows: np.ndarray,
                         weights: np.ndarray | None = None, start: dict | None = None,
                         domains: bool = False) -> dict:
        """One perspective's logistic regression on ``rows`` (with a known label), row
        ``weights`` of a bootstrap sample, from a ``start`` fit; ``domains``: on the domain
        scores whatever the level."""
        use = rows & data.known(label)
        features, names, every = ((data.domain_features, data.active_domains,
                                   data.domain_names) if domains
                                  else (data.features, data.feature_names,
                                        data.all_feature_names))
        x = np.column_stack([features, data.controls])[use]
        theta = None if start is None else np.array(
            [start["intercept"], *(start["coefficients"][n] for n in names),
             *start["controls"].values()])
        intercept, coef = fit_nonnegative_logistic(x, data.y(label)[use], l2=self.l2,
                                                   sample_weight=None if weights is None
                                                   else weights[use],
                                                   n_free=data.controls.shape[1], start=theta)
        k = len(names)
        fitted = dict(zip(names, coef[:k]))  # an absent indicator or domain: 0
        return {"intercept": intercept,
                "coefficients": _rounded({n: fitted.get(n, 0.0) for n in every}, 10),
                "controls": _rounded(dict(zip(data.control_names, coef[k:])), 10)}

    def _combine(self, perspectives: dict, base: TechIndex, data: FitData
                 ) -> tuple[dict, dict]:
        """(domain weights, indicator weights within domains) from the perspectives' fits."""
        coefficients = {p: perspectives[p]["coefficients"] for p in data.perspectives}
        spec = base.spec_
        if self.level == "domains":
            kept = {s["name"]: float(s["weight"]) for s in spec["indicators"]}
            return combine_weights(coefficients, self._shares(data), floor=self.min_weight,
                                   absent=data.absent_domains), kept
        return combine_indicator_weights(coefficients, self._shares(data), _domain_of(spec),
                                         floor=self.min_weight,
                                         indicator_floor=self.min_indicator_weight,
                                         absent=data.absent)

    def _refit_spread(self, data: FitData, rng: np.random.Generator, base: TechIndex,
                      shipped: _Weights, progress=None) -> dict:
        """Weights refitted on firm-level bootstrap samples of the labelled rows, each
        started from the shipped fit (``progress``: as :meth:`fit` takes it)."""
        names = data.domain_names
        draws = []
        if progress is not None:
            progress("bootstrap refits", self.n_refits)
        advance = getattr(progress, "advance", None)

        def refit(weights: np.ndarray) -> list[float]:
            fits = {p: self._fit_perspective(data, p, data.labelled, weights,
                                             start=shipped.fits[p]) for p in data.perspectives}
            combined, _ = self._combine(fits, base, data)
            return [combined[d] for d in names]

        # the samples are drawn here, in order, so the draws do not depend on the threads
        tasks = (partial(refit, data.firm_bootstrap_weights(rng)) for _ in range(self.n_refits))
        for draw in in_order(tasks, REFIT_THREADS, ahead=2 * REFIT_THREADS):
            draws.append(draw)
            if advance is not None:
                advance(1)
        if not draws:
            return {"n": 0}
        return _spread(np.array(draws), names, [shipped.domains[d] for d in names])

    def _method(self, rules: OutcomeRules, data_divisions) -> dict:
        """The ``method`` section: the options and the rules, as the card reports them."""
        return {"outcomes": rules.to_dict(),
                "model": f"logistic regression of each label on the {_LEVEL_TEXT[self.level]}, "
                         "coefficients >= 0, L2 penalty on standardised coefficients "
                         "(scipy L-BFGS-B with bounds)",
                "level": self.level,
                "l2": self.l2, "combination": self.combination, "min_weight": self.min_weight,
                "min_indicator_weight": self.min_indicator_weight,
                "controls": self.controls, "control_divisions": data_divisions,
                "test_years": self.test_years, "n_folds": self.n_folds,
                "n_bootstrap": self.n_bootstrap, "n_refits": self.n_refits,
                "bootstrap": "firms resampled with replacement (all their rows together)",
                "missing_indicator": "the mean of the firm's present indicators of its domain "
                                     "(its domain score), as the index computes it",
                "missing_domain": "replaced by the reference mean of the domain"}

    # ------------------------------------------------------------------ using
    def predict_proba(self, frame: pd.DataFrame, perspective: str = "high_growth") -> np.ndarray:
        """Probability of the perspective's outcome for each row (shipped coefficients)."""
        check_is_fitted(self)
        return predict_proba(self.index_, frame, perspective)

    def save(self, path: str | os.PathLike) -> None:
        """Write the model file (a TechIndex model with its ``growth`` section), atomically."""
        check_is_fitted(self)
        self.index_.save(path)


def _spread(draws: np.ndarray, names: list[str], shipped: list[float]) -> dict:
    """The ``bootstrap_weights`` section: mean, sd, 5th and 95th percentiles of the refitted
    weights (``draws``: refits x domains). (How often the refits keep the domains' order is
    no longer recorded: a predictive fit weighs fields by what they foretell, and its order
    is no target.)"""
    return {"n": len(draws),
            "mean": _rounded(dict(zip(names, draws.mean(axis=0)))),
            "sd": _rounded(dict(zip(names, draws.std(axis=0)))),
            "p05": _rounded(dict(zip(names, np.percentile(draws, 5, axis=0)))),
            "p95": _rounded(dict(zip(names, np.percentile(draws, 95, axis=0))))}


def _is_synthetic(truth: pd.DataFrame | None, synthetic: bool | None) -> bool:
    """Synthetic when said so, or, unsaid, when a generator's truth is given."""
    return bool(truth is not None if synthetic is None else synthetic)


def _training(panel: pd.DataFrame, data: FitData, scheme: dict, base: TechIndex, seed: int,
              synthetic: bool, description: str, command: str) -> dict:
    """The ``training`` section: what the model was fitted on and how to rebuild it."""
    return {"data_sha256": data_hash(panel),
            "years": [int(y) for y in data.years_of(data.labelled)],
            "train_years": scheme["train_years"], "test_years": scheme["test_years"],
            "rows": len(panel), "labelled_rows": int(data.labelled.sum()),
            "base_year": int(base.reference_["year"]), "seed": int(seed),
            "package_version": __version__, "synthetic": synthetic,
            "description": description, "command": command}

# ---------------------------------------------------------------------- building blocks

def fit_nonnegative_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-3,
                             sample_weight: np.ndarray | None = None,
                             n_free: int = 0, start: np.ndarray | None = None) -> tuple[float, np.ndarray]:
    """Logistic regression with coefficients >= 0 and an L2 penalty (scipy L-BFGS-B).

    Minimises ``mean_w(log loss) + l2 / 2 * sum(beta_std ** 2)`` where ``beta_std`` are the
    coefficients of the standardised columns; the intercept is free and not penalised.

    Parameters
    ----------
    x : (n, k) array, no NaN. y : (n,) array of 0/1. sample_weight : (n,) array >= 0.
    n_free : the last ``n_free`` columns (controls) may take either sign.
    start : optional starting point (intercept, coefficients) in the units of ``x``.

    Returns
    -------
    (intercept, coefficients) in the units of ``x`` (the first k - n_free are >= 0).

    >>> x = np.array([[0.0], [1.0], [2.0], [3.0]]); y = np.array([0, 0, 1, 1])
    >>> b0, b = fit_nonnegative_logistic(x, y, l2=0.1)
    >>> bool(b[0] > 0)
    True
    """
    w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    w = w / w.sum()
    mean = w @ x
    sd = np.sqrt(w @ (x - mean) ** 2)
    sd[sd == 0] = 1.0
    z = (x - mean) / sd
    y = np.asarray(y, dtype=float)
    k = x.shape[1]

    def loss(theta):
        eta = theta[0] + z @ theta[1:]
        # log(1 + e^eta) - y * eta, computed stably
        value = w @ (np.logaddexp(0.0, eta) - y * eta) + 0.5 * l2 * theta[1:] @ theta[1:]
        residual = w * (_sigmoid(eta) - y)
        grad = np.concatenate(([residual.sum()], z.T @ residual + l2 * theta[1:]))
        return value, grad

    if start is None:
        prior = np.clip(w @ y, 1e-6, 1 - 1e-6)
        start = np.concatenate(([np.log(prior / (1 - prior))], np.zeros(k)))
    else:  # to the standardised scale
        start = np.concatenate(([start[0] + start[1:] @ mean], start[1:] * sd))
    result = minimize(loss, start, jac=True, method="L-BFGS-B",
                      bounds=[(None, None)] + [(0.0, None)] * (k - n_free)
                      + [(None, None)] * n_free,
                      options={"maxiter": 1000, "gtol": 1e-7, "ftol": 1e-12})
    beta = result.x[1:] / sd
    intercept = result.x[0] - beta @ mean
    return float(intercept), beta


def combine_weights(coefficients: dict, shares: dict, floor: float = 0.0,
                    absent=()) -> dict:
    """Domain weights from the perspectives' coefficients (per domain point, all >= 0).

    Each perspective's coefficients are normalised to sum 1 (equal weights when all are 0: a
    perspective without signal has no say on the ranking) and mixed by ``shares``; then
    every weight is lifted to at least ``floor`` (``floor + (1 - K floor) w``); rounded to 6
    decimals, the sum forced to 1 on the largest weight. Names in ``absent`` (domains
    without data) get exactly 0, and K counts the others.

    >>> combine_weights({"a": {"x": 3, "y": 1}, "b": {"x": 0, "y": 0}}, {"a": .5, "b": .5})
    {'x': 0.625, 'y': 0.375}
    >>> combine_weights({"a": {"x": 3, "y": 1, "z": 0}}, {"a": 1.0}, floor=0.1, absent={"z"})
    {'x': 0.7, 'y': 0.3, 'z': 0.0}
    """
    names = list(next(iter(coefficients.values())))
    keep = np.array([d not in absent for d in names])
    total = np.zeros(len(names))
    for perspective, coef in coefficients.items():
        values = np.array([max(float(coef[d]), 0.0) if d not in absent else 0.0
                           for d in names])
        normalised = values / values.sum() if values.sum() > 0 else np.where(
            keep, 1 / keep.sum(), 0.0)
        total += shares[perspective] * normalised
    total = np.where(keep, floor + (1 - keep.sum() * floor) * total / total.sum(), 0.0)
    total = np.round(total, 6)
    total[np.argmax(total)] += round(1.0 - total.sum(), 6)
    return {d: float(round(v, 6)) for d, v in zip(names, total)}


def combine_indicator_weights(coefficients: dict, shares: dict, domain_of: dict,
                              floor: float = 0.0, indicator_floor: float = 0.0,
                              absent=()) -> tuple[dict, dict]:
    """Domain weights and indicator weights within domains from indicator coefficients.

    Each perspective's coefficients (per score point, all >= 0) are normalised to sum 1 and
    mixed by ``shares`` into ``b``; then, exactly, ``w_d = sum(b_i, i in d)`` and
    ``v_i = b_i / w_d``, so that ``sum_d w_d sum_i v_i s_i = sum_i b_i s_i``. Domain weights
    are lifted to at least ``floor`` (``floor + (1 - K floor) w``) and indicator weights
    within a domain to at least ``indicator_floor`` (``f + (1 - n_d f) v``); a domain whose
    indicators all have coefficient 0 gets equal indicator weights (it keeps only ``floor``).
    Rounded to 6 decimals, each set summing to 1 (the remainder on its largest weight).
    Indicators in ``absent`` (no data) get weight 0 and count for no floor; a domain all of
    whose indicators are absent gets domain weight 0 (its indicators equal weights inside
    it, so the spec stays valid) and the floor applies to the other domains.

    >>> combine_indicator_weights({"a": {"x": 1, "y": 3, "z": 4}}, {"a": 1.0},
    ...                           {"x": "p", "y": "p", "z": "q"})
    ({'p': 0.5, 'q': 0.5}, {'x': 0.25, 'y': 0.75, 'z': 1.0})
    """
    names = list(domain_of)
    total = np.zeros(len(names))
    for perspective, coef in coefficients.items():
        values = np.array([max(float(coef[i]), 0.0) for i in names])
        total += shares[perspective] * (values / values.sum() if values.sum() > 0
                                        else np.full(len(names), 1 / len(names)))
    domains = list(dict.fromkeys(domain_of.values()))
    member = {d: np.array([domain_of[i] == d for i in names]) for d in domains}
    present = np.array([i not in absent for i in names])
    empty = {d for d in domains if not (member[d] & present).any()}
    summed = {d: float(total[member[d] & present].sum()) for d in domains}
    domain_weights = combine_weights({"all": summed}, {"all": 1.0}, floor=floor, absent=empty)
    indicator_weights = {i: 0.0 for i in names}
    for d in domains:
        inside = member[d] if d in empty else member[d] & present
        within = total[inside]
        n = within.size
        within = within / within.sum() if within.sum() > 0 else np.full(n, 1 / n)
        within = np.round(indicator_floor + (1 - n * indicator_floor) * within, 6)
        within[np.argmax(within)] += round(1.0 - within.sum(), 6)
        indicator_weights.update(zip(np.array(names)[inside].tolist(),
                                     (float(round(v, 6)) for v in within)))
    return domain_weights, {i: indicator_weights[i] for i in names}


def predict_proba(model: TechIndex, frame: pd.DataFrame, perspective: str = "high_growth"):
    """Probability of a perspective's outcome from a fitted model file's coefficients.

    Parameters
    ----------
    model : TechIndex with a ``growth_`` section (a model file written by ``ktop fit``).
    frame : DataFrame of firm-years (contract names).
    perspective : {'high_growth', 'sustainable_growth'}

    Returns
    -------
    (n,) array of probabilities in (0, 1), one per row of ``frame``; missing scores are
    imputed as in fitting (see :class:`GrowthModel`).

    Raises
    ------
    SpecError
        A model without a growth section, or an unknown perspective.
    """
    growth = getattr(model, "growth_", None)
    if not growth:
        raise SpecError("this model has no growth section (fit it with `ktop fit`)")
    if perspective not in growth["perspectives"]:
        raise SpecError(f"perspective '{perspective}': expected one of "
                        f"{', '.join(growth['perspectives'])}")
    fit = growth["perspectives"][perspective]
    parts = model.components(frame)
    if growth["method"].get("level", "domains") == "indicators":
        features, names = _impute_indicators(parts, model), parts["indicator_names"]
    else:
        features, names = _impute(parts["domains"], model), parts["domain_names"]
    # an absent indicator (coefficient 0) has no score to impute: 0 x anything is 0
    features = np.nan_to_num(features)
    coef = np.array([fit["coefficients"][n] for n in names])
    controls, names = control_matrix(frame, growth["method"]["control_divisions"])
    ctrl = np.array([fit["controls"][c] for c in names])
    return _sigmoid(fit["intercept"] + features @ coef + controls @ ctrl)


def control_matrix(frame: pd.DataFrame, divisions: list[str] | None) -> tuple[np.ndarray, list]:
    """Control covariates (size, age, KSIC division dummies); none when ``divisions`` is None.

    Missing employees or age count as 0 (log 0 = the smallest firm); a division not in
    ``divisions`` is the reference category.
    """
    if divisions is None:
        return np.zeros((len(frame), 0)), []
    size = np.log1p(np.nan_to_num(_field(frame, "employees")))
    age = np.nan_to_num(_field(frame, "firm_age"))
    division = (frame["ksic"].astype("str").str.slice(0, 2).to_numpy(dtype=object)
                if "ksic" in frame else np.full(len(frame), "", dtype=object))
    columns = {"log_employees": size, "log_employees_sq": size ** 2,
               "log_firm_age": np.log1p(np.maximum(age, 0)), "young_firm": (age <= 3) * 1.0}
    columns.update({f"division_{d}": (division == d) * 1.0 for d in divisions})
    return np.column_stack(list(columns.values())), list(columns)


# ---------------------------------------------------------------------- the fitting data

class FitData:
    """The fitting data: scores, labels, years and firms of every panel row.

    Parameters
    ----------
    panel : DataFrame, the firm-years. labels : DataFrame of :func:`label_outcomes`.
    parts : dict of :meth:`TechIndex.components` of the panel under ``base``.
    base : TechIndex fitted on the base year. horizon : int, years of the outcome window.
    controls : bool, add control covariates. level : {'indicators', 'domains'}, what the
    perspective models are fitted on. absent : dict, indicator -> missing fields (these,
    and domains with no indicator left, are not features: coefficient 0).
    """

    def __init__(self, panel, labels, parts, base: TechIndex, horizon: int, controls: bool,
                 level: str = "indicators", absent: dict | None = None):
        self.domain_names = parts["domain_names"]
        self.indicator_names = parts["indicator_names"]
        self.absent = dict(absent or {})
        domain_of = _domain_of(base.spec_)
        self.absent_domains = [d for d in self.domain_names
                               if all(i in self.absent for i in domain_of if domain_of[i] == d)]
        self.active_domains = [d for d in self.domain_names if d not in self.absent_domains]
        self.raw_domains = parts["domains"]
        self.domains = _impute(parts["domains"], base)
        self.domain_features = self.domains[:, [self.domain_names.index(d)
                                                for d in self.active_domains]]
        self.scores = parts["scores"]
        if level == "indicators":  # what the perspective models are fitted on
            active = [j for j, i in enumerate(self.indicator_names) if i not in self.absent]
            self.features = _impute_indicators(parts, base)[:, active]
            self.feature_names = [self.indicator_names[j] for j in active]
            self.all_feature_names = self.indicator_names
        else:
            self.features, self.feature_names = self.domain_features, self.active_domains
            self.all_feature_names = self.domain_names
        self.perspectives = LABELS
        self.rated = parts["rated"]
        self.year = panel["year"].to_numpy(dtype=np.int64)
        self.firm = pd.factorize(panel["firm_id"])[0]
        self.n_firms = int(self.firm.max()) + 1 if len(self.firm) else 0
        self.labels = {p: labels[p].to_numpy(dtype=float) for p in LABELS}
        self.horizon = horizon
        self.observed = labels["observed"].to_numpy()
        self.labelled = self.rated & self.observed & np.logical_or.reduce(
            [~np.isnan(self.labels[p]) for p in LABELS])
        self.span = (int(self.year.min()), int(self.year.max())) if len(self.year) else (0, 0)
        self.divisions = _common_divisions(panel, self.labelled) if controls else None
        self.controls, self.control_names = control_matrix(panel, self.divisions)

    def known(self, label: str) -> np.ndarray:
        """Rows whose ``label`` is known (not NaN)."""
        return ~np.isnan(self.labels[label])

    def y(self, label: str) -> np.ndarray:
        """The label as 0/1 (0 where unknown: use with :meth:`known`)."""
        return np.nan_to_num(self.labels[label]).astype(np.int8)

    def years_of(self, rows: np.ndarray) -> list[int]:
        return sorted(set(self.year[rows].tolist()))

    def choose_perspectives(self, outcomes: dict) -> None:
        """Keep the perspectives the panel can label and that have both outcomes among the
        labelled rows; record why another is left out (in ``outcomes``). DataError when
        none is left, or no row is rated with a known future."""
        first, last = self.span
        if not self.labelled.any():
            reason = ("no firm-year is rated" if not self.rated.any() else
                      f"no rated firm-year has a known {self.horizon}-year future")
            raise DataError(f"the panel ({first}-{last}) allows no label: {reason} (expected "
                            f"at least {self.horizon + 1} consecutive years of the same "
                            "firms, with the index's fields)",
                            ko=f"패널({first}-{last})로는 성과 라벨을 만들 수 없습니다: "
                               + ("등급이 산출된 기업-연도가 없습니다" if not self.rated.any()
                                  else f"{self.horizon}년 뒤 성과가 알려진 기업-연도가 "
                                       "없습니다")
                               + f" (같은 기업의 연속 {self.horizon + 1}년 이상 자료 필요)")
        kept = []
        for p in LABELS:
            entry = outcomes[p]
            y = self.labels[p][self.labelled & self.known(p)]
            if p == "sustainable_growth" and not entry["available"]:
                entry["fitted"] = False
            elif y.size == 0 or y.min() == y.max():
                entry["fitted"] = False
                entry["note"] += ("; not fitted: " + ("no labelled firm-year" if y.size == 0
                                                      else "every labelled firm-year has the "
                                                           "same outcome"))
            else:
                entry["fitted"] = True
                kept.append(p)
        if not kept:
            raise DataError(f"the panel ({first}-{last}) allows no growth perspective: "
                            f"{outcomes['high_growth']['note']}; sustainable growth "
                            f"{outcomes['sustainable_growth']['note']}",
                            ko=f"패널({first}-{last})로는 고성장·지속성장 어느 관점도 적합할 수 "
                               "없습니다 (라벨이 없거나 모두 같은 값)")
        self.perspectives = tuple(kept)
        self.labelled = self.rated & self.observed & np.logical_or.reduce(
            [self.known(p) for p in kept])

    def validation_folds(self, test_years: int, n_folds: int, rng: np.random.Generator
                         ) -> tuple[dict, list[tuple[np.ndarray, np.ndarray]]]:
        """The validation scheme the labelled years allow, and its (train, test) rows.

        * **out of time** (``test_years + horizon + 1`` labelled years or more): test the
          last ``test_years`` labelled years; train on the years whose future had ended when
          the test years begin (t + horizon <= the first test year);
        * **next cohort** (2 or more): test the latest ``min(test_years, n // 2)`` labelled
          years, train on the earlier ones (not out of time: their outcomes overlap);
        * **firm-grouped cross-validation** (1): the labelled firms in ``n_folds`` groups
          (at most one per firm), a seeded random order; each group is tested by a fit on
          the others.

        Train and test never share a year (the first two) or a firm (the third).
        """
        years = self.years_of(self.labelled)
        h = self.horizon
        if len(years) >= test_years + h + 1:
            first_test = years[-test_years]
            test = self.labelled & (self.year >= first_test)
            train = self.labelled & (self.year <= first_test - h)
            return self._scheme("out_of_time", train, test), [(train, test)]
        if len(years) >= 2:
            n_test = min(test_years, len(years) // 2)
            first_test = years[-n_test]
            test = self.labelled & (self.year >= first_test)
            train = self.labelled & (self.year < first_test)
            return self._scheme("next_cohort", train, test), [(train, test)]
        firms = np.unique(self.firm[self.labelled])
        k = min(n_folds, firms.size)
        if k < 2:
            raise DataError(f"the panel has one labelled firm-year cohort ({years[0]}) of "
                            f"{firms.size} firm: nothing to validate on (expected several "
                            "firms, or more years)",
                            ko=f"라벨이 있는 기준연도가 {years[0]}년 하나이고 기업이 "
                               f"{firms.size}개뿐이라 검증할 수 없습니다 (기업 또는 연도 추가 필요)")
        group = np.full(self.n_firms, -1)
        group[rng.permutation(firms)] = np.arange(firms.size) % k
        folds = [(self.labelled & (group[self.firm] != f), self.labelled & (group[self.firm] == f))
                 for f in range(k)]
        scheme = self._scheme("grouped_cv", folds[0][0] | folds[0][1], folds[0][0] | folds[0][1],
                              k=k)
        scheme["folds"] = [{"fold": f + 1, "test_firms": int(np.unique(self.firm[test]).size),
                            "test_rows": int(test.sum()), "train_rows": int(train.sum())}
                           for f, (train, test) in enumerate(folds)]
        return scheme, folds

    def _scheme(self, name: str, train: np.ndarray, test: np.ndarray, k: int = 0) -> dict:
        """The record of a scheme: its name, what it is, its years and rows."""
        return {"name": name, "text": SCHEMES[name].format(h=self.horizon, k=k),
                "train_years": [int(y) for y in self.years_of(train)],
                "test_years": [int(y) for y in self.years_of(test)],
                "train_rows": int(train.sum()), "test_rows": int(test.sum()),
                "folds": None}

    def probability(self, fit: dict, rows: np.ndarray) -> np.ndarray:
        """A perspective fit's probability of the outcome for ``rows`` (features and
        controls as fitted)."""
        coef = np.array([fit["coefficients"][d] for d in self.feature_names]
                        + [fit["controls"][c] for c in self.control_names])
        x = np.column_stack([self.features, self.controls])[rows]
        return _sigmoid(fit["intercept"] + x @ coef)

    def perspective_counts(self, label: str) -> dict:
        use = self.labelled & self.known(label)
        return {"rows": int(use.sum()), "positive_rate": round(float(self.y(label)[use].mean()), 6)}

    def firm_bootstrap_weights(self, rng: np.random.Generator) -> np.ndarray:
        """Row weights of one firm-level bootstrap sample (a firm's count, for all its rows)."""
        counts = np.bincount(rng.integers(0, self.n_firms, self.n_firms), minlength=self.n_firms)
        return counts[self.firm].astype(float)


def _field(frame: pd.DataFrame, name: str) -> np.ndarray:
    """A numeric field as float64; an absent column is all missing."""
    if name not in frame:
        return np.full(len(frame), np.nan)
    return frame[name].to_numpy(dtype=float, na_value=np.nan)


def _common_divisions(panel: pd.DataFrame, rows: np.ndarray, min_rows: int = 50) -> list[str]:
    """KSIC divisions with at least ``min_rows`` labelled rows (the others pool together)."""
    if "ksic" not in panel:
        return []
    division = panel["ksic"].astype("str").str.slice(0, 2)[rows]
    counts = division.value_counts()
    return sorted(str(d) for d in counts[counts >= min_rows].index)


# ---------------------------------------------------------------------- internals

def absent_indicators(spec: dict, panel: pd.DataFrame, base_year: int | None = None) -> dict:
    """The spec's indicators without any value in the base year (the panel's last when None),
    each with the input fields the panel lacks (column missing or empty; an empty list: the
    fields are there but give no value in that year).

    >>> frame = pd.DataFrame({"firm_id": ["A", "B"], "year": [2024, 2024],
    ...                       "employees": [5, 8], "revenue": [1e5, 2e5]})
    >>> absent_indicators(load_spec(), frame)["rnd_staff_share"]
    ['rnd_staff']
    """
    year = int(panel["year"].max()) if base_year is None else int(base_year)
    near = panel[panel["year"].isin([year - 1, year])]  # growth looks one year back
    values = compute_indicators(near, spec["indicators"])
    in_year = (near["year"] == year).to_numpy()
    out = {}
    for indicator in spec["indicators"]:
        if not np.isfinite(values[indicator["name"]].to_numpy(dtype=float)[in_year]).any():
            fields = source_fields(panel.head(0), [indicator])
            out[indicator["name"]] = [f for f in fields
                                      if f not in panel or not panel[f].notna().any()]
    return out


def _present_spec(spec, panel: pd.DataFrame, base_year: int | None) -> tuple[dict, dict]:
    """The spec with every absent indicator at weight 0 and every domain without an
    indicator left at weight 0 (its indicators keep their weights inside it, so the spec
    stays valid), and the absent indicators. DataError when no indicator has data."""
    spec = load_spec(spec)
    absent = absent_indicators(spec, panel, base_year)
    for indicator in spec["indicators"]:
        if indicator["name"] in absent:
            indicator["weight"] = 0.0
    kept = {s["name"]: s["weight"] for s in load_spec(spec)["indicators"]}
    for domain in spec["domains"]:
        members = [s for s in spec["indicators"] if s["domain"] == domain["name"]]
        if all(s["name"] in absent for s in members):
            domain["weight"] = 0.0
            for s in members:
                s["weight"] = kept[s["name"]] or 1.0
    if all(d["weight"] == 0 for d in spec["domains"]):
        raise DataError("the panel has none of the index's fields in its base year (expected "
                        "some of the data contract's indicator fields, e.g. employees with "
                        "salaries, rnd_expense or patents)",
                        ko="패널의 기준연도에 지수 지표를 계산할 항목이 하나도 없습니다 "
                           "(데이터 계약의 지표 항목 필요)")
    return spec, absent


def _pool(baselines: dict, name: str, values: np.ndarray, rows: np.ndarray) -> None:
    """Put a fold's baseline values on its test rows (a new baseline starts all NaN)."""
    if name not in baselines:
        baselines[name] = np.full(len(rows), np.nan)
    baselines[name][rows] = values[rows]


def _merge_best(baselines: dict) -> dict:
    """One ``best_indicator:NAMES`` entry per perspective where folds chose different ones
    (their values pooled by fold), the others unchanged."""
    out = {}
    for p, named in baselines.items():
        best = [k for k in named if k.startswith("best_indicator:")]
        merged = np.full(len(next(iter(named.values()))), np.nan)
        for k in best:
            merged = np.where(np.isnan(named[k]), merged, named[k])
        ordered = {}
        for k, v in named.items():
            if k in best:
                if best and k == best[0]:
                    ordered["best_indicator:" + "/".join(b.split(":", 1)[1] for b in best)] = (
                        merged)
            else:
                ordered[k] = v
        out[p] = ordered
    return out


def _plain(value):
    """JSON-ready: numpy numbers to Python numbers, NaN to None (model files hold no NaN)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if not np.isfinite(value) else float(value)
    return value


def _sigmoid(eta):
    return 0.5 * (1.0 + np.tanh(0.5 * eta))


def _rounded(values: dict, digits: int = 6) -> dict:
    return {k: round(float(v), digits) for k, v in values.items()}


def _impute(domains: np.ndarray, model: TechIndex) -> np.ndarray:
    """Domain scores with a missing one replaced by the reference mean of the domain."""
    means = np.array([model.domain_means_[d["name"]] for d in model.spec_["domains"]])
    return np.where(np.isnan(domains), means, domains)


def _impute_indicators(parts: dict, model: TechIndex) -> np.ndarray:
    """Indicator scores with a missing one replaced as the index treats it: by the firm's
    domain score (the weighted mean of its present indicators there), or the reference
    mean of the domain where the firm has none of them."""
    domain_of = _domain_of(model.spec_)
    column = {d: k for k, d in enumerate(parts["domain_names"])}
    fill = _impute(parts["domains"], model)[:, [column[domain_of[i]]
                                                for i in parts["indicator_names"]]]
    return np.where(np.isnan(parts["scores"]), fill, parts["scores"])


def _domain_of(spec: dict) -> dict:
    """indicator -> its domain, in the spec's order."""
    return {s["name"]: s["domain"] for s in spec["indicators"]}


_LEVEL_TEXT = {"indicators": "indicator scores (missing ones imputed as the index does)",
               "domains": "four domain scores"}
_COMBINATION_RULES = {
    "domains": "w = combination * normalised high-growth coefficients + (1 - combination) * "
               "normalised sustainable-growth coefficients; weights = min_weight + (1 - K * "
               "min_weight) * w; indicator weights within domains kept from the spec",
    "indicators": "b = combination * normalised high-growth indicator coefficients + "
                  "(1 - combination) * normalised sustainable-growth ones; domain weight "
                  "w_d = sum of b_i over its indicators, then min_weight + (1 - K * "
                  "min_weight) * w_d; indicator weight within its domain v_i = b_i / w_d, "
                  "then min_indicator_weight + (1 - n_d * min_indicator_weight) * v_i",
}


def _with_weights(base: TechIndex, weights: dict, panel: pd.DataFrame,
                  indicator_weights: dict) -> TechIndex:
    """A copy of the base index's spec with new domain and indicator weights, refitted on
    the base year (goalposts depend on neither, so indicator scores do not change)."""
    spec = load_spec(base.spec_)
    for domain in spec["domains"]:
        domain["weight"] = weights[domain["name"]]
    for indicator in spec["indicators"]:
        indicator["weight"] = indicator_weights[indicator["name"]]
    return TechIndex(spec=spec, reference_year=base.reference_["year"]).fit(panel)


def _truth_capability(panel: pd.DataFrame, truth: pd.DataFrame | None) -> np.ndarray | None:
    """The generator's latent capability of each panel row (None without a truth)."""
    if truth is None:
        return None
    if "capability" not in truth or not {"firm_id", "year"} <= set(truth.columns):
        raise DataError("the truth table has no firm_id, year and capability columns "
                        "(expected a synthetic truth.parquet)",
                        ko="참값 표에 firm_id, year, capability 열이 없습니다 (합성 자료의 "
                           "truth.parquet이 필요합니다)")
    keyed = truth.set_index(["firm_id", "year"])["capability"]
    index = pd.MultiIndex.from_arrays([panel["firm_id"], panel["year"]])
    return keyed.reindex(index).to_numpy(dtype=float)
