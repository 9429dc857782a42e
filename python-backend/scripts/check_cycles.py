"""No import cycle among the modules of authbridge and task_api (run by ``npm run lint``).

Imports under ``if TYPE_CHECKING:`` count too: a cycle of types is still a cycle to read.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = [ROOT / "authbridge" / "src" / "authbridge", ROOT / "task_api" / "src" / "task_api"]


def module_name(path: Path, package: Path) -> str:
    parts = [package.name, *path.relative_to(package).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, name: str, known: set[str]) -> set[str]:
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".") if is_package else name.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        found.update(target for target in targets if target in known and target != name)
    return found


def main() -> int:
    files = {module_name(path, package): path for package in PACKAGES for path in package.rglob("*.py")}
    graph = {name: imports_of(path, name, set(files)) for name, path in files.items()}
    # A package's __init__ re-exporting its own submodules is how Python packages are built, not a cycle.
    for name, path in files.items():
        if path.name == "__init__.py":
            graph[name] = {target for target in graph[name] if not target.startswith(f"{name}.")}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    trail: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        trail.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycles.append([*trail[trail.index(target) :], target])
            elif target not in state:
                visit(target)
        trail.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    for cycle in cycles:
        print("import cycle: " + " → ".join(cycle), file=sys.stderr)
    if not cycles:
        print(f"python: {len(graph)} modules without an import cycle")
    return 1 if cycles else 0


if __name__ == "__main__":
    sys.exit(main())
