"""Writing a resolved scenario back to TOML, for the run directory.

``tomllib`` only reads; this small writer covers exactly what a scenario holds (tables, strings, numbers,
booleans, lists, and lists of tables such as the hiring plan, ``[[sales_org.hires]]``), so a run directory's
``scenario.toml`` can be read back with :func:`load_scenario`.
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


def _is_table_array(value: Any) -> bool:
    """A non-empty list of tables: TOML writes it as ``[[name]]`` sections (an empty list stays ``[]``)."""
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _is_section(value: Any) -> bool:
    return isinstance(value, dict) or _is_table_array(value)


def _to_toml(data: Mapping[str, Any], prefix: str = "", array_item: bool = False) -> str:
    """A table's values, then its sub-tables and arrays of tables, each under its own header.

    A table's header is written only if it has values of its own (TOML creates parents implicitly); an item
    of an array of tables always gets its ``[[name]]`` header, which is what appends the item.
    """
    scalars = [f"{k} = {_toml_value(v)}" for k, v in data.items() if not _is_section(v)]
    header = [f"[[{prefix}]]"] if array_item else [f"[{prefix}]"] if prefix and scalars else []
    lines = header + scalars
    out = "\n".join(lines) + ("\n\n" if lines else "")
    for key, value in data.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            out += _to_toml(value, path)
        elif _is_table_array(value):
            out += "".join(_to_toml(item, path, array_item=True) for item in value)
    return out
