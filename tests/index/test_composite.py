"""Tests of ktop_index.index.composite: COINr's own outputs, hand-computed cases, properties, errors.

The truth is COINr 1.1.14 run on its ASEM example (shared/peer-data/coinr, see its README);
those tests skip when the shared folder is absent. The small cases are worked out by hand in
the comments; none of the expected numbers comes from the code under test.
"""

from __future__ import annotations

import doctest
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ktop_index.errors import DataError, InputError, UsageError
from ktop_index.index import composite
from ktop_index.index.composite import (
    a_amean,
    a_gmean,
    build_composite,
    n_goalposts,
    n_minmax,
    n_prank,
    n_rank,
    n_zscore,
    parse_hierarchy,
    r_order,
    row_any,
    row_sums,
    run_files,
)

SHARED = Path(os.environ.get("KTOP_SHARED", Path(__file__).resolve().parents[2].parent / "shared"))
COINR = SHARED / "peer-data" / "coinr"
EXPECTED = COINR / "expected_v1_minmax_amean"
TOL = 1e-9


def coinr_file(name: str) -> Path:
    path = COINR / name
    if not path.exists():
        pytest.skip(f"shared COINr data not found: {path}")
    return path


@pytest.fixture(scope="module")
def asem():
    """ASEM iData, iMeta and COINr's expected outputs (skip when absent)."""
    return {
        "idata": composite.read_idata(coinr_file("ASEM_iData.csv")),
        "imeta": composite.read_table(coinr_file("ASEM_iMeta.csv")),
        "weights": composite.read_table(coinr_file("ASEM_weights_unequal.csv")),
        "goalposts": composite.read_table(coinr_file("ASEM_iMeta_goalposts.csv")),
        "normalised": pd.read_csv(coinr_file("expected_v1_minmax_amean/normalised.csv")),
        "aggregated": pd.read_csv(coinr_file("expected_v1_minmax_amean/aggregated.csv")),
        "ranks": pd.read_csv(coinr_file("expected_v1_minmax_amean/ranks.csv")),
    }


@pytest.fixture(scope="module")
def asem_default(asem):
    return build_composite(asem["idata"], asem["imeta"])


def assert_same_table(got: pd.DataFrame, expected: pd.DataFrame, tol: float = TOL) -> None:
    """Same columns in the same order, same uCodes in the same order, values to ``tol``."""
    assert list(got.columns) == list(expected.columns)
    assert got["uCode"].tolist() == expected["uCode"].tolist()
    a = got.drop(columns="uCode").to_numpy(dtype=float)
    b = expected.drop(columns="uCode").to_numpy(dtype=float)
    assert np.array_equal(np.isnan(a), np.isnan(b)), "missing values in different places"
    assert np.nanmax(np.abs(a - b)) <= tol


# ---------------------------------------------------------------------------------------
# COINr's own outputs (ASEM, min-max 0-100, arithmetic mean)
# ---------------------------------------------------------------------------------------


def test_asem_normalised_matches_coinr(asem, asem_default):
    assert_same_table(asem_default.normalised, asem["normalised"])


def test_asem_aggregated_matches_coinr(asem, asem_default):
    # also checks COINr's column order: indicators in iMeta order, then each level's
    # aggregates sorted by code (ConEcFin, Environ, ... not iMeta's Physical, ConEcFin, ...)
    assert_same_table(asem_default.aggregated, asem["aggregated"])


def test_asem_ranks_match_coinr(asem, asem_default):
    got, expected = asem_default.ranks, asem["ranks"]
    assert list(got.columns) == ["uCode", "uName", "Index", "Rank"]
    assert got["uCode"].tolist() == expected["uCode"].tolist()
    assert got["uName"].tolist() == expected["uName"].tolist()
    assert got["Rank"].tolist() == expected["Rank"].tolist()
    assert np.max(np.abs(got["Index"].to_numpy() - expected["Index"].to_numpy())) <= TOL


def test_asem_run_files_round_trips(asem, tmp_path):
    out = tmp_path / "nested" / "aggregated.csv"
    run_files(coinr_file("ASEM_iData.csv"), coinr_file("ASEM_iMeta.csv"), out)
    written = pd.read_csv(out)
    assert_same_table(written, asem["aggregated"])
    # the written floats read back to the very doubles that were computed
    assert_same_table(written, build_composite(asem["idata"], asem["imeta"]).aggregated, tol=1e-12)
    assert [p.name for p in out.parent.iterdir()] == ["aggregated.csv"]  # no temp file left


def test_asem_goalposts_follow_coinr_formula(asem):
    # COINr: x*Direction, goalposts c(-upper, -lower, scale) for Direction -1, so a
    # negative indicator scores (upper - x) / (upper - lower), clipped to [0, 1], * 100.
    result = build_composite(asem["idata"], asem["goalposts"], normalise="goalposts")
    meta = asem["goalposts"].set_index("iCode")
    raw = asem["idata"].sort_values("uCode")
    for code in ("LPI", "CostImpEx"):  # Direction 1 and -1
        low, high = float(meta.loc[code, "goalpost_lower"]), float(meta.loc[code, "goalpost_upper"])
        x = raw[code].to_numpy(dtype=float)
        positive = meta.loc[code, "Direction"] == "1"
        frac = (x - low) / (high - low) if positive else (high - x) / (high - low)
        expected = np.clip(frac, 0, 1) * 100
        np.testing.assert_allclose(result.normalised[code].to_numpy(), expected, atol=TOL)


# ---------------------------------------------------------------------------------------
# Weights override
# ---------------------------------------------------------------------------------------


def hand_index(
    unit: str, scores: pd.DataFrame, imeta: pd.DataFrame, weights: pd.DataFrame
) -> float:
    """The index of one unit by plain loops, from COINr's normalised scores (a_amean rule)."""
    weight = dict(zip(weights["iCode"], weights["Weight"].astype(float), strict=True))
    meta = imeta[imeta["Type"].isin(["Indicator", "Aggregate"])]
    level = dict(zip(meta["iCode"], meta["Level"].astype(int), strict=True))
    parent = dict(zip(meta["iCode"], meta["Parent"], strict=True))
    value = {c: float(v) for c, v in scores.set_index("uCode").loc[unit].items()}
    for lev in range(2, max(level.values()) + 1):
        for code in [c for c, at in level.items() if at == lev]:
            kids = [c for c in level if parent[c] == code and not math.isnan(value[c])]
            value[code] = sum(weight[c] * value[c] for c in kids) / sum(weight[c] for c in kids)
    return value["Index"]


def test_weights_override_changes_index_and_hand_check(asem, asem_default):
    result = build_composite(asem["idata"], asem["imeta"], weights=asem["weights"])
    changed = np.abs(result.aggregated["Index"] - asem_default.aggregated["Index"])
    assert changed.max() > 0.5  # unequal weights move the index
    # indicators do not depend on weights
    assert_same_table(result.normalised, asem["normalised"])
    for unit in ("KOR", "BRN"):  # BRN has missing indicators: weights are re-normalised
        expected = hand_index(unit, asem["normalised"], asem["imeta"], asem["weights"])
        got = result.aggregated.set_index("uCode").loc[unit, "Index"]
        assert got == pytest.approx(expected, abs=TOL)


def test_equal_weights_table_reproduces_default(asem, asem_default):
    table = asem["weights"].assign(Weight="1")
    result = build_composite(asem["idata"], asem["imeta"], weights=table)
    assert_same_table(result.aggregated, asem["aggregated"])


# ---------------------------------------------------------------------------------------
# Hand-computed small case: 4 units, 3 indicators, 2 levels
# ---------------------------------------------------------------------------------------
#
#        x1 (dir +1, w 1)   x2 (dir -1, w 2)   x3 (dir +1, w 1)
#   A          2                 30                  5
#   B          4                 10                  5
#   C          6                 20                  1
#   D         10                 --                  3
#
# Rows are given out of order (D, B, A, C): the output is sorted by uCode, as COINr does.


def small_data() -> tuple[pd.DataFrame, pd.DataFrame]:
    idata = pd.DataFrame(
        {
            "uCode": ["D", "B", "A", "C"],
            "uName": ["Delta", "Bravo", "Alpha", "Charlie"],
            "x1": [10.0, 4.0, 2.0, 6.0],
            "x2": [np.nan, 10.0, 30.0, 20.0],
            "x3": [3.0, 5.0, 5.0, 1.0],
        }
    )
    imeta = pd.DataFrame(
        {
            "Level": [1, 1, 1, 2],
            "iCode": ["x1", "x2", "x3", "Index"],
            "iName": ["one", "two", "three", "Index"],
            "Direction": [1, -1, 1, 1],
            "Weight": [1.0, 2.0, 1.0, 1.0],
            "Parent": ["Index", "Index", "Index", None],
            "Type": ["Indicator", "Indicator", "Indicator", "Aggregate"],
            "goalpost_lower": [3.0, 10.0, 0.0, None],
            "goalpost_upper": [9.0, 25.0, 4.0, None],
            "goalpost_scale": [100.0, 100.0, 10.0, None],
            "goalpost_trunc2posts": [True, True, False, None],
        }
    )
    return idata, imeta


def table(result, column: str) -> list[float]:
    return result.aggregated[column].tolist()


def test_small_minmax_amean():
    idata, imeta = small_data()
    result = build_composite(idata, imeta)
    assert result.aggregated["uCode"].tolist() == ["A", "B", "C", "D"]
    # x1: min 2, max 10 -> (x - 2) / 8 * 100
    assert table(result, "x1") == pytest.approx([0, 25, 50, 100])
    # x2 * -1 = -30, -10, -20: min -30, max -10 -> (-x + 30) / 20 * 100; D missing
    assert table(result, "x2")[:3] == pytest.approx([0, 100, 50])
    assert math.isnan(table(result, "x2")[3])
    # x3: min 1, max 5 -> (x - 1) / 4 * 100
    assert table(result, "x3") == pytest.approx([100, 100, 0, 50])
    # weights 1, 2, 1: A (0 + 0 + 100) / 4 = 25; B (25 + 200 + 100) / 4 = 81.25;
    # C (50 + 100 + 0) / 4 = 37.5; D: x2 missing -> weights 1, 1: (100 + 50) / 2 = 75
    assert table(result, "Index") == pytest.approx([25, 81.25, 37.5, 75], abs=1e-12)
    assert result.normalised.columns.tolist() == ["uCode", "x1", "x2", "x3"]


def test_small_ranks_table():
    idata, imeta = small_data()
    ranks = build_composite(idata, imeta).ranks
    # index 25, 81.25, 37.5, 75 -> B 1, D 2, C 3, A 4
    assert ranks["uCode"].tolist() == ["B", "D", "C", "A"]
    assert ranks["uName"].tolist() == ["Bravo", "Delta", "Charlie", "Alpha"]
    assert ranks["Rank"].tolist() == [1, 2, 3, 4]


def test_small_minmax_custom_range():
    idata, imeta = small_data()
    result = build_composite(idata, imeta, l_u=(1, 11))
    # x1: (x - 2) / 8 * 10 + 1
    assert table(result, "x1") == pytest.approx([1, 3.5, 6, 11])


def test_small_zscore():
    idata, imeta = small_data()
    result = build_composite(idata, imeta, normalise="zscore")
    # x1: mean 22/4 = 5.5; squared deviations 12.25 + 2.25 + 0.25 + 20.25 = 35;
    # sd with n - 1: sqrt(35 / 3)
    sd1 = math.sqrt(35 / 3)
    assert table(result, "x1") == pytest.approx([-3.5 / sd1, -1.5 / sd1, 0.5 / sd1, 4.5 / sd1])
    # x2 * -1 = -30, -10, -20: mean -20, squares 100 + 100 + 0, sd sqrt(200 / 2) = 10
    assert table(result, "x2")[:3] == pytest.approx([-1, 1, 0])
    # x3: mean 3.5; squares 2.25 + 2.25 + 6.25 + 0.25 = 11; sd sqrt(11 / 3)
    sd3 = math.sqrt(11 / 3)
    z3 = [1.5 / sd3, 1.5 / sd3, -2.5 / sd3, -0.5 / sd3]
    assert table(result, "x3") == pytest.approx(z3)
    z1 = [-3.5 / sd1, -1.5 / sd1, 0.5 / sd1, 4.5 / sd1]
    z2 = [-1, 1, 0]
    expected = [(z1[i] + 2 * z2[i] + z3[i]) / 4 for i in range(3)] + [(z1[3] + z3[3]) / 2]
    assert table(result, "Index") == pytest.approx(expected, abs=1e-12)


def test_small_zscore_target_mean_sd():
    idata, imeta = small_data()
    result = build_composite(idata, imeta, normalise="zscore", m_sd=(50, 10))
    # x2: z = -1, 1, 0 -> 50 + 10 z
    assert table(result, "x2")[:3] == pytest.approx([40, 60, 50])


def test_small_rank_and_ties():
    idata, imeta = small_data()
    result = build_composite(idata, imeta, normalise="rank")
    assert table(result, "x1") == [1, 2, 3, 4]
    # x2 * -1 = -30 (A), -10 (B), -20 (C): ranks 1, 3, 2; D missing stays missing
    assert table(result, "x2")[:3] == [1, 3, 2]
    # x3 = 5, 5, 1, 3: ties take the lowest rank ("min"): A 3, B 3, C 1, D 2
    assert table(result, "x3") == [3, 3, 1, 2]
    # A (1 + 2*1 + 3) / 4 = 1.5; B (2 + 6 + 3) / 4 = 2.75; C (3 + 4 + 1) / 4 = 2; D (4 + 2) / 2 = 3
    assert table(result, "Index") == pytest.approx([1.5, 2.75, 2, 3], abs=1e-12)


def test_small_percentile():
    idata, imeta = small_data()
    result = build_composite(idata, imeta, normalise="percentile")
    # (rank - 1) / (n - 1): x1 n = 4; x2 n = 3; x3 ranks 3, 3, 1, 2
    assert table(result, "x1") == pytest.approx([0, 1 / 3, 2 / 3, 1])
    assert table(result, "x2")[:3] == pytest.approx([0, 1, 0.5])
    assert table(result, "x3") == pytest.approx([2 / 3, 2 / 3, 0, 1 / 3])


def test_small_goalposts_with_truncation_and_direction():
    idata, imeta = small_data()
    result = build_composite(idata, imeta, normalise="goalposts")
    # x1: posts 3..9, scale 100, truncated: (2-3)/6 -> 0; 1/6; 3/6; 7/6 -> 1
    assert table(result, "x1") == pytest.approx([0, 100 / 6, 50, 100])
    # x2 (direction -1): (upper - x) / (upper - lower) = (25 - x) / 15, truncated:
    # A -5/15 -> 0; B 15/15 = 1; C 5/15
    assert table(result, "x2")[:3] == pytest.approx([0, 100, 100 / 3])
    # x3: posts 0..4, scale 10, not truncated: A, B 5/4*10 = 12.5 (beyond the post); C 2.5; D 7.5
    assert table(result, "x3") == pytest.approx([12.5, 12.5, 2.5, 7.5])
    # A (0 + 0 + 12.5) / 4; B (100/6 + 200 + 12.5) / 4; C (50 + 200/3 + 2.5) / 4; D (100 + 7.5) / 2
    expected = [12.5 / 4, (100 / 6 + 212.5) / 4, (52.5 + 200 / 3) / 4, 107.5 / 2]
    assert table(result, "Index") == pytest.approx(expected, abs=1e-12)


def test_small_gmean_on_ranks():
    idata, imeta = small_data()
    result = build_composite(idata, imeta, normalise="rank", aggregate="gmean")
    # ranks (x1, x2, x3), weights (1, 2, 1): exp(sum w log x / sum w)
    # A (1, 1, 3): 3^(1/4); B (2, 3, 3): (2 * 9 * 3)^(1/4) = 54^(1/4);
    # C (3, 2, 1): (3 * 4 * 1)^(1/4) = 12^(1/4); D (4, --, 2), weights 1, 1: sqrt(8)
    expected = [3**0.25, 54**0.25, 12**0.25, 8**0.5]
    assert table(result, "Index") == pytest.approx(expected, abs=1e-12)


def test_gmean_on_zero_raises_like_coinr():
    idata, imeta = small_data()
    # min-max 0-100 gives the lowest unit a 0: COINr's a_gmean stops there
    with pytest.raises(ValueError, match="gmean.*'Index'.*unit 'A'"):
        build_composite(idata, imeta, aggregate="gmean")
    # on 1-100 it runs
    result = build_composite(idata, imeta, aggregate="gmean", l_u=(1, 100))
    assert np.isfinite(result.aggregated["Index"]).all()


# ---------------------------------------------------------------------------------------
# Three levels, aggregate order, per-level functions
# ---------------------------------------------------------------------------------------


def three_level_meta() -> pd.DataFrame:
    # P2 is listed before P1: COINr (tapply over Parent) still outputs P1 before P2
    return pd.DataFrame(
        {
            "Level": [1, 1, 1, 2, 2, 3],
            "iCode": ["x1", "x2", "x3", "P2", "P1", "Index"],
            "Direction": [1, -1, 1, 1, 1, 1],
            "Weight": [1.0, 2.0, 1.0, 1.0, 1.0, 1.0],
            "Parent": ["P1", "P1", "P2", "Index", "Index", None],
            "Type": ["Indicator"] * 3 + ["Aggregate"] * 3,
        }
    )


def test_three_levels_hand_computed():
    idata, _ = small_data()
    result = build_composite(idata, three_level_meta())
    assert result.aggregated.columns.tolist() == ["uCode", "x1", "x2", "x3", "P1", "P2", "Index"]
    # min-max scores as in test_small_minmax_amean.
    # P1 = (x1 + 2 x2) / 3: A 0; B (25 + 200) / 3 = 75; C (50 + 100) / 3 = 50; D x1 only: 100
    assert table(result, "P1") == pytest.approx([0, 75, 50, 100])
    # P2 = x3: 100, 100, 0, 50; Index = (P1 + P2) / 2
    assert table(result, "P2") == pytest.approx([100, 100, 0, 50])
    assert table(result, "Index") == pytest.approx([50, 87.5, 25, 75])


def test_one_function_per_level():
    idata, _ = small_data()
    result = build_composite(
        idata, three_level_meta(), normalise="rank", aggregate=["amean", "gmean"]
    )
    # ranks x1 1,2,3,4; x2 1,3,2,--; x3 3,3,1,2
    # P1 = (x1 + 2 x2) / 3: A 1; B 8/3; C 7/3; D 4.  P2 = x3.  Index = sqrt(P1 * P2)
    p1 = [1, 8 / 3, 7 / 3, 4]
    p2 = [3, 3, 1, 2]
    expected = [math.sqrt(a * b) for a, b in zip(p1, p2, strict=True)]
    assert table(result, "Index") == pytest.approx(expected)


# ---------------------------------------------------------------------------------------
# The building blocks on their own
# ---------------------------------------------------------------------------------------


def test_normalisers_on_columns():
    x = np.array([[1.0, 4.0], [3.0, np.nan], [5.0, 4.0]])
    # column 0: min 1, max 5 -> (x - 1) / 4 * 100
    assert n_minmax(x)[:, 0].tolist() == [0, 50, 100]
    # column 0: mean 3, sd sqrt(8 / 2) = 2
    assert n_zscore(x)[:, 0].tolist() == [-1, 0, 1]
    # column 1: two equal values -> both rank 1, missing kept
    assert n_rank(x)[[0, 2], 1].tolist() == [1, 1]
    assert math.isnan(n_rank(x)[1, 1])
    assert n_prank(x)[:, 0].tolist() == [0, 0.5, 1]
    posts = n_goalposts(
        x, np.array([2.0, 0.0]), np.array([4.0, 8.0]), np.array([1.0, 1.0]), np.array([True, False])
    )
    # column 0: (x - 2) / 2 clipped: -0.5 -> 0, 0.5, 1.5 -> 1; column 1: 4 / 8 = 0.5
    assert posts[:, 0].tolist() == [0, 0.5, 1]
    assert posts[[0, 2], 1].tolist() == [0.5, 0.5]


def test_aggregators_skip_missing_and_rescale():
    x = np.array([[10.0, 20.0, 40.0], [np.nan, 20.0, 40.0], [np.nan, np.nan, np.nan]])
    w = np.array([2.0, 1.0, 1.0])
    # row 0: (20 + 20 + 40) / 4 = 20; row 1: (20 + 40) / 2 = 30; row 2: nothing -> missing
    y = a_amean(x, w)
    assert y[:2].tolist() == pytest.approx([20, 30])
    assert math.isnan(y[2])
    # row 0: (10^2 * 20 * 40)^(1/4) = 80000^(1/4); row 1: sqrt(20 * 40)
    g = a_gmean(x, w)
    assert g[:2].tolist() == pytest.approx([80000**0.25, 800**0.5])
    assert math.isnan(g[2])
    with pytest.raises(ValueError, match="values > 0"):
        a_gmean(np.array([[1.0, -2.0]]), np.array([1.0, 1.0]))


@pytest.mark.parametrize("width", range(13))
def test_row_sums_have_the_bits_of_numpys_sum(width):
    # numpy's own sum is the known answer: the helper must give its very bits (the scores
    # files are compared byte for byte), for every width, height and kind of value
    rng = np.random.default_rng(width)
    for height in (1, 2, 7, 8, 9, 1000, 32_768):
        x = rng.normal(size=(height, width)) * 10.0 ** rng.uniform(-12, 12, (height, width))
        x[rng.random(x.shape) < 0.1] = -0.0
        x[rng.random(x.shape) < 0.05] = np.nan
        x[rng.random(x.shape) < 0.01] = np.inf
        for layout in (x, np.asfortranarray(x), np.repeat(x, 2, axis=1)[:, ::2]):
            assert row_sums(layout).view(np.int64).tolist() == \
                layout.sum(axis=1).view(np.int64).tolist()
            present = ~np.isnan(layout)
            assert row_any(present).tolist() == present.any(axis=1).tolist()


def test_r_order_is_locale_like():
    # R in an English locale sorts a A b B, not A B a b
    codes = ["b", "B", "a", "A", "a1", "Z"]
    assert [codes[i] for i in r_order(codes)] == ["a", "A", "a1", "b", "B", "Z"]


def test_zero_range_indicator_is_missing_with_warning():
    idata, imeta = small_data()
    idata = idata.assign(x3=7.0)
    with pytest.warns(RuntimeWarning, match="x3"):
        result = build_composite(idata, imeta)
    # COINr returns NaN for x3, which then counts as missing: Index = (x1 + 2 x2) / 3
    assert np.isnan(table(result, "x3")).all()
    assert table(result, "Index")[:3] == pytest.approx([0, 75, 50])


def test_module_docstring_examples():
    failures, _ = doctest.testmod(composite, optionflags=doctest.ELLIPSIS)
    assert failures == 0


# ---------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------


def test_raising_a_good_indicator_never_lowers_the_index(asem, asem_default):
    rng = np.random.default_rng(20240601)
    meta = asem["imeta"]
    indicators = meta[meta["Type"] == "Indicator"]
    positive = indicators.loc[indicators["Direction"] == "1", "iCode"].tolist()
    negative = indicators.loc[indicators["Direction"] == "-1", "iCode"].tolist()
    base = asem_default.aggregated.set_index("uCode")["Index"]
    for trial in range(12):
        idata = asem["idata"].copy()
        row = int(rng.integers(len(idata)))
        unit = idata.loc[row, "uCode"]
        code = str(rng.choice(positive if trial % 2 == 0 else negative))
        column = idata[code].to_numpy(dtype=float, copy=True)
        if math.isnan(column[row]):
            continue
        step = (np.nanmax(column) - np.nanmin(column)) * rng.uniform(0.01, 0.8)
        # better = higher for a positive indicator, lower for a negative one
        column[row] += step if code in positive else -step
        idata[code] = column
        after = build_composite(idata, asem["imeta"]).aggregated.set_index("uCode")["Index"]
        assert after[unit] >= base[unit] - 1e-12, (unit, code)


def test_output_does_not_depend_on_row_order(asem, asem_default):
    shuffled = asem["idata"].sample(frac=1, random_state=7).reset_index(drop=True)
    result = build_composite(shuffled, asem["imeta"])
    pd.testing.assert_frame_equal(result.aggregated, asem_default.aggregated)


def test_output_does_not_depend_on_imeta_row_order(asem, asem_default):
    # only the order of Indicator rows matters (it sets the column order); shuffle the rest
    meta = asem["imeta"]
    others = meta[meta["Type"] != "Indicator"].sample(frac=1, random_state=3)
    shuffled = pd.concat([others, meta[meta["Type"] == "Indicator"]], ignore_index=True)
    result = build_composite(asem["idata"], shuffled)
    pd.testing.assert_frame_equal(result.aggregated, asem_default.aggregated)


# ---------------------------------------------------------------------------------------
# Bad input: one clear error (DataError for a bad table, UsageError for a bad option)
# ---------------------------------------------------------------------------------------


def bad_meta(column: str, row: int, value) -> pd.DataFrame:
    _, imeta = small_data()
    imeta[column] = imeta[column].astype(object)
    imeta.loc[row, column] = value
    return imeta


@pytest.mark.parametrize(
    ("imeta", "message"),
    [
        (bad_meta("Parent", 0, "Nowhere"), "Parent 'Nowhere' of 'x1' is not"),
        (bad_meta("Direction", 1, 2), "Direction of 'x2' is 2.0; expected 1 or -1"),
        (bad_meta("Type", 2, "Indicatr"), "Type of 'x3' is 'Indicatr'"),
        (bad_meta("Level", 3, 3), "no rows at Level 2"),
        (bad_meta("iCode", 1, "x1"), "iCode 'x1' appears twice"),
        (bad_meta("Weight", 0, None), "Weight of 'x1' is empty"),
        (bad_meta("Parent", 3, "x1"), "'Index' is at the top level"),
        (small_data()[1].drop(columns="Direction"), "missing column.*Direction"),
    ],
)
def test_bad_imeta(imeta, message):
    idata, _ = small_data()
    with pytest.raises(DataError, match=message):
        build_composite(idata, imeta)


def test_childless_aggregate():
    idata, _ = small_data()
    imeta = three_level_meta()
    imeta.loc[2, "Parent"] = "P1"  # P2 loses its only child
    with pytest.raises(DataError, match="aggregate 'P2' .* has no children"):
        build_composite(idata, imeta)


def test_parent_must_be_one_level_up():
    idata, _ = small_data()
    imeta = three_level_meta()
    imeta.loc[2, "Parent"] = "Index"
    with pytest.raises(DataError, match="Parent 'Index' of 'x3' is at Level 3; expected Level 2"):
        build_composite(idata, imeta)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.drop(columns="x2"), "no column 'x2'"),
        (lambda d: d.assign(extra=1.0), "column 'extra' is not an iCode"),
        (lambda d: d.assign(uCode=["A", "B", "A", "C"]), "uCode 'A' appears twice"),
        (lambda d: d.assign(uCode=["A", "", "C", "D"]), "uCode is empty in row 2"),
        (lambda d: d.assign(uCode=[1, 2, 3, 4]), "uCode must be text"),
        (lambda d: d.assign(x1=["1", "2", "n/a", "4"]), r"'x1' is not numeric .*'n/a'"),
        (lambda d: d.assign(Time=[2020, 2021, 2020, 2021]), "panel data"),
        (lambda d: d.iloc[:0], "no rows"),
    ],
)
def test_bad_idata(change, message):
    idata, imeta = small_data()
    with pytest.raises(DataError, match=message):
        build_composite(change(idata), imeta)


def test_bad_options_and_weights():
    idata, imeta = small_data()
    with pytest.raises(UsageError, match="normalise must be one of"):
        build_composite(idata, imeta, normalise="maxmin")
    with pytest.raises(UsageError, match="aggregate must be one of"):
        build_composite(idata, imeta, aggregate="median")
    partial = pd.DataFrame({"iCode": ["x1", "x2"], "Level": [1, 1], "Weight": [1, 1]})
    with pytest.raises(DataError, match="no Weight for 'x3'"):
        build_composite(idata, imeta, weights=partial)
    wrong_level = pd.DataFrame(
        {"iCode": ["x1", "x2", "x3"], "Level": [1, 2, 1], "Weight": [1, 1, 1]}
    )
    with pytest.raises(DataError, match="Level of 'x2' is 2; iMeta has 1"):
        build_composite(idata, imeta, weights=wrong_level)
    unknown = pd.DataFrame({"iCode": ["x1", "x2", "x3", "x9"], "Weight": [1, 1, 1, 1]})
    with pytest.raises(DataError, match="'x9' is not an Indicator/Aggregate"):
        build_composite(idata, imeta, weights=unknown)
    with pytest.raises(DataError, match="goalposts normalisation needs"):
        build_composite(idata, imeta.drop(columns="goalpost_scale"), normalise="goalposts")


def test_run_files_names_the_file_and_keeps_old_output(tmp_path):
    idata, imeta = small_data()
    data, meta, out = tmp_path / "data.csv", tmp_path / "meta.csv", tmp_path / "out.csv"
    idata.to_csv(data, index=False)
    imeta.assign(Parent=["Idx", "Idx", "Idx", None]).to_csv(meta, index=False)
    out.write_text("old\n")
    with pytest.raises(DataError, match=rf"{meta.name}: Parent 'Idx' of 'x1'"):
        run_files(data, meta, out)
    assert out.read_text() == "old\n"
    imeta.to_csv(meta, index=False)
    result = run_files(data, meta, out, normalise="rank")
    written = pd.read_csv(out)
    assert written["Index"].tolist() == pytest.approx([1.5, 2.75, 2, 3])
    assert written["x2"].isna().tolist() == [False, False, False, True]
    assert result.aggregated["uCode"].tolist() == ["A", "B", "C", "D"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv", "meta.csv", "out.csv"]


def test_parse_hierarchy_of_synthetic_meta():
    meta = composite.read_table(coinr_file("synthetic_iMeta.csv"))
    h = parse_hierarchy(meta)
    assert h.indicators == tuple(f"I{i:02d}" for i in range(1, 21))
    assert [g.code for g in h.groups] == ["G1", "G2", "G3", "G4", "Index"]
    assert h.directions[[4, 9, 14, 19]].tolist() == [-1, -1, -1, -1]


def test_an_unreadable_csv_is_an_input_error(tmp_path):
    """A file that is not CSV text is an InputError naming it."""
    path = tmp_path / "iMeta.csv"
    path.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(InputError, match=r"iMeta.csv: cannot read as CSV"):
        composite.read_table(path)


def test_write_csv_is_atomic_with_ordinary_permissions(tmp_path):
    """The output is a whole file with the permissions the umask gives (0666 less it, not
    mkstemp's 0600), and no temporary file is left beside it."""
    mask = os.umask(0o022)
    try:
        composite.write_csv(pd.DataFrame({"uCode": ["A"], "Index": [0.1]}), tmp_path / "o.csv")
    finally:
        os.umask(mask)
    assert (tmp_path / "o.csv").read_text() == '"uCode","Index"\n"A",0.1\n'
    assert (tmp_path / "o.csv").stat().st_mode & 0o777 == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["o.csv"]


@pytest.mark.parametrize("rows", [0, 1, 7, 8, 30])
def test_write_csv_in_pieces_gives_the_bytes_of_one_write(tmp_path, monkeypatch, rows):
    """Formatted 7 rows at a time in threads, the file holds the bytes of arrow writing the
    whole table at once: one header, every row in order, missing values empty."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    monkeypatch.setattr(composite, "WRITE_ROWS", 7)
    rng = np.random.default_rng(rows)
    values = rng.normal(size=rows)
    values[::3] = np.nan
    table = pd.DataFrame({"uCode": [f'U"{k}' for k in range(rows)], "Index": values})
    composite.write_csv(table, tmp_path / "o.csv")
    whole = pa.BufferOutputStream()
    pacsv.write_csv(pa.table({"uCode": pa.array(table["uCode"].tolist(), pa.string()),
                              "Index": pa.array(values, mask=np.isnan(values))}), whole)
    assert (tmp_path / "o.csv").read_bytes() == whole.getvalue().to_pybytes()
    assert (tmp_path / "o.csv").read_bytes().count(b"uCode") == 1
