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
    "baseline-seed1": ((), 1, "c25881d5d41d1b403d34bfd58e0455e5d8d3be9dc80bb75653d473b503ab1eda", 204490),
    "baseline-seed7": ((), 7, "321dd443e6fdee6e3bf993ca1a19d359bb91915a4956ec5cb57050556c1c87dd", 204654),
    "qualify-hard": (
        ('strategy.preset="qualify-hard"',),
        1,
        "c83b818227b0c8f31bb2514587058923bfa59927e1262756230457b2e6b65320",
        233256,
    ),
    "f1000-only": (
        ("market.smb.accounts=0", "market.mid_market.accounts=0"),
        1,
        "daeb82953436da5f22b01019a3110facb99f5bfb1809b0843dcb371c2674dc72",
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
        "d90c4d6ad3e7b595ddb8318d384c3ae6b8beaacd2daa7f051f0a2d3f894eeedd",
        553,
    ),
    "pressure": (
        ('strategy.preset="pressure"',),
        1,
        "c140b3164330922e385b133a3d5ad5cb9dd667a0be360ecf5f6537e12b1044ee",
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
