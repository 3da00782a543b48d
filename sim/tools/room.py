"""A simulated workshop room: the app served in a subprocess, and participants who all press Run at once.

The load test (``tests/test_app.py``, ``slow``) and the benchmark (``benchmarks/app.py``) both drive a real
``salesim app`` on a free loopback port through its JSON API (``POST /api/run``, ``GET /api/jobs/<id>``),
which runs exactly what the page's Run button runs. Each participant has their own session and their own
levers, so the room can check that nobody is shown anybody else's results.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.app import scenarios as catalogue
from sim.app.levers import Levers

ROOM_SCENARIO = "workshop_numbers_vs_qualify"


@dataclass(frozen=True)
class LiveServer:
    """A running ``salesim app``: its address, its process and the folder it keeps the board in."""

    url: str
    process: subprocess.Popen[str]
    directory: Path


def free_port() -> int:
    """A loopback port nobody is listening on (the kernel's choice)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def salesim_command() -> list[str]:
    """The ``salesim`` beside this Python (the installed console script), else the module."""
    beside = Path(sys.executable).parent / "salesim"
    return [str(beside)] if beside.exists() else [sys.executable, "-m", "sim"]


@contextmanager
def live_server(directory: Path, startup_seconds: float = 90.0) -> Iterator[LiveServer]:
    """``salesim app`` on a free loopback port, yielded once it answers; stopped with SIGTERM afterwards."""
    port = free_port()
    env = {**os.environ, "SALESIM_WORKSHOP_DIR": str(directory), "NO_COLOR": "1"}
    process = subprocess.Popen(
        [*salesim_command(), "app", "--host", "127.0.0.1", "--port", str(port)],
        cwd=directory,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + startup_seconds
    try:
        while True:
            if process.poll() is not None:
                output = process.stdout.read() if process.stdout else ""
                raise RuntimeError(f"salesim app exited before answering: {output.strip()}")
            try:
                with urllib.request.urlopen(url, timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"salesim app did not answer within {startup_seconds:.0f} s")
            time.sleep(0.3)
        yield LiveServer(url, process, directory)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def api(
    url: str, path: str, body: dict[str, Any] | None = None, timeout: float = 60
) -> tuple[int, dict[str, Any]]:
    """One JSON request: (HTTP status, decoded answer)."""
    request = urllib.request.Request(
        url.rstrip("/") + path,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def participant_levers(i: int, scenario: str = ROOM_SCENARIO) -> dict[str, Any]:
    """A different choice for each participant (walk-away days and reps), so no two share a result."""
    base = Levers.of_scenario(catalogue.shipped(scenario)).to_mapping()
    return {**base, "walk_away_days": 30 + 15 * i, "reps": 3 + i % 4}


@dataclass(frozen=True)
class Seen:
    """What one participant saw: their answer, how long it took, and what another session got for their job."""

    participant: int
    seconds: float
    result: dict[str, Any]
    others: int


def room(
    url: str,
    participants: int,
    levers: Callable[[int], dict[str, Any]] = participant_levers,
    scenario: str = ROOM_SCENARIO,
    replications: int | None = None,
) -> list[Seen]:
    """Every participant posts a Run at the same moment and polls it to the end, each in their own session."""

    def one(i: int) -> Seen:
        session = f"participant-{i}"
        body: dict[str, Any] = {"session": session, "scenario": scenario, "levers": levers(i)}
        if replications is not None:
            body["replications"] = replications
        started = time.perf_counter()
        status, answer = api(url, "/api/run", body)
        if status != 202:
            return Seen(i, time.perf_counter() - started, {"state": "refused", **answer}, 0)
        while True:
            status, result = api(url, f"/api/jobs/{answer['job']}?session={session}&wait=2")
            if status != 200 or result.get("state") != "running":
                break
        seconds = time.perf_counter() - started
        other = f"participant-{(i + 1) % participants}"
        others = api(url, f"/api/jobs/{answer['job']}?session={other}")[0]
        return Seen(i, seconds, result, others)

    with ThreadPoolExecutor(participants) as pool:
        return list(pool.map(one, range(participants)))
