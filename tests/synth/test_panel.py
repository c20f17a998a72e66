"""Tests of ktop_index.synth: the synthetic firm panel and its known truth."""

from __future__ import annotations

import os
import stat
from importlib import resources

import numpy as np
import pandas as pd
import pytest

from ktop_index import synth
from ktop_index.data.brn import is_valid_brn, taxpayer_type
from ktop_index.errors import SpecError
from ktop_index.synth import panel as panel_mod
from ktop_index.synth import world

YEARS = (2014, 2024)
HG_3Y = 3 * np.log(1.2)  # OECD-Eurostat: > 20 % a year, annualised over 3 years


@pytest.fixture(scope="module")
def sp():
    return synth.generate(n_firms=2000, years=YEARS, seed=11)


@pytest.fixture(scope="module")
def panel(sp):
    return sp.panel


@pytest.fixture(scope="module")
def growth(sp):
    """Panel-derived 3-year-forward revenue growth joined with the truth capability."""
    p = sp.panel[["firm_id", "year", "revenue"]]
    ahead = p.assign(year=p["year"] - 3).rename(columns={"revenue": "revenue_3y"})
    g = p.merge(ahead, on=["firm_id", "year"], how="left")
    g = g.join(sp.truth[["capability", "alive_next_year"]])
    g["g3"] = np.log(g["revenue_3y"] / g["revenue"])
    return g


@pytest.fixture(scope="module")
def subclasses():
    path = resources.files("ktop_index") / "reference" / "ksic11_codes.csv"
    with path.open(encoding="utf-8") as fh:
        ref = pd.read_csv(fh, dtype=str)
    return set(ref.loc[ref["level"] == "subclass", "code"])


# ---- determinism ------------------------------------------------------------------------


def test_same_seed_gives_identical_frames():
    """The same seed gives identical panel and truth frames."""
    a = synth.generate(n_firms=500, years=(2018, 2024), seed=3)
    b = synth.generate(n_firms=500, years=(2018, 2024), seed=3)
    pd.testing.assert_frame_equal(a.panel, b.panel)
    pd.testing.assert_frame_equal(a.truth, b.truth)


def test_different_seed_gives_different_panel():
    """A different seed gives a different panel."""
    a = synth.generate_panel(n_firms=500, years=(2018, 2024), seed=3)
    b = synth.generate_panel(n_firms=500, years=(2018, 2024), seed=4)
    assert not a.equals(b)
    assert set(a["brn"]) != set(b["brn"])
    assert a["revenue"].sum() != b["revenue"].sum()


def test_write_is_byte_deterministic_and_atomic(tmp_path):
    """write() gives byte-identical Parquet files for the same seed and leaves no temp files."""
    d1, d2 = tmp_path / "a", tmp_path / "b"
    paths = synth.write(d1, n_firms=400, years=(2019, 2024), seed=9)
    synth.write(d2, n_firms=400, years=(2019, 2024), seed=9)
    for name in ("panel.parquet", "truth.parquet"):
        assert (d1 / name).read_bytes() == (d2 / name).read_bytes()
    assert sorted(p.name for p in d1.iterdir()) == ["panel.parquet", "truth.parquet"]
    expected = synth.generate(n_firms=400, years=(2019, 2024), seed=9)
    pd.testing.assert_frame_equal(pd.read_parquet(paths["panel"]), expected.panel)
    pd.testing.assert_frame_equal(pd.read_parquet(paths["truth"]), expected.truth)


def test_wrappers_return_the_parts_of_generate():
    """generate_panel and generate_truth are the .panel and .truth of generate."""
    sp_ = synth.generate(n_firms=300, years=(2020, 2024), seed=2)
    pd.testing.assert_frame_equal(synth.generate_panel(300, (2020, 2024), 2), sp_.panel)
    pd.testing.assert_frame_equal(synth.generate_truth(300, (2020, 2024), 2), sp_.truth)


def test_bad_arguments_are_rejected():
    """Reversed years, a non-positive firm count and all-zero region weights are SpecErrors."""
    with pytest.raises(SpecError, match="years"):
        synth.generate(n_firms=10, years=(2024, 2014))
    with pytest.raises(SpecError, match="n_firms"):
        synth.generate(n_firms=0)
    with pytest.raises(SpecError, match="region_weights"):
        synth.generate(n_firms=10, region_weights={"제주특별자치도": 0.0})


# ---- contract ---------------------------------------------------------------------------


def test_columns_order_dtypes_and_sorting(panel):
    """Columns are the contract's, in order, with stable dtypes; rows sorted by firm_id, year."""
    assert tuple(panel.columns) == synth.PANEL_COLUMNS
    for c in ("firm_id", "brn", "firm_name", "ksic", "region"):
        assert pd.api.types.is_string_dtype(panel[c]) and not pd.api.types.is_object_dtype(panel[c])
    for c in (
        "year",
        "founded",
        "firm_age",
        "employees",
        "rnd_org",
        "certifications",
        "patents",
        "ip_filings",
        "rnd_projects",
        "commercialized",
    ):
        assert panel[c].dtype == np.int64, c
    assert panel["rnd_staff"].dtype == "Int64"
    for c in (
        "ceo_industry_years",
        "revenue",
        "operating_profit",
        "net_income",
        "total_assets",
        "total_equity",
        "rnd_expense",
        "salaries",
        "export_revenue",
    ):
        assert panel[c].dtype == np.float64, c
    keys = panel[["firm_id", "year"]]
    assert not keys.duplicated().any()
    assert keys.equals(keys.sort_values(["firm_id", "year"]).reset_index(drop=True))
    assert panel["firm_id"].str.fullmatch(r"F\d{6}").all()


def test_truth_has_one_row_per_panel_row(sp):
    """The truth rows line up with the panel rows (same firm_id and year, same order)."""
    assert tuple(sp.truth.columns) == synth.TRUTH_COLUMNS
    assert sp.truth["firm_id"].equals(sp.panel["firm_id"])
    assert sp.truth["year"].equals(sp.panel["year"])


# ---- plausible distributions ------------------------------------------------------------


def test_size_is_heavy_tailed(panel):
    """Employees and revenue are heavy-tailed: mean well above median, medians in range."""
    emp, rev = panel["employees"], panel["revenue"]
    assert 6 <= emp.median() <= 14
    assert emp.mean() > 1.5 * emp.median()
    assert emp.max() >= 200
    assert 3e5 <= rev.median() <= 2e6  # 천원: 0.3 to 2 billion KRW
    assert rev.mean() > 1.5 * rev.median()


def test_patents_are_zero_inflated_for_small_firms(panel):
    """Most firms with fewer than 10 employees hold no registered patent."""
    small = panel["employees"] < 10
    assert (panel.loc[small, "patents"] == 0).mean() > 0.6
    assert panel["patents"].max() > 20


def test_field_ranges_and_accounting_constraints(panel):
    """Counts are in range, rnd_staff <= employees, export <= revenue, money in whole 천원."""
    assert (panel["rnd_staff"].dropna() <= panel.loc[panel["rnd_staff"].notna(), "employees"]).all()
    ok = panel["export_revenue"].notna() & panel["revenue"].notna()
    assert (panel.loc[ok, "export_revenue"] <= panel.loc[ok, "revenue"]).all()
    assert panel["rnd_org"].isin([0, 1, 2]).all()
    assert panel["certifications"].between(0, 4).all()
    for c in ("employees", "patents", "ip_filings", "rnd_projects", "commercialized"):
        assert (panel[c] >= 0).all(), c
    for c in ("revenue", "total_assets", "rnd_expense", "salaries", "export_revenue"):
        assert (panel[c].dropna() >= 0).all(), c
    assert (panel["ceo_industry_years"].dropna() >= 0).all()
    for c in (
        "revenue",
        "operating_profit",
        "net_income",
        "total_assets",
        "total_equity",
        "rnd_expense",
        "salaries",
        "export_revenue",
    ):
        v = panel[c].dropna()
        assert (v == np.round(v)).all(), c
    # losses and capital impairment exist, but are a minority
    assert 0.1 < (panel["operating_profit"] < 0).mean() < 0.45
    assert 0.005 < (panel["total_equity"] <= 0).mean() < 0.08
    # salaries per head in 3e4-6e4 천원 (30-60 M KRW) for the middle of the distribution
    per_head = (panel["salaries"] / panel["employees"].where(panel["employees"] > 0)).dropna()
    assert 3e4 <= per_head.median() <= 6e4


def test_brns_are_valid_and_unique_per_firm(panel):
    """Every BRN has a valid check digit; one BRN per firm and one firm per BRN."""
    firms = panel.groupby("firm_id")["brn"].agg(["nunique", "first"])
    assert (firms["nunique"] == 1).all()
    assert firms["first"].is_unique
    assert all(is_valid_brn(b) for b in firms["first"])
    assert panel["brn"].str.fullmatch(r"\d{3}-\d{2}-\d{5}").all()
    types = firms["first"].map(taxpayer_type).value_counts(normalize=True)
    assert set(types.index) == {"corporation", "individual"}
    assert types["corporation"] > 0.6


def test_firm_names_are_unique_and_korean(panel):
    """Firm names are unique per firm and written in Hangul."""
    names = panel.groupby("firm_id")["firm_name"].agg(["nunique", "first"])
    assert (names["nunique"] == 1).all()
    assert names["first"].is_unique
    assert names["first"].str.contains(r"[가-힣]").all()


def test_ksic_codes_exist_in_the_reference(panel, subclasses):
    """Every KSIC code (in the panel and in the generator's tables) is a KSIC-11 subclass."""
    assert set(panel["ksic"]) <= subclasses
    table_codes = {c for row in world.INDUSTRIES for c in row[world.SUBCLASSES]}
    assert table_codes <= subclasses
    assert {c for m in world.SUB_MULT.values() for c in m} <= table_codes


def test_industry_mix_looks_like_korean_smes(panel):
    """Manufacturing and wholesale/retail dominate; food, cosmetics, tourism and ICT are present."""
    div = panel.groupby("firm_id")["ksic"].first().str[:2]
    manufacturing = div.astype(int).between(10, 34).mean()
    assert 0.3 < manufacturing < 0.6
    assert div.isin(["46", "47"]).mean() > 0.1
    ksic = panel["ksic"]
    for prefix in ("10", "11", "20423", "55", "56", "62", "63", "752"):
        assert ksic.str.startswith(prefix).any(), prefix


def test_regions_cover_korea_with_jeju_and_sejong(panel):
    """All 17 시도 appear; Jeju-si, Seogwipo-si and Sejong are present in sufficient numbers."""
    region = panel.groupby("firm_id")["region"].first()
    sido = region.str.split(" ").str[0]
    assert sido.nunique() == 17
    assert (region == "제주특별자치도 제주시").any() and (region == "제주특별자치도 서귀포시").any()
    assert (sido == "제주특별자치도").mean() >= 0.03
    assert (region == "세종특별자치시").mean() >= 0.015
    assert sido.value_counts().index[:2].tolist() in (
        ["경기도", "서울특별시"],
        ["서울특별시", "경기도"],
    )
    two_part = region[sido != "세종특별자치시"].str.fullmatch(r"\S+ \S+")
    assert two_part.all()


def test_jeju_and_sejong_industry_skews():
    """Jeju has more food, drink, lodging and travel firms; Sejong more food and electronics."""
    weights = {
        "제주특별자치도": 1.0,
        "세종특별자치시": 1.0,
        "서울특별시": 1.0,
        "경기도": 1.0,
        "부산광역시": 1.0,
    }
    sp_ = synth.generate(n_firms=2500, years=(2022, 2024), seed=5, region_weights=weights)
    firms = sp_.panel.groupby("firm_id")[["ksic", "region"]].first()
    div = firms["ksic"].str[:2]
    jeju = firms["region"].str.startswith("제주특별자치도")
    sejong = firms["region"] == "세종특별자치시"
    rest = ~jeju & ~sejong
    jeju_mix = div.isin(["10", "11", "55", "75"])
    assert jeju_mix[jeju].mean() > 2 * jeju_mix[rest].mean()
    sejong_mix = div.isin(["10", "26"])
    assert sejong_mix[sejong].mean() > 1.5 * sejong_mix[rest].mean()


def test_industry_shifts_rnd_propensity(panel):
    """R&D-heavy industries (C21, C26, J62/J63) have more R&D staff and labs than I55/I56."""
    div = panel["ksic"].str[:2]
    share = panel["rnd_staff"].astype(float) / panel["employees"].clip(lower=1)
    high, low = div.isin(["21", "26", "62", "63"]), div.isin(["55", "56"])
    assert share[high].mean() > 3 * share[low].mean()
    assert (panel.loc[high, "rnd_org"] > 0).mean() > 2 * (panel.loc[low, "rnd_org"] > 0).mean()


def test_missing_rates_near_targets(panel):
    """Missing shares are near the documented rates (within ~4 sd); registry counts never miss."""
    for c, rate in synth.MISSING_RATES.items():
        assert abs(panel[c].isna().mean() - rate) < 0.006 + 0.15 * rate, c
    other = [c for c in synth.PANEL_COLUMNS if c not in synth.MISSING_RATES]
    assert not panel[other].isna().any().any()


def test_missingness_does_not_depend_on_the_outcome():
    """Rows with a missing field have the same capability and later growth as complete rows."""
    sp_ = synth.generate(
        n_firms=20000, years=(2022, 2024), seed=7
    )  # many firms: clustered missingness
    t = sp_.truth
    for c in ("rnd_expense", "export_revenue", "ceo_industry_years", "salaries"):
        miss = sp_.panel[c].isna()
        assert abs(t.loc[miss, "capability"].mean() - t.loc[~miss, "capability"].mean()) < 0.08, c
        g = t["revenue_growth_3y"]
        assert abs(g[miss].mean() - g[~miss].mean()) < 0.03, c


def test_firm_age_is_year_minus_founded(panel):
    """firm_age == year - founded and founded <= year."""
    assert (panel["firm_age"] == panel["year"] - panel["founded"]).all()
    assert (panel["founded"] <= panel["year"]).all()
    assert (panel["firm_age"] <= 3).mean() > 0.05  # some young firms


def test_fields_evolve_slowly(panel):
    """Year to year, log revenue is highly correlated and the R&D organisation rarely changes."""
    p = panel[["firm_id", "year", "revenue", "rnd_org", "ceo_industry_years"]]
    prev = p.assign(year=p["year"] + 1)
    m = p.merge(prev, on=["firm_id", "year"], suffixes=("", "_prev"))
    assert np.log(m["revenue"]).corr(np.log(m["revenue_prev"])) > 0.9
    assert (m["rnd_org"] == m["rnd_org_prev"]).mean() > 0.8
    d = (m["ceo_industry_years"] - m["ceo_industry_years_prev"]).dropna()
    assert (d == 1).mean() > 0.9


# ---- entry and exit ---------------------------------------------------------------------


def test_entry_and_exit_without_gaps(panel):
    """Some firms enter after the first year, some exit before the last; no gaps inside a firm."""
    f = panel.groupby("firm_id")["year"].agg(["min", "max", "size"])
    assert (f["min"] > YEARS[0]).mean() > 0.1
    assert (f["max"] < YEARS[1]).mean() > 0.1
    assert (f["size"] == f["max"] - f["min"] + 1).all()
    entrants = panel.groupby("firm_id").first()
    entrants = entrants[entrants["year"] > YEARS[0]]
    assert (entrants["founded"] == entrants["year"]).all()  # entrants appear in their founding year


def test_alive_next_year_matches_the_panel(sp):
    """Inside the panel, alive_next_year is True exactly when the firm has a row next year."""
    p = sp.panel[["firm_id", "year"]]
    has_next = p.merge(p.assign(year=p["year"] - 1, nxt=True), on=["firm_id", "year"], how="left")[
        "nxt"
    ]
    inside = (p["year"] < YEARS[1]).to_numpy()
    assert np.array_equal(
        sp.truth["alive_next_year"].to_numpy()[inside], has_next.notna().to_numpy()[inside]
    )


# ---- the truth drives later growth ------------------------------------------------------


def test_capability_is_the_documented_weighted_sum(sp):
    """capability = sum of TRUE_GROWTH_WEIGHTS x domain factors; the weights differ and sum to 1."""
    w = synth.TRUE_GROWTH_WEIGHTS
    assert set(w) == set(synth.DOMAINS) and abs(sum(w.values()) - 1) < 1e-12
    assert len(set(w.values())) > 1 and max(w, key=w.get) == "input"
    expected = sum(w[d] * sp.truth[d] for d in synth.DOMAINS)
    np.testing.assert_allclose(sp.truth["capability"], expected, atol=1e-12)
    corr = np.corrcoef(sp.truth[list(synth.DOMAINS)].to_numpy().T)
    off = corr[~np.eye(4, dtype=bool)]
    assert (off > 0.2).all() and (off < 0.8).all()  # correlated through a common factor


def test_truth_growth_matches_panel_growth(sp, growth):
    """The truth's 3-year revenue growth equals the growth computed from the panel itself."""
    both = growth["g3"].notna()
    np.testing.assert_allclose(
        sp.truth.loc[both, "revenue_growth_3y"], growth.loc[both, "g3"], rtol=1e-12
    )


def test_capability_predicts_three_year_growth(growth):
    """3-year-forward revenue growth from the panel has Spearman > 0.3 with the truth capability."""
    g = growth.dropna(subset=["g3"])
    assert g["capability"].corr(g["g3"], method="spearman") > 0.3


def test_high_growth_concentrates_in_top_capability_quintile(growth):
    """High growth (>20 %/yr over 3 years) is 5-20 % overall and far likelier at the top."""
    g = growth.dropna(subset=["g3"]).copy()
    hg = g["g3"] > HG_3Y
    assert 0.05 <= hg.mean() <= 0.20
    q = pd.qcut(g["capability"], 5, labels=False)
    rate = hg.groupby(q).mean()
    assert rate[4] > 4 * rate[0]
    assert rate[4] > rate[2] > rate[0]


def test_survival_is_higher_for_high_capability(growth):
    """Yearly exit is several times likelier in the bottom capability quintile than in the top."""
    g = growth[growth["year"] < YEARS[1]]
    exit_ = ~g["alive_next_year"]
    assert 0.02 < exit_.mean() < 0.10
    rate = exit_.groupby(pd.qcut(g["capability"], 5, labels=False)).mean()
    assert rate[0] > 3 * rate[4]


def test_capital_impairment_is_likelier_for_low_capability(sp):
    """Capital impairment (total_equity <= 0) is far likelier in the bottom capability quintile."""
    ok = sp.panel["total_equity"].notna()
    impaired = (sp.panel.loc[ok, "total_equity"] <= 0).to_numpy()
    q = pd.qcut(sp.truth.loc[ok, "capability"], 5, labels=False).to_numpy()
    assert impaired[q == 0].mean() > 3 * impaired[q == 4].mean()


def test_null_world_has_no_capability_growth_link():
    """With the capability effects set to zero, capability no longer predicts growth."""
    params = synth.GenerativeParams(beta_revenue=0.0, beta_employment=0.0, exit_capability=0.0)
    sp0 = synth.generate(n_firms=2000, years=YEARS, seed=11, params=params)
    t = sp0.truth.dropna(subset=["revenue_growth_3y"])
    assert abs(t["capability"].corr(t["revenue_growth_3y"], method="spearman")) < 0.1


# ---- writing ----------------------------------------------------------------------------


def test_write_gives_ordinary_permissions_and_leaves_no_temporary_file(tmp_path):
    """Under a 0022 umask the Parquet files are readable by group and others (not mkstemp's
    0600), and the folder holds only the two files."""
    old = os.umask(0o022)
    try:
        paths = synth.write(tmp_path / "out", n_firms=50, years=(2023, 2024), seed=1)
    finally:
        os.umask(old)
    for path in paths.values():
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o044 == 0o044 and mode & 0o022 == 0, oct(mode)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "panel.parquet",
        "truth.parquet",
    ]


# ---- the steps of the simulation --------------------------------------------------------

N_STEP = 20_000  # firms in the step tests: enough for sampling error of about 0.01


def test_founding_years_put_entrants_inside_the_panel_and_incumbents_before_it():
    """Entrants (about entrant_share) are founded after the first panel year and by the last;
    incumbents at most 45 years before the first year; a one-year panel has no entrants."""
    params = synth.GenerativeParams()
    founded = panel_mod._draw_founding_years(np.random.default_rng(0), N_STEP, (2014, 2024), params)
    entrant = founded > 2014
    assert abs(entrant.mean() - params.entrant_share) < 0.02
    assert founded.max() <= 2024 and founded.min() >= 2014 - 45
    age0 = 2014 - founded[~entrant]
    assert (
        abs(age0.mean() - (params.mean_age_at_start - 0.5)) < 0.4
    )  # floor of an exponential, capped
    one_year = panel_mod._draw_founding_years(np.random.default_rng(0), 500, (2020, 2020), params)
    assert (one_year <= 2020).all()


def test_latent_domains_correlate_at_the_common_share_and_sum_to_the_capability():
    """Two domain levels correlate at factor_common_share; cap_level = levels @ weights; CEO
    priors are within 0-30 years and founders' tenures within 15-35."""
    params = synth.GenerativeParams(factor_common_share=0.3)
    lat = panel_mod._draw_latent(np.random.default_rng(1), N_STEP, params)
    corr = np.corrcoef(lat.eta.T)[~np.eye(4, dtype=bool)]
    assert np.abs(corr - 0.3).max() < 0.04
    assert np.allclose(lat.eta.std(axis=0), 1.0, atol=0.03)
    w = np.array([synth.TRUE_GROWTH_WEIGHTS[d] for d in synth.DOMAINS])
    np.testing.assert_allclose(lat.cap_level, lat.eta @ w, rtol=1e-12)
    assert lat.ceo_prior.min() >= 0 and lat.ceo_prior.max() <= 30
    assert lat.founder_tenure.min() >= 15 and lat.founder_tenure.max() <= 35


def test_factor_deviation_is_a_stationary_ar1():
    """A step of the deviation keeps its sd at ar_sd and correlates ar_phi with the last."""
    params = synth.GenerativeParams()
    a = np.random.default_rng(2).standard_normal((N_STEP, 4)) * params.ar_sd
    b = panel_mod._next_deviation(np.random.default_rng(3), a, params)
    assert np.allclose(b.std(axis=0), params.ar_sd, rtol=0.03)
    r = [np.corrcoef(a[:, d], b[:, d])[0, 1] for d in range(4)]
    assert np.allclose(r, params.ar_phi, atol=0.02)


def test_rnd_organisation_levels_follow_size_and_infrastructure():
    """R&D organisation is 0, 1 or 2; none without employees, at most a department below 3
    employees; a higher infrastructure factor never lowers it."""
    rng = np.random.default_rng(4)
    fI, r_ind, Lc, noise = (rng.standard_normal(N_STEP) for _ in range(4))
    emp = rng.integers(0, 40, N_STEP)
    org = panel_mod._rnd_org(fI, r_ind, Lc, emp, noise)
    assert set(np.unique(org)) == {0, 1, 2}
    assert (org[emp == 0] == 0).all() and (org[emp < 3] <= 1).all()
    assert (panel_mod._rnd_org(fI + 0.5, r_ind, Lc, emp, noise) >= org).all()


def test_certifications_are_between_0_and_4_and_rise_with_infrastructure():
    """0-4 certifications, never fewer with a higher infrastructure factor."""
    rng = np.random.default_rng(5)
    fI, fA, r_ind, Lc = (rng.standard_normal(N_STEP) for _ in range(4))
    u = rng.random((N_STEP, 4))
    cert = panel_mod._certifications(fI, fA, r_ind, Lc, u)
    assert cert.min() == 0 and cert.max() == 4
    assert (panel_mod._certifications(fI + 1.0, fA, r_ind, Lc, u) >= cert).all()


def test_ceo_experience_grows_one_year_a_year_until_the_successor():
    """A founder's years in the industry rise by exactly one per year of firm age (0.1-year
    steps, at most 50); the successor starts again from own prior years."""
    lat = panel_mod._draw_latent(np.random.default_rng(6), 2000, synth.GenerativeParams())
    young = panel_mod._ceo_experience(np.full(2000, 3.0), lat)
    older = panel_mod._ceo_experience(np.full(2000, 4.0), lat)
    np.testing.assert_allclose(older - young, 1.0, atol=1e-9)
    assert np.allclose(young * 10, np.round(young * 10))
    late = panel_mod._ceo_experience(np.full(2000, 60.0), lat)
    expected = np.minimum(lat.successor_prior + 60 - np.floor(lat.founder_tenure), 50)
    np.testing.assert_allclose(late, np.round(expected, 1))


def test_rnd_staff_never_exceeds_employees_and_fills_the_organisation():
    """0 <= R&D staff <= employees; a department has at least 1, an institute at least 2."""
    rng = np.random.default_rng(7)
    emp = rng.integers(0, 200, N_STEP)
    org = np.where(emp == 0, 0, rng.integers(0, 3, N_STEP))
    lat = panel_mod._draw_latent(rng, N_STEP, synth.GenerativeParams())
    staff = panel_mod._rnd_staff(
        rng.standard_normal(N_STEP), rng.standard_normal(N_STEP), emp, org, lat
    )
    assert (staff >= 0).all() and (staff <= emp).all()
    assert (staff[org >= 1] >= np.minimum(1, emp[org >= 1])).all()
    assert (staff[org == 2] >= np.minimum(2, emp[org == 2])).all()


def test_three_year_counts_sum_this_year_and_the_two_before_since_founding():
    """The windowed counts equal a hand sum of the yearly flows of the last 3 years, counting
    only years from the founding year on."""
    sim_years = np.arange(2010, 2016)
    state = panel_mod._start_state(
        np.random.default_rng(0), 2, sim_years.size, synth.GenerativeParams()
    )
    state.filings[:] = [[1, 2, 3, 4, 5, 6], [10, 20, 30, 40, 50, 60]]
    founded = np.array([2000, 2013])  # the second firm's window starts in 2013
    ip3, pr3, _ = panel_mod._three_year_counts(state, 4, sim_years, founded)  # year 2014
    assert ip3.tolist() == [3 + 4 + 5, 40 + 50] and pr3.tolist() == [0, 0]
    ip3, _, _ = panel_mod._three_year_counts(state, 0, sim_years, np.array([2000, 2000]))
    assert ip3.tolist() == [1, 10]


def test_exit_hazard_falls_with_capability_and_rises_with_risk_factors():
    """The hazard is a probability, strictly lower at higher capability, higher for micro
    firms and impaired capital; in a world without the capability effect it ignores it."""
    params = synth.GenerativeParams()
    cap = np.linspace(-3, 3, 61)
    ones = np.ones_like(cap)
    no_tourism = np.zeros_like(cap, bool)

    def hazard(emp=20, equity=1.0, p=params):
        return panel_mod._exit_hazard(
            cap, emp * ones, equity * ones, 10 * ones, 2019, no_tourism, p
        )

    h = hazard()
    assert ((h > 0) & (h < 1)).all() and (np.diff(h) < 0).all()
    assert (hazard(emp=2) > h).all() and (hazard(equity=-1.0) > h).all()
    null = synth.GenerativeParams(exit_capability=0.0)
    assert np.ptp(hazard(p=null)) == 0


def test_exits_are_final():
    """A firm that exits stays out: later years with zero hazard do not bring it back, and a
    firm not alive this year cannot exit again."""
    state = panel_mod._start_state(np.random.default_rng(0), 4, 1, synth.GenerativeParams())
    rng = np.random.default_rng(1)
    cur = np.array([True, True, False, True])
    panel_mod._apply_exits(rng, state, np.array([1.0, 0.0, 1.0, 0.0]), cur)
    assert state.alive.tolist() == [False, True, True, True]
    panel_mod._apply_exits(rng, state, np.zeros(4), state.alive)
    assert state.alive.tolist() == [False, True, True, True]


def test_exited_firms_never_reappear_in_the_panel(sp):
    """Once alive_next_year is False a firm has no later row: it is each firm's last row."""
    t = sp.truth
    last = ~t["firm_id"].duplicated(keep="last")
    assert (t["alive_next_year"] | last).all()
    later = t.groupby("firm_id")["year"].transform("max")
    assert (t.loc[~t["alive_next_year"], "year"] == later[~t["alive_next_year"]]).all()


def test_financials_keep_the_accounting_identities(panel):
    """Operating profit <= revenue - salaries - R&D expense; equity <= 0.95 x assets (up to
    rounding); R&D expense is zero without R&D staff except for outsourcers (<= 10 %)."""
    p = panel.dropna(subset=["revenue", "operating_profit", "salaries", "rnd_expense"])
    assert (p["operating_profit"] <= p["revenue"] - p["salaries"] - p["rnd_expense"] + 1).all()
    q = panel.dropna(subset=["total_equity", "total_assets"])
    assert (q["total_equity"] <= 0.95 * q["total_assets"] + 1).all()
    none = panel["rnd_staff"].eq(0).fillna(False) & panel["rnd_expense"].notna()
    assert (panel.loc[none, "rnd_expense"] > 0).mean() < 0.10


def test_future_outcomes_are_consistent_with_survival(sp):
    """Growth is known only for survivors; high growth means survival and more than 20 % a
    year over 3 years (revenue; employment with 10 or more employees for the OECD flag)."""
    t = sp.truth
    assert t.loc[~t["survives_3y"], "revenue_growth_3y"].isna().all()
    assert t.loc[t["survives_3y"], "revenue_growth_3y"].notna().all()
    hg = t["high_growth_3y"]
    assert (t.loc[hg, "survives_3y"]).all() and (t.loc[hg, "revenue_growth_3y"] > HG_3Y).all()
    oecd = t["high_growth_3y_oecd"]
    assert (t.loc[oecd, "employment_growth_3y"] > HG_3Y).all()
    assert (sp.panel.loc[oecd, "employees"] >= 10).all()
    assert not (t["survives_3y"] & ~t["alive_next_year"]).any()  # exits are final
    assert (t["alive_next_year"] & ~t["survives_3y"]).any()  # some survive a year, not three


def test_missingness_touches_only_the_listed_columns():
    """Only the MISSING_RATES columns get missing cells; the rest of the frame is unchanged."""
    frame = pd.DataFrame({c: np.arange(1000.0) for c in (*synth.MISSING_RATES, "patents")})
    firm = np.repeat(np.arange(100), 10)
    out = panel_mod._apply_missingness(np.random.default_rng(0), frame.copy(), firm, 100)
    assert out["patents"].equals(frame["patents"])
    for c in synth.MISSING_RATES:
        kept = out[c].notna()
        assert out.loc[kept, c].equals(frame.loc[kept, c])
    assert out["export_revenue"].isna().any()
