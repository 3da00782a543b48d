"""How fast is the model, next to bare SimPy? Prints figures; it is not a test.

The target (the engine issue): a one-year Fortune 1000 market of 50 reps and 5,000 accounts, run in full with
its event log and polars frame, in under 5 s of wall time, and at least a quarter of the event rate of a bare
SimPy loop that schedules as many timeouts as the model logged events.

    python benchmarks/engine.py                 # the target market
    python benchmarks/engine.py --baseline      # the shipped baseline scenario instead
    python benchmarks/engine.py --profile 25    # also profile the model run, top 25 functions
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from collections.abc import Generator
from typing import Any

import simpy

import sim
from sim.config import Scenario, load_scenario
from sim.results import run

TARGET_RATIO = 0.25
TARGET_SECONDS = 5.0
BARE_PROCESSES = 1000


def target_scenario(reps: int, accounts: int, horizon_days: float) -> Scenario:
    """Fortune 1000 accounts only, the rest of the shipped baseline unchanged."""
    return load_scenario(
        "baseline",
        [
            f"horizon_days={horizon_days}",
            "market.smb.accounts=0",
            "market.mid_market.accounts=0",
            f"market.f1000.accounts={accounts}",
            f"sales_org.reps={reps}",
            'name="benchmark-f1000"',
        ],
    )


def time_model(scenario: Scenario, seed: int) -> tuple[int, float]:
    """Run the full model (log, state, polars frame) and return (events, wall seconds)."""
    started = time.perf_counter()
    result = run(scenario, seed)
    elapsed = time.perf_counter() - started
    return result.events.height, elapsed


def time_bare_simpy(events: int, processes: int = BARE_PROCESSES) -> tuple[int, float]:
    """Schedule ``events`` timeouts from ``processes`` looping processes; return (timeouts, wall seconds).

    Delays come from a cheap deterministic sequence (no RNG calls) so the loop measures SimPy alone.
    """
    env = simpy.Environment()
    remaining = [events]

    def worker(i: int) -> Generator[Any, Any, None]:
        step = 1 + i % 7
        while remaining[0] > 0:
            remaining[0] -= 1
            step = (step * 31 + 17) % 97
            yield env.timeout(0.05 + step / 97.0)

    for i in range(processes):
        env.process(worker(i))
    started = time.perf_counter()
    env.run()
    return events - remaining[0], time.perf_counter() - started


def profile_model(scenario: Scenario, seed: int, top: int) -> str:
    """cProfile of one model run, sorted by own time, top ``top`` functions."""
    profiler = cProfile.Profile()
    profiler.enable()
    run(scenario, seed)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reps", type=int, default=50, help="rep seats (default 50)")
    parser.add_argument("--accounts", type=int, default=5000, help="Fortune 1000 accounts (default 5000)")
    parser.add_argument("--days", type=float, default=365.0, help="horizon in days (default 365)")
    parser.add_argument("--seed", type=int, default=1, help="root seed (default 1)")
    parser.add_argument("--repeat", type=int, default=1, help="time the model this many times, keep the best")
    parser.add_argument("--baseline", action="store_true", help="time the shipped baseline scenario instead")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="also print a cProfile top N")
    args = parser.parse_args(argv)

    if args.baseline:
        scenario = load_scenario("baseline")
        label = (
            f"shipped baseline ({scenario.horizon_days:.0f} days, {scenario.sales_org.reps} reps, "
            + ", ".join(f"{name} {seg.accounts}" for name, seg in scenario.market.items())
            + ")"
        )
    else:
        scenario = target_scenario(args.reps, args.accounts, args.days)
        label = f"Fortune 1000: {args.accounts} accounts, {args.reps} reps, {args.days:.0f} days"

    print(f"salesim {sim.__version__}, simpy {simpy.__version__}, python {sys.version.split()[0]}")
    print(f"scenario: {label}, seed {args.seed}")
    timings = [time_model(scenario, args.seed) for _ in range(max(1, args.repeat))]
    events, model_seconds = min(timings, key=lambda pair: pair[1])
    bare_events, bare_seconds = time_bare_simpy(events)
    model_rate, bare_rate = events / model_seconds, bare_events / bare_seconds
    ratio = model_rate / bare_rate

    print(f"{'':12}{'events':>12}{'seconds':>10}{'events/s':>14}")
    print(f"{'model':12}{events:>12,}{model_seconds:>10.3f}{model_rate:>14,.0f}")
    print(f"{'bare simpy':12}{bare_events:>12,}{bare_seconds:>10.3f}{bare_rate:>14,.0f}")
    print(f"ratio model/bare: {ratio:.3f}")
    ratio_ok, time_ok = ratio >= TARGET_RATIO, model_seconds < TARGET_SECONDS
    print(f"target ratio >= {TARGET_RATIO}: {'met' if ratio_ok else 'NOT met'} ({ratio:.3f})")
    print(
        f"target model wall time < {TARGET_SECONDS} s: {'met' if time_ok else 'NOT met'} ({model_seconds:.3f} s)"
    )
    if args.profile:
        print()
        print(profile_model(scenario, args.seed, args.profile))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
