"""Reading scenario files: TOML in, ``--set`` overrides laid over it, one validated :class:`Scenario` out.

Every problem (a missing file, bad TOML, a malformed override, a value out of range, an unknown field, a market
too large) becomes a one-line :class:`ScenarioError` naming the file and the field path, with a "did you mean"
where a name is close to an allowed one.
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.config.errors import ScenarioError, did_you_mean
from sim.config.scenario import MAX_BUYING_WINDOWS, Scenario, windows_per_account
from sim.config.schema import Model


def _model_at(loc: Sequence[int | str], root: type[Model] | None = None) -> Any:
    """The section model at a location in the schema (None where there is none); list indexes pass."""
    model: Any = root or Scenario
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(model, "model_fields", None)
        if fields is None or part not in fields:
            return None
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
            return None
    return model


def _fields_at(loc: Sequence[int | str], root: type[Model] | None = None) -> list[str]:
    """Names of the fields allowed at a location in the schema (for 'did you mean')."""
    return list(getattr(_model_at(loc, root), "model_fields", {}))


def field_path(loc: Sequence[int | str]) -> str:
    """A location in a file as a person writes it: ``sales_org.hires[0].day``."""
    text = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
    return text or "(top level)"


def describe_validation_error(error: ValidationError, source: str, root: type[Model] | None = None) -> str:
    """One line for the first problem in a pydantic error: file, field path, what is allowed."""
    first = error.errors()[0]
    loc = [p for p in first["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
    path = field_path(loc)
    if first["type"] == "extra_forbidden":
        name = str(loc[-1])
        retired: Mapping[str, str] = getattr(_model_at(loc[:-1], root), "RETIRED_FIELDS", {})
        allowed = _fields_at(loc[:-1], root)
        msg = (
            retired.get(name)
            or f"unknown field{did_you_mean(name, allowed)}; allowed here: {', '.join(allowed)}"
        )
    else:
        msg = first["msg"].removeprefix("Value error, ")
        if first["type"] not in ("value_error", "assertion_error") and "input" in first:
            msg += f" (got {first['input']!r})"
    more = len(error.errors()) - 1
    suffix = f" [and {more} more problem{'s' if more > 1 else ''}]" if more else ""
    return f"{source}: {path}: {msg}{suffix}"


def parse_override(assignment: str, flag: str = "--set") -> tuple[list[str], Any]:
    """Split ``a.b.c=value`` into a path and a TOML-typed value (bare words stay strings); errors name ``flag``."""
    if "=" not in assignment:
        raise ScenarioError(f"{flag} {assignment!r}: expected dotted.path=value")
    path, raw = assignment.split("=", 1)
    keys = [k.strip() for k in path.split(".")]
    if not all(keys):
        raise ScenarioError(f"{flag} {assignment!r}: empty field name in {path!r}")
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    except RecursionError:
        raise ScenarioError(f"{flag} {path}: the value is nested too deeply") from None
    return keys, value


def apply_overrides(raw: dict[str, Any], overrides: Sequence[str], flag: str = "--set") -> dict[str, Any]:
    """Return a copy of a raw scenario mapping with ``--set`` assignments applied (errors name ``flag``)."""
    import copy

    data = copy.deepcopy(raw)
    for assignment in overrides:
        keys, value = parse_override(assignment, flag)
        node = data
        for key in keys[:-1]:
            child = node.setdefault(key, {})
            if not isinstance(child, dict):
                raise ScenarioError(f"{flag} {assignment!r}: {key!r} is a value, not a section")
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


MAX_SCENARIO_BYTES = 1 << 20
"""The largest scenario file salesim reads (1 MiB; the shipped baseline, every field spelt out, is about 12 KiB)."""


def _file_kind(mode: int) -> str:
    kinds = {
        stat.S_ISDIR: "a directory",
        stat.S_ISFIFO: "a named pipe",
        stat.S_ISCHR: "a character device",
        stat.S_ISBLK: "a block device",
        stat.S_ISSOCK: "a socket",
    }
    return next((name for test, name in kinds.items() if test(mode)), "not a regular file")


def read_regular_file(path: str | Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; a one-line :class:`ScenarioError` otherwise.

    Opened without blocking and checked on the open descriptor, so a named pipe or a device is refused
    instead of read forever, and a file swapped after the check is still the one checked.
    """
    p = Path(path)
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise ScenarioError(f"{p}: no such file") from None
    except OSError as exc:
        raise ScenarioError(f"{p}: cannot read: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ScenarioError(f"{p}: {_file_kind(info.st_mode)}, not a regular file")
        if info.st_size > limit:
            raise ScenarioError(f"{p}: {info.st_size:,} bytes, larger than the {limit:,} bytes salesim reads")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 16, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise ScenarioError(f"{p}: grew past the {limit:,} bytes salesim reads while being read")
        return b"".join(chunks)
    except OSError as exc:
        raise ScenarioError(f"{p}: cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def read_toml(path: str | Path) -> dict[str, Any]:
    """Read a TOML file into a mapping, turning I/O and syntax problems into :class:`ScenarioError`."""
    p = Path(path)
    return parse_toml(read_regular_file(p, MAX_SCENARIO_BYTES), str(p))


def parse_toml(data: bytes, source: str) -> dict[str, Any]:
    """TOML bytes (a file's, or an upload's) as a mapping; bad text or syntax is a one-line
    :class:`ScenarioError` naming ``source``."""
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            f"{source}: cannot read: not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{source}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ScenarioError(f"{source}: not valid TOML: arrays or tables nested too deeply") from None


def load_scenario(path: str | Path, overrides: Sequence[str] = ()) -> Scenario:
    """Load, override and validate a scenario file. Names of shipped scenarios work anywhere."""
    p = resolve_scenario_path(path)
    try:
        return scenario_from_mapping(apply_overrides(read_toml(p), overrides), str(path))
    except RecursionError:
        # A value nested hundreds deep (in the file or an override) that parsed but cannot be validated.
        raise ScenarioError(f"{path}: a value is nested too deeply") from None


SHIPPED_SCENARIOS = Path(__file__).parent.parent / "scenarios"


def shipped_scenario_names() -> list[str]:
    """The names of the scenarios that ship with salesim (``baseline``, …)."""
    return sorted(p.stem for p in SHIPPED_SCENARIOS.glob("*.toml"))


def resolve_scenario_path(path: str | Path) -> Path:
    """The file a scenario argument names.

    A file that exists is itself. A bare name (no folder, no ``.toml``) such as ``baseline`` is the shipped
    scenario of that name. Anything else that does not exist is an error: a path the user typed never
    silently becomes a shipped file of the same name.
    """
    p = Path(path)
    bare = len(p.parts) == 1 and p.suffix != ".toml"
    if p.is_file():
        return p
    if bare and (SHIPPED_SCENARIOS / f"{p.name}.toml").is_file():
        return SHIPPED_SCENARIOS / f"{p.name}.toml"
    if p.exists():
        return p  # a directory or a device: read_toml says why it cannot be read
    if bare:
        hint = did_you_mean(p.name, shipped_scenario_names())
        raise ScenarioError(
            f"{p}: no such file, and no shipped scenario of that name{hint}; "
            f"shipped: {', '.join(shipped_scenario_names())}"
        )
    raise ScenarioError(f"{p}: no such file")
