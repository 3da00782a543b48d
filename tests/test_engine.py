"""The engine's housekeeping: a finished run leaves nothing behind for the garbage collector to find."""

from __future__ import annotations

import gc
import weakref

from conftest import small_scenario

from sim.engine import World, simulate


def test_a_finished_run_is_freed_without_the_cycle_collector() -> None:
    """Researchers run thousands of replications in one worker: each run's world must go when dropped.

    Processes still waiting at the horizon hold the world through their frames; the engine ends them, so
    reference counting alone frees the world (and its log and state) the moment the run returns.
    """
    worlds: list[weakref.ref[World]] = []
    gc.collect()
    gc.disable()
    try:
        events, state = simulate(
            small_scenario(), 1, checkpoints={50.5: lambda w: worlds.append(weakref.ref(w))}
        )
        assert events.height > 0 and state.ended
        assert len(worlds) == 1
        assert worlds[0]() is None, "the world outlived its run"
    finally:
        gc.enable()
