"""The levers a workshop participant moves, and how they become an arm of the chosen scenario.

A room moves a handful of levers, not two hundred scenario fields: the strategy preset, the 20-minute test's
threshold, walk-away days, the share of buying groups with a stalling CIO, the segment mix and the number of
reps. :class:`Levers` holds one setting of them; :meth:`Levers.arm` turns it into an :class:`~sim.study.arms.Arm`
whose overrides are only the levers that differ from the scenario (or from the preset, when the participant
picked another one), so a participant who moves nothing runs exactly the scenario's control and the two share
one cached result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from sim.config import NEVER, PRESETS, Policy, Scenario, ScenarioError, StrategyConfig
from sim.model.strategy import resolve_policy
from sim.study.arms import Arm

MAX_APP_REPS = 50
"""The most reps the app's lever offers: a workshop run stays seconds long."""

MAX_WALK_AWAY_DAYS = 720
"""The longest walk-away period the lever offers (never walking away is ``"never"``, not a number)."""

STALLING_SEGMENTS = ("mid_market", "f1000")
"""Segments whose buying groups have a CIO; the stalling-CIO lever sets the share in both."""

LABELS: dict[str, tuple[str, str]] = {
    "preset": (
        "Strategy preset",
        "Each preset sets the levers below to its own values; move them from there.",
    ),
    "qualification_threshold": (
        "Qualification: the 20-minute test, and answers of 5 needed",
        "Sets two fields: whether the rep runs the test, and its threshold. 0 = no test: the rep works "
        "every contact.",
    ),
    "walk_away_days": (
        "Walk away after days without buyer action",
        "Tick never to keep every deal however long it idles; untick it to walk away after the days set.",
    ),
    "stalling_cio": (
        "Stalling CIO: % of buying groups, mid-market and Fortune 1000 alike",
        "Sets two fields, one share for both segments. It starts at the Fortune 1000 share; moving it "
        "overwrites the mid-market share too.",
    ),
    "mix": ("Segment mix: % of prospecting aimed at each segment", ""),
    "reps": ("Reps", ""),
}
"""Each lever's label and hint on the page. A lever that writes more than one scenario field says so here
(``tests/test_app.py`` moves every lever alone and checks)."""

MIX_SEGMENTS = ("smb", "mid_market", "f1000")


class LeverError(ScenarioError):
    """A lever setting that cannot be run (out of range, or every segment weighted zero): one line for the page."""


@dataclass(frozen=True, slots=True)
class Levers:
    """One setting of the workshop levers (what a participant chose, or what the scenario ships with)."""

    preset: str
    qualification_threshold: int
    """Answers of five needed in the 20-minute test; 0 means no test at all."""
    walk_away_days: int | None
    """Walk away after this many days without buyer action; None: never walk away (``"never"`` in a mapping)."""
    stalling_cio: int
    """Percent of mid-market and Fortune 1000 buying groups with a stalling CIO."""
    smb: int
    mid_market: int
    f1000: int
    """The segment mix: percent of prospecting aimed at each segment."""
    reps: int

    # ------------------------------------------------------------------------------------------ reading
    @classmethod
    def of_scenario(cls, scenario: Scenario) -> Levers:
        """The levers as the scenario ships them: its control."""
        return cls.of_policy(
            scenario.strategy.preset, resolve_policy(scenario.strategy), _stalling_share(scenario), scenario
        )

    @classmethod
    def of_policy(cls, preset: str, policy: Policy, stalling: int, scenario: Scenario) -> Levers:
        mix = _percentages(policy.targeting.probabilities())
        return cls(
            preset=preset,
            qualification_threshold=policy.qualification_threshold if policy.qualification_test else 0,
            walk_away_days=None if policy.walk_away_days is None else max(1, round(policy.walk_away_days)),
            stalling_cio=stalling,
            smb=mix[0],
            mid_market=mix[1],
            f1000=mix[2],
            reps=scenario.sales_org.reps,
        )

    def with_preset(self, scenario: Scenario, preset: str) -> Levers:
        """These levers with another preset's strategy levers (threshold, walk-away, mix); the market levers
        (stalling CIO, reps) stay as the participant set them."""
        fresh = Levers.of_policy(preset, base_policy(scenario, preset), self.stalling_cio, scenario)
        return Levers(**{**asdict(fresh), "stalling_cio": self.stalling_cio, "reps": self.reps})

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Levers:
        """Levers from untrusted input (the browser, the JSON API), each checked against its range."""
        try:
            preset = str(data["preset"])
            values = {name: _int(data[name], name, low, high) for name, (low, high) in _RANGES.items()}
            walk_away_days = _walk_away_days(data["walk_away_days"])
        except KeyError as missing:
            raise LeverError(f"levers: {missing.args[0]} is missing") from None
        if preset not in PRESETS:
            raise LeverError(f"levers: unknown strategy {preset!r}; valid: {', '.join(PRESETS)}")
        if values["smb"] + values["mid_market"] + values["f1000"] <= 0:
            raise LeverError("segment mix: aim at least one segment (all three are at 0%)")
        return cls(preset=preset, walk_away_days=walk_away_days, **values)

    def to_mapping(self) -> dict[str, Any]:
        """The levers as JSON (what :meth:`from_mapping` reads): never walking away is ``"never"``."""
        return {
            **asdict(self),
            "walk_away_days": NEVER if self.walk_away_days is None else self.walk_away_days,
        }

    # ------------------------------------------------------------------------------------------ writing
    def overrides(self, scenario: Scenario) -> tuple[str, ...]:
        """``dotted.path=value`` for each lever that differs from the scenario (or from the chosen preset)."""
        base = Levers.of_policy(
            self.preset, base_policy(scenario, self.preset), _stalling_share(scenario), scenario
        )
        out: list[str] = []
        if self.qualification_threshold != base.qualification_threshold:
            if self.qualification_threshold == 0:
                out.append("strategy.qualification_test=false")
            else:
                out += [
                    "strategy.qualification_test=true",
                    f"strategy.qualification_threshold={self.qualification_threshold}",
                ]
        if self.walk_away_days != base.walk_away_days:
            out.append(
                f"strategy.walk_away_days={NEVER if self.walk_away_days is None else self.walk_away_days}"
            )
        if (self.smb, self.mid_market, self.f1000) != (base.smb, base.mid_market, base.f1000):
            total = self.smb + self.mid_market + self.f1000
            weights = ", ".join(f"{s} = {getattr(self, s) / total:.4f}" for s in MIX_SEGMENTS)
            out.append(f"strategy.targeting={{{weights}}}")
        if self.stalling_cio != base.stalling_cio:
            out += [
                f"market.{s}.buying_center.stalling_cio_probability={self.stalling_cio / 100:.2f}"
                for s in STALLING_SEGMENTS
            ]
        if self.reps != base.reps:
            out.append(f"sales_org.reps={self.reps}")
        return tuple(out)

    def arm(self, name: str, scenario: Scenario) -> Arm:
        """The arm these levers make of ``scenario``."""
        return Arm(name=name, preset=self.preset, overrides=self.overrides(scenario))

    def described(self) -> str:
        """The setting in words, for the board and the run's heading."""
        test = (
            f"20-minute test, {self.qualification_threshold} of 5"
            if self.qualification_threshold
            else "no qualification test"
        )
        walk = (
            "never walk away"
            if self.walk_away_days is None
            else f"walk away after {self.walk_away_days} days"
        )
        mix = f"SMB {self.smb}% / mid-market {self.mid_market}% / Fortune 1000 {self.f1000}%"
        return (
            f"{self.preset}; {test}; {walk}; stalling CIO in {self.stalling_cio}% of buying groups; "
            f"{mix}; {self.reps} rep{'s' if self.reps != 1 else ''}"
        )


_RANGES: dict[str, tuple[int, int]] = {
    "qualification_threshold": (0, 5),
    "stalling_cio": (0, 100),
    "smb": (0, 100),
    "mid_market": (0, 100),
    "f1000": (0, 100),
    "reps": (1, MAX_APP_REPS),
}


def _int(value: Any, name: str, low: int, high: int) -> int:
    label = name.replace("_", " ")
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise LeverError(f"{label}: expected a number from {low} to {high}, got {value!r}")
    number = round(value)
    if not low <= number <= high:
        raise LeverError(f"{label}: {number} is out of range; choose from {low} to {high}")
    return int(number)


def _walk_away_days(value: Any) -> int | None:
    """The walk-away lever from untrusted input: ``"never"``, or whole days from 1 (0 does not mean never)."""
    if value == NEVER:
        return None
    if value == 0:
        raise LeverError(
            f'walk away days: 0 is not a period; choose from 1 to {MAX_WALK_AWAY_DAYS}, or "{NEVER}"'
        )
    try:
        return _int(value, "walk_away_days", 1, MAX_WALK_AWAY_DAYS)
    except LeverError as exc:
        raise LeverError(f'{exc}, or "{NEVER}"') from None


def _percentages(probabilities: list[float]) -> list[int]:
    return [round(p * 100) for p in probabilities]


def _stalling_share(scenario: Scenario) -> int:
    """The scenario's stalling-CIO share as the lever reads it: Fortune 1000's, where the CIO matters most."""
    return round(scenario.market.f1000.buying_center.stalling_cio_probability * 100)


def base_policy(scenario: Scenario, preset: str) -> Policy:
    """The policy an arm of ``preset`` starts from: the scenario's own when it names that preset (keeping the
    file's strategy overrides, as :func:`sim.study.arms.arm_scenario` does), else the bare preset."""
    if scenario.strategy.preset == preset:
        return resolve_policy(scenario.strategy)
    return resolve_policy(StrategyConfig(preset=preset))
