"""Typed columns for the log: what a run holds in memory while it runs, and how it becomes one frame.

A row per event as Python objects (a tuple, a payload dict, boxed floats) weighs about a kilobyte. The log
instead appends each value to a typed ``array`` as it is emitted: eight bytes a number, four a string (as a
code into the column's own list of distinct strings), and for payload fields only the rows that have one.
At the end, each column is built once, at full length, straight into its place in the frame; a text column
becomes a Categorical (a 4-byte code a row, not a 16-byte String view), so the frame stays compact too.
"""

from __future__ import annotations

import ctypes
import sys
from array import array
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl

NULL_CODE = -1
"""A text code (or an id) that stands for null."""


def _malloc_trim() -> Callable[[], object]:
    """glibc's ``malloc_trim(0)``, or a no-op where the C library has none (macOS, musl, Windows)."""
    if sys.platform.startswith("linux"):
        try:
            trim = ctypes.CDLL(None).malloc_trim
        except (OSError, AttributeError):
            pass
        else:
            trim.argtypes = [ctypes.c_size_t]
            trim.restype = ctypes.c_int
            return lambda: trim(0)
    return lambda: None


give_back_freed_memory = _malloc_trim()
"""Hand the C heap's free pages back to the operating system.

Building the frame frees each log buffer and each column's temporary arrays as it goes, but glibc keeps what a
program frees: once a block of a few MB has been freed, it serves blocks up to 32 MB from its heap rather than
from fresh pages, and keeps their pages when they are freed. Those pages would stay resident under the finished
frame (on the large market of the memory benchmark, about 20 bytes an event at the peak). A call takes well
under a millisecond; ``EventLog.take_frame`` makes one every few columns."""


def row_index_dtype(rows: int) -> type[np.signedinteger]:
    """The narrowest of int32 and int64 that numbers ``rows`` rows.

    Row indices kept while a large frame is built (where each batched row goes, which rows a market happening
    fills) are held at the frame's peak: 32 bits where they fit halve them. Numpy widens them per use."""
    return np.int32 if rows < 2**31 else np.int64


@dataclass(frozen=True, slots=True)
class NumberColumn:
    """Numbers at full length, with the rows that hold a value (``valid`` None: every row does)."""

    values: np.ndarray
    valid: np.ndarray | None = None


@dataclass(frozen=True, slots=True)
class TextColumn:
    """Strings as codes into ``categories`` at full length; :data:`NULL_CODE` is null."""

    codes: np.ndarray
    categories: list[str]


Column = NumberColumn | TextColumn | None
"""A column's values; None when every row is null (nothing is allocated for it)."""


class SparseField:
    """One payload field as it is emitted: the rows that have a value, and the values (or text codes)."""

    __slots__ = ("categories", "codes", "rows", "values")

    def __init__(self, dtype: type[pl.DataType]) -> None:
        self.rows = array("q")
        self.codes: dict[str, int] | None = {} if dtype == pl.String else None
        self.categories: list[str] = []
        self.values = array("i" if dtype == pl.String else ("d" if dtype == pl.Float64 else "q"))

    def code(self, text: object) -> int:
        """The code of a string new to this field (anything but a string is refused, as a typed column would)."""
        if not isinstance(text, str):
            raise TypeError(f"expected a string, got {type(text).__name__} {text!r}")
        assert self.codes is not None
        code = self.codes[text] = len(self.categories)
        self.categories.append(text)
        return code

    def column(self, length: int) -> Column:
        """The field at full length: values where it was given, null elsewhere."""
        if not self.rows:
            return None
        rows = np.frombuffer(self.rows, dtype=np.int64) if self.rows else np.zeros(0, dtype=np.int64)
        if self.codes is not None:
            codes = np.full(length, NULL_CODE, dtype=np.int32)
            codes[rows] = np.frombuffer(self.values, dtype=np.int32) if self.values else []
            return TextColumn(codes, list(self.categories))
        kind = np.float64 if self.values.typecode == "d" else np.int64
        values = np.zeros(length, dtype=kind)
        values[rows] = np.frombuffer(self.values, dtype=kind) if self.values else []
        valid = np.zeros(length, dtype=bool)
        valid[rows] = True
        return NumberColumn(values, valid)


def id_column(ids: array[int]) -> NumberColumn:
    """An id column kept with :data:`NULL_CODE` for null."""
    values = np.array(ids, dtype=np.int64)
    return NumberColumn(values, values != NULL_CODE)


def text_column(codes: array[int], categories: list[str]) -> TextColumn:
    """A text column kept as codes (every row has a value)."""
    return TextColumn(np.array(codes, dtype=np.int32), list(categories))


def _text_parts(column: Column) -> tuple[np.ndarray | None, list[str]]:
    if isinstance(column, TextColumn):
        return column.codes, column.categories
    return None, []


def interleave(
    first: Column, first_at: np.ndarray, second: Column, second_at: np.ndarray, length: int, text: bool
) -> Column:
    """Two columns' rows placed at ``first_at`` and ``second_at`` of one column of ``length`` rows."""
    if first is None and second is None:
        return None
    if text:
        first_codes, categories = _text_parts(first)
        second_codes, second_categories = _text_parts(second)
        categories = list(categories)
        index = {name: code for code, name in enumerate(categories)}
        remap = np.empty(len(second_categories) + 1, dtype=np.int32)
        remap[-1] = NULL_CODE  # code -1 indexes the last slot
        for code, name in enumerate(second_categories):
            if name not in index:
                index[name] = len(categories)
                categories.append(name)
            remap[code] = index[name]
        codes = np.full(length, NULL_CODE, dtype=np.int32)
        if first_codes is not None:
            codes[first_at] = first_codes
        if second_codes is not None:
            codes[second_at] = remap[second_codes]
        return TextColumn(codes, categories)
    parts = [(c, at) for c, at in ((first, first_at), (second, second_at)) if isinstance(c, NumberColumn)]
    values = np.zeros(length, dtype=np.result_type(*(c.values for c, _ in parts)))
    for column, at in parts:
        values[at] = column.values
    if len(parts) == 2 and all(c.valid is None for c, _ in parts):
        return NumberColumn(values)
    valid = np.zeros(length, dtype=bool)
    for column, at in parts:
        valid[at] = True if column.valid is None else column.valid
    return NumberColumn(values, valid)


def to_series(name: str, column: Column, dtype: type[pl.DataType], length: int) -> pl.Series:
    """The column as a polars Series of ``dtype`` (Categorical for text), nulls where it has none.

    Text is gathered from a Categorical of its distinct strings: only the codes are copied, row by row.
    """
    if column is None:
        return pl.repeat(None, length, dtype=dtype, eager=True).alias(name)
    if isinstance(column, TextColumn):
        codes = pl.Series(column.codes, dtype=pl.Int32)
        if (column.codes == NULL_CODE).any():
            codes = pl.select(pl.when(codes != NULL_CODE).then(codes)).to_series()
        return pl.Series(name, column.categories, dtype=pl.Categorical).gather(codes).alias(name)
    series = pl.Series(name, column.values).cast(dtype, strict=True)
    if column.valid is not None and not column.valid.all():
        series = pl.select(pl.when(pl.Series(column.valid)).then(series)).to_series().alias(name)
    return series
