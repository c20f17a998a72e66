"""Tests of ktop_index.report.plots: every figure renders on the bundled data and on hand-made frames
of the agreed shapes (docs/reports.md), Korean text uses the packaged NanumGothic font with no
missing glyphs, and PNG bytes are reproducible."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib import font_manager

from ktop_index.errors import DataError, SpecError, UsageError
from ktop_index.index.spec import DOMAINS, GRADES
from ktop_index.index.techindex import TechIndex, score_firms
from ktop_index.report import plots

ROOT = Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------------------- hand-made inputs

def growth_model() -> dict:
    """A model dict with a ``growth`` section of the agreed shape, numbers made up by hand."""
    reliability = [{"bin": k, "predicted": p, "observed": o, "n": n} for k, (p, o, n) in
                   enumerate([(0.02, 0.03, 900), (0.06, 0.05, 700), (0.11, 0.13, 500),
                              (0.18, 0.16, 300), (0.30, 0.33, 120)])]
    rates = [{"grade": g, "n": n, "high_growth_rate": h, "sustainable_rate": s}
             for g, n, h, s in [("CCC", 400, 0.04, 0.20), ("B", 400, 0.06, 0.28),
                                ("BB", 400, 0.08, 0.33), ("BBB", 340, 0.11, 0.38),
                                ("A", 240, 0.15, 0.45), ("AA", 140, 0.20, 0.52),
                                ("AAA", 80, 0.27, 0.60)]]
    validation = {"high_growth": {"auc": 0.712, "auc_ci": [0.69, 0.735], "brier": 0.0812,
                                  "reliability": reliability},
                  "sustainable_growth": {"auc": 0.655, "auc_ci": [0.63, 0.68], "brier": 0.21,
                                         "reliability": reliability},
                  "grade_rates": rates}
    return {"growth": {"perspectives": {}, "combination": {}, "validation": validation}}


def trajectory_frame() -> pd.DataFrame:
    """A firm's trajectory of the agreed shape (track.firm_trajectory), from the sample panel."""
    panel = pd.read_parquet(ROOT / "data" / "sample_panel.parquet")
    firm = panel[panel["firm_id"] == panel["firm_id"].iloc[0]]
    return score_firms(firm).sort_values("year")


# ---------------------------------------------------------------------------- font

def test_korean_label_resolves_to_packaged_nanumgothic(jeju_scores):
    """A Korean label's font resolves to the NanumGothic file of koreanize-matplotlib."""
    fig = plots.radar(jeju_scores().iloc[0], industry=jeju_scores(), lang="ko")
    title = fig.axes[0].title
    assert "영역" in title.get_text()
    found = Path(font_manager.findfont(title.get_fontproperties(), fallback_to_default=False))
    assert found.name.startswith("NanumGothic")
    assert "koreanize_matplotlib" in str(found)


def test_korean_text_draws_without_missing_glyph_warnings(jeju_scores, selection_table):
    """Drawing every Korean figure emits no 'Glyph ... missing' warning."""
    scores = jeju_scores()
    figures = [plots.radar(scores.iloc[0], scores, scores.head(20), lang="ko"),
               plots.distribution(scores, mark=("㈜오름축산글로벌", 106.5), cutoff=104.0,
                                  lang="ko"),
               plots.selection(selection_table(), lang="ko", call="jeju_2025"),
               plots.grade_rates(growth_model(), lang="ko")]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for fig in figures:
            plots.png_bytes(fig, dpi=40)
    missing = [str(w.message) for w in caught if "missing" in str(w.message).lower()]
    assert missing == []


def test_missing_font_package_is_a_clear_error(monkeypatch):
    """Without koreanize-matplotlib the font lookup names the package to install."""
    plots.korean_font_file.cache_clear()
    monkeypatch.setattr(plots.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ImportError, match="koreanize-matplotlib"):
        plots.korean_font_file()
    plots.korean_font_file.cache_clear()


# ---------------------------------------------------------------------------- each figure

def _texts(fig) -> str:
    ax = fig.axes[0]
    legend = ax.get_legend() or (fig.legends[0] if fig.legends else None)
    parts = [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
    if legend is not None:
        parts += [t.get_text() for t in legend.get_texts()]
    return " | ".join(parts)


def test_radar_draws_firm_industry_and_selected(jeju_scores):
    """The radar has three series (firm, industry median, selected median) on four axes."""
    scores = jeju_scores()
    fig = plots.radar(scores.iloc[2], industry=scores, selected=scores.head(10))
    ax = fig.axes[0]
    assert len(ax.get_xticklabels()) == 4
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == ["industry median", "selected median", scores["firm_name"].iloc[2]]
    firm_line = ax.get_lines()[-1]
    expected = [scores[d].iloc[2] for d in DOMAINS]
    assert np.allclose(firm_line.get_ydata()[:4], expected)


def test_radar_industry_is_the_median(jeju_scores):
    """The industry series is the per-domain median of the frame given."""
    scores = jeju_scores()
    fig = plots.radar(scores.iloc[0], industry=scores)
    industry = fig.axes[0].get_lines()[0].get_ydata()[:4]
    assert np.allclose(industry, scores[list(DOMAINS)].median().to_numpy())


def test_trajectory_bands_follow_the_grade_cutoffs():
    """The grade bands are the model's cut-offs and every year is a tick."""
    frame = trajectory_frame()
    model = TechIndex.load()
    fig = plots.trajectory(frame, cutoffs=model.grade_cutoffs_, lang="ko")
    ax = fig.axes[0]
    band_lines = sorted(round(line.get_ydata()[0], 6) for line in ax.get_lines()
                        if len(set(line.get_ydata())) == 1 and line.get_xdata()[0] == 0)
    low, high = ax.get_ylim()
    inside = sorted(round(c, 6) for _, c in model.grade_cutoffs_ if low < c < high)
    assert band_lines == inside
    assert [t.get_text() for t in ax.get_xticklabels()] == [str(y) for y in frame["year"]]
    assert "연도" in ax.get_xlabel() and "기준 100" in ax.get_ylabel()


def test_distribution_marks_firm_and_cutoff(jeju_scores):
    """The histogram counts every rated firm and draws the cut-off and the firm's line."""
    scores = jeju_scores()
    fig = plots.distribution(scores, mark=("A firm", 101.4), cutoff=104.0)
    ax = fig.axes[0]
    heights = sum(p.get_height() for p in ax.patches)
    assert heights == scores["tech_index"].notna().sum()
    xs = sorted(line.get_xdata()[0] for line in ax.get_lines())
    assert xs == [101.4, 104.0]
    assert "cut-off 104.0" in _texts(fig) and "A firm (101.4)" in _texts(fig)


def test_by_industry_orders_divisions_by_median_and_names_them():
    """Divisions with enough firms appear, ordered by median, with KSIC names and counts."""
    panel = pd.read_parquet(ROOT / "data" / "sample_panel.parquet")
    scores = score_firms(panel[panel["year"] == 2024])
    fig = plots.by_industry(scores, lang="ko", min_firms=30, top=100)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    scores = scores[scores["tech_index"].notna()]
    division = scores["ksic"].str[:2]
    counts = division.value_counts()
    big = counts[counts >= 30].index
    medians = scores[division.isin(big)].groupby(division)["tech_index"].median().sort_values()
    assert [label[:2] for label in labels] == medians.index.tolist()
    assert all(f"(n={counts[label[:2]]})" in label for label in labels)


def test_by_year_has_a_box_per_year():
    """One box per year of the panel, the reference mean line at 100."""
    panel = pd.read_parquet(ROOT / "data" / "sample_panel.parquet")
    sample = panel[panel["firm_id"].isin(panel["firm_id"].unique()[:300])]
    fig = plots.by_year(score_firms(sample))
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert ticks == [str(y) for y in range(2014, 2025)]
    assert "reference mean (100)" in _texts(fig)


def test_selection_plot_counts_statuses_and_draws_budget_line(selection_table):
    """Each status is in the legend with its count; the budget line sits after the last
    selected rank; ineligible applicants are counted in a note."""
    table = selection_table(n_selected=20, n_waitlist=8, n_ineligible=12)
    fig = plots.selection(table, call="jeju_2025")
    text = _texts(fig)
    assert "selected (20)" in text and "waitlist (8)" in text
    assert f"not selected ({150 - 12 - 28})" in text
    assert "budget line (last funded rank 20)" in text
    ax = fig.axes[0]
    assert any(line.get_xdata()[0] == 20.5 for line in ax.get_lines() if len(line.get_xdata()))
    assert any("12 ineligible" in t.get_text() for t in ax.texts)


def test_calibration_plot_uses_the_reliability_bins():
    """The reliability points are the model file's bins; AUC and Brier are printed."""
    model = growth_model()
    fig = plots.calibration(model)
    ax = fig.axes[0]
    offsets = ax.collections[0].get_offsets()
    bins = model["growth"]["validation"]["high_growth"]["reliability"]
    assert np.allclose(offsets, [[b["predicted"], b["observed"]] for b in bins])
    assert "AUC 0.712 [0.690, 0.735]" in ax.texts[0].get_text()


def test_grade_rates_plot_in_grade_order_with_percentages():
    """Bars run from AAA to CCC and their heights are the rates in percent."""
    fig = plots.grade_rates(growth_model(), lang="en")
    ax = fig.axes[0]
    ticks = [t.get_text().split("\n")[0] for t in ax.get_xticklabels()]
    assert ticks == list(GRADES)
    heights = [p.get_height() for p in ax.patches[:7]]
    assert np.allclose(heights, [27, 20, 15, 11, 8, 6, 4])


def test_grade_rates_skip_empty_grades_and_show_missing_rates():
    """A grade with no test firms (NR) is left out; a rate of None is drawn as '-'."""
    model = growth_model()
    rates = model["growth"]["validation"]["grade_rates"]
    rates.append({"grade": "NR", "n": 0, "high_growth_rate": None, "sustainable_rate": None})
    rates[0]["sustainable_rate"] = None  # CCC
    fig = plots.grade_rates(model)
    ax = fig.axes[0]
    assert [t.get_text().split("\n")[0] for t in ax.get_xticklabels()] == list(GRADES)
    labels = [t.get_text() for t in ax.texts]
    assert labels.count("-") == 1


def test_growth_plots_on_a_fitted_growth_model(tmp_path):
    """The calibration and grade-rate figures read a model file the growth module writes."""
    from ktop_index.growth import model as growth
    panel = pd.read_parquet(ROOT / "data" / "sample_panel.parquet")
    panel = panel[panel["firm_id"].isin(panel["firm_id"].unique()[:800])]
    growth.GrowthModel(n_bootstrap=5, n_refits=2).fit(panel).save(tmp_path / "m.json")
    for perspective in ("high_growth", "sustainable_growth"):
        fig = plots.calibration(tmp_path / "m.json", perspective=perspective, lang="ko")
        assert len(fig.axes[0].collections[0].get_offsets()) > 0
    fig = plots.grade_rates(str(tmp_path / "m.json"), lang="ko")
    assert len(fig.axes[0].get_xticklabels()) >= 5
    plots.png_bytes(fig, dpi=40)


def test_growth_section_missing_is_a_clear_error():
    """A model without growth validation is rejected with a message saying so."""
    with pytest.raises(SpecError, match="no growth validation"):
        plots.calibration({"spec": {}})


def test_every_figure_has_title_and_axis_labels(jeju_scores, selection_table):
    """Title and both axis labels are non-empty on every Cartesian figure, both languages."""
    scores = jeju_scores()
    for lang in ("en", "ko"):
        figures = [plots.trajectory(trajectory_frame(), lang=lang),
                   plots.distribution(scores, lang=lang),
                   plots.by_industry(scores, lang=lang, min_firms=3),
                   plots.by_year(trajectory_frame(), lang=lang),
                   plots.selection(selection_table(), lang=lang),
                   plots.calibration(growth_model(), lang=lang),
                   plots.grade_rates(growth_model(), lang=lang)]
        for fig in figures:
            ax = fig.axes[0]
            assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()


def test_png_bytes_are_reproducible(jeju_scores, tmp_path):
    """The same figure drawn twice gives identical PNG bytes, with no Software tag."""
    first = plots.png_bytes(plots.distribution(jeju_scores(), cutoff=104.0))
    second = plots.png_bytes(plots.distribution(jeju_scores(), cutoff=104.0))
    assert first == second and first.startswith(b"\x89PNG")
    assert b"Software" not in first and b"matplotlib" not in first
    plots.save_png(plots.distribution(jeju_scores()), tmp_path / "d.png")
    assert (tmp_path / "d.png").read_bytes().startswith(b"\x89PNG")


# ---------------------------------------------------------------------------- tracking

def effect_table() -> pd.DataFrame:
    """A support_effect-like table: three outcomes, the whole period and each year."""
    rows = []
    for outcome, base in (("tech_index", 1.5), ("revenue", 800_000.0), ("employees", 2.0)):
        for k, horizon in enumerate(["2025", "2026", "2027", "2025-2027"]):
            did = base * (1 + 0.1 * k)
            rows.append({"outcome": outcome, "horizon": horizon, "did": did,
                         "ci_low": did - base / 2, "ci_high": did + base})
    return pd.DataFrame(rows)


def test_support_effect_plot_draws_each_horizon_with_its_interval_and_truth():
    """One panel per outcome; the whole period first, then each year; the error bars span
    the table's interval; the truth is a cross at its value; labels in both languages."""
    effect = effect_table()
    truth = pd.DataFrame({"tech_index": [1.5, 1.6, 1.7, 1.4]},  # in another order
                         index=["2025", "2026", "2027", "2025-2027"])
    for lang in ("en", "ko"):
        fig = plots.support_effect(effect, truth, lang=lang)
        axes = fig.axes
        assert len(axes) == 3
        assert all(ax.get_title() and ax.get_xlabel() and ax.get_ylabel() for ax in axes)
        assert fig.legends and fig.get_suptitle()
    revenue = fig.axes[1]
    assert [t.get_text() for t in revenue.get_xticklabels()] == ["전체\n2025-2027", "2025",
                                                                 "2026", "2027"]
    points = revenue.lines[0].get_ydata()  # the estimates, in the drawn order
    assert np.allclose(points, [800_000 * 1.3, 800_000, 880_000, 960_000])
    bars = revenue.collections[0].get_segments()  # one vertical segment per horizon
    assert np.allclose([seg[0][1] for seg in bars], np.array(points) - 400_000)
    assert np.allclose([seg[1][1] for seg in bars], np.array(points) + 800_000)
    crosses = [line for line in fig.axes[0].lines if line.get_marker() == "x"]
    assert len(crosses) == 1 and np.allclose(crosses[0].get_ydata(), [1.4, 1.5, 1.6, 1.7])
    assert not [line for line in revenue.lines if line.get_marker() == "x"]  # no truth given


def test_support_effect_plot_needs_known_outcomes():
    """A table without the three outcomes is a clear error naming what it has."""
    with pytest.raises(DataError, match="have outcomes: sales"):
        plots.support_effect(effect_table().assign(outcome="sales"))


def test_the_grades_and_domains_are_the_specs():
    """The figures draw the spec's grade scale (AAA best ... CCC, the bundled spec's seven
    grades) and its four domains, the one home of both."""
    assert plots.GRADE_ORDER == GRADES == ("AAA", "AA", "A", "BBB", "BB", "B", "CCC")
    assert set(plots.TEXT["ko"]) >= set(DOMAINS)


def test_unknown_language_and_missing_column_are_named():
    """A language other than en/ko is wrong usage; a frame without the column drawn is a
    DataError naming the column and those present."""
    with pytest.raises(UsageError, match="lang must be 'en' or 'ko', got 'de'"):
        plots.by_year(pd.DataFrame({"year": [2024], "tech_index": [100.0]}), lang="de")
    with pytest.raises(DataError, match="expected a column 'tech_index' \\(have: year\\)"):
        plots.by_year(pd.DataFrame({"year": [2024]}))


def test_save_png_writes_the_png_bytes_atomically(tmp_path):
    """save_png writes exactly png_bytes' bytes, as an ordinary file, nothing left beside it."""
    import os

    fig = plots.by_year(pd.DataFrame({"year": [2023, 2024], "tech_index": [99.0, 101.0]}))
    mask = os.umask(0o022)
    try:
        plots.save_png(fig, tmp_path / "y.png")
    finally:
        os.umask(mask)
    assert (tmp_path / "y.png").read_bytes() == plots.png_bytes(fig)
    assert (tmp_path / "y.png").stat().st_mode & 0o777 == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["y.png"]
