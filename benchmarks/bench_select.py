"""Selecting among 2,000 applicants with 1,000 robustness variants, next to one plain scoring.

The baseline, measured in the same run, is one plain scoring pass of the same applicants
(``TechIndex.transform``). The selection does that scoring plus screening, money, ranking and
the variants (each variant re-normalises, re-weights and re-aggregates every applicant and
re-runs the budget rule). Target: a few seconds in all.

    python benchmarks/bench_select.py [--applicants 2000] [--variants 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from ktop_index.data.brn import make_brn
from ktop_index.index.techindex import TechIndex
from ktop_index.selection.calls import load_call
from ktop_index.selection.decide import select
from ktop_index.synth import generate_panel


def applicants(n: int) -> pd.DataFrame:
    """``n`` synthetic firms of 2024 as applicants of the Jeju call (all eligible)."""
    panel = generate_panel(n_firms=int(n * 1.3), years=(2023, 2024), seed=5)
    firms = panel[(panel["year"] == 2024) & (panel["revenue"].fillna(0) < 4e7)].head(n)
    firms = firms.reset_index(drop=True)
    firms["brn"] = [make_brn(101 + i // 9000, 81, 1 + i % 9000) for i in range(len(firms))]
    firms["firm_id"] = firms["brn"]
    firms["ksic"] = "10301"
    firms["region"] = "제주특별자치도 제주시 첨단로 242"
    firms["letter_of_intent"] = pd.array([True] * len(firms), dtype="boolean")
    firms["sme_confirmed"] = pd.array([True] * len(firms), dtype="boolean")
    firms["requested"] = np.random.default_rng(1).integers(20, 51, len(firms)) * 1000.0
    return firms


def best_of(repeat: int, func) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--applicants", type=int, default=2000)
    parser.add_argument("--variants", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    firms = applicants(args.applicants)
    model = TechIndex.load()
    call = load_call("jeju_2025")
    select(firms, call, model=model, variants=10)  # warm imports and caches
    baseline = best_of(args.repeat, lambda: model.transform(firms))
    plain = best_of(args.repeat, lambda: select(firms, call, model=model, variants=0))
    full = best_of(args.repeat, lambda: select(firms, call, model=model,
                                               variants=args.variants))
    print(f"{len(firms):,} applicants, {args.variants:,} variants (best of {args.repeat})")
    print(f"baseline: one scoring pass           {baseline:8.3f} s   1.0x")
    print(f"select without robustness            {plain:8.3f} s   {plain / baseline:5.1f}x")
    print(f"select with {args.variants:,} variants         {full:8.3f} s   "
          f"{full / baseline:5.1f}x")
    print(f"robustness alone                     {full - plain:8.3f} s   "
          f"{(full - plain) / baseline:5.1f}x")


if __name__ == "__main__":
    main()
