"""docs/findings.md's generator: every shipped scenario is covered, and the document states, per scenario, its
question, intervals and a mechanism section (on a tiny run)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from sim.config import load_scenario, shipped_scenario_names
from sim.tools.findings import QUESTIONS, Question, findings_document, main

SMALL = (
    "horizon_days=240",
    "sales_org.reps=2",
    "market.smb.accounts=120",
    "market.mid_market.accounts=30",
    "market.f1000.accounts=12",
)
"""Overrides that shrink a baseline-like market to a run of well under a second."""

INTERVAL = re.compile(r"-?[\d,.]+ \[-?[\d,.]+, -?[\d,.]+\]")


def test_every_shipped_scenario_has_a_question_with_strategies() -> None:
    assert [q.scenario for q in QUESTIONS] == [q.scenario for q in QUESTIONS if q.strategies]
    # Workshop presets are smaller copies of scenarios the findings answer (sized for a room, not for an answer).
    full_size = [n for n in shipped_scenario_names() if not n.startswith("workshop_")]
    assert sorted(q.scenario for q in QUESTIONS) == full_size
    for name in set(shipped_scenario_names()) - set(full_size):
        assert name.removeprefix("workshop_") in full_size, name
    for question in QUESTIONS:
        assert load_scenario(question.scenario).question, question.scenario


def _tiny() -> list[Question]:
    by_name = {q.scenario: q for q in QUESTIONS}
    shrunk = [
        replace(by_name[name], overrides=SMALL) for name in ("numbers_vs_qualify", "pressure_vs_procurement")
    ]
    return [by_name["stalling_cio"], *shrunk]


def test_the_document_states_question_answer_and_mechanism_per_scenario() -> None:
    questions = _tiny()
    doc = findings_document(questions, replications=3, workers=1)
    assert doc.startswith("# Findings")
    assert "python -m sim.tools.findings --replications 3 --workers 1" in doc
    sections = re.split(r"^## ", doc, flags=re.MULTILINE)[1:]
    assert len(sections) == len(questions)
    for question, text in zip(questions, sections, strict=True):
        name = question.scenario
        assert text.startswith(name)
        assert f"**Question.** {load_scenario(name).question}" in text
        answer = text.split("### Answer", 1)[1].split("### Mechanism", 1)[0]
        assert "paired difference [95% CI]" in answer
        assert INTERVAL.search(answer), f"{name}: no interval in the answer"
        assert "paired diff [95% CI]" in answer  # the comparison table
        mechanism = text.split("### Mechanism", 1)[1]
        assert "endings by segment" in mechanism and "selling hours by category" in mechanism
        assert "<summary>Selling hours by category</summary>" in mechanism


def test_the_document_is_deterministic_and_independent_of_workers() -> None:
    by_name = {q.scenario: q for q in QUESTIONS}
    questions = [by_name["stalling_cio"]]
    one = findings_document(questions, replications=2, workers=1)
    two = findings_document(questions, replications=2, workers=2)
    assert one.replace("--workers 1", "--workers 2") == two


def test_the_command_line_writes_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--replications", "2", "--workers", "1", "--scenarios", "stalling_cio"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Findings") and "## stalling_cio" in out and "### Mechanism" in out
