"""Presentation-evaluation scores (발표평가): checked, then evaluator totals, the trimmed mean,
the spread.

A scores table is long: one row per firm, evaluator and item, with the points given
(``brn`` 사업자등록번호, ``evaluator`` 평가위원, ``item`` 평가항목, ``points`` 점수).
:func:`inspect_scores` checks it as the applicants are checked: every problem at once, each a
:class:`~ktop_index.data.problems.Problem` naming FILE:ROW:COLUMN, never stopping at the
first. What it holds the file to:

- every cell readable: a valid business number, an evaluator and an item named, points a
  finite number of 0 or more (text such as ``"8.5"`` or ``"８"`` is read; ``"8,5"`` is refused:
  a comma may be a decimal or a thousands separator; ``inf``, ``nan``, ``1e400`` are refused);
- items of the item table, each at most its maximum, and each evaluator's total at most the
  table's total (the sum of its maxima: 100 on the bundled table; 100 with any items unless
  ``max_total`` says otherwise);
- evaluator names compared without spaces, case or full-width forms (NFKC), so ``위원 A`` and
  ``위원A`` are one evaluator; each merge is reported (a warning naming the spellings);
- one score per firm, evaluator and item; every evaluator who scored a firm scored every item
  (a missing or empty one is named by firm, evaluator and item);
- every firm scored by the same number of evaluators;
- every firm an applicant (``applicants``).

``allow_partial=True`` lets missing item scores and firms with fewer evaluators through as
warnings: an evaluator whose scores of a firm are incomplete is left out of that firm's score
(an incomplete total is never summed as if complete), and :attr:`ScoreCheck.partial` says
which, for the notes and the audit. Nothing else is allowed.

For each firm (:func:`aggregate`):

1. each evaluator's total = the sum of that evaluator's item points (0-100 on a 100-point
   table);
2. when EVERY firm has at least ``min_for_trim`` evaluators (default 5), each firm's single
   highest and single lowest total are dropped (the common rule of Korean public evaluations,
   최고·최저 점수 제외); when one firm has fewer, no firm is trimmed, so all firms' scores are
   the same kind of mean;
3. ``committee_score`` = the mean of the remaining totals.

The spread is reported per firm (sd, min, max of the totals) and per evaluator
(:func:`evaluator_spread`: how far an evaluator's totals sit from the other evaluators' mean
for the same firms — a lenient or severe evaluator shows as a constant offset).

``reference/committee_2025.csv`` is the ministry's 100-point table from the 2025
announcement (section 5, 선정평가 지표), shipped as a preset: item ids, Korean and English
wording, maximum points. The announcement uses it to select the TPs' projects; TPs commonly
adapt such a table for the firms' presentations, so it is a starting point, not a rule.

Example
-------
>>> import pandas as pd
>>> s = pd.DataFrame({"brn": ["124-81-00998"] * 5, "evaluator": list("ABCDE"),
...                   "item": ["total"] * 5, "points": [90, 80, 70, 60, 10]})
>>> float(aggregate(check_scores(s))["committee_score"].iloc[0])
70.0
>>> s.loc[4, "evaluator"] = " a"
>>> [p.line() for p in inspect_scores(s, source="s.csv").problems]  # doctest: +ELLIPSIS
["s.csv:6:evaluator: warning: evaluator spellings 'A', 'a' are read as one evaluator, 'A' ...", \
's.csv:6:-: firm 124-81-00998, evaluator A, item total given twice (first at row 2; ...)']
"""

from __future__ import annotations

import dataclasses
import os
import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ktop_index import reference
from ktop_index.data.brn import brn_problem, format_brn
from ktop_index.data.contract import header_key
from ktop_index.data.problems import Problem, WithProblems
from ktop_index.errors import DataError, UsageError
from ktop_index.labels import COMMITTEE_PARTIAL_HINTS

COLUMNS = {"brn": ("brn", "사업자등록번호", "사업자번호", "business_number"),
           "evaluator": ("evaluator", "평가위원", "위원", "심사위원"),
           "item": ("item", "평가항목", "항목", "평가지표"),
           "points": ("points", "점수", "배점점수", "평가점수", "score")}
#: The total of an evaluator's points when no item table gives one (a 100-point evaluation).
DEFAULT_MAX_TOTAL = 100.0
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_NOT_FINITE = {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity",
               "-infinity"}
_LISTED = 10  # items named in one missing-items line before "and N more"


@dataclass
class ScoreCheck(WithProblems):
    """Checked scores and every problem found.

    ``scores``: ``brn, evaluator, item, points, row`` (row = the spreadsheet row), the sheets
    used: with ``allow_partial``, incomplete ones are left out. ``summary``: what the audit
    records of the check. ``partial``: what ``allow_partial`` let through — ``left_out``
    (business number → the evaluators whose incomplete scores were left out), ``fewer``
    (business number → the evaluators its score is from, fewer than ``size``), ``size`` (the
    most evaluators any firm had); empty without ``allow_partial``.
    """

    scores: pd.DataFrame
    problems: list[Problem]
    source: str = "<scores>"
    summary: dict = field(default_factory=dict)
    partial: dict = field(default_factory=dict)
    allow_partial: bool = False


def load_preset(name: str = "committee_2025") -> pd.DataFrame:
    """A bundled item table: item, Korean/English text, max_points (see :mod:`ktop_index.reference`)."""
    return reference.committee_preset(name)


def read_scores(path: str | os.PathLike, items: pd.DataFrame | None = None,
                **rules) -> pd.DataFrame:
    """Read and check a long scores file (CSV/XLSX; Korean or English headers).

    Raises :class:`~ktop_index.errors.DataError` holding every problem (``error.problems``,
    each ``FILE:ROW:COLUMN: problem``); ``rules`` are :func:`inspect_scores`'s keywords
    (``applicants``, ``max_total``, ``allow_partial``).
    """
    from ktop_index.data.io import read_table

    raw = read_table(path)
    found = with_reader_problems(inspect_scores(raw.frame, raw.source, raw.rows, items, **rules),
                                 raw)
    if not found.ok:
        raise DataError(found.problems)
    return found.scores


#: reader problems that concern applicants' files only: a scores file's headers are not the
#: contract's, so no header row is found among them (its header is row 1)
_NOT_FOR_SCORES = ("header_not_found",)


def with_reader_problems(found: ScoreCheck, raw) -> ScoreCheck:
    """``found`` with the reader's problems of the scores file first (a duplicated or merged
    header, a column without a header, the sheet read), as an applicants file reports them."""
    reader = [dataclasses.replace(p, severity="error") if p.code == "duplicate_header" else p
              for p in getattr(raw, "problems", []) if p.code not in _NOT_FOR_SCORES]
    # a scores column given twice is an error: which of the two counts cannot be guessed
    if reader:
        found.problems = reader + found.problems
    return found


def check_scores(frame: pd.DataFrame, source: str = "<scores>", rows=None,
                 items: pd.DataFrame | None = None, **rules) -> pd.DataFrame:
    """:func:`inspect_scores`, raising :class:`~ktop_index.errors.DataError` (every problem,
    warnings included) when there is an error; returns ``brn, evaluator, item, points, row``.
    """
    found = inspect_scores(frame, source, rows, items, **rules)
    if not found.ok:
        raise DataError(found.problems)
    return found.scores


def inspect_scores(frame: pd.DataFrame, source: str = "<scores>", rows=None,
                   items: pd.DataFrame | None = None, *, applicants=None,
                   max_total: float | None = None,
                   allow_partial: bool = False) -> ScoreCheck:
    """Check a scores table, every problem at once (see the module's docstring); never raises
    on bad data.

    Parameters
    ----------
    frame : the table as read (Korean or English headers).
    source, rows : the file's name and each record's spreadsheet row (header = row 1; the
        records are rows 2.. when None).
    items : the item table (``item``, ``max_points``); None accepts any items, each
        evaluator giving the same ones.
    applicants : the applicants' business numbers (``123-45-67890``); scores of any other
        firm are an error. None skips the check.
    max_total : the most points an evaluator's total may reach; the sum of the items'
        maxima, else 100, when None.
    allow_partial : missing item scores and firms with fewer evaluators become warnings
        (incomplete scores are left out; :attr:`ScoreCheck.partial` lists them).

    Returns
    -------
    ScoreCheck
    """
    rows = np.arange(len(frame)) + 2 if rows is None else np.asarray(rows)
    problems: list[Problem] = []
    picked = _pick_columns(frame, source, items, problems)
    if picked is None or not len(frame):
        if picked is not None:
            problems.append(Problem(source, 1, "-", "committee_empty"))
        return ScoreCheck(_empty(), problems, source, allow_partial=allow_partial)
    cells, spoiled = _read_cells(frame, picked, rows, source, items, problems)
    cells = _only_applicants(cells, applicants, picked, source, problems)
    if cells.empty:  # every record had a bad key cell or another firm's: all reported
        return ScoreCheck(_empty(), problems, source, allow_partial=allow_partial)
    cells = _merge_spellings(cells, picked, source, problems)
    _duplicates(cells, source, problems)
    item_set = (list(items["item"]) if items is not None
                else list(dict.fromkeys(cells["item"])))
    incomplete = _incomplete_sheets(cells, item_set, picked, source, allow_partial, problems,
                                    spoiled)
    total = _max_total(items, max_total)
    _totals(cells, total, picked, source, problems)
    size = _evaluator_counts(cells, picked, source, allow_partial, problems)
    used = cells[~cells.set_index(["brn", "key"]).index.isin(incomplete)]
    used = used[~used["bad"]]
    partial = _partial(cells, used, incomplete, size) if allow_partial else {}
    summary = _summary(frame, cells, used, item_set, total, problems, allow_partial)
    scores = used[["brn", "evaluator", "item", "points", "row"]].reset_index(drop=True)
    return ScoreCheck(scores, problems, source, summary, partial, allow_partial)


def _empty() -> pd.DataFrame:
    return pd.DataFrame({"brn": pd.Series(dtype="str"), "evaluator": pd.Series(dtype="str"),
                         "item": pd.Series(dtype="str"), "points": pd.Series(dtype="float64"),
                         "row": pd.Series(dtype="int64")})


# ---------------------------------------------------------------------------- the cells

def _pick_columns(frame, source, items, problems) -> dict | None:
    """The header of each column (``item`` may be absent: one total per evaluator)."""
    keys = {header_key(c): c for c in frame.columns}
    picked, missing = {}, []
    for name, aliases in COLUMNS.items():
        header = next((keys[header_key(a)] for a in aliases if header_key(a) in keys), None)
        if header is not None:
            picked[name] = header
        elif name != "item":
            missing.append(name)
    expected = ", ".join(a[1] for a in COLUMNS.values())
    for name in missing:
        problems.append(Problem(source, 1, "-", "committee_missing_column", "error",
                                {"field": name, "label": COLUMNS[name][1],
                                 "expected": expected}))
    if not missing and "item" not in picked and items is not None:
        table = ", ".join(f"{i} ({m:g})" for i, m in zip(items["item"], items["max_points"]))
        problems.append(Problem(source, 1, "-", "committee_item_column", "error",
                                {"table": table}))
        return None
    return None if missing else picked


def _read_cells(frame, picked, rows, source, items, problems) -> tuple[pd.DataFrame, set]:
    """One row per record: ``brn`` (formatted; None when bad), ``evaluator`` (as written,
    spaces collapsed), ``key`` (compared form), ``item``, ``points`` (NaN when blank or bad),
    ``blank``, ``bad`` (an unreadable or out-of-range score), ``row``. Bad cells are
    reported; a record with a bad business number, evaluator or item is dropped. Also
    returns the (firm, evaluator key) sheets that lost a record for its item, whose missing
    item is then not reported again."""
    brn = _brns(frame[picked["brn"]], rows, picked["brn"], source, problems)
    evaluator = _names(frame[picked["evaluator"]], rows, picked["evaluator"], source, problems)
    item = (_items(frame[picked["item"]], rows, picked["item"], source, items, problems)
            if "item" in picked else pd.Series("total", index=frame.index, dtype=object))
    points, blank, bad = _points(frame[picked["points"]], rows, picked["points"], source,
                                 problems)
    cells = pd.DataFrame({"brn": brn.to_numpy(), "evaluator": evaluator.to_numpy(),
                          "item": item.to_numpy(), "points": points, "blank": blank,
                          "bad": bad, "row": rows.astype("int64")})
    cells["key"] = cells["evaluator"].map(_evaluator_key, na_action="ignore")
    keep = cells[["brn", "evaluator", "item"]].notna().all(axis=1)
    lost = cells[~keep & cells[["brn", "key"]].notna().all(axis=1)]
    cells = cells[keep].reset_index(drop=True)
    _above_item_max(cells, items, picked["points"], source, problems)
    return cells, set(zip(lost["brn"], lost["key"]))


def _text(value) -> str | None:
    """A cell as NFKC text, stripped; None when empty."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return text or None


def _blank_cell(rows, i, header, source, problems) -> None:
    problems.append(Problem(source, int(rows[i]), header, "missing_value", "error",
                            {"field": header, "label": header}))


def _brns(column: pd.Series, rows, header, source, problems) -> pd.Series:
    out = []
    for i, value in enumerate(column):
        text = _text(value)
        if text is None:
            _blank_cell(rows, i, header, source, problems)
            out.append(None)
            continue
        why = brn_problem(text)
        if why:
            ko = brn_problem(text, "ko")
            problems.append(Problem(source, int(rows[i]), header, "bad_brn", "error",
                                    {"why": why, "why_ko": ko}))
            out.append(None)
        else:
            out.append(format_brn(text))
    return pd.Series(out, dtype=object)


def _names(column: pd.Series, rows, header, source, problems) -> pd.Series:
    """Evaluator names as written (full-width forms kept, for the merge warning), with runs
    of spaces made one."""
    out = []
    for i, value in enumerate(column):
        text = _text(value)
        if text is None:
            _blank_cell(rows, i, header, source, problems)
        out.append(None if text is None else " ".join(str(value).split()))
    return pd.Series(out, dtype=object)


def _evaluator_key(name: str) -> str:
    """How evaluator names are compared: NFKC, no spaces at all, case folded.

    >>> _evaluator_key("위원 A") == _evaluator_key("위원a") == _evaluator_key("위원　Ａ")
    True
    """
    return "".join(unicodedata.normalize("NFKC", name).split()).casefold()


def _items(column: pd.Series, rows, header, source, items, problems) -> pd.Series:
    known = None if items is None else {str(i).casefold(): str(i) for i in items["item"]}
    out = []
    for i, value in enumerate(column):
        text = _text(value)
        if text is None:
            _blank_cell(rows, i, header, source, problems)
        elif known is not None and text.casefold() not in known:
            problems.append(Problem(source, int(rows[i]), header, "committee_unknown_item",
                                    "error", {"value": text, "expected": ", ".join(
                                        known.values())}))
            text = None
        elif known is not None:
            text = known[text.casefold()]
        out.append(text)
    return pd.Series(out, dtype=object)


def parse_points(value) -> tuple[float, str | None]:
    """One points cell: ``(points, None)``, or ``(nan, why)`` with why ``"blank"``, or the
    code of the problem (``committee_not_score``, ``committee_comma``,
    ``committee_not_finite``, ``negative``).

    >>> [parse_points(v) for v in (8, " 8.5 ", "８", "", "8,5", "inf", "1e400", "-1", "x")]
    ... # doctest: +NORMALIZE_WHITESPACE
    [(8.0, None), (8.5, None), (8.0, None), (nan, 'blank'), (nan, 'committee_comma'),
     (nan, 'committee_not_finite'), (nan, 'committee_not_finite'), (nan, 'negative'),
     (nan, 'committee_not_score')]
    """
    if isinstance(value, bool | np.bool_):
        return np.nan, "committee_not_score"
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
        if np.isnan(number):
            return np.nan, "blank"
    else:
        text = _text(value)
        if text is None:
            return np.nan, "blank"
        if "," in text:
            return np.nan, "committee_comma"
        if text.casefold() in _NOT_FINITE:
            return np.nan, "committee_not_finite"
        if not _NUMBER.fullmatch(text):
            return np.nan, "committee_not_score"
        number = float(text)
    if not np.isfinite(number):
        return np.nan, "committee_not_finite"
    if number < 0:
        return np.nan, "negative"
    return number, None


def _points(column: pd.Series, rows, header, source, problems):
    """Points (NaN where blank or bad), the blank mask and the bad mask; bad cells reported
    (blank ones are reported with their sheet, by firm, evaluator and item)."""
    parsed = [parse_points(v) for v in column]
    points = np.array([p for p, _ in parsed], dtype="float64")
    why = [w for _, w in parsed]
    blank = np.array([w == "blank" for w in why])
    bad = np.array([w is not None and w != "blank" for w in why])
    for i in np.flatnonzero(bad):
        raw = column.iat[i]
        shown = f"{raw:g}" if isinstance(raw, float) else str(raw)
        problems.append(Problem(source, int(rows[i]), header, why[i], "error",
                                {"value": shown}))
    return points, blank, bad


def _above_item_max(cells, items, header, source, problems) -> None:
    """Points above their item's maximum: reported, and the cell counted as bad."""
    if items is None:
        return
    maximum = cells["item"].map(dict(zip(items["item"], items["max_points"]))).to_numpy(
        dtype="float64")
    above = cells["points"].to_numpy() > maximum
    for i in np.flatnonzero(above):
        problems.append(Problem(source, int(cells["row"].iat[i]), header,
                                "committee_above_item_max", "error",
                                {"value": cells["points"].iat[i], "maximum": maximum[i],
                                 "item": cells["item"].iat[i]}))
    cells.loc[above, "bad"] = True


# ---------------------------------------------------------------------------- the table

def _only_applicants(cells, applicants, picked, source, problems) -> pd.DataFrame:
    """The records of applicants; each other firm is one error at its first row."""
    if applicants is None:
        return cells
    outside = ~cells["brn"].isin(set(applicants))
    for brn, group in cells[outside].groupby("brn", sort=False):
        problems.append(Problem(source, int(group["row"].iat[0]), picked["brn"],
                                "committee_not_applicant", "error",
                                {"firm": brn, "count": len(group)}))
    return cells[~outside].reset_index(drop=True)


def _merge_spellings(cells, picked, source, problems) -> pd.DataFrame:
    """One name per evaluator (the first spelling met); each merge is a warning at the first
    row of the second spelling."""
    first = cells.groupby("key", sort=False)["evaluator"].agg(lambda s: list(dict.fromkeys(s)))
    for key, spellings in first.items():
        if len(spellings) > 1:
            row = cells.loc[(cells["key"] == key) & (cells["evaluator"] == spellings[1]), "row"]
            problems.append(Problem(source, int(row.iat[0]), picked["evaluator"],
                                    "committee_evaluator_merged", "warning",
                                    {"spellings": ", ".join(f"'{s}'" for s in spellings),
                                     "name": spellings[0]}))
    cells = cells.copy()
    cells["spellings"] = cells["key"].map(first)
    cells["evaluator"] = cells["spellings"].map(lambda names: names[0])
    return cells


def _duplicates(cells, source, problems) -> None:
    """A firm, evaluator and item given twice: an error at each later row."""
    keys = ["brn", "key", "item"]
    again = cells.duplicated(keys, keep="first").to_numpy()
    first = cells.groupby(keys, sort=False)["row"].transform("first").to_numpy()
    for i in np.flatnonzero(again):
        problems.append(Problem(source, int(cells["row"].iat[i]), "-", "committee_duplicate",
                                "error", {"firm": cells["brn"].iat[i],
                                          "evaluator": cells["evaluator"].iat[i],
                                          "item": cells["item"].iat[i],
                                          "first": int(first[i])}))
    cells.loc[again, "bad"] = True


def _hint(kind: str, severity: str) -> dict:
    en, ko = COMMITTEE_PARTIAL_HINTS[(kind, severity)]
    return {"hint": en, "hint_ko": ko}


def _incomplete_sheets(cells, item_set, picked, source, allow_partial, problems,
                       spoiled=frozenset()) -> set:
    """The (firm, evaluator) sheets missing an item or holding an empty points cell, each
    reported (a warning with ``allow_partial``; a sheet in ``spoiled`` lost a record to an
    error already reported, so its missing items are not)."""
    severity = "warning" if allow_partial else "error"
    hint = _hint("left_out", severity)
    item_header = picked.get("item", "-")
    incomplete = set()
    for (brn, key), sheet in cells.groupby(["brn", "key"], sort=False):
        who = {"firm": brn, "evaluator": sheet["evaluator"].iat[0]}
        for row, item in sheet.loc[sheet["blank"], ["row", "item"]].itertuples(index=False):
            problems.append(Problem(source, int(row), picked["points"],
                                    "committee_blank_points", severity,
                                    {**who, "item": item, **hint}))
        missing = [i for i in item_set if i not in set(sheet["item"])]
        if missing and (brn, key) not in spoiled:
            listed = ", ".join(missing[:_LISTED]) + (
                f" (+{len(missing) - _LISTED})" if len(missing) > _LISTED else "")
            problems.append(Problem(source, int(sheet["row"].iat[0]), item_header,
                                    "committee_missing_items", severity,
                                    {**who, "items": listed, **hint}))
        if missing or sheet["blank"].any():
            incomplete.add((brn, key))
    return incomplete


def _max_total(items, max_total) -> float:
    if max_total is not None:
        if not (isinstance(max_total, int | float) and np.isfinite(max_total)
                and max_total > 0):
            raise UsageError(f"committee max_total must be a number of points above 0, got "
                             f"{max_total!r}", ko=f"발표평가 만점은 0보다 큰 점수여야 합니다: "
                             f"{max_total!r}")
        return float(max_total)
    return float(items["max_points"].sum()) if items is not None else DEFAULT_MAX_TOTAL


def _totals(cells, maximum, picked, source, problems) -> None:
    """An evaluator's total above the maximum: an error at the sheet's first row."""
    sums = cells.groupby(["brn", "key"], sort=False).agg(
        total=("points", "sum"), row=("row", "first"), evaluator=("evaluator", "first"))
    for (brn, _), sheet in sums[sums["total"] > maximum + 1e-9].iterrows():
        problems.append(Problem(source, int(sheet["row"]), picked["points"],
                                "committee_above_total", "error",
                                {"firm": brn, "evaluator": sheet["evaluator"],
                                 "total": float(sheet["total"]), "maximum": maximum}))


def _evaluator_counts(cells, picked, source, allow_partial, problems) -> int:
    """The most evaluators any firm had; each firm with fewer is reported (a warning with
    ``allow_partial``)."""
    per_firm = cells.groupby("brn", sort=False).agg(count=("key", "nunique"),
                                                    row=("row", "first"))
    size = int(per_firm["count"].max()) if len(per_firm) else 0
    severity = "warning" if allow_partial else "error"
    for brn, firm in per_firm[per_firm["count"] < size].iterrows():
        problems.append(Problem(source, int(firm["row"]), picked["evaluator"],
                                "committee_few_evaluators", severity,
                                {"firm": brn, "count": int(firm["count"]), "size": size,
                                 **_hint("fewer", severity)}))
    return size


def _partial(cells, used, incomplete, size) -> dict:
    """What allow_partial let through (see :class:`ScoreCheck`)."""
    names = cells.groupby(["brn", "key"], sort=False)["evaluator"].first()
    left_out: dict[str, list[str]] = {}
    for brn, key in sorted(incomplete):
        left_out.setdefault(brn, []).append(names[(brn, key)])
    counts = used.groupby("brn")["key"].nunique()
    fewer = {brn: int(n) for brn, n in counts.items() if n < size}
    return {"left_out": left_out, "fewer": fewer, "size": size} if (left_out or fewer) else {}


def _summary(frame, cells, used, item_set, total, problems, allow_partial) -> dict:
    """The check as the audit records it."""
    counts = used.groupby("brn")["key"].nunique()
    merged = {s[0]: s for s in cells.drop_duplicates("key")["spellings"] if len(s) > 1}
    return {"rows": len(frame), "firms": int(used["brn"].nunique()),
            "evaluators": int(used["key"].nunique()), "items": [str(i) for i in item_set],
            "max_total": total,
            "evaluators_per_firm": {"min": int(counts.min()) if len(counts) else 0,
                                    "max": int(counts.max()) if len(counts) else 0},
            "evaluator_spellings_merged": merged,
            "warnings": sum(p.severity == "warning" for p in problems),
            "allow_partial": allow_partial}


# ---------------------------------------------------------------------------- aggregation

def evaluator_totals(scores: pd.DataFrame) -> pd.DataFrame:
    """One row per firm and evaluator: ``brn, evaluator, total`` (sum of item points)."""
    return (scores.groupby(["brn", "evaluator"], sort=True)["points"].sum()
            .rename("total").reset_index())


def aggregate(scores: pd.DataFrame, min_for_trim: int = 5) -> pd.DataFrame:
    """Per firm: the committee score (trimmed mean of evaluator totals) and its spread.

    Parameters
    ----------
    scores : long table ``brn, evaluator, item, points`` (see :func:`check_scores`).
    min_for_trim : drop each firm's highest and lowest total when EVERY firm has at least
        this many evaluators (default 5; at least 3); 0 never trims. One firm with fewer
        (allowed only with ``allow_partial``) means no firm is trimmed: every score is then
        the same kind of mean.

    Returns
    -------
    DataFrame, one row per ``brn`` (sorted): ``committee_score`` (points, 0-100 on the
    100-point table), ``committee_evaluators``, ``committee_trimmed`` (bool),
    ``committee_sd`` (sample sd of all totals; NaN with one evaluator), ``committee_min``,
    ``committee_max``.
    """
    totals = evaluator_totals(scores)
    fewest = int(totals.groupby("brn")["total"].count().min()) if len(totals) else 0
    trim = bool(min_for_trim) and fewest >= max(min_for_trim, 3)
    rows = []
    for brn, group in totals.groupby("brn", sort=True):  # a loop over firms, tens of them
        values = np.sort(group["total"].to_numpy(dtype="float64"))
        kept = values[1:-1] if trim else values
        rows.append({"brn": brn, "committee_score": float(kept.mean()),
                     "committee_evaluators": len(values), "committee_trimmed": trim,
                     "committee_sd": float(values.std(ddof=1)) if len(values) > 1 else np.nan,
                     "committee_min": float(values[0]), "committee_max": float(values[-1])})
    return pd.DataFrame(rows, columns=["brn", "committee_score", "committee_evaluators",
                                       "committee_trimmed", "committee_sd", "committee_min",
                                       "committee_max"])


def evaluator_spread(scores: pd.DataFrame) -> pd.DataFrame:
    """Per evaluator: firms scored, mean total, and mean offset from the other evaluators.

    ``mean_offset`` = the mean, over the firms the evaluator scored, of (their total - the
    mean total of the other evaluators of that firm): about +5 means five points more
    lenient than colleagues. ``sd_offset`` is its sample sd.
    """
    totals = evaluator_totals(scores)
    firm_sum = totals.groupby("brn")["total"].transform("sum")
    firm_n = totals.groupby("brn")["total"].transform("count")
    others = (firm_sum - totals["total"]) / (firm_n - 1).where(firm_n > 1)
    totals["offset"] = totals["total"] - others
    out = totals.groupby("evaluator", sort=True).agg(
        firms=("brn", "count"), mean_total=("total", "mean"),
        mean_offset=("offset", "mean"), sd_offset=("offset", "std"))
    return out.reset_index()
