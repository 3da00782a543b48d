"""Deal stories read as plain words (articles, plurals, no internal names or codes), in one vocabulary: the
terminal's ``salesim replay --opportunity N`` and the workshop app tell a deal in the same phrases."""

from __future__ import annotations

import polars as pl
from conftest import LiveRun

from sim import metrics
from sim.app.story import deal_story as app_story
from sim.words.labels import days
from sim.words.story import PHRASES, deal_events, deal_heading, describe
from sim.words.story import deal_story as terminal_story


def test_story_phrases_use_plain_words() -> None:
    assert describe({"kind": "ContactMade", "title": "owner"}) == "rep reaches the owner at the account"
    assert describe({"kind": "ContactReferredUp", "title": "vp"}) == "the contact introduces the rep to a VP"
    assert describe({"kind": "MeetingHeld", "title": "c_level"}) == "first meeting with the C-level executive"
    scored = describe(
        {"kind": "QualificationScored", "score": 3, "answers": "10101", "opp_type": "qualified_prospect"}
    )
    assert scored == (
        "20-minute test: 3 of 5 (buying soon, a decision maker, asks for a next step); "
        "rep rates it: qualified prospect"
    )
    assert (
        describe({"kind": "SupplierRiskAssessed", "days": 1.0}) == "supplier risk assessment done after 1 day"
    )
    assert describe({"kind": "OpportunityWalkedAway", "days": 61.4}).endswith(
        "after 61 days without visible progress"
    )
    logged = describe({"kind": "WorkLogged", "reason": "StallRequested"})
    assert logged == "rep works on the CIO's latest request; the rest waits for next week's hours"
    assert describe({"kind": "SomethingNew"}) == "something new"


def test_one_day_is_written_in_the_singular_at_the_source() -> None:
    assert (days(1.0), days(0.6), days(2.0), days(1095.0)) == ("1 day", "1 day", "2 days", "1,095 days")
    assert (
        describe({"kind": "PressureWorked", "days": 1.2})
        == "the owner is rushed by the urgency (1 day sooner)"
    )
    assert deal_heading(7, "f1000", 400_000.0, "walked_away", 1.0, 12.0) == (
        "Deal 7: Fortune 1000, list $400,000, walked away after 1 day and 12 rep hours"
    )


def test_the_terminal_and_the_app_tell_a_deal_in_the_same_phrase_for_each_event(small_run: LiveRun) -> None:
    events = small_run.events
    deals = metrics.opportunities(events).sort("hours", descending=True)
    # The deals with the most hours of each outcome: between them, every kind a story shows in this run.
    picks = deals.group_by("outcome", maintain_order=True).head(4)["opp"].to_list()
    phrases: dict[str, set[str]] = {}
    for opp in picks:
        lines = terminal_story(events, opp)
        story = app_story(events, opp, small_run.scenario)
        rows = deal_events(events, opp)
        assert lines is not None and story is not None and rows is not None
        assert len(lines) == len(story.steps) == rows.height
        for line, step, kind in zip(lines, story.steps, rows["kind"], strict=True):
            assert line.startswith(f"day {step.day:6.1f}  {step.text}"), (kind, line, step.text)
            phrases.setdefault(kind, set()).add(step.text)
    shown = set(phrases)
    assert {
        "ContactMade",
        "MeetingHeld",
        "OpportunityOpened",
        "StageAdvanced",
        "DealWon",
        "DealLost",
    } <= shown
    assert shown <= set(PHRASES), (
        f"kinds a story showed without a phrase of their own: {shown - set(PHRASES)}"
    )
    for kind, said in phrases.items():
        for text in said:
            assert kind not in text and "_" not in text and " 1 days" not in text, (kind, text)


def test_a_story_of_an_unknown_deal_is_none(small_run: LiveRun) -> None:
    missing = int(small_run.events["opp"].max() or 0) + 1
    assert terminal_story(small_run.events, missing) is None
    assert app_story(small_run.events, missing, small_run.scenario) is None
    assert small_run.events.filter(pl.col("opp") == missing).height == 0
