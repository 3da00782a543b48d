"""How fast does the workshop app answer? Prints figures; it is not a test.

1. **CPU per arm.** Each workshop preset's arm (``DEFAULT_REPLICATIONS`` runs with their summaries, as a
   worker computes them), timed in this process: target well under a second of CPU.
2. **One participant.** A Run (control and choice, nothing cached) through a real ``salesim app`` on
   loopback: target under 3 s.
3. **A room.** ``--participants`` (20) press Run at the same moment, each with different levers, so nothing
   is shared between them but the control; the median and 95th-percentile response times, from posting the
   Run to holding the answer: target median under 3 s on this machine. Every participant's answer is checked
   to be their own. This is the worst case: every run is new work for the pool.
4. **A room in an exercise.** The same, but participants choose among four settings (an exercise has the room
   move one lever), so the cache and the joining of runs in flight do their part.

    python benchmarks/app.py
    python benchmarks/app.py --participants 40 --replications 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from sim.app import scenarios as catalogue
from sim.app.levers import Levers
from sim.app.runner import seeds_for
from sim.app.server import DEFAULT_REPLICATIONS
from sim.study.runner import Task, run_task
from sim.tools.argtypes import positive
from sim.tools.room import api, live_server, participant_levers, room

TARGET_CPU_PER_ARM = 1.0
TARGET_SECONDS = 3.0


def cpu_per_arm(replications: int) -> None:
    print(
        f"1. CPU per arm ({replications} replications, as a worker runs them; target well under {TARGET_CPU_PER_ARM:.0f} s)"
    )
    # imports and first-call costs, not counted
    run_task(Task(catalogue.shipped("workshop_stalling_cio"), 1, keep="curve"))
    for name, _ in catalogue.scenario_choices():
        if not name.startswith(catalogue.WORKSHOP_PREFIX):
            continue
        scenario = catalogue.shipped(name)
        started = time.process_time()
        for seed in seeds_for(scenario, replications):
            run_task(Task(scenario, seed, keep="curve"))  # as the app's worker runs it
        cpu = time.process_time() - started
        print(f"   {name:<36} {cpu:5.2f} s CPU an arm, {cpu / replications:5.3f} s a run")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def response_times(times: list[float]) -> str:
    """Median, 95th percentile and slowest response, with the verdict on the median target."""
    median, p95 = statistics.median(times), percentile(times, 0.95)
    verdict = "ok" if median < TARGET_SECONDS else "MISSED"
    return (
        f"median {median:.2f} s, p95 {p95:.2f} s, slowest {max(times):.2f} s "
        f"(target median < {TARGET_SECONDS:.0f} s: {verdict})"
    )


def served(participants: int, replications: int) -> None:
    with tempfile.TemporaryDirectory() as folder, live_server(Path(folder)) as server:
        levers = Levers.of_scenario(catalogue.shipped("workshop_stalling_cio")).to_mapping()
        body = {
            "session": "one",
            "scenario": "workshop_stalling_cio",
            "levers": {**levers, "walk_away_days": 90},
            "replications": replications,
        }
        started = time.perf_counter()
        _, job = api(server.url, "/api/run", body)
        _, answer = api(server.url, f"/api/jobs/{job['job']}?session=one&wait=30")
        seconds = time.perf_counter() - started
        verdict = "ok" if seconds < TARGET_SECONDS and answer["state"] == "done" else "MISSED"
        print(
            f"2. One participant, nothing cached: {seconds:.2f} s ({answer['state']}; target < {TARGET_SECONDS:.0f} s: {verdict})"
        )

        started = time.perf_counter()
        seen = room(server.url, participants, replications=replications)
        wall = time.perf_counter() - started
    times = [s.seconds for s in seen]
    done = sum(s.result.get("state") == "done" for s in seen)
    private = sum(s.others == 404 for s in seen)
    mine = sum(
        s.result.get("state") == "done"
        and s.result["arms"][1]["means"] is not None
        and len({a["key"] for a in s.result["arms"]}) == 2
        for s in seen
    )
    print(
        f"3. {participants} participants at once, {replications} replications an arm, {os.cpu_count()} cores: "
        f"{response_times(times)}, room done in {wall:.2f} s"
    )
    print(
        f"   answered {done}/{participants}; each job private to its session {private}/{participants}; own arms {mine}/{participants}"
    )


def shared_room(participants: int, replications: int, settings: int) -> None:
    """The room as an exercise runs it: everyone moves the same lever, to one of a few values."""
    with tempfile.TemporaryDirectory() as folder, live_server(Path(folder)) as server:
        seen = room(
            server.url, participants, lambda i: participant_levers(i % settings), replications=replications
        )
    times = [s.seconds for s in seen]
    print(
        f"4. {participants} participants at once choosing among {settings} settings (an exercise: everyone moves "
        f"one lever): {response_times(times)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=positive(int), default=20)
    parser.add_argument("--replications", type=positive(int), default=DEFAULT_REPLICATIONS)
    args = parser.parse_args()
    cpu_per_arm(args.replications)
    served(args.participants, args.replications)
    shared_room(args.participants, args.replications, 4)


if __name__ == "__main__":
    main()
