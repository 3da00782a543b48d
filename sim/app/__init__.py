"""The workshop app: what-if runs in the browser, a board for the room, and deal stories in plain words.

``salesim app`` serves it (:func:`sim.app.server.serve`). The modules are layered so that only the server
imports Dash:

- :mod:`~sim.app.levers`: the levers a participant moves, as arm overrides of the chosen scenario;
- :mod:`~sim.app.scenarios`: the scenarios on offer, and uploads checked against workshop-safe limits;
- :mod:`~sim.app.runner`: runs in a process pool, a bounded cache of pure results, session-scoped jobs;
- :mod:`~sim.app.board`: the room's board, the one piece of shared mutable state, explicit and locked;
- :mod:`~sim.app.story`: one deal's events as a timeline a room can step through;
- :mod:`~sim.app.views`: results as Dash components (charts, tables, the board);
- :mod:`~sim.app.server`: the page, its callbacks, a small JSON API and :func:`~sim.app.server.serve`.
"""
