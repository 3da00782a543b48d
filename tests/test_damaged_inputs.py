"""Inputs hardened after review: out-of-range seeds, damaged run and report directories, odd strings.

Each must give one line on stderr, exit code 2, no traceback, and leave nothing half-written.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import SMALL, run_cli

import sim
from sim.results import load_run, save_run

SETS = [arg for o in (*SMALL, "horizon_days=120") for arg in ("--set", o)]


def assert_refused(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1, lines
    assert "Traceback" not in result.stdout + result.stderr
    for needle in needles:
        assert needle in lines[0]


@pytest.mark.parametrize(
    "args",
    [
        ["run", "baseline", "--seed", "99999999999999999999999"],
        ["compare", "baseline", "--strategies", "numbers-game", "--seed", "-1"],
        ["demo", "--seed", "-1"],
    ],
    ids=["run-huge-seed", "compare-negative-seed", "demo-negative-seed"],
)
def test_out_of_range_seeds_are_refused_before_anything_is_written(tmp_path: Path, args: list[str]) -> None:
    out = tmp_path / "out"
    result = run_cli([*args, "--out", str(out), *(SETS if args[0] != "demo" else [])], cwd=tmp_path)
    assert_refused(result, "--seed", "9223372036854775807")
    assert not out.exists()


@pytest.fixture(scope="module")
def stored_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    scenario = sim.load_scenario("baseline", [*SMALL, "horizon_days=120"])
    return save_run(sim.run(scenario), tmp_path_factory.mktemp("stored") / "run")


@pytest.mark.parametrize("meta", ["{", "{}", '{"seed": "abc"}'], ids=["not-json", "no-seed", "bad-seed"])
def test_replay_refuses_damaged_run_metadata(stored_run: Path, tmp_path: Path, meta: str) -> None:
    damaged = tmp_path / "run"
    shutil.copytree(stored_run, damaged)
    (damaged / "meta.json").write_text(meta)
    assert_refused(run_cli(["replay", str(damaged)], cwd=tmp_path), "meta.json")


@pytest.mark.parametrize(
    ("files", "needle"),
    [
        ({"demo.json": json.dumps({"markets": [{"x": 1}]})}, "damaged"),
        ({"demo.json": json.dumps({"markets": [1]})}, "damaged"),
        ({"compare.json": "{}", "runs.parquet": "junk", "comparison.parquet": "junk"}, "damaged"),
    ],
    ids=["demo-market-without-directory", "demo-market-not-a-table", "comparison-junk-parquet"],
)
def test_report_refuses_damaged_directories_without_writing(
    tmp_path: Path, files: dict[str, str], needle: str
) -> None:
    directory = tmp_path / "d"
    directory.mkdir()
    for name, text in files.items():
        (directory / name).write_text(text)
    assert_refused(run_cli(["report", str(directory)], cwd=tmp_path), needle)
    assert not (directory / "report.html").exists()


def test_names_with_control_characters_survive_the_run_directory(tmp_path: Path) -> None:
    scenario = sim.load_scenario("baseline", [*SMALL, "horizon_days=60", 'name="a\\u0001b\\ttab ünï"'])
    stored = save_run(sim.run(scenario), tmp_path / "run")
    assert load_run(stored).scenario.name == "a\x01b\ttab ünï"
