"""The outputs of a selection: the folder written as a whole, and the printed summary."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from ktop_index._files import sha256_file
from ktop_index.data.io import read_table
from ktop_index.report import outputs
from ktop_index.report.outputs import audit_text, summary_lines, write_selection
from ktop_index.selection.decide import Selection, select


@pytest.fixture(scope="module")
def decision(jeju_firms) -> Selection:
    return select(jeju_firms(), "jeju_2025", variants=40, created="2026-01-01T00:00:00Z")


def test_folder_has_the_three_files(decision, tmp_path):
    """selection.csv (with BOM), selection.xlsx and audit.json, returned by name; the audit
    is the decision's, keys sorted."""
    paths = write_selection(decision, tmp_path / "out", lang="ko")
    assert list(paths) == ["csv", "xlsx", "audit"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "audit.json", "selection.csv", "selection.xlsx"]
    assert paths["csv"].read_bytes().startswith(b"\xef\xbb\xbf")
    text = paths["audit"].read_text(encoding="utf-8")
    written = json.loads(text)
    hashes = written.pop("output_sha256")  # added at the write: the files' own hashes
    assert written == json.loads(json.dumps(decision.audit, default=str))
    assert hashes == {name: sha256_file(tmp_path / "out" / name)
                      for name in ("selection.csv", "selection.xlsx")}
    keys = [line.split('"')[1] for line in text.splitlines() if line.startswith(' "')]
    assert keys == sorted(keys)
    assert read_table(paths["csv"]).frame.columns[0] == "사업자등록번호"


def test_a_failure_leaves_the_old_folder_untouched(decision, tmp_path, monkeypatch):
    """When the workbook cannot be written, the folder keeps its earlier files, byte for
    byte, and no staging folder is left behind."""
    folder = tmp_path / "out"
    write_selection(decision, folder, lang="en")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}

    def broken(*args, **kwargs):
        raise OSError("disk full")

    other = Selection(decision.table.assign(firm_name="바뀐 이름"), decision.audit)
    monkeypatch.setattr(outputs, "write_selection_xlsx", broken)
    with pytest.raises(OSError, match="disk full"):
        write_selection(other, folder, lang="en")
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_committee_evaluators_file(decision, tmp_path):
    """With per-evaluator scores the evaluators' spread is written too."""
    spread = pd.DataFrame({"evaluator": ["A"], "firms": [3], "mean_total": [70.0],
                           "mean_offset": [1.5], "sd_offset": [0.5]})
    with_spread = Selection(decision.table, decision.audit, evaluators=spread)
    paths = write_selection(with_spread, tmp_path / "c")
    assert list(paths)[-1] == "evaluators"
    assert read_table(paths["evaluators"]).frame["evaluator"].tolist() == ["A"]


def test_bad_language_writes_nothing(decision, tmp_path):
    """An unknown language is refused before any file is written."""
    with pytest.raises(ValueError, match="lang must be"):
        write_selection(decision, tmp_path / "x", lang="fr")
    assert not (tmp_path / "x").exists()


def test_summary_counts_and_money_from_the_audit(decision):
    """The first lines restate the audit's counts and money, in English and in Korean."""
    a = decision.audit
    c, m = a["counts"], a["money_krw_thousand"]
    en, ko = summary_lines(decision), summary_lines(decision, "ko")
    assert en[0].endswith(f"{a['applicants']} applicants — {c['selected']} selected, "
                          f"{c['waitlist']} waitlist, {c['not_selected']} not selected, "
                          f"{c['ineligible']} ineligible")
    assert f"신청 {a['applicants']}개사 — 선정 {c['selected']}" in ko[0]
    assert en[1].startswith(f"support {m['support']:,.0f} 천원")
    assert ko[1].startswith(f"지원금 {m['support']:,.0f}천원")
    fragile = (decision.table["robustness"] == "fragile").sum()
    assert f"{fragile} fragile selection(s)" in en[2]
    assert en[-1].startswith("no committee scores") and ko[-1].startswith("발표평가 점수 없음")


def test_audit_text_is_sorted_json_with_korean_kept():
    """One-space indents, keys sorted, Hangul as is, a final newline."""
    assert audit_text({"b": 1, "a": "제주"}) == '{\n "a": "제주",\n "b": 1\n}\n'


# ---------------------------------------------------------------------------- masked copies

def test_a_masked_selection_keeps_the_decision_and_records_the_mask(decision):
    """Masking changes the business numbers only: ranks, statuses, scores and money are the
    decision's; the audit's lists are masked and the audit says it is a masked copy; the
    committee's own selection is left as it was."""
    from ktop_index.data.mask import mask_brn
    from ktop_index.report.outputs import MASKED, mask_selection

    masked = mask_selection(decision)
    table, original = masked.table, decision.table
    assert table["brn"].tolist() == [mask_brn(b) for b in original["brn"]]
    assert not table["brn"].isin(original["brn"]).any()
    kept = [c for c in original.columns if c != "brn"]
    pd.testing.assert_frame_equal(table[kept], original[kept])
    assert masked.audit["fragile"] == [mask_brn(b) for b in decision.audit["fragile"]]
    assert masked.audit[MASKED]["columns"] == {"brn": "brn"}
    assert MASKED not in decision.audit and original["brn"].iat[0][-5:].isdigit()
    assert {k: v for k, v in masked.audit.items() if k not in ("fragile", "often_selected",
                                                               MASKED)} == {
        k: v for k, v in decision.audit.items() if k not in ("fragile", "often_selected")}


def test_a_masked_folder_is_byte_reproducible_and_names_nobody(decision, tmp_path):
    """Two writes of the masked decision give the same bytes; no file holds a business
    number of an applicant; the evaluators' names are masked too."""
    from ktop_index.report.outputs import mask_selection

    spread = pd.DataFrame({"evaluator": ["김철수", "이영"], "firms": [3, 3],
                           "mean_total": [70.0, 71.0], "mean_offset": [1.5, -1.5],
                           "sd_offset": [0.5, 0.5]})
    with_spread = Selection(decision.table, decision.audit, evaluators=spread)
    first = write_selection(mask_selection(with_spread), tmp_path / "a", lang="ko")
    second = write_selection(mask_selection(with_spread), tmp_path / "b", lang="ko")
    for key, path in first.items():
        assert path.read_bytes() == second[key].read_bytes(), key
    texts = [p.read_text("utf-8") for k, p in first.items() if k != "xlsx"]
    assert not [b for b in decision.table["brn"] for text in texts if b in text]
    assert read_table(first["evaluators"]).frame["evaluator"].tolist() == ["김*수", "이*"]


def test_the_summary_of_a_masked_selection_names_no_number(decision):
    from ktop_index.report.outputs import mask_selection

    lines = "\n".join(summary_lines(mask_selection(decision), "en"))
    assert not [b for b in decision.table["brn"] if b in lines]
    assert "-*****" in lines  # the fragile firms are still listed, masked


def test_a_partial_committee_run_is_said_in_the_summary(decision):
    """What --allow-partial let through (audit 'partial') is a summary line in both
    languages, with the counts; without it there is no such line."""
    assert outputs.partial_line(decision.audit) is None
    audit = {**decision.audit,
             "partial": {"left_out": {"124-81-00998": ["위원C"]}, "fewer": {"124-81-00998": 4},
                         "size": 5, "without_scores": ["220-81-62517", "229-81-27544"]},
             "committee": {"trimmed": False},
             "score": {**decision.audit["score"], "committee": True}}
    partial = Selection(decision.table, audit)
    en, ko = summary_lines(partial)[-1], summary_lines(partial, "ko")[-1]
    assert en == ("partial committee scores allowed (--allow-partial): 2 eligible firm(s) "
                  "without scores (0 committee points), 1 with incomplete scores left out, 1 "
                  "scored by fewer than 5 evaluators; no firm trimmed (not every firm has 5 "
                  "evaluators) — see the notes column and audit.json 'partial'")
    assert ko.startswith("발표평가 점수 일부 누락 허용 (--allow-partial): 점수 없는 적격 기업 "
                         "2개사(0점), 미완료 점수 제외 1개사, 위원 5명 미만 채점 1개사")
