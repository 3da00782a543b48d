"""The scenarios a workshop can run: the shipped ones (workshop presets first) and uploads, checked.

An upload is untrusted and shares the server with the whole room, so it is refused, in one line for the page,
when it is larger than a scenario file may be (1 MiB), is not UTF-8 TOML, fails the scenario schema (an
unknown field, a value out of range, a market beyond :data:`sim.config.MAX_BUYING_WINDOWS`), or is larger
than a workshop run should be (:data:`WORKSHOP_MAX_ACCOUNTS`, :data:`WORKSHOP_MAX_REPS`,
:data:`WORKSHOP_MAX_HORIZON_DAYS`): a run of it would hold the process pool for minutes while everyone else
waits. Nothing here raises anything but :class:`~sim.config.ScenarioError`.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from sim.config import MAX_SCENARIO_BYTES, Scenario, ScenarioError, load_scenario, scenario_from_mapping
from sim.config.load import SHIPPED_SCENARIOS, parse_toml, shipped_scenario_names

WORKSHOP_PREFIX = "workshop_"
"""Shipped scenarios sized for the app (a run in a fraction of a second) are named ``workshop_*``."""

WORKSHOP_MAX_ACCOUNTS = 10_000
"""The most accounts (all segments together) the app runs: the full-size baseline has 6,100 and takes a few
seconds a run; ten million, which the schema refuses anyway, would never finish."""

WORKSHOP_MAX_REPS = 50
"""The most reps the app runs (the schema allows 5,000)."""

WORKSHOP_MAX_HORIZON_DAYS = 1_825.0
"""The longest horizon the app runs: five years (the schema allows thirty)."""


def scenario_choices() -> list[tuple[str, str]]:
    """(name, label) of the shipped scenarios: workshop presets first, then the full-size ones."""
    names = shipped_scenario_names()
    workshop = [n for n in names if n.startswith(WORKSHOP_PREFIX)]
    full = [n for n in names if not n.startswith(WORKSHOP_PREFIX)]
    return [(n, n.removeprefix(WORKSHOP_PREFIX).replace("_", " ") + " (workshop size)") for n in workshop] + [
        (n, n.replace("_", " ") + " (full size: slower)") for n in full
    ]


def shipped(name: str) -> Scenario:
    """A shipped scenario by name (never a file of that name in the server's working directory)."""
    if name not in shipped_scenario_names():
        raise ScenarioError(f"{name!r}: no shipped scenario of that name")
    return check_workshop_size(load_scenario(SHIPPED_SCENARIOS / f"{name}.toml"), name)


def check_workshop_size(scenario: Scenario, source: str) -> Scenario:
    """``scenario`` if a workshop can run it in seconds, else a one-line :class:`ScenarioError` saying why."""
    accounts = sum(seg.accounts for _, seg in scenario.market.items())
    if accounts > WORKSHOP_MAX_ACCOUNTS:
        raise ScenarioError(
            f"{source}: {accounts:,} accounts is too large for the workshop app (at most "
            f"{WORKSHOP_MAX_ACCOUNTS:,} in all segments together); run it with `salesim run` instead"
        )
    if scenario.sales_org.reps > WORKSHOP_MAX_REPS:
        raise ScenarioError(
            f"{source}: {scenario.sales_org.reps:,} reps is too many for the workshop app (at most "
            f"{WORKSHOP_MAX_REPS}); run it with `salesim run` instead"
        )
    if scenario.horizon_days > WORKSHOP_MAX_HORIZON_DAYS:
        raise ScenarioError(
            f"{source}: horizon_days {scenario.horizon_days:,.0f} is too long for the workshop app (at most "
            f"{WORKSHOP_MAX_HORIZON_DAYS:,.0f}); run it with `salesim run` instead"
        )
    return scenario


def from_mapping(raw: Mapping[str, Any], source: str) -> Scenario:
    """A scenario from a mapping (an upload's TOML, or the session's copy sent back by the browser)."""
    try:
        return check_workshop_size(scenario_from_mapping(raw, source), source)
    except RecursionError:
        raise ScenarioError(f"{source}: a value is nested too deeply") from None


def parse_upload(filename: str | None, contents: str | None) -> Scenario:
    """The scenario in an uploaded file (``contents``: Dash's ``data:…;base64,…`` URL), checked as above."""
    source = _safe_name(filename)
    if not contents:
        raise ScenarioError(f"{source}: the file is empty")
    _, _, encoded = contents.partition(",")
    if len(encoded) > (MAX_SCENARIO_BYTES * 4) // 3 + 8:
        raise ScenarioError(
            f"{source}: larger than the {MAX_SCENARIO_BYTES:,} bytes a scenario file may be "
            "(the shipped baseline, every field spelt out, is about 12 KiB)"
        )
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ScenarioError(f"{source}: the upload arrived damaged; try again") from None
    if len(data) > MAX_SCENARIO_BYTES:
        raise ScenarioError(
            f"{source}: {len(data):,} bytes, larger than the {MAX_SCENARIO_BYTES:,} bytes allowed"
        )
    return from_mapping(parse_toml(data, source), source)


def _safe_name(filename: str | None) -> str:
    """The upload's name for messages: its last part, printable, at most 80 characters."""
    name = (filename or "upload").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable())[:80]
    return name or "upload"
