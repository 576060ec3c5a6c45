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

from lambda_agent_api._bundle import bundle, message_tag

__all__ = [
    "BASE_URI",
    "asyncapi_document",
    "bundle_document",
    "bundled_schema",
    "message_schema_path",
    "registry",
    "schema",
    "schema_paths",
    "validator_for",
]

BASE_URI: Final = "https://agent-api.lambda.coredump.ru/schema/v1.1/"
"""Where the schema files are published: a file's address is ``BASE_URI + path``.

The files carry no ``$id`` (a file is known by where it lies, so that relative
``$ref``s resolve offline from a checkout as from the site); the registry below
gives each file this address as its URI.
"""


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
        tag = message_tag(document)
        if tag is not None:
            paths[tag] = path
    return paths


def message_schema_path(type_: str) -> str | None:
    """Return the path of the schema of the message whose ``type`` is ``type_``, if known."""
    return _message_schema_paths().get(type_)


@cache
def registry() -> Registry[Any]:
    """Return a ``referencing`` registry holding every schema file at ``BASE_URI + path``."""
    resources = [
        (BASE_URI + path, Resource.from_contents(document, default_specification=DRAFT202012))
        for path, document in _documents().items()
    ]
    return Registry().with_resources(resources).crawl()


@cache
def validator_for(path: str) -> Draft202012Validator:
    """Return a draft 2020-12 validator for the schema file at ``path``, with ``$ref`` resolved.

    Raises:
        KeyError: no schema file has that path.

    """
    document = schema(path)
    # The file's own address as its base URI, so that its relative $refs resolve.
    document["$id"] = BASE_URI + path
    return Draft202012Validator(document, registry=registry())


def bundled_schema(path: str) -> dict[str, Any]:
    """Return the schema at ``path`` as one self-contained document (every ``$ref`` local).

    For tools that cannot follow references between files; a union becomes
    ``oneOf`` with a ``discriminator`` (see ``bundle_document``).

    Raises:
        KeyError: no schema file has that path.

    """
    schema(path)  # a clear KeyError for an unknown path
    return bundle(_documents(), root=path, base_uri=BASE_URI)


def bundle_document() -> dict[str, Any]:
    """Return the whole schema as one draft 2020-12 document: every file under ``$defs/<title>``.

    This is ``bundle.json``, shipped in the package and published at
    ``BASE_URI + "bundle.json"``: each ``$ref`` is local, and each union is
    ``oneOf`` its messages with ``discriminator: {"propertyName": "type"}``, the
    shape code generators turn into a tagged union. It accepts exactly what the
    files accept.
    """
    text = files("lambda_agent_api").joinpath("_schema_bundle.json").read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def asyncapi_document() -> str:
    """Return the protocol's AsyncAPI 3.1 document (YAML), as published at ``BASE_URI``.

    Its payloads are ``$ref``s relative to the schema folder: save it beside the
    schema files (or read it from the site) for tools to resolve them.
    """
    return files("lambda_agent_api").joinpath("_asyncapi.yaml").read_text(encoding="utf-8")
