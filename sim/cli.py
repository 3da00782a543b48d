"""The ``salesim`` command line (typer + rich): run, replay, compare, report, demo, scenarios.

Bad input gets one line on stderr naming the file, the field path and what is allowed, and exit code 2; no
traceback, and no half-written output directory. That holds for the parser's own usage errors, for
filesystem errors (permission, full disk, a name too long) and for a second writer on the same output.
Text from the user (scenario names, questions, paths) is printed as text, never as rich markup.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from concurrent.futures import BrokenExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from sim.config import ScenarioError, load_scenario
from sim.words.format import (
    comparison_header,
    comparison_rows,
    curated_comparisons,
    headline_rows,
    summary_rows,
)

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="salesim: simulate IT and professional-services sales cycles, event by event.",
    pretty_exceptions_enable=False,
)
# The curated tables fit 80 columns; piped output (CI logs, files) is 80 wide unless COLUMNS says otherwise.
# markup=False: a scenario named ``x[/]y`` is printed as it is, not parsed as rich markup.
# soft_wrap: a long path is printed whole (the terminal wraps it), never broken across lines.
console = Console(
    width=None if sys.stdout.isatty() else int(os.environ.get("COLUMNS") or 80), markup=False, soft_wrap=True
)
wide_console = Console(width=None if sys.stdout.isatty() else 200, markup=False)
"""For the full figure lists (``--all``) and experiment tables, which are wider than 80 columns."""
err_console = Console(stderr=True, soft_wrap=True, markup=False)

AllOption = Annotated[
    bool, typer.Option("--all", help="Every figure of the summary, not just the headline figures.")
]
FormatOption = Annotated[
    str, typer.Option("--format", help="table (for people), csv or json (machine-readable, on stdout).")
]
OUTPUT_FORMATS = ("table", "csv", "json")

SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override any scenario field: dotted.path=value (repeatable)."),
]


class UsageError(Exception):
    """A bad argument found after parsing (an unknown strategy, an existing output directory, ...)."""


MAX_SEED = 2**63 - 1


def check_seed(seed: int | None) -> None:
    """A seed must be a whole number from 0 to 2**63 - 1 (what a scenario file can hold)."""
    if seed is not None and not 0 <= seed <= MAX_SEED:
        raise UsageError(f"--seed {seed}: must be from 0 to {MAX_SEED}")


def pl_errors() -> type[Exception]:
    """polars' base error type (imported lazily: polars is not needed to print --help)."""
    import polars

    return polars.exceptions.PolarsError


MAX_ERROR_CHARS = 480
"""The longest error line printed: a long path or value is cut in the middle, keeping the reason at its end."""


def printable(text: str) -> str:
    """User text with control characters (terminal escape codes among them) shown escaped, not obeyed."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def one_line(message: str, limit: int = MAX_ERROR_CHARS) -> str:
    """A message as one printable line of at most ``limit`` characters (control characters escaped)."""
    text = printable(message)
    if len(text) <= limit:
        return text
    tail = limit // 3
    return f"{text[: limit - tail - 3]} … {text[-tail:]}"


def print_error(message: str) -> None:
    """Print ``error: <message>`` as one bounded line on stderr."""
    err_console.print(f"error: {one_line(message)}", highlight=False, soft_wrap=True)


def fail(message: str) -> None:
    """Print one line to stderr and exit with code 2."""
    print_error(message)
    raise typer.Exit(code=2)


def describe_os_error(exc: OSError) -> str:
    """An operating-system error as ``<file>: <reason>`` (the store words its own; this catches the rest)."""
    where = exc.filename if exc.filename is not None else "salesim"
    return f"{where}: {exc.strerror or exc}"


@contextmanager
def clean_errors() -> Iterator[None]:
    """Turn the known kinds of bad input, and filesystem errors, into one line and exit code 2."""
    from sim.model.market import MarketTooLarge
    from sim.store.files import StoreError
    from sim.store.parquet import SchemaError

    try:
        yield
    except (ScenarioError, SchemaError, StoreError, MarketTooLarge, UsageError) as exc:
        fail(str(exc))
    except OSError as exc:
        fail(describe_os_error(exc))
    except RecursionError:
        fail("input nested too deeply to read")
    except BrokenExecutor:
        fail("a worker process died (out of memory, or killed); nothing was written, try fewer --workers")


def check_format(output_format: str) -> None:
    """``--format`` must be table, csv or json."""
    if output_format not in OUTPUT_FORMATS:
        raise UsageError(f"--format {output_format!r}: must be one of {', '.join(OUTPUT_FORMATS)}")


def summary_table(summary: dict[str, Any], title: str, everything: bool = False) -> Table:
    """The run's headline figures, grouped (bookings, pipeline, time, people, money), with units; every
    figure by name with ``everything``."""
    from sim.metrics import DISPLAY_SCALE

    table = Table(title=title, show_header=True, header_style="bold", box=box.SIMPLE_HEAD)
    if everything:
        table.add_column("figure")
        table.add_column("value", justify="right")
        for figure, value in summary_rows(summary):
            table.add_row(figure, value)
        return table
    table.add_column("figure")
    table.add_column("value", justify="right")
    for group, figure, value in headline_rows(summary, DISPLAY_SCALE):
        if group:
            table.add_row(Text(group.upper(), style="bold"), "")
        table.add_row(f"  {figure}", value)
    return table


def print_machine_readable(records: list[dict[str, Any]] | dict[str, Any], output_format: str) -> None:
    """``--format csv`` (a table, one record a row) or ``json``, on stdout, nothing else."""
    if output_format == "json":
        typer.echo(_json(records))
        return
    import polars

    rows = records if isinstance(records, list) else [{"figure": k, "value": v} for k, v in records.items()]
    # An undefined figure (a rate over no deals) is an empty cell, never "NaN" and never 0.
    typer.echo(polars.DataFrame(_clean(rows), infer_schema_length=None).write_csv(), nl=False)


def _clean(value: Any) -> Any:
    """``value`` with every non-finite float (NaN: undefined) as None, in dicts and lists too."""
    import math

    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _json(records: Any) -> str:
    """JSON with NaN written as null (strict JSON has no NaN)."""
    import json

    return json.dumps(_clean(records))


@app.command()
def run(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file (or the name of a shipped scenario).")],
    seed: Annotated[int | None, typer.Option(help="Root random seed (default: the scenario's).")] = None,
    set_: SetOption = None,
    out: Annotated[
        Path | None, typer.Option(help="Run directory to write (default: runs/<name>-seed<N>).")
    ] = None,
    everything: AllOption = False,
    output_format: FormatOption = "table",
) -> None:
    """Run one scenario, write a self-describing run directory, print its headline figures."""
    from contextlib import nullcontext

    from sim.results import run as run_scenario
    from sim.results import save_run
    from sim.store.directories import claim
    from sim.words.narrative import run_headline

    with clean_errors():
        check_format(output_format)
        check_seed(seed)
        sc = load_scenario(scenario, set_ or [])
        chosen = sc.seed if seed is None else seed
        target = out or Path("runs") / f"{Path(str(scenario)).stem}-seed{chosen}"
        quiet = output_format != "table"
        spinner = (
            nullcontext()
            if quiet
            else console.status(f"simulating {escape(sc.name)} ({sc.horizon_days:.0f} days)…")
        )
        # Claimed before simulating, so a second writer is told at once, not after its own simulation.
        with claim(target), spinner:
            result = run_scenario(sc, chosen)
            save_run(result, target)
    summary = result.summary()
    if quiet:
        print_machine_readable(summary, output_format)
        return
    console.print(printable(run_headline(summary, sc.strategy.preset)))
    title = printable(f"{sc.name} · {sc.strategy.preset} · seed {chosen}")
    (wide_console if everything else console).print(summary_table(summary, title, everything))
    if not everything:
        console.print("every figure: --all (and summary.json in the run directory)")
    console.print(f"{result.events.height:,} events in {result.wall_seconds:.2f} s → {target}")


@app.command()
def replay(
    run_dir: Annotated[Path, typer.Argument(help="A run directory written by `salesim run`.")],
    opportunity: Annotated[int | None, typer.Option("--opportunity", "-o", help="Opportunity id.")] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Check every deal's story (or --opportunity's) for what cannot happen: exit 0 when clean, "
            "1 with one line per violation.",
        ),
    ] = False,
) -> None:
    """Tell the story of one deal, event by event (without --opportunity: list notable deals)."""
    from sim.results import load_run
    from sim.words.story import deal_story, notable_deals

    with clean_errors():
        result = load_run(run_dir)
        if check:
            check_stories(result.events, run_dir, opportunity)
            return
        if opportunity is None:
            console.print(notable_deals(result.events))
            return
        lines = deal_story(result.events, opportunity)
        if lines is None:
            raise UsageError(f"{run_dir}: no opportunity {opportunity} in this run")
    for line in lines:
        typer.echo(line)


def check_stories(events: Any, run_dir: Path, opportunity: int | None) -> None:
    """``replay --check``: one line per story that cannot happen and exit 1, or one line saying none did."""
    import polars as pl

    from sim.metrics.story_checks import opportunities_checked, story_violations, violation_lines

    violations = story_violations(events)
    checked = opportunities_checked(events)
    if opportunity is not None:
        if not events.filter((pl.col("kind") == "OpportunityOpened") & (pl.col("opp") == opportunity)).height:
            raise UsageError(f"{run_dir}: no opportunity {opportunity} in this run")
        violations, checked = violations.filter(pl.col("opp") == opportunity), 1
    if violations.is_empty():
        typer.echo(
            f"no violations ({checked:,} {'opportunity' if checked == 1 else 'opportunities'} checked)"
        )
        return
    for line in violation_lines(violations):
        typer.echo(printable(line))
    raise typer.Exit(code=1)


def comparison_table(table: Any, title: str) -> Table:
    """The comparison as a rich table: mean [95% CI] per strategy, and the paired difference."""
    out = Table(title=title, header_style="bold", show_lines=False)
    header = comparison_header(table)
    out.add_column(header[0])
    for heading in header[1:]:
        out.add_column(heading, justify="right")
    for cells in comparison_rows(table):
        out.add_row(*cells)
    return out


def arms_note(arms: list[Any]) -> str | None:
    """One line naming each arm's preset and overrides, when any arm has overrides or a name of its own."""
    if all(arm.name == arm.preset and not arm.overrides for arm in arms):
        return None
    return "arms: " + "; ".join(f"{arm.name} = {arm.described}" for arm in arms)


def run_comparison(
    scenario_path: Path,
    arm_specs: list[str],
    replications: int,
    seed: int | None,
    overrides: list[str],
    out: Path,
    workers: int | None,
    everything: bool = False,
    output_format: str = "table",
) -> tuple[Any, Any]:
    """Shared by ``compare`` and ``demo``: run, write the comparison directory (all or nothing), print the
    headline and the table (or, with ``output_format`` csv or json, only the table, machine-readable)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from sim.study.arms import arm_scenario, unshared_overrides
    from sim.study.comparison import as_arms, check_counts, compare_table
    from sim.study.comparison import compare as run_compare
    from sim.words.narrative import comparison_headline

    check_counts(replications, workers)
    arms = as_arms(arm_specs)
    sc = load_scenario(scenario_path, overrides)
    for arm in arms:
        arm_scenario(sc, arm)  # a bad override is reported before any run starts
    check_seed(seed)
    quiet = output_format != "table"
    unshared = unshared_overrides(sc, arms)
    if unshared and not quiet:
        others = [arm.name for arm in arms if arm.preset != sc.strategy.preset]
        plain = "starts from its preset" if len(others) == 1 else "start from their presets"
        console.print(
            Text.assemble(
                ("note:", "yellow"),
                f" the strategy overrides {', '.join(unshared)} apply to {sc.strategy.preset} only; "
                f"{', '.join(others)} {plain}",
            )
        )
    root = sc.seed if seed is None else seed
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=quiet,
    ) as bar:
        job = bar.add_task(
            escape(f"{sc.name}: {len(arms)} arms × {replications} replications"),
            total=len(arms) * replications,
        )
        runs = run_compare(
            sc,
            arms,
            replications,
            seed=root,
            out=out,
            workers=workers,
            progress=lambda done, total: bar.update(job, completed=done),
        )
    table = compare_table(runs)
    if quiet:
        records = table.to_dicts()
        print_machine_readable(
            {"headline": comparison_headline(table), "table": records}
            if output_format == "json"
            else records,
            output_format,
        )
        return runs, table
    title = printable(f"{sc.name} · {replications} replications · seed {root}")
    if sc.question:
        console.print(printable(f"question: {sc.question}"))
    console.print(Text(printable(comparison_headline(table)), style="bold"))
    if everything:
        wide_console.print(comparison_table(table, title))
    else:
        for curated in curated_comparisons(table):
            console.print(curated_table(curated, title))
    note = arms_note(arms)
    if note:
        console.print(printable(note))
    if not everything:
        console.print("every figure: --all; machine-readable: --format csv|json")
    return runs, table


def curated_table(curated: Any, title: str) -> Table:
    """A curated comparison (headline figures, mean over its interval) as a rich table that fits 80 columns."""
    out = Table(title=title, header_style="bold", box=box.SIMPLE_HEAD, show_lines=False)
    out.caption = "mean over its 95% CI" + (
        "; last column: paired diff from the control" if len(curated.header) == 4 else ""
    )
    if any("n = " in cell for cells in curated.rows for cell in cells[1:]):
        out.caption += "\nn = k of N: defined in k replications only (a rate over no deals is –)"
    for i, heading in enumerate(curated.header):
        out.add_column(heading, justify="left" if i == 0 else "right", ratio=3 if i == 0 else 2)
    for group, cells in zip(curated.groups, curated.rows, strict=True):
        if group:
            out.add_row(Text(group.upper(), style="bold"), *[""] * (len(cells) - 1))
        out.add_row(*cells)
    return out


@app.command()
def compare(
    scenario: Annotated[Path, typer.Argument(help="Scenario TOML file (or the name of a shipped scenario).")],
    strategies: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated strategy presets, each an arm of its own name; the first is the control."
        ),
    ] = None,
    arm: Annotated[
        list[str] | None,
        typer.Option(
            "--arm",
            help="An arm: name=preset[:dotted.path=value…], e.g. walk60=numbers-game:strategy.walk_away_days=60 "
            "(repeatable; after any --strategies; the first arm is the control).",
        ),
    ] = None,
    replications: Annotated[int, typer.Option(help="Replications per arm (same seeds for every arm).")] = 10,
    seed: Annotated[int | None, typer.Option(help="Root seed (default: the scenario's).")] = None,
    set_: SetOption = None,
    out: Annotated[
        Path | None, typer.Option(help="Comparison directory (default: runs/<name>-compare).")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default: all cores; 1 = serial).")
    ] = None,
    everything: AllOption = False,
    output_format: FormatOption = "table",
) -> None:
    """Compare arms (strategy presets, or presets with overrides) on the same simulated market, with 95%
    intervals and paired differences against the first."""
    from sim.study.comparison import StrategyError

    with clean_errors():
        try:
            if strategies is None and not arm:
                raise UsageError(
                    "compare: give --strategies a,b or one --arm name=preset[:path=value…] per arm"
                )
            specs = [s for s in (strategies or "").split(",") if s.strip()]
            if specs:
                from sim.study.comparison import parse_strategies

                parse_strategies(specs)
            check_format(output_format)
            target = out or Path("runs") / f"{Path(str(scenario)).stem}-compare"
            run_comparison(
                scenario,
                [*specs, *(arm or [])],
                replications,
                seed,
                set_ or [],
                target,
                workers,
                everything,
                output_format,
            )
        except StrategyError as exc:
            raise UsageError(str(exc)) from None
    if output_format == "table":
        console.print(f"runs and tables → {target}")


@app.command()
def report(
    directory: Annotated[Path, typer.Argument(help="A run, comparison, demo or experiment directory.")],
    png: Annotated[
        bool, typer.Option("--png", help="Also export every chart as PNG under png/ (kaleido + Chromium).")
    ] = False,
) -> None:
    """Write a self-contained report.html (works offline) for a run, comparison, demo or experiment directory."""
    from sim.store.files import StoreError
    from sim.store.outputs import directory_kind
    from sim.viz.report import PNG_DIR, ReportError, build_report

    with clean_errors():
        try:
            with console.status(f"drawing the report for {directory}…"):
                path = build_report(directory, png=png)
        except (ReportError, StoreError) as exc:
            raise UsageError(str(exc)) from None
        except (KeyError, TypeError, ValueError, OSError, pl_errors()) as exc:
            # Files of the right names but wrong contents (hand-edited or truncated): say so, in one line.
            raise UsageError(
                f"{directory}: its files are damaged or not salesim's ({type(exc).__name__}: {exc})"
            ) from None
    if png:
        console.print(f"charts as PNG → {path.parent / PNG_DIR}")
    if directory_kind(directory) == "experiment":
        with clean_errors():
            print_interval_warnings(directory)
    console.print(f"report → {path}")


#: The markets ``salesim demo`` compares the strategies on: the baseline scenario cut down to one segment,
#: with a team small enough that each territory holds more accounts than a rep can work (500 SMB accounts,
#: 120 Fortune 1000 accounts a rep), as real territories do; hours, not accounts, are then what a strategy
#: spends. (With a team large enough to exhaust its territories, meeting everyone wins instead.)
DEMO_MARKETS: list[tuple[str, str, str, list[str]]] = [
    (
        "smb",
        "SMB market: the owner decides in weeks",
        "In a market of small businesses only, where the owner decides fast and alone, "
        "does qualifying hard beat the numbers game?",
        ["market.mid_market.accounts=0", "market.f1000.accounts=0", "sales_org.reps=8"],
    ),
    (
        "f1000",
        "Fortune 1000 market: buying groups, procurement, stalling CIOs",
        "In a market of Fortune 1000 accounts only, with buying groups, procurement and stalling CIOs, "
        "does qualifying hard beat the numbers game?",
        ["market.smb.accounts=0", "market.mid_market.accounts=0", "sales_org.reps=5"],
    ),
]
DEMO_STRATEGIES = "numbers-game,qualify-hard"


def demo_directory(out: Path | None) -> Path:
    """``--out`` if given (claiming it checks it is new or empty); else ``salesim-demo``, or the first free
    ``salesim-demo-N``."""
    from sim.store.outputs import first_free_directory

    return out if out is not None else first_free_directory(Path("salesim-demo"))


@app.command()
def demo(
    out: Annotated[
        Path | None,
        typer.Option(help="Demo directory (default: ./salesim-demo, or salesim-demo-2, … if that is taken)."),
    ] = None,
    replications: Annotated[
        int, typer.Option(help="Replications per strategy and market (same seeds for both strategies).")
    ] = 10,
    seed: Annotated[int | None, typer.Option(help="Root seed (default: the baseline scenario's).")] = None,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default: all cores; 1 = serial).")
    ] = None,
) -> None:
    """Compare numbers-game and qualify-hard on an SMB and a Fortune 1000 market; write one HTML report."""
    import time

    from sim.store.comparisons import write_demo
    from sim.store.directories import staged
    from sim.study.comparison import StrategyError, check_counts
    from sim.viz.report import ReportError, build_report

    started = time.perf_counter()
    with clean_errors():
        try:
            check_counts(replications, workers)
            target = demo_directory(out)
            with staged(target) as building:
                markets = []
                for key, heading, question, overrides in DEMO_MARKETS:
                    settings = [*overrides, f'name="demo-{key}"', f'question="{question}"']
                    run_comparison(
                        Path("baseline"),
                        DEMO_STRATEGIES.split(","),
                        replications,
                        seed,
                        settings,
                        building / key,
                        workers,
                    )
                    markets.append({"directory": key, "heading": heading, "overrides": overrides})
                description = {
                    "title": "salesim demo · numbers game vs qualify hard, SMB vs Fortune 1000",
                    "question": "Does qualifying hard beat the numbers game, and does the answer depend on the market?",
                    "intro": f"The baseline scenario cut down to one segment at a time; both strategies run on the "
                    f"same {replications} simulated markets per segment (common random numbers), so their "
                    "difference is the strategy's, not the dice's.",
                    "strategies": DEMO_STRATEGIES.split(","),
                    "replications": replications,
                    "markets": markets,
                }
                write_demo(building, description)
                with console.status("drawing the report…"):
                    page = build_report(building)
        except (StrategyError, ReportError) as exc:
            raise UsageError(str(exc)) from None
    console.print(f"demo finished in {time.perf_counter() - started:.0f} s")
    console.print(f"report → {(target / page.name).resolve()}")


experiment_app = typer.Typer(
    no_args_is_help=True,
    help="Experiments: designs over market uncertainties and strategy levers, many replications, resumable.",
)
app.add_typer(experiment_app, name="experiment")


@experiment_app.command("run")
def experiment_run(
    file: Annotated[Path, typer.Argument(help="Experiment TOML file (or the name of a shipped experiment).")],
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default: all cores; 1 = serial in this process).")
    ] = None,
    cluster: Annotated[
        str | None,
        typer.Option(help="Run on Dask: 'local' (a LocalCluster of --workers processes) or tcp://HOST:PORT."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Experiment directory (default: runs/<file>-experiment); rerun to resume."),
    ] = None,
    retry_failed: Annotated[bool, typer.Option("--retry-failed", help="Run failed runs again.")] = False,
    until_half_width: Annotated[
        float | None,
        typer.Option(help="Add replications until every 95% half-width is at most this share of its mean."),
    ] = None,
    max_replications: Annotated[
        int | None, typer.Option(help="With --until-half-width: the most replications per point.")
    ] = None,
    replications: Annotated[
        int | None, typer.Option(help="Replications per design point, instead of the file's.")
    ] = None,
    overrides: SetOption = None,
) -> None:
    """Run an experiment (or resume one killed part-way): finished runs are kept, the rest are run."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from sim.study.experiments import ExperimentOptions, check_experiment_file, run_experiment
    from sim.study.runner import Execution, ExecutionError, check_execution

    with clean_errors():
        try:
            loaded = check_experiment_file(file, replications, overrides or [])
            check_execution(Execution(workers, cluster))  # before the bar, as the file is
            if max_replications is not None and not 1 <= max_replications <= 10_000:
                raise UsageError(f"--max-replications {max_replications}: must be from 1 to 10,000")
            target = out or Path("runs") / f"{Path(str(file)).stem}-experiment"
            with Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[failed]} failed"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=console,
                transient=True,
            ) as bar:
                job = bar.add_task(escape(loaded.experiment.name), total=None, failed=0)

                def progress(done: int, failed: int, total: int) -> None:
                    bar.update(job, completed=done, total=total, failed=failed)

                run_experiment(
                    loaded,
                    target,
                    Execution(workers, cluster, progress=progress),
                    ExperimentOptions(retry_failed, until_half_width, max_replications),
                )
        except ExecutionError as exc:
            raise UsageError(str(exc)) from None
    print_status(target)
    console.print(f"summarise: salesim experiment summarize {target}")


def print_status(directory: Path) -> None:
    """Runs done, failed and pending, and the first failures' messages."""
    from sim.store.experiments import read_experiment_info
    from sim.study.analysis import manifest_frame

    info = read_experiment_info(directory)
    manifest = manifest_frame(directory)
    counts = {s: manifest.filter(manifest["status"] == s).height for s in ("done", "failed", "pending")}
    console.print(
        printable(
            f"{info.get('name')}: {manifest.height:,} runs ({info.get('points')} design points × "
            f"{info.get('replications')} replications): {counts['done']:,} done, {counts['failed']:,} failed, "
            f"{counts['pending']:,} pending"
        )
    )
    failures = manifest.filter(manifest["status"] == "failed").head(5)
    for row in failures.iter_rows(named=True):
        console.print(
            printable(f"  failed: point {row['point']} replication {row['replication']}: {row['error']}")
        )


@experiment_app.command("status")
def experiment_status(
    directory: Annotated[Path, typer.Argument(help="An experiment directory.")],
) -> None:
    """How far an experiment got: runs done, failed (with their errors) and pending."""
    with clean_errors():
        print_status(directory)


def print_interval_warnings(directory: Path, indices: Any = None) -> None:
    """A line per figure whose sensitivity indices have a 95% interval that includes 0 (Morris, Sobol)."""
    import textwrap

    from sim.study.analysis import experiment_warnings

    for line in experiment_warnings(directory, indices):
        # Wrapped to the terminal (the console itself prints long lines whole, for paths): a warning is prose.
        text = textwrap.fill(f"warning: {printable(line)}", width=console.width, subsequent_indent="  ")
        console.print(text, style="yellow")


@experiment_app.command("summarize")
def experiment_summarize(
    directory: Annotated[Path, typer.Argument(help="An experiment directory.")],
    output_format: Annotated[
        str, typer.Option("--format", help="table (the terminal), csv or json (machine-readable, on stdout).")
    ] = "table",
) -> None:
    """Per design point: mean and 95% interval of each kept figure; paired lever differences; sensitivity
    indices (Morris, Sobol). Writes them under summary/ in the directory, and results.parquet: one row per run,
    every factor and figure a column."""
    from sim.store.experiments import read_experiment_info, write_results, write_summary
    from sim.study.analysis import lever_differences, point_summary, results_frame, sensitivity

    if output_format not in ("table", "csv", "json"):
        fail(f"--format {output_format!r}: must be table, csv or json")
    with clean_errors():
        info = read_experiment_info(directory)
        tables = {
            "points": point_summary(directory),
            "differences": lever_differences(directory),
            "sensitivity": sensitivity(directory),
        }
        present = {name: t for name, t in tables.items() if t.height}
        write_summary(directory, present)
        results_path = write_results(directory, results_frame(directory))
    if output_format == "csv":
        typer.echo(tables["points"].write_csv(), nl=False)
        return
    if output_format == "json":
        import json

        typer.echo(json.dumps({name: t.to_dicts() for name, t in present.items()}, default=str))
        return
    from sim.study.tables import summary_tables

    for table in summary_tables(info, present):
        console.print(table)
    print_interval_warnings(directory, tables["sensitivity"])
    console.print(f"tables → {directory / 'summary'}")
    console.print(f"one row per run → {results_path}")


@app.command("app")
def workshop_app(
    host: Annotated[
        str, typer.Option(help="Address to serve on (loopback unless told otherwise).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8050,
) -> None:
    """Start the workshop app: what-if runs in the browser, a board for the room, deal stories."""
    with clean_errors():
        if not 1 <= port <= 65535:
            raise UsageError(f"--port {port}: must be from 1 to 65535")
        from sim.app.server import serve

        serve(host, port)


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


def _terminated(signum: int, frame: object) -> None:
    # Unwind like Ctrl-C does, so half-built output is removed and the output's lock released on the way out.
    raise SystemExit(128 + signum)


def _parser_exceptions() -> Any:
    """The command-line parser's exception classes: typer vendors click from 0.2x on, used it before."""
    import importlib

    try:
        return importlib.import_module("typer._click.exceptions")
    except ImportError:
        return importlib.import_module("click.exceptions")


def main() -> None:
    """Entry point of the ``salesim`` console script: the parser's own errors as one line and exit code 2."""
    from sim.store.provenance import record_command

    errors = _parser_exceptions()
    record_command(sys.argv)
    signal.signal(signal.SIGTERM, _terminated)
    try:
        code = app(standalone_mode=False)
    except errors.NoArgsIsHelpError as exc:
        # The help is the message (rich-formatted help is printed while it is built, and the message is empty).
        if exc.format_message():
            typer.echo(exc.format_message())
        sys.exit(2)
    except errors.UsageError as exc:
        hint = f" (see: {exc.ctx.command_path} --help)" if exc.ctx is not None else ""
        print_error(f"{exc.format_message()}{hint}")
        sys.exit(2)
    except errors.ClickException as exc:
        print_error(exc.format_message())
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        print_error("interrupted")
        sys.exit(130)
    if code == 130:
        print_error("interrupted")
    sys.exit(code if isinstance(code, int) else 0)


__all__ = ["app", "main"]
