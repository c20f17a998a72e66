"""Fixtures of the tracking tests: a small raw panel, and makers of hand-made files."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from ktop_index.data.brn import make_brn
from ktop_index.data.io import write_table

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample_panel.parquet"


def _brn(k: int) -> str:
    return make_brn(124, 81, k)


def _write_selection(folder: Path, call: str, rows: list[tuple]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame(rows, columns=["brn", "firm_name", "status", "tech_index", "support"])
    write_table(frame, folder / "selection.csv")
    (folder / "audit.json").write_text(json.dumps({"call": call, "seed": 0}), encoding="utf-8")
    return folder


def _hand_scored(path: Path, rows: list[dict]) -> Path:
    write_table(pd.DataFrame(rows), path)
    return path


@pytest.fixture(scope="session")
def small_panel(tmp_path_factory) -> Path:
    """300 firms of the bundled sample panel, as a raw Parquet file."""
    panel = pd.read_parquet(SAMPLE)
    firms = panel["firm_id"].drop_duplicates().head(300)
    path = tmp_path_factory.mktemp("panel") / "panel.parquet"
    write_table(panel[panel["firm_id"].isin(firms)].reset_index(drop=True), path)
    return path


@pytest.fixture(scope="session")
def brn():
    """``brn(k)``: the k-th valid business number of a made-up series (124-81-…)."""
    return _brn


@pytest.fixture(scope="session")
def write_selection():
    """``write_selection(folder, call, rows)``: a hand-made `ktop select` output folder
    (selection.csv with ``brn, firm_name, status, tech_index, support`` and audit.json)."""
    return _write_selection


@pytest.fixture(scope="session")
def hand_scored():
    """``hand_scored(path, rows)``: a scored file written by hand (identity, raw fields and
    score columns, one dict per row)."""
    return _hand_scored
