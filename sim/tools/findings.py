"""The answers the shipped scenarios give, written down: ``python -m sim.tools.findings > docs/findings.md``.

For every shipped scenario (:data:`QUESTIONS` names the strategies each compares, the first the control) this
runs :func:`sim.study.comparison.compare` over ``--replications`` paired replications (common random numbers: every
strategy of a replication faces the same market draws) and writes, in Markdown:

- the scenario's question;
- the answer: the comparison table ``salesim compare`` prints (mean and 95% interval per strategy, the paired
  difference against the control with its 95% interval), and a sentence per strategy saying which
  differences the intervals resolve;
- the mechanism, read from the same runs' event logs (:func:`sim.metrics.mechanism_figures`): how the runs
  ended, by segment and reason (``DealWon``, ``DealLost``, ``NoDecisionReached``, ``OpportunityWalkedAway``,
  still open), revenue and discounts by segment, selling hours by category (:func:`sim.metrics.hours_by_category`)
  and by activity, and the events of each persona and tactic; every figure per replication, with the same
  paired intervals.

This module only assembles the document: every figure it states is computed in :mod:`sim.metrics`, every
interval in :mod:`sim.study.stats`, every cell written by :mod:`sim.words.format`. No sentence that states a
result is written by hand: each is built from the intervals, so when the model changes, running the script
again rewrites the answers. The output depends only on the replication count and the seed (each scenario's own
unless ``--seed`` is given), not on the number of workers. The header carries a fingerprint of every run's
event log: two documents with the same fingerprint came from the same logs.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from sim.config import SEGMENTS, Scenario, StrategyConfig, load_scenario, shipped_scenario_names
from sim.core.events import SCHEMA_VERSION
from sim.metrics import HOURS_CATEGORIES, TABLE_METRICS, mechanism_figures
from sim.metrics.mechanism import (
    ACTIVITY,
    DECIDED_DEALS,
    DISCOUNT,
    ENDING_LABEL,
    EVENT,
    INBOUND,
    OPENED,
    OUTBOUND,
    REPUTATION,
    REPUTATION_CHANGE,
    REVENUE,
    REVENUE_PER_WON_DEAL,
    STALLED_DAYS,
    STALLED_DEALS,
    STALLED_HOURS,
    STALLED_SHARE,
    WALK_AWAY_DAYS,
    WATCHED_EVENTS,
    WIN_RATE,
    ZERO_WHEN_ABSENT,
    ending_figure,
    segment_figure,
)
from sim.model.strategy import resolve_policy
from sim.results import VERSION, load_run
from sim.study.comparison import compare, compare_table
from sim.study.stats import Interval, mean_interval, paired_difference
from sim.tools.argtypes import positive
from sim.words.format import comparison_header, comparison_rows, fmt, interval

DEFAULT_REPLICATIONS = 30
"""Replications per strategy for the committed document (the issue asks for at least 30)."""

DEFAULT_WORKERS = 2


HOURS_LABEL = {c.figure: f"hours: {c.label}" for c in HOURS_CATEGORIES}
"""Labels of the ``<category>_hours`` figures of a run summary."""


# ----------------------------------------------------------------------------------------------------------
# The evidence of one scenario: the comparison's headline rows joined with the mechanism figures.
# ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """Every run of one scenario's comparison: its headline figures (``sim.compare``'s columns) and its
    mechanism figures, one row per (strategy, replication)."""

    question: Question
    scenario: Scenario
    strategies: list[str]
    data: pl.DataFrame
    seed: int

    @property
    def control(self) -> str:
        return self.strategies[0]

    @property
    def others(self) -> list[str]:
        return self.strategies[1:]

    def values(self, figure: str, strategy: str) -> list[float]:
        """The figure per replication (NaN where a run has none), in replication order."""
        rows = self.data.filter(pl.col("arm") == strategy).sort("replication")[figure].to_list()
        return [math.nan if v is None else float(v) for v in rows]

    def mean(self, figure: str, strategy: str) -> Interval:
        return mean_interval(self.values(figure, strategy))

    def diff(self, figure: str, strategy: str) -> Interval:
        """Paired difference ``strategy − control`` over replications."""
        return paired_difference(self.values(figure, strategy), self.values(figure, self.control))

    def present(self, figures: Sequence[str]) -> list[str]:
        """The figures that are in the data and not zero (or missing) in every run."""
        return [
            f
            for f in figures
            if f in self.data.columns and self.data[f].cast(pl.Float64).drop_nulls().abs().sum() > 0
        ]

    def fingerprint(self) -> str:
        """A hash of every run's event-log hash, in (strategy, replication) order."""
        return hashlib.sha256("".join(self.data["events_sha256"].to_list()).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Question:
    """A shipped scenario and the strategies that answer its question (the first is the control)."""

    scenario: str
    strategies: tuple[str, ...]
    design: str
    """What the comparison holds fixed and what it varies (about the design, never about the result)."""
    reading: Callable[[Evidence], list[str]] | None = None
    """Sentences about the figures this scenario's question turns on, built from the evidence."""
    overrides: tuple[str, ...] = ()
    """Scenario overrides (``dotted.path=value``); the shipped document uses none (tests shrink the market)."""


def gather(
    question: Question, replications: int, workers: int, seed: int | None, log: Callable[[str], None]
) -> Evidence:
    """Run the comparison into a temporary directory and read every run's log for its mechanism figures."""
    scenario = load_scenario(question.scenario, list(question.overrides))
    root = scenario.seed if seed is None else seed
    strategies = list(question.strategies)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="salesim-findings-") as tmp:
        runs = compare(
            scenario,
            strategies,
            replications,
            seed=root,
            out=Path(tmp) / "compare",
            workers=workers,
            progress=lambda done, total: log(f"\r{scenario.name}: {done}/{total} runs"),
        )
        log(f"\r{scenario.name}: {runs.height} runs in {time.perf_counter() - started:.0f} s; reading logs\n")
        rows = []
        for strategy, replication, run_dir in runs.select("arm", "replication", "run_dir").iter_rows():
            figures = mechanism_figures(load_run(run_dir).events)
            rows.append({"arm": strategy, "replication": replication, **figures})
    keys = list(dict.fromkeys(k for row in rows for k in row))
    figures_frame = pl.DataFrame(
        [{k: row.get(k, 0.0 if k.startswith(ZERO_WHEN_ABSENT) else None) for k in keys} for row in rows],
        infer_schema_length=None,
    )
    data = runs.drop("run_dir").join(figures_frame, on=["arm", "replication"], how="left")
    return Evidence(question, scenario, strategies, data, root)


# ----------------------------------------------------------------------------------------------------------
# Writing: tables and sentences.
# ----------------------------------------------------------------------------------------------------------


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", "<br>")

    lines = ["| " + " | ".join(cell(h) for h in header) + " |"]
    lines.append("|" + "|".join([" --- "] + [" ---: "] * (len(header) - 1)) + "|")
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return lines


def figures_table(
    evidence: Evidence, figures: Sequence[str], labels: dict[str, str] | None = None
) -> list[str]:
    """The comparison table (as ``salesim compare`` prints it) of any per-run figures."""
    present = evidence.present(figures)
    table = compare_table(evidence.data, present)
    if table.height == 0:
        return ["(none in any run)"]
    # A mechanism figure's name is its label (sim.metrics.mechanism); a summary figure may be renamed.
    named = {f: (labels or {}).get(f, f) for f in present}
    return markdown_table(comparison_header(table), comparison_rows(table, named))


def resolved(iv: Interval) -> bool:
    """The 95% interval excludes zero."""
    return iv.n > 1 and (iv.low > 0 or iv.high < 0)


def said(iv: Interval) -> str:
    """``mean [low, high]`` as the tables write it, with ``(n = 8 of 20)`` when the figure is undefined in some
    replications (a rate over no deals): the interval is over the others."""
    return interval(iv.mean, iv.low, iv.high, iv.n, iv.of)


def signed(iv: Interval) -> str:
    """A paired difference with its sign and interval, and whether the interval resolves it."""
    if iv.n > 1 and iv.low == iv.high == 0:
        if iv.complete:
            return "0 (the same in every replication)"
        return f"0 (the same in each of the n = {iv.n} of {iv.of} replications where both define it)"
    sign = "+" if iv.mean > 0 else ""
    verdict = "" if resolved(iv) else ", not resolved: the interval includes 0"
    return f"{sign}{said(iv)}{verdict}"


def label_of(figure: str) -> str:
    if figure in TABLE_METRICS:
        return TABLE_METRICS[figure][0]
    return HOURS_LABEL.get(figure, figure)


def movers(
    evidence: Evidence, strategy: str, figures: Sequence[str], most: int
) -> list[tuple[str, Interval]]:
    """The figures whose paired difference is resolved, largest first (at most ``most``)."""
    moved = [(f, evidence.diff(f, strategy)) for f in evidence.present(figures)]
    moved = [(f, iv) for f, iv in moved if resolved(iv)]
    return sorted(moved, key=lambda pair: -abs(pair[1].mean))[:most]


def listing(pairs: Sequence[tuple[str, Interval]]) -> str:
    return "; ".join(f"{label_of(f)} {signed(iv)}" for f, iv in pairs)


HEADLINE = ("revenue", "win_rate", "no_decision_rate", "wasted_share", "idle_share", "share_making_quota")
"""The figures each answer sentence states."""


def ending_figures() -> list[str]:
    return [ending_figure(s, e) for s in SEGMENTS for e in ENDING_LABEL]


def activity_figures(evidence: Evidence) -> list[str]:
    return sorted(c for c in evidence.data.columns if c.startswith(ACTIVITY))


def hours_figures() -> list[str]:
    return [c.figure for c in HOURS_CATEGORIES]


def answer(evidence: Evidence) -> list[str]:
    """One paragraph per strategy against the control; for a single strategy, its levels."""
    lines = []
    if not evidence.others:
        name = evidence.control
        levels = "; ".join(
            f"{label_of(f)} {said(evidence.mean(f, name))}" for f in HEADLINE if f in evidence.data.columns
        )
        return [f"**{name}** (mean [95% CI] per replication): {levels}."]
    for other in evidence.others:
        stated = [(f, evidence.diff(f, other)) for f in HEADLINE if f in evidence.data.columns]
        lines.append(f"**{other} − {evidence.control}** (paired difference [95% CI]): {listing(stated)}.")
        lines.append("")
    return lines[:-1]


def mechanism(evidence: Evidence) -> list[str]:
    """Sentences naming what moved, by segment, ending, hours category, activity and event."""
    lines: list[str] = []
    segments = [segment_figure(s, REVENUE) for s in SEGMENTS]
    events = [EVENT + k for k in WATCHED_EVENTS] + [INBOUND, OUTBOUND]
    if not evidence.others:
        name = evidence.control
        ends = sorted(
            ((f, evidence.mean(f, name)) for f in evidence.present(ending_figures())),
            key=lambda pair: -pair[1].mean,
        )
        lines.append(
            "- Endings per replication, most common first: "
            + "; ".join(f"{f} {said(iv)}" for f, iv in ends[:8])
            + "."
        )
        rates = [
            (f, evidence.mean(f, name))
            for f in evidence.present([segment_figure(s, WIN_RATE) for s in SEGMENTS])
        ]
        lines.append("- " + "; ".join(f"{f} {said(iv)}" for f, iv in rates) + ".")
        selling = evidence.mean("selling_hours", name).mean
        shares = sorted(
            ((f, evidence.mean(f, name).mean / selling) for f in evidence.present(hours_figures())),
            key=lambda pair: -pair[1],
        )
        lines.append(
            "- Share of selling hours by category: "
            + "; ".join(f"{HOURS_LABEL[f].removeprefix('hours: ')} {s:.1%}" for f, s in shares)
            + "."
        )
        return lines
    for other in evidence.others:
        lines.append(
            f"**{other} − {evidence.control}**, what moved (resolved paired differences, largest first):"
        )
        lines.append("")
        lines.append(f"- {decomposition(evidence, other)}")
        for title, figures, most in (
            ("revenue by segment", segments, 3),
            ("endings by segment (deals per replication)", ending_figures(), 6),
            ("selling hours by category", hours_figures(), 5),
            ("selling hours by activity", activity_figures(evidence), 5),
            ("events", events, 6),
        ):
            moved = movers(evidence, other, figures, most)
            lines.append(f"- {title}: {listing(moved) if moved else 'nothing resolved'}.")
        lines.append("")
    return lines[:-1]


def decomposition(evidence: Evidence, strategy: str) -> str:
    """Revenue as volume × conversion × deal size: the ratio of each (means over replications) against the
    control, so a reader sees whether a strategy sells more by closing more, converting better or selling
    bigger."""
    c = evidence.control

    def ratio(figure: str) -> float:
        base = evidence.mean(figure, c).mean
        return evidence.mean(figure, strategy).mean / base if base else math.nan

    return (
        f"revenue ×{_x(ratio('revenue'))} = closed opportunities ×{_x(ratio('closed'))} · win rate of closed "
        f"×{_x(ratio('win_rate'))} · revenue per won deal ×{_x(ratio(REVENUE_PER_WON_DEAL))} "
        "(ratios of means, so the product is approximate)."
    )


def _x(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.2f}"


def tables(evidence: Evidence) -> list[str]:
    """The full per-replication tables behind the mechanism, folded."""
    out: list[str] = []
    groups: list[tuple[str, list[str], dict[str, str] | None]] = [
        ("Endings by segment (deals per replication)", ending_figures(), None),
        (
            "Revenue, win rate and discount by segment",
            [
                segment_figure(s, what)
                for s in SEGMENTS
                for what in (OPENED, DECIDED_DEALS, REVENUE, WIN_RATE, DISCOUNT)
            ],
            None,
        ),
        (
            "Selling hours by category",
            ["selling_hours", *hours_figures()],
            {"selling_hours": "selling hours"},
        ),
        ("Selling hours by activity", activity_figures(evidence), None),
        (
            "Events, contacts, reputation",
            [EVENT + k for k in WATCHED_EVENTS]
            + [INBOUND, OUTBOUND, WALK_AWAY_DAYS, STALLED_DEALS, STALLED_DAYS, STALLED_HOURS, STALLED_SHARE]
            + [REPUTATION]
            + sorted(c for c in evidence.data.columns if c.startswith(REPUTATION_CHANGE)),
            None,
        ),
    ]
    for title, figures, labels in groups:
        out += ["<details>", f"<summary>{title}</summary>", ""]
        out += figures_table(evidence, figures, {**HOURS_LABEL, **(labels or {})})
        out += ["", "</details>", ""]
    return out


def section(evidence: Evidence, replications: int) -> list[str]:
    sc = evidence.scenario
    q = evidence.question
    lines = [f"## {sc.name}", ""]
    lines += [f"**Question.** {sc.question}", ""]
    lines += [
        f"**Design.** {q.design} Strategies: {', '.join(evidence.strategies)} (the first is the control); "
        f"{replications} replications, root seed {evidence.seed}; "
        f"`salesim compare {sc.name} --strategies {','.join(evidence.strategies)} "
        f"--replications {replications}` prints the same table. Log fingerprint `{evidence.fingerprint()}`.",
        "",
    ]
    lines += ["### Answer", ""]
    lines += [*answer(evidence), ""]
    table = compare_table(evidence.data, list(TABLE_METRICS))
    lines += [*markdown_table(comparison_header(table), comparison_rows(table)), ""]
    lines += ["### Mechanism", ""]
    if q.reading is not None:
        lines += [*q.reading(evidence), ""]
    lines += [*mechanism(evidence), ""]
    lines += tables(evidence)
    return lines


# ----------------------------------------------------------------------------------------------------------
# Scenario readings: the figures each question turns on, in sentences built from the intervals.
# ----------------------------------------------------------------------------------------------------------


def _m(evidence: Evidence, figure: str, strategy: str) -> str:
    return fmt(evidence.mean(figure, strategy).mean)


def _pct(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.0%}"


def read_baseline(ev: Evidence) -> list[str]:
    s = ev.control
    closed = ev.mean("closed", s).mean
    not_ready = sum(ev.mean(ending_figure(seg, "lost:not_ready"), s).mean for seg in SEGMENTS)
    shortlist = sum(ev.mean(ending_figure(seg, "lost:after_shortlist"), s).mean for seg in SEGMENTS)
    endings = [(f, ev.mean(f, s).mean) for f in ev.present(ending_figures())]
    top = max((pair for pair in endings if not pair[0].endswith(": won")), key=lambda pair: pair[1])
    f1000_open = ev.mean(ending_figure("f1000", "open"), s).mean
    f1000_won = ev.mean(ending_figure("f1000", "won"), s).mean
    return [
        f"Of {fmt(closed)} closed opportunities a replication, the most common ending other than a win is "
        f"*{top[0]}* ({fmt(top[1])}); losses because the rep was not ready are {_pct(not_ready / closed)} of "
        f"closed, losses to a buyer who had shortlisted before the vendor arrived {_pct(shortlist / closed)}. "
        f"Reps book {_pct(ev.mean('utilisation', s).mean)} of their selling hours; "
        f"{_pct(ev.mean('won_hours', s).mean / ev.mean('selling_hours', s).mean)} of the selling hours go to "
        f"deals that are won, {_pct(ev.mean('wasted_share', s).mean)} are wasted (deals that ended not won, "
        f"and screening), {_pct(ev.mean('still_open_hours', s).mean / ev.mean('selling_hours', s).mean)} are on "
        f"deals still open at the horizon, and {_pct(ev.mean('idle_share', s).mean)} go unused (idle capacity, "
        f"not counted as waste). At the horizon {fmt(f1000_open)} Fortune 1000 opportunities a "
        f"replication are still open against {fmt(f1000_won)} won over the whole run: with a buying cycle of "
        "about a year, three years hold only one or two Fortune 1000 cycles per account, so that segment's "
        "figures rest on few closed deals.",
    ]


def territory(ev: Evidence, strategy: str) -> str:
    """Accounts per rep seat in the segments the strategy prospects, and how it used them."""
    scenario = ev.scenario if ev.scenario.strategy.preset == strategy else None
    policy = resolve_policy(scenario.strategy if scenario else StrategyConfig(preset=strategy))
    weights = dict(zip(SEGMENTS, policy.targeting.weights(), strict=True))
    accounts = sum(getattr(ev.scenario.market, seg).accounts for seg in SEGMENTS if weights[seg] > 0)
    per_seat = accounts / ev.scenario.sales_org.reps
    idle = ev.mean("idle_share", strategy).mean
    return (
        f"{strategy} prospects {fmt(accounts)} accounts, {fmt(per_seat)} per rep seat; a replication makes "
        f"{_m(ev, OUTBOUND, strategy)} outbound and {_m(ev, INBOUND, strategy)} inbound contacts, puts "
        f"{_m(ev, EVENT + 'AccountCooledOff', strategy)} accounts in cool-off "
        f"({fmt(ev.scenario.sales_org.cooloff_days)} days) and {_m(ev, EVENT + 'NurtureStarted', strategy)} in "
        f"nurture, and leaves {_pct(idle)} of its selling hours idle (unused capacity, not counted as waste)"
    )


def read_numbers_vs_qualify(ev: Evidence) -> list[str]:
    out = [f"{territory(ev, s)}." for s in ev.strategies]
    for s in ev.others:
        idle = ev.diff("idle_hours", s)
        out.append(
            f"{s} disqualifies {_m(ev, EVENT + 'ContactDisqualified', s)} contacts below VP a replication "
            f"(referred up {_m(ev, EVENT + 'ContactReferredUp', s)} times) and walks away from "
            f"{_pct(ev.mean('walk_away_rate', s).mean)} of closed opportunities (median "
            f"{_m(ev, WALK_AWAY_DAYS, s)} idle days). Its win rate changes by {signed(ev.diff('win_rate', s))}, "
            f"the opportunities it opens by {signed(ev.diff('opportunities', s))}, its screening hours by "
            f"{signed(ev.diff('screening_hours', s))}, its wasted hours by {signed(ev.diff('wasted_hours', s))} "
            f"and, beside them, its idle hours (unused capacity) by {signed(idle)}. "
            + (
                "Idle hours are hours no live deal needed and no account in the territory was free to approach "
                "(a rep gives up prospecting for the week when its random picks find only accounts cooling off, "
                "in nurture or in a deal): the qualifying rep converts better but runs out of people to qualify."
                if resolved(idle) and idle.mean > 0
                else ""
            )
        )
    return out


def read_long_game(ev: Evidence) -> list[str]:
    out = []
    for s in ev.strategies:
        reasons = [
            (c.removeprefix(REPUTATION_CHANGE), ev.mean(c, s).mean)
            for c in sorted(ev.data.columns)
            if c.startswith(REPUTATION_CHANGE)
        ]
        out.append(
            f"{s}: reputation at the horizon {said(ev.mean(REPUTATION, s))} (moved by "
            + ", ".join(f"{r} {v:+.2f}" for r, v in reasons if v)
            + f"); referrals {_m(ev, EVENT + 'ReferralGiven', s)}, failed adoptions "
            f"{_m(ev, EVENT + 'AdoptionFailed', s)}, enablement hours "
            f"{_m(ev, ACTIVITY + 'BuyerEnabled', s)}, walk-aways "
            f"{fmt(sum(ev.mean(ending_figure(seg, 'walked_away'), s).mean for seg in SEGMENTS))}, inbound "
            f"contacts {_m(ev, INBOUND, s)}, idle (unused capacity) {_pct(ev.mean('idle_share', s).mean)} "
            "of selling hours a replication."
        )
    out.append(
        "Reputation feeds meeting acceptance, inbound inquiries and win chances (docs/model.md), so a "
        "strategy's effect on reputation shows up as more or fewer opportunities in every segment, not only "
        "in the deals where it acted."
    )
    return out


def read_pressure(ev: Evidence) -> list[str]:
    out = []
    for s in ev.others:
        applied = ev.mean(EVENT + "PressureApplied", s).mean
        worked = ev.mean(EVENT + "PressureWorked", s).mean
        detected = ev.mean(EVENT + "PressureDetected", s).mean
        smb_rev = ev.diff(segment_figure("smb", REVENUE), s)
        smb_decided = ev.diff(segment_figure("smb", DECIDED_DEALS), s)
        smb_rate = ev.diff(segment_figure("smb", WIN_RATE), s)
        out.append(
            f"{s} applies invented urgency {fmt(applied)} times a replication: it rushes an owner "
            f"{fmt(worked)} times and procurement sees through it {fmt(detected)} times (repair hours "
            f"{_m(ev, ACTIVITY + 'PressureDetected', s)}, reputation "
            f"{fmt(ev.mean(REPUTATION_CHANGE + 'pressure_detected', s).mean)} from detections; "
            f"reputation at the horizon changes by {signed(ev.diff(REPUTATION, s))}). Revenue changes by "
            f"SMB {signed(smb_rev)}, mid-market {signed(ev.diff(segment_figure('mid_market', REVENUE), s))}, Fortune "
            f"1000 {signed(ev.diff(segment_figure('f1000', REVENUE), s))}. In SMB, where no procurement runs, the "
            f"decided opportunities change by {signed(smb_decided)} and the win rate of decided by "
            f"{signed(smb_rate)}; inbound contacts by {signed(ev.diff(INBOUND, s))}."
        )
        reputation = ev.diff(REPUTATION, s)
        if resolved(smb_rev) and smb_rev.mean < 0 and resolved(reputation) and reputation.mean < 0:
            out.append(
                "SMB owners never meet procurement, yet SMB revenue falls: the vendor's reputation is one "
                "figure across segments, and detections in mid-market and Fortune 1000 purchases (with the "
                "failed adoptions pressure adds) lower it; reputation scales meeting acceptance, inbound "
                "inquiries and win chances, so SMB owners meet the vendor less and buy from it less. Rushing "
                "an owner only moves the decision earlier; it raises no win chance in the model."
            )
    return out


def read_smb_vs_f1000(ev: Evidence) -> list[str]:
    out = [f"{territory(ev, s)}." for s in ev.strategies]
    for s in ev.strategies:
        out.append(
            f"{s}: revenue SMB {_m(ev, segment_figure('smb', REVENUE), s)}, Fortune 1000 "
            f"{_m(ev, segment_figure('f1000', REVENUE), s)}; deals won SMB {_m(ev, ending_figure('smb', 'won'), s)}, "
            f"Fortune 1000 {_m(ev, ending_figure('f1000', 'won'), s)} (still open at the horizon "
            f"{_m(ev, ending_figure('f1000', 'open'), s)}); share of selling hours on deals with a stalling CIO "
            f"{_pct(ev.mean(STALLED_SHARE, s).mean)}."
        )
    control, other = ev.control, ev.others[0] if ev.others else ev.control
    idle_c = ev.mean("idle_share", control).mean
    if idle_c > 0.3:
        out.append(
            f"{control} leaves {_pct(idle_c)} of its selling hours idle: its reps have more hours than the "
            "SMB territory has accounts free to approach (each no puts an account in cool-off), so the "
            f"comparison measures the size of the SMB market in this scenario as much as the segment's "
            f"economics; {other} faces the same limit with {_pct(ev.mean('idle_share', other).mean)} idle."
        )
    return out


def read_stalling_cio(ev: Evidence) -> list[str]:
    out = []
    for s in ev.strategies:
        out.append(
            f"{s}: {_m(ev, EVENT + 'StallRequested', s)} stall requests a replication costing "
            f"{_m(ev, ACTIVITY + 'StallRequested', s)} hours; {_m(ev, STALLED_DEALS, s)} deals with the "
            f"CIO a replication, open {_m(ev, STALLED_DAYS, s)} days on average and taking "
            f"{_m(ev, STALLED_HOURS, s)} rep hours; endings a replication: no decision (further evaluation) "
            f"{_m(ev, ending_figure('f1000', 'no_decision:further_evaluation'), s)}, won "
            f"{_m(ev, ending_figure('f1000', 'won'), s)}, walked away "
            f"{_m(ev, ending_figure('f1000', 'walked_away'), s)} (median {_m(ev, WALK_AWAY_DAYS, s)} idle days), "
            f"still open {_m(ev, ending_figure('f1000', 'open'), s)}; contacts disqualified "
            f"{_m(ev, EVENT + 'ContactDisqualified', s)}."
        )
    out.append(
        "The CIO stretches the buyer's own cycle and answers each stage with requests that hold it for a "
        "month; the rep's check-ins and request hours accumulate while the buyer's cycle runs, and the CIO's "
        "window ends in 'further evaluation' with the scenario's stall_no_decision_probability."
    )
    if all(ev.mean(ending_figure("f1000", "won"), s).mean == 0 for s in ev.strategies):
        out.append(
            "No strategy wins this account in any replication: the rep's strategy changes the hours spent "
            "and when the deal ends, not whether this CIO buys."
        )
    return out


QUESTIONS: tuple[Question, ...] = (
    Question(
        "baseline",
        ("numbers-game",),
        "The reference market and team, one strategy: the answer is its levels, not a difference.",
        read_baseline,
    ),
    Question(
        "numbers_vs_qualify",
        ("numbers-game", "qualify-hard"),
        "The baseline market; the team meets everyone and keeps everything, or qualifies hard.",
        read_numbers_vs_qualify,
    ),
    Question(
        "long_game",
        ("numbers-game", "pressure", "help-them-buy"),
        "The baseline market with reputation feedback; three ways of selling on the same draws.",
        read_long_game,
    ),
    Question(
        "pressure_vs_procurement",
        ("numbers-game", "pressure"),
        "The baseline market with procurement in every mid-market purchase; the same team with and "
        "without invented urgency (pressure also gives up the period-end discount).",
        read_pressure,
    ),
    Question(
        "smb_vs_f1000",
        ("smb-focus", "f1000-focus"),
        "SMB and Fortune 1000 accounts only; the numbers-game team prospects one segment or the other.",
        read_smb_vs_f1000,
    ),
    Question(
        "stalling_cio",
        ("numbers-game", "qualify-hard", "help-them-buy"),
        "One Fortune 1000 account with a stalling CIO and one rep; the rep humours the CIO, walks away "
        "after 90 days without buyer action, or helps the buyer buy.",
        read_stalling_cio,
    ),
)
"""Every shipped scenario, the strategies that answer its question, and how to read it."""


# ----------------------------------------------------------------------------------------------------------
# The document.
# ----------------------------------------------------------------------------------------------------------


def header(replications: int, workers: int, seed: int | None, fingerprints: Sequence[str]) -> list[str]:
    seed_arg = "" if seed is None else f" --seed {seed}"
    overall = hashlib.sha256("".join(fingerprints).encode()).hexdigest()[:16]
    return [
        "# Findings: the answers the shipped scenarios give",
        "",
        "<!-- Generated; do not edit by hand. -->",
        f"Generated by `python -m sim.tools.findings --replications {replications} --workers {workers}{seed_arg} "
        "> docs/findings.md` (sim/tools/findings.py) from salesim "
        f"{VERSION}, event schema {SCHEMA_VERSION}; log fingerprint `{overall}`. Run it again after any change "
        "to the model: every figure and every sentence stating a result below is computed from the runs.",
        "",
        "How to read it. Each scenario's strategies run on the same replications (common random numbers: "
        "replication *r* gives every strategy the same accounts, needs and buying windows), so a strategy's "
        "effect is the paired difference against the first strategy, the control, given as mean [95% CI] "
        "over replications (t interval). A difference whose interval includes 0 is *not resolved* at this "
        "number of replications. A figure undefined in some replications (a rate over no deals) is left "
        "out of them and its interval says how many remain (*n = 8 of 20*); a paired difference uses only the "
        "replications where both strategies define it. *Wasted* hours are those on deals that ended not won "
        "(lost, no decision, walked away) and screening; hours on deals still open at the horizon are neither "
        "wasted nor won; idle hours are *unused capacity*, reported beside the waste and never in it. "
        "The mechanism is read from the same runs' event logs: endings "
        "(`DealWon`, `DealLost` and `NoDecisionReached` by reason, `OpportunityWalkedAway`, still open) by "
        "segment, revenue and discount by segment, selling hours by category (`sim.metrics."
        "hours_by_category`: every selling hour in exactly one) and by activity, and the events of each "
        "persona and tactic. Counts are per replication over the whole horizon.",
        "",
    ]


def findings_document(
    questions: Sequence[Question] = QUESTIONS,
    replications: int = DEFAULT_REPLICATIONS,
    workers: int = DEFAULT_WORKERS,
    seed: int | None = None,
    log: Callable[[str], None] = lambda _: None,
) -> str:
    """The whole Markdown document (the script's core)."""
    sections: list[str] = []
    fingerprints = []
    for question in questions:
        evidence = gather(question, replications, workers, seed, log)
        fingerprints.append(evidence.fingerprint())
        sections += section(evidence, replications)
    return "\n".join(header(replications, workers, seed, fingerprints) + sections).rstrip() + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sim.tools.findings", description="Write docs/findings.md (Markdown, to stdout)."
    )
    parser.add_argument("--replications", type=positive(int), default=DEFAULT_REPLICATIONS)
    parser.add_argument("--workers", type=positive(int), default=DEFAULT_WORKERS)
    parser.add_argument("--seed", type=int, default=None, help="root seed (default: each scenario's own)")
    parser.add_argument("--scenarios", default=None, help="comma-separated subset of the shipped scenarios")
    args = parser.parse_args(argv)
    questions: Sequence[Question] = QUESTIONS
    if args.scenarios:
        wanted = [s.strip() for s in args.scenarios.split(",") if s.strip()]
        unknown = sorted(set(wanted) - {q.scenario for q in QUESTIONS})
        if unknown:
            parser.error(f"--scenarios: unknown {unknown}; shipped: {', '.join(shipped_scenario_names())}")
        questions = [q for q in QUESTIONS if q.scenario in wanted]

    def log(text: str) -> None:
        sys.stderr.write(text)
        sys.stderr.flush()

    sys.stdout.write(findings_document(questions, args.replications, args.workers, args.seed, log))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
