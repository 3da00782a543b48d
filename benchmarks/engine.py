"""How fast is the model, next to bare SimPy? Prints figures; it is not a test.

Two targets (the engine issue), each printed with its figures:

1. **Rate.** The shipped baseline scenario, run for a long horizon (five years by default) in full, with its
   event log and polars frame, logs events at no worse than a quarter of the rate of a bare SimPy loop that
   schedules as many timeouts as the model logged events, timed in the same process.
2. **Wall time.** A one-year Fortune 1000 market of 50 reps and 5,000 accounts runs in under 5 s. Its event
   rate against bare SimPy is printed too, for information: with only slow-buying accounts, most of its events
   are rep work rather than the market's, so its ratio is lower than the baseline's.

3. **Memory.** A run of 160 reps on 32,000 SMB, 12,000 mid-market and 4,800 Fortune 1000 accounts over three
   years holds its log in typed columns while it runs: (peak RSS - RSS just before the run) / events is at
   most 300 bytes an event. Measured in a fresh process, so nothing else's peak counts. What is measured is
   ``sim.run`` whole, as a user calls it: drawing the market, the run, and building the frame the returned
   ``RunResult`` holds (every row and column, text as Categorical), with the peak read after the frame
   exists; nothing is built lazily, so touching ``events`` costs no more than this.

Each side is timed ``--repeat`` times, alternately, and the best time kept, so one noisy moment on a shared
machine does not decide the figure.

    python benchmarks/engine.py                 # both targets
    python benchmarks/engine.py --days 3650     # the rate target over ten years
    python benchmarks/engine.py --profile 25    # also profile the baseline run, top 25 functions
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import subprocess
import sys
import time
from collections.abc import Generator
from typing import Any

import simpy
from proc_status import status_kib

import sim
from sim.config import Scenario, load_scenario
from sim.results import run
from sim.tools.argtypes import positive

TARGET_RATIO = 0.25
TARGET_BYTES_PER_EVENT = 300.0
MEMORY_MARKET = {"reps": 160, "smb": 32_000, "mid_market": 12_000, "f1000": 4_800, "days": 1095.0}
TARGET_SECONDS = 5.0
BARE_PROCESSES = 1000


def baseline_scenario(horizon_days: float) -> Scenario:
    """The shipped baseline, run for ``horizon_days``."""
    return load_scenario("baseline", [f"horizon_days={horizon_days}"])


def f1000_scenario(reps: int, accounts: int, horizon_days: float) -> Scenario:
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


def memory_scenario() -> Scenario:
    """The large market of the memory target (:data:`MEMORY_MARKET`), the rest of the baseline unchanged."""
    m = MEMORY_MARKET
    return load_scenario(
        "baseline",
        [
            f"horizon_days={m['days']}",
            f"sales_org.reps={m['reps']}",
            f"market.smb.accounts={m['smb']}",
            f"market.mid_market.accounts={m['mid_market']}",
            f"market.f1000.accounts={m['f1000']}",
            'name="benchmark-memory"',
        ],
    )


def memory_child(seed: int) -> None:
    """Run the memory market once in this (fresh) process; print its figures as JSON."""
    scenario = memory_scenario()
    before = status_kib("VmRSS")
    started = time.perf_counter()
    events = run(scenario, seed).events.height
    elapsed = time.perf_counter() - started
    peak = status_kib("VmHWM")
    print(json.dumps({"events": events, "before_kib": before, "peak_kib": peak, "seconds": elapsed}))


def measure_memory(seed: int) -> dict[str, float]:
    """The memory market's figures, from a fresh interpreter (a peak is per process)."""
    out = subprocess.run(
        [sys.executable, __file__, "--memory-child", "--seed", str(seed)],
        check=True,
        capture_output=True,
        text=True,
    )
    figures: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


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


def best(timings: list[tuple[int, float]]) -> tuple[int, float]:
    """The fastest of repeated (events, seconds) timings."""
    return min(timings, key=lambda pair: pair[1])


def compare_with_bare(scenario: Scenario, seed: int, repeat: int) -> tuple[int, float, float]:
    """Time the model and a bare SimPy loop of as many events; return (events, model s, bare s).

    The two alternate, so a slow spell of a shared machine hits both sides rather than one.
    """
    model_timings, bare_timings = [], []
    for _ in range(repeat):
        model_timings.append(time_model(scenario, seed))
        bare_timings.append(time_bare_simpy(model_timings[-1][0]))
    events, model_seconds = best(model_timings)
    bare_events, bare_seconds = best(bare_timings)
    assert bare_events == events
    return events, model_seconds, bare_seconds


def print_rates(events: int, model_seconds: float, bare_seconds: float) -> float:
    """Print the model-vs-bare table and return the ratio of their event rates."""
    model_rate, bare_rate = events / model_seconds, events / bare_seconds
    print(f"  {'':12}{'events':>12}{'seconds':>10}{'events/s':>14}")
    print(f"  {'model':12}{events:>12,}{model_seconds:>10.3f}{model_rate:>14,.0f}")
    print(f"  {'bare simpy':12}{events:>12,}{bare_seconds:>10.3f}{bare_rate:>14,.0f}")
    ratio = model_rate / bare_rate
    print(f"  ratio model/bare: {ratio:.3f}")
    return ratio


def verdict(label: str, ok: bool, figure: str) -> None:
    """One target line."""
    print(f"  target {label}: {'met' if ok else 'NOT met'} ({figure})")


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
    parser.add_argument(
        "--days", type=positive(float), default=1825.0, help="baseline horizon (default 1825)"
    )
    parser.add_argument(
        "--reps", type=positive(int), default=50, help="Fortune 1000 market: rep seats (default 50)"
    )
    parser.add_argument(
        "--accounts", type=positive(int), default=5000, help="Fortune 1000 market: accounts (default 5000)"
    )
    parser.add_argument("--seed", type=int, default=1, help="root seed (default 1)")
    parser.add_argument(
        "--repeat", type=positive(int), default=3, help="time each side this many times, keep the best"
    )
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="also print a cProfile top N")
    parser.add_argument("--skip-memory", action="store_true", help="leave out the memory target")
    parser.add_argument("--memory-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        memory_child(args.seed)
        return 0
    repeat = args.repeat

    print(f"salesim {sim.__version__}, simpy {simpy.__version__}, python {sys.version.split()[0]}")
    baseline = baseline_scenario(args.days)
    sizes = ", ".join(f"{name} {seg.accounts}" for name, seg in baseline.market.items())
    print(
        f"\n1. rate: shipped baseline over {args.days:.0f} days ({baseline.sales_org.reps} reps, {sizes}), "
        f"seed {args.seed}, best of {repeat}"
    )
    ratio = print_rates(*compare_with_bare(baseline, args.seed, repeat))
    verdict(f"ratio >= {TARGET_RATIO}", ratio >= TARGET_RATIO, f"{ratio:.3f}")

    f1000 = f1000_scenario(args.reps, args.accounts, 365.0)
    print(
        f"\n2. wall time: Fortune 1000 market, {args.accounts} accounts, {args.reps} reps, 365 days, "
        f"seed {args.seed}, best of {repeat}"
    )
    events, model_seconds, bare_seconds = compare_with_bare(f1000, args.seed, repeat)
    print_rates(events, model_seconds, bare_seconds)
    verdict(f"wall time < {TARGET_SECONDS} s", model_seconds < TARGET_SECONDS, f"{model_seconds:.3f} s")

    if not args.skip_memory:
        m = MEMORY_MARKET
        print(
            f"\n3. memory: {m['reps']} reps, {m['smb']:,} SMB, {m['mid_market']:,} mid-market and "
            f"{m['f1000']:,} Fortune 1000 accounts, {m['days']:.0f} days, seed {args.seed}, fresh process"
        )
        figures = measure_memory(args.seed)
        grown = (figures["peak_kib"] - figures["before_kib"]) * 1024
        per_event = grown / figures["events"]
        print(
            f"  events {figures['events']:,.0f}, {figures['seconds']:.1f} s "
            f"({figures['events'] / figures['seconds']:,.0f} events/s)"
        )
        print(
            f"  RSS before the run {figures['before_kib'] / 1024:,.0f} MiB, peak {figures['peak_kib'] / 1024:,.0f} MiB, "
            f"growth {grown / 2**20:,.0f} MiB = {per_event:,.0f} bytes an event"
        )
        verdict(
            f"<= {TARGET_BYTES_PER_EVENT:.0f} bytes an event",
            per_event <= TARGET_BYTES_PER_EVENT,
            f"{per_event:,.0f} bytes an event",
        )

    if args.profile:
        print()
        print(profile_model(baseline, args.seed, args.profile))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
