"""A synthetic Korean SME firm-year panel whose growth is driven by a known latent capability.

There is no public K-TOP data, so the project tests its Tech-Index and its growth model on
a generated panel in which the truth is known. Every firm has four latent innovation
domain factors (infrastructure, input, activity, outcome), correlated through a common
capability factor. The factors drive the observed fields (the 10 quantitative fields and
the financial fields) through zero-inflated count and log-normal links, and their weighted
sum -- the *capability*, weights :data:`TRUE_GROWTH_WEIGHTS` -- drives the firm's LATER
revenue and employment growth and its survival. The model, its equations and its
parameters are documented in ``docs/synth.md``.

The generator runs in named steps (:func:`_simulate`): draw the firms (region, industry,
founding year), draw their latent capability, simulate the fields year by year (with exits
and growth), then build the panel (BRNs, names, missing cells) and its truth. Everything is
vectorised numpy; the only Python loop runs over years. The same seed gives a byte-identical
frame and byte-identical Parquet files.

Example
-------
>>> from ktop_index import synth
>>> sp = synth.generate(n_firms=300, years=(2020, 2024), seed=1)
>>> list(sp.panel.columns[:4])
['firm_id', 'brn', 'firm_name', 'year']
>>> bool((sp.panel["firm_age"] == sp.panel["year"] - sp.panel["founded"]).all())
True

Missing values: the financial fields and ``ceo_industry_years`` and ``rnd_staff`` are
missing completely at random at the rates of :data:`MISSING_RATES` (never depending on the
outcome); counts that come from registries are never missing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ktop_index._files import atomic_write
from ktop_index.errors import SpecError
from ktop_index.index.spec import DOMAINS  # the four domains, in their canonical order
from ktop_index.synth._draws import sigmoid
from ktop_index.synth.identity import draw_brns, draw_names
from ktop_index.synth.world import (
    DEFAULT_YEAR_DRIFT,
    DIV,
    IND_FIELDS,
    INDUSTRIES,
    TOURISM_SHOCK,
    WAGE_BASE_2014,
    WAGE_GROWTH,
    YEAR_DRIFT,
    draw_industries,
    draw_regions,
)

__all__ = [
    "DOMAINS",
    "MISSING_RATES",
    "PANEL_COLUMNS",
    "TRUE_GROWTH_WEIGHTS",
    "TRUTH_COLUMNS",
    "GenerativeParams",
    "SyntheticPanel",
    "generate",
    "generate_panel",
    "generate_truth",
    "write",
]

# ----------------------------------------------------------------------------------------
# The known truth
# ----------------------------------------------------------------------------------------

#: Weights of the domain factors in the latent capability that drives later growth and
#: survival: capability_t = sum_d w_d * factor_{d,t}. Growth loads most on input and
#: activity. These are the weights an index built from the observed fields should recover
#: (up to scale) if it is to rank firms by growth potential.
TRUE_GROWTH_WEIGHTS = {"infrastructure": 0.15, "input": 0.35, "activity": 0.30, "outcome": 0.20}

PANEL_COLUMNS = (
    "firm_id", "brn", "firm_name", "year", "ksic", "region", "founded", "firm_age",
    # the 10 quantitative fields
    "ceo_industry_years", "employees", "rnd_staff", "rnd_org", "certifications",
    "patents", "ip_filings", "rnd_projects", "commercialized",
    # financial fields, KRW thousand (천원)
    "revenue", "operating_profit", "net_income", "total_assets", "total_equity",
    "rnd_expense", "salaries", "export_revenue",
)  # fmt: skip

TRUTH_COLUMNS = (
    "firm_id", "year", *DOMAINS, "capability", "capability_level", "rnd_propensity",
    "alive_next_year", "survives_3y", "revenue_growth_3y", "employment_growth_3y",
    "high_growth_3y", "high_growth_3y_oecd",
)  # fmt: skip

#: Share of cells set missing, completely at random (half of it persistent within a firm).
MISSING_RATES = {
    "ceo_industry_years": 0.08,
    "rnd_staff": 0.03,
    "revenue": 0.01,
    "operating_profit": 0.02,
    "net_income": 0.03,
    "total_assets": 0.02,
    "total_equity": 0.03,
    "rnd_expense": 0.10,
    "salaries": 0.05,
    "export_revenue": 0.12,
}

_INT_COLUMNS = (
    "year", "founded", "firm_age", "employees", "rnd_org", "certifications", "patents",
    "ip_filings", "rnd_projects", "commercialized",
)  # fmt: skip
_MONEY_COLUMNS = (
    "revenue", "operating_profit", "net_income", "total_assets", "total_equity",
    "rnd_expense", "salaries", "export_revenue",
)  # fmt: skip
_STR_COLUMNS = ("firm_id", "brn", "firm_name", "ksic", "region")
#: pandas 3 default string dtype (pyarrow-backed, NaN as missing marker).
STR_DTYPE = "str"


@dataclass(frozen=True)
class GenerativeParams:
    """Parameters of the generative model (see ``docs/synth.md`` for the equations).

    Set ``beta_revenue = beta_employment = exit_capability = 0`` for a null world in which
    the capability does not drive growth or survival.
    """

    factor_common_share: float = 0.5  # corr between two domain-factor levels
    ar_phi: float = 0.8  # AR(1) coefficient of the yearly factor deviation
    ar_sd: float = 0.35  # stationary sd of the yearly factor deviation
    beta_revenue: float = 0.10  # log revenue growth per unit capability per year
    beta_employment: float = 0.05  # log employment growth per unit capability per year
    revenue_noise_sd: float = 0.16  # sd of the yearly revenue growth shock (mid-size firm)
    employment_noise_sd: float = 0.08
    transitory_sd: float = 0.06  # year-specific revenue shock that does not persist
    young_revenue_boost: float = 0.15  # extra growth at age 0, decaying exp(-age/2)
    young_employment_boost: float = 0.10
    size_reversion: float = 0.03  # slower growth of larger firms (keeps sizes stationary)
    exit_base: float = -3.6  # logit of the yearly exit hazard of a mid-size mature firm
    exit_capability: float = -0.9  # change in that logit per unit capability
    exit_micro: float = 0.6  # employees < 5
    exit_young: float = 0.8  # times exp(-age/2)
    exit_impaired: float = 0.8  # total_equity <= 0
    entrant_share: float = 0.30  # share of firms founded inside the panel years
    mean_age_at_start: float = 10.5  # mean age of the incumbents at the first panel year


@dataclass(frozen=True)
class SyntheticPanel:
    """A generated panel and its known truth (one truth row per panel row, same order)."""

    panel: pd.DataFrame
    truth: pd.DataFrame
    n_firms: int
    years: tuple[int, int]
    seed: int
    params: GenerativeParams


_W = np.array([TRUE_GROWTH_WEIGHTS[d] for d in DOMAINS])  # capability = factors @ _W
_BURN_IN = 3  # years simulated before the first panel year, so the fields settle
_FUTURE = 3  # years simulated after the last panel year, for the truth's 3-year outcomes
# firm-persistent idiosyncratic terms of the field links (standard normal; not part of the truth)
_FIRM_NOISE = ("prod", "org", "share", "wage", "rexp", "margin", "turn", "equity", "xshare", "size")
# firm-persistent uniforms: IP activity, exporter, rounding of R&D staff, outsourced R&D, legal form
_FIRM_UNIFORMS = ("ip", "export", "dither", "outsource", "legal")


# ----------------------------------------------------------------------------------------
# The simulation, step by step
# ----------------------------------------------------------------------------------------


def _simulate(n_firms, years, seed, params, region_weights=None):
    """The observed panel and its truth, in five steps, each drawing from its own stream.

    ``numpy.random.default_rng(seed)`` is split with ``spawn`` into five independent
    streams, in this order: statics (:func:`_draw_firms`), latent (:func:`_draw_latent`),
    dynamics (:func:`_simulate_years`), names (:func:`_draw_identities`) and missingness
    (:func:`_apply_missingness`). Within a stream the draws happen in a fixed order, so the
    same arguments give the same frames. Returns ``(panel, truth)``.
    """
    y0, y1 = _check_arguments(n_firms, years)
    root = np.random.default_rng(seed)
    r_static, r_latent, r_dyn, r_names, r_miss = root.spawn(5)
    n = int(n_firms)
    sim_years = np.arange(y0 - _BURN_IN, y1 + _FUTURE + 1)
    firms = _draw_firms(r_static, n, (y0, y1), int(sim_years[0]), params, region_weights)
    latent = _draw_latent(r_latent, n, params)
    history = _simulate_years(r_dyn, firms, latent, sim_years, y0, params)
    rows = _panel_rows(history.present, sim_years, y0, y1)
    brn, names = _draw_identities(r_names, firms, latent, history, sim_years, y0)
    panel = _panel_frame(rows, firms, history, brn, names)
    panel = _set_dtypes(_apply_missingness(r_miss, panel, rows.firm, n))
    truth = _truth_frame(panel["firm_id"], rows, firms, latent, history)
    return panel, truth


def _check_arguments(n_firms, years):
    """The first and last panel year, after checking the arguments (:class:`SpecError`)."""
    y0, y1 = int(years[0]), int(years[1])
    if y1 < y0:
        raise SpecError(f"years must be (first, last) with first <= last, got {years!r}")
    if n_firms < 1:
        raise SpecError(f"n_firms must be >= 1, got {n_firms!r}")
    return y0, y1


# ---- step 1: the firms (stream "statics") -----------------------------------------------


@dataclass(frozen=True)
class _Firms:
    """What each firm is from the start: arrays of length n_firms, one entry per firm."""

    sido: np.ndarray  # index into world.SIDO
    region: np.ndarray  # "시도 시군구"
    div: np.ndarray  # index into world.DIV
    ksic: np.ndarray  # 5-digit KSIC-11 subclass
    ind: dict  # the firm's industry parameters, world.IND_FIELDS without the subclasses
    lp: np.ndarray  # log revenue per employee at 1 employee (log 천원), see _enter
    founded: np.ndarray  # founding year
    start_year: np.ndarray  # first simulated year: founding, or the first burn-in year


def _draw_firms(rng, n, years, sim_start, params, region_weights):
    """Draw every firm's region, industry and founding year (from the statics stream).

    Draws, in order: 시도 and 시군구, KSIC division and subclass, then the founding years
    (:func:`_draw_founding_years`). ``sim_start`` is the first simulated (burn-in) year.
    """
    sido, region = draw_regions(rng, n, region_weights)
    div, ksic = draw_industries(rng, sido)
    ind = {
        name: np.array([r[1 + k] for r in INDUSTRIES])[div]
        for k, name in enumerate(IND_FIELDS)
        if name != "subclasses"
    }
    lp = np.log(ind["rev_head"]) - 0.1 * np.log(10.0)  # so a 10-person firm hits rev_head
    founded = _draw_founding_years(rng, n, years, params)
    start_year = np.maximum(founded, sim_start)
    return _Firms(sido, region, div, ksic, ind, lp, founded, start_year)


def _draw_founding_years(rng, n, years, params):
    """Founding years: a share ``entrant_share`` of firms is founded inside the panel years
    (uniformly after the first), the others are incumbents whose age at the first panel year
    is exponential with mean ``mean_age_at_start`` years, floored and capped at 45."""
    y0, y1 = years
    entrant = (rng.random(n) < params.entrant_share) if y1 > y0 else np.zeros(n, bool)
    age0 = np.minimum(np.floor(rng.exponential(params.mean_age_at_start, n)), 45).astype(np.int64)
    return np.where(entrant, rng.integers(y0 + 1, y1 + 1, n) if y1 > y0 else y0, y0 - age0)


# ---- step 2: the latent capability (stream "latent") ------------------------------------


@dataclass(frozen=True)
class _Latent:
    """Each firm's persistent latent traits (arrays with one row per firm)."""

    eta: np.ndarray  # (n, 4) levels of the domain factors, standard normal, in DOMAINS order
    cap_level: np.ndarray  # eta @ _W, the capability level
    noise: dict  # _FIRM_NOISE -> standard normal per firm
    u: dict  # _FIRM_UNIFORMS -> uniform(0, 1) per firm
    u_cert: np.ndarray  # (n, 4) uniforms of the four certifications
    ceo_prior: np.ndarray  # founder's years in the industry at founding
    founder_tenure: np.ndarray  # years until a successor takes over
    successor_prior: np.ndarray  # successor's years in the industry when taking over


def _draw_latent(rng, n, params):
    """Draw the latent domain-factor levels and the firm-persistent noise (latent stream).

    ``eta_d = sqrt(rho) g + sqrt(1 - rho) e_d`` with ``g, e_d`` standard normal and
    ``rho = factor_common_share``, so two domains correlate at ``rho``. Draws, in order:
    ``g``, ``e``, the :data:`_FIRM_NOISE` normals, the :data:`_FIRM_UNIFORMS`, the
    certification uniforms, then the CEO careers (:func:`_draw_ceo_careers`).
    """
    rho = params.factor_common_share
    g = rng.standard_normal(n)
    eta = np.sqrt(rho) * g[:, None] + np.sqrt(1 - rho) * rng.standard_normal((n, 4))
    noise = {k: rng.standard_normal(n) for k in _FIRM_NOISE}
    u = {k: rng.random(n) for k in _FIRM_UNIFORMS}
    u_cert = rng.random((n, 4))
    ceo_prior, founder_tenure, successor_prior = _draw_ceo_careers(rng, n, eta[:, 0])
    return _Latent(eta, eta @ _W, noise, u, u_cert, ceo_prior, founder_tenure, successor_prior)


def _draw_ceo_careers(rng, n, infrastructure):
    """The founder's prior years in the industry (gamma(2, 4), more with a higher
    infrastructure level, capped at 30), the founder's tenure (uniform 15-35 years) and the
    successor's prior years (gamma(2, 5), same shift and cap)."""
    ceo_prior = np.minimum(rng.gamma(2.0, 4.0, n) * np.exp(0.3 * infrastructure), 30.0)
    founder_tenure = rng.uniform(15.0, 35.0, n)
    successor_prior = np.minimum(rng.gamma(2.0, 5.0, n) * np.exp(0.3 * infrastructure), 30.0)
    return ceo_prior, founder_tenure, successor_prior


# ---- step 3: the fields year by year (stream "dynamics") --------------------------------


@dataclass
class _State:
    """What one simulated year hands to the next (arrays with one row per firm)."""

    a: np.ndarray  # (n, 4) yearly AR(1) deviation of the domain factors from their levels
    X: np.ndarray  # log revenue, permanent part (log 천원)
    L: np.ndarray  # log employment
    patents: np.ndarray  # registered patents held (a stock)
    ema_margin: np.ndarray  # smoothed operating margin (drives the equity ratio)
    last_growth: np.ndarray  # last year's log revenue growth
    alive: np.ndarray  # not exited yet
    exited: np.ndarray
    filings: np.ndarray  # (n, T) yearly IP filings, for the 3-year windows and the grants
    projects: np.ndarray  # (n, T) yearly government R&D projects
    commercialized: np.ndarray  # (n, T) yearly commercialisations


@dataclass(frozen=True)
class _History:
    """The simulated years: ``values[key]`` is an (n, T) array of one field or factor,
    ``present`` marks firm-years alive, ``alive_next`` firm-years alive the year after."""

    values: dict
    present: np.ndarray
    alive_next: np.ndarray


def _simulate_years(rng, firms, latent, sim_years, first_year, params):
    """Simulate every firm through ``sim_years`` (the only loop: over years).

    Each year: move the domain factors (:func:`_next_deviation`), start the firms born this
    year (:func:`_enter`), observe the year's fields (:func:`_observe`), let firms exit
    (from ``first_year`` on: the incumbents at the first panel year have survived until
    then), and grow revenue and employment into the next year (:func:`_grow`).
    """
    n, T = firms.founded.size, sim_years.size
    state = _start_state(rng, n, T, params)
    history = _History({}, np.zeros((n, T), bool), np.zeros((n, T), bool))
    for t, year in enumerate(sim_years):
        if t > 0:
            state.a = _next_deviation(rng, state.a, params)
        f = latent.eta + state.a
        cap = f @ _W
        age = (year - firms.founded).astype(float)
        born = firms.founded <= year
        # birth (or first simulated year for older firms): initial size
        init = firms.start_year == year
        if init.any():
            _enter(rng, state, init, f, age, firms, latent)
        cur = born & state.alive
        history.present[:, t] = cur
        record = _observe(
            rng, t, year, f, cap, age, init, cur, state, firms, latent, sim_years, params
        )
        for k, v in record.items():
            history.values.setdefault(k, np.zeros((n, T)))[:, t] = v
        if year >= first_year:
            hazard = _exit_hazard(
                cap, record["emp"], record["equity"], age, year, firms.ind["tourism"], params
            )
            _apply_exits(rng, state, hazard, cur)
        history.alive_next[:, t] = cur & state.alive
        if t + 1 < T:
            _grow(rng, state, int(sim_years[t + 1]), cap, f, age, born, firms, latent, params)
    return history


def _start_state(rng, n, T, params):
    """The state before the first simulated year; draws the first factor deviations,
    normal with sd ``ar_sd`` (the stationary sd of the AR(1))."""
    return _State(
        a=rng.standard_normal((n, 4)) * params.ar_sd,
        X=np.zeros(n),
        L=np.zeros(n),
        patents=np.zeros(n, dtype=np.int64),
        ema_margin=np.zeros(n),
        last_growth=np.zeros(n),
        alive=np.ones(n, bool),
        exited=np.zeros(n, bool),
        filings=np.zeros((n, T), dtype=np.int64),
        projects=np.zeros((n, T), dtype=np.int64),
        commercialized=np.zeros((n, T), dtype=np.int64),
    )


def _next_deviation(rng, a, params):
    """The next year's factor deviations: AR(1) with coefficient ``ar_phi`` and stationary sd
    ``ar_sd`` (one normal draw per firm and domain)."""
    phi = params.ar_phi
    return phi * a + np.sqrt(1 - phi**2) * params.ar_sd * rng.standard_normal(a.shape)


def _enter(rng, state, init, f, age, firms, latent):
    """Give the firms starting this year (``init``) their initial log employment, log
    revenue and patent stock, in place.

    Log employment grows with age and the capability level; the patent stock is about 0.6
    times the expected grants of up to 12 years, drawn as a gamma-Poisson mixture (one gamma,
    then one Poisson per starting firm).
    """
    fA, fO = f[:, 2], f[:, 3]
    state.L[init] = (
        1.3
        + firms.ind["size"][init]
        + 0.42 * np.log1p(age[init])
        + 0.25 * latent.cap_level[init]
        + 0.75 * latent.noise["size"][init]
    )
    state.X[init] = (
        firms.lp[init] + 0.45 * latent.noise["prod"][init] + 0.9 * state.L[init] + 0.1 * fO[init]
    )
    fA0, r0, lc0 = fA[init], firms.ind["rnd"][init], state.L[init] - 2.3
    mean_stock = (
        (latent.u["ip"][init] > _p_ip_inactive(fA0, r0, lc0))
        * _filing_rate(fA0, r0, lc0)
        * _grant_rate(fO[init])
        * np.minimum(age[init], 12)
        * 0.6
    )
    state.patents[init] = rng.poisson(mean_stock * rng.gamma(1.0, 1.0, int(init.sum())))


def _observe(rng, t, year, f, cap, age, init, cur, state, firms, latent, sim_years, params):
    """The fields of simulated year ``t`` for every firm: ``{key: array}``.

    In draw order: infrastructure (no draws), input (wages), activity (filings, projects),
    outcome (grants, lapses, commercialisations) and the financial fields. Updates the
    patent stock, the yearly flow histories and the smoothed margin in ``state``.
    """
    fI, fP, fA, fO = f.T
    r_ind = firms.ind["rnd"]
    emp = np.floor(np.exp(state.L)).astype(np.int64)
    Lc = state.L - 2.3  # log employment relative to a 10-person firm
    org = _rnd_org(fI, r_ind, Lc, emp, latent.noise["org"])
    cert = _certifications(fI, fA, r_ind, Lc, latent.u_cert)
    ceo = _ceo_experience(age, latent)
    staff = _rnd_staff(fP, r_ind, emp, org, latent)
    wage = _wage(rng, year, fP, firms, latent)
    salaries = np.round(emp * wage)
    filings, projects = _activity(rng, fA, r_ind, Lc, org, cur, latent.u["ip"])
    comm = _patents_and_commercialization(rng, t, fO, r_ind, Lc, cur, init, state)
    state.filings[:, t], state.projects[:, t], state.commercialized[:, t] = filings, projects, comm
    ip3, pr3, co3 = _three_year_counts(state, t, sim_years, firms.founded)
    revenue = _revenue(rng, state.X, params)
    rnd_exp = _rnd_expense(rng, staff, wage, revenue, fP, latent)
    op, margin = _operating_profit(
        rng, revenue, salaries, rnd_exp, fO, age, state.last_growth, firms, latent
    )
    state.ema_margin = np.where(init, margin, 0.6 * state.ema_margin + 0.4 * margin)
    assets, equity, ni = _balance_sheet(rng, revenue, op, cap, state.ema_margin, age, firms, latent)
    export = _exports(rng, revenue, fO, Lc, firms, latent)
    return {
        "infrastructure": fI, "input": fP, "activity": fA, "outcome": fO, "capability": cap,
        "ceo": ceo, "emp": emp, "rnd_staff": staff, "rnd_org": org, "cert": cert,
        "patents": state.patents, "ip_filings": ip3, "rnd_projects": pr3, "commercialized": co3,
        "revenue": revenue, "op": op, "ni": ni, "assets": assets, "equity": equity,
        "rnd_exp": rnd_exp, "salaries": salaries, "export": export,
    }  # fmt: skip


# -- the field links of one year (the equations of docs/synth.md) --


def _p_ip_inactive(f_act, rnd, lc):
    """Probability that a firm files no IP at all (the structural zero)."""
    return sigmoid(0.8 - 1.0 * f_act - 0.8 * rnd - 0.5 * lc)


def _filing_rate(f_act, rnd, lc):
    """Mean yearly IP filings of a filing firm (negative binomial, k = 1)."""
    return np.exp(-0.2 + 0.7 * f_act + 0.3 * rnd + 0.4 * lc)


def _grant_rate(f_out):
    """Share of the filings of two years ago registered this year."""
    return sigmoid(0.3 + 0.7 * f_out)


def _rnd_org(fI, r_ind, Lc, emp, noise):
    """R&D organisation: 0 none, 1 R&D department, 2 corporate R&D institute, by thresholds
    on a latent score; none without employees and at most a department below 3."""
    z_org = fI + 0.9 * r_ind + 0.7 * Lc + 0.7 * noise
    org = (z_org > 0.3).astype(np.int64) + (z_org > 1.3)
    return np.where(emp == 0, 0, np.where(emp < 3, np.minimum(org, 1), org))


def _certifications(fI, fA, r_ind, Lc, u_cert):
    """Number of certifications held (0-4: venture, innobiz, mainbiz, other), each a logistic
    event compared with the firm's persistent uniforms (no draws)."""
    cert_p = sigmoid(
        np.array([-1.4, -2.0, -2.2, -1.2])[None, :]
        + (1.0 * fI + 0.4 * fA + 0.4 * r_ind + 0.35 * Lc)[:, None]
    )
    return (u_cert < cert_p).sum(axis=1)


def _ceo_experience(age, latent):
    """The CEO's years in the industry (0.1-year steps, at most 50): the founder's prior
    years plus the firm's age, then the successor's prior years plus the years since."""
    ceo = np.where(
        age <= latent.founder_tenure,
        latent.ceo_prior + age,
        latent.successor_prior + age - np.floor(latent.founder_tenure),
    )
    return np.round(np.minimum(ceo, 50.0), 1)


def _rnd_staff(fP, r_ind, emp, org, latent):
    """R&D staff (persons): a logistic share of the employees, rounded with the firm's
    persistent dither; at least 1 with an R&D department, 2 with an institute, at most the
    employees."""
    share = sigmoid(
        -2.8
        + 0.9 * fP
        + 0.6 * r_ind
        + 0.8 * (org >= 1)
        + 0.4 * (org == 2)
        + 0.5 * latent.noise["share"]
    )
    staff = np.floor(emp * share + latent.u["dither"]).astype(np.int64)
    staff = np.maximum(staff, np.where(org >= 1, 1, 0))
    staff = np.maximum(staff, np.where(org == 2, 2, 0))
    return np.minimum(staff, emp)


def _wage(rng, year, fP, firms, latent):
    """Salary per head (천원 a year): the 2014 base grown 3.5 % a year, shifted by industry,
    input factor and firm; one normal draw per firm for the year."""
    return WAGE_BASE_2014 * np.exp(
        WAGE_GROWTH * (year - 2014)
        + firms.ind["wage"]
        + 0.12 * fP
        + 0.15 * latent.noise["wage"]
        + 0.04 * rng.standard_normal(fP.size)
    )


def _activity(rng, fA, r_ind, Lc, org, cur, u_ip):
    """This year's IP filings (zero-inflated negative binomial) and government R&D projects
    (Poisson), zero for firms not alive; draws the filings, then the projects."""
    ip_active = u_ip > _p_ip_inactive(fA, r_ind, Lc)
    lam_f = _filing_rate(fA, r_ind, Lc)
    filings = np.where(ip_active & cur, rng.negative_binomial(1.0, 1.0 / (1.0 + lam_f)), 0)
    lam_p = np.exp(-2.9 + 0.9 * fA + 0.5 * r_ind + 0.25 * Lc + 0.5 * (org >= 1))
    projects = np.where(cur, rng.poisson(lam_p), 0)
    return filings, projects


def _patents_and_commercialization(rng, t, fO, r_ind, Lc, cur, init, state):
    """Update the patent stock (grants of the filings of two years ago, binomial; lapses at
    5 % a year, binomial) and return this year's commercialisations (Poisson)."""
    if t >= 2:
        grants = rng.binomial(state.filings[:, t - 2], _grant_rate(fO))
    else:
        grants = np.zeros(fO.size, dtype=np.int64)
    lapses = rng.binomial(state.patents, 0.05)
    state.patents = np.where(cur & ~init, state.patents + grants - lapses, state.patents)
    lam_c = np.exp(-2.2 + 0.9 * fO + 0.3 * r_ind + 0.2 * Lc + 0.25 * np.log1p(state.patents))
    return np.where(cur, rng.poisson(lam_c), 0)


def _three_year_counts(state, t, sim_years, founded):
    """IP filings, R&D projects and commercialisations over this year and the two before
    (only years since founding count)."""
    lo = max(0, t - 2)
    win = sim_years[None, lo : t + 1] >= founded[:, None]
    ip3 = (state.filings[:, lo : t + 1] * win).sum(axis=1)
    pr3 = (state.projects[:, lo : t + 1] * win).sum(axis=1)
    co3 = (state.commercialized[:, lo : t + 1] * win).sum(axis=1)
    return ip3, pr3, co3


def _revenue(rng, X, params):
    """Revenue (천원, whole, at least 1): the permanent log revenue plus a transitory normal
    shock of sd ``transitory_sd``."""
    return np.maximum(np.round(np.exp(X + params.transitory_sd * rng.standard_normal(X.size))), 1.0)


def _rnd_expense(rng, staff, wage, revenue, fP, latent):
    """R&D expense (천원, whole): R&D staff times wage times a log-normal factor; firms
    without staff spend nothing, except the 5 % that outsource about 1 % of revenue."""
    rnd_exp = np.where(
        staff > 0,
        staff
        * wage
        * np.exp(
            0.25 + 0.25 * fP + 0.3 * latent.noise["rexp"] + 0.1 * rng.standard_normal(fP.size)
        ),
        0.0,
    )
    outsourced = (staff == 0) & (latent.u["outsource"] < 0.05)
    return np.round(np.where(outsourced, revenue * 0.01 * np.exp(0.5 * fP), rnd_exp))


def _operating_profit(rng, revenue, salaries, rnd_exp, fO, age, last_growth, firms, latent):
    """Operating profit (천원, whole) and the operating margin behind it: the industry margin
    shifted by the outcome factor, youth and last year's growth, plus a normal draw; profit
    is at most revenue less salaries and R&D expense."""
    margin = (
        firms.ind["margin"]
        + 0.01
        + 0.035 * fO
        + 0.045 * latent.noise["margin"]
        + 0.045 * rng.standard_normal(fO.size)
        - 0.10 * np.exp(-age / 1.5)
        + 0.10 * np.clip(last_growth, -0.5, 0.5)
    )
    op = np.round(np.minimum(revenue * margin, revenue - salaries - rnd_exp))
    return op, margin


def _balance_sheet(rng, revenue, op, cap, ema_margin, age, firms, latent):
    """Total assets, total equity and net income (천원, whole). Assets from revenue and the
    industry's turnover; equity from an equity ratio that rises with capability and the
    smoothed margin (at most 0.95, may be negative: impaired capital); net income after
    interest on the debt, a noise term and 15 % tax on profits. Draws: assets, ratio, income.
    """
    assets = np.round(
        revenue
        / np.exp(
            np.log(firms.ind["turnover"])
            + 0.35 * latent.noise["turn"]
            + 0.06 * rng.standard_normal(op.size)
        )
    )
    assets = np.maximum(assets, 1.0)
    eq_ratio = np.minimum(
        0.33
        + 0.07 * cap
        + 0.15 * latent.noise["equity"]
        + 0.8 * ema_margin
        - 0.10 * np.exp(-age / 3)
        + 0.03 * rng.standard_normal(op.size),
        0.95,
    )
    equity = np.round(assets * eq_ratio)
    debt = np.maximum(assets - equity, 0.0)
    pretax = op - 0.015 * debt + 0.01 * revenue * rng.standard_normal(op.size)
    ni = np.round(pretax - 0.15 * np.maximum(pretax, 0.0))
    return assets, equity, ni


def _exports(rng, revenue, fO, Lc, firms, latent):
    """Export revenue (천원, whole): exporters (a logistic event on the firm's persistent
    uniform) export a logistic share of revenue, drawn each year; others export nothing."""
    exporter = latent.u["export"] < sigmoid(-2.2 + 0.7 * fO + firms.ind["export"] + 0.4 * Lc)
    xshare = sigmoid(
        -1.3 + 0.4 * fO + 0.8 * latent.noise["xshare"] + 0.15 * rng.standard_normal(fO.size)
    )
    return np.where(exporter, np.round(revenue * xshare), 0.0)


# -- exit and growth --


def _exit_hazard(cap, emp, equity, age, year, tourism, params):
    """Probability that a firm exits after ``year``: logistic in capability, with extra risk
    for micro firms (< 5 employees), young firms, impaired capital and, in 2020, tourism."""
    p = params
    return sigmoid(
        p.exit_base
        + p.exit_capability * cap
        + p.exit_micro * (emp < 5)
        + p.exit_young * np.exp(-age / 2)
        + p.exit_impaired * (equity <= 0)
        + 0.5 * (tourism & (year == 2020))
    )


def _apply_exits(rng, state, hazard, cur):
    """Mark the firms alive this year that exit (one uniform per firm); an exit is final."""
    dies = cur & (rng.random(hazard.size) < hazard)
    state.exited |= dies
    state.alive = ~state.exited


def _grow(rng, state, next_year, cap, f, age, born, firms, latent, params):
    """Grow log revenue and log employment of the born firms into ``next_year``, in place
    (firms not yet born keep their unused state). Draws: the revenue shock (t, 4 degrees of
    freedom), then the employment shock (normal)."""
    dX, eps = _revenue_growth(rng, next_year, cap, age, state.L, firms, params)
    state.X = np.where(born, state.X + dX, state.X)
    dL = _employment_growth(rng, eps, cap, age, state.X, state.L, f[:, 3], firms, latent, params)
    state.L = np.where(born, state.L + dL, state.L)
    state.last_growth = np.where(born, dX, state.last_growth)


def _revenue_growth(rng, next_year, cap, age, L, firms, params):
    """Log revenue growth into ``next_year`` and its shock: industry drift, year effect (with
    the tourism slump), capability, youth, size reversion and a heavy-tailed shock whose sd
    is larger for small firms."""
    p = params
    young = np.exp(-age / 2.0)
    tourism = firms.ind["tourism"] * TOURISM_SHOCK.get(next_year, 0.0)
    dyear = YEAR_DRIFT.get(next_year, DEFAULT_YEAR_DRIFT) + tourism
    sdx = p.revenue_noise_sd * (0.8 + 0.6 * np.exp(-np.maximum(L, 0) / 2))
    eps = sdx * rng.standard_t(4, L.size) / np.sqrt(2.0)
    dX = (
        firms.ind["drift"]
        + dyear
        + p.beta_revenue * cap
        + p.young_revenue_boost * young
        - p.size_reversion * (L - 2.3)
        + eps
    )
    return dX, eps


def _employment_growth(rng, eps, cap, age, X, L, fO, firms, latent, params):
    """Log employment growth: half the industry drift, capability, a share of the revenue
    shock, youth, a pull towards the employment that the new revenue implies, and a normal
    shock of sd ``employment_noise_sd``."""
    p = params
    young = np.exp(-age / 2.0)
    L_star = (X - firms.lp - 0.45 * latent.noise["prod"] - 0.1 * fO) / 0.9
    return (
        0.5 * firms.ind["drift"]
        + p.beta_employment * cap
        + 0.35 * eps
        + p.young_employment_boost * young
        + 0.15 * (L_star - L)
        + p.employment_noise_sd * rng.standard_normal(L.size)
    )


# ---- step 4: the panel and its truth (streams "names" and "missingness") ----------------


class _Rows(NamedTuple):
    """The panel's rows: firm index, simulated-year index and fiscal year of each row,
    sorted by firm, then year."""

    firm: np.ndarray
    t: np.ndarray
    year: np.ndarray


def _panel_rows(present, sim_years, y0, y1):
    """One row per firm-year alive inside the panel years ``y0``-``y1``."""
    pcols = np.flatnonzero((sim_years >= y0) & (sim_years <= y1))
    fi, tj = np.nonzero(present[:, pcols])  # row-major: sorted by firm, then year
    tt = pcols[tj]
    return _Rows(fi, tt, sim_years[tt].astype(np.int64))


def _sole_proprietors(firms, latent, history, sim_years, y0):
    """Which firms are sole proprietors (no legal form, BRN type 01-79): likelier for micro
    firms at their first panel year and in retail, food service, lodging and farming."""
    n = firms.founded.size
    first_t = np.searchsorted(sim_years, np.maximum(firms.start_year, y0))
    small = history.values["emp"][np.arange(n), first_t]
    p_ind = np.where(small < 5, 0.35, 0.08) + np.where(
        np.isin(np.array(DIV)[firms.div], ("55", "56", "47", "01")), 0.2, 0.0
    )
    return latent.u["legal"] < p_ind


def _draw_identities(rng, firms, latent, history, sim_years, y0):
    """Each firm's BRN and name (from the names stream: the BRNs first, then the names)."""
    individual = _sole_proprietors(firms, latent, history, sim_years, y0)
    brn = draw_brns(rng, firms.founded.size, individual)
    names = draw_names(rng, firms.sido, firms.div, firms.ksic, individual)
    return brn, names


def _panel_frame(rows, firms, history, brn, names):
    """The observed panel, columns :data:`PANEL_COLUMNS`, before missing cells and dtypes."""
    fi, tt, yr = rows

    def col(key):
        return history.values[key][fi, tt]

    fid = np.char.mod("F%06d", np.arange(1, firms.founded.size + 1)).astype(object)
    return pd.DataFrame(
        {
            "firm_id": fid[fi],
            "brn": brn[fi],
            "firm_name": names[fi],
            "year": yr,
            "ksic": firms.ksic[fi],
            "region": firms.region[fi],
            "founded": firms.founded[fi].astype(np.int64),
            "firm_age": (yr - firms.founded[fi]).astype(np.int64),
            "ceo_industry_years": col("ceo"),
            "employees": col("emp").astype(np.int64),
            "rnd_staff": col("rnd_staff").astype(np.int64),
            "rnd_org": col("rnd_org").astype(np.int64),
            "certifications": col("cert").astype(np.int64),
            "patents": col("patents").astype(np.int64),
            "ip_filings": col("ip_filings").astype(np.int64),
            "rnd_projects": col("rnd_projects").astype(np.int64),
            "commercialized": col("commercialized").astype(np.int64),
            "revenue": col("revenue"),
            "operating_profit": col("op"),
            "net_income": col("ni"),
            "total_assets": col("assets"),
            "total_equity": col("equity"),
            "rnd_expense": col("rnd_exp"),
            "salaries": col("salaries"),
            "export_revenue": col("export"),
        }
    )


def _apply_missingness(rng, panel, firm, n):
    """Set cells of the :data:`MISSING_RATES` columns missing, completely at random: for each
    column a cell is missing with the column's rate, half the time by a firm-persistent draw
    and half the time by a yearly one (three uniforms per column). Edits ``panel`` in place."""
    for c, rate in MISSING_RATES.items():
        persistent = rng.random(n)[firm] < rate
        yearly = rng.random(firm.size) < rate
        miss = np.where(rng.random(firm.size) < 0.5, persistent, yearly)
        vals = panel[c].to_numpy(dtype=float, copy=True)
        vals[miss] = np.nan
        panel[c] = vals
    return panel


def _set_dtypes(panel):
    """The panel's stable dtypes: pandas ``str``, int64, float64, and nullable Int64 for
    ``rnd_staff``; columns in :data:`PANEL_COLUMNS` order."""
    panel = panel.astype({c: STR_DTYPE for c in _STR_COLUMNS})
    panel = panel.astype({c: np.int64 for c in _INT_COLUMNS})
    panel = panel.astype({c: np.float64 for c in _MONEY_COLUMNS})
    panel["ceo_industry_years"] = panel["ceo_industry_years"].astype(np.float64)
    # the only integer field with missing values: pandas nullable Int64
    panel["rnd_staff"] = pd.array(panel["rnd_staff"].to_numpy(dtype=float), dtype="Int64")
    return panel[list(PANEL_COLUMNS)]


def _future_outcomes(history, rows):
    """The truth's outcomes over the 3 years after each row (from the simulated years past
    the panel): survival, log revenue and employment growth, and the two high-growth flags
    (> 20 % a year over 3 years; the OECD flag on employment, for firms of 10 or more)."""
    fi, tt = rows.firm, rows.t
    t3 = tt + 3
    surv3 = history.present[fi, t3]
    rev_t, rev_3 = history.values["revenue"][fi, tt], history.values["revenue"][fi, t3]
    emp_t, emp_3 = history.values["emp"][fi, tt], history.values["emp"][fi, t3]
    with np.errstate(divide="ignore", invalid="ignore"):
        rg3 = np.where(surv3, np.log(rev_3 / rev_t), np.nan)
        eg3 = np.where(surv3 & (emp_t > 0) & (emp_3 > 0), np.log(emp_3 / emp_t), np.nan)
    hg = surv3 & (rg3 > 3 * np.log(1.2))
    hg_oecd = surv3 & (emp_t >= 10) & (np.nan_to_num(eg3, nan=-np.inf) > 3 * np.log(1.2))
    return {
        "survives_3y": surv3,
        "revenue_growth_3y": rg3,
        "employment_growth_3y": eg3,
        "high_growth_3y": hg,
        "high_growth_3y_oecd": hg_oecd,
    }


def _truth_frame(firm_id, rows, firms, latent, history):
    """The known truth, columns :data:`TRUTH_COLUMNS`, one row per panel row (same order)."""
    fi, tt = rows.firm, rows.t
    return pd.DataFrame(
        {
            "firm_id": firm_id,
            "year": rows.year,
            **{d: history.values[d][fi, tt] for d in DOMAINS},
            "capability": history.values["capability"][fi, tt],
            "capability_level": latent.cap_level[fi],
            "rnd_propensity": firms.ind["rnd"][fi],
            "alive_next_year": history.alive_next[fi, tt],
            **_future_outcomes(history, rows),
        }
    )


# ----------------------------------------------------------------------------------------
# Public API
# ----------------------------------------------------------------------------------------
def generate(
    n_firms: int = 5000,
    years: tuple[int, int] = (2014, 2024),
    seed: int = 0,
    *,
    params: GenerativeParams | None = None,
    region_weights: Mapping[str, float] | None = None,
) -> SyntheticPanel:
    """Generate a synthetic firm-year panel and its known truth.

    Parameters
    ----------
    n_firms : int
        Number of distinct firms (incumbents at ``years[0]`` plus entrants founded during
        the panel); the panel has roughly 7-8 rows per firm over 11 years.
    years : (int, int)
        First and last fiscal year, inclusive.
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed gives identical output.
    params : GenerativeParams, optional
        Model parameters (defaults documented in ``docs/synth.md``).
    region_weights : mapping 시도 -> weight, optional
        Replaces the default 시도 mix (e.g. a Jeju-heavy panel).

    Returns
    -------
    SyntheticPanel
        ``.panel`` (columns :data:`PANEL_COLUMNS`, sorted by firm_id, year) and ``.truth``
        (columns :data:`TRUTH_COLUMNS`, one row per panel row in the same order).
    """
    params = params or GenerativeParams()
    panel, truth = _simulate(n_firms, years, seed, params, region_weights)
    return SyntheticPanel(
        panel=panel,
        truth=truth,
        n_firms=int(n_firms),
        years=(int(years[0]), int(years[1])),
        seed=int(seed),
        params=params,
    )


def generate_panel(
    n_firms: int = 5000, years: tuple[int, int] = (2014, 2024), seed: int = 0
) -> pd.DataFrame:
    """The observed panel only: ``generate(n_firms, years, seed).panel``."""
    return generate(n_firms, years, seed).panel


def generate_truth(
    n_firms: int = 5000, years: tuple[int, int] = (2014, 2024), seed: int = 0
) -> pd.DataFrame:
    """The known truth only: ``generate(n_firms, years, seed).truth``."""
    return generate(n_firms, years, seed).truth


# Fixed Parquet options, so that the bytes depend only on the frame (and the pyarrow version)
_PARQUET_OPTIONS = {
    "compression": "zstd",
    "compression_level": 3,
    "use_dictionary": True,
    "write_statistics": True,
    "version": "2.6",
    "data_page_version": "1.0",
    "row_group_size": 1 << 20,
}


def _write_parquet(df: pd.DataFrame, path: Path) -> None:
    """Write ``df`` to ``path`` as Parquet with :data:`_PARQUET_OPTIONS`, atomically."""
    table = pa.Table.from_pandas(df, preserve_index=False)
    atomic_write(path, lambda temp: pq.write_table(table, temp, **_PARQUET_OPTIONS))


def write(
    out_dir: str | os.PathLike,
    n_firms: int = 5000,
    years: tuple[int, int] = (2014, 2024),
    seed: int = 0,
) -> dict[str, Path]:
    """Write ``panel.parquet`` and ``truth.parquet`` into ``out_dir`` (created if needed).

    Each file is written through :func:`ktop_index._files.atomic_write` (a temporary file in
    the same directory, moved into place with ``os.replace``; ordinary permissions); the
    bytes depend only on the arguments (and the pyarrow version, which Parquet records in its
    ``created_by`` field).

    Example
    -------
    >>> import tempfile
    >>> paths = write(tempfile.mkdtemp(), n_firms=50, years=(2023, 2024), seed=1)
    >>> sorted(paths)
    ['panel', 'truth']
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sp = generate(n_firms, years, seed)
    paths = {"panel": out / "panel.parquet", "truth": out / "truth.parquet"}
    _write_parquet(sp.panel, paths["panel"])
    _write_parquet(sp.truth, paths["truth"])
    return paths
