"""The engine's housekeeping: a finished run is freed at once, and the log refuses what it cannot store faithfully."""

from __future__ import annotations

import gc
import subprocess
import sys
import weakref
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import small_scenario

from sim.core.events import FRAME_SCHEMA, Batch, EventLog, content_hash
from sim.core.kinds import ContactMade, QualificationScored, RunEnded
from sim.engine import World, event_log, simulate
from sim.model.market_draw import generate_market


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
        assert events.height > 0 and state.events == events.height
        assert len(worlds) == 1
        assert worlds[0]() is None, "the world outlived its run"
    finally:
        gc.enable()


def test_the_log_alone_is_the_same_log_built_after_the_world_is_gone() -> None:
    """``event_log`` (what ``sim.run`` keeps) lets the world go and frees each buffer as its column is built,
    to keep a large run's peak down; the frame must be the one ``simulate`` builds with everything held."""
    scenario = small_scenario()
    kept, _ = simulate(scenario, 3)
    alone = event_log(scenario, 3)
    assert dict(alone.schema) == {name: dtype() for name, dtype in FRAME_SCHEMA.items()}
    assert alone.equals(kept) and content_hash(alone) == content_hash(kept)


def test_nothing_is_added_to_the_world_after_it_is_made() -> None:
    """Every part of the world (the market, the reps' hours, where each seat prospects) is made with it: a
    mechanism owns its state from the start instead of the engine hanging it on the world later."""
    scenario = small_scenario()
    made = World(scenario, 1, generate_market(scenario, 1))
    during: dict[str, object] = {}
    simulate(scenario, 1, checkpoints={30.0: lambda world: during.update(vars(world))})
    assert set(during) == set(vars(made))
    assert made.targeting and made.hours.work_queue == {}


def test_a_taken_log_is_empty_and_takes_no_more_events() -> None:
    log = _log()
    log.emit(RunEnded(day=1.0))
    assert log.take_frame().height == 1
    assert len(log) == 0 and log.to_frame().height == 0
    log.detach()
    with pytest.raises(RuntimeError, match="detached"):
        log.emit(RunEnded(day=1.0))


def test_taking_a_log_frees_its_buffers_without_the_cycle_collector() -> None:
    """A large run's frame is built a column at a time, each buffer freed once its column exists (the memory
    benchmark's peak). The per-class writers hold the buffers too; nothing may keep them alive in a cycle."""
    log = _log()
    log.emit(ContactMade(rep=0, account=1, contact=2, segment="smb", title="vp", hours=1.0, reason="x"))
    hours = weakref.ref(log._fields["hours"].rows)
    reps = weakref.ref(log._rep)
    gc.collect()
    gc.disable()
    try:
        assert log.take_frame()["hours"].to_list() == [1.0]
        assert hours() is None and reps() is None, "a taken log's buffers outlived it"
    finally:
        gc.enable()


def _log() -> EventLog:
    """A log outside any run: its clock stands at day 0 and nothing folds its events."""
    return EventLog(clock=lambda: 0.0, sink=lambda *event: None)


def test_a_payload_of_the_wrong_type_fails_instead_of_being_converted() -> None:
    """A float test score or a numeric segment would be silently coerced by a lenient reader, and the stored
    log would then disagree with the live fold; the log refuses it the moment it is emitted."""
    log = _log()
    scored: dict[str, Any] = {
        "rep": 0,
        "account": 1,
        "contact": 2,
        "answers": "10111",
        "opp_type": "prospect",
    }
    with pytest.raises(TypeError):
        log.emit(QualificationScored(**scored, score=3.7))  # type: ignore[arg-type]
    contact: dict[str, Any] = {"rep": 0, "account": 1, "contact": 2, "title": "vp", "reason": "outbound"}
    with pytest.raises(TypeError):
        log.emit(ContactMade(**contact, segment=3, hours=1.0))  # type: ignore[arg-type]
    with pytest.raises(TypeError):  # a misspelt field: mypy says so, and so does the class at run time
        ContactMade(**contact, segmnet="smb", hours=1.0)  # type: ignore[call-arg]
    fine = _log()
    fine.emit(QualificationScored(**scored, score=3))
    fine.emit(ContactMade(**contact, hours=1, segment="smb"))
    with pytest.raises(TypeError):  # refused after its first field was taken: the log stays whole
        fine.emit(ContactMade(**contact, hours=1.5, segment=7))  # type: ignore[arg-type]
    frame = fine.to_frame()
    assert frame["score"].to_list() == [3, None] and frame["hours"].to_list() == [None, 1.0]


def test_a_batch_source_that_builds_the_wrong_number_of_rows_is_caught() -> None:
    log = _log()
    log.batch_source(lambda logged: Batch(np.zeros(0, dtype=np.int64), {}))
    log.log_batch(1, 2)
    with pytest.raises(RuntimeError, match="built 0 rows for 2 logged"):
        log.to_frame()


@pytest.mark.parametrize(
    ("args", "expected"),
    [(["--days", "-5"], "--days: -5 must be positive"), (["--repeat", "x"], "--repeat: 'x' is not a number")],
)
def test_benchmark_refuses_bad_arguments(args: list[str], expected: str) -> None:
    script = Path(__file__).resolve().parent.parent / "benchmarks" / "engine.py"
    result = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert expected in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (["-m", "sim.tools.breakeven", "--seeds", "0"], "--seeds: 0 must be positive"),
        (["-m", "sim.tools.breakeven", "--workers", "two"], "--workers: 'two' is not a number"),
        (["-m", "sim.tools.findings", "--replications", "-3"], "--replications: -3 must be positive"),
        (
            [str(Path(__file__).resolve().parent.parent / "benchmarks" / "demo.py"), "--repeat", "0"],
            "must be positive",
        ),
    ],
)
def test_scripts_refuse_bad_counts_before_running(command: list[str], expected: str) -> None:
    result = subprocess.run([sys.executable, *command], capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert expected in result.stderr and "Traceback" not in result.stderr
