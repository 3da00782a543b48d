"""The scenario: its schema, calibrated segment defaults, strategy presets, and loading and writing files.

Import from here; the modules are layered so that nothing in the package imports upward, and nothing in it
imports the model, the engine or anything downstream of the log:

- :mod:`~sim.config.errors`: :class:`ScenarioError` and the "did you mean" hint;
- :mod:`~sim.config.schema`: value types, limits and the section models;
- :mod:`~sim.config.segments`: the calibrated SMB, mid-market and Fortune 1000 defaults, and the market section;
- :mod:`~sim.config.presets`: the strategy presets as data, and the strategy section that names one;
- :mod:`~sim.config.scenario`: the whole :class:`Scenario`, and the limit on the market's size;
- :mod:`~sim.config.load`: reading TOML, ``--set`` overrides, one-line errors;
- :mod:`~sim.config.toml_write`: writing a resolved scenario back to TOML.
"""

from sim.config.errors import ScenarioError, did_you_mean
from sim.config.load import (
    MAX_SCENARIO_BYTES,
    apply_overrides,
    describe_validation_error,
    load_scenario,
    parse_override,
    read_regular_file,
    read_toml,
    resolve_scenario_path,
    scenario_from_mapping,
    shipped_scenario_names,
)
from sim.config.presets import NEVER, PRESETS, Policy, StrategyConfig
from sim.config.scenario import MAX_BUYING_WINDOWS, Scenario, windows_per_account
from sim.config.schema import (
    MAX_ACCOUNTS_PER_SEGMENT,
    MAX_HORIZON_DAYS,
    MAX_REPS,
    SEGMENTS,
    TITLES,
    BudgetMix,
    BuyerResponse,
    BuyingCenterConfig,
    Days,
    Hours,
    IntRange,
    LogNormal,
    Model,
    PainMix,
    Probability,
    ProcurementConfig,
    ReputationConfig,
    SalesOrgConfig,
    SegmentConfig,
    SegmentMix,
    StageHours,
    Title,
    TitleMix,
    Weight,
)
from sim.config.segments import Segments, deep_merge, f1000_defaults, mid_market_defaults, smb_defaults
from sim.config.toml_write import scenario_to_toml

__all__ = [
    "MAX_ACCOUNTS_PER_SEGMENT",
    "MAX_BUYING_WINDOWS",
    "MAX_HORIZON_DAYS",
    "MAX_REPS",
    "MAX_SCENARIO_BYTES",
    "NEVER",
    "PRESETS",
    "SEGMENTS",
    "TITLES",
    "BudgetMix",
    "BuyerResponse",
    "BuyingCenterConfig",
    "Days",
    "Hours",
    "IntRange",
    "LogNormal",
    "Model",
    "PainMix",
    "Policy",
    "Probability",
    "ProcurementConfig",
    "ReputationConfig",
    "SalesOrgConfig",
    "Scenario",
    "ScenarioError",
    "SegmentConfig",
    "SegmentMix",
    "Segments",
    "StageHours",
    "StrategyConfig",
    "Title",
    "TitleMix",
    "Weight",
    "apply_overrides",
    "deep_merge",
    "describe_validation_error",
    "did_you_mean",
    "f1000_defaults",
    "load_scenario",
    "mid_market_defaults",
    "parse_override",
    "read_regular_file",
    "read_toml",
    "resolve_scenario_path",
    "scenario_from_mapping",
    "scenario_to_toml",
    "shipped_scenario_names",
    "smb_defaults",
    "windows_per_account",
]
