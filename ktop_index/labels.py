"""Every Korean label and message of the package's outputs, in one place.

Computation speaks canonical English names (``tech_index``, ``selected``); these tables turn
them into what a Korean reader sees, and back, where text meets a person: writers, printers,
the command line, reports. The data contract's own labels (each field's 한글명) stay with the
field in :mod:`ktop_index.data.contract`; indicator labels stay in the index specification.

Example
-------
>>> SCORE_COLUMNS_KO["tech_index"]
'기업혁신역량지수'
>>> STATUS_KO["waitlist"]
'예비'
"""

from __future__ import annotations


def display_width(text: str) -> int:
    """Columns a text takes on a terminal or in an Excel cell: Hangul and other wide
    characters take two.

    >>> display_width("매출액 ok")
    9
    """
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


DOMAINS_KO = {"infrastructure": "인프라", "input": "투입", "activity": "활동", "outcome": "성과"}


# ---------------------------------------------------------------------------- scores

# Korean labels of the scoring output (--lang ko).
SCORE_COLUMNS_KO = {
    "infrastructure": "인프라", "input": "투입", "activity": "활동", "outcome": "성과",
    "composite": "종합점수", "tech_index": "기업혁신역량지수", "grade": "등급",
    "percentile": "백분위", "industry_percentile": "업종내백분위", "coverage": "자료충족률",
    "contrib_infrastructure": "기여_인프라", "contrib_input": "기여_투입",
    "contrib_activity": "기여_활동", "contrib_outcome": "기여_성과",
    "strength_1": "강점1", "strength_2": "강점2", "weakness_1": "약점1", "weakness_2": "약점2",
    "reasons": "사유",
}


# ---------------------------------------------------------------------------- selection

#: Korean headers of selection.csv / selection.xlsx.
SELECTION_COLUMNS_KO = {
    "brn": "사업자등록번호", "firm_name": "기업명", "status": "선정결과", "rank": "순위",
    "eligible": "신청자격", "reasons": "부적격 사유(영문)",
    "reasons_ko": "부적격 사유",
    **DOMAINS_KO,
    "tech_index": SCORE_COLUMNS_KO["tech_index"], "grade": SCORE_COLUMNS_KO["grade"],
    "committee_score": "발표평가 점수", "bonus_points": "가점", "selection_score": "선정점수",
    "rank_low": "순위 구간 5%", "rank_high": "순위 구간 95%",
    "selection_probability": "선정 확률", "robustness": "선정 안정성",
    "requested": "신청금액(천원)", "support": "지원금(천원)", "self_burden": "기업 자부담(천원)",
    "national_share": "국비(천원)", "local_share": "지방비(천원)",
    "notes": "비고(영문)", "notes_ko": "비고", "selected_by_rank": "순위순 선정 여부",
}
STATUS_KO = {"selected": "선정", "waitlist": "예비", "not_selected": "미선정",
             "ineligible": "부적격"}
ROBUSTNESS_KO = {"robust": "안정", "fragile": "불안정", "often_selected": "자주 선정", "": ""}
#: Notes of a selection row: (English, Korean) templates.
SELECTION_NOTES = {
    "trimmed": ("requested {req:,.0f} 천원, above the cap: support {cap:,.0f}",
                "신청금액 {req:,.0f}천원이 한도 초과: {cap:,.0f}천원 지원"),
    "assumed": ("requested amount not stated: the cap is assumed",
                "신청금액 미기재: 한도액 적용"),
    "revenue": ("revenue unknown: the higher self-burden rate applies",
                "매출액 미기재: 높은 자부담률 적용"),
    "not_rated": ("Tech-Index not rated: no index points", "기업혁신역량지수 미산출: 지수 점수 0점"),
    "no_committee": ("no committee score: 0 committee points", "발표평가 점수 없음: 0점"),
}


# ---------------------------------------------------------------------------- tracking

#: Korean labels of the analyses' columns (``--lang ko``).
TRACKING_COLUMNS_KO = {
    "year": "연도", "tech_index": "기업혁신역량지수", "grade": "등급", "infrastructure": "인프라",
    "input": "투입", "activity": "활동", "outcome": "성과", "composite": "종합점수",
    "revenue": "매출액(천원)", "employees": "상시근로자 수", "change": "전년대비 변화",
    **{f"contrib_change_{d}": f"변화기여_{k}" for d, k in
       (("infrastructure", "인프라"), ("input", "투입"), ("activity", "활동"),
        ("outcome", "성과"), ("other", "기타"))},
    "previous_year": "직전연도", "grade_move": "등급변동", "run": "채점회차",
    "model_sha256": "모델 sha256", "ksic_division": "업종(중분류)", "industry": "업종명", "region": "지역(시도)",
    "n": "기업수", "p25": "제1사분위수", "median": "중앙값", "p75": "제3사분위수",
    "unit": "단위", "horizon": "기간", "n_pairs": "매칭쌍 수", "n_controls": "비교기업 수",
    "treated_pre": "지원기업_지원전", "treated_post": "지원기업_지원후",
    "control_pre": "비교기업_지원전", "control_post": "비교기업_지원후", "did": "이중차분 효과",
    "se": "표준오차", "ci_low": "신뢰구간_하한", "ci_high": "신뢰구간_상한",
    "n_unmatched": "미매칭 지원기업 수", "assumptions": "가정", "brn": "사업자등록번호",
    "firm_name": "기업명", "base_year": "지원전 연도", "last_year": "최근연도",
    "tech_index_base": "지수_지원전", "tech_index_previous": "지수_직전",
    "tech_index_last": "지수_최근", "revenue_base": "매출액_지원전(천원)",
    "revenue_previous": "매출액_직전(천원)", "revenue_last": "매출액_최근(천원)",
    "employees_base": "근로자수_지원전", "employees_previous": "근로자수_직전",
    "employees_last": "근로자수_최근", "index_drop": "지수하락", "revenue_drop": "매출감소",
    "employment_drop": "고용감소", "data_stopped": "자료중단", "flags": "경보",
}
#: Korean words for the coded values of the analyses (outcomes, units).
TRACKING_VALUES_KO = {"tech_index": "기업혁신역량지수", "revenue": "매출액", "employees": "상시근로자 수",
                      "points": "점", "KRW thousand (천원)": "천원", "persons": "명", "same": "유지"}


# ---------------------------------------------------------------------------- data

#: Why a business number is invalid, in Korean (keys: the English reason's words).
BRN_WHY_KO = {
    "is not 10 digits": "10자리가 아님",
    "the first three digits are below 101": "앞 3자리가 101 미만",
    "the type code (digits 4-5) is 00": "구분코드(4~5번째 자리)가 00",
    "the serial number (digits 6-9) is 0000": "일련번호(6~9번째 자리)가 0000",
    "check digit": "검증번호 불일치",
}


# ---------------------------------------------------------------------------- report


# ---------------------------------------------------------------------------- cli
