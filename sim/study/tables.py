"""An experiment's summary as terminal tables: figures per design point, lever differences, sensitivity.

One column per kept figure, each cell ``mean [95% CI]`` (formatted as the comparison tables are, with
``(n = 8 of 20)`` when the figure is undefined in some runs), and the
factors in front; a design of many points is cut to its first :data:`MAX_ROWS` rows (the Parquet tables
under ``summary/`` hold all of them).
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
    rows: list[list[str]] = []
    for _, group in long.group_by(keys, maintain_order=True):
        first = group.row(0, named=True)
        by = {r["metric"]: r for r in group.iter_rows(named=True)}
        cells = [fmt(first[k]) for k in keys]
        cells += [
            interval(by[m][mean], by[m][low], by[m][high], by[m].get("n"), by[m].get("of"))
            if m in by
            else "–"
            for m in metrics
        ]
        rows.append(cells)
    return rows


def _table(title: str, header: list[str], rows: list[list[str]], factors: int) -> Table:
    table = Table(title=title, header_style="bold")
    for i, heading in enumerate(header):
        table.add_column(heading, justify="left" if i < factors else "right")
    for cells in rows[:MAX_ROWS]:
        table.add_row(*cells)
    if len(rows) > MAX_ROWS:
        table.caption = f"first {MAX_ROWS} of {len(rows):,} rows; all of them in summary/"
    return table


def summary_tables(info: dict[str, Any], tables: dict[str, pl.DataFrame]) -> list[Table]:
    """The rich tables of a summary (whichever of points, differences and sensitivity it has)."""
    spec = spec_of(info)
    metrics = list(spec.metrics)
    factors = factor_names(spec)
    out = []
    points = tables.get("points")
    if points is not None and points.height:
        rows = wide_rows(points.sort("point"), ["point", *factors], metrics, "mean", "ci_low", "ci_high")
        header = ["point", *factors, *[f"{m}\nmean [95% CI]" for m in metrics]]
        out.append(_table(f"{spec.name}: figures per design point", header, rows, len(factors) + 1))
    differences = tables.get("differences")
    if differences is not None and differences.height:
        keys = ["uncertainty_point", "lever_point", *factors]
        rows = wide_rows(differences, keys, metrics, "diff", "diff_low", "diff_high")
        header = ["sample", "levers", *factors, *[f"{m}\npaired diff [95% CI]" for m in metrics]]
        title = f"{spec.name}: each lever combination minus the first, paired on the same market draws"
        out.append(_table(title, header, rows, len(keys)))
    sensitivity = tables.get("sensitivity")
    if sensitivity is not None and sensitivity.height:
        if "mu_star" in sensitivity.columns:
            header = ["levers", "figure", "uncertainty", "μ*", "μ* 95% ±", "σ"]
            cells = ["lever_point", "metric", "factor", "mu_star", "mu_star_conf", "sigma"]
        else:
            header = ["levers", "figure", "uncertainty", "S1", "S1 95% ±", "ST", "ST 95% ±"]
            cells = ["lever_point", "metric", "factor", "S1", "S1_conf", "ST", "ST_conf"]
        rows = [[fmt(v) for v in row] for row in sensitivity.select(cells).iter_rows()]
        out.append(
            _table(f"{spec.name}: sensitivity to the uncertainties ({spec.design.kind})", header, rows, 3)
        )
    return out
