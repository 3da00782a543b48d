"""Reading scenario files: TOML in, ``--set`` overrides laid over it, one validated :class:`Scenario` out.

Every problem (a missing file, bad TOML, a malformed override, a value out of range, an unknown field, a market
too large) becomes a one-line :class:`ScenarioError` naming the file and the field path, with a "did you mean"
where a name is close to an allowed one.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.config.errors import ScenarioError, did_you_mean
from sim.config.scenario import MAX_BUYING_WINDOWS, Scenario, windows_per_account
from sim.config.schema import Model


def _fields_at(loc: Sequence[int | str]) -> list[str]:
    """Names of the fields allowed at a location in the schema (for 'did you mean')."""
    model: Any = Scenario
    for part in loc:
        fields = getattr(model, "model_fields", None)
        if fields is None or part not in fields:
            return []
        annotation = fields[part].annotation
        model = next(
            (
                a
                for a in getattr(annotation, "__args__", (annotation,))
                if isinstance(a, type) and issubclass(a, Model)
            ),
            None,
        )
        if model is None:
            return []
    return list(getattr(model, "model_fields", {}))


def describe_validation_error(error: ValidationError, source: str) -> str:
    """One line for the first problem in a pydantic error: file, field path, what is allowed."""
    first = error.errors()[0]
    loc = [p for p in first["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
    path = ".".join(str(p) for p in loc) or "(top level)"
    if first["type"] == "extra_forbidden":
        allowed = _fields_at(loc[:-1])
        hint = did_you_mean(str(loc[-1]), allowed)
        msg = f"unknown field{hint}; allowed here: {', '.join(allowed)}"
    else:
        msg = first["msg"].removeprefix("Value error, ")
        if first["type"] not in ("value_error", "assertion_error") and "input" in first:
            msg += f" (got {first['input']!r})"
    more = len(error.errors()) - 1
    suffix = f" [and {more} more problem{'s' if more > 1 else ''}]" if more else ""
    return f"{source}: {path}: {msg}{suffix}"


def parse_override(assignment: str) -> tuple[list[str], Any]:
    """Split ``a.b.c=value`` into a path and a TOML-typed value (bare words stay strings)."""
    if "=" not in assignment:
        raise ScenarioError(f"--set {assignment!r}: expected dotted.path=value")
    path, raw = assignment.split("=", 1)
    keys = [k.strip() for k in path.split(".")]
    if not all(keys):
        raise ScenarioError(f"--set {assignment!r}: empty field name in {path!r}")
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    return keys, value


def apply_overrides(raw: dict[str, Any], overrides: Sequence[str]) -> dict[str, Any]:
    """Return a copy of a raw scenario mapping with ``--set`` assignments applied."""
    import copy

    data = copy.deepcopy(raw)
    for assignment in overrides:
        keys, value = parse_override(assignment)
        node = data
        for key in keys[:-1]:
            child = node.setdefault(key, {})
            if not isinstance(child, dict):
                raise ScenarioError(f"--set {assignment!r}: {key!r} is a value, not a section")
            node = child
        node[keys[-1]] = value
    return data


def scenario_from_mapping(raw: Mapping[str, Any], source: str = "<scenario>") -> Scenario:
    """Validate a raw mapping into a :class:`Scenario`, raising a one-line :class:`ScenarioError`."""
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as error:
        raise ScenarioError(describe_validation_error(error, source)) from None
    windows = sum(
        seg.accounts * windows_per_account(scenario.horizon_days, seg.need_interval_days)
        for _, seg in scenario.market.items()
    )
    if windows > MAX_BUYING_WINDOWS:
        raise ScenarioError(
            f"{source}: market: too large: {windows:,} candidate buying windows (at most {MAX_BUYING_WINDOWS:,}); "
            "use fewer accounts, a shorter horizon_days or a longer need_interval_days"
        )
    return scenario


def read_toml(path: str | Path) -> dict[str, Any]:
    """Read a TOML file into a mapping, turning I/O and syntax problems into :class:`ScenarioError`."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"{p}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{p}: cannot read: {exc}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{p}: not valid TOML: {exc}") from None


def load_scenario(path: str | Path, overrides: Sequence[str] = ()) -> Scenario:
    """Load, override and validate a scenario file. Names under ``scenarios/`` that ship work anywhere."""
    p = resolve_scenario_path(path)
    return scenario_from_mapping(apply_overrides(read_toml(p), overrides), str(path))


def resolve_scenario_path(path: str | Path) -> Path:
    """A path as given if it exists, else a shipped scenario of that name (``baseline`` or ``baseline.toml``)."""
    p = Path(path)
    if p.exists():
        return p
    shipped = (
        Path(__file__).parent.parent / "scenarios" / (p.name if p.suffix == ".toml" else f"{p.name}.toml")
    )
    return shipped if shipped.exists() else p
