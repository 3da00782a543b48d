"""Aggregates (accounts, opportunities, reps, seats, the vendor) and the one fold that changes them.

State changes only by applying events. The live run feeds every emitted event to :meth:`State.apply`, and
:func:`replay` feeds a stored log to the same method, so replaying a log rebuilds exactly the live state,
and replaying up to day *t* gives the state at *t*. Handlers are looked up by the event's class and take it
typed (``sim.core.kinds``); kinds that change no aggregate (pure facts such as ``MeetingDeclined``) still
advance the clock and the event count. The market,
which logs its happenings in daily batches, folds them through the same per-kind methods its handlers call
(``State.center_formed`` and the like), so a replay changes the state exactly as the live run did.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import polars as pl

from sim.core import kinds as k
from sim.core.events import iter_events

WEEK_DAYS = 7.0


@dataclass(slots=True)
class AccountState:
    """A buyer organisation, as the log has revealed it: what the model's decisions read of it (its segment,
    size, windows and jobs are the market's, ``sim.model.market``; figures read the log)."""

    champion_capital: float = 0.0
    cooloff_until: float = 0.0
    nurture_until: float = 0.0
    open_opp: int | None = None
    customer: bool = False
    referred: bool = False


@dataclass(slots=True)
class OpportunityState:
    """One deal in the pipeline, as far as the model's decisions read it."""

    account: int
    seat: int
    segment: str
    opened: float
    amount: float
    stage: str = "opened"
    status: str = "open"
    last_progress: float = 0.0
    """When the rep last saw the deal move: opened, or a stage done (the walk-away clock counts from here)."""
    discount: float = 0.0
    pressure: bool = False
    pressure_detected: bool = False
    champion_exhausted: bool = False


@dataclass(slots=True)
class RepState:
    """One rep (one holder of a seat): the hours of this week and the last, and this quota year's standing."""

    seat: int
    hired: float
    start_capacity: float
    week: int = -1
    week_selling_hours: float = 0.0
    last_week: int = -1
    last_week_selling_hours: float = 0.0
    bookings_year: float = 0.0
    attainment: float = 1.0


@dataclass(slots=True)
class State:
    """Everything the model's decisions read, folded from events.

    Only what a mechanism reads is kept: a figure (revenue, hours, stalls) is a projection of the log
    (``sim.metrics``), never of the state. ``now`` and ``events`` say how far the fold has come.
    """

    now: float = 0.0
    events: int = 0
    accounts: dict[int, AccountState] = field(default_factory=dict)
    opportunities: dict[int, OpportunityState] = field(default_factory=dict)
    reps: dict[int, RepState] = field(default_factory=dict)
    seats: dict[int, int | None] = field(default_factory=dict)
    open_by_seat: dict[int, set[int]] = field(default_factory=dict)
    reputation: float = 0.5

    def apply(self, t: float, event: k.Event) -> None:
        """Fold one event into the state."""
        self.now = t
        self.events += 1
        handler = _HANDLERS.get(type(event))
        if handler is not None:
            handler(self, t, event)

    def _spent(self, t: float, rep: int | None, hours: float, selling: bool = True) -> None:
        """Rep hours an event cost, in the rep's week (selling or not)."""
        if rep is not None:
            self._log_hours(t, rep, hours, selling)

    def _log_hours(self, t: float, rep: int, hours: float, selling: bool) -> None:
        r = self.reps[rep]
        week = int(t // WEEK_DAYS)
        if week != r.week:
            r.last_week, r.last_week_selling_hours = r.week, r.week_selling_hours
            r.week = week
            r.week_selling_hours = 0.0
        if selling:
            r.week_selling_hours += hours

    def _close(self, opp: int, kind: str) -> None:
        o = self.opportunities[opp]
        o.status = kind
        self.open_by_seat[o.seat].discard(opp)
        a = self.accounts[o.account]
        if a.open_opp == opp:
            a.open_opp = None

    # -- the market's events ---------------------------------------------------------------------------
    # The fold of each market event kind, as a method: the handlers below call these with an event's fields,
    # and the market process calls them directly for a whole day's happenings (see ``advance``), so the live
    # run and a replay change the state in one and the same way.
    def account_created(self, account: int) -> None:
        """Fold ``AccountCreated``."""
        self.accounts[account] = AccountState()

    def center_formed(self, account: int, champion_capital: float) -> None:
        """Fold ``BuyingCenterFormed``: the champion's capital (0: none); the other market kinds change
        nothing the model reads of the state (it reads the market's windows, ``sim.model.market``)."""
        self.accounts[account].champion_capital = champion_capital

    def advance(self, t: float, events: int) -> None:
        """Count ``events`` folded at ``t`` through the methods above rather than :meth:`apply`."""
        self.now = t
        self.events += events

    def holder(self, seat: int) -> int | None:
        """The rep in a seat now, or None while it is vacant."""
        return self.seats.get(seat)

    def selling_hours_this_week(self, rep: int, now: float) -> float:
        """Selling hours a rep has logged in the week containing ``now``."""
        r = self.reps[rep]
        return r.week_selling_hours if r.week == int(now // WEEK_DAYS) else 0.0

    def selling_hours_in_week_of(self, rep: int, day: float) -> float:
        """Selling hours a rep logged in the week containing ``day``: this week or the one before."""
        r, week = self.reps[rep], int(day // WEEK_DAYS)
        if r.week == week:
            return r.week_selling_hours
        return r.last_week_selling_hours if r.last_week == week else 0.0


E = TypeVar("E", bound=k.Event)
Handler = Callable[[State, float, Any], None]
_HANDLERS: dict[type[k.Event], Handler] = {}


def _on(
    *declared: type[E],
) -> Callable[[Callable[[State, float, E], None]], Callable[[State, float, E], None]]:
    def register(fn: Callable[[State, float, E], None]) -> Callable[[State, float, E], None]:
        for kind in declared:
            _HANDLERS[kind] = fn
        return fn

    return register


@_on(k.AccountCreated)
def _account_created(s: State, t: float, e: k.AccountCreated) -> None:
    s.account_created(e.account)


@_on(k.BuyingCenterFormed)
def _center_formed(s: State, t: float, e: k.BuyingCenterFormed) -> None:
    s.center_formed(e.account, e.capital)


@_on(k.RepHired)
def _rep_hired(s: State, t: float, e: k.RepHired) -> None:
    s.reps[e.rep] = RepState(seat=e.seat, hired=t, start_capacity=e.capacity)
    s.seats[e.seat] = e.rep
    s.open_by_seat.setdefault(e.seat, set())


@_on(k.RepDeparted)
def _rep_departed(s: State, t: float, e: k.RepDeparted) -> None:
    s.seats[e.seat] = None


@_on(k.AdminHoursLogged)
def _admin_hours(s: State, t: float, e: k.AdminHoursLogged) -> None:
    s._spent(t, e.rep, e.hours, selling=False)


@_on(k.WorkLogged)
def _work_logged(s: State, t: float, e: k.WorkLogged) -> None:
    s._spent(t, e.rep, e.hours)


@_on(
    k.MeetingHeld,
    k.CheckInMade,
    k.BuyerEnabled,
    k.EnterpriseWorkDone,
    k.StallRequested,
    k.SupplierRiskAssessed,
    k.CapitalApprovalFellShort,
    k.NegotiationRoundHeld,
)
def _work(s: State, t: float, e: k.Work) -> None:
    s._spent(t, e.rep, e.hours)


@_on(k.NurtureStarted)
def _nurture(s: State, t: float, e: k.NurtureStarted) -> None:
    s.accounts[e.account].nurture_until = e.day


@_on(k.AccountCooledOff)
def _cooled_off(s: State, t: float, e: k.AccountCooledOff) -> None:
    s.accounts[e.account].cooloff_until = e.day


@_on(k.ReferralGiven)
def _referral(s: State, t: float, e: k.ReferralGiven) -> None:
    s.accounts[e.account].referred = True


@_on(k.ContactMade)
def _contact(s: State, t: float, e: k.ContactMade) -> None:
    s._spent(t, e.rep, e.hours)
    s.accounts[e.account].referred = False


@_on(k.OpportunityOpened)
def _opened(s: State, t: float, e: k.OpportunityOpened) -> None:
    a = s.accounts[e.account]
    seat = s.reps[e.rep].seat
    s.opportunities[e.opp] = OpportunityState(
        account=e.account,
        seat=seat,
        segment=e.segment,
        opened=t,
        amount=e.amount,
        last_progress=t,
    )
    a.open_opp = e.opp
    s.open_by_seat[seat].add(e.opp)


@_on(k.StageAdvanced)
def _stage(s: State, t: float, e: k.StageAdvanced) -> None:
    s._spent(t, e.rep, e.hours)
    o = s.opportunities[e.opp]
    o.stage = e.stage
    o.last_progress = t


@_on(k.ChampionCapitalSpent)
def _capital(s: State, t: float, e: k.ChampionCapitalSpent) -> None:
    s.accounts[e.account].champion_capital = e.capital
    if e.capital <= 0.0:
        s.opportunities[e.opp].champion_exhausted = True


@_on(k.PressureApplied)
def _pressure(s: State, t: float, e: k.PressureApplied) -> None:
    s.opportunities[e.opp].pressure = True


@_on(k.PressureDetected)
def _detected(s: State, t: float, e: k.PressureDetected) -> None:
    s._spent(t, e.rep, e.hours)
    s.opportunities[e.opp].pressure_detected = True


@_on(k.DiscountConceded)
def _discount(s: State, t: float, e: k.DiscountConceded) -> None:
    o = s.opportunities[e.opp]
    o.discount = 1.0 - (1.0 - o.discount) * (1.0 - e.discount)


@_on(k.DealWon)
def _won(s: State, t: float, e: k.DealWon) -> None:
    s.accounts[e.account].customer = True
    if e.rep is not None:  # a deal signed while the seat is vacant is booked to nobody's quota
        s.reps[e.rep].bookings_year += e.amount
    s._close(e.opp, "DealWon")


@_on(k.DealLost, k.NoDecisionReached, k.OpportunityWalkedAway, k.OpportunityCensored)
def _ended(s: State, t: float, e: k.Ending) -> None:
    s._close(e.opp, type(e).__name__)


@_on(k.ReputationChanged)
def _reputation(s: State, t: float, e: k.ReputationChanged) -> None:
    s.reputation = e.reputation


@_on(k.QuotaReviewed)
def _reviewed(s: State, t: float, e: k.QuotaReviewed) -> None:
    if e.attainment is not None:
        s.reps[e.rep].attainment = e.attainment


@_on(k.QuotaYearStarted)
def _year_started(s: State, t: float, e: k.QuotaYearStarted) -> None:
    r = s.reps[e.rep]
    r.bookings_year = 0.0
    r.attainment = 1.0


def fold(events: Iterable[tuple[float, k.Event]]) -> State:
    """Fold timed events into a fresh state."""
    state = State()
    for t, event in events:
        state.apply(t, event)
    return state


def replay(events: pl.DataFrame, until: float | None = None) -> State:
    """Rebuild the state from a log, optionally only from events with ``t <= until``."""
    if until is not None:
        events = events.filter(pl.col("t") <= until)
    return fold(iter_events(events.sort("seq")))
