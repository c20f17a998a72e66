"""Tests of ktop_index.synth.world: placing a firm in a region and an industry."""

from __future__ import annotations

import numpy as np
import pytest

from ktop_index.errors import SpecError
from ktop_index.synth import world


def test_region_weights_decide_the_sido_and_each_region_names_its_sido():
    """Only 시도 with a positive weight are drawn, in about their proportions; every region is
    "시도 시군구" of a listed 시군구 (Sejong stands alone)."""
    weights = {world.JEJU: 3.0, world.SEOUL: 1.0, world.SEJONG: 0.0}
    sido, region = world.draw_regions(np.random.default_rng(0), 8000, weights)
    names = np.array(world.SIDO)[sido]
    assert set(names) == {world.JEJU, world.SEOUL}
    assert abs((names == world.JEJU).mean() - 0.75) < 0.02
    districts = {s: {f"{s} {g}" for g, _ in sgg} for s, _, sgg in world.REGIONS}
    assert all(r in districts[s] for s, r in zip(names, region))
    _, sejong = world.draw_regions(np.random.default_rng(1), 10, {world.SEJONG: 1.0})
    assert set(sejong) == {world.SEJONG}


def test_region_weights_without_a_positive_weight_are_a_spec_error():
    """All-zero (or unknown-only) region weights raise SpecError."""
    with pytest.raises(SpecError, match="positive weight"):
        world.draw_regions(np.random.default_rng(0), 10, {"없는도": 1.0})


def test_each_firms_subclass_belongs_to_its_division():
    """The KSIC subclass drawn for a firm starts with its division's two digits and is one of
    the division's listed subclasses."""
    sido, _ = world.draw_regions(np.random.default_rng(2), 5000, None)
    div, ksic = world.draw_industries(np.random.default_rng(3), sido)
    for j, code in zip(div, ksic):
        row = world.INDUSTRIES[j]
        assert code.startswith(world.DIV[j]) and code in row[world.SUBCLASSES]


def test_regional_multipliers_shift_the_industry_mix():
    """Jeju firms are far likelier to be in lodging (I55) than Gyeonggi firms, which are
    likelier to be in manufacturing (C10-C34), as the multipliers say."""
    n = 6000
    jeju = np.full(n, world.SIDO.index(world.JEJU))
    gyeonggi = np.full(n, world.SIDO.index(world.GYEONGGI))
    dj, _ = world.draw_industries(np.random.default_rng(4), jeju)
    dg, _ = world.draw_industries(np.random.default_rng(4), gyeonggi)
    div = np.array(world.DIV)
    assert (div[dj] == "55").mean() > 5 * (div[dg] == "55").mean()
    assert (
        np.isin(div[dg], world.MANUFACTURING).mean() > np.isin(div[dj], world.MANUFACTURING).mean()
    )
