"""Shared fixtures: small scenarios that run in a fraction of a second, and a way to call the real CLI.

The small market (a year, a few hundred accounts, four reps) keeps every mechanism busy while the whole suite
stays fast; tests that need a particular behaviour lay their own overrides over it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest

from sim.config import Scenario, load_scenario
from sim.core.state import State
from sim.engine import simulate

SMALL: tuple[str, ...] = (
    "horizon_days=365",
    "market.smb.accounts=300",
    "market.mid_market.accounts=100",
    "market.f1000.accounts=60",
    "sales_org.reps=4",
)
"""Overrides that shrink the shipped baseline to a one-year, four-rep market."""

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "sim" / "scenarios"

REQUIRE_BROWSER = "SALESIM_REQUIRE_BROWSER"
"""Set to 1 (``.ci/run`` does) and a browser test fails when Chromium is missing, instead of skipping."""


SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
"""Where browser tests save their screenshots (docs/workshop.md and the reports' review use them)."""

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
"""Headless Chromium as root in a container, with nothing reaching the network on its own."""


def chromium() -> Path:
    """Chromium on PATH; else skip the calling test, or fail it when :data:`REQUIRE_BROWSER` is set to 1."""
    found = shutil.which("chromium")
    if found is not None:
        return Path(found)
    reason = "no chromium on PATH (apt-get install -y chromium)"
    if os.environ.get(REQUIRE_BROWSER) == "1":
        pytest.fail(f"{reason}, and {REQUIRE_BROWSER}=1 requires the browser tests to run", pytrace=False)
    pytest.skip(reason)


def small_scenario(*overrides: str) -> Scenario:
    """The shipped baseline shrunk by :data:`SMALL`, with further ``--set`` style overrides on top."""
    return load_scenario("baseline", [*SMALL, *overrides])


@dataclass(frozen=True)
class LiveRun:
    """A run's scenario, seed, event log and the live state the engine ended with."""

    scenario: Scenario
    seed: int
    events: pl.DataFrame
    state: State


def live_run(scenario: Scenario, seed: int = 1) -> LiveRun:
    """Simulate and keep the live final state next to the log."""
    events, state = simulate(scenario, seed)
    return LiveRun(scenario, seed, events, state)


@pytest.fixture(scope="session")
def small_run() -> LiveRun:
    """One small numbers-game baseline run, shared by every test that only reads it."""
    return live_run(small_scenario(), seed=1)


def salesim_executable() -> list[str]:
    """The installed ``salesim`` console script (the real CLI), preferring the one beside this Python."""
    beside = Path(sys.executable).parent / "salesim"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("salesim")
    if found:
        return [found]
    return [sys.executable, "-c", "from sim.cli import main; main()"]


def run_cli(
    args: Sequence[str],
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout: float = 120.0,
    preexec_fn: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``salesim ARGS`` in ``cwd`` and capture its output as text (``preexec_fn`` runs in the child first).

    The terminal is 80 columns wide, as a user's often is, so a long message that wraps shows up as two lines.
    """
    full_env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "80", **(env or {})}
    return subprocess.run(
        [*salesim_executable(), *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        preexec_fn=preexec_fn,
    )
