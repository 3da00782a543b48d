"""Output directories: what kind a directory is, claiming a new one, and removing what a failed command made.

Results are never silently mixed: a command writes only into a directory that is new or empty, and removes
what it created if it fails.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sim.store.comparisons import COMPARE_FILE, DEMO_FILE, is_comparison_dir, is_demo_dir
from sim.store.files import StoreError
from sim.store.runs import META_FILE, is_run_dir


def directory_kind(directory: Path) -> str:
    """``run``, ``comparison`` or ``demo``, by the file that marks each complete; a :class:`StoreError` else."""
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
    raise StoreError(
        f"{directory}: not a run, comparison or demo directory (no {META_FILE}, {COMPARE_FILE} or {DEMO_FILE})"
    )


def _taken(path: Path) -> bool:
    return path.exists() and (not path.is_dir() or any(path.iterdir()))


def fresh_output(path: Path) -> Path:
    """Refuse to write into a non-empty existing directory (results are never silently mixed)."""
    if _taken(path):
        raise StoreError(f"{path}: output directory exists and is not empty; choose another --out")
    return path


def first_free_directory(base: Path) -> Path:
    """``base`` if it is new or empty, else the first ``base-2``, ``base-3``, … that is."""
    candidate, n = base, 1
    while _taken(candidate):
        n += 1
        candidate = base.with_name(f"{base.name}-{n}")
    return candidate


def remove_created(directory: Path, existed: bool) -> None:
    """Leave nothing of a failed write: remove the directory if this command made it, else empty it again
    (a directory it was allowed to write into was empty)."""
    if not existed:
        shutil.rmtree(directory, ignore_errors=True)
        return
    for child in directory.iterdir():
        if child.is_dir():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)
