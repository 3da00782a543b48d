"""The commercial stage: procurement as gatekeeper in large accounts, an owner's haggling in small ones.

The satire video: in a Fortune 1000 account, a supply-chain department (Jennifer) runs a supplier
risk assessment for a new supplier, finds the capital approval insufficient and sends it back for
re-approval, negotiates in rounds that extract discount, and punctures invented scarcity and price increases
(``sim.model.pressure``). In an SMB "the decision maker is often an owner" and the procurement politics do
not apply: the owner haggles once. Procurement's delays push the buyer's decision later, but never past its
window's close: procurement works on the buyer's clock and stops, whatever of it is left, when the buyer's
window closes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.core.kinds import (
    CapitalApprovalFellShort,
    DiscountConceded,
    NegotiationRoundHeld,
    ProcurementEngaged,
    SupplierRiskAssessed,
)
from sim.model.enablement import help_factor
from sim.model.opportunity import AT_WORK, DONE, NOT_ENGAGED
from sim.model.pressure import pressure_landed, react_to_pressure

if TYPE_CHECKING:
    from sim.config import ProcurementConfig
    from sim.core.world import Process
    from sim.model.market import WindowDraws
    from sim.model.opportunity import Opportunity

PRESSURE_WATCH_DAYS = 7.0
"""How often procurement at work on a deal looks for a pressure tactic that landed."""

ROUND_GAP_DAYS = 7.0
"""Calendar days between negotiation rounds."""


HAGGLE_SPREAD = 0.5
"""How far one haggle strays from the default discount: uniformly within +/- this share of it (the mean is
the default). An assumption: the sources say buyers haggle, not by how much each time."""


def runs(draws: WindowDraws, config: ProcurementConfig, switched_on: bool) -> np.ndarray:
    """Which candidate windows' purchases procurement runs (``procurement.probability``)."""
    engaged: np.ndarray = (draws("procurement") < config.probability) & switched_on
    return engaged


def haggle(opp: Opportunity) -> float:
    """A multiplier on a default discount for one haggle, drawn from the account's stream."""
    return 1.0 - HAGGLE_SPREAD + 2.0 * HAGGLE_SPREAD * opp.stream.uniform()


def engage(opp: Opportunity) -> Process:
    """Procurement engages once the buyer has our proposal (its supplier selection under way): for a new
    supplier its risk assessment, the capital approval, then its negotiation rounds; the deal's process runs
    on meanwhile and its commercial stage waits for this (:func:`commercial_stage`).

    Procurement works on the buyer's clock: its waits run at the pace that fits them before the buyer's
    window closes (the buyer has set its decision day), and whatever is left when the window closes, or when
    the deal ends, is dropped.
    """
    opp.procurement = AT_WORK  # set already by the caller that spawns it
    try:
        yield from _engage(opp)
    finally:
        opp.procurement = DONE


def _engage(opp: Opportunity) -> Process:
    """The steps of :func:`engage`."""
    world = opp.world
    proc = opp.cfg.buying_center.procurement
    until = opp.procurement_deadline()
    if world.env.now > until or opp.done:
        return
    opp.emit(ProcurementEngaged(account=opp.account, opp=opp.opp))
    yield from react_to_pressure(opp)
    if world.policy.pressure_tactics and world.scenario.mechanisms.pressure:
        world.spawn(watch_for_pressure(opp))
    new_supplier = not world.state.accounts[opp.account].customer
    shortfall = opp.stream.chance(proc.capital_shortfall_probability)
    rounds = opp.stream.integer(proc.negotiation_rounds.min, proc.negotiation_rounds.max)
    planned = (
        (proc.supplier_risk_assessment_days if new_supplier else 0.0)
        + (proc.reapproval_days if shortfall else 0.0)
        + rounds * ROUND_GAP_DAYS
    )
    pace = _pace(world.env.now, until, planned)
    if new_supplier:
        days = proc.supplier_risk_assessment_days * pace
        yield from opp.wait(days)
        if opp.done:
            return
        assessed = yield from opp.spend(
            SupplierRiskAssessed(
                account=opp.account, opp=opp.opp, hours=proc.paperwork_hours, days=round(days, 6)
            ),
            deadline=until,
        )
        if assessed is None or opp.done:
            return
    if shortfall:
        days = proc.reapproval_days * pace
        reworked = yield from opp.spend(
            CapitalApprovalFellShort(
                account=opp.account, opp=opp.opp, hours=proc.rework_hours, days=round(days, 6)
            ),
            deadline=until,
        )
        if reworked is None or opp.done:
            return
        yield from opp.wait(days)
    discount_factor = help_factor(world.policy, opp.response.help_discount_factor)
    for _ in range(rounds):
        if opp.done:
            return
        share = round(proc.discount_per_round * discount_factor * haggle(opp), 6)
        held = yield from opp.spend(
            NegotiationRoundHeld(account=opp.account, opp=opp.opp, hours=proc.round_hours, discount=share),
            deadline=until,
        )
        if held is None or opp.done:
            return
        opp.emit(DiscountConceded(account=opp.account, opp=opp.opp, discount=share, reason="negotiation"))
        yield from opp.wait(ROUND_GAP_DAYS * pace)


def watch_for_pressure(opp: Opportunity) -> Process:
    """Procurement at work on a deal sees through invented urgency as it lands, until the window closes (the
    deal's own process may not look again before then): a look a week, and a last one just before the close."""
    env, until = opp.world.env, opp.procurement_deadline()
    while not opp.done and not opp.pressure_handled:
        if pressure_landed(opp):
            yield from react_to_pressure(opp)
            return
        if env.now >= until:
            return
        yield env.timeout(min(PRESSURE_WATCH_DAYS, until - env.now))


def _pace(now: float, until: float, planned_days: float) -> float:
    """The share of their planned days procurement's waits take, so that they end before ``until``."""
    return min(1.0, max(0.0, until - now) / planned_days) if planned_days > 0 else 1.0


def commercial_stage(opp: Opportunity) -> Process:
    """At the negotiation: the owner's haggling, or wait for procurement (:func:`engage`, at work since the
    proposal) to finish; the decision waits for it."""
    world, window = opp.world, opp.window
    assert window is not None
    discount_factor = help_factor(world.policy, opp.response.help_discount_factor)
    if not world.market.w_procurement[window]:
        owner = opp.cfg.owner_discount * discount_factor * haggle(opp)
        opp.emit(DiscountConceded(account=opp.account, opp=opp.opp, discount=round(owner, 6), reason="owner"))
        return
    if opp.procurement == NOT_ENGAGED:
        yield from engage(opp)
    while opp.procurement == AT_WORK:  # its assessment, approval and negotiation rounds are not done yet
        yield world.env.timeout(1.0)
    # The buyer cannot sign before its own procurement is done.
    opp.decision_time = max(opp.decision_time, world.env.now)
