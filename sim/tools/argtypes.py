"""Argument types shared by the scripts (benchmarks, ``python -m sim.tools.findings``, ``python -m sim.tools.breakeven``).

argparse turns an ``ArgumentTypeError`` into a usage line and exit code 2, so a bad count never becomes a
traceback halfway through a long run.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable


def positive(kind: type[int] | type[float]) -> Callable[[str], int | float]:
    """An argparse type: a positive number of ``kind``."""

    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"{text} must be positive")
        return value

    return parse
