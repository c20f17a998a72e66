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
    "reasons_ko": "부적격 사유", "ksic": "업종코드", "ksic11": "업종코드(11차)",
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
    # --allow-partial (ktop_index.selection.committee): what it let through, per firm
    "committee_left_out": (("incomplete committee scores of {evaluators} left out "
                            "(--allow-partial)"),
                           "미완료 발표평가 점수 제외: {evaluators} (--allow-partial)"),
    "committee_fewer": ("committee score from {count} of {size} evaluators (--allow-partial)",
                        "평가위원 {size}명 중 {count}명의 점수로 산정 (--allow-partial)"),
}
#: The end of a committee problem that --allow-partial could let through: said on the error
#: (what the option would do) and on the warning it becomes (what it did), by kind.
COMMITTEE_PARTIAL_HINTS = {
    ("left_out", "error"): (("; --allow-partial leaves this evaluator's scores of the firm "
                             "out, noted"),
                            "; --allow-partial이면 이 위원의 해당 기업 점수를 제외하고 비고에 기록"),
    ("left_out", "warning"): (("; this evaluator's scores of the firm are left out "
                               "(--allow-partial)"), "; 이 위원의 해당 기업 점수 제외 (--allow-partial)"),
    ("fewer", "error"): ("; --allow-partial scores it from its evaluators, noted",
                         "; --allow-partial이면 채점한 위원들의 점수로 산정하고 비고에 기록"),
    ("fewer", "warning"): ("; scored from its evaluators (--allow-partial)",
                           "; 채점한 위원들의 점수로 산정 (--allow-partial)"),
    ("zero", "error"): ("; --allow-partial gives them 0 committee points, noted",
                        "; --allow-partial이면 발표평가 0점으로 비고에 기록"),
    ("zero", "warning"): ("; they get 0 committee points (--allow-partial)",
                          "; 발표평가 0점 처리 (--allow-partial)"),
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
#: Comparing two firms of a selection (:mod:`ktop_index.report.compare`, the page's
#: comparison): (English, Korean) texts. ``{above}``/``{below}``: "name (business number)".
COMPARE_TEXT = {
    "score": (("{above} ranks above {below}: selection score {high:.2f} against {low:.2f} "
               "({gap:+.2f} points); the largest difference is {part} ({part_gap:+.2f} points)."),
              ("{above}이(가) {below}보다 순위가 높습니다: 선정점수 {high:.2f}점 대 {low:.2f}점"
               "({gap:+.2f}점), 가장 큰 차이는 {part}({part_gap:+.2f}점)입니다.")),
    "tie": (("{above} ranks above {below}: equal selection scores ({score:.2f}){equal}; the "
             "call's tie-break rule {k}, {rule}, decides ({high} against {low})."),
            ("{above}이(가) {below}보다 순위가 높습니다: 선정점수가 같고({score:.2f}점){equal} "
             "공고의 동점자 처리 {k}순위 기준인 '{rule}'(으)로 정해졌습니다 ({high} 대 {low}).")),
    "equal": ("; equal {what} too", ", {what}도 같아"),
    "tech_shown": ((" The Tech-Index agrees only to the two decimals shown: a finer difference "
                    "there would have decided first."),
                   (" 기업혁신역량지수는 보이는 소수 둘째 자리까지만 같습니다: 그보다 작은 차이가 "
                    "있었다면 그것이 먼저 순위를 정했습니다.")),
    "hidden": (("{above} ranks above {below}: their scores agree to the digits shown; the "
                "difference is finer (the ranks are the decision's)."),
               ("{above}이(가) {below}보다 순위가 높습니다: 보이는 자릿수까지 점수가 같으며, "
                "차이는 그보다 작은 자리에 있습니다 (순위는 선정 결과 그대로입니다).")),
    "ineligible": ("{above} ranks above {below}: {below} is ineligible ({reasons}).",
                   ("{above}이(가) {below}보다 앞섭니다: {below}은(는) 신청자격이 없습니다 "
                    "({reasons}).")),
    "both_ineligible": (("Neither firm is ranked: both are ineligible ({a}: {reasons_a}; {b}: "
                         "{reasons_b})."),
                        ("두 기업 모두 신청자격이 없어 순위가 없습니다 ({a}: {reasons_a}; {b}: "
                         "{reasons_b}).")),
    "same": ("the two firms are the same ({brn}): choose two different firms",
             "같은 기업({brn})입니다: 서로 다른 두 기업을 고르십시오"),
    "unknown": (("firm {brn} is not in the selection table ({n} applicants): choose a business "
                 "number of an applicant"),
                ("기업 {brn}이(가) 선정 결과에 없습니다 (신청기업 {n}개사): 신청기업의 "
                 "사업자등록번호를 고르십시오")),
    "rule_committee_score": ("higher committee score", "발표평가 점수가 높은 기업"),
    "rule_tech_index": ("higher Tech-Index", "기업혁신역량지수가 높은 기업"),
    "rule_requested": ("lower support requested (after the cap, KRW thousand)",
                       "신청 지원금(한도 적용 후, 천원)이 적은 기업"),
    "rule_brn": ("lower business number", "사업자등록번호가 앞선 기업"),
    "what_committee_score": ("committee score", "발표평가 점수"),
    "what_tech_index": ("Tech-Index", "기업혁신역량지수"),
    "what_requested": ("support requested", "신청 지원금"),
    "part_index": ("index points × weight {weight:.2f}", "지수 점수 × 가중치 {weight:.2f}"),
    "part_index_only": ("index points (composite, 0-100)", "지수 점수 (종합점수, 0-100점)"),
    "part_committee": ("committee score × weight {weight:.2f}",
                       "발표평가 점수 × 가중치 {weight:.2f}"),
    "part_committee_plain": ("committee score", "발표평가 점수"),
    "part_grade_bonus": ("grade bonus points", "등급 가점"),
    "part_bonus": ("bonus points (가점)", "가점"),
    "part_total": ("selection score (0-100 plus bonus)", "선정점수 (0-100점 + 가점)"),
    "tech_index": ("Tech-Index (base 100)", "기업혁신역량지수 (기준 100)"),
    "committee_score": ("committee score (0-100)", "발표평가 점수 (0-100점)"),
    "domain_note": ("domain scores 0-100; difference = A - B",
                    "영역 점수 0-100점; 차이 = A - B"),
    "use_weight": (("selection score = {w_t:.2f} × index points (composite, 0-100) + {w_c:.2f} "
                    "× committee score + bonus points"),
                   ("선정점수 = {w_t:.2f} × 지수 점수(종합점수, 0-100점) + {w_c:.2f} × 발표평가 "
                    "점수 + 가점")),
    "use_index_only": (("selection score = index points (composite, 0-100) + bonus points "
                        "(no committee scores: the index alone)"),
                       ("선정점수 = 지수 점수(종합점수, 0-100점) + 가점 (발표평가 점수가 없어 "
                        "지수만 반영)")),
    "use_bonus": ("selection score = committee score + grade bonus points + bonus points",
                  "선정점수 = 발표평가 점수 + 등급 가점 + 가점"),
    "use_min_grade": (("selection score = committee score + bonus points; the grade ({grade} "
                       "or better) is an eligibility rule"),
                      "선정점수 = 발표평가 점수 + 가점; 등급({grade} 이상)은 신청자격 요건입니다"),
    "not_ranked": ("not ranked", "순위 없음"),
}
#: The page's firm card, comparison and history tab (:mod:`ktop_index.app.firms`,
#: :mod:`ktop_index.app.history`): (English, Korean) texts.
APP_FIRMS_TEXT = {
    "card_title": ("Report card: {name}", "기업 보고서: {name}"),
    "headline": (("rank {rank} · {status} · Tech-Index {index} (grade {grade}) · selection score "
                  "{score}"),
                 ("순위 {rank} · {status} · 기업혁신역량지수 {index} ({grade} 등급) · "
                  "선정점수 {score}")),
    "needs_data": (("Strengths, weaknesses and what would raise the index need the applicants' "
                    "data (upload it in the selection tab)."),
                   ("강점·약점과 지수를 올릴 방법은 신청기업 자료가 있어야 보입니다 (선정 탭에서 "
                    "올리십시오).")),
    "pick_firm": ("Firm", "기업"),
    "pick_a": ("Firm A", "기업 A"), "pick_b": ("Firm B", "기업 B"),
    "compare_title": ("Side by side: {a} and {b}", "나란히 비교: {a} · {b}"),
    "domains_table": ("Domain scores (0-100) and the Tech-Index (base 100)",
                      "영역 점수(0-100점)와 기업혁신역량지수(기준 100)"),
    "parts_table": ("How each selection score is built (points)", "선정점수의 구성 (점)"),
    "item": ("item", "항목"), "difference": ("difference (A - B)", "차이 (A - B)"),
    "history_title": ("History of firms (tracking store)", "기업 이력 (이력 저장소)"),
    "db_path": ("Store file (SQLite; created on the first import)",
                "저장소 파일 (SQLite; 처음 저장할 때 만들어짐)"),
    "import_title": ("Import into the store", "저장소에 저장"),
    "import_path": (("A selection folder (ktop select output) or a scores/firm-data file on "
                     "this computer"),
                    "이 컴퓨터의 선정 결과 폴더(ktop select 출력) 또는 점수·기업 자료 파일"),
    "import_files": (("…or upload a scores/firm-data file, or all files of a selection folder "
                      "(selection.csv, selection.xlsx, audit.json)"),
                     ("…또는 점수·기업 자료 파일, 또는 선정 결과 폴더의 파일 전부(selection.csv, "
                      "selection.xlsx, audit.json)를 올리십시오")),
    "import_button": ("Import", "저장소에 저장"),
    "import_this": ("Import this selection", "이번 선정 결과 저장"),
    "nothing_to_import": ("Give a path or upload a file first.",
                          "먼저 경로를 적거나 파일을 올리십시오."),
    "no_such_path": ("{path}: no such file or folder", "{path}: 파일이나 폴더가 없습니다"),
    "trajectory_title": ("A firm's trajectory", "기업의 연도별 추이"),
    "no_store": ("No store at {path} yet: import a file first.",
                 "{path}에 아직 저장소가 없습니다: 먼저 파일을 저장하십시오."),
    "no_firms": ("The store holds no scored firms yet.", "저장소에 채점된 기업이 아직 없습니다."),
    "one_year": ("Only one year of {name} in the store: no trajectory yet.",
                 "저장소에 {name}의 자료가 한 해뿐이라 추이가 아직 없습니다."),
}
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
    "industry_unclear": (("KSIC {ksic} may be {yes}, a target, or {no}, not a target: state "
                          "the firm's 5-digit 11th-revision code"),
                         ("업종코드 {ksic}은(는) 대상인 {yes}일 수도, 비대상인 {no}일 수도 있음: "
                          "11차 5자리 업종코드 필요")),
    "industry_rev10": (("industry outside the targets (KSIC {ksic}, read as the 11th revision; "
                        "in the 10th it also covered {other}, a target: if that is the firm's "
                        "activity, state its 11th-revision code)"),
                       ("육성 대상 업종이 아님 (업종코드 {ksic}, 11차 기준; 10차에서는 대상인 "
                        "{other}도 포함: 해당하면 11차 업종코드 필요)")),
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
    "partial": (
        ("partial committee scores allowed (--allow-partial): {missing} eligible firm(s) "
         "without scores (0 committee points), {left_out} with incomplete scores left out, "
         "{fewer} scored by fewer than {size} evaluators{untrimmed} — see the notes column and "
         "audit.json 'partial'"),
        ("발표평가 점수 일부 누락 허용 (--allow-partial): 점수 없는 적격 기업 {missing}개사(0점), "
         "미완료 점수 제외 {left_out}개사, 위원 {size}명 미만 채점 {fewer}개사{untrimmed} — 비고 "
         "열과 audit.json 'partial' 참고")),
    "untrimmed": ("; no firm trimmed (not every firm has {trim} evaluators)",
                  "; 모든 기업이 위원 {trim}명 이상이 아니어서 최고·최저 점수 제외 없음"),
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
#: The line ``ktop track import`` prints (``ImportResult.line``): (English, Korean) templates.
IMPORT_LINES = {
    "selection": ("selection of call {call} ({rows} applicants)",
                  "공고 {call}의 선정 결과 (신청기업 {rows}개사)"),
    "raw": ("{rows:,} firm-years, scored with {model}, run {run}",
            "기업-연도 {rows:,}건, {model} 모형으로 채점, 채점회차 {run}"),
    "scored": ("{rows:,} firm-years, scores as in the file, run {run}",
               "기업-연도 {rows:,}건, 파일의 점수 그대로, 채점회차 {run}"),
    "duplicate": ("{source}: already in the store ({what}); nothing written",
                  "{source}: 이미 저장소에 있습니다 ({what}); 저장하지 않았습니다"),
    "imported": ("{source}: imported {what}; {new_firms:,} new firms",
                 "{source}: 저장했습니다 - {what}; 새 기업 {new_firms:,}개"),
}
#: The right to deletion and masked copies (``ktop track purge``, ``--mask``): (English,
#: Korean) templates.
PRIVACY_TEXT = {
    "purge_plan": (
        ("firm {firm} ({names}): a purge removes {keys} firm key(s), {firm_years} firm-years, "
         "{scores} scores and {selection_firms} selection rows"),
        ("기업 {firm} ({names}): 삭제하면 기업 키 {keys}개, 기업-연도 {firm_years}행, "
         "점수 {scores}행, 선정 기록 {selection_firms}행이 지워집니다")),
    "purge_confirm": ("a purge cannot be undone: repeat with --yes to remove the firm",
                      "삭제는 되돌릴 수 없습니다: 지우려면 --yes를 붙여 다시 실행하십시오"),
    "purged": (
        ("purged firm {firm} from {db} (purge {purge}, by {by}); {redacted} file names, notes "
         "or audits redacted; the purge is recorded in the store (purges)"),
        ("{db}에서 기업 {firm}을(를) 삭제했습니다 (삭제 {purge}, 처리자 {by}); 파일명·메모·"
         "감사기록 {redacted}건에서 해당 부분을 지웠습니다; 삭제 기록은 저장소(purges)에 남습니다")),
    "purge_busy": (
        ("note: another process is reading the store; the removed data leaves its write-ahead "
         "log at the next checkpoint (when nobody reads it)"),
        ("참고: 다른 프로그램이 저장소를 읽고 있어, 지운 자료는 다음 체크포인트(아무도 읽지 "
         "않을 때)에 로그 파일에서 사라집니다")),
    "purged_skipped": (
        "note: {n} rows of firms purged before (ktop track purge) were not stored",
        "참고: 이전에 삭제된 기업(ktop track purge)의 {n}행은 저장하지 않았습니다"),
    "masked": (
        ("Masked copy for sharing outside the committee: business numbers keep the tax office "
         "and type only (124-81-*****); people's names, phones, e-mail and addresses are "
         "masked. It is not the record of the decision."),
        ("위원회 외부 공유용 마스킹 사본: 사업자등록번호는 세무서·사업자 구분 부분만 남기고"
         "(124-81-*****) 사람 이름, 전화번호, 이메일, 주소를 가렸습니다. 선정 기록 원본이 "
         "아닙니다.")),
}


# ---------------------------------------------------------------------------- data

#: Why a business number is invalid, in Korean (keys: the English reason's words).
#: why a business number is wrong, in Korean, by the reason of
#: ``ktop_index.data.brn.brn_reason``; the same details ({value}, {digit}, {expected}) as the
#: English texts there (``brn_problem(value, lang="ko")``)
BRN_REASONS_KO = {
    "length": "'{value}'이(가) 10자리가 아님",
    "prefix": "앞 세 자리가 101 미만",
    "type_code": "구분코드(4~5번째 자리)가 00",
    "serial": "일련번호(6~9번째 자리)가 0000",
    "check_digit": "검증번호가 {digit}이지만 {expected}이어야 함",
}

#: The words of the XLSX template (``ktop template -o FILE.xlsx``), per language: sheet
#: names, the instructions sheet (its rules and column titles) and the drop-downs' messages.
TEMPLATE_TEXT = {
    "en": {
        "data_sheet": "data", "guide_sheet": "instructions", "lists_sheet": "lists",
        "title": "How to fill in this file (the sheet 'data')",
        "rules": (
            ("1. One row per firm and fiscal year, on the sheet 'data'. Do not change the "
             "headers (row 1) or the sheet's name."),
            ("2. Money is in KRW thousand (천원), numbers only: KRW 2.35 billion is 2350000. "
             "The unit is in each money header: 매출액(천원) / revenue (KRW thousand)."),
            ("3. Business numbers and industry codes are text cells, so leading zeros stay "
             "(industry code 01110). Paste into them with Paste Special > Values; a code that "
             "lost its zero must be typed again with 5 digits."),
            ("4. The fiscal year is a whole number like 2024, not a date; the year founded "
             "may be a year (2016) or the date of founding (2016-05-02)."),
            ("5. Y/N columns and the R&D organisation (0, 1, 2) are chosen from the cell's "
             "list; the location may be chosen from its list or written as the address."),
            "6. Leave a cell blank when the value is unknown: 0 is read as none.",
            ("7. Save: File > Save, as an Excel Workbook (.xlsx). If a CSV is needed: Save As "
             "> CSV UTF-8 (Comma delimited)."),
            ("8. Check the file: `ktop validate FILE`, or upload it to the page (`ktop app`); "
             "every problem is named by row and column."),
        ),
        "columns": ("column", "header", "required", "unit", "what to write", "allowed",
                    "example"),
        "list_error_title": "Not in the list", "list_error": "Choose one of: {values}",
        "range_error_title": "Not allowed", "whole": "a whole number", "number": "a number",
        "range_error": "Expected {what} from {low} to {high}{unit}.",
        # what to write, by the field's kind (before its meaning on the instructions sheet)
        "kinds": {"id": "Text", "text": "Text", "year": "Year, 4 digits", "code": "Code, as text",
                  "region": "시군구 name or address", "float": "Number", "int": "Whole number",
                  "money": "Amount in KRW thousand", "yesno": "Y or N",
                  "date": "Year or date"},
    },
    "ko": {
        "data_sheet": "자료", "guide_sheet": "안내", "lists_sheet": "목록",
        "title": "작성 방법 ('자료' 시트에 입력)",
        "rules": (
            ("1. '자료' 시트에 한 행에 기업 하나·연도 하나씩 입력합니다. 머리글(1행)과 시트 "
             "이름은 바꾸지 마세요."),
            ("2. 금액은 모두 천원 단위의 숫자만 입력합니다: 23억 5천만원이면 2350000. 단위는 "
             "금액 머리글에 있습니다: 매출액(천원)."),
            ("3. 사업자등록번호와 업종코드는 텍스트 칸이라 앞자리 0이 남습니다 (업종코드 01110). "
             "붙여넣을 때는 '선택하여 붙여넣기 > 값'을 쓰고, 0이 빠진 코드는 5자리로 다시 "
             "입력하세요."),
            ("4. 기준연도는 2024처럼 네 자리 정수로 입력합니다 (날짜 아님). 설립연도는 2016 같은 "
             "연도나 2016-05-02 같은 설립일자로 씁니다."),
            ("5. 참여의향서·중소기업확인서(Y/N)와 연구조직(0, 1, 2)은 칸의 목록에서 고릅니다. "
             "소재지는 목록에서 고르거나 주소를 그대로 적습니다."),
            "6. 모르는 값은 빈칸으로 둡니다: 0은 '없음'으로 읽힙니다.",
            ("7. 저장: 파일 > 저장 (Excel 통합 문서 .xlsx 그대로). CSV가 필요하면 다른 이름으로 "
             "저장 > CSV UTF-8(쉼표로 분리)."),
            ("8. 확인: `ktop validate 파일` 또는 웹 페이지(`ktop app`)에 올리면 문제를 행·열로 "
             "모두 알려 줍니다."),
        ),
        "columns": ("열", "머리글", "필수", "단위", "작성 방법", "허용값", "예시"),
        "list_error_title": "목록에 없는 값", "list_error": "다음 중 하나를 고르세요: {values}",
        "range_error_title": "허용되지 않는 값", "whole": "정수", "number": "숫자",
        "range_error": "{low}~{high}{unit} 사이의 {what}를 입력하세요.",
        "kinds": {"id": "텍스트", "text": "텍스트", "year": "연도(네 자리 정수)",
                  "code": "코드(텍스트)", "region": "시군구명 또는 주소", "float": "숫자",
                  "int": "정수", "money": "금액(천원)", "yesno": "Y 또는 N",
                  "date": "연도 또는 날짜"},
    },
}

#: The words of an annotated workbook (``ktop validate FILE --annotate OUT.xlsx``): the
#: sheet of a CSV's data, the list of problems and its column titles, per language.
ANNOTATE_TEXT = {
    "en": {"data_sheet": "data", "problems_sheet": "problems",
           "columns": ("row", "column", "cell", "severity", "message"),
           "error": "error", "warning": "warning", "none": "no problems found",
           "author": "ktop validate"},
    "ko": {"data_sheet": "자료", "problems_sheet": "문제 목록",
           "columns": ("행", "열", "셀", "구분", "내용"),
           "error": "오류", "warning": "경고", "none": "문제가 없습니다",
           "author": "ktop validate"},
}

#: The columns ``ktop score --rejects`` adds to the rejected rows, per language: the row the
#: spreadsheet shows, and every error of that row.
REJECTS_COLUMNS = {"en": ("row", "problems"), "ko": ("행", "문제")}


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
#: What a committee reads beside the ranking (:mod:`ktop_index.report.reading`; the HTML
#: report, the page and the summary sheet of selection.xlsx): (English, Korean) texts.
READING_TEXT = {
    "score_title": ("How the selection score is built", "선정점수 산정 방법"),
    "score_weight": (
        ("selection score (0-100) = {w_tech:.2f} × index points + {w_committee:.2f} × committee "
        "score + bonus points"),
        "선정점수(0-100) = {w_tech:.2f} × 지수 점수 + {w_committee:.2f} × 발표평가 점수 + 가점"),
    "score_bonus": ("selection score = committee score + grade bonus points + bonus points",
                    "선정점수 = 발표평가 점수 + 등급 가점 + 가점"),
    "score_min_grade": (("selection score = committee score + bonus points (the grade is an "
                        "eligibility rule)"),
                        "선정점수 = 발표평가 점수 + 가점 (등급은 신청자격 요건)"),
    "call_weights": (
        ("the call's weights: index {tech:g}, committee {committee:g}; re-normalised over the "
        "parts present{why}"),
        ("공고의 가중치: 지수 {tech:g}, 발표평가 {committee:g}; 주어진 항목끼리 합이 1이 되게 "
        "다시 나눔{why}")),
    "no_committee_why": (" (no committee scores, so the index alone)",
                         " (발표평가 점수가 없어 지수만 반영)"),
    "index_points": (
        ("index points (0-100) are the model's composite; the Tech-Index (base 100) is its linear "
        "rescaling: index points = {mu:.2f} + {ratio:.4f} × (Tech-Index − {mean:g})"),
        ("지수 점수(0-100)는 모형의 종합점수이며, 기업혁신역량지수(기준 100)는 이를 선형 변환한 "
        "값입니다: 지수 점수 = {mu:.2f} + {ratio:.4f} × (기업혁신역량지수 − {mean:g})")),
    "index_points_unknown": (
        ("index points (0-100) are the model's composite, of which the Tech-Index (base 100) is a "
        "linear rescaling (the round's model is not at hand to show the conversion)"),
        ("지수 점수(0-100)는 모형의 종합점수이며 기업혁신역량지수(기준 100)는 이를 선형 변환한 "
        "값입니다 (이 선정의 모형이 없어 변환식은 생략)")),
    "index_domains": (("equally, the weighted mean of the domain scores: index points = "
                      "{terms}"),
                      "곧 영역 점수의 가중평균입니다: 지수 점수 = {terms}"),
    "example": (
        ("worked example, rank {rank} {firm} (Tech-Index {tech:.2f}): index points = {via} = "
        "{points:.2f}; selection score = {w_tech:.2f} × {points:.2f} + {w_committee:.2f} × "
        "{committee:.2f} + {bonus:.2f} = {computed:.2f} (the table: {score:.2f}; the scores "
        "are shown to 2 decimals)"),
        ("계산 예시, {rank}위 {firm} (기업혁신역량지수 {tech:.2f}): 지수 점수 = {via} = "
        "{points:.2f}; 선정점수 = {w_tech:.2f} × {points:.2f} + {w_committee:.2f} × "
        "{committee:.2f} + {bonus:.2f} = {computed:.2f} (표의 선정점수 {score:.2f}; 점수는 소수 "
        "둘째 자리까지 표시)")),
    "example_domains": ("{terms}", "{terms}"),
    "example_tech": ("{mu:.2f} + {ratio:.4f} × ({tech:.2f} − {mean:g})",
                     "{mu:.2f} + {ratio:.4f} × ({tech:.2f} − {mean:g})"),
    "not_rated_rule": (
        ("grade NR (not rated): too little data for an index (indicator weight with data below "
        "{minimum:.0%}); under the call's rule (not_rated = \"{rule}\") {effect}"),
        ("등급 NR(등급 외): 지수를 낼 자료가 부족함 (자료가 있는 지표 가중치 {minimum:.0%} "
        "미만); 공고 규칙(not_rated = \"{rule}\")에 따라 {effect}")),
    "not_rated_zero": ("such a firm gets 0 index points and stays eligible",
                       "지수 점수 0점, 신청자격은 유지"),
    "not_rated_ineligible": ("such a firm is ineligible", "신청자격 없음"),
    "not_rated_firm": (("{firm}: data cover {coverage:.0%} of the indicator weight; no data for "
                       "{missing}"),
                       "{firm}: 자료충족률 {coverage:.0%}; 자료 없는 지표: {missing}"),
    "tie_break": ("equal scores: {rules}", "동점 시: {rules}"),
    "money_title": ("Money: the split and what is left", "지원금 배분과 잔액"),
    "budget": ("budget of the call (천원)", "사업 예산 (천원)"),
    "cap": ("cap per firm (천원)", "기업당 한도 (천원)"),
    "support": ("support of the selected = national + local (천원)",
                "선정기업 지원금 = 국비 + 지방비 (천원)"),
    "national_share": ("national share (국비, 천원)", "국비 (천원)"),
    "local_share": ("local share (지방비, 천원)", "지방비 (천원)"),
    "self_burden": ("firms' self-burden, on top (자부담, 천원)", "기업 자부담 (천원)"),
    "remaining": ("left of the budget (잔액, 천원)", "잔액 (천원)"),
    "first_unfunded_budget": (
        ("rank {rank} {firm} is the first firm not funded: {remaining:,.0f} 천원 left < its "
        "support {need:,.0f} 천원; funding goes down the ranking without skipping to a cheaper "
        "firm, so every firm below it is not funded either"),
        ("{rank}위 {firm}부터 지원하지 못했습니다: 잔액 {remaining:,.0f}천원 < 지원 필요액 "
        "{need:,.0f}천원; 순위대로 지원하며 더 적은 금액의 아래 순위로 건너뛰지 않으므로 그 "
        "아래 기업도 지원하지 않습니다")),
    "first_unfunded_max": (
        ("rank {rank} {firm} is the first firm not funded: the call funds at most {max_firms} "
        "firms"),
        ("{rank}위 {firm}부터 지원하지 못했습니다: 공고의 최대 선정 기업 수 {max_firms}개사에 "
        "도달")),
    "why_budget": (("{remaining:,.0f} 천원 left < support {need:,.0f} 천원 (requested "
                   "{requested:,.0f}, cap {cap:,.0f})"),
                   ("잔액 {remaining:,.0f}천원 < 지원 필요액 {need:,.0f}천원 (신청 "
                   "{requested:,.0f}, 한도 {cap:,.0f})")),
    "why_max": ("at most {max_firms} firms: reached", "최대 선정 기업 수 {max_firms}개사 도달"),
    "why_below": ("below the cut: funding stopped at rank {rank}",
                  "선정선 아래: {rank}위에서 지원 종료"),
    "why_optimal": ("left out by the optimal choice (the largest total score within the budget)",
                    "최적 선정(예산 내 선정점수 합 최대)에서 제외"),
    "why_waitlist": ("reserve no. {k}: funded in this order if a selected firm withdraws",
                     "예비 {k}순위: 선정기업이 포기하면 순서대로 지원"),
    "why_no_money": ("no money left", "잔액 없음"),
    "empty_committee": (("no committee scores: ranked by the Tech-Index alone (give them with "
                        "--committee)"),
                        "발표평가 점수 없음: 기업혁신역량지수만으로 순위 산정 (--committee로 반영)"),
    "empty_robustness": (("no robustness check (variants = 0): no rank interval, selection "
                         "probability or verdict"),
                         "선정 안정성 점검 안 함 (variants = 0): 순위 구간·선정 확률·판정 없음"),
    "empty_bonus": ("no bonus points (가점) in this call", "이 공고에는 가점 없음"),
    "empty_strengths": (("strengths: shown when the report is made with the applicants file the "
                         "round was decided from"),
                        "강점: 선정에 쓴 신청기업 파일과 함께 보고서를 만들면 표시"),
    "columns_left_out": ("Columns left out, being empty: {what}", "비어 있어 뺀 열: {what}"),
    "strengths": ("strengths (against industry peers)", "강점 (업종 대비)"),
    "notes": ("notes / why not funded", "비고 / 미지원 사유"),
    "title": ("call", "공고"),
    "call_id": ("call id", "공고 ID"),
    "created": ("decided at", "선정 실행 시각"),
    "counts": ("applicants / selected / waitlist / not selected / ineligible",
               "신청 / 선정 / 예비 / 미선정 / 부적격"),
    "summary_sheet": ("summary", "요약"),
    "audit_note": (("the record itself is audit.json beside this report, unchanged; a hash "
                    "shows its full value under the pointer"),
                   ("기록 원본은 이 보고서 옆의 audit.json에 그대로 있습니다; 해시는 마우스를 "
                    "올리면 전체 값이 보입니다")),
    "formula": ("selection score", "선정점수 산정"),
    "yes": ("yes", "예"), "no": ("no", "아니오"),
}
#: The audit record's keys as a reader sees them (the HTML report's audit table):
#: (English, Korean); a nested key is dotted (``money_krw_thousand.budget``).
AUDIT_LABELS = {
    "call": ("call id", "공고 ID"), "call_title": ("call", "공고명"),
    "call_reference_date": ("call reference date", "공고 기준일"),
    "call_file": ("call file", "공고 설정 파일"), "call_file_sha256": ("call file sha256",
                                                                  "공고 파일 해시(sha256)"),
    "input_file": ("applicants file", "신청기업 파일"),
    "input_sha256": ("applicants file sha256", "신청기업 파일 해시(sha256)"),
    "input_data_sha256": ("applicants data sha256 (values)", "신청기업 자료 해시(값 기준)"),
    "committee_file": ("committee scores file", "발표평가 파일"),
    "committee_sha256": ("committee scores sha256", "발표평가 파일 해시(sha256)"),
    "model_version": ("model", "모형"), "model_sha256": ("model sha256", "모형 해시(sha256)"),
    "package_version": ("ktop_index version", "ktop_index 버전"),
    "created": ("decided at", "선정 실행 시각"), "seed": ("robustness seed", "안정성 점검 시드"),
    "variants": ("robustness variants", "안정성 점검 변형 수"),
    "mode": ("allocation", "선정 방식"), "applicants": ("applicants", "신청기업 수"),
    "counts.selected": ("selected", "선정"), "counts.waitlist": ("waitlist", "예비"),
    "counts.not_selected": ("not selected", "미선정"), "counts.ineligible": ("ineligible", "부적격"),
    "fragile": ("fragile selections", "불안정 선정 기업"),
    "often_selected": ("often selected, not selected", "자주 선정된 미선정 기업"),
    "money_krw_thousand.budget": ("budget (천원)", "예산 (천원)"),
    "money_krw_thousand.cap": ("cap per firm (천원)", "기업당 한도 (천원)"),
    "money_krw_thousand.support": ("support (천원)", "지원금 (천원)"),
    "money_krw_thousand.national_share": ("national share (천원)", "국비 (천원)"),
    "money_krw_thousand.local_share": ("local share (천원)", "지방비 (천원)"),
    "money_krw_thousand.self_burden": ("self-burden (천원)", "기업 자부담 (천원)"),
    "money_krw_thousand.remaining": ("left (천원)", "잔액 (천원)"),
    "score.tech_index_use": ("use of the Tech-Index", "기업혁신역량지수 반영 방식"),
    "score.tech_weight": ("index weight (applied)", "지수 가중치 (적용)"),
    "score.committee_weight": ("committee weight (applied)", "발표평가 가중치 (적용)"),
    "score.committee": ("committee scores given", "발표평가 점수 반영"),
    "score.committee_trim_from_evaluators": ("trim highest/lowest from evaluators",
                                             "최고·최저 제외 기준 위원 수"),
    "score.tie_break": ("tie-break order", "동점자 처리 순서"),
    "sme_table": ("SME size table", "중소기업 범위기준 표"),
    "rounding": ("rounding", "금액 반올림 규칙"),
    "masked": ("masked copy", "마스킹 사본"),
    "partial": ("partial committee scores (--allow-partial)", "발표평가 일부 누락 허용"),
    "committee": ("committee scores check", "발표평가 점수 점검"),
    "optimal": ("optimal choice", "최적 선정"),
    "output_sha256": ("output files sha256", "출력 파일 해시(sha256)"),
}
#: Audit values shown in words: (English, Korean) per value of a key.
AUDIT_VALUES = {
    "mode": {"rank": ("rank order", "순위순"), "optimal": ("optimal", "최적 선정")},
    "score.tech_index_use": {"weight": ("weight in the score", "점수에 가중 반영"),
                             "bonus": ("grade bonus points", "등급별 가점"),
                             "min_grade": ("minimum grade", "최소 등급")},
    "sme_table": {"sme_max_avg_revenue_eok_until_2025_08_31": (
                      "별표1 in force until 2025-08-31", "별표1 (2025-08-31까지 적용)"),
                  "sme_max_avg_revenue_eok_from_2025_09_01": (
                      "별표1 in force from 2025-09-01", "별표1 (2025-09-01부터 적용)")},
    "rounding": {("integer won; self-burden and national share rounded down to the won; "
                  "local share = support - national share"): (
        ("integer won; self-burden and national share rounded down to the won; local share = "
        "support - national share"),
        "원 단위 정수; 자부담과 국비는 원 미만 버림; 지방비 = 지원금 - 국비")},
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

#: The stages of the command line's progress bars (``progress(stage, n)`` of the API's long
#: functions; :class:`ktop_index.cli._common.Progress`): stage -> (its unit in English, the
#: stage in Korean, its unit in Korean). A stage not listed counts rows under its own name.
PROGRESS_STAGES = {
    "reading": ("rows", "읽기", "행"),
    "reading and validating": ("rows", "읽기·검사", "행"),
    "validating": ("rows", "검사", "행"),
    "scoring": ("rows", "채점", "행"),
    "scoring and writing": ("rows", "채점·쓰기", "행"),
    "reading, scoring and writing": ("rows", "읽기·검사·채점·쓰기", "행"),
    "writing": ("rows", "쓰기", "행"),
    "selecting": ("rows", "선정", "행"),
    "fitting": ("rows", "적합", "행"),
    "bootstrap refits": ("refits", "부트스트랩 재적합", "회"),
    "robustness variants": ("variants", "안정성 점검 변형", "개"),
}

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
    "error": ("error: ", "오류: "),
    "internal": ("internal error: ", "내부 오류: "),
    "bug": (("this is a bug in ktop_index; please report it with the command and the output "
             "of KTOP_DEBUG=1 ktop ..."),
            ("ktop_index의 버그입니다. 실행한 명령과 KTOP_DEBUG=1 ktop ... 의 출력을 함께 "
             "알려 주십시오")),
    "more_errors": ("... and {n} more errors; `ktop validate FILE` lists them all",
                    "... 외 오류 {n}건; `ktop validate FILE`로 모두 볼 수 있습니다"),
    "more_warnings": ("... and {n} more warnings; `ktop validate FILE` lists them all",
                      "... 외 경고 {n}건; `ktop validate FILE`로 모두 볼 수 있습니다"),
    "wrote_rows": ("wrote {path} ({rows} rows)", "작성: {path} ({rows}행)"),
    "scored": (("wrote {path} ({rows} firm-years, {not_rated} not rated; model {name} "
                "{version}, reference year {year})"),
               ("작성: {path} (기업-연도 {rows}건, 등급 외 {not_rated}건; 모형 {name} {version}, "
                "기준연도 {year})")),
    "scored_rejects": (("wrote {path} ({rows} firm-years scored, {rejected} rejected to "
                        "{rejects}, {not_rated} not rated; model {name} {version}, reference "
                        "year {year})"),
                       ("작성: {path} (기업-연도 {rows}건 산출, 오류 {rejected}건은 {rejects}에 "
                        "제외, 등급 외 {not_rated}건; 모형 {name} {version}, 기준연도 {year})")),
    "unadjusted": (("note: {n} firm-years have no KSIC code (ksic) or one of an industry the "
                    "model's reference lacks; they are measured against the whole reference, "
                    "not their industry"),
                   ("참고: 기업-연도 {n}건은 업종코드(ksic)가 없거나 모형의 기준 모집단에 없는 "
                    "업종이라 업종이 아닌 기준 모집단 전체와 비교했습니다")),
    "rebased": ("wrote {path} (reference year {year}, {rated} rated firm-years)",
                "작성: {path} (기준연도 {year}, 등급 산출 기업-연도 {rated}건)"),
    "synth": ("wrote {path} ({firms} firms, {first}-{last}, seed {seed})",
              "작성: {path} (기업 {firms}개, {first}-{last}년, 시드 {seed})"),
    "fitted": ("wrote {path} and {card} (weights: {weights})",
               "작성: {path}, {card} (가중치: {weights})"),
    # ktop fit's summary (cli/growth.py): the validation scheme, AUCs, the grade master scale
    "fit_scheme_out_of_time": ("validation out of time: trained on {train}, tested on {test}",
                               "시점 외 검증: {train}년으로 학습, {test}년으로 평가"),
    "fit_scheme_next_cohort": (("validation next cohort: trained on {train}, tested on {test} "
                                "(not out of time: the training outcomes overlap the test "
                                "years)"),
                               ("다음 코호트 검증: {train}년으로 학습, {test}년으로 평가 (시점 외 "
                                "검증 아님: 학습 연도의 성과 기간이 평가 연도와 겹침)")),
    "fit_scheme_grouped_cv": (("validation firm-grouped cross-validation: {folds} folds of "
                               "firms, base year {test} (nothing tested on a later year)"),
                              ("기업 단위 교차검증: 기업을 {folds}개 묶음으로 나눔, 기준연도 "
                               "{test}년 (이후 연도에 대한 검증 아님)")),
    "fit_auc": (("{perspective}: Tech-Index AUC {auc} {ci} on {rows} held-out firm-years "
                 "(observed rate {rate})"),
                ("{perspective}: 기업혁신역량지수 AUC {auc} {ci}, 검증 기업-연도 {rows}건 "
                 "(관측 비율 {rate})")),
    "fit_not_fitted": ("{perspective}: not fitted ({why})",
                       "{perspective}: 적합하지 않음 ({why})"),
    "fit_grades_header": ("grade      n      k  rate [Jeffreys 95 %]    expected  light",
                          "등급       n      k  비율 [Jeffreys 95 %]    기대값    신호"),
    "fit_monotone": ("  rate by grade: {verdict} (Cochran-Armitage z {z}, one-sided p {p})",
                     "  등급별 비율: {verdict} (Cochran-Armitage z {z}, 단측 p {p})"),
    "fit_high_growth": ("high growth", "고성장"),
    "fit_sustainable_growth": ("sustainable growth", "지속성장"),
    "fit_light_green": ("green", "녹색"), "fit_light_yellow": ("yellow", "황색"),
    "fit_light_red": ("red", "적색"),
    "fit_more than expected": ("more than expected", "기대보다 많음"),
    "fit_fewer than expected": ("fewer than expected", "기대보다 적음"),
    "fit_monotone_monotone": ("rises at every step", "모든 단계에서 상승"),
    "fit_monotone_inversions within noise": ("inversions within noise",
                                             "역전 있음 (오차 범위 안)"),
    "fit_monotone_significant inversion": ("significant inversion", "유의한 역전 있음"),
    "fit_no_sustainable": ("the panel has no revenue", "패널에 매출액이 없음"),
    "psi": ("PSI {psi:.4f} ({verdict}; {n} rated firm-years against reference year {year})",
            "PSI {psi:.4f} ({verdict}; 등급 산출 기업-연도 {n}건, 기준연도 {year} 대비)"),
    "psi_warning": (("ktop psi: warning: the batch's Tech-Index distribution has {how} from "
                     "the reference (PSI >= 0.10 watch, >= 0.25 shifted); consider "
                     "`ktop rebase` or `ktop fit`"),
                    ("ktop psi: 경고: 새 자료의 기업혁신역량지수 분포가 기준 모집단에서 {how} "
                     "(PSI 0.10 이상 주의, 0.25 이상 변화); `ktop rebase` 또는 `ktop fit`을 "
                     "검토하십시오")),
    "psi_stable": ("stable", "안정"), "psi_watch": ("watch", "주의"),
    "psi_shifted": ("shifted", "변화"),
    "psi_has_shifted": ("shifted", "크게 변했습니다"), "psi_has_moved": ("moved", "움직였습니다"),
    # ktop calls (cli/calls.py)
    "calls_columns": ("name|title|reference date|budget (천원)|cap per firm (천원)",
                      "이름|제목|기준일|예산(천원)|기업당 한도(천원)"),
    "call_ok": ("OK: {file}: {name} ({title})", "정상: {file}: {name} ({title})"),
    "call_problems": ("{file}: {n} problems", "{file}: 문제 {n}건"),
    "call_problem": ("{file}: 1 problem", "{file}: 문제 1건"),
    "calls_date": ("reference date {date} (decides the SME size table)",
                   "기준일 {date} (중소기업 규모 기준표를 정함)"),
    "calls_money": (("budget {budget:,} 천원, cap {cap:,} 천원 per firm, {firms}, "
                     "waitlist {waitlist}"),
                    "예산 {budget:,}천원, 기업당 한도 {cap:,}천원, {firms}, 예비 {waitlist}개 기업"),
    "calls_firms_max": ("at most {n:,} firms", "최대 {n:,}개 기업"),
    "calls_firms_any": ("as many firms as the budget allows", "예산이 허락하는 만큼의 기업"),
    "calls_use_weight": ("weight {tech:g}, committee weight {committee:g}",
                         "가중치 {tech:g}, 발표평가 가중치 {committee:g}"),
    "calls_scoring": ("Tech-Index in the score: {use}", "선정점수의 기업혁신역량지수 반영: {use}"),
    "calls_variants": ("{n:,} robustness variants", "선정 안정성 변형 {n:,}개"),
}
#: What went wrong with a file, in Korean, by the OSError's errno name (``ktop``'s file
#: errors: ``오류: out/a.csv: 파일 또는 폴더가 없습니다``); another errno shows its English text.
OS_ERRORS_KO = {
    "ENOENT": "파일 또는 폴더가 없습니다",
    "EACCES": "접근 권한이 없습니다 (다른 프로그램이 파일을 열고 있지 않은지 확인하십시오)",
    "EPERM": "허용되지 않는 작업입니다",
    "ENOSPC": "디스크 공간이 부족합니다",
    "EDQUOT": "디스크 사용 한도를 넘었습니다",
    "EISDIR": "파일이 아니라 폴더입니다",
    "ENOTDIR": "경로 중간에 폴더가 아닌 것이 있습니다",
    "EROFS": "읽기 전용 파일 시스템입니다",
    "EEXIST": "이미 있습니다",
    "ENOTEMPTY": "폴더가 비어 있지 않습니다",
    "ENAMETOOLONG": "파일 이름이 너무 깁니다",
    "EBUSY": "사용 중입니다",
    "EMFILE": "열린 파일이 너무 많습니다",
    "EIO": "입출력 오류입니다",
    "EINVAL": "잘못된 인수입니다",
}
#: argparse's error messages (its own templates: ``%s``, ``%r``, ``%(name)s`` are the fields,
#: in the same order in the Korean) -> Korean (``ktop --lang ko``, ``KTOP_LANG=ko``).
ARGPARSE_ERRORS_KO = {
    "argument %(argument_name)s: %(message)s": "인수 %(argument_name)s: %(message)s",
    "the following arguments are required: %s": "다음 인수가 필요합니다: %s",
    "unrecognized arguments: %s": "알 수 없는 인수: %s",
    "invalid choice: %(value)r (choose from %(choices)s)":
        "잘못된 선택: %(value)r (선택 가능: %(choices)s)",
    "invalid %(type)s value: %(value)r": "잘못된 %(type)s 값: %(value)r",
    "expected one argument": "값 하나가 필요합니다",
    "expected at least one argument": "값이 하나 이상 필요합니다",
    "expected at most one argument": "값은 하나까지만 줄 수 있습니다",
    "expected %s argument": "값 %s개가 필요합니다",
    "expected %s arguments": "값 %s개가 필요합니다",
    "one of the arguments %s is required": "다음 인수 중 하나가 필요합니다: %s",
    "not allowed with argument %s": "%s 인수와 함께 쓸 수 없습니다",
    "ambiguous option: %(option)s could match %(matches)s":
        "모호한 옵션: %(option)s (해당할 수 있는 옵션: %(matches)s)",
    "ignored explicit argument %r": "이 옵션에는 값을 줄 수 없습니다: %r",
    "unknown parser %(parser_name)r (choices: %(choices)s)":
        "알 수 없는 명령 %(parser_name)r (선택 가능: %(choices)s)",
    "can't open '%(filename)s': %(error)s": "'%(filename)s' 파일을 열 수 없습니다: %(error)s",
}
#: The ``ktop`` parser's help in Korean, keyed by the English text: argparse's own words,
#: then every description, subcommand and option help of each command group (``%(...)s``
#: fields as in the English). A new option's help needs its line here:
#: tests/cli/test_lang.py fails on any text of ``ktop --help`` left untranslated.
CLI_HELP_KO = {
    "the applicants file the round was decided from: the ranked table then shows each firm's "
    "strengths (its sha256 must match the audit's)":
        "선정에 쓴 신청기업 파일: 순위표에 기업별 강점을 보여 줍니다 (sha256이 감사 기록과 같아야 함)",
    "the call file, when the round was decided under one that is not bundled (the score "
    "formula shows its weights)":
        "내장 공고가 아닌 공고 파일로 선정했을 때 그 공고 파일 (선정점수 식에 그 가중치를 보여 줌)",
    # the right to deletion and masked copies (ktop track purge, --mask)
    "quarantine for batch jobs: score the rows without errors and write each row with an "
    "error, its row number and its problems to this file (written even when empty); without "
    "it any error refuses the file. Errors of the file as a whole (a missing column, a money "
    "unit) still refuse it":
        "일괄 처리용 격리: 오류 없는 행만 점수를 내고, 오류가 있는 행은 행 번호와 문제를 붙여 "
        "이 파일에 씁니다 (제외한 행이 없어도 씀). 지정하지 않으면 오류가 하나라도 있으면 파일 "
        "전체를 거부합니다. 파일 전체의 오류(필수 열 누락, 금액 단위)는 지정해도 거부합니다",
    # the Dask engine (ktop score --engine dask)
    "local: this process, in bounded memory (default); dask: on a Dask cluster, for data "
    "beyond one machine (CSV or Parquet; INPUT may be a folder or a pattern; needs pip "
    "install 'ktop_index[dask]')":
        "local: 이 프로세스에서, 정해진 메모리 안에서 (기본값); dask: Dask 클러스터에서, 한 대의 "
        "컴퓨터를 넘는 데이터용 (CSV 또는 Parquet; INPUT에 폴더나 패턴도 가능; pip install "
        "'ktop_index[dask]' 필요)",
    "with --engine dask: the Dask scheduler, e.g. tcp://host:8786 (its workers must read "
    "INPUT's path); default: Dask's threads here":
        "--engine dask와 함께: Dask 스케줄러 주소, 예: tcp://host:8786 (그 워커들이 INPUT 경로를 "
        "읽을 수 있어야 함); 기본값: 이 컴퓨터에서 Dask 스레드",
    "with --engine dask: partitions to read into and to group the firms into (default: "
    "Dask's, a file or 64 MB each)":
        "--engine dask와 함께: 읽어 나누고 기업별로 모을 파티션 수 (기본값: Dask의 기본, 파일 "
        "하나 또는 64MB씩)",
    "mask personal data for sharing outside the committee: business numbers 124-81-*****, "
    "people's names 김*수, phones, e-mail, addresses (not the record; never imported)":
        "위원회 외부 공유용으로 개인정보를 가립니다: 사업자등록번호 124-81-*****, 이름 김*수, "
        "전화번호, 이메일, 주소 (기록 원본이 아니며 저장소에 가져올 수 없습니다)",
    "remove one firm from the store for good (the right to deletion), recorded":
        "기업 하나를 저장소에서 영구히 지웁니다 (삭제권), 삭제 기록을 남깁니다",
    "Remove every row of one firm (firm-years, scores, selection rows) from the store, redact "
    "file names, notes and audits that name it, and record who, when and why in the store's "
    "purges table (append-only). A later import of the firm is recognised and skipped. "
    "Cannot be undone: --yes is required.":
        "기업 하나의 모든 행(기업-연도, 점수, 선정 기록)을 저장소에서 지우고, 그 기업이 적힌 "
        "파일명·메모·감사기록을 가리며, 누가·언제·왜 지웠는지를 저장소의 purges 표(추가만 "
        "가능)에 남깁니다. 이후 같은 기업을 다시 가져오면 알아보고 건너뜁니다. 되돌릴 수 "
        "없으므로 --yes가 필요합니다.",
    "the firm's business number (or firm_id)": "기업의 사업자등록번호 (또는 기업ID)",
    "why (the request's reference; must not name the firm)":
        "삭제 사유 (요청의 접수번호 등; 기업을 특정하는 내용은 안 됩니다)",
    "who purges (default: the login name)": "처리자 (기본값: 로그인 이름)",
    "confirm: the purge cannot be undone": "확인: 삭제는 되돌릴 수 없습니다",
    # argparse's own words
    "usage: ": "사용법: ",
    "positional arguments": "위치 인수",
    "options": "옵션",
    "optional arguments": "옵션",
    "show this help message and exit": "이 도움말을 보이고 끝냅니다",
    "show program's version number and exit": "프로그램 버전을 보이고 끝냅니다",
    # ktop and the options every command shares
    "Open Tech-Index (기업혁신역량지수) for selecting and tracking the firms a support program "
    "backs. Exit codes: 0 ok, 1 errors in the data or the files, 2 wrong usage, 3 internal "
    "error (a bug).":
        "지원사업이 지원할 기업을 선정하고 추적하는 공개 기업혁신역량지수(Open Tech-Index). "
        "종료 코드: 0 정상, 1 데이터 또는 파일 오류, 2 잘못된 사용법, 3 내부 오류(버그).",
    "language of messages and column labels: en or ko (default: KTOP_LANG, else en)":
        "메시지와 열 이름의 언어: en 또는 ko (기본값: KTOP_LANG, 없으면 en)",
    "unit of money columns whose header names none: 원, 천원 or 백만원":
        "머리글에 단위가 없는 금액 열의 단위: 원, 천원 또는 백만원",
    "XLSX sheet name or 0-based number (default: the active sheet, else the first holding "
    "the headers)":
        "XLSX 시트 이름 또는 0부터 세는 번호 (기본값: 활성 시트, 아니면 머리글이 있는 첫 시트)",
    "the row holding the column headers, 1 = the first (default: found among the first 30 "
    "rows)":
        "열 머리글이 있는 행, 1 = 첫 행 (기본값: 처음 30행에서 찾음)",
    # the command list
    "print the firm-year data dictionary": "기업-연도 데이터 사전을 출력합니다",
    "write an empty CSV/XLSX to fill in": "작성할 빈 CSV/XLSX 양식을 씁니다",
    "check a firm-year file and list every problem": "기업-연도 파일을 검사하고 모든 문제를 나열합니다",
    "generate the synthetic firm panel": "합성 기업 패널을 생성합니다",
    "compute the Tech-Index of every firm-year in a file":
        "파일의 모든 기업-연도의 기업혁신역량지수를 계산합니다",
    "refit the index's normalisation on a new base year": "새 기준연도로 지수의 정규화를 다시 적합합니다",
    "build a composite index from COINr-style tables": "COINr 형식의 표로 종합지수를 만듭니다",
    "the history of scores and supported firms (a store)": "점수와 지원기업의 이력 (저장소)",
    "select the firms of a call: eligibility, rank, money": "공고의 지원기업 선정: 자격, 순위, 지원금",
    "the officers' web page on this computer (127.0.0.1)":
        "담당자용 웹 페이지를 이 컴퓨터에서 엽니다 (127.0.0.1)",
    "Serve the selection page on 127.0.0.1 only and open it in the browser: upload the "
    "applicants, fix what is wrong, choose and adjust the call, run the selection, see the "
    "ranked list and download the files `ktop select` writes. Works offline; Ctrl+C stops it. "
    "Needs the extra: pip install 'ktop_index[app]'.":
        "선정 페이지를 127.0.0.1에서만 열고 브라우저로 보여 줍니다: 신청기업 파일을 올리고, "
        "잘못된 곳을 고치고, 공고를 고르고 조정하고, 선정을 실행하고, 순위표를 보고, `ktop "
        "select`가 쓰는 파일을 내려받습니다. 인터넷 없이 동작하며 Ctrl+C로 끝냅니다. 추가 "
        "설치 필요: pip install 'ktop_index[app]'.",
    "port on 127.0.0.1 (default 8501)": "127.0.0.1의 포트 (기본값 8501)",
    "do not open the browser; only print the address": "브라우저를 열지 않고 주소만 출력합니다",
    "the page's first language: ko (default) or en; also the language of messages":
        "페이지의 처음 언어: ko(기본값) 또는 en; 메시지 언어도 됩니다",
    "one-file HTML reports: a selection round, a firm": "단일 파일 HTML 보고서: 선정 회차, 기업",
    "learn the index's weights from later growth; write the model and its card":
        "이후의 성장으로 지수의 가중치를 학습하고 모형과 모형 카드를 씁니다",
    "has a new batch drifted from the model's reference?":
        "새 자료가 모형의 기준 모집단에서 벗어났는지 점검합니다",
    # ktop schema | template | validate
    "Print the data dictionary: name, Korean label, type, unit, allowed range, required or "
    "not, meaning.":
        "데이터 사전을 출력합니다: 항목명, 한글명, 형식, 단위, 허용 범위, 필수 여부, 설명.",
    "write it to a CSV/XLSX file instead": "화면 대신 CSV/XLSX 파일로 씁니다",
    "Write an empty firm-year file with the contract's headers (money headers carry their "
    "unit, 천원). An XLSX has an instructions sheet, drop-downs for the Y/N and coded columns, "
    "and text cells for business numbers and industry codes.":
        "데이터 규격의 머리글로 빈 기업-연도 파일을 씁니다 (금액 머리글에는 단위 천원이 붙습니다). "
        "XLSX에는 안내 시트, Y/N·코드 열의 목록, 사업자등록번호·업종코드의 텍스트 칸이 있습니다.",
    "FILE.csv or FILE.xlsx": "FILE.csv 또는 FILE.xlsx",
    "include one example row": "예시 행 하나를 넣습니다",
    "replace FILE if it exists (it may be a filled-in template)":
        "FILE이 있으면 바꿔 씁니다 (작성된 양식일 수 있습니다)",
    "Check FILE against the data contract and print every problem as FILE:ROW:COLUMN: "
    "message. Exit 1 if any error.":
        "FILE을 데이터 규격에 비추어 검사하고 모든 문제를 FILE:행:열: 내용 형식으로 출력합니다. "
        "오류가 하나라도 있으면 종료 코드 1.",
    "CSV (UTF-8 or CP949), XLSX or Parquet": "CSV (UTF-8 또는 CP949), XLSX 또는 Parquet",
    "print errors only": "오류만 출력합니다",
    "also write the file as a workbook with every problem cell coloured and commented, and a "
    "list of the problems":
        "문제가 있는 셀마다 색과 메모를 단 통합 문서(문제 목록 시트 포함)로도 씁니다",
    # ktop synth
    "Generate a synthetic Korean SME panel with a known latent capability (docs/synth.md); "
    "writes DIR/panel.parquet and DIR/truth.parquet. Same seed, same bytes.":
        "잠재 역량을 아는 한국 중소기업 합성 패널을 생성합니다 (docs/synth.md). "
        "DIR/panel.parquet와 DIR/truth.parquet를 씁니다. 시드가 같으면 바이트도 같습니다.",
    "number of firms (default %(api_default)s)": "기업 수 (기본값 %(api_default)s)",
    "FIRST-LAST (default %(api_default)s)": "첫해-마지막 해 FIRST-LAST (기본값 %(api_default)s)",
    "random seed (default %(api_default)s)": "난수 시드 (기본값 %(api_default)s)",
    "output folder": "출력 폴더",
    # ktop score | rebase | composite
    "Score INPUT (CSV/XLSX/Parquet) with a fitted model and write the four domain scores, "
    "composite, tech_index (base 100), grade, percentiles, coverage and reasons to OUTPUT.":
        "INPUT(CSV/XLSX/Parquet)을 적합된 모형으로 채점하여 4개 영역 점수, 종합점수, "
        "tech_index(기준 100), 등급, 백분위, 자료충족률, 평가 근거를 OUTPUT에 씁니다.",
    "firm-year file (the data contract; Korean headers accepted)":
        "기업-연도 파일 (데이터 규격; 한글 머리글 가능)",
    "OUTPUT.csv, .xlsx or .parquet": "OUTPUT.csv, .xlsx 또는 .parquet",
    "model file (default: the bundled model, fitted on the bundled synthetic reference "
    "population)":
        "모형 파일 (기본값: 내장 합성 기준 모집단으로 적합한 내장 모형)",
    "Fit the normalisation (goalposts, mean-100 scale, grade cut-offs, percentiles) on the "
    "rows of --base-year, keeping the method and weights of --model or --spec. The new model "
    "records the base year and the data hash; nothing else changes a model's base.":
        "--base-year의 행으로 정규화(기준점, 평균 100 척도, 등급 경계, 백분위)를 적합하고 "
        "--model 또는 --spec의 방법과 가중치는 그대로 둡니다. 새 모형에는 기준연도와 데이터 "
        "해시가 기록됩니다. 모형의 기준은 이 명령으로만 바뀝니다.",
    "firm-year panel holding the base year (and the year before)":
        "기준연도(와 그 전 연도)가 들어 있는 기업-연도 패널",
    "the reference year": "기준연도",
    "the new model file (.json)": "새 모형 파일 (.json)",
    "model whose method and weights to keep (default: the bundled model)":
        "방법과 가중치를 유지할 모형 (기본값: 내장 모형)",
    "an index specification (.json) to fit instead": "대신 적합할 지수 명세 (.json)",
    "Build a composite indicator from DATA (COINr iData: uCode and indicator columns) and "
    "META (COINr iMeta: iCode, Level, Parent, Weight, Direction, Type). OUT has one row per "
    "unit: the normalised indicators and every aggregate level.":
        "DATA(COINr iData: uCode와 지표 열)와 META(COINr iMeta: iCode, Level, Parent, Weight, "
        "Direction, Type)로 종합지표를 만듭니다. OUT에는 단위마다 한 행에 정규화된 지표와 모든 "
        "집계 수준이 들어갑니다.",
    "iData CSV": "iData CSV 파일",
    "iMeta CSV": "iMeta CSV 파일",
    "OUT.csv": "출력 파일 OUT.csv",
    "normalisation (default %(api_default)s; minmax scales to --range)":
        "정규화 방법 (기본값 %(api_default)s; minmax는 --range 범위로 변환)",
    "aggregation: amean (weighted arithmetic mean) or gmean (weighted geometric mean; "
    "default %(api_default)s)":
        "집계 방법: amean(가중 산술평균) 또는 gmean(가중 기하평균) (기본값 %(api_default)s)",
    "weights table (iCode, Level, Weight) overriding iMeta's":
        "iMeta의 가중치 대신 쓸 가중치 표 (iCode, Level, Weight)",
    "min-max target range (default %(api_default)s; gmean needs L > 0, e.g. 1 100)":
        "최소-최대 목표 범위 (기본값 %(api_default)s; gmean은 L > 0 필요, 예: 1 100)",
    "z-score target mean and sd (default %(api_default)s)":
        "z-점수의 목표 평균과 표준편차 (기본값 %(api_default)s)",
    # ktop track
    "An append-only history (a SQLite file, --db) of every scored firm-year and every "
    "selection, and the analyses that read it.":
        "채점한 모든 기업-연도와 모든 선정 결과를 추가만 하는 이력(SQLite 파일, --db)과 그 "
        "이력을 읽는 분석.",
    "store a scored or raw firm-year file, or a selection folder":
        "채점된 또는 원자료 기업-연도 파일이나 선정 결과 폴더를 저장합니다",
    "a firm's Tech-Index by year, changes split into domains":
        "기업의 연도별 기업혁신역량지수와 영역별로 나눈 변화",
    "median and quartiles of the index per year by industry":
        "업종별·연도별 지수의 중앙값과 사분위수",
    "supported vs matched unsupported applicants (DiD)":
        "지원기업 대 매칭된 미지원 신청기업 (이중차분)",
    "flags for supported firms: drops and missing data": "지원기업 경보: 하락과 자료 누락",
    "Store FILE in the history: a raw firm-year file is validated and scored with --model "
    "(default: the bundled model); a scored file (ktop score output) is stored as it is; a "
    "`ktop select` output folder records which firms a call supported. The same file and "
    "model twice is stored once.":
        "FILE을 이력에 저장합니다. 원자료 기업-연도 파일은 검증한 뒤 --model(기본값: 내장 "
        "모형)로 채점하고, 채점된 파일(ktop score 출력)은 그대로 저장하며, `ktop select` 출력 "
        "폴더로는 공고가 지원한 기업을 기록합니다. 같은 파일과 모형은 두 번 넣어도 한 번만 "
        "저장됩니다.",
    "the store (default: %(api_default)s)": "이력 저장소 (기본값: %(api_default)s)",
    "a note kept with the run": "채점 회차와 함께 남길 메모",
    "model file (raw files are scored with it; for scored files it records the model)":
        "모형 파일 (원자료 파일은 이 모형으로 채점하고, 채점된 파일에는 모형으로 기록합니다)",
    "A firm's Tech-Index, grade and domain scores by year (the latest run of each year), the "
    "year-on-year change split into the four domains' contributions, and grade moves. Money "
    "in KRW thousand (천원).":
        "기업의 연도별 기업혁신역량지수, 등급, 영역 점수(연도마다 최신 채점 회차), 전년 대비 "
        "변화의 4개 영역별 기여, 등급 변동. 금액 단위는 천원.",
    "write the table to FILE.csv/.xlsx instead of printing it":
        "표를 화면에 출력하지 않고 FILE.csv/.xlsx로 씁니다",
    "business number (or firm_id)": "사업자등록번호 (또는 firm_id)",
    "Median and quartiles of the Tech-Index per year, by KSIC division (default) or by "
    "region (시도).":
        "연도별 기업혁신역량지수의 중앙값과 사분위수: KSIC 중분류별(기본값) 또는 지역(시도)별.",
    "group by KSIC division (ksic) or region (default %(api_default)s)":
        "KSIC 중분류(ksic) 또는 지역(region)별로 묶습니다 (기본값 %(api_default)s)",
    "leave out groups of fewer than N firms (default %(api_default)s)":
        "기업이 N개 미만인 집단은 뺍니다 (기본값 %(api_default)s)",
    "Difference-in-differences of Tech-Index, revenue (천원) and employees: supported firms "
    "of a call against unsupported eligible applicants matched on pre-support Tech-Index and "
    "size, with a bootstrap interval.":
        "기업혁신역량지수, 매출액(천원), 상시근로자 수의 이중차분: 공고의 지원기업을 지원 전 "
        "지수와 규모로 매칭한 미지원 적격 신청기업과 비교하고 부트스트랩 신뢰구간을 붙입니다.",
    "call name, e.g. jeju_2025": "공고 이름, 예: jeju_2025",
    "first year of support (default: the year in the call's name)":
        "지원 첫해 (기본값: 공고 이름의 연도)",
    "largest matching distance in sd units (default %(api_default)s)":
        "최대 매칭 거리, 표준편차 단위 (기본값 %(api_default)s)",
    "bootstrap replicates (default %(api_default)s)": "부트스트랩 반복 수 (기본값 %(api_default)s)",
    "bootstrap seed (default %(api_default)s)": "부트스트랩 시드 (기본값 %(api_default)s)",
    "Flag a call's supported firms whose Tech-Index, revenue or employment dropped beyond a "
    "threshold (against the previous year or the pre-support year) or whose data stopped "
    "arriving.":
        "공고의 지원기업 가운데 기업혁신역량지수, 매출액 또는 고용이 기준 이상 떨어졌거나(전년 "
        "또는 지원 전 연도 대비) 자료가 끊긴 기업에 경보를 붙입니다.",
    "Tech-Index drop that raises a flag (default %(api_default)s points)":
        "경보를 울리는 지수 하락폭 (기본값 %(api_default)s점)",
    "revenue drop that raises a flag (default %(api_default)s)":
        "경보를 울리는 매출 감소율 (기본값 %(api_default)s)",
    "employment drop that raises a flag (default %(api_default)s)":
        "경보를 울리는 고용 감소율 (기본값 %(api_default)s)",
    "years without data that raise a flag (default %(api_default)s)":
        "경보를 울리는 자료 없는 햇수 (기본값 %(api_default)s)",
    "the year data should have reached (default: the store's latest)":
        "자료가 들어와 있어야 할 연도 (기본값: 저장소의 최근 연도)",
    # ktop select
    "Screen APPLICANTS against a call (regions, industries, SME size, documents), rank the "
    "eligible by the call's selection score, allocate the budget (support, self-burden, "
    "national and local shares in 천원), test each selection's robustness, and write "
    "OUTDIR/selection.csv, selection.xlsx, audit.json.":
        "APPLICANTS를 공고 요건(지역, 업종, 중소기업 규모, 제출 서류)으로 심사하고, 적격 기업의 "
        "순위를 공고의 선정 점수로 매기고, 예산을 배분하고(지원금, 기업 자부담, 국비·지방비, "
        "천원), 각 선정의 안정성을 점검한 뒤 OUTDIR/selection.csv, selection.xlsx, "
        "audit.json을 씁니다.",
    "applicants file (CSV/XLSX; Korean headers accepted)":
        "신청기업 파일 (CSV/XLSX; 한글 머리글 가능)",
    "call file (.toml) or bundled call name, e.g. jeju_2025":
        "공고 파일(.toml) 또는 내장 공고 이름, 예: jeju_2025",
    "presentation scores, long table: 사업자등록번호, 평가위원, 평가항목, 점수":
        "발표평가 점수, 긴 형식 표: 사업자등록번호, 평가위원, 평가항목, 점수",
    "check items and maximum points against the 2025 100-point table (default) or accept any "
    "items":
        "평가항목과 배점을 2025년 100점 기준표로 검사하거나(기본값) 어떤 항목이든 받습니다",
    "model file (default: the bundled model)": "모형 파일 (기본값: 내장 모형)",
    "choose the set with the largest total score within the budget (the summary shows how it "
    "differs from rank order)":
        "예산 안에서 총점이 가장 큰 기업 조합을 고릅니다 (요약에 순위순 선정과의 차이를 "
        "보입니다)",
    "robustness variants (default: the call's; 0 = none)":
        "안정성 점검 변형 수 (기본값: 공고의 값; 0 = 점검 안 함)",
    "robustness seed (default: the call's)": "안정성 점검 시드 (기본값: 공고의 값)",
    "time stamp for audit.json (default: now, UTC), for byte-identical reruns":
        "audit.json의 작성 시각 (기본값: 지금, UTC), 바이트까지 같은 재실행용",
    "most points of one evaluator's total (default: the item table's sum, 100)":
        "평가위원 한 명의 총점 상한 (기본값: 평가항목 배점의 합, 100)",
    "go on when committee scores are incomplete (items, evaluators or eligible firms "
    "missing): incomplete scores are left out, firms without scores get 0 committee points, "
    "and every such firm is noted (notes column, summary, audit.json 'partial')":
        "발표평가 점수가 불완전해도(평가항목, 평가위원 또는 적격 기업 누락) 계속합니다: 불완전한 "
        "점수는 빼고, 점수가 없는 기업은 발표평가 0점으로 하며, 해당 기업마다 기록합니다(비고 "
        "열, 요약, audit.json의 'partial')",
    # ktop calls
    "the bundled calls: list them, export one, check a file":
        "내장 공고: 목록 보기, 하나 내보내기, 파일 검사",
    "The calls for applicants shipped with ktop_index, and the check of a call file (TOML) "
    "against the call schema.":
        "ktop_index에 내장된 신청기업 모집 공고와, 공고 파일(TOML)을 공고 스키마로 검사하는 "
        "명령.",
    "list the bundled calls": "내장 공고 목록을 보입니다",
    "write a bundled call's file, to edit it": "내장 공고의 파일을 고쳐 쓸 수 있게 내보냅니다",
    "check a call file and list every problem": "공고 파일을 검사하고 모든 문제를 나열합니다",
    "List the bundled calls: name, title, reference date, budget and cap per firm (in 천원).":
        "내장 공고 목록: 이름, 제목, 기준일, 예산과 기업당 한도(천원).",
    "Write the bundled call NAME to FILE exactly as it is shipped (its comments cite the "
    "announcement), to edit into a call of your own.":
        "내장 공고 NAME을 배포된 그대로(주석에 공고문 출처가 있습니다) FILE로 씁니다. 고쳐서 "
        "자신의 공고로 쓸 수 있습니다.",
    "a bundled call, e.g. jeju_2025": "내장 공고 이름, 예: jeju_2025",
    "the file to write": "쓸 파일",
    "replace FILE if it exists (it may be an edited call)":
        "FILE이 있으면 바꿔 씁니다 (고쳐 쓴 공고일 수 있습니다)",
    "Check a call file against the call schema. Print OK and what the call says, or every "
    "problem, one a line. Exit 1 if there is any problem.":
        "공고 파일을 공고 스키마로 검사합니다. 문제가 없으면 OK와 공고 내용을, 있으면 모든 "
        "문제를 한 줄에 하나씩 출력합니다. 문제가 하나라도 있으면 종료 코드 1.",
    "a call file (.toml) or a bundled call name": "공고 파일(.toml) 또는 내장 공고 이름",
    # ktop report
    "Self-contained HTML reports (pictures embedded, no network references) to mail or "
    "archive.":
        "메일로 보내거나 보관할 수 있는 독립 HTML 보고서 (그림 포함, 외부 참조 없음).",
    "the report of a selection round": "선정 회차 보고서",
    "a firm's report card": "기업 진단표",
    "Report of a `ktop select` output folder (selection.csv, audit.json): the call, the "
    "counts, the pictures, the ranked table, the robustness findings, the audit record. "
    "Writes OUTDIR/report.html (report_ko.html with --lang ko).":
        "`ktop select` 출력 폴더(selection.csv, audit.json)의 보고서: 공고, 집계, 그림, 순위표, "
        "안정성 점검 결과, 감사 기록. OUTDIR/report.html(--lang ko이면 report_ko.html)을 "
        "씁니다.",
    "the output folder of `ktop select`": "`ktop select`의 출력 폴더",
    "the HTML file to write instead": "대신 쓸 HTML 파일",
    "A firm's report card: Tech-Index, grade, domain scores against its industry, reasons, "
    "trajectory and what would raise its index most.":
        "기업 진단표: 기업혁신역량지수, 등급, 업종 대비 영역 점수, 평가 근거, 연도별 추이, "
        "지수를 가장 많이 올릴 수 있는 지표.",
    "the firm's business registration number": "기업의 사업자등록번호",
    "firm data (scored here; gives the per-indicator analysis) or a `ktop score` output file":
        "기업 자료(여기서 채점하며 지표별 분석을 보입니다) 또는 `ktop score` 출력 파일",
    "tracking store for the trajectory": "연도별 추이를 읽을 이력 저장소",
    "the HTML file (default: firm_<BRN>.html)": "HTML 파일 (기본값: firm_<BRN>.html)",
    # ktop fit | psi
    "Fit a growth-based Tech-Index on PANEL (firm-years over several years): label each "
    "firm-year by its high growth and sustainable growth over the next 3 years, learn "
    "non-negative domain and indicator weights (none for indicators the panel has no data "
    "for), validate on held-out rows (out of time where the years allow, else next cohort or "
    "firm-grouped folds), and write MODEL.json and its model card MODEL.md "
    "(docs/growth_model.md).":
        "PANEL(여러 해의 기업-연도)로 성장 기반 기업혁신역량지수를 적합합니다. 기업-연도마다 "
        "이후 3년의 고성장·지속성장 여부를 붙이고, 음이 아닌 영역·지표 가중치를 학습하고(자료가 "
        "없는 지표는 가중치 0), 검증용으로 남겨 둔 행으로 검증(연도가 충분하면 시점 외, 아니면 "
        "다음 코호트 또는 기업 단위 교차검증)한 뒤 MODEL.json과 모형 카드 MODEL.md를 씁니다 "
        "(docs/growth_model.md).",
    "firm-year panel (CSV/XLSX/Parquet; firm_id, year, employees or revenue, any other "
    "fields; 10 years for an out-of-time validation)":
        "기업-연도 패널 (CSV/XLSX/Parquet; firm_id, year, employees 또는 revenue와 그 밖의 "
        "항목; 시점 외 검증에는 10년)",
    "fit instead on the firm-years a tracking store holds (ktop track import), labelled from "
    "its later years (not with PANEL)":
        "PANEL 대신 이력 저장소(ktop track import)에 쌓인 기업-연도로 적합하고, 성과는 같은 "
        "저장소의 이후 연도에서 읽습니다 (PANEL과 함께 쓸 수 없음)",
    "the model file to write (the card goes beside it as .md)":
        "쓸 모형 파일 (모형 카드는 그 옆에 .md로)",
    "reference year (default: the last year)": "기준연도 (기본값: 마지막 연도)",
    "synthetic truth.parquet (adds the latent capability as the best achievable baseline; "
    "marks the model synthetic)":
        "합성 truth.parquet (잠재 역량을 도달 가능한 최선의 비교 기준으로 더하고, 모형을 합성 "
        "자료로 표시합니다)",
    "index specification (.json; default: the bundled one)":
        "지수 명세 (.json; 기본값: 내장 명세)",
    "high growth in employees, revenue, or either (default %(api_default)s)":
        "고성장 기준: 고용(employees), 매출(revenue) 또는 둘 중 하나(either) "
        "(기본값 %(api_default)s)",
    "annualised growth of a high-growth firm (default %(api_default)s)":
        "고성장 기업의 연평균 성장률 (기본값 %(api_default)s)",
    "share of the high-growth perspective in the weights (default %(api_default)s)":
        "가중치에서 고성장 관점의 비중 (기본값 %(api_default)s)",
    "fit each perspective on the indicator scores (indicators: learns domain and indicator "
    "weights) or on the four domain scores (domains); default %(api_default)s":
        "관점마다 지표 점수(indicators: 영역·지표 가중치 학습) 또는 4개 영역 점수(domains)로 "
        "적합합니다; 기본값 %(api_default)s",
    "smallest weight of a domain (default %(api_default)s; 0 lets a domain drop out)":
        "영역 가중치의 최솟값 (기본값 %(api_default)s; 0이면 영역이 빠질 수 있습니다)",
    "adjust the perspective models for size, age and industry":
        "관점별 모형을 규모, 업력, 업종으로 보정합니다",
    "bootstrap samples for confidence intervals (default %(api_default)s)":
        "신뢰구간을 위한 부트스트랩 표본 수 (기본값 %(api_default)s)",
    "bootstrap refits of the weights (default %(api_default)s)":
        "가중치의 부트스트랩 재적합 횟수 (기본값 %(api_default)s)",
    "say on the card that the panel is synthetic (implied by --truth)":
        "패널이 합성 자료임을 모형 카드에 적습니다 (--truth를 주면 자동)",
    "what the panel is, for the card": "모형 카드에 적을 패널 설명",
    "Population stability index of BATCH's Tech-Index against the reference population of "
    "MODEL (10 reference deciles): below 0.10 stable, 0.10-0.25 watch, 0.25 or more shifted.":
        "BATCH의 기업혁신역량지수를 MODEL의 기준 모집단(기준 10분위)과 비교한 모집단 안정성 "
        "지수(PSI): 0.10 미만 안정, 0.10-0.25 주의, 0.25 이상 변화.",
    "model file (.json)": "모형 파일 (.json)",
    "firm-year file to check (e.g. this year's applicants)":
        "점검할 기업-연도 파일 (예: 올해 신청기업)",
}
#: The page's own words (``ktop app``, :mod:`ktop_index.app`): key -> (English, Korean).
#: The run button's label contains "Run selection" / "선정 실행" and each download's label
#: the file's name (the page's contract with its browser test).
PAGE_WORDS = {
    "title": ("Selecting the firms of a call", "지원기업 선정"),
    "subtitle": ("Tech-Index (K-TOP) on this computer only: nothing leaves it",
                 "기업혁신역량지수(K-TOP) · 이 컴퓨터 안에서만 실행되며 밖으로 나가는 것은 없습니다"),
    "tab_selection": ("Selection", "선정"), "tab_firm": ("Firm", "기업"),
    "tab_history": ("History", "이력"),
    "step_applicants": ("1. Applicants", "1. 신청기업"),
    "applicants_upload": ("Applicants file (XLSX or CSV)", "신청기업 파일 (XLSX 또는 CSV)"),
    "applicants_help": (("the filled template or any table with the template's headers; "
                        "Korean headers, CP949 or UTF-8"),
                        "작성한 양식 또는 양식의 머리글을 가진 표 (한글 머리글, CP949·UTF-8 가능)"),
    "applicants_none": ("Upload the applicants' file to begin.",
                        "신청기업 파일을 올리면 시작합니다."),
    "applicants_read": ("{name}: {rows} rows, {errors} errors, {warnings} warnings",
                        "{name}: {rows}행, 오류 {errors}건, 경고 {warnings}건"),
    "applicants_errors": (("{n} errors: fix them in the table below (or in the file and "
                          "upload it again) before the run"),
                          "오류 {n}건: 실행 전에 아래 표에서 고치거나 파일을 고쳐 다시 올리십시오"),
    "problems_title": ("Problems, by row and column", "문제 목록 (행·열별)"),
    "cells_title": ("Rows with a problem (the cells coloured)", "문제가 있는 행 (해당 칸 색 표시)"),
    "table_title": ("The table: edit a cell to fix it (checked again at once)",
                    "표: 칸을 고치면 바로 다시 검사합니다"),
    "problems_column": ("problems", "문제"),
    "row": ("row", "행"), "column": ("column", "열"), "severity": ("kind", "구분"),
    "message": ("what is wrong", "내용"), "error": ("error", "오류"), "warning": ("warning", "경고"),
    "annotated_suffix": ("annotated", "문제표시"),
    "step_call": ("2. The call", "2. 공고"),
    "call_choose": ("Bundled call", "내장 공고"),
    "call_upload": ("…or your own call file (TOML)", "…또는 직접 만든 공고 파일 (TOML)"),
    "call_help": (("a call file as `ktop calls export` writes it; it replaces the bundled "
                  "call while uploaded"),
                  ("`ktop calls export`로 내보낸 형식의 공고 파일; 올려 둔 동안 내장 공고 대신 "
                  "씁니다")),
    "call_unknown": ("no bundled call '{name}' (bundled: {names}); the first is chosen",
                     ("내장 공고 '{name}'이(가) 없습니다 (내장 공고: {names}); 첫 공고를 "
                     "골랐습니다")),
    "call_read": ("{title} — file {name}", "{title} — 파일 {name}"),
    "budget": ("Budget (KRW thousand, national + local)", "예산 (천원, 국비+지방비)"),
    "max_firms": ("Most firms (0 = budget only)", "최대 지원기업 수 (0 = 예산만 적용)"),
    "tech_weight": ("Tech-Index weight (the committee's is 1 − it)",
                    "기업혁신역량지수 가중치 (발표평가 가중치 = 1 − 이 값)"),
    "weights_note": (("selection score = {tech} × index points + {committee} × committee "
                     "score (without committee scores: the index points alone)"),
                     ("선정점수 = {tech} × 지수 점수 + {committee} × 발표평가 점수 (발표평가 "
                     "점수가 없으면 지수 점수만)")),
    "weights_other": ("this call uses the Tech-Index as '{use}', not as a weight",
                      "이 공고는 기업혁신역량지수를 가중치가 아닌 '{use}' 방식으로 씁니다"),
    "step_committee": ("3. Committee scores (optional)", "3. 발표평가 점수 (선택)"),
    "committee_upload": ("Committee scores (XLSX or CSV): 사업자등록번호, 평가위원, 평가항목, 점수",
                         "발표평가 점수 (XLSX 또는 CSV): 사업자등록번호, 평가위원, 평가항목, 점수"),
    "committee_help": (("one row per firm, evaluator and item, checked against the 2025 "
                       "100-point table"),
                       "기업·평가위원·평가항목마다 한 행; 2025년 100점 평가표로 검사합니다"),
    "committee_none": ("No committee scores: the firms are ranked by the Tech-Index alone.",
                       "발표평가 점수 없음: 기업혁신역량지수만으로 순위를 정합니다."),
    "committee_read": ("Committee scores: {name}", "발표평가 점수: {name}"),
    "step_run": ("4. Run", "4. 실행"),
    "run": ("Run selection", "선정 실행"),
    "running": ("Deciding the call (eligibility, scores, money, robustness)…",
                "선정 중입니다 (신청자격, 점수, 지원금, 강건성)…"),
    "done": ("Decided; created stamp {created} (the same in audit.json)",
             "선정 완료; 기록 시각 {created} (audit.json과 같음)"),
    "stale": (("The inputs or the language changed since this run: run again for results "
              "that match them."),
              "이 실행 뒤에 입력이나 언어가 바뀌었습니다: 맞는 결과를 보려면 다시 실행하십시오."),
    "ranked_title": (("5. The ranked list (selected green, waitlist amber, not selected grey, "
                     "ineligible red)"),
                     "5. 순위표 (선정 초록, 예비 노랑, 미선정 회색, 부적격 빨강)"),
    "rank_interval": ("rank interval (5–95%)", "순위 구간 (5–95%)"),
    "probability": ("selection probability (%)", "선정 확률(%)"),
    "click_firm": ("Click a row: the firm's report card is then in tab Firm.",
                   "행을 누르면 그 기업의 카드가 기업 탭에 나옵니다."),
    "card_in_tab": ("{name}: its report card and a comparison are in tab Firm.",
                    "{name}: 기업 카드와 비교는 기업 탭에 있습니다."),
    "picture_ranked": (("Selection score of each ranked firm, its rank interval and the "
                       "budget line"),
                       "순위별 선정점수, 순위 구간과 예산선"),
    "picture_distribution": ("Distribution of the selection score, with the cut-off",
                             "선정점수 분포와 선정 경계"),
    "downloads_title": ("6. Downloads (the files `ktop select` writes)",
                        "6. 내려받기 (`ktop select`가 쓰는 파일과 같음)"),
    "download": ("Download {name}", "{name} 내려받기"),
    "internal": ("internal error ({what}); please report it with the file you used",
                 "내부 오류 ({what}); 사용한 파일과 함께 알려 주십시오"),
    "not_yet": ("This part of the page is not installed.", "이 화면은 아직 설치되지 않았습니다."),
    "run_first": ("Run a selection first (tab 선정).", "먼저 선정을 실행하십시오 (선정 탭)."),
    "firm_a": ("Firm", "기업"), "firm_b": ("Compare with", "비교할 기업"),
}
