"""Selling strategies resolved: a scenario's ``[strategy]`` laid over its preset into one typed policy.

The presets themselves are data (``sim.config.presets``, with the articles each comes from). A scenario's
``[strategy]`` names a preset and may override any field; :func:`resolve_policy` lays the overrides over the
preset.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from sim.config import SegmentMix, StrategyConfig
from sim.config.presets import NEVER, PRESETS, Policy

__all__ = ["PRESETS", "Policy", "policy_as_dict", "resolve_policy"]


def resolve_policy(strategy: StrategyConfig) -> Policy:
    """The preset named by ``strategy.preset`` with every non-null field of ``strategy`` laid over it."""
    preset = PRESETS[strategy.preset]
    overrides: dict[str, Any] = {
        f.name: getattr(strategy, f.name) for f in fields(Policy) if getattr(strategy, f.name) is not None
    }
    if overrides.get("walk_away_days") == NEVER:  # written "never": no period, whatever the preset's
        overrides["walk_away_days"] = None
    if "inbound_segments" in overrides:
        overrides["inbound_segments"] = tuple(overrides["inbound_segments"])
    return replace(preset, **overrides)


def policy_as_dict(policy: Policy) -> dict[str, Any]:
    """A JSON-ready view of a resolved policy (for meta.json and reports)."""
    out: dict[str, Any] = {}
    for f in fields(Policy):
        value = getattr(policy, f.name)
        if isinstance(value, SegmentMix):
            value = value.model_dump()
        elif isinstance(value, tuple):
            value = list(value)
        out[f.name] = value
    return out
