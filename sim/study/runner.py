"""The one runner: (scenario, seed) tasks in, their rows out, serially, on a process pool or on Dask.

Everything that runs many simulations is a client of this module: a comparison (:mod:`sim.study.comparison`,
a design with one lever, the arm), an experiment (:mod:`sim.study.experiments`, batches its workers write to
files), the workshop app's runs (:mod:`sim.app.runner`), the break-even sweep and the findings generator. So
there is one task type (:class:`Task`), one function that runs it in a worker (:func:`run_task`), one way to
say where the runs go (:class:`Execution`) and one place that starts and sets up worker processes: this
module is the only one that creates a process pool or a Dask cluster. Seeds are each client's
business, and each takes them from :func:`sim.core.rng.replication_seeds`.

Where the runs go (:func:`workers_for`): any ``concurrent.futures.Executor`` given; a Dask cluster (a
``LocalCluster`` on this machine, or a scheduler's ``tcp://`` address, whose workers must see any directory
the tasks write to); serially in this process (one worker, or one run); else a local process pool.

Pools are *spawned*, not forked: forking a process whose polars thread pool is running can deadlock the child.
A spawned worker starts by importing the script that started it; a script that calls :func:`sim.compare` at
its top level, outside ``if __name__ == "__main__":``, would start the comparison again inside every worker,
which Python refuses, and the pool breaks. :func:`check_main_guard` spots that before a process starts and
says so in one line instead of a ``BrokenProcessPool`` traceback. Pool workers exit when the process that
started them dies (:func:`die_with_parent`), so a killed comparison or experiment leaves no workers behind.
"""

from __future__ import annotations

import ast
import multiprocessing
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sim.config import Scenario, apply_overrides, scenario_from_mapping

MAX_WORKERS = 256
"""The most worker processes a comparison or an experiment starts."""

MAX_ERROR_CHARS = 500
"""The longest error text a failed run records."""

PARENT_POLL_SECONDS = 0.25
"""How often a pool worker checks that the process that started it is alive."""

WORKER_THREADS_VARIABLE = "POLARS_MAX_THREADS"
"""polars sizes its thread pool from this variable when it is first imported."""

Progress = Callable[[int, int, int], None]
"""``progress(done, failed, total)``, called as runs finish (done counts the failed too)."""

Row = dict[str, Any]
"""What a task hands back (see :func:`run_task`)."""

Keep = Literal["figures", "curve", "log"]
"""What a task hands back besides its labels, seed and status:

- ``figures``: the headline figures (``summary``), the event count and the log's hash (``events``,
  ``events_sha256``), and the run directory written (``run_dir``), for comparisons and experiments;
- ``curve``: the headline figures and the cumulative bookings curve (``day``, ``cumulative``): kilobytes, not
  the log, for the app's charts;
- ``log``: the event log itself (``log``), for a deal story.
"""


class ExecutionError(ValueError):
    """Runs asked to go somewhere they cannot: workers out of range, a bad cluster address, no Dask."""


class MissingMainGuard(SystemExit):
    """A script starts worker processes from its top level, outside ``if __name__ == "__main__":``.

    A :class:`SystemExit`, so the script stops with this one line on stderr and no traceback.
    """


@dataclass(frozen=True, slots=True)
class Execution:
    """Where and how runs go; one object handed from the command line or the Python API to the runner.

    ``workers=1`` runs serially in this process; otherwise a spawned process pool of ``workers`` processes
    (default: all cores, at most one per run). ``cluster="local"`` (a Dask ``LocalCluster`` of ``workers``
    processes) or ``"tcp://host:port"`` runs on Dask; ``executor`` takes any ``concurrent.futures.Executor``
    (then neither a pool nor a cluster is started). ``progress(done, failed, total)`` is called as runs finish.
    """

    workers: int | None = None
    cluster: str | None = None
    executor: Executor | None = None
    progress: Progress | None = None


def check_execution(execution: Execution) -> None:
    """Workers from 1 to :data:`MAX_WORKERS`; a cluster is ``local`` or a scheduler's address."""
    workers, cluster = execution.workers, execution.cluster
    if workers is not None and not 1 <= workers <= MAX_WORKERS:
        raise ExecutionError(f"--workers {workers}: must be from 1 to {MAX_WORKERS}")
    if cluster is not None and cluster != "local" and not cluster.startswith(("tcp://", "tls://")):
        raise ExecutionError(f"--cluster {cluster!r}: give local or a scheduler address tcp://HOST:PORT")


# ---------------------------------------------------------------------------------------------- tasks
@dataclass(frozen=True, slots=True)
class Recipe:
    """A scenario still to be made in the worker: a base mapping and the overrides of one design point.

    An experiment ships recipes rather than scenarios so that a design point its overrides make invalid fails
    its own runs (recorded, with the error) instead of the whole experiment.
    """

    base: Mapping[str, Any]
    overrides: tuple[str, ...]
    where: str

    def scenario(self) -> Scenario:
        return scenario_from_mapping(
            apply_overrides(dict(self.base), self.overrides, flag=self.where), self.where
        )


@dataclass(frozen=True, slots=True)
class Task:
    """One run: a scenario (or a recipe for one) on one seed; picklable, so any executor can carry it.

    ``labels`` are columns that say which run this is (``arm`` and ``replication``; ``point`` and
    ``replication``) and come back first in its row. ``save_to`` writes the run directory there (replacing what
    an attempt killed earlier left). ``record_failure`` turns an exception into a row with status ``failed``
    and the error text, instead of raising it.
    """

    scenario: Scenario | Recipe
    seed: int
    labels: Mapping[str, Any] = field(default_factory=dict)
    save_to: str | None = None
    keep: Keep = "figures"
    record_failure: bool = False


def error_text(exc: BaseException) -> str:
    """An exception as one line of at most :data:`MAX_ERROR_CHARS` characters."""
    text = " ".join(f"{type(exc).__name__}: {exc}".split())
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 1] + "…"


def run_task(task: Task) -> Row:
    """Run one task (in a worker); its row: labels, ``seed``, ``status``, ``error`` and what it keeps."""
    from sim.results import run, save_run

    row: Row = {**task.labels, "seed": task.seed}
    try:
        scenario = task.scenario if isinstance(task.scenario, Scenario) else task.scenario.scenario()
        result = run(scenario, task.seed)
        if task.keep == "log":
            return {**row, "status": "done", "error": None, "log": result.events}
        summary = result.summary()
        if task.keep == "curve":
            from sim.metrics import revenue_over_time

            revenue = revenue_over_time(result.events)
            return {
                **row,
                "status": "done",
                "error": None,
                "summary": summary,
                "day": revenue["day"].to_list(),
                "cumulative": revenue["cumulative"].to_list(),
            }
        run_dir = None
        if task.save_to is not None:
            target = Path(task.save_to)
            shutil.rmtree(target, ignore_errors=True)  # left by an attempt killed before it was recorded
            target.parent.mkdir(parents=True, exist_ok=True)
            run_dir = str(save_run(result, target))
    except Exception as exc:
        if not task.record_failure:
            raise
        return {**row, "status": "failed", "error": error_text(exc)}
    return {
        **row,
        "status": "done",
        "error": None,
        "events": result.events.height,
        "events_sha256": result.content_hash(),
        "run_dir": run_dir,
        "summary": summary,
    }


@dataclass(frozen=True, slots=True)
class Batch:
    """Tasks sent to a worker together, and what the worker does with their rows.

    Without a ``sink`` the rows travel back; with one, the worker hands them to it (an experiment's writes
    them to a file) and only what it returns travels back, so results stay out of the parent's memory.
    """

    tasks: tuple[Task, ...]
    sink: Callable[[list[Row]], Any] | None = None


def run_batch(batch: Batch) -> Any:
    """Run a batch (in a worker): its rows, or what its sink returns for them."""
    rows = [run_task(task) for task in batch.tasks]
    return rows if batch.sink is None else batch.sink(rows)


# ---------------------------------------------------------------------------------------------- where runs go
@dataclass(frozen=True, slots=True)
class Workers:
    """An executor (``None``: serially, in this process) and how many runs it takes at once."""

    executor: Executor | None
    size: int

    def results(self, batches: Sequence[Batch]) -> Iterator[tuple[int, Any]]:
        """(index, result) of every batch as it finishes."""
        if self.executor is None:
            for i, batch in enumerate(batches):
                yield i, run_batch(batch)
            return
        futures: dict[Future[Any], int] = {
            self.executor.submit(run_batch, batch): i for i, batch in enumerate(batches)
        }
        for future in as_completed(futures):
            yield futures[future], future.result()


@contextmanager
def workers_for(execution: Execution, runs: int, what: str) -> Iterator[Workers]:
    """Where ``runs`` runs go (see the module's docstring); a pool or cluster started here is stopped on leaving,
    at once if the caller fails or is interrupted. ``what`` (``sim.compare``, ``sim.experiment``) names the
    caller in the missing-main-guard message."""
    cores = os.cpu_count() or 1
    if execution.executor is not None:
        yield Workers(execution.executor, execution.workers or cores)
    elif execution.cluster is not None:
        with dask_executor(execution.workers, execution.cluster, what) as (dask, size):
            yield Workers(dask, size)
    elif execution.workers == 1 or runs <= 1:
        yield Workers(None, 1)
    else:
        check_main_guard(what)
        size = max(1, min(execution.workers or cores, runs))
        pool = start_pool(size)
        try:
            yield Workers(pool, size)
        except BaseException:
            stop_pool(pool)
            raise
        finally:
            pool.shutdown(cancel_futures=True)


def run_tasks(tasks: Sequence[Task], execution: Execution, what: str = "sim.compare") -> list[Row]:
    """Every task's row, in the order of ``tasks`` whatever order they finished in (so a parallel run equals
    a serial one); ``execution.progress(done, 0, total)`` as they finish. A task that raises stops the rest."""
    rows: list[Row | None] = [None] * len(tasks)
    with workers_for(execution, len(tasks), what) as workers:
        for done, (i, result) in enumerate(workers.results([Batch((task,)) for task in tasks]), start=1):
            rows[i] = result[0]
            if execution.progress:
                execution.progress(done, 0, len(tasks))
    return [row for row in rows if row is not None]


# ---------------------------------------------------------------------------------------------- worker set-up
def die_with_parent(parent: int) -> None:
    """Pool worker initializer: exit as soon as ``parent`` (the process that started the pool) is gone.

    A parent killed outright (SIGKILL, the OOM killer) cannot shut its pool down; without this its workers
    would finish their runs into a directory nobody will rename and then wait forever for the next task.
    Polling ``getppid`` works wherever the pool runs; the thread is a daemon, so it never keeps a worker alive.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="salesim-parent-watch", daemon=True).start()
    # Ctrl-C reaches the whole process group; the parent stops its workers itself, so they stay quiet.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def one_thread_per_worker() -> None:
    """Give worker processes started from now on one polars thread each (unless the user chose a number).

    A worker is a process per core already; with polars' own pool of a thread per core in each, two workers on
    two cores fight over four threads and an experiment runs barely faster on two workers than on one. Spawned
    workers inherit the environment and import polars after they start, so setting the variable here reaches
    them; this process's polars, imported already, keeps its pool.
    """
    os.environ.setdefault(WORKER_THREADS_VARIABLE, "1")


def start_pool(workers: int) -> ProcessPoolExecutor:
    """A spawned pool of ``workers`` processes that exit when this process dies and ignore Ctrl-C (the app
    keeps one for its lifetime; :func:`workers_for` one per comparison or experiment)."""
    one_thread_per_worker()
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=die_with_parent,
        initargs=(os.getpid(),),
    )


def stop_pool(pool: Executor) -> None:
    """Stop a process pool's runs in progress instead of waiting for them to finish (interrupted, or failed);
    any other executor is left to its owner."""
    if isinstance(pool, ProcessPoolExecutor):
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.terminate()


@contextmanager
def dask_executor(
    workers: int | None, cluster: str, what: str = "sim.experiment"
) -> Iterator[tuple[Executor, int]]:
    """A Dask client's executor: a ``LocalCluster`` of ``workers`` single-threaded processes for ``local``,
    or the scheduler at a ``tcp://host:port`` address."""
    try:
        import logging

        from distributed import Client, LocalCluster
    except ImportError:
        raise ExecutionError(
            "--cluster needs Dask: pip install 'salesim[cluster]' (dask[distributed])"
        ) from None
    if cluster == "local":
        check_main_guard(what)
        one_thread_per_worker()
        size = workers or os.cpu_count() or 1
        local = LocalCluster(
            n_workers=size,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        client = Client(local)
    else:
        try:
            client = Client(cluster, timeout=10)
        except (OSError, TimeoutError) as exc:
            raise ExecutionError(f"--cluster {cluster}: cannot reach the scheduler ({exc})") from None
        local = None
        size = max(1, sum(int(w.get("nthreads", 1)) for w in client.scheduler_info()["workers"].values()))
    try:
        yield client.get_executor(pure=False), size
    finally:
        client.close()
        if local is not None:
            local.close()


def _is_main_guard(node: ast.If) -> bool:
    """Whether ``node`` is ``if __name__ == "__main__":`` (either way round)."""
    if not isinstance(node.test, ast.Compare):
        return False
    test = node.test
    sides = [test.left, *test.comparators]
    names = {s.id for s in sides if isinstance(s, ast.Name)}
    strings = {s.value for s in sides if isinstance(s, ast.Constant)}
    return "__name__" in names and "__main__" in strings and len(test.ops) == 1


def _guarded_lines(source: str) -> list[tuple[int, int]]:
    """The line ranges of a module's ``if __name__ == "__main__":`` blocks."""
    tree = ast.parse(source)
    return [
        (node.lineno, node.end_lineno or node.lineno)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and _is_main_guard(node)
    ]


def unguarded_call_line() -> int | None:
    """The line of the running script's top level that led here, if it is outside a ``__main__`` guard.

    Only a script run from a file is re-imported by spawned workers (``python script.py`` or
    ``python -m module``); an interactive session, ``python -c`` or a notebook is not, and is never refused.
    """
    main = sys.modules.get("__main__")
    filename = getattr(main, "__file__", None)
    if main is None or not filename or not str(filename).endswith(".py"):
        return None
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_globals is main.__dict__ and frame.f_code.co_name == "<module>":
            break
        frame = frame.f_back  # type: ignore[assignment]
    if frame is None:
        return None  # called from a thread, a callback or a function defined elsewhere: not at import time
    line = frame.f_lineno
    try:
        guards = _guarded_lines(Path(filename).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return None
    return None if any(low <= line <= high for low, high in guards) else line


def check_main_guard(what: str) -> None:
    """Stop with one line if ``what`` (``sim.compare``, ``sim.experiment``) was called from a script's top
    level outside ``if __name__ == "__main__":`` and is about to start worker processes."""
    line = unguarded_call_line()
    if line is not None:
        script = getattr(sys.modules["__main__"], "__file__", "the script")
        raise MissingMainGuard(
            f"error: {script}:{line}: {what} starts worker processes, which import this script again; "
            'put the call under `if __name__ == "__main__":` (or pass workers=1 to run in this process)'
        )
