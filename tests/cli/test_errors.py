"""How `ktop` maps what a command raises to one line on stderr and an exit code: every error
ktop_index raises on purpose exits 1 with its message, usage 2, anything else 3 with a line
saying it is a bug."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import ktop_index.cli.data
from ktop_index.cli import main
from ktop_index.errors import (
    CallError,
    DataError,
    InputError,
    KtopError,
    SpecError,
    StoreError,
    UsageError,
)

BUG = ("this is a bug in ktop_index; please report it with the command and the output of "
       "KTOP_DEBUG=1 ktop ...")


def schema_raising(monkeypatch, exc: BaseException) -> None:
    """Make `ktop schema` raise ``exc`` (the parser takes the command when it is built)."""
    def cmd_schema(args):
        raise exc

    monkeypatch.setattr(ktop_index.cli.data, "cmd_schema", cmd_schema)


@pytest.mark.parametrize("error", [InputError, DataError, CallError, SpecError, StoreError])
def test_each_ktop_error_exits_1_with_its_message(error, monkeypatch, capsys):
    """Each KtopError subclass: exit 1, `ktop COMMAND: error: MESSAGE`, nothing on stdout."""
    schema_raising(monkeypatch, error("call.toml: budget: expected a number of 천원"))
    assert main(["schema"]) == 1
    out = capsys.readouterr()
    assert out.err == "ktop schema: error: call.toml: budget: expected a number of 천원\n"
    assert out.out == ""


def test_every_error_class_of_the_package_is_mapped():
    """The classes above are every KtopError there is (a new one needs a line here)."""
    def subclasses(cls):
        return {cls} | {s for sub in cls.__subclasses__() for s in subclasses(sub)}
    assert subclasses(KtopError) == {KtopError, InputError, DataError, CallError, SpecError,
                                     StoreError, UsageError}


def test_a_usage_error_exits_2(monkeypatch, capsys):
    """UsageError: exit 2 with its one line."""
    schema_raising(monkeypatch, UsageError("--years '2020': expected FIRST-LAST"))
    assert main(["schema"]) == 2
    assert capsys.readouterr().err == "ktop schema: error: --years '2020': expected FIRST-LAST\n"


def test_argparse_usage_errors_exit_2(capsys):
    """An unknown command or option is argparse's: exit 2, the usage and one error line."""
    for argv in (["bogus"], ["schema", "--bogus"], ["validate"]):
        with pytest.raises(SystemExit) as stop:
            main(argv)
        assert stop.value.code == 2
        err = capsys.readouterr().err.splitlines()
        assert err[0].startswith("usage: ktop") and err[-1].startswith("ktop")
        assert ": error: " in err[-1]


class FakeProblem:
    """A problem as a DataError carries it: a severity and a line."""

    def __init__(self, row: int, severity: str = "error"):
        self.row, self.severity = row, severity

    def line(self, lang: str = "en") -> str:
        return f"f.csv:{self.row}:revenue: {'음수' if lang == 'ko' else 'negative'}"


def test_a_data_error_prints_its_problems_capped(monkeypatch, capsys):
    """A DataError with problems prints its error lines (not its warnings), at most 30, then
    how many more."""
    problems = [FakeProblem(row) for row in range(2, 37)] + [FakeProblem(99, "warning")]
    schema_raising(monkeypatch, DataError(problems))
    assert main(["schema", "--lang", "ko"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[:30] == [f"f.csv:{row}:revenue: 음수" for row in range(2, 32)]
    assert err[30:] == ["... 외 오류 5건; `ktop validate FILE`로 모두 볼 수 있습니다"]
    assert main(["schema"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[30:] == ["... and 5 more errors; `ktop validate FILE` lists them all"]


def test_a_data_error_from_a_real_file(tmp_path):
    """End to end: a file with a bad business number stops `ktop score` with exit 1 and the
    problem's line, no traceback."""
    bad = tmp_path / "bad.csv"
    bad.write_text("사업자등록번호,기준연도\n124-81-00997,2024\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "ktop_index.cli", "score", str(bad), "-o",
                          str(tmp_path / "s.csv")], capture_output=True, text=True,
                         encoding="utf-8", check=False)
    assert out.returncode == 1
    assert out.stderr.startswith("bad.csv:2:사업자등록번호:") and out.stderr.count("\n") == 1


def test_a_file_that_cannot_be_written_exits_1_naming_it(tmp_path, capsys):
    """OSError (here: the output's folder is a file): exit 1, one line naming the file."""
    (tmp_path / "a_file").write_text("", encoding="utf-8")
    assert main(["schema", "-o", str(tmp_path / "a_file" / "dictionary.csv")]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"ktop schema: error: {tmp_path / 'a_file'}")
    assert err.count("\n") == 1 and "Traceback" not in err


def test_an_oserror_names_its_file(monkeypatch, capsys):
    """The message of an OSError is its file and what went wrong."""
    schema_raising(monkeypatch, PermissionError(13, "Permission denied", "out/a.csv"))
    assert main(["schema"]) == 1
    assert capsys.readouterr().err == "ktop schema: error: out/a.csv: Permission denied\n"


def test_a_broken_pipe_is_not_an_error(monkeypatch):
    """Output piped into `head`: exit 0."""
    schema_raising(monkeypatch, BrokenPipeError())
    with open(os.devnull, "w", encoding="utf-8") as null:  # run() closes stderr
        monkeypatch.setattr(sys, "stderr", null)
        assert main(["schema"]) == 0


@pytest.mark.parametrize("exc, shown", [
    (RuntimeError("boom\n  at step 2"), "RuntimeError: boom at step 2"),
    (ValueError("could not convert"), "ValueError: could not convert"),
    (KeyError("tech_index"), "KeyError: 'tech_index'"),
])
def test_anything_else_is_an_internal_error(exc, shown, monkeypatch, capsys):
    """An unexpected exception (a plain ValueError too): exit 3 and ONE line saying it is a
    bug and how to report it."""
    monkeypatch.delenv("KTOP_DEBUG", raising=False)
    schema_raising(monkeypatch, exc)
    assert main(["schema"]) == 3
    assert capsys.readouterr().err == f"ktop schema: internal error: {shown} — {BUG}\n"


def test_ktop_debug_shows_the_traceback(monkeypatch):
    """KTOP_DEBUG=1: the internal error is re-raised (Python prints its traceback)."""
    monkeypatch.setenv("KTOP_DEBUG", "1")
    schema_raising(monkeypatch, RuntimeError("boom"))
    with pytest.raises(RuntimeError, match="boom"):
        main(["schema"])


def test_ktop_debug_in_a_subprocess(tmp_path):
    """As a user runs it: without KTOP_DEBUG one line and exit 3; with it, the traceback."""
    script = ("import sys, ktop_index.cli.data as d\n"
              "def boom(args):\n    raise RuntimeError('boom')\n"
              "d.cmd_schema = boom\n"
              "from ktop_index.cli import main\nsys.exit(main(['schema']))\n")
    plain = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           encoding="utf-8", check=False, env={"PATH": "/usr/bin"})
    assert plain.returncode == 3
    assert plain.stderr == f"ktop schema: internal error: RuntimeError: boom — {BUG}\n"
    debug = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           encoding="utf-8", check=False,
                           env={"PATH": "/usr/bin", "KTOP_DEBUG": "1"})
    assert debug.returncode == 1 and "Traceback" in debug.stderr
    assert debug.stderr.rstrip().endswith("RuntimeError: boom")
