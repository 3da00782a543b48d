"""Where every selling hour went: one definition that puts each hour in exactly one category.

A rep's **selling hours** are the hours a week leaves for selling once admin is logged: the hours **booked** to
work (every event with ``hours``, except ``AdminHoursLogged`` and ``IdleHoursLogged``) plus the **idle** hours
the rep had and did not use (``IdleHoursLogged``). Each selling hour falls in exactly one category
(:data:`HOURS_CATEGORIES`), so the categories add up to the selling hours:

- an hour on an opportunity (its stages, check-ins, stall requests, procurement work, and the spilled
  ``WorkLogged`` parts of these) goes to the way that opportunity ended: *won*, each loss reason, each
  no-decision reason, *walked away*, or *still open* at the horizon;
- an hour on a contact or first meeting goes to the opportunity that contact opened
  (``OpportunityOpened.contact``), whatever its ending: a deal lost later carries the hours that opened it,
  just as a won deal does; hours of contacts that opened nothing are *screening*;
- idle hours are *idle*.

Each category counts as one of four things (:attr:`HoursCategory.counts_as`): **won**; **wasted** (hours on
deals that ended not won: lost, no decision, walked away; and screening); **still open** at the horizon (their
deals have not ended, so they are neither wasted nor won); and **unused capacity** (idle: selling time no deal
used). The four add up to the selling hours. The **wasted share** is wasted ÷ selling hours, the **idle share**
(unused capacity) idle ÷ selling hours, reported beside it and never inside it; **utilisation** is booked ÷
selling hours. A share of no selling hours is undefined (NaN), not 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from sim.config import SEGMENTS
from sim.metrics.log import Log, horizon, lazy
from sim.metrics.opportunities import opportunities_of
from sim.metrics.revenue import MONTH_DAYS


@dataclass(frozen=True)
class HoursCategory:
    """Where an hour went: ``key`` names its summary figure (``<key>_hours``), ``group`` the ending it
    belongs to (``lost``, ``no decision``...), ``label`` how tables and charts name it."""

    key: str
    label: str
    group: str

    @property
    def counts_as(self) -> str:
        """What the hour counts as: ``won``, ``wasted``, ``still open`` or ``unused capacity`` (idle)."""
        return COUNTS_AS.get(self.group, "wasted")

    @property
    def figure(self) -> str:
        """The ``summary.json`` / ``runs.parquet`` column holding this category's hours."""
        return f"{self.key}_hours"


HOURS_CATEGORIES: tuple[HoursCategory, ...] = (
    HoursCategory("won", "won", "won"),
    HoursCategory("lost_competitor", "lost to a competitor", "lost"),
    HoursCategory("lost_after_shortlist", "lost: buyer had shortlisted", "lost"),
    HoursCategory("lost_not_ready", "lost: rep not ready", "lost"),
    HoursCategory("lost_despite_winning", "lost despite winning", "lost"),
    HoursCategory("no_decision_status_quo", "no decision: status quo", "no decision"),
    HoursCategory("no_decision_indecision", "no decision: indecision", "no decision"),
    HoursCategory("no_decision_further_evaluation", "no decision: further evaluation", "no decision"),
    HoursCategory("no_decision_went_dark", "no decision: went dark", "no decision"),
    HoursCategory("walked_away", "walked away", "walked away"),
    HoursCategory("still_open", "still open at the horizon", "still open"),
    HoursCategory("screening", "screening (contacts that opened nothing)", "screening"),
    HoursCategory("idle", "idle (unused capacity)", "idle"),
)
"""Every category of selling hour, in the order tables list them and charts stack them (won at the bottom)."""

COUNTS_AS: dict[str, str] = {"won": "won", "still open": "still open", "idle": "unused capacity"}
"""What each group's hours count as; every other group (lost, no decision, walked away, screening) is wasted."""

WASTED_CATEGORIES: tuple[str, ...] = tuple(c.key for c in HOURS_CATEGORIES if c.counts_as == "wasted")
"""The categories whose hours are wasted: deals that ended not won, and screening (never idle or still open)."""

CATEGORY_OF_ENDING: dict[str, str] = {
    "won": "won",
    "lost:competitor": "lost_competitor",
    "lost:after_shortlist": "lost_after_shortlist",
    "lost:not_ready": "lost_not_ready",
    "lost:seat_vacant": "lost_not_ready",  # not ready because nobody held the seat
    "lost:lost_despite_winning": "lost_despite_winning",
    "no_decision:status_quo": "no_decision_status_quo",
    "no_decision:indecision": "no_decision_indecision",
    "no_decision:further_evaluation": "no_decision_further_evaluation",
    "no_decision:went_dark": "no_decision_went_dark",
    "walked_away": "walked_away",
    "open": "still_open",
}
"""The category of an opportunity's hours, by its ending: the outcome, and for a loss or no decision the
terminal event's ``reason`` (``lost:competitor``)."""

_KEYS = {c.key for c in HOURS_CATEGORIES}
assert set(CATEGORY_OF_ENDING.values()) <= _KEYS, "every ending needs a category"

_NOT_SELLING = "AdminHoursLogged"
_IDLE = "IdleHoursLogged"
_REASONED = ("lost", "no_decision")


def _endings(events: Log, opps: pl.DataFrame | None) -> pl.LazyFrame:
    """Each opportunity with the category its hours fall in; an ending without a category is an error, since
    its hours would otherwise vanish from the sum."""
    opps = opportunities_of(events, opps)
    ending = (
        pl.when(pl.col("outcome").is_in(_REASONED))
        .then(pl.concat_str("outcome", pl.lit(":"), pl.col("outcome_reason").fill_null("")))
        .otherwise(pl.col("outcome"))
    )
    endings = opps.select("opp", ending.alias("ending")).with_columns(
        pl.col("ending").replace_strict(CATEGORY_OF_ENDING, default=None).alias("category")
    )
    unknown = endings.filter(pl.col("category").is_null())["ending"].unique().sort().to_list()
    if unknown:
        raise ValueError(
            f"no hours category for the opportunity ending(s) {unknown}: add them to CATEGORY_OF_ENDING "
            "in sim/metrics/hours.py"
        )
    return endings.select("opp", "category").lazy()


def selling_hour_events(events: Log) -> pl.LazyFrame:
    """Every event that logs selling hours: booked and idle, not admin (the rule of the module docstring)."""
    return lazy(events).filter(pl.col("hours").is_not_null() & (pl.col("kind") != _NOT_SELLING))


def hours_by_activity(events: Log) -> dict[str, float]:
    """Selling hours by the activity they were for, keyed by event kind: an hour spilled into a later week
    (``WorkLogged``) counts toward the activity its ``reason`` names; idle hours are ``IdleHoursLogged``."""
    activity = (
        selling_hour_events(events)
        .with_columns(
            pl.when(pl.col("kind") == "WorkLogged")
            .then(pl.col("reason"))
            .otherwise(pl.col("kind"))
            .fill_null("WorkLogged")
            .alias("activity")
        )
        .group_by("activity")
        .agg(pl.col("hours").sum())
        .sort("activity")
        .collect()
    )
    return {a: float(h) for a, h in activity.iter_rows()}


def categorised_hours(events: Log, opps: pl.DataFrame | None = None) -> pl.DataFrame:
    """Every selling-hour event with the category its hours fall in (the one definition; see the module).

    Columns ``t``, ``day`` (when the hours were worked: ``t``, or the week's first day for idle hours),
    ``rep``, ``kind``, ``opp`` (the opportunity the hours count toward, the one its contact opened for contact
    and meeting hours), ``hours`` and ``category`` (a key of :data:`HOURS_CATEGORIES`).
    """
    lf = lazy(events)
    opened_by_contact = (
        lf.filter(pl.col("kind") == "OpportunityOpened")
        .sort("seq")
        .group_by("contact")
        # A contact that opened more than one opportunity counts toward the first.
        .agg(pl.col("opp").first().alias("opened"))
    )
    hours = (
        selling_hour_events(lf)
        .join(opened_by_contact, on="contact", how="left")
        .select(
            "seq",
            "t",
            pl.when(pl.col("kind") == _IDLE)
            .then(pl.coalesce("day", "t"))
            .otherwise(pl.col("t"))
            .alias("day"),
            "rep",
            "kind",
            pl.coalesce("opp", "opened").alias("opp"),
            "hours",
        )
        .join(_endings(lf, opps), on="opp", how="left")
    )
    category = (
        pl.when(pl.col("kind") == _IDLE)
        .then(pl.lit("idle"))
        .when(pl.col("opp").is_null())
        .then(pl.lit("screening"))
        .otherwise(pl.col("category"))
    )
    return hours.with_columns(category.alias("category")).sort("seq").drop("seq").collect()


def hours_by_category(events: Log, opps: pl.DataFrame | None = None) -> pl.DataFrame:
    """Selling hours per category, every category of :data:`HOURS_CATEGORIES` in order (zero when absent):
    columns ``category``, ``label``, ``group``, ``hours``. They add up to the selling hours."""
    totals = categorised_hours(events, opps).group_by("category").agg(pl.col("hours").sum())
    grid = pl.DataFrame(
        {
            "category": [c.key for c in HOURS_CATEGORIES],
            "label": [c.label for c in HOURS_CATEGORIES],
            "group": [c.group for c in HOURS_CATEGORIES],
        }
    )
    return grid.join(totals, on="category", how="left").with_columns(pl.col("hours").fill_null(0.0))


def hours_summary(events: Log, opps: pl.DataFrame | None = None) -> dict[str, float]:
    """Selling hours (booked and idle), admin hours, utilisation, the hours of every category
    (``<category>_hours``), the wasted hours and share (:data:`WASTED_CATEGORIES`) and the idle share (unused
    capacity); ``selling_share`` is selling ÷ selling plus admin hours (the share of the week left for selling,
    what published time studies measure; idle hours are in it). A share over no hours is NaN."""
    lf = lazy(events)
    admin = lf.filter(pl.col("kind") == _NOT_SELLING).select(pl.col("hours").sum()).collect().item() or 0.0
    by_category = dict(hours_by_category(lf, opps).select("category", "hours").iter_rows())
    selling = sum(by_category.values())
    idle = by_category["idle"]
    booked = selling - idle
    wasted = sum(by_category[key] for key in WASTED_CATEGORIES)
    all_hours = selling + admin
    return {
        "selling_hours": selling,
        "booked_hours": booked,
        "admin_hours": admin,
        "utilisation": _share(booked, selling),
        "selling_share": _share(selling, all_hours),
        "wasted_hours": wasted,
        "wasted_share": _share(wasted, selling),
        "idle_share": _share(idle, selling),
        **{c.figure: by_category[c.key] for c in HOURS_CATEGORIES},
    }


def _share(part: float, whole: float) -> float:
    """``part`` ÷ ``whole``; NaN over nothing (undefined, not 0)."""
    return part / whole if whole else float("nan")


def won_deal_hours(events: Log, opps: pl.DataFrame | None = None) -> dict[str, float]:
    """Median selling hours on a won deal, per segment (``median_won_deal_hours_<segment>``): every hour the
    deal's category counts (its stages, check-ins, procurement, and the contact and meeting that opened it);
    NaN for a segment without a won deal."""
    opps = opportunities_of(events, opps)
    won = (
        categorised_hours(events, opps)
        .filter(pl.col("category") == "won")
        .group_by("opp")
        .agg(pl.col("hours").sum())
        .join(opps.select("opp", "segment"), on="opp", how="left")
    )
    medians = dict(won.group_by("segment").agg(pl.col("hours").median()).iter_rows())
    return {f"median_won_deal_hours_{s}": float(medians.get(s, float("nan"))) for s in SEGMENTS}


def utilisation_over_time(events: Log, bucket_days: float = MONTH_DAYS) -> pl.DataFrame:
    """Booked and idle selling hours per period, and utilisation (booked ÷ both; null in a period without
    selling hours), one row per period from day 0; ``day`` is the period's end. The last period runs to the
    horizon, so a few days left over after the last full period do not make a point of their own."""
    end = horizon(events)
    periods = max(1, int(end // bucket_days))
    per_period = (
        categorised_hours(events)
        .with_columns(
            (pl.col("day") // bucket_days).cast(pl.Int64).clip(upper_bound=periods - 1).alias("period")
        )
        .group_by("period")
        .agg(
            pl.col("hours").filter(pl.col("category") != "idle").sum().alias("booked_hours"),
            pl.col("hours").filter(pl.col("category") == "idle").sum().alias("idle_hours"),
        )
    )
    grid = pl.DataFrame({"period": list(range(periods))}, schema={"period": pl.Int64})
    selling = pl.col("booked_hours") + pl.col("idle_hours")
    return (
        grid.join(per_period, on="period", how="left")
        .with_columns(
            pl.col("booked_hours").fill_null(0.0),
            pl.col("idle_hours").fill_null(0.0),
            pl.when(pl.col("period") == periods - 1)
            .then(pl.lit(end))
            .otherwise((pl.col("period") + 1) * bucket_days)
            .alias("day"),
        )
        .with_columns(pl.when(selling > 0).then(pl.col("booked_hours") / selling).alias("utilisation"))
        .select("period", "day", "booked_hours", "idle_hours", "utilisation")
    )
