"""Charts: each figure drawn from a small hand-written log, its traces checked against the metric it shows."""

from __future__ import annotations

import math
from typing import Any

import plotly.graph_objects as go
import polars as pl
import pytest
from conftest import LiveRun

from sim import metrics
from sim.comparison import compare_table
from sim.core.events import SCHEMA
from sim.model.strategy import PRESETS
from sim.stats import mean_interval
from sim.story import deal_events
from sim.viz import charts
from sim.viz.charts import Chart, strategy_colour, tag
from sim.viz.style import HOURS_PATTERNS

# --------------------------------------------------------------------------------------------------------
# A tiny log, written by hand: two accounts, five contacts, three deals (won, lost, no decision).
# --------------------------------------------------------------------------------------------------------

_EVENTS: list[dict[str, Any]] = [
    {"t": 0.0, "kind": "AccountCreated", "account": 1, "segment": "smb", "amount": 20_000.0, "seat": 0},
    {"t": 0.0, "kind": "AccountCreated", "account": 2, "segment": "f1000", "amount": 400_000.0, "seat": 0},
    {"t": 0.0, "kind": "RepHired", "rep": 0, "seat": 0, "capacity": 1.0},
    {"t": 0.0, "kind": "RepHired", "rep": 1, "seat": 1, "capacity": 1.0},
    {"t": 0.0, "kind": "ReputationChanged", "reputation_change": 0.0, "reputation": 0.5, "reason": "initial"},
    {"t": 1.0, "kind": "BuyingWindowOpened", "account": 1, "segment": "smb", "pain": "acute",
     "budget": "assigned", "day": 30.0},
    # contact 10: meeting, opportunity 100, proposal, won
    {"t": 2.0, "kind": "ContactMade", "rep": 0, "account": 1, "contact": 10, "segment": "smb",
     "title": "owner", "hours": 0.5},
    {"t": 2.0, "kind": "MeetingHeld", "rep": 0, "account": 1, "contact": 10, "title": "owner", "hours": 2.0},
    {"t": 2.0, "kind": "OpportunityOpened", "rep": 0, "account": 1, "opp": 100, "contact": 10,
     "segment": "smb", "amount": 20_000.0, "opp_type": "qualified_buyer", "score": 5},
    # contact 11: no meeting
    {"t": 3.0, "kind": "ContactMade", "rep": 0, "account": 2, "contact": 11, "segment": "f1000",
     "title": "manager", "hours": 0.5},
    {"t": 3.0, "kind": "MeetingDeclined", "rep": 0, "account": 2, "contact": 11},
    # contact 12: meeting, opportunity 101 with a stalling CIO and procurement, no decision
    {"t": 4.0, "kind": "ContactMade", "rep": 0, "account": 2, "contact": 12, "segment": "f1000",
     "title": "vp", "hours": 0.5},
    {"t": 4.0, "kind": "MeetingHeld", "rep": 0, "account": 2, "contact": 12, "title": "vp", "hours": 2.0},
    {"t": 4.0, "kind": "OpportunityOpened", "rep": 0, "account": 2, "opp": 101, "contact": 12,
     "segment": "f1000", "amount": 400_000.0, "opp_type": "prospect", "score": 2},
    # contact 13: a meeting that opens nothing
    {"t": 5.0, "kind": "ContactMade", "rep": 1, "account": 2, "contact": 13, "segment": "f1000",
     "title": "director", "hours": 0.5},
    {"t": 5.0, "kind": "MeetingHeld", "rep": 1, "account": 2, "contact": 13, "title": "director",
     "hours": 0.75},
    {"t": 5.0, "kind": "StageAdvanced", "rep": 0, "account": 1, "opp": 100, "stage": "discovery",
     "hours": 4.0},
    # contact 14: opportunity 102, lost before any proposal
    {"t": 6.0, "kind": "ContactMade", "rep": 1, "account": 1, "contact": 14, "segment": "smb",
     "title": "owner", "hours": 0.5},
    {"t": 6.0, "kind": "MeetingHeld", "rep": 1, "account": 1, "contact": 14, "title": "owner", "hours": 2.0},
    {"t": 6.0, "kind": "OpportunityOpened", "rep": 1, "account": 1, "opp": 102, "contact": 14,
     "segment": "smb", "amount": 30_000.0, "opp_type": "prospect", "score": 3},
    {"t": 7.0, "kind": "StageAdvanced", "rep": 1, "account": 1, "opp": 102, "stage": "discovery",
     "hours": 4.0},
    {"t": 9.0, "kind": "DealLost", "rep": 1, "account": 1, "opp": 102, "segment": "smb",
     "reason": "competitor"},
    {"t": 10.0, "kind": "StageAdvanced", "rep": 0, "account": 1, "opp": 100, "stage": "proposal",
     "hours": 10.0},
    {"t": 20.0, "kind": "DealWon", "rep": 0, "account": 1, "opp": 100, "segment": "smb",
     "amount": 18_000.0, "discount": 0.1, "reason": "won"},
    {"t": 21.0, "kind": "BuyingWindowClosed", "account": 1},
    {"t": 30.0, "kind": "StageAdvanced", "rep": 0, "account": 2, "opp": 101, "stage": "discovery",
     "hours": 4.0},
    {"t": 30.4, "kind": "QuotaReviewed", "rep": 0, "amount": 18_000.0, "target": 83_333.33, "attainment": 0.216},
    {"t": 30.4, "kind": "QuotaReviewed", "rep": 1, "amount": 0.0, "target": 0.0, "attainment": 1.0},
    {"t": 40.0, "kind": "StallRequested", "rep": 0, "account": 2, "opp": 101, "stage": "demo",
     "reason": "validate_use_case", "hours": 6.0, "days": 20.0},
    {"t": 60.0, "kind": "StallRequested", "rep": 0, "account": 2, "opp": 101, "stage": "demo",
     "reason": "scalability_test", "hours": 8.0, "days": 30.0},
    {"t": 60.8, "kind": "QuotaReviewed", "rep": 0, "amount": 18_000.0, "target": 166_666.67, "attainment": 0.108},
    {"t": 60.8, "kind": "QuotaReviewed", "rep": 1, "amount": 0.0, "target": 40_000.0, "attainment": 0.0},
    {"t": 80.0, "kind": "StageAdvanced", "rep": 0, "account": 2, "opp": 101, "stage": "proposal",
     "hours": 10.0},
    {"t": 85.0, "kind": "ProcurementEngaged", "rep": 0, "account": 2, "opp": 101},
    {"t": 90.0, "kind": "CapitalApprovalFellShort", "rep": 0, "account": 2, "opp": 101, "hours": 3.0,
     "days": 30.0},
    {"t": 120.0, "kind": "NoDecisionReached", "rep": 0, "account": 2, "opp": 101, "segment": "f1000",
     "reason": "further_evaluation"},
    {"t": 150.0, "kind": "ReputationChanged", "opp": 100, "reputation_change": 0.01, "reputation": 0.51,
     "reason": "adoption_succeeded"},
    {"t": 180.0, "kind": "RunEnded", "day": 180.0},
]  # fmt: skip


def hand_log(events: list[dict[str, Any]] = _EVENTS) -> pl.DataFrame:
    """The events as a log with the real schema, in time order, numbered."""
    ordered = sorted(events, key=lambda e: e["t"])
    columns = {name: [e.get(name) for e in ordered] for name in SCHEMA}
    columns["seq"] = list(range(len(ordered)))
    return pl.DataFrame(columns, schema=SCHEMA)


@pytest.fixture(scope="module")
def log() -> pl.DataFrame:
    return hand_log()


def scaled(log: pl.DataFrame, factor: float) -> pl.DataFrame:
    """The same log with every won amount multiplied: a second 'replication' with known bookings."""
    return log.with_columns(
        pl.when(pl.col("kind") == "DealWon").then(pl.col("amount") * factor).otherwise(pl.col("amount"))
    )


def trace_named(fig: go.Figure, prefix: str) -> Any:
    found = [t for t in fig.data if t.name and str(t.name).startswith(prefix)]
    assert found, f"no trace named {prefix!r} in {[t.name for t in fig.data]}"
    return found[0]


# --------------------------------------------------------------------------------------------------------
# Revenue
# --------------------------------------------------------------------------------------------------------


def test_cumulative_revenue_ends_at_the_sum_of_won_deals(log: pl.DataFrame) -> None:
    chart = charts.revenue_chart(tag(metrics.revenue_over_time(log), "numbers-game"))
    line = trace_named(chart.figure, "numbers-game")
    xs, ys = list(line.x), list(line.y)
    assert ys[-1] == pytest.approx(18_000.0)
    assert (xs[0], ys[0]) == (0.0, 0.0)
    assert xs[-1] == pytest.approx(180.0)
    # One run: no band is drawn.
    assert len(chart.figure.data) == 1


def test_revenue_band_is_the_95_percent_interval_across_replications(log: pl.DataFrame) -> None:
    runs = [
        tag(metrics.revenue_over_time(scaled(log, f)), "qualify-hard", r) for r, f in enumerate((1, 2, 4))
    ]
    chart = charts.revenue_chart(pl.concat(runs))
    line = trace_named(chart.figure, "qualify-hard (mean of 3")
    band = trace_named(chart.figure, "qualify-hard 95% band")
    expected = mean_interval([18_000.0, 36_000.0, 72_000.0])
    assert list(line.y)[-1] == pytest.approx(expected.mean)
    n = len(line.x)
    upper, lower = list(band.y)[:n], list(band.y)[n:][::-1]
    assert upper[-1] == pytest.approx(expected.high)
    assert lower[-1] == pytest.approx(expected.low)
    assert band.fill == "toself"


# --------------------------------------------------------------------------------------------------------
# Wasted hours
# --------------------------------------------------------------------------------------------------------


def waste_input(log: pl.DataFrame, strategy: str, replication: int = 0) -> pl.DataFrame:
    return tag(metrics.hours_by_category(log).select("category", "hours"), strategy, replication)


def test_waste_bars_stack_every_category_as_a_share_of_the_selling_hours(log: pl.DataFrame) -> None:
    chart = charts.waste_chart(waste_input(log, "numbers-game"))
    expected = dict(metrics.hours_by_category(log).select("category", "hours").iter_rows())
    selling = metrics.summary(log)["selling_hours"]
    assert sum(expected.values()) == pytest.approx(selling)
    bars = {t.meta: t for t in chart.figure.data}
    # Categories with no hours in any strategy stay out of the legend; won is always drawn.
    assert set(bars) == {"won", "lost_competitor", "no_decision_further_evaluation", "screening"}
    for category, bar in bars.items():
        assert list(bar.y) == pytest.approx([expected[category] / selling])
        assert list(bar.customdata) == pytest.approx([expected[category]])
        assert list(bar.x) == ["numbers-game"]
    assert sum(bar.y[0] for bar in bars.values()) == pytest.approx(1.0)
    (note,) = chart.figure.layout.annotations
    assert f"{metrics.summary(log)['wasted_share']:.0%}" in note.text
    assert chart.figure.layout.barmode == "stack"


def test_waste_chart_colours_are_distinct_and_screening_and_idle_stand_apart() -> None:
    keys = [c.key for c in metrics.HOURS_CATEGORIES]
    assert set(charts.HOURS_COLOURS) == set(keys)
    looks = {(charts.HOURS_COLOURS[k], HOURS_PATTERNS.get(k, "")) for k in keys}
    assert len(looks) == len(keys)
    colours = list(charts.HOURS_COLOURS.values())
    for key in ("won", "screening", "idle"):
        assert colours.count(charts.HOURS_COLOURS[key]) == 1


def test_waste_chart_averages_replications(log: pl.DataFrame) -> None:
    tripled = waste_input(log, "numbers-game", 1).with_columns(pl.col("hours") * 3)
    chart = charts.waste_chart(pl.concat([waste_input(log, "numbers-game", 0), tripled]))
    stalls = next(t for t in chart.figure.data if t.meta == "no_decision_further_evaluation")
    # Shares of the mean hours: the same as one run's, since the second is the first scaled.
    assert list(stalls.customdata) == pytest.approx([(33.5 + 3 * 33.5) / 2])
    assert list(stalls.y) == pytest.approx([33.5 / metrics.summary(log)["selling_hours"]])


def test_hours_from_run_summaries_equal_the_log_projection(log: pl.DataFrame) -> None:
    runs = pl.DataFrame([{"arm": "numbers-game", "replication": 0, **metrics.summary(log)}])
    from_summary = charts.hours_from_summaries(runs)
    expected = dict(metrics.hours_by_category(log).select("category", "hours").iter_rows())
    got = dict(from_summary.select("category", "hours").iter_rows())
    assert got == pytest.approx(expected)


# --------------------------------------------------------------------------------------------------------
# Utilisation
# --------------------------------------------------------------------------------------------------------


def test_utilisation_line_is_booked_over_selling_hours_per_month(small_run: LiveRun) -> None:
    monthly = metrics.utilisation_over_time(small_run.events)
    chart = charts.utilisation_chart(tag(monthly, "numbers-game"))
    line = trace_named(chart.figure, "numbers-game")
    assert list(line.x) == monthly["day"].to_list()
    assert list(line.y) == pytest.approx(monthly["utilisation"].to_list())
    assert line.line.color == strategy_colour("numbers-game")
    assert all(0.0 <= y <= 1.0 for y in line.y)


# --------------------------------------------------------------------------------------------------------
# Funnel
# --------------------------------------------------------------------------------------------------------


def test_funnel_flows_follow_each_contact_to_its_outcome(log: pl.DataFrame) -> None:
    flows = {(s, t): c for s, t, c in metrics.funnel_flows(log).iter_rows()}
    assert flows == {
        ("contact", "no meeting"): 1,
        ("contact", "meeting"): 4,
        ("meeting", "no opportunity"): 1,
        ("meeting", "opportunity"): 3,
        ("opportunity", "proposal"): 2,
        ("opportunity", "lost"): 1,  # never reached proposal: straight to its outcome
        ("proposal", "procurement"): 1,
        ("proposal", "won"): 1,
        ("procurement", "no_decision"): 1,
    }


def assert_flows_consistent(events: pl.DataFrame) -> None:
    flows = metrics.funnel_flows(events)
    inflow = dict(flows.group_by("target").agg(pl.col("count").sum()).iter_rows())
    outflow = dict(flows.group_by("source").agg(pl.col("count").sum()).iter_rows())
    for node in ("meeting", "opportunity", "proposal", "procurement"):
        assert inflow.get(node, 0) == outflow.get(node, 0), node
    counts = dict(metrics.funnel(events).iter_rows())
    assert outflow["contact"] == counts["contact"]
    assert inflow["meeting"] == counts["meeting"]
    assert inflow["opportunity"] == counts["opportunity"]
    assert inflow.get("proposal", 0) == counts["proposal"]
    assert inflow.get("procurement", 0) == counts["procurement"]
    for outcome in ("won", "lost", "no_decision", "walked_away", "open"):
        assert inflow.get(outcome, 0) == counts[outcome], outcome


def test_funnel_flows_are_consistent_on_the_hand_log(log: pl.DataFrame) -> None:
    assert_flows_consistent(log)


def test_funnel_flows_are_consistent_on_a_real_run(small_run: LiveRun) -> None:
    assert_flows_consistent(small_run.events)


def test_sankey_links_carry_the_mean_flows_per_replication(log: pl.DataFrame) -> None:
    flows = pl.concat(
        [tag(metrics.funnel_flows(log), "qualify-hard", 0), tag(metrics.funnel_flows(log), "qualify-hard", 1)]
    )
    doubled_contacts = flows.with_columns(
        pl.when((pl.col("replication") == 1) & (pl.col("target") == "no meeting"))
        .then(pl.col("count") * 3)
        .otherwise(pl.col("count"))
    )
    chart = charts.funnel_chart(doubled_contacts)
    (sankey,) = chart.figure.data
    labels = [str(label).rsplit(" ", 1)[0] for label in sankey.node.label]
    links = {
        (labels[s], labels[t]): v
        for s, t, v in zip(sankey.link.source, sankey.link.target, sankey.link.value, strict=True)
    }
    assert links[("contacts", "no meeting")] == pytest.approx((1 + 3) / 2)
    assert links[("contacts", "meetings")] == pytest.approx(4)
    assert links[("opportunities", "lost")] == pytest.approx(1)
    assert links[("procurement", "no decision")] == pytest.approx(1)
    # Node labels carry the node's total: contacts = meetings + no meeting.
    assert "contacts 6" in list(sankey.node.label)
    # The flow into "won" is the darkest link of the strategy's colour.
    won = [c for (pair, c) in zip(links, sankey.link.color, strict=True) if pair[1] == "won"]
    assert won and all(c.endswith(",0.65)") for c in won)


def test_sankey_has_one_diagram_per_strategy(log: pl.DataFrame) -> None:
    flows = pl.concat(
        [tag(metrics.funnel_flows(log), "numbers-game"), tag(metrics.funnel_flows(log), "qualify-hard")]
    )
    chart = charts.funnel_chart(flows)
    assert [t.name for t in chart.figure.data] == ["numbers-game", "qualify-hard"]
    domains = [tuple(t.domain.y) for t in chart.figure.data]
    assert domains[0][0] >= domains[1][1]  # stacked, not overlapping


# --------------------------------------------------------------------------------------------------------
# Cycle lengths
# --------------------------------------------------------------------------------------------------------


def test_cycle_boxes_show_the_median_cycles_and_the_quota_clock(log: pl.DataFrame) -> None:
    chart = charts.cycle_chart(
        tag(metrics.cycle_lengths(log), "numbers-game"), expected={"smb": 30.0, "f1000": 120.0}
    )
    boxes = {t.name: t for t in chart.figure.data if isinstance(t, go.Box)}
    buying = boxes["buyer's own buying cycle"]
    # The buyer's planned cycle: the window opened on day 1 to decide on day 30.
    assert list(buying.x) == ["SMB"] and list(buying.median) == pytest.approx([29.0])
    sales = boxes["numbers-game: sales cycle (opened → decided)"]
    assert list(sales.x) == ["SMB", "Fortune 1000"]
    medians = metrics.median_cycle_by_segment(log).filter(pl.col("cycle") == "sales")
    expected_medians = dict(medians.select("segment", "median_days").iter_rows())
    assert list(sales.median) == pytest.approx([expected_medians["smb"], expected_medians["f1000"]])
    assert list(sales.median) == pytest.approx([(18.0 + 3.0) / 2, 116.0])
    assert sales.line.color == strategy_colour("numbers-game")
    lines = {s.name: s.y0 for s in chart.figure.layout.shapes}
    assert lines == {"expected smb": 30.0, "expected f1000": 120.0}


def test_box_stats_whiskers_stop_at_the_data() -> None:
    stats = charts.box_stats([1.0, 2.0, 3.0, 4.0, 100.0])
    assert stats is not None
    assert stats["median"] == 3.0 and stats["q1"] == 2.0 and stats["q3"] == 4.0
    assert stats["upperfence"] == 4.0  # 100 is beyond 1.5 IQR
    assert stats["lowerfence"] == 1.0
    assert charts.box_stats([]) is None


# --------------------------------------------------------------------------------------------------------
# Quota attainment
# --------------------------------------------------------------------------------------------------------


def test_quota_heatmap_z_is_the_attainment_with_quota_at_the_centre(log: pl.DataFrame) -> None:
    attainment = metrics.quota_attainment_by_seat(log)
    chart = charts.quota_chart(tag(attainment, "pressure"))
    heat = next(t for t in chart.figure.data if t.meta == "attainment")
    assert list(heat.y) == ["seat 0", "seat 1"]
    assert list(heat.x) == [1, 2]
    # Seat 1's first review has no target yet (a ramping hire): not judged, drawn in the ramp layer.
    assert [list(row) for row in heat.z] == [[0.216, 0.108], [None, 0.0]]
    ramp = next(t for t in chart.figure.data if t.meta == "ramping")
    assert [list(row) for row in ramp.z] == [[None, None], [0.0, None]]
    assert heat.zmid == 1.0 and heat.zmin == 0.0 and heat.zmax == 2.0
    assert "1.0 = quota" in list(heat.colorbar.ticktext)


def test_quota_heatmap_by_rep_without_seats(log: pl.DataFrame) -> None:
    chart = charts.quota_chart(tag(metrics.quota_attainment(log), "pressure"))
    heat = next(t for t in chart.figure.data if t.meta == "attainment")
    assert list(heat.y) == ["rep 0", "rep 1"]
    judged = metrics.quota_attainment(log).filter(pl.col("target") > 0)
    values = sorted(v for row in heat.z for v in row if v is not None)
    assert values == sorted(judged["attainment"].to_list())


# --------------------------------------------------------------------------------------------------------
# One deal's timeline
# --------------------------------------------------------------------------------------------------------


def test_deal_timeline_marks_every_stall_request(log: pl.DataFrame) -> None:
    deal = deal_events(log, 101)
    assert deal is not None
    chart = charts.deal_timeline_chart(deal, "numbers-game")
    stalls = next(t for t in chart.figure.data if t.meta == "StallRequested")
    assert len(stalls.x) == deal.filter(pl.col("kind") == "StallRequested").height == 2
    assert list(stalls.x) == [40.0, 60.0]
    assert list(stalls.text) == ["CIO: validate use case", "CIO: scalability test"]
    assert stalls.marker.color == charts.STALL_COLOUR and stalls.marker.symbol == "x"
    assert "stalling CIO" in stalls.name
    # The hours line climbs to the deal's total hours, and the stall markers sit on it.
    line = chart.figure.data[0]
    total = float(deal["hours"].sum())
    assert list(line.y)[-1] == pytest.approx(total)
    assert line.line.shape == "hv" and line.line.color == strategy_colour("numbers-game")
    on_line = dict(zip(line.x, line.y, strict=True))
    assert [on_line[x] for x in stalls.x] == pytest.approx(list(stalls.y))
    assert "no decision" in chart.title and "2 red crosses" in chart.caption


def test_deal_timeline_without_stalls_says_so(log: pl.DataFrame) -> None:
    deal = deal_events(log, 100)
    assert deal is not None
    chart = charts.deal_timeline_chart(deal)
    assert not [t for t in chart.figure.data if t.meta == "StallRequested"]
    outcome = next(t for t in chart.figure.data if t.meta == "outcome")
    assert list(outcome.text) == ["WON $18,000"]
    assert "no stalling CIO" in chart.caption


# --------------------------------------------------------------------------------------------------------
# Reputation and hours per won dollar
# --------------------------------------------------------------------------------------------------------


def test_reputation_chart_is_the_step_function_of_reputation_changes(log: pl.DataFrame) -> None:
    path = metrics.reputation_path(log, step_days=30.0)
    assert path["day"].to_list() == [0.0, 30.0, 60.0, 90.0, 120.0, 150.0, 180.0]
    assert path["reputation"].to_list() == [0.5, 0.5, 0.5, 0.5, 0.5, 0.51, 0.51]
    chart = charts.reputation_chart(tag(path, "help-them-buy"))
    line = trace_named(chart.figure, "help-them-buy")
    assert list(line.y) == pytest.approx(path["reputation"].to_list())
    assert line.line.color == strategy_colour("help-them-buy")
    assert tuple(chart.figure.layout.yaxis.range) == (0, 1)


def test_hours_per_dollar_bars_are_the_comparison_table_figures() -> None:
    runs = pl.DataFrame(
        {
            "arm": ["numbers-game"] * 3 + ["qualify-hard"] * 3,
            "replication": [0, 1, 2] * 2,
            "hours_per_won_dollar": [0.010, 0.012, 0.011, 0.004, 0.005, None],
        }
    )
    chart = charts.hours_per_dollar_chart(runs)
    (bars,) = chart.figure.data
    table = compare_table(runs, ["hours_per_won_dollar"])
    by = {r["arm"]: r for r in table.iter_rows(named=True)}
    assert list(bars.x) == ["numbers-game", "qualify-hard"]
    assert list(bars.y) == pytest.approx([by["numbers-game"]["mean"], by["qualify-hard"]["mean"]])
    upper = [m + e for m, e in zip(bars.y, bars.error_y.array, strict=True)]
    assert upper == pytest.approx([by["numbers-game"]["ci_high"], by["qualify-hard"]["ci_high"]])
    assert list(bars.marker.color) == [strategy_colour("numbers-game"), strategy_colour("qualify-hard")]


# --------------------------------------------------------------------------------------------------------
# Every chart
# --------------------------------------------------------------------------------------------------------


def all_charts(log: pl.DataFrame, strategies: tuple[str, ...]) -> list[Chart]:
    runs = pl.DataFrame([{"arm": s, "replication": 0, **metrics.summary(log)} for s in strategies])
    deal = deal_events(log, 101)
    assert deal is not None
    return [
        charts.revenue_chart(pl.concat([tag(metrics.revenue_over_time(log), s) for s in strategies])),
        charts.waste_chart(charts.hours_from_summaries(runs)),
        charts.utilisation_chart(pl.concat([tag(metrics.utilisation_over_time(log), s) for s in strategies])),
        charts.hours_per_dollar_chart(runs),
        charts.funnel_chart(pl.concat([tag(metrics.funnel_flows(log), s) for s in strategies])),
        charts.cycle_chart(pl.concat([tag(metrics.cycle_lengths(log), s) for s in strategies]), {"smb": 30}),
        charts.quota_chart(pl.concat([tag(metrics.quota_attainment_by_seat(log), s) for s in strategies])),
        charts.reputation_chart(pl.concat([tag(metrics.reputation_path(log), s) for s in strategies])),
        charts.deal_timeline_chart(deal, strategies[-1]),
    ]


def colours_of(chart: Chart, strategy: str) -> set[str]:
    """Every colour the chart gives to a strategy (lines, bars, boxes, link bases, titles)."""
    found: set[str] = set()
    for trace in chart.figure.data:
        name = str(trace.name or "")
        if isinstance(trace, go.Bar) and trace.x is not None and strategy in list(trace.x):
            colours = trace.marker.color
            if isinstance(colours, tuple | list):
                found.add(colours[list(trace.x).index(strategy)])
        # Traces of this strategy: named after it, or "... · strategy" (the deal's hours line).
        if not (name.startswith(strategy) or name.endswith(f"· {strategy}")):
            continue
        if isinstance(trace, go.Scatter) and trace.line.color and trace.mode == "lines":
            found.add(trace.line.color)
        if isinstance(trace, go.Box):
            found.add(trace.line.color)
        if isinstance(trace, go.Sankey):
            found.add(trace.node.color[0])
    for annotation in chart.figure.layout.annotations:
        if strategy in str(annotation.text) and annotation.font.color:
            found.add(annotation.font.color)
    return found


def test_a_strategy_has_the_same_colour_in_every_chart(log: pl.DataFrame) -> None:
    strategies = ("numbers-game", "qualify-hard")
    drawn = all_charts(log, strategies)
    for strategy in strategies:
        seen = {chart.key: colours_of(chart, strategy) for chart in drawn}
        colour = strategy_colour(strategy)
        for key in ("revenue", "utilisation", "hours_per_dollar", "funnel", "cycles", "quota", "reputation"):
            assert seen[key] == {colour}, (strategy, key, seen[key])
    assert colours_of(drawn[-1], "qualify-hard") == {strategy_colour("qualify-hard")}


def test_preset_colours_are_distinct_and_names_outside_the_presets_are_stable() -> None:
    colours = [strategy_colour(name) for name in PRESETS]
    assert len(set(colours)) == len(colours)
    assert strategy_colour("my-own-mix") == strategy_colour("my-own-mix")
    assert strategy_colour("my-own-mix").startswith("#")


def test_every_chart_asks_a_question_labels_its_axes_and_says_what_to_look_for(log: pl.DataFrame) -> None:
    drawn = all_charts(log, ("numbers-game", "qualify-hard"))
    assert len({c.key for c in drawn}) == len(drawn)
    for chart in drawn:
        assert chart.title.endswith("?"), chart.title
        assert chart.caption.endswith(".") and chart.caption.count(". ") == 0, chart.caption
        if chart.key == "funnel":
            continue  # a Sankey has no axes
        layout = chart.figure.layout
        x_titles = [layout[a].title.text for a in layout if a.startswith("xaxis")]
        y_titles = [layout[a].title.text for a in layout if a.startswith("yaxis")]
        # Stacked panels share the bottom panel's x title; every panel has its y title.
        assert any(x_titles) and all(y_titles), chart.key
    units = {c.key: str(c.figure.layout.yaxis.title.text) for c in drawn}
    assert "($)" in units["revenue"] and "hours" in units["waste"] and "days" in units["cycles"]
    assert "selling hours" in units["utilisation"]
    assert "$1,000" in units["hours_per_dollar"] and "hours" in units["deal"]


def test_charts_survive_an_empty_strategy_run() -> None:
    quiet = hand_log([e for e in _EVENTS if e["kind"] in ("AccountCreated", "RepHired", "RunEnded")])
    revenue = charts.revenue_chart(tag(metrics.revenue_over_time(quiet), "pressure"))
    assert list(revenue.figure.data[0].y)[-1] == 0.0
    reputation = charts.reputation_chart(tag(metrics.reputation_path(quiet), "pressure"))
    assert reputation.figure.data == ()
    runs = pl.DataFrame([{"arm": "pressure", "replication": 0, **metrics.summary(quiet)}])
    bars = charts.hours_per_dollar_chart(runs).figure.data[0]
    assert list(bars.y) == [None]
    assert math.isnan(metrics.summary(quiet)["hours_per_won_dollar"])
