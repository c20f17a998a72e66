"""The model card: says what the model is fitted on, its weights, metrics and where it falls short."""

from __future__ import annotations

import copy
import json

import pytest

from ktop_index._files import sha256_file
from ktop_index.errors import SpecError
from ktop_index.growth.card import model_card, write_card
from ktop_index.growth.model import GrowthModel
from ktop_index.index.techindex import TechIndex
from ktop_index.synth import generate


@pytest.fixture(scope="module")
def model() -> dict:
    """A growth model fitted on a small synthetic panel, as the dict of its file."""
    sp = generate(n_firms=1500, years=(2014, 2024), seed=4)
    fitted = GrowthModel(seed=1, n_bootstrap=20, n_refits=3).fit(
        sp.panel, sp.truth, command="ktop fit panel.parquet -o m.json --seed 1")
    return json.loads(json.dumps(fitted.index_.to_dict()))


def test_card_says_synthetic_plainly(model):
    """A model fitted with a synthetic truth carries the synthetic warning in bold."""
    card = model_card(model, "m.json")
    assert "**Fitted on synthetic data.**" in card
    honest = copy.deepcopy(model)
    honest["growth"]["training"]["synthetic"] = False
    card = model_card(honest, "m.json")
    assert "Fitted on synthetic data" not in card and "**Synthetic data**" not in card


def test_card_shows_weights_metrics_and_grades(model):
    """Every learned weight, each perspective's AUC with its interval, and each grade appear."""
    card = model_card(model, "m.json")
    for domain in model["spec"]["domains"]:
        assert f"| {domain['name']} | {domain['weight']:.3f} |" in card
    for perspective in ("high_growth", "sustainable_growth"):
        result = model["growth"]["validation"][perspective]
        low, high = result["auc_ci"]
        assert f"{result['auc']:.3f} [{low:.3f}, {high:.3f}]" in card
    for row in model["growth"]["validation"]["grade_rates"]:
        assert f"| {row['grade']} |" in card
    assert "ktop fit panel.parquet -o m.json --seed 1" in card


def test_card_shows_indicator_weights_and_names_the_dropped_ones(model):
    """An indicator-level model's card lists every indicator's weight within its domain and
    its share of the index (domain weight x that weight), and names those at weight 0."""
    card = model_card(model, "m.json")
    assert model["growth"]["method"]["level"] == "indicators"
    domains = {d["name"]: d["weight"] for d in model["spec"]["domains"]}
    for s in model["spec"]["indicators"]:
        share = domains[s["domain"]] * s["weight"]
        assert f"| {s['name']} | {s['domain']} | {s['weight']:.3f} | {share:.3f} |" in card
    dropped = [s["name"] for s in model["spec"]["indicators"] if s["weight"] == 0]
    if dropped:
        assert f"**Weight 0 (no growth signal given the other indicators):** " \
               f"{', '.join(dropped)}." in card
    assert "`domain_level_fit`" in card and "| domain_level_fit |" in card


def test_a_domain_level_card_has_no_indicator_table():
    """A model fitted at domain level shows no indicator table and says what it fitted on."""
    sp = generate(n_firms=1500, years=(2014, 2024), seed=4)
    fitted = GrowthModel(seed=1, level="domains", n_bootstrap=0, n_refits=0).fit(sp.panel)
    card = model_card(json.loads(json.dumps(fitted.index_.to_dict())), "m.json")
    assert "Indicator weights within their domain" not in card
    assert "One logistic regression per perspective on the four domain scores" in card


def test_card_says_where_the_index_does_not_beat_a_baseline(model):
    """Baselines the index does not beat are listed by name (here the latent capability)."""
    card = model_card(model, "m.json")
    assert "does **not** beat `latent_capability`" in card


def test_card_flags_a_grade_order_break():
    """A lower high-growth rate in a better grade is named in bold."""
    from ktop_index.growth.card import _monotone_sentence

    rates = [{"grade": "AAA", "n": 10, "high_growth_rate": 0.3},
             {"grade": "AA", "n": 10, "high_growth_rate": 0.4},
             {"grade": "A", "n": 10, "high_growth_rate": 0.2}]
    sentence = _monotone_sentence(rates)
    assert sentence.startswith("**The high-growth rate does not rise at every step**")
    assert "AAA (0.300) vs AA (0.400)" in sentence
    assert _monotone_sentence(rates[1:]) == "The high-growth rate rises with every grade step."


def test_card_shows_the_hash_of_the_model_file(model, tmp_path):
    """The card's model sha256 is the sha256 of the model file's bytes as saved (and the
    model's own ``sha256``), and changes with the model."""
    path = tmp_path / "m.json"
    index = TechIndex.from_dict(model)
    index.save(path)
    card = write_card(path).read_text(encoding="utf-8")
    assert f"- Model sha256: `{sha256_file(path)}`" in card
    assert index.sha256 == sha256_file(path)
    changed = copy.deepcopy(model)
    changed["growth"]["training"]["seed"] += 1
    assert sha256_file(path) not in model_card(changed, "m.json")


def test_write_card_is_deterministic(model, tmp_path):
    """The card is written beside the model, the same bytes each time."""
    path = tmp_path / "m.json"
    path.write_text(json.dumps(model), encoding="utf-8")
    first = write_card(path).read_bytes()
    assert (tmp_path / "m.md").exists()
    assert write_card(path).read_bytes() == first


def test_a_model_without_growth_section_has_no_card(tmp_path):
    """A plain rebased model: a clear error naming the file."""
    sp = generate(n_firms=300, years=(2023, 2024), seed=1)
    plain = TechIndex(reference_year=2024).fit(sp.panel).to_dict()
    with pytest.raises(SpecError, match="plain.json: the model has no growth section"):
        model_card(plain, "plain.json")
