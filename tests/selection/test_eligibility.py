"""Screening rules: each with passing and failing firms; the bundled applicants as keyed."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from ktop_index.data.brn import make_brn
from ktop_index.data.validate import read_firms
from ktop_index.selection.calls import load_call
from ktop_index.selection.eligibility import region_of, screen, sme_ceiling

ROOT = Path(__file__).resolve().parents[2]
JEJU = load_call("jeju_2025")


def firm(**changes) -> dict:
    """A Jeju food firm that passes every rule of jeju_2025."""
    row = {"brn": make_brn(616, 81, 1234), "firm_name": "한라식품(주)", "year": 2024,
           "ksic": "10301", "region": "제주특별자치도 제주시 첨단로 242",
           "revenue": 2_000_000.0, "total_assets": 3_000_000.0,
           "letter_of_intent": True, "sme_confirmed": True}
    row.update(changes)
    return row


def run(*rows, call=JEJU, grades=None) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows))
    for column in ("letter_of_intent", "sme_confirmed"):
        frame[column] = frame[column].astype("boolean")
    return screen(frame, call, grades=None if grades is None else pd.Series(grades))


def test_clean_firm_passes():
    """The reference firm is eligible with no reasons."""
    out = run(firm())
    assert bool(out["eligible"].iloc[0]) and out["reasons"].iloc[0] == ""


def test_region_prefix_at_start_only():
    """Names, 법정동 codes and addresses resolve; '세종' inside a Seoul road is not Sejong."""
    assert region_of(["제주시", "서귀포시", "세종특별자치시 한누리대로 2130", "세종시 도움6로 11",
                      "50110", "5013025000", "3611000000", "서울특별시 중구 세종대로 110",
                      "세종대로 110", "39010", "제주특별자치도 애월읍 애월로 1", None]) == [
        "jeju_si", "seogwipo_si", "sejong", "sejong", "jeju_si", "seogwipo_si", "sejong", "",
        "", "", "jeju_province", ""]


def test_region_rule():
    """In Jeju passes; Seoul 세종대로 and Sejong fail a Jeju call; a Jeju-only address passes
    because both Jeju cities are in the call; a missing location fails."""
    out = run(firm(), firm(region="서울특별시 종로구 세종대로 326"),
              firm(region="세종특별자치시 보듬3로 125"), firm(region="제주특별자치도 한림읍 한림로 1"),
              firm(region=None))
    assert out["pass_region"].tolist() == [True, False, False, True, False]
    assert "outside the call's regions" in out["reasons"].iloc[1]
    assert "지원 대상 지역이 아님" in out["reasons_ko"].iloc[1]
    assert out["reasons"].iloc[4] == "location missing"
    only_jeju_si = replace(JEJU, eligibility=replace(JEJU.eligibility, regions=("jeju_si",)))
    out = run(firm(region="제주특별자치도 한림읍 한림로 1"), firm(region="서귀포시"),
              call=only_jeju_si)
    assert out["pass_region"].tolist() == [False, False]


def test_industry_rule():
    """Target KSIC prefixes pass (10, 7011, 55); others and missing codes fail."""
    out = run(firm(), firm(ksic="70113"), firm(ksic="55101"), firm(ksic="62021"),
              firm(ksic="C10301"), firm(ksic=None))
    assert out["pass_industry"].tolist() == [True, True, True, False, True, False]
    assert out["reasons"].iloc[3] == "industry outside the targets (KSIC 62021)"


def test_business_number_rules():
    """Bad check digit fails; a branch (85) fails unless allowed; non-profits (82) fail."""
    branch = make_brn(304, 85, 1704)
    out = run(firm(), firm(brn="124-81-00997"), firm(brn=branch), firm(brn=make_brn(211, 82, 7)),
              firm(brn=make_brn(211, 5, 77)))
    assert out["pass_brn"].tolist() == [True, False, True, True, True]
    assert out["pass_taxpayer"].tolist() == [True, True, False, False, True]
    assert "check digit is 7, expected 8" in out["reasons"].iloc[1]
    assert "검증번호가 7이지만 8이어야 함" in out["reasons_ko"].iloc[1]  # the same digits
    allowing = replace(JEJU, eligibility=replace(JEJU.eligibility, allow_branch=True))
    assert bool(run(firm(brn=branch), call=allowing)["eligible"].iloc[0])


def test_sme_ceiling_by_date():
    """Food (C10) is 1,000억 until 2025-08-31 and 1,200억 from 2025-09-01; the asset ceiling
    is 5,000억 (at it fails); revenue exactly at the ceiling passes (이하)."""
    codes = pd.Series(["10301", "30393", "30391", "62021", "38110", "36000", "01110"])
    old, _ = sme_ceiling(codes, dt.date(2025, 8, 31))
    new, _ = sme_ceiling(codes, dt.date(2025, 9, 1))
    assert old.tolist() == [1000, 1500, 1000, 800, 800, 1000, 1000]
    assert new.tolist() == [1200, 1500, 1200, 1000, 800, 1000, 1000]
    eok = 100_000.0
    rows = [firm(revenue=1000 * eok), firm(revenue=1100 * eok),
            firm(total_assets=5000 * eok), firm(total_assets=4999 * eok),
            firm(revenue=None, sme_confirmed=False), firm(revenue=None)]
    out = run(*rows)
    assert out["pass_sme_size"].tolist() == [True, False, False, True, False, True]
    later = replace(JEJU, reference_date=dt.date(2025, 10, 1))
    assert run(*rows, call=later)["pass_sme_size"].tolist()[:2] == [True, True]
    assert "1,100억원" in out["reasons"].iloc[1]


def test_average_revenue_is_used_when_given():
    """The SME test uses avg_revenue (3-year mean) instead of the year's revenue."""
    out = run(firm(revenue=1100 * 100_000.0, avg_revenue=900 * 100_000.0))
    assert bool(out["pass_sme_size"].iloc[0])


def test_documents_rule():
    """A missing letter of intent or SME certificate fails, each named; a call may drop one."""
    out = run(firm(letter_of_intent=False), firm(sme_confirmed=False), firm(letter_of_intent=None))
    assert out["pass_documents"].tolist() == [False, False, False]
    assert out["reasons_ko"].iloc[0] == "참여의향서 미제출"
    assert out["reasons"].iloc[1] == "SME certificate not submitted"
    relaxed = replace(JEJU, eligibility=replace(JEJU.eligibility,
                                                required_documents=("sme_confirmed",)))
    assert bool(run(firm(letter_of_intent=False), call=relaxed)["eligible"].iloc[0])
    with pytest.raises(ValueError, match="letter_of_intent"):
        screen(pd.DataFrame([firm()]).drop(columns="letter_of_intent"), JEJU)


def test_min_grade_and_not_rated_rules():
    """With a minimum grade BB: A and BB pass, B and NR fail; not-rated may be made ineligible."""
    strict = replace(JEJU, eligibility=replace(JEJU.eligibility, min_grade="BB"))
    out = run(firm(), firm(), firm(), firm(), call=strict, grades=["A", "BB", "B", "NR"])
    assert out["eligible"].tolist() == [True, True, False, False]
    assert "below the minimum BB" in out["reasons"].iloc[2]
    assert run(firm(), grades=["NR"])["eligible"].tolist() == [True]  # jeju: not_rated = zero
    no_nr = replace(JEJU, eligibility=replace(JEJU.eligibility, not_rated="ineligible"))
    assert run(firm(), call=no_nr, grades=["NR"])["eligible"].tolist() == [False]


def test_all_failures_listed():
    """A firm failing several rules gets every reason, in both languages."""
    out = run(firm(ksic="62021", letter_of_intent=False, region="부산광역시 해운대구 센텀로 1"))
    assert out["reasons"].iloc[0].count("; ") == 2
    assert out["reasons_ko"].iloc[0].count("; ") == 2


@pytest.mark.parametrize("call", ["jeju_2025", "sejong_2025"])
def test_bundled_applicants_screened_as_keyed(call):
    """Exactly the screen-outs of the generator's independent answer key are ineligible, and
    each for its keyed reason."""
    frame = read_firms(ROOT / "data" / f"{call}_applicants.xlsx")
    key = pd.read_csv(ROOT / "data" / f"{call}_applicants_key.csv", dtype=str,
                      keep_default_na=False)
    out = pd.concat([frame[["brn"]], screen(frame, load_call(call))], axis=1).merge(key, on="brn")
    assert len(out) == len(frame)
    expected_out = out["expected"].str.startswith("screen-out")
    assert (~out["eligible"] == expected_out).all()
    words = {"no letter of intent": "letter of intent not submitted",
             "branch office": "branch office", "industry outside": "industry outside",
             "not an SME": "not an SME", "outside region": "outside the call's regions",
             "address applying": "outside the call's regions"}
    for expected, reasons in zip(out["expected"], out["reasons"]):
        for word, reason in words.items():
            if word in expected:
                assert reason in reasons, (expected, reasons)


# ---------------------------------------------------------------------------- industry codes
# (issue 14, item 3: both KSIC revisions, lost leading zeros; the concordance rows are the
# official ones of reference/ksic10_to_11.csv)

def _targets(*prefixes):
    return replace(JEJU, eligibility=replace(JEJU.eligibility, ksic_prefixes=prefixes))


def test_a_10th_code_is_decided_on_its_11th_code():
    """10712 빵류 (10th) is 11th 10602: eligible for a call targeting 1060 (bread and
    confectionery), which matched the 10th digits '10712' and said no."""
    out = run(firm(ksic="10712"), firm(ksic="10602"), call=_targets("1060"))
    assert out["eligible"].tolist() == [True, True]
    assert out["ksic11"].tolist() == ["10602", "10602"]


def test_firms_wrongly_eligible_on_their_10th_digits_are_not():
    """10501 액상시유 (10th) is dairy, 11th 10421, not 105 (grain milling) of the 11th; 65131
    건강보험업 moved from division 65 to 84611. Both were eligible on their digits."""
    out = run(firm(ksic="10501"), firm(ksic="65131"), call=_targets("105", "65"))
    assert out["eligible"].tolist() == [False, False]
    assert out["reasons"].tolist() == [
        "industry outside the targets (KSIC 10501, 11th revision 10421)",
        "industry outside the targets (KSIC 65131, 11th revision 84611)"]
    assert out["reasons_ko"].iloc[0] == "육성 대상 업종이 아님 (업종코드 10501, 11차 10421)"


def test_a_lost_zero_is_not_eligible_for_division_11():
    """The issue's case: 1110 (01110 crop growing without its 0) was eligible for Jeju's
    target 11 (beverages). Reaching the screen unvalidated, it is held with both readings."""
    out = run(firm(ksic="1110"))
    assert out["eligible"].tolist() == [False]
    reason = out["reasons"].iloc[0]
    assert reason.startswith("KSIC 1110 may be 11111 (탁주 및 약주 제조업), …, a target, or "
                             "01110 (곡물 및 기타 식량작물 재배업), not a target")
    assert "비대상인 01110 (곡물 및 기타 식량작물 재배업)일 수도" in out["reasons_ko"].iloc[0]


def test_a_split_whose_readings_disagree_is_held_and_one_that_agrees_is_decided():
    """21300 (10th 의료용품) is 11th 21301 체외 진단 시약 or 21309: a call for 21301 cannot
    decide it; 21102 likewise (21100 or 21301). 10801 배합 사료 (10901 or 10902) is food for
    any call targeting 10: decided."""
    out = run(firm(ksic="21300"), firm(ksic="21102"), firm(ksic="21301"),
              call=_targets("21301"))
    assert out["eligible"].tolist() == [False, False, True]
    assert out["ksic11"].tolist() == ["21301, 21309", "21100, 21301", "21301"]
    assert out["reasons"].iloc[0] == (
        "KSIC 21300 may be 21301 (체외 진단 시약 제조업), a target, or 21309 (그 외 기타 의료용품 및 "
        "의약 관련제품 제조업), not a target: state the firm's 5-digit 11th-revision code")
    assert "대상인 21301 (체외 진단 시약 제조업)일 수도" in out["reasons_ko"].iloc[0]
    agreed = run(firm(ksic="10801"))
    assert agreed["eligible"].tolist() == [True] and agreed["ksic11"].iloc[0] == "10901, 10902"


def test_a_code_of_both_revisions_is_read_as_the_11th_with_the_10th_meaning_named():
    """20499 is in both revisions; the 10th's also covered 21301 체외 진단 시약 (now 21):
    read as the 11th (not a Jeju target), the reason names the 10th reading."""
    out = run(firm(ksic="20499"))
    assert out["eligible"].tolist() == [False]
    assert "in the 10th it also covered 21301 (체외 진단 시약 제조업), a target" in \
        out["reasons"].iloc[0]
    assert "10차에서는 대상인 21301 (체외 진단 시약 제조업)도 포함" in out["reasons_ko"].iloc[0]


def test_a_division_wider_than_the_target_is_held():
    """70 (R&D) holds 7011 targets and other subclasses: not decided either way."""
    out = run(firm(ksic="70"), firm(ksic="10"))
    assert out["eligible"].tolist() == [False, True]
    assert out["reasons"].iloc[0].startswith("KSIC 70 may be 70111")
    # 10399 is no code: read as its start, group 103 (10301 김치류 is one of its subclasses)
    out = run(firm(ksic="10399"), firm(ksic="10399"), call=_targets("10301"))
    assert out["ksic11"].tolist() == ["103", "103"] and not out["eligible"].any()
    assert out["reasons"].iloc[0].startswith("KSIC 10399 may be 10301 (김치류 제조업), a target")
    assert run(firm(ksic="10399"))["eligible"].tolist() == [True]


def test_the_sme_ceiling_uses_the_11th_code():
    """65131 건강보험업 (10th, K65) is 84611 (O84) in the 11th: the SME table is read for 84611
    (section O has no row: no ceiling), not for finance (K: 400억원, which 500억원 exceeds)."""
    assert sme_ceiling(pd.Series(["65131"]), JEJU.reference_date)[0].tolist() == [400.0]
    out = run(firm(ksic="65131", revenue=50_000_000.0), firm(ksic="84611", revenue=50_000_000.0),
              call=_targets("84611"))
    assert out["pass_industry"].tolist() == [True, True]
    assert out["pass_sme_size"].tolist() == [True, True]
