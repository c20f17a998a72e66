"""The firm-year panel a history store has accumulated: what ``ktop fit --db`` learns from.

Every raw or scored file imported into the store (:mod:`ktop_index.tracking.ingest`) leaves
its firm-years in ``firm_years``, keyed by data set, firm and year. :func:`panel_from_store`
gathers them into one panel in the data contract's columns, one row per firm and year, so
the growth model (:class:`ktop_index.growth.model.GrowthModel`) can label each firm-year by
what the later years of the same store show: the loop from tracking back to a better index.

Rules
-----
- **One firm across files.** A firm is the store's firm key: its business number when a row
  has one, else its firm_id (:meth:`Store.firm_keys`), so a panel keyed by firm_id and a
  later applicants file keyed by business number meet in one firm. The panel's ``firm_id``
  and ``brn`` are the store's (``firms``: the firm_id seen first).
- **The latest import wins, field by field.** When several data sets hold the same
  firm-year (re-delivered or corrected data), each field comes from the data set imported
  last (the highest data set number) among those that carry that field at all (have a value
  of it in some row): a corrected file wins, blanks included, while a file without the
  column (a scored file keeping only a few fields) says nothing about it. Re-scoring a data
  set with another model is a new run, not a new data set, and changes nothing here.
- **Only fields the store has.** A contract field no stored firm-year has a value of is left
  out of the panel (as it is absent from a file without the column), so an incomplete history
  gives an incomplete panel, never a column of blanks.
- Selection imports (``ktop select`` folders) hold decisions, not firm-years: they add no
  rows. A purged firm (``ktop track purge``) is gone from the store and from the panel.

Example
-------
>>> import os, tempfile
>>> from ktop_index.data.io import write_table
>>> from ktop_index.synth import generate_panel
>>> from ktop_index.tracking.ingest import import_file
>>> folder = tempfile.mkdtemp()
>>> write_table(generate_panel(n_firms=30, years=(2020, 2023), seed=1),
...             os.path.join(folder, "panel.csv"))
>>> _ = import_file(os.path.join(folder, "panel.csv"), os.path.join(folder, "h.sqlite"))
>>> panel = panel_from_store(os.path.join(folder, "h.sqlite"))
>>> panel.attrs["source"].years, list(panel.columns[:4])
((2020, 2023), ['firm_id', 'brn', 'firm_name', 'year'])
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ktop_index.data.contract import FIELD_BY_NAME, FIELDS
from ktop_index.errors import StoreError
from ktop_index.tracking.store import FIRM_YEAR_FIELDS, Store

#: How many data sets the one-line description names before "and N more".
SHOWN_DATASETS = 5


@dataclass(frozen=True)
class StoreDataset:
    """One data set (imported file) that gave the panel values: its number in the store, file
    name, kind ('raw' or 'scored'), sha256 of the file's bytes, the firm-years it holds, those
    of them in the panel from it (in at least one field: where it is the latest import), and
    the runs that scored it."""

    dataset: int
    source: str
    kind: str
    sha256: str
    rows: int
    used: int
    runs: tuple[int, ...]


@dataclass(frozen=True)
class StoreSource:
    """Where a panel read from a history store came from (``panel.attrs['source']``).

    ``path`` is the store as given; ``firm_years``, ``firms`` and ``years`` (first, last) the
    panel's size; ``datasets`` the data sets it was gathered from, in import order;
    ``repeated`` the firm-years held by more than one data set (the latest import won);
    ``fields`` the contract fields the panel has.
    """

    path: str
    firm_years: int
    firms: int
    years: tuple[int, int]
    datasets: tuple[StoreDataset, ...]
    repeated: int
    fields: tuple[str, ...]

    def text(self) -> str:
        """One line for a model card: what the panel is and which imports made it.

        >>> StoreSource("h.sqlite", 20, 5, (2020, 2023), (StoreDataset(
        ...     1, "panel.csv", "raw", "ab" * 32, 20, 20, (1,)),), 0, ()).text()
        'the history store h.sqlite (ktop track): 20 firm-years of 5 firms, 2020-2023, from 1 data set (#1 panel.csv, raw, sha256 abababababab…, run 1)'
        """
        def one(d: StoreDataset) -> str:
            runs = (f"run{'s' if len(d.runs) > 1 else ''} {', '.join(map(str, d.runs))}"
                    if d.runs else "no run")
            used = "" if d.used == d.rows else f", {d.used:,} of its {d.rows:,} firm-years used"
            return f"#{d.dataset} {d.source}, {d.kind}, sha256 {d.sha256[:12]}…, {runs}{used}"

        shown = "; ".join(one(d) for d in self.datasets[:SHOWN_DATASETS])
        more = len(self.datasets) - SHOWN_DATASETS
        if more > 0:
            shown += f"; and {more} more"
        n = len(self.datasets)
        repeated = (f"; {self.repeated:,} firm-years were in more than one data set (the latest "
                    "import wins, field by field)" if self.repeated else "")
        return (f"the history store {self.path} (ktop track): {self.firm_years:,} firm-years of "
                f"{self.firms:,} firms, {self.years[0]}-{self.years[1]}, from {n} data "
                f"set{'s' if n != 1 else ''} ({shown}){repeated}")


def panel_from_store(db: str | os.PathLike | Store | None = None,
                     min_years: int = 1) -> pd.DataFrame:
    """The firm-years a history store holds, one row per firm and year, as a validated panel.

    Parameters
    ----------
    db : the store file (``./ktop_history.sqlite`` when None) or an open :class:`Store`. A
        missing file is an error (nothing is created).
    min_years : the fewest distinct years the store must hold (e.g. 4 for a 3-year outcome
        horizon: a base year and three later years).

    Returns
    -------
    DataFrame
        The data contract's columns, in contract order, that the store has values of:
        ``firm_id, brn, firm_name, year, ksic, …, revenue, …`` (money in KRW thousand, 천원;
        persons; counts), typed as :func:`ktop_index.data.validate.validate` types a file
        (text as ``str``, years as ``Int64``, Y/N as ``boolean``, numbers as ``float64``).
        Where several data sets hold a firm-year, each field is that of the latest import
        carrying it (module docstring). Sorted by firm_id and year, so the order the files
        were imported in does not matter. ``attrs['source']`` is a
        :class:`StoreSource`: the store, the panel's size, the data sets and runs used.

    Raises
    ------
    StoreError
        No store at ``db``, a store without firm-years, or one with fewer than
        ``min_years`` years (English and Korean messages).

    Missing values: a blank cell of the latest import carrying a field stays missing; an
    earlier import's value does not fill it.
    """
    if isinstance(db, Store):
        return _panel(db, db.path, min_years)
    with Store(db, create=False) as store:
        return _panel(store, store.path, min_years)


def _panel(store: Store, path, min_years: int) -> pd.DataFrame:
    fields = list(FIRM_YEAR_FIELDS)
    carried = _carried_fields(store, fields)
    rows = store.query(
        f"SELECT dataset, firm, year, {', '.join(fields)} FROM firm_years "
        "ORDER BY firm, year, dataset")
    if rows.empty:
        raise StoreError(f"{path}: the store holds no firm-years (import a panel first: "
                         f"ktop track import FILE --db {path})",
                         ko=f"{path}: 저장소에 기업-연도 자료가 없습니다 (먼저 패널을 저장하십시오: "
                            f"ktop track import FILE --db {path})")
    years = sorted(set(rows["year"].astype("int64")))
    if len(years) < min_years:
        held = ", ".join(map(str, years))
        raise StoreError(f"{path}: the store holds firm-years of {len(years)} year(s) ({held}); "
                         f"at least {min_years} are needed (a base year and the later years "
                         "its outcome is read from): import the later years' data",
                         ko=f"{path}: 저장소의 기업-연도 자료가 {len(years)}개 연도({held})뿐입니다; "
                            f"최소 {min_years}개 연도가 필요합니다 (기준연도와 성과를 읽을 이후 "
                            "연도): 이후 연도의 자료를 저장하십시오")
    dataset = rows["dataset"].to_numpy(dtype=np.int64)
    firm = rows["firm"].to_numpy(dtype=np.int64)
    year = rows["year"].to_numpy(dtype=np.int64)
    # rows are sorted by (firm, year, dataset): a firm-year's rows are adjacent, latest last
    new_group = np.r_[True, (firm[1:] != firm[:-1]) | (year[1:] != year[:-1])]
    group = np.cumsum(new_group) - 1
    n = int(group[-1]) + 1
    panel = {"firm": firm[new_group], "year": year[new_group]}
    won = np.zeros(len(rows), dtype=bool)  # rows that gave the panel at least one field
    kept = []
    for name in fields:
        carrying = np.isin(dataset, carried[name])
        if not carrying.any():
            continue  # no stored firm-year has it: the panel has no such column
        at = np.flatnonzero(carrying)
        last = at[np.r_[group[at][1:] != group[at][:-1], True]]  # latest carrying row
        values = np.full(n, None, dtype=object)
        values[group[last]] = rows[name].to_numpy(dtype=object)[last]
        panel[name] = values
        won[last] = True
        kept.append(name)
    frame = pd.DataFrame(panel)
    firms = store.query("SELECT firm, firm_id, brn FROM firms")
    frame = frame.merge(firms, on="firm", how="left", validate="many_to_one", sort=False)
    if frame["brn"].isna().all():
        frame = frame.drop(columns="brn")
    frame = frame.sort_values(["firm_id", "year"], kind="stable", ignore_index=True)
    frame = _typed(frame[[f.name for f in FIELDS if f.name in frame]])
    repeated = int(np.unique(group[~new_group]).size)  # firm-years in several data sets
    frame.attrs["source"] = _source(store, path, frame, dataset, won, repeated, kept)
    return frame


def _carried_fields(store: Store, fields: list[str]) -> dict[str, list[int]]:
    """Per field, the data sets that have a value of it in at least one firm-year."""
    counts = store.query(f"SELECT dataset, {', '.join(f'count({f}) AS {f}' for f in fields)} "
                         "FROM firm_years GROUP BY dataset")
    return {f: counts.loc[counts[f] > 0, "dataset"].astype("int64").tolist() for f in fields}


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Each column in the type validation gives a file's column (text ``str``, years
    ``Int64``, Y/N ``boolean``, numbers ``float64``; missing as NA/NaN)."""
    out = {}
    for name in frame.columns:
        kind = FIELD_BY_NAME[name].kind
        column = frame[name]
        if kind == "year":
            out[name] = pd.array(pd.to_numeric(column).to_numpy(dtype="float64"), dtype="Int64")
        elif kind == "yesno":
            out[name] = column.map(lambda v: pd.NA if v is None else bool(v)).astype("boolean")
        elif kind in ("id", "text", "code", "region"):
            out[name] = column.astype("str")
        else:
            out[name] = pd.to_numeric(column).to_numpy(dtype="float64")
    return pd.DataFrame(out)


def _source(store: Store, path, frame: pd.DataFrame, dataset: np.ndarray, won: np.ndarray,
            repeated: int, kept: list[str]) -> StoreSource:
    """The :class:`StoreSource` of the gathered panel."""
    used = pd.Series(dataset[won]).value_counts()
    sets = store.query("SELECT dataset, source, kind, sha256, rows FROM datasets "
                       "ORDER BY dataset")
    held = pd.Series(dataset).value_counts()
    runs = store.query("SELECT dataset, run FROM runs ORDER BY run")
    datasets = tuple(
        StoreDataset(int(d.dataset), str(d.source), str(d.kind), str(d.sha256),
                     int(held.get(d.dataset, 0)), int(used.get(d.dataset, 0)),
                     tuple(int(r) for r in runs.loc[runs["dataset"] == d.dataset, "run"]))
        for d in sets.itertuples() if used.get(d.dataset, 0))
    years = frame["year"].astype("int64")
    return StoreSource(str(path), len(frame), int(frame["firm_id"].nunique()),
                       (int(years.min()), int(years.max())), datasets, repeated, tuple(kept))
