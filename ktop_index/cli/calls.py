"""``ktop calls list``, ``ktop calls export``, ``ktop calls check``: the bundled calls and the
check of a call file (``docs/selection.md``, the call file)."""

from __future__ import annotations

import argparse
import sys

from ktop_index.cli._common import (
    EXIT_ERROR,
    EXIT_OK,
    add_lang,
    needs_subcommand,
    padded_row,
    words,
)
from ktop_index.labels import display_width


def add_parsers(sub) -> None:
    """Add ``calls`` and its subcommands to the ``ktop`` subparsers."""
    p = sub.add_parser("calls", help="the bundled calls: list them, export one, check a file",
                       description="The calls for applicants shipped with ktop_index, and the "
                                   "check of a call file (TOML) against the call schema.")
    add_lang(p)
    calls = p.add_subparsers(dest="calls_command", metavar="SUBCOMMAND")
    p.set_defaults(func=needs_subcommand("calls", calls))

    q = calls.add_parser("list", help="list the bundled calls",
                         description="List the bundled calls: name, title, reference date, "
                                     "budget and cap per firm (in 천원).")
    add_lang(q)
    q.set_defaults(func=cmd_list)

    q = calls.add_parser("export", help="write a bundled call's file, to edit it",
                         description="Write the bundled call NAME to FILE exactly as it is "
                                     "shipped (its comments cite the announcement), to edit "
                                     "into a call of your own.")
    q.add_argument("name", metavar="NAME", help="a bundled call, e.g. jeju_2025")
    q.add_argument("-o", "--output", required=True, metavar="FILE", help="the file to write")
    q.add_argument("--force", action="store_true",
                   help="replace FILE if it exists (it may be an edited call)")
    add_lang(q)
    q.set_defaults(func=cmd_export)

    q = calls.add_parser("check", help="check a call file and list every problem",
                         description="Check a call file against the call schema. Print OK "
                                     "and what the call says, or every problem, one a line. "
                                     "Exit 1 if there is any problem.")
    q.add_argument("call_file", metavar="FILE", help="a call file (.toml) or a bundled call name")
    add_lang(q)
    q.set_defaults(func=cmd_check)


def cmd_list(args: argparse.Namespace) -> int:
    """Print the bundled calls as aligned columns."""
    from ktop_index.selection.calls import bundled_calls, load_call

    table = [words("calls_columns", args.lang).split("|")]
    for name in bundled_calls():
        call = load_call(name)
        table.append([call.name, call.title, call.reference_date.isoformat(),
                      f"{call.money.budget:,}", f"{call.money.cap:,}"])
    widths = [max(display_width(cells[k]) for cells in table) for k in range(len(table[0]) - 1)]
    for cells in table:
        print(padded_row(cells, widths))
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    """Write the bundled call's file, byte for byte."""
    from ktop_index.selection.calls import export_call

    path = export_call(args.name, args.output, overwrite=args.force)
    print(words("wrote", args.lang) + str(path))
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    """OK and the call's summary, or every problem (exit 1)."""
    from ktop_index.errors import CallError
    from ktop_index.selection.calls import load_call

    try:
        call = load_call(args.call_file)
    except CallError as exc:
        problems = getattr(exc, "problems_ko" if args.lang == "ko" else "problems", None)
        if not problems:
            raise  # a file that cannot be read as a call: one line, from the command line
        for line in problems:
            print(f"{exc.source}: {line}")
        count = "call_problems" if len(problems) > 1 else "call_problem"
        print(words(count, args.lang).format(file=exc.source, n=len(problems)),
              file=sys.stderr)
        return EXIT_ERROR
    print(words("call_ok", args.lang).format(file=call.source, name=call.name,
                                             title=call.title))
    for line in summary(call, args.lang):
        print("  " + line)
    return EXIT_OK


def summary(call, lang: str) -> list[str]:
    """What a call says, in a few lines: date, money, firms, scoring, robustness."""
    m, s = call.money, call.scoring
    firms = (words("calls_firms_max", lang).format(n=m.max_firms) if m.max_firms
             else words("calls_firms_any", lang))
    use = (words("calls_use_weight", lang).format(tech=s.tech_weight,
                                                   committee=s.committee_weight)
           if s.tech_index_use == "weight" else s.tech_index_use)
    return [words("calls_date", lang).format(date=call.reference_date.isoformat()),
            words("calls_money", lang).format(budget=m.budget, cap=m.cap, firms=firms,
                                              waitlist=m.waitlist),
            words("calls_scoring", lang).format(use=use),
            words("calls_variants", lang).format(n=call.robustness.variants)]
