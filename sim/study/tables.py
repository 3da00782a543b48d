"""An experiment's summary as terminal tables: figures per design point, lever differences, sensitivity.

The design points' factors in one table, then one table per kept figure, each cell ``mean [95% CI]``
(formatted as the comparison tables are, with ``(n = 8 of 20)`` when the figure is undefined in some runs):
narrow enough for 80 columns, however many figures are kept. A design of many points is cut to its first
:data:`MAX_ROWS` rows (the Parquet tables under ``summary/`` and ``results.parquet`` hold all of them).
"""

from __future__ import annotations

from typing import Any

import polars as pl
from rich.table import Table

from sim.study.analysis import factor_names, spec_of
from sim.words.format import fmt, interval

MAX_ROWS = 40
"""Rows printed per table."""


def wide_rows(
    long: pl.DataFrame, keys: list[str], metrics: list[str], mean: str, low: str, high: str
) -> list[list[str]]:
    """One row per key, one ``mean [95% CI]`` cell per figure (the report's wide table)."""
    rows: list[list[str]] = []
    for _, group in long.group_by(keys, maintain_order=True):
        first = group.row(0, named=True)
        by = {r["metric"]: r for r in group.iter_rows(named=True)}
        cells = [fmt(first[k]) for k in keys]
        cells += [_cell(by[m], mean, low, high) if m in by else "–" for m in metrics]
        rows.append(cells)
    return rows


def _cell(row: dict[str, Any], mean: str, low: str, high: str) -> str:
    return interval(row[mean], row[low], row[high], row.get("n"), row.get("of"))


def _table(title: str, header: list[str], rows: list[list[str]], keys: int, caption: str = "") -> Table:
    """A table of at most :data:`MAX_ROWS` rows; a column empty in every row (all ``–`` or blank) is dropped.

    Cells fold rather than end in "…", so a narrow terminal wraps a cell and never cuts it."""
    shown = rows[:MAX_ROWS]
    kept = [i for i in range(len(header)) if any(r[i] not in ("", "–") for r in shown)] or list(
        range(len(header))
    )
    table = Table(title=title, header_style="bold")
    for i in kept:
        table.add_column(header[i], justify="left" if i < keys else "right", overflow="fold")
    for cells in shown:
        table.add_row(*[cells[i] for i in kept])
    notes = [caption] if caption else []
    if len(rows) > MAX_ROWS:
        notes.append(f"first {MAX_ROWS} of {len(rows):,} rows; all of them in summary/")
    table.caption = "; ".join(notes) or None
    return table


def summary_tables(info: dict[str, Any], tables: dict[str, pl.DataFrame]) -> list[Table]:
    """The rich tables of a summary (whichever of points, differences and sensitivity it has), narrow enough
    for an 80-column terminal: the design points' factors in one table, then each figure in its own (one row
    per point), the sensitivity indices one table per figure; a lever column is shown only when the design
    has more than one lever combination."""
    spec = spec_of(info)
    metrics = list(spec.metrics)
    factors = factor_names(spec)
    several_levers = int(info.get("lever_points", 1)) > 1
    several_samples = int(info.get("uncertainty_points", 1)) > 1
    out = []
    points = tables.get("points")
    if points is not None and points.height:
        design = points.unique(subset=["point"], keep="first").sort("point")
        both = several_levers and several_samples
        keys = ["point", *(["uncertainty_point", "lever_point"] if both else []), *factors]
        header = ["point", *(["sample", "levers"] if both else []), *factors]
        rows = [[fmt(v) for v in row] for row in design.select(keys).iter_rows()]
        if factors:
            out.append(_table(f"{spec.name}: design points", header, rows, len(header)))
        for metric in metrics:
            part = points.filter(pl.col("metric") == metric).sort("point")
            rows = [
                [fmt(r["point"]), _cell(r, "mean", "ci_low", "ci_high")] for r in part.iter_rows(named=True)
            ]
            out.append(_table(f"{metric}: per design point", ["point", "mean [95% CI]"], rows, 1))
    differences = tables.get("differences")
    if differences is not None and differences.height:
        for metric in metrics:
            part = differences.filter(pl.col("metric") == metric).sort("uncertainty_point", "lever_point")
            rows = [
                [
                    *([fmt(r["uncertainty_point"])] if several_samples else []),
                    fmt(r["lever_point"]),
                    _cell(r, "diff", "diff_low", "diff_high"),
                ]
                for r in part.iter_rows(named=True)
            ]
            header = [*(["sample"] if several_samples else []), "levers", "paired diff [95% CI]"]
            paired = "paired by replication on the same market draws"
            out.append(_table(f"{metric}: minus levers 0", header, rows, len(header) - 1, paired))
    sensitivity = tables.get("sensitivity")
    if sensitivity is not None and sensitivity.height:
        if "mu_star" in sensitivity.columns:
            header = ["uncertainty", "μ*", "μ* 95% ±", "σ"]
            cells = ["factor", "mu_star", "mu_star_conf", "sigma"]
        else:
            header = ["uncertainty", "S1", "S1 95% ±", "ST", "ST 95% ±"]
            cells = ["factor", "S1", "S1_conf", "ST", "ST_conf"]
        for (lever, metric), part in sensitivity.group_by("lever_point", "metric", maintain_order=True):
            rows = [[fmt(v) for v in row] for row in part.select(cells).iter_rows()]
            at = f", levers {lever}" if several_levers else ""
            title = f"{metric}: sensitivity ({spec.design.kind}{at})"
            out.append(_table(title, header, rows, 1))
    return out
