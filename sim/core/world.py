"""The thin world every actor shares: the clock, the log, the folded state, random streams and ids.

It holds no mechanism. What a rep's hours are, when a quota year starts or how reputation moves lives in the
``sim.model`` module named for it; those modules read and write the world through these few parts.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from sim.config import Scenario
from sim.core import rng
from sim.core.events import EventLog
from sim.core.state import State

Process = Generator[Any, Any, Any]
"""A SimPy process: a generator that yields events to wait on."""


class World:
    """Clock, log, state, streams and id counters of one run.

    Every event emitted on :attr:`log` is folded into :attr:`state` at once, so actors read the state the log
    describes; they never keep a second copy of it.
    """

    def __init__(self, scenario: Scenario, seed: int) -> None:
        self.scenario = scenario
        self.seed = seed
        self.env = simpy.Environment()
        self.state = State()
        env = self.env
        self.log = EventLog(clock=lambda: env.now, sink=self.state.apply)  # no reference back to the world
        self.account_streams = rng.StreamTable(seed, rng.ACCOUNT)
        self.seat_streams = rng.StreamTable(seed, rng.REP)
        self.org_streams = rng.StreamTable(seed, rng.ORG)
        self._processes: list[Process] = []
        self._ids = {"rep": 0, "opp": 0, "contact": 0}

    @property
    def now(self) -> float:
        """Simulated days since the start of the run."""
        return float(self.env.now)

    # -- processes -------------------------------------------------------------------------------------------
    def spawn(self, process: Process) -> None:
        """Start an actor's process (every process of a run starts here, so :meth:`close` can end them)."""
        self._processes.append(process)
        self.env.process(process)

    def close(self) -> None:
        """End the processes still waiting at the horizon, so a finished run is freed as soon as it is dropped.

        A waiting process's frame refers to the world, and the world (through the clock's queue) to the
        process: without this, each run's log and state would wait for a full garbage collection, and a
        worker running thousands of replications would grow by tens of MB a run.
        """
        for process in self._processes:
            process.close()
        self._processes.clear()

    # -- ids ------------------------------------------------------------------------------------------------
    def _next(self, name: str) -> int:
        value = self._ids[name]
        self._ids[name] = value + 1
        return value

    def new_rep_id(self) -> int:
        """A fresh rep id."""
        return self._next("rep")

    def new_opportunity_id(self) -> int:
        """A fresh opportunity id."""
        return self._next("opp")

    def new_contact_id(self) -> int:
        """A fresh contact id."""
        return self._next("contact")
