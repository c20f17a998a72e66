"""ktop_index.cli._common: no command writes its output over one of its inputs; progress bars
on a terminal, nothing otherwise."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from pathlib import Path

import pytest

from ktop_index.cli._common import Progress
from ktop_index.cli.app import main

DATA = Path(__file__).resolve().parents[2] / "data"
MODEL = Path(__file__).resolve().parents[2] / "models" / "default.json"


@pytest.fixture
def files(tmp_path):
    shutil.copy(DATA / "jeju_2025_applicants.csv", tmp_path / "firms.csv")
    shutil.copy(MODEL, tmp_path / "model.json")
    return tmp_path


@pytest.mark.parametrize("command", [
    "score {d}/firms.csv -o {d}/firms.csv",
    "rebase {d}/firms.csv --base-year 2024 --model {d}/model.json -o {d}/model.json",
    "rebase {d}/firms.csv --base-year 2024 -o {d}/firms.csv",
    "fit {d}/firms.csv -o {d}/model.json --spec {d}/model.json",
    "composite {d}/firms.csv {d}/model.json -o {d}/firms.csv",
    "select {d}/firms.csv --call jeju_2025 -o {d}",
    "track industry --db {d}/firms.csv -o {d}/firms.csv",
])
def test_an_output_never_replaces_an_input(files, command, capsys):
    before = {p.name: p.read_bytes() for p in files.iterdir()}
    code = main(command.format(d=files).split())
    err = capsys.readouterr().err
    assert code == 2, err
    assert "is the input" in err or "holds the input" in err
    assert len(err.strip().splitlines()) == 1
    assert {p.name: p.read_bytes() for p in files.iterdir()} == before


def test_the_refusal_speaks_korean(files, capsys):
    code = main(f"score {files}/firms.csv -o {files}/firms.csv --lang ko".split())
    assert code == 2
    assert "입력 파일과 같은 파일입니다" in capsys.readouterr().err


def test_a_new_output_beside_the_input_is_fine(files, capsys):
    assert main(f"score {files}/firms.csv -o {files}/scores.csv".split()) == 0


# ---------------------------------------------------------------------------- progress

class Terminal(io.StringIO):
    """A stderr that says it is a terminal, as a user's shell has it."""

    def isatty(self) -> bool:
        return True


@pytest.fixture(scope="module")
def firm_years(tmp_path_factory):
    """About 46,000 synthetic firm-years as a CSV (a streamed score of two blocks), and its
    number of rows."""
    from ktop_index.data.io import write_table
    from ktop_index.synth import generate_panel

    panel = generate_panel(n_firms=9000, years=(2017, 2023), seed=3)
    path = tmp_path_factory.mktemp("progress") / "firms.csv"
    write_table(panel, path)
    return path, len(panel)


def run_with(stderr: io.StringIO, *argv) -> tuple[int, str, str]:
    """``ktop ARGV`` in this process with ``stderr``: the exit code, stderr and stdout."""
    stdout = io.StringIO()
    with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(stdout):
        code = main([str(a) for a in argv])
    return code, stderr.getvalue(), stdout.getvalue()


def bar(stage: str, rows: int, unit: str = "rows") -> str:
    """The finished tqdm bar of a stage: every row done, elapsed<left, then the rate."""
    return (rf"\r{stage}: 100%\|#+\| {rows}/{rows} \[\d\d:\d\d<\d\d:\d\d, +\d+\.\d\d "
            rf"{unit}/s\]")


def test_a_terminal_shows_a_bar_per_stage_with_rows_rate_and_time_left(firm_years, tmp_path):
    """`ktop score` on a terminal, a streamed CSV whose firms each have their rows together
    (one pass): reading, scoring and writing, its length first estimated, ends in a full
    bar with the file's row count, a rate and the time left; the scores and the summary are
    those of a run without a terminal."""
    path, rows = firm_years
    code, err, out = run_with(Terminal(), "score", path, "-o", tmp_path / "bar.csv")
    assert code == 0, err
    assert re.search(bar("reading, scoring and writing", rows), err), err
    assert err.endswith("\n")  # closed before the summary, which starts its own line
    quiet = run_with(io.StringIO(), "score", path, "-o", tmp_path / "quiet.csv")
    assert quiet == (0, "", out.replace("bar.csv", "quiet.csv"))
    assert (tmp_path / "bar.csv").read_bytes() == (tmp_path / "quiet.csv").read_bytes()


def test_the_bars_speak_korean(firm_years, tmp_path):
    path, rows = firm_years
    code, err, _ = run_with(Terminal(), "score", path, "-o", tmp_path / "s.csv", "--lang", "ko")
    assert code == 0, err
    assert re.search(bar("읽기·검사·채점·쓰기", rows, "행"), err), err


def test_an_estimated_length_ends_as_the_rows_done(monkeypatch):
    """A stage started on an estimate (a streamed file's length) grows when more rows come
    and ends, full, at the rows done either way."""
    for estimate, batches in ((100, (60, 60)), (100, (30, 40))):
        stderr = Terminal()
        monkeypatch.setattr("sys.stderr", stderr)
        progress = Progress()
        progress("reading and validating", estimate)
        for rows in batches:
            progress.advance(rows)
        progress.close()
        done = sum(batches)
        assert re.search(bar("reading and validating", done), stderr.getvalue()), \
            stderr.getvalue()


def test_no_terminal_no_progress_even_for_a_large_input(capsys):
    """Batch logs stay clean: without a terminal nothing is printed, however many rows
    (the stage lines of 100,000 rows and more are gone)."""
    progress = Progress()
    for stage, rows in (("reading", 0), ("validating", 300_000), ("scoring and writing",
                                                                  300_000)):
        progress(stage, rows)
        progress.advance(rows)
    progress.step("writing")
    progress.close()
    assert capsys.readouterr() == ("", "")
    assert progress.rows == 300_000


def test_an_error_starts_its_own_line_below_the_bars(tmp_path):
    """A file with errors on a terminal: the validating bar is closed, then each problem
    prints on a line of its own (12 rows, 11 errors and a warning: hand count)."""
    code, err, _ = run_with(Terminal(), "score", DATA / "examples" /
                            "applicants_with_errors.csv", "-o", tmp_path / "s.csv")
    assert code == 1
    assert re.search(bar("validating", 12), err)
    lines = err.split("\n")
    assert sum("applicants_with_errors.csv:" in line for line in lines) == 12
    assert not any("\r" in line and "applicants_with_errors.csv:" in line for line in lines)


@pytest.mark.parametrize("preset, already, expected", [
    (None, False, "-1"),      # set before pyarrow loads
    ("250", False, "250"),    # the user's own setting is kept
    (None, True, None),       # too late once pyarrow is loaded: left unset
])
def test_keep_freed_memory_sets_the_allocator_only_before_pyarrow_loads(preset, already,
                                                                        expected):
    """``ktop score`` asks mimalloc to keep freed memory (MIMALLOC_PURGE_DELAY=-1), which it
    reads when pyarrow loads; checked in a fresh interpreter, where pyarrow is not loaded."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "MIMALLOC_PURGE_DELAY"}
    if preset is not None:
        env["MIMALLOC_PURGE_DELAY"] = preset
    code = ("import os, sys\n"
            + ("import pyarrow\n" if already else "")
            + "from ktop_index.cli._common import keep_freed_memory\n"
            "keep_freed_memory()\n"
            "import pyarrow\n"
            "print(os.environ.get('MIMALLOC_PURGE_DELAY'))\n")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True).stdout.strip()
    assert out == str(expected)


def test_skip_imported_objects_leaves_them_out_of_the_collectors_sweeps():
    """After the imports, the objects they made are frozen (never swept again), and a cycle
    made later is still collected; in a fresh interpreter."""
    import subprocess
    import sys

    code = ("import gc, pandas\n"
            "from ktop_index.cli._common import skip_imported_objects\n"
            "tracked = len(gc.get_objects())\n"
            "skip_imported_objects()\n"
            "assert gc.get_freeze_count() >= tracked, (gc.get_freeze_count(), tracked)\n"
            "cycle = []; cycle.append(cycle); del cycle\n"
            "assert gc.collect() >= 1\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_use_jemalloc_makes_it_arrows_pool_where_pyarrow_has_it():
    """Arrow's allocations go to jemalloc where this pyarrow has it, and stay with the
    default pool where it has not, or where the user chose one; in a fresh interpreter."""
    import os
    import subprocess
    import sys

    chosen = ("import os, pyarrow as pa\n"
              "from ktop_index.cli._common import use_jemalloc\n"
              "use_jemalloc()\n"
              "assert pa.default_memory_pool().backend_name == 'system'\n")
    subprocess.run([sys.executable, "-c", chosen], check=True,
                   env={**os.environ, "ARROW_DEFAULT_MEMORY_POOL": "system"})

    code = ("import pyarrow as pa\n"
            "from ktop_index.cli._common import use_jemalloc\n"
            "try:\n"
            "    pa.jemalloc_memory_pool(); expected = 'jemalloc'\n"
            "except NotImplementedError:\n"
            "    expected = pa.default_memory_pool().backend_name\n"
            "use_jemalloc()\n"
            "assert pa.default_memory_pool().backend_name == expected\n"
            "assert pa.array(range(1000)).to_pylist()[-1] == 999\n")
    subprocess.run([sys.executable, "-c", code], check=True)
