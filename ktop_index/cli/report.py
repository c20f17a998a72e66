"""``ktop report selection``, ``ktop report firm``: one-file HTML reports."""

from __future__ import annotations

import argparse

from ktop_index.cli._common import EXIT_OK, add_lang, add_mask, needs_subcommand, words


def add_parsers(sub) -> None:
    """Add ``report`` and its subcommands to the ``ktop`` subparsers."""
    p = sub.add_parser("report", help="one-file HTML reports: a selection round, a firm",
                       description="Self-contained HTML reports (pictures embedded, no network "
                                   "references) to mail or archive.")
    report = p.add_subparsers(dest="report_command", metavar="SUBCOMMAND")
    p.set_defaults(func=needs_subcommand("report", report))
    q = report.add_parser("selection", help="the report of a selection round",
                          description="Report of a `ktop select` output folder (selection.csv, "
                                      "audit.json): the call, the counts, the pictures, the "
                                      "ranked table, the robustness findings, the audit record. "
                                      "Writes OUTDIR/report.html (report_ko.html with --lang ko).")
    q.add_argument("outdir", metavar="OUTDIR", help="the output folder of `ktop select`")
    q.add_argument("-o", "--output", metavar="FILE.html", help="the HTML file to write instead")
    q.add_argument("--applicants", metavar="FILE",
                   help="the applicants file the round was decided from: the ranked table "
                        "then shows each firm's strengths (its sha256 must match the audit's)")
    q.add_argument("--call", metavar="CALL",
                   help="the call file, when the round was decided under one that is not "
                        "bundled (the score formula shows its weights)")
    add_mask(q)
    add_lang(q)
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
    add_mask(q)
    add_lang(q)
    q.set_defaults(func=cmd_report_firm)


def cmd_report_selection(args: argparse.Namespace) -> int:
    """Write the report of a `ktop select` output folder."""
    from ktop_index.report.html import report_selection
    from ktop_index.selection.calls import load_call

    path = report_selection(args.outdir, lang=args.lang, output=args.output, mask=args.mask,
                            applicants=args.applicants,
                            call=load_call(args.call) if args.call else None)
    print(words("wrote", args.lang) + str(path))
    return EXIT_OK


def cmd_report_firm(args: argparse.Namespace) -> int:
    """Write a firm's report card."""
    from ktop_index.report.html import report_firm

    path = report_firm(args.brn, args.scores, db=args.db, model=args.model,
                       output=args.output, lang=args.lang, mask=args.mask)
    print(words("wrote", args.lang) + str(path))
    return EXIT_OK
