"""How every chart looks: fixed colours (an arm has the same colour in every chart), labels, the common
layout, and :class:`Chart`, a figure with the question it answers and its takeaway."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go

#: Fixed colours of the shipped presets (Okabe-Ito, safe for colour-blind readers).
STRATEGY_COLOURS: dict[str, str] = {
    "numbers-game": "#0072B2",
    "qualify-hard": "#009E73",
    "pressure": "#D55E00",
    "help-them-buy": "#CC79A7",
    "smb-focus": "#E69F00",
    "f1000-focus": "#56B4E9",
}
_SPARE_COLOURS = ("#8C564B", "#7F7F7F", "#BCBD22", "#17BECF", "#9467BD", "#1F3A5F")

#: Where selling hours went (keys of :data:`sim.metrics.HOURS_CATEGORIES`): thirteen causes, so thirteen
#: clearly different colours, no two of one hue, drawn from the two colour-blind-safe qualitative sets (Paul
#: Tol's "muted" and Okabe-Ito) and ordered so that neighbours in the stack differ in lightness as well as hue
#: (which is what survives colour-blind vision). Won is green at the bottom, idle pale grey on top. No fill
#: patterns: the chart writes each cause's name on its segment, and a pattern under the text would blur it.
HOURS_COLOURS: dict[str, str] = {
    "won": "#117733",  # Tol green
    "lost_competitor": "#CC6677",  # Tol rose
    "lost_after_shortlist": "#332288",  # Tol indigo
    "lost_not_ready": "#E69F00",  # Okabe-Ito orange
    "lost_despite_winning": "#882255",  # Tol wine
    "no_decision_status_quo": "#88CCEE",  # Tol cyan
    "no_decision_indecision": "#AA4499",  # Tol purple
    "no_decision_further_evaluation": "#DDCC77",  # Tol sand
    "no_decision_went_dark": "#0072B2",  # Okabe-Ito blue
    "walked_away": "#999933",  # Tol olive
    "still_open": "#44AA99",  # Tol teal
    "screening": "#D55E00",  # Okabe-Ito vermillion
    "idle": "#DDDDDD",  # Tol pale grey
}
BUYER_COLOUR = "#9A9A9A"
STALL_COLOUR = "#C0392B"

_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"


def strategy_colour(name: str) -> str:
    """The colour of a strategy in every chart: fixed for the presets, stable by name for any other."""
    if name in STRATEGY_COLOURS:
        return STRATEGY_COLOURS[name]
    digest = int(hashlib.sha256(name.encode()).hexdigest(), 16)
    return _SPARE_COLOURS[digest % len(_SPARE_COLOURS)]


def rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


@dataclass(frozen=True)
class Chart:
    """A figure with the question it answers (its title), the answer (its caption) and how to read it.

    The caption is the chart's **takeaway**: one sentence computed from the data it draws, with its numbers
    and the arms it compares, so a reader who looks at nothing else still gets the answer. The ``note`` says
    how to read the picture (what a band, a hatch or a dash means); the report prints it after the takeaway.
    """

    key: str
    figure: go.Figure
    caption: str
    note: str = ""

    @property
    def title(self) -> str:
        """The question the chart answers."""
        return str(self.figure.layout.title.text)

    @property
    def takeaway(self) -> str:
        """The answer in one sentence, computed from the data (the caption)."""
        return self.caption

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Any:
        """Display inline in Jupyter as the figure."""
        return self.figure._repr_mimebundle_(include, exclude)


def layout(fig: go.Figure, title: str, height: int, legend: str = "top", **extra: Any) -> go.Figure:
    """Common look: the question as a left-aligned title, units on axes, the legend on top or at the right."""
    if legend == "right":
        legend_layout = {"orientation": "v", "yanchor": "top", "y": 1.0, "x": 1.02, "xanchor": "left"}
        margin = {"l": 70, "r": 30, "t": 70, "b": 60}
    elif legend == "bottom":
        legend_layout = {"orientation": "h", "yanchor": "top", "y": -0.16, "x": 0.0, "xanchor": "left"}
        margin = {"l": 70, "r": 30, "t": 60, "b": 120}
    else:
        legend_layout = {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0.0, "xanchor": "left"}
        margin = {"l": 70, "r": 30, "t": 100, "b": 60}
    fig.update_layout(
        title={
            "text": title,
            "x": 0.0,
            "xanchor": "left",
            "xref": "container",
            "y": 1.0,
            "yanchor": "top",
            "yref": "container",
            "pad": {"t": 16, "l": 12},
            "font": {"size": 17},
        },
        template="plotly_white",
        font={"family": _FONT, "size": 13, "color": "#222"},
        height=height,
        margin=margin,
        legend=legend_layout,
        hoverlabel={"font": {"family": _FONT}},
        **extra,
    )
    return fig


def quota_month_axis(fig: go.Figure, names: dict[int, str], title: str) -> None:
    """An x axis of quota months (1 = Y1 M1) named as leaders count them, a tick at the start of each quarter
    (Y1 M1, Y1 M4, ...); ``names`` maps each month drawn to its label."""
    ticks = sorted(m for m in names if m % 3 == 1)
    fig.update_xaxes(
        title=title,
        tickvals=ticks,
        ticktext=[names[m] for m in ticks],
        range=[min(names) - 0.7, max(names) + 0.7] if names else None,
    )
