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
console = Console()
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
