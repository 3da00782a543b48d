"""Every shipped scenario runs as shipped, says what it asks, and tells the story it promises."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import sim
from sim.config import Scenario, load_scenario, read_toml

SCENARIO_DIR = Path(sim.__file__).resolve().parent / "scenarios"
SCENARIOS = sorted(SCENARIO_DIR.glob("*.toml"))
RUN_FIELDS = frozenset({"name", "question", "seed", "horizon_days"})
"""Top-level fields a scenario sets for itself; any other value in baseline.toml is a default spelled out."""


@functools.cache
def run_as_shipped(path: Path) -> sim.RunResult:
    """A shipped scenario run once as shipped (its own seed, its own horizon), shared by the tests below."""
    return sim.run(load_scenario(path))


def test_the_shipped_scenarios_are_there() -> None:
    names = {path.stem for path in SCENARIOS}
    assert {
        "baseline",
        "numbers_vs_qualify",
        "smb_vs_f1000",
        "stalling_cio",
        "pressure_vs_procurement",
        "long_game",
    } <= names


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_shipped_scenario_runs_as_shipped(path: Path) -> None:
    result = run_as_shipped(path)
    kinds = result.events["kind"]
    assert kinds[-1] == "RunEnded"
    assert (kinds == "RunEnded").sum() == 1
    assert (kinds == "OpportunityOpened").any(), f"{path.name}: no opportunity was ever opened"
    # They must also stay small (they run here and in workshops): benchmarks/demo.py prints their wall times.


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_shipped_scenario_states_its_question(path: Path) -> None:
    scenario = load_scenario(path)
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    assert first_line.startswith("# Question:"), f"{path.name} must open with a '# Question:' comment"
    assert scenario.question.strip(), f"{path.name} has no top-level question = '...'"
    assert scenario.name == path.stem


def test_stalling_cio_strings_the_rep_along_for_months() -> None:
    stalls = run_as_shipped(SCENARIO_DIR / "stalling_cio.toml").events.filter(
        pl.col("kind") == "StallRequested"
    )
    assert stalls.height >= 2
    span = float(stalls["t"].max()) - float(stalls["t"].min())  # type: ignore[arg-type]
    assert span >= 180.0, f"the CIO's requests span only {span:.0f} days"


def _leaves(data: dict[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    out: list[tuple[tuple[str, ...], Any]] = []
    for key, value in data.items():
        if isinstance(value, dict):
            out += _leaves(value, (*prefix, key))
        else:
            out.append(((*prefix, key), value))
    return out


def test_baseline_spells_out_the_defaults() -> None:
    raw = read_toml(SCENARIO_DIR / "baseline.toml")
    defaults = Scenario().model_dump(mode="json")
    differing = {}
    for path, value in _leaves(raw):
        if len(path) == 1 and path[0] in RUN_FIELDS:
            continue
        default: Any = defaults
        for key in path:
            default = default[key]
        if default != value:
            differing[".".join(path)] = (value, default)
    assert differing == {}, f"baseline.toml (value, default in sim.config): {differing}"
