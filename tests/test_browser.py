"""The demo's report in a real browser: every chart renders, nothing errors, nothing is fetched from the net.

Drives Debian's Chromium through Playwright (never ``playwright install``). On a machine without Chromium the
test skips with a one-line reason, so the README's test command passes on a fresh clone; ``.ci/run`` installs
Chromium and sets ``SALESIM_REQUIRE_BROWSER=1``, under which a missing browser fails instead of skipping, so
it cannot pass for a working report.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import chromium, run_cli

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.browser


def test_demo_report_renders_every_chart_in_chromium(tmp_path: Path) -> None:
    executable = chromium()
    from playwright.sync_api import sync_playwright

    out = tmp_path / "demo"
    # Speed is measured in benchmarks, not asserted here (a shared CI machine makes timings noisy).
    done = run_cli(["demo", "--out", str(out), "--replications", "3"], cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    report = out / "report.html"
    assert done.stdout.strip().splitlines()[-1] == f"report → {report}"

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(executable), args=LAUNCH_ARGS)
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
                ".filter(d => d.querySelector('svg')).length >= n",
                arg=expected,
                timeout=30_000,
            )
            rendered = page.evaluate(
                "Array.from(document.querySelectorAll('.js-plotly-plot'))"
                ".filter(d => d.querySelector('svg.main-svg')).length"
            )
            figures = page.evaluate("document.querySelectorAll('figure.chart').length")
            sankeys = page.evaluate("document.querySelectorAll('.sankey .sankey-node').length")
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
        finally:
            browser.close()

    assert errors == []
    assert outside == []
    assert expected == figures == 18  # two markets × nine charts
    assert rendered == expected
    assert sankeys > 0
    assert (ARTIFACTS / "report.png").stat().st_size > 50_000
