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


# ---------------------------------------------------------------------- real-firm evidence

def _auc(value: float, low: float, high: float) -> dict:
    return {"auc": value, "ci": [low, high]}


@pytest.fixture
def evidence(model) -> dict:
    """A small hand-made report (the shape of docs/validation.json) measured on ``model``:
    a next-cohort panel with both perspectives, a grouped-CV panel with high growth only,
    one panel skipped, and the decision not to ship a real-fitted component."""
    from ktop_index._files import model_sha256

    def block(rows, positives, default, refit, gain):
        return {"rows": rows, "positives": positives,
                "best_indicator": [{"fold": 0, "indicator": "rnd_intensity",
                                    "train_auc": 0.6}],
                "size_measure": "revenue",
                "auc": {"default": _auc(default, default - 0.04, default + 0.04),
                        "refit": _auc(refit, refit - 0.05, refit + 0.05),
                        "equal_weights": _auc(0.556, 0.51, 0.601),
                        "best_indicator": _auc(0.666, 0.622, 0.713),
                        "smaller": _auc(0.735, 0.69, 0.772)},
                "refit_gain": {"default": {"gain": gain, "ci": [gain - 0.04, gain + 0.04],
                                           "verdict": "refit better" if gain > 0.05
                                           else "no clear difference"}}}

    return {
        "default_model_sha256": model_sha256(model), "n_bootstrap": 200,
        "skipped": ["snmesp"],
        "panels": {
            "fnguide": {"title": "Listed firms' statements", "rows": 10450, "firms": 2170,
                        "years": [2016, 2020],
                        "field_coverage": {"revenue": 0.99, "rnd_expense": 0.69,
                                           "employees": 0.0},
                        "indicators_with_data": ["rnd_intensity", "operating_margin"],
                        "scheme": {"name": "next_cohort", "train_years": [2016],
                                   "test_years": [2017], "folds": None},
                        "perspectives": {
                            "high_growth": block(1420, 203, 0.546, 0.682, 0.137),
                            "sustainable_growth": block(1418, 818, 0.597, 0.586, -0.011)}},
            "dart": {"title": "Listed firms' employees", "rows": 10398, "firms": 2654,
                     "years": [2021, 2024], "field_coverage": {"employees": 0.94},
                     "indicators_with_data": ["employees", "employment_growth"],
                     "scheme": {"name": "grouped_cv", "train_years": [2021],
                                "test_years": [2021], "folds": [{}, {}, {}, {}, {}]},
                     "perspectives": {"high_growth": block(288, 12, 0.513, 0.444, -0.069)}}},
        "component": {
            "shipped": False, "hybrid": None,
            "reasons": ["it rests on one cohort", "it costs 0.002 synthetic AUC"],
            "findings": ["R&D intensity, not spending"],
            "dart": {"refit_beats_default": False, "positives": 12,
                     "default": {"auc": 0.513}, "refit": {"auc": 0.444},
                     "refit_minus_default": {"gain": -0.069, "ci": [-0.243, 0.055]}}},
    }


def _headings(card: str) -> list[str]:
    return [line[3:] for line in card.splitlines() if line.startswith("## ")]


def test_card_with_evidence_leads_with_real_firms(model, evidence):
    """With the report's figures, "On real firms" comes right after the header, before the
    synthetic checks (the other sections in their usual order), ending with the line that
    the rest is the synthetic-truth check; without them, the card is exactly as before."""
    plain = model_card(model, "m.json")
    card = model_card(model, "m.json", evidence)
    assert _headings(card) == ["On real firms"] + _headings(plain)
    assert card.index("**What it is.**") < card.index("## On real firms") < card.index("## Data")
    section = card[card.index("## On real firms"):card.index("## Data")]
    assert section.rstrip().endswith("**The rest of this card is the synthetic-truth "
                                      "check**: the model on the generator's firms, where "
                                      "the true capability is known.")
    assert card.replace(section, "") == plain
    assert model_card(model, "m.json", None) == plain


def test_real_firms_section_names_panels_schemes_and_figures(model, evidence):
    """Each panel with its years, firm-years, fields with data and validation scheme (named
    for what it is); this model's held-out AUC next to the refit, equal weights, best
    single indicator and size, with intervals; a skipped panel is named."""
    card = model_card(model, "m.json", evidence)
    assert ("- **fnguide**: Listed firms' statements; 10,450 firm-years of 2,170 firms, "
            "2016-2020. Fields with data: revenue, rnd_expense (indicators: rnd_intensity, "
            "operating_margin). Validation: next cohort (trained on base years 2016, tested "
            "on 2017; not out of time).") in card
    assert ("Validation: firm-grouped cross-validation (5 folds of firms, base year 2021; "
            "says nothing about later years).") in card
    assert ("| fnguide | 1,420 (203) | **0.546 [0.506, 0.586]** | 0.682 [0.632, 0.732] | "
            "0.556 [0.510, 0.601] | 0.666 [0.622, 0.713] (rnd_intensity) | "
            "0.735 [0.690, 0.772] (revenue) |") in card
    assert "| dart | 288 (12) | **0.513 [0.473, 0.553]** | 0.444 [0.394, 0.494] |" in card
    # sustainable growth: only the panel that has it
    sustainable = card[card.index("**Sustainable growth**, held-out AUC"):]
    assert "| fnguide | 1,418 (818) |" in sustainable and "| dart |" not in sustainable
    assert ("fnguide the refit is better (+0.137 [+0.097, +0.177]); dart no clear difference "
            "(-0.069 [-0.109, -0.029])") in card
    assert "- Not measured (absent when the report was built): snmesp." in card


def test_real_firms_section_states_the_component_decision(model, evidence):
    """The decision in one plain paragraph: not shipped, because each reason; DART's refit
    does not beat this model; what the evidence supports."""
    card = model_card(model, "m.json", evidence)
    assert ("**No real-fitted component is shipped** in this model, because (1) it rests on "
            "one cohort; (2) it costs 0.002 synthetic AUC. DART: a refit on employee "
            "indicators does not beat this model there (held-out high growth 0.444 against "
            "0.513, refit minus this model -0.069 [-0.243, +0.055], 12 high growers). What "
            "the real evidence does support: R&D intensity, not spending.") in card


def test_evidence_of_another_model_is_refused(model, evidence, tmp_path):
    """Figures measured on another model file cannot lead this model's card; write_card
    passes the evidence through."""
    evidence["default_model_sha256"] = "0" * 64
    with pytest.raises(SpecError, match="m.json: the real-data figures were measured on "
                                        "model 000000000000…, not on this one"):
        model_card(model, "m.json", evidence)
    evidence["default_model_sha256"] = TechIndex.from_dict(model).sha256
    path = tmp_path / "m.json"
    TechIndex.from_dict(model).save(path)
    written = write_card(path, out=tmp_path / "card.md", evidence=evidence)
    assert written.read_text(encoding="utf-8") == model_card(model, "m.json", evidence)
