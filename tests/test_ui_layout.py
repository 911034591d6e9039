"""ui/ stays readable: grouped by feature, small modules, no import cycles (issue #11).

Read from the source, without importing Qt; the layers between the ui packages are
the import-linter contract in pyproject.toml.
"""

from __future__ import annotations

import ast
from pathlib import Path

UI = Path(__file__).resolve().parent.parent / "gongkai_desktop" / "ui"


def module_name(path: Path) -> str:
    parts = path.relative_to(UI.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def ui_imports(path: Path, known: set[str]) -> set[str]:
    """The ui modules ``path`` imports, lazily or not (annotations-only imports aside)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
                   and "TYPE_CHECKING" in ast.unparse(node.test) for n in ast.walk(node)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        module = (node.module or "") if isinstance(node, ast.ImportFrom) else ""
        if module.startswith("gongkai_desktop.ui"):
            assert isinstance(node, ast.ImportFrom)
            for alias in node.names:
                full = f"{module}.{alias.name}"
                found.add(full if full in known else module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("gongkai_desktop.ui"))
    return found & known


def test_top_level_holds_at_most_eight_modules() -> None:
    assert len(list(UI.glob("*.py"))) <= 8


def test_no_ui_module_over_600_lines() -> None:
    long = {str(p.relative_to(UI)): n for p in UI.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600}
    assert long == {}


def test_no_import_cycle_inside_ui() -> None:
    paths = {module_name(p): p for p in UI.rglob("*.py")}
    graph = {name: ui_imports(path, set(paths)) - {name} for name, path in paths.items()}
    done: set[str] = set()

    def visit(name: str, trail: list[str]) -> None:
        if name in trail:
            cycle = [*trail[trail.index(name):], name]
            raise AssertionError("import cycle: " + " -> ".join(cycle))
        if name in done:
            return
        for target in sorted(graph[name]):
            visit(target, [*trail, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])
