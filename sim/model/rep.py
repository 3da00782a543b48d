"""Reps: seats that are hired into, ramp up and fall vacant; a weekly hour budget; prospecting and meetings.

Seed 002: the rep is "on a time clock called a sales quota", paid mostly on commission, and wastes time with
prospects who will never buy; the first meeting is where a strategy decides (numbers-game opens everything,
qualify-hard gives the 20-minute test to VP+ contacts only and moves failures to passive nurture). Hours are
the scarce resource: every activity costs rep hours within the week's selling share, and what does not fit
waits for next week. Reps leave after a tenure (about 17 months) and their seat is vacant until a replacement
starts, then ramps up.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from sim.config import TITLES
from sim.core.state import WEEK_DAYS
from sim.model import buyer
from sim.model.deal import Deal

if TYPE_CHECKING:
    from sim.engine import World

Process = Generator[Any, Any, Any]
PROSPECT_TRIES = 6
"""Random picks from the territory before a contact slot is given up (all picks cooling off or busy)."""


def seat_process(world: World, seat: int) -> Process:
    """Fill a seat again and again: hire, stay for a tenure, leave, stay vacant, hire a replacement."""
    org, env, stream = world.scenario.sales_org, world.env, world.org_streams[seat]
    starting_team = True
    while True:
        rep = world.new_rep_id()
        world.log.emit(
            "RepHired", rep=rep, seat=seat, level=1.0 if starting_team else org.ramp_start_capacity
        )
        tenure = -math.log(1.0 - stream.uniform()) * org.mean_tenure_days
        yield env.timeout(tenure)
        world.log.emit("RepDeparted", rep=rep, seat=seat, day=round(tenure, 3))
        yield env.timeout(org.vacancy_days)
        starting_team = False


def week_process(world: World, seat: int) -> Process:
    """Each week: log the hours not available for selling, then prospect in two passes.

    Early in the week the rep keeps a minimum share of hours for prospecting; live deals are served next
    (``World.spend`` retries at the start of the week); late in the week whatever they left goes to
    prospecting too. Deals first, so a full pipeline slows prospecting rather than starving live deals.
    """
    org, env, state = world.scenario.sales_org, world.env, world.state
    while True:
        week_start = env.now
        rep = state.holder(seat)
        if rep is not None:
            capacity = world.capacity(rep, env.now)
            world.log.emit("AdminHoursLogged", rep=rep, hours=round(org.hours_per_week - capacity, 6))
            yield from prospecting_pass(world, seat, rep, org.min_prospecting_share * capacity, 2.5)
            yield env.timeout(max(0.0, week_start + LATE_PASS_DAY - env.now))
            if state.holder(seat) == rep:
                reserve = org.pipeline_reserve_hours * len(state.open_by_seat[seat])
                spare = capacity - state.selling_hours_this_week(rep, env.now) - reserve
                yield from prospecting_pass(world, seat, rep, spare, WEEK_DAYS - LATE_PASS_DAY - 0.5)
        yield env.timeout(WEEK_DAYS * (math.floor(env.now / WEEK_DAYS) + 1) - env.now)


LATE_PASS_DAY = 4.0
"""Day of the week the rep prospects with the hours live deals left."""


def prospecting_pass(world: World, seat: int, rep: int, budget: float, within_days: float) -> Process:
    """Outbound contacts spread over ``within_days``, until ``budget`` hours are used or nobody is free."""
    org, env, state = world.scenario.sales_org, world.env, world.state
    if budget <= 0:
        return
    per_contact = org.contact_hours + org.first_meeting_hours * 0.3
    contacts = int(budget // max(per_contact, 0.1))
    needed = org.contact_hours + max(org.first_meeting_hours, org.qualification_test_hours)
    spacing = min(0.5, within_days / contacts) if contacts else 0.0
    start = state.selling_hours_this_week(rep, env.now)
    for _ in range(contacts):
        used = state.selling_hours_this_week(rep, env.now)
        if state.holder(seat) != rep or used - start >= budget:
            return
        if world.capacity(rep, env.now) - used < needed:
            return
        if not prospect(world, seat, rep):
            return  # nobody in the territory is free to approach this week
        yield env.timeout(spacing)


def pick_account(world: World, seat: int) -> int | None:
    """An account in the seat's territory, in a targeted segment, that is free to approach now.

    One uniform draw picks both: its slice of [0, 1) gives the segment (slices are sized by the strategy's
    segment mix) and its place within the slice gives the account, uniformly among the segment's accounts.
    """
    slices = world.targeting[seat]
    if slices is None:
        return None
    uniform, accounts, now = world.seat_streams[seat].uniform, world.state.accounts, world.env.now
    for _ in range(PROSPECT_TRIES):
        u = uniform()
        for low, high, pool in slices:
            if u < high:
                account = pool[min(int((u - low) / (high - low) * len(pool)), len(pool) - 1)]
                break
        a = accounts[account]
        if a.open_opp is None and a.cooloff_until <= now and a.nurture_until <= now:
            return account
    return None


def prospect(world: World, seat: int, rep: int) -> bool:
    """One outbound contact: who it reaches, whether they meet, the 20-minute test, maybe an opportunity.

    Returns False when no account in the territory was free to approach.
    """
    account = pick_account(world, seat)
    if account is None:
        return False
    org, market, emit, now = world.scenario.sales_org, world.market, world.log.emit, world.env.now
    segment = market.segment[account]
    cfg = getattr(world.scenario.market, segment)
    stream = world.account_streams[account]
    title_rank = stream.pick_cumulative(world.title_cumulative[segment])
    contact = world.new_contact_id()
    referred = world.state.accounts[account].referred  # read before the contact uses the referral up
    emit(
        "ContactMade",
        rep=rep,
        account=account,
        contact=contact,
        segment=segment,
        title=TITLES[title_rank],
        hours=org.contact_hours,
        reason="outbound",
    )
    senior = senior_enough(world, rep, account, contact, title_rank)
    if senior is None:
        return True
    title_rank = senior
    window = market.window_for(account, now)
    accepted = stream.chance(
        buyer.meeting_acceptance(
            cfg,
            market.is_open(window, now),
            world.state.reputation,
            world.scenario.reputation,
            referred,
        )
    )
    if not accepted:
        emit("MeetingDeclined", rep=rep, account=account, contact=contact)
        emit("AccountCooledOff", account=account, day=now + org.cooloff_days)
        return True
    emit(
        "MeetingHeld",
        rep=rep,
        account=account,
        contact=contact,
        title=TITLES[title_rank],
        hours=meeting_hours(world),
    )
    qualify(world, seat, rep, account, contact, title_rank)
    return True


def inbound_inquiry(world: World, account: int) -> Process:
    """A buyer reaches out: the seat's rep answers (when there is one and time allows) and meets them."""
    state, market = world.state, world.market
    seat = market.seat[account]
    if state.accounts[account].open_opp is not None or state.holder(seat) is None:
        return
    segment = market.segment[account]
    title_rank = world.account_streams[account].pick_cumulative(world.title_cumulative[segment])
    contact = world.new_contact_id()
    # The buyer waits for an answer only until it decides without us.
    window = market.window_for(account, world.env.now)
    deadline = market.decision_day(window) if window is not None else world.env.now
    rep = yield from world.spend(
        seat,
        world.scenario.sales_org.contact_hours,
        "ContactMade",
        deadline=deadline,
        account=account,
        contact=contact,
        segment=segment,
        title=TITLES[title_rank],
        reason="inbound",
    )
    if rep is None:
        return
    senior = senior_enough(world, rep, account, contact, title_rank)
    if senior is None:
        return
    title_rank = senior
    rep = yield from world.spend(
        seat,
        meeting_hours(world),
        "MeetingHeld",
        deadline=deadline,
        account=account,
        contact=contact,
        title=TITLES[title_rank],
    )
    if rep is not None and state.accounts[account].open_opp is None:
        qualify(world, seat, rep, account, contact, title_rank)


def meeting_hours(world: World) -> float:
    """A 20-minute test meeting under a qualifying strategy, a full first meeting otherwise."""
    org = world.scenario.sales_org
    return org.qualification_test_hours if world.policy.qualification_test else org.first_meeting_hours


def senior_enough(world: World, rep: int, account: int, contact: int, title_rank: int) -> int | None:
    """The title the rep goes on with: the contact's own, a senior one it refers the rep to, or None.

    Below the strategy's minimum title the rep asks to be introduced upward (seed 002: "by-pass them for
    senior management"); a contact who will not refer the rep up sends the account to nurture.
    """
    policy = world.policy
    if title_rank >= world.min_title_rank:
        return title_rank
    segment = world.market.segment[account]
    stream = world.account_streams[account]
    if stream.chance(getattr(world.scenario.market, segment).refer_up_probability):
        weights = [
            w if i >= world.min_title_rank else 0.0 for i, w in enumerate(world.title_weights[segment])
        ]
        senior = stream.pick(weights) if sum(weights) > 0 else world.min_title_rank
        world.log.emit("ContactReferredUp", rep=rep, account=account, contact=contact, title=TITLES[senior])
        return senior
    world.log.emit(
        "ContactDisqualified",
        rep=rep,
        account=account,
        contact=contact,
        title=TITLES[title_rank],
        reason="below_min_title",
    )
    world.log.emit(
        "NurtureStarted",
        rep=rep,
        account=account,
        contact=contact,
        day=world.env.now + policy.nurture_retest_days,
    )
    return None


def qualify(world: World, seat: int, rep: int, account: int, contact: int, title_rank: int) -> None:
    """The 20-minute test's answers, then nurture or a new opportunity, as the strategy decides."""
    policy, market, emit, now = world.policy, world.market, world.log.emit, world.env.now
    window = market.window_for(account, now)
    answers = buyer.twenty_minute_test(market, window, title_rank, now, policy.test_window_days)
    opp_type = buyer.opportunity_type(answers)
    emit(
        "QualificationScored",
        rep=rep,
        account=account,
        contact=contact,
        score=answers.score,
        reason=answers.code(),
        opp_type=opp_type,
    )
    if policy.qualification_test and answers.score < policy.qualification_threshold:
        emit(
            "NurtureStarted", rep=rep, account=account, contact=contact, day=now + policy.nurture_retest_days
        )
        return
    opp = world.new_opportunity_id()
    emit(
        "OpportunityOpened",
        rep=rep,
        account=account,
        opp=opp,
        contact=contact,
        segment=market.segment[account],
        amount=market.deal_size[account],
        opp_type=opp_type,
        score=answers.score,
    )
    world.spawn(Deal(world, opp, account, seat, opp_type).run())
