"""Committee scores: evaluator totals, trimming of the highest and lowest, spread, the preset."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ktop_index.errors import DataError, UsageError
from ktop_index.selection.committee import (
    aggregate,
    check_scores,
    evaluator_spread,
    inspect_scores,
    load_preset,
    parse_points,
    read_scores,
)

A, B = "124-81-00998", "220-81-62517"


def long(rows):
    return pd.DataFrame(rows, columns=["brn", "evaluator", "item", "points"])


def test_trimmed_mean_hand_case():
    """Five evaluators 90, 80, 70, 60, 10: drop 90 and 10, mean of 80, 70, 60 = 70; four
    evaluators at a trim rule of 4: drop 80 and 10, (70+60)/2 = 65."""
    five = long([(A, e, "total", p) for e, p in zip("ABCDE", [90, 80, 70, 60, 10])])
    four = long([(B, e, "total", p) for e, p in zip("ABCD", [80, 70, 60, 10])])
    out = aggregate(five, min_for_trim=5).set_index("brn")
    assert out.loc[A, "committee_score"] == 70.0 and bool(out.loc[A, "committee_trimmed"])
    assert out.loc[A, "committee_min"] == 10.0 and out.loc[A, "committee_max"] == 90.0
    assert out.loc[A, "committee_sd"] == pytest.approx(np.std([90, 80, 70, 60, 10], ddof=1))
    assert aggregate(four, min_for_trim=4)["committee_score"].iloc[0] == 65.0


def test_one_firm_with_fewer_evaluators_means_no_firm_is_trimmed():
    """Trimming is all or none: beside a firm with 4 evaluators (rule: 5), the firm with 5
    gets the plain mean (90+80+70+60+10)/5 = 62, not the trimmed 70; the other (80+70+60+10)/4
    = 55. Never a trimmed mean beside an untrimmed one."""
    five = long([(A, e, "total", p) for e, p in zip("ABCDE", [90, 80, 70, 60, 10])])
    four = long([(B, e, "total", p) for e, p in zip("ABCD", [80, 70, 60, 10])])
    out = aggregate(pd.concat([five, four]), min_for_trim=5).set_index("brn")
    assert out.loc[A, "committee_score"] == 62.0 and out.loc[B, "committee_score"] == 55.0
    assert not out["committee_trimmed"].any()


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
    items = load_preset()["item"]
    pd.DataFrame({"사업자등록번호": A, "평가위원": "위원1", "평가항목": items,
                  "점수": 5}).to_csv(path, index=False, encoding="utf-8-sig")
    scores = read_scores(path, items=load_preset())
    assert scores["points"].sum() == 45 and scores["brn"].iloc[0] == A


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


# ---------------------------------------------------------------------------- the checks

ITEMS = load_preset()
ITEM_IDS = ITEMS["item"].tolist()
MAXIMA = dict(zip(ITEMS["item"], ITEMS["max_points"]))


def sheets(firms=(A,), evaluators="ABCDE", share=0.7):
    """Complete score sheets on the 2025 table: every item at ``share`` of its maximum,
    rounded to the half point (70 points per evaluator at 0.7)."""
    rows = [(f, f"위원{e}", item, round(2 * share * MAXIMA[item]) / 2)
            for f in firms for e in evaluators for item in ITEM_IDS]
    return long(rows)


def lines(info, lang="en"):
    return [p.line(lang) for p in info.value.problems]


def test_complete_sheets_pass_and_return_a_row_per_score():
    """Five evaluators x nine items of one firm: 45 rows, each with its spreadsheet row."""
    found = inspect_scores(sheets(), source="s.csv", items=ITEMS)
    assert found.ok and found.problems == []
    assert len(found.scores) == 45 and found.scores["row"].tolist() == list(range(2, 47))
    assert found.summary["evaluators"] == 5 and found.summary["max_total"] == 100


def test_every_problem_is_reported_at_once():
    """Six bad cells in six rows: six lines, each naming its row and column, in one error
    (the old check stopped at the first)."""
    data = sheets()
    data["points"] = data["points"].astype(object)
    bad = {0: ("points", "x"), 1: ("points", "4,5"), 2: ("points", "inf"), 3: ("points", -1),
           4: ("item", "charm"), 5: ("brn", "124-81-00997")}
    for row, (column, value) in bad.items():
        data.loc[row, column] = value
    with pytest.raises(DataError) as info:
        check_scores(data, source="s.csv", items=ITEMS)
    found = lines(info)
    for row, column in ((2, "points"), (3, "points"), (4, "points"), (5, "points"),
                        (6, "item"), (7, "brn")):
        assert any(line.startswith(f"s.csv:{row}:{column}: ") for line in found), (row, found)
    assert "'4,5' holds a comma" in "\n".join(found)
    assert "'inf' is not a finite number" in "\n".join(found)
    assert "-1 is negative" in "\n".join(found)


@pytest.mark.parametrize("value, code", [
    ("inf", "committee_not_finite"), ("-inf", "committee_not_finite"),
    ("nan", "committee_not_finite"), ("NaN", "committee_not_finite"),
    ("1e400", "committee_not_finite"), (float("inf"), "committee_not_finite"),
    ("8,5", "committee_comma"), ("1,000", "committee_comma"), ("8점", "committee_not_score"),
    (True, "committee_not_score"), ("-0.5", "negative"), (-3, "negative"),
])
def test_points_that_cannot_be_read_as_a_score(value, code):
    """Non-finite numbers (text or not), commas, units and negative points are refused."""
    assert parse_points(value)[1] == code


@pytest.mark.parametrize("value, points", [
    (8, 8.0), ("8.5", 8.5), (" 7 ", 7.0), ("８", 8.0), ("+3", 3.0), (np.float64(2.5), 2.5),
])
def test_points_as_text_are_read(value, points):
    """Numbers stored as text, full-width digits and spaces read as the number."""
    assert parse_points(value) == (points, None)


def test_a_skipped_item_names_firm_evaluator_and_item():
    """An evaluator who skipped two items: one error at the sheet's first row naming the
    firm, the evaluator and both items, in English and Korean."""
    data = sheets()
    data = data[~((data["evaluator"] == "위원C") & data["item"].isin(["need", "programs"]))]
    with pytest.raises(DataError) as info:
        check_scores(data.reset_index(drop=True), source="s.csv", items=ITEMS)
    assert lines(info) == [(f"s.csv:20:item: firm {A}, evaluator 위원C: no score for item(s) "
                           "need, programs (expected a score for every item); --allow-partial "
                           "leaves this evaluator's scores of the firm out, noted")]
    assert lines(info, "ko")[0].startswith(
        f"s.csv:20:item: 기업 {A}, 평가위원 위원C: 항목 need, programs 점수 없음")


def test_an_empty_points_cell_is_a_missing_score():
    """An empty points cell names its row, firm, evaluator and item."""
    data = sheets()
    data["points"] = data["points"].astype(object)
    data.loc[3, "points"] = None
    with pytest.raises(DataError) as info:
        check_scores(data, source="s.csv", items=ITEMS)
    assert lines(info)[0].startswith(f"s.csv:5:points: firm {A}, evaluator 위원A, item "
                                     f"{ITEM_IDS[3]}: the points cell is empty")


def test_evaluator_spellings_are_one_evaluator_and_reported():
    """'위원 A', '위원A', '위원ａ' and '위원  a' are one evaluator (NFKC, spaces, case): a
    warning names the spellings, the totals count four evaluators, not seven."""
    data = sheets(evaluators="ABCD")
    spellings = {"위원A": ["위원 A", "위원A", "위원ａ"]}
    for k, i in enumerate(data.index[data["evaluator"] == "위원A"][:3]):
        data.loc[i, "evaluator"] = spellings["위원A"][k]
    found = inspect_scores(data, source="s.csv", items=ITEMS)
    assert found.ok and [p.code for p in found.warnings] == ["committee_evaluator_merged"]
    assert "'위원 A', '위원A', '위원ａ'" in found.warnings[0].line()
    assert found.scores["evaluator"].nunique() == 4
    assert found.summary["evaluator_spellings_merged"] == {"위원 A": ["위원 A", "위원A", "위원ａ"]}
    twice = pd.concat([data, data.iloc[[1]].assign(evaluator="위원  a")], ignore_index=True)
    with pytest.raises(DataError) as info:
        check_scores(twice, source="s.csv", items=ITEMS)
    assert "given twice (first at row 3" in lines(info)[-1]


def test_a_total_above_100_is_refused_with_any_items():
    """With any items, an evaluator's total of 150 is above 100 (an error naming firm and
    evaluator); --committee-max-total 150 states the table's maximum."""
    data = long([(A, e, "total", 150 if e == "A" else 80) for e in "ABCDE"])
    with pytest.raises(DataError) as info:
        check_scores(data, source="s.csv")
    assert lines(info) == [(f"s.csv:2:points: firm {A}, evaluator A: total 150 is above 100 "
                           "points (expected at most 100; --committee-max-total states another "
                           "maximum)")]
    assert len(check_scores(data, source="s.csv", max_total=150)) == 5
    with pytest.raises(UsageError):
        check_scores(data, max_total=float("inf"))


def test_the_item_maximum_still_holds():
    """11 points on the 10-point item 'need' names the row and the maximum."""
    data = sheets()
    data.loc[data["item"] == "need", "points"] = 11
    with pytest.raises(DataError) as info:
        check_scores(data, source="s.csv", items=ITEMS)
    assert lines(info)[0] == ("s.csv:3:points: 11 is above the 10 points of item 'need' "
                              "(expected 0 to 10)")


def test_a_firm_with_fewer_evaluators_is_named():
    """Firm B scored by 3 evaluators where A has 5: an error naming B and both counts."""
    data = pd.concat([sheets([A]), sheets([B], evaluators="ABC")], ignore_index=True)
    with pytest.raises(DataError) as info:
        check_scores(data, source="s.csv", items=ITEMS)
    assert lines(info) == [(f"s.csv:47:evaluator: firm {B} was scored by 3 evaluator(s), other "
                           "firms by 5 (expected the same number of evaluators for every firm); "
                           "--allow-partial scores it from its evaluators, noted")]


def test_scores_of_a_firm_that_did_not_apply_name_its_first_row():
    """Applicants A only: firm B's 45 rows are one error at its first row."""
    data = pd.concat([sheets([A]), sheets([B])], ignore_index=True)
    with pytest.raises(DataError) as info:
        check_scores(data, source="s.csv", items=ITEMS, applicants={A})
    assert lines(info) == [(f"s.csv:47:brn: firm {B} did not apply: 45 score row(s), the first "
                           "here (expected the business numbers of the applicants)")]


def test_allow_partial_leaves_an_incomplete_sheet_out_and_says_so():
    """The issue's case: evaluator C skipped four items. Summed, C's total would count as
    complete; with allow_partial C's scores of the firm are left out (a warning), the firm is
    scored by the 4 complete evaluators, and ``partial`` names C."""
    data = sheets([A, B])
    data.loc[(data["brn"] == A) & (data["evaluator"] == "위원E"), "points"] = 0.0
    skipped = (data["brn"] == A) & (data["evaluator"] == "위원C") & data["item"].isin(
        ["feasibility", "growth_strategy", "programs", "need"])
    data = data[~skipped].reset_index(drop=True)
    with pytest.raises(DataError):
        check_scores(data, source="s.csv", items=ITEMS)
    found = inspect_scores(data, source="s.csv", items=ITEMS, allow_partial=True)
    assert found.ok and {p.code for p in found.warnings} == {"committee_missing_items"}
    assert "left out (--allow-partial)" in found.warnings[0].line()
    assert found.partial == {"left_out": {A: ["위원C"]}, "fewer": {A: 4}, "size": 5}
    out = aggregate(found.scores, min_for_trim=5).set_index("brn")
    # A: totals 70, 70, 70, 0 (C left out); B has 5 but A has 4, so nobody is trimmed
    assert out.loc[A, "committee_score"] == pytest.approx(210 / 4)
    assert out.loc[B, "committee_score"] == pytest.approx(70.0)


def test_no_item_column_while_checking_items_is_one_line():
    """A file of totals checked against the item table: one line saying so, not one per row."""
    data = long([(A, e, "total", 70) for e in "ABCDE"]).drop(columns="item")
    with pytest.raises(DataError) as info:
        check_scores(data, source="s.csv", items=ITEMS)
    assert len(info.value.problems) == 1 and "--committee-items any" in lines(info)[0]
    assert len(check_scores(data, source="s.csv")) == 5


def test_korean_lines_carry_the_same_details():
    """Every committee code's Korean text names the same fields as its English one."""
    import re

    from ktop_index.data.problems import MESSAGES

    for code, (en, ko) in MESSAGES.items():
        if code.startswith("committee_"):
            fields = set(re.findall(r"{(\w+)", en)) - {"hint"}
            assert fields == set(re.findall(r"{(\w+)", ko)) - {"hint_ko"}, code


# ---------------------------------------------------------------------------- properties

hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies


@st.composite
def messy_sheets(draw):
    """Small score tables with the cells evaluators' files hold: spellings, skipped items,
    blanks, text, commas, non-finite values, other firms."""
    n = draw(st.integers(1, 40))
    pick = lambda values: st.lists(st.sampled_from(values), min_size=n, max_size=n)
    points = st.one_of(st.integers(0, 16), st.floats(allow_nan=True, allow_infinity=True),
                       st.sampled_from(["", "8.5", "8,5", "inf", "nan", "1e400", "-1", "x"]))
    return pd.DataFrame({
        "brn": draw(pick([A, B, "124-81-00997", ""])),
        "evaluator": draw(pick(["위원 A", "위원A", "위원ａ", "B", " C ", ""])),
        "item": draw(pick(ITEM_IDS[:3] + ["charm"])),
        "points": draw(st.lists(points, min_size=n, max_size=n)),
    })


@hypothesis.settings(max_examples=150, deadline=None)
@hypothesis.given(messy_sheets(), st.booleans())
def test_a_checked_table_is_whole_or_refused_in_lines(data, allow_partial):
    """Whatever the cells, the check never raises; what passes has finite points within each
    item's maximum, every evaluator of a firm scoring every item used, totals at most 100,
    and (without allow_partial) the same number of evaluators for every firm."""
    items = ITEMS[ITEMS["item"].isin(ITEM_IDS[:3])]
    found = inspect_scores(data, source="s.csv", items=items, applicants={A},
                           allow_partial=allow_partial)
    for problem in found.problems:
        assert "\n" not in problem.line("ko") and problem.line().startswith("s.csv:")
    if not found.ok:
        return
    scores = found.scores
    assert np.isfinite(scores["points"]).all() and (scores["points"] >= 0).all()
    assert (scores["points"] <= scores["item"].map(MAXIMA)).all()
    assert set(scores["brn"]) <= {A}
    per_sheet = scores.groupby(["brn", "evaluator"])["item"].agg(set)
    assert all(items_given == set(ITEM_IDS[:3]) for items_given in per_sheet)
    assert (scores.groupby(["brn", "evaluator"])["points"].sum() <= 100).all()
    if not allow_partial:
        assert scores.groupby("brn")["evaluator"].nunique().nunique() <= 1


def test_a_scores_column_given_twice_is_an_error_naming_both(tmp_path):
    """The reader's problems reach the committee check: two 점수 columns (a copy-paste of a
    second round beside the first) cannot be read as either."""
    from ktop_index.errors import DataError
    from ktop_index.selection.committee import read_scores

    path = tmp_path / "scores.csv"
    path.write_text("사업자등록번호,평가위원,점수,점수\n124-81-00998,A,70,90\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        read_scores(path)
    (problem,) = [p for p in caught.value.problems if p.code == "duplicate_header"]
    assert problem.severity == "error" and problem.column == "점수"
    assert "D" in problem.line() and "C" in problem.line()
