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
    population_stability,
    psi,
    reliability_table,
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
