"""The real-data validation report (validation/): the adapters' units against the spot checks
of each panel's SOURCE.md, and the report's baselines on a hand-built panel whose answers are
known. Tests that read ../shared/real-data skip cleanly where it is absent."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "validation"))  # a folder of scripts, not a package

import build_report
import hybrid
import real_panels
from render_report import component_section, render, untrained_text


@pytest.fixture
def real_data(shared) -> Path:
    path = shared / "real-data"
    if not path.is_dir():
        pytest.skip(f"real panels not present at {path}")
    return path


# ---------------------------------------------------------------------- adapters (real data)

def test_fnguide_money_is_converted_from_eok_to_thousand_won(real_data):
    """SOURCE.md: SK hynix's 2018 revenue is 404,451 억원 (40.4 trillion won) = 40,445,100,000
    천원; all 10,817 firm-years are there when financial firms are kept."""
    panel = real_panels.fnguide(real_data)
    frame = panel.frame
    hynix = frame.loc[(frame["firm_id"] == "000660") & (frame["year"] == 2018)]
    assert hynix["revenue"].item() == 40_445_100_000.0
    assert hynix["revenue"].item() * 1000 == pytest.approx(40.4451e12)  # in won
    assert len(real_panels.fnguide(real_data, drop_financials=False).frame) == 10_817
    assert "employees" in panel.absent and "firm_age" in panel.absent
    assert panel.rules.measure == "revenue"


def test_dart_head_counts_and_money_units(real_data):
    """SOURCE.md: Samsung Electronics 113,485 employees (2021) and 129,480 (2024), SK hynix
    30,135 (2021); pay is in won (/ 1,000) and net income in 백만원 (x 1,000) in the file."""
    frame = real_panels.dart(real_data).frame
    raw = pd.read_csv(real_data / real_panels.DART_DIR / real_panels.DART_FILE,
                      dtype={"corp_code": "str"})

    def value(name, year, column):
        return frame.loc[(frame["firm_name"] == name) & (frame["year"] == year), column].item()

    assert value("삼성전자", 2021, "employees") == 113_485
    assert value("삼성전자", 2024, "employees") == 129_480
    assert value("SK하이닉스", 2021, "employees") == 30_135
    row = raw.loc[(raw["corp_name"] == "삼성전자") & (raw["year"] == 2021)].iloc[0]
    assert value("삼성전자", 2021, "salaries") == pytest.approx(row["salary_total"] / 1000)
    assert value("삼성전자", 2021, "net_income") == pytest.approx(row["ni"] * 1000)
    assert sorted(frame["year"].unique()) == [2021, 2022, 2023, 2024]


def test_spanish_panel_is_balanced_and_unlogged(real_data):
    """SOURCE.md: 738 firms x 8 years; employees = round(exp(n)) (firm 1, 1983: n = 4.477337,
    e^n = 87.99... -> 88)."""
    panel = real_panels.snmesp(real_data)
    frame = panel.frame
    assert len(frame) == 5_904 and frame["firm_id"].nunique() == 738
    first = frame.loc[(frame["firm_id"] == "ES0001") & (frame["year"] == 1983)].iloc[0]
    assert first["employees"] == 88
    assert first["revenue"] / first["employees"] == pytest.approx(
        np.exp(5.241747 - np.log(88)) * real_panels.SNMESP_MONEY_SCALE)
    assert {"total_equity", "firm_age", "ksic"} <= set(panel.absent)


def test_absent_panels_are_skipped(tmp_path):
    """A data folder without the panels gives a report that says each was skipped."""
    assert real_panels.load_panels(tmp_path) == {"fnguide": None, "dart": None, "snmesp": None}
    result = build_report.build(tmp_path, n_bootstrap=5, jeju=False)
    assert result["skipped"] == ["fnguide", "dart", "snmesp"] and result["panels"] == {}
    assert "**Skipped** (folder absent under the data path): fnguide, dart, snmesp." in \
        render(result)


# ---------------------------------------------------------------------- metrics, by hand

def test_equal_weights_and_best_indicator_by_hand():
    """Equal weights average the present scores of the chosen columns; the best indicator is
    the one ranking the training rows best (missing scores lowest), judged there only."""
    scores = np.array([[10.0, 30.0, 99.0], [np.nan, 20.0, 99.0], [40.0, np.nan, 0.0]])
    assert build_report.equal_weight_score(scores, [0, 1]).tolist() == [20.0, 20.0, 40.0]
    y = np.array([0, 1, 1, 0])
    s = np.array([[1.0, 9.0], [2.0, 1.0], [3.0, 2.0], [np.nan, 3.0]])
    train = np.array([True, True, True, False])
    # on the training rows column 0 ranks 1 < 2 < 3 against 0, 1, 1: AUC 1; column 1: AUC 0
    assert build_report.best_indicator(s, ["a", "b"], y, train, [0, 1]) == ("a", 0, 1.0)
    # with the last row, column 0's missing value ranks lowest: still AUC 1
    assert build_report.best_indicator(s, ["a", "b"], y, np.ones(4, bool), [0, 1])[0] == "a"


def test_size_adjusted_label_keeps_the_rate_in_every_size_band():
    """Option (iii): within each size quintile of a base year, the top share of growth is
    high-growth, the share being the year's rate; so every band has that rate, whatever size
    did, and exits rank lowest."""
    rng = np.random.default_rng(1)
    n = 200
    employees = rng.integers(1, 300, n).astype(float)
    growth = 0.4 / np.log1p(employees) + rng.normal(0, 0.02, n)  # small firms grow faster
    panel = pd.DataFrame({"year": 2020, "employees": employees})
    labels = pd.DataFrame({"high_growth": (growth > np.quantile(growth, 0.8)) * 1.0,
                           "exited": False, "employment_growth": growth,
                           "revenue_growth": np.nan})
    labels.loc[0, ["employment_growth"]] = np.nan  # an exit: no growth measured
    adjusted = build_report.size_adjusted_high_growth(panel, labels, "employees")
    assert adjusted.mean() == pytest.approx(0.2)
    band = pd.qcut(pd.Series(employees).rank(method="first"), 5, labels=False)
    assert pd.Series(adjusted).groupby(band).mean().tolist() == [0.2] * 5
    assert adjusted[0] == 0.0
    # the standard label goes mostly to the smallest band; the adjusted one does not
    assert pd.Series(labels["high_growth"]).groupby(band).mean().iloc[0] > 0.5


# ---------------------------------------------------------------------- a run on a known panel

def _spanish_format(tmp_path: Path) -> Path:
    """A hand-built panel in the Spanish file's format (logs): 60 firms, 1983-1990. The 20
    growers start at 10-29 employees and grow 25 % a year; the 40 others hold 100-139. Pay and
    output per employee are the same for everyone, so only size and growth tell them apart."""
    rows = []
    for i in range(60):
        grower = i < 20
        start = 10 + i if grower else 80 + i
        for year in range(1983, 1991):
            employees = start * 1.25 ** (year - 1983) if grower else start
            n = np.log(employees)
            rows.append({"rownames": len(rows) + 1, "firm": i + 1, "year": year, "n": n,
                         "w": 0.5, "y": n + 2.0, "i": n + 1.5, "k": n + 1.0, "f": 10.0})
    folder = tmp_path / real_panels.SNMESP_DIR
    folder.mkdir()
    pd.DataFrame(rows).to_csv(folder / real_panels.SNMESP_FILE, index=False)
    return tmp_path


def test_report_on_a_hand_built_panel(tmp_path):
    """On a panel where the small firms are exactly the growers: size alone ranks the
    held-out rows perfectly (AUC 1); lagged growth is the best single indicator on the
    training years and is perfect on the test years (revenue growth, first in the spec's
    order of the two tied growth indicators); the refit learns it (AUC 1); no youth baseline
    without a founding year; the scheme is named; the report is the same twice."""
    data = _spanish_format(tmp_path)
    result = build_report.build(data, n_bootstrap=20, jeju=False)
    panel = result["panels"]["snmesp"]
    assert result["skipped"] == ["fnguide", "dart"]
    assert panel["scheme"]["name"] == "next_cohort"
    assert panel["scheme"]["train_years"] == [1983, 1984, 1985]
    assert panel["scheme"]["test_years"] == [1986, 1987]
    hg = panel["perspectives"]["high_growth"]
    assert hg["rows"] == 120 and hg["positives"] == 40  # 60 firms x 2 test years, 20 grow
    assert hg["auc"]["smaller"]["auc"] == 1.0
    assert [c["indicator"] for c in hg["best_indicator"]] == ["revenue_growth"]
    assert hg["auc"]["best_indicator"]["auc"] == 1.0
    assert hg["auc"]["refit"]["auc"] == 1.0
    assert "younger" not in hg["auc"]
    # the master scale: a perfect ranking puts all 40 growers in the top grades, so the
    # observed rate never rises from a grade to a worse one
    assert hg["grades"]["monotonicity"]["verdict"] == "monotone"
    assert sum(r["k"] for r in hg["grades"]["rows"]) == 40
    # growers: employees score low, growth scores high; the others the reverse; pay and
    # productivity tie. Equal weights over the five indicators put every grower above
    # every other firm when growth counts twice and size once: AUC 1
    assert hg["auc"]["equal_weights"]["auc"] == 1.0
    # the size-adjusted label ranks growth within size quintiles: size alone says little
    assert panel["size_options"]["smaller_vs_size_adjusted_label"] < 1.0
    # every indicator has values in the training years 1984-1985 (not 1983): no caveat
    assert panel["untrained_indicators"] == []
    # no synthetic reference, no Jeju call: no component measured
    assert "component" not in result
    text = render(result)
    assert "| snmesp | next cohort | 120 (40) |" in text
    assert "A real-fitted component" not in text
    assert text == render(build_report.build(data, n_bootstrap=20, jeju=False))


# ---------------------------------------------------------------------- the component section

class _Model:
    """What untrained_indicators reads of a fitted GrowthModel: labels and the spec."""

    def __init__(self, labelled, indicators):
        self.labels_ = pd.DataFrame({"high_growth": labelled})
        self.index_ = type("I", (), {"spec_": {"indicators": indicators}})()


def test_an_indicator_without_training_values_is_named_with_its_peers():
    """FnGuide's case by hand: growth needs the year before, so the first base year (the
    training year of the next cohort) has none; the indicator and its present domain peer
    are named, with its coverage in the training and test years; an indicator present in
    training, or one missing in the test years too, is not; grouped CV never."""
    indicators = [{"name": "growth", "domain": "outcome"}, {"name": "margin", "domain": "outcome"},
                  {"name": "rnd", "domain": "input"}, {"name": "rare", "domain": "input"}]
    nan = np.nan
    scores = np.array([[nan, 1.0, 3.0, nan], [nan, 2.0, nan, nan], [nan, 1.0, 1.0, nan],
                       [5.0, 1.0, 2.0, nan], [6.0, 2.0, 4.0, nan], [nan, 3.0, 1.0, 1.0],
                       [7.0, 1.0, 1.0, nan]])
    frame = pd.DataFrame({"year": [2016] * 3 + [2017] * 4})
    model = _Model([0.0, 1.0, nan, 1.0, 0.0, 0.0, nan], indicators)  # a row of each unlabelled
    scheme = {"name": "next_cohort", "train_years": [2016], "test_years": [2017]}
    found = build_report.untrained_indicators(scores, ["growth", "margin", "rnd", "rare"],
                                              [0, 1, 2, 3], model, frame, scheme)
    # growth: 0 of 2 labelled 2016 rows, 2 of 3 labelled 2017 rows; rare: 1 of 3 in 2017
    assert found == [{"indicator": "growth", "domain": "outcome", "train_coverage": 0.0,
                      "test_coverage": 0.6667, "peers": ["margin"]}]
    assert build_report.untrained_indicators(
        scores, ["growth", "margin", "rnd", "rare"], [0, 1, 2, 3], model, frame,
        {"name": "grouped_cv", "train_years": [2017], "test_years": [2017]}) == []
    text = untrained_text(found[0], scheme)
    assert text.startswith("**Caveat: `growth` has no value in the training base years** "
                           "(2016: 0% of the labelled rows; test years 2017: 67%)")
    assert "it equals `margin`'s score" in text and "is not learned there" in text


def _hybrid_figures(left: list[str], cost: float) -> dict:
    """The parts of hybrid.measure's output that the decision reads, by hand."""
    def gain(g):
        return {"gain": g, "ci": [g - 0.001, g + 0.001],
                "verdict": "default better" if g + 0.001 < 0 else "no clear difference"}

    synthetic = {p: {"latent_capability": 0.775,
                     "out_of_time": {"auc": {"default": {"auc": 0.7254},
                                             "hybrid": {"auc": 0.7254 + cost}},
                                     "gain_over_default": {"hybrid": gain(cost)}}}
                 for p in ("high_growth", "sustainable_growth")}
    return {"fnguide": {"coverage_by_base_year": {"revenue_growth": {"2016": 0.0,
                                                                     "2017": 0.95}},
                        "within": {"all_years": {"rnd_intensity": 1.0, "rnd_expense": 0.0}},
                        "alone": {"high_growth": {"rnd_intensity": {"auc": 0.666},
                                                  "operating_margin": {"auc": 0.43}}}},
            "weights": {"operating_margin": {"domain": "outcome", "default": 0.15}},
            "domain_weights": {"outcome": 0.3},
            "synthetic": {"perspectives": synthetic},
            "jeju": {"default": {"selected": 14, "fragile": ["A", "B", "C"]},
                     "hybrid_shipped": {"same_as_default": 14 - len(left), "left": left,
                                        "entered": ["D"]}}}


def test_the_decision_reads_its_reasons_from_the_figures():
    """Not shipped; the first-year gap, the synthetic cost with the latent-capability gaps
    crossing 0.05 (0.775 - 0.7254 = 0.0496 -> 0.0516), the Jeju swap of fragile firms only
    and the lost one-command rebuild, each with its numbers; a reason the figures do not
    bear out (a non-fragile firm leaves, no synthetic cost) is not given."""
    out = hybrid.decision(_hybrid_figures(left=["A", "B"], cost=-0.002))
    assert out["shipped"] is False
    reasons = out["reasons"]
    assert len(reasons) == 4
    assert "(2016: 0%, 2017: 95% of the labelled rows have it)" in reasons[0]
    assert ("high growth -0.002 [-0.003, -0.001], sustainable growth -0.002 [-0.003, -0.001]"
            in reasons[1])
    assert "from 0.0496 to 0.0516, 0.0496 to 0.0516 (past 0.05)" in reasons[1]
    assert reasons[2] == ("in the Jeju 2025 call it keeps 12 of the 14 selected firms and swaps "
                          "only firms already marked fragile (out: A, B; in: D)")
    assert "one `ktop fit` from bundled data" in reasons[3]
    fewer = hybrid.decision(_hybrid_figures(left=["A", "X"], cost=0.0))["reasons"]
    assert len(fewer) == 2 and "Jeju" not in " ".join(fewer)
    found = hybrid.findings(_hybrid_figures(left=[], cost=0.0))
    assert "R&D intensity takes 1.000" in found[0]
    assert "weights at 4.5% of the index" in found[1]  # 0.3 x 0.15


def test_component_section_from_a_hand_made_dict():
    """The page's section: the DART comparison, the decision heading and every reason as a
    bullet, the findings; without the FnGuide panel it says the hybrid was not measured."""
    component = {"hybrid": None, "shipped": False, "decided_by": "the lead",
                 "reasons": ["first reason", "second reason"], "findings": ["a finding"],
                 "dart": {"scheme": "grouped_cv", "rows": 288, "positives": 12,
                          "indicators": ["employees"], "refit_beats_default": False,
                          "default": {"auc": 0.513, "ci": [0.373, 0.649]},
                          "refit": {"auc": 0.444, "ci": [0.263, 0.598]},
                          "refit_minus_default": {"gain": -0.069, "ci": [-0.243, 0.055],
                                                  "verdict": "no clear difference"}}}
    text = component_section(component)
    assert text.startswith("## A real-fitted component in the default?")
    assert "FnGuide panel absent: the hybrid was not measured." in text
    assert ("the refit's high-growth AUC 0.444 [0.263, 0.598] against the default's 0.513 "
            "[0.373, 0.649], refit minus default -0.069 [-0.243, +0.055] — no clear "
            "difference: the refit does **not** beat the default") in text
    assert "### Decision: not shipped — the default stays the synthetic fit" in text
    assert "* first reason;\n* second reason.\n" in text
    assert "* a finding." in text


def test_the_committed_report_holds_the_decision():
    """docs/validation.json (committed; the card reads it) has the component section: not
    shipped, with reasons, and the page has its section (no real data needed)."""
    import json

    committed = json.loads((ROOT / "docs" / "validation.json").read_text(encoding="utf-8"))
    component = committed["component"]
    assert component["shipped"] is False and len(component["reasons"]) >= 3
    assert component["dart"]["refit_beats_default"] is False
    page = (ROOT / "docs" / "validation.md").read_text(encoding="utf-8")
    assert "## A real-fitted component in the default?" in page
    assert all(r in page for r in component["reasons"])
