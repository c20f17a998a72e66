"""Monitoring a call's supported firms: flags for drops of index, revenue, employment, and
for data that stopped arriving.

:func:`monitor` compares each supported firm's latest year with data against its previous
year with data and its pre-support base year, and says in words what it finds. The words
are English (:data:`ktop_index.labels.MONITOR_FLAGS`);
:func:`ktop_index.tracking.present.korean_labels` gives them in Korean.

Example
-------
>>> flags = monitor("history.sqlite", "jeju_2025", thresholds={"revenue": 0.1})  # doctest: +SKIP
>>> flags[flags["flags"] != ""][["brn", "firm_name", "flags"]]                  # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ktop_index.errors import UsageError
from ktop_index.labels import MONITOR_FLAGS
from ktop_index.tracking.history import call_year
from ktop_index.tracking.store import Store

#: Default monitoring thresholds: a drop of the Tech-Index by 10 points (one reference sd),
#: of revenue or employment by 20 %, and data missing for 1 year or more.
DEFAULT_THRESHOLDS = {"tech_index": 10.0, "revenue": 0.20, "employees": 0.20, "stale_years": 1}

# flag column <- the measure it watches
_DROPS = (("tech_index", "index_drop"), ("revenue", "revenue_drop"),
          ("employees", "employment_drop"))
FLAGS = ("index_drop", "revenue_drop", "employment_drop", "data_stopped")


def monitor(db, call: str, thresholds: dict | None = None, as_of: int | None = None,
            support_year: int | None = None) -> pd.DataFrame:
    """Flags for a call's supported firms: drops of index, revenue, employment; stale data.

    Each supported firm's latest year with data is compared with its previous year with
    data and with its pre-support base year (``support_year - 1``). Flags:

    - ``index_drop``: the Tech-Index fell by at least ``thresholds['tech_index']`` points;
    - ``revenue_drop`` / ``employment_drop``: revenue (KRW thousand, 천원) / employees fell
      by at least the share ``thresholds['revenue']`` / ``thresholds['employees']``
      (0.2 = 20 %), against either year;
    - ``data_stopped``: no firm-year in the last ``thresholds['stale_years']`` year(s) up to
      ``as_of`` (the latest year in the store when None), or no data at all.

    Parameters
    ----------
    db, call : the store and the call (its latest imported selection).
    thresholds : overrides of :data:`DEFAULT_THRESHOLDS`.
    as_of : the year data should have reached.
    support_year : first year of support; the year in the call's name when None.

    Returns
    -------
    DataFrame, one row per supported firm, flagged firms first: ``brn, firm_name,
    base_year, previous_year, last_year, tech_index_base, tech_index_previous,
    tech_index_last, revenue_base, revenue_previous, revenue_last, employees_base,
    employees_previous, employees_last, index_drop, revenue_drop, employment_drop,
    data_stopped, flags`` (the flags in words, '; '-joined). A missing value raises no
    drop flag. ``attrs['thresholds']``: the thresholds used.

    Raises :class:`~ktop_index.errors.UsageError` for an unknown threshold name,
    :class:`~ktop_index.errors.StoreError` for a call the store has no selection of.
    """
    limits = _limits(thresholds)
    year0 = support_year or call_year(call)
    with Store(db, create=False) as store:
        selection = store.latest_selection(call)
        supported = selection[selection["status"] == "selected"].reset_index(drop=True)
        panel = store.latest_panel(firms=supported["firm"], scores=("tech_index",))
        latest_year = store.conn.execute("SELECT max(year) FROM scores").fetchone()[0]
    as_of = as_of or latest_year
    panel = panel[panel["year"] <= as_of]  # monitoring as of a past year ignores later data
    rows = [_monitor_row(panel[panel["firm"] == firm], year0 - 1, as_of, limits)
            for firm in supported["firm"]]
    out = pd.concat([supported[["brn", "firm_name"]], pd.DataFrame(rows)], axis=1)
    out["n_flags"] = out[list(FLAGS)].sum(axis=1)
    out = out.sort_values(["n_flags", "brn"], ascending=[False, True], kind="stable")
    out = out.drop(columns="n_flags").reset_index(drop=True)
    out.attrs["thresholds"] = limits
    return out


def _limits(thresholds: dict | None) -> dict:
    """:data:`DEFAULT_THRESHOLDS` with the given overrides; an unknown name is an error."""
    limits = dict(DEFAULT_THRESHOLDS)
    unknown = set(thresholds or {}) - set(limits)
    if unknown:
        raise UsageError(f"unknown threshold(s) {', '.join(sorted(unknown))} (expected "
                         f"{', '.join(limits)})",
                         ko=f"알 수 없는 기준: {', '.join(sorted(unknown))} (가능한 기준: "
                            f"{', '.join(limits)})")
    limits.update(thresholds or {})
    return limits


def _monitor_row(history: pd.DataFrame, base_year: int, as_of, limits: dict) -> dict:
    """One supported firm's figures of its base, previous and last year, and its flags."""
    history = history.set_index("year")
    years = sorted(history.index)
    last = years[-1] if years else None
    previous = years[-2] if len(years) >= 2 else None
    row = {"base_year": base_year, "previous_year": previous, "last_year": last}

    def value(name, year):
        return float(history.at[year, name]) if year in history.index else np.nan

    for name, flag in _DROPS:
        base, prev, now = value(name, base_year), value(name, previous), value(name, last)
        row.update({f"{name}_base": base, f"{name}_previous": prev, f"{name}_last": now})
        row[flag] = _dropped(name, now, (base, prev), limits) if last != base_year else False
    stale = last is None or (as_of is not None and as_of - last >= limits["stale_years"])
    row["data_stopped"] = bool(stale)
    row["flags"] = flag_words(row, limits, last)
    return row


def _dropped(name: str, now: float, references: tuple[float, float], limits: dict) -> bool:
    """Whether ``now`` fell at least the threshold below either reference value: in points
    for the Tech-Index, as a share of the reference for revenue and employees."""
    if np.isnan(now):
        return False
    if name == "tech_index":
        fell = [ref - now >= limits[name] for ref in references if not np.isnan(ref)]
    else:
        fell = [(ref - now) / ref >= limits[name] for ref in references
                if not np.isnan(ref) and ref > 0]
    return bool(any(fell))


def flag_words(row: dict, limits: dict, last: int | None) -> str:
    """The raised flags of a row in English words, '; '-joined ('' when none).

    >>> flag_words({"index_drop": True, "revenue_drop": False, "employment_drop": False,
    ...             "data_stopped": True}, DEFAULT_THRESHOLDS, 2025)
    'Tech-Index down 10+ points; no data after 2025'
    """
    values = {"index_drop": {"points": f"{limits['tech_index']:g}"},
              "revenue_drop": {"share": f"{limits['revenue']:.0%}"},
              "employment_drop": {"share": f"{limits['employees']:.0%}"},
              "data_stopped": {"year": last}}
    words = []
    for flag in FLAGS:
        if row[flag]:
            key = flag if flag != "data_stopped" or last else "no_data"
            words.append(MONITOR_FLAGS[key][0].format(**values[flag]))
    return "; ".join(words)
