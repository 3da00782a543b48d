"""Generated reference documentation: ``docs/events.md`` is rendered from the event declarations, never typed.

:func:`events_markdown` renders every event kind declared in ``sim/core/kinds.py`` (in declaration order,
under its section headings; fields, emitter and docstring from each class) and the log's column table (:data:`sim.core.events.SCHEMA`, with the meaning
of each payload column taken from its comment in ``sim/core/events.py``). The registry is the single source, so the
page cannot drift from the code; ``tests/test_docs.py`` checks the committed page against this function.

Regenerate with ``python -m sim.tools.docs > docs/events.md``.
"""

from __future__ import annotations

import ast
import inspect
import io
import re
import sys
import tokenize
from types import ModuleType

from sim.core import events, kinds
from sim.core.kinds import Event

NO_DESCRIPTION = "(no description)"
"""Shown for a column that has no comment in ``sim/core/events.py`` and is not one of the fixed columns."""

_FIXED_COLUMNS: dict[str, str] = {
    "seq": "position of the event in its run's log, from 0; ties in `t` are ordered by it",
    "t": "simulated day of the event (from the SimPy clock, never the wall clock)",
    "kind": "the event kind (one of the kinds below)",
    "rep": "the rep concerned (a rep id; a seat is refilled by a new rep id)",
    "account": "the buyer organisation concerned",
    "opp": "the opportunity concerned",
    "contact": "the prospecting contact concerned (one per `ContactMade`)",
}
"""Meanings of the columns every event has; payload columns are described by their comments in the source."""

_SECTION = re.compile(r"^#\s*-{2,}\s*(?P<title>.*?)\s*-*\s*$")


def _comments(module: ModuleType) -> dict[int, str]:
    """Every comment in a module's source, by line number (empty when the source is not available)."""
    try:
        source = inspect.getsource(module)
    except (OSError, TypeError):
        return {}
    return {
        tok.start[0]: tok.string
        for tok in tokenize.generate_tokens(io.StringIO(source).readline)
        if tok.type == tokenize.COMMENT
    }


def _assignment(tree: ast.Module, name: str) -> ast.AST | None:
    """The value assigned to a module-level ``name`` (plain or annotated assignment)."""
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == name:
            return node.value
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return node.value
    return None


def column_descriptions() -> dict[str, str]:
    """Meaning of every column of the log, keyed in :data:`sim.core.events.SCHEMA` order."""
    comments = _comments(events)
    from_source: dict[str, str] = {}
    if comments:
        tree = ast.parse(inspect.getsource(events))
        for name in ("ID_COLUMNS", "PAYLOAD_COLUMNS"):
            value = _assignment(tree, name)
            if isinstance(value, ast.Dict):
                for key in value.keys:
                    if isinstance(key, ast.Constant) and key.lineno in comments:
                        from_source[str(key.value)] = comments[key.lineno].lstrip("#").strip()
    return {
        column: from_source.get(column) or _FIXED_COLUMNS.get(column) or NO_DESCRIPTION
        for column in events.SCHEMA
    }


def kind_sections() -> list[tuple[str, list[type[Event]]]]:
    """The event kinds in declaration order, grouped under the section comments of ``sim/core/kinds.py``."""
    declared = list(events.KINDS.values())
    comments = _comments(kinds)
    if not comments:
        return [("event kinds", declared)]
    tree = ast.parse(inspect.getsource(kinds))
    line_of = {node.name: node.lineno for node in tree.body if isinstance(node, ast.ClassDef)}
    headings = sorted(
        (line, m.group("title")) for line, text in comments.items() if (m := _SECTION.match(text))
    )
    sections: list[tuple[str, list[type[Event]]]] = []
    for kind in declared:
        line = line_of.get(kind.__name__, 0)
        title = next((t for ln, t in reversed(headings) if ln < line), "event kinds")
        if not sections or sections[-1][0] != title:
            sections.append((title, []))
        sections[-1][1].append(kind)
    return sections


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _type_name(dtype: object) -> str:
    return str(getattr(dtype, "__name__", dtype))


def events_markdown() -> str:
    """The whole ``docs/events.md`` page, rendered from the event registry and the log schema."""
    out: list[str] = [
        "# Event log reference",
        "",
        "<!-- Generated from sim/core/kinds.py and sim/core/events.py by `python -m sim.tools.docs > docs/events.md`; do not edit. -->",
        "",
        "A run's only output is its event log: one row per event, every row with the same columns (fields an "
        "event kind does not use are null). Events are facts named in the past tense and are never changed "
        "once written; every figure salesim shows is computed from them (`sim.metrics`), and the state of "
        "every account, opportunity and rep is rebuilt by folding them (`sim.core.state.replay`).",
        "",
        f"Schema version: **{events.SCHEMA_VERSION}** (stored in the Parquet metadata of `events.parquet` "
        "under `salesim.schema_version`; a log written under another version is refused with a clear "
        "message).",
        "",
        "## Columns",
        "",
        "| column | type | meaning |",
        "|---|---|---|",
    ]
    for column, meaning in column_descriptions().items():
        out.append(f"| `{column}` | {_type_name(events.SCHEMA[column])} | {_cell(meaning)} |")
    terminal = ", ".join(f"`{k}`" for k in events.KINDS if k in events.TERMINAL_KINDS)
    out += [
        "",
        "## Event kinds",
        "",
        f"{len(events.KINDS)} kinds, in the order they are declared (`sim.core.kinds`, one class each). "
        "*Fields* are the columns besides `seq`, `t` and `kind` that the kind fills in; *emitted by* names the actor whose "
        "process writes it. Every opportunity ends in exactly one terminal event: " + terminal + ".",
    ]
    for title, section in kind_sections():
        out += [
            "",
            f"### {title[:1].upper()}{title[1:]}",
            "",
            "| kind | fields | emitted by | when |",
            "|---|---|---|---|",
        ]
        for kind in section:
            fields = " ".join(f"`{f}`" for f in kind.fields) or "–"
            out.append(f"| `{kind.__name__}` | {fields} | {kind.emitted_by} | {_cell(kind.when)} |")
    return "\n".join(out) + "\n"


def main() -> None:
    """Write the events page to standard output."""
    sys.stdout.write(events_markdown())


if __name__ == "__main__":
    main()
