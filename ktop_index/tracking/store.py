"""The tracking store: an append-only SQLite history of firm-years, scoring runs and selections.

One file (default ``./ktop_history.sqlite``), no server: Python's own :mod:`sqlite3`. The
store is the project's memory: :mod:`~ktop_index.tracking.ingest` fills it;
:mod:`~ktop_index.tracking.history`, :mod:`~ktop_index.tracking.effect` and
:mod:`~ktop_index.tracking.monitor` read it.

Guarantees
----------
- **Append-only.** Rows are only ever inserted. Triggers refuse ``UPDATE`` and ``DELETE`` on
  every history table, so a re-scoring is a new run beside the old one, never a change to it.
- **Atomic imports.** Each import is one ``BEGIN IMMEDIATE ... COMMIT`` transaction; a crash
  or a kill before ``COMMIT`` leaves the file exactly as it was (SQLite's journal rolls the
  half-written transaction back when the file is next opened).
- **Idempotent imports.** A data set is known by the sha256 of its file's bytes and a run
  by (data set, model sha256): importing the same file with the same model twice finds the
  first run and writes nothing.
- **Versioned schema.** ``PRAGMA user_version`` is the number of :data:`MIGRATIONS` applied;
  opening a store applies the missing ones, in order, each in its own transaction.

Tables (schema version 2)
-------------------------
``firms``            firm (integer key), firm_id (the contract's key: the business number
                     ``123-45-67890`` when there is one), brn
``datasets``         one imported file: sha256 of its bytes, source name, kind (raw/scored)
``firm_years``       the contract fields of each firm-year of a data set (money in KRW
                     thousand, 천원), key (dataset, firm, year)
``runs``             one scoring of a data set: model name, version, sha256, reference year,
                     input sha256, UTC time, user note, package version
``scores``           per run and firm-year: the four domain scores, composite, tech_index,
                     grade, percentiles, coverage, contrib_<domain>
``calls``            support calls (e.g. ``jeju_2025``)
``selections``       one imported selection folder (``ktop select`` output) with its audit
``selection_firms``  per selection and firm: status, rank, tech_index, support (천원)

Example
-------
>>> import tempfile, os
>>> with Store(os.path.join(tempfile.mkdtemp(), "h.sqlite")) as store:
...     store.schema_version()
2
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Self

import numpy as np
import pandas as pd

from ktop_index.errors import StoreError
from ktop_index.index.spec import DOMAINS

DEFAULT_PATH = "ktop_history.sqlite"

#: Contract fields kept per firm-year (all of the contract but the identity in ``firms``).
FIRM_YEAR_FIELDS = (
    "firm_name", "ksic", "region", "founded", "firm_age", "ceo_industry_years", "employees",
    "rnd_staff", "rnd_org", "certifications", "patents", "ip_filings", "rnd_projects",
    "commercialized", "revenue", "operating_profit", "net_income", "total_assets",
    "total_equity", "rnd_expense", "salaries", "export_revenue", "requested",
    "letter_of_intent", "sme_confirmed",
)  # fmt: skip
_TEXT_FIELDS = frozenset({"firm_name", "ksic", "region"})

#: Score columns kept per run and firm-year (reason texts are not kept: re-score to see them).
SCORE_FIELDS = (
    *DOMAINS, "composite", "tech_index", "grade", "percentile", "industry_percentile",
    "coverage", *(f"contrib_{d}" for d in DOMAINS),
)  # fmt: skip

SELECTION_STATUSES = ("selected", "waitlist", "not_selected", "ineligible")

_APPEND_ONLY_V1 = ("firms", "datasets", "firm_years", "runs", "scores")
_APPEND_ONLY_V2 = ("calls", "selections", "selection_firms")


def _append_only(tables: Sequence[str]) -> str:
    """Triggers that refuse UPDATE and DELETE: history is never rewritten."""
    return "".join(
        f"CREATE TRIGGER {t}_no_{op.lower()} BEFORE {op} ON {t} BEGIN "
        f"SELECT RAISE(ABORT, 'the tracking store is append-only ({t})'); END;\n"
        for t in tables for op in ("UPDATE", "DELETE"))


_V1 = """
CREATE TABLE firms (
    firm INTEGER PRIMARY KEY,
    firm_id TEXT NOT NULL UNIQUE,
    brn TEXT
);
CREATE INDEX firms_brn ON firms (brn);
CREATE TABLE datasets (
    dataset INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('raw', 'scored')),
    rows INTEGER NOT NULL,
    imported TEXT NOT NULL
);
CREATE TABLE firm_years (
    dataset INTEGER NOT NULL REFERENCES datasets,
    firm INTEGER NOT NULL REFERENCES firms,
    year INTEGER NOT NULL,
    firm_name TEXT, ksic TEXT, region TEXT, founded INTEGER, firm_age REAL,
    ceo_industry_years REAL, employees REAL, rnd_staff REAL, rnd_org INTEGER,
    certifications INTEGER, patents INTEGER, ip_filings INTEGER, rnd_projects INTEGER,
    commercialized INTEGER, revenue REAL, operating_profit REAL, net_income REAL,
    total_assets REAL, total_equity REAL, rnd_expense REAL, salaries REAL,
    export_revenue REAL, requested REAL, letter_of_intent INTEGER, sme_confirmed INTEGER,
    PRIMARY KEY (dataset, firm, year)
);
CREATE INDEX firm_years_firm_year ON firm_years (firm, year);
CREATE TABLE runs (
    run INTEGER PRIMARY KEY,
    dataset INTEGER NOT NULL REFERENCES datasets,
    model_name TEXT, model_version TEXT,
    model_sha256 TEXT NOT NULL,
    reference_year INTEGER,
    input_sha256 TEXT NOT NULL,
    created TEXT NOT NULL,
    note TEXT,
    package_version TEXT NOT NULL,
    rows INTEGER NOT NULL,
    UNIQUE (dataset, model_sha256)
);
CREATE TABLE scores (
    run INTEGER NOT NULL REFERENCES runs,
    firm INTEGER NOT NULL REFERENCES firms,
    year INTEGER NOT NULL,
    infrastructure REAL, input REAL, activity REAL, outcome REAL, composite REAL,
    tech_index REAL, grade TEXT, percentile REAL, industry_percentile REAL, coverage REAL,
    contrib_infrastructure REAL, contrib_input REAL, contrib_activity REAL,
    contrib_outcome REAL,
    PRIMARY KEY (run, firm, year)
);
CREATE INDEX scores_firm_year ON scores (firm, year);
""" + _append_only(_APPEND_ONLY_V1)

_V2 = """
CREATE TABLE calls (
    call TEXT PRIMARY KEY,
    first_imported TEXT NOT NULL
);
CREATE TABLE selections (
    selection INTEGER PRIMARY KEY,
    call TEXT NOT NULL REFERENCES calls,
    sha256 TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    created TEXT,
    imported TEXT NOT NULL,
    model_sha256 TEXT,
    input_sha256 TEXT,
    audit TEXT NOT NULL
);
CREATE INDEX selections_call ON selections (call);
CREATE TABLE selection_firms (
    selection INTEGER NOT NULL REFERENCES selections,
    firm INTEGER NOT NULL REFERENCES firms,
    firm_name TEXT,
    status TEXT NOT NULL CHECK (status IN ('selected', 'waitlist', 'not_selected',
                                           'ineligible')),
    rank INTEGER,
    tech_index REAL,
    support REAL,
    PRIMARY KEY (selection, firm)
);
CREATE INDEX selection_firms_firm ON selection_firms (firm);
""" + _append_only(_APPEND_ONLY_V2)

#: Schema migrations, applied in order; ``PRAGMA user_version`` counts those applied.
#: Never edit one that has shipped: add a new one.
MIGRATIONS: tuple[str, ...] = (_V1, _V2)

# The latest run of each firm-year, its scores and the fields of the data set it scored.
_LATEST = """
WITH latest AS (SELECT firm, year, max(run) AS run FROM scores {where} GROUP BY firm, year)
SELECT l.firm, l.year, l.run, r.model_sha256, {score_columns}, {field_columns}
FROM latest l
JOIN scores s ON s.run = l.run AND s.firm = l.firm AND s.year = l.year
JOIN runs r ON r.run = l.run
LEFT JOIN firm_years fy ON fy.dataset = r.dataset AND fy.firm = l.firm AND fy.year = l.year
"""


class Store:
    """An open tracking store.

    Parameters
    ----------
    path : the SQLite file (``./ktop_history.sqlite`` when None).
    create : create the file when it does not exist; when False a missing store is an error.
    upto : apply migrations only up to this schema version (tests of migrations).

    Use as a context manager, or call :meth:`close`.
    """

    def __init__(self, path: str | os.PathLike | None = None, create: bool = True,
                 upto: int | None = None):
        self.path = Path(path or DEFAULT_PATH)
        if not create and not self.path.exists():
            raise StoreError(f"{self.path}: no tracking store here (import a file first: "
                             "ktop track import FILE --db PATH)")
        if self.path.parent and not self.path.parent.exists():
            raise StoreError(f"{self.path}: the folder {self.path.parent} does not exist")
        # autocommit mode: transactions are explicit (BEGIN IMMEDIATE ... COMMIT)
        self.conn = sqlite3.connect(self.path, isolation_level=None, timeout=30.0)
        try:
            self._configure()
            migrate(self.conn, upto)
        except sqlite3.DatabaseError as exc:
            self.conn.close()
            raise StoreError(f"{self.path}: not a usable tracking store ({exc})") from None

    def _configure(self) -> None:
        # WAL: readers never block the writer nor see half an import; synchronous=NORMAL
        # is safe against process crashes and kills (a power cut may lose the last commit,
        # never corrupt the file).
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.conn.execute("PRAGMA cache_size=-262144")  # 256 MiB for bulk imports
        self.conn.execute("PRAGMA temp_store=MEMORY")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ writing
    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write: everything inside is committed together or not at all."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:  # another import held the lock too long
            raise StoreError(f"{self.path}: the store is busy ({exc}); another import is "
                             "writing, try again when it has finished") from None
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def firm_keys(self, firm_ids: Sequence[str], brns: Sequence[object]) -> np.ndarray:
        """The integer key of each firm, adding the firms not seen before (in a transaction).

        A firm is known by its business number when it has one (so a file keyed by
        business numbers and a panel with its own firm_id meet), else by its firm_id.
        ``firm_ids`` are the contract's firm_id (the business number by default); ``brns``
        the business numbers (None where unknown).
        """
        ids = pd.Series(firm_ids, dtype="str").to_numpy(dtype=object)
        brn = pd.Series(list(brns), dtype="str").to_numpy(dtype=object)
        has_brn = pd.notna(brn)
        pairs = pd.DataFrame({"id": ids, "brn": np.where(has_brn, brn, None)})
        uniques = pairs.drop_duplicates("id")
        by_id = dict(self.conn.execute("SELECT firm_id, firm FROM firms"))
        by_brn = dict(self.conn.execute(
            "SELECT brn, min(firm) FROM firms WHERE brn IS NOT NULL GROUP BY brn"))
        start = int(self.conn.execute("SELECT coalesce(max(firm), 0) FROM firms").fetchone()[0])
        key_of, new = {}, []
        for firm_id, number in zip(uniques["id"], uniques["brn"]):
            key = by_brn.get(number) if number is not None else None
            key = key if key is not None else by_id.get(firm_id)
            if key is None:
                key = start + 1 + len(new)
                new.append((key, firm_id, number))
                if number is not None:
                    by_brn[number] = key
            key_of[firm_id] = key
        self.conn.executemany("INSERT INTO firms (firm, firm_id, brn) VALUES (?, ?, ?)", new)
        return pd.Series(ids).map(key_of).to_numpy(dtype=np.int64)

    def insert_frame(self, table: str, frame: pd.DataFrame) -> None:
        """Bulk-insert the columns of ``frame`` into ``table`` (NaN and NA become NULL)."""
        columns = list(frame.columns)
        sql = (f"INSERT INTO {table} ({', '.join(columns)}) "
               f"VALUES ({', '.join('?' * len(columns))})")
        self.conn.executemany(sql, zip(*(_column_values(frame[c]) for c in columns)))

    # ------------------------------------------------------------------ reading
    def query(self, sql: str, params: Sequence = ()) -> pd.DataFrame:
        """The result of a SELECT as a DataFrame."""
        cursor = self.conn.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return pd.DataFrame.from_records(cursor.fetchall(), columns=names)

    def snapshot(self) -> dict[str, list[tuple]]:
        """Every table's rows, sorted: the store's whole content, to compare two states."""
        tables = [r[0] for r in self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: sorted(self.conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr)
                for t in tables}

    def integrity(self) -> str:
        """``'ok'`` when SQLite's integrity check finds nothing wrong."""
        return "; ".join(r[0] for r in self.conn.execute("PRAGMA integrity_check"))

    def count(self, table: str) -> int:
        """The number of rows of a table."""
        return int(self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    def latest_panel(self, fields: Sequence[str] = ("revenue", "employees"),
                     firms: Sequence[int] | None = None,
                     scores: Sequence[str] = SCORE_FIELDS) -> pd.DataFrame:
        """Per firm-year, the scores of its latest run and the fields of that run's data set.

        "Latest": when a firm-year was scored several times, the run imported last (the
        highest run number), so a re-scoring supersedes without erasing.

        Parameters
        ----------
        fields : columns of ``firm_years`` (contract fields; money in KRW thousand, 천원).
        firms : only these firm keys (all firms when None).
        scores : columns of ``scores``.

        Returns
        -------
        DataFrame ``firm, year, run, model_sha256, <scores>, <fields>`` sorted by firm and
        year; numbers as float64 (NULL as NaN), keys as int64.
        """
        where, params = "", ()
        if firms is not None:
            firms = [int(f) for f in firms]
            where = f"WHERE firm IN ({', '.join('?' * len(firms))})" if firms else "WHERE 0"
            params = tuple(firms)
        sql = _LATEST.format(where=where,
                             score_columns=", ".join(f"s.{c}" for c in scores),
                             field_columns=", ".join(f"fy.{c}" for c in fields))
        frame = self.query(sql, params)
        for name in frame.columns:
            if name not in ("grade", "model_sha256", *_TEXT_FIELDS):
                frame[name] = pd.to_numeric(frame[name]).astype("float64")
        for name in ("firm", "year", "run"):
            frame[name] = frame[name].astype("int64")
        return frame.sort_values(["firm", "year"], kind="stable").reset_index(drop=True)

    def latest_selection(self, call: str) -> pd.DataFrame:
        """The applicants of a call's latest imported selection: ``firm, brn, firm_name,
        status, support`` (KRW thousand, 천원), by firm key.

        Raises :class:`StoreError` naming the calls stored when the call has no selection.
        """
        found = self.conn.execute("SELECT max(selection) FROM selections WHERE call = ?",
                                  (call,)).fetchone()[0]
        if found is None:
            calls = [r[0] for r in self.conn.execute("SELECT call FROM calls ORDER BY call")]
            raise StoreError(f"no selection of call '{call}' in the store {self.path} (calls "
                             f"stored: {', '.join(calls) or 'none'}; import a `ktop select` "
                             "output folder with ktop track import)")
        return self.query(
            "SELECT sf.firm, f.brn, sf.firm_name, sf.status, sf.support FROM selection_firms sf "
            "JOIN firms f ON f.firm = sf.firm WHERE sf.selection = ? ORDER BY sf.firm", (found,))


def migrate(conn: sqlite3.Connection, upto: int | None = None) -> int:
    """Apply the migrations the store lacks, in order, each atomically; return the version."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    target = len(MIGRATIONS) if upto is None else upto
    if version > len(MIGRATIONS):
        raise StoreError(f"the store's schema version {version} is newer than this ktop_index "
                         f"knows ({len(MIGRATIONS)}); upgrade ktop_index")
    for number in range(version + 1, target + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(MIGRATIONS[number - 1]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    return max(version, target)


def _statements(script: str) -> Iterator[str]:
    """Split a migration script into statements (triggers keep their inner semicolons)."""
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                yield buffer.strip()
            buffer = ""


def _text_or_none(value: object) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    return str(value)


def _column_values(column: pd.Series) -> list:
    """A column as a list of Python values SQLite binds directly (NaN binds as NULL)."""
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        if pd.api.types.is_integer_dtype(dtype) and not column.hasnans:
            return column.to_numpy(dtype="int64").tolist()
        return column.to_numpy(dtype="float64", na_value=np.nan).tolist()
    values = column.astype(object)
    return values.where(values.notna(), None).tolist()
