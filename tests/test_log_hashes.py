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
    "baseline-seed1": ((), 1, "fe731879b29d805313a83ba3ba9fad6e0ec0211e98559a36075f846ba6ba1024", 212641),
    "baseline-seed7": ((), 7, "6c85ff12688cea808c8c39d48e0a4428931ba42d69544a24657f32fb5260ed39", 214926),
    "qualify-hard": (
        ('strategy.preset="qualify-hard"',),
        1,
        "0b338f88c11e5a4be66f4f5caf4c991ff2838614e26f870f4c7e66ae57783b56",
        241156,
    ),
    "f1000-only": (
        ("market.smb.accounts=0", "market.mid_market.accounts=0"),
        1,
        "83101bff963f4923ba81cc6faa4aae2995a9894dda488cc42e76f6e138437ab5",
        36181,
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
        "31d6a487aadb5e4029d87e0fcce23f247e2b5d9e06dd0f7c92261aff868d9052",
        210913,
    ),
}


@pytest.mark.parametrize("name", list(REFERENCE))
def test_reference_log_is_unchanged(name: str) -> None:
    overrides, seed, expected_hash, expected_events = REFERENCE[name]
    log, _ = simulate(load_scenario("baseline", overrides), seed)
    assert (log.height, content_hash(log)) == (expected_events, expected_hash), (
        f"the {name} log changed; if the model was meant to change, update REFERENCE and say why"
    )
