"""Screening the applicants of a call: every rule, every failure, in English and Korean.

Each rule gives, per firm, a pass/fail and, on failure, a short reason in both languages.
A firm is eligible when it passes every rule; all of its failures are listed, not only the
first. The rules (``docs/selection.md``):

``brn``       business number well formed with a correct check digit (:mod:`ktop_index.data.brn`);
``taxpayer``  the BRN type code is a business: not a branch office (85) unless the call allows
              it, not a non-profit, public or foreign body (80, 82, 83, 84, 89);
``region``    located in one of the call's regions: the 시군구 name or 법정동 code, or the
              address, matched **at the start only** against ``reference/regions.csv``
              (Seoul's 세종대로 is not Sejong; a prefix must end at a space);
``industry``  main KSIC code, read as the 11th revision (a 10th-revision code through the
              official concordance, :mod:`ktop_index.data.ksic`), starts with one of the
              call's target prefixes; a code whose possible readings disagree is held;
``sme_size``  SME under 중소기업기본법 시행령 별표1 in the table in force on the call's
              reference date: average revenue (up to 3 latest fiscal years in the file) at most
              the industry's ceiling, and total assets below 5,000억원;
``documents`` each required document (letter of intent, SME certificate) submitted (Y);
``min_grade`` Tech-Index grade at least the call's minimum (when the call sets one);
``rated``     Tech-Index rated (only when the call says not-rated firms are ineligible).

Money is in KRW thousand (천원); the SME table is in 억원 (1억원 = 100,000 천원).

Example
-------
>>> region_of(["제주특별자치도 서귀포시 중앙로 105", "서울특별시 중구 세종대로 110", "36110"])
['seogwipo_si', '', 'sejong']
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache

import numpy as np
import pandas as pd

from ktop_index import reference
from ktop_index.data import ksic
from ktop_index.data.brn import brn_problem, normalise_brn
from ktop_index.errors import DataError
from ktop_index.index.spec import GRADES
from ktop_index.labels import DOCUMENT_LABELS, ELIGIBILITY_REASONS
from ktop_index.selection.calls import Call

EOK = 100_000.0                      # 1억원 in 천원
ASSET_CEILING_EOK = 5_000.0          # 자산총액 5,000억원 미만 (상한기준)
NEW_TABLE_FROM = dt.date(2025, 9, 1)  # 시행령 개정 시행일
_NOT_BUSINESS = {80, 82, 83, 84, 89}


def _clean(text: object) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(text))).strip()


@lru_cache(maxsize=1)
def _prefix_table() -> list[tuple[str, str]]:
    """(prefix, region_id), longest prefix first, so '제주특별자치도 제주시' beats '제주'."""
    pairs = []
    for row in reference.regions().itertuples():
        pairs += [(_clean(p), row.region_id) for p in row.address_prefixes.split("|") if p]
    return sorted(pairs, key=lambda pair: -len(pair[0]))


@lru_cache(maxsize=1)
def _code_table() -> dict[str, str]:
    """5-digit 법정동 시군구 code -> region_id (province rows by their 2-digit 시도 code)."""
    table = {}
    for row in reference.regions().itertuples():
        if row.sigungu_code_5:
            table[row.sigungu_code_5] = row.region_id
        elif row.sido_code_2:
            table[row.sido_code_2] = row.region_id
    return table


def _one_region(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    text = _clean(value)
    digits = text.replace("-", "")
    if digits.isdigit() and len(digits) in (5, 10):  # 법정동 code (never SGIS codes)
        codes = _code_table()
        return codes.get(digits[:5], codes.get(digits[:2], ""))
    for prefix, region in _prefix_table():
        # at the start only, and the prefix must end the text or be followed by a space
        if text == prefix or text.startswith(prefix + " "):
            return region
    return ""


def region_of(values) -> list[str]:
    """The region id (``reference/regions.csv``) of each location, '' when none matches.

    A location is a 시군구 name, a 5- or 10-digit 법정동 code, or an address. Addresses match a
    known prefix at their start only, ending at a space: ``서울특별시 중구 세종대로`` and
    ``세종대로 110`` are not Sejong. A Jeju address naming neither city gives the province id
    ``jeju_province``.
    """
    series = pd.Series(list(values), dtype=object)
    uniques = series.dropna().unique()
    found = {u: _one_region(u) for u in uniques}
    return [found.get(v, "") if not pd.isna(v) else "" for v in series]


def _region_ok(found: list[str], call: Call) -> np.ndarray:
    """In the call's regions; a province-only address passes when every city of it is listed."""
    regions = reference.regions()
    allowed = set(call.eligibility.regions)
    for province in regions.loc[regions["level"] == "sido", "region_id"]:
        children = set(regions.loc[regions["parent"] == province, "region_id"])
        if children and children <= allowed:
            allowed.add(province)
    return np.array([r in allowed for r in found], dtype=bool)


def _ksic_section(ksic: pd.Series) -> pd.Series:
    return ksic.str.slice(0, 2).map(reference.ksic_divisions())


def sme_table_column(on: dt.date) -> str:
    """The column of ``reference/sme_size_criteria.csv`` in force on ``on`` (the table of
    별표1 changed on 2025-09-01).

    >>> sme_table_column(dt.date(2025, 3, 1))
    'sme_max_avg_revenue_eok_until_2025_08_31'
    """
    return ("sme_max_avg_revenue_eok_from_2025_09_01" if on >= NEW_TABLE_FROM
            else "sme_max_avg_revenue_eok_until_2025_08_31")


def sme_ceiling(ksic: pd.Series, on: dt.date) -> tuple[np.ndarray, str]:
    """Average-revenue ceiling (억원) of each KSIC code under the table in force on ``on``.

    Matching, most specific first: an exception subclass (only 30393 can be decided from the
    code alone; the seat-making parts of 31202 and 31322 cannot, so those fall back to their
    division), then the division (``C14``), then section minus a division (``E excluding
    E36``), then the section (``A``). NaN where the code is unknown.

    Returns the ceilings and the name of the column used.
    """
    column = sme_table_column(on)
    table = reference.sme_size_criteria()
    codes = ksic.astype("str").fillna("").str.replace(r"^[A-Z]", "", regex=True)
    division = codes.str.slice(0, 2)
    section = _ksic_section(codes).fillna("")
    ceiling = np.full(len(codes), np.nan)
    rules = [(row, float(row[column])) for _, row in table.iterrows()]
    # least specific first, so that more specific rules overwrite
    for row, value in rules:
        if row["match_rule"] == row["ksic_section"]:
            ceiling[(section == row["ksic_section"]).to_numpy()] = value
    for row, value in rules:
        if row["exclude_division"]:
            mask = (section == row["ksic_section"]) & (division != row["exclude_division"])
            ceiling[mask.to_numpy()] = value
    for row, value in rules:
        if row["row"] != "exception" and row["ksic_division"] and not row["exclude_division"]:
            ceiling[(division == row["ksic_division"]).to_numpy()] = value
    for row, value in rules:
        if row["row"] == "exception" and not row["match_rule"].endswith("*"):
            ceiling[codes.str.startswith(row["match_rule"][1:]).to_numpy()] = value
    return ceiling, column


def average_revenue(frame: pd.DataFrame, key: str = "brn") -> pd.Series:
    """Each firm's average revenue (천원) over its up to 3 latest fiscal years in ``frame``.

    A simplification of 평균매출액등: the law averages the last 3 fiscal years (or annualises a
    shorter history); an applicants file usually has one year, which is then used alone.
    Indexed like the firm's latest row.
    """
    if "revenue" not in frame:
        return pd.Series(np.nan, index=frame.index)
    years = frame["year"].astype("float64") if "year" in frame else pd.Series(0.0, frame.index)
    latest = years.groupby(frame[key]).transform("max")
    recent = years > latest - 3
    mean = frame["revenue"].where(recent).groupby(frame[key]).transform("mean")
    return mean


def screen(frame: pd.DataFrame, call: Call, grades: pd.Series | None = None) -> pd.DataFrame:
    """Apply the call's rules to one row per applicant.

    Parameters
    ----------
    frame : validated applicants (contract names), one row per firm; money in 천원. An
        ``avg_revenue`` column (천원), when present, is used for the SME test instead of
        ``revenue``.
    call : the loaded :class:`~ktop_index.calls.Call`.
    grades : Tech-Index grades of the same rows (needed for ``min_grade`` and ``rated``).

    Returns
    -------
    DataFrame (same index) with ``eligible`` (bool), ``reasons`` and
    ``reasons_ko`` ('; '-joined, empty when eligible), ``region_found`` (the
    region id, '' when none) and one bool column per rule, ``pass_<rule>``.

    Missing values: a missing location or industry code fails its rule; a missing revenue
    passes the SME size test only with an SME certificate; missing assets skip the asset test.
    """
    rules = call.eligibility
    msg = ELIGIBILITY_REASONS
    n = len(frame)
    en: list[list[str]] = [[] for _ in range(n)]
    ko: list[list[str]] = [[] for _ in range(n)]
    passes: dict[str, np.ndarray] = {}

    def fail(rule: str, mask: np.ndarray, key: str, **params) -> None:
        """Record ``key``'s message for rows in ``mask``; params may be per-row arrays."""
        passes[rule] = passes.get(rule, np.ones(n, bool)) & ~mask
        for i in np.flatnonzero(mask):
            values = {k: (v[i] if isinstance(v, (np.ndarray, list)) else v)
                      for k, v in params.items()}
            en[i].append(msg[key][0].format(**values))
            ko[i].append(msg[key][1].format(**{k: values.get(k + "_ko", v)
                                               for k, v in values.items()}))

    brn = frame["brn"] if "brn" in frame else pd.Series([None] * n, index=frame.index)
    why = [brn_problem(b) if not pd.isna(b) else "missing" for b in brn]
    why_ko = [brn_problem(b, "ko") if not pd.isna(b) else "없음" for b in brn]
    bad = np.array([w is not None for w in why])
    fail("brn", bad, "brn", why=np.array(why, dtype=object),
         why_ko=np.array([w or "" for w in why_ko], dtype=object))
    type_code = np.array([int(normalise_brn(b)[3:5]) if not w else -1 for b, w in zip(brn, why)])
    fail("taxpayer", (type_code == 85) & (not rules.allow_branch), "branch")
    fail("taxpayer", np.isin(type_code, list(_NOT_BUSINESS)), "not_business", code=type_code)

    location = frame["region"] if "region" in frame else pd.Series([None] * n)
    found = region_of(location)
    missing = location.isna().to_numpy()
    fail("region", missing, "region_unknown")
    where = np.array([_clean(v)[:20] if not pd.isna(v) else "" for v in location], dtype=object)
    fail("region", ~missing & ~_region_ok(found, call), "region", where=where)

    ksic = frame["ksic"].astype("str") if "ksic" in frame else pd.Series([pd.NA] * n, dtype="str")
    codes = ksic.fillna("").str.replace(r"^[A-Z]", "", regex=True)
    industry = _industry_rule(codes, rules.ksic_prefixes, fail)

    if rules.sme_size:
        _sme_rules(frame, call, industry["primary"], fail)
    for doc in rules.required_documents:
        doc_en, doc_ko = DOCUMENT_LABELS[doc]
        if doc not in frame:
            raise DataError(f"the applicants have no column {doc} ({doc_ko}), which call "
                            f"{call.name} requires (expected Y/N per firm)")
        given = frame[doc].astype("boolean").fillna(False).to_numpy(dtype=bool)
        fail("documents", ~given, "document", doc_en=doc_en, doc_ko=doc_ko)
    if grades is not None:
        _grade_rules(grades, call, fail)

    eligible = np.ones(n, bool)
    for mask in passes.values():
        eligible &= mask
    out = pd.DataFrame({"eligible": eligible,
                        "reasons": ["; ".join(r) for r in en],
                        "reasons_ko": ["; ".join(r) for r in ko],
                        "region_found": found, "ksic11": industry["ksic11"].to_numpy()},
                       index=frame.index)
    for rule, mask in passes.items():
        out[f"pass_{rule}"] = mask
    return out


def industry_readings(codes: pd.Series, prefixes: tuple[str, ...]) -> pd.DataFrame:
    """How each KSIC code (digits; '' when missing) is read against the target ``prefixes``
    (11th-revision code prefixes), by :mod:`ktop_index.data.ksic`.

    Columns: ``ksic11`` (the 11th-revision code(s) used, ', '-joined), ``primary`` (the first
    of them, for the SME table), ``verdict`` ('yes', 'no', 'unclear' or '' when missing) and,
    for the reasons, ``yes``/``no`` (a target and a non-target reading) and ``rev10`` (a target
    the code's 10th-revision meaning had, when the 11th reading is not one).

    A code is 'unclear' when the 11th-revision subclasses it may stand for are partly targets:
    a 10th code split into a target and a non-target code, a division wider than a target
    prefix, or a code that may have lost its leading 0. It is never decided on a guess.

    >>> industry_readings(pd.Series(["10712", "10801", "11"]), ("10901",))["verdict"].tolist()
    ['no', 'unclear', 'no']
    """
    found = {c: _reading(c, tuple(prefixes)) for c in codes.unique()}
    return pd.DataFrame([found[c] for c in codes], index=codes.index,
                        columns=["ksic11", "primary", "verdict", "yes", "no", "rev10"])


def _reading(code: str, prefixes: tuple[str, ...]) -> tuple[str, str, str, str, str, str]:
    if not code:
        return "", "", "", "", "", ""
    readings = ksic.possible_rev11(code) or (code,)
    covered = dict.fromkeys(s for r in readings for s in ksic.covered_subclasses(r))
    yes = [s for s in covered if s.startswith(prefixes)]
    no = [s for s in covered if not s.startswith(prefixes)]
    verdict = "no" if not yes else "yes" if not no else "unclear"
    tenth = [s for s in reference.ksic10_to_11().get(code, ()) if s.startswith(prefixes)]
    rev10 = ksic.shown(tenth[0]) if verdict == "no" and readings == (code,) and tenth else ""
    return (", ".join(readings), readings[0], verdict, _examples(yes), _examples(no), rev10)


def _examples(codes: list[str]) -> str:
    """'60310 (영상물 제공 서비스업)', with '…' when there are more."""
    return (ksic.shown(codes[0]) + (", …" if len(codes) > 1 else "")) if codes else ""


def _industry_rule(codes: pd.Series, prefixes, fail) -> pd.DataFrame:
    """The industry rule on the 11th-revision reading of each code; returns the readings."""
    found = industry_readings(codes, prefixes)
    verdict = found["verdict"].to_numpy()
    translated = (found["ksic11"] != codes).to_numpy()
    shown_en = np.where(translated, codes + ", 11th revision " + found["ksic11"], codes)
    shown_ko = np.where(translated, codes + ", 11차 " + found["ksic11"], codes)
    hinted = (found["rev10"] != "").to_numpy()
    fail("industry", verdict == "", "industry_unknown")
    fail("industry", (verdict == "no") & ~hinted, "industry", ksic=shown_en, ksic_ko=shown_ko)
    fail("industry", (verdict == "no") & hinted, "industry_rev10", ksic=shown_en,
         ksic_ko=shown_ko, other=found["rev10"].to_numpy())
    fail("industry", verdict == "unclear", "industry_unclear", ksic=codes.to_numpy(dtype=object),
         yes=found["yes"].to_numpy(), no=found["no"].to_numpy())
    return found


def _sme_rules(frame: pd.DataFrame, call: Call, codes: pd.Series, fail) -> None:
    """Average revenue within the industry ceiling; assets below 5,000억원."""
    n = len(frame)
    ceiling, _ = sme_ceiling(codes, call.reference_date)
    source = "avg_revenue" if "avg_revenue" in frame else "revenue"
    revenue = (frame[source].to_numpy(dtype="float64", na_value=np.nan) / EOK
               if source in frame else np.full(n, np.nan))
    over = ~np.isnan(revenue) & ~np.isnan(ceiling) & (revenue > ceiling)
    fail("sme_size", over, "sme_revenue", rev=revenue, ceil=ceiling)
    assets = (frame["total_assets"].to_numpy(dtype="float64", na_value=np.nan) / EOK
              if "total_assets" in frame else np.full(n, np.nan))
    fail("sme_size", ~np.isnan(assets) & (assets >= ASSET_CEILING_EOK), "sme_assets",
         assets=assets)
    certified = (frame["sme_confirmed"].astype("boolean").fillna(False).to_numpy(dtype=bool)
                 if "sme_confirmed" in frame else np.zeros(n, bool))
    fail("sme_size", np.isnan(revenue) & ~certified, "sme_unknown")


def _grade_rules(grades: pd.Series, call: Call, fail) -> None:
    rules = call.eligibility
    grade = grades.astype(object).to_numpy()
    rated = np.isin(grade, GRADES)
    if rules.min_grade:
        order = {g: k for k, g in enumerate(GRADES)}  # 0 = best
        position = np.array([order.get(g, len(GRADES)) for g in grade])
        fail("min_grade", rated & (position > order[rules.min_grade]), "min_grade",
             grade=grade, minimum=rules.min_grade)
    if rules.not_rated == "ineligible" or rules.min_grade:
        fail("rated", ~rated, "not_rated")
