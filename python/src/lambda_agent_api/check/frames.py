"""What one frame says on its own, before its place in the conversation: the stateless checks.

:func:`inspect_frame` checks one frame, in this order, the first failure
stopping the checks that depend on it:

1. a text frame (F004), of UTF-8 (F001), holding JSON (F002), an object (F003);
2. the message against its own schema, picked by ``type`` (S001), with the
   JSON pointer, the keyword and a sentence for every error;
3. unknown fields (W002) and unsafe paths (W003).

It returns what it found, without a location (the caller knows where the
frame is), and what the conversation needs to take its step: the sender, the
type and the fields.

Most frames are valid, so the common case is fast: a pydantic-core validator
translated from the schema (``check.fast_schema``) accepts
only what the schema accepts, and a frame it refuses is parsed again by RFC
8259's rules and explained by ``jsonschema``, which is exact but slow.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any, Final, NamedTuple

from pydantic_core import SchemaValidator

from lambda_agent_api.check.explanation import explain, json_pointer
from lambda_agent_api.check.fast_schema import UntranslatableSchema, message_validator
from lambda_agent_api.protocol import strict_json
from lambda_agent_api.protocol.message_types import message_schema_files, schema_documents
from lambda_agent_api.protocol.strict_json import kind as _json_kind
from lambda_agent_api.protocol.strict_json import show as _show
from lambda_agent_api.protocol.transitions import Role, role_of

__all__ = [
    "WORKSPACE_PATHS",
    "Found",
    "Inspection",
    "inspect_frame",
    "workspace_path_problem",
]

WORKSPACE_PATHS: Final[Mapping[str, tuple[str, bool]]] = {
    "USER_MESSAGE": ("attachments", True),
    "AGENT_EVENT_SEND_FILE": ("path", False),
}
"""The fields that hold paths relative to ``/workspace``: type -> (field, whether it is a list).

The schema keeps them plain strings; W003 warns about absolute ones and ``..`` segments.
"""

ROLE_OF_DIRECTION: Final[Mapping[str | None, Role]] = {"send": Role.CLIENT, "recv": Role.SERVER}
"""Who sent a frame, by the capture's direction (seen from the client)."""


class Found(NamedTuple):
    """One broken rule, not yet located: the rule, a sentence, and where in the message."""

    rule: str
    """The rule's id (``S001``...)."""
    message: str
    """A sentence saying what happened."""
    type: str | None = None
    """The message's ``type``, when it has one."""
    pointer: str | None = None
    """A JSON pointer into the message, for S001 and W rules."""
    keyword: str | None = None
    """The JSON Schema keyword that failed, for S001."""


class Inspection(NamedTuple):
    """What :func:`inspect_frame` found, and what the conversation needs from the frame."""

    found: list[Found]
    """The broken rules, in the order above."""
    role: Role | None
    """Who sent it; None when no conversation step follows (``fields`` is None too)."""
    type: str | None
    """Its ``type``."""
    fields: Mapping[str, Any] | None
    """Its fields for the conversation; None when it takes no conversation step."""


@cache
def _fast() -> SchemaValidator | None:
    try:
        return message_validator("allow")
    except UntranslatableSchema:  # the tests hold the shipped schema translatable
        return None


@cache
def _properties(type_: str) -> frozenset[str]:
    document = schema_documents()[message_schema_files()[type_]]
    return frozenset(document.get("properties", {}))


def inspect_frame(direction: str | None, data: str | bytes, binary: bool = False) -> Inspection:
    """Check one frame on its own (see the module's doc).

    ``direction`` is ``send`` (the client sent it), ``recv``, or None when
    the capture does not say; ``data`` is the frame's text (``str``, or the
    raw bytes it came in) or a binary frame's bytes.
    """
    if binary:
        size = len(data)
        message = f"a binary frame of {size} bytes; the protocol sends only text"
        return Inspection([Found("F004", message)], None, None, None)
    fast = _fast()
    if fast is None:
        return _inspect_slowly(direction, data)
    try:
        message = fast.validate_json(data)
    except ValueError:  # not valid for the fast validator: the precise path decides
        return _inspect_slowly(direction, data)
    # pydantic-core's JSON parser takes NaN and Infinity, which are not JSON; a
    # field of any value, or an unknown field, could hold one.
    if strict_json.may_hold_a_constant(data):
        return _inspect_slowly(direction, data)
    type_: str = message["type"]
    properties = _properties(type_)
    found = _unknown_fields(type_, [name for name in message if name not in properties])
    if type_ in WORKSPACE_PATHS:
        found += _unsafe_paths(type_, message)
    role = ROLE_OF_DIRECTION.get(direction) or role_of(type_)
    return Inspection(found, role, type_, message)


def _inspect_slowly(direction: str | None, data: str | bytes) -> Inspection:
    value = _parse(data)
    if isinstance(value, Found):
        return Inspection([value], None, None, None)
    if not isinstance(value, dict):
        problem = Found("F003", f"the frame holds {_json_kind(value)}, not an object")
        return Inspection([problem], None, None, None)
    type_ = value.get("type")
    if not isinstance(type_, str):
        if "type" not in value:
            problem = Found("S001", 'the message has no "type"', None, "", "required")
        else:
            sentence = f"type must be a string, not {_json_kind(type_)} ({_show(type_)})"
            problem = Found("S001", sentence, None, "/type", "type")
        return Inspection([problem], None, None, None)

    found: list[Found] = []
    role = ROLE_OF_DIRECTION.get(direction) or role_of(type_)
    if type_ in message_schema_files():
        found += [
            Found("S001", sentence, type_, pointer, keyword)
            for keyword, pointer, sentence in explain(type_, value)
        ]
        found += _unknown_fields(type_, [k for k in value if k not in _properties(type_)])
        if type_ in WORKSPACE_PATHS:
            found += _unsafe_paths(type_, value)
    if role is None:  # an unknown type, and the capture does not say who sent it
        found.append(Found("W001", f"unknown message type {_show(type_)}", type_))
        return Inspection(found, None, type_, None)
    # Containers are of no use to the conversation, and dropping them keeps a
    # deeply nested (invalid) field away from its string conversions.
    scalars = {k: v for k, v in value.items() if not isinstance(v, (dict, list))}
    return Inspection(found, role, type_, scalars)


def _parse(data: str | bytes) -> Any:
    """Return the frame's JSON value, or what (F001, F002) says why there is none."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            byte = data[error.start]
            return Found(
                "F001", f"the frame is not UTF-8: byte 0x{byte:02x} at offset {error.start}"
            )
    else:
        text = data
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as error:
            char = ord(text[error.start])
            if 0xDC80 <= char <= 0xDCFF:  # a byte the capture line could not decode
                reason = f"byte 0x{char - 0xDC00:02x} at character {error.start}"
            else:
                reason = f"a lone surrogate U+{char:04X} at character {error.start}"
            return Found("F001", f"the frame is not UTF-8: {reason}")
    try:
        return strict_json.loads(text)
    except ValueError as error:
        return Found("F002", f"the frame is not JSON: {error}")


# Warnings


def _unknown_fields(type_: str, names: list[str]) -> list[Found]:
    return [
        Found(
            "W002",
            f"{type_} has a field {_show(name)} that protocol v1.1 does not define",
            type_,
            json_pointer([name]),
        )
        for name in names
    ]


def _unsafe_paths(type_: str, fields: Mapping[str, Any]) -> list[Found]:
    name, is_list = WORKSPACE_PATHS[type_]
    value = fields.get(name)
    paths = list(enumerate(value)) if is_list and isinstance(value, list) else [(None, value)]
    found = []
    for index, path in paths:
        if not isinstance(path, str):
            continue
        reason = workspace_path_problem(path)
        if reason:
            pointer = json_pointer([name] if index is None else [name, index])
            found.append(Found("W003", f"{name} {_show(path)} {reason}", type_, pointer))
    return found


def workspace_path_problem(path: str) -> str | None:
    """Say what is unsafe about a path meant to be relative to ``/workspace`` (W003), or None."""
    if path.startswith(("/", "\\")) or (len(path) > 1 and path[1] == ":" and path[0].isalpha()):
        return "is absolute; paths are relative to /workspace"
    if ".." in path.replace("\\", "/").split("/"):
        return "has a '..' segment and may leave /workspace"
    return None
