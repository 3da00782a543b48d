"""Deal stories read as plain words: articles, plurals, no internal names or codes."""

from __future__ import annotations

from sim.words.story import describe


def test_story_phrases_use_plain_words() -> None:
    assert describe({"kind": "ContactMade", "title": "owner"}) == "rep reaches an owner at the account"
    assert describe({"kind": "ContactReferredUp", "title": "vp"}) == "the contact introduces the rep to a VP"
    assert describe({"kind": "MeetingHeld", "title": "c_level"}) == "first meeting with the C-level executive"
    scored = describe(
        {"kind": "QualificationScored", "score": 3, "answers": "10101", "opp_type": "real_buyer"}
    )
    assert scored == "20-minute test scores 3 of 5: real buyer"
    assert (
        describe({"kind": "SupplierRiskAssessed", "days": 1.0}) == "supplier risk assessment done after 1 day"
    )
    assert describe({"kind": "OpportunityWalkedAway", "days": 61.4}).endswith(
        "after 61 days without visible progress"
    )
    logged = describe({"kind": "WorkLogged", "reason": "StallRequested"})
    assert "StallRequested" not in logged and "(" not in logged
