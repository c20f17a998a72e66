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
#: The Korean score headers read back to the canonical names (a `ktop score --lang ko` file).
SCORE_HEADERS_BACK = {ko: en for en, ko in SCORE_COLUMNS_KO.items()}
#: The score columns that hold reasons: an indicator's English label from the spec, or "".
REASON_COLUMNS = ("strength_1", "strength_2", "weakness_1", "weakness_2")


def localise_reasons(frame, lang: str, reason_labels_ko: dict[str, str]):
    """A scored pandas frame with its reasons in ``lang`` (column names left English).

    ``reason_labels_ko``: English label -> Korean (``index.spec.indicator_labels_ko(spec)``);
    a label it lacks stays as it is. A categorical column keeps its codes and gets renamed
    categories, so its written bytes are those of a frame scored in Korean.

    >>> import pandas as pd
    >>> scored = pd.DataFrame({"strength_1": pd.Categorical(["patents", ""])})
    >>> localise_reasons(scored, "ko", {"patents": "특허", "": ""})["strength_1"].tolist()
    ['특허', '']
    """
    if lang != "ko":
        return frame
    changed = {}
    for column in (c for c in REASON_COLUMNS if c in frame):
        values = frame[column]
        if values.dtype == "category":
            changed[column] = values.cat.rename_categories(
                [reason_labels_ko.get(v, v) for v in values.cat.categories])
        else:
            changed[column] = values.map(lambda v: reason_labels_ko.get(v, v))
    return frame.assign(**changed) if changed else frame


def localise_scores(frame, lang: str, reason_labels_ko: dict[str, str],
                    field_labels_ko: dict[str, str] | None = None):
    """A scored pandas frame as a reader of ``lang`` sees it: for ``'ko'``, the reasons in
    Korean (:func:`localise_reasons`) and the columns under :data:`SCORE_COLUMNS_KO` and
    ``field_labels_ko`` (the identity columns' 한글명, from the data contract); unchanged for
    ``'en'``.

    >>> import pandas as pd
    >>> scored = pd.DataFrame({"brn": ["124-81-00998"], "tech_index": [101.5]})
    >>> localise_scores(scored, "ko", {}, {"brn": "사업자등록번호"}).columns.tolist()
    ['사업자등록번호', '기업혁신역량지수']
    """
    if lang != "ko":
        return frame
    names = {**(field_labels_ko or {}), **SCORE_COLUMNS_KO}
    return localise_reasons(frame, lang, reason_labels_ko).rename(columns=names)


def localise_score_table(table, lang: str, reason_labels_ko: dict[str, str],
                         field_labels_ko: dict[str, str] | None = None):
    """:func:`localise_scores` for a pyarrow Table (a block of a streamed scores file):
    reasons held as dictionaries get Korean dictionaries (same indices), columns Korean
    names. The written bytes equal those of the localised pandas frame.
    """
    if lang != "ko":
        return table
    import pyarrow as pa

    for column in (c for c in REASON_COLUMNS if c in table.column_names):
        k = table.column_names.index(column)
        chunks = [_localised_chunk(chunk, reason_labels_ko, pa)
                  for chunk in table.column(k).chunks]
        table = table.set_column(k, column, pa.chunked_array(chunks, table.column(k).type))
    names = {**(field_labels_ko or {}), **SCORE_COLUMNS_KO}
    return table.rename_columns([names.get(c, c) for c in table.column_names])


def _localised_chunk(chunk, labels: dict[str, str], pa):
    if pa.types.is_dictionary(chunk.type):
        words = [labels.get(v, v) for v in chunk.dictionary.to_pylist()]
        return pa.DictionaryArray.from_arrays(chunk.indices,
                                              pa.array(words, chunk.dictionary.type))
    return pa.array([labels.get(v, v) for v in chunk.to_pylist()], chunk.type)


def localise_gains(gains, lang: str, labels_ko: dict[str, str]):
    """A table of gains (``index.explain.indicator_gains``) with its ``label`` column in
    ``lang``; ``labels_ko``: English label -> Korean."""
    if lang != "ko" or "label" not in gains:
        return gains
    return gains.assign(label=[labels_ko.get(v, v) for v in gains["label"]])


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
#: Money columns of a selection table, in KRW thousand (천원).
SELECTION_MONEY_COLUMNS = ("requested", "support", "self_burden", "national_share",
                           "local_share")
#: English headers of selection.xlsx: the column names, money naming its unit.
SELECTION_COLUMNS_EN = {c: c for c in SELECTION_COLUMNS_KO} | {
    c: f"{c} (KRW thousand)" for c in SELECTION_MONEY_COLUMNS}
#: The eligible column in Korean (신청자격).
ELIGIBLE_KO = {True: "적격", False: "부적격"}
#: Sheet name of selection.xlsx.
SELECTION_SHEET = {"en": "selection", "ko": "선정결과"}
#: Documents a call may require: (English, Korean) names.
DOCUMENT_LABELS = {"letter_of_intent": ("letter of intent", "참여의향서"),
                   "sme_confirmed": ("SME certificate", "중소기업확인서")}
#: Why a firm is ineligible, per rule: (English, Korean) templates.
ELIGIBILITY_REASONS = {
    "brn": ("invalid business number ({why})", "사업자등록번호 오류 ({why})"),
    "branch": ("branch office (BRN type code 85): apply with the head office's number",
               "지점 사업자(구분코드 85): 본점 사업자등록번호로 신청 필요"),
    "not_business": ("not a for-profit business (BRN type code {code})",
                     "영리 사업자가 아님 (사업자등록번호 구분코드 {code})"),
    "region": ("outside the call's regions ({where})", "지원 대상 지역이 아님 ({where})"),
    "region_unknown": ("location missing", "소재지 없음"),
    "industry": ("industry outside the targets (KSIC {ksic})",
                 "육성 대상 업종이 아님 (업종코드 {ksic})"),
    "industry_unknown": ("industry code missing", "업종코드 없음"),
    "sme_revenue": (("not an SME: average revenue {rev:,.0f}억원 above the {ceil:,.0f}억원 "
                    "ceiling of its industry"), ("중소기업 아님: 평균매출액 {rev:,.0f}억원이 업종 "
                    "기준 {ceil:,.0f}억원 초과")),
    "sme_assets": ("not an SME: total assets {assets:,.0f}억원, at or above 5,000억원",
                   "중소기업 아님: 자산총액 {assets:,.0f}억원 (5,000억원 이상)"),
    "sme_unknown": ("SME status cannot be checked (no revenue and no SME certificate)",
                    "중소기업 여부 확인 불가 (매출액·중소기업확인서 없음)"),
    "document": ("{doc_en} not submitted", "{doc_ko} 미제출"),
    "min_grade": ("Tech-Index grade {grade} below the minimum {minimum}",
                  "기업혁신역량지수 등급 {grade}: 최소 등급 {minimum} 미달"),
    "not_rated": ("Tech-Index not rated (too little data)",
                  "기업혁신역량지수 산출 불가 (자료 부족)"),
}
#: The summary ``ktop select`` prints: (English, Korean) templates.
SELECTION_SUMMARY = {
    "counts": (
        ("{title}: {applicants} applicants — {selected} selected, {waitlist} waitlist, "
         "{not_selected} not selected, {ineligible} ineligible"),
        ("{title}: 신청 {applicants}개사 — 선정 {selected}, 예비 {waitlist}, 미선정 "
         "{not_selected}, 부적격 {ineligible}")),
    "money": (
        ("support {support:,.0f} 천원 (national {national_share:,.0f}, local "
         "{local_share:,.0f}) of a budget of {budget:,.0f} 천원, {remaining:,.0f} left; "
         "self-burden {self_burden:,.0f} 천원"),
        ("지원금 {support:,.0f}천원 (국비 {national_share:,.0f}, 지방비 {local_share:,.0f}) / "
         "예산 {budget:,.0f}천원, 잔액 {remaining:,.0f}천원; 기업 자부담 {self_burden:,.0f}천원")),
    "robustness": ("robustness ({variants} variants): {fragile} fragile selection(s)",
                   "선정 안정성 ({variants}개 변형): 불안정 선정 {fragile}개사"),
    "fragile_firm": ("\n  - {firm_name} ({brn}) selection_probability {probability:.0%}",
                     "\n  - {firm_name} ({brn}) 선정 확률 {probability:.0%}"),
    "often": ("\n{often} not selected but often selected (selection_probability >= 50%)",
              "\n미선정이나 자주 선정된 기업 {often}개사 (선정 확률 50% 이상)"),
    "no_committee": (
        "no committee scores: ranked by the Tech-Index alone (give them with --committee)",
        "발표평가 점수 없음: 기업혁신역량지수만으로 순위 산정 (--committee로 반영)"),
    "optimal": (
        ("optimal mode: {added} added, {dropped} dropped vs. rank order (total score "
         "{by_rank} -> {optimal})"),
        "최적 선정: 추가 {added} / 제외 {dropped}개사 (총점 {by_rank} → {optimal})"),
    "difference": ("  {sign} {firm_name} ({brn}) #{rank}, requested {requested:,.0f} 천원",
                   "  {sign} {firm_name} ({brn}) #{rank}, 신청 {requested:,.0f} 천원"),
}

#: Headers people also type for a selection table's columns (read back, never written).
SELECTION_HEADER_ALIASES_KO = {"사업자번호": "brn", "선정여부": "status", "상태": "status",
                               "지원금": "support", "지원금액": "support"}
#: Any header a selection table may carry (Korean, English with its unit, the scoring
#: output's Korean) -> the column's canonical name: the one reverse map of a selection table.
SELECTION_HEADERS_BACK = (
    dict(SELECTION_HEADER_ALIASES_KO)
    | {ko: en for en, ko in SCORE_COLUMNS_KO.items()}
    | {ko: en for en, ko in SELECTION_COLUMNS_KO.items()}
    | {label: en for en, label in SELECTION_COLUMNS_EN.items()})
#: Korean words of a selection table's coded values -> the canonical value, per column.
SELECTION_VALUES_BACK = {
    "status": {ko: en for en, ko in STATUS_KO.items()}
    | {"예비선정": "waitlist", "탈락": "not_selected", "자격미달": "ineligible"},
    "robustness": {ko: en for en, ko in ROBUSTNESS_KO.items() if ko},
}
#: Words read as yes in a selection table's eligible column (compared in lower case).
YES_WORDS = frozenset({"true", "1", "yes", "y", "예", "적격", "o"})


def is_yes(value: object) -> bool:
    """Whether a cell of the eligible column says yes: a :data:`YES_WORDS` text, or a true value.

    >>> is_yes("적격"), is_yes(" Yes "), is_yes("부적격"), is_yes(True)
    (True, True, False, True)
    """
    if isinstance(value, str):
        return value.strip().lower() in YES_WORDS
    return bool(value)


def selection_in_english(frame):
    """A selection table (a pandas DataFrame) with canonical English column names and values,
    whichever language it was written in (``ktop select --lang ko`` writes Korean headers and
    words); a header whose English name is already a column stays as it is.

    >>> import pandas as pd
    >>> back = selection_in_english(pd.DataFrame({"선정결과": ["예비"], "신청자격": ["적격"]}))
    >>> back.to_dict("records")
    [{'status': 'waitlist', 'eligible': True}]
    """
    out = frame.rename(columns={c: SELECTION_HEADERS_BACK[c] for c in frame.columns
                                if c in SELECTION_HEADERS_BACK
                                and SELECTION_HEADERS_BACK[c] not in frame.columns})
    for column, words in SELECTION_VALUES_BACK.items():
        if column in out:
            out[column] = out[column].fillna("").astype("str").replace(words)
    if "eligible" in out and out["eligible"].dtype.kind != "b":
        out["eligible"] = out["eligible"].map(is_yes)
    return out


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
#: Columns of the support-effect table whose Korean label differs from the other analyses'
#: (its ``outcome`` is the outcome measured, not the outcome domain).
EFFECT_COLUMNS_KO = {"outcome": "성과지표"}
#: The assumptions of the support effect (``support_effect``'s ``assumptions``), in English.
EFFECT_ASSUMPTIONS = (
    "ATT of support by difference-in-differences on nearest-neighbour matched applicants. "
    "Assumes: (1) parallel trends - without support a supported firm would have changed as "
    "its matched unsupported applicant did; (2) selection depended only on what matching "
    "uses (pre-support Tech-Index and size) and on fixed firm traits the differencing "
    "removes; (3) no spill-over to unsupported applicants; (4) firms whose data stopped are "
    "missing at random. Controls are eligible applicants not supported (waitlist, "
    "not_selected); matching is 1:1 with replacement within a caliper; the interval is a "
    "percentile bootstrap over matched sets (a control with the supported firms matched to it), "
    "keeping the matches fixed (it leaves out the uncertainty of the matching itself); the "
    "pair differences are bias-adjusted for the remaining covariate gap by a linear "
    "regression among unsupported applicants."
)
#: The same assumptions in Korean.
EFFECT_ASSUMPTIONS_KO = (
    "지원기업 평균처리효과(ATT): 지원 전 기업혁신역량지수와 규모로 최근접 매칭한 미지원 신청기업과의 "
    "이중차분 추정. 가정: (1) 평행추세 - 지원이 없었다면 지원기업도 매칭된 미지원 기업과 같은 만큼 "
    "변했을 것; (2) 선정은 매칭에 쓴 지원 전 지수·규모와, 차분으로 없어지는 고정된 기업 특성에만 "
    "달려 있었을 것; (3) 미지원 신청기업에 대한 파급효과가 없을 것; (4) 자료가 끊긴 기업은 무작위로 "
    "빠졌을 것. 비교기업은 선정되지 않은 적격 신청기업(예비, 미선정)이며, 복원 1:1 매칭(캘리퍼 "
    "이내), 남은 공변량 차이는 미지원 기업 회귀로 보정, 신뢰구간은 매칭 집합 단위 부트스트랩(매칭 "
    "자체의 불확실성은 제외)."
)
#: Monitoring flags in words: (English, Korean) templates. ``{points}``: Tech-Index points
#: (``10``), ``{share}``: a share as a percentage (``20%``), ``{year}``: the last year with data.
MONITOR_FLAGS = {
    "index_drop": ("Tech-Index down {points}+ points", "지수 {points}점 이상 하락"),
    "revenue_drop": ("revenue down {share}+", "매출 {share} 이상 감소"),
    "employment_drop": ("employment down {share}+", "고용 {share} 이상 감소"),
    "data_stopped": ("no data after {year}", "{year}년 이후 자료 없음"),
    "no_data": ("no data at all", "자료 없음"),
}


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

#: The words of the HTML reports (``ktop report``), per language.
REPORT_TEXT = {
    "en": {
        "sel_title": "Selection report: {call}", "generated": "Generated",
        "model": "Model", "package": "ktop_index version",
        "counts": "Counts", "applicants": "applicants", "eligible": "eligible",
        "selected": "selected", "waitlist": "waitlist", "not_selected": "not selected",
        "ineligible": "ineligible", "support_total": "total support of the selected (KRW thousand)",
        "requested_total": "total requested by the selected (KRW thousand)",
        "budget": "budget of the call (KRW thousand)", "rank_word": "rank",
        "p_word": "selected in",
        "pictures": "Pictures", "ranked": "Ranked applicants",
        "ranked_note": "Rank 1 is the best eligible applicant; the rank interval is the 5th-95th "
                       "percentile of the rank when the selection is re-run under perturbed "
                       "weights and scores; money in KRW thousand (천원).",
        "ineligible_title": "Ineligible applicants", "reasons": "reasons",
        "robustness": "Robustness findings", "audit": "Audit record",
        "fragile": "Fragile: selected, but not in many of the perturbed selections",
        "often": "Often selected: not selected, but selected in many perturbed selections",
        "none": "none", "robust_counts": "applicants by robustness verdict",
        "rank_interval": "rank interval", "firm": "firm",
        "cutoff_note": "The last funded rank is {rank}; its selection score {score:.2f} is the "
                       "cut-off marked in the distribution.",
        "firm_title": "Report card: {name}", "index": "Tech-Index (base 100)",
        "grade": "grade", "percentile": "percentile in the reference population (%)",
        "industry_percentile": "percentile within the industry (%)",
        "coverage": "data coverage (share of indicator weight with data)",
        "year": "year", "ksic": "KSIC code", "brn": "business registration number",
        "domains": "Domain scores (0-100)", "domain": "domain", "score": "score",
        "industry": "industry median", "contribution": "contribution to index - 100 (points)",
        "reasons_title": "Reasons", "strengths": "Strengths (above industry peers)",
        "weaknesses": "Weaknesses (below industry peers)",
        "trajectory": "Trajectory", "no_trajectory": "Only one year of data: no trajectory.",
        "no_track": "The tracking module is not available: trajectory from the scores file.",
        "raise": "What would raise the index most",
        "raise_note": "Each indicator moved, alone, to the industry peers' median score (or 10 "
                      "points up, at most 100, where the firm is already at or above it); "
                      "the gain is the change of the Tech-Index when the firm is re-scored "
                      "with the model's goalposts and weights.",
        "raise_domain_note": "The scores file has no indicator detail (score the firm's data "
                             "file for it): each domain moved 10 points up, alone.",
        "indicator": "indicator", "current": "current score (0-100)",
        "peer_median": "peer median (0-100)", "target": "target score (0-100)",
        "gain": "index gain (points)", "no_data": "no data",
        "not_rated": "Not rated: the data cover {coverage:.0%} of the indicator weight, below "
                     "the {minimum:.0%} needed.",
        "distribution": "Where the firm stands among the firms of the file",
    },
    "ko": {
        "sel_title": "선정 결과 보고서: {call}", "generated": "작성 시각",
        "model": "모형", "package": "ktop_index 버전",
        "counts": "집계", "applicants": "신청기업", "eligible": "자격 충족",
        "selected": "선정", "waitlist": "예비", "not_selected": "미선정", "ineligible": "부적격",
        "support_total": "선정기업 지원금액 합계 (천원)",
        "requested_total": "선정기업 신청금액 합계 (천원)",
        "budget": "사업 예산 (천원)", "rank_word": "순위", "p_word": "선정 확률",
        "pictures": "그림", "ranked": "순위표",
        "ranked_note": "순위 1은 자격을 충족한 신청기업 중 최상위입니다. 순위 구간은 가중치와 "
                       "점수를 흔들어 선정을 반복했을 때 순위의 5-95 백분위입니다. 금액 단위는 "
                       "천원입니다.",
        "ineligible_title": "부적격 신청기업", "reasons": "사유",
        "robustness": "선정 안정성 점검", "audit": "감사 기록",
        "fragile": "불안정: 선정되었으나 조건을 흔든 선정에서 자주 빠지는 기업",
        "often": "자주 선정: 미선정이나 조건을 흔든 선정에서 자주 선정되는 기업",
        "none": "없음", "robust_counts": "안정성 판정별 기업 수",
        "rank_interval": "순위 구간", "firm": "기업",
        "cutoff_note": "마지막 지원 순위는 {rank}위이며, 그 선정 점수 {score:.2f}점을 분포 "
                       "그림에 기준선으로 표시했습니다.",
        "firm_title": "기업 진단표: {name}", "index": "기업혁신역량지수 (기준 100)",
        "grade": "등급", "percentile": "기준 모집단 내 백분위 (%)",
        "industry_percentile": "업종 내 백분위 (%)",
        "coverage": "자료충족률 (자료가 있는 지표 가중치 비율)",
        "year": "기준연도", "ksic": "업종코드", "brn": "사업자등록번호",
        "domains": "영역별 점수 (0-100점)", "domain": "영역", "score": "점수",
        "industry": "업종 중앙값", "contribution": "지수(100 기준) 기여 (점)",
        "reasons_title": "평가 근거", "strengths": "강점 (업종 대비 높은 지표)",
        "weaknesses": "약점 (업종 대비 낮은 지표)",
        "trajectory": "연도별 추이", "no_trajectory": "한 해 자료뿐이라 추이가 없습니다.",
        "no_track": "추적 모듈이 없어 점수 파일의 연도별 자료로 추이를 그렸습니다.",
        "raise": "지수를 가장 많이 올릴 수 있는 지표",
        "raise_note": "각 지표를 하나씩 업종 동료기업의 중앙값 점수까지 (이미 그 이상이면 10점, "
                      "최대 100점까지) 올렸을 때, 모형의 기준점과 가중치로 다시 계산한 "
                      "기업혁신역량지수의 상승폭입니다.",
        "raise_domain_note": "점수 파일에는 지표별 점수가 없어 (기업 자료 파일을 주면 지표별로 "
                             "계산합니다) 각 영역을 10점씩 올렸을 때의 상승폭을 보였습니다.",
        "indicator": "지표", "current": "현재 점수 (0-100)",
        "peer_median": "업종 중앙값 (0-100)", "target": "목표 점수 (0-100)",
        "gain": "지수 상승 (점)", "no_data": "자료 없음",
        "not_rated": "등급 외: 자료충족률 {coverage:.0%}가 기준 {minimum:.0%}에 못 미칩니다.",
        "distribution": "파일 내 기업들 가운데 이 기업의 위치",
    },
}
#: Every text a figure shows (:mod:`ktop_index.report.plots`), per language.
PLOT_TEXT = {
    "en": {
        "infrastructure": "Infrastructure", "input": "Input", "activity": "Activity",
        "outcome": "Outcome", "industry": "industry median", "selected_group": "selected median",
        "radar_title": "Four innovation domains: {name}", "domain_unit": "domain score (0-100)",
        "traj_title": "Tech-Index over the years: {name}", "year": "year",
        "tech_index": "Tech-Index (base 100)", "grade_band": "grade band",
        "dist_title": "Distribution of the {what} (n = {n})", "firms": "number of firms",
        "cutoff": "cut-off {value:.1f}", "selection_score": "selection score (0-100)",
        "ind_title": "Tech-Index by industry (KSIC division, n ≥ {k})",
        "year_title": "Tech-Index by year", "ref_mean": "reference mean (100)",
        "median": "median",
        "division": "KSIC division (number of firms)",
        "sel_title": "Selection: score and rank interval ({call})",
        "rank": "rank (1 = best eligible applicant)",
        "rank_interval": "rank interval (5th-95th percentile)",
        "budget": "budget line (last funded rank {rank})",
        "ineligible_note": "{n} ineligible applicants not shown (no rank)",
        "selected": "selected", "waitlist": "waitlist", "not_selected": "not selected",
        "ineligible": "ineligible",
        "calib_title": "Calibration of the {what} model",
        "high_growth": "high-growth", "sustainable_growth": "sustainable-growth",
        "predicted": "predicted probability (0-1)", "observed": "observed rate (0-1)",
        "perfect": "perfect calibration", "bins": "bins (size = firms)",
        "grade_title": "Growth rates by grade", "grade": "grade",
        "rate": "share of firms (%)", "high_growth_rate": "high-growth rate",
        "sustainable_rate": "sustainable-growth rate",
        "effect_title": "Effect of support: matched difference-in-differences (95 % interval)",
        "effect_est": "estimated effect and 95 % interval", "effect_truth": "true effect",
        "horizon": "years after support", "horizon_all": "all",
        "effect_tech_index": "Tech-Index (points)", "effect_revenue": "revenue (KRW thousand)",
        "effect_employees": "employees (persons)", "effect_unit": "effect per supported firm",
    },
    "ko": {
        "infrastructure": "인프라", "input": "투입", "activity": "활동", "outcome": "성과",
        "industry": "업종 중앙값", "selected_group": "선정기업 중앙값",
        "radar_title": "4대 혁신역량 영역: {name}", "domain_unit": "영역 점수 (0-100점)",
        "traj_title": "연도별 기업혁신역량지수: {name}", "year": "연도",
        "tech_index": "기업혁신역량지수 (기준 100)", "grade_band": "등급 구간",
        "dist_title": "{what} 분포 (n = {n})", "firms": "기업 수 (개)",
        "cutoff": "선정 기준선 {value:.1f}", "selection_score": "선정 점수 (0-100점)",
        "ind_title": "업종별 기업혁신역량지수 (KSIC 중분류, {k}개 기업 이상)",
        "year_title": "연도별 기업혁신역량지수", "ref_mean": "기준 평균 (100)",
        "median": "중앙값",
        "division": "KSIC 중분류 (기업 수)",
        "sel_title": "선정 결과: 점수와 순위 구간 ({call})",
        "rank": "순위 (1 = 적격 신청기업 중 최상위)",
        "rank_interval": "순위 구간 (5-95 백분위)",
        "budget": "예산 한도선 (마지막 지원 순위 {rank})",
        "ineligible_note": "부적격 {n}개 기업은 순위가 없어 표시하지 않음",
        "selected": "선정", "waitlist": "예비", "not_selected": "미선정", "ineligible": "부적격",
        "calib_title": "{what} 예측모형의 보정도",
        "high_growth": "고성장", "sustainable_growth": "지속성장",
        "predicted": "예측 확률 (0-1)", "observed": "실제 비율 (0-1)",
        "perfect": "완전 보정선", "bins": "구간 (크기 = 기업 수)",
        "grade_title": "등급별 성장 기업 비율", "grade": "등급",
        "rate": "기업 비율 (%)", "high_growth_rate": "고성장 비율",
        "sustainable_rate": "지속성장 비율",
        "effect_title": "지원 효과: 매칭 이중차분 추정 (95% 신뢰구간)",
        "effect_est": "추정 효과와 95% 신뢰구간", "effect_truth": "실제 효과",
        "horizon": "지원 후 기간", "horizon_all": "전체",
        "effect_tech_index": "기업혁신역량지수 (점)", "effect_revenue": "매출액 (천원)",
        "effect_employees": "상시근로자 수 (명)", "effect_unit": "지원기업당 효과",
    },
}


# ---------------------------------------------------------------------------- cli

#: Column titles of ``ktop schema --lang ko`` (keys: the data dictionary's, the English titles).
SCHEMA_TITLES_KO = {"name": "항목", "label_ko": "한글명", "type": "형식", "unit": "단위",
                    "allowed": "허용값", "required": "필수", "meaning": "설명"}
#: The command line's own words: (English, Korean); ``{names}`` are filled in by the command.
CLI_WORDS = {
    "wrote": ("wrote ", "작성: "),
    "validate_summary": ("{file}: {rows} rows, {errors} errors, {warnings} warnings",
                         "{file}: {rows}행, 오류 {errors}건, 경고 {warnings}건"),
    "unmatched": ("Supported firms left out of the estimate (no comparable control) ",
                  "매칭되지 않아 추정에서 빠진 지원기업 "),
}
