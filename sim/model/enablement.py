"""Help-them-buy: hours spent enabling the buyer's own process, and what that changes on the buyer's side.

"Selling to CIOs" ("don't sell, help your customers buy"), "I have a career here" and the enterprise-sales manual: a vendor that helps the
buying group work through its own jobs speeds the last job (consensus), softens the stalling CIO's requests,
costs the champion less capital per push, haggles less, ends in no decision less often and adopts better.
Each effect is a factor in ``[buyer_response]``; this module says where each one applies.
"""

from __future__ import annotations

from sim.model.strategy import Policy


def helping(policy: Policy) -> bool:
    """Whether the strategy helps the buyer buy."""
    return policy.help_them_buy


def help_factor(policy: Policy, factor: float) -> float:
    """``factor`` under help-them-buy, 1 otherwise (a multiplier on a chance, a cost or a discount)."""
    return factor if policy.help_them_buy else 1.0


def enables(policy: Policy) -> bool:
    """Whether the rep spends enablement hours at each stage."""
    return policy.help_them_buy and policy.enablement_hours > 0


def decision_speedup(policy: Policy, speedup_share: float, cycle_days: float) -> float:
    """Days the buyer's decision comes earlier because the vendor helps the group reach consensus."""
    return speedup_share * cycle_days if policy.help_them_buy else 0.0


def shares_plan(policy: Policy) -> bool:
    """Whether the buyer works to a plan shared with the vendor, and so does not decide before the vendor is
    ready (the mutual plan of customer-centric selling)."""
    return policy.help_them_buy


def enablement_hours(policy: Policy, stage_effort: float) -> float:
    """Rep hours spent enabling the buyer at one stage: the strategy's hours at a stage effort of 1, scaled by
    the segment's effort like the stage's own hours (a Fortune 1000 buying group needs more help)."""
    return policy.enablement_hours * stage_effort
