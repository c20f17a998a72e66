"""``ktop schema``, ``ktop template``, ``ktop validate``: the firm-year data contract."""

from __future__ import annotations

import argparse
import sys

from ktop_index.cli._common import EXIT_ERROR, EXIT_OK, add_lang, add_reading, padded_row, words
from ktop_index.labels import SCHEMA_TITLES_KO, display_width

SCHEMA_KEYS = ("name", "label_ko", "type", "unit", "allowed", "required", "meaning")


def add_parsers(sub) -> None:
    """Add ``schema``, ``template`` and ``validate`` to the ``ktop`` subparsers."""
    p = sub.add_parser("schema", help="print the firm-year data dictionary",
                       description="Print the data dictionary: name, Korean label, type, unit, "
                                   "allowed range, required or not, meaning.")
    add_lang(p)
    p.add_argument("-o", "--output", help="write it to a CSV/XLSX file instead")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("template", help="write an empty CSV/XLSX to fill in",
                       description="Write an empty firm-year file with the contract's headers "
                                   "(money headers carry their unit, 천원). An XLSX has an "
                                   "instructions sheet, drop-downs for the Y/N and coded "
                                   "columns, and text cells for business numbers and industry "
                                   "codes.")
    p.add_argument("-o", "--output", required=True, help="FILE.csv or FILE.xlsx")
    p.add_argument("--example", action="store_true", help="include one example row")
    p.add_argument("--force", action="store_true",
                   help="replace FILE if it exists (it may be a filled-in template)")
    add_lang(p)
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("validate", help="check a firm-year file and list every problem",
                       description="Check FILE against the data contract and print every "
                                   "problem as FILE:ROW:COLUMN: message. Exit 1 if any error.")
    p.add_argument("file", help="CSV (UTF-8 or CP949), XLSX or Parquet")
    p.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    p.add_argument("--annotate", metavar="OUT.xlsx",
                   help="also write the file as a workbook with every problem cell coloured "
                        "and commented, and a list of the problems")
    add_reading(p)
    add_lang(p)
    p.set_defaults(func=cmd_validate)


def cmd_schema(args: argparse.Namespace) -> int:
    """Print the data dictionary aligned (the meaning column free), or write it to -o."""
    from ktop_index.data.contract import dictionary

    rows = dictionary(args.lang)
    if args.output:
        import pandas as pd

        from ktop_index.data.io import write_table

        write_table(pd.DataFrame(rows), args.output)
        print(words("wrote", args.lang) + args.output)
        return EXIT_OK
    titles = _schema_titles(args.lang)
    table = [titles] + [[str(r[k]) for k in SCHEMA_KEYS] for r in rows]
    widths = [max(display_width(cells[k]) for cells in table) for k in range(len(titles) - 1)]
    for cells in table:
        print(padded_row(cells, widths))
    return EXIT_OK


def _schema_titles(lang: str) -> list[str]:
    return [SCHEMA_TITLES_KO[k] for k in SCHEMA_KEYS] if lang == "ko" else list(SCHEMA_KEYS)


def cmd_template(args: argparse.Namespace) -> int:
    """Write the empty firm-year file (with an example row on request)."""
    from ktop_index.data.template import write_template

    write_template(args.output, lang=args.lang, example=args.example, overwrite=args.force)
    print(words("wrote", args.lang) + args.output)
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    """Print every problem of the file (errors only with -q), a summary on stderr; exit 1 if
    any error."""
    from ktop_index.data.io import read_table
    from ktop_index.data.validate import validate

    table = read_table(args.file, sheet=args.sheet, header_row=args.header_row)
    result = validate(table, money_unit=args.money_unit)
    if args.annotate:
        _write_annotated(args, table, result.problems)
    for problem in result.problems:
        if problem.severity == "error" or not args.quiet:
            print(problem.line(args.lang))
    n_err, n_warn = len(result.errors), len(result.warnings)
    print(words("validate_summary", args.lang).format(
        file=args.file, rows=len(result.frame), errors=n_err, warnings=n_warn), file=sys.stderr)
    return EXIT_ERROR if n_err else EXIT_OK


def _write_annotated(args: argparse.Namespace, table, problems) -> None:
    """``--annotate OUT.xlsx``: the annotated workbook, never over the file checked."""
    import os

    from ktop_index._files import write_bytes
    from ktop_index.errors import UsageError
    from ktop_index.report.annotate import annotated_workbook

    out = args.annotate
    if os.path.exists(out) and os.path.samefile(out, args.file):
        raise UsageError(f"--annotate {out}: is the file checked; write it elsewhere, so the "
                         "file is not replaced",
                         ko=f"--annotate {out}: 검사하는 파일과 같은 파일입니다; 원본이 덮어써지지 "
                            "않도록 다른 곳에 쓰십시오")
    write_bytes(out, annotated_workbook(args.file, problems, lang=args.lang, table=table))
    print(words("wrote", args.lang) + out, file=sys.stderr)
