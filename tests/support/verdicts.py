"""The two validators under test, each giving its verdict on one instance.

JSON Schema validates an instance against the schema of one message; the
models must agree. Both verdicts are reduced to the JSON pointers they blame,
so that a test can require them to fail for the same reason.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ValidationError

from lambda_agent_api.protocol.messages import (
    SERVER_MESSAGE_CLASSES,
    ClientMessage,
    ServerMessage,
    message_class,
)
from lambda_agent_api.schemas import message_schema_path, validator_for


def pointer(parts: Any) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def schema_errors(type_: str, instance: Any) -> list[Any]:
    """Every leaf error of JSON Schema for ``instance`` against the schema of ``type_``."""
    path = message_schema_path(type_)
    assert path is not None, f"no schema for {type_}"
    return list(validator_for(path).iter_errors(instance))


def schema_verdict(type_: str, instance: Any) -> set[tuple[str, str]]:
    """The set of (keyword, instanceLocation) JSON Schema reports; empty when valid."""
    return {(str(e.validator), pointer(e.absolute_path)) for e in schema_errors(type_, instance)}


def schema_blamed_pointers(type_: str, instance: Any) -> set[str]:
    """The instance locations JSON Schema blames, with a missing property as its own location."""
    blamed = set()
    for error in schema_errors(type_, instance):
        where = pointer(error.absolute_path)
        if error.validator == "required":
            missing = [p for p in error.validator_value if p not in error.instance]
            blamed.update(f"{where}/{name}" for name in missing)
        else:
            blamed.add(where)
    return blamed


def model_parse(type_: str, text: str) -> BaseModel:
    """Parse ``text`` as the message ``type_`` with the generated models.

    An object is validated by its own class, as JSON Schema validates it by its
    own schema; but a model defaults ``type`` (so that ``MsgEventEnd(tokens_used=3)``
    works), so whether ``type`` is present at all is the union's check, which
    is also what a client runs on every frame.
    """
    cls = message_class(type_)
    assert cls is not None
    adapter = ServerMessage if type_ in SERVER_MESSAGE_CLASSES else ClientMessage
    value = json.loads(text)
    if not isinstance(value, dict) or "type" not in value:
        parsed = adapter.validate_json(text)
        assert isinstance(parsed, cls), f"parsed as {type(parsed).__name__}, not {cls.__name__}"
        return parsed
    return cls.model_validate_json(text)


def model_blamed_pointers(error: ValidationError) -> set[str]:
    """The instance locations a pydantic error blames, as JSON pointers."""
    blamed = set()
    for e in error.errors():
        if e["type"] in ("union_tag_not_found", "union_tag_invalid"):
            blamed.add("/type")
        else:
            blamed.add(pointer(e["loc"]))
    return blamed
