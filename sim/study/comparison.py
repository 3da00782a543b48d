"""Comparison: every arm (a strategy preset plus overrides, :mod:`sim.study.arms`) on the same market draws,
replicated, in parallel, with intervals: a design with one lever, the arm.

Replication *r* gets one seed, spawned from the root seed, and every arm runs on that seed, so each
replication's arms face the same accounts, needs and buying windows (common random numbers). The runs are
tasks for the one runner (:mod:`sim.study.runner`: serially, a process pool by default, Dask, or any
``concurrent.futures.Executor``), which hands rows back in task order, so a parallel comparison equals a
serial one.

A comparison directory holds one run directory per (arm, replication), ``runs.parquet`` (one row of
headline figures per run, with the arm's preset and overrides), ``comparison.parquet`` (the table) and
``compare.json`` (what was compared); its layout is :mod:`sim.store.comparisons`' business. It is built in a
hidden temporary sibling and renamed into place whole, so a comparison killed at any moment leaves nothing
behind. Pool workers exit when the process that started them dies (:func:`sim.study.runner.die_with_parent`), so
a killed comparison leaves no workers either.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from pathlib import Path

import numpy as np
import polars as pl

from sim.config import Scenario, did_you_mean
from sim.core.rng import replication_seeds
from sim.metrics import TABLE_METRICS, bounds, display_scale
from sim.metrics.headlines import HEADLINES
from sim.model.strategy import PRESETS
from sim.store import comparisons as store
from sim.store.directories import staged
from sim.store.runs import replication_dir
from sim.study.arms import Arm, arm_scenario, parse_arms
from sim.study.runner import MAX_WORKERS, Execution, Row, Task, run_tasks
from sim.study.stats import mean_interval, paired_difference
from sim.words.format import figure_label, strategy_order

MAX_REPLICATIONS = 10_000
"""The most replications a comparison runs per strategy (a 95% interval barely narrows after a few hundred)."""


class StrategyError(ValueError):
    """A comparison asked for wrongly: an unknown strategy, or a count out of range."""


def check_counts(replications: int, workers: int | None) -> None:
    """Replications from 1 to :data:`MAX_REPLICATIONS`; workers (if given) from 1 to :data:`MAX_WORKERS`."""
    if not 1 <= replications <= MAX_REPLICATIONS:
        raise StrategyError(f"--replications {replications}: must be from 1 to {MAX_REPLICATIONS:,}")
    if workers is not None and not 1 <= workers <= MAX_WORKERS:
        raise StrategyError(f"--workers {workers}: must be from 1 to {MAX_WORKERS}")


def parse_strategies(text: str | Sequence[str]) -> list[str]:
    """Split and check a strategy list; unknown names are an error naming the valid ones."""
    names = [s.strip() for s in text.split(",")] if isinstance(text, str) else [s.strip() for s in text]
    names = [n for n in names if n]
    if not names:
        raise StrategyError(f"--strategies: give at least one strategy; valid: {', '.join(PRESETS)}")
    for name in names:
        if name not in PRESETS:
            raise StrategyError(
                f"--strategies: unknown strategy {name!r}{did_you_mean(name, PRESETS)}; valid: {', '.join(PRESETS)}"
            )
    if len(set(names)) != len(names):
        raise StrategyError(
            f"--strategies: a strategy is listed twice in {','.join(names)!r}; to compare variants of one "
            "preset, name them with --arm (e.g. --arm control=numbers-game --arm walk60=numbers-game:"
            "strategy.walk_away_days=60)"
        )
    return names


def as_arms(strategies: str | Sequence[str | Arm]) -> list[Arm]:
    """Arms from a comparison's request: preset names (checked as ``--strategies``) or arm specs."""
    items = [s.strip() for s in strategies.split(",")] if isinstance(strategies, str) else list(strategies)
    if all(isinstance(item, str) and "=" not in item and ":" not in item for item in items):
        return [Arm(name, name) for name in parse_strategies([str(item) for item in items])]
    return parse_arms(items)


def compare(
    scenario: Scenario,
    strategies: str | Sequence[str | Arm],
    replications: int,
    seed: int | None = None,
    out: str | Path | None = None,
    workers: int | None = None,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> pl.DataFrame:
    """Run every arm on the same replications; one row of headline figures per run.

    ``strategies`` names the arms: preset names (``["numbers-game", "qualify-hard"]``), arm specs
    (``"walk60=numbers-game:strategy.walk_away_days=60"``) or :class:`~sim.study.arms.Arm` objects; the first is the
    control. ``workers=1`` runs serially in this process; otherwise a process pool with ``workers`` processes
    (default: all cores), unless an ``executor`` is given. ``progress(done, total)`` is called as runs finish.
    With ``out``, the whole comparison directory (runs, tables, ``compare.json``) is written all or nothing;
    ``out`` must be new or empty and not being written by another process.
    """

    def report(done: int, _failed: int, total: int) -> None:
        if progress is not None:
            progress(done, total)

    execution = Execution(workers=workers, executor=executor, progress=report)
    return compare_arms(scenario, as_arms(strategies), replications, seed, out, execution)


def compare_arms(
    scenario: Scenario,
    arms: Sequence[Arm],
    replications: int,
    seed: int | None = None,
    out: str | Path | None = None,
    execution: Execution | None = None,
) -> pl.DataFrame:
    """:func:`compare` for arms already parsed, its runs going where ``execution`` says (a Dask cluster too):
    what the break-even sweep calls."""
    execution = execution or Execution()
    check_counts(replications, execution.workers)
    scenarios = [arm_scenario(scenario, arm) for arm in arms]
    root = scenario.seed if seed is None else seed
    if out is None:
        return _runs(_tasks(scenarios, arms, replications, root, None), arms, execution)
    final = Path(out)
    with staged(final) as building:
        runs = _runs(_tasks(scenarios, arms, replications, root, building), arms, execution)
        runs = runs.with_columns(
            pl.Series(
                "run_dir",
                [str(replication_dir(final, a, r)) for a, r in runs.select("arm", "replication").iter_rows()],
            )
        )
        write_comparison(building, scenario, arms, replications, root, runs)
    return runs


def _tasks(
    scenarios: list[Scenario], arms: Sequence[Arm], replications: int, root: int, out: Path | None
) -> list[Task]:
    """Replication by replication, every arm on the replication's seed."""
    return [
        Task(
            sc,
            s,
            {"arm": arm.name, "strategy": arm.preset, "overrides": ":".join(arm.overrides), "replication": r},
            save_to=None if out is None else str(replication_dir(out, arm.name, r)),
        )
        for r, s in enumerate(replication_seeds(root, replications))
        for sc, arm in zip(scenarios, arms, strict=True)
    ]


def _row(row: Row) -> Row:
    """A runner row as a row of ``runs.parquet``: which run, then its headline figures."""
    keys = ("arm", "strategy", "overrides", "replication", "seed", "run_dir", "events_sha256")
    return {**{k: row[k] for k in keys}, **row["summary"]}


def _runs(tasks: list[Task], arms: Sequence[Arm], execution: Execution) -> pl.DataFrame:
    rows = [_row(row) for row in run_tasks(tasks, execution, "sim.compare")]
    order = {arm.name: i for i, arm in enumerate(arms)}
    rows.sort(key=lambda row: (order[row["arm"]], row["replication"]))
    return pl.DataFrame(rows, infer_schema_length=None)


NOT_FIGURES = frozenset({"replication", "seed"})
"""Numeric columns of ``runs.parquet`` that are not figures of a run."""


def table_figures(runs: pl.DataFrame) -> list[str]:
    """Every figure of the runs, headline figures first (in reading order), then the comparison's classic
    figures, then the rest in the summary's order."""
    numeric = [c for c, t in runs.schema.items() if t.is_numeric() and c not in NOT_FIGURES]
    ordered = [h.key for h in HEADLINES] + list(TABLE_METRICS) + numeric
    return [f for f in dict.fromkeys(ordered) if f in numeric]


def compare_table(runs: pl.DataFrame, metrics: Sequence[str] | None = None) -> pl.DataFrame:
    """Per arm and figure (default: every figure of the runs): mean, 95% interval, and the paired difference
    against the first arm, each over the replications where the figure is defined (see :data:`TABLE_SCHEMA`). The numbers of a comparison; :mod:`sim.words.format` writes them for people (the
    ``label`` column is its :func:`~sim.words.format.figure_label`, kept so a stored table reads on its own)."""
    strategies = strategy_order(runs)
    metrics = table_figures(runs) if metrics is None else metrics
    control_name = strategies[0]
    records = []
    for metric in metrics:
        if metric not in runs.columns:
            continue
        scale = display_scale(metric)
        low, high = bounds(metric)
        limits = (low * scale, high * scale)
        by = {
            name: [
                None if v is None else float(v) * scale
                for v in runs.filter(pl.col("arm") == name).sort("replication")[metric].to_list()
            ]
            for name in strategies
        }
        for name in strategies:
            m = mean_interval([np.nan if v is None else v for v in by[name]], limits=limits)
            d = paired_difference(
                [np.nan if v is None else v for v in by[name]],
                [np.nan if v is None else v for v in by[control_name]],
                limits=limits,
            )
            control = name == control_name
            records.append(
                {
                    "metric": metric,
                    "label": figure_label(metric),
                    "arm": name,
                    "n": m.n,
                    "of": m.of,
                    "mean": _defined(m.mean),
                    "ci_low": _defined(m.low),
                    "ci_high": _defined(m.high),
                    "diff_n": None if control else d.n,
                    "diff": None if control else _defined(d.mean),
                    "diff_low": None if control else _defined(d.low),
                    "diff_high": None if control else _defined(d.high),
                }
            )
    return pl.DataFrame(records, schema=TABLE_SCHEMA)


TABLE_SCHEMA: dict[str, type[pl.DataType]] = {
    "metric": pl.String,
    "label": pl.String,
    "arm": pl.String,
    "n": pl.Int64,
    "of": pl.Int64,
    "mean": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
    "diff_n": pl.Int64,
    "diff": pl.Float64,
    "diff_low": pl.Float64,
    "diff_high": pl.Float64,
}
"""The comparison table's columns: ``n`` of ``of`` replications define the figure (a rate over no deals is
undefined and left out of its mean), ``diff_n`` pairs define the paired difference (both arms defined). A value
that cannot be computed is null, never NaN, so CSV and JSON carry it as empty and ``null``."""


def _defined(value: float) -> float | None:
    """A computed value, or None where it is undefined (NaN)."""
    return None if value != value else value


def write_comparison(
    out: Path, scenario: Scenario, arms: Sequence[Arm], replications: int, seed: int, runs: pl.DataFrame
) -> pl.DataFrame:
    """Compute the table and write it, the runs and ``compare.json`` into a comparison directory being built."""
    table = compare_table(runs)
    description = {
        "scenario": scenario.name,
        "question": scenario.question,
        "arms": [{"name": a.name, "preset": a.preset, "overrides": list(a.overrides)} for a in arms],
        "replications": replications,
        "seed": seed,
    }
    store.write_comparison(out, runs, table, description)
    return table
