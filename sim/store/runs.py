"""Run directories: the one place that knows their files, and writes and reads them.

A run directory holds ``scenario.toml`` (resolved, with its seed), ``events.parquet`` (the log),
``summary.json`` (headline figures, an export for other tools) and ``meta.json`` (seed, versions, wall time,
event count), written in that order: ``meta.json`` goes last and marks the directory complete. A comparison
keeps the run of each (strategy, replication) at :func:`replication_dir`.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from sim.config import Scenario, ScenarioError, read_toml, scenario_from_mapping, scenario_to_toml
from sim.store.files import StoreError, atomic_write_bytes, read_json_object, to_json
from sim.store.parquet import read_events, write_events

SCENARIO_FILE = "scenario.toml"
EVENTS_FILE = "events.parquet"
SUMMARY_FILE = "summary.json"
META_FILE = "meta.json"


class RunDirError(StoreError):
    """A directory that is not a complete run directory."""


def replication_dir(root: Path, strategy: str, replication: int) -> Path:
    """Where a comparison rooted at ``root`` keeps the run of one strategy and replication."""
    return Path(root) / strategy / f"rep-{replication:03d}"


def is_run_dir(directory: Path) -> bool:
    """Whether a directory holds a complete run (its ``meta.json`` is written last)."""
    return (directory / META_FILE).exists()


def write_run(
    directory: str | Path,
    scenario: Scenario,
    events: pl.DataFrame,
    summary: dict[str, Any],
    meta: dict[str, Any],
) -> Path:
    """Write a self-describing run directory; ``meta.json`` goes last and marks it complete.

    A directory this call created is removed again if writing fails.
    """
    out = Path(directory)
    fresh = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(out / SCENARIO_FILE, scenario_to_toml(scenario).encode())
        write_events(events, out / EVENTS_FILE)
        atomic_write_bytes(out / SUMMARY_FILE, to_json(summary))
        atomic_write_bytes(out / META_FILE, to_json(meta))
    except BaseException:
        if fresh:
            shutil.rmtree(out, ignore_errors=True)
        raise
    return out


@dataclass(frozen=True)
class StoredRun:
    """What a run directory holds: the resolved scenario, ``meta.json`` and the event log."""

    directory: Path
    scenario: Scenario
    meta: dict[str, Any]
    seed: int
    wall_seconds: float
    events: pl.DataFrame


def read_run(directory: str | Path) -> StoredRun:
    """Read a complete run directory; a :class:`RunDirError` (or ``SchemaError`` for the log) if it is not."""
    d = Path(directory)
    if not is_run_dir(d):
        raise RunDirError(f"{d}: not a complete run directory (no {META_FILE})")
    try:
        meta = json.loads((d / META_FILE).read_text())
        seed = int(meta["seed"])
        wall = float(meta.get("wall_seconds", 0.0))
    except (ValueError, KeyError, TypeError, OSError) as exc:
        raise RunDirError(f"{d / META_FILE}: unreadable or incomplete run metadata ({exc!r})") from None
    try:
        scenario = scenario_from_mapping(read_toml(d / SCENARIO_FILE), str(d / SCENARIO_FILE))
    except ScenarioError as exc:
        raise RunDirError(str(exc)) from None
    events = read_events(d / EVENTS_FILE)
    return StoredRun(d, scenario, meta, seed, wall, events)


def read_summary(directory: Path) -> dict[str, Any] | None:
    """The run's ``summary.json``, or None if it has none."""
    path = directory / SUMMARY_FILE
    return read_json_object(path) if path.exists() else None
