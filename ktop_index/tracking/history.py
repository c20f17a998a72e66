"""Tracking firms over the years: imports into the history store, and the analyses that read it.

The store (:mod:`ktop_index.tracking.store`) keeps every firm-year, every scoring run and every
selection, append-only. This module fills it and asks it questions:

- :func:`import_file` stores a firm-year file: a raw file (the data contract) is validated and
  scored with a model, a scored file (``ktop score`` output) is stored as it is;
  :func:`import_selection` stores a ``ktop select`` output folder (which firms a call
  supported).
- :func:`firm_trajectory`: a firm's Tech-Index and domain scores by year, the year-on-year
  change split into the four domains' contributions, and grade moves.
- :func:`industry_series`: median and quartiles of the Tech-Index per year by KSIC division
  or by region (시도), as KIBO publishes its index by industry.
- :func:`support_effect`: supported firms against matched unsupported applicants, before
  and after: a difference-in-differences estimate with a bootstrap confidence interval.
- :func:`monitor`: flags for supported firms whose index, revenue or employment dropped, or
  whose data stopped arriving.

"Latest run per firm-year": when a firm-year was scored several times, the analyses use the
run imported last (the highest run number), so a re-scoring supersedes without erasing.

Example
-------
>>> import tempfile, os                                                  # doctest: +SKIP
>>> db = os.path.join(tempfile.mkdtemp(), "history.sqlite")              # doctest: +SKIP
>>> import_file("data/sample_panel.parquet", db).kind                    # doctest: +SKIP
'raw'
>>> firm_trajectory("101-81-00012", db)[["year", "tech_index", "change"]]  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ktop_index import __version__, reference
from ktop_index.tracking.store import (
    DOMAINS,
    FIRM_YEAR_FIELDS,
    SCORE_FIELDS,
    SELECTION_STATUSES,
    Store,
)

#: Default monitoring thresholds: a drop of the Tech-Index by 10 points (one reference sd),
#: of revenue or employment by 20 %, and data missing for 1 year or more.
DEFAULT_THRESHOLDS = {"tech_index": 10.0, "revenue": 0.20, "employees": 0.20, "stale_years": 1}

EFFECT_OUTCOMES = {"tech_index": "points", "revenue": "KRW thousand (천원)",
                   "employees": "persons"}

EFFECT_ASSUMPTIONS = (
    "ATT of support by difference-in-differences on nearest-neighbour matched applicants. "
    "Assumes: (1) parallel trends - without support a supported firm would have changed as "
    "its matched unsupported applicant did; (2) selection depended only on what matching "
    "uses (pre-support Tech-Index and size) and on fixed firm traits the differencing "
    "removes; (3) no spill-over to unsupported applicants; (4) firms whose data stopped are "
    "missing at random. Controls are eligible applicants not supported (waitlist, "
    "not_selected); matching is 1:1 with replacement within a caliper; the interval is a "
    "percentile bootstrap over matched sets (a control with the supported firms matched to it), "
    "keeping the matches fixed (it leaves out the uncertainty of the matching itself); the "
    "pair differences are bias-adjusted for the remaining covariate gap by a linear "
    "regression among unsupported applicants."
)

EFFECT_ASSUMPTIONS_KO = (
    "지원기업 평균처리효과(ATT): 지원 전 기업혁신역량지수와 규모로 최근접 매칭한 미지원 신청기업과의 "
    "이중차분 추정. 가정: (1) 평행추세 - 지원이 없었다면 지원기업도 매칭된 미지원 기업과 같은 만큼 "
    "변했을 것; (2) 선정은 매칭에 쓴 지원 전 지수·규모와, 차분으로 없어지는 고정된 기업 특성에만 "
    "달려 있었을 것; (3) 미지원 신청기업에 대한 파급효과가 없을 것; (4) 자료가 끊긴 기업은 무작위로 "
    "빠졌을 것. 비교기업은 선정되지 않은 적격 신청기업(예비, 미선정)이며, 복원 1:1 매칭(캘리퍼 "
    "이내), 남은 공변량 차이는 미지원 기업 회귀로 보정, 신뢰구간은 매칭 집합 단위 부트스트랩(매칭 "
    "자체의 불확실성은 제외)."
)

from ktop_index.labels import TRACKING_COLUMNS_KO as LABELS_KO
from ktop_index.labels import TRACKING_VALUES_KO as _VALUES_KO


def korean_labels(frame: pd.DataFrame) -> pd.DataFrame:
    """An analysis table with Korean column labels and Korean words for its coded values
    (outcome names, units, 'same'); the numbers are unchanged."""
    out = frame.copy()
    for name in ("outcome", "unit", "grade_move"):
        if name in out:
            out[name] = out[name].replace(_VALUES_KO)
    if "assumptions" in out:
        out["assumptions"] = EFFECT_ASSUMPTIONS_KO
        out.attrs["assumptions"] = EFFECT_ASSUMPTIONS_KO
    labels = dict(LABELS_KO)
    if "outcome" in out and "did" in out:
        labels["outcome"] = "성과지표"  # in the effect table, not the outcome domain
    return out.rename(columns=labels)


# Korean labels of selection.csv written with --lang ko, and of its status values.
_SELECTION_LABELS_KO = {"사업자등록번호": "brn", "사업자번호": "brn", "기업명": "firm_name",
                        "선정결과": "status", "선정여부": "status", "상태": "status",
                        "순위": "rank", "기업혁신역량지수": "tech_index", "지원금": "support",
                        "지원금(천원)": "support",
                        "지원금액": "support"}
_STATUS_KO = {"선정": "selected", "예비": "waitlist", "예비선정": "waitlist",
              "미선정": "not_selected", "탈락": "not_selected", "부적격": "ineligible",
              "자격미달": "ineligible"}


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

    def line(self) -> str:
        """One line for the terminal."""
        if self.kind == "selection":
            what = f"selection of call {self.call} ({self.rows} applicants)"
        else:
            how = f"scored with {self.model}" if self.kind == "raw" else "scores as in the file"
            what = f"{self.rows:,} firm-years, {how}, run {self.run}"
        if self.duplicate:
            return f"{self.source}: already in the store ({what}); nothing written"
        return f"{self.source}: imported {what}; {self.new_firms:,} new firms"


# ---------------------------------------------------------------------------- imports

def import_path(path: str | os.PathLike, db=None, note: str | None = None,
                model=None) -> ImportResult:
    """Import a firm-year file, or a selection folder (a folder holding ``audit.json``)."""
    if Path(path).is_dir():
        return import_selection(path, db)
    return import_file(path, db, note=note, model=model)


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
    model : model file, fitted :class:`~ktop_index.index.TechIndex`, or None (bundled).

    Returns
    -------
    ImportResult
        ``kind`` says 'raw' or 'scored'; ``duplicate`` whether the same file bytes with the
        same model were already stored (then nothing is written).

    Raises :class:`~ktop_index.validate.DataError` listing every problem of a raw file.
    """
    from ktop_index.index.techindex import TechIndex

    path = Path(path)
    digest = file_sha256(path)
    with Store(db) as store:
        dataset, kind = _dataset_of(store, digest)
        # the same bytes were read before: no need to read them again unless a run is new
        frame, kind = (None, kind) if dataset else _read_firm_years(path)
        if kind == "raw" or model is not None:
            fitted = model if isinstance(model, TechIndex) else TechIndex.load(model)
            model_sha, model_name = model_sha256(model), _model_label(fitted)
        else:
            fitted, model_sha, model_name = None, "", ""
        done = _existing_run(store, dataset, model_sha)
        if done is not None:
            return ImportResult(kind, str(path), done[1], True, digest, done[0], model_name,
                                model_sha)
        if frame is None:
            frame, kind = _read_firm_years(path)
        scores = _scores_of(frame, fitted) if kind == "raw" else frame
        with store.transaction():
            # checked again under the write lock: another import may have just stored it
            dataset = dataset or _dataset_of(store, digest)[0]
            done = _existing_run(store, dataset, model_sha)
            if done is not None:
                return ImportResult(kind, str(path), done[1], True, digest, done[0],
                                    model_name, model_sha)
            before = _count(store, "firms")
            firms = store.firm_keys(frame["firm_id"], _brns(frame))
            if dataset is None:
                dataset = _add_dataset(store, frame, firms, digest, path, kind)
            run = _add_run(store, dataset, fitted, model_sha, digest, note, len(frame))
            table = pd.DataFrame({"run": run, "firm": firms,
                                  "year": frame["year"].to_numpy(dtype="int64")})
            for name in SCORE_FIELDS:
                if name in scores:
                    table[name] = scores[name].to_numpy()
            store.insert_frame("scores", table)
            new_firms = _count(store, "firms") - before
    return ImportResult(kind, str(path), len(frame), False, digest, run, model_name, model_sha,
                        new_firms)


def import_selection(outdir: str | os.PathLike, db=None) -> ImportResult:
    """Store a ``ktop select`` output folder: which applicants a call selected and supported.

    Reads ``OUTDIR/selection.csv`` (columns ``brn, firm_name, status`` with status one of
    selected, waitlist, not_selected, ineligible; optional ``rank, tech_index, support`` in
    KRW thousand, 천원) and ``OUTDIR/audit.json`` (its ``call``). The same two files imported
    again are recognised and not stored twice.
    """
    from ktop_index.data.brn import format_brn, is_valid_brn
    from ktop_index.data.io import InputError, read_table

    outdir = Path(outdir)
    table_path, audit_path = outdir / "selection.csv", outdir / "audit.json"
    for needed in (table_path, audit_path):
        if not needed.exists():
            raise InputError(f"{needed}: missing (expected a `ktop select` output folder with "
                             "selection.csv and audit.json)")
    try:
        audit = json.loads(audit_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{audit_path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    call = audit.get("call") if isinstance(audit, dict) else None
    if not call or not isinstance(call, str):
        raise ValueError(f"{audit_path}: no \"call\" name (expected e.g. \"call\": \"jeju_2025\")")
    digest = hashlib.sha256(table_path.read_bytes() + b"\0" + audit_path.read_bytes()).hexdigest()
    raw = read_table(table_path)
    frame = _selection_columns(raw.frame, str(table_path))
    problems = []
    brn_text = frame["brn"].astype(object).where(frame["brn"].notna(), "")
    for row, value in zip(raw.rows, brn_text):
        if not is_valid_brn(value):
            problems.append(f"{table_path}:{row}:brn: '{value}' is not a valid business number")
    status = frame["status"].astype("str").str.strip().replace(_STATUS_KO)
    for row, value in zip(raw.rows, status):
        if value not in SELECTION_STATUSES:
            problems.append(f"{table_path}:{row}:status: '{value}' (expected one of "
                            f"{', '.join(SELECTION_STATUSES)})")
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ValueError(problems[0] + more)
    brns = [format_brn(v) for v in brn_text]
    now = _utc_now()
    with Store(db) as store:
        found = store.conn.execute("SELECT selection FROM selections WHERE sha256 = ?",
                                   (digest,)).fetchone()
        if found:
            return ImportResult("selection", str(outdir), len(frame), True, digest, call=call)
        with store.transaction():
            before = _count(store, "firms")
            firms = store.firm_keys(brns, brns)
            store.conn.execute("INSERT OR IGNORE INTO calls (call, first_imported) VALUES (?, ?)",
                               (call, now))
            cursor = store.conn.execute(
                "INSERT INTO selections (call, sha256, source, created, imported, model_sha256, "
                "input_sha256, audit) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (call, digest, str(outdir), audit.get("created"), now,
                 audit.get("model_sha256"),
                 audit.get("input_sha256") or audit.get("input_data_sha256"),
                 json.dumps(audit, ensure_ascii=False, sort_keys=True)))
            rows = pd.DataFrame({"selection": cursor.lastrowid, "firm": firms,
                                 "firm_name": frame.get("firm_name"), "status": status.to_numpy()})
            for name in ("rank", "tech_index", "support"):
                if name in frame:
                    rows[name] = _numbers(frame[name], str(table_path), name, raw.rows)
            store.insert_frame("selection_firms", rows)
            new_firms = _count(store, "firms") - before
    return ImportResult("selection", str(outdir), len(frame), False, digest, call=call,
                        new_firms=new_firms)


def file_sha256(path: str | os.PathLike) -> str:
    """sha256 of a file's bytes (read in 1 MiB blocks)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def model_sha256(model) -> str:
    """sha256 of a model file's bytes; of the bytes ``save`` would write for a fitted model."""
    from ktop_index.index.techindex import TechIndex, model_path

    if isinstance(model, TechIndex):
        text = json.dumps(model.to_dict(), ensure_ascii=False, indent=1, allow_nan=False)
        return hashlib.sha256((text + "\n").encode("utf-8")).hexdigest()
    return file_sha256(model_path("default.json") if model is None else model)


def _model_label(model) -> str:
    spec = model.spec_
    return (f"{spec.get('name', 'model')} {spec.get('spec_version', '')} "
            f"(reference year {model.reference_['year']})")


def _read_firm_years(path: Path) -> tuple[pd.DataFrame, str]:
    """The validated frame of a firm-year file and its kind ('raw' or 'scored')."""
    from ktop_index.data.io import read_table
    from ktop_index.data.validate import DataError, validate
    from ktop_index.index.techindex import OUTPUT_LABELS_KO

    raw = read_table(path)
    result = validate(raw)
    if not result.ok:
        raise DataError(result.problems)
    english = {ko: en for en, ko in OUTPUT_LABELS_KO.items()}
    frame = result.frame.rename(columns=english)
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
        raise ValueError(f"{source}:{rows[k]}:{name}: '{column.iat[k]}' is not a number "
                         f"(and {int(bad.sum()) - 1} more)" if bad.sum() > 1 else
                         f"{source}:{rows[k]}:{name}: '{column.iat[k]}' is not a number")
    return values


def _scores_of(frame: pd.DataFrame, model) -> pd.DataFrame:
    from ktop_index.index.techindex import score_firms

    return score_firms(frame, model)


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


def _add_run(store: Store, dataset: int, model, model_sha: str, digest: str,
             note: str | None, rows: int) -> int:
    spec = model.spec_ if model is not None else {}
    reference = model.reference_["year"] if model is not None else None
    cursor = store.conn.execute(
        "INSERT INTO runs (dataset, model_name, model_version, model_sha256, reference_year, "
        "input_sha256, created, note, package_version, rows) VALUES (?,?,?,?,?,?,?,?,?,?)",
        (dataset, spec.get("name"), spec.get("spec_version"), model_sha, reference, digest,
         _utc_now(), note, __version__, rows))
    return int(cursor.lastrowid)


def _count(store: Store, table: str) -> int:
    return int(store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def _utc_now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _selection_columns(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    from ktop_index.data.contract import match_header

    names = {}
    for column in frame.columns:
        text = str(column).strip()
        if text in _SELECTION_LABELS_KO:
            names[column] = _SELECTION_LABELS_KO[text]
        elif match_header(text)[0] in ("brn", "firm_name"):
            names[column] = match_header(text)[0]
    frame = frame.rename(columns=names)
    missing = [c for c in ("brn", "status") if c not in frame]
    if missing:
        raise ValueError(f"{source}:1: missing column(s) {', '.join(missing)} (expected the "
                         "columns of `ktop select` output: brn, firm_name, status, ...)")
    return frame


# ---------------------------------------------------------------------------- reading

def _open(db) -> Store:
    return Store(db, create=False)


_LATEST = """
WITH latest AS (SELECT firm, year, max(run) AS run FROM scores {where} GROUP BY firm, year)
SELECT l.firm, l.year, l.run, r.model_sha256, {score_columns}, {field_columns}
FROM latest l
JOIN scores s ON s.run = l.run AND s.firm = l.firm AND s.year = l.year
JOIN runs r ON r.run = l.run
LEFT JOIN firm_years fy ON fy.dataset = r.dataset AND fy.firm = l.firm AND fy.year = l.year
"""


def _latest_panel(store: Store, fields=("revenue", "employees"), firms=None,
                  scores=SCORE_FIELDS) -> pd.DataFrame:
    """Per firm-year, the scores of the latest run and the fields of that run's data set."""
    where, params = "", ()
    if firms is not None:
        firms = [int(f) for f in firms]
        where = f"WHERE firm IN ({', '.join('?' * len(firms))})" if firms else "WHERE 0"
        params = tuple(firms)
    sql = _LATEST.format(where=where,
                         score_columns=", ".join(f"s.{c}" for c in scores),
                         field_columns=", ".join(f"fy.{c}" for c in fields))
    frame = store.query(sql, params)
    for name in frame.columns:
        if name not in ("grade", "model_sha256", "ksic", "region", "firm_name"):
            frame[name] = pd.to_numeric(frame[name]).astype("float64")
    for name in ("firm", "year", "run"):
        frame[name] = frame[name].astype("int64")
    return frame.sort_values(["firm", "year"], kind="stable").reset_index(drop=True)


def latest_scores(db=None, year: int | None = None) -> pd.DataFrame:
    """Every firm-year's scores from its latest run, with the firm's identity and size.

    Parameters
    ----------
    db : the store file.
    year : only this year's rows (all years when None).

    Returns
    -------
    DataFrame ``brn, firm_id, firm_name, year, ksic, region, employees (persons), revenue
    (KRW thousand, 천원)``, the score columns of ``ktop score`` (domain scores 0-100,
    ``tech_index`` base 100, ``grade`` ...), then ``run`` and ``model_sha256``; one row per
    firm-year, sorted by firm and year. Re-scoring never changes older runs; this is the view
    of the newest.

    >>> latest_scores("ktop_track.sqlite", year=2024)  # doctest: +SKIP
    """
    with _open(db) as store:
        panel = _latest_panel(store, fields=("firm_name", "ksic", "region", "employees",
                                             "revenue"))
        firms = store.query("SELECT firm, firm_id, brn FROM firms")
    if year is not None:
        panel = panel[panel["year"] == int(year)]
    panel = panel.merge(firms, on="firm", how="left", validate="many_to_one")
    first = ["brn", "firm_id", "firm_name", "year", "ksic", "region", "employees", "revenue"]
    rest = [c for c in SCORE_FIELDS if c in panel] + ["run", "model_sha256"]
    return panel[first + rest].reset_index(drop=True)


def _firm_key(store: Store, brn: str) -> int:
    from ktop_index.data.brn import format_brn, is_valid_brn

    text = str(brn).strip()
    keys = [text] + ([format_brn(text)] if is_valid_brn(text) else [])
    for key in keys:
        found = store.conn.execute("SELECT firm FROM firms WHERE firm_id = ? OR brn = ? "
                                   "ORDER BY firm LIMIT 1", (key, key)).fetchone()
        if found:
            return int(found[0])
    raise ValueError(f"firm '{brn}' is not in the store {store.path} (expected a business "
                     "number or firm_id of an imported file)")


def _grade_order() -> list[str]:
    from ktop_index.index.techindex import load_spec

    return [g["grade"] for g in load_spec()["grades"]]


def firm_trajectory(brn: str, db=None) -> pd.DataFrame:
    """A firm's Tech-Index by year, with its year-on-year change split into the domains.

    Parameters
    ----------
    brn : business number (any common form: ``1248100998``, ``124-81-00998``) or firm_id.
    db : the store file (``./ktop_history.sqlite`` when None).

    Returns
    -------
    DataFrame, one row per year with scores (the latest run of each year):
    ``year, tech_index, grade, infrastructure, input, activity, outcome, composite`` (0-100
    domain scores, base-100 index), ``revenue`` (KRW thousand, 천원), ``employees``
    (persons), ``change`` (tech_index minus that of the previous year with scores),
    ``contrib_change_<domain>`` (the change of each domain's contribution to
    ``tech_index - 100``), ``contrib_change_other`` (what the domains do not explain: zero
    when all four domains are scored in both years; a missing domain re-weights the others),
    ``previous_year``, ``grade_move`` (e.g. ``BB -> BBB (+1)``), ``run``, ``model_sha256``.

    The decomposition needs the same model in both years: where the two years were scored
    by different models (or a scored file of unknown model), the contributions are left
    empty and only ``change`` is given. Missing: a not-rated year (grade NR) has no index.

    >>> firm_trajectory("124-81-00998", "history.sqlite")  # doctest: +SKIP
    """
    with _open(db) as store:
        firm = _firm_key(store, brn)
        panel = _latest_panel(store, firms=[firm])
    contrib = [f"contrib_{d}" for d in DOMAINS]
    previous = panel.shift(1)
    out = panel[["year", "tech_index", "grade", *DOMAINS, "composite", "revenue", "employees"]]
    out = out.copy()
    out["change"] = panel["tech_index"] - previous["tech_index"]
    same = ((panel["model_sha256"] == previous["model_sha256"])
            & (panel["model_sha256"].fillna("") != "")).to_numpy()
    explained = np.zeros(len(panel))
    for name in contrib:
        delta = np.where(same, panel[name] - previous[name], np.nan)
        out[f"contrib_change_{name.removeprefix('contrib_')}"] = delta
        explained = explained + delta
    out["contrib_change_other"] = out["change"].to_numpy() - explained + 0.0  # no "-0.0" in tables
    out["previous_year"] = previous["year"].astype("Int64")
    out["grade_move"] = _grade_moves(previous["grade"], panel["grade"])
    out["run"] = panel["run"]
    out["model_sha256"] = panel["model_sha256"]
    return out.reset_index(drop=True)


def _grade_moves(before: pd.Series, after: pd.Series) -> list[str]:
    """'BB -> BBB (+1)': up is positive; a move to or from NR has no step count."""
    rank = {g: k for k, g in enumerate(_grade_order())}  # 0 = best
    moves = []
    for old, new in zip(before, after):
        if not isinstance(old, str) or not isinstance(new, str):
            moves.append("")
        elif old == new:
            moves.append("same")
        elif old in rank and new in rank:
            moves.append(f"{old} -> {new} ({rank[old] - rank[new]:+d})")
        else:
            moves.append(f"{old} -> {new}")
    return moves


def industry_series(db=None, by: str = "ksic_division", min_n: int = 1,
                    lang: str = "en") -> pd.DataFrame:
    """Median and quartiles of the Tech-Index per year, by KSIC division or by region.

    Parameters
    ----------
    db : the store file.
    by : 'ksic_division' (the first two digits of the KSIC code) or 'region' (the 시도: the
        first word of the region or address; the first two digits of a region code).
    min_n : groups with fewer rated firms are left out (set e.g. 5 before publishing, so no
        single firm's score can be read off a quartile).
    lang : language of the division names ('en' or 'ko').

    Returns
    -------
    DataFrame ``year, <by>, [industry,] n, p25, median, p75`` (``industry``: the division's
    name, by KSIC division only; Tech-Index points; quartiles by linear
    interpolation, numpy's default), over rated firm-years (grade NR has no index), each
    firm-year from its latest run. Firm-years without a code are grouped as ''.
    """
    if by not in ("ksic_division", "region"):
        raise ValueError(f"by='{by}' (expected 'ksic_division' or 'region')")
    if min_n < 1:
        raise ValueError(f"min_n={min_n} (expected at least 1)")
    with _open(db) as store:
        panel = _latest_panel(store, fields=("ksic", "region"), scores=("tech_index",))
    panel = panel[panel["tech_index"].notna()]
    source = panel["ksic"] if by == "ksic_division" else panel["region"]
    text = source.astype("str").where(source.notna(), "").str.strip()
    if by == "ksic_division":
        group = text.str.extract(r"^[A-Za-z]?(\d{2})", expand=False).fillna("")
    else:
        digits = text.str.fullmatch(r"\d{5}|\d{10}")
        group = text.str.split().str[0].fillna("").where(~digits, text.str.slice(0, 2))
    panel = panel.assign(**{by: group.to_numpy()})
    grouped = panel.groupby(["year", by], sort=True)["tech_index"]
    out = grouped.agg(n="size", p25=lambda v: np.percentile(v, 25), median="median",
                      p75=lambda v: np.percentile(v, 75)).reset_index()
    out["n"] = out["n"].astype("int64")
    if by == "ksic_division":
        out.insert(2, "industry", out["ksic_division"].map(division_names(lang)).fillna(""))
    return out[out["n"] >= min_n].reset_index(drop=True)


def division_names(lang: str = "en") -> dict[str, str]:
    """KSIC division code -> its 11th-revision name (:func:`ktop_index.reference.division_names`)."""
    return reference.division_names(lang)


def _call_year(call: str) -> int:
    found = re.search(r"(19|20)\d{2}", call)
    if not found:
        raise ValueError(f"call '{call}' names no year; give support_year (the first year of "
                         "support, e.g. 2025)")
    return int(found.group(0))


def _latest_selection(store: Store, call: str) -> pd.DataFrame:
    found = store.conn.execute("SELECT max(selection) FROM selections WHERE call = ?",
                               (call,)).fetchone()[0]
    if found is None:
        calls = [r[0] for r in store.conn.execute("SELECT call FROM calls ORDER BY call")]
        raise ValueError(f"no selection of call '{call}' in the store {store.path} (calls "
                         f"stored: {', '.join(calls) or 'none'}; import a `ktop select` "
                         "output folder with ktop track import)")
    return store.query(
        "SELECT sf.firm, f.brn, sf.firm_name, sf.status, sf.support FROM selection_firms sf "
        "JOIN firms f ON f.firm = sf.firm WHERE sf.selection = ? ORDER BY sf.firm", (found,))


def support_effect(db, call: str, support_year: int | None = None, caliper: float = 0.5,
                   n_boot: int = 999, seed: int = 0, level: float = 0.95) -> pd.DataFrame:
    """The effect of a call's support: difference-in-differences on matched applicants.

    Supported firms (status ``selected``) are compared with eligible applicants that were
    not supported (``waitlist``, ``not_selected``) of the same call; ineligible applicants
    are left out (they differ by rule: region, size, industry). Each supported firm is
    matched to the unsupported applicant nearest in pre-support Tech-Index and size
    (``log(1 + employees)`` and ``log(1 + revenue)``), each standardised by its sd among
    the applicants; 1:1 with replacement, within ``caliper`` (in those sd units); supported
    firms with no control that close are left out and counted in ``n_unmatched``. The
    pre-support year is ``support_year - 1`` (a 2025 call reads 2024 figures); post years
    are ``support_year`` and after. For each outcome the estimate is the mean over pairs of
    ``(post - pre)_supported - (post - pre)_matched``, bias-adjusted for the pair's
    remaining covariate gap by a linear regression of the change on the covariates among
    unsupported applicants (Abadie and Imbens 2011); ``post`` is the mean over the post
    years with data (horizon ``FIRST-LAST``) or one post year (horizon ``YEAR``). The
    interval is a percentile bootstrap over matched sets (a control and the supported
    firms matched to it), clustered so that a control used twice is not counted as two
    independent comparisons.

    Parameters
    ----------
    db : the store (with the call's selection and the firms' later firm-years imported).
    call : the call name, e.g. 'jeju_2025' (the latest imported selection of it is used).
    support_year : first year of support; the year in the call's name when None.
    caliper : largest matching distance, in standard deviations.
    n_boot, seed : bootstrap replicates and seed (the same seed gives the same interval).
    level : confidence level of the interval.

    Returns
    -------
    DataFrame, one row per outcome (tech_index in points, revenue in KRW thousand 천원,
    employees in persons) and horizon: ``outcome, unit, horizon, n_pairs, n_controls,
    treated_pre, treated_post, control_pre, control_post, did, se, ci_low, ci_high,
    n_unmatched, assumptions``. ``did`` is the average effect on the supported firms (ATT).
    ``attrs['unmatched']`` lists the supported firms left out (``brn, firm_name, tech_index,
    employees, revenue, reason``, pre-support figures): the estimate does not speak for them.

    Assumptions (also in the ``assumptions`` column): parallel trends given the matching;
    selection on the matched pre-support index and size plus fixed traits; no spill-over;
    firms whose data stopped missing at random. The bootstrap keeps the matches fixed, so
    the interval leaves out the matching's own uncertainty (on synthetic data with a known
    effect, tests/test_track.py, it covers the truth; expect it to be somewhat narrow).
    """
    if not 0 < level < 1:
        raise ValueError(f"level={level} (expected between 0 and 1)")
    year0 = support_year or _call_year(call)
    with _open(db) as store:
        selection = _latest_selection(store, call)
        panel = _latest_panel(store, firms=selection["firm"])
    treated = selection.loc[selection["status"] == "selected", "firm"].to_numpy()
    controls = selection.loc[selection["status"].isin(["waitlist", "not_selected"]),
                             "firm"].to_numpy()
    if len(treated) == 0 or len(controls) == 0:
        raise ValueError(f"call '{call}': {len(treated)} supported firms and {len(controls)} "
                         "unsupported eligible applicants (expected some of each)")
    base = panel[panel["year"] == year0 - 1].set_index("firm")
    pairs, standardised, unmatched = _match(_covariates(base), treated, controls, caliper)
    post_years = sorted(y for y in panel["year"].unique() if y >= year0)
    if not post_years:
        raise ValueError(f"call '{call}': no firm-years from {year0} on in the store (import "
                         "the supported firms' later data first)")
    rng = np.random.default_rng(seed)
    rows = []
    for outcome, unit in EFFECT_OUTCOMES.items():
        wide = panel.pivot_table(index="firm", columns="year", values=outcome, aggfunc="first")
        pre = wide.get(year0 - 1, pd.Series(dtype=float))
        horizons = [("all", post_years)] + [(str(y), [y]) for y in post_years]
        for name, years in horizons:
            post = wide.reindex(columns=years).mean(axis=1, skipna=True)
            label = name if name != "all" else f"{post_years[0]}-{post_years[-1]}"
            rows.append(_did_row(outcome, unit, label, pairs, pre, post, standardised,
                                 controls, rng, n_boot, level)
                        | {"n_unmatched": unmatched})
    out = pd.DataFrame(rows)
    out["assumptions"] = EFFECT_ASSUMPTIONS
    out.attrs["assumptions"] = EFFECT_ASSUMPTIONS
    out.attrs["unmatched"] = _unmatched_table(selection, treated, pairs, base)
    return out


def _unmatched_table(selection: pd.DataFrame, treated, pairs, base: pd.DataFrame
                     ) -> pd.DataFrame:
    """The supported firms the estimate leaves out, with their pre-support figures and why:
    the estimate speaks only for the firms that found a comparable control."""
    left = [f for f in treated if f not in set(pairs[:, 0].tolist())]
    covered = _covariates(base).index
    table = selection.set_index("firm").loc[left, ["brn", "firm_name"]]
    pre = base.reindex(left)
    for name in ("tech_index", "employees", "revenue"):
        table[name] = pre[name].to_numpy() if name in pre else np.nan
    table["reason"] = ["no unsupported applicant within the caliper" if f in covered
                       else "no pre-support index, employees or revenue" for f in left]
    return table.reset_index(drop=True)


def _covariates(base: pd.DataFrame) -> pd.DataFrame:
    """Matching covariates of the pre-support year: Tech-Index and size (log employees and
    log revenue); firms missing any are left out."""
    return pd.DataFrame({"tech_index": base["tech_index"],
                         "log_employees": np.log1p(base["employees"]),
                         "log_revenue": np.log1p(base["revenue"].clip(lower=0))}).dropna()


def _match(covariates: pd.DataFrame, treated, controls, caliper: float
           ) -> tuple[np.ndarray, np.ndarray, int]:
    """Nearest-neighbour pairs with replacement within the caliper.

    Returns (pairs of firm keys: treated, control), the standardised covariates of all
    applicants (firm -> row) and the number of supported firms left unmatched.
    """
    t = covariates.reindex([f for f in treated if f in covariates.index])
    c = covariates.reindex([f for f in controls if f in covariates.index])
    if len(t) == 0 or len(c) == 0:
        raise ValueError("no supported firm or no unsupported applicant has a pre-support "
                         "Tech-Index, employees and revenue (expected the call's applicants "
                         "file, the year before support, in the store)")
    scale = pd.concat([t, c]).std(ddof=1).replace(0, 1.0).fillna(1.0)
    tv, cv = (t / scale).to_numpy(), (c / scale).to_numpy()
    distance = np.sqrt(((tv[:, None, :] - cv[None, :, :]) ** 2).sum(axis=2))
    nearest = distance.argmin(axis=1)  # ties: the first control in firm order
    close = distance[np.arange(len(tv)), nearest] <= caliper
    pairs = np.column_stack([t.index.to_numpy()[close], c.index.to_numpy()[nearest[close]]])
    unmatched = len(treated) - int(close.sum())
    return pairs.astype("int64"), covariates / scale, unmatched


def _did_row(outcome, unit, horizon, pairs, pre, post, standardised, controls, rng, n_boot,
             level) -> dict:
    """The matched difference-in-differences of one outcome and horizon, bias-adjusted.

    The residual covariate gap of each pair is adjusted for by a linear regression of the
    change on the covariates among all unsupported applicants (Abadie and Imbens 2011), so
    an imperfect match does not pass for an effect.
    """
    change = post - pre
    t_change = change.reindex(pairs[:, 0]).to_numpy()
    c_change = change.reindex(pairs[:, 1]).to_numpy()
    keep = ~np.isnan(t_change + c_change)
    beta = _control_slope(change, standardised, controls)
    gap = (standardised.reindex(pairs[:, 0]).to_numpy()
           - standardised.reindex(pairs[:, 1]).to_numpy())
    diff = (t_change - c_change - gap @ beta)[keep]
    t_firms, c_firms = pairs[keep, 0], pairs[keep, 1]
    row = {"outcome": outcome, "unit": unit, "horizon": horizon, "n_pairs": int(keep.sum()),
           "n_controls": len(np.unique(c_firms)),
           "treated_pre": _mean(pre.reindex(t_firms).to_numpy()),
           "treated_post": _mean(post.reindex(t_firms).to_numpy()),
           "control_pre": _mean(pre.reindex(c_firms).to_numpy()),
           "control_post": _mean(post.reindex(c_firms).to_numpy()),
           "did": _mean(diff), "se": np.nan, "ci_low": np.nan, "ci_high": np.nan}
    if diff.size >= 2:
        means = _cluster_bootstrap(diff, c_firms, rng, n_boot)
        tail = (1 - level) / 2 * 100
        row["se"] = float(means.std(ddof=1))
        row["ci_low"], row["ci_high"] = (float(v) for v in
                                         np.percentile(means, [tail, 100 - tail]))
    return row


def _cluster_bootstrap(diff: np.ndarray, clusters: np.ndarray, rng, n_boot: int
                       ) -> np.ndarray:
    """Bootstrap means of ``diff`` resampling whole clusters: the supported firms matched to
    one control share its noise, so they are drawn together."""
    codes, _ = pd.factorize(clusters)
    n = codes.max() + 1
    sums = np.bincount(codes, weights=diff, minlength=n)
    counts = np.bincount(codes, minlength=n).astype(float)
    draws = rng.integers(0, n, size=(n_boot, n))
    return sums[draws].sum(axis=1) / counts[draws].sum(axis=1)


def _control_slope(change: pd.Series, standardised: pd.DataFrame, controls) -> np.ndarray:
    """OLS slopes of the change on the standardised covariates among unsupported applicants
    (zero when there are too few of them to fit)."""
    x = standardised.reindex(controls)
    y = change.reindex(controls)
    ok = (x.notna().all(axis=1) & y.notna()).to_numpy()
    k = standardised.shape[1]
    if ok.sum() <= 2 * (k + 1):
        return np.zeros(k)
    design = np.column_stack([np.ones(ok.sum()), x.to_numpy()[ok]])
    coef, *_ = np.linalg.lstsq(design, y.to_numpy()[ok], rcond=None)
    return coef[1:]


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if values.size else np.nan


# ---------------------------------------------------------------------------- monitoring

def monitor(db, call: str, thresholds: dict | None = None, as_of: int | None = None,
            support_year: int | None = None, lang: str = "en") -> pd.DataFrame:
    """Flags for a call's supported firms: drops of index, revenue, employment; stale data.

    Each supported firm's latest year with data is compared with its previous year with
    data and with its pre-support base year (``support_year - 1``). Flags:

    - ``index_drop``: the Tech-Index fell by at least ``thresholds['tech_index']`` points;
    - ``revenue_drop`` / ``employment_drop``: revenue (KRW thousand, 천원) / employees fell
      by at least the share ``thresholds['revenue']`` / ``thresholds['employees']``
      (0.2 = 20 %), against either year;
    - ``data_stopped``: no firm-year in the last ``thresholds['stale_years']`` year(s) up to
      ``as_of`` (the latest year in the store when None), or no data at all.

    Parameters
    ----------
    db, call : the store and the call (its latest imported selection).
    thresholds : overrides of :data:`DEFAULT_THRESHOLDS`.
    as_of : the year data should have reached.
    support_year : first year of support; the year in the call's name when None.
    lang : language of the ``flags`` words, 'en' or 'ko'.

    Returns
    -------
    DataFrame, one row per supported firm, flagged firms first: ``brn, firm_name,
    base_year, previous_year, last_year, tech_index_base, tech_index_previous,
    tech_index_last, revenue_base, revenue_previous, revenue_last, employees_base,
    employees_previous, employees_last, index_drop, revenue_drop, employment_drop,
    data_stopped, flags`` (the flags in words, '; '-joined). A missing value raises no
    drop flag.
    """
    limits = dict(DEFAULT_THRESHOLDS)
    unknown = set(thresholds or {}) - set(limits)
    if unknown:
        raise ValueError(f"unknown threshold(s) {', '.join(sorted(unknown))} (expected "
                         f"{', '.join(limits)})")
    limits.update(thresholds or {})
    year0 = support_year or _call_year(call)
    with _open(db) as store:
        selection = _latest_selection(store, call)
        supported = selection[selection["status"] == "selected"].reset_index(drop=True)
        panel = _latest_panel(store, firms=supported["firm"], scores=("tech_index",))
        latest_year = store.conn.execute("SELECT max(year) FROM scores").fetchone()[0]
    as_of = as_of or latest_year
    panel = panel[panel["year"] <= as_of]  # monitoring as of a past year ignores later data
    rows = [_monitor_row(panel[panel["firm"] == firm], year0 - 1, as_of, limits, lang)
            for firm in supported["firm"]]
    out = pd.concat([supported[["brn", "firm_name"]], pd.DataFrame(rows)], axis=1)
    out["n_flags"] = out[["index_drop", "revenue_drop", "employment_drop",
                          "data_stopped"]].sum(axis=1)
    out = out.sort_values(["n_flags", "brn"], ascending=[False, True], kind="stable")
    return out.drop(columns="n_flags").reset_index(drop=True)


def _monitor_row(history: pd.DataFrame, base_year: int, as_of, limits: dict,
                 lang: str) -> dict:
    history = history.set_index("year")
    years = sorted(history.index)
    last = years[-1] if years else None
    previous = years[-2] if len(years) >= 2 else None
    row = {"base_year": base_year, "previous_year": previous, "last_year": last}

    def value(name, year):
        return float(history.at[year, name]) if year in history.index else np.nan

    drops = {}
    for name, flag in (("tech_index", "index_drop"), ("revenue", "revenue_drop"),
                       ("employees", "employment_drop")):
        base, prev, now = (value(name, base_year), value(name, previous),
                           value(name, last))
        row.update({f"{name}_base": base, f"{name}_previous": prev, f"{name}_last": now})
        if name == "tech_index":  # a drop in points
            fell = [ref - now >= limits[name] for ref in (base, prev) if not np.isnan(ref)]
        else:  # a drop as a share of the reference year's value
            fell = [(ref - now) / ref >= limits[name] for ref in (base, prev)
                    if not np.isnan(ref) and ref > 0]
        drops[flag] = bool(not np.isnan(now) and any(fell)) if last != base_year else False
    row.update(drops)
    stale = last is None or (as_of is not None and as_of - last >= limits["stale_years"])
    row["data_stopped"] = bool(stale)
    if lang == "ko":
        words = {"index_drop": f"지수 {limits['tech_index']:g}점 이상 하락",
                 "revenue_drop": f"매출 {limits['revenue']:.0%} 이상 감소",
                 "employment_drop": f"고용 {limits['employees']:.0%} 이상 감소",
                 "data_stopped": f"{last}년 이후 자료 없음" if last else "자료 없음"}
    else:
        words = {"index_drop": f"Tech-Index down {limits['tech_index']:g}+ points",
                 "revenue_drop": f"revenue down {limits['revenue']:.0%}+",
                 "employment_drop": f"employment down {limits['employees']:.0%}+",
                 "data_stopped": f"no data after {last}" if last else "no data at all"}
    row["flags"] = "; ".join(words[k] for k in words if row[k])
    return row
