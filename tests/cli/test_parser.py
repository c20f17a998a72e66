"""The shape of `ktop`: a fast start, every command's help, defaults that live in the API only
(shown from it, never passed when not given), and the rebuild command a model records."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys

import pytest

from ktop_index.cli import main
from ktop_index.cli.app import build_parser
from ktop_index.cli.growth import _fit_command

HEAVY = ("pandas", "numpy", "sklearn", "matplotlib", "pyarrow", "tqdm")


def subcommands(parser: argparse.ArgumentParser, prefix=()):
    """Every (sub)command path of a parser and its own parser."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*prefix, name), sub
                yield from subcommands(sub, (*prefix, name))


def test_help_imports_no_heavy_library():
    """Building the parser and printing `ktop --help` imports none of pandas, numpy,
    scikit-learn, matplotlib, pyarrow, tqdm (so the command starts at once)."""
    code = ("import sys, contextlib, io\n"
            "from ktop_index.cli import main\n"
            "from ktop_index.cli.app import build_parser\n"
            "build_parser().format_help()\n"
            "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
            "    main(['--help'])\n"
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]", out.stderr


def test_every_command_has_help():
    """Each command and subcommand prints its help (every default it shows can be found)."""
    paths = [path for path, _ in subcommands(build_parser())]
    assert {("track", "monitor"), ("track", "purge"), ("report", "firm"),
            ("calls", "check"), ("app",)} <= set(paths) and len(paths) == 25
    for path, sub in subcommands(build_parser()):
        text = sub.format_help()
        assert text.startswith(f"usage: ktop {' '.join(path)}"), path
        assert "%(" not in text and "None" not in text, path


def test_module_and_console_script_run():
    """`python -m ktop_index.cli` and the installed `ktop` both run the command."""
    module = subprocess.run([sys.executable, "-m", "ktop_index.cli", "--version"],
                            capture_output=True, text=True, check=False)
    assert module.returncode == 0 and module.stdout.startswith("ktop_index ")
    from importlib.metadata import entry_points

    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "ktop"]
    assert script.value == "ktop_index.cli:main" and script.load() is main


def help_default(path: tuple[str, ...], flag: str) -> str:
    """The value an option's help states as its default ('(default X' or '; default X')."""
    (sub,) = [p for q, p in subcommands(build_parser()) if q == path]
    (action,) = [a for a in sub._actions if flag in a.option_strings]
    text = sub._get_formatter()._expand_help(action)
    return re.search(r"default:? ([^\s;)]+)", text).group(1)


def test_fit_shows_the_growth_model_defaults():
    """`ktop fit --help` states the defaults a default GrowthModel and OutcomeRules use."""
    from ktop_index.growth.model import GrowthModel
    from ktop_index.growth.outcomes import OutcomeRules

    model, rules = GrowthModel(), OutcomeRules()
    for flag, value in [("--bootstrap", model.n_bootstrap), ("--refits", model.n_refits),
                        ("--seed", model.seed), ("--combination", model.combination),
                        ("--min-weight", model.min_weight), ("--level", model.level),
                        ("--measure", rules.measure), ("--annual-growth", rules.annual_growth)]:
        assert help_default(("fit",), flag) == str(value), flag


def test_track_shows_the_analyses_defaults():
    """`ktop track effect|monitor|industry --help` state the analyses' own defaults."""
    import inspect

    from ktop_index.tracking.effect import support_effect
    from ktop_index.tracking.history import industry_series
    from ktop_index.tracking.monitor import DEFAULT_THRESHOLDS

    effect = inspect.signature(support_effect).parameters
    for flag, name in [("--caliper", "caliper"), ("--n-boot", "n_boot"), ("--seed", "seed")]:
        assert help_default(("track", "effect"), flag) == str(effect[name].default)
    assert float(help_default(("track", "monitor"), "--index-drop")) == (
        DEFAULT_THRESHOLDS["tech_index"])
    assert float(help_default(("track", "monitor"), "--revenue-drop")) == (
        DEFAULT_THRESHOLDS["revenue"])
    assert inspect.signature(industry_series).parameters["by"].default == "ksic_division"
    assert help_default(("track", "industry"), "--by") == "ksic"


def test_options_left_out_are_not_passed(monkeypatch):
    """`ktop composite` passes only the options given, so the API's defaults apply."""
    from ktop_index.index import composite

    calls = []
    monkeypatch.setattr(composite, "run_files", lambda *args, **kwargs: calls.append(kwargs))
    assert main(["composite", "d.csv", "m.csv", "-o", "o.csv"]) == 0
    assert main(["composite", "d.csv", "m.csv", "-o", "o.csv", "--range", "1", "100",
                 "--aggregate", "gmean"]) == 0
    assert calls == [{"weights_path": None},
                     {"weights_path": None, "aggregate": "gmean", "l_u": (1.0, 100.0)}]


@pytest.mark.parametrize("extra, recorded", [
    ([], ""),
    # a given value equal to the API's default is not recorded; others are, in a fixed order
    (["--bootstrap", "200", "--refits", "50", "--seed", "0"], ""),
    (["--refits", "3", "--controls", "--bootstrap", "20", "--seed", "7"],
     " --bootstrap 20 --refits 3 --controls"),
    (["--annual-growth", "0.1", "--measure", "revenue", "--base-year", "2020", "--synthetic"],
     " --base-year 2020 --measure revenue --annual-growth 0.1 --synthetic"),
])
def test_fit_records_its_rebuild_command(extra, recorded):
    """The model file records `ktop fit PANEL -o MODEL --seed S` and each option that
    differs from the API's default (the model file's bytes depend on this string)."""
    args = build_parser().parse_args(["fit", "p.parquet", "-o", "m.json", *extra])
    seed = extra[extra.index("--seed") + 1] if "--seed" in extra else "0"
    assert _fit_command(args) == f"ktop fit p.parquet -o m.json --seed {seed}{recorded}"
