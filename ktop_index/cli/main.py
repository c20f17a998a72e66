"""The ``ktop`` command line: a thin layer that parses, calls the Python API, prints, exits.

Exit codes: 0 success, 1 the data has errors, 2 wrong usage (bad option, missing file).
No traceback reaches the user; set ``KTOP_DEBUG=1`` to see one.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from ktop_index import __version__

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2
MAX_SHOWN = 30  # errors printed by commands other than validate, which prints them all
MONEY_CHOICES = ("원", "천원", "백만원", "억원", "KRW", "KRW_thousand", "KRW_million")


class UsageError(Exception):
    """Wrong usage: exit 2 with a one-line message."""


def _lang(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", choices=("en", "ko"), default="en",
                        help="language of messages and column labels (default: en)")


def _reading(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--money-unit", choices=MONEY_CHOICES, metavar="UNIT",
                        help="unit of money columns whose header names none: 원, 천원 or 백만원")
    parser.add_argument("--sheet", help="XLSX sheet name or 0-based number (default: the first)")


# ---------------------------------------------------------------------------- commands

def cmd_schema(args: argparse.Namespace) -> int:
    from ktop_index.data.contract import dictionary

    rows = dictionary(args.lang)
    if args.output:
        import pandas as pd

        from ktop_index.data.io import write_table
        write_table(pd.DataFrame(rows), args.output)
        print(f"wrote {args.output}")
        return EXIT_OK
    keys = ("name", "label_ko", "type", "unit", "allowed", "required", "meaning")
    titles = {"en": keys, "ko": ("항목", "한글명", "형식", "단위", "허용값", "필수", "설명")}[args.lang]
    widths = [max(_width(str(r[k])) for r in rows + [dict(zip(keys, titles))]) for k in keys[:-1]]
    print(_row(titles, widths))
    for r in rows:
        print(_row([str(r[k]) for k in keys], widths))
    return EXIT_OK


def _width(text: str) -> int:
    """Display width: Hangul and other wide characters take two columns."""
    import unicodedata
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _row(cells: Sequence[str], widths: Sequence[int]) -> str:
    padded = [c + " " * (w - _width(c)) for c, w in zip(cells, widths)]
    return "  ".join(padded + list(cells[len(widths):])).rstrip()


def cmd_template(args: argparse.Namespace) -> int:
    from ktop_index.data.template import write_template

    write_template(args.output, lang=args.lang, example=args.example)
    print(f"wrote {args.output}")
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    from ktop_index.data.io import read_table
    from ktop_index.data.validate import validate

    result = validate(read_table(args.file, sheet=args.sheet), money_unit=args.money_unit)
    for problem in result.problems:
        if problem.severity == "error" or not args.quiet:
            print(problem.line(args.lang))
    n_err, n_warn = len(result.errors), len(result.warnings)
    rows = len(result.frame)
    if args.lang == "ko":
        summary = f"{args.file}: {rows}행, 오류 {n_err}건, 경고 {n_warn}건"
    else:
        summary = f"{args.file}: {rows} rows, {n_err} errors, {n_warn} warnings"
    print(summary, file=sys.stderr)
    return EXIT_DATA if n_err else EXIT_OK


def cmd_synth(args: argparse.Namespace) -> int:
    first, last = _year_range(args.years)
    from ktop_index import synth

    synth.write(args.output, n_firms=args.firms, years=(first, last), seed=args.seed)
    print(f"wrote {os.path.join(args.output, 'panel.parquet')} "
          f"({args.firms} firms, {first}-{last}, seed {args.seed})")
    return EXIT_OK


def _read_valid(path: str, args: argparse.Namespace, progress: Progress):
    """Read and validate an input file; every problem goes to stderr, errors stop the run."""
    from ktop_index.data.io import read_table
    from ktop_index.data.validate import DataError, validate

    progress.step("reading")
    table = read_table(path, sheet=getattr(args, "sheet", None))
    progress.rows = len(table.frame)
    progress.step("validating")
    result = validate(table, money_unit=getattr(args, "money_unit", None))
    for problem in result.warnings[:MAX_SHOWN]:
        print(problem.line(args.lang), file=sys.stderr)
    if len(result.warnings) > MAX_SHOWN:
        print(f"... and {len(result.warnings) - MAX_SHOWN} more warnings; `ktop validate FILE` "
              "lists them all", file=sys.stderr)
    if not result.ok:
        raise DataError(result.problems)
    return result.frame


class Progress:
    """Stage-by-stage progress on stderr, shown for large inputs (or a terminal)."""

    def __init__(self, stages: Sequence[str], threshold: int = 100_000):
        self.stages, self.done, self.rows, self.threshold = list(stages), 0, 0, threshold

    def step(self, stage: str) -> None:
        if self.rows >= self.threshold or sys.stderr.isatty():
            filled = round(20 * self.done / len(self.stages))
            print(f"[{'#' * filled}{'.' * (20 - filled)}] {stage} ({self.rows:,} rows)",
                  file=sys.stderr, flush=True)
        self.done += 1


def cmd_score(args: argparse.Namespace) -> int:
    import pyarrow as pa
    import pyarrow.compute as pc

    from ktop_index.data.io import CSV_SUFFIXES, write_csv_blocks, write_table
    from ktop_index.index.techindex import TechIndex, score_firms, score_firms_tables

    progress = Progress(["reading", "validating", "scoring", "writing"])
    frame = _read_valid(args.input, args, progress)
    model = TechIndex.load(args.model)
    grade = "등급" if args.lang == "ko" else "grade"
    if os.path.splitext(args.output)[1].lower() in CSV_SUFFIXES:
        # stream: each block is written while the next is scored, as arrow tables (the same
        # bytes as write_table(score_firms(...)), without a pandas frame per block)
        progress.step("scoring and writing")
        counted = []

        def blocks():
            for block in score_firms_tables(frame, model, lang=args.lang,
                                            workers=min(4, os.cpu_count() or 1)):
                is_nr = pc.equal(block[grade].cast(pa.string()), model.spec_["not_rated_grade"])
                counted.append(pc.sum(is_nr).as_py() or 0)
                yield block
        write_csv_blocks(blocks(), args.output)
        not_rated = sum(counted)
    else:
        progress.step("scoring")
        scored = score_firms(frame, model, lang=args.lang)
        progress.step("writing")
        write_table(scored, args.output)
        not_rated = int((scored[grade] == model.spec_["not_rated_grade"]).sum())
    print(f"wrote {args.output} ({len(frame)} firm-years, {not_rated} not rated; model "
          f"{model.spec_['name']} "
          f"{model.spec_['spec_version']}, reference year {model.reference_['year']})")
    unadjusted = model.unadjusted_rows(frame)
    if unadjusted:
        print(f"note: {unadjusted} firm-years have no KSIC code (ksic) or one of an industry "
              "the model's reference lacks; they are measured against the whole reference, "
              "not their industry", file=sys.stderr)
    return EXIT_OK


def cmd_rebase(args: argparse.Namespace) -> int:
    from ktop_index.index.techindex import TechIndex

    progress = Progress(["reading", "validating", "fitting"])
    frame = _read_valid(args.panel, args, progress)
    progress.step("fitting")
    if args.spec:
        model = TechIndex(spec=args.spec)
    else:
        model = TechIndex.load(args.model)
        model.spec = model.spec_
    model.fit(frame, reference_year=args.base_year)
    model.save(args.output)
    print(f"wrote {args.output} (reference year {model.reference_['year']}, "
          f"{model.reference_['rated_rows']} rated firm-years)")
    return EXIT_OK


def cmd_composite(args: argparse.Namespace) -> int:
    from ktop_index.index.composite import run_files

    run_files(args.data, args.meta, args.output, normalise=args.normalise,
              aggregate=args.aggregate, weights_path=args.weights,
              l_u=tuple(args.range), m_sd=tuple(args.mean_sd))
    print(f"wrote {args.output}")
    return EXIT_OK


# ---------------------------------------------------------------------------- ktop track

def cmd_track_import(args: argparse.Namespace) -> int:
    from ktop_index.tracking.history import import_path

    if not os.path.exists(args.path):
        raise UsageError(f"{args.path}: no such file or folder")
    print(import_path(args.path, args.db, note=args.note, model=args.model).line())
    return EXIT_OK


def _track_db(args: argparse.Namespace) -> str:
    """The store to read; a missing one is wrong usage, not an empty history."""
    from ktop_index.tracking.store import DEFAULT_PATH

    db = args.db or DEFAULT_PATH
    if not os.path.exists(db):
        raise UsageError(f"{db}: no tracking store here (import a file first: "
                         f"ktop track import FILE --db {db})")
    return db


def _track_show(frame, args: argparse.Namespace, columns: Sequence[str] | None = None) -> None:
    """Write the whole table to -o FILE, or print the chosen columns aligned; Korean labels
    with --lang ko."""
    if args.lang == "ko":
        from ktop_index.tracking.history import korean_labels

        frame = korean_labels(frame if args.output or not columns else frame[list(columns)])
        columns = None
    if args.output:
        from ktop_index.data.io import write_table

        write_table(frame, args.output)
        print(f"wrote {args.output} ({len(frame)} rows)")
        return
    import pandas as pd

    shown = frame[list(columns)] if columns else frame
    cells = [[str(c) for c in shown.columns]]
    numeric = [pd.api.types.is_numeric_dtype(shown[c]) and not pd.api.types.is_bool_dtype(
        shown[c]) for c in shown.columns]
    for values in shown.itertuples(index=False, name=None):
        cells.append([_track_cell(v) for v in values])
    widths = [max(_width(r[k]) for r in cells) for k in range(len(shown.columns))]
    for r in cells:
        print("  ".join((" " * (w - _width(c)) + c) if num else (c + " " * (w - _width(c)))
                        for c, w, num in zip(r, widths, numeric)).rstrip())


def _track_cell(value: object) -> str:
    import math

    if value is None or (isinstance(value, float) and math.isnan(value)) or str(value) in (
            "<NA>", "nan"):
        return ""
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 10_000 else f"{value:.2f}"
    return str(value)


def cmd_track_firm(args: argparse.Namespace) -> int:
    from ktop_index.tracking.history import firm_trajectory

    frame = firm_trajectory(args.brn, _track_db(args))
    _track_show(frame, args, ["year", "tech_index", "grade", "infrastructure", "input",
                              "activity", "outcome", "revenue", "employees", "change",
                              "contrib_change_infrastructure", "contrib_change_input",
                              "contrib_change_activity", "contrib_change_outcome",
                              "grade_move"])
    return EXIT_OK


def cmd_track_industry(args: argparse.Namespace) -> int:
    from ktop_index.tracking.history import industry_series

    by = "region" if args.by == "region" else "ksic_division"
    _track_show(industry_series(_track_db(args), by=by, min_n=args.min_n, lang=args.lang),
                args)
    return EXIT_OK


def cmd_track_effect(args: argparse.Namespace) -> int:
    import textwrap

    from ktop_index.tracking.history import support_effect

    frame = support_effect(_track_db(args), args.call, support_year=args.support_year,
                           caliper=args.caliper, n_boot=args.n_boot, seed=args.seed)
    _track_show(frame, args, ["outcome", "horizon", "n_pairs", "treated_pre", "treated_post",
                              "control_pre", "control_post", "did", "ci_low", "ci_high"])
    if not args.output:
        from ktop_index.tracking.history import EFFECT_ASSUMPTIONS_KO

        text = EFFECT_ASSUMPTIONS_KO if args.lang == "ko" else frame.attrs["assumptions"]
        print("\n" + textwrap.fill(text, width=96 if args.lang == "en" else 60))
    unmatched = frame.attrs["unmatched"]
    if len(unmatched):
        print(("\n매칭되지 않아 추정에서 빠진 지원기업 " if args.lang == "ko" else
               "\nSupported firms left out of the estimate (no comparable control) ")
              + f"{len(unmatched)}: " + ", ".join(unmatched["brn"].astype("str").head(10))
              + (" ..." if len(unmatched) > 10 else ""))
    return EXIT_OK


def cmd_track_monitor(args: argparse.Namespace) -> int:
    from ktop_index.tracking.history import monitor

    thresholds = {"tech_index": args.index_drop, "revenue": args.revenue_drop,
                  "employees": args.employment_drop, "stale_years": args.stale_years}
    frame = monitor(_track_db(args), args.call, thresholds=thresholds, as_of=args.as_of,
                    support_year=args.support_year, lang=args.lang)
    _track_show(frame, args, ["brn", "firm_name", "last_year", "tech_index_last",
                              "revenue_last", "employees_last", "flags"])
    return EXIT_OK


def _track_help(args: argparse.Namespace) -> int:
    raise UsageError("expected a subcommand: import, firm, industry, effect or monitor "
                     "(ktop track --help)")


def cmd_select(args: argparse.Namespace) -> int:
    import hashlib

    from ktop_index.index.techindex import TechIndex
    from ktop_index.selection.calls import load_call
    from ktop_index.selection.decide import select, summary_lines, write_selection

    call = load_call(args.call)
    progress = Progress(["reading", "validating", "selecting", "writing"])
    frame = _read_valid(args.applicants, args, progress)
    committee = None
    if args.committee:
        from ktop_index.selection.committee import load_preset, read_scores
        items = load_preset() if args.committee_items == "committee_2025" else None
        committee = read_scores(args.committee, items=items)
    with open(args.applicants, "rb") as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()
    progress.step("selecting")
    result = select(frame, call, model=TechIndex.load(args.model), committee=committee,
                    optimal_mode=args.optimal, variants=args.variants, seed=args.seed,
                    input_sha256=digest, created=args.created)
    result.audit["input_file"] = os.path.basename(args.applicants)
    progress.step("writing")
    paths = write_selection(result, args.output, lang=args.lang)
    for line in summary_lines(result, args.lang):
        print(line)
    print(("작성: " if args.lang == "ko" else "wrote ") + ", ".join(str(p) for p in paths.values()))
    return EXIT_OK


def _year_range(text: str) -> tuple[int, int]:
    try:
        first, last = (int(part) for part in text.split("-"))
    except ValueError:
        raise UsageError(f"--years '{text}': expected FIRST-LAST, e.g. 2014-2024") from None
    if first > last:
        raise UsageError(f"--years '{text}': the first year is after the last")
    return first, last


def _report_help(args: argparse.Namespace) -> int:
    raise UsageError("expected a subcommand: selection or firm (ktop report --help)")


def cmd_report_selection(args: argparse.Namespace) -> int:
    from ktop_index.report.html import report_selection

    path = report_selection(args.outdir, lang=args.lang, output=args.output)
    print(("작성: " if args.lang == "ko" else "wrote ") + str(path))
    return EXIT_OK


def cmd_report_firm(args: argparse.Namespace) -> int:
    from ktop_index.report.html import report_firm

    path = report_firm(args.brn, args.scores, db=args.db, model=args.model,
                       output=args.output, lang=args.lang)
    print(("작성: " if args.lang == "ko" else "wrote ") + str(path))
    return EXIT_OK


def cmd_fit(args: argparse.Namespace) -> int:
    from ktop_index.growth.card import write_card
    from ktop_index.growth.model import GrowthModel
    from ktop_index.growth.outcomes import OutcomeRules

    if not args.output.endswith(".json"):
        raise UsageError(f"-o {args.output}: expected a model file name ending in .json "
                         "(the card is written beside it as .md)")
    progress = Progress(["reading", "validating", "fitting", "writing"])
    panel = _read_valid(args.panel, args, progress)
    truth = None
    if args.truth:
        from ktop_index.data.io import read_table
        truth = read_table(args.truth).frame
    rules = OutcomeRules(measure=args.measure, annual_growth=args.annual_growth)
    progress.step("fitting")
    model = GrowthModel(spec=args.spec, base_year=args.base_year, rules=rules,
                        combination=args.combination, level=args.level,
                        min_weight=args.min_weight, controls=args.controls,
                        n_bootstrap=args.bootstrap, n_refits=args.refits, seed=args.seed)
    model.fit(panel, truth, synthetic=True if args.synthetic else None,
              description=args.describe or "", command=_fit_command(args))
    progress.step("writing")
    model.save(args.output)
    card = write_card(args.output)
    validation = model.growth_["validation"]
    weights = ", ".join(f"{d} {w:.3f}" for d, w in model.weights_.items())
    print(f"wrote {args.output} and {card} (weights: {weights}; out-of-time AUC high growth "
          f"{validation['high_growth']['auc']:.3f}, sustainable growth "
          f"{validation['sustainable_growth']['auc']:.3f})")
    return EXIT_OK


def _fit_command(args: argparse.Namespace) -> str:
    """The `ktop fit` command line that rebuilds the model (recorded in the model file)."""
    parts = ["ktop fit", args.panel, "-o", args.output, "--seed", str(args.seed)]
    options = (("--base-year", args.base_year, None), ("--truth", args.truth, None),
               ("--spec", args.spec, None), ("--measure", args.measure, "either"),
               ("--annual-growth", args.annual_growth, 0.20),
               ("--combination", args.combination, 0.5), ("--level", args.level, "indicators"),
               ("--min-weight", args.min_weight, 0.05),
               ("--bootstrap", args.bootstrap, 200),
               ("--refits", args.refits, 50))
    for flag, value, default in options:
        if value is not None and value != default:
            parts += [flag, str(value)]
    parts += [flag for flag, on in (("--controls", args.controls),
                                    ("--synthetic", args.synthetic)) if on]
    return " ".join(parts)


def cmd_psi(args: argparse.Namespace) -> int:
    from ktop_index.growth.model import population_stability
    from ktop_index.index.techindex import TechIndex

    progress = Progress(["reading", "validating", "scoring"])
    batch = _read_valid(args.batch, args, progress)
    model = TechIndex.load(args.model)
    progress.step("scoring")
    result = population_stability(model, batch)
    print("bin  reference  batch      n")
    for row in result["table"]:
        print(f"{row['bin']:>3}  {row['reference_share']:>9.3f}  {row['batch_share']:>5.3f}  "
              f"{row['n']:>5}")
    print(f"PSI {result['psi']:.4f} ({result['verdict']}; {result['n']} rated firm-years "
          f"against reference year {model.reference_['year']})")
    if result["verdict"] != "stable":
        print(f"ktop psi: warning: the batch's Tech-Index distribution has "
              f"{'shifted' if result['verdict'] == 'shifted' else 'moved'} from the reference "
              "(PSI >= 0.10 watch, >= 0.25 shifted); consider `ktop rebase` or `ktop fit`",
              file=sys.stderr)
    return EXIT_OK


# ---------------------------------------------------------------------------- parser

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ktop",
        description="Open Tech-Index (기업혁신역량지수) for selecting and tracking the firms a "
                    "support program backs. Exit codes: 0 ok, 1 data errors, 2 wrong usage.")
    parser.add_argument("--version", action="version", version=f"ktop_index {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("schema", help="print the firm-year data dictionary",
                       description="Print the data dictionary: name, Korean label, type, unit, "
                                   "allowed range, required or not, meaning.")
    _lang(p)
    p.add_argument("-o", "--output", help="write it to a CSV/XLSX file instead")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("template", help="write an empty CSV/XLSX to fill in",
                       description="Write an empty firm-year file with the contract's headers "
                                   "(money headers carry their unit, 천원).")
    p.add_argument("-o", "--output", required=True, help="FILE.csv or FILE.xlsx")
    p.add_argument("--example", action="store_true", help="include one example row")
    _lang(p)
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("validate", help="check a firm-year file and list every problem",
                       description="Check FILE against the data contract and print every "
                                   "problem as FILE:ROW:COLUMN: message. Exit 1 if any error.")
    p.add_argument("file", help="CSV (UTF-8 or CP949), XLSX or Parquet")
    p.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    _reading(p)
    _lang(p)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("synth", help="generate the synthetic firm panel",
                       description="Generate a synthetic Korean SME panel with a known latent "
                                   "capability (docs/synth.md); writes DIR/panel.parquet and "
                                   "DIR/truth.parquet. Same seed, same bytes.")
    p.add_argument("--firms", type=int, default=5000, help="number of firms (default 5000)")
    p.add_argument("--years", default="2014-2024", help="FIRST-LAST (default 2014-2024)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="output folder")
    p.set_defaults(func=cmd_synth)

    p = sub.add_parser("score", help="compute the Tech-Index of every firm-year in a file",
                       description="Score INPUT (CSV/XLSX/Parquet) with a fitted model and write "
                                   "the four domain scores, composite, tech_index (base 100), "
                                   "grade, percentiles, coverage and reasons to OUTPUT.")
    p.add_argument("input", help="firm-year file (the data contract; Korean headers accepted)")
    p.add_argument("-o", "--output", required=True, help="OUTPUT.csv, .xlsx or .parquet")
    p.add_argument("--model", help="model file (default: the bundled model, fitted on the "
                                   "bundled synthetic reference population)")
    _reading(p)
    _lang(p)
    p.set_defaults(func=cmd_score)

    p = sub.add_parser("rebase", help="refit the index's normalisation on a new base year",
                       description="Fit the normalisation (goalposts, mean-100 scale, grade "
                                   "cut-offs, percentiles) on the rows of --base-year, keeping "
                                   "the method and weights of --model or --spec. The new model "
                                   "records the base year and the data hash; nothing else "
                                   "changes a model's base.")
    p.add_argument("panel", help="firm-year panel holding the base year (and the year before)")
    p.add_argument("--base-year", type=int, required=True, help="the reference year")
    p.add_argument("-o", "--output", required=True, help="the new model file (.json)")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--model", help="model whose method and weights to keep (default: "
                                        "the bundled model)")
    source.add_argument("--spec", help="an index specification (.json) to fit instead")
    _reading(p)
    _lang(p)
    p.set_defaults(func=cmd_rebase)

    p = sub.add_parser("composite", help="build a composite index from COINr-style tables",
                       description="Build a composite indicator from DATA (COINr iData: uCode "
                                   "and indicator columns) and META (COINr iMeta: iCode, Level, "
                                   "Parent, Weight, Direction, Type). OUT has one row per unit: "
                                   "the normalised indicators and every aggregate level.")
    p.add_argument("data", help="iData CSV")
    p.add_argument("meta", help="iMeta CSV")
    p.add_argument("-o", "--output", required=True, help="OUT.csv")
    p.add_argument("--normalise", default="minmax",
                   choices=("minmax", "zscore", "rank", "percentile", "goalposts"),
                   help="normalisation (default minmax, 0-100)")
    p.add_argument("--aggregate", default="amean", choices=("amean", "gmean"),
                   help="aggregation (default amean: weighted arithmetic mean)")
    p.add_argument("--weights", help="weights table (iCode, Level, Weight) overriding iMeta's")
    p.add_argument("--range", nargs=2, type=float, default=(0.0, 100.0), metavar=("L", "U"),
                   help="min-max target range (default 0 100; gmean needs L > 0, e.g. 1 100)")
    p.add_argument("--mean-sd", nargs=2, type=float, default=(0.0, 1.0), metavar=("M", "SD"),
                   help="z-score target mean and sd (default 0 1)")
    p.set_defaults(func=cmd_composite)
    p = sub.add_parser("track", help="the history of scores and supported firms (a store)",
                       description="An append-only history (SQLite, default "
                                   "./ktop_history.sqlite) of every scored firm-year and every "
                                   "selection, and the analyses that read it.")
    p.set_defaults(func=_track_help)
    track = p.add_subparsers(dest="track_command", metavar="SUBCOMMAND")

    def track_parser(name: str, help_text: str, description: str) -> argparse.ArgumentParser:
        q = track.add_parser(name, help=help_text, description=description)
        q.add_argument("--db", metavar="PATH",
                       help="the store (default: ./ktop_history.sqlite)")
        if name != "import":
            q.add_argument("-o", "--output", metavar="FILE",
                           help="write the table to FILE.csv/.xlsx instead of printing it")
            _lang(q)
        return q

    q = track_parser("import", "store a scored or raw firm-year file, or a selection folder",
                     "Store FILE in the history: a raw firm-year file is validated and scored "
                     "with --model (default: the bundled model); a scored file (ktop score "
                     "output) is stored as it is; a `ktop select` output folder records which "
                     "firms a call supported. The same file and model twice is stored once.")
    q.add_argument("path", metavar="FILE_OR_SELECTION_DIR")
    q.add_argument("--note", metavar="TEXT", help="a note kept with the run")
    q.add_argument("--model", metavar="FILE", help="model file (raw files are scored with it; "
                                                   "for scored files it records the model)")
    q.set_defaults(func=cmd_track_import)

    q = track_parser("firm", "a firm's Tech-Index by year, changes split into domains",
                     "A firm's Tech-Index, grade and domain scores by year (the latest run of "
                     "each year), the year-on-year change split into the four domains' "
                     "contributions, and grade moves. Money in KRW thousand (천원).")
    q.add_argument("brn", metavar="BRN", help="business number (or firm_id)")
    q.set_defaults(func=cmd_track_firm)

    q = track_parser("industry", "median and quartiles of the index per year by industry",
                     "Median and quartiles of the Tech-Index per year, by KSIC division "
                     "(default) or by region (시도).")
    q.add_argument("--by", choices=("ksic", "region"), default="ksic",
                   help="group by KSIC division (default) or region")
    q.add_argument("--min-n", type=int, default=1, metavar="N",
                   help="leave out groups of fewer than N firms (default 1)")
    q.set_defaults(func=cmd_track_industry)

    q = track_parser("effect", "supported vs matched unsupported applicants (DiD)",
                     "Difference-in-differences of Tech-Index, revenue (천원) and employees: "
                     "supported firms of a call against unsupported eligible applicants "
                     "matched on pre-support Tech-Index and size, with a bootstrap interval.")
    q.add_argument("--call", required=True, metavar="NAME", help="call name, e.g. jeju_2025")
    q.add_argument("--support-year", type=int, metavar="YEAR",
                   help="first year of support (default: the year in the call's name)")
    q.add_argument("--caliper", type=float, default=0.5,
                   help="largest matching distance in sd units (default 0.5)")
    q.add_argument("--n-boot", type=int, default=999, help="bootstrap replicates (default 999)")
    q.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    q.set_defaults(func=cmd_track_effect)

    q = track_parser("monitor", "flags for supported firms: drops and missing data",
                     "Flag a call's supported firms whose Tech-Index, revenue or employment "
                     "dropped beyond a threshold (against the previous year or the "
                     "pre-support year) or whose data stopped arriving.")
    q.add_argument("--call", required=True, metavar="NAME", help="call name, e.g. jeju_2025")
    q.add_argument("--index-drop", type=float, default=10.0, metavar="POINTS",
                   help="Tech-Index drop that raises a flag (default 10 points)")
    q.add_argument("--revenue-drop", type=float, default=0.2, metavar="SHARE",
                   help="revenue drop that raises a flag (default 0.2 = 20%%)")
    q.add_argument("--employment-drop", type=float, default=0.2, metavar="SHARE",
                   help="employment drop that raises a flag (default 0.2 = 20%%)")
    q.add_argument("--stale-years", type=int, default=1, metavar="N",
                   help="years without data that raise a flag (default 1)")
    q.add_argument("--as-of", type=int, metavar="YEAR",
                   help="the year data should have reached (default: the store's latest)")
    q.add_argument("--support-year", type=int, metavar="YEAR",
                   help="first year of support (default: the year in the call's name)")
    q.set_defaults(func=cmd_track_monitor)
    p = sub.add_parser("select", help="select the firms of a call: eligibility, rank, money",
                       description="Screen APPLICANTS against a call (regions, industries, SME "
                                   "size, documents), rank the eligible by the call's selection "
                                   "score, allocate the budget (support, self-burden, national "
                                   "and local shares in 천원), test each selection's robustness, "
                                   "and write OUTDIR/selection.csv, selection.xlsx, audit.json.")
    p.add_argument("applicants", help="applicants file (CSV/XLSX; Korean headers accepted)")
    p.add_argument("--call", required=True, metavar="CALL",
                   help="call file (.toml) or bundled call name, e.g. jeju_2025")
    p.add_argument("-o", "--output", required=True, metavar="OUTDIR", help="output folder")
    p.add_argument("--committee", metavar="SCORES",
                   help="presentation scores, long table: 사업자등록번호, 평가위원, 평가항목, 점수")
    p.add_argument("--committee-items", default="committee_2025", choices=("committee_2025", "any"),
                   help="check items and maximum points against the 2025 100-point table "
                        "(default) or accept any items")
    p.add_argument("--model", help="model file (default: the bundled model)")
    p.add_argument("--optimal", action="store_true",
                   help="choose the set with the largest total score within the budget "
                        "(the summary shows how it differs from rank order)")
    p.add_argument("--variants", type=int, metavar="N",
                   help="robustness variants (default: the call's; 0 = none)")
    p.add_argument("--seed", type=int, metavar="S", help="robustness seed (default: the call's)")
    p.add_argument("--created", metavar="TIME",
                   help="time stamp for audit.json (default: now, UTC), for byte-identical reruns")
    _reading(p)
    _lang(p)
    p.set_defaults(func=cmd_select)
    p = sub.add_parser("report", help="one-file HTML reports: a selection round, a firm",
                       description="Self-contained HTML reports (pictures embedded, no network "
                                   "references) to mail or archive.")
    p.set_defaults(func=_report_help)
    report = p.add_subparsers(dest="report_command", metavar="SUBCOMMAND")
    q = report.add_parser("selection", help="the report of a selection round",
                          description="Report of a `ktop select` output folder (selection.csv, "
                                      "audit.json): the call, the counts, the pictures, the "
                                      "ranked table, the robustness findings, the audit record. "
                                      "Writes OUTDIR/report.html (report_ko.html with --lang ko).")
    q.add_argument("outdir", metavar="OUTDIR", help="the output folder of `ktop select`")
    q.add_argument("-o", "--output", metavar="FILE.html", help="the HTML file to write instead")
    _lang(q)
    q.set_defaults(func=cmd_report_selection)
    q = report.add_parser("firm", help="a firm's report card",
                          description="A firm's report card: Tech-Index, grade, domain scores "
                                      "against its industry, reasons, trajectory and what would "
                                      "raise its index most.")
    q.add_argument("brn", metavar="BRN", help="the firm's business registration number")
    q.add_argument("--scores", required=True, metavar="FILE",
                   help="firm data (scored here; gives the per-indicator analysis) or a "
                        "`ktop score` output file")
    q.add_argument("--db", metavar="PATH", help="tracking store for the trajectory")
    q.add_argument("--model", metavar="FILE", help="model file (default: the bundled model)")
    q.add_argument("-o", "--output", metavar="FILE.html",
                   help="the HTML file (default: firm_<BRN>.html)")
    _lang(q)
    q.set_defaults(func=cmd_report_firm)

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
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--spec", help="index specification (.json; default: the bundled one)")
    p.add_argument("--measure", choices=("either", "employees", "revenue"), default="either",
                   help="high growth in employees, revenue, or either (default)")
    p.add_argument("--annual-growth", type=float, default=0.20, metavar="RATE",
                   help="annualised growth of a high-growth firm (default 0.20)")
    p.add_argument("--combination", type=float, default=0.5, metavar="SHARE",
                   help="share of the high-growth perspective in the weights (default 0.5)")
    p.add_argument("--level", choices=("indicators", "domains"), default="indicators",
                   help="fit each perspective on the indicator scores (default; learns domain "
                        "and indicator weights) or on the four domain scores")
    p.add_argument("--min-weight", type=float, default=0.05, metavar="W",
                   help="smallest weight of a domain (default 0.05; 0 lets a domain drop out)")
    p.add_argument("--controls", action="store_true",
                   help="adjust the perspective models for size, age and industry")
    p.add_argument("--bootstrap", type=int, default=200, metavar="N",
                   help="bootstrap samples for confidence intervals (default 200)")
    p.add_argument("--refits", type=int, default=50, metavar="N",
                   help="bootstrap refits of the weights (default 50)")
    p.add_argument("--synthetic", action="store_true",
                   help="say on the card that the panel is synthetic (implied by --truth)")
    p.add_argument("--describe", metavar="TEXT", help="what the panel is, for the card")
    _reading(p)
    _lang(p)
    p.set_defaults(func=cmd_fit)

    p = sub.add_parser("psi", help="has a new batch drifted from the model's reference?",
                       description="Population stability index of BATCH's Tech-Index against "
                                   "the reference population of MODEL (10 reference deciles): "
                                   "below 0.10 stable, 0.10-0.25 watch, 0.25 or more shifted.")
    p.add_argument("model", help="model file (.json)")
    p.add_argument("batch", help="firm-year file to check (e.g. this year's applicants)")
    _reading(p)
    _lang(p)
    p.set_defaults(func=cmd_psi)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ktop`` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    return run(args.func, args)


def run(func: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Call a command, turning every failure into a one-line message and an exit code."""
    from ktop_index.data.io import InputError
    from ktop_index.data.validate import DataError

    try:
        return func(args)
    except BrokenPipeError:  # output piped into `head`: not an error
        sys.stderr.close()
        return EXIT_OK
    except UsageError as exc:
        print(f"ktop {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except InputError as exc:
        print(f"ktop {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except DataError as exc:
        errors = [p for p in exc.problems if p.severity == "error"]
        for problem in errors[:MAX_SHOWN]:
            print(problem.line(getattr(args, "lang", "en")), file=sys.stderr)
        if len(errors) > MAX_SHOWN:
            print(f"... and {len(errors) - MAX_SHOWN} more errors; `ktop validate FILE` lists "
                  "them all", file=sys.stderr)
        return EXIT_DATA
    except OSError as exc:
        print(f"ktop {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ValueError as exc:
        if os.environ.get("KTOP_DEBUG"):
            raise
        print(f"ktop {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_DATA
    except Exception as exc:  # the user must never see a traceback
        if os.environ.get("KTOP_DEBUG"):
            raise
        print(f"ktop {args.command}: internal error: {type(exc).__name__}: {exc} "
              "(set KTOP_DEBUG=1 for details)", file=sys.stderr)
        return EXIT_DATA


if __name__ == "__main__":
    sys.exit(main())
