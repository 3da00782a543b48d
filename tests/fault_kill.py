"""Run the ``salesim`` CLI and SIGKILL it just before its N-th filesystem step (a test helper, not a test).

``SALESIM_KILL_AT=N`` kills the process as it is about to make its N-th call to one of :data:`STEPS` (every
mkdir, open, fsync, rename, replace, unlink and rmdir the store makes); ``SALESIM_COUNT_TO=file`` instead
lets it finish and writes how many steps it made. Only this process is hooked: spawned pool workers import
this file as ``__mp_main__`` and so never install the hooks.
"""

from __future__ import annotations

import atexit
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

STEPS = ("mkdir", "open", "fsync", "rename", "replace", "unlink", "rmdir", "ftruncate", "pwrite")


def install(kill_at: int | None, count_to: Path | None) -> None:
    made = 0

    def hooked(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def step(*args: Any, **kwargs: Any) -> Any:
            nonlocal made
            made += 1
            if made == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)
            return real(*args, **kwargs)

        return step

    for name in STEPS:
        setattr(os, name, hooked(name, getattr(os, name)))
    if count_to is not None:
        atexit.register(lambda: count_to.write_text(str(made)))


if __name__ == "__main__":
    kill_at = os.environ.get("SALESIM_KILL_AT")
    count_to = os.environ.get("SALESIM_COUNT_TO")
    install(int(kill_at) if kill_at else None, Path(count_to) if count_to else None)
    from sim.cli import main

    sys.argv[0] = "salesim"
    main()
