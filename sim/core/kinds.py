"""Every event kind, declared once: its ids and typed payload, when it happens, and who emits it.

A kind is a slotted dataclass named in the past tense. Its fields are the log columns it fills (the ids it
concerns, then its payload, each a column of :data:`sim.core.events.SCHEMA` with one meaning whatever the
kind); its docstring says when it happens; ``emitted_by`` names the actor whose process writes it. From this
one declaration come the emitter's signature (``log.emit(StageAdvanced(...))``, so a misspelt or mistyped
field is a type error), the fold's typed payload (``sim.core.state``), the registry
:data:`sim.core.events.KINDS` and ``docs/events.md`` (``sim.tools.docs``; the section comments below are its
headings).

Events are records, written once: the only change an event sees is before it is logged, when the rep's
hours are spent (:class:`Work`: ``sim.model.reps.SellingHours.spend`` names the rep who did the work and the hours it
took). They are not frozen because a frozen dataclass costs every construction a detour through
``object.__setattr__``, and the model builds hundreds of thousands of them a run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from inspect import cleandoc
from typing import TYPE_CHECKING, ClassVar, TypeVar, dataclass_transform


class Event:
    """One event of the log (a kind is a subclass declared with :func:`kind`)."""

    __slots__ = ()
    emitted_by: ClassVar[str]
    """The actor whose process writes the kind: market, buyer, rep, procurement, leadership or engine."""
    fields: ClassVar[tuple[str, ...]]
    """The log columns the kind fills besides ``seq``, ``t`` and ``kind``, in declaration order."""
    when: ClassVar[str]
    """When it happens (the class docstring on one line)."""


class Work(Event):
    """An activity that costs a rep's selling hours; spent through ``sim.model.reps.SellingHours.spend``, which names the
    rep and the hours it finally took when the work is done."""

    if not TYPE_CHECKING:  # the fields are slots of each declared kind; mypy would take () as "none at all"
        __slots__ = ()
    rep: int | None
    account: int
    hours: float


class OnDeal(Event):
    """An event about one opportunity, naming the rep who holds its seat at the time (None while vacant)."""

    if not TYPE_CHECKING:  # the fields are slots of each declared kind; mypy would take () as "none at all"
        __slots__ = ()
    rep: int | None
    account: int
    opp: int


class DealWork(Work, OnDeal):
    """Rep hours spent on one opportunity."""

    if not TYPE_CHECKING:  # the fields are slots of each declared kind; mypy would take () as "none at all"
        __slots__ = ()


class Ending(OnDeal):
    """A terminal event: every opportunity ends in exactly one."""

    if not TYPE_CHECKING:  # the fields are slots of each declared kind; mypy would take () as "none at all"
        __slots__ = ()
    segment: str


E = TypeVar("E", bound=Event)

DECLARED: list[type[Event]] = []
"""Every kind, in declaration order (the order of ``docs/events.md``)."""


@dataclass_transform(kw_only_default=True)
def kind(emitted_by: str) -> Callable[[type[E]], type[E]]:
    """Declare an event kind: a slotted, keyword-only dataclass, registered in :data:`DECLARED`."""

    def declare(cls: type[E]) -> type[E]:
        if not cls.__doc__:
            raise TypeError(f"event kind {cls.__name__} needs a docstring saying when it happens")
        when = " ".join(cleandoc(cls.__doc__).split())
        declared = dataclass(slots=True, kw_only=True)(cls)
        declared.emitted_by = emitted_by
        declared.fields = tuple(f.name for f in fields(declared))  # type: ignore[arg-type]
        declared.when = when
        DECLARED.append(declared)
        return declared

    return declare


# --- the market (buyers, on their own clock) --------------------------------------------------
@kind("market")
class AccountCreated(Event):
    """at day 0, once per account: its segment, list deal size and the rep seat whose territory it is in"""

    account: int
    segment: str
    amount: float
    seat: int


@kind("buyer")
class BuyingWindowOpened(Event):
    """a buying need triggers: the window opens; `day` is the buyer's planned decision day"""

    account: int
    segment: str
    pain: str
    budget: str
    day: float


@kind("buyer")
class BuyingCenterFormed(Event):
    """with each window: `group_size` people decide; `capital` is the champion's capital (0: no champion);
    `personas` lists the personas present (stalling_cio, champion, procurement)"""

    account: int
    group_size: int
    capital: float
    personas: str


@kind("buyer")
class BuyingJobCompleted(Event):
    """the buyer finishes one of its six buying jobs (`job`)"""

    account: int
    job: str


@kind("buyer")
class BudgetAssigned(Event):
    """a planned budget gets dollars assigned once requirements are set"""

    account: int


@kind("buyer")
class BuyingWindowClosed(Event):
    """the buyer's window ends (its consensus job is done)"""

    account: int


# --- the sales organisation ------------------------------------------------------------------
@kind("rep")
class RepHired(Event):
    """a rep takes a seat; `capacity` is the share of full selling hours on day one (1 for the starting
    team)"""

    rep: int
    seat: int
    capacity: float


@kind("rep")
class RepDeparted(Event):
    """a rep leaves after `days` of tenure; the seat is vacant"""

    rep: int
    seat: int
    days: float


@kind("rep")
class AdminHoursLogged(Event):
    """weekly: the rep's hours not available for selling"""

    rep: int
    hours: float


@kind("rep")
class IdleHoursLogged(Event):
    """as a week ends (and at the horizon, pro rata, for the week under way): selling hours the rep had that
    week and did not use; `day` is the week's first day; `reason` why prospecting did not use them:
    `territory_exhausted` (every targeted account of the territory was in a deal, cooling off or in nurture),
    `week_full` (the week's hours were all used; 0 hours), `no_outbound` (outbound
    prospecting switched off) or `horizon` (the run ended before the week's prospecting)"""

    rep: int
    hours: float
    day: float
    reason: str


@kind("rep")
class WorkLogged(Event):
    """part of an activity (`reason`: the event kind it belongs to) that did not fit in one week"""

    rep: int
    account: int | None = None
    opp: int | None = None
    contact: int | None = None
    hours: float
    reason: str


# --- prospecting and qualification -----------------------------------------------------------
@kind("rep")
class ContactMade(Work):
    """a contact reaches someone of `title` at the account (`reason`: outbound prospecting, or inbound when
    the buyer reached out)"""

    rep: int | None = None
    account: int
    contact: int
    segment: str
    title: str
    hours: float
    reason: str


@kind("buyer")
class ContactReferredUp(Event):
    """a contact below the strategy's minimum title introduces the rep to a senior `title` (DiModica: by-pass
    them for senior management)"""

    rep: int
    account: int
    contact: int
    title: str


@kind("rep")
class ContactDisqualified(Event):
    """the strategy declines to meet this contact (title below the minimum)"""

    rep: int
    account: int
    contact: int
    title: str
    reason: str


@kind("buyer")
class MeetingDeclined(Event):
    """the contact declines a first meeting"""

    rep: int
    account: int
    contact: int


@kind("rep")
class MeetingHeld(Work):
    """a first meeting (a 20-minute test meeting under qualify-hard)"""

    rep: int | None = None
    account: int
    contact: int
    title: str
    hours: float


@kind("rep")
class QualificationScored(Event):
    """the 20-minute sales test's five answers (`answers`, one digit each: buying within the test window,
    budget assigned, decision maker VP+, pain stated, asks for a next step), `score` of 5, and the
    opportunity type"""

    rep: int
    account: int
    contact: int
    score: int
    answers: str
    opp_type: str


@kind("rep")
class NurtureStarted(Event):
    """the account goes to passive marketing follow-up until `day`, when it may be re-tested"""

    rep: int
    account: int
    contact: int
    day: float


@kind("market")
class AccountCooledOff(Event):
    """an account that said no is left alone until `day`"""

    account: int
    day: float


@kind("buyer")
class ReferralGiven(Event):
    """a happy customer refers this account (warmer first contact)"""

    account: int
    opp: int


# --- the opportunity ----------------------------------------------------------------------------
@kind("rep")
class OpportunityOpened(Event):
    """an opportunity enters the pipeline at list price `amount`"""

    rep: int
    account: int
    opp: int
    contact: int
    segment: str
    amount: float
    opp_type: str
    score: int


@kind("rep")
class CheckInMade(DealWork):
    """the rep checks in on an idle deal (`reason`: waiting_for_buyer or no_buying_window)"""

    rep: int | None = None
    account: int
    opp: int
    hours: float
    reason: str


@kind("rep")
class StageAdvanced(DealWork):
    """a vendor-visible stage is done"""

    rep: int | None = None
    account: int
    opp: int
    stage: str
    hours: float


@kind("rep")
class EnterpriseWorkDone(DealWork):
    """work an enterprise buyer requires of a vendor at a `stage` (`reason`: discovery_workshop,
    tailored_demo, rfp_response or security_questionnaire), `hours` of the deal team booked to the seat"""

    rep: int | None = None
    account: int
    opp: int
    stage: str
    reason: str
    hours: float


@kind("rep")
class BuyerEnabled(DealWork):
    """help-them-buy: hours spent enabling the buyer's own process at this stage"""

    rep: int | None = None
    account: int
    opp: int
    stage: str
    hours: float


@kind("buyer")
class StallRequested(DealWork):
    """the stalling CIO answers a stage with a low-value request (`reason`), costing `hours` and `days`"""

    rep: int | None = None
    account: int
    opp: int
    stage: str
    reason: str
    hours: float
    days: float


@kind("buyer")
class EvidenceFailed(OnDeal):
    """evidence goes wrong (failed pilot, disappointing reference, overreaching innovation pitch)"""

    rep: int | None = None
    account: int
    opp: int
    stage: str
    reason: str
    days: float


@kind("buyer")
class ChampionCapitalSpent(Event):
    """the champion spends `capital_spent` political capital on an internal push; `capital` is what is left"""

    account: int
    opp: int
    stage: str
    capital_spent: float
    capital: float


@kind("rep")
class PressureApplied(Event):
    """near period end, behind on quota: invented scarcity or a pending price increase (`reason`)"""

    rep: int
    account: int
    opp: int
    reason: str


@kind("buyer")
class PressureWorked(OnDeal):
    """an owner without procurement is rushed: the decision moves `days` earlier"""

    rep: int | None = None
    account: int
    opp: int
    days: float


@kind("procurement")
class ProcurementEngaged(OnDeal):
    """procurement takes over the commercial stage"""

    rep: int | None = None
    account: int
    opp: int


@dataclass(slots=True, kw_only=True)
class ProcurementDelay(DealWork):
    """Procurement holds the deal up: the rep's `hours` of work and `days` of delay (not a kind itself)."""

    rep: int | None = None
    account: int
    opp: int
    hours: float
    days: float


@kind("procurement")
class SupplierRiskAssessed(ProcurementDelay):
    """risk assessment of a new supplier took `days` and the rep's paperwork `hours`"""


@kind("procurement")
class CapitalApprovalFellShort(ProcurementDelay):
    """the approved capital does not cover the deal: re-scope (`hours`) and re-approval (`days`)"""


@kind("procurement")
class PressureDetected(ProcurementDelay):
    """procurement sees through the invented urgency: repair `hours`, `days` of delay"""


@kind("procurement")
class NegotiationRoundHeld(DealWork):
    """a negotiation round with procurement extracts `discount` of the remaining price"""

    rep: int | None = None
    account: int
    opp: int
    hours: float
    discount: float


@kind("rep")
class DiscountConceded(OnDeal):
    """a discount (`discount` of the remaining price) for `reason`: negotiation, owner, period_end,
    pressure_detected"""

    rep: int | None = None
    account: int
    opp: int
    discount: float
    reason: str


# --- terminal events: exactly one per opportunity -------------------------------------------------
@kind("buyer")
class DealWon(Ending):
    """the buyer buys from us: `amount` after total `discount` (`reason`: won or conditional)"""

    rep: int | None = None
    account: int
    opp: int
    segment: str
    amount: float
    discount: float
    reason: str


@kind("buyer")
class DealLost(Ending):
    """the buyer buys elsewhere: competitor; after_shortlist (we reached a buyer who had already
    shortlisted, or had drawn up its shortlist before our demo); not_ready (the rep had not finished the stage the
    buyer needed); seat_vacant (the same, while the deal's seat had no rep); lost_despite_winning (the
    champion's capital was spent)"""

    rep: int | None = None
    account: int
    opp: int
    segment: str
    reason: str


@kind("buyer")
class NoDecisionReached(Ending):
    """the buyer does not decide: status_quo, indecision, further_evaluation (the stalling CIO), went_dark
    (no buying window opened for too long)"""

    rep: int | None = None
    account: int
    opp: int
    segment: str
    reason: str


@kind("rep")
class OpportunityWalkedAway(Ending):
    """the rep walks away after `days` without visible progress"""

    rep: int | None = None
    account: int
    opp: int
    segment: str
    days: float
    reason: str


@kind("engine")
class OpportunityCensored(Ending):
    """still open when the run ends"""

    rep: int | None = None
    account: int
    opp: int
    segment: str


# --- after the sale ---------------------------------------------------------------------------
@kind("rep")
class CommissionEarned(Event):
    """commission on a won deal"""

    rep: int
    opp: int
    amount: float


@kind("buyer")
class AdoptionSucceeded(Event):
    """the customer adopts what it bought"""

    account: int
    opp: int


@kind("buyer")
class AdoptionFailed(Event):
    """adoption fails: people, processes, trust in IT"""

    account: int
    opp: int


@kind("market")
class ReputationChanged(Event):
    """the vendor's reputation moves by `reputation_change` to `reputation` because of `reason`"""

    opp: int | None = None
    reputation_change: float
    reputation: float
    reason: str


# --- leadership and the quota clock ------------------------------------------------------------
@kind("leadership")
class QuotaReviewed(Event):
    """monthly review: bookings this quota year `amount` against the `target` to date"""

    rep: int
    amount: float
    target: float
    attainment: float | None = None


@kind("leadership")
class QuotaYearStarted(Event):
    """a quota year starts (at quota_start_day and every twelve reviews after): bookings count from here"""

    rep: int


@kind("leadership")
class QuotaPeriodClosed(Event):
    """the quota year ends: bookings `amount` vs quota `target`; `reason` is made or missed"""

    rep: int
    amount: float
    target: float
    attainment: float
    reason: str


@kind("leadership")
class PipelineReviewed(Event):
    """monthly: open pipeline value `amount`, `open_deals`, `coverage` of the quota still to book"""

    amount: float
    open_deals: int
    coverage: float


@kind("leadership")
class ForecastCommitted(Event):
    """monthly: bookings committed for the period ending on `day`, from the sales cycle reps expect"""

    amount: float
    day: float


@kind("engine")
class RunEnded(Event):
    """the horizon is reached; nothing follows"""

    day: float
