"""What a committee reads beside the ranking: how the selection score is built, the money
split and what is left, why each firm below the cut got nothing, what grade NR means, the
firms' strengths, times in Korean time, and the audit record as a table.

Everything here only *reads* a decided round — the selection table (canonical English names,
as :func:`ktop_index.report.html.read_selection` gives it) and its audit record — and says in
words what the decision did; it never decides anything again. The HTML report
(:mod:`ktop_index.report.html`), the summary sheet of ``selection.xlsx``
(:mod:`ktop_index.report.excel`) and the page (``ktop_index.app``) show the same lines.

- :func:`score_parts` / :func:`score_lines`: the call's score formula with the weights the
  decision applied, the conversion from the Tech-Index (base 100) to index points (0-100), and
  a worked example recomputing the top firm's selection score.
- :func:`money_rows`: the money split of the audit (the numbers ``ktop select`` prints).
- :func:`unfunded_reasons`: for each waitlisted or not selected eligible firm, why it got
  nothing (e.g. ``잔액 8,000천원 < 지원 필요액 50,000천원``).
- :func:`not_rated_lines`, :func:`empty_column_notes`, :func:`firm_strengths`.
- :func:`kst`: a UTC time stamp as ``2025-03-01 09:00 KST``; :func:`audit_rows`: the audit as
  (label, shown value, full value) rows.

Example
-------
>>> kst("2025-03-01T00:00:00Z")
'2025-03-01 09:00 KST'
>>> from ktop_index.report.html import read_selection                    # doctest: +SKIP
>>> table, audit = read_selection("out/jeju_2025")                       # doctest: +SKIP
>>> score_lines(score_parts(table, audit), "ko")[0]                      # doctest: +SKIP
'선정점수(0-100) = 1.00 × 지수 점수 + 0.00 × 발표평가 점수 + 가점'
"""

from __future__ import annotations

import datetime as dt
import os

import numpy as np
import pandas as pd

from ktop_index import labels
from ktop_index.errors import DataError
from ktop_index.index.spec import NOT_RATED
from ktop_index.labels import (
    AUDIT_LABELS,
    AUDIT_VALUES,
    DOMAINS_KO,
    READING_TEXT,
    SELECTION_COLUMNS_KO,
)

#: Korea Standard Time: UTC+9 all year (no daylight saving since 1988).
KST = dt.timezone(dt.timedelta(hours=9), "KST")
#: Audit keys whose values are hashes: shown shortened, the full value kept beside.
HASH_SHOWN = 12


def _t(key: str, lang: str) -> str:
    return READING_TEXT[key][1 if lang == "ko" else 0]


def kst(stamp: str | None) -> str:
    """A time stamp in Korean time, ``YYYY-MM-DD HH:MM KST``; text that is no time stays.

    An ISO time without a zone is taken as UTC (the audit records UTC).

    >>> kst("2025-03-01T15:30:00+00:00"), kst("2026-01-01"), kst("pinned")
    ('2025-03-02 00:30 KST', '2026-01-01 09:00 KST', 'pinned')
    """
    if stamp is None:
        return ""
    try:
        when = dt.datetime.fromisoformat(str(stamp))
    except ValueError:
        return str(stamp)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(KST).strftime("%Y-%m-%d %H:%M KST")


def round_context(audit: dict, call=None, model=None) -> tuple[object | None, object | None]:
    """(call, model) of the round when they can be had and are the ones the audit records.

    ``call``/``model`` given are taken as they are; otherwise the bundled call of the audit's
    name and the bundled model are loaded, and kept only when their sha256 is the audit's.
    """
    from ktop_index.index.techindex import as_model
    from ktop_index.selection.calls import bundled_calls, load_call

    if call is None and audit.get("call") in bundled_calls():
        found = load_call(audit["call"])
        call = found if found.sha256 == audit.get("call_file_sha256") else None
    if model is None:
        found = as_model(None)
        model = found if found.sha256 == audit.get("model_sha256") else None
    else:
        model = as_model(model)
    return call, model


# ---------------------------------------------------------------------------- the score

def score_parts(table: pd.DataFrame, audit: dict, call=None, model=None) -> dict:
    """What the selection score is made of in this round, with a worked example.

    Returns a dict: ``use``, ``w_tech``, ``w_committee`` (as applied, from the audit),
    ``call_weights`` (the call file's, when the call is at hand), ``conversion`` (``mu``,
    ``ratio``, ``mean``: index points = mu + ratio × (Tech-Index − mean), when the model is)
    and ``example`` (the top-ranked rated firm: its Tech-Index, index points, committee score,
    bonus, the score recomputed, the table's score).
    """
    score = audit.get("score", {})
    parts = {"use": score.get("tech_index_use", "weight"),
             "w_tech": float(score.get("tech_weight", 0.0)),
             "w_committee": float(score.get("committee_weight", 0.0)),
             "committee": bool(score.get("committee", False)),
             "tie_break": list(score.get("tie_break", [])),
             "call_weights": None, "conversion": None, "example": None}
    if call is not None:
        parts["call_weights"] = (call.scoring.tech_weight, call.scoring.committee_weight)
    if model is not None:
        s = model.spec_["scale"]
        parts["conversion"] = {"mu": float(model.composite_mean_), "mean": float(s["mean"]),
                               "ratio": float(model.composite_sd_) / float(s["sd"])}
        if model.spec_["aggregation"]["across_domains"] == "amean":
            weights = [float(d["weight"]) for d in model.spec_["domains"]]
            total = sum(weights)
            parts["domain_weights"] = {d["name"]: w / total
                                       for d, w in zip(model.spec_["domains"], weights)}
        parts["example"] = _example(table, parts)
    return parts


def _example(table: pd.DataFrame, parts: dict) -> dict | None:
    """The top-ranked rated firm's score recomputed: index points from its domain scores
    (the model's weighted mean) or else from its Tech-Index, then the call's formula."""
    ranked = table[table["rank"].notna() & table["tech_index"].notna()]
    if ranked.empty or "selection_score" not in ranked:
        return None
    top = ranked.sort_values("rank", kind="stable").iloc[0]
    c = parts["conversion"]
    points = c["mu"] + c["ratio"] * (float(top["tech_index"]) - c["mean"])
    weights = parts.get("domain_weights")
    domains = None
    if weights and all(d in top and pd.notna(top[d]) for d in weights):
        domains = {d: float(top[d]) for d in weights}
        points = sum(w * domains[d] for d, w in weights.items())
    committee = _number(top.get("committee_score"))
    bonus = _number(top.get("bonus_points"))
    computed = parts["w_tech"] * points + parts["w_committee"] * committee + bonus
    return {"rank": int(top["rank"]), "firm": str(top["firm_name"]),
            "tech": float(top["tech_index"]), "points": points, "committee": committee,
            "bonus": bonus, "computed": computed, "score": float(top["selection_score"]),
            "domains": domains}


def _number(value) -> float:
    return 0.0 if value is None or pd.isna(value) else float(value)


def score_lines(parts: dict, lang: str = "en") -> list[str]:
    """The score formula of :func:`score_parts` in words, one line per point."""
    use = parts["use"]
    lines = [_t("score_weight", lang).format(**parts) if use == "weight"
             else _t(f"score_{use}", lang)]
    if use == "weight" and parts["call_weights"] is not None:
        tech, committee = parts["call_weights"]
        why = "" if parts["committee"] else _t("no_committee_why", lang)
        lines.append(_t("call_weights", lang).format(tech=tech, committee=committee, why=why))
    if parts["conversion"] is not None:
        lines.append(_t("index_points", lang).format(**parts["conversion"]))
        if parts.get("domain_weights"):
            lines.append(_t("index_domains", lang).format(terms=_terms(
                {d: f"{w:.3f}" for d, w in parts["domain_weights"].items()}, lang)))
    else:
        lines.append(_t("index_points_unknown", lang))
    example = parts["example"]
    if use == "weight" and example is not None:
        via = (_t("example_domains", lang).format(terms=_terms(
                   {d: f"{parts['domain_weights'][d]:.3f} × {v:.2f}"
                    for d, v in example["domains"].items()}, lang, labelled=False))
               if example["domains"] else _t("example_tech", lang).format(**example,
                                                                      **parts["conversion"]))
        lines.append(_t("example", lang).format(**example, via=via, w_tech=parts["w_tech"],
                                                w_committee=parts["w_committee"]))
    if parts["tie_break"]:
        words = getattr(labels, "COMPARE_TEXT", {})  # the tie-break rules' words
        k = 1 if lang == "ko" else 0
        rules = [words.get(f"rule_{r}", (r, r))[k] for r in parts["tie_break"]]
        lines.append(_t("tie_break", lang).format(rules=" → ".join(rules)))
    return lines


def _terms(values: dict[str, str], lang: str, labelled: bool = True) -> str:
    """``0.180 × 인프라 + 0.348 × 투입 …`` (or the values alone joined by +)."""
    names = DOMAINS_KO if lang == "ko" else {d: d for d in values}
    return " + ".join(f"{v} × {names.get(d, d)}" if labelled else v for d, v in values.items())


# ---------------------------------------------------------------------------- money

MONEY_KEYS = ("budget", "cap", "support", "national_share", "local_share", "self_burden",
              "remaining")


def money_rows(audit: dict, lang: str = "en") -> list[tuple[str, float]]:
    """(label, 천원) of the audit's money: the numbers ``summary_lines`` prints.

    >>> money_rows({"money_krw_thousand": {"budget": 600000, "remaining": 8000.0}}, "ko")
    [('사업 예산 (천원)', 600000.0), ('잔액 (천원)', 8000.0)]
    """
    money = audit.get("money_krw_thousand", {})
    return [(_t(k, lang), float(money[k])) for k in MONEY_KEYS if k in money]


# ---------------------------------------------------------------------------- why nothing

def unfunded_reasons(table: pd.DataFrame, audit: dict, call=None,
                     lang: str = "en") -> pd.Series:
    """Why each waitlisted or not selected eligible firm got nothing (else empty text).

    In rank order the budget is spent down the ranking and the first firm that does not fit
    ends the selection: that firm's reason is the remainder against its support (its request
    after the cap), or the call's maximum number of firms when that was reached; the firms
    below it are "below the cut". A waitlisted firm's reason starts with its reserve number.
    In optimal mode the reason is that the optimal choice left it out.
    """
    money = audit.get("money_krw_thousand", {})
    cap = float(money.get("cap", np.inf))
    remaining = float(money.get("remaining", np.nan))
    status = table["status"].astype("str")
    out = pd.Series("", index=table.index, dtype=object)
    unfunded = table[status.isin(["waitlist", "not_selected"]) & table["rank"].notna()]
    if unfunded.empty:
        return out
    unfunded = unfunded.sort_values("rank", kind="stable")
    selected = int((status == "selected").sum())
    first = unfunded.iloc[0]
    first_reason = _first_reason(first, selected, remaining, cap, call, lang)
    waiting = 0
    for i, row in unfunded.iterrows():
        if audit.get("mode") == "optimal":
            reason = _t("why_optimal", lang)
        elif i == first.name:
            reason = first_reason
        else:
            reason = _t("why_below", lang).format(rank=int(first["rank"]))
        if row["status"] == "waitlist":
            waiting += 1
            reason = _t("why_waitlist", lang).format(k=waiting) + "; " + reason
        out[i] = reason
    return out


def _need(row: pd.Series, cap: float) -> tuple[float, float]:
    """(requested, support it would get): the request after the cap (the cap when unstated)."""
    requested = row.get("requested")
    requested = cap if requested is None or pd.isna(requested) else float(requested)
    return requested, min(requested, cap)


def _first_reason(row, selected: int, remaining: float, cap: float, call, lang: str) -> str:
    requested, need = _need(row, cap)
    max_firms = call.money.max_firms if call is not None else 0
    if (max_firms and selected >= max_firms) or (call is None and need <= remaining):
        return _t("why_max", lang).format(max_firms=max_firms or selected)
    if np.isnan(remaining):
        return _t("why_no_money", lang)
    return _t("why_budget", lang).format(remaining=remaining, need=need, requested=requested,
                                         cap=cap)


def first_unfunded_line(table: pd.DataFrame, audit: dict, call=None,
                        lang: str = "en") -> str | None:
    """One sentence on where funding stopped (rank order), or None when every eligible firm
    was funded or the round was optimal."""
    if audit.get("mode") == "optimal":
        return None
    status = table["status"].astype("str")
    unfunded = table[status.isin(["waitlist", "not_selected"]) & table["rank"].notna()]
    if unfunded.empty:
        return None
    first = unfunded.sort_values("rank", kind="stable").iloc[0]
    money = audit.get("money_krw_thousand", {})
    cap, remaining = float(money.get("cap", np.inf)), float(money.get("remaining", np.nan))
    _, need = _need(first, cap)
    selected = int((status == "selected").sum())
    max_firms = call.money.max_firms if call is not None else 0
    params = {"rank": int(first["rank"]), "firm": f"{first['firm_name']} ({first['brn']})"}
    if (max_firms and selected >= max_firms) or (call is None and need <= remaining):
        return _t("first_unfunded_max", lang).format(**params, max_firms=max_firms or selected)
    return _t("first_unfunded_budget", lang).format(**params, remaining=remaining, need=need)


# ---------------------------------------------------------------------------- NR, empty columns

def not_rated_lines(table: pd.DataFrame, audit: dict, call=None, model=None,
                    details: pd.DataFrame | None = None, lang: str = "en") -> list[str]:
    """What grade NR means under the call's rule, then one line per not-rated applicant in the
    table with its coverage and the indicators without data (when ``details``, from
    :func:`firm_details`, are given). Empty when no applicant is NR."""
    nr = table[table.get("grade", pd.Series(dtype=object)).astype("str") == NOT_RATED]
    if nr.empty:
        return []
    minimum = model.spec_["missing"]["min_coverage"] if model is not None else 0.6
    rule = call.eligibility.not_rated if call is not None else "zero"
    lines = [_t("not_rated_rule", lang).format(minimum=minimum, rule=rule,
                                               effect=_t(f"not_rated_{rule}", lang))]
    if details is None:
        return lines
    for _, row in nr.iterrows():
        if row["brn"] not in details.index:
            continue
        d = details.loc[row["brn"]]
        lines.append(_t("not_rated_firm", lang).format(
            firm=f"{row['firm_name']} ({row['brn']})", coverage=d["coverage"],
            missing=", ".join(d["missing"]) or "-"))
    return lines


def empty_column_notes(table: pd.DataFrame, lang: str = "en") -> dict[str, str]:
    """Columns of the ranked table that are empty for every eligible firm, with why
    (``{column: note}``): the committee score without committee scores, the robustness
    columns without variants, the bonus points of a call without them."""
    ranked = table[table["rank"].notna()]
    notes = {}

    def empty(column):
        return column in ranked and (ranked[column].isna() | (ranked[column].astype("str")
                                                              == "")).all()

    if empty("committee_score"):
        notes["committee_score"] = _t("empty_committee", lang)
    for column in ("rank_low", "selection_probability", "robustness"):
        if empty(column):
            notes[column] = _t("empty_robustness", lang)
    if "bonus_points" in ranked and (pd.to_numeric(ranked["bonus_points"], errors="coerce")
                                     .fillna(0) == 0).all():
        notes["bonus_points"] = _t("empty_bonus", lang)
    return notes


def firm_notes(table: pd.DataFrame, audit: dict, call=None, lang: str = "en") -> pd.Series:
    """Each firm's notes as the decision wrote them (``notes``/``notes_ko``), then why it got
    nothing (:func:`unfunded_reasons`), '; '-joined."""
    column = "notes_ko" if lang == "ko" else "notes"
    written = (table[column].fillna("").astype("str") if column in table
               else pd.Series("", index=table.index))
    why = unfunded_reasons(table, audit, call, lang)
    return pd.Series(["; ".join(p for p in (a, b) if p) for a, b in zip(written, why)],
                     index=table.index, dtype=object)


# ---------------------------------------------------------------------------- strengths

def firm_details(applicants, audit: dict, model, lang: str = "en") -> pd.DataFrame:
    """Per business number: ``strengths`` (the two strengths against industry peers, in
    ``lang``), ``coverage`` (0-1) and ``missing`` (the indicators without data), from the
    applicants the round was decided from, scored with its model.

    Parameters
    ----------
    applicants : the applicants file (its sha256 must be the audit's ``input_sha256`` when
        the audit has one) or a validated frame (its data hash must be ``input_data_sha256``).
    audit : the round's audit record.
    model : the round's TechIndex.

    Raises
    ------
    DataError
        When the applicants are not the ones the round was decided from.
    """
    from ktop_index._files import sha256_file
    from ktop_index.data.validate import read_firms
    from ktop_index.index.techindex import data_hash, score_firms

    if isinstance(applicants, (str, os.PathLike)):
        expected = audit.get("input_sha256")
        if expected and sha256_file(applicants) != expected:
            raise DataError(f"{applicants}: not the applicants file this round was decided "
                            "from (its sha256 differs from audit.json input_sha256)",
                            ko=f"{applicants}: 이 선정에 쓰인 신청기업 파일이 아닙니다 "
                               "(sha256이 audit.json input_sha256과 다름)")
        applicants = read_firms(applicants)
    elif audit.get("input_data_sha256") and data_hash(applicants) != audit["input_data_sha256"]:
        raise DataError("the applicants are not the ones this round was decided from (their "
                        "data hash differs from audit.json input_data_sha256)",
                        ko="이 선정에 쓰인 신청기업 자료가 아닙니다 (자료 해시가 audit.json "
                           "input_data_sha256과 다름)")
    frame = applicants.reset_index(drop=True)
    scored = score_firms(frame, model)
    parts = model.components(frame)
    ko = lang == "ko"
    labels = {s["label"]: s["label_ko" if ko else "label"] for s in model.spec_["indicators"]}
    names = [s["label_ko" if ko else "label"] for s in model.spec_["indicators"]]
    latest = _latest_positions(frame)
    rows = {}
    for i in latest:
        strengths = [labels.get(str(v), str(v)) for v in
                     (scored["strength_1"].iat[i], scored["strength_2"].iat[i])
                     if isinstance(v, str) and v]
        missing = [n for n, s in zip(names, parts["scores"][i]) if np.isnan(s)]
        rows[str(scored["brn"].iat[i])] = {"strengths": ", ".join(strengths),
                                           "coverage": float(parts["coverage"][i]),
                                           "missing": missing}
    return pd.DataFrame.from_dict(rows, orient="index")


def _latest_positions(frame: pd.DataFrame) -> list[int]:
    """Each business number's latest fiscal year (the application row), by position."""
    years = frame["year"] if "year" in frame else pd.Series(0, index=frame.index)
    order = pd.DataFrame({"brn": frame["brn"].astype("str"), "year": years,
                          "at": np.arange(len(frame))})
    return order.sort_values(["year", "at"], kind="stable").groupby("brn")["at"].last().tolist()


def firm_strengths(table: pd.DataFrame, details: pd.DataFrame | None) -> pd.Series | None:
    """The strengths of each firm of ``table`` from :func:`firm_details` (None without)."""
    if details is None:
        return None
    return table["brn"].astype("str").map(details["strengths"]).fillna("")


# ---------------------------------------------------------------------------- the audit

def audit_rows(audit: dict, lang: str = "en") -> list[tuple[str, str, str]]:
    """The audit record as (label, shown value, full value) rows: the keys the labels name in
    their order (the call first), then any other key sorted; nested records dotted; a hash
    shown by its first 12 characters with the full value as the third item; ``created`` in
    Korean time; the tie-break rules by the table's column names.

    >>> rows = audit_rows({"created": "2025-03-01T00:00:00Z", "model_sha256": "1f372ba7" * 8},
    ...                   "ko")
    >>> [row[:2] for row in rows]
    [('모형 해시(sha256)', '1f372ba71f37…'), ('선정 실행 시각', '2025-03-01 09:00 KST')]
    """
    k = 1 if lang == "ko" else 0
    order = {key: i for i, key in enumerate(AUDIT_LABELS)}
    flat = sorted(_flat(audit), key=lambda kv: (order.get(kv[0], order.get(
        kv[0].split(".")[0], len(order))), kv[0]))
    rows = []
    for key, value in flat:
        label = AUDIT_LABELS.get(key, (key, key))[k]
        if key.startswith("output_sha256."):
            label = f"{AUDIT_LABELS['output_sha256'][k]}: {key[len('output_sha256.'):]}"
        full = _plain(value, lang, money=key.startswith("money_krw_thousand."))
        shown = full
        if key == "created":
            shown = kst(value)
        elif isinstance(value, str) and value in AUDIT_VALUES.get(key, {}):
            shown = AUDIT_VALUES[key][value][k]
        elif key == "score.tie_break":
            names = SELECTION_COLUMNS_KO if lang == "ko" else {}
            shown = " → ".join(names.get(r, r) for r in value)
        elif (key.endswith("sha256") or key.startswith("output_sha256.")) and len(full) > 16:
            shown = full[:HASH_SHOWN] + "…"
        rows.append((label, shown, full))
    return rows


def _flat(record: dict, prefix: str = ""):
    """(dotted key, value) of a nested record; the records the labels open (counts, money,
    score, output hashes) are opened, any other stays one value."""
    for key in sorted(record):
        value = record[key]
        name = prefix + key
        if isinstance(value, dict) and value and (
                any(k.startswith(name + ".") for k in AUDIT_LABELS) or name == "output_sha256"):
            yield from _flat(value, name + ".")
        else:
            yield name, value


def _plain(value, lang: str, money: bool = False) -> str:
    """A value as text: lists joined, records as key: value, booleans as words, money with
    thousands separators."""
    if isinstance(value, bool):
        return _t("yes" if value else "no", lang)
    if isinstance(value, list):
        return ", ".join(_plain(v, lang) for v in value) or "-"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_plain(v, lang)}" for k, v in sorted(value.items())) or "-"
    if money and isinstance(value, (int, float)):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.3f}"
    return "" if value is None else str(value)
