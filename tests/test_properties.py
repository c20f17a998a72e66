"""Properties over what officers' files can hold (Hypothesis): the readers, the validator, the
committee checks and scoring never end in a traceback, and never give a score from invalid data.

Each property draws files or cells from strategies that mix the values real files carry
(numbers in every spelling Excel and Korean accounting use, blanks, dashes, text, control
characters, huge and non-finite numbers) with arbitrary text, and checks what must hold for
every one of them.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ktop_index.data.io import read_table, write_table
from ktop_index.data.validate import parse_numbers, validate
from ktop_index.errors import KtopError
from ktop_index.index.techindex import score_firms
from ktop_index.selection.committee import check_scores, load_preset

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

CELLS = st.one_of(
    st.none(), st.just(""), st.just("-"), st.just("N/A"), st.just("inf"), st.just("1e400"),
    st.just("1.234,5"), st.just("1,23,456"), st.just("2024.5"), st.just("△1,200"),
    st.just("(300)"), st.just("\x00"), st.just("=1+1"), st.just("-2+3+cmd|' /C calc'!A0"),
    st.integers(-10**15, 10**15).map(str), st.integers(0, 10**9).map(lambda v: f"{v:,}"),
    st.floats(allow_nan=True, allow_infinity=True).map(repr), st.text(max_size=12),
)
HEADERS = ["사업자등록번호", "기업명", "기준연도", "업종코드", "소재지", "설립연도",
           "상시근로자 수", "연구개발인력", "매출액(천원)", "자본총계(천원)", "신청금액(천원)",
           "참여의향서", "인증 수"]
GOOD_BRNS = ["124-81-00998", "220-81-62517", "104-81-21497"]


@st.composite
def firm_tables(draw) -> pd.DataFrame:
    """A small applicants table: known headers, cells drawn from CELLS or plausible values."""
    rows = draw(st.integers(1, 6))
    columns = draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=len(HEADERS),
                            unique=True))
    plausible = {"사업자등록번호": st.sampled_from(GOOD_BRNS), "기준연도": st.just("2024"),
                 "업종코드": st.sampled_from(["26110", "10301", "C29"]),
                 "소재지": st.sampled_from(["제주시", "서귀포시"])}
    table = {}
    for column in columns:
        cell = st.one_of(plausible.get(column, CELLS), CELLS)
        table[column] = pd.array(draw(st.lists(cell, min_size=rows, max_size=rows)),
                                 dtype="str")
    return pd.DataFrame(table)


def _finite_or_missing(values) -> bool:
    return all(v is None or pd.isna(v) or math.isfinite(v) for v in values)


@SETTINGS
@given(firm_tables())
def test_validation_reports_problems_and_never_passes_a_bad_cell(table):
    """validate never raises on data; every problem prints in both languages; what it passes is
    finite, and a passing table scores without error to finite (or not-rated) values."""
    result = validate(table, source="t.csv")
    for problem in result.problems:
        for lang in ("en", "ko"):
            line = problem.line(lang)
            assert line.startswith("t.csv:") and "\n" not in line
    numeric = result.frame.select_dtypes("number")
    assert _finite_or_missing(numeric.to_numpy().ravel())
    if result.ok and "year" in result.frame and result.frame["year"].notna().all():
        scores = score_firms(result.frame)
        assert _finite_or_missing(scores["tech_index"])


@SETTINGS
@given(st.lists(CELLS, min_size=1, max_size=8))
def test_a_number_is_read_as_written_or_flagged(cells):
    """Every cell parses to a finite number, a blank, or a flagged cell: never inf, never a
    silent different reading of a separator."""
    values, bad = parse_numbers(pd.Series(cells, dtype="str"), dash_is_zero=True)
    assert not np.isinf(values).any()
    for cell, value, flagged in zip(cells, values, bad):
        if cell in ("1.234,5", "1,23,456", "2024.5x", "inf", "1e400", "\x00"):
            assert flagged or np.isnan(value), cell


@SETTINGS
@given(st.integers(0, 10**12))
def test_thousands_separators_round_trip(value):
    values, bad = parse_numbers(pd.Series([f"{value:,}", f"{value:,}원".replace("원", "")],
                                          dtype="str"), dash_is_zero=True)
    assert not bad.any() and values.tolist() == [float(value)] * 2


@SETTINGS
@given(st.binary(max_size=400), st.sampled_from([".csv", ".xlsx", ".parquet", ".txt"]))
def test_any_bytes_are_read_or_refused_in_one_line(tmp_path_factory, data, suffix):
    """Whatever a file holds, the reader returns a table or raises a KtopError of one line."""
    path = tmp_path_factory.mktemp("bytes") / f"f{suffix}"
    path.write_bytes(data)
    try:
        read_table(path)
    except KtopError as exc:
        assert "\n" not in str(exc) and str(path.name) in str(exc)


@SETTINGS
@given(st.lists(st.lists(CELLS, min_size=3, max_size=3), min_size=1, max_size=6))
def test_an_xlsx_of_any_cells_is_read_or_refused(tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("xlsx") / "f.xlsx"
    try:
        write_table(pd.DataFrame(rows, columns=["기업명", "매출액(천원)", "기준연도"],
                                 dtype="str"), path)
    except KtopError:
        return
    try:
        table = read_table(path)
    except KtopError as exc:
        assert "\n" not in str(exc)
        return
    validate(table)


@st.composite
def committee_tables(draw) -> pd.DataFrame:
    items = load_preset()["item"].tolist()
    rows = draw(st.integers(1, 12))
    cell = st.one_of(st.integers(0, 30).map(str), CELLS)
    return pd.DataFrame({
        "사업자등록번호": draw(st.lists(st.sampled_from(GOOD_BRNS + ["123"]), min_size=rows,
                                 max_size=rows)),
        "평가위원": draw(st.lists(st.sampled_from(["위원 A", "위원A", "B", "", " C "]),
                              min_size=rows, max_size=rows)),
        "평가항목": draw(st.lists(st.sampled_from(items + ["x"]), min_size=rows, max_size=rows)),
        "점수": draw(st.lists(cell, min_size=rows, max_size=rows)),
    }, dtype="str")


@SETTINGS
@given(committee_tables())
def test_committee_checks_refuse_in_lines_or_give_finite_points(scores):
    try:
        checked = check_scores(scores, source="s.csv", items=load_preset())
    except KtopError as exc:
        assert "\n" not in str(exc)
        for problem in getattr(exc, "problems", []):
            assert "\n" not in problem.line("ko")
        return
    assert np.isfinite(checked["points"]).all() and (checked["points"] >= 0).all()


def test_hypothesis_is_installed():
    pytest.importorskip("hypothesis")
