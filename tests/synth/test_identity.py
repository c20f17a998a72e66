"""Tests of ktop_index.synth.identity: BRNs and company names."""

from __future__ import annotations

import numpy as np

from ktop_index.data.brn import is_valid_brn, taxpayer_type
from ktop_index.synth import identity, world

LEGAL_FORMS = ("(주)", "㈜", "주식회사", "농업회사법인", "어업회사법인")


def test_brns_are_unique_valid_and_typed_by_legal_form():
    """Every BRN is valid and unique; sole proprietors get type 01-79, corporations
    81/86/87/88."""
    rng = np.random.default_rng(0)
    individual = rng.random(5000) < 0.3
    brn = identity.draw_brns(rng, 5000, individual)
    assert len(set(brn)) == 5000 and all(is_valid_brn(b) for b in brn)
    types = np.array([int(b[4:6]) for b in brn])
    assert ((types[individual] >= 1) & (types[individual] <= 79)).all()
    assert np.isin(types[~individual], [81, 86, 87, 88]).all()
    assert {taxpayer_type(b) for b in brn[individual]} == {"individual"}


def test_names_are_unique_and_only_corporations_carry_a_legal_form():
    """Names are unique; a sole proprietor's name has no legal form, a corporation's has one;
    농업회사법인 appears only in farming, food and beverages."""
    rng = np.random.default_rng(1)
    sido, _ = world.draw_regions(rng, 4000, None)
    div, ksic = world.draw_industries(rng, sido)
    individual = rng.random(4000) < 0.25
    names = identity.draw_names(rng, sido, div, ksic, individual)
    assert len(set(names)) == 4000
    has_form = np.array([any(f in n for f in LEGAL_FORMS) for n in names])
    assert not has_form[individual].any() and has_form[~individual].all()
    agri = np.array(["농업회사법인" in n for n in names])
    assert agri.any() and np.isin(np.array(world.DIV)[div][agri], ["01", "10", "11"]).all()


def test_base_names_are_unique_after_the_redraws():
    """Even with few word combinations (one division, many firms), the base names come out
    unique."""
    n = 3000
    div = np.full(n, world.DIV.index("62"))
    grp = identity._word_group(div, np.full(n, "62010", dtype=object))
    flags = np.zeros(n, bool)
    base = identity._draw_base_names(np.random.default_rng(2), flags, flags, grp)
    assert len(set(base)) == n
