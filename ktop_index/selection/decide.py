"""Selecting the firms of a call: screen, score, rank, fund, test the robustness, write it down.

:func:`select` runs the whole decision for one call and returns a :class:`Selection`: the
table (one row per applicant, the columns agreed in ``briefs/interfaces.md``) and an audit
record (:mod:`ktop_index.selection.audit`). :func:`select_file` does the same from an
applicants file, reading, validating and hashing it, so its audit is the one ``ktop select``
writes. The same inputs, call, model and seed give the same decision (only the audit's
``created`` time differs, and it can be fixed with ``created=``). Writing the folder
(``selection.csv``, ``selection.xlsx``, ``audit.json``) is an output step:
:func:`ktop_index.report.outputs.write_selection`.

The steps, in order: validate the applicants; score each firm's latest year; the committee
points; the bonus points; screen eligibility; the money of each request; the selection score
and the tie order; allocate the budget; robustness; notes; the audit.

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
from ktop_index.data.io import read_table
from ktop_index.data.validate import validate
from ktop_index.errors import DataError
from ktop_index.index.spec import DOMAINS, GRADES
from ktop_index.index.techindex import TechIndex, as_model
from ktop_index.labels import ELIGIBLE_KO, ROBUSTNESS_KO, STATUS_KO
from ktop_index.labels import SELECTION_COLUMNS_KO as LABELS_KO
from ktop_index.labels import SELECTION_NOTES as NOTES
from ktop_index.selection import committee as committee_scores
from ktop_index.selection import robustness
from ktop_index.selection.allocation import greedy, money_table, optimal, to_won
from ktop_index.selection.audit import STATUSES, build_audit
from ktop_index.selection.calls import Call, load_call
from ktop_index.selection.eligibility import average_revenue, screen

COLUMNS = ("brn", "firm_name", "status", "rank", "eligible", "reasons",
           "reasons_ko", *DOMAINS, "tech_index", "grade", "committee_score",
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
                model: TechIndex | str | os.PathLike | None = None,
                optimal_mode: bool = False, variants: int | None = None,
                seed: int | None = None, created: str | None = None,
                sheet: str | int | None = None, money_unit: str | None = None,
                progress: Callable[[str, int], None] | None = None) -> Selection:
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
    model, optimal_mode, variants, seed, created : as :func:`select`.
    sheet : the XLSX sheet (name or 0-based number; the first when None).
    money_unit : the unit of money columns whose header names none (원, 천원, 백만원).
    progress : called as ``progress(stage, rows)`` at "reading", "validating" and
        "selecting" (the command line draws its progress bar with it).

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
    table = read_table(applicants_path, sheet=sheet)
    step("validating", len(table.frame))
    checked = validate(table, money_unit=money_unit)
    if not checked.ok:
        raise DataError(checked.problems)
    committee_file = None
    if committee is not None and not isinstance(committee, pd.DataFrame):
        committee_file = committee
        items = (None if committee_items in (None, "any")
                 else committee_scores.load_preset(committee_items))
        committee = committee_scores.read_scores(committee, items=items)
    step("selecting", len(table.frame))
    result = _decide(checked.frame, call, model, committee, optimal_mode, variants, seed,
                     created, input_sha256=sha256_file(applicants_path),
                     input_file=os.path.basename(applicants_path))
    if committee_file is not None:
        result.audit["committee_file"] = os.path.basename(committee_file)
        result.audit["committee_sha256"] = sha256_file(committee_file)
    result.warnings = checked.warnings
    return result


def select(applicants: pd.DataFrame, call: Call | str | os.PathLike,
           model: TechIndex | str | os.PathLike | None = None,
           committee: pd.DataFrame | None = None, optimal_mode: bool = False,
           variants: int | None = None, seed: int | None = None,
           input_sha256: str | None = None, created: str | None = None) -> Selection:
    """Decide a call: eligibility, selection score, rank, money, robustness, audit.

    Parameters
    ----------
    applicants : the applicants, validated (contract names, money in 천원) or raw as a
        spreadsheet has them (validated here); several fiscal years per firm are allowed
        (the latest is the application, the others feed the 3-year average revenue).
    call : a :class:`~ktop_index.selection.calls.Call`, a call file or a bundled call's name.
    model : a fitted TechIndex or a model file (the bundled default when None).
    committee : long committee scores (``brn, evaluator, item, points``; see
        :mod:`ktop_index.selection.committee`), already aggregated ones (a
        ``committee_score`` column), or None.
    optimal_mode : choose the set with the largest total score within the budget instead of
        going down the ranking; the table then also has ``selected_by_rank``.
    variants, seed : robustness variants (0 = none) and seed; the call's when None.
    input_sha256 : the input file's hash for the audit (the data's hash is always recorded;
        :func:`select_file` records both).
    created : the audit's time stamp (UTC ISO); now when None.

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
                   input_sha256=input_sha256)


def _decide(applicants, call, model, committee, optimal_mode, variants, seed, created, *,
            input_sha256: str | None, input_file: str | None = None) -> Selection:
    """The steps of a decision, in order (see the module's docstring)."""
    call = call if isinstance(call, Call) else load_call(call)
    model = as_model(model)
    n_variants = call.robustness.variants if variants is None else int(variants)
    seed = call.robustness.seed if seed is None else int(seed)
    frame, key = _applicant_frame(applicants)
    firms, table, components = _score_latest(frame, key, model)
    evaluators = _committee_points(table, committee, call)
    table["bonus_points"] = _bonus_points(firms, call)
    checks = _screen_eligibility(table, firms, call)
    money = _money(table, firms, call)
    scorer = _Scorer(call, model, table["committee_score"].to_numpy(dtype="float64",
                                                                    na_value=np.nan),
                     table["bonus_points"].to_numpy(), committee is not None)
    rated = components["rated"]
    score, order = _score_and_order(table, scorer, rated, call, money["support_won"])
    costs = money["support_won"].to_numpy()
    budget = int(to_won(call.money.budget))
    _allocate(table, score, order, costs, budget, call, optimal_mode)
    _robustness(table, model, components, scorer, _robustness_pool(checks), rated, costs,
                budget, call, n_variants, seed)
    table["notes"], table["notes_ko"] = _notes(table, money, rated, committee is not None,
                                               call)
    result = _in_rank_order(table, optimal_mode)
    differences = _optimal_differences(result) if optimal_mode else None
    audit = build_audit(call, model, frame, result, seed=seed, variants=n_variants,
                        optimal_mode=optimal_mode, has_committee=committee is not None,
                        weights=scorer.weights(), differences=differences,
                        input_sha256=input_sha256, input_file=input_file, created=created)
    return Selection(result, audit, evaluators, differences)


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

def _committee_points(table: pd.DataFrame, committee: pd.DataFrame | None,
                      call: Call) -> pd.DataFrame | None:
    """Add the committee score (and its spread) of each firm; return each evaluator's spread
    when the scores are per evaluator."""
    if committee is None:
        table["committee_score"] = np.nan
        return None
    trim_rule = call.scoring.committee_min_evaluators_for_trim
    agg = (committee if "committee_score" in committee  # already aggregated
           else committee_scores.aggregate(committee, trim_rule))
    agg = agg.assign(brn=agg["brn"].map(_display_brn))
    unknown = sorted(set(agg["brn"]) - set(table["brn"]))
    if unknown:
        raise DataError(f"the committee scores name {len(unknown)} firm(s) that did not "
                        f"apply, e.g. {unknown[0]} (expected applicants' business numbers)")
    if agg["brn"].duplicated().any():
        raise DataError(f"the committee scores give firm "
                        f"{agg.loc[agg['brn'].duplicated(), 'brn'].iloc[0]} twice "
                        "(expected one aggregated row per firm)")
    by_firm = agg.set_index("brn")
    for column in by_firm.columns:  # mapped, so the rows keep their order and number
        table[column] = table["brn"].map(by_firm[column]).to_numpy()
    return committee_scores.evaluator_spread(committee) if "evaluator" in committee else None


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
    for column in ("eligible", "reasons", "reasons_ko"):
        table[column] = checks[column].to_numpy()
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

def _notes(table, money, rated, has_committee, call) -> tuple[list[str], list[str]]:
    """Each firm's notes, in English and Korean ('; '-joined; empty when none)."""
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
    return ["; ".join(x) for x in en], ["; ".join(x) for x in ko]


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

