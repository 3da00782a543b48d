"""``salesim experiment summarize``: the tidy ``results.parquet`` (one row per run, read by polars and by DuckDB
alone) and terminal tables that fit 80 columns, on a small factorial and a small Morris experiment."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from conftest import run_cli
from test_experiments import GROUPS, SWEEP, TINY

import sim
from sim.metrics.summary import FIGURES
from sim.study.experiments import run_experiment
from sim.study.runner import Execution

SERIAL = Execution(workers=1)

HEAD = """name = "{name}"
question = "a test"
scenario = "baseline"
set = {set}
replications = 2
seed = 5
metrics = ["revenue", "deals_won", "win_rate", "walk_away_rate", "wasted_hours", "share_making_quota",
           "median_sales_won_cycle_f1000"]
"""
UNCERTAINTIES = {
    "stalling_cio": ("market.f1000.buying_center.stalling_cio_probability", [0.1, 0.6]),
    "smb_win_odds": ("market.smb.win_base", [0.2, 0.6]),
    "mid_market_indecision": ("market.mid_market.no_decision_base", [0.15, 0.45]),
}
MORRIS = '[design]\nkind = "morris"\nsamples = 2\nlevels = 4\n' + "".join(
    f'[[uncertainties]]\nname = "{name}"\npath = "{path}"\nrange = {bounds}\n'
    for name, (path, bounds) in UNCERTAINTIES.items()
)

DESIGNS = {"factorial": (SWEEP, ["strategy", "walk_away_days"], 4), "morris": (MORRIS, [], 2 * 4)}


@pytest.fixture(scope="module", params=sorted(DESIGNS))
def summarised(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """A small experiment of each design kind, run in this process and summarised by the CLI at 80 columns."""
    kind = request.param
    folder = tmp_path_factory.mktemp(kind)
    body, _, _ = DESIGNS[kind]
    path = folder / "exp.toml"
    path.write_text(HEAD.format(name=kind, set=json.dumps([*TINY, GROUPS])) + body)
    out = folder / "out"
    run_experiment(path, out, SERIAL)
    result = run_cli(["experiment", "summarize", str(out)], cwd=folder)
    assert result.returncode == 0, result.stderr
    (folder / "summary.txt").write_text(result.stdout)
    return kind, out


def test_results_parquet_is_one_row_per_run_read_by_duckdb_alone(summarised: tuple[str, Path]) -> None:
    duckdb = pytest.importorskip("duckdb")
    kind, out = summarised
    _, levers, points = DESIGNS[kind]
    path = out / "results.parquet"
    relation = duckdb.sql(f"select * from '{path}'")
    columns = relation.columns
    rows = relation.fetchall()
    assert len(rows) == points * 2
    keys = {(row[columns.index("point")], row[columns.index("replication")]) for row in rows}
    assert len(keys) == len(rows)
    design = pl.read_parquet(out / "design.parquet")
    factors = levers or list(UNCERTAINTIES)
    expected = {"point", "replication", "seed", "status", *factors}
    assert expected <= set(columns) and set(factors) <= set(design.columns)
    # The figures carry the names a run's summary gives them (``revenue`` is bookings, whole run with warm-up).
    figures = ["revenue", "deals_won", "win_rate", "walk_away_rate", "wasted_hours", "share_making_quota"]
    assert set(figures) <= set(columns) and set(figures) <= set(FIGURES)
    assert {row[columns.index("status")] for row in rows} == {"done"}
    counted = duckdb.sql(f"select count(*) as n, count(distinct seed) as seeds from '{path}'").fetchall()
    assert counted == [(points * 2, 2)]
    # polars reads the same table, and ``sim.experiment`` on the finished directory returns it.
    read = pl.read_parquet(path)
    again = sim.experiment(out.parent / "exp.toml", out, workers=1)
    assert read.equals(again) and read.columns == columns and read.height == len(rows)


def test_summarize_fits_80_columns_and_cuts_no_cell(summarised: tuple[str, Path]) -> None:
    kind, out = summarised
    text = (out.parent / "summary.txt").read_text()
    # The lines naming where the tables went print their path whole (the terminal wraps a long path; the CLI
    # never breaks one), so only they may pass 80 columns, and only by the path's length.
    lines = [line.replace(str(out), "DIR") for line in text.splitlines()]
    assert "…" not in text
    assert max(len(line) for line in lines) <= 80, [line for line in lines if len(line) > 80]
    assert "revenue: per design point" in text
    if kind == "morris":
        # One lever combination: no lever column, and the sensitivity tables name the uncertainties.
        assert "levers" not in text and "smb_win_odds" in text and "μ*" in text
    else:
        assert "revenue: minus levers 0" in text and "qualify-hard" in text
