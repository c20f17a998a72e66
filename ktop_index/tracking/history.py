"""Reading the history: the latest scores, a firm's trajectory, and industry series.

The store (:mod:`ktop_index.tracking.store`) keeps every firm-year, every scoring run and every
selection, append-only; :mod:`ktop_index.tracking.ingest` fills it. This module asks it:

- :func:`latest_scores`: every firm-year's scores from its latest run, with identity and size.
- :func:`firm_trajectory`: a firm's Tech-Index and domain scores by year, the year-on-year
  change split into the four domains' contributions, and grade moves.
- :func:`industry_series`: median and quartiles of the Tech-Index per year by KSIC division
  or by region (시도), as KIBO publishes its index by industry.

The support effect is in :mod:`ktop_index.tracking.effect`, monitoring in
:mod:`ktop_index.tracking.monitor`. Every table speaks canonical English column names and
values; :func:`ktop_index.tracking.present.korean_labels` turns one into what a Korean reader
sees.

"Latest run per firm-year": when a firm-year was scored several times, the analyses use the
run imported last (the highest run number), so a re-scoring supersedes without erasing.

Example
-------
>>> firm_trajectory("101-81-00012", "history.sqlite")[["year", "tech_index", "change"]]  # doctest: +SKIP
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ktop_index import reference
from ktop_index.errors import StoreError, UsageError
from ktop_index.index.spec import DOMAINS, GRADES
from ktop_index.tracking.store import SCORE_FIELDS, Store

# ---------------------------------------------------------------------------- latest scores

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
    with Store(db, create=False) as store:
        panel = store.latest_panel(fields=("firm_name", "ksic", "region", "employees",
                                           "revenue"))
        firms = store.query("SELECT firm, firm_id, brn FROM firms")
    if year is not None:
        panel = panel[panel["year"] == int(year)]
    panel = panel.merge(firms, on="firm", how="left", validate="many_to_one")
    first = ["brn", "firm_id", "firm_name", "year", "ksic", "region", "employees", "revenue"]
    rest = [c for c in SCORE_FIELDS if c in panel] + ["run", "model_sha256"]
    return panel[first + rest].reset_index(drop=True)


# ---------------------------------------------------------------------------- trajectory

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

    Raises :class:`~ktop_index.errors.StoreError` when the store does not hold the firm.

    >>> firm_trajectory("124-81-00998", "history.sqlite")  # doctest: +SKIP
    """
    with Store(db, create=False) as store:
        panel = store.latest_panel(firms=[_firm_key(store, brn)])
    previous = panel.shift(1)
    out = panel[["year", "tech_index", "grade", *DOMAINS, "composite", "revenue", "employees"]]
    out = out.copy()
    out["change"] = panel["tech_index"] - previous["tech_index"]
    out = pd.concat([out, _contribution_changes(panel, previous, out["change"])], axis=1)
    out["previous_year"] = previous["year"].astype("Int64")
    out["grade_move"] = _grade_moves(previous["grade"], panel["grade"])
    out["run"] = panel["run"]
    out["model_sha256"] = panel["model_sha256"]
    return out.reset_index(drop=True)


def _firm_key(store: Store, brn: str) -> int:
    """The store's key of a firm given by business number (any form) or firm_id."""
    from ktop_index.data.brn import format_brn, is_valid_brn

    text = str(brn).strip()
    keys = [text] + ([format_brn(text)] if is_valid_brn(text) else [])
    for key in keys:
        found = store.conn.execute("SELECT firm FROM firms WHERE firm_id = ? OR brn = ? "
                                   "ORDER BY firm LIMIT 1", (key, key)).fetchone()
        if found:
            return int(found[0])
    raise StoreError(f"firm '{brn}' is not in the store {store.path} (expected a business "
                     "number or firm_id of an imported file)",
                     ko=f"기업 '{brn}'이(가) 저장소 {store.path}에 없습니다 (저장한 파일의 "
                        "사업자등록번호 또는 firm_id여야 합니다)")


def _contribution_changes(panel: pd.DataFrame, previous: pd.DataFrame,
                          change: pd.Series) -> pd.DataFrame:
    """``contrib_change_<domain>`` and ``contrib_change_other`` of each year against the
    previous one; empty where the two years were not scored by one known model."""
    same = ((panel["model_sha256"] == previous["model_sha256"])
            & (panel["model_sha256"].fillna("") != "")).to_numpy()
    out = pd.DataFrame(index=panel.index)
    explained = np.zeros(len(panel))
    for domain in DOMAINS:
        name = f"contrib_{domain}"
        delta = np.where(same, panel[name] - previous[name], np.nan)
        out[f"contrib_change_{domain}"] = delta
        explained = explained + delta
    out["contrib_change_other"] = change.to_numpy() - explained + 0.0  # no "-0.0" in tables
    return out


def _grade_moves(before: pd.Series, after: pd.Series) -> list[str]:
    """'BB -> BBB (+1)': up is positive; a move to or from NR has no step count."""
    rank = {g: k for k, g in enumerate(GRADES)}  # 0 = best
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


# ---------------------------------------------------------------------------- industry series

def industry_series(db=None, by: str = "ksic_division", min_n: int = 1) -> pd.DataFrame:
    """Median and quartiles of the Tech-Index per year, by KSIC division or by region.

    Parameters
    ----------
    db : the store file.
    by : 'ksic_division' (the first two digits of the KSIC code) or 'region' (the 시도: the
        first word of the region or address; the first two digits of a region code).
    min_n : groups with fewer rated firms are left out (set e.g. 5 before publishing, so no
        single firm's score can be read off a quartile).

    Returns
    -------
    DataFrame ``year, <by>, [industry,] n, p25, median, p75`` (``industry``: the division's
    English name, by KSIC division only; Tech-Index points; quartiles by linear
    interpolation, numpy's default), over rated firm-years (grade NR has no index), each
    firm-year from its latest run. Firm-years without a code are grouped as ''.

    >>> industry_series("history.sqlite", min_n=5)  # doctest: +SKIP
    """
    if by not in ("ksic_division", "region"):
        raise UsageError(f"by='{by}' (expected 'ksic_division' or 'region')",
                         ko=f"by='{by}' ('ksic_division' 또는 'region'이어야 합니다)")
    if min_n < 1:
        raise UsageError(f"min_n={min_n} (expected at least 1)",
                         ko=f"min_n={min_n} (1 이상이어야 합니다)")
    with Store(db, create=False) as store:
        panel = store.latest_panel(fields=("ksic", "region"), scores=("tech_index",))
    panel = panel[panel["tech_index"].notna()]
    panel = panel.assign(**{by: _group_keys(panel, by)})
    out = _quartiles(panel, by)
    if by == "ksic_division":
        names = reference.division_names("en")
        out.insert(2, "industry", out["ksic_division"].map(names).fillna(""))
    return out[out["n"] >= min_n].reset_index(drop=True)


def _group_keys(panel: pd.DataFrame, by: str) -> np.ndarray:
    """Each firm-year's KSIC division (two digits) or 시도 ('' when unknown)."""
    source = panel["ksic"] if by == "ksic_division" else panel["region"]
    text = source.astype("str").where(source.notna(), "").str.strip()
    if by == "ksic_division":
        return text.str.extract(r"^[A-Za-z]?(\d{2})", expand=False).fillna("").to_numpy()
    digits = text.str.fullmatch(r"\d{5}|\d{10}")
    return text.str.split().str[0].fillna("").where(~digits, text.str.slice(0, 2)).to_numpy()


def _quartiles(panel: pd.DataFrame, by: str) -> pd.DataFrame:
    """``year, <by>, n, p25, median, p75`` of the Tech-Index per group (numpy's quartiles)."""
    grouped = panel.groupby(["year", by], sort=True)["tech_index"]
    out = grouped.agg(n="size", p25=lambda v: np.percentile(v, 25), median="median",
                      p75=lambda v: np.percentile(v, 75)).reset_index()
    out["n"] = out["n"].astype("int64")
    return out


# ---------------------------------------------------------------------------- calls

def call_year(call: str) -> int:
    """The first year of support of a call: the year in its name (``jeju_2025`` -> 2025).

    Raises :class:`~ktop_index.errors.UsageError` when the name has no year (then give
    ``support_year``).

    >>> call_year("jeju_2025")
    2025
    """
    found = re.search(r"(19|20)\d{2}", call)
    if not found:
        raise UsageError(f"call '{call}' names no year; give support_year (the first year of "
                         "support, e.g. 2025)",
                         ko=f"공고 '{call}'의 이름에 연도가 없습니다; 지원 첫해를 주십시오 "
                            "(--support-year, 예: 2025)")
    return int(found.group(0))

