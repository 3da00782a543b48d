"""Every figure a user sees, as a pure function of the event log (polars in, polars or numbers out).

Nothing here reads simulation objects: a stored ``events.parquet`` gives the same figures as a live run.
Functions accept a ``DataFrame`` or a ``LazyFrame`` log; they are the single place each figure is computed,
so tables, charts and reports call these rather than computing their own.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from sim.core.events import TERMINAL_KINDS

Log = pl.DataFrame | pl.LazyFrame

OUTCOME_OF_KIND = {
    "DealWon": "won",
    "DealLost": "lost",
    "NoDecisionReached": "no_decision",
    "OpportunityWalkedAway": "walked_away",
    "OpportunityCensored": "open",
}
DECIDED = ("won", "lost", "no_decision")
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


def _lazy(events: Log) -> pl.LazyFrame:
    return events.lazy() if isinstance(events, pl.DataFrame) else events


def horizon(events: Log) -> float:
    """Simulated days of the run (from ``RunEnded``, else the last event)."""
    lf = _lazy(events)
    ended = lf.filter(pl.col("kind") == "RunEnded").select("day").collect()
    if ended.height:
        return float(ended.item(0, 0))
    return float(lf.select(pl.col("t").max()).collect().item())


def opportunities(events: Log) -> pl.DataFrame:
    """One row per opportunity: segment, type, list amount, open and close day, outcome, hours, discount."""
    lf = _lazy(events)
    opened = lf.filter(pl.col("kind") == "OpportunityOpened").select(
        "opp",
        "account",
        "segment",
        "opp_type",
        pl.col("amount").alias("list_amount"),
        pl.col("t").alias("opened"),
    )
    ended = lf.filter(pl.col("kind").is_in(list(TERMINAL_KINDS))).select(
        "opp",
        pl.col("t").alias("closed"),
        pl.col("kind").replace_strict(OUTCOME_OF_KIND).alias("outcome"),
        pl.col("reason").alias("outcome_reason"),
        pl.when(pl.col("kind") == "DealWon").then(pl.col("amount")).otherwise(0.0).alias("won_amount"),
        pl.when(pl.col("kind") == "DealWon").then(pl.col("share")).alias("discount"),
    )
    hours = (
        lf.filter(pl.col("opp").is_not_null() & pl.col("hours").is_not_null())
        .group_by("opp")
        .agg(pl.col("hours").sum().alias("hours"))
    )
    return (
        opened.join(ended, on="opp", how="left")
        .join(hours, on="opp", how="left")
        .with_columns(
            pl.col("hours").fill_null(0.0),
            pl.col("outcome").fill_null("open"),
            (pl.col("closed") - pl.col("opened")).alias("cycle_days"),
        )
        .sort("opp")
        .collect()
    )


def outcome_rates(events: Log) -> dict[str, float]:
    """Win, loss, no-decision and walk-away rates over closed opportunities; no-decision share of decided ones."""
    opps = opportunities(events).filter(pl.col("outcome") != "open")
    n = opps.height
    counts = {
        k: opps.filter(pl.col("outcome") == k).height for k in ("won", "lost", "no_decision", "walked_away")
    }
    decided = counts["won"] + counts["lost"] + counts["no_decision"]
    return {
        "closed": float(n),
        "win_rate": counts["won"] / n if n else 0.0,
        "loss_rate": counts["lost"] / n if n else 0.0,
        "no_decision_rate": counts["no_decision"] / n if n else 0.0,
        "walk_away_rate": counts["walked_away"] / n if n else 0.0,
        "no_decision_share_of_decided": counts["no_decision"] / decided if decided else 0.0,
    }


def revenue_over_time(events: Log, bucket_days: float = 30.4) -> pl.DataFrame:
    """Bookings per period and cumulative, one row per period from day 0 to the horizon."""
    end = horizon(events)
    periods = int(end // bucket_days) + 1
    won = (
        _lazy(events)
        .filter(pl.col("kind") == "DealWon")
        .select((pl.col("t") // bucket_days).cast(pl.Int64).alias("period"), "amount")
        .group_by("period")
        .agg(pl.col("amount").sum().alias("bookings"))
        .collect()
    )
    grid = pl.DataFrame({"period": list(range(periods))}, schema={"period": pl.Int64})
    return (
        grid.join(won, on="period", how="left")
        .with_columns(
            pl.col("bookings").fill_null(0.0),
            ((pl.col("period") + 1) * bucket_days).clip(upper_bound=end).alias("day"),
        )
        .with_columns(pl.col("bookings").cum_sum().alias("cumulative"))
        .select("period", "day", "bookings", "cumulative")
    )


def revenue(events: Log) -> float:
    """Total bookings: the sum of won amounts."""
    return float(
        _lazy(events).filter(pl.col("kind") == "DealWon").select(pl.col("amount").sum()).collect().item()
    )


def hours_by_activity(events: Log) -> pl.DataFrame:
    """Every hour-bearing event with its cause of waste (null when productive), for the waste chart."""
    lf = _lazy(events)
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
    lf = _lazy(events)
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


def cycle_lengths(events: Log) -> pl.DataFrame:
    """Sales cycles (opportunity opened to close) and buying cycles (window open to close), by segment.

    Columns: ``segment``, ``cycle`` (``sales`` for decided opportunities, ``sales_won`` for won ones,
    ``buying`` for completed buying windows), ``days``.
    """
    lf = _lazy(events)
    opps = opportunities(lf)
    sales = opps.filter(pl.col("outcome").is_in(DECIDED)).select(
        "segment", pl.lit("sales").alias("cycle"), pl.col("cycle_days").alias("days")
    )
    won = opps.filter(pl.col("outcome") == "won").select(
        "segment", pl.lit("sales_won").alias("cycle"), pl.col("cycle_days").alias("days")
    )
    # The buyer's planned cycle of every window, not only those that closed before the horizon (which
    # would favour short cycles).
    buying = (
        lf.filter(pl.col("kind") == "BuyingWindowOpened")
        .select("segment", pl.lit("buying").alias("cycle"), (pl.col("day") - pl.col("t")).alias("days"))
        .collect()
    )
    return pl.concat([sales, won, buying])


def median_cycle_by_segment(events: Log) -> pl.DataFrame:
    """Median sales cycle of won deals, of decided deals, and median buying cycle, per segment."""
    return (
        cycle_lengths(events)
        .group_by("segment", "cycle")
        .agg(pl.col("days").median().alias("median_days"), pl.len().alias("n"))
        .sort("segment", "cycle")
    )


def _quota_events(events: Log, kind: str, level: str, *extra: pl.Expr) -> pl.LazyFrame:
    """A rep's quota events of one kind: rep, day, bookings, the target as ``level``, attainment, ``extra``."""
    return (
        _lazy(events)
        .filter(pl.col("kind") == kind)
        .select(
            "rep",
            pl.col("t").alias("day"),
            pl.col("amount").alias("bookings"),
            pl.col("level").alias(level),
            pl.col("share").alias("attainment"),
            *extra,
        )
    )


def quota_attainment(events: Log) -> pl.DataFrame:
    """Every monthly review: rep, day, bookings this quota year, target to date, attainment."""
    return (
        _quota_events(events, "QuotaReviewed", "target")
        .with_columns(pl.int_range(pl.len()).over("rep").alias("review"))
        .sort("day", "rep")
        .collect()
    )


def quota_years(events: Log) -> pl.DataFrame:
    """Every closed quota year: rep, day, bookings, quota, attainment, made."""
    made = (pl.col("reason") == "made").alias("made")
    return _quota_events(events, "QuotaPeriodClosed", "quota", made).collect()


def share_making_quota(events: Log) -> float:
    """Share of closed rep quota years that made quota (NaN when no year closed)."""
    years = quota_years(events)
    return float(years["made"].mean()) if years.height else float("nan")  # type: ignore[arg-type]


def mean_quota_attainment(events: Log) -> float:
    """Mean attainment over closed rep quota years (NaN when no year closed)."""
    years = quota_years(events)
    return float(years["attainment"].mean()) if years.height else float("nan")  # type: ignore[arg-type]


def discounts(events: Log) -> pl.DataFrame:
    """Discount off list on every won deal, with segment and list and won amounts."""
    return (
        opportunities(events)
        .filter(pl.col("outcome") == "won")
        .select("opp", "segment", "list_amount", "won_amount", "discount")
    )


def forecast_vs_actual(events: Log) -> pl.DataFrame:
    """Each monthly forecast commit beside the bookings actually won in that period."""
    lf = _lazy(events)
    commits = (
        lf.filter(pl.col("kind") == "ForecastCommitted")
        .select(pl.col("t").alias("start"), pl.col("day").alias("end"), pl.col("amount").alias("forecast"))
        .collect()
    )
    won = lf.filter(pl.col("kind") == "DealWon").select("t", "amount").collect()
    actual = [
        float(won.filter((pl.col("t") >= s) & (pl.col("t") < e))["amount"].sum())
        for s, e in zip(commits["start"].to_list(), commits["end"].to_list(), strict=True)
    ]
    return commits.with_columns(pl.Series("actual", actual, dtype=pl.Float64))


FUNNEL_STAGES: tuple[str, ...] = (
    "contact",
    "meeting",
    "qualified",
    "opportunity",
    "proposal",
    "procurement",
    "won",
    "lost",
    "no_decision",
    "walked_away",
    "open",
)


def funnel(events: Log) -> pl.DataFrame:
    """Counts from contact to close: contacts, meetings, qualified, opportunities, proposal, procurement, outcomes."""
    lf = _lazy(events)
    counts = lf.group_by("kind").agg(pl.len()).collect()
    by_kind = dict(zip(counts["kind"].to_list(), counts["len"].to_list(), strict=True))
    qualified = (
        lf.filter(
            (pl.col("kind") == "QualificationScored")
            & pl.col("opp_type").is_in(["qualified_prospect", "qualified_buyer"])
        )
        .select(pl.len())
        .collect()
        .item()
    )
    proposal = (
        lf.filter((pl.col("kind") == "StageAdvanced") & (pl.col("stage") == "proposal"))
        .select(pl.len())
        .collect()
        .item()
    )
    outcomes = opportunities(lf)["outcome"].value_counts()
    by_outcome = dict(zip(outcomes["outcome"].to_list(), outcomes["count"].to_list(), strict=True))
    values = [
        by_kind.get("ContactMade", 0),
        by_kind.get("MeetingHeld", 0),
        qualified,
        by_kind.get("OpportunityOpened", 0),
        proposal,
        by_kind.get("ProcurementEngaged", 0),
        *(by_outcome.get(k, 0) for k in ("won", "lost", "no_decision", "walked_away", "open")),
    ]
    return pl.DataFrame(
        {"stage": list(FUNNEL_STAGES), "count": values}, schema={"stage": pl.String, "count": pl.Int64}
    )


def reputation_over_time(events: Log) -> pl.DataFrame:
    """The vendor's reputation after each change."""
    return (
        _lazy(events)
        .filter(pl.col("kind") == "ReputationChanged")
        .select(pl.col("t").alias("day"), pl.col("level").alias("reputation"), "reason")
        .collect()
    )


def summary(events: Log) -> dict[str, Any]:
    """The headline figures of one run, as a flat mapping (what tables and ``summary.json`` show)."""
    lf = _lazy(events)
    rates = outcome_rates(lf)
    hours = hours_summary(lf)
    total = revenue(lf)
    won = discounts(lf)
    cycles = median_cycle_by_segment(lf)
    out: dict[str, Any] = {
        "revenue": total,
        "deals_won": won.height,
        **rates,
        **hours,
        "hours_per_won_dollar": hours["selling_hours"] / total if total else float("nan"),
        "median_discount": float(won["discount"].median()) if won.height else float("nan"),  # type: ignore[arg-type]
        "share_making_quota": share_making_quota(lf),
        "mean_quota_attainment": mean_quota_attainment(lf),
        "opportunities": opportunities(lf).height,
    }
    for row in cycles.iter_rows(named=True):
        out[f"median_{row['cycle']}_cycle_{row['segment']}"] = row["median_days"]
        # How many cycles the median rests on: a run wins only a handful of Fortune 1000 deals.
        out[f"{row['cycle']}_cycles_{row['segment']}"] = row["n"]
    for row in wasted_hours_by_cause(lf).iter_rows(named=True):
        out[f"wasted_{row['cause'].replace(' ', '_').replace('-', '_')}"] = row["hours"]
    # polars sums in parallel, so the last bits of a float sum depend on thread timing; twelve significant
    # digits make the same log give the same figures in any process.
    return {k: float(f"{v:.12g}") if isinstance(v, float) else v for k, v in out.items()}


FUNNEL_NODES: tuple[str, ...] = (
    "contact",
    "no meeting",
    "meeting",
    "no opportunity",
    "opportunity",
    "proposal",
    "procurement",
    "won",
    "lost",
    "no_decision",
    "walked_away",
    "open",
)
"""Nodes of :func:`funnel_flows`, from first touch to outcome."""


def funnel_flows(events: Log) -> pl.DataFrame:
    """The funnel as flows between stages (``source``, ``target``, ``count``), consistent node by node.

    Each contact follows one path: contact, then a meeting or ``no meeting``; a meeting leads to an
    opportunity or ``no opportunity``; an opportunity passes through proposal and procurement only if it
    reached them, and ends in its outcome (won, lost, no_decision, walked_away, or open at the end). So what
    flows into a node equals what flows out of it, and the node totals are the counts of :func:`funnel`.
    """
    lf = _lazy(events)
    contacts = lf.filter(pl.col("kind") == "ContactMade").select("contact", pl.lit(True).alias("contacted"))
    met = (
        lf.filter(pl.col("kind") == "MeetingHeld")
        .select("contact", pl.lit(True).alias("met"))
        .unique("contact")
    )
    opened = lf.filter(pl.col("kind") == "OpportunityOpened").select("opp", "contact")
    proposal = (
        lf.filter((pl.col("kind") == "StageAdvanced") & (pl.col("stage") == "proposal"))
        .select("opp", pl.lit(True).alias("proposal"))
        .unique("opp")
    )
    procurement = (
        lf.filter(pl.col("kind") == "ProcurementEngaged")
        .select("opp", pl.lit(True).alias("procurement"))
        .unique("opp")
    )
    outcome = opportunities(lf).select("opp", "outcome").lazy()
    people = (
        contacts.join(met, on="contact", how="full", coalesce=True)
        .join(opened, on="contact", how="full", coalesce=True)
        .join(proposal, on="opp", how="left")
        .join(outcome, on="opp", how="left")
        .join(procurement, on="opp", how="left")
    )
    has_opp = pl.col("opp").is_not_null()

    def step(flag: pl.Expr, node: str) -> pl.Expr:
        return pl.when(flag).then(pl.lit(node)).otherwise(pl.lit(None, dtype=pl.String))

    path = pl.concat_list(
        step(pl.col("contacted").fill_null(False), "contact"),
        step(pl.col("met").fill_null(False), "meeting"),
        step(~has_opp & pl.col("met").fill_null(False), "no opportunity"),
        step(~has_opp & ~pl.col("met").fill_null(False), "no meeting"),
        step(has_opp, "opportunity"),
        step(pl.col("proposal").fill_null(False), "proposal"),
        step(pl.col("procurement").fill_null(False), "procurement"),
        pl.when(has_opp).then(pl.col("outcome").fill_null("open")),
    ).list.drop_nulls()
    order = {name: i for i, name in enumerate(FUNNEL_NODES)}
    flows = (
        people.select(path.alias("path"))
        .select(
            pl.col("path").list.head(pl.col("path").list.len() - 1).alias("source"),
            pl.col("path").list.tail(pl.col("path").list.len() - 1).alias("target"),
        )
        .explode("source", "target")
        .drop_nulls()
        .group_by("source", "target")
        .agg(pl.len().cast(pl.Int64).alias("count"))
        .collect()
    )
    return (
        flows.with_columns(
            pl.col("source").replace_strict(order, return_dtype=pl.Int64).alias("_s"),
            pl.col("target").replace_strict(order, return_dtype=pl.Int64).alias("_t"),
        )
        .sort("_s", "_t")
        .drop("_s", "_t")
    )


def reputation_path(events: Log, step_days: float = 7.0) -> pl.DataFrame:
    """The vendor's reputation sampled every ``step_days`` from day 0 to the horizon (a step function).

    Replications change reputation at different moments; sampling each on the same grid lets charts average
    them. Days before the first ``ReputationChanged`` are null.
    """
    changes = reputation_over_time(events).select("day", "reputation").sort("day")
    end = horizon(events)
    n = int(end // step_days) + 1
    grid = pl.DataFrame({"day": [min(i * step_days, end) for i in range(n)]}, schema={"day": pl.Float64})
    if grid["day"][-1] < end:
        grid = pl.concat([grid, pl.DataFrame({"day": [end]}, schema={"day": pl.Float64})])
    # Several changes can share a day; the last one written is the level that day ends on.
    last = changes.group_by("day", maintain_order=True).agg(pl.col("reputation").last())
    return grid.join_asof(last, on="day", strategy="backward")


def stall_requests_by_opportunity(events: Log) -> pl.DataFrame:
    """Per opportunity: stall requests received and rep hours they cost (only opportunities with any)."""
    return (
        _lazy(events)
        .filter(pl.col("kind") == "StallRequested")
        .group_by("opp")
        .agg(pl.len().cast(pl.Int64).alias("stall_requests"), pl.col("hours").sum().alias("stall_hours"))
        .sort("opp")
        .collect()
    )


def quota_attainment_by_seat(events: Log) -> pl.DataFrame:
    """:func:`quota_attainment` with each rep's ``seat`` (territory), so a seat's reps share one row in charts."""
    seats = _lazy(events).filter(pl.col("kind") == "RepHired").select("rep", "seat").collect()
    return quota_attainment(events).join(seats, on="rep", how="left").sort("day", "seat", "rep")
