"""The tracking store: an append-only SQLite history of firm-years, scoring runs and selections.

One file (default ``./ktop_history.sqlite``), no server: Python's own :mod:`sqlite3`. The
store is the project's memory: :mod:`~ktop_index.tracking.ingest` fills it;
:mod:`~ktop_index.tracking.history`, :mod:`~ktop_index.tracking.effect` and
:mod:`~ktop_index.tracking.monitor` read it.

Guarantees
----------
- **Append-only.** Rows are only ever inserted. Triggers refuse ``UPDATE`` and ``DELETE`` on
  every history table, so a re-scoring is a new run beside the old one, never a change to it.
  The one exception is the right to deletion (:meth:`Store.purge`, ``ktop track purge``): a
  firm's rows may be deleted only once a ``purges`` row naming its keys is recorded, and the
  texts naming it redacted only by that purge; the purge record itself is append-only.
- **Atomic imports.** Each import is one ``BEGIN IMMEDIATE ... COMMIT`` transaction; a crash
  or a kill before ``COMMIT`` leaves the file exactly as it was (SQLite's journal rolls the
  half-written transaction back when the file is next opened).
- **Idempotent imports.** A data set is known by the sha256 of its file's bytes and a run
  by (data set, model sha256): importing the same file with the same model twice finds the
  first run and writes nothing.
- **Versioned schema.** ``PRAGMA user_version`` is the number of :data:`MIGRATIONS` applied;
  opening a store applies the missing ones, in order, each in its own transaction.

Tables (schema version 3)
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
``purges``           one purge of a firm: UTC time, by whom, reason, rows removed per table
``purged_firms``     the firm keys a purge removed (never given again)
``purged_ids``       sha256 of the store's salt and each purged identity (re-imports skip it)
``store_meta``       the store's own settings (the salt of ``purged_ids``)

``datasets``, ``runs`` and ``selections`` have ``redacted``: the purge that rewrote their
file name, note or audit (NULL when none did).

Example
-------
>>> import tempfile, os
>>> with Store(os.path.join(tempfile.mkdtemp(), "h.sqlite")) as store:
...     store.schema_version()
3
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import numpy as np
import pandas as pd

from ktop_index import __version__, _files
from ktop_index.data.brn import format_brn, is_valid_brn, normalise_brn
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

# Version 3: the right to deletion (개인정보 보호법 제36조, PIPA). A firm's rows may be deleted
# only once a purge naming its keys is recorded (the delete triggers check `purged_firms`);
# the text columns that may name a firm (a file name, a note, an audit's lists) may be
# rewritten only once per purge, by the latest one, which the row's `redacted` records;
# nothing else changes. The purge tables are append-only themselves.
_FIRM_TABLES = ("firms", "firm_years", "scores", "selection_firms")
#: Per table: (the text columns a purge may redact, the columns it never changes).
_REDACTABLE = {
    "datasets": (("source",), ("dataset", "sha256", "kind", "rows", "imported")),
    "runs": (("note",), ("run", "dataset", "model_name", "model_version", "model_sha256",
                         "reference_year", "input_sha256", "created", "package_version",
                         "rows")),
    "selections": (("source", "audit"), ("selection", "call", "sha256", "created", "imported",
                                         "model_sha256", "input_sha256")),
}
_APPEND_ONLY_V3 = ("store_meta", "purges", "purged_firms", "purged_ids")
_REFUSE = "SELECT RAISE(ABORT, 'the tracking store is append-only ({t}{why})'); END;\n"
_ONLY_PURGE = "; a firm is removed only by ktop track purge"


def _purge_triggers() -> str:
    """The delete and update triggers of version 3 (see the comment above)."""
    out = ""
    for t in _FIRM_TABLES:
        out += (f"DROP TRIGGER {t}_no_delete;\nCREATE TRIGGER {t}_no_delete BEFORE DELETE ON "
                f"{t} WHEN OLD.firm NOT IN (SELECT firm FROM purged_firms) BEGIN "
                + _REFUSE.format(t=t, why=_ONLY_PURGE))
    for t, (_, kept) in _REDACTABLE.items():
        changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in kept)
        out += (f"ALTER TABLE {t} ADD COLUMN redacted INTEGER REFERENCES purges;\n"
                f"DROP TRIGGER {t}_no_update;\nCREATE TRIGGER {t}_no_update BEFORE UPDATE ON "
                f"{t} WHEN NEW.redacted IS NULL OR NEW.redacted IS OLD.redacted OR NEW.redacted "
                f"IS NOT (SELECT max(purge) FROM purges) OR {changed} "
                "BEGIN " + _REFUSE.format(t=t, why=_ONLY_PURGE))
    return out


_V3 = """
CREATE TABLE store_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO store_meta (key, value) VALUES ('purge_salt', lower(hex(randomblob(16))));
CREATE TABLE purges (
    purge INTEGER PRIMARY KEY,
    purged TEXT NOT NULL,
    purged_by TEXT NOT NULL,
    reason TEXT NOT NULL,
    removed TEXT NOT NULL,
    package_version TEXT NOT NULL
);
CREATE TABLE purged_firms (
    firm INTEGER PRIMARY KEY,
    purge INTEGER NOT NULL REFERENCES purges
);
CREATE TABLE purged_ids (
    id_sha256 TEXT PRIMARY KEY,
    purge INTEGER NOT NULL REFERENCES purges
);
""" + _append_only(_APPEND_ONLY_V3) + _purge_triggers()

#: Schema migrations, applied in order; ``PRAGMA user_version`` counts those applied.
#: Never edit one that has shipped: add a new one.
MIGRATIONS: tuple[str, ...] = (_V1, _V2, _V3)

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
        self._salt: str | None = None  # of purged_ids (read once)
        if not create and not self.path.exists():
            raise StoreError(f"{self.path}: no tracking store here (import a file first: "
                             "ktop track import FILE --db PATH)",
                             ko=f"{self.path}: 이력 저장소가 없습니다 (먼저 파일을 저장하십시오: "
                                "ktop track import FILE --db PATH)")
        if self.path.parent and not self.path.parent.exists():
            raise StoreError(f"{self.path}: the folder {self.path.parent} does not exist",
                             ko=f"{self.path}: 폴더 {self.path.parent}이(가) 없습니다")
        # autocommit mode: transactions are explicit (BEGIN IMMEDIATE ... COMMIT)
        self.conn = sqlite3.connect(self.path, isolation_level=None, timeout=30.0)
        try:
            self._configure()
            migrate(self.conn, upto)
        except sqlite3.DatabaseError as exc:
            self.conn.close()
            raise StoreError(f"{self.path}: not a usable tracking store ({exc})",
                             ko=f"{self.path}: 쓸 수 있는 이력 저장소가 아닙니다 ({exc})") from None

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
                             "writing, try again when it has finished",
                             ko=f"{self.path}: 저장소가 사용 중입니다 ({exc}); 다른 저장 작업이 "
                                "쓰는 중이니 끝난 뒤 다시 하십시오") from None
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
        start = self._highest_firm_key()
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

    def _highest_firm_key(self) -> int:
        """The highest firm key ever given: a purged firm's key is never given again (its
        rows' deletion is allowed by that key)."""
        purged = ("UNION ALL SELECT max(firm) FROM purged_firms" if self.schema_version() >= 3
                  else "")
        return int(self.conn.execute(
            f"SELECT coalesce(max(m), 0) FROM (SELECT max(firm) AS m FROM firms {purged})"
        ).fetchone()[0])

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
                             "output folder with ktop track import)",
                             ko=f"저장소 {self.path}에 공고 '{call}'의 선정 결과가 없습니다 "
                                f"(저장된 공고: {', '.join(calls) or '없음'}; ktop track "
                                "import로 `ktop select` 출력 폴더를 저장하십시오)")
        return self.query(
            "SELECT sf.firm, f.brn, sf.firm_name, sf.status, sf.support FROM selection_firms sf "
            "JOIN firms f ON f.firm = sf.firm WHERE sf.selection = ? ORDER BY sf.firm", (found,))


    # ------------------------------------------------------------------ the right to deletion
    def id_sha256(self, identity: str) -> str:
        """sha256 of this store's salt and a firm's identity (its business number in the
        display form, or its firm_id): what a purge keeps so a re-import is recognised.

        The salt is this store's own (``store_meta``), so the digests of two stores do not
        match; it does not make a digest secret to whoever holds the store, who can test any
        number against it (that is its use).
        """
        if self._salt is None:
            self._salt = self.conn.execute(
                "SELECT value FROM store_meta WHERE key = 'purge_salt'").fetchone()[0]
        return _files.sha256_bytes(f"{self._salt}:{identity}".encode())

    def purged_rows(self, firm_ids: Sequence[object], brns: Sequence[object]) -> np.ndarray:
        """True for each row whose firm (by business number or firm_id) was purged."""
        known = {r[0] for r in self.conn.execute("SELECT id_sha256 FROM purged_ids")}
        if not known:
            return np.zeros(len(firm_ids), dtype=bool)
        ids = pd.Series(list(firm_ids), dtype=object).map(_text_or_none)
        numbers = pd.Series(list(brns), dtype=object).map(_text_or_none)
        candidates = set(ids.dropna()) | set(numbers.dropna())  # each identity hashed once
        purged = {c for c in candidates if self.id_sha256(c) in known}
        return (ids.isin(purged) | numbers.isin(purged)).to_numpy(dtype=bool)

    def purge_plan(self, identity: str) -> PurgePlan:
        """What purging a firm would remove: its keys, identity strings, names and row
        counts. ``identity`` is a business number (any form) or a firm_id.

        Raises :class:`StoreError` when no firm of the store has it (saying so when it was
        purged already).
        """
        keys = _identity_keys(identity)
        found = self.conn.execute(
            f"SELECT firm, firm_id, brn FROM firms WHERE firm_id IN ({_marks(keys)}) "
            f"OR brn IN ({_marks(keys)}) ORDER BY firm", (*keys, *keys)).fetchall()
        if not found:
            self._not_in_store(keys)
        firms = tuple(int(r[0]) for r in found)
        ids = tuple(sorted({str(v) for r in found for v in r[1:] if v is not None}))
        names = tuple(sorted({r[0] for t in ("firm_years", "selection_firms")
                              for r in self.conn.execute(
                                  f"SELECT DISTINCT firm_name FROM {t} WHERE firm IN "
                                  f"({_marks(firms)}) AND firm_name IS NOT NULL", firms)}))
        rows = {t: int(self.conn.execute(f"SELECT count(*) FROM {t} WHERE firm IN "
                                         f"({_marks(firms)})", firms).fetchone()[0])
                for t in _FIRM_TABLES}
        return PurgePlan(firms, ids, names, rows)

    def _not_in_store(self, keys: Sequence[str]) -> None:
        done = self.conn.execute(
            f"SELECT p.purge, p.purged FROM purged_ids i JOIN purges p ON p.purge = i.purge "
            f"WHERE i.id_sha256 IN ({_marks(keys)}) LIMIT 1",
            tuple(self.id_sha256(k) for k in keys)).fetchone()
        if done:
            raise StoreError(f"firm '{keys[0]}' was purged from the store {self.path} already "
                             f"(purge {done[0]}, {done[1]}); nothing is left to remove",
                             ko=f"기업 '{keys[0]}'은(는) 이미 {self.path}에서 삭제되었습니다 "
                                f"(삭제 {done[0]}, {done[1]}); 더 지울 것이 없습니다")
        raise StoreError(f"firm '{keys[0]}' is not in the store {self.path} (expected a "
                         "business number or firm_id of an imported file)",
                         ko=f"기업 '{keys[0]}'이(가) {self.path}에 없습니다 (가져온 파일의 "
                            "사업자등록번호 또는 기업ID를 입력하세요)")

    def purge(self, identity: str, reason: str, by: str, when: str | None = None) -> Purge:
        """Remove a firm from the store for good, recording who, when and why.

        Deletes every row of the firm (``firms``, ``firm_years``, ``scores``,
        ``selection_firms``), rewrites the file names, notes and audits that name it
        (``[purged N]`` instead), and appends a ``purges`` row (time, ``by``, ``reason``, the
        rows removed per table) with the salted sha256 of each of its identities
        (:meth:`id_sha256`) so an import of the firm again is recognised and skipped. All in
        one transaction; deleted pages are overwritten (``secure_delete``) and the
        write-ahead log is emptied, so the firm's data is not left in the file's free space.

        Parameters
        ----------
        identity : business number (any form) or firm_id.
        reason : why (the request, its reference); must not name the firm.
        by : who purged.
        when : UTC time stamp (default: now).

        Raises :class:`StoreError` for an unknown or already purged firm, or a reason that
        names the firm.
        """
        plan = self.purge_plan(identity)
        tokens = plan.tokens()
        if not str(reason).strip() or any(t in reason for t in tokens):
            raise StoreError("the reason of a purge must be given and must not name the firm "
                             "(it stays in the store): give the request's reference instead",
                             ko="삭제 사유는 필수이며 기업을 특정하면 안 됩니다 (저장소에 남습니다): "
                                "요청의 접수번호 등을 적으세요")
        self.conn.execute("PRAGMA secure_delete = ON")
        with self.transaction():
            purge = self.conn.execute(
                "INSERT INTO purges (purged, purged_by, reason, removed, package_version) "
                "VALUES (?, ?, ?, ?, ?)",
                (when or _utc_now(), by, reason, json.dumps(plan.rows, sort_keys=True),
                 __version__)).lastrowid
            self.conn.executemany("INSERT INTO purged_firms (firm, purge) VALUES (?, ?)",
                                  [(f, purge) for f in plan.firms])
            self.conn.executemany("INSERT OR IGNORE INTO purged_ids (id_sha256, purge) "
                                  "VALUES (?, ?)", [(self.id_sha256(i), purge) for i in plan.ids])
            for table in reversed(_FIRM_TABLES):  # children first (foreign keys)
                self.conn.execute(f"DELETE FROM {table} WHERE firm IN ({_marks(plan.firms)})",
                                  plan.firms)
            redacted = self._redact(tokens, purge)
        # the old pages live on in the write-ahead log until a checkpoint empties it; a
        # reader holding it open (busy = 1) delays that to its next checkpoint
        busy = self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        return Purge(purge, plan.rows, redacted, checkpointed=not busy)

    def _redact(self, tokens: Sequence[str], purge: int) -> int:
        """Replace ``tokens`` in the redactable text columns by ``[purged N]``; rows changed."""
        changed = 0
        for table, (columns, kept) in _REDACTABLE.items():
            key = kept[0]
            rows = self.conn.execute(f"SELECT {key}, {', '.join(columns)} FROM {table}")
            for row in rows.fetchall():  # read whole before its rows are updated
                new = [_redacted(value, tokens, f"[purged {purge}]") for value in row[1:]]
                if new != list(row[1:]):
                    sets = ", ".join(f"{c} = ?" for c in columns)
                    self.conn.execute(f"UPDATE {table} SET {sets}, redacted = ? WHERE {key} = ?",
                                      (*new, purge, row[0]))
                    changed += 1
        return changed

    def purges(self) -> pd.DataFrame:
        """The purge record: ``purge, purged, purged_by, reason, removed`` (JSON counts)."""
        return self.query("SELECT purge, purged, purged_by, reason, removed FROM purges "
                          "ORDER BY purge")


@dataclass(frozen=True)
class PurgePlan:
    """What a purge of one firm removes: its keys, identities, names and rows per table."""

    firms: tuple[int, ...]
    ids: tuple[str, ...]
    names: tuple[str, ...]
    rows: dict[str, int]

    def tokens(self) -> list[str]:
        """The texts that name the firm: identities (both forms of a business number) and
        names, longest first (so a name is replaced before a part of it)."""
        found = set(self.ids) | set(self.names)
        found |= {normalise_brn(i) for i in self.ids if is_valid_brn(i)}
        return sorted((t for t in found if t), key=lambda t: (-len(t), t))


@dataclass(frozen=True)
class Purge:
    """A purge done: its number, the rows removed per table, the text rows redacted, and
    whether the write-ahead log was emptied (False while another process read the store)."""

    purge: int
    rows: dict[str, int]
    redacted: int
    checkpointed: bool = True


def _identity_keys(identity: str) -> list[str]:
    """A firm as the store may hold it: the text given, and the display form of a valid
    business number (``1248100998`` -> ``124-81-00998``)."""
    text = str(identity).strip()
    return [format_brn(text), text] if is_valid_brn(text) and format_brn(text) != text \
        else [text]


def _marks(values: Sequence) -> str:
    return ", ".join("?" * len(values))


def _redacted(value: object, tokens: Sequence[str], mark: str) -> object:
    """``value`` with every token replaced by ``mark``; an audit (JSON) stays valid JSON."""
    if not isinstance(value, str) or not any(t in value for t in tokens):
        return value
    try:
        record = json.loads(value)
    except json.JSONDecodeError:
        record = None
    if isinstance(record, dict):
        return json.dumps(_redacted_record(record, tokens, mark), ensure_ascii=False,
                          sort_keys=True)
    for token in tokens:
        value = value.replace(token, mark)
    return value


def _redacted_record(value: object, tokens: Sequence[str], mark: str) -> object:
    if isinstance(value, dict):
        return {_redacted(k, tokens, mark): _redacted_record(v, tokens, mark)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_redacted_record(v, tokens, mark) for v in value]
    return _redacted(value, tokens, mark) if isinstance(value, str) else value


def _utc_now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def migrate(conn: sqlite3.Connection, upto: int | None = None) -> int:
    """Apply the migrations the store lacks, in order, each atomically; return the version."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    target = len(MIGRATIONS) if upto is None else upto
    if version > len(MIGRATIONS):
        raise StoreError(f"the store's schema version {version} is newer than this ktop_index "
                         f"knows ({len(MIGRATIONS)}); upgrade ktop_index",
                         ko=f"저장소의 스키마 버전 {version}이(가) 이 ktop_index가 아는 버전"
                            f"({len(MIGRATIONS)})보다 새롭습니다; ktop_index를 업그레이드하십시오")
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
