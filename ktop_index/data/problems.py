"""One problem of one cell, column, row or rule, and every message a problem can carry.

A :class:`Problem` names the file, the spreadsheet row (the header is row 1), the column as
the file spells it and a message code; :data:`MESSAGES` maps each code to its English and
Korean text (``{x}`` fields filled from ``Problem.params``). This module is the one home of
those texts: the applicants' validator, the readers, the committee checks all report through
it, and ``docs/errors.md`` lists every code (a test keeps the two in step).

Example
-------
>>> p = Problem("a.csv", 3, "매출액(천원)", "not_number", params={"value": "x",
...             "expected": "an amount", "expected_ko": "금액"})
>>> p.line()
"a.csv:3:매출액(천원): 'x' is not a number (expected an amount)"
>>> p.line("ko")
"a.csv:3:매출액(천원): 'x'은(는) 숫자가 아닙니다 (금액 필요)"
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: code -> (English, Korean). Each group below belongs to one checker; add a checker's codes
#: to its own group.
MESSAGES: dict[str, tuple[str, str]] = {
    # ---- applicants' firm-year tables (ktop_index.data.validate)
    "empty": ("the file has no data rows (expected a header row and at least one firm-year)",
              "데이터 행이 없습니다 (머리글 행과 1개 이상의 기업·연도 행 필요)"),
    "missing_column": ("required column {field} ({label}) is missing",
                       "필수 열 {label}({field})이(가) 없습니다"),
    "missing_key": (("neither brn (사업자등록번호) nor firm_id (기업ID) is present (expected one of "
                    "them to identify the firm)"),
                    "사업자등록번호 또는 기업ID 열이 없습니다 (기업 식별용으로 둘 중 하나 필요)"),
    "unknown_column": ("unknown column, ignored{hint}", "알 수 없는 열이라 무시합니다{hint_ko}"),
    "duplicate_column": (("column is the same field ({field}) as column '{other}' (expected each "
                         "field once)"), "'{other}' 열과 같은 항목({field})입니다 (항목당 한 열만 허용)"),
    "money_unit": (("money unit not stated (expected a unit in the header such as '{label}(천원)' "
                   "or --money-unit 원|천원|백만원)"),
                   "금액 단위가 없습니다 (머리글에 '{label}(천원)'처럼 단위를 쓰거나 --money-unit 원|천원|백만원 지정)"),
    "bad_unit": ("unknown money unit '{unit}' (expected 원, 천원, 백만원 or 억원)",
                 "알 수 없는 금액 단위 '{unit}' (원, 천원, 백만원, 억원 중 하나)"),
    "not_number": ("'{value}' is not a number (expected {expected})",
                   "'{value}'은(는) 숫자가 아닙니다 ({expected_ko} 필요)"),
    "not_integer": ("{value} is not a whole number (expected a count)",
                    "{value}은(는) 정수가 아닙니다 (건수·개수 필요)"),
    "negative": ("{value} is negative (expected 0 or more)", "{value}: 음수입니다 (0 이상 필요)"),
    "out_of_range": ("{value} is out of range (expected {allowed})",
                     "{value}: 허용 범위를 벗어났습니다 ({allowed})"),
    "bad_year": ("'{value}' is not a year (expected a year like 2024 or a date like 2015-03-01)",
                 "'{value}'은(는) 연도가 아닙니다 (2024 같은 연도 또는 2015-03-01 같은 날짜 필요)"),
    "bad_brn": (("invalid business number: {why} (a 10-digit number whose last digit checks, "
                "e.g. 124-81-00998)"),
                "사업자등록번호 오류: {why_ko} (검증번호가 맞는 10자리 번호, 예: 124-81-00998)"),
    "missing_value": ("{field} is empty (expected a value in every row)",
                      "{label} 값이 비어 있습니다 (모든 행에 필요)"),
    "bad_ksic": (("'{value}' is not a KSIC industry code (expected 2 to 5 digits of a KSIC 10th/11th "
                 "revision code, e.g. 10301 or C10301)"),
                 "'{value}'은(는) 업종코드가 아닙니다 (한국표준산업분류 10·11차 2~5자리 코드, 예: 10301)"),
    "ksic_not_rev11": (("'{value}' is not a KSIC 11th-revision code (expected a code from the "
                       "10th or 11th revision; check it)"),
                       "'{value}'은(는) 11차 업종코드 목록에 없습니다 (10차 코드인지 확인)"),
    "bad_region_code": (("'{value}' is not a region code (expected a 5- or 10-digit code, a "
                        "시군구 name or an address)"),
                        "'{value}'은(는) 지역코드가 아닙니다 (5·10자리 코드, 시군구명 또는 주소 필요)"),
    "bad_yesno": ("'{value}' is not yes/no (expected Y or N)",
                  "'{value}'은(는) 예/아니오 값이 아닙니다 (Y 또는 N)"),
    "staff_gt_employees": (("R&D staff {value:g} exceeds employees {other:g} (expected at most "
                           "the employees)"), "연구개발인력 {value:g}명이 상시근로자 {other:g}명보다 많습니다"),
    "founded_after_year": (("founded {value} is after the fiscal year {other} (expected founded "
                           "at or before the year)"),
                           "설립연도 {value}이(가) 기준연도 {other}보다 늦습니다"),
    "duplicate_firm_year": (("firm {firm} appears twice in {year} (first at row {first}; expected "
                            "one row per firm and year)"),
                            "기업 {firm}의 {year}년 행이 중복입니다 (처음 {first}행; 기업·연도당 1행)"),
    "export_gt_revenue": (("export revenue {value:,.0f} exceeds revenue {other:,.0f} 천원 (exports "
                          "are part of revenue)"), "수출액 {value:,.0f}천원이 매출액 {other:,.0f}천원보다 큽니다"),
    "age_mismatch": (("firm age {value:g} differs from year - founded = {other:g} (the derived "
                     "value is used)"), "업력 {value:g}이(가) 기준연도-설립연도 = {other:g}와 다릅니다 (계산값 사용)"),
    # ---- values that cannot be misread (ktop_index.data.validate)
    # ---- industry codes (ktop_index.data.validate, ktop_index.selection.eligibility)
    # ---- readers (ktop_index.data.io)
    # ---- committee score files (ktop_index.selection.committee)
}


@dataclass(frozen=True)
class Problem:
    """One problem of one cell, column or rule; ``severity`` is 'error' or 'warning'."""

    source: str
    row: int
    column: str
    code: str
    severity: str = "error"
    params: dict = field(default_factory=dict, compare=False, hash=False)

    def message(self, lang: str = "en") -> str:
        """The message in English ('en') or Korean ('ko')."""
        en, ko = MESSAGES[self.code]
        params = dict(self.params)
        params.setdefault("hint", "")
        params.setdefault("hint_ko", "")
        return (ko if lang == "ko" else en).format(**params)

    def line(self, lang: str = "en") -> str:
        """``FILE:ROW:COLUMN: message``; warnings say so."""
        tag = ("경고: " if lang == "ko" else "warning: ") if self.severity == "warning" else ""
        return f"{self.source}:{self.row}:{self.column}: {tag}{self.message(lang)}"
