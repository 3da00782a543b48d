"""Experiment directories: the one place that knows their files, and writes and reads them.

An experiment directory is filled in place, run by run, so that a killed experiment can be resumed; every
file in it is written whole or not at all (:func:`~sim.store.files.atomic_write_bytes`):

- ``experiment.json``: the validated experiment, its digest and the replications asked for so far (written
  after ``design.parquet``, so a directory with it has its design);
- ``design.parquet``: one row per design point: its factors' values and the overrides that make it;
- ``runs/a<attempt>-b<batch>.parquet``: written by the worker that ran the batch, one row per run: point,
  replication, seed, status (``done`` / ``failed``), error text, the event log's hash and the kept figures.
  A run rerun by a later attempt (``--retry-failed``) is read from the latest attempt only;
- ``manifest.parquet``: every run of the design with its factors, seed, status (``pending`` / ``done`` /
  ``failed``) and error, rewritten by the parent as batches finish (a snapshot; ``runs/`` is the truth);
- ``events/p<point>-r<replication>/``: each run's own run directory, when the experiment keeps events;
- ``results.parquet``: the tidy table ``salesim experiment summarize`` writes: one row per run of the design
  with every factor (named as in ``design.parquet``), point, replication, seed, status and every kept figure
  (named as in a run's ``summary.json``); what :func:`sim.experiment` returns;
- ``summary/``: the tables ``salesim experiment summarize`` computes.

Readers scan ``runs/`` lazily, so summarising a million runs holds the summary in memory, not the runs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import polars as pl

from sim.store.files import StoreError, atomic_write_bytes, os_failure, read_json_object, to_json
from sim.store.parquet import read_table, write_table
from sim.store.provenance import provenance

EXPERIMENT_FILE = "experiment.json"
DESIGN_FILE = "design.parquet"
RUNS_FOLDER = "runs"
MANIFEST_FILE = "manifest.parquet"
EVENTS_FOLDER = "events"
SUMMARY_FOLDER = "summary"
RESULTS_FILE = "results.parquet"

RUN_KEY = ["point", "replication"]
STATUSES = ("pending", "done", "failed")


def is_experiment_dir(directory: Path) -> bool:
    """Whether a directory holds an experiment (its ``experiment.json``)."""
    return (directory / EXPERIMENT_FILE).exists()


def run_events_dir(directory: Path, point: int, replication: int) -> Path:
    """Where an experiment keeps one run's own run directory (when it keeps events)."""
    return directory / EVENTS_FOLDER / f"p{point:06d}-r{replication:05d}"


def _mkdir(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise os_failure(path, "create the folder", exc) from None


def open_experiment(directory: Path, description: dict[str, Any], design: pl.DataFrame) -> dict[str, Any]:
    """Start an experiment in ``directory``, or check that the one there is the same experiment.

    A new or empty directory gets ``design.parquet`` then ``experiment.json``. A directory holding an
    experiment must hold this one (same digest); its ``replications`` are raised to the description's if
    more are asked for now. Anything else is refused. Returns the description as stored.
    """
    if is_experiment_dir(directory):
        stored = read_experiment_info(directory)
        if stored.get("digest") != description["digest"]:
            asked = description.get("asked")
            if stored.get("name") == description.get("name") and asked and stored.get("asked") != asked:
                raise StoreError(
                    f"{directory} holds {stored.get('name')} with {_asked(stored)}; this run asks for "
                    f"{_asked(description)}; rerun with the stored values, or choose another --out"
                )
            raise StoreError(
                f"{directory}: holds another experiment ({stored.get('name')!r}, a different design or settings); "
                "choose another --out, or rerun the same file to resume it"
            )
        if int(description["replications"]) > int(stored.get("replications", 0)):
            stored = {**stored, "replications": int(description["replications"])}
            atomic_write_bytes(directory / EXPERIMENT_FILE, to_json(stored))
        return stored
    if directory.exists():
        try:
            leftovers = [e.name for e in os.scandir(directory) if not e.name.startswith(".")]
        except OSError as exc:
            raise os_failure(directory, "read the folder", exc) from None
        if leftovers:
            raise StoreError(
                f"{directory}: exists, is not empty and holds no experiment; choose another --out"
            )
    _mkdir(directory / RUNS_FOLDER)
    write_table(design, directory / DESIGN_FILE)
    description = {**description, "provenance": provenance()}
    atomic_write_bytes(directory / EXPERIMENT_FILE, to_json(description))
    return description


def _asked(description: dict[str, Any]) -> str:
    """``20 replications and no --set``: what a description's command line asked for."""
    asked = description.get("asked") or {}
    replications = asked.get("replications") or (description.get("experiment") or {}).get("replications")
    settings = asked.get("set") or []
    flags = " ".join(f"--set {o}" for o in settings) if settings else "no --set"
    return f"{replications} replications and {flags}"


def set_replications(directory: Path, replications: int) -> None:
    """Record that the experiment now asks for ``replications`` per point (an adaptive run added some)."""
    info = read_experiment_info(directory)
    atomic_write_bytes(directory / EXPERIMENT_FILE, to_json({**info, "replications": replications}))


def read_experiment_info(directory: Path) -> dict[str, Any]:
    """The experiment's description (``experiment.json``)."""
    if not is_experiment_dir(directory):
        raise StoreError(f"{directory}: not an experiment directory (no {EXPERIMENT_FILE})")
    return read_json_object(directory / EXPERIMENT_FILE)


def read_design(directory: Path) -> pl.DataFrame:
    """The design points (``design.parquet``)."""
    return read_table(directory / DESIGN_FILE)


def batch_path(directory: Path, attempt: int, batch: int) -> Path:
    """The file a worker writes for one batch of one attempt."""
    return directory / RUNS_FOLDER / f"a{attempt:04d}-b{batch:06d}.parquet"


def write_batch(directory: Path, attempt: int, batch: int, rows: pl.DataFrame) -> None:
    """Write one batch's run rows (called in the worker that ran them), whole or not at all."""
    write_table(
        rows.with_columns(pl.lit(attempt, dtype=pl.Int64).alias("attempt")),
        batch_path(directory, attempt, batch),
    )


def batch_files(directory: Path) -> list[Path]:
    """Every finished batch file (temporaries of a killed writer are hidden and not listed)."""
    folder = directory / RUNS_FOLDER
    try:
        return sorted(
            folder / e.name
            for e in os.scandir(folder)
            if e.name.endswith(".parquet") and not e.name.startswith(".")
        )
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise os_failure(folder, "read the folder", exc) from None


def next_attempt(directory: Path) -> int:
    """The number of the next attempt: one more than any attempt on disk."""
    attempts = [int(p.name[1:5]) for p in batch_files(directory)]
    return max(attempts, default=0) + 1


def scan_results(directory: Path) -> pl.LazyFrame | None:
    """Every finished run, lazily, one row per (point, replication): a run rerun by a later attempt is read
    from that attempt. None before any batch has finished."""
    files = batch_files(directory)
    if not files:
        return None
    try:
        scan = pl.scan_parquet(files)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise StoreError(
            f"{directory / RUNS_FOLDER}: cannot read the run files: {exc}".splitlines()[0]
        ) from None
    return scan.sort([*RUN_KEY, "attempt"]).unique(subset=RUN_KEY, keep="last", maintain_order=True)


def write_manifest(directory: Path, manifest: pl.DataFrame) -> None:
    """Replace ``manifest.parquet`` with a new snapshot."""
    write_table(manifest, directory / MANIFEST_FILE)


def write_results(directory: Path, results: pl.DataFrame) -> Path:
    """Replace ``results.parquet`` (one row per run, every factor and figure a column), whole or not at all."""
    path = directory / RESULTS_FILE
    write_table(results, path)
    return path


def write_summary(directory: Path, tables: dict[str, pl.DataFrame]) -> list[Path]:
    """Write the summary tables (``summary/<name>.parquet``); returns their paths."""
    folder = directory / SUMMARY_FOLDER
    _mkdir(folder)
    paths = []
    for name, table in tables.items():
        path = folder / f"{name}.parquet"
        write_table(table, path)
        paths.append(path)
    return paths
