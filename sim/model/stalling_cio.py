"""The stalling CIO: a buying-center persona who keeps a vendor busy without moving the decision.

"Selling to CIOs" describes the CIO who answers every stage with one more small request
(clarify requirements, validate a use case, an integration question, a scalability test, extend the pilot,
present to management) and, at the end, asks for "further evaluation of options" rather than deciding, or
at best places a small conditional order. Here the persona is drawn into a window's buying center with the
market (:func:`present`), stretches the buyer's cycle, answers the vendor's middle stages with requests that
cost rep hours and days, and decides through its own odds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.core.kinds import StallRequested
from sim.model.enablement import help_factor

if TYPE_CHECKING:  # the persona acts on an opportunity; the opportunity module never imports this one back
    from sim.config import BuyingCenterConfig, SegmentConfig
    from sim.core.world import Process
    from sim.model.market import WindowDraws
    from sim.model.opportunity import Opportunity

STALL_STAGES = frozenset({"demo", "proposal", "pilot", "negotiation"})
"""Vendor stages the CIO answers with requests."""

STALL_REQUESTS: tuple[str, ...] = (
    "clarify_requirements",
    "validate_use_case",
    "integration_question",
    "scalability_test",
    "extend_pilot",
    "present_to_management",
)
"""The catalogue of small requests that keep a vendor busy without moving the decision."""

MAX_STALLS_PER_STAGE = 6

NO_DECISION_REASON = "further_evaluation"
"""How a stalling CIO's window ends without a decision."""


def present(draws: WindowDraws, buying_center: BuyingCenterConfig, switched_on: bool) -> np.ndarray:
    """Which candidate windows' buying centers have a stalling CIO (``stalling_cio_probability``)."""
    cio: np.ndarray = (draws("stalling_cio") < buying_center.stalling_cio_probability) & switched_on
    return cio


def stretch_cycles(cycle: np.ndarray, cio: np.ndarray, factor: float) -> np.ndarray:
    """Buying cycles (days) with the CIO's windows stretched by ``factor``."""
    return np.where(cio, cycle * factor, cycle)


def stall_requests(opp: Opportunity, stage: str) -> Process:
    """The CIO's requests at one vendor stage, each costing hours and days; False if the buyer decided meanwhile."""
    world = opp.world
    bc = opp.cfg.buying_center
    if stage not in STALL_STAGES or opp.window is None or not world.market.w_cio[opp.window]:
        return True
    p = bc.stall_request_probability * help_factor(world.policy, opp.response.help_stall_factor)
    for _ in range(MAX_STALLS_PER_STAGE):
        # A request is not progress: the walk-away clock keeps running through the CIO's requests.
        if world.env.now >= opp.walk_away_at():
            opp.walk_away()
            return False
        if not opp.stream.chance(p):
            break
        request = STALL_REQUESTS[opp.stream.integer(0, len(STALL_REQUESTS) - 1)]
        done = yield from opp.spend(
            StallRequested(
                account=opp.account,
                opp=opp.opp,
                stage=stage,
                reason=request,
                hours=bc.stall_request_hours,
                days=bc.stall_request_days,
            )
        )
        if done is None:
            return False
        yield from opp.wait(min(bc.stall_request_days, opp.buyer_waits_until() - world.env.now))
        if world.env.now >= opp.buyer_waits_until():
            # The buyer's time ran out while its CIO was still weighing our answer: the rep was not behind;
            # the CIO's "further evaluation of options" never ended.
            opp.no_decision(NO_DECISION_REASON)
            return False
    return True


def no_decision_probability(segment: SegmentConfig) -> float:
    """Chance a stalling CIO's window ends in no decision, before the champion and the strategy act on it."""
    return segment.buying_center.stall_no_decision_probability


def places_conditional_order(opp: Opportunity, ready: bool) -> bool:
    """Whether a CIO who will not decide places a small conditional order instead (only with the deal ready)."""
    assert opp.window is not None
    return (
        opp.world.market.w_cio[opp.window]
        and ready
        and opp.stream.chance(opp.cfg.buying_center.conditional_order_probability)
    )
