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
                                   "domain and indicator weights, validate out of time, and write MODEL.json "
                                   "and its model card MODEL.md (docs/growth_model.md).")
    p.add_argument("panel", help="firm-year panel (CSV/XLSX/Parquet; at least 10 years)")
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
    progress = Progress(args.lang)
    panel = read_valid(args.panel, args, progress)
    truth = None
    if args.truth:
        from ktop_index.data.io import read_table
        truth = read_table(args.truth).frame
    rules = OutcomeRules(**given(args, measure="measure", annual_growth="annual_growth"))
    progress.step("fitting")
    model = GrowthModel(rules=rules, **given(
        args, spec="spec", base_year="base_year", combination="combination", level="level",
        min_weight="min_weight", controls="controls", n_bootstrap="bootstrap",
        n_refits="refits", seed="seed"))
    model.fit(panel, truth, synthetic=True if args.synthetic else None,
              command=_fit_command(args), progress=progress,
              **given(args, description="describe"))
    progress.step("writing")
    model.save(args.output)
    card = write_card(args.output)
    progress.close()
    validation = model.growth_["validation"]
    weights = ", ".join(f"{d} {w:.3f}" for d, w in model.weights_.items())
    print(words("fitted", args.lang).format(
        path=args.output, card=card, weights=weights, high=validation["high_growth"]["auc"],
        sustainable=validation["sustainable_growth"]["auc"]))
    return EXIT_OK


def _fit_command(args: argparse.Namespace) -> str:
    """The `ktop fit` command line that rebuilds the model (recorded in the model file): the
    seed always, every other option only when given and not the API's default."""
    seed = api_default(MODEL, "seed") if args.seed is None else args.seed
    parts = ["ktop fit", args.panel, "-o", args.output, "--seed", str(seed)]
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
