"""Evidence that goes wrong: a demo that overreaches, a disappointing reference, a failed pilot.

The enterprise-sales manual: proof is where deals stumble. After the demo or the pilot, evidence
may fail with the segment's probability; the buyer then takes the segment's setback days to recover.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.core.kinds import EvidenceFailed

if TYPE_CHECKING:
    from sim.core.world import Process
    from sim.model.opportunity import Opportunity

EVIDENCE_FAILURES: dict[str, str] = {"demo": "innovation_overreach", "pilot": "failed_pilot"}
"""Stages whose evidence can fail, and how it fails there."""

DEMO_OVERREACH_SHARE = 0.5
"""Of failed demo evidence, the share that is an overreaching innovation pitch; the rest is a disappointing
reference. An assumption: the article names both, without shares."""


def evidence_setback(opp: Opportunity, stage: str) -> Process:
    """Whether evidence fails at ``stage``, and the setback days if it does."""
    failure = EVIDENCE_FAILURES.get(stage)
    if failure is None or not opp.stream.chance(opp.cfg.evidence_failure_probability):
        return
    kind = (
        failure if stage == "pilot" or opp.stream.chance(DEMO_OVERREACH_SHARE) else "disappointing_reference"
    )
    opp.emit(
        EvidenceFailed(
            account=opp.account, opp=opp.opp, stage=stage, reason=kind, days=opp.cfg.evidence_setback_days
        )
    )
    yield from opp.wait(min(opp.cfg.evidence_setback_days, opp.buyer_waits_until() - opp.world.env.now))
