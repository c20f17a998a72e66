"""Validation metrics against hand-computed cases and sklearn: AUC, reliability, bootstrap
intervals, PSI and the population stability of a batch."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from ktop_index.errors import DataError
from ktop_index.growth.validation import (
    auc,
    bootstrap_interval,
    cochran_armitage,
    grade_table,
    jeffreys_interval,
    monotonicity,
    population_stability,
    psi,
    reliability_table,
    traffic_light,
)
from ktop_index.index.techindex import TechIndex
from ktop_index.synth import generate


@pytest.fixture(scope="module")
def reference():
    """A plain Tech-Index fitted on 2024 of a small synthetic panel, and its 2024 rows."""
    panel = generate(n_firms=1500, years=(2023, 2024), seed=5).panel
    return TechIndex(reference_year=2024).fit(panel), panel[panel["year"] == 2024]


# ---------------------------------------------------------------------- AUC

def test_auc_by_hand():
    """Positives at 2 and 4, negatives at 1 and 3: 3 of the 4 pairs ordered right = 0.75;
    a tie counts one half; a single class has no AUC."""
    assert auc(np.array([1, 2, 3, 4]), np.array([0, 1, 0, 1])) == 0.75
    assert auc(np.array([1.0, 1.0]), np.array([0, 1])) == 0.5
    assert np.isnan(auc(np.array([1.0, 2.0]), np.array([1, 1])))


def test_auc_with_weights_counts_a_row_that_many_times():
    """Weight 2 on a row equals the row repeated twice."""
    score, y = np.array([1.0, 2.0, 3.0, 4.0]), np.array([0, 1, 0, 1])
    weighted = auc(score, y, np.array([2.0, 1.0, 1.0, 1.0]))
    assert weighted == auc(np.array([1.0, 1.0, 2.0, 3.0, 4.0]), np.array([0, 0, 1, 0, 1]))


def test_auc_matches_sklearn_with_ties_and_weights():
    """Our AUC (ties one half, row weights) equals sklearn's roc_auc_score."""
    rng = np.random.default_rng(3)
    score = rng.integers(0, 8, 500).astype(float)
    y = rng.random(500) < 0.3
    weight = rng.integers(0, 4, 500).astype(float)
    assert auc(score, y) == pytest.approx(roc_auc_score(y, score))
    assert auc(score, y, weight) == pytest.approx(roc_auc_score(y, score, sample_weight=weight))


# ---------------------------------------------------------------------- calibration, intervals

def test_reliability_table_by_hand():
    """Five rows in two groups by probability: sizes 3 and 2, each group's mean probability
    and observed rate."""
    prob = np.array([0.4, 0.1, 0.3, 0.2, 0.5])
    y = np.array([1, 0, 0, 0, 1])
    assert reliability_table(prob, y, bins=2) == [
        {"bin": 1, "predicted": 0.2, "observed": 0.0, "n": 3},
        {"bin": 2, "predicted": 0.45, "observed": 1.0, "n": 2}]


def test_reliability_table_leaves_out_empty_groups():
    """Two rows in ten groups: two groups of one row."""
    assert [row["n"] for row in reliability_table(np.array([0.2, 0.6]), np.array([0, 1]))] == [
        1, 1]


def test_bootstrap_interval_by_hand():
    """The 2.5th and 97.5th percentiles of 0..100 are 2.5 and 97.5; NaN draws are left out;
    fewer than two finite draws give no interval."""
    assert bootstrap_interval(np.arange(101.0)) == [2.5, 97.5]
    assert bootstrap_interval([np.nan, *range(101)]) == [2.5, 97.5]
    assert bootstrap_interval([1.0, np.nan]) is None
    assert bootstrap_interval([]) is None


# ---------------------------------------------------------------------- drift

def test_psi_hand_case():
    """Shares 0.3/0.7 against 0.5/0.5: 0.2 ln(0.6)*-1 + 0.2 ln(1.4) = 0.1695 ('watch')."""
    result = psi([0.5, 0.5], [30, 70])
    expected = (0.3 - 0.5) * np.log(0.3 / 0.5) + (0.7 - 0.5) * np.log(0.7 / 0.5)
    assert result["psi"] == pytest.approx(expected, abs=1e-6)
    assert result["verdict"] == "watch"
    assert psi([0.5, 0.5], [10, 90])["verdict"] == "shifted"
    assert psi([0.5, 0.5], [50, 50]) == {"psi": 0.0, "verdict": "stable"}


def test_psi_refuses_bins_that_do_not_match():
    """Shares and counts of different bins, or no count at all: a DataError."""
    with pytest.raises(DataError, match="same bins"):
        psi([0.5, 0.5], [1, 2, 3])
    with pytest.raises(DataError, match="some counts > 0"):
        psi([0.5, 0.5], [0, 0])


def test_the_reference_population_against_itself_is_stable(reference):
    """The base year's own firms fill each reference decile with about a tenth: PSI < 0.01."""
    model, rows = reference
    result = population_stability(model, rows)
    assert result["verdict"] == "stable" and result["psi"] < 0.01
    assert sum(row["n"] for row in result["table"]) == result["n"]
    assert all(row["reference_share"] == 0.1 for row in result["table"])


def test_a_batch_of_top_firms_sits_in_the_top_decile(reference):
    """Only the reference's top 5 % of firms: all n in the last bin, the nine others get the
    0.5-firm floor, so PSI = 9 (a - 0.1) ln(a / 0.1) + (b - 0.1) ln(b / 0.1) with
    a = 0.5 / (n + 4.5) and b = n / (n + 4.5)."""
    model, rows = reference
    tech = model.transform(rows)["tech_index"]
    top = rows[(tech >= tech.quantile(0.95)).to_numpy()]
    result = population_stability(model, top)
    n = len(top)
    assert result["n"] == n and result["table"][-1]["n"] == n
    a, b = 0.5 / (n + 4.5), n / (n + 4.5)
    expected = 9 * (a - 0.1) * np.log(a / 0.1) + (b - 0.1) * np.log(b / 0.1)
    assert result["psi"] == pytest.approx(expected, abs=1e-6)
    assert result["verdict"] == "shifted"


def test_a_batch_without_a_rated_firm_is_a_data_error(reference):
    """Rows without any indicator field cannot be rated: a DataError saying so."""
    model, rows = reference
    with pytest.raises(DataError, match="no rated firm-year"):
        population_stability(model, rows[["firm_id", "year", "ksic"]])


# ---------------------------------------------------------------------- grades, master scale

def test_jeffreys_interval_against_known_values():
    """k = 0 of 10: [0, 0.2172] (the upper end is Beta(0.5, 10.5)'s 97.5 % quantile; the
    lower end is 0 by the Brown-Cai-DasGupta convention); k = n: upper end 1; otherwise
    the Beta(k + 1/2, n - k + 1/2) quantiles, checked against scipy; n = 0: none."""
    from scipy.stats import beta

    low, high = jeffreys_interval(0, 10)
    assert low == 0.0 and high == pytest.approx(0.2172, abs=1e-4)
    assert jeffreys_interval(10, 10) == [pytest.approx(1 - 0.2172, abs=1e-4), 1.0]
    expected = beta.ppf([0.025, 0.975], 3.5, 7.5)
    assert jeffreys_interval(3, 10) == pytest.approx(list(expected), abs=1e-6)
    assert jeffreys_interval(0, 0) is None


def _binomial_tail(k, n, p, upper):
    """P(X >= k) (upper) or P(X <= k), summed from the binomial formula."""
    import math
    terms = range(k, n + 1) if upper else range(k + 1)
    return sum(math.comb(n, j) * p ** j * (1 - p) ** (n - j) for j in terms)


@pytest.mark.parametrize(("k", "light", "direction"), [
    (10, "green", "as expected"),          # the expected count
    (15, "green", "as expected"),          # P(X >= 15) = 0.073
    (17, "yellow", "more than expected"),  # P(X >= 17) = 0.021
    (25, "red", "more than expected"),     # P(X >= 25) = 1.3e-5
    (3, "yellow", "fewer than expected"),  # P(X <= 3) = 0.0078
    (0, "red", "fewer than expected"),     # P(X <= 0) = 0.9^100 = 2.7e-5
])
def test_traffic_light_on_constructed_grades(k, light, direction):
    """100 firm-years expected at 10 %: the one-sided binomial p-value (computed here from
    the binomial formula) against the Basel zones, green > 5 % >= yellow > 0.01 % >= red."""
    result = traffic_light(k, 100, 0.10)
    tail = _binomial_tail(k, 100, 0.10, upper=k > 10)
    assert result == {"light": light, "direction": direction,
                      "p_value": pytest.approx(tail, abs=1e-6)}
    assert traffic_light(0, 0, 0.1)["light"] is None


def test_cochran_armitage_reproduces_agresti():
    """Agresti (Categorical Data Analysis, 2nd ed., section 3.4.6): infant malformation by
    the mother's alcohol consumption, scores 0, 0.5, 1.5, 4, 7: z = 2.56, one-sided
    P = 0.005 (Agresti's M uses N - 1 for N, which these 32,574 rows do not notice)."""
    malformed = [48, 38, 5, 1, 1]
    absent = [17066, 14464, 788, 126, 37]
    result = cochran_armitage(malformed, [a + b for a, b in zip(malformed, absent)],
                              [0, 0.5, 1.5, 4, 7])
    assert result["z"] == pytest.approx(2.56, abs=0.005)
    assert result["p_value"] == pytest.approx(0.005, abs=0.0005)


def test_grade_table_and_monotonicity_flag_a_built_inversion():
    """Three grades, best first: A 30/100, B 50/100, C 10/100. B above A is an inversion
    whose intervals do not overlap (A's upper end 0.39 < B's lower 0.40): significant; a
    mild inversion (A 42/100 vs B 50/100) is within noise; the right order is monotone."""
    def table(counts):
        grades = np.repeat(["A", "B", "C"], 100).astype(object)
        y = np.concatenate([np.r_[np.ones(k), np.zeros(100 - k)] for k in counts])
        return grade_table(grades, y, np.full(300, 0.3), ["A", "B", "C", "NR"])

    built = table([30, 50, 10])
    assert [r["rate"] for r in built[:3]] == [0.3, 0.5, 0.1]
    assert built[3] == {"grade": "NR", "n": 0, "k": 0, "rate": None, "interval": None,
                        "expected": None, "light": None, "direction": None, "p_value": None}
    assert built[1]["light"] == "red" and built[2]["light"] == "red"  # 50 and 10 vs 30
    result = monotonicity(built)
    assert result["verdict"] == "significant inversion"
    assert result["inversions"] == [{"better": "A", "worse": "B", "better_rate": 0.3,
                                     "worse_rate": 0.5, "significant": True}]
    assert monotonicity(table([42, 50, 10]))["verdict"] == "inversions within noise"
    ordered = monotonicity(table([50, 30, 10]))
    assert ordered["verdict"] == "monotone" and ordered["inversions"] == []
    assert ordered["z"] > 6 and ordered["p_value"] < 1e-6
