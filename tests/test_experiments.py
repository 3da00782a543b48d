"""Experiments: files validated like scenarios, designs, executors that agree, failures recorded, resume,
statistics within bounds, sensitivity indices that recover a known answer."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from conftest import run_cli

import sim
from sim.config import apply_overrides, scenario_from_mapping
from sim.model.strategy import resolve_policy
from sim.store import experiments as store
from sim.study.analysis import (
    lever_differences,
    point_summary,
    results_frame,
    sensitivity,
    sensitivity_indices,
    status_counts,
)
from sim.study.design import build_design, salib_problem, sample_uncertainties
from sim.study.experiments import ExperimentOptions, run_experiment
from sim.study.runner import Execution
from sim.study.spec import Experiment, load_experiment, shipped_experiment_names
from sim.study.stats import mean_interval, paired_difference

SERIAL = Execution(workers=1)
"""Runs one after another in this process."""

TINY = [
    "horizon_days=200",
    "market.smb.accounts=200",
    "market.mid_market.accounts=60",
    "market.f1000.accounts=30",
    "sales_org.reps=3",
]
"""A market small enough for a run in well under a second."""


def write_experiment(folder: Path, body: str, name: str = "exp.toml", replications: int = 2) -> Path:
    """An experiment file on the tiny market with the given factor/design tables."""
    head = (
        f'name = "test"\nquestion = "a test"\nscenario = "baseline"\nset = {json.dumps([*TINY, GROUPS])}\n'
        f'replications = {replications}\nseed = 5\nmetrics = ["revenue", "wasted_hours", "win_rate"]\n'
    )
    path = folder / name
    path.write_text(head + body)
    return path


SWEEP = """
[[levers]]
name = "strategy"
path = "strategy.preset"
values = ["numbers-game", "qualify-hard"]

[[levers]]
name = "walk_away_days"
path = "strategy.walk_away_days"
values = [30, 90]
"""

# Each value alone makes a valid buying group (the file sets group sizes 1 to 6); together, 5 to 3 is not:
# a design point that raises when its run starts.
FAILING = """
[[uncertainties]]
name = "group_min"
path = "market.smb.buying_center.group_size.min"
values = [1, 5]

[[uncertainties]]
name = "group_max"
path = "market.smb.buying_center.group_size.max"
values = [6, 3]
"""
GROUPS = "market.smb.buying_center.group_size={min = 1, max = 6}"


def hashes(frame: pl.DataFrame) -> dict[tuple[int, int], str | None]:
    return {(p, r): h for p, r, h in frame.select("point", "replication", "events_sha256").iter_rows()}


# ---------------------------------------------------------------------------------------------- files


def test_shipped_experiments_validate_and_name_their_designs() -> None:
    names = shipped_experiment_names()
    assert {"walk_away_sweep", "qualify_threshold_sweep", "segment_mix", "market_sensitivity"} <= set(names)
    for name in names:
        loaded = load_experiment(name)
        design = build_design(loaded.experiment)
        assert len(design.points) >= 4
    mix = load_experiment("segment_mix").experiment
    assert [f.name for f in mix.uncertainties] == ["market_mix"] and [f.name for f in mix.levers] == [
        "targeting"
    ]
    assert load_experiment("market_sensitivity").experiment.design.kind == "morris"


def test_a_never_level_is_the_walk_away_that_never_fires(tmp_path: Path) -> None:
    body = '[[levers]]\nname = "walk"\npath = "strategy.walk_away_days"\nvalues = ["never", 30]\n'
    loaded = load_experiment(write_experiment(tmp_path, body))
    never, thirty = build_design(loaded.experiment).points
    assert never.overrides == ('strategy.walk_away_days="never"',)
    policies = [
        resolve_policy(scenario_from_mapping(apply_overrides(loaded.base, p.overrides)).strategy)
        for p in (never, thirty)
    ]
    assert [p.walk_away_days for p in policies] == [None, 30]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("replicatons = 3\n", "exp.toml: replicatons: unknown field (did you mean 'replications'?)"),
        ('[design]\nkind = "sobool"\n', "exp.toml: design.kind: Input should be"),
        (
            '[design]\nkind = "sobol"\nsamples = 100\n[[uncertainties]]\nname = "x"\npath = "horizon_days"\nrange = [100.0, 300.0]\n',
            "a power of two",
        ),
        (
            '[[levers]]\nname = "w"\npath = "strategy.walk_away_days"\nvalues = [30, -5]\n',
            "levers[0] (w): strategy.walk_away_days:",
        ),
        (
            '[[levers]]\nname = "w"\npath = "strategy.walk_away_dayz"\nvalues = [30]\n',
            "strategy.walk_away_dayz: unknown field (did you mean 'walk_away_days'?)",
        ),
        ('[[levers]]\nname = "w"\nvalues = [30]\n', "path is required"),
        (
            '[[levers]]\nname = "Bad Name"\npath = "horizon_days"\nvalues = [30]\n',
            "levers[0].name: String should match",
        ),
        (
            '[[levers]]\nname = "w"\npath = "horizon_days"\nrange = [30.0, 60.0]\n',
            "levers take values or options",
        ),
    ],
)
def test_a_bad_experiment_file_is_one_line_and_exit_2(tmp_path: Path, body: str, expected: str) -> None:
    path = write_experiment(tmp_path, body)
    result = run_cli(["experiment", "run", str(path), "--out", "out"], cwd=tmp_path)
    assert result.returncode == 2, result.stdout
    assert expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_an_unknown_metric_is_named_with_a_suggestion(tmp_path: Path) -> None:
    path = write_experiment(tmp_path, "")
    path.write_text(path.read_text().replace('"win_rate"', '"win_rat"'))
    result = run_cli(["experiment", "run", str(path), "--out", "out"], cwd=tmp_path)
    assert result.returncode == 2
    assert "metrics: unknown figure 'win_rat' (did you mean 'win_rate'?)" in result.stderr


# ---------------------------------------------------------------------------------------------- designs


def test_levers_are_crossed_with_every_uncertainty_sample_on_the_same_seeds(tmp_path: Path) -> None:
    body = SWEEP + '\n[[uncertainties]]\nname = "reps"\npath = "sales_org.reps"\nvalues = [2, 3]\n'
    loaded = load_experiment(write_experiment(tmp_path, body))
    design = build_design(loaded.experiment)
    assert (design.uncertainty_points, design.lever_points, len(design.points)) == (2, 4, 8)
    first = design.points[5]
    assert first.labels == {"reps": 3, "strategy": "numbers-game", "walk_away_days": 90}
    assert first.overrides == (
        "sales_org.reps=3",
        'strategy.preset="numbers-game"',
        "strategy.walk_away_days=90",
    )


def test_sampled_designs_stay_inside_their_ranges_and_are_reproducible() -> None:
    for kind, samples in (("latin_hypercube", 20), ("morris", 5), ("sobol", 16)):
        spec = Experiment.model_validate(
            {
                "name": kind,
                "design": {"kind": kind, "samples": samples},
                "uncertainties": [
                    {"name": "a", "path": "horizon_days", "range": [100.0, 300.0]},
                    {"name": "b", "path": "sales_org.reps", "range": [2.0, 9.0], "integer": True},
                    {"name": "c", "path": "strategy.preset", "values": ["numbers-game", "pressure"]},
                ],
            }
        )
        design = build_design(spec)
        assert design.points == build_design(spec).points
        for point in design.points:
            assert 100.0 <= point.labels["a"] <= 300.0
            assert isinstance(point.labels["b"], int) and 2 <= point.labels["b"] <= 9
            assert point.labels["c"] in ("numbers-game", "pressure")
        expected = {"latin_hypercube": 20, "morris": 5 * 4, "sobol": 16 * 5}[kind]
        assert len(design.points) == expected


# ---------------------------------------------------------------------------------------------- runs


def test_an_experiment_returns_one_row_per_run_with_every_factor(tmp_path: Path) -> None:
    path = write_experiment(tmp_path, SWEEP)
    frame = sim.experiment(path, workers=1)
    assert frame.height == 4 * 2
    assert {"strategy", "walk_away_days", "replication", "seed", "status", "revenue", "events_sha256"} <= set(
        frame.columns
    )
    assert frame["status"].unique().to_list() == ["done"]
    # Replication r has one seed at every design point (common random numbers).
    assert frame.group_by("replication").agg(pl.col("seed").n_unique())["seed"].to_list() == [1, 1]
    # The walk-away lever reaches the runs: 30 days walks away from more deals than 90.
    direct = sim.run(
        sim.load_scenario("baseline", [*TINY, GROUPS, "strategy.walk_away_days=30"]),
        int(frame["seed"][0]),
    )
    row = frame.filter(
        (pl.col("strategy") == "numbers-game")
        & (pl.col("walk_away_days") == 30)
        & (pl.col("replication") == 0)
    )
    assert row["events_sha256"].item() == direct.content_hash()


def test_a_failing_design_point_is_recorded_and_the_others_finish(tmp_path: Path) -> None:
    path = write_experiment(tmp_path, FAILING)
    out = tmp_path / "out"
    run_experiment(path, out, SERIAL)
    frame = results_frame(out)
    failed = frame.filter(pl.col("status") == "failed")
    assert failed.height == 2  # the one point with both large values, both replications
    assert set(failed.select("group_min", "group_max").unique().rows()) == {(5, 3)}
    assert failed["error"].str.contains("max \\(3\\) must be at least min \\(5\\)").all()
    assert frame.filter(pl.col("status") == "done").height == 6
    assert status_counts(out) == {"pending": 0, "done": 6, "failed": 2}
    status = run_cli(["experiment", "status", str(out)], cwd=tmp_path)
    assert "6 done, 2 failed, 0 pending" in status.stdout, (status.returncode, status.stdout, status.stderr)
    assert "must be at least min (5)" in status.stdout
    # A rerun keeps failed runs failed, and runs nothing again.
    before = store.batch_files(out)
    run_experiment(path, out, SERIAL)
    assert store.batch_files(out) == before


# Serial, pool and a local Dask cluster giving the same runs: tests/test_runner.py, for experiments and
# comparisons alike.
@pytest.mark.slow
def test_a_dask_scheduler_reached_by_its_address_gives_the_same_runs(tmp_path: Path) -> None:
    path = write_experiment(tmp_path, SWEEP, replications=2)
    serial = sim.experiment(path, workers=1)
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        remote = sim.experiment(path, cluster=cluster.scheduler_address)
    assert hashes(serial) == hashes(remote)
    assert serial.equals(remote)


def test_a_bad_cluster_address_is_one_line(tmp_path: Path) -> None:
    path = write_experiment(tmp_path, SWEEP)
    result = run_cli(
        ["experiment", "run", str(path), "--out", "out", "--cluster", "dask.example"], cwd=tmp_path
    )
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == "error: --cluster 'dask.example': give local or a scheduler address tcp://HOST:PORT"
    )
    assert not (tmp_path / "out").exists()


def test_a_directory_holding_another_experiment_is_refused(tmp_path: Path) -> None:
    first = write_experiment(tmp_path, SWEEP, name="a.toml")
    second = write_experiment(tmp_path, SWEEP.replace("[30, 90]", "[30, 60]"), name="b.toml")
    assert (
        run_cli(["experiment", "run", str(first), "--out", "out", "--workers", "1"], cwd=tmp_path).returncode
        == 0
    )
    result = run_cli(["experiment", "run", str(second), "--out", "out", "--workers", "1"], cwd=tmp_path)
    assert result.returncode == 2
    assert "holds another experiment" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_until_half_width_adds_replications_until_intervals_are_narrow(tmp_path: Path) -> None:
    body = '\n[[levers]]\nname = "reps"\npath = "sales_org.reps"\nvalues = [3]\n'
    path = write_experiment(tmp_path, body, replications=2)
    out = tmp_path / "out"
    run_experiment(path, out, SERIAL, ExperimentOptions(until_half_width=0.25, max_replications=12))
    info = store.read_experiment_info(out)
    summary = point_summary(out).filter(pl.col("metric") == "wasted_hours")
    assert 2 < info["replications"] <= 12
    assert results_frame(out).height == info["replications"]
    row = summary.row(0, named=True)
    assert row["n"] == info["replications"]
    assert info["replications"] == 12 or row["half_width"] <= 0.25 * row["mean"]


# ---------------------------------------------------------------------------------------------- statistics


def test_intervals_of_shares_stay_inside_their_bounds() -> None:
    assert mean_interval([0.0, 0.0, 0.1], limits=(0.0, 1.0)).low == 0.0
    assert mean_interval([1.0, 0.9, 1.0], limits=(0.0, 1.0)).high == 1.0
    diff = paired_difference([1.0, 0.0, 1.0], [0.0, 1.0, 0.0], limits=(0.0, 1.0))
    assert diff.low >= -1.0 and diff.high <= 1.0


def test_point_summary_and_paired_differences_agree_with_the_runs(tmp_path: Path) -> None:
    path = write_experiment(tmp_path, SWEEP, replications=3)
    out = tmp_path / "out"
    run_experiment(path, out, SERIAL)
    runs = results_frame(out)
    summary = point_summary(out)
    for point in range(4):
        values = runs.filter(pl.col("point") == point)["revenue"].to_list()
        row = summary.filter((pl.col("point") == point) & (pl.col("metric") == "revenue")).row(0, named=True)
        expected = mean_interval(values)
        assert math.isclose(row["mean"], expected.mean) and math.isclose(row["ci_high"], expected.high)
        rate = summary.filter((pl.col("point") == point) & (pl.col("metric") == "win_rate")).row(
            0, named=True
        )
        assert 0.0 <= rate["ci_low"] <= rate["ci_high"] <= 1.0
    diffs = lever_differences(out).filter(pl.col("metric") == "revenue").sort("lever_point")
    control = runs.filter(pl.col("lever_point") == 0).sort("replication")["revenue"].to_list()
    last = runs.filter(pl.col("lever_point") == 3).sort("replication")["revenue"].to_list()
    expected = paired_difference(last, control)
    row = diffs.filter(pl.col("lever_point") == 3).row(0, named=True)
    assert math.isclose(row["diff"], expected.mean) and math.isclose(row["diff_low"], expected.low)
    summarize = run_cli(["experiment", "summarize", str(out), "--format", "json"], cwd=tmp_path)
    parsed = json.loads(summarize.stdout)
    assert len(parsed["points"]) == 4 * 3 and len(parsed["differences"]) == 3 * 3
    csv = run_cli(["experiment", "summarize", str(out), "--format", "csv"], cwd=tmp_path)
    assert pl.read_csv(csv.stdout.encode()).height == 12
    # Every format writes the tidy table: the runs, one row each, as results_frame reads them.
    assert pl.read_parquet(out / "results.parquet").equals(runs)


def _ishigami(kind: str, samples: int) -> tuple[Experiment, np.ndarray, np.ndarray]:
    from SALib.test_functions import Ishigami

    spec = Experiment.model_validate(
        {
            "name": "ishigami",
            "design": {"kind": kind, "samples": samples},
            "uncertainties": [
                {"name": f"x{i}", "path": "horizon_days", "range": [-math.pi, math.pi]} for i in (1, 2, 3)
            ],
        }
    )
    x = sample_uncertainties(spec)
    return spec, x, Ishigami.evaluate(x)


def test_sobol_indices_recover_the_ishigami_function() -> None:
    spec, x, y = _ishigami("sobol", 1024)
    rows = {r["factor"]: r for r in sensitivity_indices(spec, salib_problem(spec.uncertainties), x, y, 1)}
    # Analytic values (a = 7, b = 0.1): S1 = 0.314, 0.442, 0; ST = 0.558, 0.442, 0.244.
    for name, s1, st in (("x1", 0.314, 0.558), ("x2", 0.442, 0.442), ("x3", 0.0, 0.244)):
        assert abs(rows[name]["S1"] - s1) <= max(2 * rows[name]["S1_conf"], 0.05)
        assert abs(rows[name]["ST"] - st) <= max(2 * rows[name]["ST_conf"], 0.05)
    assert rows["x2"]["S1"] > rows["x1"]["S1"] > rows["x3"]["S1"]
    assert rows["x1"]["ST"] > rows["x2"]["ST"] > rows["x3"]["ST"]


def test_morris_ranks_the_ishigami_inputs() -> None:
    spec, x, y = _ishigami("morris", 60)
    rows = {r["factor"]: r for r in sensitivity_indices(spec, salib_problem(spec.uncertainties), x, y, 1)}
    assert rows["x1"]["mu_star"] > rows["x3"]["mu_star"] and rows["x2"]["mu_star"] > rows["x3"]["mu_star"]
    # x3 acts only through its interaction with x1: its effect varies far more than it averages.
    assert abs(rows["x3"]["mu"]) < rows["x3"]["sigma"]


@pytest.mark.slow
def test_the_shipped_sensitivity_study_runs_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "study"
    result = run_cli(
        ["experiment", "run", "market_sensitivity", "--out", str(out), "--workers", "2"],
        cwd=tmp_path,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert status_counts(out) == {"pending": 0, "done": 126, "failed": 0}
    indices = sensitivity(out)
    revenue = indices.filter(pl.col("metric") == "revenue")
    assert revenue.height == 6 and (revenue["mu_star"] >= 0).all()
    # SMB win odds move an SMB-heavy market's bookings more than Fortune 1000 champions do.
    by = dict(zip(revenue["factor"].to_list(), revenue["mu_star"].to_list(), strict=True))
    assert by["smb_win_odds"] > by["champion"]


# ---------------------------------------------------------------------------------------------- resume


def _run_files(out: Path) -> pl.DataFrame:
    return pl.concat([pl.read_parquet(p) for p in store.batch_files(out)])


@pytest.mark.slow
def test_a_killed_experiment_resumes_to_exactly_the_uninterrupted_runs(tmp_path: Path) -> None:
    path = write_experiment(tmp_path, SWEEP, replications=12)  # 48 runs
    whole = tmp_path / "whole"
    run_experiment(path, whole, Execution(workers=2))
    expected = hashes(results_frame(whole))

    out = tmp_path / "killed"
    process = subprocess.Popen(
        [sys.executable, "-m", "sim", "experiment", "run", str(path), "--out", str(out), "--workers", "2"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if out.exists() and store.is_experiment_dir(out):
            finished = sum(pl.read_parquet(p).height for p in store.batch_files(out))
            if finished >= 16:
                break
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    partial = sum(pl.read_parquet(p).height for p in store.batch_files(out))
    assert 0 < partial < 48, "the kill should land part-way"

    again = run_cli(["experiment", "run", str(path), "--out", str(out), "--workers", "2"], cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "48 done, 0 failed, 0 pending" in again.stdout
    rows = _run_files(out)
    assert rows.height == 48 and rows.select("point", "replication").n_unique() == 48  # none twice
    assert hashes(results_frame(out)) == expected


def test_a_script_without_a_main_guard_gets_one_line(tmp_path: Path) -> None:
    script = tmp_path / "sweep.py"
    script.write_text(
        "import sim\n"
        f"scenario = sim.load_scenario('baseline', {TINY!r})\n"
        "sim.compare(scenario, ['numbers-game', 'qualify-hard'], replications=2, workers=2)\n"
    )
    result = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "sweep.py:3: sim.compare starts worker processes" in lines[0]
    assert 'if __name__ == "__main__":' in lines[0]
    guarded = tmp_path / "guarded.py"
    guarded.write_text(
        "import sim\n\nif __name__ == '__main__':\n"
        f"    scenario = sim.load_scenario('baseline', {TINY!r})\n"
        "    runs = sim.compare(scenario, ['numbers-game'], replications=2, workers=2)\n"
        "    print(runs.height)\n"
    )
    ok = subprocess.run(
        [sys.executable, str(guarded)], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == "2"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--workers", "0"], "error: --workers 0: must be from 1 to 256"),
        (
            ["--until-half-width", "2"],
            "error: --until-half-width 2.0: must be a share between 0 and 1, e.g. 0.05",
        ),
        (["--max-replications", "0"], "error: --max-replications 0: must be from 1 to 10,000"),
        (["--replications", "0"], "error: --replications 0: must be from 1 to 10,000"),
        (["--replications", "-1"], "error: --replications -1: must be from 1 to 10,000"),
        (["--replications", "abc"], "error: Invalid value for '--replications'"),
        (["--set", "nonsense"], "error: --set: 'nonsense': expected dotted.path=value"),
        (["--set", "market.nope=3"], "exp.toml: scenario: baseline: market.nope: unknown field"),
        (["--set", "horizon_days=abc"], "exp.toml: scenario: baseline: horizon_days: Input should be"),
    ],
)
def test_bad_experiment_run_flags_are_one_line_and_write_nothing(
    tmp_path: Path, args: list[str], expected: str
) -> None:
    path = write_experiment(tmp_path, SWEEP)
    result = run_cli(["experiment", "run", str(path), "--out", "out", *args], cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_replications_and_set_shrink_a_study_and_a_directory_names_what_it_holds(tmp_path: Path) -> None:
    path = write_experiment(tmp_path, SWEEP, replications=5)
    run = ["experiment", "run", str(path), "--out", "out", "--workers", "1"]
    result = run_cli([*run, "--replications", "1", "--set", "sales_org.reps=2"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    info = store.read_experiment_info(tmp_path / "out")
    assert info["replications"] == 1
    assert info["asked"] == {"replications": 1, "set": ["sales_org.reps=2"]}
    assert info["base"]["sales_org"]["reps"] == 2
    assert store.scan_results(tmp_path / "out").collect().height == 4  # type: ignore[union-attr]
    # The same flags resume it; other values are refused in one line naming both.
    assert run_cli([*run, "--replications", "1", "--set", "sales_org.reps=2"], cwd=tmp_path).returncode == 0
    refused = run_cli([*run, "--replications", "2"], cwd=tmp_path)
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        "error: out holds test with 1 replications and --set sales_org.reps=2; this run asks for 2 "
        "replications and no --set; rerun with the stored values, or choose another --out"
    )
    # The Python API takes the same values.
    frame = sim.experiment(path, workers=1, replications=1, overrides=["sales_org.reps=2"])
    assert frame.height == 4


def test_a_missing_base_scenario_is_named_with_the_file(tmp_path: Path) -> None:
    path = write_experiment(tmp_path, SWEEP)
    path.write_text(path.read_text().replace('scenario = "baseline"', 'scenario = "basline"'))
    result = run_cli(["experiment", "run", str(path), "--out", "out"], cwd=tmp_path)
    assert result.returncode == 2
    assert (
        result.stderr.startswith("error: ") and "exp.toml: scenario: basline: no such file" in result.stderr
    )
    assert "did you mean 'baseline'" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["status", "summarize"])
def test_reading_a_directory_that_holds_no_experiment_is_one_line(tmp_path: Path, command: str) -> None:
    (tmp_path / "other").mkdir()
    result = run_cli(["experiment", command, "other"], cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "error: other: not an experiment directory (no experiment.json)"
    assert list((tmp_path / "other").iterdir()) == []


def test_a_bad_summary_format_is_one_line_and_writes_no_summary(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_experiment(write_experiment(tmp_path, SWEEP), out, SERIAL)
    result = run_cli(["experiment", "summarize", str(out), "--format", "xml"], cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "error: --format 'xml': must be table, csv or json"
    assert not (out / "summary").exists() and not (out / "results.parquet").exists()
