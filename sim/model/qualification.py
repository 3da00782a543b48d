"""Qualification: whom the rep goes on with, the 20-minute sales test, and whether an opportunity opens.

DiModica gives four opportunity types and the 20-minute
sales test. Its five answers are facts of the account at the moment of the first meeting, read off the
buyer's window, never coin flips of their own. The strategy decides what to do with them: numbers-game opens
everything; qualify-hard meets VP+ contacts only, gives the test and moves failures to passive nurture.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.config import TITLES
from sim.core.kinds import (
    ContactDisqualified,
    ContactReferredUp,
    NurtureStarted,
    OpportunityOpened,
    QualificationScored,
)
from sim.model.deal import Deal
from sim.model.market import Market
from sim.model.sales_world import SalesWorld

VP_RANK = TITLES.index("vp")


@dataclass(frozen=True, slots=True)
class TestAnswers:
    """The five answers of the 20-minute sales test."""

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
    """The article's four opportunity types, from the test's facts."""
    if not answers.decision_maker_vp:
        return "unqualified_prospect"
    if not answers.budget_assigned:
        return "prospect"
    return "qualified_buyer" if answers.asks_next_step else "qualified_prospect"


def meeting_hours(world: SalesWorld) -> float:
    """A 20-minute test meeting under a qualifying strategy, a full first meeting otherwise."""
    org = world.scenario.sales_org
    return org.qualification_test_hours if world.policy.qualification_test else org.first_meeting_hours


def senior_enough(world: SalesWorld, rep: int, account: int, contact: int, title_rank: int) -> int | None:
    """The title the rep goes on with: the contact's own, a senior one it refers the rep to, or None.

    Below the strategy's minimum title the rep asks to be introduced upward ("by-pass them for senior
    management"); a contact who will not refer the rep up sends the account to nurture.
    """
    policy = world.policy
    if title_rank >= world.min_title_rank:
        return title_rank
    segment = world.market.segment[account]
    stream = world.account_stream(account)
    if stream.chance(getattr(world.scenario.market, segment).refer_up_probability):
        weights = [
            w if i >= world.min_title_rank else 0.0 for i, w in enumerate(world.title_weights[segment])
        ]
        senior = stream.pick(weights) if sum(weights) > 0 else world.min_title_rank
        world.log.emit(ContactReferredUp(rep=rep, account=account, contact=contact, title=TITLES[senior]))
        return senior
    world.log.emit(
        ContactDisqualified(
            rep=rep, account=account, contact=contact, title=TITLES[title_rank], reason="below_min_title"
        )
    )
    world.log.emit(
        NurtureStarted(
            rep=rep, account=account, contact=contact, day=world.env.now + policy.nurture_retest_days
        )
    )
    return None


def qualify(world: SalesWorld, seat: int, rep: int, account: int, contact: int, title_rank: int) -> None:
    """The 20-minute test's answers, then nurture or a new opportunity, as the strategy decides."""
    policy, market, emit, now = world.policy, world.market, world.log.emit, world.env.now
    window = market.window_for(account, now)
    answers = twenty_minute_test(market, window, title_rank, now, policy.test_window_days)
    opp_type = opportunity_type(answers)
    emit(
        QualificationScored(
            rep=rep,
            account=account,
            contact=contact,
            score=answers.score,
            answers=answers.code(),
            opp_type=opp_type,
        )
    )
    if policy.qualification_test and answers.score < policy.qualification_threshold:
        emit(NurtureStarted(rep=rep, account=account, contact=contact, day=now + policy.nurture_retest_days))
        return
    opp = world.new_opportunity_id()
    emit(
        OpportunityOpened(
            rep=rep,
            account=account,
            opp=opp,
            contact=contact,
            segment=market.segment[account],
            amount=market.deal_size[account],
            opp_type=opp_type,
            score=answers.score,
        )
    )
    world.spawn(Deal(world, opp, account, seat, opp_type).run())
