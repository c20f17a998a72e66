"""Write the 'values that cannot be misread' corpus: small applicants and panel files whose
cells a person, a locale or a script made ambiguous, and cases.csv with the line each gets.

Run from anywhere: ``python tests/corpus/values/make.py``. Deterministic: CSVs are written
byte by byte; XLSX files get fixed timestamps, so the same bytes come out every time.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
FIXED = datetime(2025, 1, 1)

HEAD = ["사업자등록번호", "기업명", "기준연도", "상시근로자 수", "매출액(천원)"]
ROWS = [["124-81-00998", "한라식품", "2024", "12", "1,250,000"],
        ["220-81-62517", "탐라바이오", "2024", "31", "3,480,500"],
        ["107-86-14075", "서귀포정밀", "2024", "8", "640,000"]]


def table(changes: dict[tuple[int, str], str], head=HEAD, rows=ROWS,
          extra: dict[str, list[str]] | None = None) -> list[list[str]]:
    """The three firms with cells changed: (row index, header) -> new text."""
    head = list(head) + list(extra or {})
    body = [list(r) + [values[i] for values in (extra or {}).values()]
            for i, r in enumerate(rows)]
    for (i, header), value in changes.items():
        body[i][head.index(header)] = value
    return [head, *body]


def write_csv(name: str, cells: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(cells)
    (HERE / name).write_bytes(buffer.getvalue().encode("utf-8"))


def write_xlsx(name: str, cells: list[list[object]], patch=None) -> None:
    """An XLSX of ``cells`` with fixed timestamps; ``patch(xml) -> xml`` edits the sheet XML,
    as a script that writes XLSX itself would (openpyxl refuses some of these values)."""
    book = openpyxl.Workbook()
    sheet = book.active
    for row in cells:
        sheet.append(row)
    book.properties.created = book.properties.modified = FIXED
    raw = io.BytesIO()
    book.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml" and patch is not None:
                data = patch(data)
            if info.filename == "docProps/core.xml":  # openpyxl stamps 'modified' with now
                data = _fixed_times(data)
            entry = zipfile.ZipInfo(info.filename, date_time=(2025, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, data)
    (HERE / name).write_bytes(out.getvalue())


def _fixed_times(xml: bytes) -> bytes:
    import re

    return re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2025-01-01T00:00:00Z", xml)


# (file, command, exit, expected, expected_ko, why); files are written below
CASES: list[tuple[str, str, int, str, str, str]] = []


def case(file, exit_code, expected, expected_ko, why, command="validate {file}"):
    CASES.append((file, command, exit_code, expected, expected_ko, why))


def build() -> None:
    write_csv("inf_revenue.csv", table({(1, "매출액(천원)"): "inf"}))
    case("inf_revenue.csv", 1, "inf_revenue.csv:3:매출액(천원): 'inf' is not a finite number",
         "inf_revenue.csv:3:매출액(천원): 'inf'은(는) 유한한 숫자가 아닙니다",
         "a script divided by zero (growth over a zero base) and wrote Python's inf")

    write_csv("minus_inf_profit.csv", table({(0, "영업이익(천원)"): "-inf"},
                                            extra={"영업이익(천원)": ["12,000", "-3,000", "500"]}))
    case("minus_inf_profit.csv", 1, "minus_inf_profit.csv:2:영업이익(천원): '-inf' is not a finite",
         "'-inf'은(는) 유한한 숫자가 아닙니다 (금액 필요",
         "a loss computed as a ratio over zero sales, written by pandas as -inf")

    write_csv("overflow_1e400.csv", table({(2, "매출액(천원)"): "1e400"}))
    case("overflow_1e400.csv", 1, "overflow_1e400.csv:4:매출액(천원): '1e400' is not a finite",
         "'1e400'은(는) 유한한 숫자가 아닙니다",
         "a number beyond any float (it overflows to infinity when read)")

    write_csv("european_decimal.csv", table({(1, "매출액(천원)"): "3.480.500,5"}))
    case("european_decimal.csv", 1, "european_decimal.csv:3:매출액(천원): '3.480.500,5' is not "
         "read as 3480500.5: a comma as the decimal mark is not accepted",
         "'3.480.500,5'을(를) 3480500.5(으)로 읽지 않았습니다",
         "saved by Excel on a German-locale PC: dots group thousands, the comma is the decimal "
         "mark (read as 3.4805005 before)")

    write_csv("indian_grouping.csv", table({(0, "매출액(천원)"): "12,50,000"}))
    case("indian_grouping.csv", 1, "indian_grouping.csv:2:매출액(천원): '12,50,000' is not read "
         "as 1250000: commas must separate groups of three digits",
         "'12,50,000'을(를) 1250000(으)로 읽지 않았습니다: 쉼표는 세 자리마다",
         "a figure grouped the Indian way (lakh), or commas typed by hand in the wrong place")

    write_csv("comma_decimal_employees.csv", table({(2, "상시근로자 수"): "8,5"}))
    case("comma_decimal_employees.csv", 1, "comma_decimal_employees.csv:4:상시근로자 수: '8,5' "
         "could be 8.5 (a decimal comma) or 85 (a misplaced thousands comma)",
         "'8,5'은(는) 8.5(쉼표 소수점)인지 85(잘못 찍은 천 단위 쉼표)인지 알 수 없어",
         "an annual-average headcount typed with a decimal comma (read as 85 before)")

    write_csv("lost_digit_revenue.csv", table({(1, "매출액(천원)"): "3,480,50"}))
    case("lost_digit_revenue.csv", 1, "lost_digit_revenue.csv:3:매출액(천원): '3,480,50' is not "
         "read as 348050", "'3,480,50'을(를) 348050(으)로 읽지 않았습니다",
         "a digit lost when the figure was retyped: the last group has two digits")

    write_csv("fractional_year.csv", table({(1, "기준연도"): "2024.5"}))
    case("fractional_year.csv", 1, "fractional_year.csv:3:기준연도: '2024.5' is a fractional "
         "year or a year.month, not read", "'2024.5'은(는) 소수 연도 또는 연.월 표기라 읽지 않았습니다",
         "a fiscal year computed as an average of two years (read as a number 2024.5)")

    write_csv("founded_year_month.csv",
              table({(0, "설립연도"): "2015.3"},
                    extra={"설립연도": ["", "2009-04-01", "2019-11-20"]}))
    case("founded_year_month.csv", 1, "founded_year_month.csv:2:설립연도: '2015.3' is a "
         "fractional year or a year.month", "'2015.3'은(는) 소수 연도 또는 연.월 표기라",
         "a founding date typed as year.month (March 2015? or 2015.3?) beside full dates; "
         "it was read as 2015 before")

    write_xlsx("fractional_year.xlsx",
               [HEAD, ["124-81-00998", "한라식품", 2024.5, 12, 1250000],
                ["220-81-62517", "탐라바이오", 2024, 31, 3480500]])
    case("fractional_year.xlsx", 1, "fractional_year.xlsx:2:기준연도: '2024.5' is a fractional "
         "year", "fractional_year.xlsx:2:기준연도: '2024.5'은(는) 소수 연도",
         "an XLSX whose year cell is a formula averaging two years, saved with its value")

    write_xlsx("infinite_number.xlsx",
               [HEAD, ["124-81-00998", "한라식품", 2024, "PLACEHOLDER_N", 1250000]],
               patch=lambda xml: xml.replace(
                   b'<c r="D2" t="inlineStr"><is><t>PLACEHOLDER_N</t></is></c>',
                   b'<c r="D2" t="n"><v>1E400</v></c>'))
    case("infinite_number.xlsx", 1, "infinite_number.xlsx:2:상시근로자 수: 'inf' is not a finite "
         "number", "'inf'은(는) 유한한 숫자가 아닙니다",
         "an XLSX written by a script with a number beyond any float (Excel shows #NUM!)")

    write_csv("revenue_won_under_eok.csv",
              table({}, head=[*HEAD[:4], "매출액(억원)"],
                    rows=[[*r[:4], v] for r, v in zip(ROWS, ["12", "34", "6,400,000,000"])]))
    case("revenue_won_under_eok.csv", 1, "revenue_won_under_eok.csv:4:매출액(억원): "
         "6,400,000,000 is 640,000,000,000,000 천원, beyond any firm's figures",
         "6,400,000,000은(는) 640,000,000,000,000천원으로 기업의 값이 될 수 없습니다",
         "one firm's revenue pasted in 원 into a column headed 억원: 640조원 was taken as real")

    write_csv("loss_beyond_any_firm.csv",
              table({(0, "당기순이익(백만원)"): "△2,000,000,000"},
                    extra={"당기순이익(백만원)": ["", "120", "-15"]}))
    case("loss_beyond_any_firm.csv", 1, "loss_beyond_any_firm.csv:2:당기순이익(백만원): "
         "△2,000,000,000 is -2,000,000,000,000 천원", "-2,000,000,000,000천원으로",
         "a net loss in 원 typed under a 백만원 header (2,000조원 of loss)")

    write_csv("employees_brn_pasted.csv", table({(1, "상시근로자 수"): "2208162517"}))
    case("employees_brn_pasted.csv", 1, "employees_brn_pasted.csv:3:상시근로자 수: 2208162517 is "
         "out of range (expected 0 .. 1,000,000)", "2208162517: 허용 범위를 벗어났습니다 (0 .. 1,000,000)",
         "the business number pasted one column to the right, into the headcount")

    write_csv("patents_run_together.csv",
              table({(2, "등록 특허 수"): "12131415"}, extra={"등록 특허 수": ["3", "0", ""]}))
    case("patents_run_together.csv", 1, "patents_run_together.csv:4:등록 특허 수: 12131415 is out "
         "of range", "12131415: 허용 범위를 벗어났습니다",
         "four years of patent counts typed into one cell without separators")

    write_csv("esc_in_firm_name.csv", table({(0, "기업명"): "한라\x1b[0m식품"}))
    case("esc_in_firm_name.csv", 1, "esc_in_firm_name.csv:2:기업명: contains the control "
         "character U+001B at character 3", "3번째 글자에 제어 문자 U+001B이(가) 있습니다",
         "a firm name copied from a terminal with its colour code (ESC); it crashed the Excel "
         "writer later")

    write_csv("c1_in_address.csv", table({}, extra={"소재지": ["제주시 연동 312-1", "제주시\x85노형동",
                                                             "서귀포시 중문동"]}))
    case("c1_in_address.csv", 1, "c1_in_address.csv:3:소재지: contains the control character "
         "U+0085 at character 4", "4번째 글자에 제어 문자 U+0085이(가) 있습니다",
         "an address that went through a Windows-1252 conversion: a line break became NEL (C1)")

    write_csv("control_in_note.csv", table({}, extra={"비고": ["", "서류\x07보완", ""]}))
    case("control_in_note.csv", 1, "control_in_note.csv:3:비고: contains the control character "
         "U+0007 at character 3", "3번째 글자에 제어 문자 U+0007이(가) 있습니다",
         "a note column the tool does not know (carried to the outputs) holding a BEL")

    write_xlsx("del_in_firm_name.xlsx",
               [HEAD, ["124-81-00998", "PLACEHOLDER_T", 2024, 12, 1250000]],
               patch=lambda xml: xml.replace(b"PLACEHOLDER_T", "탐라\x7f바이오".encode()))
    case("del_in_firm_name.xlsx", 1, "del_in_firm_name.xlsx:2:기업명: contains the control "
         "character U+007F at character 3", "3번째 글자에 제어 문자 U+007F이(가) 있습니다",
         "an XLSX from a web form that kept a DEL typed in the firm name")

    write_csv("linebreak_and_tab_ok.csv",
              table({(0, "기업명"): "주식회사\n한라식품", (1, "기업명"): "탐라\t바이오"}))
    case("linebreak_and_tab_ok.csv", 0, "linebreak_and_tab_ok.csv: 3 rows, 0 errors",
         "linebreak_and_tab_ok.csv: 3행, 오류 0건",
         "Alt+Enter line break and a tab in firm names: text, read as written")

    write_csv("groups_of_three_ok.csv",
              table({(0, "영업이익(천원)"): "1,234,567", (1, "영업이익(천원)"): "(1,200)",
                     (2, "영업이익(천원)"): "₩ 640,000.5"}, head=[*HEAD[:4], "영업이익(천원)"]))
    case("groups_of_three_ok.csv", 0, "groups_of_three_ok.csv: 3 rows, 0 errors",
         "groups_of_three_ok.csv: 3행, 오류 0건",
         "thousands separators in groups of three, accounting brackets and ₩: read as before")

    applicants_head = [*HEAD, "신청금액(천원)", "참여의향서"]
    applicants = [[*r, "50,000", "Y"] for r in ROWS]
    write_csv("applicant_without_name.csv",
              table({(2, "기업명"): ""}, head=applicants_head, rows=applicants))
    case("applicant_without_name.csv", 1, "applicant_without_name.csv:4:기업명: firm name is empty "
         "for firm 107-86-14075", "107-86-14075 기업의 기업명이 비어 있습니다",
         "an applicants file with a name left blank: the selection would list a firm without "
         "a name")

    write_csv("panel_without_name.csv", table({(1, "기업명"): "-"}))
    case("panel_without_name.csv", 0, "panel_without_name.csv:3:기업명: warning: firm name is "
         "empty for firm 220-81-62517", "경고: 220-81-62517 기업의 기업명이 비어 있습니다",
         "a panel for scoring with a name given as '-': a warning, as scoring needs no name")

    write_csv("check_digit_korean.csv", table({(0, "사업자등록번호"): "124-81-00997"}))
    case("check_digit_korean.csv", 1, "check digit is 7, expected 8", "검증번호가 7이지만 8이어야 함",
         "a business number with a typo in its last digit: both languages give both digits")

    write_csv("duplicate_money_header.csv", table({}, extra={"매출액(백만원)": ["1,250", "3,480",
                                                                         "640"]}))
    case("duplicate_money_header.csv", 1, "duplicate_money_header.csv:1:매출액(백만원): column is "
         "the same field (revenue) as column '매출액(천원)'", "'매출액(천원)' 열과 같은 항목(revenue)",
         "revenue given twice, in 천원 and in 백만원: which one counts is not guessed")


def main() -> None:
    build()
    with open(HERE / "cases.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["file", "command", "exit", "expected", "expected_ko", "why"])
        writer.writerows(CASES)
    print(f"wrote {len(CASES)} cases to {HERE / 'cases.csv'}")


if __name__ == "__main__":
    main()
