"""The bundled data: valid, reproducible, and the example of mistakes says what it should."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from ktop_index.data.io import detect_encoding, read_table
from ktop_index.data.validate import validate
from ktop_index.synth import generate

DATA = Path(__file__).resolve().parents[1] / "data"
MODELS = Path(__file__).resolve().parents[1] / "models"
DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_jeju_applicants_are_valid_in_both_formats():
    """The bundled applicants validate cleanly, as XLSX and as a CP949 CSV, with equal content."""
    xlsx = validate(read_table(DATA / "jeju_2025_applicants.xlsx"))
    csv = validate(read_table(DATA / "jeju_2025_applicants.csv"))
    assert xlsx.problems == [] and csv.problems == []
    assert len(xlsx.frame) == 150
    assert detect_encoding((DATA / "jeju_2025_applicants.csv").read_bytes()) == "cp949"
    pd.testing.assert_frame_equal(xlsx.frame, csv.frame, check_dtype=False)


def test_applicants_have_korean_headers_and_screen_outs():
    """Headers are Korean with units; some applicants are there to be screened out."""
    table = read_table(DATA / "jeju_2025_applicants.xlsx").frame
    assert "사업자등록번호" in table.columns and "매출액(천원)" in table.columns
    key = pd.read_csv(DATA / "jeju_2025_applicants_key.csv", encoding="utf-8-sig")
    screened = key["expected"].fillna("").str.startswith("screen-out")
    assert 0.08 <= screened.mean() <= 0.2
    frame = validate(read_table(DATA / "jeju_2025_applicants.xlsx")).frame
    outside = key.loc[key["expected"].fillna("").str.contains("Seoul 세종대로"), "brn"]
    regions = frame.set_index("brn").loc[outside, "region"]
    assert regions.str.startswith("서울특별시").all()


def test_example_of_mistakes_reports_each_one():
    """applicants_with_errors.csv yields one problem per planted mistake, in row order."""
    result = validate(read_table(DATA / "examples" / "applicants_with_errors.csv"))
    found = [(p.row, p.code) for p in result.errors]
    assert found == [(1, "money_unit"), (2, "bad_brn"), (3, "staff_gt_employees"),
                     (4, "founded_after_year"), (5, "not_number"), (6, "negative"),
                     (7, "out_of_range"), (8, "not_integer"), (9, "bad_yesno"),
                     (11, "duplicate_firm_year"), (12, "bad_ksic")]


def test_sample_panel_is_the_generator_output():
    """data/sample_panel.parquet is exactly generate(2000 firms, 2014-2024, seed 0)."""
    committed = pd.read_parquet(DATA / "sample_panel.parquet")
    fresh = generate(n_firms=2000, years=(2014, 2024), seed=0).panel
    pd.testing.assert_frame_equal(committed, fresh)


def assert_close(expected, actual, rel: float, path: str = "model") -> None:
    """Equal structure and text; floats equal to ``rel`` (relative), naming the first that is not."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict) and expected.keys() == actual.keys(), path
        for key in expected:
            assert_close(expected[key], actual[key], rel, f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(expected) == len(actual), path
        for i, (e, a) in enumerate(zip(expected, actual)):
            assert_close(e, a, rel, f"{path}[{i}]")
    elif isinstance(expected, float) and not isinstance(actual, bool):
        assert actual == pytest.approx(expected, rel=rel, abs=1e-12), path
    else:
        assert expected == actual, path


def test_assert_close_finds_a_difference():
    """The comparison above fails on a float moved beyond the tolerance, and on a changed key."""
    assert_close({"a": [1.0, "x"]}, {"a": [1.0 + 1e-12, "x"]}, rel=1e-9)
    with pytest.raises(AssertionError):
        assert_close({"a": [1.0]}, {"a": [1.001]}, rel=1e-9)
    with pytest.raises(AssertionError):
        assert_close({"a": 1}, {"b": 1}, rel=1e-9)


def test_default_model_is_reproducible():
    """models/default.json is `ktop fit` on the synthetic panel (20,000 firms, seed 0, 2014-2024,
    base year 2024, fit seed 0) with its truth; its card models/default.md is generated from it
    and from the real-data report's figures, docs/validation.json."""
    from ktop_index.growth.card import model_card
    from ktop_index.growth.model import GrowthModel

    committed = json.loads((MODELS / "default.json").read_text(encoding="utf-8"))
    training = committed["growth"]["training"]
    assert training["command"] == ("ktop fit /tmp/ref/panel.parquet -o models/default.json "
                                   "--seed 0 --truth /tmp/ref/truth.parquet")
    sp = generate(n_firms=20000, years=(2014, 2024), seed=0)
    fresh = GrowthModel(seed=0).fit(sp.panel, sp.truth, description=training["description"],
                                    command=training["command"]).index_.to_dict()
    fresh = json.loads(json.dumps(fresh))
    committed.pop("package_version"), fresh.pop("package_version")
    committed["growth"]["training"].pop("package_version")
    fresh["growth"]["training"].pop("package_version")
    assert committed["reference"]["year"] == 2024 and training["synthetic"] is True
    assert committed["growth"]["method"]["level"] == "indicators"  # the better one out of time
    # The fit's floats come from scipy's optimiser and BLAS, which may differ in the last digits
    # between versions (an intercept moved at the 12th digit with scipy 1.17): equal to a
    # relative 1e-9, everything else (structure, names, counts, text) exactly.
    assert_close(committed, fresh, rel=1e-9)
    # the card leads with the real-firm figures of the committed report (written by
    # `python validation/build_report.py`, which reads ../shared; this test does not)
    card = (MODELS / "default.md").read_text(encoding="utf-8")
    evidence = json.loads((DOCS / "validation.json").read_text(encoding="utf-8"))
    assert card == model_card(json.loads((MODELS / "default.json").read_text(encoding="utf-8")),
                              "default.json", evidence=evidence)
    assert "**Fitted on synthetic data.**" in card
    assert card.index("## On real firms") < card.index("## Data")
