"""The protocol's versions: the released ones shipped in the package, and schema folders.

Each released version's schema files ship inside the package (``v1_0.json``,
``v1_1.json`` beside this module, generated from ``schema/v1.0/``,
``schema/v1.1/``), so a program can speak or check an older version without
the repository. :func:`open_schemas` reads either a released version by name
(``1.0``, ``v1.1``) or a folder of schema files (such as ``schema/draft/``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any, Final

from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT202012

from lambda_agent_api.protocol import strict_json
from lambda_agent_api.protocol.message_set import CURRENT as _CURRENT
from lambda_agent_api.protocol.message_set import normalize_version
from lambda_agent_api.protocol.message_types import released_versions, schema_documents

__all__ = [
    "CURRENT",
    "MAX_FILES",
    "MAX_FILE_BYTES",
    "SchemaSet",
    "SchemaSetError",
    "current",
    "load_folder",
    "load_version",
    "normalize",
    "open_schemas",
    "released",
]

MAX_FILES: Final = 1000
"""A schema folder with more ``*.json`` files than this is refused."""
MAX_FILE_BYTES: Final = 4 * 1024 * 1024
"""A schema file longer than this is refused."""

SITE: Final = "https://agent-api.lambda.coredump.ru/schema/"
"""Where the docs site publishes the schema folders (``v1.1/``...): a file's address is under it."""


class SchemaSetError(ValueError):
    """A version or schema folder that cannot be read as the protocol; the message says why."""


@dataclass(frozen=True, eq=False)
class SchemaSet:
    """The schema files of one version, by their path inside the version's folder."""

    name: str
    """The version (``1.1``) or the folder it was read from."""
    documents: Mapping[str, dict[str, Any]] = field(repr=False)
    """Every schema file, by its path relative to the folder (``server/status.json``)."""
    base: str = ""
    """The folder's address: a file without ``$id`` (v1.1 on) is at ``base + path``."""

    def uri(self, path: str) -> str:
        """Return the address of the file at ``path``: its ``$id``, or else ``base + path``."""
        schema_id = self.documents[path].get("$id")
        return schema_id if isinstance(schema_id, str) else self.base + path

    @cached_property
    def registry(self) -> Registry[Any]:
        """A ``referencing`` registry holding every file at its address (:meth:`uri`)."""
        resources = [
            (self.uri(path), Resource.from_contents(doc, default_specification=DRAFT202012))
            for path, doc in self.documents.items()
        ]
        return Registry().with_resources(resources).crawl()

    @cached_property
    def registry_for_validators(self) -> Registry[Any]:
        """The registry without the files' ``$schema``: a validator keeps its own class.

        jsonschema picks the validator class of a ``$ref``'s target by its
        ``$schema``; without it, a restricted class (one that never runs
        ``pattern``) stays in charge for the whole validation.
        """
        resources = [
            (
                self.uri(path),
                Resource.from_contents(
                    {k: v for k, v in doc.items() if k != "$schema"},
                    default_specification=DRAFT202012,
                ),
            )
            for path, doc in self.documents.items()
        ]
        return Registry().with_resources(resources).crawl()


def normalize(version: str) -> str:
    """Return ``version`` as ``MAJOR.MINOR`` (``v1.1``, ``1_1`` and ``1.1`` are ``1.1``).

    Raises:
        SchemaSetError: it is not a version name.
    """
    try:
        return normalize_version(version)
    except ValueError as error:
        raise SchemaSetError(str(error)) from None


def released() -> tuple[str, ...]:
    """Every released version shipped in the package, oldest first (``("1.0", "1.1")``)."""
    return released_versions()


CURRENT: Final = _CURRENT
"""The version this package speaks by default: the latest released one (``"1.1"``)."""


def current() -> str:
    """Return the version this package speaks by default: the latest released one."""
    return CURRENT


def version_documents(version: str) -> dict[str, dict[str, Any]]:
    """Return the schema files of a released version (shared: do not change them).

    Raises:
        SchemaSetError: no such released version.
    """
    wanted = normalize(version)
    if wanted not in released():
        raise SchemaSetError(
            f"no released protocol version {version!r}; known: {', '.join(released())}"
        )
    return schema_documents(wanted)


@cache
def load_version(version: str) -> SchemaSet:
    """Return a released version's schema files.

    Raises:
        SchemaSetError: no such released version.
    """
    wanted = normalize(version)
    return SchemaSet(wanted, version_documents(wanted), base=f"{SITE}v{wanted}/")


def load_folder(folder: Path, name: str | None = None) -> SchemaSet:
    """Read every ``*.json`` under ``folder`` as one version's schema files.

    A file without a ``$id`` is known by its ``file:`` URI, so that relative
    references between such files still resolve.

    Raises:
        SchemaSetError: the folder cannot be read, holds too many or too large
            files, or a file is not a JSON object with a unique ``$id``.
    """
    shown = name or str(folder)
    if not folder.is_dir():
        raise SchemaSetError(f"{shown}: not a folder")
    documents: dict[str, dict[str, Any]] = {}
    ids: dict[str, str] = {}
    try:
        paths = sorted(p for p in folder.rglob("*.json") if p.is_file())
    except OSError as error:
        raise SchemaSetError(f"{shown}: cannot list: {error.strerror or error}") from None
    if len(paths) > MAX_FILES:
        raise SchemaSetError(f"{shown}: more than {MAX_FILES} schema files")
    if not paths:
        raise SchemaSetError(f"{shown}: no *.json schema files")
    for path in paths:
        rel = path.relative_to(folder).as_posix()
        document = _read(path, f"{shown}/{rel}")
        document.setdefault("$id", path.resolve().as_uri())
        schema_id = document["$id"]
        if not isinstance(schema_id, str):
            raise SchemaSetError(f"{shown}/{rel}: $id is not a string")
        if schema_id in ids:
            raise SchemaSetError(f"{shown}/{rel}: $id {schema_id!r} is also {ids[schema_id]}'s")
        ids[schema_id] = rel
        documents[rel] = document
    schemas = SchemaSet(shown, documents)
    try:
        schemas.registry  # noqa: B018 -- a bad $id or $schema shows here, not deep in a diff
    except (NoSuchResource, ValueError, TypeError) as error:
        raise SchemaSetError(f"{shown}: {error}") from None
    return schemas


def _read(path: Path, shown: str) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise SchemaSetError(f"{shown}: cannot read: {error.strerror or error}") from None
    if len(data) > MAX_FILE_BYTES:
        raise SchemaSetError(f"{shown}: longer than {MAX_FILE_BYTES} bytes")
    try:
        document = strict_json.loads(data)
    except (ValueError, RecursionError) as error:
        reason = "nested too deeply" if isinstance(error, RecursionError) else str(error)
        raise SchemaSetError(f"{shown}: not JSON: {reason}") from None
    if not isinstance(document, dict):
        raise SchemaSetError(f"{shown}: a schema file must hold a JSON object")
    return document


def open_schemas(spec: str) -> SchemaSet:
    """Return the schemas ``spec`` names: a folder of schema files, or a released version.

    Raises:
        SchemaSetError: ``spec`` is neither, or cannot be read.
    """
    path = Path(spec)
    if path.is_dir():
        return load_folder(path, spec)
    try:
        return load_version(spec)
    except SchemaSetError:
        raise SchemaSetError(
            f"{spec!r} is neither a schema folder nor a released version ({', '.join(released())})"
        ) from None
