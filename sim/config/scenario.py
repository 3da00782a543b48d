"""A whole scenario, and the limit on its size that no single field can express.

:class:`Scenario` gathers the sections (market, buyer response, reputation, sales organisation, strategy). It
sits above :mod:`sim.config.segments` and :mod:`sim.config.presets` because its market and strategy sections
are defined there, beside their defaults and presets.
"""

from __future__ import annotations

import math

from pydantic import Field, ValidationInfo, field_validator

from sim.config.presets import StrategyConfig
from sim.config.schema import (
    MAX_HORIZON_DAYS,
    BuyerResponse,
    MechanismsConfig,
    Model,
    ReputationConfig,
    SalesOrgConfig,
)
from sim.config.segments import Segments


class Scenario(Model):
    """A whole scenario: market, buying centers, sales organisation, strategy and run length."""

    name: str = Field("unnamed", max_length=200, description="Short name shown in tables and reports.")
    question: str = Field("", max_length=2000, description="The question this scenario answers.")
    horizon_days: float = Field(730.0, gt=0.0, le=MAX_HORIZON_DAYS, description="Simulated days.")
    seed: int = Field(1, ge=0, le=2**63 - 1, description="Root random seed.")
    market: Segments = Field(default_factory=Segments, description="The market, by segment.")
    buyer_response: BuyerResponse = Field(
        default_factory=BuyerResponse, description="Buyer response effect sizes."
    )
    reputation: ReputationConfig = Field(default_factory=ReputationConfig, description="Vendor reputation.")
    sales_org: SalesOrgConfig = Field(default_factory=SalesOrgConfig, description="The sales organisation.")
    strategy: StrategyConfig = Field(default_factory=StrategyConfig, description="The selling strategy.")
    mechanisms: MechanismsConfig = Field(
        default_factory=MechanismsConfig, description="Mechanisms that can be switched off."
    )

    @field_validator("sales_org")
    @classmethod
    def _hires_within_horizon(cls, org: SalesOrgConfig, info: ValidationInfo) -> SalesOrgConfig:
        """A planned hire must start before the run ends (a seat that never fills is a typo, not a plan)."""
        horizon = info.data.get("horizon_days")
        for index, hire in enumerate(org.hires):
            if horizon is not None and hire.day >= horizon:
                raise ValueError(
                    f"hires[{index}].day: day {hire.day:g} is not before horizon_days ({horizon:g})"
                )
        return org


MAX_BUYING_WINDOWS = 20_000_000
"""Candidate buying windows a run may draw; beyond this the market would not fit comfortably in memory."""


def windows_per_account(horizon: float, need_interval: float) -> int:
    """Windows drawn per account: enough that exponential need gaps run past the horizon almost surely."""
    return math.ceil(3.0 * horizon / need_interval) + 4
