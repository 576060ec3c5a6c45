"""The protocol's message types, read from the shipped schema files, without pydantic.

The unions of ``schema/vX.Y/`` say which messages exist and who sends them:
``server_message.json``, ``client_message.json`` and ``agent_event.json``
each map every ``type`` of theirs to its schema file, for any released
version, read here without pydantic. (The current version's types, as enums,
are generated into ``protocol/_enums.py``: the transition table's keys.)
"""

from __future__ import annotations

import json
import posixpath
import re
from functools import cache
from typing import Any, Final

from lambda_agent_api._bundle import union_members
from lambda_agent_api.protocol.package_files import list_folder, read_text

__all__ = [
    "CURRENT",
    "message_schema_files",
    "released_versions",
    "schema_documents",
]

# The bundles are read as files of the package: importing lambda_agent_api.schemas
# would load jsonschema, and its version list loads pydantic.
_BUNDLE: Final = re.compile(r"v(\d+)_(\d+)\.json")


@cache
def _bundles() -> dict[str, str]:
    found = {}
    for name in list_folder("schemas"):
        match = _BUNDLE.fullmatch(name)
        if match:
            found[(int(match[1]), int(match[2]))] = name
    return {f"{a}.{b}": found[a, b] for a, b in sorted(found)}


def released_versions() -> tuple[str, ...]:
    """Return every released version whose schema ships in the package, oldest first."""
    return tuple(_bundles())


CURRENT: Final = list(_bundles())[-1]
"""The newest released version, whose schema the package speaks (the same as
:data:`lambda_agent_api.protocol.message_set.CURRENT`, which the tests hold)."""


@cache
def schema_documents(version: str | None = None) -> dict[str, dict[str, Any]]:
    """Every schema file of a released version (default: the current one), by its path.

    Raises:
        KeyError: no such released version (``version`` is ``MAJOR.MINOR``).
    """
    bundle = _bundles()[CURRENT if version is None else version]
    documents: dict[str, dict[str, Any]] = json.loads(read_text("schemas", bundle))["schemas"]
    return documents


def resolve(base: str, ref: str) -> str:
    """Return the path a ``$ref`` of the file at path ``base`` points to (no fragments)."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), ref.split("#")[0]))


def _union(path: str, version: str | None = None) -> dict[str, str]:
    """Map a union's every ``type`` to its schema file's path, in the union's order."""
    members = union_members(path, schema_documents(version)[path])
    assert members is not None, f"{path} is not a union"
    return members


@cache
def message_schema_files(version: str | None = None) -> dict[str, str]:
    """Map every message type of a version to its schema file's path.

    For example ``"STATUS": "server/status.json"``.
    """
    return {
        **_union("server_message.json", version),
        **_union("client_message.json", version),
    }
