"""The scenario schema: every knob of the model, validated once at the boundary.

A scenario file is data (TOML, read with ``tomllib``; nothing in it is executed). It is validated here into
frozen pydantic models with ``extra="forbid"``, so a typo'd field is an error rather than a silently ignored
setting, and the engine only ever sees typed, checked values. Every field has a default and a one-line
description; ``docs/model.md`` explains the mechanisms and ``docs/calibration.md`` the sources of defaults.

Errors are reported as :class:`ScenarioError`: one line naming the file, the field path and what is allowed.
"""

from __future__ import annotations

import difflib
import json
import math
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

#: Hard limits: beyond these a run would not fit in memory or time on a laptop, so they are refused early.
MAX_ACCOUNTS_PER_SEGMENT = 200_000
MAX_REPS = 5_000
MAX_HORIZON_DAYS = 3_650 * 3

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Days = Annotated[float, Field(ge=0.0, le=MAX_HORIZON_DAYS)]
Hours = Annotated[float, Field(ge=0.0, le=80.0)]
Weight = Annotated[float, Field(ge=0.0, le=1e6)]

TITLES: tuple[str, ...] = ("manager", "director", "vp", "c_level", "owner")
"""Contact titles, in rank order; 'vp' and above (including an SMB owner) can make the decision."""
SEGMENTS: tuple[str, ...] = ("smb", "mid_market", "f1000")
Title = Literal["manager", "director", "vp", "c_level", "owner"]


class Model(BaseModel):
    """Base for every scenario section: frozen, no unknown fields, defaults validated too."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class LogNormal(Model):
    """A positive quantity drawn from a log-normal distribution, given by its median and spread."""

    median: float = Field(gt=0.0, le=1e12, description="Median of the distribution (same unit as the field).")
    sigma: float = Field(0.5, ge=0.0, le=3.0, description="Log-scale standard deviation; 0 gives a constant.")


class IntRange(Model):
    """An integer drawn uniformly from [min, max]."""

    min: int = Field(ge=1, le=100, description="Smallest value.")
    max: int = Field(ge=1, le=100, description="Largest value.")

    @model_validator(mode="after")
    def _ordered(self) -> IntRange:
        if self.max < self.min:
            raise ValueError(f"max ({self.max}) must be at least min ({self.min})")
        return self


class _Mix(Model):
    """Relative weights over named categories; they need not sum to one but must not all be zero."""

    @model_validator(mode="after")
    def _not_all_zero(self) -> _Mix:
        if sum(self.weights()) <= 0:
            raise ValueError("at least one weight must be positive")
        return self

    def names(self) -> tuple[str, ...]:
        """Category names, in declaration order."""
        return tuple(type(self).model_fields)

    def weights(self) -> list[float]:
        """Weights in declaration order."""
        return [float(getattr(self, name)) for name in type(self).model_fields]

    def probabilities(self) -> list[float]:
        """Weights normalised to sum to one."""
        w = self.weights()
        total = math.fsum(w)  # correctly rounded, so the same on every Python (sum() changed in 3.12)
        return [x / total for x in w]


class TitleMix(_Mix):
    """Who a prospecting contact reaches, by title."""

    manager: Weight = Field(0.3, description="Weight of contacts with a manager.")
    director: Weight = Field(0.3, description="Weight of contacts with a director.")
    vp: Weight = Field(0.25, description="Weight of contacts with a vice president.")
    c_level: Weight = Field(0.15, description="Weight of contacts with a C-level executive.")
    owner: Weight = Field(0.0, description="Weight of contacts with the owner (SMB).")


class PainMix(_Mix):
    """How acute the business pain is when a buying need triggers."""

    none: Weight = Field(0.2, description="Weight of needs with no felt pain (just looking).")
    latent: Weight = Field(0.45, description="Weight of needs with latent pain the buyer does not state.")
    acute: Weight = Field(0.35, description="Weight of needs with acute pain the buyer states.")


class BudgetMix(_Mix):
    """Budget status when a buying need triggers."""

    none: Weight = Field(0.3, description="Weight of needs with no budget.")
    planned: Weight = Field(
        0.4, description="Weight of needs whose budget is assigned once requirements are set."
    )
    assigned: Weight = Field(0.3, description="Weight of needs with budget dollars already assigned.")


class SegmentMix(_Mix):
    """Share of prospecting effort aimed at each segment (the targeting lever)."""

    smb: Weight = Field(1.0, description="Weight of SMB accounts in prospecting.")
    mid_market: Weight = Field(1.0, description="Weight of mid-market accounts in prospecting.")
    f1000: Weight = Field(1.0, description="Weight of Fortune 1000 accounts in prospecting.")


class ProcurementConfig(Model):
    """The procurement gatekeeper (seed 000: Jennifer in the supply-chain department)."""

    probability: Probability = Field(0.0, description="Chance that procurement runs the purchase.")
    supplier_risk_assessment_days: Days = Field(
        30.0, description="Calendar days of risk assessment for a new supplier."
    )
    paperwork_hours: Hours = Field(6.0, description="Rep hours to answer the supplier risk questionnaire.")
    capital_shortfall_probability: Probability = Field(
        0.3, description="Chance the capital approval falls short."
    )
    reapproval_days: Days = Field(
        45.0, description="Calendar days to get capital re-approved after a shortfall."
    )
    rework_hours: Hours = Field(8.0, description="Rep hours to re-scope and re-quote after a shortfall.")
    negotiation_rounds: IntRange = Field(
        default_factory=lambda: IntRange(min=2, max=4), description="Negotiation rounds procurement runs."
    )
    discount_per_round: Probability = Field(
        0.07, description="Share of the remaining price conceded per round."
    )
    round_hours: Hours = Field(3.0, description="Rep hours per negotiation round.")
    urgency_detection_probability: Probability = Field(
        0.85, description="Chance procurement sees through invented scarcity or a fake price increase."
    )
    detected_discount: Probability = Field(
        0.08, description="Extra discount conceded once pressure is detected."
    )
    detected_delay_days: Days = Field(30.0, description="Calendar delay once pressure is detected.")
    detected_rework_hours: Hours = Field(
        6.0, description="Rep hours to repair the deal once pressure is detected."
    )


class BuyingCenterConfig(Model):
    """Who decides inside the account: group, stalling CIO, champion, procurement (seeds 000, 001, 004)."""

    group_size: IntRange = Field(
        default_factory=lambda: IntRange(min=1, max=2), description="People in the buying group."
    )
    stalling_cio_probability: Probability = Field(
        0.0, description="Chance the buying center has a stalling CIO."
    )
    stall_cycle_factor: float = Field(
        1.4, ge=1.0, le=10.0, description="How much longer the buyer's own cycle runs under a stalling CIO."
    )
    stall_request_probability: Probability = Field(
        0.6, description="Chance the stalling CIO answers a stage with another request (repeats)."
    )
    stall_request_hours: Hours = Field(6.0, description="Rep hours per stall request.")
    stall_request_days: Days = Field(21.0, description="Calendar days each stall request holds the stage.")
    stall_no_decision_probability: Probability = Field(
        0.75, description="Chance a stalling CIO's window ends in 'further evaluation' (no decision)."
    )
    conditional_order_probability: Probability = Field(
        0.15,
        description="Chance a stalled no-decision turns into a small conditional foot-in-the-door order.",
    )
    conditional_order_share: Probability = Field(
        0.2, description="Size of the conditional order, share of the deal."
    )
    champion_probability: Probability = Field(0.5, description="Chance the buying center has a champion.")
    champion_capital: LogNormal = Field(
        default_factory=lambda: LogNormal(median=10.0, sigma=0.4),
        description="The champion's political capital (favours, truces), in pushes of unit cost.",
    )
    push_cost: float = Field(
        1.0,
        ge=0.0,
        le=100.0,
        description="Capital one internal push costs, times the square root of the group size.",
    )
    procurement: ProcurementConfig = Field(
        default_factory=ProcurementConfig, description="Procurement gatekeeper."
    )


class SegmentConfig(Model):
    """One market segment: its accounts, their buying needs and their buying center."""

    accounts: int = Field(
        0, ge=0, le=MAX_ACCOUNTS_PER_SEGMENT, description="Number of accounts in the segment."
    )
    deal_size: LogNormal = Field(
        default_factory=lambda: LogNormal(median=25_000.0, sigma=0.6), description="List price of a deal, $."
    )
    contact_titles: TitleMix = Field(default_factory=TitleMix, description="Who a contact reaches.")
    pain: PainMix = Field(default_factory=PainMix, description="Business pain when a need triggers.")
    budget: BudgetMix = Field(default_factory=BudgetMix, description="Budget status when a need triggers.")
    need_interval_days: Days = Field(
        365.0, ge=7.0, description="Mean days between buying needs of one account (at least a week)."
    )
    buying_cycle_days: LogNormal = Field(
        default_factory=lambda: LogNormal(median=30.0, sigma=0.5),
        description="Length of the buyer's own buying cycle, need to decision, days.",
    )
    expected_sales_cycle_days: Days = Field(
        30.0, gt=0.0, description="Sales cycle the quota clock and the forecast assume, days."
    )
    no_decision_base: Probability = Field(
        0.3, description="Baseline chance a buying window ends in no decision."
    )
    no_decision_per_extra_person: Probability = Field(
        0.03, description="Added chance of no decision per buying-group member beyond the first."
    )
    no_pain_no_decision: Probability = Field(
        0.2, description="Added chance of no decision when the buyer feels no pain (just looking)."
    )
    no_budget_no_decision: Probability = Field(
        0.2, description="Added chance of no decision when no budget exists."
    )
    win_base: Probability = Field(
        0.4, description="Chance we win when the buyer decides and we are in the deal."
    )
    meeting_acceptance_in_window: Probability = Field(
        0.6, description="Chance a contact accepts a meeting in a window."
    )
    meeting_acceptance_outside: Probability = Field(
        0.25, description="Chance a contact accepts a meeting when not buying (a 'looker')."
    )
    refer_up_probability: Probability = Field(
        0.3,
        description="Chance a contact below the rep's minimum title introduces the rep to a VP or above.",
    )
    stage_effort: float = Field(
        1.0, ge=0.0, le=10.0, description="Multiplier on sales_org.stage_hours for a deal in this segment."
    )
    inbound_probability: Probability = Field(
        0.2,
        description="Chance a buyer with a new need reaches out to us itself once it has named its problem.",
    )
    owner_discount: Probability = Field(
        0.08, description="Discount an owner haggles when no procurement runs."
    )
    pilot_probability: Probability = Field(0.0, description="Chance the buyer asks for a pilot / POC.")
    evidence_failure_probability: Probability = Field(
        0.1,
        description="Chance evidence goes wrong at demo or pilot (failed POC, reference, innovation pitch).",
    )
    evidence_setback_days: Days = Field(
        30.0, description="Calendar days a failed piece of evidence sets a deal back."
    )
    buying_center: BuyingCenterConfig = Field(
        default_factory=BuyingCenterConfig, description="The buying center."
    )


def smb_defaults() -> SegmentConfig:
    """SMB: the owner decides fast, alone, with no procurement (seed 000; CALIBRATION: 14-30 day cycles)."""
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
    """Mid-market: a small buying group, procurement in half the deals (CALIBRATION: 30-90 day cycles)."""
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
    """Fortune 1000: a large buying group, procurement always, a stalling CIO often (seeds 000, 004)."""
    return SegmentConfig(
        accounts=600,
        deal_size=LogNormal(median=400_000.0, sigma=0.7),
        contact_titles=TitleMix(manager=0.35, director=0.35, vp=0.2, c_level=0.1, owner=0.0),
        need_interval_days=720.0,
        buying_cycle_days=LogNormal(median=300.0, sigma=0.4),
        expected_sales_cycle_days=120.0,
        no_decision_base=0.19,
        no_decision_per_extra_person=0.06,
        win_base=0.3,
        meeting_acceptance_in_window=0.7,
        meeting_acceptance_outside=0.12,
        inbound_probability=0.1,
        stage_effort=1.5,
        pilot_probability=0.6,
        evidence_failure_probability=0.15,
        buying_center=BuyingCenterConfig(
            group_size=IntRange(min=6, max=14),
            stalling_cio_probability=0.35,
            champion_probability=0.6,
            procurement=ProcurementConfig(probability=1.0),
        ),
    )


_SEGMENT_DEFAULTS = {"smb": smb_defaults, "mid_market": mid_market_defaults, "f1000": f1000_defaults}


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


class BuyerResponse(Model):
    """How buyers respond to the vendor's conduct: the effect sizes behind help-them-buy and pressure."""

    help_stall_factor: float = Field(
        0.5, ge=0.0, le=1.0, description="Stall-request chance multiplier when helping."
    )
    help_no_decision_factor: float = Field(
        0.75, ge=0.0, le=1.0, description="No-decision multiplier when helping."
    )
    help_push_cost_factor: float = Field(
        0.6, ge=0.0, le=1.0, description="Champion push-cost multiplier when helping."
    )
    help_speedup_share: Probability = Field(
        0.05, description="Share of the buying cycle helping the buyer saves."
    )
    help_discount_factor: float = Field(
        0.6, ge=0.0, le=1.0, description="Negotiated-discount multiplier when helping."
    )
    help_adoption_failure_factor: float = Field(
        0.5, ge=0.0, le=1.0, description="Adoption-failure multiplier."
    )
    champion_win_bonus: Probability = Field(
        0.15, description="Added chance to win when a champion carries the deal."
    )
    champion_no_decision_relief: Probability = Field(
        0.1, description="Lower no-decision chance with a champion."
    )
    qualified_buyer_win_bonus: Probability = Field(0.1, description="Added chance to win a qualified buyer.")
    pressure_smb_speedup_days: Days = Field(
        10.0, description="Days invented urgency pulls an owner's decision in."
    )
    pressure_no_decision_add: Probability = Field(
        0.15, description="Added no-decision chance once pressure is detected."
    )
    pressure_adoption_failure_add: Probability = Field(
        0.1, description="Added adoption-failure chance after pressure."
    )


class ReputationConfig(Model):
    """Market memory: the vendor's reputation and how it feeds back (seeds 001, 003)."""

    initial: Probability = Field(0.5, description="Reputation at the start, 0 (toxic) to 1 (trusted).")
    win_weight: float = Field(0.6, ge=0.0, le=2.0, description="How strongly reputation scales win chances.")
    meeting_weight: float = Field(
        0.6, ge=0.0, le=2.0, description="How strongly reputation scales meeting acceptance."
    )
    pressure_detected_delta: float = Field(
        -0.02, ge=-1.0, le=0.0, description="Reputation change per detected tactic."
    )
    adoption_failed_delta: float = Field(
        -0.03, ge=-1.0, le=0.0, description="Reputation change per failed adoption."
    )
    adoption_succeeded_delta: float = Field(
        0.01, ge=0.0, le=1.0, description="Reputation change per adoption."
    )
    adoption_days: Days = Field(90.0, description="Days from signature to the adoption outcome.")
    adoption_failure_probability: Probability = Field(0.15, description="Baseline chance an adoption fails.")
    referral_probability: Probability = Field(
        0.3, description="Chance a successful adoption refers another account."
    )


class StageHours(Model):
    """Rep hours each vendor-visible stage costs."""

    discovery: Hours = Field(4.0, description="Discovery workshop and notes.")
    demo: Hours = Field(6.0, description="Tailored demo.")
    proposal: Hours = Field(10.0, description="Written proposal and pricing.")
    pilot: Hours = Field(20.0, description="Pilot or proof of concept.")
    negotiation: Hours = Field(4.0, description="Commercial negotiation (rounds with procurement are extra).")
    close: Hours = Field(2.0, description="Contract and signature.")


class SalesOrgConfig(Model):
    """The selling side: reps, their time, their quota clock, hiring and attrition (seed 002)."""

    reps: int = Field(20, ge=1, le=MAX_REPS, description="Rep seats (territories).")
    hours_per_week: Hours = Field(45.0, gt=0.0, description="Hours a rep works per week.")
    selling_share: Probability = Field(0.38, description="Share of a rep's hours available for selling.")
    annual_quota: float = Field(260_000.0, gt=0.0, le=1e12, description="Annual bookings quota per rep, $.")
    review_period_days: Days = Field(
        30.4, ge=7.0, description="Days between quota reviews (monthly; at least 7)."
    )
    quota_start_day: Days = Field(
        180.0, description="Day the first quota year starts: a warm-up so the pipeline is not empty at day 0."
    )
    commission_rate: Probability = Field(0.08, description="Commission paid on bookings.")
    ramp_days: Days = Field(120.0, description="Days a new hire needs to reach full capacity.")
    ramp_start_capacity: Probability = Field(
        0.25, description="Share of full capacity on a new hire's first day."
    )
    mean_tenure_days: Days = Field(
        520.0, ge=30.0, description="Mean days a rep stays (about 17 months; at least 30)."
    )
    vacancy_days: Days = Field(60.0, description="Days a seat stays vacant before a replacement starts.")
    contact_hours: Hours = Field(
        0.5, description="Rep hours per prospecting contact (research, calls, emails)."
    )
    first_meeting_hours: Hours = Field(2.0, description="Rep hours for a full first meeting.")
    qualification_test_hours: Hours = Field(
        0.75, description="Rep hours for a 20-minute test meeting (with prep)."
    )
    stage_hours: StageHours = Field(default_factory=StageHours, description="Rep hours per vendor stage.")
    checkin_hours: Hours = Field(1.0, description="Rep hours per check-in on an idle opportunity.")
    checkin_interval_days: Days = Field(
        14.0, ge=1.0, description="Days between check-ins while a deal idles (at least 1)."
    )
    checkin_backoff: float = Field(
        1.5,
        ge=1.0,
        le=10.0,
        description="Growth of the check-in interval while the account has no buying window.",
    )
    max_checkin_interval_days: Days = Field(90.0, ge=1.0, description="Longest gap between check-ins.")
    pipeline_reserve_hours: Hours = Field(0.5, description="Weekly hours reserved per open opportunity.")
    min_prospecting_share: Probability = Field(
        0.25, description="Share of selling hours always kept for prospecting."
    )
    cooloff_days: Days = Field(180.0, description="Days an account that said no is left alone.")


class StrategyConfig(Model):
    """The policy: a preset name plus field-by-field overrides (see ``sim.model.strategy``)."""

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
    walk_away_days: Days | None = Field(
        None, description="Walk away after this many days without buyer action."
    )
    never_walk_away: bool | None = Field(None, description="Keep every deal open however long it idles.")
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
        None, description="Extra rep hours per stage spent enabling the buyer."
    )

    @field_validator("preset")
    @classmethod
    def _known_preset(cls, value: str) -> str:
        from sim.model.strategy import PRESETS

        if value not in PRESETS:
            hint = _did_you_mean(value, PRESETS)
            raise ValueError(f"unknown strategy preset {value!r}{hint}; valid presets: {', '.join(PRESETS)}")
        return value


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


# --------------------------------------------------------------------------------------------------------
# Loading, overriding and error reporting
# --------------------------------------------------------------------------------------------------------


class ScenarioError(ValueError):
    """A scenario (or override) that cannot be used; the message is one line meant for a person."""


def _did_you_mean(word: str, options: Sequence[str] | Mapping[str, Any]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


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
        hint = _did_you_mean(str(loc[-1]), allowed)
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


MAX_BUYING_WINDOWS = 20_000_000
"""Candidate buying windows a run may draw; beyond this the market would not fit comfortably in memory."""


def windows_per_account(horizon: float, need_interval: float) -> int:
    """Windows drawn per account: enough that exponential need gaps run past the horizon almost surely."""
    return math.ceil(3.0 * horizon / need_interval) + 4


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
    shipped = Path(__file__).parent / "scenarios" / (p.name if p.suffix == ".toml" else f"{p.name}.toml")
    return shipped if shipped.exists() else p


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


def _to_toml(data: Mapping[str, Any], prefix: str = "") -> str:
    scalars = [f"{k} = {_toml_value(v)}" for k, v in data.items() if not isinstance(v, dict)]
    lines = ([f"[{prefix}]"] if prefix and scalars else []) + scalars
    out = "\n".join(lines) + ("\n\n" if lines else "")
    for key, value in data.items():
        if isinstance(value, dict):
            out += _to_toml(value, f"{prefix}.{key}" if prefix else key)
    return out
