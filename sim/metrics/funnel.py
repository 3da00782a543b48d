"""The funnel from first contact to outcome: each contact's path as flows between nodes, and node counts.

:func:`funnel_flows` is the one definition; :func:`funnel_node_totals` reads what passes through each node
off the flows (for one run or for mean flows over replications), and :func:`funnel` is those totals, plus
the qualification count that is not a node of the flows.
"""

from __future__ import annotations

import polars as pl

from sim.metrics.log import Log, lazy
from sim.metrics.opportunities import OUTCOMES, opportunities

FUNNEL_STAGES: tuple[str, ...] = (
    "contact",
    "meeting",
    "qualified",
    "opportunity",
    "proposal",
    "procurement",
    *OUTCOMES,
)
"""Rows of :func:`funnel`, from first touch to outcome."""

FUNNEL_NODES: tuple[str, ...] = (
    "contact",
    "no meeting",
    "meeting",
    "no opportunity",
    "opportunity",
    "proposal",
    "procurement",
    *OUTCOMES,
)
"""Nodes of :func:`funnel_flows`, from first touch to outcome."""


def funnel_flows(events: Log) -> pl.DataFrame:
    """The funnel as flows between stages (``source``, ``target``, ``count``), consistent node by node.

    Each contact follows one path: contact, then a meeting or ``no meeting``; a meeting leads to an
    opportunity or ``no opportunity``; an opportunity passes through proposal and procurement only if it
    reached them, and ends in its outcome (won, lost, no_decision, walked_away, or open at the end). So what
    flows into a node equals what flows out of it, and the node totals are the counts of :func:`funnel`.
    """
    lf = lazy(events)
    contacts = lf.filter(pl.col("kind") == "ContactMade").select("contact", pl.lit(True).alias("contacted"))
    met = (
        lf.filter(pl.col("kind") == "MeetingHeld")
        .select("contact", pl.lit(True).alias("met"))
        .unique("contact")
    )
    opened = lf.filter(pl.col("kind") == "OpportunityOpened").select("opp", "contact")
    proposal = (
        lf.filter((pl.col("kind") == "StageAdvanced") & (pl.col("stage") == "proposal"))
        .select("opp", pl.lit(True).alias("proposal"))
        .unique("opp")
    )
    procurement = (
        lf.filter(pl.col("kind") == "ProcurementEngaged")
        .select("opp", pl.lit(True).alias("procurement"))
        .unique("opp")
    )
    outcome = opportunities(lf).select("opp", "outcome").lazy()
    people = (
        contacts.join(met, on="contact", how="full", coalesce=True)
        .join(opened, on="contact", how="full", coalesce=True)
        .join(proposal, on="opp", how="left")
        .join(outcome, on="opp", how="left")
        .join(procurement, on="opp", how="left")
    )
    has_opp = pl.col("opp").is_not_null()

    def step(flag: pl.Expr, node: str) -> pl.Expr:
        return pl.when(flag).then(pl.lit(node)).otherwise(pl.lit(None, dtype=pl.String))

    path = pl.concat_list(
        step(pl.col("contacted").fill_null(False), "contact"),
        step(pl.col("met").fill_null(False), "meeting"),
        step(~has_opp & pl.col("met").fill_null(False), "no opportunity"),
        step(~has_opp & ~pl.col("met").fill_null(False), "no meeting"),
        step(has_opp, "opportunity"),
        step(pl.col("proposal").fill_null(False), "proposal"),
        step(pl.col("procurement").fill_null(False), "procurement"),
        pl.when(has_opp).then(pl.col("outcome").fill_null("open")),
    ).list.drop_nulls()
    order = {name: i for i, name in enumerate(FUNNEL_NODES)}
    flows = (
        people.select(path.alias("path"))
        .select(
            pl.col("path").list.head(pl.col("path").list.len() - 1).alias("source"),
            pl.col("path").list.tail(pl.col("path").list.len() - 1).alias("target"),
        )
        .explode("source", "target")
        .drop_nulls()
        .group_by("source", "target")
        .agg(pl.len().cast(pl.Int64).alias("count"))
        .collect()
    )
    return (
        flows.with_columns(
            pl.col("source").replace_strict(order, return_dtype=pl.Int64).alias("_s"),
            pl.col("target").replace_strict(order, return_dtype=pl.Int64).alias("_t"),
        )
        .sort("_s", "_t")
        .drop("_s", "_t")
    )


def funnel_node_totals(flows: pl.DataFrame, value: str = "count") -> dict[str, float]:
    """What passes through each node that ``flows`` touch, in :data:`FUNNEL_NODES` order.

    ``flows``: ``source``, ``target`` and a ``value`` column (:func:`funnel_flows`' counts, or mean flows
    over replications). A node's total is the larger of its inflow and its outflow: the first node has only
    an outflow, an outcome only an inflow, and in between the two are equal.
    """
    inflow: dict[str, float] = {}
    outflow: dict[str, float] = {}
    for source, target, amount in flows.select("source", "target", value).iter_rows():
        outflow[source] = outflow.get(source, 0.0) + amount
        inflow[target] = inflow.get(target, 0.0) + amount
    return {
        node: max(inflow.get(node, 0.0), outflow.get(node, 0.0))
        for node in FUNNEL_NODES
        if node in inflow or node in outflow
    }


def funnel(events: Log) -> pl.DataFrame:
    """Counts from contact to close: contacts, meetings, qualified, opportunities, proposal, procurement, outcomes."""
    lf = lazy(events)
    qualified = (
        lf.filter(
            (pl.col("kind") == "QualificationScored")
            & pl.col("opp_type").is_in(["qualified_prospect", "qualified_buyer"])
        )
        .select(pl.len())
        .collect()
        .item()
    )
    totals = funnel_node_totals(funnel_flows(lf)) | {"qualified": qualified}
    return pl.DataFrame(
        {"stage": list(FUNNEL_STAGES), "count": [int(totals.get(stage, 0)) for stage in FUNNEL_STAGES]},
        schema={"stage": pl.String, "count": pl.Int64},
    )
