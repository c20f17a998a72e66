"""The malformed-input corpus (tests/corpus/README.md): every file gets its one-line answer,
in English and Korean, with the exit code expected, and never a traceback."""

from __future__ import annotations

import csv
import shlex
from pathlib import Path

import pytest

from ktop_index.cli.app import main

CORPUS = Path(__file__).resolve().parent / "corpus"
DATA = Path(__file__).resolve().parents[1] / "data"


def _cases() -> list:
    cases = []
    for table in sorted(CORPUS.glob("*/cases.csv")):
        with open(table, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                cases.append(pytest.param(table.parent, row,
                                          id=f"{table.parent.name}/{row['file']}"))
    return cases


CASES = _cases()


def _run(folder: Path, row: dict, lang: str, tmp_path: Path, capsys) -> tuple[int, str]:
    out = tmp_path / f"out_{lang}"
    command = row["command"].format(file=folder / row["file"], data=DATA, out=out)
    try:
        code = main(shlex.split(command) + ["--lang", lang])
    except SystemExit as exc:  # argparse's usage errors (exit 2)
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.err + captured.out


@pytest.mark.parametrize(("folder", "row"), CASES)
def test_case(folder, row, tmp_path, capsys):
    assert (folder / row["file"]).exists(), f"{row['file']} is not in {folder}"
    for lang, column in (("en", "expected"), ("ko", "expected_ko")):
        code, text = _run(folder, row, lang, tmp_path, capsys)
        assert "Traceback" not in text and "internal error" not in text, text
        assert code == int(row["exit"]), f"exit {code} ({lang}): {text}"
        if row[column]:
            assert row[column] in text, f"({lang}) expected {row[column]!r} in:\n{text}"


def test_the_corpus_is_large_enough():
    """Issue 14 asks for at least 60 malformed files, each with its expected message."""
    assert len(CASES) >= 60
    assert all(row.values[1]["expected"] for row in CASES)
