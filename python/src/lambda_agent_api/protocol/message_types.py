"""The protocol's message types, read from the shipped schema files, without pydantic.

The unions of ``schema/`` say which messages exist and who sends them:
``server_message.json``, ``client_message.json`` and ``agent_event.json``
each map every ``type`` of theirs to its schema file. Code that only needs
the names (the transition table, the conversation, the fast checker) reads
them here, so that it loads neither pydantic nor the generated models.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any, Final
from urllib.parse import urljoin

__all__ = [
    "AGENT_EVENT_TYPES",
    "CLIENT_TYPES",
    "SERVER_TYPES",
    "message_schema_files",
    "schema_documents",
]


@cache
def schema_documents() -> dict[str, dict[str, Any]]:
    """Every schema file shipped with the package, by its path under ``schema/`` (read once)."""
    resource = files("lambda_agent_api").joinpath("_schemas.json")
    documents: dict[str, dict[str, Any]] = json.loads(resource.read_text(encoding="utf-8"))[
        "schemas"
    ]
    return documents


def _union(path: str) -> dict[str, str]:
    """Map a union's every ``type`` to its schema file's path, in the union's order."""
    documents = schema_documents()
    union = documents[path]
    by_id = {document["$id"]: name for name, document in documents.items()}
    mapping = union["discriminator"]["mapping"]
    return {type_: by_id[urljoin(union["$id"], ref)] for type_, ref in mapping.items()}


@cache
def message_schema_files() -> dict[str, str]:
    """Every message type -> the path of its schema file (``"STATUS": "server/status.json"``)."""
    return {**_union("server_message.json"), **_union("client_message.json")}


SERVER_TYPES: Final[tuple[str, ...]] = tuple(_union("server_message.json"))
"""The types of the messages the server sends, in the schema's order."""

CLIENT_TYPES: Final[tuple[str, ...]] = tuple(_union("client_message.json"))
"""The types of the messages the client sends."""

AGENT_EVENT_TYPES: Final[tuple[str, ...]] = tuple(_union("agent_event.json"))
"""The agent events: the server's messages that make up a response (``AGENT_EVENT_END`` too)."""
