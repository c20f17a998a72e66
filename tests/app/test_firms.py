"""The page's firm card and comparison, run by Streamlit's AppTest on the Jeju selection."""

from __future__ import annotations

import pytest

pytest.importorskip("streamlit")

from streamlit.testing.v1 import AppTest

from ktop_index.data.validate import read_firms
from ktop_index.index.techindex import score_firms
from ktop_index.selection.decide import select_file

APPLICANTS = "data/jeju_2025_applicants.xlsx"
TIMEOUT = 60  # seconds: scoring and drawing on a busy 2-core machine


@pytest.fixture(scope="module")
def selection():
    return select_file(APPLICANTS, "jeju_2025", variants=50,
                       created="2025-01-01T00:00:00+00:00")


def card_page(selection, brn, lang, applicants):
    from ktop_index.app.firms import show_firm_card

    show_firm_card(selection, brn, lang, applicants=applicants)


def comparison_page(selection, brn_a, brn_b, lang):
    from ktop_index.app.firms import show_comparison

    show_comparison(selection, brn_a, brn_b, "jeju_2025", lang)


def run(page, *args):
    app = AppTest.from_function(page, args=args, default_timeout=TIMEOUT).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_the_card_shows_the_firms_strengths_and_weaknesses_as_ktop_score_finds_them(selection):
    first = selection.table.iloc[0]  # rank 1
    app = run(card_page, selection, first["brn"], "en", APPLICANTS)
    assert app.subheader[0].value == f"Report card: {first['firm_name']} ({first['brn']})"
    scored = score_firms(read_firms(APPLICANTS))
    mine = scored[scored["brn"] == first["brn"]].iloc[-1]
    shown = "\n".join(m.value for m in app.markdown)
    for column in ("strength_1", "strength_2", "weakness_1", "weakness_2"):
        if isinstance(mine[column], str) and mine[column]:
            assert f"- {mine[column]}" in shown
    assert f"rank 1 · selected · Tech-Index {first['tech_index']:,.2f}" in shown
    gains = app.dataframe[0].value
    assert len(gains) == 5 and gains.columns[0] == "indicator"
    assert gains.columns[1] == "index gain (points)"
    assert gains.iloc[:, 1].is_monotonic_decreasing  # the largest gain first


def test_the_card_in_korean_and_without_data(selection):
    first = selection.table.iloc[0]
    app = run(card_page, selection, first["brn"], "ko", None)
    assert app.subheader[0].value.startswith("기업 보고서: ")
    assert "신청기업 자료가 있어야" in app.info[0].value
    assert "순위 1 · 선정" in "\n".join(m.value for m in app.markdown)


def test_a_firm_not_in_the_selection_is_one_error_line(selection):
    app = run(card_page, selection, "000-00-00000", "ko", None)
    assert len(app.error) == 1 and "\n" not in app.error[0].value
    assert "000-00-00000" in app.error[0].value and "선정 결과에 없습니다" in app.error[0].value


def test_the_comparison_says_why_the_first_is_above_the_second(selection):
    table = selection.table
    first, second = table.iloc[0], table.iloc[1]  # ranks 1 and 2, no committee: index only
    app = run(comparison_page, selection, second["brn"], first["brn"], "en")
    gap = first["selection_score"] - second["selection_score"]
    assert app.success[0].value == (
        f"{first['firm_name']} ({first['brn']}) ranks above {second['firm_name']} "
        f"({second['brn']}): selection score {first['selection_score']:.2f} against "
        f"{second['selection_score']:.2f} (+{gap:.2f} points); the largest difference is "
        f"index points (composite, 0-100) (+{gap:.2f} points).")
    domains = app.dataframe[0].value
    assert list(domains.iloc[:, 0]) == ["Infrastructure", "Input", "Activity", "Outcome",
                                        "Tech-Index (base 100)"]
    assert domains.iloc[2, 3] == pytest.approx(second["activity"] - first["activity"])
    parts = app.dataframe[1].value
    assert parts.iloc[-1, 1] == second["selection_score"]
    assert parts.iloc[-1, 2] == first["selection_score"]


def test_the_comparison_in_korean_names_the_ineligible_firms_reason(selection):
    table = selection.table
    out = table[~table["eligible"]].iloc[0]
    app = run(comparison_page, selection, out["brn"], table.iloc[0]["brn"], "ko")
    assert f"{out['firm_name']} ({out['brn']})은(는) 신청자격이 없습니다 ({out['reasons_ko']})" \
        in app.success[0].value
    assert app.caption[0].value.startswith("선정점수 = 지수 점수")
