"""The story of one deal in plain words, one event a line, read straight off the log: the one vocabulary.

"day 112  CIO asks for a scalability test  6.0 h  (total 41.5 h)": the trainer's view of why a deal stalls.
:data:`PHRASES` holds one phrase per event kind; ``salesim replay --opportunity N`` prints them a line each,
the workshop app steps through them (:mod:`sim.app.story`) and the report's deal chart shows them on hover, so
an event reads the same wherever a room meets it. A phrase names no internal kind, code or id, and writes its
plurals right ("1 day").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import polars as pl
from rich.table import Table

from sim import metrics
from sim.words.labels import JOB_LABELS, days, outcome_label, segment_label, someone

Row = dict[str, Any]
"""One event of the log as a mapping of its columns."""

_REQUESTS = {
    "clarify_requirements": "CIO asks to clarify the requirements",
    "validate_use_case": "CIO asks to validate a use case",
    "integration_question": "CIO asks how it integrates",
    "scalability_test": "CIO asks for a scalability test",
    "extend_pilot": "CIO asks to extend the pilot",
    "present_to_management": "CIO asks for a presentation to management",
}
_TEST_QUESTIONS = (
    "buying soon",
    "budget assigned",
    "a decision maker",
    "pain stated",
    "asks for a next step",
)
"""The 20-minute test's five questions, in the order of the ``answers`` digits."""
_WORK = {
    "StallRequested": "the CIO's latest request",
    "StageAdvanced": "the next stage",
    "BuyerEnabled": "helping the buyer through its process",
    "EvidenceFailed": "repairing the evidence",
    "SupplierRiskAssessed": "procurement's supplier questionnaire",
    "CapitalApprovalFellShort": "re-scoping for the capital approval",
    "NegotiationRoundHeld": "a negotiation round",
    "MeetingHeld": "the first meeting",
}
"""What a week's share of work was spent on (``WorkLogged``'s reason names the event it leads to)."""
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def _words(value: Any) -> str:
    return str(value).replace("_", " ")


def _the(title: Any) -> str:
    """The contact just reached, by title: "the VP", "the owner"."""
    person = someone(title)
    return "the " + person.split(" ", 1)[1] if " " in person else person


def _scored(row: Row) -> str:
    answers = str(row.get("answers") or "")
    yes = [q for q, a in zip(_TEST_QUESTIONS, answers, strict=False) if a == "1"]
    said = ", ".join(yes) if yes else "nothing"
    return (
        f"20-minute test: {row.get('score')} of 5 ({said}); rep rates it: {_words(row.get('opp_type') or '')}"
    )


def _checked_in(row: Row) -> str:
    if row.get("reason") == "waiting_for_buyer":
        return "rep checks in; buyer not ready"
    return "rep checks in; no buying window"


def _job_done(row: Row) -> str:
    return f"buyer finishes {JOB_LABELS.get(str(row['job']), 'a buying job').removesuffix(' to decide')}"


PHRASES: dict[str, Callable[[Row], str]] = {
    # the contact, before there is a deal
    "ContactMade": lambda r: f"rep reaches {someone(r.get('title'))} at the account",
    "ContactReferredUp": lambda r: f"the contact introduces the rep to {someone(r.get('title'))}",
    "ContactDisqualified": lambda r: "the contact is ruled out",
    "MeetingDeclined": lambda r: "the contact declines a meeting",
    "MeetingHeld": lambda r: f"first meeting with {_the(r.get('title'))}",
    "QualificationScored": _scored,
    "NurtureStarted": lambda r: "rep parks the contact in nurture, to test again later",
    "AccountCooledOff": lambda r: "the account cools off",
    "ReferralGiven": lambda r: "a happy customer gives a referral",
    # the deal
    "OpportunityOpened": lambda r: f"opportunity opened at list ${r['amount']:,.0f}",
    "CheckInMade": _checked_in,
    "StageAdvanced": lambda r: f"{r['stage']} done",
    "BuyerEnabled": lambda r: f"rep helps the buyer through its own process ({r['stage']})",
    "EnterpriseWorkDone": lambda r: f"the buyer's {_words(r['reason'])} done ({r['stage']})",
    "StallRequested": lambda r: _REQUESTS.get(
        str(r.get("reason")), f"CIO request: {_words(r.get('reason'))}"
    ),
    "EvidenceFailed": lambda r: f"evidence goes wrong: {_words(r['reason'])} ({days(r['days'])} set back)",
    "ChampionCapitalSpent": lambda r: (
        f"champion spends {r['capital_spent']:.1f} political capital at {r['stage']}; {r['capital']:.1f} left"
    ),
    "PressureApplied": lambda r: f"rep invents urgency: {_words(r['reason'])}",
    "PressureWorked": lambda r: f"the owner is rushed by the urgency ({days(r['days'])} sooner)",
    "PressureDetected": lambda r: "procurement sees through the invented urgency",
    "ProcurementEngaged": lambda r: "procurement takes over",
    "SupplierRiskAssessed": lambda r: f"supplier risk assessment done after {days(r['days'])}",
    "CapitalApprovalFellShort": lambda r: (
        f"capital approval falls short; re-approval takes {days(r['days'])}"
    ),
    "NegotiationRoundHeld": lambda r: f"negotiation round: {r['discount']:.0%} off",
    "DiscountConceded": lambda r: f"discount {r['discount']:.1%} ({_words(r['reason'])})",
    "WorkLogged": lambda r: (
        f"rep works on {_WORK.get(str(r.get('reason')), 'the next step')}; the rest waits for next week's hours"
    ),
    "CommissionEarned": lambda r: f"rep earns ${r['amount']:,.0f} commission",
    "AdoptionSucceeded": lambda r: "customer adopts what it bought",
    "AdoptionFailed": lambda r: "adoption fails (people, processes, trust in IT)",
    "ReputationChanged": lambda r: (
        f"vendor reputation {r['reputation_change']:+.3f} → {r['reputation']:.3f} ({_words(r['reason'])})"
    ),
    # how it ended
    "DealWon": lambda r: f"WON ${r['amount']:,.0f} after {r['discount']:.0%} total discount ({r['reason']})",
    "DealLost": lambda r: f"LOST ({_words(r['reason'])})",
    "NoDecisionReached": lambda r: f"NO DECISION ({_words(r['reason'])})",
    "OpportunityWalkedAway": lambda r: f"rep walks away after {days(r['days'])} without visible progress",
    "OpportunityCensored": lambda r: "still open when the simulation ends",
    # the buyer, on its own clock
    "BuyingCenterFormed": lambda r: "the buyer forms its buying group",
    "BuyingJobCompleted": _job_done,
    "BuyingWindowOpened": lambda r: (
        f"the buyer's need triggers (pain: {r.get('pain')}, budget: {r.get('budget')})"
    ),
    "BuyingWindowClosed": lambda r: "buyer's window closes",
    "BudgetAssigned": lambda r: "budget dollars assigned",
}
"""One phrase per event kind a deal story can show, each built from the event's own columns."""


def describe(row: Row) -> str:
    """One event as a phrase a workshop room understands (no internal names, codes or ids); a kind without a
    phrase of its own is written in words (``SomethingNew`` → "something new"), never as its name."""
    kind = str(row["kind"])
    phrase = PHRASES.get(kind)
    return phrase(row) if phrase else _CAMEL.sub(" ", kind).lower()


def deal_heading(opp: int, segment: str, amount: float, outcome: str, cycle_days: float, hours: float) -> str:
    """A deal in one line: "Deal 12: Fortune 1000, list $400,000, walked away after 95 days and 60 rep hours"."""
    return (
        f"Deal {opp}: {segment_label(segment)}, list ${amount:,.0f}, {outcome_label(outcome)} after "
        f"{days(cycle_days)} and {hours:.0f} rep hours"
    )


def deal_label(opp: int, segment: str, outcome: str, hours: float) -> str:
    """A deal as a choice in a list: "deal 12: Fortune 1000, walked away, 60 h"."""
    return f"deal {opp}: {segment_label(segment)}, {outcome_label(outcome)}, {hours:.0f} h"


def deal_events(events: pl.DataFrame, opp: int) -> pl.DataFrame | None:
    """The deal's own events plus the buyer's events at its account while it was open (None if unknown)."""
    own = events.filter(pl.col("opp") == opp)
    opened = own.filter(pl.col("kind") == "OpportunityOpened")
    if opened.height == 0:
        return None
    account, start, end = opened["account"][0], opened["t"][0], own["t"].max()
    contact = opened["contact"][0]
    buyer = events.filter(
        (pl.col("account") == account)
        & pl.col("opp").is_null()
        & pl.col("t").is_between(start, end)
        & pl.col("kind").is_in(
            ["BuyingJobCompleted", "BuyingWindowOpened", "BuyingWindowClosed", "BudgetAssigned"]
        )
    )
    prelude = events.filter((pl.col("contact") == contact) & pl.col("opp").is_null())
    return pl.concat([prelude, own, buyer]).sort("seq")


def deal_story(events: pl.DataFrame, opp: int) -> list[str] | None:
    """Lines like ``day 112  CIO asks for a scalability test  6.0 h  (total 41.5 h)``; None if no such deal."""
    rows = deal_events(events, opp)
    if rows is None:
        return None
    total = 0.0
    lines = []
    for row in rows.iter_rows(named=True):
        hours = row["hours"]
        cost = ""
        if hours:
            total += hours
            cost = f"{hours:5.1f} h  (total {total:.1f} h)"
        lines.append(f"day {row['t']:6.1f}  {describe(row):<60} {cost}".rstrip())
    return lines


def notable_deals(events: pl.DataFrame, limit: int = 12) -> Table:
    """Deals worth telling: the most hours burnt, by outcome."""
    opps = metrics.opportunities(events).sort("hours", descending=True).head(limit)
    table = Table(
        title="deals with the most rep hours (replay one with --opportunity ID)", header_style="bold"
    )
    for col in ("opp", "segment", "opp_type", "outcome", "outcome_reason", "cycle_days", "hours"):
        table.add_column(col)
    for row in opps.iter_rows(named=True):
        table.add_row(
            *(
                f"{row[c]:.1f}" if isinstance(row[c], float) else str(row[c])
                for c in ("opp", "segment", "opp_type", "outcome", "outcome_reason", "cycle_days", "hours")
            )
        )
    return table
