"""The market's draw: every account and every buying window of a run, drawn up front from the market stream.

The buyers' side of the market (needs, windows, buying jobs, buying centers, and the uniform draws that settle
each window's decision) is drawn in one vectorised pass from its own stream before the run starts, every draw
keyed by the account's identity, so two strategies on the same seed face the very same market. Each persona
of the buying center draws its own presence and attributes in its own module (``stalling_cio``, ``champion``,
``procurement``), from the keyed draws this module hands it; the rest (deal size, needs, cycles, pain,
budget, group size, pilot and the decision's uniforms) is drawn here.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

from sim.config import MAX_BUYING_WINDOWS, SEGMENTS, Scenario, windows_per_account
from sim.core import rng
from sim.model import champion, procurement, stalling_cio
from sim.model.market import (
    BUDGETS,
    JOB_END_SHARES,
    PAINS,
    PERSONA_NAMES,
    Market,
    MarketTooLarge,
)

MARKET_DRAWS: tuple[str, ...] = (
    "deal_size",
    "first_need",
    "need_gap",
    "cycle",
    "pain",
    "budget",
    "group_size",
    "stalling_cio",
    "champion",
    "capital",
    "procurement",
    "pilot",
    "no_decision",
    "vendor",
    "inbound",
)
"""The market's draws, each keyed by (segment, account index within the segment, window number): an
account's story depends on its own identity only. Appending is safe; reordering changes every log."""


def _choice(uniforms: np.ndarray, probabilities: list[float]) -> np.ndarray:
    """Category indices drawn with the given probabilities, one per uniform."""
    cumulative = np.cumsum(probabilities)
    chosen: np.ndarray = np.minimum(
        np.searchsorted(cumulative, uniforms * cumulative[-1], side="right"), len(cumulative) - 1
    )
    return chosen


def generate_market(scenario: Scenario, seed: int) -> Market:
    """Draw every account and every buying window of the run, each draw keyed by the account's identity.

    The buyer's clock ticks in whole days: a window opens, and each buying job is done, on the first whole
    day at or after its drawn time. A buying group acts on a day, not at an instant, and a daily clock lets
    the market process log one day's happenings in one step instead of one step each.
    """
    key = rng.purpose_key(seed, rng.MARKET)
    switches = scenario.mechanisms
    market = Market()
    horizon = scenario.horizon_days
    seats = scenario.sales_org.seats  # planned hires' seats too: their territories wait for them
    windows_needed = sum(
        seg.accounts * windows_per_account(horizon, seg.need_interval_days)
        for _, seg in scenario.market.items()
    )
    if windows_needed > MAX_BUYING_WINDOWS:
        raise MarketTooLarge(
            f"market too large: {windows_needed:,} candidate buying windows (at most {MAX_BUYING_WINDOWS:,}); "
            "use fewer accounts, a shorter horizon or a longer need_interval_days"
        )
    shares = np.asarray(JOB_END_SHARES)
    open_days: list[np.ndarray] = []
    job_days: list[np.ndarray] = []
    for name, seg in scenario.market.items():
        n = seg.accounts
        if n == 0:
            continue
        first_id = market.accounts
        segment_code = SEGMENTS.index(name)
        local = np.arange(n)
        k = windows_per_account(horizon, seg.need_interval_days)

        def per_account(draw: str, code: int = segment_code, index: np.ndarray = local) -> np.ndarray:
            return rng.keyed_uniforms(key, MARKET_DRAWS.index(draw), code, index)

        def per_window(
            draw: str, code: int = segment_code, index: np.ndarray = local, k: int = k
        ) -> np.ndarray:
            windows = np.arange(k)[None, :]
            return rng.keyed_uniforms(key, MARKET_DRAWS.index(draw), code, index[:, None], windows)

        deal = seg.deal_size.median * np.exp(seg.deal_size.sigma * ndtri(per_account("deal_size")))
        market.segment.extend([name] * n)
        market.identity.extend(((segment_code << 32) | local).tolist())
        market.deal_size.extend(np.round(deal, 2).tolist())
        account_seats = (local % seats).tolist()
        market.seat.extend(account_seats)
        for index, seat in enumerate(account_seats):
            market.territory.setdefault((seat, name), []).append(first_id + index)

        bc = seg.buying_center
        first = per_account("first_need") * seg.need_interval_days
        gaps = -np.log1p(-per_window("need_gap")) * seg.need_interval_days
        cycle = seg.buying_cycle_days.median * np.exp(
            seg.buying_cycle_days.sigma * ndtri(per_window("cycle"))
        )
        pain = _choice(per_window("pain"), seg.pain.probabilities())
        budget = _choice(per_window("budget"), seg.budget.probabilities())
        low, high = bc.group_size.min, bc.group_size.max
        group = low + np.minimum((per_window("group_size") * (high - low + 1)).astype(np.int64), high - low)
        cio = stalling_cio.present(per_window, bc, switches.stalling_cio)
        capital = champion.capital(per_window, bc, switches.champion)
        procurement_runs = procurement.runs(per_window, bc.procurement, switches.procurement)
        pilot = per_window("pilot") < seg.pilot_probability
        u_nd = per_window("no_decision")
        u_vendor = per_window("vendor")
        u_inbound = per_window("inbound")

        cycle = stalling_cio.stretch_cycles(cycle, cio, bc.stall_cycle_factor)
        # Window j opens after the previous window's decision plus a fresh need gap.
        spans = np.concatenate([np.zeros((n, 1)), (cycle + gaps)[:, :-1]], axis=1)
        drawn_open = first[:, None] + np.cumsum(spans, axis=1)
        opens = np.ceil(drawn_open)
        jobs = np.ceil(drawn_open[:, :, None] + cycle[:, :, None] * shares)
        # Windows that open before the horizon, account by account and in time order within an account.
        keep = opens < horizon
        kept = int(keep.sum())
        first_window = len(market.w_account)
        seg_opens = opens[keep]
        market.first_window.extend((first_window + np.cumsum(keep.sum(axis=1))).tolist())
        market.w_account.extend((np.nonzero(keep)[0] + first_id).tolist())
        market.w_open.extend(seg_opens.tolist())
        seg_jobs = jobs[keep]
        market.w_jobs.extend(map(tuple, seg_jobs.tolist()))
        market.w_pain.extend([PAINS[i] for i in pain[keep].tolist()])  # shared strings: 8 bytes a window
        market.w_budget.extend([BUDGETS[i] for i in budget[keep].tolist()])
        market.w_group.extend(group[keep].tolist())
        market.w_cio.extend(cio[keep].tolist())
        market.w_capital.extend(capital[keep].tolist())
        market.w_procurement.extend(procurement_runs[keep].tolist())
        market.w_pilot.extend(pilot[keep].tolist())
        persona_code = cio[keep] * 4 + (capital[keep] > 0) * 2 + procurement_runs[keep] * 1
        market.w_personas.extend([PERSONA_NAMES[i] for i in persona_code.tolist()])
        market.w_u_no_decision.extend(u_nd[keep].tolist())
        market.w_u_vendor.extend(u_vendor[keep].tolist())
        market.w_u_inbound.extend(u_inbound[keep].tolist())
        assert len(market.w_account) == first_window + kept
        open_days.append(seg_opens)
        job_days.append(seg_jobs)
    if open_days:
        market.open_days = np.concatenate(open_days)
        market.job_days = np.concatenate(job_days)
    return market
