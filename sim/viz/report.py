"""The HTML report: one self-contained ``report.html`` for a run, a comparison, a demo or an experiment directory.

The report reads only what a directory holds (verified event logs and the comparison tables), through
:mod:`sim.store`, computes every
figure through :mod:`sim.metrics`, draws it with :mod:`sim.viz.charts`, and writes a single file that works
offline: plotly.js is inlined once, nothing is fetched from the network. The summary table uses the same
cells as the CLI (:mod:`sim.words.format`), so the report and ``salesim compare`` show the same numbers.

Directory kinds, recognised by the file that marks them complete:

- a run directory (``meta.json``), written by ``salesim run``;
- a comparison directory (``compare.json``), written by ``salesim compare``: ``<strategy>/rep-NNN`` runs;
- a demo directory (``demo.json``), written by ``salesim demo``: one comparison per market;
- an experiment directory (``experiment.json``), written by ``salesim experiment run``: drawn from its
  summaries (:mod:`sim.study.analysis`), so a running experiment is drawn as far as it has got.
"""

from __future__ import annotations

import html
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from sim import metrics
from sim.store.comparisons import DEMO_FILE, StoredComparison, is_comparison_dir, read_comparison, read_demo
from sim.store.experiments import read_experiment_info
from sim.store.files import atomic_write_bytes, remove_stale_temporaries, temporary_sibling
from sim.store.outputs import directory_kind
from sim.store.runs import read_run
from sim.study.analysis import (
    convergence,
    difference_warnings,
    expected_runs,
    factor_names,
    lever_differences,
    point_summary,
    sensitivity,
    spec_of,
    status_counts,
)
from sim.study.arms import Arm
from sim.study.tables import MAX_ROWS, wide_rows
from sim.viz import charts
from sim.viz.charts import Chart
from sim.words.format import (
    comparison_header,
    comparison_marks,
    comparison_rows,
    comparison_strategies,
    curated_comparisons,
    headline_rows,
    summary_rows,
)
from sim.words.narrative import comparison_headline, run_headline
from sim.words.story import deal_events

if TYPE_CHECKING:
    from sim.config import Scenario

REPORT_NAME = "report.html"
PNG_DIR = "png"
EXPERIMENT_CHART_METRICS = 4
"""An experiment's figures that get charts: the first it keeps (the table shows them all)."""


class ReportError(ValueError):
    """A directory the report cannot be built from; the message is one line meant for a person."""


class PngUnavailable(ReportError):
    """PNG export needs kaleido and a Chromium-family browser, and one of them is missing."""


@dataclass
class Section:
    """One part of a report: a heading, the question, a summary table and its charts."""

    key: str
    heading: str
    question: str
    details: str
    table_html: str
    charts: list[Chart] = field(default_factory=list)
    headline: str = ""
    """The answer, in one sentence with its interval, shown on top of the section."""


# --------------------------------------------------------------------------------------------------------
# Reading directories
# --------------------------------------------------------------------------------------------------------


def _expected_cycles(scenario: Scenario) -> dict[str, float]:
    return {name: seg.expected_sales_cycle_days for name, seg in scenario.market.items() if seg.accounts > 0}


@dataclass
class _Frames:
    """Metric frames of several runs, tagged with arm and replication, ready for the charts.

    Every frame is computed for every replication, so every chart can show its interval over them; only the
    deal timeline, which tells one deal's story, reads the showcase runs' logs.
    """

    revenue: list[pl.DataFrame] = field(default_factory=list)
    cycles: list[pl.DataFrame] = field(default_factory=list)
    flows: list[pl.DataFrame] = field(default_factory=list)
    reputation: list[pl.DataFrame] = field(default_factory=list)
    utilisation: list[pl.DataFrame] = field(default_factory=list)
    on_track: list[pl.DataFrame] = field(default_factory=list)
    quarters: list[pl.DataFrame] = field(default_factory=list)
    forecast: list[pl.DataFrame] = field(default_factory=list)
    showcase: list[tuple[str, pl.DataFrame]] = field(default_factory=list)

    def add(self, strategy: str, replication: int, events: pl.DataFrame, showcase: bool) -> None:
        tag = charts.tag
        self.revenue.append(tag(metrics.revenue_over_time(events), strategy, replication))
        self.cycles.append(tag(metrics.cycle_lengths(events), strategy, replication))
        self.flows.append(tag(metrics.funnel_flows(events), strategy, replication))
        self.reputation.append(tag(metrics.reputation_path(events), strategy, replication))
        self.utilisation.append(tag(metrics.utilisation_over_time(events), strategy, replication))
        self.on_track.append(tag(metrics.quota_on_track(events), strategy, replication))
        self.quarters.append(tag(metrics.bookings_by_quarter(events), strategy, replication))
        self.forecast.append(tag(metrics.forecast_vs_actual_by_month(events), strategy, replication))
        if showcase:
            self.showcase.append((strategy, events))


def interesting_deal(events: pl.DataFrame) -> tuple[int, int, float] | None:
    """The deal worth a timeline: most stall requests, then most rep hours; (opp, stalls, hours) or None."""
    opps = metrics.opportunities(events).select("opp", "hours")
    if opps.height == 0:
        return None
    stalls = metrics.stall_requests_by_opportunity(events).select("opp", "stall_requests")
    ranked = (
        opps.join(stalls, on="opp", how="left")
        .with_columns(pl.col("stall_requests").fill_null(0))
        .sort(["stall_requests", "hours", "opp"], descending=[True, True, False])
    )
    best = ranked.row(0, named=True)
    return int(best["opp"]), int(best["stall_requests"]), float(best["hours"])


def _charts(frames: _Frames, runs: pl.DataFrame, expected: dict[str, float]) -> list[Chart]:
    """The section's charts in reading order, bookings first and one deal's story last. A chart that would say
    nothing in this scenario (its function returns None: see each chart module's rule) is left out."""
    drawn = [
        charts.revenue_chart(pl.concat(frames.revenue)),
        charts.bookings_by_quarter_chart(pl.concat(frames.quarters)),
        charts.forecast_vs_actual_chart(pl.concat(frames.forecast)),
        charts.waste_chart(charts.hours_from_summaries(runs)),
        charts.utilisation_chart(pl.concat(frames.utilisation)),
        charts.hours_per_dollar_chart(runs),
        charts.funnel_chart(pl.concat(frames.flows)),
        charts.cycle_chart(pl.concat(frames.cycles), expected),
        charts.quota_chart(pl.concat(frames.on_track)),
        charts.reputation_chart(pl.concat(frames.reputation)),
    ]
    out = [chart for chart in drawn if chart is not None]
    candidates = []
    for strategy, events in frames.showcase:
        pick = interesting_deal(events)
        if pick is not None:
            candidates.append((pick[1], pick[2], strategy, pick[0], events))
    if candidates:
        _, _, strategy, opp, events = max(candidates, key=lambda c: (c[0], c[1]))
        deal = deal_events(events, opp)
        if deal is not None:
            out.append(charts.deal_timeline_chart(deal, strategy))
    return out


def _html_table(header: Sequence[str], rows: Sequence[Sequence[str]], classes: Any = None) -> str:
    head = "".join(f"<th>{html.escape(h).replace(chr(10), '<br>')}</th>" for h in header)
    body = []
    for i, cells in enumerate(rows):
        tds = [f'<th scope="row">{html.escape(cells[0])}</th>']
        for j, cell in enumerate(cells[1:], start=1):
            cls = classes[i][j] if classes else ""
            attr = f' class="{cls}"' if cls else ""
            tds.append(f"<td{attr}>{html.escape(cell)}</td>")
        body.append("<tr>" + "".join(tds) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def curated_table_html(table: pl.DataFrame) -> str:
    """The headline figures of a comparison as HTML, grouped, cell for cell what ``salesim compare`` prints
    (mean over its 95% interval); a difference whose interval excludes zero is marked better or worse."""
    parts = []
    for curated in curated_comparisons(table):
        head = "".join(f"<th>{html.escape(h)}</th>" for h in curated.header)
        body = []
        for group, cells, mark in zip(curated.groups, curated.rows, curated.marks, strict=True):
            if group:
                body.append(f'<tr class="group"><th colspan="{len(cells)}">{html.escape(group)}</th></tr>')
            tds = [f'<th scope="row">{html.escape(cells[0])}</th>']
            for j, cell in enumerate(cells[1:], start=1):
                attr = f' class="{mark}"' if mark and j == len(cells) - 1 else ""
                first, *more = cell.split("\n")
                inner = html.escape(first) + "".join(
                    f'<br><span class="ci">{html.escape(line)}</span>' for line in more
                )
                tds.append(f"<td{attr}>{inner}</td>")
            body.append("<tr>" + "".join(tds) + "</tr>")
        parts.append(
            f'<table class="curated"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
        )
    return "".join(parts)


def comparison_table_html(table: pl.DataFrame) -> str:
    """The comparison's headline figures (as ``salesim compare`` prints them), and every figure folded below
    (as ``salesim compare --all`` prints them).

    A paired difference whose interval excludes zero is marked better or worse (by the figure's direction).
    """
    strategies = comparison_strategies(table)
    out = _html_table(comparison_header(table), comparison_rows(table), comparison_marks(table))
    swatches = "".join(
        f'<span class="swatch" style="background:{charts.strategy_colour(s)}"></span>{html.escape(s)} '
        for s in strategies
    )
    return (
        f'<div class="table-wrap comparison" data-strategies="{html.escape(",".join(strategies))}">'
        f'<p class="legend">{swatches}· the first arm is the control; each cell is the mean over its 95% '
        f'interval; a paired difference in <span class="better">green</span> / <span class="worse">red</span> '
        f"has a 95% interval that excludes zero (better / worse); <i>n = k of N</i>: the figure is defined in "
        f"k of the N replications only (a rate over no deals is –, never 0), and its interval is over those."
        f"</p>{curated_table_html(table)}"
        f"<details><summary>every figure</summary>{out}</details></div>"
    )


def run_section(directory: Path) -> Section:
    """The section of a single run directory."""
    stored = read_run(directory)
    scenario, events = stored.scenario, stored.events
    # From the verified log, never from summary.json (an export for other tools, not the truth).
    prices = metrics.CostParameters.from_scenario(scenario)
    summary = {k: (float("nan") if v is None else v) for k, v in metrics.summary(events, prices).items()}
    strategy = scenario.strategy.preset  # from the verified scenario.toml, never from meta.json alone
    runs = pl.DataFrame([{"arm": strategy, "replication": 0, **summary}], infer_schema_length=None)
    frames = _Frames()
    frames.add(strategy, 0, events, showcase=True)
    curated = "".join(
        (f'<tr class="group"><th colspan="2">{html.escape(group)}</th></tr>' if group else "")
        + f'<tr><th scope="row">{html.escape(figure)}</th><td>{html.escape(value)}</td></tr>'
        for group, figure, value in headline_rows(summary, metrics.DISPLAY_SCALE)
    )
    full = _html_table(["figure", "value"], [list(r) for r in summary_rows(summary)])
    table = (
        f'<table class="curated"><thead><tr><th>figure</th><th>value</th></tr></thead><tbody>{curated}</tbody>'
        f"</table><details><summary>every figure</summary>{full}</details>"
    )
    details = (
        f"strategy {strategy} · seed {stored.seed} · {scenario.horizon_days:.0f} simulated days · "
        f"{events.height:,} events"
    )
    return Section(
        key=_anchor(scenario.name),
        heading=f"{scenario.name} · {strategy}",
        question=scenario.question,
        details=details,
        table_html=f'<div class="table-wrap summary">{table}</div>',
        charts=_charts(frames, runs, _expected_cycles(scenario)),
        headline=run_headline(summary, strategy),
    )


def comparison_section(directory: Path, heading: str | None = None, key: str | None = None) -> Section:
    """The section of a comparison directory: its table and the charts over all its runs."""
    stored: StoredComparison = read_comparison(directory)
    info, runs, table = stored.info, stored.runs, stored.table
    frames = _Frames()
    scenario: Scenario | None = None
    first_replication = {s: runs.filter(pl.col("arm") == s)["replication"].min() for s in set(runs["arm"])}
    for strategy, replication, run in stored.read_runs():
        if scenario is None:
            scenario = run.scenario
        frames.add(strategy, replication, run.events, showcase=replication == first_replication[strategy])
    if scenario is None:
        raise ReportError(f"{directory}: the comparison has no runs")
    strategies = comparison_strategies(table)
    details = (
        f"{' vs '.join(strategies)} · {info.get('replications')} replications each on common random "
        f"numbers · root seed {info.get('seed')} · {scenario.horizon_days:.0f} simulated days"
    )
    arms = stored_arms(info)
    if any(arm.overrides or arm.name != arm.preset for arm in arms):
        details += " · arms: " + "; ".join(f"{arm.name} = {arm.described}" for arm in arms)
    return Section(
        key=key or _anchor(str(info.get("scenario", directory.name))),
        heading=heading or f"{info.get('scenario', directory.name)}: {' vs '.join(strategies)}",
        question=str(info.get("question") or scenario.question),
        details=details,
        table_html=comparison_table_html(table),
        charts=_charts(frames, runs, _expected_cycles(scenario)),
        headline=comparison_headline(table),
    )


def stored_arms(info: dict[str, Any]) -> list[Arm]:
    """The arms ``compare.json`` lists (none for a comparison written before arms had overrides)."""
    records = info.get("arms")
    if not isinstance(records, list):
        return []
    return [
        Arm(str(r.get("name")), str(r.get("preset")), tuple(str(o) for o in r.get("overrides") or []))
        for r in records
        if isinstance(r, dict)
    ]


def experiment_table_html(points: pl.DataFrame, factors: list[str], kept: list[str]) -> str:
    """Figures per design point, cell for cell what ``salesim experiment summarize`` prints, cut to its first
    :data:`~sim.study.tables.MAX_ROWS` points (the summary's Parquet tables hold every one)."""
    rows = wide_rows(points.sort("point"), ["point", *factors], kept, "mean", "ci_low", "ci_high")
    header = ["point", *factors, *[f"{m}\nmean [95% CI]" for m in kept]]
    note = ""
    if len(rows) > MAX_ROWS:
        note = (
            f'<p class="legend">The first {MAX_ROWS} of {len(rows):,} design points; '
            "<code>salesim experiment summarize</code> writes all of them.</p>"
        )
    return f'<div class="table-wrap summary">{note}{_html_table(header, rows[:MAX_ROWS])}</div>'


def experiment_section(directory: Path) -> Section:
    """The section of an experiment directory: its design, figures per design point and their charts.

    Charts suit the design, for the first :data:`EXPERIMENT_CHART_METRICS` figures: a Morris design as μ*–σ,
    a Sobol design as S1/ST bars (one chart per lever combination; marginal means over their one-at-a-time
    or Saltelli samples would mix the other factors' moves); a full factorial or Latin hypercube as a
    response curve against each factor that varies (one line per combination of the other levers) and a
    heatmap over the first two. Any study with two replications or more gets a convergence plot. An index or
    paired lever difference whose interval includes 0 is warned of under its chart. Everything is read from
    the run files' summaries, never rerun.
    """
    info = read_experiment_info(directory)
    spec = spec_of(info)
    points = point_summary(directory)
    if points.height == 0:
        raise ReportError(f"{directory}: the experiment has no finished runs yet")
    factors = factor_names(spec)
    varied = [f for f in factors if points[f].n_unique() > 1]
    replications = int(info["replications"])
    out: list[Chart] = []
    if spec.design.kind in ("morris", "sobol"):
        # One-at-a-time trajectories or Saltelli blocks: marginal means over them mislead (a factor's mean
        # at a value mixes the others' moves), so the indices alone are drawn.
        indices = sensitivity(directory)
        for metric in spec.metrics[:EXPERIMENT_CHART_METRICS]:
            if indices.height and metric in indices["metric"]:
                for lever in sorted(set(indices["lever_point"].to_list())):
                    out.append(charts.sensitivity_chart(indices, metric, lever, replications))
    else:
        numeric = [f for f in varied if points[f].dtype.is_numeric()]
        levers = [f.name for f in spec.levers if f.name in varied]
        curves = numeric if spec.design.kind == "latin_hypercube" else (numeric or varied)
        differences = lever_differences(directory)
        for metric in spec.metrics[:EXPERIMENT_CHART_METRICS]:
            warn = difference_warnings(differences, replications, metric)
            for i, x in enumerate(curves):
                arms = [a for a in levers if a != x]
                out.append(charts.factor_chart(points, x, metric, arms, warn if i == 0 else ()))
            across = [f for f in varied if f != next(iter(curves), None)]
            if curves and across:
                out.append(charts.heatmap_chart(points, curves[0], across[0], metric))
    if replications >= 2:  # the half-width needs two replications
        out.append(charts.convergence_chart(convergence(directory)))
    counts = status_counts(directory)

    def many(key: str, what: str) -> str:
        return f"{int(info[key]):,} {what}{'' if int(info[key]) == 1 else 's'}"

    details = (
        f"{spec.design.kind.replace('_', ' ')} design · {many('points', 'point')} "
        f"({many('uncertainty_points', 'uncertainty sample')} × {many('lever_points', 'lever combination')}) "
        f"· {many('replications', 'replication')} each on common random numbers · root seed {info['seed']} "
        f"· {counts['done']:,} of {expected_runs(info):,} runs done"
        + (f", {counts['failed']:,} failed" if counts["failed"] else "")
    )
    for kind, group in (("uncertainties", spec.uncertainties), ("levers", spec.levers)):
        if group:
            details += f" · {kind}: " + ", ".join(f.name for f in group)
    return Section(
        key=_anchor(spec.name),
        heading=spec.name,
        question=spec.question,
        details=details,
        table_html=experiment_table_html(points, factors, list(spec.metrics)),
        charts=out,
    )


def _anchor(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-") or "section"


@dataclass
class Report:
    """What a report page holds, before it is written."""

    title: str
    question: str
    intro: str
    sections: list[Section]
    footer: str = "Written by salesim from the event logs in this directory; every figure is a projection of those logs."

    @property
    def charts(self) -> list[Chart]:
        """Every chart of the report, in page order."""
        return [c for s in self.sections for c in s.charts]


def load_report(directory: str | Path) -> Report:
    """Read a run, comparison, demo or experiment directory into a :class:`Report` (figures built, nothing
    written)."""
    d = Path(directory)
    kind = directory_kind(d)
    if kind in ("run", "comparison", "experiment"):
        read = {"run": run_section, "comparison": comparison_section, "experiment": experiment_section}[kind]
        section = read(d)
        report = Report(f"salesim report · {section.heading}", section.question, "", [section])
        if kind == "experiment":
            report.footer = (
                "Written by salesim from the run tables in this directory (runs/, one row of figures per run, "
                "each with its event log's hash); every figure is computed from those tables."
            )
        return report
    demo = read_demo(d)
    sections = []
    for market in demo.get("markets", []):
        sub = d / str(market["directory"])
        if not is_comparison_dir(sub):
            raise ReportError(f"{d}: incomplete demo (no comparison in {market['directory']})")
        sections.append(
            comparison_section(sub, str(market.get("heading")), _anchor(str(market["directory"])))
        )
    if not sections:
        raise ReportError(f"{d / DEMO_FILE}: lists no markets")
    return Report(
        str(demo.get("title", "salesim demo")),
        str(demo.get("question", "")),
        str(demo.get("intro", "")),
        sections,
    )


# --------------------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------------------

_CSS = """
:root { --ink: #1d2430; --muted: #5b6573; --rule: #e3e6ea; --better: #1a7f37; --worse: #b42318; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       color: var(--ink); background: #f6f7f9; }
main { max-width: 1180px; margin: 0 auto; padding: 28px 28px 60px; }
header.page h1 { font-size: 26px; margin: 0 0 6px; }
.question { font-size: 18px; margin: 6px 0 10px; }
.question::before { content: "Question: "; font-weight: 600; }
.details, .intro, .generated { color: var(--muted); margin: 4px 0; }
.headline { font-size: 17px; font-weight: 600; margin: 8px 0; padding: 8px 12px; background: #fff;
            border-left: 4px solid #3b6fb6; border-radius: 4px; }
tr.group th { text-align: left; text-transform: uppercase; font-size: 12px; letter-spacing: .04em;
              color: var(--muted); padding-top: 12px; }
table.curated { width: auto; min-width: 60%; }
table.curated td { vertical-align: top; }
.ci { color: var(--muted); font-size: 12px; }
details { margin-top: 10px; }
details summary { cursor: pointer; color: var(--muted); }
nav.toc { margin: 12px 0 0; }
nav.toc a { margin-right: 16px; }
section.part { margin-top: 34px; }
section.part > h2 { font-size: 22px; margin: 0 0 4px; border-bottom: 2px solid var(--rule); padding-bottom: 4px; }
.table-wrap { overflow-x: auto; background: #fff; border: 1px solid var(--rule); border-radius: 6px;
              padding: 10px 12px; margin: 14px 0 8px; }
.table-wrap .legend { margin: 0 0 8px; color: var(--muted); font-size: 13px; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 13.5px; width: 100%; }
th, td { padding: 5px 10px; border-bottom: 1px solid var(--rule); white-space: nowrap; }
thead th { text-align: right; vertical-align: bottom; font-weight: 600; }
thead th:first-child, tbody th { text-align: left; font-weight: 500; }
td { text-align: right; }
td.better, span.better { color: var(--better); font-weight: 600; }
td.worse, span.worse { color: var(--worse); font-weight: 600; }
.swatch { display: inline-block; width: 11px; height: 11px; border-radius: 2px; margin: 0 4px 0 6px;
          vertical-align: baseline; }
figure.chart { background: #fff; border: 1px solid var(--rule); border-radius: 6px; margin: 18px 0;
               padding: 8px 10px 12px; }
figure.chart figcaption { color: var(--muted); font-size: 14px; margin: 4px 8px 0; }
footer { color: var(--muted); font-size: 13px; margin-top: 40px; }
"""


def _figure_html(chart: Chart, div_id: str) -> str:
    """A chart as a figure: the plot (its title the question), then the takeaway in bold and how to read it.

    The caption's styles are inline so the takeaway stands out in any page that embeds the figure."""
    height = int(chart.figure.layout.height or 450)
    body = chart.figure.to_html(
        full_html=False,
        include_plotlyjs=False,
        include_mathjax=False,
        div_id=div_id,
        default_width="100%",
        default_height=f"{height}px",
        config={"displaylogo": False, "responsive": True},
    )
    takeaway = (
        '<strong class="takeaway" style="display:block;color:#1d2430;font-size:15.5px;margin-bottom:2px">'
        f"{html.escape(chart.takeaway)}</strong>"
    )
    note = f' <span class="note">{html.escape(chart.note)}</span>' if chart.note else ""
    return (
        f'<figure class="chart" id="{div_id}-figure" data-chart="{chart.key}">{body}'
        f"<figcaption>{takeaway}{note}</figcaption></figure>"
    )


def render_html(report: Report) -> str:
    """The whole page: plotly.js inlined once in the head, then every section's table and charts."""
    from plotly.offline import get_plotlyjs

    parts = []
    for section in report.sections:
        figures = "".join(_figure_html(chart, f"{section.key}-{chart.key}") for chart in section.charts)
        question = (
            f'<p class="question">{html.escape(section.question)}</p>'
            if section.question and len(report.sections) > 1
            else ""
        )
        headline = f'<p class="headline">{html.escape(section.headline)}</p>' if section.headline else ""
        parts.append(
            f'<section class="part" id="{section.key}"><h2>{html.escape(section.heading)}</h2>{question}'
            f'{headline}<p class="details">{html.escape(section.details)}</p>{section.table_html}{figures}</section>'
        )
    toc = ""
    if len(report.sections) > 1:
        links = "".join(f'<a href="#{s.key}">{html.escape(s.heading)}</a>' for s in report.sections)
        toc = f'<nav class="toc">{links}</nav>'
    intro = f'<p class="intro">{html.escape(report.intro)}</p>' if report.intro else ""
    question = f'<p class="question">{html.escape(report.question)}</p>' if report.question else ""
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{html.escape(report.title)}</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{_CSS}</style>"
        "<script>window.PlotlyConfig = {MathJaxConfig: 'local'};</script>\n"
        f'<script type="text/javascript">{get_plotlyjs()}</script>\n'
        f'</head><body data-charts="{len(report.charts)}"><main>'
        f'<header class="page"><h1>{html.escape(report.title)}</h1>{question}{intro}{toc}</header>'
        f"{''.join(parts)}"
        f"<footer>{html.escape(report.footer)} Works offline.</footer></main></body></html>\n"
    )


def png_browser() -> str | None:
    """The Chromium-family browser kaleido would use (``BROWSER_PATH`` first), or None."""
    configured = os.environ.get("BROWSER_PATH")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def check_png() -> str:
    """The browser for PNG export; a :class:`PngUnavailable` naming what is missing."""
    try:
        import kaleido  # noqa: F401
    except ImportError:
        raise PngUnavailable(
            "--png needs kaleido (pip install 'salesim[png]') and Chromium; the HTML report works without"
        ) from None
    browser = png_browser()
    if browser is None:
        raise PngUnavailable(
            "--png needs Chromium: install it (apt-get install chromium) or set BROWSER_PATH to a "
            "Chrome/Chromium executable; the HTML report works without"
        )
    return browser


def write_pngs(report: Report, directory: Path, browser: str) -> Path:
    """Export every chart as ``<directory>/png/<section>-<chart>.png``; the folder is replaced whole."""
    import plotly.io as pio

    os.environ["BROWSER_PATH"] = browser
    target = directory / PNG_DIR
    remove_stale_temporaries(target)
    staging = temporary_sibling(target)
    staging.mkdir()
    try:
        figures, files = [], []
        for section in report.sections:
            for chart in section.charts:
                figures.append(chart.figure)
                files.append(staging / f"{section.key}-{chart.key}.png")
        try:
            pio.write_images(figures, files, width=1200, scale=1)
        except Exception as exc:  # kaleido raises many kinds when the browser cannot start
            raise PngUnavailable(f"--png: PNG export failed with {browser}: {exc}".splitlines()[0]) from None
        previous = temporary_sibling(target)
        if target.exists():
            os.rename(target, previous)
        os.rename(staging, target)
        shutil.rmtree(previous, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def build_report(directory: str | Path, png: bool = False) -> Path:
    """Write ``report.html`` (atomically) into a run, comparison, demo or experiment directory; return its path.

    With ``png``, also export every chart as a PNG under ``png/`` (needs kaleido and Chromium); if that is
    not possible nothing is written.
    """
    d = Path(directory)
    directory_kind(d)
    browser = check_png() if png else None
    report = load_report(d)
    page = render_html(report)
    if browser is not None:
        write_pngs(report, d, browser)
    path = d / REPORT_NAME
    atomic_write_bytes(path, page.encode("utf-8"))
    return path
