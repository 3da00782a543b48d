"""The read side never loads the engine: metrics, store and viz import without ``sim.engine`` or ``sim.model``.

``sim/__init__.py`` is lazy (PEP 562), so ``import sim.metrics`` stays cheap and a chart or report cannot
reach into a running simulation.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import sim

SIM = Path(sim.__file__).parent
ENGINE_SIDE = ("sim.engine", "sim.model", "sim.results", "sim.study.comparison")


def loaded_after(statement: str) -> list[str]:
    code = f"import sys; {statement}; print('\\n'.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.split()


@pytest.mark.parametrize(
    "statement",
    ["import sim", "import sim.metrics", "import sim.store.runs, sim.store.outputs", "import sim.viz.report"],
)
def test_the_read_side_imports_without_the_engine_or_the_model(statement: str) -> None:
    modules = loaded_after(statement)
    assert [m for m in modules if m.startswith(("sim.engine", "sim.model"))] == []
    assert "simpy" not in modules


def test_viz_and_store_modules_never_import_the_engine_side() -> None:
    offenders = []
    for path in [
        *(SIM / "viz").rglob("*.py"),
        *(SIM / "store").rglob("*.py"),
        *(SIM / "metrics").rglob("*.py"),
    ]:
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            # ``from sim import run`` reaches the engine through the package's lazy public API.
            offenders += [
                f"{path.relative_to(SIM)}: {n}"
                for n in names
                if n.startswith(ENGINE_SIDE) or n.removeprefix("sim.") in sim._HOMES
            ]
    assert offenders == []


def test_every_public_name_resolves_on_first_use() -> None:
    for name in sim.__all__:
        assert getattr(sim, name) is not None, name
    assert sim.run.__module__ == "sim.results" and sim.metrics.summary.__module__ == "sim.metrics.summary"
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        _ = sim.nonsense  # type: ignore[attr-defined]
