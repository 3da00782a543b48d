"""The baseline scenario lands inside the published ranges listed in docs/calibration.md, per segment.

The figures pool five seeds (deals pooled, run-level figures the median over runs), enough for at least 30
wins in every segment, so the test checks the defaults, not one lucky draw. Late losses stay a minor ending
under every shipped preset, not only the baseline's.
"""

from __future__ import annotations

import math

import pytest
from conftest import small_scenario

import sim
from sim.config import PRESETS
from sim.metrics import calibration

SEEDS = (1, 2, 3, 4, 5)
MIN_WINS_PER_SEGMENT = 30

pytestmark = pytest.mark.slow


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


@pytest.mark.parametrize("segment", ["smb", "mid_market", "f1000"])
def test_the_pooled_seeds_hold_enough_wins_in_every_segment(
    baseline_figures: dict[str, float], segment: str
) -> None:
    assert baseline_figures[f"wins_{segment}"] >= MIN_WINS_PER_SEGMENT


@pytest.mark.parametrize("preset", list(PRESETS))
def test_late_losses_stay_a_minor_ending_under_every_preset(preset: str) -> None:
    scenario = sim.load_scenario("baseline", [f'strategy.preset="{preset}"'])
    figures = calibration.figures([sim.run(scenario, seed=s).events for s in SEEDS])
    late = next(r for r in calibration.RANGES if r.figure == "late_share_of_closed")
    assert late.holds(figures["late_share_of_closed"]), (preset, figures["late_share_of_closed"])


def test_fortune_1000_buying_cycle_is_longer_than_its_sales_cycle(baseline_figures: dict[str, float]) -> None:
    assert baseline_figures["f1000_buying_minus_sales_cycle_days"] > 0


def test_run_level_figures_skip_runs_that_lack_them() -> None:
    """A run too short to close a quota year has no share making quota; it must not sway the median."""
    short = sim.run(small_scenario("horizon_days=100"), seed=1).events
    long = sim.run(small_scenario("horizon_days=600"), seed=1).events
    alone = calibration.figures([long])["share_making_quota"]
    assert not math.isnan(alone), "the long run closes quota years"
    assert calibration.figures([short, long])["share_making_quota"] == alone
    assert calibration.figures([long, short])["share_making_quota"] == alone
    with pytest.raises(ValueError, match="at least one run"):
        calibration.figures([])
