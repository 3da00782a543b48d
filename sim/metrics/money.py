"""The money side of a run: what the sales team cost, what its bookings contributed, and when hires paid back.

Every figure is the log (who held a seat when: ``RepHired``/``RepDeparted``; ``CommissionEarned``; ``DealWon``)
priced with cost parameters passed in explicitly (:class:`CostParameters`, read off the resolved scenario
that ran). The log holds what happened, not the price list, so the same stored log can be priced again
under other salaries or margins without running it again.

- **salary cost**: each rep's employed days (hired to departed, or to the horizon) at
  ``annual_base_salary / 365 × (1 + on_cost_rate)`` a day;
- **commission cost**: the sum of ``CommissionEarned`` (``commission_rate`` of each booking, paid to the rep
  holding the seat; a deal signed while the seat is vacant pays none);
- **cost of sales** = salary + commission; its **share** of bookings;
- **contribution** = bookings × ``gross_margin`` − cost of sales: what selling left after delivering what was
  sold and paying the people who sold it;
- **payback** of a planned seat (a hire of ``sales_org.hires``) and of the whole plan: the days from the
  seat's start until the seats' cumulative contribution (their territories' bookings × margin, less the
  salaries and commissions of whoever held them, backfills included) turns non-negative and stays so to the
  horizon; None if it never does within the run. The seats count, not the first person in them: a backfill
  after a departure is a cost the plan caused. It is the seats' own contribution, not the plan's increment
  over not hiring (a planned seat's territory is carved out of the starting team's); for the increment,
  compare the scenario with and without the plan on the same seeds (``salesim compare --arm``).
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from sim.config import Scenario
from sim.metrics.log import Log, horizon, lazy

DAYS_PER_YEAR = 365.0
"""Days a salary is paid over: an annual salary accrues by the calendar day."""


@dataclass(frozen=True, slots=True)
class CostParameters:
    """What the money figures price the log with (``sales_org``'s cost fields, and the plan's seats)."""

    annual_base_salary: float
    on_cost_rate: float
    gross_margin: float
    starting_seats: int
    """Seats of the starting team; seats numbered from here on are the hiring plan's."""
    planned_seats: int = 0
    """Seats the hiring plan adds (0: no plan)."""

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> CostParameters:
        """The cost parameters of a resolved scenario."""
        org = scenario.sales_org
        return cls(
            annual_base_salary=org.annual_base_salary,
            on_cost_rate=org.on_cost_rate,
            gross_margin=org.gross_margin,
            starting_seats=org.reps,
            planned_seats=org.seats - org.reps,
        )

    @property
    def daily_salary_cost(self) -> float:
        """What one employed rep's salary costs the employer per calendar day, on-costs included."""
        return self.annual_base_salary / DAYS_PER_YEAR * (1.0 + self.on_cost_rate)


def employment(events: Log) -> pl.DataFrame:
    """Every rep: seat, day hired, day left (departed, or the horizon) and days employed."""
    lf = lazy(events)
    end = horizon(lf)
    hired = lf.filter(pl.col("kind") == "RepHired").select("rep", "seat", pl.col("t").alias("hired"))
    departed = lf.filter(pl.col("kind") == "RepDeparted").select("rep", pl.col("t").alias("left"))
    return (
        hired.join(departed, on="rep", how="left")
        .with_columns(pl.col("left").fill_null(end))
        .with_columns((pl.col("left") - pl.col("hired")).alias("days"))
        .sort("rep")
        .collect()
    )


def salary_cost(events: Log, costs: CostParameters) -> float:
    """Base salaries and on-costs of every rep for the days they were employed."""
    days = math.fsum(employment(events)["days"].to_list())
    return days * costs.daily_salary_cost


def commission_cost(events: Log) -> float:
    """Commission paid on bookings (``CommissionEarned``)."""
    paid = lazy(events).filter(pl.col("kind") == "CommissionEarned").select("amount").collect()
    return math.fsum(paid["amount"].to_list())


def bookings(events: Log) -> float:
    """Won amounts (``DealWon``), summed exactly (the hand calculation of the tests adds them the same way)."""
    won = lazy(events).filter(pl.col("kind") == "DealWon").select("amount").collect()
    return math.fsum(won["amount"].to_list())


def contribution(booked: float, cost_of_sales: float, gross_margin: float) -> float:
    """What bookings leave after delivery (the gross margin) and after the cost of selling them."""
    return booked * gross_margin - cost_of_sales


def money_figures(events: Log, costs: CostParameters | None) -> dict[str, Any]:
    """The run summary's money figures; without cost parameters only the commission is known (the rest NaN).

    ``plan_payback_days`` and ``plan_paid_back`` (1 or 0) are there only when the scenario has a hiring plan
    (the days are NaN if the plan did not pay back within the run, so a mean over runs needs the share too).
    """
    commission = commission_cost(events)
    if costs is None:
        nan = float("nan")
        return {
            "salary_cost": nan,
            "commission_cost": commission,
            "cost_of_sales": nan,
            "contribution": nan,
            "cost_of_sales_share": nan,
        }
    salary = salary_cost(events, costs)
    cost = salary + commission
    booked = bookings(events)
    out: dict[str, Any] = {
        "salary_cost": salary,
        "commission_cost": commission,
        "cost_of_sales": cost,
        "contribution": contribution(booked, cost, costs.gross_margin),
        "cost_of_sales_share": cost / booked if booked else float("nan"),
    }
    if costs.planned_seats:
        days = plan_payback_days(events, costs)
        out["plan_payback_days"] = float("nan") if days is None else days
        # Over replications, the mean payback counts only the runs that paid back; this says how many did.
        out["plan_paid_back"] = 0.0 if days is None else 1.0
    return out


def _planned(costs: CostParameters) -> range:
    return range(costs.starting_seats, costs.starting_seats + costs.planned_seats)


def payback_days(events: Log, costs: CostParameters, seats: Collection[int]) -> float | None:
    """Days from the seats' first start until their cumulative contribution turns and stays ≥ 0 (None: never).

    The curve falls as salaries accrue and jumps at each win (its margin, less the commission it paid), so it
    can only turn non-negative at a win, and stays so if it is non-negative just before every later win and
    at the horizon.
    """
    lf = lazy(events)
    wanted = list(seats)
    staff = employment(lf).filter(pl.col("seat").is_in(wanted))
    if staff.height == 0:
        return None
    territory = lf.filter((pl.col("kind") == "AccountCreated") & pl.col("seat").is_in(wanted)).select(
        "account"
    )
    won = (
        lf.filter(pl.col("kind") == "DealWon")
        .join(territory, on="account", how="semi")
        .select("t", (pl.col("amount") * costs.gross_margin).alias("cash"))
    )
    paid = (
        lf.filter(pl.col("kind") == "CommissionEarned")
        .join(staff.lazy().select("rep"), on="rep", how="semi")
        .select("t", (-pl.col("amount")).alias("cash"))
    )
    jumps = pl.concat([won, paid]).group_by("t").agg(pl.col("cash").sum()).sort("t").collect()
    start = float(staff["hired"].min())  # type: ignore[arg-type]
    end = horizon(lf)
    times = np.asarray([*jumps["t"].to_list(), end], dtype=float)
    cash = np.asarray([*jumps["cash"].to_list(), 0.0], dtype=float)
    hired = staff["hired"].to_numpy()
    left = staff["left"].to_numpy()
    accrued = np.clip(times[:, None] - hired, 0.0, left - hired).sum(axis=1) * costs.daily_salary_cost
    before = np.concatenate([[0.0], np.cumsum(cash)[:-1]]) - accrued  # just before each jump, and at the end
    if before[-1] < 0:
        return None
    short = np.flatnonzero(before[:-1] < 0)
    paid_back = start if short.size == 0 else float(times[short[-1]])
    return paid_back - start


def hire_paybacks(events: Log, costs: CostParameters) -> pl.DataFrame:
    """Each seat of the hiring plan: its start day and its payback in days (null if not within the run)."""
    staff = employment(events)
    rows = []
    for seat in _planned(costs):
        mine = staff.filter(pl.col("seat") == seat)
        start = float(mine["hired"].min()) if mine.height else None  # type: ignore[arg-type]
        rows.append({"seat": seat, "start": start, "payback_days": payback_days(events, costs, [seat])})
    return pl.DataFrame(rows, schema={"seat": pl.Int64, "start": pl.Float64, "payback_days": pl.Float64})


def plan_payback_days(events: Log, costs: CostParameters) -> float | None:
    """Days from the plan's first start until its seats together have paid back (None: not within the run)."""
    if not costs.planned_seats:
        return None
    return payback_days(events, costs, _planned(costs))
