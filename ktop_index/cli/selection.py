"""``ktop select``: screen, rank and fund the applicants of a call."""

from __future__ import annotations

import argparse

from ktop_index.cli._common import (
    EXIT_OK,
    Progress,
    add_lang,
    add_mask,
    add_reading,
    show_warnings,
    warnings_first,
    words,
)


def add_parsers(sub) -> None:
    """Add ``select`` to the ``ktop`` subparsers."""
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
    p.add_argument("--committee-max-total", type=float, metavar="POINTS",
                   help="most points of one evaluator's total (default: the item table's "
                        "sum, 100)")
    p.add_argument("--allow-partial", action="store_true",
                   help="go on when committee scores are incomplete (items, evaluators or "
                        "eligible firms missing): incomplete scores are left out, firms "
                        "without scores get 0 committee points, and every such firm is "
                        "noted (notes column, summary, audit.json 'partial')")
    p.add_argument("--model", help="model file (default: the bundled model)")
    p.add_argument("--optimal", action="store_true",
                   help="choose the set with the largest total score within the budget "
                        "(the summary shows how it differs from rank order)")
    p.add_argument("--variants", type=int, metavar="N",
                   help="robustness variants (default: the call's; 0 = none)")
    p.add_argument("--seed", type=int, metavar="S", help="robustness seed (default: the call's)")
    p.add_argument("--created", metavar="TIME",
                   help="time stamp for audit.json (default: now, UTC), for byte-identical reruns")
    add_mask(p)
    add_reading(p)
    add_lang(p)
    p.set_defaults(func=cmd_select)


def cmd_select(args: argparse.Namespace) -> int:
    """Select the call's firms; write OUTDIR and print the summary."""
    from ktop_index.report.outputs import mask_selection, summary_lines, write_selection
    from ktop_index.selection.decide import select_file

    progress = Progress(args.lang)
    with warnings_first(args.lang):
        result = select_file(args.applicants, args.call, committee=args.committee,
                             committee_items=args.committee_items,
                             committee_max_total=args.committee_max_total,
                             allow_partial=args.allow_partial, model=args.model,
                             optimal_mode=args.optimal, variants=args.variants,
                             seed=args.seed, created=args.created, sheet=args.sheet,
                             header_row=args.header_row,
                             money_unit=args.money_unit, progress=progress)
    show_warnings(result.warnings, args.lang)
    if args.mask:  # a copy for outside the committee: decided first, masked after
        result = mask_selection(result)
    progress.step("writing")
    paths = write_selection(result, args.output, lang=args.lang)
    progress.close()
    for line in summary_lines(result, args.lang):
        print(line)
    print(words("wrote", args.lang) + ", ".join(str(p) for p in paths.values()))
    return EXIT_OK
