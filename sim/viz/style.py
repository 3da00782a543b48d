"""How every chart looks: fixed colours (a strategy has the same colour in every chart), labels, the common
layout, and :class:`Chart`, a figure with the question it answers and a caption saying what to look for."""

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

#: Where selling hours went (keys of :data:`sim.metrics.HOURS_CATEGORIES`), after Paul Tol's colour-blind-safe
#: schemes: won in green; each ending's causes share a hue (losses red, no decision purple), darkest first,
#: and a fill pattern tells shades of one hue apart; walked away olive, still open pale cyan; screening sand
#: and idle pale grey, so neither reads as a loss.
HOURS_COLOURS: dict[str, str] = {
    "won": "#117733",
    "lost_competitor": "#7A1A05",
    "lost_after_shortlist": "#B8360F",
    "lost_not_ready": "#E3683F",
    "lost_despite_winning": "#F4A98A",
    "no_decision_status_quo": "#4B1A55",
    "no_decision_indecision": "#882255",
    "no_decision_further_evaluation": "#AA4499",
    "no_decision_went_dark": "#DCA3CF",
    "walked_away": "#999933",
    "still_open": "#88CCEE",
    "screening": "#DDCC77",
    "idle": "#DDDDDD",
}
HOURS_PATTERNS: dict[str, str] = {
    "lost_after_shortlist": "/",
    "lost_not_ready": "x",
    "lost_despite_winning": ".",
    "no_decision_indecision": "/",
    "no_decision_further_evaluation": "x",
    "no_decision_went_dark": ".",
    "idle": "/",
}
"""A fill pattern per hours category (none when absent), so causes that share a hue stay apart in print."""
BUYER_COLOUR = "#9A9A9A"
RAMP_COLOUR = "#D9DDE2"
STALL_COLOUR = "#C0392B"

SEGMENT_LABELS: dict[str, str] = {"smb": "SMB", "mid_market": "mid-market", "f1000": "Fortune 1000"}
OUTCOME_LABELS: dict[str, str] = {
    "won": "won",
    "lost": "lost",
    "no_decision": "no decision",
    "walked_away": "walked away",
    "open": "still open",
}
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


def segment_label(segment: str) -> str:
    """How a segment is named in charts."""
    return SEGMENT_LABELS.get(segment, segment.replace("_", " "))


@dataclass(frozen=True)
class Chart:
    """A figure with the question it answers (its title) and a caption saying what to look for."""

    key: str
    figure: go.Figure
    caption: str

    @property
    def title(self) -> str:
        """The question the chart answers."""
        return str(self.figure.layout.title.text)

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
