"""Fitting the growth model on about 200,000 firm-years, next to plain fitting and scoring.

Target (issue 4): `GrowthModel.fit` on 200,000 firm-years "well under a minute". The
baseline, measured in the same run on the same panel, is what any model file costs anyway:
`TechIndex.fit` on the base year plus `TechIndex.transform` of every firm-year. The ratio says
what learning the weights, the out-of-time validation and the bootstraps add.

    python benchmarks/bench_fit.py [--firms 27000] [--bootstrap 200] [--refits 50]
                                   [--level indicators|domains]
"""

from __future__ import annotations

import argparse
import time

from ktop_index.growth.model import GrowthModel
from ktop_index.index.techindex import TechIndex
from ktop_index.synth import generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=27_000,
                        help="synthetic firms, 2014-2024 (27,000 give about 200,000 rows)")
    parser.add_argument("--bootstrap", type=int, default=200)
    parser.add_argument("--refits", type=int, default=50)
    parser.add_argument("--level", choices=("indicators", "domains"), default="indicators",
                        help="what the perspective models are fitted on (default indicators)")
    args = parser.parse_args()

    sp = generate(n_firms=args.firms, years=(2014, 2024), seed=0)
    panel = sp.panel
    print(f"panel: {len(panel):,} firm-years ({args.firms:,} firms, 2014-2024)")

    start = time.perf_counter()
    index = TechIndex().fit(panel)
    index.transform(panel)
    baseline = time.perf_counter() - start
    print(f"baseline  TechIndex.fit + score of every row : {baseline:6.2f} s")

    start = time.perf_counter()
    model = GrowthModel(seed=0, n_bootstrap=args.bootstrap, n_refits=args.refits,
                        level=args.level)
    model.fit(panel, sp.truth)
    fitting = time.perf_counter() - start
    print(f"GrowthModel.fit (level {args.level}, {args.bootstrap} bootstrap samples, "
          f"{args.refits} refits): "
          f"{fitting:6.2f} s")
    print(f"ratio to baseline: {fitting / baseline:.1f}x; "
          f"{'within' if fitting < 30 else 'NOT within'} the target (well under 60 s: < 30 s)")
    print("weights:", model.weights_)


if __name__ == "__main__":
    main()
