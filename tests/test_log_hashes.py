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
    "baseline-seed1": ((), 1, "3d39cfcdb0f7473a47156e932720475698e320dcecf855a43427a0d71e37b197", 221826),
    "baseline-seed7": ((), 7, "27f63ece784f638404b60a36b4dd3c6293dede148d3d4f0ba85ddf5b9715869d", 225699),
    "qualify-hard": (
        ('strategy.preset="qualify-hard"',),
        1,
        "658c5450e724fdd2e8e23c5f1e95deaad302f23faf75bb955ff5f6f5c47d4e68",
        288366,
    ),
    "f1000-only": (
        ("market.smb.accounts=0", "market.mid_market.accounts=0"),
        1,
        "41336755d76ce9a65a65f7a79806c223732cb25af97b2015abdbbc374b05ab27",
        38978,
    ),
    "three-accounts": (
        (
            "market.smb.accounts=1",
            "market.mid_market.accounts=1",
            "market.f1000.accounts=1",
            "sales_org.reps=1",
        ),
        1,
        "59c87effd2c4b6e60fb35efac45ab035e3abd9f117885eacfca8e0c04999c710",
        496,
    ),
    "pressure": (
        ('strategy.preset="pressure"',),
        1,
        "ee091e35870b15b5cdab39fdcf9df1ecce9b4212a9893b13fb856e9b567ea29a",
        223822,
    ),
}


@pytest.mark.parametrize("name", list(REFERENCE))
def test_reference_log_is_unchanged(name: str) -> None:
    overrides, seed, expected_hash, expected_events = REFERENCE[name]
    log, _ = simulate(load_scenario("baseline", overrides), seed)
    assert (log.height, content_hash(log)) == (expected_events, expected_hash), (
        f"the {name} log changed; if the model was meant to change, update REFERENCE and say why"
    )
