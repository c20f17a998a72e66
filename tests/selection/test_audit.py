"""The audit record of a decision, built from a hand-made decided table."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from ktop_index._files import sha256_file
from ktop_index.index.techindex import TechIndex
from ktop_index.selection.audit import build_audit
from ktop_index.selection.calls import load_call

JEJU = load_call("jeju_2025")
WEIGHTS = {"tech_index_use": "weight", "tech_weight": 0.3, "committee_weight": 0.7}


@pytest.fixture(scope="module")
def model() -> TechIndex:
    return TechIndex.load()


def table() -> pd.DataFrame:
    """Four firms: two selected (one fragile), one on the waitlist (often selected), one
    ineligible; money in 천원."""
    return pd.DataFrame({
        "brn": ["A", "B", "C", "D"],
        "status": ["selected", "selected", "waitlist", "ineligible"],
        "robustness": ["robust", "fragile", "often_selected", ""],
        "selection_score": [80.0, 70.5, 60.25, float("nan")],
        "support": [50_000.0, 30_000.0, 0.0, 0.0],
        "national_share": [35_000.0, 21_000.0, 0.0, 0.0],
        "local_share": [15_000.0, 9_000.0, 0.0, 0.0],
        "self_burden": [2_500.0, 3_000.0, 0.0, 0.0],
    })


def audit(model, **options) -> dict:
    args = {"seed": 7, "variants": 100, "optimal_mode": False, "has_committee": True,
            "weights": WEIGHTS} | options
    data = pd.DataFrame({"brn": ["A", "B", "C", "D"], "revenue": [1.0, 2.0, 3.0, 4.0]})
    return build_audit(JEJU, model, data, table(), **args)


def test_counts_money_and_flags_add_up(model):
    """Counts per status, the money of the selected firms and what is left of the budget
    (600,000 - 80,000 천원), the fragile and often selected firms."""
    record = audit(model)
    assert record["counts"] == {"selected": 2, "waitlist": 1, "not_selected": 0,
                                "ineligible": 1}
    assert record["applicants"] == 4
    assert record["money_krw_thousand"] == {
        "budget": 600_000.0, "cap": 50_000.0, "support": 80_000.0, "national_share": 56_000.0,
        "local_share": 24_000.0, "self_burden": 5_500.0, "remaining": 520_000.0}
    assert record["fragile"] == ["B"] and record["often_selected"] == ["C"]
    assert record["seed"] == 7 and record["variants"] == 100 and record["mode"] == "rank"


def test_rules_call_and_model_are_recorded(model):
    """The call's file hash, the tie-break with the business number last, the SME table of
    the reference date (before 2025-09-01) and the model file's own hash."""
    record = audit(model)
    assert record["call_file_sha256"] == sha256_file(JEJU.source)
    assert record["call_file"] == "jeju_2025.toml"
    assert record["score"] == {**WEIGHTS, "committee": True,
                               "committee_trim_from_evaluators": 5,
                               "tie_break": ["committee_score", "tech_index", "requested",
                                             "brn"]}
    assert record["sme_table"].endswith("until_2025_08_31")
    assert record["model_sha256"] == model.sha256
    no_brn = replace(JEJU, scoring=replace(JEJU.scoring, tie_break=("tech_index",)))
    data = pd.DataFrame({"brn": ["A"]})
    other = build_audit(no_brn, model, data, table(), seed=1, variants=0, optimal_mode=False,
                        has_committee=False, weights=WEIGHTS)
    assert other["score"]["tie_break"] == ["tech_index", "brn"]


def test_input_file_and_time(model):
    """The input file is recorded only when given; the time defaults to now, in UTC."""
    assert "input_file" not in audit(model) and audit(model)["input_sha256"] is None
    given = audit(model, input_file="a.csv", input_sha256="0" * 64, created="2026-01-01")
    assert given["input_file"] == "a.csv" and given["created"] == "2026-01-01"
    stamp = audit(model)["created"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stamp)
    then = dt.datetime.fromisoformat(stamp)
    assert abs((dt.datetime.now(dt.UTC) - then).total_seconds()) < 60


def test_optimal_summary(model):
    """In optimal mode: firms and total scores of both choices, who was added and dropped."""
    frame = table().assign(selected_by_rank=[True, False, True, False])
    differences = pd.DataFrame({"brn": ["B", "C"], "selected_by_rank": [False, True]})
    data = pd.DataFrame({"brn": ["A"]})
    record = build_audit(JEJU, model, data, frame, seed=1, variants=0, optimal_mode=True,
                         has_committee=True, weights=WEIGHTS, differences=differences)
    assert record["mode"] == "optimal"
    assert record["optimal"] == {"firms_optimal": 2, "firms_by_rank": 2,
                                 "score_optimal": 150.5, "score_by_rank": 140.25,
                                 "added": ["B"], "dropped": ["C"]}


def test_the_audit_holds_every_input_and_output_hash_and_an_edit_is_refused(tmp_path):
    """`ktop select` with a committee file records the sha256 of the applicants, the call, the
    model, the committee file and every output file; an edited selection.csv is refused by
    `ktop track import` and `ktop report selection` (exit 1, naming the file), and the store
    takes nothing from it."""
    import json
    import sqlite3
    import subprocess
    import sys

    from ktop_index.index.spec import MODEL_FILE, model_path
    from ktop_index.selection.calls import call_path

    root = Path(__file__).resolve().parents[2]
    applicants = root / "data" / "jeju_2025_applicants.csv"
    brns = pd.read_csv(applicants, encoding="cp949", dtype=str)["사업자등록번호"].head(10)
    committee = tmp_path / "committee.csv"
    pd.DataFrame([(b, f"위원{e}", "total", 60 + k + e) for k, b in enumerate(brns)
                  for e in range(5)],
                 columns=["사업자등록번호", "평가위원", "평가항목", "점수"]).to_csv(
        committee, index=False, encoding="utf-8-sig")
    out, db = tmp_path / "round", tmp_path / "h.sqlite"

    def ktop(*args):
        return subprocess.run([sys.executable, "-m", "ktop_index.cli", *map(str, args)],
                              check=False, capture_output=True, text=True, encoding="utf-8")

    assert ktop("select", applicants, "--call", "jeju_2025", "-o", out, "--variants", "20",
                "--committee", committee, "--committee-items", "any",
                "--allow-partial").returncode == 0  # scores for 10 of the eligible firms
    audit = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    assert audit["input_sha256"] == sha256_file(applicants)
    assert audit["call_file_sha256"] == sha256_file(call_path("jeju_2025"))
    assert audit["model_sha256"] == sha256_file(model_path(MODEL_FILE))
    assert audit["committee_sha256"] == sha256_file(committee)
    assert audit["output_sha256"] == {
        name: sha256_file(out / name)
        for name in ("committee_evaluators.csv", "selection.csv", "selection.xlsx")}

    text = (out / "selection.csv").read_text(encoding="utf-8-sig")
    (out / "selection.csv").write_text(text.replace("not_selected", "selected", 1),
                                       encoding="utf-8-sig")
    for args in (("track", "import", out, "--db", db), ("report", "selection", out)):
        done = ktop(*args)
        assert done.returncode == 1, done.stderr
        assert "selection.csv: changed since `ktop select` wrote it" in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
    if db.exists():
        with sqlite3.connect(db) as con:
            assert con.execute("SELECT count(*) FROM selections").fetchone()[0] == 0
    (out / "selection.csv").write_text(text, encoding="utf-8-sig")
    assert ktop("track", "import", out, "--db", db).returncode == 0
