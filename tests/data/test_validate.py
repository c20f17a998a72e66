"""Validation: every rule with a failing and a passing case; all problems at once."""

from __future__ import annotations

import re
import string
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ktop_index.data import problems
from ktop_index.data.io import read_table
from ktop_index.data.validate import DataError, parse_numbers, parse_years, read_firms, validate

GOOD = {"사업자등록번호": "124-81-00998", "기업명": "한라", "기준연도": "2024"}


def check(rows, **kwargs):
    """Validate rows (dicts of header -> cell) as a file named f.csv."""
    return validate(pd.DataFrame(rows, dtype=object), source="f.csv", **kwargs)


def codes(result, severity="error"):
    return [(p.row, p.column, p.code) for p in result.problems if p.severity == severity]


def test_valid_row_has_no_problem():
    """A correct row passes without errors or warnings."""
    result = check([GOOD])
    assert result.problems == [] and result.ok


def test_empty_file(tmp_path):
    """A file with a header and no rows, or nothing at all, is an error."""
    assert codes(check([])) == [(1, "-", "empty")]
    path = tmp_path / "e.csv"
    path.write_text("사업자등록번호,기준연도\n", encoding="utf-8")
    assert [p.code for p in validate(read_table(path)).problems] == ["empty"]
    path.write_text("", encoding="utf-8")
    assert [p.code for p in validate(read_table(path)).problems] == ["empty"]


def test_missing_required_columns():
    """No year column and no firm key: both reported on row 1."""
    result = check([{"기업명": "한라"}])
    assert {p.code for p in result.errors} == {"missing_column", "missing_key"}
    assert check([{"기업ID": "A1", "기준연도": 2024}]).ok


def test_unknown_column_is_a_warning_with_suggestion():
    """An unknown header warns, with a did-you-mean, and does not fail the file."""
    result = check([{**GOOD, "매출이익": "5", "종업원 수": "3"}])
    assert result.ok
    hints = [p.line() for p in result.warnings]
    assert any("매출이익" in h and "did you mean" in h for h in hints)
    assert "매출이익" in result.frame.columns  # kept as it was


def test_duplicate_column():
    """Two headers naming the same field is an error."""
    result = check([{**GOOD, "매출액(천원)": "1", "매출(천원)": "2"}])
    assert ("duplicate_column" in [p.code for p in result.errors])


def test_non_numeric_and_passing_numbers():
    """'abc' fails; Korean spreadsheet numbers pass and convert."""
    result = check([{**GOOD, "상시근로자 수": "abc", "매출액(천원)": "１,２００"}])
    assert codes(result) == [(2, "상시근로자 수", "not_number")]
    assert result.frame.loc[0, "revenue"] == 1200.0


def test_negative_values():
    """Negative revenue fails; a negative operating profit (a loss) passes."""
    result = check([{**GOOD, "매출액(천원)": "-5", "영업이익(천원)": "△5"}])
    assert codes(result) == [(2, "매출액(천원)", "negative")]
    assert result.frame.loc[0, "operating_profit"] == -5.0


def test_dash_is_zero_in_money_and_counts():
    """A lone '-' is zero in money and count columns but not a year."""
    result = check([{**GOOD, "수출액(천원)": "-", "등록 특허 수": "-"}])
    assert result.ok
    assert result.frame.loc[0, "export_revenue"] == 0 and result.frame.loc[0, "patents"] == 0
    assert codes(check([{**GOOD, "기준연도": "-"}])) == [(2, "기준연도", "bad_year")]


def test_blank_is_unknown_not_zero():
    """Blank cells are missing values, never zeros."""
    result = check([{**GOOD, "수출액(천원)": "", "등록 특허 수": None}])
    assert result.ok
    assert np.isnan(result.frame.loc[0, "export_revenue"])
    assert np.isnan(result.frame.loc[0, "patents"])


def test_counts_must_be_whole_numbers():
    """A fractional patent count fails; a fractional employee average passes."""
    result = check([{**GOOD, "등록 특허 수": "1.5", "상시근로자 수": "3.5"}])
    assert codes(result) == [(2, "등록 특허 수", "not_integer")]


def test_range_of_rnd_org():
    """R&D organisation must be 0, 1 or 2."""
    assert codes(check([{**GOOD, "연구조직": "3"}])) == [(2, "연구조직", "out_of_range")]
    assert check([{**GOOD, "연구조직": "2"}]).ok


def test_invalid_business_number():
    """A wrong check digit fails, naming the expected digit; a valid one passes."""
    result = check([{**GOOD, "사업자등록번호": "124-81-00997"}])
    assert codes(result) == [(2, "사업자등록번호", "bad_brn")]
    assert "expected 8" in result.errors[0].line()
    assert "검증번호" in result.errors[0].line("ko")


def test_empty_business_number():
    """A row without a business number fails."""
    result = check([{**GOOD, "사업자등록번호": ""}])
    assert codes(result) == [(2, "사업자등록번호", "missing_value")]


def test_rnd_staff_within_employees():
    """R&D staff above employees fails; equal passes."""
    result = check([{**GOOD, "상시근로자 수": "5", "연구개발인력": "9"}])
    assert codes(result) == [(2, "연구개발인력", "staff_gt_employees")]
    assert "9 exceeds employees 5" in result.errors[0].line()
    assert check([{**GOOD, "상시근로자 수": "5", "연구개발인력": "5"}]).ok


def test_year_before_founded():
    """Figures for a year before the firm was founded fail; the founding year itself passes."""
    result = check([{**GOOD, "설립일자": "2025-03-01"}])
    assert codes(result) == [(2, "설립일자", "founded_after_year")]
    passing = check([{**GOOD, "설립일자": "2024.03.01"}])
    assert passing.ok and passing.frame.loc[0, "firm_age"] == 0


def test_same_firm_twice_in_a_year():
    """A repeated firm-year fails at the later row and names the first."""
    other = {**GOOD, "기준연도": "2023"}
    result = check([GOOD, other, GOOD])
    assert codes(result) == [(4, "기준연도", "duplicate_firm_year")]
    assert "first at row 2" in result.errors[0].line()
    assert check([GOOD, other]).ok


def test_money_unit_never_guessed():
    """A Korean money header without a unit fails unless --money-unit is given."""
    result = check([{**GOOD, "매출액": "1,200"}])
    assert codes(result) == [(1, "매출액", "money_unit")]
    converted = check([{**GOOD, "매출액": "1,200"}], money_unit="백만원")
    assert converted.ok and converted.frame.loc[0, "revenue"] == 1_200_000.0
    # the contract's own English name is in 천원 by definition
    assert check([{**GOOD, "revenue": "7"}]).frame.loc[0, "revenue"] == 7.0


def test_header_unit_wins_and_converts():
    """Units in headers convert to KRW thousand: 원 / 천원 / 백만원 / 억원."""
    result = check([{**GOOD, "매출액(원)": "1,500,000", "영업이익(백만원)": "2",
                     "자산총계(억원)": "1", "연구개발비 (천원)": "9"}], money_unit="원")
    frame = result.frame.loc[0]
    assert (frame["revenue"], frame["operating_profit"], frame["total_assets"],
            frame["rnd_expense"]) == (1500.0, 2000.0, 100000.0, 9.0)


def test_bad_money_unit_in_header():
    """A bracketed unit that is not a money unit is an error on a money column."""
    assert codes(check([{**GOOD, "매출액(달러)": "1"}])) == [(1, "매출액(달러)", "bad_unit")]


def test_ksic_codes():
    """KSIC: a section letter must fit the division; unknown divisions fail; a code of
    neither revision is a warning (more in tests/data/test_validate_ksic.py)."""
    assert check([{**GOOD, "업종코드": "C10301"}]).frame.loc[0, "ksic"] == "10301"
    assert codes(check([{**GOOD, "업종코드": "G10301"}])) == [(2, "업종코드", "bad_ksic")]
    assert codes(check([{**GOOD, "업종코드": "00123"}])) == [(2, "업종코드", "bad_ksic")]
    warned = check([{**GOOD, "업종코드": "10399"}])
    assert warned.ok and codes(warned, "warning") == [(2, "업종코드", "ksic_unknown")]


def test_region_codes():
    """A numeric region must be a 5- or 10-digit code; names and addresses pass."""
    assert codes(check([{**GOOD, "소재지": "123"}])) == [(2, "소재지", "bad_region_code")]
    for value in ["50110", "5011000000", "제주시", "제주특별자치도 서귀포시 중앙로 105"]:
        assert check([{**GOOD, "소재지": value}]).ok


def test_runs_of_repeated_cells_give_the_problems_of_every_cell(monkeypatch):
    """A panel repeats each firm's number, name, industry and region on each of its years,
    and those columns are parsed one run at a time: a bad business number, KSIC code and
    region over a run of three years are three problems each, on rows 5-7, and the frame
    and problems equal those of parsing every cell."""
    def firm(brn, name, ksic, region):
        return [{"사업자등록번호": brn, "기업명": name, "업종코드": ksic, "소재지": region,
                 "기준연도": str(year)} for year in (2022, 2023, 2024)]

    rows = (firm("124-81-00998", " 한라 ", "C10301", "제주시") +
            firm("124-81-00999", "백록", "G10301", "123") +
            firm("3698149497", "NA", "10399", "서귀포시") + [{**GOOD, "기준연도": "2021"}])
    table = pd.DataFrame(rows, dtype="str")
    result = validate(table, source="f.csv")
    assert codes(result) == [(row, column, code) for row in (5, 6, 7) for column, code in (
        ("사업자등록번호", "bad_brn"), ("업종코드", "bad_ksic"), ("소재지", "bad_region_code"))]
    assert codes(result, "warning") == [(row, column, code) for row in (8, 9, 10) for column, code
                                        in (("기업명", "missing_firm_name"),
                                            ("업종코드", "ksic_unknown"))]
    assert result.frame["brn"].iloc[6] == "369-81-49497"
    assert result.frame["firm_name"].iloc[[0, 9]].tolist() == ["한라", "한라"]
    monkeypatch.setattr("ktop_index.data.validate._RUNS_AT_MOST", 0.0)  # every cell
    cells = validate(table, source="f.csv")
    assert result.problems == cells.problems
    assert [p.params for p in result.problems] == [p.params for p in cells.problems]
    pd.testing.assert_frame_equal(result.frame, cells.frame)


def test_region_and_address_columns_together():
    """A 시군구 column beside an address column: the 시군구 is the region, the address fills
    its blanks and stays in the output; two 시군구 columns remain an error."""
    rows = [{**GOOD, "주소": "제주특별자치도 제주시 첨단로 213", "소재지": "서귀포시"},
            {**GOOD, "기준연도": "2023", "주소": "세종특별자치시 한누리대로 2130", "소재지": ""}]
    result = check(rows)
    assert result.ok, result.problems
    assert result.frame["region"].tolist() == ["서귀포시", "세종특별자치시 한누리대로 2130"]
    assert result.frame["주소"].tolist() == [r["주소"] for r in rows]
    assert ("duplicate_column" in [p.code for p in
                                   check([{**GOOD, "소재지": "제주시", "지역": "제주시"}]).errors])


def test_yes_no_columns():
    """Y/N, 예/아니오, O/X read as booleans; anything else fails."""
    result = check([{**GOOD, "참여의향서": "예"}, {**GOOD, "기준연도": "2023", "참여의향서": "X"}])
    assert result.frame["letter_of_intent"].tolist() == [True, False]
    assert codes(check([{**GOOD, "참여의향서": "maybe"}])) == [(2, "참여의향서", "bad_yesno")]


def test_export_above_revenue_warns():
    """Exports above revenue is a warning (exports are part of revenue)."""
    result = check([{**GOOD, "매출액(천원)": "10", "수출액(천원)": "20"}])
    assert result.ok and [p.code for p in result.warnings] == ["export_gt_revenue"]


def test_every_problem_reported_in_row_order():
    """All problems come at once, ordered by row then column, with spreadsheet row numbers."""
    rows = [
        {**GOOD, "상시근로자 수": "x", "연구조직": "5"},
        {**GOOD, "사업자등록번호": "124-81-00997", "기준연도": "2023"},
        {**GOOD, "기준연도": "20x4"},
    ]
    result = check(rows)
    assert [(p.row, p.code) for p in result.errors] == [
        (2, "not_number"), (2, "out_of_range"), (3, "bad_brn"), (4, "bad_year")]
    assert all(p.line().startswith(f"f.csv:{p.row}:") for p in result.problems)


def test_problems_of_a_row_follow_the_file_column_order():
    """Bad cells of one row in many columns (parsed side by side in threads) are reported in the
    file's column order, not the contract's, and the same on every run."""
    row = {"특허 수": "-1", "상시근로자 수": "x", **GOOD, "기준연도": "20x4", "연구조직": "5",
           "매출액(천원)": "?"}
    expected = [(2, "특허 수", "negative"), (2, "상시근로자 수", "not_number"),
                (2, "기준연도", "bad_year"), (2, "연구조직", "out_of_range"),
                (2, "매출액(천원)", "not_number")]
    for _ in range(3):
        assert codes(check([row, GOOD])) == expected


def test_derivations():
    """firm_id defaults to the business number; firm_age is year - founded."""
    frame = check([{**GOOD, "설립연도": "2015"}]).frame
    assert frame.loc[0, "firm_id"] == "124-81-00998"
    assert frame.loc[0, "firm_age"] == 9


def test_read_firms_raises_with_every_problem(tmp_path):
    """read_firms raises DataError carrying every problem."""
    path = tmp_path / "bad.csv"
    path.write_text("사업자등록번호,기준연도\n124-81-00997,2024\n124-81-00998,x\n", encoding="cp949")
    with pytest.raises(DataError) as info:
        read_firms(path)
    assert [p.row for p in info.value.problems] == [2, 3]
    assert str(info.value).startswith("bad.csv:2:사업자등록번호:")


def test_parse_numbers_property():
    """Formatting a number the Korean way and parsing it gives it back."""
    values = np.array([0, 7, -12, 1234, -98765, 1_000_000])
    shown = [f"{abs(v):,}" if v >= 0 else f"△{abs(v):,}" for v in values]
    parsed, bad = parse_numbers(pd.Series(shown), dash_is_zero=True)
    assert parsed.tolist() == values.tolist() and not bad.any()


@pytest.mark.parametrize("text,year", [("2015", 2015), ("2015-03-01", 2015), ("2015.03.01", 2015),
                                       ("20150301", 2015), ("2015년 3월", 2015),
                                       ("2015년 3월 1일", 2015), ("2015-03-01 00:00:00", 2015),
                                       ("2024.0", 2024)])
def test_parse_years(text, year):
    """Years and dates in the common Korean spellings give the year."""
    values, bad = parse_years(pd.Series([text]))
    assert values[0] == year and not bad[0]


def test_text_normalisation_matches_nfkc_whatever_the_mix():
    """Ids are NFKC-normalised and trimmed: full-width letters and digits become ASCII, the
    same as Python's normaliser on every value, whether or not the others are ASCII."""
    import unicodedata

    from ktop_index.data.validate import _as_text

    cells = ["Ｆ００１", " F002 ", None, "ＮＡ", "F003", "한라\u3000", "ｶ", ""]
    text = pd.Series(cells, dtype="str", index=[3, 3, 1, 0, 5, 6, 7, 8])  # labels repeat
    expected = [None if c is None else unicodedata.normalize("NFKC", c).strip() for c in cells]
    result = _as_text(text)
    assert [None if pd.isna(v) else v for v in result] == expected
    assert result.index.equals(text.index)
    ascii_only = pd.Series(["F1 ", " F2"], dtype="str")
    assert _as_text(ascii_only).tolist() == ["F1", "F2"]


def test_blank_ids_and_names_are_missing():
    """A blank or 'N/A' firm_id is reported missing; names keep their inner spaces, lose outer."""
    result = validate(pd.DataFrame({"firm_id": ["A1", " n/a ", "A3"], "year": [2024] * 3,
                                    "firm_name": ["  한라  식품 ", "-", None]}), source="f.csv")
    assert [(p.row, p.code) for p in result.errors] == [(3, "missing_value")]
    assert result.frame["firm_name"].iloc[0] == "한라  식품"
    assert pd.isna(result.frame["firm_id"].iloc[1]) and pd.isna(result.frame["firm_name"].iloc[2])


# ---------------------------------------------------------------- values that cannot be misread

def lines(result, lang="en"):
    return [p.line(lang) for p in result.problems]


@pytest.mark.parametrize("cell", ["inf", "-inf", "Infinity", "+INF", "nan", "NaN", "1e400",
                                  "-1e999"])
def test_non_finite_numbers_are_refused(cell):
    """Infinite values, a NaN written out and a number too large for a float are errors
    naming the cell, never a value (1e400 overflows to inf)."""
    result = check([{**GOOD, "매출액(천원)": cell}])
    assert codes(result) == [(2, "매출액(천원)", "not_finite")]
    assert f"'{cell}' is not a finite number" in result.errors[0].line()
    assert np.isnan(result.frame.loc[0, "revenue"])


def test_non_finite_numbers_from_a_numeric_column():
    """A numeric column (XLSX, a frame) holding inf is refused like the text 'inf'."""
    raw = pd.DataFrame({"사업자등록번호": ["124-81-00998"] * 2, "기준연도": [2024, 2023],
                        "상시근로자 수": [np.inf, 3.0]})
    result = validate(raw, source="f.xlsx")
    assert codes(result) == [(2, "상시근로자 수", "not_finite")]
    assert result.frame["employees"].isna().tolist() == [True, False]


@pytest.mark.parametrize("cell,code,details", [
    ("1.234,5", "decimal_comma", ["1234.5"]),        # European: dots group, comma decimal
    ("1.234.567,89", "decimal_comma", ["1234567.89"]),
    ("1,23,456", "bad_grouping", ["123456", "123,456"]),  # Indian grouping
    ("1,234,56", "bad_grouping", ["123456", "123,456"]),
    ("1234,567", "comma_ambiguous", ["1234.567", "1234567"]),
    ("12,34", "comma_ambiguous", ["12.34", "1234"]),  # a decimal comma, or a lost digit
    ("△1,2345", "comma_ambiguous", ["1.2345", "12345"]),
])
def test_separators_that_could_be_misread_are_refused(cell, code, details):
    """Commas other than thousands separators in groups of three are errors that name the
    reading they refuse, in both languages; the cell is left missing."""
    result = check([{**GOOD, "매출액(천원)": cell}])
    assert codes(result) == [(2, "매출액(천원)", code)]
    for lang in ("en", "ko"):
        line = result.errors[0].line(lang)
        assert f"'{cell}'" in line and all(d in line for d in details), line
    assert np.isnan(result.frame.loc[0, "revenue"])


@pytest.mark.parametrize("cell,value", [("1,234,567", 1234567.0), ("1,234.5", 1234.5),
                                        ("(1,234)", -1234.0), ("△1,234", -1234.0),
                                        ("₩ 12,000", 12000.0), ("１,２００", 1200.0),
                                        ("123", 123.0), ("1234.5", 1234.5)])
def test_thousands_separators_in_groups_of_three_still_pass(cell, value):
    """The separators Korean spreadsheets write are read as before."""
    result = check([{**GOOD, "영업이익(천원)": cell}])
    assert result.ok and result.frame.loc[0, "operating_profit"] == value


def test_fractional_years_are_refused():
    """2024.5 is a fraction or May 2024: never read as 2024, in text or numeric columns."""
    result = check([{**GOOD, "기준연도": "2024.5", "설립연도": "2010.05"}])
    assert codes(result) == [(2, "기준연도", "fractional_year"), (2, "설립연도", "fractional_year")]
    assert "like 2024 or a full date" in result.errors[0].line()
    numeric = validate(pd.DataFrame({"사업자등록번호": ["124-81-00998"], "기준연도": [2024.5]}),
                       source="f.xlsx")
    assert codes(numeric) == [(2, "기준연도", "fractional_year")]
    assert "'2024.5'" in numeric.errors[0].line()
    for fine in ("2024.0", "2024.00", "2015.03.01", "2015. 3.", "2015년 3월"):
        assert check([{**GOOD, "설립연도": fine}]).ok, fine


def test_money_beyond_any_firm_is_too_large():
    """Money above 10^12 천원 (1,000조원) either way is refused, naming the amount in 천원, so a
    unit slip shows; the bound itself passes."""
    result = check([{**GOOD, "매출액(억원)": "20,000,000", "영업이익(천원)": "-2,000,000,000,000"}])
    assert codes(result) == [(2, "매출액(억원)", "too_large"), (2, "영업이익(천원)", "too_large")]
    first = result.errors[0]
    assert first.line().endswith("20,000,000 is 2,000,000,000,000 천원, beyond any firm's figures "
                                 "(expected at most 1,000,000,000,000 천원 either way; check the "
                                 "unit and the column)")
    assert "2,000,000,000,000천원" in first.line("ko") and "1,000,000,000,000" in first.line("ko")
    assert np.isnan(result.frame.loc[0, "revenue"])
    bound = check([{**GOOD, "매출액(억원)": "10,000,000", "영업이익(천원)": "-1,000,000,000,000"}])
    assert bound.ok and bound.frame.loc[0, "revenue"] == 1e12


def test_counts_beyond_plausible_bounds():
    """A business number pasted into a count column is out of range, shown as written."""
    result = check([{**GOOD, "상시근로자 수": "1248100998", "등록 특허 수": "1000000"}])
    assert codes(result) == [(2, "상시근로자 수", "out_of_range")]
    assert "1248100998 is out of range (expected 0 .. 1,000,000)" in result.errors[0].line()


def test_control_characters_in_text_cells():
    """NUL, ESC, DEL and C1 characters in a name, an id, an address or an unknown column are
    errors naming the cell and the character; tab and line breaks are text."""
    result = check([{**GOOD, "기업명": "한라\x00식품", "비고": "\x1b[31m", "소재지": "제주시\x85"},
                    {**GOOD, "기준연도": "2023", "기업명": "한라\t식품", "비고": "첫 줄\n둘째 줄"}])
    found = [(p.row, p.column, p.code, p.params["char"], p.params["position"])
             for p in result.errors]
    assert found == [(2, "기업명", "control_character", "U+0000", 3),
                     (2, "비고", "control_character", "U+001B", 1),
                     (2, "소재지", "control_character", "U+0085", 4)]
    assert pd.isna(result.frame.loc[0, "firm_name"])
    for line in lines(result) + lines(result, "ko"):
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", line)


def test_control_characters_are_escaped_in_every_message():
    """A cell shown in a message never carries a raw control character (no ESC reaches the
    terminal): it is written \\xNN."""
    result = check([{**GOOD, "상시근로자 수": "12\x1b", "참여의향서": "Y\x07",
                     "사업자등록번호": "124\x00"}])
    text = "\n".join(lines(result) + lines(result, "ko"))
    assert "12\\x1b" in text and "Y\\x07" in text and "124\\x00" in text
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", text)


def test_missing_firm_names():
    """An empty firm name is a warning in a panel (scoring does not need it) and an error in
    an applicants file (with 신청금액 or other application columns), naming the firm."""
    panel = check([{**GOOD, "기업명": ""}])
    assert codes(panel, "warning") == [(2, "기업명", "missing_firm_name")] and panel.ok
    assert "firm 124-81-00998" in panel.warnings[0].line()
    applicants = check([{**GOOD, "기업명": "-", "신청금액(천원)": "50,000"}])
    assert codes(applicants) == [(2, "기업명", "missing_firm_name")]
    assert "124-81-00998 기업의 기업명" in applicants.errors[0].line("ko")
    assert check([{**GOOD, "신청금액(천원)": "50,000"}]).ok  # a name given: nothing to say


def test_business_number_reason_carries_the_same_digits_in_korean():
    """The Korean message gives the wrong and the expected check digit, as the English does."""
    result = check([{**GOOD, "사업자등록번호": "124-81-00997"}])
    assert "check digit is 7, expected 8" in result.errors[0].line()
    assert "검증번호가 7이지만 8이어야 함" in result.errors[0].line("ko")


def _group_codes() -> list[str]:
    """The codes under the 'values that cannot be misread' comment of problems.py."""
    text = (Path(problems.__file__)).read_text(encoding="utf-8")
    group = text.split("# ---- values that cannot be misread")[1].split("# ----")[0]
    return re.findall(r'^    "(\w+)": \(', group, flags=re.MULTILINE)


def test_the_group_has_its_codes():
    assert {"not_finite", "decimal_comma", "comma_ambiguous", "bad_grouping", "fractional_year",
            "too_large", "control_character", "missing_firm_name"} <= set(_group_codes())


@pytest.mark.parametrize("code", _group_codes())
def test_korean_and_english_lines_carry_the_same_numbers(code):
    """Filled with the same sample details, a code's English and Korean lines hold the same
    numbers (every detail is given a distinct number; a '_ko' detail the number of its
    English one)."""
    en, ko = problems.MESSAGES[code]
    names = {n for text in (en, ko) for _, n, _, _ in string.Formatter().parse(text) if n}
    base = sorted({n.removesuffix("_ko") for n in names})
    sample = {n: 1000 + 7 * i for i, n in enumerate(base)}
    params = {n: sample[n.removesuffix("_ko")] for n in names}
    p = problems.Problem("f.csv", 12, "매출액(천원)", code, params=params)
    numbers = [sorted(re.findall(r"\d+", p.line(lang))) for lang in ("en", "ko")]
    assert numbers[0] == numbers[1], (p.line(), p.line("ko"))


def test_clean_text_is_cleared_without_a_pass_over_its_values(monkeypatch):
    """The control-character check looks at a clean column's bytes only: no per-value regex
    runs on clean data (a million firm names cost a few milliseconds)."""
    import pyarrow.compute as pc

    from ktop_index.data import validate as module

    search = pc.match_substring_regex

    def refuse(array, pattern, *args, **kwargs):
        assert pattern != module._CONTROL_RE2, "a per-value regex ran on clean text"
        return search(array, pattern, *args, **kwargs)

    monkeypatch.setattr(pc, "match_substring_regex", refuse)
    rows = [{**GOOD, "기업명": f"(주)한라식품{i}", "기준연도": str(2000 + i), "소재지": "제주시 연동"}
            for i in range(20)]
    assert check(rows).ok


def test_seen_firm_years_name_the_first_row_across_batches():
    """A firm-year met in batch 1 and twice in batch 2, another only twice in batch 2, and
    missing keys: every repeat names the first row of all, as the whole file would."""
    import numpy as np
    import pandas as pd

    from ktop_index.data.validate import SeenFirmYears

    seen = SeenFirmYears()
    batch1 = pd.DataFrame({"firm_id": ["A", "B", None], "year": [2020.0, 2020.0, 2020.0]})
    assert seen.first_rows(batch1, np.array([2, 3, 4])).tolist() == [-1, -1, -1]
    batch2 = pd.DataFrame({"firm_id": ["C", "A", "C", "A", None, "B", "A"],
                           "year": [2021.0, 2020.0, 2021.0, 2020.0, 2020.0, 2021.0, np.nan]})
    assert seen.first_rows(batch2, np.arange(5, 12)).tolist() == [-1, 2, 5, 2, -1, -1, -1]


def test_seen_firm_years_answer_as_a_dict_over_many_batches():
    """60 batches of random firm-years, many repeating earlier batches' and their own, some
    keys missing: each row's answer is the first row of its firm-year in a plain dict of all
    rows before it (-1 for the first, and for a missing key), through every merge of runs."""
    import numpy as np
    import pandas as pd

    from ktop_index.data.validate import SeenFirmYears

    rng = np.random.default_rng(7)
    seen, first_row, row = SeenFirmYears(), {}, 2
    for _ in range(60):
        size = int(rng.integers(0, 200))
        firms = [None if rng.random() < 0.03 else f"F{v}" for v in rng.integers(0, 400, size)]
        years = [np.nan if rng.random() < 0.03 else float(v) for v in rng.integers(2015, 2025, size)]
        batch = pd.DataFrame({"firm_id": pd.Series(firms, dtype="str"), "year": years})
        expected = []
        for k, (firm, year) in enumerate(zip(firms, years)):
            if firm is None or np.isnan(year):
                expected.append(-1)
                continue
            expected.append(first_row.get((firm, year), -1))
            first_row.setdefault((firm, year), row + k)
        assert seen.first_rows(batch, np.arange(size) + row).tolist() == expected
        row += size
    assert sum(len(hashes) for hashes, _ in seen.runs) == len(first_row)
    assert len(seen.runs) < 12  # merged as they grow, never one run per batch


def test_seen_firm_runs_name_the_rows_seen_firm_years_name_in_a_file_of_firms_together():
    """Firms together, a firm's rows across a batch's end, repeats inside a batch, across
    the end and of the last firm of two batches back, a missing key: the same first rows
    as :class:`SeenFirmYears`; a firm met again after others raises FirmsApart."""
    import numpy as np
    import pandas as pd
    import pytest

    from ktop_index.data.validate import FirmsApart, SeenFirmRuns, SeenFirmYears

    batches = [
        pd.DataFrame({"firm_id": ["A", "A", "B", "B"], "year": [2020.0, 2020.0, 2021.0, 2020.0]}),
        pd.DataFrame({"firm_id": ["B", "B", None, "C"], "year": [2020.0, 2022.0, 2020.0, 2020.0]}),
        pd.DataFrame({"firm_id": ["C"], "year": [2021.0]}),
        pd.DataFrame({"firm_id": ["C", "D"], "year": [2020.0, np.nan]}),
    ]
    runs, years, start = SeenFirmRuns(), SeenFirmYears(), 2
    for batch in batches:
        rows = np.arange(len(batch)) + start
        expected = years.first_rows(batch, rows).tolist()
        assert runs.first_rows(batch, rows).tolist() == expected
        start += len(batch)
    assert expected == [9, -1]  # C 2020: first met in the second batch, two batches back
    with pytest.raises(FirmsApart):
        runs.first_rows(pd.DataFrame({"firm_id": ["E", "B"], "year": [2020.0, 2023.0]}),
                        np.array([13, 14]))


def test_seen_firm_runs_answer_as_seen_firm_years_with_a_firm_apart_inside_a_batch():
    """A firm's rows apart inside one batch (A B A, and a firm on both sides of a missing
    key) are coded by value, not by run: the same first rows as :class:`SeenFirmYears`,
    and no FirmsApart, since the batch holds them all."""
    import numpy as np
    import pandas as pd

    from ktop_index.data.validate import SeenFirmRuns, SeenFirmYears

    batches = [
        pd.DataFrame({"firm_id": ["A", "B", "A"], "year": [2020.0, 2020.0, 2020.0]}),
        pd.DataFrame({"firm_id": ["G", None, "G", "H"], "year": [2020.0, 2020.0, 2020.0, 2020.0]}),
    ]
    runs, years, start = SeenFirmRuns(), SeenFirmYears(), 2
    answers = []
    for batch in batches:
        rows = np.arange(len(batch)) + start
        answers.append(runs.first_rows(batch, rows).tolist())
        assert answers[-1] == years.first_rows(batch, rows).tolist()
        start += len(batch)
    assert answers == [[-1, -1, 2], [-1, -1, 5, -1]]


def test_seen_firm_runs_find_the_carried_firm_going_on_after_another():
    """B ends the first batch and goes on in the second after C's row: apart, though
    the second batch holds all of its rows there; at the batch's start, together."""
    import numpy as np
    import pandas as pd
    import pytest

    from ktop_index.data.validate import FirmsApart, SeenFirmRuns

    first = pd.DataFrame({"firm_id": ["A", "B"], "year": [2020.0, 2020.0]})
    together = pd.DataFrame({"firm_id": ["B", "C", "B"], "year": [2021.0, 2020.0, 2022.0]})
    runs = SeenFirmRuns()
    runs.first_rows(first, np.array([2, 3]))
    with pytest.raises(FirmsApart):
        runs.first_rows(together, np.array([4, 5, 6]))
    runs = SeenFirmRuns()
    runs.first_rows(first, np.array([2, 3]))
    assert runs.first_rows(together.iloc[[0, 2, 1]], np.array([4, 5, 6])).tolist() == [-1] * 3


def test_seen_hashes_answer_as_a_set():
    """Batches of random hashes, some repeating an earlier batch's: add_new says a repeat
    exactly when a Python set holds one, and then adds nothing."""
    import numpy as np

    from ktop_index.data.validate import SeenHashes

    rng = np.random.default_rng(3)
    seen, truth = SeenHashes(), set()
    for k in range(40):
        batch = np.unique(rng.integers(0, 2**64, size=int(rng.integers(0, 300)),
                                       dtype=np.uint64))
        if k % 5 == 4 and truth:
            known = np.fromiter(sorted(truth), dtype=np.uint64)
            batch = np.unique(np.append(batch, known[rng.integers(len(known))]))
        repeat = bool(truth & set(batch.tolist()))
        assert seen.add_new(batch) == repeat
        if not repeat:
            truth |= set(batch.tolist())
    assert sum(len(run) for run in seen.runs) == len(truth)


def test_blank_cells_are_the_missing_and_the_words_for_unknown_only():
    """The length shortcut of ``_blank`` answers as the plain rule (missing, or lowered text
    among the words for unknown) on words, their cases, near misses, long text, full-width
    and Unicode cells whose lowered form is longer."""
    import numpy as np
    import pandas as pd

    from ktop_index.data import validate as module

    cells = ["", "NA", "n/a", "#N/A", "NaN", "NULL", "None", "NaT", "nat ", "nul", "nulls",
             "x", "ＮＡ", "İ", "İİİİ", "(주)한라", None, np.nan, "none of it", "-"]
    for dtype in ("str", object):
        text = pd.Series(cells, dtype=dtype)
        plain = text.isna() | text.str.lower().isin(module._BLANKS)
        assert module._blank(text).tolist() == plain.tolist()
    assert module._blank(pd.Series(cells, dtype="str")).sum() == 10


def test_text_hashes_give_one_hash_per_text_whatever_the_batch():
    """A text hashes alike in a Series, in arrow strings, in a slice, beside longer values
    and beside a value long enough for pandas' hashing; 40,000 distinct texts (Korean,
    digits, empty) get 40,000 distinct hashes."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    from ktop_index.data.validate import text_hashes

    rng = np.random.default_rng(5)
    letters = list("abc가나다-0123456789 ")
    texts = list(dict.fromkeys("".join(rng.choice(letters, rng.integers(0, 40)))
                               for _ in range(45_000)))[:40_000]
    hashes = text_hashes(pd.Series(texts, dtype="str"))
    assert len(np.unique(hashes)) == len(texts)
    assert (text_hashes(pa.array(texts[:50] + ["x" * 200]))[:50] == hashes[:50]).all()
    assert (text_hashes(pa.array(texts).slice(7, 50)) == hashes[7:57]).all()
    assert (text_hashes(pa.chunked_array([texts[:10], texts[10:20]])) == hashes[:20]).all()
    long = text_hashes(pa.array(texts[:5] + ["y" * 300]))  # pandas' hashing: still distinct
    assert len(np.unique(long)) == 6
    assert (long[:5] == hashes[:5]).all()  # a long value beside them changes nothing
    assert long[5] == text_hashes(pa.array(["y" * 300]))[0]
