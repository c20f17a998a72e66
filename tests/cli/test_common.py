"""ktop_index.cli._common: no command writes its output over one of its inputs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

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
