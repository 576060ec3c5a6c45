"""The protocol's JSON Schema files, shipped inside the package, for every released version.

These are the files of the repository's ``schema/vX.Y/`` folders (draft 2020-12),
so a program can validate against the source of truth without the repository::

    from lambda_agent_api.schemas import validator_for
    end = validator_for("server/agent_event_end.json")
    end.validate({"type": "AGENT_EVENT_END", "tokens_used": 3})

Every function takes ``version`` (``"1.0"``, ``"1.1"``...; the default is the
current version, :data:`CURRENT`). :mod:`.versions` lists the released
versions and reads schema folders; :mod:`.diff` compares two versions.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any, Final

from jsonschema import Draft202012Validator
from referencing import Registry

from lambda_agent_api._bundle import bundle, message_tag
from lambda_agent_api.schemas import versions

__all__ = [
    "BASE_URI",
    "CURRENT",
    "asyncapi_document",
    "base_uri",
    "bundle_document",
    "bundled_schema",
    "message_schema_path",
    "registry",
    "schema",
    "schema_paths",
    "validator_for",
]

CURRENT: Final = versions.CURRENT
"""The protocol version this package speaks by default (``"1.1"``)."""


def base_uri(version: str | None = None) -> str:
    """Return where a version's schema files are published: a file's address is this + its path.

    The files carry no ``$id`` (a file is known by where it lies, so relative
    ``$ref``s resolve offline from a checkout as from the site); the registry
    gives each file this address.
    """
    return f"{versions.SITE}v{versions.normalize(CURRENT if version is None else version)}/"


BASE_URI: Final = base_uri()
"""Where the current version's schema files are published: ``BASE_URI + path``."""


def _documents(version: str | None) -> dict[str, dict[str, Any]]:
    try:
        return versions.version_documents(CURRENT if version is None else version)
    except versions.SchemaSetError as error:
        raise KeyError(str(error)) from None


def schema_paths(version: str | None = None) -> list[str]:
    """Paths of every schema file, relative to its version's folder (``"server/status.json"``...).

    Raises:
        KeyError: no such released version.

    """
    return sorted(_documents(version))


def schema(path: str, version: str | None = None) -> dict[str, Any]:
    """Return a copy of the schema file at ``path`` (relative to its version's folder).

    Raises:
        KeyError: no schema file has that path, or no such released version.

    """
    documents = _documents(version)
    if path not in documents:
        raise KeyError(f"no schema {path!r}; known: {', '.join(sorted(documents))}")
    result: dict[str, Any] = json.loads(json.dumps(documents[path]))
    return result


@cache
def _message_schema_paths(version: str) -> dict[str, str]:
    paths = {}
    for path, document in _documents(version).items():
        tag = message_tag(document)
        if tag is not None:
            paths[tag] = path
    return paths


def message_schema_path(type_: str, version: str | None = None) -> str | None:
    """Return the path of the schema of the message whose ``type`` is ``type_``, if known."""
    try:
        wanted = versions.normalize(CURRENT if version is None else version)
    except versions.SchemaSetError as error:
        raise KeyError(str(error)) from None
    return _message_schema_paths(wanted).get(type_)


def registry(version: str | None = None) -> Registry[Any]:
    """Return a ``referencing`` registry holding every schema file at its address.

    Raises:
        KeyError: no such released version.

    """
    try:
        return versions.load_version(CURRENT if version is None else version).registry
    except versions.SchemaSetError as error:
        raise KeyError(str(error)) from None


@cache
def _validator(path: str, version: str) -> Draft202012Validator:
    document = schema(path, version)
    # The file's address as its base URI, so that its relative $refs resolve.
    document.setdefault("$id", versions.load_version(version).uri(path))
    return Draft202012Validator(document, registry=registry(version))


def validator_for(path: str, version: str | None = None) -> Draft202012Validator:
    """Return a draft 2020-12 validator for the schema file at ``path``, with ``$ref`` resolved.

    Raises:
        KeyError: no schema file has that path, or no such released version.

    """
    try:
        wanted = versions.normalize(CURRENT if version is None else version)
    except versions.SchemaSetError as error:
        raise KeyError(str(error)) from None
    return _validator(path, wanted)


def bundled_schema(path: str, version: str | None = None) -> dict[str, Any]:
    """Return the schema at ``path`` as one self-contained document (every ``$ref`` local).

    For tools that cannot follow references between files; a union becomes
    ``oneOf`` with a ``discriminator`` (see :func:`bundle_document`).

    Raises:
        KeyError: no schema file has that path, or no such released version.

    """
    schema(path, version)  # a clear KeyError for an unknown path
    return bundle(_documents(version), root=path, base_uri=base_uri(version))


def bundle_document() -> dict[str, Any]:
    """Return the current version as one draft 2020-12 document: every file under ``$defs/<title>``.

    This is ``bundle.json``, shipped in the package and published at
    ``BASE_URI + "bundle.json"``: each ``$ref`` is local, and each union is
    ``oneOf`` its messages with ``discriminator: {"propertyName": "type"}``, the
    shape code generators turn into a tagged union. It accepts exactly what the
    files accept.
    """
    text = files(__package__).joinpath("bundle.json").read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def asyncapi_document() -> str:
    """Return the current version's AsyncAPI 3.1 document (YAML), as published at ``BASE_URI``.

    Its payloads are ``$ref``s relative to the schema folder: save it beside the
    schema files (or read it from the site) for tools to resolve them.
    """
    return files(__package__).joinpath("asyncapi.yaml").read_text(encoding="utf-8")
