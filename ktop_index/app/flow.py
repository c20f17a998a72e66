"""The steps of the page's selection tab as small functions, with no Streamlit in them.

The page (:mod:`ktop_index.app.page`) only draws what these return, so the logic is tested
directly. Every step goes through the API the command line uses: the applicants are read and
checked by :func:`~ktop_index.data.io.read_table` and :func:`~ktop_index.data.validate.validate`
from the uploaded bytes written to a file of the uploaded name; the call is a TOML file loaded by
:func:`~ktop_index.selection.calls.load_call`; the run is
:func:`~ktop_index.selection.decide.select_file` and
:func:`~ktop_index.report.outputs.write_selection` with the defaults of ``ktop select``, so the
files offered for download are the bytes ``ktop select`` writes for the same inputs and the same
``created`` stamp.

Example
-------
>>> from pathlib import Path
>>> upload = Upload("jeju_2025_applicants.xlsx",
...                 Path("data/jeju_2025_applicants.xlsx").read_bytes())   # doctest: +SKIP
>>> checked = read_applicants(upload)                                      # doctest: +SKIP
>>> checked.ok, len(checked.problems)                                      # doctest: +SKIP
(True, 0)
>>> run = run_selection(upload, bundled_upload("jeju_2025"),
...                     created="2025-03-01T09:00:00+09:00", lang="ko")    # doctest: +SKIP
>>> sorted(run.files)                                                      # doctest: +SKIP
['audit.json', 'report_ko.html', 'selection.csv', 'selection.xlsx']
"""

from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import math
import os
import re
import shutil
import tempfile
import tomllib
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ktop_index.data.io import RawTable, read_table, write_table
from ktop_index.data.validate import validate
from ktop_index.errors import CallError, DataError, KtopError
from ktop_index.labels import PAGE_WORDS, SELECTION_COLUMNS_EN, SELECTION_COLUMNS_KO, STATUS_KO
from ktop_index.report.html import report_selection
from ktop_index.report.outputs import write_selection
from ktop_index.selection.calls import bundled_calls, load_call, read_call_bytes
from ktop_index.selection.decide import Selection, select_file

LANGS = ("ko", "en")
#: Where ``ktop app --lang`` tells the page its first language; ``KTOP_CREATED`` pins the
#: created stamp of every run (tests compare the page's files with ``ktop select --created``).
LANG_VARIABLE, CREATED_VARIABLE = "KTOP_APP_LANG", "KTOP_CREATED"
#: Background colours of the four statuses in the ranked table (green, amber, grey, red).
STATUS_COLOURS = {"selected": "#d8f0dc", "waitlist": "#fff1c7", "not_selected": "#ececec",
                  "ineligible": "#f9d9d9"}
#: The colour of a cell with a problem.
PROBLEM_COLOUR = "#f9d9d9"
#: The call's keys the page lets an officer adjust: (section, key).
ADJUSTABLE = (("money", "budget"), ("money", "max_firms"), ("scoring", "tech_weight"),
              ("scoring", "committee_weight"))


def words(key: str, lang: str) -> str:
    """The page's own words (:data:`ktop_index.labels.PAGE_WORDS`) in ``lang``.

    >>> words("run", "ko"), words("run", "en")
    ('선정 실행', 'Run selection')
    """
    english, korean = PAGE_WORDS[key]
    return korean if lang == "ko" else english


# ---------------------------------------------------------------------------- uploads, language

class PageError(Exception):
    """A step the inputs stop: ``lines`` say why, one problem a line, in the page's
    language (the page shows them; it never shows a traceback)."""

    def __init__(self, lines: list[str]):
        super().__init__("; ".join(lines))
        self.lines = lines


@dataclass(frozen=True)
class Upload:
    """An uploaded file: its name (as the officer's computer had it) and its bytes."""

    name: str
    data: bytes


def keep_upload(state: MutableMapping, key: str, name: str | None, data: bytes | None) -> None:
    """Keep an upload in the page's state under ``key`` (None removes it): the one way an
    uploaded file enters the page, so a test sets the state as an upload would.

    >>> state = {}
    >>> keep_upload(state, "applicants", "a.csv", b"x"); state["applicants"].name
    'a.csv'
    >>> keep_upload(state, "applicants", None, None); "applicants" in state
    False
    """
    if name is None or data is None:
        state.pop(key, None)
    else:
        state[key] = Upload(safe_name(name), bytes(data))


def safe_name(name: str, default: str = "upload") -> str:
    """A file's base name, without any folder a browser may send (``C:\\x\\a.xlsx``).

    >>> safe_name("C:\\\\Users\\\\kim\\\\신청기업.xlsx"), safe_name("../../a.csv"), safe_name("..")
    ('신청기업.xlsx', 'a.csv', 'upload')
    """
    base = re.split(r"[\\/]", str(name))[-1].strip()
    return default if base in ("", ".", "..") else base


def write_upload(upload: Upload, folder: str | os.PathLike) -> Path:
    """Write an upload into ``folder`` under its own name; returns the path."""
    path = Path(folder) / safe_name(upload.name)
    path.write_bytes(upload.data)
    return path


def page_lang(params: Mapping, environ: Mapping | None = None) -> str:
    """The page's first language: ``?lang=`` in the address, else what ``ktop app --lang``
    said (:data:`LANG_VARIABLE`), else Korean.

    >>> page_lang({"lang": "en"}), page_lang({}, {}), page_lang({"lang": "fr"}, {})
    ('en', 'ko', 'ko')
    """
    environ = os.environ if environ is None else environ
    for value in (params.get("lang"), environ.get(LANG_VARIABLE)):
        if isinstance(value, str) and value.strip().lower() in LANGS:
            return value.strip().lower()
    return "ko"


def created_stamp(environ: Mapping | None = None) -> str:
    """The created stamp of a run: :data:`CREATED_VARIABLE` when set, else now (UTC, to the
    second), as ``ktop select`` stamps its audit.

    >>> created_stamp({"KTOP_CREATED": "2025-03-01T09:00:00+09:00"})
    '2025-03-01T09:00:00+09:00'
    """
    environ = os.environ if environ is None else environ
    pinned = str(environ.get(CREATED_VARIABLE, "")).strip()
    return pinned or dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def error_lines(exc: Exception, lang: str, folder: str | os.PathLike | None = None) -> list[str]:
    """What went wrong, as the lines a person reads (never a traceback): every error of a
    :class:`~ktop_index.errors.DataError`, every problem of a call, else the one-line message;
    the page's temporary ``folder`` is taken out of the lines.

    >>> error_lines(KtopError("a.csv: empty", ko="a.csv: 빈 파일"), "ko")
    ['a.csv: 빈 파일']
    """
    if isinstance(exc, DataError) and exc.problems:
        lines = [p.line(lang) for p in exc.problems if p.severity == "error"]
    elif isinstance(exc, CallError) and getattr(exc, "problems", None):
        source = Path(getattr(exc, "source", "")).name
        found = exc.problems_ko if lang == "ko" else exc.problems
        lines = [f"{source}: {p}" for p in found]
    elif isinstance(exc, KtopError):
        lines = [exc.message(lang)]
    else:
        lines = [words("internal", lang).format(what=f"{type(exc).__name__}: {exc}")]
    if folder is not None:
        lines = [line.replace(str(folder) + os.sep, "") for line in lines]
    return [" ".join(line.split()) for line in lines]


# ---------------------------------------------------------------------------- step 1: applicants

@dataclass
class Applicants:
    """The applicants as read and checked: the reader's table (None when the file cannot be
    read at all), every problem (errors and warnings), or the lines saying why it cannot be
    read."""

    raw: RawTable | None
    problems: list = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Read, and no problem is an error."""
        return self.raw is not None and not self.errors and not any(
            p.severity == "error" for p in self.problems)


def read_applicants(upload: Upload, lang: str = "ko") -> Applicants:
    """Read and check the applicants from an upload, as ``ktop validate`` does the file."""
    with tempfile.TemporaryDirectory(prefix="ktop_app_") as folder:
        try:
            raw = read_table(write_upload(upload, folder))
        except KtopError as exc:
            return Applicants(None, errors=error_lines(exc, lang, folder))
    return Applicants(raw, validate(raw).problems)


def recheck(applicants: Applicants, edited: pd.DataFrame) -> list:
    """The problems of the table as edited in the page (the same rows and headers)."""
    raw = applicants.raw
    table = RawTable(frame=edited.reset_index(drop=True), rows=raw.rows, source=raw.source,
                     encoding=raw.encoding, problems=list(raw.problems),
                     header_row=raw.header_row, sheet=raw.sheet)
    return validate(table).problems


def cell_text(value) -> str:
    """How the editable table shows a cell: whole numbers without ``.0``, blanks empty.

    >>> [cell_text(v) for v in (2024.0, 6.2, float("nan"), None, "010", 7)]
    ['2024', '6.2', '', '', '010', '7']
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def editable(frame: pd.DataFrame) -> pd.DataFrame:
    """The table as text, cell by cell, for editing (what the officer typed stays typed)."""
    return pd.DataFrame({c: [cell_text(v) for v in frame[c]] for c in frame.columns},
                        index=range(len(frame)), dtype=object)


def same_table(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Whether two tables hold the same text cell by cell under the same headers (whatever
    their dtypes: an editor may give back ``str`` where it was given ``object``).

    >>> same_table(pd.DataFrame({"a": [1.0]}), pd.DataFrame({"a": ["1"]}))
    True
    """
    return (list(map(str, a.columns)) == list(map(str, b.columns))
            and editable(a).values.tolist() == editable(b).values.tolist())


def problems_table(problems: list, lang: str) -> pd.DataFrame:
    """Every problem as a row: 행 (the spreadsheet row), 열 (the column), 구분 (error or
    warning), 내용 (what is wrong and what is expected)."""
    heads = [words(k, lang) for k in ("row", "column", "severity", "message")]
    rows = [[p.row, p.column, words(p.severity, lang), p.message(lang)] for p in problems]
    return pd.DataFrame(rows, columns=heads)


def problem_cells(applicants: Applicants, problems: list, lang: str) -> dict:
    """(position of the record, column) -> the messages of that cell's problems; problems of
    a whole column or of the file are left out (they are in the list)."""
    position = {int(r): k for k, r in enumerate(applicants.raw.rows)}
    columns = {str(c) for c in applicants.raw.frame.columns}
    cells: dict = {}
    for p in problems:
        if p.row in position and str(p.column) in columns:
            cells.setdefault((position[p.row], str(p.column)), []).append(p.message(lang))
    return cells


def with_problems(frame: pd.DataFrame, cells: dict, lang: str) -> pd.DataFrame:
    """The editable table with a first column saying each row's problems (empty when none)."""
    notes = [""] * len(frame)
    for (k, column), messages in sorted(cells.items()):
        notes[k] += ("; " if notes[k] else "") + f"{column}: " + "; ".join(messages)
    out = frame.copy()
    out.insert(0, words("problems_column", lang), notes)
    return out


def problem_rows(applicants: Applicants, frame: pd.DataFrame, cells: dict,
                 lang: str) -> pd.DataFrame:
    """The rows of ``frame`` that have a cell with a problem, after a first column of their
    spreadsheet row (행); their positions are kept as the index, so :func:`highlight` finds
    the cells."""
    positions = sorted({k for k, _ in cells})
    out = frame.iloc[positions].copy()
    out.insert(0, words("row", lang), [int(applicants.raw.rows[k]) for k in positions])
    return out


def highlight(frame: pd.DataFrame, cells: dict) -> pd.DataFrame:
    """CSS for each cell of ``frame`` (a pandas Styler's ``apply(axis=None)``): the cells
    with a problem coloured."""
    css = pd.DataFrame("", index=frame.index, columns=frame.columns)
    for k, column in cells:
        if column in css.columns and k in css.index:
            css.loc[k, column] = f"background-color: {PROBLEM_COLOUR}"
    return css


def edited_upload(upload: Upload, applicants: Applicants, edited: pd.DataFrame) -> Upload:
    """The file to run on: the upload itself when nothing was edited (its name and hash go
    into the audit), else the edited table as ``<name>_edited.csv`` (UTF-8 with BOM, as
    ``ktop`` writes a CSV)."""
    if same_table(edited, applicants.raw.frame):
        return upload
    name = f"{Path(upload.name).stem}_edited.csv"
    with tempfile.TemporaryDirectory(prefix="ktop_app_") as folder:
        path = Path(folder) / name
        write_table(edited.reset_index(drop=True), path)
        return Upload(name, path.read_bytes())


# ---------------------------------------------------------------------------- step 2: the call

def bundled_titles() -> dict[str, str]:
    """name -> title of every bundled call.

    >>> bundled_titles()["jeju_2025"]
    '2025 시군구연고산업육성사업 (제주)'
    """
    return {name: load_call(name).title for name in bundled_calls()}


def bundled_upload(name: str) -> Upload:
    """A bundled call's file, byte for byte (what ``ktop calls export`` writes)."""
    path, data = read_call_bytes(name)
    return Upload(path.name, data)


def check_call(upload: Upload, lang: str = "ko"):
    """(the checked :class:`~ktop_index.selection.calls.Call`, []) or (None, the problem
    lines): the file loaded as ``ktop select --call FILE`` loads it."""
    with tempfile.TemporaryDirectory(prefix="ktop_app_") as folder:
        try:
            return load_call(write_upload(upload, folder)), []
        except KtopError as exc:
            return None, error_lines(exc, lang, folder)


def call_values(call) -> dict:
    """The adjustable values of a call: (section, key) -> value (money in 천원)."""
    return {("money", "budget"): call.money.budget, ("money", "max_firms"): call.money.max_firms,
            ("scoring", "tech_weight"): call.scoring.tech_weight,
            ("scoring", "committee_weight"): call.scoring.committee_weight}


def toml_value(value) -> str:
    """A value as TOML writes it: ``600_000``, ``0.3``, ``true``, ``"text"``.

    >>> toml_value(600000), toml_value(0.3), toml_value(True), toml_value('a "b"')
    ('600_000', '0.3', 'true', '"a \\\\"b\\\\""')
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value:_}"
    if isinstance(value, float):
        return repr(value)
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


_HEADER = re.compile(r"^\s*\[\s*([A-Za-z0-9_]+)\s*\]\s*(#.*)?$")


def set_key(text: str, section: str, key: str, value) -> str:
    """The call file's text with ``[section] key = value`` (the line's comment kept; the key
    added after the section's header when missing, the section at the end when missing).

    >>> print(set_key("[money]\\nbudget = 5  # 천원\\n", "money", "budget", 700000), end="")
    [money]
    budget = 700_000  # 천원
    """
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    start = next((k for k, line in enumerate(lines)
                  if (m := _HEADER.match(line)) and m.group(1) == section), None)
    if start is None:
        return "".join(lines) + f"\n[{section}]\n{key} = {toml_value(value)}\n"
    pattern = re.compile(rf"^(\s*{re.escape(key)}\s*=\s*)([^#\n]*?)(\s*#.*)?(\r?\n)$")
    for k in range(start + 1, len(lines)):
        if re.match(r"^\s*\[", lines[k]):
            break
        found = pattern.match(lines[k])
        if found:
            lines[k] = (found.group(1) + toml_value(value) + (found.group(3) or "")
                        + found.group(4))
            return "".join(lines)
    lines.insert(start + 1, f"{key} = {toml_value(value)}\n")
    return "".join(lines)


def adjust_call(upload: Upload, call, changes: Mapping) -> Upload:
    """The call file with the officer's values (``(section, key) -> value``); the file itself
    when nothing changes, else ``<name>_edited.toml``, whose TOML is checked to hold exactly
    the new values (the comments of the file are kept)."""
    now = call_values(call)
    changed = {k: v for k, v in changes.items() if k in now and v != now[k]}
    if not changed:
        return upload
    text = upload.data.decode("utf-8")
    for (section, key), value in changed.items():
        text = set_key(text, section, key, value)
    data = tomllib.loads(text)
    assert all(data[s][k] == v for (s, k), v in changed.items()), "call file not updated"
    stem = Path(upload.name).stem
    name = stem if stem.endswith("_edited") else f"{stem}_edited"
    return Upload(f"{name}.toml", text.encode("utf-8"))


# ---------------------------------------------------------------------------- step 4: the run

@dataclass
class Run:
    """One run of the page: the decision, the files written (name -> bytes, in the order
    offered), the created stamp, the language, the call decided under, the applicants'
    validated rows (for the firm cards), and what it was run on (to tell a stale run)."""

    selection: Selection
    files: dict[str, bytes]
    created: str
    lang: str
    call: object = None
    applicants: pd.DataFrame | None = None
    inputs: tuple = ()


def fingerprint(*uploads: Upload | None) -> tuple:
    """What a run was made of (names and bytes), to tell when the inputs changed since."""
    return tuple((u.name, hash(u.data)) if u is not None else None for u in uploads)


def run_selection(applicants: Upload, call: Upload, committee: Upload | None = None, *,
                  created: str, lang: str = "ko") -> Run:
    """Decide the call as ``ktop select APPLICANTS --call CALL [--committee SCORES]
    --created CREATED --lang LANG`` does, and write the report ``ktop report selection``
    writes; the files are kept as bytes (the temporary folder is removed).

    Raises
    ------
    PageError
        Holding the lines to show when ``select_file`` refuses the inputs.
    """
    with tempfile.TemporaryDirectory(prefix="ktop_app_") as folder:
        inputs = Path(folder) / "in"
        inputs.mkdir()
        try:
            path = write_upload(applicants, inputs)
            decided_under = load_call(write_upload(call, inputs))
            result = select_file(path, decided_under,
                                 committee=(write_upload(committee, inputs)
                                            if committee is not None else None),
                                 created=created)
            out = Path(folder) / "out"
            paths = write_selection(result, out, lang=lang)
            # the applicants and the call as decided: the report shows strengths and the
            # weights of an adjusted call, as `ktop report selection --applicants` does
            report = report_selection(out, lang=lang, generated_at=created, applicants=path,
                                      call=decided_under)
            rows = validate(read_table(path)).frame
        except KtopError as exc:
            raise PageError(error_lines(exc, lang, inputs)) from exc
        files = {p.name: p.read_bytes() for p in [*paths.values(), report]}
    order = ["selection.xlsx", "selection.csv", "audit.json"]
    files = {n: files[n] for n in [*order, *sorted(set(files) - set(order))]}
    return Run(result, files, created, lang, decided_under, rows,
               fingerprint(applicants, call, committee))


def run_folder(run: Run) -> Path:
    """A folder holding the run's files (as ``ktop select`` leaves its output folder), for
    importing it into the history store; the same run gives the same folder, and the folder
    is removed when the page's server stops."""
    digest = hashlib.sha256(run.files["audit.json"]).hexdigest()[:16]
    folder = Path(tempfile.gettempdir()) / f"ktop_app_run_{os.getpid()}_{digest}"
    if not folder.is_dir():
        staging = Path(tempfile.mkdtemp(prefix="ktop_app_"))
        for name, data in run.files.items():
            (staging / name).write_bytes(data)
        staging.rename(folder)
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


# ---------------------------------------------------------------------------- step 5: the list

def ranked_table(selection: Selection, lang: str) -> pd.DataFrame:
    """The ranked list as the page shows it: rank, business number, firm, status, selection
    score, Tech-Index and grade, committee score (left out when no firm has one: the page
    says so above), selection probability (%), the rank interval (5-95 % of the variants),
    support (천원); the ranked firms first, then the ineligible. The headers are those of
    ``selection.csv`` in ``lang``; :func:`ranked_formats` gives the numbers' formats."""
    t = selection.table
    status = t["status"].map(STATUS_KO) if lang == "ko" else t["status"].str.replace("_", " ")
    interval = [f"{int(a)}–{int(b)}" if pd.notna(a) and pd.notna(b) else ""
                for a, b in zip(t["rank_low"], t["rank_high"])]
    heads = SELECTION_COLUMNS_KO if lang == "ko" else SELECTION_COLUMNS_EN
    view = pd.DataFrame({
        "rank": t["rank"], "brn": t["brn"], "firm_name": t["firm_name"], "status": status,
        "selection_score": t["selection_score"], "tech_index": t["tech_index"],
        "grade": t["grade"], "committee_score": t["committee_score"],
        "selection_probability": (t["selection_probability"] * 100).round(1),
        "rank_interval": interval, "support": t["support"],
        **({"reasons_ko": t["reasons_ko"]} if lang == "ko" else {"reasons": t["reasons"]})})
    if view["committee_score"].isna().all():
        view = view.drop(columns="committee_score")
    names = {c: heads.get(c, c) for c in view.columns}
    names.update(rank_interval=words("rank_interval", lang),
                 selection_probability=words("probability", lang))
    view = view.rename(columns=names).reset_index(drop=True)
    view.attrs["formats"] = {names[c]: f for c, f in RANKED_FORMATS.items() if c in names}
    return view


#: How the ranked table shows its numbers: rank, selection score, Tech-Index, committee score,
#: probability (%), support (천원).
RANKED_FORMATS = {"rank": "{:.0f}", "selection_score": "{:.2f}", "tech_index": "{:.2f}",
                  "committee_score": "{:.2f}", "selection_probability": "{:.1f}",
                  "support": "{:,.0f}"}


def ranked_formats(view: pd.DataFrame) -> dict:
    """Column name -> number format of a :func:`ranked_table` ``view`` (a Styler's
    ``format``), kept with the view as its headers follow the language.

    >>> view = pd.DataFrame({"순위": [1.0]}); view.attrs["formats"] = {"순위": "{:.0f}"}
    >>> ranked_formats(view)
    {'순위': '{:.0f}'}
    """
    return dict(view.attrs.get("formats", {}))


def status_css(selection: Selection, view: pd.DataFrame) -> pd.DataFrame:
    """CSS for each cell of the ranked ``view`` (Styler ``apply(axis=None)``): each row in
    its status's colour."""
    colours = selection.table["status"].map(STATUS_COLOURS).fillna("").tolist()
    return pd.DataFrame([[f"background-color: {c}" if c else ""] * view.shape[1]
                         for c in colours], index=view.index, columns=view.columns)


def pictures(selection: Selection, lang: str) -> list[tuple[str, bytes]]:
    """The pictures of the HTML report as PNG bytes, with a caption each: the ranked
    firms against the budget line, the distribution of the selection score."""
    from ktop_index.report import plots

    table, call = selection.table, str(selection.audit.get("call", ""))
    out = [(words("picture_ranked", lang),
            plots.png_bytes(plots.selection(table, lang=lang, call=call)))]
    last = plots.budget_rank(table)
    cutoff = (float(table.loc[table["rank"] == last, "selection_score"].iloc[0])
              if last is not None else None)
    eligible = table[table["status"] != "ineligible"]
    out.append((words("picture_distribution", lang),
                plots.png_bytes(plots.distribution(eligible, column="selection_score",
                                                   cutoff=cutoff, lang=lang))))
    return out


MIME = {".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".csv": "text/csv", ".json": "application/json", ".html": "text/html",
        ".toml": "application/toml"}


def mime(name: str) -> str:
    """The media type of a download.

    >>> mime("selection.csv")
    'text/csv'
    """
    return MIME.get(Path(name).suffix.lower(), "application/octet-stream")
