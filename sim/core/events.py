"""The event log: the only output of a run, append-only, one columnar schema for every event kind.

Each event is an immutable fact named in the past tense (``ContactMade``, ``StallRequested``, ``DealWon``).
Every event has ``seq`` (its position in the run), ``t`` (simulated days, from ``env.now``), its ``kind``, the
ids it concerns (``rep``, ``account``, ``opp``, ``contact``) and a few typed payload fields; :data:`KINDS`
says which. The log is stored as one wide table (unused fields are null) so that a whole run is one polars
frame and one Parquet file, and every metric is a projection of it.

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
from typing import Any, NoReturn

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


@dataclass(frozen=True, slots=True)
class EventKind:
    """Documentation and shape of one event kind."""

    name: str
    fields: tuple[str, ...]
    emitted_by: str
    when: str


def _k(name: str, fields: str, emitted_by: str, when: str) -> EventKind:
    return EventKind(name, tuple(fields.split()), emitted_by, when)


KINDS: dict[str, EventKind] = {
    k.name: k
    for k in [
        # --- the market (buyers, on their own clock) --------------------------------------------------
        _k(
            "AccountCreated",
            "account segment amount seat",
            "market",
            "at day 0, once per account: its segment, list deal size and the rep seat whose territory it is in",
        ),
        _k(
            "BuyingWindowOpened",
            "account segment pain budget day",
            "buyer",
            "a buying need triggers: the window opens; `day` is the buyer's planned decision day",
        ),
        _k(
            "BuyingCenterFormed",
            "account group_size capital personas",
            "buyer",
            "with each window: `group_size` people decide; `capital` is the champion's capital (0: no "
            "champion); `personas` lists the personas present (stalling_cio, champion, procurement)",
        ),
        _k(
            "BuyingJobCompleted",
            "account job",
            "buyer",
            "the buyer finishes one of its six buying jobs (`job`)",
        ),
        _k(
            "BudgetAssigned",
            "account",
            "buyer",
            "a planned budget gets dollars assigned once requirements are set",
        ),
        _k("BuyingWindowClosed", "account", "buyer", "the buyer's window ends (its consensus job is done)"),
        # --- the sales organisation ------------------------------------------------------------------
        _k(
            "RepHired",
            "rep seat capacity",
            "rep",
            "a rep takes a seat; `capacity` is the share of full selling hours on day one (1 for the starting "
            "team)",
        ),
        _k(
            "RepDeparted",
            "rep seat days",
            "rep",
            "a rep leaves after `days` of tenure; the seat is vacant",
        ),
        _k("AdminHoursLogged", "rep hours", "rep", "weekly: the rep's hours not available for selling"),
        _k(
            "IdleHoursLogged",
            "rep hours day",
            "rep",
            "as a week ends (and at the horizon, pro rata, for the week under way): selling hours the rep had "
            "that week and did not use; `day` is the week's first day",
        ),
        _k(
            "WorkLogged",
            "rep account opp contact hours reason",
            "rep",
            "part of an activity (`reason`: the event kind it belongs to) that did not fit in one week",
        ),
        # --- prospecting and qualification -----------------------------------------------------------
        _k(
            "ContactMade",
            "rep account contact segment title hours reason",
            "rep",
            "a contact reaches someone of `title` at the account (`reason`: outbound prospecting, or inbound "
            "when the buyer reached out)",
        ),
        _k(
            "ContactReferredUp",
            "rep account contact title",
            "buyer",
            "a contact below the strategy's minimum title introduces the rep to a senior `title` (DiModica: "
            "by-pass them for senior management)",
        ),
        _k(
            "ContactDisqualified",
            "rep account contact title reason",
            "rep",
            "the strategy declines to meet this contact (title below the minimum)",
        ),
        _k("MeetingDeclined", "rep account contact", "buyer", "the contact declines a first meeting"),
        _k(
            "MeetingHeld",
            "rep account contact title hours",
            "rep",
            "a first meeting (a 20-minute test meeting under qualify-hard)",
        ),
        _k(
            "QualificationScored",
            "rep account contact score answers opp_type",
            "rep",
            "the 20-minute sales test's five answers (`answers`, one digit each: buying within the test window, "
            "budget assigned, decision maker VP+, pain stated, asks for a next step), `score` of 5, and the "
            "opportunity type",
        ),
        _k(
            "NurtureStarted",
            "rep account contact day",
            "rep",
            "the account goes to passive marketing follow-up until `day`, when it may be re-tested",
        ),
        _k("AccountCooledOff", "account day", "market", "an account that said no is left alone until `day`"),
        _k(
            "ReferralGiven",
            "account opp",
            "buyer",
            "a happy customer refers this account (warmer first contact)",
        ),
        # --- the opportunity ----------------------------------------------------------------------------
        _k(
            "OpportunityOpened",
            "rep account opp contact segment amount opp_type score",
            "rep",
            "an opportunity enters the pipeline at list price `amount`",
        ),
        _k(
            "CheckInMade",
            "rep account opp hours reason",
            "rep",
            "the rep checks in on an idle deal (`reason`: waiting_for_buyer or no_buying_window)",
        ),
        _k("StageAdvanced", "rep account opp stage hours", "rep", "a vendor-visible stage is done"),
        _k(
            "BuyerEnabled",
            "rep account opp stage hours",
            "rep",
            "help-them-buy: hours spent enabling the buyer's own process at this stage",
        ),
        _k(
            "StallRequested",
            "rep account opp stage reason hours days",
            "buyer",
            "the stalling CIO answers a stage with a low-value request (`reason`), costing `hours` and `days`",
        ),
        _k(
            "EvidenceFailed",
            "rep account opp stage reason days",
            "buyer",
            "evidence goes wrong (failed pilot, disappointing reference, overreaching innovation pitch)",
        ),
        _k(
            "ChampionCapitalSpent",
            "account opp stage capital_spent capital",
            "buyer",
            "the champion spends `capital_spent` political capital on an internal push; `capital` is what is "
            "left",
        ),
        _k(
            "PressureApplied",
            "rep account opp reason",
            "rep",
            "near period end, behind on quota: invented scarcity or a pending price increase (`reason`)",
        ),
        _k(
            "PressureWorked",
            "rep account opp days",
            "buyer",
            "an owner without procurement is rushed: the decision moves `days` earlier",
        ),
        _k(
            "ProcurementEngaged",
            "rep account opp",
            "procurement",
            "procurement takes over the commercial stage",
        ),
        _k(
            "SupplierRiskAssessed",
            "rep account opp hours days",
            "procurement",
            "risk assessment of a new supplier took `days` and the rep's paperwork `hours`",
        ),
        _k(
            "CapitalApprovalFellShort",
            "rep account opp hours days",
            "procurement",
            "the approved capital does not cover the deal: re-scope (`hours`) and re-approval (`days`)",
        ),
        _k(
            "PressureDetected",
            "rep account opp hours days",
            "procurement",
            "procurement sees through the invented urgency: repair `hours`, `days` of delay",
        ),
        _k(
            "NegotiationRoundHeld",
            "rep account opp hours discount",
            "procurement",
            "a negotiation round with procurement extracts `discount` of the remaining price",
        ),
        _k(
            "DiscountConceded",
            "rep account opp discount reason",
            "rep",
            "a discount (`discount` of the remaining price) for `reason`: negotiation, owner, period_end, "
            "pressure_detected",
        ),
        # --- terminal events: exactly one per opportunity -------------------------------------------------
        _k(
            "DealWon",
            "rep account opp segment amount discount reason",
            "buyer",
            "the buyer buys from us: `amount` after total `discount` (`reason`: won or conditional)",
        ),
        _k(
            "DealLost",
            "rep account opp segment reason",
            "buyer",
            "the buyer buys elsewhere: competitor; after_shortlist (we reached a buyer who had already "
            "shortlisted); not_ready (the rep had not finished the stage the buyer needed); "
            "lost_despite_winning (the champion's capital was spent)",
        ),
        _k(
            "NoDecisionReached",
            "rep account opp segment reason",
            "buyer",
            "the buyer does not decide: status_quo, indecision, further_evaluation (the stalling CIO), "
            "went_dark (no buying window opened for too long)",
        ),
        _k(
            "OpportunityWalkedAway",
            "rep account opp segment days reason",
            "rep",
            "the rep walks away after `days` without visible progress",
        ),
        _k("OpportunityCensored", "rep account opp segment", "engine", "still open when the run ends"),
        # --- after the sale ---------------------------------------------------------------------------
        _k("CommissionEarned", "rep opp amount", "rep", "commission on a won deal"),
        _k("AdoptionSucceeded", "account opp", "buyer", "the customer adopts what it bought"),
        _k("AdoptionFailed", "account opp", "buyer", "adoption fails: people, processes, trust in IT"),
        _k(
            "ReputationChanged",
            "opp reputation_change reputation reason",
            "market",
            "the vendor's reputation moves by `reputation_change` to `reputation` because of `reason`",
        ),
        # --- leadership and the quota clock ------------------------------------------------------------
        _k(
            "QuotaReviewed",
            "rep amount target attainment",
            "leadership",
            "monthly review: bookings this quota year `amount` against the `target` to date",
        ),
        _k(
            "QuotaYearStarted",
            "rep",
            "leadership",
            "a quota year starts (at quota_start_day and every twelve reviews after): bookings count from here",
        ),
        _k(
            "QuotaPeriodClosed",
            "rep amount target attainment reason",
            "leadership",
            "the quota year ends: bookings `amount` vs quota `target`; `reason` is made or missed",
        ),
        _k(
            "PipelineReviewed",
            "amount open_deals coverage",
            "leadership",
            "monthly: open pipeline value `amount`, `open_deals`, `coverage` of the quota still to book",
        ),
        _k(
            "ForecastCommitted",
            "amount day",
            "leadership",
            "monthly: bookings committed for the period ending on `day`, from the sales cycle reps expect",
        ),
        _k("RunEnded", "day", "engine", "the horizon is reached; nothing follows"),
    ]
}

MARKET_KINDS: tuple[str, ...] = (
    "AccountCreated",
    "BuyingWindowOpened",
    "BuyingCenterFormed",
    "BuyingJobCompleted",
    "BudgetAssigned",
    "BuyingWindowClosed",
)
"""Kinds drawn up front from the market stream: identical across strategies run on one seed."""

TERMINAL_KINDS = frozenset(
    {"DealWon", "DealLost", "NoDecisionReached", "OpportunityWalkedAway", "OpportunityCensored"}
)

Row = tuple[float, str, int | None, int | None, int | None, int | None, dict[str, Any]]
Sink = Callable[[float, str, int | None, int | None, int | None, int | None, dict[str, Any]], None]


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
        self._build_batch: BatchBuilder | None = None
        self._batches: list[tuple[int, int]] = []  # (rows emitted before the batch, happenings in it)
        self._batch_rows = 0

    def emit(
        self,
        kind: str,
        rep: int | None = None,
        account: int | None = None,
        opp: int | None = None,
        contact: int | None = None,
        **payload: Any,
    ) -> None:
        """Append one event at the current simulated time and apply it to the state.

        A payload field the schema does not have is a KeyError and a value of the wrong type a TypeError, at
        once: the stored log can never disagree with the live fold.
        """
        t = self._clock()
        row = self._count
        code = self._kind_codes.get(kind)
        if code is None:
            code = self._kind_codes[kind] = len(self._kinds)
            self._kinds.append(kind)
        fields = self._fields
        try:
            for name, value in payload.items():
                if value is not None:
                    field = fields[name]
                    codes = field.codes
                    if codes is None:
                        field.values.append(value)
                    else:
                        text_code = codes.get(value)
                        field.values.append(field.code(value) if text_code is None else text_code)
                    field.rows.append(row)
        except (KeyError, TypeError, OverflowError):
            self._forget_row(row)
            raise
        self._t.append(t)
        self._kind.append(code)
        self._rep.append(NULL_CODE if rep is None else rep)
        self._account.append(NULL_CODE if account is None else account)
        self._opp.append(NULL_CODE if opp is None else opp)
        self._contact.append(NULL_CODE if contact is None else contact)
        self._count = row + 1
        self._sink(t, kind, rep, account, opp, contact, payload)

    def _forget_row(self, row: int) -> None:
        """Take back the fields a refused event had already appended, so the log stays whole."""
        for field in self._fields.values():
            if field.rows and field.rows[-1] == row:
                field.rows.pop()
            if len(field.values) > len(field.rows):
                field.values.pop()

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


def iter_events(frame: pl.DataFrame) -> Iterator[Row]:
    """Rows of a stored log in the shape :meth:`EventLog.emit` produced them (nulls dropped from payloads)."""
    names = list(PAYLOAD_COLUMNS)
    columns = [frame[c].to_list() for c in ("t", "kind", "rep", "account", "opp", "contact", *names)]
    for values in zip(*columns, strict=True):
        payload = {n: v for n, v in zip(names, values[6:], strict=True) if v is not None}
        yield (values[0], values[1], values[2], values[3], values[4], values[5], payload)


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
