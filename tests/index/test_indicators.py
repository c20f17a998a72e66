"""Indicators: ratios with guarded denominators, growth from the same firm's previous year."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ktop_index.index.indicators import compute_indicators, transform

RATIO = {"name": "r", "kind": "ratio", "numerator": "rnd_expense", "denominator": "revenue",
         "min_denominator": 100}
GROWTH = {"name": "g", "kind": "growth", "field": "revenue", "min_base": 100}


def test_ratio_by_hand():
    """50/1000 = 0.05; a denominator below the floor or zero gives missing, not infinity."""
    frame = pd.DataFrame({"rnd_expense": [50.0, 5.0, 5.0, np.nan],
                          "revenue": [1000.0, 99.0, 0.0, 1000.0]})
    values = compute_indicators(frame, [RATIO])["r"].tolist()
    assert values[0] == 0.05 and all(np.isnan(values[1:]))


def test_growth_needs_the_previous_year_of_the_same_firm():
    """Growth is ln(x_t/x_{t-1}) within a firm; a gap or another firm's row gives missing."""
    frame = pd.DataFrame({"firm_id": ["a", "a", "a", "b", "b"],
                          "year": [2021, 2022, 2024, 2022, 2023],
                          "revenue": [1000.0, 2000.0, 3000.0, 500.0, 250.0]})
    values = compute_indicators(frame, [GROWTH])["g"].to_numpy()
    assert np.isnan(values[0]) and np.isnan(values[2]) and np.isnan(values[3])
    assert np.isclose(values[1], np.log(2)) and np.isclose(values[4], np.log(0.5))


def test_growth_ignores_row_order():
    """Shuffling rows changes nothing but the order."""
    frame = pd.DataFrame({"firm_id": ["a", "b", "a", "b"], "year": [2023, 2023, 2022, 2022],
                          "revenue": [300.0, 900.0, 200.0, 1000.0]})
    straight = compute_indicators(frame, [GROWTH])["g"]
    shuffled = compute_indicators(frame.iloc[[3, 0, 2, 1]], [GROWTH])["g"]
    assert np.allclose(straight.sort_index(), shuffled.sort_index(), equal_nan=True)


def test_absent_field_gives_missing_indicator():
    """A field that is not in the file yields a missing indicator, not zero."""
    frame = pd.DataFrame({"year": [2024]})
    spec = {"name": "p", "kind": "field", "field": "patents"}
    assert np.isnan(compute_indicators(frame, [spec])["p"].iloc[0])


def test_transforms_are_monotone():
    """log1p and sqrt keep order (a larger value never scores lower)."""
    x = np.linspace(-5, 50, 200)
    for how in ("none", "log1p", "sqrt"):
        assert np.all(np.diff(transform(x, how)) > 0)
