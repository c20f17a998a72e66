"""The ``ktop`` command: build the parser from the command groups, run a command, map what it
raises to one line and an exit code.

Exit codes: 0 success; 1 an error ktop_index reports on purpose (any
:class:`~ktop_index.errors.KtopError`: data with errors, a file that cannot be read, a call, a
specification, a store) or a file that cannot be opened or written; 2 wrong usage (argparse's
own errors and :class:`~ktop_index.errors.UsageError`); 3 an internal error, a bug. No
traceback reaches the user; ``KTOP_DEBUG=1`` re-raises an internal error to show one.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from ktop_index import __version__
from ktop_index.cli import data, growth, index, report, selection, synth, tracking
from ktop_index.cli._common import EXIT_ERROR, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, MAX_SHOWN
from ktop_index.errors import DataError, KtopError, UsageError

#: The command groups, in the order ``ktop --help`` lists their commands.
GROUPS = (data, synth, index, tracking, selection, report, growth)

REPORT_A_BUG = ("this is a bug in ktop_index; please report it with the command and the "
                "output of KTOP_DEBUG=1 ktop ...")


def build_parser() -> argparse.ArgumentParser:
    """The ``ktop`` parser: each command group adds its subcommands."""
    parser = argparse.ArgumentParser(
        prog="ktop",
        description="Open Tech-Index (기업혁신역량지수) for selecting and tracking the firms a "
                    "support program backs. Exit codes: 0 ok, 1 errors in the data or the "
                    "files, 2 wrong usage, 3 internal error (a bug).")
    parser.add_argument("--version", action="version", version=f"ktop_index {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for group in GROUPS:
        group.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ktop`` console script; returns the exit code.

    argparse's usage errors exit 2 through ``SystemExit``, as ``--help`` exits 0.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    return run(args.func, args)


def run(func: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Call a command, turning every failure into a one-line message and an exit code."""
    try:
        return func(args)
    except BrokenPipeError:  # output piped into `head`: not an error
        sys.stderr.close()
        return EXIT_OK
    except KtopError as exc:
        return _known_error(exc, args)
    except OSError as exc:  # a file that cannot be opened or written
        _say(args, f"error: {_file_error(exc)}")
        return EXIT_ERROR
    except Exception as exc:  # the user must never see a traceback
        if os.environ.get("KTOP_DEBUG"):
            raise
        _say(args, f"internal error: {type(exc).__name__}: {_one_line(str(exc))} — "
                   f"{REPORT_A_BUG}")
        return EXIT_INTERNAL


def _known_error(exc: KtopError, args: argparse.Namespace) -> int:
    """A data error with its problems prints them (the first MAX_SHOWN errors); every other
    error ktop_index raises on purpose prints its message."""
    errors = [p for p in exc.problems if p.severity == "error"] if isinstance(
        exc, DataError) else []
    if not errors:
        lang = getattr(args, "lang", "en")
        _say(args, ("오류: " if lang == "ko" else "error: ") + exc.message(lang))
        return EXIT_USAGE if isinstance(exc, UsageError) else EXIT_ERROR
    for problem in errors[:MAX_SHOWN]:
        print(problem.line(getattr(args, "lang", "en")), file=sys.stderr)
    if len(errors) > MAX_SHOWN:
        print(f"... and {len(errors) - MAX_SHOWN} more errors; `ktop validate FILE` lists "
              "them all", file=sys.stderr)
    return EXIT_ERROR


def _say(args: argparse.Namespace, message: str) -> None:
    print(f"ktop {args.command}: {message}", file=sys.stderr)


def _file_error(exc: OSError) -> str:
    """What went wrong with which file, on one line.

    >>> _file_error(FileNotFoundError(2, "No such file or directory", "out/a.csv"))
    'out/a.csv: No such file or directory'
    """
    if exc.filename is None:
        return _one_line(str(exc))
    names = str(exc.filename) + (f" -> {exc.filename2}" if exc.filename2 is not None else "")
    return f"{names}: {exc.strerror or _one_line(str(exc))}"


def _one_line(text: str) -> str:
    return " ".join(text.split())
