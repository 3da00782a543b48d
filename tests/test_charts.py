"""Charts: each figure drawn from a small hand-written log, its traces checked against the metric it shows."""

from __future__ import annotations

import math
from typing import Any

import plotly.graph_objects as go
import polars as pl
import pytest
from conftest import LiveRun

from sim import metrics
from sim.core.events import SCHEMA
from sim.model.strategy import PRESETS
from sim.study.comparison import compare_table
from sim.study.stats import mean_interval
from sim.viz import charts
from sim.viz.charts import Chart, strategy_colour, tag
from sim.words.format import fmt, money
from sim.words.story import deal_events

# --------------------------------------------------------------------------------------------------------
# A tiny log, written by hand: two accounts, five contacts, three deals (won, lost, no decision).
# --------------------------------------------------------------------------------------------------------

_EVENTS: list[dict[str, Any]] = [
    {"t": 0.0, "kind": "AccountCreated", "account": 1, "segment": "smb", "amount": 20_000.0, "seat": 0},
    {"t": 0.0, "kind": "AccountCreated", "account": 2, "segment": "f1000", "amount": 400_000.0, "seat": 0},
    {"t": 0.0, "kind": "RepHired", "rep": 0, "seat": 0, "capacity": 1.0},
    {"t": 0.0, "kind": "RepHired", "rep": 1, "seat": 1, "capacity": 1.0},
    {"t": 0.0, "kind": "QuotaYearStarted", "rep": 0},
    {"t": 0.0, "kind": "QuotaYearStarted", "rep": 1},
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


def drawn(chart: Chart | None) -> Chart:
    """A chart that must be drawn (a chart function returns None when it would say nothing)."""
    assert chart is not None
    return chart


def trace_named(fig: go.Figure, prefix: str) -> Any:
    found = [t for t in fig.data if t.name and str(t.name).startswith(prefix)]
    assert found, f"no trace named {prefix!r} in {[t.name for t in fig.data]}"
    return found[0]


# --------------------------------------------------------------------------------------------------------
# Revenue
# --------------------------------------------------------------------------------------------------------


def test_cumulative_revenue_ends_at_the_sum_of_won_deals(log: pl.DataFrame) -> None:
    chart = drawn(charts.revenue_chart(tag(metrics.revenue_over_time(log), "numbers-game")))
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
    chart = drawn(charts.revenue_chart(pl.concat(runs)))
    line = trace_named(chart.figure, "qualify-hard (mean of 3")
    band = trace_named(chart.figure, "qualify-hard 95% band")
    expected = mean_interval([18_000.0, 36_000.0, 72_000.0])
    assert list(line.y)[-1] == pytest.approx(expected.mean)
    n = len(line.x)
    upper, lower = list(band.y)[:n], list(band.y)[n:][::-1]
    assert upper[-1] == pytest.approx(expected.high)
    # Three skewed runs: the t-interval reaches below $0, which bookings never do, so the band stops there.
    assert expected.low < 0
    assert lower[-1] == 0.0 and min(lower) >= 0.0
    assert band.fill == "toself"
    assert chart.takeaway == (
        f"By day 180, qualify-hard had booked {money(expected.mean)} a run "
        f"(95% CI {money(max(0.0, expected.low))}–{money(expected.high)})."
    )


def test_revenue_takeaway_sets_each_arm_against_the_control(log: pl.DataFrame) -> None:
    runs = [
        tag(metrics.revenue_over_time(log), "numbers-game"),
        tag(metrics.revenue_over_time(scaled(log, 1.35)), "qualify-hard"),
    ]
    chart = drawn(charts.revenue_chart(pl.concat(runs)))
    assert (
        chart.takeaway
        == "By day 180, numbers-game had booked $18k a run; qualify-hard $24.3k a run, 35% more."
    )


# --------------------------------------------------------------------------------------------------------
# Wasted hours
# --------------------------------------------------------------------------------------------------------


def waste_input(log: pl.DataFrame, strategy: str, replication: int = 0) -> pl.DataFrame:
    return tag(metrics.hours_by_category(log).select("category", "hours"), strategy, replication)


def test_waste_bars_stack_every_category_as_a_share_of_the_selling_hours(log: pl.DataFrame) -> None:
    chart = drawn(charts.waste_chart(waste_input(log, "numbers-game")))
    expected = dict(metrics.hours_by_category(log).select("category", "hours").iter_rows())
    selling = metrics.summary(log)["selling_hours"]
    assert sum(expected.values()) == pytest.approx(selling)
    bars = {t.meta: t for t in chart.figure.data}
    # Categories with no hours in any arm stay out of the legend; won is always drawn.
    assert set(bars) == {"won", "lost_competitor", "no_decision_further_evaluation", "screening"}
    for category, bar in bars.items():
        assert list(bar.y) == pytest.approx([expected[category] / selling])
        assert list(bar.customdata) == pytest.approx([expected[category]])
        assert list(bar.x) == ["numbers-game"]
        assert bar.marker.color == charts.HOURS_COLOURS[category]
    assert sum(bar.y[0] for bar in bars.values()) == pytest.approx(1.0)
    (note,) = chart.figure.layout.annotations
    assert f"wasted: <b>{metrics.summary(log)['wasted_share']:.0%}</b>" in note.text
    assert chart.figure.layout.barmode == "stack"


#: Paul Tol's muted and Okabe-Ito's qualitative colours: the colour-blind-safe sets the causes are drawn from.
SAFE_COLOURS = {
    "#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255", "#AA4499",
    "#DDDDDD", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
}  # fmt: skip


def test_waste_chart_gives_every_cause_its_own_colour_blind_safe_colour() -> None:
    keys = [c.key for c in metrics.HOURS_CATEGORIES]
    assert set(charts.HOURS_COLOURS) == set(keys)
    colours = [charts.HOURS_COLOURS[k] for k in keys]
    assert len(set(colours)) == len(colours)
    assert set(colours) <= SAFE_COLOURS

    # No two causes of one ending are near in colour (the "five similar oranges").
    def rgb(hex_colour: str) -> tuple[int, ...]:
        return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))

    for a in keys:
        for b in keys:
            if a < b:
                distance = math.dist(rgb(charts.HOURS_COLOURS[a]), rgb(charts.HOURS_COLOURS[b]))
                assert distance > 55, (a, b)


def test_waste_takeaway_is_the_wasted_hours_per_arm_with_unused_capacity_beside(log: pl.DataFrame) -> None:
    doubled = waste_input(log, "qualify-hard").with_columns(
        pl.when(pl.col("category") == "screening").then(pl.col("hours") * 3).otherwise(pl.col("hours"))
    )
    chart = drawn(charts.waste_chart(pl.concat([waste_input(log, "numbers-game"), doubled])))
    hours = dict(metrics.hours_by_category(log).select("category", "hours").iter_rows())
    selling = sum(hours.values())
    wasted = sum(hours[k] for k in metrics.WASTED_CATEGORIES)
    assert wasted == pytest.approx(selling - hours["won"])  # the chart log has no idle or still-open hours
    screening = 2 * hours["screening"]  # the extra screening hours of qualify-hard
    assert chart.takeaway == (
        f"numbers-game's reps wasted {wasted:,.0f} selling hours a run on deals not won and screening "
        f"({wasted / selling:.0%}); qualify-hard's {screening:,.0f} more ({(wasted + screening) / (selling + screening):.0%}); "
        f"numbers-game's largest cause of waste: no decision: further evaluation ({hours['no_decision_further_evaluation'] / selling:.0%}); "
        "unused capacity (idle, not counted as waste): numbers-game 0%, qualify-hard 0%."
    )


def test_idle_hours_are_drawn_as_unused_capacity_not_inside_the_wasted_share() -> None:
    """Half the selling hours idle, a quarter lost, a quarter won: the wasted share is 25%, not 75%, and the
    idle block is hatched and sits in its own legend group on top of the bar."""
    runs = pl.DataFrame(
        {"category": ["won", "lost_competitor", "still_open", "idle"], "hours": [25.0, 25.0, 10.0, 40.0]}
    ).pipe(tag, "control", 0)
    chart = drawn(charts.waste_chart(runs))
    (label,) = [a.text for a in chart.figure.layout.annotations]
    assert label.startswith("wasted: <b>25%</b>") and "unused: 40%" in label
    order = [t.meta for t in chart.figure.data]
    assert order == ["won", "lost_competitor", "still_open", "idle"]
    idle = chart.figure.data[-1]
    assert idle.legendgroup == "unused capacity" and idle.marker.pattern.shape == "/"
    assert chart.figure.data[2].legendgroup == "still open"
    assert "wasted 25 selling hours" in chart.takeaway and "unused capacity" in chart.takeaway


def test_waste_chart_keeps_the_wasted_interval_inside_100_percent() -> None:
    """Few runs with hardly any won hours: the t-interval of the wasted share reaches past 100%, and the label
    above the bar once read "not won: 96% (91%–101%)"."""
    runs = pl.concat(
        pl.DataFrame({"category": ["won", "lost_competitor"], "hours": [won, 100.0 - won]}).pipe(
            tag, "control", r
        )
        for r, won in enumerate((0.0, 9.0, 0.5, 0.0))
    )
    chart = drawn(charts.waste_chart(runs))
    (label,) = [a.text for a in chart.figure.layout.annotations if a.text.startswith("wasted")]
    low, high = (int(v.rstrip("%")) for v in label.split("(")[1].split(")")[0].split("–"))
    assert high == 100 and 0 < low < high


def test_waste_chart_averages_replications(log: pl.DataFrame) -> None:
    tripled = waste_input(log, "numbers-game", 1).with_columns(pl.col("hours") * 3)
    chart = drawn(charts.waste_chart(pl.concat([waste_input(log, "numbers-game", 0), tripled])))
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
    chart = drawn(charts.utilisation_chart(tag(monthly, "numbers-game")))
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


def test_funnel_counts_are_whole_numbers_per_run_with_conversion_rates(log: pl.DataFrame) -> None:
    flows = pl.concat(
        [tag(metrics.funnel_flows(log), "qualify-hard", 0), tag(metrics.funnel_flows(log), "qualify-hard", 1)]
    )
    # The second run met two more contacts that went nowhere: 5 and 7 contacts, a mean of 6 a run.
    more = flows.with_columns(
        pl.when((pl.col("replication") == 1) & (pl.col("target") == "no meeting"))
        .then(pl.col("count") + 2)
        .otherwise(pl.col("count"))
    )
    counts = charts.funnel_counts(more)
    assert counts["count"].dtype == pl.Int64
    by = {r["stage"]: r for r in counts.iter_rows(named=True)}
    # Stages on the way to a win; none is fractional.
    assert list(by) == ["contact", "meeting", "opportunity", "proposal", "procurement", "won"]
    assert [by[s]["count"] for s in by] == [6, 4, 3, 2, 1, 1]
    assert by["contact"]["conversion"] is None
    assert by["meeting"]["conversion"] == pytest.approx(4 / 6)
    assert by["opportunity"]["conversion"] == pytest.approx(3 / 4)
    assert by["procurement"]["conversion"] == pytest.approx(1 / 2)
    # Procurement is a side step (it runs only some purchases): wins are a share of the proposals.
    assert by["won"]["conversion"] == pytest.approx(1 / 2)
    assert (by["contact"]["low"], by["contact"]["high"]) == pytest.approx(
        (max(0.0, mean_interval([5, 7]).low), mean_interval([5, 7]).high)
    )
    chart = drawn(charts.funnel_chart(more))
    (bars,) = [t for t in chart.figure.data if isinstance(t, go.Bar)]
    assert list(bars.x) == [6, 4, 3, 2, 1, 1] and all(isinstance(x, int) for x in bars.x)
    assert bars.orientation == "h"
    (labels,) = [t for t in chart.figure.data if t.meta == "labels"]
    assert list(labels.text)[:3] == ["  6", "  4 · 67% of contacts", "  3 · 75% of meetings"]
    assert list(labels.text)[-2:] == ["  1 · 50% of proposals", "  1 · 50% of proposals"]
    assert chart.takeaway == "qualify-hard turned 6 contacts a run into 1 win (17%)."


def test_funnel_puts_every_arm_on_one_shared_axis_and_leaves_out_stages_nobody_reached(
    log: pl.DataFrame,
) -> None:
    no_procurement = metrics.funnel_flows(log).filter(
        (pl.col("target") != "procurement") & (pl.col("source") != "procurement")
    )
    flows = pl.concat(
        [
            tag(no_procurement, "numbers-game"),
            tag(no_procurement.with_columns(pl.col("count") * 3), "qualify-hard"),
        ]
    )
    chart = drawn(charts.funnel_chart(flows))
    bars = [t for t in chart.figure.data if isinstance(t, go.Bar)]
    assert [t.name for t in bars] == ["numbers-game", "qualify-hard"]
    assert {t.xaxis for t in bars} <= {None, "x"} and chart.figure.layout.barmode == "group"
    assert list(bars[0].y) == ["contacts", "meetings", "opportunities", "proposals", "won"]
    assert list(bars[1].x) == [3 * x for x in bars[0].x]
    assert not [t for t in chart.figure.data if isinstance(t, go.Sankey)]
    assert chart.takeaway == (
        "numbers-game turned 5 contacts a run into 1 win (20%); qualify-hard 15 into 3 (20%), 200% more wins."
    )
    assert charts.funnel_chart(flows.clear()) is None


# --------------------------------------------------------------------------------------------------------
# Cycle lengths
# --------------------------------------------------------------------------------------------------------


def test_cycle_boxes_show_the_median_cycles_and_the_quota_clock(log: pl.DataFrame) -> None:
    chart = drawn(
        charts.cycle_chart(
            tag(metrics.cycle_lengths(log), "numbers-game"), expected={"smb": 30.0, "f1000": 120.0}
        )
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
    # A linear axis of days from zero, not a log axis.
    yaxis = chart.figure.layout.yaxis
    assert yaxis.type == "linear" and yaxis.range[0] == 0.0 and "days" in yaxis.title.text
    assert yaxis.range[1] >= max(b for t in chart.figure.data if isinstance(t, go.Box) for b in t.upperfence)
    assert chart.takeaway == (
        "SMB: buyers took a median 29 days to decide (the quota clock expects 30), sales cycles ran a median "
        "10 days for numbers-game; Fortune 1000: sales cycles ran a median 116 days for numbers-game."
    )


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


#: Three reps, a warm-up of 100 days, two monthly reviews: at the first, rep 0 is ahead of the target to date,
#: rep 1 behind, and rep 2 (a new hire) has no target yet; at the second, reps 1 and 2 are on track (rep 2
#: exactly on it) and rep 0 has fallen behind.
_QUOTA_EVENTS: list[dict[str, Any]] = [
    *({"t": 0.0, "kind": "RepHired", "rep": r, "seat": r, "capacity": 1.0} for r in range(3)),
    *({"t": 100.0, "kind": "QuotaYearStarted", "rep": r} for r in range(3)),
    {"t": 130.4, "kind": "QuotaReviewed", "rep": 0, "amount": 10_000.0, "target": 8_000.0, "attainment": 1.25},
    {"t": 130.4, "kind": "QuotaReviewed", "rep": 1, "amount": 5_000.0, "target": 8_000.0, "attainment": 0.625},
    {"t": 130.4, "kind": "QuotaReviewed", "rep": 2, "amount": 0.0, "target": 0.0, "attainment": None},
    {"t": 160.8, "kind": "QuotaReviewed", "rep": 0, "amount": 10_000.0, "target": 16_000.0, "attainment": 0.625},
    {"t": 160.8, "kind": "QuotaReviewed", "rep": 1, "amount": 20_000.0, "target": 16_000.0, "attainment": 1.25},
    {"t": 160.8, "kind": "QuotaReviewed", "rep": 2, "amount": 5_000.0, "target": 5_000.0, "attainment": 1.0},
    {"t": 170.0, "kind": "RunEnded", "day": 170.0},
]  # fmt: skip


def test_quota_on_track_is_the_share_of_judged_reps_at_or_above_the_target_to_date() -> None:
    on_track = metrics.quota_on_track(hand_log(_QUOTA_EVENTS))
    # By hand: month 1 judges reps 0 and 1 (rep 2 is ramping), rep 0 on track; month 2 judges all three, reps
    # 1 and 2 on track (at the target counts).
    assert on_track.rows() == [(1, "Y1 M1", 130.4, 2, 1, 0.5), (2, "Y1 M2", 160.8, 3, 2, 2 / 3)]


def test_quota_chart_is_the_on_track_share_per_month_with_a_band_over_replications() -> None:
    one = metrics.quota_on_track(hand_log(_QUOTA_EVENTS))
    # A second replication in which nobody is on track in month 2.
    other = one.with_columns(
        pl.when(pl.col("month") == 2).then(0).otherwise(pl.col("on_track")).alias("on_track"),
        pl.when(pl.col("month") == 2).then(0.0).otherwise(pl.col("share")).alias("share"),
    )
    frames = pl.concat([tag(one, "pressure", 0), tag(other, "pressure", 1)])
    chart = drawn(charts.quota_chart(frames))
    line = trace_named(chart.figure, "pressure (mean of 2")
    assert list(line.x) == [1, 2]
    assert list(line.y) == pytest.approx([0.5, (2 / 3 + 0.0) / 2])
    band = trace_named(chart.figure, "pressure 95% band")
    assert list(band.y)[1] == pytest.approx(mean_interval([2 / 3, 0.0]).high)
    assert list(line.customdata) == ["Y1 M1", "Y1 M2"]
    assert chart.figure.layout.yaxis.tickformat == ".0%"
    average = (0.5 + 1 / 3) / 2
    assert chart.takeaway == (
        f"Over 2 monthly reviews, {average:.0%} of pressure's reps were on track to quota; at the last review "
        f"(Y1 M2): pressure {1 / 3:.0%}."
    )


def test_quota_chart_is_left_out_when_no_review_judged_anyone() -> None:
    ramping = [e for e in _QUOTA_EVENTS if e.get("target", 0.0) == 0.0]
    assert charts.quota_chart(tag(metrics.quota_on_track(hand_log(ramping)), "pressure")) is None


# --------------------------------------------------------------------------------------------------------
# One deal's timeline
# --------------------------------------------------------------------------------------------------------


def test_deal_timeline_marks_every_stall_request(log: pl.DataFrame) -> None:
    deal = deal_events(log, 101)
    assert deal is not None
    chart = charts.deal_timeline_chart(deal, "numbers-game")
    total = float(deal["hours"].sum())
    stalled = float(deal.filter(pl.col("kind") == "StallRequested")["hours"].sum())
    days = float(deal["t"].max()) - float(deal["t"].min())  # type: ignore[arg-type]
    assert chart.takeaway == (
        f"Deal 101 (Fortune 1000, no decision) took {total:,.0f} rep hours over {days:,.0f} days, "
        f"{stalled:,.0f} of them on 2 stalling CIO requests that did not move it toward a decision."
    )
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
    assert "no decision" in chart.title and "2 red crosses" in chart.note


def test_deal_timeline_without_stalls_says_so(log: pl.DataFrame) -> None:
    deal = deal_events(log, 100)
    assert deal is not None
    chart = charts.deal_timeline_chart(deal)
    assert not [t for t in chart.figure.data if t.meta == "StallRequested"]
    outcome = next(t for t in chart.figure.data if t.meta == "outcome")
    assert list(outcome.text) == ["WON $18,000"]
    assert "met no stalling CIO" in chart.takeaway


# --------------------------------------------------------------------------------------------------------
# Reputation and hours per won dollar
# --------------------------------------------------------------------------------------------------------


#: The hand log with a reputation that moves: from 0.5 to 0.6 on day 150.
_MOVING = [
    e | {"reputation": 0.6} if e["kind"] == "ReputationChanged" and e["t"] == 150.0 else e for e in _EVENTS
]


def test_reputation_chart_is_the_step_function_of_reputation_changes() -> None:
    path = metrics.reputation_path(hand_log(_MOVING), step_days=30.0)
    assert path["day"].to_list() == [0.0, 30.0, 60.0, 90.0, 120.0, 150.0, 180.0]
    assert path["reputation"].to_list() == [0.5, 0.5, 0.5, 0.5, 0.5, 0.6, 0.6]
    chart = drawn(charts.reputation_chart(tag(path, "help-them-buy")))
    line = trace_named(chart.figure, "help-them-buy")
    assert list(line.y) == pytest.approx(path["reputation"].to_list())
    assert line.line.color == strategy_colour("help-them-buy")
    low, high = chart.figure.layout.yaxis.range
    assert 0.0 <= low < 0.5 and 0.6 < high <= 1.0
    assert (
        chart.takeaway
        == "Over 180 days, the vendor's reputation (0 to 1) rose from 0.50 to 0.60 under help-them-buy."
    )


def test_reputation_chart_is_left_out_when_reputation_is_flat(log: pl.DataFrame) -> None:
    # The hand log's reputation moves by 0.01: within MOVES_BY, so the chart would say nothing.
    path = metrics.reputation_path(log)
    assert float(path["reputation"].max()) - float(path["reputation"].min()) == pytest.approx(0.01)
    assert charts.reputation_chart(tag(path, "pressure")) is None
    # One replication that moves while the other falls back averages out too.
    moving = metrics.reputation_path(hand_log(_MOVING))
    assert charts.reputation_chart(tag(moving, "pressure")) is not None
    assert charts.reputation_moves(tag(moving, "pressure"))


def test_hours_per_dollar_bars_are_the_comparison_table_figures() -> None:
    runs = pl.DataFrame(
        {
            "arm": ["numbers-game"] * 3 + ["qualify-hard"] * 3,
            "replication": [0, 1, 2] * 2,
            "hours_per_won_dollar": [0.010, 0.012, 0.011, 0.004, 0.005, None],
        }
    )
    chart = drawn(charts.hours_per_dollar_chart(runs))
    (bars,) = chart.figure.data
    table = compare_table(runs, ["hours_per_won_dollar"])
    by = {r["arm"]: r for r in table.iter_rows(named=True)}
    assert list(bars.x) == ["numbers-game", "qualify-hard"]
    assert list(bars.y) == pytest.approx([by["numbers-game"]["mean"], by["qualify-hard"]["mean"]])
    upper = [m + e for m, e in zip(bars.y, bars.error_y.array, strict=True)]
    assert upper == pytest.approx([by["numbers-game"]["ci_high"], by["qualify-hard"]["ci_high"]])
    assert list(bars.marker.color) == [strategy_colour("numbers-game"), strategy_colour("qualify-hard")]
    control, other = by["numbers-game"]["mean"], by["qualify-hard"]["mean"]
    assert chart.takeaway == (
        f"numbers-game spent {fmt(control)} selling hours for each $1,000 it booked; qualify-hard {fmt(other)}, "
        f"{abs(other / control - 1):.0%} less."
    )


# --------------------------------------------------------------------------------------------------------
# Every chart
# --------------------------------------------------------------------------------------------------------


def all_charts(log: pl.DataFrame, strategies: tuple[str, ...]) -> list[Chart]:
    runs = pl.DataFrame([{"arm": s, "replication": 0, **metrics.summary(log)} for s in strategies])
    deal = deal_events(log, 101)
    assert deal is not None
    moving = hand_log(_MOVING)

    def each(metric: Any, events: pl.DataFrame = log) -> pl.DataFrame:
        return pl.concat([tag(metric(events), s) for s in strategies])

    return [
        drawn(charts.revenue_chart(each(metrics.revenue_over_time))),
        drawn(charts.waste_chart(charts.hours_from_summaries(runs))),
        drawn(charts.utilisation_chart(each(metrics.utilisation_over_time))),
        drawn(charts.hours_per_dollar_chart(runs)),
        drawn(charts.funnel_chart(each(metrics.funnel_flows))),
        drawn(charts.cycle_chart(each(metrics.cycle_lengths), {"smb": 30})),
        drawn(charts.quota_chart(each(metrics.quota_on_track))),
        drawn(charts.reputation_chart(each(metrics.reputation_path, moving))),
        charts.deal_timeline_chart(deal, strategies[-1]),
    ]


def colours_of(chart: Chart, strategy: str) -> set[str]:
    """Every colour the chart gives to an arm (lines, bars, boxes, titles)."""
    found: set[str] = set()
    for trace in chart.figure.data:
        name = str(trace.name or "")
        if isinstance(trace, go.Bar) and trace.x is not None and strategy in list(trace.x):
            colours = trace.marker.color
            if isinstance(colours, tuple | list):
                found.add(colours[list(trace.x).index(strategy)])
        # Traces of this arm: named after it, or "... · arm" (the deal's hours line).
        if not (name.startswith(strategy) or name.endswith(f"· {strategy}")):
            continue
        if isinstance(trace, go.Scatter) and trace.line.color and trace.mode == "lines":
            found.add(trace.line.color)
        if isinstance(trace, go.Box):
            found.add(trace.line.color)
        if isinstance(trace, go.Bar) and isinstance(trace.marker.color, str):
            found.add(trace.marker.color)
    for annotation in chart.figure.layout.annotations:
        if strategy in str(annotation.text) and annotation.font.color:
            found.add(annotation.font.color)
    return found


def test_an_arm_has_the_same_colour_in_every_chart(log: pl.DataFrame) -> None:
    strategies = ("numbers-game", "qualify-hard")
    every = all_charts(log, strategies)
    for strategy in strategies:
        seen = {chart.key: colours_of(chart, strategy) for chart in every}
        colour = strategy_colour(strategy)
        for key in ("revenue", "utilisation", "hours_per_dollar", "funnel", "cycles", "quota", "reputation"):
            assert seen[key] == {colour}, (strategy, key, seen[key])
    assert colours_of(every[-1], "qualify-hard") == {strategy_colour("qualify-hard")}


def test_preset_colours_are_distinct_and_names_outside_the_presets_are_stable() -> None:
    colours = [strategy_colour(name) for name in PRESETS]
    assert len(set(colours)) == len(colours)
    assert strategy_colour("my-own-mix") == strategy_colour("my-own-mix")
    assert strategy_colour("my-own-mix").startswith("#")


def test_every_chart_asks_a_question_labels_its_axes_and_gives_its_takeaway(log: pl.DataFrame) -> None:
    every = all_charts(log, ("numbers-game", "qualify-hard"))
    assert len({c.key for c in every}) == len(every)
    for chart in every:
        assert chart.title.endswith("?"), chart.title
        # The takeaway: one sentence, with a number, naming an arm; and a note on how to read the chart.
        assert chart.takeaway == chart.caption
        assert chart.caption.endswith(".") and chart.caption.count(". ") == 0, chart.caption
        assert any(c.isdigit() for c in chart.caption), chart.caption
        assert chart.key == "deal" or "numbers-game" in chart.caption or "qualify-hard" in chart.caption
        assert chart.note.endswith("."), chart.key
        layout = chart.figure.layout
        x_titles = [layout[a].title.text for a in layout if a.startswith("xaxis")]
        y_titles = [layout[a].title.text for a in layout if a.startswith("yaxis")]
        assert any(x_titles) and all(y_titles), chart.key
    units = {c.key: str(c.figure.layout.yaxis.title.text) for c in every}
    assert "($)" in units["revenue"] and "%" in units["waste"] and "(days)" in units["cycles"]
    assert "selling hours" in units["utilisation"] and "%" in units["quota"]
    assert "$1,000 (h)" in units["hours_per_dollar"] and "hours" in units["deal"]
    assert "count per run" in str(every[4].figure.layout.xaxis.title.text)


def test_charts_that_would_say_nothing_are_left_out() -> None:
    quiet = hand_log([e for e in _EVENTS if e["kind"] in ("AccountCreated", "RepHired", "RunEnded")])
    assert charts.revenue_chart(tag(metrics.revenue_over_time(quiet), "pressure")) is None
    assert charts.reputation_chart(tag(metrics.reputation_path(quiet), "pressure")) is None
    assert charts.funnel_chart(tag(metrics.funnel_flows(quiet), "pressure")) is None
    assert charts.cycle_chart(tag(metrics.cycle_lengths(quiet), "pressure")) is None
    assert charts.quota_chart(tag(metrics.quota_on_track(quiet), "pressure")) is None
    runs = pl.DataFrame([{"arm": "pressure", "replication": 0, **metrics.summary(quiet)}])
    assert math.isnan(metrics.summary(quiet)["hours_per_won_dollar"])
    assert charts.hours_per_dollar_chart(runs) is None
