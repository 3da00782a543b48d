"""The leader's view: headline figures with units, grouped; tables that fit 80 columns; a headline sentence;
every figure one flag away; machine-readable output."""

from __future__ import annotations

import json
import os
from pathlib import Path

import polars as pl
import pytest
from conftest import SMALL, run_cli

from sim.metrics import FIGURES
from sim.words.format import (
    by_unit,
    comparison_marks,
    comparison_rows,
    curated_comparison,
    figure_label,
    range_by_unit,
)
from sim.words.narrative import comparison_headline, run_headline

SETS = [arg for o in (*SMALL, "horizon_days=400") for arg in ("--set", o)]


def plain_env() -> dict[str, str]:
    """The environment of a piped command with no COLUMNS set (the 80-column default)."""
    return {k: v for k, v in os.environ.items() if k != "COLUMNS"}


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("leader")
    args = ["compare", "baseline", "--strategies", "numbers-game,qualify-hard", "--replications", "3"]
    done = run_cli([*args, "--workers", "2", "--out", "cmp", *SETS], cwd=folder, env=plain_env())
    assert done.returncode == 0, done.stderr
    return folder, done.stdout


def test_units_are_written_as_a_leader_reads_them() -> None:
    assert by_unit(12_521_491.0, "usd") == "$12.5M"
    assert by_unit(950.0, "usd") == "$950"
    assert by_unit(-42_400.0, "usd", signed=True) == "−$42.4k"
    assert by_unit(0.608, "share") == "61%"
    assert by_unit(0.052, "share", signed=True) == "+5.2 pts"
    assert by_unit(2475.4, "hours") == "2,475 h"
    assert by_unit(None, "usd") == "–"
    assert range_by_unit(0.084, 0.32, "share") == "8.4–32%"
    assert range_by_unit(-0.13, 0.004, "share", signed=True) == "−13 to +0.4 pts"


def test_the_comparison_table_fits_80_columns_and_leads_with_a_headline(compared: tuple[Path, str]) -> None:
    _, printed = compared
    lines = printed.splitlines()
    prose = ("question:", "runs and tables", "arms:", "every figure", "No significant", "qualify-hard books")
    table = [line for line in lines if line.strip() and not line.startswith(prose)]
    assert table and all(len(line) <= 80 for line in table), max(table, key=len)
    headline = next(
        line for line in lines if "qualify-hard" in line and "numbers-game" in line and "95% CI" in line
    )
    assert lines.index(headline) < next(i for i, line in enumerate(lines) if "BOOKINGS" in line)
    for group in ("BOOKINGS", "PIPELINE", "TIME", "PEOPLE"):
        assert any(line.strip().startswith(group) for line in lines), group


def test_every_figure_is_one_flag_away(tmp_path: Path) -> None:
    done = run_cli(["run", "baseline", "--all", "--out", "r", *SETS], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    for figure in ("no decision went dark hours", "lost after shortlist hours", "admin hours"):
        assert figure in done.stdout
    curated = run_cli(["run", "baseline", "--out", "r2", *SETS], cwd=tmp_path, env=plain_env())
    assert "no decision went dark hours" not in curated.stdout
    assert "BOOKINGS" in curated.stdout and "$" in curated.stdout and "%" in curated.stdout
    assert all(
        len(line) <= 80
        for line in curated.stdout.splitlines()
        if not line.startswith(("numbers-game", "every", "1", "2", "3", "4", "5", "6", "7", "8", "9"))
    )


def test_machine_readable_output_parses(tmp_path: Path) -> None:
    as_json = run_cli(["run", "baseline", "--format", "json", "--out", "r", *SETS], cwd=tmp_path)
    assert as_json.returncode == 0, as_json.stderr
    summary = json.loads(as_json.stdout)
    assert (
        {"revenue", "wasted_hours", "share_making_quota"}
        <= set(summary)
        <= set(FIGURES) | {k for k in summary if k.endswith(("_smb", "_mid_market", "_f1000"))}
    )
    assert summary == json.loads((tmp_path / "r" / "summary.json").read_text())
    as_csv = run_cli(["run", "baseline", "--format", "csv", "--out", "r2", *SETS], cwd=tmp_path)
    frame = pl.read_csv(as_csv.stdout.encode())
    assert frame.columns == ["figure", "value"] and "revenue" in frame["figure"].to_list()
    args = [
        "compare",
        "baseline",
        "--strategies",
        "numbers-game,qualify-hard",
        "--replications",
        "2",
        "--workers",
        "1",
    ]
    table_csv = run_cli([*args, "--format", "csv", "--out", "c", *SETS], cwd=tmp_path)
    assert table_csv.returncode == 0, table_csv.stderr
    table = pl.read_csv(table_csv.stdout.encode())
    assert {"metric", "arm", "mean", "ci_low", "ci_high", "diff"} <= set(table.columns)
    assert set(table["arm"].to_list()) == {"numbers-game", "qualify-hard"}
    table_json = run_cli([*args, "--format", "json", "--out", "c2", *SETS], cwd=tmp_path)
    parsed = json.loads(table_json.stdout)
    assert "headline" in parsed and len(parsed["table"]) == table.height


def test_a_bad_format_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = run_cli(["run", "baseline", "--format", "xml", "--out", "r", *SETS], cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == "error: --format 'xml': must be one of table, csv, json"
    assert not (tmp_path / "r").exists()


def _table(rows: list[tuple[str, str, float, float | None, float | None, float | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "metric": m,
                "arm": a,
                "mean": mean,
                "ci_low": mean,
                "ci_high": mean,
                "diff": d,
                "diff_low": lo,
                "diff_high": hi,
            }
            for m, a, mean, d, lo, hi in rows
        ],
        schema_overrides={"diff": pl.Float64, "diff_low": pl.Float64, "diff_high": pl.Float64},
    )


def test_the_headline_says_how_much_more_or_that_there_is_no_difference() -> None:
    significant = _table(
        [
            ("revenue", "numbers-game", 1_000_000.0, None, None, None),
            ("revenue", "qualify-hard", 1_350_000.0, 350_000.0, 120_000.0, 580_000.0),
            ("wasted_hours", "numbers-game", 9000.0, None, None, None),
            ("wasted_hours", "qualify-hard", 6525.0, -2475.0, -3000.0, -1900.0),
        ]
    )
    assert comparison_headline(significant) == (
        "qualify-hard books 35% more than numbers-game: +$350k a run (95% CI +$120k to +$580k), "
        "with 2,475 fewer wasted selling hours."
    )
    flat = _table(
        [
            ("revenue", "numbers-game", 1_000_000.0, None, None, None),
            ("revenue", "pressure", 990_000.0, -10_000.0, -90_000.0, 70_000.0),
        ]
    )
    assert comparison_headline(flat) == (
        "No significant difference in bookings between pressure and numbers-game (95% CI −$90k to +$70k a run)."
    )
    assert run_headline(
        {
            "revenue": 2.5e6,
            "deals_won": 40,
            "share_making_quota": 0.25,
            "wasted_share": 0.5,
            "idle_share": 0.3,
        },
        "x",
    ) == (
        "x booked $2.5M from 40 deals; 25% of reps made quota; 50% of selling hours were wasted on deals it did "
        "not win and on screening; 30% went unused (idle capacity, not waste)."
    )


def test_words_label_and_mark_a_comparison_from_its_numbers_alone() -> None:
    """The table holds numbers (no label column here); words name each figure and mark each difference, the
    same marks for the curated table (app, report) and the table of every figure (report)."""
    table = _table(
        [
            ("revenue", "numbers-game", 1_000_000.0, None, None, None),
            ("revenue", "qualify-hard", 1_350_000.0, 350_000.0, 120_000.0, 580_000.0),
            ("wasted_hours", "numbers-game", 9000.0, None, None, None),
            ("wasted_hours", "qualify-hard", 9900.0, 900.0, 100.0, 1700.0),
            ("win_rate", "numbers-game", 0.2, None, None, None),
            ("win_rate", "qualify-hard", 0.21, 0.01, -0.02, 0.04),
        ]
    )
    curated = curated_comparison(table)
    marks = dict(zip(curated.figures, curated.marks, strict=True))
    assert marks == {"revenue": "better", "win_rate": "", "wasted_hours": "worse"}
    labels = {row[0] for row in curated.rows}
    assert {"bookings, whole run with warm-up", "wasted selling hours", "win rate of closed deals"} == labels
    rows, every = comparison_rows(table), comparison_marks(table)
    assert [r[0] for r in rows] == [figure_label(m) for m in ("revenue", "wasted_hours", "win_rate")]
    assert [len(r) for r in rows] == [len(m) for m in every] == [4, 4, 4]
    assert [m[-1] for m in every] == ["better", "worse", ""]
    assert comparison_rows(table, {"revenue": "bookings"})[0][0] == "bookings"


def test_a_comparison_headline_counts_bookings_a_quota_year_when_years_completed() -> None:
    table = _table(
        [
            ("bookings_per_quota_year", "numbers-game", 4_000_000.0, None, None, None),
            ("bookings_per_quota_year", "qualify-hard", 3_000_000.0, -1_000_000.0, -1_400_000.0, -600_000.0),
            ("revenue", "numbers-game", 9_000_000.0, None, None, None),
            ("revenue", "qualify-hard", 7_000_000.0, -2_000_000.0, -2_500_000.0, -1_500_000.0),
        ]
    )
    assert comparison_headline(table) == (
        "qualify-hard books 25% less than numbers-game: −$1M a quota year (95% CI −$1.4M to −$600k)."
    )


def test_bookings_a_quota_year_leave_out_the_warm_up_and_partial_years() -> None:
    from conftest import small_scenario

    import sim
    from sim import metrics

    result = sim.run(small_scenario("horizon_days=1095"), 3)
    years = metrics.bookings_by_quota_year(result.events)
    complete = years.filter((pl.col("year") > 0) & pl.col("complete"))
    assert complete.height == 2
    assert result.summary()["bookings_per_quota_year"] == pytest.approx(complete["bookings"].mean())
    assert result.summary()["bookings_per_quota_year"] < result.summary()["revenue"] / 2


def test_bad_compare_format_and_app_port_are_one_line_and_exit_2(tmp_path: Path) -> None:
    args = ["compare", "baseline", "--strategies", "numbers-game", "--format", "yaml", "--out", "c", *SETS]
    done = run_cli(args, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == "error: --format 'yaml': must be one of table, csv, json"
    assert not (tmp_path / "c").exists()
    port = run_cli(["app", "--port", "0"], cwd=tmp_path)
    assert port.returncode == 2
    assert port.stderr.strip() == "error: --port 0: must be from 1 to 65535"
