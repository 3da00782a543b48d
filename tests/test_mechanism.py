"""The mechanism figures findings.md compares are metrics like any other: computed from the log alone, on the
same selling-hours rule as the hours categories, adding up where they should."""

from __future__ import annotations

import math

import polars as pl
from conftest import LiveRun

from sim import metrics
from sim.config import SEGMENTS
from sim.metrics.mechanism import (
    ACTIVITY,
    ENDING_LABEL,
    OPENED,
    REVENUE,
    REVENUE_PER_WON_DEAL,
    ending_figure,
    segment_figure,
)


def test_hours_by_activity_add_up_to_the_selling_hours_of_the_hours_categories(small_run: LiveRun) -> None:
    by_activity = metrics.hours_by_activity(small_run.events)
    selling = metrics.hours_summary(small_run.events)["selling_hours"]
    assert "IdleHoursLogged" in by_activity and "AdminHoursLogged" not in by_activity
    assert math.isclose(sum(by_activity.values()), selling, rel_tol=1e-12)


def test_mechanism_figures_add_up_to_the_run_summary(small_run: LiveRun) -> None:
    events = small_run.events
    figures = metrics.mechanism_figures(events)
    summary = metrics.summary(events)
    assert math.isclose(sum(figures[segment_figure(s, REVENUE)] or 0.0 for s in SEGMENTS), summary["revenue"])
    assert sum(figures[segment_figure(s, OPENED)] or 0.0 for s in SEGMENTS) == summary["opportunities"]
    ended = sum(figures[ending_figure(s, e)] or 0.0 for s in SEGMENTS for e in ENDING_LABEL)
    assert ended == events.filter(pl.col("kind").is_in(list(metrics.OUTCOME_OF_KIND))).height
    assert math.isclose(figures[REVENUE_PER_WON_DEAL] or 0.0, summary["revenue"] / summary["deals_won"])
    hours = sum(v or 0.0 for k, v in figures.items() if k.startswith(ACTIVITY))
    assert math.isclose(hours, summary["selling_hours"], rel_tol=1e-9)
    assert segment_figure("f1000", REVENUE) == "Fortune 1000: revenue ($)"
