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
    "baseline-seed1": ((), 1, "57f628c4b7bd0487354228deb5829c9830ea5a45cd001e06deab19b4b881c3f7", 227220),
    "baseline-seed7": ((), 7, "067ec6efc52010c2619a018d515b061db6b00f1685a594d297bde80f8ba7bb29", 231309),
    "qualify-hard": (
        ('strategy.preset="qualify-hard"',),
        1,
        "a5b5a7a52e1a32b0f3f866553be3790742d693a245f2c68c83cfa0ac5b510d4c",
        304201,
    ),
    "f1000-only": (
        ("market.smb.accounts=0", "market.mid_market.accounts=0"),
        1,
        "68d2e0ba521530e9627c46cc73bea44f43fd024f37a4cce54d96dfd87dabe146",
        40780,
    ),
    "three-accounts": (
        (
            "market.smb.accounts=1",
            "market.mid_market.accounts=1",
            "market.f1000.accounts=1",
            "sales_org.reps=1",
        ),
        1,
        "159e4205e09828cb1db66a4cb52673c0c4ab5e39a7095f54f2633ab99b367a1b",
        500,
    ),
    "pressure": (
        ('strategy.preset="pressure"',),
        1,
        "4df50e6dac8a85aa498b13a659e2151287d33af586ba43e14d763bf4409fcb4d",
        230705,
    ),
}


@pytest.mark.parametrize("name", list(REFERENCE))
def test_reference_log_is_unchanged(name: str) -> None:
    overrides, seed, expected_hash, expected_events = REFERENCE[name]
    log, _ = simulate(load_scenario("baseline", overrides), seed)
    assert (log.height, content_hash(log)) == (expected_events, expected_hash), (
        f"the {name} log changed; if the model was meant to change, update REFERENCE and say why"
    )
