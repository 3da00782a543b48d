"""Where help-them-buy breaks even: its revenue against numbers-game as enablement hours rise.

``enablement_hours`` is an assumption (no source gives the hours a rep spends enabling a buyer's own process),
so docs/model.md shows how the answer depends on it. Each level is paired with numbers-game on the same seeds
(common random numbers); the interval is the paired difference's 95% confidence interval.

    python -m sim.tools.breakeven                     # the table in docs/model.md (12 seeds, 2 workers)
    python -m sim.tools.breakeven --seeds 4 --levels 0 3 10
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor

import polars as pl

from sim.config import load_scenario
from sim.engine import simulate
from sim.study.stats import paired_difference
from sim.tools.argtypes import positive

LEVELS = (0.0, 3.0, 6.0, 10.0, 15.0, 20.0, 30.0)


def revenue(overrides: tuple[str, ...], seed: int) -> float:
    """Revenue of one baseline run with ``overrides``."""
    log, _ = simulate(load_scenario("baseline", overrides), seed)
    return float(log.filter(pl.col("kind") == "DealWon")["amount"].sum())


def sweep(
    levels: tuple[float, ...], seeds: int, workers: int
) -> list[tuple[float, float, float, float, float]]:
    """Per level: help-them-buy's mean revenue, and its paired difference to numbers-game with a 95% CI."""
    control = ('strategy.preset="numbers-game"',)
    arms = [control] + [('strategy.preset="help-them-buy"', f"strategy.enablement_hours={h}") for h in levels]
    jobs = [(arm, seed) for arm in arms for seed in range(1, seeds + 1)]
    with ProcessPoolExecutor(workers) as pool:
        results = list(pool.map(revenue, *zip(*jobs, strict=True)))
    base = results[:seeds]
    rows = []
    for i, level in enumerate(levels, start=1):
        arm = results[i * seeds : (i + 1) * seeds]
        diff = paired_difference(arm, base)
        rows.append((level, sum(arm) / seeds, diff.mean, diff.low, diff.high))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--seeds", type=positive(int), default=12, help="paired replications per level (default 12)"
    )
    parser.add_argument("--workers", type=positive(int), default=2, help="worker processes (default 2)")
    parser.add_argument("--levels", type=float, nargs="+", default=list(LEVELS), help="enablement hours")
    args = parser.parse_args()
    print("| enablement hours | help-them-buy revenue | minus numbers-game (paired, 95% CI) |")
    print("|---|---|---|")
    for level, arm, mean, low, high in sweep(tuple(args.levels), args.seeds, args.workers):
        print(
            f"| {level:g} | ${arm / 1e6:.1f} M | {mean / 1e6:+.1f} M [{low / 1e6:+.1f}, {high / 1e6:+.1f}] |"
        )


if __name__ == "__main__":
    main()
