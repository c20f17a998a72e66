"""``ktop fit``, ``ktop psi``: the growth-based weights and the drift check."""

from __future__ import annotations

import argparse
import sys

from ktop_index.cli._common import (
    EXIT_OK,
    ApiDefault,
    Progress,
    add_api_option,
    add_lang,
    add_reading,
    api_default,
    given,
    read_valid,
    words,
)
from ktop_index.errors import UsageError

# the API `ktop fit` calls; their signatures hold the defaults the options show and record
MODEL = "ktop_index.growth.model:GrowthModel"
RULES = "ktop_index.growth.outcomes:OutcomeRules"

#: Options recorded in the model file's rebuild command when given and not the API's default:
#: (flag, dest, (API, parameter) or None when the default is "not given").
RECORDED = (("--base-year", "base_year", None), ("--truth", "truth", None),
            ("--spec", "spec", None), ("--measure", "measure", (RULES, "measure")),
            ("--annual-growth", "annual_growth", (RULES, "annual_growth")),
            ("--combination", "combination", (MODEL, "combination")),
            ("--level", "level", (MODEL, "level")),
            ("--min-weight", "min_weight", (MODEL, "min_weight")),
            ("--bootstrap", "bootstrap", (MODEL, "n_bootstrap")),
            ("--refits", "refits", (MODEL, "n_refits")))


def add_parsers(sub) -> None:
    """Add ``fit`` and ``psi`` to the ``ktop`` subparsers."""
    _add_fit(sub)
    p = sub.add_parser("psi", help="has a new batch drifted from the model's reference?",
                       description="Population stability index of BATCH's Tech-Index against "
                                   "the reference population of MODEL (10 reference deciles): "
                                   "below 0.10 stable, 0.10-0.25 watch, 0.25 or more shifted.")
    p.add_argument("model", help="model file (.json)")
    p.add_argument("batch", help="firm-year file to check (e.g. this year's applicants)")
    add_reading(p)
    add_lang(p)
    p.set_defaults(func=cmd_psi)


def _add_fit(sub) -> None:
    p = sub.add_parser("fit", help="learn the index's weights from later growth; write the "
                                   "model and its card",
                       description="Fit a growth-based Tech-Index on PANEL (firm-years over "
                                   "several years): label each firm-year by its high growth and "
                                   "sustainable growth over the next 3 years, learn non-negative "
                                   "domain and indicator weights (none for indicators the "
                                   "panel has no data for), validate on held-out rows (out of "
                                   "time where the years allow, else next cohort or "
                                   "firm-grouped folds), and write MODEL.json "
                                   "and its model card MODEL.md (docs/growth_model.md).")
    p.add_argument("panel", nargs="?",
                   help="firm-year panel (CSV/XLSX/Parquet; firm_id, year, employees or "
                        "revenue, any other fields; 10 years for an out-of-time validation)")
    p.add_argument("--db", metavar="HISTORY.sqlite",
                   help="fit instead on the firm-years a tracking store holds (ktop track "
                        "import), labelled from its later years (not with PANEL)")
    p.add_argument("-o", "--output", required=True, metavar="MODEL.json",
                   help="the model file to write (the card goes beside it as .md)")
    p.add_argument("--base-year", type=int, help="reference year (default: the last year)")
    p.add_argument("--truth", help="synthetic truth.parquet (adds the latent capability as the "
                                   "best achievable baseline; marks the model synthetic)")
    add_api_option(p, "--seed", type=int, default=ApiDefault(MODEL, "seed"),
                   help="random seed (default %(api_default)s)")
    p.add_argument("--spec", help="index specification (.json; default: the bundled one)")
    _add_fit_method(p)
    p.add_argument("--synthetic", action="store_true",
                   help="say on the card that the panel is synthetic (implied by --truth)")
    p.add_argument("--describe", metavar="TEXT", help="what the panel is, for the card")
    add_reading(p)
    add_lang(p)
    p.set_defaults(func=cmd_fit)


def _add_fit_method(p: argparse.ArgumentParser) -> None:
    """The method's options; each defaults to the API's (None here: not given)."""
    add_api_option(p, "--measure", choices=("either", "employees", "revenue"),
                   default=ApiDefault(RULES, "measure"),
                   help="high growth in employees, revenue, or either (default %(api_default)s)")
    add_api_option(p, "--annual-growth", type=float, metavar="RATE",
                   default=ApiDefault(RULES, "annual_growth"),
                   help="annualised growth of a high-growth firm (default %(api_default)s)")
    add_api_option(p, "--combination", type=float, metavar="SHARE",
                   default=ApiDefault(MODEL, "combination"),
                   help="share of the high-growth perspective in the weights "
                        "(default %(api_default)s)")
    add_api_option(p, "--level", choices=("indicators", "domains"),
                   default=ApiDefault(MODEL, "level"),
                   help="fit each perspective on the indicator scores (indicators: learns "
                        "domain and indicator weights) or on the four domain scores (domains); "
                        "default %(api_default)s")
    add_api_option(p, "--min-weight", type=float, metavar="W",
                   default=ApiDefault(MODEL, "min_weight"),
                   help="smallest weight of a domain (default %(api_default)s; 0 lets a domain "
                        "drop out)")
    p.add_argument("--controls", action="store_true", default=None,
                   help="adjust the perspective models for size, age and industry")
    add_api_option(p, "--bootstrap", type=int, metavar="N",
                   default=ApiDefault(MODEL, "n_bootstrap"),
                   help="bootstrap samples for confidence intervals (default %(api_default)s)")
    add_api_option(p, "--refits", type=int, metavar="N", default=ApiDefault(MODEL, "n_refits"),
                   help="bootstrap refits of the weights (default %(api_default)s)")


def cmd_fit(args: argparse.Namespace) -> int:
    """Fit the growth model on the panel; write the model file and its card."""
    from ktop_index.growth.card import write_card
    from ktop_index.growth.model import GrowthModel
    from ktop_index.growth.outcomes import OutcomeRules

    if not args.output.endswith(".json"):
        raise UsageError(f"-o {args.output}: expected a model file name ending in .json "
                         "(the card is written beside it as .md)",
                         ko=f"-o {args.output}: 모형 파일 이름은 .json으로 끝나야 합니다 "
                            "(모형 카드는 그 옆에 .md로 씁니다)")
    rules = OutcomeRules(**given(args, measure="measure", annual_growth="annual_growth"))
    progress = Progress(args.lang)
    panel, description = _fit_panel(args, progress, rules.horizon)
    truth = None
    if args.truth:
        from ktop_index.data.io import read_table
        truth = read_table(args.truth).frame
    progress.step("fitting")
    model = GrowthModel(rules=rules, **given(
        args, spec="spec", base_year="base_year", combination="combination", level="level",
        min_weight="min_weight", controls="controls", n_bootstrap="bootstrap",
        n_refits="refits", seed="seed"))
    model.fit(panel, truth, synthetic=True if args.synthetic else None,
              command=_fit_command(args), progress=progress,
              **({"description": description} if description else {}))
    progress.step("writing")
    model.save(args.output)
    card = write_card(args.output)
    progress.close()
    weights = ", ".join(f"{d} {w:.3f}" for d, w in model.weights_.items())
    print(words("fitted", args.lang).format(path=args.output, card=card, weights=weights))
    for line in fit_summary(model.growth_, args.lang):
        print(line)
    return EXIT_OK


def fit_summary(growth: dict, lang: str) -> list[str]:
    """What `ktop fit` prints after writing: the validation scheme with its years or folds,
    each perspective's held-out Tech-Index AUC, and its grades as a master scale (observed
    rate with its Jeffreys interval, expected rate, traffic light; the trend test)."""
    validation = growth["validation"]
    scheme = validation.get("scheme") or {"name": "out_of_time", "folds": None,
                                          **{k: growth["training"][k]
                                             for k in ("train_years", "test_years")}}
    lines = [words(f"fit_scheme_{scheme['name']}", lang).format(
        train=_span(scheme["train_years"]), test=_span(scheme["test_years"]),
        folds=len(scheme["folds"] or []))]
    for perspective in ("high_growth", "sustainable_growth"):
        title = words(f"fit_{perspective}", lang)
        if perspective not in growth["perspectives"]:
            note = growth.get("outcomes", {}).get(perspective, {})
            why = (words("fit_no_sustainable", lang) if not note.get("available", True)
                   else note.get("note", "").split("; not fitted: ")[-1])
            lines.append(words("fit_not_fitted", lang).format(perspective=title, why=why))
            continue
        r = validation[perspective]
        lines.append(words("fit_auc", lang).format(
            perspective=title, auc=_number(r["index_auc"]), ci=_ci(r["index_auc_ci"]),
            rows=f"{r['rows']:,}", rate=_number(r["positive_rate"])))
        if "grades" not in r:
            continue
        lines.append("  " + words("fit_grades_header", lang))
        for row in r["grades"]:
            if not row["n"]:
                continue
            light = (words(f"fit_light_{row['light']}", lang) if row["light"] else "-")
            if row["light"] not in (None, "green"):
                light += " (" + words("fit_" + row["direction"], lang) + ")"
            lines.append(f"  {row['grade']:<5}{row['n']:>7,}{row['k']:>7,}  "
                         f"{_number(row['rate'])} {_ci(row['interval']):<16}  "
                         f"{_number(row['expected']):>8}  {light}")
        monotone = r["monotonicity"]
        lines.append(words("fit_monotone", lang).format(
            verdict=words(f"fit_monotone_{monotone['verdict']}", lang),
            z=_number(monotone["z"], 2), p=_number(monotone["p_value"], 4)))
    return lines


def _span(years: list) -> str:
    return "-" if not years else (f"{years[0]}-{years[-1]}" if len(years) > 1 else str(years[0]))


def _number(value, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _ci(interval) -> str:
    return "" if not interval else f"[{interval[0]:.3f}, {interval[1]:.3f}]"


def _fit_panel(args: argparse.Namespace, progress: Progress, horizon: int):
    """The panel to fit and its description for the card: PANEL read and validated, or the
    firm-years of the tracking store ``--db`` (:func:`ktop_index.tracking.panel.panel_from_store`,
    at least ``horizon + 1`` years), described by where they came from."""
    if (args.panel is None) == (args.db is None):
        raise UsageError("expected a PANEL file or --db HISTORY.sqlite (one of the two)",
                         ko="PANEL 파일 또는 --db HISTORY.sqlite 중 하나만 주십시오")
    if args.db is None:
        return read_valid(args.panel, args, progress), args.describe
    reading = [f for f, d in (("--money-unit", "money_unit"), ("--sheet", "sheet"),
                              ("--header-row", "header_row")) if getattr(args, d) is not None]
    if reading:
        raise UsageError(f"{', '.join(reading)}: how to read a PANEL file, not --db (the store's "
                         "firm-years were read and validated when imported; money in 천원)",
                         ko=f"{', '.join(reading)}: PANEL 파일을 읽는 방법이며 --db와는 쓸 수 "
                            "없습니다 (저장소의 기업-연도는 저장할 때 읽고 검증했습니다; 금액은 천원)")
    from ktop_index.tracking.panel import panel_from_store

    progress.step("reading")
    panel = panel_from_store(args.db, min_years=horizon + 1)
    text = "Panel from " + panel.attrs["source"].text()
    return panel, f"{args.describe}; {text}" if args.describe else text


def _fit_command(args: argparse.Namespace) -> str:
    """The `ktop fit` command line that rebuilds the model (recorded in the model file): the
    seed always, every other option only when given and not the API's default."""
    seed = api_default(MODEL, "seed") if args.seed is None else args.seed
    data = ["--db", args.db] if args.db is not None else [args.panel]
    parts = ["ktop fit", *data, "-o", args.output, "--seed", str(seed)]
    for flag, dest, source in RECORDED:
        value = getattr(args, dest)
        if value is not None and (source is None or value != api_default(*source)):
            parts += [flag, str(value)]
    parts += [flag for flag, on in (("--controls", args.controls),
                                    ("--synthetic", args.synthetic)) if on]
    return " ".join(parts)


def cmd_psi(args: argparse.Namespace) -> int:
    """Print the population stability table of the batch against the model's reference."""
    from ktop_index.growth.model import population_stability
    from ktop_index.index.techindex import TechIndex

    progress = Progress(args.lang)
    batch = read_valid(args.batch, args, progress)
    model = TechIndex.load(args.model)
    progress.step("scoring")
    result = population_stability(model, batch)
    progress.close()
    print("bin  reference  batch      n")
    for row in result["table"]:
        print(f"{row['bin']:>3}  {row['reference_share']:>9.3f}  {row['batch_share']:>5.3f}  "
              f"{row['n']:>5}")
    verdict = result["verdict"]
    print(words("psi", args.lang).format(psi=result["psi"], n=result["n"],
                                         verdict=words(f"psi_{verdict}", args.lang),
                                         year=model.reference_["year"]))
    if verdict != "stable":
        how = words("psi_has_shifted" if verdict == "shifted" else "psi_has_moved", args.lang)
        print(words("psi_warning", args.lang).format(how=how), file=sys.stderr)
    return EXIT_OK
