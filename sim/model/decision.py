"""The buyer's decision: buy from us, from a competitor, or not at all; and what a win sets off.

The decision is settled by the window's own uniform draws from the market stream, compared against odds that
move with fit, group size, champion, reputation and the strategy, so strategies differ by their odds only.
The JOLT study (``docs/calibration.md``): 40-60% of deals end in no decision, 44% of those from a preference for the status quo and
the rest from indecision; the stalling CIO's windows end in "further evaluation" (``sim.model.stalling_cio``);
a deal whose champion is spent is lost despite winning (``sim.model.champion``). A vendor that first reached
the buyer after its shortlist was drawn up is not on it and loses when the buyer buys: buyers are far into
their journey (about 12 of 18 months) before they talk to a vendor, so arriving late is a real way to lose
(``docs/calibration.md``). A deal the rep had not caught up on, even with the buyer's patience, is lost as not
ready: the rep's hours went elsewhere (DiModica: time spent on prospects who will never buy is time real buyers
do not get).
"""

from __future__ import annotations

from sim.config import BuyerResponse, ReputationConfig, SegmentConfig
from sim.core.kinds import CommissionEarned, DealWon
from sim.core.world import Process
from sim.model import champion, stalling_cio
from sim.model.enablement import helping
from sim.model.market import Market
from sim.model.opportunity import Opportunity
from sim.model.pressure import react_to_pressure
from sim.model.reputation import adoption, reputation_factor, reputation_level
from sim.model.strategy import Policy

STATUS_QUO_SHARE = 0.44
"""Of the no-decisions that are not the stalling CIO's, the share that prefer the status quo (the JOLT
Effect's 44%); the rest are indecision."""


def no_decision_probability(
    segment: SegmentConfig,
    market: Market,
    window: int,
    response: BuyerResponse,
    policy: Policy,
    pressure_detected: bool,
) -> float:
    """Chance the buying window ends in no decision (JOLT: 40-60% of deals), given the buying center."""
    if market.w_cio[window]:
        p = stalling_cio.no_decision_probability(segment)
    else:
        group = market.w_group[window]
        p = 1.0 - (1.0 - segment.no_decision_base) * (1.0 - segment.no_decision_per_extra_person) ** (
            group - 1
        )
        if market.w_budget[window] == "none":
            p += segment.no_budget_no_decision
        if market.w_pain[window] == "none":
            p += segment.no_pain_no_decision
    if champion.has_champion(market, window):
        p -= champion.no_decision_relief(market, window, response)
    if helping(policy):
        p *= response.help_no_decision_factor
    if pressure_detected:
        p += response.pressure_no_decision_add
    return min(1.0, max(0.0, p))


def win_probability(
    segment: SegmentConfig,
    market: Market,
    window: int,
    opp_type: str,
    reputation: float,
    response: BuyerResponse,
    rep_cfg: ReputationConfig,
) -> float:
    """Chance the buyer picks us, given it decides to buy and we are still in the deal."""
    p = segment.win_base
    if champion.has_champion(market, window):
        p += champion.win_bonus(market, window, response)
    if opp_type == "qualified_buyer":
        p += response.qualified_buyer_win_bonus
    return min(1.0, max(0.0, p * reputation_factor(reputation, rep_cfg.win_weight)))


def conclude(opp: Opportunity, ready: bool) -> Process:
    """Let a pressure tactic that landed meanwhile play out, then let the buyer decide."""
    yield from react_to_pressure(opp)
    decide(opp, ready)


def decide(opp: Opportunity, ready: bool) -> None:
    """The buyer decides: buy from us, from a competitor, or not at all."""
    world, window = opp.world, opp.window
    market = world.market
    assert window is not None
    response = opp.response
    record = opp.record
    p_nd = no_decision_probability(opp.cfg, market, window, response, world.policy, record.pressure_detected)
    if market.w_u_no_decision[window] < p_nd:
        if stalling_cio.places_conditional_order(opp, ready):
            win(opp, opp.cfg.buying_center.conditional_order_share, "conditional")
            return
        if market.w_cio[window]:
            reason = stalling_cio.NO_DECISION_REASON
        else:
            reason = "status_quo" if opp.stream.chance(STATUS_QUO_SHARE) else "indecision"
        opp.no_decision(reason)
    elif opp.after_shortlist:
        opp.lost("after_shortlist")
    elif not ready:
        # The rep's hours went elsewhere; or nobody's did: the seat was vacant when the buyer decided.
        opp.lost("not_ready" if world.state.holder(opp.seat) is not None else "seat_vacant")
    else:
        p_win = win_probability(
            opp.cfg,
            market,
            window,
            opp.opp_type,
            reputation_level(world),
            response,
            world.scenario.reputation,
        )
        if market.w_u_vendor[window] >= p_win:
            opp.lost("competitor")
        elif record.champion_exhausted:
            opp.lost(champion.LOST_DESPITE_WINNING)
        else:
            win(opp, 1.0, "won")


def win(opp: Opportunity, share: float, reason: str) -> None:
    """The buyer buys ``share`` of the deal from us: booking, commission, then adoption."""
    world, record = opp.world, opp.record
    amount = round(record.amount * share * (1.0 - record.discount), 2)
    rep = world.state.holder(opp.seat)
    opp.done = True
    world.log.emit(
        DealWon(
            rep=rep,
            account=opp.account,
            opp=opp.opp,
            segment=opp.segment,
            amount=amount,
            discount=round(record.discount, 6),
            reason=reason,
        )
    )
    if rep is not None:
        world.log.emit(
            CommissionEarned(rep=rep, opp=opp.opp, amount=round(amount * opp.org.commission_rate, 2))
        )
    if world.scenario.mechanisms.adoption:
        world.spawn(adoption(world, opp.account, opp.opp, record.pressure, record.champion_exhausted))
