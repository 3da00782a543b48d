"""Single files: whole-file writes that readers never see half done, bounded reads, JSON as salesim writes and
reads it, and the error a store reader or writer raises.

A file is written into a hidden temporary sibling (``.<name>.tmp-<pid>-<random>``), fsynced, renamed into
place, and its folder fsynced, so a crash leaves the old file or the whole new one. A crash can leave the
temporary behind; the next write of the same name removes temporaries whose process is gone.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import secrets
import shutil
import stat
from pathlib import Path
from typing import Any

from sim.config import ScenarioError, read_regular_file

MAX_JSON_BYTES = 1 << 20
"""The largest ``meta.json``, ``compare.json`` or ``demo.json`` the store reads (1 MiB; salesim's are a few KiB)."""

TEMPORARY_MARK = ".tmp-"


class StoreError(ValueError):
    """A file or directory the store cannot read or write; the message is one line meant for a person."""


def os_failure(path: Path, action: str, exc: OSError) -> StoreError:
    """An :class:`OSError` as one line: the file it concerns, what was being done, and why it failed."""
    where = exc.filename if isinstance(exc.filename, str) else str(path)
    return StoreError(f"{where}: cannot {action}: {exc.strerror or exc}")


def temporary_sibling(path: Path) -> Path:
    """A hidden name beside ``path`` that records this process, so a later run can tell when it is stale."""
    return path.parent / f".{path.name}{TEMPORARY_MARK}{os.getpid()}-{secrets.token_hex(4)}"


def process_alive(pid: int) -> bool:
    """Whether a process of this id exists (it may belong to another user)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temporaries(path: Path) -> None:
    """Remove temporary siblings of ``path`` left by processes that died before renaming them into place."""
    prefix = f".{path.name}{TEMPORARY_MARK}"
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return
    for entry in entries:
        if not entry.name.startswith(prefix):
            continue
        owner = entry.name.removeprefix(prefix).partition("-")[0]
        if not owner.isdigit() or process_alive(int(owner)):
            continue
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            Path(entry.path).unlink(missing_ok=True)


def fsync_directory(directory: Path) -> None:
    """Make a directory's entries (files created, renamed or removed in it) durable."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old file or the whole new one, never half of it.

    Into an existing folder; an :class:`OSError` (full disk, read-only, name too long, …) becomes a one-line
    :class:`StoreError`, and the temporary is removed.
    """
    remove_stale_temporaries(path)
    temporary = temporary_sibling(path)
    try:
        # 0o666 less the umask: the mode an ordinary write would give.
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
        fsync_directory(path.parent)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise os_failure(path, "write", exc) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def digest(data: bytes) -> str:
    """SHA-256 of a file's bytes, as ``meta.json`` and ``compare.json`` record them."""
    return hashlib.sha256(data).hexdigest()


def check_regular_file(path: Path, limit: int) -> int:
    """The size of ``path``; a :class:`StoreError` if it is missing, not a regular file, or over ``limit``."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise StoreError(f"{path}: no such file") from None
    except OSError as exc:
        raise os_failure(path, "read", exc) from None
    if not stat.S_ISREG(info.st_mode):
        raise StoreError(f"{path}: not a regular file")
    if info.st_size > limit:
        raise StoreError(f"{path}: {info.st_size:,} bytes, more than the {limit:,} salesim reads")
    return info.st_size


def read_bytes(path: Path, limit: int) -> bytes:
    """A regular file of at most ``limit`` bytes; a one-line :class:`StoreError` for anything else."""
    try:
        return read_regular_file(path, limit)
    except ScenarioError as exc:
        raise StoreError(str(exc)) from None


def _json_default(value: Any) -> Any:
    raise TypeError(f"cannot serialise {type(value).__name__}")


def to_json(data: Any) -> bytes:
    """JSON with NaN written as null (so any JSON reader can load it)."""

    def clean(v: Any) -> Any:
        if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
            return None
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [clean(x) for x in v]
        return v

    return (json.dumps(clean(data), indent=2, sort_keys=True, default=_json_default) + "\n").encode()


def read_json_object(path: Path) -> dict[str, Any]:
    """A JSON file holding one object; a :class:`StoreError` if it cannot be read or holds anything else."""
    raw = read_bytes(path, MAX_JSON_BYTES)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StoreError(f"{path}: not valid JSON: {exc}") from None
    except RecursionError:
        raise StoreError(f"{path}: not valid JSON: nested too deeply") from None
    if not isinstance(data, dict):
        raise StoreError(f"{path}: expected a JSON object")
    return data
