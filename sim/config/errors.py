"""The one error type of scenario handling, and the 'did you mean' hint its messages carry.

It sits apart from :mod:`sim.config.load` because validation inside the schema (an unknown strategy preset)
needs the same hint, and the schema must not import the loader that imports it.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import Any


class ScenarioError(ValueError):
    """A scenario (or override) that cannot be used; the message is one line meant for a person."""


def did_you_mean(word: str, options: Sequence[str] | Mapping[str, Any]) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``options`` to ``word``, or an empty string."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
