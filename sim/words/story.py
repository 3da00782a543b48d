"""The story of one deal in plain words, one event a line, read straight off the log.

"day 112  CIO asks for a scalability test  6.0 h  (total 41.5 h)": the trainer's view of why a deal stalls.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from rich.table import Table

from sim import metrics

_REQUESTS = {
    "clarify_requirements": "CIO asks to clarify the requirements",
    "validate_use_case": "CIO asks to validate a use case",
    "integration_question": "CIO asks how it integrates",
    "scalability_test": "CIO asks for a scalability test",
    "extend_pilot": "CIO asks to extend the pilot",
    "present_to_management": "CIO asks for a presentation to management",
}


_TITLES = {"vp": "VP", "c_level": "C-level executive"}


def _someone(title: Any) -> str:
    """A contact's title with its article, in words: "a manager", "an owner", "a VP"."""
    name = _TITLES.get(str(title), str(title).replace("_", " "))
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def _days(value: Any) -> str:
    """A number of days in words: "1 day", "12 days"."""
    n = round(float(value))
    return f"{n} day" if n == 1 else f"{n} days"


def describe(row: dict[str, Any]) -> str:
    """One event as a phrase a workshop room understands (no internal names, codes or ids)."""
    kind, reason, stage = row["kind"], row.get("reason"), row.get("stage")
    match kind:
        case "ContactMade":
            return f"rep reaches {_someone(row['title'])} at the account"
        case "ContactReferredUp":
            return f"the contact introduces the rep to {_someone(row['title'])}"
        case "MeetingHeld":
            return f"first meeting with the {_someone(row['title']).split(' ', 1)[1]}"
        case "QualificationScored":
            return f"20-minute test scores {row['score']} of 5: {row['opp_type'].replace('_', ' ')}"
        case "OpportunityOpened":
            return f"opportunity opened at list ${row['amount']:,.0f}"
        case "CheckInMade":
            return (
                "rep checks in; buyer not ready"
                if reason == "waiting_for_buyer"
                else "rep checks in; no buying window"
            )
        case "StageAdvanced":
            return f"{stage} done"
        case "BuyerEnabled":
            return f"rep helps the buyer through its own process ({stage})"
        case "StallRequested":
            return _REQUESTS.get(str(reason), f"CIO request: {reason}")
        case "EvidenceFailed":
            return f"evidence goes wrong: {str(reason).replace('_', ' ')} ({_days(row['days'])} set back)"
        case "ChampionCapitalSpent":
            return f"champion spends {row['capital_spent']:.1f} political capital at {stage}; {row['capital']:.1f} left"
        case "PressureApplied":
            return f"rep invents urgency: {str(reason).replace('_', ' ')}"
        case "PressureWorked":
            return f"owner rushed by the urgency ({_days(row['days'])} sooner)"
        case "PressureDetected":
            return "procurement sees through the invented urgency"
        case "ProcurementEngaged":
            return "procurement takes over"
        case "SupplierRiskAssessed":
            return f"supplier risk assessment done after {_days(row['days'])}"
        case "CapitalApprovalFellShort":
            return f"capital approval falls short; re-approval takes {_days(row['days'])}"
        case "NegotiationRoundHeld":
            return f"negotiation round: {row['discount']:.0%} off"
        case "DiscountConceded":
            return f"discount {row['discount']:.1%} ({str(reason).replace('_', ' ')})"
        case "WorkLogged":
            return "part of the next step; the rest waits for next week's hours"
        case "CommissionEarned":
            return f"rep earns ${row['amount']:,.0f} commission"
        case "AdoptionSucceeded":
            return "customer adopts what it bought"
        case "AdoptionFailed":
            return "adoption fails (people, processes, trust in IT)"
        case "ReputationChanged":
            return f"vendor reputation {row['reputation_change']:+.3f} → {row['reputation']:.3f} ({str(reason).replace('_', ' ')})"
        case "DealWon":
            return f"WON ${row['amount']:,.0f} after {row['discount']:.0%} total discount ({reason})"
        case "DealLost":
            return f"LOST ({str(reason).replace('_', ' ')})"
        case "NoDecisionReached":
            return f"NO DECISION ({str(reason).replace('_', ' ')})"
        case "OpportunityWalkedAway":
            return f"rep walks away after {_days(row['days'])} without visible progress"
        case "OpportunityCensored":
            return "still open when the simulation ends"
        case "BuyingJobCompleted":
            return f"buyer finishes {str(row['job']).replace('_', ' ')}"
        case "BuyingWindowOpened":
            return f"buyer's need triggers: pain {row['pain']}, budget {row['budget']}"
        case "BuyingWindowClosed":
            return "buyer's window closes"
        case "BudgetAssigned":
            return "budget dollars assigned"
    return str(kind)


def deal_events(events: pl.DataFrame, opp: int) -> pl.DataFrame | None:
    """The deal's own events plus the buyer's events at its account while it was open (None if unknown)."""
    own = events.filter(pl.col("opp") == opp)
    opened = own.filter(pl.col("kind") == "OpportunityOpened")
    if opened.height == 0:
        return None
    account, start, end = opened["account"][0], opened["t"][0], own["t"].max()
    contact = opened["contact"][0]
    buyer = events.filter(
        (pl.col("account") == account)
        & pl.col("opp").is_null()
        & pl.col("t").is_between(start, end)
        & pl.col("kind").is_in(
            ["BuyingJobCompleted", "BuyingWindowOpened", "BuyingWindowClosed", "BudgetAssigned"]
        )
    )
    prelude = events.filter((pl.col("contact") == contact) & pl.col("opp").is_null())
    return pl.concat([prelude, own, buyer]).sort("seq")


def deal_story(events: pl.DataFrame, opp: int) -> list[str] | None:
    """Lines like ``day 112  CIO asks for a scalability test  6.0 h  (total 41.5 h)``; None if no such deal."""
    rows = deal_events(events, opp)
    if rows is None:
        return None
    total = 0.0
    lines = []
    for row in rows.iter_rows(named=True):
        hours = row["hours"]
        cost = ""
        if hours:
            total += hours
            cost = f"{hours:5.1f} h  (total {total:.1f} h)"
        lines.append(f"day {row['t']:6.1f}  {describe(row):<60} {cost}".rstrip())
    return lines


def notable_deals(events: pl.DataFrame, limit: int = 12) -> Table:
    """Deals worth telling: the most hours burnt, by outcome."""
    opps = metrics.opportunities(events).sort("hours", descending=True).head(limit)
    table = Table(
        title="deals with the most rep hours (replay one with --opportunity ID)", header_style="bold"
    )
    for col in ("opp", "segment", "opp_type", "outcome", "outcome_reason", "cycle_days", "hours"):
        table.add_column(col)
    for row in opps.iter_rows(named=True):
        table.add_row(
            *(
                f"{row[c]:.1f}" if isinstance(row[c], float) else str(row[c])
                for c in ("opp", "segment", "opp_type", "outcome", "outcome_reason", "cycle_days", "hours")
            )
        )
    return table
