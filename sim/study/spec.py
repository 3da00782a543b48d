"""Experiment files: a base scenario, uncertainties (the market) and levers (the strategy), a design, replications.

An experiment file is data, validated like a scenario file: TOML read with ``tomllib``, checked by frozen
pydantic models with ``extra="forbid"``, every problem one line naming the file and the field path. Each
factor value is also laid over the base scenario and validated there, so ``walk_away_days = -5`` is refused
with the scenario's own words before any run starts.

Two kinds of factor, as in robust decision making (EMA workbench's *uncertainties* and *levers*):

- **uncertainties** describe the market, which nobody chooses: the design samples them (full factorial, Latin
  hypercube, Morris or Sobol/Saltelli), and sensitivity indices are computed over them;
- **levers** describe the sales organisation's choices: every combination of lever values is crossed with
  every sample of the uncertainties, on the same seeds, so levers are compared paired, point by point.

A factor sets one scenario field (``path``) to each of its ``values``, or across a ``range``; or it names
``options``, each a list of ``dotted.path=value`` overrides (a segment mix, "SMB market only"). ``also``
overrides apply whenever the factor is set (``strategy.qualification_test=true`` beside
``qualification_threshold``). The level of ``strategy.walk_away_days`` that never walks away is the word
``"never"`` (``values = ["never", 60, 90]``), as everywhere else.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, ValidationError, field_validator, model_validator

from sim.config import ScenarioError, apply_overrides, load_scenario, read_toml, scenario_from_mapping
from sim.config.load import describe_validation_error
from sim.config.schema import Model

MAX_RUNS = 1_000_000
"""The most runs one experiment holds (design points × replications)."""

MAX_REPLICATIONS = 10_000
"""The most replications per design point."""

MAX_SAMPLES = 100_000
"""The largest ``design.samples``."""

SHIPPED_EXPERIMENTS = Path(__file__).parent.parent / "experiments"

FACTOR_NAME = r"^[a-z][a-z0-9_]{0,39}$"
"""A factor's name: it becomes a column of every result table."""

RESERVED_COLUMNS = frozenset(
    {"point", "uncertainty_point", "lever_point", "replication", "seed", "status", "error", "attempt"}
    | {"events", "events_sha256", "metric", "mean", "n", "of", "ci_low", "ci_high", "half_width"}
)
"""Column names of result tables that a factor may not take."""

DEFAULT_METRICS = (
    "revenue",
    "deals_won",
    "win_rate",
    "no_decision_rate",
    "wasted_hours",
    "wasted_share",
    "idle_share",
    "utilisation",
    "share_making_quota",
    "hours_per_won_dollar",
)
"""Figures an experiment keeps when its file names none."""

Scalar = float | int | str | bool


class Factor(Model):
    """One axis of the design: a scenario field and its values or range, or named sets of overrides."""

    name: str = Field(pattern=FACTOR_NAME, description="Column name of the factor in every result table.")
    path: str | None = Field(None, description="Dotted scenario field the factor sets (not with options).")
    values: list[Scalar] | None = Field(None, min_length=1, max_length=1000, description="Values to try.")
    range: tuple[float, float] | None = Field(None, description="[low, high] for sampled designs.")
    levels: int | None = Field(
        None, ge=2, le=1000, description="A range on a full factorial: this many evenly spaced values."
    )
    integer: bool = Field(False, description="Round sampled values of a range to whole numbers.")
    options: dict[str, list[str]] | None = Field(
        None, min_length=1, max_length=1000, description="Named settings, each a list of overrides."
    )
    also: list[str] = Field(default_factory=list, description="Overrides applied whenever the factor is set.")

    @model_validator(mode="after")
    def _one_way(self) -> Factor:
        given = [k for k in ("values", "range", "options") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of values, range or options")
        if self.options is None and not self.path:
            raise ValueError("path is required with values or range (the scenario field the factor sets)")
        if self.options is not None and self.path:
            raise ValueError("path goes with values or range; options carry their own overrides")
        if self.range is not None and not self.range[0] < self.range[1]:
            raise ValueError(f"range must be [low, high] with low < high (got {list(self.range)})")
        if self.levels is not None and self.range is None:
            raise ValueError("levels goes with range")
        if self.values is not None and len({json.dumps(v) for v in self.values}) != len(self.values):
            raise ValueError("a value is listed twice")
        return self

    @property
    def discrete(self) -> bool:
        """Whether the factor takes listed values (values, options, or a range with levels)."""
        return self.range is None or self.levels is not None

    def labels(self) -> list[Scalar]:
        """The factor's discrete values, as they appear in result tables."""
        if self.options is not None:
            return list(self.options)
        if self.values is not None:
            return list(self.values)
        assert self.range is not None and self.levels is not None
        low, high = self.range
        step = (high - low) / (self.levels - 1)
        return [self.at(low + i * step) for i in range(self.levels)]

    def at(self, value: float) -> Scalar:
        """A sampled value of a range, rounded when the factor is whole-numbered."""
        return round(value) if self.integer else float(value)

    def overrides(self, label: Scalar) -> list[str]:
        """The ``dotted.path=value`` overrides that set the factor to ``label``."""
        if self.options is not None:
            return [*self.options[str(label)], *self.also]
        return [f"{self.path}={toml_literal(label)}", *self.also]


def toml_literal(value: Scalar) -> str:
    """A value as a TOML literal for an override (strings quoted, booleans lower-case)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    return repr(value)


DesignKind = Literal["full_factorial", "latin_hypercube", "morris", "sobol"]


class Design(Model):
    """How the uncertainties are sampled (levers are always crossed in full)."""

    kind: DesignKind = Field(
        "full_factorial", description="full_factorial, latin_hypercube, morris or sobol."
    )
    samples: int | None = Field(
        None,
        ge=1,
        le=MAX_SAMPLES,
        description="latin_hypercube: points; morris: trajectories; sobol: base sample N (a power of two).",
    )
    levels: int = Field(4, ge=2, le=20, description="morris: grid levels of each uncertainty.")
    seed: int | None = Field(
        None, ge=0, le=2**32 - 1, description="Seed of the sampling (default: the experiment's)."
    )

    @model_validator(mode="after")
    def _samples(self) -> Design:
        if self.kind != "full_factorial" and self.samples is None:
            raise ValueError(f"samples is required for a {self.kind} design")
        if self.kind == "full_factorial" and self.samples is not None:
            raise ValueError("a full_factorial design takes no samples (every combination runs)")
        if self.kind == "sobol" and self.samples is not None and self.samples & (self.samples - 1):
            raise ValueError(f"a sobol design needs samples a power of two (got {self.samples})")
        return self


class Experiment(Model):
    """An experiment file: base scenario, factors, design, replications, seed, the figures to keep."""

    name: str = Field(min_length=1, max_length=120, description="Short name, shown in tables and reports.")
    question: str = Field("", max_length=2000, description="The question the experiment answers.")
    scenario: str = Field(
        "baseline", description="Base scenario: a shipped name, or a file relative to this experiment file."
    )
    overrides: list[str] = Field(
        default_factory=list, alias="set", description="dotted.path=value overrides of the base scenario."
    )
    replications: int = Field(10, ge=1, le=MAX_REPLICATIONS, description="Replications per design point.")
    seed: int = Field(
        2026, ge=0, le=2**63 - 1, description="Root seed: replication r has the same seed everywhere."
    )
    metrics: list[str] = Field(
        default_factory=lambda: list(DEFAULT_METRICS), min_length=1, description="Summary figures to keep."
    )
    keep_events: bool = Field(False, description="Also keep each run's event log (a run directory per run).")
    design: Design = Field(default_factory=lambda: Design())
    uncertainties: Annotated[list[Factor], Field(max_length=50)] = Field(
        default_factory=list, description="Market factors the design samples."
    )
    levers: Annotated[list[Factor], Field(max_length=20)] = Field(
        default_factory=list, description="Strategy settings crossed in full with every uncertainty sample."
    )

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, populate_by_name=True)

    @field_validator("metrics")
    @classmethod
    def _known_metrics(cls, value: list[str]) -> list[str]:
        known = known_figures()
        for name in value:
            if name not in known:
                from sim.config import did_you_mean

                raise ValueError(
                    f"unknown figure {name!r}{did_you_mean(name, known)}; see `salesim run`'s summary"
                )
        if len(set(value)) != len(value):
            raise ValueError("a figure is listed twice")
        return value

    @model_validator(mode="after")
    def _factors(self) -> Experiment:
        names = [f.name for f in (*self.uncertainties, *self.levers)]
        for name in names:
            if names.count(name) > 1:
                raise ValueError(f"two factors are named {name!r}")
            if name in RESERVED_COLUMNS or name in self.metrics:
                raise ValueError(f"factor name {name!r} is taken by a result column; choose another")
        sampled = self.design.kind != "full_factorial"
        for where, factor in (("uncertainties", f) for f in self.uncertainties):
            if not sampled and not factor.discrete:
                raise ValueError(f"{where}.{factor.name}: a range on a full_factorial design needs levels")
        for lever in self.levers:
            if not lever.discrete:
                raise ValueError(
                    f"levers.{lever.name}: levers take values or options (or a range with levels)"
                )
        if sampled and not self.uncertainties:
            raise ValueError(f"a {self.design.kind} design samples uncertainties; list at least one")
        return self

    def digest(self) -> str:
        """SHA-256 of the validated experiment (not of the file's bytes: comments and spacing do not count)."""
        text = json.dumps(self.model_dump(mode="json", by_alias=True), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()


def known_figures() -> list[str]:
    """Every figure of a run's summary, per-segment ones included (what ``metrics`` may name)."""
    from sim.config.schema import SEGMENTS
    from sim.metrics.summary import FIGURES, SEGMENT_FIGURES

    return [*FIGURES, *(f"{figure}_{segment}" for figure in SEGMENT_FIGURES for segment in SEGMENTS)]


def shipped_experiment_names() -> list[str]:
    """Names of the experiments that ship with salesim."""
    return sorted(p.stem for p in SHIPPED_EXPERIMENTS.glob("*.toml"))


def resolve_experiment_path(path: str | Path) -> Path:
    """The file an experiment argument names: a file that exists, or the name of a shipped experiment."""
    p = Path(path)
    if p.is_file():
        return p
    bare = len(p.parts) == 1 and p.suffix != ".toml"
    if bare and (SHIPPED_EXPERIMENTS / f"{p.name}.toml").is_file():
        return SHIPPED_EXPERIMENTS / f"{p.name}.toml"
    if p.exists():
        return p
    if bare:
        from sim.config import did_you_mean

        names = shipped_experiment_names()
        raise ScenarioError(
            f"{p}: no such file, and no shipped experiment of that name{did_you_mean(p.name, names)}; "
            f"shipped: {', '.join(names)}"
        )
    raise ScenarioError(f"{p}: no such file")


_PATH = re.compile(r"^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)*$")


def _check_override_shape(text: str, where: str) -> None:
    if "=" not in text or not _PATH.match(text.split("=", 1)[0].strip()):
        raise ScenarioError(f"{where}: {text!r}: expected dotted.path=value")


@dataclass(frozen=True)
class LoadedExperiment:
    """A validated experiment with its base scenario resolved (as a mapping every run starts from)."""

    experiment: Experiment
    source: str
    base: dict[str, Any]
    asked: dict[str, Any] = field(default_factory=lambda: {"replications": None, "set": []})
    """What the command line asked beyond the file: ``--replications`` (None: the file's) and ``--set``."""


def check_replications(replications: object) -> int:
    """A ``--replications`` count: a whole number from 1 to ``MAX_REPLICATIONS`` (a one-line error else)."""
    if isinstance(replications, bool) or not isinstance(replications, int):
        raise ScenarioError(f"--replications {replications!r}: must be a whole number")
    if not 1 <= replications <= MAX_REPLICATIONS:
        raise ScenarioError(f"--replications {replications}: must be from 1 to {MAX_REPLICATIONS:,}")
    return replications


def load_experiment(
    path: str | Path, replications: int | None = None, overrides: Sequence[str] = ()
) -> LoadedExperiment:
    """Read, validate and check an experiment file against its base scenario; one-line errors.

    ``replications`` replaces the file's count; ``overrides`` (``dotted.path=value``, as ``salesim run
    --set``) are applied to the experiment's base scenario after the file's own ``set``.
    """
    if replications is not None:
        check_replications(replications)
    extra = [str(o) for o in overrides]
    for text in extra:
        _check_override_shape(text, "--set")
    p = resolve_experiment_path(path)
    raw = read_toml(p)
    if extra:
        own = raw.get("set", [])
        raw = {**raw, "set": [*own, *extra] if isinstance(own, list) else own}
    if replications is not None:
        raw = {**raw, "replications": replications}
    loaded = experiment_from_mapping(raw, str(path), p.parent)
    return LoadedExperiment(
        loaded.experiment,
        loaded.source,
        loaded.base,
        {
            "replications": loaded.experiment.replications if replications is None else replications,
            "set": extra,
        },
    )


def experiment_from_mapping(raw: dict[str, Any], source: str, folder: Path = Path(".")) -> LoadedExperiment:
    """Validate a raw experiment mapping (from a file at ``source`` in ``folder``)."""
    try:
        spec = Experiment.model_validate(raw)
    except ValidationError as error:
        raise ScenarioError(describe_validation_error(error, source, Experiment)) from None
    scenario_arg = spec.scenario
    bare = "/" not in scenario_arg and not scenario_arg.endswith(".toml")
    try:
        base = load_scenario(scenario_arg if bare else folder / scenario_arg, spec.overrides)
    except ScenarioError as exc:
        raise ScenarioError(f"{source}: scenario: {exc}") from None
    mapping = base.model_dump(mode="json", exclude_none=True)
    for group, factors in (("uncertainties", spec.uncertainties), ("levers", spec.levers)):
        for i, factor in enumerate(factors):
            where = f"{source}: {group}[{i}] ({factor.name})"
            for text in [*(o for opts in (factor.options or {}).values() for o in opts), *factor.also]:
                _check_override_shape(text, where)
            trial: list[Scalar] = (
                [factor.at(factor.range[0]), factor.at(factor.range[1])]
                if factor.range is not None and factor.levels is None
                else factor.labels()
            )
            for label in trial:
                try:
                    scenario_from_mapping(
                        apply_overrides(mapping, factor.overrides(label), flag=where), where
                    )
                except ScenarioError as exc:
                    raise ScenarioError(f"{exc} (at {factor.name} = {label!r})") from None
    return LoadedExperiment(experiment=spec, source=source, base=mapping)
