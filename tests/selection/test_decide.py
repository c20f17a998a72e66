"""Selection end to end: score blend, tie-breaks, budget, modes, outputs, the CLI on the
bundled Jeju call."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ktop_index.data.brn import make_brn
from ktop_index.data.io import read_table
from ktop_index.index.techindex import TechIndex
from ktop_index.report.outputs import summary_lines, write_selection
from ktop_index.selection.calls import load_call
from ktop_index.selection.decide import select, select_file
from ktop_index.synth import generate_panel

ROOT = Path(__file__).resolve().parents[2]
JEJU = load_call("jeju_2025")


@pytest.fixture(scope="module")
def model_and_firms():
    """A model fitted here (tests must not depend on the bundled model) and 30 applicants."""
    panel = generate_panel(n_firms=300, years=(2023, 2024), seed=11)
    model = TechIndex().fit(panel, reference_year=2024)
    firms = panel[(panel["year"] == 2024) & (panel["revenue"].fillna(0) < 4e7)].head(30)
    firms = firms.reset_index(drop=True)
    firms["brn"] = [make_brn(300 + i, 81, i + 1) for i in range(len(firms))]
    firms["firm_id"] = firms["brn"]
    firms["ksic"] = "10301"
    firms["region"] = "제주특별자치도 서귀포시 중앙로 105"
    firms["letter_of_intent"] = pd.array([True] * len(firms), dtype="boolean")
    firms["sme_confirmed"] = pd.array([True] * len(firms), dtype="boolean")
    firms["requested"] = 40_000.0
    return model, firms


def call_with(**money):
    return replace(JEJU, money=replace(JEJU.money, **money))


def committee_for(brns, scores, evaluators="ABCDE"):
    rows = [(b, e, "total", s) for b, s in zip(brns, scores) for e in evaluators]
    return pd.DataFrame(rows, columns=["brn", "evaluator", "item", "points"])


def score_sheet(brns, shares, evaluators=5):
    """Complete sheets on the 2025 item table, Korean headers: every evaluator gives firm k
    ``shares[k]`` of each item's maximum, so each evaluator's total is 100 x share."""
    from ktop_index.selection.committee import load_preset

    items = load_preset()
    rows = [(b, f"위원{chr(65 + e)}", item, maximum * share)
            for b, share in zip(brns, shares) for e in range(evaluators)
            for item, maximum in zip(items["item"], items["max_points"])]
    return pd.DataFrame(rows, columns=["사업자등록번호", "평가위원", "평가항목", "점수"])


def test_shuffled_input_gives_the_same_decision(model_and_firms):
    """The file's order never matters: shuffled rows give an identical table."""
    model, firms = model_and_firms
    a = select(firms, JEJU, model=model, variants=200, seed=1).table
    b = select(firms.sample(frac=1, random_state=4), JEJU, model=model, variants=200,
               seed=1).table
    pd.testing.assert_frame_equal(a, b)
    assert a["rank"].dropna().tolist() == list(range(1, len(firms) + 1))


def test_tie_breaks(model_and_firms):
    """Copies of one firm tie on the score; committee score, then Tech-Index, then the lower
    request, then the business number decide."""
    model, firms = model_and_firms
    base = firms.iloc[[0]]
    copies = pd.concat([base] * 4, ignore_index=True)
    copies["brn"] = [make_brn(901, 81, 4), make_brn(901, 81, 3), make_brn(901, 81, 2),
                     make_brn(901, 81, 1)]
    copies["firm_id"] = copies["brn"]
    copies["requested"] = [30_000.0, 30_000.0, 20_000.0, 50_000.0]
    call = replace(JEJU, scoring=replace(JEJU.scoring, tech_weight=1.0, committee_weight=0.0))
    committee = committee_for(copies["brn"], [70, 70, 70, 80])
    table = select(copies, call, model=model, committee=committee, variants=0).table
    assert table["selection_score"].nunique() == 1  # committee weight 0: a real tie
    # committee 80 first; then equal committee and index: lower request; then brn
    assert table["brn"].tolist() == [copies["brn"][3], copies["brn"][2], copies["brn"][1],
                                     copies["brn"][0]]
    plain = select(copies, call_with(budget=50_000), model=model, variants=50).table
    assert plain["brn"].tolist() == [copies["brn"][2], copies["brn"][1], copies["brn"][0],
                                     copies["brn"][3]]
    # identical firms tie in every variant too, and the same rules break the tie there
    assert (plain["rank_low"] == plain["rank"]).all()
    assert (plain["rank_high"] == plain["rank"]).all()
    assert plain["selection_probability"].tolist() == [1.0, 1.0, 0.0, 0.0]  # 20,000 + 30,000 fit
    assert plain["status"].tolist()[:2] == ["selected", "selected"]


def test_score_blends_index_and_committee(model_and_firms):
    """selection_score = 0.3 x composite + 0.7 x committee score (jeju weights)."""
    model, firms = model_and_firms
    committee = committee_for(firms["brn"], np.linspace(50, 95, len(firms)))
    result = select(firms, JEJU, model=model, committee=committee, variants=0)
    composite = model.transform(firms)["composite"].to_numpy()
    table = result.table.set_index("brn").loc[firms["brn"]]
    expected = np.round(0.3 * np.nan_to_num(composite) + 0.7 * np.linspace(50, 95, len(firms)), 4)
    assert np.allclose(table["selection_score"], expected)
    assert result.audit["score"]["committee_weight"] == 0.7
    assert result.evaluators is not None and len(result.evaluators) == 5


def test_budget_stops_at_the_last_firm_that_fits(model_and_firms):
    """Budget 130,000 with 40,000 requests and a 50,000 request at rank 3: ranks 1-2 fit
    (80,000), rank 3 needs 50,000 (130,000: fits exactly), rank 4 does not; waitlist follows."""
    model, firms = model_and_firms
    order = select(firms, JEJU, model=model, variants=0).table["brn"]
    firms = firms.copy()
    firms.loc[firms["brn"] == order.iloc[2], "requested"] = 50_000.0
    result = select(firms, call_with(budget=130_000, max_firms=0, waitlist=3), model=model,
                    variants=0)
    table = result.table
    assert table["status"].tolist()[:7] == ["selected"] * 3 + ["waitlist"] * 3 + ["not_selected"]
    assert table.loc[table["status"] == "selected", "support"].sum() == 130_000.0
    assert result.audit["money_krw_thousand"]["remaining"] == 0.0
    assert (table.loc[table["status"] != "selected", "support"] == 0).all()
    capped = select(firms, call_with(budget=600_000, max_firms=2), model=model, variants=0)
    assert capped.audit["counts"]["selected"] == 2


def test_money_columns_add_up(model_and_firms):
    """national + local = support for every selected firm; self-burden 5 % or 10 %."""
    model, firms = model_and_firms
    table = select(firms, JEJU, model=model, variants=0).table
    chosen = table[table["status"] == "selected"]
    assert np.allclose(chosen["national_share"] + chosen["local_share"], chosen["support"])
    rate = chosen["self_burden"] / chosen["support"]
    assert rate.round(6).isin([0.05, 0.10]).all()


def test_optimal_mode_reports_the_difference(model_and_firms):
    """Optimal total score >= rank order's; the differences are listed and add up."""
    model, firms = model_and_firms
    firms = firms.copy()
    firms["requested"] = np.where(np.arange(len(firms)) % 2 == 0, 50_000.0, 21_000.0)
    call = call_with(budget=150_000, max_firms=0)
    result = select(firms, call, model=model, variants=0, optimal_mode=True)
    summary = result.audit["optimal"]
    assert summary["score_optimal"] >= summary["score_by_rank"]
    table = result.table
    assert (table.loc[table["status"] == "selected", "support"].sum() <= 150_000)
    assert set(summary["added"]) == set(table.loc[(table["status"] == "selected")
                                                  & ~table["selected_by_rank"], "brn"])
    assert len(result.differences) == len(summary["added"]) + len(summary["dropped"])
    assert any("optimal" in line for line in summary_lines(result))


def test_bonus_and_min_grade_modes(model_and_firms):
    """Grade bonus adds the call's points; a minimum grade screens out lower grades."""
    model, firms = model_and_firms
    committee = committee_for(firms["brn"], [70] * len(firms))
    bonus = replace(JEJU, scoring=replace(JEJU.scoring, tech_index_use="bonus",
                                          grade_bonus={"AAA": 5, "AA": 4, "A": 3, "BBB": 2}))
    table = select(firms, bonus, model=model, committee=committee, variants=0).table
    points = table["grade"].map({"AAA": 5, "AA": 4, "A": 3, "BBB": 2}).fillna(0)
    assert np.allclose(table["selection_score"], 70 + points)
    strict = replace(JEJU, eligibility=replace(JEJU.eligibility, min_grade="BBB"),
                     scoring=replace(JEJU.scoring, tech_index_use="min_grade"))
    table = select(firms, strict, model=model, committee=committee, variants=100).table
    high = table["grade"].isin(["AAA", "AA", "A", "BBB"])
    assert (table["eligible"] == high).all()
    graded = ~high & (table["grade"] != "NR")
    assert graded.sum() > 10
    assert table.loc[graded, "reasons"].str.contains("below the minimum BBB").all()
    assert table.loc[table["grade"] == "NR", "reasons"].str.contains("not rated").all()


def test_bonus_column_is_capped(model_and_firms):
    """Points of the call's bonus column (가점) are added, capped at bonus_max."""
    model, firms = model_and_firms
    firms = firms.copy()
    firms["가점"] = [5.0, 1.0] + [0.0] * (len(firms) - 2)
    call = replace(JEJU, scoring=replace(JEJU.scoring, bonus_column="가점", bonus_max=3.0))
    with_bonus = select(firms, call, model=model, variants=0).table.set_index("brn")
    plain = select(firms, JEJU, model=model, variants=0).table.set_index("brn")
    gain = (with_bonus["selection_score"] - plain["selection_score"]).loc[firms["brn"]]
    assert np.allclose(gain.to_numpy()[:3], [3.0, 1.0, 0.0])
    missing = replace(JEJU, scoring=replace(JEJU.scoring, bonus_column="우대"))
    with pytest.raises(ValueError, match="우대"):
        select(firms, missing, model=model, variants=0)


def test_nobody_eligible_and_rows_without_a_number(model_and_firms):
    """No eligible firm: nothing selected, no error; a row without a business number is kept
    and screened out, not dropped."""
    model, firms = model_and_firms
    outside = firms.assign(region="부산광역시 해운대구 센텀로 1")
    result = select(outside, JEJU, model=model, variants=50)
    assert result.audit["counts"] == {"selected": 0, "waitlist": 0, "not_selected": 0,
                                      "ineligible": len(firms)}
    assert result.table["rank"].isna().all()
    broken = firms.copy()
    broken["brn"] = broken["brn"].astype(object)
    broken.loc[0, "brn"] = None
    broken = broken.drop(columns="firm_id")
    table = select(broken, JEJU, model=model, variants=0).table
    assert len(table) == len(firms)
    assert (table["reasons"].str.contains("invalid business number")).sum() == 1


def test_latest_year_is_the_application(model_and_firms):
    """With two years per firm, one row per firm comes out, from the latest year."""
    model, firms = model_and_firms
    earlier = firms.copy()
    earlier["year"] = 2023
    earlier["revenue"] = earlier["revenue"] * 0.8
    table = select(pd.concat([earlier, firms], ignore_index=True), JEJU, model=model,
                   variants=0).table
    assert len(table) == len(firms) and table["brn"].is_unique


def test_written_files_are_reproducible(tmp_path, model_and_firms):
    """Same inputs: the CSV and XLSX are byte-identical, the audit too with a fixed time."""
    model, firms = model_and_firms
    for folder in ("a", "b"):
        result = select(firms, JEJU, model=model, variants=100, created="2025-03-02T00:00:00Z")
        write_selection(result, tmp_path / folder, lang="ko")
    for name in ("selection.csv", "selection.xlsx", "audit.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    back = read_table(tmp_path / "a" / "selection.csv").frame
    assert back.columns[0] == "사업자등록번호" and set(back["선정결과"]) <= {"선정", "예비", "미선정"}


def ktop(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "ktop_index.cli", *map(str, args)],
                          check=False, capture_output=True, text=True, encoding="utf-8",
                          cwd=cwd)


def test_cli_on_the_bundled_jeju_call(tmp_path):
    """`ktop select data/jeju_2025_applicants.xlsx --call jeju_2025`: exit 0, files written,
    Korean intact, the keyed screen-outs ineligible, a rerun byte-identical."""
    data = ROOT / "data" / "jeju_2025_applicants.xlsx"
    runs = []
    for folder in ("one", "two"):
        out = ktop("select", data, "--call", "jeju_2025", "-o", tmp_path / folder, "--lang",
                   "ko", "--variants", "300", "--created", "2025-03-02T00:00:00Z")
        assert out.returncode == 0, out.stderr
        assert "Traceback" not in out.stderr
        runs.append(out.stdout)
    assert "선정" in runs[0] and "예비" in runs[0] and "국비" in runs[0]
    for name in ("selection.csv", "selection.xlsx", "audit.json"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
    raw = (tmp_path / "one" / "selection.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "제주".encode() in raw
    table = read_table(tmp_path / "one" / "selection.csv").frame
    key = pd.read_csv(ROOT / "data" / "jeju_2025_applicants_key.csv", dtype=str,
                      keep_default_na=False)
    merged = table.merge(key, left_on="사업자등록번호", right_on="brn")
    assert ((merged["선정결과"] == "부적격") == merged["expected"].str.startswith("screen-out")).all()
    checks = merged[merged["expected"].str.startswith("check: requested above")]
    assert len(checks) > 0 and checks["비고"].str.contains("한도 초과").all()
    assert (pd.to_numeric(checks["지원금(천원)"]) <= 50_000).all()
    book = read_table(tmp_path / "one" / "selection.xlsx").frame
    assert book.columns[0] == "사업자등록번호" and "제주" in "".join(book["기업명"].astype(str))
    audit = json.loads((tmp_path / "one" / "audit.json").read_text(encoding="utf-8"))
    assert audit["call"] == "jeju_2025" and len(audit["input_sha256"]) == 64
    assert audit["counts"]["selected"] >= 1 and audit["created"] == "2025-03-02T00:00:00Z"
    assert audit["money_krw_thousand"]["support"] <= 600_000


def test_cli_with_committee_and_bad_call(tmp_path):
    """--committee blends presentation scores; an unknown call is a one-line error."""
    frame = read_table(ROOT / "data" / "jeju_2025_applicants.csv").frame
    brns = frame["사업자등록번호"]
    rows = [(b, f"위원{e}", "total", 50 + (i + e) % 40) for i, b in enumerate(brns)
            for e in range(5)]
    scores = pd.DataFrame(rows, columns=["사업자등록번호", "평가위원", "평가항목", "점수"])
    path = tmp_path / "scores.csv"
    scores.to_csv(path, index=False, encoding="utf-8-sig")
    out = ktop("select", ROOT / "data" / "jeju_2025_applicants.csv", "--call", "jeju_2025",
               "-o", tmp_path / "c", "--committee", path, "--committee-items", "any",
               "--variants", "0")
    assert out.returncode == 0, out.stderr
    table = read_table(tmp_path / "c" / "selection.csv").frame
    assert table["committee_score"].notna().sum() == len(brns)
    assert (tmp_path / "c" / "committee_evaluators.csv").exists()
    bad = ktop("select", ROOT / "data" / "jeju_2025_applicants.csv", "--call", "nowhere_2025",
               "-o", tmp_path / "d")
    assert bad.returncode != 0 and "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1 and "nowhere_2025" in bad.stderr


def test_raw_applicants_are_validated_first():
    """Applicants as a spreadsheet has them (Korean headers, Y/N text) select exactly as the
    validated frame does; a bad cell is one line naming row and column."""
    from ktop_index.data.contract import FIELD_BY_NAME, header_for
    from ktop_index.data.validate import DataError, validate
    from ktop_index.synth import make_applicants

    raw = make_applicants("jeju_2025", n=40, seed=3)
    clean = validate(raw, source="applicants")
    assert clean.ok
    args = {"variants": 10, "created": "2025-01-01T00:00:00Z"}
    expected = select(clean.frame, "jeju_2025", **args).table
    assert select(raw, "jeju_2025", **args).table.equals(expected)
    korean = raw.rename(columns={c: header_for(c, "ko", with_unit=True)
                                 for c in raw.columns if c in FIELD_BY_NAME})
    assert "매출액(천원)" in korean and "참여의향서" in korean
    assert select(korean, "jeju_2025", **args).table.equals(expected)
    bad = raw.copy()
    bad.loc[5, "letter_of_intent"] = "maybe"
    with pytest.raises(DataError, match=r"^applicants:7:letter_of_intent: 'maybe' is not yes/no"):
        select(bad, "jeju_2025", **args)


def test_select_file_writes_what_the_cli_writes(tmp_path):
    """`select_file` + `write_selection` give the bytes `ktop select` writes (CSV, XLSX and
    audit.json, the input file's name and sha256 included), for the bundled Jeju call."""
    from ktop_index._files import sha256_file

    data = ROOT / "data" / "jeju_2025_applicants.xlsx"
    created = "2025-03-02T00:00:00Z"
    out = ktop("select", data, "--call", "jeju_2025", "-o", tmp_path / "cli", "--lang", "ko",
               "--variants", "60", "--created", created)
    assert out.returncode == 0, out.stderr
    result = select_file(data, "jeju_2025", variants=60, created=created)
    written = json.loads((tmp_path / "cli" / "audit.json").read_text(encoding="utf-8"))
    written.pop("output_sha256")  # the hashes of the written files, added by write_selection
    assert json.loads(json.dumps(result.audit, default=str)) == written
    assert result.audit["input_file"] == "jeju_2025_applicants.xlsx"
    assert result.audit["input_sha256"] == sha256_file(data)
    write_selection(result, tmp_path / "api", lang="ko")
    for name in ("selection.csv", "selection.xlsx", "audit.json"):
        assert ((tmp_path / "api" / name).read_bytes()
                == (tmp_path / "cli" / name).read_bytes()), name


def test_select_file_tells_progress_its_stages_and_the_variants(recorder):
    """``progress`` hears reading, validating (the file's 150 rows), selecting and the 60
    robustness variants; the decision is the one made without it."""
    data, created = ROOT / "data" / "jeju_2025_applicants.csv", "2025-03-02T00:00:00Z"
    told = select_file(data, "jeju_2025", variants=60, created=created, progress=recorder)
    assert recorder.stages == [("reading", 0), ("validating", 150), ("selecting", 150),
                               ("robustness variants", 60)]
    plain = select_file(data, "jeju_2025", variants=60, created=created)
    pd.testing.assert_frame_equal(told.table, plain.table)
    assert told.audit == plain.audit


def test_select_file_takes_a_committee_file_and_keeps_warnings(tmp_path):
    """A committee scores file is read and checked against the 2025 item table; the
    applicants' validation warnings come back on the Selection; a frame selects the same."""
    from ktop_index.data.validate import validate

    path = ROOT / "data" / "jeju_2025_applicants.csv"
    checked = validate(read_table(path))
    brns = checked.frame["brn"].drop_duplicates()
    scores = score_sheet(brns, np.linspace(0.5, 0.9, len(brns)))
    scores.to_csv(tmp_path / "scores.csv", index=False, encoding="utf-8-sig")
    result = select_file(path, "jeju_2025", committee=tmp_path / "scores.csv", variants=0)
    assert result.table["committee_score"].notna().sum() == len(brns)
    assert len(result.evaluators) == 5 and result.audit["score"]["committee"]
    assert [p.line() for p in result.warnings] == [p.line() for p in checked.warnings]
    long = scores.set_axis(["brn", "evaluator", "item", "points"], axis=1)
    same = select(checked.frame, "jeju_2025", committee=long, variants=0)
    pd.testing.assert_frame_equal(result.table, same.table)
    scores.loc[1, "점수"] = 99  # item 'need' allows 10 points (the 2025 table)
    scores.to_csv(tmp_path / "bad.csv", index=False, encoding="utf-8-sig")
    from ktop_index.errors import DataError

    with pytest.raises(DataError, match=r"bad.csv:3:점수: 99 is above the 10 points of item 'need'"):
        select_file(path, "jeju_2025", committee=tmp_path / "bad.csv", variants=0)
    with pytest.raises(DataError, match=r"bad.csv:2:점수: firm .* total 1.* is above 100 points"):
        select_file(path, "jeju_2025", committee=tmp_path / "bad.csv", committee_items=None,
                    variants=0)
    any_items = select_file(path, "jeju_2025", committee=tmp_path / "bad.csv",
                            committee_items=None, committee_max_total=200, variants=0)
    assert any_items.table["committee_score"].notna().sum() == len(brns)
    assert any_items.audit["committee"]["max_total"] == 200


def test_select_file_stops_on_data_errors():
    """An applicants file with errors raises one DataError holding every problem."""
    from ktop_index.errors import DataError

    with pytest.raises(DataError) as info:
        select_file(ROOT / "data" / "examples" / "applicants_with_errors.csv", "jeju_2025")
    assert len([p for p in info.value.problems if p.severity == "error"]) > 1


def test_the_audit_records_the_model_file_hash(model_and_firms, tmp_path):
    """The audit's model_sha256 is the sha256 of the model file's bytes, as saved (the hash
    the history store records), for the bundled model and for a model fitted here."""
    from ktop_index._files import sha256_file

    model, firms = model_and_firms
    model.save(tmp_path / "model.json")
    audit = select(firms, JEJU, model=model, variants=0).audit
    assert audit["model_sha256"] == sha256_file(tmp_path / "model.json")
    bundled = select(firms, JEJU, variants=0).audit
    assert bundled["model_sha256"] == sha256_file(ROOT / "models" / "default.json")
    assert "input_file" not in audit and audit["input_sha256"] is None


def test_missing_identity_and_bonus_column_are_data_errors(model_and_firms):
    """Applicants without a business number or firm id, or without the call's bonus column,
    raise DataError (a ValueError) naming what is missing."""
    from ktop_index.errors import DataError

    model, firms = model_and_firms
    with pytest.raises(DataError, match="neither brn"):
        select(firms.drop(columns=["brn", "firm_id"]), JEJU, model=model, variants=0)
    missing = replace(JEJU, scoring=replace(JEJU.scoring, bonus_column="우대"))
    with pytest.raises(DataError, match="column '우대', which the applicants lack"):
        select(firms, missing, model=model, variants=0)
    with pytest.raises(DataError, match="did not apply"):
        select(firms, JEJU, model=model, variants=0,
               committee=committee_for([make_brn(999, 81, 9)], [50]))


# ---------------------------------------------------------------------------- partial scores

@pytest.fixture(scope="module")
def jeju_brns():
    """The bundled Jeju applicants' business numbers, the eligible ones first in rank order
    without a committee (the first is the firm the committee scores highest below)."""
    table = select_file(ROOT / "data" / "jeju_2025_applicants.xlsx", "jeju_2025",
                        variants=0).table
    return table["brn"].tolist(), int(table["eligible"].sum())


def test_scores_for_a_few_eligible_firms_are_an_error_or_a_noted_partial_run(tmp_path,
                                                                             jeju_brns):
    """Scores for 5 of the 132 eligible firms: an error saying '127 of 132 eligible
    applicants have no committee scores'; with allow_partial the run goes on, and the 127
    firms are noted (notes column), listed in audit.json 'partial', and the summary says so."""
    from ktop_index.errors import DataError

    brns, eligible = jeju_brns
    data = ROOT / "data" / "jeju_2025_applicants.xlsx"
    score_sheet(brns[:5], [0.8] * 5).to_csv(tmp_path / "five.csv", index=False,
                                             encoding="utf-8-sig")
    with pytest.raises(DataError) as info:
        select_file(data, "jeju_2025", committee=tmp_path / "five.csv", variants=0)
    line = [p.line() for p in info.value.problems if p.severity == "error"]
    assert line == [(f"five.csv:1:-: {eligible - 5} of {eligible} eligible applicants have no "
                    f"committee scores, e.g. {', '.join(sorted(brns[5:eligible])[:3])}, … "
                    "(expected scores for every eligible applicant); --allow-partial gives "
                    "them 0 committee points, noted")]
    result = select_file(data, "jeju_2025", committee=tmp_path / "five.csv", variants=0,
                         allow_partial=True)
    unscored = result.table[result.table["eligible"] & result.table["committee_score"].isna()]
    assert len(unscored) == eligible - 5
    assert unscored["notes"].str.contains("no committee score").all()
    assert unscored["notes_ko"].str.contains("발표평가 점수 없음").all()
    assert sorted(result.audit["partial"]["without_scores"]) == sorted(unscored["brn"])
    assert any(p.code == "committee_missing_firms" for p in result.warnings)
    en, ko = summary_lines(result), summary_lines(result, "ko")
    assert f"{eligible - 5} eligible firm(s) without scores" in en[-1]
    assert f"점수 없는 적격 기업 {eligible - 5}개사" in ko[-1]


def test_skipped_items_never_count_as_a_complete_total(tmp_path, jeju_brns):
    """The issue's case: every evaluator gives the top firm 69 points, the others 60 and
    less; evaluator 위원C skipped four items of the top firm (summed, C's total is 31 and the
    firm falls). Without allow_partial: an error naming the firm, 위원C and the items. With
    it: C's sheet is left out, the firm keeps exactly 69 from the other four, stays first,
    and its note names 위원C; nobody is trimmed (one firm has 4 evaluators)."""
    from ktop_index.errors import DataError

    brns, _ = jeju_brns
    top = brns[0]
    shares = [0.69] + list(np.linspace(0.6, 0.4, len(brns) - 1))
    scores = score_sheet(brns, shares)
    skipped = ((scores["사업자등록번호"] == top) & (scores["평가위원"] == "위원C")
               & scores["평가항목"].isin(["feasibility", "growth_strategy", "programs", "need"]))
    scores[~skipped].to_csv(tmp_path / "skip.csv", index=False, encoding="utf-8-sig")
    data = ROOT / "data" / "jeju_2025_applicants.xlsx"
    with pytest.raises(DataError) as info:
        select_file(data, "jeju_2025", committee=tmp_path / "skip.csv", variants=0)
    errors = [p.line() for p in info.value.problems if p.severity == "error"]
    assert len(errors) == 1 and errors[0].startswith(
        f"skip.csv:20:평가항목: firm {top}, evaluator 위원C: no score for item(s) need, "
        "feasibility, growth_strategy, programs")
    result = select_file(data, "jeju_2025", committee=tmp_path / "skip.csv", variants=0,
                         allow_partial=True)
    row = result.table.set_index("brn").loc[top]
    assert row["committee_score"] == pytest.approx(69.0) and row["rank"] == 1
    assert "incomplete committee scores of 위원C left out" in row["notes"]
    assert "committee score from 4 of 5 evaluators" in row["notes"]
    assert result.audit["partial"]["left_out"] == {top: ["위원C"]}
    assert result.audit["committee"]["trimmed"] is False
    assert "no firm trimmed" in summary_lines(result)[-1]


def test_the_audit_records_the_committee_check(tmp_path, jeju_brns):
    """audit.json 'committee': rows, firms, evaluators, items, the maximum total, the merged
    spellings, whether totals were trimmed, the item table; no 'partial' on a complete file."""
    brns, _ = jeju_brns
    scores = score_sheet(brns, [0.7] * len(brns))
    scores.loc[scores["평가위원"] == "위원A", "평가위원"] = "위원 A"
    scores.loc[0, "평가위원"] = "위원A"
    scores.to_csv(tmp_path / "s.csv", index=False, encoding="utf-8-sig")
    result = select_file(ROOT / "data" / "jeju_2025_applicants.xlsx", "jeju_2025",
                         committee=tmp_path / "s.csv", variants=0)
    record = result.audit["committee"]
    assert record["rows"] == len(scores) and record["firms"] == len(brns)
    assert record["evaluators"] == 5 and record["items"][0] == "diagnosis"
    assert record["max_total"] == 100 and record["trimmed"] is True
    assert record["evaluator_spellings_merged"] == {"위원A": ["위원A", "위원 A"]}
    assert record["item_table"] == "committee_2025" and "partial" not in result.audit
    assert [p.code for p in result.warnings] == ["committee_evaluator_merged"]


def test_cli_allow_partial_prints_the_note_and_the_errors_in_korean(tmp_path, jeju_brns):
    """`ktop select --committee` on scores for 5 firms: exit 1 with the line in Korean;
    with --allow-partial exit 0, the summary line, and the report's line."""
    brns, eligible = jeju_brns
    score_sheet(brns[:5], [0.8] * 5).to_csv(tmp_path / "five.csv", index=False,
                                             encoding="utf-8-sig")
    args = ("select", ROOT / "data" / "jeju_2025_applicants.xlsx", "--call", "jeju_2025",
            "--committee", tmp_path / "five.csv", "--variants", "0", "--lang", "ko")
    bad = ktop(*args, "-o", tmp_path / "a")
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert f"적격 신청기업 {eligible}개사 중 {eligible - 5}개사의 발표평가 점수가 없습니다" in bad.stderr
    good = ktop(*args, "-o", tmp_path / "b", "--allow-partial")
    assert good.returncode == 0, good.stderr
    assert "발표평가 점수 일부 누락 허용 (--allow-partial)" in good.stdout
    assert ktop("report", "selection", tmp_path / "b").returncode == 0
    page = (tmp_path / "b" / "report.html").read_text(encoding="utf-8")
    assert "partial committee scores allowed (--allow-partial)" in page


@pytest.mark.parametrize(("option", "value", "words"), [
    ("--variants", "1000000000", "expected 0 to 100,000 variants"),
    ("--variants", "-1", "expected 0 to 100,000 variants"),
    ("--seed", "-5", "expected a whole number, 0 or more")])
def test_robustness_options_have_the_call_files_limits(option, value, words, capsys):
    """`--variants 1e9` used to end in an internal error (out of memory); now a usage error."""
    from ktop_index.cli.app import main

    data = Path(__file__).resolve().parents[2] / "data" / "jeju_2025_applicants.csv"
    code = main(["select", str(data), "--call", "jeju_2025", "-o", "unused", option, value])
    assert code == 2 and words in capsys.readouterr().err
