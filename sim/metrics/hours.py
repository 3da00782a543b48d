"""Rep hours: selling against admin, and each wasted hour with its cause.

An hour is *wasted* when it went to a contact that never became an opportunity, a stalling CIO's request,
procurement rework, or an opportunity that ended without a win; *productive* when its opportunity was won;
*open* when its opportunity was still open at the end of the run.
"""

from __future__ import annotations

import polars as pl

from sim.metrics.log import Log, lazy
from sim.metrics.opportunities import opportunities

WASTE_CAUSES: tuple[str, ...] = (
    "unqualified contacts",
    "stall requests",
    "no decision",
    "lost",
    "procurement rework",
    "late walk-away",
)
"""Causes of wasted hours, in the order charts stack them."""

_REWORK_KINDS = ("CapitalApprovalFellShort", "PressureDetected")
_PROSPECTING_KINDS = ("ContactMade", "MeetingHeld")


def waste_cause_key(cause: str) -> str:
    """The ``summary.json`` / ``runs.parquet`` column of a waste cause (``wasted_stall_requests``)."""
    return "wasted_" + cause.replace(" ", "_").replace("-", "_")


def hours_by_activity(events: Log) -> pl.DataFrame:
    """Every hour-bearing event with its cause of waste (null when productive), for the waste chart."""
    lf = lazy(events)
    outcome = opportunities(lf).select("opp", "outcome").lazy()
    contacts_opened = lf.filter(pl.col("kind") == "OpportunityOpened").select(
        "contact", pl.lit(True).alias("opened_opp")
    )
    activity = pl.when(pl.col("kind") == "WorkLogged").then(pl.col("reason")).otherwise(pl.col("kind"))
    hours = (
        lf.filter(pl.col("hours").is_not_null() & (pl.col("kind") != "AdminHoursLogged"))
        .select("t", "rep", "opp", "contact", "hours", activity.alias("activity"))
        .join(outcome, on="opp", how="left")
        .join(contacts_opened, on="contact", how="left")
    )
    cause = (
        pl.when(pl.col("activity").is_in(_PROSPECTING_KINDS) & pl.col("opened_opp").is_null())
        .then(pl.lit("unqualified contacts"))
        .when(pl.col("activity") == "StallRequested")
        .then(pl.lit("stall requests"))
        .when(pl.col("activity").is_in(_REWORK_KINDS))
        .then(pl.lit("procurement rework"))
        .when(pl.col("outcome") == "no_decision")
        .then(pl.lit("no decision"))
        .when(pl.col("outcome") == "lost")
        .then(pl.lit("lost"))
        .when(pl.col("outcome") == "walked_away")
        .then(pl.lit("late walk-away"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
    status = (
        pl.when(cause.is_not_null())
        .then(pl.lit("wasted"))
        .when(pl.col("outcome") == "open")
        .then(pl.lit("open"))
        .otherwise(pl.lit("productive"))
    )
    return hours.with_columns(cause.alias("cause"), status.alias("status")).collect()


def wasted_hours_by_cause(events: Log) -> pl.DataFrame:
    """Wasted selling hours by cause (every cause listed, zero when absent)."""
    wasted = (
        hours_by_activity(events)
        .filter(pl.col("status") == "wasted")
        .group_by("cause")
        .agg(pl.col("hours").sum())
    )
    grid = pl.DataFrame({"cause": list(WASTE_CAUSES)})
    return grid.join(wasted, on="cause", how="left").with_columns(pl.col("hours").fill_null(0.0))


def hours_summary(events: Log) -> dict[str, float]:
    """Selling, admin, wasted, productive and still-open hours, and the share of hours spent selling."""
    lf = lazy(events)
    admin = (
        lf.filter(pl.col("kind") == "AdminHoursLogged").select(pl.col("hours").sum()).collect().item() or 0.0
    )
    by_status = hours_by_activity(lf).group_by("status").agg(pl.col("hours").sum())
    get = dict(zip(by_status["status"].to_list(), by_status["hours"].to_list(), strict=True))
    selling = sum(get.values())
    total = selling + admin
    return {
        "selling_hours": selling,
        "admin_hours": admin,
        "wasted_hours": get.get("wasted", 0.0),
        "productive_hours": get.get("productive", 0.0),
        "open_hours": get.get("open", 0.0),
        "selling_share": selling / total if total else 0.0,
        "wasted_share": get.get("wasted", 0.0) / selling if selling else 0.0,
    }
