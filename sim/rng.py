"""Named random streams spawned from one root seed, one per purpose and one per actor.

Common random numbers are the point: two strategies run on the same seed must see the same market, so the
market is drawn from its own stream, and each account and each rep draws from a stream keyed by its own id.
What an account draws therefore does not depend on the order in which a strategy happened to visit it.

Scalar draws from a numpy ``Generator`` cost far more than a SimPy step, so :class:`Stream` draws uniforms in
blocks and hands them out one at a time.
"""

from __future__ import annotations

import numpy as np

#: Stream purposes. Appending is safe; renumbering changes every log.
MARKET = 1
ACCOUNT = 2
REP = 3
ORG = 4

_BLOCK = 64


def generator(seed: int, purpose: int, *key: int) -> np.random.Generator:
    """A generator for ``purpose`` (and an actor ``key``) derived from the run's root seed."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, purpose, *key])))


class Stream:
    """Uniform draws for one actor, pulled from its own generator in blocks."""

    __slots__ = ("_buffer", "_generator", "_next")

    def __init__(self, seed: int, purpose: int, *key: int) -> None:
        self._generator = generator(seed, purpose, *key)
        self._buffer: list[float] = []
        self._next = 0

    def uniform(self) -> float:
        """One uniform draw in [0, 1)."""
        if self._next >= len(self._buffer):
            self._buffer = self._generator.random(_BLOCK).tolist()
            self._next = 0
        value = self._buffer[self._next]
        self._next += 1
        return value

    def chance(self, probability: float) -> bool:
        """True with the given probability."""
        return self.uniform() < probability

    def integer(self, low: int, high: int) -> int:
        """A whole number in [low, high], uniformly."""
        return low + min(int(self.uniform() * (high - low + 1)), high - low)

    def pick(self, weights: list[float]) -> int:
        """An index drawn with probability proportional to ``weights``."""
        target = self.uniform() * sum(weights)
        acc = 0.0
        for i, w in enumerate(weights):
            acc += w
            if target < acc:
                return i
        return len(weights) - 1


class StreamTable:
    """Lazily created streams for actors of one purpose, keyed by actor id."""

    __slots__ = ("_purpose", "_seed", "_streams")

    def __init__(self, seed: int, purpose: int) -> None:
        self._seed = seed
        self._purpose = purpose
        self._streams: dict[int, Stream] = {}

    def __getitem__(self, actor: int) -> Stream:
        stream = self._streams.get(actor)
        if stream is None:
            stream = self._streams[actor] = Stream(self._seed, self._purpose, actor)
        return stream
