"""Statistics of an experiment, from lazy scans of its run files: memory follows the summary, not the runs.

- :func:`results_frame`: one row per run of the design (finished or not), every factor a column: what
  :func:`sim.experiment` returns;
- :func:`point_summary`: per design point and figure, the mean and its 95% t-interval;
- :func:`lever_differences`: per uncertainty sample, each lever combination minus the first (the control),
  paired by replication on common random numbers;
- :func:`sensitivity`: Morris μ*, σ and Sobol first-order and total indices over the uncertainties, with
  their 95% intervals (SALib), per lever combination and figure;
- :func:`convergence`: per figure, the 95% half-width relative to the mean against replications;
- :func:`experiment_warnings`: a sentence for each figure with an index or lever difference whose 95%
  interval includes 0 (the report's charts and the terminal print them).

Intervals of shares stay inside [0, 1], and of non-negative figures above 0 (:func:`sim.metrics.bounds`).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from sim.metrics import bounds
from sim.store import experiments as store
from sim.study.design import salib_problem
from sim.study.spec import Experiment
from sim.study.stats import difference_bounds

CONFIDENCE = 0.95


def expected_runs(info: dict[str, Any]) -> int:
    """How many runs the design holds now: points × replications."""
    return int(info["points"]) * int(info["replications"])


def spec_of(info: dict[str, Any]) -> Experiment:
    """The experiment an ``experiment.json`` records."""
    return Experiment.model_validate(info["experiment"])


def factor_names(spec: Experiment) -> list[str]:
    """The factors' column names: uncertainties first, then levers."""
    return [f.name for f in (*spec.uncertainties, *spec.levers)]


def _grid(directory: Path, info: dict[str, Any]) -> pl.LazyFrame:
    from sim.core.rng import replication_seeds

    spec = spec_of(info)
    design = store.read_design(directory).lazy()
    seeds = replication_seeds(int(info["seed"]), int(info["replications"]))
    reps = pl.LazyFrame(
        {"replication": list(range(len(seeds))), "seed": seeds},
        schema={"replication": pl.Int64, "seed": pl.Int64},
    )
    columns = ["point", "uncertainty_point", "lever_point", *factor_names(spec)]
    return design.select(columns).join(reps, how="cross")


def results_frame(directory: Path, with_figures: bool = True) -> pl.DataFrame:
    """One row per run of the design: point, factors, replication, seed, status, error, event hash, figures.

    A run with no finished row is ``pending``; rows are in (point, replication) order.
    """
    info = store.read_experiment_info(directory)
    spec = spec_of(info)
    grid = _grid(directory, info)
    results = store.scan_results(directory)
    keep = ["status", "error"] + (["events", "events_sha256", *spec.metrics] if with_figures else [])
    if results is None:
        schema: dict[str, Any] = {"status": pl.String, "error": pl.String}
        if with_figures:
            schema |= {
                "events": pl.Int64,
                "events_sha256": pl.String,
                **{m: pl.Float64 for m in spec.metrics},
            }
        frame = grid.collect().with_columns([pl.lit(None, dtype=t).alias(c) for c, t in schema.items()])
    else:
        frame = grid.join(
            results.select(["point", "replication", *keep]), on=["point", "replication"], how="left"
        ).collect()
    return frame.with_columns(pl.col("status").fill_null("pending")).sort("point", "replication")


def manifest_frame(directory: Path) -> pl.DataFrame:
    """``manifest.parquet``: every run's point, factors, replication, seed, status and error."""
    return results_frame(directory, with_figures=False)


def status_counts(directory: Path) -> dict[str, int]:
    """Runs pending, done and failed."""
    counts = manifest_frame(directory)["status"].value_counts()
    found = dict(zip(counts["status"].to_list(), counts["count"].to_list(), strict=True))
    return {status: int(found.get(status, 0)) for status in store.STATUSES}


def _t_half(std: np.ndarray, n: np.ndarray) -> np.ndarray:
    from scipy import stats as sps

    with np.errstate(invalid="ignore", divide="ignore"):
        quantile = sps.t.ppf(0.5 + CONFIDENCE / 2, np.maximum(n - 1, 1))
        return np.where(n >= 2, quantile * std / np.sqrt(n), np.nan)


def _interval_columns(long: pl.DataFrame, difference: bool) -> pl.DataFrame:
    """Add ``ci_low``, ``ci_high`` and ``half_width`` to a long frame of metric, n, mean, std."""
    if long.height == 0:
        return long.with_columns(
            [pl.lit(None, dtype=pl.Float64).alias(c) for c in ("ci_low", "ci_high", "half_width")]
        )
    half = _t_half(long["std"].to_numpy().astype(float), long["n"].to_numpy().astype(float))
    mean = long["mean"].to_numpy().astype(float)
    limits = [bounds(m) for m in long["metric"].to_list()]
    if difference:
        limits = [difference_bounds(b) or b for b in limits]
    low = np.array([lo for lo, _ in limits])
    high = np.array([hi for _, hi in limits])
    # No interval (fewer than two runs define the figure) is null, as in the comparison table, never NaN.
    return long.with_columns(
        pl.Series("ci_low", np.clip(mean - half, low, high)).fill_nan(None),
        pl.Series("ci_high", np.clip(mean + half, low, high)).fill_nan(None),
        pl.Series("half_width", half).fill_nan(None),
    )


def _long(wide: pl.DataFrame, keys: list[str], metrics: list[str]) -> pl.DataFrame:
    """Per-key aggregates ``<metric>__mean``, ``__std``, ``__n`` as one row per key and metric."""
    parts = [
        wide.select(
            *keys,
            pl.lit(m).alias("metric"),
            pl.col(f"{m}__n").cast(pl.Int64).alias("n"),
            pl.col(f"{m}__of").cast(pl.Int64).alias("of"),
            pl.col(f"{m}__mean").alias("mean"),
            pl.col(f"{m}__std").alias("std"),
        )
        for m in metrics
    ]
    return pl.concat(parts) if parts else pl.DataFrame()


def _aggregates(metrics: list[str]) -> list[pl.Expr]:
    out = []
    for m in metrics:
        value = pl.col(m).fill_nan(None)
        out += [
            value.mean().alias(f"{m}__mean"),
            value.std().alias(f"{m}__std"),
            value.count().alias(f"{m}__n"),  # the runs where the figure is defined...
            pl.len().alias(f"{m}__of"),  # ...of all the runs
        ]
    return out


def point_summary(directory: Path) -> pl.DataFrame:
    """Per design point and kept figure: its factors, n (runs where it is defined) of ``of`` runs, mean, 95%
    interval over those n (within the figure's bounds)."""
    info = store.read_experiment_info(directory)
    spec = spec_of(info)
    results = store.scan_results(directory)
    design = store.read_design(directory).select(
        "point", "uncertainty_point", "lever_point", *factor_names(spec)
    )
    if results is None:
        return pl.DataFrame()
    wide = (
        results.filter(pl.col("status") == "done").group_by("point").agg(_aggregates(spec.metrics)).collect()
    )
    long = _interval_columns(_long(wide, ["point"], spec.metrics), difference=False).drop("std")
    return design.join(long, on="point", how="inner").sort("point", "metric")


def lever_differences(directory: Path) -> pl.DataFrame:
    """Per uncertainty sample and lever combination: the paired difference from the first lever combination.

    Runs are paired by replication (the same seed, so the same market draws); empty with one combination.
    """
    info = store.read_experiment_info(directory)
    spec = spec_of(info)
    results = store.scan_results(directory)
    if results is None or int(info["lever_points"]) < 2:
        return pl.DataFrame()
    design = store.read_design(directory)
    keys = design.lazy().select("point", "uncertainty_point", "lever_point")
    runs = results.filter(pl.col("status") == "done").join(keys, on="point")
    control = runs.filter(pl.col("lever_point") == 0).select(
        "uncertainty_point", "replication", *[pl.col(m).alias(f"{m}__control") for m in spec.metrics]
    )
    paired = (
        runs.filter(pl.col("lever_point") > 0)
        .join(control, on=["uncertainty_point", "replication"])
        .select(
            "uncertainty_point",
            "lever_point",
            *[(pl.col(m) - pl.col(f"{m}__control")).alias(m) for m in spec.metrics],
        )
    )
    wide = paired.group_by("uncertainty_point", "lever_point").agg(_aggregates(spec.metrics)).collect()
    long = _interval_columns(_long(wide, ["uncertainty_point", "lever_point"], spec.metrics), difference=True)
    labels = design.select("uncertainty_point", "lever_point", *factor_names(spec)).unique(
        subset=["uncertainty_point", "lever_point"]
    )
    return (
        labels.join(long.drop("std"), on=["uncertainty_point", "lever_point"], how="inner")
        .rename({"mean": "diff", "ci_low": "diff_low", "ci_high": "diff_high"})
        .sort("uncertainty_point", "lever_point", "metric")
    )


def sensitivity(directory: Path) -> pl.DataFrame:
    """Morris or Sobol indices of each uncertainty, per lever combination and kept figure (empty for other
    designs). The response of an uncertainty sample is its figure's mean over replications; a figure with a
    sample that has no value (no finished run, or no deal to take a median of) is left out."""
    info = store.read_experiment_info(directory)
    spec = spec_of(info)
    if spec.design.kind not in ("morris", "sobol"):
        return pl.DataFrame()
    summary = point_summary(directory)
    if summary.height == 0:
        return pl.DataFrame()
    design = store.read_design(directory)
    problem = salib_problem(spec.uncertainties)
    x_columns = [f"x.{f.name}" for f in spec.uncertainties]
    samples = design.filter(pl.col("lever_point") == 0).sort("uncertainty_point").select(x_columns).to_numpy()
    seed = spec.seed % 2**32 if spec.design.seed is None else spec.design.seed
    rows: list[dict[str, Any]] = []
    for lever in range(int(info["lever_points"])):
        for metric in spec.metrics:
            part = summary.filter((pl.col("lever_point") == lever) & (pl.col("metric") == metric)).sort(
                "uncertainty_point"
            )
            y = part["mean"].to_numpy().astype(float)
            if part.height != samples.shape[0] or not np.isfinite(y).all():
                continue
            base = {"lever_point": lever, "metric": metric}
            rows += [{**base, **row} for row in sensitivity_indices(spec, problem, samples, y, seed)]
    return pl.DataFrame(rows, infer_schema_length=None)


def sensitivity_indices(
    spec: Experiment, problem: dict[str, Any], x: np.ndarray, y: np.ndarray, seed: int
) -> list[dict[str, Any]]:
    """One row per uncertainty: Morris μ*, its 95% interval's half-width, σ and μ; or Sobol S1 and ST with
    theirs (bootstrap, SALib). ``x`` holds the samples as :func:`sim.study.design.sample_uncertainties`
    drew them, ``y`` the response of each."""
    if spec.design.kind == "morris":
        from SALib.analyze import morris

        res = morris.analyze(problem, x, y, num_levels=spec.design.levels, conf_level=CONFIDENCE, seed=seed)
        return [
            {
                "factor": name,
                "mu_star": float(res["mu_star"][i]),
                "mu_star_conf": float(res["mu_star_conf"][i]),
                "sigma": float(res["sigma"][i]),
                "mu": float(res["mu"][i]),
            }
            for i, name in enumerate(problem["names"])
        ]
    from SALib.analyze import sobol

    res = sobol.analyze(problem, y, calc_second_order=False, conf_level=CONFIDENCE, seed=seed)
    return [
        {
            "factor": name,
            "S1": float(res["S1"][i]),
            "S1_conf": float(res["S1_conf"][i]),
            "ST": float(res["ST"][i]),
            "ST_conf": float(res["ST_conf"][i]),
        }
        for i, name in enumerate(problem["names"])
    ]


def half_widths_needed(directory: Path, share: float) -> int:
    """Replications per point needed for every figure's half-width to be at most ``share`` of its mean.

    From the current spread: n · (half-width ÷ target)², the usual sequential estimate; figures with a mean of
    zero have no relative precision and are left out. At least the current replications.
    """
    info = store.read_experiment_info(directory)
    current = int(info["replications"])
    summary = point_summary(directory)
    if summary.height == 0:
        return current
    wanted = current
    for n, mean, half in summary.select("n", "mean", "half_width").iter_rows():
        if mean is None or mean == 0 or not math.isfinite(mean):
            continue
        if half is None or not math.isfinite(half):
            wanted = max(wanted, 2)
            continue
        target = share * abs(mean)
        if half > target:
            wanted = max(wanted, math.ceil(n * (half / target) ** 2))
    return wanted


INDEX_INTERVALS = {"mu_star": "mu_star_conf", "S1": "S1_conf", "ST": "ST_conf"}
"""Each sensitivity index and the column of its 95% interval's half-width."""

INDEX_WORDS = {"mu_star": "Morris μ*", "S1": "Sobol S1", "ST": "Sobol ST"}


def unresolved(indices: pl.DataFrame, metric: str | None = None) -> list[tuple[str, str, str]]:
    """(figure, factor, index) of every sensitivity index whose 95% interval includes 0: the replications
    cannot tell its effect from none (nor, for Morris, the sign of the factor's effect)."""
    out: list[tuple[str, str, str]] = []
    if indices.height == 0:
        return out
    rows = indices if metric is None else indices.filter(pl.col("metric") == metric)
    for row in rows.iter_rows(named=True):
        for index, conf in INDEX_INTERVALS.items():
            value, half = row.get(index), row.get(conf)
            if value is None or half is None or not (math.isfinite(value) and math.isfinite(half)):
                continue
            if value - half <= 0 <= value + half:
                out.append((row["metric"], row["factor"], index))
    return out


def unresolved_warnings(indices: pl.DataFrame, replications: int, metric: str | None = None) -> list[str]:
    """One sentence per figure with indices whose interval includes 0, naming the factors."""
    found: dict[tuple[str, str], list[str]] = {}
    for figure, factor, index in unresolved(indices, metric):
        found.setdefault((figure, index), []).append(factor)
    runs = f"{replications} replication{'' if replications == 1 else 's'}"
    return [
        f"{runs} cannot resolve {INDEX_WORDS[index]} of {', '.join(factors)} on "
        f"{figure.replace('_', ' ')} from 0 (its 95% interval includes 0)"
        for (figure, index), factors in found.items()
    ]


def convergence(directory: Path) -> pl.DataFrame:
    """Per kept figure and number of replications n (2 up to the stored ones): the 95% interval's half-width
    over the first n replications of each design point, relative to that point's mean, the median over the
    points (points with a mean of 0 or no interval are left out). Read from the stored runs."""
    info = store.read_experiment_info(directory)
    spec = spec_of(info)
    results = store.scan_results(directory)
    schema = {
        "metric": pl.String,
        "replications": pl.Int64,
        "points": pl.Int64,
        "relative_half_width": pl.Float64,
    }
    if results is None:
        return pl.DataFrame(schema=schema)
    runs = results.filter(pl.col("status") == "done").select("point", "replication", *spec.metrics).collect()
    rows: list[dict[str, Any]] = []
    for n in range(2, int(info["replications"]) + 1):
        first = runs.filter(pl.col("replication") < n)
        wide = first.group_by("point").agg(_aggregates(spec.metrics))
        long = _long(wide, ["point"], spec.metrics)
        if long.height == 0:
            continue
        long = long.with_columns(
            pl.Series(
                "half", _t_half(long["std"].to_numpy().astype(float), long["n"].to_numpy().astype(float))
            )
        )
        relative = long.filter(
            (pl.col("mean") != 0) & pl.col("half").is_not_nan() & pl.col("half").is_not_null()
        )
        relative = relative.with_columns((pl.col("half") / pl.col("mean").abs()).alias("r"))
        for metric in spec.metrics:
            part = relative.filter(pl.col("metric") == metric)
            if part.height:
                rows.append(
                    {
                        "metric": metric,
                        "replications": n,
                        "points": part.height,
                        "relative_half_width": part["r"].median(),
                    }
                )
    return pl.DataFrame(rows, schema=schema)


def difference_warnings(differences: pl.DataFrame, replications: int, metric: str | None = None) -> list[str]:
    """One sentence per figure whose paired lever differences (:func:`lever_differences`) include some with a
    95% interval that includes 0: the replications cannot resolve their sign."""
    if differences.height == 0:
        return []
    rows = differences.drop_nulls(["diff_low", "diff_high"])
    if metric is not None:
        rows = rows.filter(pl.col("metric") == metric)
    counts = (
        rows.group_by("metric", maintain_order=True)
        .agg(
            pl.len().alias("of"), ((pl.col("diff_low") <= 0) & (pl.col("diff_high") >= 0)).sum().alias("open")
        )
        .filter(pl.col("open") > 0)
    )
    runs = f"{replications} replication{'' if replications == 1 else 's'}"
    return [
        f"{runs} cannot resolve the sign of {n} of {of} differences from the first lever combination on "
        f"{figure.replace('_', ' ')} (their 95% intervals include 0)"
        for figure, of, n in counts.iter_rows()
    ]


def experiment_warnings(directory: Path, indices: pl.DataFrame | None = None) -> list[str]:
    """The warnings of :func:`unresolved_warnings` and :func:`difference_warnings` for an experiment directory.
    ``indices``: its :func:`sensitivity`, when already computed."""
    info = store.read_experiment_info(directory)
    replications = int(info["replications"])
    found = sensitivity(directory) if indices is None else indices
    return unresolved_warnings(found, replications) + difference_warnings(
        lever_differences(directory), replications
    )
