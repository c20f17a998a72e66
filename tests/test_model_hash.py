"""One hash of a model, end to end: the audit of a selection, the history store's scoring runs
and selections, and the model card all record the same sha256 of a model, which is the sha256
of the model file's bytes (a model file is written in its canonical form)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from ktop_index._files import canonical_json, model_sha256, sha256_file

ROOT = Path(__file__).resolve().parents[1]
APPLICANTS = ROOT / "data" / "jeju_2025_applicants.csv"
BUNDLED = ROOT / "models" / "default.json"


def ktop(*args) -> None:
    done = subprocess.run([sys.executable, "-m", "ktop_index.cli", *map(str, args)],
                          check=False, capture_output=True, text=True, encoding="utf-8")
    assert done.returncode == 0, done.stderr


def recorded(tmp_path: Path, model: Path | None) -> set[str]:
    """Every model hash the outputs record when applicants are selected and scored with
    ``model`` (None: the bundled one) and both are imported into a store."""
    chosen = ["--model", model] if model else []
    ktop("select", APPLICANTS, "--call", "jeju_2025", "-o", tmp_path / "round",
         "--variants", "20", *chosen)
    db = tmp_path / "h.sqlite"
    ktop("track", "import", APPLICANTS, "--db", db, *chosen)
    ktop("track", "import", tmp_path / "round", "--db", db)
    audit = json.loads((tmp_path / "round" / "audit.json").read_text(encoding="utf-8"))
    with sqlite3.connect(db) as con:
        runs = {r[0] for r in con.execute("SELECT model_sha256 FROM runs")}
        selections = {r[0] for r in con.execute("SELECT model_sha256 FROM selections")}
    return {audit["model_sha256"]} | runs | selections


def test_the_bundled_model_has_one_hash_everywhere(tmp_path):
    expected = sha256_file(BUNDLED)
    assert recorded(tmp_path, None) == {expected}
    card = (ROOT / "models" / "default.md").read_text(encoding="utf-8")
    assert f"Model sha256: `{expected}`" in card


def test_a_fitted_model_has_one_hash_everywhere(tmp_path):
    """A model made here (`ktop fit`, small): its file, card, audit and store agree."""
    model = tmp_path / "m.json"
    ktop("fit", ROOT / "data" / "sample_panel.parquet", "-o", model, "--bootstrap", "5",
         "--refits", "2")
    expected = sha256_file(model)
    assert f"Model sha256: `{expected}`" in model.with_suffix(".md").read_text(encoding="utf-8")
    assert recorded(tmp_path, model) == {expected}


def test_the_hash_is_of_the_canonical_form_not_the_file_layout(tmp_path):
    """A model file re-indented by hand still has the hash of its canonical form."""
    data = json.loads(BUNDLED.read_text(encoding="utf-8"))
    assert canonical_json(data) == BUNDLED.read_text(encoding="utf-8")
    other = tmp_path / "reindented.json"
    other.write_text(json.dumps(data, indent=4, ensure_ascii=True), encoding="utf-8")
    assert sha256_file(other) != sha256_file(BUNDLED)
    assert recorded(tmp_path, other) == {model_sha256(data)} == {sha256_file(BUNDLED)}


@pytest.mark.parametrize("change", [{"reference": {"year": 1999}}])
def test_a_different_model_has_a_different_hash(change):
    data = json.loads(BUNDLED.read_text(encoding="utf-8"))
    assert model_sha256({**data, **change}) != model_sha256(data)
