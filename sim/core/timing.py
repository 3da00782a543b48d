"""Timeouts that say where they stand among events of the same instant.

SimPy runs the events of one instant by priority, then in the order they were scheduled. A plain ``Timeout``
is NORMAL; the market's day must come before the reps' work of that day, and a checkpoint must come after
everything of its instant, so both need a priority of their own.
"""

from __future__ import annotations

import simpy
from simpy.events import NORMAL, EventPriority

AFTER_ALL = EventPriority(NORMAL + 1)
"""Priority after every event the model schedules (all are URGENT or NORMAL)."""


class PriorityTimeout(simpy.events.Timeout):
    """A ``Timeout`` with a priority of its own.

    ``Timeout.__init__`` always schedules NORMAL, so this sets the attributes it sets and schedules itself, as
    SimPy's own ``Initialize`` does (the reason ``simpy`` is pinned below 5).
    """

    def __init__(self, env: simpy.Environment, delay: float, priority: EventPriority) -> None:
        if delay < 0:
            raise ValueError(f"negative delay {delay}")
        simpy.events.Event.__init__(self, env)
        self._ok = True
        self._value = None
        self._delay = delay
        env.schedule(self, priority, delay)
