"""The report of an experiment directory: its design and per-point table, a figure against a factor per arm, a
two-factor heatmap and the sensitivity indices, every number read from the experiment's own summaries."""

from __future__ import annotations

import re
import shutil
import statistics
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from conftest import SMALL, run_cli

from sim.store.experiments import RUNS_FOLDER
from sim.store.files import StoreError
from sim.store.outputs import directory_kind
from sim.study.analysis import point_summary, sensitivity
from sim.study.experiments import run_experiment
from sim.study.runner import Execution
from sim.study.spec import experiment_from_mapping
from sim.study.tables import MAX_ROWS
from sim.viz.charts import factor_chart, heatmap_chart, sensitivity_chart, strategy_colour
from sim.viz.charts.experiment import BINS, LOWERS, RAISES, WHOLE_DESIGN
from sim.viz.report import ReportError, build_report, experiment_table_html, load_report

SERIAL = Execution(workers=1)
"""Runs one after another in this process."""

BASE: dict[str, Any] = {
    "scenario": "baseline",
    "set": [*SMALL, "horizon_days=200"],
    "replications": 2,
    "seed": 11,
    "metrics": ["revenue", "wasted_hours", "win_rate"],
}


def _run(directory: Path, raw: dict[str, Any]) -> Path:
    loaded = experiment_from_mapping({**BASE, **raw}, "test experiment")
    return run_experiment(loaded, directory, SERIAL)


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two strategies × two walk-away limits: 4 points × 2 replications."""
    levers = [
        {"name": "strategy", "path": "strategy.preset", "values": ["numbers-game", "qualify-hard"]},
        {
            "name": "walk_away_days",
            "path": "strategy.walk_away_days",
            "values": [30, 90],
        },
    ]
    raw = {"name": "walk-away sweep", "question": "Does walking away sooner pay?", "levers": levers}
    return _run(tmp_path_factory.mktemp("sweep") / "exp", raw)


@pytest.fixture(scope="module")
def morris(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Morris over three market uncertainties: 2 trajectories × 4 points × 2 replications."""
    uncertainties = [
        {
            "name": "stalling_cio",
            "path": "market.f1000.buying_center.stalling_cio_probability",
            "range": [0, 0.6],
        },
        {"name": "smb_win_base", "path": "market.smb.win_base", "range": [0.2, 0.6]},
        {"name": "mm_no_decision", "path": "market.mid_market.no_decision_base", "range": [0.1, 0.5]},
    ]
    raw = {
        "name": "market sensitivity",
        "question": "Which market uncertainty moves revenue most?",
        "design": {"kind": "morris", "samples": 2},
        "uncertainties": uncertainties,
    }
    return _run(tmp_path_factory.mktemp("morris") / "exp", raw)


def _chart_keys(page: str) -> list[str]:
    return re.findall(r'data-chart="([^"]+)"', page)


def test_report_of_an_experiment_has_its_design_table_factor_charts_and_heatmaps(sweep: Path) -> None:
    done = run_cli(["report", str(sweep)], cwd=sweep.parent)
    assert done.returncode == 0, done.stderr
    page = (sweep / "report.html").read_text(encoding="utf-8")
    keys = _chart_keys(page)
    for metric in BASE["metrics"]:
        assert f"factor-{metric}-walk_away_days" in keys and f"heatmap-{metric}" in keys
    assert not any(k.startswith("sensitivity-") for k in keys)  # a full factorial has no indices
    assert "How does revenue change with walk_away_days, for each strategy?" in page
    assert "How does revenue vary over walk_away_days and strategy together?" in page
    assert "Does walking away sooner pay?" in page
    section = load_report(sweep).sections[0]
    assert section.details.startswith("full factorial design · 4 points (1 uncertainty sample × 4 lever")
    assert "2 replications each" in section.details and "root seed 11" in section.details
    assert "8 of 8 runs done" in section.details
    # One table row per design point, each figure as ``mean [low, high]``.
    rows = re.findall(r"<tr><th scope=\"row\">(\d+)</th>", section.table_html)
    assert rows == ["0", "1", "2", "3"]


def test_report_of_a_morris_experiment_ranks_the_uncertainties(morris: Path) -> None:
    page = build_report(morris).read_text(encoding="utf-8")
    keys = _chart_keys(page)
    assert [k for k in keys if k.startswith("sensitivity-")] == [f"sensitivity-{m}" for m in BASE["metrics"]]
    assert "Which market uncertainty moves revenue most?" in page
    # One-at-a-time trajectories: no marginal means over them (they would mix the other factors' moves).
    assert not any(k.startswith(("factor-", "heatmap-")) for k in keys)


def test_an_experiment_directory_is_recognised_and_one_with_no_runs_is_refused(
    sweep: Path, tmp_path: Path
) -> None:
    assert directory_kind(sweep) == "experiment"
    empty = tmp_path / "empty"
    shutil.copytree(sweep, empty, ignore=shutil.ignore_patterns("report.html"))
    shutil.rmtree(empty / RUNS_FOLDER)
    with pytest.raises(ReportError, match="no finished runs"):
        build_report(empty)
    assert not (empty / "report.html").exists()
    (tmp_path / "stuff").mkdir()
    with pytest.raises(StoreError, match="nor an experiment"):
        directory_kind(tmp_path / "stuff")


def _traces(chart_data: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(mean line, band polygon) traces by arm name (the legend text up to " (")."""
    lines = {t.name.split(" (")[0]: t for t in chart_data if t.fill != "toself"}
    bands = {t.name.removesuffix(" 95% band"): t for t in chart_data if t.fill == "toself"}
    return lines, bands


def test_factor_chart_draws_each_arms_point_means_and_their_intervals(sweep: Path) -> None:
    points = point_summary(sweep)
    chart = factor_chart(points, "walk_away_days", "revenue", ["strategy"])
    lines, bands = _traces(chart.figure.data)
    assert set(lines) == set(bands) == {"numbers-game", "qualify-hard"}
    for arm in lines:
        want = points.filter((pl.col("metric") == "revenue") & (pl.col("strategy") == arm)).sort(
            "walk_away_days"
        )
        assert list(lines[arm].x) == [30, 90]
        assert list(lines[arm].y) == pytest.approx(want["mean"].to_list())
        assert list(bands[arm].y) == pytest.approx(want["ci_high"].to_list() + want["ci_low"].to_list()[::-1])
        assert lines[arm].line.color == strategy_colour(arm)  # a preset's colour in every chart
    assert chart.title.endswith("?") and chart.caption.count(".") == 1


def test_factor_chart_averages_the_points_it_does_not_split_by(sweep: Path) -> None:
    points = point_summary(sweep).filter(pl.col("metric") == "win_rate")
    chart = factor_chart(points, "walk_away_days", "win_rate")
    lines, bands = _traces(chart.figure.data)
    assert list(lines) == [WHOLE_DESIGN]
    by_x = (
        points.group_by("walk_away_days")
        .agg(pl.col("mean", "ci_low", "ci_high").mean())
        .sort("walk_away_days")
    )
    assert list(lines[WHOLE_DESIGN].y) == pytest.approx(by_x["mean"].to_list())
    assert list(bands[WHOLE_DESIGN].y) == pytest.approx(
        by_x["ci_high"].to_list() + by_x["ci_low"].to_list()[::-1]
    )
    assert "mean of 4" in lines[WHOLE_DESIGN].name  # two points of two replications at each limit


def test_factor_chart_bins_a_factor_sampled_at_many_values() -> None:
    points = pl.DataFrame(
        {
            "point": list(range(40)),
            "share": [i / 39 for i in range(40)],
            "metric": ["revenue"] * 40,
            "n": [2] * 40,
            "mean": [float(i) for i in range(40)],
            "ci_low": [i - 1.0 for i in range(40)],
            "ci_high": [i + 1.0 for i in range(40)],
        }
    )
    line = factor_chart(points, "share", "revenue").figure.data[-1]
    assert len(line.x) == BINS
    assert list(line.x) == pytest.approx([(i + 0.5) / BINS for i in range(BINS)])
    assert line.y[0] == pytest.approx(sum(range(5)) / 5)  # the first bin holds shares 0 to 4/39


def test_heatmap_cells_are_the_means_over_the_two_factors(sweep: Path) -> None:
    points = point_summary(sweep)
    heat = heatmap_chart(points, "walk_away_days", "strategy", "win_rate").figure.data[0]
    assert list(heat.x) == ["30", "90"] and list(heat.y) == ["numbers-game", "qualify-hard"]
    for i, strategy in enumerate(heat.y):
        for j, days in enumerate((30, 90)):
            want = points.filter(
                (pl.col("metric") == "win_rate")
                & (pl.col("strategy") == strategy)
                & (pl.col("walk_away_days") == days)
            )["mean"].item()
            assert heat.z[i][j] == pytest.approx(want)


def test_morris_chart_is_a_labelled_mu_star_sigma_scatter_with_intervals(morris: Path) -> None:
    indices = sensitivity(morris)
    chart = sensitivity_chart(indices, "revenue")
    (points,) = chart.figure.data
    assert points.type == "scatter" and points.mode == "markers+text"
    want = indices.filter(pl.col("metric") == "revenue").sort(["mu_star", "factor"], descending=[True, False])
    assert [c[1] for c in points.customdata] == want["factor"].to_list()  # one point per uncertainty
    assert ", ".join(t for t in points.text if t) == ", ".join(want["factor"])  # each labelled once
    assert list(points.x) == pytest.approx(want["mu_star"].to_list())
    assert list(points.error_x.array) == pytest.approx(want["mu_star_conf"].to_list())
    assert list(points.y) == pytest.approx(want["sigma"].to_list())


def test_sensitivity_chart_sorts_whatever_order_the_indices_come_in() -> None:
    morris = pl.DataFrame(
        {
            "lever_point": [0, 0, 0],
            "metric": ["revenue"] * 3,
            "factor": ["a", "b", "c"],
            "mu_star": [1.0, 3.0, 2.0],
            "mu_star_conf": [0.1, 0.3, 0.2],
            "sigma": [0.5, 0.5, 0.5],
            "mu": [1.0, -3.0, 2.0],
        }
    )
    points = sensitivity_chart(morris, "revenue").figure.data[0]
    assert list(points.text) == ["b", "c", "a"]
    together = morris.with_columns(mu_star=pl.lit(0.0), sigma=pl.lit(0.0))
    assert list(sensitivity_chart(together, "revenue").figure.data[0].text) == ["a, b, c", "", ""]
    assert list(points.marker.color) == [LOWERS, RAISES, RAISES]  # μ of b is negative: it lowers revenue
    sobol = pl.DataFrame(
        {
            "lever_point": [0, 0],
            "metric": ["revenue"] * 2,
            "factor": ["a", "b"],
            "S1": [0.1, 0.5],
            "S1_conf": [0.05, 0.05],
            "ST": [0.2, 0.7],
            "ST_conf": [0.1, 0.1],
        }
    )
    st, s1 = sensitivity_chart(sobol, "revenue").figure.data
    assert list(st.y) == list(s1.y) == ["b", "a"]
    assert list(st.x) == [0.7, 0.2] and list(s1.error_x.array) == [0.05, 0.05]


def test_experiment_table_is_cut_to_the_terminal_tables_rows() -> None:
    n = MAX_ROWS + 5
    points = pl.DataFrame(
        {
            "point": list(range(n)),
            "days": list(range(n)),
            "metric": ["revenue"] * n,
            "mean": [1000.0] * n,
            "ci_low": [900.0] * n,
            "ci_high": [1100.0] * n,
        }
    )
    table = experiment_table_html(points, ["days"], ["revenue"])
    assert table.count('<th scope="row">') == MAX_ROWS
    assert f"first {MAX_ROWS} of {n:,} design points" in table
    assert "<td>1,000 [900, 1,100]</td>" in table


def _indices(**columns: list[float]) -> pl.DataFrame:
    """Sensitivity rows of revenue for uncertainties a and b."""
    return pl.DataFrame({"lever_point": [0, 0], "metric": ["revenue"] * 2, "factor": ["a", "b"], **columns})


def _morris_rows(conf: float) -> pl.DataFrame:
    return _indices(mu_star=[1.0, 3.0], mu_star_conf=[conf, 0.3], sigma=[0.5, 0.5], mu=[1.0, -3.0])


def _sobol_rows(conf: float) -> pl.DataFrame:
    return _indices(S1=[0.1, 0.5], S1_conf=[conf, 0.05], ST=[0.2, 0.7], ST_conf=[0.1, 0.1])


def _warnings(chart: Any) -> list[str]:
    return [a.text for a in chart.figure.layout.annotations if "cannot resolve" in (a.text or "")]


def test_the_sensitivity_charts_warn_when_an_interval_includes_zero_and_only_then() -> None:
    chart = sensitivity_chart(_morris_rows(1.5), "revenue", replications=3)
    assert _warnings(chart) == [
        "⚠ 3 replications cannot resolve Morris μ* of a on revenue from 0 (its 95% interval includes 0)"
    ]
    assert not _warnings(sensitivity_chart(_morris_rows(0.5), "revenue", replications=3))
    sobol = sensitivity_chart(_sobol_rows(0.2), "revenue", replications=5)
    assert [t.type for t in sobol.figure.data] == ["bar", "bar"]
    assert [list(t.error_x.array) for t in sobol.figure.data] == [[0.1, 0.1], [0.05, 0.2]]
    assert _warnings(sobol) == [
        "⚠ 5 replications cannot resolve Sobol S1 of a on revenue from 0 (its 95% interval includes 0)"
    ]
    assert not _warnings(sensitivity_chart(_sobol_rows(0.05), "revenue", replications=5))
    for chart in (sobol, sensitivity_chart(_morris_rows(1.5), "revenue")):
        assert "two lines" not in chart.caption and "arms" not in chart.caption


def test_summarize_and_report_print_the_warning_in_the_terminal(morris: Path, sweep: Path) -> None:
    from sim.study.analysis import experiment_warnings

    lines = experiment_warnings(morris)
    assert lines  # two replications on a small market resolve few effects
    for command in (["experiment", "summarize", str(morris)], ["report", str(morris)]):
        done = run_cli(command, cwd=morris.parent)
        assert done.returncode == 0, done.stderr
        shown = " ".join(done.stdout.split())
        assert shown.count("warning: ") == len(lines)
        assert all(" ".join(line.split()) in shown for line in lines)
    done = run_cli(["experiment", "summarize", str(sweep)], cwd=sweep.parent)
    assert done.returncode == 0, done.stderr
    # A factorial has no indices: its warnings are of the paired lever differences, when any.
    expected = experiment_warnings(sweep)
    assert all(line.startswith("2 replications cannot resolve the sign of") for line in expected)
    assert " ".join(done.stdout.split()).count("warning: ") == len(expected)


def test_lever_differences_warn_only_when_an_interval_includes_zero(sweep: Path) -> None:
    from sim.study.analysis import difference_warnings

    differences = pl.DataFrame(
        {
            "metric": ["revenue", "revenue", "win_rate"],
            "diff": [5.0, -3.0, 0.2],
            "diff_low": [-1.0, -4.0, 0.1],
            "diff_high": [11.0, -2.0, 0.3],
        }
    )
    lines = difference_warnings(differences, 3)
    assert lines == [
        "3 replications cannot resolve the sign of 1 of 2 differences from the first lever combination on "
        "revenue (their 95% intervals include 0)"
    ]
    assert not difference_warnings(differences, 3, "win_rate")
    chart = factor_chart(point_summary(sweep), "walk_away_days", "revenue", ["strategy"], lines)
    assert [w.replace("<br>   ", " ") for w in _warnings(chart)] == ["⚠ " + lines[0]]  # wrapped to the width
    assert not _warnings(factor_chart(point_summary(sweep), "walk_away_days", "revenue", ["strategy"]))


def test_a_latin_hypercube_is_drawn_as_response_curves_against_each_factor(tmp_path: Path) -> None:
    uncertainties = [
        {"name": "smb_win_base", "path": "market.smb.win_base", "range": [0.2, 0.6]},
        {"name": "mm_no_decision", "path": "market.mid_market.no_decision_base", "range": [0.1, 0.5]},
    ]
    raw = {
        "name": "lhs",
        "design": {"kind": "latin_hypercube", "samples": 4},
        "uncertainties": uncertainties,
        "replications": 3,
        "metrics": ["revenue"],
    }
    directory = _run(tmp_path / "exp", raw)
    section = load_report(directory).sections[0]
    keys = [c.key for c in section.charts]
    assert keys == [
        "factor-revenue-smb_win_base",
        "factor-revenue-mm_no_decision",
        "heatmap-revenue",
        "convergence",
    ]
    curve = section.charts[0]
    assert {t.fill for t in curve.figure.data} == {"toself", None}  # the mean line and its 95% band
    assert "two lines" not in curve.caption and "arms" not in curve.caption
    # The convergence plot: half-width ÷ mean over the first n replications, the median over the points.
    from scipy import stats as sps

    from sim.study.analysis import convergence, results_frame

    runs = results_frame(directory)
    lines = convergence(directory)
    assert lines["replications"].to_list() == [2, 3]
    for n in (2, 3):
        shares = []
        for point in range(4):
            values = runs.filter((pl.col("point") == point) & (pl.col("replication") < n))[
                "revenue"
            ].to_list()
            mean = sum(values) / n
            std = (sum((v - mean) ** 2 for v in values) / (n - 1)) ** 0.5
            shares.append(sps.t.ppf(0.975, n - 1) * std / n**0.5 / abs(mean))
        got = lines.filter(pl.col("replications") == n)["relative_half_width"].item()
        assert got == pytest.approx(statistics.median(shares))
    trace = section.charts[-1].figure.data[0]
    assert list(trace.x) == [2, 3] and list(trace.y) == pytest.approx(lines["relative_half_width"].to_list())
