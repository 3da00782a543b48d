"""Aggregates (accounts, opportunities, reps, seats, the vendor) and the one fold that changes them.

State changes only by applying events. The live run feeds every emitted event to :meth:`State.apply`, and
:func:`replay` feeds a stored log to the same method, so replaying a log rebuilds exactly the live state,
and replaying up to day *t* gives the state at *t*. Handlers are looked up by event kind; kinds that change
no aggregate (pure facts such as ``ContactMade``) still advance the clock and the event count. The market,
which logs its happenings in daily batches, folds them through the same per-kind methods its handlers call
(``State.job_completed`` and the like), so a replay changes the state exactly as the live run did.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from sim.core.events import BUYING_JOBS, TERMINAL_KINDS, Row, iter_events

JOB_NUMBER = {job: number for number, job in enumerate(BUYING_JOBS, start=1)}

WEEK_DAYS = 7.0


@dataclass(slots=True)
class AccountState:
    """A buyer organisation, as the log has revealed it."""

    segment: str
    deal_size: float
    seat: int
    window_open: bool = False
    windows: int = 0
    jobs_done: int = 0
    pain: str = "none"
    budget: str = "none"
    planned_decision: float = 0.0
    group_size: int = 0
    champion_capital: float = 0.0
    cooloff_until: float = 0.0
    nurture_until: float = 0.0
    open_opp: int | None = None
    customer: bool = False
    referred: bool = False


@dataclass(slots=True)
class OpportunityState:
    """One deal in the pipeline."""

    account: int
    seat: int
    segment: str
    opened: float
    amount: float
    opp_type: str
    stage: str = "opened"
    status: str = "open"
    closed: float | None = None
    hours: float = 0.0
    last_progress: float = 0.0
    """When the rep last saw the deal move: opened, or a stage done (the walk-away clock counts from here)."""
    discount: float = 0.0
    pressure: bool = False
    pressure_detected: bool = False
    champion_exhausted: bool = False
    stall_requests: int = 0
    won_amount: float = 0.0


@dataclass(slots=True)
class RepState:
    """One rep (one holder of a seat)."""

    seat: int
    hired: float
    start_capacity: float
    departed: float | None = None
    week: int = -1
    week_hours: float = 0.0
    week_selling_hours: float = 0.0
    last_week: int = -1
    last_week_selling_hours: float = 0.0
    selling_hours: float = 0.0
    bookings_year: float = 0.0
    bookings_total: float = 0.0
    attainment: float = 1.0


@dataclass(slots=True)
class State:
    """Everything the model knows, folded from events."""

    now: float = 0.0
    events: int = 0
    accounts: dict[int, AccountState] = field(default_factory=dict)
    opportunities: dict[int, OpportunityState] = field(default_factory=dict)
    reps: dict[int, RepState] = field(default_factory=dict)
    seats: dict[int, int | None] = field(default_factory=dict)
    open_by_seat: dict[int, set[int]] = field(default_factory=dict)
    reputation: float = 0.5
    bookings: float = 0.0
    ended: bool = False

    def apply(
        self,
        t: float,
        kind: str,
        rep: int | None,
        account: int | None,
        opp: int | None,
        contact: int | None,
        p: dict[str, Any],
    ) -> None:
        """Fold one event into the state."""
        self.now = t
        self.events += 1
        if p.get("hours") is not None and kind != "IdleHoursLogged":  # idle hours were not spent
            if rep is not None:
                self._log_hours(t, rep, p["hours"], kind != "AdminHoursLogged")
            if opp is not None:
                self.opportunities[opp].hours += p["hours"]
        handler = _HANDLERS.get(kind)
        if handler is not None:
            handler(self, t, rep, account, opp, p)
        if opp is not None and kind in TERMINAL_KINDS:
            self._close(t, opp, kind)

    def _log_hours(self, t: float, rep: int, hours: float, selling: bool) -> None:
        r = self.reps[rep]
        week = int(t // WEEK_DAYS)
        if week != r.week:
            r.last_week, r.last_week_selling_hours = r.week, r.week_selling_hours
            r.week = week
            r.week_hours = 0.0
            r.week_selling_hours = 0.0
        r.week_hours += hours
        if selling:
            r.week_selling_hours += hours
            r.selling_hours += hours

    def _close(self, t: float, opp: int, kind: str) -> None:
        o = self.opportunities[opp]
        o.status = kind
        o.closed = t
        self.open_by_seat[o.seat].discard(opp)
        a = self.accounts[o.account]
        if a.open_opp == opp:
            a.open_opp = None

    # -- the market's events ---------------------------------------------------------------------------
    # The fold of each market event kind, as a method: the handlers below call these with an event's fields,
    # and the market process calls them directly for a whole day's happenings (see ``advance``), so the live
    # run and a replay change the state in one and the same way.
    def account_created(self, account: int, segment: str, deal_size: float, seat: int) -> None:
        """Fold ``AccountCreated``."""
        self.accounts[account] = AccountState(segment=segment, deal_size=deal_size, seat=seat)

    def window_opened(self, account: int, pain: str, budget: str, decision_day: float) -> None:
        """Fold ``BuyingWindowOpened``."""
        a = self.accounts[account]
        a.window_open = True
        a.windows += 1
        a.jobs_done = 0
        a.pain = pain
        a.budget = budget
        a.planned_decision = decision_day

    def center_formed(self, account: int, group_size: int, champion_capital: float) -> None:
        """Fold ``BuyingCenterFormed``."""
        a = self.accounts[account]
        a.group_size = group_size
        a.champion_capital = champion_capital

    def job_completed(self, t: float, account: int, job: int) -> None:
        """Fold ``BuyingJobCompleted`` (``job`` is its number, 1-6)."""
        self.accounts[account].jobs_done = job

    def budget_assigned(self, account: int) -> None:
        """Fold ``BudgetAssigned``."""
        self.accounts[account].budget = "assigned"

    def window_closed(self, account: int) -> None:
        """Fold ``BuyingWindowClosed``."""
        self.accounts[account].window_open = False

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


Handler = Callable[[State, float, int | None, int | None, int | None, dict[str, Any]], None]
_HANDLERS: dict[str, Handler] = {}


def _on(kind: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        _HANDLERS[kind] = fn
        return fn

    return register


@_on("AccountCreated")
def _account_created(s: State, t: float, rep: Any, account: Any, opp: Any, p: dict[str, Any]) -> None:
    s.account_created(account, p["segment"], p["amount"], p["seat"])


@_on("BuyingWindowOpened")
def _window_opened(s: State, t: float, rep: Any, account: Any, opp: Any, p: dict[str, Any]) -> None:
    s.window_opened(account, p["pain"], p["budget"], p["day"])


@_on("BuyingCenterFormed")
def _center_formed(s: State, t: float, rep: Any, account: Any, opp: Any, p: dict[str, Any]) -> None:
    s.center_formed(account, p["group_size"], p["capital"])


@_on("BuyingJobCompleted")
def _job_completed(s: State, t: float, rep: Any, account: Any, opp: Any, p: dict[str, Any]) -> None:
    s.job_completed(t, account, JOB_NUMBER[p["job"]])


@_on("BudgetAssigned")
def _budget_assigned(s: State, t: float, rep: Any, account: Any, opp: Any, p: dict[str, Any]) -> None:
    s.budget_assigned(account)


@_on("BuyingWindowClosed")
def _window_closed(s: State, t: float, rep: Any, account: Any, opp: Any, p: dict[str, Any]) -> None:
    s.window_closed(account)


@_on("RepHired")
def _rep_hired(s: State, t: float, rep: Any, account: Any, opp: Any, p: dict[str, Any]) -> None:
    s.reps[rep] = RepState(seat=p["seat"], hired=t, start_capacity=p["capacity"])
    s.seats[p["seat"]] = rep
    s.open_by_seat.setdefault(p["seat"], set())


@_on("RepDeparted")
def _rep_departed(s: State, t: float, rep: Any, account: Any, opp: Any, p: dict[str, Any]) -> None:
    s.reps[rep].departed = t
    s.seats[p["seat"]] = None


@_on("NurtureStarted")
def _nurture(s: State, t: float, rep: Any, account: Any, opp: Any, p: dict[str, Any]) -> None:
    s.accounts[account].nurture_until = p["day"]


@_on("AccountCooledOff")
def _cooled_off(s: State, t: float, rep: Any, account: Any, opp: Any, p: dict[str, Any]) -> None:
    s.accounts[account].cooloff_until = p["day"]


@_on("ReferralGiven")
def _referral(s: State, t: float, rep: Any, account: Any, opp: Any, p: dict[str, Any]) -> None:
    s.accounts[account].referred = True


@_on("ContactMade")
def _contact(s: State, t: float, rep: Any, account: Any, opp: Any, p: dict[str, Any]) -> None:
    s.accounts[account].referred = False


@_on("OpportunityOpened")
def _opened(s: State, t: float, rep: Any, account: Any, opp: Any, p: dict[str, Any]) -> None:
    a = s.accounts[account]
    seat = s.reps[rep].seat
    s.opportunities[opp] = OpportunityState(
        account=account,
        seat=seat,
        segment=p["segment"],
        opened=t,
        amount=p["amount"],
        opp_type=p["opp_type"],
        last_progress=t,
    )
    a.open_opp = opp
    s.open_by_seat[seat].add(opp)


@_on("StageAdvanced")
def _stage(s: State, t: float, rep: Any, account: Any, opp: Any, p: dict[str, Any]) -> None:
    o = s.opportunities[opp]
    o.stage = p["stage"]
    o.last_progress = t


@_on("StallRequested")
def _stall(s: State, t: float, rep: Any, account: Any, opp: Any, p: dict[str, Any]) -> None:
    s.opportunities[opp].stall_requests += 1


@_on("ChampionCapitalSpent")
def _capital(s: State, t: float, rep: Any, account: Any, opp: Any, p: dict[str, Any]) -> None:
    s.accounts[account].champion_capital = p["capital"]
    if p["capital"] <= 0.0:
        s.opportunities[opp].champion_exhausted = True


@_on("PressureApplied")
def _pressure(s: State, t: float, rep: Any, account: Any, opp: Any, p: dict[str, Any]) -> None:
    s.opportunities[opp].pressure = True


@_on("PressureDetected")
def _detected(s: State, t: float, rep: Any, account: Any, opp: Any, p: dict[str, Any]) -> None:
    s.opportunities[opp].pressure_detected = True


@_on("DiscountConceded")
def _discount(s: State, t: float, rep: Any, account: Any, opp: Any, p: dict[str, Any]) -> None:
    o = s.opportunities[opp]
    o.discount = 1.0 - (1.0 - o.discount) * (1.0 - p["discount"])


@_on("DealWon")
def _won(s: State, t: float, rep: Any, account: Any, opp: Any, p: dict[str, Any]) -> None:
    s.opportunities[opp].won_amount = p["amount"]
    s.accounts[account].customer = True
    s.bookings += p["amount"]
    if rep is not None:  # a deal signed while the seat is vacant is booked to nobody's quota
        r = s.reps[rep]
        r.bookings_year += p["amount"]
        r.bookings_total += p["amount"]


@_on("ReputationChanged")
def _reputation(s: State, t: float, rep: Any, account: Any, opp: Any, p: dict[str, Any]) -> None:
    s.reputation = p["reputation"]


@_on("QuotaReviewed")
def _reviewed(s: State, t: float, rep: Any, account: Any, opp: Any, p: dict[str, Any]) -> None:
    if p.get("attainment") is not None:
        s.reps[rep].attainment = p["attainment"]


@_on("QuotaYearStarted")
def _year_started(s: State, t: float, rep: Any, account: Any, opp: Any, p: dict[str, Any]) -> None:
    r = s.reps[rep]
    r.bookings_year = 0.0
    r.attainment = 1.0


@_on("RunEnded")
def _ended(s: State, t: float, rep: Any, account: Any, opp: Any, p: dict[str, Any]) -> None:
    s.ended = True


def fold(rows: Iterable[Row]) -> State:
    """Fold rows into a fresh state."""
    state = State()
    for row in rows:
        state.apply(*row)
    return state


def replay(events: pl.DataFrame, until: float | None = None) -> State:
    """Rebuild the state from a log, optionally only from events with ``t <= until``."""
    if until is not None:
        events = events.filter(pl.col("t") <= until)
    return fold(iter_events(events.sort("seq")))
