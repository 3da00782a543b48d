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
    "baseline-seed1": ((), 1, "ac478f8e92cda2cd59b97bea6b3ba3e9af9d23178c658cc39653a5d3af269a19", 225807),
    "baseline-seed7": ((), 7, "632234d2c2582a0f41410888d9b5bb27929afb3a5635b11833f37475066701cd", 228906),
    "qualify-hard": (
        ('strategy.preset="qualify-hard"',),
        1,
        "f0c778a7fcaf303d21d840ec99eb6a1da98e2ffe0938a4712fbe0521ae7ccce6",
        303287,
    ),
    "f1000-only": (
        ("market.smb.accounts=0", "market.mid_market.accounts=0"),
        1,
        "7f62749addac4733d7fdb08c9a354e7228bd50a576eb7359e38c51a191516adf",
        41775,
    ),
    "three-accounts": (
        (
            "market.smb.accounts=1",
            "market.mid_market.accounts=1",
            "market.f1000.accounts=1",
            "sales_org.reps=1",
        ),
        1,
        "2cd6e2461f5ce098001397cffd23a0932706fa35cba0a9eae2d0cb8620c44536",
        508,
    ),
    "pressure": (
        ('strategy.preset="pressure"',),
        1,
        "ad48e037d844231f9ae5a9094b78e1761fe4995ee403c0edd7e908a371d17b3e",
        227568,
    ),
}


@pytest.mark.parametrize("name", list(REFERENCE))
def test_reference_log_is_unchanged(name: str) -> None:
    overrides, seed, expected_hash, expected_events = REFERENCE[name]
    log, _ = simulate(load_scenario("baseline", overrides), seed)
    assert (log.height, content_hash(log)) == (expected_events, expected_hash), (
        f"the {name} log changed; if the model was meant to change, update REFERENCE and say why"
    )
