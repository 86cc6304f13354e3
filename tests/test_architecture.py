"""The shape of the pipeline: stages share the model and no module imports another in a circle.

Lazy imports inside functions count too: a circle there is a circle in the design.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "briefgen"


def _stage(module: str) -> str:
    """A module is a node; a package's ``__init__`` is the package (``briefgen.format``)."""
    return module


def _imports() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        stage = _stage(".".join(("briefgen", *parts)).removesuffix(".__init__"))
        if stage == "briefgen" or stage.startswith("briefgen.__"):
            continue  # the package's lazy public names, ``python -m``
        targets = graph.setdefault(stage, set())
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("briefgen."):
                target = _stage(str(node.module))
                if target != stage:
                    targets.add(target)
    return graph


def test_no_import_circle_between_stages() -> None:
    graph = _imports()
    circles = []

    def visit(stage: str, path: list[str]) -> None:
        for target in sorted(graph.get(stage, ())):
            if target in path:
                circles.append(" → ".join([*path[path.index(target) :], target]))
            elif target in graph:
                visit(target, [*path, target])

    for stage in sorted(graph):
        visit(stage, [stage])
    assert circles == []


def test_the_model_imports_no_stage() -> None:
    # Leaves every stage shares: errors, configuration, and the rule for links (urls).
    assert _imports()["briefgen.model"] <= {"briefgen.errors", "briefgen.config", "briefgen.urls"}
    assert _imports()["briefgen.urls"] == set()
