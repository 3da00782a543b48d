"""Comparison and demo directories: the one place that knows their files, and writes and reads them.

A comparison directory holds one run directory per (strategy, replication) at
:func:`~sim.store.runs.replication_dir`, ``runs.parquet`` (one row of headline figures per run),
``comparison.parquet`` (the table) and ``compare.json`` (what was compared), written last. A demo directory
holds one comparison per market and ``demo.json`` (title, question and the markets' sub-directories).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from sim.store.files import StoreError, atomic_write_bytes, read_json_object, to_json
from sim.store.parquet import read_table, write_table
from sim.store.runs import is_run_dir, replication_dir

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
    """Write ``runs.parquet``, ``comparison.parquet`` and, last, ``compare.json`` into a comparison directory."""
    write_table(runs, out / RUNS_FILE)
    write_table(table, out / TABLE_FILE)
    atomic_write_bytes(out / COMPARE_FILE, to_json(description))


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
            for strategy, replication in self.runs.select("strategy", "replication").iter_rows()
        ]


def read_comparison(directory: Path) -> StoredComparison:
    """Read a comparison directory, refusing one whose tables or run directories are missing."""
    info = read_json_object(directory / COMPARE_FILE)
    for name in (RUNS_FILE, TABLE_FILE):
        if not (directory / name).exists():
            raise StoreError(f"{directory}: incomplete comparison (no {name})")
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
