"""The baseline scenario lands inside the published ranges of shared/CALIBRATION.md.

The figures pool five seeds (deals pooled, run-level figures the median over runs), so the test checks the
defaults, not one lucky draw.
"""

from __future__ import annotations

import pytest

import sim
from sim import calibration

SEEDS = (1, 2, 3, 4, 5)


@pytest.fixture(scope="module")
def baseline_figures() -> dict[str, float]:
    scenario = sim.load_scenario("baseline")
    return calibration.figures([sim.run(scenario, seed=s).events for s in SEEDS])


@pytest.mark.parametrize("published", calibration.RANGES, ids=lambda r: r.figure)
def test_baseline_lands_in_published_range(
    baseline_figures: dict[str, float], published: calibration.Range
) -> None:
    value = baseline_figures[published.figure]
    assert published.holds(value), (
        f"{published.figure} = {value:.3f}, outside the published {published.low}..{published.high} "
        f"({published.source})"
    )


def test_fortune_1000_buying_cycle_is_longer_than_its_sales_cycle(baseline_figures: dict[str, float]) -> None:
    assert baseline_figures["f1000_buying_minus_sales_cycle_days"] > 0
