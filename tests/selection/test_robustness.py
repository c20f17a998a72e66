"""Robustness: variants reproduce the model at its own choices; probabilities behave."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from ktop_index.data.brn import make_brn
from ktop_index.index.techindex import TechIndex
from ktop_index.selection.calls import load_call
from ktop_index.selection.decide import select
from ktop_index.selection.robustness import flags, rescale, simulate, variant_composites
from ktop_index.synth import generate_panel


@pytest.fixture(scope="module")
def model_and_firms():
    """A model fitted here (not the bundled one) and 40 of its 2024 firms as applicants."""
    panel = generate_panel(n_firms=300, years=(2023, 2024), seed=3)
    model = TechIndex().fit(panel, reference_year=2024)
    firms = panel[(panel["year"] == 2024) & (panel["revenue"].fillna(0) < 4e7)].head(40)
    return model, firms.reset_index(drop=True)


def as_applicants(firms: pd.DataFrame) -> pd.DataFrame:
    out = firms.copy()
    out["brn"] = [make_brn(200 + i, 81, i + 1) for i in range(len(out))]
    out["firm_id"] = out["brn"]
    out["ksic"] = "10301"
    out["region"] = "제주특별자치도 제주시 첨단로 242"
    out["letter_of_intent"] = pd.array([True] * len(out), dtype="boolean")
    out["sme_confirmed"] = pd.array([True] * len(out), dtype="boolean")
    out["requested"] = 40_000.0
    return out


def test_model_choices_reproduce_the_model(model_and_firms):
    """Goalposts, arithmetic means and (almost) the model's weights give the model's composite."""
    model, firms = model_and_firms
    found = variant_composites(model, firms, n_variants=5, seed=1, concentration=1e12,
                               normalisations=("goalposts",), aggregations=("amean",))
    composite = model.transform(firms)["composite"].to_numpy()
    rated = ~np.isnan(composite)
    assert np.allclose(found.composite[:, rated], composite[rated], atol=1e-3)


def test_weights_centre_on_the_model(model_and_firms):
    """Dirichlet weights average to the model's domain weights; same seed, same variants."""
    model, firms = model_and_firms
    a = variant_composites(model, firms, n_variants=4000, seed=5)
    b = variant_composites(model, firms, n_variants=4000, seed=5)
    c = variant_composites(model, firms, n_variants=4000, seed=6)
    assert np.allclose(a.weights.mean(axis=0), 0.25, atol=0.01)
    assert np.array_equal(a.composite, b.composite, equal_nan=True)
    assert not np.array_equal(a.composite, c.composite, equal_nan=True)
    assert set(np.unique(a.normalisation)) == {0, 1, 2, 3}


def test_far_ahead_and_far_behind(model_and_firms):
    """A firm far ahead of the others is selected in (nearly) every variant; one far behind in
    (nearly) none; each is flagged accordingly."""
    model, firms = model_and_firms
    applicants = as_applicants(firms)
    star = {"employees": 150, "rnd_staff": 60, "rnd_org": 2, "certifications": 8,
            "patents": 60, "ip_filings": 40, "rnd_projects": 12, "commercialized": 12,
            "revenue": 3e7, "operating_profit": 6e6, "rnd_expense": 6e6, "salaries": 1e7,
            "export_revenue": 2e7, "firm_age": 30, "ceo_industry_years": 35}
    weak = {k: 0 for k in star} | {"employees": 1, "revenue": 60_000.0, "salaries": 10_000.0,
                                   "operating_profit": -50_000.0}
    for row, values in ((0, star), (1, weak)):
        for column, value in values.items():
            applicants.loc[row, column] = value
    call = load_call("jeju_2025")
    call = replace(call, money=replace(call.money, budget=200_000, max_firms=5))
    table = select(applicants, call, model=model, variants=400, seed=1).table.set_index("brn")
    ahead, behind = applicants["brn"].iloc[0], applicants["brn"].iloc[1]
    assert table.loc[ahead, "selection_probability"] >= 0.99 and table.loc[ahead, "robustness"] == "robust"
    assert table.loc[ahead, "rank_low"] == 1 and table.loc[ahead, "rank_high"] <= 2
    assert table.loc[behind, "selection_probability"] <= 0.01
    assert table.loc[behind, "rank_low"] >= 35
    assert (table["selection_probability"].between(0, 1)).all()
    assert table.loc[table["status"] == "selected", "robustness"].isin(["robust", "fragile"]).all()


def test_simulate_hand_cases():
    """Two variants, one firm's budget: each variant picks its own best; ties follow tie_order."""
    out = simulate(np.array([[3.0, 2.0, 1.0], [1.0, 2.0, 3.0]]), [1, 1, 1], 1, [0, 1, 2])
    assert out["selection_probability"].tolist() == [0.5, 0.0, 0.5]
    tied = simulate(np.array([[1.0, 1.0, 1.0]]), [1, 1, 1], 2, [2, 0, 1])
    assert tied["selection_probability"].tolist() == [1.0, 0.0, 1.0]
    assert tied["rank_low"].tolist() == [2, 3, 1]
    stop = simulate(np.array([[3.0, 2.0, 1.0]]), [5, 9, 1], 10, [0, 1, 2])
    assert stop["selection_probability"].tolist() == [1.0, 0.0, 0.0]  # stops at the first that misses
    excluded = simulate(np.array([[-np.inf, 2.0, 1.0]]), [1, 1, 1], 5, [0, 1, 2])
    assert excluded["selection_probability"].tolist() == [0.0, 1.0, 1.0]


def test_flags():
    """Selected below the threshold is fragile; unselected eligible above it is often selected."""
    got = flags(np.array([True, True, False, False, False]),
                np.array([True, True, True, True, False]),
                np.array([0.9, 0.3, 0.7, 0.2, 0.9]))
    assert got.tolist() == ["robust", "fragile", "often_selected", "", ""]


def test_rescale_matches_the_model_scale():
    """Each variant gets the model composite's mean and sd over the pool; a cell a variant
    cannot compute keeps the model's value."""
    base = np.array([40.0, 50.0, 60.0, 70.0])
    variants = np.array([[1.0, 2.0, 3.0, 4.0], [10.0, np.nan, 30.0, 20.0]])
    pool = np.ones(4, bool)
    out = rescale(variants, base, pool)
    assert np.allclose(out[0], base)
    assert out[1, 1] == 50.0
    assert np.isclose(np.mean(out[1, [0, 2, 3]]), base.mean())
