"""The workshop app's page, its callbacks, a small JSON API, and :func:`serve`.

State lives in three places, on purpose:

- **the browser tab** (``dcc.Store``, ``storage_type="session"``): the session id, the chosen scenario and the
  last Run's request. One participant's tab never holds another's, and a reload keeps them;
- **the server's** :class:`~sim.app.runner.Runner`: the process pool, the cache of *pure* results (the same
  inputs give the same figures, so sharing them shares nothing private) and jobs, each readable only by the
  session that started it;
- **the board** (:class:`~sim.app.board.Board`): the one shared, mutable thing, explicit and locked.

Runs never execute in the server's threads: a callback submits them to the pool and waits at most
:data:`ANSWER_WAIT_SECONDS`, so a workshop-sized Run is answered in one round trip and a longer one shows
progress (the page polls) and can be cancelled. Every callback turns a bad input into a message on the page,
never an exception, so one participant's mistake never disturbs anyone else.
"""

from __future__ import annotations

import math
import os
import uuid
from pathlib import Path
from typing import Any

from dash import Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate
from flask import Response, jsonify, request

from sim.app import scenarios as catalogue
from sim.app.board import Board
from sim.app.levers import LABELS, MAX_APP_REPS, MAX_WALK_AWAY_DAYS, LeverError, Levers
from sim.app.runner import MAX_APP_REPLICATIONS, ArmSpec, Job, RunError, Runner, seeds_for
from sim.app.story import deal_options, deal_story
from sim.app.views import (
    CHOICE,
    CONTROL,
    board_row,
    board_view,
    run_view,
    story_data,
    story_figure,
    story_panel,
)
from sim.config import NEVER, PRESETS, Scenario, ScenarioError
from sim.config.segments import SEGMENT_LABELS
from sim.study.arms import arm_scenario
from sim.words.labels import OUTCOME_LABELS

ANSWER_WAIT_SECONDS = 2.5
"""How long a Run's callback waits for the pool before answering "running" and letting the page poll."""

DEFAULT_REPLICATIONS = 4
"""Replications of a Run unless the participant asks for more. Four workshop-sized runs an arm take about 0.4 s
of CPU, so a room of twenty who press Run at once with twenty different settings (twenty-one arms on two
cores, ``benchmarks/app.py``) has its median answer in about 2.5 s; five draws put that median over 3 s. Every
arm runs on the same draws as the control, so the paired difference resolves the large effects with four;
for a small one the participant raises the replications slider (docs/workshop.md says where)."""

BOARD_REPLICATIONS = 8
"""Replications of every board entry: more than a Run's, since the board ranks teams against each other."""

WORKSHOP_DIR_ENV = "SALESIM_WORKSHOP_DIR"
"""Where the board is kept (``board.json``, ``rounds/``); default ``./workshop``."""


# ---------------------------------------------------------------------------------------------- requests
def scenario_of(stored: dict[str, Any] | None) -> Scenario:
    """The scenario a tab chose: a shipped one by name, or its upload (sent back by the browser, so checked
    again like any upload)."""
    if not stored:
        return catalogue.shipped(default_scenario())
    if stored.get("source") == "upload":
        return catalogue.from_mapping(stored.get("mapping") or {}, str(stored.get("name", "upload")))
    return catalogue.shipped(str(stored.get("name")))


def default_scenario() -> str:
    return catalogue.scenario_choices()[0][0]


def plan(scenario: Scenario, levers: Levers, replications: int) -> list[tuple[str, ArmSpec]]:
    """A Run's arms: the scenario's control and the participant's choice, on the same seeds."""
    seeds = seeds_for(scenario, replications)
    control = ArmSpec.of(scenario, seeds)
    choice = ArmSpec.of(arm_scenario(scenario, levers.arm("choice", scenario)), seeds)
    return [(CONTROL, control), (CHOICE, choice)]


def board_spec(scenario: Scenario, levers: Levers | None, replications: int) -> ArmSpec:
    """A board entry's arm (None: the scenario's control), on the board's seeds."""
    seeds = seeds_for(scenario, replications)
    if levers is None:
        return ArmSpec.of(scenario, seeds)
    return ArmSpec.of(arm_scenario(scenario, levers.arm("team", scenario)), seeds)


def _int_or(value: Any, default: int) -> int:
    return (
        int(value)
        if isinstance(value, int | float) and not isinstance(value, bool) and value == value
        else default
    )


# ---------------------------------------------------------------------------------------------- the page
CSS = """
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif; margin: 0;
       color: #1d2733; background: #f6f7f9; }
header { background: #1F3A5F; color: #fff; padding: 10px 24px; display: flex; gap: 24px; align-items: center;
         flex-wrap: wrap; }
header h1 { font-size: 20px; margin: 0; }
header .picker { min-width: 360px; color: #1d2733; }
header .upload { border: 1px dashed #fff; padding: 6px 12px; border-radius: 4px; cursor: pointer; }
main { padding: 12px 24px; }
.question { font-style: italic; margin: 6px 0 0; }
.message { margin: 6px 0; }
.error { color: #a11; background: #fdecec; border-left: 4px solid #a11; padding: 6px 10px; }
.ok { color: #185c2e; }
.layout { display: grid; grid-template-columns: 340px 1fr; gap: 20px; align-items: start; }
.levers { background: #fff; padding: 12px 16px; border-radius: 6px; box-shadow: 0 1px 2px #0002; }
.levers label { font-weight: 600; display: block; margin-top: 12px; font-size: 14px; }
.levers #walk-never label { font-weight: 400; display: inline-block; margin-top: 0; }
.levers .hint { font-size: 12px; color: #5b6673; margin: 2px 0 4px; }
.buttons { display: flex; gap: 8px; margin-top: 16px; align-items: center; }
button { background: #1F3A5F; color: #fff; border: 0; border-radius: 4px; padding: 8px 16px; font-size: 14px;
         cursor: pointer; }
button.secondary { background: #e3e7ec; color: #1d2733; }
progress { width: 100%; }
.headline { font-size: 17px; font-weight: 600; }
.note { color: #5b6673; font-size: 13px; }
.charts { display: grid; grid-template-columns: minmax(0, 1fr); gap: 12px; max-width: 1100px; }
figure.chart { margin: 0; background: #fff; padding: 6px; border-radius: 6px; box-shadow: 0 1px 2px #0002; }
figcaption { font-size: 12px; color: #5b6673; padding: 4px 8px; }
table { border-collapse: collapse; background: #fff; margin-top: 12px; font-size: 14px; }
th, td { padding: 4px 10px; border-bottom: 1px solid #e3e7ec; text-align: left; vertical-align: top; }
tr.group th { background: #eef1f5; text-transform: uppercase; font-size: 12px; letter-spacing: .04em; }
.ci { color: #5b6673; font-size: 12px; }
td.better { background: #e6f4ea; } td.worse { background: #fdecec; }
table.board td.rank { font-size: 20px; font-weight: 700; } table.board td.levers { font-size: 12px; color: #5b6673; }
table.board tr.control td { color: #5b6673; font-style: italic; }
.story-state { display: grid; grid-template-columns: 220px 1fr; gap: 4px 12px; background: #fff; padding: 10px;
               border-radius: 6px; }
.story-state dt { font-weight: 600; } .story-state dd { margin: 0; }
.story-now { font-size: 18px; font-weight: 600; }
.story-log li.buyer { color: #2f6b57; }
.row { display: flex; gap: 12px; align-items: end; flex-wrap: wrap; }
.row > div { min-width: 200px; }
details.facilitator { margin-top: 24px; background: #fff; padding: 8px 12px; border-radius: 6px; }
"""

INDEX = (
    """<!DOCTYPE html>
<html lang="en"><head>{%metas%}<title>salesim workshop</title>{%favicon%}{%css%}<style>"""
    + CSS
    + """</style>
</head><body>{%app_entry%}<footer>{%config%}{%scripts%}{%renderer%}</footer></body></html>"""
)


def _slider(
    id_: str, low: int, high: int, step: int, marks: dict[int, str], value: int | None = None
) -> dcc.Slider:
    return dcc.Slider(
        id=id_,
        min=low,
        max=high,
        step=step,
        value=low if value is None else value,
        marks=marks,
        tooltip={"placement": "bottom"},
        updatemode="mouseup",
    )


WALK_SLIDER_WHEN_NEVER = 90
"""Where the walk-away slider stands while *never* is ticked: unticking it walks away after 90 days."""


def _label(lever: str, html_for: str | None = None) -> list[Any]:
    """A lever's label and, if it has one, its hint (:data:`sim.app.levers.LABELS`)."""
    label, hint = LABELS[lever]
    return [html.Label(label, htmlFor=html_for), *([html.P(hint, className="hint")] if hint else [])]


def _lever_panel() -> html.Div:
    return html.Div(
        [
            *_label("preset", "preset"),
            dcc.Dropdown(id="preset", options=list(PRESETS), value="numbers-game", clearable=False),
            *_label("qualification_threshold"),
            _slider("threshold", 0, 5, 1, {i: ("no test" if i == 0 else str(i)) for i in range(6)}),
            *_label("walk_away_days"),
            dcc.Checklist(id="walk-never", options=[{"label": " never", "value": NEVER}], value=[NEVER]),
            _slider(
                "walk", 15, MAX_WALK_AWAY_DAYS, 15, {15: "15", 90: "90", 180: "180", 360: "360", 720: "720"}
            ),
            *_label("stalling_cio"),
            _slider("cio", 0, 100, 5, {0: "0%", 25: "25%", 50: "50%", 100: "100%"}),
            *_label("mix"),
            html.P("SMB", className="hint"),
            _slider("mix-smb", 0, 100, 5, {0: "0", 50: "50", 100: "100"}),
            html.P("mid-market", className="hint"),
            _slider("mix-mid", 0, 100, 5, {0: "0", 50: "50", 100: "100"}),
            html.P("Fortune 1000", className="hint"),
            _slider("mix-f1000", 0, 100, 5, {0: "0", 50: "50", 100: "100"}),
            *_label("reps"),
            _slider("reps", 1, MAX_APP_REPS, 1, {1: "1", 10: "10", 25: "25", 50: "50"}),
            html.Label("Replications (market draws per arm)"),
            html.P("More draws: narrower intervals, longer runs.", className="hint"),
            _slider(
                "replications",
                2,
                MAX_APP_REPLICATIONS,
                1,
                {4: "4", 10: "10", 20: "20", 50: "50"},
                DEFAULT_REPLICATIONS,
            ),
            html.Div(
                [
                    html.Button("Run", id="run", n_clicks=0),
                    html.Button("Cancel", id="cancel", n_clicks=0, className="secondary"),
                ],
                className="buttons",
            ),
        ],
        className="levers",
    )


def layout() -> html.Div:
    """The page; a fresh session id comes with every page load and is kept by the tab if it has none."""
    choices = catalogue.scenario_choices()
    return html.Div(
        [
            dcc.Store(id="session", storage_type="session"),
            dcc.Store(id="session-new", data=uuid.uuid4().hex),
            dcc.Store(id="scenario", storage_type="session"),
            dcc.Store(id="run-request", storage_type="session"),
            dcc.Store(id="story-data"),
            dcc.Interval(id="poll", interval=400, disabled=True),
            dcc.Interval(id="board-poll", interval=2_000),
            dcc.Interval(id="story-play", interval=900, disabled=True),
            html.Header(
                [
                    html.H1("salesim workshop"),
                    dcc.Dropdown(
                        id="scenario-pick",
                        options=[{"value": n, "label": label} for n, label in choices],
                        value=choices[0][0],
                        clearable=False,
                        className="picker",
                    ),
                    dcc.Upload(
                        html.Span("or upload a scenario TOML"),
                        id="upload",
                        className="upload",
                        accept=".toml",
                    ),
                ]
            ),
            html.Main(
                [
                    html.P(id="question", className="question"),
                    html.Div(id="upload-message", className="message"),
                    dcc.Tabs(
                        id="tabs",
                        value="what-if",
                        children=[
                            dcc.Tab(label="What if", value="what-if", children=_what_if()),
                            dcc.Tab(label="The board", value="board", children=_board_tab()),
                            dcc.Tab(label="Deal story", value="story", children=_story_tab()),
                        ],
                    ),
                ]
            ),
        ]
    )


def _what_if() -> html.Div:
    return html.Div(
        [
            _lever_panel(),
            html.Div(
                [
                    html.Div(id="run-status", className="message"),
                    html.Div(
                        html.P(
                            "Choose levers on the left and press Run: your choice runs against the "
                            "scenario's control on the same market draws."
                        ),
                        id="results",
                    ),
                ]
            ),
        ],
        className="layout",
    )


def _board_tab() -> html.Div:
    return html.Div(
        [
            html.P(
                "Each team submits the levers set on the What-if tab. The board runs every team's choice on the "
                "same market draws, so the ranking is fair."
            ),
            html.Div(
                [
                    dcc.Input(
                        id="team",
                        placeholder="team name",
                        maxLength=40,
                        type="text",
                        style={"width": "260px"},
                    ),
                    html.Button("Submit to the board", id="submit", n_clicks=0),
                    html.Div(id="submit-message", className="message"),
                ],
                className="row",
            ),
            html.Div(id="board"),
            html.Details(
                [
                    html.Summary("Facilitator"),
                    html.Div(
                        [
                            html.Div(
                                [
                                    html.Label("board scenario"),
                                    dcc.Dropdown(
                                        id="board-scenario",
                                        options=[
                                            {"value": n, "label": label}
                                            for n, label in catalogue.scenario_choices()
                                        ],
                                        clearable=False,
                                    ),
                                ]
                            ),
                            html.Button("Reset the board", id="board-reset", n_clicks=0),
                        ],
                        className="row",
                    ),
                    html.Div(
                        [
                            dcc.Input(id="round-name", placeholder="round name, e.g. round-1", maxLength=48),
                            html.Button("Save round", id="board-save", n_clicks=0),
                            dcc.Dropdown(id="round-pick", placeholder="a saved round"),
                            html.Button("Open round", id="board-open", n_clicks=0, className="secondary"),
                        ],
                        className="row",
                    ),
                    html.Div(id="facilitator-message", className="message"),
                ],
                className="facilitator",
            ),
        ]
    )


def _story_tab() -> html.Div:
    return html.Div(
        [
            html.P(
                "Pick a deal from your last Run and step through it: what the rep did, what the buyer did."
            ),
            html.Div(
                [
                    html.Div(
                        [
                            html.Label("arm"),
                            dcc.RadioItems(
                                id="story-arm",
                                options=[
                                    {"value": CHOICE, "label": CHOICE},
                                    {"value": CONTROL, "label": CONTROL},
                                ],
                                value=CHOICE,
                                inline=True,
                            ),
                        ]
                    ),
                    html.Div(
                        [
                            html.Label("outcome"),
                            dcc.Dropdown(
                                id="story-outcome",
                                options=[{"value": k, "label": v} for k, v in OUTCOME_LABELS.items()],
                                placeholder="any outcome",
                            ),
                        ]
                    ),
                    html.Div(
                        [
                            html.Label("segment"),
                            dcc.Dropdown(
                                id="story-segment",
                                options=[{"value": k, "label": v} for k, v in SEGMENT_LABELS.items()],
                                placeholder="any segment",
                            ),
                        ]
                    ),
                    html.Div(
                        [
                            html.Label("deal (most hours first)"),
                            dcc.Dropdown(id="story-deal", placeholder="run first"),
                        ],
                        style={"minWidth": "360px"},
                    ),
                ],
                className="row",
            ),
            html.Div(
                [
                    html.Button("◀ step back", id="story-back", n_clicks=0, className="secondary"),
                    html.Button("▶ play", id="story-play-button", n_clicks=0),
                    html.Button("❚❚ pause", id="story-pause", n_clicks=0, className="secondary"),
                    html.Button("step ▶", id="story-step", n_clicks=0, className="secondary"),
                ],
                className="buttons",
            ),
            dcc.Slider(id="story-position", min=0, max=1, step=1, value=0, marks=None, updatemode="drag"),
            html.Div(id="story-message", className="message"),
            html.Div(
                [html.Div(id="story-panel"), dcc.Graph(id="story-graph", config={"displaylogo": False})],
                className="layout story",
                style={"gridTemplateColumns": "1fr 1fr"},
            ),
        ]
    )


# ---------------------------------------------------------------------------------------------- the app
def create_app(runner: Runner, board: Board) -> Dash:
    """The Dash app over ``runner`` and ``board`` (``serve`` passes the server's; tests pass their own)."""
    app = Dash(
        __name__,
        title="salesim workshop",
        update_title="",
        serve_locally=True,
        suppress_callback_exceptions=False,
    )
    app.index_string = INDEX
    app.layout = layout
    app.server.config["MAX_CONTENT_LENGTH"] = 8 << 20  # an upload over 1 MiB gets a message; 8 MiB is refused
    _register_callbacks(app, runner, board)
    _register_api(app, runner)
    return app


LEVER_IDS = ("preset", "threshold", "walk-never", "walk", "cio", "mix-smb", "mix-mid", "mix-f1000", "reps")


def _lever_values(levers: Levers) -> list[Any]:
    never = levers.walk_away_days is None
    return [
        levers.preset,
        levers.qualification_threshold,
        [NEVER] if never else [],
        WALK_SLIDER_WHEN_NEVER if never else levers.walk_away_days,
        levers.stalling_cio,
        levers.smb,
        levers.mid_market,
        levers.f1000,
        levers.reps,
    ]


def _levers_of(values: list[Any]) -> Levers:
    preset, threshold, never, walk, cio, smb, mid, f1000, reps = values
    return Levers.from_mapping(
        {
            "preset": preset,
            "qualification_threshold": threshold,
            "walk_away_days": NEVER if never else walk,
            "stalling_cio": cio,
            "smb": smb,
            "mid_market": mid,
            "f1000": f1000,
            "reps": reps,
        }
    )


def _error(text: str) -> html.Div:
    return html.Div(text, className="error", role="alert")


def _register_callbacks(app: Dash, runner: Runner, board: Board) -> None:
    @app.callback(Output("walk", "disabled"), Input("walk-never", "value"))
    def walk_slider_off_while_never(never: list[str] | None) -> bool:
        return bool(never)

    @app.callback(Output("session", "data"), Input("session-new", "data"), State("session", "data"))
    def keep_session(new: str, current: str | None) -> str:
        if current:
            raise PreventUpdate
        return new

    @app.callback(
        Output("scenario", "data"),
        Output("upload-message", "children"),
        Output("question", "children"),
        *[Output(i, "value") for i in LEVER_IDS],
        Input("scenario-pick", "value"),
        Input("upload", "contents"),
        Input("preset", "value"),
        State("upload", "filename"),
        State("scenario", "data"),
        *[State(i, "value") for i in LEVER_IDS],
    )
    def choose(
        name: str,
        contents: str | None,
        preset: str,
        filename: str | None,
        stored: dict[str, Any] | None,
        *values: Any,
    ) -> tuple[Any, ...]:
        trigger = ctx.triggered_id
        keep = [no_update] * len(LEVER_IDS)
        if trigger == "preset":
            try:
                scenario = scenario_of(stored)
                try:
                    current = _levers_of(list(values))
                except LeverError:
                    current = Levers.of_scenario(scenario)
            except ScenarioError as exc:
                return no_update, _error(str(exc)), no_update, *keep
            if preset not in PRESETS:
                raise PreventUpdate
            moved = current.with_preset(scenario, preset)
            return no_update, no_update, no_update, no_update, *_lever_values(moved)[1:]
        if trigger == "upload":
            try:
                scenario = catalogue.parse_upload(filename, contents)
            except ScenarioError as exc:
                return no_update, _error(f"Upload refused: {exc}"), no_update, *keep
            data = {"source": "upload", "name": scenario.name, "mapping": scenario.model_dump(mode="json")}
            message: Any = html.Div(f"Uploaded {scenario.name}: the Run now uses it.", className="ok")
        else:
            try:
                scenario = catalogue.shipped(name)
            except ScenarioError as exc:
                return no_update, _error(str(exc)), no_update, *keep
            data = {"source": "shipped", "name": name}
            message = ""
        question = scenario.question or scenario.name
        return data, message, question, *_lever_values(Levers.of_scenario(scenario))

    @app.callback(
        Output("results", "children"),
        Output("run-status", "children"),
        Output("run-request", "data"),
        Output("poll", "disabled"),
        Input("run", "n_clicks"),
        Input("cancel", "n_clicks"),
        Input("poll", "n_intervals"),
        State("session", "data"),
        State("session-new", "data"),
        State("scenario", "data"),
        State("run-request", "data"),
        State("replications", "value"),
        *[State(i, "value") for i in LEVER_IDS],
        prevent_initial_call=True,
    )
    def run(
        _run: int,
        _cancel: int,
        _tick: int,
        session: str | None,
        session_new: str,
        stored: dict[str, Any] | None,
        request_: dict[str, Any] | None,
        replications: Any,
        *values: Any,
    ) -> tuple[Any, Any, Any, bool]:
        session = session or session_new
        trigger = ctx.triggered_id
        if trigger == "run":
            try:
                scenario = scenario_of(stored)
                levers = _levers_of(list(values))
                arms = plan(scenario, levers, _int_or(replications, DEFAULT_REPLICATIONS))
            except ScenarioError as exc:
                return no_update, _error(str(exc)), no_update, True
            except RunError as exc:
                return no_update, _error(str(exc)), no_update, True
            job = runner.submit(session, arms)
            request_ = {
                "job": job.id,
                "scenario": stored,
                "levers": levers.to_mapping(),
                "replications": len(arms[0][1].seeds),
            }
            if runner.wait(job, ANSWER_WAIT_SECONDS):
                return (*_answer(runner, job, levers), request_, True)
            return no_update, _progress(job), request_, False
        found = runner.job(session, (request_ or {}).get("job"))
        if found is None:
            return no_update, "" if trigger == "poll" else "Nothing is running.", no_update, True
        job = found
        if trigger == "cancel":
            if job.finished is not None or runner.wait(job, 0):
                return no_update, "The run had already finished.", no_update, True
            runner.cancel(job)
            return no_update, html.Div("Cancelled.", className="note"), None, True
        if job.cancelled:
            return no_update, no_update, no_update, True
        if runner.wait(job, 0.2):
            levers = Levers.from_mapping((request_ or {}).get("levers") or {})
            return (*_answer(runner, job, levers), no_update, True)
        return no_update, _progress(job), no_update, False

    @app.callback(
        Output("submit-message", "children"),
        Input("submit", "n_clicks"),
        State("team", "value"),
        *[State(i, "value") for i in LEVER_IDS],
        prevent_initial_call=True,
    )
    def submit(_n: int, team: str | None, *values: Any) -> Any:
        try:
            levers = _levers_of(list(values))
            board.submit(team or "", levers)
        except ScenarioError as exc:
            return _error(str(exc))
        return html.Div(
            f"{team.strip() if team else ''} is on the board: {levers.described()}.", className="ok"
        )

    @app.callback(
        Output("board", "children"),
        Input("board-poll", "n_intervals"),
        Input("submit-message", "children"),
        Input("facilitator-message", "children"),
        Input("tabs", "value"),
    )
    def show_board(_n: int, _m: Any, _f: Any, tab: str) -> Any:
        if tab != "board":
            raise PreventUpdate
        return render_board(runner, board)

    @app.callback(
        Output("facilitator-message", "children"),
        Output("round-pick", "options"),
        Output("board-scenario", "value"),
        Input("board-reset", "n_clicks"),
        Input("board-save", "n_clicks"),
        Input("board-open", "n_clicks"),
        State("board-scenario", "value"),
        State("round-name", "value"),
        State("round-pick", "value"),
    )
    def facilitate(
        _r: int, _s: int, _o: int, scenario: str | None, name: str | None, pick: str | None
    ) -> Any:
        trigger = ctx.triggered_id
        message: Any = ""
        try:
            if trigger == "board-reset":
                if scenario:
                    catalogue.shipped(scenario)
                board.reset(scenario)
                message = html.Div("The board is empty: a new round can start.", className="ok")
            elif trigger == "board-save":
                path = board.save_as((name or "").strip())
                message = html.Div(f"Saved as {path.stem} ({path}).", className="ok")
            elif trigger == "board-open":
                board.open(pick or "")
                message = html.Div(f"Opened round {pick}.", className="ok")
        except ScenarioError as exc:
            message = _error(str(exc))
        return message, board.saved(), board.snapshot().scenario

    @app.callback(
        Output("story-deal", "options"),
        Output("story-deal", "value"),
        Output("story-message", "children"),
        Input("run-request", "data"),
        Input("story-arm", "value"),
        Input("story-outcome", "value"),
        Input("story-segment", "value"),
        Input("tabs", "value"),
        State("session", "data"),
        State("session-new", "data"),
    )
    def list_deals(
        request_: dict[str, Any] | None,
        arm: str,
        outcome: str | None,
        segment: str | None,
        tab: str,
        session: str | None,
        session_new: str,
    ) -> Any:
        if tab != "story":
            raise PreventUpdate
        if not request_ or runner.job(session or session_new, request_.get("job")) is None:
            return [], None, "Press Run on the What-if tab first: the stories come from your last Run."
        try:
            spec = _story_spec(request_, arm)
            events = runner.log(spec)
        except (ScenarioError, RunError, TimeoutError) as exc:
            return [], None, _error(str(exc) or "the deal stories took too long; try again")
        options = deal_options(events, outcome, segment)
        if not options:
            return [], None, "No deal of this run matches; choose another outcome or segment."
        return (
            options,
            options[0]["value"],
            f"{len(options)} deals from the first market draw of {'your choice' if arm == CHOICE else 'the control'}.",
        )

    @app.callback(
        Output("story-data", "data"),
        Output("story-position", "max"),
        Output("story-position", "value", allow_duplicate=True),
        Input("story-deal", "value"),
        State("run-request", "data"),
        State("story-arm", "value"),
        prevent_initial_call=True,
    )
    def load_story(opp: int | None, request_: dict[str, Any] | None, arm: str) -> Any:
        if opp is None or not request_:
            return None, 1, 0
        try:
            spec = _story_spec(request_, arm)
            story = deal_story(runner.log(spec), int(opp), spec.scenario)
        except (ScenarioError, RunError, TimeoutError, ValueError):
            return None, 1, 0
        if story is None:
            return None, 1, 0
        return story_data(story), max(1, len(story.steps) - 1), 0

    @app.callback(
        Output("story-position", "value"),
        Output("story-play", "disabled"),
        Input("story-back", "n_clicks"),
        Input("story-step", "n_clicks"),
        Input("story-play-button", "n_clicks"),
        Input("story-pause", "n_clicks"),
        Input("story-play", "n_intervals"),
        State("story-position", "value"),
        State("story-data", "data"),
        prevent_initial_call=True,
    )
    def move(_b: int, _s: int, _p: int, _q: int, _t: int, position: Any, story: dict[str, Any] | None) -> Any:
        if not story:
            return 0, True
        last = len(story["steps"]) - 1
        position = _int_or(position, 0)
        trigger = ctx.triggered_id
        if trigger == "story-back":
            return max(0, position - 1), no_update
        if trigger == "story-step":
            return min(last, position + 1), no_update
        if trigger == "story-play-button":
            return (0 if position >= last else position), False
        if trigger == "story-pause":
            return no_update, True
        nxt = min(last, position + 1)
        return nxt, nxt >= last

    @app.callback(
        Output("story-panel", "children"),
        Output("story-graph", "figure"),
        Input("story-position", "value"),
        Input("story-data", "data"),
    )
    def show_story(position: Any, story: dict[str, Any] | None) -> Any:
        if not story or not story.get("steps"):
            return html.P("Choose a deal."), _empty_figure()
        at = min(max(0, _int_or(position, 0)), len(story["steps"]) - 1)
        return story_panel(story, at), story_figure(story, at)

    def _story_spec(request_: dict[str, Any], arm: str) -> ArmSpec:
        scenario = scenario_of(request_.get("scenario"))
        levers = Levers.from_mapping(request_.get("levers") or {})
        arms = dict(plan(scenario, levers, _int_or(request_.get("replications"), DEFAULT_REPLICATIONS)))
        return arms[CHOICE if arm == CHOICE else CONTROL]


def _empty_figure() -> dict[str, Any]:
    return {"data": [], "layout": {"height": 300, "xaxis": {"visible": False}, "yaxis": {"visible": False}}}


def _progress(job: Job) -> html.Div:
    done, total = job.progress()
    return html.Div(
        [
            html.Progress(value=str(done), max=str(total)),
            html.Span(f" {done} of {total} runs done… (Cancel stops it)"),
        ],
        id="progress",
    )


def _answer(runner: Runner, job: Job, levers: Levers) -> tuple[Any, Any]:
    try:
        results = runner.results(job)
    except RunError as exc:
        return no_update, _error(str(exc))
    arms = [(label, results[spec.key], spec.seeds) for label, spec in job.arms]
    seconds = (job.finished or 0) - job.started
    same = job.arms[0][1].key == job.arms[1][1].key
    status = html.Div(f"Answered in {max(seconds, 0):.1f} s.", className="note", id="answered")
    return run_view(arms, levers, same), status


def render_board(runner: Runner, board: Board) -> Any:
    """The board as it stands: cached figures shown, missing ones started and marked running."""
    snapshot = board.snapshot()
    try:
        scenario = catalogue.shipped(snapshot.scenario)
    except ScenarioError as exc:
        return _error(f"The board's scenario cannot run: {exc}; the facilitator can reset it.")
    rows, waiting, failed = [], [], ""
    specs = [
        (e.team, e.levers, board_spec(scenario, e.levers, snapshot.replications)) for e in snapshot.entries
    ]
    control_spec = board_spec(scenario, None, snapshot.replications)
    for team, levers, spec in [*specs, ("control", None, control_spec)]:
        result = runner.cached(spec)
        if result is None:
            reason = runner.failed(spec)
            if reason:
                failed = f"{team}: {reason}"
                continue
            runner.ensure(spec)
            if levers is not None:
                waiting.append(team)
            continue
        rows.append(board_row(team, levers, result))
    control = next((r for r in rows if r.levers is None), None)
    teams = [r for r in rows if r.levers is not None]
    return board_view(snapshot, teams, control, waiting, failed)


# ---------------------------------------------------------------------------------------------- JSON API
def _register_api(app: Dash, runner: Runner) -> None:
    """``POST /api/run`` and ``GET /api/jobs/<id>``: the same runs without a browser (the load test and the
    benchmark drive it); a job is answered only to the session that started it."""
    server = app.server

    @server.post("/api/run")  # type: ignore[untyped-decorator]
    def api_run() -> tuple[Response, int]:
        body = request.get_json(silent=True) or {}
        session = str(body.get("session") or "")
        if not session:
            return jsonify(error="give a session id"), 400
        try:
            scenario = catalogue.shipped(str(body.get("scenario") or default_scenario()))
            levers = Levers.from_mapping(body.get("levers") or {})
            arms = plan(scenario, levers, _int_or(body.get("replications"), DEFAULT_REPLICATIONS))
        except (ScenarioError, RunError) as exc:
            return jsonify(error=str(exc)), 400
        job = runner.submit(session, arms)
        return jsonify(job=job.id), 202

    @server.get("/api/jobs/<job_id>")  # type: ignore[untyped-decorator]
    def api_job(job_id: str) -> tuple[Response, int]:
        session = request.args.get("session", "")
        job = runner.job(session, job_id)
        if job is None:
            return jsonify(error="no such job for this session"), 404
        wait = min(max(float(request.args.get("wait", "0") or 0), 0.0), 10.0)
        done = runner.wait(job, wait)
        finished, total = job.progress()
        if not done:
            return jsonify(state="cancelled" if job.cancelled else "running", done=finished, total=total), 200
        try:
            results = runner.results(job)
        except RunError as exc:
            return jsonify(state="failed", error=str(exc)), 200
        arms = []
        for label, spec in job.arms:
            rows = results[spec.key].rows
            means = {
                key: _mean([float(r["summary"].get(key, math.nan)) for r in rows])
                for key in ("revenue", "wasted_hours", "idle_hours", "share_making_quota")
            }
            arms.append({"label": label, "key": spec.key, "means": means})
        return jsonify(
            state="done", done=finished, total=total, arms=arms, seconds=(job.finished or 0) - job.started
        ), 200


def _mean(values: list[float]) -> float | None:
    kept = [v for v in values if not math.isnan(v)]
    return sum(kept) / len(kept) if kept else None


# ---------------------------------------------------------------------------------------------- serving
def workshop_dir() -> Path:
    return Path(os.environ.get(WORKSHOP_DIR_ENV) or Path.cwd() / "workshop")


def build(runner: Runner | None = None, directory: Path | None = None) -> tuple[Dash, Runner, Board]:
    """The app with its runner and board (the runner's pool starts on the first run)."""
    runner = runner or Runner()
    board = Board(directory or workshop_dir(), default_scenario(), BOARD_REPLICATIONS)
    return create_app(runner, board), runner, board


def serve(host: str, port: int) -> None:
    """Serve the workshop app on ``host:port`` until interrupted (Ctrl-C or SIGTERM).

    The pool is created and warmed here, before the first participant arrives, so nobody's first Run pays for
    starting worker processes. Loopback by default (``salesim app``); ``--host 0.0.0.0`` opens it to the room.
    """
    from werkzeug.serving import make_server

    # One polars thread per worker: the pool already has a worker per core, and polars' own thread pool in
    # each would only contend for the same cores (measured: a room of 20 answered in 18 s instead of 24 s).
    # This process imported polars already, so only the spawned workers read it; a value the user set stays.
    os.environ.setdefault("POLARS_MAX_THREADS", "1")
    app, runner, _ = build()
    try:
        runner.warm()
        server = make_server(host, port, app.server, threaded=True)
    except OSError as exc:
        runner.shutdown()
        raise ScenarioError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None
    print(f"salesim workshop app on http://{host}:{server.server_port}/ (Ctrl-C stops it)", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
        runner.shutdown()


__all__ = ["build", "create_app", "serve"]
