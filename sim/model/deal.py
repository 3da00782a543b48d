"""One opportunity's life: vendor stages that wait on the buyer, pushback from the buying center, the decision.

The selling cycle waits on the buying cycle (seed 002: "your IT selling cycle is always shorter than your
prospects' buying cycle"): each vendor-visible stage needs the buyer to have finished a buying job first, and
until then the opportunity idles and burns check-in hours. The buying center pushes back: the stalling CIO
answers stages with low-value requests (seed 004), the champion spends political capital on every internal
push and the deal is lost despite winning when it runs out (seed 001), evidence goes wrong (seed 003), and
procurement takes over the commercial stage (seed 000, ``sim.model.procurement``). Walk-away rules (seeds
002 and 004) end deals that show no buyer action.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from sim.core.state import WEEK_DAYS
from sim.model import buyer
from sim.model.procurement import commercial_stage

if TYPE_CHECKING:
    from sim.engine import World

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
"""Buying jobs the buyer must have finished before the vendor stage can run (jobs in ``market.BUYING_JOBS``)."""

CLOSE_JOB = REQUIRED_JOB["close"]
STALL_STAGES = frozenset({"demo", "proposal", "pilot", "negotiation"})
PUSH_STAGES = frozenset({"proposal", "pilot", "negotiation", "close"})
EVIDENCE_FAILURES: dict[str, str] = {"demo": "innovation_overreach", "pilot": "failed_pilot"}
STALL_REQUESTS: tuple[str, ...] = (
    "clarify_requirements",
    "validate_use_case",
    "integration_question",
    "scalability_test",
    "extend_pilot",
    "present_to_management",
)
"""Seed 004's catalogue of small requests that keep a vendor busy without moving the decision."""

MAX_STALLS_PER_STAGE = 6
Process = Generator[Any, Any, Any]


class Deal:
    """The process that runs one opportunity until its single terminal event."""

    def __init__(self, world: World, opp: int, account: int, seat: int, opp_type: str) -> None:
        self.w = world
        self.opp = opp
        self.account = account
        self.seat = seat
        self.opp_type = opp_type
        self.segment = world.market.segment[account]
        self.cfg = getattr(world.scenario.market, self.segment)
        self.stream = world.account_streams[account]
        self.window = world.market.window_for(account, world.env.now)
        self.decision_time = math.inf
        if self.window is not None:
            cycle = world.market.decision_day(self.window) - world.market.w_open[self.window]
            speedup = (
                world.scenario.buyer_response.help_speedup_share * cycle
                if world.policy.help_them_buy
                else 0.0
            )
            self.decision_time = max(
                self.consensus_starts(), world.market.decision_day(self.window) - speedup
            )
        self.last_checkin = world.env.now
        self.checkin_interval = world.scenario.sales_org.checkin_interval_days
        self.done = False
        self.pressure_handled = False
        self.period_discount_given = False

    # -- helpers ----------------------------------------------------------------------------------------
    def consensus_starts(self) -> float:
        """When the buyer's last job (consensus) starts: a rep can speed that job, not the ones before it."""
        assert self.window is not None
        return self.w.market.w_jobs[self.window][-2]

    def spend(self, hours: float, kind: str, deadline: float | None = None, **fields: Any) -> Process:
        """Spend rep hours on this deal and log the activity; None if the buyer decides before the rep has time."""
        limit = self.decision_time if deadline is None else deadline
        return self.w.spend(
            self.seat, hours, kind, deadline=limit, account=self.account, opp=self.opp, **fields
        )

    def emit(self, kind: str, **fields: Any) -> None:
        self.w.log.emit(
            kind, rep=self.w.state.holder(self.seat), account=self.account, opp=self.opp, **fields
        )

    def wait(self, days: float) -> Process:
        if days > 0:
            yield self.w.env.timeout(days)

    @property
    def state(self) -> Any:
        return self.w.state.opportunities[self.opp]

    # -- the life of the deal ---------------------------------------------------------------------------
    def run(self) -> Process:
        """Work the stages in order, each once the buyer is ready, then wait for the decision."""
        market = self.w.market
        for stage in STAGES:
            if stage == "pilot" and (self.window is None or not market.w_pilot[self.window]):
                continue
            yield from self.wait_for_buyer(REQUIRED_JOB[stage])
            if self.done:
                return
            if stage == "close":
                break
            finished = yield from self.work_stage(stage)
            if self.done:
                return
            if not finished:
                # The buyer decided while the rep was still behind on this stage.
                yield from self.conclude(ready=False)
                return
        yield from self.close_stage()

    def wait_for_buyer(self, job: int) -> Process:
        """Idle, with check-ins, until the buyer has done ``job``; walk away or decide if that comes first."""
        env, market, policy, org = self.w.env, self.w.market, self.w.policy, self.w.scenario.sales_org
        while True:
            now = env.now
            if self.pressure_landed():
                yield from self.react_to_pressure()
            if now >= self.decision_time:
                if job != CLOSE_JOB:
                    yield from self.conclude(ready=False)
                return
            if self.window is not None and market.jobs_done(self.window, now) >= job:
                return
            walk_at = math.inf
            if not policy.never_walk_away:
                walk_at = self.state.last_buyer_action + policy.walk_away_days
                if now >= walk_at:
                    self.walk_away(now - self.state.last_buyer_action)
                    return
            buyer_at = market.w_jobs[self.window][job - 1] if self.window is not None else math.inf
            checkin_at = self.last_checkin + self.checkin_interval
            wake = min(buyer_at, checkin_at, walk_at, self.decision_time)
            if wake > now:
                yield env.timeout(wake - now)
            if env.now >= checkin_at and env.now < min(buyer_at, self.decision_time):
                in_window = market.is_open(self.window, env.now)
                reason = "waiting_for_buyer" if in_window else "no_buying_window"
                # A busy rep skips the touch rather than queue it behind live work.
                self.w.spend_if_free(
                    self.seat,
                    org.checkin_hours,
                    "CheckInMade",
                    account=self.account,
                    opp=self.opp,
                    reason=reason,
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
        w, market, window = self.w, self.w.market, self.window
        assert window is not None
        bc = self.cfg.buying_center
        response = w.scenario.buyer_response
        if stage in STALL_STAGES and market.w_cio[window]:
            p = bc.stall_request_probability * (response.help_stall_factor if w.policy.help_them_buy else 1.0)
            for _ in range(MAX_STALLS_PER_STAGE):
                if not self.stream.chance(p):
                    break
                request = STALL_REQUESTS[self.stream.integer(0, len(STALL_REQUESTS) - 1)]
                done = yield from self.spend(
                    bc.stall_request_hours,
                    "StallRequested",
                    stage=stage,
                    reason=request,
                    day=bc.stall_request_days,
                )
                if done is None:
                    return False
                yield from self.wait(min(bc.stall_request_days, self.decision_time - w.env.now))
                if w.env.now >= self.decision_time:
                    return False
        enabling = w.policy.help_them_buy and w.policy.enablement_hours > 0
        if (
            enabling
            and (yield from self.spend(w.policy.enablement_hours, "BuyerEnabled", stage=stage)) is None
        ):
            return False
        stage_hours = getattr(w.scenario.sales_org.stage_hours, stage) * self.cfg.stage_effort
        if (yield from self.spend(stage_hours, "StageAdvanced", stage=stage)) is None:
            return False
        failure = EVIDENCE_FAILURES.get(stage)
        if failure is not None and self.stream.chance(self.cfg.evidence_failure_probability):
            kind = failure if stage == "pilot" or self.stream.chance(0.5) else "disappointing_reference"
            self.emit("EvidenceFailed", stage=stage, reason=kind, day=self.cfg.evidence_setback_days)
            yield from self.wait(min(self.cfg.evidence_setback_days, self.decision_time - w.env.now))
        if stage in PUSH_STAGES:
            self.champion_push(stage)
        if stage == "negotiation":
            yield from commercial_stage(self)
        return True

    def champion_push(self, stage: str) -> None:
        """The champion spends political capital carrying the deal internally (seed 001)."""
        w, window = self.w, self.window
        assert window is not None
        if w.market.w_capital[window] <= 0 or self.state.champion_exhausted:
            return
        bc = self.cfg.buying_center
        factor = w.scenario.buyer_response.help_push_cost_factor if w.policy.help_them_buy else 1.0
        cost = bc.push_cost * math.sqrt(w.market.w_group[window]) * factor
        left = max(0.0, w.state.accounts[self.account].champion_capital - cost)
        self.w.log.emit(
            "ChampionCapitalSpent", account=self.account, opp=self.opp, stage=stage, share=cost, level=left
        )

    def close_stage(self) -> Process:
        """Wait for the buyer's decision with the deal ready, then let the buyer decide."""
        env = self.w.env
        while env.now < self.decision_time:
            if self.pressure_landed():
                yield from self.react_to_pressure()
            if self.decision_time > env.now:
                yield env.timeout(min(self.decision_time, env.now + 7.0) - env.now)
        yield from self.react_to_pressure()
        self.period_end_discount()
        # The contract waits a little for the rep; a rep with no time for it loses the deal as late.
        hours = self.w.scenario.sales_org.stage_hours.close * self.cfg.stage_effort
        signed = yield from self.spend(
            hours, "StageAdvanced", deadline=self.decision_time + WEEK_DAYS, stage="close"
        )
        if signed is None:
            yield from self.conclude(ready=False)
            return
        self.champion_push("close")
        yield from self.conclude(ready=True)

    def pressure_landed(self) -> bool:
        """Whether a pressure tactic has landed on this deal and the buyer has not reacted to it yet."""
        return not self.pressure_handled and self.window is not None and self.state.pressure

    def react_to_pressure(self) -> Process:
        """Once a pressure tactic lands: procurement may see through it; an owner may be rushed."""
        if not self.pressure_landed():
            return
        assert self.window is not None  # pressure_landed says so
        self.pressure_handled = True
        w, market = self.w, self.w.market
        proc = self.cfg.buying_center.procurement
        if market.w_procurement[self.window]:
            if self.stream.chance(proc.urgency_detection_probability):
                yield from self.spend(
                    proc.detected_rework_hours,
                    "PressureDetected",
                    deadline=math.inf,
                    day=proc.detected_delay_days,
                )
                self.emit("DiscountConceded", share=proc.detected_discount, reason="pressure_detected")
                w.change_reputation(
                    w.scenario.reputation.pressure_detected_delta, "pressure_detected", self.opp
                )
                self.decision_time = max(self.decision_time, w.env.now) + proc.detected_delay_days
        else:
            speedup = w.scenario.buyer_response.pressure_smb_speedup_days
            self.emit("PressureWorked", day=speedup)
            self.decision_time = max(w.env.now, self.consensus_starts(), self.decision_time - speedup)

    def period_end_discount(self) -> None:
        """A rep behind on quota near period end buys the deal in with a discount, as the strategy allows."""
        w = self.w
        rep = w.state.holder(self.seat)
        if self.period_discount_given or rep is None or w.policy.period_end_discount <= 0:
            return
        attainment = w.state.reps[rep].attainment
        if attainment < 1.0 and w.days_to_period_end() <= w.policy.pressure_days_before_period_end:
            self.period_discount_given = True
            share = w.policy.period_end_discount * min(1.0, 1.0 - attainment)
            self.emit("DiscountConceded", share=round(share, 6), reason="period_end")

    # -- endings ------------------------------------------------------------------------------------------
    def conclude(self, ready: bool) -> Process:
        """Let a pressure tactic that landed meanwhile play out, then let the buyer decide."""
        yield from self.react_to_pressure()
        self.decide(ready)

    def decide(self, ready: bool) -> None:
        """The buyer decides: buy from us, from a competitor, or not at all."""
        w, market, window = self.w, self.w.market, self.window
        assert window is not None
        response, bc = w.scenario.buyer_response, self.cfg.buying_center
        opp = self.state
        p_nd = buyer.no_decision_probability(
            self.cfg, market, window, response, w.policy, opp.pressure_detected
        )
        if market.w_u_no_decision[window] < p_nd:
            if market.w_cio[window] and ready and self.stream.chance(bc.conditional_order_probability):
                self.win(bc.conditional_order_share, "conditional")
                return
            if market.w_cio[window]:
                reason = "further_evaluation"
            else:
                reason = "status_quo" if self.stream.chance(0.44) else "indecision"
            self.end("NoDecisionReached", reason=reason)
        elif not ready:
            self.end("DealLost", reason="late")
        else:
            p_win = buyer.win_probability(
                self.cfg, market, window, self.opp_type, w.state.reputation, response, w.scenario.reputation
            )
            if market.w_u_vendor[window] >= p_win:
                self.end("DealLost", reason="competitor")
            elif opp.champion_exhausted:
                self.end("DealLost", reason="lost_despite_winning")
            else:
                self.win(1.0, "won")

    def win(self, share: float, reason: str) -> None:
        opp = self.state
        amount = round(opp.amount * share * (1.0 - opp.discount), 2)
        rep = self.w.state.holder(self.seat)
        self.done = True
        self.w.log.emit(
            "DealWon",
            rep=rep,
            account=self.account,
            opp=self.opp,
            segment=self.segment,
            amount=amount,
            share=round(opp.discount, 6),
            reason=reason,
        )
        if rep is not None:
            self.w.log.emit(
                "CommissionEarned",
                rep=rep,
                opp=self.opp,
                amount=round(amount * self.w.scenario.sales_org.commission_rate, 2),
            )
        self.w.spawn(self.w.adoption(self.account, self.opp, opp.pressure, opp.champion_exhausted))

    def walk_away(self, idle_days: float) -> None:
        self.end("OpportunityWalkedAway", day=round(idle_days, 3), reason="no_buyer_action")

    def end(self, kind: str, **fields: Any) -> None:
        self.done = True
        self.emit(kind, segment=self.segment, **fields)
        self.w.log.emit(
            "AccountCooledOff",
            account=self.account,
            day=self.w.env.now + self.w.scenario.sales_org.cooloff_days,
        )
