"""``ktop track import|firm|industry|effect|monitor|purge``: the history store, its analyses
and the right to deletion."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence

from ktop_index.cli._common import (
    EXIT_OK,
    ApiDefault,
    add_api_option,
    add_lang,
    given,
    needs_subcommand,
    print_frame,
    share_text,
    words,
)
from ktop_index.errors import UsageError

# the API the commands call; their signatures (and the store's path) hold the defaults
STORE_PATH = "ktop_index.tracking.store:DEFAULT_PATH"
INDUSTRY = "ktop_index.tracking.history:industry_series"
EFFECT = "ktop_index.tracking.effect:support_effect"
THRESHOLDS = "ktop_index.tracking.monitor:DEFAULT_THRESHOLDS"  # monitor's

BY = {"ksic": "ksic_division", "region": "region"}  # --by choice -> industry_series' `by`
FIRM_COLUMNS = ("year", "tech_index", "grade", "infrastructure", "input", "activity",
                "outcome", "revenue", "employees", "change", "contrib_change_infrastructure",
                "contrib_change_input", "contrib_change_activity", "contrib_change_outcome",
                "grade_move")
EFFECT_COLUMNS = ("outcome", "horizon", "n_pairs", "treated_pre", "treated_post",
                  "control_pre", "control_post", "did", "ci_low", "ci_high")
MONITOR_COLUMNS = ("brn", "firm_name", "last_year", "tech_index_last", "revenue_last",
                   "employees_last", "flags")


def add_parsers(sub) -> None:
    """Add ``track`` and its subcommands to the ``ktop`` subparsers."""
    p = sub.add_parser("track", help="the history of scores and supported firms (a store)",
                       description="An append-only history (a SQLite file, --db) of every "
                                   "scored firm-year and every selection, and the analyses "
                                   "that read it.")
    track = p.add_subparsers(dest="track_command", metavar="SUBCOMMAND")
    p.set_defaults(func=needs_subcommand("track", track))
    _add_import(track)
    _add_firm(track)
    _add_industry(track)
    _add_effect(track)
    _add_monitor(track)
    _add_purge(track)


def _track_parser(track, name: str, help_text: str, description: str) -> argparse.ArgumentParser:
    """A ``track`` subcommand with ``--db``, ``--lang`` and, but for import, ``-o``."""
    q = track.add_parser(name, help=help_text, description=description)
    add_api_option(q, "--db", metavar="PATH",
                   default=ApiDefault(STORE_PATH, show=lambda path: os.path.join(".", path)),
                   help="the store (default: %(api_default)s)")
    if name not in ("import", "purge"):
        q.add_argument("-o", "--output", metavar="FILE",
                       help="write the table to FILE.csv/.xlsx instead of printing it")
    add_lang(q)
    return q


def _add_import(track) -> None:
    q = _track_parser(track, "import",
                      "store a scored or raw firm-year file, or a selection folder",
                      "Store FILE in the history: a raw firm-year file is validated and scored "
                      "with --model (default: the bundled model); a scored file (ktop score "
                      "output) is stored as it is; a `ktop select` output folder records which "
                      "firms a call supported. The same file and model twice is stored once.")
    q.add_argument("path", metavar="FILE_OR_SELECTION_DIR")
    q.add_argument("--note", metavar="TEXT", help="a note kept with the run")
    q.add_argument("--model", metavar="FILE", help="model file (raw files are scored with it; "
                                                   "for scored files it records the model)")
    q.set_defaults(func=cmd_track_import)


def _add_firm(track) -> None:
    q = _track_parser(track, "firm", "a firm's Tech-Index by year, changes split into domains",
                      "A firm's Tech-Index, grade and domain scores by year (the latest run of "
                      "each year), the year-on-year change split into the four domains' "
                      "contributions, and grade moves. Money in KRW thousand (천원).")
    q.add_argument("brn", metavar="BRN", help="business number (or firm_id)")
    q.set_defaults(func=cmd_track_firm)


def _add_industry(track) -> None:
    q = _track_parser(track, "industry", "median and quartiles of the index per year by industry",
                      "Median and quartiles of the Tech-Index per year, by KSIC division "
                      "(default) or by region (시도).")
    by_choice = {api: choice for choice, api in BY.items()}
    add_api_option(q, "--by", choices=tuple(BY),
                   default=ApiDefault(INDUSTRY, "by", show=by_choice.__getitem__),
                   help="group by KSIC division (ksic) or region (default %(api_default)s)")
    add_api_option(q, "--min-n", type=int, metavar="N", default=ApiDefault(INDUSTRY, "min_n"),
                   help="leave out groups of fewer than N firms (default %(api_default)s)")
    q.set_defaults(func=cmd_track_industry)


def _add_effect(track) -> None:
    q = _track_parser(track, "effect", "supported vs matched unsupported applicants (DiD)",
                      "Difference-in-differences of Tech-Index, revenue (천원) and employees: "
                      "supported firms of a call against unsupported eligible applicants "
                      "matched on pre-support Tech-Index and size, with a bootstrap interval.")
    q.add_argument("--call", required=True, metavar="NAME", help="call name, e.g. jeju_2025")
    q.add_argument("--support-year", type=int, metavar="YEAR",
                   help="first year of support (default: the year in the call's name)")
    add_api_option(q, "--caliper", type=float, default=ApiDefault(EFFECT, "caliper"),
                   help="largest matching distance in sd units (default %(api_default)s)")
    add_api_option(q, "--n-boot", type=int, default=ApiDefault(EFFECT, "n_boot"),
                   help="bootstrap replicates (default %(api_default)s)")
    add_api_option(q, "--seed", type=int, default=ApiDefault(EFFECT, "seed"),
                   help="bootstrap seed (default %(api_default)s)")
    q.set_defaults(func=cmd_track_effect)


def _add_monitor(track) -> None:
    q = _track_parser(track, "monitor", "flags for supported firms: drops and missing data",
                      "Flag a call's supported firms whose Tech-Index, revenue or employment "
                      "dropped beyond a threshold (against the previous year or the "
                      "pre-support year) or whose data stopped arriving.")
    q.add_argument("--call", required=True, metavar="NAME", help="call name, e.g. jeju_2025")
    add_api_option(q, "--index-drop", type=float, metavar="POINTS",
                   default=ApiDefault(THRESHOLDS, "tech_index", show="{:g}".format),
                   help="Tech-Index drop that raises a flag (default %(api_default)s points)")
    add_api_option(q, "--revenue-drop", type=float, metavar="SHARE",
                   default=ApiDefault(THRESHOLDS, "revenue", show=share_text),
                   help="revenue drop that raises a flag (default %(api_default)s)")
    add_api_option(q, "--employment-drop", type=float, metavar="SHARE",
                   default=ApiDefault(THRESHOLDS, "employees", show=share_text),
                   help="employment drop that raises a flag (default %(api_default)s)")
    add_api_option(q, "--stale-years", type=int, metavar="N",
                   default=ApiDefault(THRESHOLDS, "stale_years"),
                   help="years without data that raise a flag (default %(api_default)s)")
    q.add_argument("--as-of", type=int, metavar="YEAR",
                   help="the year data should have reached (default: the store's latest)")
    q.add_argument("--support-year", type=int, metavar="YEAR",
                   help="first year of support (default: the year in the call's name)")
    q.set_defaults(func=cmd_track_monitor)


def _add_purge(track) -> None:
    q = _track_parser(track, "purge",
                      "remove one firm from the store for good (the right to deletion), recorded",
                      "Remove every row of one firm (firm-years, scores, selection rows) from "
                      "the store, redact file names, notes and audits that name it, and record "
                      "who, when and why in the store's purges table (append-only). A later "
                      "import of the firm is recognised and skipped. Cannot be undone: --yes "
                      "is required.")
    q.add_argument("--brn", required=True, metavar="BRN",
                   help="the firm's business number (or firm_id)")
    q.add_argument("--reason", required=True, metavar="TEXT",
                   help="why (the request's reference; must not name the firm)")
    q.add_argument("--by", metavar="NAME", help="who purges (default: the login name)")
    q.add_argument("--yes", action="store_true", help="confirm: the purge cannot be undone")
    q.set_defaults(func=cmd_track_purge)


def _track_db(args: argparse.Namespace) -> str:
    """The store to read; a missing one is wrong usage, not an empty history."""
    from ktop_index.tracking.store import DEFAULT_PATH

    db = args.db or DEFAULT_PATH
    if not os.path.exists(db):
        raise UsageError(f"{db}: no tracking store here (import a file first: "
                         f"ktop track import FILE --db {db})",
                         ko=f"{db}: 이력 저장소가 없습니다 (먼저 파일을 저장하십시오: "
                            f"ktop track import FILE --db {db})")
    return db


def _track_show(frame, args: argparse.Namespace, columns: Sequence[str] | None = None) -> None:
    """Write the whole table to -o FILE, or print the chosen columns aligned; Korean labels
    with --lang ko."""
    if args.lang == "ko":
        from ktop_index.tracking.present import korean_labels

        frame = korean_labels(frame if args.output or not columns else frame[list(columns)])
        columns = None
    if args.output:
        from ktop_index.data.io import write_table

        write_table(frame, args.output)
        print(words("wrote_rows", args.lang).format(path=args.output, rows=len(frame)))
        return
    print_frame(frame[list(columns)] if columns else frame)


def cmd_track_import(args: argparse.Namespace) -> int:
    """Store a file or a selection folder; print what was stored."""
    from ktop_index.tracking.ingest import import_path

    if not os.path.exists(args.path):
        raise UsageError(f"{args.path}: no such file or folder",
                         ko=f"{args.path}: 파일 또는 폴더가 없습니다")
    result = import_path(args.path, args.db, note=args.note, model=args.model)
    print(result.line(args.lang))
    if result.purged_skipped:
        from ktop_index.labels import PRIVACY_TEXT

        print(PRIVACY_TEXT["purged_skipped"][args.lang == "ko"].format(n=result.purged_skipped))
    return EXIT_OK


def cmd_track_firm(args: argparse.Namespace) -> int:
    """Print (or write) a firm's trajectory."""
    from ktop_index.tracking.history import firm_trajectory

    _track_show(firm_trajectory(args.brn, _track_db(args)), args, FIRM_COLUMNS)
    return EXIT_OK


def cmd_track_industry(args: argparse.Namespace) -> int:
    """Print (or write) the index's quartiles per year by industry or region."""
    from ktop_index.tracking.history import industry_series

    options = given(args, by="by", min_n="min_n")
    if "by" in options:
        options["by"] = BY[options["by"]]
    _track_show(industry_series(_track_db(args), **options), args)
    return EXIT_OK


def cmd_track_effect(args: argparse.Namespace) -> int:
    """Print (or write) the support effect, its assumptions and the unmatched firms."""
    import textwrap

    from ktop_index.tracking.effect import support_effect

    frame = support_effect(_track_db(args), args.call, support_year=args.support_year,
                           **given(args, caliper="caliper", n_boot="n_boot", seed="seed"))
    _track_show(frame, args, EFFECT_COLUMNS)
    if not args.output:
        from ktop_index.labels import EFFECT_ASSUMPTIONS_KO

        text = EFFECT_ASSUMPTIONS_KO if args.lang == "ko" else frame.attrs["assumptions"]
        print("\n" + textwrap.fill(text, width=96 if args.lang == "en" else 60))
    unmatched = frame.attrs["unmatched"]
    if len(unmatched):
        print("\n" + words("unmatched", args.lang)
              + f"{len(unmatched)}: " + ", ".join(unmatched["brn"].astype("str").head(10))
              + (" ..." if len(unmatched) > 10 else ""))
    return EXIT_OK


def cmd_track_monitor(args: argparse.Namespace) -> int:
    """Print (or write) the flags of a call's supported firms."""
    from ktop_index.tracking.monitor import monitor

    thresholds = given(args, tech_index="index_drop", revenue="revenue_drop",
                       employees="employment_drop", stale_years="stale_years")
    frame = monitor(_track_db(args), args.call, thresholds=thresholds, as_of=args.as_of,
                    support_year=args.support_year)
    _track_show(frame, args, MONITOR_COLUMNS)
    return EXIT_OK


def cmd_track_purge(args: argparse.Namespace) -> int:
    """Show what a purge of the firm removes; with --yes, purge it and say what was done."""
    import getpass

    from ktop_index.labels import PRIVACY_TEXT
    from ktop_index.tracking.store import Store

    def text(key: str, **fields) -> str:
        return PRIVACY_TEXT[key][args.lang == "ko"].format(**fields)

    firm = _purge_identity(args.brn)
    db = _track_db(args)
    with Store(db, create=False) as store:
        plan = store.purge_plan(firm)
        print(text("purge_plan", firm=firm, names=", ".join(plan.names) or "-",
                   keys=len(plan.firms), **plan.rows))
        if not args.yes:
            raise UsageError(PRIVACY_TEXT["purge_confirm"][0],
                             ko=PRIVACY_TEXT["purge_confirm"][1])
        by = args.by or getpass.getuser()
        done = store.purge(firm, args.reason, by)
    print(text("purged", firm=firm, db=db, purge=done.purge, by=by, redacted=done.redacted))
    if not done.checkpointed:
        print(text("purge_busy"))
    return EXIT_OK


def _purge_identity(value: str) -> str:
    """The firm to purge: a business number must be a valid one (a typo would name another
    firm, or none); any other text is taken as a firm_id."""
    from ktop_index.data.brn import brn_problem, format_brn, normalise_brn

    text = str(value).strip()
    digits = normalise_brn(text)
    if not digits.isdigit() or len(digits) != 10:
        return text
    problem = brn_problem(text)
    if problem:
        raise UsageError(f"--brn {text}: not a valid business number ({problem})",
                         ko=f"--brn {text}: 올바른 사업자등록번호가 아닙니다 "
                            f"({brn_problem(text, lang='ko')})")
    return format_brn(text)
