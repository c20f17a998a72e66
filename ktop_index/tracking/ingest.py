"""Imports into the history store: firm-year files and selection folders, each once.

- :func:`import_file` stores a firm-year file as one new run: a *raw* file (the data
  contract) is validated and scored with a model; a *scored* file (``ktop score`` output) is
  stored as it is.
- :func:`import_selection` stores a ``ktop select`` output folder: which applicants a call
  selected and supported.
- :func:`import_path` picks one of the two (a folder is a selection).

Every import is one transaction of the store (all or nothing) and is idempotent: a data set
is known by the sha256 of its file's bytes, a run by (data set, model hash), a selection by
the sha256 of its two files; what is already stored is found and nothing is written.

The model hash is :func:`ktop_index._files.model_sha256` of the model's canonical form — the
one hash of a model, the same that a selection's ``audit.json`` records, so a decision can be
joined to the run that scored its applicants. For the bundled model it is the sha256 of
``models/default.json``'s bytes.

Example
-------
>>> import tempfile, os                                                  # doctest: +SKIP
>>> db = os.path.join(tempfile.mkdtemp(), "history.sqlite")              # doctest: +SKIP
>>> import_file("data/sample_panel.parquet", db).kind                    # doctest: +SKIP
'raw'
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ktop_index import __version__, _files
from ktop_index.errors import DataError, InputError
from ktop_index.labels import (
    IMPORT_LINES,
    SCORE_HEADERS_BACK,
    SELECTION_HEADERS_BACK,
    SELECTION_VALUES_BACK,
)
from ktop_index.selection.audit import check_outputs
from ktop_index.tracking.store import FIRM_YEAR_FIELDS, SCORE_FIELDS, SELECTION_STATUSES, Store

# Korean headers of ``ktop score --lang ko`` output -> the score column.


@dataclass(frozen=True)
class ImportResult:
    """What an import did.

    ``kind`` is 'raw' (validated and scored here), 'scored' (stored as it was) or
    'selection'; ``duplicate`` is True when the same content (and model) was already in
    the store, in which case nothing was written and ``run`` is the earlier run.
    """

    kind: str
    source: str
    rows: int
    duplicate: bool
    input_sha256: str
    run: int | None = None
    model: str = ""
    model_sha256: str = ""
    new_firms: int = 0
    call: str | None = None
    purged_skipped: int = 0  # rows of firms purged before (ktop track purge), not stored

    def line(self, lang: str = "en") -> str:
        """One line for the terminal, in ``lang`` ('en' or 'ko';
        :data:`ktop_index.labels.IMPORT_LINES`)."""
        def text(key: str, **fields) -> str:
            english, korean = IMPORT_LINES[key]
            return (korean if lang == "ko" else english).format(**fields)

        what = text(self.kind, call=self.call, rows=self.rows, model=self.model, run=self.run)
        return text("duplicate" if self.duplicate else "imported", source=self.source,
                    what=what, new_firms=self.new_firms)


@dataclass(frozen=True)
class _Scoring:
    """The model of a run: the fitted index (None for a scored file of unknown model), its
    hash (:func:`model_sha256`; '' when unknown) and its name for people."""

    model: object | None
    sha256: str
    name: str


def import_path(path: str | os.PathLike, db=None, note: str | None = None,
                model=None) -> ImportResult:
    """Import a firm-year file, or a selection folder (a folder holding ``audit.json``)."""
    if Path(path).is_dir():
        return import_selection(path, db)
    return import_file(path, db, note=note, model=model)


# ---------------------------------------------------------------------------- firm-year files

def import_file(path: str | os.PathLike, db=None, note: str | None = None,
                model=None) -> ImportResult:
    """Store a firm-year file in the history: one new run, atomically, never twice.

    Parameters
    ----------
    path : CSV/XLSX/Parquet. A *raw* file (the data contract; money in KRW thousand, 천원,
        Korean headers accepted) is validated and scored with ``model``. A *scored* file
        (it has a ``tech_index`` / ``기업혁신역량지수`` column, as ``ktop score`` writes) is
        stored as it is; ``model`` then only records which model scored it.
    db : the store file (``./ktop_history.sqlite`` when None); created when absent.
    note : free text kept with the run (why it was imported).
    model : model file, fitted :class:`~ktop_index.index.techindex.TechIndex`, or None
        (bundled).

    Returns
    -------
    ImportResult
        ``kind`` says 'raw' or 'scored'; ``duplicate`` whether the same file bytes with the
        same model were already stored (then nothing is written).

    Raises :class:`~ktop_index.errors.DataError` listing every problem of a raw file.
    """
    from ktop_index.index.techindex import score_firms

    path = Path(path)
    digest = _files.sha256_file(path)
    with Store(db) as store:
        dataset, kind = _dataset_of(store, digest)
        # the same bytes were read before: no need to read them again unless a run is new
        frame, kind = (None, kind) if dataset else _read_firm_years(path)
        scoring = _scoring(model, kind)
        done = _existing_run(store, dataset, scoring.sha256)
        if done is not None:
            return ImportResult(kind, str(path), done[1], True, digest, done[0], scoring.name,
                                scoring.sha256)
        if frame is None:
            frame, kind = _read_firm_years(path)
        scores = score_firms(frame, scoring.model) if kind == "raw" else frame
        return _store_run(store, path, digest, kind, frame, scores, scoring, note)


def model_sha256(model=None) -> str:
    """The model hash: sha256 of the model's canonical JSON (``TechIndex.sha256``, that is
    :func:`ktop_index._files.model_sha256` of its ``to_dict()``).

    ``model``: a fitted :class:`~ktop_index.index.techindex.TechIndex`, a model file (loaded,
    then hashed in its canonical form) or None (the bundled model, whose hash is the sha256
    of ``models/default.json``'s bytes, since that file is written in the canonical form).

    >>> model_sha256()[:7]
    '1fc4180'
    """
    from ktop_index.index.techindex import as_model

    fitted = as_model(model)
    return fitted.sha256


def _scoring(model, kind: str) -> _Scoring:
    """The model that scores a raw file, or that a scored file names (none when not given)."""
    from ktop_index.index.techindex import as_model

    if kind != "raw" and model is None:
        return _Scoring(None, "", "")
    fitted = as_model(model)
    spec = fitted.spec_
    name = (f"{spec.get('name', 'model')} {spec.get('spec_version', '')} "
            f"(reference year {fitted.reference_['year']})")
    return _Scoring(fitted, fitted.sha256, name)


def _read_firm_years(path: Path) -> tuple[pd.DataFrame, str]:
    """The validated frame of a firm-year file and its kind ('raw' or 'scored')."""
    from ktop_index.data.io import read_table
    from ktop_index.data.validate import validate

    raw = read_table(path)
    _refuse_masked_file(raw)
    result = validate(raw)
    if not result.ok:
        raise DataError(result.problems)
    frame = result.frame.rename(columns=SCORE_HEADERS_BACK)
    if "tech_index" not in frame:
        return frame, "raw"
    for name in SCORE_FIELDS:
        if name in frame and name != "grade":
            frame[name] = _numbers(frame[name], raw.source, name, result.rows)
    return frame, "scored"


def _numbers(column: pd.Series, source: str, name: str, rows) -> np.ndarray:
    """A numeric column; a non-blank cell that is not a number is an error naming its row."""
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    bad = np.isnan(values) & column.notna().to_numpy() & (column.astype("str").str.strip()
                                                           != "").to_numpy()
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        more = f" (and {int(bad.sum()) - 1} more)" if bad.sum() > 1 else ""
        more_ko = f" (외 {int(bad.sum()) - 1}건)" if bad.sum() > 1 else ""
        raise DataError(f"{source}:{rows[k]}:{name}: '{column.iat[k]}' is not a number{more}",
                        ko=f"{source}:{rows[k]}:{name}: '{column.iat[k]}'은(는) 숫자가 "
                           f"아닙니다{more_ko}")
    return values


def _store_run(store: Store, path: Path, digest: str, kind: str, frame: pd.DataFrame,
               scores: pd.DataFrame, scoring: _Scoring, note: str | None) -> ImportResult:
    """Write the data set (if new), the run and its scores in one transaction."""
    with store.transaction():
        # checked again under the write lock: another import may have just stored it
        dataset = _dataset_of(store, digest)[0]
        done = _existing_run(store, dataset, scoring.sha256)
        if done is not None:
            return ImportResult(kind, str(path), done[1], True, digest, done[0], scoring.name,
                                scoring.sha256)
        before = store.count("firms")
        purged = store.purged_rows(frame["firm_id"], _brns(frame))
        if purged.any():  # the right to deletion: a purged firm is not stored again
            frame = frame.loc[~purged].reset_index(drop=True)
            scores = scores.loc[~purged].reset_index(drop=True)
        firms = store.firm_keys(frame["firm_id"], _brns(frame))
        if dataset is None:
            dataset = _add_dataset(store, frame, firms, digest, path, kind)
        run = _add_run(store, dataset, scoring, digest, note, len(frame))
        table = pd.DataFrame({"run": run, "firm": firms,
                              "year": frame["year"].to_numpy(dtype="int64")})
        for name in SCORE_FIELDS:
            if name in scores:
                table[name] = scores[name].to_numpy()
        store.insert_frame("scores", table)
        new_firms = store.count("firms") - before
    return ImportResult(kind, str(path), len(frame), False, digest, run, scoring.name,
                        scoring.sha256, new_firms, purged_skipped=int(purged.sum()))


def _refuse_masked_file(raw) -> None:
    """A masked copy (``ktop score --mask``: business numbers ``124-81-*****``) names no firm:
    stored, every firm of a tax office and type would become one."""
    from ktop_index.data.contract import match_header
    from ktop_index.data.mask import is_masked_brn

    for column in raw.frame.columns:
        if match_header(str(column))[0] in ("brn", "firm_id"):
            values = raw.frame[column].dropna().astype("str")
            if len(values) and values.map(is_masked_brn).any():
                first = values[values.map(is_masked_brn)].iloc[0]
                raise InputError(
                    f"{raw.source}: column {column}: '{first}' is a masked business number — "
                    "a copy masked for sharing (--mask) is not the record; import the "
                    "committee's unmasked file",
                    ko=f"{raw.source}: {column} 열: '{first}'은(는) 가려진 사업자등록번호입니다 — "
                       "외부 공유용 마스킹 사본(--mask)은 기록이 아닙니다; 위원회의 원본 파일을 "
                       "가져오세요")


def _brns(frame: pd.DataFrame) -> list:
    if "brn" not in frame:
        return [None] * len(frame)
    return frame["brn"].astype(object).where(frame["brn"].notna(), None).tolist()


def _dataset_of(store: Store, digest: str) -> tuple[int | None, str | None]:
    """(dataset, kind) of the file with these bytes, or (None, None)."""
    found = store.conn.execute("SELECT dataset, kind FROM datasets WHERE sha256 = ?",
                               (digest,)).fetchone()
    return (int(found[0]), str(found[1])) if found else (None, None)


def _existing_run(store: Store, dataset: int | None, model_sha: str
                  ) -> tuple[int, int] | None:
    """(run, rows) of the data set scored with this model, if it was."""
    if dataset is None:
        return None
    found = store.conn.execute("SELECT run, rows FROM runs WHERE dataset = ? AND "
                               "model_sha256 = ?", (dataset, model_sha)).fetchone()
    return (int(found[0]), int(found[1])) if found else None


def _add_dataset(store: Store, frame: pd.DataFrame, firms: np.ndarray, digest: str,
                 path: Path, kind: str) -> int:
    cursor = store.conn.execute(
        "INSERT INTO datasets (sha256, source, kind, rows, imported) VALUES (?, ?, ?, ?, ?)",
        (digest, path.name, kind, len(frame), _utc_now()))
    dataset = int(cursor.lastrowid)
    table = pd.DataFrame({"dataset": dataset, "firm": firms,
                          "year": frame["year"].to_numpy(dtype="int64")})
    for name in FIRM_YEAR_FIELDS:
        if name in frame:
            table[name] = frame[name].to_numpy()
    store.insert_frame("firm_years", table)
    return dataset


def _add_run(store: Store, dataset: int, scoring: _Scoring, digest: str, note: str | None,
             rows: int) -> int:
    model = scoring.model
    spec = model.spec_ if model is not None else {}
    reference = model.reference_["year"] if model is not None else None
    cursor = store.conn.execute(
        "INSERT INTO runs (dataset, model_name, model_version, model_sha256, reference_year, "
        "input_sha256, created, note, package_version, rows) VALUES (?,?,?,?,?,?,?,?,?,?)",
        (dataset, spec.get("name"), spec.get("spec_version"), scoring.sha256, reference,
         digest, _utc_now(), note, __version__, rows))
    return int(cursor.lastrowid)


def _utc_now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


# ---------------------------------------------------------------------------- selection folders

def import_selection(outdir: str | os.PathLike, db=None) -> ImportResult:
    """Store a ``ktop select`` output folder: which applicants a call selected and supported.

    Reads ``OUTDIR/selection.csv`` (columns ``brn, firm_name, status`` with status one of
    selected, waitlist, not_selected, ineligible, in English or Korean; optional ``rank,
    tech_index, support`` in KRW thousand, 천원) and ``OUTDIR/audit.json`` (its ``call``).
    The same two files imported again are recognised and not stored twice.

    Raises :class:`~ktop_index.errors.InputError` when a file is missing or the audit cannot
    be used, :class:`~ktop_index.errors.DataError` naming the first bad cell (file, row,
    column) and how many more there are.
    """
    from ktop_index.data.io import read_table

    outdir = Path(outdir)
    table_path, audit_path = outdir / "selection.csv", outdir / "audit.json"
    for needed in (table_path, audit_path):
        if not needed.exists():
            raise InputError(f"{needed}: missing (expected a `ktop select` output folder with "
                             "selection.csv and audit.json)",
                             ko=f"{needed}: 없습니다 (selection.csv와 audit.json이 있는 "
                                "`ktop select` 출력 폴더여야 합니다)")
    audit = _read_audit(audit_path)
    if audit.get("masked"):
        raise InputError(f"{outdir}: a masked copy of a selection (`ktop select --mask`: "
                         "business numbers 124-81-*****) is not the record of the decision; "
                         "import the committee's unmasked folder",
                         ko=f"{outdir}: 마스킹된 선정 결과 사본(`ktop select --mask`, 사업자등록번호 "
                            "124-81-*****)은 선정 기록이 아닙니다; 위원회의 원본 폴더를 가져오세요")
    check_outputs(outdir, audit)
    digest = _files.sha256_bytes(table_path.read_bytes() + b"\0" + audit_path.read_bytes())
    raw = read_table(table_path)
    frame = _selection_columns(raw.frame, str(table_path))
    brns, status = _checked_applicants(frame, raw.rows, table_path)
    with Store(db) as store:
        found = store.conn.execute("SELECT selection FROM selections WHERE sha256 = ?",
                                   (digest,)).fetchone()
        if found:
            return ImportResult("selection", str(outdir), len(frame), True, digest,
                                call=audit["call"])
        with store.transaction():
            before = store.count("firms")
            purged = store.purged_rows(brns, brns)
            if purged.any():  # the right to deletion: a purged firm is not stored again
                keep = ~purged
                frame, brns = frame.loc[keep].reset_index(drop=True), list(np.array(brns)[keep])
                status, rows_of = status[keep], list(np.array(raw.rows)[keep])
            else:
                rows_of = raw.rows
            selection = _add_selection(store, audit, digest, outdir)
            rows = pd.DataFrame({"selection": selection, "firm": store.firm_keys(brns, brns),
                                 "firm_name": frame.get("firm_name"), "status": status})
            for name in ("rank", "tech_index", "support"):
                if name in frame:
                    rows[name] = _numbers(frame[name], str(table_path), name, rows_of)
            store.insert_frame("selection_firms", rows)
            new_firms = store.count("firms") - before
    return ImportResult("selection", str(outdir), len(frame), False, digest, call=audit["call"],
                        new_firms=new_firms, purged_skipped=int(purged.sum()))


def _read_audit(path: Path) -> dict:
    """The audit record of a selection folder; it must name its call."""
    try:
        audit = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})",
                         ko=f"{path}:{exc.lineno}: 올바른 JSON이 아닙니다 ({exc.msg})") from None
    call = audit.get("call") if isinstance(audit, dict) else None
    if not call or not isinstance(call, str):
        raise InputError(f"{path}: no \"call\" name (expected e.g. \"call\": \"jeju_2025\")",
                         ko=f"{path}: 공고 이름 \"call\"이 없습니다 "
                            "(예: \"call\": \"jeju_2025\")")
    return audit


def _selection_columns(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """The selection table under canonical column names (Korean headers read back through
    :data:`ktop_index.labels.SELECTION_HEADERS_BACK`, the contract's for brn and firm_name)."""
    from ktop_index.data.contract import match_header

    names = {}
    for column in frame.columns:
        text = str(column).strip()
        if text in SELECTION_HEADERS_BACK:
            names[column] = SELECTION_HEADERS_BACK[text]
        elif match_header(text)[0] in ("brn", "firm_name"):
            names[column] = match_header(text)[0]
    frame = frame.rename(columns=names)
    missing = [c for c in ("brn", "status") if c not in frame]
    if missing:
        raise DataError(f"{source}:1: missing column(s) {', '.join(missing)} (expected the "
                        "columns of `ktop select` output: brn, firm_name, status, ...)",
                        ko=f"{source}:1: 열이 없습니다: {', '.join(missing)} (`ktop select` "
                           "출력의 열이어야 합니다: brn, firm_name, status, ...)")
    return frame


def _checked_applicants(frame: pd.DataFrame, rows, source: Path) -> tuple[list, np.ndarray]:
    """The applicants' business numbers (formatted) and statuses (canonical English).

    Raises :class:`DataError` naming the first bad cell when a number is invalid or a
    status unknown.
    """
    from ktop_index.data.brn import format_brn, is_valid_brn

    problems = []
    brn_text = frame["brn"].astype(object).where(frame["brn"].notna(), "")
    for row, value in zip(rows, brn_text):
        if not is_valid_brn(value):
            problems.append((f"{source}:{row}:brn: '{value}' is not a valid business number",
                             f"{source}:{row}:brn: '{value}'은(는) 올바른 사업자등록번호가 아닙니다"))
    status = frame["status"].astype("str").str.strip().replace(SELECTION_VALUES_BACK["status"])
    for row, value in zip(rows, status):
        if value not in SELECTION_STATUSES:
            expected = ", ".join(SELECTION_STATUSES)
            problems.append((f"{source}:{row}:status: '{value}' (expected one of {expected})",
                             f"{source}:{row}:status: '{value}' (가능한 값: {expected})"))
    if problems:
        (first, first_ko), more = problems[0], len(problems) - 1
        raise DataError(first + (f" (and {more} more)" if more else ""),
                        ko=first_ko + (f" (외 {more}건)" if more else ""))
    return [format_brn(v) for v in brn_text], status.to_numpy()


def _add_selection(store: Store, audit: dict, digest: str, outdir: Path) -> int:
    """Insert the call (when new) and the selection record; return the selection key."""
    now = _utc_now()
    store.conn.execute("INSERT OR IGNORE INTO calls (call, first_imported) VALUES (?, ?)",
                       (audit["call"], now))
    cursor = store.conn.execute(
        "INSERT INTO selections (call, sha256, source, created, imported, model_sha256, "
        "input_sha256, audit) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (audit["call"], digest, str(outdir), audit.get("created"), now,
         audit.get("model_sha256"),
         audit.get("input_sha256") or audit.get("input_data_sha256"),
         json.dumps(audit, ensure_ascii=False, sort_keys=True)))
    return int(cursor.lastrowid)
