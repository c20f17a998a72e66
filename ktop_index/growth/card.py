"""The model card: a readable Markdown account of a fitted growth model (``models/NAME.md``).

Everything on the card comes from the model file itself (``TechIndex.to_dict`` output with
its ``growth`` section, see :mod:`ktop_index.growth.model`): what data the model was fitted on
(and, in bold, whether it is synthetic), the method and its sources, what the labels were
built from and which indicators had no data, the learned weights and their bootstrap spread,
the held-out metrics with confidence intervals under the validation scheme the panel allowed
(named for what it is: out of time, next cohort or firm-grouped cross-validation), the grades
as a master scale (observed rate with a Jeffreys interval, expected rate, traffic light, a
trend test), the baselines (saying plainly where the model does not beat them) and the
limitations. Same model file, same card, byte for byte (no dates are added).

Given ``evidence`` (the figures of a real-data validation report, docs/validation.json,
measured on this very model), the card leads with them, right after its header: "On real
firms", per panel the held-out high-growth AUC of this model next to the panel's refit, equal
weights, the best single indicator and size, and whether a real-fitted component was
shipped and why; the rest of the card is then the synthetic-truth check. The bundled
``models/default.md`` is that card (``validation/build_report.py`` writes it).

Example
-------
>>> from ktop_index.growth.card import write_card                      # doctest: +SKIP
>>> write_card("models/default.json")  # writes models/default.md  # doctest: +SKIP
>>> evidence = json.load(open("docs/validation.json", encoding="utf-8"))  # doctest: +SKIP
>>> write_card("models/default.json", evidence=evidence)             # doctest: +SKIP
"""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

from ktop_index import _files
from ktop_index.errors import SpecError

PERSPECTIVE_TITLES = {"high_growth": "High growth", "sustainable_growth": "Sustainable growth"}

#: The section title of each validation scheme.
SCHEME_TITLES = {"out_of_time": "out of time", "next_cohort": "next cohort",
                 "grouped_cv": "firm-grouped cross-validation"}


def _fitted(growth: dict) -> list[str]:
    """The perspectives the model was fitted on (a panel may allow only one)."""
    return [p for p in PERSPECTIVE_TITLES if p in growth["perspectives"]]


def scheme_of(growth: dict) -> dict:
    """The validation scheme of a model's growth section (a model written before schemes
    were recorded was validated out of time)."""
    scheme = growth["validation"].get("scheme")
    if scheme:
        return scheme
    t = growth["training"]
    return {"name": "out_of_time", "train_years": t["train_years"],
            "test_years": t["test_years"], "folds": None}


def scheme_sentence(growth: dict) -> str:
    """One line naming the validation scheme and its years or folds."""
    scheme = scheme_of(growth)
    name = scheme["name"]
    if name == "grouped_cv":
        return (f"firm-grouped cross-validation: {len(scheme['folds'])} folds of firms, "
                f"base year {_span(scheme['test_years'])} (one labelled year: nothing is "
                "tested on a later year)")
    return (f"{SCHEME_TITLES[name]}: trained on {_span(scheme['train_years'])}, tested on "
            f"{_span(scheme['test_years'])}"
            + ("" if name == "out_of_time" else " (not out of time: the training outcomes "
               "overlap the test years)"))


def model_card(model: dict, name: str = "model.json", evidence: dict | None = None) -> str:
    """The card of a model (the dict of a model file) as Markdown text.

    Parameters
    ----------
    model : dict, a model file's content (with its ``growth`` section).
    name : str, the model file's name, as the card calls it.
    evidence : dict, optional; the figures of the real-data validation report
        (docs/validation.json, ``validation/build_report.py``), measured on this model: the
        card then leads with them ("On real firms", after the header).

    Raises
    ------
    SpecError
        When the model has no growth section (a plain fitted or rebased index), or when the
        evidence was measured on another model (its ``default_model_sha256``).
    """
    growth = model.get("growth")
    if not growth:
        raise SpecError(f"{name}: the model has no growth section (a card needs a model "
                        "fitted with `ktop fit`)")
    parts = [_header(model, growth, name),
             _real_firms(model, name, evidence) if evidence is not None else "",
             _data(model, growth), _method(growth),
             _weights(model, growth), _validation(growth), _grades(model, growth),
             _baselines(growth), _stability(growth), _limits(growth)]
    parts = [p for p in parts if p]
    return "\n\n".join(p.strip("\n") for p in parts) + "\n"


def write_card(model_path: str | os.PathLike, out: str | os.PathLike | None = None,
               evidence: dict | None = None) -> Path:
    """Write the card of a model file next to it (``NAME.md``, or ``out``), atomically;
    returns the path. ``evidence``: as :func:`model_card`."""
    model_path = Path(model_path)
    with open(model_path, encoding="utf-8") as handle:
        model = json.load(handle)
    out = Path(out) if out else model_path.with_suffix(".md")
    _files.write_text(out, model_card(model, model_path.name, evidence))
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
                 f"{growth['method']['outcomes']['horizon']} years, "
                 + ("from a high-growth and a sustainable-growth perspective"
                    if len(_fitted(growth)) == 2 else
                    f"from the {PERSPECTIVE_TITLES[_fitted(growth)[0]].lower()} perspective "
                    "only (the panel allows no other)")
                 + ", and its normalisation fitted on the "
                 f"{model['reference']['year']} reference population (mean 100, sd "
                 f"{spec['scale']['sd']}){_peer_clause(model)}. Scored like any model: "
                 f"`ktop score FILE --model {name}`.")
    return "\n".join(lines)


#: What each ranking of the real-data report is, as the card's table names it.
_REAL_RANKINGS = {"default": "this model", "refit": "refit on the panel",
                  "equal_weights": "equal weights", "best_indicator": "best single indicator",
                  "smaller": "size alone (smaller)"}


def _real_firms(model: dict, name: str, evidence: dict) -> str:
    """"On real firms": what this model achieves on the real panels of ``evidence``."""
    measured = evidence.get("default_model_sha256")
    if measured != _files.model_sha256(model):
        raise SpecError(f"{name}: the real-data figures were measured on model "
                        f"{str(measured)[:12]}…, not on this one (rebuild them with "
                        "`python validation/build_report.py`)")
    panels = evidence.get("panels", {})
    lines = ["## On real firms", "",
             ("Held-out results on real firm panels (docs/validation.md, rebuilt by `python "
              "validation/build_report.py --data ../shared/real-data -o docs/validation.md`; "
              f"firm-bootstrap 95 % intervals, {evidence.get('n_bootstrap')} draws). Real "
              "panels hold only some of the contract's fields, so this model is judged on "
              "the composite of the domains a panel has data for; each panel is validated as "
              "it allows, named for what it is. No panel holds Technopark applicants: listed "
              "firms and Spanish manufacturers are larger and older."), ""]
    for key, panel in panels.items():
        fields = [f for f, c in panel.get("field_coverage", {}).items() if c]
        lines.append(f"- **{key}**: {panel['title']}; {panel['rows']:,} firm-years of "
                     f"{panel['firms']:,} firms, {panel['years'][0]}-{panel['years'][1]}. "
                     f"Fields with data: {', '.join(fields) or 'none'} (indicators: "
                     f"{', '.join(panel.get('indicators_with_data', [])) or 'none'}). "
                     f"Validation: {_real_scheme(panel['scheme'])}.")
    if evidence.get("skipped"):
        lines.append(f"- Not measured (absent when the report was built): "
                     f"{', '.join(evidence['skipped'])}.")
    for perspective, title in PERSPECTIVE_TITLES.items():
        rows = [(k, p["perspectives"][perspective]) for k, p in panels.items()
                if perspective in p.get("perspectives", {})]
        if not rows:
            continue
        lines += ["", (f"**{title}**, held-out AUC [95 % CI] "
                       "(0.5 a coin toss):"), "",
                  "| panel | held-out rows (positive) | "
                  + " | ".join(_REAL_RANKINGS.values()) + " |",
                  "|---|---:|" + "---|" * len(_REAL_RANKINGS)]
        for key, block in rows:
            cells = []
            for ranking in _REAL_RANKINGS:
                entry = block.get("auc", {}).get(ranking)
                cell = _real_auc(entry)
                if ranking == "default":
                    cell = f"**{cell}**"
                if ranking == "best_indicator" and entry:
                    chosen = sorted({c["indicator"] for c in block.get("best_indicator", [])})
                    cell += f" ({', '.join(chosen)})"
                if ranking == "smaller" and entry and block.get("size_measure"):
                    cell += f" ({block['size_measure']})"
                cells.append(cell)
            lines.append(f"| {key} | {block['rows']:,} ({block['positives']:,}) | "
                         + " | ".join(cells) + " |")
    verdicts = []
    for key, panel in panels.items():
        block = panel.get("perspectives", {}).get("high_growth")
        gain = (block or {}).get("refit_gain", {}).get("default")
        if gain:
            verdicts.append(f"{key} {_real_verdict(gain['verdict'])} "
                            f"({gain['gain']:+.3f} [{gain['ci'][0]:+.3f}, {gain['ci'][1]:+.3f}])")
    if verdicts:
        lines += ["", ("High growth, the panel's refit minus this model (paired interval): "
                       + "; ".join(verdicts) + ".")]
    component = evidence.get("component")
    if component:
        lines += ["", _component_paragraph(component)]
    lines += ["", ("**The rest of this card is the synthetic-truth check**: the model on the "
                   "generator's firms, where the true capability is known.")]
    return "\n".join(lines)


def _real_scheme(scheme: dict) -> str:
    name = SCHEME_TITLES.get(scheme.get("name"), scheme.get("name", "?"))
    if scheme.get("name") == "grouped_cv":
        return (f"{name} ({len(scheme.get('folds') or [])} folds of firms, base year "
                f"{_span(scheme.get('test_years', []))}; says nothing about later years)")
    return (f"{name} (trained on base years {_span(scheme.get('train_years', []))}, tested on "
            f"{_span(scheme.get('test_years', []))}"
            + ("" if scheme.get("name") == "out_of_time" else "; not out of time") + ")")


def _real_auc(entry: dict | None) -> str:
    if not entry or entry.get("auc") is None:
        return "-"
    return f"{entry['auc']:.3f} {_interval(entry.get('ci'))}"


def _real_verdict(verdict: str) -> str:
    return {"refit better": "the refit is better", "baseline better": "this model is better",
            }.get(verdict, "no clear difference")


def _component_paragraph(component: dict) -> str:
    """The decision on a real-fitted component, in one plain paragraph."""
    hybrid = component.get("hybrid")
    what = ""
    if hybrid:
        comp = hybrid["fnguide"]["comparison"]["high_growth"]
        cv = hybrid["fnguide"]["cv_2017"]["perspectives"]["high_growth"]
        what = ("A variant with FnGuide-fitted weights inside its domains for the financial "
                "indicators (R&D intensity and spending, revenue growth, operating margin; "
                "everything else as this model) ranks the listed firms' high growth better "
                f"(next cohort {comp['auc']['hybrid']['auc']:.3f} against this model's "
                f"{comp['auc']['default']['auc']:.3f}; cross-validation inside 2017 "
                f"{cv['auc']['hybrid']['auc']:.3f} against {cv['auc']['default']['auc']:.3f}). ")
    if component.get("shipped"):
        decision = "**A real-fitted component is shipped** in this model"
    else:
        decision = ("**A real-fitted component is not shipped** in this model" if hybrid else
                    "**No real-fitted component is shipped** in this model")
    reasons = component.get("reasons") or []
    text = what + decision + (", because " + "; ".join(
        f"({k}) {r}" for k, r in enumerate(reasons, 1)) + "." if reasons else ".")
    dart = component.get("dart")
    if dart:
        g = dart["refit_minus_default"]
        text += (" DART: a refit on employee indicators "
                 + ("beats" if dart.get("refit_beats_default") else "does not beat")
                 + f" this model there (held-out high growth {dart['refit']['auc']:.3f} "
                 f"against {dart['default']['auc']:.3f}, refit minus this model "
                 f"{g['gain']:+.3f} [{g['ci'][0]:+.3f}, {g['ci'][1]:+.3f}], "
                 f"{dart['positives']} high growers).")
    found = component.get("findings") or []
    if found:
        text += " What the real evidence does support: " + "; ".join(found) + "."
    return text


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
    plan = growth.get("outcomes", {})
    size = (f"for firms with at least {o['min_employees']} employees at the start"
            if plan.get("high_growth", {}).get("size_condition", True)
            else "**without a size condition: the panel has no employees**")
    sustainable = plan.get("sustainable_growth", {"available": True, "impairment": True})
    if not sustainable["available"]:
        sg = "- **Sustainable growth: not labelled**: the panel has no revenue (the test needs it)."
    else:
        impairment = (", and no capital impairment (자본잠식, equity at or below "
                      f"{o['sustain_min_equity']:,.0f} 천원)" if sustainable["impairment"] else
                      "; **the capital impairment condition is dropped: the panel has no "
                      "total_equity**")
        sg = (f"- **Sustainable growth**: still operating after {o['horizon']} years, revenue "
              f"not falling in most of those years{impairment}.")
    not_fitted = [f"{PERSPECTIVE_TITLES[p].lower()} ({plan[p]['note'].split('; not fitted: ')[-1]})"
                  for p in PERSPECTIVE_TITLES if plan.get(p, {}).get("fitted") is False
                  and plan[p].get("available", True)]
    return "\n".join([
        "## Method", "",
        (f"- **High growth**: annualised growth above {o['annual_growth']:.0%} a year over "
        f"{o['horizon']} years in {measure}, {size} (Eurostat-OECD Manual on Business "
        f"Demography Statistics 2007, ch. 8; 통계청 기업생멸행정통계)"
        + (f"; {micro}." if o["min_employees"] else ".")),
        sg,
        *([f"- Not fitted, as the panel allows no model for it: {'; '.join(not_fitted)}."]
          if not_fitted else []),
        *(["- Only one perspective could be fitted: it alone sets the weights."]
          if len(_fitted(growth)) == 1 else []),
        ("- Firm-years whose future is not yet observed are left out (never negative); an exit "
        "counts as neither; see docs/growth_model.md for gaps and missing values."),
        (f"- One logistic regression per perspective on the {_FEATURES[_level(growth)]}, "
        f"coefficients constrained to be >= 0 (more capability never lowers the index), L2 "
        f"penalty {m['l2']} on standardised coefficients (scipy L-BFGS-B); {controls}."),
        _combination_line(growth),
        _validation_line(growth),
    ])


def _validation_line(growth: dict) -> str:
    """The method's sentence on the validation scheme, saying what it is and is not."""
    n_boot = growth["method"]["n_bootstrap"]
    what = {"out_of_time": "(a model used in the first test year knows only outcomes that "
                           "had ended by then)",
            "next_cohort": "(the panel has too few labelled years for an out-of-time test: "
                           "the training firm-years' outcomes overlap the test years and the "
                           "same firms appear in both, so this overstates how well it "
                           "foretells a later year)",
            "grouped_cv": "(the panel has one labelled base year: each fold of firms is "
                          "predicted by a fit on the others; it says how well the index "
                          "ranks other firms of the same year, nothing about later years)"}
    name = scheme_of(growth)["name"]
    return (f"- Validation, {scheme_sentence(growth)} {what[name]}; confidence intervals from "
            f"{n_boot} firm-level bootstrap samples. The shipped weights are then refitted on "
            "every labelled year.")


_LEARNED = {"domains": "domain weights", "indicators": "domain and indicator weights"}
_FEATURES = {"domains": "four domain scores",
             "indicators": "indicator scores (a missing score counts as the firm's mean of "
                           "its present indicators in that domain, as the index computes it)"}


def _level(growth: dict) -> str:
    return growth["method"].get("level", "domains")


def _combination_line(growth: dict) -> str:
    m = growth["method"]
    weights = growth["combination"]["weights"]
    absent = growth.get("absent_indicators") or {}
    k = len(weights) - sum(1 for d, w in weights.items() if w == 0 and absent)
    floor = m.get("min_weight", 0)
    c = growth["combination"]
    mix = (f"{c['high_growth']} x normalised high-growth coefficients + "
           f"{c['sustainable_growth']:.2f} x normalised sustainable-growth coefficients")
    if len(_fitted(growth)) == 1:
        mix = f"the normalised {PERSPECTIVE_TITLES[_fitted(growth)[0]].lower()} coefficients"
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
              for p in PERSPECTIVE_TITLES if p in growth["perspectives"]}
    lines = ["", ("Indicator weights within their domain (share of the index = domain weight x "
             "weight within the domain; perspective columns: the normalised coefficients):"),
             "", ("| indicator | domain | weight within domain | share of the index | "
                  "high growth | sustainable growth |"), "|---|---|---:|---:|---:|---:|"]
    absent = growth.get("absent_indicators", {})
    for s in spec["indicators"]:
        lines.append(f"| {s['name']} | {s['domain']} | {s['weight']:.3f} | "
                     f"{domains[s['domain']] * s['weight']:.3f} | "
                     f"{_share(shares, 'high_growth', s['name'])} | "
                     f"{_share(shares, 'sustainable_growth', s['name'])} |")
    dropped = [s["name"] for s in spec["indicators"]
               if s["weight"] * domains[s["domain"]] == 0 and s["name"] not in absent]
    if dropped:
        lines += ["", (f"**Weight 0 (no growth signal given the other indicators):** "
                  f"{', '.join(dropped)}. They do not move the index, and the reasons "
                  "(strengths, weaknesses against industry peers) do not name them.")]
    return lines


def _share(shares: dict, perspective: str, name: str) -> str:
    """A perspective's share as a table cell ('-' for a perspective not fitted)."""
    return f"{shares[perspective][name]:.3f}" if perspective in shares else "-"


def _absent_lines(growth: dict) -> list[str]:
    """'Not weighted: no data for ...', the absent indicators with the fields they lack."""
    absent = growth.get("absent_indicators") or {}
    if not absent:
        return []
    named = [f"{i} ({', '.join(f) if f else 'no value in the base year'})"
             for i, f in absent.items()]
    return ["", (f"**Not weighted: no data for** {'; '.join(named)}. The panel lacks these "
                 "fields (or they are empty), so these indicators get weight 0 and do not "
                 "count in a firm's coverage; a domain with none of its indicators left gets "
                 "weight 0.")]


def _weights(model: dict, growth: dict) -> str:
    spec_weights = {d["name"]: d["weight"] for d in model["spec"]["domains"]}
    boot = growth.get("bootstrap_weights", {})
    lines = ["## Learned domain weights", "",
             "| domain | weight | high growth | sustainable growth | bootstrap 5-95 % | equal |",
             "|---|---:|---:|---:|---|---:|"]
    shares = {p: _domain_shares(growth, model["spec"], p) for p in _fitted(growth)}
    absent_domains = [d for d, w in spec_weights.items() if w == 0 and all(
        s["name"] in growth.get("absent_indicators", {})
        for s in model["spec"]["indicators"] if s["domain"] == d)]
    for domain, weight in spec_weights.items():
        spread = (f"{boot['p05'][domain]:.3f}-{boot['p95'][domain]:.3f}"
                  if boot.get("n") else "not computed")
        lines.append(f"| {domain} | {weight:.3f} | {_share(shares, 'high_growth', domain)} | "
                     f"{_share(shares, 'sustainable_growth', domain)} | {spread} | "
                     + ("- |" if domain in absent_domains else
                        f"{1 / (len(spec_weights) - len(absent_domains)):.3f} |"))
    floor = growth["combination"].get("min_weight", 0.0)
    zero = [d for d in spec_weights if d not in absent_domains
            and max(shares[p][d] for p in shares) == 0]
    if zero:
        lines += ["", f"**{', '.join(zero)}: no growth signal.** Given the other domains, a "
                  "higher score here did not foretell more growth in this data (both "
                  "perspectives' coefficients are 0; a negative weight is not allowed, as it "
                  "would let more capability lower the index). "
                  + (f"It keeps only the minimum weight {floor}." if floor else
                     "Its indicators play no part in the index.")]
    if absent_domains:
        lines += ["", (f"**{', '.join(absent_domains)}: no data.** None of its indicators "
                       "has a value in the panel: weight 0 (the minimum weight applies to the "
                       "other domains).")]
    return "\n".join(lines + _absent_lines(growth) + _indicator_weights(model, growth))


def _validation(growth: dict) -> str:
    v = growth["validation"]
    lines = [f"## How well it predicts ({SCHEME_TITLES[scheme_of(growth)['name']]})", "",
             f"Validation scheme: {scheme_sentence(growth)}.", "",
             ("| perspective | test rows | observed rate | Tech-Index AUC [95 % CI] | "
             "perspective model AUC [95 % CI] | Brier [95 % CI] | Brier of the base rate |"),
             "|---|---:|---:|---|---|---|---:|"]
    for p in _fitted(growth):
        r = v[p]
        lines.append(f"| {PERSPECTIVE_TITLES[p]} | {r['rows']:,} | {_rate(r['positive_rate'])} | "
                     f"{_rate(r['index_auc'])} {_interval(r['index_auc_ci'])} | "
                     f"{_rate(r['auc'])} {_interval(r['auc_ci'])} | {_rate(r['brier'], 4)} "
                     f"{_interval(r['brier_ci'], 4)} | {_rate(r['brier_base_rate'], 4)} |")
    lines += ["", ("ROC AUC: the chance that a firm-year with the outcome ranks above one "
              "without it (0.5 a coin toss, 1 perfect). The Tech-Index AUC is the ranking "
              "users get (both perspectives combined); the perspective model's is its own "
              "probability's. Brier: mean squared error of the perspective model's "
              "probabilities; below the base rate's means they beat always predicting the "
              "average."), ""]
    for p in _fitted(growth):
        title = PERSPECTIVE_TITLES[p]
        lines += [(f"**Reliability, {title.lower()}** (test rows in {len(v[p]['reliability'])} "
                  "equal groups by predicted probability):"), "",
                  "| group | n | mean predicted | observed |", "|---:|---:|---:|---:|"]
        lines += [f"| {b['bin']} | {b['n']:,} | {b['predicted']:.3f} | {b['observed']:.3f} |"
                  for b in v[p]["reliability"]]
        lines.append("")
    return "\n".join(lines)


_LIGHTS = {"green": "green", "yellow": "**yellow**", "red": "**red**", None: "-"}


def _grades(model: dict, growth: dict) -> str:
    v = growth["validation"]
    if not all("grades" in v[p] for p in _fitted(growth)):
        return _grade_rates(model, growth)  # a model written before the master scale
    cutoffs = {g: c for g, c in model["fitted"]["grade_cutoffs"]}
    lines = ["## Grades as a master scale (held-out firm-years)", "",
             ("Grades of the held-out fits, applied to their test rows; as a credit rating's "
              "default rates by grade, each grade's observed outcome rate with its Jeffreys "
              "95 % interval (Beta(k + 1/2, n - k + 1/2) quantiles), the rate the perspective "
              "model expected there (its mean probability), the one-sided binomial p-value "
              "of the count against it, and a traffic light as rating validators use it "
              "(Basel Committee 1996 zones: green p > 5 %, yellow p > 0.01 %, red below). "
              "Across grades: a one-sided Cochran-Armitage trend test and every adjacent "
              "inversion (significant when the two intervals do not overlap). Cut-offs shown "
              "are the shipped model's (minimum Tech-Index).")]
    for p in _fitted(growth):
        lines += ["", f"**{PERSPECTIVE_TITLES[p]}**", "",
                  ("| grade | shipped cut-off | firm-years | outcomes | observed rate [Jeffreys "
                   "95 %] | expected | binomial p | light |"),
                  "|---|---:|---:|---:|---|---:|---:|---|"]
        for row in v[p]["grades"]:
            cut = cutoffs.get(row["grade"])
            lines.append(f"| {row['grade']} | {'-' if cut is None else f'{cut:.1f}'} | "
                         f"{row['n']:,} | {row['k']:,} | {_rate(row['rate'])} "
                         f"{_interval(row['interval']) if row['n'] else ''} | "
                         f"{_rate(row['expected'])} | {_rate(row['p_value'], 4)} | "
                         f"{_LIGHTS[row['light']]}"
                         + (f" ({row['direction']})" if row["light"] not in (None, "green")
                            else "") + " |")
        lines += ["", master_scale_sentence(v[p]["monotonicity"], v[p]["grades"])]
    return "\n".join(lines)


def master_scale_sentence(monotone: dict, table: list[dict]) -> str:
    """What the trend test, the inversions and the traffic lights say, in one paragraph."""
    trend = ("the trend test could not be computed (no variation)" if monotone["z"] is None
             else f"Cochran-Armitage z = {monotone['z']:.2f}, one-sided p = "
                  f"{monotone['p_value']:.4f}")
    inversions = monotone["inversions"]
    if not inversions:
        order = "The observed rate rises with every grade step"
    else:
        named = "; ".join(f"{i['better']} ({i['better_rate']:.3f}) below {i['worse']} "
                          f"({i['worse_rate']:.3f})"
                          + (", **significant**" if i["significant"] else "")
                          for i in inversions)
        order = ("**The observed rate does not rise at every grade step**: " + named
                 if monotone["verdict"] == "significant inversion" else
                 "The observed rate does not rise at every step, within noise (the intervals "
                 "overlap): " + named)
    lights = [f"{r['grade']} {r['light']}" for r in table if r["light"] in ("yellow", "red")]
    light = ("every grade with firm-years is green" if not lights else
             "**not green**: " + ", ".join(lights))
    return f"{order} ({trend}); traffic lights: {light}."


def _grade_rates(model: dict, growth: dict) -> str:
    """The grade table of a model written before the master scale (rates only)."""
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
             "with a paired firm-bootstrap 95 % interval. `equal_weights`: the domains with "
             "data at equal weights; `best_indicator`: the single indicator that ranked the training years "
             "best; `domain_level_fit` (indicator-level models only): the same procedure fitted "
             "on the four domain scores instead of the indicators; `latent_capability` (synthetic data only): the generator's true "
             "capability, the best any index of these fields could hope for."), ""]
    plain = []
    for p in _fitted(growth):
        title = PERSPECTIVE_TITLES[p]
        lines += [f"**{title}** (Tech-Index AUC {_rate(v[p]['index_auc'])})", "",
                  "| baseline | AUC [95 % CI] | index minus baseline [95 % CI] | verdict |",
                  "|---|---|---|---|"]
        for name, b in v[p]["baselines"].items():
            gain = ("-" if b["index_minus_baseline"] is None
                    else f"{b['index_minus_baseline']:+.3f}")
            lines.append(f"| {name} | {_rate(b['auc'])} {_interval(b['auc_ci'])} | "
                         f"{gain} {_interval(b['difference_ci'])} | {b['verdict']} |")
            if b["verdict"] != "index better":
                plain.append(f"{title.lower()}: the Tech-Index does **not** beat `{name}` "
                             f"({b['verdict']}; AUC {_rate(v[p]['index_auc'])} vs "
                             f"{_rate(b['auc'])}).")
        lines.append("")
    if plain:
        lines += ["Where the Tech-Index does not beat a baseline:", ""] + [f"- {s}"
                                                                          for s in plain]
    else:
        lines.append("The Tech-Index beats every baseline on "
                     + ("both perspectives." if len(_fitted(growth)) == 2 else "its perspective."))
    return "\n".join(lines)


def _stability(growth: dict) -> str:
    boot = growth.get("bootstrap_weights", {})
    lines = ["## Stability", ""]
    if boot.get("n"):
        lines.append(f"Refitted on {boot['n']} firm-level bootstrap samples, the weights vary "
                     "with the standard deviations "
                     + ", ".join(f"{d} {s:.3f}" for d, s in boot["sd"].items()) + ".")
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
             (f"- The validation ({SCHEME_TITLES[scheme_of(growth)['name']]}) covers its test "
              "rows only; a recession, a new support scheme or a different applicant mix can "
              "change the relationships."),
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


def _rate(value, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _normalised(coefficients: dict) -> dict:
    total = sum(max(v, 0.0) for v in coefficients.values())
    return {d: (max(v, 0.0) / total if total else 1 / len(coefficients))
            for d, v in coefficients.items()}
