"""Experiments at scale: designs over market uncertainties and strategy levers, run in batches, resumable.

- :mod:`~sim.study.spec`: experiment files (validated like scenarios);
- :mod:`~sim.study.design`: design points (full factorial, Latin hypercube, Morris, Sobol via SALib);
- :mod:`~sim.study.runner`: the one runner: (scenario, seed) tasks serially, on a process pool or on Dask;
- :mod:`~sim.study.experiments`: an experiment's batches on the runner, each worker writing its own files;
- :mod:`~sim.study.comparison`: a comparison, the design with one lever (the arm), on the runner;
- :mod:`~sim.study.analysis`: per-point intervals, paired lever differences, sensitivity indices.

The experiment directory's files are :mod:`sim.store.experiments`' business.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from concurrent.futures import Executor
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

    from sim.study.runner import Progress
    from sim.study.spec import LoadedExperiment


def experiment(
    file: str | Path | LoadedExperiment,
    out: str | Path | None = None,
    workers: int | None = None,
    cluster: str | None = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
    retry_failed: bool = False,
    until_half_width: float | None = None,
    max_replications: int | None = None,
    replications: int | None = None,
    overrides: Sequence[str] = (),
) -> pl.DataFrame:
    """Run (or resume) an experiment; one row per run, with every factor as a column.

    ``file`` is an experiment TOML file or the name of a shipped one. With ``out`` the runs are kept in that
    experiment directory (resumable; ``salesim experiment summarize`` and ``salesim report`` read it);
    without, they are written to a temporary directory that is removed once the table is read.
    ``workers=1`` runs serially here; ``cluster="local"`` (a Dask ``LocalCluster``) or ``"tcp://host:port"``
    runs on Dask; ``executor`` takes any ``concurrent.futures.Executor``. ``progress(done, failed, total)``
    is called as runs finish. ``replications`` replaces the file's count and ``overrides`` (``dotted.path=value``,
    as ``salesim run --set``) change the experiment's base scenario.
    """
    from sim.study.analysis import results_frame
    from sim.study.experiments import ExperimentOptions, check_experiment_file, run_experiment
    from sim.study.runner import Execution
    from sim.study.spec import LoadedExperiment

    if replications is not None or overrides:
        if isinstance(file, LoadedExperiment):
            raise ValueError("replications and overrides apply to an experiment file, not to a loaded one")
        file = check_experiment_file(file, replications, overrides)
    scratch = None
    if out is None:
        scratch = Path(tempfile.mkdtemp(prefix="salesim-experiment-"))
        out = scratch / "experiment"
    try:
        directory = run_experiment(
            file,
            out,
            Execution(workers, cluster, executor, progress),
            ExperimentOptions(retry_failed, until_half_width, max_replications),
        )
        return results_frame(directory)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


__all__ = ["experiment"]
