"""Arms: what a comparison compares. An arm is a name, a strategy preset and overrides of any scenario field.

``--arm walk60=numbers-game:strategy.walk_away_days=60`` is the arm ``walk60``: the scenario under the
numbers-game preset with ``strategy.walk_away_days`` set to 60. Several overrides are separated by ``:``
(``q=qualify-hard:strategy.qualification_threshold=2:sales_org.reps=8``); a ``:`` inside a value is kept,
because a new override starts only where ``:`` is followed by ``dotted.path=``. A plain preset name is the arm
of that name with no overrides, which is what ``--strategies a,b`` means.

Every arm of a comparison runs on the same replication seeds, and market draws are keyed by account, so arms
that change the market still meet the same accounts where their markets overlap (common random numbers).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sim.config import PRESETS, Scenario, ScenarioError, StrategyConfig, apply_overrides, did_you_mean
from sim.config.load import scenario_from_mapping

ARM_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]{0,47}")
"""An arm's name: it names a folder of the comparison directory, so letters, digits and ``_ . + -`` only."""

_NEXT_OVERRIDE = re.compile(r":(?=\s*[A-Za-z_][\w-]*(?:\.[\w-]+)*\s*=)")
"""A ``:`` that starts another override (followed by ``dotted.path=``), not one inside a value."""


class ArmError(ScenarioError):
    """An arm given wrongly: a bad name, an unknown preset, a malformed or invalid override, a repeated name."""


@dataclass(frozen=True, slots=True)
class Arm:
    """A named variant of the scenario: a strategy preset plus ``dotted.path=value`` overrides."""

    name: str
    preset: str
    overrides: tuple[str, ...] = ()

    @property
    def spec(self) -> str:
        """The arm as it is written on the command line (``name=preset:path=value:…``)."""
        return ":".join([f"{self.name}={self.preset}", *self.overrides])

    @property
    def described(self) -> str:
        """The preset and overrides in words, for tables and reports: ``numbers-game + walk_away_days=60``."""
        shown = [o.removeprefix("strategy.") for o in self.overrides]
        return " + ".join([self.preset, *shown])


def _check_preset(preset: str, where: str) -> None:
    if preset not in PRESETS:
        raise ArmError(
            f"{where}: unknown strategy {preset!r}{did_you_mean(preset, PRESETS)}; valid: {', '.join(PRESETS)}"
        )


def parse_arm(text: str) -> Arm:
    """Read ``name=preset[:path=value…]`` or a bare preset name into an :class:`Arm`."""
    spec = text.strip()
    if "=" not in spec.split(":", 1)[0]:
        preset, _, rest = spec.partition(":")
        name = preset.strip()
    else:
        name, _, rest = spec.partition("=")
        name = name.strip()
        preset, _, rest = rest.partition(":")
    preset = preset.strip()
    where = f"--arm {spec!r}"
    if not ARM_NAME.fullmatch(name):
        raise ArmError(
            f"{where}: arm name {name!r} must be 1 to 48 letters, digits or _ . + - (it names a folder); "
            "write name=preset[:dotted.path=value…]"
        )
    _check_preset(preset, where)
    overrides = tuple(o.strip() for o in _NEXT_OVERRIDE.split(rest)) if rest.strip() else ()
    for override in overrides:
        if "=" not in override or not override.split("=", 1)[0].strip():
            raise ArmError(f"{where}: override {override!r} must be dotted.path=value")
    return Arm(name, preset, overrides)


def parse_arms(specs: str | Sequence[str | Arm]) -> list[Arm]:
    """Arms from ``--arm`` values, a comma-separated preset list, or :class:`Arm` objects; names must differ."""
    items: Sequence[str | Arm] = (
        [s for s in specs.split(",") if s.strip()] if isinstance(specs, str) else list(specs)
    )
    arms = [item if isinstance(item, Arm) else parse_arm(item) for item in items]
    if not arms:
        raise ArmError(f"--arm: give at least one arm (or --strategies); valid presets: {', '.join(PRESETS)}")
    seen: set[str] = set()
    for arm in arms:
        if arm.name in seen:
            raise ArmError(
                f"--arm {arm.name!r}: two arms share this name; name each, e.g. "
                f"--arm control={arm.preset} --arm variant={arm.preset}:strategy.walk_away_days=60"
            )
        seen.add(arm.name)
    return arms


def arm_scenario(scenario: Scenario, arm: Arm) -> Scenario:
    """The scenario an arm runs: its preset (keeping the file's strategy overrides only when the file names the
    same preset), then the arm's overrides, validated like the file itself."""
    if scenario.strategy.preset == arm.preset:
        base = scenario
    else:
        base = scenario.model_copy(update={"strategy": StrategyConfig(preset=arm.preset)})
    if not arm.overrides:
        return base
    data = base.model_dump(mode="json", exclude_none=True)
    where = f"--arm {arm.name}"
    try:
        changed = apply_overrides(data, arm.overrides, flag=where)
    except ScenarioError as exc:
        raise ArmError(str(exc)) from None
    try:
        return scenario_from_mapping(changed, where)
    except ScenarioError as exc:
        raise ArmError(str(exc)) from None


def unshared_overrides(scenario: Scenario, arms: Sequence[Arm]) -> list[str]:
    """Strategy fields the scenario file sets that arms of another preset will not see.

    An arm of another preset starts from that preset (:func:`arm_scenario`), so a user who set, say,
    ``strategy.walk_away_days`` in the file or with ``--set`` should be told it does not reach those arms.
    """
    if all(arm.preset == scenario.strategy.preset for arm in arms):
        return []
    return sorted(
        f"{name}={value}"
        for name, value in scenario.strategy.model_dump(exclude_none=True).items()
        if name != "preset"
    )
