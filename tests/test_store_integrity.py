"""The store's promises: a run directory is verified on every read, one writer holds an output at a time, and a
failed write leaves nothing behind.

Tamper tests edit a stored run the way a person or a broken tool might (a value, dropped rows, a column's
type, the summary, a schema version, a scenario from another run) and check each is refused in one line.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import SMALL, LiveRun, run_cli

import sim
from sim.results import RunResult, load_run, save_run
from sim.store.comparisons import read_comparison
from sim.store.directories import claim, lock_file, staged
from sim.store.files import StoreError, atomic_write_bytes
from sim.store.parquet import SchemaError
from sim.store.runs import RunDirError
from sim.study.comparison import compare

TINY = (
    "market.smb.accounts=50",
    "market.mid_market.accounts=0",
    "market.f1000.accounts=0",
    "horizon_days=120",
)
TINY_SETS = [arg for o in TINY for arg in ("--set", o)]


@pytest.fixture(scope="module")
def stored(small_run: LiveRun, tmp_path_factory: pytest.TempPathFactory) -> Path:
    result = RunResult(scenario=small_run.scenario, seed=small_run.seed, events=small_run.events)
    return save_run(result, tmp_path_factory.mktemp("stored") / "run")


def _copy(stored: Path, tmp_path: Path) -> Path:
    target = tmp_path / "run"
    shutil.copytree(stored, target)
    return target


def _rewrite_log(run_dir: Path, change: object) -> None:
    """Rewrite events.parquet through ``change`` (a pyarrow Table -> Table), keeping its metadata."""
    path = run_dir / "events.parquet"
    table = pq.read_table(path)
    changed = change(table)  # type: ignore[operator]
    pq.write_table(changed.replace_schema_metadata(table.schema.metadata), path, compression="zstd")


def _times_ten(table: pa.Table) -> pa.Table:
    amounts = pl.from_arrow(table["amount"]) * 10  # type: ignore[operator]
    return table.set_column(table.schema.get_field_index("amount"), "amount", amounts.to_arrow())


def _half_the_rows(table: pa.Table) -> pa.Table:
    return table.slice(0, table.num_rows // 2)


def _amount_as_float32(table: pa.Table) -> pa.Table:
    index = table.schema.get_field_index("amount")
    return table.set_column(index, "amount", table["amount"].cast(pa.float32()))


def _edit_meta(run_dir: Path, **changes: object) -> None:
    meta = json.loads((run_dir / "meta.json").read_text())
    meta.update(changes)
    (run_dir / "meta.json").write_text(json.dumps(meta))


def _assert_one_line(exc: Exception, *needles: str) -> None:
    message = str(exc)
    assert "\n" not in message
    for needle in needles:
        assert needle in message, message


def test_an_untouched_run_loads_and_keeps_its_hash(stored: Path, small_run: LiveRun) -> None:
    loaded = load_run(stored)
    assert loaded.events.equals(small_run.events)
    assert loaded.content_hash() == sim.core.events.content_hash(small_run.events)


def _half_the_rows_with_their_count(run_dir: Path) -> None:
    _rewrite_log(run_dir, _half_the_rows)
    _edit_meta(run_dir, events=pq.read_metadata(run_dir / "events.parquet").num_rows)


def _edited_summary(run_dir: Path) -> None:
    summary = json.loads((run_dir / "summary.json").read_text())
    (run_dir / "summary.json").write_text(json.dumps({**summary, "revenue": 1e12}))


def _log_schema_version(run_dir: Path) -> None:
    table = pq.read_table(run_dir / "events.parquet")
    metadata = {**(table.schema.metadata or {}), b"salesim.schema_version": b"99"}
    pq.write_table(table.replace_schema_metadata(metadata), run_dir / "events.parquet")


def _scenario_of_another_run(run_dir: Path) -> None:
    other = save_run(sim.run(sim.load_scenario("baseline", list(TINY)), seed=3), run_dir.parent / "other")
    shutil.copy(other / "scenario.toml", run_dir / "scenario.toml")


TAMPERS: dict[str, tuple[Callable[[Path], None], type[Exception], tuple[str, ...]]] = {
    "changed_value": (
        lambda d: _rewrite_log(d, _times_ten),
        RunDirError,
        ("events.parquet does not match meta.json", "content hash"),
    ),
    "dropped_rows": (
        lambda d: _rewrite_log(d, _half_the_rows),
        RunDirError,
        ("events.parquet does not match meta.json", "events"),
    ),
    "dropped_rows_and_count": (
        _half_the_rows_with_their_count,
        RunDirError,
        ("events.parquet does not match meta.json", "content hash"),
    ),
    "changed_column_type": (
        lambda d: _rewrite_log(d, _amount_as_float32),
        RunDirError,
        ("events.parquet does not match schema version", "amount", "Float32"),
    ),
    "edited_summary": (_edited_summary, RunDirError, ("summary.json does not match meta.json",)),
    "meta_schema_version": (
        lambda d: _edit_meta(d, schema_version=99),
        RunDirError,
        ("meta.json", "schema version 99"),
    ),
    "log_schema_version": (_log_schema_version, SchemaError, ("events.parquet", "schema version 99")),
    "scenario_of_another_run": (
        _scenario_of_another_run,
        RunDirError,
        ("scenario.toml does not match meta.json",),
    ),
    "meta_strategy": (
        lambda d: _edit_meta(d, strategy="qualify-hard"),
        RunDirError,
        ("scenario.toml does not match meta.json", "strategy"),
    ),
}


@pytest.mark.parametrize("tamper", list(TAMPERS))
def test_a_tampered_run_is_refused_in_one_line(stored: Path, tmp_path: Path, tamper: str) -> None:
    change, error, needles = TAMPERS[tamper]
    run_dir = _copy(stored, tmp_path)
    change(run_dir)
    with pytest.raises(error) as caught:
        load_run(run_dir)
    _assert_one_line(caught.value, *needles)


@pytest.mark.parametrize(
    ("tamper", "needle"),
    [
        ("changed_value", "content hash"),
        ("edited_summary", "summary.json does not match meta.json"),
    ],
)
def test_replay_and_report_refuse_a_tampered_run_in_one_line(
    stored: Path, tmp_path: Path, tamper: str, needle: str
) -> None:
    run_dir = _copy(stored, tmp_path)
    TAMPERS[tamper][0](run_dir)
    for args in (["replay", str(run_dir)], ["report", str(run_dir)]):
        done = run_cli(args, cwd=tmp_path)
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        assert done.returncode == 2, done.stderr
        assert len(lines) == 1 and needle in lines[0], lines
        assert "Traceback" not in done.stderr
    assert not (run_dir / "report.html").exists()


def test_the_run_report_shows_figures_from_the_log_not_from_summary_json(stored: Path) -> None:
    from sim.viz.report import run_section

    section = run_section(stored)
    revenue = sim.metrics.summary(load_run(stored).events)["revenue"]
    assert sim.words.format.fmt(float(revenue)) in section.table_html


# ------------------------------------------------------------------------------------------------------
# Comparisons
# ------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def comparison(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cmp") / "cmp"
    scenario = sim.load_scenario("baseline", list(TINY))
    compare(scenario, ["numbers-game", "qualify-hard"], replications=2, seed=4, out=out, workers=1)
    return out


def test_compare_writes_a_complete_comparison_directory(comparison: Path) -> None:
    stored = read_comparison(comparison)
    runs = list(stored.read_runs())
    assert len(runs) == 4
    assert sorted(p.name for p in comparison.iterdir()) == [
        "compare.json",
        "comparison.parquet",
        "numbers-game",
        "qualify-hard",
        "runs.parquet",
    ]
    assert stored.runs["run_dir"].to_list()[0] == str(comparison / "numbers-game" / "rep-000")
    # The table holds no wall-clock figure, so two identical comparisons write identical tables.
    assert "wall_seconds" not in stored.runs.columns


def test_a_run_swapped_between_comparisons_is_refused(comparison: Path, tmp_path: Path) -> None:
    copy = tmp_path / "cmp"
    shutil.copytree(comparison, copy)
    shutil.rmtree(copy / "qualify-hard" / "rep-001")
    shutil.copytree(comparison / "qualify-hard" / "rep-000", copy / "qualify-hard" / "rep-001")
    with pytest.raises(StoreError, match=r"does not match runs\.parquet"):
        list(read_comparison(copy).read_runs())


def test_an_edited_runs_table_is_refused(comparison: Path, tmp_path: Path) -> None:
    copy = tmp_path / "cmp"
    shutil.copytree(comparison, copy)
    runs = pl.read_parquet(copy / "runs.parquet").with_columns(pl.col("revenue") + 1)
    runs.write_parquet(copy / "runs.parquet")
    with pytest.raises(StoreError, match=r"runs\.parquet does not match compare\.json"):
        read_comparison(copy)


# ------------------------------------------------------------------------------------------------------
# One writer at a time
# ------------------------------------------------------------------------------------------------------


def test_a_claimed_output_names_its_holder_to_a_second_writer(tmp_path: Path) -> None:
    target = tmp_path / "out"
    code = (
        "import sys, time; from pathlib import Path; from sim.store.directories import claim\n"
        "with claim(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(60)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", code, str(target)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(StoreError) as caught, claim(target):
            pass
        _assert_one_line(caught.value, str(target), f"pid {holder.pid}")
        assert lock_file(target).read_text().strip() == str(holder.pid)
    finally:
        holder.kill()
        holder.wait()
    # The kernel released the killed holder's lock: the next writer needs no clean-up.
    with claim(target):
        assert lock_file(target).read_text().strip() == str(os.getpid())
    assert not lock_file(target).exists()


def test_two_cli_writers_on_one_output_path_exactly_one_succeeds(tmp_path: Path) -> None:
    out = tmp_path / "shared"
    sets = [arg for o in (*SMALL, "horizon_days=730") for arg in ("--set", o)]
    env = {**os.environ, "NO_COLOR": "1"}
    from conftest import salesim_executable

    first = subprocess.Popen(
        [*salesim_executable(), "run", "baseline", "--out", str(out), *sets],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # Start the second writer once the first holds the output, so the two really overlap.
    deadline = time.monotonic() + 30
    while not lock_file(out).exists() or not lock_file(out).read_text().strip():
        assert time.monotonic() < deadline and first.poll() is None, "first writer never claimed the output"
        time.sleep(0.02)
    second = run_cli(["run", "baseline", "--seed", "3", "--out", str(out), *sets], cwd=tmp_path)
    _, first_err = first.communicate(timeout=120)
    codes = sorted([first.returncode, second.returncode])
    assert codes == [0, 2], (first_err, second.stderr)
    assert first.returncode == 0, first_err
    lines = [line for line in second.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and str(out) in lines[0], second.stderr
    assert f"pid {first.pid}" in lines[0] or "not empty" in lines[0], lines[0]
    assert load_run(out).seed == 1
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_two_compares_into_one_folder_leave_one_consistent_comparison(tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    args = ["compare", "baseline", "--strategies", "numbers-game,qualify-hard", "--replications", "2"]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        jobs = [
            pool.submit(
                run_cli,
                [*args, "--seed", str(seed), "--workers", "1", "--out", str(out), *TINY_SETS],
                tmp_path,
            )
            for seed in (1, 2)
        ]
        done = [job.result() for job in jobs]
    assert sorted(d.returncode for d in done) == [0, 2], [d.stderr for d in done]
    loser = next(d for d in done if d.returncode == 2)
    assert len(loser.stderr.strip().splitlines()) == 1
    assert len(list(read_comparison(out).read_runs())) == 4


# ------------------------------------------------------------------------------------------------------
# Nothing half-written
# ------------------------------------------------------------------------------------------------------


def test_a_write_that_fails_midway_leaves_nothing(
    small_run: LiveRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sim.store.runs as runs

    def full_disk(*_: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", "events.parquet")

    monkeypatch.setattr(runs, "write_events", full_disk)
    target = tmp_path / "new" / "deeper" / "run"
    result = RunResult(scenario=small_run.scenario, seed=1, events=small_run.events)
    with pytest.raises(OSError):
        save_run(result, target)
    assert list(tmp_path.iterdir()) == [], "the folders made for the run were left behind"


def test_a_full_disk_while_writing_a_file_is_one_line_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(StoreError) as caught:
        atomic_write_bytes(tmp_path / "meta.json", b"{}")
    _assert_one_line(caught.value, "meta.json", "No space left on device")
    assert list(tmp_path.iterdir()) == []


def test_stale_temporaries_of_dead_writers_are_removed_by_the_next_writer(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".run.tmp-{dead.pid}-abcd"
    (stale / "sub").mkdir(parents=True)
    (stale / "scenario.toml").write_text("x")
    live = tmp_path / f".run.tmp-{os.getpid()}-beef"
    live.mkdir()
    with staged(tmp_path / "run") as building:
        (building / "file").write_text("done")
    assert not stale.exists()
    assert live.exists(), "a temporary whose writer is alive is not stale"
    assert (tmp_path / "run" / "file").read_text() == "done"


def test_an_empty_output_directory_is_replaced_whole(tmp_path: Path) -> None:
    (tmp_path / "run").mkdir()
    with staged(tmp_path / "run") as building:
        (building / "file").write_text("done")
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_a_sigterm_during_a_run_leaves_nothing(tmp_path: Path) -> None:
    from conftest import salesim_executable

    out = tmp_path / "run"
    sets = [arg for o in (*SMALL, "horizon_days=3000") for arg in ("--set", o)]
    proc = subprocess.Popen(
        [*salesim_executable(), "run", "baseline", "--out", str(out), *sets],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not lock_file(out).exists():
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []
