"""The published ranges the baseline scenario must land in, and the figures of a log to check against them.

Loose on purpose (``shared/CALIBRATION.md``): they check that the defaults are plausible, not tuned. Each
figure is computed from the event log by ``sim.metrics``; ``docs/calibration.md`` cites the sources.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from sim import metrics


@dataclass(frozen=True, slots=True)
class Range:
    """A published range for one figure of the baseline log."""

    figure: str
    low: float
    high: float
    source: str

    def holds(self, value: float) -> bool:
        """Whether a value lies in the range (bounds included)."""
        return self.low <= value <= self.high


RANGES: tuple[Range, ...] = (
    Range("median_won_cycle_smb_days", 14, 60, "practitioner sites: SMB 14-30 days (blog)"),
    Range(
        "median_won_cycle_f1000_days",
        120,
        540,
        "practitioner sites: enterprise 90-180+ days, strategic 6-12+ months",
    ),
    Range("f1000_buying_minus_sales_cycle_days", 0.0, float("inf"), "Gartner (Barnes): ~18 vs ~12 months"),
    Range("f1000_no_decision_share_of_decided", 0.35, 0.65, "Dixon & McKenna, The JOLT Effect: 40-60%"),
    Range("win_rate", 0.12, 0.40, "HubSpot / Ebsta x Pavilion 2025: about 20%"),
    Range("selling_share", 0.30, 0.45, "CSO Insights 2011: 41%; HubSpot: 34%"),
    Range("share_making_quota", 0.35, 0.70, "CSO Insights: 52-57% (2009-2015), 54% (2018)"),
    Range("f1000_median_discount", 0.10, 0.45, "advisory firms: 20-40% early procurement, 6-14% late"),
)


def _median(frame: pl.DataFrame, column: str) -> float:
    value = frame[column].median() if frame.height else None
    return float(value) if value is not None else float("nan")  # type: ignore[arg-type]


def figures(events: pl.DataFrame) -> dict[str, float]:
    """The calibration figures of one log."""
    cycles = metrics.cycle_lengths(events)
    opps = metrics.opportunities(events)
    f1000 = opps.filter(pl.col("segment") == "f1000")
    decided = f1000.filter(pl.col("outcome").is_in(metrics.DECIDED))
    won = metrics.discounts(events).filter(pl.col("segment") == "f1000")
    summary = metrics.summary(events)
    cycle = {
        (seg, kind): _median(cycles.filter((pl.col("segment") == seg) & (pl.col("cycle") == kind)), "days")
        for seg in ("smb", "f1000")
        for kind in ("sales", "sales_won", "buying")
    }
    return {
        "median_won_cycle_smb_days": cycle[("smb", "sales_won")],
        "median_won_cycle_f1000_days": cycle[("f1000", "sales_won")],
        "f1000_buying_minus_sales_cycle_days": cycle[("f1000", "buying")] - cycle[("f1000", "sales")],
        "f1000_no_decision_share_of_decided": (
            decided.filter(pl.col("outcome") == "no_decision").height / decided.height
            if decided.height
            else float("nan")
        ),
        "win_rate": summary["win_rate"],
        "selling_share": summary["selling_share"],
        "share_making_quota": summary["share_making_quota"],
        "f1000_median_discount": _median(won, "discount"),
    }
