"""Bad input through the real CLI: exit code 2, one line on stderr naming the file and the field, no traceback,
and no output directory left behind. Also: a stored log of another schema version is refused clearly.

All CLI cases start at once (one process each) so the file stays fast; each test then checks its own case.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import LiveRun, run_cli

from sim.config import MAX_ACCOUNTS_PER_SEGMENT
from sim.core.events import SCHEMA_VERSION
from sim.model.strategy import PRESETS
from sim.results import RunResult, load_run, save_run
from sim.store.parquet import SchemaError

GOOD_SCENARIO = """\
name = "tiny"
horizon_days = 60
[market.smb]
accounts = 30
[market.mid_market]
accounts = 0
[market.f1000]
accounts = 0
[sales_org]
reps = 1
"""


@dataclass(frozen=True)
class Case:
    """One bad invocation: the scenario file to write (if any), the arguments, what stderr must mention."""

    toml: str | None
    args: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()
    pattern: str | None = None
    names_file: bool = True


RETIRED_WALK_AWAY = ("strategy.never_walk_away: no longer a field", "walk_away_days")
"""What a line refusing the retired ``never_walk_away`` must say: the old field, and the new one."""

RUN_CASES: dict[str, Case] = {
    "malformed_toml": Case("horizon_days = [\n", mentions=("TOML",)),
    "unknown_field": Case(
        "horizon_dayz = 100\n", mentions=("horizon_dayz", "did you mean", "'horizon_days'")
    ),
    "unknown_nested_field": Case(
        "[sales_org]\nrepz = 3\n", mentions=("sales_org.repz", "did you mean", "'reps'")
    ),
    "wrong_type": Case('horizon_days = "long"\n', mentions=("horizon_days", "long")),
    "negative_duration": Case("horizon_days = -5\n", mentions=("horizon_days", "-5")),
    "negative_nested_duration": Case(
        "[sales_org]\nvacancy_days = -1\n", mentions=("sales_org.vacancy_days", "-1")
    ),
    "probability_above_one": Case(
        "[market.smb.buying_center]\nstalling_cio_probability = 1.5\n",
        mentions=("market.smb.buying_center.stalling_cio_probability", "1.5"),
    ),
    "empty_market": Case(
        "[market.smb]\naccounts = 0\n[market.mid_market]\naccounts = 0\n[market.f1000]\naccounts = 0\n",
        mentions=("market", "accounts"),
    ),
    "absurd_size": Case(
        "[market.smb]\naccounts = 1000000000\n",
        mentions=("market.smb.accounts",),
        pattern=f"{MAX_ACCOUNTS_PER_SEGMENT}|{MAX_ACCOUNTS_PER_SEGMENT:,}|{MAX_ACCOUNTS_PER_SEGMENT:_}",
    ),
    "too_many_buying_windows": Case(
        # Every field within its own limit, but together far more buying windows than a run can hold.
        "horizon_days = 10950\n[market.smb]\naccounts = 200000\nneed_interval_days = 30\n",
        mentions=("accounts",),
    ),
    "unknown_strategy_preset": Case(
        '[strategy]\npreset = "qualify-hardd"\n',
        mentions=("strategy.preset", "qualify-hardd", "did you mean", *PRESETS),
    ),
    "set_unknown_path": Case(
        GOOD_SCENARIO, args=("--set", "sales_org.repz=3"), mentions=("sales_org.repz", "did you mean")
    ),
    "set_without_equals": Case(
        GOOD_SCENARIO, args=("--set", "horizon_days"), mentions=("--set", "horizon_days"), names_file=False
    ),
    "missing_file": Case(None, mentions=("no such file",)),
    "unknown_mechanism": Case(
        "[mechanisms]\nturnovr = false\n", mentions=("mechanisms.turnovr", "did you mean", "'turnover'")
    ),
    "mechanism_not_a_switch": Case('[mechanisms]\nadoption = "maybe"\n', mentions=("mechanisms.adoption",)),
    "unknown_inbound_segment": Case(
        '[strategy]\ninbound_segments = ["smbb"]\n', mentions=("strategy.inbound_segments", "smbb")
    ),
    "negative_dark_after_days": Case(
        "[sales_org]\ndark_after_days = -3\n", mentions=("sales_org.dark_after_days", "-3")
    ),
    "negative_decision_slip": Case(
        "[buyer_response]\ndecision_slip_days = -1\n", mentions=("buyer_response.decision_slip_days", "-1")
    ),
    # Walk-away is one optional number of days; the old flag is refused with a line naming the new form.
    "retired_never_walk_away": Case(
        "[strategy]\nnever_walk_away = true\n", mentions=(*RETIRED_WALK_AWAY, "walk_away_days = N", '"never"')
    ),
    "set_retired_never_walk_away": Case(
        GOOD_SCENARIO,
        args=("--set", "strategy.walk_away_days=60", "--set", "strategy.never_walk_away=false"),
        mentions=RETIRED_WALK_AWAY,
    ),
    "walk_away_after_zero_days": Case(
        "[strategy]\nwalk_away_days = 0\n",
        mentions=("strategy.walk_away_days", "above 0", '"never"', "got 0"),
    ),
    "walk_away_after_negative_days": Case(
        "[strategy]\nwalk_away_days = -5\n", mentions=("strategy.walk_away_days", "above 0", "got -5")
    ),
}


@dataclass(frozen=True)
class Outcome:
    """What one CLI invocation did."""

    proc: subprocess.CompletedProcess[str]
    file_name: str
    out_dir: Path
    out_before: dict[str, str]


def _rewrite_schema_version(events_path: Path, version: str | None) -> None:
    """Store the log again with another schema version in its metadata (or none at all)."""
    table = pq.read_table(events_path)
    metadata = {k: v for k, v in (table.schema.metadata or {}).items() if k != b"salesim.schema_version"}
    if version is not None:
        metadata[b"salesim.schema_version"] = version.encode()
    pq.write_table(table.replace_schema_metadata(metadata), events_path)


def _tree_digest(root: Path) -> dict[str, str]:
    """Every path under ``root`` (or ``root`` itself, if a file) with a hash of its bytes."""
    if root.is_file():
        return {".": hashlib.sha256(root.read_bytes()).hexdigest()}
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        for p in sorted(root.rglob("*"))
    }


@pytest.fixture(scope="module")
def saved_run(small_run: LiveRun, tmp_path_factory: pytest.TempPathFactory) -> Path:
    result = RunResult(scenario=small_run.scenario, seed=small_run.seed, events=small_run.events)
    return save_run(result, tmp_path_factory.mktemp("saved") / "run")


@pytest.fixture(scope="module")
def old_schema_run(saved_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A complete run directory whose events.parquet says it was written under another schema version."""
    target = tmp_path_factory.mktemp("old-schema") / "run"
    shutil.copytree(saved_run, target)
    _rewrite_schema_version(target / "events.parquet", str(SCHEMA_VERSION + 1))
    return target


@pytest.fixture(scope="module")
def outcomes(
    tmp_path_factory: pytest.TempPathFactory, saved_run: Path, old_schema_run: Path
) -> dict[str, Outcome]:
    """Start every bad invocation at once; collect exit code and output of each."""
    root = tmp_path_factory.mktemp("bad-input")
    jobs: dict[str, tuple[list[str], str, Path]] = {}
    for name, case in RUN_CASES.items():
        scenario = root / f"{name}.toml"
        if case.toml is not None:
            scenario.write_text(case.toml)
        out = root / f"out-{name}"
        jobs[name] = (["run", str(scenario), *case.args, "--out", str(out)], scenario.name, out)
    not_a_run = root / "not-a-run"
    not_a_run.mkdir()
    (not_a_run / "notes.txt").write_text("hello")
    jobs["replay_not_a_run"] = (["replay", str(not_a_run)], not_a_run.name, root / "unused")
    jobs["replay_unknown_opportunity"] = (
        ["replay", str(saved_run), "--opportunity", "987654"],
        saved_run.name,
        root / "unused",
    )
    jobs["replay_other_schema_version"] = (
        ["replay", str(old_schema_run), "--opportunity", "0"],
        "events.parquet",
        root / "unused",
    )
    good = root / "good.toml"
    good.write_text(GOOD_SCENARIO)
    jobs["good_input"] = (["run", str(good), "--out", str(root / "out-good")], good.name, root / "out-good")
    precious = root / "precious"
    (precious / "sub").mkdir(parents=True)
    (precious / "results.csv").write_text("a,b\n1,2\n")
    (precious / "sub" / "events.parquet").write_bytes(b"not really parquet")
    jobs["out_exists_not_empty"] = (["run", str(good), "--out", str(precious)], precious.name, precious)
    a_file = root / "a-file"
    a_file.write_text("keep me")
    jobs["out_is_a_file"] = (["run", str(good), "--out", str(a_file)], a_file.name, a_file)
    workers = max(2, min(8, (os.cpu_count() or 2) * 2))
    before = {name: _tree_digest(out) for name, (_, _, out) in jobs.items()}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {name: pool.submit(run_cli, args, root) for name, (args, _, _) in jobs.items()}
        return {
            name: Outcome(futures[name].result(), file_name, out, before[name])
            for name, (_, file_name, out) in jobs.items()
        }


def assert_refused_cleanly(outcome: Outcome, mentions: tuple[str, ...], names_file: bool) -> str:
    """Exit 2, exactly one non-empty stderr line naming the file and the field, no traceback."""
    proc = outcome.proc
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    assert proc.returncode == 2, f"exit {proc.returncode}; stderr: {proc.stderr!r}"
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}: {proc.stderr!r}"
    assert proc.stderr.strip() == lines[0].strip(), proc.stderr
    line = lines[0]
    if names_file:
        assert outcome.file_name in line, f"{outcome.file_name!r} not named in: {line}"
    for word in mentions:
        assert word in line, f"{word!r} not in: {line}"
    return line


@pytest.mark.parametrize("name", list(RUN_CASES))
def test_bad_run_input_is_refused_with_one_line_and_no_output(
    name: str, outcomes: dict[str, Outcome]
) -> None:
    case, outcome = RUN_CASES[name], outcomes[name]
    line = assert_refused_cleanly(outcome, case.mentions, case.names_file)
    if case.pattern is not None:
        assert re.search(case.pattern, line), f"{case.pattern!r} not in: {line}"
    assert not outcome.out_dir.exists(), f"{outcome.out_dir} was left behind"


def test_replay_of_a_directory_that_is_not_a_run_is_refused(outcomes: dict[str, Outcome]) -> None:
    assert_refused_cleanly(outcomes["replay_not_a_run"], ("not",), names_file=True)


def test_replay_of_an_unknown_opportunity_is_refused(outcomes: dict[str, Outcome]) -> None:
    assert_refused_cleanly(outcomes["replay_unknown_opportunity"], ("987654",), names_file=True)


def test_replay_of_a_log_with_another_schema_version_is_refused(outcomes: dict[str, Outcome]) -> None:
    assert_refused_cleanly(
        outcomes["replay_other_schema_version"],
        ("schema version", str(SCHEMA_VERSION + 1), str(SCHEMA_VERSION)),
        names_file=True,
    )


def test_existing_non_empty_out_directory_is_refused_and_left_untouched(outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes["out_exists_not_empty"]
    assert_refused_cleanly(outcome, ("--out",), names_file=True)
    assert len(outcome.out_before) == 3
    assert _tree_digest(outcome.out_dir) == outcome.out_before


def test_out_path_that_is_a_file_is_refused_and_left_untouched(outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes["out_is_a_file"]
    assert_refused_cleanly(outcome, (), names_file=True)
    assert outcome.out_dir.read_text() == "keep me"


def test_good_input_runs(outcomes: dict[str, Outcome]) -> None:
    """The control case: the scenario most bad cases start from is itself fine."""
    outcome = outcomes["good_input"]
    assert outcome.proc.returncode == 0, outcome.proc.stderr
    assert (outcome.out_dir / "meta.json").exists()


# ------------------------------------------------------------------------------------------------------
# Stored logs of another schema version (Python API)
# ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", [str(SCHEMA_VERSION + 1), "0", None], ids=["newer", "older", "missing"])
def test_load_run_refuses_a_log_of_another_schema_version(
    saved_run: Path, tmp_path: Path, version: str | None
) -> None:
    run_dir = tmp_path / "run"
    shutil.copytree(saved_run, run_dir)
    _rewrite_schema_version(run_dir / "events.parquet", version)
    with pytest.raises(SchemaError) as caught:
        load_run(run_dir)
    message = str(caught.value)
    assert "\n" not in message
    assert str(run_dir / "events.parquet") in message
    assert "schema version" in message
    assert str(SCHEMA_VERSION) in message
    if version is not None:
        assert version in message


def test_load_run_reads_its_own_schema_version(saved_run: Path, small_run: LiveRun) -> None:
    """The control case: the untouched copy loads."""
    assert load_run(saved_run).events.equals(small_run.events)


# ------------------------------------------------------------------------------------------------------
# The parser, the filesystem, recursion, special and oversized files, long lines, markup, bounds
# ------------------------------------------------------------------------------------------------------

TINY_SETS = ("--set", "market.smb.accounts=30", "--set", "market.mid_market.accounts=0")
TINY_SETS += ("--set", "market.f1000.accounts=0", "--set", "horizon_days=60")
LONG_NAME = "n" * 300


@dataclass(frozen=True)
class Refusal:
    """A bad invocation: its arguments (``{root}`` is the case's folder), what its one line must mention."""

    args: tuple[str, ...]
    mentions: tuple[str, ...]
    left_alone: tuple[str, ...] = ()
    limit_file_size: bool = False


REFUSALS: dict[str, Refusal] = {
    "usage_missing_argument": Refusal(("run",), ("Missing argument", "salesim run --help")),
    "usage_bad_integer": Refusal(("run", "baseline", "--seed", "abc"), ("--seed", "integer")),
    "usage_unknown_command": Refusal(("nonsense",), ("No such command", "nonsense")),
    "usage_unknown_option": Refusal(("run", "baseline", "--bogus"), ("--bogus",)),
    "out_below_a_file": Refusal(
        ("run", "{root}/good.toml", "--out", "{root}/a-file/sub"), ("a-file", "Not a directory")
    ),
    "out_name_too_long": Refusal(
        ("run", "{root}/good.toml", "--out", f"{{root}}/made/for/it/{LONG_NAME}"),
        ("File name too long",),
        left_alone=("made",),
    ),
    "out_disk_full": Refusal(
        ("run", "{root}/good.toml", "--out", "{root}/new/run"),
        ("cannot write", "File too large"),
        left_alone=("new",),
        limit_file_size=True,
    ),
    "scenario_nested_too_deeply": Refusal(("run", "{root}/deep.toml"), ("deep.toml", "nested too deeply")),
    "set_nested_too_deeply": Refusal(
        ("run", "baseline", "--set", "name=" + "[" * 5000 + "]" * 5000), ("nested too deeply",)
    ),
    "scenario_is_a_pipe": Refusal(
        ("run", "{root}/pipe.toml"), ("pipe.toml", "named pipe", "not a regular file")
    ),
    "scenario_is_a_device": Refusal(("run", "/dev/zero"), ("/dev/zero", "character device")),
    "scenario_is_a_directory": Refusal(("run", "{root}/folder.toml"), ("folder.toml", "a directory")),
    "scenario_too_large": Refusal(("run", "{root}/huge.toml"), ("huge.toml", "1,048,576")),
    "scenario_with_folder_missing": Refusal(
        ("run", "scenarios/baseline.toml"), ("scenarios/baseline.toml", "no such file")
    ),
    "scenario_with_suffix_missing": Refusal(("run", "baseline.toml"), ("baseline.toml", "no such file")),
    "bare_name_unknown": Refusal(("run", "baselin"), ("baselin", "did you mean 'baseline'")),
    "long_line_is_cut": Refusal(("run", "baseline", "--set", "x" * 5000 + "=1"), ("unknown field",)),
    "replications_bound": Refusal(
        ("compare", "baseline", "--strategies", "numbers-game", "--replications", "10001"),
        ("--replications 10001", "10,000"),
    ),
    "workers_bound": Refusal(
        ("compare", "baseline", "--strategies", "numbers-game", "--workers", "257"), ("--workers 257", "256")
    ),
    "demo_replications_bound": Refusal(("demo", "--replications", "20000"), ("--replications", "10,000")),
    "horizon_bound": Refusal(("run", "baseline", "--set", "horizon_days=99999"), ("horizon_days", "10950")),
    "accounts_bound": Refusal(
        ("run", "baseline", "--set", "market.smb.accounts=300000"), ("market.smb.accounts", "200000")
    ),
    "meta_nested_too_deeply": Refusal(("replay", "{root}/deep-run"), ("meta.json", "nested too deeply")),
    "arm_retired_never_walk_away": Refusal(
        (
            "compare",
            "{root}/good.toml",
            *("--arm", "c=numbers-game", "--arm", "w=qualify-hard:strategy.never_walk_away=true"),
            *("--workers", "1", "--out", "{root}/cmp"),
        ),
        ("--arm w", *RETIRED_WALK_AWAY),
    ),
    "experiment_retired_never_walk_away": Refusal(
        ("experiment", "run", "{root}/old-walk.toml", "--workers", "1", "--out", "{root}/exp"),
        ("old-walk.toml", "levers[0] (walk)", *RETIRED_WALK_AWAY),
    ),
}

OLD_WALK_EXPERIMENT = """name = "walk-away, spelt the old way"
[[levers]]
name = "walk"
path = "strategy.walk_away_days"
values = [30, 60]
also = ["strategy.never_walk_away=false"]
"""


def _limit_file_size() -> None:
    import resource

    # Python ignores SIGXFSZ, so a write past the limit fails with EFBIG, as a full disk fails with ENOSPC.
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


@pytest.fixture(scope="module")
def refusals(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, tuple[subprocess.CompletedProcess[str], Path]]:
    """Every refusal case in its own folder, all started at once."""
    root = tmp_path_factory.mktemp("refusals")
    jobs = {}
    for name, case in REFUSALS.items():
        folder = root / name
        folder.mkdir()
        (folder / "good.toml").write_text(GOOD_SCENARIO)
        (folder / "a-file").write_text("keep me")
        (folder / "deep.toml").write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
        (folder / "huge.toml").write_text("# padding\n" * 120_000)
        (folder / "folder.toml").mkdir()
        os.mkfifo(folder / "pipe.toml")
        (folder / "deep-run").mkdir()
        (folder / "deep-run" / "meta.json").write_text("[" * 100_000 + "]" * 100_000)
        (folder / "old-walk.toml").write_text(OLD_WALK_EXPERIMENT)
        args = [a.replace("{root}", str(folder)) for a in case.args]
        jobs[name] = (args, folder, case.limit_file_size)

    def start(args: list[str], folder: Path, limit: bool) -> subprocess.CompletedProcess[str]:
        return run_cli(args, folder, preexec_fn=_limit_file_size if limit else None)

    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {name: pool.submit(start, *job) for name, job in jobs.items()}
        return {name: (futures[name].result(), jobs[name][1]) for name in jobs}


BEFORE = {
    "good.toml",
    "a-file",
    "deep.toml",
    "huge.toml",
    "folder.toml",
    "pipe.toml",
    "deep-run",
    "old-walk.toml",
}


@pytest.mark.parametrize("name", list(REFUSALS))
def test_every_kind_of_bad_input_is_one_bounded_line_and_exit_2(
    name: str, refusals: dict[str, tuple[subprocess.CompletedProcess[str], Path]]
) -> None:
    proc, folder = refusals[name]
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    assert proc.returncode == 2, f"exit {proc.returncode}; stderr: {proc.stderr!r}"
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ") and len(lines[0]) <= 500, lines[0]
    assert not any(box in proc.stderr for box in "╭│╰"), "the parser's boxed usage error leaked through"
    for word in REFUSALS[name].mentions:
        assert word in lines[0], f"{word!r} not in: {lines[0]}"
    assert {p.name for p in folder.iterdir()} == BEFORE, "something was left behind"
    assert (folder / "a-file").read_text() == "keep me"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_an_output_folder_without_write_permission_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "good.toml").write_text(GOOD_SCENARIO)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        proc = run_cli(["run", "good.toml", "--out", str(locked / "run")], cwd=tmp_path)
    finally:
        locked.chmod(0o700)
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 2 and len(lines) == 1 and "Permission denied" in lines[0], proc.stderr
    assert list(locked.iterdir()) == []


@pytest.mark.parametrize("command", ["run", "compare"])
def test_a_scenario_name_with_markup_is_printed_as_text(tmp_path: Path, command: str) -> None:
    args = [command, "baseline", *TINY_SETS, "--set", 'name="x[/]y [bold]z"', "--out", str(tmp_path / "out")]
    if command == "compare":
        args += ["--strategies", "numbers-game,qualify-hard", "--replications", "1", "--workers", "1"]
    proc = run_cli(args, cwd=tmp_path, env={"COLUMNS": "200"})
    assert proc.returncode == 0, proc.stderr
    assert "x[/]y [bold]z" in proc.stdout


def test_terminal_escape_codes_in_a_scenario_name_are_shown_not_obeyed(tmp_path: Path) -> None:
    args = ["run", "baseline", *TINY_SETS, "--set", 'name="a\\u001b[31mred"', "--out", str(tmp_path / "out")]
    proc = run_cli(args, cwd=tmp_path, env={"COLUMNS": "200"})
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stdout
    assert "a\\x1b[31mred" in proc.stdout


def test_a_bare_shipped_name_still_means_the_shipped_scenario(tmp_path: Path) -> None:
    proc = run_cli(["run", "baseline", *TINY_SETS, "--out", str(tmp_path / "out")], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert load_run(tmp_path / "out").scenario.name == "baseline"
