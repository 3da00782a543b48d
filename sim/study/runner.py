"""Running an experiment: batches of runs on any executor, each batch written by its worker, resumable.

What the batch runners of Mesa (``batch_run``), the EMA workbench (``perform_experiments``) and desmod taught:
keep results out of the parent's memory (a worker writes its batch's rows to Parquet itself and returns two
counts), record a failed run instead of losing the batch, run several small runs per task so a task is worth
sending, and take any ``concurrent.futures.Executor``: serial in this process, a local process pool (the
default), or a Dask cluster (a ``LocalCluster`` on this machine, or a scheduler's address; the workers must
see the experiment directory, e.g. on a shared filesystem).

Started again on the same directory, an experiment reads which runs are finished from ``runs/`` and runs the
rest, so a killed experiment ends with exactly the runs of its design, none twice. Runs that failed stay
failed unless ``retry_failed`` asks for them again (a later attempt's row replaces the earlier one).
"""

from __future__ import annotations

import math
import os
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from sim.config import ScenarioError, apply_overrides, scenario_from_mapping
from sim.core.rng import replication_seeds
from sim.store import experiments as store
from sim.store.directories import claim
from sim.study.analysis import expected_runs, half_widths_needed, manifest_frame
from sim.study.design import Design, build_design
from sim.study.spec import MAX_RUNS, Experiment, LoadedExperiment, load_experiment
from sim.study.workers import check_main_guard, one_thread_per_worker, process_pool

MAX_BATCH_RUNS = 25
"""The most runs one task carries: enough to be worth sending, few enough that a kill loses little."""

TASKS_PER_WORKER = 8
"""Tasks per worker when runs are few: small last tasks keep every worker busy to the end."""

MANIFEST_EVERY_SECONDS = 2.0
"""How often the parent rewrites ``manifest.parquet`` while runs finish (and once at the end)."""

MAX_ERROR_CHARS = 500
"""The longest error text a failed run records."""

Progress = Callable[[int, int, int], None]
"""``progress(done, failed, total)``, called as runs finish (done counts the failed too)."""


class ExperimentError(ValueError):
    """An experiment asked for wrongly: too many runs, a bad executor address, counts out of range."""


@dataclass(frozen=True, slots=True)
class PlannedRun:
    """One run of the design: a point, a replication, its seed and the overrides that make the point."""

    point: int
    replication: int
    seed: int
    overrides: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Batch:
    """Runs one task carries to a worker, and what the worker needs to run and record them."""

    directory: str
    attempt: int
    number: int
    base: dict[str, Any]
    metrics: tuple[str, ...]
    keep_events: bool
    runs: tuple[PlannedRun, ...]


def batch_schema(metrics: Sequence[str]) -> dict[str, Any]:
    """The columns of a batch file (fixed, so every file of an experiment scans as one table)."""
    return {
        "point": pl.Int64,
        "replication": pl.Int64,
        "seed": pl.Int64,
        "status": pl.String,
        "error": pl.String,
        "events": pl.Int64,
        "events_sha256": pl.String,
        **{m: pl.Float64 for m in metrics},
    }


def _error_text(exc: BaseException) -> str:
    text = " ".join(f"{type(exc).__name__}: {exc}".split())
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 1] + "…"


def run_one(batch: Batch, planned: PlannedRun) -> dict[str, Any]:
    """Run one design point's replication; a run that raises is a row with status ``failed`` and the error."""
    from sim.results import run, save_run

    row: dict[str, Any] = {"point": planned.point, "replication": planned.replication, "seed": planned.seed}
    try:
        where = f"design point {planned.point}"
        scenario = scenario_from_mapping(apply_overrides(batch.base, planned.overrides, flag=where), where)
        result = run(scenario, planned.seed)
        summary = result.summary()
        if batch.keep_events:
            target = store.run_events_dir(Path(batch.directory), planned.point, planned.replication)
            shutil.rmtree(target, ignore_errors=True)  # left by an attempt killed before its batch file
            target.parent.mkdir(parents=True, exist_ok=True)
            save_run(result, target)
    except Exception as exc:  # a failed run is recorded, not allowed to sink the batch
        return {**row, "status": "failed", "error": _error_text(exc)}
    figures = {m: None if summary.get(m) is None else float(summary[m]) for m in batch.metrics}
    return {
        **row,
        "status": "done",
        "error": None,
        "events": result.events.height,
        "events_sha256": result.content_hash(),
        **figures,
    }


def run_batch(batch: Batch) -> tuple[int, int]:
    """Run a batch (in a worker), write its rows to the experiment's ``runs/``, return (runs, failed)."""
    rows = [run_one(batch, planned) for planned in batch.runs]
    frame = pl.DataFrame(rows, schema=batch_schema(batch.metrics))
    store.write_batch(Path(batch.directory), batch.attempt, batch.number, frame)
    return len(rows), sum(row["status"] == "failed" for row in rows)


def design_frame(spec: Experiment, design: Design) -> pl.DataFrame:
    """``design.parquet``: point, its indexes, every factor's value, the sampled coordinates, the overrides."""
    names = [f.name for f in (*spec.uncertainties, *spec.levers)]
    columns: dict[str, list[Any]] = {
        "point": [p.point for p in design.points],
        "uncertainty_point": [p.uncertainty_point for p in design.points],
        "lever_point": [p.lever_point for p in design.points],
    }
    for name in names:
        columns[name] = [p.labels[name] for p in design.points]
    for j, factor in enumerate(spec.uncertainties):
        columns[f"x.{factor.name}"] = [float(design.samples[p.uncertainty_point, j]) for p in design.points]
    columns["overrides"] = [list(p.overrides) for p in design.points]
    return pl.DataFrame(columns, strict=False)


def describe(loaded: LoadedExperiment, design: Design) -> dict[str, Any]:
    """``experiment.json``: the validated experiment and what it takes to resume and summarise it."""
    spec = loaded.experiment
    return {
        "kind": "experiment",
        "name": spec.name,
        "question": spec.question,
        "source": loaded.source,
        "digest": spec.digest(),
        "experiment": spec.model_dump(mode="json", by_alias=True),
        "base": loaded.base,
        "points": len(design.points),
        "uncertainty_points": design.uncertainty_points,
        "lever_points": design.lever_points,
        "replications": spec.replications,
        "seed": spec.seed,
    }


def finished_runs(directory: Path, retry_failed: bool) -> tuple[set[tuple[int, int]], int]:
    """(point, replication) of the runs that need no rerun, and how many of them failed: one scan of the
    run files. With ``retry_failed`` a failed run is not finished."""
    results = store.scan_results(directory)
    if results is None:
        return set(), 0
    rows = results.select("point", "replication", "status").collect()
    if retry_failed:
        rows = rows.filter(pl.col("status") == "done")
    finished = set(rows.select("point", "replication").iter_rows())
    return finished, rows.filter(pl.col("status") == "failed").height


def plan(info: dict[str, Any], design: pl.DataFrame, finished: set[tuple[int, int]]) -> list[PlannedRun]:
    """The runs still to do: every (point, replication) of the design that is not ``finished``."""
    replications = int(info["replications"])
    seeds = replication_seeds(int(info["seed"]), replications)
    points = design["point"].to_list()
    overrides = {p: tuple(o) for p, o in zip(points, design["overrides"].to_list(), strict=True)}
    return [
        PlannedRun(point, r, seeds[r], overrides[point])
        for r in range(replications)
        for point in points
        if (point, r) not in finished
    ]


def batches(runs: list[PlannedRun], workers: int, template: Batch) -> list[Batch]:
    """Runs cut into tasks: at most :data:`MAX_BATCH_RUNS` each, at least ``TASKS_PER_WORKER`` per worker."""
    if not runs:
        return []
    size = max(1, min(MAX_BATCH_RUNS, math.ceil(len(runs) / (workers * TASKS_PER_WORKER))))
    out = []
    for number, start in enumerate(range(0, len(runs), size)):
        out.append(
            Batch(
                template.directory,
                template.attempt,
                number,
                template.base,
                template.metrics,
                template.keep_events,
                tuple(runs[start : start + size]),
            )
        )
    return out


@contextmanager
def executor_for(
    workers: int | None, cluster: str | None, tasks: int, executor: Executor | None
) -> Iterator[tuple[Executor | None, int]]:
    """(executor, workers): the one given, a Dask cluster's, a process pool's, or None to run serially here."""
    if executor is not None:
        yield executor, workers or os.cpu_count() or 1
        return
    if cluster is not None:
        with dask_executor(workers, cluster) as (dask, size):
            yield dask, size
        return
    if workers == 1 or tasks <= 1:
        yield None, 1
        return
    size = workers or os.cpu_count() or 1
    with process_pool(size, tasks, what="sim.experiment") as pool:
        yield pool, size


@contextmanager
def dask_executor(workers: int | None, cluster: str) -> Iterator[tuple[Executor, int]]:
    """A Dask client's executor: a ``LocalCluster`` of ``workers`` single-threaded processes for ``local``,
    or the scheduler at a ``tcp://host:port`` address."""
    try:
        import logging

        from distributed import Client, LocalCluster
    except ImportError:
        raise ExperimentError(
            "--cluster needs Dask: pip install 'salesim[cluster]' (dask[distributed])"
        ) from None
    if cluster == "local":
        check_main_guard("sim.experiment")
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
            raise ExperimentError(f"--cluster {cluster}: cannot reach the scheduler ({exc})") from None
        local = None
        size = max(1, sum(int(w.get("nthreads", 1)) for w in client.scheduler_info()["workers"].values()))
    try:
        yield client.get_executor(pure=False), size
    finally:
        client.close()
        if local is not None:
            local.close()


def run_experiment(
    experiment: str | Path | LoadedExperiment,
    out: str | Path,
    workers: int | None = None,
    cluster: str | None = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
    retry_failed: bool = False,
    until_half_width: float | None = None,
    max_replications: int | None = None,
) -> Path:
    """Run (or resume) an experiment into ``out``; returns the directory.

    ``until_half_width=0.05`` keeps adding replications to every point until each kept figure's 95% interval
    half-width is at most 5% of its mean (or ``max_replications`` is reached).
    """
    loaded = experiment if isinstance(experiment, LoadedExperiment) else load_experiment(experiment)
    spec = loaded.experiment
    if workers is not None and not 1 <= workers <= 256:
        raise ExperimentError(f"--workers {workers}: must be from 1 to 256")
    if until_half_width is not None and not 0 < until_half_width < 1:
        raise ExperimentError(
            f"--until-half-width {until_half_width}: must be a share between 0 and 1, e.g. 0.05"
        )
    if cluster is not None and cluster != "local" and not cluster.startswith(("tcp://", "tls://")):
        raise ExperimentError(f"--cluster {cluster!r}: give local or a scheduler address tcp://HOST:PORT")
    design = build_design(spec)
    ceiling = max_replications or spec.replications
    if len(design.points) * max(ceiling, spec.replications) > MAX_RUNS:
        raise ExperimentError(
            f"{loaded.source}: {len(design.points):,} design points × {max(ceiling, spec.replications):,} "
            f"replications is more than {MAX_RUNS:,} runs; use fewer samples, values or replications"
        )
    directory = Path(out)
    with claim(directory, must_be_free=False):
        info = store.open_experiment(directory, describe(loaded, design), design_frame(spec, design))
        frame = store.read_design(directory)
        while True:
            _run_pending(directory, info, frame, workers, cluster, executor, progress, retry_failed)
            if until_half_width is None:
                break
            replications = int(info["replications"])
            wanted = half_widths_needed(directory, until_half_width)
            if wanted <= replications or replications >= ceiling:
                break
            store.set_replications(directory, min(ceiling, wanted))
            info = store.read_experiment_info(directory)
            retry_failed = False
    return directory


def _run_pending(
    directory: Path,
    info: dict[str, Any],
    design: pl.DataFrame,
    workers: int | None,
    cluster: str | None,
    executor: Executor | None,
    progress: Progress | None,
    retry_failed: bool,
) -> None:
    already, failed_before = finished_runs(directory, retry_failed)
    pending = plan(info, design, already)
    total = expected_runs(info)
    done_before = total - len(pending)
    spec = Experiment.model_validate(info["experiment"])
    template = Batch(
        str(directory),
        store.next_attempt(directory),
        0,
        info["base"],
        tuple(spec.metrics),
        spec.keep_events,
        (),
    )
    done, failed = done_before, failed_before
    if progress:
        progress(done, failed, total)
    last_manifest = time.monotonic()
    with executor_for(workers, cluster, len(pending), executor) as (pool, size):
        tasks = batches(pending, size, template)

        def finished(runs: int, failures: int) -> None:
            nonlocal done, failed, last_manifest
            done += runs
            failed += failures
            if progress:
                progress(done, failed, total)
            if time.monotonic() - last_manifest > MANIFEST_EVERY_SECONDS:
                store.write_manifest(directory, manifest_frame(directory))
                last_manifest = time.monotonic()

        if pool is None:
            for task in tasks:
                finished(*run_batch(task))
        else:
            futures = [pool.submit(run_batch, task) for task in tasks]
            for future in as_completed(futures):
                finished(*future.result())
    store.write_manifest(directory, manifest_frame(directory))


def check_experiment_file(path: str | Path) -> LoadedExperiment:
    """Load and check an experiment file (a one-line :class:`ScenarioError` if it is bad)."""
    try:
        return load_experiment(path)
    except RecursionError:
        raise ScenarioError(f"{path}: a value is nested too deeply") from None
