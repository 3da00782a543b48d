"""One deal as a timeline a room can step through: the app's slicing of the shared deal story.

Each step is one event of the deal (:func:`sim.words.story.deal_events`: the contact's first steps, the deal's own
events, and the buyer's events at the account while it was open), in the words the terminal prints
(:func:`sim.words.story.describe`), with what a room needs beside it: the hours the rep has burnt so far, the
buying job the buyer is really on, and the vendor stage the rep believes the deal has reached. The two rarely
agree, which is the point of the exercise. The forecast close day is the day the leader's forecast expects the
deal to close: the log records no close day per deal, so it is worked out by the forecast's own rule
(:func:`sim.model.forecast.pipeline_review`: opened + the sales cycle reps expect in that segment).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from sim import metrics
from sim.config import Scenario
from sim.core.events import BUYING_JOBS
from sim.words.labels import JOB_LABELS
from sim.words.story import deal_events, deal_heading, deal_label, describe


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
        {"value": int(r["opp"]), "label": deal_label(r["opp"], r["segment"], r["outcome"], r["hours"])}
        for r in opps.iter_rows(named=True)
    ]


def _buyer_state(window: bool, next_job: int) -> str:
    if not window:
        return "not buying right now"
    if next_job >= len(BUYING_JOBS):
        return "has decided"
    return JOB_LABELS[BUYING_JOBS[next_job]]


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
            vendor = describe(row)  # "demo done": the stage the rep believes the deal has passed
        hours = float(row["hours"] or 0.0)
        total += hours
        steps.append(
            Step(
                day=float(row["t"]),
                text=describe(row),
                hours=hours,
                total_hours=total,
                buyer=_buyer_state(window, next_job),
                vendor=vendor,
                buyer_event=row["opp"] is None and kind.startswith(("Buying", "Budget")),
            )
        )
    heading = deal_heading(
        opp, segment, opened["amount"], outcome["outcome"], outcome["cycle_days"] or 0.0, outcome["hours"]
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
