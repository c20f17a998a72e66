"""Scoring a national-scale file the way a user does, next to the I/O floor of the same run.

The input is the contract's CSV of 1,000,000 firm-years (200,000 firms x 5 years, valid
distinct business numbers, English headers, money in 천원; ``_inputs.contract_csv``), firm by
firm as the issue's file (scored in one pass), or with ``--order year`` sorted by year (the
spill's three passes: ``ktop_index.index.files``). Each
run of ``ktop score IN -o OUT`` is a **fresh process** (interpreter start, imports, reading,
validating, scoring, writing), timed from outside. The floor is what no scorer can beat:
pyarrow reading the input CSV plus pyarrow writing the scored output (read back first,
outside the timing), in this process. Runs alternate (floor, ktop, floor, ...) so that a
busy spell of the machine hits both; the medians are compared. Target: ``ktop score``
within 1.5x of the floor. Each run's share of the cores' time that the hypervisor took
(steal, on a virtual machine) is printed too: ``ktop score`` keeps both cores busy and the
floor mostly one, so a stolen spell slows ``ktop score`` more; the ratio of the runs where
neither lost more than 5 % is printed beside the ratio of all runs. The floor leaves its
output in the page cache, unsynced (``ktop score`` hands its own to the disk as it goes): it
is synced after the floor's timing, so that the disk's writing it back does not land in the
next run's.

    python benchmarks/bench_score.py [--rows 1000000] [--runs 5] [--keep DIR] [--order year]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.csv as pacsv
from _inputs import (  # benchmarks/ is on the path: python benchmarks/NAME.py
    ORDERS,
    bench_input,
    compiled_package,
    stolen_seconds,
)

KTOP = [sys.executable, "-m", "ktop_index.cli"]
CORES = os.cpu_count() or 1
CALM = 0.05  # a run is calm when the hypervisor took at most this share of the cores' time


def stolen_share(run, *args) -> tuple[float, float | None]:
    """``run(*args)``'s seconds, and the share of the cores' time stolen meanwhile."""
    before = stolen_seconds()
    seconds = run(*args)
    after = stolen_seconds()
    return seconds, None if before is None else (after - before) / (seconds * CORES)


def floor_seconds(source: Path, scored: Path, sink: Path) -> float:
    """pyarrow reading ``source`` and writing a table of ``scored``'s size and types."""
    table = pacsv.read_csv(scored)
    start = time.perf_counter()
    pacsv.read_csv(source)
    with open(sink, "wb") as handle:
        pacsv.write_csv(table, handle)
    seconds = time.perf_counter() - start
    os.sync()  # its bytes go to the disk now, not while the next run hands the disk its own
    return seconds


def ktop_seconds(source: Path, target: Path) -> float:
    """A fresh ``ktop score`` process, start to exit."""
    start = time.perf_counter()
    subprocess.run([*KTOP, "score", str(source), "-o", str(target)], check=True,
                   capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", help="folder to keep the files in (reused when present)")
    parser.add_argument("--order", choices=ORDERS, default="firm",
                        help="rows firm by firm (one pass, the default) or sorted by year "
                             "(the spill)")
    args = parser.parse_args()
    folder = Path(args.keep or tempfile.mkdtemp(prefix="ktop_bench_"))
    folder.mkdir(parents=True, exist_ok=True)
    source = bench_input(folder, args.rows, args.order)
    compiled_package()
    target, sink = folder / "scored.csv", folder / "floor.csv"
    ktop_seconds(source, target)  # warms the file cache and writes the output's shape
    floors, scores, stolen = [], [], []
    for _ in range(args.runs):
        floor_run, floor_stolen = stolen_share(floor_seconds, source, target, sink)
        ktop_run, ktop_stolen = stolen_share(ktop_seconds, source, target)
        floors.append(floor_run)
        scores.append(ktop_run)
        stolen.append((floor_stolen, ktop_stolen))
    floor, score = statistics.median(floors), statistics.median(scores)
    print(f"rows: {args.rows:,} ({args.order} order)  input: {source.stat().st_size / 1e6:.0f} MB  "
          f"output: {target.stat().st_size / 1e6:.0f} MB  runs: {args.runs}")
    print(f"I/O floor (pyarrow read input + write output), median: {floor:.2f} s  "
          f"(runs {', '.join(f'{t:.2f}' for t in floors)})")
    print(f"ktop score, fresh process, median:                  {score:.2f} s  "
          f"(runs {', '.join(f'{t:.2f}' for t in scores)})")
    print(f"ratio of medians: {score / floor:.2f}x  (target <= 1.5x)")
    if stolen[0][0] is not None:
        _print_stolen(floors, scores, stolen)


def _print_stolen(floors: list, scores: list, stolen: list) -> None:
    print("cores' time stolen by the hypervisor, floor/ktop: "
          + ", ".join(f"{f:.0%}/{k:.0%}" for f, k in stolen))
    calm = [k for k, pair in enumerate(stolen) if max(pair) <= CALM]
    ratio = "too few for a ratio" if len(calm) < 3 else "ratio of their medians: " + (
        f"{statistics.median(scores[k] for k in calm) / statistics.median(floors[k] for k in calm):.2f}x")
    print(f"runs with at most {CALM:.0%} stolen: {len(calm)} of {len(stolen)}, {ratio}")


if __name__ == "__main__":
    main()
