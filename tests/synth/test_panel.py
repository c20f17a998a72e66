"""Tests of ktop_index.synth: the synthetic firm panel and its known truth."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd
import pytest

from ktop_index import synth
from ktop_index.data.brn import is_valid_brn, taxpayer_type
from ktop_index.synth import panel as synth_panel

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
    """Reversed years and a non-positive firm count raise ValueError."""
    with pytest.raises(ValueError, match="years"):
        synth.generate(n_firms=10, years=(2024, 2014))
    with pytest.raises(ValueError, match="n_firms"):
        synth.generate(n_firms=0)


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
    table_codes = {c for row in synth_panel._INDUSTRIES for c in row[synth_panel._SUBCLASSES]}
    assert table_codes <= subclasses
    assert {c for m in synth_panel._SUB_MULT.values() for c in m} <= table_codes


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


# ---- applicants -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def jeju():
    return synth.make_applicants("jeju_2025", n=150, seed=2025)


def test_applicants_shape_and_columns(jeju):
    """~150 applicants with the panel columns plus the call columns, all for fiscal 2024."""
    assert len(jeju) == 150
    assert tuple(jeju.columns) == synth.PANEL_COLUMNS + synth.APPLICANT_EXTRA_COLUMNS
    assert (jeju["year"] == 2024).all()
    assert jeju["letter_of_intent"].isin(["Y", "N"]).all()
    assert jeju["sme_confirmed"].isin(["Y", "N"]).all()
    assert (jeju["requested"] > 0).all() and (jeju["requested"] > 50_000).any()


def test_applicants_are_valid_data(jeju):
    """Applicant rows have unique valid BRNs, rnd_staff <= employees and founded <= year."""
    assert jeju["brn"].is_unique and jeju["firm_id"].is_unique
    assert all(is_valid_brn(b) for b in jeju["brn"])
    ok = jeju["rnd_staff"].notna()
    assert (jeju.loc[ok, "rnd_staff"] <= jeju.loc[ok, "employees"]).all()
    assert (jeju["founded"] <= jeju["year"]).all()
    assert (jeju["firm_age"] == jeju["year"] - jeju["founded"]).all()


def test_applicants_are_mostly_jeju_with_matching_region(jeju):
    """Most addresses are in Jeju-si or Seogwipo-si; region is the address's 시도 시군구 prefix."""
    home = jeju["address"].str.match(r"제주특별자치도 (제주시|서귀포시) ")
    assert home.mean() >= 0.85
    assert all(a.startswith(r + " ") for a, r in zip(jeju["address"], jeju["region"]))
    assert jeju["address"].str.fullmatch(r".+ \S+ \d+").all()


def test_applicants_include_each_screen_out_case(jeju):
    """10-15 % of rows are documented screen-outs, each case consistent with its note."""
    note = jeju["_synthetic_note"]
    out = note.str.startswith("screen-out")
    assert 0.10 <= out.mean() <= 0.15
    clean = note == ""
    assert clean.mean() > 0.75
    targets = synth.CALLS["jeju_2025"]["targets"]

    def rows(text):
        m = note.str.contains(text, regex=False)
        assert m.any(), text
        return jeju[m]

    seoul = rows("Seoul 세종대로")
    assert seoul["address"].str.match(r"서울특별시 (중구|종로구) 세종대로 \d+").all()
    big = rows("not an SME")
    assert (big["revenue"] > 1.5e8).all() and (big["sme_confirmed"] == "N").all()
    other = rows("industry outside the targets")
    assert not other["ksic"].map(lambda k: k.startswith(targets)).any()
    assert (rows("no letter of intent")["letter_of_intent"] == "N").all()
    assert rows("Sejong address")["address"].str.startswith("세종특별자치시 ").all()
    branch = rows("branch office")
    assert (branch["brn"].map(taxpayer_type) == "branch").all()
    # the clean rows pass every screen
    c = jeju[clean]
    assert c["ksic"].map(lambda k: k.startswith(targets)).all()
    assert c["address"].str.match(r"제주특별자치도 (제주시|서귀포시) ").all()
    assert (c["letter_of_intent"] == "Y").all() and (c["sme_confirmed"] == "Y").all()
    assert (c["requested"] <= 50_000).all()
    assert (c["revenue"].dropna() <= 4e7).all()  # within the lowest SME ceiling (400억, I55)
    assert c["brn"].map(taxpayer_type).isin(["corporation", "individual"]).all()


def test_applicants_are_deterministic_and_carry_truth():
    """The same seed gives the same applicants; with_truth returns the firms' panel and truth."""
    a, sp_ = synth.make_applicants("jeju_2025", n=60, seed=5, with_truth=True)
    pd.testing.assert_frame_equal(a, synth.make_applicants("jeju_2025", n=60, seed=5))
    assert set(sp_.panel["firm_id"]) == set(a["firm_id"])
    assert sp_.panel["year"].max() == 2027  # the applicants' future is part of the truth
    assert sp_.truth["firm_id"].equals(sp_.panel["firm_id"])


def test_sejong_applicants():
    """The Sejong call gives mostly Sejong food and food-tech firms plus screen-out cases."""
    s = synth.make_applicants("sejong_2025", n=60, seed=1)
    assert len(s) == 60 and s["brn"].is_unique
    assert s["address"].str.startswith("세종특별자치시 ").mean() >= 0.85
    clean = s[s["_synthetic_note"] == ""]
    assert clean["ksic"].map(lambda k: k.startswith(synth.CALLS["sejong_2025"]["targets"])).all()
    assert s["_synthetic_note"].str.contains("Jeju address applying to Sejong call").any()
    with pytest.raises(ValueError, match="call"):
        synth.make_applicants("busan_2025")
