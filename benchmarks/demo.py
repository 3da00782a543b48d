"""How long does a user wait? Prints wall times of ``salesim demo`` and the shipped scenarios; it is not a test.

These figures used to be assertions in the test suite ("the demo twice within a minute", "a shipped scenario
under 15 s"); on a shared machine a timing is noise in a test, so they are printed here instead, each with its
target:

1. **Demo.** ``salesim demo`` with its defaults, run ``--repeat`` times in a row in one fresh directory as a
   user would (the second run takes ``salesim-demo-2``): each under 60 s.
   For context, the same two markets through a bare ``salesim compare`` (the same runs, no report), so the
   report's share of the wait is visible.
2. **Shipped scenarios.** Each file in ``scenarios/`` run once as shipped, in this process: each under 15 s
   (they run in the test suite and in workshops; the aim is under 5 s).

    python benchmarks/demo.py                       # both
    python benchmarks/demo.py --replications 3      # a shorter demo
    python benchmarks/demo.py --no-scenarios        # the demo only
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sim
from sim.cli import DEMO_MARKETS, DEMO_STRATEGIES
from sim.config import load_scenario
from sim.tools.argtypes import positive

TARGET_DEMO_SECONDS = 60.0
TARGET_SCENARIO_SECONDS = 15.0
SCENARIO_DIR = Path(sim.__file__).resolve().parent / "scenarios"


def salesim() -> list[str]:
    """The installed ``salesim`` console script beside this Python, else the CLI through this Python."""
    beside = Path(sys.executable).parent / "salesim"
    if beside.exists():
        return [str(beside)]
    return [sys.executable, "-c", "from sim.cli import main; main()"]


def timed_cli(args: list[str], cwd: Path) -> float:
    """Run ``salesim ARGS`` in ``cwd``; return its wall seconds, or exit with its error if it failed."""
    started = time.perf_counter()
    done = subprocess.run(
        [*salesim(), *args],
        cwd=cwd,
        env={**os.environ, "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"salesim {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return elapsed


def demo_args(replications: int | None, workers: int | None) -> list[str]:
    """Options shared by the demo and the bare comparison."""
    args = [] if replications is None else ["--replications", str(replications)]
    return args + ([] if workers is None else ["--workers", str(workers)])


def bench_demo(repeat: int, replications: int | None, workers: int | None) -> None:
    """Time ``salesim demo`` ``repeat`` times in a row, then the bare comparisons it contains."""
    with tempfile.TemporaryDirectory(prefix="salesim-bench-") as tmp:
        cwd = Path(tmp)
        for attempt in range(1, repeat + 1):
            seconds = timed_cli(["demo", *demo_args(replications, workers)], cwd)
            verdict(
                f"demo run {attempt} < {TARGET_DEMO_SECONDS:.0f} s", seconds < TARGET_DEMO_SECONDS, seconds
            )
        total = 0.0
        for key, _heading, _question, overrides in DEMO_MARKETS:
            settings = [arg for override in overrides for arg in ("--set", override)]
            out = cwd / f"bare-{key}"
            total += timed_cli(
                [
                    "compare",
                    "baseline",
                    "--strategies",
                    DEMO_STRATEGIES,
                    *settings,
                    "--out",
                    str(out),
                    *demo_args(replications, workers),
                ],
                cwd,
            )
            shutil.rmtree(out)
        print(
            f"  for context: the demo's {len(DEMO_MARKETS)} markets as bare comparisons (no report): {total:.1f} s"
        )


def bench_scenarios() -> None:
    """Run each shipped scenario once as shipped and print its wall time."""
    for path in sorted(SCENARIO_DIR.glob("*.toml")):
        result = sim.run(load_scenario(path))
        seconds = result.wall_seconds
        label = f"{path.stem} < {TARGET_SCENARIO_SECONDS:.0f} s"
        verdict(label, seconds < TARGET_SCENARIO_SECONDS, seconds, f"{result.events.height:,} events")


def verdict(label: str, ok: bool, seconds: float, extra: str = "") -> None:
    """One target line."""
    more = f", {extra}" if extra else ""
    print(f"  target {label}: {'met' if ok else 'NOT met'} ({seconds:.1f} s{more})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=positive(int), default=2, help="demo runs in a row (default 2)")
    parser.add_argument(
        "--replications", type=positive(int), default=None, help="demo replications (default: the demo's own)"
    )
    parser.add_argument(
        "--workers", type=positive(int), default=None, help="worker processes (default: the demo's own)"
    )
    parser.add_argument("--no-scenarios", action="store_true", help="skip the shipped-scenario timings")
    args = parser.parse_args(argv)

    print(f"salesim {sim.__version__}, python {sys.version.split()[0]}, {os.cpu_count()} cores")
    print(f"\n1. salesim demo, {args.repeat} runs in a row")
    bench_demo(args.repeat, args.replications, args.workers)
    if not args.no_scenarios:
        print("\n2. shipped scenarios, each run once as shipped")
        bench_scenarios()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
