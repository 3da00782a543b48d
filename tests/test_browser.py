"""The demo's report and a single run's report in a real browser: every chart renders with its takeaway, nothing
errors, nothing is fetched from the net; full-page screenshots are saved to ``docs/screenshots/`` for a person
to look at before a change to the charts is accepted.

Drives Debian's Chromium through Playwright (never ``playwright install``). On a machine without Chromium the
test skips with a one-line reason, so the README's test command passes on a fresh clone; ``.ci/run`` installs
Chromium and sets ``SALESIM_REQUIRE_BROWSER=1``, under which a missing browser fails instead of skipping, so
it cannot pass for a working report.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import CHROMIUM_ARGS, SCREENSHOTS, chromium, run_cli

from sim.viz.report import load_report

pytestmark = [pytest.mark.browser, pytest.mark.slow]

_FIGURES = """
() => Array.from(document.querySelectorAll('figure.chart')).map(f => ({
    key: f.dataset.chart,
    svg: f.querySelector('.js-plotly-plot svg.main-svg') !== null,
    title: (f.querySelector('.gtitle') || {}).textContent || '',
    takeaway: (f.querySelector('figcaption .takeaway') || {}).innerText || '',
    sankey: f.querySelector('.sankey') !== null,
}))
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo (three replications per arm and market), its report written by ``salesim demo``."""
    out = tmp_path_factory.mktemp("browser") / "demo"
    # Speed is measured in benchmarks, not asserted here (a shared CI machine makes timings noisy).
    done = run_cli(["demo", "--out", str(out), "--replications", "3"], cwd=out.parent, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == f"report → {out / 'report.html'}"
    return out


def open_report(report: Path, screenshot: Path) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """Open a report in Chromium, wait for every chart, save a full-page screenshot; return the figures as the
    page shows them, the console errors and any request that left the page."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium()), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors: list[str] = []
            outside: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on(
                "request",
                lambda r: outside.append(r.url) if not r.url.startswith(("file:", "data:")) else None,
            )
            page.goto(report.as_uri())
            page.wait_for_load_state("load")
            expected = int(page.evaluate("document.body.dataset.charts"))
            page.wait_for_function(
                "n => Array.from(document.querySelectorAll('.js-plotly-plot'))"
                ".filter(d => d.querySelector('svg.main-svg')).length >= n",
                arg=expected,
                timeout=30_000,
            )
            figures: list[dict[str, Any]] = page.evaluate(_FIGURES)
            for index in range(len(figures)):
                takeaway = page.locator("figure.chart").nth(index).locator("figcaption .takeaway")
                figures[index]["visible"] = takeaway.is_visible()
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    assert len(figures) == expected
    return figures, errors, outside


def assert_charts_render(report_dir: Path, screenshot: Path) -> None:
    """Every chart of the report renders (a plotly svg in its figure), titled with a question, its takeaway
    visible and equal to the one computed from the data; no console error, no request off the page."""
    charts = load_report(report_dir).charts
    figures, errors, outside = open_report(report_dir / "report.html", screenshot)
    assert errors == []
    assert outside == []
    assert [f["key"] for f in figures] == [c.key for c in charts]
    for figure, chart in zip(figures, charts, strict=True):
        assert figure["svg"], figure["key"]
        assert not figure["sankey"], figure["key"]
        assert figure["title"].endswith("?"), figure
        assert figure["visible"], figure["key"]
        assert figure["takeaway"].strip() == chart.takeaway
        assert any(ch.isdigit() for ch in chart.takeaway), chart.takeaway
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and screenshot.stat().st_size > 50_000


def test_demo_report_renders_every_chart_with_its_takeaway(demo: Path) -> None:
    assert_charts_render(demo, SCREENSHOTS / "demo-report.png")
    keys = [c.key for c in load_report(demo).charts]
    # Two markets, each with the funnel, the cycles and the quota chart (no chart of one replication only).
    assert keys.count("funnel") == keys.count("cycles") == keys.count("quota") == 2


def test_run_report_renders_every_chart_with_its_takeaway(demo: Path, tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    shutil.copytree(demo / "smb" / "numbers-game" / "rep-000", run_dir)
    done = run_cli(["report", str(run_dir)], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert_charts_render(run_dir, SCREENSHOTS / "run-report.png")
