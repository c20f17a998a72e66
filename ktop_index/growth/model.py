"""The model-based Tech-Index: domain weights learned from later growth, and proof that it predicts.

K-TOP's Tech-Index is "model-based": its four domains are weighed by how well they foretell
a firm's growth, from a high-growth and a sustainable-growth perspective. :class:`GrowthModel`
does the same, openly (method and sources in ``docs/growth_model.md``):

1. label every firm-year with what happened in the next three years
   (:func:`ktop_index.outcomes.label_outcomes`: high growth, sustainable growth; unknown
   futures are left out, never counted as negative);
2. fit the index's normalisation on the base year (:meth:`TechIndex.fit`) and compute the four
   domain scores (0-100) of every firm-year (:meth:`TechIndex.components`);
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

Validation is out of time: the same procedure is fitted on the early years only (those
whose three-year future had ended before the test years begin) and judged on the last
``test_years`` labelled years, against equal domain weights and the single best indicator
chosen on the training years (and, at indicator level, the domain-level fit), with
firm-level bootstrap confidence intervals. The shipped weights are then refitted on every
labelled year.

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
>>> scores = model.index_.score(panel[panel["year"] == 2024])   # a normal TechIndex
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits

from ktop_index import __version__
from ktop_index.growth.outcomes import LABELS, OutcomeRules, label_outcomes
from ktop_index.index.composite import a_amean
from ktop_index.index.techindex import TechIndex, data_hash, load_spec

#: Population stability index thresholds (rule of thumb of credit scoring: below 0.10 no
#: significant shift, 0.10-0.25 a moderate shift to watch, above 0.25 a significant shift;
#: Siddiqi, *Credit Risk Scorecards*, Wiley 2006, ch. 8; Yurdakul, *Statistical properties
#: of the population stability index*, 2018).
PSI_WATCH, PSI_ALERT = 0.10, 0.25
RELIABILITY_BINS = 10


class GrowthModel:
    """Learn the Tech-Index domain weights from later high growth and sustainable growth.

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
        Number of last labelled years held out for the out-of-time validation.
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

    Missing values: rows without a known future or not rated (coverage below the spec's
    minimum) are left out of fitting. As the index itself does, a missing indicator score
    counts as the mean of the firm's present indicators of its domain (the domain score);
    a missing domain score is replaced by the reference mean of that domain, when fitting
    and predicting probabilities.
    """

    def __init__(self, spec: dict | str | os.PathLike | None = None, base_year: int | None = None,
                 rules: OutcomeRules | None = None, combination: float = 0.5,
                 level: str = "indicators", min_weight: float = 0.05,
                 min_indicator_weight: float = 0.0, l2: float = 1e-3,
                 controls: bool = False, test_years: int = 3, n_bootstrap: int = 200,
                 n_refits: int = 50, seed: int = 0):
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
        self.n_bootstrap = n_bootstrap
        self.n_refits = n_refits
        self.seed = seed

    # ------------------------------------------------------------------ fitting
    def fit(self, panel: pd.DataFrame, truth: pd.DataFrame | None = None, *,
            synthetic: bool | None = None, description: str = "",
            command: str = "") -> GrowthModel:
        """Fit on a firm panel (contract names, money in 천원).

        ``truth`` (optional; synthetic panels only) holds ``firm_id``, ``year`` and the latent
        ``capability``: its AUC on the test rows is reported as the best achievable.
        ``synthetic`` (True when a truth is given), ``description`` (what the data is) and
        ``command`` (how to rebuild the model) are recorded for the model card.
        """
        # Many small matrix products: BLAS threads only fight each other (30x slower on a
        # busy 2-core machine), so one thread. threadpoolctl comes with scikit-learn.
        with threadpool_limits(limits=1, user_api="blas"):
            return self._fit(panel, truth, synthetic, description, command)

    def _fit(self, panel, truth, synthetic, description, command) -> GrowthModel:
        self._check_params()
        rules = self.rules or OutcomeRules()
        rng_boot, rng_refit = np.random.default_rng(self.seed).spawn(2)
        self.labels_ = label_outcomes(panel, rules)
        base = TechIndex(spec=self.spec).fit(panel, reference_year=self.base_year)
        parts = base.components(panel)
        data = _Data(panel, self.labels_, parts, base, rules.horizon, self.controls,
                     self.level)
        train, test = data.split(self.test_years)

        # out-of-time: the whole procedure on the training years, judged on the test years
        early = {p: self._fit_perspective(data, p, train) for p in LABELS}
        early_weights, early_indicators = self._combine(early, base)
        # shipped: the same procedure on every labelled year
        self.perspectives_ = {p: self._fit_perspective(data, p, data.labelled) for p in LABELS}
        self.weights_, self.indicator_weights_ = self._combine(self.perspectives_, base)
        self.index_ = _with_weights(base, self.weights_, panel, self.indicator_weights_)

        capability = _truth_capability(panel, truth)
        validation = _Validation(data, train, test, rng_boot, self.n_bootstrap)
        extra = {"domain_level_fit": self._domain_level_composite(data, train)}
        self.growth_ = {
            "method": self._method(rules, data.divisions),
            "perspectives": {p: {**self.perspectives_[p], **data.perspective_counts(p)}
                             for p in LABELS},
            "combination": {"high_growth": self.combination,
                            "sustainable_growth": 1 - self.combination,
                            "min_weight": self.min_weight,
                            "min_indicator_weight": self.min_indicator_weight,
                            "rule": _COMBINATION_RULES[self.level],
                            "weights": self.weights_,
                            "indicator_weights": self.indicator_weights_},
            "validation": validation.report(
                early, early_weights,
                _with_weights(base, early_weights, panel, early_indicators), capability,
                {k: v for k, v in extra.items() if v is not None}),
            "bootstrap_weights": self._refit_spread(data, rng_refit, base),
            "training": {"data_sha256": data_hash(panel),
                         "years": [int(y) for y in data.years_of(data.labelled)],
                         "train_years": [int(y) for y in data.years_of(train)],
                         "test_years": [int(y) for y in data.years_of(test)],
                         "rows": len(panel), "labelled_rows": int(data.labelled.sum()),
                         "base_year": int(base.reference_["year"]), "seed": int(self.seed),
                         "package_version": __version__,
                         "synthetic": bool(truth is not None if synthetic is None else synthetic),
                         "description": description, "command": command},
        }
        self.growth_ = _plain(self.growth_)
        self.index_.growth_ = self.growth_
        return self

    def _check_params(self) -> None:
        if not 0 <= self.combination <= 1:
            raise ValueError(f"combination {self.combination!r}: expected a share in [0, 1]")
        if self.level not in ("indicators", "domains"):
            raise ValueError(f"level {self.level!r}: expected 'indicators' or 'domains'")
        if not 0 <= self.min_weight <= 0.25:
            raise ValueError(f"min_weight {self.min_weight!r}: expected a weight in [0, 0.25]")
        if not 0 <= self.min_indicator_weight <= 0.2:
            raise ValueError(f"min_indicator_weight {self.min_indicator_weight!r}: expected a "
                             "weight in [0, 0.2]")
        if not self.l2 >= 0:
            raise ValueError(f"l2 {self.l2!r}: expected a penalty >= 0")
        if not (isinstance(self.test_years, int) and self.test_years >= 1):
            raise ValueError(f"test_years {self.test_years!r}: expected a whole number >= 1")
        for name in ("n_bootstrap", "n_refits"):
            if not (isinstance(getattr(self, name), int) and getattr(self, name) >= 0):
                raise ValueError(f"{name} {getattr(self, name)!r}: expected a whole number >= 0")

    def _domain_level_composite(self, data: _Data, train: np.ndarray) -> np.ndarray | None:
        """At indicator level, the composite of the same procedure fitted on the domain scores
        (training years): the baseline the indicator level has to beat. None at domain level."""
        if self.level == "domains":
            return None
        fits = {p: self._fit_perspective(data, p, train, domains=True) for p in LABELS}
        shares = {"high_growth": self.combination, "sustainable_growth": 1 - self.combination}
        weights = combine_weights({p: fits[p]["coefficients"] for p in LABELS}, shares,
                                  floor=self.min_weight)
        return a_amean(data.raw_domains, np.array([weights[d] for d in data.domain_names]))

    def _fit_perspective(self, data: _Data, label: str, rows: np.ndarray,
                         weights: np.ndarray | None = None, start: dict | None = None,
                         domains: bool = False) -> dict:
        use = rows & data.known(label)
        features, names = ((data.domains, data.domain_names) if domains
                           else (data.features, data.feature_names))
        x = np.column_stack([features, data.controls])[use]
        theta = None if start is None else np.array(
            [start["intercept"], *start["coefficients"].values(), *start["controls"].values()])
        intercept, coef = fit_nonnegative_logistic(x, data.y(label)[use], l2=self.l2,
                                                   sample_weight=None if weights is None
                                                   else weights[use],
                                                   n_free=data.controls.shape[1], start=theta)
        k = len(names)
        return {"intercept": intercept,
                "coefficients": _rounded(dict(zip(names, coef[:k])), 10),
                "controls": _rounded(dict(zip(data.control_names, coef[k:])), 10)}

    def _combine(self, perspectives: dict, base: TechIndex) -> tuple[dict, dict]:
        """(domain weights, indicator weights within domains) from the perspectives' fits."""
        shares = {"high_growth": self.combination, "sustainable_growth": 1 - self.combination}
        coefficients = {p: perspectives[p]["coefficients"] for p in LABELS}
        spec = base.spec_
        if self.level == "domains":
            kept = {s["name"]: float(s["weight"]) for s in spec["indicators"]}
            return combine_weights(coefficients, shares, floor=self.min_weight), kept
        return combine_indicator_weights(coefficients, shares, _domain_of(spec),
                                         floor=self.min_weight,
                                         indicator_floor=self.min_indicator_weight)

    def _refit_spread(self, data: _Data, rng: np.random.Generator, base: TechIndex) -> dict:
        """Weights refitted on firm-level bootstrap samples of the labelled rows."""
        names = data.domain_names
        draws = []
        for _ in range(self.n_refits):
            weights = data.firm_bootstrap_weights(rng)
            fits = {p: self._fit_perspective(data, p, data.labelled, weights,
                                             start=self.perspectives_[p]) for p in LABELS}
            combined, _ = self._combine(fits, base)
            draws.append([combined[d] for d in names])
        if not draws:
            return {"n": 0}
        draws = np.array(draws)
        ranking = np.argsort(-np.array([self.weights_[d] for d in names]), kind="stable")
        same_order = np.mean([np.array_equal(np.argsort(-row, kind="stable"), ranking)
                              for row in draws])
        return {"n": len(draws),
                "mean": _rounded(dict(zip(names, draws.mean(axis=0)))),
                "sd": _rounded(dict(zip(names, draws.std(axis=0)))),
                "p05": _rounded(dict(zip(names, np.percentile(draws, 5, axis=0)))),
                "p95": _rounded(dict(zip(names, np.percentile(draws, 95, axis=0)))),
                "same_ranking_share": round(float(same_order), 4)}

    def _method(self, rules: OutcomeRules, data_divisions) -> dict:
        return {"outcomes": rules.to_dict(),
                "model": f"logistic regression of each label on the {_LEVEL_TEXT[self.level]}, "
                         "coefficients >= 0, L2 penalty on standardised coefficients "
                         "(scipy L-BFGS-B with bounds)",
                "level": self.level,
                "l2": self.l2, "combination": self.combination, "min_weight": self.min_weight,
                "min_indicator_weight": self.min_indicator_weight,
                "controls": self.controls, "control_divisions": data_divisions, "test_years": self.test_years,
                "n_bootstrap": self.n_bootstrap, "n_refits": self.n_refits,
                "bootstrap": "firms resampled with replacement (all their rows together)",
                "missing_indicator": "the mean of the firm's present indicators of its domain "
                                     "(its domain score), as the index computes it",
                "missing_domain": "replaced by the reference mean of the domain"}

    # ------------------------------------------------------------------ using
    def predict_proba(self, frame: pd.DataFrame, perspective: str = "high_growth") -> np.ndarray:
        """Probability of the perspective's outcome for each row (shipped coefficients)."""
        return predict_proba(self.index_, frame, perspective)

    def save(self, path: str | os.PathLike) -> None:
        """Write the model file (a TechIndex model with its ``growth`` section), atomically."""
        self.index_.save(path)


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


def combine_weights(coefficients: dict, shares: dict, floor: float = 0.0) -> dict:
    """Domain weights from the perspectives' coefficients (per domain point, all >= 0).

    Each perspective's coefficients are normalised to sum 1 (equal weights when all are 0: a
    perspective without signal has no say on the ranking) and mixed by ``shares``; then
    every weight is lifted to at least ``floor`` (``floor + (1 - K floor) w``); rounded to 6
    decimals, the sum forced to 1 on the largest weight.

    >>> combine_weights({"a": {"x": 3, "y": 1}, "b": {"x": 0, "y": 0}}, {"a": .5, "b": .5})
    {'x': 0.625, 'y': 0.375}
    """
    names = list(next(iter(coefficients.values())))
    total = np.zeros(len(names))
    for perspective, coef in coefficients.items():
        values = np.array([max(float(coef[d]), 0.0) for d in names])
        normalised = values / values.sum() if values.sum() > 0 else np.full(len(names),
                                                                             1 / len(names))
        total += shares[perspective] * normalised
    total = floor + (1 - len(names) * floor) * total / total.sum()
    total = np.round(total, 6)
    total[np.argmax(total)] += round(1.0 - total.sum(), 6)
    return {d: float(round(v, 6)) for d, v in zip(names, total)}


def combine_indicator_weights(coefficients: dict, shares: dict, domain_of: dict,
                              floor: float = 0.0, indicator_floor: float = 0.0
                              ) -> tuple[dict, dict]:
    """Domain weights and indicator weights within domains from indicator coefficients.

    Each perspective's coefficients (per score point, all >= 0) are normalised to sum 1 and
    mixed by ``shares`` into ``b``; then, exactly, ``w_d = sum(b_i, i in d)`` and
    ``v_i = b_i / w_d``, so that ``sum_d w_d sum_i v_i s_i = sum_i b_i s_i``. Domain weights
    are lifted to at least ``floor`` (``floor + (1 - K floor) w``) and indicator weights
    within a domain to at least ``indicator_floor`` (``f + (1 - n_d f) v``); a domain whose
    indicators all have coefficient 0 gets equal indicator weights (it keeps only ``floor``).
    Rounded to 6 decimals, each set summing to 1 (the remainder on its largest weight).

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
    summed = {d: float(total[member[d]].sum()) for d in domains}
    domain_weights = combine_weights({"all": summed}, {"all": 1.0}, floor=floor)
    indicator_weights = {}
    for d in domains:
        within = total[member[d]]
        n = within.size
        within = within / within.sum() if within.sum() > 0 else np.full(n, 1 / n)
        within = np.round(indicator_floor + (1 - n * indicator_floor) * within, 6)
        within[np.argmax(within)] += round(1.0 - within.sum(), 6)
        indicator_weights.update(zip(np.array(names)[member[d]].tolist(),
                                     (float(round(v, 6)) for v in within)))
    return domain_weights, {i: indicator_weights[i] for i in names}


def predict_proba(model: TechIndex, frame: pd.DataFrame, perspective: str = "high_growth"):
    """Probability of a perspective's outcome from a fitted model file's coefficients."""
    growth = getattr(model, "growth_", None)
    if not growth:
        raise ValueError("this model has no growth section (fit it with `ktop fit`)")
    if perspective not in growth["perspectives"]:
        raise ValueError(f"perspective '{perspective}': expected one of "
                         f"{', '.join(growth['perspectives'])}")
    fit = growth["perspectives"][perspective]
    parts = model.components(frame)
    if growth["method"].get("level", "domains") == "indicators":
        features, names = _impute_indicators(parts, model), parts["indicator_names"]
    else:
        features, names = _impute(parts["domains"], model), parts["domain_names"]
    coef = np.array([fit["coefficients"][n] for n in names])
    controls, names = control_matrix(frame, growth["method"]["control_divisions"])
    ctrl = np.array([fit["controls"][c] for c in names])
    return _sigmoid(fit["intercept"] + features @ coef + controls @ ctrl)


def population_stability(model: TechIndex, batch: pd.DataFrame, bins: int = 10) -> dict:
    """Population stability index of a batch's Tech-Index against the model's reference.

    The reference population's Tech-Index quantiles are in the model file (its percentile
    table), so the reference data is not needed: the batch's rated firms are binned at the
    reference's ``bins`` quantiles (each holds 1/bins of the reference) and
    ``PSI = sum((new - ref) * ln(new / ref))`` over the bins (empty bins get 0.5 firm).

    Returns {'psi', 'verdict' ('stable' < 0.10 <= 'watch' < 0.25 <= 'shifted'), 'n', 'table'}.
    """
    scored = model.score(batch)
    tech = scored["tech_index"].to_numpy(dtype=float)
    tech = tech[~np.isnan(tech)]
    if tech.size == 0:
        raise ValueError("the batch has no rated firm-year (expected rows with enough data)")
    values, percents = model.percentile_table_
    edges = np.interp(np.linspace(0, 100, bins + 1)[1:-1], percents, values)
    counts = np.bincount(np.searchsorted(edges, tech, side="right"), minlength=bins)
    expected = np.full(bins, 1.0 / bins)
    result = psi(expected, counts)
    table = [{"bin": k + 1, "reference_share": round(float(expected[k]), 4),
              "batch_share": round(float(counts[k] / counts.sum()), 4), "n": int(counts[k])}
             for k in range(bins)]
    return {**result, "n": int(tech.size), "table": table}


def psi(expected_shares, actual_counts, floor: float = 0.5) -> dict:
    """PSI between expected shares and actual counts per bin.

    ``PSI = sum((a - e) * ln(a / e))`` with ``a`` the actual shares; a bin with no count
    gets ``floor`` firms so the log stays finite. Verdict by the credit-scoring rule of thumb
    (Siddiqi 2006): below 0.10 'stable', 0.10-0.25 'watch', 0.25 and above 'shifted'.

    >>> psi([0.5, 0.5], [50, 50])["psi"]
    0.0
    """
    expected = np.asarray(expected_shares, dtype=float)
    counts = np.asarray(actual_counts, dtype=float)
    if expected.shape != counts.shape or counts.sum() <= 0:
        raise ValueError("psi: expected shares and counts of the same bins, some counts > 0")
    actual = np.where(counts > 0, counts, floor)
    actual = actual / actual.sum()
    value = float(np.sum((actual - expected) * np.log(actual / expected)))
    verdict = "stable" if value < PSI_WATCH else "watch" if value < PSI_ALERT else "shifted"
    return {"psi": round(value, 6), "verdict": verdict}


def auc(score: np.ndarray, y: np.ndarray, weight: np.ndarray | None = None) -> float:
    """ROC AUC (ties count one half), optionally with row weights.

    >>> auc(np.array([1, 2, 3, 4]), np.array([0, 0, 1, 1]))
    1.0
    """
    return _AucTable(score, y).auc(weight)


# ---------------------------------------------------------------------- internals

def control_matrix(frame: pd.DataFrame, divisions: list[str] | None) -> tuple[np.ndarray, list]:
    """Control covariates (size, age, KSIC division dummies); none when ``divisions`` is None.

    Missing employees or age count as 0 (log 0 = the smallest firm); a division not in
    ``divisions`` is the reference category.
    """
    if divisions is None:
        return np.zeros((len(frame), 0)), []
    size = np.log1p(np.nan_to_num(frame["employees"].to_numpy(dtype=float, na_value=np.nan)))
    age = np.nan_to_num(frame["firm_age"].to_numpy(dtype=float, na_value=np.nan))
    division = frame["ksic"].astype("str").str.slice(0, 2).to_numpy(dtype=object)
    columns = {"log_employees": size, "log_employees_sq": size ** 2,
               "log_firm_age": np.log1p(np.maximum(age, 0)), "young_firm": (age <= 3) * 1.0}
    columns.update({f"division_{d}": (division == d) * 1.0 for d in divisions})
    return np.column_stack(list(columns.values())), list(columns)


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
    means = np.array([model.domain_means_[d] for d in model._domain_names()])
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
    return TechIndex(spec=spec).fit(panel, reference_year=base.reference_["year"])


def _truth_capability(panel: pd.DataFrame, truth: pd.DataFrame | None) -> np.ndarray | None:
    if truth is None:
        return None
    if "capability" not in truth or not {"firm_id", "year"} <= set(truth.columns):
        raise ValueError("the truth table has no firm_id, year and capability columns "
                         "(expected a synthetic truth.parquet)")
    keyed = truth.set_index(["firm_id", "year"])["capability"]
    index = pd.MultiIndex.from_arrays([panel["firm_id"], panel["year"]])
    return keyed.reindex(index).to_numpy(dtype=float)


class _Data:
    """The fitting data: domain scores, labels, years and firms of every panel row."""

    def __init__(self, panel, labels, parts, base: TechIndex, horizon: int, controls: bool,
                 level: str = "indicators"):
        self.domain_names = parts["domain_names"]
        self.indicator_names = parts["indicator_names"]
        self.raw_domains = parts["domains"]
        self.domains = _impute(parts["domains"], base)
        self.scores = parts["scores"]
        if level == "indicators":  # what the perspective models are fitted on
            self.features, self.feature_names = (_impute_indicators(parts, base),
                                                 self.indicator_names)
        else:
            self.features, self.feature_names = self.domains, self.domain_names
        self.rated = parts["rated"]
        self.year = panel["year"].to_numpy(dtype=np.int64)
        self.firm = pd.factorize(panel["firm_id"])[0]
        self.n_firms = int(self.firm.max()) + 1 if len(self.firm) else 0
        self.labels = {p: labels[p].to_numpy(dtype=float) for p in LABELS}
        self.horizon = horizon
        self.labelled = self.rated & labels["observed"].to_numpy() & np.logical_or.reduce(
            [~np.isnan(self.labels[p]) for p in LABELS])
        self.divisions = _common_divisions(panel, self.labelled) if controls else None
        self.controls, self.control_names = control_matrix(panel, self.divisions)

    def known(self, label: str) -> np.ndarray:
        return ~np.isnan(self.labels[label])

    def y(self, label: str) -> np.ndarray:
        return np.nan_to_num(self.labels[label]).astype(np.int8)

    def years_of(self, rows: np.ndarray) -> list[int]:
        return sorted(set(self.year[rows].tolist()))

    def split(self, test_years: int) -> tuple[np.ndarray, np.ndarray]:
        """Test: the last ``test_years`` labelled years; train: years whose future had ended
        when the test years begin (t + horizon <= the first test year)."""
        years = self.years_of(self.labelled)
        if len(years) < test_years + self.horizon + 1:
            raise ValueError(f"the panel has {len(years)} years with a known {self.horizon}-year "
                             f"future ({', '.join(map(str, years)) or 'none'}); an out-of-time "
                             f"validation needs at least {test_years + self.horizon + 1} "
                             f"(expected a panel of at least {test_years + 2 * self.horizon + 1}"
                             " consecutive years)")
        first_test = years[-test_years]
        test = self.labelled & (self.year >= first_test)
        train = self.labelled & (self.year <= first_test - self.horizon)
        return train, test

    def perspective_counts(self, label: str) -> dict:
        use = self.labelled & self.known(label)
        return {"rows": int(use.sum()), "positive_rate": round(float(self.y(label)[use].mean()), 6)}

    def firm_bootstrap_weights(self, rng: np.random.Generator) -> np.ndarray:
        """Row weights of one firm-level bootstrap sample (a firm's count, for all its rows)."""
        counts = np.bincount(rng.integers(0, self.n_firms, self.n_firms), minlength=self.n_firms)
        return counts[self.firm].astype(float)


def _common_divisions(panel: pd.DataFrame, rows: np.ndarray, min_rows: int = 50) -> list[str]:
    """KSIC divisions with at least ``min_rows`` labelled rows (the others pool together)."""
    division = panel["ksic"].astype("str").str.slice(0, 2)[rows]
    counts = division.value_counts()
    return sorted(str(d) for d in counts[counts >= min_rows].index)


class _AucTable:
    """ROC AUC of one score against one label for many row weightings (sorted once)."""

    def __init__(self, score: np.ndarray, y: np.ndarray):
        score = np.asarray(score, dtype=float)
        self.y = np.asarray(y).astype(bool)
        self.group = np.unique(score, return_inverse=True)[1]  # tie groups, ascending
        self.n_groups = int(self.group.max()) + 1 if len(score) else 0

    def auc(self, weight: np.ndarray | None = None) -> float:
        w = np.ones(len(self.y)) if weight is None else weight
        pos = np.bincount(self.group, weights=w * self.y, minlength=self.n_groups)
        neg = np.bincount(self.group, weights=w * ~self.y, minlength=self.n_groups)
        below = np.cumsum(neg) - neg
        total = pos.sum() * neg.sum()
        return float(pos @ (below + 0.5 * neg) / total) if total > 0 else float("nan")


class _Validation:
    """Out-of-time metrics of the early fit on the test rows, with firm bootstrap CIs."""

    def __init__(self, data: _Data, train: np.ndarray, test: np.ndarray,
                 rng: np.random.Generator, n_bootstrap: int):
        self.data, self.train, self.test = data, train, test
        self.boot = [data.firm_bootstrap_weights(rng) for _ in range(n_bootstrap)]

    def report(self, early: dict, early_weights: dict, early_index: TechIndex,
               capability: np.ndarray | None, extra: dict | None = None) -> dict:
        """The metrics; ``extra``: more baseline composites (name -> one value per row)."""
        data = self.data
        # indicator scores do not depend on the weights (goalposts do not), domain scores do
        early_domains = early_index._domain_scores(data.scores)[0]
        composite = early_index._composite(early_domains)
        equal = a_amean(data.raw_domains, np.ones(len(data.domain_names)))
        out = {"train_weights": early_weights}
        for label in LABELS:
            rows = self.test & data.known(label)
            y = data.y(label)[rows]
            fit = early[label]
            coef = np.array([fit["coefficients"][d] for d in data.feature_names]
                            + [fit["controls"][c] for c in data.control_names])
            x = np.column_stack([data.features, data.controls])[rows]
            prob = _sigmoid(fit["intercept"] + x @ coef)
            best_name, best_values = self._best_indicator(label)
            candidates = {"equal_weights": equal[rows],
                          f"best_indicator:{best_name}": best_values[rows]}
            candidates.update({name: values[rows] for name, values in (extra or {}).items()})
            if capability is not None:
                candidates["latent_capability"] = capability[rows]
            index_auc = self._discrimination(_lowest_for_missing(composite[rows]), y, rows)
            out[label] = {"rows": int(rows.sum()), "positive_rate": round(float(y.mean()), 6),
                          **self._discrimination(prob, y, rows),
                          "index_auc": index_auc["auc"], "index_auc_ci": index_auc["auc_ci"],
                          **self._calibration(prob, y, rows),
                          "reliability": _reliability(prob, y),
                          "baselines": self._baselines(candidates, composite[rows], y, rows)}
        out["grade_rates"] = self._grade_rates(early_index, early_domains)
        return out

    def _resampled(self, rows: np.ndarray) -> list[np.ndarray]:
        return [w[rows] for w in self.boot]

    def _discrimination(self, prob, y, rows) -> dict:
        table = _AucTable(prob, y)
        draws = [table.auc(w) for w in self._resampled(rows)]
        return {"auc": round(table.auc(), 6), "auc_ci": _ci(draws)}

    def _calibration(self, prob, y, rows) -> dict:
        errors = (prob - y) ** 2
        draws = [float(errors @ w / w.sum()) for w in self._resampled(rows)]
        climatology = float(np.mean((y.mean() - y) ** 2))  # always forecasting the base rate
        return {"brier": round(float(errors.mean()), 6), "brier_ci": _ci(draws),
                "brier_base_rate": round(climatology, 6),
                "mean_predicted": round(float(prob.mean()), 6)}

    def _baselines(self, candidates: dict, index, y, rows) -> dict:
        """AUC of each alternative ranking on the same rows, and the Tech-Index's paired gain
        over it (the index's AUC minus the baseline's, same bootstrap samples)."""
        model = _AucTable(_lowest_for_missing(index), y)
        model_draws = np.array([model.auc(w) for w in self._resampled(rows)])
        out = {}
        for name, values in candidates.items():
            table = _AucTable(_lowest_for_missing(values), y)
            draws = np.array([table.auc(w) for w in self._resampled(rows)])
            gain = model.auc() - table.auc()
            ci = _ci(model_draws - draws)
            verdict = ("index better" if ci and ci[0] > 0 else "baseline better"
                       if ci and ci[1] < 0 else "no clear difference")
            out[name] = {"auc": round(table.auc(), 6), "auc_ci": _ci(draws),
                         "index_minus_baseline": round(gain, 6), "difference_ci": ci,
                         "verdict": verdict}
        return out

    def _best_indicator(self, label: str) -> tuple[str, np.ndarray]:
        """The single indicator whose score ranks the training rows best for this label."""
        data = self.data
        rows = self.train & data.known(label)
        y = data.y(label)[rows]
        best, best_auc = 0, -1.0
        for j in range(data.scores.shape[1]):
            column = data.scores[:, j]
            value = auc(np.nan_to_num(column[rows], nan=-1.0), y)
            if value > best_auc:
                best, best_auc = j, value
        return data.indicator_names[best], np.nan_to_num(data.scores[:, best], nan=-1.0)

    def _grade_rates(self, index: TechIndex, domains: np.ndarray) -> list[dict]:
        """Observed outcome rates by grade on the test rows (grades of the early fit)."""
        data = self.data
        composite = index._composite(domains)
        grades = index._grades(np.where(data.rated, index._tech_index(composite), np.nan))
        rows = []
        for grade in [g for g, _ in index.grade_cutoffs_] + [index.spec_["not_rated_grade"]]:
            member = self.test & (grades == grade)
            entry = {"grade": grade, "n": int(member.sum())}
            for label, key in (("high_growth", "high_growth_rate"),
                               ("sustainable_growth", "sustainable_rate")):
                known = member & data.known(label)
                entry[key] = round(float(data.y(label)[known].mean()), 6) if known.any() else None
                entry[f"n_{label}"] = int(known.sum())
            rows.append(entry)
        return rows


def _lowest_for_missing(values: np.ndarray) -> np.ndarray:
    """Missing scores (unrated firms) rank below every scored one."""
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    floor = finite.min() - 1.0 if finite.size else 0.0
    return np.where(np.isfinite(values), values, floor)


def _ci(draws, level: float = 0.95) -> list[float] | None:
    draws = np.asarray(draws, dtype=float)
    draws = draws[np.isfinite(draws)]
    if draws.size < 2:
        return None
    tail = 100 * (1 - level) / 2
    return [round(float(v), 6) for v in np.percentile(draws, [tail, 100 - tail])]


def _reliability(prob: np.ndarray, y: np.ndarray, bins: int = RELIABILITY_BINS) -> list[dict]:
    """Mean predicted and observed rate in bins of equal size by predicted probability."""
    order = np.argsort(prob, kind="stable")
    out = []
    for k, members in enumerate(np.array_split(order, bins)):
        if members.size:
            out.append({"bin": k + 1, "predicted": round(float(prob[members].mean()), 6),
                        "observed": round(float(y[members].mean()), 6), "n": int(members.size)})
    return out
