"""Money: exact support, self-burden and shares in won; rank-order and optimal selection."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from ktop_index.selection import allocation
from ktop_index.selection.allocation import greedy, money_table, optimal
from ktop_index.selection.calls import Money

JEJU_MONEY = Money(budget=600_000)


def test_self_burden_boundary_at_one_billion_won():
    """Revenue exactly 1,000,000 천원 (10억원) pays 10 %; one 천원 less pays 5 %."""
    t = money_table([40_000, 40_000, 40_000], [1_000_000, 999_999, 1_000_001], JEJU_MONEY)
    assert t["self_burden"].tolist() == [4_000.0, 2_000.0, 4_000.0]
    assert t["self_burden_rate"].tolist() == [0.10, 0.05, 0.10]


def test_cap_trims_and_missing_request_takes_the_cap():
    """80,000 requested gets the 50,000 cap; exactly the cap is not trimmed; missing = cap."""
    t = money_table([80_000, 50_000, np.nan], [500_000] * 3, JEJU_MONEY)
    assert t["support"].tolist() == [50_000.0, 50_000.0, 50_000.0]
    assert t["trimmed"].tolist() == [True, False, False]
    assert t["requested_assumed"].tolist() == [False, False, True]
    assert t["national_share"].tolist() == [35_000.0] * 3
    assert t["local_share"].tolist() == [15_000.0] * 3


def test_rounding_to_the_won():
    """33,333,333 won: self-burden 5 % = 1,666,666.65 -> 1,666,666 won (down); national
    70 % = 23,333,333.1 -> 23,333,333 won (down); local = the rest, 10,000,000 won."""
    t = money_table([33_333.333], [10.0], JEJU_MONEY)
    assert t["support_won"].tolist() == [33_333_333]
    assert t["self_burden"].iloc[0] == pytest.approx(1_666.666, abs=1e-9)
    assert t["national_share"].iloc[0] == pytest.approx(23_333.333, abs=1e-9)
    assert t["local_share"].iloc[0] == pytest.approx(10_000.0, abs=1e-9)
    rng = np.random.default_rng(1)
    won = rng.integers(1, 50_000_000, 500)
    t = money_table(won / 1000.0, rng.uniform(0, 2e6, 500), JEJU_MONEY)
    national = np.rint(t["national_share"] * 1000).astype(np.int64)
    local = np.rint(t["local_share"] * 1000).astype(np.int64)
    assert (national + local == won).all()                 # shares add up exactly
    assert (national == won * 7 // 10).all()                # national rounded down
    burden = np.rint(t["self_burden"] * 1000).astype(np.int64)
    rate = np.where(t["self_burden_rate"] == 0.05, 5, 10)
    assert (burden == won * rate // 100).all()


def test_self_burden_within_the_support():
    """'within': the 50,000 project includes a 5,000 self-burden, the budget pays 45,000."""
    within = Money(budget=600_000, self_burden_mode="within")
    t = money_table([50_000], [2_000_000], within)
    assert t[["support", "self_burden", "national_share", "local_share"]].iloc[0].tolist() == \
        [45_000.0, 5_000.0, 31_500.0, 13_500.0]


def test_unknown_revenue_takes_the_higher_rate():
    """A firm with no revenue figure pays 10 %, flagged."""
    t = money_table([40_000], [np.nan], JEJU_MONEY)
    assert t["self_burden"].iloc[0] == 4_000.0 and bool(t["revenue_unknown"].iloc[0])


def test_greedy_stops_where_the_budget_ends():
    """The last firm that fits exactly is in; the next that does not stops the selection, even
    if a cheaper one follows; the number of firms caps it too."""
    assert greedy([50, 50, 1], 100).tolist() == [True, True, False]
    assert greedy([50, 51, 1], 100).tolist() == [True, False, False]
    assert greedy([30, 30, 30, 30], 1000, max_firms=2).tolist() == [True, True, False, False]
    assert greedy([], 100).tolist() == []


def brute_force(values, costs, budget, max_firms):
    best = 0.0
    for size in range(len(values) + 1):
        if max_firms and size > max_firms:
            break
        for subset in itertools.combinations(range(len(values)), size):
            if sum(costs[i] for i in subset) <= budget:
                best = max(best, sum(values[i] for i in subset))
    return best


@pytest.mark.parametrize("seed", range(25))
def test_optimal_matches_brute_force(seed):
    """The knapsack's total equals the best of all subsets, within budget and firm count."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 10))
    values = np.round(rng.uniform(30, 90, n), 4)
    costs = rng.integers(1, 51, n) * 1_000_000  # whole 천원 amounts up to 50,000 천원, in won
    budget = int(rng.integers(20, 200)) * 1_000_000
    max_firms = int(rng.integers(0, 4))
    chosen = optimal(values, costs, budget, max_firms)
    assert costs[chosen].sum() <= budget
    assert not max_firms or chosen.sum() <= max_firms
    assert values[chosen].sum() == pytest.approx(brute_force(values, costs, budget, max_firms))


def test_optimal_solver_fallback_agrees(monkeypatch):
    """With the DP table over its limit, the MILP solver finds the same optimum."""
    rng = np.random.default_rng(7)
    values = np.round(rng.uniform(30, 90, 9), 4)
    costs = rng.integers(1_000, 50_000_000, 9)  # odd won amounts: a unit of 1 won
    budget = 80_000_000
    monkeypatch.setattr(allocation, "DP_CELL_LIMIT", 10)
    chosen = optimal(values, costs, budget, 0)
    assert values[chosen].sum() == pytest.approx(brute_force(values, costs, budget, 0))


def test_optimal_can_beat_rank_order():
    """Rank order takes the 50 then stops; the optimum takes two 30s worth more together."""
    values, costs = [10, 6, 6], [50, 30, 30]
    assert greedy(costs, 60).tolist() == [True, False, False]
    assert optimal(values, costs, 60).tolist() == [False, True, True]


# ---------------------------------------------------------------------------- issue 14: exact

def test_largest_money_stays_exact():
    """At the largest cap a call allows (10^12 천원 = 10^15 won) with a rate of nine decimals,
    amount x numerator passes int64 (10^15 x 123,456,789): the shares are still exact, as
    Python's integers compute them, and add up to the support."""
    from fractions import Fraction

    money = Money(budget=10**12, cap=10**12, national_ratio=0.123456789,
                  self_burden_low=0.070000001, self_burden_high=0.070000001)
    t = money_table([10**12, 999_999_999_999.999], [0, 0], money)
    support = t["support_won"].tolist()
    assert support == [10**15, 999_999_999_999_999]
    national = np.rint(t["national_share"] * 1000).astype(np.int64).tolist()
    assert national == [int(Fraction("0.123456789") * w) for w in support]  # floor, exact
    assert (t["national_share"] + t["local_share"] == t["support"]).all()
    burden = [int(Fraction("0.070000001") * w) for w in support]
    assert np.rint(t["self_burden"] * 1000).astype(np.int64).tolist() == burden


def test_a_huge_request_is_trimmed_to_the_cap_not_wrapped():
    """A request of 10^20 천원 (above what int64 holds in won) is trimmed to the cap, not
    wrapped around into a negative support; a negative request is refused."""
    from ktop_index.errors import DataError

    t = money_table([1e20, 50_000.0004, 50_001], [0, 0, 0], JEJU_MONEY)
    assert t["support"].tolist() == [50_000.0] * 3
    assert t["trimmed"].tolist() == [True, False, True]  # 0.4 won above the cap rounds to it
    assert t["requested"].iloc[0] == 1e20
    with pytest.raises(DataError, match="below 0"):
        money_table([-1], [0], JEJU_MONEY)


def test_to_won_refuses_what_it_cannot_hold():
    """inf, nan and 1e30 천원 raise instead of becoming int64's smallest number."""
    from ktop_index.errors import DataError

    assert allocation.to_won([allocation.MAX_THOUSAND]).tolist() == [9 * 10**15]
    for bad in (np.inf, np.nan, 1e30):
        with pytest.raises(DataError, match="not a number from"):
            allocation.to_won([bad])


def test_greedy_never_selects_past_a_total_that_wrapped_around():
    """Costs whose running total passes int64 (it wrapped to a negative number and 'fitted'
    the budget again): selection still stops at the first firm that does not fit."""
    big = 2**62
    assert greedy([big, big, big, 1, 1], budget_won=2**63 - 1).tolist() == \
        [True, False, False, False, False]
    assert greedy([10**15] * 20_000, 10**15).sum() == 1
