"""The Dask path on a local cluster of 2 workers next to the single process, on the same file.

Both are fresh ``ktop score`` processes on the contract's CSV (``_inputs.contract_csv``): the
baseline ``ktop score IN -o OUT``, then ``ktop score IN -o OUT --engine dask --scheduler
ADDRESS --partitions N`` against a ``distributed.LocalCluster`` of 2 single-threaded workers
started here (what a machine of 2 cores can lend a cluster). Both outputs are checked to be
the same bytes. On one 2-core machine the cluster cannot win: it pays for the shuffle that
keeps a firm's years together and for moving every row between processes; the figure says
what the option costs where a real cluster (more machines) is not at hand.

    python benchmarks/bench_dask.py [--rows 300000] [--partitions 4] [--runs 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _inputs import contract_csv  # benchmarks/ is on the path: python benchmarks/NAME.py

KTOP = [sys.executable, "-m", "ktop_index.cli", "score"]


def seconds(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", help="folder to keep the files in (reused when present)")
    args = parser.parse_args()
    try:
        from distributed import LocalCluster
    except ImportError:
        print("dask and distributed are not installed (pip install 'ktop_index[dask]'): skipped")
        return
    folder = Path(args.keep or tempfile.mkdtemp(prefix="ktop_bench_"))
    folder.mkdir(parents=True, exist_ok=True)
    source = contract_csv(folder / f"firms_{args.rows}.csv", args.rows)
    single, dask = folder / "single.csv", folder / "dask.csv"
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        on_dask = [*KTOP, str(source), "-o", str(dask), "--engine", "dask", "--scheduler",
                   cluster.scheduler_address, "--partitions", str(args.partitions)]
        alone = [*KTOP, str(source), "-o", str(single)]
        seconds(alone)  # warm the file cache
        singles, dasks = [], []
        for _ in range(args.runs):
            singles.append(seconds(alone))
            dasks.append(seconds(on_dask))
    same = single.read_bytes() == dask.read_bytes()
    one, many = statistics.median(singles), statistics.median(dasks)
    print(f"rows: {args.rows:,}  partitions: {args.partitions}  runs: {args.runs}  "
          f"same bytes: {same}")
    print(f"single process, median:                  {one:.2f} s  "
          f"(runs {', '.join(f'{t:.2f}' for t in singles)})")
    print(f"Dask, LocalCluster of 2 workers, median:  {many:.2f} s  "
          f"(runs {', '.join(f'{t:.2f}' for t in dasks)})")
    print(f"ratio Dask / single: {many / one:.2f}x")
    if not same:
        raise SystemExit("the Dask output differs from the single process's")


if __name__ == "__main__":
    main()
