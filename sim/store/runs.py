"""Run directories: the one place that knows their files, writes them all or nothing, and verifies them on read.

A run directory holds ``scenario.toml`` (resolved, with its seed), ``events.parquet`` (the log),
``summary.json`` (headline figures, an export for other tools, never read back as truth) and ``meta.json``
(seed, versions, wall time, and what makes the directory checkable: the log's event count and content hash,
its schema version, and the SHA-256 of ``scenario.toml`` and ``summary.json``). The directory is built in a
hidden temporary sibling and renamed into place whole (:mod:`sim.store.directories`).

Reading verifies all of it against each other: a log edited, cut short or re-typed, a summary edited, a
scenario from another run, or a schema version changed is refused in one line. A comparison keeps the run
of each (strategy, replication) at :func:`replication_dir`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from sim.config import MAX_SCENARIO_BYTES, Scenario, ScenarioError, scenario_from_mapping, scenario_to_toml
from sim.core.events import SCHEMA, SCHEMA_VERSION, content_hash, in_memory
from sim.store.directories import staged
from sim.store.files import (
    MAX_JSON_BYTES,
    StoreError,
    atomic_write_bytes,
    digest,
    read_bytes,
    read_json_object,
    to_json,
)
from sim.store.parquet import read_events, write_events

SCENARIO_FILE = "scenario.toml"
EVENTS_FILE = "events.parquet"
SUMMARY_FILE = "summary.json"
META_FILE = "meta.json"
DIGESTED_FILES = {SCENARIO_FILE: MAX_SCENARIO_BYTES, SUMMARY_FILE: MAX_JSON_BYTES}
"""Files whose SHA-256 ``meta.json`` records, and the most bytes read of each (the log is checked by its
content hash instead)."""


class RunDirError(StoreError):
    """A directory that is not a complete, consistent run directory."""


def replication_dir(root: Path, strategy: str, replication: int) -> Path:
    """Where a comparison rooted at ``root`` keeps the run of one strategy and replication."""
    return Path(root) / strategy / f"rep-{replication:03d}"


def is_run_dir(directory: Path) -> bool:
    """Whether a directory holds a run (its ``meta.json``; :func:`read_run` checks the rest)."""
    return (directory / META_FILE).exists()


def write_run(
    directory: str | Path,
    scenario: Scenario,
    events: pl.DataFrame,
    summary: dict[str, Any],
    meta: dict[str, Any],
) -> Path:
    """Write a self-describing run directory, all or nothing; ``meta.json`` records what verifies the rest.

    The output path must be new or an empty directory, and no other process may be writing it.
    """
    out = Path(directory)
    files = {SCENARIO_FILE: scenario_to_toml(scenario).encode(), SUMMARY_FILE: to_json(summary)}
    record = {
        **meta,
        "schema_version": SCHEMA_VERSION,
        "events": events.height,
        "events_sha256": content_hash(events),
        "files": {name: digest(data) for name, data in files.items()},
    }
    with staged(out) as building:
        for name, data in files.items():
            atomic_write_bytes(building / name, data)
        write_events(events, building / EVENTS_FILE)
        atomic_write_bytes(building / META_FILE, to_json(record))
    return out


@dataclass(frozen=True)
class StoredRun:
    """What a run directory holds, verified: the resolved scenario, ``meta.json`` and the event log."""

    directory: Path
    scenario: Scenario
    meta: dict[str, Any]
    seed: int
    wall_seconds: float
    events: pl.DataFrame
    """The log as a run returns it (``FRAME_SCHEMA``), verified as stored."""


def _field(meta: dict[str, Any], name: str, kind: type, path: Path) -> Any:
    value = meta.get(name)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise RunDirError(f"{path}: {name!r} missing or not a {kind.__name__}; the directory is damaged")
    return value


def _mismatch(directory: Path, what: str) -> RunDirError:
    return RunDirError(f"{directory}: {what}")


def verify_log(directory: Path, events: pl.DataFrame, meta: dict[str, Any]) -> None:
    """The log's columns, event count and content hash against the schema and ``meta.json``."""
    expected = {name: dtype() for name, dtype in SCHEMA.items()}
    actual = dict(events.schema)
    if list(actual) != list(expected):
        missing = [name for name in expected if name not in actual]
        extra = [name for name in actual if name not in expected]
        detail = (
            f"missing columns {', '.join(missing)}"
            if missing
            else f"unknown columns {', '.join(extra)}"
            if extra
            else "columns in another order"
        )
        raise _mismatch(directory, f"{EVENTS_FILE} does not match schema version {SCHEMA_VERSION}: {detail}")
    for name, dtype in expected.items():
        if actual[name] != dtype:
            raise _mismatch(
                directory,
                f"{EVENTS_FILE} does not match schema version {SCHEMA_VERSION}: column {name} is "
                f"{actual[name]}, expected {dtype}",
            )
    if events.height != meta["events"]:
        raise _mismatch(
            directory,
            f"{EVENTS_FILE} does not match {META_FILE}: {events.height:,} events, {META_FILE} records "
            f"{meta['events']:,}",
        )
    if content_hash(events) != meta["events_sha256"]:
        raise _mismatch(
            directory, f"{EVENTS_FILE} does not match {META_FILE}: its content hash differs (values changed)"
        )


def read_run(directory: str | Path) -> StoredRun:
    """Read and verify a run directory; a :class:`RunDirError` (or ``SchemaError`` for the log) if it is
    incomplete, damaged or inconsistent."""
    d = Path(directory)
    if not is_run_dir(d):
        raise RunDirError(f"{d}: not a complete run directory (no {META_FILE})")
    meta_path = d / META_FILE
    meta = read_json_object(meta_path)
    seed = _field(meta, "seed", int, meta_path)
    version = _field(meta, "schema_version", int, meta_path)
    if version != SCHEMA_VERSION:
        raise RunDirError(
            f"{meta_path}: schema version {version}, this salesim reads version {SCHEMA_VERSION}; "
            "re-run the scenario with this version"
        )
    _field(meta, "events", int, meta_path)
    _field(meta, "events_sha256", str, meta_path)
    digests = _field(meta, "files", dict, meta_path)
    wall = meta.get("wall_seconds", 0.0)
    wall = float(wall) if isinstance(wall, int | float) else 0.0
    contents: dict[str, bytes] = {}
    for name, limit in DIGESTED_FILES.items():
        contents[name] = read_bytes(d / name, limit)
        if digest(contents[name]) != digests.get(name):
            raise _mismatch(d, f"{name} does not match {META_FILE}: edited, or from another run")
    try:
        raw = tomllib.loads(contents[SCENARIO_FILE].decode("utf-8"))
        scenario = scenario_from_mapping(raw, str(d / SCENARIO_FILE))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RunDirError(f"{d / SCENARIO_FILE}: not valid TOML: {exc}") from None
    except ScenarioError as exc:
        raise RunDirError(str(exc)) from None
    if scenario.seed != seed:
        raise _mismatch(d, f"{SCENARIO_FILE} does not match {META_FILE}: seed {scenario.seed}, not {seed}")
    for field, value in (("scenario", scenario.name), ("strategy", scenario.strategy.preset)):
        if field in meta and meta[field] != value:
            raise _mismatch(
                d, f"{SCENARIO_FILE} does not match {META_FILE}: {field} {value!r}, not {meta[field]!r}"
            )
    events = read_events(d / EVENTS_FILE)
    verify_log(d, events, meta)
    return StoredRun(d, scenario, meta, seed, wall, in_memory(events))
