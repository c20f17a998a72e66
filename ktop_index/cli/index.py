"""``ktop score``, ``ktop rebase``, ``ktop composite``: the Tech-Index and the composite engine."""

from __future__ import annotations

import argparse
import sys

from ktop_index.cli._common import (
    EXIT_OK,
    ApiDefault,
    Progress,
    add_api_option,
    add_lang,
    add_mask,
    add_reading,
    given,
    keep_freed_memory,
    read_valid,
    show_warnings,
    skip_imported_objects,
    use_jemalloc,
    warnings_first,
    words,
)

RUN_FILES = "ktop_index.index.composite:run_files"  # `ktop composite` calls it; its defaults


def add_parsers(sub) -> None:
    """Add ``score``, ``rebase`` and ``composite`` to the ``ktop`` subparsers."""
    _add_score(sub)
    _add_rebase(sub)
    _add_composite(sub)


def _add_score(sub) -> None:
    p = sub.add_parser("score", help="compute the Tech-Index of every firm-year in a file",
                       description="Score INPUT (CSV/XLSX/Parquet) with a fitted model and write "
                                   "the four domain scores, composite, tech_index (base 100), "
                                   "grade, percentiles, coverage and reasons to OUTPUT.")
    p.add_argument("input", help="firm-year file (the data contract; Korean headers accepted)")
    p.add_argument("-o", "--output", required=True, help="OUTPUT.csv, .xlsx or .parquet")
    p.add_argument("--model", help="model file (default: the bundled model, fitted on the "
                                   "bundled synthetic reference population)")
    p.add_argument("--rejects", metavar="REJECTS.csv",
                   help="quarantine for batch jobs: score the rows without errors and write "
                        "each row with an error, its row number and its problems to this "
                        "file (written even when empty); without it any error refuses the "
                        "file. Errors of the file as a whole (a missing column, a money "
                        "unit) still refuse it")
    p.add_argument("--engine", choices=("local", "dask"), default="local",
                   help="local: this process, in bounded memory (default); dask: on a Dask "
                        "cluster, for data beyond one machine (CSV or Parquet; INPUT may be a "
                        "folder or a pattern; needs pip install 'ktop_index[dask]')")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="with --engine dask: the Dask scheduler, e.g. tcp://host:8786 (its "
                        "workers must read INPUT's path); default: Dask's threads here")
    p.add_argument("--partitions", type=_partitions, metavar="N",
                   help="with --engine dask: partitions to read into and to group the firms "
                        "into (default: Dask's, a file or 64 MB each)")
    add_mask(p)
    add_reading(p)
    add_lang(p)
    p.set_defaults(func=cmd_score)


def _add_rebase(sub) -> None:
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
    add_reading(p)
    add_lang(p)
    p.set_defaults(func=cmd_rebase)


def _add_composite(sub) -> None:
    p = sub.add_parser("composite", help="build a composite index from COINr-style tables",
                       description="Build a composite indicator from DATA (COINr iData: uCode "
                                   "and indicator columns) and META (COINr iMeta: iCode, Level, "
                                   "Parent, Weight, Direction, Type). OUT has one row per unit: "
                                   "the normalised indicators and every aggregate level.")
    p.add_argument("data", help="iData CSV")
    p.add_argument("meta", help="iMeta CSV")
    p.add_argument("-o", "--output", required=True, help="OUT.csv")
    add_api_option(p, "--normalise", default=ApiDefault(RUN_FILES, "normalise"),
                   choices=("minmax", "zscore", "rank", "percentile", "goalposts"),
                   help="normalisation (default %(api_default)s; minmax scales to --range)")
    add_api_option(p, "--aggregate", default=ApiDefault(RUN_FILES, "aggregate"),
                   choices=("amean", "gmean"),
                   help="aggregation: amean (weighted arithmetic mean) or gmean (weighted "
                        "geometric mean; default %(api_default)s)")
    p.add_argument("--weights", help="weights table (iCode, Level, Weight) overriding iMeta's")
    add_api_option(p, "--range", nargs=2, type=float, metavar=("L", "U"),
                   default=ApiDefault(RUN_FILES, "l_u", show=_pair_text),
                   help="min-max target range (default %(api_default)s; gmean needs L > 0, "
                        "e.g. 1 100)")
    add_api_option(p, "--mean-sd", nargs=2, type=float, metavar=("M", "SD"),
                   default=ApiDefault(RUN_FILES, "m_sd", show=_pair_text),
                   help="z-score target mean and sd (default %(api_default)s)")
    p.set_defaults(func=cmd_composite)


def _pair_text(pair: tuple[float, float]) -> str:
    return " ".join(f"{value:g}" for value in pair)


def _partitions(text: str) -> int:
    """A partition count for ``--partitions`` (argparse reports a ValueError)."""
    number = int(text)
    if number < 1:
        raise ValueError(text)
    return number


_partitions.__name__ = "partition count"  # argparse: "invalid partition count value: '0'"


def _check_engine(args: argparse.Namespace) -> None:
    """Options that belong to one engine only."""
    from ktop_index.errors import UsageError

    if args.engine == "dask" and args.rejects:
        raise UsageError("--rejects works with the local engine only (drop --engine dask)",
                         ko="--rejects는 기본(local) 엔진에서만 됩니다 (--engine dask를 빼세요)")
    if args.engine == "dask" and (args.sheet is not None or args.header_row is not None):
        raise UsageError("--sheet and --header-row work with the local engine only (the "
                         "Dask engine reads CSV with the header on row 1, or Parquet)",
                         ko="--sheet와 --header-row는 기본(local) 엔진에서만 됩니다 (Dask 엔진은 "
                            "머리글이 1행인 CSV 또는 Parquet를 읽습니다)")
    if args.engine != "dask" and (args.scheduler or args.partitions):
        raise UsageError("--scheduler and --partitions need --engine dask",
                         ko="--scheduler와 --partitions는 --engine dask와 함께 쓰세요")


def cmd_score(args: argparse.Namespace) -> int:
    """Score the input with the model and write it (a CSV block by block)."""
    keep_freed_memory()
    use_jemalloc()
    _check_engine(args)
    stream = _begin_reading(args)
    from ktop_index.index.files import score_file  # pandas loads while the stream reads

    skip_imported_objects()
    progress = Progress(args.lang)
    if args.engine == "dask":
        from ktop_index.index.distributed import score_file_dask

        with warnings_first(args.lang):
            run = score_file_dask(args.input, args.output, args.model,
                                  scheduler=args.scheduler, partitions=args.partitions,
                                  lang=args.lang, money_unit=args.money_unit, mask=args.mask,
                                  progress=progress)
    else:
        with warnings_first(args.lang):
            run = score_file(args.input, args.output, args.model, lang=args.lang,
                             sheet=args.sheet, header_row=args.header_row,
                             money_unit=args.money_unit, mask=args.mask,
                             rejects=args.rejects, progress=progress, stream=stream)
    progress.close()
    show_warnings(run.warnings, args.lang)
    spec, reference = run.model.spec_, run.model.reference_
    print(words("scored_rejects" if args.rejects else "scored", args.lang).format(
        path=args.output, rows=run.rows, not_rated=run.not_rated, name=spec["name"],
        version=spec["spec_version"], year=reference["year"], rejected=run.rejected,
        rejects=args.rejects))
    if run.unadjusted:
        print(words("unadjusted", args.lang).format(n=run.unadjusted), file=sys.stderr)
    return EXIT_OK


def _begin_reading(args: argparse.Namespace):
    """The input opened as a stream and begun (:meth:`TableStream.start`) when ``ktop score``
    will stream it (a CSV or Parquet file to a CSV or Parquet file, here): None otherwise."""
    from ktop_index.data.io import stream_table, written_in_blocks

    if args.engine != "local" or args.sheet is not None or not written_in_blocks(args.output):
        return None
    stream = stream_table(args.input, header_row=args.header_row)
    return stream.start() if stream is not None else None


def cmd_rebase(args: argparse.Namespace) -> int:
    """Refit the normalisation on the base year; write the new model."""
    from ktop_index.index.techindex import TechIndex

    progress = Progress(args.lang)
    frame = read_valid(args.panel, args, progress)
    progress.step("fitting")
    if args.spec:
        model = TechIndex(spec=args.spec).fit(frame, reference_year=args.base_year)
    else:
        model = TechIndex.load(args.model).rebase(frame, reference_year=args.base_year)
    model.save(args.output)
    progress.close()
    print(words("rebased", args.lang).format(path=args.output, year=model.reference_["year"],
                                             rated=model.reference_["rated_rows"]))
    return EXIT_OK


def cmd_composite(args: argparse.Namespace) -> int:
    """Build the composite from the COINr-style tables and write OUT."""
    from ktop_index.index.composite import run_files

    options = given(args, normalise="normalise", aggregate="aggregate", l_u="range",
                    m_sd="mean_sd")
    options = {name: tuple(v) if isinstance(v, list) else v for name, v in options.items()}
    run_files(args.data, args.meta, args.output, weights_path=args.weights, **options)
    print(words("wrote", args.lang) + args.output)
    return EXIT_OK
