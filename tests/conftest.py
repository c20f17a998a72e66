"""Shared fixtures: where ../shared lives (peer and real data are read in place, never copied)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ktop_index.data.validate import read_firms
from ktop_index.index.techindex import score_firms

ROOT = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    """``../shared`` beside the repository, or ``$KTOP_SHARED``."""
    return Path(os.environ.get("KTOP_SHARED", ROOT.parent / "shared"))


@pytest.fixture(autouse=True)
def _english_by_default(monkeypatch):
    """Tests expect the default language; a user's shell with KTOP_LANG=ko must not change it."""
    monkeypatch.delenv("KTOP_LANG", raising=False)


@pytest.fixture
def shared() -> Path:
    """The shared folder; the test is skipped where it is absent (a user's fresh clone)."""
    path = shared_dir()
    if not path.is_dir():
        pytest.skip(f"shared data not present at {path}")
    return path



@lru_cache(maxsize=1)
def _jeju_firms() -> pd.DataFrame:
    return read_firms(ROOT / "data" / "jeju_2025_applicants.csv")


@lru_cache(maxsize=1)
def _jeju_scores() -> pd.DataFrame:
    return score_firms(_jeju_firms())


def _selection_table(n_selected: int = 20, n_waitlist: int = 8, n_ineligible: int = 12,
                    seed: int = 3) -> pd.DataFrame:
    """A selection table of the agreed shape (interfaces.md), built from the Jeju scores."""
    rng = np.random.default_rng(seed)
    scores = _jeju_scores()
    firms = _jeju_firms()
    table = pd.DataFrame({"brn": scores["brn"], "firm_name": scores["firm_name"],
                          "tech_index": scores["tech_index"], "grade": scores["grade"]})
    table["committee_score"] = np.round(rng.uniform(55, 95, len(table)), 1)
    table["eligible"] = True
    table.loc[table.index[:n_ineligible], "eligible"] = False
    table["reasons"] = np.where(table["eligible"], "", "tax arrears; not an SME")
    table["reasons_ko"] = np.where(table["eligible"], "", "국세 체납; 중소기업 아님")
    score = 0.5 * (table["tech_index"] - 60) + 0.5 * table["committee_score"]
    table["selection_score"] = np.where(table["eligible"], np.round(score, 2), np.nan)
    order = table.loc[table["eligible"]].sort_values("selection_score", ascending=False,
                                                     kind="stable").index
    table["rank"] = pd.Series(np.arange(1, len(order) + 1), index=order).reindex(table.index)
    half = rng.integers(0, 9, len(table))
    table["rank_low"] = (table["rank"] - half).clip(lower=1)
    table["rank_high"] = table["rank"] + half
    status = np.full(len(table), "not_selected", dtype=object)
    status[~table["eligible"].to_numpy()] = "ineligible"
    status[(table["rank"] <= n_selected).to_numpy()] = "selected"
    waiting = ((table["rank"] > n_selected) & (table["rank"] <= n_selected + n_waitlist))
    status[waiting.to_numpy()] = "waitlist"
    table["status"] = status
    table["selection_probability"] = np.clip(1 - (table["rank"] - n_selected) / 20, 0, 1).round(3)
    table["robustness"] = np.select(
        [table["rank_high"] <= n_selected, (table["status"] == "selected")
         & (table["rank_high"] > n_selected), table["selection_probability"] >= 0.5],
        ["robust", "fragile", "often_selected"], "")
    table.loc[table["status"] == "selected", "robustness"] = np.where(
        table.loc[table["status"] == "selected", "rank_high"] <= n_selected, "robust", "fragile")
    table["requested"] = firms["requested"].to_numpy()
    selected = (table["status"] == "selected").to_numpy()
    table["support"] = np.where(selected, np.minimum(table["requested"], 50000.0), 0.0)
    table["self_burden"] = np.round(table["support"] * 0.25, 0)
    table["national_share"] = np.round(table["support"] * 0.7, 0)
    table["local_share"] = table["support"] - table["national_share"]
    table = table.sort_values(["rank", "brn"], na_position="last", kind="stable")
    columns = ["brn", "firm_name", "status", "rank", "eligible", "reasons",
               "reasons_ko", "tech_index", "grade", "committee_score",
               "selection_score", "rank_low", "rank_high", "selection_probability", "robustness",
               "requested", "support", "self_burden", "national_share", "local_share"]
    return table[columns].reset_index(drop=True)


@pytest.fixture(scope="session")
def jeju_firms():
    """The bundled Jeju applicants, validated (a function: call it; cached once per session)."""
    return _jeju_firms


@pytest.fixture(scope="session")
def jeju_scores():
    """The bundled Jeju applicants scored with the bundled model (a function: call it)."""
    return _jeju_scores


@pytest.fixture(scope="session")
def selection_table():
    """A factory of selection tables of the agreed shape, built from the Jeju scores."""
    return _selection_table


class ProgressRecorder:
    """A ``progress`` callback with ``advance``, as the API's long functions take one: the
    stages it is told (stage, units) and, per stage, the units it hears done."""

    def __init__(self):
        self.stages, self.advances = [], []

    def __call__(self, stage: str, units: int) -> None:
        self.stages.append((stage, units))
        self.advances.append([])

    def advance(self, done: int) -> None:
        self.advances[-1].append(done)


@pytest.fixture
def recorder() -> ProgressRecorder:
    """A fresh :class:`ProgressRecorder`."""
    return ProgressRecorder()
