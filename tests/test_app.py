"""The workshop app without a browser: levers, uploads, the board, deal stories in plain words, the runner's
cache and sessions, the JSON API, and (``slow``) a room of 20 participants running at once on loopback."""

from __future__ import annotations

import base64
import json
import statistics
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import sim
from sim import metrics
from sim.app import scenarios as catalogue
from sim.app.board import Board, BoardError
from sim.app.levers import LABELS, LeverError, Levers
from sim.app.runner import Runner
from sim.app.server import DEFAULT_REPLICATIONS, _lever_panel, build, plan
from sim.app.story import deal_options, deal_story
from sim.config import ScenarioError
from sim.study.arms import Arm
from sim.tools.room import ROOM_SCENARIO, live_server, participant_levers, room

WORKSHOP = "workshop_numbers_vs_qualify"


# ---------------------------------------------------------------------------------------------- levers
def test_unmoved_levers_are_the_scenarios_control() -> None:
    scenario = catalogue.shipped(WORKSHOP)
    levers = Levers.of_scenario(scenario)
    assert levers.overrides(scenario) == ()
    control, choice = plan(scenario, levers, 3)
    assert control[1].key == choice[1].key


def test_moved_levers_become_overrides_of_the_arm() -> None:
    scenario = catalogue.shipped(WORKSHOP)
    base = Levers.of_scenario(scenario)
    moved = Levers.from_mapping(
        {
            **base.to_mapping(),
            "walk_away_days": 60,
            "qualification_threshold": 3,
            "stalling_cio": 50,
            "reps": 6,
        }
    )
    overrides = moved.overrides(scenario)
    assert "strategy.walk_away_days=60" in overrides
    assert "strategy.qualification_threshold=3" in overrides and "sales_org.reps=6" in overrides
    _, choice = plan(scenario, moved, 2)
    arm = choice[1].scenario
    assert arm.strategy.walk_away_days == 60 and arm.sales_org.reps == 6
    assert arm.market.f1000.buying_center.stalling_cio_probability == 0.5
    assert arm.market.mid_market.buying_center.stalling_cio_probability == 0.5


def test_another_preset_starts_from_its_own_levers() -> None:
    scenario = catalogue.shipped(WORKSHOP)
    hard = Levers.of_scenario(scenario).with_preset(scenario, "qualify-hard")
    assert (hard.qualification_threshold, hard.walk_away_days) == (4, 90)
    assert hard.overrides(scenario) == ()  # exactly the preset: no overrides needed


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"reps": 0}, "reps: 0 is out of range"),
        ({"walk_away_days": "soon"}, "walk away days: expected a number"),
        ({"walk_away_days": 0}, 'walk away days: 0 is not a period; choose from 1 to 720, or "never"'),
        ({"walk_away_days": None}, 'walk away days: expected a number from 1 to 720, got None, or "never"'),
        ({"smb": 0, "mid_market": 0, "f1000": 0}, "aim at least one segment"),
        ({"preset": "hustle"}, "unknown strategy 'hustle'"),
    ],
)
def test_bad_levers_are_one_line(change: dict[str, Any], message: str) -> None:
    base = Levers.of_scenario(catalogue.shipped(WORKSHOP)).to_mapping()
    with pytest.raises(LeverError, match=message):
        Levers.from_mapping({**base, **change})


def test_the_walk_away_lever_is_days_or_never() -> None:
    scenario = catalogue.shipped(WORKSHOP)  # numbers-game: never walks away
    never = Levers.of_scenario(scenario)
    assert never.walk_away_days is None and never.to_mapping()["walk_away_days"] == "never"
    assert Levers.from_mapping(never.to_mapping()) == never
    assert "never walk away" in never.described()
    walk = Levers.from_mapping({**never.to_mapping(), "walk_away_days": 90})
    assert walk.overrides(scenario) == ("strategy.walk_away_days=90",)
    # Back to never from a preset that walks away: the one word, not a second field.
    hard = never.with_preset(scenario, "qualify-hard")
    kept = Levers.from_mapping({**hard.to_mapping(), "walk_away_days": "never"})
    assert kept.overrides(scenario) == ("strategy.walk_away_days=never",)
    _, choice = plan(scenario, kept, 2)
    assert choice[1].scenario.strategy.walk_away_days == "never"


@pytest.mark.parametrize(
    ("lever", "value"),
    [("qualification_threshold", 2), ("walk_away_days", 45), ("stalling_cio", 40), ("smb", 10), ("reps", 7)],
)
def test_a_lever_that_writes_more_than_one_field_says_so(lever: str, value: int) -> None:
    scenario = catalogue.shipped("workshop_numbers_vs_qualify")
    base = Levers.of_scenario(scenario).to_mapping()
    fields = {o.split("=", 1)[0] for o in Levers.from_mapping({**base, lever: value}).overrides(scenario)}
    label, hint = LABELS["mix" if lever == "smb" else lever]
    assert fields, f"moving {lever} changed nothing"
    if len(fields) > 1:
        assert "Sets two fields" in hint, (
            f"{lever} writes {sorted(fields)} but its label says: {label} {hint}"
        )
        assert hint in str(_lever_panel())  # and the page shows it
    else:
        assert "fields" not in hint


# ---------------------------------------------------------------------------------------------- uploads
def _upload(text: str | bytes) -> str:
    data = text.encode() if isinstance(text, str) else text
    return "data:application/octet-stream;base64," + base64.b64encode(data).decode()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name = 'x\n", "bad.toml: not valid TOML"),
        ("[sales_org]\nrepz = 3\n", "bad.toml: sales_org.repz: unknown field (did you mean 'reps'?)"),
        ("[market.smb]\naccounts = 10_000_000\n", "bad.toml: market.smb.accounts: Input should be less than"),
        (
            "[market.smb]\naccounts = 20_000\n",
            "22,100 accounts is too large for the workshop app (at most 10,000",
        ),
        ("[sales_org]\nreps = 400\n", "400 reps is too many for the workshop app"),
        (
            "[strategy]\nnever_walk_away = true\n",
            "bad.toml: strategy.never_walk_away: no longer a field; write walk_away_days = N (days)",
        ),
        (
            "[strategy]\nwalk_away_days = 0\n",
            "bad.toml: strategy.walk_away_days: expected a number of days above 0",
        ),
        (b"\xff\xfe", "bad.toml: cannot read: not UTF-8 text"),
        ("# pad\n" * 200_000, "larger than the 1,048,576 bytes a scenario file may be"),
    ],
)
def test_bad_uploads_are_refused_in_one_line(text: str | bytes, message: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        catalogue.parse_upload("../../bad.toml", _upload(text))
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_good_upload_is_a_scenario() -> None:
    scenario = catalogue.parse_upload("mine.toml", _upload("name = 'mine'\n[sales_org]\nreps = 3\n"))
    assert scenario.name == "mine" and scenario.sales_org.reps == 3


def test_every_workshop_preset_covers_exactly_one_whole_quota_year() -> None:
    """A workshop preset runs the warm-up and one quota year, no more (each day past it is CPU the room waits
    for, and no figure of the headline uses it), and that year closes, so bookings a quota year and reps
    making quota are defined. How fast they run is `benchmarks/app.py`'s business, not a test's."""
    names = [n for n, _ in catalogue.scenario_choices() if n.startswith(catalogue.WORKSHOP_PREFIX)]
    assert len(names) >= 3
    for name in names:
        scenario = catalogue.shipped(name)
        result = sim.run(scenario)
        year = metrics.bookings_by_quota_year(result.events)
        assert year["label"].to_list()[:2] == ["warm-up", "Y1"], name
        assert year["complete"].to_list()[:2] == [True, True], name
        # A quota year is twelve 30.4-day reviews (364.8 days): past it, the run keeps less than a day.
        assert year["days"][2:].sum() < 1.0, name
        summary = result.summary()
        assert summary["opportunities"] > 0 and summary["bookings_per_quota_year"] > 0, name
        assert result.events.filter(pl.col("kind") == "QuotaPeriodClosed").height > 0, name


# ---------------------------------------------------------------------------------------------- the runner
@pytest.fixture(scope="module")
def runner() -> Iterator[Runner]:
    with ThreadPoolExecutor(2) as pool:  # the runs are the same in threads; a process pool only adds start-up
        yield Runner(executor=pool)


def test_runs_equal_sim_compare_on_the_same_seeds(runner: Runner) -> None:
    """Both run the one runner's task function; this checks the app builds sim.compare's arms and seeds."""
    scenario = catalogue.shipped("workshop_stalling_cio")
    levers = Levers.from_mapping({**Levers.of_scenario(scenario).to_mapping(), "walk_away_days": 90})
    arms = plan(scenario, levers, 2)
    job = runner.submit("s1", arms)
    assert runner.wait(job, 60)
    results = runner.results(job)
    ours = [r["summary"]["revenue"] for _, spec in arms for r in results[spec.key].rows]
    expected = sim.compare(
        scenario, [Arm("control", scenario.strategy.preset), levers.arm("choice", scenario)], 2, workers=1
    )
    assert ours == expected["revenue"].to_list()  # control's replications, then the choice's


def test_a_job_is_seen_only_by_its_session_and_results_are_cached(runner: Runner) -> None:
    scenario = catalogue.shipped("workshop_stalling_cio")
    arms = plan(scenario, Levers.of_scenario(scenario), 2)
    job = runner.submit("alice", arms)
    assert runner.job("alice", job.id) is job
    assert runner.job("bob", job.id) is None
    assert runner.job("alice", "not-a-job") is None
    assert runner.wait(job, 60)
    runner.results(job)
    again = runner.submit("bob", arms)
    assert again.futures == {}  # answered from the cache: nothing submitted
    assert runner.wait(again, 0)


def test_cancel_stops_pending_runs() -> None:
    with ThreadPoolExecutor(1) as pool:
        slow = Runner(executor=pool)
        scenario = catalogue.shipped("workshop_stalling_cio")
        levers = Levers.from_mapping({**Levers.of_scenario(scenario).to_mapping(), "reps": 5})
        job = slow.submit("s", plan(scenario, levers, 20))
        slow.cancel(job)
        assert job.cancelled
        cancelled = sum(f.cancelled() for fs in job.futures.values() for f in fs)
        assert cancelled >= 30  # of 40 runs, at most the few already started finish


# ---------------------------------------------------------------------------------------------- the board
def test_the_board_keeps_choices_saves_rounds_and_resets(tmp_path: Path) -> None:
    board = Board(tmp_path, WORKSHOP, 4)
    levers = Levers.of_scenario(catalogue.shipped(WORKSHOP))
    board.submit("Team A", levers)
    board.submit("Team B", levers.with_preset(catalogue.shipped(WORKSHOP), "qualify-hard"))
    board.submit("Team A", levers)  # a resubmission replaces
    assert [e.team for e in board.snapshot().entries] == ["Team A", "Team B"]
    assert (
        json.loads((tmp_path / "board.json").read_text())["entries"][1]["levers"]["preset"] == "qualify-hard"
    )
    board.save_as("round-1")
    board.reset()
    assert board.snapshot().entries == ()
    assert Board(tmp_path, WORKSHOP, 4).snapshot().entries == ()  # the autosave follows the reset
    board.open("round-1")
    assert [e.team for e in board.snapshot().entries] == ["Team A", "Team B"]
    assert Board(tmp_path, WORKSHOP, 4).snapshot().entries[1].team == "Team B"  # reopened after a restart
    with pytest.raises(BoardError, match="round name"):
        board.save_as("../escape")
    with pytest.raises(BoardError, match="team name"):
        board.submit("  ", levers)
    with pytest.raises(BoardError, match="no saved round"):
        board.open("round-9")


def test_a_damaged_board_file_does_not_stop_the_server(tmp_path: Path) -> None:
    (tmp_path / "board.json").write_text("{not json", encoding="utf-8")
    assert Board(tmp_path, WORKSHOP, 4).snapshot().entries == ()


# ---------------------------------------------------------------------------------------------- deal stories
@pytest.fixture(scope="module")
def cio_run() -> sim.RunResult:
    return sim.run(catalogue.shipped("workshop_stalling_cio"))


def test_a_deal_story_is_in_plain_words(cio_run: sim.RunResult) -> None:
    scenario = catalogue.shipped("workshop_stalling_cio")
    options = deal_options(cio_run.events, None, None)
    assert options and all(o["label"].startswith("deal ") for o in options)
    for option in options[:8]:
        story = deal_story(cio_run.events, option["value"], scenario)
        assert story is not None and story.forecast_day is not None
        totals = [s.total_hours for s in story.steps]
        assert totals == sorted(totals)
        words = " ".join([story.heading, *(f"{s.text} {s.buyer} {s.vendor}" for s in story.steps)])
        for internal in ("StageAdvanced", "StallRequested", "Logged", "a owner", "_"):
            assert internal not in words, (internal, option)


def test_deal_options_filter_by_outcome_and_segment(cio_run: sim.RunResult) -> None:
    for outcome in ("won", "lost", "no_decision", "walked_away", "open"):
        words = {"no_decision": "no decision", "walked_away": "walked away", "open": "still open"}.get(
            outcome, outcome
        )
        assert all(words in o["label"] for o in deal_options(cio_run.events, outcome, None))
    assert all("Fortune 1000" in o["label"] for o in deal_options(cio_run.events, None, "f1000"))


# ---------------------------------------------------------------------------------------------- the JSON API
def test_the_api_answers_its_session_only(tmp_path: Path, runner: Runner) -> None:
    app, _, _ = build(runner, tmp_path)
    client = app.server.test_client()
    levers = Levers.of_scenario(catalogue.shipped("workshop_stalling_cio")).to_mapping()
    answer = client.post(
        "/api/run",
        json={"session": "a", "scenario": "workshop_stalling_cio", "levers": levers, "replications": 2},
    )
    assert answer.status_code == 202
    job = answer.get_json()["job"]
    assert client.get(f"/api/jobs/{job}?session=b").status_code == 404
    done = client.get(f"/api/jobs/{job}?session=a&wait=10").get_json()
    assert done["state"] == "done" and [a["label"] for a in done["arms"]] == ["control", "your choice"]
    bad = client.post("/api/run", json={"session": "a", "scenario": "nope", "levers": levers})
    assert bad.status_code == 400 and "no shipped scenario" in bad.get_json()["error"]
    page = client.get("/")
    assert page.status_code == 200 and b"salesim workshop" in page.data


# ---------------------------------------------------------------------------------------------- a room at once
PARTICIPANTS = 20


@pytest.mark.slow
@pytest.mark.xdist_group("app")
def test_twenty_participants_at_once_each_see_their_own_results(tmp_path: Path) -> None:
    with live_server(tmp_path) as server:
        seen = room(server.url, PARTICIPANTS)
    scenario = catalogue.shipped(ROOM_SCENARIO)
    keys = set()
    for answer in seen:
        assert answer.result["state"] == "done", answer
        assert answer.others == 404  # another session cannot read this job
        control, choice = answer.result["arms"]
        expected = plan(
            scenario, Levers.from_mapping(participant_levers(answer.participant)), DEFAULT_REPLICATIONS
        )
        assert (control["key"], choice["key"]) == (expected[0][1].key, expected[1][1].key)
        keys.add(choice["key"])
    assert len(keys) == PARTICIPANTS  # twenty different choices, twenty different results
    # A spot check that a participant's figures are the figures of their own levers.
    spot = seen[7]
    spec = plan(scenario, Levers.from_mapping(participant_levers(7)), DEFAULT_REPLICATIONS)[1][1]
    revenue = [sim.run(spec.scenario, s).summary()["revenue"] for s in spec.seeds]
    assert spot.result["arms"][1]["means"]["revenue"] == pytest.approx(sum(revenue) / len(revenue))
    times = sorted(a.seconds for a in seen)
    # Speed is the benchmark's business (benchmarks/app.py prints median and p95); here only "it answers".
    print(f"{PARTICIPANTS} participants: median {statistics.median(times):.2f} s, slowest {times[-1]:.2f} s")
    assert times[-1] < 120
