"""The vendor's reputation, and the adoption after a sale that moves it; happy customers refer others.

Reputation is market memory: detected pressure tactics and failed adoptions lower it, successful adoptions
raise it, and it scales the chance that a contact accepts a meeting, that a buyer reaches out, and that a
buyer picks us ("I have a career here": people to train, processes to change, trust in IT).
"""

from __future__ import annotations

from sim.config import BuyerResponse, ReputationConfig
from sim.core.kinds import AdoptionFailed, AdoptionSucceeded, ReferralGiven, ReputationChanged
from sim.core.world import Process
from sim.model.enablement import helping
from sim.model.sales_world import SalesWorld
from sim.model.strategy import Policy

SPENT_CHAMPION_ADOPTION_FAILURE_ADD = 0.1
"""Added chance that adoption fails when the champion spent all political capital getting the deal signed:
nobody inside is left to carry the rollout. An assumption, not a published figure."""


def reputation_factor(reputation: float, weight: float) -> float:
    """Multiplier on a chance: 1 at a neutral reputation of 0.5, above when trusted, below when not."""
    return max(0.0, 1.0 + weight * (reputation - 0.5) * 2.0)


NEUTRAL = 0.5
"""The reputation at which every odds multiplier is 1."""


def reputation_level(world: SalesWorld) -> float:
    """The reputation the odds see: the folded level, or neutral with the mechanism switched off."""
    return world.state.reputation if world.scenario.mechanisms.reputation else NEUTRAL


def change_reputation(world: SalesWorld, delta: float, reason: str, opp: int | None) -> None:
    """Move the vendor's reputation and log why (nothing moves with the mechanism switched off).

    Gains shrink as reputation nears 1 and losses as it nears 0 (``delta`` is the move from a neutral
    0.5), so a steady mix of outcomes settles at a level of its own instead of drifting to an end.
    """
    if not world.scenario.mechanisms.reputation:
        return
    current = world.state.reputation
    delta = 2.0 * delta * ((1.0 - current) if delta > 0 else current)
    level = min(1.0, max(0.0, current + delta))
    world.log.emit(
        ReputationChanged(
            opp=opp, reputation_change=round(delta, 6), reputation=round(level, 6), reason=reason
        )
    )


def log_initial_reputation(world: SalesWorld) -> None:
    """The run starts from the scenario's reputation."""
    world.log.emit(
        ReputationChanged(
            reputation_change=0.0, reputation=world.scenario.reputation.initial, reason="initial"
        )
    )


def adoption_failure_probability(
    rep_cfg: ReputationConfig,
    response: BuyerResponse,
    policy: Policy,
    pressured: bool,
    champion_exhausted: bool,
) -> float:
    """Chance an adoption fails after the sale (people to train, processes, trust in IT)."""
    p = rep_cfg.adoption_failure_probability
    if pressured:
        p += response.pressure_adoption_failure_add
    if champion_exhausted:
        p += SPENT_CHAMPION_ADOPTION_FAILURE_ADD
    if helping(policy):
        p *= response.help_adoption_failure_factor
    return min(1.0, max(0.0, p))


def adoption(world: SalesWorld, account: int, opp: int, pressured: bool, champion_exhausted: bool) -> Process:
    """After a sale: adoption succeeds or fails, reputation moves, a happy customer may refer another."""
    rep_cfg, market = world.scenario.reputation, world.market
    yield world.env.timeout(rep_cfg.adoption_days)
    stream = world.account_stream(account)
    p_fail = adoption_failure_probability(
        rep_cfg, world.scenario.buyer_response, world.policy, pressured, champion_exhausted
    )
    if stream.chance(p_fail):
        world.log.emit(AdoptionFailed(account=account, opp=opp))
        change_reputation(world, rep_cfg.adoption_failed_delta, "adoption_failed", opp)
        return
    world.log.emit(AdoptionSucceeded(account=account, opp=opp))
    change_reputation(world, rep_cfg.adoption_succeeded_delta, "adoption_succeeded", opp)
    if world.scenario.mechanisms.referrals and stream.chance(rep_cfg.referral_probability):
        peers = market.territory[(market.seat[account], market.segment[account])]
        referred = peers[stream.integer(0, len(peers) - 1)]
        if referred != account:
            world.log.emit(ReferralGiven(account=referred, opp=opp))
