"""The package's modules import one another without a circle, and only at the top of a module
(an import hidden inside a function is how a circle hides): a newcomer can read them in order."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "tap_procore"


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports_of(path: Path, known: set[str]) -> list[tuple[str, bool]]:
    """(module imported, whether inside a function), TYPE_CHECKING imports included."""
    found: list[tuple[str, bool]] = []

    def walk(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            if isinstance(child, ast.ImportFrom) and child.module:
                names = [child.module, *(f"{child.module}.{alias.name}" for alias in child.names)]
                found.extend((name, in_function) for name in names if name in known)
            elif isinstance(child, ast.Import):
                found.extend((a.name, in_function) for a in child.names if a.name in known)
            walk(child, inside)

    walk(ast.parse(path.read_text()), False)
    return found


def test_no_module_imports_another_inside_a_function():
    known = set(modules())
    hidden = [
        (module, imported)
        for module, path in modules().items()
        for imported, inside in imports_of(path, known)
        if inside
    ]
    assert hidden == []


def test_no_import_circle_among_the_package_modules():
    known = set(modules())
    graph: dict[str, set[str]] = defaultdict(set)
    for module, path in modules().items():
        graph[module] |= {name for name, _ in imports_of(path, known) if name != module}
    # Depth-first search for a back edge.
    state: dict[str, int] = {}
    circle: list[str] = []

    def visit(module: str, trail: list[str]) -> bool:
        state[module] = 1
        for imported in sorted(graph[module]):
            if state.get(imported) == 1:
                circle.extend([*trail[trail.index(imported) :], imported])
                return True
            if imported not in state and visit(imported, [*trail, imported]):
                return True
        state[module] = 2
        return False

    for module in sorted(known):
        if module not in state and visit(module, [module]):
            break
    assert circle == [], " -> ".join(circle)
