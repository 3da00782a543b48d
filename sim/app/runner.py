"""Runs for the app: in a process pool, never in the server's threads, with a cache of pure results.

A Run is a set of *arms* (a resolved scenario each) on the same replication seeds. Each (arm, replication)
is one task of the one runner (:class:`sim.study.runner.Task`, run by :func:`sim.study.runner.run_task`, the
same as a comparison's) on a spawned process pool the runner starts (:func:`sim.study.runner.start_pool`), so
a room of participants keeps every core busy while the web server's threads only wait; the page polls a job's
progress and can cancel it. The pool lives as long as the server, and jobs are joined and cancelled run by
run, so the app submits tasks itself rather than through :func:`sim.study.runner.run_tasks`.

:class:`ResultCache` maps a hash of (resolved arm scenario, seeds) to that arm's figures. It is a cache of
*pure* results, not user state: the same inputs always give the same figures (a run is a function of its
scenario and seed), so two participants who ask for the same thing share one computation and neither can
learn anything from the other's screen. What *is* per participant, a job, is filed under the session that
started it and is invisible to every other session (:meth:`Runner.job` checks the session).

Arms already being computed are joined, not run twice: the control of a scenario, which every participant
runs, is computed once for the whole room.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, Future, wait
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import polars as pl

from sim.config import Scenario
from sim.core.rng import replication_seeds
from sim.study.runner import Row, Task, run_task, start_pool, stop_pool

MAX_APP_REPLICATIONS = 50
"""The most replications a Run asks for: a workshop answer, not a study."""

CACHE_ARMS = 2_048
"""Arms kept in the result cache (an arm's figures are a few kilobytes per replication)."""

CACHE_LOGS = 12
"""Event logs kept for deal stories (a workshop-sized log is a few megabytes)."""

KEEP_JOBS = 4_000
"""Jobs remembered, newest first; an older job's result lives on in the cache under its arms."""

K = TypeVar("K")
V = TypeVar("V")


class RunError(ValueError):
    """A run that failed in a worker; the message is one line for the page."""


class LRU(Generic[K, V]):
    """A bounded, thread-safe least-recently-used mapping."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


@dataclass(frozen=True, slots=True)
class ArmSpec:
    """What one arm runs: the arm's resolved scenario on these seeds, and the hash that names them."""

    scenario: Scenario
    seeds: tuple[int, ...]
    key: str

    @classmethod
    def of(cls, scenario: Scenario, seeds: Sequence[int]) -> ArmSpec:
        payload = json.dumps(
            {"scenario": scenario.model_dump(mode="json"), "seeds": list(seeds)}, sort_keys=True
        ).encode()
        return cls(scenario, tuple(seeds), hashlib.sha256(payload).hexdigest())


def seeds_for(scenario: Scenario, replications: int) -> tuple[int, ...]:
    """The replication seeds every arm of a Run shares (the scenario's own root seed), as ``sim.compare``'s."""
    if not 1 <= replications <= MAX_APP_REPLICATIONS:
        raise RunError(
            f"replications: {replications} is out of range; choose from 1 to {MAX_APP_REPLICATIONS}"
        )
    return tuple(replication_seeds(scenario.seed, replications))


# ---------------------------------------------------------------------------------------------- workers
def warm_up() -> float:
    """Import the model in a fresh worker and run one tiny deal through it, so the first participant's Run
    pays neither for the imports nor for first calls (a first run costs about three times a later one)."""
    from sim.config import load_scenario
    from sim.config.load import SHIPPED_SCENARIOS

    run_task(Task(load_scenario(SHIPPED_SCENARIOS / "stalling_cio.toml"), 1, keep="curve"))
    time.sleep(0.2)  # hold this worker so the next warm-up task lands on another
    return time.time()


# ---------------------------------------------------------------------------------------------- results
@dataclass(frozen=True)
class ArmResult:
    """One arm's figures over its replications (index = replication): the runner's rows, each with its
    ``summary`` and its cumulative bookings curve (``day``, ``cumulative``)."""

    key: str
    rows: tuple[Row, ...]

    def runs(self, label: str, seeds: Sequence[int]) -> list[dict[str, Any]]:
        """Rows of a runs frame, as ``sim.compare`` returns them, under ``label`` in the ``arm`` column."""
        return [
            {"arm": label, "replication": r, "seed": s, **row["summary"]}
            for r, (s, row) in enumerate(zip(seeds, self.rows, strict=True))
        ]

    def revenue(self, label: str) -> pl.DataFrame:
        """Cumulative bookings per replication, tagged as the revenue chart wants."""
        return pl.concat(
            pl.DataFrame({"day": row["day"], "cumulative": row["cumulative"]}).with_columns(
                pl.lit(label).alias("arm"), pl.lit(r).alias("replication")
            )
            for r, row in enumerate(self.rows)
        )


@dataclass
class Job:
    """One request's arms, filed under the session that made it."""

    id: str
    session: str
    arms: tuple[tuple[str, ArmSpec], ...]
    futures: dict[str, list[Future[Row]]]
    started: float = field(default_factory=time.monotonic)
    cancelled: bool = False
    finished: float | None = None

    @property
    def keys(self) -> list[str]:
        return list(dict.fromkeys(spec.key for _, spec in self.arms))

    def progress(self) -> tuple[int, int]:
        """(runs done, runs in all) over the distinct arms."""
        total = sum(len(spec.seeds) for spec in {s.key: s for _, s in self.arms}.values())
        pending = sum(1 for fs in self.futures.values() for f in fs if not f.done())
        return total - pending, total


class Runner:
    """The app's runs: a process pool (created on first use), the result cache and the session-scoped jobs."""

    def __init__(self, workers: int | None = None, executor: Executor | None = None) -> None:
        self._workers = workers or os.cpu_count() or 1
        self._pool: Executor | None = executor
        self._own_pool = executor is None
        self._lock = threading.RLock()
        self.cache: LRU[str, ArmResult] = LRU(CACHE_ARMS)
        self._logs: LRU[tuple[str, int], pl.DataFrame] = LRU(CACHE_LOGS)
        self._inflight: dict[str, list[Future[Row]]] = {}
        self._jobs: OrderedDict[str, Job] = OrderedDict()

    # ----------------------------------------------------------------------------------------- the pool
    @property
    def pool(self) -> Executor:
        with self._lock:
            if self._pool is None:
                self._pool = start_pool(self._workers)
            return self._pool

    def warm(self) -> None:
        """Start every worker now and import the model in it (seconds), before the room arrives."""
        futures = [self.pool.submit(warm_up) for _ in range(self._workers)]
        wait(futures, timeout=60)

    def shutdown(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None and self._own_pool:
            stop_pool(pool)
            pool.shutdown(wait=False, cancel_futures=True)

    # ----------------------------------------------------------------------------------------- jobs
    def _start(self, spec: ArmSpec) -> list[Future[Row]]:
        """Submit an arm's runs, one task per replication (its figures and its bookings curve)."""
        return [
            self.pool.submit(run_task, Task(spec.scenario, s, {"replication": r}, keep="curve"))
            for r, s in enumerate(spec.seeds)
        ]

    def submit(self, session: str, arms: Sequence[tuple[str, ArmSpec]]) -> Job:
        """Start (or join, or find cached) every arm; the job is visible to ``session`` only."""
        futures: dict[str, list[Future[Row]]] = {}
        with self._lock:
            for _, spec in arms:
                if spec.key in futures or self.cache.get(spec.key) is not None:
                    continue
                running = self._inflight.get(spec.key)
                if running is None or any(f.cancelled() for f in running):
                    running = self._start(spec)
                    self._inflight[spec.key] = running
                futures[spec.key] = running
            job = Job(secrets.token_urlsafe(16), session, tuple(arms), futures)
            self._jobs[job.id] = job
            while len(self._jobs) > KEEP_JOBS:
                self._jobs.popitem(last=False)
        return job

    def job(self, session: str, job_id: str | None) -> Job | None:
        """The job ``job_id`` if ``session`` started it; None for anyone else's (or an unknown) job."""
        with self._lock:
            job = self._jobs.get(job_id or "")
        return job if job is not None and secrets.compare_digest(job.session, session) else None

    def wait(self, job: Job, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the job's runs; whether they are all done."""
        pending = [f for fs in job.futures.values() for f in fs]
        if pending:
            wait(pending, timeout=timeout)
        return all(f.done() for f in pending)

    def cancel(self, job: Job) -> None:
        """Stop the job's runs that no other live job shares (runs already started finish and are dropped)."""
        with self._lock:
            job.cancelled = True
            shared = {
                key
                for other in self._jobs.values()
                if other is not job and not other.cancelled and other.finished is None
                for key in other.futures
            }
            for key, fs in job.futures.items():
                if key in shared:
                    continue
                for f in fs:
                    f.cancel()
                if self._inflight.get(key) is fs:
                    del self._inflight[key]

    def results(self, job: Job) -> dict[str, ArmResult]:
        """Every arm's result by key, once all are done; raises :class:`RunError` if a run failed."""
        out: dict[str, ArmResult] = {}
        for key in job.keys:
            cached = self.cache.get(key)
            if cached is None:
                fs = job.futures[key]
                errors = [f.exception() for f in fs if not f.cancelled() and f.exception() is not None]
                if errors:
                    raise RunError(
                        f"a run failed: {str(errors[0]).splitlines()[0] if str(errors[0]) else type(errors[0]).__name__}"
                    )
                cached = ArmResult(key, tuple(f.result() for f in fs))
                self.cache.put(key, cached)
                with self._lock:
                    if self._inflight.get(key) is fs:
                        del self._inflight[key]
            out[key] = cached
        job.finished = job.finished or time.monotonic()
        return out

    def cached(self, spec: ArmSpec) -> ArmResult | None:
        """An arm's result if the cache has it, or its runs have all finished (then it is cached)."""
        hit = self.cache.get(spec.key)
        if hit is not None:
            return hit
        with self._lock:
            fs = self._inflight.get(spec.key)
        if fs is None or not all(f.done() for f in fs) or any(f.cancelled() or f.exception() for f in fs):
            return None
        result = ArmResult(spec.key, tuple(f.result() for f in fs))
        self.cache.put(spec.key, result)
        with self._lock:
            if self._inflight.get(spec.key) is fs:
                del self._inflight[spec.key]
        return result

    def ensure(self, spec: ArmSpec) -> None:
        """Start an arm's runs unless they are cached or running (the board asks without waiting)."""
        with self._lock:
            if self.cache.get(spec.key) is not None:
                return
            running = self._inflight.get(spec.key)
            if running is not None and not any(f.cancelled() for f in running):
                return
            self._inflight[spec.key] = self._start(spec)

    def failed(self, spec: ArmSpec) -> str | None:
        """Why an arm's runs failed, if they did."""
        with self._lock:
            fs = self._inflight.get(spec.key) or []
        for f in fs:
            if f.done() and not f.cancelled() and f.exception() is not None:
                return str(f.exception()).splitlines()[0] if str(f.exception()) else "a run failed"
        return None

    def log(self, spec: ArmSpec, replication: int = 0, timeout: float = 60.0) -> pl.DataFrame:
        """One replication's event log (for a deal story), run in the pool and kept in a small cache."""
        key = (spec.key, replication)
        hit = self._logs.get(key)
        if hit is not None:
            return hit
        task = Task(spec.scenario, spec.seeds[replication], keep="log")
        events: pl.DataFrame = self.pool.submit(run_task, task).result(timeout=timeout)["log"]
        self._logs.put(key, events)
        return events

    def jobs(self) -> Iterator[Job]:
        with self._lock:
            yield from list(self._jobs.values())
