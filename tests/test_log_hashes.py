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
    "baseline-seed1": ((), 1, "cdd0497c2df0f10221cb35dab04a233a7f17332a0929cfcfa8c84b7e0aa4e3b1", 204490),
    "baseline-seed7": ((), 7, "3aa0b2809bc64970b575f6df12e2c8a9334f8519ba394f4af8ab1ff3407c05e5", 204654),
    "qualify-hard": (
        ('strategy.preset="qualify-hard"',),
        1,
        "114cc9bf49b5d154ef72021866b25252fc3747ed42c1db3a4da7062284b283f3",
        233256,
    ),
    "f1000-only": (
        ("market.smb.accounts=0", "market.mid_market.accounts=0"),
        1,
        "1cf449675091fd547911be8bb425caf4eaf9eeeab177c1df58a337f7410e890f",
        32383,
    ),
    "three-accounts": (
        (
            "market.smb.accounts=1",
            "market.mid_market.accounts=1",
            "market.f1000.accounts=1",
            "sales_org.reps=1",
        ),
        1,
        "fc8ebe2d2c5f810889a4983e68ea311c1aa1c4a1886a6e7119f90fe54529ffc9",
        553,
    ),
    "pressure": (
        ('strategy.preset="pressure"',),
        1,
        "1e024521f5649ebf508d498eb8a69d0cb47680ff55efb88f8c13b02c4478c463",
        203508,
    ),
}


@pytest.mark.parametrize("name", list(REFERENCE))
def test_reference_log_is_unchanged(name: str) -> None:
    overrides, seed, expected_hash, expected_events = REFERENCE[name]
    log, _ = simulate(load_scenario("baseline", overrides), seed)
    assert (log.height, content_hash(log)) == (expected_events, expected_hash), (
        f"the {name} log changed; if the model was meant to change, update REFERENCE and say why"
    )
