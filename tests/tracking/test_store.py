"""The tracking store: schema and migrations, append-only tables, atomic writes, firm keys."""

from __future__ import annotations

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
        assert store.schema_version() == len(MIGRATIONS) == 2
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in store.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert tables == {"firms", "datasets", "firm_years", "runs", "scores", "calls",
                          "selections", "selection_firms"}
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
    """A version-1 store (no selections yet) is migrated to version 2 on opening, data intact."""
    path = tmp_path / "old.sqlite"
    with Store(path, upto=1) as store:
        assert store.schema_version() == 1
        assert not store.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'selections'").fetchone()
        with store.transaction():
            store.firm_keys(["124-81-00998"], ["124-81-00998"])
        before = store.snapshot()
    with Store(path) as store:
        assert store.schema_version() == 2
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
            store.conn.execute("INSERT INTO datasets VALUES (1, 'x', 'f', 'raw', 2, 't')")
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
