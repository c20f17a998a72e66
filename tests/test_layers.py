"""The layers of the package, held by a test over its import graph (docs/architecture.md).

Data flows one way: each stage may import the stages below it and the leaf modules, never a
stage above it nor a sibling of its own rank; no two modules import each other, however
indirectly; a private name (``_x``) is not imported from another stage; nothing below the
command line prints to the terminal or ends the process. Imports inside functions count.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "ktop_index"

#: rank of each part of the package: a module may import parts of a lower rank and its own part
RANKS = {
    "ktop_index": 0, "errors": 0, "labels": 0, "reference": 0, "_files": 0, "_threads": 0,
    "data": 1, "index": 2, "synth": 3, "growth": 4, "selection": 5, "tracking": 6,
    "report": 7, "cli": 8, "app": 8,
}


def module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def part(module: str) -> str:
    """The stage a module belongs to: ``ktop_index.index.spec`` -> ``index``."""
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else "ktop_index"


def imports(tree: ast.AST, module: str, modules: set[str]) -> list[tuple[str, list[str], int]]:
    """(imported module, names taken from it, line) for every import of a package module."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name, [], node.lineno) for a in node.names
                      if a.name.startswith("ktop_index")]
        elif isinstance(node, ast.ImportFrom) and node.module:
            base = node.module
            if node.level:  # relative import
                base = ".".join(module.split(".")[:-node.level] + [node.module])
            if not base.startswith("ktop_index"):
                continue
            names = [a.name for a in node.names]
            submodules = [f"{base}.{n}" for n in names if f"{base}.{n}" in modules]
            found += [(s, [], node.lineno) for s in submodules]
            rest = [n for n in names if f"{base}.{n}" not in modules]
            if rest or not submodules:
                found.append((base, rest, node.lineno))
    return found


def import_graph(root: Path = PACKAGE) -> dict[str, list[tuple[str, list[str], int]]]:
    files = {module_name(p, root): p for p in sorted(root.rglob("*.py"))}
    modules = set(files)
    return {m: imports(ast.parse(p.read_text(encoding="utf-8")), m, modules)
            for m, p in files.items()}


def layer_violations(graph) -> list[str]:
    """Upward and sideways imports between stages."""
    bad = []
    for module, targets in graph.items():
        for target, _, line in targets:
            here, there = part(module), part(target)
            if here == there or RANKS[there] == 0:
                continue
            if RANKS[there] >= RANKS[here]:
                bad.append(f"{module}:{line} imports {target} ({here} may not import {there})")
    return bad


def cycles(graph) -> list[list[str]]:
    """Groups of modules that import each other (strongly connected, Tarjan)."""
    edges = {m: sorted({t for t, _, _ in targets if t in graph and t != m})
             for m, targets in graph.items()}
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in edges:
        if v not in index:
            visit(v)
    return found


def private_imports(graph) -> list[str]:
    """Private names taken from another stage's module."""
    return [f"{module}:{line} takes {', '.join(n for n in names if n.startswith('_'))} "
            f"from {target}"
            for module, targets in graph.items() for target, names, line in targets
            if part(target) != part(module)
            and any(n.startswith("_") and not n.startswith("__") for n in names)]


def terminal_use(root: Path = PACKAGE) -> list[str]:
    """print() and sys.exit() outside the command line."""
    bad = []
    for path in sorted(root.rglob("*.py")):
        module = module_name(path, root)
        if part(module) in ("cli", "app"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                f = node.func
                if (isinstance(f, ast.Name) and f.id == "print") or (
                        isinstance(f, ast.Attribute) and f.attr == "exit"
                        and isinstance(f.value, ast.Name) and f.value.id == "sys"):
                    bad.append(f"{module}:{node.lineno}")
    return bad


# ---------------------------------------------------------------------------- the checks

def test_every_part_of_the_package_has_a_rank():
    """A new subpackage must be placed in the layers before it can be used."""
    assert {part(m) for m in import_graph()} <= set(RANKS)


def test_no_stage_imports_a_stage_above_or_beside_it():
    assert layer_violations(import_graph()) == []


def test_no_import_cycles():
    assert cycles(import_graph()) == []


def test_no_private_names_across_stages():
    assert private_imports(import_graph()) == []


def test_only_the_command_line_talks_to_the_terminal():
    assert terminal_use() == []


# ---------------------------------------------------------------------------- the checker

@pytest.fixture
def toy(tmp_path):
    """A package with an upward import, a cycle, a private import and a print."""
    root = tmp_path / "ktop_index"
    for folder in ("data", "index"):
        (root / folder).mkdir(parents=True)
        (root / folder / "__init__.py").write_text("")
    (root / "__init__.py").write_text("")
    (root / "data" / "io.py").write_text("def f():\n    from ktop_index.index import spec\n")
    (root / "index" / "spec.py").write_text("from ktop_index.data.io import _private\n"
                                            "import ktop_index.index.other\nprint('x')\n")
    (root / "index" / "other.py").write_text("from ktop_index.index import spec\n")
    return root


def test_checker_finds_what_it_forbids(toy):
    """The checks above would fail on a package that breaks them (they can fail)."""
    graph = import_graph(toy)
    assert layer_violations(graph) == [
        "ktop_index.data.io:2 imports ktop_index.index.spec (data may not import index)"]
    assert cycles(graph) == [["ktop_index.data.io", "ktop_index.index.other",
                              "ktop_index.index.spec"]]
    assert private_imports(graph) == [
        "ktop_index.index.spec:1 takes _private from ktop_index.data.io"]
    assert terminal_use(toy) == ["ktop_index.index.spec:3"]
