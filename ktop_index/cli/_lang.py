"""The language of the command line: chosen before the parser is built, so ``--help``,
argparse's usage errors and every command speak it.

The language is ``--lang ko|en`` anywhere in the arguments (the last one given), else the
environment variable ``KTOP_LANG`` (``ko`` or ``en``), else English. In Korean the parser's
help texts, descriptions and group titles are looked up in
:data:`ktop_index.labels.CLI_HELP_KO` (keyed by the English text), its "usage:" prefix is
Korean, its text is wrapped by display width (a Hangul character takes two columns), and
its error messages are translated through :data:`ktop_index.labels.ARGPARSE_ERRORS_KO`
(argparse's own message templates). Nothing here imports anything heavy: ``ktop --help``
must stay fast.

Example
-------
>>> lang_in_argv(["select", "a.csv", "--lang=ko"]), lang_in_argv(["schema"])
('ko', None)
>>> usage_error_ko("the following arguments are required: applicants, --call")
'다음 인수가 필요합니다: applicants, --call'
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Iterator, Sequence
from functools import lru_cache

from ktop_index.labels import ARGPARSE_ERRORS_KO, CLI_HELP_KO, display_width

LANGS = ("en", "ko")


def env_lang() -> str:
    """The language the environment variable ``KTOP_LANG`` asks for (:func:`lang_named`)."""
    return lang_named(os.environ.get("KTOP_LANG", ""))


def lang_named(value: str) -> str:
    """'ko' or 'en' for a ``KTOP_LANG`` value (a locale name such as ``ko_KR.UTF-8`` counts
    as its language); 'en' for an empty value or anything else.

    >>> lang_named("ko_KR.UTF-8"), lang_named("KO"), lang_named(""), lang_named("fr")
    ('ko', 'ko', 'en', 'en')
    """
    value = re.split(r"[-_.]", value.strip().lower())[0]
    return value if value in LANGS else "en"


def lang_in_argv(argv: Sequence[str]) -> str | None:
    """The language given as ``--lang X`` or ``--lang=X`` (the last one), or None.

    A value argparse would refuse (``--lang fr``) is not a choice; argparse reports it.

    >>> lang_in_argv(["--lang", "ko", "score", "--lang", "en"])
    'en'
    """
    found = None
    for k, arg in enumerate(argv):
        if arg == "--":
            break
        value = argv[k + 1] if arg == "--lang" and k + 1 < len(argv) else (
            arg[len("--lang="):] if arg.startswith("--lang=") else None)
        if value in LANGS:
            found = value
    return found


def parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """The parser and every (sub)command parser under it, each once."""
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):  # aliases share a parser
                yield from parsers(sub)


def help_texts(parser: argparse.ArgumentParser) -> Iterator[str]:
    """Every text of a parser a person reads in its help (each parser's description and
    epilog, group titles and descriptions, each option's and subcommand's help), in order."""
    for p in parsers(parser):
        yield from (t for t in (p.description, p.epilog) if t)
        for group in p._action_groups:
            yield from (t for t in (group.title, group.description) if t)
        for action in p._actions:
            if action.help and action.help is not argparse.SUPPRESS:
                yield action.help
            for choice in getattr(action, "_choices_actions", ()):
                if choice.help and choice.help is not argparse.SUPPRESS:
                    yield choice.help


def in_korean(parser: argparse.ArgumentParser) -> None:
    """Turn a built parser's help and errors into Korean (texts missing from
    :data:`~ktop_index.labels.CLI_HELP_KO` stay English)."""
    def ko(text):
        return CLI_HELP_KO.get(text, text) if isinstance(text, str) else text

    for p in parsers(parser):
        p.lang, p.formatter_class = "ko", KoreanHelpFormatter
        p.description, p.epilog = ko(p.description), ko(p.epilog)
        for group in p._action_groups:
            group.title, group.description = ko(group.title), ko(group.description)
        for action in p._actions:
            action.help = ko(action.help)
            for choice in getattr(action, "_choices_actions", ()):
                choice.help = ko(choice.help)


class KtopParser(argparse.ArgumentParser):
    """argparse's parser that reports its usage errors in its ``lang`` (exit 2 as ever).

    Subcommand parsers are of the same class (``add_subparsers`` takes the parent's).
    """

    lang = "en"

    def error(self, message: str):
        if self.lang != "ko":
            super().error(message)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: 오류: {usage_error_ko(message)}\n")


class KoreanHelpFormatter(argparse.HelpFormatter):
    """argparse's help in Korean: a Korean "usage:" and lines wrapped by display width."""

    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups,
                          CLI_HELP_KO["usage: "] if prefix is None else prefix)

    def _format_usage(self, usage, actions, groups, prefix):
        # argparse measures the prefix by len(); "사용법: " takes 3 columns more than that:
        # wrap the usage 3 columns narrower and indent its continuation lines 3 more
        extra = display_width(prefix or "") - len(prefix or "")
        self._width -= extra
        try:
            text = super()._format_usage(usage, actions, groups, prefix)
        finally:
            self._width += extra
        first, *rest = text.split("\n")
        return "\n".join([first] + [" " * extra + line if line.startswith(" ") else line
                                    for line in rest])

    def _split_lines(self, text, width):
        return wrap_width(text, width)

    def _fill_text(self, text, width, indent):
        return "\n".join(indent + line for line in wrap_width(text, width - len(indent)))


def wrap_width(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` display columns (a longer word stands alone).

    >>> wrap_width("기업혁신역량지수를 계산합니다 ok", 20)
    ['기업혁신역량지수를', '계산합니다 ok']
    """
    lines, line = [], ""
    for word in text.split():
        if line and display_width(line) + 1 + display_width(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return lines + [line] if line else lines


def usage_error_ko(message: str) -> str:
    """An argparse error message in Korean, through its template (and the templates of the
    messages inside it); a message of no known template stays as it is.

    >>> usage_error_ko("argument --lang: invalid choice: 'fr' (choose from 'en', 'ko')")
    "인수 --lang: 잘못된 선택: 'fr' (선택 가능: 'en', 'ko')"
    """
    for pattern, korean in _error_patterns():
        found = pattern.fullmatch(message)
        if found:
            fields = {name: usage_error_ko(value) for name, value in found.groupdict().items()}
            return re.sub(r"\{(\w+)\}", lambda m, f=fields: f[m.group(1)], korean)
    return message


_FIELD = re.compile(r"%(?:\((\w+)\))?[sr]")


@lru_cache(maxsize=1)
def _error_patterns() -> tuple[tuple[re.Pattern, str], ...]:
    """Each argparse template as a pattern whose groups are its fields, and its Korean with
    ``{field}`` where the field goes (unnamed ``%s`` fields are numbered in order)."""
    def named(template: str) -> list[str]:
        return [m.group(1) or f"f{k}" for k, m in enumerate(_FIELD.finditer(template))]

    out = []
    for english, korean in ARGPARSE_ERRORS_KO.items():
        pattern, names = "", iter(named(english))
        for k, piece in enumerate(_FIELD.split(english)[::2]):  # text between fields
            pattern += re.escape(piece) + ("" if k == len(named(english)) else
                                           f"(?P<{next(names)}>.+?)")
        slots = iter(named(korean))
        out.append((re.compile(pattern, re.DOTALL),
                    _FIELD.sub(lambda m, s=slots: "{" + next(s) + "}", korean)))
    return tuple(out)
