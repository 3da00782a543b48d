"""Timeouts that say where they stand among events of the same instant.

SimPy runs the events of one instant by priority, then in the order they were scheduled. A plain ``Timeout``
is NORMAL. A day has an order: the buyer acts (the market's day comes first), the rep answers, then
decisions fall; and a checkpoint must come after everything of its instant. So the market, the decisions and
the checkpoints each have a priority of their own.
"""

from __future__ import annotations

import simpy
from simpy.events import NORMAL, URGENT, EventPriority

BUYER_FIRST = EventPriority(URGENT - 1)
"""The buyer's happenings of a day: before anything else of that instant."""

MORNING = URGENT
"""The rep's morning: waiting work is served after the buyer's steps and before any other work of the instant."""

DECISIONS = EventPriority(NORMAL + 1)
"""A buyer's decision falls at the end of its day: after the buyer's own steps (URGENT) and the reps' answers
to them (NORMAL) of that same instant."""

AFTER_ALL = EventPriority(NORMAL + 2)
"""Priority after every event the model schedules (URGENT, NORMAL or DECISIONS)."""


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
