"""Explaining a schema failure: ``jsonschema``'s errors as a JSON pointer and a sentence each.

Exact but slow, so the checker calls it only for frames the generated models refused.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any, Final

from lambda_agent_api.protocol.strict_json import kind as _json_kind
from lambda_agent_api.protocol.strict_json import show as _show
from lambda_agent_api.protocol.text import shorten

__all__ = ["explain", "json_pointer"]


def explain(type_: str, instance: Any, version: str | None = None) -> list[tuple[str, str, str]]:
    """Check ``instance`` against the schema of the message ``type_`` with ``jsonschema``.

    Return one ``(keyword, JSON pointer, sentence)`` per error, in the schema's
    order; an empty list when the instance is valid. ``version`` picks a released
    protocol version (default: the current one).

    Raises:
        KeyError: ``type_`` is not a message type of the protocol (or of ``version``).
    """
    # jsonschema takes a while to import, and only frames that fail need it.
    from lambda_agent_api.schemas import message_schema_path, validator_for

    path = message_schema_path(type_, version)
    if path is None:
        raise KeyError(f"no schema for message type {type_!r}")
    try:
        errors = list(validator_for(path, version).iter_errors(instance))
    except RecursionError:
        return [("", "", "the message is nested too deeply to be checked")]
    # jsonschema reports each missing property as its own "required" error, in
    # the order of the schema's list, without naming it: pair them up.
    missing: dict[str, Iterator[str]] = {}
    explained = []
    for error in errors:
        pointer = json_pointer(error.absolute_path)
        if error.validator == "required":
            names = missing.setdefault(
                pointer, iter([p for p in error.validator_value if p not in error.instance])
            )
            sentence = _missing(type_, error, next(names, "?"))
        else:
            sentence = _sentence(type_, error)
        explained.append((str(error.validator), pointer, sentence))
    return explained


def _missing(type_: str, error: Any, name: str) -> str:
    where = _field_name(error.absolute_path) or type_
    return f"{where} has no {json.dumps(name)}, which is required"


def _sentence(type_: str, error: Any) -> str:
    keyword = error.validator
    name = _field_name(error.absolute_path) or type_
    instance = error.instance
    if keyword == "type":
        expected = error.validator_value
        expected = [expected] if isinstance(expected, str) else list(expected)
        wanted = " or ".join(_TYPE_NAMES.get(t, t) for t in expected)
        return f"{name} must be {wanted}, not {_json_kind(instance)} ({_show(instance)})"
    if keyword == "const":
        return f"{name} must be {_show(error.validator_value)}, not {_show(instance)}"
    if keyword == "enum":
        choices = ", ".join(_show(v, 30) for v in error.validator_value[:10])
        return f"{name} must be one of {choices}, not {_show(instance)}"
    return f"{name}: {shorten(error.message, 200)}"


_TYPE_NAMES: Final = {
    "integer": "an integer",
    "string": "a string",
    "object": "an object",
    "array": "an array",
    "number": "a number",
    "boolean": "a boolean",
    "null": "null",
}


def json_pointer(parts: Iterable[Any]) -> str:
    """Return the JSON pointer (RFC 6901) of a path of keys and indexes."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _field_name(parts: Iterable[Any]) -> str:
    name = ""
    for part in parts:
        name += f"[{part}]" if isinstance(part, int) else f".{part}" if name else str(part)
    return name
