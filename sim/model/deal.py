"""The vendor's stages of one opportunity, each waiting on the buyer's own job, then the decision.

The selling cycle waits on the buying cycle ("your IT selling cycle is always shorter than your prospects'
buying cycle"): each vendor-visible stage needs the buyer to have finished a buying job first, and until then
the opportunity idles and burns check-in hours. At each stage the buying center pushes back through the
mechanisms named for it (``stalling_cio``, ``evidence``, ``champion``, ``procurement``, ``pressure``), and
the strategy may walk away from a deal that shows no buyer action. This module only sequences them.
"""

from __future__ import annotations

import math

from sim.core.kinds import BuyerEnabled, CheckInMade, EnterpriseWorkDone, StageAdvanced
from sim.core.state import WEEK_DAYS
from sim.core.timing import DECISIONS, PriorityTimeout
from sim.core.world import Process
from sim.model import champion
from sim.model.decision import conclude
from sim.model.enablement import enablement_hours, enables
from sim.model.evidence import evidence_setback
from sim.model.opportunity import (
    AT_WORK,
    CLOSE_JOB,
    LATE_STAGES,
    REQUIRED_JOB,
    SHORTLIST_STAGES,
    STAGES,
    Opportunity,
)
from sim.model.pressure import period_end_discount, pressure_landed, react_to_pressure
from sim.model.procurement import commercial_stage, engage
from sim.model.sales_world import SalesWorld
from sim.model.stalling_cio import stall_requests

CLOSE_POLL_DAYS = 7.0
"""While a ready deal waits for the decision, how often it looks for a pressure tactic that landed."""


class Deal(Opportunity):
    """The process that runs one opportunity through the vendor's stages until its single terminal event."""

    def __init__(self, world: SalesWorld, opp: int, account: int, seat: int, opp_type: str) -> None:
        super().__init__(world, opp, account, seat, opp_type)
        self.last_checkin = world.env.now
        self.checkin_interval = self.org.checkin_interval_days

    def run(self) -> Process:
        """Work the stages in order, each once the buyer is ready, then wait for the decision.

        A deal off the buyer's shortlist (opened after it, or still without a demo when the buyer drew it up)
        works no demo or proposal: it is lost for it (:meth:`lose_off_shortlist`).
        """
        market = self.world.market
        for stage in STAGES:
            if stage == "pilot" and (self.window is None or not market.w_pilot[self.window]):
                continue
            not_before = self.demo_earliest() if stage == "demo" else 0.0
            yield from self.wait_for_buyer(REQUIRED_JOB[stage], not_before)
            if self.done:
                return
            if stage in SHORTLIST_STAGES and self.off_shortlist():
                yield from self.lose_off_shortlist()
                return
            if stage == "close":
                break
            finished = yield from self.work_stage(stage)
            self.stage = None
            if self.done:
                return
            if not finished:
                if self.off_shortlist():
                    # The buyer drew up its shortlist before the rep had the demo ready.
                    yield from self.lose_off_shortlist()
                    return
                # The buyer decided while the rep was still behind on this stage.
                yield from conclude(self, ready=False)
                return
        yield from self.close_stage()

    def demo_earliest(self) -> float:
        """The earliest day for the demo: the first whole day the segment's ``demo_lead_days`` after the first
        meeting (a Fortune 1000 buying group books a demo weeks out, once discovery has reached the people who
        will attend; the opportunity opens at its first meeting)."""
        lead: float = self.cfg.demo_lead_days
        # Booked for a day: the first whole day at least the lead after the meeting.
        return float(math.ceil(self.record.opened + lead)) if lead > 0 else 0.0

    def lose_off_shortlist(self) -> Process:
        """A deal off the buyer's shortlist idles (check-ins) until the buyer's next step, when it learns the
        buyer moved on with the vendors it shortlisted; lost for it then (or at the buyer's decision)."""
        self.after_shortlist = True
        assert self.window is not None
        next_job = self.world.market.jobs_done(self.window, self.world.env.now) + 1
        yield from self.wait_for_buyer(min(next_job, CLOSE_JOB))
        if self.done:
            return
        if next_job >= CLOSE_JOB:
            yield from conclude(self, ready=False)
        else:
            self.lost("after_shortlist")

    def wait_for_buyer(self, job: int, not_before: float = 0.0) -> Process:
        """Idle, with check-ins, until the buyer has done ``job`` (and not before ``not_before``); walk away, go
        dark or decide if that comes first.

        A day has an order: the buyer acts, the rep answers, then decisions fall. So a buyer's step is seen
        before its decision of the same day, and the wait for a decision ends at the end of its day.
        """
        world = self.world
        env, market, org = world.env, world.market, self.org
        while True:
            now = env.now
            if pressure_landed(self):
                yield from react_to_pressure(self)
            if self.window is not None and market.jobs_done(self.window, now) >= job and now >= not_before:
                return
            if now >= self.decision_time:
                if job != CLOSE_JOB:
                    yield from conclude(self, ready=False)
                return
            if now >= self.dark_at:
                self.no_decision("went_dark")
                return
            walk_at = self.walk_away_at()
            if now >= walk_at:
                self.walk_away()
                return
            buyer_at = (
                max(market.w_jobs[self.window][job - 1], not_before) if self.window is not None else math.inf
            )
            checkin_at = self.last_checkin + self.checkin_interval
            wake = min(buyer_at, checkin_at, walk_at, self.decision_time, self.dark_at)
            if wake > now:
                if wake == self.decision_time:
                    yield PriorityTimeout(env, wake - now, DECISIONS)
                else:
                    yield env.timeout(wake - now)
            if env.now >= checkin_at and env.now < min(buyer_at, self.decision_time):
                in_window = market.is_open(self.window, env.now)
                reason = "waiting_for_buyer" if in_window else "no_buying_window"
                # A busy rep skips the touch rather than queue it behind live work.
                world.hours.spend_if_free(
                    self.seat,
                    CheckInMade(account=self.account, opp=self.opp, reason=reason, hours=org.checkin_hours),
                )
                self.last_checkin = env.now
                # With nothing to buy, touches grow rarer; a live buyer gets the regular rhythm.
                self.checkin_interval = (
                    org.checkin_interval_days
                    if in_window
                    else min(org.max_checkin_interval_days, self.checkin_interval * org.checkin_backoff)
                )

    def work_stage(self, stage: str) -> Process:
        """One vendor stage: the CIO's requests, enablement, the stage's own hours, evidence, champion push.

        Returns whether the stage was finished before the buyer's decision.
        """
        world = self.world
        assert self.window is not None
        self.stage = stage
        if not (yield from stall_requests(self, stage)):
            return False
        policy = world.policy
        if enables(policy):
            hours = enablement_hours(policy, self.cfg.stage_effort)
            enabled = yield from self.spend(
                BuyerEnabled(account=self.account, opp=self.opp, stage=stage, hours=hours)
            )
            if enabled is None:
                return False
        for reason, hours in self.enterprise_work(stage):
            answered = yield from self.spend(
                EnterpriseWorkDone(
                    account=self.account, opp=self.opp, stage=stage, reason=reason, hours=hours
                )
            )
            if answered is None:
                return False
        stage_hours = getattr(self.org.stage_hours, stage) * self.cfg.stage_effort
        advanced = yield from self.spend(
            StageAdvanced(account=self.account, opp=self.opp, stage=stage, hours=stage_hours)
        )
        if advanced is None:
            return False
        if stage == "demo":
            if self.off_shortlist():
                # The buyer drew up its shortlist while we were still preparing: it tells us at the demo
                # that we are not on it.
                self.after_shortlist = True
                self.lost("after_shortlist")
                return True
            self.demo_done = True
        yield from evidence_setback(self, stage)
        if stage == "proposal" and world.market.w_procurement[self.window]:
            # The buyer's procurement engages with our proposal and runs alongside the rest of the deal.
            self.procurement = AT_WORK
            world.spawn(engage(self))
        if stage in LATE_STAGES:
            champion.push(self, stage)
        if stage == "negotiation":
            yield from commercial_stage(self)
        return True

    def enterprise_work(self, stage: str) -> list[tuple[str, float]]:
        """The work the buyer requires of a vendor at ``stage`` beyond the stage's own hours (the segment's
        ``discovery_workshop_hours``, ``tailored_demo_hours``, an RFP with chance ``rfp_probability`` and
        ``security_questionnaire_hours``; none by default, Fortune 1000 sets them): (reason, hours) pairs."""
        cfg = self.cfg
        if stage == "discovery":
            work = [("discovery_workshop", cfg.discovery_workshop_hours)]
        elif stage == "demo":
            work = [("tailored_demo", cfg.tailored_demo_hours)]
        elif stage == "proposal":
            rfp = (
                cfg.rfp_hours if cfg.rfp_probability > 0 and self.stream.chance(cfg.rfp_probability) else 0.0
            )
            work = [("rfp_response", rfp), ("security_questionnaire", cfg.security_questionnaire_hours)]
        else:
            return []
        return [(reason, hours) for reason, hours in work if hours > 0]

    def close_stage(self) -> Process:
        """Wait for the buyer's decision with the deal ready, then let the buyer decide."""
        env = self.world.env
        while env.now < self.decision_time:
            if pressure_landed(self):
                yield from react_to_pressure(self)
            if self.decision_time > env.now:
                if self.decision_time <= env.now + CLOSE_POLL_DAYS:
                    yield PriorityTimeout(env, self.decision_time - env.now, DECISIONS)
                else:
                    yield env.timeout(CLOSE_POLL_DAYS)
        yield from react_to_pressure(self)
        period_end_discount(self)
        # The contract waits a little for the rep; a rep with no time for it loses the deal as late.
        hours = self.org.stage_hours.close * self.cfg.stage_effort
        signed = yield from self.spend(
            StageAdvanced(account=self.account, opp=self.opp, stage="close", hours=hours),
            deadline=math.inf if self.shared_plan else max(self.decision_time, env.now) + WEEK_DAYS,
        )
        if signed is None:
            yield from conclude(self, ready=False)
            return
        champion.push(self, "close")
        yield from conclude(self, ready=True)
