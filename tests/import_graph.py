"""The import graph of `layerwise`, read from the source with `ast` (nothing is imported).

Every `import` / `from ... import` statement that names a `layerwise` module becomes an edge;
an import inside a function (or method) body is *deferred*, one at module or class level is
*eager*; imports under `if TYPE_CHECKING:` never run and are left out. Importing
`layerwise.a.b` also runs `layerwise/a/__init__.py`, so it is an edge to `layerwise.a` too
(the root `layerwise/__init__.py` is left out: it is the top of the stack, re-exporting all).

Run as a script for the numbers the architecture issue tracks:
`python tests/import_graph.py` prints the largest import cycle and the deferred-import count.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "layerwise"
ROOT = Path(__file__).resolve().parents[1] / PACKAGE


@dataclass(frozen=True)
class Import:
    """One import statement of one module: where it points and whether it is deferred."""

    source: str
    target: str
    line: int
    deferred: bool
    statement: str  # the module the statement names (`target` may be one of its packages)


def module_files(root: Path = ROOT) -> dict[str, Path]:
    """Maps every module name under `root` (`layerwise.x.y`) to its file."""
    modules = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _statements(tree: ast.AST):
    """Yields (import node, deferred) pairs, skipping `if TYPE_CHECKING:` blocks."""
    stack = [(tree, False)]
    while stack:
        node, deferred = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    stack.append((other, deferred))
                continue
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                yield child, deferred
            inner = deferred or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                   ast.Lambda))
            stack.append((child, inner))


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> list[Import]:
    """The imports of `module` that point at other `layerwise` modules."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    is_package = path.name == "__init__.py"
    found = []
    for node, deferred in _statements(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            base = _resolve(module, is_package, node)
            # `from a import b` imports `a.b` when b is a module, else just `a`.
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
                     for a in node.names]
        for name in names:
            while name and name not in modules:  # `import a.b.c` of an attribute path
                name = name.rpartition(".")[0]
            if name == PACKAGE:  # `import layerwise`: the top of the stack itself
                found.append(Import(module, PACKAGE, node.lineno, deferred, PACKAGE))
                continue
            if not name.startswith(PACKAGE + "."):
                continue
            # Importing a.b.c runs the packages a.b and a first.
            parts = name.split(".")
            for end in range(2, len(parts) + 1):
                target = ".".join(parts[:end])
                if target != module and not module.startswith(target + "."):
                    found.append(Import(module, target, node.lineno, deferred, name))
    return found


def all_imports(root: Path = ROOT) -> list[Import]:
    """Every import between `layerwise` modules, eager and deferred."""
    modules = module_files(root)
    return [imp for name, path in modules.items() for imp in imports_of(name, path, modules)]


def strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components (iterative), largest first."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components = []
    counter = 0
    nodes = set(edges) | {t for targets in edges.values() for t in targets}
    for start in sorted(nodes):
        if start in index:
            continue
        work = [(start, iter(sorted(edges.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return sorted(components, key=len, reverse=True)


def cycles(imports: list[Import]) -> list[list[str]]:
    """The import cycles (components of more than one module), largest first."""
    edges: dict[str, set[str]] = {}
    for imp in imports:
        edges.setdefault(imp.source, set()).add(imp.target)
    return [c for c in strongly_connected(edges) if len(c) > 1]


def deferred_import_count(root: Path = ROOT) -> tuple[int, int]:
    """(import statements inside functions, files that have one), any library."""
    statements, files = 0, 0
    for path in module_files(root).values():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        count = sum(1 for _, deferred in _statements(tree) if deferred)
        statements += count
        files += bool(count)
    return statements, files


def main() -> None:
    imports = all_imports()
    found = cycles(imports)
    deferred = {(i.source, i.line) for i in imports if i.deferred}
    statements, files = deferred_import_count()
    print(f"cycles: {len(found)}; largest: {len(found[0]) if found else 0} modules")
    print(f"deferred imports: {statements} statements in {files} files "
          f"({len(deferred)} of them import layerwise modules)")
    if "-v" in sys.argv:
        for component in found:
            print(" ", component)


if __name__ == "__main__":
    main()
