"""The workshop app in a real browser, against a real server on a free loopback port.

Drives Debian's Chromium through Playwright (never ``playwright install``), as ``tests/test_browser.py`` does:
without Chromium the tests skip with one line, and under ``SALESIM_REQUIRE_BROWSER=1`` (``.ci/run``) they
fail instead. Every test checks the console stayed free of errors. The screenshots illustrate
``docs/workshop.md`` (``docs/screenshots/workshop-*.png``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import CHROMIUM_ARGS, SCREENSHOTS, chromium

from sim.app.scenarios import shipped
from sim.tools.room import LiveServer, live_server

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("app")]

INTERNAL = re.compile(r"\b[A-Z][a-z]+(?:[A-Z][a-z]+)+\b|\(\d{4,}\)|\ba owner\b|\b[a-z]+_[a-z_]+\b")
"""What a room must never read: an event kind (``StageAdvanced``), a test's digits (``(10101)``), a broken
article (``a owner``), a snake_case name (``no_decision``)."""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    chromium()  # skip (or fail) before starting a server nobody will use
    with live_server(tmp_path_factory.mktemp("workshop")) as running:
        yield running


@pytest.fixture
def browser() -> Iterator[Any]:
    executable = chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


class Page:
    """A participant's tab, recording console errors and requests that leave the machine."""

    def __init__(self, browser: Any, url: str) -> None:
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on(
            "request",
            lambda r: self.outside.append(r.url) if not r.url.startswith((url, "data:")) else None,
        )
        self.page.goto(url)
        self.page.wait_for_selector("#question:not(:empty)", timeout=30_000)

    def pick_scenario(self, name: str) -> None:
        """Choose a shipped workshop scenario from the picker, as a trainer would, by its label."""
        label = name.removeprefix("workshop_").replace("_", " ") + " (workshop size)"
        self.page.click("#scenario-pick")
        self.page.get_by_role("option", name=label).click()
        self.page.wait_for_function(
            "t => document.querySelector('#question').textContent === t", arg=shipped(name).question
        )

    def nudge(self, slider: str, steps: int) -> None:
        """Move a slider by keyboard, as a participant with the arrow keys would."""
        thumb = self.page.locator(f"#{slider} [role=slider]")
        thumb.focus()
        key = "ArrowRight" if steps > 0 else "ArrowLeft"
        for _ in range(abs(steps)):
            thumb.press(key)

    def slider_value(self, slider: str) -> int:
        return int(self.page.locator(f"#{slider} [role=slider]").get_attribute("aria-valuenow") or -1)

    def choose_preset(self, preset: str) -> None:
        self.page.click("#preset")
        self.page.get_by_role("option", name=preset, exact=True).click()

    def run(self) -> str:
        """Press Run and wait for a new answer; the headline sentence."""
        before = self.page.evaluate(
            "document.querySelector('#answered') ? document.querySelector('#answered').textContent + Math.random() : ''"
        )
        self.page.evaluate("document.querySelectorAll('#answered').forEach(e => e.id = 'answered-old')")
        self.page.click("#run")
        self.page.wait_for_selector("#answered", timeout=60_000)
        # Drawn right after the answer; on a loaded CI machine (two test workers, each with a server, a run
        # pool and Chromium) the draw has taken over 30 s, so it gets the same minute as the answer.
        self.page.wait_for_selector("#revenue-graph .main-svg", timeout=60_000)
        assert before is not None
        return self.page.inner_text("#headline")

    def graph_data(self, graph: str) -> list[Any]:
        return self.page.evaluate(
            f"Array.from(document.querySelector('#{graph} .js-plotly-plot').data)"
            ".map(t => [t.name, Array.from(t.y || [])])"
        )

    def tab(self, name: str) -> None:
        self.page.locator("#tabs").get_by_text(name, exact=True).click()

    def shot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"workshop-{name}.png"), full_page=True)

    def clean(self) -> None:
        assert self.errors == []
        assert self.outside == []


def test_a_slider_and_run_change_the_charts(server: LiveServer, browser: Any) -> None:
    tab = Page(browser, server.url)
    tab.pick_scenario("workshop_stalling_cio")
    first = tab.run()
    assert "No significant difference" in first  # the levers start as the scenario's control
    revenue_before = tab.graph_data("revenue-graph")
    waste_before = tab.graph_data("waste-graph")
    tab.page.uncheck("#walk-never input")  # never → the slider's 90 days: the rep walks away from the CIO
    assert tab.slider_value("walk") == 90
    second = tab.run()
    assert tab.graph_data("revenue-graph") != revenue_before
    assert tab.graph_data("waste-graph") != waste_before
    assert second != first
    assert "walk away after 90 days" in tab.page.inner_text("#results")
    assert tab.page.locator("#summary-table tr").count() > 10
    tab.shot("run")
    tab.clean()


def test_two_teams_on_the_board_are_ranked_and_do_not_see_each_other(
    server: LiveServer, browser: Any
) -> None:
    hard, numbers = Page(browser, server.url), Page(browser, server.url)
    hard.pick_scenario("workshop_numbers_vs_qualify")
    hard.choose_preset("qualify-hard")
    hard.page.wait_for_function(
        "document.querySelector('#threshold [role=slider]').getAttribute('aria-valuenow') === '4'"
    )
    hard.run()
    hard.tab("The board")
    hard.page.fill("#team", "Qualifiers")
    hard.page.click("#submit")
    hard.page.wait_for_selector("#submit-message .ok")

    # The other participant ran nothing: none of the first one's results shows on this screen.
    assert "your choice:" not in numbers.page.inner_text("#results")
    numbers.tab("The board")
    numbers.page.fill("#team", "Numbers crew")
    numbers.page.click("#submit")
    numbers.page.wait_for_selector("#submit-message .ok")

    numbers.page.wait_for_function(
        "document.querySelectorAll('#board-ranking tbody tr:not(.waiting):not(.control)').length === 2",
        timeout=60_000,
    )
    rows = numbers.page.locator("#board-ranking tbody tr:not(.control)")
    teams = [rows.nth(i).locator("td.team").inner_text() for i in range(rows.count())]
    assert sorted(teams) == ["Numbers crew", "Qualifiers"]
    assert numbers.page.locator("#board-ranking tr.control").count() == 1
    ranks = [rows.nth(i).locator("td.rank").inner_text() for i in range(rows.count())]
    assert ranks in (["1", "2"], ["1", "1"])
    bookings = [_dollars(rows.nth(i).locator("td").nth(2).inner_text()) for i in range(rows.count())]
    assert bookings[0] >= bookings[1]
    numbers.shot("board")

    # The facilitator saves the round, resets the board and reopens the round.
    numbers.page.click("summary:has-text('Facilitator')")
    numbers.page.fill("#round-name", "round-1")
    numbers.page.click("#board-save")
    numbers.page.wait_for_selector("#facilitator-message .ok")
    numbers.page.click("#board-reset")
    numbers.page.wait_for_function(
        "document.querySelector('#board').textContent.includes('No team has submitted')"
    )
    numbers.page.click("#round-pick")
    numbers.page.get_by_role("option", name="round-1").click()
    numbers.page.click("#board-open")
    numbers.page.wait_for_function(
        "document.querySelectorAll('#board-ranking tbody tr:not(.waiting):not(.control)').length === 2",
        timeout=60_000,
    )
    hard.clean()
    numbers.clean()


def _dollars(text: str) -> float:
    first = text.split("\n")[0].split(" #")[0].replace("$", "").replace(",", "").replace("−", "-")
    scale = {"k": 1e3, "M": 1e6, "B": 1e9}.get(first[-1:], 1.0)
    return float(first.rstrip("kMB")) * scale


def test_step_through_a_deal_story(server: LiveServer, browser: Any) -> None:
    tab = Page(browser, server.url)
    tab.pick_scenario("workshop_stalling_cio")
    tab.run()
    tab.tab("Deal story")
    tab.page.click("#story-outcome")
    tab.page.get_by_role("option", name="no decision").click()
    tab.page.wait_for_function(
        "(document.querySelector('#story-heading') || {textContent: ''}).textContent.includes('no decision')",
        timeout=30_000,
    )

    def at(step: int) -> None:
        tab.page.wait_for_function(
            "n => document.querySelector('#story-position-text').textContent.startsWith('Step ' + n + ' ')",
            arg=step,
            timeout=60_000,  # a minute, like every wait here: a loaded CI machine once took over 10 s a step
        )

    hours = []
    for step in range(2, 14):  # one click at a time, as a trainer walks the room through it
        tab.page.click("#story-step")
        at(step)
        hours.append(float(tab.page.inner_text("#story-hours").split()[0].replace(",", "")))
    assert hours == sorted(hours) and hours[-1] > 0
    tab.page.click("#story-back")
    at(12)
    tab.page.click("#story-play-button")
    at(14)  # playing on its own
    tab.page.click("#story-pause")
    paused = tab.page.inner_text("#story-position-text")
    tab.page.wait_for_timeout(2_000)
    assert tab.page.inner_text("#story-position-text") == paused
    position = int(paused.split()[1])
    for step in range(position + 1, position + 20):  # well into the deal, where the CIO's requests pile up
        tab.page.click("#story-step")
        at(step)
    assert tab.page.inner_text("#story-buyer")
    assert tab.page.inner_text("#story-vendor")
    assert tab.page.inner_text("#story-forecast").startswith("day ")
    words = tab.page.inner_text("#story-panel")
    assert not INTERNAL.search(words), INTERNAL.search(words)
    tab.shot("story")
    tab.clean()


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("broken.toml", "name = 'x\n[market", "not valid TOML"),
        ("typo.toml", "name = 'typo'\n[sales_org]\nrepz = 4\n", "unknown field (did you mean 'reps'?)"),
        ("huge.toml", "name = 'huge'\n[market.smb]\naccounts = 10_000_000\n", "market.smb.accounts"),
        ("big.toml", "name = 'big'\n[market.smb]\naccounts = 60_000\n", "too large for the workshop app"),
    ],
)
def test_a_bad_upload_gets_a_message_and_the_app_keeps_serving(
    server: LiveServer, browser: Any, tmp_path: Path, name: str, text: str, message: str
) -> None:
    tab = Page(browser, server.url)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    tab.page.set_input_files("#upload input[type=file]", str(path))
    tab.page.wait_for_selector("#upload-message .error", timeout=60_000)
    shown = tab.page.inner_text("#upload-message")
    assert shown.startswith(f"Upload refused: {name}:"), shown
    assert message in shown
    if name == "huge.toml":
        tab.shot("upload-error")
    # The page still runs the scenario it had, and another participant is served.
    tab.run()
    other = Page(browser, server.url)
    assert other.page.inner_text("#upload-message") == ""
    tab.clean()
    other.clean()


def test_a_good_upload_runs(server: LiveServer, browser: Any, tmp_path: Path) -> None:
    tab = Page(browser, server.url)
    path = tmp_path / "mine.toml"
    path.write_text(
        "name = 'mine'\nquestion = 'Mine?'\nhorizon_days = 400\n[market.smb]\naccounts = 200\n"
        "[market.mid_market]\naccounts = 50\n[market.f1000]\naccounts = 20\n[sales_org]\nreps = 2\n",
        encoding="utf-8",
    )
    tab.page.set_input_files("#upload input[type=file]", str(path))
    tab.page.wait_for_selector("#upload-message .ok", timeout=60_000)
    assert tab.page.inner_text("#question") == "Mine?"
    assert tab.slider_value("reps") == 2
    tab.run()
    tab.clean()
