"""The commercial stage: procurement as gatekeeper in large accounts, an owner's haggling in small ones.

Seed 000: in a Fortune 1000 account, a supply-chain department (Jennifer) runs a supplier risk assessment for
a new supplier, finds the capital approval insufficient and sends it back for re-approval, negotiates in
rounds that extract discount, and punctures invented scarcity and price increases (see
``deal.Deal.react_to_pressure``). In an SMB "the decision maker is often an owner" and the procurement
politics do not apply: the owner haggles once. Procurement's delays push the buyer's decision later.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.model.deal import Deal

ROUND_GAP_DAYS = 7.0
"""Calendar days between negotiation rounds."""


def commercial_stage(deal: Deal) -> Generator[Any, Any, None]:
    """Run procurement (or the owner's haggling) for one deal, then let the decision wait for it."""
    w, window = deal.w, deal.window
    assert window is not None
    proc = deal.cfg.buying_center.procurement
    help_factor = w.scenario.buyer_response.help_discount_factor if w.policy.help_them_buy else 1.0
    if not w.market.w_procurement[window]:
        deal.emit("DiscountConceded", share=round(deal.cfg.owner_discount * help_factor, 6), reason="owner")
        return
    deal.emit("ProcurementEngaged")
    yield from deal.react_to_pressure()
    if not w.state.accounts[deal.account].customer:
        yield from deal.wait(proc.supplier_risk_assessment_days)
        yield from deal.spend(
            proc.paperwork_hours,
            "SupplierRiskAssessed",
            deadline=math.inf,
            day=proc.supplier_risk_assessment_days,
        )
    if deal.stream.chance(proc.capital_shortfall_probability):
        yield from deal.spend(
            proc.rework_hours, "CapitalApprovalFellShort", deadline=math.inf, day=proc.reapproval_days
        )
        yield from deal.wait(proc.reapproval_days)
    rounds = deal.stream.integer(proc.negotiation_rounds.min, proc.negotiation_rounds.max)
    share = round(proc.discount_per_round * help_factor, 6)
    for _ in range(rounds):
        yield from deal.spend(proc.round_hours, "NegotiationRoundHeld", deadline=math.inf, share=share)
        deal.emit("DiscountConceded", share=share, reason="negotiation")
        yield from deal.wait(ROUND_GAP_DAYS)
    # The buyer cannot sign before its own procurement is done.
    deal.decision_time = max(deal.decision_time, w.env.now)
