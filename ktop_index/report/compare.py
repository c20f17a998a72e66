"""Two firms of a selection side by side: why one ranks above the other.

:func:`compare_firms` reads a selection table (``Selection.table``: canonical English columns,
one row per applicant) and the call it was decided under, and returns a :class:`Comparison`:

- ``domains``: the four domain scores (인프라/투입/활동/성과, 0-100) and the Tech-Index (base
  100) of A and B, and the difference A - B;
- ``parts``: the selection score taken apart as the call builds it (``docs/selection.md``):
  with ``tech_index_use = "weight"``, ``w_t × index points + w_c × committee score + bonus``
  (the weights as applied, re-normalised over the parts present); with ``"bonus"``, committee
  score + the grade's bonus points + bonus; with ``"min_grade"``, committee score + bonus;
- ``sentence``: why the higher-ranked firm is above, from the first decisive difference —
  the selection score, or on equal scores the call's tie-break rules in its order
  (``call.scoring.tie_break``: higher committee score, higher Tech-Index, lower support after
  the cap, then the business number), or that the other firm is ineligible — in Korean or
  English (:data:`ktop_index.labels.COMPARE_TEXT`).

The rank of the table is the decision; the comparison explains it and never re-decides. The
index points are not a column of the table: they are the selection score less the committee
and bonus points (exact to the 4 decimals the score is rounded to), shown as their weighted
part. The Tech-Index is shown to 2 decimals, as the table has it: where two firms tie on the
score and the committee score and agree on the Tech-Index as shown, the sentence says that a
finer Tech-Index difference would have decided first.

Example
-------
>>> from ktop_index.selection.decide import select_file                       # doctest: +SKIP
>>> result = select_file("data/jeju_2025_applicants.xlsx", "jeju_2025")      # doctest: +SKIP
>>> compare_firms(result.table, "866-49-01150", "846-42-93832", "jeju_2025").sentence  # doctest: +SKIP
'제주우진바이오(866-49-01150)이(가) 동양리조트(846-42-93832)보다 순위가 높습니다: ...'
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ktop_index.data.brn import format_brn, is_valid_brn
from ktop_index.errors import UsageError
from ktop_index.index.spec import DOMAINS
from ktop_index.labels import COMPARE_TEXT, DOMAINS_KO, PLOT_TEXT
from ktop_index.selection.calls import Call, load_call

__all__ = ["Comparison", "FirmCard", "compare_firms", "find_firm", "firm_card", "score_parts"]

#: Rules that are always decided: the business number is the last resort of every call.
LAST_RULE = "brn"


@dataclass(frozen=True)
class Comparison:
    """Two firms of a selection compared (see :func:`compare_firms`).

    ``a``, ``b``: the two firms' rows of the table, as given. ``above``: the business number
    of the firm ranked above (None when neither is ranked). ``decisive``: what decided —
    ``"selection_score"``, a tie-break rule (``"committee_score"``, ``"tech_index"``,
    ``"requested"``, ``"brn"``), ``"eligibility"`` (only one is ranked), ``"none"`` (neither
    is), or ``"finer"`` (equal as shown, decided by a finer difference). ``sentence``: why, in
    the language asked. ``formula``: how the call builds the selection score. ``domains``,
    ``parts``: tables with columns ``item, label, a, b, difference`` (difference = A - B).
    """

    a: pd.Series
    b: pd.Series
    above: str | None
    decisive: str
    sentence: str
    formula: str
    domains: pd.DataFrame
    parts: pd.DataFrame

    def name(self, which: str) -> str:
        """'name (business number)' of firm ``'a'`` or ``'b'``."""
        return _name(self.a if which == "a" else self.b)


def compare_firms(selection_table: pd.DataFrame, brn_a: str, brn_b: str,
                  call: Call | str, lang: str = "ko", *,
                  weights: dict | None = None) -> Comparison:
    """Compare firms A and B of a selection: domain scores, score parts, why one is above.

    Parameters
    ----------
    selection_table : ``Selection.table`` (canonical English columns: ``brn``, ``firm_name``,
        ``rank``, ``eligible``, the domain scores, ``tech_index``, ``grade``,
        ``committee_score``, ``bonus_points``, ``selection_score``, ``requested`` (천원) ...).
    brn_a, brn_b : the two firms' business numbers (any separators).
    call : the call the selection was decided under (a Call, a bundled name or a file).
    lang : 'ko' (default) or 'en'.
    weights : the audit's ``score`` record (``tech_index_use``, ``tech_weight``,
        ``committee_weight`` as applied); when None, worked out from the call and whether
        the table has committee scores.

    Raises
    ------
    UsageError
        One line (Korean in ``ko=``) when a firm is not in the table or A is B.

    Example
    -------
    >>> table = pd.DataFrame({"brn": ["A", "B"], "firm_name": ["가", "나"], "rank": [1, 2],
    ...     "eligible": [True, True], "selection_score": [60.0, 55.0],
    ...     "committee_score": [np.nan, np.nan], "bonus_points": [0.0, 0.0],
    ...     "tech_index": [120.0, 115.0], "grade": ["AA", "A"], "requested": [100.0, 100.0]})
    >>> compare_firms(table, "A", "B", load_call("jeju_2025"), lang="en").decisive
    'selection_score'
    """
    text = _texts(lang)
    call = call if isinstance(call, Call) else load_call(call)
    a, b = find_firm(selection_table, brn_a, lang), find_firm(selection_table, brn_b, lang)
    if a["brn"] == b["brn"]:
        raise UsageError(COMPARE_TEXT["same"][0].format(brn=a["brn"]),
                         ko=COMPARE_TEXT["same"][1].format(brn=a["brn"]))
    use, w_t, w_c = _weights(call, selection_table, weights)
    parts = _parts_table(a, b, call, use, w_t, w_c, text)
    above, decisive, sentence = _why(a, b, call, parts, text)
    return Comparison(a, b, above, decisive, sentence, _formula(call, use, w_t, w_c, text),
                      _domains_table(a, b, lang, text), parts)


def find_firm(table: pd.DataFrame, brn: str, lang: str = "ko") -> pd.Series:
    """The row of firm ``brn`` (any separators) in a selection table; UsageError if absent."""
    text = str(brn).strip()
    key = format_brn(text) if is_valid_brn(text) else text
    found = table[table["brn"].astype("str") == key]
    if found.empty:
        fields = {"brn": key, "n": len(table)}
        raise UsageError(COMPARE_TEXT["unknown"][0].format(**fields),
                         ko=COMPARE_TEXT["unknown"][1].format(**fields))
    return found.iloc[0]


def score_parts(row: pd.Series, call: Call, use: str, w_t: float, w_c: float) -> dict:
    """One firm's selection score taken apart: ``index`` (w_t × index points), ``committee``
    (w_c × committee score; the score itself for 'bonus' and 'min_grade'), ``grade_bonus``,
    ``bonus`` and ``total`` (the selection score), in points; NaN where the firm has no score.

    >>> row = pd.Series({"selection_score": 59.0, "committee_score": 70.0,
    ...                  "bonus_points": 1.0, "grade": "A"})
    >>> score_parts(row, load_call("jeju_2025"), "weight", 0.3, 0.7)["index"]
    9.0
    """
    total = _number(row.get("selection_score"))
    committee = np.nan_to_num(_number(row.get("committee_score")))
    bonus = np.nan_to_num(_number(row.get("bonus_points")))
    parts = {"committee": (w_c if use == "weight" else 1.0) * committee,
             "grade_bonus": 0.0, "bonus": bonus, "total": total}
    if use == "bonus":
        parts["grade_bonus"] = float(call.scoring.grade_bonus.get(str(row.get("grade")), 0.0))
    parts["index"] = (round(total - parts["committee"] - parts["grade_bonus"] - bonus, 4)
                      if use == "weight" else 0.0)
    return {k: float(v) for k, v in parts.items()}


# ---------------------------------------------------------------------------- a firm's card

@dataclass(frozen=True)
class FirmCard:
    """One firm of a selection as its report card shows it (see :func:`firm_card`).

    ``row``: its selection row. ``scores``: its latest scored row (strengths...), None
    without the applicants' data. ``peers``: the scored firms of its KSIC division (5 or
    more, else None). ``selected``: the selected firms' rows. ``strengths``, ``weaknesses``:
    indicator names in the language asked. ``gains``: what would raise the index most
    (``label, current, peer_median, target, gain``; indicator scores 0-100, gain in index
    points), None without data. ``by_domain``: True when ``gains`` is per domain (a scores
    file: no indicators).
    """

    row: pd.Series
    scores: pd.Series | None
    peers: pd.DataFrame | None
    selected: pd.DataFrame
    strengths: list
    weaknesses: list
    gains: pd.DataFrame | None
    by_domain: bool = False

    def radar(self, lang: str = "ko"):
        """The four domains (0-100) against the industry median and the selected median."""
        from ktop_index.report import plots

        firm = self.scores if self.scores is not None else self.row
        return plots.radar(firm, industry=self.peers,
                           selected=self.selected if len(self.selected) else None,
                           lang=lang, name=str(self.row.get("firm_name") or self.row["brn"]))


def firm_card(selection_table: pd.DataFrame, brn: str, applicants=None, model=None,
              lang: str = "ko") -> FirmCard:
    """A firm's report card from a selection: the pieces of ``ktop report firm``.

    Parameters
    ----------
    selection_table : ``Selection.table``.
    brn : the firm's business number (any separators).
    applicants : the applicants (validated frame, raw frame or file), scored here with
        ``model`` for the strengths, weaknesses and what would raise the index; a scored file
        gives the gains per domain; None gives the radar only.
    model : the model the selection used (the bundled one when None).

    >>> card = firm_card(table, "866-49-01150", "data/jeju_2025_applicants.xlsx")  # doctest: +SKIP
    >>> card.strengths                                                       # doctest: +SKIP
    """
    from ktop_index.index.techindex import as_model
    from ktop_index.report.html import domain_gains, indicator_gains, load_firm_scores

    _texts(lang)
    row = find_firm(selection_table, brn, lang)
    selected = selection_table[selection_table["status"] == "selected"]
    if applicants is None:
        return FirmCard(row, None, None, selected, [], [], None)
    model = as_model(model)
    data, scored = load_firm_scores(applicants, model, lang)
    mine = scored[scored["brn"].astype("str") == row["brn"]]
    if mine.empty:
        return FirmCard(row, None, None, selected, [], [], None)
    mine = mine.sort_values("year", kind="stable") if "year" in mine else mine
    latest = mine.iloc[-1]
    year_rows = scored[scored["year"] == latest["year"]] if "year" in scored else scored
    if data is not None:
        gains, by_domain = indicator_gains(model, data.loc[mine.index], lang), False
    else:
        gains, by_domain = domain_gains(model, latest, lang), True
    return FirmCard(row, latest, _peers(year_rows, latest), selected,
                    _reasons_of(latest, "strength"), _reasons_of(latest, "weakness"),
                    gains, by_domain)


def _peers(rows: pd.DataFrame, firm: pd.Series) -> pd.DataFrame | None:
    """The scored firms of the firm's KSIC division (itself included), when there are 5+."""
    if "ksic" not in rows:
        return None
    same = rows[rows["ksic"].astype("str").str[:2] == str(firm.get("ksic"))[:2]]
    return same if len(same) >= 5 else None


def _reasons_of(firm: pd.Series, prefix: str) -> list:
    found = (firm.get(f"{prefix}_{k}") for k in (1, 2))
    return [str(v) for v in found if v is not None and not pd.isna(v) and str(v)]


# ---------------------------------------------------------------------------- the tables

def _texts(lang: str) -> dict:
    if lang not in ("en", "ko"):
        raise UsageError(f"lang must be 'en' or 'ko', got {lang!r}",
                         ko=f"lang은 'en' 또는 'ko'여야 합니다 ({lang!r})")
    k = 1 if lang == "ko" else 0
    return {"lang": lang} | {key: pair[k] for key, pair in COMPARE_TEXT.items()}


def _weights(call: Call, table: pd.DataFrame, weights: dict | None) -> tuple[str, float, float]:
    """(tech_index_use, tech weight, committee weight) as the decision applied them."""
    s = call.scoring
    if weights and "tech_weight" in weights:
        return (str(weights.get("tech_index_use", s.tech_index_use)),
                float(weights["tech_weight"]), float(weights["committee_weight"]))
    has_committee = "committee_score" in table and bool(table["committee_score"].notna().any())
    w_t = s.tech_weight if s.tech_index_use == "weight" else 0.0
    w_c = s.committee_weight if has_committee else 0.0
    total = w_t + w_c
    return s.tech_index_use, (w_t / total if total else 0.0), (w_c / total if total else 0.0)


def _parts_table(a, b, call, use, w_t, w_c, text) -> pd.DataFrame:
    index = text["part_index_only"] if w_t == 1 else text["part_index"].format(weight=w_t)
    items = {"weight": [("index", index) if w_t else None,
                        ("committee", text["part_committee"].format(weight=w_c)) if w_c
                        else None],
             "bonus": [("committee", text["part_committee_plain"]),
                       ("grade_bonus", text["part_grade_bonus"])],
             "min_grade": [("committee", text["part_committee_plain"])]}[use]
    items = [i for i in items if i] + [("bonus", text["part_bonus"]),
                                       ("total", text["part_total"])]
    first, second = (score_parts(r, call, use, w_t, w_c) for r in (a, b))
    rows = [[key, label, first[key], second[key], first[key] - second[key]]
            for key, label in items]
    return pd.DataFrame(rows, columns=["item", "label", "a", "b", "difference"])


def _domains_table(a, b, lang, text) -> pd.DataFrame:
    labels = DOMAINS_KO if lang == "ko" else {d: PLOT_TEXT["en"][d] for d in DOMAINS}
    rows = [[d, labels[d], _number(a.get(d)), _number(b.get(d))] for d in DOMAINS]
    rows.append(["tech_index", text["tech_index"], _number(a.get("tech_index")),
                 _number(b.get("tech_index"))])
    frame = pd.DataFrame(rows, columns=["item", "label", "a", "b"])
    frame["difference"] = frame["a"] - frame["b"]
    return frame


def _formula(call: Call, use: str, w_t: float, w_c: float, text: dict) -> str:
    if use == "bonus":
        return text["use_bonus"]
    if use == "min_grade":
        return text["use_min_grade"].format(grade=call.eligibility.min_grade)
    if not w_c:
        return text["use_index_only"].format(w_t=w_t)
    return text["use_weight"].format(w_t=w_t, w_c=w_c)


# ---------------------------------------------------------------------------- why

def _why(a, b, call, parts, text) -> tuple[str | None, str, str]:
    """(business number of the firm above, what decided, the sentence)."""
    ranked = [not pd.isna(r.get("rank")) for r in (a, b)]
    if not any(ranked):
        reasons = [_reasons(r, text) for r in (a, b)]
        return None, "none", text["both_ineligible"].format(
            a=_name(a), b=_name(b), reasons_a=reasons[0], reasons_b=reasons[1])
    if not all(ranked):
        high, low = (a, b) if ranked[0] else (b, a)
        return high["brn"], "eligibility", text["ineligible"].format(
            above=_name(high), below=_name(low), reasons=_reasons(low, text))
    a_first = int(a["rank"]) < int(b["rank"])
    high, low = (a, b) if a_first else (b, a)
    names = {"above": _name(high), "below": _name(low)}
    score_high, score_low = _number(high["selection_score"]), _number(low["selection_score"])
    if score_high != score_low:
        if not score_high > score_low:  # the ranks are the decision's: never contradict them
            return high["brn"], "finer", text["hidden"].format(**names)
        gaps = parts.set_index("item")["difference"].drop("total") * (1 if a_first else -1)
        part = gaps.idxmax() if (gaps > 0).any() else gaps.abs().idxmax()
        label = parts.set_index("item").loc[part, "label"]
        return high["brn"], "selection_score", text["score"].format(
            **names, high=score_high, low=score_low, gap=score_high - score_low,
            part=label, part_gap=gaps[part])
    return _tie_break(high, low, call, names, text)


def _tie_break(high, low, call, names, text) -> tuple[str, str, str]:
    """Equal scores: the first of the call's tie-break rules on which the two differ."""
    rules = [r for r in call.scoring.tie_break if r != LAST_RULE] + [LAST_RULE]
    equal, unsure = [], False
    for k, rule in enumerate(rules, start=1):
        first, second = _rule_key(high, rule, call), _rule_key(low, rule, call)
        if first == second:
            equal.append(text[f"what_{rule}"])
            unsure = unsure or (rule == "tech_index" and not np.isinf(first))
            continue
        if first > second:  # the other way round: a finer difference decided
            return high["brn"], "finer", text["hidden"].format(**names)
        joined = "".join(text["equal"].format(what=w) for w in equal)
        sentence = text["tie"].format(
            **names, score=_number(high["selection_score"]), equal=joined, k=k,
            rule=text[f"rule_{rule}"], high=_shown(high, rule, call),
            low=_shown(low, rule, call))
        return high["brn"], rule, sentence + (text["tech_shown"] if unsure else "")
    return high["brn"], "finer", text["hidden"].format(**names)


def _rule_key(row: pd.Series, rule: str, call: Call):
    """A tie-break key where smaller comes first (decide's order: higher committee score and
    Tech-Index first, missing last; lower support after the cap; lower business number)."""
    if rule == "brn":
        return str(row["brn"])
    if rule == "requested":
        return _support(row, call)
    value = _number(row.get(rule))
    return np.inf if np.isnan(value) else -value


def _support(row: pd.Series, call: Call) -> float:
    """What the firm would get (천원): its request after the cap (the cap when not stated)."""
    requested = _number(row.get("requested"))
    return float(call.money.cap) if np.isnan(requested) else min(requested, call.money.cap)


def _shown(row: pd.Series, rule: str, call: Call) -> str:
    if rule == "brn":
        return str(row["brn"])
    if rule == "requested":
        return f"{_support(row, call):,.0f}"
    value = _number(row.get(rule))
    return "-" if np.isnan(value) else f"{value:.2f}"


def _reasons(row: pd.Series, text: dict) -> str:
    column = "reasons_ko" if text["lang"] == "ko" else "reasons"
    return str(row.get(column, "") or row.get("reasons", "") or "-")


def _name(row: pd.Series) -> str:
    name = str(row.get("firm_name", "") or "").strip()
    return f"{name} ({row['brn']})" if name else str(row["brn"])


def _number(value) -> float:
    try:
        return float("nan") if value is None or pd.isna(value) else float(value)
    except (TypeError, ValueError):
        return float("nan")

