"""One deal as a timeline a room can step through, in plain words.

Each step is one event of the deal (:func:`sim.words.story.deal_events`: the contact's first steps, the deal's own
events, and the buyer's events at the account while it was open), with what a room needs beside it: the hours
the rep has burnt so far, the buying job the buyer is really on, and the vendor stage the rep believes the deal
has reached. The two rarely agree, which is the point of the exercise. The forecast close day is the day the
leader's forecast expects the deal to close: the log records no close day per deal, so it is worked out by the
forecast's own rule (:func:`sim.model.forecast.pipeline_review`: opened + the sales cycle reps expect in that
segment).

Sentences come from :func:`sim.words.story.describe`, except where that would show a room an internal name (an event
kind, a title code, a test's digits); those are written here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import polars as pl

from sim import metrics
from sim.config import Scenario
from sim.core.events import BUYING_JOBS
from sim.words.story import deal_events, describe

TITLE_WORDS = {
    "manager": "a manager",
    "director": "a director",
    "vp": "a VP",
    "c_level": "a C-level executive",
    "owner": "the owner",
}
JOB_WORDS = {
    "problem_identification": "working out the problem",
    "solution_exploration": "exploring solutions",
    "requirements": "writing down requirements",
    "supplier_selection": "choosing suppliers",
    "validation": "validating the choice",
    "consensus": "building consensus to decide",
}
OUTCOME_WORDS = {
    "won": "won",
    "lost": "lost",
    "no_decision": "no decision",
    "walked_away": "walked away",
    "open": "still open",
}
SEGMENT_WORDS = {"smb": "SMB", "mid_market": "mid-market", "f1000": "Fortune 1000"}
_TEST_QUESTIONS = (
    "buying soon",
    "budget assigned",
    "a decision maker",
    "pain stated",
    "asks for a next step",
)
_OTHER_KINDS = {
    "ContactDisqualified": "the contact is ruled out",
    "MeetingDeclined": "the contact declines a meeting",
    "NurtureStarted": "rep parks the contact in nurture, to test again later",
    "AccountCooledOff": "the account cools off",
    "ReferralGiven": "a happy customer gives a referral",
    "BuyingCenterFormed": "the buyer forms its buying group",
}
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


@dataclass(frozen=True, slots=True)
class Step:
    """One event of the story, with the state beside it."""

    day: float
    text: str
    hours: float
    total_hours: float
    buyer: str
    """The buying job the buyer is really on (or that it is not buying)."""
    vendor: str
    """The vendor stage the rep believes the deal has reached."""
    buyer_event: bool


@dataclass(frozen=True, slots=True)
class Story:
    """A deal's heading and its steps."""

    opp: int
    heading: str
    forecast_day: float | None
    steps: tuple[Step, ...]


def plain(row: dict[str, Any]) -> str:
    """One event in words a workshop room reads without a glossary."""
    kind = row["kind"]
    title = TITLE_WORDS.get(str(row.get("title")), "someone")
    match kind:
        case "ContactMade":
            return f"rep reaches {title} at the account"
        case "ContactReferredUp":
            return f"the contact introduces the rep to {title}"
        case "MeetingHeld":
            return f"first meeting, with {title}"
        case "QualificationScored":
            answers = str(row.get("answers") or "")
            yes = [q for q, a in zip(_TEST_QUESTIONS, answers, strict=False) if a == "1"]
            kind_words = str(row.get("opp_type") or "").replace("_", " ")
            said = ", ".join(yes) if yes else "nothing"
            return f"20-minute test: {row.get('score')} of 5 ({said}); rep rates it: {kind_words}"
        case "WorkLogged":
            what = _WORK.get(str(row.get("reason")), "the next step")
            return f"rep works on {what}; the rest waits for next week's hours"
        case "PressureWorked":
            return f"the owner is rushed by the urgency ({row['days']:.0f} days sooner)"
        case "BuyingJobCompleted":
            return (
                f"buyer finishes {JOB_WORDS.get(str(row['job']), 'a buying job').removesuffix(' to decide')}"
            )
        case "BuyingWindowOpened":
            return f"the buyer's need triggers (pain: {row.get('pain')}, budget: {row.get('budget')})"
    if kind in _OTHER_KINDS:
        return _OTHER_KINDS[kind]
    text = describe(row)
    if text == kind:  # a kind the shared story has no words for: never show the internal name
        return _CAMEL.sub(" ", str(kind)).lower()
    return text.replace(" 1 days", " 1 day")


def deal_options(
    events: pl.DataFrame, outcome: str | None, segment: str | None, limit: int = 300
) -> list[dict[str, Any]]:
    """Deals of the run to choose from (most hours first), filtered by outcome and segment."""
    opps = metrics.opportunities(events)
    if outcome:
        opps = opps.filter(pl.col("outcome") == outcome)
    if segment:
        opps = opps.filter(pl.col("segment") == segment)
    opps = opps.sort(["hours", "opp"], descending=[True, False]).head(limit)
    return [
        {
            "value": int(r["opp"]),
            "label": f"deal {r['opp']}: {SEGMENT_WORDS.get(r['segment'], r['segment'])}, "
            f"{OUTCOME_WORDS.get(r['outcome'], r['outcome'])}, {r['hours']:.0f} h",
        }
        for r in opps.iter_rows(named=True)
    ]


def _buyer_state(window: bool, next_job: int) -> str:
    if not window:
        return "not buying right now"
    if next_job >= len(BUYING_JOBS):
        return "has decided"
    return JOB_WORDS[BUYING_JOBS[next_job]]


def deal_story(events: pl.DataFrame, opp: int, scenario: Scenario) -> Story | None:
    """The deal's steps, or None if the run has no such deal."""
    rows = deal_events(events, opp)
    if rows is None:
        return None
    opened = rows.filter(pl.col("kind") == "OpportunityOpened").row(0, named=True)
    account, start = opened["account"], float(opened["t"])
    segment = str(opened["segment"])
    # The buyer's state when the story starts: replay the account's window and jobs up to then.
    earlier = events.filter(
        (pl.col("account") == account)
        & pl.col("opp").is_null()
        & (pl.col("seq") < rows["seq"].min())
        & pl.col("kind").is_in(["BuyingWindowOpened", "BuyingJobCompleted", "BuyingWindowClosed"])
    )
    window, next_job = False, 0
    for row in earlier.iter_rows(named=True):
        window, next_job = _advance(row, window, next_job)
    outcome = metrics.opportunities(events).filter(pl.col("opp") == opp).row(0, named=True)
    expected = getattr(scenario.market, segment).expected_sales_cycle_days
    forecast_day = start + expected
    vendor, total, steps = "not a deal yet", 0.0, []
    for row in rows.iter_rows(named=True):
        window, next_job = _advance(row, window, next_job)
        kind = row["kind"]
        if kind == "OpportunityOpened":
            vendor = "discovery under way"
        elif kind == "StageAdvanced":
            vendor = f"{row['stage']} done"
        hours = float(row["hours"] or 0.0)
        total += hours
        steps.append(
            Step(
                day=float(row["t"]),
                text=plain(row),
                hours=hours,
                total_hours=total,
                buyer=_buyer_state(window, next_job),
                vendor=vendor,
                buyer_event=row["opp"] is None and kind.startswith(("Buying", "Budget")),
            )
        )
    heading = (
        f"Deal {opp}: {SEGMENT_WORDS.get(segment, segment)}, list ${opened['amount']:,.0f}, "
        f"{OUTCOME_WORDS.get(outcome['outcome'], outcome['outcome'])} after {outcome['cycle_days'] or 0:.0f} days "
        f"and {outcome['hours']:.0f} rep hours"
    )
    return Story(opp, heading, forecast_day, tuple(steps))


def _advance(row: dict[str, Any], window: bool, next_job: int) -> tuple[bool, int]:
    kind = row["kind"]
    if row.get("opp") is not None:
        return window, next_job
    if kind == "BuyingWindowOpened":
        return True, 0
    if kind == "BuyingJobCompleted" and row["job"] in BUYING_JOBS:
        return window, BUYING_JOBS.index(row["job"]) + 1
    if kind == "BuyingWindowClosed":
        return False, 0
    return window, next_job
