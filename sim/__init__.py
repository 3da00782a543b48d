"""salesim: an event-sourced simulator of IT and professional-services sales cycles.

import sim
res = sim.run(sim.load_scenario("scenarios/baseline.toml"), seed=1)
res.events          # the append-only event log (polars)
res.summary()       # headline figures, all computed from the log
"""

from sim.comparison import compare, compare_table
from sim.config import Scenario, ScenarioError, load_scenario
from sim.core.state import State, replay
from sim.results import RunResult, load_run, run, save_run

__all__ = [
    "RunResult",
    "Scenario",
    "ScenarioError",
    "State",
    "compare",
    "compare_table",
    "load_run",
    "load_scenario",
    "replay",
    "run",
    "save_run",
]
__version__ = "0.1.0"
