"""The charts: one module per figure, each function taking metric frames (polars) and returning a :class:`Chart`.

A chart never reads simulation objects or the raw run: its input is what :mod:`sim.metrics` computed, tagged
with the ``arm`` (and ``replication``) it came from (:func:`tag`), so a stored comparison draws the same
pictures as a live one. Every chart is titled with the question it answers, has units on its axes, and its
caption is its takeaway: one sentence computed from the data it draws, naming the arms and carrying the numbers
(:mod:`sim.viz.charts.words` phrases them alike), with a note on how to read it. An arm has the same colour in
every chart (:func:`strategy_colour`). Colours and layout live in :mod:`sim.viz.style`, interval bands and
error bars in :mod:`sim.viz.bands`.

A chart that would say nothing is left out rather than drawn blank: its function returns None (each module's
docstring states its rule, e.g. the reputation chart only when reputation moves), and the report skips it.

Where a chart summarises replications it shows the mean and a 95% t-interval (:func:`sim.study.stats.mean_interval`,
the same interval as the comparison table). The experiment charts (:mod:`sim.viz.charts.experiment`) take an
experiment's summary tables (:mod:`sim.study.analysis`) instead, and show the intervals those hold.
"""

from sim.config.segments import SEGMENT_LABELS
from sim.viz.bands import replication_band, tag
from sim.viz.charts.cycles import box_stats, cycle_chart
from sim.viz.charts.deal import deal_timeline_chart
from sim.viz.charts.experiment import (
    convergence_chart,
    factor_chart,
    heatmap_chart,
    morris_chart,
    sensitivity_chart,
    sobol_chart,
)
from sim.viz.charts.forecast import forecast_takeaway, forecast_vs_actual_chart
from sim.viz.charts.funnel import funnel_chart, funnel_counts
from sim.viz.charts.hours_per_dollar import hours_per_dollar_chart
from sim.viz.charts.quarters import bookings_by_quarter_chart, quarter_takeaway
from sim.viz.charts.quota import quota_chart
from sim.viz.charts.reputation import MOVES_BY, reputation_chart, reputation_moves
from sim.viz.charts.revenue import revenue_chart
from sim.viz.charts.utilisation import utilisation_chart
from sim.viz.charts.waste import hours_from_summaries, run_shares, waste_chart
from sim.viz.style import HOURS_COLOURS, STALL_COLOUR, STRATEGY_COLOURS, Chart, strategy_colour
from sim.words.labels import segment_label

__all__ = [
    "HOURS_COLOURS",
    "MOVES_BY",
    "SEGMENT_LABELS",
    "STALL_COLOUR",
    "STRATEGY_COLOURS",
    "Chart",
    "bookings_by_quarter_chart",
    "box_stats",
    "convergence_chart",
    "cycle_chart",
    "deal_timeline_chart",
    "factor_chart",
    "forecast_takeaway",
    "forecast_vs_actual_chart",
    "funnel_chart",
    "funnel_counts",
    "heatmap_chart",
    "hours_from_summaries",
    "hours_per_dollar_chart",
    "morris_chart",
    "quarter_takeaway",
    "quota_chart",
    "replication_band",
    "reputation_chart",
    "reputation_moves",
    "revenue_chart",
    "run_shares",
    "segment_label",
    "sensitivity_chart",
    "sobol_chart",
    "strategy_colour",
    "tag",
    "utilisation_chart",
    "waste_chart",
]
