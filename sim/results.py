"""A run's result and its self-describing directory: resolved scenario, meta, events, summary.

``sim.run`` returns a :class:`RunResult`; :func:`save_run` writes it to a directory and :func:`load_run`
reads one back into the same object, so any metric can be computed later on stored logs without running
again. The files themselves are :mod:`sim.store.runs`' business.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

import sim.metrics as metrics
from sim.config import Scenario
from sim.core.events import SCHEMA_VERSION, content_hash
from sim.engine import event_log
from sim.model.strategy import policy_as_dict, resolve_policy
from sim.store.files import to_json
from sim.store.provenance import VERSION, provenance
from sim.store.runs import RunDirError, read_run, write_run


@dataclass
class RunResult:
    """One run: its scenario, seed, event log and wall time; every figure is computed from ``events``."""

    scenario: Scenario
    seed: int
    events: pl.DataFrame
    wall_seconds: float = 0.0
    _summary: dict[str, Any] | None = field(default=None, repr=False)
    _content_hash: str | None = field(default=None, repr=False)

    def summary(self) -> dict[str, Any]:
        """Headline figures (see :func:`sim.metrics.summary`), computed once."""
        if self._summary is None:
            self._summary = metrics.summary(self.events, metrics.CostParameters.from_scenario(self.scenario))
        return self._summary

    def content_hash(self) -> str:
        """Hash of the event log's values: same scenario and seed, same hash (computed once)."""
        if self._content_hash is None:
            self._content_hash = content_hash(self.events)
        return self._content_hash

    def meta(self) -> dict[str, Any]:
        """What ``meta.json`` records: seed, versions and provenance, wall time, event count, the policy."""
        record = provenance()
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
            "python": record["python"],
            **{name: record["packages"].get(name) for name in ("simpy", "numpy", "polars")},
            "provenance": record,
        }


def run(scenario: Scenario, seed: int | None = None) -> RunResult:
    """Run a scenario (with its own seed unless one is given) and return the result."""
    chosen = scenario.seed if seed is None else seed
    started = time.perf_counter()
    events = event_log(scenario, chosen)
    return RunResult(
        scenario=scenario, seed=chosen, events=events, wall_seconds=time.perf_counter() - started
    )


def save_run(result: RunResult, directory: str | Path) -> Path:
    """Write a self-describing run directory, all or nothing (:func:`sim.store.runs.write_run`).

    ``directory`` must be new or empty and not being written by another process; a :class:`StoreError` else.
    """
    scenario = result.scenario.model_copy(update={"seed": result.seed})
    return write_run(directory, scenario, result.events, result.summary(), result.meta())


def load_run(directory: str | Path) -> RunResult:
    """Read a run directory back into the :class:`RunResult` that ``sim.run`` returned.

    The log is verified against ``meta.json`` (hash, event count, columns, schema versions) and the summary
    is computed from it again; a :class:`RunDirError` or ``SchemaError`` for anything that does not match.
    """
    stored = read_run(directory)
    return RunResult(
        scenario=stored.scenario,
        seed=stored.seed,
        events=stored.events,
        wall_seconds=stored.wall_seconds,
        _content_hash=stored.meta["events_sha256"],  # verified against the log by read_run
    )


__all__ = ["VERSION", "RunDirError", "RunResult", "load_run", "run", "save_run", "to_json"]
