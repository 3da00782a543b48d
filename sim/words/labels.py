"""The names of the model's things as people read them: segments, outcomes, contact titles, buying jobs.

A deal story, a chart, a drop-down in the app and a findings table all name a segment, an outcome or a title
from here, so the same thing is never called two names in two places. (The segment names themselves are
declared beside the segments, :data:`sim.config.segments.SEGMENT_LABELS`, where metrics can read them too.)
"""

from __future__ import annotations

from typing import Any

from sim.config.segments import SEGMENT_LABELS

OUTCOME_LABELS: dict[str, str] = {
    "won": "won",
    "lost": "lost",
    "no_decision": "no decision",
    "walked_away": "walked away",
    "open": "still open",
}
"""How an opportunity's outcome (:data:`sim.metrics.OUTCOMES`) is named."""

TITLE_LABELS: dict[str, str] = {
    "manager": "a manager",
    "director": "a director",
    "vp": "a VP",
    "c_level": "a C-level executive",
    "owner": "the owner",
}
"""A contact's title with its article: an account has one owner, so it is *the* owner."""

JOB_LABELS: dict[str, str] = {
    "problem_identification": "working out the problem",
    "solution_exploration": "exploring solutions",
    "requirements": "writing down requirements",
    "supplier_selection": "choosing suppliers",
    "validation": "validating the choice",
    "consensus": "building consensus to decide",
}
"""What the buyer is doing in each of its buying jobs (:data:`sim.core.events.BUYING_JOBS`)."""


def segment_label(segment: str) -> str:
    """A segment's name (``mid-market``); an unknown one in words."""
    return SEGMENT_LABELS.get(segment, segment.replace("_", " "))


def outcome_label(outcome: str) -> str:
    """An outcome's name (``no decision``); an unknown one in words."""
    return OUTCOME_LABELS.get(outcome, outcome.replace("_", " "))


def someone(title: Any) -> str:
    """A contact by title, with its article: "a manager", "the owner", "a VP"; an unknown title in words."""
    if title is None:
        return "someone"
    if str(title) in TITLE_LABELS:
        return TITLE_LABELS[str(title)]
    name = str(title).replace("_", " ")
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def days(value: Any) -> str:
    """A number of days in words, the plural right: "1 day", "12 days", "1,095 days"."""
    n = round(float(value))
    return f"{n:,} day" if n == 1 else f"{n:,} days"
