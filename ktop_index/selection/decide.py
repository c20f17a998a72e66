"""Selecting the firms of a call: screen, score, rank, fund, test the robustness, write it down.

:func:`select` runs the whole decision for one call and returns a :class:`Selection`: the
table (one row per applicant, the columns agreed in ``briefs/interfaces.md``) and an audit
record (:mod:`ktop_index.selection.audit`). :func:`select_file` does the same from an
applicants file, reading, validating and hashing it, so its audit is the one ``ktop select``
writes. The same inputs, call, model and seed give the same decision (only the audit's
``created`` time differs, and it can be fixed with ``created=``). Writing the folder
(``selection.csv``, ``selection.xlsx``, ``audit.json``) is an output step:
:func:`ktop_index.report.outputs.write_selection`.

The steps, in order: validate the applicants; score each firm's latest year; screen
eligibility; check the committee scores against the applicants (every eligible firm scored,
unless ``allow_partial``) and take the committee points; the bonus points; the money of each
request; the selection score and the tie order; allocate the budget; robustness; notes; the
audit.

The selection score (``docs/selection.md``), 0-100 points plus bonus points:

- ``tech_index_use = "weight"``: ``w_t * index points + w_c * committee score``, where the
  index points are the model's ``composite`` (0-100, of which ``tech_index`` is a linear
  rescaling) and the weights are the call's, re-normalised over the parts present (no
  committee file: the index alone);
- ``"bonus"``: the committee score plus the call's grade bonus points;
- ``"min_grade"``: the committee score; the grade is an eligibility rule;
- plus the applicants' bonus column (가점), capped at ``bonus_max``, in every case.

Ties (equal scores after rounding to 4 decimals) are broken by the call's ``tie_break``
list, by default: higher committee score, higher Tech-Index, lower support requested, then
the business number — never by the order of the file.

Example
-------
>>> result = select_file("data/jeju_2025_applicants.xlsx", "jeju_2025")  # doctest: +SKIP
>>> result.table["status"].value_counts()                            # doctest: +SKIP
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ktop_index._files import sha256_file
from ktop_index.data.brn import format_brn, is_valid_brn
from ktop_index.data.contract import FIELDS, MONEY, match_header
from ktop_index.data.io import RawTable, read_table
from ktop_index.data.problems import Problem
from ktop_index.data.validate import validate
from ktop_index.errors import DataError, UsageError
from ktop_index.index.spec import DOMAINS, GRADES
from ktop_index.index.techindex import TechIndex, as_model
from ktop_index.labels import COMMITTEE_PARTIAL_HINTS, ELIGIBLE_KO, ROBUSTNESS_KO, STATUS_KO
from ktop_index.labels import SELECTION_COLUMNS_KO as LABELS_KO
from ktop_index.labels import SELECTION_NOTES as NOTES
from ktop_index.selection import committee as committee_scores
from ktop_index.selection import robustness
from ktop_index.selection.allocation import greedy, money_table, optimal, to_won
from ktop_index.selection.audit import STATUSES, build_audit
from ktop_index.selection.calls import MAX_VARIANTS, Call, load_call
from ktop_index.selection.eligibility import average_revenue, screen

COLUMNS = ("brn", "firm_name", "status", "rank", "eligible", "reasons",
           "reasons_ko", "ksic", "ksic11", *DOMAINS, "tech_index", "grade", "committee_score",
           "bonus_points", "selection_score", "rank_low", "rank_high", "selection_probability",
           "robustness", "requested", "support", "self_burden", "national_share",
           "local_share", "notes", "notes_ko")
MONEY_OUT = ("requested", "support", "self_burden", "national_share", "local_share")
__all__ = ["COLUMNS", "DOMAINS", "LABELS_KO", "STATUSES", "Selection", "select", "select_file"]


@dataclass
class Selection:
    """The decision of one call: ``table`` (one row per applicant) and ``audit``; with
    committee scores, ``evaluators`` (each evaluator's spread); in optimal mode,
    ``differences`` (the firms optimal and rank order disagree on); from a file, the
    validation ``warnings`` of the applicants."""

    table: pd.DataFrame
    audit: dict
    evaluators: pd.DataFrame | None = None
    differences: pd.DataFrame | None = field(default=None)
    warnings: list = field(default_factory=list)

    def labelled(self, lang: str = "en") -> pd.DataFrame:
        """The table with Korean column labels and status words when ``lang='ko'``."""
        if lang != "ko":
            return self.table
        table = self.table.copy()
        table["status"] = table["status"].map(STATUS_KO)
        table["robustness"] = table["robustness"].map(ROBUSTNESS_KO)
        table["eligible"] = np.where(table["eligible"], ELIGIBLE_KO[True], ELIGIBLE_KO[False])
        return table.rename(columns=LABELS_KO)


# ---------------------------------------------------------------------------- the decision

def select_file(applicants_path: str | os.PathLike, call: Call | str | os.PathLike, *,
                committee: str | os.PathLike | pd.DataFrame | None = None,
                committee_items: str | None = "committee_2025",
                committee_max_total: float | None = None, allow_partial: bool = False,
                model: TechIndex | str | os.PathLike | None = None,
                optimal_mode: bool = False, variants: int | None = None,
                seed: int | None = None, created: str | None = None,
                sheet: str | int | None = None, money_unit: str | None = None,
                progress: Callable[[str, int], None] | None = None,
                header_row: int | None = None) -> Selection:
    """Decide a call from an applicants file: what ``ktop select`` does, audit included.

    Reads and validates the file (its warnings are kept in ``Selection.warnings``), reads
    the committee scores when given a file, and records the file's name and sha256 in the
    audit, so :func:`ktop_index.report.outputs.write_selection` of the result writes the
    bytes ``ktop select`` writes.

    Parameters
    ----------
    applicants_path : a CSV, XLSX or Parquet file of applicants (Korean or English headers).
    call : a :class:`~ktop_index.selection.calls.Call`, a call file or a bundled call's name.
    committee : a long committee scores file (``brn, evaluator, item, points``; see
        :mod:`ktop_index.selection.committee`), such a table, or None.
    committee_items : the bundled item table the scores are checked against (items and
        maximum points); None or ``"any"`` accepts any items.
    committee_max_total : the most points of an evaluator's total (the item table's sum,
        else 100, when None).
    allow_partial : go on when committee scores are incomplete (items, evaluators or
        eligible firms missing), with a note per firm, a summary line and ``partial`` in
        the audit; otherwise that is an error.
    model, optimal_mode, variants, seed, created : as :func:`select`.
    sheet : the XLSX sheet (name or 0-based number; by default the active one).
    header_row : the row holding the headers (by default found; see ``read_table``).
    money_unit : the unit of money columns whose header names none (원, 천원, 백만원).
    progress : called as ``progress(stage, rows)`` at "reading", "validating" and
        "selecting", then as ``progress("robustness variants", n)`` before the ``n``
        variants are run (the command line draws its progress bars with it).

    Raises
    ------
    DataError
        When the applicants or the committee scores have errors (every problem of the
        applicants in ``error.problems``).

    Example
    -------
    >>> result = select_file("data/jeju_2025_applicants.xlsx", "jeju_2025",
    ...                      created="2026-01-01T00:00:00+00:00")          # doctest: +SKIP
    >>> result.audit["input_file"]                                       # doctest: +SKIP
    'jeju_2025_applicants.xlsx'
    """
    step = progress or (lambda stage, rows: None)
    call = call if isinstance(call, Call) else load_call(call)
    step("reading", 0)
    table = read_table(applicants_path, sheet=sheet, header_row=header_row)
    step("validating", len(table.frame))
    checked = validate(table, money_unit=money_unit)
    if not checked.ok:
        raise DataError(checked.problems)
    committee_file = None
    rules = {"allow_partial": allow_partial, "max_total": committee_max_total}
    if committee is not None and not isinstance(committee, pd.DataFrame):
        committee_file = committee
        committee = read_table(committee)
        rules["items"] = (None if committee_items in (None, "any")
                          else committee_scores.load_preset(committee_items))
    step("selecting", len(table.frame))
    try:
        result = _decide(checked.frame, call, model, committee, optimal_mode, variants, seed,
                         created, input_sha256=sha256_file(applicants_path),
                         input_file=os.path.basename(applicants_path), rules=rules,
                         progress=progress)
    except DataError as exc:  # the applicants' warnings go with the committee's problems
        if exc.problems:
            raise DataError(checked.warnings + exc.problems) from None
        raise
    if committee_file is not None:
        result.audit["committee_file"] = os.path.basename(committee_file)
        result.audit["committee_sha256"] = sha256_file(committee_file)
        result.audit["committee"]["item_table"] = committee_items or "any"
    result.warnings = checked.warnings + result.warnings
    return result


def select(applicants: pd.DataFrame, call: Call | str | os.PathLike,
           model: TechIndex | str | os.PathLike | None = None,
           committee: pd.DataFrame | None = None, optimal_mode: bool = False,
           variants: int | None = None, seed: int | None = None,
           input_sha256: str | None = None, created: str | None = None,
           allow_partial: bool = False) -> Selection:
    """Decide a call: eligibility, selection score, rank, money, robustness, audit.

    Parameters
    ----------
    applicants : the applicants, validated (contract names, money in 천원) or raw as a
        spreadsheet has them (validated here); several fiscal years per firm are allowed
        (the latest is the application, the others feed the 3-year average revenue).
    call : a :class:`~ktop_index.selection.calls.Call`, a call file or a bundled call's name.
    model : a fitted TechIndex or a model file (the bundled default when None).
    committee : long committee scores (``brn, evaluator, item, points``; checked as
        :func:`~ktop_index.selection.committee.inspect_scores` checks a file, with any
        items and a total of at most 100), already aggregated ones (a ``committee_score``
        column), or None.
    optimal_mode : choose the set with the largest total score within the budget instead of
        going down the ranking; the table then also has ``selected_by_rank``.
    variants, seed : robustness variants (0 = none) and seed; the call's when None.
    input_sha256 : the input file's hash for the audit (the data's hash is always recorded;
        :func:`select_file` records both).
    created : the audit's time stamp (UTC ISO); now when None.
    allow_partial : as :func:`select_file`.

    Returns
    -------
    Selection

    Example
    -------
    >>> from ktop_index.data.validate import read_firms                       # doctest: +SKIP
    >>> result = select(read_firms("data/jeju_2025_applicants.xlsx"), "jeju_2025")  # doctest: +SKIP
    >>> result.audit["counts"]["selected"]                                   # doctest: +SKIP
    15
    """
    return _decide(applicants, call, model, committee, optimal_mode, variants, seed, created,
                   input_sha256=input_sha256, rules={"allow_partial": allow_partial})


def _check_robustness_options(variants: int, seed: int) -> None:
    """The same limits as the call file's ``[robustness]`` keys, for values given directly."""
    if not 0 <= variants <= MAX_VARIANTS:
        raise UsageError(f"--variants {variants}: expected 0 to {MAX_VARIANTS:,} variants",
                         ko=f"--variants {variants}: 0~{MAX_VARIANTS:,} 사이의 변형 수가 필요합니다")
    if seed < 0:
        raise UsageError(f"--seed {seed}: expected a whole number, 0 or more",
                         ko=f"--seed {seed}: 0 이상의 정수가 필요합니다")


def _decide(applicants, call, model, committee, optimal_mode, variants, seed, created, *,
            input_sha256: str | None, input_file: str | None = None,
            rules: dict | None = None, progress=None) -> Selection:
    """The steps of a decision, in order (see the module's docstring). ``rules``: the
    committee check's keywords (``items``, ``max_total``, ``allow_partial``); ``progress``:
    as :func:`select_file` takes it."""
    call = call if isinstance(call, Call) else load_call(call)
    model = as_model(model)
    n_variants = call.robustness.variants if variants is None else int(variants)
    seed = call.robustness.seed if seed is None else int(seed)
    _check_robustness_options(n_variants, seed)
    frame, key = _applicant_frame(applicants)
    firms, table, components = _score_latest(frame, key, model)
    checks = _screen_eligibility(table, firms, call)
    committee = _checked_committee(committee, table, rules or {})
    evaluators, record = _committee_points(table, committee, call)
    table["bonus_points"] = _bonus_points(firms, call)
    money = _money(table, firms, call)
    scorer = _Scorer(call, model, table["committee_score"].to_numpy(dtype="float64",
                                                                    na_value=np.nan),
                     table["bonus_points"].to_numpy(), committee is not None)
    rated = components["rated"]
    score, order = _score_and_order(table, scorer, rated, call, money["support_won"])
    costs = money["support_won"].to_numpy()
    budget = int(to_won(call.money.budget))
    _allocate(table, score, order, costs, budget, call, optimal_mode)
    if progress is not None and n_variants > 0:
        progress("robustness variants", n_variants)
    _robustness(table, model, components, scorer, _robustness_pool(checks), rated, costs,
                budget, call, n_variants, seed)
    table["notes"], table["notes_ko"] = _notes(table, money, rated, committee is not None,
                                               call, record)
    result = _in_rank_order(table, optimal_mode)
    differences = _optimal_differences(result) if optimal_mode else None
    audit = build_audit(call, model, frame, result, seed=seed, variants=n_variants,
                        optimal_mode=optimal_mode, has_committee=committee is not None,
                        weights=scorer.weights(), differences=differences,
                        input_sha256=input_sha256, input_file=input_file, created=created,
                        committee=record)
    warnings = committee.warnings if isinstance(committee, committee_scores.ScoreCheck) else []
    return Selection(result, audit, evaluators, differences, warnings=warnings)


# ---------------------------------------------------------------------------- the applicants

def _applicant_frame(applicants: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The validated applicants (index 0..n-1) with each firm's 3-year average revenue, and
    the column that identifies a firm (``brn``, else ``firm_id``)."""
    frame = _validated(applicants).reset_index(drop=True)
    key = "brn" if "brn" in frame else "firm_id"
    if key not in frame:
        raise DataError("the applicants have neither brn (사업자등록번호) nor firm_id (기업ID)")
    frame["avg_revenue"] = average_revenue(frame, key)
    return frame, key


def _validated(applicants: pd.DataFrame) -> pd.DataFrame:
    """The applicants as the contract has them: validated here when they come raw (Korean
    headers, Y/N text, numbers as text), so bad cells give one line naming row and column."""
    if _looks_validated(applicants):
        return applicants
    result = validate(applicants, source="applicants")
    if not result.ok:
        raise DataError(result.problems)
    return result.frame


def _looks_validated(frame: pd.DataFrame) -> bool:
    for f in FIELDS:
        if f.name not in frame:
            continue
        dtype = frame[f.name].dtype
        if f.kind in (MONEY, "int", "float", "year") and not pd.api.types.is_numeric_dtype(dtype):
            return False
        if f.kind == "yesno" and not pd.api.types.is_bool_dtype(dtype):
            return False
    return all(match_header(str(c))[0] in (None, c) for c in frame.columns)


def _latest_rows(frame: pd.DataFrame, key: str) -> np.ndarray:
    """Positions of each firm's latest fiscal year (one applicant row per firm)."""
    years = frame["year"].astype("float64").fillna(-1) if "year" in frame else \
        pd.Series(0.0, index=frame.index)
    order = np.lexsort((np.arange(len(frame)), years.to_numpy()))
    # a row without a key is its own firm (it is screened out for its business number)
    keys = frame[key].astype("str").fillna("").to_numpy(dtype=object)
    keys = np.where(keys == "", [f"\0row{i}" for i in range(len(keys))], keys)[order]
    last = pd.Series(order).groupby(keys, sort=False).last()
    return np.sort(last.to_numpy())


def _display_brn(value: object) -> object:
    """``123-45-67890`` for a valid business number; anything else unchanged."""
    return format_brn(value) if not pd.isna(value) and is_valid_brn(value) else value


def _score_latest(frame: pd.DataFrame, key: str,
                  model: TechIndex) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Score every row (the model needs the whole frame) and keep each firm's latest.

    Returns the firms (one row each), the decision table begun (business number, name,
    domain scores, composite, Tech-Index, grade) and the model's components of the firms.
    """
    latest = _latest_rows(frame, key)
    scored = model.transform(frame).iloc[latest].reset_index(drop=True)
    components = {k: (v[latest] if isinstance(v, np.ndarray) else v)
                  for k, v in model.components(frame).items()}
    firms = frame.iloc[latest].reset_index(drop=True)
    if "brn" not in firms:
        firms["brn"] = firms[key]
    table = pd.DataFrame({"brn": firms["brn"].map(_display_brn).astype("str"),
                          "firm_name": firms.get("firm_name", pd.Series("", index=firms.index))})
    for column in (*DOMAINS, "composite", "tech_index", "grade"):
        table[column] = scored[column].to_numpy()
    return firms, table, components


# ---------------------------------------------------------------------------- points

def _checked_committee(committee, table: pd.DataFrame, rules: dict):
    """The committee scores checked against the applicants (``table``'s business numbers):
    a :class:`~ktop_index.selection.committee.ScoreCheck` for long scores (a file as read,
    or a frame), aggregated scores as they are, or None."""
    if committee is None or (isinstance(committee, pd.DataFrame)
                             and "committee_score" in committee):
        return committee
    raw = (committee if not isinstance(committee, pd.DataFrame)
           else RawTable(committee, np.arange(len(committee)) + 2, "committee"))
    found = committee_scores.inspect_scores(raw.frame, raw.source, raw.rows,
                                            rules.get("items"), applicants=set(table["brn"]),
                                            max_total=rules.get("max_total"),
                                            allow_partial=rules.get("allow_partial", False))
    return committee_scores.with_reader_problems(found, raw)


def _committee_points(table: pd.DataFrame, committee, call: Call
                      ) -> tuple[pd.DataFrame | None, dict | None]:
    """Add the committee score (and its spread) of each firm. Returns each evaluator's
    spread (long scores) and what the audit records of the committee (None without one).

    Raises DataError with every problem of the scores, and when eligible applicants have no
    score (unless ``allow_partial``: a warning, and 0 committee points each)."""
    if committee is None:
        table["committee_score"] = np.nan
        return None, None
    if isinstance(committee, committee_scores.ScoreCheck):
        allow, source = committee.allow_partial, committee.source
        agg = committee_scores.aggregate(committee.scores,
                                         call.scoring.committee_min_evaluators_for_trim)
    else:
        allow, source, agg = False, "committee", _aggregated(committee)
    _map_scores(table, agg)
    readable = not isinstance(committee, committee_scores.ScoreCheck) or committee.summary
    missing = _without_scores(table, source, allow) if readable else []  # else: all missing
    problems = (committee.problems if isinstance(committee, committee_scores.ScoreCheck)
                else []) + missing
    if any(p.severity == "error" for p in problems):
        raise DataError(problems)
    record = _committee_record(table, committee, agg, allow)
    if not isinstance(committee, committee_scores.ScoreCheck):
        return None, record
    committee.problems.extend(missing)  # the warning goes with the others
    return committee_scores.evaluator_spread(committee.scores), record


def _aggregated(agg: pd.DataFrame) -> pd.DataFrame:
    """Already aggregated scores, one row per firm (a firm twice is an error)."""
    agg = agg.assign(brn=agg["brn"].map(_display_brn))
    if agg["brn"].duplicated().any():
        raise DataError(f"the committee scores give firm "
                        f"{agg.loc[agg['brn'].duplicated(), 'brn'].iloc[0]} twice "
                        "(expected one aggregated row per firm)")
    return agg


def _map_scores(table: pd.DataFrame, agg: pd.DataFrame) -> None:
    """Each firm's committee columns; firms that did not apply are an error."""
    unknown = sorted(set(agg["brn"]) - set(table["brn"]))
    if unknown:  # long scores were checked already: aggregated ones reach this
        raise DataError(f"the committee scores name {len(unknown)} firm(s) that did not "
                        f"apply, e.g. {unknown[0]} (expected applicants' business numbers)")
    by_firm = agg.set_index("brn")
    for column in by_firm.columns:  # mapped, so the rows keep their order and number
        table[column] = table["brn"].map(by_firm[column]).to_numpy()


def _without_scores(table: pd.DataFrame, source: str, allow_partial: bool) -> list[Problem]:
    """The eligible applicants without a committee score: one problem (a warning with
    ``allow_partial``), naming how many and the first few."""
    eligible = table["eligible"].to_numpy(dtype=bool)
    missing = eligible & table["committee_score"].isna().to_numpy()
    if not missing.any():
        return []
    severity = "warning" if allow_partial else "error"
    hint = COMMITTEE_PARTIAL_HINTS[("zero", severity)]
    brns = sorted(table.loc[missing, "brn"])
    examples = ", ".join(brns[:3]) + (", …" if len(brns) > 3 else "")
    return [Problem(source, 1, "-", "committee_missing_firms", severity,
                    {"count": len(brns), "eligible": int(eligible.sum()),
                     "examples": examples, "hint": hint[0], "hint_ko": hint[1]})]


def _committee_record(table: pd.DataFrame, committee, agg: pd.DataFrame,
                      allow_partial: bool) -> dict:
    """What the audit records of the committee scores: the check's results, whether the
    totals were trimmed, and what ``allow_partial`` let through (``partial``)."""
    check = committee if isinstance(committee, committee_scores.ScoreCheck) else None
    record = dict(check.summary) if check is not None else {"aggregated": True}
    record["trimmed"] = bool(agg["committee_trimmed"].any()) if (
        "committee_trimmed" in agg and len(agg)) else False
    missing = table["eligible"].to_numpy(dtype=bool) & table["committee_score"].isna()
    partial = dict(check.partial) if check is not None else {}
    if missing.any():
        partial["without_scores"] = sorted(table.loc[missing, "brn"])
    if allow_partial and partial:
        partial.setdefault("left_out", {})
        partial.setdefault("fewer", {})
        partial.setdefault("size", int(agg["committee_evaluators"].max())
                           if "committee_evaluators" in agg and len(agg) else 0)
        partial.setdefault("without_scores", [])
        record["partial"] = partial
    return record


def _bonus_points(firms: pd.DataFrame, call: Call) -> np.ndarray:
    """The points of the call's bonus column (가점), 0 when missing, capped at bonus_max."""
    column = call.scoring.bonus_column
    if not column:
        return np.zeros(len(firms))
    if column not in firms:
        raise DataError(f"call {call.name} takes bonus points from column '{column}', which "
                        "the applicants lack")
    bonus = pd.to_numeric(firms[column], errors="coerce").fillna(0.0).to_numpy(dtype="float64")
    if call.scoring.bonus_max:
        bonus = np.clip(bonus, 0.0, call.scoring.bonus_max)
    return bonus


def _screen_eligibility(table: pd.DataFrame, firms: pd.DataFrame, call: Call) -> pd.DataFrame:
    """Add ``eligible`` and the reasons; return every rule's pass/fail."""
    checks = screen(firms, call, grades=table["grade"])
    for column in ("eligible", "reasons", "reasons_ko", "ksic11"):
        table[column] = checks[column].to_numpy()
    # the code as the applicant gave it, beside the 11th-revision code(s) it was judged on
    table["ksic"] = (firms["ksic"].astype("str").fillna("").to_numpy() if "ksic" in firms
                     else "")
    return checks


def _money(table: pd.DataFrame, firms: pd.DataFrame, call: Call) -> pd.DataFrame:
    """Add what each firm would get (천원) if selected; return the money table (won too)."""
    requested = firms["requested"] if "requested" in firms else np.full(len(firms), np.nan)
    revenue = firms.get("revenue", pd.Series(np.nan, index=firms.index))
    money = money_table(requested, revenue, call.money)
    for column in MONEY_OUT:
        table[column] = money[column].to_numpy()
    return money


class _Scorer:
    """The call's selection score from a composite (0-100), for the model and every variant."""

    def __init__(self, call: Call, model: TechIndex, committee: np.ndarray, bonus: np.ndarray,
                 has_committee: bool):
        s = call.scoring
        self.use = s.tech_index_use
        w_t = s.tech_weight if self.use == "weight" else 0.0
        w_c = s.committee_weight if has_committee else 0.0
        total = w_t + w_c
        self.w_tech = w_t / total if total else 0.0
        self.w_committee = w_c / total if total else 0.0
        self.committee = np.nan_to_num(committee)
        self.bonus = bonus
        self.grade_bonus = np.array([s.grade_bonus.get(g, 0.0) for g in GRADES] + [0.0])
        self.cutoffs = np.array([c for _, c in model.grade_cutoffs_], dtype=float)
        self.scale = model.spec_["scale"]
        self.mu, self.sigma = model.composite_mean_, model.composite_sd_
        e = call.eligibility
        self.need_rated = e.not_rated == "ineligible" or bool(e.min_grade)
        self.min_position = GRADES.index(e.min_grade) if e.min_grade else len(GRADES)

    def weights(self) -> dict:
        """How the Tech-Index enters the score, with the weights after re-normalisation."""
        return {"tech_index_use": self.use, "tech_weight": self.w_tech,
                "committee_weight": self.w_committee}

    def subset(self, members: np.ndarray) -> _Scorer:
        """The same scorer for the firms at positions ``members``."""
        other = copy.copy(self)
        other.committee, other.bonus = self.committee[members], self.bonus[members]
        return other

    def tech_index(self, composite: np.ndarray) -> np.ndarray:
        return self.scale["mean"] + self.scale["sd"] * (composite - self.mu) / self.sigma

    def grade_position(self, composite: np.ndarray) -> np.ndarray:
        """0 = AAA ... 6 = CCC, 7 = not rated (NaN composite)."""
        tech = self.tech_index(composite)
        position = np.minimum((tech[..., None] < self.cutoffs).sum(axis=-1), len(GRADES) - 1)
        return np.where(np.isnan(composite), len(GRADES), position)

    def __call__(self, composite: np.ndarray, rated: np.ndarray) -> np.ndarray:
        """Selection scores (same shape as ``composite``); -inf where not eligible by grade."""
        composite = np.where(rated, composite, np.nan)
        points = np.nan_to_num(composite)  # a firm not rated gets no index points
        score = self.w_tech * points + self.w_committee * self.committee + self.bonus
        position = self.grade_position(composite)
        if self.use == "bonus":
            score = score + self.grade_bonus[position]
        score = np.round(score, 4)  # ties are ties as shown, broken by the documented rules
        if self.need_rated:
            score = np.where(np.isnan(composite), -np.inf, score)
        if self.min_position < len(GRADES):
            score = np.where(position > self.min_position, -np.inf, score)
        return score


# ---------------------------------------------------------------------------- rank and money

def _score_and_order(table: pd.DataFrame, scorer: _Scorer, rated: np.ndarray, call: Call,
                     support_won: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Add ``selection_score`` and ``rank``; return the scores (-inf where not eligible by
    grade) and the eligible firms' positions, best first."""
    score = scorer(table["composite"].to_numpy(dtype="float64"), rated)
    eligible = table["eligible"].to_numpy(dtype=bool)
    table["selection_score"] = np.where(eligible & np.isfinite(score), score, np.nan)
    order = _tie_order(table, np.where(eligible, score, -np.inf), call, support_won.to_numpy())
    order = order[eligible[order]]
    rank = np.full(len(table), np.nan)
    rank[order] = np.arange(1, len(order) + 1)
    table["rank"] = pd.array(rank, dtype="Int64")
    return score, order


def _tie_order(table: pd.DataFrame, score: np.ndarray, call: Call,
               support_won: np.ndarray) -> np.ndarray:
    """Positions sorted best first: score, then the call's tie-break rules, then brn.

    ``requested`` compares the support each firm would get (its request after the cap).
    """
    keys = [table["brn"].astype("str").fillna("").to_numpy(dtype=object)]  # the last resort
    for rule in reversed(call.scoring.tie_break):
        if rule == "brn":
            continue
        if rule == "requested":
            keys.append(np.asarray(support_won))
        else:
            values = table[rule].to_numpy(dtype="float64", na_value=np.nan)
            keys.append(np.where(np.isnan(values), np.inf, -values))  # higher first, NaN last
    keys.append(-score)
    return np.lexsort(keys)


def _allocate(table: pd.DataFrame, score: np.ndarray, order: np.ndarray, costs: np.ndarray,
              budget: int, call: Call, optimal_mode: bool) -> None:
    """Add ``status`` (and ``selected_by_rank`` in optimal mode); zero the money of the firms
    not selected. ``costs`` and ``budget`` in won."""
    eligible = table["eligible"].to_numpy(dtype=bool)
    by_rank = np.zeros(len(table), bool)
    by_rank[order] = greedy(costs[order], budget, call.money.max_firms)
    chosen = by_rank.copy()
    if optimal_mode:
        chosen = np.zeros(len(table), bool)
        chosen[order] = optimal(score[order], costs[order], budget, call.money.max_firms)
        table["selected_by_rank"] = by_rank
    status = np.where(eligible, "not_selected", "ineligible").astype(object)
    status[chosen] = "selected"
    status[_waitlist(table["rank"].to_numpy(dtype="float64", na_value=np.nan), order, chosen,
                     call.money.waitlist, optimal_mode)] = "waitlist"
    table["status"] = status
    for column in MONEY_OUT[1:]:
        table[column] = table[column].where(chosen, 0.0)


def _waitlist(rank: np.ndarray, order: np.ndarray, chosen: np.ndarray, size: int,
              optimal_mode: bool) -> list[int]:
    """The reserve firms: the next ``size`` ranked below the last selected firm (in optimal
    mode: the best ``size`` not chosen)."""
    rest = [i for i in order if not chosen[i]]
    if optimal_mode:
        return rest[:size]
    last = rank[chosen].max() if chosen.any() else 0
    return [i for i in rest if rank[i] > last][:size]


# ---------------------------------------------------------------------------- robustness

def _robustness_pool(checks: pd.DataFrame) -> np.ndarray:
    """Firms eligible on every rule that does not depend on the index (grade rules vary)."""
    pool = np.ones(len(checks), bool)
    for column in checks.columns:
        if column.startswith("pass_") and column not in ("pass_min_grade", "pass_rated"):
            pool &= checks[column].to_numpy(dtype=bool)
    return pool


def _robustness(table, model, components, scorer, pool, rated, costs, budget, call,
                n_variants, seed) -> None:
    """Fill rank_low, rank_high, selection_probability and robustness (empty when no variants)."""
    n = len(table)
    table["rank_low"] = pd.array([pd.NA] * n, dtype="Int64")
    table["rank_high"] = pd.array([pd.NA] * n, dtype="Int64")
    table["selection_probability"] = np.nan
    table["robustness"] = ""
    members = np.flatnonzero(pool)
    if n_variants <= 0 or members.size == 0:
        return
    r = call.robustness
    sub = {k: (v[members] if isinstance(v, np.ndarray) else v) for k, v in components.items()}
    found = robustness.variant_composites(model, None, n_variants, seed, r.concentration,
                                          r.normalisations, r.aggregations, components=sub)
    base = table["composite"].to_numpy(dtype="float64")[members]
    ref = rated[members] & ~np.isnan(base)
    composite = (robustness.rescale(found.composite, base, ref) if ref.sum() > 1
                 else found.composite)
    sub_scorer = scorer.subset(members)
    scores = sub_scorer(composite, rated[members])
    base_score = sub_scorer(base, rated[members])
    tie = _tie_order(table.iloc[members].reset_index(drop=True), base_score, call,
                     costs[members])
    sim = robustness.simulate(scores, costs[members], budget, tie, call.money.max_firms)
    table.loc[members, "rank_low"] = sim["rank_low"]
    table.loc[members, "rank_high"] = sim["rank_high"]
    table.loc[members, "selection_probability"] = np.round(sim["selection_probability"], 4)
    selected = (table["status"] == "selected").to_numpy()
    flag = robustness.flags(selected[members], table["eligible"].to_numpy(dtype=bool)[members],
                            sim["selection_probability"], r.fragile_below)
    table.loc[members, "robustness"] = flag


# ---------------------------------------------------------------------------- the result

def _notes(table, money, rated, has_committee, call,
           committee: dict | None = None) -> tuple[list[str], list[str]]:
    """Each firm's notes, in English and Korean ('; '-joined; empty when none); with
    ``committee`` (its audit record), what ``allow_partial`` let through for the firm."""
    en: list[list[str]] = [[] for _ in range(len(table))]
    ko: list[list[str]] = [[] for _ in range(len(table))]

    def add(mask, key, **params):
        for i in np.flatnonzero(mask):
            en[i].append(NOTES[key][0].format(**params))
            ko[i].append(NOTES[key][1].format(**params))

    for i in np.flatnonzero(money["trimmed"].to_numpy()):
        params = {"req": money["requested"].iat[i], "cap": call.money.cap}
        en[i].append(NOTES["trimmed"][0].format(**params))
        ko[i].append(NOTES["trimmed"][1].format(**params))
    add(money["requested_assumed"].to_numpy(), "assumed")
    add(money["revenue_unknown"].to_numpy(), "revenue")
    add(~rated, "not_rated")
    if has_committee:
        add(table["committee_score"].isna().to_numpy() & table["eligible"].to_numpy(dtype=bool),
            "no_committee")
    partial = (committee or {}).get("partial", {})
    position = {brn: i for i, brn in enumerate(table["brn"])}
    for brn, names in partial.get("left_out", {}).items():
        add(_at(position, brn, len(table)), "committee_left_out", evaluators=", ".join(names))
    for brn, count in partial.get("fewer", {}).items():
        add(_at(position, brn, len(table)), "committee_fewer", count=count,
            size=partial["size"])
    return ["; ".join(x) for x in en], ["; ".join(x) for x in ko]


def _at(position: dict, brn: str, n: int) -> np.ndarray:
    """A mask of ``n`` rows true at the row of ``brn``."""
    mask = np.zeros(n, bool)
    mask[position[brn]] = True
    return mask


def _in_rank_order(table: pd.DataFrame, optimal_mode: bool) -> pd.DataFrame:
    """The agreed columns, eligible firms by rank then the others, by business number; the
    scores rounded for reading (every decision used full precision)."""
    eligible = table["eligible"].to_numpy(dtype=bool)
    sort_key = np.where(eligible, table["rank"].to_numpy(dtype="float64", na_value=np.nan),
                        len(table) + 1)
    brn_text = table["brn"].astype("str").fillna("").to_numpy(dtype=object)
    table = table.iloc[np.lexsort((brn_text, sort_key))].reset_index(drop=True)
    for column in (*DOMAINS, "tech_index"):
        table[column] = table[column].round(2)
    return table[list(COLUMNS) + (["selected_by_rank"] if optimal_mode else [])]


def _optimal_differences(result: pd.DataFrame) -> pd.DataFrame:
    """The firms the optimal choice and rank order disagree on."""
    disagree = result["selected_by_rank"] != (result["status"] == "selected")
    return result.loc[disagree, ["brn", "firm_name", "rank", "selection_score", "requested",
                                 "support", "status", "selected_by_rank"]].reset_index(drop=True)

