"""Same scenario + same seed ⇒ byte-identical log, whichever way the run is started (DESIGN: event sourcing).

The CLI runs happen in separate processes with different ``PYTHONHASHSEED`` values, so a log that depended
on set or dict iteration order of strings, or on anything else process-specific, would differ between them.
"""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import SCENARIO_DIR, run_cli, small_scenario

import sim
from sim.core.events import content_hash
from sim.store.parquet import read_events, write_events

# The file itself: a path that does not exist where the CLI runs is an error, not the shipped scenario.
SCENARIO = str(SCENARIO_DIR / "baseline.toml")


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def cli_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The shipped baseline run three times through the real CLI, concurrently: twice seed 1, once seed 2."""
    root = tmp_path_factory.mktemp("cli-determinism")
    jobs = {
        "first": (["run", SCENARIO, "--out", str(root / "first")], {"PYTHONHASHSEED": "1"}),
        "again": (["run", SCENARIO, "--out", str(root / "again")], {"PYTHONHASHSEED": "2"}),
        "seed2": (["run", SCENARIO, "--seed", "2", "--out", str(root / "seed2")], {"PYTHONHASHSEED": "3"}),
    }
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = {name: pool.submit(run_cli, args, root, env) for name, (args, env) in jobs.items()}
        results = {name: future.result() for name, future in futures.items()}
    for name, proc in results.items():
        assert proc.returncode == 0, f"{name}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return {name: root / name for name in jobs}


def test_cli_same_seed_writes_byte_identical_event_logs(cli_runs: dict[str, Path]) -> None:
    first, again = cli_runs["first"] / "events.parquet", cli_runs["again"] / "events.parquet"
    assert read_events(first).height > 1000
    assert sha256_of(first) == sha256_of(again)


def test_cli_same_seed_gives_same_content_hash(cli_runs: dict[str, Path]) -> None:
    recorded = [json.loads((cli_runs[name] / "meta.json").read_text()) for name in ("first", "again")]
    stored = [content_hash(read_events(cli_runs[name] / "events.parquet")) for name in ("first", "again")]
    assert recorded[0]["events_sha256"] == recorded[1]["events_sha256"]
    assert stored[0] == stored[1]


def test_cli_other_seed_gives_a_different_log(cli_runs: dict[str, Path]) -> None:
    first = read_events(cli_runs["first"] / "events.parquet")
    other = read_events(cli_runs["seed2"] / "events.parquet")
    assert content_hash(first) != content_hash(other)
    assert sha256_of(cli_runs["first"] / "events.parquet") != sha256_of(cli_runs["seed2"] / "events.parquet")
    meta = [json.loads((cli_runs[name] / "meta.json").read_text()) for name in ("first", "seed2")]
    assert meta[0]["events_sha256"] != meta[1]["events_sha256"]
    assert meta[1]["seed"] == 2


def test_cli_and_python_api_produce_the_same_log(cli_runs: dict[str, Path]) -> None:
    """Whatever started the run (a CLI process or this test process), the log is the same."""
    result = sim.run(sim.load_scenario(SCENARIO), seed=1)
    stored = read_events(cli_runs["first"] / "events.parquet")
    assert result.events.equals(stored)
    assert result.content_hash() == json.loads((cli_runs["first"] / "meta.json").read_text())["events_sha256"]


def test_stored_log_has_the_content_hash_recorded_for_it(cli_runs: dict[str, Path]) -> None:
    """The hash is over the log's values, so the stored log hashes to what meta.json recorded at run time.

    Otherwise a hash computed on a live run (another executor, a re-run) cannot be compared with a stored one.
    """
    recorded = json.loads((cli_runs["first"] / "meta.json").read_text())["events_sha256"]
    assert content_hash(read_events(cli_runs["first"] / "events.parquet")) == recorded


def test_content_hash_survives_a_parquet_round_trip(tmp_path: Path) -> None:
    events = sim.run(small_scenario(), seed=7).events
    write_events(events, tmp_path / "events.parquet")
    stored = read_events(tmp_path / "events.parquet")
    assert stored.equals(events)
    assert content_hash(stored) == content_hash(events)


def test_api_same_seed_gives_identical_log_and_bytes(tmp_path: Path) -> None:
    scenario = small_scenario()
    one, two = sim.run(scenario, seed=7), sim.run(scenario, seed=7)
    assert one.events.height > 1000
    assert one.events.equals(two.events)
    assert one.content_hash() == two.content_hash()
    write_events(one.events, tmp_path / "one.parquet")
    write_events(two.events, tmp_path / "two.parquet")
    assert sha256_of(tmp_path / "one.parquet") == sha256_of(tmp_path / "two.parquet")


def test_api_other_seed_gives_a_different_hash() -> None:
    scenario = small_scenario()
    assert sim.run(scenario, seed=7).content_hash() != sim.run(scenario, seed=8).content_hash()


def test_scenario_seed_is_used_when_no_seed_is_given() -> None:
    scenario = small_scenario("seed=11")
    assert sim.run(scenario).content_hash() == sim.run(scenario, seed=11).content_hash()
    assert sim.run(scenario).content_hash() != sim.run(scenario, seed=12).content_hash()


def test_content_hash_sees_a_single_changed_value() -> None:
    """The hash used for determinism checks must not be blind to small differences."""
    events = sim.run(small_scenario(), seed=7).events
    last = events.height - 1
    nudged = events.with_columns(events["t"].scatter(last, events["t"][last] + 1e-9))
    assert content_hash(nudged) != content_hash(events)
