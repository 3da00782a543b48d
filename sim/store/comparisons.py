"""Comparison and demo directories: the one place that knows their files, and writes and reads them.

A comparison directory holds one run directory per (strategy, replication) at
:func:`~sim.store.runs.replication_dir`, ``runs.parquet`` (one row of headline figures per run),
``comparison.parquet`` (the table) and ``compare.json`` (what was compared, and the SHA-256 of both tables),
written last. A demo directory holds one comparison per market and ``demo.json`` (title, question and the
markets' sub-directories). Both are built in a hidden temporary sibling and renamed into place whole
(:func:`sim.store.directories.staged`); reading checks the tables against ``compare.json`` and every run
directory (verified by :func:`~sim.store.runs.read_run`) against its row in ``runs.parquet``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from sim.store.files import StoreError, atomic_write_bytes, digest, read_bytes, read_json_object, to_json
from sim.store.parquet import MAX_PARQUET_BYTES, read_table, write_table
from sim.store.provenance import provenance
from sim.store.runs import StoredRun, is_run_dir, read_run, replication_dir

COMPARE_FILE = "compare.json"
RUNS_FILE = "runs.parquet"
TABLE_FILE = "comparison.parquet"
DEMO_FILE = "demo.json"


def is_comparison_dir(directory: Path) -> bool:
    """Whether a directory holds a comparison (its ``compare.json`` is written last)."""
    return (directory / COMPARE_FILE).exists()


def is_demo_dir(directory: Path) -> bool:
    """Whether a directory holds a demo (its ``demo.json`` is written after its comparisons)."""
    return (directory / DEMO_FILE).exists()


def write_comparison(out: Path, runs: pl.DataFrame, table: pl.DataFrame, description: dict[str, Any]) -> None:
    """Write ``runs.parquet``, ``comparison.parquet`` and, last, ``compare.json`` (with both tables' SHA-256)
    into a comparison directory being built (see :func:`sim.store.directories.staged`)."""
    write_table(runs, out / RUNS_FILE)
    write_table(table, out / TABLE_FILE)
    files = {name: digest((out / name).read_bytes()) for name in (RUNS_FILE, TABLE_FILE)}
    atomic_write_bytes(
        out / COMPARE_FILE, to_json({**description, "files": files, "provenance": provenance()})
    )


@dataclass(frozen=True)
class StoredComparison:
    """What a comparison directory holds: its description, one row per run, and the table."""

    directory: Path
    info: dict[str, Any]
    runs: pl.DataFrame
    table: pl.DataFrame

    def run_dirs(self) -> list[tuple[str, int, Path]]:
        """(strategy, replication, run directory) of every run, in ``runs.parquet`` order."""
        return [
            (strategy, replication, replication_dir(self.directory, strategy, replication))
            for strategy, replication in self.runs.select("arm", "replication").iter_rows()
        ]

    def read_runs(self) -> Iterator[tuple[str, int, StoredRun]]:
        """(strategy, replication, run) of every run, each verified and checked against its row."""
        rows = self.runs.select("arm", "replication", "seed", "events_sha256").iter_rows()
        for strategy, replication, seed, events_sha256 in rows:
            run = read_run(replication_dir(self.directory, strategy, replication))
            if (run.seed, run.meta["events_sha256"]) != (seed, events_sha256):
                raise StoreError(
                    f"{run.directory}: does not match {RUNS_FILE}: the run is from another comparison"
                )
            yield strategy, replication, run


def read_comparison(directory: Path) -> StoredComparison:
    """Read a comparison directory, refusing one whose tables or run directories are missing, or whose tables
    do not match ``compare.json``. Each run's own files are verified as it is read
    (:func:`sim.store.runs.read_run`); :meth:`StoredComparison.check_run` ties it to its row."""
    info = read_json_object(directory / COMPARE_FILE)
    digests = info.get("files")
    if not isinstance(digests, dict):
        raise StoreError(
            f"{directory / COMPARE_FILE}: 'files' missing or not an object; the directory is damaged"
        )
    for name in (RUNS_FILE, TABLE_FILE):
        if not (directory / name).exists():
            raise StoreError(f"{directory}: incomplete comparison (no {name})")
        if digest(read_bytes(directory / name, MAX_PARQUET_BYTES)) != digests.get(name):
            raise StoreError(
                f"{directory}: {name} does not match {COMPARE_FILE}: edited, or from another comparison"
            )
    stored = StoredComparison(
        directory, info, read_table(directory / RUNS_FILE), read_table(directory / TABLE_FILE)
    )
    for _, _, run_dir in stored.run_dirs():
        if not is_run_dir(run_dir):
            raise StoreError(f"{directory}: incomplete comparison (no run {run_dir.relative_to(directory)})")
    return stored


def write_demo(directory: Path, description: dict[str, Any]) -> None:
    """Write ``demo.json``, once every market's comparison is complete."""
    atomic_write_bytes(directory / DEMO_FILE, to_json(description))


def read_demo(directory: Path) -> dict[str, Any]:
    """A demo's description (``demo.json``)."""
    return read_json_object(directory / DEMO_FILE)
