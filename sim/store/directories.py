"""Output directories, written all or nothing by one writer at a time: the one place that does either.

:func:`claim` takes an output path for this process: an exclusive ``fcntl.flock`` on a hidden lock file
beside it (``.<name>.lock``, holding the writer's PID), which the kernel releases when the holder dies, so a
killed writer never leaves a stale claim. Under the claim the path must be new or an empty directory, and
temporaries that dead writers left beside it are removed.

:func:`staged` builds the directory in a hidden temporary sibling (``.<name>.tmp-<pid>-<random>``), fsyncs
everything in it, renames it into place in one step and fsyncs the parent: a crash at any moment leaves
nothing or the complete directory. Folders made on the way to the output path are removed again if the
write fails.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from sim.store.files import (
    StoreError,
    fsync_directory,
    os_failure,
    remove_stale_temporaries,
    temporary_sibling,
)

_held: dict[Path, int] = {}
"""Output paths this process has claimed, and the descriptor of each lock: a claim is re-entrant, so a
command can hold its output while it simulates and the writer it calls can claim the same path again."""


def lock_file(target: Path) -> Path:
    """The hidden lock file beside an output path."""
    return target.parent / f".{target.name}.lock"


def _make_parents(directory: Path) -> list[Path]:
    """Create ``directory`` and missing parents; the ones created, deepest first (to remove on failure)."""
    missing = []
    for candidate in (directory, *directory.parents):
        if candidate.exists() or candidate.is_symlink():
            break
        missing.append(candidate)
    for folder in reversed(missing):
        try:
            os.mkdir(folder)
        except FileExistsError:
            continue
        except OSError as exc:
            _remove_empty(missing)
            raise os_failure(folder, "create the folder", exc) from None
    return missing


def _remove_empty(folders: list[Path]) -> None:
    for folder in folders:
        with suppress(OSError):
            os.rmdir(folder)


def _holder(fd: int) -> str:
    recorded = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    return f"pid {recorded}" if recorded.isdigit() else "pid not yet recorded"


def _lock(target: Path, shown: Path) -> int:
    path = lock_file(target)
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        except OSError as exc:
            raise os_failure(path, "create the lock file", exc) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = _holder(fd) if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN) else None
            os.close(fd)
            if holder is None:
                raise os_failure(path, "lock", exc) from None
            raise StoreError(
                f"{shown}: another salesim ({holder}) is writing it; wait for it to finish or choose another --out"
            ) from None
        # The previous holder removes the file as it finishes; if it did so after we opened it, our lock is on
        # a file nobody else will see, so take the lock again on the file now at that name.
        try:
            current = os.stat(path).st_ino
        except FileNotFoundError:
            current = -1
        if current == os.fstat(fd).st_ino:
            break
        os.close(fd)
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd


def _unlock(target: Path, fd: int) -> None:
    # Remove the file while still holding the lock, so no waiting writer is left locking a removed file.
    lock_file(target).unlink(missing_ok=True)
    os.close(fd)


def check_free(target: Path) -> None:
    """An output path must be new, or an empty directory (results are never silently mixed)."""
    if target.is_dir() and not target.is_symlink():
        try:
            empty = next(os.scandir(target), None) is None
        except OSError as exc:
            raise os_failure(target, "read the folder", exc) from None
        if not empty:
            raise StoreError(f"{target}: output directory exists and is not empty; choose another --out")
    elif target.exists() or target.is_symlink():
        raise StoreError(f"{target}: exists and is not a directory; choose another --out")


@contextmanager
def claim(target: Path, must_be_free: bool = True) -> Iterator[Path]:
    """Hold ``target`` for this process: locked, checked free (unless ``must_be_free`` is False: an experiment
    directory is resumed in place), stale temporaries removed.

    A second writer gets a :class:`StoreError` naming the holder's PID. Folders made for the lock file are
    removed again if the claim ends in failure.
    """
    key = Path(os.path.abspath(target))
    if key in _held:
        yield target
        return
    created = _make_parents(key.parent)
    try:
        fd = _lock(key, target)
    except BaseException:
        _remove_empty(created)
        raise
    _held[key] = fd
    try:
        remove_stale_temporaries(key)
        if must_be_free:
            check_free(target)
        yield target
    except BaseException:
        del _held[key]
        _unlock(key, fd)
        if not key.exists():
            _remove_empty(created)
        raise
    del _held[key]
    _unlock(key, fd)


def _fsync_tree(root: Path) -> None:
    """fsync every folder under ``root`` (files are fsynced as they are written)."""
    for folder, _, _ in os.walk(root):
        fsync_directory(Path(folder))


@contextmanager
def staged(target: Path) -> Iterator[Path]:
    """Claim ``target``, yield a hidden temporary sibling to fill, then put it in place whole.

    If the block raises, the temporary is removed and ``target`` is as it was.
    """
    with claim(target):
        temporary = temporary_sibling(Path(os.path.abspath(target)))
        try:
            os.mkdir(temporary)
        except OSError as exc:
            raise os_failure(target, "create the output directory", exc) from None
        try:
            yield temporary
            try:
                _fsync_tree(temporary)
                # Onto nothing, or onto the empty directory the claim allowed: rename replaces it in one step.
                os.rename(temporary, target)
                fsync_directory(temporary.parent)
            except OSError as exc:
                raise os_failure(target, "write", exc) from None
        except BaseException:
            shutil.rmtree(temporary, ignore_errors=True)
            raise
