"""Selecting the firms of a call: screen, score, rank, fund, test the robustness, write it down.

:func:`select` runs the whole decision for one call and returns a :class:`Selection`: the
table (one row per applicant, the columns agreed in ``briefs/interfaces.md``) and an audit
record. :func:`write_selection` writes ``selection.csv`` (UTF-8 with BOM), ``selection.xlsx``
and ``audit.json`` into a folder; the same inputs, call, model and seed give the same bytes
(only the audit's ``created`` time differs, and it can be fixed with ``created=``).

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
>>> from ktop_index.data.validate import read_firms                       # doctest: +SKIP
>>> result = select(read_firms("data/jeju_2025_applicants.xlsx"), "jeju_2025")  # doctest: +SKIP
>>> result.table["status"].value_counts()                            # doctest: +SKIP
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ktop_index import __version__
from ktop_index.data.brn import format_brn, is_valid_brn
from ktop_index.data.contract import FIELDS, MONEY, match_header
from ktop_index.data.io import _atomic, write_table
from ktop_index.index.techindex import TechIndex, data_hash
from ktop_index.selection.allocation import greedy, money_table, optimal, to_won
from ktop_index.selection.calls import GRADES, Call, load_call
from ktop_index.selection.eligibility import average_revenue, screen, sme_ceiling

DOMAINS = ("infrastructure", "input", "activity", "outcome")
STATUSES = ("selected", "waitlist", "not_selected", "ineligible")
COLUMNS = ("brn", "firm_name", "status", "rank", "eligible", "reasons",
           "reasons_ko", *DOMAINS, "tech_index", "grade", "committee_score",
           "bonus_points", "selection_score", "rank_low", "rank_high", "selection_probability",
           "robustness", "requested", "support", "self_burden", "national_share",
           "local_share", "notes", "notes_ko")
from ktop_index.labels import ROBUSTNESS_KO, STATUS_KO
from ktop_index.labels import SELECTION_COLUMNS_KO as LABELS_KO
from ktop_index.labels import SELECTION_NOTES as NOTES


@dataclass
class Selection:
    """The decision of one call: ``table`` (one row per applicant) and ``audit``."""

    table: pd.DataFrame
    audit: dict
    evaluators: pd.DataFrame | None = None
    differences: pd.DataFrame | None = field(default=None)

    def labelled(self, lang: str = "en") -> pd.DataFrame:
        """The table with Korean column labels and status words when ``lang='ko'``."""
        if lang != "ko":
            return self.table
        table = self.table.copy()
        table["status"] = table["status"].map(STATUS_KO)
        table["robustness"] = table["robustness"].map(ROBUSTNESS_KO)
        table["eligible"] = np.where(table["eligible"], "적격", "부적격")
        return table.rename(columns=LABELS_KO)


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


def _model_sha(model: TechIndex) -> str:
    text = json.dumps(model.to_dict(), sort_keys=True, ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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


def _validated(applicants: pd.DataFrame) -> pd.DataFrame:
    """The applicants as the contract has them: validated here when they come raw (Korean
    headers, Y/N text, numbers as text), so bad cells give one line naming row and column."""
    from ktop_index.data.validate import DataError, validate

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


def select(applicants: pd.DataFrame, call: Call | str | os.PathLike,
           model: TechIndex | str | os.PathLike | None = None,
           committee: pd.DataFrame | None = None, optimal_mode: bool = False,
           variants: int | None = None, seed: int | None = None,
           input_sha256: str | None = None, created: str | None = None) -> Selection:
    """Decide a call: eligibility, selection score, rank, money, robustness, audit.

    Parameters
    ----------
    applicants : validated applicants (contract names, money in 천원); several fiscal years
        per firm are allowed (the latest is the application, the others feed growth and the
        3-year average revenue).
    call : a :class:`~ktop_index.calls.Call`, a call file or a bundled call's name.
    model : a fitted TechIndex or a model file (the bundled default when None).
    committee : long committee scores (``brn, evaluator, item, points``; see
        :mod:`ktop_index.selection.committee`), or None.
    optimal_mode : choose the set with the largest total score within the budget instead of
        going down the ranking; the table then also has ``selected_by_rank``.
    variants, seed : robustness variants (0 = none) and seed; the call's when None.
    input_sha256 : the input file's hash for the audit (the data's hash is always recorded).
    created : the audit's time stamp (UTC ISO); now when None.

    Returns
    -------
    Selection
    """
    from ktop_index.selection import committee as committee_module
    from ktop_index.selection import robustness

    call = call if isinstance(call, Call) else load_call(call)
    model = model if isinstance(model, TechIndex) else TechIndex.load(model)
    n_variants = call.robustness.variants if variants is None else int(variants)
    seed = call.robustness.seed if seed is None else int(seed)
    frame = _validated(applicants).reset_index(drop=True)
    key = "brn" if "brn" in frame else "firm_id"
    if key not in frame:
        raise ValueError("the applicants have neither brn (사업자등록번호) nor firm_id (기업ID)")
    frame["avg_revenue"] = average_revenue(frame, key)
    latest = _latest_rows(frame, key)
    scored = model.score(frame).iloc[latest].reset_index(drop=True)
    components = {k: (v[latest] if isinstance(v, np.ndarray) else v)
                  for k, v in model.components(frame).items()}
    firms = frame.iloc[latest].reset_index(drop=True)
    if "brn" not in firms:
        firms["brn"] = firms[key]

    table = pd.DataFrame({"brn": firms["brn"].map(_display_brn).astype("str"),
                          "firm_name": firms.get("firm_name", pd.Series("", index=firms.index))})
    for column in (*DOMAINS, "composite", "tech_index", "grade"):
        table[column] = scored[column].to_numpy()
    evaluators = None
    trim_rule = call.scoring.committee_min_evaluators_for_trim
    if committee is not None:
        agg = (committee if "committee_score" in committee  # already aggregated
               else committee_module.aggregate(committee, trim_rule))
        agg = agg.assign(brn=agg["brn"].map(_display_brn))
        unknown = sorted(set(agg["brn"]) - set(table["brn"]))
        if unknown:
            raise ValueError(f"the committee scores name {len(unknown)} firm(s) that did not "
                             f"apply, e.g. {unknown[0]} (expected applicants' business numbers)")
        if agg["brn"].duplicated().any():
            raise ValueError(f"the committee scores give firm "
                             f"{agg.loc[agg['brn'].duplicated(), 'brn'].iloc[0]} twice "
                             "(expected one aggregated row per firm)")
        by_firm = agg.set_index("brn")
        for column in by_firm.columns:  # mapped, so the rows keep their order and number
            table[column] = table["brn"].map(by_firm[column]).to_numpy()
        if "evaluator" in committee:
            evaluators = committee_module.evaluator_spread(committee)
    else:
        table["committee_score"] = np.nan
    bonus = np.zeros(len(table))
    if call.scoring.bonus_column:
        if call.scoring.bonus_column not in firms:
            raise ValueError(f"call {call.name} takes bonus points from column "
                             f"'{call.scoring.bonus_column}', which the applicants lack")
        bonus = pd.to_numeric(firms[call.scoring.bonus_column], errors="coerce").fillna(0.0)
        bonus = bonus.to_numpy(dtype="float64")
        if call.scoring.bonus_max:
            bonus = np.clip(bonus, 0.0, call.scoring.bonus_max)
    table["bonus_points"] = bonus

    checks = screen(firms, call, grades=table["grade"])
    table["eligible"] = checks["eligible"].to_numpy()
    table["reasons"] = checks["reasons"].to_numpy()
    table["reasons_ko"] = checks["reasons_ko"].to_numpy()

    money = money_table(firms["requested"] if "requested" in firms else np.full(len(firms),
                        np.nan), firms.get("revenue", pd.Series(np.nan, index=firms.index)),
                        call.money)
    for column in ("requested", "support", "self_burden", "national_share", "local_share"):
        table[column] = money[column].to_numpy()

    rated = components["rated"]
    scorer = _Scorer(call, model, table["committee_score"].to_numpy(dtype="float64",
                                                                    na_value=np.nan),
                     bonus, committee is not None)
    score = scorer(table["composite"].to_numpy(dtype="float64"), rated)
    eligible = table["eligible"].to_numpy(dtype=bool)
    table["selection_score"] = np.where(eligible & np.isfinite(score), score, np.nan)

    costs = money["support_won"].to_numpy()
    order = _tie_order(table, np.where(eligible, score, -np.inf), call, costs)
    order = order[eligible[order]]
    rank = np.full(len(table), np.nan)
    rank[order] = np.arange(1, len(order) + 1)
    table["rank"] = pd.array(rank, dtype="Int64")

    budget = int(to_won(call.money.budget))
    by_rank = np.zeros(len(table), bool)
    by_rank[order] = greedy(costs[order], budget, call.money.max_firms)
    chosen = by_rank.copy()
    if optimal_mode:
        chosen = np.zeros(len(table), bool)
        chosen[order] = optimal(score[order], costs[order], budget, call.money.max_firms)
        table["selected_by_rank"] = by_rank
    status = np.where(eligible, "not_selected", "ineligible").astype(object)
    status[chosen] = "selected"
    rest = [i for i in order if not chosen[i]]
    if optimal_mode:
        waiting = rest[:call.money.waitlist]
    else:
        waiting = [i for i in rest if rank[i] > (rank[chosen].max() if chosen.any() else 0)]
        waiting = waiting[:call.money.waitlist]
    status[waiting] = "waitlist"
    table["status"] = status
    for column in ("support", "self_burden", "national_share", "local_share"):
        table[column] = table[column].where(chosen, 0.0)

    pool = _robustness_pool(checks)
    _robustness(table, model, components, scorer, pool, rated, costs, budget, call,
                n_variants, seed, robustness)
    table["notes"], table["notes_ko"] = _notes(table, money, rated, committee is not None,
                                               call)
    sort_key = np.where(eligible, rank, len(table) + 1)
    brn_text = table["brn"].astype("str").fillna("").to_numpy(dtype=object)
    table = table.iloc[np.lexsort((brn_text, sort_key))].reset_index(drop=True)
    for column in (*DOMAINS, "tech_index"):  # for reading; decisions used full precision
        table[column] = table[column].round(2)
    extra = ["selected_by_rank"] if optimal_mode else []
    result = table[list(COLUMNS) + extra]
    audit = _audit(call, model, frame, result, input_sha256, created, seed, n_variants,
                   optimal_mode, committee is not None, scorer, trim_rule)
    differences = None
    if optimal_mode:
        differences = result.loc[result["selected_by_rank"] != (result["status"] == "selected"),
                                 ["brn", "firm_name", "rank", "selection_score", "requested",
                                  "support", "status", "selected_by_rank"]].reset_index(drop=True)
        audit["optimal"] = _optimal_summary(result, differences)
    return Selection(result, audit, evaluators, differences)


def _robustness_pool(checks: pd.DataFrame) -> np.ndarray:
    """Firms eligible on every rule that does not depend on the index (grade rules vary)."""
    pool = np.ones(len(checks), bool)
    for column in checks.columns:
        if column.startswith("pass_") and column not in ("pass_min_grade", "pass_rated"):
            pool &= checks[column].to_numpy(dtype=bool)
    return pool


def _robustness(table, model, components, scorer, pool, rated, costs, budget, call,
                n_variants, seed, robustness) -> None:
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


def _notes(table, money, rated, has_committee, call) -> tuple[list[str], list[str]]:
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


def _optimal_summary(result: pd.DataFrame, differences: pd.DataFrame) -> dict:
    chosen = result["status"] == "selected"
    by_rank = result["selected_by_rank"]
    return {
        "firms_optimal": int(chosen.sum()), "firms_by_rank": int(by_rank.sum()),
        "score_optimal": round(float(result.loc[chosen, "selection_score"].sum()), 4),
        "score_by_rank": round(float(result.loc[by_rank, "selection_score"].sum()), 4),
        "added": differences.loc[~differences["selected_by_rank"], "brn"].tolist(),
        "dropped": differences.loc[differences["selected_by_rank"], "brn"].tolist(),
    }


def _audit(call, model, frame, table, input_sha256, created, seed, n_variants, optimal_mode,
           has_committee, scorer, trim_rule) -> dict:
    selected = table["status"] == "selected"
    status = table["status"].value_counts()
    _, sme_column = sme_ceiling(pd.Series(["10"]), call.reference_date)
    return {
        "call": call.name, "call_title": call.title,
        "call_reference_date": call.reference_date.isoformat(),
        "call_file": Path(call.source).name, "call_file_sha256": call.sha256,
        "input_sha256": input_sha256, "input_data_sha256": data_hash(frame),
        "model_version": f"{model.spec_['name']} {model.spec_['spec_version']}, reference "
                         f"year {model.reference_['year']}",
        "model_sha256": _model_sha(model), "package_version": __version__,
        "created": created or dt.datetime.now(dt.UTC).replace(microsecond=0)
        .isoformat().replace("+00:00", "Z"),
        "seed": seed, "variants": n_variants,
        "mode": "optimal" if optimal_mode else "rank",
        "applicants": len(table), "counts": {s: int(status.get(s, 0)) for s in STATUSES},
        "fragile": table.loc[table["robustness"] == "fragile", "brn"].tolist(),
        "often_selected": table.loc[table["robustness"] == "often_selected", "brn"].tolist(),
        "money_krw_thousand": {
            "budget": call.money.budget, "cap": call.money.cap,
            "support": round(float(table.loc[selected, "support"].sum()), 3),
            "national_share": round(float(table.loc[selected, "national_share"].sum()), 3),
            "local_share": round(float(table.loc[selected, "local_share"].sum()), 3),
            "self_burden": round(float(table.loc[selected, "self_burden"].sum()), 3),
            "remaining": round(call.money.budget - float(table.loc[selected, "support"].sum()),
                               3)},
        "score": {"tech_index_use": scorer.use, "tech_weight": scorer.w_tech,
                  "committee_weight": scorer.w_committee, "committee": has_committee,
                  "committee_trim_from_evaluators": trim_rule,
                  "tie_break": list(call.scoring.tie_break)
                  + ([] if "brn" in call.scoring.tie_break else ["brn"])},
        "sme_table": sme_column,
        "rounding": "integer won; self-burden and national share rounded down to the won; "
                    "local share = support - national share",
    }


def summary_lines(selection: Selection, lang: str = "en") -> list[str]:
    """A short readable summary: counts per status, money, fragile selections."""
    a = selection.audit
    c, m = a["counts"], a["money_krw_thousand"]
    table = selection.table
    fragile = table[table["robustness"] == "fragile"]
    often = table[table["robustness"] == "often_selected"]
    if lang == "ko":
        lines = [(f"{a['call_title']}: 신청 {a['applicants']}개사 — 선정 {c['selected']}, 예비 "
                 f"{c['waitlist']}, 미선정 {c['not_selected']}, 부적격 {c['ineligible']}"),
                 (f"지원금 {m['support']:,.0f}천원 (국비 {m['national_share']:,.0f}, 지방비 "
                 f"{m['local_share']:,.0f}) / 예산 {m['budget']:,.0f}천원, 잔액 "
                 f"{m['remaining']:,.0f}천원; 기업 자부담 {m['self_burden']:,.0f}천원")]
        if a["variants"]:
            lines.append(f"선정 안정성 ({a['variants']}개 변형): 불안정 선정 {len(fragile)}개사"
                         + "".join(f"\n  - {r.firm_name} ({r.brn}) 선정 확률 {r.selection_probability:.0%}"
                                   for r in fragile.itertuples())
                         + f"\n미선정이나 자주 선정된 기업 {len(often)}개사 (선정 확률 50% 이상)")
    else:
        lines = [(f"{a['call_title']}: {a['applicants']} applicants — {c['selected']} selected, "
                 f"{c['waitlist']} waitlist, {c['not_selected']} not selected, "
                 f"{c['ineligible']} ineligible"),
                 (f"support {m['support']:,.0f} 천원 (national {m['national_share']:,.0f}, local "
                 f"{m['local_share']:,.0f}) of a budget of {m['budget']:,.0f} 천원, "
                 f"{m['remaining']:,.0f} left; self-burden {m['self_burden']:,.0f} 천원")]
        if a["variants"]:
            lines.append(f"robustness ({a['variants']} variants): {len(fragile)} fragile "
                         "selection(s)"
                         + "".join(f"\n  - {r.firm_name} ({r.brn}) selection_probability {r.selection_probability:.0%}"
                                   for r in fragile.itertuples())
                         + f"\n{len(often)} not selected but often selected (selection_probability >= 50%)")
    if not a["score"]["committee"] and a["score"]["tech_index_use"] == "weight":
        lines.append("발표평가 점수 없음: 기업혁신역량지수만으로 순위 산정 (--committee로 반영)"
                     if lang == "ko" else "no committee scores: ranked by the Tech-Index alone "
                     "(give them with --committee)")
    if "optimal" in a:
        o = a["optimal"]
        word = ("최적 선정: 추가 {} / 제외 {}개사 (총점 {} → {})" if lang == "ko"
                else "optimal mode: {} added, {} dropped vs. rank order (total score {} -> {})")
        lines.append(word.format(len(o["added"]), len(o["dropped"]), o["score_by_rank"],
                                 o["score_optimal"]))
        for row in selection.differences.itertuples():
            sign = "-" if row.selected_by_rank else "+"
            lines.append(f"  {sign} {row.firm_name} ({row.brn}) #{row.rank}, "
                         f"{'신청' if lang == 'ko' else 'requested'} {row.requested:,.0f} 천원")
    return lines


def write_selection(selection: Selection, outdir: str | os.PathLike, lang: str = "en") -> dict:
    """Write ``selection.csv``, ``selection.xlsx``, ``audit.json`` (and, with committee
    scores, ``committee_evaluators.csv``) into ``outdir``, each atomically.

    Returns the paths written, by name.
    """
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    table = selection.labelled(lang)
    paths = {"csv": out / "selection.csv", "xlsx": out / "selection.xlsx",
             "audit": out / "audit.json"}
    write_table(table, paths["csv"])
    from ktop_index.report.excel import write_selection_xlsx  # here: excel imports this module

    write_selection_xlsx(table, paths["xlsx"], lang=lang)
    if selection.evaluators is not None:
        paths["evaluators"] = out / "committee_evaluators.csv"
        write_table(selection.evaluators, paths["evaluators"])
    text = json.dumps(selection.audit, ensure_ascii=False, indent=1, sort_keys=True,
                      allow_nan=False, default=str)
    _atomic(paths["audit"], lambda tmp: Path(tmp).write_text(text + "\n", encoding="utf-8"))
    return paths
