"""Applicant files for the 2025 calls, drawn from a synthetic panel with a known future.

:func:`make_applicants` runs in named steps: simulate a region-heavy internal panel
(2017-2027; its 2024 rows are the applicants' figures, 2025-2027 their future), choose the
applicant firms (mostly clean firms of the call's region and target industries, plus a few of
each case a careful officer screens out), plant the screening cases (edit the chosen rows so
that each fails for its documented reason only), then format the table (address, letter of
intent, SME certificate, requested amount, note) in the order the applications came in.

Example
-------
>>> from ktop_index import synth
>>> apps = synth.make_applicants("sejong_2025", n=40, seed=1)
>>> len(apps), apps["_synthetic_note"].str.startswith("screen-out").any()
(40, np.True_)
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from ktop_index.data.brn import make_brn
from ktop_index.errors import SpecError
from ktop_index.synth._draws import pick
from ktop_index.synth.panel import (
    PANEL_COLUMNS,
    STR_DTYPE,
    GenerativeParams,
    SyntheticPanel,
    generate,
)
from ktop_index.synth.world import GYEONGGI, JEJU, SEJONG, SEOUL

__all__ = ["APPLICANT_EXTRA_COLUMNS", "CALLS", "make_applicants"]

APPLICANT_EXTRA_COLUMNS = (
    "address",
    "letter_of_intent",
    "sme_confirmed",
    "requested",
    "_synthetic_note",
)

#: Calls that :func:`make_applicants` knows. ``targets`` are KSIC code prefixes of the
#: target industries (our assumption for Jeju, whose 2025 list is not public; see
#: shared/reference/program_2025.md).
CALLS = {
    "jeju_2025": {
        "sido": JEJU,
        "label": "2025 시군구연고산업육성사업 (제주)",
        # food, beverages, cosmetics, bio (pharma incl. 한의약품, natural-science R&D),
        # tourism-related (accommodation, travel agencies and travel support)
        "targets": ("10", "11", "20423", "21", "7011", "55", "752"),
        "region_weights": {
            JEJU: 0.82,
            SEOUL: 0.06,
            SEJONG: 0.05,
            GYEONGGI: 0.04,
            "부산광역시": 0.03,
        },
        "other_call_sido": SEJONG,
    },
    "sejong_2025": {
        "sido": SEJONG,
        "label": "2025 시군구연고산업육성사업 (세종, 식품·푸드테크)",
        # food, beverages, food-processing machinery, food-related R&D
        "targets": ("10", "11", "29250", "70111", "70112"),
        "region_weights": {
            SEJONG: 0.82,
            SEOUL: 0.06,
            JEJU: 0.05,
            GYEONGGI: 0.04,
            "대전광역시": 0.03,
        },
        "other_call_sido": JEJU,
    },
}

_ROADS = {
    "제주특별자치도 제주시": ("첨단로", "연삼로", "노형로", "연북로", "도령로", "서광로", "동광로",
                       "애조로", "1100로", "번영로", "중앙로", "관덕로", "신대로", "오라로",
                       "한림읍 한림로", "애월읍 애월로", "조천읍 남조로", "구좌읍 일주동로",
                       "한경면 일주서로"),
    "제주특별자치도 서귀포시": ("중앙로", "중문관광로", "516로", "태평로", "일주동로", "일주서로",
                        "신중로", "서호중앙로", "성산읍 일출로", "남원읍 태위로",
                        "표선면 표선동서로", "안덕면 화순로", "대정읍 하모로"),
    "세종특별자치시": ("한누리대로", "도움6로", "갈매로", "보듬3로", "나성북1로", "가름로", "절재로",
                "조치원읍 새내로", "연서면 봉암로", "전의면 산단길", "부강면 부강외천로",
                "소정면 소정리길"),
    "서울특별시 중구": ("세종대로",),
    "서울특별시 종로구": ("세종대로",),
}  # fmt: skip
_GENERIC_ROADS = ("중앙로", "산업로", "공단로", "테크노로", "벤처로", "대학로")


def _addresses(rng, regions):
    """A street address in each "시도 시군구" region: a road of the region (or a generic one)
    and a building number 1-399; per distinct region, draws the roads, then the numbers."""
    regions = np.asarray(regions, dtype=object)
    out = np.empty(regions.size, dtype=object)
    for reg in pd.unique(regions):  # loop over distinct regions, not rows
        idx = np.flatnonzero(regions == reg)
        roads = pick(rng, _ROADS.get(reg, _GENERIC_ROADS), idx.size)
        num = rng.integers(1, 400, idx.size)
        out[idx] = np.array([f"{reg} {r} {k}" for r, k in zip(roads, num)], dtype=object)
    return out


def _target_mask(ksic, targets):
    """Which KSIC codes start with one of the ``targets`` prefixes."""
    ks = pd.Series(ksic, dtype=object)
    m = np.zeros(len(ks), bool)
    for pre in targets:
        m |= ks.str.startswith(pre).to_numpy()
    return m


_YEARS = (2017, 2027)  # internal panel: 2024 holds the applicants' figures, 2025-2027 the future


def make_applicants(
    call: str = "jeju_2025",
    n: int = 150,
    seed: int = 2025,
    *,
    with_truth: bool = False,
):
    """A realistic applicants file for a 2025 call (figures of fiscal 2024, one row per firm).

    Most rows are synthetic firms of the call's region in its target industries (see
    :data:`CALLS`), taken from a region-heavy panel generated for the purpose (2017-2027;
    its 2024 rows are the applicants' figures, 2025-2027 is their future). About 12 % of the
    rows are cases a careful officer screens out; ``_synthetic_note`` says why
    (``"screen-out: ..."``). Rows whose request exceeds the 50,000 천원 cap are noted
    ``"check: ..."`` (trim, not exclude). Clean rows have an empty note.

    Columns: :data:`PANEL_COLUMNS` then :data:`APPLICANT_EXTRA_COLUMNS`. ``region`` holds the
    "시도 시군구" prefix of ``address``.

    With ``with_truth=True`` returns ``(applicants, SyntheticPanel)`` where the panel and
    truth are the internal panel restricted to the applicants' firms (all years
    2017-2027; the applicant rows of screen-out cases are edited copies, see the notes).

    The seed is split with ``spawn`` into three streams: the internal panel, the choice of
    firms, and the edits (screening cases, addresses, requests, order).

    Example
    -------
    >>> apps = make_applicants("jeju_2025", n=30, seed=3)
    >>> list(apps.columns[-5:]) == list(APPLICANT_EXTRA_COLUMNS)
    True
    """
    spec = _check_call(call, n)
    r_panel, r_pick, r_edit = np.random.default_rng(seed).spawn(3)
    params = GenerativeParams()
    n_internal = 12 * n + 600
    internal = generate(
        n_internal,
        _YEARS,
        int(r_panel.integers(2**63)),
        params=params,
        region_weights=spec["region_weights"],
    )
    panel, truth = internal.panel, internal.truth
    cur = panel[panel["year"] == 2024].reset_index(drop=True)
    groups = _choose_firms(r_pick, cur, spec, n)
    order = np.concatenate(list(groups.values()))
    kind = np.concatenate([np.full(len(v), k, dtype=object) for k, v in groups.items()])
    app = cur.iloc[order].reset_index(drop=True)
    region, moved = _relocate_outside_region(r_edit, app, kind)
    _scale_up_not_sme(r_edit, app, kind == "not_sme")
    _make_branch_offices(r_edit, app, kind == "branch", set(panel["brn"].unique()))
    app = _format_table(r_edit, app, kind, region, _screening_notes(app, kind, spec))
    if not with_truth:
        return app
    sp = _applicants_world(panel, truth, app["firm_id"], moved, n_internal, seed, params)
    return app, sp


def _check_call(call, n):
    """The call's entry of :data:`CALLS`, after checking the arguments (:class:`SpecError`)."""
    if call not in CALLS:
        raise SpecError(f"call must be one of {sorted(CALLS)}, got {call!r}")
    if n < 20:
        raise SpecError(f"n must be >= 20 so that every screen-out case fits, got {n!r}")
    return CALLS[call]


# ---- choosing the firms -----------------------------------------------------------------


def _case_counts(n):
    """How many applicants of ``n`` are each screen-out case (at least one of each)."""
    return {
        "outside_seoul": max(1, round(0.02 * n)),
        "not_sme": max(1, round(0.013 * n)),
        "industry": max(1, round(0.027 * n)),
        "no_loi": max(1, round(0.027 * n)),
        "other_call": max(1, round(0.02 * n)),
        "branch": max(1, round(0.013 * n)),
    }


class _Pools(NamedTuple):
    """Masks over the internal panel's 2024 rows, from which each case is chosen."""

    sido: np.ndarray  # each row's 시도
    in_target: np.ndarray  # in one of the call's target industries
    home: np.ndarray  # in the call's 시도 and small enough
    small_enough: np.ndarray  # surely an SME by size (see _pools)


def _pools(cur, spec):
    """The masks of :class:`_Pools` for the 2024 rows ``cur`` and the call ``spec``."""
    sido = cur["region"].str.split(" ").str[0].to_numpy(dtype=object)
    in_target = _target_mask(cur["ksic"].to_numpy(dtype=object), spec["targets"])
    # every row fails only for its documented reason, so none may be too big to be an SME:
    # revenue within 400억 (4e7 천원, the lowest 2025 SME ceiling, I55/I56); unknown revenue
    # only for firms under 50 employees
    rev = cur["revenue"].to_numpy(dtype=float)
    small_enough = np.where(np.isnan(rev), cur["employees"].to_numpy() < 50, rev <= 4e7)
    home = (sido == spec["sido"]) & small_enough
    return _Pools(sido, in_target, home, small_enough)


def _take(rng, used, mask, k, what, prefer=None):
    """``k`` rows of ``mask`` not used yet (from ``mask & prefer`` when it has enough),
    drawn without replacement, sorted, and marked used."""
    idx = np.flatnonzero(mask & ~used)
    if prefer is not None:
        first = np.flatnonzero(mask & prefer & ~used)
        if first.size >= k:
            idx = first
    if idx.size < k:
        raise RuntimeError(f"not enough synthetic firms for {what!r} ({idx.size} < {k})")
    sel = np.sort(rng.choice(idx, size=k, replace=False))
    used[sel] = True
    return sel


def _choose_firms(rng, cur, spec, n):
    """The applicants' rows of ``cur``, by case: ``{case: row indices}``, clean first.

    Each case is drawn from its pool in this order: clean, not an SME (revenue known), no
    letter of intent, branch office, industry outside the targets, outside the region (a
    target-industry firm from outside both calls' regions, from Seoul if there are enough;
    it is placed at a Seoul 세종대로 address), and the other call's region.
    """
    pools = _pools(cur, spec)
    sido, in_target, home, small_enough = pools
    counts = _case_counts(n)
    n_clean = n - sum(counts.values())
    used = np.zeros(len(cur), bool)
    eligible_home = home & in_target
    elsewhere = small_enough & (sido != spec["sido"]) & (sido != spec["other_call_sido"])
    revenue_known = cur["revenue"].notna().to_numpy()
    return {
        "clean": _take(rng, used, eligible_home, n_clean, "clean"),
        "not_sme": _take(rng, used, eligible_home & revenue_known, counts["not_sme"], "not_sme"),
        "no_loi": _take(rng, used, eligible_home, counts["no_loi"], "no_loi"),
        "branch": _take(rng, used, eligible_home, counts["branch"], "branch"),
        "industry": _take(rng, used, home & ~in_target, counts["industry"], "industry"),
        "outside_seoul": _take(
            rng,
            used,
            elsewhere & in_target,
            counts["outside_seoul"],
            "outside_seoul",
            sido == SEOUL,
        ),
        "other_call": _take(
            rng,
            used,
            small_enough & (sido == spec["other_call_sido"]) & in_target,
            counts["other_call"],
            "other_call",
        ),
    }


# ---- planting the screening cases -------------------------------------------------------


def _relocate_outside_region(rng, app, kind):
    """The applicants' regions, with the outside-region case moved to a Seoul 세종대로
    address (a trap for "contains 세종"; one draw per such row), and ``{firm_id: region}``
    of the moved firms."""
    region = app["region"].to_numpy(dtype=object).copy()
    m = kind == "outside_seoul"
    region[m] = pick(rng, ("서울특별시 중구", "서울특별시 종로구"), int(m.sum()))
    moved = dict(zip(app.loc[m, "firm_id"], region[m]))
    return region, moved


def _scale_up_not_sme(rng, app, mask):
    """Scale the not-an-SME rows up to 1,600-2,400억 revenue (above every 2025 ceiling), in
    place: money in proportion to revenue, salaries, R&D expense and R&D staff to
    employees (revenue per head 3-4.5억). Draws the revenues, then the revenues per head."""
    m = np.flatnonzero(mask)
    rev_old = app.loc[m, "revenue"].to_numpy(dtype=float)
    rev_new = np.round(rng.uniform(1.6e8, 2.4e8, m.size))
    emp_old = app.loc[m, "employees"].to_numpy().clip(1)
    emp_new = np.round(rev_new / rng.uniform(3.0e5, 4.5e5, m.size)).astype(np.int64)
    for c in ("operating_profit", "net_income", "total_assets", "total_equity", "export_revenue"):
        app.loc[m, c] = np.round(app.loc[m, c].to_numpy(dtype=float) * rev_new / rev_old)
    for c in ("salaries", "rnd_expense"):
        app.loc[m, c] = np.round(app.loc[m, c].to_numpy(dtype=float) * emp_new / emp_old)
    app.loc[m, "revenue"] = rev_new
    app.loc[m, "employees"] = emp_new
    staff = app.loc[m, "rnd_staff"].to_numpy(dtype=float, na_value=np.nan)
    app.loc[m, "rnd_staff"] = pd.array(np.round(staff * emp_new / emp_old), dtype="Int64")


def _make_branch_offices(rng, app, mask, taken):
    """Give the branch-office rows a new BRN of type 85 (a branch), unique against ``taken``
    (updated), in place: draws a tax-office prefix and a serial per try."""
    m = np.flatnonzero(mask)
    new_brn = []
    while len(new_brn) < m.size:
        b = make_brn(int(rng.integers(101, 1000)), 85, int(rng.integers(1, 10000)))
        if b not in taken:
            taken.add(b)
            new_brn.append(b)
    app.loc[m, "brn"] = new_brn


def _screening_notes(app, kind, spec):
    """The ``_synthetic_note`` of each row: why a planted case is screened out ("" if clean)."""
    note = np.full(len(app), "", dtype=object)
    note[kind == "outside_seoul"] = "screen-out: outside region (Seoul 세종대로 address)"
    note[kind == "other_call"] = (
        "screen-out: Sejong address applying to Jeju call"
        if spec["sido"] == JEJU
        else "screen-out: Jeju address applying to Sejong call"
    )
    m = kind == "industry"
    note[m] = [f"screen-out: industry outside the targets (KSIC {k})" for k in app.loc[m, "ksic"]]
    note[kind == "no_loi"] = "screen-out: no letter of intent"
    note[kind == "not_sme"] = (
        "screen-out: not an SME (revenue above the ceiling; no SME certificate)"
    )
    note[kind == "branch"] = "screen-out: branch office (BRN type 85) with head office in Seoul"
    return note


# ---- formatting the applicant table -----------------------------------------------------


def _requested_amounts(rng, k):
    """Requested support (천원) of ``k`` applicants: 20,000-50,000 in steps of 1,000, 30 % at
    the 50,000 cap, and 5 % above it (52,000-80,000); returns ``(requested, over_cap)``."""
    req = rng.integers(20, 51, k) * 1000.0
    req = np.where(rng.random(k) < 0.3, 50_000.0, req)
    over = rng.random(k) < 0.05
    req = np.where(over, rng.integers(52, 81, k) * 1000.0, req)
    return req, over


def _format_table(rng, app, kind, region, note):
    """The applicants file: the region and address, letter of intent and SME certificate
    ("Y"/"N"), the requested amount (over-cap rows noted "check: ..."), the note, in a
    shuffled order (as received). Draws: addresses, requests, then the order."""
    app["region"] = pd.array(region, dtype=STR_DTYPE)
    app["address"] = pd.array(_addresses(rng, region), dtype=STR_DTYPE)
    app["letter_of_intent"] = pd.array(np.where(kind == "no_loi", "N", "Y"), dtype=STR_DTYPE)
    app["sme_confirmed"] = pd.array(np.where(kind == "not_sme", "N", "Y"), dtype=STR_DTYPE)
    req, over = _requested_amounts(rng, len(app))
    note = np.where(
        over & (note == ""), "check: requested above the 50,000 천원 cap (trim to the cap)", note
    )
    app["requested"] = req
    app["_synthetic_note"] = pd.array(note, dtype=STR_DTYPE)
    app = app.iloc[rng.permutation(len(app))].reset_index(drop=True)
    return app[list(PANEL_COLUMNS) + list(APPLICANT_EXTRA_COLUMNS)]


def _applicants_world(panel, truth, firm_ids, moved, n_internal, seed, params):
    """The internal panel and truth restricted to the applicants' firms (all years), with
    the relocated firms at their new region."""
    keep = panel["firm_id"].isin(firm_ids).to_numpy()
    panel = panel[keep].reset_index(drop=True)
    truth = truth[truth["firm_id"].isin(firm_ids).to_numpy()].reset_index(drop=True)
    relocated = panel["firm_id"].map(moved)
    panel["region"] = panel["region"].where(relocated.isna(), relocated)
    return SyntheticPanel(
        panel=panel,
        truth=truth,
        n_firms=int(n_internal),
        years=_YEARS,
        seed=int(seed),
        params=params,
    )
