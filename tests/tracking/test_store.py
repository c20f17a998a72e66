"""The tracking store: schema and migrations, append-only tables, atomic writes, firm keys."""

from __future__ import annotations

import json
import sqlite3

import pandas as pd
import pytest

from ktop_index.data.contract import FIELDS
from ktop_index.tracking.store import (
    FIRM_YEAR_FIELDS,
    MIGRATIONS,
    SCORE_FIELDS,
    Store,
    StoreError,
    migrate,
)


def test_new_store_has_the_latest_schema(tmp_path):
    """A new store is at the last migration, in WAL mode, with every table."""
    with Store(tmp_path / "h.sqlite") as store:
        assert store.schema_version() == len(MIGRATIONS) == 3
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in store.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert tables == {"firms", "datasets", "firm_years", "runs", "scores", "calls",
                          "selections", "selection_firms", "store_meta", "purges",
                          "purged_firms", "purged_ids"}
        assert store.integrity() == "ok"


def test_every_contract_field_has_a_column():
    """firm_years keeps every field of the data contract (identity lives in firms)."""
    assert set(FIRM_YEAR_FIELDS) | {"firm_id", "brn", "year"} == {f.name for f in FIELDS}
    conn = sqlite3.connect(":memory:")
    migrate(conn)
    columns = {r[1] for r in conn.execute("PRAGMA table_info(firm_years)")}
    assert set(FIRM_YEAR_FIELDS) <= columns
    assert set(SCORE_FIELDS) <= {r[1] for r in conn.execute("PRAGMA table_info(scores)")}


def test_migration_from_an_older_version_keeps_the_data(tmp_path):
    """A version-1 store (no selections yet) is migrated to the latest on opening, data
    intact."""
    path = tmp_path / "old.sqlite"
    with Store(path, upto=1) as store:
        assert store.schema_version() == 1
        assert not store.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'selections'").fetchone()
        with store.transaction():
            store.firm_keys(["124-81-00998"], ["124-81-00998"])
        before = store.snapshot()
    with Store(path) as store:
        assert store.schema_version() == 3
        after = store.snapshot()
        assert after["firms"] == before["firms"] == [(1, "124-81-00998", "124-81-00998")]
        with store.transaction():
            store.conn.execute("INSERT INTO calls VALUES ('jeju_2025', '2025-01-01')")
        assert store.query("SELECT call FROM calls")["call"].tolist() == ["jeju_2025"]


def test_a_newer_store_is_refused(tmp_path):
    """A store written by a newer ktop_index is an error, not silently misread."""
    path = tmp_path / "new.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        Store(path)


def test_a_missing_store_is_not_created_for_reading(tmp_path):
    """Reading a store that does not exist fails clearly and leaves no empty file behind."""
    path = tmp_path / "none.sqlite"
    with pytest.raises(StoreError, match="no tracking store"):
        Store(path, create=False)
    assert not path.exists()


def test_history_cannot_be_rewritten(tmp_path):
    """UPDATE and DELETE on history tables are refused by the store itself."""
    with Store(tmp_path / "h.sqlite") as store:
        with store.transaction():
            store.firm_keys(["124-81-00998"], ["124-81-00998"])
        for sql in ("UPDATE firms SET brn = 'x'", "DELETE FROM firms"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                store.conn.execute(sql)
        assert store.query("SELECT brn FROM firms")["brn"].tolist() == ["124-81-00998"]


def test_a_failed_transaction_leaves_nothing(tmp_path):
    """An error inside a transaction rolls every insert of it back."""
    with Store(tmp_path / "h.sqlite") as store:
        before = store.snapshot()
        with pytest.raises(RuntimeError), store.transaction():
            store.firm_keys(["a", "b"], [None, None])
            raise RuntimeError("crash")
        assert store.snapshot() == before


def test_firms_are_known_by_business_number(tmp_path):
    """A panel's firm_id and a file keyed by the business number name the same firm."""
    with Store(tmp_path / "h.sqlite") as store, store.transaction():
        first = store.firm_keys(["F001", "F002", "F001"], ["124-81-00998", None, "124-81-00998"])
        assert first.tolist() == [1, 2, 1]
        again = store.firm_keys(["124-81-00998", "F002", "F003"], ["124-81-00998", None, None])
        assert again.tolist() == [1, 2, 3]


def test_insert_frame_turns_missing_into_null(tmp_path):
    """NaN, pd.NA and missing text are stored as NULL, numbers as numbers."""
    with Store(tmp_path / "h.sqlite") as store:
        with store.transaction():
            store.conn.execute("INSERT INTO datasets (dataset, sha256, source, kind, rows, "
                               "imported) VALUES (1, 'x', 'f', 'raw', 2, 't')")
            store.firm_keys(["a", "b"], [None, None])
            frame = pd.DataFrame({"dataset": [1, 1], "firm": [1, 2], "year": [2024, 2024],
                                  "revenue": [1.5, float("nan")],
                                  "patents": pd.array([3, None], dtype="Int64"),
                                  "firm_name": pd.array(["한라", None], dtype="str"),
                                  "sme_confirmed": pd.array([True, None], dtype="boolean")})
            store.insert_frame("firm_years", frame)
        rows = store.conn.execute("SELECT revenue, patents, firm_name, sme_confirmed, "
                                  "typeof(patents) FROM firm_years ORDER BY firm").fetchall()
        assert rows == [(1.5, 3, "한라", 1, "integer"), (None, None, None, None, "null")]


# ---------------------------------------------------------------------------- the right to deletion

def _store_with_history(tmp_path, small_panel, write_selection, note_of=None):
    """A store holding the small panel (scored), a selection naming two of its firms, and a
    run whose note names the first; returns (db, the first firm's brn, name, another brn)."""
    from ktop_index.tracking import ingest

    panel = pd.read_parquet(small_panel)
    firms = panel.drop_duplicates("firm_id").head(2)
    (brn, name), (other, other_name) = firms[["brn", "firm_name"]].itertuples(index=False)
    db = tmp_path / "h.sqlite"
    ingest.import_file(small_panel, db, note=f"panel; checked {brn} by phone")
    write_selection(tmp_path / "sel", "jeju_2025",
                    [(brn, name, "selected", 110.0, 50000.0),
                     (other, other_name, "not_selected", 95.0, 0.0)])
    audit = tmp_path / "sel" / "audit.json"
    audit.write_text(json.dumps({"call": "jeju_2025", "fragile": [brn, other]}), "utf-8")
    ingest.import_selection(tmp_path / "sel", db)
    return db, brn, name, other


def _mentions(store: Store, *texts: str) -> list:
    """Every row of every table holding one of the texts (in any text column)."""
    return [(table, row) for table, rows in store.snapshot().items() for row in rows
            if any(isinstance(v, str) and any(t in v for t in texts) for v in row)]


def test_a_purge_leaves_no_trace_of_the_firm(tmp_path, small_panel, write_selection):
    """After a purge the firm's number (both forms), firm_id and name are in no row of any
    table, nor anywhere in the file's bytes (deleted pages are overwritten); the note and
    the audit that named it say [purged 1] instead."""
    from ktop_index.data.brn import normalise_brn

    db, brn, name, _ = _store_with_history(tmp_path, small_panel, write_selection)
    with Store(db) as store:
        firm_id = store.query("SELECT firm_id FROM firms WHERE brn = ?", (brn,)).iat[0, 0]
        assert _mentions(store, brn, name)  # the panel holds it before
        done = store.purge(normalise_brn(brn), "request 2025-017", "officer kim")
        assert _mentions(store, brn, normalise_brn(brn), firm_id, name) == []
        assert done.rows["firms"] == 1 and done.rows["selection_firms"] == 1
        assert done.rows["firm_years"] == done.rows["scores"] > 0 and done.redacted == 2
        assert store.query("SELECT note FROM runs").iat[0, 0] == "panel; checked [purged 1] by phone"
        audit = json.loads(store.query("SELECT audit FROM selections").iat[0, 0])
        assert audit["fragile"][0] == "[purged 1]" and store.integrity() == "ok"
    data = b"".join(p.read_bytes() for p in tmp_path.glob("h.sqlite*"))
    for text in (brn, normalise_brn(brn), firm_id, name):
        assert text.encode() not in data


def test_a_purge_is_recorded_and_the_rest_of_the_history_stays(tmp_path, small_panel,
                                                               write_selection):
    """The purges row says when, who, why and how many rows; the other firms' trajectories,
    the selection's other firm and every run are exactly as before."""
    from ktop_index.tracking import history

    db, brn, _, other = _store_with_history(tmp_path, small_panel, write_selection)
    before = history.firm_trajectory(other, db)
    with Store(db) as store:
        counts = {t: store.count(t) for t in ("firms", "runs", "datasets", "selections")}
        plan = store.purge_plan(brn)
        store.purge(brn, "request 2025-017", "officer kim", when="2025-03-01T09:00:00Z")
        record = store.purges()
        assert record.drop(columns="removed").iloc[0].tolist() == [
            1, "2025-03-01T09:00:00Z", "officer kim", "request 2025-017"]
        assert json.loads(record.at[0, "removed"]) == plan.rows
        assert store.count("firms") == counts["firms"] - 1
        assert {t: store.count(t) for t in ("runs", "datasets", "selections")} == {
            t: counts[t] for t in ("runs", "datasets", "selections")}
        assert store.latest_selection("jeju_2025")["brn"].tolist() == [other]
    pd.testing.assert_frame_equal(history.firm_trajectory(other, db), before)
    with pytest.raises(StoreError, match="not in the store"):
        history.firm_trajectory(brn, db)


def test_without_a_purge_record_history_still_cannot_be_rewritten(tmp_path, small_panel,
                                                                   write_selection):
    """After a purge, deleting another firm's rows, editing a note or a purge record, or a
    redaction not citing the latest purge are refused by the store itself."""
    db, brn, _, other = _store_with_history(tmp_path, small_panel, write_selection)
    with Store(db) as store:
        store.purge(brn, "request 2025-017", "officer kim")
        key = store.query("SELECT firm FROM firms WHERE brn = ?", (other,)).iat[0, 0]
        for sql in (f"DELETE FROM firm_years WHERE firm = {key}",
                    f"DELETE FROM firms WHERE firm = {key}",
                    "UPDATE runs SET note = 'x'",
                    "UPDATE runs SET note = 'x', redacted = 2",
                    "UPDATE runs SET model_sha256 = 'x', redacted = 1",
                    "UPDATE selections SET call = 'x', redacted = 1",
                    "UPDATE purges SET reason = 'x'", "DELETE FROM purges",
                    "DELETE FROM purged_ids", "UPDATE store_meta SET value = 'x'"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                store.conn.execute(sql)


def test_a_purged_firms_key_is_never_given_again(tmp_path):
    """The highest firm key purged stays taken: a new firm gets the next one, so the purge
    record can never cover a new firm's rows."""
    with Store(tmp_path / "h.sqlite") as store:
        with store.transaction():
            store.firm_keys(["124-81-00998", "F2"], ["124-81-00998", None])
        store.purge("F2", "request 7", "officer")
        with store.transaction():
            assert store.firm_keys(["F3"], [None]).tolist() == [3]


def test_a_purge_needs_a_reason_that_does_not_name_the_firm(tmp_path):
    """An empty reason, or one holding the firm's number or name (it would stay in the
    store), is refused and nothing is removed; an unknown or purged firm is an error."""
    with Store(tmp_path / "h.sqlite") as store:
        with store.transaction():
            store.firm_keys(["124-81-00998"], ["124-81-00998"])
        for reason in ("", "  ", "request of 124-81-00998", "1248100998 asked"):
            with pytest.raises(StoreError, match="must not name the firm"):
                store.purge("124-81-00998", reason, "officer")
        assert store.count("firms") == 1 and store.count("purges") == 0
        store.purge("1248100998", "request 7", "officer")
        with pytest.raises(StoreError, match="purged from the store .* already") as err:
            store.purge("124-81-00998", "request 8", "officer")
        assert "이미" in err.value.message("ko")
        with pytest.raises(StoreError, match="not in the store"):
            store.purge("124-81-00019", "request 8", "officer")


def test_purged_rows_are_recognised_by_salted_digest(tmp_path):
    """A purge keeps sha256(salt:identity) only; a later file's rows of the firm, by number
    or firm_id, are found; two stores' salts differ, so their digests do not link."""
    with Store(tmp_path / "a.sqlite") as a, Store(tmp_path / "b.sqlite") as b:
        with a.transaction():
            a.firm_keys(["F1", "F2"], ["124-81-00998", None])
        a.purge("124-81-00998", "request 7", "officer")
        found = a.purged_rows(["F9", "F1", "F2", "F3"], ["124-81-00998", None, None, None])
        assert found.tolist() == [True, True, False, False]
        digests = a.query("SELECT id_sha256 FROM purged_ids")["id_sha256"].tolist()
        assert len(digests) == 2 and a.id_sha256("124-81-00998") in digests
        assert b.id_sha256("124-81-00998") != a.id_sha256("124-81-00998")


def test_migration_to_version_3_keeps_a_version_2_store(tmp_path):
    """A version-2 store gains the purge tables and triggers; its rows stay, appends work."""
    path = tmp_path / "v2.sqlite"
    with Store(path, upto=2) as store, store.transaction():
        store.firm_keys(["124-81-00998"], ["124-81-00998"])
    with Store(path) as store:
        assert store.schema_version() == 3
        assert store.query("SELECT brn FROM firms")["brn"].tolist() == ["124-81-00998"]
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            store.conn.execute("DELETE FROM firms")
        store.purge("124-81-00998", "request 7", "officer")
        assert store.count("firms") == 0 and store.count("purges") == 1
