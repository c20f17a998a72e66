"""Tests of ktop_index.synth.applicants: applicant files for the 2025 calls."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ktop_index import synth
from ktop_index.data.brn import is_valid_brn, make_brn, taxpayer_type
from ktop_index.errors import SpecError
from ktop_index.synth import applicants

# ---- the applicants file ----------------------------------------------------------------


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
    with pytest.raises(SpecError, match="call"):
        synth.make_applicants("busan_2025")


# ---- the steps ------------------------------------------------------------------------------


def test_unknown_call_and_too_few_applicants_are_spec_errors():
    """An unknown call and n < 20 (too few rows for every screen-out case) raise SpecError."""
    with pytest.raises(SpecError, match="call must be one of"):
        synth.make_applicants("busan_2025")
    with pytest.raises(SpecError, match="n must be >= 20"):
        synth.make_applicants("jeju_2025", n=19)


@pytest.mark.parametrize("n", [20, 60, 150, 400])
def test_case_counts_leave_room_for_clean_rows(n):
    """Every screen-out case gets at least one row and the clean rows stay the large majority."""
    counts = applicants._case_counts(n)
    assert set(counts) == {"outside_seoul", "not_sme", "industry", "no_loi", "other_call", "branch"}
    assert min(counts.values()) >= 1
    assert n - sum(counts.values()) >= 0.6 * n


def test_take_draws_unused_rows_and_prefers_the_preferred_pool():
    """_take returns k distinct sorted rows of the mask, never a used row, from the preferred
    pool when it is big enough, and marks them used; too small a pool is an error."""
    rng = np.random.default_rng(0)
    used = np.zeros(10, bool)
    used[[0, 1]] = True
    mask = np.ones(10, bool)
    prefer = np.arange(10) >= 6
    sel = applicants._take(rng, used, mask, 3, "test", prefer)
    assert sel.tolist() == sorted(set(sel.tolist())) and set(sel) <= {6, 7, 8, 9}
    assert used[sel].all() and used.sum() == 5
    rest = applicants._take(rng, used, mask, 5, "test")
    assert not set(rest) & ({0, 1} | set(sel)) and used.all()
    with pytest.raises(RuntimeError, match="not enough synthetic firms"):
        applicants._take(rng, used, mask, 1, "test")


def test_requested_amounts_are_whole_thousands_with_a_few_above_the_cap():
    """Requests are whole 1,000 천원 between 20,000 and 80,000; over_cap marks exactly the
    requests above the 50,000 cap, which are about 5 %; about 30 % sit at the cap."""
    req, over = applicants._requested_amounts(np.random.default_rng(1), 20_000)
    assert (req % 1000 == 0).all() and req.min() >= 20_000 and req.max() <= 80_000
    assert np.array_equal(over, req > 50_000)
    assert 0.04 < over.mean() < 0.06
    assert 0.25 < (req == 50_000).mean() < 0.35


def test_scaling_up_a_firm_makes_it_large_and_keeps_staff_within_employees():
    """A not-an-SME row ends with revenue of 1,600-2,400억 (1.6e8-2.4e8 천원), more than 300
    employees, R&D staff still <= employees; the other rows are unchanged."""
    panel = synth.generate_panel(n_firms=400, years=(2024, 2024), seed=3)
    app = panel[panel["revenue"].notna()].head(40).reset_index(drop=True)
    before = app.copy()
    mask = np.arange(len(app)) < 10
    applicants._scale_up_not_sme(np.random.default_rng(2), app, mask)
    big = app[mask]
    assert big["revenue"].between(1.6e8, 2.4e8).all() and (big["employees"] > 300).all()
    staff = big["rnd_staff"].dropna()
    assert (staff <= big.loc[staff.index, "employees"]).all()
    pd.testing.assert_frame_equal(app[~mask], before[~mask])


def test_branch_offices_get_new_unique_branch_brns():
    """Branch rows get valid type-85 BRNs, none of them taken before; other rows keep theirs."""
    app = pd.DataFrame({"brn": ["124-81-00998", "220-81-62517", "120-86-12345"]})
    taken = {make_brn(101, 85, 1)}
    mask = np.array([True, False, True])
    applicants._make_branch_offices(np.random.default_rng(4), app, mask, taken)
    new = app.loc[mask, "brn"]
    assert (new.map(taxpayer_type) == "branch").all() and new.map(is_valid_brn).all()
    assert new.is_unique and make_brn(101, 85, 1) not in set(new)
    assert set(new) <= taken  # recorded as taken
    assert app.loc[1, "brn"] == "220-81-62517"


def test_relocated_firms_move_to_a_seoul_sejong_daero_district_in_the_truth_too():
    """The outside-region case sits in 서울특별시 중구 or 종로구 (where 세종대로 runs), in the
    applicants file and in the internal panel returned with the truth, for all its years."""
    app, sp = synth.make_applicants("jeju_2025", n=150, seed=2025, with_truth=True)
    moved = app[app["_synthetic_note"].str.contains("Seoul 세종대로")]
    assert moved["region"].isin(["서울특별시 중구", "서울특별시 종로구"]).all()
    world = sp.panel[sp.panel["firm_id"].isin(moved["firm_id"])]
    assert set(world["region"]) <= {"서울특별시 중구", "서울특별시 종로구"}
    regions = dict(zip(moved["firm_id"], moved["region"]))
    assert (world["region"] == world["firm_id"].map(regions)).all()


def test_notes_name_each_planted_case_and_leave_clean_rows_empty():
    """Every case kind gets its own screen-out note; clean rows get an empty note."""
    kind = np.array(
        ["clean", "outside_seoul", "other_call", "industry", "no_loi", "not_sme", "branch"],
        dtype=object,
    )
    app = pd.DataFrame({"ksic": ["10309"] * len(kind)})
    note = applicants._screening_notes(app, kind, synth.CALLS["sejong_2025"])
    assert note[0] == ""
    assert all(n.startswith("screen-out: ") for n in note[1:]) and len(set(note[1:])) == 6
    assert note[2] == "screen-out: Jeju address applying to Sejong call"
    assert note[3].endswith("(KSIC 10309)")
