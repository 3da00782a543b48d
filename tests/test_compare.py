"""Strategy comparison: common random numbers, parallel equals serial, intervals, the CLI and its errors."""

from __future__ import annotations

import math
from pathlib import Path

import polars as pl
import pytest
from conftest import SMALL, run_cli, small_scenario

import sim
from sim.core.events import MARKET_KINDS
from sim.core.rng import replication_seeds
from sim.store.parquet import read_events
from sim.study.arms import parse_arms, unshared_overrides
from sim.study.comparison import compare, compare_table
from sim.study.stats import mean_interval, paired_difference

VOLATILE = ("run_dir",)


@pytest.fixture(scope="module")
def serial_and_parallel(tmp_path_factory: pytest.TempPathFactory) -> tuple[pl.DataFrame, pl.DataFrame, Path]:
    scenario = small_scenario("horizon_days=240")
    out = tmp_path_factory.mktemp("cmp") / "parallel"
    serial = compare(scenario, ["numbers-game", "qualify-hard"], replications=2, seed=7, workers=1)
    parallel = compare(scenario, ["numbers-game", "qualify-hard"], replications=2, seed=7, workers=2, out=out)
    return serial, parallel, out


def test_parallel_comparison_equals_serial(
    serial_and_parallel: tuple[pl.DataFrame, pl.DataFrame, Path],
) -> None:
    serial, parallel, _ = serial_and_parallel
    assert serial.drop(VOLATILE).equals(parallel.drop(VOLATILE))
    assert serial["events_sha256"].to_list() == parallel["events_sha256"].to_list()


def test_every_strategy_gets_the_same_seed_per_replication(
    serial_and_parallel: tuple[pl.DataFrame, pl.DataFrame, Path],
) -> None:
    serial, _, _ = serial_and_parallel
    by_rep = serial.group_by("replication").agg(
        pl.col("seed").n_unique().alias("seeds"), pl.col("seed").first()
    )
    assert by_rep["seeds"].to_list() == [1, 1]
    assert sorted(by_rep["seed"].to_list()) == sorted(replication_seeds(7, 2))


def test_strategies_in_one_replication_face_identical_market_events(
    serial_and_parallel: tuple[pl.DataFrame, pl.DataFrame, Path],
) -> None:
    _, _, out = serial_and_parallel
    logs = [
        read_events(out / name / "rep-000" / "events.parquet") for name in ("numbers-game", "qualify-hard")
    ]
    market = [log.filter(pl.col("kind").is_in(MARKET_KINDS)).drop("seq") for log in logs]
    assert market[0].height > 100
    assert market[0].equals(market[1])
    # ...while what the reps did differs.
    assert logs[0].height != logs[1].height


def test_paired_difference_is_the_mean_of_per_replication_differences(
    serial_and_parallel: tuple[pl.DataFrame, pl.DataFrame, Path],
) -> None:
    serial, _, _ = serial_and_parallel
    table = compare_table(serial)
    row = table.filter((pl.col("metric") == "revenue") & (pl.col("arm") == "qualify-hard")).row(0, named=True)
    a = serial.filter(pl.col("arm") == "qualify-hard").sort("replication")["revenue"].to_list()
    b = serial.filter(pl.col("arm") == "numbers-game").sort("replication")["revenue"].to_list()
    assert row["diff"] == pytest.approx(sum(x - y for x, y in zip(a, b, strict=True)) / len(a))
    assert row["mean"] == pytest.approx(sum(a) / len(a))
    control = table.filter((pl.col("metric") == "revenue") & (pl.col("arm") == "numbers-game")).row(
        0, named=True
    )
    assert control["diff"] is None


def test_mean_interval_matches_the_t_distribution() -> None:
    interval = mean_interval([1.0, 2.0, 3.0, 4.0, 5.0])
    half = 2.7764451051977987 * math.sqrt(2.5) / math.sqrt(5)
    assert interval.mean == pytest.approx(3.0)
    assert (interval.low, interval.high) == (pytest.approx(3.0 - half), pytest.approx(3.0 + half))
    assert math.isnan(mean_interval([4.0]).low)
    assert mean_interval([math.nan, 1.0, 3.0]).n == 2


def test_paired_difference_skips_pairs_with_a_missing_side() -> None:
    diff = paired_difference([3.0, math.nan, 5.0], [1.0, 2.0, 4.0])
    assert diff.n == 2
    assert diff.mean == pytest.approx(1.5)


def test_python_api_compare_returns_one_row_per_run() -> None:
    runs = sim.compare(
        small_scenario("horizon_days=120"), ["numbers-game", "pressure"], replications=2, workers=1
    )
    assert runs.height == 4
    assert runs["arm"].to_list() == ["numbers-game", "numbers-game", "pressure", "pressure"]
    assert {"revenue", "win_rate", "wasted_hours", "no_decision_rate"} <= set(runs.columns)


def test_cli_compare_prints_intervals_and_paired_differences(tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    sets = [arg for o in (*SMALL, "horizon_days=200") for arg in ("--set", o)]
    result = run_cli(
        [
            "compare",
            "baseline",
            "--strategies",
            "numbers-game,qualify-hard",
            "--replications",
            "3",
            "--seed",
            "5",
            "--out",
            str(out),
            *sets,
        ],
        cwd=tmp_path,
        env={"COLUMNS": "200"},
    )
    assert result.returncode == 0, result.stderr
    assert "note:" not in result.stdout, "no strategy overrides were set, so nothing to warn about"
    assert "95% CI" in result.stdout and "paired diff" in result.stdout
    assert "bookings" in result.stdout and "win rate" in result.stdout
    runs = pl.read_parquet(out / "runs.parquet")
    assert runs.height == 6
    assert (out / "comparison.parquet").exists() and (out / "compare.json").exists()
    assert sorted(p.name for p in (out / "qualify-hard").iterdir()) == ["rep-000", "rep-001", "rep-002"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--strategies", "numbers-game,qualify-hrad"], "did you mean 'qualify-hard'"),
        (["--strategies", "numbers-game,nonsense"], "valid: numbers-game, qualify-hard"),
        (["--strategies", ","], "at least one strategy"),
        (["--strategies", "numbers-game,numbers-game"], "listed twice"),
        (["--strategies", "numbers-game", "--replications", "0"], "--replications 0"),
        (["--strategies", "numbers-game", "--workers", "0"], "--workers 0"),
    ],
)
def test_cli_compare_refuses_bad_strategies_and_counts(
    tmp_path: Path, args: list[str], expected: str
) -> None:
    out = tmp_path / "never"
    result = run_cli(["compare", "baseline", "--out", str(out), *args], cwd=tmp_path)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and expected in lines[0]
    assert "Traceback" not in result.stdout + result.stderr
    assert not out.exists()


def test_scenarios_command_lists_every_shipped_scenario_with_its_question(tmp_path: Path) -> None:
    result = run_cli(["scenarios"], cwd=tmp_path, env={"COLUMNS": "250"})
    assert result.returncode == 0
    shipped = sorted((Path(sim.__file__).parent / "scenarios").glob("*.toml"))
    assert len(shipped) >= 6
    for path in shipped:
        assert path.stem in result.stdout
        question = sim.config.read_toml(path)["question"]
        assert question[:40] in " ".join(result.stdout.split())


def test_overrides_that_reach_only_the_files_preset_are_named() -> None:
    scenario = small_scenario("strategy.preset=qualify-hard", "strategy.walk_away_days=30")
    both = parse_arms("numbers-game,qualify-hard")
    assert unshared_overrides(scenario, both) == ["walk_away_days=30.0"]
    assert unshared_overrides(scenario, parse_arms("qualify-hard")) == []
    assert unshared_overrides(small_scenario(), both) == []


def test_cli_compare_warns_when_a_strategy_override_reaches_one_preset_only(tmp_path: Path) -> None:
    sets = [arg for o in (*SMALL, "horizon_days=60", "strategy.walk_away_days=30") for arg in ("--set", o)]
    result = run_cli(
        [
            *("compare", "baseline", "--strategies", "numbers-game,qualify-hard", "--replications", "1"),
            *("--workers", "1", "--out", str(tmp_path / "cmp"), *sets),
        ],
        cwd=tmp_path,
        env={"COLUMNS": "250"},
    )
    assert result.returncode == 0, result.stderr
    assert (
        "walk_away_days=30.0 apply to numbers-game only; qualify-hard starts from its preset" in result.stdout
    )


def test_intervals_are_cut_only_at_bounds_a_figure_really_has() -> None:
    runs = pl.DataFrame(
        {
            "arm": ["a"] * 3 + ["b"] * 3,
            "replication": [0, 1, 2] * 2,
            "win_rate": [0.0, 0.01, 0.0, 0.02, 0.0, 0.01],
            "reputation_change": [-3.6, -3.7, -3.5, -1.0, -1.2, -0.9],
        }
    )
    table = compare_table(runs, ["win_rate", "reputation_change"])
    share = table.filter((pl.col("metric") == "win_rate") & (pl.col("arm") == "a")).row(0, named=True)
    assert share["ci_low"] == 0.0  # a share's interval stops at 0
    own = table.filter((pl.col("metric") == "reputation_change") & (pl.col("arm") == "a")).row(0, named=True)
    assert (
        own["ci_high"] < 0 and own["ci_low"] < own["mean"] < own["ci_high"]
    )  # a caller's own figure is not cut
