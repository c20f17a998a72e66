"""``ktop synth``: the synthetic firm panel with its known truth."""

from __future__ import annotations

import argparse
import os

from ktop_index.cli._common import EXIT_OK, ApiDefault, add_api_option, given, words
from ktop_index.errors import UsageError

WRITE = "ktop_index.synth:write"  # the API the command calls; its signature holds the defaults


def add_parsers(sub) -> None:
    """Add ``synth`` to the ``ktop`` subparsers."""
    p = sub.add_parser("synth", help="generate the synthetic firm panel",
                       description="Generate a synthetic Korean SME panel with a known latent "
                                   "capability (docs/synth.md); writes DIR/panel.parquet and "
                                   "DIR/truth.parquet. Same seed, same bytes.")
    add_api_option(p, "--firms", type=int, default=ApiDefault(WRITE, "n_firms"),
                   help="number of firms (default %(api_default)s)")
    add_api_option(p, "--years", default=ApiDefault(WRITE, "years", show=_years_text),
                   help="FIRST-LAST (default %(api_default)s)")
    add_api_option(p, "--seed", type=int, default=ApiDefault(WRITE, "seed"),
                   help="random seed (default %(api_default)s)")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="output folder")
    p.set_defaults(func=cmd_synth)


def cmd_synth(args: argparse.Namespace) -> int:
    """Write DIR/panel.parquet and DIR/truth.parquet; say what was drawn."""
    options = given(args, n_firms="firms", seed="seed")
    if args.years is not None:
        options["years"] = year_range(args.years)
    import inspect

    from ktop_index import synth

    call = inspect.signature(synth.write).bind(args.output, **options)
    call.apply_defaults()  # the values used, for the message: the API's defaults included
    synth.write(*call.args, **call.kwargs)
    used = call.arguments
    first, last = used["years"]
    print(words("synth", args.lang).format(path=os.path.join(args.output, "panel.parquet"),
                                           firms=used["n_firms"], first=first, last=last,
                                           seed=used["seed"]))
    return EXIT_OK


def year_range(text: str) -> tuple[int, int]:
    """``FIRST-LAST`` as two years; anything else is a usage error.

    >>> year_range("2014-2024")
    (2014, 2024)
    """
    try:
        first, last = (int(part) for part in text.split("-"))
    except ValueError:
        raise UsageError(f"--years '{text}': expected FIRST-LAST, e.g. 2014-2024",
                         ko=f"--years '{text}': 첫해-마지막 해 형식이어야 합니다 "
                            "(FIRST-LAST, 예: 2014-2024)") from None
    if first > last:
        raise UsageError(f"--years '{text}': the first year is after the last",
                         ko=f"--years '{text}': 첫해가 마지막 해보다 늦습니다")
    return first, last


def _years_text(years: tuple[int, int]) -> str:
    return f"{years[0]}-{years[1]}"
