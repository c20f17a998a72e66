"""Committee scores: evaluator totals, trimming of the highest and lowest, spread, the preset."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ktop_index.selection.committee import (
    aggregate,
    check_scores,
    evaluator_spread,
    load_preset,
    read_scores,
)

A, B = "124-81-00998", "220-81-62517"


def long(rows):
    return pd.DataFrame(rows, columns=["brn", "evaluator", "item", "points"])


def test_trimmed_mean_hand_case():
    """Five evaluators 90, 80, 70, 60, 10: drop 90 and 10, mean of 80, 70, 60 = 70; four
    evaluators are not trimmed: (80+70+60+10)/4 = 55."""
    five = long([(A, e, "total", p) for e, p in zip("ABCDE", [90, 80, 70, 60, 10])])
    four = long([(B, e, "total", p) for e, p in zip("ABCD", [80, 70, 60, 10])])
    out = aggregate(pd.concat([five, four]), min_for_trim=5).set_index("brn")
    assert out.loc[A, "committee_score"] == 70.0 and bool(out.loc[A, "committee_trimmed"])
    assert out.loc[B, "committee_score"] == 55.0 and not bool(out.loc[B, "committee_trimmed"])
    assert out.loc[A, "committee_min"] == 10.0 and out.loc[A, "committee_max"] == 90.0
    assert out.loc[A, "committee_sd"] == pytest.approx(np.std([90, 80, 70, 60, 10], ddof=1))
    assert aggregate(four, min_for_trim=4)["committee_score"].iloc[0] == 65.0


def test_totals_sum_items_and_ties_drop_one_each():
    """Item points add up per evaluator; with tied highest totals only one copy is dropped."""
    rows = []
    for evaluator, total in zip("ABCDE", [80, 80, 70, 60, 60]):
        rows += [(A, evaluator, "need", total - 50), (A, evaluator, "budget", 50)]
    out = aggregate(long(rows))
    assert out["committee_score"].iloc[0] == pytest.approx((80 + 70 + 60) / 3)


def test_evaluator_spread_finds_a_lenient_evaluator():
    """An evaluator 10 points above the others on every firm has a mean offset of +10."""
    rows = []
    for firm, base in ((A, 60), (B, 70)):
        rows += [(firm, e, "total", base) for e in "ABCD"] + [(firm, "L", "total", base + 10)]
    spread = evaluator_spread(long(rows)).set_index("evaluator")
    assert spread.loc["L", "mean_offset"] == pytest.approx(10.0)
    assert spread.loc["A", "mean_offset"] == pytest.approx(-2.5)
    assert spread.loc["L", "firms"] == 2


def test_preset_is_the_announcements_100_point_table():
    """The 2025 table: 9 items, 100 points, groups 15/25/10/30/20 as in section 5."""
    table = load_preset()
    assert len(table) == 9 and table["max_points"].sum() == 100
    groups = table.groupby("group_ko", sort=False)["max_points"].sum().tolist()
    assert groups == [15, 25, 10, 30, 20]
    assert table["source"].str.contains("2024-606").all()


def test_scores_file_with_korean_headers(tmp_path):
    """A CSV with Korean headers reads; items are checked against the preset."""
    path = tmp_path / "scores.csv"
    pd.DataFrame({"사업자등록번호": [A, A], "평가위원": ["위원1", "위원1"],
                  "평가항목": ["need", "budget"], "점수": [9, 8]}).to_csv(
        path, index=False, encoding="utf-8-sig")
    scores = read_scores(path, items=load_preset())
    assert scores["points"].sum() == 17 and scores["brn"].iloc[0] == A


@pytest.mark.parametrize("change, words", [
    ({"points": [11, 8]}, ["scores.csv:2:points", "above the 10 points"]),
    ({"item": ["need", "charm"]}, ["scores.csv:3:item", "unknown item 'charm'"]),
    ({"points": ["x", 8]}, ["scores.csv:2:points", "not a score"]),
    ({"brn": ["124-81-00997", A]}, ["scores.csv:2:brn", "invalid business number"]),
    ({"item": ["need", "need"]}, ["scores.csv:3", "given twice"]),
])
def test_bad_scores_name_row_and_column(change, words):
    """Each bad cell is a one-line error with file, row and column."""
    data = {"brn": [A, A], "evaluator": ["E1", "E1"], "item": ["need", "budget"],
            "points": [9, 8]}
    data.update(change)
    with pytest.raises(ValueError) as info:
        check_scores(pd.DataFrame(data), source="scores.csv", items=load_preset())
    for word in words:
        assert word in str(info.value)


def test_missing_column():
    """A scores table without a points column says which column is missing."""
    with pytest.raises(ValueError, match="column points"):
        check_scores(pd.DataFrame({"brn": [A], "evaluator": ["E1"]}), source="s.csv")
