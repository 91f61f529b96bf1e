"""No import cycle in quizapp/: a module may import another only if that one does not lead
back to it.  Imports inside functions are left out (they run later, and each says why)."""
from __future__ import annotations

import ast
from pathlib import Path

import quizapp

ROOT = Path(quizapp.__file__).parent


def _module_name(path: Path) -> str:
    parts = ("quizapp", *path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _top_level_imports(path: Path, modules: set[str]) -> set[str]:
    """The quizapp modules ``path`` imports when it is imported: module-level statements,
    including those under ``if``/``try`` but not inside functions or classes."""
    found: set[str] = set()
    stack = list(ast.parse(path.read_text(encoding="utf-8")).body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.If, ast.Try)):
            stack.extend(ast.iter_child_nodes(node))
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:  # "from package import module" imports the module
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in modules else node.module)
    return {name for name in found if name in modules}


def test_quizapp_has_no_import_cycle():
    paths = {_module_name(path): path for path in ROOT.rglob("*.py") if "migrations" not in path.parts}
    graph = {name: _top_level_imports(path, set(paths)) - {name} for name, path in paths.items()}
    cycles = []
    state: dict[str, str] = {}

    def visit(name: str, trail: list[str]) -> None:
        state[name] = "open"
        for target in sorted(graph[name]):
            if state.get(target) == "open":
                cycles.append(" -> ".join([*trail[trail.index(target):], target]))
            elif target not in state:
                visit(target, [*trail, target])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []
