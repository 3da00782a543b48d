"""A hiring plan (``sales_org.hires``) adds seats whose reps start on the planned day, ramping like a
replacement; their territories wait for them; bad plans are one-line errors; the resolved scenario file
writes the plan back as a list of tables; a what-if comparison prices the plan with intervals."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from conftest import small_scenario

import sim
from sim.config import ScenarioError, load_scenario, scenario_to_toml
from sim.study.comparison import compare, compare_table

PLAN = "sales_org.hires=[{day = 120, reps = 3}]"


@pytest.fixture(scope="module")
def planned() -> pl.DataFrame:
    """A small four-rep market with three more reps starting on day 120 (turnover off, so hires are the plan's)."""
    return sim.run(small_scenario(PLAN, "mechanisms.turnover=false"), seed=1).events


def test_the_plan_hires_its_reps_on_the_planned_day_after_the_starting_team(planned: pl.DataFrame) -> None:
    hired = planned.filter(pl.col("kind") == "RepHired").sort("seat")
    assert hired.select("t", "seat", "capacity").rows() == [
        (0.0, 0, 1.0),
        (0.0, 1, 1.0),
        (0.0, 2, 1.0),
        (0.0, 3, 1.0),
        (120.0, 4, 0.25),  # ramp_start_capacity, like a replacement
        (120.0, 5, 0.25),
        (120.0, 6, 0.25),
    ]


def test_a_planned_territory_is_dealt_from_day_0_and_left_alone_until_its_rep_starts(
    planned: pl.DataFrame,
) -> None:
    accounts = planned.filter(pl.col("kind") == "AccountCreated")
    assert sorted(accounts["seat"].unique().to_list()) == list(range(7))
    waiting = accounts.filter(pl.col("seat") >= 4)["account"]
    seller_side = planned.filter(
        pl.col("account").is_in(waiting.implode())
        & (pl.col("rep").is_not_null() | pl.col("opp").is_not_null() | pl.col("contact").is_not_null())
    )
    assert seller_side.height > 0, "the new reps should work their territories"
    assert seller_side["t"].min() >= 120.0
    planned_reps = planned.filter((pl.col("kind") == "RepHired") & (pl.col("seat") >= 4))["rep"]
    theirs = planned.filter(pl.col("rep").is_in(planned_reps.implode()))
    assert theirs["t"].min() == 120.0
    # Leadership's monthly review covers the new reps once they hold a seat (every loop over seats does).
    reviewed = theirs.filter(pl.col("kind") == "QuotaReviewed")
    assert reviewed.height > 0 and reviewed["t"].min() > 120.0


def test_a_hire_on_day_0_starts_ramping_at_once_and_seats_keep_turning_over() -> None:
    events = sim.run(small_scenario("sales_org.hires=[{day = 0, reps = 1}, {day = 200, reps = 1}]"), 1).events
    first = events.filter((pl.col("kind") == "RepHired") & (pl.col("seat") >= 4)).sort("t")
    assert first.group_by("seat").agg(pl.col("t").min()).sort("seat").rows() == [(4, 0.0), (5, 200.0)]
    assert set(first["capacity"].to_list()) == {0.25}


@pytest.mark.parametrize(
    ("plan", "says"),
    [
        ("[{day = -1, reps = 3}]", "sales_org.hires[0].day: Input should be greater than or equal to 0"),
        ("[{day = 365, reps = 3}]", "sales_org: hires[0].day: day 365 is not before horizon_days (365)"),
        ("[{day = 10, reps = 1}, {day = 900, reps = 1}]", "hires[1].day: day 900 is not before horizon_days"),
        ("[{day = 120, reps = 0}]", "sales_org.hires[0].reps: Input should be greater than or equal to 1"),
        (
            "[{day = 120, reps = 3, cost = 9}]",
            "sales_org.hires[0].cost: unknown field; allowed here: day, reps",
        ),
        ("[{reps = 3}]", "sales_org.hires[0].day: Field required"),
        ("[{day = 1, reps = 4999}]", "sales_org: reps plus hires make 5,003 seats; at most 5,000"),
    ],
)
def test_a_bad_plan_is_one_line_naming_the_field(plan: str, says: str) -> None:
    with pytest.raises(ScenarioError) as error:
        small_scenario(f"sales_org.hires={plan}")
    message = str(error.value)
    assert says in message
    assert "\n" not in message


def test_the_resolved_scenario_file_writes_the_plan_as_a_list_of_tables(tmp_path: Path) -> None:
    scenario = small_scenario("sales_org.hires=[{day = 120, reps = 3}, {day = 200.5, reps = 1}]")
    text = scenario_to_toml(scenario)
    assert text.count("[[sales_org.hires]]") == 2
    written = tmp_path / "scenario.toml"
    written.write_text(text, encoding="utf-8")
    assert load_scenario(written) == scenario
    # And through a run directory, as `salesim run` stores it.
    stored = sim.load_run(
        sim.save_run(sim.run(scenario.model_copy(update={"horizon_days": 30.0 * 7})), tmp_path / "run")
    )
    assert stored.scenario.sales_org.hires == scenario.sales_org.hires
    # A scenario without a plan writes an empty list, which reads back too.
    plain = small_scenario()
    assert "hires = []" in scenario_to_toml(plain)
    (tmp_path / "plain.toml").write_text(scenario_to_toml(plain), encoding="utf-8")
    assert load_scenario(tmp_path / "plain.toml") == plain


def test_a_what_if_comparison_prices_the_plan_with_intervals() -> None:
    base = small_scenario("horizon_days=300")
    runs = compare(base, ["now=numbers-game", f"hire=numbers-game:{PLAN}"], replications=3, workers=1)
    table = compare_table(runs)
    rows = {(r["metric"], r["arm"]): r for r in table.iter_rows(named=True)}
    for metric in ("cost_of_sales", "contribution", "cost_of_sales_share"):
        for arm in ("now", "hire"):
            row = rows[(metric, arm)]
            assert row["n"] == 3 and row["ci_low"] <= row["mean"] <= row["ci_high"]
    assert rows[("cost_of_sales", "hire")]["diff"] > 0  # three more salaries
    assert rows[("plan_payback_days", "now")]["n"] == 0  # no plan, no payback
    assert ("plan_payback_days", "hire") in rows
