"""Tests of ktop_index.report.reading: what a committee reads beside the ranking, checked
against answers worked out here from the call, the model and the table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ktop_index.index.techindex import TechIndex, score_firms
from ktop_index.labels import READING_TEXT
from ktop_index.report import reading
from ktop_index.selection.calls import load_call
from ktop_index.selection.decide import select, select_file

ROOT = Path(__file__).resolve().parents[2]
APPLICANTS = ROOT / "data" / "jeju_2025_applicants.xlsx"
CREATED = "2025-03-01T00:00:00Z"


@pytest.fixture(scope="module")
def jeju():
    """The bundled Jeju run, as ``ktop select`` decides it (no committee scores)."""
    return select_file(APPLICANTS, "jeju_2025", variants=20, created=CREATED)


@pytest.fixture(scope="module")
def with_committee(jeju_firms):
    """The Jeju applicants decided with committee scores (the call's 0.3 / 0.7 weights)."""
    firms = jeju_firms()
    brns = firms["brn"].drop_duplicates()
    points = np.round(np.random.default_rng(5).uniform(50, 95, len(brns)), 1)
    committee = pd.DataFrame({"brn": brns.to_numpy(), "committee_score": points})
    return select(firms, "jeju_2025", committee=committee, variants=0, created=CREATED)


def test_kst_of_a_known_utc_stamp():
    """UTC 2025-03-01 00:00 is 09:00 in Seoul; 15:30 UTC is past midnight there; a stamp
    without a zone is UTC; text that is no time is left as it is."""
    assert reading.kst("2025-03-01T00:00:00Z") == "2025-03-01 09:00 KST"
    assert reading.kst("2025-12-31T15:30:00+00:00") == "2026-01-01 00:30 KST"
    assert reading.kst("2025-03-01T09:00:00+09:00") == "2025-03-01 09:00 KST"
    assert reading.kst("2026-01-01") == "2026-01-01 09:00 KST"
    assert reading.kst("pinned") == "pinned"


def test_worked_example_recomputes_the_top_score_without_committee(jeju):
    """Without committee scores the weights become 1 / 0; the top firm's score is its index
    points, which the model's rescaling gives back from its Tech-Index."""
    call, model = reading.round_context(jeju.audit)
    assert call is not None and model is not None  # the bundled ones, by their hashes
    parts = reading.score_parts(jeju.table, jeju.audit, call, model)
    assert (parts["w_tech"], parts["w_committee"]) == (1.0, 0.0)
    assert parts["call_weights"] == (0.3, 0.7)
    top = jeju.table.iloc[0]
    assert top["rank"] == 1
    m = TechIndex.load()
    points = m.composite_mean_ + m.composite_sd_ * (top["tech_index"] - 100) / 10
    assert points == pytest.approx(top["selection_score"], abs=0.01)
    assert parts["example"]["computed"] == pytest.approx(top["selection_score"], abs=0.01)
    lines = reading.score_lines(parts, "ko")
    assert lines[0] == "선정점수(0-100) = 1.00 × 지수 점수 + 0.00 × 발표평가 점수 + 가점"
    assert f"= {top['selection_score']:.2f} (표의 선정점수 {top['selection_score']:.2f}" in lines[4]


def test_worked_example_with_committee_uses_the_call_weights(with_committee, jeju_firms):
    """With committee scores: 0.3 × composite + 0.7 × committee, the composite from the
    model's own scoring of the firm."""
    parts = reading.score_parts(with_committee.table, with_committee.audit,
                                load_call("jeju_2025"), TechIndex.load())
    assert (parts["w_tech"], parts["w_committee"]) == pytest.approx((0.3, 0.7))
    top = with_committee.table.iloc[0]
    scored = score_firms(jeju_firms(), TechIndex.load())
    composite = scored.loc[(scored["brn"] == top["brn"]) & (scored["year"] == 2024),
                           "composite"].iloc[0]
    expected = 0.3 * composite + 0.7 * top["committee_score"]
    assert expected == pytest.approx(top["selection_score"], abs=1e-3)
    example = parts["example"]
    assert example["points"] == pytest.approx(composite, abs=0.01)
    assert example["computed"] == pytest.approx(expected, abs=0.01)
    line = next(x for x in reading.score_lines(parts, "en") if x.startswith("worked example"))
    assert f"0.30 × {example['points']:.2f} + 0.70 × {top['committee_score']:.2f}" in line


def test_money_rows_are_the_printed_summary(jeju):
    """The money rows are the audit's: budget − the selected firms' support = what is left,
    and national + local = support."""
    rows = dict(reading.money_rows(jeju.audit, "ko"))
    chosen = jeju.table[jeju.table["status"] == "selected"]
    assert rows["사업 예산 (천원)"] == 600_000
    assert rows["선정기업 지원금 = 국비 + 지방비 (천원)"] == chosen["support"].sum()
    assert rows["국비 (천원)"] + rows["지방비 (천원)"] == chosen["support"].sum()
    assert rows["잔액 (천원)"] == 600_000 - chosen["support"].sum() == 8_000
    assert rows["기업 자부담 (천원)"] == chosen["self_burden"].sum()


def test_why_the_first_firm_below_the_cut_got_nothing(jeju):
    """Rank order: the first unfunded firm needs more than is left; the ones below are below
    the cut; the reserve firms carry their number."""
    table = jeju.table
    call = load_call("jeju_2025")
    why = reading.unfunded_reasons(table, jeju.audit, call, "ko")
    last = int(table.loc[table["status"] == "selected", "rank"].max())
    first = table[table["rank"] == last + 1].iloc[0]
    need = min(first["requested"], 50_000)
    assert need > 8_000
    assert why[first.name] == (f"예비 1순위: 선정기업이 포기하면 순서대로 지원; 잔액 8,000천원 < "
                               f"지원 필요액 {need:,.0f}천원 (신청 {first['requested']:,.0f}, "
                               "한도 50,000)")
    second = table[table["rank"] == last + 2].index[0]
    assert why[second].endswith(f"선정선 아래: {last + 1}위에서 지원 종료")
    assert (why[table["status"] == "selected"] == "").all()
    assert (why[table["status"] == "ineligible"] == "").all()
    assert (why[table["status"].isin(["waitlist", "not_selected"])] != "").all()
    line = reading.first_unfunded_line(table, jeju.audit, call, "en")
    assert line.startswith(f"rank {last + 1} {first['firm_name']} ({first['brn']}) is the first")
    assert "8,000 천원 left < its support 50,000 천원" in line


def test_max_firms_reached_is_said(jeju):
    """When the selected count is the call's maximum, the first unfunded firm says so."""
    import dataclasses

    call = load_call("jeju_2025")
    selected = int((jeju.table["status"] == "selected").sum())
    few = dataclasses.replace(call, money=dataclasses.replace(call.money, max_firms=selected))
    line = reading.first_unfunded_line(jeju.table, jeju.audit, few, "ko")
    assert line.endswith(f"최대 선정 기업 수 {selected}개사에 도달")


def test_not_rated_firms_are_explained_with_their_missing_indicators(jeju):
    """NR: the rule in words (0 index points under not_rated = "zero"), and per NR firm its
    coverage and the indicators without data, from the model's own components."""
    model = TechIndex.load()
    details = reading.firm_details(APPLICANTS, jeju.audit, model, "ko")
    lines = reading.not_rated_lines(jeju.table, jeju.audit, load_call("jeju_2025"), model,
                                    details, "ko")
    nr = jeju.table[jeju.table["grade"] == "NR"]
    assert len(nr) == 1 and nr["selection_score"].iloc[0] == 0.0
    assert "지수 점수 0점, 신청자격은 유지" in lines[0] and "60% 미만" in lines[0]
    firm = nr.iloc[0]
    assert lines[1].startswith(f"{firm['firm_name']} ({firm['brn']}): 자료충족률 29%")
    assert "매출 성장" in lines[1]  # one year of data: no growth


def test_details_refuse_other_applicants(jeju, tmp_path):
    """A file that is not the round's applicants (another sha256) is refused."""
    other = tmp_path / "other.csv"
    other.write_bytes((ROOT / "data" / "jeju_2025_applicants.csv").read_bytes())
    with pytest.raises(Exception, match="not the applicants file"):
        reading.firm_details(other, jeju.audit, TechIndex.load())


def test_empty_columns_have_a_note(jeju, with_committee):
    """Without committee scores the committee column is empty and says why; with them not."""
    notes = reading.empty_column_notes(jeju.table, "ko")
    assert notes["committee_score"].startswith("발표평가 점수 없음:")
    assert "committee_score" not in reading.empty_column_notes(with_committee.table, "ko")
    assert "rank_low" in reading.empty_column_notes(with_committee.table, "en")  # variants=0


def test_audit_rows_are_labelled_and_hashes_shortened(jeju):
    """Korean labels, the call first, created in KST, hashes shortened with the full value."""
    rows = reading.audit_rows(jeju.audit, "ko")
    assert rows[0] == ("공고 ID", "jeju_2025", "jeju_2025")
    shown = {label: (value, full) for label, value, full in rows}
    assert shown["선정 실행 시각"] == ("2025-03-01 09:00 KST", CREATED)
    value, full = shown["모형 해시(sha256)"]
    assert full == jeju.audit["model_sha256"] and value == full[:12] + "…"
    assert shown["잔액 (천원)"][0] == "8,000"
    assert shown["선정 방식"][0] == "순위순"
    assert all(label != key for label, _, _ in rows for key in ("seed", "money_krw_thousand"))
    assert READING_TEXT["created"][1] == "선정 실행 시각"
