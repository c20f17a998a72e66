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
    from ktop_index.contract import dictionary

    rows = dictionary(args.lang)
    if args.output:
        import pandas as pd

        from ktop_index.io import write_table
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
    from ktop_index.template import write_template

    write_template(args.output, lang=args.lang, example=args.example)
    print(f"wrote {args.output}")
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    from ktop_index.io import read_table
    from ktop_index.validate import validate

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


def _read_valid(path: str, args: argparse.Namespace, progress: "Progress"):
    """Read and validate an input file; every problem goes to stderr, errors stop the run."""
    from ktop_index.io import read_table
    from ktop_index.validate import DataError, validate

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
    from ktop_index.index import TechIndex, score_firms, score_firms_blocks
    from ktop_index.io import CSV_SUFFIXES, write_csv_blocks, write_table

    progress = Progress(["reading", "validating", "scoring", "writing"])
    frame = _read_valid(args.input, args, progress)
    model = TechIndex.load(args.model)
    grade = "등급" if args.lang == "ko" else "grade"
    if os.path.splitext(args.output)[1].lower() in CSV_SUFFIXES:
        # stream: each block is written while the next is scored
        progress.step("scoring and writing")
        counted = []

        def blocks():
            for block in score_firms_blocks(frame, model, lang=args.lang):
                counted.append(int((block[grade] == model.spec_["not_rated_grade"]).sum()))
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
    return EXIT_OK


def cmd_rebase(args: argparse.Namespace) -> int:
    from ktop_index.index import TechIndex

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
    from ktop_index.composite import run_files

    run_files(args.data, args.meta, args.output, normalise=args.normalise,
              aggregate=args.aggregate, weights_path=args.weights,
              l_u=tuple(args.range), m_sd=tuple(args.mean_sd))
    print(f"wrote {args.output}")
    return EXIT_OK


def _year_range(text: str) -> tuple[int, int]:
    try:
        first, last = (int(part) for part in text.split("-"))
    except ValueError:
        raise UsageError(f"--years '{text}': expected FIRST-LAST, e.g. 2014-2024") from None
    if first > last:
        raise UsageError(f"--years '{text}': the first year is after the last")
    return first, last


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
    from ktop_index.io import InputError
    from ktop_index.validate import DataError

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
    except Exception as exc:  # noqa: BLE001 - the user must never see a traceback
        if os.environ.get("KTOP_DEBUG"):
            raise
        print(f"ktop {args.command}: internal error: {type(exc).__name__}: {exc} "
              "(set KTOP_DEBUG=1 for details)", file=sys.stderr)
        return EXIT_DATA


if __name__ == "__main__":
    sys.exit(main())
