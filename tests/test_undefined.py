"""Undefined is not zero: a rate over no deals is missing (shown "–", null in CSV and JSON), and an interval
counts only the replications where its figure is defined and says how many ("n = 2 of 4"), in every output:
the run summary, the comparison tables (terminal, --all, CSV, JSON), the report, the app and the findings."""

from __future__ import annotations

import json
import math

import polars as pl
import pytest

from sim import cli, metrics
from sim.app.views import curated_table
from sim.study.comparison import compare_table
from sim.study.stats import mean_interval, paired_difference
from sim.tools.findings import said, signed
from sim.viz.report import comparison_table_html
from sim.words.format import comparison_rows, curated_comparison, headline_rows

NAN = math.nan

#: Four paired replications: qualify-hard closed no deal in two of them (no rate), numbers-game in one.
RUNS = pl.DataFrame(
    {
        "arm": ["numbers-game"] * 4 + ["qualify-hard"] * 4,
        "replication": [0, 1, 2, 3] * 2,
        "revenue": [1e6, 1.2e6, 0.9e6, 1.1e6, 0.5e6, 0.0, 0.6e6, 0.0],
        "no_decision_rate": [0.4, 0.5, NAN, 0.45, 0.2, NAN, NAN, 0.3],
        "win_rate": [0.3, 0.25, NAN, 0.35, NAN, NAN, NAN, NAN],
    }
)


@pytest.fixture(scope="module")
def table() -> pl.DataFrame:
    return compare_table(RUNS)


def _row(table: pl.DataFrame, metric: str, arm: str) -> dict[str, object]:
    return table.filter((pl.col("metric") == metric) & (pl.col("arm") == arm)).row(0, named=True)


def test_a_run_that_closed_no_deal_shows_dashes_not_zeros() -> None:
    from test_charts import hand_log

    events = hand_log(
        [
            {"t": 0.0, "kind": "AdminHoursLogged", "rep": 0, "hours": 8.0},
            {"t": 1.0, "kind": "ContactMade", "rep": 0, "account": 1, "contact": 1, "segment": "smb",
             "title": "owner", "hours": 0.5},
            {"t": 1.0, "kind": "OpportunityOpened", "rep": 0, "account": 1, "opp": 1, "contact": 1,
             "segment": "smb", "amount": 20_000.0, "opp_type": "prospect", "score": 2},
            {"t": 30.0, "kind": "OpportunityCensored", "rep": 0, "account": 1, "opp": 1, "segment": "smb"},
        ]
    )  # fmt: skip
    summary = metrics.summary(events)
    assert summary["closed"] == 0
    for rate in (
        "win_rate",
        "loss_rate",
        "no_decision_rate",
        "walk_away_rate",
        "no_decision_share_of_decided",
    ):
        assert math.isnan(summary[rate]), rate
    assert math.isnan(summary["median_won_deal_hours_smb"])
    shown = {figure: value for _, figure, value in headline_rows(summary)}
    assert shown["win rate of closed deals"] == "–"
    assert shown["closed as no decision"] == "–"
    assert shown["won cycle, SMB"] == "–"
    assert shown["median hours a won SMB deal"] == "–"
    table = cli.summary_table(summary, "run")
    from rich.console import Console

    console = Console(width=80, record=True)
    console.print(table)
    assert "closed as no decision" in console.export_text()


def test_intervals_count_only_the_replications_where_the_figure_is_defined(table: pl.DataFrame) -> None:
    nd = _row(table, "no_decision_rate", "qualify-hard")
    assert (nd["n"], nd["of"]) == (2, 4)
    assert nd["mean"] == pytest.approx(0.25)
    # The paired difference: only replications 0 and 3, where both arms closed deals.
    assert nd["diff_n"] == 2
    assert nd["diff"] == pytest.approx(((0.2 - 0.4) + (0.3 - 0.45)) / 2)
    win = _row(table, "win_rate", "qualify-hard")
    assert win["n"] == 0 and win["mean"] is None and win["diff"] is None
    assert mean_interval([0.1, NAN, 0.3]).of == 3 and mean_interval([0.1, NAN, 0.3]).n == 2
    assert paired_difference([1.0, NAN, 2.0], [0.5, 0.5, NAN]).n == 1


def test_terminal_tables_say_n_of_the_replications(table: pl.DataFrame) -> None:
    curated = curated_comparison(table)
    cells = dict(zip(curated.figures, curated.rows, strict=True))
    qualify = cells["no_decision_rate"][2]
    assert "n = 2 of 4" in qualify.splitlines()[-1]
    assert "n = 2 of 4" in cells["no_decision_rate"][3]  # the paired difference too
    assert cells["win_rate"][2] == "–"
    assert "n = " not in cells["revenue"][1]
    every = {row[0]: row for row in comparison_rows(table)}
    assert every["closed as no decision"][3].endswith("(n = 2 of 4)")
    assert every["closed as no decision"][1].endswith("(n = 3 of 4)")


def test_csv_and_json_carry_null_and_the_count(table: pl.DataFrame) -> None:
    records = table.to_dicts()
    text = json.loads(cli._json({"table": records}))["table"]
    win = next(r for r in text if r["metric"] == "win_rate" and r["arm"] == "qualify-hard")
    assert win["mean"] is None and win["n"] == 0 and win["of"] == 4
    csv = pl.DataFrame(records, infer_schema_length=None).write_csv()
    assert "NaN" not in csv and "nan" not in csv.lower().replace("no_decision", "")
    back = pl.read_csv(csv.encode())
    row = back.filter((pl.col("metric") == "win_rate") & (pl.col("arm") == "qualify-hard")).row(0, named=True)
    assert row["mean"] is None and row["n"] == 0


def test_cli_prints_the_count_under_the_interval(table: pl.DataFrame) -> None:
    from rich.console import Console

    console = Console(width=80, record=True)
    console.print(cli.curated_table(curated_comparison(table), "t"))
    out = console.export_text()
    assert "n = 2 of 4" in out and "defined in k replications only" in out


def test_report_and_app_show_the_count(table: pl.DataFrame) -> None:
    html = comparison_table_html(table)
    assert "n = 2 of 4" in html and "n = k of N" in html
    assert "n = 2 of 4" in str(curated_table(table).to_plotly_json())


def test_findings_sentences_say_the_count() -> None:
    iv = mean_interval([0.2, NAN, 0.3, NAN])
    assert said(iv).endswith("(n = 2 of 4)")
    assert "(n = 2 of 4)" in signed(paired_difference([0.2, NAN, 0.3, 0.1], [0.1, 0.2, NAN, 0.0]))
    same = paired_difference([0.0, NAN, 0.0], [0.0, 0.0, 0.0])
    assert signed(same) == "0 (the same in each of the n = 2 of 3 replications where both define it)"


def test_run_summary_csv_and_json_write_an_undefined_rate_as_empty_and_null(
    capsys: pytest.CaptureFixture[str],
) -> None:
    summary = {"revenue": 0.0, "closed": 0.0, "win_rate": NAN, "deals_won": 0}
    cli.print_machine_readable(summary, "csv")
    csv = capsys.readouterr().out
    assert "win_rate,\n" in csv and "NaN" not in csv
    cli.print_machine_readable(summary, "json")
    assert json.loads(capsys.readouterr().out)["win_rate"] is None


def test_experiment_tables_say_n_of_the_runs() -> None:
    from sim.study.tables import wide_rows

    long = pl.DataFrame(
        {
            "point": [0, 0],
            "metric": ["win_rate", "revenue"],
            "n": [3, 5],
            "of": [5, 5],
            "mean": [0.3, 1e6],
            "ci_low": [0.2, 0.9e6],
            "ci_high": [0.4, 1.1e6],
        }
    )
    (row,) = wide_rows(long, ["point"], ["win_rate", "revenue"], "mean", "ci_low", "ci_high")
    assert row[1].endswith("(n = 3 of 5)") and "n = " not in row[2]
