"""Memory figures of this process from ``/proc/self/status`` (Linux), shared by the benchmarks."""

from __future__ import annotations


def status_kib(field: str) -> int:
    """A ``/proc/self/status`` figure in KiB (VmRSS: resident now; VmHWM: the peak so far)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")
