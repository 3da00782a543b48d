"""Headline sentences: the answer on top of every run, comparison and report, in words, with its interval.

A comparison's headline answers its question on bookings, the figure a sales leader is judged by: how much
more (or less) each arm books than the control, with the 95% interval of the paired difference, and what it
costs in wasted selling hours (deals that ended not won, and screening) and, beside them, in unused capacity
(idle hours, never counted as waste); or, when the interval spans zero, that there is no significant
difference.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from sim.words.format import by_unit, comparison_strategies, money


def _row(table: pl.DataFrame, metric: str, arm: str) -> dict[str, Any] | None:
    part = table.filter((pl.col("metric") == metric) & (pl.col("arm") == arm))
    return part.row(0, named=True) if part.height else None


def _significant(row: dict[str, Any] | None) -> bool:
    if row is None or row["diff_low"] is None or row["diff_high"] is None:
        return False
    low, high = float(row["diff_low"]), float(row["diff_high"])
    return low == low and high == high and (low > 0 or high < 0)


def _finite(row: dict[str, Any] | None, key: str) -> bool:
    return row is not None and row.get(key) is not None and row[key] == row[key]


def arm_sentence(table: pl.DataFrame, arm: str, control: str) -> str:
    """One arm against the control: bookings a quota year (a run's, when no quota year completed), with the
    interval of the difference, then wasted hours, then idle hours (unused capacity), each when resolved."""
    figure, per = "bookings_per_quota_year", "a quota year"
    if not (_finite(_row(table, figure, arm), "diff") and _finite(_row(table, figure, control), "mean")):
        figure, per = "revenue", "a run"
    bookings = _row(table, figure, arm)
    base = _row(table, figure, control)
    if bookings is None or base is None or bookings["diff"] is None:
        return f"{arm}: no bookings figure to compare."
    if _finite(bookings, "diff_low") and _finite(bookings, "diff_high"):
        interval = f"95% CI {money(bookings['diff_low'], True)} to {money(bookings['diff_high'], True)}"
    else:  # one replication, or one pair where both arms are defined: no interval
        interval = f"{money(float(bookings['diff']), True)}, no interval from one replication"
    if not _significant(bookings):
        sentence = f"No significant difference in bookings between {arm} and {control} ({interval} {per})"
    else:
        diff = float(bookings["diff"])
        share = diff / float(base["mean"]) if base["mean"] else float("nan")
        more = "more" if diff > 0 else "less"
        percent = f"{abs(share) * 100:.0f}% {more}" if share == share else f"{money(abs(diff))} {more}"
        sentence = f"{arm} books {percent} than {control}: {money(diff, True)} {per} ({interval})"
    wasted = _row(table, "wasted_hours", arm)
    if _significant(wasted) and wasted is not None:
        fewer = "fewer" if float(wasted["diff"]) < 0 else "more"
        sentence += f", with {abs(float(wasted['diff'])):,.0f} {fewer} wasted selling hours"
    idle = _row(table, "idle_hours", arm)
    if _significant(idle) and idle is not None:
        # Unused capacity is said beside the waste, never in it, and neither better nor worse.
        fewer = "fewer" if float(idle["diff"]) < 0 else "more"
        sentence += f"{' and' if _significant(wasted) else ', with'} {abs(float(idle['diff'])):,.0f} {fewer} idle hours (unused capacity, not waste)"
    return sentence + "."


def comparison_headline(table: pl.DataFrame) -> str:
    """The answer of a comparison: each arm against the first (the control), one sentence each."""
    names = comparison_strategies(table)
    if len(names) < 2:
        return run_headline_from_table(table, names[0]) if names else ""
    return " ".join(arm_sentence(table, arm, names[0]) for arm in names[1:])


def run_headline_from_table(table: pl.DataFrame, arm: str) -> str:
    """A single arm's headline from a comparison table (its means)."""
    figures = {r["metric"]: r["mean"] for r in table.filter(pl.col("arm") == arm).iter_rows(named=True)}
    return run_headline(figures, arm)


def run_headline(summary: dict[str, Any], strategy: str) -> str:
    """A run's answer: what it booked, how many reps made quota, and where the selling hours went."""
    parts = [f"{strategy} booked {money(float(summary.get('revenue') or 0.0))}"]
    won = summary.get("deals_won")
    if won is not None and won == won:
        parts[0] += f" from {int(won):,} deals"
    yearly = summary.get("bookings_per_quota_year")
    if yearly is not None and yearly == yearly:
        parts[0] += f" ({money(float(yearly))} a quota year after the warm-up)"
    quota = summary.get("share_making_quota")
    if quota is not None and quota == quota:
        parts.append(f"{by_unit(quota, 'share')} of reps made quota")
    wasted = summary.get("wasted_share")
    if wasted is not None and wasted == wasted:
        parts.append(
            f"{by_unit(wasted, 'share')} of selling hours were wasted on deals it did not win and on screening"
        )
    idle = summary.get("idle_share")
    if idle is not None and idle == idle:
        parts.append(f"{by_unit(idle, 'share')} went unused (idle capacity, not waste)")
    return "; ".join(parts) + "."
