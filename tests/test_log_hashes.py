"""The event logs of six reference scenarios are pinned by their content hashes.

A change to the model that changes what happens in a simulated market must update these hashes knowingly,
in the same commit, and say why. A pure refactor leaves them alone. The hash covers every column's values
and null mask (``sim.core.events.content_hash``), not the storage layout, so it does not depend on the
Parquet writer or the polars version.
"""

from __future__ import annotations

import pytest

from sim.config import load_scenario
from sim.core.events import content_hash
from sim.engine import simulate

REFERENCE: dict[str, tuple[tuple[str, ...], int, str, int]] = {
    "baseline-seed1": ((), 1, "e99003ea0880ccd4cd01848a8e1725637e4ce813aa9c595d902c93fd7bf87f51", 212484),
    "baseline-seed7": ((), 7, "8259ad7b5da18393309a7bec4d06e7222d50d167511ac40c458032ad47e4e907", 215012),
    "qualify-hard": (
        ('strategy.preset="qualify-hard"',),
        1,
        "830d71443063c74a0265be2dbc301a793c7b76ef9172cfbf61461a9c04849554",
        240990,
    ),
    "f1000-only": (
        ("market.smb.accounts=0", "market.mid_market.accounts=0"),
        1,
        "c6534c9f55a298453f13672746abb6f3891097eae9798885928302b5604091b9",
        36270,
    ),
    "three-accounts": (
        (
            "market.smb.accounts=1",
            "market.mid_market.accounts=1",
            "market.f1000.accounts=1",
            "sales_org.reps=1",
        ),
        1,
        "6729c38f5ca9d092e29316bc4bab986100caeb7a5550ed3a560b87097c9cf4ff",
        496,
    ),
    "pressure": (
        ('strategy.preset="pressure"',),
        1,
        "34de65cebb8615aac2db658b76ec265de64cb921cc9f6c972cde778774832575",
        210791,
    ),
}


@pytest.mark.parametrize("name", list(REFERENCE))
def test_reference_log_is_unchanged(name: str) -> None:
    overrides, seed, expected_hash, expected_events = REFERENCE[name]
    log, _ = simulate(load_scenario("baseline", overrides), seed)
    assert (log.height, content_hash(log)) == (expected_events, expected_hash), (
        f"the {name} log changed; if the model was meant to change, update REFERENCE and say why"
    )
