"""The commercial stage: procurement as gatekeeper in large accounts, an owner's haggling in small ones.

The satire video: in a Fortune 1000 account, a supply-chain department (Jennifer) runs a supplier
risk assessment for a new supplier, finds the capital approval insufficient and sends it back for
re-approval, negotiates in rounds that extract discount, and punctures invented scarcity and price increases
(``sim.model.pressure``). In an SMB "the decision maker is often an owner" and the procurement politics do
not apply: the owner haggles once. Procurement's delays push the buyer's decision later.
"""

from __future__ import annotations

import math
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
from sim.model.pressure import react_to_pressure

if TYPE_CHECKING:
    from sim.config import ProcurementConfig
    from sim.core.world import Process
    from sim.model.market import WindowDraws
    from sim.model.opportunity import Opportunity

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


def commercial_stage(opp: Opportunity) -> Process:
    """Run procurement (or the owner's haggling) for one deal, then let the decision wait for it."""
    world, window = opp.world, opp.window
    assert window is not None
    proc = opp.cfg.buying_center.procurement
    discount_factor = help_factor(world.policy, opp.response.help_discount_factor)
    if not world.market.w_procurement[window]:
        owner = opp.cfg.owner_discount * discount_factor * haggle(opp)
        opp.emit(DiscountConceded(account=opp.account, opp=opp.opp, discount=round(owner, 6), reason="owner"))
        return
    opp.emit(ProcurementEngaged(account=opp.account, opp=opp.opp))
    yield from react_to_pressure(opp)
    if not world.state.accounts[opp.account].customer:
        yield from opp.wait(proc.supplier_risk_assessment_days)
        yield from opp.spend(
            SupplierRiskAssessed(
                account=opp.account,
                opp=opp.opp,
                hours=proc.paperwork_hours,
                days=proc.supplier_risk_assessment_days,
            ),
            deadline=math.inf,
        )
    if opp.stream.chance(proc.capital_shortfall_probability):
        yield from opp.spend(
            CapitalApprovalFellShort(
                account=opp.account, opp=opp.opp, hours=proc.rework_hours, days=proc.reapproval_days
            ),
            deadline=math.inf,
        )
        yield from opp.wait(proc.reapproval_days)
    rounds = opp.stream.integer(proc.negotiation_rounds.min, proc.negotiation_rounds.max)
    for _ in range(rounds):
        share = round(proc.discount_per_round * discount_factor * haggle(opp), 6)
        yield from opp.spend(
            NegotiationRoundHeld(account=opp.account, opp=opp.opp, hours=proc.round_hours, discount=share),
            deadline=math.inf,
        )
        opp.emit(DiscountConceded(account=opp.account, opp=opp.opp, discount=share, reason="negotiation"))
        yield from opp.wait(ROUND_GAP_DAYS)
    # The buyer cannot sign before its own procurement is done.
    opp.decision_time = max(opp.decision_time, world.env.now)
