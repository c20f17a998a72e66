"""Peak memory of ``ktop score`` at 1,000,000 and 4,000,000 firm-years: does it grow with the file?

Each run is a fresh ``ktop score IN -o OUT`` process on the contract's CSV
(``_inputs.contract_csv``: 200,000 or 800,000 firms x 5 years, valid distinct business numbers,
English headers, money in 천원; firm by firm, or with ``--order year`` sorted by year); its peak resident memory is the ``ru_maxrss`` of that one child,
read by a small parent process made for it. The baseline is the same command on the smaller
file in the same run. Target: the larger file's peak within 1.2x of the smaller's (streamed
in bounded memory: :mod:`ktop_index.index.files`). ``--whole`` also measures the old path
that reads the file whole (a Parquet output: read, scored and written in memory), for scale.
``--bad-every N`` gives every N-th record a revenue that is no number and scores with
``--rejects``: the quarantined records must not make memory grow with the file either.

    python benchmarks/bench_memory.py [--rows 1000000 4000000] [--runs 3] [--keep DIR] [--whole]
                                      [--order year] [--bad-every 10]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _inputs import (  # benchmarks/ is on the path: python benchmarks/NAME.py
    ORDERS,
    bench_input,
    with_bad_rows,
)

PEAK = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, capture_output=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def peak_mb(command: list[str]) -> tuple[float, float]:
    """(peak resident MB, seconds) of one fresh process running ``command``."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", PEAK, *command], check=True,
                          capture_output=True, text=True)
    return int(done.stdout.split()[-1]) / 1024, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs=2, default=(1_000_000, 4_000_000))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", help="folder to keep the files in (reused when present)")
    parser.add_argument("--order", choices=ORDERS, default="firm",
                        help="rows firm by firm (one pass, the default) or sorted by year "
                             "(the spill)")
    parser.add_argument("--bad-every", type=int,
                        help="every N-th record bad, scored with --rejects (quarantine)")
    parser.add_argument("--whole", action="store_true",
                        help="also the whole-file path, on the smaller file")
    args = parser.parse_args()
    folder = Path(args.keep or tempfile.mkdtemp(prefix="ktop_bench_"))
    folder.mkdir(parents=True, exist_ok=True)
    ktop = [sys.executable, "-m", "ktop_index.cli", "score"]
    results = {}
    for rows in args.rows:
        source = bench_input(folder, rows, args.order)
        command = [*ktop, str(source), "-o", str(folder / f"scored_{rows}.csv")]
        if args.bad_every:
            source = with_bad_rows(source, args.bad_every)
            command[len(ktop)] = str(source)
            command += ["--rejects", str(folder / f"rejects_{rows}.csv")]
        runs = [peak_mb(command) for _ in range(args.runs)]
        results[rows] = statistics.median(mb for mb, _ in runs)
        print(f"{rows:>10,} firm-years ({source.stat().st_size / 1e6:,.0f} MB CSV): peak "
              f"{results[rows]:,.0f} MB median of {args.runs} "
              f"(runs {', '.join(f'{mb:,.0f}' for mb, _ in runs)}; "
              f"{statistics.median(t for _, t in runs):.1f} s)")
    small, large = args.rows
    print(f"ratio {large:,} / {small:,}: {results[large] / results[small]:.2f}x  "
          "(target <= 1.2x)")
    if args.whole:
        source = bench_input(folder, small, args.order)
        mb, seconds = peak_mb([*ktop, str(source), "-o", str(folder / "scored_whole.parquet")])
        print(f"the file read whole (Parquet output), {small:,} firm-years: peak {mb:,.0f} MB "
              f"({seconds:.1f} s)")


if __name__ == "__main__":
    main()
