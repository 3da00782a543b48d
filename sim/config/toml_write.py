"""Writing a resolved scenario back to TOML, for the run directory.

``tomllib`` only reads; this small writer covers exactly what a scenario holds (tables, strings, numbers,
booleans and lists), so a run directory's ``scenario.toml`` can be read back with :func:`load_scenario`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sim.config.scenario import Scenario


def scenario_to_toml(scenario: Scenario) -> str:
    """Serialise a resolved scenario (defaults filled in) back to TOML, for the run directory."""
    return _to_toml(scenario.model_dump(mode="json", exclude_none=True))


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(
            value, ensure_ascii=False
        )  # a JSON string is a valid TOML basic string, control characters escaped
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _to_toml(data: Mapping[str, Any], prefix: str = "") -> str:
    scalars = [f"{k} = {_toml_value(v)}" for k, v in data.items() if not isinstance(v, dict)]
    lines = ([f"[{prefix}]"] if prefix and scalars else []) + scalars
    out = "\n".join(lines) + ("\n\n" if lines else "")
    for key, value in data.items():
        if isinstance(value, dict):
            out += _to_toml(value, f"{prefix}.{key}" if prefix else key)
    return out
