"""Output directories by kind: what a directory holds, and the first free name for a new one.

Writing one, all or nothing and by one writer at a time, is :mod:`sim.store.directories`' business.
"""

from __future__ import annotations

from pathlib import Path

from sim.store.comparisons import COMPARE_FILE, DEMO_FILE, is_comparison_dir, is_demo_dir
from sim.store.directories import check_free
from sim.store.experiments import EXPERIMENT_FILE, is_experiment_dir
from sim.store.files import StoreError
from sim.store.runs import META_FILE, is_run_dir


def directory_kind(directory: Path) -> str:
    """``run``, ``comparison``, ``demo`` or ``experiment``, by the file that marks each (complete, or for an
    experiment, started: it is filled run by run); a :class:`StoreError` else."""
    if not directory.exists():
        raise StoreError(f"{directory}: no such directory")
    if not directory.is_dir():
        raise StoreError(f"{directory}: not a directory")
    if is_demo_dir(directory):
        return "demo"
    if is_comparison_dir(directory):
        return "comparison"
    if is_run_dir(directory):
        return "run"
    if is_experiment_dir(directory):
        return "experiment"
    raise StoreError(
        f"{directory}: not a run, comparison or demo directory, nor an experiment "
        f"(no {META_FILE}, {COMPARE_FILE}, {DEMO_FILE} or {EXPERIMENT_FILE})"
    )


def _free(path: Path) -> bool:
    try:
        check_free(path)
    except StoreError:
        return False
    return True


def first_free_directory(base: Path) -> Path:
    """``base`` if it is new or empty, else the first ``base-2``, ``base-3``, … that is."""
    candidate, n = base, 1
    while not _free(candidate):
        n += 1
        candidate = base.with_name(f"{base.name}-{n}")
    return candidate
