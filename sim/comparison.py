"""Strategy comparison: every strategy on the same market draws, replicated, in parallel, with intervals.

Replication *r* gets one seed, spawned from the root seed, and every strategy runs on that seed, so each
replication's strategies face the same accounts, needs and buying windows (common random numbers). Runs are
independent tasks for any ``concurrent.futures.Executor`` (a process pool by default); results are put back
in (strategy, replication) order, so a parallel comparison equals a serial one.

A comparison directory holds one run directory per (strategy, replication), ``runs.parquet`` (one row of
headline figures per run), ``comparison.parquet`` (the table) and ``compare.json`` (what was compared); its
layout is :mod:`sim.store.comparisons`' business. It is built in a hidden temporary sibling and renamed into
place whole, so a comparison killed at any moment leaves nothing behind. Pool workers exit when the process
that started them dies (:func:`die_with_parent`), so a killed comparison leaves no workers either.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from sim.config import Scenario, StrategyConfig, _did_you_mean
from sim.format import strategy_order
from sim.metrics import TABLE_METRICS, display_scale
from sim.model.strategy import PRESETS
from sim.results import run, save_run
from sim.stats import mean_interval, paired_difference
from sim.store import comparisons as store
from sim.store.directories import staged
from sim.store.runs import replication_dir

MAX_REPLICATIONS = 10_000
"""The most replications a comparison runs per strategy (a 95% interval barely narrows after a few hundred)."""

MAX_WORKERS = 256
"""The most worker processes a comparison starts."""

PARENT_POLL_SECONDS = 0.25
"""How often a pool worker checks that the process that started it is alive."""


class StrategyError(ValueError):
    """A comparison asked for wrongly: an unknown strategy, or a count out of range."""


def check_counts(replications: int, workers: int | None) -> None:
    """Replications from 1 to :data:`MAX_REPLICATIONS`; workers (if given) from 1 to :data:`MAX_WORKERS`."""
    if not 1 <= replications <= MAX_REPLICATIONS:
        raise StrategyError(f"--replications {replications}: must be from 1 to {MAX_REPLICATIONS:,}")
    if workers is not None and not 1 <= workers <= MAX_WORKERS:
        raise StrategyError(f"--workers {workers}: must be from 1 to {MAX_WORKERS}")


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


def parse_strategies(text: str | Sequence[str]) -> list[str]:
    """Split and check a strategy list; unknown names are an error naming the valid ones."""
    names = [s.strip() for s in text.split(",")] if isinstance(text, str) else [s.strip() for s in text]
    names = [n for n in names if n]
    if not names:
        raise StrategyError(f"--strategies: give at least one strategy; valid: {', '.join(PRESETS)}")
    for name in names:
        if name not in PRESETS:
            raise StrategyError(
                f"--strategies: unknown strategy {name!r}{_did_you_mean(name, PRESETS)}; valid: {', '.join(PRESETS)}"
            )
    if len(set(names)) != len(names):
        raise StrategyError(f"--strategies: a strategy is listed twice in {','.join(names)!r}")
    return names


def replication_seeds(root: int, replications: int) -> list[int]:
    """One seed per replication, spawned from the root seed (the same for every strategy)."""
    return [
        int(s.generate_state(1, dtype=np.uint32)[0]) for s in np.random.SeedSequence(root).spawn(replications)
    ]


def with_strategy(scenario: Scenario, strategy: str) -> Scenario:
    """The scenario under another preset; the file's own overrides apply only to the preset it names."""
    if scenario.strategy.preset == strategy:
        return scenario
    return scenario.model_copy(update={"strategy": StrategyConfig(preset=strategy)})


def unshared_overrides(scenario: Scenario, strategies: list[str]) -> list[str]:
    """Strategy fields the scenario sets that only its own preset will see (empty if every strategy sees them).

    ``compare`` runs the other strategies as plain presets (:func:`with_strategy`), so a user who set, say,
    ``strategy.walk_away_days`` should be told it does not reach them.
    """
    if [name for name in strategies if name != scenario.strategy.preset] == []:
        return []
    return sorted(
        f"{name}={value}"
        for name, value in scenario.strategy.model_dump(exclude_none=True).items()
        if name != "preset"
    )


@dataclass(frozen=True, slots=True)
class RunTask:
    """One (strategy, replication) run; picklable so any executor can carry it."""

    scenario: Scenario
    strategy: str
    replication: int
    seed: int
    out: str | None


def run_task(task: RunTask) -> dict[str, Any]:
    """Run one task (in a worker), write its run directory if asked, return its headline figures."""
    result = run(with_strategy(task.scenario, task.strategy), task.seed)
    run_dir = None
    if task.out is not None:
        run_dir = str(save_run(result, replication_dir(Path(task.out), task.strategy, task.replication)))
    return {
        "strategy": task.strategy,
        "replication": task.replication,
        "seed": task.seed,
        "run_dir": run_dir,
        "events_sha256": result.content_hash(),
        **result.summary(),
    }


def compare(
    scenario: Scenario,
    strategies: Sequence[str],
    replications: int,
    seed: int | None = None,
    out: str | Path | None = None,
    workers: int | None = None,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> pl.DataFrame:
    """Run every strategy on the same replications; one row of headline figures per run.

    ``workers=1`` runs serially in this process; otherwise a process pool with ``workers`` processes
    (default: all cores), unless an ``executor`` is given. ``progress(done, total)`` is called as runs finish.
    With ``out``, the whole comparison directory (runs, tables, ``compare.json``) is written all or nothing;
    ``out`` must be new or empty and not being written by another process.
    """
    names = parse_strategies(list(strategies))
    check_counts(replications, workers)
    root = scenario.seed if seed is None else seed
    if out is None:
        return _run_tasks(
            _tasks(scenario, names, replications, root, None), names, workers, executor, progress
        )
    final = Path(out)
    with staged(final) as building:
        runs = _run_tasks(
            _tasks(scenario, names, replications, root, building), names, workers, executor, progress
        )
        runs = runs.with_columns(
            pl.Series(
                "run_dir",
                [
                    str(replication_dir(final, s, r))
                    for s, r in runs.select("strategy", "replication").iter_rows()
                ],
            )
        )
        write_comparison(building, scenario, names, replications, root, runs)
    return runs


def _tasks(
    scenario: Scenario, names: list[str], replications: int, root: int, out: Path | None
) -> list[RunTask]:
    return [
        RunTask(scenario, name, r, s, None if out is None else str(out))
        for r, s in enumerate(replication_seeds(root, replications))
        for name in names
    ]


def _run_tasks(
    tasks: list[RunTask],
    names: list[str],
    workers: int | None,
    executor: Executor | None,
    progress: Callable[[int, int], None] | None,
) -> pl.DataFrame:
    rows: list[dict[str, Any]] = []
    if executor is None and (workers == 1 or len(tasks) == 1):
        for task in tasks:
            rows.append(run_task(task))
            if progress:
                progress(len(rows), len(tasks))
    else:
        own = None
        if executor is None:
            # Spawned, not forked: forking a process whose polars thread pool is running can deadlock the child.
            own = executor = ProcessPoolExecutor(
                max_workers=min(workers or os.cpu_count() or 1, len(tasks)),
                mp_context=multiprocessing.get_context("spawn"),
                initializer=die_with_parent,
                initargs=(os.getpid(),),
            )
        try:
            futures = [executor.submit(run_task, task) for task in tasks]
            for future in futures:
                rows.append(future.result())
                if progress:
                    progress(len(rows), len(tasks))
        except BaseException:
            if own is not None:
                # Interrupted or failed: stop the runs in progress instead of waiting for them to finish.
                for process in list((getattr(own, "_processes", None) or {}).values()):
                    process.terminate()
            raise
        finally:
            if own is not None:
                own.shutdown(cancel_futures=True)
    order = {name: i for i, name in enumerate(names)}
    rows.sort(key=lambda row: (order[row["strategy"]], row["replication"]))
    return pl.DataFrame(rows, infer_schema_length=None)


def compare_table(runs: pl.DataFrame, metrics: Sequence[str] = tuple(TABLE_METRICS)) -> pl.DataFrame:
    """Per strategy and figure: mean, 95% interval, and the paired difference against the first strategy."""
    strategies = strategy_order(runs)
    control_name = strategies[0]
    records = []
    for metric in metrics:
        if metric not in runs.columns:
            continue
        scale = display_scale(metric)
        by = {
            name: [
                None if v is None else float(v) * scale
                for v in runs.filter(pl.col("strategy") == name).sort("replication")[metric].to_list()
            ]
            for name in strategies
        }
        for name in strategies:
            m = mean_interval([v for v in by[name] if v is not None])
            d = paired_difference(
                [np.nan if v is None else v for v in by[name]],
                [np.nan if v is None else v for v in by[control_name]],
            )
            records.append(
                {
                    "metric": metric,
                    "label": TABLE_METRICS.get(metric, (metric, True))[0],
                    "strategy": name,
                    "n": m.n,
                    "mean": m.mean,
                    "ci_low": m.low,
                    "ci_high": m.high,
                    "diff": None if name == control_name else d.mean,
                    "diff_low": None if name == control_name else d.low,
                    "diff_high": None if name == control_name else d.high,
                }
            )
    return pl.DataFrame(records, infer_schema_length=None)


def write_comparison(
    out: Path, scenario: Scenario, strategies: Sequence[str], replications: int, seed: int, runs: pl.DataFrame
) -> pl.DataFrame:
    """Compute the table and write it, the runs and ``compare.json`` into a comparison directory being built."""
    table = compare_table(runs)
    description = {
        "scenario": scenario.name,
        "question": scenario.question,
        "strategies": list(strategies),
        "replications": replications,
        "seed": seed,
    }
    store.write_comparison(out, runs, table, description)
    return table
