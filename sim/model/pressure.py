"""Invented urgency and period-end discounts: what a rep behind on quota does as the period closes.

The satire video: Phil invents scarcity and a pending price increase to pull a decision forward.
Procurement sees through it (repair hours, a delay, a discount and a dent in reputation); an owner without
procurement may be rushed. A rep behind on quota may instead buy a deal in with a discount.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.core.kinds import DiscountConceded, PressureApplied, PressureDetected, PressureWorked
from sim.model.opportunity import LATE_STAGES
from sim.model.quota import behind_on_quota, days_to_period_end
from sim.model.reputation import change_reputation

if TYPE_CHECKING:
    from sim.core.world import Process
    from sim.model.opportunity import Opportunity
    from sim.model.sales_world import SalesWorld

PRESSURE_TACTICS = ("fake_scarcity", "price_increase")


def pressure_sweep(world: SalesWorld) -> None:
    """Reps behind on quota put invented urgency on their late-stage deals."""
    state, now, org = world.state, world.env.now, world.scenario.sales_org
    for seat in range(org.seats):
        rep = state.holder(seat)
        if rep is None or not behind_on_quota(org, state.reps[rep], now):
            continue
        stream = world.seat_streams[seat]
        for opp in sorted(state.open_by_seat[seat]):
            o = state.opportunities[opp]
            if o.stage in LATE_STAGES and not o.pressure:
                tactic = PRESSURE_TACTICS[stream.integer(0, 1)]
                world.log.emit(PressureApplied(rep=rep, account=o.account, opp=opp, reason=tactic))


def pressure_landed(opp: Opportunity) -> bool:
    """Whether a pressure tactic has landed on this deal and the buyer has not reacted to it yet."""
    return not opp.pressure_handled and opp.window is not None and opp.record.pressure


def react_to_pressure(opp: Opportunity) -> Process:
    """Once a pressure tactic lands: procurement may see through it; an owner may be rushed."""
    if not pressure_landed(opp):
        return
    assert opp.window is not None  # pressure_landed says so
    opp.pressure_handled = True
    world = opp.world
    proc = opp.cfg.buying_center.procurement
    if world.market.w_procurement[opp.window]:
        # Procurement sees through the tactic only while it works on the deal: before the window closes.
        until = opp.procurement_deadline()
        if world.env.now <= until and opp.stream.chance(proc.urgency_detection_probability):
            detected = yield from opp.spend(
                PressureDetected(
                    account=opp.account,
                    opp=opp.opp,
                    hours=proc.detected_rework_hours,
                    days=proc.detected_delay_days,
                ),
                deadline=until,
                urgent=True,  # repairing a deal procurement caught out comes first
            )
            if detected is None:
                return
            opp.emit(
                DiscountConceded(
                    account=opp.account,
                    opp=opp.opp,
                    discount=proc.detected_discount,
                    reason="pressure_detected",
                )
            )
            change_reputation(
                world, world.scenario.reputation.pressure_detected_delta, "pressure_detected", opp.opp
            )
            opp.decision_time = max(opp.decision_time, world.env.now) + proc.detected_delay_days
    else:
        speedup = opp.response.pressure_smb_speedup_days
        rushed = max(world.env.now, opp.consensus_starts(), opp.decision_time - speedup)
        opp.emit(
            PressureWorked(
                account=opp.account, opp=opp.opp, days=round(max(0.0, opp.decision_time - rushed), 6)
            )
        )
        opp.decision_time = rushed


def period_end_discount(opp: Opportunity) -> None:
    """A rep behind on quota near period end buys the deal in with a discount, as the strategy allows."""
    world = opp.world
    policy = world.policy
    rep = world.state.holder(opp.seat)
    if opp.period_discount_given or rep is None or policy.period_end_discount <= 0:
        return
    attainment = world.state.reps[rep].attainment
    if (
        attainment < 1.0
        and days_to_period_end(opp.org, world.env.now) <= policy.pressure_days_before_period_end
    ):
        opp.period_discount_given = True
        share = policy.period_end_discount * min(1.0, 1.0 - attainment)
        opp.emit(
            DiscountConceded(account=opp.account, opp=opp.opp, discount=round(share, 6), reason="period_end")
        )
