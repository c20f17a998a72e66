"""The support effect (ktop_index.tracking.effect): matched difference-in-differences on
synthetic calls with a known effect and without one, a hand case, and `ktop track effect`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ktop_index.cli import main
from ktop_index.data.io import write_table
from ktop_index.errors import DataError, StoreError, UsageError
from ktop_index.index.techindex import TechIndex, score_firms
from ktop_index.synth import generate_panel
from ktop_index.tracking import effect, ingest
from ktop_index.tracking.present import korean_labels


def synthetic_call(seed: int, with_effect: bool, n_firms: int = 1500):
    """A synthetic call 'synth_2025': 400 applicants of fiscal 2024, 100 selected by Tech-Index
    plus noise (selection on observables), and the panel 2021-2027 with a known support effect
    added to the selected firms' 2025-2027 rows: revenue +15 %, employees +2, patents +3,
    certifications +2. Returns (panel, selection rows, true effects, model), the true effects
    being each supported firm's mean post-year change against the panel without support (the
    Tech-Index's by re-scoring both panels), one row per business number."""
    panel = generate_panel(n_firms=n_firms, years=(2021, 2027), seed=seed)
    # the index is fitted here on the panel itself, so the test does not move with the
    # bundled model file
    model = TechIndex().fit(panel, reference_year=2024)
    scores = score_firms(panel, model)
    pre = panel[panel["year"] == 2024].assign(tech=scores.loc[panel["year"] == 2024,
                                                              "tech_index"].to_numpy())
    applicants = pre[pre["tech"].notna()].sample(n=400, random_state=seed)
    noisy = applicants["tech"].to_numpy() + np.random.default_rng(seed).normal(0, 8, 400)
    order = np.argsort(-noisy)
    status = np.full(400, "not_selected", dtype=object)
    status[order[:100]], status[order[100:130]] = "selected", "waitlist"
    selected = set(applicants["firm_id"].to_numpy()[status == "selected"])
    rows = panel["firm_id"].isin(selected).to_numpy() & (panel["year"] >= 2025).to_numpy()
    treated = panel.copy()
    if with_effect:
        treated.loc[rows, "revenue"] *= 1.15
        for name, add in (("employees", 2), ("patents", 3), ("certifications", 2)):
            treated.loc[rows, name] += add
    after = score_firms(treated, model)
    brn = dict(zip(applicants["firm_id"], applicants["brn"]))
    truth = pd.DataFrame({
        name: pd.Series((new - old)[rows].to_numpy(), index=panel["firm_id"][rows].map(brn))
        .groupby(level=0).mean()
        for name, new, old in (("tech_index", after["tech_index"], scores["tech_index"]),
                               ("revenue", treated["revenue"], panel["revenue"]),
                               ("employees", treated["employees"], panel["employees"]))})
    selection = list(zip(applicants["brn"], applicants["firm_name"], status,
                         applicants["tech"], np.where(status == "selected", 50_000, 0)))
    return treated, selection, truth, model


def effect_of(tmp_path: Path, write_selection, seed: int, with_effect: bool):
    panel, selection, truth, model = synthetic_call(seed, with_effect)
    db = tmp_path / f"{with_effect}.sqlite"
    write_table(panel, tmp_path / f"panel_{with_effect}.parquet")
    ingest.import_file(tmp_path / f"panel_{with_effect}.parquet", db, model=model)
    ingest.import_path(write_selection(tmp_path / f"sel_{with_effect}", "synth_2025", selection),
                       db)
    result = effect.support_effect(db, "synth_2025")
    summary = result[result["horizon"] == "2025-2027"].set_index("outcome")
    summary.attrs["unmatched"] = result.attrs["unmatched"]
    summary.attrs["selected"] = {b for b, _, status, *_ in selection if status == "selected"}
    # the estimate is the effect on the supported firms with a control (ATT on the matched):
    # its truth is their mean, not that of all supported firms (the unmatched are the largest)
    matched = truth.drop(index=result.attrs["unmatched"]["brn"], errors="ignore")
    return summary, {name: float(value) for name, value in matched.mean().items()}


def test_support_effect_recovers_a_known_effect(tmp_path, write_selection):
    """The matched difference-in-differences finds the effect added to supported firms. Over
    five synthetic calls (seeds 1-5): the true effect on the matched supported firms lies in at
    least 12 of the 15 intervals (the interval keeps the matches fixed, so its coverage is
    somewhat below 95 %: docs/tracking.md), and the estimates average out at the truth —
    revenue within 25 %, employment within 0.75 persons, both clearly above zero."""
    estimates, truths, held = [], [], 0
    for seed in range(1, 6):
        result, truth = effect_of(tmp_path / str(seed), write_selection, seed=seed,
                                  with_effect=True)
        assert truth["employees"] == pytest.approx(2.0) and truth["revenue"] > 0
        for outcome, true in truth.items():
            row = result.loc[outcome]
            held += bool(row["ci_low"] <= true <= row["ci_high"])
            assert row["n_pairs"] >= 50
        estimates.append(result["did"].to_dict())
        truths.append(truth)
    assert held >= 12
    estimate, true = pd.DataFrame(estimates).mean(), pd.DataFrame(truths).mean()
    assert estimate["revenue"] == pytest.approx(true["revenue"], rel=0.25)
    assert estimate["employees"] == pytest.approx(true["employees"], abs=0.75)
    assert estimate["revenue"] > 0.5 * true["revenue"] and estimate["employees"] > 1.0
    assert "parallel trends" in result["assumptions"].iat[0]
    # the supported firms left out are listed, each a supported firm with its reason
    unmatched = result.attrs["unmatched"]
    assert 0 < len(unmatched) == result["n_unmatched"].iat[0]
    assert set(unmatched["brn"]) <= result.attrs["selected"]
    assert unmatched["reason"].str.startswith("no ").all()


def test_support_effect_finds_nothing_without_support(tmp_path, write_selection):
    """Without an effect (a placebo), every interval holds zero."""
    result, truth = effect_of(tmp_path, write_selection, seed=3, with_effect=False)
    assert truth == {"tech_index": 0.0, "revenue": 0.0, "employees": 0.0}
    assert (result["ci_low"] <= 0).all() and (result["ci_high"] >= 0).all()


def test_support_effect_needs_the_call(tmp_path, small_panel):
    """An unknown call is a clear error listing the calls stored."""
    db = tmp_path / "h.sqlite"
    ingest.import_file(small_panel, db)
    with pytest.raises(StoreError, match="no selection of call 'jeju_2025'"):
        effect.support_effect(db, "jeju_2025")


def test_support_effect_arguments_and_data_that_allow_no_estimate(tmp_path, brn, hand_scored,
                                                                   write_selection):
    """A level outside (0, 1) is wrong usage; a call with no unsupported applicant or no
    later data is a DataError saying what is missing."""
    rows = [{"brn": brn(k), "year": 2024, "employees": 10.0, "revenue": 1000.0,
             "tech_index": 100.0 + k, "grade": "BB"} for k in (1, 2)]
    db = tmp_path / "h.sqlite"
    ingest.import_file(hand_scored(tmp_path / "scored.csv", rows), db)
    ingest.import_path(write_selection(tmp_path / "all", "all_2025",
                                       [(brn(1), "a", "selected", 101.0, 1),
                                        (brn(2), "b", "selected", 102.0, 1)]), db)
    ingest.import_path(write_selection(tmp_path / "some", "some_2025",
                                       [(brn(1), "a", "selected", 101.0, 1),
                                        (brn(2), "b", "waitlist", 102.0, 0)]), db)
    with pytest.raises(UsageError, match="level=1.5"):
        effect.support_effect(db, "some_2025", level=1.5)
    with pytest.raises(DataError, match="2 supported firms and 0 unsupported"):
        effect.support_effect(db, "all_2025")
    with pytest.raises(DataError, match="no firm-years from 2025 on"):
        effect.support_effect(db, "some_2025")


def test_effect_table_in_korean(tmp_path, brn, hand_scored, write_selection):
    """At the edge the effect table reads in Korean: its outcome column is 성과지표, the
    outcomes and units Korean words, the assumptions the Korean text; numbers unchanged."""
    from ktop_index.labels import EFFECT_ASSUMPTIONS_KO

    pre = {1: 90.0, 2: 91.0, 3: 92.0}
    rows = [{"brn": brn(k), "year": year, "employees": 10.0, "revenue": 1000.0,
             "tech_index": pre[k] + (year - 2024) * k, "grade": "BB"}
            for year in (2024, 2025) for k in pre]
    db = tmp_path / "h.sqlite"
    ingest.import_file(hand_scored(tmp_path / "scored.csv", rows), db)
    ingest.import_path(write_selection(tmp_path / "sel", "ko_2025",
                                       [(brn(1), "a", "selected", 90.0, 1),
                                        (brn(2), "b", "waitlist", 91.0, 0),
                                        (brn(3), "c", "not_selected", 92.0, 0)]), db)
    table = effect.support_effect(db, "ko_2025", n_boot=20)
    korean = korean_labels(table)
    assert korean["성과지표"].unique().tolist() == ["기업혁신역량지수", "매출액", "상시근로자 수"]
    assert korean["단위"].unique().tolist() == ["점", "천원", "명"]
    assert (korean["가정"] == EFFECT_ASSUMPTIONS_KO).all()
    assert korean.attrs["assumptions"] == EFFECT_ASSUMPTIONS_KO
    np.testing.assert_array_equal(korean["이중차분 효과"], table["did"])
    assert table["outcome"].iat[0] == "tech_index"  # the computed table stays English


# ---------------------------------------------------------------------------- command line

def test_effect_command_names_the_unmatched_firms(tmp_path, capsys, brn, hand_scored,
                                                  write_selection):
    """A supported firm far from every unsupported applicant is left out of the estimate,
    counted, listed with its reason, and printed by `ktop track effect`; the matched pair's
    difference-in-differences is the hand-computed one."""
    pre = {1: 90.0, 2: 130.0, 3: 91.0, 4: 89.0}  # firms 1, 2 supported; 2 has no peer
    post = {1: 96.0, 2: 131.0, 3: 92.0, 4: 90.0}
    rows = [{"brn": brn(k), "year": year, "ksic": "10122", "region": "제주시",
             "employees": 10.0, "revenue": 1000.0, "tech_index": values[k], "grade": "BB"}
            for year, values in ((2024, pre), (2025, post)) for k in pre]
    db = tmp_path / "h.sqlite"
    ingest.import_file(hand_scored(tmp_path / "scored.csv", rows), db)
    status = {1: "selected", 2: "selected", 3: "not_selected", 4: "waitlist"}
    ingest.import_path(write_selection(tmp_path / "sel", "hand_2025",
                                      [(brn(k), f"firm {k}", status[k], pre[k],
                                        50_000 if status[k] == "selected" else 0)
                                       for k in pre]), db)
    result = effect.support_effect(db, "hand_2025", n_boot=50)
    row = result[(result["outcome"] == "tech_index") & (result["horizon"] == "2025-2025")]
    assert row["n_pairs"].iat[0] == 1 and row["n_unmatched"].iat[0] == 1
    assert row["did"].iat[0] == pytest.approx((96 - 90) - (92 - 91))  # firm 1 vs firm 3
    unmatched = result.attrs["unmatched"]
    assert unmatched["brn"].tolist() == [brn(2)]
    assert unmatched["tech_index"].tolist() == [130.0]
    assert unmatched["reason"].tolist() == ["no unsupported applicant within the caliper"]
    assert main(["track", "effect", "--call", "hand_2025", "--db", str(db)]) == 0
    assert f"(no comparable control) 1: {brn(2)}" in capsys.readouterr().out
