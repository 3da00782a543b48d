"""Generated docs cannot drift: docs/events.md is the registry rendered, and the registry fits a real log."""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_args, get_type_hints

import polars as pl
import pytest

import sim
from sim.config import NEVER, Scenario, StrategyConfig, load_scenario
from sim.core.events import ID_COLUMNS, KINDS, PAYLOAD_COLUMNS, SCHEMA
from sim.model.strategy import PRESETS, policy_as_dict
from sim.tools.docs import NO_DESCRIPTION, column_descriptions, events_markdown

EVENTS_PAGE = Path(__file__).resolve().parents[1] / "docs" / "events.md"


@pytest.fixture(scope="module")
def baseline_log() -> pl.DataFrame:
    """One year of the shipped baseline, the log every check below reads."""
    return sim.run(load_scenario("baseline", ["horizon_days=365"]), seed=1).events


def test_events_page_equals_the_rendered_registry() -> None:
    assert EVENTS_PAGE.read_text(encoding="utf-8") == events_markdown(), (
        "docs/events.md is stale: regenerate it with `python -m sim.tools.docs > docs/events.md`"
    )


def test_every_log_column_has_a_meaning() -> None:
    descriptions = column_descriptions()
    assert list(descriptions) == list(SCHEMA)
    undescribed = [column for column, meaning in descriptions.items() if meaning == NO_DESCRIPTION]
    assert not undescribed, f"columns without a comment in sim/events.py: {undescribed}"


def test_every_documented_field_is_a_log_column() -> None:
    columns = set(ID_COLUMNS) | set(PAYLOAD_COLUMNS)
    unknown = {name: set(kind.fields) - columns for name, kind in KINDS.items() if set(kind.fields) - columns}
    assert not unknown


COLUMN_TYPES: dict[type[pl.DataType], type] = {pl.String: str, pl.Float64: float, pl.Int64: int}


def test_every_declared_field_is_a_column_of_its_type() -> None:
    """A kind's field is a log column, and the type it declares is the column's (None allowed): a field
    declared `float` cannot land in an Int64 column, nor a new name in no column at all."""
    wrong: dict[str, str] = {}
    for name, kind in KINDS.items():
        for field, hint in get_type_hints(kind).items():
            if field not in kind.fields:
                continue  # a ClassVar of the base
            column = {**ID_COLUMNS, **PAYLOAD_COLUMNS}.get(field)
            declared = {t for t in get_args(hint) or (hint,) if t is not type(None)}
            if column is None or declared != {COLUMN_TYPES[column]}:
                wrong[f"{name}.{field}"] = f"{hint} vs column {column}"
    assert wrong == {}
    assert all(kind.when and kind.emitted_by for kind in KINDS.values())


def test_every_kind_in_a_baseline_run_is_documented(baseline_log: pl.DataFrame) -> None:
    seen = set(baseline_log["kind"].unique().to_list())
    assert "RunEnded" in seen
    assert seen - set(KINDS) == set()


def test_every_filled_column_is_a_documented_field(baseline_log: pl.DataFrame) -> None:
    columns = [*ID_COLUMNS, *PAYLOAD_COLUMNS]
    filled = (
        baseline_log.group_by("kind")
        .agg(pl.col(c).is_not_null().any() for c in columns)
        .sort("kind")
        .iter_rows(named=True)
    )
    undocumented = {
        row["kind"]: sorted(c for c in columns if row[c] and c not in KINDS[row["kind"]].fields)
        for row in filled
    }
    assert {kind: cols for kind, cols in undocumented.items() if cols} == {}


DOCS = Path(__file__).resolve().parents[1] / "docs"
CALIBRATION_PAGE = DOCS / "calibration.md"
PARAMETER_PAGES = ("calibration.md", "model.md")
"""Pages whose parameter tables state defaults; each row is checked against the code."""
SEGMENTS = ("smb", "mid_market", "f1000")


def _fmt(value: Any) -> str:
    """A default as the calibration tables print it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:g}"
    if isinstance(value, dict):
        return ", ".join(f"{k} {_fmt(v)}" for k, v in value.items())
    return "–" if value is None else str(value)


def _lookup(data: dict[str, Any], path: str) -> Any:
    node: Any = data
    for key in path.split("."):
        node = node[key]
    return node


def _parameter_rows(page: str) -> list[list[str]]:
    """Table rows whose first cell is a backticked parameter path, split into cells."""
    return [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in page.splitlines()
        if line.startswith("| `")
    ]


@pytest.mark.parametrize("page", PARAMETER_PAGES)
def test_parameter_tables_state_the_defaults_of_the_code(page: str) -> None:
    defaults = Scenario().model_dump(mode="json")
    presets = {name: policy_as_dict(policy) for name, policy in PRESETS.items()}
    preset_columns = list(PRESETS)
    wrong: dict[str, tuple[list[str], list[str]]] = {}
    for cells in _parameter_rows((DOCS / page).read_text(encoding="utf-8")):
        path = cells[0].strip("`")
        try:
            expected, stated = _expected_and_stated(path, cells, defaults, presets, preset_columns)
        except KeyError:
            wrong[path] = (cells[1:], ["(not a parameter of sim.config)"])
            continue
        if stated != expected:
            wrong[path] = (stated, expected)
    assert wrong == {}, f"docs/{page} (stated, code) differ: {wrong}"


def _expected_and_stated(
    path: str,
    cells: list[str],
    defaults: dict[str, Any],
    presets: dict[str, dict[str, Any]],
    preset_columns: list[str],
) -> tuple[list[str], list[str]]:
    """The defaults a table row should state (from the code) and what it states."""
    if path.startswith("market.<segment>."):
        rest = path.removeprefix("market.<segment>.")
        expected = [_fmt(_lookup(defaults, f"market.{seg}.{rest}")) for seg in SEGMENTS]
        stated = cells[1:4]
    elif path.startswith("strategy."):
        field = path.removeprefix("strategy.")
        values = [presets[name][field] for name in preset_columns]
        if field == "walk_away_days":  # no period: the preset never walks away, written as a file writes it
            values = [NEVER if v is None else v for v in values]
        expected = [_fmt(v) for v in values]
        stated = cells[1 : 1 + len(preset_columns)]
    else:
        expected, stated = [_fmt(_lookup(defaults, path))], cells[1:2]
    return expected, stated


def test_calibration_page_covers_every_parameter() -> None:
    rows = {cells[0].strip("`") for cells in _parameter_rows(CALIBRATION_PAGE.read_text(encoding="utf-8"))}
    defaults = Scenario().model_dump(mode="json")
    expected = {f"market.<segment>.{p}" for p in _paths(defaults["market"]["smb"])}
    expected |= {
        f"{section}.{p}" for section in ("buyer_response", "reputation") for p in _paths(defaults[section])
    }
    expected |= {f"sales_org.{p}" for p in _paths(defaults["sales_org"])}
    expected |= {f"strategy.{name}" for name in StrategyConfig.model_fields if name != "preset"}
    expected |= {"horizon_days", "seed"}
    assert expected - rows == set()


def _paths(section: dict[str, Any]) -> list[str]:
    """Parameter paths of a section; a group of plain values (a range, a mix, stage hours) is one row."""
    out = []
    for key, value in section.items():
        if isinstance(value, dict) and any(isinstance(v, dict) for v in value.values()):
            out += [f"{key}.{p}" for p in _paths(value)]
        else:
            out.append(key)
    return out
