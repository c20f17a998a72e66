"""Shared fixtures: where ../shared lives (peer and real data are read in place, never copied)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    """``../shared`` beside the repository, or ``$KTOP_SHARED``."""
    return Path(os.environ.get("KTOP_SHARED", ROOT.parent / "shared"))


@pytest.fixture
def shared() -> Path:
    """The shared folder; the test is skipped where it is absent (a user's fresh clone)."""
    path = shared_dir()
    if not path.is_dir():
        pytest.skip(f"shared data not present at {path}")
    return path
