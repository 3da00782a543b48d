"""Provenance: which salesim, commit, Python, packages and command wrote a file.

:func:`provenance` builds the record once per process (the git commit and package versions do not change
while it runs); the command line is read on each call, since ``salesim`` names itself after import. It goes
in ``meta.json``, ``compare.json``, ``experiment.json`` and, as ``salesim.provenance`` (JSON), in the key-value
metadata of every Parquet file salesim writes, never in a hashed value.
"""

from __future__ import annotations

import functools
import json
import platform
import shlex
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

PARQUET_KEY = "salesim.provenance"
PACKAGES = ("simpy", "numpy", "polars", "pyarrow", "plotly", "dash", "pydantic", "SALib")
PYTHON_API = "python API"
VERSION = "0.1.0"
"""salesim's version (``sim.__version__`` and pyproject say the same)."""

_command: str | None = None


def record_command(argv: list[str]) -> None:
    """Name the command line this process runs (the ``salesim`` entry point calls it)."""
    global _command
    _command = shlex.join(["salesim", *argv[1:]])


def command_line() -> str:
    """The command that is running: ``salesim ...`` for the command line (also in its spawned workers, which
    inherit ``sys.argv``), ``python API`` when salesim is called from Python."""
    if _command is not None:
        return _command
    first = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    if first == "salesim" or sys.argv[0].replace("\\", "/").endswith("sim/__main__.py"):
        return shlex.join(["salesim", *sys.argv[1:]])
    return PYTHON_API


def _git_commit(root: Path) -> str | None:
    """``git rev-parse HEAD`` of the source tree when it is a checkout; None otherwise (or without git)."""
    if not (root / ".git").exists():
        return None
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = done.stdout.strip()
    return commit if done.returncode == 0 and len(commit) == 40 else None


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


@functools.cache
def _fixed() -> dict[str, Any]:
    record: dict[str, Any] = {"salesim_version": VERSION}
    commit = _git_commit(Path(__file__).resolve().parents[2])
    if commit is not None:
        record["git_commit"] = commit
    record["python"] = platform.python_version()
    record["packages"] = {name: v for name in PACKAGES if (v := _version(name)) is not None}
    return record


def provenance() -> dict[str, Any]:
    """salesim version, git commit (when the source is a checkout), Python and key package versions, and the
    command line."""
    return {**_fixed(), "command": command_line()}


def parquet_metadata(command: bool = True) -> dict[str, str]:
    """The key-value metadata every Parquet file salesim writes carries. An event log's leaves the command out
    (its run's ``meta.json`` has it): the same scenario and seed then write the same bytes wherever they go."""
    record = provenance() if command else _fixed()
    return {PARQUET_KEY: json.dumps(record, sort_keys=True)}


def read_parquet_provenance(path: Path) -> dict[str, Any] | None:
    """The provenance a Parquet file carries, or None for one written before salesim recorded it."""
    import pyarrow.parquet as pq

    raw = (pq.read_metadata(path).metadata or {}).get(PARQUET_KEY.encode())
    if raw is None:
        return None
    value = json.loads(raw)
    return value if isinstance(value, dict) else None


__all__ = [
    "PARQUET_KEY",
    "PYTHON_API",
    "VERSION",
    "command_line",
    "parquet_metadata",
    "provenance",
    "read_parquet_provenance",
    "record_command",
]
