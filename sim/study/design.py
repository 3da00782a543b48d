"""Design points: the uncertainties sampled by the experiment's design, crossed with every lever combination.

Point ``u × L + l`` is uncertainty sample *u* under lever combination *l* (of *L*). Every point runs the same
replications on the same seeds (:func:`sim.core.rng.replication_seeds`), and market draws are keyed by
account, so two points differ by their factors, not by their dice: a lever's effect is estimated paired,
uncertainty sample by uncertainty sample.

Sampled designs come from SALib, the field's library: Latin hypercube (``SALib.sample.latin``), Morris
trajectories (``SALib.sample.morris``) and Sobol' sequences for Saltelli's estimators (``SALib.sample.sobol``,
first-order and total indices). A factor with listed values is sampled as an index over ``[0, k)``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.study.spec import Experiment, Factor, Scalar


@dataclass(frozen=True, slots=True)
class DesignPoint:
    """One combination of factor values: what it is called in tables, and the overrides that make it."""

    point: int
    uncertainty_point: int
    lever_point: int
    labels: dict[str, Scalar]
    overrides: tuple[str, ...]


@dataclass(frozen=True)
class Design:
    """Every point of an experiment, and the uncertainty samples in the form SALib analyses them."""

    points: list[DesignPoint]
    uncertainty_points: int
    lever_points: int
    problem: dict[str, Any]
    samples: np.ndarray
    """One row per uncertainty sample, one column per uncertainty: the value, or the index of a listed one."""


def salib_problem(factors: list[Factor]) -> dict[str, Any]:
    """SALib's problem: names and bounds (a listed factor's bounds are its indexes, [0, k])."""
    return {
        "num_vars": len(factors),
        "names": [f.name for f in factors],
        "bounds": [
            list(f.range) if f.range is not None and f.levels is None else [0.0, float(len(f.labels()))]
            for f in factors
        ],
    }


def _label(factor: Factor, x: float) -> Scalar:
    """The factor's value at a sampled coordinate ``x`` (a value of its range, or an index into its list)."""
    if factor.range is not None and factor.levels is None:
        return factor.at(x)
    labels = factor.labels()
    return labels[min(int(x), len(labels) - 1)]


def sample_uncertainties(spec: Experiment) -> np.ndarray:
    """The uncertainty samples, one row each (for a full factorial: every combination, by index)."""
    factors = spec.uncertainties
    design = spec.design
    if not factors:
        return np.zeros((1, 0))
    if design.kind == "full_factorial":
        grids = [range(len(f.labels())) for f in factors]
        return np.array(list(itertools.product(*grids)), dtype=float)
    problem = salib_problem(factors)
    seed = spec.seed % 2**32 if design.seed is None else design.seed
    n = int(design.samples or 1)
    if design.kind == "latin_hypercube":
        from SALib.sample import latin

        return np.asarray(latin.sample(problem, n, seed=seed))
    if design.kind == "morris":
        from SALib.sample import morris

        return np.asarray(morris.sample(problem, n, num_levels=design.levels, seed=seed))
    from SALib.sample import sobol

    return np.asarray(sobol.sample(problem, n, calc_second_order=False, scramble=True, seed=seed))


def build_design(spec: Experiment) -> Design:
    """Every design point of an experiment, in a fixed order (the same file gives the same points)."""
    samples = sample_uncertainties(spec)
    full = spec.design.kind == "full_factorial"
    uncertainty_labels = [
        {
            f.name: (f.labels()[int(x)] if full else _label(f, float(x)))
            for f, x in zip(spec.uncertainties, row, strict=True)
        }
        for row in samples
    ]
    lever_labels = [
        dict(zip([f.name for f in spec.levers], combo, strict=True))
        for combo in itertools.product(*[f.labels() for f in spec.levers])
    ]
    by_name = {f.name: f for f in (*spec.uncertainties, *spec.levers)}
    points: list[DesignPoint] = []
    for u, market in enumerate(uncertainty_labels):
        for lever, choice in enumerate(lever_labels):
            labels = {**market, **choice}
            overrides = tuple(o for name, label in labels.items() for o in by_name[name].overrides(label))
            points.append(DesignPoint(len(points), u, lever, labels, overrides))
    problem = (
        salib_problem(spec.uncertainties) if not full else {"names": [f.name for f in spec.uncertainties]}
    )
    return Design(points, len(uncertainty_labels), len(lever_labels), problem, samples)
