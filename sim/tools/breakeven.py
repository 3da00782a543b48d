"""Where help-them-buy breaks even: its revenue against numbers-game as enablement hours rise.

``enablement_hours`` is an assumption (no source gives the hours a rep spends enabling a buyer's own process),
so docs/model.md shows how the answer depends on it. The sweep is a comparison on the baseline scenario
(:func:`sim.study.comparison.compare_arms`, so it runs on the one runner and takes the comparison's seeds,
spawned from the scenario's root seed): the control is numbers-game, the other arms help-them-buy at each
enablement level, all on the same replications (common random numbers); the interval is the paired
difference's 95% confidence interval.

    python -m sim.tools.breakeven                     # the table in docs/model.md (12 seeds, 2 workers)
    python -m sim.tools.breakeven --seeds 4 --levels 0 3 10
"""

from __future__ import annotations

import argparse

import polars as pl

from sim.config import load_scenario
from sim.study.arms import Arm
from sim.study.comparison import compare_arms
from sim.study.runner import Execution
from sim.study.stats import paired_difference
from sim.tools.argtypes import positive

LEVELS = (0.0, 3.0, 6.0, 10.0, 15.0, 20.0, 30.0)


def arms(levels: tuple[float, ...]) -> list[Arm]:
    """numbers-game (the control), then help-them-buy at each enablement level."""
    return [Arm("numbers-game", "numbers-game")] + [
        Arm(f"help-{i}", "help-them-buy", (f"strategy.enablement_hours={h}",)) for i, h in enumerate(levels)
    ]


def sweep(
    levels: tuple[float, ...], seeds: int, workers: int
) -> list[tuple[float, float, float, float, float]]:
    """Per level: help-them-buy's mean revenue, and its paired difference to numbers-game with a 95% CI."""
    runs = compare_arms(load_scenario("baseline"), arms(levels), seeds, execution=Execution(workers=workers))

    def revenue(arm: str) -> list[float]:
        return [float(v) for v in runs.filter(pl.col("arm") == arm).sort("replication")["revenue"]]

    base = revenue("numbers-game")
    rows = []
    for i, level in enumerate(levels):
        arm = revenue(f"help-{i}")
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
