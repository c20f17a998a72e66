"""How well the growth model foretells growth, and whether a new batch still looks like the
reference population.

The metrics of the ``validation`` section of a growth model file (docs/growth_model.md):

* **discrimination**: ROC AUC (:func:`auc`: the chance that a firm-year with the outcome
  ranks above one without it; ties count one half);
* **calibration**: the Brier score (mean squared error of the probabilities) against the
  base rate's, and a reliability table (mean predicted and observed rate in equal groups);
* **grade rates**: the observed outcome rates in each grade, as a credit rating's default
  rates;
* **baselines**: equal domain weights, the single best indicator, the latent capability of a
  synthetic panel, with the Tech-Index's paired AUC gain over each;
* **uncertainty**: 95 % intervals from firm-level bootstrap samples (a firm's rows are
  resampled together, so repeated firm-years do not pass for independent evidence).

And drift: :func:`population_stability` (PSI) of a batch's Tech-Index against the model's
reference population.

Example
-------
>>> import numpy as np
>>> auc(np.array([1, 2, 3, 4]), np.array([0, 1, 0, 1]))
0.75
>>> psi([0.5, 0.5], [50, 50])
{'psi': 0.0, 'verdict': 'stable'}
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ktop_index.errors import DataError
from ktop_index.growth.outcomes import LABELS
from ktop_index.index.composite import a_amean
from ktop_index.index.techindex import TechIndex

#: Population stability index thresholds (rule of thumb of credit scoring: below 0.10 no
#: significant shift, 0.10-0.25 a moderate shift to watch, above 0.25 a significant shift;
#: Siddiqi, *Credit Risk Scorecards*, Wiley 2006, ch. 8; Yurdakul, *Statistical properties
#: of the population stability index*, 2018).
PSI_WATCH, PSI_ALERT = 0.10, 0.25
#: Groups of equal size of the reliability table.
RELIABILITY_BINS = 10

#: The outcome-rate columns of the grade table: label -> key of its rate.
_RATE_KEYS = (("high_growth", "high_growth_rate"), ("sustainable_growth", "sustainable_rate"))


# ---------------------------------------------------------------------- metrics

def auc(score: np.ndarray, y: np.ndarray, weight: np.ndarray | None = None) -> float:
    """ROC AUC (ties count one half), optionally with row weights.

    Parameters
    ----------
    score : (n,) array of numbers, no NaN (higher = more likely the outcome).
    y : (n,) array of 0/1 (or bool), the outcome.
    weight : (n,) array >= 0, optional; a row's weight (a bootstrap count).

    Returns
    -------
    float in [0, 1]; NaN when ``y`` has no positive or no negative row.

    >>> auc(np.array([1, 2, 3, 4]), np.array([0, 0, 1, 1]))
    1.0
    """
    return _AucTable(score, y).auc(weight)


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


def reliability_table(prob: np.ndarray, y: np.ndarray, bins: int = RELIABILITY_BINS
                      ) -> list[dict]:
    """Mean predicted and observed rate in ``bins`` groups of equal size by probability.

    Rows are sorted by predicted probability (stable sort) and split into groups whose sizes
    differ by at most one; empty groups are left out.

    >>> reliability_table(np.array([0.1, 0.2, 0.8, 0.9]), np.array([0, 0, 1, 0]), bins=2)
    [{'bin': 1, 'predicted': 0.15, 'observed': 0.0, 'n': 2}, {'bin': 2, 'predicted': 0.85, 'observed': 0.5, 'n': 2}]
    """
    order = np.argsort(prob, kind="stable")
    out = []
    for k, members in enumerate(np.array_split(order, bins)):
        if members.size:
            out.append({"bin": k + 1, "predicted": round(float(prob[members].mean()), 6),
                        "observed": round(float(y[members].mean()), 6), "n": int(members.size)})
    return out


def bootstrap_interval(draws, level: float = 0.95) -> list[float] | None:
    """The central ``level`` percentile interval of bootstrap draws (NaN draws left out);
    None with fewer than two finite draws.

    >>> bootstrap_interval(np.arange(101.0), level=0.9)
    [5.0, 95.0]
    """
    draws = np.asarray(draws, dtype=float)
    draws = draws[np.isfinite(draws)]
    if draws.size < 2:
        return None
    tail = 100 * (1 - level) / 2
    return [round(float(v), 6) for v in np.percentile(draws, [tail, 100 - tail])]


def _lowest_for_missing(values: np.ndarray) -> np.ndarray:
    """Missing scores (unrated firms) rank below every scored one."""
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    floor = finite.min() - 1.0 if finite.size else 0.0
    return np.where(np.isfinite(values), values, floor)


# ---------------------------------------------------------------------- out of time

class OutOfTimeValidation:
    """Metrics of a fit on the training years, judged on the test rows, with firm-bootstrap
    95 % intervals (the ``validation`` section of a growth model file).

    Parameters
    ----------
    data : the growth model's fitting data (``ktop_index.growth.model.FitData``): scores,
        labels, years and firms of every panel row, and ``probability(fit, rows)``.
    train, test : (n,) bool arrays, the training and test rows.
    rng : numpy Generator of the bootstrap draws.
    n_bootstrap : int, firm-level bootstrap samples (0: no intervals).
    """

    def __init__(self, data, train: np.ndarray, test: np.ndarray,
                 rng: np.random.Generator, n_bootstrap: int):
        self.data, self.train, self.test = data, train, test
        self.boot = [data.firm_bootstrap_weights(rng) for _ in range(n_bootstrap)]

    def report(self, early: dict, early_weights: dict, early_index: TechIndex,
               capability: np.ndarray | None, extra: dict | None = None) -> dict:
        """The metrics of the early fit (``early``: perspective -> fit, ``early_index``: the
        index with its weights); ``capability``: the latent capability of a synthetic panel;
        ``extra``: more baseline composites (name -> one value per row)."""
        data = self.data
        # indicator scores do not depend on the weights (goalposts do not), domain scores do
        early_domains = early_index._domain_scores(data.scores)[0]
        composite = early_index._composite(early_domains)
        equal = a_amean(data.raw_domains, np.ones(len(data.domain_names)))
        out = {"train_weights": early_weights}
        for label in LABELS:
            best_name, best_values = self._best_indicator(label)
            # the baselines in the order of the model file
            baselines = {"equal_weights": equal, f"best_indicator:{best_name}": best_values,
                         **(extra or {})}
            if capability is not None:
                baselines["latent_capability"] = capability
            out[label] = self._perspective(label, early[label], composite, baselines)
        out["grade_rates"] = self._grade_rates(early_index, early_domains)
        return out

    def _perspective(self, label: str, fit: dict, composite: np.ndarray,
                     baselines: dict) -> dict:
        """One perspective's metrics on its test rows (those with a known outcome):
        ``fit`` its early fit, ``composite`` the early index's composite and ``baselines``
        the alternative rankings (name -> one value per panel row)."""
        rows = self.test & self.data.known(label)
        y = self.data.y(label)[rows]
        prob = self.data.probability(fit, rows)
        index_auc = self._discrimination(_lowest_for_missing(composite[rows]), y, rows)
        return {"rows": int(rows.sum()), "positive_rate": round(float(y.mean()), 6),
                **self._discrimination(prob, y, rows),
                "index_auc": index_auc["auc"], "index_auc_ci": index_auc["auc_ci"],
                **self._calibration(prob, y, rows),
                "reliability": reliability_table(prob, y),
                "baselines": self._baselines({k: v[rows] for k, v in baselines.items()},
                                             composite[rows], y, rows)}

    def _resampled(self, rows: np.ndarray) -> list[np.ndarray]:
        return [w[rows] for w in self.boot]

    def _discrimination(self, prob, y, rows) -> dict:
        table = _AucTable(prob, y)
        draws = [table.auc(w) for w in self._resampled(rows)]
        return {"auc": round(table.auc(), 6), "auc_ci": bootstrap_interval(draws)}

    def _calibration(self, prob, y, rows) -> dict:
        errors = (prob - y) ** 2
        draws = [float(errors @ w / w.sum()) for w in self._resampled(rows)]
        climatology = float(np.mean((y.mean() - y) ** 2))  # always forecasting the base rate
        return {"brier": round(float(errors.mean()), 6), "brier_ci": bootstrap_interval(draws),
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
            ci = bootstrap_interval(model_draws - draws)
            out[name] = {"auc": round(table.auc(), 6), "auc_ci": bootstrap_interval(draws),
                         "index_minus_baseline": round(model.auc() - table.auc(), 6),
                         "difference_ci": ci, "verdict": _verdict(ci)}
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
            for label, key in _RATE_KEYS:
                known = member & data.known(label)
                entry[key] = round(float(data.y(label)[known].mean()), 6) if known.any() else None
                entry[f"n_{label}"] = int(known.sum())
            rows.append(entry)
        return rows


def _verdict(difference_ci: list[float] | None) -> str:
    """What the paired interval of 'index minus baseline' says (canonical English)."""
    if difference_ci and difference_ci[0] > 0:
        return "index better"
    if difference_ci and difference_ci[1] < 0:
        return "baseline better"
    return "no clear difference"


# ---------------------------------------------------------------------- drift

def population_stability(model: TechIndex, batch: pd.DataFrame, bins: int = 10) -> dict:
    """Population stability index of a batch's Tech-Index against the model's reference.

    The reference population's Tech-Index quantiles are in the model file (its percentile
    table), so the reference data is not needed: the batch's rated firms are binned at the
    reference's ``bins`` quantiles (each holds 1/bins of the reference) and
    ``PSI = sum((new - ref) * ln(new / ref))`` over the bins (empty bins get 0.5 firm).
    Firm-years that are not rated (coverage below the spec's minimum) are left out.

    Returns
    -------
    dict: ``psi``, ``verdict`` ('stable' < 0.10 <= 'watch' < 0.25 <= 'shifted'), ``n``
    (rated firm-years of the batch) and ``table`` (per bin: ``bin``, ``reference_share``,
    ``batch_share``, ``n``).

    Raises
    ------
    DataError
        When the batch has no rated firm-year.
    """
    tech = _rated_tech_index(model, batch)
    values, percents = model.percentile_table_
    edges = np.interp(np.linspace(0, 100, bins + 1)[1:-1], percents, values)
    counts = np.bincount(np.searchsorted(edges, tech, side="right"), minlength=bins)
    expected = np.full(bins, 1.0 / bins)
    result = psi(expected, counts)
    table = [{"bin": k + 1, "reference_share": round(float(expected[k]), 4),
              "batch_share": round(float(counts[k] / counts.sum()), 4), "n": int(counts[k])}
             for k in range(bins)]
    return {**result, "n": int(tech.size), "table": table}


def _rated_tech_index(model: TechIndex, batch: pd.DataFrame) -> np.ndarray:
    """The Tech-Index of the batch's rated firm-years."""
    scored = model.transform(batch)
    tech = scored["tech_index"].to_numpy(dtype=float)
    tech = tech[~np.isnan(tech)]
    if tech.size == 0:
        raise DataError("the batch has no rated firm-year (expected rows with enough data)")
    return tech


def psi(expected_shares, actual_counts, floor: float = 0.5) -> dict:
    """PSI between expected shares and actual counts per bin.

    ``PSI = sum((a - e) * ln(a / e))`` with ``a`` the actual shares; a bin with no count
    gets ``floor`` firms so the log stays finite. Verdict by the credit-scoring rule of thumb
    (Siddiqi 2006): below 0.10 'stable', 0.10-0.25 'watch', 0.25 and above 'shifted'.

    Raises
    ------
    DataError
        When shares and counts are not of the same bins, or no count is above 0.

    >>> psi([0.5, 0.5], [50, 50])["psi"]
    0.0
    """
    expected = np.asarray(expected_shares, dtype=float)
    counts = np.asarray(actual_counts, dtype=float)
    if expected.shape != counts.shape or counts.sum() <= 0:
        raise DataError("psi: expected shares and counts of the same bins, some counts > 0")
    actual = np.where(counts > 0, counts, floor)
    actual = actual / actual.sum()
    value = float(np.sum((actual - expected) * np.log(actual / expected)))
    verdict = "stable" if value < PSI_WATCH else "watch" if value < PSI_ALERT else "shifted"
    return {"psi": round(value, 6), "verdict": verdict}
