"""The package's layers, checked on the source: no import circles, and no layer reaching up.

Read bottom to top: ``sim.config`` (what a scenario may say) ← ``sim.core`` (events, state fold, streams, the
thin world) ← ``sim.model`` (one module per mechanism) ← ``sim.engine`` (wires the processes). Storage,
metrics, charts and the command line sit beside or above the engine and never below it: the model cannot
see how its log is stored or charted, and the charts read stored results, never the engine or the model.

Imports inside ``if TYPE_CHECKING:`` are annotations only, but a reader follows them like any other: the
circle check and the layer rules hold for them too. ``from sim import metrics`` imports the submodule, not
the lazy package, and counts as such.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import sim

ROOT = Path(sim.__file__).parent

# What each layer may import from the package (besides itself). A module not listed may import anything.
ALLOWED: dict[str, tuple[str, ...]] = {
    "sim.config": (),
    "sim.core": ("sim.config",),
    "sim.model": ("sim.config", "sim.core"),
    "sim.engine": ("sim.config", "sim.core", "sim.model"),
}
NEVER: dict[str, tuple[str, ...]] = {
    "sim.viz": ("sim.engine", "sim.model", "sim.cli"),
    "sim.metrics": ("sim.engine", "sim.model", "sim.viz", "sim.cli", "sim.store"),
    "sim.store": ("sim.engine", "sim.model", "sim.viz", "sim.cli"),
    "sim.study": ("sim.viz", "sim.cli"),
    "sim.study.analysis": ("sim.engine", "sim.model", "sim.viz", "sim.cli"),
}
"""Layers that must not import these, directly or through anything they import at run time."""


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _target(name: str) -> str | None:
    """The package module an import names (a submodule if it is one, else its package)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(module: str) -> tuple[set[str], set[str]]:
    """(runtime imports, type-only imports) of one module, as package module names."""
    tree = ast.parse(MODULES[module].read_text(), filename=str(MODULES[module]))
    runtime: set[str] = set()
    typing_only: set[str] = set()
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]

    def visit(node: ast.AST, bucket: set[str]) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for grandchild in child.body:
                    visit_one(grandchild, typing_only)
                for grandchild in child.orelse:
                    visit_one(grandchild, bucket)
            else:
                visit_one(child, bucket)

    def visit_one(node: ast.AST, bucket: set[str]) -> None:
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{alias.name}" for alias in node.names]
            if not all(_target(name) == name for name in names):  # not only submodules: the package too
                names.append(base)
        else:
            visit(node, bucket)
            return
        for name in names:
            target = _target(name)
            if target is not None and target != module and target.startswith("sim"):
                bucket.add(target)

    visit(tree, runtime)
    return runtime, typing_only - runtime


GRAPH = {module: imports_of(module) for module in MODULES}


def _layer(module: str, layers: dict[str, tuple[str, ...]]) -> str | None:
    return next((layer for layer in layers if module == layer or module.startswith(layer + ".")), None)


def _closure(module: str) -> set[str]:
    seen: set[str] = set()
    todo = [module]
    while todo:
        for target in GRAPH[todo.pop()][0]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def test_no_import_circles() -> None:
    """A circle means two modules cannot be read, tested or changed apart; a type-only import counts (a
    reader follows it just the same)."""
    state: dict[str, int] = {}
    path: list[str] = []
    circles: list[list[str]] = []

    def walk(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in sorted(GRAPH[module][0] | GRAPH[module][1]):
            if state.get(target) == 1:
                circles.append([*path[path.index(target) :], target])
            elif target not in state:
                walk(target)
        path.pop()
        state[module] = 2

    for module in sorted(GRAPH):
        if module not in state:
            walk(module)
    assert not circles, "import circles: " + "; ".join(" -> ".join(c) for c in circles)


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _layer(m, ALLOWED)))
def test_lower_layers_do_not_reach_up(module: str) -> None:
    layer = _layer(module, ALLOWED)
    assert layer is not None
    runtime, typing_only = GRAPH[module]
    allowed = (layer, *ALLOWED[layer])
    reaching_up = sorted(
        t
        for t in runtime | typing_only
        if t != "sim" and not any(t == a or t.startswith(a + ".") for a in allowed)
    )
    assert not reaching_up, f"{module} ({layer}) imports {reaching_up}; it may import only {allowed}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _layer(m, NEVER)))
def test_views_and_storage_never_load_the_engine(module: str) -> None:
    layer = _layer(module, NEVER)
    assert layer is not None
    reached = _closure(module) | GRAPH[module][1]
    banned = sorted(t for t in reached if any(t == b or t.startswith(b + ".") for b in NEVER[layer]))
    assert not banned, f"{module} reaches {banned}, which {layer} must never import"


EMITTING = [p for m, p in MODULES.items() if m.startswith("sim.model.") or m == "sim.engine"]


@pytest.mark.parametrize("path", EMITTING, ids=lambda p: p.stem)
def test_the_model_emits_typed_events_not_kind_strings(path: Path) -> None:
    """An event is built from its declared class (``sim.core.kinds``), so a misspelt field is a type error;
    ``emit("Kind", ...)`` with a string would take any keyword and fail, if at all, at run time."""
    calls = [
        node.lineno
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path)))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute | ast.Name)
        and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id) == "emit"
        and any(isinstance(arg, ast.Constant) and isinstance(arg.value, str) for arg in node.args)
    ]
    assert not calls, f"{path.name} emits a kind by its name on lines {calls}"


def test_the_rules_see_the_layers() -> None:
    """The checks above would pass vacuously if the walk found no modules or no imports."""
    assert {"sim.config", "sim.core.events", "sim.model.deal", "sim.engine"} <= {
        m if m in MODULES else "" for m in ("sim.config", "sim.core.events", "sim.model.deal", "sim.engine")
    }
    assert "sim.model.opportunity" in GRAPH["sim.model.deal"][0]
    assert "sim.results" in GRAPH["sim"][1]  # the lazy API's type-only imports, seen as such
