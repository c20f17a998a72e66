"""docs/validation.md from the figures of ``build_report.build`` (a dict, as in
docs/validation.json): plain Markdown, no time stamps, so the same figures give the same bytes.

>>> auc_text({"auc": 0.6312, "ci": [0.6, 0.66]})
'0.631 [0.600, 0.660]'
"""

from __future__ import annotations

PERSPECTIVE_TEXT = {"high_growth": "high growth", "sustainable_growth": "sustainable growth"}
SCHEME_TEXT = {"out_of_time": "out of time", "next_cohort": "next cohort",
               "grouped_cv": "firm-grouped cross-validation"}
CANDIDATE_TEXT = {
    "default": "(a) bundled default model (synthetic fit)",
    "refit": "(b) **refit on this panel**",
    "equal_weights": "(c) equal weights over the same indicators",
    "best_indicator": "(d) best single indicator (chosen on the training part)",
    "smaller": "(e) size alone, smaller = higher",
    "younger": "(e) youth alone, younger = higher",
}
OPTION_TEXT = {
    "i_as_now": "(i) as now",
    "ii_small_young_indicators": "(ii) size and youth as explicit indicators (direction -1)",
    "iii_size_adjusted_outcomes": "(iii) size-adjusted outcomes (high growth within size "
                                  "quintiles)",
}


def num(value, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def auc_text(entry: dict | None) -> str:
    if not entry or entry.get("auc") is None:
        return "n/a"
    ci = entry.get("ci")
    tail = f" [{ci[0]:.3f}, {ci[1]:.3f}]" if ci else ""
    return f"{entry['auc']:.3f}{tail}"


def gain_text(entry: dict | None) -> str:
    if not entry or entry.get("gain") is None:
        return ""
    ci = entry.get("ci")
    tail = f" [{ci[0]:+.3f}, {ci[1]:+.3f}]" if ci else ""
    return f"{entry['gain']:+.3f}{tail} — {entry['verdict']}"


def scheme_text(scheme: dict) -> str:
    name = SCHEME_TEXT.get(scheme.get("name"), scheme.get("name", "?"))
    parts = [f"**{name}**"]
    if scheme.get("folds"):
        parts.append(f"base year {_years(scheme.get('test_years', []))}, "
                     f"{len(scheme['folds'])} folds of firms")
    else:
        if scheme.get("train_years"):
            parts.append(f"trained on base years {_years(scheme['train_years'])}")
        if scheme.get("test_years"):
            parts.append(f"tested on {_years(scheme['test_years'])}")
    text = ", ".join(parts)
    if scheme.get("text"):
        text += f" ({scheme['text']})"
    return text


def _years(years) -> str:
    years = list(years)
    if len(years) > 2 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}-{years[-1]}"
    return ", ".join(str(y) for y in years)


def render(result: dict) -> str:
    """The whole report."""
    out = [_HEADER]
    if result["skipped"]:
        out.append("**Skipped** (folder absent under the data path): "
                   + ", ".join(result["skipped"]) + ".\n")
    out.append(_summary_table(result))
    for panel in result["panels"].values():
        out.append(_panel_section(panel))
    out.append(_size_section(result))
    if "component" in result:
        out.append(component_section(result["component"]))
    out.append(_FOOTER.format(seed=result["seed"], n=result["n_bootstrap"],
                              sha=result["default_model_sha256"]))
    return "\n".join(out).rstrip() + "\n"


_HEADER = """# The Tech-Index on real firms: validation report

Rebuilt by one command from the real panels beside the repository (`../shared/real-data/`,
read in place; a panel whose folder is absent is skipped):

```bash
python validation/build_report.py --data ../shared/real-data -o docs/validation.md
```

It writes this page, its figures as JSON (`docs/validation.json`, which
`notebooks/02_fit_and_validate.ipynb` reads) and, at its end, the bundled model's card
`models/default.md`, which leads with these real-firm figures (`model_card(default.json,
"default.json", evidence=docs/validation.json)`; `--no-card` leaves it alone). Run time: about
a minute on two cores (63 s measured; most of it the fits on the synthetic reference panel).
Adapters: `validation/real_panels.py` (units, caveats, the mapping to the data contract). Every AUC is measured on rows the fitted model
did not see, under the validation scheme `ktop fit` chooses for the panel and names:
**out of time** (enough base years: train on early ones whose future had ended before the test
years begin), **next cohort** (the latest labelled cohort held out, earlier ones trained) or
**firm-grouped cross-validation** (one labelled cohort: folds of firms). Intervals: 95 %
percentile intervals of firm-level bootstrap samples of the held-out rows (a firm's rows stay
together); a paired interval of "refit minus baseline" gives the verdict.

What each line is:
(a) the bundled default model (`models/default.json`, fitted on synthetic firms), the composite
of the domains the panel has data for (real panels rate few rows: most fields are absent);
(b) the model refitted on the panel by `GrowthModel` (`ktop fit`), its Tech-Index composite on
the held-out rows; (c) equal weights over the indicators the panel has data for; (d) the single
indicator that ranked the training part best; (e) size alone (smaller = higher; employees,
else revenue) and youth alone (only where a founding year exists: none of the real panels).
"""

_FOOTER = """
## Reproducing

Seed {seed}, {n} firm-bootstrap draws per interval; bundled model sha256 `{sha}`. The same
data and seed give this page byte for byte (no times, no machine paths). The numbers are the
validation of what the panels allow, not of Technopark applicants: listed firms and Spanish
manufacturers are larger and older than the firms a Technopark call sees.
"""


def _summary_table(result: dict) -> str:
    lines = ["## Summary: high growth, held-out AUC", "",
             ("| panel | scheme | rows (positives) | (a) default | (b) refit | (c) equal "
             "weights | (d) best single | (e) smaller |"),
             "|---|---|---|---|---|---|---|---|"]
    for panel in result["panels"].values():
        p = panel["perspectives"].get("high_growth")
        if p is None:
            continue
        a = p["auc"]
        lines.append(f"| {panel['name']} | {SCHEME_TEXT.get(panel['scheme'].get('name'), '?')} "
                     f"| {p['rows']:,} ({p['positives']:,}) | {auc_text(a.get('default'))} | "
                     f"**{auc_text(a.get('refit'))}** | {auc_text(a.get('equal_weights'))} | "
                     f"{auc_text(a.get('best_indicator'))} | {auc_text(a.get('smaller'))} |")
    return "\n".join(lines) + "\n"


def _panel_section(panel: dict) -> str:
    out = [f"## {panel['title']}", ""]
    out.append(f"{panel['rows']:,} firm-years, {panel['firms']:,} firms, "
               f"{panel['years'][0]}-{panel['years'][1]}. Units: {panel['units']}.\n")
    out.append("| contract field | from the source | rows with a value |")
    out.append("|---|---|---|")
    for field, source in panel["mapping"].items():
        cover = panel["field_coverage"].get(field)
        out.append(f"| `{field}` | {source} | {'' if cover is None else f'{cover:.0%}'} |")
    out.append("")
    out.append("Absent contract fields (their indicators get no weight): "
               + ", ".join(f"`{f}`" for f in panel["absent_fields"]) + ".")
    out.append("Indicators with data: " + ", ".join(f"`{i}`" for i in
                                                     panel["indicators_with_data"]) + ".\n")
    out.append("Caveats:\n")
    out.extend(f"* {c}" for c in panel["caveats"])
    out.append("")
    outcomes = panel.get("outcomes") or {}
    notes = [f"{PERSPECTIVE_TEXT[p]}: {outcomes[p]['note']}" for p in PERSPECTIVE_TEXT
             if isinstance(outcomes.get(p), dict) and outcomes[p].get("note")
             and outcomes[p].get("fitted", True)]
    missing = [PERSPECTIVE_TEXT[p] for p in PERSPECTIVE_TEXT
               if isinstance(outcomes.get(p), dict) and not outcomes[p].get("fitted", True)]
    if notes:
        out.append("Labels as `ktop fit` built them (3-year horizon): " + "; ".join(notes)
                   + "." + (f" Not labelled: {', '.join(missing)} (the panel does not allow it)."
                            if missing else "") + "\n")
    out.append(f"Validation scheme: {scheme_text(panel['scheme'])}. The bundled default rates "
               f"{panel['default_rated_share']:.1%} of the panel's rows.\n")
    for u in panel.get("untrained_indicators", []):
        out.append(untrained_text(u, panel["scheme"]) + "\n")
    for p, block in panel["perspectives"].items():
        out.append(_perspective_block(p, block))
    weights = panel["weights"]
    out.append("Refit (shipped on every labelled year) — domain weights: " + ", ".join(
        f"{d} {w:.3f}" for d, w in weights["domains"].items()) + "; largest shares of the "
        "index: " + ", ".join(f"{i} {w:.3f}" for i, w in weights["indicators"].items()) + ".\n")
    return "\n".join(out)


def untrained_text(u: dict, scheme: dict) -> str:
    """The caveat of an indicator without values in the training base years.

    >>> untrained_text({"indicator": "revenue_growth", "domain": "outcome",
    ...                 "train_coverage": 0.0, "test_coverage": 0.94,
    ...                 "peers": ["operating_margin"]}, {"train_years": [2016],
    ...                 "test_years": [2017]})[:57]
    '**Caveat: `revenue_growth` has no value in the training b'
    """
    peers = ", ".join(f"`{q}`" for q in u["peers"])
    copy = (f"in those rows it equals {peers}'s score (the fit counts a missing score as the "
            "mean of the row's present indicators in its domain), so line (b)'s split "
            f"between `{u['indicator']}` and {peers} is not learned there (two equal columns: "
            "the penalty splits their weight evenly)" if u["peers"] else
            "in those rows it takes no part in the fit")
    return (f"**Caveat: `{u['indicator']}` has no value in the training base years** "
            f"({_years(scheme.get('train_years', []))}: {u['train_coverage']:.0%} of the "
            f"labelled rows; test years {_years(scheme.get('test_years', []))}: "
            f"{u['test_coverage']:.0%}): the panel's first year has no year before to grow "
            f"from; {copy}.")


def component_section(component: dict) -> str:
    """'A real-fitted component in the default?': the hybrid against the default, DART's
    refit against the default, and the decision with its reasons."""
    out = ["## A real-fitted component in the default?", "",
           ("Item 4 of issue 15: where a component fitted on real Korean firms beats the "
            "synthetic fit there out of sample, ship it; where not, say so. The FnGuide "
            "statements give the financial indicators (R&D intensity and spending, revenue "
            "growth, operating margin), DART the employee indicators (employees, R&D staff "
            "share, pay per employee, employment growth)."), ""]
    hybrid = component.get("hybrid")
    if hybrid:
        out += _hybrid_block(hybrid)
    else:
        out += ["FnGuide panel absent: the hybrid was not measured.", ""]
    dart = component.get("dart")
    if dart:
        g = dart["refit_minus_default"]
        out += [(f"**DART** ({SCHEME_TEXT.get(dart['scheme'], dart['scheme'])}, "
                 f"{dart['rows']:,} held-out firm-years, {dart['positives']} high growers; "
                 f"indicators {', '.join(f'`{i}`' for i in dart['indicators'])}): the refit's "
                 f"high-growth AUC {auc_text(dart['refit'])} against the default's "
                 f"{auc_text(dart['default'])}, refit minus default {gain_text(g)}: the refit "
                 + ("beats" if dart["refit_beats_default"] else "does **not** beat")
                 + " the default, so DART offers no component to ship."), ""]
    shipped = component.get("shipped")
    out += [(f"### Decision: {'shipped' if shipped else 'not shipped'}"
             + ("" if shipped else " — the default stays the synthetic fit")), ""]
    reasons = component.get("reasons") or []
    if reasons:
        out.append(("Shipped" if shipped else "The hybrid is not shipped") + " (decided by "
                   f"{component.get('decided_by', 'the lead')}), because:\n")
        out += [f"* {r};" if i < len(reasons) - 1 else f"* {r}." for i, r in
                enumerate(reasons)]
        out.append("")
    found = component.get("findings") or []
    if found:
        out.append("What the real evidence does support, and the default's card says:\n")
        out += [f"* {f}." for f in found]
        out.append("")
    return "\n".join(out)


def _hybrid_block(h: dict) -> list[str]:
    fn, syn = h["fnguide"], h["synthetic"]
    scheme = fn["scheme"]
    out = [(f"**The hybrid**: {h['what']}. Only the indicators FnGuide has data for move "
            "(weights within their domain):"), "",
           ("| indicator (domain) | default | FnGuide refit, train "
            f"{_years(scheme['train_years'])} | FnGuide refit, all labelled years | hybrid "
            f"judged below (from train {_years(scheme['train_years'])}) | hybrid (all years) |"), "|---|---|---|---|---|---|"]
    for name in h["present"]:
        w = h["weights"][name]
        out.append(f"| `{name}` ({w['domain']}) | {w['default']:.4f} | {w['refit_train']:.4f} | "
                   f"{w['refit_all']:.4f} | {w['hybrid_eval']:.4f} | "
                   f"{w['hybrid_shipped']:.4f} |")
    cov = fn.get("coverage_by_base_year", {})
    out += ["", ("Domain weights unchanged (" + ", ".join(
        f"{d} {v:.3f}" for d, v in h["domain_weights"].items()) + "); goalposts and industry "
        f"offsets the default's: {h['same_goalposts']}; the default's spec refitted on its "
        f"reference reproduces its normalisation: {h['default_rebuilt_exactly']}; the "
        f"train-{_years(scheme['train_years'])} refit is the report's next-cohort fold: "
        f"{fn['train_fit_matches_report_fold']}. Coverage of the labelled rows by base year: "
        + "; ".join(f"`{i}` " + ", ".join(f"{y} {c:.0%}" for y, c in by.items())
                    for i, by in cov.items()) + "."), "",
           ("| measured on | perspective | rows (positive) | (a) default | hybrid | hybrid − "
            "default |"), "|---|---|---|---|---|---|"]
    where = (f"FnGuide, {SCHEME_TEXT.get(scheme['name'], scheme['name'])} (train "
             f"{_years(scheme['train_years'])}, test {_years(scheme['test_years'])})")
    for p, b in fn["comparison"].items():
        out.append(f"| {where} | {PERSPECTIVE_TEXT[p]} | {b['rows']:,} ({b['positives']:,}) | "
                   f"{auc_text(b['auc']['default'])} | {auc_text(b['auc']['hybrid'])} | "
                   f"{gain_text(b['gain_over_default']['hybrid'])} |")
    cv = fn["cv_2017"]
    for p, b in cv["perspectives"].items():
        rows = fn["comparison"][p]
        out.append(f"| FnGuide, firm-grouped cross-validation inside 2017 ({cv['folds']} folds) "
                   f"| {PERSPECTIVE_TEXT[p]} | {rows['rows']:,} ({rows['positives']:,}) | "
                   f"{auc_text(b['auc']['default'])} | {auc_text(b['auc']['hybrid'])} | "
                   f"{gain_text(b['gain_over_default']['hybrid'])} |")
    for p, b in syn["perspectives"].items():
        o = b["out_of_time"]
        out.append(f"| synthetic truth, out of time (train {_years(syn['train_years'])}, test "
                   f"{_years(syn['test_years'])}) | {PERSPECTIVE_TEXT[p]} | "
                   f"{syn['test_rows']:,} | {auc_text(o['auc']['default'])} | "
                   f"{auc_text(o['auc']['hybrid'])} | "
                   f"{gain_text(o['gain_over_default']['hybrid'])} |")
    gaps = "; ".join(
        f"{PERSPECTIVE_TEXT[p]} {b['latent_capability']:.3f}: gap "
        f"{b['latent_capability'] - b['out_of_time']['auc']['default']['auc']:.4f} (default), "
        f"{b['latent_capability'] - b['out_of_time']['auc']['hybrid']['auc']:.4f} (hybrid)"
        for p, b in syn["perspectives"].items())
    alone = fn["alone"]["high_growth"]
    out += ["", ("The cross-validation's hybrid of each fold comes from the FnGuide refit on the "
                 "other firms' 2017 rows (same year, other firms: nothing about later years); "
                 "within-domain weights of the folds: " + "; ".join(
                     ", ".join(f"{k} {v:.3f}" for k, v in w.items() if k in (
                         "revenue_growth", "operating_margin")) for w in cv["within_by_fold"])
                 + ". Latent capability (synthetic): " + gaps + ". Each FnGuide indicator "
                 "alone, high growth, next cohort: " + ", ".join(
                     f"`{i}` {auc_text(e)}" for i, e in alone.items()) + "."), ""]
    jeju = h["jeju"]
    base = jeju["default"]
    out += [("| Jeju 2025 call | selected | same as default | entered | left | fragile (also "
             "fragile by default) |"), "|---|---|---|---|---|---|"]
    for name in ("default", "hybrid_shipped", "hybrid_eval2016"):
        j = jeju.get(name)
        if j:
            out.append(f"| {name} | {j['selected']} | {j['same_as_default']} | "
                       f"{', '.join(j['entered']) or '—'} | {', '.join(j['left']) or '—'} | "
                       f"{', '.join(j['fragile']) or '—'} "
                       f"({j['fragile_also_fragile_by_default']}) |")
    out += ["", (f"(The default selects {base['selected']}; `hybrid_shipped` is the hybrid "
                 "from the refit on every labelled FnGuide year, `hybrid_eval2016` the one "
                 "judged above. Its model file, sha256 "
                 f"`{h['model_sha256'][:16]}…`, is written by `python validation/hybrid.py "
                 "--data ../shared/real-data --model-out HYBRID.json` for anyone who wants to "
                 "try it.)"), ""]
    return out


def _perspective_block(p: str, block: dict) -> str:
    out = [f"### {PERSPECTIVE_TEXT[p].capitalize()}", "",
           (f"{block['rows']:,} held-out firm-years of {block['firms']:,} firms, "
            f"{block['positives']:,} positive ({block['positive_rate']:.1%})."
            + _unrated(block)), "",
           "| ranking | held-out AUC [95 % CI] | refit minus it [95 % CI] |", "|---|---|---|"]
    chosen = sorted({c["indicator"] for c in block["best_indicator"]})
    for name, entry in block["auc"].items():
        label = CANDIDATE_TEXT.get(name, name)
        if name == "best_indicator":
            label += f": {', '.join(chosen)}"
        if name == "smaller" and block.get("size_measure"):
            label += f" ({block['size_measure']})"
        out.append(f"| {label} | {auc_text(entry)} | "
                   f"{gain_text(block['refit_gain'].get(name))} |")
    out.append("")
    grades = block["grades"]
    out.append("Grades of the held-out fit, as a rating's master scale (observed rate, Jeffreys "
               "95 % interval, traffic light against the mean predicted probability):\n")
    out.append("| grade | n | outcomes | rate | Jeffreys 95 % | predicted | light |")
    out.append("|---|---|---|---|---|---|---|")
    for row in grades["rows"]:
        j = row["interval"]
        out.append(f"| {row['grade']} | {row['n']:,} | {row['k']:,} | {row['rate']:.3f} | "
                   f"[{j[0]:.3f}, {j[1]:.3f}] | {num(row['expected'])} | "
                   f"{row['light'] or ''} |")
    mono = grades["monotonicity"]
    inversions = ", ".join(f"{i['better']} {i['better_rate']:.3f} < {i['worse']} "
                           f"{i['worse_rate']:.3f}" + (" (significant)" if i["significant"]
                                                       else "")
                           for i in mono["inversions"])
    trend = (f"Cochran-Armitage z = {mono['z']:.2f}, one-sided p = {mono['p_value']:.4f}"
             if mono.get("z") is not None else "no trend test (no variation)")
    out.append(f"\nMonotonicity: **{mono['verdict']}** ({trend}"
               + (f"; inversions: {inversions}" if inversions else "") + ").\n")
    cal = block["calibration"]
    out.append(f"Calibration of the refit's probability: Brier {num(cal['brier'], 4)} (always "
               f"the base rate: {num(cal['brier_base_rate'], 4)}); mean predicted "
               f"{num(cal['mean_predicted'])} against {num(cal['observed'])} observed.\n")
    out.append("| group | mean predicted | observed | n |")
    out.append("|---|---|---|---|")
    for row in cal["reliability"]:
        out.append(f"| {row['bin']} | {row['predicted']:.3f} | {row['observed']:.3f} | "
                   f"{row['n']:,} |")
    out.append("")
    return "\n".join(out)


def _unrated(block: dict) -> str:
    """A warning when many firm-years with a known outcome were left out as not rated."""
    known = block.get("known_in_test_years", block["rows"])
    if known <= block["rows"] * 1.1:
        return ""
    return (f" **Only {block['rows']:,} of the {known:,} firm-years with a known outcome in "
            "the test years are rated** (their index coverage reaches the spec's minimum) and "
            "so held out; the others have too few of the weighted fields (no R&D figures, "
            "or a panel's first year, without growth from the year before), and the AUCs "
            "speak for the rated firms only.")


def _size_section(result: dict) -> str:
    out = ["## Size and youth", "",
           ("Smaller firms grow fastest in relative terms on every real panel here (size alone "
           "is the best single ranking of high growth); in the synthetic generator only given "
           "the other fields (small, young firms grow faster, but they also have less of the "
           "capability that drives growth). A monotone index (more of a capability never lowers it) cannot "
           "reward that while it counts employees and firm age as capability. Three options, "
           "each fitted by `GrowthModel` under the panel's scheme and judged on its held-out "
           "rows against the **standard** labels:"), "",
           ("* (i) as now: employees and firm age count as capability (direction +1; the fit "
           "gives them weight 0 when they foretell less growth);"),
           ("* (ii) size and youth as explicit high-growth indicators: employees and firm age "
           "counted in reverse (direction -1), so the non-negative fit can reward smaller and "
           "younger firms;"),
           ("* (iii) size-adjusted outcomes: high growth judged within size quintiles of the "
           "base year (the top share of growth in each quintile, the share being the year's "
           "high-growth rate; sustainable growth unchanged), so the index learns what "
           "foretells growth beyond size. Its AUC against its own size-adjusted label is given "
           "as well."), "",
           "### On the real panels", "",
           "| panel | option | high growth | sustainable growth | size-adjusted high growth |",
           "|---|---|---|---|---|"]
    for panel in result["panels"].values():
        options = panel["size_options"]["options"]
        for name, entry in options.items():
            out.append(f"| {panel['name']} | {OPTION_TEXT[name]} | "
                       f"{auc_text(entry.get('high_growth'))} | "
                       f"{auc_text(entry.get('sustainable_growth'))} | "
                       f"{auc_text(entry.get('size_adjusted_high_growth'))} |")
        small = panel["perspectives"].get("high_growth", {}).get("auc", {}).get("smaller")
        adj = panel["size_options"].get("smaller_vs_size_adjusted_label")
        out.append(f"| {panel['name']} | size alone (smaller) | {auc_text(small)} | | "
                   f"{num(adj)} |")
    out.append("")
    reference = result.get("reference")
    if reference:
        out.append(_reference_block(reference))
    jeju = result.get("jeju")
    if jeju:
        out.append(_jeju_block(jeju))
    out.append(recommendation(result))
    return "\n".join(out)


def _reference_block(reference: dict) -> str:
    out = ["### On the synthetic reference panel of the default model", "",
           f"{reference['rows']:,} firm-years ({reference['panel']['n_firms']:,} firms, "
           f"{reference['panel']['years'][0]}-{reference['panel']['years'][1]}, seed "
           f"{reference['panel']['seed']}), out of time as `ktop fit` does it. Option (i) "
           "refitted here "
           + ("gives exactly the bundled default's weights."
              if reference["i_matches_bundled_default"]
              else "does **not** give the bundled default's weights (the code changed since; "
                   "the Jeju comparison uses the bundled file for (i)).") + "\n",
           ("| option | high growth | sustainable growth | size-adjusted high growth | "
           "largest shares of the index |"), "|---|---|---|---|---|"]
    for name, entry in reference["options"].items():
        shares = ", ".join(f"{k} {v:.3f}" for k, v in entry["largest_shares"].items())
        out.append(f"| {OPTION_TEXT[name]} | {num(entry.get('high_growth'))} | "
                   f"{num(entry.get('sustainable_growth'))} | "
                   f"{num(entry.get('size_adjusted_high_growth'))} | {shares} |")
    for name, entry in reference.get("alone", {}).items():
        label = {"smaller": "size alone (smaller)", "younger": "youth alone (younger)"}[name]
        out.append(f"| {label} | {num(entry.get('high_growth'))} | "
                   f"{num(entry.get('sustainable_growth'))} | | |")
    out.append("")
    return "\n".join(out)


def _jeju_block(jeju: dict) -> str:
    e = jeju["eligible"]
    out = [("### On the Jeju 2025 applicants (`ktop select data/jeju_2025_applicants.xlsx "
           "--call jeju_2025`)"), "",
           (f"Eligible applicants: {e['n']}, median {e['median_employees']:g} employees, "
           f"median firm age {e['median_firm_age']:g} years; {e['micro_share']:.0%} micro "
           f"(< 10 employees), {e['young_share']:.0%} young (7 years or less). Option (i) is "
           "the bundled `models/default.json`; (ii) and (iii) are fitted on its synthetic "
           "reference panel as above."), "",
           ("| model | selected | same as default | median employees / age of the selected | "
           "micro / young share | entered | left | fragile (also fragile by default) |"),
           "|---|---|---|---|---|---|---|---|"]
    labels = {"default": "(i) bundled default", **OPTION_TEXT}
    for name, entry in jeju.items():
        if name == "eligible":
            continue
        prof = entry["profile"]
        out.append(f"| {labels.get(name, name)} | {entry['selected']} | "
                   f"{entry['same_as_default']} | {prof['median_employees']:g} / "
                   f"{prof['median_firm_age']:g} | {prof['micro_share']:.0%} / "
                   f"{prof['young_share']:.0%} | {', '.join(entry['entered']) or '—'} | "
                   f"{', '.join(entry['left']) or '—'} | {', '.join(entry['fragile']) or '—'} "
                   f"({entry['fragile_also_fragile_by_default']}) |")
    out.append("")
    return "\n".join(out)


def _option_auc(panel: dict, option: str, perspective: str):
    entry = panel["size_options"]["options"].get(option, {}).get(perspective)
    return entry.get("auc") if entry else None


def _pairs(result: dict, first: str, second: str, perspective: str) -> str:
    """'fnguide 0.682 -> 0.742, ...' over the panels that have both figures."""
    parts = []
    for name, panel in result["panels"].items():
        a, b = (_option_auc(panel, first, perspective), _option_auc(panel, second, perspective))
        if a is not None and b is not None:
            parts.append(f"{name} {a:.3f} -> {b:.3f}")
    return ", ".join(parts) or "no panel"


def recommendation(result: dict) -> str:
    """The decision the figures support, with its reasons (the numbers read from ``result``)."""
    smaller = ", ".join(
        f"{name} {p['perspectives']['high_growth']['auc']['smaller']['auc']:.3f} against the "
        f"refit's {p['perspectives']['high_growth']['auc']['refit']['auc']:.3f}"
        for name, p in result["panels"].items()
        if "smaller" in p["perspectives"].get("high_growth", {}).get("auc", {}))
    ref = result.get("reference", {}).get("options", {})
    jeju = result.get("jeju", {})
    lines = [("### Recommendation: keep (i) in the index; where a call wants small or young "
              "firms, say so in the call"), ""]
    lines.append(
        "1. **Size is the strongest single predictor of high growth on the real panels**: "
        f"smaller alone reaches {smaller or 'n/a'} (held-out AUC). The index, as a measure of "
        "capability, does not capture it, and cannot while it is monotone in employees.")
    if ref:
        i, ii, iii = (ref.get(k, {}) for k in ("i_as_now", "ii_small_young_indicators",
                                               "iii_size_adjusted_outcomes"))
        firm_age = ii.get("largest_shares", {}).get("firm_age")
        lines.append(
            "2. **(ii) buys high-growth AUC with the size ranking itself**: high growth "
            f"{_pairs(result, 'i_as_now', 'ii_small_young_indicators', 'high_growth')} "
            f"(synthetic reference {num(i.get('high_growth'))} -> {num(ii.get('high_growth'))}), "
            "about what size alone gives; sustainable growth "
            f"{_pairs(result, 'i_as_now', 'ii_small_young_indicators', 'sustainable_growth')} "
            f"(synthetic {num(i.get('sustainable_growth'))} -> "
            f"{num(ii.get('sustainable_growth'))}). And the index changes meaning: "
            + (f"firm age becomes its largest single weight ({firm_age:.3f} of the index), "
               if firm_age else "")
            + "a firm gains points for being young and loses them for hiring, so a supported "
            "firm that grows would fall in the index the next year (the tracking of `ktop "
            "track` would read success as decline), and the infrastructure domain no longer "
            "reads as capability.")
        few = ", ".join(f"{name} {p['perspectives']['high_growth']['positives']}"
                        for name, p in result["panels"].items()
                        if p["perspectives"].get("high_growth", {}).get("positives", 99) < 50)
        lines.append(
            "3. **(iii) changes little**: against the standard labels "
            f"{_pairs(result, 'i_as_now', 'iii_size_adjusted_outcomes', 'high_growth')} "
            f"(synthetic {num(i.get('high_growth'))} -> {num(iii.get('high_growth'))}); it "
            "learns what foretells growth beyond size (synthetic AUC against the size-adjusted "
            f"label {num(iii.get('size_adjusted_high_growth'))}) and keeps the index's meaning."
            + (f" Where the held-out rows hold few high growers ({few}), a difference of this "
               "size is within chance (see the intervals above)." if few else ""))
    if jeju:
        ii_j, iii_j = jeju.get("ii_small_young_indicators"), jeju.get("iii_size_adjusted_outcomes")
        default = jeju.get("default")
        if ii_j and iii_j and default:
            lines.append(
                f"4. **Jeju 2025**: (ii) would change {len(ii_j['left'])} of the "
                f"{default['selected']} selected firms (median employees of the selected "
                f"{default['profile']['median_employees']:g} -> "
                f"{ii_j['profile']['median_employees']:g}, micro share "
                f"{default['profile']['micro_share']:.0%} -> "
                f"{ii_j['profile']['micro_share']:.0%}); (iii) selects "
                f"{iii_j['same_as_default']} of the same {default['selected']} "
                f"(fragile: {len(default['fragile'])} by default, {len(iii_j['fragile'])} "
                "with (iii)).")
    lines += ["",
              ("So the shipped default stays (i), and its card should say plainly that on real "
              "firms small size (and, on the synthetic panel, youth) foretells relative growth "
              "better than the index does. "
              "A call that wants to favour small or young firms should do it openly, where the "
              "committee sees it: eligibility rules or bonus points of the call (`bonus_column`,"
              " 가점, in the call file), not a hidden reversal inside a capability index. "
              "Option (iii) is worth offering for a TP's own refit (`ktop fit --db`) once its "
              "history holds real applicants' outcomes; on today's evidence it does not change "
              "a decision. The lead decides; nothing in the package was changed by this "
              "analysis."), ""]
    return "\n".join(lines)
