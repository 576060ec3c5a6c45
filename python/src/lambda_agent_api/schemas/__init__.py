"""The protocol's JSON Schema files, shipped inside the package.

These are the files of the repository's ``schema/`` directory (draft 2020-12),
so a program can validate against the source of truth without the repository::

    from lambda_agent_api.schemas import validator_for
    end = validator_for("server/agent_event_end.json")
    end.validate({"type": "AGENT_EVENT_END", "tokens_used": 3})
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any, Final

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from lambda_agent_api._bundle import bundle

__all__ = [
    "BASE_URI",
    "bundled_schema",
    "message_schema_path",
    "registry",
    "schema",
    "schema_paths",
    "validator_for",
]

BASE_URI: Final = "https://agent-api.lambda.coredump.ru/schema/v1.1/"
"""Where the schema files are published; every ``$id`` starts with it."""


@cache
def _documents() -> dict[str, dict[str, Any]]:
    text = files("lambda_agent_api").joinpath("_schemas.json").read_text(encoding="utf-8")
    documents: dict[str, dict[str, Any]] = json.loads(text)["schemas"]
    return documents


def schema_paths() -> list[str]:
    """Paths of every schema file, relative to ``schema/`` (``"server/status.json"``, ...)."""
    return sorted(_documents())


def schema(path: str) -> dict[str, Any]:
    """Return a copy of the schema file at ``path`` (relative to ``schema/``).

    Raises:
        KeyError: no schema file has that path.

    """
    documents = _documents()
    if path not in documents:
        raise KeyError(f"no schema {path!r}; known: {', '.join(sorted(documents))}")
    result: dict[str, Any] = json.loads(json.dumps(documents[path]))
    return result


@cache
def _message_schema_paths() -> dict[str, str]:
    paths = {}
    for path, document in _documents().items():
        type_property = document.get("properties", {}).get("type")
        if type_property is not None:
            paths[type_property["default"]] = path
    return paths


def message_schema_path(type_: str) -> str | None:
    """Return the path of the schema of the message whose ``type`` is ``type_``, if known."""
    return _message_schema_paths().get(type_)


@cache
def registry() -> Registry[Any]:
    """Return a ``referencing`` registry holding every schema file under its ``$id``."""
    resources = [
        (document["$id"], Resource.from_contents(document, default_specification=DRAFT202012))
        for document in _documents().values()
    ]
    return Registry().with_resources(resources).crawl()


@cache
def validator_for(path: str) -> Draft202012Validator:
    """Return a draft 2020-12 validator for the schema file at ``path``, with ``$ref`` resolved.

    Raises:
        KeyError: no schema file has that path.

    """
    return Draft202012Validator(schema(path), registry=registry())


def bundled_schema(path: str) -> dict[str, Any]:
    """Return the schema at ``path`` as one self-contained document (every ``$ref`` local).

    For tools that cannot follow references between files.
    """
    schema(path)  # a clear KeyError for an unknown path
    return bundle(_documents(), root=path)
