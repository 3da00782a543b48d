"""Provenance: every file salesim writes names the salesim, Python, packages and command that wrote it (JSON
files in a ``provenance`` entry, Parquet files in their ``salesim.provenance`` key-value metadata)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import run_cli
from test_experiments import SWEEP, TINY, write_experiment

import sim
from sim.store.provenance import PACKAGES, PYTHON_API, provenance, read_parquet_provenance


def _check(record: Any, command: str | None = None) -> None:
    assert isinstance(record, dict)
    assert record["salesim_version"] == sim.__version__
    assert record["python"].count(".") == 2
    assert {"simpy", "numpy", "polars", "pyarrow", "pydantic"} <= set(record["packages"]) <= set(PACKAGES)
    if "git_commit" in record:
        assert len(record["git_commit"]) == 40
    if command is not None:
        assert record["command"].startswith(command)
    else:  # an event log: same scenario and seed, same bytes, whatever the command line
        assert "command" not in record


def _parquet(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.parquet") if not p.name.startswith("."))


def test_provenance_is_built_once_and_says_python_api_from_python() -> None:
    first, second = provenance(), provenance()
    assert first == second
    _check(first, PYTHON_API)


def test_a_run_and_a_comparison_directory_carry_provenance(tmp_path: Path) -> None:
    scenario = sim.load_scenario("baseline", TINY)
    run_dir = sim.save_run(sim.run(scenario), tmp_path / "run")
    _check(json.loads((run_dir / "meta.json").read_text())["provenance"], PYTHON_API)
    _check(read_parquet_provenance(run_dir / "events.parquet"))
    sim.load_run(run_dir)  # still verifies

    sim.compare(scenario, ["numbers-game"], replications=1, out=tmp_path / "cmp", workers=1)
    _check(json.loads((tmp_path / "cmp" / "compare.json").read_text())["provenance"], PYTHON_API)
    files = _parquet(tmp_path / "cmp")
    assert {"runs.parquet", "comparison.parquet", "events.parquet"} <= {p.name for p in files}
    for path in files:
        _check(read_parquet_provenance(path), None if path.name == "events.parquet" else PYTHON_API)


def test_an_experiment_directory_carries_provenance_in_every_file(tmp_path: Path) -> None:
    path = write_experiment(tmp_path, SWEEP, replications=1)
    result = run_cli(["experiment", "run", str(path), "--out", "out", "--workers", "1"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert run_cli(["experiment", "summarize", "out"], cwd=tmp_path).returncode == 0
    out = tmp_path / "out"
    _check(json.loads((out / "experiment.json").read_text())["provenance"], "salesim experiment run")
    files = _parquet(out)
    names = {p.relative_to(out).parts[0] for p in files}
    assert {"design.parquet", "manifest.parquet", "runs", "summary"} <= names
    for file in files:
        _check(read_parquet_provenance(file), None if file.name == "events.parquet" else "salesim experiment")


def test_a_file_written_before_provenance_reads_as_none(tmp_path: Path) -> None:
    import polars as pl

    path = tmp_path / "old.parquet"
    pl.DataFrame({"a": [1]}).write_parquet(path)
    assert read_parquet_provenance(path) is None
