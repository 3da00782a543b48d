"""Fault injection: ``salesim run`` and ``salesim compare`` killed with SIGKILL at many points leave nothing or a
complete, verified directory, and the same command then succeeds with no clean-up by hand; a killed compare
parent leaves no worker behind.

Points are of two kinds: just before the N-th filesystem step of the command (every mkdir, open, fsync,
rename, unlink the store makes; ``tests/fault_kill.py`` does the killing), spread from the first step to the
last; and at times spread over a parallel compare, so workers are mid-run when their parent dies.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import run_cli

from sim.results import load_run
from sim.store.comparisons import read_comparison

FAULT_KILL = Path(__file__).with_name("fault_kill.py")
TINY = [
    arg
    for o in (
        "market.smb.accounts=50",
        "market.mid_market.accounts=0",
        "market.f1000.accounts=0",
        "horizon_days=200",
    )
    for arg in ("--set", o)
]
RUN = ["run", "baseline", *TINY]
COMPARE = ["compare", "baseline", "--strategies", "numbers-game,qualify-hard", "--replications", "2", *TINY]


def _hooked(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(FAULT_KILL), *args],
        cwd=cwd,
        env={**os.environ, "NO_COLOR": "1", **env},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def _steps(args: list[str], root: Path) -> int:
    """How many filesystem steps the command makes when nothing goes wrong."""
    (root / "count").mkdir()
    done = _hooked([*args, "--out", str(root / "count" / "out")], root, SALESIM_COUNT_TO=str(root / "n"))
    assert done.returncode == 0, done.stderr
    return int((root / "n").read_text())


def _points(total: int, spread: int) -> list[int]:
    """``spread`` points from the first step to the last, plus the last four (rename, fsyncs, release)."""
    evenly = {1 + round(i * (total - 1) / (spread - 1)) for i in range(spread)}
    return sorted(evenly | set(range(max(1, total - 3), total + 1)))


def _verify(out: Path, kind: str) -> None:
    if kind == "run":
        load_run(out)
    else:
        assert len(list(read_comparison(out).read_runs())) == 4


def _check_after_kill(folder: Path, args: list[str], kind: str) -> str:
    """Nothing or a complete verified directory; then the same command (or, if complete, a clean refusal)."""
    out = folder / "out"
    state = "complete" if out.exists() else "nothing"
    if state == "complete":
        _verify(out, kind)
    again = run_cli([*args, "--out", str(out)], cwd=folder, timeout=180)
    if state == "nothing":
        assert again.returncode == 0, f"{folder.name}: rerun failed: {again.stderr}"
    else:
        assert again.returncode == 2 and "not empty" in again.stderr, again.stderr
    _verify(out, kind)
    leftovers = [p.name for p in folder.iterdir() if p.name != "out"]
    assert leftovers == [], f"{folder.name}: left behind {leftovers}"
    return state


def _kill_at_steps(args: list[str], kind: str, root: Path, spread: int) -> dict[str, int]:
    total = _steps(args, root)
    points = _points(total, spread)
    assert len(points) >= 10

    def one(step: int) -> str:
        folder = root / f"step-{step:03d}"
        folder.mkdir()
        killed = _hooked([*args, "--out", str(folder / "out")], folder, SALESIM_KILL_AT=str(step))
        assert killed.returncode == -signal.SIGKILL, f"step {step}: {killed.returncode} {killed.stderr}"
        return _check_after_kill(folder, args, kind)

    with ThreadPoolExecutor(max_workers=3) as pool:
        states = list(pool.map(one, points))
    return {state: states.count(state) for state in set(states)}


@pytest.mark.slow
def test_run_killed_at_every_storage_step_leaves_nothing_or_a_verified_run(tmp_path: Path) -> None:
    states = _kill_at_steps(RUN, "run", tmp_path, spread=14)
    assert sum(states.values()) >= 10
    assert states.get("nothing", 0) > 0 and states.get("complete", 0) > 0, states


@pytest.mark.slow
def test_compare_killed_at_storage_steps_leaves_nothing_or_a_verified_comparison(tmp_path: Path) -> None:
    states = _kill_at_steps([*COMPARE, "--workers", "1"], "compare", tmp_path, spread=10)
    assert sum(states.values()) >= 10
    assert states.get("nothing", 0) > 0 and states.get("complete", 0) > 0, states


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text()
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.3, 1.0, 1.8, 2.6])
def test_compare_killed_while_its_workers_run_leaves_nothing_and_no_workers(
    tmp_path: Path, delay: float
) -> None:
    """SIGKILL to the parent only, at a time spread over a parallel compare: workers exit, nothing is left."""
    from conftest import salesim_executable

    args = [*COMPARE, "--workers", "2"]
    parent = subprocess.Popen(
        [*salesim_executable(), *args, "--out", str(tmp_path / "out")],
        cwd=tmp_path,
        env={**os.environ, "NO_COLOR": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(delay)
    workers = _children(parent.pid)
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [pid for pid in workers if _alive(pid)] == []
    _check_after_kill(tmp_path, args, "compare")


@pytest.mark.slow
def test_no_worker_outlives_a_killed_compare_parent_by_more_than_a_few_seconds(tmp_path: Path) -> None:
    from conftest import SMALL, salesim_executable

    sets = [arg for o in (*SMALL, "horizon_days=3000") for arg in ("--set", o)]
    args = ["compare", "baseline", "--strategies", "numbers-game,qualify-hard", "--replications", "4"]
    parent = subprocess.Popen(
        [*salesim_executable(), *args, "--workers", "2", "--out", str(tmp_path / "out"), *sets],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # Wait until both workers are running a replication (the run takes several seconds each).
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while len(workers) < 2:
        assert time.monotonic() < deadline and parent.poll() is None, "workers never started"
        time.sleep(0.2)
        workers = [pid for pid in _children(parent.pid) if "spawn_main" in _cmdline(pid)]
    time.sleep(1.0)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    killed_at = time.monotonic()
    while any(_alive(pid) for pid in workers) and time.monotonic() - killed_at < 10:
        time.sleep(0.05)
    outlived = time.monotonic() - killed_at
    assert [pid for pid in workers if _alive(pid)] == [], "workers outlived their parent"
    assert outlived < 3.0, f"workers took {outlived:.1f} s to notice their parent died"
    assert not (tmp_path / "out").exists()
