"""Per-segment calibration: the default SMB, mid-market and Fortune 1000 markets, and the market section.

These are the model's calibrated values (each one, with its source, is listed in ``docs/calibration.md``).
They are kept apart from the schema so that a change of calibration is a change of this file only. A partial
segment in a scenario file is laid over that segment's own defaults here, not over generic ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field, model_validator

from sim.config.schema import (
    SEGMENTS,
    BudgetMix,
    BuyingCenterConfig,
    IntRange,
    LogNormal,
    Model,
    ProcurementConfig,
    SegmentConfig,
    TitleMix,
)


def smb_defaults() -> SegmentConfig:
    """SMB: the owner decides fast, alone, with no procurement (the satire video; 14-30 day cycles)."""
    return SegmentConfig(
        accounts=4000,
        deal_size=LogNormal(median=25_000.0, sigma=0.6),
        stage_effort=0.4,
        contact_titles=TitleMix(manager=0.15, director=0.15, vp=0.1, c_level=0.1, owner=0.5),
        budget=BudgetMix(none=0.35, planned=0.3, assigned=0.35),
        need_interval_days=365.0,
        buying_cycle_days=LogNormal(median=35.0, sigma=0.5),
        expected_sales_cycle_days=30.0,
        no_decision_base=0.19,
        no_decision_per_extra_person=0.3,
        win_base=0.45,
        meeting_acceptance_in_window=0.7,
        meeting_acceptance_outside=0.08,
        inbound_probability=0.15,
        owner_discount=0.1,
        pilot_probability=0.0,
        evidence_failure_probability=0.05,
        buying_center=BuyingCenterConfig(
            group_size=IntRange(min=1, max=2),
            stalling_cio_probability=0.02,
            champion_probability=0.3,
            procurement=ProcurementConfig(probability=0.0),
        ),
    )


def mid_market_defaults() -> SegmentConfig:
    """Mid-market: a small buying group, procurement in half the deals (30-90 day cycles)."""
    return SegmentConfig(
        accounts=1500,
        deal_size=LogNormal(median=90_000.0, sigma=0.6),
        need_interval_days=540.0,
        buying_cycle_days=LogNormal(median=110.0, sigma=0.45),
        expected_sales_cycle_days=60.0,
        no_decision_base=0.19,
        no_decision_per_extra_person=0.06,
        win_base=0.35,
        meeting_acceptance_outside=0.15,
        inbound_probability=0.1,
        pilot_probability=0.3,
        buying_center=BuyingCenterConfig(
            group_size=IntRange(min=3, max=6),
            stalling_cio_probability=0.15,
            champion_probability=0.5,
            procurement=ProcurementConfig(
                probability=0.5, negotiation_rounds=IntRange(min=1, max=2), discount_per_round=0.06
            ),
        ),
    )


def f1000_defaults() -> SegmentConfig:
    """Fortune 1000: a large buying group, procurement always, a stalling CIO often.

    Sources: the satire video (procurement) and "Selling to CIOs" (the stalling CIO).
    """
    return SegmentConfig(
        accounts=600,
        deal_size=LogNormal(median=400_000.0, sigma=0.7),
        contact_titles=TitleMix(manager=0.35, director=0.35, vp=0.2, c_level=0.1, owner=0.0),
        need_interval_days=720.0,
        buying_cycle_days=LogNormal(median=300.0, sigma=0.4),
        expected_sales_cycle_days=120.0,
        no_decision_base=0.19,
        no_decision_per_extra_person=0.06,
        win_base=0.4,
        meeting_acceptance_in_window=0.7,
        meeting_acceptance_outside=0.05,
        inbound_probability=0.1,
        stage_effort=1.5,
        demo_lead_days=14.0,
        discovery_workshop_hours=4.0,
        tailored_demo_hours=4.0,
        rfp_probability=0.5,
        rfp_hours=10.0,
        security_questionnaire_hours=4.0,
        pilot_probability=0.6,
        evidence_failure_probability=0.15,
        buying_center=BuyingCenterConfig(
            group_size=IntRange(min=6, max=14),
            stalling_cio_probability=0.25,
            stall_no_decision_probability=0.6,
            champion_probability=0.6,
            procurement=ProcurementConfig(probability=1.0),
        ),
    )


_SEGMENT_DEFAULTS = {"smb": smb_defaults, "mid_market": mid_market_defaults, "f1000": f1000_defaults}

SEGMENT_LABELS: dict[str, str] = {"smb": "SMB", "mid_market": "mid-market", "f1000": "Fortune 1000"}
"""How people name each segment, in the fixed segment order: the terminal, the reports, the app and the
findings all name a segment from here (it sits beside the segments so that metrics, which name figures by
segment, can read it without reaching up into :mod:`sim.words`)."""
assert tuple(SEGMENT_LABELS) == SEGMENTS, "every segment needs a label, in the segment order"


def deep_merge(base: Mapping[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """``update`` laid over ``base``, section by section."""
    out = dict(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


class Segments(Model):
    """The three market segments; a segment with zero accounts is absent from the market."""

    smb: SegmentConfig = Field(default_factory=smb_defaults, description="Small and medium businesses.")
    mid_market: SegmentConfig = Field(
        default_factory=mid_market_defaults, description="Mid-market companies."
    )
    f1000: SegmentConfig = Field(default_factory=f1000_defaults, description="Fortune 1000 companies.")

    @model_validator(mode="before")
    @classmethod
    def _over_segment_defaults(cls, data: Any) -> Any:
        """A partial segment in a file overrides that segment's own defaults, not generic ones."""
        if not isinstance(data, dict):
            return data
        merged = dict(data)
        for name, factory in _SEGMENT_DEFAULTS.items():
            if isinstance(data.get(name), dict):
                merged[name] = deep_merge(factory().model_dump(), data[name])
        return merged

    @model_validator(mode="after")
    def _not_empty(self) -> Segments:
        if sum(seg.accounts for _, seg in self.items()) == 0:
            raise ValueError("the market is empty: give at least one segment a positive 'accounts'")
        return self

    def items(self) -> list[tuple[str, SegmentConfig]]:
        """(name, config) pairs in the fixed segment order."""
        return [(name, getattr(self, name)) for name in SEGMENTS]
