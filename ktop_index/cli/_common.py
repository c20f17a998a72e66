"""What every command group shares: exit codes, the reading options, defaults read from the
API, progress on stderr, reading a valid input, aligned tables.

Nothing here imports pandas or numpy at module level: building the parser for ``ktop --help``
must stay fast, so every heavy import happens inside the function that needs it.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import ClassVar

from ktop_index.labels import CLI_WORDS, display_width

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
MAX_SHOWN = 30  # errors printed by commands other than validate, which prints them all
MONEY_CHOICES = ("원", "천원", "백만원", "억원", "KRW", "KRW_thousand", "KRW_million")


def add_lang(parser: argparse.ArgumentParser) -> None:
    """``--lang en|ko``: the language of messages and column labels; its default is
    ``KTOP_LANG`` (ko or en), else English (:func:`ktop_index.cli._lang.env_lang`)."""
    from ktop_index.cli._lang import LANGS, env_lang

    parser.add_argument("--lang", choices=LANGS, default=env_lang(),
                        help="language of messages and column labels: en or ko (default: "
                             "KTOP_LANG, else en)")


def add_mask(parser: argparse.ArgumentParser) -> None:
    """``--mask``: personal data masked in what is written (:mod:`ktop_index.data.mask`)."""
    parser.add_argument("--mask", action="store_true",
                        help="mask personal data for sharing outside the committee: business "
                             "numbers 124-81-*****, people's names 김*수, phones, e-mail, "
                             "addresses (not the record; never imported)")


def add_reading(parser: argparse.ArgumentParser) -> None:
    """``--money-unit``, ``--sheet`` and ``--header-row``: how to read an input file."""
    parser.add_argument("--money-unit", choices=MONEY_CHOICES, metavar="UNIT",
                        help="unit of money columns whose header names none: 원, 천원 or 백만원")
    parser.add_argument("--sheet", help="XLSX sheet name or 0-based number (default: the "
                                        "active sheet, else the first holding the headers)")
    parser.add_argument("--header-row", type=_row_number, metavar="N",
                        help="the row holding the column headers, 1 = the first (default: "
                             "found among the first 30 rows)")


def _row_number(text: str) -> int:
    """A spreadsheet row number for ``--header-row`` (argparse reports a ValueError)."""
    number = int(text)
    if number < 1:
        raise ValueError(text)
    return number


_row_number.__name__ = "row number"  # argparse: "invalid row number value: '0'"


def keep_freed_memory() -> None:
    """Let arrow's allocator (mimalloc) keep the memory freed in this process for its next
    allocations, not give it back to the system a second later: a command that streams a
    large file frees and takes the same few hundred MB all along, and memory given back is
    faulted in again, page by page (about 0.15 CPU-seconds of a 1M-row ``ktop score``).
    The allocator reads the setting when pyarrow loads: call it before; a value the user
    set (``MIMALLOC_PURGE_DELAY``, in ms) is kept. Not for the long-lived web page."""
    if "pyarrow" not in sys.modules:
        os.environ.setdefault("MIMALLOC_PURGE_DELAY", "-1")


def skip_imported_objects() -> None:
    """Take the objects made so far, most of them by the imports (pandas', pyarrow's: a few
    hundred thousand), out of the cyclic garbage collector's sweeps: they live as long as
    the process, and each sweep of a long command walked them all again (about 0.1
    CPU-seconds of a 1M-row ``ktop score``). Call it once the command's imports are done."""
    gc.freeze()


def use_jemalloc() -> None:
    """Let arrow allocate from jemalloc where pyarrow has it (its Linux builds): a streamed
    file then holds a quarter less memory than with mimalloc, arrow's default (a 1M-row
    ``ktop score`` peaks at 550 MB, not 730), and every page a fresh process touches costs
    a fault, on a virtual machine the host's too (0.3 s of that run). Elsewhere mimalloc
    stays, keeping the memory it frees (:func:`keep_freed_memory`); so does the pool a user
    chose (``ARROW_DEFAULT_MEMORY_POOL``)."""
    import pyarrow as pa

    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        return
    try:
        pa.set_memory_pool(pa.jemalloc_memory_pool())
    except NotImplementedError:  # pyarrow built without jemalloc (Windows, macOS)
        pass


def words(key: str, lang: str) -> str:
    """The command line's own words (:data:`ktop_index.labels.CLI_WORDS`) in ``lang``.

    >>> words("wrote", "ko")
    '작성: '
    """
    english, korean = CLI_WORDS[key]
    return korean if lang == "ko" else english


# ---------------------------------------------------------------------------- API defaults

def api_default(target: str, name: str | None = None):
    """The default of parameter ``name`` of the API object ``target`` ('module:attribute'),
    read from its signature (a class: its ``__init__``; a mapping: the key ``name``; no
    name: the object itself). The API is the one home of every default the CLI shows.

    >>> api_default("ktop_index.labels:DOMAINS_KO", "input")
    '투입'
    >>> api_default("ktop_index.cli._common:api_default", "name") is None
    True
    """
    import inspect  # here, not at the top: `ktop --help` never needs it

    module, _, attribute = target.partition(":")
    obj = getattr(importlib.import_module(module), attribute)
    if name is None:
        return obj
    if isinstance(obj, Mapping):
        return obj[name]
    return inspect.signature(obj).parameters[name].default


class ApiDefault:
    """An API default shown in a help text, looked up only when the text is printed, so
    building the parser imports none of the API (``ktop --help`` stays fast).

    ``str()`` gives the default, through ``show`` when given (e.g. a share as a percent).
    """

    def __init__(self, target: str, name: str | None = None,
                 show: Callable[[object], str] = str):
        self.target, self.name, self.show = target, name, show

    def __str__(self) -> str:
        return self.show(api_default(self.target, self.name))


def add_api_option(parser: argparse.ArgumentParser, *flags: str, default: ApiDefault,
                   **kwargs) -> argparse.Action:
    """An option whose default is the API's: its value is None unless given (pass it on with
    :func:`given`), and ``%(api_default)s`` in its help shows the API's default."""
    action = parser.add_argument(*flags, default=None, **kwargs)
    action.api_default = default  # argparse expands %(NAME)s from the action's attributes
    return action


def given(args: argparse.Namespace, **options: str) -> dict:
    """The options the user gave, keyed by the API's parameter names.

    ``options`` maps each parameter name to its option's ``dest``; an option left out
    (None) is not passed, so the API's own default applies.

    >>> given(argparse.Namespace(bootstrap=20, refits=None), n_bootstrap="bootstrap",
    ...       n_refits="refits")
    {'n_bootstrap': 20}
    """
    return {name: getattr(args, dest) for name, dest in options.items()
            if getattr(args, dest) is not None}


def share_text(value: float) -> str:
    """A share as its number and percent, for help texts.

    >>> share_text(0.2)
    '0.2 = 20%'
    """
    return f"{value:g} = {value:.0%}"


def needs_subcommand(group: str, subcommands) -> Callable[[argparse.Namespace], int]:
    """The command of ``ktop GROUP`` given no subcommand: a usage error (exit 2) listing the
    subcommands, read from the parser when it is raised, so the list is never out of date.

    >>> parser = argparse.ArgumentParser(prog="ktop report")
    >>> sub = parser.add_subparsers()
    >>> _ = sub.add_parser("selection"), sub.add_parser("firm")
    >>> needs_subcommand("report", sub)(argparse.Namespace())
    Traceback (most recent call last):
    ktop_index.errors.UsageError: expected a subcommand: selection or firm (ktop report --help)
    """
    def run(args: argparse.Namespace) -> int:
        from ktop_index.errors import UsageError

        *first, last = list(subcommands.choices)
        listed = ", ".join(first)
        raise UsageError(f"expected a subcommand: {listed} or {last} (ktop {group} --help)",
                         ko=f"하위 명령이 필요합니다: {listed} 또는 {last} (ktop {group} --help)")
    return run


# ---------------------------------------------------------------------------- outputs apart

#: The options and arguments that name a file a command reads, and those it writes.
INPUT_DESTS = ("input", "panel", "applicants", "data", "meta", "batch", "path", "outdir",
               "weights", "truth", "spec", "model", "committee", "scores", "db", "call")
OUTPUT_DESTS = ("output", "rejects")


def check_outputs_apart(args: argparse.Namespace) -> None:
    """Refuse a run whose output would replace one of its inputs (``ktop fit P -o P``), or
    whose output folder holds one (the folder is replaced whole), before any work.

    Raises :class:`~ktop_index.errors.UsageError` naming both (exit 2); nothing is written.
    """
    import os

    from ktop_index.errors import UsageError

    inputs = [str(getattr(args, d)) for d in INPUT_DESTS if getattr(args, d, None)]
    for dest in OUTPUT_DESTS:
        output = getattr(args, dest, None)
        if not output or not os.path.exists(output):
            continue
        flag = "-o" if dest == "output" else "--" + dest.replace("_", "-")
        for path in (p for p in inputs if os.path.exists(p)):
            inside = os.path.isdir(output) and not os.path.isdir(path) and _inside(path, output)
            if os.path.samefile(path, output) or inside:
                what = "holds the input" if inside else "is the input"
                what_ko = "입력 파일이 들어 있는 폴더입니다" if inside else "입력 파일과 같은 파일입니다"
                raise UsageError(f"{flag} {output}: {what} {path}; write the output elsewhere, "
                                 "so the input is not replaced",
                                 ko=f"{flag} {output}: {what_ko} ({path}); 입력이 덮어써지지 "
                                    "않도록 다른 곳에 쓰십시오")


def _inside(path: str, folder: str) -> bool:
    import os

    real, base = os.path.realpath(path), os.path.realpath(folder)
    return os.path.commonpath([real, base]) == base


# ---------------------------------------------------------------------------- progress, input

class Progress:
    """Progress bars on stderr, one per stage (tqdm: units done, rate, time left), drawn only
    when stderr is a terminal; nothing at all otherwise, so batch logs stay clean.

    It is the ``progress`` callback the API's long functions take: ``progress(stage, n)``
    starts a stage of ``n`` units (rows, or the refits and variants of
    :data:`ktop_index.labels.PROGRESS_STAGES`; 0 = not known yet) and ``progress.advance(k)``
    says ``k`` more are done, where a loop can tell. A stage without advances is shown done
    when the next one starts (a stage of unknown size then counts the next one's rows). The
    command closes it before printing its summary (:meth:`close`); :func:`ktop_index.cli.app.run`
    closes what is left when a command fails (:meth:`closing`).

    >>> progress = Progress("ko")      # stderr is no terminal here: nothing is drawn
    >>> progress("reading", 0); progress("validating", 1_000); progress.advance(1_000)
    >>> progress.rows
    1000
    """

    _open: ClassVar[list[Progress]] = []  # the instances with a bar on the screen

    def __init__(self, lang: str = "en"):
        self.lang, self.rows, self.bar, self.advanced = lang, 0, None, False
        self.stream = sys.stderr if sys.stderr.isatty() else None

    def __call__(self, stage: str, rows: int) -> None:
        """Start ``stage`` of ``rows`` units (the ``progress(stage, rows)`` callback)."""
        from ktop_index.labels import PROGRESS_STAGES

        unit, stage_ko, unit_ko = PROGRESS_STAGES.get(stage, ("rows", stage, "행"))
        self.close(rows)
        if unit == "rows":
            self.rows = max(self.rows, rows)
        if self.stream is None:
            return
        from tqdm import tqdm  # here: `ktop --help` imports none of it

        korean = self.lang == "ko"
        self.bar = tqdm(total=rows or None, desc=stage_ko if korean else stage,
                        unit=" " + (unit_ko if korean else unit), file=self.stream,
                        dynamic_ncols=True, leave=True)
        self.advanced = False
        Progress._open.append(self)

    def step(self, stage: str) -> None:
        """Start a stage the command line itself runs, over the rows read so far."""
        self(stage, self.rows)

    def advance(self, done: int) -> None:
        """``done`` more units of the current stage are done."""
        if self.bar is not None:
            if self.bar.total and self.bar.n + done > self.bar.total:
                self.bar.total = self.bar.n + done  # the size was an estimate, too low
            self.bar.update(done)
            self.advanced = True

    def close(self, rows: int = 0) -> None:
        """Finish the current bar, shown done (a stage of unknown size: ``rows`` done)."""
        bar, self.bar = self.bar, None
        if bar is None:
            return
        if not self.advanced:
            bar.total = bar.total or rows or None
            bar.update((bar.total or 0) - bar.n)
        elif bar.total != bar.n:  # an estimated size: what was done is the size
            bar.total = bar.n
            bar.refresh()
        bar.close()
        Progress._open.remove(self)

    @classmethod
    def close_all(cls) -> None:
        """Close every bar still open, so that what is printed next starts its own line."""
        for progress in list(cls._open):
            progress.close()

    @classmethod
    @contextlib.contextmanager
    def closing(cls):
        """Close every bar still open when the block ends (a command that failed)."""
        try:
            yield
        finally:
            cls.close_all()


def read_valid(path: str, args: argparse.Namespace, progress: Progress):
    """Read and validate an input file; warnings go to stderr (the first MAX_SHOWN), errors
    stop the run as a :class:`~ktop_index.errors.DataError`. Returns the valid frame."""
    from ktop_index.data.io import read_table
    from ktop_index.data.validate import validate
    from ktop_index.errors import DataError

    progress.step("reading")
    table = read_table(path, sheet=getattr(args, "sheet", None),
                       header_row=getattr(args, "header_row", None))
    progress("validating", len(table.frame))
    result = validate(table, money_unit=getattr(args, "money_unit", None))
    show_warnings(result.warnings, args.lang)
    if not result.ok:
        raise DataError(result.problems)
    return result.frame


def show_warnings(problems, lang: str) -> None:
    """The warnings among ``problems`` on stderr: the first MAX_SHOWN, then how many more
    (below the progress bars, closed first when there are any)."""
    warnings = [p for p in problems if p.severity == "warning"]
    if warnings:
        Progress.close_all()
    for problem in warnings[:MAX_SHOWN]:
        print(problem.line(lang), file=sys.stderr)
    if len(warnings) > MAX_SHOWN:
        print(words("more_warnings", lang).format(n=len(warnings) - MAX_SHOWN),
              file=sys.stderr)


@contextlib.contextmanager
def warnings_first(lang: str):
    """Show the warnings of a file the API rejects before its errors (as ``ktop validate``
    orders them): a DataError's warnings go to stderr, then the error goes on up."""
    from ktop_index.errors import DataError

    try:
        yield
    except DataError as exc:
        show_warnings(exc.problems, lang)
        raise


# ---------------------------------------------------------------------------- tables

def padded_row(cells: Sequence[str], widths: Sequence[int]) -> str:
    """Cells padded to their display widths, two spaces apart; cells past ``widths`` are not
    padded (the last, free-text column).

    >>> padded_row(["매출", "x", "free text"], [6, 2])
    '매출    x   free text'
    """
    padded = [c + " " * (w - display_width(c)) for c, w in zip(cells, widths)]
    return "  ".join(padded + list(cells[len(widths):])).rstrip()


def print_frame(frame) -> None:
    """Print a DataFrame as aligned columns: numbers right-aligned (large ones with thousands
    separators, others to 2 decimals), text left-aligned, missing values blank."""
    import pandas as pd

    cells = [[str(c) for c in frame.columns]]
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(
        frame[c]) for c in frame.columns]
    for values in frame.itertuples(index=False, name=None):
        cells.append([cell_text(v) for v in values])
    widths = [max(display_width(r[k]) for r in cells) for k in range(len(frame.columns))]
    for r in cells:
        print("  ".join((" " * (w - display_width(c)) + c) if num
                        else (c + " " * (w - display_width(c)))
                        for c, w, num in zip(r, widths, numeric)).rstrip())


def cell_text(value: object) -> str:
    """How :func:`print_frame` shows one value.

    >>> [cell_text(v) for v in (None, float("nan"), 12345.6, 1.234, "A")]
    ['', '', '12,346', '1.23', 'A']
    """
    import math

    if value is None or (isinstance(value, float) and math.isnan(value)) or str(value) in (
            "<NA>", "nan"):
        return ""
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 10_000 else f"{value:.2f}"
    return str(value)
