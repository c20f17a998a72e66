"""Comparing two firms of a selection: hand-built tables whose answer is known."""

from __future__ import annotations

import dataclasses
import doctest

import numpy as np
import pandas as pd
import pytest

from ktop_index.errors import UsageError
from ktop_index.report import compare
from ktop_index.report.compare import compare_firms
from ktop_index.selection.calls import load_call

JEJU = load_call("jeju_2025")  # weight use: 0.3 × index points + 0.7 × committee score


def firm(brn, rank, score, committee=np.nan, tech=110.0, grade="A", requested=40_000.0,
         bonus=0.0, name=None, domains=(50.0, 50.0, 50.0, 50.0), reasons=""):
    """One row of a selection table (the columns ``Selection.table`` has)."""
    return {"brn": brn, "firm_name": name or f"firm {brn}", "status": "selected",
            "rank": rank, "eligible": rank is not None, "reasons": reasons,
            "reasons_ko": reasons and f"{reasons} (ko)",
            **dict(zip(("infrastructure", "input", "activity", "outcome"), domains)),
            "tech_index": tech, "grade": grade, "committee_score": committee,
            "bonus_points": bonus, "selection_score": score, "requested": requested}


def table(*rows):
    frame = pd.DataFrame(list(rows))
    frame["rank"] = frame["rank"].astype("Int64")
    return frame


def with_scoring(call, **changes):
    return dataclasses.replace(call, scoring=dataclasses.replace(call.scoring, **changes))


def test_a_higher_score_decides_and_names_the_largest_part():
    # A: 0.3 × 60 + 0.7 × 80 = 74; B: 0.3 × 70 + 0.7 × 70 = 70
    t = table(firm("111", 1, 74.0, committee=80.0, domains=(60, 70, 40, 55)),
              firm("222", 2, 70.0, committee=70.0, domains=(65, 60, 50, 50)))
    found = compare_firms(t, "111", "222", JEJU, lang="en")
    assert found.above == "111" and found.decisive == "selection_score"
    parts = found.parts.set_index("item")
    assert parts.loc["index", ["a", "b"]].tolist() == pytest.approx([18.0, 21.0])
    assert parts.loc["committee", ["a", "b"]].tolist() == pytest.approx([56.0, 49.0])
    assert parts.loc["total", "difference"] == pytest.approx(4.0)
    assert ("firm 111 (111) ranks above firm 222 (222): selection score 74.00 against 70.00 "
            "(+4.00 points); the largest difference is committee score × weight 0.70 "
            "(+7.00 points).") == found.sentence
    domains = found.domains.set_index("item")
    assert domains.loc["activity", "difference"] == -10.0
    assert domains.loc["tech_index", "label"] == "Tech-Index (base 100)"
    assert "0.30 × index points" in found.formula and "0.70 × committee" in found.formula


def test_the_order_asked_does_not_change_who_is_above():
    t = table(firm("111", 1, 74.0, committee=80.0), firm("222", 2, 70.0, committee=70.0))
    found = compare_firms(t, "222", "111", JEJU, lang="ko")
    assert found.above == "111" and found.parts.set_index("item").loc["total", "difference"] \
        == pytest.approx(-4.0)
    assert found.sentence.startswith("firm 111 (111)이(가) firm 222 (222)보다 순위가 높습니다: "
                                     "선정점수 74.00점 대 70.00점(+4.00점)")
    assert "발표평가 점수 × 가중치 0.70(+7.00점)" in found.sentence


def test_equal_scores_are_broken_by_the_committee_score_first():
    # both 74: A 0.3 × 60 + 0.7 × 80, B 0.3 × 74 + 0.7 × 74
    t = table(firm("222", 2, 74.0, committee=74.0), firm("111", 1, 74.0, committee=80.0))
    found = compare_firms(t, "222", "111", JEJU, lang="en")
    assert found.above == "111" and found.decisive == "committee_score"
    assert ("equal selection scores (74.00); the call's tie-break rule 1, higher committee "
            "score, decides (80.00 against 74.00).") in found.sentence


def test_equal_scores_and_committee_scores_are_broken_by_the_tech_index():
    # bonus use: committee score + grade bonus; both AA (3 points), committee 80 -> 83
    call = with_scoring(JEJU, tech_index_use="bonus", grade_bonus={"AAA": 5.0, "AA": 3.0})
    t = table(firm("111", 1, 83.0, committee=80.0, tech=118.0, grade="AA"),
              firm("222", 2, 83.0, committee=80.0, tech=116.0, grade="AA"))
    found = compare_firms(t, "111", "222", call, lang="en")
    assert found.decisive == "tech_index" and found.above == "111"
    assert ("equal selection scores (83.00); equal committee score too; the call's tie-break "
            "rule 2, higher Tech-Index, decides (118.00 against 116.00).") in found.sentence
    assert found.parts.set_index("item").loc["grade_bonus", ["a", "b"]].tolist() == [3.0, 3.0]
    korean = compare_firms(t, "111", "222", call, lang="ko").sentence
    assert "발표평가 점수도 같아 공고의 동점자 처리 2순위 기준인 '기업혁신역량지수가 높은 기업'" in korean


def test_the_calls_own_tie_break_order_is_followed():
    # requested first: A asks 30,000 천원, B 60,000 (capped at 50,000); committee favours B
    call = with_scoring(JEJU, tie_break=("requested", "committee_score", "tech_index", "brn"))
    t = table(firm("111", 1, 74.0, committee=74.0, requested=30_000.0),
              firm("222", 2, 74.0, committee=80.0, requested=60_000.0))
    found = compare_firms(t, "111", "222", call, lang="en")
    assert found.decisive == "requested"
    assert "tie-break rule 1, lower support requested (after the cap, KRW thousand), decides " \
           "(30,000 against 50,000)" in found.sentence


def test_the_business_number_is_the_last_resort():
    t = table(firm("222", 2, 74.0, committee=80.0), firm("111", 1, 74.0, committee=80.0))
    found = compare_firms(t, "111", "222", JEJU, lang="en")
    assert found.decisive == "brn"
    assert "tie-break rule 4, lower business number, decides (111 against 222)" in found.sentence
    assert "agrees only to the two decimals shown" in found.sentence  # 110.00 both, as shown


def test_a_later_rule_that_contradicts_the_ranks_is_never_claimed():
    # the two decimals shown agree; the ranks say 222 is above: a finer difference decided
    t = table(firm("111", 2, 74.0, committee=80.0, tech=112.12, requested=30_000.0),
              firm("222", 1, 74.0, committee=80.0, tech=112.12, requested=60_000.0))
    found = compare_firms(t, "111", "222", JEJU, lang="en")
    assert found.above == "222" and found.decisive == "finer"
    assert "finer" in found.sentence


def test_an_ineligible_firm_is_below_with_its_reasons():
    t = table(firm("111", 1, 74.0, committee=80.0),
              firm("333", None, np.nan, committee=90.0, reasons="outside the call's regions"))
    found = compare_firms(t, "333", "111", JEJU, lang="ko")
    assert found.decisive == "eligibility" and found.above == "111"
    assert "firm 333 (333)은(는) 신청자격이 없습니다 (outside the call's regions (ko))" \
        in found.sentence
    both = table(firm("333", None, np.nan, reasons="x"), firm("444", None, np.nan, reasons="y"))
    found = compare_firms(both, "333", "444", JEJU, lang="en")
    assert found.above is None and found.decisive == "none"
    assert found.sentence.startswith("Neither firm is ranked")


def test_a_firm_not_in_the_table_is_a_one_line_error_in_both_languages():
    t = table(firm("111", 1, 74.0, committee=80.0), firm("222", 2, 70.0, committee=70.0))
    with pytest.raises(UsageError) as caught:
        compare_firms(t, "111", "999", JEJU)
    message = str(caught.value)
    assert "\n" not in message and "999" in message and "2 applicants" in message
    assert "999" in caught.value.message("ko") and "선정 결과에 없습니다" in caught.value.message("ko")
    with pytest.raises(UsageError, match="the same"):
        compare_firms(t, "111", "111", JEJU)


def test_without_committee_scores_the_index_is_the_whole_score():
    t = table(firm("111", 1, 59.16), firm("222", 2, 57.95))
    found = compare_firms(t, "111", "222", JEJU, lang="en")
    assert list(found.parts["item"]) == ["index", "bonus", "total"]
    assert found.parts.set_index("item").loc["index", "label"] == "index points (composite, 0-100)"
    assert "no committee scores" in found.formula


def test_the_jeju_selection_is_explained_by_its_own_ranks():
    from ktop_index.selection.decide import select_file

    result = select_file("data/jeju_2025_applicants.xlsx", "jeju_2025", variants=0,
                         created="2025-01-01T00:00:00+00:00")
    ranked = result.table[result.table["rank"].notna()]
    for k in range(5):
        low, high = ranked.iloc[k + 1], ranked.iloc[k]
        found = compare_firms(result.table, low["brn"], high["brn"], JEJU, lang="en",
                              weights=result.audit["score"])
        assert found.above == high["brn"]
        parts = found.parts.set_index("item")
        assert parts.loc["total", "b"] == high["selection_score"]
        assert parts.drop("total")["b"].sum() == pytest.approx(high["selection_score"])


def test_the_examples_in_the_docstrings_run():
    result = doctest.testmod(compare)
    assert result.failed == 0 and result.attempted > 0
