"""The spec's facts have one home: the constants are the bundled spec's, and a broken spec is
reported whole, every problem naming its key and what is allowed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ktop_index.errors import SpecError
from ktop_index.index.spec import (
    DOMAINS,
    GRADES,
    NOT_RATED,
    check_spec,
    domains,
    grades,
    indicator_labels_ko,
    load_spec,
)
from ktop_index.index.techindex import SCORE_COLUMNS, TechIndex

MODELS = Path(__file__).resolve().parents[2] / "models"


def _bundled(name: str) -> dict:
    return json.loads((MODELS / name).read_text(encoding="utf-8"))


def test_constants_are_the_bundled_specs():
    """DOMAINS, GRADES and NOT_RATED are what the spec file and the default model declare;
    the grades run best first (their minimum percentiles fall)."""
    for spec in (_bundled("tech_index_spec.json"), _bundled("default.json")["spec"]):
        assert DOMAINS == tuple(d["name"] for d in spec["domains"]) == domains(spec)
        assert GRADES == tuple(g["grade"] for g in spec["grades"]) == grades(spec)
        assert NOT_RATED == spec["not_rated_grade"]
    percentiles = [g["min_percentile"] for g in _bundled("tech_index_spec.json")["grades"]]
    assert percentiles == sorted(percentiles, reverse=True) and GRADES[0] == "AAA"
    assert SCORE_COLUMNS[:4] == DOMAINS


def test_the_bundled_spec_and_model_pass_the_schema():
    """The shipped spec and the spec inside the shipped model break no rule."""
    check_spec(_bundled("tech_index_spec.json"))
    check_spec(_bundled("default.json")["spec"])
    assert load_spec(MODELS / "default.json") == _bundled("default.json")["spec"]


def test_indicator_labels_ko_maps_every_reason():
    """English label -> Korean label for each indicator, and no reason to no reason."""
    spec = load_spec()
    labels = indicator_labels_ko(spec)
    assert labels[""] == "" and len(labels) == len(spec["indicators"]) + 1
    assert labels["years in business"] == "업력"


def _broken() -> dict:
    spec = load_spec()
    spec["indicators"][3]["direction"] = 2
    spec["indicators"][5]["transform"] = "cube"
    spec["indicators"][6]["domain"] = "outcomes"
    del spec["indicators"][7]["denominator"]  # a ratio without its denominator
    spec["scale"]["sd"] = 0
    spec["missing"]["min_coverage"] = 1.5
    spec["grades"][2]["min_percentile"] = 95  # above the grade before (AA, 89)
    spec["peers"]["min_size"] = "30"
    spec["aggregation"]["within_domain"] = "median"
    spec["reference_quantile_points"] = 1
    spec["weights"] = {}  # an unknown key
    del spec["not_rated_grade"]
    return spec


EXPECTED = [
    ("spec: weights: unknown key (expected one of name, spec_version, description, domains, "
    "indicators, normalisation, aggregation, missing, scale, grades, not_rated_grade, peers, "
    "reference_quantile_points)"),
    "spec: indicators[3].direction: expected 1 or -1, got 2",
    'spec: indicators[5].transform: expected one of none, log1p, sqrt, got "cube"',
    'spec: aggregation.within_domain: expected one of amean, gmean, got "median"',
    "spec: missing.min_coverage: expected a number between 0 and 1, got 1.5",
    "spec: scale.sd: expected a number above 0, got 0",
    "spec: not_rated_grade: missing (expected a non-empty text)",
    'spec: peers.min_size: expected a whole number, 1 or more, got "30"',
    "spec: reference_quantile_points: expected a whole number, 2 or more, got 1",
    ('spec: indicators[6].domain: expected one of infrastructure, input, activity, outcome, '
    'got "outcomes"'),
    "spec: indicators[7].denominator: missing (expected the field a ratio indicator reads)",
    ("spec: grades[2].min_percentile: expected below the grade before (89: grades best first), "
    "got 95"),
]


def test_a_broken_spec_lists_every_problem():
    """Twelve problems, one SpecError on one line, each naming the key and what is allowed."""
    with pytest.raises(SpecError) as caught:
        check_spec(_broken())
    assert sorted(caught.value.problems) == sorted(EXPECTED)
    assert "\n" not in str(caught.value) and str(caught.value).startswith("spec: 12 problems: ")
    assert all(p.removeprefix("spec: ") in str(caught.value) for p in caught.value.problems)


def test_a_spec_is_checked_when_fitted_and_when_a_model_is_read(tmp_path):
    """Fitting with a broken spec, or reading a model file holding one, raises the SpecError
    before any data is touched; the model file's error names the file."""
    with pytest.raises(SpecError, match=r"indicators\[3\]\.direction: expected 1 or -1"):
        TechIndex(spec=_broken()).fit(None)
    data = _bundled("default.json")
    data["spec"]["indicators"][0]["weight"] = -1
    path = tmp_path / "m.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SpecError, match=rf"^{path}: spec: indicators\[0\]\.weight: expected a "
                                        r"number, 0 or more, got -1$"):
        TechIndex.load(path)


@pytest.mark.parametrize(("change", "message"), [
    (lambda s: s["indicators"].append(dict(s["indicators"][0])),
     r"indicators\[23\]\.name: expected a text not used before, got \"firm_age\""),
    (lambda s: [d.update(weight=0) for d in s["domains"]],
     "domains: expected some domain with a weight above 0"),
    (lambda s: s["normalisation"].update(lower_percentile=98),
     r"normalisation\.lower_percentile: expected below upper_percentile \(97\.5\), got 98"),
    (lambda s: s.update(not_rated_grade="CCC"),
     "not_rated_grade: expected a name other than the grades'"),
    (lambda s: s.update(indicators=[]), "indicators: expected a list of tables"),
    (lambda s: s.update(scale=[100, 10]), "scale: expected a table of mean, sd"),
])
def test_cross_references_are_checked(change, message):
    """What no single key shows: unique names, a weighted domain, ordered goalposts, a
    not-rated grade that is not a grade, lists and tables where the schema has them."""
    spec = load_spec()
    change(spec)
    with pytest.raises(SpecError, match=message):
        check_spec(spec)


def test_a_zero_weight_domain_is_still_the_fit_s_one_line_error():
    """A domain whose indicators all weigh 0 passes the schema (weights may be 0) and stays
    the one-line SpecError of fitting, message unchanged."""
    spec = load_spec()
    for indicator in spec["indicators"]:
        if indicator["domain"] == "activity":
            indicator["weight"] = 0
    check_spec(spec)
    with pytest.raises(SpecError, match=r"^domain 'activity': its indicators' weights sum to 0"):
        TechIndex(spec=spec, reference_year=2024).fit(None)


def test_a_spec_file_that_is_not_json_is_a_spec_error(tmp_path):
    """A spec file that does not parse names the file and the line."""
    path = tmp_path / "spec.json"
    path.write_text('{"name": "x",\n oops}', encoding="utf-8")
    with pytest.raises(SpecError, match=rf"^{path}: not a JSON spec file \(line 2: "):
        load_spec(path)
