"""The HTML report: the comparison's numbers as the CLI printed them, self-contained, and clean refusals."""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import polars as pl
import pytest
from conftest import SMALL, chromium, run_cli

from sim import metrics
from sim.cli import demo_directory
from sim.store.parquet import read_events
from sim.viz.report import interesting_deal, load_report
from sim.words.format import by_unit, curated_comparison, fmt, interval

STRATEGIES = ("numbers-game", "qualify-hard")
CHART_KEYS = [
    "revenue",
    "bookings_by_quarter",
    "forecast_vs_actual",
    "waste",
    "utilisation",
    "hours_per_dollar",
    "funnel",
    "cycles",
    "quota",
    "reputation",
    "deal",
]


class _Page(HTMLParser):
    """Tables (rows of cell texts, ``<br>`` as a newline), figures and their captions, script tags."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.figures: list[str] = []
        self.captions: list[str] = []
        self.scripts: list[dict[str, str | None]] = []
        self.question: list[str] = []
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None
        self._in_question = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")
        elif tag == "figure" and "chart" in (attr.get("class") or ""):
            self.figures.append(str(attr.get("data-chart")))
        elif tag == "figcaption":
            self._caption = []
        elif tag == "script":
            self.scripts.append(attr)
        elif tag == "p" and attr.get("class") == "question":
            self._in_question = True
            self.question.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell))
            self._cell = None
        elif tag == "figcaption" and self._caption is not None:
            self.captions.append("".join(self._caption))
            self._caption = None
        elif tag == "p":
            self._in_question = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._caption is not None:
            self._caption.append(data)
        if self._in_question:
            self.question[-1] += data


def parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def overrides() -> list[str]:
    return [arg for o in SMALL for arg in ("--set", o)]


@pytest.fixture(scope="module")
def comparison(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A small comparison written by ``salesim compare``, and what it printed."""
    out = tmp_path_factory.mktemp("report") / "cmp"
    args = ["compare", "baseline", "--strategies", ",".join(STRATEGIES), "--replications", "2"]
    done = run_cli([*args, "--workers", "1", "--out", str(out), *overrides()], cwd=out.parent)
    assert done.returncode == 0, done.stderr
    return out, done.stdout


@pytest.fixture(scope="module")
def comparison_report(comparison: tuple[Path, str]) -> Path:
    out, _ = comparison
    done = run_cli(["report", str(out)], cwd=out.parent)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith(str(out / "report.html"))
    return out / "report.html"


def test_report_table_shows_the_comparison_figures_as_the_cli_printed_them(
    comparison: tuple[Path, str], comparison_report: Path
) -> None:
    out, printed = comparison
    table = pl.read_parquet(out / "comparison.parquet")
    curated, everything = parse(comparison_report).tables
    # The headline figures, grouped, each cell the mean over its interval: as `salesim compare` printed them.
    expected = curated_comparison(table)
    assert (
        curated[0]
        == expected.header
        == [
            "figure",
            "numbers-game",
            "qualify-hard",
            "qualify-hard − numbers-game",
        ]
    )
    figures = [row for row in curated[1:] if len(row) > 1]
    groups = [row[0] for row in curated[1:] if len(row) == 1]
    assert figures == expected.rows and len(figures) >= 10
    assert groups == [g for g in expected.groups if g] == ["bookings", "pipeline", "time", "people", "money"]
    lines = printed.splitlines()
    for cells in expected.rows:
        means = [cell.split("\n")[0] for cell in cells[1:]]
        assert any(all(m in line for m in means) and cells[0].split()[0] in line for line in lines), cells
    # Every figure, folded below: the full table `salesim compare --all` prints.
    header, body = everything[0], everything[1:]
    assert header == [
        "figure",
        "numbers-game\nmean [95% CI]",
        "qualify-hard\nmean [95% CI]",
        "qualify-hard − numbers-game\npaired diff [95% CI]",
    ]
    metrics_in_order = list(dict.fromkeys(table["metric"].to_list()))
    assert len(body) == len(metrics_in_order) >= 40
    for cells, metric in zip(body, metrics_in_order, strict=True):
        by = {r["arm"]: r for r in table.filter(pl.col("metric") == metric).iter_rows(named=True)}
        control, other = by["numbers-game"], by["qualify-hard"]
        assert cells == [
            control["label"],
            interval(control["mean"], control["ci_low"], control["ci_high"], control["n"], control["of"]),
            interval(other["mean"], other["ci_low"], other["ci_high"], other["n"], other["of"]),
            interval(other["diff"], other["diff_low"], other["diff_high"], other["diff_n"], other["of"]),
        ]


def test_report_is_self_contained_with_plotly_inlined_once(comparison_report: Path) -> None:
    text = comparison_report.read_text(encoding="utf-8")
    page = parse(comparison_report)
    assert '<script src="http' not in text and "<script src='http" not in text
    assert all(s.get("src") is None for s in page.scripts)
    assert text.count("* plotly.js v") == 1  # the bundle's licence header
    assert text.count("Plotly.newPlot(") == len(page.figures) == len(CHART_KEYS)
    # (plotly.js mentions its CDN in unused defaults; the browser test checks no request leaves the page.)


def test_report_shows_the_question_and_every_chart_with_its_caption(
    comparison: tuple[Path, str], comparison_report: Path
) -> None:
    out, _ = comparison
    page = parse(comparison_report)
    question = json.loads((out / "compare.json").read_text())["question"]
    assert question and page.question[0] == question
    assert page.figures == CHART_KEYS
    assert len(page.captions) == len(CHART_KEYS) and all(
        len(c) > 40 and c.endswith(".") for c in page.captions
    )
    # Each caption opens with the chart's takeaway, computed from the data, then says how to read the chart.
    drawn = load_report(out).charts
    for caption, chart in zip(page.captions, drawn, strict=True):
        assert caption == f"{chart.takeaway} {chart.note}".strip()
        assert any(c.isdigit() for c in chart.takeaway), chart.takeaway


def test_rebuilding_a_report_writes_the_same_bytes(comparison: tuple[Path, str], tmp_path: Path) -> None:
    out, _ = comparison
    copy = tmp_path / "cmp"
    shutil.copytree(out, copy)
    (copy / "report.html").unlink(missing_ok=True)
    assert run_cli(["report", str(copy)], cwd=tmp_path).returncode == 0
    first = (copy / "report.html").read_bytes()
    assert run_cli(["report", str(copy)], cwd=tmp_path).returncode == 0
    assert (copy / "report.html").read_bytes() == first


def test_run_report_tells_the_story_of_the_most_stalled_deal(
    comparison: tuple[Path, str], tmp_path: Path
) -> None:
    out, _ = comparison
    run_dir = tmp_path / "run"
    # A run whose reputation moves enough to earn its chart (rep-000's no longer does since issue 20).
    shutil.copytree(out / "numbers-game" / "rep-001", run_dir)
    events = read_events(run_dir / "events.parquet")
    pick = interesting_deal(events)
    assert pick is not None
    opp, stalls, _ = pick
    most = metrics.stall_requests_by_opportunity(events)["stall_requests"].max()
    assert stalls == (most or 0)
    report = load_report(run_dir)
    assert [c.key for c in report.charts] == CHART_KEYS
    deal = report.charts[-1]
    assert f"deal {opp} " in deal.title
    done = run_cli(["report", str(run_dir)], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    page = parse(run_dir / "report.html")
    assert page.figures == CHART_KEYS
    curated, rows = page.tables
    summary = json.loads((run_dir / "summary.json").read_text())
    assert (
        curated[0] == ["figure", "value"]
        and ["bookings, whole run with warm-up", by_unit(summary["revenue"], "usd")] in curated
    )
    assert rows[0] == ["figure", "value"]
    assert dict((r[0], r[1]) for r in rows[1:])["revenue"] == fmt(float(summary["revenue"]))


# --------------------------------------------------------------------------------------------------------
# Bad input: one line, exit code 2, nothing written
# --------------------------------------------------------------------------------------------------------


def assert_refused(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in done.stderr + done.stdout
    for word in words:
        assert word in lines[0], lines[0]


def test_report_of_a_missing_directory_is_refused(tmp_path: Path) -> None:
    assert_refused(run_cli(["report", "nowhere"], cwd=tmp_path), "nowhere", "no such directory")


def test_report_of_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    assert_refused(run_cli(["report", "notes.txt"], cwd=tmp_path), "not a directory")


def test_report_of_a_directory_that_is_neither_run_nor_comparison_is_refused(tmp_path: Path) -> None:
    (tmp_path / "stuff").mkdir()
    (tmp_path / "stuff" / "data.csv").write_text("a,b\n")
    assert_refused(run_cli(["report", "stuff"], cwd=tmp_path), "not a run, comparison or demo directory")
    assert sorted(p.name for p in (tmp_path / "stuff").iterdir()) == ["data.csv"]


def test_report_of_a_run_without_its_log_is_refused(comparison: tuple[Path, str], tmp_path: Path) -> None:
    out, _ = comparison
    run_dir = tmp_path / "run"
    shutil.copytree(out / "qualify-hard" / "rep-001", run_dir)
    (run_dir / "events.parquet").unlink()
    assert_refused(run_cli(["report", str(run_dir)], cwd=tmp_path), "events.parquet")
    assert not (run_dir / "report.html").exists()


def test_report_of_an_incomplete_comparison_is_refused(comparison: tuple[Path, str], tmp_path: Path) -> None:
    out, _ = comparison
    copy = tmp_path / "cmp"
    shutil.copytree(out, copy)
    (copy / "report.html").unlink(missing_ok=True)
    shutil.rmtree(copy / "qualify-hard" / "rep-001")
    assert_refused(run_cli(["report", str(copy)], cwd=tmp_path), "incomplete comparison", "rep-001")
    assert not (copy / "report.html").exists()


def test_png_without_a_browser_is_refused_before_anything_is_written(
    comparison: tuple[Path, str], tmp_path: Path
) -> None:
    out, _ = comparison
    run_dir = tmp_path / "run"
    shutil.copytree(out / "numbers-game" / "rep-000", run_dir)
    done = run_cli(
        ["report", str(run_dir), "--png"], cwd=tmp_path, env={"BROWSER_PATH": "/nonexistent/chrome"}
    )
    assert_refused(done, "--png", "Chromium")
    assert not (run_dir / "report.html").exists() and not (run_dir / "png").exists()


@pytest.mark.browser
def test_png_export_writes_one_image_per_chart(comparison: tuple[Path, str], tmp_path: Path) -> None:
    browser = chromium()
    out, _ = comparison
    run_dir = tmp_path / "run"
    # A run whose reputation moves enough to earn its chart (rep-000's no longer does since issue 20).
    shutil.copytree(out / "numbers-game" / "rep-001", run_dir)
    done = run_cli(["report", str(run_dir), "--png"], cwd=tmp_path, env={"BROWSER_PATH": str(browser)})
    assert done.returncode == 0, done.stderr
    pngs = sorted((run_dir / "png").glob("*.png"))
    assert [p.stem.split("-", 1)[1] for p in pngs] == sorted(CHART_KEYS)
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 10_000 for p in pngs)
    assert (run_dir / "report.html").exists()


# --------------------------------------------------------------------------------------------------------
# salesim demo
# --------------------------------------------------------------------------------------------------------


def test_demo_takes_the_first_free_directory_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert demo_directory(None) == Path("salesim-demo")
    Path("salesim-demo").mkdir()
    assert demo_directory(None) == Path("salesim-demo")  # empty: reuse it
    (Path("salesim-demo") / "report.html").write_text("x")
    Path("salesim-demo-2").mkdir()
    (Path("salesim-demo-2") / "demo.json").write_text("{}")
    assert demo_directory(None) == Path("salesim-demo-3")


def test_demo_refuses_a_non_empty_out(tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "keep.txt").write_text("mine")
    assert_refused(run_cli(["demo", "--out", "taken"], cwd=tmp_path), "taken", "not empty")
    assert [p.name for p in (tmp_path / "taken").iterdir()] == ["keep.txt"]


def test_demo_refuses_zero_replications_and_leaves_nothing(tmp_path: Path) -> None:
    assert_refused(run_cli(["demo", "--replications", "0"], cwd=tmp_path), "--replications")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_default_demo_runs_twice_in_a_row_into_fresh_directories(tmp_path: Path) -> None:
    # How long it takes is printed by benchmarks/demo.py, not asserted here (timings on a shared machine are noise).
    for expected in ("salesim-demo", "salesim-demo-2"):
        done = run_cli(["demo"], cwd=tmp_path, timeout=180)
        assert done.returncode == 0, done.stderr
        report = tmp_path / expected / "report.html"
        assert done.stdout.strip().splitlines()[-1] == f"report → {report.resolve()}"
        page = parse(report)
        assert len(page.tables) == 2 * 2
        # Both markets draw every chart, but for the reputation, which is left out where it barely moves.
        assert page.figures == [c.key for c in load_report(report.parent).charts]
        assert all(page.figures.count(key) == 2 for key in CHART_KEYS if key != "reputation")
