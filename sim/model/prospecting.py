"""Prospecting: which account a rep approaches, the first contact and meeting, and buyers who reach out.

Outbound, the rep picks accounts in the territory's targeted segments (the strategy's segment mix) that are
not cooling off, in nurture or already in a deal; a contact of some title answers, may refer the rep upward,
and accepts a first meeting with odds that depend on the buying window and the vendor's reputation.
Inbound, a buyer that has named its problem may reach out itself, more often when the vendor is trusted.
"""

from __future__ import annotations

import math

from sim.config import TITLES, ReputationConfig, SegmentConfig
from sim.core.kinds import AccountCooledOff, ContactMade, MeetingDeclined, MeetingHeld
from sim.core.state import WEEK_DAYS, AccountState
from sim.core.world import Process
from sim.model.market import SHORTLIST_JOB, Market, TerritorySlices
from sim.model.qualification import meeting_hours, qualify, senior_enough
from sim.model.reps import IDLE_TERRITORY_EXHAUSTED, IDLE_WEEK_FULL, PARTIAL_WORK_MIN_HOURS
from sim.model.reputation import reputation_factor, reputation_level
from sim.model.sales_world import SalesWorld

PROSPECT_TRIES = 6
"""Random picks from the territory before the rep goes down the list of free accounts instead."""

MEETINGS_PER_CONTACT_ESTIMATE = 0.3
"""How many first meetings a rep expects per outbound contact: it sets the pace of a prospecting pass (not
how many contacts it makes)."""

REFERRAL_REFUSAL_FACTOR = 0.5
"""A referred contact refuses a first meeting half as often."""


def looking_for_vendors(market: Market, window: int | None, now: float) -> bool:
    """Whether the buyer is in a buying window and has not yet drawn up its shortlist of vendors."""
    return market.is_open(window, now) and market.jobs_done(window, now) < SHORTLIST_JOB


def meeting_acceptance(
    segment: SegmentConfig, looking: bool, reputation: float, rep_cfg: ReputationConfig, referred: bool
) -> float:
    """Chance a contact accepts a first meeting: a buyer looking for vendors often does; a buyer with no need,
    or one that has already shortlisted its vendors, only as often as anyone not looking."""
    base = segment.meeting_acceptance_in_window if looking else segment.meeting_acceptance_outside
    if referred:
        base = 1.0 - (1.0 - base) * REFERRAL_REFUSAL_FACTOR
    return min(1.0, base * reputation_factor(reputation, rep_cfg.meeting_weight))


def prospecting_pass(world: SalesWorld, seat: int, rep: int, keep_back: float, until: float) -> Process:
    """Outbound contacts until ``until``, one after another while the rep's free hours, less ``keep_back``,
    still hold a contact and the meeting it may lead to, and someone in the territory is free to approach.

    The pass does not fix its number of contacts up front: a contact that ends early (a junior title, a
    declined meeting, a failed test) leaves its hours for the next one, as in a rep's real week. Contacts are
    spread over the time left, at the pace the hours left allow. When the pass stops, the seat's week records
    why (``SellingHours.note_idle_reason``): that is the reason its unused hours, if any, are logged with.
    """
    org, env, state, hours = world.scenario.sales_org, world.env, world.state, world.hours
    meeting = meeting_hours(world)
    per_contact = max(org.contact_hours + meeting * MEETINGS_PER_CONTACT_ESTIMATE, 0.1)
    needed = org.contact_hours + meeting
    while state.holder(seat) == rep:
        left = hours.free_hours(rep, env.now) - keep_back
        # Start a contact here only if it and the meeting it may lead to fit in what is left; the week's last
        # scrap begins one that finishes next week.
        if left < needed:
            if keep_back > 0 or left <= PARTIAL_WORK_MIN_HOURS:
                hours.note_idle_reason(seat, IDLE_WEEK_FULL)
                return
            account = pick_account(world, seat)
            if account is None:
                hours.note_idle_reason(seat, IDLE_TERRITORY_EXHAUSTED)
                return
            world.spawn(contact_into_next_week(world, seat, account))
            yield env.timeout(0)  # the contact takes what it can now (all of it, unless it ends early)
            continue
        if not prospect(world, seat, rep):
            hours.note_idle_reason(seat, IDLE_TERRITORY_EXHAUSTED)
            return
        remaining = until - env.now
        if remaining > 0:
            yield env.timeout(min(0.5, remaining / max(1.0, left / per_contact)))


def free_to_approach(account: AccountState, now: float) -> bool:
    """Whether the rep may approach the account now: not in a deal, not cooling off, not in nurture."""
    return account.open_opp is None and account.cooloff_until <= now and account.nurture_until <= now


def pick_account(world: SalesWorld, seat: int) -> int | None:
    """An account in the seat's territory, in a targeted segment, that is free to approach now; None only
    when no such account exists (the territory is exhausted).

    One uniform draw picks both: its slice of [0, 1) gives the segment (slices are sized by the strategy's
    segment mix) and its place within the slice gives the account, uniformly among the segment's accounts.
    After ``PROSPECT_TRIES`` picks that all land on busy accounts, the rep goes down the list of the free ones
    instead (:func:`pick_free_account`).
    """
    slices = world.targeting[seat]
    if slices is None:
        return None
    uniform, accounts, now = world.seat_streams[seat].uniform, world.state.accounts, world.env.now
    for _ in range(PROSPECT_TRIES):
        account = _in_slice(slices, uniform())
        if free_to_approach(accounts[account], now):
            return account
    return pick_free_account(world, slices, uniform())


def pick_free_account(world: SalesWorld, slices: TerritorySlices, u: float) -> int | None:
    """The free account ``u`` lands on when the slices are narrowed to their free accounts (each targeted
    segment keeps its share of the mix while it has one); None when the whole targeted territory is busy."""
    accounts, now = world.state.accounts, world.env.now
    free = [
        (high - low, [a for a in pool if free_to_approach(accounts[a], now)]) for low, high, pool in slices
    ]
    free = [(width, pool) for width, pool in free if pool]
    if not free:
        return None
    total = math.fsum(width for width, _ in free)
    low = 0.0
    for i, (width, pool) in enumerate(free):
        high = 1.0 if i == len(free) - 1 else low + width / total
        if u < high:
            return pool[min(int((u - low) / (high - low) * len(pool)), len(pool) - 1)]
        low = high
    raise AssertionError("u is in [0, 1)")  # pragma: no cover


def _in_slice(slices: TerritorySlices, u: float) -> int:
    """The account a uniform draw ``u`` lands on in the seat's slices."""
    for low, high, pool in slices:
        if u < high:
            return pool[min(int((u - low) / (high - low) * len(pool)), len(pool) - 1)]
    raise AssertionError("the last slice ends at 1")  # pragma: no cover


def prospect(world: SalesWorld, seat: int, rep: int) -> bool:
    """One outbound contact: who it reaches, whether they meet, the 20-minute test, maybe an opportunity.

    Returns False when no account in the territory was free to approach.
    """
    account = pick_account(world, seat)
    if account is None:
        return False
    contact, title_rank = outbound_contact(world, account)
    referred = world.state.accounts[account].referred  # read before the contact uses the referral up
    contact.rep = rep
    world.log.emit(contact)
    meeting = first_meeting(world, rep, account, contact.contact, title_rank, referred)
    if meeting is not None:
        meeting.rep = rep
        world.log.emit(meeting)
        qualify(world, seat, rep, account, contact.contact, title_rank)
    return True


def contact_into_next_week(world: SalesWorld, seat: int, account: int) -> Process:
    """The week's last outbound contact, begun with the week's last scrap of hours (too few for a contact and
    its meeting) and finished, with its meeting, on the next working mornings: the rest of its hours queue like
    any work (``SellingHours.spend``), not urgent (due in a week), so deals waiting for hours come first."""
    state, now = world.state, world.env.now
    contact, title_rank = outbound_contact(world, account)
    referred = state.accounts[account].referred  # read before the contact uses the referral up
    rep = yield from world.hours.spend(seat, contact, due=now + WEEK_DAYS)
    if rep is None:
        return
    meeting = first_meeting(world, rep, account, contact.contact, title_rank, referred)
    if meeting is None:
        return
    rep = yield from world.hours.spend(seat, meeting, due=world.env.now + WEEK_DAYS)
    if rep is not None and state.accounts[account].open_opp is None:
        qualify(world, seat, rep, account, contact.contact, title_rank)


def outbound_contact(world: SalesWorld, account: int) -> tuple[ContactMade, int]:
    """An outbound contact with the account (not yet logged) and the rank of the title it reaches."""
    segment = world.market.segment[account]
    title_rank = world.account_stream(account).pick_cumulative(world.title_cumulative[segment])
    contact = ContactMade(
        account=account,
        contact=world.new_contact_id(),
        segment=segment,
        title=TITLES[title_rank],
        hours=world.scenario.sales_org.contact_hours,
        reason="outbound",
    )
    return contact, title_rank


def first_meeting(
    world: SalesWorld, rep: int, account: int, contact: int, title_rank: int, referred: bool
) -> MeetingHeld | None:
    """After an outbound contact: whether the rep goes on (a senior enough title, or a referral up) and the
    contact accepts a first meeting; the meeting (not yet logged), or None (a decline cools the account off)."""
    senior = senior_enough(world, rep, account, contact, title_rank)
    if senior is None:
        return None
    org, market, emit, now = world.scenario.sales_org, world.market, world.log.emit, world.env.now
    cfg = getattr(world.scenario.market, market.segment[account])
    window = market.window_for(account, now)
    accepted = world.account_stream(account).chance(
        meeting_acceptance(
            cfg,
            looking_for_vendors(market, window, now),
            reputation_level(world),
            world.scenario.reputation,
            referred,
        )
    )
    if not accepted:
        emit(MeetingDeclined(rep=rep, account=account, contact=contact))
        emit(AccountCooledOff(account=account, day=now + org.cooloff_days))
        return None
    return MeetingHeld(account=account, contact=contact, title=TITLES[senior], hours=meeting_hours(world))


def buyer_named_problem(world: SalesWorld, window: int) -> None:
    """A buyer that has named its problem may reach out to us itself (more often when we are trusted).

    The rep takes the lead only from a segment the strategy takes inbound leads from (by default the segments
    it targets): a Fortune 1000 team does not spend its hours on SMB inquiries.
    """
    market = world.market
    account = market.w_account[window]
    segment = market.segment[account]
    if not world.scenario.mechanisms.inbound or segment not in world.inbound_segments:
        return
    cfg = getattr(world.scenario.market, segment)
    trust = reputation_factor(reputation_level(world), world.scenario.reputation.meeting_weight)
    if market.w_u_inbound[window] < cfg.inbound_probability * trust:
        world.spawn(inbound_inquiry(world, account))


def inbound_inquiry(world: SalesWorld, account: int) -> Process:
    """A buyer reaches out: the seat's rep answers (when there is one and time allows) and meets them."""
    state, market = world.state, world.market
    seat = market.seat[account]
    if state.accounts[account].open_opp is not None or state.holder(seat) is None:
        return
    segment = market.segment[account]
    title_rank = world.account_stream(account).pick_cumulative(world.title_cumulative[segment])
    contact = world.new_contact_id()
    # A lead is answered first (it is due now), and the buyer waits for the answer only until it draws up its
    # shortlist without us.
    now = world.env.now
    window = market.window_for(account, now)
    shortlist = market.w_jobs[window][SHORTLIST_JOB - 1] if window is not None else now
    deadline = math.nextafter(shortlist, -math.inf)  # answered on the shortlist day is too late
    contact_made = ContactMade(
        account=account,
        contact=contact,
        segment=segment,
        title=TITLES[title_rank],
        hours=world.scenario.sales_org.contact_hours,
        reason="inbound",
    )
    rep = yield from world.hours.spend(seat, contact_made, deadline=deadline, due=now)
    if rep is None:
        return
    senior = senior_enough(world, rep, account, contact, title_rank)
    if senior is None:
        return
    title_rank = senior
    meeting = MeetingHeld(
        account=account, contact=contact, title=TITLES[title_rank], hours=meeting_hours(world)
    )
    rep = yield from world.hours.spend(seat, meeting, deadline=deadline, due=world.env.now)
    if rep is not None and state.accounts[account].open_opp is None:
        qualify(world, seat, rep, account, contact, title_rank)
