"""What happened to each firm-year afterwards: high growth and sustainable growth labels.

The growth model (:mod:`ktop_index.growth.model`) learns the Tech-Index weights from what firms did
in the years *after* a firm-year. This module turns a firm panel (one row per firm and year,
contract names: ``firm_id``, ``year``, ``employees``, ``revenue`` and ``total_equity`` in KRW
thousand, 천원) into two labels per firm-year ``t``, looking ``horizon`` years ahead:

**High growth** (``high_growth``). The Eurostat-OECD *Manual on Business Demography
Statistics* (2007, ch. 8) defines high-growth enterprises as those with average annualised
growth above 20 % a year over three years, measured in employees or in turnover, among
enterprises with at least 10 employees at the start (the size threshold keeps a firm going
from 1 to 2 employees from counting). Statistics Korea's 기업생멸행정통계 uses the same
20 %, 3 years, 10 employees, "in revenue or in employees". The EU regulations later lowered
the rate to 10 % (Commission Implementing Regulation (EU) No 439/2014, and Commission
Implementing Regulation (EU) 2020/1197, Annex I, under the European business statistics
Regulation (EU) 2019/2152); pass ``annual_growth=0.10`` for that variant.

Most support-program applicants are micro firms (under 10 employees), which the rule leaves
out. The micro-firm variant (``micro=True``) follows the Eurostat high-growth micro
enterprises project (2020; e.g. Croatian Bureau of Statistics' note on HGmEs): a firm with
1-9 employees at the start is high-growth in employees if it adds more employees than a
10-employee firm growing at the threshold rate would, i.e. more than
``min_employees * ((1 + annual_growth) ** horizon - 1)`` (7.28 at 20 % over 3 years; 3.31 at
10 %). In revenue, a micro firm is in scope when its starting revenue is at least
``micro_min_revenue`` (천원; default 100,000 = 1억원), so that growth from a trivial base does
not count, and then the same relative rule applies.

**Sustainable growth** (``sustainable_growth``): still operating at ``t + horizon``; revenue
not falling in most of those years (``revenue[t+k] >= revenue[t+k-1]`` for more than half of
k = 1..horizon, i.e. 2 of 3); and no capital impairment (자본잠식, ``total_equity <= 0``, the
definition of 상법/외감법 practice: equity at or below zero) in any year t+1..t+horizon.

Rules for an incomplete future (each label is 1.0, 0.0 or NaN = unknown; NaN rows are left
out of training, never counted as negative):

* **Unobserved future**: the panel's last year is before ``t + horizon`` -> NaN.
* **Exit**: the firm has no row in any year from ``t + horizon`` on while the panel does ->
  the firm exited; both labels 0 (if the firm was in the high-growth rule's scope at t).
* **Gap**: a firm missing in a year but present later did not exit (a missing return, not a
  closure). A gap at ``t + horizon`` itself -> both labels NaN (the end state is unknown). A gap
  inside the window -> high growth uses only t and t+horizon; the revenue test counts the
  year-on-year comparisons it can see and decides only when they settle the majority,
  otherwise NaN. Missing values (NaN revenue, equity) are treated the same way.
* **Entry**: a firm's first year is an ordinary start year; nothing before t is needed.

Labels use the fields a panel has (:func:`label_plan`; a field is absent when its column is
missing or empty): without employees, high growth is measured in revenue and without its size
condition (none can be checked); without revenue, in employees, and sustainable growth (which
needs revenue) is not labelled; without total equity, sustainable growth drops the capital
impairment condition. A panel with neither employees nor revenue allows no label (DataError).

Example
-------
>>> import pandas as pd
>>> panel = pd.DataFrame({"firm_id": ["A"] * 4, "year": [2020, 2021, 2022, 2023],
...                       "employees": [10, 12, 15, 20], "revenue": [1e6, 1.1e6, 1.3e6, 1.5e6],
...                       "total_equity": [1e5, 1e5, 2e5, 3e5]})
>>> label_outcomes(panel).loc[0, ["high_growth", "sustainable_growth"]].tolist()
[1.0, 1.0]
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import numpy as np
import pandas as pd

from ktop_index.errors import DataError, SpecError

LABELS = ("high_growth", "sustainable_growth")
MEASURES = ("employees", "revenue", "either")


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)) and bool(np.isfinite(value))


#: The allowed values of the thresholds, declared once: name -> (test, message naming the
#: parameter, the value given and what is allowed).
_RULES = {
    "measure": (lambda v: v in MEASURES,
                "{name} '{value}': expected one of " + ", ".join(MEASURES)),
    "horizon": (lambda v: isinstance(v, int) and v >= 1,
                "{name} {value!r}: expected a whole number of years >= 1"),
    "annual_growth": (lambda v: v > 0, "{name} {value!r}: expected a rate above 0"),
    "min_employees": (lambda v: isinstance(v, (int, np.integer)) and v >= 0,
                      "{name} {value!r}: expected a whole number of employees >= 0"),
    "micro": (lambda v: isinstance(v, (bool, np.bool_)),
              "{name} {value!r}: expected True or False"),
    "micro_min_revenue": (lambda v: _is_number(v) and v >= 0,
                          "{name} {value!r}: expected an amount in 천원 >= 0"),
    "sustain_min_equity": (_is_number, "{name} {value!r}: expected an amount in 천원"),
}


@dataclass(frozen=True)
class OutcomeRules:
    """The thresholds of the two labels (all recorded in a fitted model file).

    Parameters
    ----------
    horizon : int
        Years ahead (3: Eurostat-OECD Manual 2007, ch. 8).
    annual_growth : float
        Annualised growth a high-growth firm exceeds (0.20: Manual 2007 and 통계청
        기업생멸행정통계; 0.10: Commission Implementing Regulation (EU) 2020/1197).
    measure : {'employees', 'revenue', 'either'}
        What grows. 'either' = high growth in employees or in revenue (통계청 rule); a measure
        that cannot be computed for a row (missing value, out of scope) does not count.
    min_employees : int
        Employees at the start for the standard rule (10: Manual 2007); 0 = no size
        condition (then employees may be missing, e.g. for revenue growth of listed firms).
    micro : bool
        Apply the micro-firm variant to firms with 1..min_employees-1 employees (see module).
    micro_min_revenue : float
        Revenue at the start (KRW thousand, 천원) for a micro firm's revenue growth to count.
    sustain_min_equity : float
        Equity (천원) at or below which a firm is capitally impaired (0: 자본잠식).
    """

    horizon: int = 3
    annual_growth: float = 0.20
    measure: str = "either"
    min_employees: int = 10
    micro: bool = True
    micro_min_revenue: float = 100_000.0
    sustain_min_equity: float = 0.0

    def __post_init__(self):
        """Every threshold against :data:`_RULES` (SpecError naming the first bad one)."""
        for name, (allowed, message) in _RULES.items():
            value = getattr(self, name)
            if not allowed(value):
                raise SpecError(message.format(name=name, value=value))

    @property
    def micro_min_added(self) -> float:
        """Employees a micro firm must add over the horizon (more than this) to be high-growth."""
        return self.min_employees * ((1 + self.annual_growth) ** self.horizon - 1)

    def to_dict(self) -> dict:
        return asdict(self)


SIZE_FIELDS = ("employees", "revenue")


def _has(panel: pd.DataFrame, name: str) -> bool:
    """The panel has the field: its column exists and holds some value."""
    return name in panel and bool(panel[name].notna().any())


def label_plan(panel: pd.DataFrame, rules: OutcomeRules | None = None
               ) -> tuple[OutcomeRules, dict]:
    """The rules the panel's fields allow, and a record of what each label is built from.

    Parameters
    ----------
    panel : DataFrame with ``firm_id``, ``year`` and at least one of ``employees`` and
        ``revenue`` (천원); ``total_equity`` (천원) optional.
    rules : OutcomeRules, optional (the defaults when None).

    Returns
    -------
    (rules, record): the rules applied (``measure='either'`` becomes the measure the panel
    has; without employees the size condition is dropped: ``min_employees=0``,
    ``micro=False``) and a dict ``{"fields": {field: present}, "high_growth": {"measure",
    "size_condition", "note"}, "sustainable_growth": {"available", "impairment", "note"}}``.

    Raises
    ------
    DataError
        No firm_id or year column; neither employees nor revenue; a ``measure`` asked for
        whose field is absent.

    >>> frame = pd.DataFrame({"firm_id": ["A"], "year": [2020], "employees": [12]})
    >>> used, record = label_plan(frame)
    >>> used.measure, record["sustainable_growth"]["available"]
    ('employees', False)
    """
    rules = rules or OutcomeRules()
    keys = [c for c in ("firm_id", "year") if c not in panel]
    if keys:
        raise DataError(f"the panel has no column {', '.join(keys)} (expected one row per "
                        "firm and year: firm_id, year)",
                        ko=f"패널에 {', '.join(keys)} 열이 없습니다 (기업·연도별 한 행: "
                           "firm_id, year 필요)")
    fields = {f: _has(panel, f) for f in (*SIZE_FIELDS, "total_equity")}
    if not (fields["employees"] or fields["revenue"]):
        raise DataError("the panel has no employees and no revenue (expected at least one "
                        "size measure: growth labels are built from them)",
                        ko="패널에 상시근로자수(employees)도 매출액(revenue)도 없습니다 (성장 "
                           "라벨에는 규모 지표가 하나 이상 필요합니다)")
    measure = rules.measure
    if measure == "either":
        measure = "either" if fields["employees"] and fields["revenue"] else (
            "employees" if fields["employees"] else "revenue")
    elif not fields[measure]:
        raise DataError(f"measure '{measure}': the panel has no {measure} (expected the "
                        "column with values, or another measure)",
                        ko=f"measure '{measure}': 패널에 {measure} 값이 없습니다 (다른 측정 "
                           "기준을 쓰거나 해당 열을 채우십시오)")
    changes = {"measure": measure}
    if not fields["employees"]:
        changes.update(min_employees=0, micro=False)
    used = replace(rules, **changes)
    size = ("dropped: the panel has no employees, so no size condition can be checked"
            if not fields["employees"] else f"at least {used.min_employees} employees"
            + (" (micro-firm variant for smaller firms)" if used.micro else ""))
    high = {"measure": measure, "size_condition": bool(fields["employees"]),
            "note": f"in {_MEASURE_TEXT[measure]}; size condition {size}"}
    if not fields["revenue"]:
        sustainable = {"available": False, "impairment": False,
                       "note": "not labelled: the panel has no revenue (the revenue test "
                               "needs it)"}
    else:
        sustainable = {"available": True, "impairment": bool(fields["total_equity"]),
                       "note": "survival, revenue not falling in most years" + (
                           ", no capital impairment" if fields["total_equity"] else
                           "; the capital impairment condition is dropped: the panel has "
                           "no total_equity")}
    return used, {"fields": fields, "high_growth": high, "sustainable_growth": sustainable}


_MEASURE_TEXT = {"either": "employees or revenue", "employees": "employees",
                 "revenue": "revenue"}


def label_outcomes(panel: pd.DataFrame, rules: OutcomeRules | None = None) -> pd.DataFrame:
    """Label every firm-year with what happened over the next ``rules.horizon`` years.

    Parameters
    ----------
    panel : DataFrame
        Firm-years with ``firm_id``, ``year`` and ``employees`` and/or ``revenue`` (천원),
        ``total_equity`` (천원) optional; one row per firm and year. The rules are adapted
        to the fields present (:func:`label_plan`).
    rules : OutcomeRules, optional
        Thresholds (the defaults when None).

    Returns
    -------
    DataFrame, same index as ``panel``: ``high_growth`` and ``sustainable_growth`` (1.0, 0.0 or
    NaN when unknown), ``observed`` (the panel reaches t + horizon), ``exited`` (the firm
    closed before t + horizon), ``employment_growth`` and ``revenue_growth`` (annualised growth
    rate t -> t + horizon, NaN when not computable).
    """
    rules, record = label_plan(panel, rules)
    _check_panel(panel)
    h = rules.horizon
    firm = pd.factorize(panel["firm_id"])[0].astype(np.int64)
    year = panel["year"].to_numpy(dtype=np.int64)
    ahead = _Lookahead(firm, year)
    observed = year + h <= year.max()
    present_h = ahead.present(h)
    last_seen = pd.Series(year).groupby(firm).transform("max").to_numpy()
    exited = observed & ~present_h & (last_seen < year + h)
    unknown_end = ~observed | (~present_h & ~exited)  # future not seen, or a gap at t+h

    growth = _high_growth(panel, ahead, rules)
    scope = ~np.isnan(growth["in_scope"])
    high = np.where(exited & scope, 0.0, growth["label"])
    high[unknown_end] = np.nan
    sustainable = _sustainable(panel, ahead, rules, record["sustainable_growth"]["impairment"])
    sustainable[exited] = 0.0
    sustainable[unknown_end] = np.nan
    if not record["sustainable_growth"]["available"]:
        sustainable[:] = np.nan
    return pd.DataFrame({
        "high_growth": high, "sustainable_growth": sustainable,
        "observed": observed, "exited": exited,
        "employment_growth": np.where(unknown_end, np.nan, growth["employment_growth"]),
        "revenue_growth": np.where(unknown_end, np.nan, growth["revenue_growth"]),
    }, index=panel.index)


def _check_panel(panel: pd.DataFrame) -> None:
    duplicated = panel.duplicated(["firm_id", "year"])
    if duplicated.any():
        row = panel.loc[duplicated].iloc[0]
        raise DataError(f"the panel has firm {row['firm_id']} in {row['year']} more than once "
                        "(expected one row per firm and year)",
                        ko=f"패널에 기업 {row['firm_id']}의 {row['year']}년 행이 두 개 이상 "
                           "있습니다 (기업·연도별 한 행)")


class _Lookahead:
    """Values of the same firm k years later (NaN where the firm has no row then)."""

    def __init__(self, firm: np.ndarray, year: np.ndarray):
        self.year = year
        self.base = int(year.min())
        self.span = int(year.max()) - self.base + 1 + 64
        self.keys = pd.Index(firm * self.span + (year - self.base))
        self.firm = firm

    def position(self, k: int) -> np.ndarray:
        return self.keys.get_indexer(self.firm * self.span + (self.year - self.base + k))

    def present(self, k: int) -> np.ndarray:
        return self.position(k) >= 0

    def values(self, column: np.ndarray, k: int) -> np.ndarray:
        pos = self.position(k)
        out = np.full(len(pos), np.nan)
        found = pos >= 0
        out[found] = column[pos[found]]
        return out


def _numbers(panel: pd.DataFrame, name: str) -> np.ndarray:
    """A field as float64 (an absent column is all NaN)."""
    if name not in panel:
        return np.full(len(panel), np.nan)
    return panel[name].to_numpy(dtype="float64", na_value=np.nan)


def _high_growth(panel: pd.DataFrame, ahead: _Lookahead, rules: OutcomeRules) -> dict:
    """High-growth label per measure; ``in_scope`` is 1 where some measure's rule applies."""
    h, rate = rules.horizon, rules.annual_growth
    emp0 = _numbers(panel, "employees")
    emp_h = ahead.values(emp0, h)
    rev0 = _numbers(panel, "revenue")
    rev_h = ahead.values(rev0, h)
    # min_employees=0: no size condition (also for panels without employee counts)
    standard = (emp0 >= rules.min_employees) | (rules.min_employees <= 0)
    micro = rules.micro & (emp0 >= 1) & (emp0 < rules.min_employees)
    with np.errstate(divide="ignore", invalid="ignore"):
        emp_growth = np.where(emp0 > 0, (emp_h / emp0) ** (1 / h) - 1, np.nan)
        rev_growth = np.where(rev0 > 0, (rev_h / rev0) ** (1 / h) - 1, np.nan)
    # employees: relative rule at >= min_employees; absolute gain for micro firms
    by_emp = np.full(len(emp0), np.nan)
    by_emp[standard] = emp_growth[standard] > rate
    by_emp[micro] = (emp_h - emp0)[micro] > rules.micro_min_added
    emp_scope = standard | micro
    by_emp[emp_scope & np.isnan(emp_h)] = np.nan
    # revenue: relative rule for standard firms and for micro firms with a minimum base
    rev_scope = (standard | (micro & (rev0 >= rules.micro_min_revenue))) & (rev0 > 0)
    by_rev = np.where(rev_scope & ~np.isnan(rev_growth), rev_growth > rate, np.nan)
    if rules.measure == "employees":
        label, scope = by_emp, emp_scope
    elif rules.measure == "revenue":
        label, scope = by_rev, rev_scope
    else:
        label, scope = np.fmax(by_emp, by_rev), emp_scope | rev_scope
    return {"label": label.astype(float), "in_scope": np.where(scope, 1.0, np.nan),
            "employment_growth": emp_growth, "revenue_growth": rev_growth}


def _sustainable(panel: pd.DataFrame, ahead: _Lookahead, rules: OutcomeRules,
                 impairment: bool = True) -> np.ndarray:
    """Revenue not falling in most years and no capital impairment (survival is set by the
    caller; ``impairment=False``: a panel without equity, the condition is dropped); 1/0,
    NaN where the visible years do not decide it."""
    h = rules.horizon
    revenue = _numbers(panel, "revenue")
    equity = _numbers(panel, "total_equity")
    rev = np.column_stack([ahead.values(revenue, k) for k in range(h + 1)])
    ups = np.nansum(rev[:, 1:] >= rev[:, :-1], axis=1)
    known = (~np.isnan(rev[:, 1:]) & ~np.isnan(rev[:, :-1])).sum(axis=1)
    downs = known - ups
    need = h // 2 + 1  # a strict majority of the years
    grows = np.where(ups >= need, 1.0, np.where(downs > h - need, 0.0, np.nan))
    eq = np.column_stack([ahead.values(equity, k) for k in range(1, h + 1)])
    impaired = (eq <= rules.sustain_min_equity).any(axis=1)
    sound = np.where(impaired, 0.0, np.where(np.isnan(eq[:, -1]), np.nan, 1.0))
    if not impairment:
        sound = np.ones(len(revenue))
    # Kleene AND: 0 if either is 0, 1 if both are 1, NaN otherwise
    return np.where((grows == 0) | (sound == 0), 0.0,
                    np.where((grows == 1) & (sound == 1), 1.0, np.nan))
