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
    "baseline-seed1": ((), 1, "ae1fc8291ef7c651b526800db9742417366c21967813265dba406edf954d0ca9", 213079),
    "baseline-seed7": ((), 7, "a8506f13761b2459e63d79c5726d1135919e3b18380bb2b4e2993447ed6d40f4", 215488),
    "qualify-hard": (
        ('strategy.preset="qualify-hard"',),
        1,
        "d929bf7948762ae8de74256963420720b281b5b2e5727dc7c8b817d01fdddb6c",
        241448,
    ),
    "f1000-only": (
        ("market.smb.accounts=0", "market.mid_market.accounts=0"),
        1,
        "2dd09f161b26d3dcf53d460225ef93018abaaa688b165f2422d1671b86cc21b0",
        36390,
    ),
    "three-accounts": (
        (
            "market.smb.accounts=1",
            "market.mid_market.accounts=1",
            "market.f1000.accounts=1",
            "sales_org.reps=1",
        ),
        1,
        "7b6d1fdfadfe3794204e0723280847704ffa7cc9e33baad90f95b56f32f7df3f",
        496,
    ),
    "pressure": (
        ('strategy.preset="pressure"',),
        1,
        "97c2f2e48907f4127cc64ac14d264046573b5a0946e32d7f31d5ca6d2d275971",
        211064,
    ),
}


@pytest.mark.parametrize("name", list(REFERENCE))
def test_reference_log_is_unchanged(name: str) -> None:
    overrides, seed, expected_hash, expected_events = REFERENCE[name]
    log, _ = simulate(load_scenario("baseline", overrides), seed)
    assert (log.height, content_hash(log)) == (expected_events, expected_hash), (
        f"the {name} log changed; if the model was meant to change, update REFERENCE and say why"
    )
