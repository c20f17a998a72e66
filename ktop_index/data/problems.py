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

import re
from dataclasses import dataclass, field

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    r"""Text fit for a one-line message: control characters (a line break in a cell, ESC, NUL)
    written as ``\xNN``, so a message stays one line and no escape sequence reaches a
    terminal.

    >>> visible("a\nb\x1b[31m")
    'a\\x0ab\\x1b[31m'
    """
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)

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
    "not_finite": (("'{value}' is not a finite number (expected {expected}; leave the cell "
                    "blank when it is unknown)"),
                   "'{value}'은(는) 유한한 숫자가 아닙니다 ({expected_ko} 필요; 모르면 빈칸으로)"),
    "decimal_comma": (("'{value}' is not read as {decimal}: a comma as the decimal mark is not "
                      "accepted (expected a plain number such as {decimal})"),
                      ("'{value}'을(를) {decimal}(으)로 읽지 않았습니다: 쉼표 소수점은 받지 않습니다 "
                       "({decimal}처럼 마침표 소수점 숫자 필요)")),
    "comma_ambiguous": (("'{value}' could be {decimal} (a decimal comma) or {digits} (a misplaced "
                        "thousands comma), so it is not read (expected a plain number such as "
                        "{decimal} or {digits})"),
                        ("'{value}'은(는) {decimal}(쉼표 소수점)인지 {digits}(잘못 찍은 천 단위 쉼표)"
                         "인지 알 수 없어 읽지 않았습니다 ({decimal} 또는 {digits}처럼 숫자 필요)")),
    "bad_grouping": (("'{value}' is not read as {digits}: commas must separate groups of three "
                     "digits (expected a plain number such as {digits} or {grouped})"),
                     ("'{value}'을(를) {digits}(으)로 읽지 않았습니다: 쉼표는 세 자리마다 찍어야 합니다 "
                      "({digits} 또는 {grouped}처럼 숫자 필요)")),
    "fractional_year": (("'{value}' is a fractional year or a year.month, not read (expected a "
                        "whole year like {year} or a full date like {year}-03-01)"),
                        ("'{value}'은(는) 소수 연도 또는 연.월 표기라 읽지 않았습니다 ({year} 같은 "
                         "연도 또는 {year}-03-01 같은 전체 날짜 필요)")),
    "too_large": (("{value} is {amount} 천원, beyond any firm's figures (expected at most {limit} "
                  "천원 either way; check the unit and the column)"),
                  ("{value}은(는) {amount}천원으로 기업의 값이 될 수 없습니다 (절댓값 {limit}천원 이하; "
                   "단위와 열 확인)")),
    "control_character": (("contains the control character {char} at character {position} "
                          "(expected plain text; delete it and type the cell again)"),
                          ("{position}번째 글자에 제어 문자 {char}이(가) 있습니다 (일반 텍스트 필요; "
                           "지우고 다시 입력)")),
    "missing_firm_name": (("firm name is empty for firm {firm} (expected the firm's name; "
                          "outputs would show none)"),
                          "{firm} 기업의 기업명이 비어 있습니다 (기업명 필요; 결과표에 이름이 빠짐)"),
    # ---- industry codes (ktop_index.data.validate, ktop_index.selection.eligibility)
    "ksic_lost_zero": (("'{value}' may be {zero} with its leading zero lost, or {plain}; write "
                       "the code as text with 5 digits (e.g. '01110 in Excel)"),
                       ("'{value}'은(는) 앞자리 0이 빠진 {zero}일 수도, {plain_ko}일 수도 있습니다; "
                        "업종코드를 5자리 텍스트로 입력하세요 (엑셀에서는 '01110)")),
    "ksic_unknown": (("'{value}' is not a code of the KSIC 10th or 11th revision; only its "
                     "start {prefix} is used (expected a code from the official list, e.g. "
                     "10301)"),
                     ("'{value}'은(는) 한국표준산업분류 10차·11차 어디에도 없는 코드입니다; 앞자리 "
                      "{prefix}만 사용합니다 (공식 목록의 코드 필요, 예: 10301)")),
    "ksic_rev10": (("'{value}' is a KSIC 10th-revision code ({name10}); it is read as the 11th "
                   "revision's {rev11}"),
                   "'{value}'은(는) 10차 업종코드({name10})입니다; 11차 코드 {rev11_ko}(으)로 봅니다"),
    # ---- readers (ktop_index.data.io)
    "duplicate_header": (("the header appears twice: columns {first} and {second} (column "
                          "{second} is ignored; expected each header once)"),
                         ("같은 머리글이 두 번 있습니다: {first}열과 {second}열 ({second}열은 무시; "
                          "머리글은 한 번씩만)")),
    "merged_header": (("column {letter} holds data but has no header of its own: the header "
                       "cell '{header}' is merged over columns {span} (unmerge it and give each "
                       "column its header)"),
                      ("{letter}열에 데이터가 있지만 머리글이 없습니다: 머리글 셀 '{header}'이(가) "
                       "{span}열에 병합되어 있습니다 (병합을 풀고 열마다 머리글을 주세요)")),
    "unnamed_column": (("column {letter} holds data but has no header, so it is ignored (give "
                        "it a header, or delete the column)"),
                       "{letter}열에 데이터가 있지만 머리글이 없어 무시합니다 (머리글을 주거나 열을 지우세요)"),
    "header_not_found": (("no row among the first {rows} holds two of the contract's headers, "
                          "so row {row} was read as the header; if the header is lower, give "
                          "--header-row N; if the table is on another sheet, --sheet "
                          "NAME{sheets}"),
                         ("처음 {rows}행 중 계약 머리글이 두 개 이상인 행이 없어 {row}행을 머리글로 "
                          "읽었습니다; 머리글이 더 아래 있으면 --header-row N, 표가 다른 시트에 있으면 "
                          "--sheet 이름을 주세요{sheets_ko}")),
    "sheet_chosen": (("read sheet '{sheet}' ({why}); other sheets holding data: {others} "
                      "(--sheet NAME reads another)"),
                     ("'{sheet}' 시트를 읽었습니다 ({why_ko}); 데이터가 있는 다른 시트: {others} "
                      "(다른 시트는 --sheet 이름으로 읽으세요)")),
    "year_as_date": (("{count} cells of a year column show a date such as {date}: read as the "
                      "year {year}, the date's serial number (a year typed into a "
                      "date-formatted cell; format the column as a number)"),
                     ("연도 열의 셀 {count}개가 {date} 같은 날짜로 보입니다: 날짜의 일련번호인 {year}년으로 "
                      "읽었습니다 (날짜 서식 셀에 연도를 입력한 경우; 열 서식을 숫자로 바꾸세요)")),
    "linked_cells": (("{count} cells take their values from {files} (e.g. {cells}): their "
                      "saved values are read and may be out of date (open both files in Excel, "
                      "update the links, then paste the values)"),
                     ("셀 {count}개가 {files_ko}의 값을 가져옵니다 (예: {cells}): 저장된 값을 읽었으며 "
                      "최신이 아닐 수 있습니다 (두 파일을 Excel에서 열어 연결을 업데이트한 뒤 값으로 "
                      "붙여넣기)")),
    # ---- committee score files (ktop_index.selection.committee)
    "committee_empty": (("the committee file has no score rows (expected one row per firm, "
                         "evaluator and item)"),
                        "발표평가 파일에 점수 행이 없습니다 (기업·위원·항목당 1행 필요)"),
    "committee_missing_column": (("column {field} ({label}) is missing (expected columns "
                                  "{expected})"),
                                 "{label}({field}) 열이 없습니다 (필요한 열: {expected})"),
    "committee_item_column": (("column item (평가항목) is missing, but the scores are checked "
                              "against the item table {table} (expected one row per item, or "
                              "--committee-items any for one total per evaluator)"),
                              ("평가항목 열이 없는데 점수를 배점표 {table}로 검사합니다 (항목당 1행, "
                               "또는 위원별 총점이면 --committee-items any)")),
    "committee_not_score": (("'{value}' is not a score (expected a number of points, e.g. 8 "
                             "or 8.5)"),
                            "'{value}'은(는) 점수가 아닙니다 (8 또는 8.5 같은 숫자 필요)"),
    "committee_comma": (("'{value}' holds a comma, which may be a decimal or a thousands "
                        "separator (expected points with a decimal point, e.g. 8.5)"),
                        ("'{value}'에 쉼표가 있어 소수점인지 천 단위 구분인지 알 수 없습니다 "
                         "(8.5처럼 소수점으로 입력)")),
    "committee_not_finite": (("'{value}' is not a finite number (expected points from 0 to "
                              "the item's maximum)"),
                             "'{value}'은(는) 유한한 숫자가 아닙니다 (0부터 항목 배점까지의 점수 필요)"),
    "committee_unknown_item": ("unknown item '{value}' (expected one of {expected})",
                               "알 수 없는 평가항목 '{value}' ({expected} 중 하나)"),
    "committee_above_item_max": (("{value:g} is above the {maximum:g} points of item '{item}' "
                                 "(expected 0 to {maximum:g})"),
                                 ("{value:g}점이 항목 '{item}'의 배점 {maximum:g}점을 넘습니다 "
                                  "(0~{maximum:g}점)")),
    "committee_above_total": (("firm {firm}, evaluator {evaluator}: total {total:g} is above "
                              "{maximum:g} points (expected at most {maximum:g}; "
                              "--committee-max-total states another maximum)"),
                              ("기업 {firm}, 평가위원 {evaluator}: 총점 {total:g}점이 만점 "
                               "{maximum:g}점을 넘습니다 ({maximum:g}점 이하 필요; 만점이 다르면 "
                               "--committee-max-total)")),
    "committee_duplicate": (("firm {firm}, evaluator {evaluator}, item {item} given twice "
                            "(first at row {first}; expected one score per firm, evaluator and "
                            "item)"),
                            ("기업 {firm}, 평가위원 {evaluator}, 항목 {item} 점수가 중복입니다 "
                             "(처음 {first}행; 기업·위원·항목당 1개)")),
    "committee_not_applicant": (("firm {firm} did not apply: {count} score row(s), the first "
                                "here (expected the business numbers of the applicants)"),
                                ("기업 {firm}은(는) 신청기업이 아닙니다: 점수 {count}행, 첫 행이 "
                                 "여기 (신청기업의 사업자등록번호 필요)")),
    "committee_evaluator_merged": (("evaluator spellings {spellings} are read as one evaluator, "
                                   "'{name}' (names are compared without spaces, case or "
                                   "full-width forms)"),
                                   ("평가위원 표기 {spellings}을(를) 한 위원 '{name}'(으)로 봅니다 "
                                    "(공백·대소문자·전각 구분 없이 비교)")),
    "committee_blank_points": (("firm {firm}, evaluator {evaluator}, item {item}: the points "
                               "cell is empty (expected a score){hint}"),
                               ("기업 {firm}, 평가위원 {evaluator}, 항목 {item}: 점수 칸이 "
                                "비어 있습니다 (점수 필요){hint_ko}")),
    "committee_missing_items": (("firm {firm}, evaluator {evaluator}: no score for item(s) "
                                "{items} (expected a score for every item){hint}"),
                                ("기업 {firm}, 평가위원 {evaluator}: 항목 {items} 점수 없음 "
                                 "(모든 항목 점수 필요){hint_ko}")),
    "committee_few_evaluators": (("firm {firm} was scored by {count} evaluator(s), other firms "
                                 "by {size} (expected the same number of evaluators for every "
                                 "firm){hint}"),
                                 ("기업 {firm}: 평가위원 {count}명이 채점, 다른 기업은 {size}명 "
                                  "(모든 기업에 같은 수의 위원 필요){hint_ko}")),
    "committee_missing_firms": (("{count} of {eligible} eligible applicants have no committee "
                                "scores, e.g. {examples} (expected scores for every eligible "
                                "applicant){hint}"),
                                ("적격 신청기업 {eligible}개사 중 {count}개사의 발표평가 점수가 "
                                 "없습니다 (예: {examples}; 모든 적격 기업 점수 필요){hint_ko}")),
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
        # every checker's values pass through here: one place keeps every message one line
        return visible((ko if lang == "ko" else en).format(**params))

    def line(self, lang: str = "en") -> str:
        """``FILE:ROW:COLUMN: message``; warnings say so."""
        tag = ("경고: " if lang == "ko" else "warning: ") if self.severity == "warning" else ""
        return f"{self.source}:{self.row}:{self.column}: {tag}{self.message(lang)}"


class WithProblems:
    """What a check returns beside its ``problems`` list: its errors, its warnings, and
    whether it passed (no error; warnings allowed)."""

    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors
