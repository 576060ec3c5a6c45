"""Turn the schema files into one self-contained JSON Schema document.

Tools that cannot follow ``$ref`` across files (hypothesis-jsonschema,
datamodel-code-generator's single-module output, other languages' generators)
need a single document. This module has no dependencies beyond the standard
library, because ``codegen/`` loads it by path before the package can be
imported.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin

__all__ = ["bundle"]

JsonObject = dict[str, Any]

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"


def bundle(documents: Mapping[str, JsonObject], root: str | None = None) -> JsonObject:
    """Bundle schema documents into one, with every ``$ref`` local.

    ``documents`` maps a file's path (relative to ``schema/``) to its parsed
    content; every document must have a ``$id`` and a ``title``. Each document
    becomes ``$defs/<title>``, and every ``$ref`` (and every discriminator
    mapping, which names schemas the same way) points there. With ``root``
    (a path in ``documents``), the result validates like that document;
    without it the result only holds the definitions.
    """
    by_id = {doc["$id"]: doc for doc in documents.values()}
    titles = [doc["title"] for doc in documents.values()]
    duplicates = {t for t in titles if titles.count(t) > 1}
    if duplicates:
        raise ValueError(f"schema titles must be unique, repeated: {sorted(duplicates)}")

    def local(base: str, ref: str) -> str:
        target = urljoin(base, ref)
        if target not in by_id:
            raise ValueError(f"unresolvable $ref {ref!r} in {base}")
        title: str = by_id[target]["title"]
        return "#/$defs/" + title

    def rewrite(node: Any, base: str) -> Any:
        if isinstance(node, dict):
            out: JsonObject = {}
            for key, value in node.items():
                if key == "$ref":
                    out[key] = local(base, value)
                elif key in ("$id", "$schema"):
                    continue
                elif key == "discriminator" and isinstance(value, dict) and "mapping" in value:
                    mapping = {tag: local(base, ref) for tag, ref in value["mapping"].items()}
                    out[key] = {**value, "mapping": mapping}
                else:
                    out[key] = rewrite(value, base)
            return out
        if isinstance(node, list):
            return [rewrite(item, base) for item in node]
        return copy.deepcopy(node)

    result: JsonObject = {"$schema": DRAFT_2020_12}
    if root is not None:
        result["$ref"] = "#/$defs/" + documents[root]["title"]
    result["$defs"] = {
        doc["title"]: rewrite(doc, doc["$id"]) for _, doc in sorted(documents.items())
    }
    return result
