"""Worker processes for comparisons and experiments: a process pool that dies with its parent, and a clear
message, instead of a ``BrokenProcessPool`` traceback, when a script forgot its ``__main__`` guard.

Pools are *spawned*, not forked: forking a process whose polars thread pool is running can deadlock the child.
A spawned worker starts by importing the script that started it; a script that calls :func:`sim.compare` at
its top level, outside ``if __name__ == "__main__":``, would start the comparison again inside every worker,
which Python refuses, and the pool breaks. :func:`check_main_guard` spots that before a process starts.
"""

from __future__ import annotations

import ast
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

PARENT_POLL_SECONDS = 0.25
"""How often a pool worker checks that the process that started it is alive."""


class MissingMainGuard(SystemExit):
    """A script starts worker processes from its top level, outside ``if __name__ == "__main__":``.

    A :class:`SystemExit`, so the script stops with this one line on stderr and no traceback.
    """


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


WORKER_THREADS_VARIABLE = "POLARS_MAX_THREADS"
"""polars sizes its thread pool from this variable when it is first imported."""


def one_thread_per_worker() -> None:
    """Give worker processes started from now on one polars thread each (unless the user chose a number).

    A worker is a process per core already; with polars' own pool of a thread per core in each, two workers on
    two cores fight over four threads and an experiment runs barely faster on two workers than on one. Spawned
    workers inherit the environment and import polars after they start, so setting the variable here reaches
    them; this process's polars, imported already, keeps its pool.
    """
    os.environ.setdefault(WORKER_THREADS_VARIABLE, "1")


def new_process_pool(workers: int) -> ProcessPoolExecutor:
    """A spawned pool of ``workers`` processes that exit when this process dies and ignore Ctrl-C."""
    one_thread_per_worker()
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=die_with_parent,
        initargs=(os.getpid(),),
    )


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Stop a pool's runs in progress instead of waiting for them to finish (interrupted, or failed)."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()


@contextmanager
def process_pool(
    workers: int | None, tasks: int, executor: Executor | None = None, what: str = "sim.compare"
) -> Iterator[Executor]:
    """``executor`` as given, or a process pool of ``workers`` (default: all cores, at most one per task),
    stopped at once if the caller fails or is interrupted, shut down when done."""
    if executor is not None:
        yield executor
        return
    check_main_guard(what)
    own = new_process_pool(max(1, min(workers or os.cpu_count() or 1, tasks)))
    try:
        yield own
    except BaseException:
        stop_pool(own)
        raise
    finally:
        own.shutdown(cancel_futures=True)
