"""The Tech-Index: base 100 on the reference, fit once and score forever, explainable."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from ktop_index.index.explain import reason_codes, reason_labels
from ktop_index.index.spec import indicator_labels_ko, load_spec
from ktop_index.index.techindex import (
    SCORE_COLUMNS,
    TechIndex,
    _score_tables,
    identity_labels_ko,
    score_firms,
)
from ktop_index.labels import SCORE_COLUMNS_KO, localise_score_table, localise_scores
from ktop_index.synth import generate_panel


@pytest.fixture(scope="module")
def panel():
    return generate_panel(n_firms=1500, years=(2019, 2023), seed=7)


@pytest.fixture(scope="module")
def model(panel):
    return TechIndex(reference_year=2023).fit(panel)


def in_year(model, panel, year):
    """Scores of one year's rows, scored with the panel (growth needs the year before)."""
    return model.transform(panel)[panel["year"] == year]


def test_reference_mean_is_100_and_sd_10(panel, model):
    """Scoring the reference population gives mean 100 and sd 10 over rated firms."""
    ref = in_year(model, panel, 2023)
    rated = ref["grade"] != "NR"
    assert ref.loc[rated, "tech_index"].mean() == pytest.approx(100, abs=1e-9)
    assert ref.loc[rated, "tech_index"].std(ddof=0) == pytest.approx(10, abs=1e-9)


def test_grades_follow_reference_percentiles(panel, model):
    """Grade shares in the reference match the spec's percentile bands (AAA = top 4 %...)."""
    grades = in_year(model, panel, 2023)["grade"]
    shares = grades[grades != "NR"].value_counts(normalize=True)
    assert shares["AAA"] == pytest.approx(0.04, abs=0.01)
    assert shares["CCC"] == pytest.approx(0.20, abs=0.01)
    order = ["CCC", "B", "BB", "BBB", "A", "AA", "AAA"]
    scored = in_year(model, panel, 2023)
    means = scored.groupby("grade")["tech_index"].mean()
    assert all(means[a] < means[b] for a, b in itertools.pairwise(order))


def test_a_grade_starts_at_its_cut_off(model):
    # a cut-off is the grade's minimum Tech-Index: reached, that grade; a hair below, the
    # next grade down; the last grade has no minimum; no index, not rated
    grades = [g for g, _ in model.grade_cutoffs_]
    cutoffs = [c for _, c in model.grade_cutoffs_]
    tech, expected = [np.nan, 1e9], ["NR", grades[0]]
    for k, c in enumerate(cutoffs[:-1]):
        tech += [c, np.nextafter(c, -np.inf)]
        expected += [grades[k], grades[k + 1]]
    assert cutoffs[-1] == -np.inf
    assert model._grades(np.array(tech)).tolist() == expected


def test_same_inputs_same_index_in_any_batch(panel, model):
    """A firm scored alone, in a shuffled batch, or in another batch gets the same numbers."""
    full = model.transform(panel)
    firm = panel["firm_id"].iloc[100]
    alone = model.transform(panel[panel["firm_id"] == firm])
    shuffled = model.transform(panel.sample(frac=1.0, random_state=3))
    numeric = [c for c in full.columns if full[c].dtype.kind == "f"]
    assert np.array_equal(alone[numeric].to_numpy(), full.loc[alone.index, numeric].to_numpy(),
                          equal_nan=True)
    assert np.array_equal(shuffled.loc[full.index, numeric].to_numpy(), full[numeric].to_numpy(),
                          equal_nan=True)
    assert (alone["grade"] == full.loc[alone.index, "grade"]).all()


def test_scoring_in_blocks_equals_scoring_whole(panel, model):
    """Scoring block by block (growth looking across block edges), in one thread or three,
    gives the table of scoring the whole."""
    shuffled = panel.sample(frac=1.0, random_state=5)  # a firm's years land in other blocks
    whole = pa.Table.from_pandas(score_firms(shuffled, model), preserve_index=False)
    assert whole["contrib_outcome"].null_count < len(shuffled)
    for workers in (1, 3):
        blocks = pa.concat_tables(_score_tables(shuffled, model, rows=97, workers=workers))
        assert blocks.column_names == whole.column_names
        assert blocks.to_pylist() == whole.to_pylist()


def test_more_of_a_positive_indicator_never_lowers_the_index(panel, model):
    """Raising patents, R&D expense or IP filings never lowers a domain score or the index."""
    rows = panel[panel["year"] == 2023].head(300)
    before = model.transform(rows)
    for field, step in [("patents", 3), ("rnd_expense", 50_000.0), ("ip_filings", 2),
                        ("certifications", 1), ("export_revenue", 10_000.0)]:
        more = rows.copy()
        more[field] = more[field] + step
        if field == "export_revenue":  # keep exports within revenue
            more[field] = np.minimum(more[field], more["revenue"])
        after = model.transform(more)
        for column in ("infrastructure", "input", "activity", "outcome", "tech_index"):
            diff = (after[column] - before[column]).dropna()
            assert (diff >= -1e-9).all(), (field, column)


def test_model_round_trip(tmp_path, panel, model):
    """Saved to JSON and loaded, the model scores identically; saving twice gives equal bytes."""
    path = tmp_path / "m.json"
    model.save(path)
    again = TechIndex.load(path)
    a, b = model.transform(panel), again.transform(panel)
    pd.testing.assert_frame_equal(a, b)
    again.save(tmp_path / "m2.json")
    assert path.read_bytes() == (tmp_path / "m2.json").read_bytes()
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["reference"]["year"] == 2023 and len(data["reference"]["data_sha256"]) == 64
    assert data["package_version"] and data["spec"]["spec_version"]


def test_fit_is_deterministic(panel):
    """Fitting twice on the same data gives the same model file."""
    assert TechIndex(reference_year=2023).fit(panel).to_dict() == \
        TechIndex().fit(panel, reference_year=2023).to_dict()


def test_not_rated_below_minimum_coverage(panel, model):
    """A firm with too few fields is not rated (grade NR, no index), not invented."""
    rows = panel[panel["year"] == 2023].head(5).copy()
    sparse = rows[["firm_id", "year", "ksic", "patents"]]
    scored = model.transform(sparse)
    assert (scored["grade"] == "NR").all() and scored["tech_index"].isna().all()
    assert (scored["coverage"] < 0.6).all()


def test_missing_indicator_reweights_within_domain(panel, model):
    """Dropping one input indicator leaves the domain score as the mean of the others."""
    rows = panel[panel["year"] == 2023].head(50).copy()
    rows["rnd_expense"] = np.nan  # removes rnd_intensity and rnd_expense from 'input'
    scored = model.transform(rows)
    scores = model.components(rows)["scores"]
    names = [s["name"] for s in model.spec_["indicators"]]
    idx = [names.index(n) for n in ("rnd_staff_share", "salary_per_employee")]
    with np.errstate(all="ignore"):
        present = ~np.isnan(scores[:, idx])
        expected = np.where(present, scores[:, idx], 0).sum(axis=1) / present.sum(axis=1)
    assert np.allclose(scored["input"].to_numpy(), expected, equal_nan=True)


def test_contributions_add_up(panel, model):
    """Domain contributions sum to tech_index - 100 for firms with all four domains."""
    scored = model.transform(panel[panel["year"] == 2023])
    parts = scored[[f"contrib_{d}" for d in ("infrastructure", "input", "activity", "outcome")]]
    full = scored[["infrastructure", "input", "activity", "outcome"]].notna().all(axis=1)
    full &= scored["grade"] != "NR"
    total = parts[full].sum(axis=1)
    assert np.allclose(total, scored.loc[full, "tech_index"] - 100, atol=0.05)


def test_reasons_name_real_indicators(panel, model):
    """Strengths and weaknesses are indicator labels from the spec, in English (Korean once
    localised)."""
    spec = load_spec()
    labels = {s["label"] for s in spec["indicators"]} | {""}
    labels_ko = {s["label_ko"] for s in spec["indicators"]} | {""}
    scored = model.transform(panel[panel["year"] == 2023])
    for column in ("strength_1", "strength_2", "weakness_1", "weakness_2"):
        assert set(scored[column]) <= labels
    korean = localise_scores(scored, "ko", indicator_labels_ko(spec))
    assert set(korean["강점1"]) <= labels_ko
    # a strength really is above the peers: the firm's score on it beats the peer median
    assert (scored["strength_1"] != "").mean() > 0.9


def test_reasons_never_name_an_indicator_without_weight(panel):
    """An indicator the model weighs at zero (or in a zero-weight domain) is not a reason."""
    spec = load_spec()
    spec["domains"][0]["weight"] = 0.0  # infrastructure counts for nothing
    spec["indicators"][-1]["weight"] = 0.0
    silent = {s["label"] for s in spec["indicators"]
              if s["domain"] == spec["domains"][0]["name"] or s is spec["indicators"][-1]}
    scored = TechIndex(spec).fit(panel, reference_year=2023).transform(panel)
    named = set(scored[["strength_1", "strength_2", "weakness_1", "weakness_2"]].stack())
    assert named and not named & silent
    # the same model with every weight on gives those indicators as reasons somewhere
    loud = TechIndex(load_spec()).fit(panel, reference_year=2023).transform(panel)
    assert set(loud[["strength_1", "weakness_1"]].stack()) & silent


def test_indicators_weighed_zero_are_skipped_with_the_same_bits(panel):
    """Scoring skips the indicators the bundled model weighs 0, and gives the bits of the
    whole computation (every indicator, :meth:`TechIndex.components`): domains, coverage and
    reasons, also where a domain's only data is an indicator weighed 0."""
    spec = TechIndex.load().spec_  # the bundled model's fitted weights: 8 of them are 0
    assert sum(s["weight"] == 0 for s in spec["indicators"]) >= 4
    for s in spec["indicators"]:  # outcome's 9 weights then sum to another last bit than
        if s["domain"] == "outcome":  # its 5 of weight > 0 (numpy adds 8 or more pairwise)
            s["weight"] = round(s["weight"] * 7 / 3.7, 6)
    model = TechIndex(spec).fit(panel, reference_year=2023)
    rows = panel.copy()
    # infrastructure left with its weight-0 indicators alone (firm age, CEO's years,
    # employees) in every 7th row: its domain score is missing either way
    rows.loc[rows.index[::7], ["rnd_org", "certifications"]] = np.nan
    scored = model.transform(rows)
    whole = model.components(rows)
    names = whole["domain_names"]
    assert scored[names[0]].isna().sum() >= len(rows) // 7
    assert np.array_equal(scored[names].to_numpy(), whole["domains"], equal_nan=True)
    assert np.array_equal(scored["coverage"].to_numpy(), whole["coverage"])
    peers = model._peer_positions(rows)[1]
    codes = reason_codes(model.spec_, model.peer_medians_, whole["scores"], peers)
    labels = reason_labels(model.spec_)
    for key, value in codes.items():
        assert scored[key].astype(str).tolist() == [labels[c] for c in value]


def test_geometric_means_keep_every_indicator(panel):
    """Domains averaged geometrically score every indicator, weighed 0 or not (a value
    <= 0 of any is refused)."""
    model = TechIndex.load()
    weighed = [j for j, s in enumerate(model.spec_["indicators"]) if s["weight"] > 0]
    assert model._weighed().tolist() == weighed
    model.spec_["aggregation"]["within_domain"] = "gmean"
    assert model._weighed().tolist() == list(range(len(model.spec_["indicators"])))


def test_two_reasons_never_rest_on_the_same_field(panel, model):
    """The two strengths (and the two weaknesses) of a firm come from different fields: not
    "IP filings" and "IP filings per employee" together. Without the rule such pairs occur."""
    field = {s["label"]: s.get("field", s.get("numerator")) for s in model.spec_["indicators"]}
    scored = model.transform(panel)
    for first, second in (("strength_1", "strength_2"), ("weakness_1", "weakness_2")):
        both = scored[second].astype(str) != ""
        assert both.sum() > 1000
        pairs = zip(scored.loc[both, first].astype(str), scored.loc[both, second].astype(str))
        assert all(field[a] != field[b] for a, b in pairs)
    # the rule matters: by the scores alone, some firms' two best share a field
    scores = model.components(panel)["scores"]
    names = [s["name"] for s in model.spec_["indicators"]]
    source = [field[s["label"]] for s in model.spec_["indicators"]]
    gap = np.nan_to_num(scores - np.array([model.peer_medians_["*"][n] for n in names]), nan=-1e9)
    top_two = np.argsort(-gap, axis=1)[:, :2]
    assert any(source[a] == source[b] for a, b in top_two)


def test_score_columns_and_korean_labels(panel, model):
    """score_firms gives identity then score columns in English; localised, Korean headers."""
    rows = panel[panel["year"] == 2023].head(3)
    out = score_firms(rows, model)
    assert list(out.columns[:6]) == ["firm_id", "brn", "firm_name", "year", "ksic", "region"]
    assert all(c in out.columns for c in SCORE_COLUMNS)
    ko = localise_scores(out, "ko", indicator_labels_ko(model.spec_), identity_labels_ko())
    assert "기업혁신역량지수" in ko.columns and "사업자등록번호" in ko.columns
    assert list(ko.columns[6:]) == [SCORE_COLUMNS_KO[c] for c in out.columns[6:]]


def test_percentiles_in_range_and_monotone(panel, model):
    """Percentiles lie in 0-100 and rise with the index."""
    scored = model.transform(panel[panel["year"] == 2023]).dropna(subset=["tech_index"])
    assert scored["percentile"].between(0, 100).all()
    assert scored["industry_percentile"].between(0, 100).all()
    ordered = scored.sort_values("tech_index")["percentile"].to_numpy()
    assert np.all(np.diff(ordered) >= -1e-12)


def test_rebase_is_recorded(panel, model):
    """Rebasing on another base year gives a new model whose scale is that year's and which
    records both bases; the model rebased is left as it was."""
    before = model.to_dict()
    rebased = model.rebase(panel, reference_year=2021)
    assert rebased is not model and model.to_dict() == before
    history = rebased.reference_["history"]
    assert [h["year"] for h in history] == [2023, 2021]
    assert rebased.spec_ == model.spec_ and rebased.spec_ is not model.spec_
    scored = in_year(rebased, panel, 2021)
    assert scored.loc[scored["grade"] != "NR", "tech_index"].mean() == pytest.approx(100)


def test_unfitted_model_refuses_to_score(panel):
    """Every use of an unfitted model is scikit-learn's NotFittedError, naming what to do."""
    model = TechIndex()
    for use in (model.transform, model.components, model.unadjusted_rows,
                lambda frame: model.rebase(frame, 2023), lambda frame: model.to_dict(),
                lambda frame: model.sha256):
        with pytest.raises(NotFittedError, match="not fitted yet: call fit"):
            use(panel)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_arrow_blocks_write_the_bytes_of_scoring_whole(tmp_path, panel, model, lang):
    """The streamed tables, localised and written block by block from two threads, give the
    bytes of write_table(localised score_firms(...)): formula-like names escaped, not-rated
    rows empty."""
    from ktop_index.data.io import write_csv_blocks, write_table

    rows = panel.sample(n=700, random_state=2).copy()
    rows["firm_name"] = rows["firm_name"].astype("str")
    rows.iloc[:3, rows.columns.get_loc("firm_name")] = ["=SUM(A1)", "-x", None]
    rows.iloc[3:6, rows.columns.get_loc("revenue")] = np.nan  # fewer indicators, some NR
    labels, fields = indicator_labels_ko(model.spec_), identity_labels_ko()
    whole, blocks = tmp_path / "whole.csv", tmp_path / "blocks.csv"
    write_table(localise_scores(score_firms(rows, model), lang, labels, fields), whole)
    write_csv_blocks((localise_score_table(t, lang, labels, fields)
                      for t in _score_tables(rows, model, rows=97, workers=2)), blocks)
    assert blocks.read_bytes() == whole.read_bytes()
    assert "'=SUM(A1)" in whole.read_bytes().decode("utf-8-sig")


def test_previous_year_lookup_with_missing_or_fractional_years(panel):
    """The previous year is found the same way when years are missing or not whole (the
    general sort) as when they are whole (the fast one)."""
    from ktop_index.index.indicators import previous_year_fields

    spec = [{"name": "g", "kind": "growth", "field": "revenue"}]
    rows = panel.sample(n=500, random_state=4).reset_index(drop=True)
    fast = previous_year_fields(rows, spec)["revenue"]
    odd = rows.assign(year=rows["year"].astype(float))
    odd.loc[0, "year"] = np.nan
    odd.loc[1, "year"] = 2020.5
    general = previous_year_fields(odd, spec)["revenue"]
    by_hand = {(f, y): r for f, y, r in zip(rows["firm_id"], rows["year"], rows["revenue"])}
    expected = [by_hand.get((f, y - 1), np.nan) for f, y in zip(rows["firm_id"], rows["year"])]
    assert np.allclose(fast, expected, equal_nan=True)
    linked_to_changed = [k for k, (f, y) in enumerate(zip(rows["firm_id"], rows["year"]))
                         if (f, y - 1) in {(rows["firm_id"][0], rows["year"][0]),
                                           (rows["firm_id"][1], rows["year"][1])}]
    keep = np.setdiff1d(np.arange(2, len(rows)), linked_to_changed)
    assert np.allclose(general[keep], fast[keep], equal_nan=True)
    assert np.isnan(general[:2]).all()


# ------------------------------------------------------------------ measured against the industry

def _one_indicator_spec(peer_adjust):
    """One indicator (operating margin), identity transform, min-max between the reference's
    0th and 100th percentiles; peers of at least 15 reference firms."""
    spec = load_spec(None)
    spec["indicators"] = [dict(s, weight=1) for s in spec["indicators"]
                          if s["name"] == "operating_margin"]
    spec["domains"] = [dict(d, weight=1.0 if d["name"] == "outcome" else 0.0)
                       for d in spec["domains"]]
    spec["domains"] = [d for d in spec["domains"] if d["name"] == "outcome"]
    spec["normalisation"] = dict(spec["normalisation"], lower_percentile=0,
                                 upper_percentile=100, peer_adjust=peer_adjust)
    spec["peers"] = dict(spec["peers"], min_size=15)
    return spec


def _margins(ksic_and_margin, copies=1):
    """Firms with revenue 100,000 천원 and the given operating margins, in KSIC classes; each
    firm ``copies`` times (a reference needs 30 firms; copies leave medians and posts as they
    are)."""
    rows = [{"firm_id": f"f{k}-{c}", "year": 2024, "ksic": ksic, "revenue": 100_000.0,
             "operating_profit": 100_000.0 * margin}
            for k, (ksic, margin) in enumerate(ksic_and_margin) for c in range(copies)]
    return pd.DataFrame(rows)


def test_peer_adjustment_measures_a_firm_against_its_industry():
    """Hand case. Reference margins: division 10 (food) 0.02, 0.04, 0.06 (median 0.04);
    division 26 (electronics) 0.10, 0.12, 0.14 (median 0.12); overall median 0.08. The shifts
    are -0.04 and +0.04; a firm is scored on its margin less its division's shift, so every
    adjusted margin lies in 0.06...0.10 and the min-max score is (m - shift - 0.06) / 0.04 x 100.
    A food firm at 0.06 then scores as an electronics firm at 0.14 (both 100); a firm of a
    division not in the reference gets no shift."""
    reference = _margins([("10110", .02), ("10710", .04), ("10110", .06),
                          ("26110", .10), ("26290", .12), ("26110", .14)], copies=5)
    model = TechIndex(spec=_one_indicator_spec("ksic_division")).fit(reference)
    assert model.value_offsets_["10"] == pytest.approx([-0.04])
    assert model.value_offsets_["26"] == pytest.approx([0.04])
    assert model.goalposts_["operating_margin"] == pytest.approx((0.06, 0.10))
    firms = _margins([("10110", .06), ("26110", .14), ("26110", .10), ("10110", .05),
                      ("58221", .08)])
    scores = model.components(firms)["scores"][:, 0]
    assert scores == pytest.approx([100.0, 100.0, 0.0, 75.0, 50.0])
    plain = TechIndex(spec=_one_indicator_spec("none")).fit(reference)
    assert plain.value_offsets_ == {}
    assert plain.components(firms)["scores"][:, 0] == pytest.approx(
        [33.333333, 100.0, 66.666667, 25.0, 50.0])


def test_peer_adjustment_falls_back_to_the_section_and_keeps_monotonicity():
    """A division with too few reference firms takes its section's shift (C, manufacturing,
    here: divisions 10 and 11 together); raising a firm's margin never lowers its score."""
    reference = _margins([("10110", .02), ("11111", .04), ("10110", .06),
                          ("62010", .10), ("62010", .12), ("62021", .14)], copies=5)
    model = TechIndex(spec=_one_indicator_spec("ksic_division")).fit(reference)
    assert "10" not in model.value_offsets_ and "11" not in model.value_offsets_
    assert model.value_offsets_["C"] == pytest.approx([-0.04])
    assert model.value_offsets_["62"] == pytest.approx([0.04])
    low = model.components(_margins([("11111", .03)]))["scores"][0, 0]
    high = model.components(_margins([("11111", .035)]))["scores"][0, 0]
    assert high > low


def test_peer_shifts_survive_the_model_file(tmp_path):
    """The shifts are saved and loaded with the model (format version 2); a model without them
    stays version 1, so older readers of version-1 files are unaffected."""
    reference = _margins([("10110", .02), ("10710", .04), ("10110", .06),
                          ("26110", .10), ("26290", .12), ("26110", .14)], copies=5)
    model = TechIndex(spec=_one_indicator_spec("ksic_division")).fit(reference)
    model.save(tmp_path / "m.json")
    data = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))
    assert data["format_version"] == 2 and data["fitted"]["value_offsets"]["26"]
    loaded = TechIndex.load(tmp_path / "m.json")
    firms = _margins([("10110", .05), ("26290", .11)])
    assert np.array_equal(loaded.components(firms)["scores"], model.components(firms)["scores"])
    plain = TechIndex(spec=_one_indicator_spec("none")).fit(reference).to_dict()
    assert plain["format_version"] == 1 and "value_offsets" not in plain["fitted"]


def test_a_spec_or_data_that_rates_nobody_is_a_clear_error(panel):
    """A domain whose indicators all weigh 0, or data without the spec's fields, would leave
    no firm rated: fitting says so in one line instead of failing inside numpy."""
    spec = load_spec()
    for indicator in spec["indicators"]:
        if indicator["domain"] == "activity":
            indicator["weight"] = 0
    with pytest.raises(ValueError, match=r"domain 'activity': its indicators' weights sum to 0"):
        TechIndex(spec).fit(panel, reference_year=2023)
    strict = load_spec()
    strict["missing"]["min_coverage"] = 1.0  # every indicator needed...
    sparse = panel.copy()
    sparse["patents"] = sparse["patents"].where(sparse.index == sparse.index[-1])  # ...one has
    with pytest.raises(ValueError, match=r"reference year 2023: [01] firm-years rated"):
        TechIndex(strict).fit(sparse, reference_year=2023)


# ------------------------------------------------------------------ the estimator contract

def test_clone_gives_the_same_parameters_unfitted(model):
    """sklearn's clone works on an unfitted, a fitted and a loaded model: same parameters,
    no learned attribute."""
    for original in (TechIndex(), TechIndex(spec=load_spec(), reference_year=2022), model,
                     TechIndex.load()):
        copy = clone(original)
        assert copy.get_params() == original.get_params()
        assert not [a for a in vars(copy) if a.endswith("_")]
        with pytest.raises(NotFittedError):
            copy.to_dict()


def test_init_only_stores_and_fit_returns_self(panel):
    """__init__ neither loads nor checks (a broken spec fails at fit); fit returns self, and
    fit_transform is fit then transform."""
    broken = TechIndex(spec={"not": "a spec"}, reference_year=1900)
    assert broken.get_params() == {"spec": {"not": "a spec"}, "reference_year": 1900}
    fresh = TechIndex(reference_year=2023)
    assert fresh.fit(panel) is fresh
    pd.testing.assert_frame_equal(TechIndex(reference_year=2023).fit_transform(panel),
                                  fresh.transform(panel))


def test_fitting_twice_keeps_nothing_of_the_first_fit(panel):
    """A refit model equals a fresh fit: no rebasing history, no growth section of before."""
    twice = TechIndex().fit(panel, reference_year=2023)
    twice.growth_ = {"weights": "of another fit"}
    twice.fit(panel, reference_year=2021)
    fresh = TechIndex().fit(panel, reference_year=2021)
    assert twice.to_dict() == fresh.to_dict()
    assert sorted(vars(twice)) == sorted(vars(fresh))
    assert [h["year"] for h in twice.reference_["history"]] == [2021]


def test_the_base_year_is_given_by_name(panel):
    """fit(frame, 2023) would pass 2023 as scikit-learn's y: a TypeError says how to give it."""
    with pytest.raises(TypeError, match=r"fit\(frame, reference_year=\.\.\.\)"):
        TechIndex().fit(panel, 2023)


def test_rebasing_the_bundled_model_keeps_its_method_and_growth_section(panel):
    """A rebased growth-fitted model keeps its weights and growth section and records the old
    base before the new; the loaded model is unchanged."""
    bundled = TechIndex.load()
    before = bundled.sha256
    rebased = bundled.rebase(panel, reference_year=2023)
    assert bundled.sha256 == before
    assert rebased.spec_ == bundled.spec_ and rebased.growth_ == bundled.growth_
    assert [h["year"] for h in rebased.reference_["history"]] == [2024, 2023]
    assert rebased.get_params()["reference_year"] == 2023


def test_the_model_hash_is_the_hash_of_its_file(tmp_path, model):
    """sha256 of the bundled model is the sha256 of models/default.json; of a fitted model,
    that of the file save writes."""
    from ktop_index import _files
    from ktop_index.index.spec import model_path

    assert TechIndex.load().sha256 == _files.sha256_file(model_path("default.json"))
    model.save(tmp_path / "m.json")
    assert model.sha256 == _files.sha256_file(tmp_path / "m.json")


def test_a_model_file_that_is_not_one_is_a_spec_error(tmp_path):
    """Not JSON, not a model, a newer format or a missing section: a SpecError, one line."""
    from ktop_index.errors import SpecError

    path = tmp_path / "m.json"
    for text, message in [("{oops", "not a JSON model file"),
                          ('{"format": "other"}', "not a ktop_index model"),
                          ('{"format": "ktop_index.tech_index_model", "format_version": 9}',
                           "newer than this ktop_index reads"),
                          ('{"format": "ktop_index.tech_index_model", "spec": {}}',
                           "no 'reference' section")]:
        path.write_text(text, encoding="utf-8")
        with pytest.raises(SpecError, match=message):
            TechIndex.load(path)


# ------------------------------------------------------------------ scoring a file
