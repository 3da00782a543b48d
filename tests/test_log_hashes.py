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
    "baseline-seed1": ((), 1, "5c02a513985425325d018b485a8bb08aad350ee5c67540b40ae39ade3fe22194", 201768),
    "baseline-seed7": ((), 7, "822de584b2421439f9f4ce2ed9cfe6009f202eb469a5b578b8cb02a18de2ba93", 201850),
    "qualify-hard": (
        ('strategy.preset="qualify-hard"',),
        1,
        "8cce422722f9d8dd5d01ec8aaaa6f70b570135cad262d5d8a3a5f841f27f2cb0",
        230560,
    ),
    "f1000-only": (
        ("market.smb.accounts=0", "market.mid_market.accounts=0"),
        1,
        "1a01e50b3bc99c93d8eba82b99d9f1e6e84dc0b8071cae13303f852c10c609df",
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
        "cc288f7835d3a8000cfc32e66cbce06851795a631cc2aada0be577052be097d9",
        415,
    ),
    "pressure": (
        ('strategy.preset="pressure"',),
        1,
        "fad8a492f9035c7f5e2bab317b54358ebfb6428e7c0e05661b87c55cacb61fef",
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
