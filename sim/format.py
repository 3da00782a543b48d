"""How figures are written for people: one formatting shared by the CLI tables and the HTML report.

``salesim compare`` prints a comparison and ``salesim report`` writes it into HTML; both take their cells
from :func:`comparison_rows`, so the two can never disagree on a number.
"""

from __future__ import annotations

from typing import Any

import polars as pl


def fmt(value: Any) -> str:
    """A figure as a table cell: thousands separated from 1,000 up, three significant digits below, – for NaN
    or a missing value."""
    if value is None:
        return "–"
    if isinstance(value, float):
        if value != value:
            return "–"
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:.3g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def interval(mean: Any, low: Any, high: Any) -> str:
    """``mean [low, high]``, each part formatted by :func:`fmt`; just – when there is no mean."""
    if mean is None or (isinstance(mean, float) and mean != mean):
        return "–"
    return f"{fmt(mean)} [{fmt(low)}, {fmt(high)}]"


def summary_rows(summary: dict[str, Any]) -> list[tuple[str, str]]:
    """(figure, value) pairs of a run summary, as ``salesim run`` prints them."""
    return [(key.replace("_", " "), fmt(value)) for key, value in summary.items()]


def strategy_order(frame: pl.DataFrame) -> list[str]:
    """Strategies of a frame with a ``strategy`` column, in the order they first appear: the order they were
    given in, so the first is the control (of a comparison table, a chart's runs, ``runs.parquet``)."""
    return list(dict.fromkeys(frame["arm"].to_list())) if frame.height else []


def comparison_strategies(table: pl.DataFrame) -> list[str]:
    """Strategies of a comparison table in their order; the first is the control."""
    return strategy_order(table)


def comparison_header(table: pl.DataFrame) -> list[str]:
    """Column headings of the comparison table (lines separated by a newline)."""
    strategies = comparison_strategies(table)
    header = ["figure"]
    for i, name in enumerate(strategies):
        header.append(f"{name}\nmean [95% CI]")
        if i:
            header.append(f"{name} − {strategies[0]}\npaired diff [95% CI]")
    return header


def comparison_rows(table: pl.DataFrame) -> list[list[str]]:
    """One row per figure: its label, then mean [95% CI] per strategy, each followed by the paired difference
    against the control (the first strategy)."""
    strategies = comparison_strategies(table)
    rows = []
    for metric in dict.fromkeys(table["metric"].to_list()):
        by = {r["arm"]: r for r in table.filter(pl.col("metric") == metric).iter_rows(named=True)}
        cells = [by[strategies[0]]["label"]]
        for i, name in enumerate(strategies):
            r = by[name]
            cells.append(interval(r["mean"], r["ci_low"], r["ci_high"]))
            if i:
                cells.append(interval(r["diff"], r["diff_low"], r["diff_high"]))
        rows.append(cells)
    return rows
