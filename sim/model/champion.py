"""The champion: an insider who spends political capital carrying the deal, and can run out of it.

"I have a career here": every internal push costs the champion capital, more in a larger
buying group; a deal whose champion has nothing left is lost despite winning. While the champion has
capital, the buyer decides more often and picks us more often.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from scipy.special import ndtri

from sim.core.kinds import ChampionCapitalSpent
from sim.model.enablement import help_factor

if TYPE_CHECKING:
    from sim.config import BuyerResponse, BuyingCenterConfig
    from sim.model.market import Market, WindowDraws
    from sim.model.opportunity import Opportunity

LOST_DESPITE_WINNING = "lost_despite_winning"
"""Loss reason when the buyer picked us but the champion had no capital left to get it signed."""


def capital(draws: WindowDraws, buying_center: BuyingCenterConfig, switched_on: bool) -> np.ndarray:
    """Each candidate window's champion's political capital, 0 where the buying center has no champion
    (``champion_probability``; the capital is lognormal, ``champion_capital``)."""
    present = (draws("champion") < buying_center.champion_probability) & switched_on
    spread = buying_center.champion_capital
    drawn = spread.median * np.exp(spread.sigma * ndtri(draws("capital")))
    return np.where(present, drawn, 0.0)


def has_champion(market: Market, window: int) -> bool:
    """Whether the window's buying center has a champion (with capital to spend)."""
    return market.w_capital[window] > 0


def push(opp: Opportunity, stage: str) -> None:
    """The champion spends political capital carrying the deal internally at ``stage``."""
    world, window = opp.world, opp.window
    assert window is not None
    if not has_champion(world.market, window) or opp.record.champion_exhausted:
        return
    bc = opp.cfg.buying_center
    factor = help_factor(world.policy, opp.response.help_push_cost_factor)
    cost = bc.push_cost * math.sqrt(world.market.w_group[window]) * factor
    left = max(0.0, world.state.accounts[opp.account].champion_capital - cost)
    world.log.emit(
        ChampionCapitalSpent(account=opp.account, opp=opp.opp, stage=stage, capital_spent=cost, capital=left)
    )


def no_decision_relief(market: Market, window: int, response: BuyerResponse) -> float:
    """How much a champion lowers the chance of no decision."""
    return response.champion_no_decision_relief if has_champion(market, window) else 0.0


def win_bonus(market: Market, window: int, response: BuyerResponse) -> float:
    """How much a champion raises the chance the buyer picks us."""
    return response.champion_win_bonus if has_champion(market, window) else 0.0
