"""The event log: the only output of a run, append-only, one columnar schema for every event kind.

Each event is an immutable fact named in the past tense (``ContactMade``, ``StallRequested``, ``DealWon``).
Every event has ``seq`` (its position in the run), ``t`` (simulated days, from ``env.now``), its ``kind``, the
ids it concerns (``rep``, ``account``, ``opp``, ``contact``) and a few typed payload fields; each kind is
declared once, as a typed class, in ``sim.core.kinds`` (:data:`KINDS` lists them by name). The log is stored
as one wide table (unused fields are null) so that a whole run is one polars frame and one Parquet file, and
every metric is a projection of it.

The hot path (:meth:`EventLog.emit`) appends each value to a typed column and hands the event to the state
fold; the frame is built once, at the end, a column at a time. The pre-drawn market, three quarters of a typical log, logs in daily batches whose
rows are built in one vectorised pass at the end and merged in where they were logged
(:meth:`EventLog.log_batch`); the frame is the same as if every event had been emitted.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import NoReturn

import numpy as np
import polars as pl

from sim.core.columns import (
    NULL_CODE,
    Column,
    NumberColumn,
    SparseField,
    give_back_freed_memory,
    id_column,
    interleave,
    row_index_dtype,
    text_column,
    to_series,
)
from sim.core.kinds import (
    DECLARED,
    AccountCreated,
    BudgetAssigned,
    BuyingCenterFormed,
    BuyingJobCompleted,
    BuyingWindowClosed,
    BuyingWindowOpened,
    Ending,
    Event,
)

SCHEMA_VERSION = 3
"""Bumped whenever a column or an event kind changes meaning; stored in the Parquet metadata.

3: every payload column has one meaning whatever the kind (``level``, ``share`` and ``score`` were split by
what they measured; ``day`` is a date and ``days`` a duration; buying jobs have a column of their own); the
rep's idle hours are logged."""

ID_COLUMNS: dict[str, type[pl.DataType]] = {
    "rep": pl.Int64,
    "account": pl.Int64,
    "opp": pl.Int64,
    "contact": pl.Int64,
}
PAYLOAD_COLUMNS: dict[str, type[pl.DataType]] = {
    "segment": pl.String,  # market segment: smb / mid_market / f1000
    "title": pl.String,  # contact title
    "stage": pl.String,  # vendor stage: discovery / demo / proposal / pilot / negotiation / close
    "job": pl.String,  # the buyer's buying job (problem_identification ... consensus)
    "reason": pl.String,  # why or which kind: loss reason, tactic, request, channel, the work an hour was for
    "answers": pl.String,  # the 20-minute test's five answers as digits, e.g. 10111
    "personas": pl.String,  # buying-center personas present, e.g. stalling_cio+procurement, or none
    "opp_type": pl.String,  # unqualified_prospect / prospect / qualified_prospect / qualified_buyer
    "pain": pl.String,  # none / latent / acute
    "budget": pl.String,  # none / planned / assigned
    "hours": pl.Float64,  # rep hours the event cost (or, for idle hours, left unused)
    "amount": pl.Float64,  # dollars: list price, booking, commission, bookings to date, pipeline, forecast
    "target": pl.Float64,  # dollars: the quota target to date
    "discount": pl.Float64,  # share of the price given away
    "attainment": pl.Float64,  # bookings / quota target
    "coverage": pl.Float64,  # open pipeline / quota still to book
    "capacity": pl.Float64,  # share of a full rep's selling hours
    "capital": pl.Float64,  # the champion's political capital after the event
    "capital_spent": pl.Float64,  # political capital a push cost
    "reputation": pl.Float64,  # the vendor's reputation after the event, 0-1
    "reputation_change": pl.Float64,  # how far the reputation moved
    "day": pl.Float64,  # a date (simulated day): until when, planned decision, period end
    "days": pl.Float64,  # a duration in days: delay, tenure, idle time
    "score": pl.Int64,  # the 20-minute test's score, 0-5
    "group_size": pl.Int64,  # people in the buying group
    "open_deals": pl.Int64,  # open opportunities at a pipeline review
    "seat": pl.Int64,  # rep seat (territory)
}
BUYING_JOBS: tuple[str, ...] = (
    "problem_identification",
    "solution_exploration",
    "requirements",
    "supplier_selection",
    "validation",
    "consensus",
)
"""The values of the ``job`` column: the buyer's own jobs (Gartner's B2B buying jobs), in the order a buying
group works through them."""

SCHEMA: dict[str, type[pl.DataType]] = {
    "seq": pl.Int64,
    "t": pl.Float64,
    "kind": pl.String,
    **ID_COLUMNS,
    **PAYLOAD_COLUMNS,
}


TEXT_COLUMNS: tuple[str, ...] = tuple(name for name, dtype in SCHEMA.items() if dtype == pl.String)
"""The log's text columns: String in the stored log, Categorical in memory (:data:`FRAME_SCHEMA`)."""

FRAME_SCHEMA: dict[str, type[pl.DataType]] = {
    name: pl.Categorical if name in TEXT_COLUMNS else dtype for name, dtype in SCHEMA.items()
}
"""The log as a run returns it: :data:`SCHEMA` with text as Categorical. A text column holds a few dozen
distinct values; as String each row costs a 16-byte view, as Categorical a 4-byte code, which takes a
third off a large run's frame. Comparisons with string literals, ``is_in``, grouping and sorting (lexical)
behave as on String; the stored Parquet stays String (:func:`as_stored`)."""


def as_stored(frame: pl.DataFrame) -> pl.DataFrame:
    """The log with the stored :data:`SCHEMA`: text as String, so ``events.parquet`` is the same file
    whether or not the frame in memory was compact."""
    return frame.with_columns(pl.col(name).cast(pl.String) for name in TEXT_COLUMNS if name in frame.columns)


def in_memory(frame: pl.DataFrame) -> pl.DataFrame:
    """The log with :data:`FRAME_SCHEMA`: a stored log read back is the frame the run returned."""
    return frame.with_columns(
        pl.col(name).cast(pl.Categorical) for name in TEXT_COLUMNS if name in frame.columns
    )


KINDS: dict[str, type[Event]] = {declared.__name__: declared for declared in DECLARED}
"""Every event kind by name, in declaration order (``sim.core.kinds`` declares them)."""

MARKET_KINDS: tuple[str, ...] = tuple(
    declared.__name__
    for declared in (
        AccountCreated,
        BuyingWindowOpened,
        BuyingCenterFormed,
        BuyingJobCompleted,
        BudgetAssigned,
        BuyingWindowClosed,
    )
)
"""Kinds drawn up front from the market stream: identical across strategies run on one seed."""

TERMINAL_KINDS = frozenset(name for name, declared in KINDS.items() if issubclass(declared, Ending))
"""Kinds that end an opportunity: every opportunity has exactly one."""

Sink = Callable[[float, Event], None]
"""Where each emitted event goes with its time: the state fold."""


@dataclass(frozen=True, slots=True)
class Batch:
    """The rows of the first ``n`` batched happenings, in the order they were logged.

    ``happening`` gives, for each row, the happening it belongs to (0 to n-1; one happening may give several
    rows, in row order); ``column(name)`` builds any :data:`SCHEMA` column but ``seq`` at the batch's length,
    one at a time, so a whole second copy of the log never exists.
    """

    happening: np.ndarray
    column: Callable[[str], Column]


def _detached(*_: object) -> NoReturn:
    raise RuntimeError("this log is detached from its run: it takes no more events")


TRIM_EVERY = 8
"""Columns built between two :func:`~sim.core.columns.give_back_freed_memory` calls while a log is taken: often
enough that freed pages do not pile up under the frame (every column does no better on the memory benchmark),
seldom enough that the next columns' temporaries rarely fault fresh pages in again."""

TRIM_FROM_ROWS = 500_000
"""The smallest log whose freed pages are given back as it is taken. A smaller log frees a few MB a column,
not worth faulting in again: on the benchmark's five-year baseline (~340k events) and one-year Fortune 1000
market, trimming cost 2-4% of the model/bare rate, back to back; on the 1.7M-event memory market it cost
nothing measurable and took ~25 bytes an event off the peak."""

BatchBuilder = Callable[[int], Batch]
"""Builds the rows of the first ``n`` batched happenings."""


Writer = Callable[[Event, int], None]
"""Appends one event's ids and payload to the log's columns as row ``row`` (one writer per class and log)."""


def _writer(declared: type[Event], fields: dict[str, SparseField], ids: dict[str, array[int]]) -> Writer:
    """The writer of one event class: straight-line code that reads each of its fields and appends it.

    Generated once per class and log (as ``dataclasses`` generates ``__init__``): a loop over the fields,
    with a getter and a type test per field, would cost the hot path about as much again as the rest of
    :meth:`EventLog.emit`. A text value goes in as its code, a number as itself; a value of the wrong type is
    refused by the typed column (``array``) or by :meth:`SparseField.code` with a TypeError.
    """
    namespace: dict[str, object] = {"NULL_CODE": NULL_CODE}
    lines = ["def write(event, row):"]
    for name in declared.fields:
        if name not in PAYLOAD_COLUMNS:
            continue
        field = namespace[f"{name}_field"] = fields[name]
        lines += [f"    value = event.{name}", "    if value is not None:"]
        if field.codes is None:
            lines.append(f"        {name}_field.values.append(value)")
        else:
            namespace[f"{name}_codes"] = field.codes
            lines += [
                f"        code = {name}_codes.get(value)",
                f"        {name}_field.values.append({name}_field.code(value) if code is None else code)",
            ]
        lines.append(f"        {name}_field.rows.append(row)")
    for name, column in ids.items():
        namespace[f"{name}_ids"] = column
        if name in declared.fields:
            lines += [
                f"    value = event.{name}",
                f"    {name}_ids.append(NULL_CODE if value is None else value)",
            ]
        else:
            lines.append(f"    {name}_ids.append(NULL_CODE)")
    exec("\n".join(lines), namespace)  # the source is built above from declared field names only
    write: Writer = namespace.pop("write")  # type: ignore[assignment]
    return write  # its namespace no longer holds it: no cycle keeps the buffers once the log lets go of it


class EventLog:
    """An append-only log that feeds every event to a state fold as it is written.

    Most events are emitted one at a time (:meth:`emit`), each value appended to a typed column
    (``sim.core.columns``). One source, the pre-drawn market, logs its many happenings in batches instead
    (:meth:`log_batch`): it folds them into the state itself, through the same ``State`` methods the fold's
    handlers use, and the log only notes how many it logged and where; their rows are built in one vectorised
    pass when the frame is built and placed among the emitted rows. The frame is the same as if each had been
    emitted (``tests/test_market.py`` checks this against plain emits).
    """

    __slots__ = (
        "_account",
        "_batch_rows",
        "_batches",
        "_build_batch",
        "_clock",
        "_contact",
        "_count",
        "_fields",
        "_kind",
        "_kind_codes",
        "_kinds",
        "_opp",
        "_rep",
        "_shapes",
        "_sink",
        "_t",
    )

    def __init__(self, clock: Callable[[], float], sink: Sink) -> None:
        self._clock = clock
        self._sink = sink
        self._count = 0
        self._t = array("d")
        self._kind = array("i")
        self._kind_codes: dict[str, int] = {}
        self._kinds: list[str] = []
        self._rep, self._account, self._opp, self._contact = (array("q") for _ in range(4))
        self._fields = {name: SparseField(dtype) for name, dtype in PAYLOAD_COLUMNS.items()}
        self._shapes: dict[type[Event], tuple[int, Writer]] = {}
        self._build_batch: BatchBuilder | None = None
        self._batches: list[tuple[int, int]] = []  # (rows emitted before the batch, happenings in it)
        self._batch_rows = 0

    def emit(self, event: Event) -> None:
        """Append one event at the current simulated time and apply it to the state.

        The event's class says which columns it fills (:mod:`sim.core.kinds`); a writer made once per class
        and log appends them. A value of the wrong type is a TypeError at once (a typed column refuses it, and
        nothing of the event is kept): the stored log can never disagree with the live fold.
        """
        kind = type(event)
        shape = self._shapes.get(kind)
        if shape is None:
            shape = self._shape(kind)
        code, write = shape
        t = self._clock()
        row = self._count
        try:
            write(event, row)
        except (TypeError, OverflowError):
            self._forget_row(row)
            raise
        self._t.append(t)
        self._kind.append(code)
        self._count = row + 1
        self._sink(t, event)

    def _shape(self, declared: type[Event]) -> tuple[int, Writer]:
        """How this log writes events of one class: its kind code and its writer."""
        name = declared.__name__
        if KINDS.get(name) is not declared:
            raise TypeError(f"{name} is not a declared event kind (sim.core.kinds)")
        code = self._kind_codes.get(name)
        if code is None:
            code = self._kind_codes[name] = len(self._kinds)
            self._kinds.append(name)
        ids = {"rep": self._rep, "account": self._account, "opp": self._opp, "contact": self._contact}
        shape = self._shapes[declared] = (code, _writer(declared, self._fields, ids))
        return shape

    def _forget_row(self, row: int) -> None:
        """Take back the fields a refused event had already appended, so the log stays whole."""
        for field in self._fields.values():
            if field.rows and field.rows[-1] == row:
                field.rows.pop()
            if len(field.values) > len(field.rows):
                field.values.pop()
        for ids in (self._rep, self._account, self._opp, self._contact):
            if len(ids) > row:
                ids.pop()

    def detach(self) -> None:
        """Let go of the clock and the state: a finished log then holds nothing of the world that fed it."""
        self._clock = _detached
        self._sink = _detached

    def batch_source(self, build: BatchBuilder) -> None:
        """Register the builder of the batched happenings' rows (one source per log)."""
        if self._build_batch is not None:
            raise RuntimeError("this log already has a batch source")
        self._build_batch = build

    def log_batch(self, happenings: int, rows: int) -> None:
        """Note that the batch source logged its next ``happenings`` (``rows`` events) here, already folded."""
        if self._build_batch is None:
            raise RuntimeError("log_batch needs a batch_source first")
        if happenings:
            self._batches.append((self._count, happenings))
            self._batch_rows += rows

    def __len__(self) -> int:
        return self._count + self._batch_rows

    def _emitted_column(self, name: str) -> Column:
        """One column of the emitted rows, at their length."""
        if name == "t":
            return NumberColumn(np.array(self._t, dtype=np.float64))
        if name == "kind":
            return text_column(self._kind, self._kinds)
        ids = {"rep": self._rep, "account": self._account, "opp": self._opp, "contact": self._contact}
        if name in ids:
            return id_column(ids[name])
        return self._fields[name].column(self._count)

    def _release(self, name: str) -> None:
        """Free the buffer of one column (its column is built): the log is being taken (:meth:`take_frame`)."""
        if name == "t":
            self._t = array("d")
        elif name == "kind":
            self._kind = array("i")
        elif name in ID_COLUMNS:
            setattr(self, f"_{name}", array("q"))
        else:
            self._fields[name] = SparseField(PAYLOAD_COLUMNS[name])

    def take_frame(self) -> pl.DataFrame:
        """The frame of :meth:`to_frame`, emptying the log as it is built: each column's buffer is freed as
        soon as the column is built, so the buffers and the whole frame never coexist. The log is empty after
        (for a run that is over: ``sim.engine.event_log``)."""
        # The writers hold the buffers too: drop them first, or no buffer is freed until the whole frame is built.
        self._shapes.clear()
        frame = self.to_frame(consume=True)
        self._count, self._batch_rows, self._build_batch = 0, 0, None
        self._batches.clear()
        return frame

    def to_frame(self, consume: bool = False) -> pl.DataFrame:
        """The log as a polars frame with the fixed :data:`FRAME_SCHEMA`, built one column at a time
        (``consume``: freeing each column's buffer once it is built; see :meth:`take_frame`)."""
        count = self._count
        batch_column: Callable[[str], Column] | None = None
        emitted_at, batch_at, length = np.arange(count), np.zeros(0, dtype=np.int64), count
        if self._batches:
            assert self._build_batch is not None
            # Row places in 32 bits where they fit: they are held while every column is built.
            rows_type = row_index_dtype(count + self._batch_rows)
            # A batch noted after p emitted rows goes before emitted row p; batches keep their own order.
            where = np.repeat(
                np.array([position for position, _ in self._batches], dtype=rows_type),
                [happenings for _, happenings in self._batches],
            )
            batch = self._build_batch(where.size)
            if consume:  # the batch's rows hold what they need of its source
                self._build_batch = None
            if batch.happening.size != self._batch_rows:
                raise RuntimeError(
                    f"the batch source built {batch.happening.size} rows for {self._batch_rows} logged"
                )
            before = where[batch.happening]  # emitted rows before each batched row
            batch_column = batch.column
            del where, batch  # its happenings are placed: only its columns are needed now
            length = count + before.size
            emitted_at = np.arange(count, dtype=rows_type)
            emitted_at += np.searchsorted(before, emitted_at, side="right").astype(rows_type)
            before += np.arange(before.size, dtype=rows_type)
            batch_at = before  # each batched row's place: its own index plus the emitted rows before it
        series = [pl.Series("seq", np.arange(length), dtype=SCHEMA["seq"])]
        trim = consume and length >= TRIM_FROM_ROWS
        for name, dtype in FRAME_SCHEMA.items():
            if name == "seq":
                continue
            column = self._emitted_column(name)
            if consume:
                self._release(name)
            if batch_column is not None:
                text = dtype == pl.Categorical
                column = interleave(column, emitted_at, batch_column(name), batch_at, length, text)
            series.append(to_series(name, column, dtype, length))
            if trim and len(series) % TRIM_EVERY == 0:
                del column  # its arrays, and the buffers released so far, are free now: give their pages back
                give_back_freed_memory()
        return pl.DataFrame(series)


def iter_events(frame: pl.DataFrame) -> Iterator[tuple[float, Event]]:
    """The events of a stored log, typed as they were emitted, each with its time (in the frame's order)."""
    columns = {name: frame[name].to_list() for name in (*ID_COLUMNS, *PAYLOAD_COLUMNS)}
    for row, (t, name) in enumerate(zip(frame["t"].to_list(), frame["kind"].to_list(), strict=True)):
        declared = KINDS[name]
        yield t, declared(**{field: columns[field][row] for field in declared.fields})


def content_hash(frame: pl.DataFrame) -> str:
    """SHA-256 over the log's values, column by column: equal logs give equal hashes, however stored.

    Hashes the null mask and the values (not the in-memory layout; text hashes as its strings, Categorical or
    String), so a log read back from Parquet hashes the same as the live one and ``meta.json``'s hash can be
    checked against ``events.parquet``.
    """
    digest = hashlib.sha256()
    for name in frame.columns:
        series = frame[name]
        if series.dtype == pl.Categorical:
            series = series.cast(pl.String)  # the strings, not the codes: these depend on what came first
        digest.update(name.encode())
        digest.update(series.is_null().to_numpy().tobytes())
        if series.dtype == pl.String:
            digest.update("\x1f".join(series.fill_null("").to_list()).encode())
        else:
            digest.update(series.fill_null(0).to_numpy().tobytes())
    return digest.hexdigest()
