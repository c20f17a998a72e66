"""The model card: a readable Markdown account of a fitted growth model (``models/NAME.md``).

Everything on the card comes from the model file itself (``TechIndex.to_dict`` output with
its ``growth`` section, see :mod:`ktop_index.growth.model`): what data the model was fitted on
(and, in bold, whether it is synthetic), the method and its sources, the learned weights and
their bootstrap spread, the out-of-time metrics with confidence intervals, the observed
outcome rates by grade, the baselines (saying plainly where the model does not beat them)
and the limitations. Same model file, same card, byte for byte (no dates are added).

Example
-------
>>> from ktop_index.growth.card import write_card                      # doctest: +SKIP
>>> write_card("models/default.json")  # writes models/default.md  # doctest: +SKIP
"""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

from ktop_index import _files
from ktop_index.errors import SpecError

PERSPECTIVE_TITLES = {"high_growth": "High growth", "sustainable_growth": "Sustainable growth"}


def model_card(model: dict, name: str = "model.json") -> str:
    """The card of a model (the dict of a model file) as Markdown text.

    Parameters
    ----------
    model : dict, a model file's content (with its ``growth`` section).
    name : str, the model file's name, as the card calls it.

    Raises
    ------
    SpecError
        When the model has no growth section (a plain fitted or rebased index).
    """
    growth = model.get("growth")
    if not growth:
        raise SpecError(f"{name}: the model has no growth section (a card needs a model "
                        "fitted with `ktop fit`)")
    parts = [_header(model, growth, name), _data(model, growth), _method(growth),
             _weights(model, growth), _validation(growth), _grades(model, growth),
             _baselines(growth), _stability(growth), _limits(growth)]
    return "\n\n".join(p.strip("\n") for p in parts) + "\n"


def write_card(model_path: str | os.PathLike, out: str | os.PathLike | None = None) -> Path:
    """Write the card of a model file next to it (``NAME.md``), atomically; returns the path."""
    model_path = Path(model_path)
    with open(model_path, encoding="utf-8") as handle:
        model = json.load(handle)
    out = Path(out) if out else model_path.with_suffix(".md")
    _files.write_text(out, model_card(model, model_path.name))
    return out


# ---------------------------------------------------------------------- sections

def _header(model: dict, growth: dict, name: str) -> str:
    training = growth["training"]
    lines = [f"# Model card: `{name}` — a growth-fitted Tech-Index", ""]
    if training.get("synthetic"):
        lines += [("> **Fitted on synthetic data.** The firms are generated (`ktop_index.synth`, "
                  "docs/synth.md), not real Korean SMEs. The weights, grade cut-offs and "
                  "metrics below describe the generator's world. Refit on real firm data "
                  "(`ktop fit`) before using grades in a decision."), ""]
    spec = model["spec"]
    lines.append(f"**What it is.** The method `{spec['name']}` {spec['spec_version']} "
                 f"({len(spec['indicators'])} indicators in {len(spec['domains'])} domains) "
                 f"with its **{_LEARNED[_level(growth)]} learned** from what firms did in the "
                 "following "
                 f"{growth['method']['outcomes']['horizon']} years, from a high-growth and a "
                 "sustainable-growth perspective, and its normalisation fitted on the "
                 f"{model['reference']['year']} reference population (mean 100, sd "
                 f"{spec['scale']['sd']}){_peer_clause(model)}. Scored like any model: "
                 f"`ktop score FILE --model {name}`.")
    return "\n".join(lines)


def _peer_clause(model: dict) -> str:
    """How indicators are measured against the firm's industry, when the spec says so."""
    if not model["fitted"].get("value_offsets"):
        return ""
    return ("; every indicator is measured against the firm's industry: the reference median "
            "of its KSIC division (or section, where the division has too few reference "
            "firms) is taken off before the goalposts")


def _data(model: dict, growth: dict) -> str:
    t = growth["training"]
    ref = model["reference"]
    lines = ["## Data", "",
             (f"- Panel: {t['rows']:,} firm-years, {t['labelled_rows']:,} of them rated and "
             f"with a known future (years {_span(t['years'])})."),
             (f"- Reference population (base year) {ref['year']}: {ref['rows']:,} firm-years, "
             f"{ref['rated_rows']:,} rated."),
             (f"- Data sha256: `{t['data_sha256']}`; package {t['package_version']}; "
             f"seed {t['seed']}."),
             (f"- Model sha256: `{_files.model_sha256(model)}` (the model file in canonical "
              "form: the hash a selection's audit and the tracking store record for it).")]
    if t.get("description"):
        lines.append(f"- Description: {t['description']}")
    if t.get("command"):
        lines += ["", "Rebuild it exactly with:", "", "```bash", t["command"], "```"]
    return "\n".join(lines)


def _method(growth: dict) -> str:
    m = growth["method"]
    o = m["outcomes"]
    measure = {"either": "employees or revenue", "employees": "employees",
               "revenue": "revenue"}[o["measure"]]
    micro = (f"firms with 1-{o['min_employees'] - 1} employees count as high-growth when they "
             f"add more than {o['min_employees'] * ((1 + o['annual_growth']) ** o['horizon'] - 1):.2f} "
             f"employees, or grow revenue as fast from at least {o['micro_min_revenue']:,.0f} "
             "천원 (Eurostat high-growth micro-enterprise rule)" if o["micro"]
             else "micro firms are not labelled")
    controls = ("size, age and KSIC division entered each perspective model as free-sign "
                "controls (not part of the index)" if m.get("controls")
                else "no control covariates: the domains' weights are what they foretell on "
                     "their own")
    return "\n".join([
        "## Method", "",
        (f"- **High growth**: annualised growth above {o['annual_growth']:.0%} a year over "
        f"{o['horizon']} years in {measure}, for firms with at least {o['min_employees']} "
        f"employees at the start (Eurostat-OECD Manual on Business Demography Statistics "
        f"2007, ch. 8; 통계청 기업생멸행정통계); {micro}."),
        (f"- **Sustainable growth**: still operating after {o['horizon']} years, revenue not "
        "falling in most of those years, and no capital impairment (자본잠식, equity at or "
        f"below {o['sustain_min_equity']:,.0f} 천원)."),
        ("- Firm-years whose future is not yet observed are left out (never negative); an exit "
        "counts as neither; see docs/growth_model.md for gaps and missing values."),
        (f"- One logistic regression per perspective on the {_FEATURES[_level(growth)]}, "
        f"coefficients constrained to be >= 0 (more capability never lowers the index), L2 "
        f"penalty {m['l2']} on standardised coefficients (scipy L-BFGS-B); {controls}."),
        _combination_line(growth),
        (f"- Validation out of time: fitted on {_span(growth['training']['train_years'])}, "
        f"tested on {_span(growth['training']['test_years'])} (a model used in the first test "
        "year knows only outcomes that had ended by then); confidence intervals from "
        f"{m['n_bootstrap']} firm-level bootstrap samples. The shipped weights are then "
        "refitted on every labelled year."),
    ])


_LEARNED = {"domains": "domain weights", "indicators": "domain and indicator weights"}
_FEATURES = {"domains": "four domain scores",
             "indicators": "indicator scores (a missing score counts as the firm's mean of "
                           "its present indicators in that domain, as the index computes it)"}


def _level(growth: dict) -> str:
    return growth["method"].get("level", "domains")


def _combination_line(growth: dict) -> str:
    m = growth["method"]
    k, floor = len(growth["combination"]["weights"]), m.get("min_weight", 0)
    mix = (f"{m['combination']} x normalised high-growth coefficients + "
           f"{1 - m['combination']:.2f} x normalised sustainable-growth coefficients")
    lift = (f"{floor} + (1 - {k} x {floor}) x w so that every domain keeps a small say (a "
            "weight restriction; order unchanged)")
    if _level(growth) == "domains":
        return f"- Domain weights: w = {mix}, then {lift}."
    ifloor = m.get("min_indicator_weight", 0)
    within = ("v_i = b_i / w_d" if not ifloor else
              f"v_i = b_i / w_d, lifted to {ifloor} + (1 - n_d x {ifloor}) x v_i")
    return (f"- Weights: b = {mix} (per indicator); each domain's weight w_d is the sum of "
            f"its indicators' b_i, then {lift}; each indicator's weight within its domain "
            f"is {within}, so that, with every indicator present and no lift, the composite "
            "is exactly sum_i b_i x score_i.")


def _domain_shares(growth: dict, spec: dict, perspective: str) -> dict:
    """A perspective's normalised coefficients summed by domain."""
    shares = _normalised(growth["perspectives"][perspective]["coefficients"])
    if _level(growth) == "domains":
        return shares
    out = {d["name"]: 0.0 for d in spec["domains"]}
    for indicator in spec["indicators"]:
        out[indicator["domain"]] += shares[indicator["name"]]
    return out


def _indicator_weights(model: dict, growth: dict) -> list[str]:
    if _level(growth) != "indicators":
        return []
    spec = model["spec"]
    domains = {d["name"]: d["weight"] for d in spec["domains"]}
    shares = {p: _normalised(growth["perspectives"][p]["coefficients"])
              for p in PERSPECTIVE_TITLES}
    lines = ["", ("Indicator weights within their domain (share of the index = domain weight x "
             "weight within the domain; perspective columns: the normalised coefficients):"),
             "", ("| indicator | domain | weight within domain | share of the index | "
                  "high growth | sustainable growth |"), "|---|---|---:|---:|---:|---:|"]
    for s in spec["indicators"]:
        lines.append(f"| {s['name']} | {s['domain']} | {s['weight']:.3f} | "
                     f"{domains[s['domain']] * s['weight']:.3f} | "
                     f"{shares['high_growth'][s['name']]:.3f} | "
                     f"{shares['sustainable_growth'][s['name']]:.3f} |")
    dropped = [s["name"] for s in spec["indicators"] if s["weight"] == 0]
    if dropped:
        lines += ["", (f"**Weight 0 (no growth signal given the other indicators):** "
                  f"{', '.join(dropped)}. They do not move the index, and the reasons "
                  "(strengths, weaknesses against industry peers) do not name them.")]
    return lines


def _weights(model: dict, growth: dict) -> str:
    spec_weights = {d["name"]: d["weight"] for d in model["spec"]["domains"]}
    boot = growth.get("bootstrap_weights", {})
    lines = ["## Learned domain weights", "",
             "| domain | weight | high growth | sustainable growth | bootstrap 5-95 % | equal |",
             "|---|---:|---:|---:|---|---:|"]
    shares = {p: _domain_shares(growth, model["spec"], p) for p in PERSPECTIVE_TITLES}
    for domain, weight in spec_weights.items():
        spread = (f"{boot['p05'][domain]:.3f}-{boot['p95'][domain]:.3f}"
                  if boot.get("n") else "not computed")
        lines.append(f"| {domain} | {weight:.3f} | {shares['high_growth'][domain]:.3f} | "
                     f"{shares['sustainable_growth'][domain]:.3f} | {spread} | "
                     f"{1 / len(spec_weights):.3f} |")
    floor = growth["combination"].get("min_weight", 0.0)
    zero = [d for d in spec_weights
            if max(shares["high_growth"][d], shares["sustainable_growth"][d]) == 0]
    if zero:
        lines += ["", f"**{', '.join(zero)}: no growth signal.** Given the other domains, a "
                  "higher score here did not foretell more growth in this data (both "
                  "perspectives' coefficients are 0; a negative weight is not allowed, as it "
                  "would let more capability lower the index). "
                  + (f"It keeps only the minimum weight {floor}." if floor else
                     "Its indicators play no part in the index.")]
    return "\n".join(lines + _indicator_weights(model, growth))


def _validation(growth: dict) -> str:
    v = growth["validation"]
    lines = ["## How well it predicts (out of time)", "",
             ("| perspective | test rows | observed rate | Tech-Index AUC [95 % CI] | "
             "perspective model AUC [95 % CI] | Brier [95 % CI] | Brier of the base rate |"),
             "|---|---:|---:|---|---|---|---:|"]
    for p, title in PERSPECTIVE_TITLES.items():
        r = v[p]
        lines.append(f"| {title} | {r['rows']:,} | {r['positive_rate']:.3f} | "
                     f"{r['index_auc']:.3f} {_interval(r['index_auc_ci'])} | "
                     f"{r['auc']:.3f} {_interval(r['auc_ci'])} | {r['brier']:.4f} "
                     f"{_interval(r['brier_ci'], 4)} | {r['brier_base_rate']:.4f} |")
    lines += ["", ("ROC AUC: the chance that a firm-year with the outcome ranks above one "
              "without it (0.5 a coin toss, 1 perfect). The Tech-Index AUC is the ranking "
              "users get (both perspectives combined); the perspective model's is its own "
              "probability's. Brier: mean squared error of the perspective model's "
              "probabilities; below the base rate's means they beat always predicting the "
              "average."), ""]
    for p, title in PERSPECTIVE_TITLES.items():
        lines += [(f"**Reliability, {title.lower()}** (test rows in {len(v[p]['reliability'])} "
                  "equal groups by predicted probability):"), "",
                  "| group | n | mean predicted | observed |", "|---:|---:|---:|---:|"]
        lines += [f"| {b['bin']} | {b['n']:,} | {b['predicted']:.3f} | {b['observed']:.3f} |"
                  for b in v[p]["reliability"]]
        lines.append("")
    return "\n".join(lines)


def _grades(model: dict, growth: dict) -> str:
    rates = growth["validation"]["grade_rates"]
    cutoffs = {g: c for g, c in model["fitted"]["grade_cutoffs"]}
    lines = ["## Observed outcomes by grade (test years)", "",
             ("Grades of the model fitted on the training years, applied to the test years; "
             "like a credit rating's default rate, the high-growth rate should rise grade by "
             "grade. Cut-offs shown are the shipped model's (minimum Tech-Index)."), "",
             ("| grade | shipped cut-off | test firm-years | high-growth rate | "
             "sustainable-growth rate |"), "|---|---:|---:|---:|---:|"]
    for row in rates:
        cut = cutoffs.get(row["grade"])
        cut_text = "-" if cut is None else f"{cut:.1f}"
        lines.append(f"| {row['grade']} | {cut_text} | {row['n']:,} | "
                     f"{_rate(row['high_growth_rate'])} | {_rate(row['sustainable_rate'])} |")
    lines += ["", _monotone_sentence(rates)]
    return "\n".join(lines)


def _monotone_sentence(rates: list[dict]) -> str:
    graded = [r for r in rates if r["n"] and r["high_growth_rate"] is not None
              and r["grade"] != "NR"]
    breaks = [f"{a['grade']} ({a['high_growth_rate']:.3f}) vs {b['grade']} "
              f"({b['high_growth_rate']:.3f})" for a, b in itertools.pairwise(graded)
              if a["high_growth_rate"] < b["high_growth_rate"]]
    if not breaks:
        return "The high-growth rate rises with every grade step."
    return ("**The high-growth rate does not rise at every step**: a better grade has a lower "
            "rate at " + "; ".join(breaks) + ".")


def _baselines(growth: dict) -> str:
    v = growth["validation"]
    lines = ["## Against baselines (same test rows)", "",
             ("The Tech-Index's AUC (weights fitted on the training years) minus a baseline's, "
             "with a paired firm-bootstrap 95 % interval. `equal_weights`: the four domains "
             "at 0.25; `best_indicator`: the single indicator that ranked the training years "
             "best; `domain_level_fit` (indicator-level models only): the same procedure fitted "
             "on the four domain scores instead of the indicators; `latent_capability` (synthetic data only): the generator's true "
             "capability, the best any index of these fields could hope for."), ""]
    plain = []
    for p, title in PERSPECTIVE_TITLES.items():
        lines += [f"**{title}** (Tech-Index AUC {v[p]['index_auc']:.3f})", "",
                  "| baseline | AUC [95 % CI] | index minus baseline [95 % CI] | verdict |",
                  "|---|---|---|---|"]
        for name, b in v[p]["baselines"].items():
            lines.append(f"| {name} | {b['auc']:.3f} {_interval(b['auc_ci'])} | "
                         f"{b['index_minus_baseline']:+.3f} {_interval(b['difference_ci'])} | "
                         f"{b['verdict']} |")
            if b["verdict"] != "index better":
                plain.append(f"{title.lower()}: the Tech-Index does **not** beat `{name}` "
                             f"({b['verdict']}; AUC {v[p]['index_auc']:.3f} vs "
                             f"{b['auc']:.3f}).")
        lines.append("")
    if plain:
        lines += ["Where the Tech-Index does not beat a baseline:", ""] + [f"- {s}"
                                                                          for s in plain]
    else:
        lines.append("The Tech-Index beats every baseline on both perspectives.")
    return "\n".join(lines)


def _stability(growth: dict) -> str:
    boot = growth.get("bootstrap_weights", {})
    lines = ["## Stability", ""]
    if boot.get("n"):
        lines.append(f"Refitted on {boot['n']} firm-level bootstrap samples, the weights vary "
                     "with the standard deviations "
                     + ", ".join(f"{d} {s:.3f}" for d, s in boot["sd"].items())
                     + f"; the domains keep the same order in {boot['same_ranking_share']:.0%} "
                     "of the refits.")
    lines.append("Check a new applicant batch against the reference population with "
                 "`ktop psi MODEL BATCH` (population stability index of the Tech-Index: below "
                 "0.10 stable, 0.10-0.25 watch, above 0.25 the population has shifted and the "
                 "model should be rebased or refitted).")
    return "\n".join(lines)


def _limits(growth: dict) -> str:
    lines = ["## Limits", "",
             ("- The weights say what foretold growth in the training data, not what causes it; "
             "a domain measured by few or noisy indicators gets less weight than its true "
             "role may deserve (see docs/growth_model.md for the synthetic check)."),
             ("- Out-of-time validation covers the test years only; a recession, a new support "
             "scheme or a different applicant mix can change the relationships."),
             ("- Probabilities come from the perspective models; the Tech-Index itself is a "
             "ranking on the base-100 scale, not a probability."),
             ("- Survivorship and reporting: a firm that stops reporting while still operating "
             "counts as an exit when it never reappears in the panel.")]
    if growth["training"].get("synthetic"):
        lines.append("- **Synthetic data**: the generator's world, not Korean SMEs. A Technopark "
                     "must refit on real firm data of its own before using these grades.")
    return "\n".join(lines)


# ---------------------------------------------------------------------- formatting

def _span(years: list[int]) -> str:
    if not years:
        return "none"
    return f"{years[0]}-{years[-1]}" if len(years) > 1 else str(years[0])


def _interval(ci, digits: int = 3) -> str:
    return "[not computed]" if not ci else f"[{ci[0]:.{digits}f}, {ci[1]:.{digits}f}]"


def _rate(value) -> str:
    return "-" if value is None else f"{value:.3f}"


def _normalised(coefficients: dict) -> dict:
    total = sum(max(v, 0.0) for v in coefficients.values())
    return {d: (max(v, 0.0) / total if total else 1 / len(coefficients))
            for d, v in coefficients.items()}
