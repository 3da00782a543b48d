"""How figures are written for people: one formatting shared by the terminal, the HTML report and the app.

A comparison table flows one way. :func:`sim.study.comparison.compare_table` computes the numbers (per figure
and arm: mean, 95% interval, paired difference against the control); this module turns them into words: a
figure's label (:func:`figure_label`), each cell (:func:`comparison_rows`, :func:`curated_comparison`) and
whether a difference is better or worse (:func:`verdict`). ``salesim compare``, ``salesim report`` and the
workshop app only lay those strings out, so they can never disagree on a number, a label or a mark.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import polars as pl

from sim.metrics.headlines import HEADLINE_BY_KEY, HEADLINES
from sim.metrics.summary import TABLE_METRICS

Verdict = Literal["better", "worse", ""]
"""How a paired difference reads: its interval excludes zero in the figure's good (``better``) or bad
(``worse``) direction, or it says nothing (``""``: the interval includes zero, or the figure has no good
direction)."""


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


def interval(mean: Any, low: Any, high: Any, n: Any = None, of: Any = None) -> str:
    """``mean [low, high]``, each part formatted by :func:`fmt`; just – when there is no mean. With ``n`` of
    ``of`` replications defining it (fewer than all), the count follows: ``0.21 [0.1, 0.3] (n = 8 of 20)``."""
    if mean is None or (isinstance(mean, float) and mean != mean):
        return "–"
    count = defined_in(n, of)
    return f"{fmt(mean)} [{fmt(low)}, {fmt(high)}]" + (f" ({count})" if count else "")


def defined_in(n: Any, of: Any) -> str:
    """``n = 8 of 20`` when a figure is defined in only ``n`` of the ``of`` replications (a rate over no deals
    is undefined and left out of its interval); empty when it is defined in all of them, or not known."""
    if _missing(n) or _missing(of) or int(n) >= int(of):
        return ""
    return f"n = {int(n)} of {int(of)}"


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


def figure_label(figure: str) -> str:
    """A figure's label in tables: the headline label, the classic label, or its name in words."""
    if figure in HEADLINE_BY_KEY:
        return HEADLINE_BY_KEY[figure].label
    return TABLE_METRICS.get(figure, (figure.replace("_", " "), True))[0]


def more_is_better(figure: str) -> bool | None:
    """A figure's good direction: the headline's (None: neither), else the classic table's; a figure neither
    declares is read as more is better."""
    headline = HEADLINE_BY_KEY.get(figure)
    return headline.more_is_better if headline else TABLE_METRICS.get(figure, ("", True))[1]


def verdict(row: Mapping[str, Any] | None, figure: str) -> Verdict:
    """``better`` / ``worse`` when a table row's paired difference has a 95% interval that excludes zero (and
    the figure has a good direction), else ``""``."""
    good = more_is_better(figure)
    if row is None or good is None:
        return ""
    low, high = row["diff_low"], row["diff_high"]
    if _missing(low) or _missing(high) or not (low > 0 or high < 0):
        return ""
    return "better" if (low > 0) == good else "worse"


def comparison_header(table: pl.DataFrame) -> list[str]:
    """Column headings of the comparison table (lines separated by a newline)."""
    strategies = comparison_strategies(table)
    header = ["figure"]
    for i, name in enumerate(strategies):
        header.append(f"{name}\nmean [95% CI]")
        if i:
            header.append(f"{name} − {strategies[0]}\npaired diff [95% CI]")
    return header


def _by_figure(table: pl.DataFrame) -> list[tuple[str, dict[str, dict[str, Any]]]]:
    """The table's rows per figure, in its order: (figure, {arm: row})."""
    return [
        (metric, {r["arm"]: r for r in table.filter(pl.col("metric") == metric).iter_rows(named=True)})
        for metric in dict.fromkeys(table["metric"].to_list())
    ]


def comparison_rows(table: pl.DataFrame, labels: Mapping[str, str] | None = None) -> list[list[str]]:
    """One row per figure: its label (:func:`figure_label`, unless ``labels`` names it), then mean [95% CI] per
    strategy, each followed by the paired difference against the control (the first strategy)."""
    strategies = comparison_strategies(table)
    rows = []
    for metric, by in _by_figure(table):
        cells = [(labels or {}).get(metric) or figure_label(metric)]
        for i, name in enumerate(strategies):
            r = by[name]
            cells.append(interval(r["mean"], r["ci_low"], r["ci_high"], r.get("n"), r.get("of")))
            if i:
                cells.append(interval(r["diff"], r["diff_low"], r["diff_high"], r.get("diff_n"), r.get("of")))
        rows.append(cells)
    return rows


def comparison_marks(table: pl.DataFrame) -> list[list[Verdict]]:
    """The :func:`verdict` of every cell of :func:`comparison_rows` (``""`` but in the difference columns)."""
    strategies = comparison_strategies(table)
    marks: list[list[Verdict]] = []
    for metric, by in _by_figure(table):
        row: list[Verdict] = [""]
        for i, name in enumerate(strategies):
            row.append("")
            if i:
                row.append(verdict(by.get(name), metric))
        marks.append(row)
    return marks


# ---------------------------------------------------------------------------------------------------------
# Headline figures, written with their units (the curated summary: terminal, report, 80 columns)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def money(value: float, signed: bool = False) -> str:
    """Dollars, short: $950, $12.3k, $4.56M, $1.2B (a sign in front when ``signed``)."""
    sign = ("+" if value > 0 else "−" if value < 0 else "") if signed else ("−" if value < 0 else "")
    v = abs(value)
    for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if v >= threshold:
            scaled = v / threshold
            return f"{sign}${scaled:.3g}{suffix}" if scaled < 100 else f"{sign}${scaled:,.0f}{suffix}"
    return f"{sign}${v:,.0f}"


def by_unit(value: Any, unit: str, signed: bool = False) -> str:
    """A figure written in its unit: ``$12.5M``, ``61%``, ``12,345 h``, ``120 days``, ``1,234``; – if missing.

    With ``signed`` (a difference), a share is written in percentage points (``+5.1 pts``).
    """
    if _missing(value):
        return "–"
    v = float(value)
    sign = "+" if signed and v > 0 else ("−" if v < 0 else "")
    a = abs(v)
    if unit == "usd":
        return money(v, signed)
    if unit == "share":
        digits = 1 if 0 < a < 0.1 else 0
        return f"{sign}{a * 100:.{digits}f} pts" if signed else f"{sign}{a * 100:.{digits}f}%"
    if unit == "hours":
        return f"{sign}{a:,.0f} h" if a >= 100 or a == int(a) else f"{sign}{a:.1f} h"
    if unit == "hours_per_1k":
        return f"{sign}{a:.2f} h"
    if unit == "days":
        return f"{sign}{a:,.0f} days"
    return f"{sign}{a:,.0f}" if a >= 100 or a == int(a) else f"{sign}{a:.3g}"


_SUFFIX = {
    "share": ("%", " pts"),
    "hours": (" h", " h"),
    "hours_per_1k": (" h", " h"),
    "days": (" days", " days"),
}


def range_by_unit(low: Any, high: Any, unit: str, signed: bool = False) -> str:
    """A 95% interval in the figure's unit, its suffix written once: ``$11.2M–$13.8M``, ``8.4–32%``,
    ``−13 to +0.4 pts``; empty when it cannot be computed."""
    if _missing(low) or _missing(high):
        return ""
    lo, hi = by_unit(low, unit, signed), by_unit(high, unit, signed)
    suffix = _SUFFIX.get(unit, ("", ""))[1 if signed else 0]
    if suffix and lo.endswith(suffix):
        lo = lo[: -len(suffix)]
    return f"{lo} to {hi}" if signed else f"{lo}–{hi}"


def headline_rows(
    summary: dict[str, Any], scale: dict[str, float] | None = None
) -> list[tuple[str, str, str]]:
    """(group, figure, value) of a run's headline figures, grouped, in reading order; the group named on the
    first row of each. Figures the run lacks are left out, figures it has but cannot compute are –; ``scale``
    multiplies a stored figure for display."""
    rows: list[tuple[str, str, str]] = []
    last = ""
    for h in HEADLINES:
        if h.key not in summary:
            continue
        # A figure the run has but cannot compute (a rate over no deals) is shown as –, never as 0.
        value = None if _missing(summary[h.key]) else float(summary[h.key]) * (scale or {}).get(h.key, 1.0)
        rows.append((h.group if h.group != last else "", h.label, by_unit(value, h.unit)))
        last = h.group
    return rows


@dataclass(frozen=True)
class CuratedTable:
    """A table of headline figures: its header, its rows, the group each row opens ("" if none), the figure
    each row shows, and the :func:`verdict` of each row's paired difference (``""`` without one)."""

    header: list[str]
    rows: list[list[str]]
    groups: list[str]
    figures: list[str]
    marks: list[Verdict]


def _stacked(first: str, *more: str) -> str:
    return "\n".join([first, *(line for line in more if line)])


def curated_comparison(table: pl.DataFrame, arms: list[str] | None = None) -> CuratedTable:
    """A comparison's headline figures for ``arms`` (default: all; the first is the control): each cell the
    mean over its 95% interval, on two lines, so the table fits 80 columns; a column per arm, then the paired
    difference from the control when there are two arms (more arms: one table per arm against the control)."""
    names = arms or comparison_strategies(table)
    control = names[0]
    with_diff = len(names) == 2
    header = ["figure", *names] + ([f"{names[1]} − {control}"] if with_diff else [])
    rows: list[list[str]] = []
    groups: list[str] = []
    figures: list[str] = []
    marks: list[Verdict] = []
    last = ""
    for h in HEADLINES:
        by = {r["arm"]: r for r in table.filter(pl.col("metric") == h.key).iter_rows(named=True)}
        if all(n not in by or _missing(by[n]["mean"]) for n in names):
            continue
        cells = [h.label]
        for n in names:
            r = by.get(n)
            cells.append(
                "–"
                if r is None or _missing(r["mean"])
                else _stacked(
                    by_unit(r["mean"], h.unit),
                    range_by_unit(r["ci_low"], r["ci_high"], h.unit),
                    defined_in(r.get("n"), r.get("of")),
                )
            )
        if with_diff:
            r = by.get(names[1])
            cells.append(
                "–"
                if r is None or _missing(r["diff"])
                else _stacked(
                    by_unit(r["diff"], h.unit, signed=True),
                    range_by_unit(r["diff_low"], r["diff_high"], h.unit, signed=True),
                    defined_in(r.get("diff_n"), r.get("of")),
                )
            )
        rows.append(cells)
        groups.append(h.group if h.group != last else "")
        figures.append(h.key)
        marks.append(verdict(by.get(names[1]), h.key) if with_diff else "")
        last = h.group
    return CuratedTable(header, rows, groups, figures, marks)


def curated_comparisons(table: pl.DataFrame) -> list[CuratedTable]:
    """The curated comparison as tables of at most two arms each: every arm against the control."""
    names = comparison_strategies(table)
    if len(names) <= 2:
        return [curated_comparison(table, names)]
    return [curated_comparison(table, [names[0], name]) for name in names[1:]]
