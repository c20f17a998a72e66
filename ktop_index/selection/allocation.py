"""The money of a call: support, self-burden and the national/local shares, and who gets it.

Arithmetic is exact, in integer KRW (won), and reported in KRW thousand (천원) with the won
kept as decimals (e.g. ``2050.5`` 천원 = 2,050,500 won):

- ``requested`` (신청금액, 천원) defaults to the cap when missing; it is converted to whole
  won (rounded to the nearest won).
- ``support`` (지원금, what the budget pays = national + local):
  ``min(requested, cap)`` when the self-burden is on top of the support (default); when it is
  within the support, the project is ``min(requested, cap)`` and the support is the project
  minus the self-burden.
- ``self_burden`` (기업 자부담): rate x (support, or the project when within), **rounded down
  to the whole won**. The rate is the low one (5 %) when revenue is below the threshold
  (1,000,000 천원 = 10억원) and the high one (10 %) at or above it; unknown revenue takes the
  high rate (the firm is asked for its figures, not given the lower rate by default).
- ``national_share`` (국비) = national ratio x support **rounded down to the whole won**;
  ``local_share`` (지방비) = support - national_share, so the two always add up exactly.

Selection by rank (:func:`greedy`) walks down the ranking and stops at the first firm whose
support no longer fits the budget (or when the call's number of firms is reached): firms are
never skipped for a cheaper one below them. :func:`optimal` instead picks the set with the
largest total selection score within the budget (a 0/1 knapsack, solved exactly by dynamic
programming in units of the greatest common divisor of the amounts, or by
``scipy.optimize.milp`` when that table would be too large).

Example
-------
>>> from ktop_index.selection.calls import Money
>>> t = money_table([60000, 30000], [1_000_000, 999_999], Money(budget=100_000))
>>> t[["support", "self_burden", "national_share", "local_share"]].values.tolist()
[[50000.0, 5000.0, 35000.0, 15000.0], [30000.0, 1500.0, 21000.0, 9000.0]]
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import reduce

import numpy as np
import pandas as pd

from ktop_index.errors import DataError
from ktop_index.selection.calls import Money

DP_CELL_LIMIT = 60_000_000  # choice-table cells (bytes) above which the MILP solver is used
MAX_THOUSAND = 9_000_000_000_000  # 천원: 9 x 10^15 won, below 2^53 (exact in float64)


def _ratio(rate: float) -> tuple[int, int]:
    """A decimal rate as an exact fraction (0.05 -> 1/20), from its shortest decimal text."""
    f = Fraction(repr(float(rate))).limit_denominator(10**9)
    return f.numerator, f.denominator


def to_won(thousand) -> np.ndarray:
    """KRW thousand (천원) -> whole won (int64), rounded to the nearest won.

    Exact for amounts up to :data:`MAX_THOUSAND` (their won fit a float64's 53 bits); a
    non-finite or larger amount raises instead of wrapping around in int64.

    >>> to_won([50_000, 2_050.5]).tolist()
    [50000000, 2050500]
    """
    values = np.asarray(thousand, dtype="float64")
    if not np.isfinite(values).all() or (np.abs(values) > MAX_THOUSAND).any():
        raise DataError(f"an amount of money is not a number from -{MAX_THOUSAND:,} to "
                        f"{MAX_THOUSAND:,} 천원", ko=f"금액이 -{MAX_THOUSAND:,} ~ "
                        f"{MAX_THOUSAND:,}천원 범위의 수가 아닙니다")
    return np.rint(values * 1000.0).astype(np.int64)


def _times_rate(won: np.ndarray, rate: float) -> np.ndarray:
    """``won`` x ``rate`` rounded down to the whole won, exact: in Python integers, since
    amount x numerator can pass int64 (10^15 won x a 9-digit numerator).

    >>> _times_rate(np.array([33_333_333]), 0.05).tolist()
    [1666666]
    """
    num, den = _ratio(rate)
    return np.array([int(w) * num // den for w in won.tolist()], dtype=np.int64)


def money_table(requested, revenue, money: Money) -> pd.DataFrame:
    """Support, self-burden and shares for each firm (all in 천원, exact to the won).

    Parameters
    ----------
    requested : amounts requested, 천원, 0 or more (NaN = not stated: the cap is assumed).
    revenue : revenue for the self-burden rate, 천원 (NaN = unknown: the high rate).
    money : the call's money rules.

    Returns
    -------
    DataFrame with ``requested`` (as used), ``support``, ``self_burden``, ``national_share``,
    ``local_share`` (천원), ``self_burden_rate``, ``trimmed`` (request above the cap) and the
    won integers ``support_won``.
    """
    req = np.asarray(requested, dtype="float64")
    rev = np.asarray(revenue, dtype="float64")
    if (req < 0).any():
        raise DataError("a requested amount (신청금액) is below 0 천원",
                        ko="신청금액이 0천원보다 작습니다")
    cap_won = int(money.cap) * 1000 if float(money.cap).is_integer() else int(to_won(money.cap))
    assumed = np.isnan(req)
    # a request above the cap counts as the cap plus 1 천원 before it becomes won: any size
    # of request stays exact in int64 and is still seen as above the cap
    above = float(cap_won) / 1000.0 + 1.0
    req_won = np.where(assumed, cap_won, to_won(np.minimum(np.nan_to_num(req), above)))
    base = np.minimum(req_won, cap_won)
    high = np.isnan(rev) | (rev >= money.self_burden_threshold)
    rate = np.where(high, money.self_burden_high, money.self_burden_low)
    burden = np.empty(len(base), dtype=np.int64)
    for value in (money.self_burden_low, money.self_burden_high):
        rows = rate == value
        burden[rows] = _times_rate(base[rows], value)
    support = base - burden if money.self_burden_mode == "within" else base
    national = _times_rate(support, money.national_ratio)
    local = support - national
    given = np.nan_to_num(req)
    to_the_won = np.rint(np.minimum(given, MAX_THOUSAND) * 1000.0) / 1000.0
    shown = np.where(assumed, cap_won / 1000.0, np.where(given > MAX_THOUSAND, given, to_the_won))
    return pd.DataFrame({
        "requested": shown, "support": support / 1000.0,
        "self_burden": burden / 1000.0, "national_share": national / 1000.0,
        "local_share": local / 1000.0, "self_burden_rate": rate,
        "trimmed": req_won > cap_won, "requested_assumed": assumed,
        "revenue_unknown": np.isnan(rev), "support_won": support,
    })


def greedy(costs_won, budget_won: int, max_firms: int = 0) -> np.ndarray:
    """Select down the ranking until the budget or the number of firms runs out.

    ``costs_won`` are the supports in rank order (best first). Selection stops at the first
    firm that does not fit: the prefix whose running total stays within the budget.

    >>> greedy([50, 40, 30, 5], 100).tolist()
    [True, True, False, False]
    """
    costs = np.asarray(costs_won, dtype=np.int64)
    chosen = np.zeros(len(costs), dtype=bool)
    total = 0  # a Python int: exact where an int64 running total could wrap around
    for i, cost in enumerate(costs.tolist()):
        total += cost
        if total > budget_won or (max_firms and i >= max_firms):
            break
        chosen[i] = True
    return chosen


def optimal(scores, costs_won, budget_won: int, max_firms: int = 0) -> np.ndarray:
    """The set with the largest total score whose costs fit the budget (0/1 knapsack).

    Exact: dynamic programming over (number of firms, budget) in units of the greatest common
    divisor of all amounts; ``scipy.optimize.milp`` (HiGHS, zero gap) when the table would
    exceed :data:`DP_CELL_LIMIT`. Among equally good sets the DP keeps the earlier decision,
    so pass firms in rank order for a deterministic answer.

    >>> optimal([10, 6, 6], [50, 30, 30], 60).tolist()
    [False, True, True]
    """
    values = np.asarray(scores, dtype="float64")
    costs = np.asarray(costs_won, dtype=np.int64)
    n = len(values)
    if n == 0:
        return np.zeros(0, bool)
    unit = reduce(math.gcd, [int(c) for c in costs if c > 0] + [int(budget_won)]) or 1
    weight = costs // unit
    capacity = int(budget_won // unit)
    smallest = int(weight[weight > 0].min()) if (weight > 0).any() else 1
    most = min(max_firms or n, n, capacity // smallest + int((weight == 0).sum()))
    if n * (most + 1) * (capacity + 1) > DP_CELL_LIMIT:
        return _optimal_milp(values, weight, capacity, max_firms)
    return _optimal_dp(values, weight, capacity, most)


def _optimal_dp(values, weight, capacity: int, most: int) -> np.ndarray:
    n = len(values)
    best = np.full((most + 1, capacity + 1), -np.inf)
    best[0, :] = 0.0  # best[k, c]: largest total of exactly k firms costing at most c
    take = np.zeros((n, most + 1, capacity + 1), dtype=bool)
    for i in range(n):  # a loop over firms; each step is a vectorised table update
        w = int(weight[i])
        if w > capacity:
            continue
        candidate = np.full_like(best, -np.inf)
        candidate[1:, w:] = best[:-1, :capacity + 1 - w] + values[i]
        better = candidate > best
        take[i] = better
        best = np.where(better, candidate, best)
    k = int(np.argmax(best[:, capacity]))
    chosen = np.zeros(n, dtype=bool)
    c = capacity
    for i in range(n - 1, -1, -1):
        if k > 0 and take[i, k, c]:
            chosen[i] = True
            c -= int(weight[i])
            k -= 1
    return chosen


def _optimal_milp(values, weight, capacity: int, max_firms: int) -> np.ndarray:
    from scipy.optimize import Bounds, LinearConstraint, milp

    rows = [weight.astype("float64")]
    upper = [float(capacity)]
    if max_firms:
        rows.append(np.ones(len(values)))
        upper.append(float(max_firms))
    result = milp(-values, integrality=np.ones(len(values)), bounds=Bounds(0, 1),
                  constraints=LinearConstraint(np.vstack(rows), -np.inf, np.array(upper)),
                  options={"mip_rel_gap": 0.0})
    if not result.success:
        raise DataError(f"the optimal selection could not be solved ({result.message})",
                        ko=f"최적 선정을 풀 수 없습니다 ({result.message})")
    chosen = np.asarray(result.x) > 0.5
    # the solver works in floats with a tolerance: hold its answer to the exact budget
    if sum(int(w) for w in weight[chosen]) > capacity:
        raise DataError("the optimal selection's solver went over the budget; select by rank "
                        "(without --optimal)",
                        ko="최적 선정 계산이 예산을 넘었습니다. 순위순으로 선정하십시오 "
                           "(--optimal 없이)")
    return chosen
