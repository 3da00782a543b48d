"""The quota calendar: the warm-up, quota years and quarters laid over a run from its log; bookings per quarter
and per quota year; the monthly forecast beside what closed; and the two charts drawn from them."""

from __future__ import annotations

import math
import statistics
from typing import Any

import polars as pl
import pytest
from conftest import small_scenario

from sim import metrics
from sim.config import load_scenario
from sim.core.events import SCHEMA
from sim.engine import simulate
from sim.study.arms import arm_scenario, parse_arm
from sim.study.stats import mean_interval
from sim.viz import charts
from sim.viz.charts.forecast import times
from sim.viz.charts.quarters import money

SMALL_FULL = (
    "market.smb.accounts=300",
    "market.mid_market.accounts=100",
    "market.f1000.accounts=40",
    "sales_org.reps=4",
)
"""The baseline shrunk to four reps, over its full horizon (1095 days: warm-up, two quota years and a bit)."""

ARMS = ("numbers-game", "qualify-hard")
SEEDS = (1, 2)


@pytest.fixture(scope="module")
def runs() -> dict[tuple[str, int], pl.DataFrame]:
    """Two strategies on two seeds of the small full-horizon baseline: (arm, replication) -> event log."""
    scenario = load_scenario("baseline", list(SMALL_FULL))
    out = {}
    for arm in ARMS:
        arm_sc = arm_scenario(scenario, parse_arm(arm))
        for replication, seed in enumerate(SEEDS):
            out[arm, replication] = simulate(arm_sc, seed)[0]
    return out


@pytest.fixture(scope="module")
def log(runs: dict[tuple[str, int], pl.DataFrame]) -> pl.DataFrame:
    return runs["numbers-game", 0]


def _log(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """A hand-written log with the real schema."""
    return pl.DataFrame(rows, schema={k: v for k, v in SCHEMA.items() if k != "seq"}, orient="row")


def _won(t: float, amount: float) -> dict[str, Any]:
    return {"t": t, "kind": "DealWon", "amount": amount}


# A quota clock starting on day 100 with 10-day months (quarters of 30 days, years of 120), ending on day 415.
_HAND = [
    _won(5.0, 1.0),
    _won(99.0, 2.0),
    {"t": 100.0, "kind": "QuotaYearStarted", "rep": 0},
    _won(100.0, 4.0),  # first instant of Y1 Q1
    {"t": 110.0, "kind": "ForecastCommitted", "amount": 50.0, "day": 120.0},
    _won(115.0, 8.0),
    {"t": 120.0, "kind": "ForecastCommitted", "amount": 30.0, "day": 130.0},
    _won(130.0, 16.0),  # first instant of Y1 Q2
    {"t": 130.0, "kind": "ForecastCommitted", "amount": 0.0, "day": 140.0},
    {"t": 140.0, "kind": "ForecastCommitted", "amount": 0.0, "day": 150.0},
    {"t": 220.0, "kind": "QuotaYearStarted", "rep": 0},
    _won(239.0, 32.0),  # Y2 Q1
    {"t": 390.0, "kind": "ForecastCommitted", "amount": 70.0, "day": 400.0},
    {"t": 400.0, "kind": "ForecastCommitted", "amount": 10.0, "day": 410.0},
    _won(405.0, 64.0),  # Y3 Q3, cut by the horizon
    {"t": 410.0, "kind": "ForecastCommitted", "amount": 20.0, "day": 420.0},
    {"t": 415.0, "kind": "RunEnded", "day": 415.0},
]


def test_the_clock_is_read_from_the_log_and_matches_the_scenario(log: pl.DataFrame) -> None:
    org = small_scenario().sales_org
    clock = metrics.quota_clock(log)
    assert clock.start == org.quota_start_day == 180.0
    assert clock.month == pytest.approx(org.review_period_days)
    assert clock.horizon == 1095.0
    # Every quota year starts where the model started one (QuotaYearStarted), and nowhere else.
    started = sorted(set(log.filter(pl.col("kind") == "QuotaYearStarted")["t"].to_list()))
    years = metrics.quota_calendar(log, "year").filter(pl.col("year") > 0)
    assert years["start_day"].to_list() == pytest.approx(started)
    assert years["label"].to_list() == ["Y1", "Y2", "Y3"]


def test_quarter_boundaries_step_from_quota_start_day() -> None:
    events, _ = simulate(load_scenario("baseline", [*SMALL_FULL, "sales_org.quota_start_day=90"]), 1)
    quarters = metrics.quota_calendar(events, "quarter")
    warm, rest = quarters.row(0, named=True), quarters.filter(pl.col("year") > 0)
    assert (warm["label"], warm["start_day"], warm["end_day"]) == ("warm-up", 0.0, 90.0)
    k = rest.height
    assert rest["start_day"].to_list() == pytest.approx([90.0 + i * 3 * 30.4 for i in range(k)])
    assert rest["label"].to_list()[:6] == ["Y1 Q1", "Y1 Q2", "Y1 Q3", "Y1 Q4", "Y2 Q1", "Y2 Q2"]
    # Quarters tile the run: each ends where the next starts, the last where the run does.
    assert rest["end_day"].to_list()[:-1] == pytest.approx(rest["start_day"].to_list()[1:])
    assert rest["end_day"][-1] == 1095.0 and rest["start_day"][-1] < 1095.0 <= rest["start_day"][-1] + 91.2
    # The same calendar when the start is given instead of read.
    assert metrics.quota_calendar(events, "quarter", quota_start_day=90.0).equals(quarters)


def test_hand_log_calendar_and_bookings() -> None:
    events = _log(_HAND)
    quarters = metrics.bookings_by_quarter(events)
    assert quarters["label"].to_list() == [
        "warm-up",
        *(f"Y{y} Q{q}" for y in (1, 2) for q in (1, 2, 3, 4)),
        "Y3 Q1",
        "Y3 Q2",
        "Y3 Q3",
    ]
    assert quarters["start_day"].to_list() == pytest.approx([0.0, *(100.0 + 30 * i for i in range(11))])
    by_label = {r["label"]: r for r in quarters.iter_rows(named=True)}
    assert by_label["warm-up"]["bookings"] == 3.0 and by_label["warm-up"]["deals_won"] == 2
    assert by_label["Y1 Q1"]["bookings"] == 12.0 and by_label["Y1 Q1"]["deals_won"] == 2
    assert by_label["Y1 Q2"]["bookings"] == 16.0
    assert by_label["Y2 Q1"]["bookings"] == 32.0
    assert (by_label["Y3 Q3"]["bookings"], by_label["Y3 Q3"]["complete"]) == (64.0, False)
    assert (by_label["Y3 Q3"]["end_day"], by_label["Y3 Q3"]["days"]) == (415.0, pytest.approx(15.0))
    assert quarters.filter(pl.col("label") != "Y3 Q3")["complete"].all()
    years = metrics.bookings_by_quota_year(events)
    assert years["label"].to_list() == ["warm-up", "Y1", "Y2", "Y3"]
    assert years["bookings"].to_list() == [3.0, 28.0, 32.0, 64.0]
    assert years["complete"].to_list() == [True, True, True, False]


def test_a_horizon_on_a_quarter_boundary_leaves_no_partial_quarter() -> None:
    events = _log([*_HAND[:-3], {"t": 400.0, "kind": "RunEnded", "day": 400.0}])
    quarters = metrics.bookings_by_quarter(events)
    assert quarters["label"][-1] == "Y3 Q2"
    assert quarters["complete"].all()


def test_a_run_inside_the_warm_up_is_all_warm_up() -> None:
    events = _log([_won(5.0, 1.0), {"t": 50.0, "kind": "RunEnded", "day": 50.0}])
    quarters = metrics.bookings_by_quarter(events, quota_start_day=100.0)
    assert quarters.select("label", "end_day", "complete", "bookings").rows() == [
        ("warm-up", 50.0, False, 1.0)
    ]


def test_quarters_sum_to_the_bookings_after_the_warm_up(runs: dict[tuple[str, int], pl.DataFrame]) -> None:
    for events in runs.values():
        start = metrics.quota_clock(events).start
        won = events.filter(pl.col("kind") == "DealWon")
        after = won.filter(pl.col("t") >= start)
        quarters = metrics.bookings_by_quarter(events)
        warm = quarters.filter(pl.col("label") == "warm-up")
        assert warm["bookings"].item() == pytest.approx(won.filter(pl.col("t") < start)["amount"].sum())
        assert warm["deals_won"].item() == won.height - after.height
        rest = quarters.filter(pl.col("year") > 0)
        assert rest["bookings"].sum() == pytest.approx(after["amount"].sum())
        assert rest["deals_won"].sum() == after.height
        assert quarters["bookings"].sum() == pytest.approx(metrics.revenue(events))
        # A quota year is its four quarters.
        years = metrics.bookings_by_quota_year(events).filter(pl.col("year") > 0)
        per_year = rest.group_by("year").agg(pl.col("bookings").sum()).sort("year")
        assert years["bookings"].to_list() == pytest.approx(per_year["bookings"].to_list())


def test_the_last_quarter_cut_by_the_horizon_is_flagged(log: pl.DataFrame) -> None:
    quarters = metrics.bookings_by_quarter(log).filter(pl.col("year") > 0)
    # 1095 = 180 + 10 quarters of 91.2 days + 3 days: Y3 Q3 is three days long.
    assert quarters.height == 11
    last = quarters.row(-1, named=True)
    assert (last["label"], last["complete"]) == ("Y3 Q3", False)
    assert last["days"] == pytest.approx(3.0) and last["full_days"] == pytest.approx(91.2)
    assert quarters.head(10)["complete"].all()
    years = metrics.bookings_by_quota_year(log).filter(pl.col("year") > 0)
    assert years["complete"].to_list() == [True, True, False]


def test_monthly_forecast_matches_a_hand_computation_from_the_log(log: pl.DataFrame) -> None:
    table = metrics.forecast_vs_actual_by_month(log)
    commits = log.filter(pl.col("kind") == "ForecastCommitted").sort("seq")
    won = log.filter(pl.col("kind") == "DealWon").select("t", "amount").rows()
    assert table.height == commits.height > 0
    for row, commit in zip(table.iter_rows(named=True), commits.iter_rows(named=True), strict=True):
        actual = sum(a for t, a in won if commit["t"] <= t < commit["day"])
        index = round((commit["t"] - 180.0) / 30.4)
        assert row["label"] == f"Y{index // 12 + 1} M{index % 12 + 1}"
        assert (row["start_day"], row["end_day"]) == (commit["t"], commit["day"])
        assert row["forecast"] == commit["amount"]
        assert row["actual"] == pytest.approx(actual)
        expected = commit["amount"] / actual if actual else (math.inf if commit["amount"] else None)
        assert row["ratio"] == pytest.approx(expected) if expected is not None else row["ratio"] is None
        assert row["complete"] == (commit["day"] <= 1095.0)
    # The first forecast is committed at the first review, for the second month of Y1; only the last is cut.
    assert table["label"][0] == "Y1 M2"
    assert table["complete"].to_list() == [True] * (table.height - 1) + [False]


def test_hand_log_forecast_ratios() -> None:
    table = metrics.forecast_vs_actual_by_month(_log(_HAND))
    assert table["label"].to_list() == ["Y1 M2", "Y1 M3", "Y1 M4", "Y1 M5", "Y3 M6", "Y3 M7", "Y3 M8"]
    assert table["forecast"].to_list() == [50.0, 30.0, 0.0, 0.0, 70.0, 10.0, 20.0]
    assert table["actual"].to_list() == [8.0, 0.0, 16.0, 0.0, 0.0, 64.0, 0.0]
    # Nothing closed against a forecast: infinite; nothing forecast and nothing closed: no ratio.
    assert table["ratio"].to_list() == [50.0 / 8.0, math.inf, 0.0, None, math.inf, 10.0 / 64.0, math.inf]
    # The month the horizon (day 415) cuts is marked.
    assert table["complete"].to_list() == [True] * 6 + [False]


# --------------------------------------------------------------------------------------------------------
# Charts
# --------------------------------------------------------------------------------------------------------


def _tagged(runs: dict[tuple[str, int], pl.DataFrame], metric: Any) -> pl.DataFrame:
    return pl.concat([charts.tag(metric(events), arm, rep) for (arm, rep), events in runs.items()])


def test_bookings_by_quarter_chart(runs: dict[tuple[str, int], pl.DataFrame]) -> None:
    frames = _tagged(runs, metrics.bookings_by_quarter)
    chart = charts.bookings_by_quarter_chart(frames)
    assert chart.title.endswith("?")
    bars = [t for t in chart.figure.data if t.type == "bar"]
    assert [t.name.split(" ")[0] for t in bars] == list(ARMS)
    labels = [f"Y{y} Q{q}" for y in (1, 2) for q in (1, 2, 3, 4)] + ["Y3 Q1", "Y3 Q2", "Y3 Q3"]
    quarters = frames.filter(pl.col("year") > 0)
    for arm, bar in zip(ARMS, bars, strict=True):
        assert list(bar.x) == labels  # the warm-up is not a bar
        for label, y, plus, minus in zip(
            labels, bar.y, bar.error_y.array, bar.error_y.arrayminus, strict=True
        ):
            values = quarters.filter((pl.col("arm") == arm) & (pl.col("label") == label))["bookings"]
            interval = mean_interval(values.to_list())
            assert y == pytest.approx(interval.mean)
            assert y + plus == pytest.approx(interval.high)
            assert y - minus == pytest.approx(max(0.0, interval.low))
        # Only the partial quarter is hatched, and its tick says so.
        assert list(bar.marker.pattern.shape) == [""] * 10 + ["/"]
    ticks = list(chart.figure.layout.xaxis.ticktext)
    assert ticks[:-1] == labels[:-1] and ticks[-1] == "Y3 Q3<br>(3 of 91 d)"
    assert "$" in chart.figure.layout.yaxis.title.text
    # The takeaway's numbers are the data's.
    complete = quarters.filter(pl.col("complete"))
    mean = {arm: complete.filter(pl.col("arm") == arm)["bookings"].mean() for arm in ARMS}
    change = mean["qualify-hard"] / mean["numbers-game"] - 1
    warm = {
        arm: frames.filter((pl.col("arm") == arm) & (pl.col("year") == 0))["bookings"].mean() for arm in ARMS
    }
    assert chart.caption.startswith("Over 10 complete quarters, ")
    assert f"numbers-game booked {money(mean['numbers-game'])} a quarter" in chart.caption
    word = "more" if change >= 0 else "less"
    assert f"qualify-hard {money(mean['qualify-hard'])} ({abs(change):.0%} {word})" in chart.caption
    assert f"180-day warm-up before Y1 ({money(warm['numbers-game'])} for numbers-game" in chart.caption


def test_forecast_vs_actual_chart(runs: dict[tuple[str, int], pl.DataFrame]) -> None:
    frames = _tagged(runs, metrics.forecast_vs_actual_by_month)
    chart = charts.forecast_vs_actual_chart(frames)
    assert chart.title.endswith("?")
    lines = [t for t in chart.figure.data if t.mode == "lines"]
    bands = [t for t in chart.figure.data if t.fill == "toself"]
    assert [t.name.split(" (")[0] for t in lines] == [
        "numbers-game: forecast",
        "qualify-hard: forecast",
        "numbers-game: closed",
        "qualify-hard: closed",
    ]
    assert [t.line.dash for t in lines] == ["dash", "dash", "solid", "solid"]
    assert len(bands) == 4  # two replications: every line has its 95% band
    complete = frames.filter(pl.col("complete"))
    for line in lines:
        arm, what = line.name.split(" (")[0].split(": ")
        column = "forecast" if what == "forecast" else "actual"
        part = complete.filter(pl.col("arm") == arm)
        assert list(line.customdata) == [f"Y{(m - 1) // 12 + 1} M{(m - 1) % 12 + 1}" for m in line.x]
        assert line.x[0] == 2 and len(line.x) == part["label"].n_unique()  # the cut last month is left out
        for label, y in zip(line.customdata, line.y, strict=True):
            values = part.filter(pl.col("label") == label)[column].to_list()
            assert y == pytest.approx(statistics.mean(values))
    # The takeaway's ratio is the median of forecast / actual over complete months and runs, a month that
    # closed nothing against a forecast counting as infinite.
    medians = {}
    for arm in ARMS:
        ratios = []
        for row in complete.filter(pl.col("arm") == arm).iter_rows(named=True):
            if row["actual"] > 0:
                ratios.append(row["forecast"] / row["actual"])
            elif row["forecast"] > 0:
                ratios.append(math.inf)
        medians[arm] = statistics.median(ratios)
        assert medians[arm] > 1  # the forecast's optimism
    assert chart.caption.startswith(
        f"Month by month, numbers-game's forecast ran a median {times(medians['numbers-game'])} what actually "
        f"closed (qualify-hard {times(medians['qualify-hard'])})"
    )
