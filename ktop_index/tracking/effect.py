"""The effect of a call's support: supported firms against matched unsupported applicants.

:func:`support_effect` reads a call's latest selection and its applicants' firm-years from
the history store, and estimates the average effect of support on the supported firms (ATT)
by difference-in-differences on nearest-neighbour matched applicants, bias-adjusted, with a
cluster bootstrap interval. The steps, each a function below:

1. :func:`_applicants`: the supported firms (``selected``) and the eligible unsupported ones
   (``waitlist``, ``not_selected``) of the call;
2. :func:`_covariates` and :func:`_match`: 1:1 nearest-neighbour matching with replacement
   on the pre-support Tech-Index and size, within a caliper;
3. :func:`_did_row` per outcome and horizon: the matched change difference less the
   remaining covariate gap times the controls' regression slopes (:func:`_control_slope`),
   with :func:`_cluster_bootstrap` over matched sets for the interval;
4. :func:`_unmatched_table`: the supported firms the estimate does not speak for.

Example
-------
>>> effect = support_effect("history.sqlite", "jeju_2025")               # doctest: +SKIP
>>> effect[effect["horizon"] == "2025-2027"][["outcome", "did", "ci_low", "ci_high"]]  # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ktop_index.errors import DataError, UsageError
from ktop_index.labels import EFFECT_ASSUMPTIONS
from ktop_index.tracking.history import call_year
from ktop_index.tracking.store import Store

#: The outcomes of the effect and their units.
EFFECT_OUTCOMES = {"tech_index": "points", "revenue": "KRW thousand (천원)",
                   "employees": "persons"}


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
    A pair missing an outcome in either year is left out of that outcome's row.

    Assumptions (also in the ``assumptions`` column): parallel trends given the matching;
    selection on the matched pre-support index and size plus fixed traits; no spill-over;
    firms whose data stopped missing at random. The bootstrap keeps the matches fixed, so
    the interval leaves out the matching's own uncertainty (on synthetic data with a known
    effect, tests/tracking/test_effect.py, it covers the truth; expect it to be somewhat
    narrow).

    Raises :class:`~ktop_index.errors.StoreError` for a call the store has no selection of,
    :class:`~ktop_index.errors.DataError` when the data allow no estimate.
    """
    if not 0 < level < 1:
        raise UsageError(f"level={level} (expected between 0 and 1)",
                         ko=f"level={level} (0과 1 사이여야 합니다)")
    year0 = support_year or call_year(call)
    with Store(db, create=False) as store:
        selection = store.latest_selection(call)
        panel = store.latest_panel(firms=selection["firm"])
    treated, controls = _applicants(selection, call)
    base = panel[panel["year"] == year0 - 1].set_index("firm")
    pairs, standardised, unmatched = _match(_covariates(base), treated, controls, caliper)
    post_years = sorted(y for y in panel["year"].unique() if y >= year0)
    if not post_years:
        raise DataError(f"call '{call}': no firm-years from {year0} on in the store (import "
                        "the supported firms' later data first)",
                        ko=f"공고 '{call}': 저장소에 {year0}년 이후의 기업-연도 자료가 없습니다 "
                           "(지원기업의 이후 자료를 먼저 저장하십시오)")
    rng = np.random.default_rng(seed)
    rows = []
    for outcome, unit in EFFECT_OUTCOMES.items():
        wide = panel.pivot_table(index="firm", columns="year", values=outcome, aggfunc="first")
        pre = wide.get(year0 - 1, pd.Series(dtype=float))
        for label, years in _horizons(post_years):
            post = wide.reindex(columns=years).mean(axis=1, skipna=True)
            rows.append(_did_row(outcome, unit, label, pairs, pre, post, standardised,
                                 controls, rng, n_boot, level)
                        | {"n_unmatched": unmatched})
    out = pd.DataFrame(rows)
    out["assumptions"] = EFFECT_ASSUMPTIONS
    out.attrs["assumptions"] = EFFECT_ASSUMPTIONS
    out.attrs["unmatched"] = _unmatched_table(selection, treated, pairs, base)
    return out


def _applicants(selection: pd.DataFrame, call: str) -> tuple[np.ndarray, np.ndarray]:
    """Firm keys of the supported applicants and of the eligible unsupported ones."""
    treated = selection.loc[selection["status"] == "selected", "firm"].to_numpy()
    controls = selection.loc[selection["status"].isin(["waitlist", "not_selected"]),
                             "firm"].to_numpy()
    if len(treated) == 0 or len(controls) == 0:
        raise DataError(f"call '{call}': {len(treated)} supported firms and {len(controls)} "
                        "unsupported eligible applicants (expected some of each)",
                        ko=f"공고 '{call}': 지원기업 {len(treated)}개사, 미지원 적격 신청기업 "
                           f"{len(controls)}개사 (양쪽 모두 있어야 합니다)")
    return treated, controls


def _horizons(post_years: list[int]) -> list[tuple[str, list[int]]]:
    """(label, years): all post years together (``FIRST-LAST``), then each year alone."""
    return ([(f"{post_years[0]}-{post_years[-1]}", post_years)]
            + [(str(y), [y]) for y in post_years])


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
           ) -> tuple[np.ndarray, pd.DataFrame, int]:
    """Nearest-neighbour pairs with replacement within the caliper.

    Returns (pairs of firm keys: treated, control), the standardised covariates of all
    applicants (firm -> row) and the number of supported firms left unmatched.
    """
    t = covariates.reindex([f for f in treated if f in covariates.index])
    c = covariates.reindex([f for f in controls if f in covariates.index])
    if len(t) == 0 or len(c) == 0:
        raise DataError("no supported firm or no unsupported applicant has a pre-support "
                        "Tech-Index, employees and revenue (expected the call's applicants "
                        "file, the year before support, in the store)",
                        ko="지원 전 기업혁신역량지수, 상시근로자 수, 매출액이 있는 지원기업 또는 "
                           "미지원 신청기업이 없습니다 (공고 신청기업의 지원 전 연도 파일이 "
                           "저장소에 있어야 합니다)")
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
