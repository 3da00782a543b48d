"""The money figures equal a hand calculation from the log's events and the scenario's cost parameters.

A tiny market (two SMB-only reps, no turnover, one planned hire) is priced by hand: salaries from the
``RepHired`` days to the horizon, commission from ``CommissionEarned``, bookings from ``DealWon``, and the
payback of the planned seat by walking its cash events in time order. The metric functions must agree.
"""

from __future__ import annotations

import functools
import math

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim import metrics
from sim.config import Scenario, load_scenario
from sim.metrics.money import CostParameters, money_figures

TINY: tuple[str, ...] = (
    "horizon_days=300",
    "market.smb.accounts=120",
    "market.mid_market.accounts=0",
    "market.f1000.accounts=0",
    "sales_org.reps=2",
    "mechanisms.turnover=false",
    "sales_org.annual_base_salary=20000",
    "sales_org.on_cost_rate=0.25",
    "sales_org.gross_margin=0.4",
    "sales_org.hires=[{day = 40, reps = 1}]",
)
"""Two reps and one hire on day 40 selling to 120 small accounts for 300 days; a salary low enough that the
hire pays back within the run."""


@functools.cache
def _tiny() -> tuple[Scenario, pl.DataFrame]:
    """The tiny run, made once (the property test cannot take a fixture: hypothesis reruns the function)."""
    scenario = load_scenario("baseline", TINY)
    return scenario, sim.run(scenario, seed=3).events


@pytest.fixture
def tiny() -> tuple[Scenario, pl.DataFrame]:
    return _tiny()


def _hand_salary(events: pl.DataFrame, salary: float, on_cost: float, horizon: float) -> float:
    hired = events.filter(pl.col("kind") == "RepHired")["t"].to_list()
    return sum((horizon - t) * salary / 365.0 * (1.0 + on_cost) for t in hired)


def test_money_figures_equal_the_hand_calculation(tiny: tuple[Scenario, pl.DataFrame]) -> None:
    scenario, events = tiny
    org = scenario.sales_org
    assert events.filter(pl.col("kind") == "RepDeparted").height == 0  # turnover is off
    salary = _hand_salary(events, 20_000.0, 0.25, 300.0)
    assert salary == pytest.approx((300 + 300 + 260) * 20_000 / 365 * 1.25)  # two from day 0, one from day 40
    won = events.filter(pl.col("kind") == "DealWon")
    booked = sum(won["amount"].to_list())
    commission = sum(events.filter(pl.col("kind") == "CommissionEarned")["amount"].to_list())
    # Commission is the rate on every deal signed by a seated rep (to the cent).
    signed = won.filter(pl.col("rep").is_not_null())["amount"].to_list()
    assert commission == pytest.approx(sum(round(a * org.commission_rate, 2) for a in signed))
    assert won.height >= 5, "the tiny market should win a handful of deals"

    costs = CostParameters.from_scenario(scenario)
    assert metrics.salary_cost(events, costs) == pytest.approx(salary, rel=1e-12)
    assert metrics.commission_cost(events) == pytest.approx(commission, rel=1e-12)
    summary = sim.run(scenario, seed=3).summary()
    assert summary["salary_cost"] == pytest.approx(salary, rel=1e-9)
    assert summary["commission_cost"] == pytest.approx(commission, rel=1e-9)
    assert summary["cost_of_sales"] == pytest.approx(salary + commission, rel=1e-9)
    assert summary["contribution"] == pytest.approx(0.4 * booked - salary - commission, rel=1e-9)
    assert summary["cost_of_sales_share"] == pytest.approx((salary + commission) / booked, rel=1e-9)


def _hand_payback(
    events: pl.DataFrame, seat: int, daily: float, margin: float, horizon: float
) -> float | None:
    """Walk the seat's cash events in time order: the day its running contribution last turns non-negative,
    if it is still non-negative at every later event and at the horizon."""
    reps = events.filter((pl.col("kind") == "RepHired") & (pl.col("seat") == seat))
    start = min(reps["t"].to_list())
    mine = set(reps["rep"].to_list())
    accounts = set(
        events.filter((pl.col("kind") == "AccountCreated") & (pl.col("seat") == seat))["account"].to_list()
    )
    cash: list[tuple[float, float]] = []
    for t, kind, rep, account, amount in events.select("t", "kind", "rep", "account", "amount").iter_rows():
        if kind == "DealWon" and account in accounts:
            cash.append((t, margin * amount))
        elif kind == "CommissionEarned" and rep in mine:
            cash.append((t, -amount))

    def value(at: float, inclusive: bool) -> float:  # no turnover: every rep stays to the horizon
        got = sum(c for t, c in cash if t < at or (inclusive and t == at))
        return got - daily * (at - start)

    times = sorted({t for t, _ in cash})
    if value(horizon, True) < 0:
        return None
    paid_back = start
    for t in times:
        if value(t, False) < 0:
            paid_back = t
    return paid_back - start


def test_payback_of_a_hire_and_of_the_plan_equal_the_hand_calculation(
    tiny: tuple[Scenario, pl.DataFrame],
) -> None:
    scenario, events = tiny
    costs = CostParameters.from_scenario(scenario)
    assert (costs.starting_seats, costs.planned_seats) == (2, 1)
    hand = _hand_payback(events, 2, costs.daily_salary_cost, 0.4, 300.0)
    assert hand is not None, "the hire should pay back in the tiny market"
    table = metrics.hire_paybacks(events, costs)
    assert table.to_dicts() == [{"seat": 2, "start": 40.0, "payback_days": pytest.approx(hand)}]
    assert metrics.plan_payback_days(events, costs) == pytest.approx(hand)  # a plan of one seat
    assert sim.run(scenario, seed=3).summary()["plan_payback_days"] == pytest.approx(hand)
    # A salary no territory can carry never pays back within the run.
    dear = CostParameters(10_000_000.0, 0.0, 0.4, starting_seats=2, planned_seats=1)
    assert metrics.plan_payback_days(events, dear) is None
    assert math.isnan(money_figures(events, dear)["plan_payback_days"])


def test_a_run_without_a_plan_has_no_payback_figure(tiny: tuple[Scenario, pl.DataFrame]) -> None:
    scenario, events = tiny
    costs = CostParameters.from_scenario(
        scenario.model_copy(update={"sales_org": scenario.sales_org.model_copy(update={"hires": ()})})
    )
    assert "plan_payback_days" not in money_figures(events, costs)
    assert metrics.plan_payback_days(events, costs) is None
    # Without cost parameters (a caller that has only the log) the priced figures are NaN, the rest known.
    unpriced = metrics.summary(events)
    assert math.isnan(unpriced["salary_cost"]) and math.isnan(unpriced["contribution"])
    assert unpriced["commission_cost"] == pytest.approx(metrics.commission_cost(events))


@settings(max_examples=50, deadline=None)
@given(
    salary=st.floats(0.0, 1e6),
    on_cost=st.floats(0.0, 5.0),
    margin=st.floats(0.0, 1.0),
)
def test_cost_of_sales_and_contribution_add_up(salary: float, on_cost: float, margin: float) -> None:
    events = _tiny()[1]
    costs = CostParameters(salary, on_cost, margin, starting_seats=2, planned_seats=1)
    figures = money_figures(events, costs)
    booked = metrics.revenue(events)
    assert figures["cost_of_sales"] == pytest.approx(figures["salary_cost"] + figures["commission_cost"])
    assert figures["contribution"] == pytest.approx(margin * booked - figures["cost_of_sales"], abs=1e-6)
    assert figures["cost_of_sales_share"] == pytest.approx(figures["cost_of_sales"] / booked)
    assert figures["salary_cost"] >= 0 and figures["commission_cost"] >= 0
