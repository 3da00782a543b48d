"""What the page shows: a Run's charts and table, the board, a deal's timeline, as Dash components.

The charts are the report's own (:mod:`sim.viz.charts`, fed as :mod:`sim.viz.report` feeds them), the table
and the headline sentence are the terminal's (:func:`sim.words.format.curated_comparison`,
:func:`sim.words.narrative.comparison_headline`), so the room sees the same figures ``salesim compare`` prints.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go
import polars as pl
from dash import dcc, html

from sim.app.board import Snapshot
from sim.app.levers import Levers
from sim.app.runner import ArmResult
from sim.app.story import Story
from sim.metrics import bounds
from sim.study.comparison import compare_table
from sim.study.stats import mean_interval
from sim.viz import charts
from sim.words.format import by_unit, curated_comparison, range_by_unit
from sim.words.labels import days
from sim.words.narrative import comparison_headline

CONTROL = "control"
CHOICE = "your choice"


def runs_frame(arms: Sequence[tuple[str, ArmResult, Sequence[int]]]) -> pl.DataFrame:
    """The runs of several arms, one row each, as ``sim.compare`` returns them (the first arm the control)."""
    rows = [row for label, result, seeds in arms for row in result.runs(label, seeds)]
    return pl.DataFrame(rows, infer_schema_length=None)


def run_view(arms: Sequence[tuple[str, ArmResult, Sequence[int]]], choice: Levers, same: bool) -> html.Div:
    """A Run's answer: the headline sentence, bookings over time, where the hours went, the summary table."""
    runs = runs_frame(arms)
    table = compare_table(runs)
    revenue = charts.revenue_chart(pl.concat(result.revenue(label) for label, result, _ in arms))
    waste = charts.waste_chart(charts.hours_from_summaries(runs))
    n = len(arms[0][2])
    note = (
        "Your levers are the scenario as shipped, so both arms are the same runs: move a lever and press Run."
        if same
        else f"Both arms ran on the same {n} market draws (paired), so the difference is the levers, not luck."
    )
    return html.Div(
        [
            html.P(comparison_headline(table), className="headline", id="headline"),
            html.P([html.B("your choice: "), choice.described()], className="choice"),
            html.P(note, className="note"),
            html.Div(
                [_figure(revenue, "revenue-graph"), _figure(waste, "waste-graph")],
                className="charts",
            ),
            curated_table(table),
        ]
    )


def _figure(chart: charts.Chart | None, graph_id: str) -> html.Figure:
    """A chart with its caption; a chart with nothing to draw (no selling hour logged) says so instead."""
    if chart is None:
        return html.Figure(
            html.P("Nothing to draw: no selling hours were logged."), className="chart", id=graph_id
        )
    return html.Figure(
        [
            dcc.Graph(id=graph_id, figure=chart.figure, config={"displaylogo": False}),
            html.Figcaption(chart.caption),
        ],
        className="chart",
    )


def curated_table(table: pl.DataFrame) -> html.Table:
    """The headline figures, control and choice, with the paired difference marked better or worse."""
    curated = curated_comparison(table)
    body: list[Any] = []
    for group, cells, mark in zip(curated.groups, curated.rows, curated.marks, strict=True):
        if group:
            body.append(html.Tr(html.Th(group, colSpan=len(cells)), className="group"))
        tds: list[Any] = [html.Th(cells[0], scope="row")]
        for j, cell in enumerate(cells[1:], start=1):
            first, *more = cell.split("\n")
            inner: list[Any] = [first]
            for line in more:  # the interval, then "n = k of N" when some replications leave it undefined
                inner += [html.Br(), html.Span(line, className="ci")]
            tds.append(html.Td(inner if more else first, className=mark if j == len(cells) - 1 else ""))
        body.append(html.Tr(tds))
    head = html.Thead(html.Tr([html.Th(h) for h in curated.header]))
    return html.Table([head, html.Tbody(body)], className="curated", id="summary-table")


# ---------------------------------------------------------------------------------------------- the board
BOARD_FIGURES: tuple[tuple[str, str, str, bool | None], ...] = (
    ("revenue", "bookings", "usd", True),
    ("wasted_hours", "wasted selling hours", "hours", False),
    ("idle_hours", "idle hours, not waste", "hours", None),
    ("share_making_quota", "reps making quota", "share", True),
)
"""The board's columns: summary figure, heading, unit, and whether more is better (None: not ranked; unused
capacity is beside the waste, never in it, and more of it is not marked worse)."""


@dataclass(frozen=True, slots=True)
class BoardRow:
    """A team's figures on the board: per figure the mean and its 95% interval."""

    team: str
    levers: Levers | None
    figures: dict[str, tuple[float, float, float]]


def board_row(team: str, levers: Levers | None, result: ArmResult) -> BoardRow:
    figures = {}
    for key, _, _, _ in BOARD_FIGURES:
        values = [float(r["summary"].get(key, math.nan)) for r in result.rows]
        values = [v for v in values if not math.isnan(v)]
        m = mean_interval(values, limits=bounds(key))  # a share's interval stays within 0-100%
        figures[key] = (m.mean, m.low, m.high)
    return BoardRow(team, levers, figures)


def ranks(rows: Sequence[BoardRow], key: str, more_is_better: bool) -> dict[str, int]:
    """Competition ranks (1, 2, 2, 4) of the teams on one figure; a missing figure ranks last."""

    def value(row: BoardRow) -> float:
        v = row.figures[key][0]
        return -math.inf if math.isnan(v) else (v if more_is_better else -v)

    ordered = sorted(rows, key=value, reverse=True)
    out: dict[str, int] = {}
    for i, row in enumerate(ordered):
        same = i and value(ordered[i - 1]) == value(row)
        out[row.team] = out[ordered[i - 1].team] if same else i + 1
    return out


def board_view(
    snapshot: Snapshot,
    rows: Sequence[BoardRow],
    control: BoardRow | None,
    waiting: Sequence[str],
    failed: str,
) -> html.Div:
    """The board: teams ranked on bookings (then wasted hours, then reps making quota), each figure's own rank
    beside it, the scenario's control below for reference."""
    if not snapshot.entries:
        return html.Div(
            html.P("No team has submitted yet: enter a team name above and press Submit to the board."),
            id="board-table",
        )
    by_figure = {key: ranks(rows, key, better) for key, _, _, better in BOARD_FIGURES if better is not None}
    ordered = sorted(
        rows, key=lambda r: (by_figure["revenue"][r.team], by_figure["wasted_hours"][r.team], r.team)
    )
    header = html.Tr(
        [
            html.Th("rank"),
            html.Th("team"),
            *[html.Th(label) for _, label, _, _ in BOARD_FIGURES],
            html.Th("levers"),
        ]
    )
    body = [_board_tr(str(by_figure["revenue"][r.team]), r, by_figure) for r in ordered]
    if control is not None:
        body.append(_board_tr("–", control, None, "control"))
    body += [
        html.Tr(
            [html.Td("…"), html.Td(team), html.Td("running…", colSpan=len(BOARD_FIGURES) + 1)],
            className="waiting",
        )
        for team in waiting
    ]
    parts: list[Any] = [
        html.P(
            f"Scenario {snapshot.scenario}, {snapshot.replications} replications: every team on the same market "
            "draws. Ranked on bookings; the small number beside each figure is the team's rank on it. "
            "Unused capacity (idle hours) is shown beside wasted hours, never counted in them, and not ranked.",
            className="note",
        ),
        html.Table([html.Thead(header), html.Tbody(body)], className="board", id="board-ranking"),
    ]
    if failed:
        parts.append(html.P(failed, className="error"))
    return html.Div(parts, id="board-table")


def _board_tr(
    rank: str, row: BoardRow, by_figure: dict[str, dict[str, int]] | None, cls: str = ""
) -> html.Tr:
    cells: list[Any] = [html.Td(rank, className="rank"), html.Td(row.team, className="team")]
    for key, _, unit, _ in BOARD_FIGURES:
        mean, low, high = row.figures[key]
        inner: list[Any] = [by_unit(mean, unit)]
        if by_figure is not None and key in by_figure:
            inner.append(html.Sup(f" #{by_figure[key][row.team]}"))
        interval = range_by_unit(low, high, unit)
        if interval:
            inner += [html.Br(), html.Span(interval, className="ci")]
        cells.append(html.Td(inner))
    cells.append(
        html.Td(row.levers.described() if row.levers else "the scenario as shipped", className="levers")
    )
    return html.Tr(cells, className=cls)


# ---------------------------------------------------------------------------------------------- deal story
def story_panel(story: dict[str, Any], position: int) -> list[Any]:
    """Where the deal stands at step ``position``: the event, hours so far, buyer's job beside rep's stage."""
    steps = story["steps"]
    step = steps[position]
    forecast = story.get("forecast_day")
    forecast_text = "–"
    if forecast is not None:
        late = step["day"] - forecast
        forecast_text = f"day {forecast:,.0f}" + (f" ({days(late)} ago)" if late > 0 else "")
    return [
        html.H4(story["heading"], id="story-heading"),
        html.P(f"Step {position + 1} of {len(steps)}: day {step['day']:,.0f}", id="story-position-text"),
        html.P(step["text"], className="story-now", id="story-event"),
        html.Dl(
            [
                html.Dt("hours burnt so far"),
                html.Dd(f"{step['total_hours']:,.1f} h", id="story-hours"),
                html.Dt("buyer is really on"),
                html.Dd(step["buyer"], id="story-buyer"),
                html.Dt("rep believes the deal is at"),
                html.Dd(step["vendor"], id="story-vendor"),
                html.Dt("forecast expects it closed by"),
                html.Dd(forecast_text, id="story-forecast"),
            ],
            className="story-state",
        ),
        html.Ol(
            [
                html.Li(
                    f"day {s['day']:,.0f}: {s['text']}" + (f" ({s['hours']:.1f} h)" if s["hours"] else ""),
                    className="buyer" if s["buyer_event"] else "",
                )
                for s in steps[max(0, position - 9) : position + 1]
            ],
            start=str(max(0, position - 9) + 1),
            className="story-log",
        ),
    ]


def story_figure(story: dict[str, Any], position: int) -> go.Figure:
    """Hours burnt over the deal's days, drawn up to the current step, with the forecast close day marked."""
    steps = story["steps"]
    days = [s["day"] for s in steps]
    hours = [s["total_hours"] for s in steps]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=days, y=hours, mode="lines", line={"color": "#D0D5DB", "shape": "hv"}, name="the whole deal"
        )
    )
    fig.add_trace(
        go.Scatter(
            x=days[: position + 1],
            y=hours[: position + 1],
            mode="lines+markers",
            line={"color": "#1F3A5F", "shape": "hv"},
            marker={"size": 5},
            name="so far",
            hovertemplate="day %{x:.0f}: %{y:.1f} h<extra></extra>",
        )
    )
    forecast = story.get("forecast_day")
    if forecast is not None:
        fig.add_vline(x=forecast, line_dash="dash", line_color="#D55E00")
        fig.add_annotation(
            x=forecast, y=1, yref="paper", text="forecast close", showarrow=False, font={"color": "#D55E00"}
        )
    fig.update_layout(
        title={"text": "Rep hours burnt on this deal", "x": 0.0},
        height=300,
        margin={"l": 60, "r": 20, "t": 50, "b": 40},
        legend={"orientation": "h", "y": -0.25},
        plot_bgcolor="#FFFFFF",
    )
    fig.update_xaxes(title="simulated day", gridcolor="#EEE")
    fig.update_yaxes(title="hours so far", rangemode="tozero", gridcolor="#EEE")
    return fig


def story_data(story: Story) -> dict[str, Any]:
    """A story as JSON for the page's store."""
    return {
        "opp": story.opp,
        "heading": story.heading,
        "forecast_day": story.forecast_day,
        "steps": [
            {
                "day": s.day,
                "text": s.text,
                "hours": s.hours,
                "total_hours": s.total_hours,
                "buyer": s.buyer,
                "vendor": s.vendor,
                "buyer_event": s.buyer_event,
            }
            for s in story.steps
        ],
    }
