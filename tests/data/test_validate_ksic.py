"""The validator on industry codes as officers' files carry them (ktop_index.data.validate,
KSIC part): both revisions through the official concordance, lost leading zeros never read on
a guess. Checked against the real reference tables."""

from __future__ import annotations

import csv
from importlib import resources

import numpy as np
import openpyxl
import pandas as pd
import pytest

from ktop_index.data.io import read_table
from ktop_index.data.validate import normalise_ksic, validate

GOOD = {"사업자등록번호": "124-81-00998", "기업명": "한라", "기준연도": "2024"}


def check(codes, dtype=object):
    rows = [{**GOOD, "기준연도": str(2000 + i), "업종코드": c} for i, c in enumerate(codes)]
    frame = pd.DataFrame(rows, dtype=object).astype({"업종코드": dtype})
    return validate(frame, source="f.csv")


def found(result):
    return [(p.row, p.code, p.severity) for p in result.problems]


def _reference_codes() -> set[str]:
    """Every code of both revisions, read from the CSVs directly (not through the loaders)."""
    folder = resources.files("ktop_index.reference")
    with folder.joinpath("ksic11_codes.csv").open(encoding="utf-8") as handle:
        codes = {r["code"] for r in csv.DictReader(handle) if r["level"] != "section"}
    with folder.joinpath("ksic10_to_11.csv").open(encoding="utf-8") as handle:
        tenth = {r["ksic10"] for r in csv.DictReader(handle)}
    return codes | {c[:n] for c in tenth for n in (2, 3, 4, 5)}


def test_a_10th_revision_code_is_kept_and_its_11th_code_named():
    """10712 빵류 제조업 (10th) is 10602 in the 11th (구신연계표): a warning saying so, the code
    kept as given; an 11th-revision code draws nothing."""
    result = check(["10712", "10602"])
    assert result.ok and found(result) == [(2, "ksic_rev10", "warning")]
    assert result.frame["ksic"].tolist() == ["10712", "10602"]
    line = result.problems[0].line()
    assert line == ("f.csv:2:업종코드: warning: '10712' is a KSIC 10th-revision code (빵류 제조업); "
                    "it is read as the 11th revision's 10602 (빵류 제조업)")
    assert "11차 코드 10602 (빵류 제조업)" in result.problems[0].line("ko")


def test_a_split_10th_code_names_every_11th_code():
    """10801 배합 사료 was split (세분) into 10901 and 10902."""
    result = check(["10801"])
    assert result.ok
    assert "10901 (반려동물용 사료 제조업) or 10902 (배합 사료 제조업)" in result.problems[0].line()
    assert "10901 (반려동물용 사료 제조업) 또는 10902 (배합 사료 제조업)" in result.problems[0].line("ko")


@pytest.mark.parametrize("dtype", [object, "int64", "float64"])
def test_a_lost_leading_zero_is_an_error_naming_both_readings(dtype):
    """1110 (text, integer or float cell) may be 01110 crop growing or division 11: an error
    on the cell, the value missing, never read as either."""
    result = check([1110] if dtype != object else ["1110"], dtype=dtype)
    assert found(result) == [(2, "ksic_lost_zero", "error")]
    assert pd.isna(result.frame.loc[0, "ksic"])
    line = result.problems[0].line()
    assert line == ("f.csv:2:업종코드: '1110' may be 01110 (곡물 및 기타 식량작물 재배업) with its "
                    "leading zero lost, or 1110 (under 111 알코올 음료 제조업, not a KSIC code "
                    "itself); write the code as text with 5 digits (e.g. '01110 in Excel)")
    ko = result.problems[0].line("ko")
    assert "01110 (곡물 및 기타 식량작물 재배업)" in ko and "111 알코올 음료 제조업 아래" in ko


def test_a_number_cell_in_a_workbook_is_named(tmp_path):
    """The XLSX number cell 1110 (Excel's own doing) gives FILE:ROW:COLUMN."""
    path = tmp_path / "a.xlsx"
    book = openpyxl.Workbook()
    book.active.append(list(GOOD) + ["업종코드"])
    book.active.append([*GOOD.values(), 1110])
    book.active.append(["124-81-00998", "한라", "2023", "01110"])
    book.save(path)
    result = validate(read_table(path))
    assert [p.line().split(" with")[0] for p in result.errors] == [
        "a.xlsx:2:업종코드: '1110' may be 01110 (곡물 및 기타 식량작물 재배업)"]
    assert result.frame["ksic"].iloc[1] == "01110"


def test_which_codes_may_have_lost_a_zero_follows_the_reference_tables():
    """Exactly the codes of 1-4 digits that are a code once 0 is put in front (divisions
    01-08 dropped their 0) are held; every other code of both revisions passes."""
    codes = _reference_codes()
    stripped = sorted(c[1:] for c in codes if c.startswith("0"))
    assert len(stripped) == 98 and {"1110", "2011", "62", "3", "111"} <= set(stripped)
    _, bad, why = normalise_ksic(pd.Series(stripped))
    assert bad.all() and {w[0] for w in why} == {"ksic_lost_zero"}
    others = sorted(codes - set(stripped))
    codes_out, bad, _ = normalise_ksic(pd.Series(others))
    assert not bad.any() and codes_out.tolist() == others


def test_a_section_letter_says_which_reading():
    """A1110: section A is agriculture, so the code is 01110; C1110: section C says division
    11, which has no code 1110 (a warning: only its start 111 is used); J62 is division 62,
    B62 the mining group 062."""
    result = check(["A1110", "C1110", "J62", "B62"])
    assert found(result) == [(3, "ksic_unknown", "warning")]
    assert result.frame["ksic"].tolist() == ["01110", "1110", "62", "062"]
    assert "only its start 111 (알코올 음료 제조업) is used" in result.problems[0].line()


def test_a_code_of_neither_revision_says_what_is_used():
    """10399: group 103 exists, the code in neither revision: a warning naming the start that
    is used (eligibility reads it as group 103); 00123 is no code at all."""
    result = check(["10399", "00123"])
    assert found(result) == [(2, "ksic_unknown", "warning"), (3, "bad_ksic", "error")]
    assert result.problems[0].line() == (
        "f.csv:2:업종코드: warning: '10399' is not a code of the KSIC 10th or 11th revision; "
        "only its start 103 (과실, 채소 가공 및 저장 처리업) is used (expected a code from the "
        "official list, e.g. 10301)")
    assert "앞자리 103 (과실, 채소 가공 및 저장 처리업)만 사용합니다" in result.problems[0].line("ko")


def test_each_row_gets_its_own_problem_over_distinct_values():
    """The code column is parsed over its distinct values; the problems still land on every
    row, blanks stay missing without a problem."""
    values = ["1110", "10712", None, "1110", "10301", "", "10712"] * 3
    result = check(values)
    lost = [p.row for p in result.problems if p.code == "ksic_lost_zero"]
    rev10 = [p.row for p in result.problems if p.code == "ksic_rev10"]
    rows = np.arange(len(values)) + 2
    assert lost == [r for r, v in zip(rows, values) if v == "1110"]
    assert rev10 == [r for r, v in zip(rows, values) if v == "10712"]
    assert result.frame["ksic"].isna().sum() == values.count("1110") + 6


@pytest.mark.parametrize("dtype", [object, "str", "float64"])
def test_distinct_codes_read_once_per_process_read_as_normalise_ksic_does(monkeypatch, dtype):
    """The process-wide memory of readings gives normalise_ksic's codes and bad mask, on a
    first batch, on a batch of known and new cells, and after the memory starts again."""
    from ktop_index.data import validate as v

    monkeypatch.setattr(v, "_ksic_read", {})
    text = ["C10301", "A1110", "1110", "10712", "58221", "99", "x1", "J58221", "01110", "A"]
    cells = ([1110.0, 10712.0, 58221.0, 99.0, 26110.0, 1.0] if dtype == "float64"
             else text)
    batches = [cells[:4], cells[2:], cells[::-1]]
    for k, batch in enumerate(batches):
        if k == 2:
            monkeypatch.setattr(v, "_KSIC_MEMO_SIZE", 1)  # the memory overflows: cleared
        values = pd.Series(batch, dtype=dtype)
        codes, bad = v._ksic_of_distinct(values)
        want_codes, want_bad, _ = normalise_ksic(values)
        assert codes.tolist() == pytest.approx(want_codes.tolist(), nan_ok=True)
        assert bad.tolist() == want_bad.tolist()
    assert len(v._ksic_read) <= len(cells)
