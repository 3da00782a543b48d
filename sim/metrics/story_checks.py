"""Stories that cannot happen: each opportunity's story checked against what a buyer and a rep can do.

A sales VP reading a deal's story (``salesim replay RUN --opportunity N``) finds some things impossible: a win
with no proposal, a demo after the buyer had drawn up its shortlist without us, procurement haggling after
the buyer had decided, a Fortune 1000 demo days after the first meeting, a deal lost "not ready" while its
rep sat idle. :func:`story_violations` finds them in the event log alone (a stored ``events.parquet`` gives
the same answer as a live run); ``salesim replay RUN --check`` prints them, and the tests ask for none on
every shipped scenario. Each rule is defined from the log in ``docs/model.md`` (section 16, "Stories that
cannot happen"); its id is a key of :data:`RULES`.

Ties in ``t`` are ordered by ``seq``: the buyer's happenings of a day are logged before anything a rep does
that day (``docs/model.md`` section 1), so "after" is "later in the log", as the model itself reads it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from sim.core.events import TERMINAL_KINDS
from sim.metrics.log import Log, lazy
from sim.metrics.opportunities import OUTCOME_OF_KIND

F1000_FIRST_MEETING_TO_DEMO_DAYS = 14.0
"""Fewest days from a Fortune 1000 deal's first meeting to its demo: an enterprise buying group books a demo
weeks out, after discovery with several people (``docs/calibration.md``)."""

NOT_READY_IDLE_DAYS = 14.0
"""A deal lost "not ready" says its rep had no hour for it: no idle hours in the weeks that started this many
days before the loss."""

PROCUREMENT_KINDS: tuple[str, ...] = (
    "ProcurementEngaged",
    "SupplierRiskAssessed",
    "CapitalApprovalFellShort",
    "NegotiationRoundHeld",
    "PressureDetected",
)
"""The buyer's procurement at work on a deal (``docs/model.md`` section 9)."""

SHORTLIST_JOB = "supplier_selection"
"""The buying job after which the buyer has its shortlist of vendors."""

SHORTLIST_STAGES: tuple[str, ...] = ("demo", "proposal")
"""Vendor stages that only make sense while the buyer is still choosing whom to shortlist."""

RULES: dict[str, str] = {
    "win_without_proposal": "no win without a proposal",
    "stage_after_shortlist": (
        "no demo or proposal after the buyer drew up its shortlist, unless the deal is then lost for it"
    ),
    "procurement_after_close": "no procurement after the buyer's window closed",
    "f1000_demo_too_soon": (
        f"at least {F1000_FIRST_MEETING_TO_DEMO_DAYS:g} days from a Fortune 1000 deal's first meeting to its demo"
    ),
    "not_ready_with_idle_rep": (
        f'lost "not ready" only when the rep logged no idle hours in the {NOT_READY_IDLE_DAYS:g} days before'
    ),
}
"""Every rule's id and what it asks, in the order they are checked and reported."""

VIOLATION_SCHEMA: dict[str, type[pl.DataType]] = {
    "opp": pl.Int64,
    "rule": pl.String,
    "day": pl.Float64,
    "description": pl.String,
}
"""One row per violation: the opportunity, the rule's id, the day of the offending event, and one line."""


def _day(t: float) -> str:
    return f"day {round(t, 1):g}"


def _days(d: float) -> str:
    d = round(d, 1)
    return f"{d:g} day" if d == 1 else f"{d:g} days"


def _ending(kind: str | None, reason: str | None) -> str:
    outcome = OUTCOME_OF_KIND.get(kind or "OpportunityCensored", "open")
    if outcome == "open":
        return "the deal was still open at the end of the run"
    return f"the deal then ended {outcome.replace('_', ' ')}" + (f" ({reason})" if reason else "")


def _kind_is(*kinds: str) -> pl.Expr:
    return pl.col("kind").is_in(list(kinds)) if len(kinds) > 1 else pl.col("kind") == kinds[0]


def _text(name: str) -> pl.Expr:
    """A text column as String (the in-memory log holds text as Categorical)."""
    return pl.col(name).cast(pl.String)


def opportunities_checked(events: Log) -> int:
    """How many opportunities the log opens (every one is checked)."""
    return int(lazy(events).filter(_kind_is("OpportunityOpened")).select(pl.len()).collect().item())


def deal_windows(events: Log) -> pl.LazyFrame:
    """Each opportunity's buying window, as the model assigns it: the window of its account open when the
    opportunity opened, else the next one the account opens while the deal is still open.

    One row per opportunity: ``opp``, ``account``, ``opened`` (day), ``end_seq``/``end_kind``/``end_reason``
    (its terminal event, null while open), ``window`` (the account's window number, from 1; null without a
    window), the window's ``shortlist_seq``/``shortlist_t`` (supplier selection done) and
    ``close_seq``/``close_t`` (the window closed), null when the log has none.
    """
    lf = lazy(events)
    # Every account's windows numbered in log order: windows of one account follow each other (a need opens
    # the next window only after the previous decision), so a running count of openings numbers them, and an
    # event of the account belongs to the latest window opened before it.
    buyer = (
        lf.filter(
            _kind_is("BuyingWindowOpened", "BuyingWindowClosed", "OpportunityOpened")
            | (_kind_is("BuyingJobCompleted") & (pl.col("job") == SHORTLIST_JOB))
        )
        .select("seq", "t", _text("kind").alias("kind"), "account", "opp")
        .with_columns(
            pl.col("kind").eq("BuyingWindowOpened").cast(pl.Int64).cum_sum().over("account").alias("window"),
            pl.col("kind").eq("BuyingWindowClosed").cast(pl.Int64).cum_sum().over("account").alias("closed"),
        )
    )
    by_window = ["account", "window"]
    opens = buyer.filter(pl.col("kind") == "BuyingWindowOpened").select(
        *by_window, pl.col("seq").alias("open_seq")
    )
    shortlists = buyer.filter(pl.col("kind") == "BuyingJobCompleted").select(
        *by_window, pl.col("seq").alias("shortlist_seq"), pl.col("t").alias("shortlist_t")
    )
    closes = buyer.filter(pl.col("kind") == "BuyingWindowClosed").select(
        *by_window, pl.col("seq").alias("close_seq"), pl.col("t").alias("close_t")
    )
    endings = lf.filter(pl.col("kind").is_in(list(TERMINAL_KINDS))).select(
        "opp",
        pl.col("seq").alias("end_seq"),
        _text("kind").alias("end_kind"),
        _text("reason").alias("end_reason"),
    )
    # Open at the opening: the latest window opened has not closed. Else the deal waits for the next one.
    deals = buyer.filter(pl.col("kind") == "OpportunityOpened").select(
        "opp",
        "account",
        pl.col("seq").alias("opened_seq"),
        pl.col("t").alias("opened"),
        pl.when((pl.col("window") >= 1) & (pl.col("closed") < pl.col("window")))
        .then(pl.col("window"))
        .otherwise(pl.col("window") + 1)
        .alias("window"),
    )
    return (
        deals.join(endings, on="opp", how="left")
        .join(opens, on=by_window, how="left")
        .with_columns(
            # A window that opens only after the deal ended (or never) is not the deal's.
            pl.when(
                pl.col("open_seq").is_not_null() & (pl.col("open_seq") < pl.col("end_seq").fill_null(2**62))
            )
            .then(pl.col("window"))
            .alias("window")
        )
        .join(shortlists, on=by_window, how="left")
        .join(closes, on=by_window, how="left")
        .drop("open_seq")
    )


def _win_without_proposal(lf: pl.LazyFrame) -> pl.LazyFrame:
    proposals = (
        lf.filter(_kind_is("StageAdvanced") & (pl.col("stage") == "proposal"))
        .group_by("opp")
        .agg(pl.col("seq").min().alias("proposal_seq"))
    )
    return (
        lf.filter(_kind_is("DealWon"))
        .select("opp", "seq", "t", _text("reason").alias("reason"))
        .join(proposals, on="opp", how="left")
        .filter(pl.col("proposal_seq").is_null() | (pl.col("proposal_seq") > pl.col("seq")))
        .select("opp", pl.col("t").alias("day"), "reason")
    )


def _stage_after_shortlist(lf: pl.LazyFrame, deals: pl.LazyFrame) -> pl.LazyFrame:
    stages = lf.filter(_kind_is("StageAdvanced") & pl.col("stage").is_in(list(SHORTLIST_STAGES))).select(
        "opp", "seq", "t", _text("stage").alias("stage")
    )
    # On the shortlist: the buyer saw our demo before it drew up its shortlist.
    shortlisted = (
        stages.join(deals.select("opp", "shortlist_seq"), on="opp", how="inner")
        .filter((pl.col("stage") == "demo") & (pl.col("seq") < pl.col("shortlist_seq")))
        .select("opp")
        .unique()
    )
    lost_for_it = (pl.col("end_kind") == "DealLost") & (pl.col("end_reason") == "after_shortlist")
    return (
        stages.join(deals, on="opp", how="inner")
        .join(shortlisted, on="opp", how="anti")
        .filter((pl.col("seq") > pl.col("shortlist_seq")) & ~lost_for_it.fill_null(False))
        .sort("seq")
        .group_by("opp")
        .agg(
            pl.col("t").first().alias("day"),
            pl.col("stage"),
            pl.col("t").alias("stage_t"),
            pl.col("shortlist_t").first(),
            pl.col("opened").first(),
            pl.col("end_kind").first(),
            pl.col("end_reason").first(),
        )
    )


def _procurement_after_close(lf: pl.LazyFrame, deals: pl.LazyFrame) -> pl.LazyFrame:
    work = lf.filter(_kind_is(*PROCUREMENT_KINDS)).select("opp", "seq", "t", _text("kind").alias("kind"))
    return (
        work.join(deals.select("opp", "close_seq", "close_t"), on="opp", how="inner")
        .filter(pl.col("seq") > pl.col("close_seq"))
        .sort("seq")
        .group_by("opp")
        .agg(
            pl.col("t").first().alias("day"),
            pl.col("t").last().alias("last_t"),
            pl.col("kind").first().alias("first_kind"),
            pl.col("kind").last().alias("last_kind"),
            pl.len().alias("count"),
            pl.col("close_t").first(),
        )
    )


def _f1000_demo_too_soon(lf: pl.LazyFrame) -> pl.LazyFrame:
    opened = lf.filter(_kind_is("OpportunityOpened") & (pl.col("segment") == "f1000")).select(
        "opp", "contact"
    )
    meetings = (
        lf.filter(_kind_is("MeetingHeld")).group_by("contact").agg(pl.col("t").min().alias("meeting_t"))
    )
    demos = (
        lf.filter(_kind_is("StageAdvanced") & (pl.col("stage") == "demo"))
        .group_by("opp")
        .agg(pl.col("t").min().alias("day"))
    )
    return (
        opened.join(meetings, on="contact", how="inner")
        .join(demos, on="opp", how="inner")
        .filter(pl.col("day") - pl.col("meeting_t") < F1000_FIRST_MEETING_TO_DEMO_DAYS)
        .select("opp", "day", "meeting_t")
    )


def _not_ready_with_idle_rep(lf: pl.LazyFrame) -> pl.LazyFrame:
    lost = lf.filter(_kind_is("DealLost") & (pl.col("reason") == "not_ready")).select(
        "opp", "rep", pl.col("t").alias("day")
    )
    idle = lf.filter(_kind_is("IdleHoursLogged") & (pl.col("hours") > 0)).select(
        "rep", pl.col("day").alias("week"), "hours"
    )
    # Weeks that started in the days before the loss; their idle hours are hours the rep did not use.
    in_reach = (pl.col("week") >= pl.col("day") - NOT_READY_IDLE_DAYS) & (pl.col("week") < pl.col("day"))
    idle_before = (
        lost.join(idle, on="rep", how="inner")
        .filter(in_reach)
        .group_by("opp")
        .agg(pl.col("hours").sum().alias("idle_hours"), pl.col("week").min().alias("first_week"))
    )
    return (
        lost.join(idle_before, on="opp", how="left")
        .filter(pl.col("rep").is_null() | pl.col("idle_hours").is_not_null())
        .select("opp", "day", "rep", "idle_hours", "first_week")
    )


Row = dict[str, Any]
"""One violation as its rule's query found it (``opp``, ``day`` and the rule's own columns)."""


def _win_line(r: Row) -> str:
    reason = f" ({r['reason']})" if r["reason"] else ""
    return f"won on {_day(r['day'])}{reason} with no proposal done"


def _shortlist_line(r: Row) -> str:
    stages = ", ".join(f"{stage} on {_day(t)}" for stage, t in zip(r["stage"], r["stage_t"], strict=True))
    shortlist, opened = r["shortlist_t"], r["opened"]
    when = (
        f"the deal opened {_days(opened - shortlist)} after it"
        if opened >= shortlist
        else f"the deal opened {_days(shortlist - opened)} before it"
    )
    return (
        f"{stages}, after the buyer drew up its shortlist (supplier selection done on {_day(shortlist)}; "
        f"{when}); {_ending(r['end_kind'], r['end_reason'])}"
    )


def _procurement_line(r: Row) -> str:
    close, first, last = r["close_t"], r["day"], r["last_t"]
    line = f"{r['first_kind']} on {_day(first)}, {_days(first - close)} after the buyer's window closed on {_day(close)}"
    if r["count"] > 1:
        line += (
            f"; {r['count']} procurement events, the last {r['last_kind']} on {_day(last)} "
            f"({_days(last - close)} after)"
        )
    return line


def _demo_line(r: Row) -> str:
    demo, meeting = r["day"], r["meeting_t"]
    return (
        f"Fortune 1000 demo on {_day(demo)}, {_days(demo - meeting)} after the first meeting "
        f"({_day(meeting)}); at least {_days(F1000_FIRST_MEETING_TO_DEMO_DAYS)}"
    )


def _not_ready_line(r: Row) -> str:
    if r["rep"] is None:
        return f'lost "not ready" on {_day(r["day"])} while the seat was vacant: no rep whose hours went elsewhere'
    return (
        f'lost "not ready" on {_day(r["day"])} while its rep {r["rep"]} logged {r["idle_hours"]:.1f} idle hours '
        f"in the weeks from {_day(r['first_week'])}"
    )


LINES: dict[str, Callable[[Row], str]] = {
    "win_without_proposal": _win_line,
    "stage_after_shortlist": _shortlist_line,
    "procurement_after_close": _procurement_line,
    "f1000_demo_too_soon": _demo_line,
    "not_ready_with_idle_rep": _not_ready_line,
}
"""How each rule words a violation (few rows: formatted one by one)."""
assert list(LINES) == list(RULES), "every rule needs its line"


def _described(rule: str, frame: pl.DataFrame) -> pl.DataFrame:
    """The rule's violations with their one-line descriptions."""
    return pl.DataFrame(
        {
            "opp": frame["opp"],
            "rule": [rule] * frame.height,
            "day": frame["day"],
            "description": [LINES[rule](row) for row in frame.iter_rows(named=True)],
        },
        schema=VIOLATION_SCHEMA,
    )


def story_violations(events: Log) -> pl.DataFrame:
    """Every violation of :data:`RULES` in the log, one row each (:data:`VIOLATION_SCHEMA`), by opportunity
    and then in the order of :data:`RULES`; empty when every story can happen.

    One row per opportunity and rule: a deal with a demo and a proposal after the shortlist is one violation,
    its line naming both.
    """
    lf = lazy(events)
    deals = deal_windows(lf).cache()
    found = pl.collect_all(
        [
            _win_without_proposal(lf),
            _stage_after_shortlist(lf, deals),
            _procurement_after_close(lf, deals),
            _f1000_demo_too_soon(lf),
            _not_ready_with_idle_rep(lf),
        ]
    )
    order = {rule: i for i, rule in enumerate(RULES)}
    frames = [_described(rule, frame) for rule, frame in zip(RULES, found, strict=True)]
    out = pl.concat(frames, how="vertical") if frames else pl.DataFrame(schema=VIOLATION_SCHEMA)
    return (
        out.with_columns(pl.col("rule").replace_strict(order, return_dtype=pl.Int64).alias("_order"))
        .sort("opp", "_order")
        .drop("_order")
    )


def violation_lines(violations: pl.DataFrame) -> list[str]:
    """One line per violation, naming the opportunity and the rule: ``opportunity 898: rule: what happened``."""
    return [
        f"opportunity {opp}: {rule}: {description}"
        for opp, rule, description in violations.select("opp", "rule", "description").iter_rows()
    ]
