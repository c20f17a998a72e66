"""Importing 1,000,000 firm-years into the tracking store, and a firm's trajectory from it.

Targets: the import (read, validate, score, store) in under a minute; a firm's trajectory in
well under a second. Baselines measured in the same run:

- ``ktop score`` of the same file to Parquet (read, validate, score, write): the same work
  without the store, so the difference is what the history costs;
- a bare ``sqlite3`` ``executemany`` of the same scored rows into an empty table without
  indexes, transactions or idempotence checks: the floor of any SQLite store;
- for the trajectory, reading one firm's rows from the scored Parquet file with a pyarrow
  filter (what one would do without a store).

    python benchmarks/bench_track.py [--rows 1000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import io
import sqlite3
import statistics
import tempfile
import time
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from ktop_index.cli import main
from ktop_index.data.io import write_table
from ktop_index.synth import generate_panel
from ktop_index.tracking import history, ingest


def make_input(path: Path, rows: int) -> None:
    """A Parquet panel of ``rows`` firm-years: a synthetic panel tiled with new firm ids."""
    base = generate_panel(n_firms=20_000, years=(2014, 2024), seed=11)
    copies = int(np.ceil(rows / len(base)))
    parts = [base.assign(firm_id=base["firm_id"] + f"-{k}") for k in range(copies)]
    frame = pd.concat(parts, ignore_index=True).head(rows)
    write_table(frame.drop(columns=["brn"]), path)  # tiled copies would repeat BRNs


def timed(func) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def bare_sqlite(scored: Path, db: Path) -> float:
    """executemany of the scored table's rows into a plain table: the SQLite floor."""
    frame = pq.read_table(scored).to_pandas()
    columns = [c for c in frame.columns if not c.startswith(("strength", "weakness"))]
    start = time.perf_counter()
    conn = sqlite3.connect(db)
    conn.execute(f"CREATE TABLE t ({', '.join(columns)})")
    values = [frame[c].astype(object).where(frame[c].notna(), None).tolist() for c in columns]
    conn.executemany(f"INSERT INTO t VALUES ({', '.join('?' * len(columns))})", zip(*values))
    conn.commit()
    conn.close()
    return time.perf_counter() - start


def main_bench() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", help="folder to keep the files in")
    args = parser.parse_args()
    folder = Path(args.keep or tempfile.mkdtemp(prefix="ktop_bench_track_"))
    folder.mkdir(parents=True, exist_ok=True)
    source, scored = folder / "panel.parquet", folder / "scored.parquet"
    if not source.exists():
        print(f"making {args.rows:,} firm-years in {source} ...")
        make_input(source, args.rows)
    for old in folder.glob("*.sqlite*"):
        old.unlink()

    with redirect_stdout(io.StringIO()):
        score_time = timed(lambda: main(["score", str(source), "-o", str(scored)]))
    floor_time = bare_sqlite(scored, folder / "bare.sqlite")
    db = folder / "history.sqlite"
    result = None

    def do_import():
        nonlocal result
        result = ingest.import_file(source, db, note="benchmark")

    import_time = timed(do_import)
    again_time = timed(lambda: ingest.import_file(source, db))

    firms = pd.read_parquet(source, columns=["firm_id"])["firm_id"].unique()
    picks = np.random.default_rng(0).choice(firms, size=20, replace=False)
    trajectory = [timed(lambda f=f: history.firm_trajectory(f, db)) for f in picks]
    parquet_read = [timed(lambda f=f: pq.read_table(scored, filters=[("firm_id", "==", f)]))
                    for f in picks]

    print(f"rows: {result.rows:,} firm-years ({result.new_firms:,} firms); store "
          f"{db.stat().st_size / 1e6:.0f} MB")
    print(f"ktop score to Parquet (same work, no store):   {score_time:6.2f} s")
    print(f"bare sqlite executemany of the scored rows:     {floor_time:6.2f} s")
    print(f"ingest.import_file (validate, score, store):    {import_time:6.2f} s   "
          f"(target < 60 s; {import_time / score_time:.2f}x ktop score, "
          f"{import_time / floor_time:.2f}x bare sqlite)")
    print(f"same file again (recognised, nothing written):  {again_time:6.2f} s")
    print(f"firm_trajectory, median of 20 firms:            "
          f"{statistics.median(trajectory) * 1000:6.1f} ms (target well under 1 s; max "
          f"{max(trajectory) * 1000:.1f} ms)")
    print(f"pyarrow filtered read of one firm from Parquet: "
          f"{statistics.median(parquet_read) * 1000:6.1f} ms "
          f"(ratio {statistics.median(trajectory) / statistics.median(parquet_read):.2f}x)")


if __name__ == "__main__":
    main_bench()
