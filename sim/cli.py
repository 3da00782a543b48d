"""The ``salesim`` command line (typer + rich): run, replay, compare, report, demo, scenarios.

Bad input gets one line on stderr naming the file, the field path and what is allowed, and exit code 2; no
traceback, and no half-written output directory.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from sim.config import ScenarioError, load_scenario

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="salesim: simulate IT and professional-services sales cycles, event by event.",
    pretty_exceptions_enable=False,
)
# Tables are wide; when output is piped (CI logs, files) do not squeeze them into 80 columns.
console = Console(width=None if sys.stdout.isatty() else 160)
err_console = Console(stderr=True, soft_wrap=True)

SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override any scenario field: dotted.path=value (repeatable)."),
]


class UsageError(Exception):
    """A bad argument found after parsing (an unknown strategy, an existing output directory, ...)."""


def fail(message: str) -> None:
    """Print one line to stderr and exit with code 2."""
    err_console.print(f"error: {message}", markup=False, highlight=False)
    raise typer.Exit(code=2)


@contextmanager
def clean_errors() -> Iterator[None]:
    """Turn the known kinds of bad input into one line and exit code 2."""
    from sim.events import SchemaError
    from sim.model.market import MarketTooLarge
    from sim.results import RunDirError

    try:
        yield
    except (ScenarioError, SchemaError, RunDirError, MarketTooLarge, UsageError) as exc:
        fail(str(exc))


def fresh_output(path: Path) -> Path:
    """Refuse to write into a non-empty existing directory (results are never silently mixed)."""
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise UsageError(f"{path}: output directory exists and is not empty; choose another --out")
    return path


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        if value != value:
            return "–"
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:.3g}"
    return str(value)


def summary_table(summary: dict[str, Any], title: str) -> Table:
    """A two-column table of headline figures."""
    table = Table(title=title, show_header=True, header_style="bold")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key, value in summary.items():
        table.add_row(key.replace("_", " "), _fmt(value))
    return table


@app.command()
def run(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file (or the name of a shipped scenario).")],
    seed: Annotated[int | None, typer.Option(help="Root random seed (default: the scenario's).")] = None,
    set_: SetOption = None,
    out: Annotated[
        Path | None, typer.Option(help="Run directory to write (default: runs/<name>-seed<N>).")
    ] = None,
) -> None:
    """Run one scenario, write a self-describing run directory, print its summary."""
    from sim.results import run as run_scenario
    from sim.results import save_run

    with clean_errors():
        if seed is not None and seed < 0:
            raise UsageError(f"--seed {seed}: must be zero or positive")
        sc = load_scenario(scenario, set_ or [])
        chosen = sc.seed if seed is None else seed
        target = fresh_output(out or Path("runs") / f"{Path(str(scenario)).stem}-seed{chosen}")
        with console.status(f"simulating {sc.name} ({sc.horizon_days:.0f} days)…"):
            result = run_scenario(sc, chosen)
            save_run(result, target)
    console.print(summary_table(result.summary(), f"{sc.name} · {sc.strategy.preset} · seed {chosen}"))
    console.print(f"{result.events.height:,} events in {result.wall_seconds:.2f} s → {target}")


@app.command()
def replay(
    run_dir: Annotated[Path, typer.Argument(help="A run directory written by `salesim run`.")],
    opportunity: Annotated[int | None, typer.Option("--opportunity", "-o", help="Opportunity id.")] = None,
) -> None:
    """Tell the story of one deal, event by event (without --opportunity: list notable deals)."""
    from sim.results import load_run
    from sim.story import deal_story, notable_deals

    with clean_errors():
        result = load_run(run_dir)
        if opportunity is None:
            console.print(notable_deals(result.events))
            return
        lines = deal_story(result.events, opportunity)
        if lines is None:
            raise UsageError(f"{run_dir}: no opportunity {opportunity} in this run")
    for line in lines:
        typer.echo(line)


def comparison_table(table: Any, title: str) -> Table:
    """The comparison as a rich table: mean [95% CI] per strategy, and the paired difference."""
    import polars as pl

    strategies = list(dict.fromkeys(table["strategy"].to_list()))
    out = Table(title=title, header_style="bold", show_lines=False)
    out.add_column("figure")
    for i, name in enumerate(strategies):
        out.add_column(f"{name}\nmean [95% CI]", justify="right")
        if i:
            out.add_column(f"{name} − {strategies[0]}\npaired diff [95% CI]", justify="right")
    for metric in dict.fromkeys(table["metric"].to_list()):
        rows = {r["strategy"]: r for r in table.filter(pl.col("metric") == metric).iter_rows(named=True)}
        cells = [rows[strategies[0]]["label"]]
        for i, name in enumerate(strategies):
            r = rows[name]
            cells.append(f"{_fmt(r['mean'])} [{_fmt(r['ci_low'])}, {_fmt(r['ci_high'])}]")
            if i:
                cells.append(f"{_fmt(r['diff'])} [{_fmt(r['diff_low'])}, {_fmt(r['diff_high'])}]")
        out.add_row(*cells)
    return out


def run_comparison(
    scenario_path: Path,
    strategies: str,
    replications: int,
    seed: int | None,
    overrides: list[str],
    out: Path,
    workers: int | None,
) -> tuple[Any, Any]:
    """Shared by ``compare`` and ``demo``: run, write the comparison directory, print the table."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from sim.comparison import compare as run_compare
    from sim.comparison import parse_strategies, remove_partial, write_comparison

    if replications < 1:
        raise UsageError(f"--replications {replications}: must be at least 1")
    if workers is not None and workers < 1:
        raise UsageError(f"--workers {workers}: must be at least 1")
    names = parse_strategies(strategies)
    sc = load_scenario(scenario_path, overrides)
    root = sc.seed if seed is None else seed
    fresh = not out.exists()
    fresh_output(out)
    try:
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar:
            job = bar.add_task(
                f"{sc.name}: {len(names)} strategies × {replications} replications",
                total=len(names) * replications,
            )
            runs = run_compare(
                sc,
                names,
                replications,
                seed=root,
                out=out,
                workers=workers,
                progress=lambda done, total: bar.update(job, completed=done),
            )
        table = write_comparison(out, sc, names, replications, root, runs)
    except BaseException:
        if fresh:
            remove_partial(out)
        raise
    console.print(comparison_table(table, f"{sc.name} · {replications} replications · seed {root}"))
    if sc.question:
        console.print(f"question: {sc.question}")
    return runs, table


@app.command()
def compare(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file (or the name of a shipped scenario).")],
    strategies: Annotated[
        str, typer.Option(help="Comma-separated strategy presets; the first is the control.")
    ],
    replications: Annotated[
        int, typer.Option(help="Replications per strategy (same seeds for every strategy).")
    ] = 10,
    seed: Annotated[int | None, typer.Option(help="Root seed (default: the scenario's).")] = None,
    set_: SetOption = None,
    out: Annotated[
        Path | None, typer.Option(help="Comparison directory (default: runs/<name>-compare).")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default: all cores; 1 = serial).")
    ] = None,
) -> None:
    """Compare strategies on the same simulated market, with 95% intervals and paired differences."""
    from sim.comparison import StrategyError

    with clean_errors():
        try:
            target = out or Path("runs") / f"{Path(str(scenario)).stem}-compare"
            run_comparison(scenario, strategies, replications, seed, set_ or [], target, workers)
        except StrategyError as exc:
            raise UsageError(str(exc)) from None
    console.print(f"runs and tables → {target}")


@app.command("scenarios")
def list_scenarios() -> None:
    """List the scenarios that ship with salesim and the question each answers."""
    from sim.config import read_toml

    folder = Path(__file__).parent / "scenarios"
    table = Table(title="shipped scenarios", header_style="bold")
    table.add_column("scenario")
    table.add_column("question")
    for path in sorted(folder.glob("*.toml")):
        table.add_row(path.stem, str(read_toml(path).get("question", "")))
    console.print(table)
    console.print(f"files in {folder}; run one with: salesim run <name>")


def main() -> None:
    """Entry point of the ``salesim`` console script."""
    try:
        app()
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)


__all__ = ["app", "main"]
