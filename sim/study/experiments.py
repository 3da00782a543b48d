"""An experiment: a design's runs in batches that their workers write to files, resumable; a client of the
one runner (:mod:`sim.study.runner`), which says where the batches run.

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
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from sim.config import ScenarioError
from sim.core.rng import replication_seeds
from sim.store import experiments as store
from sim.store.directories import claim
from sim.study.analysis import expected_runs, half_widths_needed, manifest_frame
from sim.study.design import Design, build_design
from sim.study.runner import Batch, Execution, ExecutionError, Recipe, Row, Task, check_execution, workers_for
from sim.study.spec import MAX_RUNS, Experiment, LoadedExperiment, load_experiment

MAX_BATCH_RUNS = 25
"""The most runs one task carries: enough to be worth sending, few enough that a kill loses little."""

TASKS_PER_WORKER = 8
"""Tasks per worker when runs are few: small last tasks keep every worker busy to the end."""

MANIFEST_EVERY_SECONDS = 2.0
"""How often the parent rewrites ``manifest.parquet`` while runs finish (and once at the end)."""


class ExperimentError(ExecutionError):
    """An experiment asked for wrongly: too many runs, counts out of range (or, as for any runs, a bad
    executor address)."""


@dataclass(frozen=True, slots=True)
class ExperimentOptions:
    """What an experiment asks for beyond its file and where its runs go (:class:`~sim.study.runner.Execution`).

    ``retry_failed`` runs failed runs again; ``until_half_width=0.05`` keeps adding replications to every point
    until each kept figure's 95% interval half-width is at most 5% of its mean (or ``max_replications`` is
    reached).
    """

    retry_failed: bool = False
    until_half_width: float | None = None
    max_replications: int | None = None


@dataclass(frozen=True, slots=True)
class BatchFile:
    """A batch's sink, called in the worker: its rows become ``runs/a<attempt>-b<number>.parquet``."""

    directory: str
    attempt: int
    number: int
    metrics: tuple[str, ...]

    def __call__(self, rows: list[Row]) -> tuple[int, int]:
        """Write the rows; (runs, failed)."""
        frame = pl.DataFrame([self.record(row) for row in rows], schema=batch_schema(self.metrics))
        store.write_batch(Path(self.directory), self.attempt, self.number, frame)
        return len(rows), sum(row["status"] == "failed" for row in rows)

    def record(self, row: Row) -> dict[str, Any]:
        """A runner row as a batch file's row (the schema picks its columns): the run, its status, its log's
        hash and the kept figures."""
        summary = row.get("summary") or {}
        return {**row, **{m: None if summary.get(m) is None else float(summary[m]) for m in self.metrics}}


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
        "asked": loaded.asked,
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


def plan(
    info: dict[str, Any], design: pl.DataFrame, finished: set[tuple[int, int]], events_in: Path | None = None
) -> list[Task]:
    """The runs still to do: every (point, replication) of the design that is not ``finished``, each made in
    its worker from the experiment's base scenario and the point's overrides (a failure is recorded), its run
    directory kept in experiment directory ``events_in`` if given."""
    replications = int(info["replications"])
    seeds = replication_seeds(int(info["seed"]), replications)
    points = design["point"].to_list()
    recipes = {
        p: Recipe(info["base"], tuple(o), f"design point {p}")
        for p, o in zip(points, design["overrides"].to_list(), strict=True)
    }
    return [
        Task(
            recipes[point],
            seeds[r],
            {"point": point, "replication": r},
            save_to=None if events_in is None else str(store.run_events_dir(events_in, point, r)),
            record_failure=True,
        )
        for r in range(replications)
        for point in points
        if (point, r) not in finished
    ]


def batches(runs: list[Task], workers: int, template: BatchFile) -> list[Batch]:
    """Runs cut into tasks: at most :data:`MAX_BATCH_RUNS` each, at least ``TASKS_PER_WORKER`` per worker."""
    if not runs:
        return []
    size = max(1, min(MAX_BATCH_RUNS, math.ceil(len(runs) / (workers * TASKS_PER_WORKER))))
    return [
        Batch(
            tuple(runs[start : start + size]),
            BatchFile(template.directory, template.attempt, number, template.metrics),
        )
        for number, start in enumerate(range(0, len(runs), size))
    ]


def run_experiment(
    experiment: str | Path | LoadedExperiment,
    out: str | Path,
    execution: Execution | None = None,
    options: ExperimentOptions | None = None,
) -> Path:
    """Run (or resume) an experiment into ``out``; returns the directory."""
    execution = execution or Execution()
    options = options or ExperimentOptions()
    loaded = experiment if isinstance(experiment, LoadedExperiment) else load_experiment(experiment)
    spec = loaded.experiment
    until_half_width = options.until_half_width
    check_execution(execution)
    if until_half_width is not None and not 0 < until_half_width < 1:
        raise ExperimentError(
            f"--until-half-width {until_half_width}: must be a share between 0 and 1, e.g. 0.05"
        )
    design = build_design(spec)
    ceiling = options.max_replications or spec.replications
    if len(design.points) * max(ceiling, spec.replications) > MAX_RUNS:
        raise ExperimentError(
            f"{loaded.source}: {len(design.points):,} design points × {max(ceiling, spec.replications):,} "
            f"replications is more than {MAX_RUNS:,} runs; use fewer samples, values or replications"
        )
    directory = Path(out)
    with claim(directory, must_be_free=False):
        info = store.open_experiment(directory, describe(loaded, design), design_frame(spec, design))
        frame = store.read_design(directory)
        retry_failed = options.retry_failed
        while True:
            _run_pending(directory, info, frame, execution, retry_failed)
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
    directory: Path, info: dict[str, Any], design: pl.DataFrame, execution: Execution, retry_failed: bool
) -> None:
    already, failed_before = finished_runs(directory, retry_failed)
    spec = Experiment.model_validate(info["experiment"])
    pending = plan(info, design, already, directory if spec.keep_events else None)
    total = expected_runs(info)
    template = BatchFile(str(directory), store.next_attempt(directory), 0, tuple(spec.metrics))
    done, failed = total - len(pending), failed_before
    progress = execution.progress
    if progress:
        progress(done, failed, total)
    last_manifest = time.monotonic()
    with workers_for(execution, len(pending), "sim.experiment") as workers:
        for _, (runs, failures) in workers.results(batches(pending, workers.size, template)):
            done += runs
            failed += failures
            if progress:
                progress(done, failed, total)
            if time.monotonic() - last_manifest > MANIFEST_EVERY_SECONDS:
                store.write_manifest(directory, manifest_frame(directory))
                last_manifest = time.monotonic()
    store.write_manifest(directory, manifest_frame(directory))


def check_experiment_file(
    path: str | Path, replications: int | None = None, overrides: Sequence[str] = ()
) -> LoadedExperiment:
    """Load and check an experiment file, with the command line's ``--replications`` and ``--set`` (a one-line
    :class:`ScenarioError` if anything is bad)."""
    try:
        return load_experiment(path, replications, overrides)
    except RecursionError:
        raise ScenarioError(f"{path}: a value is nested too deeply") from None
