"""The ``ktop`` command: build the parser from the command groups, run a command, map what it
raises to one line and an exit code.

Exit codes: 0 success; 1 an error ktop_index reports on purpose (any
:class:`~ktop_index.errors.KtopError`: data with errors, a file that cannot be read, a call, a
specification, a store) or a file that cannot be opened or written; 2 wrong usage (argparse's
own errors and :class:`~ktop_index.errors.UsageError`); 3 an internal error, a bug. No
traceback reaches the user; ``KTOP_DEBUG=1`` re-raises an internal error to show one.

Language: ``--lang ko|en`` anywhere in the arguments, else ``KTOP_LANG``, else English
(:mod:`ktop_index.cli._lang`), decided before the parser is built, so the help, argparse's
usage errors, every command's messages and the errors below all speak it.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
from collections.abc import Callable, Sequence

from ktop_index import __version__
from ktop_index.cli import calls, data, growth, index, page, report, selection, synth, tracking
from ktop_index.cli._common import (
    EXIT_ERROR,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_USAGE,
    MAX_SHOWN,
    Progress,
    add_lang,
    check_outputs_apart,
    words,
)
from ktop_index.cli._lang import KtopParser, env_lang, in_korean, lang_in_argv, parsers
from ktop_index.errors import DataError, KtopError, UsageError

#: The command groups, in the order ``ktop --help`` lists their commands.
GROUPS = (data, synth, index, tracking, selection, calls, report, growth, page)



def build_parser(lang: str | None = None) -> argparse.ArgumentParser:
    """The ``ktop`` parser in ``lang`` ('en' or 'ko'; default: ``KTOP_LANG``, else 'en'):
    each command group adds its subcommands; every (sub)command takes ``--lang``."""
    parser = KtopParser(
        prog="ktop",
        description="Open Tech-Index (기업혁신역량지수) for selecting and tracking the firms a "
                    "support program backs. Exit codes: 0 ok, 1 errors in the data or the "
                    "files, 2 wrong usage, 3 internal error (a bug).")
    parser.add_argument("--version", action="version", version=f"ktop_index {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for group in GROUPS:
        group.add_parsers(sub)
    for p in parsers(parser):  # a group that adds no --lang still speaks the user's language
        if not any("--lang" in a.option_strings for a in p._actions):
            add_lang(p)
    if (lang or env_lang()) == "ko":
        in_korean(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ktop`` console script; returns the exit code.

    argparse's usage errors exit 2 through ``SystemExit``, as ``--help`` exits 0.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    given = lang_in_argv(argv)
    parser = build_parser(given or env_lang())
    args = parser.parse_args(argv)
    # `ktop --lang ko track firm X`: the subcommand's default must not undo the --lang given
    args.lang = given or getattr(args, "lang", None) or env_lang()
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    return run(args.func, args)


def run(func: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Call a command, turning every failure into a one-line message and an exit code."""
    try:
        check_outputs_apart(args)
        with Progress.closing():  # an error's message starts its own line
            return func(args)
    except BrokenPipeError:  # output piped into `head`: not an error
        sys.stderr.close()
        return EXIT_OK
    except KtopError as exc:
        return _known_error(exc, args)
    except OSError as exc:  # a file that cannot be opened or written
        _say(args, words("error", _lang(args)) + _file_error(exc, _lang(args)))
        return EXIT_ERROR
    except Exception as exc:  # the user must never see a traceback
        if os.environ.get("KTOP_DEBUG"):
            raise
        _say(args, words("internal", _lang(args)) + f"{type(exc).__name__}: "
                   f"{_one_line(str(exc))} — {words('bug', _lang(args))}")
        return EXIT_INTERNAL


def _known_error(exc: KtopError, args: argparse.Namespace) -> int:
    """A data error with its problems prints them (the first MAX_SHOWN errors); every other
    error ktop_index raises on purpose prints its message."""
    errors = [p for p in exc.problems if p.severity == "error"] if isinstance(
        exc, DataError) else []
    lang = _lang(args)
    if not errors:
        _say(args, words("error", lang) + exc.message(lang))
        return EXIT_USAGE if isinstance(exc, UsageError) else EXIT_ERROR
    for problem in errors[:MAX_SHOWN]:
        print(problem.line(lang), file=sys.stderr)
    if len(errors) > MAX_SHOWN:
        print(words("more_errors", lang).format(n=len(errors) - MAX_SHOWN), file=sys.stderr)
    return EXIT_ERROR


def _lang(args: argparse.Namespace) -> str:
    return getattr(args, "lang", None) or "en"


def _say(args: argparse.Namespace, message: str) -> None:
    print(f"ktop {args.command}: {message}", file=sys.stderr)


def _file_error(exc: OSError, lang: str = "en") -> str:
    """What went wrong with which file, on one line, in ``lang``: in Korean, the errno's
    words in :data:`ktop_index.labels.OS_ERRORS_KO` (another errno keeps its English text).

    >>> missing = FileNotFoundError(2, "No such file or directory", "out/a.csv")
    >>> _file_error(missing), _file_error(missing, "ko")
    ('out/a.csv: No such file or directory', 'out/a.csv: 파일 또는 폴더가 없습니다')
    """
    from ktop_index.labels import OS_ERRORS_KO

    korean = OS_ERRORS_KO.get(errno.errorcode.get(exc.errno, "")) if lang == "ko" else None
    if exc.filename is None:
        return korean or _one_line(str(exc))
    what = korean or exc.strerror or _one_line(str(exc))
    names = str(exc.filename) + (f" -> {exc.filename2}" if exc.filename2 is not None else "")
    return f"{names}: {what}"


def _one_line(text: str) -> str:
    return " ".join(text.split())
