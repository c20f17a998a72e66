"""Explaining an index: peer groups by the published KSIC tree, reasons against the peers
(hand cases), and the gains of a move, in canonical English."""

from __future__ import annotations

import numpy as np
import pytest

from ktop_index.index.explain import (
    domain_gains,
    indicator_gains,
    peer_group_of,
    peer_groups,
    peer_index,
    reason_codes,
    reason_labels,
)
from ktop_index.index.spec import indicator_labels_ko
from ktop_index.index.techindex import TechIndex


def test_peer_index_takes_the_division_then_the_section():
    """KSIC 10110 (division 10, section C manufacturing) falls back to C when only C has a
    table; 26110 finds its division 26; 58221 (publishing, section J) and a missing code find
    nothing (-1, the whole reference)."""
    groups = ["26", "C"]
    assert peer_index(["10110", "26110", None, "58221"], groups, 4).tolist() == [1, 0, -1, -1]
    assert peer_index(None, groups, 3).tolist() == [-1, -1, -1]
    masks = peer_groups(np.array(["10110", "26110", "58221"]))
    assert list(masks) == ["10", "26", "58", "C", "J"]
    assert masks["C"].tolist() == [True, True, False]


def test_peer_group_of_a_firm():
    """A firm is compared with its division's medians when the model has them, else the
    whole reference ('*')."""
    model = TechIndex.load()
    divisions = [g for g in model.peer_medians_ if g.isdigit()]
    assert peer_group_of(model, divisions[0] + "110") == divisions[0]
    assert peer_group_of(model, None) == "*"
    assert peer_group_of(model, float("nan")) == "*"


def _spec():
    """Five indicators: a1 and a2 read the same field x; a4 weighs 0; b1's domain weighs 0."""
    def indicator(name, domain, weight, **source):
        return {"name": name, "domain": domain, "weight": weight, "label": f"label {name}",
                "label_ko": f"라벨 {name}", **source}
    return {"domains": [{"name": "A", "weight": 1.0}, {"name": "B", "weight": 0.0}],
            "indicators": [indicator("a1", "A", 1, field="x"),
                           indicator("a2", "A", 1, numerator="x", denominator="e"),
                           indicator("a3", "A", 1, field="y"),
                           indicator("a4", "A", 0, field="z"),
                           indicator("b1", "B", 1, field="w")]}


def test_reasons_by_hand():
    """Row 0 against the whole reference (medians 50): gaps a1 +40, a2 +35, a3 +10 (a4, b1
    never count). Strength 1 is a1; a2 reads a1's field, so strength 2 is a3; nothing is below
    the peers. Row 1 against division 26 (medians 80): a1 -10, a2 missing, a3 +15: strength a3
    and weakness a1, no second of either."""
    names = ["a1", "a2", "a3", "a4", "b1"]
    medians = {"*": dict.fromkeys(names, 50.0), "26": dict.fromkeys(names, 80.0)}
    scores = np.array([[90.0, 85.0, 60.0, 100.0, 100.0],
                       [70.0, np.nan, 95.0, 0.0, 0.0]])
    codes = reason_codes(_spec(), medians, scores, np.array([0, 1]))
    none = len(names)
    assert codes["strength_1"].tolist() == [0, 2]
    assert codes["strength_2"].tolist() == [2, none]
    assert codes["weakness_1"].tolist() == [none, 0]
    assert codes["weakness_2"].tolist() == [none, none]
    labels = reason_labels(_spec())
    assert labels[codes["strength_1"][1]] == "label a3" and labels[none] == ""


def test_gains_speak_english_and_the_report_localises_them(jeju_firms):
    """explain's gains carry the spec's English labels; the report's Korean table has the
    same numbers under the Korean labels."""
    from ktop_index.report.html import indicator_gains as report_gains

    model = TechIndex.load()
    firm = jeju_firms().iloc[[5]]
    english = indicator_gains(model, firm)
    assert len(english) > 0
    labels = {s["name"]: s["label"] for s in model.spec_["indicators"]}
    assert english["label"].tolist() == [labels[n] for n in english["indicator"]]
    korean = report_gains(model, firm, lang="ko")
    to_korean = indicator_labels_ko(model.spec_)
    assert korean["label"].tolist() == [to_korean[v] for v in english["label"]]
    assert korean.drop(columns="label").equals(english.drop(columns="label"))


def test_domain_gains_of_a_row_without_scores_is_an_empty_table():
    """A row without domain scores (or all at 100) has nothing to raise: an empty table of
    the gain columns, not an error."""
    import pandas as pd

    model = TechIndex.load()
    empty = domain_gains(model, pd.Series({"infrastructure": 100.0}))
    assert empty.empty and list(empty.columns) == ["indicator", "label", "domain", "current",
                                                   "peer_median", "target", "gain"]
    one = domain_gains(model, pd.Series({"input": 40.0}))
    assert one["indicator"].tolist() == ["input"] and one["label"].tolist() == ["input"]
    # alone among the domains, input is the whole composite: +10 composite points
    assert one["gain"].iloc[0] == pytest.approx(
        model.spec_["scale"]["sd"] / model.composite_sd_ * 10.0, rel=1e-12)
