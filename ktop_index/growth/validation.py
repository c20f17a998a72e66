"""How well the growth model foretells growth, and whether a new batch still looks like the
reference population.

The metrics of the ``validation`` section of a growth model file (docs/growth_model.md):

* **discrimination**: ROC AUC (:func:`auc`: the chance that a firm-year with the outcome
  ranks above one without it; ties count one half);
* **calibration**: the Brier score (mean squared error of the probabilities) against the
  base rate's, and a reliability table (mean predicted and observed rate in equal groups);
* **grade rates**: the observed outcome rates in each grade, as a credit rating's default
  rates, validated like a rating's master scale (:func:`grade_table`): per grade the
  observed rate with a Jeffreys interval (:func:`jeffreys_interval`), the expected rate (the
  perspective model's mean probability in the grade) and a traffic light
  (:func:`traffic_light`, the Basel Committee's zones of a binomial test), and across grades
  a Cochran-Armitage trend test with the adjacent inversions (:func:`monotonicity`);
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

import itertools
import math

import numpy as np
import pandas as pd
from scipy import stats

from ktop_index.errors import DataError
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


# ---------------------------------------------------------------------- grades

#: The traffic-light zones of the Basel Committee's backtesting framework (Basel Committee on
#: Banking Supervision, *Supervisory framework for the use of "backtesting" in conjunction
#: with the internal models approach to market risk capital requirements*, 1996: green below
#: a cumulative binomial probability of 95 %, yellow to 99.99 %, red beyond), as rating
#: validators apply them to a grade's default count (Tasche, *A traffic lights approach to
#: PD validation*, 2003, arXiv:cond-mat/0305038): as the p-value of the one-sided binomial
#: test of the grade's count against its expected rate, green above 5 %, yellow down to
#: 0.01 %, red below. Both directions count here (a grade may deliver less growth than it
#: promises, or more).
TRAFFIC_LIGHTS = (0.05, 0.0001)


def jeffreys_interval(k: int, n: int, level: float = 0.95) -> list[float] | None:
    """Equal-tailed Jeffreys interval of a binomial rate: the ``(1 - level) / 2`` and
    ``(1 + level) / 2`` quantiles of Beta(k + 1/2, n - k + 1/2), with the lower end 0 when
    k = 0 and the upper end 1 when k = n (Brown, Cai & DasGupta, *Interval estimation for a
    binomial proportion*, Statistical Science 16, 2001); None when n = 0.

    >>> [round(v, 4) for v in jeffreys_interval(0, 10)]
    [0.0, 0.2172]
    """
    if n <= 0:
        return None
    tail = (1 - level) / 2
    a, b = k + 0.5, n - k + 0.5
    low = 0.0 if k == 0 else float(stats.beta.ppf(tail, a, b))
    high = 1.0 if k == n else float(stats.beta.ppf(1 - tail, a, b))
    return [round(low, 6), round(high, 6)]


def traffic_light(k: int, n: int, expected: float | None) -> dict:
    """The traffic light of a grade with ``k`` outcomes among ``n`` firm-years against the
    ``expected`` rate: the one-sided binomial p-value of the count under Binomial(n,
    expected), ``P(X >= k)`` when k is above the mean, ``P(X <= k)`` otherwise; green above
    5 %, yellow above 0.01 %, red at or below (:data:`TRAFFIC_LIGHTS`).

    Returns ``{"light", "direction" ('as expected', 'more than expected', 'fewer than
    expected'), "p_value"}``; all None when n = 0 or no expected rate.

    >>> traffic_light(10, 100, 0.10)["light"], traffic_light(25, 100, 0.10)["light"]
    ('green', 'red')
    """
    if n <= 0 or expected is None or not np.isfinite(expected):
        return {"light": None, "direction": None, "p_value": None}
    p = float(min(max(expected, 1e-12), 1 - 1e-12))
    more = k > n * p
    p_value = float(stats.binom.sf(k - 1, n, p) if more else stats.binom.cdf(k, n, p))
    p_value = min(p_value, 1.0)
    light = ("green" if p_value > TRAFFIC_LIGHTS[0] else
             "yellow" if p_value > TRAFFIC_LIGHTS[1] else "red")
    direction = ("as expected" if light == "green" else
                 "more than expected" if more else "fewer than expected")
    return {"light": light, "direction": direction, "p_value": round(p_value, 6)}


def grade_table(grades: np.ndarray, y: np.ndarray, prob: np.ndarray, order: list[str]
                ) -> list[dict]:
    """The master-scale table of one outcome: per grade (in ``order``, best first) ``n``,
    ``k`` (outcomes), ``rate`` with its Jeffreys 95 % ``interval``, ``expected`` (mean
    predicted probability) and the traffic light. Rows: held-out firm-years with a known
    outcome (``grades``, ``y`` 0/1 and ``prob`` aligned).

    >>> grade_table(np.array(["A", "B"], dtype=object), np.array([1, 0]),
    ...             np.array([0.5, 0.5]), ["A", "B"])[0]["rate"]
    1.0
    """
    out = []
    for grade in order:
        member = grades == grade
        n, k = int(member.sum()), int(y[member].sum())
        expected = round(float(prob[member].mean()), 6) if n else None
        out.append({"grade": grade, "n": n, "k": k,
                    "rate": round(k / n, 6) if n else None,
                    "interval": jeffreys_interval(k, n), "expected": expected,
                    **traffic_light(k, n, expected)})
    return out


def cochran_armitage(k, n, scores) -> dict:
    """Cochran-Armitage test for a trend in proportions (Cochran 1954, Armitage 1955):
    ``z = sum t_i (k_i - n_i p) / sqrt(p (1 - p) (sum n_i t_i^2 - (sum n_i t_i)^2 / N))``
    with ``p`` the pooled rate; one-sided p-value ``P(Z >= z)`` (the rate rising with the
    score). ``z`` and ``p_value`` None when there is no variation.

    >>> cochran_armitage([1, 5], [10, 10], [0, 1])["z"]
    1.9518
    """
    k, n, t = (np.asarray(v, dtype=float) for v in (k, n, scores))
    total = n.sum()
    if total == 0:
        return {"z": None, "p_value": None}
    rate = k.sum() / total
    variance = rate * (1 - rate) * (n @ t ** 2 - (n @ t) ** 2 / total)
    if variance <= 0:
        return {"z": None, "p_value": None}
    z = float(t @ (k - n * rate) / math.sqrt(variance))
    return {"z": round(z, 6), "p_value": round(float(stats.norm.sf(z)), 6)}


def monotonicity(table: list[dict], not_rated: str = "NR") -> dict:
    """Does the rate rise grade by grade? Over the rated grades with firm-years (best first):
    a one-sided Cochran-Armitage trend test (score = steps above the worst grade) and each
    adjacent inversion (a better grade with a lower rate), ``significant`` when the two
    Jeffreys intervals do not overlap. Verdict: 'monotone', 'inversions within noise' or
    'significant inversion'.

    >>> monotonicity([{"grade": "A", "n": 10, "k": 5, "rate": .5, "interval": [.2, .8]},
    ...               {"grade": "B", "n": 10, "k": 1, "rate": .1, "interval": [0, .4]}])["verdict"]
    'monotone'
    """
    graded = [r for r in table if r["n"] and r["grade"] != not_rated]
    scores = list(range(len(graded) - 1, -1, -1))
    trend = cochran_armitage([r["k"] for r in graded], [r["n"] for r in graded], scores)
    inversions = []
    for better, worse in itertools.pairwise(graded):
        if better["rate"] < worse["rate"]:
            inversions.append({"better": better["grade"], "worse": worse["grade"],
                               "better_rate": better["rate"], "worse_rate": worse["rate"],
                               "significant": better["interval"][1] < worse["interval"][0]})
    verdict = ("monotone" if not inversions else "significant inversion"
               if any(i["significant"] for i in inversions) else "inversions within noise")
    return {"test": "Cochran-Armitage trend test, one-sided (the rate rising with the grade)",
            **trend, "inversions": inversions, "verdict": verdict}


# ---------------------------------------------------------------------- held out

def best_indicator(data, train: np.ndarray, label: str) -> tuple[str, np.ndarray]:
    """The single indicator whose score ranks the training rows best for ``label`` (its
    name, and its scores with a missing one at -1, below every score)."""
    rows = train & data.known(label)
    y = data.y(label)[rows]
    best, best_auc = 0, -1.0
    for j in range(data.scores.shape[1]):
        column = data.scores[:, j]
        value = auc(np.nan_to_num(column[rows], nan=-1.0), y)
        if value > best_auc:
            best, best_auc = j, value
    return data.indicator_names[best], np.nan_to_num(data.scores[:, best], nan=-1.0)


class HeldOutValidation:
    """Metrics of held-out predictions (the fits of a validation scheme's folds, each on its
    test rows), with firm-bootstrap 95 % intervals: the ``validation`` section of a growth
    model file.

    Parameters
    ----------
    data : the growth model's fitting data (``ktop_index.growth.model.FitData``): labels,
        years, firms and perspectives of every panel row.
    test : (n,) bool array, the held-out rows (all folds).
    rng : numpy Generator of the bootstrap draws.
    n_bootstrap : int, firm-level bootstrap samples (0: no intervals).
    """

    def __init__(self, data, test: np.ndarray, rng: np.random.Generator, n_bootstrap: int):
        self.data, self.test = data, test
        self.boot = [data.firm_bootstrap_weights(rng) for _ in range(n_bootstrap)]

    def report(self, composite: np.ndarray, probability: dict, grades: np.ndarray,
               grade_order: list[str], baselines: dict, capability: np.ndarray | None,
               train_weights: dict) -> dict:
        """The metrics of the held-out values (one per panel row, used on the test rows):
        ``composite`` the held-out index, ``probability`` perspective -> held-out
        probability, ``grades`` and their ``grade_order`` (best first, not rated last),
        ``baselines`` perspective -> name -> values, ``capability`` the latent capability
        of a synthetic panel; ``train_weights`` the training fit's domain weights."""
        out = {"train_weights": train_weights}
        for label in self.data.perspectives:
            named = dict(baselines[label])
            if capability is not None:
                named["latent_capability"] = capability
            out[label] = self._perspective(label, probability[label], composite, named)
            rows = self.test & self.data.known(label)
            table = grade_table(grades[rows], self.data.y(label)[rows],
                                probability[label][rows], grade_order)
            out[label]["grades"] = table
            out[label]["monotonicity"] = monotonicity(table, grade_order[-1])
        out["grade_rates"] = self._grade_rates(grades, grade_order)
        return out

    def _perspective(self, label: str, prob: np.ndarray, composite: np.ndarray,
                     baselines: dict) -> dict:
        """One perspective's metrics on its test rows (those with a known outcome)."""
        rows = self.test & self.data.known(label)
        y = self.data.y(label)[rows]
        prob = prob[rows]
        index_auc = self._discrimination(_lowest_for_missing(composite[rows]), y, rows)
        return {"rows": int(rows.sum()),
                "positive_rate": round(float(y.mean()), 6) if rows.any() else None,
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
        if not len(y):
            return {"brier": None, "brier_ci": None, "brier_base_rate": None,
                    "mean_predicted": None}
        errors = (prob - y) ** 2
        draws = [float(errors @ w / w.sum()) for w in self._resampled(rows) if w.sum() > 0]
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

    def _grade_rates(self, grades: np.ndarray, order: list[str]) -> list[dict]:
        """Observed outcome rates by grade on the test rows (grades of the held-out fits)."""
        data = self.data
        rows = []
        for grade in order:
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
        raise DataError("the batch has no rated firm-year (expected rows with enough data)",
                        ko="묶음에 등급이 산출된 기업-연도가 없습니다 (자료가 충분한 행이 필요합니다)")
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
        raise DataError("psi: expected shares and counts of the same bins, some counts > 0",
                        ko="psi: 같은 구간의 비율과 건수가 필요하며, 건수 중 일부는 0보다 커야 합니다")
    actual = np.where(counts > 0, counts, floor)
    actual = actual / actual.sum()
    value = float(np.sum((actual - expected) * np.log(actual / expected)))
    verdict = "stable" if value < PSI_WATCH else "watch" if value < PSI_ALERT else "shifted"
    return {"psi": round(value, 6), "verdict": verdict}
