"""Selling strategies: named presets of policy settings, and their resolution into one typed policy.

The presets come from the source articles: *numbers-game* is the "selling is a numbers game" myth that seed
002 argues against (and the deep-pipeline playbook of seed 003); *qualify-hard* is seed 002's 20-minute sales
test with walk-aways (and seed 004's "ruthless pipeline management"); *pressure* is Phil's invented scarcity
and price increase from seed 000; *help-them-buy* is the customer-centric alternative of seeds 001, 003 and
004 ("don't sell, help your customers buy"). Targeting (SMB vs Fortune 1000) is a field of every preset;
the ``smb-focus`` and ``f1000-focus`` presets are numbers-game reps aimed at one segment.

A scenario's ``[strategy]`` names a preset and may override any field; :func:`resolve_policy` lays the
overrides over the preset.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from sim.config import TITLES, SegmentMix, StrategyConfig


@dataclass(frozen=True, slots=True)
class Policy:
    """Every policy lever, resolved: what the rep and sales leadership do."""

    min_contact_title: str
    qualification_test: bool
    qualification_threshold: int
    test_window_days: float
    nurture_retest_days: float
    walk_away_days: float
    never_walk_away: bool
    targeting: SegmentMix
    period_end_discount: float
    pressure_tactics: bool
    pressure_days_before_period_end: float
    help_them_buy: bool
    enablement_hours: float

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
    walk_away_days=60.0,
    never_walk_away=True,
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
        never_walk_away=False,
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
        never_walk_away=False,
        walk_away_days=120.0,
    ),
    # Targeting presets: the numbers-game rep aimed at one segment.
    "smb-focus": replace(_BASE, targeting=SegmentMix(smb=1.0, mid_market=0.0, f1000=0.0)),
    "f1000-focus": replace(_BASE, targeting=SegmentMix(smb=0.0, mid_market=0.0, f1000=1.0)),
}


def resolve_policy(strategy: StrategyConfig) -> Policy:
    """The preset named by ``strategy.preset`` with every non-null field of ``strategy`` laid over it."""
    preset = PRESETS[strategy.preset]
    overrides: dict[str, Any] = {
        f.name: getattr(strategy, f.name) for f in fields(Policy) if getattr(strategy, f.name) is not None
    }
    # An explicit walk-away period means the rep walks away, unless never_walk_away is also set.
    if "walk_away_days" in overrides and "never_walk_away" not in overrides:
        overrides["never_walk_away"] = False
    return replace(preset, **overrides)


def policy_as_dict(policy: Policy) -> dict[str, Any]:
    """A JSON-ready view of a resolved policy (for meta.json and reports)."""
    out: dict[str, Any] = {}
    for f in fields(Policy):
        value = getattr(policy, f.name)
        out[f.name] = value.model_dump() if isinstance(value, SegmentMix) else value
    return out
