"""Tracking imports (ktop_index.tracking.ingest): raw and scored files, selection folders;
atomic, idempotent, and recorded with the one model hash."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ktop_index.cli import main
from ktop_index.data.io import write_table
from ktop_index.errors import DataError, InputError
from ktop_index.index.techindex import TechIndex, model_path, score_firms
from ktop_index.synth import generate_panel
from ktop_index.tracking import history, ingest
from ktop_index.tracking.store import Store

# ---------------------------------------------------------------------------- firm-year files

def test_raw_import_scores_as_ktop_score_does(tmp_path, small_panel):
    """A raw file is validated and scored with the bundled model; the stored scores are
    exactly score_firms' for every firm-year."""
    db = tmp_path / "h.sqlite"
    result = ingest.import_file(small_panel, db, note="first")
    assert result.kind == "raw" and not result.duplicate and result.run == 1
    panel = pd.read_parquet(small_panel)
    expected = score_firms(panel)
    with Store(db) as store:
        stored = store.query("SELECT f.firm_id, s.year, s.tech_index, s.grade, s.contrib_input "
                             "FROM scores s JOIN firms f USING (firm)")
        run = store.query("SELECT note, model_name, input_sha256 FROM runs")
    merged = expected.merge(stored, on=["firm_id", "year"], suffixes=("", "_stored"))
    assert len(merged) == len(panel) == result.rows
    np.testing.assert_allclose(merged["tech_index_stored"], merged["tech_index"], rtol=1e-12)
    assert (merged["grade_stored"] == merged["grade"].astype("str")).all()
    assert run.iloc[0].tolist() == ["first", "ktop-tech-index", result.input_sha256]


def test_importing_the_same_file_twice_writes_nothing(tmp_path, small_panel):
    """The same bytes with the same model are recognised: no new run, no new rows."""
    db = tmp_path / "h.sqlite"
    first = ingest.import_file(small_panel, db)
    with Store(db) as store:
        before = store.snapshot()
    again = ingest.import_file(small_panel, db, note="again")
    assert again.duplicate and again.run == first.run and "already in the store" in again.line()
    with Store(db) as store:
        assert store.snapshot() == before


def test_rescoring_appends_a_run_and_keeps_the_first(tmp_path, small_panel):
    """Another model adds a run beside the first (whose rows stay as they were), reuses the
    stored firm-years, and trajectories read the newer run."""
    db = tmp_path / "h.sqlite"
    ingest.import_file(small_panel, db)
    with Store(db) as store:
        first_rows = store.query("SELECT * FROM scores WHERE run = 1")
        firm_years = store.snapshot()["firm_years"]
    panel = pd.read_parquet(small_panel)
    rebased = TechIndex(spec=TechIndex.load().spec_).fit(panel, reference_year=2020)
    second = ingest.import_file(small_panel, db, model=rebased, note="rebased on 2020")
    assert second.run == 2 and not second.duplicate
    with Store(db) as store:
        pd.testing.assert_frame_equal(store.query("SELECT * FROM scores WHERE run = 1"),
                                      first_rows)
        assert store.snapshot()["firm_years"] == firm_years  # the data set is stored once
        assert store.query("SELECT count(*) AS n FROM scores WHERE run = 2")["n"][0] == len(panel)
    firm = panel["brn"].iloc[0]
    trajectory = history.firm_trajectory(firm, db)
    expected = rebased.transform(panel[panel["brn"] == firm])["tech_index"].to_numpy()
    np.testing.assert_allclose(trajectory["tech_index"], expected, rtol=1e-12)
    assert (trajectory["run"] == 2).all()
    # the public view of the newest scores: every firm-year once, from run 2
    latest = history.latest_scores(db)
    assert len(latest) == len(panel) and (latest["run"] == 2).all()
    assert not latest.duplicated(["brn", "year"]).any()
    ordered = panel.sort_values(["firm_id", "year"], kind="stable")
    mine = latest.set_index(["brn", "year"]).loc[list(zip(ordered["brn"], ordered["year"]))]
    np.testing.assert_allclose(mine["tech_index"], rebased.transform(ordered)["tech_index"],
                               rtol=1e-12)
    np.testing.assert_allclose(mine["revenue"], ordered["revenue"], rtol=1e-12)
    last = int(panel["year"].max())
    assert set(history.latest_scores(db, year=last)["year"]) == {last}


def test_a_scored_file_is_stored_as_it_is(tmp_path, small_panel):
    """`ktop score --lang ko` output (Korean headers) is recognised as scored and not
    re-scored; its values are the file's."""
    scored = tmp_path / "scored.csv"
    assert main(["score", str(small_panel), "-o", str(scored), "--lang", "ko"]) == 0
    db = tmp_path / "h.sqlite"
    result = ingest.import_file(scored, db)
    assert result.kind == "scored" and result.model_sha256 == ""
    file = pd.read_csv(scored, encoding="utf-8-sig", dtype={"사업자등록번호": str})
    with Store(db) as store:
        stored = store.query("SELECT f.brn, s.year, s.tech_index FROM scores s "
                             "JOIN firms f USING (firm) ORDER BY f.brn, s.year")
    expected = file.sort_values(["사업자등록번호", "기준연도"])["기업혁신역량지수"].to_numpy()
    np.testing.assert_allclose(stored["tech_index"], expected, rtol=1e-12)


def test_a_killed_import_leaves_no_trace(tmp_path):
    """A real `ktop track import` killed with SIGKILL while writing (once during the
    transaction, once while the commit is being written) leaves the store as it was."""
    big = tmp_path / "big.parquet"
    panel = generate_panel(n_firms=20_000, years=(2014, 2024), seed=5)
    write_table(panel.head(150_000), big)
    small = tmp_path / "small.parquet"
    write_table(panel.head(500), small)
    db = tmp_path / "h.sqlite"
    ingest.import_file(small, db)
    with Store(db) as store:
        before = store.snapshot()
    wal = Path(f"{db}-wal")
    command = [sys.executable, "-m", "ktop_index.cli", "track", "import", str(big),
               "--db", str(db)]
    for moment in ("transaction", "commit"):
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while process.poll() is None and time.monotonic() < deadline:
            size = wal.stat().st_size if wal.exists() else 0
            if moment == "transaction" and size > 0 and _holds_write_lock(db):
                break
            if moment == "commit" and size > 2_000_000:  # pages of the import being written
                break
            time.sleep(0.002)
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait() == -signal.SIGKILL, f"the import ended before the kill ({moment})"
        with Store(db) as store:
            assert store.integrity() == "ok"
            assert store.snapshot() == before, moment


def _holds_write_lock(db: Path) -> bool:
    """True while another connection holds the store's write lock (an import is writing)."""
    import sqlite3

    conn = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        conn.close()


def test_selection_import_is_idempotent_and_checked(tmp_path, brn, write_selection):
    """A selection folder is stored once; a bad status is a one-line error naming file, row
    and column."""
    db = tmp_path / "h.sqlite"
    folder = write_selection(tmp_path / "sel", "jeju_2025",
                             [(brn(1), "가", "selected", 101.0, 50_000),
                              (brn(2), "나", "waitlist", 99.0, 0)])
    first = ingest.import_path(folder, db)
    assert first.kind == "selection" and first.call == "jeju_2025" and not first.duplicate
    assert ingest.import_selection(folder, db).duplicate
    with Store(db) as store:
        assert store.query("SELECT count(*) AS n FROM selection_firms")["n"][0] == 2
    bad = write_selection(tmp_path / "bad", "jeju_2025", [(brn(1), "가", "chosen", 1.0, 0)])
    with pytest.raises(DataError, match=r"selection.csv:2:status: 'chosen'"):
        ingest.import_selection(bad, db)


def test_korean_selection_headers_are_read(tmp_path, brn):
    """A selection written with Korean headers and statuses is stored with English statuses."""
    folder = tmp_path / "sel"
    folder.mkdir()
    write_table(pd.DataFrame({"사업자등록번호": [brn(1).replace("-", ""), brn(2)],
                              "기업명": ["가", "나"], "선정결과": ["선정", "예비"]}),
                folder / "selection.csv")
    (folder / "audit.json").write_text('{"call": "sejong_2025"}', encoding="utf-8")
    db = tmp_path / "h.sqlite"
    ingest.import_selection(folder, db)
    with Store(db) as store:
        stored = store.query("SELECT f.brn, sf.status FROM selection_firms sf "
                             "JOIN firms f USING (firm) ORDER BY f.brn")
    assert stored.values.tolist() == [[brn(1), "selected"], [brn(2), "waitlist"]]


def test_concurrent_imports_of_one_file_store_it_once(tmp_path, small_panel):
    """Two `ktop track import` of the same file at the same time leave one run."""
    db = tmp_path / "h.sqlite"
    ingest.import_file(small_panel, db, note="creates the store")
    other = tmp_path / "other.parquet"
    write_table(pd.read_parquet(small_panel).head(1000), other)
    command = [sys.executable, "-m", "ktop_index.cli", "track", "import", str(other),
               "--db", str(db)]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for _ in range(2)]
    outputs = [r.communicate(timeout=120) for r in runs]
    assert [r.returncode for r in runs] == [0, 0], outputs
    assert sorted("already in the store" in out for out, _ in outputs) == [False, True]
    with Store(db) as store:
        assert store.query("SELECT count(*) AS n FROM runs")["n"][0] == 2



def test_korean_status_aliases_and_headers_people_type_are_read(tmp_path, brn):
    """Headers and statuses people type by hand (사업자번호, 상태, 지원금액; 예비선정, 탈락,
    자격미달) are read as the canonical columns and statuses."""
    folder = tmp_path / "sel"
    folder.mkdir()
    write_table(pd.DataFrame({"사업자번호": [brn(1), brn(2), brn(3)], "기업명": ["가", "나", "다"],
                              "상태": ["예비선정", "탈락", "자격미달"],
                              "지원금액": [0, 0, 0]}), folder / "selection.csv")
    (folder / "audit.json").write_text('{"call": "x_2025"}', encoding="utf-8")
    db = tmp_path / "h.sqlite"
    ingest.import_selection(folder, db)
    with Store(db) as store:
        stored = store.query("SELECT f.brn, sf.status, sf.support FROM selection_firms sf "
                             "JOIN firms f USING (firm) ORDER BY f.brn")
    assert stored["status"].tolist() == ["waitlist", "not_selected", "ineligible"]
    assert stored["support"].tolist() == [0.0, 0.0, 0.0]


def test_a_selection_folder_that_cannot_be_used_is_an_input_error(tmp_path, brn,
                                                                   write_selection):
    """A missing file, an audit that is not JSON or names no call: InputError naming the file."""
    db = tmp_path / "h.sqlite"
    with pytest.raises(InputError, match="selection.csv: missing"):
        ingest.import_selection(tmp_path, db)
    folder = write_selection(tmp_path / "sel", "jeju_2025", [(brn(1), "가", "selected", 1.0, 0)])
    (folder / "audit.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match=r"audit.json:1: not valid JSON"):
        ingest.import_selection(folder, db)
    (folder / "audit.json").write_text(json.dumps({"seed": 1}), encoding="utf-8")
    with pytest.raises(InputError, match='no "call" name'):
        ingest.import_selection(folder, db)


def test_bad_cells_of_a_selection_are_data_errors(tmp_path, brn, write_selection):
    """An invalid business number, a missing status column or a support that is not a number
    is a DataError naming file, row and column; nothing is stored."""
    db = tmp_path / "h.sqlite"
    bad_brn = write_selection(tmp_path / "a", "x_2025", [("123-45-67890", "가", "selected", 1, 0),
                                                         ("000", "나", "selected", 1, 0)])
    with pytest.raises(DataError, match=r"selection.csv:2:brn: '123-45-67890' is not a valid "
                                        r"business number \(and 1 more\)"):
        ingest.import_selection(bad_brn, db)
    folder = tmp_path / "b"
    folder.mkdir()
    write_table(pd.DataFrame({"brn": [brn(1)], "firm_name": ["가"]}), folder / "selection.csv")
    (folder / "audit.json").write_text('{"call": "x_2025"}', encoding="utf-8")
    with pytest.raises(DataError, match="selection.csv:1: missing column\\(s\\) status"):
        ingest.import_selection(folder, db)
    money = write_selection(tmp_path / "c", "x_2025", [(brn(1), "가", "selected", 1.0, "lots")])
    with pytest.raises(DataError, match="selection.csv:2:support: 'lots' is not a number"):
        ingest.import_selection(money, db)
    with Store(db) as store:
        assert store.count("selections") == 0 and store.count("firms") == 0


# ---------------------------------------------------------------------------- the model hash

def test_the_bundled_model_hash_is_the_sha256_of_its_file(tmp_path, small_panel):
    """The run of a raw import with the bundled model records the sha256 of
    models/default.json's bytes (the file is written in the canonical form), the hash
    ingest.model_sha256 gives for the loaded model and for its file."""
    expected = hashlib.sha256(model_path("default.json").read_bytes()).hexdigest()
    assert expected.startswith("1fc4180")
    assert ingest.model_sha256() == ingest.model_sha256(TechIndex.load()) == expected
    assert ingest.model_sha256(model_path("default.json")) == expected
    db = tmp_path / "h.sqlite"
    result = ingest.import_file(small_panel, db)
    with Store(db) as store:
        stored = store.query("SELECT model_sha256 FROM runs")["model_sha256"].tolist()
    assert stored == [result.model_sha256] == [expected]


def test_a_model_object_and_its_saved_file_have_one_hash(tmp_path, small_panel):
    """A model fitted in memory hashes as the file it saves to; importing with either is one
    run (the second import is recognised as the same)."""
    panel = pd.read_parquet(small_panel)
    model = TechIndex(spec=TechIndex.load().spec_).fit(panel, reference_year=2021)
    model.save(tmp_path / "m.json")
    assert ingest.model_sha256(model) == hashlib.sha256(
        (tmp_path / "m.json").read_bytes()).hexdigest()
    # the same model written with other whitespace is the same model: one canonical hash
    data = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))
    (tmp_path / "spaced.json").write_text(json.dumps(data, ensure_ascii=False, indent=4),
                                          encoding="utf-8")
    assert ingest.model_sha256(tmp_path / "spaced.json") == ingest.model_sha256(model)
    db = tmp_path / "h.sqlite"
    first = ingest.import_file(small_panel, db, model=model)
    again = ingest.import_file(small_panel, db, model=tmp_path / "spaced.json")
    assert again.duplicate and again.run == first.run


def test_a_scored_file_imported_with_a_model_records_that_model(tmp_path, small_panel):
    """A scored file has no model of its own ('' in the run); given one, the run names it."""
    scored = tmp_path / "scored.csv"
    write_table(score_firms(pd.read_parquet(small_panel)), scored)
    db = tmp_path / "h.sqlite"
    unknown = ingest.import_file(scored, db)
    named = ingest.import_file(scored, db, model=model_path("default.json"))
    assert (unknown.model_sha256, unknown.kind) == ("", "scored")
    assert named.model_sha256 == ingest.model_sha256() and named.run == unknown.run + 1


# ---------------------------------------------------------------------------- masked copies, purged firms

def test_a_masked_selection_folder_is_not_imported(tmp_path, write_selection, brn):
    """A folder `ktop select --mask` wrote (its audit says `masked`) is refused with a line
    saying it is not the record, in English and Korean; the store stays empty."""
    folder = write_selection(tmp_path / "sel", "jeju_2025",
                             [("124-81-*****", "한라", "selected", 110.0, 50000.0)])
    audit = {"call": "jeju_2025", "masked": {"columns": {"brn": "brn"}, "rule": "..."}}
    (folder / "audit.json").write_text(json.dumps(audit), encoding="utf-8")
    with pytest.raises(InputError, match="masked copy of a selection .* not the record") as err:
        ingest.import_selection(folder, tmp_path / "h.sqlite")
    assert "마스킹된 선정 결과 사본" in err.value.message("ko")
    with Store(tmp_path / "h.sqlite") as store:
        assert store.count("selections") == 0


def test_a_masked_scores_file_is_not_imported(tmp_path, hand_scored):
    """A `ktop score --mask` file (business numbers 124-81-*****) is refused before it is
    read as data: every firm of one tax office and type would become one firm."""
    path = hand_scored(tmp_path / "masked.csv", [
        {"brn": "124-81-*****", "firm_name": "한라", "year": 2024, "tech_index": 101.0},
        {"brn": "124-81-*****", "firm_name": "백록", "year": 2024, "tech_index": 99.0}])
    with pytest.raises(InputError, match=r"'124-81-\*\*\*\*\*' is a masked business number"):
        ingest.import_file(path, tmp_path / "h.sqlite")


def test_a_purged_firm_is_not_stored_again(tmp_path, small_panel, write_selection):
    """After a purge, a new file holding the firm (other bytes, so not a duplicate) and a new
    selection naming it store every other row and none of the firm's; the result says how
    many rows were left out."""
    db = tmp_path / "h.sqlite"
    ingest.import_file(small_panel, db)
    panel = pd.read_parquet(small_panel)
    gone = panel.iloc[0]
    with Store(db) as store:
        store.purge(gone["brn"], "request 2025-017", "officer")
    again = tmp_path / "again.parquet"
    write_table(panel.assign(revenue=panel["revenue"] * 1.01), again)
    result = ingest.import_file(again, db)
    years = int((panel["brn"] == gone["brn"]).sum())
    assert result.purged_skipped == years and result.rows == len(panel) - years
    other = panel[panel["brn"] != gone["brn"]].iloc[0]
    folder = write_selection(tmp_path / "sel", "jeju_2025",
                             [(gone["brn"], gone["firm_name"], "selected", 110.0, 50000.0),
                              (other["brn"], other["firm_name"], "selected", 105.0, 40000.0)])
    assert ingest.import_selection(folder, db).purged_skipped == 1
    with Store(db) as store:
        assert store.query("SELECT count(*) FROM firms WHERE brn = ?", (gone["brn"],)).iat[0, 0] == 0
        assert store.latest_selection("jeju_2025")["brn"].tolist() == [other["brn"]]
