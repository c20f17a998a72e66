"""Labels at the edge (ktop_index.tracking.present): the English analysis tables in Korean."""

from __future__ import annotations

import pandas as pd

from ktop_index.labels import MONITOR_FLAGS, TRACKING_COLUMNS_KO
from ktop_index.tracking.present import korean_flags, korean_labels, korean_values


def test_industry_names_come_from_the_ksic_table():
    """An industry series' names are replaced by the KSIC 11th revision's Korean names of its
    division codes (10: 식료품 제조업, 62: 컴퓨터 프로그래밍, 시스템 통합 및 관리업); '' stays ''."""
    series = pd.DataFrame({"year": [2024, 2024, 2024], "ksic_division": ["10", "62", ""],
                           "industry": ["Manufacture of food products", "x", ""],
                           "n": [5, 6, 7], "median": [101.5, 99.0, 98.0]})
    korean = korean_labels(series)
    assert korean.columns.tolist() == ["연도", "업종(중분류)", "업종명", "기업수", "중앙값"]
    assert korean["업종명"].tolist() == ["식료품 제조업",
                                       "컴퓨터 프로그래밍, 시스템 통합 및 관리업", ""]
    assert korean["중앙값"].tolist() == [101.5, 99.0, 98.0]


def test_every_monitoring_flag_reads_in_korean():
    """Each English flag template, filled in, becomes its Korean template with the same
    numbers; several flags keep their order; an unknown or Korean word stays as it is."""
    filled = {"points": "7.5", "share": "15%", "year": "2023"}
    for english, korean in MONITOR_FLAGS.values():
        assert korean_flags(english.format(**filled)) == korean.format(**filled)
    assert korean_flags("revenue down 30%+; Tech-Index down 12+ points") == (
        "매출 30% 이상 감소; 지수 12점 이상 하락")
    assert korean_flags("지수 10점 이상 하락") == "지수 10점 이상 하락"
    assert korean_flags("something else") == "something else"
    assert korean_flags("") == ""


def test_coded_values_and_labels():
    """A trajectory's 'same' grade move is 유지; the effect table's outcome column is 성과지표
    (elsewhere 'outcome' is the outcome domain, 성과)."""
    trajectory = pd.DataFrame({"year": [2023, 2024], "grade_move": ["", "same"],
                               "outcome": [40.0, 41.0]})
    korean = korean_labels(trajectory)
    assert korean["등급변동"].tolist() == ["", "유지"]
    assert "성과" in korean and "성과지표" not in korean
    effect = pd.DataFrame({"outcome": ["revenue"], "unit": ["KRW thousand (천원)"],
                           "did": [12.0]})
    assert korean_labels(effect).to_dict("records") == [
        {"성과지표": "매출액", "단위": "천원", "이중차분 효과": 12.0}]


def test_values_only_and_the_input_left_alone():
    """korean_values keeps the English column names; neither function changes its input, and
    translating twice gives what translating once does."""
    flags = pd.DataFrame({"brn": ["124-81-00001"], "flags": ["no data after 2024"]})
    values = korean_values(flags)
    assert values.columns.tolist() == ["brn", "flags"]
    assert values["flags"].tolist() == ["2024년 이후 자료 없음"]
    assert flags["flags"].tolist() == ["no data after 2024"]
    assert korean_values(values).equals(values)
    assert set(korean_labels(flags).columns) <= set(TRACKING_COLUMNS_KO.values())
