"""Named random streams spawned from one root seed, one per purpose and one per actor.

Common random numbers are the point: two strategies run on the same seed must see the same market, so the
market is drawn from its own stream, and each account and each rep draws from a stream keyed by its own id.
What an account draws therefore does not depend on the order in which a strategy happened to visit it.

The market is drawn in one vectorised pass from a numpy ``Generator``; actors draw scalars from
:class:`Stream`, a counter-based SplitMix64 sequence, because a numpy draw (or a ``Generator`` per actor)
costs far more than a SimPy step.
"""

from __future__ import annotations

import bisect
import itertools

import numpy as np

#: Stream purposes. Appending is safe; renumbering changes every log.
MARKET = 1
ACCOUNT = 2
REP = 3
ORG = 4

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_TO_UNIT = 2.0**-53


def replication_seeds(root: int, replications: int) -> list[int]:
    """One seed per replication, spawned from the root seed (the same for every arm and design point).

    ``SeedSequence.spawn`` numbers its children, so the first *k* seeds of *n* replications are the seeds of
    *k*: adding replications later keeps the earlier ones.
    """
    return [
        int(s.generate_state(1, dtype=np.uint32)[0]) for s in np.random.SeedSequence(root).spawn(replications)
    ]


def generator(seed: int, purpose: int, *key: int) -> np.random.Generator:
    """A numpy generator for ``purpose`` (and an actor ``key``), for vectorised draws (the market)."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, purpose, *key])))


def _mix(z: int) -> int:
    """SplitMix64's finaliser: a bijective scramble of 64 bits."""
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


class Stream:
    """Scalar uniform draws for one actor: a SplitMix64 sequence keyed by the run's seed sequence.

    Each actor's stream starts from its own 64-bit key, mixed from a purpose key that
    ``numpy.random.SeedSequence`` derives from the root seed, so streams are independent of one another
    and of the order in which actors are first touched. Creating one costs next to nothing, which matters
    with one stream per account; a numpy ``Generator`` per account cost more than the rest of the run.
    """

    __slots__ = ("_state",)

    def __init__(self, purpose_key: int, actor: int) -> None:
        self._state = _mix((purpose_key ^ _mix((actor + 1) * _GOLDEN & _MASK)) & _MASK)

    def uniform(self) -> float:
        """One uniform draw in [0, 1)."""
        # _mix inlined: this is the hottest function of a run, and a call costs as much as the arithmetic.
        z = self._state = (self._state + _GOLDEN) & _MASK
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        return ((z ^ (z >> 31)) >> 11) * _TO_UNIT

    def chance(self, probability: float) -> bool:
        """True with the given probability."""
        return self.uniform() < probability

    def integer(self, low: int, high: int) -> int:
        """A whole number in [low, high], uniformly."""
        return low + min(int(self.uniform() * (high - low + 1)), high - low)

    def pick(self, weights: list[float]) -> int:
        """An index drawn with probability proportional to ``weights``."""
        return self.pick_cumulative(list(itertools.accumulate(weights)))

    def pick_cumulative(self, cumulative: list[float]) -> int:
        """:meth:`pick` with the running sums of the weights computed once (same draw, same answer).

        Running sums add left to right on every Python version, unlike ``sum()`` of floats since 3.12.
        """
        return min(bisect.bisect_right(cumulative, self.uniform() * cumulative[-1]), len(cumulative) - 1)


def purpose_key(seed: int, purpose: int) -> int:
    """A 64-bit key for one purpose of one run, derived by ``SeedSequence`` from the root seed."""
    words = np.random.SeedSequence([seed, purpose]).generate_state(2, dtype=np.uint32)
    return (int(words[0]) << 32) | int(words[1])


class StreamTable:
    """Lazily created streams for actors of one purpose, keyed by actor id."""

    __slots__ = ("_key", "_streams")

    def __init__(self, seed: int, purpose: int) -> None:
        self._key = purpose_key(seed, purpose)
        self._streams: dict[int, Stream] = {}

    def __getitem__(self, actor: int) -> Stream:
        stream = self._streams.get(actor)
        if stream is None:
            stream = self._streams[actor] = Stream(self._key, actor)
        return stream


_GOLDEN_U64 = np.uint64(_GOLDEN)
_C1 = np.uint64(0xBF58476D1CE4E5B9)
_C2 = np.uint64(0x94D049BB133111EB)


def _mix_array(z: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser over an array of uint64 (multiplication wraps modulo 2**64, as intended)."""
    z = z ^ (z >> np.uint64(30))
    z = z * _C1
    z = z ^ (z >> np.uint64(27))
    z = z * _C2
    mixed: np.ndarray = z ^ (z >> np.uint64(31))
    return mixed


def keyed_uniforms(key: int, *coordinates: np.ndarray | int) -> np.ndarray:
    """Uniform draws in (0, 1), each a pure function of ``key`` and its coordinates (broadcast together).

    Counter-based: the draw for (segment 2, account 17, window 3, field "cycle") is the same whatever else
    is drawn and in whatever order, so adding accounts to one segment leaves every other account's draws as
    they were (common random numbers across market variants).
    """
    with np.errstate(over="ignore"):
        arrays = np.broadcast_arrays(*(np.asarray(c, dtype=np.uint64) for c in coordinates))
        z = np.full(arrays[0].shape, np.uint64(key & _MASK), dtype=np.uint64)
        for coordinate in arrays:
            z = _mix_array(z ^ _mix_array((coordinate + np.uint64(1)) * _GOLDEN_U64))
        z = _mix_array(z + _GOLDEN_U64)
    uniforms: np.ndarray = ((z >> np.uint64(12)).astype(np.float64) + 0.5) * 2.0**-52  # exact: in (0, 1)
    return uniforms
