"""The board: the room's lever choices, one per team, ranked on the same market draws.

This is the app's one piece of shared mutable state, and it is explicit: a :class:`Board` object with a lock,
owned by the server, saved to a JSON file on every change (written atomically, so a crash leaves the last
whole board) and to named files the facilitator can reopen for a later round.

Every team's choice runs on the same scenario and the same replication seeds (the scenario's root seed, as
``sim.compare`` uses), so the ranking compares strategies, not luck: a team cannot win by drawing an easier
market. The figures themselves come from :class:`~sim.app.runner.Runner` (cached by arm), never stored here.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.app.levers import LeverError, Levers
from sim.config import ScenarioError
from sim.store.files import StoreError, atomic_write_bytes

MAX_TEAMS = 40
"""The most teams a board takes (a room, not a crowd)."""

TEAM_NAME = re.compile(r"[^\x00-\x1f\x7f]{1,40}")
"""A team's name: 1 to 40 printable characters."""

ROUND_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,47}")
"""A saved round's name: it names a file, so letters, digits, ``_`` and ``-`` only."""

BOARD_VERSION = 1


class BoardError(ScenarioError):
    """A submission or a save the board refuses; one line for the page."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One team's choice."""

    team: str
    levers: Levers
    submitted: float


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The board at one moment: what the page renders, without holding the lock."""

    scenario: str
    replications: int
    entries: tuple[Entry, ...]
    version: int


class Board:
    """The room's board: a scenario, a replication count, and each team's latest choice."""

    def __init__(self, directory: Path, scenario: str, replications: int) -> None:
        self._lock = threading.Lock()
        self._directory = directory
        self._scenario = scenario
        self._replications = replications
        self._entries: dict[str, Entry] = {}
        self._version = 0
        current = directory / "board.json"
        if current.is_file():
            # A damaged autosave must not stop the server; the facilitator starts afresh.
            with contextlib.suppress(BoardError):
                self._load(current)

    # ----------------------------------------------------------------------------------------- the room
    def submit(self, team: str, levers: Levers) -> None:
        """Record (or replace) a team's choice."""
        name = team.strip()
        if not TEAM_NAME.fullmatch(name):
            raise BoardError("team name: give 1 to 40 characters")
        with self._lock:
            if name not in self._entries and len(self._entries) >= MAX_TEAMS:
                raise BoardError(f"the board is full ({MAX_TEAMS} teams); ask the facilitator")
            self._entries[name] = Entry(name, levers, time.time())
            self._changed()

    def snapshot(self) -> Snapshot:
        with self._lock:
            return Snapshot(self._scenario, self._replications, tuple(self._entries.values()), self._version)

    # ----------------------------------------------------------------------------------------- facilitator
    def reset(self, scenario: str | None = None, replications: int | None = None) -> None:
        """Clear every team's choice (optionally for another scenario or replication count)."""
        with self._lock:
            self._entries.clear()
            self._scenario = scenario or self._scenario
            self._replications = replications or self._replications
            self._changed()

    def save_as(self, name: str) -> Path:
        """Save the round under ``name`` (``rounds/NAME.json``); the facilitator can reopen it later."""
        if not ROUND_NAME.fullmatch(name):
            raise BoardError("round name: 1 to 48 letters, digits, _ or - (it names a file)")
        path = self._directory / "rounds" / f"{name}.json"
        with self._lock:
            data = self._json()
        self._write(path, data)
        return path

    def open(self, name: str) -> None:
        """Replace the board with a saved round."""
        if name not in self.saved():
            raise BoardError(f"no saved round named {name!r}")
        with self._lock:
            self._load(self._directory / "rounds" / f"{name}.json")
            self._changed()

    def saved(self) -> list[str]:
        """Names of the saved rounds, newest first."""
        folder = self._directory / "rounds"
        if not folder.is_dir():
            return []
        files = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        return [p.stem for p in files if ROUND_NAME.fullmatch(p.stem)]

    # ----------------------------------------------------------------------------------------- files
    def _changed(self) -> None:
        self._version += 1
        # The board lives on in memory if the autosave fails; saving a round names the problem.
        with contextlib.suppress(BoardError):
            self._write(self._directory / "board.json", self._json())

    def _json(self) -> bytes:
        data: dict[str, Any] = {
            "version": BOARD_VERSION,
            "scenario": self._scenario,
            "replications": self._replications,
            "entries": [
                {"team": e.team, "levers": e.levers.to_mapping(), "submitted": e.submitted}
                for e in self._entries.values()
            ],
        }
        return json.dumps(data, indent=2).encode()

    def _write(self, path: Path, data: bytes) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(path, data)
        except (OSError, StoreError) as exc:
            raise BoardError(f"cannot save the board: {exc}") from None

    def _load(self, path: Path) -> None:
        try:
            if path.stat().st_size > 1 << 20:
                raise BoardError(f"{path.name}: larger than a board can be")
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("version") != BOARD_VERSION:
                raise BoardError(f"{path.name}: not a board of this salesim")
            entries = {
                str(e["team"]): Entry(str(e["team"]), Levers.from_mapping(e["levers"]), float(e["submitted"]))
                for e in data["entries"][:MAX_TEAMS]
            }
            scenario, replications = str(data["scenario"]), int(data["replications"])
        except (OSError, ValueError, KeyError, TypeError, LeverError) as exc:
            raise BoardError(f"{path.name}: cannot read this board ({exc})") from None
        self._entries, self._scenario, self._replications = entries, scenario, replications
