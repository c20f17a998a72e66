"""Benchmark inputs made the way a user's file looks: the contract's English headers, money
in 천원, one row per firm and year, valid distinct business numbers.

    from _inputs import contract_csv
    contract_csv(Path("panel.csv"), rows=1_000_000)   # 200,000 firms x 5 years, ~175 MB
    bench_input(Path("folder"), 1_000_000, "year")     # the same rows sorted by year
"""

from __future__ import annotations

import compileall
import os
from pathlib import Path

import numpy as np
import pandas as pd

from ktop_index.data.io import write_table
from ktop_index.synth import generate_panel
from ktop_index.synth.identity import draw_brns

YEARS = (2020, 2024)  # five consecutive years per firm


def balanced_panel(firms: int, seed: int = 11) -> pd.DataFrame:
    """``firms`` synthetic firms present in each of :data:`YEARS` (firm-major order)."""
    span = YEARS[1] - YEARS[0] + 1
    panel = generate_panel(n_firms=int(firms * 1.6) + 100, years=YEARS, seed=seed)
    whole = panel.groupby("firm_id")["year"].transform("size") == span
    panel = panel[whole]
    keep = panel["firm_id"].drop_duplicates().head(firms)
    return panel[panel["firm_id"].isin(keep)].reset_index(drop=True)


def contract_frame(rows: int, seed: int = 11) -> pd.DataFrame:
    """``rows`` firm-years (a multiple of 5 is whole firms): a 20,000-firm balanced panel
    tiled, every copy of a firm under a new valid business number (its ``firm_id`` too)."""
    span = YEARS[1] - YEARS[0] + 1
    base = balanced_panel(min(20_000, -(-rows // span)), seed)
    firms = -(-rows // span)
    copies = -(-firms // base["firm_id"].nunique())
    brns = draw_brns(np.random.default_rng(seed), firms + base["firm_id"].nunique(),
                     np.zeros(firms + base["firm_id"].nunique(), dtype=bool))
    parts = []
    per = base["firm_id"].nunique()
    codes = pd.factorize(base["firm_id"])[0]
    for k in range(copies):
        part = base.copy()
        part["brn"] = brns[k * per + codes]
        part["firm_id"] = part["brn"]
        parts.append(part)
    return pd.concat(parts, ignore_index=True).head(rows)


def contract_csv(path: Path, rows: int, seed: int = 11) -> Path:
    """Write :func:`contract_frame` as a UTF-8 CSV (the README's scale section's input)."""
    if not path.exists():
        write_table(contract_frame(rows, seed), path)
    return path


ORDERS = ("firm", "year")  # firm by firm (scored in one pass); sorted by year (the spill)


def bench_input(folder: Path, rows: int, order: str = "firm") -> Path:
    """The contract CSV of ``rows`` firm-years in ``folder``, firm by firm (each firm's years
    together: ``ktop score`` scores it in one pass) or sorted by year (a firm's years far
    apart: the spill's three passes). Made once, then reused."""
    source = contract_csv(folder / f"firms_{rows}.csv", rows)
    if order == "firm":
        return source
    path = folder / f"firms_{rows}_by_year.csv"
    if not path.exists():
        frame = contract_frame(rows)
        write_table(frame.iloc[np.argsort(frame["year"].to_numpy(), kind="stable")], path)
    return path


def with_bad_rows(source: Path, every: int) -> Path:
    """A copy of ``source`` whose every ``every``-th record has a revenue that is no number
    (``12O0``, a letter O): with ``--rejects`` those records are quarantined. Made once."""
    path = source.with_name(f"{source.stem}_bad{every}.csv")
    if not path.exists():
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.csv as pacsv

        table = pacsv.read_csv(source)
        revenue = pc.cast(table["revenue"], pa.string())
        bad = np.zeros(table.num_rows, dtype=bool)
        bad[::every] = True
        revenue = pc.if_else(pa.array(bad), pa.scalar("12O0"), revenue)
        table = table.set_column(table.column_names.index("revenue"), "revenue", revenue)
        pacsv.write_csv(table, path)
    return path


def compiled_package() -> None:
    """Byte-compile ktop_index where it is imported from, as ``pip install .`` does: from an
    editable (source) install with PYTHONDONTWRITEBYTECODE set, as on this machine, a fresh
    process would otherwise compile every module again (0.13 s of every ``ktop score``)
    where a user's installed copy does not."""
    import ktop_index

    compileall.compile_dir(Path(ktop_index.__file__).parent, quiet=1)


def stolen_seconds() -> float | None:
    """CPU seconds the hypervisor has taken from this virtual machine since boot, over all
    its cores (``steal`` of ``/proc/stat``), or None off Linux. On a shared machine, a run
    that needs both cores loses more to it than one that needs one: the benchmarks print
    it per run so that a slow spell shows as such."""
    try:
        with open("/proc/stat") as handle:
            fields = handle.readline().split()
    except OSError:
        return None
    if fields[0] != "cpu" or len(fields) < 9:
        return None
    return int(fields[8]) / os.sysconf("SC_CLK_TCK")
