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
    "baseline-seed1": ((), 1, "0e56ccc08bcdd2cbc05cd09d8e4e98c0aacc5d5f2974b552317f8fc0e2ff9eb5", 201768),
    "baseline-seed7": ((), 7, "f58e03e03982979decf16cbbc46a812771d65da4bb6fc3082db128e295b094aa", 201850),
    "qualify-hard": (
        ('strategy.preset="qualify-hard"',),
        1,
        "022365edfb87f5c527c55f4d13edbde8ffa3302eb6586f2c3c265789e7a689b5",
        230534,
    ),
    "f1000-only": (
        ("market.smb.accounts=0", "market.mid_market.accounts=0"),
        1,
        "92460b468ed42b79f714b788c315a03738f17f4c636911152a5171d804deafaf",
        29661,
    ),
    "three-accounts": (
        (
            "market.smb.accounts=1",
            "market.mid_market.accounts=1",
            "market.f1000.accounts=1",
            "sales_org.reps=1",
        ),
        1,
        "8e14cdba33131f783e85f791824d5d5a6495926f81cb4d2327ca4e1eb2571e6d",
        415,
    ),
    "pressure": (
        ('strategy.preset="pressure"',),
        1,
        "b2e264c2faf6edb22f88cd8db86531622fd2fc451e0bf79b354b596679563b06",
        200786,
    ),
}


@pytest.mark.parametrize("name", list(REFERENCE))
def test_reference_log_is_unchanged(name: str) -> None:
    overrides, seed, expected_hash, expected_events = REFERENCE[name]
    log, _ = simulate(load_scenario("baseline", overrides), seed)
    assert (log.height, content_hash(log)) == (expected_events, expected_hash), (
        f"the {name} log changed; if the model was meant to change, update REFERENCE and say why"
    )
