"""Strategy presets as data, and the strategy section of a scenario that names one and overrides it.

A preset is a :class:`Policy`: every lever of the selling strategy, resolved. The presets come from the source
articles listed in ``docs/model.md``: *numbers-game* is the "selling is a numbers game" myth DiModica argues
against (and the deep-pipeline playbook of the enterprise-sales manual); *qualify-hard* is DiModica's 20-minute
sales test with walk-aways (and the "ruthless pipeline management" of "Selling to CIOs"); *pressure* is Phil's
invented scarcity and price increase from the satire video; *help-them-buy* is the customer-centric alternative
of "I have a career here", the enterprise-sales manual and "Selling to CIOs" ("don't sell, help your customers
buy"). The ``smb-focus`` and ``f1000-focus`` presets are numbers-game reps aimed at one segment.

The table lives in ``sim.config`` rather than in the model so that validating ``[strategy] preset`` does not
import the model (which imports the config); :mod:`sim.model.strategy` resolves a section into a policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator

from sim.config.errors import did_you_mean
from sim.config.schema import (
    MAX_HORIZON_DAYS,
    TITLES,
    Days,
    Hours,
    Model,
    Probability,
    SegmentMix,
    SegmentName,
    Title,
)

NEVER = "never"
"""How ``strategy.walk_away_days`` is set to "never walk away" where leaving it out would mean the preset's
period: in a scenario file (``walk_away_days = "never"``), a ``--set`` or arm override
(``strategy.walk_away_days=never``), an experiment level (``values = ["never", 60]``) and the app's lever. In a
resolved :class:`Policy` it is ``None``."""


@dataclass(frozen=True, slots=True)
class Policy:
    """Every policy lever, resolved: what the rep and sales leadership do."""

    min_contact_title: str
    qualification_test: bool
    qualification_threshold: int
    test_window_days: float
    nurture_retest_days: float
    walk_away_days: float | None
    """Walk away from a deal after this many days without visible progress; None: never walk away."""
    targeting: SegmentMix
    period_end_discount: float
    pressure_tactics: bool
    pressure_days_before_period_end: float
    help_them_buy: bool
    enablement_hours: float
    inbound_segments: tuple[str, ...] | None = None
    """Segments whose inbound leads the rep takes; None: the segments it targets."""

    @property
    def min_title_rank(self) -> int:
        """Rank of the lowest title the rep meets (index into :data:`sim.config.TITLES`)."""
        return TITLES.index(self.min_contact_title)


_BASE = Policy(
    min_contact_title="manager",
    qualification_test=False,
    qualification_threshold=4,
    test_window_days=120.0,
    nurture_retest_days=90.0,
    walk_away_days=None,
    targeting=SegmentMix(),
    period_end_discount=0.1,
    pressure_tactics=False,
    pressure_days_before_period_end=10.0,
    help_them_buy=False,
    enablement_hours=0.0,
)

PRESETS: dict[str, Policy] = {
    # Meet everyone, keep everything, never walk away; discount when behind.
    "numbers-game": _BASE,
    # VP+ only, the 20-minute test (4 of 5), nurture and re-test, walk away after 90 days without buyer action.
    "qualify-hard": replace(
        _BASE,
        min_contact_title="vp",
        qualification_test=True,
        # A Fortune 1000 buyer's jobs lie 45-85 days apart; 60 days would walk away from live deals.
        walk_away_days=90.0,
        period_end_discount=0.05,
    ),
    # Phil: invented scarcity and price increases as the period closes, instead of discounting.
    "pressure": replace(_BASE, pressure_tactics=True, period_end_discount=0.0),
    # Customer-centric: hours spent enabling the buyer's process, little discounting, walk away when stuck.
    "help-them-buy": replace(
        _BASE,
        help_them_buy=True,
        enablement_hours=3.0,
        period_end_discount=0.0,
        walk_away_days=120.0,
    ),
    # Targeting presets: the numbers-game rep aimed at one segment.
    "smb-focus": replace(_BASE, targeting=SegmentMix(smb=1.0, mid_market=0.0, f1000=0.0)),
    "f1000-focus": replace(_BASE, targeting=SegmentMix(smb=0.0, mid_market=0.0, f1000=1.0)),
}


class StrategyConfig(Model):
    """The policy: a preset name plus field-by-field overrides (see :data:`PRESETS`)."""

    preset: str = Field("numbers-game", description="Named preset the fields below override.")
    min_contact_title: Title | None = Field(None, description="Lowest contact title the rep will meet.")
    qualification_test: bool | None = Field(
        None, description="Run the 20-minute sales test at first meetings."
    )
    qualification_threshold: int | None = Field(
        None, ge=0, le=5, description="Test answers needed out of five."
    )
    test_window_days: Days | None = Field(None, description="'Buying within N days' in the 20-minute test.")
    nurture_retest_days: Days | None = Field(None, description="Days in passive nurture before a re-test.")
    walk_away_days: float | Literal["never"] | None = Field(
        None,
        description='Walk away after this many days without buyer action; "never" keeps every deal open '
        "however long it idles.",
    )
    targeting: SegmentMix | None = Field(None, description="Share of prospecting per segment.")
    period_end_discount: Probability | None = Field(
        None, description="Largest extra discount when behind at period end."
    )
    pressure_tactics: bool | None = Field(None, description="Invent scarcity / a price increase when behind.")
    pressure_days_before_period_end: Days | None = Field(
        None, description="How close to period end pressure starts."
    )
    help_them_buy: bool | None = Field(None, description="Spend hours enabling the buyer's own process.")
    enablement_hours: Hours | None = Field(
        None,
        description="Rep hours per stage spent enabling the buyer, at a stage effort of 1 (scaled by the "
        "segment's stage_effort like the stage's own hours).",
    )
    inbound_segments: list[SegmentName] | None = Field(
        None, description="Segments whose inbound leads the rep takes (default: the segments it targets)."
    )

    RETIRED_FIELDS: ClassVar[Mapping[str, str]] = {
        "never_walk_away": f'no longer a field; write walk_away_days = N (days) to walk away, or "{NEVER}" '
        "to keep every deal",
    }

    @field_validator("walk_away_days", mode="before")
    @classmethod
    def _days_or_never(cls, value: Any) -> Any:
        # 0 is refused, not read as "never" (the app's lever once meant that): a rep who walks away after no
        # idle time at all would drop every deal the moment it was opened.
        if value is None or value == NEVER:
            return value
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= MAX_HORIZON_DAYS:
            raise ValueError(
                f'expected a number of days above 0 and at most {MAX_HORIZON_DAYS}, or "{NEVER}" (got {value!r})'
            )
        return float(value)

    @field_validator("preset")
    @classmethod
    def _known_preset(cls, value: str) -> str:
        if value not in PRESETS:
            hint = did_you_mean(value, PRESETS)
            raise ValueError(f"unknown strategy preset {value!r}{hint}; valid presets: {', '.join(PRESETS)}")
        return value
