"""The simulation's core: the event kinds, the log, the fold that rebuilds state from it, streams and timing.

Nothing here knows a sales mechanism: ``sim.model`` builds the actors on top, ``sim.store`` persists the log.
"""
