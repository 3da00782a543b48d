"""Parquet on disk: the event log (zstd, with the schema version in its metadata) and plain tables."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl

from sim.core.events import SCHEMA_VERSION, as_stored
from sim.store.files import StoreError, atomic_write_bytes, check_regular_file
from sim.store.provenance import parquet_metadata

METADATA_KEY = b"salesim.schema_version"
MAX_PARQUET_BYTES = 4 << 30
"""The largest Parquet file salesim reads (4 GiB; the largest market a scenario may describe logs less)."""


class SchemaError(ValueError):
    """A stored log that this version cannot read."""


def write_events(frame: pl.DataFrame, path: Path) -> None:
    """Write a log to Parquet (zstd, the stored ``SCHEMA``) with the schema version in its metadata, atomically."""
    import pyarrow.parquet as pq

    table = as_stored(frame).to_arrow()  # text as String, whatever the frame holds
    table = table.replace_schema_metadata(
        {
            **(table.schema.metadata or {}),
            **parquet_metadata(command=False),
            METADATA_KEY: str(SCHEMA_VERSION),
        }
    )
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd")
    atomic_write_bytes(path, buffer.getvalue())


def schema_version_of(path: Path) -> int | None:
    """The schema version stored in a log file, or None if it has none."""
    import pyarrow.parquet as pq

    metadata = pq.read_schema(path).metadata or {}
    raw = metadata.get(METADATA_KEY)
    return int(raw) if raw is not None else None


def read_events(path: Path) -> pl.DataFrame:
    """Read a stored log as stored (``SCHEMA``: text as String), refusing (with a clear message) one written
    under another schema version; ``sim.core.events.in_memory`` turns it into the frame a run returns."""
    if not path.exists():
        raise SchemaError(f"{path}: no event log here")
    check_regular_file(path, MAX_PARQUET_BYTES)
    try:
        version = schema_version_of(path)
    except Exception as exc:  # pyarrow raises several types for a file that is not Parquet
        raise SchemaError(f"{path}: not a Parquet event log ({exc})") from None
    if version != SCHEMA_VERSION:
        raise SchemaError(
            f"{path}: event log schema version {version}, this salesim reads version {SCHEMA_VERSION}; "
            "re-run the scenario with this version"
        )
    try:
        return pl.read_parquet(path)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise SchemaError(f"{path}: cannot read the event log: {exc}".splitlines()[0]) from None


def write_table(frame: pl.DataFrame, path: Path) -> None:
    """Write a table (``runs.parquet``, ``comparison.parquet``) as zstd Parquet with salesim's provenance in
    its metadata, atomically."""
    buffer = io.BytesIO()
    frame.write_parquet(buffer, compression="zstd", metadata=parquet_metadata())
    atomic_write_bytes(path, buffer.getvalue())


def read_table(path: Path) -> pl.DataFrame:
    """Read a table written by :func:`write_table`; a :class:`StoreError` if it is not one."""
    check_regular_file(path, MAX_PARQUET_BYTES)
    try:
        return pl.read_parquet(path)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise StoreError(f"{path}: not a readable Parquet table: {exc}".splitlines()[0]) from None
