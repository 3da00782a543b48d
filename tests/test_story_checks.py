"""The story checker (``sim.metrics.story_checks``, ``salesim replay RUN --check``): stories that cannot happen.

Each rule is shown a small hand-built log that breaks it and a near-identical one that does not; the command
line's three exit codes are pinned; and a slow test asks every shipped scenario, over five seeds, for a model
whose every deal story can happen.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl
import pytest
from conftest import SCENARIO_DIR, run_cli, small_scenario

from sim.config import load_scenario
from sim.core.events import EventLog, as_stored
from sim.core.kinds import (
    BuyingJobCompleted,
    BuyingWindowClosed,
    BuyingWindowOpened,
    ContactMade,
    DealLost,
    DealWon,
    Event,
    IdleHoursLogged,
    MeetingHeld,
    NegotiationRoundHeld,
    NoDecisionReached,
    OpportunityOpened,
    ProcurementEngaged,
    RunEnded,
    StageAdvanced,
    SupplierRiskAssessed,
)
from sim.engine import event_log
from sim.metrics.story_checks import (
    F1000_FIRST_MEETING_TO_DEMO_DAYS,
    NOT_READY_IDLE_DAYS,
    RULES,
    VIOLATION_SCHEMA,
    opportunities_checked,
    story_violations,
)
from sim.results import RunResult, save_run

SHIPPED = sorted(SCENARIO_DIR.glob("*.toml"))
SEEDS = (1, 2, 3, 4, 5)

ACCOUNT, OPP, REP, CONTACT = 3, 7, 1, 11

Step = tuple[float, Event]
"""One event of a hand-built story and the day it happens."""


def job(name: str) -> BuyingJobCompleted:
    return BuyingJobCompleted(account=ACCOUNT, job=name)


def stage(name: str) -> StageAdvanced:
    return StageAdvanced(rep=REP, account=ACCOUNT, opp=OPP, stage=name, hours=2.0)


def window_opened(decision_day: float) -> BuyingWindowOpened:
    return BuyingWindowOpened(
        account=ACCOUNT, segment="f1000", pain="acute", budget="assigned", day=decision_day
    )


def first_meeting(segment: str = "f1000") -> list[Event]:
    return [
        ContactMade(
            rep=REP,
            account=ACCOUNT,
            contact=CONTACT,
            segment=segment,
            title="vp",
            hours=0.5,
            reason="outbound",
        ),
        MeetingHeld(rep=REP, account=ACCOUNT, contact=CONTACT, title="vp", hours=2.0),
        OpportunityOpened(
            rep=REP,
            account=ACCOUNT,
            opp=OPP,
            contact=CONTACT,
            segment=segment,
            amount=400_000.0,
            opp_type="prospect",
            score=3,
        ),
    ]


def won(segment: str = "f1000") -> DealWon:
    return DealWon(
        rep=REP, account=ACCOUNT, opp=OPP, segment=segment, amount=360_000.0, discount=0.1, reason="won"
    )


def lost(reason: str, rep: int | None = REP) -> DealLost:
    return DealLost(rep=rep, account=ACCOUNT, opp=OPP, segment="f1000", reason=reason)


def deal(segment: str = "f1000", meeting_day: float = 10.0, demo_day: float = 100.0) -> list[Step]:
    """A Fortune 1000 deal that can happen: met on day 10 within a window open from day 0, each stage after
    the buyer's job it needs, procurement before the buyer decides on day 300, then won."""
    return [
        (0.0, window_opened(300.0)),
        *((meeting_day, event) for event in first_meeting(segment)),
        (45.0, job("problem_identification")),
        (45.0, stage("discovery")),
        (90.0, job("solution_exploration")),
        (demo_day, stage("demo")),
        (150.0, job("requirements")),
        (160.0, stage("proposal")),
        (210.0, job("supplier_selection")),
        (255.0, job("validation")),
        (255.0, stage("negotiation")),
        (255.0, ProcurementEngaged(rep=REP, account=ACCOUNT, opp=OPP)),
        (262.0, NegotiationRoundHeld(rep=REP, account=ACCOUNT, opp=OPP, hours=3.0, discount=0.07)),
        (300.0, job("consensus")),
        (300.0, BuyingWindowClosed(account=ACCOUNT)),
        (300.0, stage("close")),
        (300.0, won(segment)),
    ]


def log_of(steps: Sequence[Step]) -> pl.DataFrame:
    """The steps as a run's log (text as Categorical, as a run returns it), ended by ``RunEnded``: in order of
    day, and steps of one day in the order given."""
    now = [0.0]
    log = EventLog(clock=lambda: now[0], sink=lambda *event: None)
    for day, event in sorted([*steps, (730.0, RunEnded(day=730.0))], key=lambda step: step[0]):
        now[0] = day
        log.emit(event)
    return log.to_frame()


def rules_broken(steps: Sequence[Step]) -> list[str]:
    return story_violations(log_of(steps))["rule"].to_list()


def without(steps: list[Step], event: Event) -> list[Step]:
    return [step for step in steps if step[1] != event]


def replaced(steps: list[Step], old: Event, new: Step) -> list[Step]:
    """The steps with ``old`` taken out and ``new`` put in (after every other step of its day)."""
    return [*without(steps, old), new]


def test_a_deal_that_can_happen_breaks_no_rule() -> None:
    events = log_of(deal())
    found = story_violations(events)
    assert found.is_empty() and dict(found.schema) == VIOLATION_SCHEMA
    assert opportunities_checked(events) == 1
    assert list(RULES) == [
        "win_without_proposal",
        "stage_after_shortlist",
        "procurement_after_close",
        "f1000_demo_too_soon",
        "not_ready_with_idle_rep",
    ]


def test_the_stored_log_gives_the_same_answer_as_the_run() -> None:
    """Text is Categorical in a run's frame and String in events.parquet: the checker reads both alike."""
    steps = without(deal(), stage("proposal"))
    assert story_violations(log_of(steps)).equals(story_violations(as_stored(log_of(steps))))
    assert story_violations(log_of(steps).lazy()).height == 1


def test_no_win_without_a_proposal() -> None:
    steps = without(deal(), stage("proposal"))
    found = story_violations(log_of(steps))
    assert found["rule"].to_list() == ["win_without_proposal"]
    assert found["opp"].to_list() == [OPP]
    assert found["description"].item() == "won on day 300 (won) with no proposal done"
    after_the_win = [*steps[:-1], (300.0, won()), (301.0, stage("proposal"))]
    assert rules_broken(after_the_win) == ["win_without_proposal"]


def test_no_demo_after_the_buyer_shortlisted_without_us() -> None:
    """Demo on day 220, after the shortlist of day 210: the buyer had chosen its vendors without seeing us."""
    late_demo = replaced(deal(), stage("demo"), (220.0, stage("demo")))
    late_demo = replaced(late_demo, stage("proposal"), (225.0, stage("proposal")))
    found = story_violations(log_of(late_demo))
    assert found["rule"].to_list() == ["stage_after_shortlist"]
    assert found["day"].to_list() == [220.0]
    assert (
        found["description"]
        .item()
        .startswith(
            "demo on day 220, proposal on day 225, after the buyer drew up its shortlist (supplier selection done "
            "on day 210; the deal opened 200 days before it)"
        )
    )
    # Near-identical: the demo before the shortlist puts us on it, and a proposal after it is the buyer's
    # ordinary next step with its shortlisted vendors.
    assert rules_broken(replaced(deal(), stage("proposal"), (225.0, stage("proposal")))) == []
    # A demo on the shortlist's own day comes after it: the buyer acts first in a day.
    same_day = replaced(deal(), stage("demo"), (210.0, stage("demo")))
    assert rules_broken(replaced(same_day, stage("proposal"), (215.0, stage("proposal")))) == [
        "stage_after_shortlist"
    ]


def test_a_late_demo_is_possible_when_the_deal_is_then_lost_for_it() -> None:
    late_demo = replaced(deal(), stage("demo"), (220.0, stage("demo")))
    late_demo = replaced(late_demo, stage("proposal"), (225.0, stage("proposal")))
    cut = [step for step in late_demo if step[0] < 255.0]
    ended = [
        *cut,
        (255.0, job("validation")),
        (300.0, job("consensus")),
        (300.0, BuyingWindowClosed(account=ACCOUNT)),
    ]
    assert rules_broken([*ended, (300.0, lost("after_shortlist"))]) == []
    assert rules_broken([*ended, (300.0, lost("competitor"))]) == ["stage_after_shortlist"]
    no_decision = NoDecisionReached(rep=REP, account=ACCOUNT, opp=OPP, segment="f1000", reason="status_quo")
    assert rules_broken([*ended, (300.0, no_decision)]) == ["stage_after_shortlist"]


def test_a_deal_opened_after_the_shortlist_is_off_it() -> None:
    """The model's own ``after_shortlist``: the buyer had its shortlist before we reached it."""
    opened_late = [
        (0.0, window_opened(300.0)),
        (45.0, job("problem_identification")),
        (90.0, job("solution_exploration")),
        (150.0, job("requirements")),
        (210.0, job("supplier_selection")),
        *((215.0, event) for event in first_meeting()),
        (216.0, stage("discovery")),
        (240.0, stage("demo")),
        (255.0, job("validation")),
        (300.0, job("consensus")),
        (300.0, BuyingWindowClosed(account=ACCOUNT)),
    ]
    assert rules_broken([*opened_late, (300.0, lost("after_shortlist"))]) == []
    assert rules_broken([*opened_late, (300.0, lost("competitor"))]) == ["stage_after_shortlist"]
    # Without the demo nothing happened after the shortlist that the buyer could not have let happen.
    assert rules_broken([*without(opened_late, stage("demo")), (300.0, lost("competitor"))]) == []


def test_no_procurement_after_the_buyer_window_closed() -> None:
    late = replaced(deal(), won(), (330.0, won()))
    late = replaced(
        late,
        NegotiationRoundHeld(rep=REP, account=ACCOUNT, opp=OPP, hours=3.0, discount=0.07),
        (320.0, NegotiationRoundHeld(rep=REP, account=ACCOUNT, opp=OPP, hours=3.0, discount=0.07)),
    )
    found = story_violations(log_of(late))
    assert found["rule"].to_list() == ["procurement_after_close"]
    assert found["description"].item() == (
        "NegotiationRoundHeld on day 320, 20 days after the buyer's window closed on day 300"
    )
    # Near-identical: the round on day 299 is before the window closes.
    early = replaced(
        late,
        NegotiationRoundHeld(rep=REP, account=ACCOUNT, opp=OPP, hours=3.0, discount=0.07),
        (299.0, NegotiationRoundHeld(rep=REP, account=ACCOUNT, opp=OPP, hours=3.0, discount=0.07)),
    )
    assert rules_broken(early) == []


def test_a_deal_opened_between_windows_belongs_to_the_next_one() -> None:
    """Opened on day 10, after a first window closed on day 5 and before the next opens on day 20: the deal is
    the second window's, and procurement is judged against that window's close (day 320), not the first's."""
    shifted = [(day + 20.0, event) for day, event in deal()[4:]]
    second = [
        (0.0, window_opened(5.0)),
        (5.0, BuyingWindowClosed(account=ACCOUNT)),
        *((10.0, event) for event in first_meeting()),
        (20.0, window_opened(320.0)),
        *shifted,
    ]
    assert [type(event).__name__ for _, event in second[-3:]] == [
        "BuyingWindowClosed",
        "StageAdvanced",
        "DealWon",
    ]
    assert rules_broken(second) == []
    supplier_risk = SupplierRiskAssessed(rep=REP, account=ACCOUNT, opp=OPP, hours=6.0, days=30.0)
    late = [*second[:-1], (321.0, supplier_risk), (321.0, won())]
    assert rules_broken(late) == ["procurement_after_close"]
    # Judged against the first window (closed on day 5), procurement from day 275 on would be late.
    assert (
        story_violations(log_of(late))["description"]
        .item()
        .startswith("SupplierRiskAssessed on day 321, 1 day")
    )


def test_a_fortune_1000_demo_waits_for_the_buying_group() -> None:
    soon = deal(meeting_day=40.0, demo_day=40.0 + F1000_FIRST_MEETING_TO_DEMO_DAYS - 1)
    found = story_violations(log_of(soon))
    assert found["rule"].to_list() == ["f1000_demo_too_soon"]
    assert found["description"].item() == (
        "Fortune 1000 demo on day 53, 13 days after the first meeting (day 40); at least 14 days"
    )
    assert rules_broken(deal(meeting_day=40.0, demo_day=40.0 + F1000_FIRST_MEETING_TO_DEMO_DAYS)) == []
    assert rules_broken(deal(segment="smb", meeting_day=40.0, demo_day=41.0)) == [], (
        "the rule is Fortune 1000's"
    )


def not_ready(idle: Sequence[Step], rep: int | None = REP) -> list[Step]:
    """A deal lost not ready on day 305 (the rep had not done the close), with the rep's idle weeks."""
    return [
        *(step for step in deal() if step[0] < 300.0),
        (300.0, job("consensus")),
        (300.0, BuyingWindowClosed(account=ACCOUNT)),
        *idle,
        (305.0, lost("not_ready", rep)),
    ]


def idle_week(first_day: float, hours: float, rep: int = REP) -> Step:
    return (
        first_day + 7.0,
        IdleHoursLogged(rep=rep, hours=hours, day=first_day, reason="territory_exhausted"),
    )


def test_not_ready_only_when_the_rep_had_no_idle_hours() -> None:
    found = story_violations(log_of(not_ready([idle_week(294.0, 3.5)])))
    assert found["rule"].to_list() == ["not_ready_with_idle_rep"]
    assert found["description"].item() == (
        'lost "not ready" on day 305 while its rep 1 logged 3.5 idle hours in the weeks from day 294'
    )
    assert rules_broken(not_ready([idle_week(294.0, 0.0)])) == [], "a week with no idle hour is a busy week"
    assert rules_broken(not_ready([idle_week(287.0, 3.5)])) == [], "the week started 18 days before the loss"
    assert rules_broken(not_ready([idle_week(294.0, 3.5, rep=2)])) == [], "another rep's idle hours"
    assert rules_broken(not_ready([idle_week(291.0, 3.5)])) == ["not_ready_with_idle_rep"], (
        "a week starting 14 days before the loss"
    )


def test_not_ready_while_the_seat_is_vacant_is_no_busy_rep() -> None:
    found = story_violations(log_of(not_ready([], rep=None)))
    assert found["rule"].to_list() == ["not_ready_with_idle_rep"]
    assert "vacant" in found["description"].item()
    assert rules_broken(not_ready([])) == []


def test_the_docs_define_every_rule_and_state_its_numbers() -> None:
    docs = Path(__file__).resolve().parents[1] / "docs"
    model = (docs / "model.md").read_text(encoding="utf-8")
    section = model[model.index("### Stories that cannot happen") : model.index("## 17.")]
    assert [f"`{rule}`" in section for rule in RULES] == [True] * len(RULES)
    calibration = (docs / "calibration.md").read_text(encoding="utf-8")
    for name, value in (
        ("F1000_FIRST_MEETING_TO_DEMO_DAYS", F1000_FIRST_MEETING_TO_DEMO_DAYS),
        ("NOT_READY_IDLE_DAYS", NOT_READY_IDLE_DAYS),
    ):
        assert f"| {value:g} | `{name}` |" in calibration, name


def saved(events: pl.DataFrame, directory: Path) -> Path:
    """A run directory holding ``events`` (renumbered) as a small baseline run's log."""
    events = events.with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("seq"))
    return save_run(RunResult(scenario=small_scenario(), seed=1, events=events), directory)


def test_replay_check_exit_codes(tmp_path: Path) -> None:
    events = event_log(small_scenario(), 1)
    broken = story_violations(events)["opp"].unique()
    clean = saved(events.filter(~pl.col("opp").is_in(broken.implode())), tmp_path / "clean")
    won_opp = events.filter((pl.col("kind") == "DealWon") & ~pl.col("opp").is_in(broken.implode()))["opp"][0]
    no_proposal = (
        (pl.col("kind") == "StageAdvanced") & (pl.col("stage") == "proposal") & (pl.col("opp") == won_opp)
    )
    dirty = saved(events.filter(~pl.col("opp").is_in(broken.implode()) & ~no_proposal), tmp_path / "dirty")

    ok = run_cli(["replay", str(clean), "--check"], cwd=tmp_path)
    checked = opportunities_checked(events) - broken.len()
    assert (ok.returncode, ok.stdout, ok.stderr) == (
        0,
        f"no violations ({checked:,} opportunities checked)\n",
        "",
    )

    found = run_cli(["replay", str(dirty), "--check"], cwd=tmp_path)
    assert found.returncode == 1, found.stderr
    assert found.stdout.splitlines() == [
        f"opportunity {won_opp}: win_without_proposal: "
        + story_violations(events.filter(~no_proposal)).filter(pl.col("opp") == won_opp)["description"].item()
    ]

    one = run_cli(["replay", str(dirty), "--check", "--opportunity", str(won_opp + 1)], cwd=tmp_path)
    assert (one.returncode, one.stdout) == (0, "no violations (1 opportunity checked)\n")

    not_a_run = tmp_path / "not-a-run"
    not_a_run.mkdir()
    refused = run_cli(["replay", str(not_a_run), "--check"], cwd=tmp_path)
    assert refused.returncode == 2 and refused.stdout == ""
    assert len(refused.stderr.splitlines()) == 1 and "not-a-run" in refused.stderr

    log = dirty / "events.parquet"
    pl.read_parquet(log).with_columns(pl.col("hours") * 2).write_parquet(log)  # damaged: no longer its hash
    damaged = run_cli(["replay", str(dirty), "--check"], cwd=tmp_path)
    assert damaged.returncode == 2 and damaged.stdout == "" and len(damaged.stderr.splitlines()) == 1


@pytest.mark.slow
@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_shipped_scenario_tells_only_stories_that_can_happen(path: Path) -> None:
    """Every shipped scenario over five seeds: no deal story breaks a rule (issue 20)."""
    scenario = load_scenario(path)
    found = [
        f"seed {seed}: {line}"
        for seed in SEEDS
        for line in story_violations(event_log(scenario, seed))
        .select(pl.format("opportunity {}: {}: {}", "opp", "rule", "description"))
        .to_series()
        .to_list()
    ]
    assert not found, f"{len(found)} stories that cannot happen in {path.stem}, e.g.\n" + "\n".join(
        found[:10]
    )


def test_the_model_waits_as_long_as_the_checker_asks() -> None:
    """The model's Fortune 1000 demo lead (a scenario parameter) is at least the checker's minimum: the model
    cannot import the checker, so this keeps the two numbers in step."""
    from sim.config import f1000_defaults

    assert f1000_defaults().demo_lead_days >= F1000_FIRST_MEETING_TO_DEMO_DAYS
