"""The package's shape, checked on the source: what a new maintainer relies on to find things.

- The top of ``sim/`` holds a handful of modules; everything else lives in a package whose name says what it
  holds (config, core, model, metrics, words, store, study, viz, app, tools).
- One module starts worker processes (a process pool or a Dask cluster): every comparison, experiment, app
  Run and document generator goes through it, so workers are set up (spawned, one polars thread, dying with
  their parent) in one place.

The model's typed events (no ``emit("Kind", ...)`` with the kind as a string) are checked beside the import
rules (``tests/test_import_rules.py``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import sim

ROOT = Path(sim.__file__).parent
SOURCES = {path: ast.parse(path.read_text(), filename=str(path)) for path in sorted(ROOT.rglob("*.py"))}

MAX_TOP_MODULES = 5
"""Modules directly under ``sim/`` besides ``__init__`` and ``__main__``."""

WORKER_STARTERS = frozenset({"ProcessPoolExecutor", "LocalCluster", "get_context", "Process", "Pool"})
"""Calls that start worker processes (concurrent.futures, Dask, multiprocessing)."""


def _called_name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def test_few_modules_at_the_top() -> None:
    top = sorted(p.stem for p in ROOT.glob("*.py") if p.stem not in {"__init__", "__main__"})
    assert len(top) <= MAX_TOP_MODULES, f"{len(top)} modules directly under sim/: {top}"
    packages = sorted(p.name for p in ROOT.iterdir() if (p / "__init__.py").exists())
    assert {"config", "core", "model", "metrics", "words", "store", "study", "viz", "app", "tools"} <= set(
        packages
    ), packages


def test_one_module_starts_worker_processes() -> None:
    starters = sorted(
        str(path.relative_to(ROOT.parent))
        for path, tree in SOURCES.items()
        if any(
            isinstance(node, ast.Call) and _called_name(node) in WORKER_STARTERS for node in ast.walk(tree)
        )
    )
    assert len(starters) == 1, f"modules that start worker processes: {starters}"
