"""How a takeaway says its numbers, the same way in every chart: a change against the control ("35% more",
"2,475 fewer"), shares, counts and arm lists. A takeaway names the arms it compares and carries the numbers the
chart draws, so each is a sentence a VP can repeat without reading the axes."""

from __future__ import annotations

import math
from collections.abc import Sequence

import polars as pl

from sim.words.format import money

__all__ = ["change", "count", "joined", "mean_of", "money", "percent", "relative"]


def relative(value: float, reference: float, more: str = "more", less: str = "less") -> str:
    """``value`` against ``reference`` in words: ``35% more``, ``12% less``, ``about the same`` (within 0.5%);
    empty when the reference is zero or either is missing."""
    if any(math.isnan(v) for v in (value, reference)) or reference == 0:
        return ""
    ratio = value / reference - 1
    if abs(ratio) < 0.005:
        return "about the same"
    return f"{abs(ratio):.0%} {more if ratio > 0 else less}"


def change(value: float, reference: float, unit: str = "", more: str = "more", less: str = "fewer") -> str:
    """An absolute difference in words: ``2,475 fewer hours``, ``$1.2M more``; ``no more`` when equal."""
    diff = value - reference
    if math.isnan(diff):
        return ""
    if round(diff) == 0:
        return f"no {more}" if not unit else f"no {more} {unit}".rstrip()
    amount = money(abs(diff)) if unit == "$" else f"{abs(diff):,.0f}"
    word = more if diff > 0 else less
    return f"{amount} {word}" if unit in ("", "$") else f"{amount} {word} {unit}"


def percent(share: float, digits: int = 0) -> str:
    """A share as a percentage: ``41%`` (``–`` when missing)."""
    return "–" if math.isnan(share) else f"{share:.{digits}%}"


def count(value: float) -> str:
    """A whole number with thousands separated: ``2,475`` (``–`` when missing)."""
    return "–" if math.isnan(value) else f"{value:,.0f}"


def joined(parts: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    items = [p for p in parts if p]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""


def mean_of(values: pl.Series) -> float:
    """The mean of a numeric column as a float, NaN when it has no values (polars types it loosely)."""
    mean = values.mean()
    return math.nan if mean is None else float(mean)  # type: ignore[arg-type]
