"""One opportunity as the mechanisms see it: its ids, its buyer's window, its decision day, and its endings.

The vendor-stage process (``sim.model.deal``) and every mechanism that acts on a deal (the stalling CIO,
the champion, procurement, pressure, the decision) work through an :class:`Opportunity`: they spend the
seat's hours on it, log events about it and end it, and never reach into each other.
"""

from __future__ import annotations

import math

from sim.core.kinds import (
    AccountCooledOff,
    DealLost,
    DealWork,
    Ending,
    NoDecisionReached,
    OnDeal,
    OpportunityWalkedAway,
)
from sim.core.state import OpportunityState
from sim.core.world import Process
from sim.model.enablement import decision_speedup, shares_plan
from sim.model.market import SHORTLIST_JOB
from sim.model.sales_world import SalesWorld

STAGES: tuple[str, ...] = ("discovery", "demo", "proposal", "pilot", "negotiation", "close")
"""Vendor-visible stages; 'pilot' runs only when the buyer asks for one."""

REQUIRED_JOB: dict[str, int] = {
    "discovery": 1,
    "demo": 2,
    "proposal": 3,
    "pilot": 4,
    "negotiation": 5,
    "close": 6,
}
"""Buying jobs the buyer must have finished before the vendor stage can run (``buying_cycle.BUYING_JOBS``)."""

CLOSE_JOB = REQUIRED_JOB["close"]

BEFORE_SHORTLIST = frozenset({"discovery", "demo"})
"""Stages that must be done before the buyer draws up its shortlist (it shortlists the vendors whose demo it
has seen): their work comes first in the rep's queue, and is given up once the shortlist is drawn up."""

SHORTLIST_PRIORITY_DAYS = 1e6
"""How far ahead of every other piece of work discovery and demo work ranks in the rep's queue (it ranks by
its buyer's shortlist day among itself)."""

SHORTLIST_STAGES = frozenset({"demo", "proposal"})
"""Stages a vendor works only while on the buyer's shortlist: a deal off it is lost instead."""

LATE_STAGES = frozenset({"proposal", "pilot", "negotiation", "close"})
"""Stages from the proposal on: where the champion pushes internally, pressure is applied, and what the
forecast counts on."""


NOT_ENGAGED, AT_WORK, DONE = "not_engaged", "at_work", "done"
"""Where the buyer's procurement is with a deal (``Opportunity.procurement``)."""


class Opportunity:
    """One opportunity of one account, worked by one seat, until its single terminal event."""

    def __init__(self, world: SalesWorld, opp: int, account: int, seat: int, opp_type: str) -> None:
        market = world.market
        self.world = world
        self.opp = opp
        self.account = account
        self.seat = seat
        self.opp_type = opp_type
        self.segment = market.segment[account]
        self.cfg = getattr(world.scenario.market, self.segment)
        """The account's segment's calibration."""
        self.org = world.scenario.sales_org
        """The sales organisation's rules the deal's work follows (stage hours, check-ins, cool-off)."""
        self.response = world.scenario.buyer_response
        """How the buyer responds to the strategy and the rep (help-them-buy, pressure, patience)."""
        self.stream = world.account_stream(account)
        self.window = market.window_for(account, world.env.now)
        self.decision_time = math.inf
        """When the buyer decides; mechanisms move it (pressure earlier, procurement later)."""
        now = world.env.now
        if self.window is not None:
            decision_day = market.decision_day(self.window)
            cycle = decision_day - market.w_open[self.window]
            speedup = decision_speedup(world.policy, self.response.help_speedup_share, cycle)
            self.decision_time = max(self.consensus_starts(), decision_day - speedup)
        dark_after = self.org.dark_after_days
        self.dark_at = (
            now + dark_after
            if self.window is None or market.w_open[self.window] > now + dark_after
            else math.inf
        )
        """When the deal goes dark: its buyer has no buying window open, and none opens in time."""
        self.after_shortlist = market.is_open(self.window, now) and market.jobs_done(self.window, now) >= (
            SHORTLIST_JOB
        )
        """The buyer had its shortlist before we reached it: we are not on it."""
        self.procurement = NOT_ENGAGED
        """Where the buyer's procurement is with the deal: not engaged, at work (from the proposal on), or done
        (``sim.model.procurement``)."""
        self.stage: str | None = None
        """The vendor stage the rep is working on (set by the deal's process)."""
        self.demo_done = False
        """Whether our demo is done (the buyer shortlists the vendors whose demo it has seen)."""
        self.shared_plan = shares_plan(world.policy)
        """The buyer works to a plan shared with us, and does not decide before we are ready."""
        self.done = False
        self.pressure_handled = False
        self.period_discount_given = False

    @property
    def record(self) -> OpportunityState:
        """The opportunity as the log has folded it (stage, hours, discount, pressure, ...)."""
        return self.world.state.opportunities[self.opp]

    def window_closes(self) -> float:
        """When the buyer's window closes (its consensus job done: it has decided); never without a window."""
        return math.inf if self.window is None else self.world.market.decision_day(self.window)

    def procurement_deadline(self) -> float:
        """The last moment the buyer's procurement works on the deal: before its window closes that day (the
        buyer's happenings of a day come before the rep's, so work on the closing day is after the close)."""
        return math.nextafter(math.floor(self.window_closes()), -math.inf)

    def off_shortlist(self) -> bool:
        """Whether the buyer drew up its shortlist before our demo: we are not on it (section 11).

        True for a deal opened after the shortlist, and for one whose demo had not happened by then.
        """
        if self.after_shortlist:
            return True
        if self.demo_done or self.window is None:
            return False
        return self.world.market.jobs_done(self.window, self.world.env.now) >= SHORTLIST_JOB

    def consensus_starts(self) -> float:
        """When the buyer's last job (consensus) starts: a rep can speed that job, not the ones before it."""
        assert self.window is not None
        return self.world.market.w_jobs[self.window][-2]

    def spend(self, work: DealWork, deadline: float | None = None, urgent: bool = False) -> Process:
        """Spend rep hours on this deal and log the activity; None if the buyer decides before the rep has time.

        By default the work may run until :meth:`stage_deadline`; ``urgent`` work comes first in the rep's queue.
        """
        limit = self.stage_deadline() if deadline is None else deadline
        # Discovery and demo come first: the buyer is about to draw up its shortlist, and after it they are of
        # no use. Negotiation and procurement's requests are due at once: the buyer's procurement waits on them
        # and must be done before its window closes.
        if urgent:
            due = -math.inf
        elif self.stage in BEFORE_SHORTLIST and self.window is not None:
            # Ahead of all other work, the soonest shortlist first.
            due = self.world.market.w_jobs[self.window][SHORTLIST_JOB - 1] - SHORTLIST_PRIORITY_DAYS
        elif self.stage == "negotiation":
            due = self.world.env.now
        else:
            due = self.next_buyer_step()
        return self.world.hours.spend(self.seat, work, deadline=limit, due=due)

    def buyer_waits_until(self) -> float:
        """Until when the buyer holds its decision for what happens on its own side (a CIO's requests, an
        evidence setback): its decision day, or for ever under a plan shared with the vendor."""
        return math.inf if self.shared_plan else self.decision_time

    def stage_deadline(self) -> float:
        """How long the buyer waits for the stage the rep is working on.

        A buyer lets its decision slip a little for a vendor on its shortlist that is still finishing a
        stage (``buyer_response.decision_slip_days``); a buyer working to a plan shared with the vendor waits
        for it however long it takes. Discovery and the demo wait only until the buyer draws up its shortlist:
        after it they are of no use (we are not on it).
        """
        limit = math.inf if self.shared_plan else self.decision_time + self.response.decision_slip_days
        if self.stage in BEFORE_SHORTLIST and self.window is not None:
            # Discovery and a demo are worth doing only before the buyer draws up its shortlist.
            shortlist = self.world.market.w_jobs[self.window][SHORTLIST_JOB - 1]
            limit = min(limit, math.nextafter(shortlist, -math.inf))
        return limit

    def next_buyer_step(self) -> float:
        """When the buyer takes its next step (its next job, or its decision): when it will want our answer."""
        if self.window is None:
            return self.decision_time
        now = self.world.env.now
        upcoming = (day for day in self.world.market.w_jobs[self.window] if day > now)
        return min(next(upcoming, math.inf), self.decision_time)

    def emit(self, event: OnDeal) -> None:
        """Log an event about this opportunity, naming the seat's current rep."""
        event.rep = self.world.state.holder(self.seat)
        self.world.log.emit(event)

    def wait(self, days: float) -> Process:
        """Let ``days`` pass (nothing if not positive)."""
        if days > 0:
            yield self.world.env.timeout(days)

    def walk_away_at(self) -> float:
        """When the strategy walks away: a set number of days after the last visible progress."""
        days = self.world.policy.walk_away_days
        return math.inf if days is None else self.record.last_progress + days

    def walk_away(self) -> None:
        """The strategy gives up on a deal that showed no visible progress for too long."""
        idle = self.world.env.now - self.record.last_progress
        self.end(
            OpportunityWalkedAway(
                account=self.account,
                opp=self.opp,
                segment=self.segment,
                days=round(idle, 3),
                reason="no_progress",
            )
        )

    def lost(self, reason: str) -> None:
        """The buyer buys elsewhere (``DealLost`` for ``reason``)."""
        self.end(DealLost(account=self.account, opp=self.opp, segment=self.segment, reason=reason))

    def no_decision(self, reason: str) -> None:
        """The buyer does not decide (``NoDecisionReached`` for ``reason``)."""
        self.end(NoDecisionReached(account=self.account, opp=self.opp, segment=self.segment, reason=reason))

    def end(self, ending: Ending) -> None:
        """Log the terminal event; the account cools off before anyone approaches it again."""
        self.done = True
        self.emit(ending)
        self.world.log.emit(
            AccountCooledOff(account=self.account, day=self.world.env.now + self.org.cooloff_days)
        )
