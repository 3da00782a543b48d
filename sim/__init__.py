"""salesim: an event-sourced simulator of IT and professional-services sales cycles.

import sim
res = sim.run(sim.load_scenario("scenarios/baseline.toml"), seed=1)
res.events          # the append-only event log (polars)
res.summary()       # headline figures, all computed from the log
sim.compare(scenario, ["control=numbers-game", "walk60=numbers-game:strategy.walk_away_days=60"], 10)
sim.experiment("walk_away_sweep", out="runs/walk")   # one row per run, every factor a column

The public names load on first use (PEP 562), so ``import sim.metrics`` or ``import sim.viz`` does not pull
in the engine and the model.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim import metrics
    from sim.config import Scenario, ScenarioError, load_scenario
    from sim.core.state import State, replay
    from sim.results import RunResult, load_run, run, save_run
    from sim.study import experiment
    from sim.study.comparison import compare, compare_table

#: Where each public name lives; imported when first asked for.
_HOMES: dict[str, str] = {
    "RunResult": "sim.results",
    "Scenario": "sim.config",
    "ScenarioError": "sim.config",
    "State": "sim.core.state",
    "compare": "sim.study.comparison",
    "compare_table": "sim.study.comparison",
    "experiment": "sim.study",
    "load_run": "sim.results",
    "load_scenario": "sim.config",
    "replay": "sim.core.state",
    "run": "sim.results",
    "save_run": "sim.results",
}

__all__ = [
    "RunResult",
    "Scenario",
    "ScenarioError",
    "State",
    "compare",
    "compare_table",
    "experiment",
    "load_run",
    "load_scenario",
    "metrics",
    "replay",
    "run",
    "save_run",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """Import a public name from its home module the first time it is used."""
    if name == "metrics":
        return importlib.import_module("sim.metrics")
    if name in _HOMES:
        value = getattr(importlib.import_module(_HOMES[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
