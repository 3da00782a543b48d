"""The scenario schema: the sections of a scenario, every knob of the model, validated once at the boundary.

A scenario file is data (TOML, read with ``tomllib``; nothing in it is executed). It is validated into frozen
pydantic models with ``extra="forbid"``, so a typo'd field is an error rather than a silently ignored setting,
and the engine only ever sees typed, checked values. Every field has a default and a one-line description;
``docs/model.md`` explains the mechanisms and ``docs/calibration.md`` the sources of defaults.

This module is the bottom of ``sim.config``: the value types, limits and section models that everything else
in the package builds on. The market section with its calibrated per-segment defaults lives in
:mod:`sim.config.segments`, the strategy section beside its presets in :mod:`sim.config.presets`, and the
whole :class:`~sim.config.scenario.Scenario` in :mod:`sim.config.scenario`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

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
SegmentName = Literal["smb", "mid_market", "f1000"]


class Model(BaseModel):
    """Base for every scenario section: frozen, no unknown fields, defaults validated too."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    RETIRED_FIELDS: ClassVar[Mapping[str, str]] = {}
    """Fields of older versions, each with the one line naming what replaced it (instead of "unknown field")."""


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
    """The procurement gatekeeper (the satire video: Jennifer in the supply-chain department)."""

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
    """Who decides inside the account: group, stalling CIO, champion, procurement.

    Sources: the satire video (procurement), "I have a career here" (the champion), "Selling to CIOs" (the CIO).
    """

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
    discovery_workshop_hours: Hours = Field(
        0.0, description="Hours of discovery workshops with the buying group, at discovery (with prep)."
    )
    tailored_demo_hours: Hours = Field(
        0.0, description="Hours building a demo on the buyer's own use case with presales, at the demo."
    )
    rfp_probability: Probability = Field(
        0.0,
        description="Chance the buyer runs a formal RFP (request for proposal), answered at the proposal.",
    )
    rfp_hours: Hours = Field(
        0.0, description="Rep hours of an RFP response (the rep's share of the whole response)."
    )
    security_questionnaire_hours: Hours = Field(
        0.0, description="Hours answering the buyer's security questionnaire, at the proposal."
    )
    demo_lead_days: Days = Field(
        0.0,
        description="Fewest days from the first meeting to the demo (a buying group's calendars and "
        "discovery with its members).",
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


class BuyerResponse(Model):
    """How buyers respond to the vendor's conduct: the effect sizes behind help-them-buy and pressure."""

    decision_slip_days: Days = Field(
        21.0,
        description="Days a buyer lets its decision slip for a shortlisted vendor still finishing a stage "
        "(most tech purchases take longer than planned: Gartner, 78%).",
    )

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
    """Market memory: the vendor's reputation and how it feeds back.

    Sources: "I have a career here" (one reputation, adoption costs) and the enterprise-sales manual.
    """

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

    discovery: Hours = Field(2.5, description="Discovery workshop and notes.")
    demo: Hours = Field(4.0, description="Tailored demo.")
    proposal: Hours = Field(6.0, description="Written proposal and pricing.")
    pilot: Hours = Field(12.0, description="Pilot or proof of concept.")
    negotiation: Hours = Field(2.5, description="Commercial negotiation (rounds with procurement are extra).")
    close: Hours = Field(1.5, description="Contract and signature.")


class Hire(Model):
    """One step of a hiring plan: ``reps`` new seats whose first reps start on ``day``.

    A planned seat is a territory from day 0 (accounts are dealt to every seat, planned or not), empty until
    its rep starts; the rep then ramps up like a replacement and later turns over like any rep.
    """

    day: Days = Field(description="Day the new reps start (before horizon_days).")
    reps: int = Field(ge=1, le=MAX_REPS, description="How many reps start that day.")


class SalesOrgConfig(Model):
    """The selling side: reps, their time, their quota clock, hiring and attrition (DiModica)."""

    reps: int = Field(20, ge=1, le=MAX_REPS, description="Rep seats (territories).")
    hires: tuple[Hire, ...] = Field(
        (),
        max_length=MAX_REPS,
        description="Hiring plan: new seats whose reps start on a given day (seats numbered after the "
        "starting team, in the order listed).",
    )
    hours_per_week: Hours = Field(45.0, gt=0.0, description="Hours a rep works per week.")
    selling_share: Probability = Field(0.41, description="Share of a rep's hours available for selling.")
    annual_quota: float = Field(500_000.0, gt=0.0, le=1e12, description="Annual bookings quota per rep, $.")
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
    pipeline_reserve_hours: Hours = Field(
        1.0, description="Weekly hours prospecting leaves for each open opportunity's coming work."
    )
    min_prospecting_share: Probability = Field(
        0.0, description="Share of selling hours always kept for prospecting (0: live deals come first)."
    )
    cooloff_days: Days = Field(180.0, description="Days an account that said no is left alone.")
    dark_after_days: Days = Field(
        120.0,
        description="An opportunity whose buyer has no buying window open for this many days goes dark "
        "(no decision: the status quo).",
    )
    annual_base_salary: float = Field(
        60_000.0,
        ge=0.0,
        le=1e9,
        description="A rep's base salary a year, $ (commission comes on top: commission_rate of bookings).",
    )
    on_cost_rate: float = Field(
        0.3,
        ge=0.0,
        le=5.0,
        description="Employer's cost on top of the base salary (payroll taxes, benefits), share of salary.",
    )
    gross_margin: Probability = Field(
        0.35,
        description="Share of bookings left after delivering what was sold, before the cost of selling it.",
    )

    @model_validator(mode="after")
    def _seats_fit(self) -> SalesOrgConfig:
        if self.seats > MAX_REPS:
            raise ValueError(f"reps plus hires make {self.seats:,} seats; at most {MAX_REPS:,}")
        return self

    @property
    def seats(self) -> int:
        """Every seat of the run: the starting team's and the hiring plan's."""
        return self.reps + sum(hire.reps for hire in self.hires)

    def planned_seats(self) -> dict[int, float]:
        """The hiring plan's seats and the day each one's first rep starts (seats after the starting team)."""
        days = [hire.day for hire in self.hires for _ in range(hire.reps)]
        return {self.reps + i: day for i, day in enumerate(days)}


class MechanismsConfig(Model):
    """Switches that turn whole mechanisms off, so a researcher can isolate one (all on by default)."""

    turnover: bool = Field(True, description="Reps leave after a tenure and seats fall vacant.")
    outbound: bool = Field(True, description="Reps prospect outbound.")
    inbound: bool = Field(True, description="Buyers that name their problem may reach out.")
    stalling_cio: bool = Field(True, description="Buying centers may have a stalling CIO.")
    champion: bool = Field(True, description="Buying centers may have a champion with political capital.")
    procurement: bool = Field(True, description="Procurement may run the commercial stage.")
    pressure: bool = Field(
        True, description="Reps behind on quota may invent urgency (as the strategy allows)."
    )
    reputation: bool = Field(
        True, description="Outcomes move the vendor's reputation, and it moves the odds."
    )
    referrals: bool = Field(True, description="Happy customers may refer another account.")
    adoption: bool = Field(True, description="A sale is followed by an adoption that succeeds or fails.")
