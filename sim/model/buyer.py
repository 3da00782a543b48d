"""The buyer's side of a deal: the 20-minute test's facts, the opportunity type, and the decision odds.

Seed 002 gives the four opportunity types and the 20-minute sales test; its five answers are facts of the
account at the moment of the first meeting, read off the buyer's window, never coin flips of their own.
The decision (seed 002's "buying cycle", seed 004's "further evaluation of options", seed 001's "lose despite
winning") is settled by the window's own uniform draws from the market stream, compared against odds that
move with fit, group size, champion, reputation and the strategy, so strategies differ by their odds only.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.config import TITLES, BuyerResponse, ReputationConfig, SegmentConfig
from sim.model.market import Market
from sim.model.strategy import Policy

VP_RANK = TITLES.index("vp")


@dataclass(frozen=True, slots=True)
class TestAnswers:
    """The five answers of the 20-minute sales test (seed 002)."""

    buying_soon: bool
    budget_assigned: bool
    decision_maker_vp: bool
    pain_stated: bool
    asks_next_step: bool

    @property
    def score(self) -> int:
        """How many of the five answers are yes."""
        return sum(self.digits())

    def digits(self) -> tuple[int, int, int, int, int]:
        """The answers as 0/1, in the order of the article."""
        return (
            int(self.buying_soon),
            int(self.budget_assigned),
            int(self.decision_maker_vp),
            int(self.pain_stated),
            int(self.asks_next_step),
        )

    def code(self) -> str:
        """The answers as five digits, e.g. ``"10111"`` (stored in the event log)."""
        return "".join(str(d) for d in self.digits())


def twenty_minute_test(
    market: Market, window: int | None, title_rank: int, now: float, test_window_days: float
) -> TestAnswers:
    """Read the five answers off the account's window at ``now``."""
    in_window = market.is_open(window, now)
    assert window is not None or not in_window
    if not in_window or window is None:
        return TestAnswers(False, False, title_rank >= VP_RANK, False, False)
    return TestAnswers(
        buying_soon=market.decision_day(window) - now <= test_window_days,
        budget_assigned=market.budget_assigned(window, now),
        decision_maker_vp=title_rank >= VP_RANK,
        pain_stated=market.w_pain[window] == "acute",
        asks_next_step=market.w_pain[window] != "none" and market.jobs_done(window, now) >= 1,
    )


def opportunity_type(answers: TestAnswers) -> str:
    """Seed 002's four opportunity types, from the test's facts."""
    if not answers.decision_maker_vp:
        return "unqualified_prospect"
    if not answers.budget_assigned:
        return "prospect"
    return "qualified_buyer" if answers.asks_next_step else "qualified_prospect"


def reputation_factor(reputation: float, weight: float) -> float:
    """Multiplier on a chance: 1 at a neutral reputation of 0.5, above when trusted, below when not."""
    return max(0.0, 1.0 + weight * (reputation - 0.5) * 2.0)


def meeting_acceptance(
    segment: SegmentConfig, in_window: bool, reputation: float, rep_cfg: ReputationConfig, referred: bool
) -> float:
    """Chance a contact accepts a first meeting."""
    base = segment.meeting_acceptance_in_window if in_window else segment.meeting_acceptance_outside
    if referred:
        base = 1.0 - (1.0 - base) * 0.5
    return min(1.0, base * reputation_factor(reputation, rep_cfg.meeting_weight))


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
        p = segment.buying_center.stall_no_decision_probability
    else:
        group = market.w_group[window]
        p = 1.0 - (1.0 - segment.no_decision_base) * (1.0 - segment.no_decision_per_extra_person) ** (
            group - 1
        )
        if market.w_budget[window] == "none":
            p += segment.no_budget_no_decision
        if market.w_pain[window] == "none":
            p += segment.no_pain_no_decision
    if market.w_capital[window] > 0:
        p -= response.champion_no_decision_relief
    if policy.help_them_buy:
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
    if market.w_capital[window] > 0:
        p += response.champion_win_bonus
    if opp_type == "qualified_buyer":
        p += response.qualified_buyer_win_bonus
    return min(1.0, max(0.0, p * reputation_factor(reputation, rep_cfg.win_weight)))


def adoption_failure_probability(
    rep_cfg: ReputationConfig,
    response: BuyerResponse,
    policy: Policy,
    pressured: bool,
    champion_exhausted: bool,
) -> float:
    """Chance an adoption fails after the sale (seed 001: people to train, processes, trust in IT)."""
    p = rep_cfg.adoption_failure_probability
    if pressured:
        p += response.pressure_adoption_failure_add
    if champion_exhausted:
        p += 0.1
    if policy.help_them_buy:
        p *= response.help_adoption_failure_factor
    return min(1.0, max(0.0, p))
