"""``python -m sim`` is the ``salesim`` command (for environments where the console script is not on PATH)."""

from sim.cli import main

if __name__ == "__main__":
    main()
