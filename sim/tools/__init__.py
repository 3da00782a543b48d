"""Tooling, not the runtime: the generators of the documents in ``docs/`` and helpers for the scripts.

- :mod:`~sim.tools.findings`: ``python -m sim.tools.findings > docs/findings.md``;
- :mod:`~sim.tools.breakeven`: help-them-buy's break-even table in ``docs/model.md``;
- :mod:`~sim.tools.docs`: ``docs/events.md`` from the event declarations;
- :mod:`~sim.tools.room`: a live ``salesim app`` and a simulated room of participants, for the app's load
  test and benchmark;
- :mod:`~sim.tools.argtypes`: argument types shared by these scripts and ``benchmarks/``.

Nothing in the runtime package imports this one.
"""
