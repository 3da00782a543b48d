"""A run's result and its self-describing directory: resolved scenario, meta, events, summary.

``sim.run`` returns a :class:`RunResult`; :func:`save_run` writes it to a directory and :func:`load_run`
reads one back into the same object, so any metric can be computed later on stored logs without running
again. Every file is written atomically; a run directory is only complete once ``meta.json`` exists.
"""

from __future__ import annotations

import json
import math
import platform
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from sim import metrics
from sim.config import Scenario, ScenarioError, read_toml, scenario_from_mapping, scenario_to_toml
from sim.core.events import SCHEMA_VERSION, content_hash
from sim.engine import simulate
from sim.model.strategy import policy_as_dict, resolve_policy
from sim.store.files import atomic_write_bytes
from sim.store.parquet import read_events, write_events

VERSION = "0.1.0"


@dataclass
class RunResult:
    """One run: its scenario, seed, event log and wall time; every figure is computed from ``events``."""

    scenario: Scenario
    seed: int
    events: pl.DataFrame
    wall_seconds: float = 0.0
    _summary: dict[str, Any] | None = field(default=None, repr=False)

    def summary(self) -> dict[str, Any]:
        """Headline figures (see :func:`sim.metrics.summary`), computed once."""
        if self._summary is None:
            self._summary = metrics.summary(self.events)
        return self._summary

    def content_hash(self) -> str:
        """Hash of the event log's values: same scenario and seed, same hash."""
        return content_hash(self.events)

    def meta(self) -> dict[str, Any]:
        """What ``meta.json`` records: seed, versions, wall time, event count, the resolved policy."""
        import numpy
        import simpy

        return {
            "salesim_version": VERSION,
            "schema_version": SCHEMA_VERSION,
            "seed": self.seed,
            "scenario": self.scenario.name,
            "strategy": self.scenario.strategy.preset,
            "policy": policy_as_dict(resolve_policy(self.scenario.strategy)),
            "events": self.events.height,
            "events_sha256": self.content_hash(),
            "wall_seconds": round(self.wall_seconds, 3),
            "python": platform.python_version(),
            "simpy": simpy.__version__,
            "numpy": numpy.__version__,
            "polars": pl.__version__,
        }


def run(scenario: Scenario, seed: int | None = None) -> RunResult:
    """Run a scenario (with its own seed unless one is given) and return the result."""
    chosen = scenario.seed if seed is None else seed
    started = time.perf_counter()
    events, _ = simulate(scenario, chosen)
    return RunResult(
        scenario=scenario, seed=chosen, events=events, wall_seconds=time.perf_counter() - started
    )


def _json_default(value: Any) -> Any:
    raise TypeError(f"cannot serialise {type(value).__name__}")


def to_json(data: Any) -> bytes:
    """JSON with NaN written as null (so any JSON reader can load it)."""

    def clean(v: Any) -> Any:
        if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
            return None
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [clean(x) for x in v]
        return v

    return (json.dumps(clean(data), indent=2, sort_keys=True, default=_json_default) + "\n").encode()


def save_run(result: RunResult, directory: str | Path) -> Path:
    """Write a self-describing run directory; ``meta.json`` goes last and marks it complete."""
    out = Path(directory)
    fresh = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
        scenario = result.scenario.model_copy(update={"seed": result.seed})
        atomic_write_bytes(out / "scenario.toml", scenario_to_toml(scenario).encode())
        write_events(result.events, out / "events.parquet")
        atomic_write_bytes(out / "summary.json", to_json(result.summary()))
        atomic_write_bytes(out / "meta.json", to_json(result.meta()))
    except BaseException:
        if fresh:
            shutil.rmtree(out, ignore_errors=True)
        raise
    return out


class RunDirError(ValueError):
    """A directory that is not a complete run directory."""


def load_run(directory: str | Path) -> RunResult:
    """Read a run directory back into the :class:`RunResult` that ``sim.run`` returned."""
    d = Path(directory)
    if not (d / "meta.json").exists():
        raise RunDirError(f"{d}: not a complete run directory (no meta.json)")
    try:
        meta = json.loads((d / "meta.json").read_text())
        seed = int(meta["seed"])
        wall = float(meta.get("wall_seconds", 0.0))
    except (ValueError, KeyError, TypeError, OSError) as exc:
        raise RunDirError(f"{d / 'meta.json'}: unreadable or incomplete run metadata ({exc!r})") from None
    try:
        scenario = scenario_from_mapping(read_toml(d / "scenario.toml"), str(d / "scenario.toml"))
    except ScenarioError as exc:
        raise RunDirError(str(exc)) from None
    events = read_events(d / "events.parquet")
    return RunResult(
        scenario=scenario,
        seed=seed,
        events=events,
        wall_seconds=wall,
    )
